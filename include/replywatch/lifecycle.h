/*
 * lifecycle: the pure rules of a mention's life — its deadlines, and what is
 * due at a given instant. No I/O: the tracker applies what these decide.
 *
 *   open --(warn_after)--> warning --(breach_after)--> breached
 *     `-----------------------'-------------------------'--> replied | closed | expired
 *
 * warn_after, breach_after and escalate_after count business time under the
 * policy calendar (every second without one); give_up_after counts wall time.
 */
#ifndef REPLYWATCH_LIFECYCLE_H
#define REPLYWATCH_LIFECYCLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "replywatch/mention.h"

struct rw_policy_config;
struct rw_calendar;

/* Sets m's policy (copied name; NULL for none) and its deadlines from
 * created_ms; expire_at = created + give_up_after_ms. Returns 0 or -1. */
int rw_lifecycle_schedule(struct rw_mention *m, const struct rw_policy_config *policy,
			  struct rw_calendar *cal, int64_t give_up_after_ms);

struct rw_due_event {
	unsigned type;  /* enum rw_event_type bit */
	unsigned level; /* escalation level (1-based), else 0 */
	int64_t due;    /* the deadline it is raised for */
};

#define RW_MAX_DUE_EVENTS 4

/* What advancing a mention to an instant decides. */
struct rw_advance {
	bool changed; /* anything to write */
	struct rw_due_event events[RW_MAX_DUE_EVENTS];
	size_t nevents;
};

/*
 * Moves open mention m to now: every deadline at or before now is passed.
 * When several pass at once (the daemon was down, or the mention arrived
 * late) only the most severe of each kind is raised: a breach supersedes the
 * warning, the highest escalation step supersedes lower ones; expiry is
 * raised as well as a breach not raised before. Updates m's state and flags
 * in place. Resolved mentions are left alone.
 */
void rw_lifecycle_advance(struct rw_mention *m, int64_t now_ms, struct rw_advance *out);

/* The next instant something is due for open m (a deadline not yet passed,
 * or expiry), or 0 when nothing is (m is resolved). */
int64_t rw_lifecycle_next_due(const struct rw_mention *m);

#endif
