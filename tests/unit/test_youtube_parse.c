/*
 * test_youtube_parse: the YouTube parsers (sources/youtube.h) over a
 * commentThreads page (tests/fixtures/youtube/threads.json: its third
 * thread verbatim from platforms.md 7.5, the others built after the
 * documented resource: the brand's own comment, a thread with the brand's
 * reply and another's inline, a thread without a readable time), a
 * comments.list page (replies.json), Google's quotaExceeded envelope
 * (quota_exceeded.json), the id rule, malformed bodies and the page bound.
 * The quota's count and its reset at midnight Pacific time are the
 * poller's (tests/unit/test_poll_budget.c).
 *
 * Inline bodies are written with ' for " (rwt_json_quotes).
 */
#include <criterion/criterion.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "replywatch/config.h"
#include "replywatch/item.h"
#include "replywatch/page.h"
#include "replywatch/sources/youtube.h"

#include "rwtest.h"
#include "rwtparse.h"

#define FIXTURES RW_SOURCE_DIR "/tests/fixtures/youtube/"
#define BRAND "UCa-vrCLQHviTOVnEKDOdetQ"
#define THREAD "UgyWeTdgc4sc1xgmbld4AaABAg"

static int
threads(const char *body, size_t len, const char *brand, struct rw_page *page, char *err,
	size_t errlen)
{
	return rw_youtube_parse_threads(body, len, brand, page, err, errlen);
}

static int
replies(const char *body, size_t len, const char *brand, struct rw_page *page, char *err,
	size_t errlen)
{
	return rw_youtube_parse_replies(body, len, brand, THREAD, page, err, errlen);
}

static void
expect_comment(const struct rw_item *it, const char *id, int64_t ms, const char *author,
	       const char *text, const char *video)
{
	char url[256];

	snprintf(url, sizeof(url), "https://www.youtube.com/watch?v=%s&lc=%s", video, id);
	cr_assert_str_eq(it->id, id);
	cr_assert_eq(it->created_at_ms, ms, "%s: %lld", id, (long long)it->created_at_ms);
	cr_assert_str_eq(it->author, author);
	cr_assert_str_eq(it->text, text);
	cr_assert_str_eq(it->conversation_id, video);
	cr_assert_str_eq(it->url, url);
	cr_assert_eq(it->kind, RW_KIND_COMMENT);
}

Test(youtube_parse, documented_threads_page)
{
	struct rw_page page;

	rwt_parse_file(threads, FIXTURES "threads.json", BRAND, &page);
	cr_assert_eq(page.nentries, 4);
	cr_assert_eq(page.nitems, 3);
	/* Oldest first: kun liu's thread, sam's, then the brand's reply to sam. */
	expect_comment(&page.items[0], THREAD, 1575171415000, "kun liu",
		       "Hope to go next time. yah!", "JE8xdDp5B8Q");
	cr_assert_not(page.items[0].from_brand);
	cr_assert_null(page.items[0].in_reply_to);
	expect_comment(&page.items[1], "UgxQuestion1234567890AaABAg", 1575190800123, "@sam",
		       "Where is the \"reset\" button?", "JE8xdDp5B8Q");
	expect_comment(&page.items[2], "UgxQuestion1234567890AaABAg.9abcBRAND0001", 1575192605000,
		       "Acme", "On the back, next to the port.", "JE8xdDp5B8Q");
	cr_assert(page.items[2].from_brand);
	cr_assert_str_eq(page.items[2].in_reply_to, "UgxQuestion1234567890AaABAg");
	/* The brand's own thread counts for the watermark, the unreadable time does not. */
	cr_assert_eq(page.newest_ms, 1575280800000);
	cr_assert_eq(page.oldest_ms, 1575171415000);
	cr_assert_str_eq(page.next, "QURTSl9pMmtLbnRZMVBvUXc2");
	cr_assert_eq(page.nrejects, 1);
	rwt_expect_reject(&page, 0, RW_REJECT_BAD_TIME, "UgyBadTime000000000AaABAg");
	rw_page_clear(&page);
}

Test(youtube_parse, replies_page_gives_the_brand_reply_only)
{
	struct rw_page page;

	rwt_parse_file(replies, FIXTURES "replies.json", BRAND, &page);
	cr_assert_eq(page.nentries, 2);
	cr_assert_eq(page.nitems, 1);
	cr_assert_str_eq(page.items[0].id, THREAD ".9zzBRAND0001");
	cr_assert_eq(page.items[0].created_at_ms, 1575285133456);
	cr_assert(page.items[0].from_brand);
	cr_assert_str_eq(page.items[0].in_reply_to, THREAD);
	cr_assert_str_eq(page.items[0].text, "See you there!");
	/* comments.list gives no videoId: no conversation, no link. */
	cr_assert_null(page.items[0].url);
	cr_assert_null(page.next);
	rw_page_clear(&page);
}

Test(youtube_parse, replies_come_out_oldest_first)
{
	struct rw_page page;

	rwt_parse_ok(replies,
		     "{'items':[{'id':'b2','snippet':{'authorDisplayName':'Acme','authorChannelId':"
		     "{'value':'" BRAND "'},'publishedAt':'2020-01-02T00:00:00Z'}},"
		     "{'id':'b1','snippet':{'authorDisplayName':'Acme','authorChannelId':"
		     "{'value':'" BRAND "'},'publishedAt':'2020-01-01T00:00:00Z'}}]}",
		     BRAND, &page);
	cr_assert_eq(page.nitems, 2);
	cr_assert_str_eq(page.items[0].id, "b1");
	cr_assert_str_eq(page.items[1].id, "b2");
	rw_page_clear(&page);
}

Test(youtube_parse, empty_and_malformed)
{
	struct rw_page page;

	rwt_parse_ok(threads, "{'kind':'youtube#commentThreadListResponse'}", BRAND, &page);
	cr_assert_eq(page.nentries, 0);
	cr_assert_eq(page.nitems, 0);
	rw_page_clear(&page);
	rwt_parse_fails(threads, "[]", 2, BRAND, "expected a JSON object", true, 160);
	rwt_parse_fails(threads, "{\"items\":{}}", 12, BRAND, "items is not an array", true, 160);
	rwt_parse_fails(threads, "{\"items\":[],\"nextPageToken\":7}", 30, BRAND,
			"items is not an array", true, 160);
	rwt_parse_fails(threads, "{\"items\":", 9, BRAND, "malformed JSON", true, 160);
	rwt_parse_fails(replies, "{\"items\":3}", 11, BRAND, "items is not an array", true, 160);
}

Test(youtube_parse, bad_entries_are_rejected_not_fatal)
{
	struct rw_page page;

	rwt_parse_ok(threads,
		     "{'items':[7,{'id':'a b','snippet':{'topLevelComment':{'snippet':{}}}},"
		     "{'snippet':{'topLevelComment':{'snippet':{}}}},"
		     "{'id':'t1','snippet':{'videoId':'v/1','topLevelComment':{'snippet':{}}}},"
		     "{'id':'t2','snippet':{'videoId':'v1','topLevelComment':{'snippet':"
		     "{'publishedAt':'2020-01-01T00:00:00Z'}}}}]}",
		     BRAND, &page);
	cr_assert_eq(page.nitems, 0);
	cr_assert_eq(page.nentries, 5);
	cr_assert_eq(page.nrejects, 5);
	/* Oldest (last) first. */
	rwt_expect_reject(&page, 0, RW_REJECT_BAD_AUTHOR, "t2");
	rwt_expect_reject(&page, 1, RW_REJECT_BAD_ID, NULL);
	rwt_expect_reject(&page, 2, RW_REJECT_NO_ID, NULL);
	rwt_expect_reject(&page, 3, RW_REJECT_BAD_ID, NULL);
	rwt_expect_reject(&page, 4, RW_REJECT_WRONG_TYPE, NULL);
	rw_page_clear(&page);
}

/* Found by fuzz_youtube: a publishedAt before 1970 was kept with a negative
 * time; it is a bad time like an unreadable one. */
Test(youtube_parse, regression_time_before_1970_is_rejected)
{
	struct rw_page page;

	rwt_parse_ok(replies,
		     "{'items':[{'id':'b1','snippet':{'authorDisplayName':'Acme','authorChannelId':"
		     "{'value':'" BRAND "'},'publishedAt':'1009-12-02T11:12:13.456Z'}}]}",
		     BRAND, &page);
	cr_assert_eq(page.nitems, 0);
	rwt_expect_reject(&page, 0, RW_REJECT_BAD_TIME, "b1");
	rw_page_clear(&page);
	rwt_parse_ok(threads,
		     "{'items':[{'id':'t1','snippet':{'videoId':'v1','topLevelComment':{'snippet':"
		     "{'authorDisplayName':'x','publishedAt':'1969-12-31T23:59:59Z'}}}}]}",
		     BRAND, &page);
	cr_assert_eq(page.nitems, 0);
	cr_assert_eq(page.oldest_ms, 0);
	rwt_expect_reject(&page, 0, RW_REJECT_BAD_TIME, "t1");
	rw_page_clear(&page);
}

Test(youtube_parse, page_bound)
{
	char *big = rwt_repeat("{\"items\":[", "{}", RW_PAGE_MAX_ENTRIES + 1, "]}");

	rwt_parse_refused(threads, big, BRAND, "more than 1000 entries");
	free(big);
}

Test(youtube_parse, id_rule)
{
	char longid[RW_YOUTUBE_ID_MAX + 2];

	cr_assert(rw_youtube_id_valid("UgyWeTdgc4sc1xgmbld4AaABAg.9zz-_x"));
	cr_assert(rw_youtube_id_valid(BRAND));
	cr_assert_not(rw_youtube_id_valid(""));
	cr_assert_not(rw_youtube_id_valid(NULL));
	cr_assert_not(rw_youtube_id_valid("a b"));
	cr_assert_not(rw_youtube_id_valid("a&b"));
	memset(longid, 'a', sizeof(longid) - 1);
	longid[sizeof(longid) - 1] = '\0';
	cr_assert_not(rw_youtube_id_valid(longid));
	longid[RW_YOUTUBE_ID_MAX] = '\0';
	cr_assert(rw_youtube_id_valid(longid));
}

Test(youtube_parse, errors_are_read_from_the_reason)
{
	size_t len;
	char *body = rwt_slurp(FIXTURES "quota_exceeded.json", &len);

	cr_assert_eq(rw_youtube_parse_error(body, len), RW_YOUTUBE_ERROR_QUOTA);
	free(body);
	body = rwt_json_quotes("{'error':{'errors':[{'reason':'dailyLimitExceeded'}]}}");
	cr_assert_eq(rw_youtube_parse_error(body, strlen(body)), RW_YOUTUBE_ERROR_QUOTA);
	free(body);
	/* The message alone says nothing: only the reason counts. */
	body = rwt_json_quotes("{'error':{'code':403,'message':'exceeded your quota','errors':"
			       "[{'reason':'forbidden','message':'exceeded your quota'}]}}");
	cr_assert_eq(rw_youtube_parse_error(body, strlen(body)), RW_YOUTUBE_ERROR_OTHER);
	free(body);
	body = rwt_json_quotes("{'error':{'code':400,'message':'API key not valid. Please pass a "
			       "valid API key.','errors':[{'message':'API key not valid. Please "
			       "pass a valid API key.','domain':'global','reason':'badRequest'}],"
			       "'status':'INVALID_ARGUMENT','details':[{'@type':'type.googleapis."
			       "com/google.rpc.ErrorInfo','reason':'API_KEY_INVALID','domain':"
			       "'googleapis.com'}]}}");
	cr_assert_eq(rw_youtube_parse_error(body, strlen(body)), RW_YOUTUBE_ERROR_KEY);
	free(body);
	body = rwt_json_quotes("{'error':{'errors':[{'domain':'usageLimits','reason':'keyInvalid',"
			       "'message':'Bad Request'}],'code':400,'message':'Bad Request'}}");
	cr_assert_eq(rw_youtube_parse_error(body, strlen(body)), RW_YOUTUBE_ERROR_KEY);
	free(body);
	cr_assert_eq(rw_youtube_parse_error("{}", 2), RW_YOUTUBE_ERROR_OTHER);
	cr_assert_eq(rw_youtube_parse_error(NULL, 0), RW_YOUTUBE_ERROR_OTHER);
}
