/*
 * Allegro's buyer messages end to end: the real daemon signs in at the fake
 * (tests/fakes/fake_allegro.c), reads Message Center threads (public v1),
 * purchase-problem threads (beta v1) and post-purchase issues (beta v1)
 * with their messages fetched per thread / issue (the poller's fan-out,
 * tests/fakes/fake_allegro_msg.c), and tracks them in a real redis-server.
 * Each buyer message is answered by the seller's next message in its
 * conversation, with its own exact response time; paging of threads and of
 * one thread's messages; a message that shows up late with an earlier
 * createdAt (moderation) is still tracked; a restart resumes without
 * doubles; a 429 on the fan-out moves no cursor.
 */
#include <criterion/criterion.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "replywatch/clock.h"
#include "rwtest.h"
#include "rwtsrc.h"

#define SOURCE "shop"
#define PLATFORM "allegro"
#define MINUTE_MS (60 * 1000LL)
#define ID_MAX 96

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

TestSuite(allegro_msg, .init = setup, .fini = teardown, .timeout = 120);

static void
start_daemon(void)
{
	char *top;

	cr_assert(asprintf(&top,
			   ",\n \"secrets_key\": \"rwtest-secrets-key-0123456789abcdef\",\n"
			   " \"retention\": { \"backfill\": \"2d\" },\n"
			   " \"policies\": [ { \"name\": \"buyers\", \"match\": { \"kind\": "
			   "[\"message\"] }, \"breach_after\": \"12h\" } ],\n"
			   " \"sources\": [ { \"name\": \"" SOURCE "\", \"type\": \"" PLATFORM "\","
			   " \"base_url\": \"%s\", \"token_url\": \"%s/auth/oauth/token\","
			   " \"client_id\": \"rwfake-allegro-client\","
			   " \"client_secret\": \"rwfake-allegro-secret\","
			   " \"refresh_token\": \"rwfake-allegro-refresh-seed\","
			   " \"poll_every\": \"1s\" } ]",
			   stack.fake.base, stack.fake.base) > 0);
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

/* A new thread of buyer (type: COMMON or POST_PURCHASE_ISSUE); its id into id. */
static void
new_thread(const char *buyer, const char *type, char *id)
{
	char body[200];
	json_t *r;

	snprintf(body, sizeof(body), "{'buyer': '%s', 'type': '%s'}", buyer, type);
	r = ctl("thread", body);
	snprintf(id, ID_MAX, "%s", json_string_value(json_object_get(r, "id")));
	json_decref(r);
}

/* A message in thread (or issue, what "issue_message") from who at ms;
 * extra: more fields (' for "), or NULL. Its id into id (may be NULL). */
static void
say(const char *what, const char *conv, const char *who, int64_t ms, const char *extra, char *id)
{
	char at[40], *body;
	json_t *r;

	rw_time_format(ms, at, sizeof(at));
	cr_assert(asprintf(&body,
			   "{'%s': '%s', 'from': '%s', 'text': 'hello from %s',"
			   " 'created_at': '%s'%s%s}",
			   strcmp(what, "message") == 0 ? "thread" : "issue", conv, who, who, at,
			   extra ? ", " : "", extra ? extra : "") > 0);
	r = ctl(what, body);
	if (id != NULL)
		snprintf(id, ID_MAX, "%s", json_string_value(json_object_get(r, "id")));
	json_decref(r);
	free(body);
}

static double
response_of(const char *id)
{
	json_t *m = rwt_src_mention(&src, id);
	double s;

	cr_assert_not_null(m, "%s is not tracked", id);
	s = json_is_real(json_object_get(m, "response_seconds"))
		    ? json_real_value(json_object_get(m, "response_seconds"))
		    : -1;
	json_decref(m);
	return s;
}

static const char *
str(const json_t *o, const char *key)
{
	return json_string_value(json_object_get(o, key));
}

/* Several buyer messages in one thread answered by one seller message:
 * each its own exact response time; a later one stays open until the next
 * seller message; an offer question (ASK_QUESTION) in another thread is a
 * message too, and stays open. */
Test(allegro_msg, several_buyer_messages_answered_by_one_seller_message)
{
	int64_t t = rw_now_ms() - 20 * MINUTE_MS, later;
	char th[ID_MAX], q[ID_MAX], m1[ID_MAX], m2[ID_MAX], m4[ID_MAX], ask[ID_MAX];
	json_t *m;

	new_thread("ann-buyer", "COMMON", th);
	new_thread("bob-buyer", "COMMON", q);
	say("message", th, "buyer", t, NULL, m1);
	say("message", th, "buyer", t + MINUTE_MS, NULL, m2);
	say("message", th, "seller", t + 5 * MINUTE_MS, NULL, NULL);
	say("message", th, "buyer", t + 8 * MINUTE_MS, NULL, m4);
	say("message", q, "buyer", t + 2 * MINUTE_MS, "'type': 'ASK_QUESTION'", ask);
	start_daemon();
	rwt_src_wait_tracked(&src, 4, 15.0);
	rwt_src_wait_state(&src, m1, "replied", 5.0);
	rwt_src_wait_state(&src, m2, "replied", 5.0);
	rwt_src_wait_state(&src, m4, "open", 5.0);
	rwt_src_wait_state(&src, ask, "open", 5.0);
	cr_assert_float_eq(response_of(m1), 300.0, 1e-9);
	cr_assert_float_eq(response_of(m2), 240.0, 1e-9);
	m = rwt_src_mention(&src, m1);
	cr_assert_str_eq(str(m, "kind"), "message");
	cr_assert_str_eq(str(m, "author"), "ann-buyer");
	cr_assert_str_eq(str(m, "conversation_id"), th);
	cr_assert_str_eq(str(m, "policy"), "buyers");
	cr_assert(strstr(str(m, "url"), th) != NULL, "%s", str(m, "url"));
	json_decref(m);
	cr_assert_eq(rwt_src_tracked(&src), 4, "the seller's messages are not items");
	/* The seller answers the later message now: exact again. */
	later = rw_now_ms() - 1000;
	say("message", th, "seller", later, NULL, NULL);
	rwt_src_wait_state(&src, m4, "replied", 15.0);
	cr_assert_float_eq(response_of(m4), (double)(later - (t + 8 * MINUTE_MS)) / 1000.0, 1e-9);
	rwt_src_wait_state(&src, ask, "open", 1.0);
}

/* 25 threads (two pages of 20) and one thread of 25 buyer messages (two
 * pages of its own): every message is tracked, once. */
Test(allegro_msg, threads_and_messages_page)
{
	int64_t t = rw_now_ms() - 60 * MINUTE_MS;
	char th[ID_MAX], big[ID_MAX];

	for (int i = 0; i < 25; i++) {
		new_thread("buyer", "COMMON", th);
		say("message", th, "buyer", t + i * 1000, NULL, NULL);
	}
	new_thread("chatty", "COMMON", big);
	for (int i = 0; i < 25; i++)
		say("message", big, "buyer", t + 30 * 1000 + i * 1000, NULL, NULL);
	start_daemon();
	rwt_src_wait_tracked(&src, 50, 20.0);
	cr_assert_eq(rwt_src_tracked(&src), 50);
}

/* A purchase problem arrives as a beta thread (roles BUYER and SELLER):
 * read with the beta media type (the fake answers 406 otherwise). */
Test(allegro_msg, purchase_problem_threads_are_read_in_beta)
{
	int64_t t = rw_now_ms() - 30 * MINUTE_MS;
	char th[ID_MAX], b[ID_MAX];

	new_thread("carol", "POST_PURCHASE_ISSUE", th);
	say("message", th, "buyer", t, NULL, b);
	say("message", th, "allegro", t + MINUTE_MS, NULL, NULL);
	say("message", th, "seller", t + 7 * MINUTE_MS, NULL, NULL);
	start_daemon();
	rwt_src_wait_state(&src, b, "replied", 15.0);
	cr_assert_float_eq(response_of(b), 420.0, 1e-9);
	cr_assert_eq(rwt_src_tracked(&src), 1, "Allegro's own message is no item");
	json_t *reqs = rwt_fake_requests(&stack.fake, PLATFORM, NULL), *r;
	size_t i;

	json_array_foreach(reqs, i, r)
	{
		cr_assert_neq(json_integer_value(json_object_get(r, "status")), 406,
			      "a request with the wrong media type");
	}
	json_decref(reqs);
}

/* A buyer message held for moderation (not visible to the seller) shows up
 * later with its earlier createdAt: tracked from that time. */
Test(allegro_msg, a_message_delivered_late_with_an_earlier_time_is_tracked)
{
	int64_t now = rw_now_ms();
	char th[ID_MAX], other[ID_MAX], late[ID_MAX], seen[ID_MAX];
	json_t *m;
	int64_t created;

	new_thread("dave", "COMMON", th);
	new_thread("erin", "COMMON", other);
	say("message", th, "buyer", now - 5 * MINUTE_MS, "'status': 'VERIFYING'", late);
	say("message", other, "buyer", now - MINUTE_MS, NULL, seen);
	start_daemon();
	rwt_src_wait_state(&src, seen, "open", 15.0);
	cr_assert_null(rwt_src_mention(&src, late), "under moderation: not tracked");
	char body[200];

	snprintf(body, sizeof(body), "{'id': '%s'}", late);
	json_decref(ctl("deliver", body));
	rwt_src_wait_state(&src, late, "open", 15.0);
	m = rwt_src_mention(&src, late);
	cr_assert_eq(rw_time_parse(str(m, "created_at"), &created), 0);
	cr_assert_eq(created, now - 5 * MINUTE_MS);
	json_decref(m);
}

/* A restart resumes from the stored cursors: new messages are tracked, old
 * ones not doubled, and a thread answered while the daemon was down gets
 * its exact time. */
Test(allegro_msg, restart_resumes)
{
	int64_t t = rw_now_ms() - 10 * MINUTE_MS;
	char th[ID_MAX], a[ID_MAX], b[ID_MAX];

	new_thread("frank", "COMMON", th);
	say("message", th, "buyer", t, NULL, a);
	start_daemon();
	rwt_src_wait_state(&src, a, "open", 15.0);
	rwt_daemon_stop_clean(&stack.daemon);
	say("message", th, "seller", t + 2 * MINUTE_MS, NULL, NULL);
	say("message", th, "buyer", t + 3 * MINUTE_MS, NULL, b);
	start_daemon();
	rwt_src_wait_state(&src, a, "replied", 15.0);
	rwt_src_wait_state(&src, b, "open", 15.0);
	cr_assert_float_eq(response_of(a), 120.0, 1e-9);
	cr_assert_eq(rwt_src_tracked(&src), 2);
}

/* A 429 on a thread's messages ends the poll with nothing moved; the next
 * poll (after Retry-After) reads the same thread again. */
Test(allegro_msg, rate_limited_fan_out_loses_nothing)
{
	int64_t t = rw_now_ms() - 10 * MINUTE_MS;
	char th[ID_MAX], a[ID_MAX];

	json_decref(ctl("fault", "{'endpoint': 'messages', 'kind': '429', 'retry_after': 2,"
				 " 'reset_in': 2}"));
	new_thread("gina", "COMMON", th);
	say("message", th, "buyer", t, NULL, a);
	say("message", th, "seller", t + MINUTE_MS, NULL, NULL);
	start_daemon();
	rwt_src_wait_source_state(&src, "rate_limited", 10.0);
	rwt_src_wait_state(&src, a, "replied", 20.0);
	cr_assert_float_eq(response_of(a), 60.0, 1e-9);
}

/* Post-purchase issues: the buyer's chat messages are items in the issue's
 * conversation, the seller's the answer; a dispute that becomes a claim
 * keeps its items; an old open issue's new message is found (open issues
 * are walked whole). */
Test(allegro_msg, issues_and_their_chats)
{
	int64_t t = rw_now_ms() - 40 * MINUTE_MS;
	char issue[ID_MAX], old[ID_MAX], b1[ID_MAX], b2[ID_MAX], o1[ID_MAX], body[300];
	json_t *r, *m;

	snprintf(body, sizeof(body), "{'buyer': 'hank', 'opened_at': %lld}", (long long)t);
	r = ctl("issue", body);
	snprintf(issue, sizeof(issue), "%s", str(r, "id"));
	json_decref(r);
	snprintf(body, sizeof(body), "{'buyer': 'ivy', 'opened_at': %lld}",
		 (long long)(t - 24 * 60 * MINUTE_MS + MINUTE_MS));
	r = ctl("issue", body);
	snprintf(old, sizeof(old), "%s", str(r, "id"));
	json_decref(r);
	say("issue_message", issue, "buyer", t, NULL, b1);
	say("issue_message", issue, "admin", t + MINUTE_MS, NULL, NULL);
	say("issue_message", issue, "seller", t + 10 * MINUTE_MS, NULL, NULL);
	say("issue_message", issue, "buyer", t + 12 * MINUTE_MS, NULL, b2);
	start_daemon();
	rwt_src_wait_state(&src, b1, "replied", 15.0);
	rwt_src_wait_state(&src, b2, "open", 5.0);
	cr_assert_float_eq(response_of(b1), 600.0, 1e-9);
	m = rwt_src_mention(&src, b1);
	cr_assert_str_eq(str(m, "kind"), "message");
	cr_assert_str_eq(str(m, "conversation_id"), issue);
	json_decref(m);
	snprintf(body, sizeof(body), "{'id': '%s', 'type': 'CLAIM', 'status': 'CLAIM_SUBMITTED'}",
		 issue);
	json_decref(ctl("issue_update", body));
	say("issue_message", issue, "seller", rw_now_ms() - 1000, NULL, NULL);
	say("issue_message", old, "buyer", rw_now_ms() - 2000, NULL, o1);
	rwt_src_wait_state(&src, b2, "replied", 15.0);
	rwt_src_wait_state(&src, o1, "open", 15.0);
	cr_assert_eq(rwt_src_tracked(&src), 3);
}

/* The ratings' re-read by id lists every open item of the source: it took
 * buyer messages for ratings, asked /sale/user-ratings/ID, got 404 and
 * closed them as "deleted on platform" at the next poll. */
Test(allegro_msg, regression_open_messages_are_not_closed_by_the_ratings_reread)
{
	char th[ID_MAX], a[ID_MAX];
	json_t *reqs;

	new_thread("jo", "COMMON", th);
	say("message", th, "buyer", rw_now_ms() - MINUTE_MS, NULL, a);
	start_daemon();
	rwt_src_wait_state(&src, a, "open", 15.0);
	/* Several polls (one a second), each with its re-read. */
	for (int i = 0; i < 4; i++) {
		reqs = rwt_fake_requests(&stack.fake, PLATFORM, "threads");
		size_t before = json_array_size(reqs);

		json_decref(reqs);
		for (int k = 0; k < 50; k++) {
			reqs = rwt_fake_requests(&stack.fake, PLATFORM, "threads");
			size_t now = json_array_size(reqs);

			json_decref(reqs);
			if (now > before)
				break;
			usleep(100 * 1000);
		}
	}
	rwt_src_wait_state(&src, a, "open", 1.0);
	reqs = rwt_fake_requests(&stack.fake, PLATFORM, "rating");
	cr_assert_eq(json_array_size(reqs), 0, "a message read as a rating");
	json_decref(reqs);
}

/* Open issues are read whole each poll: a new message in an old open issue
 * beyond the first page of new issues (ordered by opening date) is found. */
Test(allegro_msg, a_new_message_in_an_old_open_issue_beyond_page_one)
{
	int64_t t = rw_now_ms() - 3 * 60 * MINUTE_MS;
	char old[ID_MAX], first[ID_MAX], b[ID_MAX], late[ID_MAX], body[200];
	json_t *r;

	snprintf(body, sizeof(body), "{'buyer': 'kim', 'opened_at': %lld}", (long long)t);
	r = ctl("issue", body);
	snprintf(old, sizeof(old), "%s", str(r, "id"));
	json_decref(r);
	for (int i = 0; i < 100; i++) {
		snprintf(body, sizeof(body), "{'buyer': 'lee', 'opened_at': %lld}",
			 (long long)(t + 60 * MINUTE_MS + i * MINUTE_MS));
		r = ctl("issue", body);
		if (i == 99)
			snprintf(first, sizeof(first), "%s", str(r, "id"));
		json_decref(r);
	}
	say("issue_message", first, "buyer", t + 61 * MINUTE_MS, NULL, b);
	start_daemon();
	rwt_src_wait_state(&src, b, "open", 20.0);
	say("issue_message", old, "buyer", rw_now_ms() - 1000, NULL, late);
	rwt_src_wait_state(&src, late, "open", 20.0);
}
