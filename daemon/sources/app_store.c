/*
 * app_store.c: the App Store Connect connector (customer reviews of one
 * app) — sign-in and requests; the parsing is in app_store_parse.c.
 *
 * No token endpoint: the bearer token is an ES256 JWT the connector signs
 * with the team's .p8 key (kid = key_id, iss = issuer_id, aud
 * appstoreconnect-v1 or the source's "audience", 20 minutes), kept in a
 * rw_token_cache and made anew when the cache's rule says (every 15
 * minutes); a 401 drops it and the next poll signs a new one, once.
 *
 * Reviews: GET /v1/apps/ID/customerReviews?sort=-createdDate&limit=200
 * &include=response, newest first, walked page by page (the cursor of
 * links.next is sent back with our own parameters: the answer's host and
 * path are never followed) down to the createdDate watermark of the
 * previous walk less a day, for reviews Apple lists late. The answer sits
 * on the review (a PUBLISHED customerReviewResponses), so open reviews are
 * read again by id, GET /v1/customerReviews/ID?include=response, up to 100
 * a poll in rotation (poller_revisit.c); a 404 there means the review was
 * deleted.
 *
 * Apple allows 3500 requests an hour per key (X-Rate-Limit, a rolling
 * hour). The default poll_every (10 min) spends at most 1 + 100 calls a
 * poll, 606 an hour: 17 % of the key's budget (docs/connectors.md).
 */
#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "replywatch/connector.h"
#include "replywatch/httpc.h"
#include "replywatch/item.h"
#include "replywatch/page.h"
#include "replywatch/platform.h"
#include "replywatch/secret.h"
#include "replywatch/signin.h"
#include "replywatch/sources/app_store.h"

#define PER_PAGE_TEXT "200"
#define REVISITS_PER_POLL 100
#define OVERLAP_MS (24 * 60 * 60 * 1000LL) /* reviews Apple lists late are still found */
#define APP_ID_MAX 20
#define KEY_ERR_MAX 160

struct app_store_state {
	struct rw_token_cache cache;
	struct rw_signin_key *key; /* NULL: key_err says why */
	char key_err[KEY_ERR_MAX];
};

/* The key is loaded once, when the source starts; a key that does not load
 * fails every poll with the reason (which names the key's type only). */
static void *
app_store_state_new(const struct rw_source_config *src)
{
	const struct rw_secret *pem = rw_source_param_secret(src, "private_key");
	const char *text = pem ? rw_secret_value(pem) : "";
	struct app_store_state *s = calloc(1, sizeof(*s));

	if (s == NULL)
		return NULL;
	s->key = rw_signin_key_load(text, strlen(text), RW_JWT_ES256, s->key_err,
				    sizeof(s->key_err));
	return s;
}

static void
app_store_state_free(void *state)
{
	struct app_store_state *s = state;

	if (s == NULL)
		return;
	rw_token_cache_clear(&s->cache);
	rw_signin_key_free(s->key);
	free(s);
}

static const char *
app_store_auth_header(struct rw_poll *poll)
{
	struct app_store_state *s = rw_poll_state(poll);

	return rw_token_cache_header(&s->cache);
}

static bool
app_store_token_expired(struct rw_poll *poll, const struct rw_httpc_response *resp)
{
	struct app_store_state *s = rw_poll_state(poll);

	return rw_token_cache_expired(&s->cache, resp->status);
}

/* The cursor as it stood in links.next (percent-encoded), decoded so that
 * rw_url_build encodes it once; NULL when it decodes to a NUL or memory
 * fails. Caller frees. */
static char *
app_store_cursor_decode(const char *token)
{
	int n = 0;
	char *raw = curl_easy_unescape(NULL, token, 0, &n);
	char *copy = NULL;

	if (raw != NULL && n > 0 && memchr(raw, '\0', (size_t)n) == NULL)
		copy = strdup(raw);
	curl_free(raw);
	return copy;
}

static char *
app_store_reviews_url(struct rw_poll *poll, const struct rw_walk *walk)
{
	const struct rw_source_config *src = rw_poll_source(poll);
	char path[96], *cursor = NULL, *url;

	snprintf(path, sizeof(path), "/v1/apps/%s/customerReviews",
		 rw_source_param_string(src, "app_id"));
	if (walk->token != NULL && (cursor = app_store_cursor_decode(walk->token)) == NULL)
		return NULL;
	url = rw_url_build(src->base_url, path, "sort", "-createdDate", "limit", PER_PAGE_TEXT,
			   "include", "response", "cursor", cursor, NULL);
	free(cursor);
	return url;
}

static int
app_store_reviews_parse(struct rw_poll *poll, const char *body, size_t len, struct rw_page *page,
			char *err, size_t errlen)
{
	(void)poll;
	return rw_app_store_parse_reviews(body, len, page, err, errlen);
}

static char *
app_store_review_url(struct rw_poll *poll, const char *id)
{
	char path[RW_APP_STORE_ID_MAX + 32];

	snprintf(path, sizeof(path), "/v1/customerReviews/%s", id);
	return rw_url_build(rw_poll_source(poll)->base_url, path, "include", "response", NULL);
}

static int
app_store_review_parse(struct rw_poll *poll, const char *id, const char *body, size_t len,
		       struct rw_page *page, char *err, size_t errlen)
{
	(void)poll;
	if (rw_app_store_parse_review(body, len, page, err, errlen) == -1)
		return -1;
	/* The answer must be about the review asked for: another one's data
	 * would put a reply on the wrong review. */
	for (size_t i = 0; i < page->nitems; i++) {
		const struct rw_item *it = &page->items[i];

		if (strcmp(it->in_reply_to ? it->in_reply_to : it->id, id) != 0) {
			snprintf(err, errlen, "answer about another review");
			return -1;
		}
	}
	return 0;
}

/* A new bearer JWT into the cache; -1 with the poll ended when it cannot
 * be made. */
static int
app_store_sign(struct rw_poll *poll, struct app_store_state *s)
{
	const struct rw_source_config *src = rw_poll_source(poll);
	int64_t now = rw_poll_now_ms(poll);
	char err[160];
	char *jwt;
	int rc;

	if (s->key == NULL) {
		rw_poll_fail(poll, RW_POLL_AUTH_ERROR,
			     "private_key: %s (use the .p8 file App Store Connect gave for "
			     "key_id)",
			     s->key_err);
		return -1;
	}
	jwt = rw_jwt_apple_token(s->key, rw_source_param_string(src, "key_id"),
				 rw_source_param_string(src, "issuer_id"),
				 rw_source_param_string(src, "audience"), RW_JWT_APPLE_LIFETIME_S,
				 now, err, sizeof(err));
	if (jwt == NULL) {
		rw_poll_fail(poll, RW_POLL_AUTH_ERROR, "signing the App Store Connect token: %s",
			     err);
		return -1;
	}
	rc = rw_token_cache_set(&s->cache, jwt, RW_JWT_APPLE_LIFETIME_S, now);
	explicit_bzero(jwt, strlen(jwt));
	free(jwt);
	if (rc == -1) {
		rw_poll_fail(poll, RW_POLL_AUTH_ERROR,
			     "App Store Connect token not usable: check key_id and issuer_id");
		return -1;
	}
	return 0;
}

/* The app id goes into every request path: checked first; then a new
 * token when the cache says it is due. */
static void
app_store_start(struct rw_poll *poll)
{
	struct app_store_state *s = rw_poll_state(poll);

	if (!rw_cursor_digits(rw_source_param_string(rw_poll_source(poll), "app_id"), APP_ID_MAX)) {
		rw_poll_fail(poll, RW_POLL_CLIENT_ERROR,
			     "app_id is not an App Store app id: use the app's Apple ID (digits, "
			     "App Store Connect > App Information)");
		return;
	}
	if (rw_token_cache_due(&s->cache, rw_poll_now_ms(poll)) && app_store_sign(poll, s) == -1)
		return;
	rw_poll_walk(poll);
}

/* The review stream is walked by time: its watermark is ms (digits). */
static bool
app_store_ms_ok(const char *ms)
{
	return rw_cursor_digits(ms, 16);
}

static const struct rw_stream streams[] = {
	{"customerReviews", 'n', true, true, app_store_reviews_url, app_store_reviews_parse,
	 app_store_ms_ok, OVERLAP_MS, 0},
};

static const struct rw_revisit revisit = {
	.endpoint = "customerReview",
	.per_poll = REVISITS_PER_POLL,
	.gone_status = 404,
	.id_ok = rw_app_store_id_valid,
	.url = app_store_review_url,
	.parse = app_store_review_parse,
};

static const struct rw_connector connector = {
	.streams = streams,
	.nstreams = 1,
	.state_new = app_store_state_new,
	.state_free = app_store_state_free,
	.start = app_store_start,
	.auth_header = app_store_auth_header,
	.token_expired = app_store_token_expired,
	.revisit = &revisit,
};

static const struct rw_param_spec params[] = {
	{"app_id", RW_PARAM_DIGITS, true},    {"issuer_id", RW_PARAM_STRING, true},
	{"key_id", RW_PARAM_STRING, true},    {"private_key", RW_PARAM_SECRET, true},
	{"audience", RW_PARAM_STRING, false}, {NULL, RW_PARAM_STRING, false},
};

const struct rw_platform rw_app_store_platform = {
	.name = "app_store",
	.base_url = "https://api.appstoreconnect.apple.com",
	.poll_every = 600,
	.params = params,
	.ratelimit_read = rw_app_store_ratelimit_read,
	.connector = &connector,
};
