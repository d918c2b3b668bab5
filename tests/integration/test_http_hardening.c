/*
 * The status server under attack, as a black box: the real daemon, a real
 * redis-server, raw sockets on loopback. A malformed close key does not kill
 * the daemon; requests are refused from their headers before a body byte is
 * read; an endless chunked body is cut; slow clients cannot starve /healthz
 * or ingest; control bytes in a path are refused; push source names cannot
 * be probed; /readyz and /ingest tell the truth when Redis refuses writes;
 * client clocks cannot date items in the future; webhook URL secrets stay
 * out of the debug log.
 */
#include <arpa/inet.h>
#include <criterion/criterion.h>
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "replywatch/clock.h"
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

TestSuite(http_hardening, .init = setup, .fini = teardown, .timeout = 90);

#define SECTIONS                                                                                   \
	",\n \"policies\": [ { \"name\": \"social\", \"warn_after\": \"1h\","                      \
	" \"breach_after\": \"2h\" } ],\n"                                                         \
	" \"sources\": [ { \"name\": \"p\", \"type\": \"push\", \"token\": \"ptok\" } ]"

/* Starts Redis and the daemon; http_extra and top_extra as rwt_write_config. */
static void
start(const char *http_extra, const char *top_extra)
{
	int port = rwt_free_port();
	char *top, *path;

	rwt_redis_start(&redis, NULL);
	cr_assert(asprintf(&top, "%s%s", SECTIONS, top_extra) > 0);
	path = rwt_write_config(dir, &redis, port, http_extra, top);
	rwt_daemon_start(&daemon_, path, port, NULL);
	rwt_daemon_wait_ready(&daemon_, 5.0);
	free(path);
	free(top);
}

static double
now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static long
request_status(const char *method, const char *path, const char *token, const char *body)
{
	struct rwt_response r = rwt_http(daemon_.http_port, method, path, token, body);
	long status = r.status;

	rwt_response_free(&r);
	return status;
}

/* A TCP connection to the daemon from source address from ("127.0.0.N"). */
static int
connect_from(const char *from)
{
	struct sockaddr_in src = {.sin_family = AF_INET}, dst = {.sin_family = AF_INET};
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	cr_assert(fd >= 0);
	cr_assert_eq(inet_pton(AF_INET, from, &src.sin_addr), 1);
	cr_assert_eq(bind(fd, (struct sockaddr *)&src, sizeof(src)), 0, "bind %s: %s", from,
		     strerror(errno));
	dst.sin_port = htons((uint16_t)daemon_.http_port);
	dst.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	cr_assert_eq(connect(fd, (struct sockaddr *)&dst, sizeof(dst)), 0, "connect: %s",
		     strerror(errno));
	return fd;
}

/* Sends text; false when the peer has gone (closed or reset). */
static bool
send_text(int fd, const char *text)
{
	return send(fd, text, strlen(text), MSG_NOSIGNAL) == (ssize_t)strlen(text);
}

/* Waits up to timeout_s for an answer on fd: its status code, 0 when the
 * server closed without one, -1 when nothing came in time. */
static int
read_status(int fd, double timeout_s)
{
	struct pollfd p = {.fd = fd, .events = POLLIN};
	char buf[512];
	ssize_t n;
	int status;

	if (poll(&p, 1, (int)(timeout_s * 1000)) <= 0)
		return -1;
	n = recv(fd, buf, sizeof(buf) - 1, 0);
	if (n <= 0)
		return 0;
	buf[n] = '\0';
	if (sscanf(buf, "HTTP/1.%*d %d", &status) != 1)
		return 0;
	return status;
}

Test(http_hardening, regression_close_key_without_colon_double_free)
{
	start("", "");
	/* split_key freed the source on failure and close_mention freed it
	 * again: one request stopped the daemon (ASan: double free). */
	const char *paths[] = {"/mentions/nocolon/close", "/mentions/p:/close", "/mentions/:/close",
			       "/mentions//close", "/mentions/close"};

	for (size_t i = 0; i < sizeof(paths) / sizeof(*paths); i++)
		cr_assert_eq(request_status("POST", paths[i], NULL, "{\"reason\":\"x\"}"), 404,
			     "%s", paths[i]);
	cr_assert_eq(request_status("GET", "/mentions/nocolon", NULL, NULL), 404);
	cr_assert_eq(request_status("GET", "/healthz", NULL, NULL), 200);
	rwt_daemon_stop_clean(&daemon_);
}

Test(http_hardening, regression_unauthenticated_upload_is_refused_before_its_body)
{
	start("", "");
	/* Each declares a body it never sends: only an answer from the
	 * headers alone can come back. */
	const char *requests[] = {
		"POST /ingest/p HTTP/1.1\r\nHost: t\r\nContent-Length: 900000\r\n\r\n",
		"POST /ingest/p HTTP/1.1\r\nHost: t\r\nAuthorization: Bearer wrong\r\n"
		"Content-Length: 900000\r\n\r\n",
		"POST /ingest/nope HTTP/1.1\r\nHost: t\r\nAuthorization: Bearer ptok\r\n"
		"Content-Length: 900000\r\n\r\n",
		"POST /ingest/p HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n"
		"10000\r\n",
	};

	for (size_t i = 0; i < sizeof(requests) / sizeof(*requests); i++) {
		int fd = connect_from("127.0.0.1");

		cr_assert(send_text(fd, requests[i]));
		cr_assert_eq(read_status(fd, 3.0), 401, "request %zu not answered 401 at once", i);
		close(fd);
	}
	cr_assert_eq(request_status("GET", "/healthz", NULL, NULL), 200);
	rwt_daemon_stop_clean(&daemon_);
}

Test(http_hardening, regression_endless_chunked_upload_is_cut_at_the_cap)
{
	start(", \"max_body\": 65536", "");
	int fd = connect_from("127.0.0.1");
	char chunk[4096 + 16];
	size_t sent = 0;
	bool ended = false;
	double deadline = now_s() + 10;

	cr_assert(send_text(fd, "POST /ingest/p HTTP/1.1\r\nHost: t\r\nAuthorization: Bearer "
				"ptok\r\nTransfer-Encoding: chunked\r\n\r\n"));
	memset(chunk, ' ', sizeof(chunk));
	memcpy(chunk, "1000\r\n", 6);
	memcpy(chunk + 6 + 4096, "\r\n", 2);
	chunk[6 + 4096 + 2] = '\0';
	cr_assert(fcntl(fd, F_SETFL, O_NONBLOCK) == 0);
	/* The server reading on for ever (and never answering) keeps taking
	 * chunks; cut at the cap, the connection ends long before 4 MiB. */
	while (!ended && now_s() < deadline && sent < (4u << 20)) {
		struct pollfd p = {.fd = fd, .events = POLLIN | POLLOUT};

		if (poll(&p, 1, 100) <= 0)
			continue;
		if (p.revents & (POLLIN | POLLHUP | POLLERR)) {
			ended = true;
			break;
		}
		ssize_t n = send(fd, chunk, strlen(chunk), MSG_NOSIGNAL);
		if (n < 0 && errno != EAGAIN)
			ended = true;
		else if (n > 0)
			sent += (size_t)n;
	}
	close(fd);
	cr_assert(ended, "the server still read after %zu bytes", sent);
	cr_assert_lt(sent, (size_t)(4u << 20));
	cr_assert_eq(request_status("GET", "/healthz", NULL, NULL), 200);
	rwt_daemon_stop_clean(&daemon_);
}

Test(http_hardening, regression_control_bytes_in_a_path_are_refused)
{
	start("", "");
	char *body;

	cr_assert(asprintf(&body, "{\"id\":\"n1\",\"created_at\":\"%s\",\"author\":\"a\"}",
			   "2026-01-01T00:00:00Z") > 0);
	/* MHD cut the path at the decoded NUL: this was taken as source p. */
	cr_assert_eq(request_status("POST", "/ingest/p%00anything", "ptok", body), 400);
	cr_assert_eq(request_status("POST", "/ingest/p%0aX", "ptok", body), 400);
	cr_assert_eq(request_status("GET", "/mentions/p:n1%00x", NULL, NULL), 400);
	cr_assert_eq(request_status("GET", "/mentions?source=p%01", NULL, NULL), 400);
	cr_assert_eq(request_status("GET", "/mentions/p:n1", NULL, NULL), 404,
		     "nothing was ingested");
	cr_assert_eq(request_status("POST", "/ingest/p", "ptok", body), 202);
	free(body);
	rwt_daemon_stop_clean(&daemon_);
}

Test(http_hardening, regression_push_source_names_cannot_be_probed)
{
	start("", "");
	/* Unknown source and wrong token answer alike: 404 listed names. */
	cr_assert_eq(request_status("POST", "/ingest/nope", NULL, "{}"), 401);
	cr_assert_eq(request_status("POST", "/ingest/nope", "ptok", "{}"), 401);
	cr_assert_eq(request_status("POST", "/ingest/p", NULL, "{}"), 401);
	cr_assert_eq(request_status("POST", "/ingest/p", "wrong", "{}"), 401);
	cr_assert_eq(request_status("POST", "/ingest/p", "ptok", "{}"), 400);
	rwt_daemon_stop_clean(&daemon_);
}

/* Opens n connections from each of the addresses and sends each a request
 * line and no more. fds receives them all. */
static void
open_slow(int *fds, size_t n, const char *const *from, size_t nfrom)
{
	for (size_t a = 0; a < nfrom; a++)
		for (size_t i = 0; i < n; i++) {
			int fd = connect_from(from[a]);

			cr_assert(send_text(fd, "POST /ingest/p HTTP/1.1\r\nHost: t\r\n"));
			fds[a * n + i] = fd;
		}
}

/* One more header line on every slow connection still open; returns how
 * many the server has closed. */
static size_t
trickle(int *fds, size_t n)
{
	size_t closed = 0;

	for (size_t i = 0; i < n; i++) {
		char c;

		if (fds[i] < 0) {
			closed++;
			continue;
		}
		if (recv(fds[i], &c, 1, MSG_DONTWAIT) == 0 || !send_text(fds[i], "X-Slow: 1\r\n")) {
			close(fds[i]);
			fds[i] = -1;
			closed++;
		}
	}
	return closed;
}

/* status of one request, failing the test unless it came within limit_s. */
static long
timed(const char *method, const char *path, const char *token, const char *body, double limit_s)
{
	double t0 = now_s();
	long status = request_status(method, path, token, body);
	double took = now_s() - t0;

	cr_assert_lt(took, limit_s, "%s %s took %.2f s during the flood", method, path, took);
	return status;
}

Test(http_hardening, regression_slowloris_cannot_starve_healthz_or_ingest, .timeout = 120)
{
	/* 300 slow connections from five addresses (under the per-address
	 * limit, over the 256-connection limit), each trickling a header line
	 * every second: before, they held every slot for as long as they
	 * liked and /healthz and ingest went unanswered. */
	const char *from[] = {"127.0.0.2", "127.0.0.3", "127.0.0.4", "127.0.0.5", "127.0.0.6"};
	enum { PER = 60, NFROM = 5, N = PER * NFROM };
	int fds[N];
	double t0;
	size_t closed = 0;
	int64_t now;
	char created[40], *body;

	start("", "");
	open_slow(fds, PER, from, NFROM);
	t0 = now_s();
	for (int round = 0; round < 4; round++) {
		now = rw_now_ms();
		cr_assert(asprintf(&body, "{\"id\":\"s%d\",\"created_at\":\"%s\",\"author\":\"a\"}",
				   round, rw_time_format(now, created, sizeof(created))) > 0);
		cr_assert_eq(timed("GET", "/healthz", NULL, NULL, 2.0), 200);
		cr_assert_eq(timed("POST", "/ingest/p", "ptok", body, 2.0), 202);
		free(body);
		trickle(fds, N);
		usleep(1000 * 1000);
	}
	/* Headers must be in within 10 s, trickle or not. */
	while (now_s() - t0 < 14 && closed < N) {
		closed = trickle(fds, N);
		usleep(500 * 1000);
	}
	cr_assert_eq(closed, (size_t)N, "%zu slow connections still open after %.0f s", N - closed,
		     now_s() - t0);
	for (size_t i = 0; i < N; i++)
		if (fds[i] >= 0)
			close(fds[i]);
	cr_assert_eq(request_status("GET", "/healthz", NULL, NULL), 200);
	rwt_daemon_stop_clean(&daemon_);
}

Test(http_hardening, regression_slow_clients_of_one_address_cannot_lock_it_out)
{
	/* The per-address limit (64) counted slow connections too: one slow
	 * client on 127.0.0.1 locked out every other client of that address
	 * (a local monitor, a reverse proxy). */
	enum { N = 80 };
	const char *from[] = {"127.0.0.1"};
	int fds[N];

	start("", "");
	open_slow(fds, N, from, 1);
	cr_assert_eq(timed("GET", "/healthz", NULL, NULL, 2.0), 200);
	cr_assert_eq(timed("GET", "/readyz", NULL, NULL, 2.0), 200);
	for (size_t i = 0; i < N; i++)
		close(fds[i]);
	rwt_daemon_stop_clean(&daemon_);
}

/* CONFIG SET on the test's Redis. */
static void
redis_config(const char *name, const char *value)
{
	redisContext *c = rwt_redis_connect(&redis);
	redisReply *r = redisCommand(c, "CONFIG SET %s %s", name, value);

	cr_assert(r != NULL && r->type == REDIS_REPLY_STATUS, "CONFIG SET %s %s failed", name,
		  value);
	freeReplyObject(r);
	redisFree(c);
}

struct status_wait {
	const char *path;
	long want;
};

static bool
status_is(void *arg)
{
	struct status_wait *w = arg;

	return request_status("GET", w->path, NULL, NULL) == w->want;
}

static bool
wait_status(const char *path, long want)
{
	struct status_wait w = {path, want};

	return rwt_wait_until(status_is, &w, 5.0);
}

Test(http_hardening, regression_readyz_says_not_ready_when_redis_refuses_writes)
{
	start("", "");
	struct rwt_response r;

	redis_config("min-replicas-to-write", "1");
	r = rwt_http(daemon_.http_port, "GET", "/readyz", NULL, NULL);
	cr_assert_eq(r.status, 503, "%ld %s", r.status, r.body);
	cr_assert_not_null(strstr(r.body, "NOREPLICAS"), "%s", r.body);
	rwt_response_free(&r);
	redis_config("min-replicas-to-write", "0");
	cr_assert(wait_status("/readyz", 200));
	redis_config("maxmemory-policy", "noeviction");
	redis_config("maxmemory", "1");
	cr_assert_eq(request_status("GET", "/readyz", NULL, NULL), 503);
	redis_config("maxmemory", "0");
	cr_assert(wait_status("/readyz", 200));
	rwt_daemon_stop_clean(&daemon_);
}

static char *
mention_field(const char *key, const char *field)
{
	char path[200];
	json_t *m;
	char *v = NULL;

	snprintf(path, sizeof(path), "/mentions/%s", key);
	m = rwt_get_json(daemon_.http_port, path, NULL);
	if (m != NULL && json_is_string(json_object_get(m, field)))
		v = strdup(json_string_value(json_object_get(m, field)));
	json_decref(m);
	return v;
}

Test(http_hardening, regression_a_reply_redis_refused_is_not_acknowledged)
{
	start("", "");
	char created[40], *mention, *reply, *state;
	int64_t now = rw_now_ms();

	rw_time_format(now - 5000, created, sizeof(created));
	cr_assert(asprintf(&mention, "{\"id\":\"m1\",\"created_at\":\"%s\",\"author\":\"a\"}",
			   created) > 0);
	rw_time_format(now, created, sizeof(created));
	cr_assert(asprintf(&reply,
			   "{\"id\":\"r1\",\"created_at\":\"%s\",\"in_reply_to\":\"m1\","
			   "\"from_brand\":true}",
			   created) > 0);
	cr_assert_eq(request_status("POST", "/ingest/p", "ptok", mention), 202);
	/* Redis now refuses every write: the apply script's error reply was
	 * taken for success and the reply acknowledged, never stored. */
	redis_config("min-replicas-to-write", "1");
	struct rwt_response r = rwt_http(daemon_.http_port, "POST", "/ingest/p", "ptok", reply);
	cr_assert_eq(r.status, 503, "%ld %s", r.status, r.body);
	cr_assert_not_null(strstr(r.headers, "Retry-After"), "%s", r.headers);
	rwt_response_free(&r);
	state = mention_field("p:m1", "state");
	cr_assert_str_eq(state, "open");
	free(state);
	/* A reply whose mention is unknown (kept for later) is refused too. */
	cr_assert_eq(request_status("POST", "/ingest/p", "ptok",
				    "{\"id\":\"r2\",\"created_at\":\"2026-01-01T00:00:00Z\","
				    "\"in_reply_to\":\"later\",\"from_brand\":true}"),
		     503);
	/* Sent again once Redis takes writes: stored and acknowledged. */
	redis_config("min-replicas-to-write", "0");
	cr_assert_eq(request_status("POST", "/ingest/p", "ptok", reply), 202);
	state = mention_field("p:m1", "state");
	cr_assert_str_eq(state, "replied");
	free(state);
	free(mention);
	free(reply);
	rwt_daemon_stop_clean(&daemon_);
}

Test(http_hardening, regression_future_dated_push_items_are_capped_at_receipt)
{
	start("", "");
	char future[40], past[40], *body, *created, *replied;
	int64_t before = rw_now_ms(), t;
	json_t *m;

	/* A client clock an hour fast. */
	rw_time_format(before + 3600 * 1000, future, sizeof(future));
	rw_time_format(before - 10 * 1000, past, sizeof(past));
	cr_assert(asprintf(&body,
			   "[{\"id\":\"f1\",\"created_at\":\"%s\",\"author\":\"a\"},"
			   "{\"id\":\"f2\",\"created_at\":\"%s\",\"author\":\"a\"},"
			   "{\"id\":\"r2\",\"created_at\":\"%s\",\"in_reply_to\":\"f2\","
			   "\"from_brand\":true}]",
			   future, past, future) > 0);
	cr_assert_eq(request_status("POST", "/ingest/p", "ptok", body), 202);
	int64_t after = rw_now_ms();
	created = mention_field("p:f1", "created_at");
	cr_assert_not_null(created);
	cr_assert_eq(rw_time_parse(created, &t), 0);
	cr_assert(t >= before && t <= after, "created_at %s is not the time of receipt", created);
	/* The reply's time is capped too: about 10 s of response, not an hour. */
	replied = mention_field("p:f2", "replied_at");
	cr_assert_not_null(replied);
	cr_assert_eq(rw_time_parse(replied, &t), 0);
	cr_assert(t <= after, "replied_at %s is in the future", replied);
	m = rwt_get_json(daemon_.http_port, "/mentions/p:f2", NULL);
	cr_assert_not_null(m);
	double response = json_number_value(json_object_get(m, "response_seconds"));
	cr_assert(response >= 9 && response < 60, "response_seconds %.1f", response);
	json_decref(m);
	free(created);
	free(replied);
	free(body);
	rwt_daemon_stop_clean(&daemon_);
}

Test(http_hardening, regression_webhook_url_secret_never_logged_at_debug)
{
	/* A Slack webhook URL is its own credential; at log_level debug the
	 * HTTP client logged every request URL with its path. Nothing listens
	 * on the port: the request is made (and logged) and fails. */
	int closed_port = rwt_free_port();
	char *top;

	cr_assert(asprintf(&top,
			   ",\n \"log_level\": \"debug\",\n \"alerts\": [ { \"name\": \"s\","
			   " \"format\": \"slack\", \"url\": "
			   "\"http://127.0.0.1:%d/services/T0/B0/XsEcReTpAtH123\" } ]",
			   closed_port) > 0);
	start("", top);
	char created[40], *body;

	rw_time_format(rw_now_ms() - 3 * 3600 * 1000, created, sizeof(created));
	cr_assert(asprintf(&body, "{\"id\":\"old\",\"created_at\":\"%s\",\"author\":\"a\"}",
			   created) > 0);
	/* Past its breach: an alert is due at once. */
	cr_assert_eq(request_status("POST", "/ingest/p", "ptok", body), 202);
	char needle[80];
	snprintf(needle, sizeof(needle), "httpc: POST http://127.0.0.1:%d", closed_port);
	double deadline = now_s() + 10;
	while (!rwt_daemon_log_contains(&daemon_, needle) && now_s() < deadline)
		usleep(50 * 1000);
	cr_assert(rwt_daemon_log_contains(&daemon_, needle), "no delivery was attempted");
	cr_assert(!rwt_daemon_log_contains(&daemon_, "XsEcReTpAtH123"),
		  "the webhook URL's secret path is in the log");
	cr_assert(!rwt_daemon_log_contains(&daemon_, "/services/T0"),
		  "the webhook URL's path is in the log");
	free(body);
	free(top);
	rwt_daemon_stop_clean(&daemon_);
}
