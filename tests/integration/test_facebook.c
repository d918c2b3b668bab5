/*
 * The facebook connector end to end: the real daemon polls the fake Graph
 * API (tests/fakes/fake_meta.c) over loopback and tracks comments, visitor
 * posts and posts that tag the Page in a real redis-server. Backfill over
 * several pages by the "after" cursor (never the host of "next"), the
 * Page's replies credited at Graph's own times, throttling (a 400 with
 * code 613 and X-Business-Use-Case-Usage: no request before the regain
 * time, shown in /status; and the fake's spent window, code 4), usage
 * shown in /status, a revoked token (190: down, what to do, the token in
 * no log), and a restart that resumes without doubles.
 */
#include <criterion/criterion.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "replywatch/clock.h"
#include "rwtmeta.h"

#define MINUTE_MS (60 * 1000LL)
#define PARAMS ", \"page_id\": \"" RWM_PAGE_ID "\", \"down_after\": \"1h\""

TestSuite(facebook, .init = rwm_setup, .fini = rwm_teardown, .timeout = 120);

/* Now, whole seconds (Graph's times have no fraction). */
static int64_t
now_s(void)
{
	int64_t t = rw_now_ms();

	return t - t % 1000;
}

static char *
page_post(int64_t at)
{
	return rwm_add("post",
		       "'edge': 'posts', 'from_id': '" RWM_PAGE_ID
		       "', 'from_name': 'Brand Cafe', 'text': 'News'",
		       at);
}

static char *
comment(const char *post, const char *parent, const char *from_id, int64_t at)
{
	char fields[256];

	snprintf(fields, sizeof(fields),
		 "'post': '%s'%s%s%s, 'from_id': '%s', 'from_name': 'Person %s', 'text': 'Hello'",
		 post, parent ? ", 'parent': '" : "", parent ? parent : "", parent ? "'" : "",
		 from_id, from_id);
	return rwm_add("comment", fields, at);
}

/* Seven posts over three pages (limit 3), each with a customer's comment;
 * the Page answers the oldest post's comment 10 minutes later. Every
 * comment is tracked, the reply at Graph's time exactly; the walk went on
 * by the after cursor on the fake itself. A visitor post and a post that
 * tags the Page are mentions. */
Test(facebook, backfill_pages_and_exact_reply_time)
{
	int64_t t0 = now_s() - 2 * 60 * MINUTE_MS;
	char *posts[7], *comments[7], *reply, *visitor, *tagged, at[40];
	json_t *m;

	json_decref(
		rwt_fake_call(&rwm.fake, "POST", "/_fake/meta/config", "{'page_limit_max': 3}"));
	for (int i = 0; i < 7; i++) {
		posts[i] = page_post(t0 + i * 10 * MINUTE_MS);
		comments[i] = comment(posts[i], NULL, "900", t0 + i * 10 * MINUTE_MS + MINUTE_MS);
	}
	reply = comment(posts[0], comments[0], RWM_PAGE_ID, t0 + 11 * MINUTE_MS);
	visitor = rwm_add("post",
			  "'edge': 'visitor_posts', 'from_id': '901', 'from_name': 'Vi Sitor',"
			  " 'text': 'Open on Sunday?'",
			  t0);
	tagged = rwm_add("post",
			 "'edge': 'tagged', 'from_id': '902', 'from_name': 'Tag Ger',"
			 " 'text': 'Great coffee at Brand Cafe'",
			 t0);
	rwm_start("facebook", PARAMS);
	for (int i = 0; i < 7; i++)
		rwm_wait_state(comments[i], i == 0 ? "replied" : "open", 20.0);
	rwm_wait_state(visitor, "open", 10.0);
	rwm_wait_state(tagged, "open", 10.0);
	cr_assert_eq(rwm_tracked(), 9); /* the Page's own posts and its reply are no items */

	m = rwm_mention(comments[0]);
	rw_time_format(t0 + 11 * MINUTE_MS, at, sizeof(at));
	cr_assert_str_eq(json_string_value(json_object_get(m, "replied_at")), at, "%s",
			 json_dumps(m, 0));
	cr_assert_eq(json_number_value(json_object_get(m, "response_seconds")), 600.0);
	cr_assert_str_eq(json_string_value(json_object_get(m, "kind")), "comment");
	cr_assert_str_eq(json_string_value(json_object_get(m, "author")), "Person 900");
	cr_assert_not_null(strstr(json_string_value(json_object_get(m, "url")), comments[0]));
	json_decref(m);
	m = rwm_mention(visitor);
	cr_assert_str_eq(json_string_value(json_object_get(m, "kind")), "mention");
	cr_assert_str_eq(json_string_value(json_object_get(m, "author")), "Vi Sitor");
	json_decref(m);
	/* Three pages of posts, asked of the fake (loopback), not of next's host. */
	cr_assert_geq(rwm_count_requests("posts", 0), 3);
	for (int i = 0; i < 7; i++) {
		free(posts[i]);
		free(comments[i]);
	}
	free(reply);
	free(visitor);
	free(tagged);
}

/* True once the fake logged a posts request after *(int64_t *)arg. */
static bool
posts_asked_since(void *arg)
{
	return rwm_count_requests("posts", *(int64_t *)arg + 1) > 0;
}

/* Graph's throttling is a 400 with an error code, and
 * X-Business-Use-Case-Usage says when access comes back: the source is
 * rate limited (not down), /status shows the budget spent and its reset,
 * nothing is asked before it, and then the source catches up. */
Test(facebook, throttle_code_613_waits_regain_time)
{
	char *post = page_post(now_s() - 60 * MINUTE_MS), *c, *late, *text;
	const char *err;
	int64_t limited, reset;
	json_t *s, *rl, *fault;

	c = comment(post, NULL, "900", now_s() - 30 * MINUTE_MS);
	rwm_start("facebook", PARAMS);
	rwm_wait_state(c, "open", 10.0);
	fault = json_pack(
		"{s:s, s:s, s:i, s:i, s:s, s:s}", "endpoint", "posts", "kind", "answer", "status",
		400, "count", 1, "body",
		"{\"error\":{\"message\":\"(#613) Calls to this api have exceeded the rate "
		"limit.\",\"type\":\"OAuthException\",\"code\":613}}",
		"header",
		"X-Business-Use-Case-Usage: {\"101\":[{\"type\":\"pages\",\"call_count\":100,"
		"\"estimated_time_to_regain_access\":7}]}");
	text = json_dumps(fault, JSON_COMPACT);
	json_decref(rwt_fake_call(&rwm.fake, "POST", "/_fake/meta/fault", text));
	free(text);
	json_decref(fault);
	rwm_wait_source_state("rate_limited", 10.0);
	limited = rw_now_ms();
	s = rwm_source_status();
	rl = json_object_get(s, "rate_limit");
	cr_assert_eq(json_integer_value(json_object_get(rl, "remaining")), 0, "%s",
		     json_dumps(s, 0));
	cr_assert_eq(json_integer_value(json_object_get(rl, "limit")), 100);
	cr_assert_eq(rw_time_parse(json_string_value(json_object_get(rl, "reset_at")), &reset), 0);
	cr_assert_geq(reset, limited + 6 * MINUTE_MS, "%s", json_dumps(s, 0));
	err = json_string_value(json_object_get(s, "last_error"));
	cr_assert(err != NULL && strstr(err, "613") && !strstr(err, "credentials"), "%s", err);
	json_decref(s);

	late = comment(post, NULL, "903", now_s());
	/* A minute of daemon time later, no call to the throttled endpoint
	 * comes within a second and a half (a broken wait would poll at once). */
	rwt_clock_advance(&rwm.daemon, 60);
	cr_assert_not(rwt_wait_until(posts_asked_since, &limited, 1.5),
		      "posts asked before the regain time");
	/* Past the regain time: polls again and catches up. */
	rwt_clock_advance(&rwm.daemon, 7 * 60);
	rwm_wait_state(late, "open", 15.0);
	rwm_wait_source_state("ok", 10.0);
	free(post);
	free(c);
	free(late);
}

/* The fake's window spent: Graph's code 4 on a 400, with the minutes until
 * access comes back (2). */
Test(facebook, throttle_code_4_from_spent_window)
{
	char *post = page_post(now_s() - 60 * MINUTE_MS);
	const char *err;
	json_t *s;

	rwm_start("facebook", PARAMS);
	rwm_wait_source_state("ok", 10.0);
	json_decref(rwt_fake_call(&rwm.fake, "POST", "/_fake/meta/fault",
				  "{'endpoint': 'posts', 'kind': '429', 'reset_in': 120}"));
	rwm_wait_source_state("rate_limited", 10.0);
	s = rwm_source_status();
	err = json_string_value(json_object_get(s, "last_error"));
	cr_assert(err != NULL && strstr(err, "error code 4"), "%s", json_dumps(s, 0));
	cr_assert_eq(
		json_integer_value(json_object_get(json_object_get(s, "rate_limit"), "remaining")),
		0);
	json_decref(s);
	free(post);
}

/* X-App-Usage on every answer: /status shows the share left. */
Test(facebook, app_usage_in_status)
{
	char *post = page_post(now_s() - 60 * MINUTE_MS), *c;
	json_t *s, *rl;

	c = comment(post, NULL, "900", now_s() - 30 * MINUTE_MS);
	json_decref(rwt_fake_call(&rwm.fake, "POST", "/_fake/meta/config",
				  "{'rate_limit': 1000, 'rate_window': 600}"));
	rwm_start("facebook", PARAMS);
	rwm_wait_state(c, "open", 10.0);
	s = rwm_source_status();
	rl = json_object_get(s, "rate_limit");
	cr_assert_eq(json_integer_value(json_object_get(rl, "limit")), 100, "%s", json_dumps(s, 0));
	cr_assert_geq(json_integer_value(json_object_get(rl, "remaining")), 90);
	cr_assert_leq(json_integer_value(json_object_get(rl, "remaining")), 100);
	json_decref(s);
	free(post);
	free(c);
}

/* A revoked token: Graph's 190 puts the source down with what to do; the
 * token is in no log line and not in /status. */
Test(facebook, revoked_token_down)
{
	char *post = page_post(now_s() - 60 * MINUTE_MS), *text, *log;
	json_t *s;
	const char *err;

	json_decref(rwt_fake_call(&rwm.fake, "POST", "/_fake/meta/revoke", "{}"));
	rwm_start("facebook", PARAMS);
	rwm_wait_source_state("down", 10.0);
	s = rwm_source_status();
	err = json_string_value(json_object_get(s, "last_error"));
	cr_assert_not_null(err);
	cr_assert(strstr(err, "190") && strstr(err, "new Page access token"), "%s", err);
	text = json_dumps(s, 0);
	cr_assert_null(strstr(text, RWM_TOKEN));
	free(text);
	json_decref(s);
	log = rwt_daemon_log(&rwm.daemon);
	cr_assert_null(strstr(log, RWM_TOKEN));
	free(log);
	free(post);
}

/* A restart goes on from the stored watermark; nothing is doubled and a
 * comment made while it was stopped is found. */
Test(facebook, restart_resumes_without_doubles)
{
	char *post = page_post(now_s() - 60 * MINUTE_MS), *a, *b, *late;

	a = comment(post, NULL, "900", now_s() - 30 * MINUTE_MS);
	b = comment(post, NULL, "901", now_s() - 20 * MINUTE_MS);
	rwm_start("facebook", PARAMS);
	rwm_wait_state(a, "open", 10.0);
	rwm_wait_state(b, "open", 10.0);
	rwm_stop();
	late = comment(post, a, "902", now_s());
	rwm_start("facebook", PARAMS);
	rwm_wait_state(late, "open", 10.0);
	cr_assert_eq(rwm_tracked(), 3);
	free(post);
	free(a);
	free(b);
	free(late);
}
