/*
 * Alert delivery with several daemons (docs/high-availability.md "Alert
 * delivery with several daemons"): two daemons with different
 * cluster.instance_id on one redis-server share the push sources and
 * deliver to the webhook receiver of the fake server (tests/fakes).
 */
#include <criterion/criterion.h>
#include <jansson.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "replywatch/clock.h"
#include "replywatch/event.h"
#include "replywatch/store.h"
#include "rwtest.h"

#define NSOURCES 8

static redisReply *redis(const char *fmt, const char *a, const char *b);

static struct rwt_stack stack;
static struct rwt_daemon d1, d2;
static const char *const sources[NSOURCES] = {"s1", "s2", "s3", "s4", "s5", "s6", "s7", "s8"};

static void
setup(void)
{
	rwt_stack_up(&stack, true);
	memset(&d1, 0, sizeof(d1));
	memset(&d2, 0, sizeof(d2));
}

static void
teardown(void)
{
	rwt_daemon_stop_clean(&d1);
	rwt_daemon_stop_clean(&d2);
	rwt_daemon_cleanup(&d1);
	rwt_daemon_cleanup(&d2);
	rwt_stack_down(&stack);
}

TestSuite(alerts_cluster, .init = setup, .fini = teardown, .timeout = 150);

/* Starts d as instance id (its config in stack.dir/ID/) with the push
 * sources s1..s8, whose mentions breach after 2 s, and the alert targets
 * (a JSON array, ' for ", HOOK for the receiver's base URL). */
static void
start(struct rwt_daemon *d, const char *id, const char *targets)
{
	int port = d->http_port ? d->http_port : rwt_free_port();
	char *t = rwt_json_quotes(targets), *top, *dir, *path, *expanded = NULL;
	char list[1024] = "";
	size_t len = 0;
	FILE *out = open_memstream(&expanded, &len);

	cr_assert_not_null(out);
	for (const char *c = t; *c; c++) {
		if (strncmp(c, "HOOK", 4) == 0) {
			fprintf(out, "%s/hook", stack.fake.base);
			c += 3;
		} else {
			fputc(*c, out);
		}
	}
	cr_assert(fclose(out) == 0);
	for (size_t i = 0; i < NSOURCES; i++)
		snprintf(list + strlen(list), sizeof(list) - strlen(list),
			 "%s{ \"name\": \"%s\", \"type\": \"push\", \"token\": \"pt\" }",
			 i ? ", " : "", sources[i]);
	cr_assert(asprintf(&top,
			   ",\n \"cluster\": { \"instance_id\": \"%s\" },\n"
			   " \"policies\": [ { \"name\": \"social\", \"warn_after\": \"1s\","
			   " \"breach_after\": \"2s\" } ],\n"
			   " \"sources\": [ %s ],\n \"alerts\": %s",
			   id, list, expanded) > 0);
	cr_assert(asprintf(&dir, "%s/%s", stack.dir, id) > 0);
	mkdir(dir, 0700);
	path = rwt_write_config(dir, &stack.redis, port, "", top);
	rwt_daemon_start(d, path, port, NULL);
	rwt_daemon_wait_ready(d, 5.0);
	free(path);
	free(dir);
	free(top);
	free(expanded);
	free(t);
}

/* Pushes a mention id to source through d, created ago_ms ago (breached
 * when more than 2 s). */
static void
push_mention(const struct rwt_daemon *d, const char *source, const char *id, int64_t ago_ms)
{
	char path[128], *body, *when = rwt_iso(rw_now_ms() - ago_ms);
	struct rwt_response r;

	cr_assert(asprintf(&body,
			   "{\"id\":\"%s\",\"created_at\":\"%s\",\"author\":\"@ann\","
			   "\"text\":\"help\",\"url\":\"https://social.example/%s\"}",
			   id, when, id) > 0);
	snprintf(path, sizeof(path), "/ingest/%s", source);
	r = rwt_http(d->http_port, "POST", path, "pt", body);
	cr_assert_eq(r.status, 202, "%s", r.body);
	rwt_response_free(&r);
	free(body);
	free(when);
}

static void
hook_fault(const char *name, const char *body)
{
	char path[128];

	snprintf(path, sizeof(path), "/_fake/hook/%s/fault", name);
	json_decref(rwt_fake_call(&stack.fake, body ? "POST" : "DELETE", path, body));
}

/* The receiver's deliveries, in arrival order (caller decrefs). */
static json_t *
deliveries(const char *name)
{
	char path[128];
	json_t *doc, *list;

	snprintf(path, sizeof(path), "/_fake/hooks?name=%s", name);
	doc = rwt_fake_call(&stack.fake, "GET", path, NULL);
	list = json_incref(json_object_get(doc, "deliveries"));
	json_decref(doc);
	return list;
}

/* Every event of a 2xx delivery to name, in arrival order, repeats of an
 * event included (caller decrefs). */
static json_t *
delivered(const char *name)
{
	json_t *list = deliveries(name), *out = json_array(), *d, *e;
	size_t i, j;

	json_array_foreach(list, i, d)
	{
		if (json_integer_value(json_object_get(d, "status")) >= 300)
			continue;
		json_array_foreach(json_object_get(json_object_get(d, "json"), "events"), j, e)
			json_array_append(out, e);
	}
	json_decref(list);
	return out;
}

static const char *
str_at(const json_t *e, const char *a, const char *b)
{
	const json_t *v = json_object_get(e, a);

	return json_string_value(b ? json_object_get(v, b) : v);
}

/* Distinct event ids of type among what reached name. */
static size_t
distinct(const char *name, const char *type)
{
	json_t *all = delivered(name), *seen = json_object(), *e;
	size_t i, n;

	json_array_foreach(all, i, e) if (strcmp(str_at(e, "type", NULL), type) == 0)
		json_object_set_new(seen, str_at(e, "id", NULL), json_true());
	n = json_object_size(seen);
	json_decref(seen);
	json_decref(all);
	return n;
}

struct count_wait {
	const char *name, *type;
	size_t n;
};

static bool
distinct_reached(void *arg)
{
	struct count_wait *w = arg;

	return distinct(w->name, w->type) >= w->n;
}

static void
wait_distinct(const char *name, const char *type, size_t n, double timeout_s)
{
	struct count_wait w = {name, type, n};

	if (!rwt_wait_until(distinct_reached, &w, timeout_s)) {
		json_t *all = delivered(name);
		char *text = json_dumps(all, JSON_COMPACT), *l1 = rwt_daemon_log(&d1),
		     *l2 = d2.log_path ? rwt_daemon_log(&d2) : strdup("");

		cr_assert_fail(
			"receiver %s: fewer than %zu distinct %s events: %s\nd1:\n%s\nd2:\n%s",
			name, n, type, text, l1, l2);
	}
}

/* The sources d says it delivers to target 0 (caller decrefs), or NULL. */
static json_t *
delivers(const struct rwt_daemon *d)
{
	json_t *st = rwt_get_json(d->http_port, "/status", NULL);
	json_t *list = json_incref(
		json_object_get(json_array_get(json_object_get(st, "alerts"), 0), "sources"));

	json_decref(st);
	return list;
}

static bool
listed(const json_t *list, const char *source)
{
	const json_t *v;
	size_t i;

	json_array_foreach(list, i, v) if (strcmp(json_string_value(v), source) == 0) return true;
	return false;
}

/* Both daemons deliver a share, every source by exactly one of them. */
static bool
split(void *arg)
{
	json_t *a = delivers(&d1), *b = delivers(&d2);
	bool ok = a != NULL && b != NULL && json_array_size(a) > 0 && json_array_size(b) > 0;

	(void)arg;
	for (size_t i = 0; ok && i < NSOURCES; i++)
		ok = listed(a, sources[i]) != listed(b, sources[i]);
	json_decref(a);
	json_decref(b);
	return ok;
}

static void
wait_split(void)
{
	cr_assert(rwt_wait_until(split, NULL, 30), "the sources were not split between d1 and d2");
}

/* The ids of the events of type in source's stream, in stream order
 * (caller decrefs). */
static json_t *
stream_ids(const char *source, const char *type)
{
	redisContext *c = rwt_redis_connect(&stack.redis);
	redisReply *r = redisCommand(c, "XRANGE t:{%s}:ev - +", source);
	json_t *ids = json_array();
	char id[RW_EVENT_ID_SIZE];

	cr_assert(r != NULL && r->type == REDIS_REPLY_ARRAY);
	for (size_t i = 0; i < r->elements; i++) {
		redisReply *entry = r->element[i], *fields = entry->element[1];
		json_t *event =
			json_loadb(fields->element[1]->str, fields->element[1]->len, 0, NULL);

		cr_assert_not_null(event);
		if (strcmp(str_at(event, "type", NULL), type) == 0) {
			cr_assert_eq(rw_event_log_id(event, source, entry->element[0]->str, id,
						     sizeof(id)),
				     0);
			json_array_append_new(ids, json_string(id));
		}
		json_decref(event);
	}
	freeReplyObject(r);
	redisFree(c);
	return ids;
}

/* Every breach of every source in stream reached name, each first arrival
 * in stream order per source, and no deadline under two ids; returns how
 * many deliveries repeated an id. */
static size_t
expect_all_in_order(const char *name, size_t per_source)
{
	json_t *all = delivered(name), *e;
	size_t i, repeats = 0;

	for (size_t s = 0; s < NSOURCES; s++) {
		json_t *want = stream_ids(sources[s], "breach"), *first = json_array();
		json_t *seen = json_object(), *deadline = json_object();

		cr_assert_eq(json_array_size(want), per_source, "%s: %zu breaches in the stream",
			     sources[s], json_array_size(want));
		json_array_foreach(all, i, e)
		{
			const char *id = str_at(e, "id", NULL);
			const char *key = str_at(e, "mention", "key");
			const char *had;

			if (strcmp(str_at(e, "type", NULL), "breach") != 0 ||
			    strcmp(str_at(e, "mention", "source"), sources[s]) != 0)
				continue;
			if (json_object_get(seen, id) != NULL) {
				repeats++;
				continue;
			}
			json_object_set_new(seen, id, json_true());
			json_array_append_new(first, json_string(id));
			/* One id per deadline (a mention breaches once here). */
			had = json_string_value(json_object_get(deadline, key));
			cr_assert(had == NULL, "%s breached under two ids: %s and %s", key, had,
				  id);
			json_object_set_new(deadline, key, json_string(id));
		}
		cr_assert(json_equal(first, want), "%s: delivered %s, stream order %s", sources[s],
			  json_dumps(first, JSON_COMPACT), json_dumps(want, JSON_COMPACT));
		json_decref(want);
		json_decref(first);
		json_decref(seen);
		json_decref(deadline);
	}
	json_decref(all);
	return repeats;
}

/* How many events d delivered to target care with a 2xx answer (its
 * replywatch_alert_deliveries_total{result="ok"}). */
static long long
delivered_by(const struct rwt_daemon *d)
{
	struct rwt_response r = rwt_http(d->http_port, "GET", "/metrics", NULL, NULL);
	const char *line = "replywatch_alert_deliveries_total{target=\"care\",result=\"ok\"} ";
	const char *at = r.body ? strstr(r.body, line) : NULL;
	long long n;

	cr_assert_not_null(at, "no deliveries line in /metrics");
	n = strtoll(at + strlen(line), NULL, 10);
	rwt_response_free(&r);
	return n;
}

/* Only the owner of each source reads its stream: in each group, the other
 * daemon's consumer has not been active for at least 3 s (an owner looks
 * every 2 s). */
static void
expect_only_owners_read(void)
{
	json_t *mine = delivers(&d1);

	for (size_t s = 0; s < NSOURCES; s++) {
		const char *owner = listed(mine, sources[s]) ? "d1" : "d2";
		redisReply *r = redis("XINFO CONSUMERS t:{%s}:ev a:care", sources[s], NULL);

		cr_assert_eq(r->type, REDIS_REPLY_ARRAY);
		for (size_t i = 0; i < r->elements; i++) {
			const redisReply *c = r->element[i];
			const char *name = NULL;
			long long idle = -1;

			for (size_t j = 0; j + 1 < c->elements; j += 2) {
				if (strcmp(c->element[j]->str, "name") == 0)
					name = c->element[j + 1]->str;
				else if (strcmp(c->element[j]->str, "idle") == 0)
					idle = c->element[j + 1]->integer;
			}
			cr_assert_not_null(name);
			if (strcmp(name, owner) != 0)
				cr_assert_gt(idle, 3000,
					     "%s read %s's stream %lld ms ago (owner %s)", name,
					     sources[s], idle, owner);
		}
		freeReplyObject(r);
	}
	json_decref(mine);
}

/* With both daemons up the sources are split between them, each source's
 * stream is read by its owner only, and every event reaches the receiver
 * once. */
Test(alerts_cluster, both_up_split_and_deliver_once)
{
	const char *targets = "[{'name': 'care', 'format': 'json', 'url': 'HOOK/care', "
			      "'events': ['breach']}]";
	char id[32];

	start(&d1, "d1", targets);
	start(&d2, "d2", targets);
	wait_split();
	for (size_t s = 0; s < NSOURCES; s++) {
		for (int m = 0; m < 3; m++) {
			snprintf(id, sizeof(id), "%s-m%d", sources[s], m);
			push_mention(s % 2 ? &d2 : &d1, sources[s], id, 10000 - m * 1000);
		}
	}
	wait_distinct("care", "breach", 3 * NSOURCES, 30);
	/* Nothing more comes (a second daemon reading the same entries would
	 * send them within its 2 s look). */
	usleep(4000000);
	cr_assert_eq(expect_all_in_order("care", 3), 0, "an event was delivered twice");
	expect_only_owners_read();
}

static bool
requests_failed(void *arg)
{
	json_t *list = deliveries("care"), *d;
	size_t i, n = 0;

	json_array_foreach(list, i, d) n += json_integer_value(json_object_get(d, "status")) >= 500;
	json_decref(list);
	return n >= *(size_t *)arg;
}

/* kill -9 of the daemon owning sources with undelivered events (the
 * receiver failing, so they are pending under its name and in its stored
 * request): once its lease lapses the other daemon claims them
 * (XAUTOCLAIM) and delivers every one, in order per source, one id per
 * deadline. */
Test(alerts_cluster, kill_owner_other_delivers_its_pending)
{
	const char *targets = "[{'name': 'care', 'format': 'json', 'url': 'HOOK/care', "
			      "'events': ['breach']}]";
	json_t *mine;
	size_t n = 0, failed = 2;
	char id[32];

	start(&d1, "d1", targets);
	start(&d2, "d2", targets);
	wait_split();
	mine = delivers(&d1);
	hook_fault("care", "{'kind': '503', 'count': 100000}");
	/* Only d1's sources get events, so d2's target never fails (no backoff
	 * of its own when it takes over). */
	for (size_t s = 0; s < NSOURCES; s++) {
		if (!listed(mine, sources[s]))
			continue;
		for (int m = 0; m < 3; m++) {
			snprintf(id, sizeof(id), "%s-m%d", sources[s], m);
			push_mention(&d1, sources[s], id, 10000 - m * 1000);
			n++;
		}
	}
	cr_assert(rwt_wait_until(requests_failed, &failed, 20), "d1 never tried the receiver");
	kill(d1.pid, SIGKILL);
	rwt_daemon_wait(&d1, 5);
	d1.pid = 0;
	hook_fault("care", NULL);
	wait_distinct("care", "breach", n, 60);
	/* The other sources have no breach: their share of the check is empty. */
	json_t *all = delivered("care"), *e;
	size_t i;

	json_array_foreach(all, i, e) cr_assert(listed(mine, str_at(e, "mention", "source")));
	json_decref(all);
	for (size_t s = 0; s < NSOURCES; s++) {
		json_t *ids = stream_ids(sources[s], "breach");

		cr_assert_eq(json_array_size(ids), listed(mine, sources[s]) ? 3 : 0);
		json_decref(ids);
	}
	/* Per source order and one id per deadline, on d1's sources. */
	for (size_t s = 0; s < NSOURCES; s++) {
		if (listed(mine, sources[s]))
			continue;
		/* A mention per other source, so expect_all_in_order sees 3 each. */
		for (int m = 0; m < 3; m++) {
			snprintf(id, sizeof(id), "%s-m%d", sources[s], m);
			push_mention(&d2, sources[s], id, 10000 - m * 1000);
		}
	}
	wait_distinct("care", "breach", 3 * NSOURCES, 30);
	expect_all_in_order("care", 3);
	json_decref(mine);
	json_t *now = delivers(&d2);

	cr_assert_eq(json_array_size(now), NSOURCES, "d2 did not take every source");
	json_decref(now);
}

/* A redis command on the test's own connection (caller frees the reply). */
static redisReply *
redis(const char *fmt, const char *a, const char *b)
{
	redisContext *c = rwt_redis_connect(&stack.redis);
	redisReply *r = redisCommand(c, fmt, a, b);

	cr_assert_not_null(r);
	redisFree(c);
	return r;
}

static bool
pending_under(void *arg)
{
	redisReply *r = redis("XPENDING t:{s1}:ev a:care - + 10 %s", arg, NULL);
	bool yes = r->type == REDIS_REPLY_ARRAY && r->elements == 2;

	freeReplyObject(r);
	return yes;
}

/* What a daemon before issue 14 left: entries pending under "replywatchd"
 * and its stored request "rq:TARGET". A daemon of this version sends the
 * stored request as stored (same webhook-id), then the other pending
 * entry, and leaves nothing pending or stored. */
Test(alerts_cluster, pre_upgrade_pending_and_stored_request_are_delivered)
{
	const char *targets = "[{'name': 'care', 'format': 'json', 'url': 'HOOK/care', "
			      "'events': ['breach']}]";
	size_t failed = 1;
	json_t *list;
	char webhook_id[128];

	start(&d1, "d1", targets);
	hook_fault("care", "{'kind': '503', 'count': 100000}");
	push_mention(&d1, "s1", "old-1", 10000);
	cr_assert(rwt_wait_until(requests_failed, &failed, 20), "d1 never tried the receiver");
	push_mention(&d1, "s1", "old-2", 9000);
	cr_assert(rwt_wait_until(pending_under, "d1", 10), "the second event was not read");
	kill(d1.pid, SIGKILL);
	rwt_daemon_wait(&d1, 5);
	d1.pid = 0;
	list = deliveries("care");
	snprintf(webhook_id, sizeof(webhook_id), "%s",
		 json_string_value(json_object_get(
			 json_object_get(json_array_get(list, 0), "headers"), "webhook-id")));
	json_decref(list);

	/* As a daemon before issue 14 would have left them. */
	freeReplyObject(redis("RENAME t:rq:care:d1 t:rq:care", NULL, NULL));
	redisReply *p = redis("XPENDING t:{s1}:ev a:care - + 10", NULL, NULL);

	cr_assert_eq(p->elements, 2);
	for (size_t i = 0; i < p->elements; i++)
		freeReplyObject(redis("XCLAIM t:{s1}:ev a:care replywatchd 0 %s",
				      p->element[i]->element[0]->str, NULL));
	freeReplyObject(p);
	cr_assert(pending_under("replywatchd"));
	freeReplyObject(redis("XGROUP DELCONSUMER t:{s1}:ev a:care d1", NULL, NULL));

	hook_fault("care", NULL);
	/* d2 owns s1 once d1's lease lapses (15 s). */
	start(&d2, "d2", targets);
	wait_distinct("care", "breach", 2, 45);

	list = deliveries("care");
	json_t *d, *ok = NULL;
	size_t i;

	json_array_foreach(list, i, d) if (json_integer_value(json_object_get(d, "status")) < 300 &&
					   ok == NULL) ok = d;
	cr_assert_not_null(ok);
	cr_assert_str_eq(
		json_string_value(json_object_get(json_object_get(ok, "headers"), "webhook-id")),
		webhook_id, "the stored request was not sent first as stored");
	json_decref(list);
	json_t *all = delivered("care");

	cr_assert_eq(json_array_size(all), 2, "not each event once: %s",
		     json_dumps(all, JSON_COMPACT));
	json_decref(all);
	redisReply *left = redis("XPENDING t:{s1}:ev a:care", NULL, NULL);

	cr_assert_eq(left->element[0]->integer, 0, "entries still pending");
	freeReplyObject(left);
	left = redis("EXISTS t:rq:care", NULL, NULL);
	cr_assert_eq(left->integer, 0, "the old record stayed");
	freeReplyObject(left);
}

/* Arrival times (ms) of the 2xx deliveries carrying the breach of mention
 * id (caller frees; *n set). */
static int64_t *
breach_times(const char *name, const char *id, size_t *n)
{
	json_t *list = deliveries(name), *d, *e;
	int64_t *at = calloc(json_array_size(list) + 1, sizeof(*at));
	size_t i, j;

	*n = 0;
	json_array_foreach(list, i, d)
	{
		if (json_integer_value(json_object_get(d, "status")) >= 300)
			continue;
		json_array_foreach(json_object_get(json_object_get(d, "json"), "events"), j, e)
		{
			if (strcmp(str_at(e, "type", NULL), "breach") == 0 &&
			    strcmp(str_at(e, "mention", "id"), id) == 0) {
				cr_assert_eq(rw_time_parse(str_at(d, "at", NULL), &at[*n]), 0);
				(*n)++;
				break;
			}
		}
	}
	json_decref(list);
	return at;
}

/* A script call on the test's connection: EVALSHA of the daemon's script. */
static redisReply *
repeat_script(const char *token, const char *mention)
{
	redisContext *c = rwt_redis_connect(&stack.redis);
	redisReply *r = redisCommand(c, "EVALSHA %s 2 t:{s1}: t:{s1}:rp:care %s add %s 99",
				     rw_store_script_sha("repeat"), token, mention);

	cr_assert_not_null(r);
	redisFree(c);
	return r;
}

/* repeat_every with two daemons: the repeats of a mention come from the
 * source's owner alone (one every interval, never two at once), and the
 * repeat script refuses a stale fencing token before writing. */
Test(alerts_cluster, repeats_from_the_owner_only)
{
	const char *targets = "[{'name': 'care', 'format': 'json', 'url': 'HOOK/care', "
			      "'events': ['breach'], 'repeat_every': '2s'}]";
	size_t n;
	int64_t *at;

	start(&d1, "d1", targets);
	start(&d2, "d2", targets);
	wait_split();
	push_mention(&d2, "s1", "r-1", 10000);
	wait_distinct("care", "breach", 5, 30);
	at = breach_times("care", "r-1", &n);
	cr_assert_geq(n, 5);
	/* Two daemons repeating would send within the same second. */
	for (size_t i = 2; i < n; i++)
		cr_assert_geq(at[i] - at[i - 1], 1500, "repeats %zu and %zu %lld ms apart", i - 1,
			      i, (long long)(at[i] - at[i - 1]));
	free(at);
	/* Every event was s1's: the other daemon delivered nothing, repeats
	 * included. */
	json_t *mine = delivers(&d1);
	const struct rwt_daemon *other = listed(mine, "s1") ? &d2 : &d1;

	json_decref(mine);
	cr_assert_eq(delivered_by(other), 0, "the daemon not owning s1 delivered events");
	cr_assert_geq(delivered_by(other == &d1 ? &d2 : &d1), 5);

	redisReply *tok = redis("GET t:{s1}:lease-n", NULL, NULL), *r;
	char stale[32];

	cr_assert_eq(tok->type, REDIS_REPLY_STRING, "no fencing token for s1");
	snprintf(stale, sizeof(stale), "%lld", strtoll(tok->str, NULL, 10) - 1);
	r = repeat_script(stale, "probe-stale");
	cr_assert(r->type == REDIS_REPLY_ERROR && strstr(r->str, "FENCED") != NULL,
		  "a stale token was taken");
	freeReplyObject(r);
	r = redis("ZSCORE t:{s1}:rp:care probe-stale", NULL, NULL);
	cr_assert_eq(r->type, REDIS_REPLY_NIL, "a fenced call wrote");
	freeReplyObject(r);
	r = repeat_script(tok->str, "probe-current");
	cr_assert(r->type == REDIS_REPLY_INTEGER && r->integer == 1);
	freeReplyObject(r);
	freeReplyObject(tok);
	/* Not for the daemons to repeat: probe-current is no mention. */
	freeReplyObject(redis("ZREM t:{s1}:rp:care probe-current", NULL, NULL));
}

/* A daemon joins while the only one holds undelivered events of every
 * source (the receiver failing): the sources that move to the newcomer
 * leave the first daemon's queue unacknowledged, the newcomer claims them
 * (with those of the first daemon's request under way, which both may
 * send under the same ids), and once the receiver is back every event
 * arrives, in order per source, one id per deadline. */
Test(alerts_cluster, join_moves_pending_to_the_new_owner)
{
	const char *targets = "[{'name': 'care', 'format': 'json', 'url': 'HOOK/care', "
			      "'events': ['breach']}]";
	size_t failed = 1;
	char id[32];

	start(&d1, "d1", targets);
	hook_fault("care", "{'kind': '503', 'count': 100000}");
	for (size_t s = 0; s < NSOURCES; s++) {
		snprintf(id, sizeof(id), "%s-m0", sources[s]);
		push_mention(&d1, sources[s], id, 10000);
	}
	cr_assert(rwt_wait_until(requests_failed, &failed, 20), "d1 never tried the receiver");
	/* These wait in d1's queue behind its request. */
	for (size_t s = 0; s < NSOURCES; s++) {
		for (int m = 1; m < 3; m++) {
			snprintf(id, sizeof(id), "%s-m%d", sources[s], m);
			push_mention(&d1, sources[s], id, 10000 - m * 1000);
		}
	}
	start(&d2, "d2", targets);
	wait_split();
	hook_fault("care", NULL);
	wait_distinct("care", "breach", 3 * NSOURCES, 60);
	expect_all_in_order("care", 3);
	cr_assert(rwt_daemon_log_contains(&d1, "queued events left to it"),
		  "d1 kept the queued events of the sources it lost");
}

static bool
am_posts(void *arg)
{
	json_t *list = deliveries("am");
	bool yes = json_array_size(list) >= *(size_t *)arg;

	json_decref(list);
	return yes;
}

/* An Alertmanager target's active alerts are re-posted every minute by one
 * daemon, the leader of "am:TARGET", not by each. */
Test(alerts_cluster, alertmanager_reposts_from_one_daemon, .timeout = 150)
{
	const char *targets = "[{'name': 'am', 'format': 'alertmanager', 'url': 'HOOK/am', "
			      "'events': ['breach']}]";
	size_t want = 1;
	int64_t started;
	json_t *list;

	start(&d1, "d1", targets);
	start(&d2, "d2", targets);
	started = rw_now_ms();
	wait_split();
	push_mention(&d1, "s1", "am-1", 10000);
	cr_assert(rwt_wait_until(am_posts, &want, 20), "the breach was not posted");
	want = 2;
	cr_assert(rwt_wait_until(am_posts, &want, 80), "no re-post within 80 s");
	/* Both daemons' minute has passed: a second re-post would be here. */
	while (rw_now_ms() < started + 66000)
		usleep(200000);
	list = deliveries("am");
	cr_assert_eq(json_array_size(list), 2, "re-posted by both daemons: %s",
		     json_dumps(list, JSON_COMPACT));
	json_decref(list);
}

static bool
pending_count(void *arg)
{
	redisReply *r = redis("XPENDING t:{s1}:ev a:care", NULL, NULL);
	bool yes = r->type == REDIS_REPLY_ARRAY && r->element[0]->integer >= *(long long *)arg;

	freeReplyObject(r);
	return yes;
}

/* A backlog longer than a claim page (100): a daemon restarted under its
 * instance id claims page after page, and every event goes out in stream
 * order. */
Test(alerts_cluster, claim_pages_through_a_long_backlog)
{
	const char *targets = "[{'name': 'care', 'format': 'json', 'url': 'HOOK/care', "
			      "'events': ['breach']}]";
	long long want = 150;
	char id[32];

	start(&d1, "d1", targets);
	hook_fault("care", "{'kind': '503', 'count': 100000}");
	for (int m = 0; m < want; m++) {
		snprintf(id, sizeof(id), "long-%03d", m);
		push_mention(&d1, "s1", id, 10000 - m);
	}
	cr_assert(rwt_wait_until(pending_count, &want, 20), "the events were not read");
	kill(d1.pid, SIGKILL);
	rwt_daemon_wait(&d1, 5);
	d1.pid = 0;
	hook_fault("care", NULL);
	start(&d1, "d1", targets);
	wait_distinct("care", "breach", (size_t)want, 30);

	json_t *all = delivered("care"), *first = json_array(), *seen = json_object(), *e;
	json_t *order = stream_ids("s1", "breach");
	size_t i;

	json_array_foreach(all, i, e)
	{
		const char *eid = str_at(e, "id", NULL);

		if (json_object_get(seen, eid) == NULL) {
			json_object_set_new(seen, eid, json_true());
			json_array_append_new(first, json_string(eid));
		}
	}
	cr_assert_eq(json_array_size(order), (size_t)want);
	cr_assert(json_equal(first, order), "not in stream order");
	json_decref(all);
	json_decref(first);
	json_decref(seen);
	json_decref(order);
	long long none = 0;
	redisReply *r = redis("XPENDING t:{s1}:ev a:care", NULL, NULL);

	cr_assert_eq(r->element[0]->integer, none, "entries left pending");
	freeReplyObject(r);
}
