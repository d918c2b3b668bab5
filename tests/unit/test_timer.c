/*
 * test_timer: instants on the daemon clock (timer.h) on a real libev loop,
 * and the clock's advance (clock.h). Criterion runs each test in its own
 * process, so a test's advance never reaches another.
 */
#include <criterion/criterion.h>
#include <ev.h>

#include "replywatch/clock.h"
#include "replywatch/timer.h"

#define HOUR_MS (3600 * INT64_C(1000))

struct probe {
	int fired;
	int64_t fired_at;       /* rw_now_ms when it fired */
	double mono_at;         /* ev_time when it fired */
	struct rw_timer *rearm; /* armed again from inside the callback */
};

static void
on_fire(struct rw_timer *t)
{
	struct probe *p = t->data;

	p->fired++;
	p->fired_at = rw_now_ms();
	p->mono_at = ev_time();
	if (p->rearm != NULL) {
		p->rearm = NULL;
		rw_timer_in(t, 20);
	}
}

static void
on_guard(struct ev_loop *loop, ev_timer *w, int revents)
{
	(void)w;
	(void)revents;
	ev_break(loop, EVBREAK_ONE);
}

/* Runs loop until every probe of the NULL-terminated list has fired, or
 * seconds pass. */
static void
run_until_fired(struct ev_loop *loop, struct probe *const *probes, double seconds)
{
	ev_timer guard;
	double until = ev_time() + seconds;

	ev_timer_init(&guard, on_guard, 0.01, 0.01);
	ev_timer_start(loop, &guard);
	for (;;) {
		bool all = true;

		for (size_t i = 0; probes[i] != NULL; i++)
			all = all && probes[i]->fired > 0;
		if (all || ev_time() >= until)
			break;
		ev_run(loop, 0);
	}
	ev_timer_stop(loop, &guard);
}

static struct ev_loop *loop;

static void
setup(void)
{
	loop = ev_loop_new(EVFLAG_AUTO);
	cr_assert_not_null(loop);
}

static void
teardown(void)
{
	ev_loop_destroy(loop);
}

TestSuite(timer, .init = setup, .fini = teardown, .timeout = 20);

Test(timer, fires_at_its_instant_once)
{
	struct probe p = {0};
	struct rw_timer t;
	int64_t at = rw_now_ms() + 150;

	rw_timer_init(&t, loop, on_fire, &p);
	cr_assert_not(rw_timer_armed(&t));
	rw_timer_at(&t, at);
	cr_assert(rw_timer_armed(&t));
	cr_assert_eq(rw_timer_when(&t), at);
	run_until_fired(loop, (struct probe *[]){&p, NULL}, 2.0);
	cr_assert_eq(p.fired, 1);
	/* libev may round a few ms either way. */
	cr_assert_geq(p.fired_at, at - 5, "fired %lld ms early", (long long)(at - p.fired_at));
	cr_assert_not(rw_timer_armed(&t));
	cr_assert_eq(rw_timer_when(&t), 0);
	/* Nothing more comes. */
	struct probe other = {0};
	struct rw_timer later;

	rw_timer_init(&later, loop, on_fire, &other);
	rw_timer_in(&later, 100);
	run_until_fired(loop, (struct probe *[]){&other, NULL}, 2.0);
	cr_assert_eq(p.fired, 1);
}

Test(timer, a_past_instant_fires_on_the_next_iteration)
{
	struct probe p = {0};
	struct rw_timer t;

	rw_timer_init(&t, loop, on_fire, &p);
	rw_timer_at(&t, rw_now_ms() - 60000);
	cr_assert(rw_timer_armed(&t));
	ev_run(loop, EVRUN_ONCE);
	cr_assert_eq(p.fired, 1);
}

Test(timer, in_arms_from_now_and_returns_the_instant)
{
	struct rw_timer t;
	struct probe p = {0};
	int64_t before = rw_now_ms();
	int64_t at;

	rw_timer_init(&t, loop, on_fire, &p);
	at = rw_timer_in(&t, HOUR_MS);
	cr_assert_geq(at, before + HOUR_MS);
	cr_assert_leq(at, rw_now_ms() + HOUR_MS);
	cr_assert_eq(rw_timer_when(&t), at);
	/* Re-arming replaces the instant. */
	at = rw_timer_in(&t, 2 * HOUR_MS);
	cr_assert_eq(rw_timer_when(&t), at);
	rw_timer_stop(&t);
}

Test(timer, advance_fires_what_became_due_at_once)
{
	struct probe hour = {0}, day = {0};
	struct rw_timer t1, t2;
	int64_t before = rw_now_ms();
	double mono = ev_time();

	rw_timer_init(&t1, loop, on_fire, &hour);
	rw_timer_init(&t2, loop, on_fire, &day);
	rw_timer_in(&t1, HOUR_MS);
	rw_timer_in(&t2, 24 * HOUR_MS);
	cr_assert_eq(rw_timer_advance(HOUR_MS), 0);
	cr_assert_geq(rw_now_ms(), before + HOUR_MS);
	cr_assert_eq(rw_clock_offset(), HOUR_MS);
	run_until_fired(loop, (struct probe *[]){&hour, NULL}, 2.0);
	cr_assert_eq(hour.fired, 1, "the hour's timer did not fire after a 1 h advance");
	cr_assert_lt(hour.mono_at - mono, 1.0, "fired %.3f s later", hour.mono_at - mono);
	cr_assert_geq(hour.fired_at, before + HOUR_MS);
	/* The day's timer keeps its instant, 23 h away now. */
	cr_assert_eq(day.fired, 0);
	cr_assert(rw_timer_armed(&t2));
	cr_assert_eq(rw_timer_advance(23 * HOUR_MS - 1000), 0);
	ev_run(loop, EVRUN_NOWAIT);
	cr_assert_eq(day.fired, 0, "fired a second early");
	cr_assert_eq(rw_timer_advance(1000), 0);
	run_until_fired(loop, (struct probe *[]){&day, NULL}, 2.0);
	cr_assert_eq(day.fired, 1);
	cr_assert_eq(hour.fired, 1);
}

Test(timer, advance_brings_a_wait_forward_by_as_much)
{
	struct probe p = {0};
	struct rw_timer t;
	double mono = ev_time();

	/* 1 h 300 ms away; an advance of 1 h leaves 300 ms. */
	rw_timer_init(&t, loop, on_fire, &p);
	rw_timer_in(&t, HOUR_MS + 300);
	cr_assert_eq(rw_timer_advance(HOUR_MS), 0);
	ev_run(loop, EVRUN_NOWAIT);
	cr_assert_eq(p.fired, 0);
	run_until_fired(loop, (struct probe *[]){&p, NULL}, 3.0);
	cr_assert_eq(p.fired, 1);
	cr_assert_geq(p.mono_at - mono, 0.25, "fired after %.3f s", p.mono_at - mono);
	cr_assert_lt(p.mono_at - mono, 1.5, "fired after %.3f s", p.mono_at - mono);
}

Test(timer, stopped_timer_never_fires)
{
	struct probe p = {0}, other = {0};
	struct rw_timer t, t2;

	rw_timer_init(&t, loop, on_fire, &p);
	rw_timer_init(&t2, loop, on_fire, &other);
	rw_timer_stop(&t); /* not armed: harmless */
	rw_timer_in(&t, 50);
	rw_timer_in(&t2, 2 * HOUR_MS);
	rw_timer_stop(&t);
	rw_timer_stop(&t);
	cr_assert_not(rw_timer_armed(&t));
	cr_assert_eq(rw_timer_advance(3 * HOUR_MS), 0);
	run_until_fired(loop, (struct probe *[]){&other, NULL}, 2.0);
	cr_assert_eq(other.fired, 1);
	cr_assert_eq(p.fired, 0);
}

Test(timer, can_be_armed_again_from_its_callback)
{
	struct probe p = {0};
	struct rw_timer t;

	rw_timer_init(&t, loop, on_fire, &p);
	p.rearm = &t;
	rw_timer_in(&t, 10);
	run_until_fired(loop, (struct probe *[]){&p, NULL}, 2.0);
	cr_assert_eq(p.fired, 1);
	cr_assert(rw_timer_armed(&t), "not armed again");
	p.fired = 0;
	run_until_fired(loop, (struct probe *[]){&p, NULL}, 2.0);
	cr_assert_eq(p.fired, 1);
	cr_assert_not(rw_timer_armed(&t));
}

Test(clock, advance_only_goes_forward_and_stays_writable)
{
	int64_t before = rw_now_ms();

	cr_assert_eq(rw_clock_advance(0), -1);
	cr_assert_eq(rw_clock_advance(-5000), -1);
	cr_assert_eq(rw_clock_offset(), 0);
	cr_assert_eq(rw_timer_advance(-1), -1);
	cr_assert_eq(rw_clock_advance(RW_TIME_MAX_MS), -1, "past year 9999");
	cr_assert_eq(rw_clock_offset(), 0);
	cr_assert_eq(rw_clock_advance(90 * 1000), 0);
	cr_assert_eq(rw_clock_offset(), 90 * 1000);
	cr_assert_geq(rw_now_ms(), before + 90 * 1000);
	cr_assert_lt(rw_now_ms(), before + 100 * 1000);
}

Test(clock, advance_moves_a_held_clock_too)
{
	rw_clock_set(1790000000000LL);
	cr_assert_eq(rw_clock_advance(HOUR_MS), 0);
	cr_assert_eq(rw_now_ms(), 1790000000000LL + HOUR_MS);
	rw_clock_set(0);
	cr_assert_geq(rw_now_ms(), 1700000000000LL + HOUR_MS);
}
