/*
 * fake_actions.c: the content the control API and the simulator create —
 * customer mentions (with their notification), brand replies, brand posts
 * and reposts, and other notifications (likes, follows) — composed the way
 * each platform would show them.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "fake.h"

/* True when id has the shape of a post id on p. */
static bool
id_shape_ok(enum fake_platform p, const char *id)
{
	if (p == FAKE_BLUESKY)
		return strncmp(id, "at://", 5) == 0 &&
		       strstr(id + 5, "/app.bsky.feed.post/") != NULL;
	return fake_is_digits(id, 19);
}

/* Sets post's text to text, mentioning account who: the mention stays where
 * text already has "@handle", else "@handle " is put in front. */
static int
compose(struct fake_state *st, enum fake_platform p, struct fake_post *post, const char *text,
	long who, bool prefix)
{
	const char *handle;
	const char *at = NULL;
	size_t hlen;

	post->mentioned = -1;
	if (who < 0) {
		post->text = strdup(text);
		return post->text ? 0 : -1;
	}
	handle = st->p[p].accounts[who].handle;
	hlen = strlen(handle);
	for (const char *s = strchr(text, '@'); s != NULL; s = strchr(s + 1, '@')) {
		char next;

		if (strncasecmp(s + 1, handle, hlen) != 0)
			continue;
		next = s[1 + hlen];
		if (!isalnum((unsigned char)next) && next != '_' && next != '@') {
			at = s;
			break;
		}
	}
	if (at != NULL) {
		post->text = strdup(text);
		post->mention_start = (size_t)(at - text);
	} else if (prefix) {
		post->text = fake_sprintf("@%s %s", handle, text);
		post->mention_start = 0;
	} else {
		post->text = strdup(text);
		return post->text ? 0 : -1;
	}
	if (post->text == NULL)
		return -1;
	post->mentioned = who;
	post->mention_end = post->mention_start + 1 + hlen;
	return 0;
}

/* Links post as a reply to id (known or not). */
static int
link_parent(struct fake_state *st, enum fake_platform p, struct fake_post *post, const char *id,
	    char *err, size_t errlen)
{
	long parent = fake_post_find(st, p, id);

	if (parent < 0 && !id_shape_ok(p, id)) {
		snprintf(err, errlen, "in_reply_to is not a %s post id", fake_platform_name(p));
		return -1;
	}
	post->parent = parent;
	post->parent_id = strdup(id);
	if (parent >= 0)
		post->root = st->p[p].posts[parent].root;
	else
		post->root_id = strdup(id);
	if (post->parent_id == NULL || (parent < 0 && post->root_id == NULL)) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	return 0;
}

static void
post_init(struct fake_post *post, enum fake_post_kind kind, size_t author, int64_t created_ms)
{
	memset(post, 0, sizeof(*post));
	post->kind = kind;
	post->author = author;
	post->created_ms = created_ms ? created_ms : fake_now_ms();
	post->mentioned = -1;
	post->parent = -1;
	post->root = -1;
	post->subject = -1;
}

/* Adds post, or frees its strings; reports out of memory. */
static long
add(struct fake_state *st, enum fake_platform p, struct fake_post *post, char *err, size_t errlen)
{
	long i = fake_post_add(st, p, post);

	if (i < 0)
		snprintf(err, errlen, "out of memory");
	return i;
}

/* Frees the strings of a post that was never added. */
static void
discard(struct fake_post *post)
{
	free(post->text);
	free(post->parent_id);
	free(post->root_id);
}

/* The newest brand post that is not a reply or repost, -1. */
static long
newest_brand_post(const struct fake_state *st, enum fake_platform p)
{
	const struct fake_platform_state *ps = &st->p[p];

	for (size_t i = ps->nposts; i-- > 0;) {
		if (ps->posts[i].kind == FAKE_POST_BRAND && ps->posts[i].parent_id == NULL)
			return (long)i;
	}
	return -1;
}

/* The static name of a Bluesky mention reason (posts keep it), NULL when unknown. */
static const char *
static_reason(const char *reason)
{
	static const char *const names[] = {"mention", "reply", "quote"};

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		if (strcmp(reason, names[i]) == 0)
			return names[i];
	}
	return NULL;
}

long
fake_act_mention(struct fake_state *st, enum fake_platform p, const struct fake_post_args *a,
		 long *notif, char *err, size_t errlen)
{
	const char *reason = a->reason;
	struct fake_notif n = {0};
	struct fake_post post;
	long author, i;
	bool prefix;

	*notif = -1;
	if (a->author == NULL || *a->author == '\0' || a->text == NULL) {
		snprintf(err, errlen, "author and text are required");
		return -1;
	}
	reason = static_reason(reason ? reason : a->in_reply_to ? "reply" : "mention");
	if (reason == NULL) {
		snprintf(err, errlen, "reason must be mention, reply or quote");
		return -1;
	}
	if (p == FAKE_BLUESKY && strcmp(reason, "reply") == 0 && a->in_reply_to == NULL) {
		snprintf(err, errlen, "a reply needs in_reply_to");
		return -1;
	}
	author = fake_account_get(st, p, a->author, a->followers);
	if (author < 0) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	post_init(&post, FAKE_POST_CUSTOMER, (size_t)author, a->created_ms);
	post.reason = p == FAKE_BLUESKY ? reason : NULL;
	if (p == FAKE_BLUESKY && strcmp(reason, "quote") == 0) {
		post.subject = a->in_reply_to ? fake_post_find(st, p, a->in_reply_to)
					      : newest_brand_post(st, p);
		if (post.subject < 0) {
			snprintf(err, errlen, "a quote needs in_reply_to: a known post");
			return -1;
		}
	} else if (a->in_reply_to != NULL &&
		   link_parent(st, p, &post, a->in_reply_to, err, errlen) == -1) {
		discard(&post);
		return -1;
	}
	prefix = p != FAKE_BLUESKY || strcmp(reason, "mention") == 0;
	if (compose(st, p, &post, a->text, 0, prefix) == -1) {
		snprintf(err, errlen, "out of memory");
		discard(&post);
		return -1;
	}
	i = add(st, p, &post, err, errlen);
	if (i < 0 || p == FAKE_X)
		return i;
	n.type = p == FAKE_MASTODON ? "mention" : st->p[p].posts[i].reason;
	n.account = (size_t)author;
	n.post = i;
	n.subject = -1;
	n.created_ms = st->p[p].posts[i].created_ms;
	*notif = fake_notif_add(st, p, &n);
	if (*notif < 0) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	return i;
}

long
fake_act_reply(struct fake_state *st, enum fake_platform p, const struct fake_post_args *a,
	       char *err, size_t errlen)
{
	struct fake_post post;
	long to;

	if (a->in_reply_to == NULL || a->text == NULL) {
		snprintf(err, errlen, "in_reply_to and text are required");
		return -1;
	}
	post_init(&post, FAKE_POST_BRAND, 0, a->created_ms);
	if (link_parent(st, p, &post, a->in_reply_to, err, errlen) == -1) {
		discard(&post);
		return -1;
	}
	to = post.parent >= 0 ? (long)st->p[p].posts[post.parent].author : -1;
	if (compose(st, p, &post, a->text, to > 0 ? to : -1, p != FAKE_BLUESKY) == -1) {
		snprintf(err, errlen, "out of memory");
		discard(&post);
		return -1;
	}
	return add(st, p, &post, err, errlen);
}

long
fake_act_post(struct fake_state *st, enum fake_platform p, const struct fake_post_args *a,
	      char *err, size_t errlen)
{
	struct fake_post post;
	const struct fake_post *of;

	if (a->repost_of == NULL) {
		if (a->text == NULL) {
			snprintf(err, errlen, "text (or repost_of) is required");
			return -1;
		}
		post_init(&post, FAKE_POST_BRAND, 0, a->created_ms);
		post.text = strdup(a->text);
		if (post.text == NULL) {
			snprintf(err, errlen, "out of memory");
			return -1;
		}
		return add(st, p, &post, err, errlen);
	}
	post_init(&post, FAKE_POST_REPOST, 0, a->created_ms);
	post.subject = fake_post_find(st, p, a->repost_of);
	if (post.subject < 0) {
		snprintf(err, errlen, "repost_of is not a known post");
		return -1;
	}
	of = &st->p[p].posts[post.subject];
	if (p == FAKE_X)
		post.text =
			fake_sprintf("RT @%s: %s", st->p[p].accounts[of->author].handle, of->text);
	else
		post.text = strdup("");
	if (post.text == NULL) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	return add(st, p, &post, err, errlen);
}

/* The notification type for kind on p, NULL when p has no such kind. */
static const char *
other_type(enum fake_platform p, const char *kind)
{
	bool like = strcmp(kind, "like") == 0 || strcmp(kind, "favourite") == 0;
	bool repost = strcmp(kind, "repost") == 0 || strcmp(kind, "reblog") == 0;

	if (strcmp(kind, "follow") == 0)
		return "follow";
	if (p == FAKE_MASTODON)
		return like ? "favourite" : repost ? "reblog" : NULL;
	if (p == FAKE_BLUESKY)
		return like ? "like" : repost ? "repost" : NULL;
	return NULL;
}

long
fake_act_other(struct fake_state *st, enum fake_platform p, const char *kind, const char *author,
	       const char *target, int64_t created_ms, char *err, size_t errlen)
{
	struct fake_notif n = {0};
	const char *type;
	long who, i;

	if (p == FAKE_X) {
		snprintf(err, errlen, "x has no notifications endpoint; use /_fake/x/mention");
		return -1;
	}
	type = other_type(p, kind ? kind : "");
	if (type == NULL) {
		snprintf(err, errlen,
			 "kind must be favourite, reblog or follow (mastodon), "
			 "like, repost or follow (bluesky)");
		return -1;
	}
	n.type = type;
	n.post = -1;
	n.subject = -1;
	n.created_ms = created_ms ? created_ms : fake_now_ms();
	if (strcmp(type, "follow") != 0) {
		long t = target ? fake_post_find(st, p, target) : newest_brand_post(st, p);

		if (t < 0) {
			snprintf(err, errlen, "%s",
				 target ? "target is not a known post"
					: "no brand post yet: add one with /post");
			return -1;
		}
		if (p == FAKE_MASTODON)
			n.post = t;
		else
			n.subject = t;
	}
	who = fake_account_get(st, p, author ? author : "quiet_fan", -1);
	if (who < 0) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	n.account = (size_t)who;
	i = fake_notif_add(st, p, &n);
	if (i < 0)
		snprintf(err, errlen, "out of memory");
	return i;
}

char *
fake_post_url(const struct fake_state *st, enum fake_platform p, size_t i)
{
	const struct fake_post *post = &st->p[p].posts[i];
	const char *handle = st->p[p].accounts[post->author].handle;
	const char *domain = strchr(handle, '@');
	const char *rkey = strrchr(post->id, '/');

	switch (p) {
	case FAKE_MASTODON:
		if (domain != NULL)
			return fake_sprintf("https://%s/@%.*s/%s", domain + 1,
					    (int)(domain - handle), handle, post->id);
		return fake_sprintf("https://%s/@%s/%s", FAKE_MASTODON_DOMAIN, handle, post->id);
	case FAKE_X:
		return fake_sprintf("https://x.com/%s/status/%s", handle, post->id);
	default:
		return fake_sprintf("https://bsky.app/profile/%s/post/%s", handle,
				    rkey ? rkey + 1 : post->id);
	}
}
