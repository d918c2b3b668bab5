/*
 * fake_review_store.c: the reviews of one review platform, kept in
 * st->own[p] (never in the social store): each with the brand's answer on
 * the review itself, edits that move its times, and deletes; the control
 * calls every review platform shares, and its part of /_fake/state.
 *
 *   POST /_fake/{p}/review|answer|publish|edit|edit_answer|delete|
 *                   delete_answer|revoke|settings
 *   GET  /_fake/{p}/reviews
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fake_reviews.h"

#define MAX_TEXT 8192 /* longest review, title or answer the control API takes */

struct fake_reviews *
fake_reviews_of(struct fake_state *st, enum fake_platform p, const struct fake_review_rules *rules)
{
	struct fake_reviews *rv = st->own[p];

	if (rv == NULL && (rv = calloc(1, sizeof(*rv))) != NULL) {
		rv->rules = rules;
		rv->st = st;
		rv->p = p;
		rv->list_window_s = rules->list_window_s;
		st->own[p] = rv;
	}
	return rv;
}

struct fake_review *
fake_reviews_find(struct fake_reviews *rv, const char *id)
{
	for (size_t i = 0; rv != NULL && id != NULL && i < rv->n; i++)
		if (!rv->v[i].deleted && strcmp(rv->v[i].id, id) == 0)
			return &rv->v[i];
	return NULL;
}

static void
review_clear(struct fake_review *r)
{
	free(r->id);
	free(r->author);
	free(r->title);
	free(r->text);
	free(r->reply);
	free(r->reply_id);
	memset(r, 0, sizeof(*r));
}
/* ---- control calls ---- */

/* The member key of body, or its alias (the name Trustpilot's fake gives it:
 * "id", "stars", "created_at"), so one script can drive every review fake. */
static const char *
alias(json_t *body, const char *key, const char *other)
{
	return json_object_get(body, key) == NULL && json_object_get(body, other) != NULL ? other
											  : key;
}

/* Reads optional "at" (RFC 3339) into *ms (absent: now), at rv's precision. */
static bool
read_at(const struct fake_reviews *rv, json_t *body, const char *key, int64_t *ms,
	struct fake_resp *resp)
{
	const char *s;
	char msg[96];

	*ms = fake_now_ms();
	if (!fake_control_str(body, key, &s, resp))
		return false;
	if (s != NULL && fake_parse_time(s, ms) == -1) {
		snprintf(msg, sizeof(msg), "%s must be an RFC 3339 time", key);
		fake_control_error(resp, 400, msg);
		return false;
	}
	*ms -= ((*ms % rv->rules->granularity_ms) + rv->rules->granularity_ms) %
	       rv->rules->granularity_ms;
	return true;
}

/* A string member of at most MAX_TEXT bytes; false after a 400. */
static bool
read_text(json_t *body, const char *key, const char **out, struct fake_resp *resp)
{
	char msg[96];

	if (!fake_control_str(body, key, out, resp))
		return false;
	if (*out != NULL && strlen(*out) > MAX_TEXT) {
		snprintf(msg, sizeof(msg), "%s longer than %d bytes", key, MAX_TEXT);
		fake_control_error(resp, 400, msg);
		return false;
	}
	return true;
}

/* Replaces *dst with a copy of src (NULL stays NULL); false when out of memory. */
static bool
set_str(char **dst, const char *src)
{
	char *copy = src ? strdup(src) : NULL;

	if (src != NULL && copy == NULL)
		return false;
	free(*dst);
	*dst = copy;
	return true;
}

static json_t *
review_json(const struct fake_review *r)
{
	char created[FAKE_TIME_LEN], updated[FAKE_TIME_LEN], replied[FAKE_TIME_LEN];
	json_t *answer = json_null();

	fake_fmt_ms(r->created_ms, created);
	fake_fmt_ms(r->updated_ms, updated);
	fake_fmt_ms(r->reply_ms, replied);
	if (r->reply != NULL)
		answer = json_pack("{s:s, s:s?, s:s, s:s}", "text", r->reply, "id", r->reply_id,
				   "state", r->reply_published ? "PUBLISHED" : "PENDING_PUBLISH",
				   "updated_at", replied);
	return json_pack("{s:s, s:i, s:s?, s:b, s:s?, s:s?, s:s, s:s, s:b, s:o}", "id", r->id,
			 "rating", r->rating, "author", r->author, "anonymous", r->author == NULL,
			 "title", r->title, "text", r->text, "created_at", created, "updated_at",
			 updated, "deleted", r->deleted, "answer", answer);
}

/* A review as this platform's control calls show it: the rules' form (with
 * "deleted" added) or the store's own. */
static json_t *
shown(const struct fake_reviews *rv, const struct fake_review *r)
{
	json_t *v;

	if (rv->rules->show == NULL)
		return review_json(r);
	v = rv->rules->show(rv->st, rv->p, r);
	if (v != NULL && json_object_set_new(v, "deleted", json_boolean(r->deleted)) == -1) {
		json_decref(v);
		v = NULL;
	}
	return v;
}

/* A new review's id: prefix + 12 hex digits of the counter, or (id_from_time)
 * 8 hex digits of the created second + 16 of the counter. */
static char *
new_id(struct fake_reviews *rv, int64_t created_ms)
{
	unsigned long long n = (unsigned long long)++rv->seq;

	if (rv->rules->id_from_time)
		return fake_sprintf("%08" PRIx32 "%016llx", (uint32_t)(created_ms / 1000), n);
	return fake_sprintf("%s%012llx", rv->rules->id_prefix, n);
}

/* The review named by body's "review" (a 404 or 400 answered otherwise). */
static struct fake_review *
ctl_target(struct fake_reviews *rv, json_t *body, struct fake_resp *resp)
{
	const char *id;
	struct fake_review *r;

	if (!fake_control_str(body, alias(body, "review", "id"), &id, resp))
		return NULL;
	if (id == NULL) {
		fake_control_error(resp, 400, "review (an id) is required");
		return NULL;
	}
	if ((r = fake_reviews_find(rv, id)) == NULL)
		fake_control_error(resp, 404, "no such review (or it was deleted)");
	return r;
}

/* POST review: {rating, text?, title?, author? (absent: anonymous), created_at?} */
static void
ctl_add_review(struct fake_reviews *rv, json_t *body, struct fake_resp *resp)
{
	struct fake_review r = {0};
	const char *author, *title, *text;
	long rating;

	if (!fake_control_int(body, alias(body, "rating", "stars"), 0, &rating, resp) ||
	    !read_text(body, "author", &author, resp) || !read_text(body, "title", &title, resp) ||
	    !read_text(body, "text", &text, resp) ||
	    !read_at(rv, body, "created_at", &r.created_ms, resp))
		return;
	if (rating < 1 || rating > 5) {
		fake_control_error(resp, 400, "rating must be 1 to 5");
		return;
	}
	if (fake_grow((void **)&rv->v, &rv->cap, rv->n, sizeof(*rv->v)) == -1)
		goto oom;
	r.rating = (int)rating;
	r.updated_ms = r.created_ms;
	r.id = new_id(rv, r.created_ms);
	if (r.id == NULL || !set_str(&r.author, author) || !set_str(&r.title, title) ||
	    !set_str(&r.text, text))
		goto oom;
	rv->v[rv->n++] = r;
	fake_resp_json(resp, 201, shown(rv, &rv->v[rv->n - 1]));
	return;
oom:
	review_clear(&r);
	fake_control_error(resp, 500, "out of memory");
}

/* POST answer: {review, text, at?, publish?}: a new answer or a replaced one. */
static void
ctl_answer(struct fake_reviews *rv, json_t *body, struct fake_resp *resp)
{
	struct fake_review *r = ctl_target(rv, body, resp);
	json_t *publish = json_object_get(body, "publish");
	const char *text;
	int64_t at;

	if (r == NULL || !read_text(body, "text", &text, resp) ||
	    !read_at(rv, body, alias(body, "at", "created_at"), &at, resp))
		return;
	if (text == NULL) {
		fake_control_error(resp, 400, "text is required");
		return;
	}
	if (publish != NULL && !json_is_boolean(publish)) {
		fake_control_error(resp, 400, "publish must be true or false");
		return;
	}
	if (r->reply_id == NULL && rv->rules->reply_prefix != NULL &&
	    (r->reply_id = fake_sprintf("%s%012llx", rv->rules->reply_prefix,
					(unsigned long long)++rv->seq)) == NULL)
		goto oom;
	if (r->reply == NULL)
		r->reply_created_ms = at;
	if (!set_str(&r->reply, text))
		goto oom;
	r->reply_ms = at;
	r->reply_published = !rv->rules->two_step || json_is_true(publish);
	fake_resp_json(resp, 201, shown(rv, r));
	return;
oom:
	fake_control_error(resp, 500, "out of memory");
}

/* POST publish: {review, at?}: Apple's PENDING_PUBLISH answer goes PUBLISHED. */
static void
ctl_publish(struct fake_reviews *rv, json_t *body, struct fake_resp *resp)
{
	struct fake_review *r = ctl_target(rv, body, resp);
	int64_t at;

	if (r == NULL || !read_at(rv, body, alias(body, "at", "created_at"), &at, resp))
		return;
	if (r->reply == NULL) {
		fake_control_error(resp, 409, "the review has no answer to publish");
		return;
	}
	if (!r->reply_published) {
		r->reply_published = true;
		r->reply_ms = at;
	}
	fake_resp_json(resp, 200, shown(rv, r));
}

/* POST edit: {review, rating?, title?, text?, at?}; edit_answer: {review, text, at?}. */
static void
ctl_edit(struct fake_reviews *rv, json_t *body, bool of_answer, struct fake_resp *resp)
{
	struct fake_review *r = ctl_target(rv, body, resp);
	const char *title, *text;
	long rating;
	int64_t at;

	if (r == NULL ||
	    !fake_control_int(body, alias(body, "rating", "stars"), r->rating, &rating, resp) ||
	    !read_text(body, "title", &title, resp) || !read_text(body, "text", &text, resp) ||
	    !read_at(rv, body, alias(body, "at", "created_at"), &at, resp))
		return;
	if (of_answer) {
		if (r->reply == NULL || text == NULL) {
			fake_control_error(resp, r->reply ? 400 : 409,
					   r->reply ? "text is required"
						    : "the review has no answer");
			return;
		}
		if (!set_str(&r->reply, text))
			goto oom;
		r->reply_ms = at;
	} else {
		if (rating < 1 || rating > 5) {
			fake_control_error(resp, 400, "rating must be 1 to 5");
			return;
		}
		if ((title != NULL && !set_str(&r->title, title)) ||
		    (text != NULL && !set_str(&r->text, text)))
			goto oom;
		r->rating = (int)rating;
		r->updated_ms = at;
	}
	fake_resp_json(resp, 200, shown(rv, r));
	return;
oom:
	fake_control_error(resp, 500, "out of memory");
}

/* POST delete / delete_answer: {review}. */
static void
ctl_delete(struct fake_reviews *rv, json_t *body, bool of_answer, struct fake_resp *resp)
{
	struct fake_review *r = ctl_target(rv, body, resp);

	if (r == NULL)
		return;
	if (of_answer) {
		free(r->reply);
		free(r->reply_id);
		r->reply = r->reply_id = NULL;
		r->reply_ms = r->reply_created_ms = 0;
		r->reply_published = false;
	} else {
		r->deleted = true;
	}
	fake_resp_json(resp, 200, shown(rv, r));
}

/* POST revoke: {revoked?: true}: the platform's credential stops (or starts again) working. */
static void
ctl_revoke(struct fake_state *st, struct fake_reviews *rv, json_t *body, struct fake_resp *resp)
{
	json_t *v = json_object_get(body, "revoked");

	if (v != NULL && !json_is_boolean(v)) {
		fake_control_error(resp, 400, "revoked must be true or false");
		return;
	}
	rv->revoked = v == NULL || json_is_true(v);
	if (rv->rules->revoke != NULL)
		rv->rules->revoke(st, rv->revoked);
	fake_resp_json(resp, 200, json_pack("{s:b}", "revoked", rv->revoked));
}

/* POST settings: {list_window?: seconds (0: no window), clock_offset?:
 * seconds the App Store's JWT check adds to the clock (a daemon on its test
 * clock signs with its own time)}. */
static void
ctl_settings(struct fake_reviews *rv, json_t *body, struct fake_resp *resp)
{
	long window, offset;

	if (!fake_control_int(body, "list_window", rv->list_window_s, &window, resp) ||
	    !fake_control_int(body, "clock_offset", rv->clock_offset_s, &offset, resp))
		return;
	rv->list_window_s = window;
	rv->clock_offset_s = offset;
	fake_resp_json(resp, 200,
		       json_pack("{s:I, s:I}", "list_window", (json_int_t)window, "clock_offset",
				 (json_int_t)offset));
}

bool
fake_reviews_control(struct fake_state *st, enum fake_platform p,
		     const struct fake_review_rules *rules, const char *what, json_t *body,
		     struct fake_resp *resp)
{
	struct fake_reviews *rv = fake_reviews_of(st, p, rules);

	if (rv == NULL) {
		fake_control_error(resp, 500, "out of memory");
		return true;
	}
	if (strcmp(what, "review") == 0)
		ctl_add_review(rv, body, resp);
	else if (strcmp(what, "answer") == 0)
		ctl_answer(rv, body, resp);
	else if (strcmp(what, "publish") == 0 && rules->two_step)
		ctl_publish(rv, body, resp);
	else if (strcmp(what, "edit") == 0 || strcmp(what, "edit_answer") == 0)
		ctl_edit(rv, body, strcmp(what, "edit_answer") == 0, resp);
	else if (strcmp(what, "delete") == 0 || strcmp(what, "delete_answer") == 0)
		ctl_delete(rv, body, strcmp(what, "delete_answer") == 0, resp);
	else if (strcmp(what, "revoke") == 0)
		ctl_revoke(st, rv, body, resp);
	else if (strcmp(what, "settings") == 0)
		ctl_settings(rv, body, resp);
	else
		return false;
	return true;
}

bool
fake_reviews_get(struct fake_state *st, enum fake_platform p, const struct fake_review_rules *rules,
		 const char *what, struct fake_resp *resp)
{
	struct fake_reviews *rv = fake_reviews_of(st, p, rules);
	json_t *list = json_array();

	if (strcmp(what, "reviews") != 0) {
		json_decref(list);
		return false;
	}
	for (size_t i = 0; rv != NULL && list != NULL && i < rv->n; i++) {
		if (json_array_append_new(list, shown(rv, &rv->v[i])) == -1) {
			json_decref(list);
			list = NULL;
		}
	}
	fake_resp_json(
		resp, 200,
		rv && list ? json_pack("{s:I, s:o}", "count", (json_int_t)rv->n, "reviews", list)
			   : NULL);
	return true;
}

json_t *
fake_reviews_state(const struct fake_state *st, enum fake_platform p)
{
	const struct fake_reviews *rv = st->own[p];
	size_t live = 0, answered = 0, deleted = 0;

	for (size_t i = 0; rv != NULL && i < rv->n; i++) {
		deleted += rv->v[i].deleted;
		live += !rv->v[i].deleted;
		answered += !rv->v[i].deleted && rv->v[i].reply != NULL;
	}
	return json_pack("{s:I, s:I, s:I, s:b, s:I, s:I, s:o, s:o}", "reviews", (json_int_t)live,
			 "answered", (json_int_t)answered, "deleted", (json_int_t)deleted,
			 "revoked", rv != NULL && rv->revoked, "list_window",
			 (json_int_t)(rv ? rv->list_window_s : 0), "faults_pending",
			 (json_int_t)fake_faults_pending(st, p), "config",
			 fake_control_config_json(st, p), "rate_limits", fake_limits_json(st, p));
}

void
fake_reviews_reset(struct fake_state *st, enum fake_platform p)
{
	struct fake_reviews *rv = st->own[p];

	if (rv == NULL)
		return;
	for (size_t i = 0; i < rv->n; i++)
		review_clear(&rv->v[i]);
	rv->n = 0;
	if (rv->revoked && rv->rules->revoke != NULL)
		rv->rules->revoke(st, false);
	rv->revoked = false;
	rv->list_window_s = rv->rules->list_window_s;
	rv->clock_offset_s = 0;
}

void
fake_reviews_free(struct fake_state *st, enum fake_platform p)
{
	struct fake_reviews *rv = st->own[p];

	if (rv == NULL)
		return;
	for (size_t i = 0; i < rv->n; i++)
		review_clear(&rv->v[i]);
	free(rv->v);
	free(rv);
	st->own[p] = NULL;
}

bool
fake_reviews_control_hook(struct fake_state *st, enum fake_platform p, const char *what,
			  json_t *body, struct fake_resp *resp)
{
	return fake_reviews_control(st, p, fake_platforms[p]->reviews, what, body, resp);
}

bool
fake_reviews_get_hook(struct fake_state *st, enum fake_platform p, const char *what,
		      struct fake_req *req, struct fake_resp *resp)
{
	(void)req;
	return fake_reviews_get(st, p, fake_platforms[p]->reviews, what, resp);
}
