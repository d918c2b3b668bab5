/*
 * The Redis layout of mentions (daemon/lua/lib/layout.lua) through the real
 * scripts in a real redis-server: open records in linear-hashed buckets,
 * indexes as rows of small sorted sets, resolved records as expiring keys,
 * and the move from the first layout.
 */
#include <criterion/criterion.h>
#include <hiredis/hiredis.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "replywatch/scripts.h"
#include "rwtest.h"

#define BASE "t{s}:"

static struct rwt_redis redis;
static redisContext *rc;

static void
setup(void)
{
	rwt_redis_start(&redis, NULL);
	rc = rwt_redis_connect(&redis);
}

static void
teardown(void)
{
	redisFree(rc);
	rwt_redis_destroy(&redis);
}

TestSuite(layout, .init = setup, .fini = teardown, .timeout = 120);

/* Runs script name on BASE with args; the reply (caller frees). */
static redisReply *
script(const char *name, int argc, const char **args)
{
	const char *argv[16];
	size_t len[16];
	const struct rw_lua_script *s = NULL;

	for (unsigned i = 0; i < rw_lua_script_count; i++)
		if (strcmp(rw_lua_scripts[i].name, name) == 0)
			s = &rw_lua_scripts[i];
	cr_assert_not_null(s, "no script %s", name);
	cr_assert_leq(argc, 12);
	argv[0] = "EVAL";
	argv[1] = s->body;
	argv[2] = "1";
	argv[3] = BASE;
	for (int i = 0; i < argc; i++)
		argv[4 + i] = args[i];
	for (int i = 0; i < argc + 4; i++)
		len[i] = strlen(argv[i]);
	redisReply *r = redisCommandArgv(rc, argc + 4, argv, len);
	cr_assert_not_null(r);
	cr_assert_neq(r->type, REDIS_REPLY_ERROR, "%s: %s", name, r->str);
	return r;
}

static long long
command_int(const char *fmt, const char *arg)
{
	redisReply *r = redisCommand(rc, fmt, arg);
	long long v;

	cr_assert_not_null(r);
	v = r->type == REDIS_REPLY_INTEGER  ? r->integer
	    : r->type == REDIS_REPLY_STRING ? atoll(r->str)
					    : -1;
	freeReplyObject(r);
	return v;
}

/* Applies one new open mention id created at created with text. */
static void
add_open(const char *id, long long created, const char *text, const char *policy)
{
	char *op;

	cr_assert(
		asprintf(&op,
			 "{\"all\":false,\"retention_ms\":60000,\"events_minid\":\"0\","
			 "\"replies_minid\":\"0\",\"changes\":[{\"id\":\"%s\",\"expect\":0,"
			 "\"created\":%lld,\"set\":{\"a\":\"someone\",\"t\":\"%s\",\"c\":\"%lld\","
			 "\"s\":\"o\",\"p\":\"%s\",\"W\":\"%lld\",\"B\":\"%lld\",\"E\":\"\","
			 "\"X\":\"%lld\",\"v\":\"007\"},\"to\":[\"o\",\"%s\"],\"due\":false,"
			 "\"resolved\":false,\"events\":[],\"cnt\":{}}]}",
			 id, created, text, created, policy, created + 3600000, created + 7200000,
			 created + 604800000, policy) > 0);
	const char *args[] = {op};
	redisReply *r = script("apply", 1, args);
	cr_assert_eq(r->type, REDIS_REPLY_ARRAY);
	cr_assert_str_eq(r->element[0]->str, "ok", "%s: %s", id, r->element[0]->str);
	freeReplyObject(r);
	free(op);
}

/* The value of field in a flat field/value reply, or NULL. */
static const char *
field(const redisReply *flat, const char *name)
{
	for (size_t i = 0; i + 1 < flat->elements; i += 2)
		if (strcmp(flat->element[i]->str, name) == 0)
			return flat->element[i + 1]->str;
	return NULL;
}

static void
expect_record(const char *id, long long created, const char *text)
{
	const char *args[] = {"ids", id};
	redisReply *r = script("fetch", 2, args);
	char want[32];

	cr_assert_eq(r->elements, 1);
	const redisReply *f = r->element[0];
	cr_assert_gt(f->elements, 0, "%s is gone", id);
	cr_assert_str_eq(field(f, "t"), text);
	snprintf(want, sizeof(want), "%lld", created);
	cr_assert_str_eq(field(f, "c"), want);
	snprintf(want, sizeof(want), "%lld", created + 3600000);
	cr_assert_str_eq(field(f, "W"), want);
	snprintf(want, sizeof(want), "%lld", created + 604800000);
	cr_assert_str_eq(field(f, "X"), want);
	cr_assert_str_eq(field(f, "E"), "");
	cr_assert_str_eq(field(f, "v"), "007", "a numeric-looking text keeps its zeros");
	cr_assert_str_eq(field(f, "y"), "1");
	freeReplyObject(r);
}

/* Thousands of open mentions: the buckets split as they fill, every record
 * reads back exactly, and no bucket outgrows a compact hash. */
Test(layout, open_records_survive_bucket_splits)
{
	char id[32];
	const long long t0 = 1795000000000LL;

	for (int i = 0; i < 3000; i++) {
		snprintf(id, sizeof(id), "m%d", i);
		add_open(id, t0 + i * 7, i % 2 ? "Zażółć gęślą jaźń" : "where is my order?", "p");
	}
	for (int i = 0; i < 3000; i++) {
		snprintf(id, sizeof(id), "m%d", i);
		expect_record(id, t0 + i * 7, i % 2 ? "Zażółć gęślą jaźń" : "where is my order?");
	}
	cr_assert_eq(command_int("HGET %s n", BASE "lh"), 3000);
	long long level = command_int("HGET %s L", BASE "lh");
	long long sp = command_int("HGET %s sp", BASE "lh");
	long long buckets = (1LL << level) + sp;
	cr_assert_geq(buckets, 3000 / 40, "the buckets did not split: %lld", buckets);
	for (long long b = 0; b < buckets; b++) {
		char key[64];
		snprintf(key, sizeof(key), BASE "ob:%lld", b);
		cr_assert_leq(command_int("HLEN %s", key), 128, "bucket %lld is too full", b);
	}
	/* No mention is its own key while open. */
	cr_assert_eq(command_int("EXISTS %s", BASE "m:m1"), 0);
	const char *again[] = {"{\"all\":false,\"retention_ms\":1,\"events_minid\":\"0\","
			       "\"replies_minid\":\"0\",\"changes\":[{\"id\":\"m5\",\"expect\":0,"
			       "\"created\":1,\"set\":{},\"to\":[\"o\",\"p\"]}]}"};
	redisReply *r = script("apply", 1, again);
	cr_assert_str_eq(r->element[0]->str, "dup");
	freeReplyObject(r);
}

/* Pages of /mentions walk an index across its buckets in (created, id)
 * order, instants shared by many mentions included. */
Test(layout, index_pages_in_order_across_buckets)
{
	char id[32];
	const long long t0 = 1795000000000LL;
	int n = 0;

	/* 700 spread, 300 at one instant (a bucket that cannot split). */
	for (int i = 0; i < 700; i++) {
		snprintf(id, sizeof(id), "a%03d", i);
		add_open(id, t0 + (i * 7919) % 700 * 10, "x", "p");
		n++;
	}
	for (int i = 0; i < 300; i++) {
		snprintf(id, sizeof(id), "b%03d", 299 - i);
		add_open(id, t0 + 3500, "x", "p");
		n++;
	}
	char after_ms[32] = "", after_id[32] = "";
	long long last_ms = -1;
	char last_id[32] = "";
	int seen = 0;
	for (;;) {
		const char *args[] = {"o", "p", after_ms, after_id, "37"};
		redisReply *r = script("list", 5, args);
		if (r->elements == 0) {
			freeReplyObject(r);
			break;
		}
		for (size_t i = 0; i + 2 < r->elements; i += 3) {
			long long ms = atoll(r->element[i + 1]->str);
			const char *mid = r->element[i]->str;
			cr_assert(ms > last_ms || (ms == last_ms && strcmp(mid, last_id) > 0),
				  "out of order at %s (%lld after %s %lld)", mid, ms, last_id,
				  last_ms);
			last_ms = ms;
			snprintf(last_id, sizeof(last_id), "%s", mid);
			seen++;
		}
		snprintf(after_ms, sizeof(after_ms), "%lld", last_ms);
		snprintf(after_id, sizeof(after_id), "%s", last_id);
		freeReplyObject(r);
	}
	cr_assert_eq(seen, n);
	cr_assert_gt(command_int("ZCARD %s", BASE "ixd:o:p"), 5, "the index did not split");

	redisReply *c = script("counts", 0, NULL);
	cr_assert_eq(c->element[0]->element[0]->element[1]->integer, n);
	cr_assert_str_eq(c->element[0]->element[0]->element[4]->str, "1795000000000");
	freeReplyObject(c);
}

/* A resolved mention leaves its bucket for a key of its own that retention
 * expires; it still reads the same. */
Test(layout, resolved_record_becomes_an_expiring_key)
{
	const long long t0 = 1795000000000LL;

	add_open("r1", t0, "hello", "p");
	const char *resolve[] = {
		"{\"all\":true,\"retention_ms\":60000,\"events_minid\":\"0\",\"replies_minid\":"
		"\"0\","
		"\"changes\":[{\"id\":\"r1\",\"expect\":1,\"created\":1795000000000,"
		"\"from\":[\"o\",\"p\"],\"to\":[\"r\",\"p\"],\"set\":{\"s\":\"r\",\"ra\":"
		"\"1795000001000\"},"
		"\"resolved\":true}]}"};
	redisReply *r = script("apply", 1, resolve);
	cr_assert_str_eq(r->element[0]->str, "ok");
	freeReplyObject(r);

	cr_assert_eq(command_int("HGET %s n", BASE "lh"), 0);
	long long ttl = command_int("PTTL %s", BASE "m:r1");
	cr_assert(ttl > 0 && ttl <= 60000, "ttl %lld", ttl);
	const char *args[] = {"ids", "r1"};
	r = script("fetch", 2, args);
	cr_assert_str_eq(field(r->element[0], "s"), "r");
	cr_assert_str_eq(field(r->element[0], "t"), "hello");
	cr_assert_str_eq(field(r->element[0], "y"), "2");
	cr_assert_str_eq(field(r->element[0], "W"), "1795003600000");
	freeReplyObject(r);
	cr_assert_eq(command_int("HGET %s o:p", BASE "ixn"), 0);
	cr_assert_eq(command_int("HGET %s r:p", BASE "ixn"), 1);
}

/* The earliest deadline is found in the oldest bucket of an index. */
Test(layout, next_deadline_comes_from_the_oldest_bucket)
{
	char id[32];
	const long long t0 = 1795000000000LL;

	for (int i = 499; i >= 0; i--) {
		snprintf(id, sizeof(id), "d%d", i);
		add_open(id, t0 + i * 1000, "x", "p");
	}
	redisReply *r = script("fetch", 1, (const char *[]){"next"});
	cr_assert_eq(r->elements, 1);
	cr_assert_str_eq(r->element[0]->str, "1795003600000");
	freeReplyObject(r);
}

/* Mentions written by the first layout (a hash per mention, one sorted set
 * per index) move over, are found, listed and counted, and the old keys go;
 * entries no longer true (the mention moved on, or expired) are dropped. */
Test(layout, migrate_moves_the_first_layout)
{
	char key[64], created[32], warn[32];
	const long long t0 = 1795000000000LL;

	for (int i = 0; i < 2500; i++) {
		snprintf(key, sizeof(key), BASE "m:old%d", i);
		snprintf(created, sizeof(created), "%lld", t0 + i);
		snprintf(warn, sizeof(warn), "%lld", t0 + i + 3600000);
		const char *state = i < 2000 ? "o" : "r";
		/* old5 changed since its entry was written; old6 is gone. */
		if (i != 6)
			freeReplyObject(
				redisCommand(rc, "HSET %s a someone t hi c %s s %s p p W %s y 3",
					     key, created, i == 5 ? "w" : state, warn));
		freeReplyObject(
			redisCommand(rc, "ZADD " BASE "ix:%s:p %s old%d", state, created, i));
	}
	freeReplyObject(redisCommand(rc, "SADD " BASE "ixp p"));

	long long total = 0;
	for (int calls = 0; calls < 10; calls++) {
		redisReply *r = script("migrate", 1, (const char *[]){"1000"});
		cr_assert_eq(r->type, REDIS_REPLY_INTEGER);
		long long moved = r->integer;
		freeReplyObject(r);
		if (moved == 0)
			break;
		cr_assert_leq(moved, 1100, "one call moved too much at once: %lld", moved);
		total += moved;
	}
	cr_assert_eq(total, 2500);
	cr_assert_eq(command_int("EXISTS %s", BASE "ix:o:p"), 0);
	cr_assert_eq(command_int("EXISTS %s", BASE "m:old7"), 0, "an open record stayed a key");
	cr_assert_eq(command_int("EXISTS %s", BASE "m:old2100"), 1, "a resolved one moved");
	cr_assert_eq(command_int("HGET %s n", BASE "lh"), 1998);
	cr_assert_eq(command_int("HGET %s o:p", BASE "ixn"), 1998, "stale entries came over");
	cr_assert_eq(command_int("HGET %s r:p", BASE "ixn"), 500);

	const char *args[] = {"ids", "old7"};
	redisReply *r = script("fetch", 2, args);
	cr_assert_str_eq(field(r->element[0], "W"), "1795003600007");
	cr_assert_str_eq(field(r->element[0], "y"), "3");
	freeReplyObject(r);
	r = script("fetch", 1, (const char *[]){"next"});
	cr_assert_str_eq(r->element[0]->str, "1795003600000");
	freeReplyObject(r);
	r = script("migrate", 1, (const char *[]){"1000"});
	cr_assert_eq(r->integer, 0, "a second run finds nothing to move");
	freeReplyObject(r);
}

/* A packed record gives back exactly the texts it was given, whatever
 * looks like a number and whatever does not. */
Test(layout, packed_records_keep_every_text_exactly)
{
	const char *values[][2] = {
		{"f", "12345678901234567890"}, /* too long for an exact integer */
		{"g", "-3"},
		{"W", "0"},              /* before created: a negative offset */
		{"B", "01795000000000"}, /* a leading zero is text */
		{"X", "1795000000000.5"},
		{"rw", "0"},
		{"a", "1795000000000"}, /* a number in a text field */
		{"t", "\xf0\x9f\x98\xa1 \"quoted\" \\ tab\t"},
	};
	char *op;

	cr_assert(
		asprintf(
			&op,
			"{\"all\":true,\"retention_ms\":1,\"events_minid\":\"0\",\"replies_minid\":"
			"\"0\",\"changes\":[{\"id\":\"e1\",\"expect\":0,\"created\":1795000000000,"
			"\"set\":{\"c\":\"1795000000000\",\"s\":\"o\",\"p\":\"p\",\"f\":\"%s\","
			"\"g\":\"%s\",\"W\":\"%s\",\"B\":\"%s\",\"X\":\"%s\",\"rw\":\"%s\","
			"\"a\":\"%s\",\"t\":\"\\ud83d\\ude21 \\\"quoted\\\" \\\\ tab\\t\"},"
			"\"to\":[\"o\",\"p\"]}]}",
			values[0][1], values[1][1], values[2][1], values[3][1], values[4][1],
			values[5][1], values[6][1]) > 0);
	redisReply *r = script("apply", 1, (const char *[]){op});
	cr_assert_str_eq(r->element[0]->str, "ok");
	freeReplyObject(r);
	free(op);
	r = script("fetch", 2, (const char *[]){"ids", "e1"});
	for (size_t i = 0; i < sizeof(values) / sizeof(values[0]); i++) {
		const char *got = field(r->element[0], values[i][0]);
		cr_assert_not_null(got, "%s lost", values[i][0]);
		cr_assert_str_eq(got, values[i][1], "field %s", values[i][0]);
	}
	freeReplyObject(r);
}
