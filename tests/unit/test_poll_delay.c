/*
 * test_poll_delay: replywatch_poll_delay_seconds (daemon/poller_delay.c):
 * a poll's delay runs from the instant it was scheduled for to its first
 * request, counted once, in cumulative buckets with +Inf, sum and count.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../daemon/poller_internal.h"

/* The metrics text of d. Caller frees. */
static char *
metrics_of(const struct poll_delays *d)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);

	cr_assert_not_null(f);
	poller_delay_write_metrics(d, f);
	cr_assert_eq(fclose(f), 0);
	return text;
}

Test(poll_delay, first_request_counts_from_the_scheduled_instant)
{
	struct rw_poller p = {0};
	struct poll_source ps = {.poller = &p, .next_poll_at = 100000};
	struct rw_poll poll = {.ps = &ps};
	char *text;

	ps.poll = &poll;
	poller_delay_due(&ps);
	cr_assert_eq(poll.due_ms, 100000);
	poller_delay_sent(&poll, 100300); /* 0.3 s late */
	poller_delay_sent(&poll, 105000); /* the poll's second request: not a delay */
	cr_assert_eq(p.delays.n, 1);
	text = metrics_of(&p.delays);
	cr_assert_not_null(strstr(text, "# TYPE replywatch_poll_delay_seconds histogram\n"));
	cr_assert_not_null(strstr(text, "replywatch_poll_delay_seconds_bucket{le=\"0.25\"} 0\n"),
			   "%s", text);
	cr_assert_not_null(strstr(text, "replywatch_poll_delay_seconds_bucket{le=\"0.5\"} 1\n"),
			   "%s", text);
	cr_assert_not_null(strstr(text, "replywatch_poll_delay_seconds_bucket{le=\"+Inf\"} 1\n"));
	cr_assert_not_null(strstr(text, "replywatch_poll_delay_seconds_sum 0.300000\n"), "%s",
			   text);
	cr_assert_not_null(strstr(text, "replywatch_poll_delay_seconds_count 1\n"));
	free(text);
}

Test(poll_delay, buckets_are_cumulative_with_inf)
{
	struct poll_delays d = {0};
	char *text;

	poller_delay_observe(&d, -0.002); /* a clock read early: on time */
	poller_delay_observe(&d, 0.001);  /* on a bound: in that bucket */
	poller_delay_observe(&d, 0.04);
	poller_delay_observe(&d, 3600);
	text = metrics_of(&d);
	cr_assert_not_null(strstr(text, "replywatch_poll_delay_seconds_bucket{le=\"0.001\"} 2\n"),
			   "%s", text);
	cr_assert_not_null(strstr(text, "replywatch_poll_delay_seconds_bucket{le=\"0.025\"} 2\n"));
	cr_assert_not_null(strstr(text, "replywatch_poll_delay_seconds_bucket{le=\"0.05\"} 3\n"));
	cr_assert_not_null(strstr(text, "replywatch_poll_delay_seconds_bucket{le=\"60\"} 3\n"));
	cr_assert_not_null(strstr(text, "replywatch_poll_delay_seconds_bucket{le=\"+Inf\"} 4\n"));
	cr_assert_not_null(strstr(text, "replywatch_poll_delay_seconds_count 4\n"));
	free(text);
}

Test(poll_delay, a_poll_that_began_nothing_is_not_counted)
{
	struct rw_poller p = {0};
	struct poll_source ps = {.poller = &p, .next_poll_at = 5000};

	poller_delay_due(&ps); /* poller_begin ended it at once: no poll */
	cr_assert_eq(p.delays.n, 0);
}
