/*
 * Platform webhooks end to end: the real daemon serves GET|POST /hooks/SOURCE
 * and rwfake's Meta sender (tests/fakes/fake_meta_send.c) signs and sends
 * deliveries over loopback; items land in a real redis-server. The
 * subscription handshake (answered, refused), a good signature tracked, a
 * bad or missing one refused and counted in /status and /metrics, a replay
 * and an edit tracked once, a brand reply before the comment it answers
 * (out of order), a removal closing the mention (also one that comes before
 * the comment it removes), Instagram comments and
 * mentions, an oversized body refused, no http.token needed but a wrong
 * source answering 404.
 *
 * The hooks_poll suite runs the facebook connector against the fake Graph
 * API (tests/support/rwtmeta.c) beside the webhooks: webhook-then-poll and
 * poll-then-webhook track each comment once, and a reply found by either
 * path answers a mention the other one opened.
 */
#include <criterion/criterion.h>
#include <hiredis/hiredis.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "replywatch/clock.h"
#include "rwtmeta.h"
#include "rwtest.h"

#define PAGE "111222333444555"
#define IG "17841400000000999"
#define APP_SECRET "meta-app-secret-for-tests"
#define VERIFY "verify-me-please"
#define ADMIN "admin-token"

static struct rwt_stack s;
static long long t0; /* Unix seconds an hour ago: the deliveries' base time */

static void
setup(void)
{
	char *top, *path;
	int port = rwt_free_port();

	rwt_stack_up(&s, true);
	t0 = (long long)time(NULL) - 3600;
	top = rwt_json_quotes(
		",\n \"policies\": [ { \"name\": \"all\", \"breach_after\": \"2h\" } ],\n"
		" \"sources\": ["
		" { 'name': 'fb', 'type': 'facebook', 'page_id': '" PAGE "', 'token': 'graph-tok',"
		" 'app_secret': '" APP_SECRET "', 'verify_token': '" VERIFY "' },"
		" { 'name': 'ig', 'type': 'instagram', 'user_id': '" IG "', 'token': 'graph-tok',"
		" 'app_secret': '" APP_SECRET "', 'verify_token': '" VERIFY "' },"
		" { 'name': 'fbnohook', 'type': 'facebook', 'page_id': '1', 'token': 'graph-tok' },"
		" { 'name': 'p', 'type': 'push', 'token': 'ptok' } ]");
	path = rwt_write_config(s.dir, &s.redis, port, ", \"token\": \"" ADMIN "\"", top);
	s.daemon.token = strdup(ADMIN);
	rwt_daemon_start(&s.daemon, path, port, NULL);
	rwt_daemon_wait_ready(&s.daemon, 5.0);
	free(path);
	free(top);
}

static void
teardown(void)
{
	rwt_stack_down(&s);
}

TestSuite(hooks, .init = setup, .fini = teardown, .timeout = 120);

/* Sends payload (JSON, ' for ") to /hooks/source through the fake's Meta
 * sender, signature good|bad|none, times times. Returns the status of the
 * last send. */
static long
send_as(const char *source, const char *payload, const char *sig, int times)
{
	char *body;
	json_t *r;
	long status;

	cr_assert(asprintf(&body,
			   "{'url': 'http://127.0.0.1:%d/hooks/%s', 'app_secret': '" APP_SECRET
			   "', 'signature': '%s', 'times': %d, 'payload': %s}",
			   s.daemon.http_port, source, sig, times, payload) > 0);
	r = rwt_fake_call(&s.fake, "POST", "/_fake/meta_hooks/send", body);
	cr_assert_eq(json_array_size(json_object_get(r, "status")), (size_t)times);
	for (int i = 0; i < times; i++)
		cr_assert_eq(
			json_integer_value(json_array_get(json_object_get(r, "status"), (size_t)i)),
			json_integer_value(json_array_get(json_object_get(r, "status"), 0)),
			"a replay was answered differently");
	status = (long)json_integer_value(json_array_get(json_object_get(r, "status"), 0));
	json_decref(r);
	free(body);
	return status;
}

/* A Page feed delivery of one change (value's members, ' for "). */
static char *
feed(const char *value)
{
	char *p;

	cr_assert(asprintf(&p,
			   "{'object': 'page', 'entry': [{'id': '" PAGE "', 'time': %lld,"
			   " 'changes': [{'field': 'feed', 'value': {%s}}]}]}",
			   t0, value) > 0);
	return p;
}

static long
send_feed(const char *value, const char *sig, int times)
{
	char *p = feed(value);
	long status = send_as("fb", p, sig, times);

	free(p);
	return status;
}

/* A customer comment id on post PAGE_1, created at t0 + sec. */
static long
customer_comment(const char *id, const char *text, int sec, int times)
{
	char v[600];

	snprintf(v, sizeof(v),
		 "'item': 'comment', 'verb': 'add', 'post_id': '" PAGE "_1', 'comment_id': '%s',"
		 " 'parent_id': '" PAGE "_1', 'from': {'id': '5550001', 'name': 'Jane'},"
		 " 'message': '%s', 'created_time': %lld",
		 id, text, t0 + sec);
	return send_feed(v, "good", times);
}

static json_t *
mention(const char *source, const char *id)
{
	char path[200];

	snprintf(path, sizeof(path), "/mentions/%s%%3A%s", source, id);
	return rwt_get_json(s.daemon.http_port, path, ADMIN);
}

static const char *
str(json_t *v, const char *key)
{
	return json_string_value(json_object_get(v, key));
}

/* The time t0 + sec as the API shows it (a new string, caller frees). */
static char *
iso(int sec)
{
	return rwt_iso((t0 + sec) * 1000);
}

static void
expect_time(json_t *m, const char *key, int sec)
{
	char *want = iso(sec);

	cr_assert_str_eq(str(m, key), want, "%s", key);
	free(want);
}

static size_t
tracked(const char *source)
{
	char path[100];
	json_t *list;
	size_t n;

	snprintf(path, sizeof(path), "/mentions?source=%s&limit=1000", source);
	list = rwt_get_json(s.daemon.http_port, path, ADMIN);
	cr_assert_not_null(list);
	n = json_array_size(json_object_get(list, "mentions"));
	json_decref(list);
	return n;
}

/* /status's webhooks object of source (caller decrefs), NULL when none. */
static json_t *
webhooks_status(const char *source)
{
	json_t *st = rwt_get_json(s.daemon.http_port, "/status", ADMIN), *src, *w = NULL;
	size_t i;

	cr_assert_not_null(st);
	json_array_foreach(json_object_get(st, "sources"), i, src)
	{
		if (strcmp(str(src, "name"), source) == 0)
			w = json_incref(json_object_get(src, "webhooks"));
	}
	json_decref(st);
	return w;
}

static long long
count(const char *source, const char *what)
{
	json_t *w = webhooks_status(source);
	long long n = (long long)json_integer_value(json_object_get(w, what));

	json_decref(w);
	return n;
}

/* Fails unless promtool accepts text as an exposition (skipped, with a
 * warning, where promtool is not installed). */
static void
promtool_check(const char *text)
{
	char *path = rwt_write_file(s.dir, "metrics.txt", text), *cmd, *out = NULL;
	char *shell[] = {"/bin/sh", "-c", NULL, NULL};
	int rc;

	if (access("/usr/bin/promtool", X_OK) != 0) {
		cr_log_warn("promtool not installed; exposition not checked");
		free(path);
		return;
	}
	cr_assert(asprintf(&cmd, "promtool check metrics < %s", path) > 0);
	shell[2] = cmd;
	rc = rwt_run(shell, &out);
	cr_assert_eq(rc, 0, "promtool: %s", out);
	free(out);
	free(cmd);
	free(path);
}

Test(hooks, handshake_answers_the_challenge_with_the_verify_token)
{
	struct rwt_response r = rwt_http(s.daemon.http_port, "GET",
					 "/hooks/fb?hub.mode=subscribe&hub.verify_token=" VERIFY
					 "&hub.challenge=1158201444",
					 NULL, NULL);

	cr_assert_eq(r.status, 200, "%ld %s", r.status, r.body);
	cr_assert_str_eq(r.body, "1158201444");
	cr_assert(strstr(r.headers, "text/plain") != NULL);
	rwt_response_free(&r);
	cr_assert_eq(count("fb", "handshakes"), 1);
}

Test(hooks, handshake_refused_with_a_wrong_token_or_mode)
{
	struct rwt_response r = rwt_http(
		s.daemon.http_port, "GET",
		"/hooks/fb?hub.mode=subscribe&hub.verify_token=guess&hub.challenge=1158201444",
		NULL, NULL);

	cr_assert_eq(r.status, 403);
	cr_assert_null(strstr(r.body, "1158201444"));
	rwt_response_free(&r);
	r = rwt_http(s.daemon.http_port, "GET",
		     "/hooks/fb?hub.mode=unsubscribe&hub.verify_token=" VERIFY
		     "&hub.challenge=1158201444",
		     NULL, NULL);
	cr_assert_eq(r.status, 403);
	rwt_response_free(&r);
	cr_assert_eq(count("fb", "handshakes_refused"), 2);
	cr_assert_eq(count("fb", "handshakes"), 0);
	cr_assert_not(rwt_daemon_log_contains(&s.daemon, VERIFY));
}

Test(hooks, good_signature_is_tracked_and_brand_reply_answers_it)
{
	json_t *m;
	char v[600];

	cr_assert_eq(customer_comment("1_100", "Where is my refund?", -60, 1), 200);
	m = mention("fb", "1_100");
	cr_assert_not_null(m, "not tracked:\n%s", rwt_daemon_log(&s.daemon));
	cr_assert_str_eq(str(m, "state"), "open");
	cr_assert_str_eq(str(m, "author"), "Jane");
	cr_assert_str_eq(str(m, "kind"), "comment");
	cr_assert_str_eq(str(m, "conversation_id"), PAGE "_1");
	cr_assert_str_eq(str(m, "url"), "https://www.facebook.com/" PAGE "_1?comment_id=100");
	expect_time(m, "created_at", -60);
	json_decref(m);

	snprintf(v, sizeof(v),
		 "'item': 'comment', 'verb': 'add', 'post_id': '" PAGE "_1', 'comment_id': '1_101',"
		 " 'parent_id': '1_100', 'from': {'id': '" PAGE "', 'name': 'Acme'},"
		 " 'message': 'Sent today', 'created_time': %lld",
		 t0 + 100);
	cr_assert_eq(send_feed(v, "good", 1), 200);
	m = mention("fb", "1_100");
	cr_assert_str_eq(str(m, "state"), "replied");
	expect_time(m, "replied_at", 100);
	json_decref(m);
	cr_assert_eq(tracked("fb"), 1); /* the reply is no mention */
	cr_assert_eq(count("fb", "deliveries"), 2);
	cr_assert_eq(count("fb", "items"), 2);
}

Test(hooks, bad_or_missing_signature_is_refused_and_counted)
{
	char *p = feed("'item': 'comment', 'verb': 'add', 'post_id': '" PAGE "_1',"
		       " 'comment_id': '1_200', 'from': {'id': '9', 'name': 'Eve'},"
		       " 'created_time': 1700000000");
	struct rwt_response r;
	char *metrics;

	cr_assert_eq(send_as("fb", p, "bad", 1), 403);
	cr_assert_eq(send_as("fb", p, "none", 1), 401);
	free(p);
	cr_assert_null(mention("fb", "1_200"));
	cr_assert_eq(count("fb", "bad_signature"), 2);
	cr_assert_eq(count("fb", "deliveries"), 0);
	r = rwt_http(s.daemon.http_port, "GET", "/metrics", ADMIN, NULL);
	cr_assert_eq(r.status, 200);
	metrics = r.body;
	cr_assert(strstr(metrics, "replywatch_webhook_requests_total{source=\"fb\","
				  "result=\"bad_signature\"} 2") != NULL,
		  "%s", metrics);
	cr_assert_null(strstr(metrics, APP_SECRET));
	promtool_check(metrics);
	rwt_response_free(&r);
	cr_assert_not(rwt_daemon_log_contains(&s.daemon, APP_SECRET));
}

Test(hooks, replay_and_edit_track_the_item_once)
{
	char v[600];
	json_t *m;

	cr_assert_eq(customer_comment("1_300", "first", 0, 3), 200);
	snprintf(v, sizeof(v),
		 "'item': 'comment', 'verb': 'edited', 'post_id': '" PAGE "_1',"
		 " 'comment_id': '1_300', 'from': {'id': '5550001', 'name': 'Jane'},"
		 " 'message': 'edited', 'created_time': %lld",
		 t0 + 500);
	cr_assert_eq(send_feed(v, "good", 1), 200);
	cr_assert_eq(tracked("fb"), 1);
	m = mention("fb", "1_300");
	/* The first sight stands: time and text of the add. */
	expect_time(m, "created_at", 0);
	cr_assert_str_eq(str(m, "text"), "first");
	json_decref(m);
	cr_assert_eq(count("fb", "deliveries"), 4);
}

Test(hooks, brand_reply_before_the_comment_it_answers)
{
	char v[600];
	json_t *m;

	/* Out of order: the Page's reply comes first. */
	snprintf(v, sizeof(v),
		 "'item': 'comment', 'verb': 'add', 'post_id': '" PAGE "_1', 'comment_id': '1_401',"
		 " 'parent_id': '1_400', 'from': {'id': '" PAGE "', 'name': 'Acme'},"
		 " 'message': 'On it', 'created_time': %lld",
		 t0 + 300);
	cr_assert_eq(send_feed(v, "good", 1), 200);
	cr_assert_eq(customer_comment("1_400", "help", 200, 1), 200);
	m = mention("fb", "1_400");
	cr_assert_not_null(m);
	cr_assert_str_eq(str(m, "state"), "replied", "%s", json_dumps(m, 0));
	expect_time(m, "replied_at", 300);
	json_decref(m);
}

Test(hooks, removal_closes_the_mention)
{
	char v[600];
	json_t *m;

	cr_assert_eq(customer_comment("1_500", "oops", 0, 1), 200);
	snprintf(v, sizeof(v),
		 "'item': 'comment', 'verb': 'remove', 'post_id': '" PAGE "_1',"
		 " 'comment_id': '1_500', 'created_time': %lld",
		 t0 + 600);
	cr_assert_eq(send_feed(v, "good", 2), 200); /* a replay of it changes nothing */
	m = mention("fb", "1_500");
	cr_assert_str_eq(str(m, "state"), "closed");
	cr_assert_str_eq(str(m, "close_reason"), "deleted on platform");
	json_decref(m);
	/* A removal of something never tracked is fine too. */
	snprintf(v, sizeof(v),
		 "'item': 'comment', 'verb': 'remove', 'post_id': '" PAGE "_1',"
		 " 'comment_id': '1_599'");
	cr_assert_eq(send_feed(v, "good", 1), 200);
	cr_assert_eq(count("fb", "removed"), 3);
}

Test(hooks, removal_before_the_add_keeps_it_untracked)
{
	char v[600];

	/* Out of order: the comment's removal arrives before the comment. */
	snprintf(v, sizeof(v),
		 "'item': 'comment', 'verb': 'remove', 'post_id': '" PAGE "_1',"
		 " 'comment_id': '1_550', 'created_time': %lld",
		 t0 + 60);
	cr_assert_eq(send_feed(v, "good", 1), 200);
	cr_assert_eq(customer_comment("1_550", "deleted soon", 0, 1), 200);
	cr_assert_null(mention("fb", "1_550"));
	cr_assert_eq(count("fb", "ignored"), 1);
	/* Others are not affected. */
	cr_assert_eq(customer_comment("1_551", "still here", 0, 1), 200);
	cr_assert_eq(tracked("fb"), 1);
}

Test(hooks, unusable_changes_answer_200_and_are_counted)
{
	/* Another Page's entry, a change without ids, and a reaction. */
	cr_assert_eq(send_as("fb",
			     "{'object': 'page', 'entry': [{'id': '999', 'changes': []},"
			     " {'id': '" PAGE "', 'time': 1700000000, 'changes': ["
			     "{'field': 'feed', 'value': {'item': 'comment', 'verb': 'add'}},"
			     "{'field': 'feed', 'value': {'item': 'reaction', 'verb': 'add',"
			     " 'post_id': '" PAGE "_1'}}]}]}",
			     "good", 1),
		     200);
	cr_assert_eq(count("fb", "unusable"), 2);
	cr_assert_eq(count("fb", "ignored"), 1);
	cr_assert_eq(tracked("fb"), 0);
	cr_assert(rwt_daemon_log_contains(&s.daemon, "could not be used"));
	/* Signed, yet not JSON: still 200, never a retry loop. */
	cr_assert_eq(send_as("fb", "'not json'", "good", 1), 200);
	cr_assert_eq(count("fb", "rejected"), 1);
}

/* The score of member in the sorted set key, -1 when absent. */
static double
zscore(const char *key, const char *member)
{
	redisContext *c = rwt_redis_connect(&s.redis);
	redisReply *r = redisCommand(c, "ZSCORE %s %s", key, member);
	double v = r != NULL && r->type == REDIS_REPLY_STRING ? atof(r->str) : -1;

	freeReplyObject(r);
	redisFree(c);
	return v;
}

/* The removals kept per source are bounded: at 10 000, a new one pushes
 * the oldest out. */
Test(hooks, removals_kept_are_bounded)
{
	redisContext *c = rwt_redis_connect(&s.redis);
	long long now = (long long)time(NULL) * 1000;
	redisReply *r;
	char v[300];

	for (int i = 0; i < 10000; i++)
		cr_assert_eq(redisAppendCommand(c, "ZADD t:{fb}:rm %lld 9_%d", now - 10000 + i, i),
			     REDIS_OK);
	for (int i = 0; i < 10000; i++) {
		cr_assert_eq(redisGetReply(c, (void **)&r), REDIS_OK);
		freeReplyObject(r);
	}
	snprintf(v, sizeof(v),
		 "'item': 'comment', 'verb': 'remove', 'post_id': '" PAGE "_1',"
		 " 'comment_id': '1_777'");
	cr_assert_eq(send_feed(v, "good", 1), 200);
	r = redisCommand(c, "ZCARD t:{fb}:rm");
	cr_assert_eq(r->integer, 10000);
	freeReplyObject(r);
	redisFree(c);
	cr_assert_lt(zscore("t:{fb}:rm", "9_0"), 0, "the oldest was not dropped");
	cr_assert_gt(zscore("t:{fb}:rm", "9_1"), 0);
	cr_assert_gt(zscore("t:{fb}:rm", "1_777"), 0);
}

Test(hooks, instagram_comments_and_mentions)
{
	json_t *m;
	char *p;

	cr_assert(asprintf(&p,
			   "{'object': 'instagram', 'entry': [{'id': '" IG "', 'time': %lld,"
			   " 'changes': [{'field': 'comments', 'value': {'id': '17870913679156914',"
			   " 'text': 'where is my parcel?',"
			   " 'from': {'id': '17841400000000001', 'username': 'jane.customer'},"
			   " 'media': {'id': '17900000000000001'}}},"
			   " {'field': 'mentions', 'value': {'media_id': '17900000000000002',"
			   " 'comment_id': '17870913679156999'}}]}]}",
			   t0) > 0);
	cr_assert_eq(send_as("ig", p, "good", 1), 200);
	free(p);
	m = mention("ig", "17870913679156914");
	cr_assert_not_null(m);
	cr_assert_str_eq(str(m, "state"), "open");
	expect_time(m, "created_at", 0);
	cr_assert_str_eq(str(m, "author"), "jane.customer");
	cr_assert_str_eq(str(m, "conversation_id"), "17900000000000001");
	json_decref(m);
	/* The mention names ids only: queued in Redis (before the 200) for
	 * the connector to read (test_instagram_mentions.c), not tracked yet. */
	cr_assert_null(mention("ig", "17870913679156999"));
	cr_assert_eq(tracked("ig"), 1);
	cr_assert_eq(count("ig", "queued"), 1);
	cr_assert_eq(zscore("t:{ig}:hq", "c|17870913679156999|17900000000000002") > 0, 1);
}

Test(hooks, oversized_body_is_refused)
{
	size_t n = 600 * 1024;
	char *big = malloc(n + 3);

	cr_assert_not_null(big);
	big[0] = '\'';
	memset(big + 1, 'a', n);
	big[n + 1] = '\'';
	big[n + 2] = '\0';
	cr_assert_eq(send_as("fb", big, "good", 1), 413);
	free(big);
	cr_assert_eq(count("fb", "deliveries"), 0);
}

Test(hooks, no_http_token_needed_but_a_wrong_source_is_404)
{
	struct rwt_response r = rwt_http(s.daemon.http_port, "GET", "/status", NULL, NULL);
	char *p = feed("'item': 'comment', 'verb': 'add', 'post_id': '" PAGE "_1',"
		       " 'comment_id': '1_700', 'created_time': 1700000000");

	cr_assert_eq(r.status, 401); /* the token is on for the rest of the API */
	rwt_response_free(&r);
	/* The sender never sends a token: 200 means the route needs none. */
	cr_assert_eq(send_as("fb", p, "good", 1), 200);
	cr_assert_eq(send_as("nosuch", p, "good", 1), 404);
	cr_assert_eq(send_as("p", p, "good", 1), 404);        /* a push source */
	cr_assert_eq(send_as("fbnohook", p, "good", 1), 404); /* no app_secret */
	free(p);
	r = rwt_http(s.daemon.http_port, "GET",
		     "/hooks/nosuch?hub.mode=subscribe&hub.verify_token=" VERIFY "&hub.challenge=1",
		     NULL, NULL);
	cr_assert_eq(r.status, 404);
	rwt_response_free(&r);
	/* The admin token is no webhook credential either. */
	r = rwt_http(s.daemon.http_port, "POST", "/hooks/fb", ADMIN, "{}");
	cr_assert_eq(r.status, 401);
	rwt_response_free(&r);
}

/* ---- with the facebook connector polling the fake Graph API ---- */

#define META_PARAMS                                                                                \
	", \"page_id\": \"" RWM_PAGE_ID "\", \"app_secret\": \"" APP_SECRET                        \
	"\", \"verify_token\": \"" VERIFY "\""

TestSuite(hooks_poll, .init = rwm_setup, .fini = rwm_teardown, .timeout = 120);

/* A feed comment change of comment on post from from_id, sent signed to
 * the fixture's daemon; returns the status. */
static long
meta_send_comment(const char *post, const char *comment, const char *parent, const char *from_id,
		  long long at_s)
{
	char *body;
	json_t *r;
	long status;

	cr_assert(asprintf(&body,
			   "{'url': 'http://127.0.0.1:%d/hooks/" RWM_SOURCE "',"
			   " 'app_secret': '" APP_SECRET "', 'payload': {'object': 'page',"
			   " 'entry': [{'id': '" RWM_PAGE_ID
			   "', 'time': %lld, 'changes': [{'field':"
			   " 'feed', 'value': {'item': 'comment', 'verb': 'add', 'post_id': '%s',"
			   " 'comment_id': '%s', 'parent_id': '%s', 'from': {'id': '%s',"
			   " 'name': 'Person %s'}, 'message': 'Hello', 'created_time': %lld}}]}]}}",
			   rwm.daemon.http_port, at_s, post, comment, parent, from_id, from_id,
			   at_s) > 0);
	r = rwt_fake_call(&rwm.fake, "POST", "/_fake/meta_hooks/send", body);
	status = (long)json_integer_value(json_array_get(json_object_get(r, "status"), 0));
	json_decref(r);
	free(body);
	return status;
}

struct polls_since {
	int64_t after_ms;
	size_t want;
};

/* True once the fake logged want posts requests since after_ms: a whole
 * poll (or more) ran after that instant. */
static bool
polled_since(void *arg)
{
	struct polls_since *p = arg;

	return rwm_count_requests("posts", p->after_ms) >= p->want;
}

static void
wait_polls(size_t n)
{
	struct polls_since p = {rw_now_ms(), n};

	cr_assert(rwt_wait_until(polled_since, &p, 20.0), "no poll came:\n%s",
		  rwt_daemon_log(&rwm.daemon));
}

/* The comment reaches replywatch by the webhook first; the poll that then
 * finds it on the platform changes nothing; the Page's reply found by a
 * later poll answers it. */
Test(hooks_poll, webhook_then_poll_tracks_once)
{
	long long at_s = (long long)time(NULL) - 120;
	char *post, *comment, *reply;
	json_t *m;

	rwm_start("facebook", META_PARAMS);
	wait_polls(1);
	/* The fake's ids are predictable: its first post, then a comment. */
	cr_assert_eq(meta_send_comment(RWM_PAGE_ID "_2001", "2001_2002", RWM_PAGE_ID "_2001", "900",
				       at_s),
		     200);
	rwm_wait_state("2001_2002", "open", 5.0);
	post = rwm_add("post",
		       "'edge': 'posts', 'from_id': '" RWM_PAGE_ID
		       "', 'from_name': 'Brand Cafe', 'text': 'News'",
		       (at_s - 60) * 1000);
	comment = rwm_add("comment",
			  "'post': '" RWM_PAGE_ID "_2001', 'from_id': '900',"
			  " 'from_name': 'Person 900', 'text': 'Hello'",
			  at_s * 1000);
	cr_assert_str_eq(post, RWM_PAGE_ID "_2001");
	cr_assert_str_eq(comment, "2001_2002");
	wait_polls(2);
	cr_assert_eq(rwm_tracked(), 1);
	m = rwm_mention(comment);
	cr_assert_str_eq(json_string_value(json_object_get(m, "state")), "open");
	json_decref(m);
	reply = rwm_add("comment",
			"'post': '" RWM_PAGE_ID
			"_2001', 'parent': '2001_2002', 'from_id': '" RWM_PAGE_ID
			"', 'from_name': 'Brand Cafe', 'text': 'Hi!'",
			(at_s + 30) * 1000);
	rwm_wait_state(comment, "replied", 20.0);
	cr_assert_eq(rwm_tracked(), 1);
	free(post);
	free(comment);
	free(reply);
}

/* The poll finds the comment first; the webhook of it (and its replay)
 * changes nothing; the Page's reply by webhook answers it at once. */
Test(hooks_poll, poll_then_webhook_tracks_once)
{
	long long at_s = (long long)time(NULL) - 120;
	char *post, *comment;
	json_t *m;
	char at[40];

	post = rwm_add("post",
		       "'edge': 'posts', 'from_id': '" RWM_PAGE_ID
		       "', 'from_name': 'Brand Cafe', 'text': 'News'",
		       (at_s - 60) * 1000);
	comment = rwm_add("comment",
			  "'post': '" RWM_PAGE_ID "_2001', 'from_id': '900',"
			  " 'from_name': 'Person 900', 'text': 'Hello'",
			  at_s * 1000);
	rwm_start("facebook", META_PARAMS);
	rwm_wait_state(comment, "open", 20.0);
	cr_assert_eq(meta_send_comment(post, comment, post, "900", at_s), 200);
	cr_assert_eq(meta_send_comment(post, comment, post, "900", at_s), 200);
	cr_assert_eq(rwm_tracked(), 1);
	cr_assert_eq(meta_send_comment(post, "2001_9999", comment, RWM_PAGE_ID, at_s + 45), 200);
	m = rwm_mention(comment);
	rw_time_format((at_s + 45) * 1000, at, sizeof(at));
	cr_assert_str_eq(json_string_value(json_object_get(m, "state")), "replied");
	cr_assert_str_eq(json_string_value(json_object_get(m, "replied_at")), at);
	json_decref(m);
	wait_polls(1);
	cr_assert_eq(rwm_tracked(), 1);
	free(post);
	free(comment);
}

/* Regression: a removal that came before its add (out of order) was kept
 * in memory only, so after a restart in between the late add was tracked
 * and stayed open. The removal is now in Redis: after a restart the late
 * add is still dropped, and so is the comment when a poll still finds it
 * on the platform; another comment is tracked as usual. */
Test(hooks_poll, regression_removal_before_add_survives_a_restart)
{
	long long at_s = (long long)time(NULL) - 120;
	char *body, *post, *gone, *kept;
	json_t *r, *st;

	rwm_start("facebook", META_PARAMS);
	wait_polls(1);
	cr_assert(asprintf(&body,
			   "{'url': 'http://127.0.0.1:%d/hooks/" RWM_SOURCE "',"
			   " 'app_secret': '" APP_SECRET "', 'payload': {'object': 'page',"
			   " 'entry': [{'id': '" RWM_PAGE_ID
			   "', 'time': %lld, 'changes': [{'field':"
			   " 'feed', 'value': {'item': 'comment', 'verb': 'remove', 'post_id': "
			   "'" RWM_PAGE_ID "_2001', 'comment_id': '2001_2002'}}]}]}}",
			   rwm.daemon.http_port, at_s) > 0);
	r = rwt_fake_call(&rwm.fake, "POST", "/_fake/meta_hooks/send", body);
	cr_assert_eq(json_integer_value(json_array_get(json_object_get(r, "status"), 0)), 200);
	json_decref(r);
	free(body);
	rwm_stop();
	rwm_start("facebook", META_PARAMS);
	/* The late add, by webhook: dropped. */
	cr_assert_eq(meta_send_comment(RWM_PAGE_ID "_2001", "2001_2002", RWM_PAGE_ID "_2001", "900",
				       at_s),
		     200);
	cr_assert_null(rwm_mention("2001_2002"));
	/* The platform still lists it for a while: the poll drops it too. */
	post = rwm_add("post",
		       "'edge': 'posts', 'from_id': '" RWM_PAGE_ID
		       "', 'from_name': 'Brand Cafe', 'text': 'News'",
		       (at_s - 60) * 1000);
	gone = rwm_add("comment",
		       "'post': '" RWM_PAGE_ID "_2001', 'from_id': '900',"
		       " 'from_name': 'Person 900', 'text': 'Hello'",
		       at_s * 1000);
	kept = rwm_add("comment",
		       "'post': '" RWM_PAGE_ID "_2001', 'from_id': '901',"
		       " 'from_name': 'Person 901', 'text': 'Still here'",
		       at_s * 1000);
	cr_assert_str_eq(gone, "2001_2002");
	rwm_wait_state(kept, "open", 20.0);
	wait_polls(1);
	cr_assert_null(rwm_mention(gone));
	cr_assert_eq(rwm_tracked(), 1);
	st = rwm_source_status();
	cr_assert_geq(json_integer_value(json_object_get(st, "items_removed_dropped")), 1, "%s",
		      json_dumps(st, 0));
	json_decref(st);
	free(post);
	free(gone);
	free(kept);
}

/* A removal is remembered for a day: an add of the same id a day later
 * (an id cannot come back, so this only bounds what is kept) is tracked. */
Test(hooks_poll, removal_is_forgotten_after_a_day)
{
	long long at_s = (long long)time(NULL) - 120;
	char *body;
	json_t *r, *m;

	rwm_start("facebook", META_PARAMS);
	cr_assert(asprintf(&body,
			   "{'url': 'http://127.0.0.1:%d/hooks/" RWM_SOURCE "',"
			   " 'app_secret': '" APP_SECRET "', 'payload': {'object': 'page',"
			   " 'entry': [{'id': '" RWM_PAGE_ID
			   "', 'time': %lld, 'changes': [{'field':"
			   " 'feed', 'value': {'item': 'comment', 'verb': 'remove', 'post_id': "
			   "'" RWM_PAGE_ID "_2001', 'comment_id': '2001_2002'}}]}]}}",
			   rwm.daemon.http_port, at_s) > 0);
	r = rwt_fake_call(&rwm.fake, "POST", "/_fake/meta_hooks/send", body);
	cr_assert_eq(json_integer_value(json_array_get(json_object_get(r, "status"), 0)), 200);
	json_decref(r);
	free(body);
	cr_assert_eq(meta_send_comment(RWM_PAGE_ID "_2001", "2001_2002", RWM_PAGE_ID "_2001", "900",
				       at_s),
		     200);
	cr_assert_null(rwm_mention("2001_2002"));
	rwt_clock_advance(&rwm.daemon, 24 * 3600 + 60);
	cr_assert_eq(meta_send_comment(RWM_PAGE_ID "_2001", "2001_2002", RWM_PAGE_ID "_2001", "900",
				       at_s),
		     200);
	/* Tracked (already past its deadline on the moved clock). */
	m = rwm_mention("2001_2002");
	cr_assert_not_null(m, "not tracked a day after its removal");
	json_decref(m);
}
