/*
 * alerts_internal.h: the alert engine's structures, shared by alerts.c
 * (targets, queues, HTTP, answers), request.c (the fixed request of a
 * target), outbox.c (the Redis side: consumer groups, acknowledgements, dead
 * letters, the stored request, figures), rearm.c (repeat_every and
 * Alertmanager re-posts), alerts_cluster.c (which sources this daemon
 * delivers when several share them) and alerts_report.c (/status, /metrics).
 */
#ifndef REPLYWATCH_ALERTS_INTERNAL_H
#define REPLYWATCH_ALERTS_INTERNAL_H

#include <ev.h>
#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "replywatch/alert_decide.h"
#include "replywatch/alerts.h"
#include "replywatch/event.h"
#include "replywatch/config.h"

#define ALERTS_QUEUE_MAX 500  /* events read ahead per target */
#define ALERTS_READ_COUNT 100 /* entries per XREADGROUP */
#define ALERTS_BATCH_MAX 100  /* events per request */
#define ALERTS_ERROR_MAX 240

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
	bool owned;             /* this daemon delivers the source's events (cluster.h) */
	unsigned gen;           /* counts gains and losses: a read sent before one is void */
	bool reading;           /* an XREADGROUP or XAUTOCLAIM under way */
	bool backlog_read;      /* the group's pending entries claimed (after a gain) */
	char backlog_after[48]; /* the claim goes on from this id ("0-0" at first) */
	bool dirty;             /* events were written since the last read */
	bool more;              /* the last read was a full batch: read again at once */
	int64_t last_read;      /* when the last read was sent (ms) */
	long long pending;      /* group figures: unacknowledged + not yet read */
	long long dead;         /* dead letters */
};

/*
 * The request a target is delivering. Once built its events, id and (json,
 * slack) body never change until it is acknowledged or dead-lettered, and
 * it is stored in Redis ("PREFIX:rq:TARGET", outbox.c) before its first
 * attempt, so a restart sends the same request again (request.c).
 */
enum batch_state {
	BATCH_NONE,    /* nothing built */
	BATCH_STORING, /* built; its record is being written: not sent yet */
	BATCH_READY,   /* stored: sent, and sent again until it is done */
};

struct batch {
	enum batch_state state;
	struct queued *ev; /* its events, in order (owned) */
	size_t n;
	char id[RW_EVENT_ID_SIZE]; /* webhook-id: rw_event_request_id of the event ids */
	char *body;     /* json, slack: fixed; pagerduty, alertmanager: built per attempt */
	int64_t oldest; /* when its oldest event was raised */
	bool writing;   /* its record is being written */
};

struct target {
	struct rw_alerts *a;
	char *name;
	const struct rw_alert_config *cfg;
	struct queued *q; /* events waiting for the next request */
	size_t nq, cap;
	struct batch batch;
	/* Entries acknowledged while a read was under way: that read may bring
	 * them back (it ran before the XACK); dropped once no read is. */
	struct settled {
		char *source, *sid;
	} * settled;
	size_t nsettled, settled_cap;
	bool loaded;  /* the stored request (after a restart) was looked for */
	bool loading; /* that look is under way */
	bool in_flight;
	bool disabled;       /* answered 410: nothing until a reload */
	int64_t not_before;  /* backoff or a 429 pause */
	int64_t window_ends; /* group_window open until (0: none open) */
	unsigned backoff;
	char last_error[ALERTS_ERROR_MAX];
	int64_t last_success_at;
	unsigned long long results[RW_ALERT_NRESULTS];
	struct source_read *reads;
	size_t nreads;
	size_t read_next;    /* the next tick's reads start at this source */
	size_t figures_next; /* the next refresh of figures starts at this source */
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
	struct rw_cluster *cluster; /* NULL: this daemon delivers every source */
	const struct rw_config *cfg;
	struct rw_policy_set *ps;
	struct target *targets;
	struct target *retired;   /* replaced by a reload, a request still under way */
	ev_timer tick;            /* reads, sends, repeats */
	ev_timer refresh;         /* figures from Redis */
	size_t redis_pending;     /* commands under way */
	bool unreplicated_logged; /* "no replica confirmed" said since the last good read */
	bool stopping, freeing;
};

/* alerts.c */
void alerts_queue_push(struct target *t, struct queued *item); /* takes over *item */
/* Drops q[0..n) of t's queue (delivered, dead-lettered or skipped). */
void alerts_queue_pop(struct target *t, size_t n);
void alerts_queued_clear(struct queued *q);
/* True when x and y are the same stream entry. */
bool alerts_same_entry(const struct queued *x, const struct queued *y);
/* q[0..n) are being acknowledged: a read under way must not queue them again. */
void alerts_note_settled(struct target *t, const struct queued *q, size_t n);
void alerts_target_free(struct target *t);
/* The target called name in the configuration in force, or NULL (callbacks
 * look their target up by name: a reload may have replaced it). */
struct target *alerts_find_target(struct rw_alerts *a, const char *name);
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

/* request.c */
/* True when t's format takes event (others are acknowledged unsent). */
bool request_takes(const struct target *t, const json_t *event);
/* The body of ev[0..n) in t's format (caller frees with request_body_free,
 * which wipes it: a pagerduty body holds the routing key), or NULL with err. */
char *request_body(const struct target *t, const struct queued *ev, size_t n, int64_t now,
		   char *err, size_t errlen);
void request_body_free(char *body);
/* t's next request from the first events of its queue, its record being
 * written. Returns 0, or -1 when none was made (an event no body can be
 * built for is dead-lettered; out of memory). */
int request_build(struct target *t, int64_t now);
/* Writes the record of t's request again (the last write failed). */
void request_write(struct target *t);
/* The record of t's request id was written (ok), or not: exists when
 * another record was there, which then goes first. */
void request_stored(struct target *t, const char *id, bool ok, bool exists);
/* Makes record (the text outbox_load found, NULL: none) t's request, or,
 * when it cannot be sent as stored (another format now), puts its events
 * back at the front of t's queue. Marks t loaded. */
void request_adopt(struct target *t, const char *record, size_t len);
/* t's request is done (acknowledged or dead-lettered): forgotten, here and
 * in Redis. */
void request_done(struct target *t);
/* Frees what b holds and empties it. */
void request_clear(struct batch *b);

/* outbox.c */
void outbox_read(struct target *t, struct source_read *r);
/* Acknowledges the stream entries of q[0..n) (repeats have none). */
void outbox_ack(struct target *t, const struct queued *q, size_t n);
/* Moves q[0..n) to the target's dead-letter lists with reason, and acks. */
void outbox_dead_letter(struct target *t, const struct queued *q, size_t n, const char *reason);
void outbox_refresh(struct rw_alerts *a);
/* The stored request of t ("PREFIX:rq:TARGET"): outbox_load reads it into
 * request_adopt (which marks t loaded); outbox_store writes
 * text unless a record is there (SET NX), answering request_stored;
 * outbox_forget deletes it, after the acknowledgements or dead letters sent
 * before it. Each returns 0, or -1 when Redis is unavailable. */
int outbox_load(struct target *t);
int outbox_store(struct target *t, const char *id, const char *text);
int outbox_forget(struct target *t);

/* alerts_cluster.c */
/* The consumer name of this daemon in every group: its instance id. */
const char *alerts_consumer(const struct rw_alerts *a);
/* True when this daemon delivers source's events now (it owns the source). */
bool alerts_owns(const struct rw_alerts *a, const char *source);
/* The fencing token for the owner-only writes of source (repeats), or NULL
 * when this daemon does not own it (and always without a cluster: no
 * repeats then). */
const char *alerts_fence(const struct rw_alerts *a, const char *source);
/* True when this daemon does the target-wide duty named key (an
 * Alertmanager re-post): the cluster's leader for it. */
bool alerts_leads(const struct rw_alerts *a, const char *key);
/* r's ownership as cluster.h says now; a gain or a loss is followed
 * (alerts_follow). Returns r->owned. */
bool alerts_check_owned(struct target *t, struct source_read *r);
/* r was gained (owned) or lost: a gain claims the group's pending entries
 * before new ones; a loss drops the source's queued events, unacknowledged
 * (the new owner claims them). */
void alerts_follow(struct target *t, struct source_read *r, bool owned);

/* rearm.c */
/* After q[0..n) reached t: schedules or cancels repeats, records
 * Alertmanager alerts. */
void rearm_delivered(struct target *t, const struct queued *q, size_t n);
/* Due repeats and re-posts of t, queued or sent. */
void rearm_tick(struct target *t, int64_t now);

#endif
