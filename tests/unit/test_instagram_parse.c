/*
 * test_instagram_parse: Instagram media with comments and their one level
 * of replies (instagram.h) over tests/fixtures/meta/instagram_media.json
 * (the shapes of the Instagram Graph API's IG Media and IG Comment
 * references): the brand's reply recognised by from.id, or by username
 * when "from" is missing; tagged media as mentions. Also runs under ASan.
 */
#include <criterion/criterion.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "replywatch/config.h"
#include "replywatch/item.h"
#include "replywatch/page.h"
#include "replywatch/sources/instagram.h"

#include "rwtest.h"
#include "rwtparse.h"

#define FIXTURES RW_SOURCE_DIR "/tests/fixtures/meta/"
#define USER_ID "17841405822304914"

static const struct rw_instagram_brand brand = {USER_ID, "brandcafe"};
static const struct rw_instagram_brand brand_no_name = {USER_ID, NULL};

static int
own_media(const char *body, size_t len, const char *b, struct rw_page *page, char *err,
	  size_t errlen)
{
	(void)b;
	return rw_instagram_parse_media(body, len, &brand, false, page, err, errlen);
}

static int
tagged_media(const char *body, size_t len, const char *b, struct rw_page *page, char *err,
	     size_t errlen)
{
	(void)b;
	return rw_instagram_parse_media(body, len, &brand, true, page, err, errlen);
}

static int
own_media_no_name(const char *body, size_t len, const char *b, struct rw_page *page, char *err,
		  size_t errlen)
{
	(void)b;
	return rw_instagram_parse_media(body, len, &brand_no_name, false, page, err, errlen);
}

Test(instagram_parse, comment_and_brand_reply)
{
	struct rw_page page;
	const struct rw_item *it;

	rwt_parse_file(own_media, FIXTURES "instagram_media.json", NULL, &page);
	cr_assert_eq(page.nentries, 1);
	cr_assert_eq(page.nitems, 2);
	cr_assert_null(page.next); /* no "next": the last page */
	cr_assert_eq(page.newest_ms, rwt_utc_ms(2026, 12, 4, 9, 0));

	it = &page.items[0];
	cr_assert_str_eq(it->id, "17870913679156914");
	cr_assert_eq(it->kind, RW_KIND_COMMENT);
	cr_assert_not(it->from_brand);
	cr_assert_str_eq(it->author, "ann");
	cr_assert_str_eq(it->conversation_id, "17895695668004550");
	cr_assert_str_eq(it->url, "https://www.instagram.com/p/ABC123/");
	cr_assert_eq(it->created_at_ms, rwt_utc_ms(2026, 12, 4, 9, 30));

	it = &page.items[1];
	cr_assert_str_eq(it->id, "17870913679156915");
	cr_assert(it->from_brand);
	cr_assert_str_eq(it->in_reply_to, "17870913679156914");
	cr_assert_eq(it->created_at_ms, rwt_utc_ms(2026, 12, 4, 9, 45));
	rw_page_clear(&page);
}

Test(instagram_parse, brand_by_username_when_from_missing)
{
	static const char body[] =
		"{'data':[{'id':'1','timestamp':'2026-12-04T09:00:00+0000','comments':{'data':["
		"{'id':'2','timestamp':'2026-12-04T09:10:00+0000','username':'brandcafe'}]}}]}";
	struct rw_page page;

	rwt_parse_ok(own_media, body, NULL, &page);
	cr_assert_eq(page.nitems, 1);
	cr_assert(page.items[0].from_brand);
	cr_assert_str_eq(page.items[0].in_reply_to, "1"); /* top level: answers the media */
	rw_page_clear(&page);
	/* Without a configured username, the same comment is someone's. */
	rwt_parse_ok(own_media_no_name, body, NULL, &page);
	cr_assert_eq(page.nitems, 1);
	cr_assert_not(page.items[0].from_brand);
	rw_page_clear(&page);
}

Test(instagram_parse, tagged_media_are_mentions)
{
	struct rw_page page;

	rwt_parse_ok(tagged_media,
		     "{'data':[{'id':'9','timestamp':'2026-12-04T08:00:00+0000','caption':"
		     "'love @brandcafe','permalink':'https://www.instagram.com/p/T/','username':"
		     "'bob'},{'id':'8','timestamp':'2026-12-04T07:00:00+0000','username':"
		     "'brandcafe'}],'paging':{'cursors':{'after':'QQ'},'next':'https://x/y'}}",
		     NULL, &page);
	cr_assert_eq(page.nitems, 1); /* the brand tagging itself is skipped */
	cr_assert_str_eq(page.items[0].id, "9");
	cr_assert_eq(page.items[0].kind, RW_KIND_MENTION);
	cr_assert_str_eq(page.items[0].author, "bob");
	cr_assert_str_eq(page.items[0].text, "love @brandcafe");
	cr_assert_str_eq(page.next, "QQ");
	rw_page_clear(&page);
}

Test(instagram_parse, rejects)
{
	struct rw_page page;

	rwt_parse_ok(
		own_media,
		"{'data':[{'id':'1','timestamp':'2026-12-04T09:00:00+0000','comments':{'data':["
		"{'id':'2','timestamp':'2026-12-04T09:10:00+0000'},"
		"{'id':'3','timestamp':'bad','username':'x'}]}}]}",
		NULL, &page);
	cr_assert_eq(page.nitems, 0);
	cr_assert_eq(page.nrejects, 2);
	rwt_expect_reject(&page, 0, RW_REJECT_BAD_TIME, "3");
	rwt_expect_reject(&page, 1, RW_REJECT_BAD_AUTHOR, "2");
	rw_page_clear(&page);
}

/* The IG User node's mentioned_comment and mentioned_media answers (the
 * shapes of the IG User Mentioned Comment / Mentioned Media references). */
static void
mentioned(const char *body, bool caption, const char *id, struct rw_page *page)
{
	char err[200] = "";

	cr_assert_eq(rw_instagram_parse_mentioned(body, strlen(body), caption, id,
						  "17900000000000002", page, err, sizeof(err)),
		     0, "refused: %s", err);
	cr_assert_eq(page->nentries, 1);
}

Test(instagram_parse, mentioned_comment)
{
	struct rw_page page;

	mentioned("{\"mentioned_comment\":{\"id\":\"17873440459141021\","
		  "\"text\":\"@brandcafe is the shop "
		  "open?\",\"timestamp\":\"2026-12-04T10:00:00+0000\","
		  "\"username\":\"jane.customer\",\"like_count\":3,"
		  "\"media\":{\"id\":\"17900000000000007\","
		  "\"permalink\":\"https://www.instagram.com/p/ABC/\"}},\"id\":\"" USER_ID "\"}",
		  false, "17873440459141021", &page);
	cr_assert_eq(page.nitems, 1);
	cr_assert_str_eq(page.items[0].id, "17873440459141021");
	cr_assert_eq(page.items[0].kind, RW_KIND_MENTION);
	cr_assert_str_eq(page.items[0].author, "jane.customer");
	cr_assert_str_eq(page.items[0].text, "@brandcafe is the shop open?");
	cr_assert_str_eq(page.items[0].url, "https://www.instagram.com/p/ABC/");
	cr_assert_str_eq(page.items[0].conversation_id, "17900000000000007");
	cr_assert_eq(page.items[0].created_at_ms, 1796378400000LL);
	cr_assert_not(page.items[0].from_brand);
	rw_page_clear(&page);
	/* Without username or media (Graph may leave them out): "unknown", and
	 * the media the webhook named. */
	mentioned("{\"mentioned_comment\":{\"id\":\"181\",\"text\":\"hi\","
		  "\"timestamp\":\"2026-12-04T10:00:00+0000\"},\"id\":\"" USER_ID "\"}",
		  false, "181", &page);
	cr_assert_eq(page.nitems, 1);
	cr_assert_str_eq(page.items[0].author, "unknown");
	cr_assert_str_eq(page.items[0].conversation_id, "17900000000000002");
	cr_assert_null(page.items[0].url);
	rw_page_clear(&page);
}

Test(instagram_parse, mentioned_media)
{
	struct rw_page page;

	mentioned("{\"mentioned_media\":{\"id\":\"17900000000000002\","
		  "\"caption\":\"lunch at @brandcafe\",\"timestamp\":\"2026-12-04T09:00:00+0000\","
		  "\"permalink\":\"https://www.instagram.com/p/XYZ/\",\"username\":\"sam\","
		  "\"media_type\":\"IMAGE\"},\"id\":\"" USER_ID "\"}",
		  true, "17900000000000002", &page);
	cr_assert_eq(page.nitems, 1);
	cr_assert_str_eq(page.items[0].author, "sam");
	cr_assert_str_eq(page.items[0].text, "lunch at @brandcafe");
	cr_assert_str_eq(page.items[0].url, "https://www.instagram.com/p/XYZ/");
	cr_assert_str_eq(page.items[0].conversation_id, "17900000000000002");
	rw_page_clear(&page);
}

Test(instagram_parse, mentioned_rejects_and_errors)
{
	struct rw_page page;
	char err[200];
	const char *other = "{\"mentioned_comment\":{\"id\":\"999\",\"text\":\"x\","
			    "\"timestamp\":\"2026-12-04T10:00:00+0000\"}}";
	const char *no_time = "{\"mentioned_comment\":{\"id\":\"181\",\"text\":\"x\"}}";
	const char *none = "{\"id\":\"" USER_ID "\"}";

	/* An answer about another comment, or one without a time: rejected. */
	mentioned(other, false, "181", &page);
	cr_assert_eq(page.nitems, 0);
	cr_assert_eq(page.nrejects, 1);
	cr_assert_str_eq(page.rejects[0].reason, RW_REJECT_BAD_ID);
	rw_page_clear(&page);
	mentioned(no_time, false, "181", &page);
	cr_assert_eq(page.nitems, 0);
	cr_assert_str_eq(page.rejects[0].reason, RW_REJECT_BAD_TIME);
	rw_page_clear(&page);
	/* No mentioned_comment at all, the wrong one, or no JSON: errors. */
	cr_assert_eq(rw_instagram_parse_mentioned(none, strlen(none), false, "181", NULL, &page,
						  err, sizeof(err)),
		     -1);
	cr_assert_eq(rw_instagram_parse_mentioned(other, strlen(other), true, "999", NULL, &page,
						  err, sizeof(err)),
		     -1);
	cr_assert_eq(
		rw_instagram_parse_mentioned("[", 1, false, "181", NULL, &page, err, sizeof(err)),
		-1);
	cr_assert_eq(page.nitems, 0);
}
