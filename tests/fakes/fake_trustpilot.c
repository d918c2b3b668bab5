/*
 * fake_trustpilot.c: Trustpilot's public Business Units API as rwfake
 * serves it — reviews with the company's reply on the review itself,
 * listed newest first by page number, read one by one by id, and the API
 * key checked in the "apikey" header (a key in the query does not count).
 *
 *   GET /v1/business-units/{businessUnitId}/reviews?orderBy=createdat.desc&perPage=N&page=P
 *   GET /v1/reviews/{reviewId}          (404 once deleted)
 *
 * The reviews live in the review store every review fake shares
 * (fake_review_store.c, fake_reviews.h), so its control calls are theirs
 * (docs/fakes.md): POST /_fake/trustpilot/review (stars 1-5, default 5),
 * answer (id, text, created_at: also an old review far below page 1; again
 * edits the reply, whose createdAt stays), edit, delete, edit_answer,
 * delete_answer, revoke (the key stops working); GET
 * /_fake/trustpilot/reviews. They answer in the API's shape. Faults and
 * rate limits are the generic ones (fake_route.c); Trustpilot sends no
 * rate-limit headers.
 *
 * Shapes are reconstructed from the research sample (tap-trustpilot's
 * review schema); errors from the API gateway are Apigee faults
 * ({"fault":{"faultstring":...,"detail":{"errorcode":...}}}), as the
 * real API answers an invalid key.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fake_reviews.h"

#define TP_PER_PAGE_DEFAULT 20
#define TP_PER_PAGE_MAX 100

static json_t *tp_review_json(const struct fake_state *st, enum fake_platform p,
			      const struct fake_review *r);

/* Ids of 24 hex digits (seconds of created_at, then a counter); times in
 * ms; the reply's createdAt is the first answer's time (reply_created_ms). */
static const struct fake_review_rules tp_rules = {
	.id_from_time = true,
	.granularity_ms = 1,
	.show = tp_review_json,
};

static struct fake_reviews *
tp_reviews(struct fake_state *st, enum fake_platform p)
{
	return fake_reviews_of(st, p, &tp_rules);
}

static json_t *
tp_time(int64_t ms)
{
	char at[FAKE_TIME_LEN];

	fake_fmt_ms(ms, at);
	return json_string(at);
}

/* An edit time, or null when it never moved from since_ms. */
static json_t *
tp_edit_time(int64_t ms, int64_t since_ms)
{
	return ms != since_ms ? tp_time(ms) : json_null();
}

/* A review as the API shows it. */
static json_t *
tp_review_json(const struct fake_state *st, enum fake_platform p, const struct fake_review *r)
{
	json_t *consumer =
		json_pack("{s:s, s:i}", "id", "5f1e2d3c4b5a697887766554", "numberOfReviews", 1);
	json_t *reply = json_null();

	if (consumer != NULL && r->author != NULL)
		json_object_set_new(consumer, "displayName", json_string(r->author));
	if (r->reply != NULL)
		reply = json_pack("{s:s, s:o, s:o}", "text", r->reply, "createdAt",
				  tp_time(r->reply_created_ms), "updatedAt",
				  tp_edit_time(r->reply_ms, r->reply_created_ms));
	return json_pack("{s:s, s:o, s:{s:s}, s:i, s:s?, s:s?, s:s, s:o, s:o, s:o, s:b, s:s}", "id",
			 r->id, "consumer", consumer, "businessUnit", "id",
			 fake_option(st, p, "business-unit"), "stars", r->rating, "title", r->title,
			 "text", r->text, "language", "en", "createdAt", tp_time(r->created_ms),
			 "updatedAt", tp_edit_time(r->updated_ms, r->created_ms), "companyReply",
			 reply, "isVerified", true, "status", "active");
}

/* Newest first by createdAt (then id), the order createdat.desc asks for. */
static int
tp_newer_first(const void *a, const void *b)
{
	const struct fake_review *x = *(const struct fake_review *const *)a,
				 *y = *(const struct fake_review *const *)b;

	if (x->created_ms != y->created_ms)
		return x->created_ms > y->created_ms ? -1 : 1;
	return strcmp(y->id, x->id);
}

/* GET /v1/business-units/{id}/reviews */
static void
tp_list(struct fake_state *st, struct fake_req *req, struct fake_resp *resp)
{
	enum fake_platform p = req->platform;
	struct fake_reviews *rv = tp_reviews(st, p);
	const char *bu = fake_option(st, p, "business-unit");
	const char *order = fake_param(req, "orderBy"), *page_text = fake_param(req, "page");
	long per_page = fake_page_limit(st, p, fake_param(req, "perPage"), TP_PER_PAGE_DEFAULT,
					TP_PER_PAGE_MAX);
	long page = page_text ? strtol(page_text, NULL, 10) : 1;
	const struct fake_review **live = NULL;
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
	if (rv == NULL || (rv->n > 0 && (live = calloc(rv->n, sizeof(*live))) == NULL)) {
		fake_resp_json(resp, 500, NULL);
		return;
	}
	for (size_t i = 0; i < rv->n; i++)
		if (!rv->v[i].deleted)
			live[n++] = &rv->v[i];
	if (n > 0)
		qsort(live, n, sizeof(*live), tp_newer_first);
	list = json_array();
	/* Past the end: an empty list, as the real API answers. */
	for (size_t i = (size_t)(page - 1) * (size_t)per_page;
	     list != NULL && i < n && i < (size_t)page * (size_t)per_page; i++)
		json_array_append_new(list, tp_review_json(st, p, live[i]));
	free(live);
	fake_resp_json(resp, 200, list ? json_pack("{s:o, s:[]}", "reviews", list, "links") : NULL);
}

/* GET /v1/reviews/{id} */
static void
tp_get(struct fake_state *st, struct fake_req *req, struct fake_resp *resp)
{
	enum fake_platform p = req->platform;
	struct fake_review *r = fake_reviews_find(tp_reviews(st, p), req->capture);

	if (r == NULL) {
		fake_platforms[p]->error(resp, 404, "NotFound", "Review not found");
		return;
	}
	fake_resp_json(resp, 200, tp_review_json(st, p, r));
}

/* ---- control: the store's calls, with Trustpilot's defaults ---- */

/* Trustpilot's fake always took a review without stars as 5 stars and an
 * answer without text as an empty reply: keep both. */
static bool
tp_control(struct fake_state *st, enum fake_platform p, const char *what, json_t *body,
	   struct fake_resp *resp)
{
	if (strcmp(what, "review") == 0 && json_object_get(body, "stars") == NULL &&
	    json_object_get(body, "rating") == NULL &&
	    json_object_set_new(body, "stars", json_integer(5)) == -1) {
		fake_control_error(resp, 500, "out of memory");
		return true;
	}
	if (strcmp(what, "answer") == 0 && json_object_get(body, "text") == NULL &&
	    json_object_set_new(body, "text", json_string("")) == -1) {
		fake_control_error(resp, 500, "out of memory");
		return true;
	}
	return fake_reviews_control(st, p, &tp_rules, what, body, resp);
}

/* GET /_fake/trustpilot/reviews: every review, deleted ones included. */
static bool
tp_get_control(struct fake_state *st, enum fake_platform p, const char *what, struct fake_req *req,
	       struct fake_resp *resp)
{
	(void)req;
	return fake_reviews_get(st, p, &tp_rules, what, resp);
}

/* ---- the descriptor: errors, limits, credentials ---- */

/* The key must come in the apikey header: the query form is not taken. A
 * revoked key ("revoke") is wrong, as a deleted application's is. */
static enum fake_auth
tp_auth(struct fake_state *st, const struct fake_req *req, int ep, const char **why)
{
	const struct fake_reviews *rv = st->own[req->platform];

	(void)ep;
	(void)why;
	if (req->apikey == NULL)
		return FAKE_AUTH_MISSING;
	return strcmp(req->apikey, fake_option(st, req->platform, "api-key")) == 0 &&
			       (rv == NULL || !rv->revoked)
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
	.reviews = &tp_rules,
	.auth = tp_auth,
	.error = tp_error,
	.auth_fail = tp_auth_fail,
	.fault = tp_fault,
	.not_found = tp_not_found,
	.too_many = tp_too_many,
	.limit_headers = tp_limit_headers,
	.state = fake_reviews_state,
	.get = tp_get_control,
	.control = tp_control,
	.control_calls =
		"review, answer, edit, edit_answer, delete, delete_answer, revoke, settings",
	.reset = fake_reviews_reset,
	.free = fake_reviews_free,
};
