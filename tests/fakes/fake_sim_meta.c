/*
 * fake_sim_meta.c: the simulator's Facebook Page and Instagram account,
 * through the Graph fake's control calls (fake_meta.c): the brand's posts
 * and media, customers' comments on them (and on Facebook now and then a
 * visitor post), and the brand's answers as comments under them. Times are
 * whole seconds, as Graph gives them. Live items (not the replayed history)
 * are also sent, some of them, as the webhook change Meta would send for
 * them (fake_sim_hooks.c): the same Graph ids, so the poll that finds them
 * again tracks each once.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fake_sim.h"

#define FB_BRAND_NAME "Acme"
#define IG_BRAND_USERNAME "brandcafe"
#define FB_VISITOR_POST 0.12 /* of Facebook items: a visitor post, not a comment */
#define HOOK_ITEM 0.6        /* of live customer items: also sent as a webhook */
#define HOOK_ANSWER 0.5      /* of live brand answers: the same */

/* Graph's times: whole seconds. */
static int64_t
meta_second(int64_t ms)
{
	return ms - ms % 1000;
}

/* A customer's numeric id on the platform: prefix and digits from the handle. */
static void
meta_user_id(const char *prefix, const char *handle, char out[32])
{
	snprintf(out, 32, "%s%011llu", prefix,
		 (unsigned long long)(fake_hash64(handle) % 100000000000ULL));
}

/* A customer's display name on Facebook: one of the reviewers' names,
 * always the same for a handle. */
static const char *
fb_name(const char *handle)
{
	struct fake_rng r = {fake_hash64(handle)};

	return fake_sim_reviewer(&r);
}

/* The id member of a control answer (caller frees), NULL. */
static char *
meta_id(json_t *r)
{
	const char *id = json_string_value(json_object_get(r, "id"));
	char *copy = id ? strdup(id) : NULL;

	json_decref(r);
	return copy;
}

/* A brand post (edge "posts" or "media") at `at`, remembered. */
static int
meta_brand_post(struct fake_sim *sim, unsigned feed, int64_t at, bool ig)
{
	int p = sim->feeds[feed].p;
	char when[FAKE_TIME_LEN], *id;

	fake_feed_time(meta_second(at), when);
	id = meta_id(fake_feed_call(
		sim, p, "post",
		json_pack("{s:s, s:s, s:s, s:s, s:s}", "edge", ig ? "media" : "posts", "from_id",
			  fake_option(sim->st, (enum fake_platform)p, ig ? "ig-user" : "page-id"),
			  ig ? "username" : "from_name", ig ? IG_BRAND_USERNAME : FB_BRAND_NAME,
			  "text", fake_sim_post_text(&sim->frng), "created_at", when)));
	if (id == NULL)
		return -1;
	fake_feed_remember(sim, feed, id);
	free(id);
	return 0;
}

int
fake_meta_fb_post(struct fake_sim *sim, unsigned feed, int64_t at)
{
	return meta_brand_post(sim, feed, at, false);
}

int
fake_meta_ig_post(struct fake_sim *sim, unsigned feed, int64_t at)
{
	return meta_brand_post(sim, feed, at, true);
}

/* ---- the webhook changes ---- */

/* {"object", "entry": [{"id": owner, "time", "changes": [{"field", "value"}]}]} */
static json_t *
meta_delivery(const char *object, const char *owner, int64_t at, const char *field, json_t *value)
{
	return json_pack("{s:s, s:[{s:s, s:I, s:[{s:s, s:o}]}]}", "object", object, "entry", "id",
			 owner, "time", (json_int_t)(at / 1000), "changes", "field", field, "value",
			 value);
}

/* A Page feed change: a comment (comment set) or a visitor's post. */
static void
fb_hook(struct fake_sim *sim, const struct ev *e, const char *post, const char *comment,
	const char *parent, const char *from_id, const char *from_name, const char *text)
{
	const char *page = fake_option(sim->st, e->p, "page-id");
	int64_t at = meta_second(e->at);
	json_t *v = json_pack("{s:{s:s, s:s}, s:s, s:s, s:I, s:s, s:s}", "from", "id", from_id,
			      "name", from_name, "message", text, "post_id", post, "created_time",
			      (json_int_t)(at / 1000), "item", comment ? "comment" : "status",
			      "verb", "add");

	if (v != NULL && comment != NULL &&
	    (json_object_set_new(v, "comment_id", json_string(comment)) == -1 ||
	     json_object_set_new(v, "parent_id", json_string(parent ? parent : post)) == -1)) {
		json_decref(v);
		return;
	}
	if (v != NULL)
		fake_sim_hooks_queue(sim, e, FAKE_HOOK_FACEBOOK,
				     meta_delivery("page", page, at, "feed", v));
}

/* An Instagram comments change. */
static void
ig_hook(struct fake_sim *sim, const struct ev *e, const char *media, const char *comment,
	const char *parent, const char *from_id, const char *username, const char *text)
{
	const char *user = fake_option(sim->st, e->p, "ig-user");
	json_t *v = json_pack("{s:{s:s, s:s}, s:{s:s, s:s}, s:s, s:s}", "from", "id", from_id,
			      "username", username, "media", "id", media, "media_product_type",
			      "FEED", "id", comment, "text", text);

	if (v != NULL && parent != NULL &&
	    json_object_set_new(v, "parent_id", json_string(parent)) == -1) {
		json_decref(v);
		return;
	}
	if (v != NULL)
		fake_sim_hooks_queue(
			sim, e, FAKE_HOOK_INSTAGRAM,
			meta_delivery("instagram", user, meta_second(e->at), "comments", v));
}

/* ---- Facebook ---- */

char *
fake_meta_fb_arrive(struct fake_sim *sim, const struct ev *e)
{
	const struct fake_sim_customer *c = fake_feed_customer(sim);
	const char *post = fake_feed_recent(sim, e->feed), *name = fb_name(c->handle);
	const char *text = fake_sim_mention_text(&sim->frng);
	bool visitor = post == NULL || fake_rng_unit(&sim->frng) < FB_VISITOR_POST;
	bool hook = fake_rng_unit(&sim->frng) < HOOK_ITEM;
	char from[32], when[FAKE_TIME_LEN], *id, *target;

	meta_user_id("1000", c->handle, from);
	fake_feed_time(meta_second(e->at), when);
	if (visitor)
		id = meta_id(fake_feed_call(sim, e->p, "post",
					    json_pack("{s:s, s:s, s:s, s:s, s:s}", "edge",
						      "visitor_posts", "from_id", from, "from_name",
						      name, "text", text, "created_at", when)));
	else
		id = meta_id(fake_feed_call(sim, e->p, "comment",
					    json_pack("{s:s, s:s, s:s, s:s, s:s}", "post", post,
						      "from_id", from, "from_name", name, "text",
						      text, "created_at", when)));
	if (id == NULL)
		return NULL;
	if (hook)
		fb_hook(sim, e, visitor ? id : post, visitor ? NULL : id, NULL, from, name, text);
	/* The answer needs the post, and the comment it goes under. */
	target = visitor ? strdup(id) : fake_sprintf("%s %s", post, id);
	free(id);
	return target;
}

char *
fake_meta_fb_answer(struct fake_sim *sim, const struct ev *e)
{
	const char *page = fake_option(sim->st, e->p, "page-id");
	const char *comment = strchr(e->target, ' '), *text = fake_sim_reply_text(&sim->frng);
	bool hook = fake_rng_unit(&sim->frng) < HOOK_ANSWER;
	char post[64], when[FAKE_TIME_LEN], *id;

	snprintf(post, sizeof(post), "%.*s", (int)strcspn(e->target, " "), e->target);
	comment = comment ? comment + 1 : NULL;
	fake_feed_time(meta_second(e->at), when);
	id = meta_id(fake_feed_call(sim, e->p, "comment",
				    json_pack("{s:s, s:s?, s:s, s:s, s:s, s:s}", "post", post,
					      "parent", comment, "from_id", page, "from_name",
					      FB_BRAND_NAME, "text", text, "created_at", when)));
	if (id == NULL)
		return NULL;
	sim->made[MADE_FEED_ANSWERS]++;
	if (hook)
		fb_hook(sim, e, post, id, comment, page, FB_BRAND_NAME, text);
	free(id);
	return NULL;
}

/* ---- Instagram ---- */

char *
fake_meta_ig_arrive(struct fake_sim *sim, const struct ev *e)
{
	const struct fake_sim_customer *c = fake_feed_customer(sim);
	const char *media = fake_feed_recent(sim, e->feed);
	const char *text = fake_sim_mention_text(&sim->frng);
	bool hook = fake_rng_unit(&sim->frng) < HOOK_ITEM;
	char from[32], when[FAKE_TIME_LEN], *id, *target;

	if (media == NULL)
		return NULL;
	meta_user_id("178414", c->handle, from);
	fake_feed_time(meta_second(e->at), when);
	id = meta_id(fake_feed_call(sim, e->p, "comment",
				    json_pack("{s:s, s:s, s:s, s:s, s:s}", "post", media, "from_id",
					      from, "username", c->handle, "text", text,
					      "created_at", when)));
	if (id == NULL)
		return NULL;
	if (hook)
		ig_hook(sim, e, media, id, NULL, from, c->handle, text);
	target = fake_sprintf("%s %s", media, id);
	free(id);
	return target;
}

char *
fake_meta_ig_answer(struct fake_sim *sim, const struct ev *e)
{
	const char *user = fake_option(sim->st, e->p, "ig-user");
	const char *comment = strchr(e->target, ' '), *text = fake_sim_reply_text(&sim->frng);
	bool hook = fake_rng_unit(&sim->frng) < HOOK_ANSWER;
	char media[64], when[FAKE_TIME_LEN], *id;

	if (comment == NULL)
		return NULL;
	comment++;
	snprintf(media, sizeof(media), "%.*s", (int)strcspn(e->target, " "), e->target);
	fake_feed_time(meta_second(e->at), when);
	id = meta_id(
		fake_feed_call(sim, e->p, "comment",
			       json_pack("{s:s, s:s, s:s, s:s, s:s, s:s}", "post", media, "parent",
					 comment, "from_id", user, "username", IG_BRAND_USERNAME,
					 "text", text, "created_at", when)));
	if (id == NULL)
		return NULL;
	sim->made[MADE_FEED_ANSWERS]++;
	if (hook)
		ig_hook(sim, e, media, id, comment, user, IG_BRAND_USERNAME, text);
	free(id);
	return NULL;
}
