/*
 * series.c: the dashboard's buckets, distribution and queue ring.
 */
#include <stdlib.h>

#include "replywatch/clock.h"
#include "replywatch/series.h"

int64_t
rw_series_rank(const int64_t *sorted, size_t n, unsigned pct)
{
	size_t idx = (pct * n + 99) / 100; /* ceil(pct/100 * n) */

	return n ? sorted[idx ? idx - 1 : 0] : 0;
}

/* Floor division: bucket starts stay multiples of step for times before
 * the epoch too. */
static int64_t
floor_to(int64_t t, int64_t step)
{
	int64_t q = t / step;

	return (t % step != 0 && t < 0 ? q - 1 : q) * step;
}

/* The k-th smallest of v[0..n) (0-based; n > k), found in place by
 * quickselect with a median-of-three pivot: linear on average, where a
 * sort of a week of replies would hold the loop for a noticeable time. */
static int64_t
select_k(int64_t *v, size_t n, size_t k)
{
	size_t lo = 0, hi = n - 1;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2, i = lo, j = hi;
		int64_t a = v[lo], b = v[mid], c = v[hi], pivot, t;

		pivot = a < b ? (b < c ? b : (a < c ? c : a)) : (a < c ? a : (b < c ? c : b));
		while (i <= j) {
			while (v[i] < pivot)
				i++;
			while (v[j] > pivot)
				j--;
			if (i <= j) {
				t = v[i];
				v[i] = v[j];
				v[j] = t;
				i++;
				if (j == 0)
					break;
				j--;
			}
		}
		if (k <= j)
			hi = j;
		else if (k >= i)
			lo = i;
		else
			return v[k];
	}
	return v[k];
}

/* The nearest-rank percentile of v[0..n) (reordered), as rw_series_rank
 * gives it over the sorted values. */
static int64_t
percentile(int64_t *v, size_t n, unsigned pct)
{
	size_t idx = (pct * n + 99) / 100;

	return n ? select_k(v, n, idx ? idx - 1 : 0) : 0;
}

/* One bucket's object over its count business times (reordered). */
static json_t *
bucket_json(int64_t start, int64_t *values, size_t count, size_t within)
{
	json_t *o = json_pack("{s:o, s:I, s:I}", "start", rw_time_json(start), "replied",
			      (json_int_t)count, "within_sla", (json_int_t)within);

	if (o == NULL)
		return NULL;
	json_object_set_new(o, "compliance",
			    count ? json_real((double)within / (double)count) : json_null());
	json_object_set_new(o, "p90_seconds",
			    count ? json_real((double)percentile(values, count, 90) / 1000.0)
				  : json_null());
	return o;
}

/* One pass over the replies: each one's bucket (or count when outside). */
static size_t
bucket_of(const struct rw_series_reply *r, int64_t first, int64_t step_ms, size_t count)
{
	if (r->reply_ms < first || (r->reply_ms - first) / step_ms >= (int64_t)count)
		return count;
	return (size_t)((r->reply_ms - first) / step_ms);
}

json_t *
rw_series_buckets_json(const struct rw_series_reply *r, size_t n, int64_t now_ms, int64_t step_ms,
		       size_t count)
{
	int64_t first = floor_to(now_ms, step_ms) - (int64_t)(count - 1) * step_ms;
	/* A counting sort: offsets per bucket, then every business time in its
	 * bucket's slice, so the whole series costs two passes and a
	 * quickselect per bucket. */
	size_t *at = calloc(count + 2, sizeof(*at)), *within = calloc(count, sizeof(*within));
	int64_t *values = malloc((n ? n : 1) * sizeof(*values));
	json_t *list = at && within && values ? json_array() : NULL;

	for (size_t i = 0; list && i < n; i++) {
		size_t b = bucket_of(&r[i], first, step_ms, count);

		if (b == count)
			continue;
		at[b + 2]++;
		within[b] += r[i].within == 1;
	}
	for (size_t b = 2; list && b < count + 2; b++)
		at[b] += at[b - 1];
	/* at[b + 1] is now bucket b's start; it moves to b's end as it fills. */
	for (size_t i = 0; list && i < n; i++) {
		size_t b = bucket_of(&r[i], first, step_ms, count);

		if (b < count)
			values[at[b + 1]++] = r[i].business_ms;
	}
	for (size_t b = 0; list && b < count; b++) {
		size_t lo = at[b], len = at[b + 1] - at[b];
		json_t *o;

		o = bucket_json(first + (int64_t)b * step_ms, values + lo, len, within[b]);
		if (o == NULL || json_array_append_new(list, o) == -1) {
			json_decref(list);
			list = NULL;
		}
	}
	free(at);
	free(within);
	free(values);
	return list;
}

json_t *
rw_series_distribution_json(const struct rw_series_reply *r, size_t n, int64_t now_ms,
			    int64_t span_ms, const int64_t *bounds, size_t nbounds)
{
	json_int_t *counts = calloc(nbounds + 1, sizeof(*counts));
	json_t *list = counts ? json_array() : NULL;

	for (size_t i = 0; list && i < n; i++) {
		size_t b = 0;

		if (r[i].reply_ms <= now_ms - span_ms || r[i].reply_ms > now_ms)
			continue;
		while (b < nbounds && r[i].business_ms > bounds[b] * 1000)
			b++;
		counts[b]++;
	}
	for (size_t b = 0; list && b <= nbounds; b++) {
		json_t *o = json_pack("{s:o, s:I}", "le",
				      b < nbounds ? json_integer(bounds[b]) : json_null(), "count",
				      counts[b]);

		if (o == NULL || json_array_append_new(list, o) == -1) {
			json_decref(list);
			list = NULL;
		}
	}
	free(counts);
	return list;
}

int
rw_series_queue_add(struct rw_series_queue *q, const struct rw_series_sample *s)
{
	if (q->n > 0) {
		const struct rw_series_sample *last =
			&q->samples[(q->first + q->n - 1) % RW_SERIES_QUEUE_MAX];

		if (s->at_ms < last->at_ms + RW_SERIES_QUEUE_EVERY_MS)
			return 0;
	}
	if (q->n == RW_SERIES_QUEUE_MAX) {
		q->first = (q->first + 1) % RW_SERIES_QUEUE_MAX;
		q->n--;
	}
	q->samples[(q->first + q->n) % RW_SERIES_QUEUE_MAX] = *s;
	q->n++;
	return 1;
}

json_t *
rw_series_queue_json(const struct rw_series_queue *q)
{
	json_t *list = json_array();

	for (size_t i = 0; list && i < q->n; i++) {
		const struct rw_series_sample *s =
			&q->samples[(q->first + i) % RW_SERIES_QUEUE_MAX];
		json_t *o = json_pack("{s:o, s:I, s:I, s:I}", "at", rw_time_json(s->at_ms), "open",
				      (json_int_t)s->open, "warning", (json_int_t)s->warning,
				      "breached", (json_int_t)s->breached);

		if (o == NULL || json_array_append_new(list, o) == -1) {
			json_decref(list);
			list = NULL;
		}
	}
	return list;
}
