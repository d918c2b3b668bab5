/*
 * test_linkedin_parse: LinkedIn's parsers (linkedin.h) — the notification
 * of the research sample (tests/fixtures/linkedin/notifications.json, a
 * COMMENT whose generatedActivity omits "urn:li:" inside), a mention and a
 * LIKE; the reconstructed replies sample (replies.json); URN rules, the
 * brand's own comments, rejects, no text or commenter kept, and answers
 * that are not the documented JSON. Also runs under ASan.
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
#include "replywatch/sources/linkedin.h"

#include "rwtest.h"
#include "rwtparse.h"

#define FIXTURES RW_SOURCE_DIR "/tests/fixtures/linkedin/"
#define ORG "urn:li:organization:96072893"
#define POST "urn:li:activity:7094637247890620418"
#define COMMENT "urn:li:comment:(" POST ",7094977717598625792)"
#define REPLY "urn:li:comment:(" POST ",7094981234567890123)"

static int
notifications(const char *body, size_t len, const char *brand, struct rw_page *page, char *err,
	      size_t errlen)
{
	return rw_linkedin_parse_notifications(body, len, brand, page, err, errlen);
}

static int
replies(const char *body, size_t len, const char *brand, struct rw_page *page, char *err,
	size_t errlen)
{
	return rw_linkedin_parse_replies(body, len, brand, COMMENT, page, err, errlen);
}

Test(linkedin_urn, rules)
{
	char *n;

	cr_assert(rw_linkedin_urn_valid(COMMENT));
	cr_assert(rw_linkedin_urn_valid("urn:li:share:1"));
	cr_assert_not(rw_linkedin_urn_valid(NULL));
	cr_assert_not(rw_linkedin_urn_valid(""));
	cr_assert_not(rw_linkedin_urn_valid("urn:li:"));
	cr_assert_not(rw_linkedin_urn_valid("urn:li:share:"));
	cr_assert_not(rw_linkedin_urn_valid("urn:li:share:1 2"));
	cr_assert_not(rw_linkedin_urn_valid("urn:li:share:1|2"));
	cr_assert_not(rw_linkedin_urn_valid("urn:xx:share:1"));
	cr_assert(rw_linkedin_org_valid(ORG));
	cr_assert_not(rw_linkedin_org_valid("urn:li:organization:"));
	cr_assert_not(rw_linkedin_org_valid("urn:li:organization:12a"));
	cr_assert_not(rw_linkedin_org_valid("urn:li:person:12"));
	n = rw_linkedin_urn_normalise("urn:li:comment:(activity:1,2)");
	cr_assert_str_eq(n, "urn:li:comment:(urn:li:activity:1,2)");
	free(n);
	n = rw_linkedin_urn_normalise(COMMENT);
	cr_assert_str_eq(n, COMMENT);
	free(n);
	cr_assert_null(rw_linkedin_urn_normalise("comment:1"));
}

/* The research sample: the comment (its URN normalised, no text, no
 * commenter), the mention, and the LIKE skipped; oldest first. */
Test(linkedin_notifications, research_sample)
{
	struct rw_page page;

	rwt_parse_file(notifications, FIXTURES "notifications.json", ORG, &page);
	cr_assert_eq(page.nentries, 3);
	cr_assert_eq(page.nitems, 2);
	cr_assert_eq(page.nrejects, 0);
	cr_assert_null(page.next);
	cr_assert_eq(page.newest_ms, 1691574506310);
	cr_assert_eq(page.oldest_ms, 1691573000000);

	const struct rw_item *men = &page.items[0], *c = &page.items[1];
	cr_assert_str_eq(men->id, "urn:li:share:7094600000000000000");
	cr_assert_eq(men->kind, RW_KIND_MENTION);
	cr_assert_str_eq(men->conversation_id, men->id);
	cr_assert_str_eq(men->url,
			 "https://www.linkedin.com/feed/update/urn:li:share:7094600000000000000");
	cr_assert_eq(men->created_at_ms, 1691574000000);
	cr_assert_str_eq(c->id, COMMENT);
	cr_assert_eq(c->kind, RW_KIND_COMMENT);
	cr_assert_eq(c->created_at_ms, 1691574506310);
	cr_assert_str_eq(c->conversation_id, COMMENT); /* its own: see linkedin.h */
	cr_assert_str_eq(c->author, RW_LINKEDIN_MEMBER);
	cr_assert_null(c->text);
	cr_assert_not(c->from_brand);
	cr_assert_str_eq(c->url, "https://www.linkedin.com/feed/update/" POST
				 "?commentUrn=urn%3Ali%3Acomment%3A%28urn%3Ali%3Aactivity%3A"
				 "7094637247890620418%2C7094977717598625792%29");
	rw_page_clear(&page);
}

/* The Page's own comment is no item; an undecorated comment takes
 * generatedActivity (normalised). */
Test(linkedin_notifications, own_and_undecorated)
{
	struct rw_page page;

	rwt_parse_ok(notifications,
		     "{'elements': ["
		     "{'action': 'COMMENT', 'lastModifiedAt': 2000, 'sourcePost': '" POST "',"
		     " 'generatedActivity': 'urn:li:comment:(activity:1,2)',"
		     " 'decoratedGeneratedActivity': {'comment': {'owner': '" ORG "'}}},"
		     "{'action': 'COMMENT', 'lastModifiedAt': 1000, 'sourcePost': '" POST "',"
		     " 'generatedActivity': 'urn:li:comment:(activity:1,3)'}]}",
		     ORG, &page);
	cr_assert_eq(page.nentries, 2);
	cr_assert_eq(page.nitems, 1);
	cr_assert_str_eq(page.items[0].id, "urn:li:comment:(urn:li:activity:1,3)");
	rw_page_clear(&page);
}

Test(linkedin_notifications, rejects)
{
	struct rw_page page;

	rwt_parse_ok(notifications,
		     "{'elements': [7,"
		     "{'action': 'COMMENT', 'sourcePost': '" POST
		     "', 'generatedActivity': '" COMMENT "'},"
		     "{'action': 'COMMENT', 'lastModifiedAt': 5, 'sourcePost': '" POST "'},"
		     "{'action': 'SHARE_MENTION', 'lastModifiedAt': 5, 'generatedActivity': 'x y'},"
		     "{'action': 'COMMENT', 'lastModifiedAt': 5, 'sourcePost': 'nope',"
		     " 'generatedActivity': '" COMMENT "'}]}",
		     ORG, &page);
	cr_assert_eq(page.nitems, 0);
	cr_assert_eq(page.nrejects, 5);
	/* Rejects come oldest first: the list read from its end. */
	rwt_expect_reject(&page, 0, RW_REJECT_BAD_ID, COMMENT);
	rwt_expect_reject(&page, 1, RW_REJECT_BAD_ID, NULL);
	rwt_expect_reject(&page, 2, RW_REJECT_NO_ID, NULL);
	rwt_expect_reject(&page, 3, RW_REJECT_BAD_TIME, NULL);
	rwt_expect_reject(&page, 4, RW_REJECT_WRONG_TYPE, NULL);
	rw_page_clear(&page);
}

Test(linkedin_notifications, malformed)
{
	rwt_parse_fails(notifications, "[]", 2, ORG, "expected a JSON object", false, 200);
	rwt_parse_fails(notifications, "{}", 2, ORG, "no elements array", false, 200);
	rwt_parse_fails(notifications, "{\"elements\": {}}", 16, ORG, "no elements array", false,
			200);
	rwt_parse_fails(notifications, "{", 1, ORG, "malformed JSON", true, 200);
	rwt_parse_fails(notifications, NULL, 0, ORG, "malformed JSON", true, 200);
}

Test(linkedin_notifications, too_many_elements)
{
	char *body = rwt_repeat("{\"elements\": [", "{\"action\": \"LIKE\"}",
				RW_PAGE_MAX_ENTRIES + 1, "]}");

	rwt_parse_refused(notifications, body, ORG, "more than 1000 elements");
	free(body);
}

/* The reconstructed sample: the Page's reply, at created.time, no text. */
Test(linkedin_replies, research_sample)
{
	struct rw_page page;

	rwt_parse_file(replies, FIXTURES "replies.json", ORG, &page);
	cr_assert_eq(page.nentries, 1);
	cr_assert_eq(page.nitems, 1);
	const struct rw_item *r = &page.items[0];
	cr_assert_str_eq(r->id, REPLY);
	cr_assert(r->from_brand);
	cr_assert_str_eq(r->in_reply_to, COMMENT);
	cr_assert_str_eq(r->conversation_id, COMMENT);
	cr_assert_eq(r->created_at_ms, 1691578106310);
	cr_assert_str_eq(r->author, ORG);
	cr_assert_null(r->text);
	rw_page_clear(&page);
}

/* A member's reply is not the brand's; an org reply without commentUrn
 * gets one from object and id; one without a time is rejected. */
Test(linkedin_replies, others_and_rejects)
{
	struct rw_page page;

	rwt_parse_ok(replies,
		     "{'elements': ["
		     "{'id': '9', 'actor': 'urn:li:person:x', 'object': '" POST "',"
		     " 'created': {'time': 10}},"
		     "{'id': '8', 'actor': '" ORG "', 'object': '" POST
		     "', 'created': {'time': 11}},"
		     "{'id': '7', 'actor': '" ORG "', 'object': '" POST "', 'created': {}},"
		     "{'actor': '" ORG "', 'created': {'time': 12}}]}",
		     ORG, &page);
	cr_assert_eq(page.nentries, 4);
	cr_assert_eq(page.nitems, 1);
	cr_assert_str_eq(page.items[0].id, "urn:li:comment:(" POST ",8)");
	cr_assert_eq(page.nrejects, 2);
	rwt_expect_reject(&page, 0, RW_REJECT_BAD_TIME, "urn:li:comment:(" POST ",7)");
	rwt_expect_reject(&page, 1, RW_REJECT_NO_ID, NULL);
	rw_page_clear(&page);
}
