/*
 * google_business: pure parsers for the Google Business Profile API v4
 * reviews of one location (no I/O). Errors come in Google's envelope
 * (google_error.h).
 *
 *   GET /v4/accounts/A/locations/L/reviews?orderBy=updateTime desc
 *   GET /v4/accounts/A/locations/L/reviews/ID
 */
#ifndef REPLYWATCH_GOOGLE_BUSINESS_H
#define REPLYWATCH_GOOGLE_BUSINESS_H

#include <stdbool.h>
#include <stddef.h>

struct rw_page;

/* A reviewId is 1 to 256 bytes of RFC 3986's unreserved characters
 * ([A-Za-z0-9._~-]): it goes unescaped into the path of a re-read. */
#define RW_GOOGLE_BUSINESS_ID_MAX 256
bool rw_google_business_id_valid(const char *id);

/* A review's resource name "accounts/A/locations/L/reviews/ID" (A and L
 * as ids above): returns ID (borrowed from name), or NULL when name is not
 * one. */
const char *rw_google_business_name_id(const char *name);

/*
 * A ListReviewsResponse: each review becomes an item of kind review:
 * id = reviewId (else the last part of name; a name given must end in
 * that id), rating = starRating "ONE".."FIVE" as 1..5, author =
 * reviewer.displayName ("anonymous" when isAnonymous or no name), text =
 * comment (NULL without one), url = reviewReplyUrl when it is an https://
 * URL (v4 gives no link to a review otherwise), conversation_id = the id,
 * created_at = createTime, never later than updateTime (updateTime alone
 * when createTime cannot be read).
 * reviewReply, when present, becomes a brand reply: id = "ID/reply",
 * in_reply_to = conversation_id = ID, text = reviewReply.comment,
 * created_at = reviewReply.updateTime (Google keeps only the last edit's
 * time: the tracker keeps the first one it saw).
 * Rejects: an entry, reviewer or reviewReply that is no object ("wrong
 * type"); no or a bad reviewId/name ("no id", "bad id"); a rating other
 * than ONE..FIVE, STAR_RATING_UNSPECIFIED included ("bad rating"); a
 * comment of another type than string ("wrong type"); a displayName of
 * another type ("bad author"); no readable time ("bad created_at"). A
 * rejected reply (named "ID/reply") leaves its review kept.
 * newest_ms/oldest_ms come from updateTime (the list's order), newest_id/
 * oldest_id are the first and last valid ids in list order, next =
 * nextPageToken. "reviews" may be absent (no review at all). More than
 * RW_PAGE_MAX_ENTRIES reviews, or a nextPageToken rw_page_token_valid
 * refuses, is an error (nothing of it is taken).
 * Returns 0, or -1 with a reason in err (page zeroed).
 */
int rw_google_business_parse_reviews(const char *body, size_t len, struct rw_page *page, char *err,
				     size_t errlen);

/* One Review object (GET .../reviews/ID): the review and its reply as
 * above (nentries 1). A body that is not an object is an error; a review
 * that cannot be used is a reject, as in a list. */
int rw_google_business_parse_review(const char *body, size_t len, struct rw_page *page, char *err,
				    size_t errlen);

#endif
