/*
 * fake_social.c: what the control API does for the social platforms
 * (Mastodon, X, Bluesky: the social store), as their descriptors' control,
 * get and state hooks.
 *
 *   POST /_fake/{platform}/mention|reply|post|other
 *   GET  /_fake/{platform}/mentions
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fake.h"

/* Reads the fields every post-making call shares. */
static bool
post_args(json_t *body, struct fake_post_args *a, struct fake_resp *resp)
{
	memset(a, 0, sizeof(*a));
	return fake_control_str(body, "author", &a->author, resp) &&
	       fake_control_str(body, "text", &a->text, resp) &&
	       fake_control_str(body, "in_reply_to", &a->in_reply_to, resp) &&
	       fake_control_str(body, "reason", &a->reason, resp) &&
	       fake_control_str(body, "repost_of", &a->repost_of, resp) &&
	       fake_control_int(body, "followers", -1, &a->followers, resp) &&
	       fake_control_time(body, &a->created_ms, resp);
}

/* 201 with what was made: post i (and notification notif, >= 0). */
static void
created(struct fake_state *st, enum fake_platform p, long i, long notif, struct fake_resp *resp)
{
	const struct fake_post *post = &st->p[p].posts[i];
	char at[FAKE_TIME_LEN], indexed[FAKE_TIME_LEN];
	char *url = fake_post_url(st, p, (size_t)i);
	json_t *v;

	fake_fmt_ms(post->created_ms, at);
	fake_fmt_ms(post->indexed_ms, indexed);
	v = json_pack("{s:s, s:s?, s:s, s:s, s:s*, s:s*}", "id", post->id, "url", url, "created_at",
		      at, "conversation_id", post->root_id, "cid", post->cid, "indexed_at",
		      p == FAKE_BLUESKY ? indexed : NULL);
	if (v != NULL && notif >= 0 &&
	    json_object_set_new(v, "notification_id", json_string(st->p[p].notifs[notif].id)) ==
		    -1) {
		json_decref(v);
		v = NULL;
	}
	free(url);
	fake_resp_json(resp, 201, v);
}

static void
make(struct fake_state *st, enum fake_platform p, const char *what, json_t *body,
     struct fake_resp *resp)
{
	struct fake_post_args a;
	char err[160];
	long i, notif = -1;

	if (!post_args(body, &a, resp))
		return;
	if (strcmp(what, "mention") == 0)
		i = fake_act_mention(st, p, &a, &notif, err, sizeof(err));
	else if (strcmp(what, "reply") == 0)
		i = fake_act_reply(st, p, &a, err, sizeof(err));
	else
		i = fake_act_post(st, p, &a, err, sizeof(err));
	if (i < 0) {
		fake_control_error(resp, strcmp(err, "out of memory") == 0 ? 500 : 400, err);
		return;
	}
	if (p != FAKE_MASTODON)
		notif = -1;
	created(st, p, i, notif, resp);
}

static void
other(struct fake_state *st, enum fake_platform p, json_t *body, struct fake_resp *resp)
{
	const char *kind, *author, *target;
	char err[160], at[FAKE_TIME_LEN];
	int64_t ms;
	long i;

	if (!fake_control_str(body, "kind", &kind, resp) ||
	    !fake_control_str(body, "author", &author, resp) ||
	    !fake_control_str(body, "target", &target, resp) || !fake_control_time(body, &ms, resp))
		return;
	i = fake_act_other(st, p, kind, author, target, ms, err, sizeof(err));
	if (i < 0) {
		fake_control_error(resp, strcmp(err, "out of memory") == 0 ? 500 : 400, err);
		return;
	}
	fake_fmt_ms(st->p[p].notifs[i].created_ms, at);
	fake_resp_json(resp, 201,
		       json_pack("{s:s, s:s, s:s}", "id", st->p[p].notifs[i].id, "type",
				 st->p[p].notifs[i].type, "created_at", at));
}

bool
fake_social_control(struct fake_state *st, enum fake_platform p, const char *what, json_t *body,
		    struct fake_resp *resp)
{
	if (strcmp(what, "mention") == 0 || strcmp(what, "reply") == 0 || strcmp(what, "post") == 0)
		make(st, p, what, body, resp);
	else if (strcmp(what, "other") == 0)
		other(st, p, body, resp);
	else
		return false;
	return true;
}

/* GET /_fake/{p}/mentions: every customer post the platform serves as a
 * mention, oldest first, so a soak or test can compare what a client tracked
 * with what the fake served. */
bool
fake_social_get(struct fake_state *st, enum fake_platform p, const char *what, struct fake_req *req,
		struct fake_resp *resp)
{
	const struct fake_platform_state *ps = &st->p[p];
	json_t *list;

	(void)req;
	if (strcmp(what, "mentions") != 0)
		return false;
	list = json_array();
	for (size_t i = 0; list != NULL && i < ps->nposts; i++) {
		char at[FAKE_TIME_LEN];

		if (ps->posts[i].kind != FAKE_POST_CUSTOMER)
			continue;
		fake_fmt_ms(ps->posts[i].created_ms, at);
		if (json_array_append_new(list, json_pack("{s:s, s:s}", "id", ps->posts[i].id,
							  "created_at", at)) == -1) {
			json_decref(list);
			list = NULL;
		}
	}
	fake_resp_json(resp, 200,
		       list ? json_pack("{s:I, s:o}", "count", (json_int_t)json_array_size(list),
					"mentions", list)
			    : NULL);
	return true;
}

json_t *
fake_social_state(const struct fake_state *st, enum fake_platform p)
{
	const struct fake_platform_state *ps = &st->p[p];
	long mentions = 0, replies = 0, posts = 0;

	for (size_t i = 0; i < ps->nposts; i++) {
		mentions += ps->posts[i].kind == FAKE_POST_CUSTOMER;
		replies += ps->posts[i].kind == FAKE_POST_BRAND && ps->posts[i].parent_id != NULL;
		posts += ps->posts[i].kind != FAKE_POST_CUSTOMER && ps->posts[i].parent_id == NULL;
	}
	return json_pack("{s:I, s:I, s:I, s:I, s:I, s:I, s:o, s:o}", "mentions",
			 (json_int_t)mentions, "replies", (json_int_t)replies, "posts",
			 (json_int_t)posts, "notifications", (json_int_t)ps->nnotifs, "accounts",
			 (json_int_t)ps->naccounts, "faults_pending",
			 (json_int_t)fake_faults_pending(st, p), "rate_limits",
			 fake_limits_json(st, p), "config", fake_control_config_json(st, p));
}
