/*
 * hookstore: what a source's webhooks keep in Redis, so that a restart
 * loses none of it (docs/data-model.md, docs/webhooks.md):
 *
 * - removals ("tombstones"): ids the platform said were deleted, each with
 *   the time of its removal, for RW_HOOKSTORE_REMOVED_TTL_MS and at most
 *   RW_HOOKSTORE_REMOVED_MAX per source (the oldest go first). An add that
 *   arrives after its own removal (deliveries come out of order), or a
 *   poll that still sees a deleted item before the platform drops it, must
 *   not open a mention nobody can answer any more.
 * - the queue of items a delivery named without their content (Instagram
 *   comment @mentions: ids only), for the poller to read from the platform
 *   (connector.h, struct rw_queued_read): member "KIND|ID|CONVERSATION"
 *   scored by the receipt time (ms), and a hash of failed reads per member.
 *
 * The key names ("B rm", "B hq", "B hqa") come from keys.h. Operations are asynchronous through
 * the store; each calls its done function exactly once when it returned 0,
 * never when it returned -1 (nothing was sent). They may be called from a
 * store or HTTP callback.
 */
#ifndef REPLYWATCH_HOOKSTORE_H
#define REPLYWATCH_HOOKSTORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct rw_store;
struct rw_item;

#define RW_HOOKSTORE_REMOVED_TTL_MS ((int64_t)24 * 3600 * 1000)
#define RW_HOOKSTORE_REMOVED_MAX 10000

/* result 0: done; -1: Redis failed (the write or read may not have happened). */
typedef void rw_hookstore_done_fn(void *arg, int result);

/* Remembers ids[0..n) of source as removed at now_ms (a removal seen again
 * keeps its first time), then trims the set to the last day and the newest
 * RW_HOOKSTORE_REMOVED_MAX. Returns 0 (done will run) or -1. */
int rw_hookstore_note_removed(struct rw_store *st, const char *source, char *const *ids, size_t n,
			      int64_t now_ms, rw_hookstore_done_fn *done, void *arg);

/* result as above; dropped: how many items were removed from the array. */
typedef void rw_hookstore_drop_fn(void *arg, int result, size_t dropped);

/* Drops from items[0..*n) (kept in order, *n lowered) those whose id source
 * removed within RW_HOOKSTORE_REMOVED_TTL_MS before now_ms; a dropped item
 * is cleared. items and n are borrowed until fn runs and must not move.
 * With result -1 nothing is dropped. Returns 0 (fn will run) or -1. */
int rw_hookstore_drop_removed(struct rw_store *st, const char *source, struct rw_item *items,
			      size_t *n, int64_t now_ms, rw_hookstore_drop_fn *fn, void *arg);

/* One queued item. */
struct rw_queued {
	char kind;             /* the connector's letter ('c', 'm' for instagram) */
	char *id;              /* the platform's id */
	char *conversation_id; /* or NULL */
	int64_t received_ms;   /* when the delivery naming it arrived */
	unsigned attempts;     /* reads that failed so far */
};

/* Frees the strings of q[0..n) and q. Accepts NULL. */
void rw_queued_free(struct rw_queued *q, size_t n);

/* True when id (and conversation_id, when not NULL) can be a queue member:
 * 1 to 256 printable ASCII characters without '|' or space. */
bool rw_queued_ref_ok(const char *id);

/* Adds q[0..n) to source's queue; one already queued keeps its receipt time.
 * Returns 0 (done will run) or -1. */
int rw_hookstore_queue_add(struct rw_store *st, const char *source, const struct rw_queued *q,
			   size_t n, rw_hookstore_done_fn *done, void *arg);

/* result 0 with q[0..n) owned by the callee (free with rw_queued_free), the
 * oldest first; -1 (q NULL, n 0). Members that cannot be read (written by
 * something else) are left out. */
typedef void rw_hookstore_list_fn(void *arg, int result, struct rw_queued *q, size_t n);

/* Lists up to limit of source's queued items, oldest first, with their
 * failed reads. Returns 0 (fn will run) or -1. */
int rw_hookstore_queue_list(struct rw_store *st, const char *source, size_t limit,
			    rw_hookstore_list_fn *fn, void *arg);

/* Removes done[0..ndone) from source's queue (with their counts) and adds
 * one failed read to each of failed[0..nfailed). Returns 0 (fn will run) or
 * -1. */
int rw_hookstore_queue_settle(struct rw_store *st, const char *source,
			      const struct rw_queued *const *done, size_t ndone,
			      const struct rw_queued *const *failed, size_t nfailed,
			      rw_hookstore_done_fn *fn, void *arg);

#endif
