/*
 * fake_google_business.c: Google Business Profile's reviews (My Business
 * API v4), platform "google_business":
 *
 *   GET /v4/accounts/{a}/locations/{l}/reviews?pageSize=&pageToken=&orderBy=
 *   GET /v4/accounts/{a}/locations/{l}/reviews/{reviewId}
 *
 * Reviews come newest updateTime first (an edit of the review moves it up;
 * an answer does not), at most 50 a page, with an opaque nextPageToken; the
 * Review JSON as documented (starRating "ONE".."FIVE", reviewer, comment
 * only when there is text, RFC 3339 times with 0 to 9 fraction digits,
 * reviewReply). Proto3 JSON leaves out what is empty: a location without
 * reviews answers {}. Auth: a bearer access token of the fake token endpoint
 * with the business.manage scope.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fake_reviews.h"

static const struct fake_review_rules gbp_rules = {
	.id_prefix = "AbFvOqn",
	.granularity_ms = 1,
	.revoke = fake_google_revoke_refresh,
};

static const char *const star_names[] = {
	"STAR_RATING_UNSPECIFIED", "ONE", "TWO", "THREE", "FOUR", "FIVE"};

/* The platform's index (its handlers are only called for its own routes). */
static enum fake_platform
gbp_index(void)
{
	return (enum fake_platform)fake_platform_from_name("google_business");
}

/* The Review resource. */
static json_t *
gbp_review_json(const struct fake_review *r)
{
	char created[FAKE_TIME_LEN], updated[FAKE_TIME_LEN], replied[FAKE_TIME_LEN], salt[96];
	char *name = fake_sprintf("accounts/%s/locations/%s/reviews/%s", FAKE_GBP_ACCOUNT,
				  FAKE_GBP_LOCATION, r->id);
	json_t *v = NULL, *reviewer;

	if (name == NULL)
		return NULL;
	fake_fmt_google(r->created_ms, r->id, created);
	snprintf(salt, sizeof(salt), "%s/u", r->id);
	fake_fmt_google(r->updated_ms, salt, updated);
	snprintf(salt, sizeof(salt), "%s/r", r->id);
	fake_fmt_google(r->reply_ms, salt, replied);
	if (r->author != NULL)
		reviewer = json_pack("{s:s, s:s, s:b}", "profilePhotoUrl",
				     "https://lh3.googleusercontent.com/a/rwfake", "displayName",
				     r->author, "isAnonymous", 0);
	else
		reviewer =
			json_pack("{s:s, s:b}", "displayName", "A Google user", "isAnonymous", 1);
	v = json_pack("{s:s, s:s, s:o, s:s, s:s, s:s}", "name", name, "reviewId", r->id, "reviewer",
		      reviewer, "starRating", star_names[r->rating], "createTime", created,
		      "updateTime", updated);
	if (v != NULL && r->text != NULL && *r->text != '\0' &&
	    json_object_set_new(v, "comment", json_string(r->text)) == -1)
		goto fail;
	if (v != NULL && r->reply != NULL &&
	    json_object_set_new(
		    v, "reviewReply",
		    json_pack("{s:s, s:s}", "comment", r->reply, "updateTime", replied)) == -1)
		goto fail;
	free(name);
	return v;
fail:
	free(name);
	json_decref(v);
	return NULL;
}

/* True when the path names the brand's account and location (else a 404 is answered). */
static bool
gbp_location_ok(const struct fake_req *req, struct fake_resp *resp)
{
	char account[64], location[64];

	if (fake_path_segment(req->path, 2, account, sizeof(account)) &&
	    fake_path_segment(req->path, 4, location, sizeof(location)) &&
	    strcmp(account, FAKE_GBP_ACCOUNT) == 0 && strcmp(location, FAKE_GBP_LOCATION) == 0)
		return true;
	fake_google_not_found(resp);
	return false;
}

static int64_t
gbp_key(const struct fake_review *r)
{
	return r->updated_ms;
}

/* GET .../reviews */
static void
gbp_list(struct fake_state *st, struct fake_req *req, struct fake_resp *resp)
{
	enum fake_platform p = gbp_index();
	struct fake_reviews *rv = fake_reviews_of(st, p, &gbp_rules);
	const char *order = fake_param(req, "orderBy");
	long limit = fake_page_limit(st, p, fake_param(req, "pageSize"), 50, 50);
	struct fake_review_page page;
	json_t *v, *list;
	double sum = 0;
	size_t count = 0;
	int rc;

	if (!gbp_location_ok(req, resp))
		return;
	if (order != NULL && strcmp(order, "updateTime desc") != 0 &&
	    strcmp(order, "update_time desc") != 0) {
		fake_google_error(resp, 400, "INVALID_ARGUMENT",
				  "Request contains an invalid argument.");
		return;
	}
	rc = rv ? fake_reviews_page(rv, gbp_key, NULL, NULL, fake_param(req, "pageToken"), limit,
				    false, &page)
		: -2;
	if (rc == -1) {
		fake_google_error(resp, 400, "INVALID_ARGUMENT", "Invalid page token.");
		return;
	}
	if (rc == -2) {
		fake_google_fault(resp, FAKE_F_500);
		return;
	}
	for (size_t i = 0; i < rv->n; i++) {
		if (!rv->v[i].deleted) {
			sum += rv->v[i].rating;
			count++;
		}
	}
	v = json_object();
	list = json_array();
	for (size_t i = 0; v != NULL && list != NULL && i < page.n; i++)
		if (json_array_append_new(list, gbp_review_json(&rv->v[page.idx[i]])) == -1)
			goto fail;
	/* Proto3 JSON: empty and zero fields are left out. */
	if (v != NULL &&
	    ((page.n > 0 && json_object_set(v, "reviews", list) == -1) ||
	     (count > 0 && (json_object_set_new(v, "averageRating",
						json_real(round(sum / count * 10) / 10)) == -1 ||
			    json_object_set_new(v, "totalReviewCount",
						json_integer((json_int_t)count)) == -1)) ||
	     (page.next != NULL &&
	      json_object_set_new(v, "nextPageToken", json_string(page.next)) == -1)))
		goto fail;
	goto done;
fail:
	json_decref(v);
	v = NULL;
done:
	json_decref(list);
	free(page.idx);
	free(page.next);
	fake_resp_json(resp, 200, v);
}

/* GET .../reviews/{reviewId}: one Review, 404 for an unknown or deleted one. */
static void
gbp_get(struct fake_state *st, struct fake_req *req, struct fake_resp *resp)
{
	struct fake_reviews *rv = fake_reviews_of(st, gbp_index(), &gbp_rules);
	struct fake_review *r = fake_reviews_find(rv, req->capture);

	if (!gbp_location_ok(req, resp))
		return;
	if (r == NULL) {
		fake_google_not_found(resp);
		return;
	}
	fake_resp_json(resp, 200, gbp_review_json(r));
}

static enum fake_auth
gbp_auth(struct fake_state *st, const struct fake_req *req, int ep, const char **why)
{
	(void)ep;
	return fake_google_api_auth(st, req, FAKE_SCOPE_GBP, why);
}

static const struct fake_route_def gbp_routes[] = {
	{"GET", "/v4/accounts/*/locations/*/reviews", "reviews", gbp_list},
	{"GET", "/v4/accounts/*/locations/*/reviews/*", "review", gbp_get},
};

static const char *const gbp_paging[] = {"pageToken", NULL};

const struct fake_platform_def fake_google_business_def = {
	.name = "google_business",
	.prefix = "/v4/",
	.routes = gbp_routes,
	.nroutes = sizeof(gbp_routes) / sizeof(gbp_routes[0]),
	.options = {{"client-id", "rwfake-client.apps.googleusercontent.com", "ID"},
		    {"client-secret", "rwfake-client-secret", "SECRET"},
		    {"refresh-token", "1//rwfake-refresh-token", "TOKEN"}},
	.paging = gbp_paging,
	.reviews = &gbp_rules,
	.auth = gbp_auth,
	.error = fake_google_error,
	.auth_fail = fake_google_auth_fail,
	.fault = fake_google_fault,
	.not_found = fake_google_not_found,
	.too_many = fake_google_too_many,
	.limit_headers = fake_google_limit_headers,
	.state = fake_reviews_state,
	.get = fake_reviews_get_hook,
	.control = fake_reviews_control_hook,
	.control_calls = "review, answer, edit, edit_answer, delete, delete_answer, revoke, "
			 "settings",
	.own_fault = fake_google_own_fault,
	.reset = fake_reviews_reset,
	.free = fake_reviews_free,
};
