/*
 * The App Store Connect connector end to end: the real daemon polls the
 * fake App Store Connect API (tests/fakes/fake_app_store.c, which checks the
 * ES256 bearer JWT against the public key as Apple does) over loopback and
 * tracks customer reviews in a real redis-server. Backfill over two pages
 * (Apple's cursor), answers found on the review (also on an old review far
 * below page 1, within two polls, at the response's lastModifiedDate when
 * it was first seen PUBLISHED, not moved by a later edit; PENDING_PUBLISH
 * is no answer), reviews deleted while open, the JWT renewed before it
 * expires (test clock), a 401 that renews the token once, a revoked or
 * unusable key (down, actionable, never logged), the next page asked with
 * only links.next's cursor, 429 with and without Retry-After, server errors
 * and garbage, restarts that resume without doubles, and a max_rating
 * policy.
 */
#include <criterion/criterion.h>
#include <jansson.h>
#include <openssl/rsa.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "replywatch/clock.h"
#include "rwtest.h"
#include "rwtsrc.h"
#include "rwtkeys.h"

#define SOURCE "as"
#define APP_ID "682658836" /* the fake's app */
#define KEY_ID "2X9R4HXF34"
#define ISSUER_ID "57246542-96fe-1a63-e053-0824d011072a"
#define MINUTE_MS (60 * 1000LL)
#define ID_LEN 64

static struct rwt_stack stack;
static const struct rwt_src src = {&stack.daemon, SOURCE};
static char *key_path;  /* the .p8 (PKCS#8 PEM) the daemon signs with */
static char *key_line;  /* a line of its base64, to look for in logs */
static char *wrong_key; /* an RSA key's PEM file: not usable for ES256 */

static void
setup(void)
{
	EVP_PKEY *k = EVP_EC_gen("P-256"), *rsa = EVP_RSA_gen(2048);
	char *priv, *pub, *pub_path, *line;

	cr_assert_not_null(k);
	cr_assert_not_null(rsa);
	/* rwfake starts once the key it checks signatures with is written. */
	rwt_stack_up(&stack, false);
	priv = rwt_key_pem(k, true);
	pub = rwt_key_pem(k, false);
	key_path = rwt_write_file(stack.dir, "AuthKey_" KEY_ID ".p8", priv);
	pub_path = rwt_write_file(stack.dir, "apple.pub.pem", pub);
	line = strchr(priv, '\n') + 1; /* the first line of base64 */
	key_line = strndup(line, strcspn(line, "\n"));
	free(priv);
	priv = rwt_key_pem(rsa, true);
	wrong_key = rwt_write_file(stack.dir, "rsa.pem", priv);
	free(priv);
	free(pub);
	EVP_PKEY_free(k);
	EVP_PKEY_free(rsa);

	char *args[] = {"--app_store-public-key", pub_path, NULL};
	rwt_fake_start(&stack.fake, args);
	free(pub_path);
	/* Re-reading open reviews every poll spends far more than the fake's
	 * default window. */
	rwt_fake_unlimit(&stack.fake, "app_store");
}

static void
teardown(void)
{
	rwt_stack_down(&stack);
	free(key_path);
	free(key_line);
	free(wrong_key);
}

TestSuite(app_store, .init = setup, .fini = teardown, .timeout = 120);

/* One app_store source signing with the key file at pem_path, polling
 * every poll_every; angry reviews (2 stars or less) breach after 2 h,
 * others after 48 h. */
static void
start_daemon(const char *pem_path, const char *poll_every)
{
	char *top;

	cr_assert(
		asprintf(&top,
			 ",\n \"retention\": { \"backfill\": \"30d\" },\n"
			 " \"policies\": [ { \"name\": \"angry\", \"match\": { \"max_rating\": 2 },"
			 " \"breach_after\": \"2h\" },"
			 " { \"name\": \"reviews\", \"breach_after\": \"48h\" } ],\n"
			 " \"sources\": [ { \"name\": \"" SOURCE "\", \"type\": \"app_store\","
			 " \"base_url\": \"%s\", \"app_id\": \"" APP_ID "\","
			 " \"issuer_id\": \"" ISSUER_ID "\", \"key_id\": \"" KEY_ID "\","
			 " \"private_key\": \"file:%s\", \"poll_every\": \"%s\" } ]",
			 stack.fake.base, pem_path, poll_every) > 0);
	rwt_stack_start(&stack, top);
	free(top);
}

/* A control call on the fake's app_store ("review", "answer", ...); body
 * with ' for ". Caller decrefs. */
static json_t *
control(const char *what, const char *body)
{
	char path[64];

	snprintf(path, sizeof(path), "/_fake/app_store/%s", what);
	return rwt_fake_call(&stack.fake, "POST", path, body);
}

/* A review on the fake ("'rating': 1, 'title': ..."); its id into id. */
static void
add_review(const char *fields, int64_t created_ms, char id[ID_LEN + 1])
{
	char at[40], *body;
	json_t *r;

	rw_time_format(created_ms, at, sizeof(at));
	cr_assert(asprintf(&body, "{%s, 'created_at': '%s'}", fields, at) > 0);
	r = control("review", body);
	cr_assert_not_null(json_string_value(json_object_get(r, "id")));
	snprintf(id, ID_LEN + 1, "%s", json_string_value(json_object_get(r, "id")));
	json_decref(r);
	free(body);
}

/* what ("answer", "publish", "edit_answer", "delete") on review id, with
 * more fields (or NULL) and the time at (0: none). */
static void
act(const char *what, const char *id, const char *more, int64_t at_ms)
{
	char at[40], *body;

	rw_time_format(at_ms, at, sizeof(at));
	cr_assert(asprintf(&body, "{'review': '%s'%s%s%s%s%s}", id, more ? ", " : "",
			   more ? more : "", at_ms ? ", 'at': '" : "", at_ms ? at : "",
			   at_ms ? "'" : "") > 0);
	json_decref(control(what, body));
	free(body);
}

/* The review answered and PUBLISHED at answered_ms. */
static void
answer(const char *id, const char *text, int64_t answered_ms)
{
	char more[160];

	snprintf(more, sizeof(more), "'text': '%s', 'publish': true", text);
	act("answer", id, more, answered_ms);
}

/* The fake's log of endpoint ("customerReviews", "customerReview"), caller
 * decrefs. */
static json_t *
requests(const char *endpoint)
{
	return rwt_fake_requests(&stack.fake, "app_store", endpoint);
}

/* Requests of endpoint logged after after_ms whose query holds needle
 * (NULL: any) and whose status is status (0: any). */
static size_t
count_requests(const char *endpoint, int64_t after_ms, const char *needle, long status)
{
	json_t *list = requests(endpoint), *r;
	size_t i, n = 0;
	int64_t at;

	json_array_foreach(list, i, r)
	{
		cr_assert_eq(rw_time_parse(json_string_value(json_object_get(r, "at")), &at), 0);
		if (at > after_ms &&
		    (needle == NULL ||
		     strstr(json_string_value(json_object_get(r, "query")), needle)) &&
		    (status == 0 || json_integer_value(json_object_get(r, "status")) == status))
			n++;
	}
	json_decref(list);
	return n;
}

/* Neither the key nor a JWT (base64url of '{"', "eyJ") in the daemon's log
 * or /status. */
static void
assert_no_secret(void)
{
	struct rwt_response st = rwt_http(stack.daemon.http_port, "GET", "/status", NULL, NULL);
	char *log = rwt_daemon_log(&stack.daemon);

	cr_assert_eq(st.status, 200);
	cr_assert_null(strstr(st.body, key_line));
	cr_assert_null(strstr(st.body, "eyJ"), "a JWT in /status: %s", st.body);
	cr_assert_null(strstr(log, key_line));
	cr_assert_null(strstr(log, "eyJ"), "a JWT in the log:\n%s", log);
	rwt_response_free(&st);
	free(log);
}

/* 220 reviews, one every 10 minutes back from a minute ago: two pages of
 * Apple's 200. The oldest is ids[0]; the newest ids[219]. Every fifth is
 * answered (published) 30 minutes after it was written (not the newest
 * five), so 177 stay open:
 * two polls' worth of re-reads. */
#define BACKLOG 220
static char ids[BACKLOG][ID_LEN + 1];

static void
add_backlog(int64_t now)
{
	for (int i = 0; i < BACKLOG; i++) {
		int64_t at = now - MINUTE_MS - (int64_t)(BACKLOG - 1 - i) * 10 * MINUTE_MS;
		char fields[96];

		at -= at % 1000; /* Apple's times are whole seconds */
		snprintf(fields, sizeof(fields),
			 "'rating': %d, 'title': 'Review %d', 'author': 'C%d'", 1 + i % 5, i, i);
		add_review(fields, at, ids[i]);
		if (i % 5 == 3 && i < BACKLOG - 5)
			answer(ids[i], "Thank you", at + 30 * MINUTE_MS);
	}
}

/* Backfill over two pages: every review tracked with its fields, the ones
 * answered on the list replied at the response's lastModifiedDate; the
 * second page asked with Apple's cursor and our own parameters; every
 * request signed as Apple checks (auth ok). */
Test(app_store, backfill_two_pages)
{
	int64_t now = rw_now_ms();
	json_t *m;

	add_backlog(now);
	start_daemon(key_path, "1s");
	rwt_src_wait_tracked(&src, BACKLOG, 20.0);

	m = rwt_src_mention(&src, ids[219]);
	cr_assert_str_eq(json_string_value(json_object_get(m, "kind")), "review");
	cr_assert_eq(json_integer_value(json_object_get(m, "rating")), 5);
	cr_assert_str_eq(json_string_value(json_object_get(m, "author")), "C219");
	cr_assert_str_eq(json_string_value(json_object_get(m, "text")), "Review 219");
	cr_assert_str_eq(json_string_value(json_object_get(m, "state")), "open");
	json_decref(m);

	/* ids[3] is on page 2 (the 217th newest) and was answered on the list. */
	rwt_src_wait_state(&src, ids[3], "replied", 10.0);
	m = rwt_src_mention(&src, ids[3]);
	cr_assert_eq(json_number_value(json_object_get(m, "response_seconds")), 30 * 60.0, "%s",
		     json_dumps(m, 0));
	json_decref(m);

	cr_assert_geq(count_requests("customerReviews", 0, "cursor=", 200), 1);
	json_t *log = requests(NULL), *r;
	size_t i;
	json_array_foreach(log, i, r)
	{
		const char *q = json_string_value(json_object_get(r, "query"));

		cr_assert_str_eq(json_string_value(json_object_get(r, "auth")), "ok");
		if (strcmp(json_string_value(json_object_get(r, "endpoint")), "customerReviews") ==
		    0) {
			cr_assert(strstr(q, "sort=-createdDate") && strstr(q, "limit=200") &&
					  strstr(q, "include=response"),
				  "%s", q);
		}
	}
	json_decref(log);
	assert_no_secret();
}

struct polls_wait {
	int64_t after_ms;
	size_t n;
};

static bool
polls_started(void *arg)
{
	struct polls_wait *w = arg;

	return count_requests("customerReviews", w->after_ms, NULL, 0) >= w->n;
}

/* Waits until n polls have started after after_ms: n - 1 of them have
 * ended, re-reads included. */
static void
wait_polls(int64_t after_ms, size_t n, double timeout_s)
{
	struct polls_wait w = {after_ms, n};

	if (!rwt_wait_until(polls_started, &w, timeout_s))
		cr_assert_fail("fewer than %zu polls\n%s", n, rwt_daemon_log(&stack.daemon));
}

/* An answer to the OLDEST open review — on page 2, which later walks never
 * reach — is found by re-reading open reviews: not while it is
 * PENDING_PUBLISH, then within two polls of its publication, at the
 * response's lastModifiedDate to the second. */
Test(app_store, old_review_answer_within_two_polls)
{
	int64_t now = rw_now_ms(), published_at, made;
	char at[40];
	json_t *m;

	add_backlog(now);
	start_daemon(key_path, "1s");
	rwt_src_wait_tracked(&src, BACKLOG, 20.0);
	rwt_src_wait_state(&src, ids[0], "breached", 10.0); /* 1 star, 36 h old: past "angry" */

	/* Written but not published: the customer cannot see it yet. Two
	 * whole polls re-read every open review (176, 100 a poll). */
	act("answer", ids[0], "'text': 'So sorry, refund sent'", rw_now_ms() - 10 * MINUTE_MS);
	wait_polls(rw_now_ms(), 3, 20.0);
	rwt_src_wait_state(&src, ids[0], "breached", 0.1);

	published_at = rw_now_ms() - 5 * MINUTE_MS;
	published_at -= published_at % 1000;
	made = rw_now_ms();
	act("publish", ids[0], NULL, published_at);
	rwt_src_wait_state(&src, ids[0], "replied", 10.0);
	size_t polls = count_requests("customerReviews", made, NULL, 0);
	cr_assert_leq(polls, 2, "found after %zu polls", polls);

	m = rwt_src_mention(&src, ids[0]);
	rw_time_format(published_at, at, sizeof(at));
	cr_assert_str_eq(json_string_value(json_object_get(m, "replied_at")), at);
	cr_assert_str_eq(json_string_value(json_object_get(m, "policy")), "angry");
	json_decref(m);
	/* Later walks stop on page 1: the answer was not found by paging. */
	cr_assert_eq(count_requests("customerReviews", made, "cursor=", 0), 0);
}

/* An answer on page 1 is read again by every walk: its edit moves Apple's
 * lastModifiedDate, not the recorded reply time. */
Test(app_store, edited_answer_keeps_reply_time)
{
	int64_t created = rw_now_ms() - 150 * MINUTE_MS, answered;
	char id[ID_LEN + 1], at[40];
	json_t *m;

	created -= created % 1000;
	add_review("'rating': 2, 'text': 'Crashes on launch'", created, id);
	start_daemon(key_path, "1s");
	rwt_src_wait_state(&src, id, "breached", 10.0);
	answered = created + 20 * MINUTE_MS;
	answer(id, "Fixed in 2.1", answered);
	rwt_src_wait_state(&src, id, "replied", 10.0);
	act("edit_answer", id, "'text': 'Fixed in 2.1.1'", rw_now_ms() - 1000);
	wait_polls(rw_now_ms(), 3, 20.0);
	m = rwt_src_mention(&src, id);
	rw_time_format(answered, at, sizeof(at));
	cr_assert_str_eq(json_string_value(json_object_get(m, "replied_at")), at);
	cr_assert_eq(json_number_value(json_object_get(m, "response_seconds")), 20 * 60.0);
	json_decref(m);
}

/* A review deleted on the App Store while open is closed as such (the read
 * by id answers 404). */
Test(app_store, deleted_review_closes)
{
	char id[ID_LEN + 1], keep[ID_LEN + 1];
	json_t *m, *s;

	add_review("'rating': 2, 'text': 'Too many ads'", rw_now_ms() - 2 * MINUTE_MS, id);
	add_review("'rating': 4, 'text': 'Fine'", rw_now_ms() - MINUTE_MS, keep);
	start_daemon(key_path, "1s");
	rwt_src_wait_state(&src, id, "open", 10.0);

	act("delete", id, NULL, 0);
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

/* A 401 on a token the daemon thought good (Apple expired it early) ends
 * the poll, the next one signs a new JWT at once and goes on: the source is
 * never down. */
Test(app_store, unauthorized_renews_once)
{
	char id[ID_LEN + 1], late[ID_LEN + 1];
	int64_t t;
	json_t *s;

	add_review("'rating': 3", rw_now_ms() - MINUTE_MS, id);
	start_daemon(key_path, "1s");
	rwt_src_wait_state(&src, id, "open", 10.0);
	t = rw_now_ms();
	json_decref(rwt_fake_call(&stack.fake, "POST", "/_fake/app_store/fault",
				  "{'endpoint': 'customerReviews', 'kind': '401'}"));
	add_review("'rating': 5", rw_now_ms(), late);
	rwt_src_wait_state(&src, late, "open", 10.0);
	cr_assert_eq(count_requests("customerReviews", t, NULL, 401), 1);
	struct rwt_response met = rwt_http(stack.daemon.http_port, "GET", "/metrics", NULL, NULL);
	cr_assert(strstr(met.body, "replywatch_source_polls_total{source=\"" SOURCE
				   "\",result=\"token_expired\"} 1\n"),
		  "%s", met.body);
	cr_assert_null(strstr(met.body, "result=\"auth_error\"} 1"));
	rwt_response_free(&met);
	s = rwt_src_status(&src);
	cr_assert_str_eq(json_string_value(json_object_get(s, "state")), "ok");
	cr_assert_eq(json_integer_value(json_object_get(s, "consecutive_failures")), 0);
	json_decref(s);
	assert_no_secret();
}

/* A revoked key: a 401, a new JWT, a 401 again: down with a reason that
 * says what to fix, and no more tries than that; neither the key nor a JWT
 * in the log or /status. */
Test(app_store, revoked_key_down)
{
	char id[ID_LEN + 1];
	json_t *s;

	add_review("'rating': 1", rw_now_ms() - MINUTE_MS, id);
	start_daemon(key_path, "1s");
	rwt_src_wait_state(&src, id, "open", 10.0);
	json_decref(control("revoke", NULL));
	rwt_src_wait_source_state(&src, "down", 10.0);
	s = rwt_src_status(&src);
	const char *err = json_string_value(json_object_get(s, "last_error"));
	cr_assert_not_null(err);
	cr_assert(strstr(err, "HTTP 401") && strstr(err, "credentials rejected") &&
			  strstr(err, "signed bearer token"),
		  "%s", err);
	json_decref(s);
	/* One retry with a new token, then nothing (auth retries wait a minute). */
	cr_assert_eq(count_requests("customerReviews", 0, NULL, 401), 2);
	assert_no_secret();
}

/* A private_key that is no EC P-256 key: down at the first poll, with the
 * key's type named and nothing of it quoted, and nothing sent. */
Test(app_store, unusable_key_down)
{
	json_t *s;
	char *log;

	start_daemon(wrong_key, "1s");
	rwt_src_wait_source_state(&src, "down", 10.0);
	s = rwt_src_status(&src);
	const char *err = json_string_value(json_object_get(s, "last_error"));
	cr_assert_not_null(err);
	cr_assert(strstr(err, "private_key") && strstr(err, "ES256 needs an EC P-256 key") &&
			  strstr(err, ".p8"),
		  "%s", err);
	json_decref(s);
	json_t *reqs = requests(NULL);
	cr_assert_eq(json_array_size(reqs), 0);
	json_decref(reqs);
	log = rwt_daemon_log(&stack.daemon);
	cr_assert_null(strstr(log, "PRIVATE KEY"));
	free(log);
}

/* 429 with Retry-After: nothing is asked before it is over; 429 while the
 * X-Rate-Limit header still shows budget (no Retry-After, as Apple answers
 * bursts): backed off all the same; then the source is ok again. */
Test(app_store, rate_limited_backs_off)
{
	char id[ID_LEN + 1];
	int64_t limited_at, t;
	json_t *reqs, *r;
	size_t i;

	add_review("'rating': 3", rw_now_ms() - MINUTE_MS, id);
	start_daemon(key_path, "1s");
	rwt_src_wait_state(&src, id, "open", 10.0);
	json_decref(rwt_fake_call(&stack.fake, "POST", "/_fake/app_store/fault",
				  "{'endpoint': 'customerReviews', 'kind': '429', 'retry_after': 3,"
				  " 'reset_in': 3}"));
	rwt_src_wait_source_state(&src, "rate_limited", 10.0);
	limited_at = 0;
	reqs = requests("customerReviews");
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

	/* Without Retry-After, budget left in the header. */
	t = rw_now_ms();
	json_decref(rwt_fake_call(&stack.fake, "POST", "/_fake/app_store/fault",
				  "{'endpoint': 'customerReview', 'kind': '429', 'reset_in': 1}"));
	rwt_src_wait_source_state(&src, "rate_limited", 10.0);
	rwt_src_wait_source_state(&src, "ok", 15.0);
	cr_assert_geq(count_requests("customerReview", t, NULL, 429), 1);
	cr_assert(rwt_daemon_log_contains(&stack.daemon, "rate limited (HTTP 429)"));
}

/* A 500 on the read by id and a garbage list page fail polls (nothing lost)
 * and the source recovers by itself. */
Test(app_store, server_error_and_garbage_recover)
{
	char id[ID_LEN + 1], late[ID_LEN + 1];
	json_t *s;

	add_review("'rating': 2", rw_now_ms() - 2 * MINUTE_MS, id);
	start_daemon(key_path, "1s");
	rwt_src_wait_state(&src, id, "open", 10.0);
	json_decref(rwt_fake_call(&stack.fake, "POST", "/_fake/app_store/fault",
				  "{'endpoint': 'customerReview', 'kind': '500', 'count': 2}"));
	json_decref(
		rwt_fake_call(&stack.fake, "POST", "/_fake/app_store/fault",
			      "{'endpoint': 'customerReviews', 'kind': 'garbage', 'count': 2}"));
	add_review("'rating': 5", rw_now_ms(), late);
	answer(id, "Sorry", rw_now_ms());
	rwt_src_wait_state(&src, late, "open", 20.0);
	rwt_src_wait_state(&src, id, "replied", 20.0);
	rwt_src_wait_source_state(&src, "ok", 20.0);
	s = rwt_src_status(&src);
	cr_assert_str_eq(json_string_value(json_object_get(s, "state")), "ok");
	json_decref(s);
	cr_assert(rwt_daemon_log_contains(&stack.daemon, "malformed answer from customerReviews"));
	cr_assert(rwt_daemon_log_contains(&stack.daemon, "HTTP 500"));
}

/* A restart goes on from the stored watermark (page 1 only, no second
 * backfill) and nothing is doubled. */
Test(app_store, restart_resumes_without_doubles)
{
	int64_t now = rw_now_ms(), restarted;
	char fresh[3][ID_LEN + 1];

	add_backlog(now);
	start_daemon(key_path, "1s");
	rwt_src_wait_tracked(&src, BACKLOG, 20.0);
	rwt_daemon_stop_clean(&stack.daemon);

	for (int i = 0; i < 3; i++)
		add_review("'rating': 1, 'text': 'Again'", rw_now_ms() - 1000 * (3 - i), fresh[i]);
	restarted = rw_now_ms();
	rwt_daemon_cleanup(&stack.daemon);
	start_daemon(key_path, "1s");
	for (int i = 0; i < 3; i++)
		rwt_src_wait_state(&src, fresh[i], "open", 10.0);
	cr_assert_eq(rwt_src_tracked(&src), BACKLOG + 3);
	cr_assert_eq(count_requests("customerReviews", restarted, "cursor=", 0), 0);
}

/* A max_rating policy catches the 1-star review; a 5-star one is not;
 * a review without a nickname is by "anonymous". */
Test(app_store, max_rating_policy)
{
	char one[ID_LEN + 1], five[ID_LEN + 1];
	json_t *m;

	add_review("'rating': 1, 'title': 'Awful', 'text': 'Never again'", rw_now_ms() - MINUTE_MS,
		   one);
	add_review("'rating': 5, 'title': 'Great', 'author': 'Anne'", rw_now_ms() - MINUTE_MS,
		   five);
	start_daemon(key_path, "1s");
	rwt_src_wait_state(&src, one, "open", 10.0);
	rwt_src_wait_state(&src, five, "open", 10.0);
	m = rwt_src_mention(&src, one);
	cr_assert_str_eq(json_string_value(json_object_get(m, "policy")), "angry");
	cr_assert_str_eq(json_string_value(json_object_get(m, "text")), "Awful\n\nNever again");
	cr_assert_str_eq(json_string_value(json_object_get(m, "author")), "anonymous");
	json_decref(m);
	m = rwt_src_mention(&src, five);
	cr_assert_str_eq(json_string_value(json_object_get(m, "policy")), "reviews");
	cr_assert_str_eq(json_string_value(json_object_get(m, "author")), "Anne");
	json_decref(m);
}

static bool
cursor_asked(void *arg)
{
	(void)arg;
	return count_requests("customerReviews", 0, "cursor=", 0) > 0;
}

/* The next page is asked with the cursor of links.next sent back as it
 * was encoded (decoded once, encoded once: "a%2Bb%3D", not "a%252B..."),
 * on our own host and path with our own parameters: the host, path and
 * other parameters of links.next are never followed. */
Test(app_store, next_page_takes_only_the_cursor)
{
	char *fault, at[40];
	json_t *reqs, *r;
	size_t i;

	rw_time_format(rw_now_ms() - 60 * MINUTE_MS, at, sizeof(at));
	cr_assert(asprintf(&fault,
			   "{'endpoint': 'customerReviews', 'kind': 'answer', 'count': 1,"
			   " 'body': '{\\'data\\': [{\\'type\\': \\'customerReviews\\', \\'id\\':"
			   " \\'00000028-b08c-0014-729e-fbd500000000\\', \\'attributes\\':"
			   " {\\'rating\\': 4, \\'createdDate\\': \\'%s\\'}}], \\'links\\':"
			   " {\\'next\\': "
			   "\\'%s/elsewhere/customerReviews?limit=1&cursor=a%%2Bb%%3D\\'}}'}",
			   at, stack.fake.base) > 0);
	json_decref(rwt_fake_call(&stack.fake, "POST", "/_fake/app_store/fault", fault));
	free(fault);
	start_daemon(key_path, "1s");
	cr_assert(rwt_wait_until(cursor_asked, NULL, 10.0), "the second page was never asked\n%s",
		  rwt_daemon_log(&stack.daemon));
	reqs = requests("customerReviews");
	json_array_foreach(reqs, i, r)
	{
		const char *q = json_string_value(json_object_get(r, "query"));

		if (strstr(q, "cursor=") != NULL)
			cr_assert(strstr(q, "cursor=a%2Bb%3D") && strstr(q, "limit=200") &&
					  strstr(q, "sort=-createdDate") && !strstr(q, "limit=1&"),
				  "%s", q);
	}
	json_decref(reqs);
	reqs = requests("unknown");
	cr_assert_eq(json_array_size(reqs), 0);
	json_decref(reqs);
}

/* The 20-minute JWT is made anew before it expires: with the daemon's
 * clock (and the fake's JWT check) 21 minutes on, the next poll signs a
 * new token by itself and Apple never answers 401. */
Test(app_store, token_renewed_before_expiry)
{
	char id[ID_LEN + 1], late[ID_LEN + 1];
	int64_t t;

	add_review("'rating': 3", rw_now_ms() - MINUTE_MS, id);
	stack.daemon.test_clock = true;
	start_daemon(key_path, "5m"); /* no poll but the first until the clock moves */
	rwt_src_wait_state(&src, id, "open", 10.0);
	json_decref(control("settings", "{'clock_offset': 1260}"));
	add_review("'rating': 5", rw_now_ms(), late);
	t = rw_now_ms();
	rwt_clock_advance(&stack.daemon, 1260);
	rwt_src_wait_state(&src, late, "open", 10.0);
	cr_assert_eq(count_requests(NULL, t, NULL, 401), 0, "the expired JWT was sent\n%s",
		     rwt_daemon_log(&stack.daemon));
	cr_assert_geq(count_requests("customerReviews", t, NULL, 200), 1);
	assert_no_secret();
}
