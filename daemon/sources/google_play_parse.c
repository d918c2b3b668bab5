/*
 * google_play_parse.c: Google Play Developer API v3 reviews (a list page,
 * one review) into review items and brand replies. Pure: no I/O.
 *
 * Reviews are read from the last (oldest-modified) to the first so that
 * the kept items come out oldest first, each review before its reply.
 * Every review counts towards the watermarks; one that cannot be used is
 * rejected with a reason (page.h), never fatal: only a body of the wrong
 * shape, or too large, is.
 */
#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "replywatch/clock.h"
#include "replywatch/config.h"
#include "replywatch/item.h"
#include "replywatch/page.h"
#include "replywatch/sources/google_play.h"
#include "replywatch/sources/review.h"

bool
rw_google_play_id_valid(const char *id)
{
	return rw_review_id_chars(id, RW_GOOGLE_PLAY_ID_MAX, "._~-:");
}

/* Timestamp.seconds: digits in a string (protobuf's JSON form of int64) or
 * a JSON integer; 0 when neither or out of range. */
static int64_t
play_seconds(const json_t *v)
{
	const int64_t max = RW_TIME_MAX_MS / 1000;
	int64_t secs = 0;

	if (json_is_integer(v))
		return json_integer_value(v) > 0 && json_integer_value(v) <= max
			       ? (int64_t)json_integer_value(v)
			       : 0;
	if (!json_is_string(v) || json_string_length(v) == 0 ||
	    strlen(json_string_value(v)) != json_string_length(v))
		return 0;
	for (const char *s = json_string_value(v); *s != '\0'; s++) {
		if (*s < '0' || *s > '9' || secs > (max - (*s - '0')) / 10)
			return 0;
		secs = secs * 10 + (*s - '0');
	}
	return secs;
}

int64_t
rw_google_play_time(const json_t *ts)
{
	const json_t *nanos = json_object_get(ts, "nanos");
	int64_t secs = play_seconds(json_object_get(ts, "seconds")), ns = 0;

	if (!json_is_object(ts) || secs == 0)
		return 0;
	if (nanos != NULL && !json_is_null(nanos)) {
		if (!json_is_integer(nanos) || json_integer_value(nanos) < 0 ||
		    json_integer_value(nanos) > 999999999)
			return 0;
		ns = (int64_t)json_integer_value(nanos);
	}
	return secs * 1000 + ns / 1000000;
}

/* The first comments[] element holding member key (userComment or
 * developerComment); -1 when comments is no array or an element is no
 * object. */
static int
play_comment(const json_t *review, const char *key, const json_t **found)
{
	const json_t *comments = json_object_get(review, "comments"), *c;
	size_t i;

	*found = NULL;
	if (!json_is_array(comments))
		return -1;
	json_array_foreach(comments, i, c)
	{
		if (!json_is_object(c))
			return -1;
		if (*found == NULL && json_object_get(c, key) != NULL)
			*found = json_object_get(c, key);
	}
	return 0;
}

static void
play_place(const json_t *r, const char **id, int64_t *ms)
{
	const json_t *user;
	const char *why;

	*id = rw_page_id(r, "reviewId", rw_google_play_id_valid, &why);
	*ms = play_comment(r, "userComment", &user) == 0
		      ? rw_google_play_time(json_object_get(user, "lastModified"))
		      : 0;
}

static enum rw_page_entry
play_review(const json_t *r, struct rw_item *it, const char **why)
{
	const json_t *user, *rating;
	const char *id, *name, *text;

	*why = RW_REJECT_WRONG_TYPE;
	if (!json_is_object(r))
		return RW_PAGE_REJECTED;
	if ((id = rw_page_id(r, "reviewId", rw_google_play_id_valid, why)) == NULL)
		return RW_PAGE_REJECTED;
	if (rw_page_copy(id, &it->id) == -1)
		return RW_PAGE_NOMEM;
	*why = RW_REJECT_WRONG_TYPE;
	if (play_comment(r, "userComment", &user) == -1 || !json_is_object(user) ||
	    rw_review_opt_str(user, "text", &text) == -1)
		return RW_PAGE_REJECTED;
	*why = RW_REJECT_BAD_RATING;
	rating = json_object_get(user, "starRating");
	if (!json_is_integer(rating) || json_integer_value(rating) < 1 ||
	    json_integer_value(rating) > 5)
		return RW_PAGE_REJECTED;
	it->rating = (int)json_integer_value(rating);
	it->has_rating = true;
	*why = RW_REJECT_BAD_AUTHOR;
	if (rw_review_opt_str(r, "authorName", &name) == -1)
		return RW_PAGE_REJECTED;
	*why = RW_REJECT_BAD_TIME;
	if ((it->created_at_ms = rw_google_play_time(json_object_get(user, "lastModified"))) == 0)
		return RW_PAGE_REJECTED;
	it->kind = RW_KIND_REVIEW;
	if (rw_review_author(name, false, &it->author) == -1 ||
	    rw_page_copy(text, &it->text) == -1 || rw_page_copy(id, &it->conversation_id) == -1)
		return RW_PAGE_NOMEM;
	return RW_PAGE_KEPT;
}

/* The developer's reply on review id (kept), as a brand reply. */
static enum rw_page_entry
play_reply(const json_t *r, const char *id, struct rw_item *it, const char **why)
{
	const json_t *dev;
	const char *text;

	if (play_comment(r, "developerComment", &dev) == -1 || dev == NULL || json_is_null(dev))
		return RW_PAGE_SKIPPED;
	if (rw_review_reply_id(id, &it->id) == -1)
		return RW_PAGE_NOMEM;
	*why = RW_REJECT_WRONG_TYPE;
	if (!json_is_object(dev) || rw_review_opt_str(dev, "text", &text) == -1)
		return RW_PAGE_REJECTED;
	*why = RW_REJECT_BAD_TIME;
	if ((it->created_at_ms = rw_google_play_time(json_object_get(dev, "lastModified"))) == 0)
		return RW_PAGE_REJECTED;
	return rw_review_reply_fill(it, id, text);
}

static void
play_read(const json_t *r, void *ctx, struct rw_review_entry *e)
{
	(void)ctx;
	e->review_e = play_review(r, &e->review, &e->review_why);
	if (e->review_e == RW_PAGE_KEPT)
		e->reply_e = play_reply(r, e->review.id, &e->reply, &e->reply_why);
	else
		e->reply_e = RW_PAGE_SKIPPED;
}

static const struct rw_review_list play_list = {play_place, play_read, NULL};

int
rw_google_play_parse_reviews(const char *body, size_t len, struct rw_page *page, char *err,
			     size_t errlen)
{
	return rw_review_parse_list(body, len, "reviews", "tokenPagination", "nextPageToken",
				    &play_list, page, err, errlen);
}

int
rw_google_play_parse_review(const char *body, size_t len, struct rw_page *page, char *err,
			    size_t errlen)
{
	return rw_review_parse_one(body, len, &play_list, page, err, errlen);
}
