/*
 * bluesky.c: the Bluesky (AT Protocol) connector — session, requests and
 * cursors; the parsing is in bluesky_parse.c.
 *
 * A session comes from createSession with the app password, once; it is
 * renewed with refreshSession (the refresh JWT) shortly before the access
 * JWT's exp (signin.h's rule: min(5 min, half its lifetime) early), or
 * when a call answers ExpiredToken. Sign-ins are rate-
 * limited hard (30 per 5 minutes, a few hundred a day), so a poll never
 * signs in again while a refresh can still work.
 *
 * Inbound: app.bsky.notification.listNotifications (reasons mention, reply,
 * quote; priority=false). Brand replies: app.bsky.feed.getAuthorFeed
 * (posts_with_replies). Both page backwards only, by cursor: a walk goes
 * down to the indexedAt watermark of the previous one.
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "replywatch/sources/bluesky.h"
#include "replywatch/connector.h"
#include "replywatch/platform.h"
#include "replywatch/httpc.h"
#include "replywatch/log.h"
#include "replywatch/secret.h"
#include "replywatch/signin.h"

#define PAGE_LIMIT "100"

struct bluesky {
	struct rw_bluesky_session session; /* access_jwt NULL: not signed in */
	int64_t session_ms;                /* when the session was received */
	bool renew;                        /* the access JWT was refused as expired */
	bool refreshing;                   /* auth_header() sends the refresh JWT */
	char *auth;                        /* "Authorization: Bearer JWT" (wiped) */
};

static void
drop_auth(struct bluesky *b)
{
	rw_bearer_free(b->auth);
	b->auth = NULL;
}

static void *
state_new(const struct rw_source_config *src)
{
	(void)src;
	return calloc(1, sizeof(struct bluesky));
}

static void
state_free(void *state)
{
	struct bluesky *b = state;

	if (b == NULL)
		return;
	drop_auth(b);
	rw_bluesky_session_clear(&b->session);
	free(b);
}

static const char *
auth_header(struct rw_poll *poll)
{
	struct bluesky *b = rw_poll_state(poll);
	const char *jwt = b->refreshing ? b->session.refresh_jwt : b->session.access_jwt;

	drop_auth(b);
	if (jwt != NULL)
		b->auth = rw_bearer_header(jwt);
	return b->auth;
}

/* The XRPC error name of an answer, or "". */
static void
xrpc_error(const struct rw_httpc_response *resp, char *name, size_t len)
{
	if (rw_bluesky_parse_error(resp->body, resp->body_len, name, len) == -1)
		name[0] = '\0';
}

static bool
token_expired(struct rw_poll *poll, const struct rw_httpc_response *resp)
{
	struct bluesky *b = rw_poll_state(poll);
	char name[64];

	if (b->refreshing || (resp->status != 400 && resp->status != 401))
		return false;
	xrpc_error(resp, name, sizeof(name));
	if (strcmp(name, "ExpiredToken") != 0)
		return false;
	b->renew = true;
	return true;
}

static char *
notifications_url(struct rw_poll *poll, const struct rw_walk *walk)
{
	return rw_url_build(rw_poll_source(poll)->base_url,
			    "/xrpc/app.bsky.notification.listNotifications", "reasons", "mention",
			    "reasons", "reply", "reasons", "quote", "priority", "false", "limit",
			    PAGE_LIMIT, "cursor", walk->token, NULL);
}

static int
notifications_parse(struct rw_poll *poll, const char *body, size_t len, struct rw_page *page,
		    char *err, size_t errlen)
{
	struct bluesky *b = rw_poll_state(poll);

	return rw_bluesky_parse_notifications(body, len, b->session.did, page, err, errlen);
}

static char *
feed_url(struct rw_poll *poll, const struct rw_walk *walk)
{
	struct bluesky *b = rw_poll_state(poll);

	return rw_url_build(rw_poll_source(poll)->base_url, "/xrpc/app.bsky.feed.getAuthorFeed",
			    "actor", b->session.did, "filter", "posts_with_replies", "limit",
			    PAGE_LIMIT, "cursor", walk->token, NULL);
}

static int
feed_parse(struct rw_poll *poll, const char *body, size_t len, struct rw_page *page, char *err,
	   size_t errlen)
{
	struct bluesky *b = rw_poll_state(poll);

	return rw_bluesky_parse_feed(body, len, b->session.did, page, err, errlen);
}

/* Takes the session of a createSession/refreshSession answer, then walks. */
static void
session_answer(struct rw_poll *poll, const struct rw_httpc_response *resp)
{
	struct bluesky *b = rw_poll_state(poll);
	struct rw_bluesky_session s = {0};
	char err[200];

	b->refreshing = false;
	if (rw_bluesky_parse_session(resp->body, resp->body_len, &s, err, sizeof(err)) == -1) {
		rw_poll_fail(poll, RW_POLL_MALFORMED, "session: malformed answer: %s", err);
		return;
	}
	/* The JWTs become an Authorization header: a CR or LF in one would add
	 * headers of the platform's choosing to every later request. */
	if (!rw_jwt_ok(s.access_jwt) || (s.refresh_jwt != NULL && !rw_jwt_ok(s.refresh_jwt))) {
		rw_bluesky_session_clear(&s);
		rw_poll_fail(poll, RW_POLL_MALFORMED,
			     "session: malformed answer: a token is not a JWT (refused)");
		return;
	}
	log_info("%s: %s as %s", rw_poll_source(poll)->name,
		 b->session.access_jwt ? "session renewed" : "signed in",
		 s.handle ? s.handle : s.did);
	rw_bluesky_session_clear(&b->session);
	b->session = s;
	b->session_ms = rw_poll_now_ms(poll);
	b->renew = false;
	rw_poll_walk(poll);
}

static void sign_in(struct rw_poll *poll);

static void
refresh_answer(struct rw_poll *poll, const struct rw_httpc_response *resp)
{
	struct bluesky *b = rw_poll_state(poll);

	if (resp->status == 400 || resp->status == 401) {
		/* The refresh JWT is spent or revoked: sign in again, once. */
		b->refreshing = false;
		log_info("%s: session refresh refused; signing in again",
			 rw_poll_source(poll)->name);
		rw_bluesky_session_clear(&b->session);
		sign_in(poll);
		return;
	}
	session_answer(poll, resp);
}

static void
sign_in(struct rw_poll *poll)
{
	const struct rw_source_config *src = rw_poll_source(poll);
	const struct rw_secret *password = rw_source_param_secret(src, "app_password");
	json_t *doc =
		json_pack("{s:s, s:s}", "identifier", rw_source_param_string(src, "identifier"),
			  "password", password ? rw_secret_value(password) : "");
	char *body = doc ? json_dumps(doc, JSON_COMPACT) : NULL;
	char *url = rw_url_build(src->base_url, "/xrpc/com.atproto.server.createSession", NULL);

	json_decref(doc);
	if (body == NULL || url == NULL) {
		rw_poll_fail(poll, RW_POLL_CLIENT_ERROR, "out of memory");
	} else {
		rw_poll_request(poll, "createSession", url, NULL, body, NULL, session_answer);
	}
	if (body != NULL) {
		explicit_bzero(body, strlen(body));
		free(body);
	}
	free(url);
}

static void
refresh(struct rw_poll *poll)
{
	struct bluesky *b = rw_poll_state(poll);
	static const int see[] = {400, 401, 0};
	char *url = rw_url_build(rw_poll_source(poll)->base_url,
				 "/xrpc/com.atproto.server.refreshSession", NULL);

	if (url == NULL) {
		rw_poll_fail(poll, RW_POLL_CLIENT_ERROR, "out of memory");
		return;
	}
	b->refreshing = true;
	rw_poll_request(poll, "refreshSession", url, NULL, "", see, refresh_answer);
	free(url);
}

static void
start(struct rw_poll *poll)
{
	struct bluesky *b = rw_poll_state(poll);
	int64_t exp = b->session.access_expires_ms;

	b->refreshing = false;
	if (b->session.access_jwt == NULL || b->session.did == NULL)
		sign_in(poll);
	else if (b->renew ||
		 (exp > 0 && rw_poll_now_ms(poll) >= rw_token_renew_at_ms(b->session_ms, exp)))
		refresh(poll);
	else
		rw_poll_walk(poll);
}

/* Bluesky streams are walked by time: their watermarks are ms (digits). */
static bool
bluesky_ms_ok(const char *ms)
{
	return rw_cursor_digits(ms, 16);
}

static const struct rw_stream streams[] = {
	{"listNotifications", 'n', true, true, notifications_url, notifications_parse,
	 bluesky_ms_ok, 0, 0},
	{"getAuthorFeed", 'r', true, true, feed_url, feed_parse, bluesky_ms_ok, 0, 0},
};

static const struct rw_connector connector = {
	.streams = streams,
	.nstreams = 2,
	.state_new = state_new,
	.state_free = state_free,
	.start = start,
	.auth_header = auth_header,
	.token_expired = token_expired,
};

static const struct rw_param_spec params[] = {
	{"identifier", RW_PARAM_STRING, true},
	{"app_password", RW_PARAM_SECRET, true},
	{NULL, RW_PARAM_STRING, false},
};

static const struct rw_ratelimit_headers ratelimit_headers = {
	"RateLimit-Limit", "RateLimit-Remaining", "RateLimit-Reset", false, false};

const struct rw_platform rw_bluesky_platform = {
	.name = "bluesky",
	.base_url = "https://bsky.social",
	.params = params,
	.ratelimit_headers = &ratelimit_headers,
	.connector = &connector,
};
