/*
 * poller_delay.c: how late polls start — from the instant a poll was
 * scheduled for to its first request going out — as the histogram
 * replywatch_poll_delay_seconds. It is the daemon's own view of schedule
 * slip: a busy loop, a slow Redis (the cursors are read before the first
 * request) or too many sources for one daemon all show here first.
 */
#include <stdio.h>

#include "poller_internal.h"

/* Upper bounds (seconds) of the buckets; a last one, +Inf, follows. */
static const double bounds[POLL_DELAY_BUCKETS] = {
	0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60,
};

void
poller_delay_due(struct poll_source *ps)
{
	/* Still the instant the timer was armed for: schedule() sets it and
	 * nothing clears it when the timer fires. */
	if (ps->poll != NULL)
		ps->poll->due_ms = ps->next_poll_at;
}

void
poller_delay_observe(struct poll_delays *d, double seconds)
{
	size_t i = 0;

	if (seconds < 0) /* the clock read before the timer's own */
		seconds = 0;
	while (i < POLL_DELAY_BUCKETS && seconds > bounds[i])
		i++;
	d->counts[i]++;
	d->n++;
	d->sum_s += seconds;
}

void
poller_delay_sent(struct rw_poll *poll, int64_t now)
{
	/* Only a poll's first request: its later ones wait for answers. */
	if (poll->due_ms <= 0)
		return;
	poller_delay_observe(&poll->ps->poller->delays, (double)(now - poll->due_ms) / 1000.0);
	poll->due_ms = 0;
}

void
poller_delay_write_metrics(const struct poll_delays *d, FILE *out)
{
	unsigned long long cum = 0;

	fputs("# HELP replywatch_poll_delay_seconds How late polls start: from the instant a "
	      "poll was scheduled for to its first request.\n"
	      "# TYPE replywatch_poll_delay_seconds histogram\n",
	      out);
	for (size_t i = 0; i < POLL_DELAY_BUCKETS; i++) {
		cum += d->counts[i];
		fprintf(out, "replywatch_poll_delay_seconds_bucket{le=\"%g\"} %llu\n", bounds[i],
			cum);
	}
	fprintf(out, "replywatch_poll_delay_seconds_bucket{le=\"+Inf\"} %llu\n", d->n);
	fprintf(out, "replywatch_poll_delay_seconds_sum %.6f\n", d->sum_s);
	fprintf(out, "replywatch_poll_delay_seconds_count %llu\n", d->n);
}
