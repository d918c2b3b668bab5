/*
 * stats: live SLA figures — open/warning/breached counts per policy and
 * source ("open" counts every unanswered mention, warning and breached ones
 * included, in /status and in /metrics alike), the counters behind the Prometheus metrics, and
 * 1h/24h/7d windows of replies (count, within SLA, compliance, response-time percentiles).
 *
 * Everything lives in Redis (per source: the counter hash, the state
 * indexes, and the reply-log stream), so figures survive restarts and agree
 * across daemons. This module reads them once a second into memory (over
 * 1 000 sources, 1 000 sources a second in turn: the figures of a
 * 10 000-source configuration are then up to 10 s old, and Redis is never
 * asked for every source at once); /status and /metrics are answered from
 * that snapshot, so their cost does not grow with the number of tracked
 * mentions.
 *
 * Window percentiles are exact (nearest rank) over business response
 * seconds (equal to wall seconds for a policy without a calendar); a window
 * covers the replies whose reply time falls inside it.
 */
#ifndef REPLYWATCH_STATS_H
#define REPLYWATCH_STATS_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

struct ev_loop;
struct rw_config;
struct rw_store;
struct rw_stats;

/* How long the reply log is kept: the longest window (7 d) and a day. */
#define RW_STATS_KEEP_MS ((int64_t)8 * 86400 * 1000)

/* The response-time histogram's upper bounds in seconds, ascending: a fixed
 * ladder plus every policy's warn_after, breach_after and escalation steps,
 * so SLO fractions read from the histogram are exact. Returns the count
 * written (at most max). */
size_t rw_stats_buckets(const struct rw_config *cfg, int64_t *bounds, size_t max);

/* The histogram bucket (its upper bound as text, "+Inf" past the last) that
 * a business response of ms falls in. */
void rw_stats_bucket_name(const struct rw_config *cfg, int64_t ms, char *buf, size_t len);

struct rw_stats *rw_stats_new(struct ev_loop *loop, struct rw_store *st);

/* Follows cfg (borrowed until the next call) and refreshes at once. */
void rw_stats_use(struct rw_stats *s, const struct rw_config *cfg);

/* Reads the next sources now, at most 1 000 (also done once a second);
 * nothing while the last reads are under way. */
void rw_stats_refresh(struct rw_stats *s);

/* True once every source has been read since the last rw_stats_use (over
 * 1 000 sources, a second per 1 000). */
bool rw_stats_ready(const struct rw_stats *s);

/* The "policies" array of /status (a new array): per policy "open" (every
 * unanswered mention), "warning" and "breached" (parts of open), and
 * "by_state" (open, warning, breached: the mention states, which add up to
 * open). */
json_t *rw_stats_policies_json(struct rw_stats *s, int64_t now_ms);

/* The dashboard's charts (GET /dashboard/data, a new object): per policy
 * the 7 d response-time distribution over rw_stats_buckets' bounds and
 * compliance and p90 per UTC hour (24 h) and per UTC day (7 d), from the
 * reply log already in memory; and the open queue sampled once a minute
 * (series.h; in memory, empty after a restart) and the same counts now.
 * No Redis round trip. */
json_t *rw_stats_dashboard_json(struct rw_stats *s, int64_t now_ms);

/* Per-source figures for /status: mentions and replies seen. */
void rw_stats_source_seen(const struct rw_stats *s, const char *source, int64_t *mentions,
			  int64_t *replies);

/* Appends the Prometheus text exposition of the mention and reply metrics
 * to out (an open memstream). */
void rw_stats_write_metrics(struct rw_stats *s, FILE *out);

void rw_stats_free(struct rw_stats *s);

#endif
