/*
 * test_app_store_parse: the App Store Connect customer reviews parsers
 * (sources/app_store.h) over the documented sample
 * (tests/fixtures/app_store/reviews.json, platforms.md 10.4: data[0]
 * verbatim from Apple's docs, a -08:00 offset), a hostile page
 * (hostile.json: published, pending and missing responses, an answer to a
 * review two years old, no title, no text, anonymous, every kind of bad
 * resource), one review, one response, links.next cursors, the page
 * bounds; JSON:API errors and the X-Rate-Limit header.
 *
 * Inline bodies are written with ' for " (rwt_json_quotes).
 */
#include <criterion/criterion.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "replywatch/config.h"
#include "replywatch/item.h"
#include "replywatch/page.h"
#include "replywatch/ratelimit.h"
#include "replywatch/sources/app_store.h"
#include "replywatch/sources/review.h"

#include "rwtest.h"
#include "rwtparse.h"

#define FIXTURES RW_SOURCE_DIR "/tests/fixtures/app_store/"
/* hostile.json's review ids: rid(n). */
#define RID(hex) "00000028-b08c-0014-729e-0000000000" hex
#define REVIEW42 "00000028-b08c-0014-729e-fbd500000042"

static int
list(const char *body, size_t len, const char *brand, struct rw_page *page, char *err,
     size_t errlen)
{
	(void)brand;
	return rw_app_store_parse_reviews(body, len, page, err, errlen);
}

static int
one(const char *body, size_t len, const char *brand, struct rw_page *page, char *err, size_t errlen)
{
	(void)brand;
	return rw_app_store_parse_review(body, len, page, err, errlen);
}

/* The response parser, for review "brand" (the shared steps' spare
 * argument). */
static int
response(const char *body, size_t len, const char *review_id, struct rw_page *page, char *err,
	 size_t errlen)
{
	return rw_app_store_parse_response(body, len, review_id, page, err, errlen);
}

static void
expect_error(rwt_page_parser *fn, const char *body, const char *want)
{
	rwt_parse_fails(fn, body, strlen(body), REVIEW42, want, true, 160);
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

Test(app_store_reviews, documented_page)
{
	struct rw_page page;

	rwt_parse_file(list, FIXTURES "reviews.json", NULL, &page);
	cr_assert_eq(page.nentries, 1);
	cr_assert_eq(page.nitems, 2);
	cr_assert_eq(page.nrejects, 0);
	/* 2017-11-15T08:10:34-08:00 is 16:10:34Z. */
	expect_review(&page.items[0], "00000028-b08c-0014-729e-fbd500000000",
		      rwt_utc_ms(2017, 11, 15, 16, 10) + 34000, "Anne Johnson", 5,
		      "Awesome!!!\n\nIt's a really fantastic app!");
	rwt_expect_reply(&page.items[1], "00000028-b08c-0014-729e-fbd500000000",
			 rwt_utc_ms(2017, 11, 16, 18, 0), "Thanks Anne!");
	cr_assert_str_eq(page.newest_id, "00000028-b08c-0014-729e-fbd500000000");
	cr_assert_str_eq(page.oldest_id, "00000028-b08c-0014-729e-fbd500000000");
	cr_assert_eq(page.newest_ms, rwt_utc_ms(2017, 11, 15, 16, 10) + 34000);
	cr_assert_eq(page.oldest_ms, page.newest_ms);
	/* links.next's cursor, not the URL. */
	cr_assert_str_eq(page.next, "AQ.AOM");
	rw_page_clear(&page);
}

/* ---- hostile answers ---- */

Test(app_store_reviews, hostile_page)
{
	struct rw_page page;

	rwt_parse_file(list, FIXTURES "hostile.json", NULL, &page);
	cr_assert_eq(page.nentries, 20);
	cr_assert_eq(page.nitems, 12);
	/* A review from 2024 (+05:30) answered in 2026. */
	expect_review(&page.items[0], RID("14"), rwt_utc_ms(2023, 12, 31, 18, 30), "N 14", 4,
		      "Old one\n\nB 14");
	rwt_expect_reply(&page.items[1], RID("14"), rwt_utc_ms(2026, 5, 2, 8, 0),
			 "Thanks, two years on");
	/* Answers that cannot be used: the reviews stay. */
	expect_review(&page.items[2], RID("13"), rwt_utc_ms(2026, 5, 1, 18, 0), "N 13", 4,
		      "T 13\n\nB 13");
	expect_review(&page.items[3], RID("08"), rwt_utc_ms(2026, 5, 1, 18, 0), "N 08", 4,
		      "T 08\n\nB 08");
	expect_review(&page.items[4], RID("07"), rwt_utc_ms(2026, 5, 1, 18, 0), "N 07", 4,
		      "T 07\n\nB 07");
	expect_review(&page.items[5], RID("06"), rwt_utc_ms(2026, 5, 1, 18, 0), "N 06", 4,
		      "T 06\n\nB 06");
	/* A response that is not included is not known from this page. */
	expect_review(&page.items[6], RID("05"), rwt_utc_ms(2026, 5, 1, 18, 0), "N 05", 4,
		      "T 05\n\nB 05");
	/* A rating without title or body; a body without title, anonymous. */
	expect_review(&page.items[7], RID("04"), rwt_utc_ms(2026, 5, 1, 18, 0), "N 04", 4, NULL);
	expect_review(&page.items[8], RID("03"), rwt_utc_ms(2026, 5, 1, 18, 0), RW_REVIEW_ANONYMOUS,
		      4, "B 03");
	/* PENDING_PUBLISH is not an answer yet. */
	expect_review(&page.items[9], RID("02"), rwt_utc_ms(2026, 5, 1, 18, 0), "N 02", 4,
		      "T 02\n\nB 02");
	/* Published; 9 fractional digits and -08:00. */
	expect_review(&page.items[10], RID("01"), rwt_utc_ms(2026, 5, 3, 17, 0) + 123, "N 01", 4,
		      "T 01\n\nB 01");
	rwt_expect_reply(&page.items[11], RID("01"), rwt_utc_ms(2026, 5, 3, 18, 0),
			 "Fixed, thanks");

	cr_assert_eq(page.nrejects, 14);
	rwt_expect_reject(&page, 0, RW_REJECT_WRONG_TYPE, RID("13") "/reply");
	rwt_expect_reject(&page, 1, RW_REJECT_WRONG_TYPE, NULL);
	rwt_expect_reject(&page, 2, RW_REJECT_WRONG_TYPE, RID("11"));
	rwt_expect_reject(&page, 3, RW_REJECT_WRONG_TYPE, RID("10")); /* type apps */
	rwt_expect_reject(&page, 4, RW_REJECT_WRONG_TYPE, RID("0f"));
	rwt_expect_reject(&page, 5, RW_REJECT_BAD_TIME, RID("0e"));
	rwt_expect_reject(&page, 6, RW_REJECT_BAD_AUTHOR, RID("0d"));
	rwt_expect_reject(&page, 7, RW_REJECT_BAD_RATING, RID("0c"));
	rwt_expect_reject(&page, 8, RW_REJECT_BAD_RATING, RID("0b"));
	rwt_expect_reject(&page, 9, RW_REJECT_BAD_ID, NULL);  /* 65 bytes */
	rwt_expect_reject(&page, 10, RW_REJECT_BAD_ID, NULL); /* a space */
	rwt_expect_reject(&page, 11, RW_REJECT_BAD_TIME, RID("08") "/reply");
	rwt_expect_reject(&page, 12, RW_REJECT_WRONG_TYPE, RID("07") "/reply");
	rwt_expect_reject(&page, 13, RW_REJECT_BAD_ID, RID("06") "/reply");

	cr_assert_str_eq(page.newest_id, RID("01"));
	cr_assert_str_eq(page.oldest_id, RID("14"));
	cr_assert_eq(page.newest_ms, rwt_utc_ms(2026, 5, 3, 17, 0) + 123);
	cr_assert_eq(page.oldest_ms, rwt_utc_ms(2023, 12, 31, 18, 30));
	/* The cursor as it stands in the URL, still percent-encoded. */
	cr_assert_str_eq(page.next, "eyJvZmZzZXQiOiIyMDAifQ%3D%3D");
	rw_page_clear(&page);
}

/* links.next: only its cursor parameter is kept, and it must be one. */
Test(app_store_reviews, next_cursor)
{
	static const struct {
		const char *next, *want;
	} ok[] = {
		{"'https://api.appstoreconnect.apple.com/v1/apps/1/customerReviews?cursor=AQ.AOM'",
		 "AQ.AOM"},
		{"'https://x.test/v1/apps/1/customerReviews?limit=200&cursor=Ab_-.~%2B&sort=-"
		 "createdDate'",
		 "Ab_-.~%2B"},
		{"null", NULL},
		{"''", NULL},
	};
	static const struct {
		const char *next, *want;
	} bad[] = {
		{"'https://x.test/v1/apps/1/customerReviews?limit=1'", "links.next: no cursor"},
		{"'https://x.test/v1/apps/1/customerReviews'", "links.next: no cursor"},
		{"'https://x.test/v1/apps/1/customerReviews?xcursor=1&limit=1'",
		 "links.next: no cursor"},
		{"'https://x.test/v1/apps/1/customerReviews?cursor=AQ#frag'",
		 "links.next: no cursor"},
		{"'https://x.test/v1/apps/1/customerReviews?cursor=&limit=1'",
		 "links.next: not a paging cursor"},
		{"'https://x.test/v1/apps/1/customerReviews?cursor=a|b'",
		 "links.next: not a paging cursor"},
		{"'https://x.test/v1/apps/1/customerReviews?cursor=a b'",
		 "links.next: not a paging cursor"},
		{"'https://x.test/v1/apps/1/customerReviews?cursor=a\\r\\nX: 1'",
		 "links.next: not a paging cursor"},
		{"5", "links.next: not a string"},
		{"['x']", "links.next: not a string"},
	};

	for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		char body[512];
		struct rw_page page;

		snprintf(body, sizeof(body), "{'data': [], 'links': {'next': %s}}", ok[i].next);
		rwt_parse_ok(list, body, NULL, &page);
		if (ok[i].want == NULL)
			cr_assert_null(page.next, "%s", ok[i].next);
		else
			cr_assert_str_eq(page.next, ok[i].want, "%s", ok[i].next);
		rw_page_clear(&page);
	}
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		char body[512], *json;

		snprintf(body, sizeof(body), "{'data': [], 'links': {'next': %s}}", bad[i].next);
		json = rwt_json_quotes(body);
		expect_error(list, json, bad[i].want);
		free(json);
	}
	expect_error(list, "{\"data\": [], \"links\": []}", "links: not an object");
	expect_error(list, "{\"data\": [], \"links\": \"next\"}", "links: not an object");
	{
		/* A cursor over 512 bytes. */
		char *body =
			rwt_repeat("{\"data\": [], \"links\": {\"next\": \"https://x.test/?cursor=",
				   "abcdefgh", 80, "\"}}");

		expect_error(list, body, "links.next: not a paging cursor");
		free(body);
	}
}

Test(app_store_reviews, ratings)
{
	static const char *const bad[] = {"0", "6", "'5'", "4.5", "null", "true"};

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		char body[512];
		struct rw_page page;

		snprintf(body, sizeof(body),
			 "{'data': [{'type': 'customerReviews', 'id': 'ab-12', 'attributes':"
			 " {'rating': %s, 'createdDate': '2026-05-01T10:00:00-08:00'}}]}",
			 bad[i]);
		rwt_parse_ok(list, body, NULL, &page);
		cr_assert_eq(page.nitems, 0, "%s", bad[i]);
		rwt_expect_reject(&page, 0, RW_REJECT_BAD_RATING, "ab-12");
		rw_page_clear(&page);
	}
}

/* ---- one review, one response ---- */

Test(app_store_review, single_review)
{
	struct rw_page page;

	rwt_parse_file(one, FIXTURES "review.json", NULL, &page);
	cr_assert_eq(page.nentries, 1);
	cr_assert_eq(page.nitems, 2);
	expect_review(&page.items[0], REVIEW42, rwt_utc_ms(2026, 5, 1, 18, 0), "N 42", 1,
		      "Broken\n\nCrashes");
	rwt_expect_reply(&page.items[1], REVIEW42, rwt_utc_ms(2026, 5, 5, 7, 0), "Sorry!");
	rw_page_clear(&page);
	expect_error(one, "{\"data\": []}", "expected a data object");
	expect_error(one, "{\"data\": null}", "expected a data object");
	expect_error(one, "{}", "expected a data object");
}

Test(app_store_response, published_pending_none)
{
	struct rw_page page;
	size_t len;
	char *body = rwt_slurp(FIXTURES "response.json", &len);
	char err[200] = "";

	cr_assert_eq(rw_app_store_parse_response(body, len, REVIEW42, &page, err, sizeof(err)), 0,
		     "%s", err);
	cr_assert_eq(page.nentries, 1);
	cr_assert_eq(page.nitems, 1);
	rwt_expect_reply(&page.items[0], REVIEW42, rwt_utc_ms(2026, 5, 5, 7, 0), "Sorry!");
	cr_assert_null(page.next);
	rw_page_clear(&page);

	/* The response of another review: not taken as this one's answer. */
	cr_assert_eq(rw_app_store_parse_response(body, len, "00000028-b08c-0014-729e-fbd500000043",
						 &page, err, sizeof(err)),
		     0, "%s", err);
	cr_assert_eq(page.nitems, 0);
	rwt_expect_reject(&page, 0, RW_REJECT_BAD_ID, "00000028-b08c-0014-729e-fbd500000043/reply");
	rw_page_clear(&page);
	free(body);

	/* Not yet published; none at all. */
	rwt_parse_ok(response,
		     "{'data': {'type': 'customerReviewResponses', 'id': 'ab-1', 'attributes':"
		     " {'responseBody': 'Draft', 'lastModifiedDate': '2026-05-01T10:00:00Z',"
		     " 'state': 'PENDING_PUBLISH'}}}",
		     REVIEW42, &page);
	cr_assert_eq(page.nentries, 1);
	cr_assert_eq(page.nitems, 0);
	cr_assert_eq(page.nrejects, 0);
	rw_page_clear(&page);
	rwt_parse_ok(response, "{'data': null, 'links': {}}", REVIEW42, &page);
	cr_assert_eq(page.nentries, 0);
	cr_assert_eq(page.nitems, 0);
	rw_page_clear(&page);

	/* Resources that cannot be used are rejects. */
	rwt_parse_ok(response, "{'data': {'type': 'customerReviews', 'id': 'ab-1'}}", REVIEW42,
		     &page);
	rwt_expect_reject(&page, 0, RW_REJECT_WRONG_TYPE, REVIEW42 "/reply");
	rw_page_clear(&page);
	rwt_parse_ok(response, "{'data': {'type': 'customerReviewResponses', 'id': 'no way'}}",
		     REVIEW42, &page);
	rwt_expect_reject(&page, 0, RW_REJECT_BAD_ID, REVIEW42 "/reply");
	rw_page_clear(&page);
	rwt_parse_ok(response,
		     "{'data': {'type': 'customerReviewResponses', 'id': 'ab-1', 'attributes':"
		     " {'lastModifiedDate': 'today', 'state': 'PUBLISHED'}}}",
		     REVIEW42, &page);
	rwt_expect_reject(&page, 0, RW_REJECT_BAD_TIME, REVIEW42 "/reply");
	rw_page_clear(&page);

	expect_error(response, "{}", "expected a data object");
	expect_error(response, "{\"data\": []}", "expected a data object");
	expect_error(response, "[]", "expected a JSON object");
	rwt_parse_fails(response, "{\"data\": null}", 14, "no id", "bad review id", false, 160);
	rwt_parse_fails(response, "{\"data\": null}", 14, NULL, "bad review id", false, 160);
}

/* ---- ids ---- */

Test(app_store_ids, uuid_like)
{
	char id[RW_APP_STORE_ID_MAX + 2];

	cr_assert(rw_app_store_id_valid("00000028-b08c-0014-729e-fbd500000000"));
	cr_assert(rw_app_store_id_valid("6F2C1A8E"));
	cr_assert(rw_app_store_id_valid("682658836"));
	cr_assert_not(rw_app_store_id_valid(""));
	cr_assert_not(rw_app_store_id_valid(NULL));
	cr_assert_not(rw_app_store_id_valid("00000028 b08c"));
	cr_assert_not(rw_app_store_id_valid("0000-xyz"));
	cr_assert_not(rw_app_store_id_valid("00/00"));
	memset(id, 'a', RW_APP_STORE_ID_MAX);
	id[RW_APP_STORE_ID_MAX] = '\0';
	cr_assert(rw_app_store_id_valid(id));
	id[RW_APP_STORE_ID_MAX] = 'a';
	id[RW_APP_STORE_ID_MAX + 1] = '\0';
	cr_assert_not(rw_app_store_id_valid(id));
}

/* ---- page shape and bounds ---- */

Test(app_store_reviews, page_bounds)
{
	char *body = rwt_repeat("{\"data\":[", "{}", RW_PAGE_MAX_ENTRIES + 1, "]}");

	rwt_parse_refused(list, body, NULL, "page too large: 1001 data (at most 1000)");
	free(body);
	body = rwt_repeat("{\"data\":[], \"included\":[", "{}", RW_PAGE_MAX_ENTRIES + 1, "]}");
	rwt_parse_refused(list, body, NULL, "page too large: 1001 included (at most 1000)");
	rwt_parse_refused(one, body, NULL, "page too large: 1001 included (at most 1000)");
	free(body);
	expect_error(list, "{\"data\": [], \"included\": {}}", "expected an included array");
}

Test(app_store_reviews, garbage_bodies)
{
	expect_error(list, "<html>", "malformed JSON at line 1 column");
	expect_error(list, "", "malformed JSON at line 1 column");
	expect_error(list, "[]", "expected a JSON object");
	expect_error(list, "{}", "expected a data array");
	expect_error(list, "{\"data\": {}}", "expected a data array");
	expect_error(list, "{\"data\": null}", "expected a data array");
}

/* ---- errors ---- */

Test(app_store_error, json_api_errors)
{
	static const struct {
		const char *body;
		int status;
		const char *code;
	} cases[] = {
		{"{'errors': [{'status': '404', 'code': 'NOT_FOUND', 'title': 'x'}]}", 404,
		 "NOT_FOUND"},
		{"{'errors': [{'status': '401', 'code': 'NOT_AUTHORIZED'}, {'status': '500'}]}",
		 401, "NOT_AUTHORIZED"},
		{"{'errors': [{'status': 403, 'code': 'FORBIDDEN_ERROR'}]}", 403,
		 "FORBIDDEN_ERROR"},
		{"{'errors': [{'status': '400', 'code': 'PARAMETER_ERROR.INVALID'}]}", 400,
		 "PARAMETER_ERROR.INVALID"},
		{"{'errors': [{'status': '4291', 'code': 'RATE_LIMIT_EXCEEDED'}]}", 0,
		 "RATE_LIMIT_EXCEEDED"},
		{"{'errors': [{'status': ' 429', 'code': 'RATE_LIMIT_EXCEEDED'}]}", 0,
		 "RATE_LIMIT_EXCEEDED"},
		{"{'errors': [{'status': '429', 'code': 'RATE LIMIT\\r\\nX: 1'}]}", 429, ""},
		{"{'errors': [{'status': '099'}]}", 0, NULL},
	};
	static const char *const not_errors[] = {
		"",
		"[]",
		"{}",
		"{'errors': []}",
		"{'errors': {}}",
		"{'errors': ['x']}",
		"{'errors': [{'status': 'abc', 'code': 7}]}",
		"{'error': {'code': 429}}",
	};
	struct rw_app_store_error e;
	size_t len;
	char *json;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		json = rwt_json_quotes(cases[i].body);
		memset(&e, 0xa5, sizeof(e));
		if (cases[i].code == NULL) {
			cr_assert_eq(rw_app_store_parse_error(json, strlen(json), &e), -1, "%s",
				     json);
		} else {
			cr_assert_eq(rw_app_store_parse_error(json, strlen(json), &e), 0, "%s",
				     json);
			cr_assert_eq(e.status, cases[i].status, "%s", json);
			cr_assert_str_eq(e.code, cases[i].code, "%s", json);
		}
		free(json);
	}
	for (size_t i = 0; i < sizeof(not_errors) / sizeof(not_errors[0]); i++) {
		json = rwt_json_quotes(not_errors[i]);
		memset(&e, 0xa5, sizeof(e));
		cr_assert_eq(rw_app_store_parse_error(json, strlen(json), &e), -1, "%s", json);
		cr_assert_eq(e.status, 0);
		cr_assert_str_eq(e.code, "");
		free(json);
	}
	json = rwt_slurp(FIXTURES "error_429.json", &len);
	cr_assert_eq(rw_app_store_parse_error(json, len, &e), 0);
	cr_assert_eq(e.status, 429);
	cr_assert_str_eq(e.code, "RATE_LIMIT_EXCEEDED");
	free(json);
}

/* ---- X-Rate-Limit ---- */

static const char *
one_header(void *arg, const char *name)
{
	return strcasecmp(name, "X-Rate-Limit") == 0 ? arg : NULL;
}

Test(app_store_ratelimit, header_variants)
{
	static const struct {
		const char *value;
		long limit, remaining;
	} cases[] = {
		{"user-hour-lim:3500;user-hour-rem:500;", 3500, 500},
		{"user-hour-lim:3500;user-hour-rem:500", 3500, 500},
		{" user-hour-lim : 3500 ; user-hour-rem :\t500 ; ", 3500, 500},
		{"USER-HOUR-LIM:3500;User-Hour-Rem:0;", 3500, 0},
		{"user-hour-rem:500;", -1, 500},
		{"user-hour-lim:3500;garbage;user-hour-rem:12;", 3500, 12},
		{"user-minute-lim:10;user-hour-lim:3500;", 3500, -1},
		{"user-hour-lim:3500;;;user-hour-rem:1;;", 3500, 1},
		{"user-hour-lim:3500;user-hour-rem:-5;", 3500, -1},
		{"user-hour-lim:99999999999999999999999;user-hour-rem:7", -1, 7},
		{"user-hour-lim:3500;user-hour-rem:5xx;", 3500, -1},
		{"user-hour-lim:35 00;user-hour-rem:1", -1, 1},
		{"user-hour-lim:3500:1;user-hour-rem:2;", -1, 2},
		{"user-hour-limit:3500;user-hour-re:5;", -1, -1},
		{"user-hour-lim:;user-hour-rem:;", -1, -1},
		{"garbage", -1, -1},
		{";;;", -1, -1},
		{"", -1, -1},
		{"user-hour-lim=3500,user-hour-rem=500", -1, -1},
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct rw_ratelimit rl = {.limit = -1, .remaining = -1};

		rw_app_store_ratelimit_read(one_header, (void *)cases[i].value, 0, &rl);
		cr_assert_eq(rl.limit, cases[i].limit, "'%s': limit %ld", cases[i].value, rl.limit);
		cr_assert_eq(rl.remaining, cases[i].remaining, "'%s': remaining %ld",
			     cases[i].value, rl.remaining);
		cr_assert_eq(rl.known, cases[i].limit != -1 || cases[i].remaining != -1, "'%s'",
			     cases[i].value);
		cr_assert_eq(rl.reset_at_ms, 0, "'%s'", cases[i].value);
	}
	{
		/* No header: nothing. */
		struct rw_ratelimit rl = {.limit = -1, .remaining = -1};

		rw_app_store_ratelimit_read(one_header, NULL, 0, &rl);
		cr_assert_not(rl.known);
		cr_assert_eq(rl.limit, -1);
	}
}
