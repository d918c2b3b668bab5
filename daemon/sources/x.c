/*
 * x.c: the X (API v2) connector — requests and cursors; the parsing is in
 * x_parse.c.
 *
 * Inbound: GET /2/users/ID/mentions; brand replies: GET /2/users/ID/tweets.
 * Both newest first: since_id the watermark (start_time the backfill cutoff
 * on a first walk), pagination_token walking back. The same since_id or
 * start_time is sent with every page of one walk, as X requires.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "replywatch/connector.h"
#include "replywatch/platform.h"
#include "replywatch/mention.h"
#include "replywatch/secret.h"
#include "replywatch/sources/x.h"

#define MAX_RESULTS "100"

/* The connector's state is just the bearer header line. */
static void *
state_new(const struct rw_source_config *src)
{
	const struct rw_secret *token = rw_source_param_secret(src, "token");

	return token ? rw_bearer_header(rw_secret_value(token)) : NULL;
}

static void
state_free(void *state)
{
	rw_bearer_free(state);
}

static const char *
auth_header(struct rw_poll *poll)
{
	return rw_poll_state(poll);
}

/* One timeline page: what = "mentions" or "tweets". */
static char *
timeline_url(struct rw_poll *poll, const struct rw_walk *walk, const char *what)
{
	const struct rw_source_config *src = rw_poll_source(poll);
	char path[96], start_time[40] = "";

	snprintf(path, sizeof(path), "/2/users/%s/%s", rw_source_param_string(src, "user_id"),
		 what);
	if (walk->watermark == NULL && walk->from_ms > 0) {
		/* X takes whole seconds: round down, the cutoff filter keeps exactness. */
		rw_time_format(walk->from_ms - walk->from_ms % 1000, start_time,
			       sizeof(start_time));
		memcpy(start_time + 19, "Z", 2);
	}
	return rw_url_build(src->base_url, path, "max_results", MAX_RESULTS, "tweet.fields",
			    RW_X_TWEET_FIELDS, "expansions", RW_X_EXPANSIONS, "user.fields",
			    RW_X_USER_FIELDS, "since_id", walk->watermark, "start_time",
			    start_time[0] ? start_time : NULL, "pagination_token", walk->token,
			    NULL);
}

static char *
mentions_url(struct rw_poll *poll, const struct rw_walk *walk)
{
	return timeline_url(poll, walk, "mentions");
}

static char *
tweets_url(struct rw_poll *poll, const struct rw_walk *walk)
{
	return timeline_url(poll, walk, "tweets");
}

static int
mentions_parse(struct rw_poll *poll, const char *body, size_t len, struct rw_page *page, char *err,
	       size_t errlen)
{
	return rw_x_parse_mentions(body, len,
				   rw_source_param_string(rw_poll_source(poll), "user_id"), page,
				   err, errlen);
}

static int
tweets_parse(struct rw_poll *poll, const char *body, size_t len, struct rw_page *page, char *err,
	     size_t errlen)
{
	return rw_x_parse_tweets(body, len, rw_source_param_string(rw_poll_source(poll), "user_id"),
				 page, err, errlen);
}

static void
start(struct rw_poll *poll)
{
	rw_poll_walk(poll);
}

/* X ids are 64-bit Snowflakes: 1 to 19 digits (since_id refuses others). */
static bool
x_id_ok(const char *id)
{
	return rw_cursor_digits(id, 19);
}

static const struct rw_stream streams[] = {
	{"mentions", 'n', false, true, mentions_url, mentions_parse, x_id_ok, 0, 0},
	{"tweets", 'r', false, true, tweets_url, tweets_parse, x_id_ok, 0, 0},
};

static const struct rw_connector connector = {
	.streams = streams,
	.nstreams = 2,
	.state_new = state_new,
	.state_free = state_free,
	.start = start,
	.auth_header = auth_header,
};

static const struct rw_param_spec params[] = {
	{"user_id", RW_PARAM_DIGITS, true},
	{"token", RW_PARAM_SECRET, true},
	{NULL, RW_PARAM_STRING, false},
};

static const struct rw_ratelimit_headers ratelimit_headers = {
	"x-rate-limit-limit", "x-rate-limit-remaining", "x-rate-limit-reset", false, false};

/* 15-minute windows per endpoint, reported by the x-rate-limit headers. */
static const struct rw_quota quota = {.kind = RW_QUOTA_WINDOW, .poll_auto_default = true};

const struct rw_platform rw_x_platform = {
	.name = "x",
	.base_url = "https://api.x.com",
	.params = params,
	.ratelimit_headers = &ratelimit_headers,
	.quota = &quota,
	.connector = &connector,
};
