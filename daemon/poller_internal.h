/*
 * poller_internal.h: the poller's structures, shared by poller.c (sources,
 * schedule, states, events), poller_walk.c (requests, stream walks, ingest,
 * cursors) and poller_report.c (/status and metrics).
 */
#ifndef REPLYWATCH_POLLER_INTERNAL_H
#define REPLYWATCH_POLLER_INTERNAL_H

#include <ev.h>
#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "replywatch/connector.h"
#include "replywatch/page.h"
#include "replywatch/poller.h"
#include "replywatch/ratelimit.h"

#define POLL_MAX_ENDPOINTS 8
#define POLL_ERROR_MAX 240

enum source_state {
	SOURCE_OK,
	SOURCE_FAILING,
	SOURCE_RATE_LIMITED,
	SOURCE_DOWN,
	SOURCE_DISABLED,
};

/* The last rate-limit figures of one endpoint. */
struct endpoint_limit {
	char name[32];
	struct rw_ratelimit rl;
};

/* One polled source. */
struct poll_source {
	struct rw_poller *poller;
	char *name;
	const struct rw_source_config *src; /* the configuration in force: rebound at reload */
	const struct rw_connector *conn;    /* NULL: no connector for the type in this build */
	void *conn_state;
	ev_timer timer;
	enum source_state state;
	int64_t last_poll_at, last_success_at, next_poll_at;
	int64_t failing_since; /* first failure of the current run of failures; 0: none */
	char last_error[POLL_ERROR_MAX];
	unsigned consecutive_failures; /* polls that did not end ok, in a row */
	unsigned backoff;              /* exponent of the next backoff delay */
	unsigned expired_in_row;       /* token-expired polls in a row */
	bool down;                     /* known down: source_down raised (or to be) */
	const char *pending_event;     /* "down"/"up" not yet written to Redis, or NULL */
	struct endpoint_limit limits[POLL_MAX_ENDPOINTS];
	size_t nlimits;
	unsigned long long polls[RW_POLL_RESULT_COUNT];
	struct rw_poll *poll; /* the poll under way, or NULL */
	bool retired;         /* removed by a reload: freed when its poll ends */
	struct poll_source *next;
};

/* One poll under way. */
struct rw_poll {
	struct poll_source *ps;
	int64_t started_ms;
	json_t *cursors; /* the "cur" hash as read at the start: field -> string */
	json_t *save;    /* cursor fields to write once the items are ingested */
	bool was_down;   /* the "down" flag in Redis at the start */
	size_t stream;   /* index of the stream being walked */
	int pages;       /* pages of that stream read in this poll */
	char *watermark; /* its walk: see struct rw_walk */
	char *token;
	char *oldest_id;
	char *top; /* the newest entry seen when the walk began */
	int64_t from_ms;
	bool more;            /* a stream stopped at its page bound */
	struct rw_page items; /* everything found, for one ingest */
	rw_poll_answer_fn *answer;
	int see[4];
	char endpoint[32];
	char *url; /* the request under way (for logs: never the query) */
};

struct rw_poller {
	struct ev_loop *loop;
	struct rw_store *store;
	struct rw_tracker *tracker;
	struct rw_httpc *http;
	const struct rw_config *cfg;
	struct poll_source *sources; /* those of cfg */
	struct poll_source *retired; /* removed, waiting for their poll to end */
	bool stopping;               /* no new polls */
	bool freeing;                /* no Redis commands either */
};

/* poller.c: ends poll with result (and a reason unless ok), updates the
 * source's state and schedules its next poll. Frees poll. */
void poller_end(struct rw_poll *poll, enum rw_poll_result result, const char *reason);
/* The budget of endpoint at source ps, made on first use (NULL when full). */
struct endpoint_limit *poller_limit(struct poll_source *ps, const char *endpoint);
const char *poller_state_name(enum source_state s);

/* poller_walk.c: starts a poll of ps (reads its cursors first). */
void poller_begin(struct poll_source *ps);
/* Frees a poll's memory only (no state change). */
void poller_poll_free(struct rw_poll *poll);

#endif
