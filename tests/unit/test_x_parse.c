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
#include "replywatch/x.h"

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
	expect_error(rw_x_parse_mentions, wrong_data, strlen(wrong_data),
		     "data: expected an array", false);
	for (size_t i = 0; notpage[i] != NULL; i++)
		expect_error(rw_x_parse_mentions, notpage[i], strlen(notpage[i]),
			     "expected \"data\" or \"meta\"", false);
}

/* Posts without an id, an author or a readable time are skipped. */
Test(x_mentions, odd_posts_skipped)
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
	rw_page_clear(&page);
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

Test(x_tweets, errors)
{
	expect_file_error(rw_x_parse_tweets, FIXTURES "errors.json",
			  "API error: Not Found Error: Could not find user with id: [1].");
	expect_error(rw_x_parse_tweets, "{}", 2, "expected \"data\" or \"meta\"", false);
	expect_error(rw_x_parse_tweets, "{\"data\": [", strlen("{\"data\": ["),
		     "malformed JSON at line 1", true);
}
