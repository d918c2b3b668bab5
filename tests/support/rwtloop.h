/*
 * rwtloop: a libev loop for the in-process integration tests (the store,
 * the cluster member, the HTTP client driven by the test itself). A timer
 * wakes the loop every 10 ms, so a test that runs it one iteration at a
 * time sees its condition and its deadline even when nothing happens.
 */
#ifndef RWTLOOP_H
#define RWTLOOP_H

#include <stdbool.h>

struct ev_loop;

/* A new loop with its wake-up timer; fails the test when it cannot. One
 * at a time per process (Criterion runs each test in its own). */
struct ev_loop *rwt_loop_new(void);

/* Stops the wake-up timer and destroys the loop. Accepts NULL. */
void rwt_loop_free(struct ev_loop *loop);

/* Runs loop until *counter reaches want or timeout_s passes; true when it
 * reached want. */
bool rwt_loop_until_count(struct ev_loop *loop, const int *counter, int want, double timeout_s);

#endif
