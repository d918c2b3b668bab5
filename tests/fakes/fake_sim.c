/*
 * fake_sim.c: the traffic simulator (--simulate). A discrete-event loop on
 * the wall clock: customer mentions arrive on every platform as a Poisson
 * process; about 85% get a brand reply after a log-normal delay (median
 * ~20 s, tail to ~3 min), a few first get an auto-responder; likes,
 * follows, favourites and brand posts are sprinkled in. On every review
 * platform of the table (a descriptor with review rules) reviews arrive as
 * a Poisson process at a third of the mention rate, rated 1-5 with more 5s
 * and 1s than 3s; about 80% are answered after a log-normal delay (median
 * ~40 s, tail to a few minutes; Apple's answers are published a little
 * later), a few are edited and now and then one is deleted. Start-up
 * replays the same process over the last --history seconds (default 30
 * minutes) at once, so a first backfill finds history; for reviews it
 * begins with a backlog of more reviews than any first page holds, and the
 * care team answers some of the backlog's open ones in the first minutes,
 * so re-reading old reviews shows. The feeds (Facebook, Instagram, YouTube,
 * Reddit, LinkedIn: fake_sim_feeds.c) get comments and mentions at a third
 * of the mention rate each, and brand answers; Allegro (buyer ratings,
 * Message Center threads, post-purchase issues) and the Discourse forum get
 * theirs with seller and support answers (fake_sim_shop.c). Deterministic
 * for a given --seed (mentions, reviews, feeds and the shop each draw from
 * their own generator).
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "fake_reviews.h"
#include "fake_sim.h"

#define SUMMARY_MS 60000LL
#define OTHER_MEAN_MS 45000.0
#define POST_MEAN_MS 420000.0
#define ANSWERED 0.85
#define AUTO_FIRST 0.12
/* Reviews: per platform a third of the mention rate. */
#define REVIEW_RATE_SHARE 3.0
#define REVIEW_ANSWERED 0.8
#define REVIEW_ANONYMOUS 0.1
#define REVIEW_NO_TEXT 0.12
#define REVIEW_TITLED 0.5
#define REVIEW_EDITED 0.06
#define REVIEW_DELETED 0.02
/* The history's backlog: more reviews than the largest first page (100) of
 * any review API, so a backfill has to read further pages. */
#define REVIEW_BACKLOG 120
#define BACKLOG_LATE_ANSWER 0.5
/* Feeds: per feed a third of the mention rate. */
#define FEED_RATE_SHARE 3.0

static int
schedule_ev(struct fake_sim *sim, int64_t at, enum ev_kind kind, enum fake_platform p,
	    const char *target, bool auto_reply, unsigned feed)
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
	e->feed = feed;
	e->target = target ? strdup(target) : NULL;
	if (target != NULL && e->target == NULL)
		return -1;
	sim->nev++;
	return 0;
}

static int
schedule(struct fake_sim *sim, int64_t at, enum ev_kind kind, enum fake_platform p,
	 const char *target, bool auto_reply)
{
	return schedule_ev(sim, at, kind, p, target, auto_reply, 0);
}

static void
lost(void)
{
	static bool told;

	if (!told) {
		told = true;
		fprintf(stderr, "rwfake: simulator out of memory, some events are lost\n");
	}
}

/* schedule() for events made while running: a failure (out of memory) ends
 * that chain of events, which is reported once. */
static void
again(struct fake_sim *sim, int64_t at, enum ev_kind kind, enum fake_platform p, const char *target,
      bool auto_reply)
{
	if (schedule(sim, at, kind, p, target, auto_reply) == -1)
		lost();
}

void
fake_sim_again(struct fake_sim *sim, int64_t at, enum ev_kind kind, enum fake_platform p,
	       const char *target, unsigned feed)
{
	if (schedule_ev(sim, at, kind, p, target, false, feed) == -1)
		lost();
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
	sim->made[MADE_MENTIONS]++;
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
		sim->made[MADE_REPLIES]++;
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
		sim->made[MADE_OTHER]++;
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
		sim->made[MADE_POSTS]++;
}

/* ---- reviews ---- */

/* One of the store's control calls (body stolen): true when it succeeded.
 * A review gone meanwhile (deleted, or a reset) is a 404: nothing happens. */
static bool
review_call(struct fake_sim *sim, enum fake_platform p, const char *what, json_t *body)
{
	struct fake_resp resp = {0};
	bool ok;

	if (body == NULL)
		return false;
	ok = fake_reviews_control(sim->st, p, fake_platforms[p]->reviews, what, body, &resp) &&
	     resp.status < 300;
	json_decref(body);
	fake_resp_clear(&resp);
	return ok;
}

/* The live review e targets, or NULL. */
static struct fake_review *
review_target(struct fake_sim *sim, const struct ev *e)
{
	return fake_reviews_find(sim->st->own[e->p], e->target);
}

/* 1-5 stars, J-shaped as review sites are: many 5s, many 1s, few 3s. */
static int
review_rating(struct fake_sim *sim)
{
	static const unsigned weight[5] = {20, 8, 9, 18, 45};
	unsigned r = (unsigned)fake_rng_below(&sim->rrng, 100);

	for (int i = 0; i < 5; i++) {
		if (r < weight[i])
			return i + 1;
		r -= weight[i];
	}
	return 5;
}

/* An answer delay in ms: log-normal, median 40 s, clamped to 5 s .. 6 min. */
static int64_t
answer_delay(struct fake_sim *sim)
{
	double ms = 40000.0 * exp(0.9 * fake_rng_normal(&sim->rrng));

	if (ms < 5000.0)
		ms = 5000.0;
	if (ms > 360000.0)
		ms = 360000.0;
	return (int64_t)ms;
}

static void
review_time(int64_t ms, char buf[FAKE_TIME_LEN])
{
	fake_fmt_ms(ms, buf);
}

/* Leaves a review at `at` and schedules what follows it: an answer (or, for
 * the backlog, maybe a late one at late_ms), an edit, a delete. */
static void
leave_review(struct fake_sim *sim, enum fake_platform p, int64_t at, int64_t late_ms)
{
	struct fake_rng *r = &sim->rrng;
	int rating = review_rating(sim);
	bool anonymous = fake_rng_unit(r) < REVIEW_ANONYMOUS,
	     no_text = fake_rng_unit(r) < REVIEW_NO_TEXT, titled = fake_rng_unit(r) < REVIEW_TITLED;
	const char *author = fake_sim_reviewer(r), *title = fake_sim_review_title(r, rating),
		   *text = fake_sim_review_text(r, rating);
	const struct fake_reviews *rv;
	char created[FAKE_TIME_LEN], *id;

	review_time(at, created);
	if (!review_call(sim, p, "review",
			 json_pack("{s:i, s:s, s:s?, s:s?, s:s?}", "rating", rating, "created_at",
				   created, "author", anonymous ? NULL : author, "title",
				   no_text || !titled ? NULL : title, "text",
				   no_text ? NULL : text)) ||
	    (rv = sim->st->own[p]) == NULL || rv->n == 0)
		return;
	sim->made[MADE_REVIEWS]++;
	id = rv->v[rv->n - 1].id;
	if (fake_rng_unit(r) < REVIEW_ANSWERED)
		again(sim, at + answer_delay(sim), EV_ANSWER, p, id, false);
	else if (late_ms > 0 && fake_rng_unit(r) < BACKLOG_LATE_ANSWER)
		again(sim, late_ms + (int64_t)fake_rng_below(r, 300000), EV_ANSWER, p, id, false);
	if (fake_rng_unit(r) < REVIEW_EDITED)
		again(sim, at + 30000 + (int64_t)fake_rng_exp(r, 180000.0), EV_EDIT, p, id, false);
	if (fake_rng_unit(r) < REVIEW_DELETED)
		again(sim, at + 60000 + (int64_t)fake_rng_exp(r, 300000.0), EV_DELETE, p, id,
		      false);
}

static void
review_arrives(struct fake_sim *sim, const struct ev *e)
{
	if (sim->review_gap_ms > 0)
		again(sim, e->at + 1 + (int64_t)fake_rng_exp(&sim->rrng, sim->review_gap_ms),
		      EV_REVIEW, e->p, NULL, false);
	leave_review(sim, e->p, e->at, 0);
}

/* The brand answers; Apple's answer waits PENDING_PUBLISH for 5-30 s. */
static void
review_answer(struct fake_sim *sim, const struct ev *e)
{
	const struct fake_review *r = review_target(sim, e);
	bool two_step = fake_platforms[e->p]->reviews->two_step;
	char at[FAKE_TIME_LEN];

	if (r == NULL || r->reply != NULL)
		return;
	review_time(e->at, at);
	if (!review_call(sim, e->p, "answer",
			 json_pack("{s:s, s:s, s:s}", "review", e->target, "text",
				   fake_sim_review_answer(&sim->rrng, r->rating), "at", at)))
		return;
	if (two_step)
		again(sim, e->at + 5000 + (int64_t)fake_rng_below(&sim->rrng, 25000), EV_PUBLISH,
		      e->p, e->target, false);
	else
		sim->made[MADE_ANSWERS]++;
}

static void
review_publish(struct fake_sim *sim, const struct ev *e)
{
	char at[FAKE_TIME_LEN];

	review_time(e->at, at);
	if (review_target(sim, e) != NULL &&
	    review_call(sim, e->p, "publish",
			json_pack("{s:s, s:s}", "review", e->target, "at", at)))
		sim->made[MADE_ANSWERS]++;
}

/* The customer comes back: an answered review goes up a star or two with a
 * thank-you, an unanswered one down a star with a complaint. */
static void
review_edit(struct fake_sim *sim, const struct ev *e)
{
	const struct fake_review *r = review_target(sim, e);
	int rating;
	char at[FAKE_TIME_LEN], *text;

	if (r == NULL)
		return;
	rating = r->reply != NULL ? r->rating + 1 + (int)fake_rng_below(&sim->rrng, 2)
				  : r->rating - 1;
	rating = rating < 1 ? 1 : rating > 5 ? 5 : rating;
	text = fake_sprintf("%s%s%s", r->text ? r->text : "", r->text ? " " : "",
			    fake_sim_review_update(&sim->rrng, rating));
	review_time(e->at, at);
	if (text != NULL)
		review_call(sim, e->p, "edit",
			    json_pack("{s:s, s:i, s:s, s:s}", "review", e->target, "rating", rating,
				      "text", text, "at", at));
	free(text);
}

static void
review_delete(struct fake_sim *sim, const struct ev *e)
{
	if (review_target(sim, e) != NULL)
		review_call(sim, e->p, "delete", json_pack("{s:s}", "review", e->target));
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
	case EV_REVIEW:
		review_arrives(sim, &e);
		break;
	case EV_ANSWER:
		review_answer(sim, &e);
		break;
	case EV_PUBLISH:
		review_publish(sim, &e);
		break;
	case EV_EDIT:
		review_edit(sim, &e);
		break;
	case EV_DELETE:
		review_delete(sim, &e);
		break;
	case EV_FEED_ITEM:
	case EV_FEED_ANSWER:
	case EV_FEED_POST:
		fake_feeds_run(sim, &e);
		break;
	case EV_SHOP_ITEM:
	case EV_SHOP_MORE:
	case EV_SHOP_ANSWER:
		fake_shop_run(sim, &e);
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
		fake_sim_hooks_flush(sim);
		if (now >= next_summary) {
			fprintf(stderr,
				"rwfake: simulated in the last minute: %ld mentions, %ld replies, "
				"%ld other notifications, %ld brand posts, %ld reviews, %ld "
				"review answers, %ld comments and mentions on facebook, instagram, "
				"youtube, reddit and linkedin, %ld answers to them, %ld webhooks, "
				"%ld Allegro ratings, messages and forum posts, %ld seller and "
				"support answers\n",
				sim->made[MADE_MENTIONS], sim->made[MADE_REPLIES],
				sim->made[MADE_OTHER], sim->made[MADE_POSTS],
				sim->made[MADE_REVIEWS], sim->made[MADE_ANSWERS],
				sim->made[MADE_FEED_ITEMS], sim->made[MADE_FEED_ANSWERS],
				sim->made[MADE_HOOKS], sim->made[MADE_SHOP_ITEMS],
				sim->made[MADE_SHOP_ANSWERS]);
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
	fake_feeds_free(sim);
	fake_sim_hooks_free(sim);
	free(sim);
}

/* The history's review backlog on platform p: REVIEW_BACKLOG reviews over
 * its first tenth (at most 10 minutes), answered as usual; some of those
 * left open get a late answer in the first minutes after now. */
static void
seed_backlog(struct fake_sim *sim, enum fake_platform p, int64_t start, int64_t now)
{
	int64_t span = (now - start) / 10 < 600000 ? (now - start) / 10 : 600000;

	for (int k = 0; k < REVIEW_BACKLOG; k++)
		leave_review(sim, p, start + span * k / REVIEW_BACKLOG, now + 60000);
}

/* Schedules the first reviews from start, after the backlog (with history). */
static int
seed_reviews(struct fake_sim *sim, enum fake_platform p, int64_t start, int64_t now)
{
	if (now > start)
		seed_backlog(sim, p, start, now);
	if (sim->review_gap_ms <= 0)
		return 0;
	return schedule(sim, start + (int64_t)fake_rng_exp(&sim->rrng, sim->review_gap_ms),
			EV_REVIEW, p, NULL, false);
}

/* Schedules the first events from start, with a few brand posts before it. */
static int
seed_events(struct fake_sim *sim, int64_t start, int64_t now)
{
	for (size_t p = 0; p < fake_nplatforms; p++) {
		if (fake_platforms[p]->reviews != NULL &&
		    seed_reviews(sim, (enum fake_platform)p, start, now) == -1)
			return -1;
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
	fake_shop_seed(sim, start);
	return fake_feeds_seed(sim, start);
}

struct fake_sim *
fake_sim_start(struct fake_state *st, double rate_per_min, uint64_t seed)
{
	struct fake_sim *sim = calloc(1, sizeof(*sim));
	int64_t now;
	int rc;

	if (sim == NULL)
		return NULL;
	sim->st = st;
	sim->rng.s = seed;
	sim->rrng.s = seed ^ 0x5265766965777321ULL;
	sim->mean_gap_ms = rate_per_min > 0 ? 60000.0 / rate_per_min : 0;
	sim->review_gap_ms = rate_per_min > 0 ? 60000.0 * REVIEW_RATE_SHARE / rate_per_min : 0;
	sim->frng.s = seed ^ 0x4665656473212121ULL;
	sim->feed_gap_ms = rate_per_min > 0 ? 60000.0 * FEED_RATE_SHARE / rate_per_min : 0;
	sim->srng.s = seed ^ 0x53686f7021212121ULL;
	sim->shop_gap_ms = sim->mean_gap_ms;
	pthread_mutex_lock(&st->lock);
	now = fake_now_ms();
	sim->live_ms = now;
	rc = seed_events(sim, now - (int64_t)st->opt->history_s * 1000, now);
	if (rc == 0)
		run_due(sim, now);
	memset(sim->made, 0, sizeof(sim->made));
	if (rc == 0 && pthread_create(&sim->thread, NULL, loop, sim) == 0)
		st->sim = sim; /* for POST /_fake/simulator (fake_sim_webhooks) */
	else
		rc = -1;
	pthread_mutex_unlock(&st->lock);
	if (rc == -1) {
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
	pthread_mutex_lock(&sim->st->lock);
	sim->st->sim = NULL;
	pthread_mutex_unlock(&sim->st->lock);
	sim_free(sim);
}
