/*
 * app_store: pure parsers for the App Store Connect API's customer reviews
 * (JSON:API documents) and its rate-limit header (no I/O).
 *
 *   GET /v1/apps/ID/customerReviews?sort=-createdDate&include=response
 *   GET /v1/customerReviews/ID?include=response
 *   GET /v1/customerReviews/ID/response
 */
#ifndef REPLYWATCH_APP_STORE_H
#define REPLYWATCH_APP_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "replywatch/ratelimit.h"

struct rw_page;

/* Apple's resource ids (customerReviews, customerReviewResponses) are
 * UUID-like: 1 to 64 bytes of hex digits and '-'. */
#define RW_APP_STORE_ID_MAX 64
bool rw_app_store_id_valid(const char *id);

/*
 * A customerReviews list: each data[] resource of type customerReviews
 * becomes an item of kind review: id, rating = attributes.rating (1..5),
 * author = reviewerNickname ("anonymous" without one), text = title +
 * "\n\n" + body (whichever is given alone; NULL with neither), created_at =
 * createdDate (offsets such as -08:00 are applied), conversation_id = the
 * id; no url (Apple gives no public link to a review).
 * Its answer is relationships.response.data {type, id}, looked up among
 * included[] by type and id: a customerReviewResponses resource whose
 * state is PUBLISHED becomes a brand reply: id = "ID/reply", in_reply_to =
 * conversation_id = ID, text = responseBody, created_at = lastModifiedDate
 * (Apple keeps only the last edit's time: the tracker keeps the first one
 * it saw). PENDING_PUBLISH (the customer cannot see it yet), any other
 * state, no response, or one not included are no answer (skipped).
 * Rejects: a resource of another type, attributes or a response that are
 * no object, a title, body or responseBody of another type than string
 * ("wrong type"); no or a bad id, also the response's ("no id", "bad
 * id"); a rating other than the integers 1..5 ("bad rating"); a
 * reviewerNickname of another type ("bad author"); no readable
 * createdDate / lastModifiedDate ("bad created_at"). A rejected reply
 * (named "ID/reply") leaves its review kept.
 * newest_ms/oldest_ms come from createdDate (the list's order with
 * sort=-createdDate), newest_id/oldest_id are the first and last valid ids
 * in list order; next = the cursor query parameter of links.next, as it
 * stands in that URL (still percent-encoded): the connector sends it back
 * as cursor= with its own other parameters, so the host and path of a
 * link from the answer are never followed. More than RW_PAGE_MAX_ENTRIES
 * data[] or included[], a links.next without a cursor, or a cursor that
 * rw_page_token_valid refuses is an error (nothing of it is taken).
 * Returns 0, or -1 with a reason in err (page zeroed).
 */
int rw_app_store_parse_reviews(const char *body, size_t len, struct rw_page *page, char *err,
			       size_t errlen);

/* One customerReviews document (GET /v1/customerReviews/ID?include=
 * response, data an object): the review and its reply as above (nentries
 * 1). */
int rw_app_store_parse_review(const char *body, size_t len, struct rw_page *page, char *err,
			      size_t errlen);

/* The response to review_id (GET /v1/customerReviews/ID/response, data a
 * customerReviewResponses resource or null): at most the brand reply, as
 * above (nentries 1; 0 and no item for data null). A response whose
 * relationships.review names another review is rejected as "bad id". A
 * 404 (the review has no response, or is gone) is the connector's to
 * read (rw_app_store_parse_error). review_id must be valid, and body an
 * object with a data member. Returns 0, or -1 with a reason in err. */
int rw_app_store_parse_response(const char *body, size_t len, const char *review_id,
				struct rw_page *page, char *err, size_t errlen);

/* JSON:API errors {"errors":[{"status":"429","code":"RATE_LIMIT_EXCEEDED",
 * "title":...,"detail":...}]}: the first error's status and code. */
#define RW_APP_STORE_CODE_MAX 64
struct rw_app_store_error {
	int status;                           /* 100..599; 0 when not given */
	char code[RW_APP_STORE_CODE_MAX + 1]; /* "RATE_LIMIT_EXCEEDED"; "" when not given */
};

/* Reads body's first error into *out. The status is a string of three
 * digits (JSON:API) or an integer, 100..599; the code up to
 * RW_APP_STORE_CODE_MAX of [A-Za-z0-9_.-] (Apple's are dotted upper-case
 * words such as "NOT_AUTHORIZED" or "PARAMETER_ERROR.INVALID"). Returns 0
 * when either was read, -1 otherwise (*out zeroed). title and detail are
 * not kept: they may quote the request. */
int rw_app_store_parse_error(const char *body, size_t len, struct rw_app_store_error *out);

/* X-Rate-Limit: user-hour-lim:3500;user-hour-rem:500; into out->limit and
 * out->remaining (known when either reads); no reset (a rolling hour).
 * Parts are separated by ';' (the last one may be missing), blanks around
 * names, ':' and values are allowed, names compare without case, an
 * unreadable part is ignored. The signature of struct
 * rw_platform.ratelimit_read (platform.h); fills only what it finds. */
void rw_app_store_ratelimit_read(rw_header_lookup_fn *lookup, void *arg, int64_t now_ms,
				 struct rw_ratelimit *out);

#endif
