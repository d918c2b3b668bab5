/*
 * quota: a platform's daily quota of units (struct rw_daily_quota,
 * platform.h) counted into the rate-limit shape the poller keeps per
 * endpoint (ratelimit.h). Pure apart from the zone switch: the C library's
 * zone data gives the reset instant (daylight saving included).
 *
 * The count lives in the daemon's memory: after a restart it starts again
 * from the full allocation, and the platform's own refusal (spent) brings
 * it back to 0 until the reset.
 */
#ifndef REPLYWATCH_QUOTA_H
#define REPLYWATCH_QUOTA_H

#include <stddef.h>
#include <stdint.h>

#include "replywatch/platform.h"
#include "replywatch/ratelimit.h"

/* The first midnight on zone's clock after now_ms, in ms; 0 when the C
 * library cannot tell (an unknown zone reads as UTC) or memory runs out. */
int64_t rw_quota_next_midnight(const char *zone, int64_t now_ms);

/* Counts one answer (status, body) received at now_ms into *rl: a new day
 * (no reset yet, or the reset passed) starts at q->units; each answer costs
 * q->cost; an answer q->spent recognises leaves 0 until the reset. */
void rw_quota_note(const struct rw_daily_quota *q, long status, const char *body, size_t len,
		   int64_t now_ms, struct rw_ratelimit *rl);

#endif
