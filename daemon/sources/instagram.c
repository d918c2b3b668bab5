/*
 * instagram.c: the Instagram connector (Graph API, a professional account
 * linked to a Facebook Page) — requests and cursors; the parsing is in
 * instagram_parse.c, what Graph answers share in meta_graph.c.
 *
 * Two streams of media, each with its newest 50 comments and their replies
 * nested (instagram.h): the brand's own media (GET /vNN/IGUSER/media) and
 * media that tag the brand (/tags), newest first, paged with the "after"
 * cursor while Graph gives a "next". Every walk reads again the media of
 * the week below the newest one of the previous walk, so comments on
 * recent media are found (ingest is idempotent). Comment @mentions have no
 * list endpoint: the webhook queues their ids (hookstore.h), and each poll
 * first reads them from the IG user node (mentioned_comment and
 * mentioned_media, struct rw_queued_read).
 *
 * Errors, throttling and usage headers as for facebook (meta_graph.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "replywatch/connector.h"
#include "replywatch/hookstore.h"
#include "replywatch/httpc.h"
#include "replywatch/platform.h"
#include "replywatch/secret.h"
#include "replywatch/sources/instagram.h"
#include "replywatch/sources/meta_graph.h"
#include "replywatch/sources/meta_hook.h"

static const char *
instagram_auth_header(struct rw_poll *poll)
{
	return rw_graph_auth_header(rw_poll_state(poll));
}

static char *
instagram_media_url_of(struct rw_poll *poll, const struct rw_walk *walk, const char *what)
{
	const struct rw_source_config *src = rw_poll_source(poll);

	return rw_graph_edge_url(src->base_url, rw_source_param_string(src, "user_id"), what,
				 RW_INSTAGRAM_MEDIA_FIELDS, walk->token, rw_poll_state(poll));
}

static char *
instagram_media_url(struct rw_poll *poll, const struct rw_walk *walk)
{
	return instagram_media_url_of(poll, walk, "media");
}

static char *
instagram_tags_url(struct rw_poll *poll, const struct rw_walk *walk)
{
	return instagram_media_url_of(poll, walk, "tags");
}

static int
instagram_parse(struct rw_poll *poll, const char *body, size_t len, bool tagged,
		struct rw_page *page, char *err, size_t errlen)
{
	const struct rw_source_config *src = rw_poll_source(poll);
	struct rw_instagram_brand brand = {rw_source_param_string(src, "user_id"),
					   rw_source_param_string(src, "username")};

	return rw_instagram_parse_media(body, len, &brand, tagged, page, err, errlen);
}

static int
instagram_media_parse(struct rw_poll *poll, const char *body, size_t len, struct rw_page *page,
		      char *err, size_t errlen)
{
	return instagram_parse(poll, body, len, false, page, err, errlen);
}

static int
instagram_tags_parse(struct rw_poll *poll, const char *body, size_t len, struct rw_page *page,
		     char *err, size_t errlen)
{
	return instagram_parse(poll, body, len, true, page, err, errlen);
}

static enum rw_poll_result
instagram_error_result(struct rw_poll *poll, const struct rw_httpc_response *resp, char *reason,
		       size_t reasonlen)
{
	(void)poll;
	return rw_graph_answer_result(resp->status, resp->body, resp->body_len, reason, reasonlen);
}

/* The account id goes into every request path: checked first. */
static void
instagram_start(struct rw_poll *poll)
{
	if (!rw_graph_id_valid(rw_source_param_string(rw_poll_source(poll), "user_id"))) {
		rw_poll_fail(poll, RW_POLL_CLIENT_ERROR,
			     "user_id must be the Instagram professional account's numeric id "
			     "(GET /PAGE-ID?fields=instagram_business_account)");
		return;
	}
	rw_poll_walk(poll);
}

static bool
instagram_ms_ok(const char *ms)
{
	return rw_cursor_digits(ms, 16);
}

/* ---- @mentions a webhook queued by id ---- */

static bool
instagram_queued_ok(const struct rw_queued *q)
{
	return (q->kind == RW_META_QUEUED_COMMENT || q->kind == RW_META_QUEUED_MEDIA) &&
	       rw_graph_id_valid(q->id) &&
	       (q->conversation_id == NULL || rw_graph_id_valid(q->conversation_id));
}

static char *
instagram_queued_url(struct rw_poll *poll, const struct rw_queued *q)
{
	const struct rw_source_config *src = rw_poll_source(poll);
	char path[RW_GRAPH_ID_MAX + 16], fields[RW_GRAPH_ID_MAX + 160];

	snprintf(path, sizeof(path), "/%s/%s", RW_GRAPH_VERSION,
		 rw_source_param_string(src, "user_id"));
	if (q->kind == RW_META_QUEUED_MEDIA)
		snprintf(fields, sizeof(fields),
			 "mentioned_media.media_id(%s){" RW_INSTAGRAM_MENTIONED_MEDIA_FIELDS "}",
			 q->id);
	else
		snprintf(fields, sizeof(fields),
			 "mentioned_comment.comment_id(%s){" RW_INSTAGRAM_MENTIONED_COMMENT_FIELDS
			 "}",
			 q->id);
	return rw_url_build(src->base_url, path, "fields", fields, NULL);
}

/* Graph's "Unsupported get request" for an object that does not exist (or
 * may no longer be read): code 100, subcode 33. */
static bool
instagram_queued_gone(struct rw_poll *poll, const struct rw_httpc_response *resp)
{
	struct rw_graph_error e;

	(void)poll;
	return rw_graph_parse_error(resp->body, resp->body_len, &e) == 0 && e.code == 100 &&
	       e.subcode == 33;
}

static int
instagram_queued_parse(struct rw_poll *poll, const struct rw_queued *q, const char *body,
		       size_t len, struct rw_page *page, char *err, size_t errlen)
{
	(void)poll;
	return rw_instagram_parse_mentioned(body, len, q->kind == RW_META_QUEUED_MEDIA, q->id,
					    q->conversation_id, page, err, errlen);
}

static const struct rw_queued_read queued = {
	.endpoint = "mentions",
	.per_poll = 20,
	.max_attempts = 5,
	.max_age_ms = 24LL * 60 * 60 * 1000,
	.ok = instagram_queued_ok,
	.url = instagram_queued_url,
	.gone = instagram_queued_gone,
	.parse = instagram_queued_parse,
};

static const struct rw_stream streams[] = {
	{"media", 'n', true, true, instagram_media_url, instagram_media_parse, instagram_ms_ok,
	 RW_GRAPH_RECENT_MS, 0},
	{"tags", 'g', true, true, instagram_tags_url, instagram_tags_parse, instagram_ms_ok,
	 RW_GRAPH_RECENT_MS, 0},
};

static const struct rw_connector connector = {
	.streams = streams,
	.nstreams = sizeof(streams) / sizeof(streams[0]),
	.state_new = rw_graph_auth_new,
	.state_free = rw_graph_auth_free,
	.start = instagram_start,
	.auth_header = instagram_auth_header,
	.error_result = instagram_error_result,
	.queued = &queued,
};

static const struct rw_param_spec params[] = {
	{"user_id", RW_PARAM_STRING, true},
	{"token", RW_PARAM_SECRET, true},
	{"username", RW_PARAM_STRING, false},
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

const struct rw_platform rw_instagram_platform = {
	.name = "instagram",
	.base_url = "https://graph.facebook.com",
	.params = params,
	.ratelimit_read = rw_graph_ratelimit_read,
	.quota = &quota,
	.connector = &connector,
};
