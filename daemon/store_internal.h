/*
 * store_internal.h: what store.c, store_settings.c and store_ha.c share.
 * Not part of the store's API (include/replywatch/store.h).
 */
#ifndef REPLYWATCH_STORE_INTERNAL_H
#define REPLYWATCH_STORE_INTERNAL_H

#include <ev.h>
#include <hiredis/async.h>
#include <stdbool.h>
#include <stdint.h>

#include "replywatch/config.h"
#include "replywatch/sentinel.h"
#include "replywatch/store.h"

#define CONNECT_TIMEOUT 5.0  /* seconds until a connect attempt is abandoned */
#define BACKOFF_FIRST 0.1    /* first reconnect delay, seconds */
#define BACKOFF_CAP 2.0      /* longest reconnect delay: Redis back means ready within ~2 s */
#define PING_EVERY 5.0       /* liveness ping interval while connected */
#define PING_DEADLINE 10.0   /* a ping unanswered this long drops the connection */
#define WAIT_PROBE_EVERY 1.0 /* seconds between WAITs while replicas do not confirm */
/* Sentinel mode: seconds between asks whether the master is still ours. */
#define CONFIRM_EVERY 1.0
#define STR2(x) #x
#define STR(x) STR2(x)
#define RW_STORE_WAIT_MS_STR STR(RW_STORE_WAIT_MS)

struct rw_store {
	struct ev_loop *loop;
	struct rw_redis_config set; /* a private copy of the settings */
	redisAsyncContext *ac;      /* NULL while not connected or connecting */
	bool handshaking;           /* connected at TCP level, AUTH/SELECT/SCRIPT LOAD underway */
	bool handshake_failed;
	bool connected; /* handshake done: commands may be sent */
	bool freeing;
	bool noscript_logged; /* a NOSCRIPT fallback was logged since the last EVALSHA hit */
	unsigned attempt;     /* reconnect attempts since the last success */
	char last_error[256];
	size_t in_flight;
	ev_timer reconnect_timer;
	ev_timer connect_timer;
	ev_timer ping_timer;
	ev_tstamp ping_sent; /* 0 when no liveness ping is outstanding */
	rw_store_state_fn *state_fn;
	void *state_arg;
	struct rw_store_stats stats;
	/* Sentinel mode: the lookup underway and what the last one found. */
	struct rw_sentinel_lookup *lookup;
	struct rw_sentinel_answer found;
	bool have_found;
	char master[RW_SENTINEL_ADDR_MAX]; /* "IP:PORT" in use, "" before the first */
	char found_by[RW_SENTINEL_ADDR_MAX + 16];
	const char *replica_ptrs[RW_SENTINEL_REPLICAS_MAX];
	int connected_replicas; /* from ROLE; -1 unknown */
	int64_t last_failover_ms;
	unsigned long long master_changes, lookups_failed, waits, waits_failed;
	bool redirect_asked; /* a READONLY/LOADING/MASTERDOWN disconnect is underway */
	/* Sentinel mode, while connected: the ask whether the master moved
	 * (store_confirm_master) underway, and its timer. */
	struct rw_sentinel_lookup *confirm;
	ev_timer confirm_timer;
	bool role_warned;         /* "not the master" logged since the last good connect */
	ev_tstamp wait_failed_at; /* when a WAIT last failed; 0: the last one succeeded */
};

/* store_settings.c: private copies of the redis settings. */
/* A deep copy of cfg into dst (secrets copied). 0, or -1 with dst cleared. */
int store_settings_copy(struct rw_redis_config *dst, const struct rw_redis_config *cfg);
/* Frees what dst holds (secrets wiped) and zeroes it. */
void store_settings_clear(struct rw_redis_config *s);
/* True when a and b reach the same server (or sentinels) as the same user. */
bool store_settings_same(const struct rw_redis_config *a, const struct rw_redis_config *b);

/* store.c */
void store_set_error(struct rw_store *st, const char *what);

/* store_ha.c: Sentinel mode and replication. */
bool store_is_redirect(const redisReply *reply);
void store_ask_sentinels_again(struct rw_store *st, const char *why);
/* Frees the connection at once (its pending callbacks get NULL replies) and
 * schedules a reconnect. Only from a timer callback, never inside hiredis. */
void store_drop_connection(struct rw_store *st, const char *reason);
/* True for NOREPLICAS: the server takes no writes for want of replicas. */
bool store_is_noreplicas(const redisReply *reply);
/* Sentinel mode, connected: asks the sentinels (in the background) whether
 * the master in use is still theirs, and switches if they name another.
 * At most one ask at a time. */
void store_confirm_master(struct rw_store *st);
/* Starts (connected) or stops the periodic store_confirm_master. */
void store_confirm_start(struct rw_store *st);
void store_confirm_stop(struct rw_store *st);
int store_role_seen(struct rw_store *st, const redisReply *reply, char *why, size_t whylen);
void store_master_found(struct rw_store *st, const struct rw_sentinel_answer *a);
/* Sets st->master and found_by for a plain redis.url. */
void store_set_plain_master(struct rw_store *st);

#endif
