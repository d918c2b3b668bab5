/*
 * daemon: the running replywatchd — owns the configuration in force, the
 * Redis store and the status HTTP server, and carries out reloads and the
 * drain before exit. main() creates it, hooks signals to it and runs the loop.
 */
#ifndef REPLYWATCH_DAEMON_H
#define REPLYWATCH_DAEMON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct ev_loop;
struct rw_config;
struct rw_store;
struct rw_tracker;
struct rw_stats;
struct rw_poller;
struct rw_alerts;
struct rw_hooks;
struct rw_cluster;

struct rw_daemon;

/* Seconds a SIGTERM drain may take before the daemon exits anyway. */
#define RW_DRAIN_SECONDS 4.5

/* Flags of rw_daemon_start. */
#define RW_DAEMON_TEST_CLOCK 1u /* serve POST /_test/clock (replywatchd --test-clock) */

/* Starts the daemon on loop with cfg, which it takes over (and frees) on
 * success; config_path is re-read on reload. Binds the HTTP listener, starts
 * connecting to Redis and tells systemd it is ready. flags: 0, or
 * RW_DAEMON_TEST_CLOCK for the integration tests. Returns NULL with a
 * reason in err when the listener cannot be bound (cfg then stays the
 * caller's). */
struct rw_daemon *rw_daemon_start(struct ev_loop *loop, const char *config_path,
				  struct rw_config *cfg, unsigned flags, char *err, size_t errlen);

/* SIGHUP: loads and validates the file again; on success swaps the new
 * configuration in, on failure logs every error and keeps the old one.
 * Returns 0 when the new configuration is in force, -1 otherwise. */
int rw_daemon_reload(struct rw_daemon *d);

/* SIGTERM/SIGINT: stops accepting connections, waits for in-flight work
 * (HTTP requests, Redis commands) for at most RW_DRAIN_SECONDS, then breaks
 * the loop. Calling it again is harmless. */
void rw_daemon_shutdown(struct rw_daemon *d);

/* True while shutting down. */
bool rw_daemon_stopping(const struct rw_daemon *d);

/* True when the daemon can do its work: configuration loaded, Redis
 * connected, not shutting down. Otherwise writes why into reason. */
bool rw_daemon_ready(const struct rw_daemon *d, char *reason, size_t len);

/* The configuration in force (borrowed; replaced on reload). */
const struct rw_config *rw_daemon_config(const struct rw_daemon *d);

/* The Redis store (borrowed; the same object for the daemon's lifetime). */
struct rw_store *rw_daemon_store(const struct rw_daemon *d);

/* The tracker (borrowed; the same object for the daemon's lifetime). */
struct rw_tracker *rw_daemon_tracker(const struct rw_daemon *d);

/* The alert engine (borrowed; the same object for the daemon's lifetime). */
struct rw_alerts *rw_daemon_alerts(const struct rw_daemon *d);
/* The platform poller (borrowed; the same object for the daemon's lifetime). */
struct rw_poller *rw_daemon_poller(const struct rw_daemon *d);
/* The live statistics (borrowed). */
struct rw_stats *rw_daemon_stats(const struct rw_daemon *d);
/* The webhook counters (hooks.h; borrowed). */
struct rw_hooks *rw_daemon_hooks(const struct rw_daemon *d);

/* The cluster member (cluster.h; borrowed; the same object for the
 * daemon's lifetime): who owns which source. */
struct rw_cluster *rw_daemon_cluster(const struct rw_daemon *d);

/* When the daemon started, ms since the epoch. */
int64_t rw_daemon_started_at(const struct rw_daemon *d);

/* Frees everything. Accepts NULL. */
void rw_daemon_free(struct rw_daemon *d);

#endif
