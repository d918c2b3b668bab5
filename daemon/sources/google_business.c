/*
 * google_business.c: the Google Business Profile connector (My Business
 * API v4 reviews of one location) — sign-in, requests and paging; the
 * parsing is in google_business_parse.c.
 *
 * Sign-in is the OAuth 2.0 refresh-token grant (signin.h): client_id,
 * client_secret and refresh_token go in the body of a POST to token_url,
 * the access token it answers is kept in the source's token cache and
 * renewed shortly before it expires; a 401 renews it once and retries.
 * Reviews: GET /v4/accounts/A/locations/L/reviews?pageSize=50&
 * orderBy=updateTime desc&pageToken=T, newest updateTime first (an edited
 * review moves up again), walked page by page down to the updateTime
 * watermark of the previous walk less an hour. Answers sit on the review
 * (reviewReply), so open reviews are read again by id,
 * GET .../reviews/ID, up to 100 a poll in rotation (poller_revisit.c); a
 * 404 there means the review was deleted.
 *
 * Google sends no rate-limit headers; the Business Profile APIs allow 300
 * requests a minute per project. The default poll_every (5 min) spends at
 * most 101 calls a poll plus a token renewal an hour (docs/connectors.md).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "replywatch/connector.h"
#include "replywatch/httpc.h"
#include "replywatch/item.h"
#include "replywatch/log.h"
#include "replywatch/page.h"
#include "replywatch/platform.h"
#include "replywatch/secret.h"
#include "replywatch/signin.h"
#include "replywatch/sources/oauth_refresh.h"
#include "replywatch/sources/google_business.h"

#define PER_PAGE_TEXT "50" /* Google's most */
#define REVISITS_PER_POLL 100
#define OVERLAP_MS (60 * 60 * 1000) /* reviews listed late are still found */
#define TOKEN_URL "https://oauth2.googleapis.com/token"
#define TOKEN_ENDPOINT "token"

/* The connector's state: the access token (wiped on free). */
struct gbp_state {
	struct rw_token_cache cache;
};

static void *
google_business_state_new(const struct rw_source_config *src)
{
	(void)src;
	return calloc(1, sizeof(struct gbp_state));
}

static void
google_business_state_free(void *state)
{
	struct gbp_state *s = state;

	if (s == NULL)
		return;
	rw_token_cache_clear(&s->cache);
	free(s);
}

static const char *
google_business_auth_header(struct rw_poll *poll)
{
	struct gbp_state *s = rw_poll_state(poll);

	return rw_token_cache_header(&s->cache);
}

static bool
google_business_token_expired(struct rw_poll *poll, const struct rw_httpc_response *resp)
{
	struct gbp_state *s = rw_poll_state(poll);

	return rw_token_cache_expired(&s->cache, resp->status);
}

/* "/v4/accounts/A/locations/L/reviews" + tail (caller frees), or NULL. */
static char *
google_business_path(const struct rw_source_config *src, const char *tail)
{
	char *path;

	if (asprintf(&path, "/v4/accounts/%s/locations/%s/reviews%s",
		     rw_source_param_string(src, "account_id"),
		     rw_source_param_string(src, "location_id"), tail) == -1)
		return NULL;
	return path;
}

static char *
google_business_reviews_url(struct rw_poll *poll, const struct rw_walk *walk)
{
	const struct rw_source_config *src = rw_poll_source(poll);
	char *path = google_business_path(src, ""), *url;

	if (path == NULL)
		return NULL;
	url = rw_url_build(src->base_url, path, "pageSize", PER_PAGE_TEXT, "orderBy",
			   "updateTime desc", "pageToken", walk->token, NULL);
	free(path);
	return url;
}

static int
google_business_reviews_parse(struct rw_poll *poll, const char *body, size_t len,
			      struct rw_page *page, char *err, size_t errlen)
{
	(void)poll;
	return rw_google_business_parse_reviews(body, len, page, err, errlen);
}

static char *
google_business_review_url(struct rw_poll *poll, const char *id)
{
	const struct rw_source_config *src = rw_poll_source(poll);
	char *tail, *path, *url;

	if (asprintf(&tail, "/%s", id) == -1)
		return NULL;
	path = google_business_path(src, tail);
	free(tail);
	if (path == NULL)
		return NULL;
	url = rw_url_build(src->base_url, path, NULL);
	free(path);
	return url;
}

/*
 * One review read again by id: only its answer is taken (the review itself
 * is known; re-ingesting it would change nothing). The answer must be about
 * the review asked for: another id is a malformed answer, not a reply to
 * credit to the wrong review.
 */
static int
google_business_review_parse(struct rw_poll *poll, const char *id, const char *body, size_t len,
			     struct rw_page *page, char *err, size_t errlen)
{
	size_t kept = 0;

	(void)poll;
	if (rw_google_business_parse_review(body, len, page, err, errlen) == -1)
		return -1;
	for (size_t i = 0; i < page->nitems; i++) {
		const struct rw_item *it = &page->items[i];
		const char *about = it->from_brand ? it->in_reply_to : it->id;

		if (!rw_page_same(about, id)) {
			snprintf(err, errlen, "review: another id");
			rw_page_clear(page);
			return -1;
		}
	}
	for (size_t i = 0; i < page->nitems; i++) {
		if (page->items[i].from_brand)
			page->items[kept++] = page->items[i];
		else
			rw_item_clear(&page->items[i]);
	}
	page->nitems = kept;
	return 0;
}

/* The token endpoint's answer: the token into the cache, then the walk; a
 * refused grant ends the poll with a reason a person can act on. */
static void
google_business_token_answer(struct rw_poll *poll, const struct rw_httpc_response *resp)
{
	struct gbp_state *s = rw_poll_state(poll);
	char reason[200];
	enum rw_token_result r;

	r = rw_token_answer(RW_GRANT_REFRESH_TOKEN, (int)resp->status, resp->body, resp->body_len,
			    rw_poll_now_ms(poll), &s->cache, reason, sizeof(reason));
	if (r != RW_TOKEN_OK) {
		rw_poll_fail(poll, rw_token_poll_result(r), "%s: %s", TOKEN_ENDPOINT, reason);
		return;
	}
	log_info("%s: access token renewed (valid %lld s)", rw_poll_source(poll)->name,
		 (long long)((s->cache.expires_ms - s->cache.obtained_ms) / 1000));
	rw_poll_walk(poll);
}

/* The account and location ids go into every request path: checked
 * first; then a token when the cache has none or it is due. */
static void
google_business_start(struct rw_poll *poll)
{
	const struct rw_source_config *src = rw_poll_source(poll);
	struct gbp_state *s = rw_poll_state(poll);

	if (!rw_google_business_id_valid(rw_source_param_string(src, "account_id")) ||
	    !rw_google_business_id_valid(rw_source_param_string(src, "location_id"))) {
		rw_poll_fail(poll, RW_POLL_CLIENT_ERROR,
			     "account_id and location_id must be Google ids (letters, digits, "
			     ". _ ~ -): the numbers in accounts/A/locations/L");
		return;
	}
	if (rw_token_cache_due(&s->cache, rw_poll_now_ms(poll))) {
		rw_oauth_refresh(poll, &s->cache, TOKEN_URL, TOKEN_ENDPOINT,
				 google_business_token_answer);
		return;
	}
	rw_poll_walk(poll);
}

/* The review stream is walked by time: its watermark is ms (digits). */
static bool
google_business_ms_ok(const char *ms)
{
	return rw_cursor_digits(ms, 16);
}

static const struct rw_stream streams[] = {
	{"reviews", 'n', true, true, google_business_reviews_url, google_business_reviews_parse,
	 google_business_ms_ok, OVERLAP_MS, 0},
};

static const struct rw_revisit revisit = {
	.endpoint = "review",
	.per_poll = REVISITS_PER_POLL,
	.gone_status = 404,
	.id_ok = rw_google_business_id_valid,
	.url = google_business_review_url,
	.parse = google_business_review_parse,
};

static const struct rw_connector connector = {
	.streams = streams,
	.nstreams = 1,
	.state_new = google_business_state_new,
	.state_free = google_business_state_free,
	.start = google_business_start,
	.auth_header = google_business_auth_header,
	.token_expired = google_business_token_expired,
	.revisit = &revisit,
};

static const struct rw_param_spec params[] = {
	{"account_id", RW_PARAM_STRING, true},    {"location_id", RW_PARAM_STRING, true},
	{"client_id", RW_PARAM_STRING, true},     {"client_secret", RW_PARAM_SECRET, true},
	{"refresh_token", RW_PARAM_SECRET, true}, {"token_url", RW_PARAM_URL, false},
	{NULL, RW_PARAM_STRING, false},
};

const struct rw_platform rw_google_business_platform = {
	.name = "google_business",
	.base_url = "https://mybusiness.googleapis.com",
	.poll_every = 300,
	.params = params,
	.connector = &connector,
};
