/*
 * series: the dashboard's time series, pure and unit-tested.
 *
 * From the replies the stats module already holds in memory (its reply log
 * of the last 8 days): figures per fixed bucket of time (compliance and p90
 * per UTC hour or day) and the response-time distribution over the
 * histogram's bounds. And a bounded ring of queue samples (open, and of
 * those warning and breached, once a minute), kept in memory only: it
 * starts empty when the daemon starts.
 *
 * Functions returning json_t give a new reference, or NULL when memory
 * fails; they never keep the arrays they are given.
 */
#ifndef REPLYWATCH_SERIES_H
#define REPLYWATCH_SERIES_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

/* One reply: when it came, its business response time, and whether that was
 * within the policy's breach_after (1, 0, or -1 without a policy). */
struct rw_series_reply {
	int64_t reply_ms;
	int64_t business_ms;
	signed char within;
};

/* count buckets of step_ms each, the last one holding now_ms; bucket
 * starts are multiples of step_ms since the epoch (UTC hours, UTC days).
 * An array, oldest first, of {"start", "replied", "within_sla",
 * "compliance" (null without replies), "p90_seconds" (nearest rank, null
 * without replies)}. */
json_t *rw_series_buckets_json(const struct rw_series_reply *r, size_t n, int64_t now_ms,
			       int64_t step_ms, size_t count);

/* The replies in (now_ms - span_ms, now_ms] counted per bound (seconds,
 * ascending; a reply falls in the first bound at or above its business
 * seconds): an array of {"le": SECONDS, "count"} and a last {"le": null,
 * "count"} for the slower ones. Counts are per bucket, not cumulative. */
json_t *rw_series_distribution_json(const struct rw_series_reply *r, size_t n, int64_t now_ms,
				    int64_t span_ms, const int64_t *bounds, size_t nbounds);

/* Nearest-rank percentile (the smallest value with at least pct % of the
 * values at or below it) of n sorted values; 0 when n is 0. */
int64_t rw_series_rank(const int64_t *sorted, size_t n, unsigned pct);

/* The queue samples: how many mentions wait at an instant. open counts every
 * unanswered mention (as replywatch_mentions_open and /status do), warning
 * and breached are the parts of it past the warning and past the breach. */
struct rw_series_sample {
	int64_t at_ms;
	int64_t open, warning, breached;
};

#define RW_SERIES_QUEUE_MAX 1440 /* 24 h at one sample a minute */
#define RW_SERIES_QUEUE_EVERY_MS ((int64_t)60 * 1000)

struct rw_series_queue {
	struct rw_series_sample samples[RW_SERIES_QUEUE_MAX];
	size_t first, n; /* ring: the oldest at first */
};

/* Adds s unless the last sample is less than RW_SERIES_QUEUE_EVERY_MS
 * older (returns 0 then, 1 when added); the oldest sample makes room when
 * the ring is full. A sample older than the last (the clock went back)
 * replaces nothing and is dropped. */
int rw_series_queue_add(struct rw_series_queue *q, const struct rw_series_sample *s);

/* The samples, oldest first: an array of {"at", "open", "warning",
 * "breached"}. */
json_t *rw_series_queue_json(const struct rw_series_queue *q);

#endif
