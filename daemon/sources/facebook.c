/*
 * facebook.c: the Facebook Page connector (Graph API) — requests and
 * cursors; the parsing is in facebook_parse.c, what Graph answers share
 * (errors, usage headers, cursors) in meta_graph.c.
 *
 * Three streams of posts, each with its newest 100 comments nested
 * (facebook.h): the Page's own posts (GET /vNN/PAGE/posts), visitor posts
 * (/visitor_posts) and posts that tag the Page (/tagged), newest first,
 * paged with the "after" cursor while Graph gives a "next". Comments arrive
 * on old posts too: every walk reads again the posts of the week below the
 * newest post of the previous walk (ingest is idempotent), so a comment on
 * a post of that week is found by the next poll; comments on older posts
 * come only through the webhook.
 *
 * The Page access token goes in an Authorization header, never in a URL.
 * Throttling (error codes 4, 17, 32, 613, 80001-80014 on a 400/403) is a
 * rate limit, not rejected credentials; error 190 (the token expired or was
 * revoked) puts the source down with what to do. The usage headers feed
 * the rate limits (meta_graph.h), so /status shows the quota spent.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "replywatch/connector.h"
#include "replywatch/httpc.h"
#include "replywatch/platform.h"
#include "replywatch/secret.h"
#include "replywatch/sources/facebook.h"
#include "replywatch/sources/meta_graph.h"

/* The connector's state is just the bearer header line. */
static const char *
facebook_auth_header(struct rw_poll *poll)
{
	return rw_graph_auth_header(rw_poll_state(poll));
}

static char *
facebook_posts_url(struct rw_poll *poll, const struct rw_walk *walk, const char *what)
{
	const struct rw_source_config *src = rw_poll_source(poll);

	return rw_graph_edge_url(src->base_url, rw_source_param_string(src, "page_id"), what,
				 RW_FACEBOOK_POST_FIELDS, walk->token, rw_poll_state(poll));
}

static char *
facebook_own_url(struct rw_poll *poll, const struct rw_walk *walk)
{
	return facebook_posts_url(poll, walk, "posts");
}

static char *
facebook_visitor_url(struct rw_poll *poll, const struct rw_walk *walk)
{
	return facebook_posts_url(poll, walk, "visitor_posts");
}

static char *
facebook_tagged_url(struct rw_poll *poll, const struct rw_walk *walk)
{
	return facebook_posts_url(poll, walk, "tagged");
}

static int
facebook_parse(struct rw_poll *poll, const char *body, size_t len, struct rw_page *page, char *err,
	       size_t errlen)
{
	return rw_facebook_parse_posts(body, len,
				       rw_source_param_string(rw_poll_source(poll), "page_id"),
				       page, err, errlen);
}

static enum rw_poll_result
facebook_error_result(struct rw_poll *poll, const struct rw_httpc_response *resp, char *reason,
		      size_t reasonlen)
{
	(void)poll;
	return rw_graph_answer_result(resp->status, resp->body, resp->body_len, reason, reasonlen);
}

/* The Page id goes into every request path: checked first. */
static void
facebook_start(struct rw_poll *poll)
{
	if (!rw_graph_id_valid(rw_source_param_string(rw_poll_source(poll), "page_id"))) {
		rw_poll_fail(poll, RW_POLL_CLIENT_ERROR,
			     "page_id must be the Page's numeric id (Page settings, About)");
		return;
	}
	rw_poll_walk(poll);
}

/* The streams are walked by time: their watermarks are ms (digits). */
static bool
facebook_ms_ok(const char *ms)
{
	return rw_cursor_digits(ms, 16);
}

static const struct rw_stream streams[] = {
	{"posts", 'n', true, true, facebook_own_url, facebook_parse, facebook_ms_ok,
	 RW_GRAPH_RECENT_MS, 0},
	{"visitor_posts", 'u', true, true, facebook_visitor_url, facebook_parse, facebook_ms_ok,
	 RW_GRAPH_RECENT_MS, 0},
	{"tagged", 'g', true, true, facebook_tagged_url, facebook_parse, facebook_ms_ok,
	 RW_GRAPH_RECENT_MS, 0},
};

static const struct rw_connector connector = {
	.streams = streams,
	.nstreams = sizeof(streams) / sizeof(streams[0]),
	.state_new = rw_graph_auth_new,
	.state_free = rw_graph_auth_free,
	.start = facebook_start,
	.auth_header = facebook_auth_header,
	.error_result = facebook_error_result,
};

static const struct rw_param_spec params[] = {
	{"page_id", RW_PARAM_STRING, true},
	{"token", RW_PARAM_SECRET, true},
	/* Webhooks (hooks.h): the delivery signature key and the handshake's token. */
	{"app_secret", RW_PARAM_SECRET, false},
	{"verify_token", RW_PARAM_SECRET, false},
	{NULL, RW_PARAM_STRING, false},
};

/* Graph's usage headers report a share of a rolling window (limit 100,
 * remaining 100 - the highest percentage): "auto" spreads what is left. */
static const struct rw_quota quota = {
	.kind = RW_QUOTA_WINDOW,
	.poll_auto_default = true,
	.shared = RW_GRAPH_USAGE, /* the app's and the Page's usage: every edge spends it */
	.rolling = true,
};

const struct rw_platform rw_facebook_platform = {
	.name = "facebook",
	.base_url = "https://graph.facebook.com",
	.params = params,
	.ratelimit_read = rw_graph_ratelimit_read,
	.quota = &quota,
	.connector = &connector,
};
