/*
 * google_business_parse.c: Google Business Profile v4 reviews (a list
 * page, one review) into review items and brand replies. Pure: no I/O.
 *
 * Reviews are read from the last (oldest-updated) to the first so that the
 * kept items come out oldest first, each review before its reply. Every
 * review counts towards the watermarks; one that cannot be used is
 * rejected with a reason (page.h), never fatal: only a body of the wrong
 * shape, or too large, is.
 */
#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "replywatch/config.h"
#include "replywatch/item.h"
#include "replywatch/page.h"
#include "replywatch/sources/google_business.h"
#include "replywatch/sources/review.h"

/* RFC 3986 unreserved, but for the letters and digits. */
#define UNRESERVED "._~-"

/* Longest link kept as a review's url. */
#define URL_MAX 2048

bool
rw_google_business_id_valid(const char *id)
{
	return rw_review_id_chars(id, RW_GOOGLE_BUSINESS_ID_MAX, UNRESERVED);
}

/* Reads "WORD/ID/" at *s into nothing but a check, moving *s past it. */
static bool
name_part(const char **s, const char *word)
{
	char id[RW_GOOGLE_BUSINESS_ID_MAX + 1];
	size_t w = strlen(word), n;
	const char *slash;

	if (strncmp(*s, word, w) != 0 || (*s)[w] != '/')
		return false;
	*s += w + 1;
	if ((slash = strchr(*s, '/')) == NULL || (n = (size_t)(slash - *s)) >= sizeof(id))
		return false;
	memcpy(id, *s, n);
	id[n] = '\0';
	if (!rw_google_business_id_valid(id))
		return false;
	*s = slash + 1;
	return true;
}

const char *
rw_google_business_name_id(const char *name)
{
	const char *s = name;

	if (s == NULL || !name_part(&s, "accounts") || !name_part(&s, "locations") ||
	    strncmp(s, "reviews/", 8) != 0)
		return NULL;
	s += 8;
	return rw_google_business_id_valid(s) ? s : NULL;
}

/* The review's id: reviewId, else the last part of name; a name given must
 * be a review's name with that same id. NULL with *why when none is
 * valid. */
static const char *
gbp_review_id(const json_t *r, const char **why)
{
	const char *name, *from_name = NULL, *id;

	if (rw_review_opt_str(r, "name", &name) == -1 ||
	    (name != NULL && (from_name = rw_google_business_name_id(name)) == NULL)) {
		*why = RW_REJECT_BAD_ID;
		return NULL;
	}
	id = rw_page_id(r, "reviewId", rw_google_business_id_valid, why);
	if (id == NULL && from_name != NULL && strcmp(*why, RW_REJECT_NO_ID) == 0)
		return from_name;
	if (id != NULL && from_name != NULL && strcmp(id, from_name) != 0) {
		*why = RW_REJECT_BAD_ID;
		return NULL;
	}
	return id;
}

/* "ONE".."FIVE" as 1..5; 0 for STAR_RATING_UNSPECIFIED and anything else. */
static int
gbp_rating(const json_t *r)
{
	static const char *const names[] = {"ONE", "TWO", "THREE", "FOUR", "FIVE"};
	const char *s = rw_page_str(r, "starRating");

	for (int i = 0; s != NULL && i < 5; i++)
		if (strcmp(s, names[i]) == 0)
			return i + 1;
	return 0;
}

/* reviewReplyUrl when it is an https:// link of printable ASCII. */
static const char *
gbp_url(const json_t *r)
{
	const char *s;
	size_t n;

	if (rw_review_opt_str(r, "reviewReplyUrl", &s) == -1 || s == NULL ||
	    strncmp(s, "https://", 8) != 0 || (n = strlen(s)) <= 8 || n > URL_MAX)
		return NULL;
	for (size_t i = 0; i < n; i++)
		if (s[i] <= ' ' || s[i] > '~')
			return NULL;
	return s;
}

static void
gbp_place(const json_t *r, const char **id, int64_t *ms)
{
	const char *why;

	*id = json_is_object(r) ? gbp_review_id(r, &why) : NULL;
	*ms = rw_review_time(r, "updateTime");
}

static enum rw_page_entry
gbp_review(const json_t *r, struct rw_item *it, const char **why)
{
	const json_t *reviewer = json_object_get(r, "reviewer");
	const char *id, *name, *comment;

	*why = RW_REJECT_WRONG_TYPE;
	if (!json_is_object(r))
		return RW_PAGE_REJECTED;
	if ((id = gbp_review_id(r, why)) == NULL)
		return RW_PAGE_REJECTED;
	if (rw_page_copy(id, &it->id) == -1)
		return RW_PAGE_NOMEM;
	*why = RW_REJECT_BAD_RATING;
	if ((it->rating = gbp_rating(r)) == 0)
		return RW_PAGE_REJECTED;
	it->has_rating = true;
	*why = RW_REJECT_WRONG_TYPE;
	if ((reviewer != NULL && !json_is_null(reviewer) && !json_is_object(reviewer)) ||
	    rw_review_opt_str(r, "comment", &comment) == -1)
		return RW_PAGE_REJECTED;
	*why = RW_REJECT_BAD_AUTHOR;
	if (rw_review_opt_str(reviewer, "displayName", &name) == -1)
		return RW_PAGE_REJECTED;
	*why = RW_REJECT_BAD_TIME;
	it->created_at_ms =
		rw_page_earlier(rw_review_time(r, "createTime"), rw_review_time(r, "updateTime"));
	if (it->created_at_ms == 0)
		return RW_PAGE_REJECTED;
	it->kind = RW_KIND_REVIEW;
	if (rw_review_author(name, json_is_true(json_object_get(reviewer, "isAnonymous")),
			     &it->author) == -1 ||
	    rw_page_copy(comment, &it->text) == -1 || rw_page_copy(gbp_url(r), &it->url) == -1 ||
	    rw_page_copy(id, &it->conversation_id) == -1)
		return RW_PAGE_NOMEM;
	return RW_PAGE_KEPT;
}

/* The owner's reply on review id (kept), as a brand reply. */
static enum rw_page_entry
gbp_reply(const json_t *r, const char *id, struct rw_item *it, const char **why)
{
	const json_t *reply = json_object_get(r, "reviewReply");
	const char *comment;

	if (reply == NULL || json_is_null(reply))
		return RW_PAGE_SKIPPED;
	if (rw_review_reply_id(id, &it->id) == -1)
		return RW_PAGE_NOMEM;
	*why = RW_REJECT_WRONG_TYPE;
	if (!json_is_object(reply) || rw_review_opt_str(reply, "comment", &comment) == -1)
		return RW_PAGE_REJECTED;
	*why = RW_REJECT_BAD_TIME;
	if ((it->created_at_ms = rw_review_time(reply, "updateTime")) == 0)
		return RW_PAGE_REJECTED;
	return rw_review_reply_fill(it, id, comment);
}

static void
gbp_read(const json_t *r, void *ctx, struct rw_review_entry *e)
{
	(void)ctx;
	e->review_e = gbp_review(r, &e->review, &e->review_why);
	if (e->review_e == RW_PAGE_KEPT)
		e->reply_e = gbp_reply(r, e->review.id, &e->reply, &e->reply_why);
	else
		e->reply_e = RW_PAGE_SKIPPED;
}

static const struct rw_review_list gbp_list = {gbp_place, gbp_read, NULL};

int
rw_google_business_parse_reviews(const char *body, size_t len, struct rw_page *page, char *err,
				 size_t errlen)
{
	return rw_review_parse_list(body, len, "reviews", NULL, "nextPageToken", &gbp_list, page,
				    err, errlen);
}

int
rw_google_business_parse_review(const char *body, size_t len, struct rw_page *page, char *err,
				size_t errlen)
{
	return rw_review_parse_one(body, len, &gbp_list, page, err, errlen);
}
