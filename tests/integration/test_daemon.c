/*
 * replywatchd as a black box: the real binary, a real redis-server and real
 * HTTP over loopback. Readiness follows Redis, scripts survive SCRIPT FLUSH,
 * reloads swap or reject configurations, SIGTERM drains and exits 0, the
 * bearer token guards everything but /healthz, and secrets stay out of logs.
 */
#include <criterion/criterion.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "rwtest.h"

static struct rwt_redis redis;
static struct rwt_daemon daemon_;
static char *dir;

static void
setup(void)
{
	dir = rwt_tmpdir_new();
}

static void
teardown(void)
{
	rwt_daemon_cleanup(&daemon_);
	rwt_redis_destroy(&redis);
	rwt_tmpdir_remove(dir);
}

TestSuite(daemon, .init = setup, .fini = teardown, .timeout = 90);

/* Policies and a push source, so the configuration has some substance. */
#define SECTIONS                                                                                   \
	",\n  \"policies\": [ { \"name\": \"social\", \"warn_after\": \"2s\", "                    \
	"\"breach_after\": \"4s\" } ],\n"                                                          \
	"  \"sources\": [ { \"name\": \"push-a\", \"type\": \"push\", \"token\": "                 \
	"\"env:PUSH_TOKEN\" } ]"

static char *
write_config(int http_port, const char *http_extra)
{
	return rwt_write_config(dir, &redis, http_port, http_extra, SECTIONS);
}

static char *push_env[] = {"PUSH_TOKEN=push-SECRET-token-1", NULL};

static void
start_daemon(const char *http_extra, char *const env[])
{
	int port = rwt_free_port();
	char *path = write_config(port, http_extra);

	rwt_daemon_start(&daemon_, path, port, env ? env : push_env);
	free(path);
}

static long
get_status(const char *path, const char *token)
{
	struct rwt_response r = rwt_http(daemon_.http_port, "GET", path, token, NULL);
	long status = r.status;

	rwt_response_free(&r);
	return status;
}

struct status_wait {
	const char *path;
	long want;
	const char *token;
};

static bool
status_is(void *arg)
{
	struct status_wait *w = arg;

	return get_status(w->path, w->token) == w->want;
}

static bool
wait_status(const char *path, long want, double timeout_s)
{
	struct status_wait w = {path, want, NULL};

	return rwt_wait_until(status_is, &w, timeout_s);
}

struct log_wait {
	const struct rwt_daemon *d;
	const char *needle;
	int times;
};

static bool
log_has(void *arg)
{
	struct log_wait *w = arg;
	char *log = rwt_daemon_log(w->d);
	int found = 0;

	for (const char *p = log; (p = strstr(p, w->needle)) != NULL; p++)
		found++;
	free(log);
	return found >= w->times;
}

/* Waits until needle has appeared in the daemon's log at least times times. */
static bool
wait_log(const char *needle, int times, double timeout_s)
{
	struct log_wait w = {&daemon_, needle, times};

	return rwt_wait_until(log_has, &w, timeout_s);
}

static double
now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

Test(daemon, readiness_follows_redis)
{
	rwt_redis_start(&redis, NULL);
	start_daemon("", NULL);
	cr_assert(wait_status("/readyz", 200, 5.0), "never ready");

	struct rwt_response r = rwt_http(daemon_.http_port, "GET", "/readyz", NULL, NULL);
	cr_assert_not_null(strstr(r.body, "\"status\":\"ready\""), "%s", r.body);
	rwt_response_free(&r);

	rwt_redis_stop(&redis);
	cr_assert(wait_status("/readyz", 503, 5.0), "still ready without redis");
	r = rwt_http(daemon_.http_port, "GET", "/readyz", NULL, NULL);
	cr_assert_not_null(strstr(r.body, "\"reason\":\"redis"), "%s", r.body);
	cr_assert_not_null(strstr(r.headers, "application/json"));
	rwt_response_free(&r);
	/* Liveness does not depend on Redis. */
	cr_assert_eq(get_status("/healthz", NULL), 200);

	rwt_redis_restart(&redis);
	double back = now_s();
	cr_assert(wait_status("/readyz", 200, 3.0), "not ready within 3 s of redis coming back");
	cr_log_info("ready again %.2f s after redis came back", now_s() - back);
}

Test(daemon, scripts_work_after_script_flush)
{
	rwt_redis_start(&redis, NULL);
	start_daemon("", NULL);
	cr_assert(wait_status("/readyz", 200, 5.0));

	redisContext *c = rwt_redis_connect(&redis);
	redisReply *reply = redisCommand(c, "SCRIPT FLUSH");
	cr_assert_str_eq(reply->str, "OK");
	freeReplyObject(reply);
	/* /readyz runs the ping script: EVALSHA meets NOSCRIPT, EVAL follows.
	 * The fallback is logged once per flush, by whichever script meets it
	 * first: the cluster's heartbeat and lease scripts run all the time,
	 * so it need not be ping (regression: this asserted "script ping"
	 * and failed when a lease renewal came first). */
	cr_assert_eq(get_status("/readyz", NULL), 200);
	cr_assert(rwt_daemon_log_contains(&daemon_,
					  "unknown to the server (restart or SCRIPT FLUSH)"));
	cr_assert_eq(get_status("/readyz", NULL), 200);
	redisFree(c);
}

Test(daemon, sighup_with_an_invalid_file_keeps_the_old_configuration)
{
	rwt_redis_start(&redis, NULL);
	start_daemon("", NULL);
	cr_assert(wait_status("/readyz", 200, 5.0));

	/* Broken JSON, then valid JSON with invalid values. */
	free(rwt_write_file(dir, "replywatch.json", "{ \"redis\": { \"url\": \n"));
	rwt_daemon_signal(&daemon_, SIGHUP);
	cr_assert(wait_log("reload rejected", 1, 5.0));
	cr_assert(rwt_daemon_log_contains(&daemon_, "replywatch.json:2:"),
		  "the JSON error names line and column");
	cr_assert_eq(get_status("/healthz", NULL), 200);
	cr_assert_eq(get_status("/readyz", NULL), 200);

	free(rwt_write_config(dir, &redis, daemon_.http_port, "",
			      SECTIONS ",\n \"retention\": { \"closed\": \"5 minutes\" }"));
	rwt_daemon_signal(&daemon_, SIGHUP);
	cr_assert(wait_log("reload rejected", 2, 5.0));
	cr_assert(rwt_daemon_log_contains(&daemon_, "retention.closed: \"5 minutes\""));
	cr_assert_eq(get_status("/readyz", NULL), 200);
	cr_assert_eq(kill(daemon_.pid, 0), 0, "the daemon must keep running");
}

Test(daemon, sighup_applies_a_new_listen_address_and_token)
{
	rwt_redis_start(&redis, NULL);
	start_daemon("", NULL);
	cr_assert(wait_status("/readyz", 200, 5.0));
	int old_port = daemon_.http_port;
	int new_port = rwt_free_port();
	char *path = write_config(new_port, ", \"token\": \"env:STATUS_TOKEN\"");

	/* The token's variable is not set: the reload must be rejected whole. */
	rwt_daemon_signal(&daemon_, SIGHUP);
	cr_assert(wait_log("reload rejected", 1, 5.0));
	cr_assert(rwt_daemon_log_contains(&daemon_, "http.token"));
	cr_assert_eq(get_status("/readyz", NULL), 200, "old listener, no token, still serving");

	/* Now with a literal token. */
	free(path);
	path = write_config(new_port, ", \"token\": \"status-SECRET-tok\"");
	rwt_daemon_signal(&daemon_, SIGHUP);
	daemon_.http_port = new_port;
	cr_assert(wait_status("/healthz", 200, 5.0), "new listener not serving");
	cr_assert_eq(get_status("/readyz", NULL), 401);
	cr_assert_eq(get_status("/readyz", "status-SECRET-tok"), 200);
	daemon_.http_port = old_port;
	cr_assert(wait_status("/healthz", 0, 5.0), "old listener still accepting");
	daemon_.http_port = new_port;
	free(path);
}

Test(daemon, sigterm_drains_and_exits_zero)
{
	rwt_redis_start(&redis, NULL);
	start_daemon("", NULL);
	cr_assert(wait_status("/readyz", 200, 5.0));
	double sent = now_s();
	rwt_daemon_signal(&daemon_, SIGTERM);
	int status = rwt_daemon_wait(&daemon_, 5.0);
	cr_assert_neq(status, -1, "did not exit within 5 s");
	cr_assert(WIFEXITED(status), "killed by a signal");
	cr_assert_eq(WEXITSTATUS(status), 0);
	cr_assert_lt(now_s() - sent, 5.0);
	cr_assert(rwt_daemon_log_contains(&daemon_, "drained"));
}

Test(daemon, sigterm_exits_zero_even_without_redis)
{
	rwt_redis_start(&redis, NULL);
	rwt_redis_stop(&redis);
	start_daemon("", NULL);
	cr_assert_eq(get_status("/readyz", NULL), 503);
	rwt_daemon_signal(&daemon_, SIGINT);
	int status = rwt_daemon_wait(&daemon_, 5.0);
	cr_assert(status != -1 && WIFEXITED(status) && WEXITSTATUS(status) == 0);
}

Test(daemon, bearer_token_guards_all_but_healthz)
{
	static char *env[] = {"PUSH_TOKEN=push-SECRET-token-1", "STATUS_TOKEN=status-SECRET-xyz",
			      NULL};

	rwt_redis_start(&redis, NULL);
	start_daemon(", \"token\": \"env:STATUS_TOKEN\"", env);
	cr_assert_eq(get_status("/healthz", NULL), 200);
	cr_assert_eq(get_status("/readyz", NULL), 401);
	cr_assert_eq(get_status("/readyz", "status-SECRET-xy"), 401, "a prefix is not the token");
	cr_assert_eq(get_status("/readyz", "status-SECRET-xyzz"), 401);
	cr_assert_eq(get_status("/readyz", "wrong"), 401);
	struct status_wait w = {"/readyz", 200, "status-SECRET-xyz"};
	cr_assert(rwt_wait_until(status_is, &w, 5.0));

	struct rwt_response r = rwt_http(daemon_.http_port, "GET", "/readyz", NULL, NULL);
	cr_assert_eq(r.status, 401);
	cr_assert_not_null(strstr(r.headers, "WWW-Authenticate: Bearer"));
	cr_assert_not_null(strstr(r.body, "\"error\""));
	rwt_response_free(&r);

	r = rwt_http(daemon_.http_port, "GET", "/no/such/thing", "status-SECRET-xyz", NULL);
	cr_assert_eq(r.status, 404);
	cr_assert_not_null(strstr(r.body, "{\"error\":\"not found\"}"), "%s", r.body);
	rwt_response_free(&r);

	/* The dashboard page holds no data: served without a token; its data is not. */
	r = rwt_http(daemon_.http_port, "GET", "/", NULL, NULL);
	cr_assert_eq(r.status, 200);
	cr_assert_not_null(strstr(r.headers, "text/html"));
	cr_assert_not_null(strstr(r.headers, "Content-Security-Policy: default-src 'none'"));
	cr_assert_not_null(strstr(r.body, "<title>replywatch</title>"));
	rwt_response_free(&r);
	cr_assert_eq(get_status("/status", NULL), 401);
	cr_assert_eq(get_status("/metrics", NULL), 401);
	cr_assert_eq(get_status("/mentions", NULL), 401);
	cr_assert_eq(get_status("/events", NULL), 401);
	cr_assert_eq(get_status("/status", "status-SECRET-xyz"), 200);

	r = rwt_http(daemon_.http_port, "POST", "/healthz", NULL, "{}");
	cr_assert_eq(r.status, 405);
	cr_assert_not_null(strstr(r.headers, "Allow: GET"), "%s", r.headers);
	rwt_response_free(&r);

	/* No secret reaches the log. */
	rwt_daemon_signal(&daemon_, SIGTERM);
	rwt_daemon_wait(&daemon_, 5.0);
	char *log = rwt_daemon_log(&daemon_);
	cr_assert_null(strstr(log, "status-SECRET"), "log leaks the status token:\n%s", log);
	cr_assert_null(strstr(log, "push-SECRET"), "log leaks the push token:\n%s", log);
	free(log);
}

Test(daemon, redis_password_comes_from_a_credential)
{
	rwt_redis_start(&redis, "redis-SECRET-pw");
	char *creds = rwt_tmpdir_new();
	free(rwt_write_file(creds, "redis-password", "redis-SECRET-pw\n"));
	char *env_creds;
	cr_assert(asprintf(&env_creds, "CREDENTIALS_DIRECTORY=%s", creds) > 0);
	char *env[] = {"PUSH_TOKEN=push-SECRET-token-1", env_creds, NULL};
	int port = rwt_free_port();
	char *text;
	cr_assert(asprintf(&text,
			   "{ \"redis\": { \"url\": \"redis://127.0.0.1:%d/2\", "
			   "\"password\": \"cred:redis-password\" },"
			   "  \"http\": { \"listen\": \"127.0.0.1:%d\" } }",
			   redis.port, port) > 0);
	char *path = rwt_write_file(dir, "replywatch.json", text);

	rwt_daemon_start(&daemon_, path, port, env);
	cr_assert(wait_status("/readyz", 200, 5.0));
	char *log = rwt_daemon_log(&daemon_);
	cr_assert_null(strstr(log, "redis-SECRET-pw"));
	free(log);
	free(text);
	free(path);
	free(env_creds);
	rwt_tmpdir_remove(creds);
}

Test(daemon, wrong_redis_password_is_reported_without_the_password)
{
	rwt_redis_start(&redis, "redis-SECRET-pw");
	int port = rwt_free_port();
	char *text;
	cr_assert(asprintf(&text,
			   "{ \"redis\": { \"url\": \"redis://127.0.0.1:%d/0\", "
			   "\"password\": \"not-the-SECRET\" },"
			   "  \"http\": { \"listen\": \"127.0.0.1:%d\" } }",
			   redis.port, port) > 0);
	char *path = rwt_write_file(dir, "replywatch.json", text);

	rwt_daemon_start(&daemon_, path, port, NULL);
	struct rwt_response r = {0};
	double end = now_s() + 5.0;
	do {
		rwt_response_free(&r);
		r = rwt_http(port, "GET", "/readyz", NULL, NULL);
	} while (strstr(r.body, "pass") == NULL && now_s() < end);
	cr_assert_eq(r.status, 503);
	cr_assert(strstr(r.body, "WRONGPASS") || strstr(r.body, "invalid"), "%s", r.body);
	cr_assert_null(strstr(r.body, "not-the-SECRET"));
	rwt_response_free(&r);
	cr_assert_not(rwt_daemon_log_contains(&daemon_, "not-the-SECRET"));
	free(text);
	free(path);
}

Test(daemon, journald_lines_carry_a_priority_prefix)
{
	rwt_redis_start(&redis, NULL);
	int port = rwt_free_port();
	char *path = write_config(port, "");
	struct stat st;
	char *journal, *log_path;

	/* systemd names the stream it gave us; the daemon checks it is stderr. */
	cr_assert(asprintf(&log_path, "%s.log", path) > 0);
	free(rwt_write_file(dir, "replywatch.json.log", ""));
	cr_assert_eq(stat(log_path, &st), 0);
	cr_assert(asprintf(&journal, "JOURNAL_STREAM=%llu:%llu", (unsigned long long)st.st_dev,
			   (unsigned long long)st.st_ino) > 0);
	char *env[] = {"PUSH_TOKEN=x", journal, NULL};
	daemon_.log_path = log_path;
	rwt_daemon_start(&daemon_, path, port, env);
	cr_assert(wait_status("/readyz", 200, 5.0));
	char *log = rwt_daemon_log(&daemon_);
	cr_assert(strncmp(log, "<6>", 3) == 0, "first line: %.80s", log);
	cr_assert_not_null(strstr(log, "\n<6>redis: connected"), "%s", log);
	free(log);
	free(journal);
	free(path);
}

Test(daemon, plain_lines_carry_timestamps_and_levels)
{
	rwt_redis_start(&redis, NULL);
	start_daemon("", NULL);
	cr_assert(wait_status("/readyz", 200, 5.0));
	char *log = rwt_daemon_log(&daemon_);
	int y, mo, d, h, mi, s, ms;
	char level[16];
	cr_assert_eq(sscanf(log, "%4d-%2d-%2dT%2d:%2d:%2d.%3dZ %15[a-z]:", &y, &mo, &d, &h, &mi, &s,
			    &ms, level),
		     8, "first line: %.80s", log);
	cr_assert_str_eq(level, "info");
	free(log);
}
