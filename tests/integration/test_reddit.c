/*
 * The Reddit connector end to end: the real daemon signs in at the fake
 * Reddit token endpoint (tests/fakes/fake_reddit.c) with the password or
 * the refresh-token grant, polls the fake mentions, comment and post reply
 * listings and the brand's own comments over loopback, and tracks items in
 * a real redis-server. Backfill over several pages (after=FULLNAME),
 * replies at the brand comment's created_utc exactly, the descriptive
 * User-Agent on every request (token requests too), the X-Ratelimit-*
 * headers honoured (a float remaining, a reset in seconds from now: no
 * 429 ever reached), a revoked refresh token and a refused password (down,
 * actionable, never logged), a restart that resumes without doubles.
 */
#include <criterion/criterion.h>
#include <signal.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "replywatch/clock.h"
#include "rwtest.h"
#include "rwtsrc.h"

#define SOURCE "rd"
#define PLATFORM "reddit"
#define BRAND "Acme_Support"
#define CLIENT_ID "rwfake-reddit-client"
#define CLIENT_SECRET "rwfake-reddit-secret"
#define PASSWORD "rwfake-reddit-password"
#define REFRESH_TOKEN "rwfake-reddit-refresh-token"
#define ACCESS_PREFIX "rwfake-reddit-" /* the fake's access tokens (and secrets above) */
#define BRAND_POST "t3_1h5zq3k"
#define USER_AGENT "server:replywatch:" RW_VERSION " (by /u/" BRAND ")"
#define MINUTE_MS (60 * 1000LL)
#define ID_MAX 32

static struct rwt_stack stack;
static const struct rwt_src src = {&stack.daemon, SOURCE};

static void
setup(void)
{
	rwt_stack_up(&stack, true);
}

static void
teardown(void)
{
	rwt_stack_down(&stack);
}

TestSuite(reddit, .init = setup, .fini = teardown, .timeout = 120);

/* One reddit source with client_secret, signing in with credential
 * ("'password': ..." or "'refresh_token': ...", as JSON) at the fake +
 * auth_tail, polling every second; backfill a day, breach after 2 h. */
static void
start_daemon_with(const char *client_secret, const char *auth_tail, const char *credential)
{
	char *top;

	/* down_after 1h: a spent 5-minute window whose reset falls just past
	 * the default down_after (5 min) would make the source down, not rate
	 * limited, depending on the milliseconds (the rate-limit tests failed
	 * about one run in two). */
	cr_assert(
		asprintf(&top,
			 ",\n \"retention\": { \"backfill\": \"1d\" },\n"
			 " \"policies\": [ { \"name\": \"social\", \"breach_after\": \"2h\" } ],\n"
			 " \"sources\": [ { \"name\": \"" SOURCE "\", \"type\": \"" PLATFORM "\","
			 " \"base_url\": \"%s\", \"auth_url\": \"%s%s\","
			 " \"client_id\": \"" CLIENT_ID "\", \"client_secret\": \"%s\","
			 " \"username\": \"" BRAND
			 "\", %s, \"poll_every\": \"1s\", \"down_after\": \"1h\" } ]",
			 stack.fake.base, stack.fake.base, auth_tail, client_secret,
			 credential) > 0);
	rwt_stack_start(&stack, top);
	free(top);
}

static void
start_daemon(const char *credential)
{
	start_daemon_with(CLIENT_SECRET, "", credential);
}

#define WITH_PASSWORD "\"password\": \"" PASSWORD "\""
#define WITH_REFRESH "\"refresh_token\": \"" REFRESH_TOKEN "\""

static json_t *
ctl(const char *what, const char *body)
{
	char path[96];

	snprintf(path, sizeof(path), "/_fake/" PLATFORM "/%s", what);
	return rwt_fake_call(&stack.fake, "POST", path, body);
}

static const char *
str(json_t *v, const char *key)
{
	return json_string_value(json_object_get(v, key));
}

/* A thing on the fake: what = mention | reply | brand_reply; its fullname
 * into id (ID_MAX bytes). */
static void
add(const char *what, const char *author, const char *parent, int64_t at_ms, char *id)
{
	char at[40], body[256];
	size_t n;
	json_t *r;

	rw_time_format(at_ms, at, sizeof(at));
	n = (size_t)snprintf(body, sizeof(body), "{'text': '%s by %s', 'created_at': '%s'", what,
			     author ? author : BRAND, at);
	if (author != NULL)
		n += (size_t)snprintf(body + n, sizeof(body) - n, ", 'author': '%s'", author);
	if (parent != NULL)
		n += (size_t)snprintf(body + n, sizeof(body) - n, ", 'in_reply_to': '%s'", parent);
	snprintf(body + n, sizeof(body) - n, "}");
	r = ctl(what, body);
	cr_assert_not_null(str(r, "name"), "%s: %s", what, json_dumps(r, 0));
	if (id != NULL)
		snprintf(id, ID_MAX, "%s", str(r, "name"));
	json_decref(r);
}

static bool
polled_ok(void *arg)
{
	json_t *s = rwt_src_status(&src);
	bool ok = str(s, "last_success_at") != NULL;

	(void)arg;
	json_decref(s);
	return ok;
}

/* Waits for the source's first successful poll. */
static void
wait_polled(double timeout_s)
{
	if (!rwt_wait_until(polled_ok, NULL, timeout_s))
		cr_assert_fail("no successful poll\n%s", rwt_daemon_log(&stack.daemon));
}

/* Requests the fake logged for endpoint (NULL: any) whose query holds
 * needle (NULL: any) and, when status is not 0, got that status. */
static size_t
count_requests(const char *endpoint, const char *needle, long status)
{
	json_t *list = rwt_fake_requests(&stack.fake, PLATFORM, endpoint), *r;
	size_t i, n = 0;

	json_array_foreach(list, i, r)
	{
		const char *q = str(r, "query");

		if ((needle == NULL || (q != NULL && strstr(q, needle) != NULL)) &&
		    (status == 0 || json_integer_value(json_object_get(r, "status")) == status))
			n++;
	}
	json_decref(list);
	return n;
}

static json_t *
fake_state(void)
{
	json_t *st = rwt_fake_call(&stack.fake, "GET", "/_fake/state", NULL);
	json_t *own = json_incref(json_object_get(st, PLATFORM));

	json_decref(st);
	cr_assert_not_null(own);
	return own;
}

/* No credential in the daemon's log or /status. */
static void
assert_no_secret(void)
{
	static const char *const secrets[] = {CLIENT_SECRET, PASSWORD, REFRESH_TOKEN,
					      ACCESS_PREFIX};
	struct rwt_response st = rwt_http(stack.daemon.http_port, "GET", "/status", NULL, NULL);
	char *log = rwt_daemon_log(&stack.daemon);

	for (size_t i = 0; i < sizeof(secrets) / sizeof(secrets[0]); i++) {
		cr_assert_null(strstr(st.body, secrets[i]), "/status shows %s", secrets[i]);
		cr_assert_null(strstr(log, secrets[i]), "the log shows %s", secrets[i]);
	}
	rwt_response_free(&st);
	free(log);
}

/* Whole seconds: Reddit's created_utc has no fraction. */
static int64_t
now_s_ms(void)
{
	return rw_now_ms() / 1000 * 1000;
}

/* 24 mentions, one every 10 minutes back from a minute ago, 3 replies to
 * the brand's comment, one to its post, and a mention 2 days old (before
 * the backfill). The brand answers mentions[20] 30 min after it, and the
 * comment reply 90 s after. A page holds 5 (page_limit_max): five pages. */
#define BACKLOG 24
static char mentions[BACKLOG][ID_MAX], brand_comment[ID_MAX], replies[3][ID_MAX],
	post_reply[ID_MAX], ancient[ID_MAX];

static int64_t
backlog_at(int64_t now, int i)
{
	return now - MINUTE_MS - (int64_t)(BACKLOG - 1 - i) * 10 * MINUTE_MS;
}

static void
add_backlog(int64_t now)
{
	add("mention", "old_timer", NULL, now - 48 * 60 * MINUTE_MS, ancient);
	add("brand_reply", NULL, BRAND_POST, now - 300 * MINUTE_MS, brand_comment);
	for (int i = 0; i < BACKLOG; i++) {
		char author[32];

		snprintf(author, sizeof(author), "customer_%d", i);
		add("mention", author, NULL, backlog_at(now, i), mentions[i]);
		if (i == 20)
			add("brand_reply", NULL, mentions[i], backlog_at(now, i) + 30 * MINUTE_MS,
			    NULL);
	}
	for (int i = 0; i < 3; i++)
		add("reply", "jane_customer", brand_comment, now - (100 - i) * MINUTE_MS,
		    replies[i]);
	add("brand_reply", NULL, replies[1], now - 99 * MINUTE_MS + 90 * 1000, NULL);
	add("reply", "bob_customer", BRAND_POST, now - 50 * MINUTE_MS, post_reply);
	json_decref(ctl("config", "{'page_limit_max': 5}"));
}

/* Backfill over five pages of mentions, comment and post replies; fields,
 * links and exact reply times; the User-Agent everywhere; no secret out. */
Test(reddit, backfill_paging_exact_replies_user_agent)
{
	int64_t now = now_s_ms(), at;
	json_t *m, *st;
	char buf[256];

	add_backlog(now);
	start_daemon(WITH_PASSWORD);
	rwt_src_wait_tracked(&src, BACKLOG + 4, 20.0);
	rwt_src_wait_state(&src, mentions[20], "replied", 10.0);
	rwt_src_wait_state(&src, replies[1], "replied", 10.0);

	m = rwt_src_mention(&src, mentions[23]);
	cr_assert_not_null(m);
	cr_assert_str_eq(str(m, "kind"), "mention");
	cr_assert_str_eq(str(m, "author"), "customer_23");
	cr_assert_str_eq(str(m, "text"), "mention by customer_23");
	cr_assert_str_eq(str(m, "conversation_id"), BRAND_POST);
	snprintf(buf, sizeof(buf),
		 "https://www.reddit.com/r/acme/comments/1h5zq3k/refund_status/%s/?context=3",
		 mentions[23] + 3);
	cr_assert_str_eq(str(m, "url"), buf);
	cr_assert_str_eq(str(m, "state"), "open");
	json_decref(m);
	m = rwt_src_mention(&src, mentions[0]); /* on the fifth page */
	cr_assert_not_null(m);
	cr_assert_eq(rw_time_parse(str(m, "created_at"), &at), 0);
	cr_assert_eq(at, backlog_at(now, 0), "created_utc to the second");
	json_decref(m);
	m = rwt_src_mention(&src, mentions[20]);
	cr_assert_eq(json_number_value(json_object_get(m, "response_seconds")), 30 * 60.0, "%s",
		     json_dumps(m, 0));
	json_decref(m);
	m = rwt_src_mention(&src, replies[1]);
	cr_assert_str_eq(str(m, "kind"), "comment");
	cr_assert_eq(json_number_value(json_object_get(m, "response_seconds")), 90.0, "%s",
		     json_dumps(m, 0));
	json_decref(m);
	m = rwt_src_mention(&src, post_reply);
	cr_assert_not_null(m, "a reply to the brand's post");
	cr_assert_str_eq(str(m, "kind"), "comment");
	json_decref(m);
	cr_assert_null(rwt_src_mention(&src, ancient), "older than the backfill");
	cr_assert_null(rwt_src_mention(&src, brand_comment), "the brand's own comment is no item");

	cr_assert_geq(count_requests("mentions", "after=t1_", 0), 4, "paged by after");
	cr_assert_geq(count_requests("mentions", "mark=false", 0), 1);
	cr_assert_geq(count_requests("comments", "sort=new", 0), 1);
	cr_assert_eq(count_requests("token", NULL, 0), 1);
	cr_assert_eq(count_requests(NULL, NULL, 429), 0);
	st = fake_state();
	cr_assert_str_eq(str(st, "user_agent_token"), USER_AGENT);
	cr_assert_str_eq(str(st, "user_agent_api"), USER_AGENT);
	cr_assert_eq(json_integer_value(json_object_get(st, "user_agent_refused")), 0);
	json_decref(st);
	assert_no_secret();
}

/* Items made while the daemon runs, signed in with a refresh token. */
Test(reddit, live_mention_and_reply_refresh_token)
{
	char id[ID_MAX];
	json_t *m;
	int64_t at;

	start_daemon(WITH_REFRESH);
	wait_polled(10.0);
	at = now_s_ms() - 5000;
	add("mention", "late_customer", NULL, at, id);
	rwt_src_wait_state(&src, id, "open", 10.0);
	add("brand_reply", NULL, id, at + 4000, NULL);
	rwt_src_wait_state(&src, id, "replied", 10.0);
	m = rwt_src_mention(&src, id);
	cr_assert_eq(json_number_value(json_object_get(m, "response_seconds")), 4.0, "%s",
		     json_dumps(m, 0));
	json_decref(m);
	assert_no_secret();
}

/* The fake's window of 6 calls an endpoint (300 s): Remaining "0.0" and a
 * Reset in seconds from now make the daemon wait; it never reaches a 429,
 * and /status shows the budget. */
static bool
more_requests(void *arg)
{
	return count_requests(NULL, NULL, 0) > *(size_t *)arg;
}

Test(reddit, ratelimit_headers_honoured)
{
	json_t *s, *rl;
	size_t before;

	json_decref(ctl("config", "{'rate_limit': 6}"));
	start_daemon(WITH_PASSWORD);
	rwt_src_wait_source_state(&src, "rate_limited", 20.0);
	s = rwt_src_status(&src);
	rl = json_object_get(s, "rate_limit");
	cr_assert_eq(json_integer_value(json_object_get(rl, "remaining")), 0, "%s",
		     json_dumps(s, 0));
	cr_assert_eq(json_integer_value(json_object_get(rl, "limit")), 6, "used + remaining");
	cr_assert_not_null(str(rl, "reset_at"));
	json_decref(s);
	/* Polls due every second for 3 s more: none reaches the fake. */
	before = count_requests(NULL, NULL, 0);
	cr_assert_not(rwt_wait_until(more_requests, &before, 3.0), "asked past the budget");
	cr_assert_eq(count_requests(NULL, NULL, 429), 0);
}

/* Reddit's budget is per OAuth client (the fake's too: one window for
 * every endpoint). Once one source has spent it, a second source of the
 * same client_id added by a reload asks nothing before the reset: it takes
 * the client's figures from the first, instead of meeting a 429. */
Test(reddit, client_budget_shared_by_sources_of_one_client)
{
	const struct rwt_src src2 = {&stack.daemon, SOURCE "2"};
	char *top, *path;
	size_t before;
	json_t *s;

	json_decref(ctl("config", "{'rate_limit': 8}"));
	start_daemon(WITH_PASSWORD);
	rwt_src_wait_source_state(&src, "rate_limited", 20.0);
	cr_assert_eq(count_requests(NULL, NULL, 429), 0);

	/* The same first source, and a second of the same client. */
	cr_assert(
		asprintf(&top,
			 ",\n \"retention\": { \"backfill\": \"1d\" },\n"
			 " \"policies\": [ { \"name\": \"social\", \"breach_after\": \"2h\" } ],\n"
			 " \"sources\": [ { \"name\": \"" SOURCE "\", \"type\": \"" PLATFORM "\","
			 " \"base_url\": \"%s\", \"auth_url\": \"%s\","
			 " \"client_id\": \"" CLIENT_ID "\", \"client_secret\": \"" CLIENT_SECRET
			 "\", \"username\": \"" BRAND "\", " WITH_PASSWORD
			 ", \"poll_every\": \"1s\", \"down_after\": \"1h\" },"
			 " { \"name\": \"" SOURCE "2\", \"type\": \"" PLATFORM "\","
			 " \"base_url\": \"%s\", \"auth_url\": \"%s\","
			 " \"client_id\": \"" CLIENT_ID "\", \"client_secret\": \"" CLIENT_SECRET
			 "\", \"username\": \"" BRAND "\", " WITH_PASSWORD
			 ", \"poll_every\": \"1s\", \"down_after\": \"1h\" } ]",
			 stack.fake.base, stack.fake.base, stack.fake.base, stack.fake.base) > 0);
	path = rwt_write_config(stack.dir, &stack.redis, stack.daemon.http_port, "", top);
	before = count_requests(NULL, NULL, 0);
	rwt_daemon_signal(&stack.daemon, SIGHUP);
	rwt_src_wait_source_state(&src2, "rate_limited", 10.0);
	s = rwt_src_status(&src2);
	cr_assert_eq(
		json_integer_value(json_object_get(json_object_get(s, "rate_limit"), "remaining")),
		0, "%s", json_dumps(s, 0));
	json_decref(s);
	cr_assert_not(rwt_wait_until(more_requests, &before, 2.0),
		      "a source of the same client asked past the client's budget");
	cr_assert_eq(count_requests(NULL, NULL, 429), 0);
	free(path);
	free(top);
}

/* A refresh token revoked while the source runs: down, with a reason a
 * person can act on, and no secret anywhere. */
Test(reddit, revoked_refresh_token_down)
{
	char id[ID_MAX];
	json_t *s;
	const char *err;

	add("mention", "carol", NULL, now_s_ms() - MINUTE_MS, id);
	start_daemon(WITH_REFRESH);
	rwt_src_wait_state(&src, id, "open", 10.0);
	json_decref(ctl("revoke", "{'grant': 'refresh_token'}"));
	rwt_src_wait_source_state(&src, "down", 15.0);
	s = rwt_src_status(&src);
	err = str(s, "last_error");
	cr_assert_not_null(err);
	cr_assert(strstr(err, "refresh token revoked or expired: authorise again"), "%s", err);
	json_decref(s);
	assert_no_secret();
}

/* A refused password: Reddit's 200 {"error": "invalid_grant"} is read as
 * the refusal it is (not as a malformed answer). */
Test(reddit, refused_password_down)
{
	json_t *s;
	const char *err;

	json_decref(ctl("revoke", "{'grant': 'password'}"));
	start_daemon(WITH_PASSWORD);
	rwt_src_wait_source_state(&src, "down", 10.0);
	s = rwt_src_status(&src);
	err = str(s, "last_error");
	cr_assert_not_null(err);
	cr_assert(strstr(err, "username or password refused"), "%s", err);
	json_decref(s);
	assert_no_secret();
}

/* An expired access token is renewed once and the poll goes on. */
Test(reddit, expired_token_renewed)
{
	char id[ID_MAX];

	start_daemon(WITH_PASSWORD);
	wait_polled(10.0);
	cr_assert_eq(count_requests("token", NULL, 0), 1);
	json_decref(rwt_fake_call(&stack.fake, "POST", "/_fake/" PLATFORM "/fault",
				  "{'kind': 'expire_token'}"));
	add("mention", "dave", NULL, now_s_ms() - 2000, id);
	rwt_src_wait_state(&src, id, "open", 10.0);
	cr_assert_eq(count_requests("token", NULL, 0), 2);
}

static bool
second_poll(void *arg)
{
	(void)arg;
	return count_requests("mentions", NULL, 0) - count_requests("mentions", "after=", 0) >= 2;
}

/* A restart goes on from the stored cursors: what came meanwhile is
 * tracked, nothing twice, and the walks stop at the watermark (no page
 * beyond the first). Regression: the poller saved at most 16 cursor
 * fields, and a walk of four streams writes 24, so the cursors of a
 * four-stream connector were never saved and every poll walked back to
 * the backfill cutoff. */
Test(reddit, restart_resumes_regression_four_streams_cursors_saved)
{
	int64_t now = now_s_ms();
	char late[ID_MAX];
	size_t paged;

	add_backlog(now);
	start_daemon(WITH_PASSWORD);
	rwt_src_wait_tracked(&src, BACKLOG + 4, 20.0);
	rwt_src_wait_state(&src, replies[1], "replied", 10.0);
	/* A second poll began: the first one's cursors are stored. */
	cr_assert(rwt_wait_until(second_poll, NULL, 10.0));
	rwt_daemon_stop_clean(&stack.daemon);
	paged = count_requests(NULL, "after=", 0);

	add("mention", "night_owl", NULL, now_s_ms() - 1000, late);
	add("brand_reply", NULL, replies[0], now_s_ms(), NULL);
	start_daemon(WITH_PASSWORD);
	rwt_src_wait_state(&src, late, "open", 10.0);
	rwt_src_wait_state(&src, replies[0], "replied", 10.0);
	cr_assert_eq(rwt_src_tracked(&src), BACKLOG + 5);
	cr_assert_eq(count_requests(NULL, "after=", 0), paged, "no page past the watermark");
}

/* The fake refuses a request without a descriptive User-Agent as Reddit
 * blocks default agents, so the daemon tests above would fail without it. */
Test(reddit, fake_refuses_default_user_agent)
{
	struct rwt_response r = rwt_http(stack.fake.port, "GET", "/message/mentions", "x", NULL);
	json_t *st;

	cr_assert_eq(r.status, 403);
	cr_assert_not_null(strstr(r.body, "\"Forbidden\""), "%s", r.body);
	rwt_response_free(&r);
	r = rwt_http(stack.fake.port, "POST", "/api/v1/access_token", NULL, "grant_type=password");
	cr_assert_eq(r.status, 403);
	rwt_response_free(&r);
	st = fake_state();
	cr_assert_eq(json_integer_value(json_object_get(st, "user_agent_refused")), 2);
	json_decref(st);
}

/* A wrong client secret (Reddit's 401 {"message", "error": 401}): down at
 * once, actionable, never logged. An auth_url with a trailing slash works. */
Test(reddit, wrong_client_secret_down)
{
	static const char wrong[] = "rd-WRONG-secret-4Tz8";
	json_t *s;
	const char *err;
	char *text, *log;

	start_daemon_with(wrong, "/", WITH_PASSWORD);
	rwt_src_wait_source_state(&src, "down", 10.0);
	s = rwt_src_status(&src);
	err = str(s, "last_error");
	cr_assert_not_null(err);
	cr_assert(strstr(err, "client id/secret rejected"), "%s", err);
	text = json_dumps(s, 0);
	cr_assert_null(strstr(text, wrong));
	free(text);
	json_decref(s);
	log = rwt_daemon_log(&stack.daemon);
	cr_assert_null(strstr(log, wrong));
	free(log);
	cr_assert_geq(count_requests("token", NULL, 401), 1, "asked at /api/v1/access_token");
	assert_no_secret();
}
