/*
 * reddit.c: the Reddit connector (OAuth API of a "script" app signed in as
 * the brand's account) — sign-in, requests and paging; the parsing is in
 * reddit_parse.c.
 *
 * Sign-in: POST {auth_url}/api/v1/access_token with HTTP Basic
 * client_id:client_secret and either the password grant (the brand's
 * username and password) or the refresh_token grant; the access token
 * (an hour) is kept in the source's token cache (signin.h), renewed
 * shortly before it expires, and a 401 renews it once. Reddit answers a
 * refused password with 200 {"error": "invalid_grant"}: read as the 400 it
 * means. Every request, the token requests included, carries the
 * descriptive User-Agent Reddit requires ("server:replywatch:VERSION (by
 * /u/USERNAME)"): default agents are throttled hard.
 *
 * Inbound: GET /message/mentions (username mentions), /message/comments
 * (replies to the brand's comments) and /message/selfreply (replies to its
 * posts), mark=false so that reading marks nothing read for the people
 * using the account. Brand replies: GET /user/USERNAME/comments?sort=new,
 * a comment whose parent_id is a tracked item answers it. All are
 * Listings, newest first, paged back with after=FULLNAME and walked down
 * to the fullname the previous walk began with (fullnames of one kind
 * order as numbers). `before` is not used: it misbehaves once its item is
 * deleted (research/platforms.md 4.2).
 *
 * Rate limits: X-Ratelimit-Used/-Remaining (a float)/-Reset (seconds from
 * now), read by rw_reddit_ratelimit_read; about 100 requests a minute per
 * client id averaged over 10 minutes. The default poll_every (60 s) spends
 * 4 requests a poll, plus a token an hour.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "replywatch/config.h"
#include "replywatch/connector.h"
#include "replywatch/httpc.h"
#include "replywatch/log.h"
#include "replywatch/page.h"
#include "replywatch/platform.h"
#include "replywatch/secret.h"
#include "replywatch/signin.h"
#include "replywatch/sources/reddit.h"

#define PER_PAGE "100" /* Reddit's most */
#define AUTH_URL "https://www.reddit.com"
#define TOKEN_PATH "/api/v1/access_token"
#define TOKEN_ENDPOINT "token"

#ifndef RW_VERSION
#define RW_VERSION "0"
#endif

/* The connector's state: the access token and the User-Agent line. */
struct reddit_state {
	struct rw_token_cache cache;
	char user_agent[128];
	const char *headers[2]; /* the User-Agent, NULL */
};

static void *
reddit_state_new(const struct rw_source_config *src)
{
	struct reddit_state *s = calloc(1, sizeof(*s));
	const char *user = rw_source_param_string(src, "username");

	if (s == NULL)
		return NULL;
	/* An invalid username is refused by start before any request. */
	snprintf(s->user_agent, sizeof(s->user_agent),
		 "User-Agent: server:replywatch:%s (by /u/%s)", RW_VERSION,
		 rw_reddit_username_valid(user) ? user : "unknown");
	s->headers[0] = s->user_agent;
	return s;
}

static void
reddit_state_free(void *state)
{
	struct reddit_state *s = state;

	if (s == NULL)
		return;
	rw_token_cache_clear(&s->cache);
	free(s);
}

static const char *
reddit_auth_header(struct rw_poll *poll)
{
	struct reddit_state *s = rw_poll_state(poll);

	return rw_token_cache_header(&s->cache);
}

static const char *const *
reddit_headers(struct rw_poll *poll)
{
	struct reddit_state *s = rw_poll_state(poll);

	return s->headers;
}

static bool
reddit_token_expired(struct rw_poll *poll, const struct rw_httpc_response *resp)
{
	struct reddit_state *s = rw_poll_state(poll);

	return rw_token_cache_expired(&s->cache, resp->status);
}

static const char *
brand(struct rw_poll *poll)
{
	return rw_source_param_string(rw_poll_source(poll), "username");
}

static char *
inbox_url(struct rw_poll *poll, const struct rw_walk *walk, const char *what)
{
	char path[32];

	snprintf(path, sizeof(path), "/message/%s", what);
	return rw_url_build(rw_poll_source(poll)->base_url, path, "limit", PER_PAGE, "mark",
			    "false", "raw_json", "1", "after", walk->token, NULL);
}

static char *
mentions_url(struct rw_poll *poll, const struct rw_walk *walk)
{
	return inbox_url(poll, walk, "mentions");
}

static char *
comment_replies_url(struct rw_poll *poll, const struct rw_walk *walk)
{
	return inbox_url(poll, walk, "comments");
}

static char *
post_replies_url(struct rw_poll *poll, const struct rw_walk *walk)
{
	return inbox_url(poll, walk, "selfreply");
}

static char *
brand_comments_url(struct rw_poll *poll, const struct rw_walk *walk)
{
	char path[64];

	snprintf(path, sizeof(path), "/user/%s/comments", brand(poll));
	return rw_url_build(rw_poll_source(poll)->base_url, path, "sort", "new", "limit", PER_PAGE,
			    "raw_json", "1", "after", walk->token, NULL);
}

static int
mentions_parse(struct rw_poll *poll, const char *body, size_t len, struct rw_page *page, char *err,
	       size_t errlen)
{
	return rw_reddit_parse_inbox(body, len, brand(poll), RW_KIND_MENTION, page, err, errlen);
}

static int
replies_parse(struct rw_poll *poll, const char *body, size_t len, struct rw_page *page, char *err,
	      size_t errlen)
{
	return rw_reddit_parse_inbox(body, len, brand(poll), RW_KIND_COMMENT, page, err, errlen);
}

static int
brand_comments_parse(struct rw_poll *poll, const char *body, size_t len, struct rw_page *page,
		     char *err, size_t errlen)
{
	return rw_reddit_parse_comments(body, len, brand(poll), page, err, errlen);
}

/* Reddit's 200 {"error": "invalid_grant"} (a refused password) is the 400
 * of RFC 6749 5.2. A body holding an access token is never parsed here. */
static int
token_status(const struct rw_httpc_response *resp)
{
	json_t *doc;
	int status = (int)resp->status;

	if (status != 200 || resp->body == NULL ||
	    memmem(resp->body, resp->body_len, "access_token", 12) != NULL)
		return status;
	doc = json_loadb(resp->body, resp->body_len, 0, NULL);
	if (json_is_string(json_object_get(doc, "error")))
		status = 400;
	json_decref(doc);
	return status;
}

static enum rw_grant
grant_of(const struct rw_source_config *src)
{
	return rw_source_param_secret(src, "password") != NULL ? RW_GRANT_PASSWORD
							       : RW_GRANT_REFRESH_TOKEN;
}

static void
token_answer(struct rw_poll *poll, const struct rw_httpc_response *resp)
{
	struct reddit_state *s = rw_poll_state(poll);
	char reason[200];
	enum rw_token_result r;

	r = rw_token_answer(grant_of(rw_poll_source(poll)), token_status(resp), resp->body,
			    resp->body_len, rw_poll_now_ms(poll), &s->cache, reason,
			    sizeof(reason));
	if (r != RW_TOKEN_OK) {
		rw_poll_fail(poll, rw_token_poll_result(r), "%s: %s", TOKEN_ENDPOINT, reason);
		return;
	}
	log_info("%s: access token renewed (valid %lld s)", rw_poll_source(poll)->name,
		 (long long)((s->cache.expires_ms - s->cache.obtained_ms) / 1000));
	rw_poll_walk(poll);
}

static const char *
secret_of(const struct rw_source_config *src, const char *key)
{
	const struct rw_secret *secret = rw_source_param_secret(src, key);

	return secret ? rw_secret_value(secret) : NULL;
}

/* Sends the password grant, or the refresh_token grant (Basic client auth
 * for both, as Reddit requires). */
static void
renew(struct rw_poll *poll, struct reddit_state *s)
{
	const struct rw_source_config *src = rw_poll_source(poll);
	const char *auth_url = rw_source_param_string(src, "auth_url");
	const char *client_id = rw_source_param_string(src, "client_id");
	const char *client_secret = secret_of(src, "client_secret");
	struct rw_token_request req;
	char url[512], err[200];
	size_t n;
	int rc;

	if (auth_url == NULL)
		auth_url = AUTH_URL;
	/* "https://www.reddit.com/" works as well as without the slash. */
	n = strlen(auth_url);
	while (n > 0 && auth_url[n - 1] == '/')
		n--;
	if (n > sizeof(url) - sizeof(TOKEN_PATH)) {
		rw_poll_fail(poll, RW_POLL_CLIENT_ERROR, "auth_url too long");
		return;
	}
	snprintf(url, sizeof(url), "%.*s%s", (int)n, auth_url, TOKEN_PATH);
	if (grant_of(src) == RW_GRANT_PASSWORD)
		rc = rw_token_request_password(&req, url, client_id, client_secret, brand(poll),
					       secret_of(src, "password"), err, sizeof(err));
	else
		rc = rw_token_request_refresh_basic(&req, url, client_id, client_secret,
						    secret_of(src, "refresh_token"), err,
						    sizeof(err));
	if (rc == -1) {
		rw_poll_fail(poll, RW_POLL_AUTH_ERROR, "%s", err);
		return;
	}
	rw_token_cache_renewing(&s->cache); /* the token request carries no bearer */
	rw_poll_request(poll, TOKEN_ENDPOINT, req.url, rw_token_request_headers(&req), req.body,
			RW_TOKEN_SEE, token_answer);
	rw_token_request_clear(&req);
}

/* The username goes into a path and the User-Agent: checked first; then
 * a token when the cache has none or it is due. */
static void
reddit_start(struct rw_poll *poll)
{
	struct reddit_state *s = rw_poll_state(poll);

	if (!rw_reddit_username_valid(brand(poll))) {
		rw_poll_fail(poll, RW_POLL_CLIENT_ERROR,
			     "username must be a Reddit username (3 to 20 of A-Z a-z 0-9 _ -, "
			     "without /u/)");
		return;
	}
	if (rw_token_cache_due(&s->cache, rw_poll_now_ms(poll))) {
		renew(poll, s);
		return;
	}
	rw_poll_walk(poll);
}

static const struct rw_stream streams[] = {
	{"mentions", 'n', false, true, mentions_url, mentions_parse, rw_reddit_comment_valid, 0, 0},
	{"comment_replies", 'c', false, true, comment_replies_url, replies_parse,
	 rw_reddit_comment_valid, 0, 0},
	{"post_replies", 's', false, true, post_replies_url, replies_parse, rw_reddit_comment_valid,
	 0, 0},
	{"comments", 'r', false, true, brand_comments_url, brand_comments_parse,
	 rw_reddit_comment_valid, 0, 0},
};

static const struct rw_connector connector = {
	.streams = streams,
	.nstreams = sizeof(streams) / sizeof(streams[0]),
	.state_new = reddit_state_new,
	.state_free = reddit_state_free,
	.start = reddit_start,
	.auth_header = reddit_auth_header,
	.headers = reddit_headers,
	.token_expired = reddit_token_expired,
};

static const struct rw_param_spec params[] = {
	{"auth_url", RW_PARAM_URL, false},        {"client_id", RW_PARAM_STRING, true},
	{"client_secret", RW_PARAM_SECRET, true}, {"username", RW_PARAM_STRING, true},
	{"password", RW_PARAM_SECRET, false},     {"refresh_token", RW_PARAM_SECRET, false},
	{NULL, RW_PARAM_STRING, false},
};

/* Reddit's budget is per OAuth client and 10-minute window, reported on
 * every answer: "auto" spreads it over the window. Every endpoint reports
 * the client's one figure, and sources of one client share it. */
static const struct rw_quota quota = {
	.kind = RW_QUOTA_WINDOW,
	.poll_auto_default = true,
	.shared = "client",
	.shared_by = "client_id",
};

const struct rw_platform rw_reddit_platform = {
	.name = "reddit",
	.base_url = "https://oauth.reddit.com",
	.params = params,
	.one_of = {"password", "refresh_token"},
	.ratelimit_read = rw_reddit_ratelimit_read,
	.quota = &quota,
	.connector = &connector,
};
