/*
 * google_play.c: the Google Play connector (Google Play Developer API v3,
 * reviews of one app) — sign-in and requests; the parsing is in
 * google_play_parse.c.
 *
 * Sign-in: a service account's JWT-bearer grant (RFC 7523) through
 * signin.h: an RS256 assertion (iss = the account's client_email, scope
 * androidpublisher, aud = token_url) POSTed to token_url for an access
 * token, kept in a rw_token_cache and renewed by its rule; a 401 renews once.
 * The key (private_key: the PEM, or the whole JSON key file, which then
 * also gives client_email) is loaded only to sign an assertion and freed at
 * once, so a reload's new key is used at the next renewal.
 *
 * Reviews: GET /androidpublisher/v3/applications/PACKAGE/reviews
 * ?maxResults=100&token=..., most recently modified first, walked by the
 * user comment's lastModified with tokenPagination.nextPageToken down to
 * the watermark less 7 days: Play lists only the reviews created or
 * modified in about the last week, so every poll reads the whole window and
 * sees every answer and edit in it. Open reviews are read again by id,
 * GET .../reviews/ID, up to 20 a poll in rotation (poller_revisit.c), for
 * answers to reviews past the window. Play may answer 404 for such an old
 * review although it still exists: a 404 skips it, and deleted Play
 * reviews are not detected (docs/connectors.md).
 *
 * Quota: 200 review GETs an hour per project. The default poll_every (15
 * min) spends 4 x (pages of the week + 20) calls an hour: 92 for a week of
 * up to 300 text reviews (docs/connectors.md).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "replywatch/connector.h"
#include "replywatch/httpc.h"
#include "replywatch/platform.h"
#include "replywatch/secret.h"
#include "replywatch/signin.h"
#include "replywatch/sources/google_play.h"

#define PER_PAGE_TEXT "100"
#define REVISITS_PER_POLL 20
#define WEEK_MS (7 * 24 * 60 * 60 * 1000LL)
#define SCOPE "https://www.googleapis.com/auth/androidpublisher"
#define TOKEN_URL "https://oauth2.googleapis.com/token"
#define PACKAGE_MAX 255

/* The connector's state: the access token. */
struct play_state {
	struct rw_token_cache cache;
};

static void *
play_state_new(const struct rw_source_config *src)
{
	(void)src;
	return calloc(1, sizeof(struct play_state));
}

static void
play_state_free(void *state)
{
	struct play_state *s = state;

	if (s == NULL)
		return;
	rw_token_cache_clear(&s->cache);
	free(s);
}

/* A package name (applicationId): segments of [A-Za-z0-9_] starting with a
 * letter, joined by dots, at least two. It goes into every request path. */
static bool
play_package_ok(const char *name)
{
	size_t segments = 0, len = name ? strlen(name) : 0;
	bool start = true;

	if (len == 0 || len > PACKAGE_MAX)
		return false;
	for (const char *p = name; *p; p++) {
		char c = *p;

		if (c == '.') {
			if (start)
				return false;
			start = true;
			continue;
		}
		if (start && !((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')))
			return false;
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		      c == '_'))
			return false;
		if (start)
			segments++;
		start = false;
	}
	return !start && segments >= 2;
}

static const char *
token_url(const struct rw_source_config *src)
{
	const char *url = rw_source_param_string(src, "token_url");

	return url ? url : TOKEN_URL;
}

/* A JSON key file starts with '{' (after blanks); anything else is PEM. */
static bool
is_json_key(const char *text)
{
	text += strspn(text, " \t\r\n");
	return *text == '{';
}

/* Loads the key (and the client email) from the source's parameters: 0, or
 * -1 with a reason that never quotes the key. *email is borrowed from the
 * configuration or, for a JSON key file, allocated (*owned set). */
static int
load_key(const struct rw_source_config *src, struct rw_signin_key **key, char **email, char *err,
	 size_t errlen)
{
	const struct rw_secret *secret = rw_source_param_secret(src, "private_key");
	const char *text = secret ? rw_secret_value(secret) : NULL;
	const char *configured = rw_source_param_string(src, "client_email");

	*key = NULL;
	*email = NULL;
	if (text == NULL || *text == '\0') {
		snprintf(err, errlen, "private_key is empty");
		return -1;
	}
	if (is_json_key(text)) {
		if (rw_signin_google_key(text, strlen(text), email, key, err, errlen) == -1)
			return -1;
		if (configured != NULL) {
			free(*email);
			*email = strdup(configured);
		}
		if (*email == NULL) {
			rw_signin_key_free(*key);
			*key = NULL;
			snprintf(err, errlen, "out of memory");
			return -1;
		}
		return 0;
	}
	if (configured == NULL) {
		snprintf(err, errlen,
			 "client_email is required with a PEM private_key (or give the whole "
			 "JSON key file as private_key)");
		return -1;
	}
	if ((*key = rw_signin_key_load(text, strlen(text), RW_JWT_RS256, err, errlen)) == NULL)
		return -1;
	if ((*email = strdup(configured)) == NULL) {
		rw_signin_key_free(*key);
		*key = NULL;
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	return 0;
}

static void
token_answer(struct rw_poll *poll, const struct rw_httpc_response *resp)
{
	struct play_state *s = rw_poll_state(poll);
	char reason[200];
	enum rw_token_result r =
		rw_token_answer(RW_GRANT_JWT_BEARER, (int)resp->status, resp->body, resp->body_len,
				rw_poll_now_ms(poll), &s->cache, reason, sizeof(reason));

	if (r != RW_TOKEN_OK) {
		rw_poll_fail(poll, rw_token_poll_result(r), "%s", reason);
		return;
	}
	rw_poll_walk(poll);
}

/* Asks token_url for an access token with a fresh assertion. */
static void
renew(struct rw_poll *poll)
{
	const struct rw_source_config *src = rw_poll_source(poll);
	struct play_state *s = rw_poll_state(poll);
	struct rw_token_request req;
	struct rw_signin_key *key;
	char *email, err[200];
	const char *url = token_url(src);
	int rc;

	if (load_key(src, &key, &email, err, sizeof(err)) == -1) {
		rw_poll_fail(poll, RW_POLL_AUTH_ERROR, "%s", err);
		return;
	}
	rc = rw_token_request_google_sa(&req, url, key, email, SCOPE, url, rw_poll_now_ms(poll),
					err, sizeof(err));
	rw_signin_key_free(key);
	free(email);
	if (rc == -1) {
		rw_poll_fail(poll, RW_POLL_AUTH_ERROR, "%s", err);
		return;
	}
	rw_token_cache_renewing(&s->cache); /* the token request carries no bearer */
	rw_poll_request(poll, "token", req.url, rw_token_request_headers(&req), req.body,
			RW_TOKEN_SEE, token_answer);
	rw_token_request_clear(&req);
}

/* The package name goes into every request path: checked first. */
static void
play_start(struct rw_poll *poll)
{
	struct play_state *s = rw_poll_state(poll);

	if (!play_package_ok(rw_source_param_string(rw_poll_source(poll), "package_name"))) {
		rw_poll_fail(poll, RW_POLL_CLIENT_ERROR,
			     "package_name is not an Android package name (e.g. com.example.app): "
			     "copy it from the app's Play Console page");
		return;
	}
	if (rw_token_cache_due(&s->cache, rw_poll_now_ms(poll))) {
		renew(poll);
		return;
	}
	rw_poll_walk(poll);
}

static const char *
play_auth_header(struct rw_poll *poll)
{
	struct play_state *s = rw_poll_state(poll);

	return rw_token_cache_header(&s->cache);
}

static bool
play_token_expired(struct rw_poll *poll, const struct rw_httpc_response *resp)
{
	struct play_state *s = rw_poll_state(poll);

	return rw_token_cache_expired(&s->cache, resp->status);
}

/* /androidpublisher/v3/applications/PACKAGE/reviews, plus "/ID" when id. */
static char *
reviews_path(struct rw_poll *poll, const char *id, char *path, size_t len)
{
	const char *package = rw_source_param_string(rw_poll_source(poll), "package_name");
	int n = snprintf(path, len, "/androidpublisher/v3/applications/%s/reviews%s%s", package,
			 id ? "/" : "", id ? id : "");

	return n > 0 && (size_t)n < len ? path : NULL;
}

static char *
play_reviews_url(struct rw_poll *poll, const struct rw_walk *walk)
{
	char path[PACKAGE_MAX + 64];

	if (reviews_path(poll, NULL, path, sizeof(path)) == NULL)
		return NULL;
	return rw_url_build(rw_poll_source(poll)->base_url, path, "maxResults", PER_PAGE_TEXT,
			    "token", walk->token, NULL);
}

static int
play_reviews_parse(struct rw_poll *poll, const char *body, size_t len, struct rw_page *page,
		   char *err, size_t errlen)
{
	(void)poll;
	return rw_google_play_parse_reviews(body, len, page, err, errlen);
}

static char *
play_review_url(struct rw_poll *poll, const char *id)
{
	char path[PACKAGE_MAX + RW_GOOGLE_PLAY_ID_MAX + 64];

	if (reviews_path(poll, id, path, sizeof(path)) == NULL)
		return NULL;
	return rw_url_build(rw_poll_source(poll)->base_url, path, NULL);
}

static int
play_review_parse(struct rw_poll *poll, const char *id, const char *body, size_t len,
		  struct rw_page *page, char *err, size_t errlen)
{
	(void)poll;
	(void)id;
	return rw_google_play_parse_review(body, len, page, err, errlen);
}

/* The review stream is walked by time: its watermark is ms (digits). */
static bool
play_ms_ok(const char *ms)
{
	return rw_cursor_digits(ms, 16);
}

static const struct rw_stream streams[] = {
	{
		.endpoint = "reviews",
		.field = 'n',
		.by_time = true,
		.token_paging = true,
		.page_url = play_reviews_url,
		.parse = play_reviews_parse,
		.cursor_ok = play_ms_ok,
		/* The whole of Play's window: every answer and edit in it is seen. */
		.overlap_ms = WEEK_MS,
		.per_page = 0,
	},
};

static const struct rw_revisit revisit = {
	.endpoint = "review",
	.per_poll = REVISITS_PER_POLL,
	.gone_status = 0,   /* Play's 404 does not mean deleted */
	.skip_status = 404, /* an old review Play no longer reads: tried again later */
	.id_ok = rw_google_play_id_valid,
	.url = play_review_url,
	.parse = play_review_parse,
};

static const struct rw_connector connector = {
	.streams = streams,
	.nstreams = 1,
	.state_new = play_state_new,
	.state_free = play_state_free,
	.start = play_start,
	.auth_header = play_auth_header,
	.token_expired = play_token_expired,
	.revisit = &revisit,
	.list_window_ms = WEEK_MS,
};

static const struct rw_param_spec params[] = {
	{"package_name", RW_PARAM_STRING, true}, {"client_email", RW_PARAM_STRING, false},
	{"private_key", RW_PARAM_SECRET, true},  {"token_url", RW_PARAM_URL, false},
	{NULL, RW_PARAM_STRING, false},
};

const struct rw_platform rw_google_play_platform = {
	.name = "google_play",
	.base_url = "https://androidpublisher.googleapis.com",
	.poll_every = 900,
	.params = params,
	.connector = &connector,
};
