/*
 * test_keys: the Redis key names (keys.h), as the daemon and the scripts
 * must agree on them. The Lua side is held against this table in
 * tests/integration/test_keys.c.
 */
#include <criterion/criterion.h>
#include <string.h>

#include "replywatch/keys.h"

/* Every key's full name for prefix "rw:", source "acme", arg "T". */
static const struct {
	enum rw_key k;
	const char *name;
} expected[] = {
	{RW_KEY_OPEN_BUCKET, "rw:{acme}:ob:T"},
	{RW_KEY_OPEN_HASHING, "rw:{acme}:lh"},
	{RW_KEY_RESOLVED, "rw:{acme}:m:T"},
	{RW_KEY_DUE, "rw:{acme}:due"},
	{RW_KEY_INDEX_BUCKET, "rw:{acme}:ixb:T"},
	{RW_KEY_INDEX_DIRECTORY, "rw:{acme}:ixd:T"},
	{RW_KEY_INDEX_COUNTS, "rw:{acme}:ixn"},
	{RW_KEY_INDEX_SEQUENCE, "rw:{acme}:ixq"},
	{RW_KEY_INDEX_POLICIES, "rw:{acme}:ixp"},
	{RW_KEY_FIRST_LAYOUT_INDEX, "rw:{acme}:ix:T"},
	{RW_KEY_CONVERSATION, "rw:{acme}:cv:T"},
	{RW_KEY_ORPHAN_REPLY, "rw:{acme}:or:T"},
	{RW_KEY_EVENTS, "rw:{acme}:ev"},
	{RW_KEY_REPLIES, "rw:{acme}:rs"},
	{RW_KEY_COUNTERS, "rw:{acme}:cnt"},
	{RW_KEY_CURSORS, "rw:{acme}:cur"},
	{RW_KEY_DAILY_QUOTA, "rw:{acme}:dq"},
	{RW_KEY_DEAD_LETTERS, "rw:{acme}:dl:T"},
	{RW_KEY_REPEATS, "rw:{acme}:rp:T"},
	{RW_KEY_WEBHOOK_REMOVALS, "rw:{acme}:rm"},
	{RW_KEY_WEBHOOK_QUEUE, "rw:{acme}:hq"},
	{RW_KEY_WEBHOOK_QUEUE_ATTEMPTS, "rw:{acme}:hqa"},
	{RW_KEY_CREDENTIAL, "rw:{acme}:auth"},
	{RW_KEY_LEASE, "rw:{acme}:lease"},
	{RW_KEY_LEASE_COUNTER, "rw:{acme}:lease-n"},
	{RW_KEY_ALERTMANAGER, "rw:am:T"},
	{RW_KEY_REQUEST, "rw:rq:T"},
	{RW_KEY_READYZ, "rw:readyz"},
	{RW_KEY_MEMBERS, "rw:members"},
};

/* The names stored data already has: a change here strands it (and the
 * other daemons still reading the old names), so it must be a migration. */
Test(keys, every_key_keeps_its_stored_name)
{
	char buf[RW_KEY_SIZE];

	cr_assert_eq(sizeof(expected) / sizeof(expected[0]), RW_KEY_COUNT,
		     "a key was added: name it here");
	for (size_t i = 0; i < sizeof(expected) / sizeof(expected[0]); i++) {
		const struct rw_key_spec *spec = rw_key_spec(expected[i].k);
		const char *arg = spec->flags & RW_KEY_ARG ? "T" : NULL;

		cr_assert_str_eq(rw_key_name(expected[i].k, "rw:", "acme", arg, buf, sizeof(buf)),
				 expected[i].name);
	}
}

/* Every key of a source carries the source's hash tag, so one script call
 * touches one Redis Cluster slot. */
Test(keys, source_keys_share_the_base_and_its_hash_tag)
{
	char base[RW_KEY_SIZE], buf[RW_KEY_SIZE];

	cr_assert_str_eq(rw_key_base("p:", "s-1", base, sizeof(base)), "p:{s-1}:");
	for (int k = 0; k < RW_KEY_COUNT; k++) {
		const struct rw_key_spec *spec = rw_key_spec((enum rw_key)k);
		const char *name =
			rw_key_name((enum rw_key)k, "p:", "s-1",
				    spec->flags & RW_KEY_ARG ? "x" : NULL, buf, sizeof(buf));

		cr_assert_not_null(name);
		if (spec->flags & RW_KEY_SOURCE)
			cr_assert_eq(strncmp(name, base, strlen(base)), 0, "%s", name);
		else
			cr_assert_null(strchr(name, '{'), "%s", name);
	}
}

Test(keys, suffixes_are_distinct)
{
	for (int a = 0; a < RW_KEY_COUNT; a++)
		for (int b = a + 1; b < RW_KEY_COUNT; b++)
			cr_assert_str_neq(rw_key_spec((enum rw_key)a)->suffix,
					  rw_key_spec((enum rw_key)b)->suffix);
}

Test(keys, refuses_what_does_not_fit_or_is_malformed)
{
	char buf[RW_KEY_SIZE], small[12];

	/* "rw:{acme}:ev" is 12 bytes: one short of its terminator. */
	cr_assert_null(rw_key_name(RW_KEY_EVENTS, "rw:", "acme", NULL, small, sizeof(small)));
	cr_assert_not_null(rw_key_name(RW_KEY_EVENTS, "rw:", "acm", NULL, small, sizeof(small)));
	cr_assert_null(rw_key_base("rw:", "acmeacme", small, sizeof(small)));
	cr_assert_null(rw_key_name(RW_KEY_DEAD_LETTERS, "rw:", "acme", "target-name", small,
				   sizeof(small)));
	cr_assert_null(rw_key_name(RW_KEY_EVENTS, "rw:", NULL, NULL, buf, sizeof(buf)));
	cr_assert_null(rw_key_name(RW_KEY_EVENTS, "rw:", "acme", "x", buf, sizeof(buf)));
	cr_assert_null(rw_key_name(RW_KEY_DEAD_LETTERS, "rw:", "acme", NULL, buf, sizeof(buf)));
	cr_assert_null(rw_key_name(RW_KEY_COUNT, "rw:", "acme", NULL, buf, sizeof(buf)));
	cr_assert_null(rw_key_name(RW_KEY_EVENTS, NULL, "acme", NULL, buf, sizeof(buf)));
	cr_assert_null(rw_key_spec(RW_KEY_COUNT));
	cr_assert_null(rw_key_alert_group("target", small, 8));
}

/* The longest names the configuration allows fit RW_KEY_SIZE under a long
 * prefix. */
Test(keys, longest_names_fit_the_buffer)
{
	char name64[65], prefix[301], buf[RW_KEY_SIZE];

	memset(name64, 'n', 64);
	name64[64] = '\0';
	memset(prefix, 'p', 300);
	prefix[300] = '\0';
	for (int k = 0; k < RW_KEY_COUNT; k++)
		cr_assert_not_null(
			rw_key_name((enum rw_key)k, prefix, name64,
				    rw_key_spec((enum rw_key)k)->flags & RW_KEY_ARG ? name64 : NULL,
				    buf, sizeof(buf)),
			"key %d", k);
}

Test(keys, alert_group_and_consumer)
{
	char buf[64];

	cr_assert_str_eq(rw_key_alert_group("pager", buf, sizeof(buf)), "a:pager");
	cr_assert_str_eq(RW_KEY_ALERT_CONSUMER, "replywatchd");
}

/* The lease and membership keys were reserved until the cluster (issue 14)
 * used them: no key is reserved now. */
Test(keys, no_key_is_reserved)
{
	for (int k = 0; k < RW_KEY_COUNT; k++)
		cr_assert_eq(rw_key_spec((enum rw_key)k)->flags & RW_KEY_RESERVED, 0, "key %d", k);
}

/* The base used to be built in a 256-byte buffer and cut silently: under a
 * redis.key_prefix of 255 bytes or more every source got the same base, so
 * their mentions, events and cursors mixed. */
Test(keys, regression_long_prefix_keeps_sources_apart)
{
	char prefix[301], a[RW_KEY_SIZE], b[RW_KEY_SIZE];

	memset(prefix, 'p', 300);
	prefix[300] = '\0';
	cr_assert_not_null(rw_key_name(RW_KEY_EVENTS, prefix, "a", NULL, a, sizeof(a)));
	cr_assert_not_null(rw_key_name(RW_KEY_EVENTS, prefix, "b", NULL, b, sizeof(b)));
	cr_assert_str_neq(a, b);
	cr_assert_str_eq(a + 300, "{a}:ev");
	cr_assert_eq(strncmp(a, prefix, 300), 0);
}

/* A target's stored request is one per daemon instance; without an
 * instance it is the record of a daemon before issue 14; too long a name
 * is refused, never cut. */
Test(keys, request_key_per_instance)
{
	char buf[RW_KEY_SIZE], small[16];

	cr_assert_str_eq(rw_key_request("rw:", "care", "host-a-8080", buf, sizeof(buf)),
			 "rw:rq:care:host-a-8080");
	cr_assert_str_eq(rw_key_request("rw:", "care", NULL, buf, sizeof(buf)), "rw:rq:care");
	cr_assert_null(rw_key_request("rw:", "care", "host-a-8080", small, sizeof(small)));
	cr_assert_null(rw_key_request("rw:", NULL, "x", buf, sizeof(buf)));
}
