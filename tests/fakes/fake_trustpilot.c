/*
 * fake_trustpilot.c: Trustpilot's public Business Units API as rwfake
 * serves it — reviews with the company's reply on the review itself,
 * listed newest first by page number, read one by one by id, and the API
 * key checked in the "apikey" header (a key in the query does not count).
 *
 *   GET /v1/business-units/{businessUnitId}/reviews?orderBy=createdat.desc&perPage=N&page=P
 *   GET /v1/reviews/{reviewId}          (404 once deleted)
 *
 * Control (docs/fakes.md): POST /_fake/trustpilot/review (stars 1-5, title,
 * text, author, created_at), answer (id, text, created_at: also an old
 * review far below page 1), edit (id, title, text, stars), delete (id);
 * GET /_fake/trustpilot/reviews. Faults and rate limits are the generic
 * ones (fake_route.c); Trustpilot sends no rate-limit headers.
 *
 * Shapes are reconstructed from the research sample (tap-trustpilot's
 * review schema); errors from the API gateway are Apigee faults
 * ({"fault":{"faultstring":...,"detail":{"errorcode":...}}}), as the
 * real API answers an invalid key.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fake.h"

#define TP_ID_LEN 24
#define TP_PER_PAGE_DEFAULT 20
#define TP_PER_PAGE_MAX 100

struct tp_review {
	char id[TP_ID_LEN + 1];
	long stars;
	char *title, *text, *author;    /* author NULL: a consumer without a display name */
	int64_t created_ms, updated_ms; /* updated_ms 0: never edited */
	char *reply_text;               /* the company reply, when reply_ms > 0 */
	int64_t reply_ms, reply_updated_ms;
	bool deleted;
};

struct tp_state {
	struct tp_review *r;
	size_t n, cap;
	uint64_t seq; /* the counter part of made-up ids */
};

static struct tp_state *
tp_state(struct fake_state *st, enum fake_platform p)
{
	if (st->own[p] == NULL)
		st->own[p] = calloc(1, sizeof(struct tp_state));
	return st->own[p];
}

static void
tp_reset(struct fake_state *st, enum fake_platform p)
{
	struct tp_state *s = st->own[p];

	if (s == NULL)
		return;
	for (size_t i = 0; i < s->n; i++) {
		free(s->r[i].title);
		free(s->r[i].text);
		free(s->r[i].author);
		free(s->r[i].reply_text);
	}
	free(s->r);
	free(s);
	st->own[p] = NULL;
}

static struct tp_review *
tp_find(struct tp_state *s, const char *id)
{
	for (size_t i = 0; s != NULL && id != NULL && i < s->n; i++)
		if (strcmp(s->r[i].id, id) == 0)
			return &s->r[i];
	return NULL;
}

/* An id like a MongoDB ObjectId: 8 hex digits of seconds, 16 of counter. */
static void
tp_make_id(struct tp_state *s, int64_t ms, char out[TP_ID_LEN + 1])
{
	snprintf(out, TP_ID_LEN + 1, "%08" PRIx32 "%016" PRIx64, (uint32_t)(ms / 1000), ++s->seq);
}

static json_t *
tp_time(int64_t ms)
{
	char at[FAKE_TIME_LEN];

	fake_fmt_ms(ms, at);
	return json_string(at);
}

/* A review as the API shows it. */
static json_t *
tp_review_json(const char *bu, const struct tp_review *r)
{
	json_t *consumer =
		json_pack("{s:s, s:i}", "id", "5f1e2d3c4b5a697887766554", "numberOfReviews", 1);
	json_t *reply = json_null(), *v;

	if (consumer != NULL && r->author != NULL)
		json_object_set_new(consumer, "displayName", json_string(r->author));
	if (r->reply_ms > 0)
		reply = json_pack("{s:s, s:o, s:o}", "text", r->reply_text ? r->reply_text : "",
				  "createdAt", tp_time(r->reply_ms), "updatedAt",
				  r->reply_updated_ms ? tp_time(r->reply_updated_ms) : json_null());
	v = json_pack("{s:s, s:o, s:{s:s}, s:i, s:s?, s:s?, s:s, s:o, s:o, s:o, s:b, s:s}", "id",
		      r->id, "consumer", consumer, "businessUnit", "id", bu, "stars", (int)r->stars,
		      "title", r->title, "text", r->text, "language", "en", "createdAt",
		      tp_time(r->created_ms), "updatedAt",
		      r->updated_ms ? tp_time(r->updated_ms) : json_null(), "companyReply", reply,
		      "isVerified", true, "status", "active");
	return v;
}

/* Newest first by createdAt (then id), the order createdat.desc asks for. */
static int
tp_newer_first(const void *a, const void *b)
{
	const struct tp_review *x = *(const struct tp_review *const *)a,
			       *y = *(const struct tp_review *const *)b;

	if (x->created_ms != y->created_ms)
		return x->created_ms > y->created_ms ? -1 : 1;
	return strcmp(y->id, x->id);
}

/* GET /v1/business-units/{id}/reviews */
static void
tp_list(struct fake_state *st, struct fake_req *req, struct fake_resp *resp)
{
	enum fake_platform p = req->platform;
	struct tp_state *s = tp_state(st, p);
	const char *bu = fake_option(st, p, "business-unit");
	const char *order = fake_param(req, "orderBy"), *page_text = fake_param(req, "page");
	long per_page = fake_page_limit(st, p, fake_param(req, "perPage"), TP_PER_PAGE_DEFAULT,
					TP_PER_PAGE_MAX);
	long page = page_text ? strtol(page_text, NULL, 10) : 1;
	const struct tp_review **live = NULL;
	json_t *list;
	size_t n = 0;

	if (strcmp(req->capture, bu) != 0) {
		fake_platforms[p]->error(resp, 404, "NotFound", "Business unit not found");
		return;
	}
	if (order != NULL && strcmp(order, "createdat.desc") != 0) {
		fake_platforms[p]->error(resp, 400, "BadRequest",
					 "this fake serves orderBy=createdat.desc only");
		return;
	}
	if (page < 1) {
		fake_platforms[p]->error(resp, 400, "BadRequest", "page must be 1 or more");
		return;
	}
	if (s == NULL || (s->n > 0 && (live = calloc(s->n, sizeof(*live))) == NULL)) {
		fake_resp_json(resp, 500, NULL);
		return;
	}
	for (size_t i = 0; i < s->n; i++)
		if (!s->r[i].deleted)
			live[n++] = &s->r[i];
	if (n > 0)
		qsort(live, n, sizeof(*live), tp_newer_first);
	list = json_array();
	/* Past the end: an empty list, as the real API answers. */
	for (size_t i = (size_t)(page - 1) * (size_t)per_page;
	     list != NULL && i < n && i < (size_t)page * (size_t)per_page; i++)
		json_array_append_new(list, tp_review_json(bu, live[i]));
	free(live);
	fake_resp_json(resp, 200, list ? json_pack("{s:o, s:[]}", "reviews", list, "links") : NULL);
}

/* GET /v1/reviews/{id} */
static void
tp_get(struct fake_state *st, struct fake_req *req, struct fake_resp *resp)
{
	enum fake_platform p = req->platform;
	struct tp_review *r = tp_find(tp_state(st, p), req->capture);

	if (r == NULL || r->deleted) {
		fake_platforms[p]->error(resp, 404, "NotFound", "Review not found");
		return;
	}
	fake_resp_json(resp, 200, tp_review_json(fake_option(st, p, "business-unit"), r));
}

/* ---- control ---- */

static void
tp_created(const char *bu, const struct tp_review *r, unsigned status, struct fake_resp *resp)
{
	fake_resp_json(resp, status, tp_review_json(bu, r));
}

static bool
tp_dup(const char *s, char **out, struct fake_resp *resp)
{
	if (s == NULL)
		return true;
	free(*out);
	if ((*out = strdup(s)) == NULL) {
		fake_control_error(resp, 500, "out of memory");
		return false;
	}
	return true;
}

/* POST review: stars (1-5, default 5), title, text, author (null: none),
 * created_at (default now). */
static void
tp_add(struct fake_state *st, enum fake_platform p, json_t *body, struct fake_resp *resp)
{
	struct tp_state *s = tp_state(st, p);
	const char *title, *text, *author;
	struct tp_review r = {0};
	long stars;
	int64_t ms;

	if (!fake_control_str(body, "title", &title, resp) ||
	    !fake_control_str(body, "text", &text, resp) ||
	    !fake_control_str(body, "author", &author, resp) ||
	    !fake_control_int(body, "stars", 5, &stars, resp) ||
	    !fake_control_time(body, &ms, resp))
		return;
	if (stars < 1 || stars > 5) {
		fake_control_error(resp, 400, "stars must be 1 to 5");
		return;
	}
	if (s == NULL || fake_grow((void **)&s->r, &s->cap, s->n, sizeof(*s->r)) == -1) {
		fake_control_error(resp, 500, "out of memory");
		return;
	}
	r.stars = stars;
	r.created_ms = ms ? ms : fake_now_ms();
	tp_make_id(s, r.created_ms, r.id);
	if (!tp_dup(title, &r.title, resp) || !tp_dup(text, &r.text, resp) ||
	    !tp_dup(author, &r.author, resp)) {
		free(r.title);
		free(r.text);
		free(r.author);
		return;
	}
	s->r[s->n++] = r;
	tp_created(fake_option(st, p, "business-unit"), &s->r[s->n - 1], 201, resp);
}

/* The review named by body's id, or NULL after a 404. */
static struct tp_review *
tp_target(struct fake_state *st, enum fake_platform p, json_t *body, struct fake_resp *resp)
{
	const char *id;
	struct tp_review *r;

	if (!fake_control_str(body, "id", &id, resp))
		return NULL;
	if ((r = tp_find(tp_state(st, p), id)) == NULL || r->deleted) {
		fake_control_error(resp, 404, "no such review");
		return NULL;
	}
	return r;
}

/* POST answer: id, text, created_at (default now). Answering again edits
 * the reply: its createdAt stays, its updatedAt moves. */
static void
tp_answer(struct fake_state *st, enum fake_platform p, json_t *body, struct fake_resp *resp)
{
	struct tp_review *r = tp_target(st, p, body, resp);
	const char *text;
	int64_t ms;

	if (r == NULL || !fake_control_str(body, "text", &text, resp) ||
	    !fake_control_time(body, &ms, resp) || !tp_dup(text ? text : "", &r->reply_text, resp))
		return;
	if (r->reply_ms > 0)
		r->reply_updated_ms = ms ? ms : fake_now_ms();
	else
		r->reply_ms = ms ? ms : fake_now_ms();
	tp_created(fake_option(st, p, "business-unit"), r, 200, resp);
}

/* POST edit: id and any of title, text, stars; updatedAt moves. */
static void
tp_edit(struct fake_state *st, enum fake_platform p, json_t *body, struct fake_resp *resp)
{
	struct tp_review *r = tp_target(st, p, body, resp);
	const char *title, *text;
	long stars;

	if (r == NULL || !fake_control_str(body, "title", &title, resp) ||
	    !fake_control_str(body, "text", &text, resp) ||
	    !fake_control_int(body, "stars", r->stars, &stars, resp))
		return;
	if (stars < 1 || stars > 5) {
		fake_control_error(resp, 400, "stars must be 1 to 5");
		return;
	}
	if (!tp_dup(title, &r->title, resp) || !tp_dup(text, &r->text, resp))
		return;
	r->stars = stars;
	r->updated_ms = fake_now_ms();
	tp_created(fake_option(st, p, "business-unit"), r, 200, resp);
}

static bool
tp_control(struct fake_state *st, enum fake_platform p, const char *what, json_t *body,
	   struct fake_resp *resp)
{
	struct tp_review *r;

	if (strcmp(what, "review") == 0) {
		tp_add(st, p, body, resp);
	} else if (strcmp(what, "answer") == 0) {
		tp_answer(st, p, body, resp);
	} else if (strcmp(what, "edit") == 0) {
		tp_edit(st, p, body, resp);
	} else if (strcmp(what, "delete") == 0) {
		if ((r = tp_target(st, p, body, resp)) != NULL) {
			r->deleted = true;
			fake_resp_json(resp, 200,
				       json_pack("{s:s, s:b}", "id", r->id, "deleted", 1));
		}
	} else {
		return false;
	}
	return true;
}

/* GET /_fake/trustpilot/reviews: every review, deleted ones included. */
static bool
tp_get_control(struct fake_state *st, enum fake_platform p, const char *what, struct fake_req *req,
	       struct fake_resp *resp)
{
	struct tp_state *s = tp_state(st, p);
	const char *bu = fake_option(st, p, "business-unit");
	json_t *list;

	(void)req;
	if (strcmp(what, "reviews") != 0)
		return false;
	list = json_array();
	for (size_t i = 0; list != NULL && s != NULL && i < s->n; i++) {
		json_t *v = tp_review_json(bu, &s->r[i]);

		if (v != NULL)
			json_object_set_new(v, "deleted", json_boolean(s->r[i].deleted));
		json_array_append_new(list, v);
	}
	fake_resp_json(resp, 200, list ? json_pack("{s:o}", "reviews", list) : NULL);
	return true;
}

static json_t *
tp_state_json(const struct fake_state *st, enum fake_platform p)
{
	const struct tp_state *s = st->own[p];
	long reviews = 0, answered = 0, deleted = 0;

	for (size_t i = 0; s != NULL && i < s->n; i++) {
		reviews++;
		answered += s->r[i].reply_ms > 0;
		deleted += s->r[i].deleted;
	}
	return json_pack("{s:I, s:I, s:I, s:I, s:o, s:o}", "reviews", (json_int_t)reviews,
			 "answered", (json_int_t)answered, "deleted", (json_int_t)deleted,
			 "faults_pending", (json_int_t)fake_faults_pending(st, p), "rate_limits",
			 fake_limits_json(st, p), "config", fake_control_config_json(st, p));
}

/* ---- the descriptor: errors, limits, credentials ---- */

/* The key must come in the apikey header: the query form is not taken. */
static enum fake_auth
tp_auth(struct fake_state *st, const struct fake_req *req, int ep, const char **why)
{
	(void)ep;
	(void)why;
	if (req->apikey == NULL)
		return FAKE_AUTH_MISSING;
	return strcmp(req->apikey, fake_option(st, req->platform, "api-key")) == 0
		       ? FAKE_AUTH_OK
		       : FAKE_AUTH_WRONG;
}

/* The API gateway's fault shape. */
static void
tp_error(struct fake_resp *r, unsigned status, const char *name, const char *msg)
{
	fake_resp_json(r, status,
		       json_pack("{s:{s:s, s:{s:s}}}", "fault", "faultstring", msg, "detail",
				 "errorcode", name ? name : "Error"));
}

static void
tp_auth_fail(struct fake_resp *r, int ep, const char *why)
{
	(void)ep;
	(void)why;
	tp_error(r, 401, "oauth.v2.InvalidApiKey", "Invalid ApiKey");
}

static void
tp_fault(struct fake_resp *r, enum fake_fault_kind kind)
{
	if (kind == FAKE_F_403)
		tp_error(r, 403, "Forbidden", "Forbidden");
	else if (kind == FAKE_F_500)
		tp_error(r, 500, "InternalServerError", "Internal Server Error");
	else if (kind == FAKE_F_502)
		tp_error(r, 502, "BadGateway", "Bad Gateway");
	else
		tp_error(r, 503, "ServiceUnavailable", "Service Unavailable");
}

static void
tp_not_found(struct fake_resp *r)
{
	tp_error(r, 404, "NotFound", "Not Found");
}

static void
tp_too_many(struct fake_resp *r, const struct fake_limit *l, long retry_after, int64_t now)
{
	(void)l;
	(void)now;
	tp_error(r, 429, "policies.ratelimit.QuotaViolation", "Rate limit quota violation");
	if (retry_after >= 0)
		fake_resp_header(r, "Retry-After", "%ld", retry_after);
}

/* Trustpilot documents no rate-limit headers: none are sent. */
static void
tp_limit_headers(struct fake_resp *r, const struct fake_limit *l)
{
	(void)r;
	(void)l;
}

static const struct fake_route_def tp_routes[] = {
	{"GET", "/v1/business-units/*/reviews", "reviews", tp_list},
	{"GET", "/v1/reviews/*", "review", tp_get},
};

static const char *const tp_paging[] = {"page", NULL};

const struct fake_platform_def fake_trustpilot_def = {
	.name = "trustpilot",
	.prefix = "/v1/",
	.routes = tp_routes,
	.nroutes = sizeof(tp_routes) / sizeof(tp_routes[0]),
	.options = {{"api-key", "trustpilot-test-key", "KEY"},
		    {"business-unit", "46d6a890ffa235a75b00021d", "ID"}},
	.paging = tp_paging,
	.social = false,
	.auth = tp_auth,
	.error = tp_error,
	.auth_fail = tp_auth_fail,
	.fault = tp_fault,
	.not_found = tp_not_found,
	.too_many = tp_too_many,
	.limit_headers = tp_limit_headers,
	.state = tp_state_json,
	.get = tp_get_control,
	.control = tp_control,
	.control_calls = "review, answer, edit, delete",
	.reset = tp_reset,
	.free = tp_reset,
};
