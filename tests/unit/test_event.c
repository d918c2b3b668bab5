/*
 * test_event: the ids of events, requests and incidents (rw_event_id,
 * rw_event_request_id, rw_event_mention_ref, rw_event_hash_id): short and
 * fixed in length whatever the input, the same for the same event raised
 * again, different for different events, and pinned to known values so a
 * later build never changes them (receivers and PagerDuty deduplicate by
 * them across upgrades).
 */
#include <criterion/criterion.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "replywatch/event.h"

/* A breach of acme-x's mention 1860000000000000001, due 13:00. */
static json_t *
breach(void)
{
	json_t *e = json_pack("{s:s, s:s, s:s, s:{s:s, s:s, s:s, s:s}, s:f}", "type", "breach",
			      "at", "2026-11-23T13:02:05.000Z", "due", "2026-11-23T13:00:00.000Z",
			      "mention", "key", "acme-x:1860000000000000001", "source", "acme-x",
			      "id", "1860000000000000001", "text", "Where is my order?",
			      "age_seconds", 3725.0);

	cr_assert_not_null(e);
	return e;
}

static json_t *
source_down(void)
{
	json_t *e = json_pack("{s:s, s:s, s:{s:s, s:s, s:s}}", "type", "source_down", "at",
			      "2026-11-23T12:30:00.123Z", "source", "name", "acme-x", "type", "x",
			      "state", "down");

	cr_assert_not_null(e);
	return e;
}

static const char *
id_of(const json_t *e)
{
	static char id[4][RW_EVENT_ID_SIZE];
	static int next;
	char *out = id[next++ % 4];

	cr_assert_eq(rw_event_id(e, out, RW_EVENT_ID_SIZE), 0);
	return out;
}

static void
expect_shape(const char *id, const char *prefix)
{
	size_t p = strlen(prefix);

	cr_assert_eq(strlen(id), p + 32, "%s", id);
	cr_assert_eq(strncmp(id, prefix, p), 0, "%s", id);
	cr_assert_eq(strspn(id + p, "0123456789abcdef"), 32, "%s", id);
}

/* Known values: SHA-256 over each field as an 8-byte big-endian length and
 * its bytes, the prefix first, the first 16 bytes in hex. */
Test(event_id, pinned_values)
{
	json_t *e = breach(), *s = source_down();
	const char *ids[] = {"evt_a", "evt_b"};
	char out[RW_EVENT_ID_SIZE];

	cr_assert_str_eq(id_of(e), "evt_ff6383bca86ba97284529c61f5c85654");
	cr_assert_str_eq(id_of(s), "evt_dffcd2afa92bc569995547c8e11a9f21");
	cr_assert_eq(rw_event_mention_ref("acme-x:1860000000000000001", out, sizeof(out)), 0);
	cr_assert_str_eq(out, "mention_2ae61a7e4aab6ed5f55694f745addcb6");
	cr_assert_eq(rw_event_request_id(ids, 2, out, sizeof(out)), 0);
	cr_assert_str_eq(out, "msg_ed0b2ead3db978bd830074fd14245c80");
	json_decref(e);
	json_decref(s);
}

/* Raised again later (another "at", other ages, an "id" already set): the
 * same event, the same id. */
Test(event_id, same_event_same_id)
{
	json_t *a = breach(), *b = breach();
	char first[RW_EVENT_ID_SIZE];

	snprintf(first, sizeof(first), "%s", id_of(a));
	json_object_set_new(b, "at", json_string("2026-11-23T15:00:00.000Z"));
	json_object_set_new(b, "age_seconds", json_real(10800));
	json_object_set_new(b, "id", json_string("acme-x:1795438925000-0"));
	json_object_set_new(json_object_get(b, "mention"), "text", json_string("edited"));
	/* The same instant written another way. */
	json_object_set_new(b, "due", json_string("2026-11-23T14:00:00+01:00"));
	cr_assert_str_eq(id_of(b), first);
	expect_shape(first, "evt_");
	json_decref(a);
	json_decref(b);
}

/* What identifies an event: each change gives another id. */
Test(event_id, identity_fields)
{
	json_t *base = breach();
	char first[RW_EVENT_ID_SIZE];
	const char *what[] = {"type", "due", "level", "mention id", "source", "repeat"};

	snprintf(first, sizeof(first), "%s", id_of(base));
	for (size_t i = 0; i < sizeof(what) / sizeof(what[0]); i++) {
		json_t *e = breach(), *m = json_object_get(e, "mention");

		switch (i) {
		case 0:
			json_object_set_new(e, "type", json_string("escalation"));
			break;
		case 1:
			json_object_set_new(e, "due", json_string("2026-11-23T13:00:00.001Z"));
			break;
		case 2:
			json_object_set_new(e, "level", json_integer(2));
			break;
		case 3:
			json_object_set_new(m, "id", json_string("1860000000000000002"));
			break;
		case 4:
			json_object_set_new(m, "source", json_string("acme-y"));
			break;
		case 5:
			json_object_set_new(e, "repeat", json_true());
			break;
		}
		cr_assert_str_neq(id_of(e), first, "changing the %s kept the id", what[i]);
		json_decref(e);
	}
	json_decref(base);
}

/* Repeats differ by when they were raised; source events by their instant. */
Test(event_id, repeats_and_source_events)
{
	json_t *r1 = breach(), *r2 = breach(), *s1 = source_down(), *s2 = source_down();
	char a[RW_EVENT_ID_SIZE];

	json_object_set_new(r1, "repeat", json_true());
	json_object_set_new(r2, "repeat", json_true());
	json_object_set_new(r2, "at", json_string("2026-11-23T13:07:05.000Z"));
	snprintf(a, sizeof(a), "%s", id_of(r1));
	cr_assert_str_neq(id_of(r2), a);
	snprintf(a, sizeof(a), "%s", id_of(s1));
	json_object_set_new(json_object_get(s2, "source"), "last_error", json_string("x"));
	cr_assert_str_eq(id_of(s2), a);
	json_object_set_new(s2, "at", json_string("2026-11-23T12:31:00.000Z"));
	cr_assert_str_neq(id_of(s2), a);
	json_object_set_new(s2, "type", json_string("source_up"));
	cr_assert_str_neq(id_of(s2), a);
	json_decref(r1);
	json_decref(r2);
	json_decref(s1);
	json_decref(s2);
}

/* 64 KiB of mention id (a push allows that much) still gives 36 characters;
 * ids with a "." or a ":" in them give hex only. */
Test(event_id, long_and_odd_input_bounded)
{
	json_t *e = breach();
	char *big = malloc(65537), out[RW_EVENT_ID_SIZE];

	cr_assert_not_null(big);
	memset(big, '.', 65536);
	big[65536] = '\0';
	json_object_set_new(json_object_get(e, "mention"), "id", json_string(big));
	expect_shape(id_of(e), "evt_");
	cr_assert_eq(rw_event_mention_ref(big, out, sizeof(out)), 0);
	expect_shape(out, "mention_");
	free(big);
	json_decref(e);
}

Test(event_id, refused)
{
	json_t *e = breach();
	char out[RW_EVENT_ID_SIZE] = "x", small[36] = "x";
	const char *fields[] = {"a", NULL};

	cr_assert_eq(rw_event_id(e, small, sizeof(small)), -1, "36 bytes hold no id and its NUL");
	cr_assert_str_eq(small, "");
	json_object_del(json_object_get(e, "mention"), "id");
	cr_assert_eq(rw_event_id(e, out, sizeof(out)), -1);
	cr_assert_str_eq(out, "");
	json_object_del(e, "type");
	cr_assert_eq(rw_event_id(e, out, sizeof(out)), -1);
	json_decref(e);
	e = json_pack("{s:s, s:{}}", "type", "source_down", "source");
	cr_assert_eq(rw_event_id(e, out, sizeof(out)), -1);
	json_decref(e);
	cr_assert_eq(rw_event_hash_id("evt_", fields, 2, out, sizeof(out)), -1);
	cr_assert_eq(rw_event_hash_id("waytoolong_", fields, 1, out, sizeof(out)), -1);
}

/* A request's id depends on its events and their order. */
Test(event_id, request_ids)
{
	const char *ab[] = {"evt_a", "evt_b"}, *ba[] = {"evt_b", "evt_a"}, *a[] = {"evt_a"};
	char x[RW_EVENT_ID_SIZE], y[RW_EVENT_ID_SIZE], z[RW_EVENT_ID_SIZE];

	cr_assert_eq(rw_event_request_id(ab, 2, x, sizeof(x)), 0);
	cr_assert_eq(rw_event_request_id(ba, 2, y, sizeof(y)), 0);
	cr_assert_eq(rw_event_request_id(a, 1, z, sizeof(z)), 0);
	cr_assert_str_neq(x, y);
	cr_assert_str_neq(x, z);
	expect_shape(z, "msg_");
	/* The prefix is hashed too: never an event id's digits. */
	cr_assert_eq(rw_event_hash_id("evt_", a, 1, y, sizeof(y)), 0);
	cr_assert_str_neq(y + 4, z + 4);
}

/* An entry of the log that lacks what identifies an event still gets an
 * id, from its place in the log; a whole one gets its own. */
Test(event_id, log_ids)
{
	json_t *e = breach(), *odd = json_pack("{s:s}", "type", "breach");
	char a[RW_EVENT_ID_SIZE], b[RW_EVENT_ID_SIZE];

	cr_assert_eq(rw_event_log_id(e, "acme-x", "1-0", a, sizeof(a)), 0);
	cr_assert_str_eq(a, id_of(e));
	cr_assert_eq(rw_event_log_id(odd, "acme-x", "1-0", a, sizeof(a)), 0);
	cr_assert_eq(rw_event_log_id(odd, "acme-x", "1-1", b, sizeof(b)), 0);
	expect_shape(a, "evt_");
	cr_assert_str_neq(a, b);
	json_decref(e);
	json_decref(odd);
}
