/*
 * rwbench_budget.c: "rwbench budget" — a simulated day of YouTube and X
 * traffic polled with poll_every "auto" (the daemon's own
 * poll_auto_interval and poll_cost_learn) and with the fixed interval that
 * spends the same quota, and the detection latency each gives (post
 * created -> the first poll after it, which tracks it).
 *
 * Items arrive as a Poisson process whose rate follows a daily shape (a
 * trough at 04:00, a peak at 16:00, three times the trough) plus one burst
 * (a post that takes off: a share of the day's items in 20 minutes at
 * 14:00). A poll costs one call per page of 100 new items (at least one)
 * plus the platform's fixed calls; a poll the budget cannot pay for is not
 * made (the source waits for the reset, as the daemon does). Seeded: the
 * same figures every run.
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../daemon/poller_internal.h"
#include "rwbench.h"

#define DAY_S 86400.0
#define PAGE 100

struct scenario {
	const char *name;
	double window_s;  /* the quota's window: a day, or 15 minutes */
	long limit;       /* calls (units) per window */
	long fixed_calls; /* calls a poll makes besides the pages of new items */
	double items_day; /* items a day */
	double burst;     /* the share of them in the 20-minute burst at 14:00 */
};

static const struct scenario scenarios[] = {
	/* 10 000 units a day; commentThreads pages plus one call for the
	 * brand channel's replies. */
	{"youtube", DAY_S, 10000, 1, 3000, 0.1},
	/* /2/users/:id/mentions: 300 calls per 15 minutes per user. */
	{"x", 900, 300, 0, 20000, 0.1},
	/* A tight window (10 calls per 15 minutes), as a low tier or a token
	 * shared by several sources may leave, and a burst that needs pages. */
	{"x-tight", 900, 10, 0, 5000, 0.4},
};

struct sim {
	double *items; /* arrival times (s), sorted */
	size_t nitems;
	double *lat; /* detection latency per item (s) */
	long polls, spent;
};

/* A uniform draw in (0, 1) from a small seeded generator (xorshift64*). */
static double
draw(uint64_t *s)
{
	*s ^= *s >> 12;
	*s ^= *s << 25;
	*s ^= *s >> 27;
	return ((double)((*s * 2685821657736338717ULL) >> 11) + 0.5) / 9007199254740992.0;
}

/* The rate at t (items/s) of a day of n items, burst included. */
static double
rate(double t, double n, double burst)
{
	double shape = 1.0 + 0.5 * sin(2 * M_PI * (t - 10 * 3600.0) / DAY_S); /* 0.5 .. 1.5 */
	double base = (1 - burst) * n / DAY_S * shape;

	if (t >= 14 * 3600.0 && t < 14 * 3600.0 + 1200)
		base += burst * n / 1200;
	return base;
}

/* Arrivals over a day by thinning a Poisson process of the highest rate. */
static size_t
arrivals(double n, double burst, uint64_t seed, double **out)
{
	double top = 1.5 * (1 - burst) * n / DAY_S + burst * n / 1200, t = 0;
	size_t len = 0, cap = (size_t)(n * 2) + 16;
	double *v = malloc(cap * sizeof(*v));

	if (v == NULL)
		return 0;
	for (;;) {
		t += -log(draw(&seed)) / top;
		if (t >= DAY_S)
			break;
		if (draw(&seed) * top <= rate(t, n, burst) && len < cap)
			v[len++] = t;
	}
	*out = v;
	return len;
}

/* Polls the day: fixed_s > 0 every fixed_s, else with the auto interval.
 * Fills s->lat, s->polls, s->spent. */
static void
run(const struct scenario *sc, struct sim *s, double fixed_s, uint64_t seed)
{
	double t = 0, reset = sc->window_s, cost = 0, interval;
	long remaining = sc->limit;
	size_t next = 0; /* the first item not yet seen */
	char why[160];

	s->polls = s->spent = 0;
	while (t < DAY_S + sc->window_s && next < s->nitems) {
		size_t seen = next;
		long calls, pages;

		while (t >= reset) {
			reset += sc->window_s;
			remaining = sc->limit;
		}
		while (seen < s->nitems && s->items[seen] <= t)
			seen++;
		/* The pages the budget pays for; a walk cut short goes on at the
		 * next poll (the newest items wait: a simplification). */
		pages = 1 + (long)((seen - next) / PAGE);
		if (pages > remaining - sc->fixed_calls)
			pages = remaining - sc->fixed_calls;
		if (pages >= 1) {
			calls = sc->fixed_calls + pages;
			if (seen - next > (size_t)(pages * PAGE))
				seen = next + (size_t)(pages * PAGE);
			remaining -= calls;
			s->spent += calls;
			s->polls++;
			for (size_t i = next; i < seen; i++)
				s->lat[i] = t - s->items[i];
			next = seen;
			cost = poll_cost_learn(cost, (double)calls);
		}
		if (fixed_s > 0) {
			interval = fixed_s;
		} else {
			struct poll_budget b = {remaining, (int64_t)(reset * 1000), cost};

			interval = poll_auto_interval(&b, 1, (int64_t)(t * 1000), 60, why,
						      sizeof(why));
			interval *= 1.0 + 0.1 * draw(&seed); /* the daemon's jitter */
		}
		t += interval;
	}
	for (size_t i = next; i < s->nitems; i++)
		s->lat[i] = DAY_S; /* never seen that day */
}

static int
cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static void
quantiles(double *lat, size_t n, double *p50, double *p90, double *max)
{
	qsort(lat, n, sizeof(*lat), cmp_double);
	*p50 = lat[n / 2];
	*p90 = lat[(size_t)((double)n * 0.9)];
	*max = lat[n - 1];
}

int
rwbench_budget(void)
{
	for (size_t k = 0; k < sizeof(scenarios) / sizeof(scenarios[0]); k++) {
		const struct scenario *sc = &scenarios[k];
		struct sim s = {0};
		double a50, a90, amax, f50, f90, fmax, lo, hi, fixed;
		long auto_polls, auto_spent;

		s.nitems = arrivals(sc->items_day, sc->burst, 0x9e3779b97f4a7c15ULL + k, &s.items);
		s.lat = calloc(s.nitems ? s.nitems : 1, sizeof(*s.lat));
		if (s.nitems == 0 || s.lat == NULL) {
			fprintf(stderr, "rwbench budget: out of memory\n");
			return 1;
		}
		run(sc, &s, 0, 42);
		auto_polls = s.polls;
		auto_spent = s.spent;
		quantiles(s.lat, s.nitems, &a50, &a90, &amax);
		/* The fixed interval that spends what auto spent: the shortest
		 * whose day costs no more (bisection on the interval). */
		lo = 0.5;
		hi = DAY_S;
		for (int i = 0; i < 60; i++) {
			fixed = (lo + hi) / 2;
			run(sc, &s, fixed, 42);
			if (s.spent > auto_spent)
				lo = fixed;
			else
				hi = fixed;
		}
		fixed = hi;
		run(sc, &s, fixed, 42);
		quantiles(s.lat, s.nitems, &f50, &f90, &fmax);
		/* NAME ITEMS AUTO_POLLS AUTO_SPENT FIXED_S FIXED_SPENT
		 * AUTO_P50 AUTO_P90 AUTO_MAX FIXED_P50 FIXED_P90 FIXED_MAX */
		printf("%s %zu %ld %ld %.1f %ld %.1f %.1f %.1f %.1f %.1f %.1f\n", sc->name,
		       s.nitems, auto_polls, auto_spent, fixed, s.spent, a50, a90, amax, f50, f90,
		       fmax);
		free(s.items);
		free(s.lat);
	}
	return 0;
}
