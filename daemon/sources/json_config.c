/*
 * json_config.c: the `json` type's descriptor and its configuration, read
 * into struct rw_json_spec (sources/json_map.h) when the configuration
 * loads. The connector (json.c) points the descriptor at itself.
 */
#include <stdlib.h>

#include "config_internal.h"
#include "replywatch/platform.h"
#include "replywatch/sources/json_map.h"

extern const struct rw_connector rw_json_connector; /* json.c */

static void *json_spec_read(struct rw_cfg_ctx *ctx, const json_t *obj, const char *path);
static void json_spec_free(void *spec);

/* ---- the json type's descriptor (json-conn: set .connector here) ---- */

static const struct rw_param_spec json_params[] = {
	{"request", RW_PARAM_SPEC, true},       {"auth", RW_PARAM_SPEC, false},
	{"items", RW_PARAM_SPEC, true},         {"fields", RW_PARAM_SPEC, true},
	{"url_template", RW_PARAM_SPEC, false}, {"time_format", RW_PARAM_SPEC, false},
	{"kind", RW_PARAM_SPEC, false},         {"paging", RW_PARAM_SPEC, false},
	{"brand", RW_PARAM_SPEC, false},        {"replies", RW_PARAM_SPEC, false},
	{"reply_at", RW_PARAM_SPEC, false},     {"max_pages", RW_PARAM_SPEC, false},
	{NULL, RW_PARAM_STRING, false},
};
const struct rw_platform rw_json_platform = {
	.name = "json",
	.base_url_required = true,
	.params = json_params,
	.spec_read = json_spec_read,
	.spec_free = json_spec_free,
	.connector = &rw_json_connector,
};

/* ---- end of the descriptor ---- */

const struct rw_json_spec *
rw_json_spec_of(const struct rw_source_config *src)
{
	return src->type == RW_SOURCE_JSON ? src->spec : NULL;
}

static void *
json_spec_read(struct rw_cfg_ctx *ctx, const json_t *obj, const char *path)
{
	(void)ctx;
	(void)obj;
	(void)path;
	return calloc(1, sizeof(struct rw_json_spec)); /* TODO: the real reader follows */
}

static void
json_spec_free(void *spec)
{
	rw_json_spec_free(spec);
}

void
rw_json_spec_free(struct rw_json_spec *spec)
{
	free(spec);
}
