/*
 * alerts_internal.h: the alert engine's structures, shared by alerts.c
 * (targets, batching, HTTP, results), outbox.c (the Redis side: consumer
 * groups, acknowledgements, dead letters, figures), rearm.c (repeat_every
 * and Alertmanager re-posts) and alerts_report.c (/status, /metrics).
 */
#ifndef REPLYWATCH_ALERTS_INTERNAL_H
#define REPLYWATCH_ALERTS_INTERNAL_H

#include <ev.h>
#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "replywatch/alerts.h"
#include "replywatch/config.h"

#define ALERTS_QUEUE_MAX 500  /* events read ahead per target */
#define ALERTS_READ_COUNT 100 /* entries per XREADGROUP */
#define ALERTS_BATCH_MAX 100  /* events per request */
#define ALERTS_ERROR_MAX 240

enum alert_result {
	RES_OK,
	RES_RETRY,        /* network error, timeout, 5xx, 408: retried */
	RES_RATE_LIMITED, /* 429 */
	RES_REJECTED,     /* another 4xx: dead-lettered */
	RES_GONE,         /* 410: target disabled until reload */
	RES_DEAD_LETTER,  /* retries exhausted */
	RES_COUNT
};

/* One event waiting for a target. */
struct queued {
	char *source;      /* source name */
	char *sid;         /* its entry in the source's event stream; NULL for a repeat */
	char *mention;     /* the mention id (mention events), or NULL */
	json_t *event;     /* the EVENT, "id" included (owned) */
	int64_t raised_ms; /* when it was raised: retries end retry_for after it */
};

/* A target's reading of one source's stream. */
struct source_read {
	char *source;
	bool reading;           /* an XREADGROUP under way */
	bool backlog_read;      /* its own unacknowledged entries (after a restart) re-read */
	char backlog_after[48]; /* the backlog is read after this id ("0" at first) */
	bool dirty;        /* events were written since the last read */
	bool more;         /* the last read was a full batch: read again at once */
	int64_t last_read; /* when the last read was sent (ms) */
	long long pending;      /* group figures: unacknowledged + not yet read */
	long long dead;         /* dead letters */
};

struct target {
	struct rw_alerts *a;
	char *name;
	const struct rw_alert_config *cfg;
	struct queued *q;
	size_t nq, cap;
	size_t sending; /* the first `sending` events of q are in the request under way */
	bool in_flight;
	bool disabled;       /* answered 410: nothing until a reload */
	int64_t not_before;  /* backoff or a 429 pause */
	int64_t window_ends; /* group_window open until (0: none open) */
	unsigned backoff;
	char last_error[ALERTS_ERROR_MAX];
	int64_t last_success_at;
	unsigned long long results[RES_COUNT];
	struct source_read *reads;
	size_t nreads;
	int64_t next_repost; /* alertmanager: next re-post of active alerts */
	int64_t next_repeat; /* repeat_every: next look for due repeats */
	bool reposting;      /* a re-post under way */
	bool retired;
	struct target *next;
};

struct rw_alerts {
	struct ev_loop *loop;
	struct rw_store *store;
	struct rw_httpc *http;
	const struct rw_config *cfg;
	struct rw_policy_set *ps;
	struct target *targets;
	struct target *retired; /* replaced by a reload, a request still under way */
	ev_timer tick;          /* reads, sends, repeats */
	ev_timer refresh;       /* figures from Redis */
	size_t redis_pending;   /* commands under way */
	bool stopping, freeing;
};

/* alerts.c */
const char *alerts_result_name(enum alert_result r);
void alerts_queue_push(struct target *t, struct queued *item); /* takes over *item */
void alerts_target_free(struct target *t);
/* The target called name in the configuration in force, or NULL (callbacks
 * look their target up by name: a reload may have replaced it). */
struct target *alerts_find_target(struct rw_alerts *a, const char *name);
/* Base key "PREFIX{SOURCE}:" of source into buf. */
const char *alerts_base(const struct rw_alerts *a, const char *source, char *buf, size_t len);
/* Posts body to t's receiver (signed for a json target with a secret; id
 * is the webhook-id, the same on every attempt). done(c, resp, arg) follows
 * once. Returns 0, or -1 (nothing sent; t->last_error may say why). */
struct rw_httpc;
struct rw_httpc_response;
int alerts_post(struct target *t, const char *body, const char *id,
		void (*done)(struct rw_httpc *c, const struct rw_httpc_response *resp, void *arg),
		void *arg);
/* True when event passes t's "events" and "match" filters. */
bool alerts_wanted(const struct target *t, const json_t *event);

/* outbox.c */
void outbox_read(struct target *t, struct source_read *r);
/* Acknowledges the stream entries of q[0..n) (repeats have none). */
void outbox_ack(struct target *t, const struct queued *q, size_t n);
/* Moves q[0..n) to the target's dead-letter lists with reason, and acks. */
void outbox_dead_letter(struct target *t, const struct queued *q, size_t n, const char *reason);
void outbox_refresh(struct rw_alerts *a);

/* rearm.c */
/* After q[0..n) reached t: schedules or cancels repeats, records
 * Alertmanager alerts. */
void rearm_delivered(struct target *t, const struct queued *q, size_t n);
/* Due repeats and re-posts of t, queued or sent. */
void rearm_tick(struct target *t, int64_t now);

#endif
