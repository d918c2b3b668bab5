/*
 * test_poll_budget: poll_every "auto" (poll_auto_interval, poll_cost_learn
 * in daemon/poller_decide.c, poller_next_midnight in poller_budget.c): a
 * table of budgets -> intervals, simulated windows and days in which the
 * schedule never runs dry before the reset yet spends most of the budget,
 * the floor and the ceiling, a poll cost that changes, and the midnight of
 * a daily quota's zone across a change of daylight saving time.
 */
#include <criterion/criterion.h>
#include <math.h>
#include <stdint.h>
#include <string.h>

#include "../../daemon/poller_internal.h"
#include "replywatch/clock.h"

#define NOW 1795435200000LL /* 2026-11-23T12:00:00Z */
#define WINDOW_MS (900 * 1000LL)

struct interval_row {
	const char *name;
	struct poll_budget b[2];
	size_t n;
	double fallback, want;
};

static const struct interval_row interval_rows[] = {
	{"no budget known: the fallback", {{-1, 0, 0}}, 1, 60, 60},
	{"a window over: the fallback", {{100, NOW - 1, 3}}, 1, 60, 60},
	{"not spent by polls: the fallback", {{100, NOW + WINDOW_MS, 0}}, 1, 60, 60},
	/* floor((180 - 3) / 3) = 59 polls over 900 s. */
	{"spread over the window", {{180, NOW + WINDOW_MS, 3}}, 1, 60, 900.0 / 59},
	{"plenty: the floor", {{900, NOW + WINDOW_MS, 3}}, 1, 60, POLL_AUTO_FLOOR_S},
	{"a fallback under the floor", {{-1, 0, 0}}, 1, 1, POLL_AUTO_FLOOR_S},
	{"less than a poll and its reserve: after the reset",
	 {{5, NOW + WINDOW_MS, 3}},
	 1,
	 60,
	 900 + POLL_AUTO_RESET_MARGIN_S},
	{"the tightest budget wins",
	 {{180, NOW + WINDOW_MS, 3}, {75, NOW + WINDOW_MS, 1}},
	 2,
	 60,
	 900.0 / 59},
	{"the tightest budget wins (second)",
	 {{900, NOW + WINDOW_MS, 1}, {31, NOW + WINDOW_MS, 1}},
	 2,
	 60,
	 900.0 / 30},
	{"a day with little left: the ceiling",
	 {{10, NOW + 86400000LL, 1}},
	 1,
	 60,
	 POLL_AUTO_CEILING_S},
};

Test(poll_budget, interval_table)
{
	char why[160];

	for (size_t i = 0; i < sizeof(interval_rows) / sizeof(interval_rows[0]); i++) {
		const struct interval_row *r = &interval_rows[i];
		double got = poll_auto_interval(r->b, r->n, NOW, r->fallback, why, sizeof(why));

		cr_expect(fabs(got - r->want) < 1e-6, "%s: %f, want %f", r->name, got, r->want);
		cr_expect(strncmp(why, "auto: ", 6) == 0, "%s: %s", r->name, why);
	}
}

Test(poll_budget, why_names_budget_and_interval)
{
	struct poll_budget b = {712, NOW + WINDOW_MS, 3};
	char why[160];

	poll_auto_interval(&b, 1, NOW, 60, why, sizeof(why));
	cr_assert_str_eq(why,
			 "auto: 712 calls left until 2026-11-23T12:15:00.000Z, ~3 per poll "
			 "=> every 5.0 s (floor)",
			 "%s", why);
	b.remaining = 100;
	poll_auto_interval(&b, 1, NOW, 60, why, sizeof(why));
	cr_assert(strstr(why, "100 calls left") != NULL && strstr(why, "every 28.1 s") != NULL,
		  "%s", why);
	poll_auto_interval(NULL, 0, NOW, 60, why, sizeof(why));
	cr_assert_str_eq(why, "auto: no budget reported yet => every 60.0 s");
}

Test(poll_budget, cost_learns_from_recent_polls)
{
	double c = poll_cost_learn(0, 3);

	cr_assert_float_eq(c, 3, 1e-9, "the first poll is the estimate");
	cr_assert_float_eq(poll_cost_learn(c, 7), 5, 1e-9, "halfway to a dearer poll");
	c = poll_cost_learn(11, 1);
	cr_assert_float_eq(c, 6, 1e-9, "halfway back after a catch-up");
	for (int i = 0; i < 30; i++)
		c = poll_cost_learn(c, 3);
	cr_assert_float_eq(c, 3, 0.01);
}

/* Within one window the drop of remaining is the cost (in the budget's
 * own units, others' spending included); otherwise the calls made. */
Test(poll_budget, cost_sample)
{
	int64_t reset = NOW + WINDOW_MS;

	cr_assert_float_eq(poll_cost_sample(2, 100, reset, 97, reset), 3, 1e-9,
			   "the same window: the drop");
	cr_assert_float_eq(poll_cost_sample(2, 100, reset, 97, reset + 1500), 3, 1e-9,
			   "a reset given from now moves a little");
	cr_assert_float_eq(poll_cost_sample(2, 100, reset, 9, reset), 91, 1e-9,
			   "percentages: 91 points");
	cr_assert_float_eq(poll_cost_sample(2, 3, reset, 299, reset + WINDOW_MS), 2, 1e-9,
			   "a new window: the calls");
	cr_assert_float_eq(poll_cost_sample(2, 3, reset, 5, reset), 2, 1e-9,
			   "remaining grew: the calls");
	cr_assert_float_eq(poll_cost_sample(2, -1, 0, 97, reset), 2, 1e-9,
			   "nothing known before: the calls");
	cr_assert_float_eq(poll_cost_sample(4, 97, reset, -1, 0), 4, 1e-9,
			   "nothing known after: the calls");
}

/* A rolling window (Meta's usage percentages): the rise of usage between
 * polls is the cost; calls are not its units, and a fall says nothing. */
Test(poll_budget, cost_sample_rolling)
{
	cr_assert_float_eq(poll_cost_sample_rolling(50, 40), 10, 1e-9, "ten points");
	cr_assert_float_eq(poll_cost_sample_rolling(40, 40), 0, 1e-9, "no rise");
	cr_assert_lt(poll_cost_sample_rolling(40, 45), 0, "usage fell: nothing learnt");
	cr_assert_lt(poll_cost_sample_rolling(-1, 45), 0, "nothing known before");
	cr_assert_lt(poll_cost_sample_rolling(40, -1), 0, "nothing known after");
}

/* Usage rising by ten points a poll over a rolling hour: the interval grows
 * as the share left shrinks, and at the last poll's worth it waits for the
 * reset (the ceiling). */
Test(poll_budget, rolling_usage_rising_slows_down)
{
	struct poll_budget b = {.cost = 0};
	double prev = 0, v;
	char why[160];
	long seen = -1;

	for (long used = 50; used <= 90; used += 10) {
		double spent = poll_cost_sample_rolling(seen, 100 - used);

		if (spent >= 0)
			b.cost = poll_cost_learn(b.cost, spent);
		seen = b.remaining = 100 - used;
		b.reset_at_ms = NOW + 3600 * 1000LL;
		v = poll_auto_interval(&b, 1, NOW, 60, why, sizeof(why));
		cr_assert_geq(v, prev, "%ld %%: %s", used, why);
		prev = v;
	}
	cr_assert_float_eq(prev, POLL_AUTO_CEILING_S, 1e-9);
}

/*
 * A source polled with the auto interval (plus the largest jitter, 10 %)
 * over windows of window_ms with limit calls each, a poll costing
 * cost(poll index) calls. Returns the smallest fraction of a window's
 * limit spent by its reset; fails when any window runs dry (a call made
 * with nothing left).
 */
static double
simulate(long limit, int64_t window_ms, int windows, unsigned (*cost)(int), double jitter)
{
	int64_t t = NOW, reset = NOW + window_ms, end = NOW + windows * window_ms;
	long remaining = limit;
	double learnt = 0, least = 1, interval;
	char why[160];
	int polls = 0;

	while (t < end) {
		unsigned c = cost(polls++);

		if (t >= reset) {
			double spent = (double)(limit - remaining) / (double)limit;

			least = spent < least ? spent : least;
			remaining = limit;
			while (reset <= t)
				reset += window_ms;
		}
		cr_assert(remaining >= (long)c, "ran dry at %+lld s: %ld left, a poll of %u",
			  (long long)(t - NOW) / 1000, remaining, c);
		remaining -= (long)c;
		learnt = poll_cost_learn(learnt, (double)c);
		struct poll_budget b = {remaining, reset, learnt};

		interval = poll_auto_interval(&b, 1, t, 60, why, sizeof(why));
		t += (int64_t)(interval * (1.0 + jitter) * 1000.0);
	}
	return least;
}

static unsigned
cost_three(int i)
{
	(void)i;
	return 3;
}

static unsigned
cost_changes(int i)
{
	/* Cheap, then a burst of dear polls (more pages), then cheap again. */
	if (i % 97 < 40)
		return 2;
	if (i % 97 < 70)
		return 4;
	return 1;
}

Test(poll_budget, x_windows_never_run_dry_and_are_mostly_spent)
{
	/* X: 180 calls per 15 minutes for mentions. */
	double least = simulate(180, WINDOW_MS, 8, cost_three, 0.0);

	cr_assert(least >= 0.9, "spent only %.0f %% of a window", least * 100);
	least = simulate(180, WINDOW_MS, 8, cost_three, 0.1);
	cr_assert(least >= 0.8, "with jitter, spent only %.0f %% of a window", least * 100);
}

Test(poll_budget, a_cost_that_changes_never_runs_dry)
{
	double least = simulate(180, WINDOW_MS, 40, cost_changes, 0.05);

	cr_assert(least >= 0.6, "spent only %.0f %% of a window", least * 100);
}

Test(poll_budget, youtube_day_lasts_until_midnight)
{
	/* 10 000 units a day, 2 per poll: about every 17 s, all day long. */
	double least = simulate(10000, 86400 * 1000LL, 3, cost_three, 0.1);

	cr_assert(least >= 0.8, "spent only %.0f %% of a day", least * 100);
}

Test(poll_budget, floor_holds_when_budget_is_plenty)
{
	/* 100 000 calls in 15 minutes would allow a poll every few ms. */
	struct poll_budget b = {100000, NOW + WINDOW_MS, 3};
	char why[160];

	cr_assert_float_eq(poll_auto_interval(&b, 1, NOW, 60, why, sizeof(why)), POLL_AUTO_FLOOR_S,
			   1e-9);
}

Test(poll_budget, auto_delay_is_never_sooner)
{
	struct poll_outcome o = {.wait = WAIT_AUTO};

	for (int i = 0; i < 200; i++) {
		double d = poll_delay(&o, 12.5);

		cr_assert(d >= 12.5 && d <= 12.5 * 1.1 + 1e-9, "%f", d);
	}
}

struct midnight_row {
	const char *now, *want;
};

static const struct midnight_row midnight_rows[] = {
	/* 09:00 PST -> the next midnight PST. */
	{"2026-12-04T17:00:00Z", "2026-12-05T08:00:00.000Z"},
	/* 23:30 PST on 7 March; daylight saving time begins that night. */
	{"2026-03-08T07:30:00Z", "2026-03-08T08:00:00.000Z"},
	/* 05:00 PDT on 8 March: the next midnight is PDT. */
	{"2026-03-08T12:00:00Z", "2026-03-09T07:00:00.000Z"},
	/* Exactly midnight: the next one, a day later. */
	{"2026-12-05T08:00:00Z", "2026-12-06T08:00:00.000Z"},
};

Test(poll_budget, pacific_midnight)
{
	char got[40];
	int64_t now;

	for (size_t i = 0; i < sizeof(midnight_rows) / sizeof(midnight_rows[0]); i++) {
		cr_assert_eq(rw_time_parse(midnight_rows[i].now, &now), 0);
		rw_time_format(poller_next_midnight("America/Los_Angeles", now), got, sizeof(got));
		cr_expect_str_eq(got, midnight_rows[i].want, "at %s", midnight_rows[i].now);
	}
}

Test(poll_budget, unknown_zone_is_within_a_day)
{
	/* The C library reads a zone it does not know as UTC. */
	int64_t at = poller_next_midnight("Nowhere/Atlantis_Nope", NOW);

	cr_assert(at > NOW && at <= NOW + 86400000LL, "%lld", (long long)at);
}

/* A daily quota no header reports (YouTube): the poller counts the units
 * of every call, refuses calls once they are spent, waits for midnight
 * Pacific time, and refills then. */
Test(poll_budget, daily_quota_counted_and_refilled)
{
	struct rw_source_config src = {
		.name = "yt", .type = RW_SOURCE_YOUTUBE, .poll_every = 60, .poll_auto = true};
	struct poll_source ps = {.name = "yt", .src = &src};
	int64_t now, midnight;
	const struct rw_ratelimit *rl;

	cr_assert_eq(rw_time_parse("2026-12-04T17:00:00Z", &now), 0);
	cr_assert_eq(rw_time_parse("2026-12-05T08:00:00Z", &midnight), 0);
	for (int i = 0; i < 9999; i++)
		poller_budget_spend(&ps, "threads", now);
	cr_assert_eq(poller_budget_daily_spent(&ps, now), 0, "one unit left");
	poller_budget_spend(&ps, "threads", now);
	cr_assert_eq(poller_budget_daily_spent(&ps, now), midnight);
	rl = &poller_limit(&ps, "daily quota")->rl;
	cr_assert_eq(rl->limit, 10000);
	cr_assert_eq(rl->remaining, 0);
	cr_assert_eq(rl->reset_at_ms, midnight);

	/* Spent: the next poll is at the ceiling (the calls are refused
	 * before they are made until midnight). */
	cr_assert_float_eq(poller_budget_interval(&ps, now), POLL_AUTO_CEILING_S, 1e-9);
	cr_assert(strstr(ps.auto_why, "0 calls left until 2026-12-05T08:00:00.000Z") != NULL, "%s",
		  ps.auto_why);

	/* Midnight: full again. The spent day's cost estimate (10 000 units
	 * in one "poll") halves at every poll: polls of 2 units bring it down
	 * to about 2, every day / 5 000 polls. */
	cr_assert_eq(poller_budget_daily_spent(&ps, midnight), 0);
	cr_assert_eq(rl->remaining, 10000);
	double every = 0;

	for (int i = 0; i < 30; i++) {
		poller_budget_spend(&ps, "threads", midnight + i * 20000);
		poller_budget_spend(&ps, "replies", midnight + i * 20000);
		every = poller_budget_interval(&ps, midnight + i * 20000 + 1000);
	}
	cr_assert_eq(rl->remaining, 10000 - 60);
	cr_assert(every > 16.0 && every < 18.0, "%f s", every);
}

/* The platform says the day's units are spent before the count does (a
 * restart began it again at 10 000; another client of the project spends
 * them too): YouTube's 403 quotaExceeded (or dailyLimitExceeded) leaves
 * the quota at 0 until midnight Pacific; any other refusal changes nothing. */
Test(poll_budget, regression_daily_quota_spent_when_the_platform_says)
{
	struct rw_source_config src = {
		.name = "yt", .type = RW_SOURCE_YOUTUBE, .poll_every = 60, .poll_auto = true};
	struct poll_source ps = {.name = "yt", .src = &src};
	static const char spent[] = "{\"error\":{\"code\":403,\"errors\":[{\"domain\":\"youtube."
				    "quota\",\"reason\":\"quotaExceeded\"}]}}";
	static const char old[] = "{\"error\":{\"errors\":[{\"reason\":\"dailyLimitExceeded\"}]}}";
	static const char other[] = "{\"error\":{\"errors\":[{\"reason\":\"forbidden\"}]}}";
	int64_t now, midnight;
	const struct rw_ratelimit *rl;

	cr_assert_eq(rw_time_parse("2026-12-04T17:00:00Z", &now), 0);
	cr_assert_eq(rw_time_parse("2026-12-05T08:00:00Z", &midnight), 0);
	poller_budget_spend(&ps, "commentThreads", now);
	rl = &poller_limit(&ps, "daily quota")->rl;
	cr_assert_eq(rl->remaining, 9999);

	cr_assert_eq(poller_budget_daily_refused(&ps, 403, other, strlen(other), now), 0);
	cr_assert_eq(poller_budget_daily_refused(&ps, 200, spent, strlen(spent), now), 0);
	cr_assert_eq(poller_budget_daily_refused(&ps, 403, NULL, 0, now), 0);
	cr_assert_eq(rl->remaining, 9999);
	cr_assert_eq(poller_budget_daily_spent(&ps, now), 0);

	cr_assert_eq(poller_budget_daily_refused(&ps, 403, spent, strlen(spent), now), midnight);
	cr_assert_eq(rl->remaining, 0);
	cr_assert_eq(poller_budget_daily_spent(&ps, now + 1000), midnight);
	/* Midnight Pacific: full again. */
	cr_assert_eq(poller_budget_daily_spent(&ps, midnight), 0);
	cr_assert_eq(rl->remaining, 10000);
	cr_assert_eq(poller_budget_daily_refused(&ps, 403, old, strlen(old), midnight),
		     midnight + 86400000LL);
}

/* A platform without such a check (X: windows read from headers) never
 * takes a 403 for a spent quota. */
Test(poll_budget, no_spent_check_without_a_daily_quota)
{
	struct rw_source_config src = {.name = "x", .type = RW_SOURCE_X, .poll_every = 60};
	struct poll_source ps = {.name = "x", .src = &src};
	static const char spent[] = "{\"error\":{\"errors\":[{\"reason\":\"quotaExceeded\"}]}}";

	cr_assert_eq(poller_budget_daily_refused(&ps, 403, spent, strlen(spent), NOW), 0);
	cr_assert_eq(ps.nlimits, 0);
}
