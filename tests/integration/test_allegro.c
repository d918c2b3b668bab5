/*
 * The Allegro connector end to end: the real daemon signs in at the fake's
 * token endpoint with rotating refresh tokens (tests/fakes/fake_allegro.c
 * enforces rotation: a used refresh token dies grace_s after its first
 * use), keeps the current one in a real redis-server encrypted under
 * secrets_key, reads GET /me once, and tracks buyer ratings: backfill over
 * offset pages, exact answer times, answers found by re-reading open
 * ratings, 429 with Allegro's one-minute block, restarts that sign in with
 * the stored token (not the seed), and kill -9 at every step of a refresh.
 */
#include <criterion/criterion.h>
#include <hiredis/hiredis.h>
#include <jansson.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "replywatch/clock.h"
#include "rwtest.h"
#include "rwtparse.h"
#include "rwtsrc.h"

#define SOURCE "shop"
#define PLATFORM "allegro"
#define CLIENT_ID "rwfake-allegro-client"
#define CLIENT_SECRET "rwfake-allegro-secret"
#define SEED "rwfake-allegro-refresh-seed"
#define SECRETS_KEY "test-secrets-key-0123456789"
#define AUTH_KEY "t:{" SOURCE "}:auth"
#define MINUTE_MS (60 * 1000LL)
#define ID_MAX 64

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

TestSuite(allegro, .init = setup, .fini = teardown, .timeout = 120);

static void
start_daemon_with(const char *extra, const char *poll_every)
{
	char *top;

	cr_assert(
		asprintf(
			&top,
			",\n \"secrets_key\": \"" SECRETS_KEY "\","
			" \"retention\": { \"backfill\": \"30d\" },\n"
			" \"policies\": [ { \"name\": \"ratings\", \"breach_after\": \"48h\" } ],\n"
			" \"sources\": [ { \"name\": \"" SOURCE "\", \"type\": \"" PLATFORM "\","
			" \"base_url\": \"%s\", \"token_url\": \"%s/auth/oauth/token\","
			" \"client_id\": \"" CLIENT_ID "\", \"client_secret\": \"" CLIENT_SECRET
			"\", \"refresh_token\": \"" SEED "\", \"poll_every\": \"%s\"%s } ]",
			stack.fake.base, stack.fake.base, poll_every, extra) > 0);
	rwt_stack_start(&stack, top);
	free(top);
}

static void
start_daemon(const char *poll_every)
{
	start_daemon_with("", poll_every);
}

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

/* A rating on the fake (fields with ' for "); its id into id. */
static void
add_rating(const char *fields, int64_t created_ms, char *id)
{
	char at[40], *body;
	json_t *r;

	rw_time_format(created_ms, at, sizeof(at));
	cr_assert(asprintf(&body, "{%s%s'created_at': '%s'}", fields, *fields ? ", " : "", at) > 0);
	r = ctl("rating", body);
	cr_assert_not_null(str(r, "id"));
	snprintf(id, ID_MAX, "%s", str(r, "id"));
	json_decref(r);
	free(body);
}

static void
answer(const char *id, int64_t at_ms)
{
	char at[40], body[200];

	rw_time_format(at_ms, at, sizeof(at));
	snprintf(body, sizeof(body), "{'id': '%s', 'message': 'Thank you', 'created_at': '%s'}", id,
		 at);
	json_decref(ctl("answer", body));
}

static long
fake_state(const char *key)
{
	json_t *st = rwt_fake_call(&stack.fake, "GET", "/_fake/state", NULL);
	json_t *al = json_object_get(json_object_get(st, "platforms"), PLATFORM);
	long v;

	if (al == NULL)
		al = json_object_get(st, PLATFORM);
	cr_assert_not_null(al, "no allegro in /_fake/state");
	v = (long)json_integer_value(json_object_get(al, key));
	json_decref(st);
	return v;
}

static bool
refreshes_reach(void *arg)
{
	return fake_state("refreshes") >= *(long *)arg;
}

/* Waits until the fake has answered n refreshes in all. */
static void
wait_refreshes(long n)
{
	cr_assert(rwt_wait_until(refreshes_reach, &n, 15.0), "%ld refreshes, not %ld",
		  fake_state("refreshes"), n);
}

static size_t
count_requests(const char *endpoint, const char *needle)
{
	json_t *list = rwt_fake_requests(&stack.fake, PLATFORM, endpoint), *r;
	size_t i, n = 0;

	json_array_foreach(list, i, r)
	{
		const char *q = str(r, "query");

		if (needle == NULL || (q != NULL && strstr(q, needle) != NULL))
			n++;
	}
	json_decref(list);
	return n;
}

/* The stored credential as Redis holds it (caller frees), or NULL. */
static char *
stored_auth(void)
{
	redisContext *c = rwt_redis_connect(&stack.redis);
	redisReply *r = redisCommand(c, "GET %s", AUTH_KEY);
	char *v = NULL;

	cr_assert_not_null(r);
	if (r->type == REDIS_REPLY_STRING)
		v = strdup(r->str);
	freeReplyObject(r);
	redisFree(c);
	return v;
}

static void
redis_cmd(const char *cmd)
{
	redisContext *c = rwt_redis_connect(&stack.redis);
	redisReply *r = redisCommand(c, cmd);

	cr_assert_not_null(r);
	cr_assert_neq(r->type, REDIS_REPLY_ERROR, "%s: %s", cmd, r->str);
	freeReplyObject(r);
	redisFree(c);
}

/* No credential in the daemon's log, /status or Redis in clear. */
static void
assert_no_secret(void)
{
	static const char *const secrets[] = {CLIENT_SECRET, SEED, SECRETS_KEY, "rwfake-al-"};
	struct rwt_response st = rwt_http(stack.daemon.http_port, "GET", "/status", NULL, NULL);
	char *log = rwt_daemon_log(&stack.daemon), *stored = stored_auth();

	for (size_t i = 0; i < sizeof(secrets) / sizeof(secrets[0]); i++) {
		cr_assert_null(strstr(st.body, secrets[i]), "/status shows a secret (%zu)", i);
		cr_assert_null(strstr(log, secrets[i]), "the log shows a secret (%zu)", i);
		cr_assert(stored == NULL || strstr(stored, secrets[i]) == NULL,
			  "redis holds a secret in clear (%zu)", i);
	}
	rwt_response_free(&st);
	free(log);
	free(stored);
}

/* 230 ratings, one every 5 minutes back from a minute ago: three offset
 * pages (100 a page). Every tenth is answered 20 minutes after it was
 * written; every third is not recommended with no rates; the others carry
 * rates. */
#define BACKLOG 230
static char ids[BACKLOG][ID_MAX];

static int64_t
backlog_at(int64_t now, int i)
{
	return now - MINUTE_MS - (int64_t)(BACKLOG - 1 - i) * 5 * MINUTE_MS;
}

static void
add_backlog(int64_t now)
{
	for (int i = 0; i < BACKLOG; i++) {
		char fields[200];

		if (i % 3 == 0)
			snprintf(fields, sizeof(fields),
				 "'buyer': 'b%d', 'comment': 'Rating %d', 'recommended': false", i,
				 i);
		else
			snprintf(fields, sizeof(fields),
				 "'buyer': 'b%d', 'comment': 'Rating %d', 'recommended': true,"
				 " 'rates': {'delivery': 5, 'deliveryCost': 4, 'description': 4,"
				 " 'service': %d}",
				 i, i, 1 + i % 5);
		add_rating(fields, backlog_at(now, i), ids[i]);
		if (i % 10 == 5)
			answer(ids[i], backlog_at(now, i) + 20 * MINUTE_MS);
	}
}

/* Backfill over three offset pages: every rating tracked with its mapped
 * rating, the answered ones replied at answer.createdAt; /me once; every
 * request carries the v1 media type (the fake answers 406 otherwise) and a
 * token that works. */
Test(allegro, backfill_offset_pages)
{
	int64_t now = rw_now_ms();
	json_t *m, *st;

	add_backlog(now);
	start_daemon("1s");
	rwt_src_wait_tracked(&src, BACKLOG, 30.0);

	m = rwt_src_mention(&src, ids[229]); /* 229 % 3 == 1: rates 5, 4, 4, 5 */
	cr_assert_str_eq(str(m, "kind"), "review");
	cr_assert_eq(json_integer_value(json_object_get(m, "rating")), 5, "%s", json_dumps(m, 0));
	cr_assert_str_eq(str(m, "author"), "b229");
	cr_assert_str_eq(str(m, "text"), "Rating 229");
	cr_assert_str_eq(str(m, "url"),
			 "https://allegro.pl/moje-allegro/sprzedaz/oceny-i-komentarze");
	json_decref(m);
	m = rwt_src_mention(&src, ids[228]); /* not recommended, no rates */
	cr_assert_eq(json_integer_value(json_object_get(m, "rating")), 1);
	json_decref(m);

	/* ids[5] is on page 3 and answered 20 minutes after it was written. */
	rwt_src_wait_state(&src, ids[5], "replied", 10.0);
	m = rwt_src_mention(&src, ids[5]);
	cr_assert_eq(json_number_value(json_object_get(m, "response_seconds")), 20 * 60.0, "%s",
		     json_dumps(m, 0));
	json_decref(m);

	cr_assert_geq(count_requests("ratings", "offset=200"), 1);
	cr_assert_geq(count_requests("ratings", "limit=100"), 1);
	cr_assert_geq(count_requests("ratings", "lastChangedAt.gte="), 1);
	cr_assert_eq(count_requests("me", NULL), 1);
	cr_assert_eq(fake_state("refreshes"), 1);
	cr_assert_eq(fake_state("refused"), 0);

	st = rwt_src_status(&src);
	cr_assert_str_eq(str(st, "state"), "ok");
	cr_assert_not_null(str(json_object_get(st, "credential"), "rotated_at"), "%s",
			   json_dumps(st, 0));
	cr_assert_not_null(str(json_object_get(st, "credential"), "expires_at"));
	json_decref(st);
	cr_assert(rwt_daemon_log_contains(&stack.daemon, "signed in as seller acme-shop"));
	assert_no_secret();
}

/* An answer to an old open rating is found by re-reading it by id (the
 * answer does not move lastChangedAt), at answer.createdAt exactly. */
Test(allegro, answer_found_by_revisit)
{
	int64_t now = rw_now_ms(), at = now - 3 * MINUTE_MS + 321;
	char id[ID_MAX], when[40];
	json_t *m;

	add_rating("'buyer': 'old', 'comment': 'late parcel', 'recommended': false",
		   now - 300 * MINUTE_MS, id);
	start_daemon("1s");
	rwt_src_wait_tracked(&src, 1, 10.0);
	answer(id, at);
	rwt_src_wait_state(&src, id, "replied", 10.0);
	m = rwt_src_mention(&src, id);
	rw_time_format(at, when, sizeof(when));
	cr_assert_str_eq(str(m, "replied_at"), when);
	json_decref(m);
	cr_assert_geq(count_requests("rating", NULL), 1);
}

/* A 429 without Retry-After: rate limited, and the next poll not before a
 * minute (Allegro blocks the client id for one). */
Test(allegro, rate_limited_waits_a_minute)
{
	char id[ID_MAX];
	json_t *st;
	int64_t last, next;

	add_rating("'buyer': 'b', 'comment': 'x', 'recommended': true", rw_now_ms() - MINUTE_MS,
		   id);
	start_daemon("1s");
	rwt_src_wait_tracked(&src, 1, 10.0);
	json_decref(ctl("fault", "{'endpoint': 'ratings', 'kind': '429', 'count': 1}"));
	rwt_src_wait_source_state(&src, "rate_limited", 10.0);
	st = rwt_src_status(&src);
	cr_assert_eq(rw_time_parse(str(st, "last_poll_at"), &last), 0);
	cr_assert_eq(rw_time_parse(str(st, "next_poll_at"), &next), 0, "%s", json_dumps(st, 0));
	cr_assert_geq(next - last, 59 * 1000, "next poll after %lld ms", (long long)(next - last));
	json_decref(st);
}

/* A 429 that says Retry-After: 120 waits that long, not a minute. */
Test(allegro, rate_limited_honours_retry_after)
{
	char id[ID_MAX];
	json_t *st;
	int64_t last, next;

	add_rating("'buyer': 'b', 'comment': 'x', 'recommended': true", rw_now_ms() - MINUTE_MS,
		   id);
	start_daemon("1s");
	rwt_src_wait_tracked(&src, 1, 10.0);
	json_decref(ctl("fault",
			"{'endpoint': 'ratings', 'kind': '429', 'count': 1, 'retry_after': 120}"));
	rwt_src_wait_source_state(&src, "rate_limited", 10.0);
	st = rwt_src_status(&src);
	cr_assert_eq(rw_time_parse(str(st, "last_poll_at"), &last), 0);
	cr_assert_eq(rw_time_parse(str(st, "next_poll_at"), &next), 0, "%s", json_dumps(st, 0));
	cr_assert_geq(next - last, 119 * 1000, "next poll after %lld ms", (long long)(next - last));
	json_decref(st);
}

/* Restarts sign in with the token stored in Redis, not the seed: the fake
 * lets a used refresh token work for 0 s (grace_s 0), so only the newest
 * one works, and the daemon has it after every restart. The stored value is
 * encrypted and changes at every rotation. */
Test(allegro, rotation_across_restarts)
{
	char id[ID_MAX], *first, *second;

	json_decref(ctl("settings", "{'grace_s': 0}"));
	add_rating("'buyer': 'b', 'comment': 'x', 'recommended': true", rw_now_ms() - MINUTE_MS,
		   id);
	start_daemon("1s");
	rwt_src_wait_tracked(&src, 1, 10.0);
	cr_assert_not_null(first = stored_auth());
	cr_assert_eq(fake_state("refreshes"), 1);
	rwt_daemon_stop_clean(&stack.daemon);
	rwt_daemon_cleanup(&stack.daemon);

	start_daemon("1s");
	wait_refreshes(2);
	rwt_src_wait_source_state(&src, "ok", 10.0);
	cr_assert_eq(fake_state("refreshes"), 2);
	cr_assert_eq(fake_state("refused"), 0);
	cr_assert_not_null(second = stored_auth());
	cr_assert_str_neq(first, second);
	rwt_daemon_stop_clean(&stack.daemon);
	rwt_daemon_cleanup(&stack.daemon);

	start_daemon("1s");
	wait_refreshes(3);
	rwt_src_wait_source_state(&src, "ok", 10.0);
	cr_assert_eq(fake_state("refreshes"), 3);
	cr_assert_eq(fake_state("refused"), 0);
	assert_no_secret();
	free(first);
	free(second);
}

static bool
logged(void *arg)
{
	return count_requests((const char *)arg, NULL) > 0;
}

static bool
not_stored_logged(void *arg)
{
	(void)arg;
	return rwt_daemon_log_contains(&stack.daemon, "new refresh token is not stored yet");
}

static void
kill_daemon(void)
{
	rwt_daemon_signal(&stack.daemon, SIGKILL);
	cr_assert_neq(rwt_daemon_wait(&stack.daemon, 5.0), -1);
	rwt_daemon_cleanup(&stack.daemon);
}

/* After a kill: the source signs in again by itself (no new
 * authorisation), the fake refused no refresh token, and items flow. */
static void
assert_signs_in_again(const char *id)
{
	long before = fake_state("refreshes");
	json_t *m;

	start_daemon("1s");
	wait_refreshes(before + 1);
	rwt_src_wait_tracked(&src, 1, 10.0);
	rwt_src_wait_source_state(&src, "ok", 15.0);
	cr_assert_not_null(m = rwt_src_mention(&src, id));
	json_decref(m);
	cr_assert_eq(fake_state("refused"), 0);
}

/* Step 1: killed while the refresh is on its way (the fake holds its
 * answer; it has already used the seed and made a pair nobody gets). */
Test(allegro, kill_during_refresh_request)
{
	char id[ID_MAX];

	add_rating("'buyer': 'b', 'comment': 'x', 'recommended': true", rw_now_ms() - MINUTE_MS,
		   id);
	json_decref(ctl("fault", "{'endpoint': 'token', 'kind': 'slow', 'delay_ms': 3000}"));
	start_daemon("1s");
	cr_assert(rwt_wait_until(logged, "token", 10.0));
	kill_daemon();
	cr_assert_null(stored_auth());
	assert_signs_in_again(id);
	cr_assert_eq(fake_state("refreshes"), 2);
}

/* Step 2: the fake answered, the daemon could not write the new refresh
 * token (Redis refuses writes): it keeps trying, uses NOT the new access
 * token meanwhile, and is killed. The old token, used under 60 s ago,
 * still works at the restart. */
Test(allegro, kill_after_answer_before_write)
{
	char id[ID_MAX];

	add_rating("'buyer': 'b', 'comment': 'x', 'recommended': true", rw_now_ms() - MINUTE_MS,
		   id);
	json_decref(ctl("fault", "{'endpoint': 'token', 'kind': 'slow', 'delay_ms': 1500}"));
	start_daemon("1s");
	cr_assert(rwt_wait_until(logged, "token", 10.0));
	redis_cmd("CONFIG SET min-replicas-to-write 1");
	cr_assert(rwt_wait_until(not_stored_logged, NULL, 10.0));
	cr_assert_eq(count_requests("me", NULL), 0, "the new access token was used");
	cr_assert_eq(count_requests("ratings", NULL), 0, "the new access token was used");
	kill_daemon();
	redis_cmd("CONFIG SET min-replicas-to-write 0");
	cr_assert_null(stored_auth());
	assert_signs_in_again(id);
}

/* Step 3: the new refresh token is stored, the daemon is killed before its
 * first request with the new access token is answered. The old token is
 * dead at once (grace_s 0): the restart works only with the stored one. */
Test(allegro, kill_after_write_before_use)
{
	char id[ID_MAX], *stored;

	json_decref(ctl("settings", "{'grace_s': 0}"));
	add_rating("'buyer': 'b', 'comment': 'x', 'recommended': true", rw_now_ms() - MINUTE_MS,
		   id);
	json_decref(ctl("fault", "{'endpoint': 'me', 'kind': 'slow', 'delay_ms': 3000}"));
	start_daemon("1s");
	cr_assert(rwt_wait_until(logged, "me", 10.0));
	cr_assert_not_null(stored = stored_auth());
	kill_daemon();
	assert_signs_in_again(id);
	cr_assert_eq(fake_state("refreshes"), 2);
	free(stored);
}

/* No stored token and no seed: down, with the command to run. */
Test(allegro, no_token_says_authorize)
{
	char *top;

	cr_assert(asprintf(&top,
			   ",\n \"secrets_key\": \"" SECRETS_KEY "\","
			   " \"sources\": [ { \"name\": \"" SOURCE "\", \"type\": \"" PLATFORM "\","
			   " \"base_url\": \"%s\", \"token_url\": \"%s/auth/oauth/token\","
			   " \"client_id\": \"" CLIENT_ID "\", \"client_secret\": \"" CLIENT_SECRET
			   "\", \"poll_every\": \"1s\" } ]",
			   stack.fake.base, stack.fake.base) > 0);
	rwt_stack_start(&stack, top);
	free(top);
	rwt_src_wait_source_state(&src, "down", 15.0);
	cr_assert(rwt_daemon_log_contains(&stack.daemon, "replywatchd --authorize " SOURCE));
}

/* ---- replywatchd --authorize SOURCE: the device flow ---- */

static char *auth_out;

static bool
out_has_url(void *arg)
{
	size_t len;
	char *text;
	bool has;

	(void)arg;
	if (access(auth_out, R_OK) != 0)
		return false;
	text = rwt_slurp(auth_out, &len);
	has = strstr(text, "skojarz-aplikacje?code=") != NULL;
	free(text);
	return has;
}

/* The exit status of pid within timeout_s (-1: still running). */
static int
wait_exit(pid_t pid, double timeout_s)
{
	for (int i = 0; i < (int)(timeout_s * 20); i++) {
		int status;

		if (waitpid(pid, &status, WNOHANG) == pid)
			return WIFEXITED(status) ? WEXITSTATUS(status) : 128;
		usleep(50000);
	}
	return -1;
}

/* Writes a configuration without a seed refresh token; runs --authorize
 * against it; what (approve or deny) is done at the fake once the command
 * printed its URL. Returns the exit status. */
static int
authorize(const char *what, char **config, int port)
{
	char *top, *argv[6];
	int r;
	pid_t pid;
	json_t *st;

	json_decref(ctl("settings", "{'device_interval': 1}"));
	cr_assert(asprintf(&top,
			   ",\n \"secrets_key\": \"" SECRETS_KEY "\","
			   " \"sources\": [ { \"name\": \"" SOURCE "\", \"type\": \"" PLATFORM "\","
			   " \"base_url\": \"%s\", \"token_url\": \"%s/auth/oauth/token\","
			   " \"device_url\": \"%s/auth/oauth/device\","
			   " \"client_id\": \"" CLIENT_ID "\", \"client_secret\": \"" CLIENT_SECRET
			   "\", \"poll_every\": \"1s\" } ]",
			   stack.fake.base, stack.fake.base, stack.fake.base) > 0);
	*config = rwt_write_config(stack.dir, &stack.redis, port, "", top);
	free(top);
	cr_assert(asprintf(&auth_out, "%s/authorize.out", stack.dir) > 0);
	argv[0] = RW_DAEMON_PATH;
	argv[1] = "--authorize";
	argv[2] = SOURCE;
	argv[3] = "-c";
	argv[4] = *config;
	argv[5] = NULL;
	pid = rwt_spawn(argv, NULL, auth_out);
	cr_assert(rwt_wait_until(out_has_url, NULL, 10.0), "no URL printed");
	st = ctl(what, "{}");
	json_decref(st);
	r = wait_exit(pid, 20.0);
	if (r == -1) {
		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
	}
	return r;
}

static void
assert_output_clean(void)
{
	size_t len;
	char *text = rwt_slurp(auth_out, &len);

	cr_assert_null(strstr(text, "rwfake-al-"), "the output shows a token");
	cr_assert_null(strstr(text, CLIENT_SECRET), "the output shows the client secret");
	free(text);
}

/* Approved: exit 0, the refresh token stored encrypted, and the daemon
 * signs in with it (no seed configured). */
Test(allegro, authorize_device_flow)
{
	char *config, *stored;
	int port = rwt_free_port();

	cr_assert_eq(authorize("approve", &config, port), 0);
	cr_assert_not_null(stored = stored_auth());
	free(stored);
	assert_output_clean();
	cr_assert_geq(count_requests("device", NULL), 1);
	cr_assert_geq(fake_state("device_polls"), 1);

	rwt_daemon_start(&stack.daemon, config, port, NULL);
	rwt_daemon_wait_ready(&stack.daemon, 5.0);
	wait_refreshes(1);
	rwt_src_wait_source_state(&src, "ok", 10.0);
	cr_assert_eq(fake_state("refused"), 0);
	cr_assert(rwt_daemon_log_contains(&stack.daemon, "signed in as seller acme-shop"));
	assert_no_secret();
	free(config);
	free(auth_out);
}

/* Denied: exit 3, nothing stored. */
Test(allegro, authorize_denied)
{
	char *config;

	cr_assert_eq(authorize("deny", &config, rwt_free_port()), 3);
	cr_assert_null(stored_auth());
	assert_output_clean();
	free(config);
	free(auth_out);
}

/* A 401 renews the access token once (a refresh, rotated and stored like
 * any); a 401 on the token that renewal gave means the grant is refused:
 * down, without another refresh. Regression: swapping in the renewed
 * token dropped the "after a refusal" mark, so a refused grant looped
 * through refreshes. */
Test(allegro, regression_unauthorized_renews_once_then_down)
{
	char id[ID_MAX];
	long r0;

	add_rating("'buyer': 'b', 'comment': 'x', 'recommended': true", rw_now_ms() - MINUTE_MS,
		   id);
	start_daemon("1s");
	rwt_src_wait_tracked(&src, 1, 10.0);
	r0 = fake_state("refreshes");
	json_decref(ctl("fault", "{'endpoint': 'ratings', 'kind': '401', 'count': 1}"));
	wait_refreshes(r0 + 1);
	rwt_src_wait_source_state(&src, "ok", 10.0);

	json_decref(ctl("fault", "{'endpoint': 'ratings', 'kind': '401', 'count': 50}"));
	rwt_src_wait_source_state(&src, "down", 15.0);
	cr_assert_eq(fake_state("refreshes"), r0 + 1);
	cr_assert_eq(fake_state("refused"), 0);
}

static bool
expiry_warned(void *arg)
{
	json_t *st = rwt_src_status(&src);
	const char *w = str(st, "warning");
	bool yes = w != NULL && strstr(w, "expires at") != NULL &&
		   strstr(w, "replywatchd --authorize " SOURCE) != NULL;

	(void)arg;
	json_decref(st);
	return yes;
}

/* A platform that stops rotating: the stored token keeps its age, and a
 * week before its 3 months are up /status warns, naming the command. */
Test(allegro, expiry_warned_a_week_ahead)
{
	char id[ID_MAX];
	json_t *st, *cred;
	int64_t rotated, expires;
	char *iso;

	add_rating("'buyer': 'b', 'comment': 'x', 'recommended': true", rw_now_ms() - MINUTE_MS,
		   id);
	stack.daemon.test_clock = true;
	start_daemon("1m");
	rwt_src_wait_tracked(&src, 1, 10.0);
	json_decref(ctl("settings", "{'rotate': false}"));
	st = rwt_src_status(&src);
	cred = json_object_get(st, "credential");
	cr_assert_eq(rw_time_parse(str(cred, "rotated_at"), &rotated), 0, "%s", json_dumps(st, 0));
	cr_assert_eq(rw_time_parse(str(cred, "expires_at"), &expires), 0);
	cr_assert_eq(expires - rotated, 90LL * 86400 * 1000);
	cr_assert_null(str(st, "warning"));
	json_decref(st);

	rwt_clock_advance(&stack.daemon, 84 * 86400);
	cr_assert(rwt_wait_until(expiry_warned, NULL, 15.0), "no warning");
	cr_assert_geq(fake_state("refreshes"), 2);
	st = rwt_src_status(&src);
	cred = json_object_get(st, "credential");
	iso = rwt_iso(expires);
	cr_assert_str_eq(str(cred, "expires_at"), iso);
	free(iso);
	json_decref(st);
}

static bool
source_ok(void *arg)
{
	json_t *st = rwt_src_status(&src);
	bool ok = str(st, "state") != NULL && strcmp(str(st, "state"), "ok") == 0 &&
		  fake_state("refreshes") >= *(long *)arg;

	json_decref(st);
	return ok;
}

/* A daemon whose source is down for want of a token takes up a token
 * stored by replywatchd --authorize meanwhile, without a restart (at its
 * next sign-in attempt: the test clock skips the auth backoff). */
Test(allegro, authorize_while_running)
{
	char *config;
	int port = rwt_free_port();
	long one = 1;
	pid_t pid;
	char *argv[6];

	json_decref(ctl("settings", "{'device_interval': 1}"));
	/* The configuration authorize() writes, used first by the daemon. */
	cr_assert_eq(authorize("deny", &config, port), 3);
	stack.daemon.test_clock = true;
	rwt_daemon_start(&stack.daemon, config, port, NULL);
	rwt_daemon_wait_ready(&stack.daemon, 5.0);
	rwt_src_wait_source_state(&src, "down", 15.0);

	free(auth_out);
	cr_assert(asprintf(&auth_out, "%s/authorize2.out", stack.dir) > 0);
	argv[0] = RW_DAEMON_PATH;
	argv[1] = "--authorize";
	argv[2] = SOURCE;
	argv[3] = "-c";
	argv[4] = config;
	argv[5] = NULL;
	pid = rwt_spawn(argv, NULL, auth_out);
	cr_assert(rwt_wait_until(out_has_url, NULL, 10.0), "no URL printed");
	json_decref(ctl("approve", "{}"));
	cr_assert_eq(wait_exit(pid, 20.0), 0);
	cr_assert(rwt_wait_advancing(&stack.daemon, 60, source_ok, &one, 20.0),
		  "the running daemon did not take the new token up");
	cr_assert_eq(fake_state("refused"), 0);
	free(config);
	free(auth_out);
}
