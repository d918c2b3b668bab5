/*
 * push: the items of POST /ingest/SOURCE, parsed and validated.
 *
 * A body is one item or an array of items. A mention item is
 *   {"id","created_at","author","author_followers","text","url","kind",
 *    "conversation_id","rating"}  (id, created_at, author required)
 * and a brand reply {"id","created_at","in_reply_to","from_brand":true}.
 * Ids are strings, created_at an RFC 3339 time. Unknown keys are errors, so
 * a typo never drops a field silently. The whole body is validated before
 * anything is taken: one bad item rejects the batch.
 */
#ifndef REPLYWATCH_PUSH_H
#define REPLYWATCH_PUSH_H

#include <stddef.h>
#include <stdint.h>

struct rw_item;

/* Most items one request may carry. */
#define RW_PUSH_MAX_ITEMS 10000

/*
 * Parses body (len bytes). Returns 0 with a new array of *n items (free each
 * with rw_item_clear, then the array), or -1 with a message naming the bad
 * field in err ("items[3].created_at: \"yesterday\" is not an RFC 3339 time"),
 * always valid UTF-8 (cut on a character boundary; other bytes become '?').
 */
int rw_push_parse(const char *body, size_t len, struct rw_item **items, size_t *n, char *err,
		  size_t errlen);

/*
 * Caps every item's created_at (a mention's or a brand reply's) at
 * received_ms, the instant the daemon received them: the sender's clock is
 * not trusted, and a time in the future would delay deadlines (a mention)
 * or shorten a response time (a reply).
 */
void rw_push_cap_times(struct rw_item *items, size_t n, int64_t received_ms);

#endif
