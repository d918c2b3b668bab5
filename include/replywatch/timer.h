/*
 * timer: "fire at instant T on the daemon clock" (rw_now_ms) for the
 * daemon's product waits — a source's next poll and its backoff, the next
 * deadline — so that moving the clock forward (rw_timer_advance, the test
 * clock of docs/testing.md) brings every pending one forward at once.
 *
 * Underneath each is one libev timer on the loop's monotonic time, armed
 * for "T minus now" when it is set: a wall-clock jump does not move it
 * (as with the plain ev_timer it replaces), only rw_timer_advance does.
 * Protocol timeouts (HTTP requests, Redis connects and pings, the
 * watchdog) stay plain ev_timers: no advance fires them.
 *
 * One thread: the armed timers form one process-wide list (the clock is
 * process-wide too). A struct rw_timer is owned by its embedder; it must be
 * stopped (rw_timer_stop) before its memory goes.
 */
#ifndef REPLYWATCH_TIMER_H
#define REPLYWATCH_TIMER_H

#include <ev.h>
#include <stdbool.h>
#include <stdint.h>

struct rw_timer;

/* Runs once when the instant has come; the timer is no longer armed and
 * may be armed again from inside. */
typedef void rw_timer_fn(struct rw_timer *t);

struct rw_timer {
	void *data; /* the embedder's */
	/* Private below. */
	ev_timer w;
	struct ev_loop *loop;
	rw_timer_fn *cb;
	int64_t at_ms; /* the instant armed for; 0: not armed */
	struct rw_timer *prev, *next;
};

/* Prepares t (not armed). */
void rw_timer_init(struct rw_timer *t, struct ev_loop *loop, rw_timer_fn *cb, void *data);

/* Arms t for instant at_ms on rw_now_ms's clock (re-arms it when armed); an
 * instant already past fires on the next loop iteration. */
void rw_timer_at(struct rw_timer *t, int64_t at_ms);

/* Arms t for ms from now (0 or less: the next loop iteration). Returns the
 * instant armed for. */
int64_t rw_timer_in(struct rw_timer *t, int64_t ms);

/* Disarms t; harmless when it is not armed. */
void rw_timer_stop(struct rw_timer *t);

/* True while t is armed. */
bool rw_timer_armed(const struct rw_timer *t);

/* The instant t is armed for, or 0. */
int64_t rw_timer_when(const struct rw_timer *t);

/* Moves the daemon clock forward by ms (rw_clock_advance) and brings every
 * armed timer as much closer: those now due fire on the next loop
 * iteration, the others keep their instant. Returns 0, or -1 and changes
 * nothing when rw_clock_advance refuses ms. For the test clock only:
 * production never calls it. */
int rw_timer_advance(int64_t ms);

#endif
