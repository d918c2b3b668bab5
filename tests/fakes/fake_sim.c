/*
 * fake_sim.c: the traffic simulator (--simulate). A discrete-event loop on
 * the wall clock: customer mentions arrive on every platform as a Poisson
 * process; about 85% get a brand reply after a log-normal delay (median
 * ~20 s, tail to ~3 min), a few first get an auto-responder; likes,
 * follows, favourites and brand posts are sprinkled in. Start-up replays
 * the same process over the last --history seconds (default 30 minutes) at
 * once, so a first backfill finds history. Deterministic for a given --seed.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "fake.h"

#define SUMMARY_MS 60000LL
#define OTHER_MEAN_MS 45000.0
#define POST_MEAN_MS 420000.0
#define ANSWERED 0.85
#define AUTO_FIRST 0.12

enum ev_kind { EV_MENTION, EV_REPLY, EV_OTHER, EV_POST };

struct ev {
	int64_t at;
	enum ev_kind kind;
	enum fake_platform p;
	char *target; /* EV_REPLY: the mention to answer */
	bool auto_reply;
};

struct fake_sim {
	struct fake_state *st;
	pthread_t thread;
	struct fake_rng rng;
	double mean_gap_ms; /* between mentions on one platform; 0: none */
	struct ev *evs;
	size_t nev;
	size_t cap;
	long made[4]; /* mentions, replies, other, posts since the last summary */
};

static int
schedule(struct fake_sim *sim, int64_t at, enum ev_kind kind, enum fake_platform p,
	 const char *target, bool auto_reply)
{
	struct ev *e;

	if (sim->nev == sim->cap) {
		size_t cap = sim->cap ? sim->cap * 2 : 64;

		e = realloc(sim->evs, cap * sizeof(*e));
		if (e == NULL)
			return -1;
		sim->evs = e;
		sim->cap = cap;
	}
	e = &sim->evs[sim->nev];
	e->at = at;
	e->kind = kind;
	e->p = p;
	e->auto_reply = auto_reply;
	e->target = target ? strdup(target) : NULL;
	if (target != NULL && e->target == NULL)
		return -1;
	sim->nev++;
	return 0;
}

/* schedule() for events made while running: a failure (out of memory) ends
 * that chain of events, which is reported once. */
static void
again(struct fake_sim *sim, int64_t at, enum ev_kind kind, enum fake_platform p, const char *target,
      bool auto_reply)
{
	static bool told;

	if (schedule(sim, at, kind, p, target, auto_reply) == -1 && !told) {
		told = true;
		fprintf(stderr, "rwfake: simulator out of memory, some events are lost\n");
	}
}

/* Index of the earliest event; nev when there is none. */
static size_t
earliest(const struct fake_sim *sim)
{
	size_t best = sim->nev;

	for (size_t i = 0; i < sim->nev; i++) {
		if (best == sim->nev || sim->evs[i].at < sim->evs[best].at)
			best = i;
	}
	return best;
}

/* A customer drawn by weight. */
static const struct fake_sim_customer *
pick_customer(struct fake_sim *sim)
{
	unsigned total = 0, r;

	for (size_t i = 0; i < fake_sim_ncustomers(); i++)
		total += fake_sim_customer(i)->weight;
	r = (unsigned)fake_rng_below(&sim->rng, total);
	for (size_t i = 0; i < fake_sim_ncustomers(); i++) {
		if (r < fake_sim_customer(i)->weight)
			return fake_sim_customer(i);
		r -= fake_sim_customer(i)->weight;
	}
	return fake_sim_customer(0);
}

/* The id of one of the brand's three newest non-reply posts, or NULL. */
static const char *
recent_brand_post(struct fake_sim *sim, enum fake_platform p)
{
	const struct fake_platform_state *ps = &sim->st->p[p];
	const char *found[3];
	size_t n = 0;

	for (size_t i = ps->nposts; i-- > 0 && n < 3;) {
		if (ps->posts[i].kind == FAKE_POST_BRAND && ps->posts[i].parent_id == NULL)
			found[n++] = ps->posts[i].id;
	}
	return n ? found[fake_rng_below(&sim->rng, n)] : NULL;
}

/* A reply delay in ms: log-normal, median 20 s, clamped to 3 s .. 3 min. */
static int64_t
reply_delay(struct fake_sim *sim)
{
	double ms = 20000.0 * exp(0.8 * fake_rng_normal(&sim->rng));

	if (ms < 3000.0)
		ms = 3000.0;
	if (ms > 180000.0)
		ms = 180000.0;
	return (int64_t)ms;
}

static void
mention(struct fake_sim *sim, const struct ev *e)
{
	const struct fake_sim_customer *c = pick_customer(sim);
	struct fake_post_args a = {.author = c->handle,
				   .followers = c->followers,
				   .text = fake_sim_mention_text(&sim->rng),
				   .created_ms = e->at};
	double roll = fake_rng_unit(&sim->rng);
	char err[160];
	long i, notif;

	if (roll < 0.25)
		a.in_reply_to = recent_brand_post(sim, e->p);
	if (e->p == FAKE_BLUESKY && roll < 0.05 && a.in_reply_to != NULL)
		a.reason = "quote";
	i = fake_act_mention(sim->st, e->p, &a, &notif, err, sizeof(err));
	if (sim->mean_gap_ms > 0)
		again(sim, e->at + 1 + (int64_t)fake_rng_exp(&sim->rng, sim->mean_gap_ms),
		      EV_MENTION, e->p, NULL, false);
	if (i < 0)
		return;
	sim->made[0]++;
	if (fake_rng_unit(&sim->rng) >= ANSWERED)
		return;
	{
		const char *id = sim->st->p[e->p].posts[i].id;
		int64_t at = e->at;

		if (fake_rng_unit(&sim->rng) < AUTO_FIRST) {
			at += 2000 + (int64_t)fake_rng_below(&sim->rng, 4000);
			again(sim, at, EV_REPLY, e->p, id, true);
		}
		again(sim, at + reply_delay(sim), EV_REPLY, e->p, id, false);
	}
}

static void
reply(struct fake_sim *sim, const struct ev *e)
{
	struct fake_post_args a = {.in_reply_to = e->target, .created_ms = e->at};
	char err[160];

	if (fake_post_find(sim->st, e->p, e->target) < 0)
		return; /* gone after a reset */
	a.text = e->auto_reply ? FAKE_SIM_AUTO_REPLY : fake_sim_reply_text(&sim->rng);
	if (fake_act_reply(sim->st, e->p, &a, err, sizeof(err)) >= 0)
		sim->made[1]++;
}

static void
other(struct fake_sim *sim, const struct ev *e)
{
	static const char *const kinds[] = {"like", "like", "follow", "repost"};
	const char *kind = kinds[fake_rng_below(&sim->rng, 4)];
	char err[160];

	again(sim, e->at + 1 + (int64_t)fake_rng_exp(&sim->rng, OTHER_MEAN_MS), EV_OTHER, e->p,
	      NULL, false);
	if (strcmp(kind, "follow") != 0 && recent_brand_post(sim, e->p) == NULL)
		kind = "follow";
	if (fake_act_other(sim->st, e->p, kind, pick_customer(sim)->handle, NULL, e->at, err,
			   sizeof(err)) >= 0)
		sim->made[2]++;
}

static void
post(struct fake_sim *sim, const struct ev *e)
{
	const struct fake_platform_state *ps = &sim->st->p[e->p];
	struct fake_post_args a = {.text = fake_sim_post_text(&sim->rng), .created_ms = e->at};
	char err[160];

	again(sim, e->at + 1 + (int64_t)fake_rng_exp(&sim->rng, POST_MEAN_MS), EV_POST, e->p, NULL,
	      false);
	if (fake_rng_unit(&sim->rng) < 0.2) {
		/* Now and then the brand boosts a happy customer. */
		for (size_t i = ps->nposts; i-- > 0;) {
			if (ps->posts[i].kind == FAKE_POST_CUSTOMER) {
				a.repost_of = ps->posts[i].id;
				break;
			}
		}
	}
	if (fake_act_post(sim->st, e->p, &a, err, sizeof(err)) >= 0)
		sim->made[3]++;
}

/* Runs the earliest event (index i) and drops it. */
static void
run(struct fake_sim *sim, size_t i)
{
	struct ev e = sim->evs[i];

	sim->evs[i] = sim->evs[--sim->nev];
	switch (e.kind) {
	case EV_MENTION:
		mention(sim, &e);
		break;
	case EV_REPLY:
		reply(sim, &e);
		break;
	case EV_OTHER:
		other(sim, &e);
		break;
	default:
		post(sim, &e);
		break;
	}
	free(e.target);
}

/* Runs every event due by now. */
static void
run_due(struct fake_sim *sim, int64_t now)
{
	size_t i;

	while ((i = earliest(sim)) < sim->nev && sim->evs[i].at <= now)
		run(sim, i);
}

static void *
loop(void *arg)
{
	struct fake_sim *sim = arg;
	struct fake_state *st = sim->st;
	int64_t next_summary = fake_now_ms() + SUMMARY_MS;

	pthread_mutex_lock(&st->lock);
	while (!st->stopping) {
		int64_t now = fake_now_ms(), wake = next_summary;
		bool paused = st->sim_paused;
		struct timespec ts;
		size_t i;

		if (!paused)
			run_due(sim, now);
		if (now >= next_summary) {
			fprintf(stderr,
				"rwfake: simulated in the last minute: %ld mentions, %ld replies, "
				"%ld other notifications, %ld brand posts\n",
				sim->made[0], sim->made[1], sim->made[2], sim->made[3]);
			memset(sim->made, 0, sizeof(sim->made));
			next_summary += SUMMARY_MS;
			continue;
		}
		i = earliest(sim);
		if (!paused && i < sim->nev && sim->evs[i].at < wake)
			wake = sim->evs[i].at;
		ts.tv_sec = (time_t)(wake / 1000);
		ts.tv_nsec = (long)(wake % 1000) * 1000000L;
		while (!st->stopping &&
		       pthread_cond_timedwait(&st->wake, &st->lock, &ts) != ETIMEDOUT) {
			if (fake_now_ms() >= wake || st->sim_paused != paused)
				break;
		}
	}
	pthread_mutex_unlock(&st->lock);
	return NULL;
}

static void
sim_free(struct fake_sim *sim)
{
	for (size_t i = 0; i < sim->nev; i++)
		free(sim->evs[i].target);
	free(sim->evs);
	free(sim);
}

/* Schedules the first events from start, with a few brand posts before it. */
static int
seed_events(struct fake_sim *sim, int64_t start)
{
	for (size_t p = 0; p < fake_nplatforms; p++) {
		if (!fake_platforms[p]->social)
			continue;
		for (int k = 0; k < 2; k++) {
			struct fake_post_args a = {.text = fake_sim_post_text(&sim->rng),
						   .created_ms = start - 3600000 * (2 - k)};
			char err[160];

			if (fake_act_post(sim->st, (enum fake_platform)p, &a, err, sizeof(err)) < 0)
				return -1;
		}
		if ((sim->mean_gap_ms > 0 &&
		     schedule(sim, start + (int64_t)fake_rng_exp(&sim->rng, sim->mean_gap_ms),
			      EV_MENTION, (enum fake_platform)p, NULL, false) == -1) ||
		    (p != FAKE_X &&
		     schedule(sim, start + (int64_t)fake_rng_exp(&sim->rng, OTHER_MEAN_MS),
			      EV_OTHER, (enum fake_platform)p, NULL, false) == -1) ||
		    schedule(sim, start + (int64_t)fake_rng_exp(&sim->rng, POST_MEAN_MS), EV_POST,
			     (enum fake_platform)p, NULL, false) == -1)
			return -1;
	}
	return 0;
}

struct fake_sim *
fake_sim_start(struct fake_state *st, double rate_per_min, uint64_t seed)
{
	struct fake_sim *sim = calloc(1, sizeof(*sim));
	int rc;

	if (sim == NULL)
		return NULL;
	sim->st = st;
	sim->rng.s = seed;
	sim->mean_gap_ms = rate_per_min > 0 ? 60000.0 / rate_per_min : 0;
	pthread_mutex_lock(&st->lock);
	rc = seed_events(sim, fake_now_ms() - (int64_t)st->opt->history_s * 1000);
	if (rc == 0)
		run_due(sim, fake_now_ms());
	memset(sim->made, 0, sizeof(sim->made));
	pthread_mutex_unlock(&st->lock);
	if (rc == -1 || pthread_create(&sim->thread, NULL, loop, sim) != 0) {
		sim_free(sim);
		return NULL;
	}
	return sim;
}

void
fake_sim_stop(struct fake_sim *sim)
{
	if (sim == NULL)
		return;
	pthread_join(sim->thread, NULL);
	sim_free(sim);
}
