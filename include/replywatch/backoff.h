/*
 * backoff: the one retry schedule of the daemon (Redis reconnects, polls
 * that failed, alert deliveries).
 */
#ifndef REPLYWATCH_BACKOFF_H
#define REPLYWATCH_BACKOFF_H

/*
 * The wait before retry number attempt (0 for the first retry): first
 * seconds doubled attempt times, at most cap, then spread at random over
 * its upper half, so a retry is never immediate, many clients never retry
 * in step, and none waits far longer than the schedule says. first > 0,
 * cap >= first. Uses random(); pure otherwise.
 */
double rw_backoff_seconds(unsigned attempt, double first, double cap);

#endif
