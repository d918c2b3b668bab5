/*
 * allegro_parse.c: Allegro's GET /me and buyer ratings (a list page, one
 * rating) into review items and the seller's answers. Pure: no I/O.
 *
 * A rating becomes a review item; its rating number is the rounded mean of
 * the rates the buyer gave (1-5 each), or, when the rating carries none
 * (the 2025 rating model may leave them out), 5 for recommended and 1 for
 * not recommended. The seller's answer is the brand reply "ID/reply" dated
 * answer.createdAt. The list is ordered by lastChangedAt (a rating's
 * creation or latest edit), which is what the page's times report.
 */
#include <jansson.h>
#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "replywatch/config.h"
#include "replywatch/item.h"
#include "replywatch/page.h"
#include "replywatch/sources/allegro.h"
#include "replywatch/sources/review.h"

bool
rw_allegro_id_valid(const char *id)
{
	return rw_review_id_chars(id, RW_ALLEGRO_ID_MAX, "-_");
}

/* The seller's id may be a number or a string in the answer. */
static int
allegro_me_id(const json_t *v, char **out)
{
	char num[32];

	if (json_is_integer(v) && json_integer_value(v) > 0) {
		snprintf(num, sizeof(num), "%lld", (long long)json_integer_value(v));
		return rw_page_copy(num, out);
	}
	if (!json_is_string(v) || !rw_allegro_id_valid(json_string_value(v)))
		return 1;
	return rw_page_copy(json_string_value(v), out);
}

int
rw_allegro_parse_me(const char *body, size_t len, char **id, char **login, char *err, size_t errlen)
{
	json_t *doc = json_loadb(body, len, 0, NULL);
	const char *l;
	int r = -1, k;

	*id = NULL;
	*login = NULL;
	if (!json_is_object(doc)) {
		snprintf(err, errlen, "me: not a JSON object");
		goto done;
	}
	if ((k = allegro_me_id(json_object_get(doc, "id"), id)) != 0) {
		snprintf(err, errlen, k == 1 ? "me: no id" : "out of memory");
		goto done;
	}
	l = rw_page_str(doc, "login");
	if (l == NULL || strlen(l) > RW_REVIEW_AUTHOR_MAX) {
		snprintf(err, errlen, "me: no login");
		goto done;
	}
	if (rw_page_copy(l, login) == -1) {
		snprintf(err, errlen, "out of memory");
		goto done;
	}
	r = 0;
done:
	if (r == -1) {
		free(*id);
		*id = NULL;
	}
	json_decref(doc);
	return r;
}

int
rw_allegro_rating_of(const void *rating_json)
{
	static const char *const rates[] = {"delivery", "deliveryCost", "description", "service"};
	const json_t *r = rating_json;
	const json_t *rs = json_object_get(r, "rates"), *rec;
	int sum = 0, n = 0;

	for (size_t i = 0; json_is_object(rs) && i < sizeof(rates) / sizeof(rates[0]); i++) {
		const json_t *v = json_object_get(rs, rates[i]);

		if (json_is_integer(v) && json_integer_value(v) >= 1 &&
		    json_integer_value(v) <= 5) {
			sum += (int)json_integer_value(v);
			n++;
		}
	}
	if (n > 0)
		return (int)lround((double)sum / n);
	rec = json_object_get(r, "recommended");
	if (json_is_boolean(rec))
		return json_is_true(rec) ? 5 : 1;
	return 0;
}

static void
allegro_place(const json_t *r, const char **id, int64_t *ms)
{
	const char *why;

	*id = json_is_object(r) ? rw_page_id(r, "id", rw_allegro_id_valid, &why) : NULL;
	*ms = rw_review_time(r, "lastChangedAt");
	if (*ms == 0)
		*ms = rw_review_time(r, "createdAt");
}

static enum rw_page_entry
allegro_review(const json_t *r, struct rw_item *it, const char **why)
{
	const json_t *buyer = json_object_get(r, "buyer");
	const char *id, *login, *comment;

	*why = RW_REJECT_WRONG_TYPE;
	if (!json_is_object(r))
		return RW_PAGE_REJECTED;
	if ((id = rw_page_id(r, "id", rw_allegro_id_valid, why)) == NULL)
		return RW_PAGE_REJECTED;
	if (rw_page_copy(id, &it->id) == -1)
		return RW_PAGE_NOMEM;
	*why = RW_REJECT_BAD_RATING;
	if ((it->rating = rw_allegro_rating_of(r)) == 0)
		return RW_PAGE_REJECTED;
	it->has_rating = true;
	*why = RW_REJECT_WRONG_TYPE;
	if ((buyer != NULL && !json_is_null(buyer) && !json_is_object(buyer)) ||
	    rw_review_opt_str(r, "comment", &comment) == -1)
		return RW_PAGE_REJECTED;
	*why = RW_REJECT_BAD_AUTHOR;
	if (rw_review_opt_str(buyer, "login", &login) == -1)
		return RW_PAGE_REJECTED;
	*why = RW_REJECT_BAD_TIME;
	if ((it->created_at_ms = rw_review_time(r, "createdAt")) == 0)
		return RW_PAGE_REJECTED;
	it->kind = RW_KIND_REVIEW;
	if (rw_review_author(login, false, &it->author) == -1 ||
	    rw_page_copy(comment, &it->text) == -1 ||
	    rw_page_copy(RW_ALLEGRO_RATINGS_URL, &it->url) == -1 ||
	    rw_page_copy(id, &it->conversation_id) == -1)
		return RW_PAGE_NOMEM;
	return RW_PAGE_KEPT;
}

/* The seller's answer on rating id, as a brand reply. */
static enum rw_page_entry
allegro_answer(const json_t *r, const char *id, struct rw_item *it, const char **why)
{
	const json_t *answer = json_object_get(r, "answer");
	const char *text;

	if (answer == NULL || json_is_null(answer))
		return RW_PAGE_SKIPPED;
	if (rw_review_reply_id(id, &it->id) == -1)
		return RW_PAGE_NOMEM;
	*why = RW_REJECT_WRONG_TYPE;
	if (!json_is_object(answer) || rw_review_opt_str(answer, "message", &text) == -1)
		return RW_PAGE_REJECTED;
	*why = RW_REJECT_BAD_TIME;
	if ((it->created_at_ms = rw_review_time(answer, "createdAt")) == 0)
		return RW_PAGE_REJECTED;
	return rw_review_reply_fill(it, id, text);
}

static void
allegro_read(const json_t *r, void *ctx, struct rw_review_entry *e)
{
	(void)ctx;
	e->review_e = allegro_review(r, &e->review, &e->review_why);
	if (e->review_e == RW_PAGE_KEPT)
		e->reply_e = allegro_answer(r, e->review.id, &e->reply, &e->reply_why);
	else
		e->reply_e = RW_PAGE_SKIPPED;
}

static const struct rw_review_list allegro_list = {allegro_place, allegro_read, NULL};

int
rw_allegro_parse_ratings(const char *body, size_t len, struct rw_page *page, char *err,
			 size_t errlen)
{
	/* Offset paging: no token in the answer (the poller counts pages). */
	return rw_review_parse_list(body, len, "ratings", NULL, "nextPage", &allegro_list, page,
				    err, errlen);
}

int
rw_allegro_parse_rating(const char *body, size_t len, struct rw_page *page, char *err,
			size_t errlen)
{
	return rw_review_parse_one(body, len, &allegro_list, page, err, errlen);
}
