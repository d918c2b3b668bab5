/*
 * google_play: pure parsers for the Google Play Developer API v3 reviews of
 * one app (no I/O). Errors come in Google's envelope (google_error.h).
 *
 *   GET /androidpublisher/v3/applications/PACKAGE/reviews?token=...
 *   GET /androidpublisher/v3/applications/PACKAGE/reviews/ID
 *
 * Play lists only reviews created or modified in about the last week, with
 * text, most recently modified first, and gives no creation time at all:
 * a review's time is its user comment's lastModified, so an edited review
 * carries the time of its last edit (and one edited after the developer's
 * answer looks later than the answer: the tracker then counts it answered
 * at once).
 */
#ifndef REPLYWATCH_GOOGLE_PLAY_H
#define REPLYWATCH_GOOGLE_PLAY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

struct rw_page;

/* A reviewId is 1 to 256 bytes of RFC 3986's unreserved characters and
 * ':' (Play's ids look like "gp:AOqpTOH..."): it goes unescaped into the
 * path of a re-read. */
#define RW_GOOGLE_PLAY_ID_MAX 256
bool rw_google_play_id_valid(const char *id);

/* A protobuf Timestamp as Play writes it, {"seconds": "1443676826",
 * "nanos": 713000000}, in ms: seconds a string of digits or a JSON integer,
 * at least 1 and at most RW_TIME_MAX_MS / 1000; nanos absent or an integer
 * 0..999999999. 0 for anything else (negative, absurd, another type). */
int64_t rw_google_play_time(const json_t *ts);

/*
 * A reviews list: each review becomes an item of kind review: id =
 * reviewId, author = authorName ("anonymous" without one), and from the
 * first comments[] element holding a userComment: rating = starRating
 * (1..5), text = text (NULL without one), created_at = lastModified
 * (rw_google_play_time; Play has no creation time), conversation_id = the
 * id; no url (Play gives no link to a review).
 * The first developerComment becomes a brand reply: id = "ID/reply",
 * in_reply_to = conversation_id = ID, text = its text, created_at = its
 * lastModified (the last edit's time: the tracker keeps the first one it
 * saw).
 * Rejects: an entry, a comments[] element, a userComment or
 * developerComment that is no object, no userComment, comments that are no
 * array, a text of another type than string ("wrong type"); no or a bad
 * reviewId ("no id", "bad id"); a starRating other than the integers 1..5
 * ("bad rating"); an authorName of another type ("bad author"); an
 * unreadable lastModified ("bad created_at"). A rejected reply (named
 * "ID/reply") leaves its review kept.
 * newest_ms/oldest_ms come from the userComment's lastModified (the list's
 * order), newest_id/oldest_id are the first and last valid ids in list
 * order, next = tokenPagination.nextPageToken. "reviews" may be absent (no
 * review). More than RW_PAGE_MAX_ENTRIES reviews, a tokenPagination that
 * is no object or a token rw_page_token_valid refuses is an error (nothing
 * of it is taken).
 * Returns 0, or -1 with a reason in err (page zeroed).
 */
int rw_google_play_parse_reviews(const char *body, size_t len, struct rw_page *page, char *err,
				 size_t errlen);

/* One Review object (GET .../reviews/ID): the review and its reply as
 * above (nentries 1). A body that is not an object is an error; a review
 * that cannot be used is a reject, as in a list. */
int rw_google_play_parse_review(const char *body, size_t len, struct rw_page *page, char *err,
				size_t errlen);

#endif
