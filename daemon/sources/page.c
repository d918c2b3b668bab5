/*
 * page.c: one parsed page of a platform's answer, and the helpers its
 * parsers share to build it.
 */
#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "replywatch/item.h"
#include "replywatch/mention.h"
#include "replywatch/page.h"

void
rw_page_clear(struct rw_page *page)
{
	if (page == NULL)
		return;
	for (size_t i = 0; i < page->nitems; i++)
		rw_item_clear(&page->items[i]);
	free(page->items);
	free(page->newest_id);
	free(page->oldest_id);
	free(page->next);
	for (size_t i = 0; i < page->nrejects; i++)
		free(page->rejects[i].id);
	free(page->rejects);
	for (size_t i = 0; i < page->nfollows; i++)
		free(page->follows[i].context);
	free(page->follows);
	memset(page, 0, sizeof(*page));
}

int
rw_page_follow(struct rw_page *page, const char *context, int64_t at_ms)
{
	struct rw_page_follow *grown;
	char *copy = strdup(context);

	if (copy == NULL)
		return -1;
	grown = realloc(page->follows, (page->nfollows + 1) * sizeof(*grown));
	if (grown == NULL) {
		free(copy);
		return -1;
	}
	page->follows = grown;
	page->follows[page->nfollows].context = copy;
	page->follows[page->nfollows].at_ms = at_ms;
	page->nfollows++;
	return 0;
}

int
rw_page_reject(struct rw_page *page, const char *reason, const char *id)
{
	struct rw_page_reject *grown;
	char *copy = NULL;

	if (id != NULL && (copy = strdup(id)) == NULL)
		return -1;
	grown = realloc(page->rejects, (page->nrejects + 1) * sizeof(*grown));
	if (grown == NULL) {
		free(copy);
		return -1;
	}
	page->rejects = grown;
	page->rejects[page->nrejects].reason = reason;
	page->rejects[page->nrejects].id = copy;
	page->nrejects++;
	return 0;
}

/* Makes room for n more items. */
static int
grow(struct rw_page *page, size_t n)
{
	struct rw_item *items;

	if (n > SIZE_MAX / sizeof(*items) - page->nitems)
		return -1;
	items = realloc(page->items, (page->nitems + n) * sizeof(*items));
	if (items == NULL)
		return -1;
	page->items = items;
	return 0;
}

int
rw_page_append(struct rw_page *page, struct rw_item *item)
{
	if (grow(page, 1) == -1)
		return -1;
	page->items[page->nitems++] = *item;
	memset(item, 0, sizeof(*item));
	return 0;
}

int
rw_page_take_items(struct rw_page *dst, struct rw_page *src)
{
	if (src->nitems == 0)
		return 0;
	if (grow(dst, src->nitems) == -1)
		return -1;
	memcpy(dst->items + dst->nitems, src->items, src->nitems * sizeof(*src->items));
	dst->nitems += src->nitems;
	free(src->items);
	src->items = NULL;
	src->nitems = 0;
	return 0;
}

int
rw_id_compare(const char *a, const char *b)
{
	size_t la, lb;

	if (a == NULL || b == NULL)
		return (a != NULL) - (b != NULL);
	la = strlen(a);
	lb = strlen(b);
	if (la != lb)
		return la < lb ? -1 : 1;
	return strcmp(a, b);
}

int
rw_page_note_id(struct rw_page *page, const char *id)
{
	char *newest = NULL, *oldest = NULL;
	bool is_newest = page->newest_id == NULL || rw_id_compare(id, page->newest_id) > 0;
	bool is_oldest = page->oldest_id == NULL || rw_id_compare(id, page->oldest_id) < 0;

	if ((is_newest && (newest = strdup(id)) == NULL) ||
	    (is_oldest && (oldest = strdup(id)) == NULL)) {
		free(newest);
		return -1;
	}
	if (is_newest) {
		free(page->newest_id);
		page->newest_id = newest;
	}
	if (is_oldest) {
		free(page->oldest_id);
		page->oldest_id = oldest;
	}
	return 0;
}

void
rw_page_note_time(struct rw_page *page, int64_t ms)
{
	if ((page->newest_ms == 0 && page->oldest_ms == 0) || ms > page->newest_ms)
		page->newest_ms = ms;
	if (page->oldest_ms == 0 || ms < page->oldest_ms)
		page->oldest_ms = ms;
}

int
rw_page_note(struct rw_page *page, const char *id, const char *time)
{
	int64_t ms;

	if (id != NULL && rw_page_note_id(page, id) == -1)
		return -1;
	if (time != NULL && rw_time_parse(time, &ms) == 0)
		rw_page_note_time(page, ms);
	return 0;
}

int
rw_page_keep(struct rw_page *page, enum rw_page_entry e, const char *why, struct rw_item *item)
{
	switch (e) {
	case RW_PAGE_KEPT:
		return rw_page_append(page, item);
	case RW_PAGE_REJECTED:
		if (rw_page_reject(page, why != NULL ? why : RW_REJECT_WRONG_TYPE, item->id) == -1)
			return -1;
		rw_item_clear(item);
		return 0;
	case RW_PAGE_SKIPPED:
		rw_item_clear(item);
		return 0;
	case RW_PAGE_NOMEM:
		break;
	}
	return -1;
}

const char *
rw_page_id(const json_t *obj, const char *key, bool (*valid)(const char *), const char **why)
{
	const json_t *v = json_object_get(obj, key);

	if (v == NULL || json_is_null(v) || (json_is_string(v) && json_string_length(v) == 0)) {
		*why = RW_REJECT_NO_ID;
		return NULL;
	}
	/* A string with a NUL inside would pass valid() cut short. */
	if (!json_is_string(v) || strlen(json_string_value(v)) != json_string_length(v) ||
	    !valid(json_string_value(v))) {
		*why = RW_REJECT_BAD_ID;
		return NULL;
	}
	return json_string_value(v);
}

int
rw_page_opt_id(const json_t *obj, const char *key, bool (*valid)(const char *), const char **id)
{
	const char *why = NULL;

	*id = rw_page_id(obj, key, valid, &why);
	return *id != NULL || strcmp(why, RW_REJECT_NO_ID) == 0 ? 0 : -1;
}

bool
rw_page_token_valid(const char *s)
{
	/* The same bytes as an id: the poller keeps tokens beside ids. */
	return rw_item_id_valid(s);
}

int64_t
rw_page_earlier(int64_t claimed, int64_t seen)
{
	if (claimed > 0 && (seen <= 0 || claimed <= seen))
		return claimed;
	return seen > 0 ? seen : 0;
}

/* rw_page_load and rw_page_load_secret: quote says whether a malformed
 * body's message may quote the JSON parser's text. */
static json_t *
load(const char *body, size_t len, json_type want, bool quote, char *err, size_t errlen)
{
	json_error_t jerr;
	json_t *doc = json_loadb(body != NULL ? body : "", body != NULL ? len : 0, 0, &jerr);

	if (doc == NULL) {
		if (quote)
			snprintf(err, errlen, "malformed JSON at line %d column %d: %.80s",
				 jerr.line, jerr.column, jerr.text);
		else
			snprintf(err, errlen, "malformed JSON at line %d column %d", jerr.line,
				 jerr.column);
		return NULL;
	}
	if (json_typeof(doc) != want) {
		snprintf(err, errlen, "expected a JSON %s",
			 want == JSON_ARRAY ? "array" : "object");
		json_decref(doc);
		return NULL;
	}
	return doc;
}

json_t *
rw_page_load(const char *body, size_t len, json_type want, char *err, size_t errlen)
{
	return load(body, len, want, true, err, errlen);
}

json_t *
rw_page_load_secret(const char *body, size_t len, json_type want, char *err, size_t errlen)
{
	return load(body, len, want, false, err, errlen);
}

const char *
rw_page_str(const json_t *obj, const char *key)
{
	const json_t *v = json_object_get(obj, key);

	return json_is_string(v) && json_string_length(v) > 0 ? json_string_value(v) : NULL;
}

bool
rw_page_same(const char *a, const char *b)
{
	return a != NULL && b != NULL && strcmp(a, b) == 0;
}

int
rw_page_copy(const char *s, char **out)
{
	*out = NULL;
	if (s == NULL)
		return 0;
	*out = strdup(s);
	return *out == NULL ? -1 : 0;
}
