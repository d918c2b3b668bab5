/*
 * test_poll_decide: what the end of a poll means for its source
 * (poll_decide, poll_delay, poll_backfill_cutoff in daemon/poller_decide.c):
 * a table of (run before, how the poll ended) -> (run after, wait, event),
 * the budget's floor under every wait, and a backfill cutoff that no
 * configured value can turn off.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdint.h>
#include <string.h>

#include "../../daemon/poller_internal.h"

#define NOW 1795435200000LL /* 2026-11-23T12:00:00Z */
#define DOWN_AFTER (300 * 1000LL)

/* A run: state, down, failing_since, backoff, expired_in_row,
 * consecutive_failures (more_in_row 0). */
#define RUN(state, down, since, backoff, expired, failures)                                        \
	{                                                                                          \
		state, down, since, backoff, expired, failures, 0                                  \
	}

struct row {
	const char *name;
	struct poll_run before;
	enum rw_poll_result result;
	bool more, was_down;
	struct poll_run after;
	enum poll_wait wait;
	unsigned attempt;
	const char *event;
};

static const struct row rows[] = {
	{"ok stays ok", RUN(SOURCE_OK, false, 0, 0, 0, 0), RW_POLL_OK, false, false,
	 RUN(SOURCE_OK, false, 0, 0, 0, 0), WAIT_EVERY, 0, NULL},
	{"ok at the page bound goes on at once", RUN(SOURCE_OK, false, 0, 0, 0, 0), RW_POLL_OK,
	 true, false, RUN(SOURCE_OK, false, 0, 0, 0, 0), WAIT_MORE, 0, NULL},
	{"ok after failures clears the run", RUN(SOURCE_FAILING, false, NOW - 1000, 3, 0, 3),
	 RW_POLL_OK, false, false, RUN(SOURCE_OK, false, 0, 0, 0, 0), WAIT_EVERY, 0, NULL},
	{"ok after down is up", RUN(SOURCE_DOWN, true, NOW - 900000, 5, 0, 9), RW_POLL_OK, false,
	 false, RUN(SOURCE_OK, false, 0, 0, 0, 0), WAIT_EVERY, 0, "up"},
	{"ok when Redis says down (another daemon) is up", RUN(SOURCE_OK, false, 0, 0, 0, 0),
	 RW_POLL_OK, false, true, RUN(SOURCE_OK, false, 0, 0, 0, 0), WAIT_EVERY, 0, "up"},
	{"first 5xx: failing, first backoff", RUN(SOURCE_OK, false, 0, 0, 0, 0),
	 RW_POLL_SERVER_ERROR, false, false, RUN(SOURCE_FAILING, false, NOW, 1, 0, 1), WAIT_BACKOFF,
	 0, NULL},
	{"failing under down_after stays failing",
	 RUN(SOURCE_FAILING, false, NOW - 299999, 4, 0, 4), RW_POLL_NETWORK_ERROR, false, false,
	 RUN(SOURCE_FAILING, false, NOW - 299999, 5, 0, 5), WAIT_BACKOFF, 4, NULL},
	{"failing past down_after goes down once",
	 RUN(SOURCE_FAILING, false, NOW - DOWN_AFTER, 4, 0, 4), RW_POLL_MALFORMED, false, false,
	 RUN(SOURCE_DOWN, true, NOW - DOWN_AFTER, 5, 0, 5), WAIT_BACKOFF, 4, "down"},
	{"down and failing: no second event", RUN(SOURCE_DOWN, true, NOW - 999999, 7, 0, 9),
	 RW_POLL_CLIENT_ERROR, false, false, RUN(SOURCE_DOWN, true, NOW - 999999, 8, 0, 10),
	 WAIT_BACKOFF, 7, NULL},
	{"no progress fails like any failure", RUN(SOURCE_OK, false, 0, 0, 0, 0),
	 RW_POLL_NO_PROGRESS, false, false, RUN(SOURCE_FAILING, false, NOW, 1, 0, 1), WAIT_BACKOFF,
	 0, NULL},
	{"no progress past down_after goes down", RUN(SOURCE_FAILING, false, NOW - 600000, 8, 0, 8),
	 RW_POLL_NO_PROGRESS, false, false, RUN(SOURCE_DOWN, true, NOW - 600000, 9, 0, 9),
	 WAIT_BACKOFF, 8, "down"},
	{"rate limited: waiting, not down", RUN(SOURCE_OK, false, 0, 0, 0, 0), RW_POLL_RATE_LIMITED,
	 false, false, RUN(SOURCE_RATE_LIMITED, false, NOW, 1, 0, 1), WAIT_BACKOFF, 0, NULL},
	{"rate limited past down_after goes down",
	 RUN(SOURCE_RATE_LIMITED, false, NOW - DOWN_AFTER, 2, 0, 2), RW_POLL_RATE_LIMITED, false,
	 false, RUN(SOURCE_DOWN, true, NOW - DOWN_AFTER, 3, 0, 3), WAIT_BACKOFF, 2, "down"},
	{"401 is down at once", RUN(SOURCE_OK, false, 0, 0, 0, 0), RW_POLL_AUTH_ERROR, false, false,
	 RUN(SOURCE_DOWN, true, NOW, 1, 0, 1), WAIT_AUTH, 0, "down"},
	{"401 again: slower, no second event", RUN(SOURCE_DOWN, true, NOW - 60000, 1, 0, 1),
	 RW_POLL_AUTH_ERROR, false, false, RUN(SOURCE_DOWN, true, NOW - 60000, 2, 0, 2), WAIT_AUTH,
	 1, NULL},
	{"expired token: renewed at once", RUN(SOURCE_OK, false, 0, 0, 0, 0), RW_POLL_TOKEN_EXPIRED,
	 false, false, RUN(SOURCE_OK, false, 0, 0, 1, 1), WAIT_NOW, 0, NULL},
	{"expired twice: once more at once", RUN(SOURCE_OK, false, 0, 0, 1, 1),
	 RW_POLL_TOKEN_EXPIRED, false, false, RUN(SOURCE_OK, false, 0, 0, 2, 2), WAIT_NOW, 0, NULL},
	{"expired a third time: rejected, down", RUN(SOURCE_OK, false, 0, 0, 2, 2),
	 RW_POLL_TOKEN_EXPIRED, false, false, RUN(SOURCE_DOWN, true, 0, 1, 3, 3), WAIT_AUTH, 0,
	 "down"},
	{"Redis failed: the state stays", RUN(SOURCE_FAILING, false, NOW - 5000, 2, 1, 2),
	 RW_POLL_STORE_ERROR, false, false, RUN(SOURCE_FAILING, false, NOW - 5000, 2, 0, 3),
	 WAIT_STORE, 0, NULL},
};

static void
check_run(const char *name, const struct poll_run *got, const struct poll_run *want)
{
	cr_expect_eq(got->state, want->state, "%s: state %d, want %d", name, got->state,
		     want->state);
	cr_expect_eq(got->down, want->down, "%s: down", name);
	cr_expect_eq(got->failing_since, want->failing_since, "%s: failing_since %lld", name,
		     (long long)got->failing_since);
	cr_expect_eq(got->backoff, want->backoff, "%s: backoff %u", name, got->backoff);
	cr_expect_eq(got->expired_in_row, want->expired_in_row, "%s: expired_in_row", name);
	cr_expect_eq(got->consecutive_failures, want->consecutive_failures,
		     "%s: consecutive_failures %u", name, got->consecutive_failures);
}

Test(poll_decide, table)
{
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		const struct row *r = &rows[i];
		struct poll_run run = r->before;
		struct poll_facts f = {.result = r->result,
				       .now = NOW,
				       .down_after_ms = DOWN_AFTER,
				       .more = r->more,
				       .was_down = r->was_down};
		struct poll_outcome o;

		poll_decide(&run, &f, &o);
		check_run(r->name, &run, &r->after);
		cr_expect_eq(o.wait, r->wait, "%s: wait %d, want %d", r->name, o.wait, r->wait);
		if (r->wait == WAIT_BACKOFF || r->wait == WAIT_AUTH)
			cr_expect_eq(o.attempt, r->attempt, "%s: attempt %u", r->name, o.attempt);
		cr_expect_eq(o.budget_wait_ms, 0, "%s", r->name);
		if (r->event == NULL)
			cr_expect_null(o.event, "%s: event %s", r->name, o.event);
		else
			cr_expect(o.event && strcmp(o.event, r->event) == 0, "%s: event %s",
				  r->name, o.event ? o.event : "none");
	}
}

/* A walk that never ends (fresh tokens forever) goes on at poll_every's
 * pace after POLL_MORE_MAX back-to-back polls. */
Test(poll_decide, endless_walk_slows_down)
{
	struct poll_run run = RUN(SOURCE_OK, false, 0, 0, 0, 0);
	struct poll_facts f = {
		.result = RW_POLL_OK, .now = NOW, .down_after_ms = DOWN_AFTER, .more = true};
	struct poll_outcome o;

	for (int i = 0; i < POLL_MORE_MAX; i++) {
		poll_decide(&run, &f, &o);
		cr_assert_eq(o.wait, WAIT_MORE, "poll %d", i);
	}
	poll_decide(&run, &f, &o);
	cr_assert_eq(o.wait, WAIT_EVERY);
	/* The walk finished: the next one may go on at once again. */
	f.more = false;
	poll_decide(&run, &f, &o);
	cr_assert_eq(run.more_in_row, 0);
	f.more = true;
	poll_decide(&run, &f, &o);
	cr_assert_eq(o.wait, WAIT_MORE);
}

/* A spent budget: no call before its reset, and the source shows it. */
Test(poll_decide, spent_budget_is_a_floor)
{
	struct poll_run run = RUN(SOURCE_OK, false, 0, 0, 0, 0);
	struct poll_facts f = {.result = RW_POLL_OK,
			       .now = NOW,
			       .down_after_ms = DOWN_AFTER,
			       .spent_until = NOW + 90000};
	struct poll_outcome o;

	poll_decide(&run, &f, &o);
	cr_assert_eq(run.state, SOURCE_RATE_LIMITED);
	cr_assert_eq(o.budget_wait_ms, 90000);
	for (int i = 0; i < 50; i++) {
		double d = poll_delay(&o, 60);

		cr_assert(d >= 90.0 && d <= 90.75, "%f", d);
	}
	/* A failure keeps its own state; the wait is still the floor. */
	run = (struct poll_run)RUN(SOURCE_OK, false, 0, 0, 0, 0);
	f.result = RW_POLL_SERVER_ERROR;
	poll_decide(&run, &f, &o);
	cr_assert_eq(run.state, SOURCE_FAILING);
	cr_assert_geq(poll_delay(&o, 60), 90.0);
	/* A down source stays down while waiting. */
	run = (struct poll_run)RUN(SOURCE_DOWN, true, NOW - 1, 1, 0, 1);
	f.result = RW_POLL_RATE_LIMITED;
	poll_decide(&run, &f, &o);
	cr_assert_eq(run.state, SOURCE_DOWN);
	/* Rate-limited for longer than down_after: down now, with its event. */
	run = (struct poll_run)RUN(SOURCE_OK, false, 0, 0, 0, 0);
	f.result = RW_POLL_RATE_LIMITED;
	f.spent_until = NOW + DOWN_AFTER;
	poll_decide(&run, &f, &o);
	cr_assert_eq(run.state, SOURCE_DOWN);
	cr_assert_str_eq(o.event, "down");
	/* ... but not for a wait inside it. */
	run = (struct poll_run)RUN(SOURCE_OK, false, 0, 0, 0, 0);
	f.spent_until = NOW + DOWN_AFTER - 1;
	poll_decide(&run, &f, &o);
	cr_assert_eq(run.state, SOURCE_RATE_LIMITED);
	cr_assert_null(o.event);
	/* A budget past the ceiling waits the ceiling, no longer. */
	o.wait = WAIT_EVERY;
	o.budget_wait_ms = 3000LL * 365 * 86400 * 1000;
	cr_assert_leq(poll_delay(&o, 60), POLL_MAX_WAIT_S);
	cr_assert_geq(poll_delay(&o, 60), POLL_MAX_WAIT_S - 1);
}

Test(poll_decide, delays)
{
	struct poll_outcome o = {.wait = WAIT_EVERY};

	for (int i = 0; i < 50; i++) {
		double d;

		o.wait = WAIT_EVERY;
		d = poll_delay(&o, 60);
		cr_assert(d >= 54.0 && d <= 66.0, "every: %f", d);
		o.wait = WAIT_MORE;
		cr_assert_lt(poll_delay(&o, 60), 0.1);
		o.wait = WAIT_NOW;
		cr_assert_eq(poll_delay(&o, 60), 0.0);
		o.wait = WAIT_BACKOFF;
		o.attempt = 0;
		d = poll_delay(&o, 60);
		cr_assert(d >= 0.5 && d <= 1.0, "backoff 0: %f", d);
		o.attempt = 30;
		d = poll_delay(&o, 60);
		cr_assert(d >= 150.0 && d <= 300.0, "backoff 30: %f", d);
		o.wait = WAIT_AUTH;
		o.attempt = 0;
		d = poll_delay(&o, 60);
		cr_assert(d >= 30.0 && d <= 60.0, "auth 0: %f", d);
		o.attempt = 30;
		cr_assert_leq(poll_delay(&o, 60), 900.0);
		o.wait = WAIT_STORE;
		d = poll_delay(&o, 60);
		cr_assert(d >= 1.5 && d <= 2.5, "store: %f", d);
	}
}

/* Regression: a backfill over about 57 years made a negative cutoff that
 * was then ignored (and a huge one overflowed). It saturates at the epoch. */
Test(poll_decide, regression_backfill_cutoff_saturates)
{
	cr_assert_eq(poll_backfill_cutoff(NOW, 3600), NOW - 3600000);
	cr_assert_eq(poll_backfill_cutoff(NOW, 0), NOW);
	cr_assert_eq(poll_backfill_cutoff(NOW, 57LL * 365 * 86400), 1);
	cr_assert_eq(poll_backfill_cutoff(NOW, NOW / 1000), 1);
	cr_assert_eq(poll_backfill_cutoff(NOW, NOW / 1000 - 1), 1000 + NOW % 1000);
	cr_assert_eq(poll_backfill_cutoff(NOW, INT64_MAX), 1);
	cr_assert_eq(poll_backfill_cutoff(NOW, INT64_MAX / 1000 + 1), 1);
	cr_assert_eq(poll_backfill_cutoff(NOW, -5), NOW);
	cr_assert_gt(poll_backfill_cutoff(0, 10), 0);
}

/* ---- re-reading open items: budget and rotation ---- */

Test(poll_revisit, budget)
{
	static const struct {
		size_t per_poll;
		int64_t remaining, reset_at;
		size_t want;
	} budgets[] = {
		{20, -1, 0, 20},         /* no rate-limit figures: the connector's per_poll */
		{20, 1000, NOW + 1, 20}, /* plenty left */
		{20, 40, NOW + 1, 20},   /* half of what is left is exactly per_poll */
		{20, 39, NOW + 1, 19},   /* half of what is left, rounded down */
		{20, 1, NOW + 1, 0},     /* the last call stays for the streams */
		{20, 0, NOW + 1000, 0},  /* spent until the reset */
		{20, 0, NOW, 20},        /* the window is over: full budget again */
		{20, 3, NOW - 5000, 20}, /* figures of a window that has ended */
		{0, -1, 0, 0},           /* a connector that asks for none */
	};

	for (size_t i = 0; i < sizeof(budgets) / sizeof(budgets[0]); i++)
		cr_assert_eq(poll_revisit_budget(budgets[i].per_poll, budgets[i].remaining,
						 budgets[i].reset_at, NOW),
			     budgets[i].want, "row %zu", i);
}

/* Regression: a 429 without rate-limit figures (Trustpilot sends none)
 * leaves remaining 0 and no reset; read as "spent", it stopped re-reading
 * open reviews for as long as the daemon ran. */
Test(poll_revisit, regression_429_without_figures_does_not_stop_rereading)
{
	cr_assert_eq(poll_revisit_budget(100, 0, 0, NOW), 100);
}

Test(poll_revisit, wrap)
{
	cr_assert_eq(poll_revisit_wrap(20, 20, true), 0); /* a full list: the rotation goes on */
	cr_assert_eq(poll_revisit_wrap(5, 20, true), 15); /* the list ended: from the oldest */
	cr_assert_eq(poll_revisit_wrap(0, 20, true), 20); /* nothing after the position */
	cr_assert_eq(poll_revisit_wrap(5, 20, false), 0); /* from the oldest already: all read */
	cr_assert_eq(poll_revisit_wrap(0, 20, false), 0); /* nothing open */
}

/* The open items of a source, oldest first, as the list script gives them:
 * up to limit after (ms, id), or from the oldest (id NULL). */
static size_t
list_after(const struct rw_open_item *all, size_t n, int64_t ms, const char *id, size_t limit,
	   struct rw_open_item *out)
{
	size_t k = 0;

	for (size_t i = 0; i < n && k < limit; i++) {
		if (id != NULL && (all[i].created_ms < ms ||
				   (all[i].created_ms == ms && strcmp(all[i].id, id) <= 0)))
			continue;
		out[k++] = all[i];
	}
	return k;
}

/* Runs one poll's choice as poller_revisit.c does; records in read[] how
 * often each item was read and moves the position. Returns the count. */
static size_t
one_poll(const struct rw_open_item *all, size_t n, size_t budget, int64_t *pos_ms,
	 const char **pos_id, unsigned *read)
{
	struct rw_open_item first[64], again[64];
	const struct rw_open_item *pick[64];
	size_t nfirst = list_after(all, n, *pos_ms, *pos_id, budget, first), nagain = 0, k;
	size_t wrap = poll_revisit_wrap(nfirst, budget, *pos_id != NULL);

	if (wrap > 0)
		nagain = list_after(all, n, 0, NULL, wrap, again);
	k = poll_revisit_pick(first, nfirst, again, nagain, budget, pick);
	for (size_t i = 0; i < k; i++)
		for (size_t j = 0; j < n; j++)
			if (strcmp(all[j].id, pick[i]->id) == 0)
				read[j]++;
	if (k > 0) {
		*pos_ms = pick[k - 1]->created_ms;
		*pos_id = pick[k - 1]->id;
	}
	return k;
}

static const struct rw_open_item open_items[] = {
	{"a", 1000}, {"b", 2000}, {"c", 2000}, {"d", 3000}, {"e", 4000},
	{"f", 5000}, {"g", 6000}, {"h", 7000}, {"i", 8000}, {"j", 9000},
};

/* While the open set fits the budget, every poll reads every item once,
 * whatever the stored position. */
Test(poll_revisit, all_every_poll_when_they_fit)
{
	for (size_t start = 0; start <= 10; start++) {
		unsigned read[10] = {0};
		int64_t ms = start ? open_items[start - 1].created_ms : 0;
		const char *id = start ? open_items[start - 1].id : NULL;

		for (int p = 0; p < 3; p++)
			cr_assert_eq(one_poll(open_items, 10, 10, &ms, &id, read), 10);
		for (size_t j = 0; j < 10; j++)
			cr_assert_eq(read[j], 3, "start %zu item %zu read %u times", start, j,
				     read[j]);
	}
	/* A budget larger than the set: still once each. */
	unsigned read[10] = {0};
	int64_t ms = 5000;
	const char *id = "f";
	cr_assert_eq(one_poll(open_items, 10, 25, &ms, &id, read), 10);
	for (size_t j = 0; j < 10; j++)
		cr_assert_eq(read[j], 1);
}

/* A set larger than the budget is read round by round: every item within
 * ceil(n / budget) polls, none twice before all are read once; items tied
 * on their time (b, c) are both read. */
Test(poll_revisit, rotation_covers_every_item)
{
	for (size_t budget = 1; budget < 10; budget++) {
		unsigned read[10] = {0};
		int64_t ms = 0;
		const char *id = NULL;
		size_t polls = (10 + budget - 1) / budget;

		for (size_t p = 0; p < polls; p++)
			one_poll(open_items, 10, budget, &ms, &id, read);
		for (size_t j = 0; j < 10; j++)
			cr_assert(read[j] >= 1 && read[j] <= 2, "budget %zu item %zu read %u times",
				  budget, j, read[j]);
		size_t total = 0;
		for (size_t j = 0; j < 10; j++)
			total += read[j];
		cr_assert_eq(total, polls * budget, "budget %zu", budget);
	}
}

/* The stored position's item was closed meanwhile (no longer open): the
 * rotation goes on after its place. */
Test(poll_revisit, position_of_a_closed_item)
{
	unsigned read[10] = {0};
	int64_t ms = 4500; /* between e and f: a closed item's place */
	const char *id = "zz";

	cr_assert_eq(one_poll(open_items, 10, 3, &ms, &id, read), 3);
	cr_assert_eq(read[5] + read[6] + read[7], 3); /* f, g, h */
	cr_assert_str_eq(id, "h");
}

/* Items gone from the platform are closed, unless many are gone at once
 * and none of the poll's reads found its item (a misrouted path). */
Test(poll_revisit, trust_gone)
{
	cr_assert(poll_revisit_trust_gone(0, 0));
	cr_assert(poll_revisit_trust_gone(1, 0));
	cr_assert(poll_revisit_trust_gone(POLL_GONE_DOUBT - 1, 0));
	cr_assert_not(poll_revisit_trust_gone(POLL_GONE_DOUBT, 0));
	cr_assert_not(poll_revisit_trust_gone(100, 0));
	cr_assert(poll_revisit_trust_gone(POLL_GONE_DOUBT, 1));
	cr_assert(poll_revisit_trust_gone(100, 3));
}

/* A platform that lists only the last week (Google Play): a stream whose
 * last walk finished more than the window ago may have missed items. */
Test(poll_list_window, passed)
{
	const int64_t week = 7 * 24 * 3600 * 1000LL, now = 1800000000000LL;
	char t[32];

	snprintf(t, sizeof(t), "%lld", (long long)(now - week));
	cr_assert_not(poll_list_window_passed(t, now, week)); /* exactly the window */
	snprintf(t, sizeof(t), "%lld", (long long)(now - week - 1));
	cr_assert(poll_list_window_passed(t, now, week));
	cr_assert_not(poll_list_window_passed(t, now, 0));       /* no window */
	cr_assert_not(poll_list_window_passed(NULL, now, week)); /* never walked */
	cr_assert_not(poll_list_window_passed("", now, week));
	cr_assert_not(poll_list_window_passed("-5", now, week));
	cr_assert_not(poll_list_window_passed("12a", now, week));
	snprintf(t, sizeof(t), "%lld", (long long)(now + 60000)); /* clock stepped back */
	cr_assert_not(poll_list_window_passed(t, now, week));
}
