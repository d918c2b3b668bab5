/*
 * fake_sim_feeds.c: the simulator's "feeds", the platforms whose fakes
 * keep their own store — Facebook and Instagram (the Graph fake,
 * fake_sim_meta.c), YouTube, Reddit and LinkedIn (here). Each gets a
 * Poisson stream of its customers' items in the platform's own shapes, made
 * through the fake's control calls exactly as POST /_fake/{platform}/...
 * makes them (so the connectors find them by polling as against the real
 * API):
 *
 *   facebook   comments on the Page's three newest posts, now and then a
 *              visitor post; the Page answers with a comment under them
 *   instagram  comments on the brand's three newest media; the brand
 *              answers with a reply under the comment
 *   youtube    comment threads on the channel's videos; the channel replies
 *   reddit     username mentions (u/Acme_Support), replies to the brand's
 *              post, and customers answering the brand's comments back
 *   linkedin   members' comments on the Page's posts and posts that
 *              mention the Page; the Page comments under them
 *
 * The brand answers 85% of them after a log-normal delay (median 40 s,
 * 5 s to 6 min): about half before the demo's social policy warns (45 s),
 * a quarter between its warning and its breach (90 s), a fifth later; 15%
 * never. Facebook and Instagram get a new brand post about every 20
 * minutes. Every draw comes from sim->frng, so a --seed gives the same
 * items in the same order.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fake_sim.h"

#define FEED_ANSWERED 0.85
#define FEED_FOLLOW_UP 0.25         /* Reddit: a customer answers the brand's comment back */
#define FEED_POST_MEAN_MS 1200000.0 /* between brand posts on Facebook and Instagram */

#define RD_BRAND "Acme_Support"
#define RD_BRAND_POST "t3_1h5zq3k" /* the fake's post of the brand (fake_reddit.c) */
#define RD_REPLY_TO_POST 0.3

#define LI_MENTION 0.3

struct feed_def {
	const char *name;     /* the source type it feeds */
	const char *platform; /* the fake's platform */
	/* A brand post at `at` (remembered by fake_feed_remember): 0 or -1.
	 * NULL: the feed has no posts of the brand to add. */
	int (*post)(struct fake_sim *sim, unsigned feed, int64_t at);
	/* A customer's item at e->at (e->target: the brand's comment it
	 * answers back, or NULL); returns what the brand's answer needs
	 * (caller frees), NULL when nothing was made. */
	char *(*arrive)(struct fake_sim *sim, const struct ev *e);
	/* The brand answers e->target at e->at; returns what a customer may
	 * answer back (caller frees), NULL for nothing. */
	char *(*answer)(struct fake_sim *sim, const struct ev *e);
};

/* ---- what every feed shares ---- */

json_t *
fake_feed_call(struct fake_sim *sim, int p, const char *what, json_t *body)
{
	struct fake_resp resp = {0};
	json_t *answer = NULL;

	if (body == NULL || p < 0 || fake_platforms[p]->control == NULL)
		goto done;
	if (fake_platforms[p]->control(sim->st, (enum fake_platform)p, what, body, &resp) &&
	    resp.status < 300 && resp.body != NULL)
		answer = json_loadb(resp.body, resp.len, 0, NULL);
done:
	json_decref(body);
	fake_resp_clear(&resp);
	return answer;
}

void
fake_feed_time(int64_t ms, char buf[FAKE_TIME_LEN])
{
	fake_fmt_ms(ms, buf);
}

void
fake_feed_remember(struct fake_sim *sim, unsigned feed, const char *id)
{
	struct fake_feed_state *f = &sim->feeds[feed];
	char *copy = strdup(id);

	if (copy == NULL)
		return;
	free(f->recent[FAKE_FEED_RECENT - 1]);
	memmove(f->recent + 1, f->recent, (FAKE_FEED_RECENT - 1) * sizeof(f->recent[0]));
	f->recent[0] = copy;
}

const char *
fake_feed_recent(struct fake_sim *sim, unsigned feed)
{
	struct fake_feed_state *f = &sim->feeds[feed];
	size_t n = 0;

	while (n < FAKE_FEED_RECENT && f->recent[n] != NULL)
		n++;
	return n ? f->recent[fake_rng_below(&sim->frng, n)] : NULL;
}

const struct fake_sim_customer *
fake_feed_customer(struct fake_sim *sim)
{
	unsigned total = 0, r;

	for (size_t i = 0; i < fake_sim_ncustomers(); i++)
		total += fake_sim_customer(i)->weight;
	r = (unsigned)fake_rng_below(&sim->frng, total);
	for (size_t i = 0; i < fake_sim_ncustomers(); i++) {
		if (r < fake_sim_customer(i)->weight)
			return fake_sim_customer(i);
		r -= fake_sim_customer(i)->weight;
	}
	return fake_sim_customer(0);
}

/* The brand's delay before it answers, in ms; -1: it never does. */
static int64_t
feed_answer_delay(struct fake_sim *sim)
{
	double ms;

	if (fake_rng_unit(&sim->frng) >= FEED_ANSWERED)
		return -1;
	ms = 40000.0 * exp(0.9 * fake_rng_normal(&sim->frng));
	if (ms < 5000.0)
		ms = 5000.0;
	if (ms > 360000.0)
		ms = 360000.0;
	return (int64_t)ms;
}

/* The first word of s (up to a space) into out. */
static void
first_word(const char *s, char *out, size_t len)
{
	snprintf(out, len, "%.*s", (int)strcspn(s, " "), s);
}

/* ---- YouTube: comment threads on the channel's videos ---- */

static const char *const yt_videos[] = {"acmeVideo01", "acmeVideo02", "acmeVideo03"};

/* A customer's channel id: "UC" and 22 characters derived from the handle. */
static void
yt_channel(const char *handle, char out[25])
{
	static const char alphabet[] =
		"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
	uint64_t h = fake_hash64(handle);

	out[0] = 'U';
	out[1] = 'C';
	for (int i = 2; i < 24; i++) {
		out[i] = alphabet[h >> 58];
		h = h * 6364136223846793005ULL + 1442695040888963407ULL;
	}
	out[24] = '\0';
}

static char *
yt_arrive(struct fake_sim *sim, const struct ev *e)
{
	const struct fake_sim_customer *c = fake_feed_customer(sim);
	char channel[25], *name = fake_sprintf("@%s", c->handle), *id = NULL;
	const char *video = yt_videos[fake_rng_below(&sim->frng, 3)];
	json_t *r;

	yt_channel(c->handle, channel);
	r = name ? fake_feed_call(sim, e->p, "comment",
				  json_pack("{s:s, s:s, s:s, s:s, s:I}", "text",
					    fake_sim_mention_text(&sim->frng), "video", video,
					    "author", channel, "name", name, "at",
					    (json_int_t)e->at))
		 : NULL;
	if (r != NULL && json_string_value(json_object_get(r, "id")) != NULL)
		id = strdup(json_string_value(json_object_get(r, "id")));
	json_decref(r);
	free(name);
	return id;
}

static char *
yt_answer(struct fake_sim *sim, const struct ev *e)
{
	json_t *r =
		fake_feed_call(sim, e->p, "reply",
			       json_pack("{s:s, s:s, s:I}", "thread", e->target, "text",
					 fake_sim_reply_text(&sim->frng), "at", (json_int_t)e->at));

	if (r != NULL)
		sim->made[MADE_FEED_ANSWERS]++;
	json_decref(r);
	return NULL;
}

/* ---- Reddit: the brand account's inbox ---- */

/* The thing's fullname and its author, "t1_x author", from an answer. */
static char *
rd_target(json_t *r, const char *author)
{
	const char *name = json_string_value(json_object_get(r, "name"));

	return name ? fake_sprintf("%s %s", name, author) : NULL;
}

static char *
rd_arrive(struct fake_sim *sim, const struct ev *e)
{
	char at[FAKE_TIME_LEN], parent[24], *text = NULL, *target = NULL;
	const char *author, *words = fake_sim_mention_text(&sim->frng);
	json_t *r;

	fake_feed_time(e->at, at);
	if (e->target != NULL) {
		/* Back to the brand's comment: "t1_x author" names both. */
		first_word(e->target, parent, sizeof(parent));
		author = strchr(e->target, ' ') ? strchr(e->target, ' ') + 1 : "jane_customer";
	} else {
		author = fake_feed_customer(sim)->handle;
		snprintf(parent, sizeof(parent), "%s",
			 fake_rng_unit(&sim->frng) < RD_REPLY_TO_POST ? RD_BRAND_POST : "");
	}
	if (parent[0] != '\0') {
		r = fake_feed_call(sim, e->p, "reply",
				   json_pack("{s:s, s:s, s:s, s:s}", "author", author, "text",
					     words, "in_reply_to", parent, "created_at", at));
	} else {
		text = fake_sprintf("u/%s %s", RD_BRAND, words);
		r = text ? fake_feed_call(sim, e->p, "mention",
					  json_pack("{s:s, s:s, s:s}", "author", author, "text",
						    text, "created_at", at))
			 : NULL;
	}
	if (r != NULL)
		target = rd_target(r, author);
	json_decref(r);
	free(text);
	return target;
}

static char *
rd_answer(struct fake_sim *sim, const struct ev *e)
{
	char at[FAKE_TIME_LEN], name[24], *follow = NULL;
	const char *author = strchr(e->target, ' ');
	json_t *r;

	fake_feed_time(e->at, at);
	first_word(e->target, name, sizeof(name));
	r = fake_feed_call(sim, e->p, "brand_reply",
			   json_pack("{s:s, s:s, s:s}", "in_reply_to", name, "text",
				     fake_sim_reply_text(&sim->frng), "created_at", at));
	if (r != NULL) {
		sim->made[MADE_FEED_ANSWERS]++;
		if (author != NULL && fake_rng_unit(&sim->frng) < FEED_FOLLOW_UP)
			follow = rd_target(r, author + 1);
	}
	json_decref(r);
	return follow;
}

/* ---- LinkedIn: the organisation Page's notifications ---- */

static const char *const li_posts[] = {"urn:li:activity:7094637247890620418",
				       "urn:li:activity:7095121733620879360"};

static char *
li_arrive(struct fake_sim *sim, const struct ev *e)
{
	char at[FAKE_TIME_LEN], *id = NULL;
	bool mention = fake_rng_unit(&sim->frng) < LI_MENTION;
	json_t *r;

	fake_feed_time(e->at, at);
	r = mention ? fake_feed_call(sim, e->p, "mention", json_pack("{s:s}", "created_at", at))
		    : fake_feed_call(sim, e->p, "comment",
				     json_pack("{s:s, s:s}", "created_at", at, "post",
					       li_posts[fake_rng_below(&sim->frng, 2)]));
	if (r != NULL && json_string_value(json_object_get(r, "id")) != NULL)
		id = strdup(json_string_value(json_object_get(r, "id")));
	json_decref(r);
	return id;
}

static char *
li_answer(struct fake_sim *sim, const struct ev *e)
{
	char at[FAKE_TIME_LEN];
	json_t *r;

	fake_feed_time(e->at, at);
	r = fake_feed_call(sim, e->p, "reply",
			   json_pack("{s:s, s:s}", "id", e->target, "created_at", at));
	if (r != NULL)
		sim->made[MADE_FEED_ANSWERS]++;
	json_decref(r);
	return NULL;
}

/* ---- the table and the events ---- */

static const struct feed_def feed_defs[FAKE_FEEDS] = {
	{"facebook", "meta", fake_meta_fb_post, fake_meta_fb_arrive, fake_meta_fb_answer},
	{"instagram", "meta", fake_meta_ig_post, fake_meta_ig_arrive, fake_meta_ig_answer},
	{"youtube", "youtube", NULL, yt_arrive, yt_answer},
	{"reddit", "reddit", NULL, rd_arrive, rd_answer},
	{"linkedin", "linkedin", NULL, li_arrive, li_answer},
};

static void
feed_item(struct fake_sim *sim, const struct ev *e)
{
	const struct feed_def *d = &feed_defs[e->feed];
	char *target;
	int64_t delay;

	if (e->target == NULL && sim->feed_gap_ms > 0) /* a follow-up is no arrival */
		fake_sim_again(sim, e->at + 1 + (int64_t)fake_rng_exp(&sim->frng, sim->feed_gap_ms),
			       EV_FEED_ITEM, e->p, NULL, e->feed);
	if ((target = d->arrive(sim, e)) == NULL)
		return;
	sim->made[MADE_FEED_ITEMS]++;
	if ((delay = feed_answer_delay(sim)) >= 0)
		fake_sim_again(sim, e->at + delay, EV_FEED_ANSWER, e->p, target, e->feed);
	free(target);
}

static void
feed_answer(struct fake_sim *sim, const struct ev *e)
{
	char *follow = feed_defs[e->feed].answer(sim, e);

	if (follow != NULL)
		fake_sim_again(sim, e->at + 20000 + (int64_t)fake_rng_exp(&sim->frng, 60000.0),
			       EV_FEED_ITEM, e->p, follow, e->feed);
	free(follow);
}

static void
feed_post(struct fake_sim *sim, const struct ev *e)
{
	fake_sim_again(sim, e->at + 1 + (int64_t)fake_rng_exp(&sim->frng, FEED_POST_MEAN_MS),
		       EV_FEED_POST, e->p, NULL, e->feed);
	if (feed_defs[e->feed].post(sim, e->feed, e->at) == 0)
		sim->made[MADE_POSTS]++;
}

void
fake_feeds_run(struct fake_sim *sim, const struct ev *e)
{
	if (e->feed >= FAKE_FEEDS)
		return;
	if (e->kind == EV_FEED_ITEM)
		feed_item(sim, e);
	else if (e->kind == EV_FEED_ANSWER)
		feed_answer(sim, e);
	else
		feed_post(sim, e);
}

int
fake_feeds_seed(struct fake_sim *sim, int64_t start)
{
	for (unsigned i = 0; i < FAKE_FEEDS; i++) {
		const struct feed_def *d = &feed_defs[i];
		int p = fake_platform_from_name(d->platform);

		sim->feeds[i].p = p;
		if (p < 0)
			continue;
		/* Three brand posts over the 15 minutes before the first item:
		 * recent enough for any backfill to read their comments. */
		for (int k = 0; d->post != NULL && k < FAKE_FEED_RECENT; k++)
			if (d->post(sim, i, start - 300000 * (FAKE_FEED_RECENT - k)) == -1)
				return -1;
		if (d->post != NULL)
			fake_sim_again(sim,
				       start + (int64_t)fake_rng_exp(&sim->frng, FEED_POST_MEAN_MS),
				       EV_FEED_POST, (enum fake_platform)p, NULL, i);
		if (sim->feed_gap_ms > 0)
			fake_sim_again(sim,
				       start + (int64_t)fake_rng_exp(&sim->frng, sim->feed_gap_ms),
				       EV_FEED_ITEM, (enum fake_platform)p, NULL, i);
	}
	return 0;
}

void
fake_feeds_free(struct fake_sim *sim)
{
	for (unsigned i = 0; i < FAKE_FEEDS; i++)
		for (size_t k = 0; k < FAKE_FEED_RECENT; k++) {
			free(sim->feeds[i].recent[k]);
			sim->feeds[i].recent[k] = NULL;
		}
}
