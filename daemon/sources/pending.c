/*
 * pending.c: the descriptors of types the configuration already accepts
 * but this build does not poll yet (no connector). Each moves into its
 * connector's file when the connector is written.
 */
#include <stddef.h>

#include "replywatch/platform.h"

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
