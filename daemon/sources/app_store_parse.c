/*
 * app_store_parse.c: App Store Connect customer reviews (JSON:API: a list
 * page, one review, one response) into review items and brand replies,
 * its JSON:API errors and its X-Rate-Limit header. Pure: no I/O.
 *
 * Reviews are read from the last (oldest) to the first so that the kept
 * items come out oldest first, each review before its reply. Every review
 * counts towards the watermarks; one that cannot be used is rejected with
 * a reason (page.h), never fatal: only a document of the wrong shape, or
 * too large, is. Responses are found through an index of included[] by id
 * (a Jansson object is a hash table), built once per page.
 */
#include <jansson.h>
#include <limits.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "replywatch/config.h"
#include "replywatch/item.h"
#include "replywatch/page.h"
#include "replywatch/ratelimit.h"
#include "replywatch/sources/app_store.h"
#include "replywatch/sources/review.h"

#define TYPE_REVIEW "customerReviews"
#define TYPE_RESPONSE "customerReviewResponses"

bool
rw_app_store_id_valid(const char *id)
{
	return rw_review_id_chars(id, RW_APP_STORE_ID_MAX, "-") &&
	       strspn(id, "0123456789abcdefABCDEF-") == strlen(id);
}

/* True when resource r has the JSON:API type want. */
static bool
asc_is(const json_t *r, const char *want)
{
	return rw_page_same(rw_page_str(r, "type"), want);
}

/* included[] responses by id; the first of an id wins. Returns a new
 * object, or NULL when out of memory. */
static json_t *
asc_index(const json_t *included)
{
	json_t *index = json_object();
	const json_t *r;
	size_t i;

	if (index == NULL)
		return NULL;
	json_array_foreach(included, i, r)
	{
		const char *id = rw_page_str(r, "id");

		if (!asc_is(r, TYPE_RESPONSE) || !rw_app_store_id_valid(id) ||
		    json_object_get(index, id) != NULL)
			continue;
		if (json_object_set(index, id, (json_t *)r) == -1) {
			json_decref(index);
			return NULL;
		}
	}
	return index;
}

static void
asc_place(const json_t *r, const char **id, int64_t *ms)
{
	const char *why;

	*id = rw_page_id(r, "id", rw_app_store_id_valid, &why);
	*ms = rw_review_time(json_object_get(r, "attributes"), "createdDate");
}

static enum rw_page_entry
asc_review(const json_t *r, struct rw_item *it, const char **why)
{
	const json_t *attrs = json_object_get(r, "attributes"), *rating;
	const char *id, *title, *body, *name;

	*why = RW_REJECT_WRONG_TYPE;
	if (!json_is_object(r))
		return RW_PAGE_REJECTED;
	if ((id = rw_page_id(r, "id", rw_app_store_id_valid, why)) == NULL)
		return RW_PAGE_REJECTED;
	if (rw_page_copy(id, &it->id) == -1)
		return RW_PAGE_NOMEM;
	*why = RW_REJECT_WRONG_TYPE;
	if (!asc_is(r, TYPE_REVIEW) || !json_is_object(attrs) ||
	    rw_review_opt_str(attrs, "title", &title) == -1 ||
	    rw_review_opt_str(attrs, "body", &body) == -1)
		return RW_PAGE_REJECTED;
	*why = RW_REJECT_BAD_RATING;
	rating = json_object_get(attrs, "rating");
	if (!json_is_integer(rating) || json_integer_value(rating) < 1 ||
	    json_integer_value(rating) > 5)
		return RW_PAGE_REJECTED;
	it->rating = (int)json_integer_value(rating);
	it->has_rating = true;
	*why = RW_REJECT_BAD_AUTHOR;
	if (rw_review_opt_str(attrs, "reviewerNickname", &name) == -1)
		return RW_PAGE_REJECTED;
	*why = RW_REJECT_BAD_TIME;
	if ((it->created_at_ms = rw_review_time(attrs, "createdDate")) == 0)
		return RW_PAGE_REJECTED;
	it->kind = RW_KIND_REVIEW;
	if (rw_review_author(name, false, &it->author) == -1 ||
	    rw_review_text(title, body, &it->text) == -1 ||
	    rw_page_copy(id, &it->conversation_id) == -1)
		return RW_PAGE_NOMEM;
	return RW_PAGE_KEPT;
}

/* A customerReviewResponses resource on review id as a brand reply: kept
 * when PUBLISHED, skipped in any other state. */
static enum rw_page_entry
asc_response(const json_t *resp, const char *id, struct rw_item *it, const char **why)
{
	const json_t *attrs = json_object_get(resp, "attributes");
	const char *text;

	if (rw_review_reply_id(id, &it->id) == -1)
		return RW_PAGE_NOMEM;
	*why = RW_REJECT_WRONG_TYPE;
	if (!json_is_object(attrs) || rw_review_opt_str(attrs, "responseBody", &text) == -1)
		return RW_PAGE_REJECTED;
	/* PENDING_PUBLISH: written, but the customer cannot see it yet. */
	if (!rw_page_same(rw_page_str(attrs, "state"), "PUBLISHED"))
		return RW_PAGE_SKIPPED;
	*why = RW_REJECT_BAD_TIME;
	if ((it->created_at_ms = rw_review_time(attrs, "lastModifiedDate")) == 0)
		return RW_PAGE_REJECTED;
	return rw_review_reply_fill(it, id, text);
}

/* The answer on review r (kept, id): its response relationship resolved in
 * index. */
static enum rw_page_entry
asc_reply(const json_t *r, const char *id, const json_t *index, struct rw_item *it,
	  const char **why)
{
	const json_t *rel = json_object_get(json_object_get(r, "relationships"), "response");
	const json_t *data = json_object_get(rel, "data"), *resp;
	const char *rid;

	if (data == NULL || json_is_null(data))
		return RW_PAGE_SKIPPED;
	if (rw_review_reply_id(id, &it->id) == -1)
		return RW_PAGE_NOMEM;
	*why = RW_REJECT_WRONG_TYPE;
	if (!json_is_object(data) || !asc_is(data, TYPE_RESPONSE))
		return RW_PAGE_REJECTED;
	if ((rid = rw_page_id(data, "id", rw_app_store_id_valid, why)) == NULL)
		return RW_PAGE_REJECTED;
	/* Not included (a request without include=response): unknown here. */
	if ((resp = json_object_get(index, rid)) == NULL)
		return RW_PAGE_SKIPPED;
	rw_item_clear(it);
	return asc_response(resp, id, it, why);
}

static void
asc_read(const json_t *r, void *ctx, struct rw_review_entry *e)
{
	e->review_e = asc_review(r, &e->review, &e->review_why);
	if (e->review_e == RW_PAGE_KEPT)
		e->reply_e = asc_reply(r, e->review.id, ctx, &e->reply, &e->reply_why);
	else
		e->reply_e = RW_PAGE_SKIPPED;
}

/* links.next's cursor parameter, as it stands in the URL (NULL without a
 * links.next). -1 when links or next are of the wrong type, next has no
 * cursor, or the cursor is no paging token. */
static int
asc_next_cursor(const json_t *doc, char **cursor, char *err, size_t errlen)
{
	const json_t *links = json_object_get(doc, "links");
	const char *next, *q, *end;
	size_t n;

	*cursor = NULL;
	if (links != NULL && !json_is_null(links) && !json_is_object(links)) {
		snprintf(err, errlen, "links: not an object");
		return -1;
	}
	if (rw_review_opt_str(links, "next", &next) == -1) {
		snprintf(err, errlen, "links.next: not a string");
		return -1;
	}
	if (next == NULL)
		return 0;
	for (q = strchr(next, '?'); q != NULL; q = strchr(q + 1, '&'))
		if (strncmp(q + 1, "cursor=", 7) == 0)
			break;
	if (q == NULL || strchr(next, '#') != NULL) {
		snprintf(err, errlen, "links.next: no cursor");
		return -1;
	}
	q += 8;
	end = strchr(q, '&');
	n = end != NULL ? (size_t)(end - q) : strlen(q);
	if (n == 0 || n > RW_ITEM_ID_MAX || (*cursor = strndup(q, n)) == NULL ||
	    !rw_page_token_valid(*cursor)) {
		free(*cursor);
		*cursor = NULL;
		snprintf(err, errlen, "links.next: not a paging cursor");
		return -1;
	}
	return 0;
}

/* A document of reviews (data an array, list) or one review (data an
 * object) with its included responses, into page. */
static int
asc_parse(const char *body, size_t len, bool list, struct rw_page *page, char *err, size_t errlen)
{
	json_t *doc, *index = NULL, *one = NULL;
	const json_t *data, *included;
	struct rw_review_list walk = {asc_place, asc_read, NULL};

	memset(page, 0, sizeof(*page));
	if ((doc = rw_page_load(body, len, JSON_OBJECT, err, errlen)) == NULL)
		return -1;
	if (rw_review_entries(doc, "included", false, &included, err, errlen) == -1)
		goto fail;
	if (list) {
		if (rw_review_entries(doc, "data", true, &data, err, errlen) == -1 ||
		    asc_next_cursor(doc, &page->next, err, errlen) == -1)
			goto fail;
	} else if (!json_is_object(data = json_object_get(doc, "data"))) {
		snprintf(err, errlen, "expected a data object");
		goto fail;
	}
	if ((walk.ctx = index = asc_index(included)) == NULL)
		goto nomem;
	if (!list && ((one = json_array()) == NULL || json_array_append(one, (json_t *)data) == -1))
		goto nomem;
	if (rw_review_walk(list ? data : one, &walk, page) == -1)
		goto nomem;
	json_decref(one);
	json_decref(index);
	json_decref(doc);
	return 0;
nomem:
	snprintf(err, errlen, "out of memory");
fail:
	rw_page_clear(page);
	json_decref(one);
	json_decref(index);
	json_decref(doc);
	return -1;
}

int
rw_app_store_parse_reviews(const char *body, size_t len, struct rw_page *page, char *err,
			   size_t errlen)
{
	return asc_parse(body, len, true, page, err, errlen);
}

int
rw_app_store_parse_review(const char *body, size_t len, struct rw_page *page, char *err,
			  size_t errlen)
{
	return asc_parse(body, len, false, page, err, errlen);
}

/* One response document's data as the reply on review_id. */
static enum rw_page_entry
asc_response_doc(const json_t *data, const char *review_id, struct rw_item *it, const char **why)
{
	const json_t *rel = json_object_get(json_object_get(data, "relationships"), "review");
	const char *named;

	if (rw_review_reply_id(review_id, &it->id) == -1)
		return RW_PAGE_NOMEM;
	*why = RW_REJECT_WRONG_TYPE;
	if (!asc_is(data, TYPE_RESPONSE))
		return RW_PAGE_REJECTED;
	*why = RW_REJECT_BAD_ID;
	if (rw_page_id(data, "id", rw_app_store_id_valid, why) == NULL ||
	    rw_page_opt_id(json_object_get(rel, "data"), "id", rw_app_store_id_valid, &named) ==
		    -1 ||
	    (named != NULL && strcmp(named, review_id) != 0)) {
		*why = RW_REJECT_BAD_ID;
		return RW_PAGE_REJECTED;
	}
	rw_item_clear(it);
	return asc_response(data, review_id, it, why);
}

int
rw_app_store_parse_response(const char *body, size_t len, const char *review_id,
			    struct rw_page *page, char *err, size_t errlen)
{
	json_t *doc;
	const json_t *data;
	struct rw_item it = {0};
	const char *why = NULL;
	enum rw_page_entry e;

	memset(page, 0, sizeof(*page));
	if (review_id == NULL || !rw_app_store_id_valid(review_id)) {
		snprintf(err, errlen, "bad review id");
		return -1;
	}
	if ((doc = rw_page_load(body, len, JSON_OBJECT, err, errlen)) == NULL)
		return -1;
	data = json_object_get(doc, "data");
	if (data == NULL || (!json_is_null(data) && !json_is_object(data))) {
		snprintf(err, errlen, "expected a data object");
		goto fail;
	}
	if (json_is_object(data)) {
		page->nentries = 1;
		e = asc_response_doc(data, review_id, &it, &why);
		if (rw_page_keep(page, e, why, &it) == -1)
			goto nomem;
	}
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
rw_app_store_parse_error(const char *body, size_t len, struct rw_app_store_error *out)
{
	json_t *doc = rw_page_load(body, len, JSON_OBJECT, NULL, 0);
	const json_t *first = json_array_get(json_object_get(doc, "errors"), 0);
	const json_t *status = json_object_get(first, "status");
	const char *code = rw_page_str(first, "code");
	int64_t n;

	memset(out, 0, sizeof(*out));
	if (json_is_integer(status))
		n = (int64_t)json_integer_value(status);
	else if (!json_is_string(status) || json_string_length(status) != 3 ||
		 strspn(json_string_value(status), "0123456789") != 3 ||
		 rw_ratelimit_count(json_string_value(status), 999, &n) == -1)
		n = 0;
	if (n >= 100 && n <= 599)
		out->status = (int)n;
	if (code != NULL && strlen(code) <= RW_APP_STORE_CODE_MAX &&
	    rw_review_id_chars(code, RW_APP_STORE_CODE_MAX, "_.-"))
		snprintf(out->code, sizeof(out->code), "%s", code);
	json_decref(doc);
	return out->status != 0 || out->code[0] != '\0' ? 0 : -1;
}

/* One "name:value" part of X-Rate-Limit, [s, end). */
static void
asc_ratelimit_part(const char *s, const char *end, struct rw_ratelimit *out)
{
	static const char lim[] = "user-hour-lim", rem[] = "user-hour-rem";
	const char *colon = memchr(s, ':', (size_t)(end - s)), *name_end;
	char value[32];
	size_t n;
	int64_t v;

	if (colon == NULL)
		return;
	s += strspn(s, " \t");
	for (name_end = colon; name_end > s && (name_end[-1] == ' ' || name_end[-1] == '\t');)
		name_end--;
	n = (size_t)(end - colon - 1);
	if (n >= sizeof(value))
		return;
	memcpy(value, colon + 1, n);
	value[n] = '\0';
	if (rw_ratelimit_count(value, LONG_MAX, &v) == -1)
		return;
	n = (size_t)(name_end - s);
	if (n == sizeof(lim) - 1 && strncasecmp(s, lim, n) == 0) {
		out->limit = (long)v;
		out->known = true;
	} else if (n == sizeof(rem) - 1 && strncasecmp(s, rem, n) == 0) {
		out->remaining = (long)v;
		out->known = true;
	}
}

void
rw_app_store_ratelimit_read(rw_header_lookup_fn *lookup, void *arg, int64_t now_ms,
			    struct rw_ratelimit *out)
{
	const char *s = lookup(arg, "X-Rate-Limit"), *end;

	(void)now_ms; /* a rolling hour: no reset to compute */
	for (; s != NULL && *s != '\0'; s = *end == ';' ? end + 1 : end) {
		if ((end = strchr(s, ';')) == NULL)
			end = s + strlen(s);
		asc_ratelimit_part(s, end, out);
	}
}
