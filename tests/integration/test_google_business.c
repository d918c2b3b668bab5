/*
 * The Google Business Profile connector end to end: the real daemon signs
 * in at the fake Google token endpoint (tests/fakes/fake_google_oauth.c)
 * with the refresh-token grant, polls the fake Business Profile API
 * (tests/fakes/fake_google_business.c) over loopback and tracks reviews in
 * a real redis-server. Backfill over two pages, answers found on the
 * review (also on an old review far below page 1, within two polls, at the
 * fake's reviewReply.updateTime exactly), an edited answer that does not
 * move the reply time, reviews deleted while open, access tokens that
 * expire and are renewed, a revoked refresh token and a wrong client
 * secret (down, actionable, never logged), 429 RESOURCE_EXHAUSTED, server
 * errors and garbage, restarts that resume without doubles, and a
 * max_rating policy.
 */
#include <criterion/criterion.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "replywatch/clock.h"
#include "rwtest.h"
#include "rwtsrc.h"

#define SOURCE "gbp"
#define PLATFORM "google_business"
#define ACCOUNT "1234567890"
#define LOCATION "9876543210"
#define CLIENT_ID "rwfake-client.apps.googleusercontent.com"
#define CLIENT_SECRET "rwfake-client-secret"
#define REFRESH_TOKEN "1//rwfake-refresh-token"
#define ACCESS_PREFIX "ya29.rwfake" /* what the fake's access tokens start with */
#define MINUTE_MS (60 * 1000LL)
#define ID_MAX 64

static struct rwt_stack stack;
static const struct rwt_src src = {&stack.daemon, SOURCE};

static void
setup(void)
{
	rwt_stack_up(&stack, true);
	/* Re-reading open reviews every poll spends far more than the fake's
	 * default window (300 calls in 5 minutes). */
	rwt_fake_unlimit(&stack.fake, PLATFORM);
}

static void
teardown(void)
{
	rwt_stack_down(&stack);
}

TestSuite(google_business, .init = setup, .fini = teardown, .timeout = 120);

/* One google_business source with client_secret, polling every
 * poll_every; angry reviews (2 stars or less) breach after 2 h, others
 * after 48 h. */
static void
start_daemon_at(const char *location, const char *client_secret, const char *poll_every)
{
	char *top;

	cr_assert(
		asprintf(&top,
			 ",\n \"retention\": { \"backfill\": \"30d\" },\n"
			 " \"policies\": [ { \"name\": \"angry\", \"match\": { \"max_rating\": 2 },"
			 " \"breach_after\": \"2h\" },"
			 " { \"name\": \"reviews\", \"breach_after\": \"48h\" } ],\n"
			 " \"sources\": [ { \"name\": \"" SOURCE "\", \"type\": \"" PLATFORM "\","
			 " \"base_url\": \"%s\", \"token_url\": \"%s/token\","
			 " \"account_id\": \"" ACCOUNT "\", \"location_id\": \"%s\","
			 " \"client_id\": \"" CLIENT_ID "\", \"client_secret\": \"%s\","
			 " \"refresh_token\": \"" REFRESH_TOKEN "\", \"poll_every\": \"%s\" } ]",
			 stack.fake.base, stack.fake.base, location, client_secret,
			 poll_every) > 0);
	rwt_stack_start(&stack, top);
	free(top);
}

static void
start_daemon(const char *client_secret, const char *poll_every)
{
	start_daemon_at(LOCATION, client_secret, poll_every);
}

static json_t *
ctl(const char *what, const char *body)
{
	char path[96];

	snprintf(path, sizeof(path), "/_fake/" PLATFORM "/%s", what);
	return rwt_fake_call(&stack.fake, "POST", path, body);
}

/* A review on the fake (' for " in fields, e.g. "'rating': 1"); its id
 * into id (ID_MAX bytes). */
static void
add_review(const char *fields, int64_t created_ms, char *id)
{
	char at[40], *body;
	json_t *r;

	rw_time_format(created_ms, at, sizeof(at));
	cr_assert(asprintf(&body, "{%s%s'created_at': '%s'}", fields, *fields ? ", " : "", at) > 0);
	r = ctl("review", body);
	cr_assert_not_null(json_string_value(json_object_get(r, "id")));
	snprintf(id, ID_MAX, "%s", json_string_value(json_object_get(r, "id")));
	json_decref(r);
	free(body);
}

/* {'review': id, ...rest} to /_fake/google_business/what. */
static void
act(const char *what, const char *id, const char *rest)
{
	char body[512];

	snprintf(body, sizeof(body), "{'review': '%s'%s%s}", id, rest ? ", " : "",
		 rest ? rest : "");
	json_decref(ctl(what, body));
}

/* The fake answers review id (what: "answer" or "edit_answer") at at_ms. */
static void
answer(const char *what, const char *id, const char *text, int64_t at_ms)
{
	char at[40], rest[256];

	rw_time_format(at_ms, at, sizeof(at));
	snprintf(rest, sizeof(rest), "'text': '%s', 'at': '%s'", text, at);
	act(what, id, rest);
}

static const char *
str(json_t *v, const char *key)
{
	return json_string_value(json_object_get(v, key));
}

/* Requests the fake logged for platform and endpoint after after_ms whose
 * query holds needle (NULL: any) — or, when without, does not. */
static size_t
count_on(const char *platform, const char *endpoint, int64_t after_ms, const char *needle,
	 bool without)
{
	json_t *list = rwt_fake_requests(&stack.fake, platform, endpoint), *r;
	size_t i, n = 0;
	int64_t at;

	json_array_foreach(list, i, r)
	{
		const char *q = str(r, "query");
		bool has = needle == NULL || (q != NULL && strstr(q, needle) != NULL);

		cr_assert_eq(rw_time_parse(str(r, "at"), &at), 0);
		if (at > after_ms && has != without)
			n++;
	}
	json_decref(list);
	return n;
}

static size_t
count_requests(const char *endpoint, int64_t after_ms, const char *needle)
{
	return count_on(PLATFORM, endpoint, after_ms, needle, false);
}

/* List requests for page 1 (no pageToken): one a poll. */
static size_t
polls_since(int64_t after_ms)
{
	return count_on(PLATFORM, "reviews", after_ms, "pageToken", true);
}

static size_t
token_requests(void)
{
	return count_on("google_oauth", "token", 0, NULL, false);
}

/* No credential in the daemon's log, /status or the source's entry. */
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

/* 80 reviews, one every 10 minutes back from a minute ago: two pages of
 * the list (50 a page). The oldest is ids[0]; the newest ids[79]. Every
 * tenth is answered 30 minutes after it was written; every seventh is
 * anonymous. */
#define BACKLOG 80
static char ids[BACKLOG][ID_MAX];

static int64_t
backlog_at(int64_t now, int i)
{
	return now - MINUTE_MS - (int64_t)(BACKLOG - 1 - i) * 10 * MINUTE_MS;
}

static void
add_backlog(int64_t now)
{
	for (int i = 0; i < BACKLOG; i++) {
		char fields[128];

		if (i % 7 == 3)
			snprintf(fields, sizeof(fields), "'rating': %d, 'text': 'Review %d'",
				 1 + i % 5, i);
		else
			snprintf(fields, sizeof(fields),
				 "'rating': %d, 'text': 'Review %d', 'author': 'C%d'", 1 + i % 5, i,
				 i);
		add_review(fields, backlog_at(now, i), ids[i]);
		if (i % 10 == 5)
			answer("answer", ids[i], "Thank you", backlog_at(now, i) + 30 * MINUTE_MS);
	}
}

/* Backfill over two pages: every review tracked with its fields, the ones
 * answered on the list replied at the fake's reviewReply.updateTime; one
 * token request, its secrets in the body only, the bearer token accepted. */
Test(google_business, backfill_two_pages)
{
	int64_t now = rw_now_ms();
	json_t *m, *log, *r;
	size_t i;

	add_backlog(now);
	start_daemon(CLIENT_SECRET, "1s");
	rwt_src_wait_tracked(&src, BACKLOG, 20.0);

	m = rwt_src_mention(&src, ids[79]);
	cr_assert_str_eq(str(m, "kind"), "review");
	cr_assert_eq(json_integer_value(json_object_get(m, "rating")), 5);
	cr_assert_str_eq(str(m, "author"), "C79");
	cr_assert_str_eq(str(m, "text"), "Review 79");
	cr_assert_str_eq(str(m, "state"), "open");
	json_decref(m);
	m = rwt_src_mention(&src, ids[10]); /* 10 % 7 == 3: anonymous */
	cr_assert_str_eq(str(m, "author"), "anonymous");
	cr_assert_eq(json_integer_value(json_object_get(m, "rating")), 1);
	json_decref(m);

	/* ids[5] is on page 2 (the 75th newest) and was answered on the list. */
	rwt_src_wait_state(&src, ids[5], "replied", 10.0);
	m = rwt_src_mention(&src, ids[5]);
	cr_assert_eq(json_number_value(json_object_get(m, "response_seconds")), 30 * 60.0, "%s",
		     json_dumps(m, 0));
	json_decref(m);

	cr_assert_geq(count_requests("reviews", 0, "pageToken="), 1);
	cr_assert_geq(count_requests("reviews", 0, "orderBy=updateTime%20desc"), 1);
	cr_assert_geq(count_requests("reviews", 0, "pageSize=50"), 1);
	cr_assert_eq(token_requests(), 1);
	log = rwt_fake_requests(&stack.fake, NULL, NULL);
	json_array_foreach(log, i, r)
	{
		cr_assert_str_eq(str(r, "auth"), "ok", "%s", json_dumps(r, 0));
		cr_assert_null(strstr(str(r, "query") ? str(r, "query") : "", "secret"));
		cr_assert_null(strstr(str(r, "query") ? str(r, "query") : "", "token="));
	}
	json_decref(log);
	assert_no_secret();
}

/* An answer to the OLDEST open review — on page 2, which later walks never
 * reach — is found by re-reading open reviews: within two polls of the
 * answer appearing, at the fake's reviewReply.updateTime to the
 * millisecond (the fake gives it with up to 9 fraction digits). */
Test(google_business, old_review_answer_within_two_polls)
{
	int64_t now = rw_now_ms(), answered_at, made;
	char at[40];
	json_t *m;

	add_backlog(now);
	start_daemon(CLIENT_SECRET, "2s");
	rwt_src_wait_tracked(&src, BACKLOG, 20.0);
	rwt_src_wait_state(&src, ids[0], "breached", 10.0); /* 1 star, 13 h old: past "angry" */

	answered_at = rw_now_ms() - 5 * MINUTE_MS + 123;
	made = rw_now_ms();
	answer("answer", ids[0], "So sorry, refund sent", answered_at);
	rwt_src_wait_state(&src, ids[0], "replied", 10.0);
	size_t polls = polls_since(made);
	cr_assert_leq(polls, 2, "found after %zu polls", polls);

	m = rwt_src_mention(&src, ids[0]);
	rw_time_format(answered_at, at, sizeof(at));
	cr_assert_str_eq(str(m, "replied_at"), at);
	cr_assert_str_eq(str(m, "policy"), "angry");
	json_decref(m);
	/* Later walks stop on page 1: the answer was not found by paging. */
	cr_assert_eq(count_requests("reviews", made, "pageToken="), 0);
	cr_assert_geq(count_requests("review", made, NULL), 1);
}

static bool
listed_after(void *arg)
{
	return polls_since(*(int64_t *)arg) >= 2;
}

/* The brand edits its answer later, and the customer edits the review so
 * that it is listed again with the edited answer: the reply time stays the
 * one first seen (Google keeps only the last edit's time). */
Test(google_business, edited_answer_keeps_reply_time)
{
	char id[ID_MAX], at[40];
	int64_t answered_at = rw_now_ms() - 10 * MINUTE_MS, edited;
	json_t *m;

	add_review("'rating': 2, 'text': 'Cold food', 'author': 'Ann'",
		   rw_now_ms() - 20 * MINUTE_MS, id);
	start_daemon(CLIENT_SECRET, "1s");
	rwt_src_wait_state(&src, id, "open", 10.0);
	answer("answer", id, "Sorry about that", answered_at);
	rwt_src_wait_state(&src, id, "replied", 10.0);

	answer("edit_answer", id, "Sorry about that, come back", rw_now_ms() - MINUTE_MS);
	act("edit", id, "'text': 'Cold food, but they called me'");
	edited = rw_now_ms();
	cr_assert(rwt_wait_until(listed_after, &edited, 10.0), "no poll after the edit");

	m = rwt_src_mention(&src, id);
	rw_time_format(answered_at, at, sizeof(at));
	cr_assert_str_eq(str(m, "replied_at"), at, "%s", json_dumps(m, 0));
	cr_assert_str_eq(str(m, "state"), "replied");
	cr_assert_eq(json_number_value(json_object_get(m, "response_seconds")), 10 * 60.0);
	json_decref(m);
	cr_assert_eq(rwt_src_tracked(&src), 1);
}

/* A review deleted on Google while open (a 404 NOT_FOUND on the read by
 * id) is closed as such. */
Test(google_business, deleted_review_closes)
{
	char id[ID_MAX], keep[ID_MAX];
	json_t *m, *s;

	add_review("'rating': 2, 'text': 'Rude staff'", rw_now_ms() - 2 * MINUTE_MS, id);
	add_review("'rating': 4, 'text': 'Fine'", rw_now_ms() - MINUTE_MS, keep);
	start_daemon(CLIENT_SECRET, "1s");
	rwt_src_wait_state(&src, id, "open", 10.0);

	act("delete", id, NULL);
	rwt_src_wait_state(&src, id, "closed", 10.0);
	m = rwt_src_mention(&src, id);
	cr_assert_str_eq(str(m, "close_reason"), "deleted on platform");
	json_decref(m);
	rwt_src_wait_state(&src, keep, "open", 1.0);
	s = rwt_src_status(&src);
	cr_assert_eq(json_integer_value(json_object_get(s, "items_closed_deleted")), 1);
	cr_assert_str_eq(str(s, "state"), "ok");
	json_decref(s);
	cr_assert(rwt_daemon_log_contains(&stack.daemon, "deleted on platform"));
}

/* API answers 401 (a token refused). */
static size_t
refusals(void)
{
	json_t *list = rwt_fake_requests(&stack.fake, PLATFORM, NULL), *r;
	size_t i, n = 0;

	json_array_foreach(list, i, r) n += json_integer_value(json_object_get(r, "status")) == 401;
	json_decref(list);
	return n;
}

static bool
hour_token(void *arg)
{
	(void)arg;
	return rwt_daemon_log_contains(&stack.daemon, "access token renewed (valid 3600 s)");
}

static bool
eight_polls(void *arg)
{
	(void)arg;
	return polls_since(0) >= 8;
}

struct expired_wait {
	int64_t after_ms;
};

/* A 401 on a list page after after_ms, then an accepted one. */
static bool
renewed_after_401(void *arg)
{
	struct expired_wait *w = arg;
	json_t *list = rwt_fake_requests(&stack.fake, PLATFORM, NULL), *r;
	bool refused = false, ok_after = false;
	size_t i;
	int64_t at;

	json_array_foreach(list, i, r)
	{
		cr_assert_eq(rw_time_parse(str(r, "at"), &at), 0);
		if (at <= w->after_ms)
			continue;
		if (json_integer_value(json_object_get(r, "status")) == 401)
			refused = true;
		else if (refused && strcmp(str(r, "auth"), "ok") == 0)
			ok_after = true;
	}
	json_decref(list);
	return ok_after;
}

/* Access tokens of 6 s are renewed before they expire (from 3 s on, not at
 * every poll), and one that the API refuses anyway (expired early) is
 * renewed once and the poll retried: the source stays ok throughout. */
Test(google_business, token_expiry_and_renewal)
{
	char id[ID_MAX], late[ID_MAX];
	struct expired_wait w;
	json_t *s;
	size_t n;

	json_decref(rwt_fake_call(&stack.fake, "POST", "/_fake/google_oauth/config",
				  "{'access_ttl': 6}"));
	add_review("'rating': 3", rw_now_ms() - MINUTE_MS, id);
	start_daemon(CLIENT_SECRET, "1s");
	rwt_src_wait_state(&src, id, "open", 10.0);
	cr_assert(rwt_wait_until(eight_polls, NULL, 20.0), "%zu polls\n%s", polls_since(0),
		  rwt_daemon_log(&stack.daemon));
	/* Renewed from half its lifetime on (3 s), not at every poll (1 s). */
	n = token_requests();
	cr_assert_geq(n, 2, "never renewed");
	cr_assert_leq(n, polls_since(0) / 2 + 1, "%zu token requests for %zu polls", n,
		      polls_since(0));
	cr_assert_eq(refusals(), 0, "a token was used after it expired");

	json_decref(rwt_fake_call(&stack.fake, "POST", "/_fake/google_oauth/config",
				  "{'access_ttl': 3600}"));
	/* Once the daemon holds an hour's token (so no renewal is due), every
	 * token ends at once: the next call is a 401, renewed once. */
	cr_assert(rwt_wait_until(hour_token, NULL, 10.0), "%s", rwt_daemon_log(&stack.daemon));
	w.after_ms = rw_now_ms();
	json_decref(ctl("fault", "{'kind': 'expire_token'}"));
	cr_assert(rwt_wait_until(renewed_after_401, &w, 10.0), "no renewal after a 401\n%s",
		  rwt_daemon_log(&stack.daemon));
	add_review("'rating': 5", rw_now_ms(), late);
	rwt_src_wait_state(&src, late, "open", 10.0);
	rwt_src_wait_source_state(&src, "ok", 5.0);
	s = rwt_src_status(&src);
	cr_assert_str_eq(str(s, "state"), "ok");
	json_decref(s);
	cr_assert(rwt_daemon_log_contains(&stack.daemon, "access token renewed"));
	assert_no_secret();
}

/* The refresh token revoked (the user withdrew access): the access token
 * stops working, its renewal answers invalid_grant, and the source goes
 * down saying what to do; no credential anywhere. */
Test(google_business, revoked_refresh_token_down)
{
	char id[ID_MAX];
	json_t *s;
	const char *err;

	add_review("'rating': 1", rw_now_ms() - MINUTE_MS, id);
	start_daemon(CLIENT_SECRET, "1s");
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

/* A wrong client secret: down at once (invalid_client), never logged. */
Test(google_business, wrong_client_secret_down)
{
	static const char wrong[] = "gbp-WRONG-secret-7Qx9";
	json_t *s;
	const char *err;
	char *text, *log;

	start_daemon(wrong, "1s");
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
	assert_no_secret();
	/* The API was never asked without a token. */
	cr_assert_eq(count_requests("reviews", 0, NULL), 0);
}

/* 429 RESOURCE_EXHAUSTED with Retry-After: nothing is asked before it is
 * over, then the source is ok again. */
Test(google_business, rate_limited_waits)
{
	char id[ID_MAX];
	int64_t limited_at, t;
	json_t *reqs, *r;
	size_t i;

	add_review("'rating': 3", rw_now_ms() - MINUTE_MS, id);
	start_daemon(CLIENT_SECRET, "1s");
	rwt_src_wait_state(&src, id, "open", 10.0);
	json_decref(ctl("fault", "{'endpoint': 'reviews', 'kind': '429', 'retry_after': 3,"
				 " 'reset_in': 3}"));
	rwt_src_wait_source_state(&src, "rate_limited", 10.0);
	limited_at = 0;
	reqs = rwt_fake_requests(&stack.fake, PLATFORM, "reviews");
	json_array_foreach(reqs, i, r)
	{
		if (json_integer_value(json_object_get(r, "status")) == 429 && limited_at == 0)
			cr_assert_eq(rw_time_parse(str(r, "at"), &limited_at), 0);
	}
	json_decref(reqs);
	cr_assert_gt(limited_at, 0);
	rwt_src_wait_source_state(&src, "ok", 15.0);
	reqs = rwt_fake_requests(&stack.fake, PLATFORM, NULL);
	json_array_foreach(reqs, i, r)
	{
		cr_assert_eq(rw_time_parse(str(r, "at"), &t), 0);
		cr_assert(t <= limited_at || t >= limited_at + 2900,
			  "a request %lld ms after the 429", (long long)(t - limited_at));
	}
	json_decref(reqs);
}

/* A 503 on the read by id and a garbage list page fail polls (nothing lost)
 * and the source recovers by itself. */
Test(google_business, server_error_and_garbage_recover)
{
	char id[ID_MAX], late[ID_MAX];

	add_review("'rating': 2", rw_now_ms() - 2 * MINUTE_MS, id);
	start_daemon(CLIENT_SECRET, "1s");
	rwt_src_wait_state(&src, id, "open", 10.0);
	json_decref(ctl("fault", "{'endpoint': 'review', 'kind': '503', 'count': 2}"));
	json_decref(ctl("fault", "{'endpoint': 'reviews', 'kind': 'garbage', 'count': 2}"));
	add_review("'rating': 5", rw_now_ms(), late);
	answer("answer", id, "Sorry", rw_now_ms());
	rwt_src_wait_state(&src, late, "open", 20.0);
	rwt_src_wait_state(&src, id, "replied", 20.0);
	rwt_src_wait_source_state(&src, "ok", 20.0);
	cr_assert(rwt_daemon_log_contains(&stack.daemon, "malformed answer from reviews"));
}

/* A restart goes on from the stored watermark (page 1 only, no second
 * backfill) and nothing is doubled. */
Test(google_business, restart_resumes_without_doubles)
{
	int64_t now = rw_now_ms(), restarted;
	char fresh[3][ID_MAX];

	add_backlog(now);
	start_daemon(CLIENT_SECRET, "1s");
	rwt_src_wait_tracked(&src, BACKLOG, 20.0);
	rwt_daemon_stop_clean(&stack.daemon);

	for (int i = 0; i < 3; i++)
		add_review("'rating': 1, 'text': 'Again'", rw_now_ms() - 100 + i, fresh[i]);
	restarted = rw_now_ms();
	rwt_daemon_cleanup(&stack.daemon);
	start_daemon(CLIENT_SECRET, "1s");
	for (int i = 0; i < 3; i++)
		rwt_src_wait_state(&src, fresh[i], "open", 10.0);
	cr_assert_eq(rwt_src_tracked(&src), BACKLOG + 3);
	cr_assert_eq(count_requests("reviews", restarted, "pageToken="), 0);
}

/* A max_rating policy catches the 1-star review; a 5-star one is not. */
Test(google_business, max_rating_policy)
{
	char one[ID_MAX], five[ID_MAX];
	json_t *m;

	add_review("'rating': 1, 'text': 'Never again', 'author': 'Bo'", rw_now_ms() - MINUTE_MS,
		   one);
	add_review("'rating': 5, 'text': 'Great'", rw_now_ms() - MINUTE_MS, five);
	start_daemon(CLIENT_SECRET, "1s");
	rwt_src_wait_state(&src, one, "open", 10.0);
	rwt_src_wait_state(&src, five, "open", 10.0);
	m = rwt_src_mention(&src, one);
	cr_assert_str_eq(str(m, "policy"), "angry");
	cr_assert_str_eq(str(m, "text"), "Never again");
	cr_assert_eq(json_integer_value(json_object_get(m, "rating")), 1);
	json_decref(m);
	m = rwt_src_mention(&src, five);
	cr_assert_str_eq(str(m, "policy"), "reviews");
	json_decref(m);
}

/* A location_id that cannot go into a path (a pasted resource name) fails
 * every poll with a reason that says what is expected; nothing is asked. */
Test(google_business, bad_location_id_refused)
{
	json_t *s;
	const char *err;

	start_daemon_at("locations/9876543210", CLIENT_SECRET, "1s");
	rwt_src_wait_source_state(&src, "failing", 10.0);
	s = rwt_src_status(&src);
	err = str(s, "last_error");
	cr_assert_not_null(err);
	cr_assert(strstr(err, "account_id and location_id must be Google ids"), "%s", err);
	json_decref(s);
	cr_assert_eq(count_on(NULL, NULL, 0, NULL, false), 0);
}

/* A review older than the backfill is not tracked; once its author edits
 * it, it is listed first again and tracked, with its own createTime: past
 * give_up_after (7 days by default), so expired at once. */
Test(google_business, old_review_edited_is_tracked)
{
	char old[ID_MAX], recent[ID_MAX], at[40];
	int64_t created = rw_now_ms() - 40 * 24 * 60 * MINUTE_MS;
	json_t *m;

	add_review("'rating': 4, 'text': 'Nice'", created, old);
	add_review("'rating': 5", rw_now_ms() - MINUTE_MS, recent);
	start_daemon(CLIENT_SECRET, "1s");
	rwt_src_wait_state(&src, recent, "open", 10.0);
	m = rwt_src_mention(&src, old);
	cr_assert_null(json_object_get(m, "state"), "%s", json_dumps(m, 0));
	json_decref(m);

	act("edit", old, "'rating': 1, 'text': 'Worse since the new owner'");
	rwt_src_wait_state(&src, old, "expired", 10.0);
	m = rwt_src_mention(&src, old);
	rw_time_format(created, at, sizeof(at));
	cr_assert_str_eq(str(m, "created_at"), at);
	cr_assert_eq(json_integer_value(json_object_get(m, "rating")), 1);
	json_decref(m);
}
