/*
 * alerts: delivers the events of every source's event log to the alert
 * targets of the configuration (docs/alerts.md).
 *
 * Each target reads each source's event stream through its own Redis
 * consumer group ("a:TARGET"; with several daemons each reads as its own
 * consumer, only the sources it owns: rw_alerts_set_cluster), so an event is acknowledged for a
 * target only once that target's receiver has taken it (2xx): a crash, a restart or a dead receiver
 * loses nothing (at-least-once). Per target, in the order read, one request at a time: once built,
 * a request's events, webhook-id (a hash of its events' ids) and json/slack body never change, and
 * it is stored in Redis before its first attempt, so every retry and a restart send the same
 * request; events that arrive meanwhile wait for the next. What an answer means is
 * rw_alert_decide's (alert_decide.h): backoff with full jitter (about 1 s, doubling, capped at 5
 * min) on network errors, timeouts, 5xx and 408; 429 (and 503 with Retry-After) waits what the
 * receiver asks, at most an hour; 410 disables the target until the next
 * reload; other 4xx, and requests still failing retry_for after their
 * oldest event was raised, go to the target's dead-letter list. A slow
 * receiver holds only its own target.
 *
 * Filters: the target's "events" and "match" (policies, sources, labels).
 * group_window batches what arrives within the window into one request;
 * repeat_every sends a still-breached mention again; alertmanager targets
 * re-post their active alerts every minute and resolved ones for 5 min.
 */
#ifndef REPLYWATCH_ALERTS_H
#define REPLYWATCH_ALERTS_H

#include <jansson.h>
#include <stdio.h>

struct ev_loop;
struct rw_config;
struct rw_httpc;
struct rw_policy_set;
struct rw_store;
struct rw_cluster;
struct rw_alerts;

/* An alert engine using st and http (both borrowed, outliving it). Sends
 * nothing until rw_alerts_use. NULL on allocation failure. */
struct rw_alerts *rw_alerts_new(struct ev_loop *loop, struct rw_store *st, struct rw_httpc *http);

/* Delivers to the targets of cfg (borrowed until the next call or free),
 * using ps for business time in repeated events. A target whose format and
 * receiver are unchanged keeps its state; a 410-disabled one is enabled
 * again. */
void rw_alerts_use(struct rw_alerts *a, const struct rw_config *cfg, struct rw_policy_set *ps);

/* Delivers with several daemons (cluster.h; c borrowed, outliving the
 * engine; NULL: this daemon delivers every source, as consumer
 * "replywatchd", and sends no repeats: their writes need a fencing token;
 * the daemon always sets one). Each target reads, as consumer rw_cluster_instance(c),
 * only the streams of the sources this daemon owns; on a gain it first
 * claims every entry still pending in the target's group (XAUTOCLAIM: the
 * previous owner's, a pre-upgrade daemon's), then reads new ones; on a loss
 * the source's events not yet in a request are left, unacknowledged, to the
 * new owner. Repeats are handled by the source's owner only, fenced with its
 * token; Alertmanager re-posts by rw_cluster_leads(c, "am:TARGET"). Call
 * once, before or after rw_alerts_use. */
void rw_alerts_set_cluster(struct rw_alerts *a, struct rw_cluster *c);

/* Events of source were just written (a rw_tracker_events_fn, arg the
 * engine): its stream is read at the next tick instead of within 2 s. */
void rw_alerts_note_events(void *arg, const char *source);

/* SIGTERM: no new deliveries. */
void rw_alerts_stop(struct rw_alerts *a);
/* Teardown, before the store is freed: no more Redis commands. */
void rw_alerts_detach(struct rw_alerts *a);

/* Requests and Redis commands under way (for the drain). */
size_t rw_alerts_pending(const struct rw_alerts *a);

/* /status "alerts": [{"name","format","state","pending","dead_letters",
 * "last_error","last_success_at","next_attempt_at","sources"}], "sources"
 * the sources whose events this daemon delivers to the target. New
 * reference. */
json_t *rw_alerts_status_json(const struct rw_alerts *a);

/* replywatch_alert_deliveries_total{target,result},
 * replywatch_alert_outbox_pending{target}, replywatch_alert_dead_letters{target}. */
void rw_alerts_write_metrics(const struct rw_alerts *a, FILE *out);

/* Frees the engine. Call after rw_alerts_detach, the store's free and the
 * HTTP client's free (whose aborted requests end here). Accepts NULL. */
void rw_alerts_free(struct rw_alerts *a);

#endif
