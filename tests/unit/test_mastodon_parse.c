/*
 * test_mastodon_parse: the Mastodon parsers (mastodon.h) over recorded
 * answers in tests/fixtures/mastodon — the documentation's notification
 * sample filled in with the real entity fields, plus the entries a real
 * page mixes in (favourites, follows, the brand's own mentions, broken
 * times) — and the page helpers they share (page.h). Also runs under ASan.
 *
 * Inline bodies are written with ' for " (rwt_json_quotes).
 */
#include <criterion/criterion.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "replywatch/config.h"
#include "replywatch/item.h"
#include "replywatch/sources/mastodon.h"
#include "replywatch/page.h"

#include "rwtest.h"
#include "rwtparse.h"

#define FIXTURES RW_SOURCE_DIR "/tests/fixtures/mastodon/"
#define BRAND "14715"

/* Parses len bytes of body, expecting failure with a message starting with
 * want and a zeroed page. */
static void
expect_error(rwt_page_parser *fn, const char *body, size_t len, const char *want)
{
	rwt_parse_fails(fn, body, len, BRAND, want, true, 160);
}

/* A mention notification NID at 12:00 of status SID (JSON) created at
 * CREATED (JSON) in reply to REPLY (JSON), by account 1. */
#define MENTION(nid, sid, created, reply)                                                          \
	" {'id': '" nid "', 'type': 'mention', 'created_at': '2026-11-23T12:00:00Z',"              \
	"  'account': {'id': '1', 'acct': 'a'},"                                                   \
	"  'status': {'id': " sid ", 'created_at': " created ", 'in_reply_to_id': " reply "}}"
#define LONG65 "12345678901234567890123456789012345678901234567890123456789012345"

/* A JSON array of n mentions (ids 1..n), as a new string. */
static char *
big_mentions(size_t n)
{
	size_t cap = n * 200 + 16, len = 0;
	char *body = malloc(cap);

	cr_assert_not_null(body);
	body[len++] = '[';
	for (size_t i = 1; i <= n; i++)
		len += (size_t)snprintf(body + len, cap - len,
					"%s{\"id\":\"%zu\",\"type\":\"mention\","
					"\"account\":{\"id\":\"1\",\"acct\":\"a\"},"
					"\"status\":{\"id\":\"%zu\","
					"\"created_at\":\"2026-11-23T12:00:00Z\"}}",
					i > 1 ? "," : "", i, i);
	body[len++] = ']';
	body[len] = '\0';
	return body;
}

/* ---- notifications ---- */

/* The recorded page: two mentions kept out of seven entries, oldest first,
 * every field mapped. */
Test(mastodon_notifications, recorded_page)
{
	struct rw_page page;
	const struct rw_item *it;

	rwt_parse_file(rw_mastodon_parse_notifications, FIXTURES "notifications.json", BRAND,
		       &page);
	cr_assert_eq(page.nentries, 7);
	cr_assert_eq(page.nitems, 3);
	/* The mention without a status cannot be used. */
	cr_assert_eq(page.nrejects, 1);
	rwt_expect_reject(&page, 0, RW_REJECT_WRONG_TYPE, NULL);

	/* The documentation's sample: a reply to one of the brand's statuses. */
	it = &page.items[0];
	cr_assert_str_eq(it->id, "103186126728896492");
	cr_assert_eq(it->created_at_ms, rwt_utc_ms(2019, 11, 23, 7, 49) + 1940);
	cr_assert_str_eq(it->author, "zsc");
	cr_assert(it->has_followers);
	cr_assert_eq(it->author_followers, 72);
	cr_assert_str_eq(it->text, "@trwnh sup!");
	cr_assert_str_eq(it->url, "https://mastodon.social/@zsc/103186126728896492");
	cr_assert_eq(it->kind, RW_KIND_COMMENT);
	cr_assert_str_eq(it->conversation_id, "103186038209478945");
	cr_assert_not(it->from_brand);
	cr_assert_null(it->in_reply_to);

	/* A status time that cannot be read: the time the brand's server
	 * recorded the notification. */
	it = &page.items[1];
	cr_assert_str_eq(it->id, "103186150000000000");
	cr_assert_eq(it->created_at_ms, rwt_utc_ms(2019, 11, 23, 7, 58));
	cr_assert_str_eq(it->author, "carol");

	/* A new thread from a remote account: spoiler first, url null so the uri. */
	it = &page.items[2];
	cr_assert_str_eq(it->id, "103186300000000001");
	cr_assert_eq(it->created_at_ms, rwt_utc_ms(2019, 11, 23, 8, 9) + 59250);
	cr_assert_str_eq(it->author, "alice@example.org");
	cr_assert_eq(it->author_followers, 1200);
	cr_assert_str_eq(it->text,
			 "Order 1234\n\n@trwnh where is my order?\n\nStill waiting & no email");
	cr_assert_str_eq(it->url, "https://example.org/users/alice/statuses/103186300000000001");
	cr_assert_eq(it->kind, RW_KIND_MENTION);
	cr_assert_str_eq(it->conversation_id, "103186300000000001");
	rw_page_clear(&page);
}

/* Watermarks cover every notification, the skipped ones included: the
 * favourite is the second newest, the follow the oldest. An unreadable
 * notification time counts for the id only. */
Test(mastodon_notifications, watermarks_include_skipped)
{
	struct rw_page page;

	rwt_parse_file(rw_mastodon_parse_notifications, FIXTURES "notifications.json", BRAND,
		       &page);
	cr_assert_str_eq(page.newest_id, "34976010");
	cr_assert_str_eq(page.oldest_id, "34975535");
	cr_assert_eq(page.newest_ms, rwt_utc_ms(2019, 11, 23, 8, 10) + 321);
	cr_assert_eq(page.oldest_ms, rwt_utc_ms(2019, 11, 23, 7, 29) + 18903);
	cr_assert_null(page.next);
	rw_page_clear(&page);
}

/* A page of nothing but skipped entries still moves the cursor. */
Test(mastodon_notifications, nothing_kept_still_watermarks)
{
	struct rw_page page;

	rwt_parse_ok(rw_mastodon_parse_notifications,
		     "[{'id': '501', 'type': 'favourite', 'created_at': '2026-11-23T12:00:00Z'},"
		     " {'id': '500', 'type': 'follow', 'created_at': '2026-11-23T11:59:00.5Z'}]",
		     BRAND, &page);
	cr_assert_eq(page.nentries, 2);
	cr_assert_eq(page.nitems, 0);
	cr_assert_null(page.items);
	cr_assert_str_eq(page.newest_id, "501");
	cr_assert_str_eq(page.oldest_id, "500");
	cr_assert_eq(page.newest_ms, rwt_utc_ms(2026, 11, 23, 12, 0));
	cr_assert_eq(page.oldest_ms, rwt_utc_ms(2026, 11, 23, 11, 59) + 500);
	rw_page_clear(&page);
}

/* Ids compare as numbers kept in strings (length first), whatever the
 * list order: "99999999" is older than "100000001". */
Test(mastodon_notifications, ids_compare_by_length)
{
	struct rw_page page;

	rwt_parse_ok(rw_mastodon_parse_notifications,
		     "[{'id': '99999999', 'type': 'follow', 'created_at': '2026-11-23T12:00:00Z'},"
		     " {'id': '100000001', 'type': 'follow', 'created_at': '2026-11-23T12:01:00Z'},"
		     " {'id': '100000000', 'type': 'follow',"
		     "  'created_at': '2026-11-23T11:00:00Z'}]",
		     BRAND, &page);
	cr_assert_str_eq(page.newest_id, "100000001");
	cr_assert_str_eq(page.oldest_id, "99999999");
	cr_assert_eq(page.newest_ms, rwt_utc_ms(2026, 11, 23, 12, 1));
	cr_assert_eq(page.oldest_ms, rwt_utc_ms(2026, 11, 23, 11, 0));
	rw_page_clear(&page);
}

/* Entries that are not objects, or lack a usable status or author, are
 * rejected with a reason, oldest first, named by their status id when it
 * is valid; the rest of the page is kept. */
Test(mastodon_notifications, odd_entries_rejected)
{
	struct rw_page page;

	rwt_parse_ok(rw_mastodon_parse_notifications,
		     "[{'id': '9', 'type': 'mention', 'created_at': '2026-11-23T12:00:00Z',"
		     "  'account': {'id': '1', 'acct': 'a'},"
		     "  'status': {'id': '90', 'created_at': '2026-11-23T12:00:00.999+01:00',"
		     "   'content': '<p>hi</p>', 'spoiler_text': '', 'account': {'id': '1'}}},"
		     " 7, null, 'x', [],"
		     " {'type': 'mention',"
		     "  'status': {'id': '80', 'created_at': '2026-11-23T12:00:00Z'}},"
		     " {'id': 8, 'type': 'mention'},"
		     " {'id': '6', 'type': 'mention', 'account': {'id': '1', 'acct': 'a'},"
		     "  'status': {'created_at': '2026-11-23T12:00:00Z'}},"
		     " {'id': '5', 'type': 'mention', 'account': {'id': '2'},"
		     "  'status': {'id': '50', 'created_at': '2026-11-23T12:00:00Z'}}]",
		     BRAND, &page);
	cr_assert_eq(page.nentries, 9);
	cr_assert_eq(page.nitems, 1);
	cr_assert_str_eq(page.items[0].id, "90");
	cr_assert_eq(page.items[0].created_at_ms, rwt_utc_ms(2026, 11, 23, 11, 0) + 999);
	cr_assert_str_eq(page.items[0].author, "a");
	cr_assert_str_eq(page.items[0].text, "hi");
	cr_assert_null(page.items[0].url);
	cr_assert_not(page.items[0].has_followers);
	cr_assert_str_eq(page.newest_id, "9");
	cr_assert_str_eq(page.oldest_id, "5");
	cr_assert_eq(page.nrejects, 8);
	rwt_expect_reject(&page, 0, RW_REJECT_BAD_AUTHOR, "50");
	rwt_expect_reject(&page, 1, RW_REJECT_NO_ID, NULL);
	rwt_expect_reject(&page, 2, RW_REJECT_WRONG_TYPE, NULL);
	rwt_expect_reject(&page, 3, RW_REJECT_BAD_AUTHOR, "80");
	for (size_t i = 4; i < 8; i++)
		rwt_expect_reject(&page, i, RW_REJECT_WRONG_TYPE, NULL);
	rw_page_clear(&page);
}

/* Each kind of unusable mention is rejected with its reason; the good
 * ones around them are kept, and what is not a mention of the brand (a
 * favourite, the brand's own status) is skipped, not rejected. An id that
 * is not of Mastodon's format (a ':' or a control character would end up
 * in a Redis key or a log line) is never the reject's id either. */
Test(mastodon_notifications, each_kind_of_bad_entry_rejected)
{
	/* clang-format off */
	static const char body[] = "["
		MENTION("20", "'200'", "'2026-11-23T12:00:00Z'", "null") ","
		" {'id': '19', 'type': 'favourite', 'created_at': '2026-11-23T12:00:00Z'},"
		" {'id': '18', 'type': 'mention', 'created_at': '2026-11-23T12:00:00Z',"
		"  'account': {'id': '" BRAND "', 'acct': 'brand'},"
		"  'status': {'id': '180', 'created_at': '2026-11-23T12:00:00Z'}},"
		MENTION("17", "'1:70'", "'2026-11-23T12:00:00Z'", "null") ","
		MENTION("16", "'16\\u000a0'", "'2026-11-23T12:00:00Z'", "null") ","
		MENTION("15", "150", "'2026-11-23T12:00:00Z'", "null") ","
		MENTION("14", "'" LONG65 "'", "'2026-11-23T12:00:00Z'", "null") ","
		MENTION("13", "'130'", "'2026-11-23T12:00:00Z'", "'a|b'") ","
		MENTION("12", "'120'", "'2026-11-23T12:00:00Z'", "12") ","
		" {'id': '11', 'type': 'mention', 'created_at': 'soon',"
		"  'account': {'id': '1', 'acct': 'a'},"
		"  'status': {'id': '110', 'created_at': 'yesterday'}},"
		" {'id': '10', 'type': 7, 'created_at': '2026-11-23T12:00:00Z'},"
		" {'id': '9', 'type': 'mention', 'created_at': '2026-11-23T12:00:00Z',"
		"  'account': {'id': '1', 'acct': 'a'}, 'status': 'gone'},"
		MENTION("8", "'80'", "'2026-11-23T11:00:00Z'", "'70'") "]";
	/* clang-format on */
	struct rw_page page;

	rwt_parse_ok(rw_mastodon_parse_notifications, body, BRAND, &page);
	cr_assert_eq(page.nentries, 13);
	cr_assert_eq(page.nitems, 2);
	cr_assert_str_eq(page.items[0].id, "80");
	cr_assert_str_eq(page.items[0].conversation_id, "70");
	cr_assert_str_eq(page.items[1].id, "200");
	cr_assert_eq(page.nrejects, 9);
	rwt_expect_reject(&page, 0, RW_REJECT_WRONG_TYPE, NULL); /* status not an object */
	rwt_expect_reject(&page, 1, RW_REJECT_WRONG_TYPE, NULL); /* type not a string */
	rwt_expect_reject(&page, 2, RW_REJECT_BAD_TIME, "110");
	rwt_expect_reject(&page, 3, RW_REJECT_BAD_ID, "120"); /* in_reply_to_id a number */
	rwt_expect_reject(&page, 4, RW_REJECT_BAD_ID, "130");
	rwt_expect_reject(&page, 5, RW_REJECT_BAD_ID, NULL); /* 65 characters */
	rwt_expect_reject(&page, 6, RW_REJECT_BAD_ID, NULL); /* a number */
	rwt_expect_reject(&page, 7, RW_REJECT_BAD_ID, NULL); /* a newline inside */
	rwt_expect_reject(&page, 8, RW_REJECT_BAD_ID, NULL); /* a ':' */
	rw_page_clear(&page);
}

/* A remote server sets its statuses' created_at: one whose clock runs
 * hours fast must not delay the warning and the breach by those hours. The
 * item's time is never later than when the brand's own server recorded
 * the notification; a normal status, a little earlier, keeps its time. */
Test(mastodon_notifications, regression_future_dated_status_gets_notification_time)
{
	/* clang-format off */
	static const char body[] = "["
		MENTION("2", "'20'", "'2026-11-23T15:00:00Z'", "null") ","
		MENTION("1", "'10'", "'2026-11-23T11:59:59.250Z'", "null") "]";
	/* clang-format on */
	struct rw_page page;

	rwt_parse_ok(rw_mastodon_parse_notifications, body, BRAND, &page);
	cr_assert_eq(page.nitems, 2);
	cr_assert_str_eq(page.items[0].id, "10");
	cr_assert_eq(page.items[0].created_at_ms, rwt_utc_ms(2026, 11, 23, 11, 59) + 59250);
	cr_assert_str_eq(page.items[1].id, "20");
	cr_assert_eq(page.items[1].created_at_ms, rwt_utc_ms(2026, 11, 23, 12, 0));
	rw_page_clear(&page);
}

/* A page longer than RW_PAGE_MAX_ENTRIES is refused whole (the poller asks
 * again from the same cursor: nothing is lost); one of exactly that many is
 * read. */
Test(mastodon_notifications, page_too_large_refused)
{
	struct rw_page page;
	char *body = big_mentions(RW_PAGE_MAX_ENTRIES + 1);
	char err[200];

	rwt_parse_refused(rw_mastodon_parse_notifications, body, BRAND,
			  "page too large: 1001 entries (at most 1000)");
	free(body);
	body = big_mentions(RW_PAGE_MAX_ENTRIES);
	cr_assert_eq(
		rw_mastodon_parse_notifications(body, strlen(body), BRAND, &page, err, sizeof(err)),
		0, "%s", err);
	cr_assert_eq(page.nentries, RW_PAGE_MAX_ENTRIES);
	cr_assert_eq(page.nitems, RW_PAGE_MAX_ENTRIES);
	rw_page_clear(&page);
	free(body);
}

/* A spoiler without content is the whole text; no content and no spoiler
 * is no text. */
Test(mastodon_notifications, spoiler_only_and_no_text)
{
	struct rw_page page;

	rwt_parse_ok(rw_mastodon_parse_notifications,
		     "[{'id': '2', 'type': 'mention', 'account': {'id': '1', 'acct': 'a'},"
		     "  'status': {'id': '20', 'created_at': '2026-11-23T12:00:00Z',"
		     "   'spoiler_text': 'cw: rant', 'content': ''}},"
		     " {'id': '1', 'type': 'mention', 'account': {'id': '1', 'acct': 'a'},"
		     "  'status': {'id': '10', 'created_at': '2026-11-23T12:00:00Z'}}]",
		     BRAND, &page);
	cr_assert_eq(page.nitems, 2);
	cr_assert_null(page.items[0].text);
	cr_assert_str_eq(page.items[1].text, "cw: rant");
	rw_page_clear(&page);
}

Test(mastodon_notifications, empty_array)
{
	struct rw_page page;

	rwt_parse_ok(rw_mastodon_parse_notifications, "[]", BRAND, &page);
	cr_assert_eq(page.nentries, 0);
	cr_assert_eq(page.nitems, 0);
	cr_assert_null(page.newest_id);
	cr_assert_null(page.oldest_id);
	cr_assert_eq(page.newest_ms, 0);
	cr_assert_eq(page.oldest_ms, 0);
	rw_page_clear(&page);
}

Test(mastodon_notifications, garbage_bodies)
{
	static const char truncated[] = "[{\"id\": \"34975861\", \"type\": \"ment";
	static const char unauthorized[] = "{\"error\": \"The access token is invalid\"}";
	char *long_token = malloc(600);

	expect_error(rw_mastodon_parse_notifications, "<html>", 6,
		     "malformed JSON at line 1 column");
	expect_error(rw_mastodon_parse_notifications, "", 0, "malformed JSON at line 1 column");
	expect_error(rw_mastodon_parse_notifications, NULL, 0, "malformed JSON at line 1 column");
	expect_error(rw_mastodon_parse_notifications, truncated, strlen(truncated),
		     "malformed JSON at line 1 column");
	expect_error(rw_mastodon_parse_notifications, "{}", 2, "expected a JSON array");
	expect_error(rw_mastodon_parse_notifications, unauthorized, strlen(unauthorized),
		     "expected a JSON array");
	/* The message quotes at most a little of the body. */
	cr_assert_not_null(long_token);
	memset(long_token, 'a', 599);
	long_token[0] = '[';
	long_token[1] = '"';
	long_token[599] = '\0';
	expect_error(rw_mastodon_parse_notifications, long_token, 599, "malformed JSON at line 1");
	free(long_token);
}

/* Only len bytes are read. */
Test(mastodon_notifications, body_not_terminated)
{
	struct rw_page page;
	const char body[] = "[]garbage";

	cr_assert_eq(rw_mastodon_parse_notifications(body, 2, BRAND, &page, NULL, 0), 0);
	cr_assert_eq(page.nentries, 0);
	rw_page_clear(&page);
}

/* ---- the brand's statuses ---- */

Test(mastodon_statuses, recorded_page)
{
	struct rw_page page;
	const struct rw_item *it;

	rwt_parse_file(rw_mastodon_parse_statuses, FIXTURES "statuses.json", BRAND, &page);
	cr_assert_eq(page.nentries, 5);
	cr_assert_eq(page.nitems, 2);

	it = &page.items[0];
	cr_assert_str_eq(it->id, "103186130000000001");
	cr_assert_eq(it->created_at_ms, rwt_utc_ms(2019, 11, 23, 7, 55) + 30123);
	cr_assert(it->from_brand);
	cr_assert_str_eq(it->in_reply_to, "103186126728896492");
	cr_assert_str_eq(it->author, "trwnh");
	cr_assert_str_eq(it->text, "@zsc hey!\nWhat's up?");
	cr_assert_str_eq(it->url, "https://mastodon.social/@trwnh/103186130000000001");

	it = &page.items[1];
	cr_assert_str_eq(it->id, "103186400000000005");
	cr_assert_eq(it->created_at_ms, rwt_utc_ms(2019, 11, 23, 8, 20));
	cr_assert(it->from_brand);
	cr_assert_str_eq(it->in_reply_to, "103186300000000001");
	cr_assert_str_eq(it->text, "@alice sorry! Checking order 1234 now.");

	/* The reblog, the top-level post and the broken time count here. */
	cr_assert_str_eq(page.newest_id, "103186400000000005");
	cr_assert_str_eq(page.oldest_id, "103186130000000001");
	cr_assert_eq(page.newest_ms, rwt_utc_ms(2019, 11, 23, 8, 20));
	cr_assert_eq(page.oldest_ms, rwt_utc_ms(2019, 11, 23, 7, 55) + 30123);
	cr_assert_null(page.next);
	rw_page_clear(&page);
}

/* Statuses by another account are not the brand's replies; without an
 * acct the author is the brand's id. */
Test(mastodon_statuses, other_accounts_and_no_acct)
{
	struct rw_page page;

	rwt_parse_ok(rw_mastodon_parse_statuses,
		     "[{'id': '2', 'created_at': '2026-11-23T12:00:00Z', 'in_reply_to_id': '1',"
		     "  'account': {'id': '999', 'acct': 'someone'}},"
		     " {'id': '3', 'created_at': '2026-11-23T12:00:00Z', 'in_reply_to_id': '1',"
		     "  'reblog': null, 'account': {'id': '" BRAND "'}}]",
		     BRAND, &page);
	cr_assert_eq(page.nitems, 1);
	cr_assert_str_eq(page.items[0].id, "3");
	cr_assert_str_eq(page.items[0].author, BRAND);
	cr_assert_str_eq(page.items[0].in_reply_to, "1");
	rw_page_clear(&page);
}

/* The brand's replies that cannot be used are rejected; reblogs, statuses
 * that reply to nothing and another account's are skipped. */
Test(mastodon_statuses, each_kind_of_bad_reply_rejected)
{
	struct rw_page page;

	rwt_parse_ok(
		rw_mastodon_parse_statuses,
		"[{'id': '9', 'created_at': '2026-11-23T12:00:00Z', 'in_reply_to_id': '1',"
		"  'account': {'id': '" BRAND "'}},"
		" {'id': '8', 'created_at': '2026-11-23T12:00:00Z', 'in_reply_to_id': '1',"
		"  'reblog': {'id': '2'}, 'account': {'id': '" BRAND "'}},"
		" {'id': '7', 'created_at': '2026-11-23T12:00:00Z', 'in_reply_to_id': null,"
		"  'account': {'id': '" BRAND "'}},"
		" {'id': '6', 'created_at': '2026-11-23T12:00:00Z', 'in_reply_to_id': '1',"
		"  'account': {'id': '999'}},"
		" {'id': '5', 'created_at': '2026-11-23T12:00:00Z', 'in_reply_to_id': '1'},"
		" {'id': '4', 'created_at': '2026-11-23T12:00:00Z', 'in_reply_to_id': '1\\u0007',"
		"  'account': {'id': '" BRAND "'}},"
		" {'id': '3', 'in_reply_to_id': '1', 'account': {'id': '" BRAND "'}},"
		" {'id': '2/..', 'created_at': '2026-11-23T12:00:00Z', 'in_reply_to_id': '1',"
		"  'account': {'id': '" BRAND "'}},"
		" {'created_at': '2026-11-23T12:00:00Z', 'in_reply_to_id': '1',"
		"  'account': {'id': '" BRAND "'}},"
		" true]",
		BRAND, &page);
	cr_assert_eq(page.nentries, 10);
	cr_assert_eq(page.nitems, 1);
	cr_assert_str_eq(page.items[0].id, "9");
	cr_assert_eq(page.nrejects, 6);
	rwt_expect_reject(&page, 0, RW_REJECT_WRONG_TYPE, NULL);
	rwt_expect_reject(&page, 1, RW_REJECT_NO_ID, NULL);
	rwt_expect_reject(&page, 2, RW_REJECT_BAD_ID, NULL);
	rwt_expect_reject(&page, 3, RW_REJECT_BAD_TIME, "3");
	rwt_expect_reject(&page, 4, RW_REJECT_BAD_ID,
			  "4"); /* a control character in in_reply_to_id */
	rwt_expect_reject(&page, 5, RW_REJECT_BAD_AUTHOR, "5");
	/* Only ids of Mastodon's format become cursors. */
	cr_assert_str_eq(page.newest_id, "9");
	cr_assert_str_eq(page.oldest_id, "3");
	rw_page_clear(&page);
}

Test(mastodon_statuses, garbage_bodies)
{
	static const char html[] = "<html><body>502 Bad Gateway</body></html>";

	expect_error(rw_mastodon_parse_statuses, html, strlen(html),
		     "malformed JSON at line 1 column");
	expect_error(rw_mastodon_parse_statuses, "{}", 2, "expected a JSON array");
	expect_error(rw_mastodon_parse_statuses, "[{\"id\": \"1\"", 11, "malformed JSON");
}

/* ---- verify_credentials ---- */

Test(mastodon_account, recorded)
{
	size_t len;
	char *body = rwt_slurp(FIXTURES "account.json", &len);
	char *id = NULL, *acct = NULL, err[256] = "";

	cr_assert_eq(rw_mastodon_parse_account(body, len, &id, &acct, err, sizeof(err)), 0, "%s",
		     err);
	cr_assert_str_eq(id, "14715");
	cr_assert_str_eq(acct, "trwnh");
	free(id);
	free(acct);
	free(body);
}

Test(mastodon_account, errors)
{
	static const struct {
		const char *body, *want;
	} cases[] = {
		{"", "malformed JSON at line 1 column"},
		{"<html>", "malformed JSON at line 1 column"},
		{"[]", "expected a JSON object"},
		{"{\"acct\": \"trwnh\"}", "account: no id"},
		{"{\"id\": 14715, \"acct\": \"trwnh\"}", "account: no id"},
		{"{\"id\": \"14715\"}", "account: no acct"},
		/* The id goes into request paths, the acct into log lines. */
		{"{\"id\": \"../14715\", \"acct\": \"trwnh\"}", "account: bad id"},
		{"{\"id\": \"14715\", \"acct\": \"trwnh\\u001b[31m\"}", "account: bad acct"},
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *id = (char *)"x", *acct = (char *)"x", err[256] = "";

		cr_assert_eq(rw_mastodon_parse_account(cases[i].body, strlen(cases[i].body), &id,
						       &acct, err, sizeof(err)),
			     -1, "%s accepted", cases[i].body);
		cr_assert_null(id);
		cr_assert_null(acct);
		cr_assert_eq(strncmp(err, cases[i].want, strlen(cases[i].want)), 0,
			     "%s: got \"%s\"", cases[i].body, err);
	}
}

/* ---- page helpers ---- */

Test(page, id_compare)
{
	cr_assert_lt(rw_id_compare("9", "10"), 0);
	cr_assert_gt(rw_id_compare("10", "9"), 0);
	cr_assert_eq(rw_id_compare("103186126728896492", "103186126728896492"), 0);
	cr_assert_lt(rw_id_compare("103186126728896491", "103186126728896492"), 0);
	cr_assert_gt(rw_id_compare("1301573587187331074", "999999999999999999"), 0);
	cr_assert_lt(rw_id_compare("", "0"), 0);
}

Test(page, take_items_and_clear)
{
	struct rw_page a = {0}, b = {0};

	rwt_parse_ok(rw_mastodon_parse_statuses,
		     "[{'id': '2', 'created_at': '2026-11-23T12:00:00Z', 'in_reply_to_id': '1',"
		     "  'account': {'id': '" BRAND "'}}]",
		     BRAND, &a);
	rwt_parse_ok(rw_mastodon_parse_statuses,
		     "[{'id': '4', 'created_at': '2026-11-23T12:00:00Z', 'in_reply_to_id': '3',"
		     "  'account': {'id': '" BRAND "'}},"
		     " {'id': '3', 'created_at': '2026-11-23T12:00:00Z', 'in_reply_to_id': '1',"
		     "  'account': {'id': '" BRAND "'}}]",
		     BRAND, &b);
	cr_assert_eq(rw_page_take_items(&a, &b), 0);
	cr_assert_eq(a.nitems, 3);
	cr_assert_eq(b.nitems, 0);
	cr_assert_str_eq(a.items[0].id, "2");
	cr_assert_str_eq(a.items[1].id, "3");
	cr_assert_str_eq(a.items[2].id, "4");
	/* b keeps its watermarks. */
	cr_assert_str_eq(b.newest_id, "4");
	cr_assert_eq(rw_page_take_items(&a, &b), 0);
	cr_assert_eq(a.nitems, 3);
	rw_page_clear(&a);
	rw_page_clear(&b);
	rw_page_clear(&b);
	rw_page_clear(NULL);
}
