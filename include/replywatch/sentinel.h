/*
 * sentinel: finding the Redis master by asking Redis Sentinel, the way Redis
 * documents for Sentinel clients: ask each configured sentinel in turn, with
 * a short timeout, for SENTINEL get-master-addr-by-name; the first answer
 * wins. The same connection also asks SENTINEL replicas, for /status.
 *
 * The caller (the store) then connects to the address and confirms with ROLE
 * that it is the master; when it is not, or later on a disconnect, READONLY,
 * LOADING or MASTERDOWN, it asks again.
 *
 * Asynchronous, on the libev loop, with hiredis 0.14 (which has no Sentinel
 * support of its own). Never blocks.
 */
#ifndef REPLYWATCH_SENTINEL_H
#define REPLYWATCH_SENTINEL_H

#include <stddef.h>

struct ev_loop;
struct rw_redis_config;
struct rw_sentinel_lookup;

#define RW_SENTINEL_ADDR_MAX 80 /* "[IPv6]:port" */
#define RW_SENTINEL_REPLICAS_MAX 16

/* What a sentinel said. Plain data, copied by value. */
struct rw_sentinel_answer {
	char host[64];                  /* the master's IP, without brackets */
	int port;                       /* the master's port */
	char via[RW_SENTINEL_ADDR_MAX]; /* the sentinel that answered, "IP:PORT" */
	size_t via_index;               /* its index in cfg->sentinels */
	/* The replicas the sentinel knows and does not flag down, "IP:PORT". */
	char replicas[RW_SENTINEL_REPLICAS_MAX][RW_SENTINEL_ADDR_MAX];
	size_t nreplicas;
};

/* Called once per lookup, always from a libev timer (never from inside
 * hiredis), with the answer, or with answer == NULL and why (never a
 * secret). Both are borrowed. The lookup is freed after it returns. */
typedef void rw_sentinel_done_fn(void *arg, const struct rw_sentinel_answer *answer,
				 const char *why);

/* Starts asking cfg's sentinels for cfg->master_name, beginning with index
 * first (the one that answered last time, as Redis's client guide asks) and
 * going round the list once. cfg is borrowed and must outlive the lookup.
 * NULL on allocation failure (fn will not run). */
struct rw_sentinel_lookup *rw_sentinel_lookup_start(struct ev_loop *loop,
						    const struct rw_redis_config *cfg, size_t first,
						    rw_sentinel_done_fn *fn, void *arg);

/* Stops a lookup in progress: fn will not run. Accepts NULL. Not to be
 * called from inside fn. */
void rw_sentinel_lookup_cancel(struct rw_sentinel_lookup *lk);

/* "IP:PORT" or "[IPv6]:PORT" into out. */
void rw_sentinel_format_addr(char *out, size_t len, const char *host, int port);

#endif
