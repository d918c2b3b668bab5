/*
 * test_buckets: the response-time histogram's bounds (rw_stats_buckets) —
 * the fixed ladder plus every policy's warn_after, breach_after and
 * escalation steps, ascending and unique — and the bucket a business
 * response falls in (rw_stats_bucket_name).
 *
 * Configurations are written with ' for " (rwt_json_quotes).
 */
#include <criterion/criterion.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "replywatch/config.h"
#include "replywatch/stats.h"

#include "rwtest.h"

/* The fixed ladder, in seconds. */
static const int64_t ladder[] = {1,    5,    15,   30,    60,    120,   300,   600,    900,
				 1800, 3600, 7200, 14400, 28800, 43200, 86400, 172800, 604800};
#define NLADDER (sizeof(ladder) / sizeof(ladder[0]))

static struct rw_config *
load_config(const char *text)
{
	struct rw_config_errors errs = {0};
	char *json = rwt_json_quotes(text);
	struct rw_config *cfg = rw_config_load_string(json, "test", &errs);

	cr_assert_not_null(cfg, "config rejected:\n%s", rwt_config_errors_text(&errs));
	free(json);
	return cfg;
}

static void
expect_bounds(const int64_t *got, size_t n, const int64_t *want, size_t nwant)
{
	for (size_t i = 0; i < n && i < nwant; i++)
		cr_assert_eq(got[i], want[i], "bounds[%zu] = %lld, want %lld", i, (long long)got[i],
			     (long long)want[i]);
	cr_assert_eq(n, nwant, "%zu bounds, want %zu", n, nwant);
}

static void
expect_ascending_unique(const int64_t *b, size_t n)
{
	for (size_t i = 1; i < n; i++)
		cr_assert_lt(b[i - 1], b[i], "bounds[%zu] = %lld after %lld", i, (long long)b[i],
			     (long long)b[i - 1]);
}

static void
expect_bucket(const struct rw_config *cfg, int64_t ms, const char *want)
{
	char buf[32];

	rw_stats_bucket_name(cfg, ms, buf, sizeof(buf));
	cr_assert_str_eq(buf, want, "%lld ms", (long long)ms);
}

/* ---- rw_stats_buckets ---- */

Test(buckets, ladder_without_config)
{
	int64_t b[64];
	size_t n = rw_stats_buckets(NULL, b, 64);

	expect_bounds(b, n, ladder, NLADDER);
}

Test(buckets, ladder_without_policies)
{
	struct rw_config *cfg = load_config("{'policies': []}");
	int64_t b[64];
	size_t n = rw_stats_buckets(cfg, b, 64);

	expect_bounds(b, n, ladder, NLADDER);
	rw_config_free(cfg);
}

/* The example configuration's 45m/1h: 3600 is on the ladder already, once. */
Test(buckets, warn_and_breach_added)
{
	struct rw_config *cfg = load_config("{'policies': [{'name': 'default', 'match': {},"
					    " 'warn_after': '45m', 'breach_after': '1h'}]}");
	static const int64_t want[] = {1,     5,     15,    30,     60,    120,  300,
				       600,   900,   1800,  2700,   3600,  7200, 14400,
				       28800, 43200, 86400, 172800, 604800};
	int64_t b[64];
	size_t n = rw_stats_buckets(cfg, b, 64);

	expect_bounds(b, n, want, sizeof(want) / sizeof(want[0]));
	rw_config_free(cfg);
}

/* Several policies: every warn, breach and step, sorted in, duplicates once. */
Test(buckets, every_policy_and_escalation_step)
{
	struct rw_config *cfg = load_config(
		"{'policies': ["
		" {'name': 'vip', 'match': {'min_followers': 10000}, 'warn_after': '10m',"
		"  'breach_after': '20m', 'escalate_after': ['90m', '3h', '8d']},"
		" {'name': 'social', 'match': {}, 'warn_after': '17s', 'breach_after': 2700,"
		"  'escalate_after': ['90m']},"
		" {'name': 'reviews', 'match': {}, 'breach_after': '1d1s'}]}");
	static const int64_t want[] = {1,     5,      15,     17,    30,    60,    120,
				       300,   600,    900,    1200,  1800,  2700,  3600,
				       5400,  7200,   10800,  14400, 28800, 43200, 86400,
				       86401, 172800, 604800, 691200};
	int64_t b[64];
	size_t n = rw_stats_buckets(cfg, b, 64);

	expect_bounds(b, n, want, sizeof(want) / sizeof(want[0]));
	expect_ascending_unique(b, n);
	rw_config_free(cfg);
}

/* Policies repeating each other's values add each value once. */
Test(buckets, duplicates_across_policies)
{
	struct rw_config *cfg = load_config(
		"{'policies': ["
		" {'name': 'a', 'match': {}, 'warn_after': '40m', 'breach_after': '50m'},"
		" {'name': 'b', 'match': {}, 'warn_after': '40m', 'breach_after': '50m',"
		"  'escalate_after': ['50m', '2h']},"
		" {'name': 'c', 'match': {}, 'breach_after': '40m'}]}");
	static const int64_t want[] = {1,     5,     15,    30,    60,     120,   300,
				       600,   900,   1800,  2400,  3000,   3600,  7200,
				       14400, 28800, 43200, 86400, 172800, 604800};
	int64_t b[64];
	size_t n = rw_stats_buckets(cfg, b, 64);

	expect_bounds(b, n, want, sizeof(want) / sizeof(want[0]));
	rw_config_free(cfg);
}

/* A small max: no more than max bounds are written, still ascending. */
Test(buckets, at_most_max)
{
	static const int64_t want[] = {1, 5, 15, 30, 60};
	int64_t b[6] = {-1, -1, -1, -1, -1, -1};
	size_t n = rw_stats_buckets(NULL, b, 5);

	expect_bounds(b, n, want, 5);
	cr_assert_eq(b[5], -1, "wrote past max");
}

/*
 * BUG (daemon/stats.c, rw_stats_buckets): bounds are cut at max *before*
 * duplicates are removed. Here 24 policies repeat 45m/1h (48 entries, after
 * the 18 of the ladder: 66 > 64 = MAX_BUCKETS, the size rw_stats_bucket_name
 * and the /metrics histogram use), so the 25th policy's breach_after (50m =
 * 3000 s) is dropped although only 20 distinct bounds exist. A 50-minute
 * reply is then counted in bucket "3600" and that policy's SLO fraction
 * read from the histogram is wrong. Fixed; kept as a regression test.
 */
Test(buckets, many_policies_keep_every_bound)
{
	char text[8192] = "{'policies': [";
	size_t len = strlen(text);
	struct rw_config *cfg;
	int64_t b[64];
	size_t n;
	bool found = false;

	for (int i = 0; i < 24; i++)
		len += (size_t)snprintf(text + len, sizeof(text) - len,
					"{'name': 'p%d', 'match': {}, 'warn_after': '45m',"
					" 'breach_after': '1h'},",
					i);
	snprintf(text + len, sizeof(text) - len,
		 "{'name': 'late', 'match': {}, 'breach_after': '50m'}]}");
	cfg = load_config(text);
	n = rw_stats_buckets(cfg, b, 64);
	cr_assert_eq(n, NLADDER + 2, "%zu bounds", n);
	for (size_t i = 0; i < n; i++)
		found = found || b[i] == 3000;
	cr_assert(found, "3000 (policy 'late' breach_after) missing");
	expect_bucket(cfg, 3000 * 1000, "3000");
	rw_config_free(cfg);
}

/* ---- rw_stats_bucket_name ---- */

/* Values in ms: the smallest bound >= the value in seconds; on a bound is in it. */
Test(bucket_name, ladder_only)
{
	expect_bucket(NULL, 0, "1");
	expect_bucket(NULL, 1, "1");
	expect_bucket(NULL, 999, "1");
	expect_bucket(NULL, 1000, "1");
	expect_bucket(NULL, 1001, "5");
	expect_bucket(NULL, 5000, "5");
	expect_bucket(NULL, 5001, "15");
	expect_bucket(NULL, 59999, "60");
	expect_bucket(NULL, 60000, "60");
	expect_bucket(NULL, 3600000, "3600");
	expect_bucket(NULL, 3600001, "7200");
	expect_bucket(NULL, 604800000LL, "604800");
	/* Past the last bound. */
	expect_bucket(NULL, 604800001LL, "+Inf");
	expect_bucket(NULL, INT64_MAX / 2, "+Inf");
}

/* A reply stamped before its mention (clock skew) is in the first bucket. */
Test(bucket_name, negative_in_first_bucket)
{
	expect_bucket(NULL, -1, "1");
	expect_bucket(NULL, -3600000, "1");
}

/* Policy bounds are buckets of their own: SLO fractions are exact. */
Test(bucket_name, policy_bounds)
{
	struct rw_config *cfg =
		load_config("{'policies': [{'name': 'social', 'match': {}, 'warn_after': '45m',"
			    " 'breach_after': '50m', 'escalate_after': ['70m', '8d']}]}");

	expect_bucket(cfg, 1800001, "2700");
	expect_bucket(cfg, 2700000, "2700");
	expect_bucket(cfg, 2700001, "3000");
	expect_bucket(cfg, 3000000, "3000");
	expect_bucket(cfg, 3000001, "3600");
	expect_bucket(cfg, 3600001, "4200");
	expect_bucket(cfg, 4200000, "4200");
	expect_bucket(cfg, 4200001, "7200");
	expect_bucket(cfg, 604800001LL, "691200");
	expect_bucket(cfg, 691200000LL, "691200");
	expect_bucket(cfg, 691200001LL, "+Inf");
	rw_config_free(cfg);
}

/* A short buffer is cut and terminated. */
Test(bucket_name, short_buffer)
{
	char buf[3];

	rw_stats_bucket_name(NULL, 604800000LL, buf, sizeof(buf));
	cr_assert_str_eq(buf, "60");
	rw_stats_bucket_name(NULL, 604800001LL, buf, sizeof(buf));
	cr_assert_str_eq(buf, "+I");
}
