/*
 * json_config.h: what json_config.c (the source level: auth, replies,
 * max_pages) and json_config_list.c (one list request: request, items,
 * fields, url_template, paging, brand) share while one configuration loads.
 * Every reader reports its problems through ctx with the JSON path of the
 * value at fault and returns 0 when what it read is usable, else -1.
 */
#ifndef REPLYWATCH_JSON_CONFIG_H
#define REPLYWATCH_JSON_CONFIG_H

#include <jansson.h>
#include <stdbool.h>

#include "config_internal.h"
#include "replywatch/sources/json_map.h"

/* The keys a list request may carry: the main one (the source object) or
 * "replies". */
enum rw_json_list_role {
	RW_JSON_LIST_MAIN,
	RW_JSON_LIST_REPLIES,
};

/* Reads the list keys of obj (at path) into *list. base_url is the
 * source's (for same-host checks of absolute URLs; NULL when unusable). */
int rw_json_cfg_list(struct rw_cfg_ctx *ctx, const json_t *obj, const char *path,
		     const char *base_url, enum rw_json_list_role role,
		     struct rw_json_list_spec *list);

/* The pointer at obj.key (path is obj's) compiled into *ptr. Returns 1 when
 * present and valid, 0 when absent, -1 after reporting
 * "path.key: \"/a/~2\": bad escape \"~2\" at token 2". */
int rw_json_cfg_pointer(struct rw_cfg_ctx *ctx, const json_t *obj, const char *path,
			const char *key, struct rw_jsonptr *ptr);

/* Frees what list owns and zeroes it. */
void rw_json_list_clear(struct rw_json_list_spec *list);

#endif
