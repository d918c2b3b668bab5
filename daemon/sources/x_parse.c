/*
 * x_parse.c: X API v2 timelines (a user's mentions, the brand's posts) into
 * items. Pure: no I/O.
 *
 * Posts are read from the last (oldest) to the first so that the kept items
 * come out oldest first. Every post counts towards the watermarks; one that
 * cannot be used is skipped, never fatal: only a body of the wrong shape is.
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
#include "replywatch/x.h"

/* The includes.users entry with id, or NULL. */
static const json_t *
find_user(const json_t *users, const char *id)
{
	size_t i;
	const json_t *u;

	if (id == NULL)
		return NULL;
	json_array_foreach(users, i, u) {
		if (rw_page_same(rw_page_str(u, "id"), id))
			return u;
	}
	return NULL;
}

/* The id of the post this one replies to, under either field name. */
static const char *
replied_to(const json_t *post)
{
	const json_t *refs = json_object_get(post, "referenced_tweets");
	const json_t *ref;
	size_t i;

	if (refs == NULL || json_is_null(refs))
		refs = json_object_get(post, "referenced_posts");
	json_array_foreach(refs, i, ref) {
		if (rw_page_same(rw_page_str(ref, "type"), "replied_to") &&
		    rw_page_str(ref, "id") != NULL)
			return rw_page_str(ref, "id");
	}
	return NULL;
}

/* Fills what every kept post gives: id, created_at, text, conversation_id,
 * author (username, else user_id) and url. */
static enum rw_page_entry
post_item(const json_t *post, const json_t *user, const char *user_id, struct rw_item *it)
{
	const char *id = rw_page_str(post, "id"), *created = rw_page_str(post, "created_at");
	const char *username = rw_page_str(user, "username");
	int rc;

	if (id == NULL || created == NULL || rw_time_parse(created, &it->created_at_ms) == -1)
		return RW_PAGE_SKIPPED;
	if (username != NULL)
		rc = asprintf(&it->url, "https://x.com/%s/status/%s", username, id);
	else
		rc = asprintf(&it->url, "https://x.com/i/web/status/%s", id);
	if (rc == -1) {
		it->url = NULL;
		return RW_PAGE_NOMEM;
	}
	if (rw_page_copy(id, &it->id) == -1 ||
	    rw_page_copy(rw_page_str(post, "text"), &it->text) == -1 ||
	    rw_page_copy(rw_page_str(post, "conversation_id"), &it->conversation_id) == -1 ||
	    rw_page_copy(username != NULL ? username : user_id, &it->author) == -1)
		return RW_PAGE_NOMEM;
	return RW_PAGE_KEPT;
}

static enum rw_page_entry
mention(const json_t *post, const json_t *users, const char *brand, struct rw_item *it)
{
	const char *author_id = rw_page_str(post, "author_id");
	const json_t *user = find_user(users, author_id);
	const json_t *metrics = json_object_get(user, "public_metrics");
	const json_t *followers = json_object_get(metrics, "followers_count");
	enum rw_page_entry e;

	if (author_id == NULL || rw_page_same(author_id, brand))
		return RW_PAGE_SKIPPED;
	if ((e = post_item(post, user, author_id, it)) != RW_PAGE_KEPT)
		return e;
	if (json_is_integer(followers) && json_integer_value(followers) >= 0) {
		it->has_followers = true;
		it->author_followers = json_integer_value(followers);
	}
	it->kind = rw_page_same(rw_page_str(post, "in_reply_to_user_id"), brand) ? RW_KIND_COMMENT
										 : RW_KIND_MENTION;
	return RW_PAGE_KEPT;
}

static enum rw_page_entry
brand_reply(const json_t *post, const json_t *users, const char *brand, struct rw_item *it)
{
	const char *author_id = rw_page_str(post, "author_id"), *parent = replied_to(post);
	enum rw_page_entry e;

	if (parent == NULL ||
	    (author_id != NULL && brand != NULL && !rw_page_same(author_id, brand)))
		return RW_PAGE_SKIPPED;
	if (author_id == NULL)
		author_id = brand;
	if ((e = post_item(post, find_user(users, author_id), author_id, it)) != RW_PAGE_KEPT)
		return e;
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

/* Replaces *dst with the string member key of meta, when there is one. */
static int
from_meta(const json_t *meta, const char *key, char **dst)
{
	char *s;

	if (rw_page_str(meta, key) == NULL)
		return 0;
	if (rw_page_copy(rw_page_str(meta, key), &s) == -1)
		return -1;
	free(*dst);
	*dst = s;
	return 0;
}

static int
parse_posts(const char *body, size_t len, const char *brand,
	    enum rw_page_entry (*one)(const json_t *, const json_t *, const char *,
				      struct rw_item *),
	    struct rw_page *page, char *err, size_t errlen)
{
	json_t *doc;
	const json_t *data, *meta, *errors, *users;
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
	users = json_object_get(json_object_get(doc, "includes"), "users");
	page->nentries = json_array_size(data);
	for (size_t i = page->nentries; i-- > 0;) {
		const json_t *post = json_array_get(data, i);
		const char *id = rw_page_str(post, "id");
		const char *created = rw_page_str(post, "created_at");
		int64_t ms;

		/* A post whose time cannot be read is not tracked: said, not dropped. */
		if (id != NULL && (created == NULL || rw_time_parse(created, &ms) == -1) &&
		    rw_page_reject(page, "bad created_at", id) == -1)
			goto nomem;
		if (rw_page_note(page, id, created) == -1 ||
		    rw_page_keep(page, one(post, users, brand, &it), &it) == -1)
			goto nomem;
	}
	if (from_meta(meta, "newest_id", &page->newest_id) == -1 ||
	    from_meta(meta, "oldest_id", &page->oldest_id) == -1 ||
	    from_meta(meta, "next_token", &page->next) == -1)
		goto nomem;
	json_decref(doc);
	return 0;
nomem:
	snprintf(err, errlen, "out of memory");
fail:
	rw_item_clear(&it);
	rw_page_clear(page);
	json_decref(doc);
	return -1;
}

int
rw_x_parse_mentions(const char *body, size_t len, const char *brand_user_id,
		    struct rw_page *page, char *err, size_t errlen)
{
	return parse_posts(body, len, brand_user_id, mention, page, err, errlen);
}

int
rw_x_parse_tweets(const char *body, size_t len, const char *brand_user_id, struct rw_page *page,
		  char *err, size_t errlen)
{
	return parse_posts(body, len, brand_user_id, brand_reply, page, err, errlen);
}
