/*
 * instagram_parse.c: Instagram media with comments and replies into items
 * (instagram.h). Pure: no I/O.
 */
#include <jansson.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "replywatch/config.h"
#include "replywatch/item.h"
#include "replywatch/page.h"
#include "replywatch/sources/instagram.h"
#include "replywatch/sources/meta_graph.h"

static const struct rw_graph_keys media_keys = {"timestamp", "caption", "permalink"};
static const struct rw_graph_keys comment_keys = {"timestamp", "text", "permalink"};

struct ig_ctx {
	const struct rw_instagram_brand *brand;
	bool tagged;
};

/* The username of a comment or media: username, else from.username. */
static const char *
username_of(const json_t *obj)
{
	const char *u = rw_page_str(obj, "username");

	return u != NULL ? u : rw_page_str(json_object_get(obj, "from"), "username");
}

static bool
by_brand(const json_t *obj, const struct rw_instagram_brand *brand)
{
	const char *from = rw_page_str(json_object_get(obj, "from"), "id");

	if (from != NULL)
		return rw_page_same(from, brand->user_id);
	return brand->username != NULL && rw_page_same(username_of(obj), brand->username);
}

/* One comment or reply of media media_id, under parent_id (NULL: top level). */
static enum rw_page_entry
comment(const json_t *c, const char *media_id, const char *media_url, const char *parent_id,
	const struct rw_instagram_brand *brand, struct rw_item *it, const char **why)
{
	const char *author;
	enum rw_page_entry e;

	if ((e = rw_graph_item(c, &comment_keys, it, why)) != RW_PAGE_KEPT)
		return e;
	if ((author = username_of(c)) == NULL)
		author = rw_page_str(json_object_get(c, "from"), "id");
	if (author == NULL || !rw_item_id_valid(author)) {
		*why = RW_REJECT_BAD_AUTHOR;
		return RW_PAGE_REJECTED;
	}
	it->kind = RW_KIND_COMMENT;
	if (by_brand(c, brand)) {
		it->from_brand = true;
		if (rw_page_copy(parent_id != NULL ? parent_id : media_id, &it->in_reply_to) == -1)
			return RW_PAGE_NOMEM;
	}
	if (rw_page_copy(author, &it->author) == -1 ||
	    rw_page_copy(media_id, &it->conversation_id) == -1 ||
	    (it->url == NULL && rw_page_copy(media_url, &it->url) == -1))
		return RW_PAGE_NOMEM;
	return RW_PAGE_KEPT;
}

/* The entries of list (oldest last in Graph's order: read back), each a
 * comment under parent_id, with its replies when parent_id is NULL. */
static int
comments(const json_t *list, const char *media_id, const char *media_url, const char *parent_id,
	 const struct rw_instagram_brand *brand, struct rw_page *page)
{
	for (size_t i = json_array_size(list); i-- > 0;) {
		const json_t *c = json_array_get(list, i);
		struct rw_item it = {0};
		const char *why = NULL;
		char *cid = NULL;
		enum rw_page_entry e = comment(c, media_id, media_url, parent_id, brand, &it, &why);

		if (parent_id == NULL && it.id != NULL && rw_page_copy(it.id, &cid) == -1)
			e = RW_PAGE_NOMEM;
		if (rw_page_keep(page, e, why, &it) == -1) {
			rw_item_clear(&it);
			free(cid);
			return -1;
		}
		/* Replies to a comment that could not be read have no parent. */
		if (cid != NULL && e == RW_PAGE_KEPT &&
		    comments(rw_graph_nested(c, "replies"), media_id, media_url, cid, brand,
			     page) == -1) {
			free(cid);
			return -1;
		}
		free(cid);
	}
	return 0;
}

static int
media(const json_t *m, const void *arg, struct rw_page *page)
{
	const struct ig_ctx *ctx = arg;
	struct rw_item it = {0};
	const char *why = NULL, *author = username_of(m);
	char *media_id = NULL, *media_url = NULL;
	enum rw_page_entry e = rw_graph_item(m, &media_keys, &it, &why);
	int rc = -1;

	if (e == RW_PAGE_KEPT &&
	    (rw_page_copy(it.id, &media_id) == -1 || rw_page_copy(it.url, &media_url) == -1))
		e = RW_PAGE_NOMEM;
	if (e == RW_PAGE_KEPT && ctx->tagged &&
	    !(ctx->brand->username != NULL && rw_page_same(author, ctx->brand->username))) {
		it.kind = RW_KIND_MENTION;
		if (author == NULL || !rw_item_id_valid(author)) {
			why = RW_REJECT_BAD_AUTHOR;
			e = RW_PAGE_REJECTED;
		} else if (rw_page_copy(author, &it.author) == -1 ||
			   rw_page_copy(it.id, &it.conversation_id) == -1) {
			e = RW_PAGE_NOMEM;
		}
	} else if (e == RW_PAGE_KEPT) {
		e = RW_PAGE_SKIPPED; /* the brand's own media: its comments only */
	}
	if (rw_page_keep(page, e, why, &it) == -1)
		goto out;
	if (media_id != NULL && comments(rw_graph_nested(m, "comments"), media_id, media_url, NULL,
					 ctx->brand, page) == -1)
		goto out;
	rc = 0;
out:
	rw_item_clear(&it);
	free(media_id);
	free(media_url);
	return rc;
}

int
rw_instagram_parse_media(const char *body, size_t len, const struct rw_instagram_brand *brand,
			 bool tagged, struct rw_page *page, char *err, size_t errlen)
{
	struct ig_ctx ctx = {brand, tagged};

	return rw_graph_parse_list(body, len, "timestamp", media, &ctx, page, err, errlen);
}

int
rw_instagram_parse_mentioned(const char *body, size_t len, bool caption, const char *id,
			     const char *media_id, struct rw_page *page, char *err, size_t errlen)
{
	const char *key = caption ? "mentioned_media" : "mentioned_comment";
	json_t *root = rw_page_load(body, len, JSON_OBJECT, err, errlen);
	const json_t *obj, *media;
	struct rw_item it = {0};
	const char *why = NULL, *author, *conv, *url;
	enum rw_page_entry e;
	int rc = -1;

	memset(page, 0, sizeof(*page));
	if (root == NULL)
		return -1;
	if (!json_is_object(obj = json_object_get(root, key))) {
		snprintf(err, errlen, "no %s object", key);
		goto out;
	}
	media = caption ? obj : json_object_get(obj, "media");
	e = rw_graph_item(obj, caption ? &media_keys : &comment_keys, &it, &why);
	if (e == RW_PAGE_KEPT && !rw_page_same(it.id, id)) {
		why = RW_REJECT_BAD_ID; /* an answer about another object */
		e = RW_PAGE_REJECTED;
	}
	if (e == RW_PAGE_KEPT) {
		/* A comment's link is its media's (comments have none). */
		url = rw_page_str(media, "permalink");
		conv = rw_page_str(media, "id");
		if (conv == NULL || !rw_graph_id_valid(conv))
			conv = media_id;
		if ((author = username_of(obj)) == NULL || !rw_item_id_valid(author))
			author = "unknown";
		it.kind = RW_KIND_MENTION;
		if (rw_page_copy(author, &it.author) == -1 ||
		    rw_page_copy(conv, &it.conversation_id) == -1 ||
		    (it.url == NULL && rw_page_copy(url, &it.url) == -1))
			e = RW_PAGE_NOMEM;
	}
	page->nentries = 1;
	if (rw_page_keep(page, e, why, &it) == -1) {
		rw_page_clear(page);
		snprintf(err, errlen, "out of memory");
		goto out;
	}
	rc = 0;
out:
	rw_item_clear(&it);
	json_decref(root);
	return rc;
}
