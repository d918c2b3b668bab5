/*
 * test_keys: the C key layout (keys.h) held against the scripts' own
 * (daemon/lua/lib/layout.lua's KEY table), in a real redis-server: the
 * table as Lua evaluates it, and the embedded scripts writing the keys the C
 * side reads.
 */
#include <criterion/criterion.h>
#include <hiredis/hiredis.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "replywatch/keys.h"
#include "replywatch/scripts.h"
#include "rwtest.h"
#include "rwtparse.h"

#define PREFIX "t:"
#define SOURCE "src"

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

TestSuite(keys, .init = setup, .fini = teardown, .timeout = 60);

/* EVAL of body with no keys and args; the reply (caller frees). */
static redisReply *
eval(const char *body, int argc, const char **args)
{
	const char *argv[12];
	size_t len[12];

	cr_assert_leq(argc, 8);
	argv[0] = "EVAL";
	argv[1] = body;
	argv[2] = "0";
	for (int i = 0; i < argc; i++)
		argv[3 + i] = args[i];
	for (int i = 0; i < argc + 3; i++)
		len[i] = strlen(argv[i]);
	redisReply *r = redisCommandArgv(rc, argc + 3, argv, len);
	cr_assert_not_null(r);
	cr_assert_neq(r->type, REDIS_REPLY_ERROR, "%s", r->str);
	return r;
}

/* The embedded script called name, with KEYS[1] = the source's base. */
static redisReply *
script(const char *name, int argc, const char **args)
{
	const struct rw_lua_script *s = NULL;
	const char *argv[12];
	size_t len[12];
	char base[RW_KEY_SIZE];

	for (unsigned i = 0; i < rw_lua_script_count; i++)
		if (strcmp(rw_lua_scripts[i].name, name) == 0)
			s = &rw_lua_scripts[i];
	cr_assert_not_null(s, "no script %s", name);
	cr_assert_leq(argc, 8);
	argv[0] = "EVAL";
	argv[1] = s->body;
	argv[2] = "1";
	argv[3] = rw_key_base(PREFIX, SOURCE, base, sizeof(base));
	for (int i = 0; i < argc; i++)
		argv[4 + i] = args[i];
	for (int i = 0; i < argc + 4; i++)
		len[i] = strlen(argv[i]);
	redisReply *r = redisCommandArgv(rc, argc + 4, argv, len);
	cr_assert_not_null(r);
	cr_assert_neq(r->type, REDIS_REPLY_ERROR, "%s: %s", name, r->str);
	return r;
}

/* The C spec whose lua_name is name, or NULL. */
static const struct rw_key_spec *
spec_of(const char *name)
{
	for (int k = 0; k < RW_KEY_COUNT; k++) {
		const struct rw_key_spec *s = rw_key_spec((enum rw_key)k);

		if (s->lua_name != NULL && strcmp(s->lua_name, name) == 0)
			return s;
	}
	return NULL;
}

/* Every name of layout.lua's KEY table is the C table's, suffix for
 * suffix, and every key the C table says the scripts name is there. */
Test(keys, lua_key_table_matches_the_c_layout)
{
	size_t liblen;
	char *lib = rwt_slurp(RW_SOURCE_DIR "/daemon/lua/lib/layout.lua", &liblen);
	const char *tail = "\nlocal out = {}\n"
			   "for name, suffix in pairs(KEY) do\n"
			   "\tout[#out + 1] = name\n\tout[#out + 1] = suffix\nend\n"
			   "return out\n";
	char *body = malloc(liblen + strlen(tail) + 1);
	size_t shared = 0, seen = 0;

	cr_assert_not_null(body);
	strcpy(body, lib);
	strcat(body, tail);
	redisReply *r = eval(body, 0, NULL);

	cr_assert_eq(r->type, REDIS_REPLY_ARRAY);
	for (size_t i = 0; i + 1 < r->elements; i += 2) {
		const char *name = r->element[i]->str, *suffix = r->element[i + 1]->str;
		const struct rw_key_spec *s = spec_of(name);

		cr_assert_not_null(s, "layout.lua KEY.%s has no key in keys.c", name);
		cr_assert_str_eq(suffix, s->suffix, "KEY.%s: Lua '%s', C \"%s\"", name, suffix,
				 s->suffix);
		cr_assert(s->flags & RW_KEY_SOURCE, "KEY.%s is not a source key in keys.c", name);
		seen++;
	}
	for (int k = 0; k < RW_KEY_COUNT; k++)
		if (rw_key_spec((enum rw_key)k)->lua_name != NULL)
			shared++;
	cr_assert_eq(seen, shared, "keys.c names %zu keys for the scripts, layout.lua %zu", shared,
		     seen);
	cr_assert_gt(seen, 10);
	freeReplyObject(r);
	free(body);
	free(lib);
}

static long long
integer(const char *fmt, const char *key)
{
	redisReply *r = redisCommand(rc, fmt, key);
	long long v;

	cr_assert_not_null(r);
	cr_assert_eq(r->type, REDIS_REPLY_INTEGER, "%s %s", fmt, key);
	v = r->integer;
	freeReplyObject(r);
	return v;
}

/* The source script writes the down flag and the event where the poller
 * and the alert engine read them. */
Test(keys, source_script_writes_the_keys_c_reads)
{
	char cur[RW_KEY_SIZE], ev[RW_KEY_SIZE];
	const char *args[] = {"down", "{\"type\":\"source_down\"}", "0"};

	cr_assert_not_null(rw_key_name(RW_KEY_CURSORS, PREFIX, SOURCE, NULL, cur, sizeof(cur)));
	cr_assert_not_null(rw_key_name(RW_KEY_EVENTS, PREFIX, SOURCE, NULL, ev, sizeof(ev)));
	freeReplyObject(script("source", 3, args));
	redisReply *r = redisCommand(rc, "HGET %s down", cur);

	cr_assert_eq(r->type, REDIS_REPLY_STRING);
	cr_assert_str_eq(r->str, "1");
	freeReplyObject(r);
	cr_assert_eq(integer("XLEN %s", ev), 1);
}

Test(keys, orphan_script_writes_its_named_key)
{
	char key[RW_KEY_SIZE];
	const char *args[] = {"m1", "1000|r1", "60000"};

	freeReplyObject(script("orphan", 3, args));
	cr_assert_not_null(
		rw_key_name(RW_KEY_ORPHAN_REPLY, PREFIX, SOURCE, "m1", key, sizeof(key)));
	cr_assert_eq(integer("EXISTS %s", key), 1);
}
