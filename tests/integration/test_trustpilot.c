/*
 * The Trustpilot connector end to end: the real daemon polls the fake
 * Trustpilot API (tests/fakes/fake_trustpilot.c) over loopback and tracks
 * reviews in a real redis-server. Backfill over two pages, answers found on
 * the review (also on an old review far below page 1, within two polls,
 * at the fake's companyReply.createdAt exactly), reviews deleted while
 * open, a wrong API key (down, actionable, never logged), 429 with
 * Retry-After, server errors and garbage, restarts that resume without
 * doubles, and a max_rating policy.
 */
#include <criterion/criterion.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "replywatch/clock.h"
#include "rwtest.h"
#include "rwtsrc.h"

#define SOURCE "tp"
#define API_KEY "trustpilot-test-key"
#define BUSINESS_UNIT "46d6a890ffa235a75b00021d"
#define MINUTE_MS (60 * 1000LL)

static struct rwt_stack stack;
static const struct rwt_src src = {&stack.daemon, SOURCE};

static void
setup(void)
{
	rwt_stack_up(&stack, true);
	/* Re-reading open reviews every poll spends far more than the fake's
	 * default window (300 calls in 5 minutes). */
	rwt_fake_unlimit(&stack.fake, "trustpilot");
}

static void
teardown(void)
{
	rwt_stack_down(&stack);
}

TestSuite(trustpilot, .init = setup, .fini = teardown, .timeout = 120);

/* One trustpilot source with api_key, polling every poll_every; angry
 * reviews (2 stars or less) breach after 2 h, others after 48 h. */
static void
start_daemon(const char *api_key, const char *poll_every)
{
	char *top;

	cr_assert(
		asprintf(&top,
			 ",\n \"retention\": { \"backfill\": \"30d\" },\n"
			 " \"policies\": [ { \"name\": \"angry\", \"match\": { \"max_rating\": 2 },"
			 " \"breach_after\": \"2h\" },"
			 " { \"name\": \"reviews\", \"breach_after\": \"48h\" } ],\n"
			 " \"sources\": [ { \"name\": \"" SOURCE "\", \"type\": \"trustpilot\","
			 " \"base_url\": \"%s\", \"business_unit_id\": \"" BUSINESS_UNIT "\","
			 " \"api_key\": \"%s\", \"poll_every\": \"%s\" } ]",
			 stack.fake.base, api_key, poll_every) > 0);
	rwt_stack_start(&stack, top);
	free(top);
}

/* A review on the fake (' for " in fields, e.g. "'stars': 1"); its id
 * into id (25 bytes). */
static void
add_review(const char *fields, int64_t created_ms, char *id)
{
	char at[40], *body;
	json_t *r;

	rw_time_format(created_ms, at, sizeof(at));
	cr_assert(asprintf(&body, "{%s%s'created_at': '%s'}", fields, *fields ? ", " : "", at) > 0);
	r = rwt_fake_call(&stack.fake, "POST", "/_fake/trustpilot/review", body);
	cr_assert_str_eq(json_string_value(json_object_get(r, "createdAt")), at);
	snprintf(id, 25, "%s", json_string_value(json_object_get(r, "id")));
	json_decref(r);
	free(body);
}

/* The fake answers review id at answered_ms. */
static void
answer(const char *id, const char *text, int64_t answered_ms)
{
	char at[40], *body;

	rw_time_format(answered_ms, at, sizeof(at));
	cr_assert(asprintf(&body, "{'id': '%s', 'text': '%s', 'created_at': '%s'}", id, text, at) >
		  0);
	json_decref(rwt_fake_call(&stack.fake, "POST", "/_fake/trustpilot/answer", body));
	free(body);
}

/* The fake's log of endpoint ("reviews", "review"), caller decrefs. */
static json_t *
requests(const char *endpoint)
{
	return rwt_fake_requests(&stack.fake, "trustpilot", endpoint);
}

/* Requests of endpoint logged after after_ms whose query holds needle
 * (NULL: any). */
static size_t
count_requests(const char *endpoint, int64_t after_ms, const char *needle)
{
	json_t *list = requests(endpoint), *r;
	size_t i, n = 0;
	int64_t at;

	json_array_foreach(list, i, r)
	{
		cr_assert_eq(rw_time_parse(json_string_value(json_object_get(r, "at")), &at), 0);
		if (at > after_ms &&
		    (needle == NULL ||
		     strstr(json_string_value(json_object_get(r, "query")), needle)))
			n++;
	}
	json_decref(list);
	return n;
}

/* 150 reviews, one every 10 minutes back from a minute ago: two pages of
 * the list. The oldest is ids[0]; the newest ids[149]. Every tenth is
 * answered 30 minutes after it was written. */
#define BACKLOG 150
static char ids[BACKLOG][25];

static void
add_backlog(int64_t now)
{
	for (int i = 0; i < BACKLOG; i++) {
		int64_t at = now - MINUTE_MS - (int64_t)(BACKLOG - 1 - i) * 10 * MINUTE_MS;
		char fields[96];

		snprintf(fields, sizeof(fields),
			 "'stars': %d, 'title': 'Review %d', 'author': 'C%d'", 1 + i % 5, i, i);
		add_review(fields, at, ids[i]);
		if (i % 10 == 5)
			answer(ids[i], "Thank you", at + 30 * MINUTE_MS);
	}
}

/* Backfill over two pages: every review tracked with its fields, the ones
 * answered on the list replied at the fake's companyReply.createdAt; the key
 * went in the apikey header only. */
Test(trustpilot, backfill_two_pages)
{
	int64_t now = rw_now_ms();
	json_t *m;

	add_backlog(now);
	start_daemon(API_KEY, "1s");
	rwt_src_wait_tracked(&src, BACKLOG, 20.0);

	m = rwt_src_mention(&src, ids[149]);
	cr_assert_str_eq(json_string_value(json_object_get(m, "kind")), "review");
	cr_assert_eq(json_integer_value(json_object_get(m, "rating")), 5);
	cr_assert_str_eq(json_string_value(json_object_get(m, "author")), "C149");
	cr_assert_str_eq(json_string_value(json_object_get(m, "text")), "Review 149");
	char url[96];
	snprintf(url, sizeof(url), "https://www.trustpilot.com/reviews/%s", ids[149]);
	cr_assert_str_eq(json_string_value(json_object_get(m, "url")), url);
	cr_assert_str_eq(json_string_value(json_object_get(m, "state")), "open");
	json_decref(m);

	/* ids[5] is on page 2 (the 145th newest) and was answered on the list. */
	rwt_src_wait_state(&src, ids[5], "replied", 10.0);
	m = rwt_src_mention(&src, ids[5]);
	cr_assert_eq(json_number_value(json_object_get(m, "response_seconds")), 30 * 60.0, "%s",
		     json_dumps(m, 0));
	json_decref(m);

	cr_assert_geq(count_requests("reviews", 0, "page=2"), 1);
	cr_assert_eq(count_requests("reviews", 0, "apikey"), 0);
	cr_assert_eq(count_requests("review", 0, "apikey"), 0);
	json_t *log = requests(NULL), *r;
	size_t i;
	json_array_foreach(log, i, r)
		cr_assert_str_eq(json_string_value(json_object_get(r, "auth")), "ok");
	json_decref(log);
}

/* An answer to the OLDEST open review — on page 2, which later walks never
 * reach — is found by re-reading open reviews: within two polls of the
 * answer appearing (150 open, 100 re-read a poll), at the fake's
 * companyReply.createdAt to the millisecond. */
Test(trustpilot, old_review_answer_within_two_polls)
{
	int64_t now = rw_now_ms(), answered_at, made;
	char at[40];
	json_t *m;

	add_backlog(now);
	start_daemon(API_KEY, "2s");
	rwt_src_wait_tracked(&src, BACKLOG, 20.0);
	rwt_src_wait_state(&src, ids[0], "breached", 10.0); /* 1 star, 25 h old: past "angry" */

	answered_at = rw_now_ms() - 5 * MINUTE_MS + 123;
	made = rw_now_ms();
	answer(ids[0], "So sorry, refund sent", answered_at);
	rwt_src_wait_state(&src, ids[0], "replied", 10.0);
	size_t polls = count_requests("reviews", made, "page=1");
	cr_assert_leq(polls, 2, "found after %zu polls", polls);

	m = rwt_src_mention(&src, ids[0]);
	rw_time_format(answered_at, at, sizeof(at));
	cr_assert_str_eq(json_string_value(json_object_get(m, "replied_at")), at);
	cr_assert_str_eq(json_string_value(json_object_get(m, "policy")), "angry");
	json_decref(m);
	/* Later walks stop on page 1: the answer was not found by paging. */
	cr_assert_eq(count_requests("reviews", made, "page=2"), 0);
}

/* A review deleted on Trustpilot while open is closed as such. */
Test(trustpilot, deleted_review_closes)
{
	char id[25], keep[25], *body;
	json_t *m, *s;

	add_review("'stars': 2, 'text': 'Rude staff'", rw_now_ms() - 2 * MINUTE_MS, id);
	add_review("'stars': 4, 'text': 'Fine'", rw_now_ms() - MINUTE_MS, keep);
	start_daemon(API_KEY, "1s");
	rwt_src_wait_state(&src, id, "open", 10.0);

	cr_assert(asprintf(&body, "{'id': '%s'}", id) > 0);
	json_decref(rwt_fake_call(&stack.fake, "POST", "/_fake/trustpilot/delete", body));
	free(body);
	rwt_src_wait_state(&src, id, "closed", 10.0);
	m = rwt_src_mention(&src, id);
	cr_assert_str_eq(json_string_value(json_object_get(m, "close_reason")),
			 "deleted on platform");
	json_decref(m);
	rwt_src_wait_state(&src, keep, "open", 1.0);
	s = rwt_src_status(&src);
	cr_assert_eq(json_integer_value(json_object_get(s, "items_closed_deleted")), 1);
	cr_assert_str_eq(json_string_value(json_object_get(s, "state")), "ok");
	json_decref(s);
	cr_assert(rwt_daemon_log_contains(&stack.daemon, "deleted on platform"));
}

/* A wrong key: down at once with a reason that says what to fix; the key
 * is in no log line and not in /status; it was sent as a header. */
Test(trustpilot, wrong_api_key_down)
{
	static const char wrong[] = "tp-WRONG-key-7Qx9";
	char id[25];
	json_t *s;
	char *text, *log;

	add_review("'stars': 1", rw_now_ms() - MINUTE_MS, id);
	start_daemon(wrong, "1s");
	rwt_src_wait_source_state(&src, "down", 10.0);
	s = rwt_src_status(&src);
	const char *err = json_string_value(json_object_get(s, "last_error"));
	cr_assert_not_null(err);
	cr_assert(strstr(err, "HTTP 401") && strstr(err, "Invalid ApiKey"), "%s", err);
	text = json_dumps(s, 0);
	cr_assert_null(strstr(text, wrong));
	free(text);
	json_decref(s);
	struct rwt_response st = rwt_http(stack.daemon.http_port, "GET", "/status", NULL, NULL);
	cr_assert_null(strstr(st.body, wrong));
	rwt_response_free(&st);
	log = rwt_daemon_log(&stack.daemon);
	cr_assert_null(strstr(log, wrong));
	free(log);

	json_t *reqs = requests("reviews"), *r;
	size_t i;
	cr_assert_gt(json_array_size(reqs), 0);
	json_array_foreach(reqs, i, r)
	{
		/* "wrong", not "missing": the key came, in the header. */
		cr_assert_str_eq(json_string_value(json_object_get(r, "auth")), "wrong");
		cr_assert_null(strstr(json_string_value(json_object_get(r, "query")), "apikey"));
	}
	json_decref(reqs);
}

/* 429 with Retry-After: nothing is asked before it is over, then the source
 * is ok again. */
Test(trustpilot, rate_limited_waits)
{
	char id[25];
	int64_t limited_at, t;
	json_t *reqs, *r;
	size_t i;

	add_review("'stars': 3", rw_now_ms() - MINUTE_MS, id);
	start_daemon(API_KEY, "1s");
	rwt_src_wait_state(&src, id, "open", 10.0);
	json_decref(rwt_fake_call(&stack.fake, "POST", "/_fake/trustpilot/fault",
				  "{'endpoint': 'reviews', 'kind': '429', 'retry_after': 3,"
				  " 'reset_in': 3}"));
	rwt_src_wait_source_state(&src, "rate_limited", 10.0);
	/* The 429's own time, from the fake's log. */
	limited_at = 0;
	reqs = requests("reviews");
	json_array_foreach(reqs, i, r)
	{
		if (json_integer_value(json_object_get(r, "status")) == 429 && limited_at == 0)
			cr_assert_eq(rw_time_parse(json_string_value(json_object_get(r, "at")),
						   &limited_at),
				     0);
	}
	json_decref(reqs);
	cr_assert_gt(limited_at, 0);
	rwt_src_wait_source_state(&src, "ok", 15.0);
	reqs = requests(NULL);
	json_array_foreach(reqs, i, r)
	{
		cr_assert_eq(rw_time_parse(json_string_value(json_object_get(r, "at")), &t), 0);
		cr_assert(t <= limited_at || t >= limited_at + 2900,
			  "a request %lld ms after the 429", (long long)(t - limited_at));
	}
	json_decref(reqs);
}

/* A 500 on the read by id and a garbage list page fail polls (nothing lost)
 * and the source recovers by itself. */
Test(trustpilot, server_error_and_garbage_recover)
{
	char id[25], late[25];
	json_t *s;

	add_review("'stars': 2", rw_now_ms() - 2 * MINUTE_MS, id);
	start_daemon(API_KEY, "1s");
	rwt_src_wait_state(&src, id, "open", 10.0);
	json_decref(rwt_fake_call(&stack.fake, "POST", "/_fake/trustpilot/fault",
				  "{'endpoint': 'review', 'kind': '500', 'count': 2}"));
	json_decref(rwt_fake_call(&stack.fake, "POST", "/_fake/trustpilot/fault",
				  "{'endpoint': 'reviews', 'kind': 'garbage', 'count': 2}"));
	add_review("'stars': 5", rw_now_ms(), late);
	answer(id, "Sorry", rw_now_ms());
	rwt_src_wait_state(&src, late, "open", 20.0);
	rwt_src_wait_state(&src, id, "replied", 20.0);
	rwt_src_wait_source_state(&src, "ok", 20.0);
	s = rwt_src_status(&src);
	cr_assert_str_eq(json_string_value(json_object_get(s, "state")), "ok");
	json_decref(s);
	cr_assert(rwt_daemon_log_contains(&stack.daemon, "malformed answer from reviews"));
}

/* A restart goes on from the stored watermark (page 1 only, no second
 * backfill) and nothing is doubled; an edit changes nothing. */
Test(trustpilot, restart_resumes_without_doubles)
{
	int64_t now = rw_now_ms(), restarted;
	char fresh[3][25], *body;

	add_backlog(now);
	start_daemon(API_KEY, "1s");
	rwt_src_wait_tracked(&src, BACKLOG, 20.0);
	rwt_daemon_stop_clean(&stack.daemon);

	for (int i = 0; i < 3; i++)
		add_review("'stars': 1, 'text': 'Again'", rw_now_ms() - 100 + i, fresh[i]);
	cr_assert(asprintf(&body, "{'id': '%s', 'text': 'Edited text'}", ids[100]) > 0);
	json_decref(rwt_fake_call(&stack.fake, "POST", "/_fake/trustpilot/edit", body));
	free(body);
	restarted = rw_now_ms();
	rwt_daemon_cleanup(&stack.daemon);
	start_daemon(API_KEY, "1s");
	for (int i = 0; i < 3; i++)
		rwt_src_wait_state(&src, fresh[i], "open", 10.0);
	cr_assert_eq(rwt_src_tracked(&src), BACKLOG + 3);
	cr_assert_eq(count_requests("reviews", restarted, "page=2"), 0);
	json_t *m = rwt_src_mention(&src, ids[100]);
	cr_assert_str_eq(json_string_value(json_object_get(m, "text")), "Review 100");
	json_decref(m);
}

/* A max_rating policy catches the 1-star review; a 5-star one is not. */
Test(trustpilot, max_rating_policy)
{
	char one[25], five[25];
	json_t *m;

	add_review("'stars': 1, 'title': 'Awful', 'text': 'Never again'", rw_now_ms() - MINUTE_MS,
		   one);
	add_review("'stars': 5, 'title': 'Great'", rw_now_ms() - MINUTE_MS, five);
	start_daemon(API_KEY, "1s");
	rwt_src_wait_state(&src, one, "open", 10.0);
	rwt_src_wait_state(&src, five, "open", 10.0);
	m = rwt_src_mention(&src, one);
	cr_assert_str_eq(json_string_value(json_object_get(m, "policy")), "angry");
	cr_assert_str_eq(json_string_value(json_object_get(m, "text")), "Awful\n\nNever again");
	json_decref(m);
	m = rwt_src_mention(&src, five);
	cr_assert_str_eq(json_string_value(json_object_get(m, "policy")), "reviews");
	json_decref(m);
}

static bool
faults_used(void *arg)
{
	json_t *st = rwt_fake_call(&stack.fake, "GET", "/_fake/state", NULL);
	json_int_t pending = json_integer_value(
		json_object_get(json_object_get(st, "trustpilot"), "faults_pending"));

	(void)arg;
	json_decref(st);
	return pending == 0;
}

static bool
six_reads(void *arg)
{
	(void)arg;
	return count_requests("review", 0, NULL) >= 6;
}

/* Every read by id answering 404 at once (a proxy or base_url that does
 * not route /v1/reviews/) closes nothing: closing is for good. */
Test(trustpilot, all_gone_at_once_closes_nothing)
{
	char id[6][25];
	json_t *s;

	for (int i = 0; i < 6; i++)
		add_review("'stars': 3", rw_now_ms() - (6 - i) * MINUTE_MS, id[i]);
	start_daemon(API_KEY, "1s");
	for (int i = 0; i < 6; i++)
		rwt_src_wait_state(&src, id[i], "open", 10.0);
	json_decref(
		rwt_fake_call(&stack.fake, "POST", "/_fake/trustpilot/fault",
			      "{'endpoint': 'review', 'kind': 'answer', 'status': 404, 'count': 6,"
			      " 'body': '{}'}"));
	cr_assert(rwt_wait_until(faults_used, NULL, 10.0), "the 404s were never asked for");
	/* The next poll reads them all again, found. */
	rwt_src_wait_source_state(&src, "ok", 5.0);
	json_decref(rwt_fake_call(&stack.fake, "DELETE", "/_fake/requests", NULL));
	cr_assert(rwt_wait_until(faults_used, NULL, 1.0));
	cr_assert(rwt_wait_until(six_reads, NULL, 5.0));
	for (int i = 0; i < 6; i++)
		rwt_src_wait_state(&src, id[i], "open", 1.0);
	s = rwt_src_status(&src);
	cr_assert_eq(json_integer_value(json_object_get(s, "items_closed_deleted")), 0);
	json_decref(s);
	cr_assert(rwt_daemon_log_contains(&stack.daemon, "nothing closed"));
}
