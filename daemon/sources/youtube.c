/*
 * youtube.c: the YouTube connector (YouTube Data API v3, the comments of
 * one channel's videos) — requests, cursors and the quota; the parsing is
 * in youtube_parse.c.
 *
 * Auth: an API key (public comments need nothing more), sent as the
 * X-Goog-Api-Key header so it never appears in a URL.
 *
 * Threads: GET /youtube/v3/commentThreads?part=snippet,replies
 * &allThreadsRelatedToChannelId=CH&order=time&maxResults=100&pageToken=,
 * newest first, walked by the top-level comments' publishedAt down to the
 * watermark. Each thread's comment is an inbound item; the brand channel's
 * inline replies are brand replies. A thread carries only some of its
 * replies, and a brand reply may come after its thread fell below the
 * watermark: open threads are therefore read again, GET
 * /youtube/v3/comments?part=snippet&parentId=ID&maxResults=100, up to 10 a
 * poll in rotation (poller_revisit.c), which finds the brand's reply among
 * up to 100 replies of the thread however old it is.
 *
 * Quota: 10 000 units a day per Google Cloud project, reset at midnight
 * Pacific time; each call costs 1 unit (invalid ones too). The descriptor's
 * quota (RW_QUOTA_DAILY) lets the poller count them (poller_budget.c;
 * /status shows the "daily quota" entry), spread them (poll_every "auto",
 * the default) and treat a 403 quotaExceeded as spent until the reset.
 */

#include <stdio.h>

#include "replywatch/connector.h"
#include "replywatch/httpc.h"
#include "replywatch/platform.h"
#include "replywatch/secret.h"
#include "replywatch/signin.h"
#include "replywatch/sources/youtube.h"

#define PER_PAGE "100"
#define REVISITS_PER_POLL 10

/* The connector's state is the key's header line (wiped when freed); NULL
 * when the key cannot be a header value (yt_start says so). */
static void *
yt_state_new(const struct rw_source_config *src)
{
	const struct rw_secret *key = rw_source_param_secret(src, "api_key");

	return key ? rw_signin_header_line("X-Goog-Api-Key", rw_secret_value(key)) : NULL;
}

static void
yt_state_free(void *state)
{
	rw_bearer_free(state);
}

static const char *
yt_auth_header(struct rw_poll *poll)
{
	return rw_poll_state(poll);
}

static const char *
channel(struct rw_poll *poll)
{
	return rw_source_param_string(rw_poll_source(poll), "channel_id");
}

static void
yt_start(struct rw_poll *poll)
{
	if (rw_poll_state(poll) == NULL) {
		rw_poll_fail(poll, RW_POLL_AUTH_ERROR,
			     "api_key is empty or holds characters a header cannot");
		return;
	}
	if (!rw_youtube_id_valid(channel(poll))) {
		rw_poll_fail(poll, RW_POLL_CLIENT_ERROR, "channel_id is not a YouTube channel id");
		return;
	}
	rw_poll_walk(poll);
}

static char *
threads_url(struct rw_poll *poll, const struct rw_walk *walk)
{
	return rw_url_build(rw_poll_source(poll)->base_url, "/youtube/v3/commentThreads", "part",
			    "snippet,replies", "allThreadsRelatedToChannelId", channel(poll),
			    "order", "time", "textFormat", "plainText", "maxResults", PER_PAGE,
			    "pageToken", walk->token, NULL);
}

static int
threads_parse(struct rw_poll *poll, const char *body, size_t len, struct rw_page *page, char *err,
	      size_t errlen)
{
	return rw_youtube_parse_threads(body, len, channel(poll), page, err, errlen);
}

static char *
replies_url(struct rw_poll *poll, const char *id)
{
	return rw_url_build(rw_poll_source(poll)->base_url, "/youtube/v3/comments", "part",
			    "snippet", "parentId", id, "textFormat", "plainText", "maxResults",
			    PER_PAGE, NULL);
}

static int
replies_parse(struct rw_poll *poll, const char *id, const char *body, size_t len,
	      struct rw_page *page, char *err, size_t errlen)
{
	return rw_youtube_parse_replies(body, len, channel(poll), id, page, err, errlen);
}

/* The thread stream is walked by time: its watermark is ms (digits). */
static bool
ms_ok(const char *ms)
{
	return rw_cursor_digits(ms, 16);
}

static const struct rw_stream streams[] = {
	{
		.endpoint = "commentThreads",
		.field = 'n',
		.by_time = true,
		.token_paging = true,
		.page_url = threads_url,
		.parse = threads_parse,
		.cursor_ok = ms_ok,
		.overlap_ms = 0,
		.per_page = 0,
	},
};

static const struct rw_revisit revisit = {
	.endpoint = "comments",
	.per_poll = REVISITS_PER_POLL,
	.gone_status = 0, /* comments.list of a deleted thread is not told apart */
	.skip_status = 0,
	.id_ok = rw_youtube_id_valid,
	.url = replies_url,
	.parse = replies_parse,
};

/* A refused key is the source down, whatever status it came with (400 or
 * 403); the quota is left to the poller (youtube_quota.spent). */
static enum rw_poll_result
yt_error_result(struct rw_poll *poll, const struct rw_httpc_response *resp, char *reason,
		size_t reasonlen)
{
	(void)poll;
	if (rw_youtube_parse_error(resp->body, resp->body_len) != RW_YOUTUBE_ERROR_KEY)
		return RW_POLL_OK;
	snprintf(reason, reasonlen, "HTTP %ld (API key rejected)", resp->status);
	return RW_POLL_AUTH_ERROR;
}

static const struct rw_connector connector = {
	.streams = streams,
	.nstreams = 1,
	.state_new = yt_state_new,
	.state_free = yt_state_free,
	.start = yt_start,
	.auth_header = yt_auth_header,
	.error_result = yt_error_result,
	.revisit = &revisit,
};

static bool
yt_quota_spent(long status, const char *body, size_t len)
{
	return status == 403 && rw_youtube_parse_error(body, len) == RW_YOUTUBE_ERROR_QUOTA;
}

/* 10 000 units a day per project, refilled at midnight Pacific time; a
 * list call costs 1 unit. No header reports it: the poller counts. */
static const struct rw_quota youtube_quota = {
	.kind = RW_QUOTA_DAILY,
	.poll_auto_default = true,
	.daily_units = 10000,
	.unit_cost = 1,
	.reset_tz = "America/Los_Angeles",
	.spent = yt_quota_spent,
};

static const struct rw_param_spec params[] = {
	{"channel_id", RW_PARAM_STRING, true},
	{"api_key", RW_PARAM_SECRET, true},
	{NULL, RW_PARAM_STRING, false},
};

const struct rw_platform rw_youtube_platform = {
	.name = "youtube",
	.base_url = "https://www.googleapis.com",
	.params = params,
	.quota = &youtube_quota,
	.connector = &connector,
};
