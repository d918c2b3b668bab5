/*
 * trustpilot_parse.c: Trustpilot's review list and single review answers
 * into items (trustpilot.h). Pure: no I/O.
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "replywatch/sources/review.h"
#include "replywatch/sources/trustpilot.h"
#include "replywatch/clock.h"
#include "replywatch/config.h"
#include "replywatch/item.h"
#include "replywatch/page.h"

#define REVIEW_URL "https://www.trustpilot.com/reviews/"

bool
rw_trustpilot_id_valid(const char *id)
{
	if (id == NULL || strlen(id) != RW_TRUSTPILOT_ID_LEN)
		return false;
	for (const char *p = id; *p; p++)
		if (!((*p >= '0' && *p <= '9') || (*p >= 'a' && *p <= 'f') ||
		      (*p >= 'A' && *p <= 'F')))
			return false;
	return true;
}

/* An object member that must be an object when present: *out it (or NULL
 * when absent or null); false for any other type. */
static bool
opt_object(const json_t *obj, const char *key, const json_t **out)
{
	const json_t *v = json_object_get(obj, key);

	*out = json_is_object(v) ? v : NULL;
	return v == NULL || json_is_null(v) || json_is_object(v);
}

static int
review_url(const char *id, char **out)
{
	size_t n = sizeof(REVIEW_URL) + strlen(id);

	if ((*out = malloc(n)) == NULL)
		return -1;
	snprintf(*out, n, "%s%s", REVIEW_URL, id);
	return 0;
}

/* The review r (id already valid) as an item. */
static enum rw_page_entry
review_item(const json_t *r, const char *id, struct rw_item *it, const char **why)
{
	const json_t *consumer, *stars = json_object_get(r, "stars");
	const char *name;

	if (!opt_object(r, "consumer", &consumer)) {
		*why = RW_REJECT_WRONG_TYPE;
		return RW_PAGE_REJECTED;
	}
	if ((it->created_at_ms = rw_review_time(r, "createdAt")) == 0) {
		*why = RW_REJECT_BAD_TIME;
		return RW_PAGE_REJECTED;
	}
	name = rw_page_str(consumer, "displayName");
	if (rw_review_author(name, false, &it->author) == -1 ||
	    rw_review_text(rw_page_str(r, "title"), rw_page_str(r, "text"), &it->text) == -1 ||
	    review_url(id, &it->url) == -1)
		return RW_PAGE_NOMEM;
	it->kind = RW_KIND_REVIEW;
	if (json_is_integer(stars) && json_integer_value(stars) >= 1 &&
	    json_integer_value(stars) <= 5) {
		it->has_rating = true;
		it->rating = (int)json_integer_value(stars);
	}
	return RW_PAGE_KEPT;
}

/* The brand's answer reply (an object) to review id as an item. */
static enum rw_page_entry
reply_item(const json_t *reply, const char *id, struct rw_item *it, const char **why)
{
	if ((it->created_at_ms = rw_review_time(reply, "createdAt")) == 0) {
		*why = RW_REJECT_BAD_TIME;
		return RW_PAGE_REJECTED;
	}
	if (rw_review_reply_id(id, &it->id) == -1 || rw_page_copy(id, &it->in_reply_to) == -1 ||
	    rw_page_copy("brand", &it->author) == -1 ||
	    rw_page_copy(rw_page_str(reply, "text"), &it->text) == -1)
		return RW_PAGE_NOMEM;
	it->kind = RW_KIND_REVIEW;
	it->from_brand = true;
	return RW_PAGE_KEPT;
}

/* One review of an answer: its item (when with_review) and its reply. */
static int
one_review(struct rw_page *page, const json_t *r, bool with_review)
{
	struct rw_item it = {0};
	const json_t *reply = NULL;
	const char *why = NULL, *id = NULL;
	enum rw_page_entry e;

	if (!json_is_object(r)) {
		e = RW_PAGE_REJECTED;
		why = RW_REJECT_WRONG_TYPE;
	} else if ((id = rw_page_id(r, "id", rw_trustpilot_id_valid, &why)) == NULL) {
		e = RW_PAGE_REJECTED;
	} else if (!opt_object(r, "companyReply", &reply)) {
		e = RW_PAGE_REJECTED;
		why = RW_REJECT_WRONG_TYPE;
	} else {
		e = with_review ? review_item(r, id, &it, &why) : RW_PAGE_SKIPPED;
	}
	/* A parser sets item->id only to a valid id (rw_page_keep names it). */
	if (id != NULL && e != RW_PAGE_NOMEM && rw_page_copy(id, &it.id) == -1)
		e = RW_PAGE_NOMEM;
	if (rw_page_keep(page, e, why, &it) == -1)
		goto nomem;
	if (reply == NULL || (with_review && e != RW_PAGE_KEPT))
		return 0;
	e = reply_item(reply, id, &it, &why);
	if (e == RW_PAGE_REJECTED && (it.id = strdup(id)) == NULL)
		goto nomem;
	if (rw_page_keep(page, e, why, &it) == -1)
		goto nomem;
	return 0;
nomem:
	rw_item_clear(&it);
	return -1;
}

int
rw_trustpilot_parse_reviews(const char *body, size_t len, struct rw_page *page, char *err,
			    size_t errlen)
{
	json_t *doc;
	const json_t *reviews;

	memset(page, 0, sizeof(*page));
	if ((doc = rw_page_load(body, len, JSON_OBJECT, err, errlen)) == NULL)
		return -1;
	reviews = json_object_get(doc, "reviews");
	if (!json_is_array(reviews)) {
		snprintf(err, errlen, "expected a reviews array");
		goto fail;
	}
	if (json_array_size(reviews) > RW_PAGE_MAX_ENTRIES) {
		/* Refused whole: taking a part would move the walk past the rest. */
		snprintf(err, errlen, "page too large: %zu reviews (at most %d)",
			 json_array_size(reviews), RW_PAGE_MAX_ENTRIES);
		goto fail;
	}
	page->nentries = json_array_size(reviews);
	/* Newest first on the wire; items go oldest first. */
	for (size_t i = page->nentries; i-- > 0;) {
		const json_t *r = json_array_get(reviews, i);

		if (rw_page_note(page, NULL, rw_page_str(r, "createdAt")) == -1 ||
		    one_review(page, r, true) == -1)
			goto nomem;
	}
	json_decref(doc);
	return 0;
nomem:
	snprintf(err, errlen, "out of memory");
fail:
	rw_page_clear(page);
	json_decref(doc);
	return -1;
}

int
rw_trustpilot_parse_review(const char *body, size_t len, const char *id, struct rw_page *page,
			   char *err, size_t errlen)
{
	json_t *doc;

	memset(page, 0, sizeof(*page));
	if ((doc = rw_page_load(body, len, JSON_OBJECT, err, errlen)) == NULL)
		return -1;
	if (!rw_page_same(rw_page_str(doc, "id"), id)) {
		snprintf(err, errlen, "review: another id");
		goto fail;
	}
	page->nentries = 1;
	if (one_review(page, doc, false) == -1) {
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
