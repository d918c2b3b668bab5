/*
 * store: the daemon's one connection to Redis, on the libev loop.
 *
 * The store connects (TCP to an IP literal, or a unix socket), authenticates,
 * selects the database and loads every embedded Lua script; only then is it
 * "connected". It reconnects by itself after any failure with capped
 * exponential backoff and jitter, has its own connect timeout (hiredis 0.14
 * has none), and pings the server so a hung Redis is noticed. Redis being
 * down never stops the daemon: commands issued meanwhile fail at once.
 *
 * With redis.sentinels and redis.master_name the store first asks the
 * sentinels where the master is (sentinel.h), confirms with ROLE that the
 * server it reached is the master, and asks again after any disconnect, a
 * ROLE that is not "master", or a READONLY, LOADING or MASTERDOWN error.
 * While connected it asks the sentinels once a second (and on NOREPLICAS)
 * and leaves at once when they name another master (split brain).
 *
 * Commands are asynchronous. Each one's callback runs exactly once: with the
 * reply, or with reply == NULL when the command could not complete
 * (disconnect, store freed). The reply is borrowed: it is freed when the
 * callback returns. Callbacks may issue further commands.
 */
#ifndef REPLYWATCH_STORE_H
#define REPLYWATCH_STORE_H

#include <hiredis/hiredis.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "replywatch/sentinel.h"

struct ev_loop;
struct rw_store;
struct rw_redis_config;

/* Most commands allowed in flight at once; beyond it commands fail at once,
 * so a slow Redis cannot make memory grow without bound. */
#define RW_STORE_MAX_IN_FLIGHT 20000

typedef void rw_store_reply_fn(struct rw_store *st, const redisReply *reply, void *arg);
/* Called whenever the store becomes connected or loses its connection. */
typedef void rw_store_state_fn(struct rw_store *st, bool connected, void *arg);

/* A new store for cfg (copied: cfg may be freed afterwards). It does not
 * connect until rw_store_start. NULL on allocation failure. */
struct rw_store *rw_store_new(struct ev_loop *loop, const struct rw_redis_config *cfg);

/* Called on each change of connectedness; borrowed arg. */
void rw_store_set_state_fn(struct rw_store *st, rw_store_state_fn *fn, void *arg);

/* Begins connecting. Failures are retried in the background. */
void rw_store_start(struct rw_store *st);

/* Replaces the connection settings. When they differ from the current ones
 * the connection is dropped and made again with the new ones; commands in
 * flight get NULL replies. Returns 0, or -1 on allocation failure (nothing
 * changed). */
int rw_store_reconfigure(struct rw_store *st, const struct rw_redis_config *cfg);

/* True once connected, authenticated, database selected and scripts loaded. */
bool rw_store_connected(const struct rw_store *st);

/* Why the store is not connected ("connection refused", "AUTH failed: ..."),
 * or NULL when connected. Borrowed; never contains a secret. */
const char *rw_store_last_error(const struct rw_store *st);

/* The server address for logs and /status (no password). Borrowed. */
const char *rw_store_address(const struct rw_store *st);

/* The configured key prefix ("rw:"). Borrowed. */
const char *rw_store_key_prefix(const struct rw_store *st);

/* Commands issued but not yet answered. */
size_t rw_store_in_flight(const struct rw_store *st);

/* Sends a command given as argc binary-safe arguments (copied). Returns 0 when
 * sent (fn will run), or -1 when not connected or the in-flight cap is
 * reached (fn will not run). */
int rw_store_command(struct rw_store *st, int argc, const char **argv, const size_t *argvlen,
		     rw_store_reply_fn *fn, void *arg);

/* Runs the embedded Lua script name with nkeys keys followed by the other
 * arguments: EVALSHA, and EVAL with the body when Redis answers NOSCRIPT
 * (after a restart, failover or SCRIPT FLUSH). Returns 0 or -1 like
 * rw_store_command, and -1 for an unknown script name. */
int rw_store_script(struct rw_store *st, const char *name, int nkeys, int argc, const char **argv,
		    const size_t *argvlen, rw_store_reply_fn *fn, void *arg);

/* The SHA1 (40 hex digits) Redis knows the script name by, or NULL. */
const char *rw_store_script_sha(const char *name);

/* Counters for /status and metrics. */
struct rw_store_stats {
	unsigned long long connects;           /* successful connects */
	unsigned long long disconnects;        /* connections lost */
	unsigned long long noscript_fallbacks; /* EVALSHA answered NOSCRIPT, resent as EVAL */
	unsigned long long rejected;           /* commands refused: not connected or over the cap */
};
void rw_store_get_stats(const struct rw_store *st, struct rw_store_stats *out);

/* How long rw_store_wait lets Redis wait for a replica. WAIT blocks the
 * store's one connection meanwhile, so it is short. */
#define RW_STORE_WAIT_MS 300

/* True when acknowledgements (POST /ingest, alert delivery) must wait for a
 * replica: always in Sentinel mode; with a plain redis.url only while the
 * master reports connected replicas (ROLE, asked at connect and with every
 * liveness ping). A lone Redis never pays for WAIT. */
bool rw_store_replicated(const struct rw_store *st);

typedef void rw_store_wait_fn(struct rw_store *st, bool replicated, void *arg);

/* Sends WAIT 1 RW_STORE_WAIT_MS. Because the store has one connection and
 * Redis runs a client's commands in order, replicated == true means every
 * write this store sent before the call reached at least one replica.
 * replicated is false on a timeout, an error or a disconnect. Returns 0
 * (fn will run once), or -1 like rw_store_command (fn will not run), and -1
 * too within a second of a failed WAIT: WAIT blocks the connection, so
 * while no replica confirms only one call a second waits. */
int rw_store_wait(struct rw_store *st, rw_store_wait_fn *fn, void *arg);

/* The replication picture for /status and metrics. Strings are borrowed
 * from the store and valid until the next store callback. */
struct rw_store_ha {
	bool sentinel;               /* the master is found through Sentinel */
	const char *master;          /* "IP:PORT" of the server in use, or NULL */
	const char *found_by;        /* "sentinel IP:PORT" or "redis.url" */
	const char *const *replicas; /* replicas the sentinel reports (not down) */
	size_t nreplicas;
	int connected_replicas;   /* as the master's ROLE says; -1: not known */
	int64_t last_failover_ms; /* wall clock of the last master change; 0: none */
	unsigned long long master_changes;
	unsigned long long lookups_failed; /* no sentinel gave an answer */
	unsigned long long waits;          /* WAITs answered with a replica */
	unsigned long long waits_failed;   /* WAITs that timed out or failed */
	bool replicated;                   /* rw_store_replicated */
};
void rw_store_get_ha(const struct rw_store *st, struct rw_store_ha *out);

/* Closes the connection (pending callbacks get NULL replies) and frees the
 * store. Accepts NULL. Do not call from inside a store callback. */
void rw_store_free(struct rw_store *st);

#endif
