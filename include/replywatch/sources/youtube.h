/*
 * youtube: the YouTube Data API v3 answers the youtube connector reads
 * (commentThreads.list, comments.list, the error envelope), turned into
 * items and brand replies. Pure: no I/O.
 *
 * Identity: a comment thread's id is its top-level comment's id (the item
 * id); a reply's id is "THREADID.REPLYID" as YouTube gives it; an item's
 * conversation is its videoId; a reply whose snippet.authorChannelId.value
 * is the brand's channel is a brand reply with in_reply_to = the thread id.
 */
#ifndef REPLYWATCH_YOUTUBE_H
#define REPLYWATCH_YOUTUBE_H

#include <stdbool.h>
#include <stddef.h>

struct rw_page;

/* Longest comment, thread, video or channel id accepted, in bytes. */
#define RW_YOUTUBE_ID_MAX 128

/* True when id is 1 to RW_YOUTUBE_ID_MAX bytes of [A-Za-z0-9_.-] (the
 * characters of YouTube's comment, video and channel ids). */
bool rw_youtube_id_valid(const char *id);

/*
 * A commentThreads.list page (part=snippet,replies, newest first) into
 * page: each thread's top-level comment as an inbound comment (unless the
 * brand wrote it), then the brand's replies among its inline replies,
 * threads oldest first. newest_ms/oldest_ms are the top-level comments'
 * publishedAt; next is nextPageToken. channel_id is the brand's channel.
 * Returns 0, or -1 with err (the page zeroed) when the body is not such a
 * page or holds more than RW_PAGE_MAX_ENTRIES threads.
 */
int rw_youtube_parse_threads(const char *body, size_t len, const char *channel_id,
			     struct rw_page *page, char *err, size_t errlen);

/*
 * A comments.list page (part=snippet, parentId=thread_id): the brand's
 * replies in it, as brand replies to thread_id. Returns 0, or -1 with err
 * (the page zeroed) when malformed.
 */
int rw_youtube_parse_replies(const char *body, size_t len, const char *channel_id,
			     const char *thread_id, struct rw_page *page, char *err, size_t errlen);

/* What a refused answer's {"error": {"errors": [{"reason"}]}} says. */
enum rw_youtube_error {
	RW_YOUTUBE_ERROR_OTHER,
	/* "quotaExceeded" (or the older "dailyLimitExceeded"): the day's
	 * units are spent until midnight Pacific time. */
	RW_YOUTUBE_ERROR_QUOTA,
	/* The API key is refused ("keyInvalid", "keyExpired",
	 * "ipRefererBlocked", "accessNotConfigured": the API is not enabled
	 * for the key's project; or details[].reason "API_KEY_INVALID"):
	 * a person must act. YouTube answers these with 400 or 403. */
	RW_YOUTUBE_ERROR_KEY,
};

/* Reads the reasons of Google's error envelope (errors[].reason, and
 * details[].reason of the newer form; matched, never the message). */
enum rw_youtube_error rw_youtube_parse_error(const char *body, size_t len);

#endif
