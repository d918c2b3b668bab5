/*
 * test_trustpilot_parse: Trustpilot's parsers (trustpilot.h) — the review
 * list of the research sample (tests/fixtures/trustpilot/reviews.json),
 * companyReply null, absent and present, a review without text or title,
 * anonymous and odd consumers, times with offsets, stars out of range,
 * rejected entries, the single review read again by id, and answers that
 * are not the documented JSON. Also runs under ASan.
 *
 * Inline bodies are written with ' for " (rwt_json_quotes).
 */
#include <criterion/criterion.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "replywatch/sources/review.h"
#include "replywatch/sources/trustpilot.h"
#include "replywatch/config.h"
#include "replywatch/item.h"
#include "replywatch/page.h"

#include "rwtest.h"
#include "rwtparse.h"

#define FIXTURES RW_SOURCE_DIR "/tests/fixtures/trustpilot/"
#define ID1 "6630f0c2a1b2c3d4e5f60718"
#define ID2 "6630e9aa11223344556677ff"
#define ID3 "0123456789abcdefABCDEF01"

static int
reviews(const char *body, size_t len, const char *brand, struct rw_page *page, char *err,
	size_t errlen)
{
	(void)brand;
	return rw_trustpilot_parse_reviews(body, len, page, err, errlen);
}

static const char *review_id = ID1;

static int
review(const char *body, size_t len, const char *brand, struct rw_page *page, char *err,
       size_t errlen)
{
	(void)brand;
	return rw_trustpilot_parse_review(body, len, review_id, page, err, errlen);
}

Test(trustpilot_id, valid)
{
	cr_assert(rw_trustpilot_id_valid(ID1));
	cr_assert(rw_trustpilot_id_valid(ID3));
	cr_assert_not(rw_trustpilot_id_valid(NULL));
	cr_assert_not(rw_trustpilot_id_valid(""));
	cr_assert_not(rw_trustpilot_id_valid("6630f0c2a1b2c3d4e5f6071"));   /* 23 */
	cr_assert_not(rw_trustpilot_id_valid("6630f0c2a1b2c3d4e5f607189")); /* 25 */
	cr_assert_not(rw_trustpilot_id_valid("6630f0c2a1b2c3d4e5f6071g"));
	cr_assert_not(rw_trustpilot_id_valid("../../v1/private/reviews"));
	cr_assert_not(rw_trustpilot_id_valid("6630f0c2a1b2c3d4e5f6071 "));
	cr_assert_not(rw_trustpilot_id_valid("6630f0c2a1b2c3d4e5f607%0"));
}

/* The research sample: a 1-star review without an answer, and a 5-star
 * one answered an hour later; items oldest first, the reply last. */
Test(trustpilot_reviews, research_sample)
{
	struct rw_page page;

	rwt_parse_file(reviews, FIXTURES "reviews.json", NULL, &page);
	cr_assert_eq(page.nentries, 2);
	cr_assert_eq(page.nitems, 3);
	cr_assert_eq(page.nrejects, 0);
	cr_assert_null(page.next);

	const struct rw_item *tom = &page.items[0], *reply = &page.items[1], *jane = &page.items[2];
	cr_assert_str_eq(tom->id, ID2);
	cr_assert_eq(tom->kind, RW_KIND_REVIEW);
	cr_assert(tom->has_rating);
	cr_assert_eq(tom->rating, 5);
	cr_assert_str_eq(tom->author, "Tom K.");
	cr_assert_str_eq(tom->text, "Great\n\nFast shipping.");
	cr_assert_str_eq(tom->url, "https://www.trustpilot.com/reviews/" ID2);
	cr_assert_eq(tom->created_at_ms, 1777579200000LL); /* 2026-04-30T20:00:00Z */
	cr_assert_not(tom->from_brand);

	cr_assert_str_eq(reply->id, ID2 RW_REVIEW_REPLY_SUFFIX);
	cr_assert(reply->from_brand);
	cr_assert_str_eq(reply->in_reply_to, ID2);
	cr_assert_eq(reply->created_at_ms, 1777579200000LL + 65 * 60 * 1000);
	cr_assert_str_eq(reply->text, "Thanks Tom!");

	cr_assert_str_eq(jane->id, ID1);
	cr_assert_eq(jane->rating, 1);
	cr_assert_str_eq(jane->author, "Jane D.");
	cr_assert_str_eq(jane->text,
			 "Parcel lost\n\nTwo weeks and no delivery, no answer from support.");
	cr_assert_eq(jane->created_at_ms, 1777623300000LL); /* 2026-05-01T08:15:00Z */

	cr_assert_eq(page.newest_ms, 1777623300000LL);
	cr_assert_eq(page.oldest_ms, 1777579200000LL);
	rw_page_clear(&page);
}

/* companyReply absent, null, or an object; texts and consumers of every
 * shape; an offset time; stars out of range. */
Test(trustpilot_reviews, shapes)
{
	struct rw_page page;

	rwt_parse_ok(reviews,
		     "{'reviews':["
		     "{'id':'" ID1 "','stars':3,'title':'Only a title','createdAt':"
		     "'2026-05-01T10:15:00+02:00','consumer':{'displayName':'Ann'}},"
		     "{'id':'" ID2 "','stars':2,'text':'Only a text','createdAt':"
		     "'2026-05-01T00:00:00.250-08:00','consumer':{},'companyReply':null},"
		     "{'id':'" ID3 "','stars':7,'createdAt':'2026-04-01T00:00:00Z',"
		     "'companyReply':{'createdAt':'2026-04-02T09:30:00-01:00'}}"
		     "]}",
		     NULL, &page);
	cr_assert_eq(page.nitems, 4);
	cr_assert_eq(page.nrejects, 0);
	/* Oldest first: ID3 (+ its reply), ID1 (08:15Z), ID2 (08:00:00.250Z). */
	cr_assert_str_eq(page.items[0].id, ID3);
	cr_assert_not(page.items[0].has_rating); /* 7 stars is no rating */
	cr_assert_str_eq(page.items[0].author, RW_REVIEW_ANONYMOUS);
	cr_assert_null(page.items[0].text);
	cr_assert_str_eq(page.items[1].id, ID3 RW_REVIEW_REPLY_SUFFIX);
	cr_assert_eq(page.items[1].created_at_ms, 1775125800000LL); /* 2026-04-02T10:30:00Z */
	cr_assert_null(page.items[1].text);
	cr_assert_str_eq(page.items[2].id, ID2);
	cr_assert_str_eq(page.items[2].text, "Only a text");
	cr_assert_str_eq(page.items[2].author, RW_REVIEW_ANONYMOUS);
	cr_assert_eq(page.items[2].created_at_ms, 1777622400250LL);
	cr_assert_str_eq(page.items[3].id, ID1);
	cr_assert_str_eq(page.items[3].text, "Only a title");
	cr_assert_eq(page.items[3].created_at_ms, 1777623300000LL);
	cr_assert_eq(page.items[3].rating, 3);
	rw_page_clear(&page);
}

/* An empty list is the end of the walk; a next page is the connector's. */
Test(trustpilot_reviews, empty)
{
	struct rw_page page;

	rwt_parse_ok(reviews, "{'reviews':[],'links':[]}", NULL, &page);
	cr_assert_eq(page.nentries, 0);
	cr_assert_eq(page.nitems, 0);
	cr_assert_eq(page.newest_ms, 0);
	rw_page_clear(&page);
}

/* Entries that cannot be used are rejected with their reason, named by id
 * only when the id is valid; the rest of the page stands. */
Test(trustpilot_reviews, rejects)
{
	struct rw_page page;

	rwt_parse_ok(reviews,
		     "{'reviews':["
		     "'a string',"
		     "{'stars':1,'createdAt':'2026-05-01T08:00:00Z'},"
		     "{'id':'../../v1/private','createdAt':'2026-05-01T08:00:00Z'},"
		     "{'id':'" ID1 "','createdAt':'yesterday'},"
		     "{'id':'" ID2 "','createdAt':'2026-05-01T08:00:00Z','consumer':'Bob'},"
		     "{'id':'" ID3 "','createdAt':'2026-05-01T08:00:00Z','companyReply':"
		     "{'text':'hi','createdAt':17}}"
		     "]}",
		     NULL, &page);
	cr_assert_eq(page.nentries, 6);
	cr_assert_eq(page.nitems, 1); /* ID3 itself; its reply has no time */
	cr_assert_str_eq(page.items[0].id, ID3);
	cr_assert_eq(page.nrejects, 6);
	/* Rejects oldest first: the list is read from its end. */
	rwt_expect_reject(&page, 0, RW_REJECT_BAD_TIME, ID3);
	rwt_expect_reject(&page, 1, RW_REJECT_WRONG_TYPE, ID2);
	rwt_expect_reject(&page, 2, RW_REJECT_BAD_TIME, ID1);
	rwt_expect_reject(&page, 3, RW_REJECT_BAD_ID, NULL);
	rwt_expect_reject(&page, 4, RW_REJECT_NO_ID, NULL);
	rwt_expect_reject(&page, 5, RW_REJECT_WRONG_TYPE, NULL);
	rw_page_clear(&page);

	rwt_parse_ok(reviews,
		     "{'reviews':[{'id':'" ID1 "','createdAt':'2026-05-01T08:00:00Z',"
		     "'companyReply':'thanks'}]}",
		     NULL, &page);
	cr_assert_eq(page.nitems, 0);
	rwt_expect_reject(&page, 0, RW_REJECT_WRONG_TYPE, ID1);
	rw_page_clear(&page);
}

Test(trustpilot_reviews, malformed)
{
	rwt_parse_fails(reviews, "", 0, NULL, "malformed JSON", true, 160);
	rwt_parse_fails(reviews, "<html>502</html>", 16, NULL, "malformed JSON", true, 160);
	rwt_parse_fails(reviews, "[]", 2, NULL, "expected a JSON object", false, 160);
	rwt_parse_fails(reviews, "{}", 2, NULL, "expected a reviews array", false, 160);
	rwt_parse_fails(reviews, "{\"reviews\":{}}", 14, NULL, "expected a reviews array", false,
			160);
}

Test(trustpilot_reviews, page_too_large)
{
	size_t n = RW_PAGE_MAX_ENTRIES + 1, len = 16 + n * 3;
	char *body = malloc(len), *p = body;

	cr_assert_not_null(body);
	p += sprintf(p, "{\"reviews\":[");
	for (size_t i = 0; i < n; i++)
		p += sprintf(p, "%s{}", i ? "," : "");
	sprintf(p, "]}");
	rwt_parse_refused(reviews, body, NULL, "page too large: 1001 reviews (at most 1000)");
	free(body);
}

/* Read again by id: only the answer counts. */
Test(trustpilot_review, by_id)
{
	struct rw_page page;

	review_id = ID1;
	rwt_parse_ok(review,
		     "{'id':'" ID1 "','stars':1,'createdAt':'2026-05-01T08:15:00Z',"
		     "'updatedAt':'2026-05-02T08:15:00Z','companyReply':{'text':'Sorry!',"
		     "'createdAt':'2026-05-03T12:00:00.123Z','updatedAt':'2026-05-04T00:00:00Z'}}",
		     NULL, &page);
	cr_assert_eq(page.nitems, 1);
	cr_assert(page.items[0].from_brand);
	cr_assert_str_eq(page.items[0].in_reply_to, ID1);
	cr_assert_str_eq(page.items[0].id, ID1 RW_REVIEW_REPLY_SUFFIX);
	cr_assert_eq(page.items[0].created_at_ms,
		     1777809600123LL); /* its createdAt, not the edit */
	rw_page_clear(&page);

	/* Not answered: null or absent. */
	rwt_parse_ok(review,
		     "{'id':'" ID1 "','createdAt':'2026-05-01T08:15:00Z','companyReply':null}",
		     NULL, &page);
	cr_assert_eq(page.nitems, 0);
	cr_assert_eq(page.nrejects, 0);
	rw_page_clear(&page);
	rwt_parse_ok(review, "{'id':'" ID1 "'}", NULL, &page);
	cr_assert_eq(page.nitems, 0);
	rw_page_clear(&page);

	/* An answer without a readable time is rejected, named by the review. */
	rwt_parse_ok(review, "{'id':'" ID1 "','companyReply':{'text':'x'}}", NULL, &page);
	cr_assert_eq(page.nitems, 0);
	rwt_expect_reject(&page, 0, RW_REJECT_BAD_TIME, ID1);
	rw_page_clear(&page);
}

Test(trustpilot_review, refused)
{
	review_id = ID1;
	rwt_parse_fails(review, "{\"id\":\"" ID2 "\"}", 33, NULL, "review: another id", false, 160);
	rwt_parse_fails(review, "{}", 2, NULL, "review: another id", false, 160);
	rwt_parse_fails(review, "[]", 2, NULL, "expected a JSON object", false, 160);
	rwt_parse_fails(review, "garbage", 7, NULL, "malformed JSON", true, 160);
}
