/*
 * test_push: the body of POST /ingest/SOURCE (rw_push_parse) — one item or an
 * array, every field mapped, brand replies, and for each way a body can be
 * wrong the exact field the message names. On error nothing is returned and
 * nothing leaks (the suite also runs under ASan).
 *
 * Bodies are written with ' for " (rwt_json_quotes).
 */
#include <criterion/criterion.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "replywatch/config.h"
#include "replywatch/item.h"
#include "replywatch/push.h"
#include "replywatch/utf8.h"

#include "rwtest.h"

/* 2026-11-23T12:00:00Z */
#define T0 1795435200000LL

/* A minimal valid mention item (no quotes of its own). */
#define ITEM(id) "{'id': '" id "', 'created_at': '2026-11-23T12:00:00Z', 'author': 'alice'}"

static void
free_items(struct rw_item *items, size_t n)
{
	for (size_t i = 0; i < n; i++)
		rw_item_clear(&items[i]);
	free(items);
}

/* Parses body (text with ' for "), expecting success with want items. */
static struct rw_item *
parse_ok(const char *body, size_t want)
{
	char *json = rwt_json_quotes(body);
	struct rw_item *items = NULL;
	size_t n = 0;
	char err[512] = "";

	cr_assert_eq(rw_push_parse(json, strlen(json), &items, &n, err, sizeof(err)), 0, "%s: %s",
		     json, err);
	cr_assert_not_null(items);
	cr_assert_eq(n, want, "%zu items, want %zu", n, want);
	free(json);
	return items;
}

/* Parses raw text (quotes as written), expecting failure; returns the message. */
static void
parse_fail_raw(const char *json, size_t len, char *err, size_t errlen)
{
	static struct rw_item sentinel;
	struct rw_item *items = &sentinel;
	size_t n = 99;

	err[0] = '\0';
	cr_assert_eq(rw_push_parse(json, len, &items, &n, err, errlen), -1, "%.200s accepted",
		     json);
	cr_assert_null(items, "items not NULL on error");
	cr_assert_eq(n, 0, "n = %zu on error", n);
	cr_assert_neq(err[0], '\0', "no message");
}

/* Expects body (with ' for ") rejected with exactly message want. */
static void
expect_error(const char *body, const char *want)
{
	char *json = rwt_json_quotes(body);
	char err[512];

	parse_fail_raw(json, strlen(json), err, sizeof(err));
	cr_assert_str_eq(err, want, "%s", json);
	free(json);
}

/* Expects body rejected with a message starting with prefix. */
static void
expect_error_prefix(const char *body, const char *prefix)
{
	char *json = rwt_json_quotes(body);
	char err[512];

	parse_fail_raw(json, strlen(json), err, sizeof(err));
	cr_assert_eq(strncmp(err, prefix, strlen(prefix)), 0, "%s: got \"%s\", want \"%s...\"",
		     json, err, prefix);
	free(json);
}

/* ---- accepted bodies ---- */

Test(push_ok, single_object_every_field)
{
	struct rw_item *it = parse_ok("{'id': '109876543210', 'created_at': "
				      "'2026-11-23T13:00:00.250+01:00', 'author': 'alice',"
				      " 'author_followers': 12345, 'text': 'Where is my order?',"
				      " 'url': 'https://x.example/s/1', 'kind': 'review',"
				      " 'conversation_id': 'conv-7', 'rating': 2}",
				      1);

	cr_assert_str_eq(it->id, "109876543210");
	cr_assert_eq(it->created_at_ms, T0 + 250);
	cr_assert_str_eq(it->author, "alice");
	cr_assert_eq(it->has_followers, true);
	cr_assert_eq(it->author_followers, 12345);
	cr_assert_str_eq(it->text, "Where is my order?");
	cr_assert_str_eq(it->url, "https://x.example/s/1");
	cr_assert_eq(it->kind, RW_KIND_REVIEW);
	cr_assert_str_eq(it->conversation_id, "conv-7");
	cr_assert_eq(it->has_rating, true);
	cr_assert_eq(it->rating, 2);
	cr_assert_eq(it->from_brand, false);
	cr_assert_null(it->in_reply_to);
	free_items(it, 1);
}

/* Only the required fields: the rest absent, kind defaults to mention. */
Test(push_ok, required_fields_only)
{
	struct rw_item *it = parse_ok(ITEM("1"), 1);

	cr_assert_str_eq(it->id, "1");
	cr_assert_eq(it->created_at_ms, T0);
	cr_assert_str_eq(it->author, "alice");
	cr_assert_eq(it->has_followers, false);
	cr_assert_eq(it->author_followers, 0);
	cr_assert_null(it->text);
	cr_assert_null(it->url);
	cr_assert_eq(it->kind, RW_KIND_MENTION);
	cr_assert_null(it->conversation_id);
	cr_assert_eq(it->has_rating, false);
	cr_assert_eq(it->rating, 0);
	cr_assert_eq(it->from_brand, false);
	cr_assert_null(it->in_reply_to);
	free_items(it, 1);
}

/* Each kind name maps to its bit; zero followers is a known count. */
Test(push_ok, kinds_and_zero_followers)
{
	struct rw_item *it =
		parse_ok("[{'id': 'a', 'created_at': '2026-11-23T12:00:00Z', 'author': 'x',"
			 "  'kind': 'mention', 'author_followers': 0},"
			 " {'id': 'b', 'created_at': '2026-11-23T12:00:00Z', 'author': 'x',"
			 "  'kind': 'comment', 'rating': 1},"
			 " {'id': 'c', 'created_at': '2026-11-23T12:00:00Z', 'author': 'x',"
			 "  'kind': 'review', 'rating': 5},"
			 " {'id': 'd', 'created_at': '2026-11-23T12:00:00Z', 'author': 'x',"
			 "  'kind': 'message', 'conversation_id': 't1'}]",
			 4);

	cr_assert_eq(it[0].kind, RW_KIND_MENTION);
	cr_assert_eq(it[0].has_followers, true);
	cr_assert_eq(it[0].author_followers, 0);
	cr_assert_eq(it[1].kind, RW_KIND_COMMENT);
	cr_assert_eq(it[1].rating, 1);
	cr_assert_eq(it[2].kind, RW_KIND_REVIEW);
	cr_assert_eq(it[2].rating, 5);
	cr_assert_eq(it[3].kind, RW_KIND_MESSAGE);
	free_items(it, 4);
}

/* null for an optional field is the same as leaving it out. */
Test(push_ok, null_optional_fields)
{
	struct rw_item *it = parse_ok("{'id': '1', 'created_at': '2026-11-23T12:00:00Z',"
				      " 'author': 'alice', 'text': null, 'url': null, 'kind': null,"
				      " 'rating': null, 'author_followers': null,"
				      " 'conversation_id': null}",
				      1);

	cr_assert_null(it->text);
	cr_assert_null(it->url);
	cr_assert_eq(it->kind, RW_KIND_MENTION);
	cr_assert_eq(it->has_rating, false);
	cr_assert_eq(it->has_followers, false);
	cr_assert_null(it->conversation_id);
	free_items(it, 1);
}

/* An array keeps its order; mentions and brand replies mix. */
Test(push_ok, array_of_mentions_and_replies)
{
	struct rw_item *it =
		parse_ok("[" ITEM("m1") ","
					" {'id': 'r1', 'created_at': '2026-11-23T12:30:00Z', "
					"'in_reply_to': 'm1',"
					"  'from_brand': true, 'text': 'Sorry, DM us'},"
					" {'id': 'r2', 'created_at': '2026-11-23T12:31:00Z', "
					"'in_reply_to': 'm0',"
					"  'from_brand': true},"
					" {'id': 'm2', 'created_at': '2026-11-23T11:00:00-01:00', "
					"'author': 'bob'}]",
			 4);

	cr_assert_str_eq(it[0].id, "m1");
	cr_assert_eq(it[0].from_brand, false);
	cr_assert_str_eq(it[0].author, "alice");

	cr_assert_str_eq(it[1].id, "r1");
	cr_assert_eq(it[1].from_brand, true);
	cr_assert_str_eq(it[1].in_reply_to, "m1");
	cr_assert_eq(it[1].created_at_ms, T0 + 30 * 60000);
	cr_assert_str_eq(it[1].text, "Sorry, DM us");
	cr_assert_null(it[1].author);
	cr_assert_null(it[1].url);
	cr_assert_eq(it[1].has_rating, false);

	cr_assert_str_eq(it[2].id, "r2");
	cr_assert_eq(it[2].from_brand, true);
	cr_assert_str_eq(it[2].in_reply_to, "m0");
	cr_assert_null(it[2].text);
	cr_assert_null(it[2].author);

	cr_assert_str_eq(it[3].id, "m2");
	cr_assert_str_eq(it[3].author, "bob");
	cr_assert_eq(it[3].created_at_ms, T0);
	free_items(it, 4);
}

/* A one-element array is an array, not a single item. */
Test(push_ok, array_of_one)
{
	struct rw_item *it = parse_ok("[" ITEM("7") "]", 1);

	cr_assert_str_eq(it->id, "7");
	free_items(it, 1);
}

/* Only len bytes are read: the body need not be NUL-terminated. */
Test(push_ok, body_not_terminated)
{
	char *json = rwt_json_quotes(ITEM("9") "GARBAGE");
	size_t len = strlen(json) - strlen("GARBAGE");
	char *body = malloc(len);
	struct rw_item *items = NULL;
	size_t n = 0;
	char err[256] = "";

	memcpy(body, json, len);
	cr_assert_eq(rw_push_parse(body, len, &items, &n, err, sizeof(err)), 0, "%s", err);
	cr_assert_eq(n, 1);
	cr_assert_str_eq(items[0].id, "9");
	free_items(items, n);
	free(body);
	free(json);
}

/* Longest strings accepted (65536 bytes); an empty optional string is kept. */
Test(push_ok, longest_text_and_empty_optional)
{
	size_t max = 65536;
	char *text = malloc(max + 1);
	char *json;
	struct rw_item *items = NULL;
	size_t n = 0;
	char err[256] = "";

	memset(text, 'a', max);
	text[max] = '\0';
	cr_assert_neq(asprintf(&json,
			       "{\"id\":\"1\",\"created_at\":\"2026-11-23T12:00:00Z\","
			       "\"author\":\"a\",\"text\":\"%s\",\"url\":\"\"}",
			       text),
		      -1);
	cr_assert_eq(rw_push_parse(json, strlen(json), &items, &n, err, sizeof(err)), 0, "%s", err);
	cr_assert_eq(strlen(items[0].text), max);
	cr_assert_str_eq(items[0].url, "");
	free_items(items, n);
	free(json);
	free(text);
}

/* Exactly RW_PUSH_MAX_ITEMS items are accepted. */
Test(push_ok, max_items)
{
	static const char one[] =
		"{\"id\":\"x\",\"created_at\":\"2026-11-23T12:00:00Z\",\"author\":\"a\"}";
	size_t cap = RW_PUSH_MAX_ITEMS * (sizeof(one) + 1) + 3, len = 0;
	char *body = malloc(cap);
	struct rw_item *items = NULL;
	size_t n = 0;
	char err[256] = "";

	body[len++] = '[';
	for (size_t i = 0; i < RW_PUSH_MAX_ITEMS; i++) {
		if (i)
			body[len++] = ',';
		memcpy(body + len, one, sizeof(one) - 1);
		len += sizeof(one) - 1;
	}
	body[len++] = ']';
	cr_assert_eq(rw_push_parse(body, len, &items, &n, err, sizeof(err)), 0, "%s", err);
	cr_assert_eq(n, RW_PUSH_MAX_ITEMS);
	cr_assert_str_eq(items[RW_PUSH_MAX_ITEMS - 1].author, "a");
	free_items(items, n);
	free(body);
}

/* ---- brand replies ---- */

Test(push_brand, reply_needs_in_reply_to)
{
	expect_error("{'id': 'r', 'created_at': '2026-11-23T12:00:00Z', 'from_brand': true}",
		     "item.in_reply_to: required");
	expect_error("{'id': 'r', 'created_at': '2026-11-23T12:00:00Z', 'from_brand': true,"
		     " 'in_reply_to': ''}",
		     "item.in_reply_to: must not be empty");
	expect_error("{'id': 'r', 'created_at': '2026-11-23T12:00:00Z', 'from_brand': true,"
		     " 'in_reply_to': 5}",
		     "item.in_reply_to: expected a string");
}

/* A reply to a whole conversation names it instead of an item; not both. */
Test(push_brand, reply_to_a_conversation)
{
	struct rw_item *it =
		parse_ok("{'id': 'r', 'created_at': '2026-11-23T12:00:00Z',"
			 " 'from_brand': true, 'conversation_id': 't-1', 'text': 'ok'}",
			 1);

	cr_assert(it->from_brand);
	cr_assert_null(it->in_reply_to);
	cr_assert_str_eq(it->conversation_id, "t-1");
	cr_assert_str_eq(it->text, "ok");
	free_items(it, 1);
	expect_error("{'id': 'r', 'created_at': '2026-11-23T12:00:00Z', 'from_brand': true,"
		     " 'conversation_id': 't', 'in_reply_to': 'm'}",
		     "item: a brand reply has in_reply_to or conversation_id, not both");
	expect_error("{'id': 'r', 'created_at': '2026-11-23T12:00:00Z', 'from_brand': true,"
		     " 'conversation_id': 'a b'}",
		     "item.conversation_id: must be 1 to 512 printable ASCII characters, without "
		     "spaces or '|'");
}

/* A reply carries no author or other mention fields. */
Test(push_brand, mention_fields_rejected_on_reply)
{
	expect_error("[" ITEM("m") ", {'id': 'r', 'created_at': '2026-11-23T12:00:00Z',"
				   " 'from_brand': true, 'in_reply_to': 'm', 'author': 'acme'}]",
		     "items[1].author: unknown field for a brand reply");
	expect_error("{'id': 'r', 'created_at': '2026-11-23T12:00:00Z', 'from_brand': true,"
		     " 'in_reply_to': 'm', 'rating': 5}",
		     "item.rating: unknown field for a brand reply");
}

/* in_reply_to without from_brand is not a reply: a typo'd reply is refused. */
Test(push_brand, in_reply_to_without_from_brand)
{
	expect_error("{'id': 'r', 'created_at': '2026-11-23T12:00:00Z', 'author': 'a',"
		     " 'in_reply_to': 'm'}",
		     "item.in_reply_to: unknown field");
}

Test(push_brand, from_brand_must_be_boolean)
{
	expect_error("{'id': 'r', 'created_at': '2026-11-23T12:00:00Z', 'from_brand': 'yes',"
		     " 'in_reply_to': 'm'}",
		     "item.from_brand: expected true or false");
	expect_error("[" ITEM("1") ", {'id': 'r', 'created_at': '2026-11-23T12:00:00Z',"
				   " 'from_brand': 1, 'in_reply_to': 'm'}]",
		     "items[1].from_brand: expected true or false");
}

/*
 * BUG (daemon/push.c, parse_item): "from_brand": false on a mention is
 * rejected as "item.from_brand: unknown field". parse_item accepts any
 * boolean for from_brand ("expected true or false") and treats false as a
 * mention, but then checks the keys against mention_keys, which does not
 * list "from_brand". An integration that always sends the flag cannot push
 * mentions. Fixed; kept as a regression test.
 */
Test(push_brand, from_brand_false_is_a_mention)
{
	struct rw_item *it = parse_ok("{'id': '1', 'created_at': '2026-11-23T12:00:00Z',"
				      " 'author': 'alice', 'from_brand': false}",
				      1);

	cr_assert_eq(it->from_brand, false);
	cr_assert_str_eq(it->author, "alice");
	cr_assert_eq(it->kind, RW_KIND_MENTION);
	free_items(it, 1);
}

/* ---- rejected bodies: the message names the field ---- */

/* Items 0-2 are fine and already parsed: they are freed, not returned. */
Test(push_error, bad_created_at_in_fourth_item)
{
	expect_error_prefix("[" ITEM("0") "," ITEM("1") "," ITEM(
				    "2") ","
					 " {'id': '3', 'created_at': 'yesterday', 'author': 'a'}]",
			    "items[3].created_at: ");
	expect_error("{'id': '3', 'created_at': 'yesterday', 'author': 'a'}",
		     "item.created_at: not an RFC 3339 time (e.g. 2026-11-23T12:00:00Z)");
	/* No zone: not RFC 3339. */
	expect_error_prefix("{'id': '3', 'created_at': '2026-11-23T12:00:00', 'author': 'a'}",
			    "item.created_at: ");
	expect_error("{'id': '3', 'created_at': 1795435200, 'author': 'a'}",
		     "item.created_at: expected a string");
	expect_error("{'id': '3', 'author': 'a'}", "item.created_at: required");
}

Test(push_error, author_required)
{
	expect_error("{'id': '1', 'created_at': '2026-11-23T12:00:00Z'}", "item.author: required");
	expect_error("{'id': '1', 'created_at': '2026-11-23T12:00:00Z', 'author': null}",
		     "item.author: required");
	expect_error("{'id': '1', 'created_at': '2026-11-23T12:00:00Z', 'author': ''}",
		     "item.author: must not be empty");
	expect_error("[" ITEM("0") ", {'id': '1', 'created_at': '2026-11-23T12:00:00Z'}]",
		     "items[1].author: required");
}

Test(push_error, unknown_field)
{
	expect_error("[{'id': '1', 'created_at': '2026-11-23T12:00:00Z', 'author': 'a',"
		     " 'bogus': 1}]",
		     "items[0].bogus: unknown field");
	/* A typo of a real field is caught, not dropped. */
	expect_error("{'id': '1', 'created_at': '2026-11-23T12:00:00Z', 'author': 'a',"
		     " 'author_follower': 10}",
		     "item.author_follower: unknown field");
}

Test(push_error, rating_out_of_range_or_wrong_type)
{
	static const char *const bad[] = {"0", "6", "-1", "2.5", "'3'", "true"};

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		char body[512];

		snprintf(body, sizeof(body),
			 "[" ITEM("0") ", {'id': '1', 'created_at': '2026-11-23T12:00:00Z',"
				       " 'author': 'a', 'kind': 'review', 'rating': %s}]",
			 bad[i]);
		expect_error(body, "items[1].rating: expected an integer from 1 to 5");
	}
}

Test(push_error, followers)
{
	expect_error("{'id': '1', 'created_at': '2026-11-23T12:00:00Z', 'author': 'a',"
		     " 'author_followers': -1}",
		     "item.author_followers: expected an integer from 0 to 9223372036854775807");
	expect_error("{'id': '1', 'created_at': '2026-11-23T12:00:00Z', 'author': 'a',"
		     " 'author_followers': '10'}",
		     "item.author_followers: expected an integer from 0 to 9223372036854775807");
}

Test(push_error, kind)
{
	expect_error("[{'id': '1', 'created_at': '2026-11-23T12:00:00Z', 'author': 'a',"
		     " 'kind': 'tweet'}]",
		     "items[0].kind: expected mention, comment, review or message");
	/* Names are exact: no case folding. */
	expect_error("[{'id': '1', 'created_at': '2026-11-23T12:00:00Z', 'author': 'a',"
		     " 'kind': 'Review'}]",
		     "items[0].kind: expected mention, comment, review or message");
	expect_error("[{'id': '1', 'created_at': '2026-11-23T12:00:00Z', 'author': 'a',"
		     " 'kind': 4}]",
		     "items[0].kind: expected a string");
}

Test(push_error, id)
{
	expect_error("{'id': 109876543210, 'created_at': '2026-11-23T12:00:00Z', 'author': 'a'}",
		     "item.id: expected a string");
	expect_error("{'id': '', 'created_at': '2026-11-23T12:00:00Z', 'author': 'a'}",
		     "item.id: must not be empty");
	expect_error("{'created_at': '2026-11-23T12:00:00Z', 'author': 'a'}", "item.id: required");
	expect_error("[" ITEM("0") "," ITEM("1") ", {'id': null, 'author': 'a'}]",
		     "items[2].id: required");
}

/* Ids become part of Redis keys and log lines: a control byte, a space, a
 * '|' (the reply log's separator) or an id past RW_ITEM_ID_MAX bytes was
 * taken as it came. */
Test(push_error, regression_ids_that_become_keys_are_validated)
{
	static const char *const want = "must be 1 to 512 printable ASCII characters, without "
					"spaces or '|'";
	char body[1024], id[RW_ITEM_ID_MAX + 2], msg[200];

	expect_error("{'id': 'a b', 'created_at': '2026-11-23T12:00:00Z', 'author': 'a'}",
		     (snprintf(msg, sizeof(msg), "item.id: %s", want), msg));
	expect_error("{'id': 'a|b', 'created_at': '2026-11-23T12:00:00Z', 'author': 'a'}",
		     (snprintf(msg, sizeof(msg), "item.id: %s", want), msg));
	expect_error("{'id': 'a\\u0001', 'created_at': '2026-11-23T12:00:00Z', 'author': 'a'}",
		     (snprintf(msg, sizeof(msg), "item.id: %s", want), msg));
	expect_error("{'id': 'ok', 'created_at': '2026-11-23T12:00:00Z', 'author': 'a', "
		     "'conversation_id': 'z\u00f3\u0142w'}",
		     (snprintf(msg, sizeof(msg), "item.conversation_id: %s", want), msg));
	expect_error("{'id': '9', 'created_at': '2026-11-23T12:00:00Z', 'in_reply_to': 'x y', "
		     "'from_brand': true}",
		     (snprintf(msg, sizeof(msg), "item.in_reply_to: %s", want), msg));
	memset(id, '7', sizeof(id) - 1);
	id[sizeof(id) - 1] = '\0';
	snprintf(body, sizeof(body),
		 "{'id': '%s', 'created_at': '2026-11-23T12:00:00Z', "
		 "'author': 'a'}",
		 id);
	expect_error(body, (snprintf(msg, sizeof(msg), "item.id: %s", want), msg));
	id[RW_ITEM_ID_MAX] = '\0'; /* the longest id taken */
	snprintf(body, sizeof(body),
		 "{'id': '%s', 'created_at': '2026-11-23T12:00:00Z', "
		 "'author': 'a'}",
		 id);
	free_items(parse_ok(body, 1), 1);
}

Test(push_error, other_string_fields_wrong_type)
{
	expect_error("{'id': '1', 'created_at': '2026-11-23T12:00:00Z', 'author': 'a', 'text': 1}",
		     "item.text: expected a string");
	expect_error("{'id': '1', 'created_at': '2026-11-23T12:00:00Z', 'author': 'a',"
		     " 'url': ['u']}",
		     "item.url: expected a string");
	expect_error("{'id': '1', 'created_at': '2026-11-23T12:00:00Z', 'author': 'a',"
		     " 'conversation_id': 42}",
		     "item.conversation_id: expected a string");
	expect_error("{'id': '1', 'created_at': '2026-11-23T12:00:00Z', 'author': 7}",
		     "item.author: expected a string");
}

/* One byte over the longest string. */
Test(push_error, text_too_long)
{
	size_t len = 65537;
	char *text = malloc(len + 1);
	char *json, err[512];

	memset(text, 'b', len);
	text[len] = '\0';
	cr_assert_neq(asprintf(&json,
			       "[{\"id\":\"1\",\"created_at\":\"2026-11-23T12:00:00Z\","
			       "\"author\":\"a\",\"text\":\"%s\"}]",
			       text),
		      -1);
	parse_fail_raw(json, strlen(json), err, sizeof(err));
	cr_assert_str_eq(err, "items[0].text: longer than 65536 bytes");
	free(json);
	free(text);
}

Test(push_error, invalid_json)
{
	expect_error_prefix("[{'id': '1',", "body: invalid JSON");
	expect_error_prefix("", "body: invalid JSON");
	expect_error_prefix("{'id': '1'} trailing", "body: invalid JSON");
	/* A bare scalar is not an item or an array. */
	expect_error_prefix("42", "body: invalid JSON");
	expect_error_prefix("'just a string'", "body: invalid JSON");
	expect_error_prefix("null", "body: invalid JSON");
	/* Position: line 1, column of the bad token. */
	expect_error_prefix("{'id': }", "body: invalid JSON at line 1 column ");
}

/* Duplicate keys are refused rather than one silently winning. */
Test(push_error, duplicate_keys)
{
	char err[512];
	char *json = rwt_json_quotes("{'id': '1', 'created_at': '2026-11-23T12:00:00Z',"
				     " 'author': 'a', 'author': 'b'}");

	parse_fail_raw(json, strlen(json), err, sizeof(err));
	cr_assert_eq(strncmp(err, "body: invalid JSON", 18), 0, "%s", err);
	cr_assert_not_null(strstr(err, "duplicate"), "%s", err);
	free(json);
}

Test(push_error, empty_array)
{
	expect_error("[]", "body: expected 1 to 10000 items, got 0");
}

/* The count is checked before any item is parsed. */
Test(push_error, too_many_items)
{
	size_t n = RW_PUSH_MAX_ITEMS + 1, len = 0;
	char *body = malloc(3 * n + 2), err[512];

	body[len++] = '[';
	for (size_t i = 0; i < n; i++) {
		if (i)
			body[len++] = ',';
		body[len++] = '{';
		body[len++] = '}';
	}
	body[len++] = ']';
	parse_fail_raw(body, len, err, sizeof(err));
	cr_assert_str_eq(err, "body: expected 1 to 10000 items, got 10001");
	free(body);
}

Test(push_error, non_object_item)
{
	expect_error("[" ITEM("0") ", 'x']", "items[1]: expected an object");
	expect_error("[[]]", "items[0]: expected an object");
	expect_error("[" ITEM("0") ", null]", "items[1]: expected an object");
}

/* The message is cut to errlen, always terminated. */
Test(push_error, short_error_buffer)
{
	char *json = rwt_json_quotes("[{'id': '1', 'created_at': '2026-11-23T12:00:00Z'}]");
	char err[9];

	parse_fail_raw(json, strlen(json), err, sizeof(err));
	cr_assert_str_eq(err, "items[0]");
	free(json);
}

Test(push_times, regression_future_times_are_capped_at_receipt)
{
	/* A client clock an hour fast dated items after their arrival. */
	struct rw_item *items = parse_ok("[{'id': 'm', 'created_at': '2026-11-23T13:00:00Z', "
					 "'author': 'alice'},"
					 "{'id': 'r', 'created_at': '2026-11-23T13:00:00Z', "
					 "'in_reply_to': 'x', 'from_brand': true},"
					 "{'id': 'old', 'created_at': '2026-11-23T11:00:00Z', "
					 "'author': 'bob'}]",
					 3);

	rw_push_cap_times(items, 3, T0);
	cr_assert_eq(items[0].created_at_ms, T0, "a mention is never later than its receipt");
	cr_assert_eq(items[1].created_at_ms, T0, "a reply is never later than its receipt");
	cr_assert_eq(items[2].created_at_ms, T0 - 3600 * 1000, "past times are kept");
	free_items(items, 3);
}

/* Found by fuzz/fuzz_push: a message cut to the buffer could end inside a
 * character of the key it quotes, so it was not UTF-8 and POST /ingest,
 * which answers it in a JSON string (ingest.c's buffer is 300 bytes), gave
 * a 500 instead of the 400 naming the problem. */
Test(push_error, regression_message_cut_inside_a_character_is_utf8)
{
	char err[300], *json, key[600] = "x";

	/* "item.x" then two-byte characters: the cut falls after a first byte. */
	for (int i = 0; i < 200; i++)
		strcat(key, "\xc3\xa9");
	cr_assert_gt(asprintf(&json, "{\"%s\": 1}", key), 0);
	parse_fail_raw(json, strlen(json), err, sizeof(err));
	cr_assert_eq(strncmp(err, "item.x\xc3\xa9", 8), 0, "%s", err);
	cr_assert(rw_utf8_valid(err, strlen(err)), "not UTF-8: %s", err);
	free(json);
}
