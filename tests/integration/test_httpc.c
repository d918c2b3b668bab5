/*
 * httpc against real HTTP on 127.0.0.1: the project's own status server runs
 * on the same libev loop as the client, so one ev_run drives both sides.
 * Slow answers come from ev_timers; every done callback is counted to prove
 * it runs exactly once and never from inside rw_httpc_submit.
 */
#include <criterion/criterion.h>
#include <curl/curl.h>
#include <ev.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "replywatch/http.h"
#include "replywatch/httpc.h"
#include "replywatch/log.h"
#include "rwtest.h"
#include "rwtloop.h"

#define SLOW_AFTER 3.0 /* seconds the /slow handler waits before answering */
#define MAX_SLOW 16
#define BIG_LEN 100000

static struct ev_loop *loop;
static struct rw_http_server *srv;
static struct rw_httpc *client;
static char base[64];

/* A /slow request waiting for its answer. */
struct slow {
	ev_timer timer;
	struct rw_http_request *req;
	bool used;
};
static struct slow slows[MAX_SLOW];

struct result {
	int calls;
	long status;
	char *body;
	size_t body_len;
	char *error;
	const char *want_header; /* the header to copy into header */
	char *header;
	double total_seconds;
	long new_connections;
	ev_tstamp at; /* loop time when done ran */
};

static char *
dup_or_null(const char *s)
{
	return s ? strdup(s) : NULL;
}

static void
result_clear(struct result *r)
{
	free(r->body);
	free(r->error);
	free(r->header);
	memset(r, 0, sizeof(*r));
}

static void
on_done(struct rw_httpc *c, const struct rw_httpc_response *resp, void *arg)
{
	struct result *r = arg;

	(void)c;
	r->calls++;
	if (r->calls > 1)
		return; /* counted; the test asserts on it */
	r->status = resp->status;
	r->body = malloc(resp->body_len + 1);
	cr_assert_not_null(r->body);
	memcpy(r->body, resp->body, resp->body_len + 1);
	r->body_len = resp->body_len;
	r->error = dup_or_null(resp->error);
	if (r->want_header != NULL)
		r->header = dup_or_null(rw_httpc_header(resp, r->want_header));
	r->total_seconds = resp->total_seconds;
	r->new_connections = resp->new_connections;
	r->at = ev_now(loop);
}

static void
h_hello(struct rw_http_request *req, void *arg)
{
	(void)arg;
	cr_assert_eq(rw_http_add_header(req, "X-Test-Token", "abc"), 0);
	cr_assert_eq(rw_http_respond(req, 200, "text/plain", "hello world", 11), 0);
}

static void
h_echo(struct rw_http_request *req, void *arg)
{
	size_t len;
	const char *body = rw_http_body(req, &len);
	const char *type = rw_http_header(req, "content-type");

	(void)arg;
	cr_assert_eq(rw_http_respond(req, 200, type ? type : "application/octet-stream", body, len),
		     0);
}

static void
on_slow_timer(struct ev_loop *l, ev_timer *w, int revents)
{
	struct slow *s = w->data;

	(void)l;
	(void)revents;
	s->used = false;
	rw_http_respond(s->req, 200, "text/plain", "late", 4);
}

static void
h_slow(struct rw_http_request *req, void *arg)
{
	(void)arg;
	for (int i = 0; i < MAX_SLOW; i++) {
		if (slows[i].used)
			continue;
		slows[i].used = true;
		slows[i].req = req;
		ev_timer_init(&slows[i].timer, on_slow_timer, SLOW_AFTER, 0.);
		slows[i].timer.data = &slows[i];
		ev_timer_start(loop, &slows[i].timer);
		return;
	}
	cr_assert_fail("too many slow requests");
}

static void
h_big(struct rw_http_request *req, void *arg)
{
	char *body = malloc(BIG_LEN);

	(void)arg;
	cr_assert_not_null(body);
	memset(body, 'x', BIG_LEN);
	cr_assert_eq(rw_http_respond(req, 200, "text/plain", body, BIG_LEN), 0);
	free(body);
}

static void
h_limited(struct rw_http_request *req, void *arg)
{
	(void)arg;
	cr_assert_eq(rw_http_add_header(req, "Retry-After", "7"), 0);
	cr_assert_eq(rw_http_respond_error(req, 429, "slow down"), 0);
}

/* Answers with the Accept-Encoding header the client sent. */
static void
h_ae(struct rw_http_request *req, void *arg)
{
	const char *ae = rw_http_header(req, "accept-encoding");

	(void)arg;
	ae = ae ? ae : "(none)";
	cr_assert_eq(rw_http_respond(req, 200, "text/plain", ae, strlen(ae)), 0);
}

static void
setup(void)
{
	struct sockaddr_in sin = {.sin_family = AF_INET, .sin_port = 0};
	struct rw_http_options opt = {
		.addr = (struct sockaddr *)&sin, .addrlen = sizeof(sin), .max_body = 1 << 20};
	char err[256] = "";

	log_init();
	log_set_level(RW_LOG_DEBUG); /* exercises the redacted request labels */
	cr_assert_eq(curl_global_init(CURL_GLOBAL_DEFAULT), CURLE_OK);
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	loop = rwt_loop_new();
	srv = rw_http_server_new(loop, &opt, err, sizeof(err));
	cr_assert_not_null(srv, "server: %s", err);
	cr_assert_eq(rw_http_route(srv, "GET", "/hello", RW_HTTP_PUBLIC, h_hello, NULL), 0);
	cr_assert_eq(rw_http_route(srv, "POST", "/echo", RW_HTTP_PUBLIC, h_echo, NULL), 0);
	cr_assert_eq(rw_http_route(srv, "GET", "/slow", RW_HTTP_PUBLIC, h_slow, NULL), 0);
	cr_assert_eq(rw_http_route(srv, "GET", "/big", RW_HTTP_PUBLIC, h_big, NULL), 0);
	cr_assert_eq(rw_http_route(srv, "GET", "/limited", RW_HTTP_PUBLIC, h_limited, NULL), 0);
	cr_assert_eq(rw_http_route(srv, "GET", "/ae", RW_HTTP_PUBLIC, h_ae, NULL), 0);
	snprintf(base, sizeof(base), "http://127.0.0.1:%d", rw_http_server_port(srv));
	client = rw_httpc_new(loop, "replywatch-test/1");
	cr_assert_not_null(client);
}

static void
teardown(void)
{
	rw_httpc_free(client);
	client = NULL;
	for (int i = 0; i < MAX_SLOW; i++) {
		ev_timer_stop(loop, &slows[i].timer);
		slows[i].used = false;
	}
	rw_http_server_free(srv); /* answers parked /slow requests 503 */
	srv = NULL;
	rwt_loop_free(loop);
	loop = NULL;
	curl_global_cleanup();
}

TestSuite(httpc, .init = setup, .fini = teardown, .timeout = 60);

/* Runs the loop until *count reaches want or timeout_s passes. */
static void
run_until(const int *count, int want, double timeout_s)
{
	ev_tstamp deadline = ev_time() + timeout_s;

	while (*count < want && ev_time() < deadline)
		ev_run(loop, EVRUN_ONCE);
}

/* Runs the loop for about seconds, whatever happens. */
static void
run_for(double seconds)
{
	ev_tstamp deadline = ev_time() + seconds;

	while (ev_time() < deadline)
		ev_run(loop, EVRUN_ONCE);
}

static void
url(char *buf, size_t len, const char *path)
{
	snprintf(buf, len, "%s%s", base, path);
}

/* Submits a GET of path and checks that done did not run synchronously. */
static void
get(const char *path, struct result *r, size_t max_response)
{
	char u[128];
	struct rw_httpc_request req = {
		.method = "GET", .url = u, .timeout_ms = 5000, .max_response_bytes = max_response};

	url(u, sizeof(u), path);
	cr_assert_eq(rw_httpc_submit(client, &req, on_done, r), 0);
	cr_assert_eq(r->calls, 0, "done ran from inside submit");
}

Test(httpc, get_200_with_body_and_header_any_case)
{
	struct result r = {.want_header = "x-TEST-token"};

	get("/hello?token=secret", &r, 0);
	cr_assert_eq(rw_httpc_in_flight(client), 1);
	run_until(&r.calls, 1, 5.0);
	cr_assert_eq(r.calls, 1);
	cr_assert_null(r.error, "error: %s", r.error);
	cr_assert_eq(r.status, 200);
	cr_assert_eq(r.body_len, 11);
	cr_assert_str_eq(r.body, "hello world");
	cr_assert_str_eq(r.header, "abc");
	cr_assert_gt(r.total_seconds, 0.0);
	cr_assert_eq(rw_httpc_in_flight(client), 0);
	result_clear(&r);
}

Test(httpc, post_body_is_echoed)
{
	static const char body[] = "{\"a\":1,\0\"b\":2}"; /* an embedded NUL survives */
	const char *headers[] = {"Content-Type: application/json", "Authorization: Bearer t", NULL};
	char u[128];
	struct rw_httpc_request req = {.method = "POST",
				       .url = u,
				       .headers = headers,
				       .body = body,
				       .body_len = sizeof(body) - 1};
	struct result r = {.want_header = "content-type"};

	url(u, sizeof(u), "/echo");
	cr_assert_eq(rw_httpc_submit(client, &req, on_done, &r), 0);
	cr_assert_eq(r.calls, 0);
	run_until(&r.calls, 1, 5.0);
	cr_assert_eq(r.calls, 1);
	cr_assert_eq(r.status, 200, "status %ld error %s", r.status, r.error);
	cr_assert_eq(r.body_len, sizeof(body) - 1);
	cr_assert_eq(memcmp(r.body, body, sizeof(body) - 1), 0);
	cr_assert_str_eq(r.header, "application/json");
	result_clear(&r);
}

Test(httpc, fifty_concurrent_requests_each_complete_once)
{
	struct result r[50] = {0};
	int total;

	for (int i = 0; i < 50; i++)
		get("/hello", &r[i], 0);
	cr_assert_eq(rw_httpc_in_flight(client), 50);
	for (ev_tstamp deadline = ev_time() + 10.0; ev_time() < deadline;) {
		total = 0;
		for (int i = 0; i < 50; i++)
			total += r[i].calls;
		if (total >= 50)
			break;
		ev_run(loop, EVRUN_ONCE);
	}
	run_for(0.2); /* a second call would show up here */
	for (int i = 0; i < 50; i++) {
		cr_assert_eq(r[i].calls, 1, "request %d: %d calls", i, r[i].calls);
		cr_assert_eq(r[i].status, 200, "request %d: %s", i, r[i].error);
		cr_assert_str_eq(r[i].body, "hello world");
		result_clear(&r[i]);
	}
	cr_assert_eq(rw_httpc_in_flight(client), 0);
}

Test(httpc, slow_response_times_out)
{
	char u[128];
	struct rw_httpc_request req = {.url = u, .timeout_ms = 500};
	struct result r = {0};
	ev_tstamp start;

	url(u, sizeof(u), "/slow");
	ev_now_update(loop);
	start = ev_now(loop);
	cr_assert_eq(rw_httpc_submit(client, &req, on_done, &r), 0);
	cr_assert_eq(r.calls, 0);
	run_until(&r.calls, 1, 5.0);
	cr_assert_eq(r.calls, 1);
	cr_assert_eq(r.status, 0);
	cr_assert_not_null(r.error);
	cr_assert_not_null(strstr(r.error, "timed out after 500 ms"), "error: %s", r.error);
	cr_assert_eq(r.body_len, 0);
	cr_assert_geq(r.at - start, 0.45, "failed after %.3f s", r.at - start);
	cr_assert_leq(r.at - start, 1.5, "failed after %.3f s", r.at - start);
	result_clear(&r);
}

Test(httpc, connection_refused_fails)
{
	char u[128];
	struct rw_httpc_request req = {.url = u, .timeout_ms = 5000};
	struct result r = {0};

	snprintf(u, sizeof(u), "http://127.0.0.1:%d/", rwt_free_port());
	cr_assert_eq(rw_httpc_submit(client, &req, on_done, &r), 0);
	cr_assert_eq(r.calls, 0, "done ran from inside submit");
	run_until(&r.calls, 1, 5.0);
	cr_assert_eq(r.calls, 1);
	cr_assert_eq(r.status, 0);
	cr_assert_not_null(r.error);
	cr_assert_not_null(strstr(r.error, "connection refused"), "error: %s", r.error);
	result_clear(&r);
}

Test(httpc, response_size_cap)
{
	struct result r = {0};
	struct result ok = {0};

	get("/big", &r, 1000);
	get("/big", &ok, BIG_LEN); /* exactly at the cap is fine */
	run_until(&r.calls, 1, 5.0);
	run_until(&ok.calls, 1, 5.0);
	cr_assert_eq(r.calls, 1);
	cr_assert_eq(r.status, 0);
	cr_assert_str_eq(r.error, "response larger than 1000 bytes");
	cr_assert_eq(r.body_len, 0);
	cr_assert_eq(ok.calls, 1);
	cr_assert_eq(ok.status, 200, "error: %s", ok.error);
	cr_assert_eq(ok.body_len, BIG_LEN);
	result_clear(&r);
	result_clear(&ok);
}

Test(httpc, too_many_requests_with_retry_after)
{
	struct result r = {.want_header = "RETRY-AFTER"};

	get("/limited", &r, 0);
	run_until(&r.calls, 1, 5.0);
	cr_assert_eq(r.calls, 1);
	cr_assert_eq(r.status, 429);
	cr_assert_null(r.error);
	cr_assert_str_eq(r.header, "7");
	cr_assert_not_null(strstr(r.body, "slow down"));
	result_clear(&r);
}

Test(httpc, asks_for_compressed_responses)
{
	struct result r = {0};

	get("/ae", &r, 0);
	run_until(&r.calls, 1, 5.0);
	cr_assert_eq(r.calls, 1);
	cr_assert_eq(r.status, 200);
	cr_assert_not_null(strstr(r.body, "gzip"), "Accept-Encoding: %s", r.body);
	result_clear(&r);
}

Test(httpc, sequential_requests_reuse_the_connection)
{
	struct result a = {0}, b = {0};

	get("/hello", &a, 0);
	run_until(&a.calls, 1, 5.0);
	get("/hello", &b, 0);
	run_until(&b.calls, 1, 5.0);
	cr_assert_eq(a.status, 200);
	cr_assert_eq(b.status, 200);
	cr_assert_eq(a.new_connections, 1);
	cr_assert_eq(b.new_connections, 0, "the second request opened a new connection");
	result_clear(&a);
	result_clear(&b);
}

Test(httpc, free_with_requests_in_flight_calls_each_done_once)
{
	struct result r[5] = {0};

	for (int i = 0; i < 3; i++)
		get("/slow", &r[i], 0);
	run_for(0.3); /* connected and parked on the server */
	for (int i = 3; i < 5; i++)
		get("/slow", &r[i], 0); /* not started yet */
	cr_assert_eq(rw_httpc_in_flight(client), 5);
	rw_httpc_free(client);
	client = NULL;
	for (int i = 0; i < 5; i++) {
		cr_assert_eq(r[i].calls, 1, "request %d: %d calls", i, r[i].calls);
		cr_assert_eq(r[i].status, 0);
		cr_assert_not_null(r[i].error);
		cr_assert_not_null(strstr(r[i].error, "aborted"), "error: %s", r[i].error);
	}
	run_for(0.2); /* nothing fires for a freed client */
	for (int i = 0; i < 5; i++) {
		cr_assert_eq(r[i].calls, 1);
		result_clear(&r[i]);
	}
}

/* A done callback that submits the next request: allowed from callbacks. */
static void
on_done_chain(struct rw_httpc *c, const struct rw_httpc_response *resp, void *arg)
{
	struct result *r = arg;
	char u[128];
	struct rw_httpc_request req = {.url = u};

	on_done(c, resp, r);
	url(u, sizeof(u), "/hello");
	cr_assert_eq(rw_httpc_submit(c, &req, on_done, r + 1), 0);
	cr_assert_eq(r[1].calls, 0);
}

Test(httpc, done_may_submit_and_bad_requests_are_refused)
{
	struct result r[2] = {0};
	char u[128];
	struct rw_httpc_request req = {.url = u};
	struct rw_httpc_request put = {.method = "PUT", .url = u};
	struct rw_httpc_request nourl = {.url = NULL};

	url(u, sizeof(u), "/hello");
	cr_assert_eq(rw_httpc_submit(client, &put, on_done, &r[0]), -1);
	cr_assert_eq(rw_httpc_submit(client, &nourl, on_done, &r[0]), -1);
	cr_assert_eq(rw_httpc_in_flight(client), 0);
	cr_assert_eq(rw_httpc_submit(client, &req, on_done_chain, r), 0);
	run_until(&r[1].calls, 1, 5.0);
	cr_assert_eq(r[0].calls, 1);
	cr_assert_eq(r[1].calls, 1);
	cr_assert_eq(r[1].status, 200);
	result_clear(&r[0]);
	result_clear(&r[1]);
}
