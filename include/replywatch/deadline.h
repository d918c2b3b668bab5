/*
 * deadline: raises deadlines at their instant. One ev_timer is armed for the
 * earliest deadline of any source (no periodic scans of mentions); when it
 * fires, the tracker raises whatever is due for that source and reports the
 * source's next deadline. The earliest deadline of each source is read from
 * Redis on connect and once a second, so deadlines another daemon wrote are
 * honoured too.
 *
 * Several daemons (cluster.h, rw_deadlines_set_cluster): only the sources
 * this daemon owns or is the standby for are read; the owner raises at the
 * instant, the standby RW_CLUSTER_STANDBY_GRACE_MS later (the owner died or
 * stopped; the tracker's version check makes a double raise impossible),
 * any other daemon never. A gained source is read at once.
 */
#ifndef REPLYWATCH_DEADLINE_H
#define REPLYWATCH_DEADLINE_H

#include <stdbool.h>
#include <stdint.h>

struct ev_loop;
struct rw_config;
struct rw_store;
struct rw_tracker;
struct rw_deadlines;

struct rw_deadlines *rw_deadlines_new(struct ev_loop *loop, struct rw_store *st,
				      struct rw_tracker *tr);

/* Follows cfg's sources (borrowed until the next call); re-reads their
 * earliest deadlines. */
void rw_deadlines_use(struct rw_deadlines *d, const struct rw_config *cfg);

/* Follows c's ownership (borrowed, outliving d) from now on; without a
 * cluster every source is this daemon's. Call once. */
struct rw_cluster;
void rw_deadlines_set_cluster(struct rw_deadlines *d, struct rw_cluster *c);

/* The tracker's due function (see tracker.h); arg is the rw_deadlines. */
void rw_deadlines_note(void *arg, const char *source, int64_t due_ms, bool exact);

/* Reads the earliest deadline of every source this daemon owns or backs up
 * from Redis now. */
void rw_deadlines_refresh(struct rw_deadlines *d);

void rw_deadlines_free(struct rw_deadlines *d);

#endif
