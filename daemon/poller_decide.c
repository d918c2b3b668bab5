/*
 * poller_decide.c: what the end of a poll means for its source — the next
 * state, the wait before the next poll, a source_down / source_up
 * transition — and which open items a poll re-reads (the revisit budget and
 * rotation), as pure functions over data, so that every rule has a line in
 * tests/unit/test_poll_decide.c. poller.c and poller_revisit.c apply them.
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "poller_internal.h"
#include "replywatch/backoff.h"
#include "replywatch/clock.h"

#define BACKOFF_FIRST 1.0     /* seconds before the first retry */
#define BACKOFF_CAP 300.0     /* longest wait between retries */
#define AUTH_RETRY_FIRST 60.0 /* a rejected token is retried slowly ... */
#define AUTH_RETRY_CAP 900.0  /* ... sign-ins are rate-limited hard */
#define STORE_RETRY 2.0       /* Redis unavailable: try again soon */
#define MORE_PAGES_DELAY 0.05 /* a poll stopped at its page bound: go on at once */
#define EXPIRED_IN_ROW_MAX 2  /* renewed tokens refused as expired again: rejected */

static void
go_down(struct poll_run *run, struct poll_outcome *out)
{
	run->state = SOURCE_DOWN;
	if (run->down)
		return;
	run->down = true;
	out->event = "down";
}

/* A failure that counts towards down_after: failing, then down. A wait
 * the platform imposes counts too: a source that cannot poll again before
 * down_after is over is down now, not after the wait. */
static void
failed(struct poll_run *run, const struct poll_facts *f, struct poll_outcome *out,
       enum source_state state)
{
	if (run->failing_since == 0)
		run->failing_since = f->now;
	if (run->down || f->now + out->budget_wait_ms - run->failing_since >= f->down_after_ms)
		go_down(run, out);
	else
		run->state = state;
	out->wait = WAIT_BACKOFF;
	out->attempt = run->backoff++;
}

void
poll_decide(struct poll_run *run, const struct poll_facts *f, struct poll_outcome *out)
{
	out->wait = WAIT_EVERY;
	out->attempt = 0;
	out->budget_wait_ms = 0;
	out->event = NULL;
	if (f->spent_until > f->now)
		out->budget_wait_ms = f->spent_until - f->now;
	if (f->result != RW_POLL_OK)
		run->consecutive_failures++;
	if (f->result != RW_POLL_TOKEN_EXPIRED)
		run->expired_in_row = 0;
	if (f->result != RW_POLL_OK || !f->more)
		run->more_in_row = 0;
	switch (f->result) {
	case RW_POLL_OK:
		run->consecutive_failures = 0;
		run->failing_since = 0;
		run->backoff = 0;
		run->state = SOURCE_OK;
		if (run->down || f->was_down) {
			run->down = false;
			out->event = "up";
		}
		out->wait = f->more && ++run->more_in_row <= POLL_MORE_MAX ? WAIT_MORE : WAIT_EVERY;
		break;
	case RW_POLL_RATE_LIMITED:
		/* A wait is no failure, but a source that stays rate-limited
		 * past down_after is as blind as one that fails. */
		failed(run, f, out, SOURCE_RATE_LIMITED);
		break;
	case RW_POLL_AUTH_ERROR:
		if (run->failing_since == 0)
			run->failing_since = f->now;
		go_down(run, out);
		out->wait = WAIT_AUTH;
		out->attempt = run->backoff++;
		break;
	case RW_POLL_TOKEN_EXPIRED:
		/* The next poll renews the session first. Again and again means
		 * the renewed token does not work either: treat it as rejected. */
		if (++run->expired_in_row > EXPIRED_IN_ROW_MAX) {
			go_down(run, out);
			out->wait = WAIT_AUTH;
			out->attempt = run->backoff++;
		} else {
			out->wait = WAIT_NOW;
		}
		break;
	case RW_POLL_STORE_ERROR:
		/* Not the platform's fault: the state stays, the poll is retried. */
		out->wait = WAIT_STORE;
		break;
	default:
		failed(run, f, out, SOURCE_FAILING);
		break;
	}
	if (out->budget_wait_ms > 0 &&
	    (f->result == RW_POLL_OK || f->result == RW_POLL_RATE_LIMITED))
		run->state = run->down ? SOURCE_DOWN : SOURCE_RATE_LIMITED;
}

/* A factor in [1 - spread, 1 + spread]. */
static double
jitter(double spread)
{
	return 1.0 + spread * (2.0 * ((double)random() / (double)RAND_MAX) - 1.0);
}

double
poll_delay(const struct poll_outcome *o, double poll_every_s)
{
	double delay = 0, budget;

	switch (o->wait) {
	case WAIT_EVERY:
		delay = poll_every_s * jitter(0.1);
		break;
	case WAIT_AUTO:
		/* Later only, never sooner: the interval is what the budget allows. */
		delay = poll_every_s * (1.0 + 0.1 * ((double)random() / (double)RAND_MAX));
		break;
	case WAIT_MORE:
		delay = MORE_PAGES_DELAY;
		break;
	case WAIT_NOW:
		delay = 0;
		break;
	case WAIT_BACKOFF:
		delay = rw_backoff_seconds(o->attempt, BACKOFF_FIRST, BACKOFF_CAP);
		break;
	case WAIT_AUTH:
		delay = rw_backoff_seconds(o->attempt, AUTH_RETRY_FIRST, AUTH_RETRY_CAP);
		break;
	case WAIT_STORE:
		delay = STORE_RETRY * jitter(0.25);
		break;
	}
	if (o->budget_wait_ms > 0) {
		/* Just after the reset, spread so that sources do not call in step. */
		budget = (double)o->budget_wait_ms / 1000.0 + jitter(0.5) * 0.5;
		if (budget > POLL_MAX_WAIT_S)
			budget = POLL_MAX_WAIT_S;
		if (budget > delay)
			delay = budget;
	}
	return delay;
}

int64_t
poll_backfill_cutoff(int64_t now, int64_t backfill_s)
{
	if (backfill_s < 0)
		backfill_s = 0;
	/* Compared in seconds first: backfill_s * 1000 may not fit. */
	if (now <= 1 || backfill_s >= now / 1000)
		return 1;
	return now - backfill_s * 1000 > 1 ? now - backfill_s * 1000 : 1;
}

size_t
poll_revisit_budget(size_t per_poll, int64_t remaining, int64_t reset_at_ms, int64_t now)
{
	/* Only a window known to be in force counts: a 429 without figures
	 * leaves remaining at 0 with no reset, and would otherwise stop the
	 * re-reading for good (its wait is the request's own retry time). */
	if (remaining < 0 || reset_at_ms <= now)
		return per_poll;
	/* Half of what is left stays for the streams: new items come first. */
	if ((uint64_t)remaining / 2 >= per_poll)
		return per_poll;
	return (size_t)(remaining / 2);
}

size_t
poll_revisit_wrap(size_t got, size_t budget, bool from_position)
{
	/* Short of the budget after a position: the list ended there, so the
	 * rotation goes on from the oldest. From the oldest already: all read. */
	if (!from_position || got >= budget)
		return 0;
	return budget - got;
}

static bool
listed(const struct rw_open_item *items, size_t n, const char *id)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(items[i].id, id) == 0)
			return true;
	return false;
}

size_t
poll_revisit_pick(const struct rw_open_item *first, size_t nfirst, const struct rw_open_item *again,
		  size_t nagain, size_t budget, const struct rw_open_item **out)
{
	size_t n = 0;

	for (size_t i = 0; i < nfirst && n < budget; i++)
		out[n++] = &first[i];
	/* The open set is smaller than the budget: the second list reaches the
	 * items of the first again; each is read once. */
	for (size_t i = 0; i < nagain && n < budget; i++)
		if (!listed(first, nfirst, again[i].id))
			out[n++] = &again[i];
	return n;
}

bool
poll_revisit_trust_gone(size_t ngone, size_t found)
{
	/* Closing is for good: a misrouted path that answers 404 for every
	 * review must not close them all. A few at once are believed. */
	return ngone < POLL_GONE_DOUBT || found > 0;
}

bool
poll_list_window_passed(const char *last_ms, int64_t now, int64_t window_ms)
{
	if (window_ms <= 0 || last_ms == NULL || !rw_cursor_digits(last_ms, 16))
		return false;
	return now - strtoll(last_ms, NULL, 10) > window_ms;
}

double
poll_cost_learn(double cost, double calls)
{
	/* Halfway to the latest poll: a catch-up walk of many pages does not
	 * keep the schedule slow for long after it (rwbench budget, x-tight),
	 * and the reserve of one poll covers a poll dearer than the estimate. */
	if (cost <= 0)
		return calls;
	return 0.5 * cost + 0.5 * calls;
}

double
poll_cost_sample(unsigned calls, long prev_remaining, int64_t prev_reset_ms, long remaining,
		 int64_t reset_ms)
{
	int64_t gap = reset_ms - prev_reset_ms;

	/* The same window before and after the poll (a reset given as "seconds
	 * from now" moves a little between answers): what it lost is what the
	 * poll cost, in the budget's own units (Meta's percentages) and with
	 * whatever else spends the same token. */
	if (prev_reset_ms > 0 && reset_ms > 0 && gap > -POLL_SAME_WINDOW_MS &&
	    gap < POLL_SAME_WINDOW_MS && prev_remaining >= 0 && remaining >= 0 &&
	    remaining <= prev_remaining)
		return (double)(prev_remaining - remaining);
	return (double)calls;
}

double
poll_cost_sample_rolling(long prev_remaining, long remaining)
{
	/* The calls made are no measure here: the budget is a percentage. */
	if (prev_remaining < 0 || remaining < 0 || remaining > prev_remaining)
		return -1;
	return (double)(prev_remaining - remaining);
}

/* The interval one budget allows at now (seconds), or -1 when it says
 * nothing (unknown, over, or not spent by polls). */
static double
budget_interval(const struct poll_budget *b, int64_t now)
{
	double left_s, polls;

	if (b->remaining < 0 || b->reset_at_ms <= now || b->cost < POLL_COST_MIN)
		return -1;
	left_s = (double)(b->reset_at_ms - now) / 1000.0;
	/* One poll's worth stays in reserve, for a poll dearer than learnt. */
	polls = floor(((double)b->remaining - b->cost) / b->cost);
	if (polls < 1)
		return left_s + POLL_AUTO_RESET_MARGIN_S; /* just after the refill */
	return left_s / polls;
}

double
poll_auto_interval(const struct poll_budget *b, size_t n, int64_t now, double fallback_s, char *why,
		   size_t len)
{
	const struct poll_budget *tight = NULL;
	double interval = -1, v;
	const char *bound = "";
	char when[40];

	for (size_t i = 0; i < n; i++) {
		v = budget_interval(&b[i], now);
		if (v > interval) {
			interval = v;
			tight = &b[i];
		}
	}
	if (tight == NULL)
		interval = fallback_s;
	if (interval < POLL_AUTO_FLOOR_S) {
		interval = POLL_AUTO_FLOOR_S;
		bound = " (floor)";
	} else if (interval > POLL_AUTO_CEILING_S) {
		interval = POLL_AUTO_CEILING_S;
		bound = " (ceiling)";
	}
	if (tight == NULL)
		snprintf(why, len, "auto: no budget reported yet => every %.1f s%s", interval,
			 bound);
	else
		snprintf(why, len,
			 "auto: %ld calls left until %s, ~%.3g per poll => every %.1f s%s",
			 tight->remaining, rw_time_format(tight->reset_at_ms, when, sizeof(when)),
			 tight->cost, interval, bound);
	return interval;
}
