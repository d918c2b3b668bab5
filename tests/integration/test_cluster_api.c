/*
 * The cluster module in process, on a real libev loop and redis-server, as
 * the poller and the alert engine use it: listeners told of gains and of
 * losses (a lease taken by another daemon, the fence time passing with Redis
 * gone), roles, fencing tokens, and layout.lua's fence_ok against them.
 */
#include <criterion/criterion.h>
#include <ev.h>
#include <hiredis/hiredis.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "replywatch/cluster.h"
#include "replywatch/config.h"
#include "replywatch/store.h"
#include "rwtest.h"
#include "rwtloop.h"
#include "rwtparse.h"

static struct rwt_redis redis;
static struct ev_loop *loop;

struct changes {
	int gains, losses;
	char last_lost[64];
};

static void
setup(void)
{
	loop = rwt_loop_new();
}

static void
teardown(void)
{
	rwt_redis_destroy(&redis);
	rwt_loop_free(loop);
}

TestSuite(cluster_api, .init = setup, .fini = teardown, .timeout = 60);

static bool
run_until(const int *counter, int want, double timeout_s)
{
	return rwt_loop_until_count(loop, counter, want, timeout_s);
}

static void
on_change(void *arg, const char *source, bool owned)
{
	struct changes *ch = arg;

	if (owned) {
		ch->gains++;
	} else {
		ch->losses++;
		snprintf(ch->last_lost, sizeof(ch->last_lost), "%s", source);
	}
}

static void
on_state(struct rw_store *st, bool connected, void *arg)
{
	(void)st;
	rw_cluster_note_store(arg, connected);
}

/* layout.lua's fence_ok(base, token) evaluated in Redis: 1 or 0. */
static long long
fence_ok(redisContext *rc, const char *base, const char *token)
{
	size_t len;
	char *lib = rwt_slurp(RW_SOURCE_DIR "/daemon/lua/lib/layout.lua", &len), *script;
	redisReply *r;
	long long v;

	cr_assert(asprintf(&script, "%s\nreturn fence_ok(KEYS[1], ARGV[1]) and 1 or 0", lib) > 0);
	r = redisCommand(rc, "EVAL %s 1 %s %s", script, base, token);
	cr_assert(r != NULL && r->type == REDIS_REPLY_INTEGER, "%s", r ? r->str : "no reply");
	v = r->integer;
	freeReplyObject(r);
	free(script);
	free(lib);
	return v;
}

static long long
counter(const struct rw_cluster *c, const char *name)
{
	json_t *st = rw_cluster_status_json(c);
	long long v = json_integer_value(json_object_get(json_object_get(st, "counters"), name));

	json_decref(st);
	return v;
}

Test(cluster_api, gains_then_losses_by_takeover_and_by_fence)
{
	struct rw_config_errors errs = {0};
	struct rw_config *cfg;
	struct rw_store *st;
	struct rw_cluster *c;
	struct changes ch = {0};
	redisContext *rc;
	redisReply *r;
	char *text, token_a[24];
	double stopped;

	rwt_redis_start(&redis, NULL);
	cr_assert(
		asprintf(
			&text,
			"{\"redis\": {\"url\": \"redis://127.0.0.1:%d/0\", \"key_prefix\": \"u:\"},"
			" \"sources\": [{\"name\": \"a\", \"type\": \"push\", \"token\": \"t\"},"
			" {\"name\": \"b\", \"type\": \"push\", \"token\": \"t\"}]}",
			redis.port) > 0);
	cfg = rw_config_load_string(text, "test", &errs);
	free(text);
	cr_assert_not_null(cfg);
	st = rw_store_new(loop, &cfg->redis);
	c = rw_cluster_new(loop, st, "solo");
	cr_assert(st != NULL && c != NULL);
	rw_cluster_listen(c, on_change, &ch);
	rw_store_set_state_fn(st, on_state, c);
	rw_cluster_use(c, cfg);
	cr_assert_eq(rw_cluster_role(c, "a"), RW_CLUSTER_NONE, "owned before redis");
	rw_store_start(st);

	/* A lone daemon owns every source once connected. */
	cr_assert(run_until(&ch.gains, 2, 5.0), "gains: %d", ch.gains);
	cr_assert(rw_cluster_owns(c, "a") && rw_cluster_owns(c, "b"));
	cr_assert_eq(rw_cluster_role(c, "b"), RW_CLUSTER_OWNER);
	cr_assert_null(rw_cluster_fence(c, "nope"));
	cr_assert_not_null(rw_cluster_fence(c, "a"));
	snprintf(token_a, sizeof(token_a), "%s", rw_cluster_fence(c, "a"));
	rc = rwt_redis_connect(&redis);
	r = redisCommand(rc, "GET u:{a}:lease-n");
	cr_assert_str_eq(r->str, token_a);
	freeReplyObject(r);
	cr_assert_eq(fence_ok(rc, "u:{a}:", token_a), 1);
	cr_assert_eq(fence_ok(rc, "u:{a}:", ""), 0);
	cr_assert_eq(fence_ok(rc, "u:{b}:", "999"), 0);

	/* Another daemon takes a's lease (as after this one's pause): the next
	 * renewal finds it gone, the listener hears of the loss, and the old
	 * token is refused by fence_ok. */
	freeReplyObject(redisCommand(rc, "SET u:{a}:lease other:1 PX 15000"));
	freeReplyObject(redisCommand(rc, "INCR u:{a}:lease-n"));
	cr_assert(run_until(&ch.losses, 1, 5.0), "a not lost");
	cr_assert_str_eq(ch.last_lost, "a");
	cr_assert_not(rw_cluster_owns(c, "a"));
	cr_assert_null(rw_cluster_fence(c, "a"));
	cr_assert_eq(fence_ok(rc, "u:{a}:", token_a), 0);
	cr_assert(rw_cluster_owns(c, "b"));
	redisFree(rc);

	/* Redis gone: b is given up by the fence, within 12 s of its last
	 * renewal, with no answer from Redis at all. */
	rwt_redis_stop(&redis);
	stopped = ev_time();
	cr_assert(run_until(&ch.losses, 2, RW_CLUSTER_FENCE_MS / 1000.0 + 2), "b not fenced");
	cr_assert_str_eq(ch.last_lost, "b");
	cr_assert_gt(ev_time() - stopped, (RW_CLUSTER_FENCE_MS - RW_CLUSTER_RENEW_MS) / 1000.0 - 1);
	cr_assert_eq(counter(c, "fenced"), 1);
	cr_assert_eq(rw_cluster_role(c, "b"), RW_CLUSTER_NONE);

	rw_cluster_stop(c);
	rw_store_free(st);
	rw_cluster_free(c);
	rw_config_free(cfg);
}
