/*
 * The LinkedIn connector end to end: the real daemon exchanges its refresh
 * token at the fake LinkedIn token endpoint (tests/fakes/fake_linkedin.c),
 * polls the fake Community Management API over loopback with LinkedIn's
 * version headers, and tracks comments and mentions in a real
 * redis-server. Backfill over two pages of notifications, brand replies
 * found under each open item at the fake's created.time exactly, no text
 * or commenter kept (LinkedIn's 48 h storage rule), access tokens renewed
 * after a 401, a revoked refresh token (down, actionable, never logged),
 * 429 throttling, an inactive LinkedIn-Version (LinkedIn's 426), the
 * refresh token's end announced a month ahead in /status and the log, and
 * a restart that resumes without doubles.
 */
#include <criterion/criterion.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "replywatch/clock.h"
#include "rwtest.h"
#include "rwtsrc.h"

#define SOURCE "li"
#define PLATFORM "linkedin"
#define ORG "urn:li:organization:2414183"
#define CLIENT_ID "78rwfake"
#define CLIENT_SECRET "linkedin-test-secret"
#define REFRESH_TOKEN "linkedin-test-refresh"
#define ACCESS_PREFIX "AQrwfake" /* what the fake's access tokens start with */
#define MINUTE_MS (60 * 1000LL)
#define ID_MAX 160

static struct rwt_stack stack;
static const struct rwt_src src = {&stack.daemon, SOURCE};

static void
setup(void)
{
	rwt_stack_up(&stack, true);
	rwt_fake_unlimit(&stack.fake, PLATFORM);
}

static void
teardown(void)
{
	rwt_stack_down(&stack);
}

TestSuite(linkedin, .init = setup, .fini = teardown, .timeout = 120);

/* One linkedin source polling every second; extra is spliced into it. */
static void
start_daemon(const char *extra)
{
	char *top;

	cr_assert(
		asprintf(&top,
			 ",\n \"retention\": { \"backfill\": \"30d\" },\n"
			 " \"policies\": [ { \"name\": \"social\", \"breach_after\": \"3h\" } ],\n"
			 " \"sources\": [ { \"name\": \"" SOURCE "\", \"type\": \"" PLATFORM "\","
			 " \"base_url\": \"%s\", \"token_url\": \"%s/oauth/v2/accessToken\","
			 " \"organization\": \"2414183\", \"client_id\": \"" CLIENT_ID "\","
			 " \"client_secret\": \"" CLIENT_SECRET "\","
			 " \"refresh_token\": \"" REFRESH_TOKEN "\", \"poll_every\": \"1s\"%s } ]",
			 stack.fake.base, stack.fake.base, extra) > 0);
	rwt_stack_start(&stack, top);
	free(top);
}

static json_t *
ctl(const char *what, const char *body)
{
	char path[96];

	snprintf(path, sizeof(path), "/_fake/" PLATFORM "/%s", what);
	return rwt_fake_call(&stack.fake, "POST", path, body);
}

/* A comment (what "comment") or mention at created_ms; its URN into id. */
static void
add(const char *what, int64_t created_ms, char *id)
{
	char at[40], body[96];
	json_t *r;

	rw_time_format(created_ms, at, sizeof(at));
	snprintf(body, sizeof(body), "{'created_at': '%s'}", at);
	r = ctl(what, body);
	cr_assert_not_null(json_string_value(json_object_get(r, "id")));
	snprintf(id, ID_MAX, "%s", json_string_value(json_object_get(r, "id")));
	json_decref(r);
}

/* The Page answers id at at_ms. */
static void
reply(const char *id, int64_t at_ms)
{
	char at[40], body[320];

	rw_time_format(at_ms, at, sizeof(at));
	snprintf(body, sizeof(body), "{'id': '%s', 'created_at': '%s'}", id, at);
	json_decref(ctl("reply", body));
}

static const char *
str(json_t *v, const char *key)
{
	return json_string_value(json_object_get(v, key));
}

static bool
source_field_has(const char *field, const char *needle)
{
	json_t *s = rwt_src_status(&src);
	const char *v = str(s, field);
	bool ok = v && strstr(v, needle) != NULL;

	json_decref(s);
	return ok;
}

static bool
warning_has(void *arg)
{
	return source_field_has("warning", arg);
}

/* Requests the fake logged for endpoint after after_ms whose query holds
 * needle (NULL: any). */
static size_t
count_requests(const char *endpoint, int64_t after_ms, const char *needle)
{
	json_t *list = rwt_fake_requests(&stack.fake, PLATFORM, endpoint), *r;
	size_t i, n = 0;
	int64_t at;

	json_array_foreach(list, i, r)
	{
		const char *q = str(r, "query");

		cr_assert_eq(rw_time_parse(str(r, "at"), &at), 0);
		if (at > after_ms && (needle == NULL || (q != NULL && strstr(q, needle) != NULL)))
			n++;
	}
	json_decref(list);
	return n;
}

/* No credential in the daemon's log or /status. */
static void
assert_no_secret(void)
{
	static const char *const secrets[] = {CLIENT_SECRET, REFRESH_TOKEN, ACCESS_PREFIX};
	struct rwt_response st = rwt_http(stack.daemon.http_port, "GET", "/status", NULL, NULL);
	char *log = rwt_daemon_log(&stack.daemon);

	for (size_t i = 0; i < sizeof(secrets) / sizeof(secrets[0]); i++) {
		cr_assert_null(strstr(st.body, secrets[i]), "/status shows %s", secrets[i]);
		cr_assert_null(strstr(log, secrets[i]), "the log shows %s", secrets[i]);
	}
	rwt_response_free(&st);
	free(log);
}

/* 60 comments, one every 10 minutes back from a minute ago, and 5
 * mentions: two pages of notifications (50 a page). Every tenth comment
 * was answered 30 minutes after it was written. */
#define BACKLOG 60
static char ids[BACKLOG][ID_MAX];
static char mentions[5][ID_MAX];

static int64_t
backlog_at(int64_t now, int i)
{
	return now - MINUTE_MS - (int64_t)(BACKLOG - 1 - i) * 10 * MINUTE_MS;
}

static void
add_backlog(int64_t now)
{
	for (int i = 0; i < BACKLOG; i++) {
		add("comment", backlog_at(now, i), ids[i]);
		if (i % 10 == 5)
			reply(ids[i], backlog_at(now, i) + 30 * MINUTE_MS);
	}
	for (int i = 0; i < 5; i++)
		add("mention", now - (int64_t)(i + 1) * 7 * MINUTE_MS, mentions[i]);
}

/* Backfill over two pages: every comment and mention tracked with a link
 * and no text or commenter; the answered ones replied at the fake's
 * created.time; every request carried the version headers and the bearer
 * token (the fake refuses it otherwise), URNs encoded. */
Test(linkedin, backfill_two_pages_exact_reply_times)
{
	int64_t now = rw_now_ms();
	json_t *m, *log, *r;
	size_t i;

	add_backlog(now);
	start_daemon("");
	rwt_src_wait_tracked(&src, BACKLOG + 5, 20.0);

	m = rwt_src_mention(&src, ids[59]);
	cr_assert_not_null(m);
	cr_assert_str_eq(str(m, "kind"), "comment");
	cr_assert_str_eq(str(m, "author"), "LinkedIn member");
	cr_assert_null(str(m, "text"), "comment text kept: %s", json_dumps(m, 0));
	cr_assert(strstr(str(m, "url"), "https://www.linkedin.com/feed/update/urn:li:activity:") ==
				  str(m, "url") &&
			  strstr(str(m, "url"), "?commentUrn=urn%3Ali%3Acomment%3A"),
		  "%s", str(m, "url"));
	cr_assert_str_eq(str(m, "state"), "open");
	json_decref(m);
	m = rwt_src_mention(&src, mentions[0]);
	cr_assert_not_null(m);
	cr_assert_str_eq(str(m, "kind"), "mention");
	cr_assert(strstr(str(m, "url"), "/feed/update/urn:li:share:"), "%s", str(m, "url"));
	json_decref(m);

	/* ids[5] is the 55th newest: on page 2. */
	rwt_src_wait_state(&src, ids[5], "replied", 10.0);
	m = rwt_src_mention(&src, ids[5]);
	cr_assert_eq(json_number_value(json_object_get(m, "response_seconds")), 30 * 60.0, "%s",
		     json_dumps(m, 0));
	json_decref(m);

	cr_assert_geq(count_requests("notifications", 0, "start=50"), 1);
	cr_assert_geq(count_requests("notifications", 0, "organizationalEntity=urn%3Ali%3A"), 1);
	cr_assert_geq(count_requests("notifications", 0, "timeRange=(start:"), 1);
	cr_assert_eq(count_requests("token", 0, NULL), 1);
	log = rwt_fake_requests(&stack.fake, PLATFORM, NULL);
	json_array_foreach(log, i, r)
	{
		cr_assert_str_eq(str(r, "auth"), "ok", "%s", json_dumps(r, 0));
		cr_assert_null(strstr(str(r, "query") ? str(r, "query") : "", "secret"));
	}
	json_decref(log);
	assert_no_secret();
}

/* A reply made while the daemon runs: found by re-reading the open item,
 * at the fake's created.time to the millisecond; a mention answered by a
 * comment on the mentioning post too. */
Test(linkedin, reply_after_start_exact_time)
{
	char id[ID_MAX], men[ID_MAX], at[40];
	int64_t answered_at;
	json_t *m;

	add("comment", rw_now_ms() - 20 * MINUTE_MS, id);
	add("mention", rw_now_ms() - 15 * MINUTE_MS, men);
	start_daemon("");
	rwt_src_wait_state(&src, id, "open", 10.0);
	rwt_src_wait_state(&src, men, "open", 10.0);
	answered_at = rw_now_ms() - 5 * MINUTE_MS + 123;
	reply(id, answered_at);
	reply(men, answered_at + 1000);
	rwt_src_wait_state(&src, id, "replied", 10.0);
	rwt_src_wait_state(&src, men, "replied", 10.0);
	m = rwt_src_mention(&src, id);
	rw_time_format(answered_at, at, sizeof(at));
	cr_assert_str_eq(str(m, "replied_at"), at);
	json_decref(m);
	cr_assert_geq(count_requests("comments", 0, NULL), 1);
}

/* The access token stops working (401): renewed once, the poll retried. */
Test(linkedin, expired_access_token_renewed)
{
	char id[ID_MAX], late[ID_MAX];

	add("comment", rw_now_ms() - MINUTE_MS, id);
	start_daemon("");
	rwt_src_wait_state(&src, id, "open", 10.0);
	json_decref(ctl("expire", NULL));
	add("comment", rw_now_ms(), late);
	rwt_src_wait_state(&src, late, "open", 15.0);
	cr_assert_geq(count_requests("token", 0, NULL), 2);
	cr_assert(rwt_daemon_log_contains(&stack.daemon, "access token renewed"));
	assert_no_secret();
}

/* The refresh token revoked: invalid_grant, the source down saying what to
 * do; no credential anywhere. */
Test(linkedin, revoked_refresh_token_down)
{
	char id[ID_MAX];
	json_t *s;
	const char *err;

	add("comment", rw_now_ms() - MINUTE_MS, id);
	start_daemon("");
	rwt_src_wait_state(&src, id, "open", 10.0);
	json_decref(ctl("revoke", NULL));
	rwt_src_wait_source_state(&src, "down", 15.0);
	s = rwt_src_status(&src);
	err = str(s, "last_error");
	cr_assert_not_null(err);
	cr_assert(strstr(err, "refresh token revoked or expired: authorise again"), "%s", err);
	json_decref(s);
	assert_no_secret();
}

/* LinkedIn's daily throttle (429): the poll ends rate-limited, the source
 * recovers by itself and nothing is lost. */
Test(linkedin, throttled_429_recovers)
{
	char id[ID_MAX], late[ID_MAX];

	add("comment", rw_now_ms() - MINUTE_MS, id);
	start_daemon("");
	rwt_src_wait_state(&src, id, "open", 10.0);
	json_decref(ctl("fault", "{'endpoint': 'notifications', 'kind': '429', 'count': 1,"
				 " 'retry_after': 2, 'reset_in': 2}"));
	rwt_src_wait_source_state(&src, "rate_limited", 10.0);
	add("comment", rw_now_ms(), late);
	rwt_src_wait_state(&src, late, "open", 20.0);
	rwt_src_wait_source_state(&src, "ok", 20.0);
}

/* A LinkedIn-Version no longer active: LinkedIn's 426, shown in /status. */
static bool
error_has(void *arg)
{
	return source_field_has("last_error", arg);
}

Test(linkedin, inactive_version_refused)
{
	start_daemon(", \"version\": \"202001\"");
	if (!rwt_wait_until(error_has, "HTTP 426: Requested version is not active", 15.0))
		cr_assert_fail("%s", json_dumps(rwt_src_status(&src), 0));
}

/* The refresh token ends in 20 days (the token endpoint's
 * refresh_token_expires_in): /status and the log warn; with a full year
 * left there is no warning. */
Test(linkedin, refresh_token_end_warned_a_month_ahead)
{
	char id[ID_MAX];
	json_t *s;

	add("comment", rw_now_ms() - MINUTE_MS, id);
	start_daemon("");
	rwt_src_wait_state(&src, id, "open", 10.0);
	s = rwt_src_status(&src);
	cr_assert(json_is_null(json_object_get(s, "warning")), "%s", json_dumps(s, 0));
	json_decref(s);
	rwt_daemon_stop_clean(&stack.daemon);
	rwt_daemon_cleanup(&stack.daemon);

	json_decref(ctl("settings", "{'refresh_expires_in': 1728000}"));
	start_daemon("");
	cr_assert(rwt_wait_until(warning_has, "refresh token ends", 10.0));
	cr_assert(source_field_has("warning", "(20 days)") ||
		  source_field_has("warning", "(19 days)"));
	cr_assert(rwt_daemon_log_contains(&stack.daemon, "refresh token ends"));
	assert_no_secret();
}

/* A restart goes on from the stored watermark and nothing is doubled. */
Test(linkedin, restart_resumes_without_doubles)
{
	int64_t restarted;
	char fresh[ID_MAX];

	add_backlog(rw_now_ms());
	start_daemon("");
	rwt_src_wait_tracked(&src, BACKLOG + 5, 20.0);
	rwt_daemon_stop_clean(&stack.daemon);
	rwt_daemon_cleanup(&stack.daemon);
	add("comment", rw_now_ms(), fresh);
	restarted = rw_now_ms();
	start_daemon("");
	rwt_src_wait_state(&src, fresh, "open", 10.0);
	cr_assert_eq(rwt_src_tracked(&src), BACKLOG + 6);
	/* From the watermark less an hour: one page, not a second backfill. */
	cr_assert_eq(count_requests("notifications", restarted, "start=50"), 0);
}

/* Every member shows as "LinkedIn member" (no identity is kept): the
 * Page's answer to one member's comment must not resolve another
 * member's older comment on the same post as "the same author in the
 * same conversation". */
Test(linkedin, regression_reply_resolves_only_its_comment)
{
	char older[ID_MAX], newer[ID_MAX];

	add("comment", rw_now_ms() - 20 * MINUTE_MS, older);
	add("comment", rw_now_ms() - 10 * MINUTE_MS, newer);
	start_daemon("");
	rwt_src_wait_state(&src, older, "open", 10.0);
	rwt_src_wait_state(&src, newer, "open", 10.0);
	reply(newer, rw_now_ms() - MINUTE_MS);
	rwt_src_wait_state(&src, newer, "replied", 10.0);
	cr_assert(rwt_daemon_log_contains(&stack.daemon, "access token renewed"));
	rwt_src_wait_state(&src, older, "open", 1.0);
}
