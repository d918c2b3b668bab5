/*
 * test_google_play_parse: the Google Play reviews parsers
 * (sources/google_play.h) over the documented sample
 * (tests/fixtures/google_play/reviews.json, platforms.md 9.4: its first
 * review verbatim from Google's docs, lastModified.seconds as strings), a
 * hostile page (hostile.json: seconds as a number, 9-digit nanos, an
 * anonymous reviewer, no text, and every kind of bad entry), a single
 * review, Play's Timestamp objects, the id rule and the page bound; and a
 * recorded 401 in Google's envelope.
 *
 * Inline bodies are written with ' for " (rwt_json_quotes).
 */
#include <criterion/criterion.h>
#include <jansson.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "replywatch/clock.h"
#include "replywatch/config.h"
#include "replywatch/item.h"
#include "replywatch/page.h"
#include "replywatch/sources/google_error.h"
#include "replywatch/sources/google_play.h"
#include "replywatch/sources/review.h"

#include "rwtest.h"
#include "rwtparse.h"

#define FIXTURES RW_SOURCE_DIR "/tests/fixtures/google_play/"

static int
list(const char *body, size_t len, const char *brand, struct rw_page *page, char *err,
     size_t errlen)
{
	(void)brand;
	return rw_google_play_parse_reviews(body, len, page, err, errlen);
}

static int
one(const char *body, size_t len, const char *brand, struct rw_page *page, char *err, size_t errlen)
{
	(void)brand;
	return rw_google_play_parse_review(body, len, page, err, errlen);
}

static void
expect_error(rwt_page_parser *fn, const char *body, const char *want)
{
	rwt_parse_fails(fn, body, strlen(body), NULL, want, true, 160);
}

/* A review item: these platforms give no link to a review. */
static void
expect_review(const struct rw_item *it, const char *id, int64_t ms, const char *author, int rating,
	      const char *text)
{
	rwt_expect_review(it, id, ms, author, rating, text);
	cr_assert_null(it->url);
}

/* ---- the documented sample ---- */

Test(google_play_reviews, documented_page)
{
	struct rw_page page;

	rwt_parse_file(list, FIXTURES "reviews.json", NULL, &page);
	cr_assert_eq(page.nentries, 2);
	cr_assert_eq(page.nitems, 3);
	cr_assert_eq(page.nrejects, 0);
	/* lastModified {seconds: "…", nanos} is the time (Play has no
	 * creation time); nanos are cut to ms. */
	expect_review(&page.items[0], "11223344", INT64_C(141582134213), "John Doe", 5,
		      "I love using this app!");
	rwt_expect_reply(&page.items[1], "11223344", INT64_C(1423101467813),
			 "That's great to hear!");
	expect_review(&page.items[2], "12345678", INT64_C(1443676826713), "Jane Bloggs", 5,
		      "This is the best app ever!");
	cr_assert_str_eq(page.newest_id, "12345678");
	cr_assert_str_eq(page.oldest_id, "11223344");
	cr_assert_eq(page.newest_ms, INT64_C(1443676826713));
	cr_assert_eq(page.oldest_ms, INT64_C(141582134213));
	cr_assert_str_eq(page.next, "12334566");
	rw_page_clear(&page);
}

/* ---- hostile answers ---- */

Test(google_play_reviews, hostile_page)
{
	struct rw_page page;

	rwt_parse_file(list, FIXTURES "hostile.json", NULL, &page);
	cr_assert_eq(page.nentries, 17);
	cr_assert_eq(page.nitems, 4);
	/* A reply whose lastModified.seconds is negative is rejected; its
	 * review stays. */
	expect_review(&page.items[0], "gp:AOqpTOpending", INT64_C(1777630000000),
		      "A gp:AOqpTOpending", 3, "t gp:AOqpTOpending");
	/* No authorName, no text. */
	expect_review(&page.items[1], "gp:AOqpTOanon", INT64_C(1777630000000), RW_REVIEW_ANONYMOUS,
		      3, NULL);
	/* seconds as a JSON number, nanos 999999999; the reply's nanos absent. */
	expect_review(&page.items[2], "gp:AOqpTOEnumber", INT64_C(1777640000999),
		      "A gp:AOqpTOEnumber", 3, "t gp:AOqpTOEnumber");
	rwt_expect_reply(&page.items[3], "gp:AOqpTOEnumber", INT64_C(1777643600000), "Thanks!");

	cr_assert_eq(page.nrejects, 15);
	rwt_expect_reject(&page, 0, RW_REJECT_WRONG_TYPE, NULL);
	rwt_expect_reject(&page, 1, RW_REJECT_WRONG_TYPE, "gp:commentNotObject");
	rwt_expect_reject(&page, 2, RW_REJECT_WRONG_TYPE, "gp:commentsObject");
	rwt_expect_reject(&page, 3, RW_REJECT_WRONG_TYPE, "gp:noUser");
	rwt_expect_reject(&page, 4, RW_REJECT_WRONG_TYPE, "gp:badText");
	rwt_expect_reject(&page, 5, RW_REJECT_BAD_AUTHOR, "gp:badAuthor");
	rwt_expect_reject(&page, 6, RW_REJECT_BAD_RATING, "gp:stringStars");
	rwt_expect_reject(&page, 7, RW_REJECT_BAD_RATING, "gp:zeroStars");
	rwt_expect_reject(&page, 8, RW_REJECT_BAD_TIME, "gp:nanosString");
	rwt_expect_reject(&page, 9, RW_REJECT_BAD_TIME, "gp:float");
	rwt_expect_reject(&page, 10, RW_REJECT_BAD_TIME, "gp:absurd");
	rwt_expect_reject(&page, 11, RW_REJECT_BAD_TIME, "gp:negative");
	rwt_expect_reject(&page, 12, RW_REJECT_BAD_ID, NULL); /* 303 bytes */
	rwt_expect_reject(&page, 13, RW_REJECT_BAD_ID, NULL); /* a space */
	rwt_expect_reject(&page, 14, RW_REJECT_BAD_TIME, "gp:AOqpTOpending/reply");

	cr_assert_str_eq(page.newest_id, "gp:AOqpTOEnumber");
	cr_assert_str_eq(page.oldest_id, "gp:commentNotObject");
	cr_assert_eq(page.newest_ms, INT64_C(1777640000999));
	cr_assert_eq(page.oldest_ms, INT64_C(1777630000000));
	cr_assert_str_eq(page.next, "Ci0KKxIpCiVnLm5leHQ=");
	rw_page_clear(&page);
}

/* Ratings are the integers 1..5 of the user comment. */
Test(google_play_reviews, star_ratings)
{
	static const char *const bad[] = {"0", "6", "-1", "'5'", "4.0", "null", "true", "[5]"};

	for (int i = 1; i <= 5; i++) {
		char body[512];
		struct rw_page page;

		snprintf(body, sizeof(body),
			 "{'reviews': [{'reviewId': 'r1', 'comments': [{'userComment': {"
			 " 'starRating': %d, 'lastModified': {'seconds': '1777630000'}}}]}]}",
			 i);
		rwt_parse_ok(list, body, NULL, &page);
		cr_assert_eq(page.nitems, 1);
		cr_assert_eq(page.items[0].rating, i);
		rw_page_clear(&page);
	}
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		char body[512];
		struct rw_page page;

		snprintf(body, sizeof(body),
			 "{'reviews': [{'reviewId': 'r1', 'comments': [{'userComment': {"
			 " 'starRating': %s, 'lastModified': {'seconds': '1777630000'}}}]}]}",
			 bad[i]);
		rwt_parse_ok(list, body, NULL, &page);
		cr_assert_eq(page.nitems, 0, "%s", bad[i]);
		rwt_expect_reject(&page, 0, RW_REJECT_BAD_RATING, "r1");
		rw_page_clear(&page);
	}
}

/* ---- Play's Timestamp ---- */

Test(google_play_time, seconds_string_or_number)
{
	static const struct {
		const char *ts;
		int64_t ms;
	} cases[] = {
		{"{'seconds': '1443676826', 'nanos': 713000000}", INT64_C(1443676826713)},
		{"{'seconds': 1443676826, 'nanos': 713000000}", INT64_C(1443676826713)},
		{"{'seconds': '1443676826'}", INT64_C(1443676826000)},
		{"{'seconds': '1443676826', 'nanos': null}", INT64_C(1443676826000)},
		{"{'seconds': '1443676826', 'nanos': 999999999}", INT64_C(1443676826999)},
		{"{'seconds': '1', 'nanos': 0}", 1000},
		{"{'seconds': '253402300799', 'nanos': 999999999}", RW_TIME_MAX_MS},
		/* Unreadable: 0. */
		{"{'seconds': '0'}", 0},
		{"{'seconds': 0, 'nanos': 5000000}", 0},
		{"{'seconds': '-1443676826'}", 0},
		{"{'seconds': -1443676826}", 0},
		{"{'seconds': ''}", 0},
		{"{'seconds': ' 1443676826'}", 0},
		{"{'seconds': '1443676826 '}", 0},
		{"{'seconds': '+1443676826'}", 0},
		{"{'seconds': '1e9'}", 0},
		{"{'seconds': '0x10'}", 0},
		{"{'seconds': 1443676826.5}", 0},
		{"{'seconds': '253402300800'}", 0},
		{"{'seconds': 253402300800}", 0},
		{"{'seconds': '99999999999999999999'}", 0},
		{"{'seconds': 9223372036854775807}", 0},
		{"{'seconds': true}", 0},
		{"{'seconds': null}", 0},
		{"{'seconds': ['1']}", 0},
		{"{'nanos': 5}", 0},
		{"{}", 0},
		{"{'seconds': '1443676826', 'nanos': -1}", 0},
		{"{'seconds': '1443676826', 'nanos': 1000000000}", 0},
		{"{'seconds': '1443676826', 'nanos': '713000000'}", 0},
		{"{'seconds': '1443676826', 'nanos': 7.5}", 0},
		{"'1443676826'", 0},
		{"1443676826", 0},
		{"'2026-05-01T10:00:00Z'", 0},
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *json = rwt_json_quotes(cases[i].ts);
		json_t *ts = json_loads(json, JSON_DECODE_ANY, NULL);

		cr_assert_not_null(ts, "%s", json);
		cr_assert_eq(rw_google_play_time(ts), cases[i].ms, "%s: %lld", json,
			     (long long)rw_google_play_time(ts));
		json_decref(ts);
		free(json);
	}
	cr_assert_eq(rw_google_play_time(NULL), 0);
}

/* ---- one review read by id ---- */

Test(google_play_review, single_review)
{
	struct rw_page page;

	rwt_parse_file(one, FIXTURES "review.json", NULL, &page);
	cr_assert_eq(page.nentries, 1);
	cr_assert_eq(page.nitems, 2);
	expect_review(&page.items[0], "gp:AOqpTOHsingle", INT64_C(1777600000005), "Ana", 1,
		      "\tCrashes on start");
	rwt_expect_reply(&page.items[1], "gp:AOqpTOHsingle", INT64_C(1777610000000),
			 "Fixed in 2.1");
	cr_assert_eq(page.newest_ms, INT64_C(1777600000005));
	rw_page_clear(&page);

	/* No developer comment: the review alone. */
	rwt_parse_ok(one,
		     "{'reviewId': 'r2', 'comments': [{'userComment': {'starRating': 2,"
		     " 'lastModified': {'seconds': '1777630000'}}}]}",
		     NULL, &page);
	cr_assert_eq(page.nitems, 1);
	cr_assert_str_eq(page.items[0].author, RW_REVIEW_ANONYMOUS);
	rw_page_clear(&page);
	rwt_parse_ok(one, "{'reviewId': 'r2', 'comments': null}", NULL, &page);
	cr_assert_eq(page.nitems, 0);
	rwt_expect_reject(&page, 0, RW_REJECT_WRONG_TYPE, "r2");
	rw_page_clear(&page);

	expect_error(one, "[]", "expected a JSON object");
	expect_error(one, "{'reviewId'", "malformed JSON at line 1 column");
}

/* ---- ids ---- */

Test(google_play_ids, review_ids)
{
	char id[RW_GOOGLE_PLAY_ID_MAX + 2];
	char *reply = NULL;

	cr_assert(rw_google_play_id_valid("12345678"));
	cr_assert(rw_google_play_id_valid("gp:AOqpTOH-x_y.z~"));
	cr_assert_not(rw_google_play_id_valid(""));
	cr_assert_not(rw_google_play_id_valid(NULL));
	cr_assert_not(rw_google_play_id_valid("gp:a b"));
	cr_assert_not(rw_google_play_id_valid("gp:a/b"));
	cr_assert_not(rw_google_play_id_valid("gp:a|b"));
	cr_assert_not(rw_google_play_id_valid("gp:a?b"));
	memset(id, 'p', RW_GOOGLE_PLAY_ID_MAX);
	id[RW_GOOGLE_PLAY_ID_MAX] = '\0';
	cr_assert(rw_google_play_id_valid(id));
	cr_assert_eq(rw_review_reply_id(id, &reply), 0);
	cr_assert(rw_item_id_valid(reply));
	free(reply);
	id[RW_GOOGLE_PLAY_ID_MAX] = 'p';
	id[RW_GOOGLE_PLAY_ID_MAX + 1] = '\0';
	cr_assert_not(rw_google_play_id_valid(id));
}

/* ---- page shape and bounds ---- */

Test(google_play_reviews, page_bound_and_bad_tokens)
{
	char *body = rwt_repeat("{\"reviews\":[", "7", RW_PAGE_MAX_ENTRIES + 1, "]}");
	struct rw_page page;

	rwt_parse_refused(list, body, NULL, "page too large: 1001 reviews (at most 1000)");
	free(body);
	body = rwt_repeat("{\"reviews\":[", "7", RW_PAGE_MAX_ENTRIES, "]}");
	rwt_parse_ok(list, body, NULL, &page);
	cr_assert_eq(page.nrejects, RW_PAGE_MAX_ENTRIES);
	rw_page_clear(&page);
	free(body);

	rwt_parse_ok(list, "{'tokenPagination': {}}", NULL, &page);
	cr_assert_null(page.next);
	cr_assert_eq(page.nentries, 0);
	rw_page_clear(&page);
	rwt_parse_ok(list, "{'reviews': [], 'tokenPagination': null, 'pageInfo': {}}", NULL, &page);
	cr_assert_null(page.next);
	rw_page_clear(&page);

	expect_error(list, "{\"tokenPagination\": \"x\"}", "tokenPagination: not an object");
	expect_error(list, "{\"tokenPagination\": [\"x\"]}", "tokenPagination: not an object");
	expect_error(list, "{\"tokenPagination\": {\"nextPageToken\": \"a\\nb\"}}",
		     "nextPageToken: not a paging token");
	expect_error(list, "{\"tokenPagination\": {\"nextPageToken\": 12334566}}",
		     "nextPageToken: not a paging token");
}

Test(google_play_reviews, garbage_bodies)
{
	expect_error(list, "<html>", "malformed JSON at line 1 column");
	expect_error(list, "", "malformed JSON at line 1 column");
	expect_error(list, "[]", "expected a JSON object");
	expect_error(list, "{\"reviews\": {}}", "expected a reviews array");
	expect_error(list, "{\"reviews\": 5}", "expected a reviews array");
}

/* Play answers errors in Google's envelope (google_error.h). */
Test(google_play_error, recorded_401)
{
	struct rw_google_error e;
	size_t len;
	char *body = rwt_slurp(FIXTURES "error_401.json", &len);

	cr_assert_eq(rw_google_parse_error(body, len, &e), 0);
	cr_assert_eq(e.code, 401);
	cr_assert_str_eq(e.status, "UNAUTHENTICATED");
	cr_assert_eq(rw_google_error_kind(&e), RW_GOOGLE_ERROR_AUTH);
	free(body);
}
