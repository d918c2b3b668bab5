/*
 * rwtcl: the high-availability proof of issue 14 on loopback: a replicated
 * Redis with three sentinels (rwtha.h), three replywatchd sharing four
 * sources (Mastodon, X and Bluesky of rwfake's simulator, and a push source
 * fed by a pusher thread), an alert target on rwfake's webhook receiver,
 * the faults (kill -9 or SIGSTOP of the Redis master, of a source's owner)
 * and the audit of what reached Redis and the receiver.
 *
 * test_ha_cluster runs the faults in sequence; scripts/ha-soak.sh runs the
 * same binary with RW_HA_SOAK_SECONDS for random faults over a longer run.
 * Helpers fail the current Criterion test when they cannot do their job; a
 * fault whose expected outcome does not come (no new master, no takeover)
 * is noted in the audit instead, so the run goes on to its checks.
 */
#ifndef RWTCL_H
#define RWTCL_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "rwtest.h"
#include "rwtha.h"

#define RWT_CL_DAEMONS 3
#define RWT_CL_PREFIX "ha:"
/* The policy of every source: short, so deadlines fall due during a run. */
#define RWT_CL_WARN_S 4
#define RWT_CL_BREACH_S 8
#define RWT_CL_NOTES 4096
#define RWT_CL_WINDOWS 256

enum rwt_cl_fault {
	RWT_CL_KILL_MASTER, /* kill -9 the Redis master, restart it as a replica */
	RWT_CL_STOP_MASTER, /* SIGSTOP it past down-after, then SIGCONT (split brain) */
	RWT_CL_KILL_OWNER,  /* kill -9 the daemon owning a source, restart it */
	RWT_CL_STOP_OWNER,  /* SIGSTOP the owner past its lease, then SIGCONT */
	RWT_CL_FAULTS
};

struct rwt_cl_pusher;

struct rwt_cl {
	char *dir;
	struct rwt_ha ha;
	struct rwt_fake fake;
	struct rwt_daemon d[RWT_CL_DAEMONS];
	char id[RWT_CL_DAEMONS][16];    /* cluster.instance_id */
	char *config[RWT_CL_DAEMONS];   /* their configuration files */
	atomic_bool up[RWT_CL_DAEMONS]; /* running and not stopped: pushed to */
	int64_t ready_ms;               /* when every daemon was first ready */
	struct rwt_cl_pusher *pusher;
	int faults[RWT_CL_FAULTS];     /* faults done, by kind */
	double worst_s[RWT_CL_FAULTS]; /* longest recovery seen, by kind */
	size_t fault_failures;         /* expected outcomes that did not come */
	/* When each fault ran, from its signal until its outcome came, in ms:
	 * items reaching a source in these windows may not be seen before
	 * their answer (the source has no acting owner, or no master). */
	int64_t window[RWT_CL_WINDOWS][2];
	size_t nwindows;
	char notes[RWT_CL_NOTES]; /* what they were */
	bool min_replicas;        /* RW_HA_MIN_REPLICAS=1: min-replicas-to-write 1 */
	bool audit_ok;            /* the last audit passed: the work dir goes */
};

/* Starts Redis (master, 2 replicas, 3 sentinels), rwfake simulating rate
 * mentions a minute on each platform with seed, and the daemons; returns
 * once every daemon is ready. */
void rwt_cl_start(struct rwt_cl *cl, int rate, uint64_t seed);
/* Stops the pusher and everything started; a daemon still running must
 * exit 0 on SIGTERM (cr_expect). Accepts a cluster never started. */
void rwt_cl_destroy(struct rwt_cl *cl);

/* The index of the daemon that owns source, as the running daemons' /status
 * say (a daemon's own role first, then the owners it lists), or -1. Daemon
 * except is not asked and not returned (-1: none excepted). */
int rwt_cl_owner(struct rwt_cl *cl, const char *source, int except);

/* Runs fault f (source: for the owner faults) and waits for its outcome
 * (a new master, a takeover, the daemon back and ready); prints a line. */
void rwt_cl_fault(struct rwt_cl *cl, enum rwt_cl_fault f, const char *source);
/* Lets the load run for seconds. */
void rwt_cl_run_for(double seconds);
/* The name of f, for reports. */
const char *rwt_cl_fault_name(enum rwt_cl_fault f);

/* The pusher thread: one mention every 0.4 s to /ingest/push of a daemon
 * that is up, round robin; remembers which were answered 202. */
void rwt_cl_push_start(struct rwt_cl *cl);
void rwt_cl_push_stop(struct rwt_cl *cl);
/* Stops the pusher and frees what it kept. Accepts none started. */
void rwt_cl_push_free(struct rwt_cl *cl);
/* Pushes sent and answered 202 so far (after rwt_cl_push_stop: final). */
size_t rwt_cl_pushed(const struct rwt_cl *cl, size_t *acked);
/* The id of push i and whether it was answered 202 (after stop). */
const char *rwt_cl_push_id(const struct rwt_cl *cl, size_t i, bool *acked);

/* The lateness bound of a deadline event in seconds (computed from the
 * timings of Sentinel, the store and cluster.h; see the .c), and what it is
 * made of, for the report. */
double rwt_cl_bound_s(char *why, size_t len);

struct rwt_cl_audit {
	size_t served, tracked, untracked, unserved, doubled; /* platform items */
	size_t pushed, acked, acked_lost;                     /* POST /ingest */
	size_t due, delivered, undelivered;                   /* deadlines due and their events */
	size_t undelivered_answered;        /* of them, the mention was answered after it */
	size_t unseen;                      /* made in a fault window, answered: not owed */
	size_t events, deliveries, repeats; /* distinct event ids received, ... */
	size_t split;                       /* (mention, type) pairs under >1 id */
	size_t late_n, over_bound;          /* deadline events timed, over the bound */
	double late_max_s, late_p99_s, bound_s;
	char late_max_what[160];
	char notes[RWT_CL_NOTES]; /* up to three offenders per failed check */
};

/* Stops the pusher, pauses the simulator, and waits (at most the bound past
 * the last deadline) until every served item is tracked and every due
 * deadline delivered; then audits into a and prints the report and one
 * summary line to stderr. Returns true when every check holds. */
bool rwt_cl_quiesce_and_audit(struct rwt_cl *cl, struct rwt_cl_audit *a);
/* One audit pass now (what is due is judged against now_ms). */
void rwt_cl_audit(struct rwt_cl *cl, int64_t now_ms, struct rwt_cl_audit *a);
/* Prints a's report (and cl's fault notes) to out. */
void rwt_cl_audit_print(const struct rwt_cl *cl, const struct rwt_cl_audit *a, FILE *out);
/* True when every check of a holds (and no fault failed). */
bool rwt_cl_audit_ok(const struct rwt_cl *cl, const struct rwt_cl_audit *a);

#endif
