/*
 * The Google Play connector end to end: the real daemon signs in to the
 * fake Google token endpoint with a service account key made here (the fake
 * verifies the RS256 assertion against its public key), polls the fake
 * Play Developer API (tests/fakes/fake_google_play.c) over loopback and
 * tracks reviews in a real redis-server. Backfill over two pages, answers
 * found on the review (an old one within two polls, at the fake's
 * developerComment.lastModified exactly, not moved by a later edit; one past
 * Play's 7-day list window by re-reading it), deleted reviews that Play
 * cannot tell apart from old ones, short-lived tokens renewed, a revoked key
 * (down, actionable, never logged), 429, server errors and garbage,
 * restarts, a max_rating policy and the warning of a source that fell more
 * than 7 days behind.
 */
#include <criterion/criterion.h>
#include <hiredis/hiredis.h>
#include <jansson.h>
#include <openssl/rsa.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "replywatch/clock.h"
#include "rwtest.h"
#include "rwtsrc.h"
#include "rwtkeys.h"

#define SOURCE "gp"
#define PACKAGE "com.acme.app"
#define SA_EMAIL "replywatch@acme-reviews.iam.gserviceaccount.com"
#define MINUTE_MS (60 * 1000LL)
#define DAY_MS (24 * 60 * MINUTE_MS)

static struct rwt_stack stack;
static const struct rwt_src src = {&stack.daemon, SOURCE};
static char *key_pem;   /* the service account's private key (PEM) */
static char *key_path;  /* that PEM in a file */
static char *json_path; /* the whole JSON key file */

/* A JSON key file as the Cloud console downloads it. */
static void
write_json_key(void)
{
	json_t *v = json_pack("{s:s, s:s, s:s, s:s, s:s}", "type", "service_account", "project_id",
			      "acme-reviews", "private_key_id", "0123abcd", "private_key", key_pem,
			      "client_email", SA_EMAIL);
	char *text = json_dumps(v, JSON_INDENT(2));

	json_path = rwt_write_file(stack.dir, "sa.json", text);
	free(text);
	json_decref(v);
}

static void
setup(void)
{
	EVP_PKEY *k = EVP_RSA_gen(2048);
	char *pub, *pub_path;

	cr_assert_not_null(k);
	/* rwfake starts once the key it checks signatures with is written. */
	rwt_stack_up(&stack, false);
	key_pem = rwt_key_pem(k, true);
	pub = rwt_key_pem(k, false);
	EVP_PKEY_free(k);
	key_path = rwt_write_file(stack.dir, "sa.pem", key_pem);
	pub_path = rwt_write_file(stack.dir, "sa.pub.pem", pub);
	write_json_key();
	char *args[] = {"--google_play-public-key", pub_path, NULL};
	rwt_fake_start(&stack.fake, args);
	free(pub);
	free(pub_path);
}

static void
teardown(void)
{
	rwt_stack_down(&stack);
	free(key_pem);
	free(key_path);
	free(json_path);
}

TestSuite(google_play, .init = setup, .fini = teardown, .timeout = 120);

/* One google_play source polling every poll_every, its key given as key
 * (a secret reference) and client_email unless NULL; angry reviews (2
 * stars or less) breach after 2 h, others after 48 h. */
static void
start_daemon_with(const char *key, const char *email, const char *poll_every)
{
	char *top, email_kv[128] = "";

	if (email != NULL)
		snprintf(email_kv, sizeof(email_kv), " \"client_email\": \"%s\",", email);
	cr_assert(
		asprintf(&top,
			 ",\n \"retention\": { \"backfill\": \"30d\" },\n"
			 " \"policies\": [ { \"name\": \"angry\", \"match\": { \"max_rating\": 2 },"
			 " \"breach_after\": \"2h\" },"
			 " { \"name\": \"reviews\", \"breach_after\": \"48h\" } ],\n"
			 " \"sources\": [ { \"name\": \"" SOURCE "\", \"type\": \"google_play\","
			 " \"base_url\": \"%s\", \"token_url\": \"%s/token\","
			 " \"package_name\": \"" PACKAGE "\",%s"
			 " \"private_key\": \"file:%s\", \"poll_every\": \"%s\" } ]",
			 stack.fake.base, stack.fake.base, email_kv, key, poll_every) > 0);
	rwt_stack_start(&stack, top);
	free(top);
}

/* The usual source: the PEM key with client_email. */
static void
start_daemon(const char *poll_every)
{
	start_daemon_with(key_path, SA_EMAIL, poll_every);
}

/* A review on the fake (' for " in fields, e.g. "'rating': 1"), written at
 * created_ms; its id into id (64 bytes). */
static void
add_review(const char *fields, int64_t created_ms, char *id)
{
	char at[40], *body;
	json_t *r;

	rw_time_format(created_ms, at, sizeof(at));
	cr_assert(asprintf(&body, "{%s, 'created_at': '%s'}", fields, at) > 0);
	r = rwt_fake_call(&stack.fake, "POST", "/_fake/google_play/review", body);
	snprintf(id, 64, "%s", json_string_value(json_object_get(r, "id")));
	cr_assert_neq(id[0], '\0');
	json_decref(r);
	free(body);
}

/* The fake's control call what ("answer", "edit_answer", "delete") on
 * review id, with text at at_ms when text is not NULL. */
static void
act(const char *what, const char *id, const char *text, int64_t at_ms)
{
	char at[40], path[64], *body;

	rw_time_format(at_ms, at, sizeof(at));
	if (text != NULL)
		cr_assert(asprintf(&body, "{'review': '%s', 'text': '%s', 'at': '%s'}", id, text,
				   at) > 0);
	else
		cr_assert(asprintf(&body, "{'review': '%s'}", id) > 0);
	snprintf(path, sizeof(path), "/_fake/google_play/%s", what);
	json_decref(rwt_fake_call(&stack.fake, "POST", path, body));
	free(body);
}

/* Requests of platform/endpoint logged after after_ms whose query holds
 * needle (NULL: any). */
static size_t
count_requests(const char *platform, const char *endpoint, int64_t after_ms, const char *needle)
{
	json_t *list = rwt_fake_requests(&stack.fake, platform, endpoint), *r;
	size_t i, n = 0;
	int64_t at;

	json_array_foreach(list, i, r)
	{
		const char *q = json_string_value(json_object_get(r, "query"));

		cr_assert_eq(rw_time_parse(json_string_value(json_object_get(r, "at")), &at), 0);
		if (at > after_ms && (needle == NULL || (q && strstr(q, needle))))
			n++;
	}
	json_decref(list);
	return n;
}

/* The first list page a poll asks for (no token). */
static size_t
polls_since(int64_t after_ms)
{
	json_t *list = rwt_fake_requests(&stack.fake, "google_play", "reviews"), *r;
	size_t i, n = 0;
	int64_t at;

	json_array_foreach(list, i, r)
	{
		const char *q = json_string_value(json_object_get(r, "query"));

		cr_assert_eq(rw_time_parse(json_string_value(json_object_get(r, "at")), &at), 0);
		if (at > after_ms && (q == NULL || strstr(q, "token=") == NULL))
			n++;
	}
	json_decref(list);
	return n;
}

/* No secret anywhere a person or a log collector reads. */
static void
assert_no_secret(void)
{
	static const char *const needles[] = {"PRIVATE KEY", "MIIE", "ya29.", "assertion=", "eyJ"};
	char *log = rwt_daemon_log(&stack.daemon);
	struct rwt_response st = rwt_http(stack.daemon.http_port, "GET", "/status", NULL, NULL);

	for (size_t i = 0; i < sizeof(needles) / sizeof(needles[0]); i++) {
		cr_assert_null(strstr(log, needles[i]), "log holds %s", needles[i]);
		cr_assert_null(strstr(st.body, needles[i]), "/status holds %s", needles[i]);
	}
	rwt_response_free(&st);
	free(log);
}

/* 150 reviews, one every 10 minutes back from a minute ago: two pages of
 * the list (100 a page). The oldest is ids[0]; the newest ids[149]. Every
 * tenth is answered 30 minutes after it was written. */
#define BACKLOG 150
static char ids[BACKLOG][64];

static void
add_backlog(int64_t now)
{
	for (int i = 0; i < BACKLOG; i++) {
		int64_t at = now - MINUTE_MS - (int64_t)(BACKLOG - 1 - i) * 10 * MINUTE_MS;
		char fields[96];

		snprintf(fields, sizeof(fields),
			 "'rating': %d, 'text': 'Review %d', 'author': 'C%d'", 1 + i % 5, i, i);
		add_review(fields, at, ids[i]);
		if (i % 10 == 5)
			act("answer", ids[i], "Thank you", at + 30 * MINUTE_MS);
	}
}

/* Backfill over two pages with the whole JSON key file as private_key (no
 * client_email): every review tracked with its fields, those answered on
 * the list replied at the developerComment's lastModified; the access
 * token came from the JWT-bearer grant and went in a header only. */
Test(google_play, backfill_two_pages_with_json_key)
{
	int64_t now = rw_now_ms();
	json_t *m, *log, *r;
	size_t i;

	add_backlog(now);
	start_daemon_with(json_path, NULL, "1s");
	rwt_src_wait_tracked(&src, BACKLOG, 20.0);

	m = rwt_src_mention(&src, ids[149]);
	cr_assert_str_eq(json_string_value(json_object_get(m, "kind")), "review");
	cr_assert_eq(json_integer_value(json_object_get(m, "rating")), 5);
	cr_assert_str_eq(json_string_value(json_object_get(m, "author")), "C149");
	cr_assert_str_eq(json_string_value(json_object_get(m, "text")), "Review 149");
	cr_assert_str_eq(json_string_value(json_object_get(m, "state")), "open");
	json_decref(m);

	/* ids[5] is on page 2 (the 145th newest) and was answered on the list. */
	rwt_src_wait_state(&src, ids[5], "replied", 10.0);
	m = rwt_src_mention(&src, ids[5]);
	cr_assert_eq(json_number_value(json_object_get(m, "response_seconds")), 30 * 60.0, "%s",
		     json_dumps(m, 0));
	json_decref(m);

	cr_assert_geq(count_requests("google_play", "reviews", 0, "token="), 1);
	cr_assert_geq(count_requests("google_play", "reviews", 0, "maxResults=100"), 1);
	cr_assert_geq(count_requests("google_oauth", "token", 0, NULL), 1);
	log = rwt_fake_requests(&stack.fake, NULL, NULL);
	json_array_foreach(log, i, r)
	{
		const char *q = json_string_value(json_object_get(r, "query"));

		cr_assert_str_eq(json_string_value(json_object_get(r, "auth")), "ok", "%s",
				 json_dumps(r, 0));
		cr_assert(q == NULL ||
			  (strstr(q, "assertion") == NULL && strstr(q, "ya29") == NULL));
	}
	json_decref(log);
	assert_no_secret();
}

#define OLD 20 /* 1 star, 21 h old */

static bool
three_polls_since(void *arg)
{
	return polls_since(*(int64_t *)arg) >= 3;
}

/* An answer to an old open review on page 2 (below the 100 newest) is
 * found within two polls, also when Play will not read it by id,
 * at the fake's developerComment.lastModified to the millisecond; an edit
 * of the answer later does not move the recorded reply time. */
Test(google_play, old_review_answer_exact_time_not_moved_by_edit)
{
	int64_t now = rw_now_ms(), answered_at, made;
	char at[40];
	json_t *m;

	add_backlog(now);
	start_daemon("2s");
	rwt_src_wait_tracked(&src, BACKLOG, 20.0);
	rwt_src_wait_state(&src, ids[OLD], "breached", 10.0); /* past "angry" */

	/* Play's reviews.get may fail for older reviews: with every read by id
	 * answering 404 for two polls, the walk of the list must find it. */
	json_decref(rwt_fake_call(&stack.fake, "POST", "/_fake/google_play/fault",
				  "{'endpoint': 'review', 'kind': 'answer', 'status': 404,"
				  " 'count': 40, 'body': '{}'}"));
	answered_at = rw_now_ms() - 5 * MINUTE_MS + 123;
	made = rw_now_ms();
	act("answer", ids[OLD], "So sorry, fixed in 1.2.1", answered_at);
	rwt_src_wait_state(&src, ids[OLD], "replied", 10.0);
	size_t polls = polls_since(made);
	cr_assert_leq(polls, 2, "found after %zu polls", polls);

	m = rwt_src_mention(&src, ids[OLD]);
	rw_time_format(answered_at, at, sizeof(at));
	cr_assert_str_eq(json_string_value(json_object_get(m, "replied_at")), at);
	cr_assert_str_eq(json_string_value(json_object_get(m, "policy")), "angry");
	json_decref(m);

	/* The developer edits the answer: Play's lastModified moves, ours not. */
	made = rw_now_ms();
	act("edit_answer", ids[OLD], "So sorry, fixed in 1.2.2", made);
	cr_assert(rwt_wait_until(three_polls_since, &made, 10.0));
	m = rwt_src_mention(&src, ids[OLD]);
	cr_assert_str_eq(json_string_value(json_object_get(m, "replied_at")), at);
	cr_assert_str_eq(json_string_value(json_object_get(m, "state")), "replied");
	json_decref(m);
}

/* A review that has left Play's list window (the fake's window shrunk to a
 * minute) is answered: re-reading open reviews by id finds it within two
 * polls, at the answer's time. */
Test(google_play, answer_past_the_list_window_found_by_rereading)
{
	char id[64], other[64], at[40];
	int64_t answered_at, made;
	json_t *m;

	add_review("'rating': 2, 'text': 'Crashes on start'", rw_now_ms() - 3 * DAY_MS, id);
	add_review("'rating': 4, 'text': 'Nice'", rw_now_ms() - DAY_MS, other);
	start_daemon("1s");
	rwt_src_wait_state(&src, id, "breached", 10.0);
	json_decref(rwt_fake_call(&stack.fake, "POST", "/_fake/google_play/settings",
				  "{'list_window': 60}"));
	answered_at = rw_now_ms() - 2000;
	made = rw_now_ms();
	act("answer", id, "We fixed it", answered_at);
	rwt_src_wait_state(&src, id, "replied", 10.0);
	cr_assert_leq(polls_since(made), 2);
	m = rwt_src_mention(&src, id);
	rw_time_format(answered_at, at, sizeof(at));
	cr_assert_str_eq(json_string_value(json_object_get(m, "replied_at")), at);
	json_decref(m);
	cr_assert_geq(count_requests("google_play", "review", made, NULL), 1);
	rwt_src_wait_state(&src, other, "open", 1.0);
}

static bool
reads_of_gone(void *arg)
{
	json_t *list = rwt_fake_requests(&stack.fake, "google_play", "review"), *r;
	size_t i, n = 0;

	json_array_foreach(list, i, r) n += json_integer_value(json_object_get(r, "status")) == 404;
	json_decref(list);
	return n >= *(size_t *)arg;
}

/* Play answers 404 both for a deleted review and for one it no longer
 * reads: nothing is closed, the source stays ok, the review stays open
 * (deleted Play reviews are not detected; docs/connectors.md). */
Test(google_play, regression_404_on_reread_closes_nothing_and_fails_nothing)
{
	char id[64], keep[64];
	size_t want = 3;
	json_t *m, *s;

	add_review("'rating': 2, 'text': 'Rude'", rw_now_ms() - 2 * MINUTE_MS, id);
	add_review("'rating': 4, 'text': 'Fine'", rw_now_ms() - MINUTE_MS, keep);
	start_daemon("1s");
	rwt_src_wait_state(&src, id, "open", 10.0);
	act("delete", id, NULL, 0);
	cr_assert(rwt_wait_until(reads_of_gone, &want, 15.0), "never read again\n%s",
		  rwt_daemon_log(&stack.daemon));
	m = rwt_src_mention(&src, id);
	cr_assert_str_eq(json_string_value(json_object_get(m, "state")), "open");
	json_decref(m);
	rwt_src_wait_state(&src, keep, "open", 1.0);
	s = rwt_src_status(&src);
	cr_assert_eq(json_integer_value(json_object_get(s, "items_closed_deleted")), 0);
	cr_assert_str_eq(json_string_value(json_object_get(s, "state")), "ok", "%s",
			 json_dumps(s, 0));
	cr_assert_eq(json_integer_value(json_object_get(s, "consecutive_failures")), 0);
	json_decref(s);
}

static bool
token_requests_at_least(void *arg)
{
	return count_requests("google_oauth", "token", 0, NULL) >= *(size_t *)arg;
}

/* Access tokens of 4 s are renewed by the cache's rule (after 2 s), not on
 * every poll; a token the API stops taking (expire_token) is renewed once
 * and the poll retried; the source stays ok and keeps tracking. */
Test(google_play, short_tokens_renewed_and_401_retried)
{
	char id[64], late[64];
	size_t want = 3;
	int64_t t0;
	json_t *s;

	json_decref(rwt_fake_call(&stack.fake, "POST", "/_fake/google_oauth/config",
				  "{'access_ttl': 4}"));
	add_review("'rating': 3, 'text': 'Meh'", rw_now_ms() - MINUTE_MS, id);
	start_daemon("1s");
	rwt_src_wait_state(&src, id, "open", 10.0);
	t0 = rw_now_ms();
	cr_assert(rwt_wait_until(token_requests_at_least, &want, 15.0));
	/* Polls every second, tokens every ~2 s: fewer token requests than polls. */
	cr_assert_lt(count_requests("google_oauth", "token", t0, NULL), polls_since(t0));

	json_decref(rwt_fake_call(&stack.fake, "POST", "/_fake/google_oauth/config",
				  "{'access_ttl': 3600}"));
	json_decref(rwt_fake_call(&stack.fake, "POST", "/_fake/google_play/fault",
				  "{'kind': 'expire_token'}"));
	add_review("'rating': 5, 'text': 'Love it'", rw_now_ms(), late);
	rwt_src_wait_state(&src, late, "open", 10.0);
	rwt_src_wait_source_state(&src, "ok", 5.0);
	s = rwt_src_status(&src);
	cr_assert_str_eq(json_string_value(json_object_get(s, "state")), "ok");
	json_decref(s);
	assert_no_secret();
}

/* The service account key revoked: the token endpoint answers invalid_grant,
 * the source goes down with a reason that says what to check; no key,
 * assertion or token in the log or /status. */
Test(google_play, revoked_key_down_actionable)
{
	char id[64];
	json_t *s;
	const char *err;

	add_review("'rating': 1, 'text': 'Bad'", rw_now_ms() - MINUTE_MS, id);
	start_daemon("1s");
	rwt_src_wait_state(&src, id, "open", 10.0);
	json_decref(rwt_fake_call(&stack.fake, "POST", "/_fake/google_play/revoke", NULL));
	rwt_src_wait_source_state(&src, "down", 20.0);
	s = rwt_src_status(&src);
	err = json_string_value(json_object_get(s, "last_error"));
	cr_assert_not_null(err);
	cr_assert(strstr(err, "service account assertion refused") && strstr(err, "invalid_grant"),
		  "%s", err);
	json_decref(s);
	assert_no_secret();
}

/* A PEM key without client_email cannot sign in: down, saying what to add. */
Test(google_play, pem_key_without_client_email_down)
{
	json_t *s;

	start_daemon_with(key_path, NULL, "1s");
	rwt_src_wait_source_state(&src, "down", 10.0);
	s = rwt_src_status(&src);
	cr_assert(strstr(json_string_value(json_object_get(s, "last_error")), "client_email"), "%s",
		  json_dumps(s, 0));
	json_decref(s);
	cr_assert_eq(count_requests("google_oauth", "token", 0, NULL), 0);
	assert_no_secret();
}

/* 429 RESOURCE_EXHAUSTED with Retry-After: nothing is asked of Play before
 * it is over, then the source is ok again. */
Test(google_play, rate_limited_waits)
{
	char id[64];
	int64_t limited_at = 0, t;
	json_t *reqs, *r;
	size_t i;

	add_review("'rating': 3, 'text': 'ok'", rw_now_ms() - MINUTE_MS, id);
	start_daemon("1s");
	rwt_src_wait_state(&src, id, "open", 10.0);
	json_decref(rwt_fake_call(&stack.fake, "POST", "/_fake/google_play/fault",
				  "{'endpoint': 'reviews', 'kind': '429', 'retry_after': 3,"
				  " 'reset_in': 3}"));
	rwt_src_wait_source_state(&src, "rate_limited", 10.0);
	reqs = rwt_fake_requests(&stack.fake, "google_play", "reviews");
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
	reqs = rwt_fake_requests(&stack.fake, "google_play", NULL);
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
Test(google_play, server_error_and_garbage_recover)
{
	char id[64], late[64];

	add_review("'rating': 2, 'text': 'Slow'", rw_now_ms() - 2 * MINUTE_MS, id);
	start_daemon("1s");
	rwt_src_wait_state(&src, id, "open", 10.0);
	json_decref(rwt_fake_call(&stack.fake, "POST", "/_fake/google_play/fault",
				  "{'endpoint': 'review', 'kind': '500', 'count': 2}"));
	json_decref(rwt_fake_call(&stack.fake, "POST", "/_fake/google_play/fault",
				  "{'endpoint': 'reviews', 'kind': 'garbage', 'count': 2}"));
	add_review("'rating': 5, 'text': 'Fast now'", rw_now_ms(), late);
	act("answer", id, "Sorry", rw_now_ms());
	rwt_src_wait_state(&src, late, "open", 20.0);
	rwt_src_wait_state(&src, id, "replied", 20.0);
	rwt_src_wait_source_state(&src, "ok", 20.0);
	cr_assert(rwt_daemon_log_contains(&stack.daemon, "malformed answer from reviews"));
}

/* A restart goes on from the stored watermark (no second backfill, no
 * doubles); an edit of a review changes nothing tracked. */
Test(google_play, restart_resumes_without_doubles)
{
	int64_t now = rw_now_ms();
	char fresh[3][64], *body;
	json_t *m;

	add_backlog(now);
	start_daemon("1s");
	rwt_src_wait_tracked(&src, BACKLOG, 20.0);
	rwt_daemon_stop_clean(&stack.daemon);

	for (int i = 0; i < 3; i++)
		add_review("'rating': 1, 'text': 'Again'", rw_now_ms() - 100 + i, fresh[i]);
	cr_assert(asprintf(&body, "{'review': '%s', 'text': 'Edited text'}", ids[100]) > 0);
	json_decref(rwt_fake_call(&stack.fake, "POST", "/_fake/google_play/edit", body));
	free(body);
	rwt_daemon_cleanup(&stack.daemon);
	start_daemon("1s");
	for (int i = 0; i < 3; i++)
		rwt_src_wait_state(&src, fresh[i], "open", 10.0);
	cr_assert_eq(rwt_src_tracked(&src), BACKLOG + 3);
	m = rwt_src_mention(&src, ids[100]);
	cr_assert_str_eq(json_string_value(json_object_get(m, "text")), "Review 100");
	json_decref(m);
}

/* A max_rating policy catches the 1-star review; a 5-star one is not. */
Test(google_play, max_rating_policy)
{
	char one[64], five[64];
	json_t *m;

	add_review("'rating': 1, 'text': 'Never again', 'author': 'Jane Bloggs'",
		   rw_now_ms() - MINUTE_MS, one);
	add_review("'rating': 5, 'text': 'Great'", rw_now_ms() - MINUTE_MS, five);
	start_daemon("1s");
	rwt_src_wait_state(&src, one, "open", 10.0);
	rwt_src_wait_state(&src, five, "open", 10.0);
	m = rwt_src_mention(&src, one);
	cr_assert_str_eq(json_string_value(json_object_get(m, "policy")), "angry");
	cr_assert_str_eq(json_string_value(json_object_get(m, "text")), "Never again");
	cr_assert_str_eq(json_string_value(json_object_get(m, "author")), "Jane Bloggs");
	json_decref(m);
	m = rwt_src_mention(&src, five);
	cr_assert_str_eq(json_string_value(json_object_get(m, "policy")), "reviews");
	json_decref(m);
}

/* Sets the time of the last complete walk in Redis to ms. */
static void
set_last_walk(int64_t ms)
{
	redisContext *c = rwt_redis_connect(&stack.redis);
	redisReply *r = redisCommand(c, "HSET t:{" SOURCE "}:cur nd %lld", (long long)ms);

	cr_assert_not_null(r);
	cr_assert_neq(r->type, REDIS_REPLY_ERROR);
	freeReplyObject(r);
	redisFree(c);
}

static bool
has_warning(void *arg)
{
	json_t *s = rwt_src_status(&src);
	const char *w = json_string_value(json_object_get(s, "warning"));
	bool ok = w && strstr(w, arg);

	json_decref(s);
	return ok;
}

static bool
logged(void *arg)
{
	return rwt_daemon_log_contains(&stack.daemon, arg);
}

static bool
no_warning(void *arg)
{
	json_t *s = rwt_src_status(&src);
	bool ok = json_is_null(json_object_get(s, "warning"));

	(void)arg;
	json_decref(s);
	return ok;
}

/* A source whose last complete walk is over 7 days old (the daemon stopped
 * for 8 days, then the key revoked: down) says in /status and the log that
 * reviews older than 7 days can no longer be read; a source up to date
 * says nothing, and one that catches up (the key restored, a walk
 * completed) says nothing again. */
Test(google_play, more_than_a_week_behind_warns)
{
	char id[64];
	json_t *s;

	add_review("'rating': 4, 'text': 'Good'", rw_now_ms() - MINUTE_MS, id);
	start_daemon("1s");
	rwt_src_wait_state(&src, id, "open", 10.0);
	s = rwt_src_status(&src);
	cr_assert(json_is_null(json_object_get(s, "warning")), "%s", json_dumps(s, 0));
	json_decref(s);
	rwt_daemon_stop_clean(&stack.daemon);
	rwt_daemon_cleanup(&stack.daemon);

	set_last_walk(rw_now_ms() - 8 * DAY_MS);
	json_decref(rwt_fake_call(&stack.fake, "POST", "/_fake/google_play/revoke", NULL));
	start_daemon("1s");
	rwt_src_wait_source_state(&src, "down", 10.0);
	cr_assert(rwt_wait_until(has_warning, "some may be missed", 5.0));
	s = rwt_src_status(&src);
	cr_assert(strstr(json_string_value(json_object_get(s, "warning")),
			 "older than 7 days can no longer be read"),
		  "%s", json_dumps(s, 0));
	json_decref(s);
	cr_assert(rwt_daemon_log_contains(&stack.daemon,
					  "can no longer be read: some may be missed"));

	/* The key restored: the first poll after a restart still finds the old
	 * walk (warns), then completes a walk and clears the warning. */
	json_decref(rwt_fake_call(&stack.fake, "POST", "/_fake/google_play/revoke",
				  "{\"revoked\":false}"));
	rwt_daemon_stop_clean(&stack.daemon);
	rwt_daemon_cleanup(&stack.daemon);
	start_daemon("1s");
	cr_assert(rwt_wait_until(logged, "caught up; the warning is cleared", 10.0));
	cr_assert(rwt_daemon_log_contains(&stack.daemon,
					  "can no longer be read: some may be missed"));
	cr_assert(no_warning(NULL), "the warning stayed after catching up");
}

static bool
source_failed(void *arg)
{
	json_t *s = rwt_src_status(&src);
	const char *err = json_string_value(json_object_get(s, "last_error"));
	bool ok = err && strstr(err, arg);

	json_decref(s);
	return ok;
}

/* A package name that is none (it would go into the path) is refused
 * before any request, with a reason saying where to find the right one. */
Test(google_play, bad_package_name_refused_before_any_request)
{
	char *top;

	cr_assert(asprintf(&top,
			   ",\n \"sources\": [ { \"name\": \"" SOURCE
			   "\", \"type\": \"google_play\","
			   " \"base_url\": \"%s\", \"token_url\": \"%s/token\","
			   " \"package_name\": \"com.acme/../../x\", \"client_email\": \"" SA_EMAIL
			   "\", \"private_key\": \"file:%s\", \"poll_every\": \"1s\" } ]",
			   stack.fake.base, stack.fake.base, key_path) > 0);
	rwt_stack_start(&stack, top);
	free(top);
	cr_assert(rwt_wait_until(source_failed, "not an Android package name", 10.0), "%s",
		  rwt_daemon_log(&stack.daemon));
	json_t *all = rwt_fake_requests(&stack.fake, NULL, NULL);
	cr_assert_eq(json_array_size(all), 0);
	json_decref(all);
}
