/*
 * test_x_parse: the X API v2 parsers (x.h) over recorded answers in
 * tests/fixtures/x — the mentions quickstart and conversation_id samples of
 * the X documentation, extended with the brand's own post, a broken time,
 * an author missing from includes, the renamed fields of newer specs
 * (referenced_posts) and an errors array beside the data — and the
 * answers that are not pages. Also runs under ASan.
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
#include "replywatch/page.h"
#include "replywatch/sources/x.h"

#include "rwtest.h"
#include "rwtparse.h"

#define FIXTURES RW_SOURCE_DIR "/tests/fixtures/x/"
#define BRAND "2244994945"

/* Expects failure with exactly want (or, when prefix, a message starting
 * with it) and a zeroed page. */
static void
expect_error(rwt_page_parser *fn, const char *body, size_t len, const char *want, bool prefix)
{
	rwt_parse_fails(fn, body, len, BRAND, want, prefix, 200);
}

static void
expect_file_error(rwt_page_parser *fn, const char *path, const char *want)
{
	size_t len;
	char *body = rwt_slurp(path, &len);

	expect_error(fn, body, len, want, false);
	free(body);
}

/* A mentions page of nposts posts (ids from 1, author ids from 10^9) and
 * nusers users (ids from 2*10^9: none of them an author), as a new string. */
static char *
big_page(size_t nposts, size_t nusers)
{
	size_t cap = (nposts + nusers) * 120 + 64, len = 0;
	char *body = malloc(cap);

	cr_assert_not_null(body);
	len += (size_t)snprintf(body, cap, "{\"data\":[");
	for (size_t i = 1; i <= nposts; i++)
		len += (size_t)snprintf(body + len, cap - len,
					"%s{\"id\":\"%zu\",\"author_id\":\"%zu\","
					"\"created_at\":\"2026-11-23T12:00:00Z\"}",
					i > 1 ? "," : "", i, 1000000000 + i);
	len += (size_t)snprintf(body + len, cap - len, "],\"includes\":{\"users\":[");
	for (size_t i = 1; i <= nusers; i++)
		len += (size_t)snprintf(body + len, cap - len,
					"%s{\"id\":\"%zu\",\"username\":\"u%zu\"}",
					i > 1 ? "," : "", 2000000000 + i, i);
	snprintf(body + len, cap - len, "]},\"meta\":{\"result_count\":%zu}}", nposts);
	return body;
}

/* ---- mentions ---- */

Test(x_mentions, recorded_page)
{
	struct rw_page page;
	const struct rw_item *it;

	rwt_parse_file(rw_x_parse_mentions, FIXTURES "mentions.json", BRAND, &page);
	cr_assert_eq(page.nentries, 5);
	cr_assert_eq(page.nitems, 3);

	/* An author missing from includes: the id, a link without a username. */
	it = &page.items[0];
	cr_assert_str_eq(it->id, "1301540000000000000");
	cr_assert_eq(it->created_at_ms, rwt_utc_ms(2024, 1, 15, 9, 30));
	cr_assert_str_eq(it->author, "99999");
	cr_assert_not(it->has_followers);
	cr_assert_str_eq(it->url, "https://x.com/i/web/status/1301540000000000000");
	cr_assert_eq(it->kind, RW_KIND_MENTION);
	cr_assert_str_eq(it->conversation_id, "1301540000000000000");
	cr_assert_str_eq(it->text, "cc @XDevelopers");

	/* A reply to the brand, with the renamed fields and zero followers. */
	it = &page.items[1];
	cr_assert_str_eq(it->id, "1301550000000000001");
	cr_assert_eq(it->created_at_ms, rwt_utc_ms(2024, 1, 15, 9, 45) + 30123);
	cr_assert_str_eq(it->author, "ThirdPerson333");
	cr_assert(it->has_followers);
	cr_assert_eq(it->author_followers, 0);
	cr_assert_str_eq(it->url, "https://x.com/ThirdPerson333/status/1301550000000000001");
	cr_assert_eq(it->kind, RW_KIND_COMMENT);
	cr_assert_str_eq(it->conversation_id, "1301500000000000000");
	cr_assert_not(it->from_brand);
	cr_assert_null(it->in_reply_to);

	/* The quickstart's post. */
	it = &page.items[2];
	cr_assert_str_eq(it->id, "1301573587187331074");
	cr_assert_eq(it->created_at_ms, rwt_utc_ms(2024, 1, 15, 10, 30));
	cr_assert_str_eq(it->author, "developer");
	cr_assert(it->has_followers);
	cr_assert_eq(it->author_followers, 4200);
	cr_assert_str_eq(it->text, "Hey @XDevelopers, love the new API!");
	cr_assert_str_eq(it->url, "https://x.com/developer/status/1301573587187331074");
	cr_assert_eq(it->kind, RW_KIND_MENTION);
	cr_assert_str_eq(it->conversation_id, "1301573587187331074");
	rw_page_clear(&page);
}

/* meta gives the ids and the next token; the times cover every post whose
 * time reads, the brand's own (skipped) post included. */
Test(x_mentions, watermarks_and_next)
{
	struct rw_page page;

	rwt_parse_file(rw_x_parse_mentions, FIXTURES "mentions.json", BRAND, &page);
	cr_assert_str_eq(page.newest_id, "1301573587187331074");
	cr_assert_str_eq(page.oldest_id, "1301540000000000000");
	cr_assert_eq(page.newest_ms, rwt_utc_ms(2024, 1, 15, 10, 30));
	cr_assert_eq(page.oldest_ms, rwt_utc_ms(2024, 1, 15, 9, 30));
	cr_assert_str_eq(page.next, "t3buvdr5pujq9g7bggsnf3ep2ha28");
	rw_page_clear(&page);
}

/* The conversation_id sample as the mentions of 1102323333: the reply to
 * it is a comment, its own post skipped; meta's oldest_id (a post of the
 * untrimmed answer) wins over the data. */
Test(x_mentions, conversation_sample)
{
	struct rw_page page;

	rwt_parse_file(rw_x_parse_mentions, FIXTURES "conversation.json", "1102323333", &page);
	cr_assert_eq(page.nentries, 2);
	cr_assert_eq(page.nitems, 1);
	cr_assert_str_eq(page.items[0].id, "1280169177479744444");
	cr_assert_eq(page.items[0].kind, RW_KIND_COMMENT);
	cr_assert_str_eq(page.items[0].author, "63044444");
	cr_assert_str_eq(page.items[0].conversation_id, "1279944223114900000");
	cr_assert_eq(page.items[0].created_at_ms, rwt_utc_ms(2020, 7, 6, 15, 58) + 10000);
	cr_assert_str_eq(page.newest_id, "1280169177479744444");
	cr_assert_str_eq(page.oldest_id, "1279945722494811111");
	cr_assert_eq(page.oldest_ms, rwt_utc_ms(2020, 7, 6, 15, 2) + 44000);
	cr_assert_null(page.next);
	rw_page_clear(&page);
}

/* Without ids in meta, the data's ids (compared as numbers) are used. */
Test(x_mentions, ids_from_data_without_meta)
{
	struct rw_page page;

	rwt_parse_ok(rw_x_parse_mentions,
		     "{'data': [{'id': '1000', 'author_id': '1',"
		     "           'created_at': '2026-11-23T12:00:00Z'},"
		     "          {'id': '999', 'author_id': '" BRAND "',"
		     "           'created_at': '2026-11-23T11:00:00Z'}],"
		     " 'meta': {'result_count': 2}}",
		     BRAND, &page);
	cr_assert_eq(page.nitems, 1);
	cr_assert_str_eq(page.newest_id, "1000");
	cr_assert_str_eq(page.oldest_id, "999");
	cr_assert_null(page.next);
	rw_page_clear(&page);
}

Test(x_mentions, empty_page)
{
	struct rw_page page;

	rwt_parse_file(rw_x_parse_mentions, FIXTURES "empty.json", BRAND, &page);
	cr_assert_eq(page.nentries, 0);
	cr_assert_eq(page.nitems, 0);
	cr_assert_null(page.items);
	cr_assert_null(page.newest_id);
	cr_assert_null(page.oldest_id);
	cr_assert_eq(page.newest_ms, 0);
	cr_assert_null(page.next);
	rw_page_clear(&page);
}

Test(x_mentions, errors_only_answer)
{
	static const char v11[] =
		"{\"errors\":[{\"code\":88,\"message\":\"Rate limit exceeded\"}]}";
	static const char empty[] = "{\"title\":\"Unauthorized\",\"errors\":[{}]}";

	expect_file_error(rw_x_parse_mentions, FIXTURES "errors.json",
			  "API error: Not Found Error: Could not find user with id: [1].");
	expect_error(rw_x_parse_mentions, v11, strlen(v11), "API error: Rate limit exceeded",
		     false);
	expect_error(rw_x_parse_mentions, empty, strlen(empty), "API error without a message",
		     false);
}

Test(x_mentions, garbage_bodies)
{
	static const char truncated[] = "{\"data\": [{\"id\": \"1301573587187331074\", \"te";
	static const char wrong_data[] = "{\"data\": {\"id\": \"1\"}}";
	static const char *const notpage[] = {"{}", "{\"includes\": {}}", NULL};

	expect_error(rw_x_parse_mentions, "<html>", 6, "malformed JSON at line 1 column", true);
	expect_error(rw_x_parse_mentions, "", 0, "malformed JSON at line 1 column", true);
	expect_error(rw_x_parse_mentions, truncated, strlen(truncated), "malformed JSON at line 1",
		     true);
	expect_error(rw_x_parse_mentions, "[]", 2, "expected a JSON object", false);
	expect_error(rw_x_parse_mentions, wrong_data, strlen(wrong_data), "data: expected an array",
		     false);
	for (size_t i = 0; notpage[i] != NULL; i++)
		expect_error(rw_x_parse_mentions, notpage[i], strlen(notpage[i]),
			     "expected \"data\" or \"meta\"", false);
}

/* Posts without an id, an author or a readable time are rejected with a
 * reason, oldest first. */
Test(x_mentions, odd_posts_rejected)
{
	struct rw_page page;

	rwt_parse_ok(rw_x_parse_mentions,
		     "{'data': [{'id': '5', 'author_id': '1',"
		     "           'created_at': '2026-11-23T12:00:00Z'},"
		     "          {'author_id': '1', 'created_at': '2026-11-23T12:00:00Z'},"
		     "          {'id': '4', 'created_at': '2026-11-23T12:00:00Z'},"
		     "          {'id': '3', 'author_id': '1'},"
		     "          {'id': 2, 'author_id': '1', 'created_at': '2026-11-23T12:00:00Z'},"
		     "          'junk'],"
		     " 'meta': {'result_count': 6}}",
		     BRAND, &page);
	cr_assert_eq(page.nentries, 6);
	cr_assert_eq(page.nitems, 1);
	cr_assert_str_eq(page.items[0].id, "5");
	cr_assert_null(page.items[0].text);
	cr_assert_null(page.items[0].conversation_id);
	cr_assert_str_eq(page.newest_id, "5");
	cr_assert_str_eq(page.oldest_id, "3");
	cr_assert_eq(page.nrejects, 5);
	rwt_expect_reject(&page, 0, RW_REJECT_WRONG_TYPE, NULL);
	rwt_expect_reject(&page, 1, RW_REJECT_BAD_ID, NULL);
	rwt_expect_reject(&page, 2, RW_REJECT_BAD_TIME, "3");
	rwt_expect_reject(&page, 3, RW_REJECT_BAD_AUTHOR, "4");
	rwt_expect_reject(&page, 4, RW_REJECT_NO_ID, NULL);
	rw_page_clear(&page);
}

/* Ids that are not X's 1 to 19 digits (a ':', a control character, 20
 * digits) never reach a Redis key, a cursor or a reject's id; a bad
 * conversation_id rejects its post; the brand's own post is skipped, not
 * rejected, and meta ids that are no X ids give way to the data's. */
Test(x_mentions, bad_ids_rejected)
{
	struct rw_page page;

	rwt_parse_ok(
		rw_x_parse_mentions,
		"{'data': [{'id': '9', 'author_id': '1', 'created_at': '2026-11-23T12:00:00Z'},"
		" {'id': '1:8', 'author_id': '1', 'created_at': '2026-11-23T12:00:00Z'},"
		" {'id': '7\\u001b', 'author_id': '1', 'created_at': '2026-11-23T12:00:00Z'},"
		" {'id': '12345678901234567890', 'author_id': '1',"
		"  'created_at': '2026-11-23T12:00:00Z'},"
		" {'id': '6', 'author_id': '1', 'created_at': '2026-11-23T12:00:00Z',"
		"  'conversation_id': 'x|y'},"
		" {'id': '5', 'author_id': 'me', 'created_at': '2026-11-23T12:00:00Z'},"
		" {'id': 'brand?', 'author_id': '" BRAND "', 'created_at': '2026-11-23T12:00:00Z'},"
		" {'id': '1234567890123456789', 'author_id': '1',"
		"  'created_at': '2026-11-23T11:00:00Z', 'conversation_id': '3'}],"
		" 'meta': {'newest_id': '9 ', 'oldest_id': '-1', 'result_count': 8}}",
		BRAND, &page);
	cr_assert_eq(page.nentries, 8);
	cr_assert_eq(page.nitems, 2);
	cr_assert_str_eq(page.items[0].id, "1234567890123456789");
	cr_assert_str_eq(page.items[0].conversation_id, "3");
	cr_assert_str_eq(page.items[1].id, "9");
	cr_assert_eq(page.nrejects, 5);
	rwt_expect_reject(&page, 0, RW_REJECT_BAD_AUTHOR, "5");
	rwt_expect_reject(&page, 1, RW_REJECT_BAD_ID, "6");
	for (size_t i = 2; i < 5; i++)
		rwt_expect_reject(&page, i, RW_REJECT_BAD_ID, NULL);
	cr_assert_str_eq(page.newest_id, "1234567890123456789");
	cr_assert_str_eq(page.oldest_id, "5");
	rw_page_clear(&page);
}

/* A next_token that cannot be sent back refuses the page: taking it would
 * end the walk early or poison the stored cursor. */
Test(x_mentions, bad_next_token_refused)
{
	static const char *const bodies[] = {
		"{\"meta\":{\"result_count\":0,\"next_token\":\"a b\"}}",
		"{\"meta\":{\"result_count\":0,\"next_token\":\"a\\r\\nX-Evil: 1\"}}",
		"{\"meta\":{\"result_count\":0,\"next_token\":42}}",
		NULL,
	};

	for (size_t i = 0; bodies[i] != NULL; i++)
		expect_error(rw_x_parse_mentions, bodies[i], strlen(bodies[i]),
			     "meta.next_token: not a paging token", false);
}

/* Authors are found in includes.users through an index, whatever their
 * place in it; the first user of an id wins. */
Test(x_mentions, authors_found_anywhere_in_includes)
{
	struct rw_page page;

	rwt_parse_ok(
		rw_x_parse_mentions,
		"{'data': [{'id': '2', 'author_id': '7', 'created_at': '2026-11-23T12:00:00Z'},"
		" {'id': '1', 'author_id': '5', 'created_at': '2026-11-23T12:00:00Z'}],"
		" 'includes': {'users': [{'id': '7', 'username': 'seven'}, {'id': 6},"
		"  {'username': 'nobody'}, 'junk', {'id': '7', 'username': 'again'},"
		"  {'id': '5', 'username': 'five',"
		"   'public_metrics': {'followers_count': 12}}]},"
		" 'meta': {'result_count': 2}}",
		BRAND, &page);
	cr_assert_eq(page.nitems, 2);
	cr_assert_str_eq(page.items[0].author, "five");
	cr_assert_eq(page.items[0].author_followers, 12);
	cr_assert_str_eq(page.items[1].author, "seven");
	rw_page_clear(&page);
}

/* The page that blocked the event loop for 82 s (40 000 posts whose
 * authors match none of 40 000 users: a scan of every user per post) is
 * refused at once; a page of the most posts and users accepted, every
 * look-up missing, is read, each post under its author id. */
Test(x_mentions, regression_page_of_40000_posts_does_not_stall)
{
	struct rw_page page;
	char *body = big_page(40000, 40000), err[200];

	rwt_parse_refused(rw_x_parse_mentions, body, BRAND,
			  "page too large: 40000 posts (at most 1000)");
	free(body);
	body = big_page(10, RW_PAGE_MAX_ENTRIES + 1);
	rwt_parse_refused(rw_x_parse_mentions, body, BRAND,
			  "page too large: 1001 includes.users (at most 1000)");
	free(body);
	body = big_page(RW_PAGE_MAX_ENTRIES, RW_PAGE_MAX_ENTRIES);
	cr_assert_eq(rw_x_parse_mentions(body, strlen(body), BRAND, &page, err, sizeof(err)), 0,
		     "%s", err);
	cr_assert_eq(page.nitems, RW_PAGE_MAX_ENTRIES);
	cr_assert_str_eq(page.items[0].author, "1000001000");
	cr_assert_str_eq(page.items[0].url, "https://x.com/i/web/status/1000");
	rw_page_clear(&page);
	free(body);
}

/* ---- the brand's posts ---- */

Test(x_tweets, recorded_page)
{
	struct rw_page page;
	const struct rw_item *it;

	rwt_parse_file(rw_x_parse_tweets, FIXTURES "tweets.json", BRAND, &page);
	cr_assert_eq(page.nentries, 4);
	cr_assert_eq(page.nitems, 2);

	/* referenced_posts (renamed), the replied_to after a quoted. */
	it = &page.items[0];
	cr_assert_str_eq(it->id, "1301577000000000007");
	cr_assert_eq(it->created_at_ms, rwt_utc_ms(2024, 1, 15, 10, 40) + 250);
	cr_assert(it->from_brand);
	cr_assert_str_eq(it->in_reply_to, "1301550000000000001");
	cr_assert_str_eq(it->conversation_id, "1301500000000000000");
	cr_assert_str_eq(it->author, "XDevelopers");
	cr_assert_str_eq(it->text, "@ThirdPerson333 We are looking into the 429s, sorry.");
	cr_assert_str_eq(it->url, "https://x.com/XDevelopers/status/1301577000000000007");

	it = &page.items[1];
	cr_assert_str_eq(it->id, "1301580000000000010");
	cr_assert_eq(it->created_at_ms, rwt_utc_ms(2024, 1, 15, 10, 45));
	cr_assert(it->from_brand);
	cr_assert_str_eq(it->in_reply_to, "1301573587187331074");
	cr_assert_str_eq(it->conversation_id, "1301573587187331074");

	cr_assert_str_eq(page.newest_id, "1301580000000000010");
	cr_assert_str_eq(page.oldest_id, "1301577000000000007");
	cr_assert_eq(page.newest_ms, rwt_utc_ms(2024, 1, 15, 10, 45));
	cr_assert_eq(page.oldest_ms, rwt_utc_ms(2024, 1, 15, 10, 40) + 250);
	cr_assert_null(page.next);
	rw_page_clear(&page);
}

/* The conversation sample as 1102323333's timeline: its reply is found,
 * the other author's post is not its own. Without a username in includes
 * the author is the user id. */
Test(x_tweets, conversation_sample)
{
	struct rw_page page;

	rwt_parse_file(rw_x_parse_tweets, FIXTURES "conversation.json", "1102323333", &page);
	cr_assert_eq(page.nitems, 1);
	cr_assert_str_eq(page.items[0].id, "1280155225706433333");
	cr_assert_str_eq(page.items[0].in_reply_to, "1279944223114900000");
	cr_assert_str_eq(page.items[0].author, "1102323333");
	cr_assert_str_eq(page.items[0].url, "https://x.com/i/web/status/1280155225706433333");
	rw_page_clear(&page);
}

/* A brand reply whose replied_to reference has no valid id, or whose time
 * cannot be read, is rejected; posts that reply to nothing are skipped. */
Test(x_tweets, bad_replies_rejected)
{
	struct rw_page page;

	rwt_parse_ok(rw_x_parse_tweets,
		     "{'data': [{'id': '9', 'author_id': '" BRAND "',"
		     "  'created_at': '2026-11-23T12:00:00Z',"
		     "  'referenced_tweets': [{'type': 'replied_to', 'id': '1'}]},"
		     " {'id': '8', 'created_at': '2026-11-23T12:00:00Z',"
		     "  'referenced_tweets': [{'type': 'replied_to', 'id': '1:2'}]},"
		     " {'id': '7', 'created_at': '2026-11-23T12:00:00Z',"
		     "  'referenced_tweets': [{'type': 'replied_to'}]},"
		     " {'id': '6', 'created_at': '2026 11 23',"
		     "  'referenced_tweets': [{'type': 'replied_to', 'id': '1'}]},"
		     " {'id': '5', 'created_at': '2026-11-23T12:00:00Z',"
		     "  'referenced_tweets': [{'type': 'quoted', 'id': '1'}]},"
		     " {'id': '4', 'created_at': '2026-11-23T12:00:00Z'}, 3],"
		     " 'meta': {'result_count': 7}}",
		     BRAND, &page);
	cr_assert_eq(page.nitems, 1);
	cr_assert_str_eq(page.items[0].id, "9");
	cr_assert_eq(page.nrejects, 4);
	rwt_expect_reject(&page, 0, RW_REJECT_WRONG_TYPE, NULL);
	rwt_expect_reject(&page, 1, RW_REJECT_BAD_TIME, "6");
	rwt_expect_reject(&page, 2, RW_REJECT_BAD_ID, "7");
	rwt_expect_reject(&page, 3, RW_REJECT_BAD_ID, "8");
	rw_page_clear(&page);
}

Test(x_tweets, errors)
{
	expect_file_error(rw_x_parse_tweets, FIXTURES "errors.json",
			  "API error: Not Found Error: Could not find user with id: [1].");
	expect_error(rw_x_parse_tweets, "{}", 2, "expected \"data\" or \"meta\"", false);
	expect_error(rw_x_parse_tweets, "{\"data\": [", strlen("{\"data\": ["),
		     "malformed JSON at line 1", true);
}
