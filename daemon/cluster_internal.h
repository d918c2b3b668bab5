/*
 * cluster_internal.h: what cluster.c, cluster_members.c, cluster_lease.c,
 * cluster_rank.c and cluster_report.c share. Not part of the cluster's API
 * (include/replywatch/cluster.h).
 */
#ifndef REPLYWATCH_CLUSTER_INTERNAL_H
#define REPLYWATCH_CLUSTER_INTERNAL_H

#include <ev.h>
#include <stdbool.h>
#include <stdint.h>

#include "replywatch/cluster.h"

#define CL_LISTENERS_MAX 8
#define CL_EPOCH_LEN 16         /* hex digits of the random per-process epoch */
#define CL_RENEW_SLICES 10      /* renewals go out in this many slices per interval */
#define CL_FENCE_CHECK_S 0.5    /* seconds between checks for leases past the fence time */
#define CL_PEEK_EVERY_S 10.0    /* others' leases read at most this often */
#define CL_PEEK_WANTED_MS 60000 /* ... and only while /status was read this recently */
/* A holder read longer ago than this no longer counts for the standby: the
 * first-ranked member re-reads it at each heartbeat while it waits. */
#define CL_HOLDER_FRESH_MS (2 * RW_CLUSTER_HEARTBEAT_MS + 1000)

/* One configured source's state. Freed once it left the configuration and
 * no command about it is in flight. */
struct cl_source {
	struct rw_cluster *c;
	char *name;
	struct cl_source *next_hash;
	char first[RW_CLUSTER_ID_MAX + 1];  /* the live member ranked first */
	char second[RW_CLUSTER_ID_MAX + 1]; /* the one after it, "" when alone */
	char holder[RW_CLUSTER_ID_MAX + 1]; /* lease holder as last read, "" unknown/none */
	int64_t holder_read_ms;             /* monotonic: when holder was read */
	int64_t holder_ttl_ms;              /* its PTTL at the last peek, -1 unknown */
	bool owned;                         /* the lease is this daemon's (fence aside) */
	char token[24];                     /* the fencing token while owned */
	int64_t sent_ms;                    /* monotonic: last successful acquire/renew sent */
	int64_t gained_ms;                  /* monotonic: when it was gained */
	int64_t op_sent_ms;                 /* monotonic: the acquire/renew in flight sent */
	bool busy;                          /* an acquire or renew is in flight */
	unsigned inflight;                  /* commands in flight about it */
	bool removed;                       /* no longer configured */
	struct cl_source *next_removed;
};

struct cl_member {
	char id[RW_CLUSTER_ID_MAX + 1];
	int64_t beat_ms; /* Redis TIME of its last heartbeat */
};

struct cl_listener {
	rw_cluster_change_fn *fn;
	void *arg;
};

struct rw_cluster {
	struct ev_loop *loop;
	struct rw_store *st;
	char id[RW_CLUSTER_ID_MAX + 1];
	char epoch[CL_EPOCH_LEN + 1];
	/* Live members as the last heartbeat read them, sorted by id; self is
	 * always one of them. */
	struct cl_member *members;
	size_t nmembers;
	int64_t members_now_ms;    /* Redis TIME of that heartbeat, 0 before the first */
	int64_t members_read_mono; /* monotonic ms it was read */
	/* Sources: a hash table by name and the list in configuration order. */
	struct cl_source **table;
	size_t table_size; /* a power of two */
	struct cl_source **list;
	size_t nlist;
	struct cl_source *removed; /* left the configuration, commands in flight */
	struct cl_listener listeners[CL_LISTENERS_MAX];
	size_t nlisteners;
	ev_timer beat_timer, renew_timer, fence_timer, peek_timer;
	bool used, connected, stopping;
	size_t pending;
	size_t renew_slice;       /* the next slice of the sources to renew */
	int64_t status_read_mono; /* when /status last asked, 0 never */
	unsigned long long acquires, losses, renew_failures, fenced, releases, beats_failed;
	unsigned long long takeovers; /* leases taken from this id under another epoch */
	int64_t takeover_logged_ms;
};

/* Monotonic milliseconds (CLOCK_BOOTTIME: suspend counts). */
int64_t cl_mono_ms(void);

/* The source named name, or NULL. */
struct cl_source *cl_find(const struct rw_cluster *c, const char *name);

/* True when s is owned now: its lease is this daemon's and the last
 * successful acquire or renewal was sent less than the fence time ago. */
bool cl_owner_now(const struct rw_cluster *c, const struct cl_source *s, int64_t now);

/* Ranks s over the live members (sets first and second). */
void cl_rank(struct rw_cluster *c, struct cl_source *s);

/* Calls the listeners. */
void cl_notify(struct rw_cluster *c, const char *source, bool owned);

/* s stops being owned (listeners told); why counts it: "fenced",
 * "released", "taken". */
void cl_lose(struct rw_cluster *c, struct cl_source *s, const char *why);

/* A command about s (or the cluster when s is NULL) answered: frees s when
 * it was removed and nothing else is in flight. */
void cl_done(struct rw_cluster *c, struct cl_source *s);

/* cluster_members.c: sends a heartbeat; its answer updates the members and
 * rebalances. */
void cl_beat(struct rw_cluster *c);
/* Sends the stopping daemon's leave. */
void cl_leave(struct rw_cluster *c);

/* cluster_lease.c */
void cl_acquire(struct rw_cluster *c, struct cl_source *s);
void cl_renew(struct rw_cluster *c, struct cl_source *s);
void cl_release(struct rw_cluster *c, struct cl_source *s);
void cl_peek(struct rw_cluster *c, struct cl_source *s);

/* Acquires the sources this daemon ranks first for and releases those
 * another member ranks first for. */
void cl_rebalance(struct rw_cluster *c);

#endif
