/*
 * cluster: several replywatchd sharing the sources of one configuration
 * through Redis (issue 14; docs/high-availability.md "Several daemons").
 *
 * Each daemon has an instance id (cluster.instance_id, by default
 * "HOSTNAME-PORT" of its HTTP listener, so that a restarted daemon keeps it)
 * and, per process, a random epoch. It is a member while its heartbeat in
 * "P members" (Redis TIME, every RW_CLUSTER_HEARTBEAT_MS) is younger than
 * RW_CLUSTER_MEMBER_DEAD_MS.
 *
 * Each source has at most one owner, by lease: "B lease" = "INSTANCE:EPOCH",
 * SET NX PX RW_CLUSTER_LEASE_MS, renewed every RW_CLUSTER_RENEW_MS by a
 * script that extends it only if it is still the caller's, deleted on stop.
 * Every acquire increments "B lease-n", the fencing token: the owner-only
 * scripts (cursor write, source, repeats) take the token as an argument
 * and refuse a call whose token is no longer the current one
 * (layout.lua's fence check). A lease still held by the same instance id
 * under another epoch (the daemon was killed and restarted) is taken over
 * at once.
 *
 * Which daemon should own a source follows rendezvous hashing over the live
 * members: score = the first 8 bytes of SHA-256(source "\0" instance id),
 * the highest score wins (ties: the smaller id). A daemon acquires the
 * sources it ranks first for, and releases a source once another live
 * member ranks first for it, so adding or removing a daemon moves only its
 * share.
 *
 * Self-fencing: a daemon owns a source only while its last successful
 * acquire or renewal was *sent* less than RW_CLUSTER_FENCE_MS ago on the
 * monotonic clock, so it stops acting before the lease can pass to another
 * daemon, even after being stopped (SIGSTOP) or cut off from Redis.
 *
 * The standby of a source is the best-ranked live member that does not
 * hold its lease; it fires the source's deadlines RW_CLUSTER_STANDBY_GRACE_MS
 * after their instant, so a deadline is never missed because its owner died
 * (the mention version check makes a double raise impossible).
 *
 * A lone daemon is a cluster of one: it owns every source as soon as Redis
 * is connected.
 */
#ifndef REPLYWATCH_CLUSTER_H
#define REPLYWATCH_CLUSTER_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

struct ev_loop;
struct rw_config;
struct rw_store;
struct rw_cluster;

#define RW_CLUSTER_HEARTBEAT_MS 2000     /* membership heartbeat */
#define RW_CLUSTER_MEMBER_DEAD_MS 10000  /* a member is dead after this without one */
#define RW_CLUSTER_LEASE_MS 15000        /* a lease's life (PX) */
#define RW_CLUSTER_RENEW_MS 3000         /* leases renewed this often */
#define RW_CLUSTER_FENCE_MS 12000        /* no acting on a lease older than this */
#define RW_CLUSTER_STANDBY_GRACE_MS 2000 /* the standby fires deadlines this late */

/* Longest instance id; ids are [A-Za-z0-9._-]+. */
#define RW_CLUSTER_ID_MAX 64

/* What a daemon is to one source. */
enum rw_cluster_role {
	RW_CLUSTER_NONE,    /* another daemon's, and not this one's to back up */
	RW_CLUSTER_OWNER,   /* holds the lease, within the fence time */
	RW_CLUSTER_STANDBY, /* fires its deadlines late if the owner does not */
};

/* A source was gained (owned == true: its lease is now this daemon's) or
 * lost (lease released, taken, or past the fence time). source is borrowed
 * for the call. Listeners run in the order they were added. */
typedef void rw_cluster_change_fn(void *arg, const char *source, bool owned);

/*
 * A cluster member on st (borrowed, outliving the cluster) with instance_id
 * (copied; must be a valid id). Does nothing until rw_cluster_use. NULL on
 * allocation failure.
 */
struct rw_cluster *rw_cluster_new(struct ev_loop *loop, struct rw_store *st,
				  const char *instance_id);

/* Shares the sources of cfg (borrowed until the next call); sources no
 * longer configured are released. */
void rw_cluster_use(struct rw_cluster *c, const struct rw_config *cfg);

/* The store connected or lost its connection (the daemon forwards its store
 * state callback): on connect a heartbeat and a round of acquires go out at
 * once. */
void rw_cluster_note_store(struct rw_cluster *c, bool connected);

/* Adds a listener for gains and losses (at most 8). */
void rw_cluster_listen(struct rw_cluster *c, rw_cluster_change_fn *fn, void *arg);

/* This daemon's role for source, evaluated now (the fence time included). */
enum rw_cluster_role rw_cluster_role(const struct rw_cluster *c, const char *source);

/* rw_cluster_role(c, source) == RW_CLUSTER_OWNER. */
bool rw_cluster_owns(const struct rw_cluster *c, const char *source);

/* The fencing token of an owned source as a decimal string (borrowed, valid
 * until the next loop iteration), or NULL when the source is not owned. */
const char *rw_cluster_fence(const struct rw_cluster *c, const char *source);

/* True when this daemon ranks first for key among the live members: for
 * duties without a lease where a rare double is harmless (an Alertmanager
 * re-post). A lone daemon leads everything. */
bool rw_cluster_leads(const struct rw_cluster *c, const char *key);

/* The instance id (borrowed): also the daemon's consumer name in the alert
 * consumer groups. */
const char *rw_cluster_instance(const struct rw_cluster *c);

/* /status "cluster": instance, epoch, members (id, heartbeat age, self),
 * per source owner (as last read), lease age and fence for owned ones,
 * counters. New reference. */
json_t *rw_cluster_status_json(const struct rw_cluster *c);

/* replywatch_cluster_* metric families, HELP and TYPE lines included. */
void rw_cluster_write_metrics(const struct rw_cluster *c, FILE *out);

/* SIGTERM: releases every lease and leaves the members at once (others
 * take over without waiting for the lease to lapse); owns nothing after. */
void rw_cluster_stop(struct rw_cluster *c);

/* Redis commands under way (the drain waits for them). */
size_t rw_cluster_pending(const struct rw_cluster *c);

/* The default instance id into buf (len bytes): "HOSTNAME-PORT", port
 * being the HTTP listener's, with characters outside [A-Za-z0-9._-]
 * replaced by '-' and the hostname cut so the id fits RW_CLUSTER_ID_MAX.
 * Returns buf. */
const char *rw_cluster_default_id(int port, char *buf, size_t len);

/* True when id is a valid instance id. */
bool rw_cluster_id_valid(const char *id);

/* The error an owner-only script answers (its text begins with this) when
 * the fencing token it was given is no longer the source's current one:
 * layout.lua's fence_ok(base, token) was false. (Added in the cluster's
 * implementation.) */
#define RW_CLUSTER_FENCED "FENCED"

/* The rendezvous score of instance id for key: the first 8 bytes of
 * SHA-256(key "\0" id), big-endian. Pure. (Added for the tests.) */
uint64_t rw_cluster_score(const char *key, const char *id);

/* The index among ids[0..n) of the id that ranks first for key: the
 * highest score, on a tie the smaller id. n must be at least 1. Pure.
 * (Added for the tests.) */
size_t rw_cluster_first(const char *key, const char *const *ids, size_t n);

/* Frees the cluster; call it after the store is freed (its pending
 * callbacks reach the cluster). Accepts NULL. */
void rw_cluster_free(struct rw_cluster *c);

#endif
