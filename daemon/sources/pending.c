/*
 * pending.c: the descriptors of types the configuration already accepts
 * but this build does not poll yet (no connector). Each moves into its
 * connector's file when the connector is written.
 */
#include <stddef.h>

#include "replywatch/platform.h"

static const struct rw_param_spec reddit_params[] = {
	{"auth_url", RW_PARAM_URL, false},        {"client_id", RW_PARAM_STRING, true},
	{"client_secret", RW_PARAM_SECRET, true}, {"username", RW_PARAM_STRING, true},
	{"password", RW_PARAM_SECRET, false},     {"refresh_token", RW_PARAM_SECRET, false},
	{NULL, RW_PARAM_STRING, false},
};
const struct rw_platform rw_reddit_platform = {
	.name = "reddit",
	.base_url = "https://oauth.reddit.com",
	.params = reddit_params,
	.one_of = {"password", "refresh_token"},
};

static const struct rw_param_spec youtube_params[] = {
	{"channel_id", RW_PARAM_STRING, true},
	{"api_key", RW_PARAM_SECRET, true},
	{NULL, RW_PARAM_STRING, false},
};
const struct rw_platform rw_youtube_platform = {
	.name = "youtube",
	.base_url = "https://www.googleapis.com",
	.params = youtube_params,
};

static const struct rw_param_spec facebook_params[] = {
	{"page_id", RW_PARAM_STRING, true},
	{"token", RW_PARAM_SECRET, true},
	/* Webhooks (hooks.h): the delivery signature key and the handshake's token. */
	{"app_secret", RW_PARAM_SECRET, false},
	{"verify_token", RW_PARAM_SECRET, false},
	{NULL, RW_PARAM_STRING, false},
};
const struct rw_platform rw_facebook_platform = {
	.name = "facebook",
	.base_url = "https://graph.facebook.com",
	.params = facebook_params,
};

static const struct rw_param_spec instagram_params[] = {
	{"user_id", RW_PARAM_STRING, true},
	{"token", RW_PARAM_SECRET, true},
	/* Webhooks (hooks.h): the delivery signature key and the handshake's token. */
	{"app_secret", RW_PARAM_SECRET, false},
	{"verify_token", RW_PARAM_SECRET, false},
	{NULL, RW_PARAM_STRING, false},
};
const struct rw_platform rw_instagram_platform = {
	.name = "instagram",
	.base_url = "https://graph.facebook.com",
	.params = instagram_params,
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
