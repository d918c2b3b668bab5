/*
 * test_series: the dashboard's buckets (UTC hours and days, compliance,
 * nearest-rank p90), the distribution over histogram bounds, and the
 * bounded queue ring.
 */
#include <criterion/criterion.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "replywatch/series.h"

#define HOUR (3600 * 1000LL)
#define DAY (24 * HOUR)

/* 2026-12-04T10:30:00Z */
static const int64_t now = 1796380200000LL;

static const char *
start_of(json_t *bucket)
{
	return json_string_value(json_object_get(bucket, "start"));
}

Test(series, hours_are_utc_aligned_oldest_first_and_hold_their_replies)
{
	struct rw_series_reply r[] = {
		{now - 10 * 60 * 1000, 5000, 1},  /* 10:20, this hour */
		{now - 20 * 60 * 1000, 90000, 0}, /* 10:10 */
		{now - 40 * 60 * 1000, 20000, 1}, /* 09:50 */
		{now - 24 * HOUR, 1000, 1},       /* 10:30 yesterday: outside */
		{now + 60 * 1000, 1000, 1},       /* a minute ahead: in this hour */
	};
	json_t *list = rw_series_buckets_json(r, 5, now, HOUR, 24);
	json_t *last, *prev;

	cr_assert_eq(json_array_size(list), 24);
	cr_assert_str_eq(start_of(json_array_get(list, 0)), "2026-12-03T11:00:00.000Z");
	last = json_array_get(list, 23);
	prev = json_array_get(list, 22);
	cr_assert_str_eq(start_of(last), "2026-12-04T10:00:00.000Z");
	cr_assert_eq(json_integer_value(json_object_get(last, "replied")), 3);
	cr_assert_eq(json_integer_value(json_object_get(last, "within_sla")), 2);
	cr_assert_float_eq(json_real_value(json_object_get(last, "compliance")), 2.0 / 3, 1e-9);
	/* nearest rank: ceil(0.9 * 3) = 3rd of 1 s, 5 s, 90 s */
	cr_assert_float_eq(json_real_value(json_object_get(last, "p90_seconds")), 90.0, 1e-9);
	cr_assert_eq(json_integer_value(json_object_get(prev, "replied")), 1);
	cr_assert_float_eq(json_real_value(json_object_get(prev, "p90_seconds")), 20.0, 1e-9);
	/* a bucket without replies says so with nulls, not zeros */
	cr_assert(json_is_null(json_object_get(json_array_get(list, 5), "compliance")));
	cr_assert(json_is_null(json_object_get(json_array_get(list, 5), "p90_seconds")));
	json_decref(list);
}

Test(series, days_are_utc_days)
{
	struct rw_series_reply r[] = {
		{now - 11 * HOUR, 1000, 1},           /* 23:30 the day before: yesterday */
		{now - 10 * HOUR, 1000, 0},           /* 00:30 today */
		{now - 6 * DAY - 11 * HOUR, 1000, 1}, /* 7 days back, before the first day */
	};
	json_t *list = rw_series_buckets_json(r, 3, now, DAY, 7);

	cr_assert_eq(json_array_size(list), 7);
	cr_assert_str_eq(start_of(json_array_get(list, 0)), "2026-11-28T00:00:00.000Z");
	cr_assert_str_eq(start_of(json_array_get(list, 6)), "2026-12-04T00:00:00.000Z");
	cr_assert_eq(json_integer_value(json_object_get(json_array_get(list, 6), "replied")), 1);
	cr_assert_float_eq(json_real_value(json_object_get(json_array_get(list, 6), "compliance")),
			   0.0, 1e-9);
	cr_assert_eq(json_integer_value(json_object_get(json_array_get(list, 5), "replied")), 1);
	cr_assert_eq(json_integer_value(json_object_get(json_array_get(list, 0), "replied")), 0);
	json_decref(list);
}

Test(series, no_replies_gives_empty_buckets)
{
	json_t *list = rw_series_buckets_json(NULL, 0, now, HOUR, 24);

	cr_assert_eq(json_array_size(list), 24);
	cr_assert_eq(json_integer_value(json_object_get(json_array_get(list, 23), "replied")), 0);
	json_decref(list);
}

Test(series, distribution_counts_each_reply_in_its_first_bound)
{
	const int64_t bounds[] = {30, 60, 300};
	struct rw_series_reply r[] = {
		{now - 1000, 30000, 1},   /* exactly 30 s: le 30 */
		{now - 1000, 30001, 1},   /* le 60 */
		{now - 2000, 60000, 1},   /* le 60 */
		{now - 3000, 3600000, 0}, /* past the last bound */
		{now - 8 * DAY, 1000, 1}, /* outside the window */
	};
	json_t *list = rw_series_distribution_json(r, 5, now, 7 * DAY, bounds, 3);
	const json_int_t want[] = {1, 2, 0, 1};

	cr_assert_eq(json_array_size(list), 4);
	for (size_t i = 0; i < 4; i++) {
		json_t *b = json_array_get(list, i);

		cr_assert_eq(json_integer_value(json_object_get(b, "count")), want[i], "bucket %zu",
			     i);
		if (i < 3)
			cr_assert_eq(json_integer_value(json_object_get(b, "le")), bounds[i]);
		else
			cr_assert(json_is_null(json_object_get(b, "le")));
	}
	json_decref(list);
}

Test(series, rank_is_nearest_rank)
{
	const int64_t v[] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10};

	cr_assert_eq(rw_series_rank(v, 10, 90), 9);
	cr_assert_eq(rw_series_rank(v, 10, 50), 5);
	cr_assert_eq(rw_series_rank(v, 1, 90), 1);
	cr_assert_eq(rw_series_rank(v, 0, 90), 0);
}

Test(series, queue_takes_one_sample_a_minute_and_keeps_the_last_day)
{
	struct rw_series_queue *q = calloc(1, sizeof(*q));
	struct rw_series_sample s = {.at_ms = now, .open = 1, .warning = 2, .breached = 3};
	json_t *list;

	cr_assert_eq(rw_series_queue_add(q, &s), 1);
	s.at_ms = now + 59999;
	cr_assert_eq(rw_series_queue_add(q, &s), 0, "a second sample in the same minute");
	s.at_ms = now - 60000;
	cr_assert_eq(rw_series_queue_add(q, &s), 0, "the clock went back");
	for (int i = 1; i <= RW_SERIES_QUEUE_MAX + 9; i++) {
		s.at_ms = now + i * RW_SERIES_QUEUE_EVERY_MS;
		s.open = i;
		cr_assert_eq(rw_series_queue_add(q, &s), 1);
	}
	cr_assert_eq(q->n, RW_SERIES_QUEUE_MAX);
	list = rw_series_queue_json(q);
	cr_assert_eq(json_array_size(list), RW_SERIES_QUEUE_MAX);
	/* the oldest ten went: the first left is sample 10, the last 1449 */
	cr_assert_eq(json_integer_value(json_object_get(json_array_get(list, 0), "open")), 10);
	cr_assert_eq(json_integer_value(json_object_get(
			     json_array_get(list, RW_SERIES_QUEUE_MAX - 1), "open")),
		     RW_SERIES_QUEUE_MAX + 9);
	cr_assert_eq(json_integer_value(json_object_get(json_array_get(list, 0), "breached")), 3);
	cr_assert_str_eq(json_string_value(json_object_get(json_array_get(list, 0), "at")),
			 "2026-12-04T10:40:00.000Z");
	json_decref(list);
	free(q);
}

static int
cmp64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return x < y ? -1 : x > y;
}

Test(series, buckets_agree_with_a_plain_count_on_random_replies)
{
	enum { N = 3000 };
	struct rw_series_reply *r = calloc(N, sizeof(*r));
	int64_t *v = calloc(N, sizeof(*v));
	json_t *list;

	srandom(15);
	for (size_t i = 0; i < N; i++) /* 30 h back to 1 h ahead, in any order */
		r[i] = (struct rw_series_reply){now - 30 * HOUR + random() % (31 * HOUR),
						random() % 600000, (signed char)(random() % 3 - 1)};
	list = rw_series_buckets_json(r, N, now, HOUR, 24);
	cr_assert_eq(json_array_size(list), 24);
	for (size_t b = 0; b < 24; b++) {
		int64_t start = now - now % HOUR - (int64_t)(23 - b) * HOUR;
		size_t n = 0, within = 0;
		json_t *o = json_array_get(list, b);

		for (size_t i = 0; i < N; i++) {
			if (r[i].reply_ms >= start && r[i].reply_ms < start + HOUR) {
				v[n++] = r[i].business_ms;
				within += r[i].within == 1;
			}
		}
		qsort(v, n, sizeof(*v), cmp64);
		cr_assert_eq(json_integer_value(json_object_get(o, "replied")), (json_int_t)n);
		cr_assert_eq(json_integer_value(json_object_get(o, "within_sla")),
			     (json_int_t)within);
		if (n > 0)
			cr_assert_float_eq(json_real_value(json_object_get(o, "p90_seconds")),
					   (double)rw_series_rank(v, n, 90) / 1000.0, 1e-9);
	}
	json_decref(list);
	free(r);
	free(v);
}

/* p90 is found by quickselect: equal values, two values, runs, sorted and
 * reversed input all give the nearest rank of the sorted values. */
Test(series, p90_matches_the_sorted_rank_on_awkward_inputs)
{
	struct rw_series_reply r[300];
	int64_t v[300];

	srandom(90);
	for (size_t n = 1; n <= 300; n += (n < 20 ? 1 : 37)) {
		for (int shape = 0; shape < 5; shape++) {
			for (size_t i = 0; i < n; i++) {
				int64_t x = shape == 0   ? 7000
					    : shape == 1 ? (random() % 2) * 1000
					    : shape == 2 ? (int64_t)i * 1000
					    : shape == 3 ? (int64_t)(n - i) * 1000
							 : (random() % 4) * 1000;

				r[i] = (struct rw_series_reply){now - 1000, x, 1};
				v[i] = x;
			}
			qsort(v, n, sizeof(*v), cmp64);
			json_t *list = rw_series_buckets_json(r, n, now, HOUR, 1);
			json_t *p90 = json_object_get(json_array_get(list, 0), "p90_seconds");

			cr_assert_float_eq(json_real_value(p90),
					   (double)rw_series_rank(v, n, 90) / 1000.0, 1e-9,
					   "n %zu shape %d", n, shape);
			json_decref(list);
		}
	}
}
