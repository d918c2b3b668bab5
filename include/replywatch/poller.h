/*
 * poller: polls every platform source of the configuration on the libev
 * loop, with one HTTP client (one libcurl multi handle) for all of them.
 *
 * Each source has its own schedule (poll_every with ±10 % jitter, or with
 * poll_every "auto" the interval that makes each quota last until its
 * reset, see docs/connectors.md "Budgets"; at once again while a poll
 * stopped at its page bound), its own rate-limit budget
 * per endpoint (read from the platform's headers: no call before a spent
 * budget's reset), and its own backoff (429 and 5xx, network errors,
 * malformed answers: exponential from 1 s to 5 min with jitter). A slow or
 * failing source never delays another: each has at most one request in
 * flight and its own timers.
 *
 * Source states, as /status shows them: "ok"; "failing" (the last polls
 * failed); "rate_limited" (waiting for a reset); "down" (401/403, or
 * failing for the source's down_after, default 5 min); "disabled". Going
 * down raises a source_down event and coming back a source_up event, once
 * per transition, in the source's event log (shared through Redis with
 * every daemon and across restarts).
 *
 * Several daemons (cluster.h, rw_poller_set_cluster): a source is polled
 * only while this daemon owns it. A gain polls it about at once, with the
 * connector's session and the daily quota's count read afresh (cursors are
 * read from Redis by every poll); a loss stops its schedule and ends a poll
 * under way quietly: its answers are dropped and its cursors not written
 * (the cursor write and the source events check the fencing token in
 * Redis). /status shows such a source as "standby" or "elsewhere".
 */
#ifndef REPLYWATCH_POLLER_H
#define REPLYWATCH_POLLER_H

#include <jansson.h>
#include <stddef.h>
#include <stdio.h>

struct ev_loop;
struct rw_config;
struct rw_store;
struct rw_tracker;
struct rw_poller;

/* Pages of one stream read in one poll at most; the rest waits for the next
 * poll, which then starts at once. */
#define RW_POLLER_MAX_PAGES 10

/* A poller that ingests through tr, keeps cursors in st and makes its
 * requests with http (all borrowed, outliving the poller). Polls nothing
 * until rw_poller_use. NULL on allocation failure. */
struct rw_httpc;
struct rw_poller *rw_poller_new(struct ev_loop *loop, struct rw_store *st, struct rw_tracker *tr,
				struct rw_httpc *http);

/*
 * Polls the sources of cfg (borrowed until the next call or rw_poller_free).
 * At a reload a source whose type, base_url and settings are unchanged keeps
 * its state, session and schedule; a changed source starts afresh; a removed
 * one stops (a poll under way is abandoned: its answers are ignored).
 */
void rw_poller_use(struct rw_poller *p, const struct rw_config *cfg);

/* Polls only the sources c (borrowed, outliving the poller) says this
 * daemon owns, from now on (listens to its gains and losses). Without a
 * cluster a poller owns every source. Call once, before the store
 * connects. */
struct rw_cluster;
void rw_poller_set_cluster(struct rw_poller *p, struct rw_cluster *c);

/* Brings source name's next poll forward to about a second from now (a
 * webhook queued items for it: hookstore.h), unless it is polling (then
 * the poll after it comes that soon), failing, rate limited or down (its
 * schedule stands: a wake-up never shortens a backoff or a budget's wait),
 * or due sooner anyway. Unknown names and sources another daemon owns are
 * ignored (the owner polls on its schedule; the webhook's queue waits in
 * Redis). */
void rw_poller_poll_soon(struct rw_poller *p, const char *name);

/* Stops scheduling polls (SIGTERM); polls under way end by themselves. */
void rw_poller_stop(struct rw_poller *p);

/* The /status fields of source name ("state", "last_poll_at", ...,
 * "rate_limit"), or NULL when the poller does not poll it (a push source).
 * New reference. */
json_t *rw_poller_source_json(const struct rw_poller *p, const char *name);

/* The replywatch_source_up, replywatch_source_polls_total and rate-limit
 * metric families, HELP and TYPE lines included, for every source of the
 * configuration in force (push sources are "up" while enabled). */
void rw_poller_write_metrics(const struct rw_poller *p, FILE *out);

/* Teardown, before the store is freed: no more Redis commands (polls whose
 * ingest then fails end quietly). Implies rw_poller_stop. */
void rw_poller_detach(struct rw_poller *p);

/* Frees the poller. Accepts NULL. Call it after rw_poller_detach and after
 * the store and the HTTP client are freed, so that every ingest and request
 * under way has ended while the poller was still there to hear it. */
void rw_poller_free(struct rw_poller *p);

#endif
