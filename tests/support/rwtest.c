/*
 * rwtest.c: real processes and real sockets for the integration tests.
 */
#include <criterion/criterion.h>
#include <jansson.h>
#include <curl/curl.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "replywatch/clock.h"
#include "replywatch/config.h"
#include "rwtest.h"

extern char **environ;

static double
now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

char *
rwt_tmpdir_new(void)
{
	char *dir = strdup("/tmp/rwtest.XXXXXX");

	cr_assert_not_null(dir);
	cr_assert_not_null(mkdtemp(dir), "mkdtemp: %s", strerror(errno));
	return dir;
}

static int
remove_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

void
rwt_tmpdir_remove(char *dir)
{
	if (dir == NULL)
		return;
	nftw(dir, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
	free(dir);
}

char *
rwt_write_file(const char *dir, const char *name, const char *text)
{
	char *path;
	FILE *f;

	cr_assert(asprintf(&path, "%s/%s", dir, name) > 0);
	f = fopen(path, "w");
	cr_assert_not_null(f, "fopen %s: %s", path, strerror(errno));
	cr_assert_eq(fputs(text, f) >= 0, 1);
	cr_assert_eq(fclose(f), 0);
	return path;
}

char *
rwt_write_config(const char *dir, const struct rwt_redis *r, int http_port, const char *http_extra,
		 const char *top_extra)
{
	char *text, *path;

	cr_assert(asprintf(&text,
			   "{\n"
			   "  \"redis\": { \"url\": \"redis://127.0.0.1:%d/0\", \"key_prefix\": "
			   "\"t:\" },\n"
			   "  \"http\": { \"listen\": \"127.0.0.1:%d\"%s }%s\n"
			   "}\n",
			   r->port, http_port, http_extra, top_extra) > 0);
	path = rwt_write_file(dir, "replywatch.json", text);
	free(text);
	return path;
}

int
rwt_free_port(void)
{
	struct sockaddr_in sin = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	socklen_t len = sizeof(sin);
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	cr_assert(fd >= 0);
	cr_assert_eq(bind(fd, (struct sockaddr *)&sin, sizeof(sin)), 0);
	cr_assert_eq(getsockname(fd, (struct sockaddr *)&sin, &len), 0);
	close(fd);
	return ntohs(sin.sin_port);
}

bool
rwt_wait_until(bool (*cond)(void *arg), void *arg, double timeout_s)
{
	double deadline = now_s() + timeout_s;

	for (;;) {
		if (cond(arg))
			return true;
		if (now_s() > deadline)
			return false;
		usleep(10000);
	}
}

/* Forks and execs argv (argv[0] an absolute path) with stdout and stderr to out_path (or
 * /dev/null). The child dies with the test process, so a failed test leaves no servers. */
pid_t
rwt_spawn(char *const argv[], char *const env[], const char *out_path)
{
	pid_t pid = fork();

	cr_assert(pid >= 0, "fork: %s", strerror(errno));
	if (pid == 0) {
		int fd = open(out_path ? out_path : "/dev/null", O_WRONLY | O_CREAT | O_APPEND,
			      0600);

		prctl(PR_SET_PDEATHSIG, SIGKILL);
		if (fd >= 0) {
			dup2(fd, STDOUT_FILENO);
			dup2(fd, STDERR_FILENO);
			close(fd);
		}
		execve(argv[0], argv, env);
		_exit(127);
	}
	return pid;
}

/* execve needs a path; for names found on PATH run them through env(1). */
static pid_t
spawn_path(char *const argv[], char *const env[], const char *out_path)
{
	char *full[64];
	size_t i;

	if (argv[0][0] == '/')
		return rwt_spawn(argv, env, out_path);
	full[0] = "/usr/bin/env";
	for (i = 0; argv[i] != NULL && i < 62; i++)
		full[i + 1] = argv[i];
	full[i + 1] = NULL;
	return rwt_spawn(full, env, out_path);
}

static int
wait_pid(pid_t pid, double timeout_s)
{
	double deadline = now_s() + timeout_s;
	int status;

	for (;;) {
		pid_t r = waitpid(pid, &status, WNOHANG);

		if (r == pid)
			return status;
		if (r < 0 && errno != EINTR)
			return -1;
		if (now_s() > deadline)
			return -1;
		usleep(5000);
	}
}

static bool
redis_answers(void *arg)
{
	struct rwt_redis *r = arg;
	struct timeval tv = {0, 200000};
	redisContext *c = redisConnectWithTimeout("127.0.0.1", r->port, tv);
	bool ok = false;

	if (c != NULL && !c->err) {
		redisReply *reply = redisCommand(c, "PING");

		/* With requirepass an unauthenticated PING answers NOAUTH: still up. */
		ok = reply != NULL;
		if (reply)
			freeReplyObject(reply);
	}
	if (c)
		redisFree(c);
	return ok;
}

static void
redis_spawn(struct rwt_redis *r)
{
	char port[16], log[512], sock[512];
	char *argv[24];
	int n = 0;

	snprintf(port, sizeof(port), "%d", r->port);
	snprintf(log, sizeof(log), "%s/redis.log", r->dir);
	snprintf(sock, sizeof(sock), "%s/redis.sock", r->dir);
	argv[n++] = "redis-server";
	argv[n++] = "--port";
	argv[n++] = port;
	argv[n++] = "--bind";
	argv[n++] = "127.0.0.1";
	argv[n++] = "--dir";
	argv[n++] = r->dir;
	argv[n++] = "--save";
	argv[n++] = "";
	argv[n++] = "--appendonly";
	argv[n++] = "no";
	argv[n++] = "--logfile";
	argv[n++] = log;
	argv[n++] = "--unixsocket";
	argv[n++] = sock;
	if (r->password != NULL) {
		argv[n++] = "--requirepass";
		argv[n++] = r->password;
	}
	argv[n] = NULL;
	r->pid = spawn_path(argv, environ, NULL);
	cr_assert(rwt_wait_until(redis_answers, r, 10.0), "redis-server did not start on port %d",
		  r->port);
}

void
rwt_redis_start(struct rwt_redis *r, const char *password)
{
	memset(r, 0, sizeof(*r));
	r->dir = rwt_tmpdir_new();
	r->port = rwt_free_port();
	r->password = password ? strdup(password) : NULL;
	cr_assert(asprintf(&r->socket_path, "%s/redis.sock", r->dir) > 0);
	redis_spawn(r);
}

void
rwt_redis_stop(struct rwt_redis *r)
{
	if (r->pid <= 0)
		return;
	kill(r->pid, SIGTERM);
	if (wait_pid(r->pid, 10.0) == -1) {
		kill(r->pid, SIGKILL);
		wait_pid(r->pid, 5.0);
	}
	r->pid = 0;
}

void
rwt_redis_restart(struct rwt_redis *r)
{
	redis_spawn(r);
}

void
rwt_redis_destroy(struct rwt_redis *r)
{
	rwt_redis_stop(r);
	rwt_tmpdir_remove(r->dir);
	free(r->password);
	free(r->socket_path);
	memset(r, 0, sizeof(*r));
}

redisContext *
rwt_redis_connect(const struct rwt_redis *r)
{
	redisContext *c = redisConnect("127.0.0.1", r->port);

	cr_assert(c != NULL && !c->err, "connect to test redis failed");
	if (r->password != NULL) {
		redisReply *reply = redisCommand(c, "AUTH %s", r->password);

		cr_assert(reply && reply->type == REDIS_REPLY_STATUS);
		freeReplyObject(reply);
	}
	return c;
}

struct health_probe {
	struct rwt_daemon *d;
	bool exited;
};

static bool
daemon_healthy(void *arg)
{
	struct health_probe *p = arg;
	struct rwt_response resp;
	int status;

	if (waitpid(p->d->pid, &status, WNOHANG) == p->d->pid) {
		p->exited = true;
		p->d->pid = 0;
		return true;
	}
	resp = rwt_http(p->d->http_port, "GET", "/healthz", NULL, NULL);
	bool ok = resp.status == 200;
	rwt_response_free(&resp);
	return ok;
}

void
rwt_daemon_start(struct rwt_daemon *d, const char *config_path, int http_port,
		 char *const extra_env[])
{
	char *argv[] = {RW_DAEMON_PATH, "-c", (char *)config_path,
			d->test_clock ? "--test-clock" : NULL, NULL};
	char *env[256];
	size_t n = 0;
	struct health_probe probe = {.d = d};

	d->http_port = http_port;
	free(d->config_path);
	d->config_path = strdup(config_path);
	if (d->log_path == NULL)
		cr_assert(asprintf(&d->log_path, "%s.log", config_path) > 0);
	for (char **e = environ; *e != NULL && n < 200; e++)
		if (strncmp(*e, "JOURNAL_STREAM=", 15) != 0 &&
		    strncmp(*e, "NOTIFY_SOCKET=", 14) != 0)
			env[n++] = *e;
	for (size_t i = 0; extra_env != NULL && extra_env[i] != NULL && n < 250; i++)
		env[n++] = extra_env[i];
	env[n] = NULL;
	d->pid = rwt_spawn(argv, env, d->log_path);
	cr_assert(rwt_wait_until(daemon_healthy, &probe, 15.0), "daemon did not answer /healthz");
	if (probe.exited) {
		char *log = rwt_daemon_log(d);
		cr_assert_fail("daemon exited at start-up; log:\n%s", log);
	}
}

static bool
daemon_ready(void *arg)
{
	const struct rwt_daemon *d = arg;
	struct rwt_response r = rwt_http(d->http_port, "GET", "/readyz", d->token, NULL);
	bool ok = r.status == 200;

	rwt_response_free(&r);
	return ok;
}

void
rwt_daemon_wait_ready(const struct rwt_daemon *d, double timeout_s)
{
	cr_assert(rwt_wait_until(daemon_ready, (void *)d, timeout_s), "daemon never ready");
}

int64_t
rwt_utc_ms(int y, int mo, int d, int h, int mi)
{
	struct tm tm = {0};

	tm.tm_year = y - 1900;
	tm.tm_mon = mo - 1;
	tm.tm_mday = d;
	tm.tm_hour = h;
	tm.tm_min = mi;
	return (int64_t)timegm(&tm) * 1000;
}

int64_t
rwt_clock_advance(const struct rwt_daemon *d, int64_t seconds)
{
	char body[64];
	struct rwt_response r;
	json_t *doc;
	int64_t now = 0;

	cr_assert(d->test_clock, "the daemon was not started with --test-clock");
	snprintf(body, sizeof(body), "{\"advance\": %lld}", (long long)seconds);
	r = rwt_http(d->http_port, "POST", "/_test/clock", d->token, body);
	cr_assert_eq(r.status, 200, "POST /_test/clock: %ld %s", r.status, r.body ? r.body : "");
	doc = json_loads(r.body, 0, NULL);
	cr_assert_eq(rw_time_parse(json_string_value(json_object_get(doc, "now")), &now), 0, "%s",
		     r.body);
	json_decref(doc);
	rwt_response_free(&r);
	return now;
}

bool
rwt_wait_advancing(const struct rwt_daemon *d, int64_t step_s, bool (*cond)(void *arg), void *arg,
		   double timeout_s)
{
	double until = now_s() + timeout_s;

	for (;;) {
		if (cond(arg))
			return true;
		if (now_s() >= until)
			return false;
		rwt_clock_advance(d, step_s);
		/* Time for the daemon to act on what came due. */
		if (rwt_wait_until(cond, arg, 0.1))
			return true;
	}
}

bool
rwt_wait(const struct rwt_daemon *d, bool (*cond)(void *arg), void *arg, double timeout_s)
{
	if (d->clock_step_s > 0)
		return rwt_wait_advancing(d, d->clock_step_s, cond, arg, timeout_s);
	return rwt_wait_until(cond, arg, timeout_s);
}

void
rwt_daemon_signal(struct rwt_daemon *d, int sig)
{
	cr_assert(d->pid > 0);
	cr_assert_eq(kill(d->pid, sig), 0);
}

int
rwt_daemon_wait(struct rwt_daemon *d, double timeout_s)
{
	int status = wait_pid(d->pid, timeout_s);

	if (status != -1)
		d->pid = 0;
	return status;
}

void
rwt_daemon_stop_clean(struct rwt_daemon *d)
{
	int status;

	if (d->pid <= 0)
		return;
	kill(d->pid, SIGTERM);
	status = rwt_daemon_wait(d, 5.0);
	if (status == -1 || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		char *log = rwt_daemon_log(d);
		cr_expect_fail("daemon did not exit cleanly (status %d); log:\n%s", status, log);
		free(log);
	}
}

void
rwt_daemon_cleanup(struct rwt_daemon *d)
{
	if (d->pid > 0) {
		kill(d->pid, SIGKILL);
		wait_pid(d->pid, 5.0);
		d->pid = 0;
	}
	free(d->log_path);
	free(d->config_path);
	d->log_path = d->config_path = NULL;
}

char *
rwt_daemon_log(const struct rwt_daemon *d)
{
	FILE *f = fopen(d->log_path, "r");
	char *buf = NULL;
	size_t len = 0;

	if (f == NULL)
		return strdup("");
	FILE *mem = open_memstream(&buf, &len);
	char chunk[4096];
	size_t got;

	while ((got = fread(chunk, 1, sizeof(chunk), f)) > 0)
		fwrite(chunk, 1, got, mem);
	fclose(f);
	fclose(mem);
	return buf;
}

bool
rwt_daemon_log_contains(const struct rwt_daemon *d, const char *needle)
{
	char *log = rwt_daemon_log(d);
	bool found = strstr(log, needle) != NULL;

	free(log);
	return found;
}

struct growbuf {
	char *data;
	size_t len;
};

static size_t
collect(char *ptr, size_t size, size_t nmemb, void *arg)
{
	struct growbuf *b = arg;
	size_t n = size * nmemb;
	char *grown = realloc(b->data, b->len + n + 1);

	if (grown == NULL)
		return 0;
	memcpy(grown + b->len, ptr, n);
	b->len += n;
	grown[b->len] = '\0';
	b->data = grown;
	return n;
}

struct rwt_response
rwt_http(int port, const char *method, const char *path, const char *token, const char *body)
{
	struct rwt_response resp = {0};
	struct growbuf content = {0}, headers = {0};
	struct curl_slist *hdrs = NULL;
	char url[1024], auth[1024];
	CURL *c = curl_easy_init();

	cr_assert_not_null(c);
	snprintf(url, sizeof(url), "http://127.0.0.1:%d%s", port, path);
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, collect);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, &content);
	curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, collect);
	curl_easy_setopt(c, CURLOPT_HEADERDATA, &headers);
	curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, 5000L);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_NOPROXY, "*");
	if (token != NULL) {
		snprintf(auth, sizeof(auth), "Authorization: Bearer %s", token);
		hdrs = curl_slist_append(hdrs, auth);
	}
	if (body != NULL) {
		hdrs = curl_slist_append(hdrs, "Content-Type: application/json");
		curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
	}
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, hdrs);
	if (curl_easy_perform(c) == CURLE_OK)
		curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &resp.status);
	curl_slist_free_all(hdrs);
	curl_easy_cleanup(c);
	resp.body = content.data ? content.data : strdup("");
	resp.len = content.len;
	resp.headers = headers.data ? headers.data : strdup("");
	return resp;
}

json_t *
rwt_get_json(int port, const char *path, const char *token)
{
	struct rwt_response r = rwt_http(port, "GET", path, token, NULL);
	json_t *doc = r.status == 200 ? json_loads(r.body, 0, NULL) : NULL;

	rwt_response_free(&r);
	return doc;
}

void
rwt_response_free(struct rwt_response *r)
{
	free(r->body);
	free(r->headers);
	r->body = r->headers = NULL;
}

int
rwt_run(char *const argv[], char **out)
{
	char path[] = "/tmp/rwtest-run.XXXXXX";
	int fd = mkstemp(path);
	int status;

	cr_assert(fd >= 0);
	close(fd);
	pid_t pid = spawn_path(argv, environ, path);
	status = wait_pid(pid, 60.0);
	if (out != NULL) {
		struct rwt_daemon tmp = {.log_path = path};
		*out = rwt_daemon_log(&tmp);
	}
	unlink(path);
	cr_assert(status != -1, "%s did not finish", argv[0]);
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

/* A copy of text with every ' turned into ". */
char *
rwt_json_quotes(const char *text)
{
	char *s = strdup(text);

	cr_assert_not_null(s);
	for (char *c = s; *c != '\0'; c++) {
		if (*c == '\'')
			*c = '"';
	}
	return s;
}

/* All lines of errs, one per line, for failure messages. */
char *
rwt_config_errors_text(const struct rw_config_errors *errs)
{
	size_t len = 1;
	char *out;

	for (size_t i = 0; i < errs->n; i++)
		len += strlen(errs->lines[i]) + 3;
	out = calloc(1, len);
	cr_assert_not_null(out);
	for (size_t i = 0; i < errs->n; i++) {
		strcat(out, "\n  ");
		strcat(out, errs->lines[i]);
	}
	return out;
}

char *
rwt_url_escape(const char *text)
{
	char *esc = curl_easy_escape(NULL, text, 0);
	char *copy;

	cr_assert_not_null(esc);
	copy = strdup(esc);
	curl_free(esc);
	return copy;
}

void
rwt_stack_up(struct rwt_stack *s, bool with_fake)
{
	memset(s, 0, sizeof(*s));
	s->dir = rwt_tmpdir_new();
	rwt_redis_start(&s->redis, NULL);
	if (with_fake)
		rwt_fake_start(&s->fake, NULL);
}

void
rwt_stack_down(struct rwt_stack *s)
{
	rwt_daemon_stop_clean(&s->daemon);
	rwt_daemon_cleanup(&s->daemon);
	rwt_fake_stop(&s->fake);
	rwt_redis_destroy(&s->redis);
	rwt_tmpdir_remove(s->dir);
	s->dir = NULL;
}

void
rwt_stack_start(struct rwt_stack *s, const char *top_extra)
{
	struct rwt_daemon *d = &s->daemon;
	int port = d->http_port ? d->http_port : rwt_free_port();
	char *path = rwt_write_config(s->dir, &s->redis, port, "", top_extra);

	rwt_daemon_start(d, path, port, NULL);
	rwt_daemon_wait_ready(d, 5.0);
	free(path);
}

char *
rwt_iso(int64_t ms)
{
	char buf[RW_TIME_MAX];
	char *text = strdup(rw_time_format(ms, buf, sizeof(buf)));

	cr_assert_not_null(text);
	return text;
}
