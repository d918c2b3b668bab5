/*
 * tracker_internal.h: what tracker*.c share.
 */
#ifndef REPLYWATCH_TRACKER_INTERNAL_H
#define REPLYWATCH_TRACKER_INTERNAL_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "replywatch/mention.h"
#include "replywatch/tracker.h"

struct redisReply;
struct rw_calendar;

struct rw_tracker {
	struct rw_store *store;
	const struct rw_config *cfg;
	struct rw_policy_set *ps;
	rw_tracker_due_fn *due_fn;
	void *due_arg;
	rw_tracker_events_fn *events_fn;
	void *events_arg;
	size_t pending;
};

/* How often a change that lost a race (its version moved) is tried again. */
#define TRACKER_RETRIES 5

/* The policy (by name, in the current configuration) and its calendar. */
const struct rw_policy_config *tracker_policy(struct rw_tracker *tr, const char *name,
					      struct rw_calendar **cal);

/*
 * One change for the apply script: m's fields as they are now, moving it
 * from (from_state, from_policy) — ignored when expect is 0 — to its state
 * and policy; its events (a new array of serialised events, taken over) and
 * counters (taken over; may be NULL). Returns a new object or NULL.
 */
json_t *tracker_change(struct rw_tracker *tr, const struct rw_mention *m, long long expect,
		       enum rw_state from_state, const char *from_policy, json_t *events,
		       json_t *counters);

/* Appends the event of type for m (at, due, level) to events. Returns 0/-1. */
int tracker_add_event(struct rw_tracker *tr, json_t *events, const struct rw_source_config *src,
		      const struct rw_mention *m, unsigned type, unsigned level, int64_t due,
		      int64_t at);

/* Adds n (tracker_count: 1) to counter field "what:POLICY[:suffix]". */
void tracker_add(json_t *counters, const char *what, const char *policy, const char *suffix,
		 int64_t n);
void tracker_count(json_t *counters, const char *what, const char *policy, const char *suffix);

/*
 * Resolves open m as replied at reply_ms (reply_id) or closed at now with
 * reason: fills the response times, and adds the resolved event (when it
 * was warned or breached) and the statistics to events/counters/change.
 * Returns a new change object (expecting m's current version) or NULL.
 */
json_t *tracker_resolve(struct rw_tracker *tr, const struct rw_source_config *src,
			struct rw_mention *m, enum rw_state to, int64_t at_ms, const char *reply_id,
			const char *reason);

typedef void tracker_applied_fn(struct rw_tracker *tr, const struct redisReply *reply, void *arg);
/* Runs the apply script for src with changes (taken over). all: every change
 * or none. Returns 0 (fn will run) or -1. */
int tracker_apply(struct rw_tracker *tr, const struct rw_source_config *src, json_t *changes,
		  bool all, tracker_applied_fn *fn, void *arg);

/* Runs the fetch script for src with the given arguments. */
int tracker_fetch(struct rw_tracker *tr, const struct rw_source_config *src, int argc,
		  const char **argv, tracker_applied_fn *fn, void *arg);

/* Runs any other script of src (one that appends no events). */
int tracker_script(struct rw_tracker *tr, const struct rw_source_config *src, const char *script,
		   int argc, const char **argv, tracker_applied_fn *fn, void *arg);

/* The verdict string of element i of an apply reply, or NULL. */
const char *tracker_verdict(const struct redisReply *reply, size_t i);

#endif
