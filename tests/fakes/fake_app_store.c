/*
 * fake_app_store.c: App Store Connect API customer reviews, platform
 * "app_store", as JSON:API documents (docs/fakes.md, "Review platforms"):
 *
 *   GET /v1/apps/{id}/customerReviews?sort=-createdDate&limit=&include=response
 *       &exists[publishedResponse]=&filter[rating]=&cursor=
 *   GET /v1/customerReviews/{id}?include=response
 *   GET /v1/customerReviews/{id}/response
 *
 * data[] of customerReviews (createdDate with a -08:00 offset), included[]
 * customerReviewResponses (state PUBLISHED or PENDING_PUBLISH) when
 * include=response, paging by links.next (a full URL on the fake's own host,
 * with an opaque cursor), meta.paging. X-Rate-Limit on every answer; auth in
 * fake_app_store_auth.c.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fake_reviews.h"

#define APPLE_LIMIT_DEFAULT 50
#define APPLE_LIMIT_MAX 200

static const struct fake_review_rules apple_rules = {
	.id_prefix = "00000028-b08c-0014-729e-",
	.reply_prefix = "6f2c1a8e-0000-0000-0000-",
	.granularity_ms = 1000,
	.two_step = true,
};

/* What a listing asks for. */
struct apple_query {
	int exists;      /* exists[publishedResponse]: -1 any, 0 false, 1 true */
	bool ratings[6]; /* filter[rating]: [r] kept; all true when absent */
};

static enum fake_platform
apple_index(void)
{
	return (enum fake_platform)fake_platform_from_name("app_store");
}

static void
apple_bad_param(struct fake_resp *resp, const char *detail)
{
	fake_apple_error(resp, 400, "PARAMETER_ERROR.INVALID", "A parameter has an invalid value",
			 detail);
}

/* "http://HOST" of the request (links are full URLs, as Apple's are). */
static char *
apple_base(const struct fake_req *req)
{
	return fake_sprintf("http://%s", req->host ? req->host : "127.0.0.1");
}

static bool
apple_published(const struct fake_review *r)
{
	return r->reply != NULL && r->reply_published;
}

/* A customerReviewResponses resource. */
static json_t *
apple_response_json(const char *base, const struct fake_review *r)
{
	char modified[FAKE_TIME_LEN];
	char *self = fake_sprintf("%s/v1/customerReviewResponses/%s", base, r->reply_id);
	char *review = fake_sprintf("%s/v1/customerReviewResponses/%s/relationships/review", base,
				    r->reply_id);
	json_t *v = NULL;

	fake_fmt_apple(r->reply_ms, modified);
	if (self != NULL && review != NULL)
		v = json_pack("{s:s, s:s, s:{s:s, s:s, s:s}, s:{s:{s:{s:s, s:s}, s:{s:s}}}, "
			      "s:{s:s}}",
			      "type", "customerReviewResponses", "id", r->reply_id, "attributes",
			      "responseBody", r->reply, "lastModifiedDate", modified, "state",
			      r->reply_published ? "PUBLISHED" : "PENDING_PUBLISH", "relationships",
			      "review", "data", "type", "customerReviews", "id", r->id, "links",
			      "self", review, "links", "self", self);
	free(self);
	free(review);
	return v;
}

/* A customerReviews resource; its response relationship carries data when included. */
static json_t *
apple_review_json(const char *base, const struct fake_review *r, bool include)
{
	char created[FAKE_TIME_LEN];
	char *self = fake_sprintf("%s/v1/customerReviews/%s", base, r->id);
	char *rel = fake_sprintf("%s/v1/customerReviews/%s/relationships/response", base, r->id);
	char *related = fake_sprintf("%s/v1/customerReviews/%s/response", base, r->id);
	json_t *v = NULL, *attrs, *response;

	fake_fmt_apple(r->created_ms, created);
	attrs = json_pack("{s:i, s:s, s:s}", "rating", r->rating, "createdDate", created,
			  "territory", "USA");
	if (attrs != NULL && r->title != NULL)
		json_object_set_new(attrs, "title", json_string(r->title));
	if (attrs != NULL && r->text != NULL)
		json_object_set_new(attrs, "body", json_string(r->text));
	if (attrs != NULL && r->author != NULL)
		json_object_set_new(attrs, "reviewerNickname", json_string(r->author));
	response = rel && related
			   ? json_pack("{s:{s:s, s:s}}", "links", "self", rel, "related", related)
			   : NULL;
	if (response != NULL && include)
		json_object_set_new(response, "data",
				    r->reply ? json_pack("{s:s, s:s}", "type",
							 "customerReviewResponses", "id",
							 r->reply_id)
					     : json_null());
	if (self != NULL)
		v = json_pack("{s:s, s:s, s:o, s:{s:o}, s:{s:s}}", "type", "customerReviews", "id",
			      r->id, "attributes", attrs, "relationships", "response", response,
			      "links", "self", self);
	else {
		json_decref(attrs);
		json_decref(response);
	}
	free(self);
	free(rel);
	free(related);
	return v;
}

static int64_t
apple_key(const struct fake_review *r)
{
	return r->created_ms;
}

static bool
apple_keep(const struct fake_review *r, const void *ctx)
{
	const struct apple_query *q = ctx;

	return q->ratings[r->rating] && (q->exists < 0 || q->exists == apple_published(r));
}

/* Reads exists[publishedResponse] and filter[rating]; false after a 400. */
static bool
apple_read_query(const struct fake_req *req, struct apple_query *q, struct fake_resp *resp)
{
	const char *exists = fake_param(req, "exists[publishedResponse]");
	const char *ratings = fake_param(req, "filter[rating]");

	q->exists = exists == NULL ? -1 : strcmp(exists, "true") == 0 ? 1 : 0;
	if (exists != NULL && strcmp(exists, "true") != 0 && strcmp(exists, "false") != 0) {
		apple_bad_param(resp, "'exists[publishedResponse]' must be true or false");
		return false;
	}
	for (int i = 1; i <= 5; i++)
		q->ratings[i] = ratings == NULL;
	for (const char *s = ratings; s != NULL && *s != '\0';) {
		size_t n = strcspn(s, ",");

		if (n != 1 || s[0] < '1' || s[0] > '5') {
			apple_bad_param(resp, "'filter[rating]' must be values from 1 to 5");
			return false;
		}
		q->ratings[s[0] - '0'] = true;
		s += n + (s[n] == ',');
	}
	return true;
}

/* Appends text percent-encoded (all but RFC 3986's unreserved characters). */
static void
apple_escape(struct fake_buf *b, const char *text)
{
	for (const unsigned char *s = (const unsigned char *)text; *s != '\0'; s++) {
		if ((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
		    (*s >= '0' && *s <= '9') || strchr("-._~", *s) != NULL)
			fake_buf_add(b, (const char *)s, 1);
		else
			fake_buf_addf(b, "%%%02X", *s);
	}
}

/* links.next: this request's URL with every parameter but cursor, then cursor. */
static char *
apple_next_url(const char *base, const struct fake_req *req, const char *cursor)
{
	struct fake_buf b = {0};

	fake_buf_addf(&b, "%s%s?", base, req->path);
	for (size_t i = 0; i < req->nparams; i++) {
		if (strcmp(req->params[i].key, "cursor") == 0)
			continue;
		apple_escape(&b, req->params[i].key);
		fake_buf_adds(&b, "=");
		apple_escape(&b, req->params[i].value);
		fake_buf_adds(&b, "&");
	}
	fake_buf_adds(&b, "cursor=");
	apple_escape(&b, cursor);
	return fake_buf_take(&b);
}

/* Reads sort, limit and include; false after a 400. */
static bool
apple_read_paging(const struct fake_req *req, bool *asc, long *limit, bool *include,
		  struct fake_resp *resp)
{
	const char *sort = fake_param(req, "sort"), *lim = fake_param(req, "limit");
	const char *inc = fake_param(req, "include");
	char *end;

	*asc = sort != NULL && strcmp(sort, "createdDate") == 0;
	if (sort != NULL && !*asc && strcmp(sort, "-createdDate") != 0) {
		apple_bad_param(resp, "'sort' must be createdDate or -createdDate (this fake)");
		return false;
	}
	*limit = APPLE_LIMIT_DEFAULT;
	if (lim != NULL) {
		*limit = strtol(lim, &end, 10);
		if (*lim == '\0' || *end != '\0' || *limit < 1) {
			apple_bad_param(resp, "'limit' must be an integer from 1");
			return false;
		}
		if (*limit > APPLE_LIMIT_MAX) {
			apple_bad_param(
				resp, "The parameter 'limit' exceeds the maximum allowed value of "
				      "200");
			return false;
		}
	}
	*include = inc != NULL && strcmp(inc, "response") == 0;
	if (inc != NULL && !*include) {
		apple_bad_param(resp, "'include' must be response");
		return false;
	}
	return true;
}

/* The listing's document, or NULL when out of memory. */
static json_t *
apple_page_json(const struct fake_reviews *rv, const struct fake_review_page *page,
		const struct fake_req *req, const char *base, bool include, long limit)
{
	json_t *data = json_array(), *included = json_array(), *doc = NULL;
	char *self = fake_sprintf("%s%s", base, req->uri);
	char *next = page->next ? apple_next_url(base, req, page->next) : NULL;

	for (size_t i = 0; data && included && i < page->n; i++) {
		const struct fake_review *r = &rv->v[page->idx[i]];

		if (json_array_append_new(data, apple_review_json(base, r, include)) == -1 ||
		    (include && r->reply != NULL &&
		     json_array_append_new(included, apple_response_json(base, r)) == -1))
			goto done;
	}
	if (self == NULL || (page->next != NULL && next == NULL))
		goto done;
	doc = json_pack("{s:O, s:{s:s, s:s*}, s:{s:{s:I, s:I}}}", "data", data, "links", "self",
			self, "next", next, "meta", "paging", "total", (json_int_t)page->total,
			"limit", (json_int_t)limit);
	if (doc != NULL && json_array_size(included) > 0 &&
	    json_object_set(doc, "included", included) == -1) {
		json_decref(doc);
		doc = NULL;
	}
done:
	json_decref(data);
	json_decref(included);
	free(self);
	free(next);
	return doc;
}

/* GET /v1/apps/{id}/customerReviews */
static void
apple_list(struct fake_state *st, struct fake_req *req, struct fake_resp *resp)
{
	struct fake_reviews *rv = fake_reviews_of(st, apple_index(), &apple_rules);
	struct fake_review_page page;
	struct apple_query q;
	char app[64], detail[160];
	bool asc, include;
	char *base;
	long limit;
	int rc;

	if (!fake_path_segment(req->path, 2, app, sizeof(app)) ||
	    strcmp(app, FAKE_APPLE_APP) != 0) {
		snprintf(detail, sizeof(detail), "There is no resource of type 'apps' with id '%s'",
			 app);
		fake_apple_error(resp, 404, "NOT_FOUND", "The specified resource does not exist",
				 detail);
		return;
	}
	if (!apple_read_paging(req, &asc, &limit, &include, resp) ||
	    !apple_read_query(req, &q, resp))
		return;
	if (st->p[apple_index()].page_max > 0 && limit > st->p[apple_index()].page_max)
		limit = st->p[apple_index()].page_max; /* config page_limit_max */
	rc = rv ? fake_reviews_page(rv, apple_key, apple_keep, &q, fake_param(req, "cursor"), limit,
				    asc, &page)
		: -2;
	if (rc == -1) {
		apple_bad_param(resp, "The 'cursor' parameter is invalid");
		return;
	}
	if (rc == -2 || (base = apple_base(req)) == NULL) {
		if (rc == 0) {
			free(page.idx);
			free(page.next);
		}
		fake_apple_fault(resp, FAKE_F_500);
		return;
	}
	fake_resp_json(resp, 200, apple_page_json(rv, &page, req, base, include, limit));
	free(base);
	free(page.idx);
	free(page.next);
}

/* 404 NOT_FOUND naming the missing resource. */
static void
apple_no_resource(struct fake_resp *resp, const char *what, const char *id)
{
	char detail[256];

	snprintf(detail, sizeof(detail), "There is no resource of type '%s' with id '%.100s'", what,
		 id);
	fake_apple_error(resp, 404, "NOT_FOUND", "The specified resource does not exist", detail);
}

/* GET /v1/customerReviews/{id}?include=response: one review's document
 * (its response in included[] when asked for); 404 once deleted. */
static void
apple_review(struct fake_state *st, struct fake_req *req, struct fake_resp *resp)
{
	struct fake_reviews *rv = fake_reviews_of(st, apple_index(), &apple_rules);
	struct fake_review *r = fake_reviews_find(rv, req->capture);
	const char *inc = fake_param(req, "include");
	bool include = inc != NULL && strcmp(inc, "response") == 0;
	char *base, *self;
	json_t *doc = NULL;

	if (inc != NULL && !include) {
		apple_bad_param(resp, "'include' must be response");
		return;
	}
	if (r == NULL) {
		apple_no_resource(resp, "customerReviews", req->capture);
		return;
	}
	base = apple_base(req);
	self = base ? fake_sprintf("%s%s", base, req->uri) : NULL;
	if (self != NULL)
		doc = json_pack("{s:o, s:{s:s}}", "data", apple_review_json(base, r, include),
				"links", "self", self);
	if (doc != NULL && include && r->reply != NULL &&
	    json_object_set_new(doc, "included", json_pack("[o]", apple_response_json(base, r))) ==
		    -1) {
		json_decref(doc);
		doc = NULL;
	}
	fake_resp_json(resp, 200, doc);
	free(self);
	free(base);
}

/* GET /v1/customerReviews/{id}/response: the response (pending or published),
 * or 404 when the review has none or is gone. */
static void
apple_response(struct fake_state *st, struct fake_req *req, struct fake_resp *resp)
{
	struct fake_reviews *rv = fake_reviews_of(st, apple_index(), &apple_rules);
	char id[128], detail[256];
	struct fake_review *r = NULL;
	char *base, *self;

	if (fake_path_segment(req->path, 2, id, sizeof(id)))
		r = fake_reviews_find(rv, id);
	if (r == NULL || r->reply == NULL) {
		snprintf(detail, sizeof(detail),
			 "There is no resource of type 'customerReviewResponses' for the review "
			 "'%.100s'",
			 r ? r->id : "");
		fake_apple_error(resp, 404, "NOT_FOUND", "The specified resource does not exist",
				 detail);
		return;
	}
	base = apple_base(req);
	self = base ? fake_sprintf("%s%s", base, req->path) : NULL;
	fake_resp_json(resp, 200,
		       self ? json_pack("{s:o, s:{s:s}}", "data", apple_response_json(base, r),
					"links", "self", self)
			    : NULL);
	free(self);
	free(base);
}

static const struct fake_route_def apple_routes[] = {
	{"GET", "/v1/apps/*/customerReviews", "customerReviews", apple_list},
	{"GET", "/v1/customerReviews/*", "customerReview", apple_review},
	{"GET", "/v1/customerReviews/*/response", "response", apple_response},
};

static const char *const apple_paging[] = {"cursor", NULL};

/* The prefix is /v1/apps/, not /v1/: other platforms (Trustpilot) also
 * serve paths under /v1/. */
const struct fake_platform_def fake_app_store_def = {
	.name = "app_store",
	.prefix = "/v1/apps/",
	.routes = apple_routes,
	.nroutes = sizeof(apple_routes) / sizeof(apple_routes[0]),
	.options = {{"key-id", "2X9R4HXF34", "KID"},
		    {"issuer-id", "57246542-96fe-1a63-e053-0824d011072a", "ISSUER"},
		    {"public-key", "", "PEM_FILE"}},
	.paging = apple_paging,
	.reviews = &apple_rules,
	.auth = fake_apple_auth,
	.error = fake_apple_error_hook,
	.auth_fail = fake_apple_auth_fail,
	.fault = fake_apple_fault,
	.not_found = fake_apple_not_found,
	.wrong_method = fake_apple_wrong_method,
	.too_many = fake_apple_too_many,
	.limit_headers = fake_apple_limit_headers,
	.state = fake_reviews_state,
	.get = fake_reviews_get_hook,
	.control = fake_reviews_control_hook,
	.control_calls = "review, answer, publish, edit, edit_answer, delete, delete_answer, "
			 "revoke",
	.reset = fake_reviews_reset,
	.free = fake_reviews_free,
};
