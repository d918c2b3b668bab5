/*
 * notify: talking to systemd — readiness, reload and stop notifications,
 * status lines, and the watchdog keep-alive.
 *
 * Every function is a no-op when the daemon does not run under systemd
 * (NOTIFY_SOCKET unset), so the daemon behaves the same in a terminal.
 */
#ifndef REPLYWATCH_NOTIFY_H
#define REPLYWATCH_NOTIFY_H

struct ev_loop;
struct rw_watchdog;

/* READY=1 with a STATUS= line. */
void rw_notify_ready(const char *status);
/* RELOADING=1 (with MONOTONIC_USEC=, harmless on systemd 252, used by 253+). */
void rw_notify_reloading(void);
/* STOPPING=1. */
void rw_notify_stopping(void);
/* STATUS=line. */
void rw_notify_status(const char *status);

/* When systemd's watchdog is on for this process, starts an ev_timer that
 * sends WATCHDOG=1 at half the interval — from the loop, so a wedged loop
 * stops the pings. Returns NULL when the watchdog is off (nothing to free). */
struct rw_watchdog *rw_watchdog_start(struct ev_loop *loop);

/* Stops the timer and frees. Accepts NULL. */
void rw_watchdog_free(struct rw_watchdog *wd);

#endif
