/*
 * pending.c: the descriptors of types the configuration already accepts
 * but this build does not poll yet (no connector). Each moves into its
 * connector's file when the connector is written.
 */
#include <stddef.h>

#include "replywatch/platform.h"

static const struct rw_param_spec youtube_params[] = {
	{"channel_id", RW_PARAM_STRING, true},
	{"api_key", RW_PARAM_SECRET, true},
	{NULL, RW_PARAM_STRING, false},
};
/* 10 000 units a day per project, refilled at midnight Pacific time; a
 * list call costs 1 unit. No header reports it: the poller counts. */
static const struct rw_quota youtube_quota = {
	.kind = RW_QUOTA_DAILY,
	.poll_auto_default = true,
	.daily_units = 10000,
	.unit_cost = 1,
	.reset_tz = "America/Los_Angeles",
};
const struct rw_platform rw_youtube_platform = {
	.name = "youtube",
	.base_url = "https://www.googleapis.com",
	.params = youtube_params,
	.quota = &youtube_quota,
};

static const struct rw_param_spec json_params[] = {
	{"token", RW_PARAM_SECRET, false}, {"items", RW_PARAM_POINTER, true},
	{"fields", RW_PARAM_FIELDS, true}, {"next_url", RW_PARAM_POINTER, false},
	{NULL, RW_PARAM_STRING, false},
};
const struct rw_platform rw_json_platform = {
	.name = "json",
	.base_url_required = true,
	.params = json_params,
};
