/*
 * x_parse.c: X API v2 timelines (a user's mentions, the brand's posts) into
 * items. Pure: no I/O.
 *
 * Posts are read from the last (oldest) to the first so that the kept items
 * come out oldest first. Every post counts towards the watermarks; one that
 * is not ours (the brand's own, a post that replies to nothing) is skipped,
 * one that is but cannot be used is rejected with a reason (page.h), never
 * fatal: only a body of the wrong shape, or too large, is.
 */
#include <jansson.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "replywatch/config.h"
#include "replywatch/item.h"
#include "replywatch/mention.h"
#include "replywatch/page.h"
#include "replywatch/sources/x.h"

bool
rw_x_id_valid(const char *id)
{
	size_t n;

	if (id == NULL)
		return false;
	for (n = 0; id[n] != '\0'; n++)
		if (n == RW_X_ID_MAX || id[n] < '0' || id[n] > '9')
			return false;
	return n > 0;
}

/* includes.users indexed by id (a Jansson object is a hash table), built
 * once per page: a look-up per post instead of a scan of every user, which
 * made a page of 40 000 posts and users take minutes. The first user of an
 * id wins. Returns a new object, or NULL when out of memory. */
static json_t *
x_index_users(const json_t *users)
{
	json_t *index = json_object();
	const json_t *u;
	size_t i;

	if (index == NULL)
		return NULL;
	json_array_foreach(users, i, u)
	{
		const char *id = rw_page_str(u, "id");

		if (!rw_x_id_valid(id) || json_object_get(index, id) != NULL)
			continue;
		if (json_object_set(index, id, (json_t *)u) == -1) {
			json_decref(index);
			return NULL;
		}
	}
	return index;
}

/* The id of the post this one replies to, under either field name, in
 * *parent (NULL: not a reply). Returns 0, or -1 when the replied_to
 * reference has no valid id (*parent NULL). */
static int
x_replied_to(const json_t *post, const char **parent)
{
	const json_t *refs = json_object_get(post, "referenced_tweets");
	const json_t *ref;
	const char *why;
	size_t i;

	*parent = NULL;
	if (refs == NULL || json_is_null(refs))
		refs = json_object_get(post, "referenced_posts");
	json_array_foreach(refs, i, ref)
	{
		if (rw_page_same(rw_page_str(ref, "type"), "replied_to"))
			return (*parent = rw_page_id(ref, "id", rw_x_id_valid, &why)) ? 0 : -1;
	}
	return 0;
}

/* Fills what every kept post gives: id, created_at (X's own clock),
 * text, conversation_id, author (username, else user_id) and url. Sets
 * it->id first, so that a reject names the post. */
static enum rw_page_entry
x_post_item(const json_t *post, const json_t *user, const char *user_id, struct rw_item *it,
	    const char **why)
{
	const char *id, *created = rw_page_str(post, "created_at"), *conv;
	const char *username = rw_page_str(user, "username");
	int rc;

	if ((id = rw_page_id(post, "id", rw_x_id_valid, why)) == NULL)
		return RW_PAGE_REJECTED;
	if (rw_page_copy(id, &it->id) == -1)
		return RW_PAGE_NOMEM;
	if (created == NULL || rw_time_parse(created, &it->created_at_ms) == -1) {
		*why = RW_REJECT_BAD_TIME;
		return RW_PAGE_REJECTED;
	}
	/* The conversation id becomes part of a Redis key. */
	if (rw_page_opt_id(post, "conversation_id", rw_x_id_valid, &conv) == -1) {
		*why = RW_REJECT_BAD_ID;
		return RW_PAGE_REJECTED;
	}
	if (username != NULL)
		rc = asprintf(&it->url, "https://x.com/%s/status/%s", username, id);
	else
		rc = asprintf(&it->url, "https://x.com/i/web/status/%s", id);
	if (rc == -1) {
		it->url = NULL;
		return RW_PAGE_NOMEM;
	}
	if (rw_page_copy(rw_page_str(post, "text"), &it->text) == -1 ||
	    rw_page_copy(conv, &it->conversation_id) == -1 ||
	    rw_page_copy(username != NULL ? username : user_id, &it->author) == -1)
		return RW_PAGE_NOMEM;
	return RW_PAGE_KEPT;
}

static enum rw_page_entry
x_mention(const json_t *post, const json_t *users, const char *brand, struct rw_item *it,
	  const char **why)
{
	const char *author_id, *nowhy;
	const json_t *user, *followers;
	enum rw_page_entry e;

	if (!json_is_object(post)) {
		*why = RW_REJECT_WRONG_TYPE;
		return RW_PAGE_REJECTED;
	}
	if (rw_page_same(rw_page_str(post, "author_id"), brand))
		return RW_PAGE_SKIPPED;                                   /* the brand's own post */
	author_id = rw_page_id(post, "author_id", rw_x_id_valid, &nowhy); /* may be NULL */
	user = json_object_get(users, author_id != NULL ? author_id : "");
	if ((e = x_post_item(post, user, author_id, it, why)) != RW_PAGE_KEPT)
		return e;
	if (author_id == NULL) {
		*why = RW_REJECT_BAD_AUTHOR;
		return RW_PAGE_REJECTED;
	}
	followers = json_object_get(json_object_get(user, "public_metrics"), "followers_count");
	if (json_is_integer(followers) && json_integer_value(followers) >= 0) {
		it->has_followers = true;
		it->author_followers = json_integer_value(followers);
	}
	it->kind = rw_page_same(rw_page_str(post, "in_reply_to_user_id"), brand) ? RW_KIND_COMMENT
										 : RW_KIND_MENTION;
	return RW_PAGE_KEPT;
}

static enum rw_page_entry
x_brand_reply(const json_t *post, const json_t *users, const char *brand, struct rw_item *it,
	      const char **why)
{
	const char *author_id = rw_page_str(post, "author_id"), *parent;
	enum rw_page_entry e;

	if (!json_is_object(post)) {
		*why = RW_REJECT_WRONG_TYPE;
		return RW_PAGE_REJECTED;
	}
	if (author_id != NULL && brand != NULL && !rw_page_same(author_id, brand))
		return RW_PAGE_SKIPPED; /* not the brand's post */
	if (author_id == NULL)
		author_id = brand;
	if (x_replied_to(post, &parent) == 0 && parent == NULL)
		return RW_PAGE_SKIPPED; /* not a reply */
	/* The post's own id first, so that a reject names it. */
	if ((e = x_post_item(post, json_object_get(users, author_id != NULL ? author_id : ""),
			     author_id, it, why)) != RW_PAGE_KEPT)
		return e;
	if (parent == NULL) {
		*why = RW_REJECT_BAD_ID;
		return RW_PAGE_REJECTED;
	}
	it->kind = RW_KIND_MENTION;
	it->from_brand = true;
	return rw_page_copy(parent, &it->in_reply_to) == -1 ? RW_PAGE_NOMEM : RW_PAGE_KEPT;
}

/* err names the first error of an errors-only answer. */
static void
api_error(const json_t *errors, char *err, size_t errlen)
{
	const json_t *first = json_array_get(errors, 0);
	const char *title = rw_page_str(first, "title"), *detail = rw_page_str(first, "detail");

	if (detail == NULL)
		detail = rw_page_str(first, "message");
	if (title != NULL && detail != NULL && strcmp(title, detail) != 0)
		snprintf(err, errlen, "API error: %.80s: %.80s", title, detail);
	else if (title != NULL || detail != NULL)
		snprintf(err, errlen, "API error: %.80s", title != NULL ? title : detail);
	else
		snprintf(err, errlen, "API error without a message");
}

/* Replaces *dst with the string member key of meta, when there is one that
 * valid accepts (a newest_id that is no X id is not one to page from: the
 * data's ids are). */
static int
from_meta(const json_t *meta, const char *key, bool (*valid)(const char *), char **dst)
{
	const char *v = rw_page_str(meta, key);
	char *s;

	if (v == NULL || !valid(v))
		return 0;
	if (rw_page_copy(v, &s) == -1)
		return -1;
	free(*dst);
	*dst = s;
	return 0;
}

/* Refuses a page of more than RW_PAGE_MAX_ENTRIES posts or users, and a
 * next_token that cannot be sent back: taking a part of it would move the
 * cursor past what was not read. */
static int
x_page_bounded(const json_t *data, const json_t *users, const json_t *meta, char *err,
	       size_t errlen)
{
	const json_t *next = json_object_get(meta, "next_token");

	if (json_array_size(data) > RW_PAGE_MAX_ENTRIES) {
		snprintf(err, errlen, "page too large: %zu posts (at most %d)",
			 json_array_size(data), RW_PAGE_MAX_ENTRIES);
		return -1;
	}
	if (json_array_size(users) > RW_PAGE_MAX_ENTRIES) {
		snprintf(err, errlen, "page too large: %zu includes.users (at most %d)",
			 json_array_size(users), RW_PAGE_MAX_ENTRIES);
		return -1;
	}
	if (next != NULL && !json_is_null(next) &&
	    !(json_is_string(next) && strlen(json_string_value(next)) == json_string_length(next) &&
	      rw_page_token_valid(json_string_value(next)))) {
		snprintf(err, errlen, "meta.next_token: not a paging token");
		return -1;
	}
	return 0;
}

static int
parse_posts(const char *body, size_t len, const char *brand,
	    enum rw_page_entry (*one)(const json_t *, const json_t *, const char *,
				      struct rw_item *, const char **),
	    struct rw_page *page, char *err, size_t errlen)
{
	json_t *doc, *users = NULL;
	const json_t *data, *meta, *errors;
	struct rw_item it = {0};

	memset(page, 0, sizeof(*page));
	if ((doc = rw_page_load(body, len, JSON_OBJECT, err, errlen)) == NULL)
		return -1;
	data = json_object_get(doc, "data");
	meta = json_object_get(doc, "meta");
	errors = json_object_get(doc, "errors");
	if (json_is_null(data))
		data = NULL;
	if ((data == NULL && !json_is_object(meta)) || (data != NULL && !json_is_array(data))) {
		if (data == NULL && json_array_size(errors) > 0)
			api_error(errors, err, errlen);
		else if (data == NULL)
			snprintf(err, errlen, "expected \"data\" or \"meta\"");
		else
			snprintf(err, errlen, "data: expected an array");
		goto fail;
	}
	if (x_page_bounded(data, json_object_get(json_object_get(doc, "includes"), "users"), meta,
			   err, errlen) == -1)
		goto fail;
	if ((users = x_index_users(json_object_get(json_object_get(doc, "includes"), "users"))) ==
	    NULL)
		goto nomem;
	page->nentries = json_array_size(data);
	for (size_t i = page->nentries; i-- > 0;) {
		const json_t *post = json_array_get(data, i);
		const char *id = rw_page_str(post, "id");
		const char *created = rw_page_str(post, "created_at");
		const char *why = NULL;
		enum rw_page_entry e;

		/* Only an id of X's format may become a cursor. */
		if (rw_page_note(page, rw_x_id_valid(id) ? id : NULL, created) == -1)
			goto nomem;
		e = one(post, users, brand, &it, &why);
		if (rw_page_keep(page, e, why, &it) == -1)
			goto nomem;
	}
	if (from_meta(meta, "newest_id", rw_x_id_valid, &page->newest_id) == -1 ||
	    from_meta(meta, "oldest_id", rw_x_id_valid, &page->oldest_id) == -1 ||
	    from_meta(meta, "next_token", rw_page_token_valid, &page->next) == -1)
		goto nomem;
	json_decref(users);
	json_decref(doc);
	return 0;
nomem:
	snprintf(err, errlen, "out of memory");
fail:
	rw_item_clear(&it);
	rw_page_clear(page);
	json_decref(users);
	json_decref(doc);
	return -1;
}

int
rw_x_parse_mentions(const char *body, size_t len, const char *brand_user_id, struct rw_page *page,
		    char *err, size_t errlen)
{
	return parse_posts(body, len, brand_user_id, x_mention, page, err, errlen);
}

int
rw_x_parse_tweets(const char *body, size_t len, const char *brand_user_id, struct rw_page *page,
		  char *err, size_t errlen)
{
	return parse_posts(body, len, brand_user_id, x_brand_reply, page, err, errlen);
}
