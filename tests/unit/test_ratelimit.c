/*
 * test_ratelimit: each platform's rate-limit headers read into one shape
 * (rw_ratelimit_read): Mastodon's ISO 8601 reset with microseconds, X's and
 * Bluesky's Unix seconds, Retry-After as seconds and as an HTTP date, names
 * in any case (the lookup's contract, as libcurl hands them over), and
 * values that do not parse, which count as absent.
 */
#include <criterion/criterion.h>
#include <stdint.h>
#include <string.h>
#include <strings.h>

#include "replywatch/config.h"
#include "replywatch/ratelimit.h"

#include "rwtest.h"

/* The clock of every answer: 2026-11-23T12:00:00Z. */
#define NOW (rwt_utc_ms(2026, 11, 23, 12, 0))

/* Name/value pairs, NULL-terminated; looked up ignoring case as the
 * poller's lookup does. */
static const char *
lookup(void *arg, const char *name)
{
	const char *const *h = arg;

	for (size_t i = 0; h[i] != NULL; i += 2)
		if (strcasecmp(h[i], name) == 0)
			return h[i + 1];
	return NULL;
}

static struct rw_ratelimit
read_headers(enum rw_source_type type, const char *const *headers)
{
	struct rw_ratelimit rl;

	memset(&rl, 0xa5, sizeof(rl));
	rw_ratelimit_read(type, lookup, (void *)headers, NOW, &rl);
	return rl;
}

/* Expects this platform's window read: limit and remaining (-1: not given)
 * and the reset time (0: not given). */
static void
expect_window(const struct rw_ratelimit *rl, long limit, long remaining, int64_t reset_at_ms)
{
	cr_assert(rl->known);
	cr_assert_eq(rl->limit, limit);
	cr_assert_eq(rl->remaining, remaining);
	cr_assert_eq(rl->reset_at_ms, reset_at_ms);
}

static void
expect_unknown(const struct rw_ratelimit *rl)
{
	cr_assert_not(rl->known);
	cr_assert_eq(rl->limit, -1);
	cr_assert_eq(rl->remaining, -1);
	cr_assert_eq(rl->reset_at_ms, 0);
}

Test(ratelimit, mastodon)
{
	const char *h[] = {"X-RateLimit-Limit",
			   "300",
			   "X-RateLimit-Remaining",
			   "299",
			   "X-RateLimit-Reset",
			   "2026-11-23T12:05:00.123456Z",
			   NULL};
	struct rw_ratelimit rl = read_headers(RW_SOURCE_MASTODON, h);

	expect_window(&rl, 300, 299, rwt_utc_ms(2026, 11, 23, 12, 5) + 123);
	cr_assert_eq(rl.retry_at_ms, 0);
}

/* HTTP/2 sends every name in lower case; some proxies mix it. */
Test(ratelimit, mastodon_any_case)
{
	const char *h[] = {
		"x-ratelimit-limit",    "300", "X-RATELIMIT-REMAINING", "0", "x-RateLimit-reset",
		"2026-11-23T12:05:00Z", NULL};
	struct rw_ratelimit rl = read_headers(RW_SOURCE_MASTODON, h);

	expect_window(&rl, 300, 0, rwt_utc_ms(2026, 11, 23, 12, 5));
}

/* A server that sends the reset as Unix seconds, with an offset time too. */
Test(ratelimit, mastodon_other_reset_forms)
{
	const char *secs[] = {"X-RateLimit-Reset", "1795435500", NULL};
	const char *offset[] = {"X-RateLimit-Reset", " 2026-11-23T13:05:00.5+01:00 ", NULL};
	struct rw_ratelimit rl = read_headers(RW_SOURCE_MASTODON, secs);

	expect_window(&rl, -1, -1, 1795435500000LL);
	rl = read_headers(RW_SOURCE_MASTODON, offset);
	cr_assert_eq(rl.reset_at_ms, rwt_utc_ms(2026, 11, 23, 12, 5) + 500);
}

Test(ratelimit, x)
{
	const char *h[] = {
		"x-rate-limit-limit", "450", "x-rate-limit-remaining", "12", "x-rate-limit-reset",
		"1795436100",         NULL};
	const char *mixed[] = {
		"X-Rate-Limit-Limit", "300", "X-RATE-LIMIT-REMAINING", "0", "X-Rate-Limit-Reset",
		"1795436100",         NULL};
	struct rw_ratelimit rl = read_headers(RW_SOURCE_X, h);

	expect_window(&rl, 450, 12, rwt_utc_ms(2026, 11, 23, 12, 15));
	rl = read_headers(RW_SOURCE_X, mixed);
	expect_window(&rl, 300, 0, rwt_utc_ms(2026, 11, 23, 12, 15));
}

/* A 429 from a PDS: the window's headers and Retry-After in seconds. */
Test(ratelimit, bluesky)
{
	const char *h[] = {"ratelimit-limit",
			   "3000",
			   "ratelimit-remaining",
			   "0",
			   "ratelimit-reset",
			   "1795435500",
			   "ratelimit-policy",
			   "3000;w=300",
			   "retry-after",
			   "300",
			   NULL};
	struct rw_ratelimit rl = read_headers(RW_SOURCE_BLUESKY, h);

	expect_window(&rl, 3000, 0, rwt_utc_ms(2026, 11, 23, 12, 5));
	cr_assert_eq(rl.retry_at_ms, NOW + 300000);
}

/* Each platform reads its own names only. */
Test(ratelimit, other_platforms_headers_ignored)
{
	const char *mastodon[] = {"X-RateLimit-Limit", "300", "X-RateLimit-Remaining", "1", NULL};
	const char *x[] = {"x-rate-limit-limit", "450", "x-rate-limit-reset", "1795436100", NULL};
	struct rw_ratelimit rl;

	rl = read_headers(RW_SOURCE_X, mastodon);
	expect_unknown(&rl);
	rl = read_headers(RW_SOURCE_BLUESKY, x);
	expect_unknown(&rl);
	rl = read_headers(RW_SOURCE_MASTODON, x);
	expect_unknown(&rl);
	/* A platform without rate-limit headers of its own. */
	rl = read_headers(RW_SOURCE_TRUSTPILOT, mastodon);
	expect_unknown(&rl);
}

/* Reddit's reader (its descriptor's ratelimit_read): remaining a float,
 * reset in seconds from now, limit = used + remaining; names in any case. */
Test(ratelimit, reddit)
{
	const char *h[] = {"x-ratelimit-used",
			   "4",
			   "x-ratelimit-remaining",
			   "596.0",
			   "x-ratelimit-reset",
			   "116",
			   NULL};
	struct rw_ratelimit rl = read_headers(RW_SOURCE_REDDIT, h);

	expect_window(&rl, 600, 596, NOW + 116000);
}

Test(ratelimit, no_headers)
{
	const char *h[] = {"Content-Type", "application/json", NULL};
	struct rw_ratelimit rl = read_headers(RW_SOURCE_MASTODON, h);

	expect_unknown(&rl);
	cr_assert_eq(rl.retry_at_ms, 0);
}

Test(ratelimit, retry_after_http_date)
{
	const char *h[] = {"Retry-After", "Mon, 23 Nov 2026 12:10:30 GMT", NULL};
	struct rw_ratelimit rl = read_headers(RW_SOURCE_MASTODON, h);

	expect_unknown(&rl);
	cr_assert_eq(rl.retry_at_ms, rwt_utc_ms(2026, 11, 23, 12, 10) + 30000);
	/* Any platform reads it. */
	rl = read_headers(RW_SOURCE_TRUSTPILOT, h);
	cr_assert_eq(rl.retry_at_ms, rwt_utc_ms(2026, 11, 23, 12, 10) + 30000);
}

Test(ratelimit, retry_after_seconds)
{
	const char *zero[] = {"retry-after", "0", NULL};
	const char *spaced[] = {"RETRY-AFTER", " 120 ", NULL};
	struct rw_ratelimit rl;

	rl = read_headers(RW_SOURCE_X, zero);
	cr_assert_eq(rl.retry_at_ms, NOW);
	rl = read_headers(RW_SOURCE_X, spaced);
	cr_assert_eq(rl.retry_at_ms, NOW + 120000);
}

/* Values that do not parse count as absent; the others still read. */
Test(ratelimit, unparsable_values)
{
	static const char *const bad_numbers[] = {
		"", " ", "abc", "-1", "+5", "1.5", "12abc", "0x10", "99999999999999999999999", NULL,
	};
	static const char *const bad_times[] = {
		"",   "soon",         "2026-11-23", "2026-11-23T12:05:00", "2026-13-01T00:00:00Z",
		"-1", "1795435500.5", NULL,
	};
	static const char *const bad_retry[] = {
		"",
		"-5",
		"1.5",
		"soon",
		"Mon, 23 Nov 2026 12:10:30",
		"Mon, 23 Nov 2026 12:10:30 UTC",
		"23 Nov 2026 12:10:30 GMT",
		"Mon, 23 Nov 2026 12:10:30 GMT trailing",
		"99999999999999999999",
		NULL,
	};

	for (size_t i = 0; bad_numbers[i] != NULL; i++) {
		const char *h[] = {"x-rate-limit-limit",
				   bad_numbers[i],
				   "x-rate-limit-remaining",
				   "7",
				   "x-rate-limit-reset",
				   bad_numbers[i],
				   NULL};
		struct rw_ratelimit rl = read_headers(RW_SOURCE_X, h);

		cr_assert(rl.known, "[%s]", bad_numbers[i]);
		cr_assert_eq(rl.limit, -1, "[%s]", bad_numbers[i]);
		cr_assert_eq(rl.remaining, 7);
		cr_assert_eq(rl.reset_at_ms, 0, "[%s]", bad_numbers[i]);

		const char *only[] = {"ratelimit-limit", bad_numbers[i], "ratelimit-remaining",
				      bad_numbers[i], NULL};
		rl = read_headers(RW_SOURCE_BLUESKY, only);
		expect_unknown(&rl);
	}
	for (size_t i = 0; bad_times[i] != NULL; i++) {
		const char *h[] = {"X-RateLimit-Reset", bad_times[i], NULL};
		struct rw_ratelimit rl = read_headers(RW_SOURCE_MASTODON, h);

		expect_unknown(&rl);
	}
	for (size_t i = 0; bad_retry[i] != NULL; i++) {
		const char *h[] = {"Retry-After", bad_retry[i], NULL};
		struct rw_ratelimit rl = read_headers(RW_SOURCE_BLUESKY, h);

		cr_assert_eq(rl.retry_at_ms, 0, "[%s]", bad_retry[i]);
	}
}

/* Regression: "Retry-After: 999999999" or a reset in the year 5138 parked a
 * source for decades. Every wait a server asks for is at most the ceiling. */
Test(ratelimit, regression_absurd_waits_are_clamped)
{
	const char *retry[] = {"Retry-After", "999999999", NULL};
	const char *date[] = {"Retry-After", "Mon, 23 Nov 5138 12:10:30 GMT", NULL};
	const char *x[] = {
		"x-rate-limit-limit", "75", "x-rate-limit-remaining", "0", "x-rate-limit-reset",
		"99999999999",        NULL};
	const char *masto[] = {"X-RateLimit-Reset", "5138-11-16T09:46:40.000000Z", NULL};
	const char *near[] = {"Retry-After", "3599", NULL};
	struct rw_ratelimit rl;

	rl = read_headers(RW_SOURCE_X, retry);
	cr_assert_eq(rl.retry_at_ms, NOW + RW_RATELIMIT_MAX_WAIT_MS);
	rl = read_headers(RW_SOURCE_BLUESKY, date);
	cr_assert_eq(rl.retry_at_ms, NOW + RW_RATELIMIT_MAX_WAIT_MS);
	rl = read_headers(RW_SOURCE_X, x);
	expect_window(&rl, 75, 0, NOW + RW_RATELIMIT_MAX_WAIT_MS);
	rl = read_headers(RW_SOURCE_MASTODON, masto);
	cr_assert_eq(rl.reset_at_ms, NOW + RW_RATELIMIT_MAX_WAIT_MS);
	/* A wait under the ceiling is kept as given. */
	rl = read_headers(RW_SOURCE_X, near);
	cr_assert_eq(rl.retry_at_ms, NOW + 3599000);
	cr_assert_eq(RW_RATELIMIT_MAX_WAIT_MS, 3600 * 1000);
}
