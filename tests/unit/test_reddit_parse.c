/*
 * test_reddit_parse: the Reddit parsers (reddit.h) over answers in
 * tests/fixtures/reddit — mentions.json is the response body of PRAW's
 * recorded GET /message/mentions (research/platforms.md 4.5, copied);
 * inbox.json (comment replies with a private message, the brand's own
 * comment and a broken time among them) and comments.json (the brand's
 * comments) are reconstructed in the same shape — and the rate-limit
 * headers as Reddit sends them. Also runs under ASan.
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
#include "replywatch/sources/reddit.h"

#include "rwtest.h"
#include "rwtparse.h"

#define FIXTURES RW_SOURCE_DIR "/tests/fixtures/reddit/"
#define BRAND "acme_support" /* the account is Acme_Support: compared without case */

static int
parse_mentions(const char *body, size_t len, const char *brand, struct rw_page *page, char *err,
	       size_t errlen)
{
	return rw_reddit_parse_inbox(body, len, brand, RW_KIND_MENTION, page, err, errlen);
}

static int
parse_replies(const char *body, size_t len, const char *brand, struct rw_page *page, char *err,
	      size_t errlen)
{
	return rw_reddit_parse_inbox(body, len, brand, RW_KIND_COMMENT, page, err, errlen);
}

Test(reddit_parse, documented_mention)
{
	struct rw_page page;
	const struct rw_item *it;

	rwt_parse_file(parse_mentions, FIXTURES "mentions.json", BRAND, &page);
	cr_assert_eq(page.nentries, 1);
	cr_assert_eq(page.nitems, 1);
	it = &page.items[0];
	cr_assert_str_eq(it->id, "t1_da2g9oh");
	/* created_utc, not created (8 hours apart in the sample) */
	cr_assert_eq(it->created_at_ms, 1479278253000LL);
	cr_assert_str_eq(it->author, "PyAPITestUser3");
	cr_assert_str_eq(it->text, "But seriously, /u/pyapitestuser2, donde esta?");
	cr_assert_str_eq(it->conversation_id, "t3_5d7tk7");
	cr_assert_str_eq(it->url, "https://www.reddit.com/r/PRAW_73oy54eo3a/comments/5d7tk7/"
				  "calling_test/da2g9oh/?context=3");
	cr_assert_eq(it->kind, RW_KIND_MENTION);
	cr_assert_not(it->from_brand);
	cr_assert_not(it->has_followers);
	cr_assert_str_eq(page.newest_id, "t1_da2g9oh");
	cr_assert_str_eq(page.oldest_id, "t1_da2g9oh");
	cr_assert_eq(page.newest_ms, 1479278253000LL);
	cr_assert_null(page.next, "after null: the last page");
	rw_page_clear(&page);
}

Test(reddit_parse, replies_skip_messages_and_brand_and_reject_bad_time)
{
	struct rw_page page;

	rwt_parse_file(parse_replies, FIXTURES "inbox.json", BRAND, &page);
	cr_assert_eq(page.nentries, 5);
	cr_assert_eq(page.nitems, 2, "t4 and the brand's own skipped, one rejected");
	/* oldest first */
	cr_assert_str_eq(page.items[0].id, "t1_lr9w333");
	cr_assert_eq(page.items[0].created_at_ms, 1764831000500LL, "fractions kept to the ms");
	cr_assert_str_eq(page.items[0].conversation_id, "t3_1h5zq3k", "link_id");
	cr_assert_str_eq(page.items[0].url,
			 "https://www.reddit.com/r/acme/comments/1h5zq3k/refund_status/lr9w333/");
	cr_assert_eq(page.items[0].kind, RW_KIND_COMMENT);
	cr_assert_str_eq(page.items[1].id, "t1_lr9x2b7");
	cr_assert_str_eq(page.items[1].author, "jane_customer");
	cr_assert_eq(page.items[1].created_at_ms, 1764831633250LL);
	cr_assert_eq(page.nrejects, 1);
	rwt_expect_reject(&page, 0, RW_REJECT_BAD_TIME, "t1_lr9w444");
	/* watermarks over t1 entries only (the t4 is another sequence) */
	cr_assert_str_eq(page.newest_id, "t1_lr9x2b7");
	cr_assert_str_eq(page.oldest_id, "t1_lr9w333");
	cr_assert_str_eq(page.next, "t1_lr9w333");
	rw_page_clear(&page);
}

Test(reddit_parse, brand_comments_are_replies)
{
	struct rw_page page;
	const struct rw_item *it;

	rwt_parse_file(rw_reddit_parse_comments, FIXTURES "comments.json", BRAND, &page);
	cr_assert_eq(page.nentries, 3);
	cr_assert_eq(page.nitems, 2);
	cr_assert_eq(page.nrejects, 1);
	rwt_expect_reject(&page, 0, RW_REJECT_BAD_ID, "t1_lr9v100");
	it = &page.items[0];
	cr_assert_str_eq(it->id, "t1_lr9v200");
	cr_assert_str_eq(it->in_reply_to, "t3_1h5zq3k");
	it = &page.items[1];
	cr_assert_str_eq(it->id, "t1_lr9w555");
	cr_assert(it->from_brand);
	cr_assert_str_eq(it->in_reply_to, "t1_lr9w001");
	cr_assert_eq(it->created_at_ms, 1764831500000LL, "the exact time of the answer");
	cr_assert_str_eq(it->conversation_id, "t3_1h5zq3k");
	cr_assert_str_eq(it->author, "Acme_Support");
	cr_assert_str_eq(it->url,
			 "https://www.reddit.com/r/acme/comments/1h5zq3k/refund_status/lr9w555/");
	cr_assert_str_eq(page.next, "t1_lr9v100");
	rw_page_clear(&page);
}

Test(reddit_parse, other_authors_in_brand_stream_skipped)
{
	struct rw_page page;

	rwt_parse_ok(rw_reddit_parse_comments,
		     "{'kind':'Listing','data':{'children':[{'kind':'t1','data':{'name':'t1_abc',"
		     "'author':'mallory','parent_id':'t1_abb','created_utc':1764831100}}],"
		     "'after':null}}",
		     BRAND, &page);
	cr_assert_eq(page.nitems, 0);
	cr_assert_eq(page.nentries, 1);
	cr_assert_str_eq(page.newest_id, "t1_abc", "still a watermark");
	rw_page_clear(&page);
}

Test(reddit_parse, bad_entries_rejected)
{
	struct rw_page page;

	rwt_parse_ok(parse_mentions,
		     "{'kind':'Listing','data':{'children':["
		     "{'kind':'t1','data':{'name':'t1_abc','author':'x','created_utc':1}},"
		     "{'kind':'t1','data':{'name':'t1_ABC','author':'x','created_utc':1}},"
		     "{'kind':'t1','data':{'author':'x','created_utc':1}},"
		     "{'kind':'t1','data':{'name':'t1_abd','created_utc':1}},"
		     "'nonsense'],'after':null}}",
		     BRAND, &page);
	cr_assert_eq(page.nitems, 1);
	cr_assert_eq(page.nrejects, 4);
	/* oldest (last) first */
	rwt_expect_reject(&page, 0, RW_REJECT_WRONG_TYPE, NULL);
	rwt_expect_reject(&page, 1, RW_REJECT_BAD_AUTHOR, "t1_abd");
	rwt_expect_reject(&page, 2, RW_REJECT_NO_ID, NULL);
	rwt_expect_reject(&page, 3, RW_REJECT_BAD_ID, NULL);
	rw_page_clear(&page);
}

Test(reddit_parse, not_a_listing)
{
	size_t len;
	char *body = rwt_slurp(FIXTURES "error.json", &len);

	rwt_parse_fails(parse_mentions, body, len, BRAND, "API error: Forbidden", false, 200);
	free(body);
	rwt_parse_fails(parse_mentions, "[]", 2, BRAND, "expected a JSON object", false, 200);
	rwt_parse_fails(parse_mentions, "{\"kind\":\"Listing\",\"data\":{\"children\":{}}}", 41,
			BRAND, "data.children: expected an array", false, 200);
	rwt_parse_fails(parse_mentions,
			"{\"kind\":\"Listing\",\"data\":{\"children\":[],\"after\":\"x y\"}}", 55,
			BRAND, "data.after: not a fullname", false, 200);
	rwt_parse_fails(rw_reddit_parse_comments, "{", 1, BRAND, "malformed JSON", true, 200);
}

Test(reddit_parse, page_bound)
{
	char *body = rwt_repeat("{\"kind\":\"Listing\",\"data\":{\"children\":[",
				"{\"kind\":\"t4\",\"data\":{}}", RW_PAGE_MAX_ENTRIES + 1,
				"],\"after\":null}}");

	rwt_parse_refused(parse_mentions, body, BRAND,
			  "page too large: 1001 children (at most 1000)");
	free(body);
}

Test(reddit_parse, ids_and_names)
{
	cr_assert(rw_reddit_fullname_valid("t1_da2g9oh"));
	cr_assert(rw_reddit_fullname_valid("t3_5d7tk7"));
	cr_assert_not(rw_reddit_fullname_valid("t7_abc"));
	cr_assert_not(rw_reddit_fullname_valid("t1_"));
	cr_assert_not(rw_reddit_fullname_valid("t1_Abc"));
	cr_assert_not(rw_reddit_fullname_valid("t1_abcdefghijklmn"));
	cr_assert(rw_reddit_comment_valid("t1_abc"));
	cr_assert_not(rw_reddit_comment_valid("t3_abc"));
	cr_assert(rw_reddit_username_valid("Acme_Support"));
	cr_assert(rw_reddit_username_valid("a-b"));
	cr_assert_not(rw_reddit_username_valid("ab"));
	cr_assert_not(rw_reddit_username_valid("/u/acme"));
	cr_assert_not(rw_reddit_username_valid("acme support"));
	cr_assert_not(rw_reddit_username_valid("abcdefghijklmnopqrstu"));
}

/* ---- rate limits ---- */

struct hdrs {
	const char *used, *remaining, *reset;
};

static const char *
lookup(void *arg, const char *name)
{
	const struct hdrs *h = arg;

	if (strcmp(name, "X-Ratelimit-Used") == 0)
		return h->used;
	if (strcmp(name, "X-Ratelimit-Remaining") == 0)
		return h->remaining;
	if (strcmp(name, "X-Ratelimit-Reset") == 0)
		return h->reset;
	return NULL;
}

static struct rw_ratelimit
read_limits(const char *used, const char *remaining, const char *reset)
{
	struct hdrs h = {used, remaining, reset};
	struct rw_ratelimit rl = {.limit = -1, .remaining = -1};

	rw_reddit_ratelimit_read(lookup, &h, 1000000, &rl);
	return rl;
}

Test(reddit_parse, ratelimit_recorded_values)
{
	/* The values of PRAW's cassette (platforms.md 4.4). */
	struct rw_ratelimit rl = read_limits("4", "596.0", "116");

	cr_assert(rl.known);
	cr_assert_eq(rl.remaining, 596, "a float string");
	cr_assert_eq(rl.limit, 600);
	cr_assert_eq(rl.reset_at_ms, 1000000 + 116000, "seconds from now, not a time");
}

Test(reddit_parse, ratelimit_odd_values)
{
	struct rw_ratelimit rl = read_limits(NULL, " 0.9 ", NULL);

	cr_assert(rl.known);
	cr_assert_eq(rl.remaining, 0, "rounded down: not a request left");
	cr_assert_eq(rl.limit, -1);
	cr_assert_eq(rl.reset_at_ms, 0);
	rl = read_limits("1", "-1.0", "soon");
	cr_assert_not(rl.known);
	cr_assert_eq(rl.remaining, -1);
	rl = read_limits("1", "1e3", "1.5");
	cr_assert_not(rl.known);
	cr_assert_eq(rl.remaining, -1);
	cr_assert_eq(rl.reset_at_ms, 0);
}

Test(reddit_parse, times)
{
	json_t *v = json_real(1479278253.0005);
	int64_t ms = 0;

	cr_assert_eq(rw_reddit_time(v, &ms), 0);
	cr_assert_eq(ms, 1479278253001LL);
	json_decref(v);
	v = json_string("1479278253.5");
	cr_assert_eq(rw_reddit_time(v, &ms), 0);
	cr_assert_eq(ms, 1479278253500LL);
	json_decref(v);
	v = json_integer(-5);
	cr_assert_eq(rw_reddit_time(v, &ms), -1);
	json_decref(v);
	v = json_string("nan");
	cr_assert_eq(rw_reddit_time(v, &ms), -1);
	json_decref(v);
	cr_assert_eq(rw_reddit_time(NULL, &ms), -1);
}
