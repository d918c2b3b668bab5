/*
 * The test clock end to end: replywatchd --test-clock serves POST
 * /_test/clock, which moves the daemon's clock forward and brings every
 * product wait with it (a breach due in an hour, a poll an hour away) at
 * once; without the flag the route does not exist.
 */
#include <criterion/criterion.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "replywatch/clock.h"
#include "rwtest.h"

static struct rwt_stack st;

static void
setup(void)
{
	rwt_stack_up(&st, true);
}

static void
teardown(void)
{
	rwt_stack_down(&st);
}

TestSuite(test_clock, .init = setup, .fini = teardown, .timeout = 60);

/* A push source whose mentions warn after 30 min and breach after 1 h,
 * and, when polled is set, a Mastodon source on the fake polled hourly. */
static void
start(bool test_clock, const char *http_extra, bool polled)
{
	int port = rwt_free_port();
	char *top, *path;

	cr_assert(
		asprintf(
			&top,
			",\n \"policies\": [ { \"name\": \"social\", \"warn_after\": \"30m\","
			" \"breach_after\": \"1h\" } ],\n"
			" \"sources\": [ { \"name\": \"p\", \"type\": \"push\", \"token\": \"pt\" }"
			"%s%s%s ]",
			polled ? ", { \"name\": \"masto\", \"type\": \"mastodon\", \"base_url\": \""
			       : "",
			polled ? st.fake.base : "",
			polled ? "\", \"token\": \"mastodon-test-token\", \"poll_every\": \"1h\" }"
			       : "") > 0);
	path = rwt_write_config(st.dir, &st.redis, port, http_extra, top);
	st.daemon.test_clock = test_clock;
	rwt_daemon_start(&st.daemon, path, port, NULL);
	rwt_daemon_wait_ready(&st.daemon, 5.0);
	free(path);
	free(top);
}

static double
mono_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static struct rwt_response
post_clock(const char *token, const char *body)
{
	return rwt_http(st.daemon.http_port, "POST", "/_test/clock", token, body);
}

static const char *
state_of(const char *key, char *buf, size_t len)
{
	char path[128];
	json_t *m;

	snprintf(path, sizeof(path), "/mentions/%s", key);
	m = rwt_get_json(st.daemon.http_port, path, st.daemon.token);
	snprintf(buf, len, "%s", m ? json_string_value(json_object_get(m, "state")) : "(none)");
	json_decref(m);
	return buf;
}

static bool
breached(void *arg)
{
	char buf[32];

	return strcmp(state_of(arg, buf, sizeof(buf)), "breached") == 0;
}

/* The proof of the hook: a breach due in an hour is raised within 2 s of
 * an advance of 1 h, and the daemon's now has moved by as much. */
Test(test_clock, advance_raises_a_breach_due_in_an_hour)
{
	char buf[32], *when, *body;
	struct rwt_response r;
	int64_t before = rw_now_ms();

	start(true, "", false);
	when = rwt_iso(before);
	cr_assert(asprintf(&body,
			   "{\"id\":\"m1\",\"created_at\":\"%s\",\"author\":\"@ann\","
			   "\"text\":\"help\"}",
			   when) > 0);
	r = rwt_http(st.daemon.http_port, "POST", "/ingest/p", "pt", body);
	cr_assert_eq(r.status, 202, "%s", r.body);
	rwt_response_free(&r);
	cr_assert_str_eq(state_of("p:m1", buf, sizeof(buf)), "open");

	double asked = mono_s();
	int64_t now = rwt_clock_advance(&st.daemon, 3600);

	cr_assert_geq(now, before + 3600 * 1000);
	cr_assert_lt(now, rw_now_ms() + 3600 * 1000 + 1000);
	cr_assert(rwt_wait_until(breached, "p:m1", 2.0), "not breached 2 s after the advance: %s",
		  state_of("p:m1", buf, sizeof(buf)));
	cr_assert_lt(mono_s() - asked, 2.0);
	/* /status tells the moved time too. */
	json_t *status = rwt_get_json(st.daemon.http_port, "/status", NULL);
	int64_t shown = 0;

	cr_assert_eq(rw_time_parse(json_string_value(json_object_get(status, "now")), &shown), 0);
	cr_assert_geq(shown, before + 3600 * 1000);
	json_decref(status);
	cr_assert(rwt_daemon_log_contains(&st.daemon, "test clock: advanced by 1h"));
	free(body);
	free(when);
}

static size_t
polls_seen(void)
{
	json_t *reqs = rwt_fake_requests(&st.fake, "mastodon", "notifications");
	size_t n = json_array_size(reqs);

	json_decref(reqs);
	return n;
}

static bool
polled_again(void *arg)
{
	return polls_seen() > *(size_t *)arg;
}

/* The next poll of masto (ms) and the daemon's now, from /status; 0 while
 * none is scheduled an hour out. */
static int64_t
next_poll(int64_t *daemon_now)
{
	json_t *status = rwt_get_json(st.daemon.http_port, "/status", NULL), *src;
	int64_t next = 0;
	size_t i;

	cr_assert_eq(rw_time_parse(json_string_value(json_object_get(status, "now")), daemon_now),
		     0);
	json_array_foreach(json_object_get(status, "sources"), i, src)
	{
		const char *at = json_string_value(json_object_get(src, "next_poll_at"));

		if (strcmp(json_string_value(json_object_get(src, "name")), "masto") == 0 && at &&
		    rw_time_parse(at, &next) == 0 && next < *daemon_now + 50 * 60 * 1000)
			next = 0; /* the first poll's turn, not yet the hourly one */
	}
	json_decref(status);
	return next;
}

static bool
scheduled(void *arg)
{
	int64_t now;

	return (*(int64_t *)arg = next_poll(&now)) > 0;
}

/* A poll an hour away (poll_every 1h, spread by up to 10 %) comes at once
 * when the clock reaches it, and not a moment before. */
Test(test_clock, advance_brings_the_next_poll_forward)
{
	size_t first = 0;
	int64_t next = 0, now;
	char body[64];

	start(true, "", true);
	cr_assert(rwt_wait_until(polled_again, &first, 5.0), "no first poll");
	cr_assert(rwt_wait_until(scheduled, &next, 5.0), "no hourly poll scheduled");
	first = polls_seen();
	next = next_poll(&now);
	/* Up to 30 s before it (the duration form of the body). */
	snprintf(body, sizeof(body), "{\"advance\": \"%llds\"}",
		 (long long)((next - now) / 1000 - 30));

	struct rwt_response r = post_clock(NULL, body);

	cr_assert_eq(r.status, 200, "%s", r.body);
	rwt_response_free(&r);
	cr_assert_not(rwt_wait_until(polled_again, &first, 0.5), "polled 30 s early");
	cr_assert_eq(polls_seen(), first);
	now = rwt_clock_advance(&st.daemon, 31);
	cr_assert_geq(now, next);
	cr_assert(rwt_wait_until(polled_again, &first, 2.0), "no poll 2 s after the advance");
}

/* Without --test-clock the route does not exist. */
Test(test_clock, without_the_flag_the_route_is_404)
{
	start(false, "", false);
	struct rwt_response r = post_clock(NULL, "{\"advance\": \"1h\"}");

	cr_assert_eq(r.status, 404, "%ld %s", r.status, r.body);
	rwt_response_free(&r);
	cr_assert_not(rwt_daemon_log_contains(&st.daemon, "test clock"));

	/* Nor does --help mention it. */
	char *argv[] = {RW_DAEMON_PATH, "--help", NULL}, *out = NULL;

	cr_assert_eq(rwt_run(argv, &out), 0);
	cr_assert_null(strstr(out, "test-clock"), "%s", out);
	free(out);
}

/* The server token guards it like the API; the clock never goes back and
 * only takes a duration or whole seconds. */
Test(test_clock, needs_the_token_and_a_forward_advance)
{
	static const char *const refused[] = {
		"{\"advance\": -5}",
		"{\"advance\": \"-1h\"}",
		"{\"advance\": \"soon\"}",
		"{\"advance\": 1.5}",
		"{}",
		"not json",
	};
	struct rwt_response r;

	st.daemon.token = "status-SECRET-tok";
	start(true, ", \"token\": \"status-SECRET-tok\"", false);
	r = post_clock(NULL, "{\"advance\": \"1h\"}");
	cr_assert_eq(r.status, 401, "%ld %s", r.status, r.body);
	rwt_response_free(&r);
	r = post_clock("wrong", "{\"advance\": \"1h\"}");
	cr_assert_eq(r.status, 401);
	rwt_response_free(&r);
	for (size_t i = 0; i < sizeof(refused) / sizeof(refused[0]); i++) {
		r = post_clock(st.daemon.token, refused[i]);
		cr_assert_eq(r.status, 400, "%s: %ld %s", refused[i], r.status, r.body);
		rwt_response_free(&r);
	}
	r = post_clock(st.daemon.token, "{\"advance\": 0}");
	cr_assert_eq(r.status, 200, "%s", r.body);
	cr_assert(strstr(r.body, "\"offset_seconds\":0"), "%s", r.body);
	rwt_response_free(&r);
	cr_assert_geq(rwt_clock_advance(&st.daemon, 90), rw_now_ms() + 89 * 1000);
	cr_assert(rwt_daemon_log_contains(&st.daemon, "test clock: advanced by 1m30s"));
	cr_assert_not(rwt_daemon_log_contains(&st.daemon, "status-SECRET"));
	st.daemon.token = NULL;
}
