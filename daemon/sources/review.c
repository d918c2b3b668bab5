/*
 * review.c: the steps every review parser shares: ids, the answer's id,
 * text and author, and the walk of a review list into a page.
 */
#include <ctype.h>
#include <jansson.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "replywatch/item.h"
#include "replywatch/clock.h"
#include "replywatch/page.h"
#include "replywatch/config.h"
#include "replywatch/sources/review.h"
#include "replywatch/utf8.h"

bool
rw_review_id_chars(const char *id, size_t max, const char *extra)
{
	size_t n;

	if (id == NULL)
		return false;
	for (n = 0; id[n] != '\0'; n++)
		if (n == max || (!isalnum((unsigned char)id[n]) && strchr(extra, id[n]) == NULL))
			return false;
	return n > 0;
}

int
rw_review_reply_id(const char *review_id, char **out)
{
	if (asprintf(out, "%s%s", review_id, RW_REVIEW_REPLY_SUFFIX) == -1) {
		*out = NULL;
		return -1;
	}
	return 0;
}

enum rw_page_entry
rw_review_reply_fill(struct rw_item *it, const char *review_id, const char *text)
{
	it->kind = RW_KIND_REVIEW;
	it->from_brand = true;
	if (rw_page_copy(review_id, &it->in_reply_to) == -1 ||
	    rw_page_copy(review_id, &it->conversation_id) == -1 ||
	    rw_page_copy(text, &it->text) == -1)
		return RW_PAGE_NOMEM;
	return RW_PAGE_KEPT;
}

int
rw_review_opt_str(const json_t *obj, const char *key, const char **s)
{
	const json_t *v = json_object_get(obj, key);

	*s = NULL;
	if (v == NULL || json_is_null(v))
		return 0;
	/* A NUL inside would cut the text short without a word. */
	if (!json_is_string(v) || strlen(json_string_value(v)) != json_string_length(v))
		return -1;
	if (json_string_length(v) > 0)
		*s = json_string_value(v);
	return 0;
}

int
rw_review_token(const json_t *v, const char **token)
{
	*token = NULL;
	if (v == NULL || json_is_null(v) || (json_is_string(v) && json_string_length(v) == 0))
		return 0;
	if (!json_is_string(v) || strlen(json_string_value(v)) != json_string_length(v) ||
	    !rw_page_token_valid(json_string_value(v)))
		return -1;
	*token = json_string_value(v);
	return 0;
}

int64_t
rw_review_time(const json_t *obj, const char *key)
{
	const char *s;
	int64_t ms;

	/* No review predates 1970, and 0 is "none" to the page and the
	 * tracker: an instant before it is as unreadable as "yesterday". */
	if (rw_review_opt_str(obj, key, &s) == -1 || s == NULL || rw_time_parse(s, &ms) == -1 ||
	    ms <= 0)
		return 0;
	return ms;
}

int
rw_review_text(const char *title, const char *body, char **out)
{
	*out = NULL;
	if (title != NULL && body != NULL) {
		if (asprintf(out, "%s\n\n%s", title, body) == -1) {
			*out = NULL;
			return -1;
		}
		return 0;
	}
	return rw_page_copy(title != NULL ? title : body, out);
}

int
rw_review_author(const char *name, bool anonymous, char **out)
{
	if (name == NULL || anonymous)
		return rw_page_copy(RW_REVIEW_ANONYMOUS, out);
	/* A display name is free text: it reaches log lines and alerts. */
	if ((*out = malloc(RW_REVIEW_AUTHOR_MAX + 1)) == NULL)
		return -1;
	rw_utf8_clean(*out, RW_REVIEW_AUTHOR_MAX + 1, name, strlen(name));
	return 0;
}

/* Keeps, rejects or skips the review of e, then its answer (skipped when
 * the review was not kept). Leaves e's items zeroed. */
static int
keep_entry(struct rw_page *page, struct rw_review_entry *e)
{
	bool kept = e->review_e == RW_PAGE_KEPT;

	if (e->review_e == RW_PAGE_NOMEM || (kept && e->reply_e == RW_PAGE_NOMEM))
		goto fail;
	if (rw_page_keep(page, e->review_e, e->review_why, &e->review) == -1)
		goto fail;
	if (rw_page_keep(page, kept ? e->reply_e : RW_PAGE_SKIPPED, e->reply_why, &e->reply) == -1)
		goto fail;
	return 0;
fail:
	rw_item_clear(&e->review);
	rw_item_clear(&e->reply);
	return -1;
}

int
rw_review_walk(const json_t *entries, const struct rw_review_list *list, struct rw_page *page)
{
	const char *newest = NULL, *oldest = NULL;

	page->nentries = json_array_size(entries);
	for (size_t i = page->nentries; i-- > 0;) {
		const json_t *entry = json_array_get(entries, i);
		struct rw_review_entry e;
		const char *id;
		int64_t ms;

		list->place(entry, &id, &ms);
		if (id != NULL) {
			if (oldest == NULL)
				oldest = id;
			newest = id;
		}
		if (ms != 0)
			rw_page_note_time(page, ms);
		memset(&e, 0, sizeof(e));
		list->read(entry, list->ctx, &e);
		if (keep_entry(page, &e) == -1)
			return -1;
	}
	if (rw_page_copy(newest, &page->newest_id) == -1 ||
	    rw_page_copy(oldest, &page->oldest_id) == -1)
		return -1;
	return 0;
}

int
rw_review_entries(const json_t *doc, const char *key, bool required, const json_t **entries,
		  char *err, size_t errlen)
{
	const json_t *v = json_object_get(doc, key);

	*entries = NULL;
	if (!required && (v == NULL || json_is_null(v)))
		return 0;
	if (!json_is_array(v)) {
		snprintf(err, errlen, "expected %s %s array", strchr("aeiou", key[0]) ? "an" : "a",
			 key);
		return -1;
	}
	if (json_array_size(v) > RW_PAGE_MAX_ENTRIES) {
		/* Refused whole: taking a part would move the cursor past the rest. */
		snprintf(err, errlen, "page too large: %zu %s (at most %d)", json_array_size(v),
			 key, RW_PAGE_MAX_ENTRIES);
		return -1;
	}
	*entries = v;
	return 0;
}

int
rw_review_parse_one(const char *body, size_t len, const struct rw_review_list *list,
		    struct rw_page *page, char *err, size_t errlen)
{
	json_t *doc, *one = NULL;

	memset(page, 0, sizeof(*page));
	if ((doc = rw_page_load(body, len, JSON_OBJECT, err, errlen)) == NULL)
		return -1;
	if ((one = json_array()) == NULL || json_array_append(one, doc) == -1 ||
	    rw_review_walk(one, list, page) == -1) {
		snprintf(err, errlen, "out of memory");
		rw_page_clear(page);
		json_decref(one);
		json_decref(doc);
		return -1;
	}
	json_decref(one);
	json_decref(doc);
	return 0;
}

int
rw_review_parse_list(const char *body, size_t len, const char *key, const char *token_in,
		     const char *token_key, const struct rw_review_list *list, struct rw_page *page,
		     char *err, size_t errlen)
{
	const json_t *reviews, *holder;
	const char *token;
	json_t *doc;

	memset(page, 0, sizeof(*page));
	if ((doc = rw_page_load(body, len, JSON_OBJECT, err, errlen)) == NULL)
		return -1;
	if (rw_review_entries(doc, key, false, &reviews, err, errlen) == -1)
		goto fail;
	holder = token_in == NULL ? doc : json_object_get(doc, token_in);
	if (holder != NULL && !json_is_null(holder) && !json_is_object(holder)) {
		snprintf(err, errlen, "%s: not an object", token_in);
		goto fail;
	}
	if (rw_review_token(json_object_get(holder, token_key), &token) == -1) {
		snprintf(err, errlen, "%s: not a paging token", token_key);
		goto fail;
	}
	if (rw_review_walk(reviews, list, page) == -1 || rw_page_copy(token, &page->next) == -1) {
		snprintf(err, errlen, "out of memory");
		goto fail;
	}
	json_decref(doc);
	return 0;
fail:
	rw_page_clear(page);
	json_decref(doc);
	return -1;
}
