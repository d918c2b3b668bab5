/*
 * timer.c: instants on the daemon clock, kept by libev timers that
 * rw_timer_advance brings forward all at once.
 */
#include "replywatch/timer.h"
#include "replywatch/clock.h"

static struct rw_timer *armed; /* every armed timer: what an advance re-arms */

static void
unlink_timer(struct rw_timer *t)
{
	if (t->prev != NULL)
		t->prev->next = t->next;
	else if (armed == t)
		armed = t->next;
	if (t->next != NULL)
		t->next->prev = t->prev;
	t->prev = t->next = NULL;
}

static void
on_fire(struct ev_loop *loop, ev_timer *w, int revents)
{
	struct rw_timer *t = w->data;

	(void)loop;
	(void)revents;
	/* Disarmed first: the callback may arm it again. */
	unlink_timer(t);
	t->at_ms = 0;
	t->cb(t);
}

/* Starts the libev timer for seconds from the loop's now. */
static void
start_in(struct rw_timer *t, double seconds)
{
	ev_timer_stop(t->loop, &t->w);
	ev_timer_set(&t->w, seconds > 0 ? seconds : 0., 0.);
	ev_timer_start(t->loop, &t->w);
}

void
rw_timer_init(struct rw_timer *t, struct ev_loop *loop, rw_timer_fn *cb, void *data)
{
	t->data = data;
	t->loop = loop;
	t->cb = cb;
	t->at_ms = 0;
	t->prev = t->next = NULL;
	ev_timer_init(&t->w, on_fire, 0., 0.);
	t->w.data = t;
}

void
rw_timer_at(struct rw_timer *t, int64_t at_ms)
{
	int64_t now = rw_now_ms();

	if (t->at_ms == 0) {
		t->next = armed;
		if (armed != NULL)
			armed->prev = t;
		armed = t;
	}
	/* 0 means "not armed": an instant at the epoch is simply past. */
	t->at_ms = at_ms > 0 ? at_ms : 1;
	/* The loop's cached time may lag behind the clock read above (a long
	 * callback): libev counts the delay from its cached now. */
	ev_now_update(t->loop);
	start_in(t, (double)(at_ms - now) / 1000.0);
}

int64_t
rw_timer_in(struct rw_timer *t, int64_t ms)
{
	int64_t at = rw_now_ms() + (ms > 0 ? ms : 0);

	rw_timer_at(t, at);
	return at;
}

void
rw_timer_stop(struct rw_timer *t)
{
	if (t->at_ms == 0)
		return;
	ev_timer_stop(t->loop, &t->w);
	unlink_timer(t);
	t->at_ms = 0;
}

bool
rw_timer_armed(const struct rw_timer *t)
{
	return t->at_ms != 0;
}

int64_t
rw_timer_when(const struct rw_timer *t)
{
	return t->at_ms;
}

int
rw_timer_advance(int64_t ms)
{
	if (rw_clock_advance(ms) == -1)
		return -1;
	/* What is left of each wait on the monotonic clock, less the advance:
	 * a wall-clock jump since arming changes nothing, as before. */
	for (struct rw_timer *t = armed; t != NULL; t = t->next)
		start_in(t, ev_timer_remaining(t->loop, &t->w) - (double)ms / 1000.0);
	return 0;
}
