/*
 * test_google_business_parse: the Google Business Profile reviews parsers
 * (sources/google_business.h) over the documented sample
 * (tests/fixtures/google_business/reviews.json, platforms.md 8.5), a
 * hostile page (hostile.json: edits, 9-digit fractions, offsets, anonymous
 * reviewers, no text, an answer to an old review, every kind of bad
 * entry), a single review, the id rules, the page bound; and Google's
 * error envelope (sources/google_error.h), shared with Google Play.
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
#include "replywatch/sources/google_business.h"
#include "replywatch/sources/google_error.h"
#include "replywatch/sources/review.h"

#include "rwtest.h"
#include "rwtparse.h"

#define FIXTURES RW_SOURCE_DIR "/tests/fixtures/google_business/"

/* The parsers in the shape the shared test steps take (no brand). */
static int
list(const char *body, size_t len, const char *brand, struct rw_page *page, char *err,
     size_t errlen)
{
	(void)brand;
	return rw_google_business_parse_reviews(body, len, page, err, errlen);
}

static int
one(const char *body, size_t len, const char *brand, struct rw_page *page, char *err, size_t errlen)
{
	(void)brand;
	return rw_google_business_parse_review(body, len, page, err, errlen);
}

static void
expect_error(rwt_page_parser *fn, const char *body, const char *want)
{
	rwt_parse_fails(fn, body, strlen(body), NULL, want, true, 160);
}

/* ---- the documented sample ---- */

Test(google_business_reviews, documented_page)
{
	struct rw_page page;

	rwt_parse_file(list, FIXTURES "reviews.json", NULL, &page);
	cr_assert_eq(page.nentries, 2);
	cr_assert_eq(page.nitems, 3);
	cr_assert_eq(page.nrejects, 0);
	/* Oldest first: the anonymous five stars, the owner's answer, then
	 * Jane's two stars (microseconds cut to ms). */
	rwt_expect_review(&page.items[0], "AbFvOqn2example", rwt_utc_ms(2026, 4, 30, 18, 0),
			  RW_REVIEW_ANONYMOUS, 5, "Great service!");
	cr_assert_null(page.items[0].url);
	rwt_expect_reply(&page.items[1], "AbFvOqn2example", rwt_utc_ms(2026, 4, 30, 19, 30),
			 "Thank you!");
	rwt_expect_review(&page.items[2], "AbFvOqn1example", rwt_utc_ms(2026, 5, 1, 9, 12) + 44123,
			  "Jane D.", 2, "Waited 40 minutes at the counter.");
	cr_assert_null(page.items[2].url);
	cr_assert_str_eq(page.newest_id, "AbFvOqn1example");
	cr_assert_str_eq(page.oldest_id, "AbFvOqn2example");
	cr_assert_eq(page.newest_ms, rwt_utc_ms(2026, 5, 1, 9, 12) + 44123);
	cr_assert_eq(page.oldest_ms, rwt_utc_ms(2026, 4, 30, 18, 0));
	cr_assert_str_eq(page.next, "CiAKGjBpNDd2Nmp2Zml2Zm");
	rw_page_clear(&page);
}

/* Every rating word, and only those, gives its number. */
Test(google_business_reviews, star_ratings)
{
	static const char *const words[] = {"ONE", "TWO", "THREE", "FOUR", "FIVE"};
	static const char *const bad[] = {
		"'STAR_RATING_UNSPECIFIED'", "'five'", "'SIX'", "5", "''", "null", "['ONE']"};

	for (int i = 0; i < 5; i++) {
		char body[512];
		struct rw_page page;

		snprintf(body, sizeof(body),
			 "{'reviews': [{'reviewId': 'r1', 'starRating': '%s',"
			 " 'createTime': '2026-05-01T10:00:00Z'}]}",
			 words[i]);
		rwt_parse_ok(list, body, NULL, &page);
		cr_assert_eq(page.nitems, 1, "%s", words[i]);
		cr_assert_eq(page.items[0].rating, i + 1, "%s", words[i]);
		rw_page_clear(&page);
	}
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		char body[512];
		struct rw_page page;

		snprintf(body, sizeof(body),
			 "{'reviews': [{'reviewId': 'r1', 'starRating': %s,"
			 " 'createTime': '2026-05-01T10:00:00Z'}]}",
			 bad[i]);
		rwt_parse_ok(list, body, NULL, &page);
		cr_assert_eq(page.nitems, 0, "%s", bad[i]);
		cr_assert_eq(page.nrejects, 1, "%s", bad[i]);
		rwt_expect_reject(&page, 0, RW_REJECT_BAD_RATING, "r1");
		rw_page_clear(&page);
	}
}

/* ---- hostile answers ---- */

/* The hostile page: an edited review (created two months before it was
 * updated, 9-digit fractions, +02:00 and -04:00 offsets), an anonymous one
 * without text, an answer to a review a year old, and every way an entry
 * can be unusable, each rejected with its reason and never fatal. */
Test(google_business_reviews, hostile_page)
{
	struct rw_page page;
	const struct rw_item *it;

	rwt_parse_file(list, FIXTURES "hostile.json", NULL, &page);
	cr_assert_eq(page.nentries, 16);
	cr_assert_eq(page.nitems, 8);

	/* A year-old review answered today: the review keeps its own time,
	 * the answer its own. */
	rwt_expect_review(&page.items[0], "oldAnswered", rwt_utc_ms(2025, 1, 1, 0, 0),
			  "R oldAnswered", 3, "c oldAnswered");
	rwt_expect_reply(&page.items[1], "oldAnswered", rwt_utc_ms(2026, 5, 2, 9, 0),
			 "Thanks, a year later");
	/* No reviewId: the last part of its name. */
	rwt_expect_review(&page.items[2], "fromName", rwt_utc_ms(2026, 5, 2, 10, 0), "R fromName",
			  3, "c fromName");
	/* A reply that cannot be used is rejected; its review stays. */
	rwt_expect_review(&page.items[3], "replyNoTime", rwt_utc_ms(2026, 5, 2, 10, 0),
			  "R replyNoTime", 3, "c replyNoTime");
	rwt_expect_review(&page.items[4], "badReply", rwt_utc_ms(2026, 5, 2, 10, 0), "R badReply",
			  3, "c badReply");
	/* Anonymous, no comment, and a reviewReplyUrl that is no https link. */
	rwt_expect_review(&page.items[5], "noText1", rwt_utc_ms(2026, 5, 2, 10, 0),
			  RW_REVIEW_ANONYMOUS, 1, NULL);
	cr_assert_null(page.items[5].url);
	/* Edited: created_at is createTime (offset and 9 digits), not the edit. */
	it = &page.items[6];
	rwt_expect_review(it, "edited1", rwt_utc_ms(2026, 3, 1, 6, 0) + 123, "R edited1", 3,
			  "edited: still slow");
	cr_assert_str_eq(it->url, "https://business.google.com/reviews/reply/edited1");
	rwt_expect_reply(&page.items[7], "edited1", rwt_utc_ms(2026, 5, 3, 16, 30) + 500,
			 "Sorry to hear that");

	cr_assert_eq(page.nrejects, 12);
	rwt_expect_reject(&page, 0, RW_REJECT_WRONG_TYPE, NULL);
	rwt_expect_reject(&page, 1, RW_REJECT_BAD_TIME, "replyNoTime/reply");
	rwt_expect_reject(&page, 2, RW_REJECT_WRONG_TYPE, "badReply/reply");
	rwt_expect_reject(&page, 3, RW_REJECT_BAD_TIME, "badTime");
	rwt_expect_reject(&page, 4, RW_REJECT_WRONG_TYPE, "badComment");
	rwt_expect_reject(&page, 5, RW_REJECT_BAD_AUTHOR, "badName");
	rwt_expect_reject(&page, 6, RW_REJECT_WRONG_TYPE, "badReviewer");
	rwt_expect_reject(&page, 7, RW_REJECT_BAD_ID, NULL); /* name of another review */
	rwt_expect_reject(&page, 8, RW_REJECT_BAD_ID, NULL); /* 257 bytes */
	rwt_expect_reject(&page, 9, RW_REJECT_BAD_ID, NULL); /* a space */
	rwt_expect_reject(&page, 10, RW_REJECT_BAD_RATING, "numericStar");
	rwt_expect_reject(&page, 11, RW_REJECT_BAD_RATING, "unspecified");

	/* Watermarks: updateTime (the list's order), readable ones only;
	 * an empty nextPageToken is the last page. */
	cr_assert_str_eq(page.newest_id, "edited1");
	cr_assert_str_eq(page.oldest_id, "oldAnswered");
	cr_assert_eq(page.newest_ms, rwt_utc_ms(2026, 5, 3, 12, 0) + 999);
	cr_assert_eq(page.oldest_ms, rwt_utc_ms(2026, 5, 2, 9, 0));
	cr_assert_null(page.next);
	rw_page_clear(&page);
}

/* createTime later than updateTime is capped at it; an unreadable
 * createTime gives updateTime; neither readable is a reject. */
Test(google_business_reviews, create_time_capped_by_update_time)
{
	struct rw_page page;

	rwt_parse_ok(list,
		     "{'reviews': ["
		     " {'reviewId': 'a', 'starRating': 'ONE', 'createTime': '2026-06-01T00:00:00Z',"
		     "  'updateTime': '2026-05-01T10:00:00Z'},"
		     " {'reviewId': 'b', 'starRating': 'ONE', 'createTime': 1777630000,"
		     "  'updateTime': '2026-05-01T09:00:00.5Z'},"
		     " {'reviewId': 'c', 'starRating': 'ONE', 'updateTime': 'now'}]}",
		     NULL, &page);
	cr_assert_eq(page.nitems, 2);
	cr_assert_str_eq(page.items[0].id, "b");
	cr_assert_eq(page.items[0].created_at_ms, rwt_utc_ms(2026, 5, 1, 9, 0) + 500);
	cr_assert_str_eq(page.items[1].id, "a");
	cr_assert_eq(page.items[1].created_at_ms, rwt_utc_ms(2026, 5, 1, 10, 0));
	cr_assert_eq(page.nrejects, 1);
	rwt_expect_reject(&page, 0, RW_REJECT_BAD_TIME, "c");
	rw_page_clear(&page);
}

/* Found by fuzz_google_business: a reply's updateTime in the year 1013
 * read as a negative time and was kept. No time at or before 1970 is a
 * review's or an answer's: each is rejected as unreadable. */
Test(google_business_reviews, regression_time_before_1970_rejected)
{
	struct rw_page page;

	rwt_parse_ok(list,
		     "{'reviews': ["
		     " {'reviewId': 'a', 'starRating': 'ONE', 'createTime': '2026-05-01T10:00:00Z',"
		     "  'reviewReply': {'comment': 'x', 'updateTime': '1013-05-04T08:00:00Z'}},"
		     " {'reviewId': 'b', 'starRating': 'ONE', 'createTime': '1969-12-31T23:59:59Z',"
		     "  'updateTime': '1970-01-01T00:00:00Z'},"
		     " {'reviewId': 'c', 'starRating': 'ONE', 'createTime': '0000-01-01T00:00:00Z',"
		     "  'updateTime': '1970-01-01T00:00:00.001Z'}]}",
		     NULL, &page);
	cr_assert_eq(page.nitems, 2);
	cr_assert_str_eq(page.items[0].id, "c");
	cr_assert_eq(page.items[0].created_at_ms, 1);
	cr_assert_str_eq(page.items[1].id, "a");
	cr_assert_eq(page.nrejects, 2);
	rwt_expect_reject(&page, 0, RW_REJECT_BAD_TIME, "b");
	rwt_expect_reject(&page, 1, RW_REJECT_BAD_TIME, "a/reply");
	cr_assert_eq(page.oldest_ms, 1);
	rw_page_clear(&page);
}

/* A display name is free text: control characters do not reach a log
 * line, and a huge one is cut. */
Test(google_business_reviews, display_name_cleaned_and_cut)
{
	char *name = malloc(4000), body[5000];
	struct rw_page page;

	cr_assert_not_null(name);
	memset(name, 'n', 3999);
	name[3999] = '\0';
	snprintf(body, sizeof(body),
		 "{'reviews': ["
		 " {'reviewId': 'a', 'starRating': 'ONE', 'createTime': '2026-05-01T10:00:00Z',"
		 "  'reviewer': {'displayName': 'Eve\\r\\nX-Injected: 1'}},"
		 " {'reviewId': 'b', 'starRating': 'ONE', 'createTime': '2026-05-01T10:00:00Z',"
		 "  'reviewer': {'displayName': '%s'}},"
		 " {'reviewId': 'c', 'starRating': 'ONE', 'createTime': '2026-05-01T10:00:00Z',"
		 "  'reviewer': {'displayName': 'A Google user', 'isAnonymous': true}}]}",
		 name);
	rwt_parse_ok(list, body, NULL, &page);
	cr_assert_eq(page.nitems, 3);
	cr_assert_str_eq(page.items[0].author, RW_REVIEW_ANONYMOUS);
	cr_assert_eq(strlen(page.items[1].author), RW_REVIEW_AUTHOR_MAX);
	cr_assert_str_eq(page.items[2].author, "Eve??X-Injected: 1");
	rw_page_clear(&page);
	free(name);
}

/* ---- one review read by id ---- */

Test(google_business_review, single_review)
{
	struct rw_page page;

	rwt_parse_file(one, FIXTURES "review.json", NULL, &page);
	cr_assert_eq(page.nentries, 1);
	cr_assert_eq(page.nitems, 2);
	rwt_expect_review(&page.items[0], "AbFvOqn3single", rwt_utc_ms(2026, 5, 1, 7, 0),
			  "Zo\xc3\xab K.", 4, "Nice staff");
	rwt_expect_reply(&page.items[1], "AbFvOqn3single", rwt_utc_ms(2026, 5, 4, 8, 0),
			 "Thanks Zo\xc3\xab");
	cr_assert_str_eq(page.newest_id, "AbFvOqn3single");
	cr_assert_eq(page.newest_ms, rwt_utc_ms(2026, 5, 4, 7, 0));
	cr_assert_null(page.next);
	rw_page_clear(&page);

	/* Unanswered: the review alone; unusable: a reject, not an error. */
	rwt_parse_ok(one,
		     "{'reviewId': 'x1', 'starRating': 'THREE', 'createTime': "
		     "'2026-05-01T10:00:00Z', 'reviewReply': null}",
		     NULL, &page);
	cr_assert_eq(page.nitems, 1);
	cr_assert_str_eq(page.items[0].id, "x1");
	rw_page_clear(&page);
	rwt_parse_ok(one, "{'reviewId': 'x 1'}", NULL, &page);
	cr_assert_eq(page.nitems, 0);
	cr_assert_eq(page.nentries, 1);
	rwt_expect_reject(&page, 0, RW_REJECT_BAD_ID, NULL);
	rw_page_clear(&page);

	expect_error(one, "[]", "expected a JSON object");
	expect_error(one, "", "malformed JSON at line 1 column");
	expect_error(one, "{'reviewId'", "malformed JSON at line 1 column");
}

/* ---- ids ---- */

Test(google_business_ids, review_ids_and_names)
{
	char id[RW_GOOGLE_BUSINESS_ID_MAX + 2], name[600];
	char *reply = NULL;

	cr_assert(rw_google_business_id_valid("AbFvOqn1example"));
	cr_assert(rw_google_business_id_valid("AIe9_BGx-1.x~"));
	cr_assert_not(rw_google_business_id_valid(""));
	cr_assert_not(rw_google_business_id_valid(NULL));
	cr_assert_not(rw_google_business_id_valid("a b"));
	cr_assert_not(rw_google_business_id_valid("a/b"));
	cr_assert_not(rw_google_business_id_valid("a|b"));
	cr_assert_not(rw_google_business_id_valid("a%20b"));
	cr_assert_not(rw_google_business_id_valid("caf\xc3\xa9"));
	memset(id, 'i', RW_GOOGLE_BUSINESS_ID_MAX);
	id[RW_GOOGLE_BUSINESS_ID_MAX] = '\0';
	cr_assert(rw_google_business_id_valid(id));
	/* The longest id's answer is still an id every key can hold. */
	cr_assert_eq(rw_review_reply_id(id, &reply), 0);
	cr_assert(rw_item_id_valid(reply));
	free(reply);
	id[RW_GOOGLE_BUSINESS_ID_MAX] = 'i';
	id[RW_GOOGLE_BUSINESS_ID_MAX + 1] = '\0';
	cr_assert_not(rw_google_business_id_valid(id));

	cr_assert_str_eq(rw_google_business_name_id("accounts/1/locations/2/reviews/abc"), "abc");
	snprintf(name, sizeof(name), "accounts/1/locations/2/reviews/%s", id);
	cr_assert_null(rw_google_business_name_id(name));
	cr_assert_null(rw_google_business_name_id(NULL));
	cr_assert_null(rw_google_business_name_id("accounts/1/locations/2/reviews/"));
	cr_assert_null(rw_google_business_name_id("accounts/1/locations/2/reviews/a/b"));
	cr_assert_null(rw_google_business_name_id("accounts//locations/2/reviews/a"));
	cr_assert_null(rw_google_business_name_id("accounts/1/places/2/reviews/a"));
	cr_assert_null(rw_google_business_name_id("locations/2/reviews/a"));
	cr_assert_null(rw_google_business_name_id("accounts/1 /locations/2/reviews/a"));
}

/* ---- page shape and bounds ---- */

Test(google_business_reviews, empty_and_last_pages)
{
	struct rw_page page;

	rwt_parse_ok(list, "{}", NULL, &page);
	cr_assert_eq(page.nentries, 0);
	cr_assert_null(page.next);
	cr_assert_null(page.newest_id);
	rw_page_clear(&page);
	rwt_parse_ok(list, "{'reviews': [], 'averageRating': 0, 'nextPageToken': null}", NULL,
		     &page);
	cr_assert_eq(page.nentries, 0);
	cr_assert_null(page.next);
	rw_page_clear(&page);
}

/* A page of RW_PAGE_MAX_ENTRIES is read; one more, or a token that cannot
 * be sent back, refuses the page whole. */
Test(google_business_reviews, page_bound_and_bad_tokens)
{
	char *body = rwt_repeat("{\"reviews\":[", "{}", RW_PAGE_MAX_ENTRIES, "]}");
	struct rw_page page;
	char err[200] = "";

	cr_assert_eq(rw_google_business_parse_reviews(body, strlen(body), &page, err, sizeof(err)),
		     0, "%s", err);
	cr_assert_eq(page.nentries, RW_PAGE_MAX_ENTRIES);
	cr_assert_eq(page.nrejects, RW_PAGE_MAX_ENTRIES);
	rw_page_clear(&page);
	free(body);
	body = rwt_repeat("{\"reviews\":[", "{}", RW_PAGE_MAX_ENTRIES + 1, "]}");
	rwt_parse_refused(list, body, NULL, "page too large: 1001 reviews (at most 1000)");
	free(body);

	expect_error(list, "{\"reviews\": [], \"nextPageToken\": \"a b\"}",
		     "nextPageToken: not a paging token");
	expect_error(list, "{\"reviews\": [], \"nextPageToken\": 17}",
		     "nextPageToken: not a paging token");
	expect_error(list, "{\"reviews\": [], \"nextPageToken\": [\"x\"]}",
		     "nextPageToken: not a paging token");
}

Test(google_business_reviews, garbage_bodies)
{
	expect_error(list, "<html>", "malformed JSON at line 1 column");
	expect_error(list, "", "malformed JSON at line 1 column");
	expect_error(list, "{\"reviews\": [{\"reviewId\": \"", "malformed JSON at line 1 column");
	expect_error(list, "[]", "expected a JSON object");
	expect_error(list, "{\"reviews\": {}}", "expected a reviews array");
	expect_error(list, "{\"reviews\": \"none\"}", "expected a reviews array");
	rwt_parse_fails(list, NULL, 0, NULL, "malformed JSON at line 1 column", true, 160);
}

/* ---- Google's error envelope ---- */

Test(google_error, envelopes)
{
	static const struct {
		const char *body;
		int code;
		const char *status;
		enum rw_google_error_kind kind;
	} cases[] = {
		{"{'error': {'code': 429, 'status': 'RESOURCE_EXHAUSTED', 'message': 'Quota',"
		 " 'details': [{'@type': 'type.googleapis.com/google.rpc.ErrorInfo'}]}}",
		 429, "RESOURCE_EXHAUSTED", RW_GOOGLE_ERROR_RATE_LIMITED},
		{"{'error': {'code': 401, 'status': 'UNAUTHENTICATED'}}", 401, "UNAUTHENTICATED",
		 RW_GOOGLE_ERROR_AUTH},
		{"{'error': {'code': 403, 'status': 'PERMISSION_DENIED'}}", 403,
		 "PERMISSION_DENIED", RW_GOOGLE_ERROR_DENIED},
		{"{'error': {'code': 404, 'status': 'NOT_FOUND', 'message': 'Requested entity "
		 "was not found.'}}",
		 404, "NOT_FOUND", RW_GOOGLE_ERROR_NOT_FOUND},
		/* The status decides: a quota 403 is a rate limit. */
		{"{'error': {'code': 403, 'status': 'RESOURCE_EXHAUSTED'}}", 403,
		 "RESOURCE_EXHAUSTED", RW_GOOGLE_ERROR_RATE_LIMITED},
		{"{'error': {'code': 500, 'status': 'INTERNAL'}}", 500, "INTERNAL",
		 RW_GOOGLE_ERROR_OTHER},
		{"{'error': {'code': 503, 'status': 'UNAVAILABLE'}}", 503, "UNAVAILABLE",
		 RW_GOOGLE_ERROR_OTHER},
		/* Either alone; an unreadable one is left out. */
		{"{'error': {'code': 429}}", 429, "", RW_GOOGLE_ERROR_RATE_LIMITED},
		{"{'error': {'status': 'NOT_FOUND'}}", 0, "NOT_FOUND", RW_GOOGLE_ERROR_NOT_FOUND},
		{"{'error': {'code': '429', 'status': 'UNAUTHENTICATED'}}", 0, "UNAUTHENTICATED",
		 RW_GOOGLE_ERROR_AUTH},
		{"{'error': {'code': 401, 'status': 'bad status\\r\\nX: 1'}}", 401, "",
		 RW_GOOGLE_ERROR_AUTH},
		{"{'error': {'code': 99999, 'status': 'ABORTED'}}", 0, "ABORTED",
		 RW_GOOGLE_ERROR_OTHER},
	};
	static const char *const not_errors[] = {
		"",
		"<html>",
		"[]",
		"{}",
		"{'error': 'invalid_grant'}",
		"{'error': {'code': 42}}",
		"{'error': {'code': -1, 'status': ''}}",
		"{'error': {'code': 4.29e2}}",
		"{'error': {'status': "
		"'AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA'}}",
		"{'reviews': []}",
	};
	struct rw_google_error e;
	size_t len;
	char *json;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		json = rwt_json_quotes(cases[i].body);
		memset(&e, 0xa5, sizeof(e));
		cr_assert_eq(rw_google_parse_error(json, strlen(json), &e), 0, "%s", json);
		cr_assert_eq(e.code, cases[i].code, "%s", json);
		cr_assert_str_eq(e.status, cases[i].status, "%s", json);
		cr_assert_eq(rw_google_error_kind(&e), cases[i].kind, "%s", json);
		free(json);
	}
	for (size_t i = 0; i < sizeof(not_errors) / sizeof(not_errors[0]); i++) {
		json = rwt_json_quotes(not_errors[i]);
		memset(&e, 0xa5, sizeof(e));
		cr_assert_eq(rw_google_parse_error(json, strlen(json), &e), -1, "%s", json);
		cr_assert_eq(e.code, 0);
		cr_assert_str_eq(e.status, "");
		free(json);
	}
	/* The recorded 429 of the fixtures. */
	json = rwt_slurp(FIXTURES "error_429.json", &len);
	cr_assert_eq(rw_google_parse_error(json, len, &e), 0);
	cr_assert_eq(e.code, 429);
	cr_assert_str_eq(e.status, "RESOURCE_EXHAUSTED");
	cr_assert_eq(rw_google_error_kind(&e), RW_GOOGLE_ERROR_RATE_LIMITED);
	free(json);
}
