/*
 * fake_google_play.c: Google Play Developer API v3 reviews, platform
 * "google_play":
 *
 *   GET /androidpublisher/v3/applications/{packageName}/reviews?maxResults=&token=
 *   GET /androidpublisher/v3/applications/{packageName}/reviews/{reviewId}
 *
 * Lists hold only reviews whose user comment was created or modified in the
 * last 7 days (the "list_window" setting), newest first, with
 * tokenPagination.nextPageToken; a rating without text never appears. The
 * Review JSON as documented: comments[] of userComment {text (title TAB
 * text when there is a title), lastModified {seconds as a STRING, nanos},
 * starRating, ...} and developerComment {text, lastModified}. Reading a
 * review by id works at any age. Auth: a bearer access token of the fake
 * token endpoint with the androidpublisher scope.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fake_reviews.h"

#define WEEK_S (7 * 24 * 3600L)

static const struct fake_review_rules play_rules = {
	.id_prefix = "gp:AOqpTOH",
	.granularity_ms = 1,
	.list_window_s = WEEK_S,
	.revoke = fake_google_revoke_service_account,
};

static enum fake_platform
play_index(void)
{
	return (enum fake_platform)fake_platform_from_name("google_play");
}

/* {"seconds": "1443676826", "nanos": 713000000} */
static json_t *
play_time(int64_t ms)
{
	char secs[32];

	snprintf(secs, sizeof(secs), "%lld", (long long)(ms / 1000));
	return json_pack("{s:s, s:i}", "seconds", secs, "nanos", (int)(ms % 1000) * 1000000);
}

static json_t *
play_review_json(const struct fake_review *r)
{
	char *text = r->title ? fake_sprintf("%s\t%s", r->title, r->text ? r->text : "")
			      : strdup(r->text ? r->text : "");
	json_t *comments = NULL, *v = NULL;

	if (text == NULL)
		return NULL;
	comments = json_pack("[{s:{s:s, s:o, s:i, s:s, s:s, s:i, s:i, s:s, s:i, s:i}}]",
			     "userComment", "text", text, "lastModified", play_time(r->updated_ms),
			     "starRating", r->rating, "reviewerLanguage", "en", "device", "a52q",
			     "androidOsVersion", 34, "appVersionCode", 120, "appVersionName",
			     "1.2.0", "thumbsUpCount", 0, "thumbsDownCount", 0);
	if (comments != NULL && r->reply != NULL &&
	    json_array_append_new(comments,
				  json_pack("{s:{s:s, s:o}}", "developerComment", "text", r->reply,
					    "lastModified", play_time(r->reply_ms))) == -1) {
		json_decref(comments);
		comments = NULL;
	}
	if (comments != NULL)
		v = json_pack("{s:s, s:s, s:o}", "reviewId", r->id, "authorName",
			      r->author ? r->author : "A Google user", "comments", comments);
	free(text);
	return v;
}

/* True when the path names the brand's app (else a 404 is answered). */
static bool
play_package_ok(const struct fake_req *req, struct fake_resp *resp)
{
	char package[128];

	if (fake_path_segment(req->path, 3, package, sizeof(package)) &&
	    strcmp(package, FAKE_PLAY_PACKAGE) == 0)
		return true;
	fake_google_error(resp, 404, "NOT_FOUND",
			  "No application was found for the given package name.");
	return false;
}

static int64_t
play_key(const struct fake_review *r)
{
	return r->updated_ms;
}

/* Listed: has text, and changed within the window (ctx: the oldest instant). */
static bool
play_keep(const struct fake_review *r, const void *ctx)
{
	return r->text != NULL && *r->text != '\0' && r->updated_ms >= *(const int64_t *)ctx;
}

/* GET .../reviews */
static void
play_list(struct fake_state *st, struct fake_req *req, struct fake_resp *resp)
{
	enum fake_platform p = play_index();
	struct fake_reviews *rv = fake_reviews_of(st, p, &play_rules);
	long limit = fake_page_limit(st, p, fake_param(req, "maxResults"), 10, 100);
	struct fake_review_page page;
	int64_t oldest = INT64_MIN;
	json_t *v, *list;
	int rc;

	if (!play_package_ok(req, resp))
		return;
	if (rv != NULL && rv->list_window_s > 0)
		oldest = fake_now_ms() - rv->list_window_s * 1000LL;
	rc = rv ? fake_reviews_page(rv, play_key, play_keep, &oldest, fake_param(req, "token"),
				    limit, false, &page)
		: -2;
	if (rc == -1) {
		fake_google_error(resp, 400, "INVALID_ARGUMENT", "Invalid pagination token.");
		return;
	}
	if (rc == -2) {
		fake_google_fault(resp, FAKE_F_500);
		return;
	}
	v = json_object();
	list = json_array();
	for (size_t i = 0; v != NULL && list != NULL && i < page.n; i++) {
		if (json_array_append_new(list, play_review_json(&rv->v[page.idx[i]])) == -1) {
			json_decref(v);
			v = NULL;
		}
	}
	/* Proto3 JSON: an empty list is left out, as is the token on the last page. */
	if (v != NULL && page.n > 0 && json_object_set(v, "reviews", list) == -1) {
		json_decref(v);
		v = NULL;
	}
	if (v != NULL && page.next != NULL &&
	    json_object_set_new(v, "tokenPagination",
				json_pack("{s:s}", "nextPageToken", page.next)) == -1) {
		json_decref(v);
		v = NULL;
	}
	json_decref(list);
	free(page.idx);
	free(page.next);
	fake_resp_json(resp, 200, v);
}

/* GET .../reviews/{reviewId} */
static void
play_get(struct fake_state *st, struct fake_req *req, struct fake_resp *resp)
{
	struct fake_reviews *rv = fake_reviews_of(st, play_index(), &play_rules);
	struct fake_review *r = fake_reviews_find(rv, req->capture);

	if (!play_package_ok(req, resp))
		return;
	if (r == NULL || r->text == NULL || *r->text == '\0') {
		fake_google_error(resp, 404, "NOT_FOUND", "Review not found.");
		return;
	}
	fake_resp_json(resp, 200, play_review_json(r));
}

static enum fake_auth
play_auth(struct fake_state *st, const struct fake_req *req, int ep, const char **why)
{
	(void)ep;
	return fake_google_api_auth(st, req, FAKE_SCOPE_PLAY, why);
}

/* Before its first use the store does not exist yet: its window is the rules' week. */
static json_t *
play_state(const struct fake_state *st, enum fake_platform p)
{
	json_t *v = fake_reviews_state(st, p);

	if (v != NULL && st->own[p] == NULL &&
	    json_object_set_new(v, "list_window", json_integer(WEEK_S)) == -1) {
		json_decref(v);
		v = NULL;
	}
	return v;
}

static const struct fake_route_def play_routes[] = {
	{"GET", "/androidpublisher/v3/applications/*/reviews", "reviews", play_list},
	{"GET", "/androidpublisher/v3/applications/*/reviews/*", "review", play_get},
};

static const char *const play_paging[] = {"token", NULL};

const struct fake_platform_def fake_google_play_def = {
	.name = "google_play",
	.prefix = "/androidpublisher/",
	.routes = play_routes,
	.nroutes = sizeof(play_routes) / sizeof(play_routes[0]),
	.options = {{"client-email", "replywatch@acme-reviews.iam.gserviceaccount.com", "EMAIL"},
		    {"public-key", "", "PEM_FILE"}},
	.paging = play_paging,
	.reviews = &play_rules,
	.auth = play_auth,
	.error = fake_google_error,
	.auth_fail = fake_google_auth_fail,
	.fault = fake_google_fault,
	.not_found = fake_google_not_found,
	.too_many = fake_google_too_many,
	.limit_headers = fake_google_limit_headers,
	.state = play_state,
	.get = fake_reviews_get_hook,
	.control = fake_reviews_control_hook,
	.control_calls = "review, answer, edit, edit_answer, delete, delete_answer, revoke, "
			 "settings",
	.own_fault = fake_google_own_fault,
	.reset = fake_reviews_reset,
	.free = fake_reviews_free,
};
