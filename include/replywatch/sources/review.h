/*
 * review: what the review parsers (google_business.h, google_play.h,
 * app_store.h) share: one review and the brand's answer on it become two
 * items, and a review list is walked the same way on every platform. Pure:
 * no I/O.
 */
#ifndef REPLYWATCH_REVIEW_H
#define REPLYWATCH_REVIEW_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "replywatch/item.h"
#include "replywatch/page.h"

/* The author of a review whose reviewer the platform does not name (Google's
 * "A Google user" with isAnonymous, Play's missing authorName, Apple's
 * missing reviewerNickname): stable, so policies and /mentions can match
 * it. */
#define RW_REVIEW_ANONYMOUS "anonymous"

/* The brand's answer on review ID is the item "ID/reply": no platform's
 * review id holds a '/', so it cannot be another review's id. */
#define RW_REVIEW_REPLY_SUFFIX "/reply"

/* Longest review id the review parsers keep, so that the answer's id
 * (id + RW_REVIEW_REPLY_SUFFIX) still passes rw_item_id_valid. Each
 * platform's rule is narrower still. */
#define RW_REVIEW_ID_MAX (RW_ITEM_ID_MAX - (sizeof(RW_REVIEW_REPLY_SUFFIX) - 1))

/* Longest display name kept as an author, in bytes (cut on a character
 * boundary). */
#define RW_REVIEW_AUTHOR_MAX 256

/* True when id is 1 to max bytes (max at most RW_REVIEW_ID_MAX), each a
 * letter, a digit or one of extra. */
bool rw_review_id_chars(const char *id, size_t max, const char *extra);

/* Sets *out to a new string "review_id/reply" (caller frees). Returns 0,
 * or -1 on allocation failure (*out NULL). */
int rw_review_reply_id(const char *review_id, char **out);

/* Completes it (its id and time already set) as the brand's answer to
 * review review_id: kind review, from the brand, in reply to and in the
 * conversation of the review, with text (copied; NULL: none). Returns
 * RW_PAGE_KEPT, or RW_PAGE_NOMEM. */
enum rw_page_entry rw_review_reply_fill(struct rw_item *it, const char *review_id,
					const char *text);

/* An optional string member key of obj: 0 with *s the string (borrowed),
 * or NULL when absent, null or ""; -1 when it is another JSON type or holds
 * a NUL (*s NULL). */
int rw_review_opt_str(const json_t *obj, const char *key, const char **s);

/* A page token v the platform gave (a JSON value; NULL when absent): 0
 * with *token the string (borrowed), or NULL for none (absent, null, "");
 * -1 when it is another type or a string rw_page_token_valid refuses. */
int rw_review_token(const json_t *v, const char **token);

/* The RFC 3339 time (rw_time_parse: fractions, offsets) of member key of
 * obj in ms, or 0 when it is absent, not a string, holds a NUL, cannot be
 * read or is not after 1970-01-01T00:00:00Z (0 means "no time" to pages
 * and items). */
int64_t rw_review_time(const json_t *obj, const char *key);

/* Sets *out to the review's text: title + "\n\n" + body when both are
 * given, else whichever is given, else NULL. Returns 0, or -1 on allocation
 * failure (*out NULL). */
int rw_review_text(const char *title, const char *body, char **out);

/* Sets *out to the reviewer's name as an author: name cleaned of control
 * characters and cut to RW_REVIEW_AUTHOR_MAX bytes (rw_utf8_clean), or
 * RW_REVIEW_ANONYMOUS when name is NULL or anonymous is true. Returns 0, or
 * -1 on allocation failure (*out NULL). */
int rw_review_author(const char *name, bool anonymous, char **out);

/*
 * One entry of a review list, read by a platform's parser into two items:
 * the review and the brand's answer on it. Each is RW_PAGE_KEPT,
 * RW_PAGE_SKIPPED (no answer), RW_PAGE_REJECTED (why says why; the item's
 * id set only when valid) or RW_PAGE_NOMEM.
 */
struct rw_review_entry {
	struct rw_item review, reply;
	enum rw_page_entry review_e, reply_e;
	const char *review_why, *reply_why;
};

/* What a platform's parser says about one entry of its list. */
struct rw_review_list {
	/* The id (valid or NULL) and the time (ms, 0: unreadable) by which
	 * the list is ordered: the page's watermarks. */
	void (*place)(const json_t *entry, const char **id, int64_t *ms);
	/* Fills e (zeroed) from entry; ctx is the parser's own. */
	void (*read)(const json_t *entry, void *ctx, struct rw_review_entry *e);
	void *ctx;
};

/*
 * Walks entries (a JSON array of at most RW_PAGE_MAX_ENTRIES) from the
 * last (oldest) to the first into page: each entry's place counts into the
 * watermarks (newest_id/oldest_id by place in the list, the first and the
 * last valid ones, since review ids do not sort), then its review and its
 * answer are kept (review first), rejected or skipped; an answer is never
 * kept without its review. Returns 0, or -1 when out of memory (page then
 * holds what was taken so far: the caller clears it).
 */
int rw_review_walk(const json_t *entries, const struct rw_review_list *list, struct rw_page *page);

/* The entries of a list: member key of doc, an array of at most
 * RW_PAGE_MAX_ENTRIES (absent or null reads as none when !required).
 * Returns 0 with *entries (borrowed; NULL for none), or -1 with err set
 * ("expected a KEY array", "an" before a vowel, "page too large: N KEY (at most 1000)"). */
int rw_review_entries(const json_t *doc, const char *key, bool required, const json_t **entries,
		      char *err, size_t errlen);

/*
 * A review list answer: body must be a JSON object whose member key holds
 * the reviews (an array; absent or null: none) and whose next page token
 * is member token_key of the document, or, when token_in is not NULL, of
 * its member token_in (an object, or absent or null: no token). Walks the
 * reviews into page (zeroed first) with page->next the token. Returns 0,
 * or -1 with err set ("expected a JSON object", rw_review_entries' errors,
 * "TOKEN_IN: not an object", "TOKEN_KEY: not a paging token", "out of
 * memory"; page zeroed).
 */
int rw_review_parse_list(const char *body, size_t len, const char *key, const char *token_in,
			 const char *token_key, const struct rw_review_list *list,
			 struct rw_page *page, char *err, size_t errlen);

/* A single review read by id: body must be a JSON object, walked as a list
 * of that one entry into page (zeroed first). Returns 0, or -1 with err set
 * (page zeroed). */
int rw_review_parse_one(const char *body, size_t len, const struct rw_review_list *list,
			struct rw_page *page, char *err, size_t errlen);

#endif
