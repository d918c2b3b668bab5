/*
 * tracker: a mention's whole life in Redis — ingest, brand replies, manual
 * close, and the deadlines that fall due. It decides with the lifecycle and
 * policy modules and applies every decision with one atomic script call
 * guarded by the mention's version, so a crash at any instant leaves a
 * consistent state and two daemons never apply the same change twice.
 *
 * Operations are asynchronous; each calls its done function exactly once.
 * The configuration and policy set passed to rw_tracker_use are borrowed:
 * after a reload the old ones must live until rw_tracker_pending() is 0.
 */
#ifndef REPLYWATCH_TRACKER_H
#define REPLYWATCH_TRACKER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct rw_store;
struct rw_config;
struct rw_policy_set;
struct rw_source_config;
struct rw_item;
struct rw_tracker;

/* result: 0 done; -1 Redis failed or is down (detail says why); for close
 * also 1 = no such mention, 2 = already resolved. */
typedef void rw_tracker_done_fn(void *arg, int result, const char *detail);
/* The tracker learnt when something of source is due: exact says due_ms is
 * the source's earliest deadline (0: none), otherwise it is one more
 * candidate (a new mention's). */
typedef void rw_tracker_due_fn(void *arg, const char *source, int64_t due_ms, bool exact);

/* Events of source were just written to its event log. */
typedef void rw_tracker_events_fn(void *arg, const char *source);

struct rw_tracker *rw_tracker_new(struct rw_store *st);
void rw_tracker_use(struct rw_tracker *tr, const struct rw_config *cfg, struct rw_policy_set *ps);
void rw_tracker_set_due_fn(struct rw_tracker *tr, rw_tracker_due_fn *fn, void *arg);
/* Called after every write that appended events (so alert delivery can read
 * them at once instead of waiting for its next look). */
void rw_tracker_set_events_fn(struct rw_tracker *tr, rw_tracker_events_fn *fn, void *arg);
size_t rw_tracker_pending(const struct rw_tracker *tr);

/*
 * Ingests a batch from src, taking over items (the array and its strings).
 * New mentions first — each matched to a policy, scheduled, and, when
 * already past a deadline, raising it at once; a mention whose brand reply
 * is in the same batch (or was seen before it) is recorded as replied and
 * raises nothing. Then the brand replies, in order. Items already tracked
 * change nothing. Returns 0, or -1 when nothing could be started.
 */
int rw_tracker_ingest(struct rw_tracker *tr, const struct rw_source_config *src,
		      struct rw_item *items, size_t n, rw_tracker_done_fn *done, void *arg);

/* Closes src's mention id by hand with reason. */
int rw_tracker_close(struct rw_tracker *tr, const struct rw_source_config *src, const char *id,
		     const char *reason, rw_tracker_done_fn *done, void *arg);

/* Raises every deadline of src due at now_ms, then reports src's next due
 * instant through the due function. */
int rw_tracker_fire(struct rw_tracker *tr, const struct rw_source_config *src, int64_t now_ms,
		    rw_tracker_done_fn *done, void *arg);

/* After a reload: matches every open mention of src against the current
 * policies again and recomputes its deadlines. Events already raised are
 * not raised again; a deadline now in the past is raised at once. */
int rw_tracker_rematch(struct rw_tracker *tr, const struct rw_source_config *src,
		       rw_tracker_done_fn *done, void *arg);

/* Moves src's mentions written in an older Redis layout to the current one
 * (nothing to do is quick). Run on every connect: Redis may have been
 * written by an older daemon meanwhile. */
int rw_tracker_upgrade(struct rw_tracker *tr, const struct rw_source_config *src,
		       rw_tracker_done_fn *done, void *arg);

/* One open mention, as rw_tracker_open_ids lists them. */
struct rw_open_item {
	char *id;
	int64_t created_ms;
};

/* result: 0 with items[0..n) (borrowed for the call), or -1 (Redis failed;
 * items NULL, n 0). */
typedef void rw_tracker_open_fn(void *arg, int result, const struct rw_open_item *items, size_t n);

/*
 * Lists up to limit (1..1000) of src's open mentions (open, warning,
 * breached), oldest first by (created_at, id), strictly after the position
 * (after_ms, after_id); after_id NULL: from the oldest. For connectors that
 * re-read open items by id (connector.h, struct rw_revisit). Returns 0 (fn
 * will run once) or -1 when nothing could be started.
 */
int rw_tracker_open_ids(struct rw_tracker *tr, const struct rw_source_config *src, int64_t after_ms,
			const char *after_id, size_t limit, rw_tracker_open_fn *fn, void *arg);

void rw_tracker_free(struct rw_tracker *tr);

#endif
