/*
 * facebook_parse.c: Graph posts with their comments into items (facebook.h).
 * Pure: no I/O.
 */
#include <jansson.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "replywatch/config.h"
#include "replywatch/item.h"
#include "replywatch/page.h"
#include "replywatch/sources/facebook.h"
#include "replywatch/sources/meta_graph.h"
#include "replywatch/sources/review.h"

static const struct rw_graph_keys keys = {"created_time", "message", "permalink_url"};

/* The author of obj: from.name (a display name, cleaned), else from.id,
 * else "unknown" (Graph leaves "from" out when the token may not read it). */
static int
author_of(const json_t *obj, struct rw_item *it)
{
	const json_t *from = json_object_get(obj, "from");
	const char *name = rw_page_str(from, "name"), *id = rw_page_str(from, "id");

	if (name != NULL)
		return rw_review_author(name, false, &it->author);
	return rw_page_copy(id != NULL && rw_graph_id_valid(id) ? id : "unknown", &it->author);
}

static bool
from_page(const json_t *obj, const char *page_id)
{
	return rw_page_same(rw_page_str(json_object_get(obj, "from"), "id"), page_id);
}

/* One comment of post post_id. */
static enum rw_page_entry
comment(const json_t *c, const char *post_id, const char *page_id, struct rw_item *it,
	const char **why)
{
	const char *parent = NULL;
	enum rw_page_entry e;

	if ((e = rw_graph_item(c, &keys, it, why)) != RW_PAGE_KEPT)
		return e;
	if (rw_page_opt_id(json_object_get(c, "parent"), "id", rw_graph_id_valid, &parent) == -1) {
		*why = RW_REJECT_BAD_ID;
		return RW_PAGE_REJECTED;
	}
	it->kind = RW_KIND_COMMENT;
	if (from_page(c, page_id)) {
		it->from_brand = true;
		if (rw_page_copy(parent != NULL ? parent : post_id, &it->in_reply_to) == -1)
			return RW_PAGE_NOMEM;
	}
	if (author_of(c, it) == -1 || rw_page_copy(post_id, &it->conversation_id) == -1)
		return RW_PAGE_NOMEM;
	return RW_PAGE_KEPT;
}

/* One post: itself when someone else wrote it, then its comments (oldest
 * first: Graph lists them newest first). */
static int
post(const json_t *p, const void *ctx, struct rw_page *page)
{
	const char *page_id = ctx, *why = NULL;
	const json_t *comments = rw_graph_nested(p, "comments");
	struct rw_item it = {0};
	enum rw_page_entry e;
	char *post_id = NULL;
	size_t i;
	int rc = -1;

	e = rw_graph_item(p, &keys, &it, &why);
	if (e == RW_PAGE_KEPT && rw_page_copy(it.id, &post_id) == -1)
		e = RW_PAGE_NOMEM;
	if (e == RW_PAGE_KEPT && json_object_get(p, "from") != NULL && !from_page(p, page_id)) {
		it.kind = RW_KIND_MENTION;
		if (author_of(p, &it) == -1 || rw_page_copy(it.id, &it.conversation_id) == -1)
			e = RW_PAGE_NOMEM;
	} else if (e == RW_PAGE_KEPT) {
		e = RW_PAGE_SKIPPED; /* the Page's own post: its comments only */
	}
	if (rw_page_keep(page, e, why, &it) == -1)
		goto out;
	/* Without a usable post id, its comments cannot be placed. */
	for (i = json_array_size(comments); post_id != NULL && i-- > 0;) {
		struct rw_item c = {0};
		enum rw_page_entry ce =
			comment(json_array_get(comments, i), post_id, page_id, &c, &why);

		if (rw_page_keep(page, ce, why, &c) == -1) {
			rw_item_clear(&c);
			goto out;
		}
	}
	rc = 0;
out:
	rw_item_clear(&it);
	free(post_id);
	return rc;
}

int
rw_facebook_parse_posts(const char *body, size_t len, const char *page_id, struct rw_page *page,
			char *err, size_t errlen)
{
	return rw_graph_parse_list(body, len, "created_time", post, page_id, page, err, errlen);
}
