/*
 * rwtloop.c: the in-process tests' libev loop (rwtloop.h).
 */
#include <criterion/criterion.h>
#include <ev.h>

#include "rwtloop.h"

#define WAKE_EVERY 0.01 /* seconds */

static ev_timer wake;

static void
on_wake(struct ev_loop *loop, ev_timer *w, int revents)
{
	/* Only wakes ev_run(EVRUN_ONCE) so the caller's checks run. */
	(void)loop;
	(void)w;
	(void)revents;
}

struct ev_loop *
rwt_loop_new(void)
{
	struct ev_loop *loop = ev_loop_new(EVFLAG_AUTO);

	cr_assert_not_null(loop);
	ev_timer_init(&wake, on_wake, WAKE_EVERY, WAKE_EVERY);
	ev_timer_start(loop, &wake);
	return loop;
}

void
rwt_loop_free(struct ev_loop *loop)
{
	if (loop == NULL)
		return;
	ev_timer_stop(loop, &wake);
	ev_loop_destroy(loop);
}

bool
rwt_loop_until_count(struct ev_loop *loop, const int *counter, int want, double timeout_s)
{
	double end = ev_time() + timeout_s;

	while (*counter < want && ev_time() < end)
		ev_run(loop, EVRUN_ONCE);
	return *counter >= want;
}
