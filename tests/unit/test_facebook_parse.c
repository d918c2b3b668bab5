/*
 * test_facebook_parse: Graph posts with their comments nested (facebook.h)
 * over tests/fixtures/meta/facebook_posts.json (the shapes of the Graph
 * API's Page Feed and Comments references): the Page's own post skipped but
 * its comments kept, a visitor's post as a mention, the Page's reply to a
 * comment as a brand reply to that comment, "+0000"/"+0100" times, the
 * after cursor; and rejects, refusals. Also runs under ASan.
 */
#include <criterion/criterion.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "replywatch/config.h"
#include "replywatch/item.h"
#include "replywatch/page.h"
#include "replywatch/sources/facebook.h"

#include "rwtest.h"
#include "rwtparse.h"

#define FIXTURES RW_SOURCE_DIR "/tests/fixtures/meta/"
#define PAGE_ID "101"

Test(facebook_parse, posts_comments_and_replies)
{
	struct rw_page page;
	const struct rw_item *it;

	rwt_parse_file(rw_facebook_parse_posts, FIXTURES "facebook_posts.json", PAGE_ID, &page);
	cr_assert_eq(page.nentries, 2);
	cr_assert_eq(page.nitems, 4);
	cr_assert_str_eq(page.next, "QVFIUmFmdGVy");
	cr_assert_eq(page.newest_ms, rwt_utc_ms(2026, 12, 4, 10, 0));
	cr_assert_eq(page.oldest_ms, rwt_utc_ms(2026, 12, 3, 9, 0));

	it = &page.items[0]; /* the visitor's post: a mention of its own */
	cr_assert_str_eq(it->id, "101_2001");
	cr_assert_eq(it->kind, RW_KIND_MENTION);
	cr_assert_not(it->from_brand);
	cr_assert_str_eq(it->author, "Cy Visitor");
	cr_assert_str_eq(it->conversation_id, "101_2001");
	cr_assert_str_eq(it->url, "https://www.facebook.com/101/posts/2001");
	cr_assert_str_eq(it->text, "Is the shop open on Sunday?");

	it = &page.items[1]; /* comments oldest first; the Page's own post is no item */
	cr_assert_str_eq(it->id, "2002_3001");
	cr_assert_eq(it->kind, RW_KIND_COMMENT);
	cr_assert_not(it->from_brand);
	cr_assert_str_eq(it->author, "Ann Customer");
	cr_assert_str_eq(it->conversation_id, "101_2002");
	cr_assert_eq(it->created_at_ms, rwt_utc_ms(2026, 12, 4, 10, 5));
	cr_assert_str_eq(it->url, "https://www.facebook.com/101/posts/2002?comment_id=3001");

	it = &page.items[2];
	cr_assert_str_eq(it->id, "2002_3002");
	cr_assert_eq(it->created_at_ms, rwt_utc_ms(2026, 12, 4, 9, 10)); /* +0100 */
	cr_assert_not(it->from_brand);

	it = &page.items[3]; /* the Page answers Ann's comment */
	cr_assert_str_eq(it->id, "2002_3003");
	cr_assert(it->from_brand);
	cr_assert_str_eq(it->in_reply_to, "2002_3001");
	cr_assert_str_eq(it->conversation_id, "101_2002");
	cr_assert_eq(it->created_at_ms, rwt_utc_ms(2026, 12, 4, 10, 20));
	rw_page_clear(&page);
}

Test(facebook_parse, page_comment_without_parent_answers_the_post)
{
	struct rw_page page;

	rwt_parse_ok(rw_facebook_parse_posts,
		     "{'data':[{'id':'779_5','created_time':'2026-12-04T10:00:00+0000',"
		     "'from':{'id':'779','name':'V'},'comments':{'data':[{'id':'5_6',"
		     "'created_time':'2026-12-04T10:30:00+0000','from':{'id':'101',"
		     "'name':'Brand'}}]}}]}",
		     PAGE_ID, &page);
	cr_assert_eq(page.nitems, 2);
	cr_assert_null(page.next);
	cr_assert_str_eq(page.items[0].id, "779_5");
	cr_assert(page.items[1].from_brand);
	cr_assert_str_eq(page.items[1].in_reply_to, "779_5");
	rw_page_clear(&page);
}

Test(facebook_parse, hidden_author_and_rejects)
{
	struct rw_page page;

	rwt_parse_ok(rw_facebook_parse_posts,
		     "{'data':[{'id':'101_1','created_time':'2026-12-04T10:00:00+0000',"
		     "'comments':{'data':[{'id':'1_4','created_time':'2026-12-04T10:03:00+0000'},"
		     "{'id':'1_3','created_time':'soon'},{'id':'1/2',"
		     "'created_time':'2026-12-04T10:01:00+0000'}]}},"
		     "{'id':'../x','created_time':'2026-12-04T09:00:00+0000'}]}",
		     PAGE_ID, &page);
	/* A post without "from" (the Page's own list) is no item; a comment
	 * whose author the token may not read is kept as "unknown". */
	cr_assert_eq(page.nitems, 1);
	cr_assert_str_eq(page.items[0].id, "1_4");
	cr_assert_str_eq(page.items[0].author, "unknown");
	cr_assert_eq(page.nrejects, 3);
	rwt_expect_reject(&page, 0, RW_REJECT_BAD_ID, NULL);
	rwt_expect_reject(&page, 1, RW_REJECT_BAD_ID, NULL);
	rwt_expect_reject(&page, 2, RW_REJECT_BAD_TIME, "1_3");
	rw_page_clear(&page);
}

Test(facebook_parse, not_a_page)
{
	static const char blind[] = "{\"data\":[],\"paging\":{\"next\":\"https://g.test/x\"}}";

	rwt_parse_fails(rw_facebook_parse_posts, "[]", 2, PAGE_ID, "expected a JSON object", false,
			200);
	rwt_parse_fails(rw_facebook_parse_posts, "{}", 2, PAGE_ID, "no data array", false, 200);
	rwt_parse_fails(rw_facebook_parse_posts, blind, strlen(blind), PAGE_ID,
			"paging.next without a usable after cursor", false, 200);
}

Test(facebook_parse, too_many_comments_refused_whole)
{
	char *body =
		rwt_repeat("{\"data\":[{\"id\":\"1_2\",\"created_time\":\"2026-12-04T10:00:00Z\","
			   "\"comments\":{\"data\":[",
			   "{\"id\":\"2_3\"}", RW_PAGE_MAX_ENTRIES, "]}}]}");

	rwt_parse_refused(rw_facebook_parse_posts, body, PAGE_ID,
			  "page too large: 1001 entries (at most 1000)");
	free(body);
}
