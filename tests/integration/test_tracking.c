/*
 * Mention tracking end to end: the real daemon, a real redis-server, items
 * pushed over HTTP. Deadlines fire at their instant, replies resolve with the
 * exact response time, ingest is idempotent, the conversation rule holds,
 * close works, late and already-answered items behave, and a restart keeps
 * every state.
 */
#include <criterion/criterion.h>
#include <inttypes.h>
#include <jansson.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "replywatch/mention.h"
#include "rwtest.h"

static struct rwt_redis redis;
static struct rwt_daemon daemon_;
static char *dir;

static void
setup(void)
{
	dir = rwt_tmpdir_new();
}

static void
teardown(void)
{
	rwt_daemon_stop_clean(&daemon_);
	rwt_daemon_cleanup(&daemon_);
	rwt_redis_destroy(&redis);
	rwt_tmpdir_remove(dir);
}

TestSuite(tracking, .init = setup, .fini = teardown, .timeout = 120);

#define SECTIONS                                                                                   \
	",\n \"retention\": { \"give_up_after\": \"1h\" },\n"                                      \
	" \"policies\": [ { \"name\": \"vip\", \"match\": { \"min_followers\": 10000 },"           \
	" \"warn_after\": \"1s\", \"breach_after\": \"2s\", \"escalate_after\": [\"3s\"] },"       \
	" { \"name\": \"social\", \"warn_after\": \"1h\", \"breach_after\": \"2h\" } ],\n"         \
	" \"sources\": [ { \"name\": \"p\", \"type\": \"push\", \"token\": \"ptok\" } ]"

static void
start(void)
{
	int port = rwt_free_port();
	char *path = rwt_write_config(dir, &redis, port, "", SECTIONS);

	rwt_daemon_start(&daemon_, path, port, NULL);
	free(path);
	rwt_daemon_wait_ready(&daemon_, 5.0);
}

static char *
iso(int64_t ms)
{
	char buf[40];

	return strdup(rw_time_format(ms, buf, sizeof(buf)));
}

static long
push(const char *body)
{
	struct rwt_response r = rwt_http(daemon_.http_port, "POST", "/ingest/p", "ptok", body);
	long status = r.status;

	if (status != 202)
		cr_log_info("push answered %ld: %s", status, r.body);
	rwt_response_free(&r);
	return status;
}

static json_t *
get_json(const char *path)
{
	return rwt_get_json(daemon_.http_port, path, NULL);
}

static char *
mention_state(const char *key)
{
	char path[300];
	json_t *m;
	char *state = NULL;

	snprintf(path, sizeof(path), "/mentions/%s", key);
	m = get_json(path);
	if (m != NULL)
		state = strdup(json_string_value(json_object_get(m, "state")));
	json_decref(m);
	return state;
}

struct state_wait {
	const char *key;
	const char *want;
};

static bool
state_is(void *arg)
{
	struct state_wait *w = arg;
	char *state = mention_state(w->key);
	bool ok = state && strcmp(state, w->want) == 0;

	free(state);
	return ok;
}

static bool
wait_state(const char *key, const char *want, double timeout_s)
{
	struct state_wait w = {key, want};

	return rwt_wait_until(state_is, &w, timeout_s);
}

/* Every event in the log (caller decrefs). */
static json_t *
all_events(void)
{
	json_t *doc = get_json("/events?limit=1000");

	cr_assert_not_null(doc);
	json_t *events = json_incref(json_object_get(doc, "events"));
	json_decref(doc);
	return events;
}

static size_t
count_events(const char *type, const char *key)
{
	json_t *events = all_events(), *e;
	size_t i, n = 0;

	json_array_foreach(events, i, e)
	{
		const char *k =
			json_string_value(json_object_get(json_object_get(e, "mention"), "key"));
		if (strcmp(json_string_value(json_object_get(e, "type")), type) == 0 && k &&
		    strcmp(k, key) == 0)
			n++;
	}
	json_decref(events);
	return n;
}

static json_t *
find_event(const char *type, const char *key)
{
	json_t *events = all_events(), *e, *found = NULL;
	size_t i;

	json_array_foreach(events, i, e)
	{
		const char *k =
			json_string_value(json_object_get(json_object_get(e, "mention"), "key"));
		if (strcmp(json_string_value(json_object_get(e, "type")), type) == 0 && k &&
		    strcmp(k, key) == 0)
			found = json_incref(e);
	}
	json_decref(events);
	return found;
}

static int64_t
time_of(const json_t *obj, const char *field)
{
	int64_t ms = 0;

	cr_assert_eq(rw_time_parse(json_string_value(json_object_get(obj, field)), &ms), 0,
		     "%s is not a time", field);
	return ms;
}

Test(tracking, warning_breach_escalation_then_reply_with_exact_response_time)
{
	rwt_redis_start(&redis, NULL);
	start();
	int64_t created = rw_now_ms() - 200;
	char *c = iso(created), *body;

	cr_assert(asprintf(&body,
			   "{\"id\":\"m1\",\"created_at\":\"%s\",\"author\":\"ann\","
			   "\"author_followers\":50000,\"text\":\"Where is my order?\"}",
			   c) > 0);
	cr_assert_eq(push(body), 202);
	json_t *m = get_json("/mentions/p:m1");
	cr_assert_not_null(m);
	cr_assert_str_eq(json_string_value(json_object_get(m, "state")), "open");
	cr_assert_str_eq(json_string_value(json_object_get(m, "policy")), "vip");
	cr_assert_eq(time_of(m, "warn_at"), created + 1000);
	cr_assert_eq(time_of(m, "breach_at"), created + 2000);
	json_decref(m);

	cr_assert(wait_state("p:m1", "warning", 5.0));
	json_t *warning = find_event("warning", "p:m1");
	cr_assert_not_null(warning);
	cr_assert_eq(time_of(warning, "due"), created + 1000);
	cr_assert_geq(time_of(warning, "at"), created + 1000, "raised before its instant");
	cr_assert_str_eq(
		json_string_value(json_object_get(json_object_get(warning, "policy"), "name")),
		"vip");
	json_decref(warning);

	cr_assert(wait_state("p:m1", "breached", 5.0));
	json_t *breach = find_event("breach", "p:m1");
	cr_assert_eq(time_of(breach, "due"), created + 2000);
	cr_assert_geq(time_of(breach, "at"), created + 2000);
	json_decref(breach);
	for (int i = 0; i < 100 && count_events("escalation", "p:m1") == 0; i++)
		usleep(50000);
	json_t *escalation = find_event("escalation", "p:m1");
	cr_assert_not_null(escalation, "no escalation");
	cr_assert_eq(json_integer_value(json_object_get(escalation, "level")), 1);
	json_decref(escalation);

	/* The brand replies 3.456 s after the mention (not before that instant
	 * has come: a time in the future is capped at receipt). */
	while (rw_now_ms() < created + 3456)
		usleep(10000);
	char *r = iso(created + 3456), *reply;
	cr_assert(asprintf(&reply,
			   "[{\"id\":\"r1\",\"created_at\":\"%s\",\"in_reply_to\":\"m1\","
			   "\"from_brand\":true}]",
			   r) > 0);
	cr_assert_eq(push(reply), 202);
	m = get_json("/mentions/p:m1");
	cr_assert_str_eq(json_string_value(json_object_get(m, "state")), "replied");
	cr_assert_float_eq(json_real_value(json_object_get(m, "response_seconds")), 3.456, 1e-9);
	cr_assert_float_eq(json_real_value(json_object_get(m, "business_response_seconds")), 3.456,
			   1e-9);
	cr_assert_eq(time_of(m, "replied_at"), created + 3456);
	json_decref(m);
	json_t *resolved = find_event("resolved", "p:m1");
	cr_assert_not_null(resolved);
	cr_assert_float_eq(json_real_value(json_object_get(resolved, "response_seconds")), 3.456,
			   1e-9);
	json_decref(resolved);

	/* Every event once, and nothing after the reply. */
	cr_assert_eq(count_events("warning", "p:m1"), 1);
	cr_assert_eq(count_events("breach", "p:m1"), 1);
	cr_assert_eq(count_events("escalation", "p:m1"), 1);
	free(c);
	free(r);
	free(body);
	free(reply);
}

Test(tracking, ingest_is_idempotent)
{
	rwt_redis_start(&redis, NULL);
	start();
	char *c = iso(rw_now_ms()), *body;

	cr_assert(asprintf(&body,
			   "[{\"id\":\"a\",\"created_at\":\"%s\",\"author\":\"x\",\"text\":\"hi\"},"
			   "{\"id\":\"b\",\"created_at\":\"%s\",\"author\":\"y\"}]",
			   c, c) > 0);
	cr_assert_eq(push(body), 202);
	json_t *before = get_json("/mentions/p:a");
	for (int i = 0; i < 3; i++)
		cr_assert_eq(push(body), 202);
	json_t *after = get_json("/mentions/p:a");
	cr_assert(json_equal(before, after), "a re-push changed the mention");
	json_t *page = get_json("/mentions");
	cr_assert_eq(json_array_size(json_object_get(page, "mentions")), 2);
	json_decref(page);
	json_decref(before);
	json_decref(after);
	free(body);
	free(c);
}

Test(tracking, a_reply_resolves_older_mentions_of_the_author_in_the_conversation)
{
	rwt_redis_start(&redis, NULL);
	start();
	int64_t t = rw_now_ms() - 60000;
	char *t0 = iso(t), *t1 = iso(t + 1000), *t2 = iso(t + 2000), *t3 = iso(t + 3000);
	char *t9 = iso(t + 9000), *body, *reply;

	/* ann twice in conversation c1, bob once in c1, ann once in c2, and ann
	 * again in c1 after the mention being answered. */
	cr_assert(asprintf(&body,
			   "[{\"id\":\"1\",\"created_at\":\"%s\",\"author\":\"ann\",\"conversation_"
			   "id\":\"c1\"},"
			   "{\"id\":\"2\",\"created_at\":\"%s\",\"author\":\"ann\",\"conversation_"
			   "id\":\"c1\"},"
			   "{\"id\":\"3\",\"created_at\":\"%s\",\"author\":\"bob\",\"conversation_"
			   "id\":\"c1\"},"
			   "{\"id\":\"4\",\"created_at\":\"%s\",\"author\":\"ann\",\"conversation_"
			   "id\":\"c2\"},"
			   "{\"id\":\"5\",\"created_at\":\"%s\",\"author\":\"ann\",\"conversation_"
			   "id\":\"c1\"}]",
			   t0, t1, t1, t2, t3) > 0);
	cr_assert_eq(push(body), 202);
	cr_assert(asprintf(&reply,
			   "{\"id\":\"r\",\"created_at\":\"%s\",\"in_reply_to\":\"2\",\"from_"
			   "brand\":true}",
			   t9) > 0);
	cr_assert_eq(push(reply), 202);
	char *s1 = mention_state("p:1"), *s2 = mention_state("p:2"), *s3 = mention_state("p:3");
	char *s4 = mention_state("p:4"), *s5 = mention_state("p:5");
	cr_assert_str_eq(s1, "replied", "older mention by ann in c1");
	cr_assert_str_eq(s2, "replied", "the mention answered");
	cr_assert_str_eq(s3, "open", "another author");
	cr_assert_str_eq(s4, "open", "another conversation");
	cr_assert_str_eq(s5, "open", "newer than the answered mention");
	json_t *m1 = get_json("/mentions/p:1");
	cr_assert_float_eq(json_real_value(json_object_get(m1, "response_seconds")), 9.0, 1e-9);
	json_decref(m1);
	free(s1), free(s2), free(s3), free(s4), free(s5);
	free(t0), free(t1), free(t2), free(t3), free(t9), free(body), free(reply);
}

/* Most mentions start their conversation (X and Mastodon give a thread its
 * first post's id). Such a mention keeps no conversation entry, yet a reply
 * to a later mention of its author resolves it too. */
Test(tracking, a_reply_resolves_the_conversation_starter_of_the_author)
{
	rwt_redis_start(&redis, NULL);
	start();
	int64_t t = rw_now_ms() - 60000;
	char *t0 = iso(t), *t1 = iso(t + 1000), *t2 = iso(t + 2000), *t9 = iso(t + 9000);
	char *body, *reply;

	cr_assert(asprintf(&body,
			   "[{\"id\":\"100\",\"created_at\":\"%s\",\"author\":\"ann\","
			   "\"conversation_id\":\"100\"},"
			   "{\"id\":\"101\",\"created_at\":\"%s\",\"author\":\"ann\","
			   "\"conversation_id\":\"100\"},"
			   "{\"id\":\"200\",\"created_at\":\"%s\",\"author\":\"bob\","
			   "\"conversation_id\":\"200\"},"
			   "{\"id\":\"201\",\"created_at\":\"%s\",\"author\":\"ann\","
			   "\"conversation_id\":\"200\"},"
			   "{\"id\":\"300\",\"created_at\":\"%s\",\"author\":\"ann\","
			   "\"conversation_id\":\"300\"},"
			   "{\"id\":\"301\",\"created_at\":\"%s\",\"author\":\"ann\","
			   "\"conversation_id\":\"300\"}]",
			   t0, t1, t0, t1, t0, t2) > 0);
	cr_assert_eq(push(body), 202);
	redisContext *rc = rwt_redis_connect(&redis);
	redisReply *r = redisCommand(rc, "ZSCORE t:{p}:cv:100 100");
	cr_assert_eq(r->type, REDIS_REPLY_NIL, "a conversation starter has no cv entry");
	freeReplyObject(r);
	redisFree(rc);
	const char *answered[] = {"101", "201", "300"};
	for (int i = 0; i < 3; i++) {
		cr_assert(asprintf(&reply,
				   "{\"id\":\"r%d\",\"created_at\":\"%s\",\"in_reply_to\":\"%s\","
				   "\"from_brand\":true}",
				   i, t9, answered[i]) > 0);
		cr_assert_eq(push(reply), 202);
		free(reply);
	}
	const char *want[][2] = {{"p:100", "replied"}, {"p:101", "replied"}, {"p:200", "open"},
				 {"p:201", "replied"}, {"p:300", "replied"}, {"p:301", "open"}};
	for (int i = 0; i < 6; i++) {
		char *st = mention_state(want[i][0]);
		cr_assert_str_eq(st, want[i][1], "%s", want[i][0]);
		free(st);
	}
	json_t *m = get_json("/mentions/p:100");
	cr_assert_float_eq(json_real_value(json_object_get(m, "response_seconds")), 9.0, 1e-9);
	json_decref(m);
	free(t0), free(t1), free(t2), free(t9), free(body);
}

/* The response time of key in seconds (-1 when it has none). */
static double
response_of(const char *key)
{
	char path[300];
	json_t *m, *v;
	double s = -1;

	snprintf(path, sizeof(path), "/mentions/%s", key);
	m = get_json(path);
	v = m ? json_object_get(m, "response_seconds") : NULL;
	if (json_is_real(v))
		s = json_real_value(v);
	json_decref(m);
	return s;
}

static void
assert_states(const char *const (*want)[2], size_t n)
{
	for (size_t i = 0; i < n; i++) {
		char *st = mention_state(want[i][0]);

		cr_assert(st != NULL, "%s is unknown", want[i][0]);
		cr_assert_str_eq(st, want[i][1], "%s", want[i][0]);
		free(st);
	}
}

/* A brand reply to a whole conversation (no in_reply_to: a message
 * thread's next seller message) answers every open item of the conversation
 * made no later than it, whoever wrote it, each with its own response time;
 * a later item and another conversation stay open; replaying changes
 * nothing. */
Test(tracking, a_conversation_reply_resolves_every_older_open_item_of_the_conversation)
{
	rwt_redis_start(&redis, NULL);
	start();
	int64_t t = rw_now_ms() - 60000;
	char *t0 = iso(t), *t2 = iso(t + 2000), *t9 = iso(t + 9000), *t10 = iso(t + 10000);
	char *body, *reply;

	cr_assert(asprintf(&body,
			   "[{\"id\":\"a\",\"created_at\":\"%s\",\"author\":\"ann\","
			   "\"conversation_id\":\"thread-1\",\"kind\":\"message\"},"
			   "{\"id\":\"b\",\"created_at\":\"%s\",\"author\":\"bob\","
			   "\"conversation_id\":\"thread-1\"},"
			   "{\"id\":\"other\",\"created_at\":\"%s\",\"author\":\"ann\","
			   "\"conversation_id\":\"thread-2\"},"
			   "{\"id\":\"late\",\"created_at\":\"%s\",\"author\":\"ann\","
			   "\"conversation_id\":\"thread-1\"}]",
			   t0, t2, t0, t10) > 0);
	cr_assert_eq(push(body), 202);
	cr_assert(asprintf(&reply,
			   "{\"id\":\"s1\",\"created_at\":\"%s\",\"conversation_id\":\"thread-1\","
			   "\"from_brand\":true,\"text\":\"on its way\"}",
			   t9) > 0);
	for (int round = 0; round < 2; round++) {
		cr_assert_eq(push(reply), 202, "round %d", round);
		const char *const want[][2] = {{"p:a", "replied"},
					       {"p:b", "replied"},
					       {"p:other", "open"},
					       {"p:late", "open"}};
		assert_states(want, 4);
		cr_assert_float_eq(response_of("p:a"), 9.0, 1e-9);
		cr_assert_float_eq(response_of("p:b"), 7.0, 1e-9);
	}
	json_t *m = get_json("/mentions/p:a");
	cr_assert_str_eq(json_string_value(json_object_get(m, "kind")), "message");
	json_decref(m);
	free(t0), free(t2), free(t9), free(t10), free(body), free(reply);
}

/* Mentions and conversation replies in one batch, the replies newest first
 * (as a thread's page lists them): each mention gets the first reply made
 * at or after it; one already stored is resolved by the earliest covering
 * reply, not by the first one in the batch. A conversation's first mention
 * (id = conversation id: no cv entry) is found too. */
Test(tracking, conversation_replies_in_one_batch_answer_each_item_with_the_next_reply)
{
	rwt_redis_start(&redis, NULL);
	start();
	int64_t t = rw_now_ms() - 60000;
	char *t0 = iso(t), *t1 = iso(t + 1000), *t3 = iso(t + 3000), *t4 = iso(t + 4000);
	char *t6 = iso(t + 6000), *t8 = iso(t + 8000), *body, *batch;

	cr_assert(asprintf(&body,
			   "[{\"id\":\"c\",\"created_at\":\"%s\",\"author\":\"ann\","
			   "\"conversation_id\":\"c\"},"
			   "{\"id\":\"x\",\"created_at\":\"%s\",\"author\":\"ann\","
			   "\"conversation_id\":\"c\"}]",
			   t0, t1) > 0);
	cr_assert_eq(push(body), 202);
	cr_assert(asprintf(&batch,
			   "[{\"id\":\"s2\",\"created_at\":\"%s\",\"conversation_id\":\"c\","
			   "\"from_brand\":true},"
			   "{\"id\":\"y\",\"created_at\":\"%s\",\"author\":\"ann\","
			   "\"conversation_id\":\"c\"},"
			   "{\"id\":\"s1\",\"created_at\":\"%s\",\"conversation_id\":\"c\","
			   "\"from_brand\":true},"
			   "{\"id\":\"z\",\"created_at\":\"%s\",\"author\":\"ann\","
			   "\"conversation_id\":\"c\"}]",
			   t8, t4, t3, t8) > 0);
	cr_assert_eq(push(batch), 202);
	const char *const want[][2] = {
		{"p:c", "replied"}, {"p:x", "replied"}, {"p:y", "replied"}, {"p:z", "replied"}};
	assert_states(want, 4);
	cr_assert_float_eq(response_of("p:c"), 3.0, 1e-9, "the earlier reply, s1");
	cr_assert_float_eq(response_of("p:x"), 2.0, 1e-9);
	cr_assert_float_eq(response_of("p:y"), 4.0, 1e-9, "s2, the first reply after y");
	cr_assert_float_eq(response_of("p:z"), 0.0, 1e-9, "a reply at the same instant");
	cr_assert_eq(count_events("breach", "p:y"), 0);
	free(t0), free(t1), free(t3), free(t4), free(t6), free(t8), free(body), free(batch);
}

Test(tracking, a_brand_reply_names_its_item_or_its_conversation_not_both)
{
	rwt_redis_start(&redis, NULL);
	start();
	struct rwt_response r = rwt_http(
		daemon_.http_port, "POST", "/ingest/p", "ptok",
		"{\"id\":\"s\",\"created_at\":\"2026-01-01T00:00:00Z\",\"from_brand\":true,"
		"\"in_reply_to\":\"a\",\"conversation_id\":\"c\"}");
	cr_assert_eq(r.status, 400);
	cr_assert(strstr(r.body, "not both") != NULL, "%s", r.body);
	rwt_response_free(&r);
	r = rwt_http(daemon_.http_port, "POST", "/ingest/p", "ptok",
		     "{\"id\":\"s\",\"created_at\":\"2026-01-01T00:00:00Z\",\"from_brand\":true}");
	cr_assert_eq(r.status, 400);
	cr_assert(strstr(r.body, "in_reply_to: required") != NULL, "%s", r.body);
	rwt_response_free(&r);
}

Test(tracking, close_by_hand)
{
	rwt_redis_start(&redis, NULL);
	start();
	char *c = iso(rw_now_ms()), *body;

	cr_assert(asprintf(&body, "{\"id\":\"z\",\"created_at\":\"%s\",\"author\":\"x\"}", c) > 0);
	cr_assert_eq(push(body), 202);
	struct rwt_response r = rwt_http(daemon_.http_port, "POST", "/mentions/p:z/close", NULL,
					 "{\"reason\":\"answered by phone\"}");
	cr_assert_eq(r.status, 200, "%s", r.body);
	rwt_response_free(&r);
	r = rwt_http(daemon_.http_port, "POST", "/mentions/p:z/close", NULL,
		     "{\"reason\":\"again\"}");
	cr_assert_eq(r.status, 409);
	rwt_response_free(&r);
	r = rwt_http(daemon_.http_port, "POST", "/mentions/p:nope/close", NULL,
		     "{\"reason\":\"x\"}");
	cr_assert_eq(r.status, 404);
	rwt_response_free(&r);
	r = rwt_http(daemon_.http_port, "POST", "/mentions/p:z/close", NULL, "{}");
	cr_assert_eq(r.status, 400);
	rwt_response_free(&r);
	json_t *m = get_json("/mentions/p:z");
	cr_assert_str_eq(json_string_value(json_object_get(m, "state")), "closed");
	cr_assert_str_eq(json_string_value(json_object_get(m, "close_reason")),
			 "answered by phone");
	json_decref(m);
	free(c);
	free(body);
}

Test(tracking, a_mention_found_past_its_deadline_breaches_at_once)
{
	rwt_redis_start(&redis, NULL);
	start();
	int64_t created = rw_now_ms() - 10000;
	char *c = iso(created), *body;

	cr_assert(asprintf(&body,
			   "{\"id\":\"late\",\"created_at\":\"%s\",\"author\":\"v\","
			   "\"author_followers\":20000}",
			   c) > 0);
	cr_assert_eq(push(body), 202);
	char *state = mention_state("p:late");
	cr_assert_str_eq(state, "breached");
	cr_assert_eq(count_events("breach", "p:late"), 1);
	cr_assert_eq(count_events("warning", "p:late"), 0, "the breach supersedes the warning");
	cr_assert_eq(count_events("escalation", "p:late"), 1);
	free(state);
	free(c);
	free(body);
}

Test(tracking, a_mention_found_answered_records_its_response_and_raises_nothing)
{
	rwt_redis_start(&redis, NULL);
	start();
	int64_t created = rw_now_ms() - 10000;
	char *c = iso(created), *r = iso(created + 4500), *body;

	/* Mention and reply in one batch; then a reply that came before its mention. */
	cr_assert(asprintf(&body,
			   "[{\"id\":\"done\",\"created_at\":\"%s\",\"author\":\"v\",\"author_"
			   "followers\":20000},"
			   "{\"id\":\"rr\",\"created_at\":\"%s\",\"in_reply_to\":\"done\",\"from_"
			   "brand\":true},"
			   "{\"id\":\"rr2\",\"created_at\":\"%s\",\"in_reply_to\":\"later\",\"from_"
			   "brand\":true}]",
			   c, r, r) > 0);
	cr_assert_eq(push(body), 202);
	free(body);
	cr_assert(asprintf(&body,
			   "{\"id\":\"later\",\"created_at\":\"%s\",\"author\":\"w\",\"author_"
			   "followers\":20000}",
			   c) > 0);
	cr_assert_eq(push(body), 202);
	for (int i = 0; i < 2; i++) {
		const char *key = i == 0 ? "p:done" : "p:later";
		char path[64];
		snprintf(path, sizeof(path), "/mentions/%s", key);
		json_t *m = get_json(path);
		cr_assert_str_eq(json_string_value(json_object_get(m, "state")), "replied", "%s",
				 key);
		cr_assert_float_eq(json_real_value(json_object_get(m, "response_seconds")), 4.5,
				   1e-9);
		json_decref(m);
		cr_assert_eq(count_events("breach", key), 0);
		cr_assert_eq(count_events("resolved", key), 0);
	}
	free(c);
	free(r);
	free(body);
}

Test(tracking, bad_pushes_are_refused_whole)
{
	rwt_redis_start(&redis, NULL);
	start();
	char *c = iso(rw_now_ms()), *body;
	struct rwt_response r;

	cr_assert(asprintf(&body,
			   "[{\"id\":\"ok1\",\"created_at\":\"%s\",\"author\":\"x\"},"
			   "{\"id\":\"bad\",\"created_at\":\"yesterday\",\"author\":\"x\"}]",
			   c) > 0);
	r = rwt_http(daemon_.http_port, "POST", "/ingest/p", "ptok", body);
	cr_assert_eq(r.status, 400);
	cr_assert_not_null(strstr(r.body, "items[1].created_at"), "%s", r.body);
	rwt_response_free(&r);
	cr_assert_null(mention_state("p:ok1"), "nothing of a rejected batch is taken");
	r = rwt_http(daemon_.http_port, "POST", "/ingest/p", "wrong", body);
	cr_assert_eq(r.status, 401);
	rwt_response_free(&r);
	r = rwt_http(daemon_.http_port, "POST", "/ingest/p", "ptok", "{not json");
	cr_assert_eq(r.status, 400);
	rwt_response_free(&r);
	r = rwt_http(daemon_.http_port, "POST", "/ingest/p", "ptok",
		     "{\"id\":\"x\",\"created_at\":\"2026-01-01T00:00:00Z\"}");
	cr_assert_eq(r.status, 400);
	cr_assert_not_null(strstr(r.body, "item.author: required"), "%s", r.body);
	rwt_response_free(&r);
	/* An unknown source answers like a wrong token: names cannot be probed. */
	r = rwt_http(daemon_.http_port, "POST", "/ingest/nope", "ptok", "{}");
	cr_assert_eq(r.status, 401);
	rwt_response_free(&r);
	/* Over http.max_body (1 MiB by default): 413, nothing read into memory. */
	size_t big = 2 * 1024 * 1024;
	char *huge = malloc(big + 1);
	memset(huge, ' ', big);
	huge[0] = '[';
	huge[big - 1] = ']';
	huge[big] = '\0';
	r = rwt_http(daemon_.http_port, "POST", "/ingest/p", "ptok", huge);
	cr_assert_eq(r.status, 413, "%ld %s", r.status, r.body);
	rwt_response_free(&r);
	free(huge);
	/* The daemon is still fine. */
	cr_assert_eq(push(body) == 400, 1);
	free(c);
	free(body);
}

Test(tracking, a_restart_keeps_every_state_and_deadline)
{
	rwt_redis_start(&redis, NULL);
	start();
	int64_t now = rw_now_ms();
	char *c = iso(now), *old = iso(now - 1500), *body;

	cr_assert(asprintf(&body,
			   "[{\"id\":\"w\",\"created_at\":\"%s\",\"author\":\"a\",\"author_"
			   "followers\":20000},"
			   "{\"id\":\"o\",\"created_at\":\"%s\",\"author\":\"b\"}]",
			   old, c) > 0);
	cr_assert_eq(push(body), 202);
	cr_assert(wait_state("p:w", "warning", 3.0));
	rwt_daemon_signal(&daemon_, SIGTERM);
	int status = rwt_daemon_wait(&daemon_, 5.0);
	/* Under ASan a leak makes the exit status non-zero. */
	cr_assert(status != -1 && WIFEXITED(status) && WEXITSTATUS(status) == 0,
		  "exit status %d; log:\n%s", status, rwt_daemon_log(&daemon_));
	/* Down while the breach falls due; it is raised once we are back. */
	usleep(800000);
	char *path = strdup(daemon_.config_path);
	rwt_daemon_start(&daemon_, path, daemon_.http_port, NULL);
	rwt_daemon_wait_ready(&daemon_, 5.0);
	cr_assert(wait_state("p:w", "breached", 5.0));
	char *s = mention_state("p:o");
	cr_assert_str_eq(s, "open");
	cr_assert_eq(count_events("warning", "p:w"), 1, "not raised again after the restart");
	cr_assert_eq(count_events("breach", "p:w"), 1);
	free(s);
	free(path);
	free(c);
	free(old);
	free(body);
}

Test(tracking, mentions_page_oldest_first_with_a_cursor)
{
	rwt_redis_start(&redis, NULL);
	start();
	int64_t t = rw_now_ms() - 5000;
	char *body = strdup("["), *item, *ts;

	for (int i = 0; i < 25; i++) {
		/* Pairs share a created instant to exercise ties. */
		ts = iso(t + (i / 2) * 10);
		cr_assert(asprintf(&item,
				   "%s{\"id\":\"id%02d\",\"created_at\":\"%s\",\"author\":\"a\"}",
				   i ? "," : "", 24 - i, ts) > 0);
		body = realloc(body, strlen(body) + strlen(item) + 2);
		strcat(body, item);
		free(item);
		free(ts);
	}
	strcat(body, "]");
	cr_assert_eq(push(body), 202);
	free(body);

	char path[300] = "/mentions?limit=7";
	int seen = 0;
	int64_t last_created = 0;
	for (int page = 0; page < 10; page++) {
		json_t *doc = get_json(path), *m;
		size_t i;
		cr_assert_not_null(doc);
		json_array_foreach(json_object_get(doc, "mentions"), i, m)
		{
			int64_t created = time_of(m, "created_at");
			cr_assert_geq(created, last_created, "not oldest first");
			last_created = created;
			seen++;
		}
		const char *next = json_string_value(json_object_get(doc, "next_cursor"));
		if (next == NULL) {
			json_decref(doc);
			break;
		}
		char *esc = rwt_url_escape(next);
		snprintf(path, sizeof(path), "/mentions?limit=7&cursor=%s", esc);
		free(esc);
		json_decref(doc);
	}
	cr_assert_eq(seen, 25, "every mention exactly once");
	json_t *doc = get_json("/mentions?state=replied");
	cr_assert_eq(json_array_size(json_object_get(doc, "mentions")), 0);
	json_decref(doc);
}

Test(tracking, a_reload_rematches_open_mentions_without_raising_twice)
{
	rwt_redis_start(&redis, NULL);
	start();
	int64_t created = rw_now_ms() - 1500;
	char *c = iso(created), *body;

	/* "vip" (followers >= 10000): warned already after 1 s. "s1" is social
	 * (1 h / 2 h): nothing due for an hour. */
	cr_assert(asprintf(&body,
			   "[{\"id\":\"v1\",\"created_at\":\"%s\",\"author\":\"a\",\"author_"
			   "followers\":20000},"
			   "{\"id\":\"s1\",\"created_at\":\"%s\",\"author\":\"b\",\"text\":\"my "
			   "parcel\"}]",
			   c, c) > 0);
	cr_assert_eq(push(body), 202);
	cr_assert(wait_state("p:v1", "warning", 3.0));
	cr_assert_eq(count_events("warning", "p:v1"), 1);

	/* New policies: parcels breach after 3 s; vip now warns after 1 s and
	 * breaches after 1 h. */
	free(rwt_write_config(
		dir, &redis, daemon_.http_port, "",
		",\n \"policies\": [ { \"name\": \"parcel\", \"match\": { \"keywords\": "
		"[\"parcel\"] },"
		" \"warn_after\": \"2s\", \"breach_after\": \"3s\" },"
		" { \"name\": \"vip\", \"match\": { \"min_followers\": 10000 },"
		" \"warn_after\": \"1s\", \"breach_after\": \"1h\" } ],\n"
		" \"sources\": [ { \"name\": \"p\", \"type\": \"push\", \"token\": \"ptok\" } ]"));
	rwt_daemon_signal(&daemon_, SIGHUP);
	cr_assert(wait_state("p:s1", "breached", 5.0), "s1 not re-matched to parcel");
	json_t *m = get_json("/mentions/p:s1");
	cr_assert_str_eq(json_string_value(json_object_get(m, "policy")), "parcel");
	cr_assert_eq(time_of(m, "breach_at"), created + 3000);
	json_decref(m);
	m = get_json("/mentions/p:v1");
	cr_assert_str_eq(json_string_value(json_object_get(m, "state")), "warning");
	cr_assert_eq(time_of(m, "breach_at"), created + 3600 * 1000);
	json_decref(m);
	cr_assert_eq(count_events("warning", "p:v1"), 1, "the warning must not be raised again");
	cr_assert_eq(count_events("breach", "p:s1"), 1);
	free(c);
	free(body);
}

static long long
due_entries(void)
{
	redisContext *c = rwt_redis_connect(&redis);
	redisReply *r = redisCommand(c, "ZCARD t:{p}:due");
	long long n = r && r->type == REDIS_REPLY_INTEGER ? r->integer : -1;

	freeReplyObject(r);
	redisFree(c);
	return n;
}

/* Open and warned mentions keep no entry in the due set (their deadlines
 * follow from their fields, oldest first), yet every deadline of many
 * mentions under two policies fires once, in order; a breached mention with
 * an escalation step to come has its entry. */
Test(tracking, deadlines_without_due_entries_fire_once_each)
{
	int64_t created = rw_now_ms() - 100;

	rwt_redis_start(&redis, NULL);
	start();
	for (int i = 0; i < 30; i++) {
		char *c = iso(created + i * 20), *body;

		cr_assert(asprintf(&body,
				   "{\"id\":\"v%d\",\"created_at\":\"%s\",\"author\":\"a%d\","
				   "\"author_followers\":%d}",
				   i, c, i, i % 2 ? 50000 : 10) > 0);
		cr_assert_eq(push(body), 202);
		free(body);
		free(c);
	}
	cr_assert_eq(due_entries(), 0, "open mentions got due entries");
	for (int i = 1; i < 30; i += 2) {
		char key[16];

		snprintf(key, sizeof(key), "p:v%d", i);
		cr_assert(wait_state(key, "breached", 5.0), "%s not breached", key);
	}
	/* Breached with an escalation step to come: in the due set. */
	cr_assert_eq(due_entries(), 15);
	for (int i = 1; i < 30; i += 2) {
		char key[16];

		snprintf(key, sizeof(key), "p:v%d", i);
		cr_assert_eq(count_events("warning", key), 1, "%s", key);
		cr_assert_eq(count_events("breach", key), 1, "%s", key);
	}
	/* The social ones (1 h) are still open and raised nothing. */
	cr_assert_eq(count_events("warning", "p:v0"), 0);
}

static bool
vip_breached_is_one(void *arg)
{
	json_t *st = get_json("/status");
	json_t *vip = json_array_get(json_object_get(st, "policies"), 0);
	bool ok = vip && strcmp(json_string_value(json_object_get(vip, "name")), "vip") == 0 &&
		  json_integer_value(json_object_get(vip, "breached")) == 1;

	(void)arg;
	json_decref(st);
	return ok;
}

/* Mentions an older replywatchd wrote (a hash per mention, one sorted set
 * per index) move to the current layout when the daemon connects, and keep
 * their deadlines: nothing tracked is lost across the upgrade. */
Test(tracking, mentions_of_the_first_layout_move_over_and_keep_their_deadlines)
{
	int64_t created = rw_now_ms() - 200;
	char c[32], w[32], b[32], e[32], x[32];

	rwt_redis_start(&redis, NULL);
	snprintf(c, sizeof(c), "%" PRId64, created);
	snprintf(w, sizeof(w), "%" PRId64, created + 1000);
	snprintf(b, sizeof(b), "%" PRId64, created + 2000);
	snprintf(e, sizeof(e), "%" PRId64, created + 3000);
	snprintf(x, sizeof(x), "%" PRId64, created + 3600 * 1000);
	redisContext *rc = rwt_redis_connect(&redis);
	freeReplyObject(
		redisCommand(rc,
			     "HSET t:{p}:m:old1 k mention a ann f 50000 t %s c %s s o p vip "
			     "W %s B %s E %s X %s fw 0 fb 0 fe 0 y 1",
			     "Where is my order?", c, w, b, e, x));
	freeReplyObject(redisCommand(rc, "ZADD t:{p}:ix:o:vip %s old1", c));
	freeReplyObject(redisCommand(rc, "SADD t:{p}:ixp vip"));
	freeReplyObject(redisCommand(rc, "HSET t:{p}:cnt m:vip 1"));
	redisFree(rc);

	start();
	cr_assert(wait_state("p:old1", "breached", 5.0));
	cr_assert(rwt_daemon_log_contains(&daemon_, "p: moved 1 index entries"));
	cr_assert_eq(count_events("warning", "p:old1"), 1);
	json_t *br = find_event("breach", "p:old1");
	cr_assert_not_null(br);
	cr_assert_eq(time_of(br, "due"), created + 2000);
	json_decref(br);
	cr_assert(rwt_wait_until(vip_breached_is_one, NULL, 3.0), "/status does not count it");
}
