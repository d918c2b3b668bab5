/*
 * config_sources.c: the "sources" section. Keys common to every source are
 * read here; each type's own keys, default base URL and poll interval come
 * from its platform descriptor (platform.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config_internal.h"
#include "replywatch/platform.h"
#include "replywatch/secret.h"

#define DEFAULT_POLL_EVERY 60
#define DEFAULT_DOWN_AFTER 300 /* failing this long makes a polled source "down" */

static const char *const common_keys[] = {
	"name",       "type",   "base_url", "poll_every",
	"down_after", "labels", "enabled",  "automated_reply_patterns",
	NULL,
};

/* The spec of key in params, or NULL. */
static const struct rw_param_spec *
find_param(const struct rw_param_spec *params, const char *key)
{
	for (size_t i = 0; params[i].key != NULL; i++) {
		if (strcmp(params[i].key, key) == 0)
			return &params[i];
	}
	return NULL;
}

/* True when key is a common key that type t takes. */
static bool
common_key_for(const char *key, enum rw_source_type t)
{
	for (size_t i = 0; common_keys[i] != NULL; i++) {
		if (strcmp(common_keys[i], key) == 0)
			return !rw_platform_of(t)->pushed ||
			       (strcmp(key, "base_url") != 0 && strcmp(key, "poll_every") != 0 &&
				strcmp(key, "down_after") != 0);
	}
	return false;
}

/* True when key is a key of some source type or a common key. */
static bool
known_anywhere(const char *key)
{
	for (size_t i = 0; common_keys[i] != NULL; i++) {
		if (strcmp(common_keys[i], key) == 0)
			return true;
	}
	for (int t = 0; t < RW_SOURCE_TYPE_COUNT; t++) {
		if (find_param(rw_platform_of(t)->params, key) != NULL)
			return true;
	}
	return false;
}

/*
 * Reports keys that type t does not take: a key of another type says so
 * (usually a copy-paste or a wrong type), anything else lists what t takes.
 */
static void
check_source_keys(struct rw_cfg_ctx *ctx, const json_t *obj, const char *path,
		  enum rw_source_type t)
{
	char p[RW_CFG_PATH_MAX], names[1024];
	const char *allowed[32], *key;
	size_t n = 0;
	json_t *v;

	for (size_t i = 0; common_keys[i] != NULL; i++) {
		if (common_key_for(common_keys[i], t))
			allowed[n++] = common_keys[i];
	}
	for (size_t i = 0; rw_platform_of(t)->params[i].key != NULL && n < 31; i++)
		allowed[n++] = rw_platform_of(t)->params[i].key;
	allowed[n] = NULL;
	json_object_foreach((json_t *)obj, key, v)
	{
		if (common_key_for(key, t) || find_param(rw_platform_of(t)->params, key) != NULL)
			continue;
		rw_cfg_path_key(p, sizeof(p), path, key);
		if (known_anywhere(key))
			rw_cfg_err(ctx, p, "not used by type \"%s\"", rw_source_type_name(t));
		else
			rw_cfg_err(ctx, p, "unknown key (expected one of: %s)",
				   rw_cfg_join(names, sizeof(names), allowed));
	}
}

/* Without a known type only the common keys can be judged. */
static void
check_common_keys(struct rw_cfg_ctx *ctx, const json_t *obj, const char *path)
{
	char p[RW_CFG_PATH_MAX], names[1024];
	const char *key;
	json_t *v;

	json_object_foreach((json_t *)obj, key, v)
	{
		if (!known_anywhere(key))
			rw_cfg_err(ctx, rw_cfg_path_key(p, sizeof(p), path, key),
				   "unknown key (expected one of: %s, or a key of the "
				   "source's type)",
				   rw_cfg_join(names, sizeof(names), common_keys));
	}
}

/* Reads the value v of spec into param; returns 0 or -1 after reporting. */
static int
read_param(struct rw_cfg_ctx *ctx, const json_t *obj, const json_t *v, const char *path,
	   const struct rw_param_spec *spec, struct rw_source_param *param)
{
	char p[RW_CFG_PATH_MAX], q[RW_CFG_QUOTE_MAX];
	const char *s;

	rw_cfg_path_key(p, sizeof(p), path, spec->key);
	switch (spec->kind) {
	case RW_PARAM_SECRET:
		return rw_cfg_secret(ctx, obj, path, spec->key, &param->secret) == 1 ? 0 : -1;
	case RW_PARAM_URL:
		return rw_cfg_url(ctx, obj, path, spec->key, &param->value) == 1 ? 0 : -1;
	case RW_PARAM_SPEC:
		return 0; /* read_params leaves these to the platform's spec_read */
	case RW_PARAM_DIGITS:
	case RW_PARAM_STRING:
		if (rw_cfg_string(ctx, obj, path, spec->key, &s) != 1)
			return -1;
		if (spec->kind == RW_PARAM_DIGITS && strspn(s, "0123456789") != strlen(s)) {
			rw_cfg_err(ctx, p, "%s is not a numeric id (use digits only)",
				   rw_cfg_quote(q, sizeof(q), s));
			return -1;
		}
		break;
	}
	param->value = rw_cfg_strdup(ctx, s);
	return param->value == NULL ? -1 : 0;
}

/* The type's own keys, in table order, into src->params. */
static void
read_params(struct rw_cfg_ctx *ctx, const json_t *obj, const char *path,
	    const struct rw_platform *spec, struct rw_source_config *src)
{
	char suffix[64];
	size_t n = 0;

	while (spec->params[n].key != NULL)
		n++;
	if ((src->params = calloc(n, sizeof(*src->params))) == NULL) {
		rw_cfg_oom(ctx);
		return;
	}
	snprintf(suffix, sizeof(suffix), "for type \"%s\"", rw_source_type_name(src->type));
	for (size_t i = 0; i < n; i++) {
		const struct rw_param_spec *ps = &spec->params[i];
		const json_t *v = json_object_get(obj, ps->key);
		struct rw_source_param *param = &src->params[src->nparams];

		if (ps->kind == RW_PARAM_SPEC)
			continue;
		if (v == NULL) {
			if (ps->required)
				rw_cfg_missing(ctx, path, ps->key, suffix);
			continue;
		}
		if ((param->key = rw_cfg_strdup(ctx, ps->key)) == NULL)
			return;
		src->nparams++;
		read_param(ctx, obj, v, path, ps, param);
	}
}

/* A type's pair of alternatives (reddit's password or refresh_token). */
static void
check_one_of(struct rw_cfg_ctx *ctx, const json_t *obj, const char *path,
	     const struct rw_platform *spec, enum rw_source_type t)
{
	char p[RW_CFG_PATH_MAX], suffix[128];
	bool a, b;

	if (spec->one_of[0] == NULL)
		return;
	a = json_object_get(obj, spec->one_of[0]) != NULL;
	b = json_object_get(obj, spec->one_of[1]) != NULL;
	if (!a && !b) {
		snprintf(suffix, sizeof(suffix), "for type \"%s\" (or give %s)",
			 rw_source_type_name(t), spec->one_of[1]);
		rw_cfg_missing(ctx, path, spec->one_of[0], suffix);
	} else if (a && b) {
		rw_cfg_err(ctx, rw_cfg_path_key(p, sizeof(p), path, spec->one_of[1]),
			   "give %s or %s, not both", spec->one_of[0], spec->one_of[1]);
	}
}

/* base_url: the configured URL, else the type's default; push has none. */
static void
read_base_url(struct rw_cfg_ctx *ctx, const json_t *obj, const char *path,
	      const struct rw_platform *spec, struct rw_source_config *src)
{
	char suffix[64];

	if (spec->pushed)
		return;
	switch (rw_cfg_url(ctx, obj, path, "base_url", &src->base_url)) {
	case 0:
		if (spec->base_url_required) {
			snprintf(suffix, sizeof(suffix), "for type \"%s\"",
				 rw_source_type_name(src->type));
			rw_cfg_missing(ctx, path, "base_url", suffix);
		} else {
			src->base_url = rw_cfg_strdup(ctx, spec->base_url);
		}
		break;
	default:
		break;
	}
}

/* name and type; returns 0 when the type is known. */
static int
read_identity(struct rw_cfg_ctx *ctx, const json_t *obj, const char *path,
	      struct rw_source_config *src)
{
	char p[RW_CFG_PATH_MAX], q[RW_CFG_QUOTE_MAX], names[512];
	const char *s;

	rw_cfg_read_name(ctx, obj, path, &ctx->sources, &src->name);
	switch (rw_cfg_string(ctx, obj, path, "type", &s)) {
	case 0:
		rw_cfg_missing(ctx, path, "type", NULL);
		return -1;
	case 1:
		if (rw_source_type_parse(s, &src->type) == 0)
			return 0;
		rw_cfg_err(ctx, rw_cfg_path_key(p, sizeof(p), path, "type"),
			   "unknown type %s (expected one of: %s)", rw_cfg_quote(q, sizeof(q), s),
			   rw_cfg_join(names, sizeof(names), rw_cfg_source_type_names()));
		return -1;
	default:
		return -1;
	}
}

/* poll_every: a duration, or "auto" (spread the platform's quota over the
 * time until it refills; the default of quota-limited types). */
static void
read_poll_every(struct rw_cfg_ctx *ctx, const json_t *obj, const char *path,
		struct rw_source_config *src)
{
	const json_t *v = json_object_get(obj, "poll_every");

	if (json_is_string(v) && strcmp(json_string_value(v), "auto") == 0) {
		src->poll_auto = true;
		return;
	}
	if (rw_cfg_duration(ctx, obj, path, "poll_every", &src->poll_every) == 1)
		src->poll_auto = false;
}

/* One source object at path. */
static void
read_source(struct rw_cfg_ctx *ctx, const json_t *obj, const char *path,
	    struct rw_source_config *src)
{
	const struct rw_platform *spec;
	bool known;

	src->enabled = true;
	src->poll_every = DEFAULT_POLL_EVERY;
	src->down_after = DEFAULT_DOWN_AFTER;
	if (rw_cfg_v_type(ctx, obj, path, JSON_OBJECT) == -1) {
		ctx->sources.incomplete = true;
		return;
	}
	known = read_identity(ctx, obj, path, src) == 0;
	if (!known)
		check_common_keys(ctx, obj, path);
	else
		check_source_keys(ctx, obj, path, src->type);
	spec = known ? rw_platform_of(src->type) : NULL;
	if (spec != NULL && spec->poll_every > 0)
		src->poll_every = spec->poll_every;
	if (spec != NULL)
		read_base_url(ctx, obj, path, spec, src);
	if (spec != NULL && spec->quota != NULL)
		src->poll_auto = spec->quota->poll_auto_default;
	if (spec == NULL || !spec->pushed) {
		read_poll_every(ctx, obj, path, src);
		rw_cfg_duration(ctx, obj, path, "down_after", &src->down_after);
	}
	rw_cfg_bool(ctx, obj, path, "enabled", &src->enabled);
	rw_cfg_labels(ctx, obj, path, "labels", &src->labels);
	rw_cfg_strlist(ctx, obj, path, "automated_reply_patterns", NULL, rw_cfg_check_nonempty,
		       NULL, &src->automated_reply_patterns);
	if (spec == NULL)
		return;
	read_params(ctx, obj, path, spec, src);
	check_one_of(ctx, obj, path, spec, src->type);
	if (spec->spec_read != NULL)
		src->spec = spec->spec_read(ctx, obj, path);
}

void
rw_cfg_read_sources(struct rw_cfg_ctx *ctx, const json_t *root)
{
	const json_t *sec = json_object_get(root, "sources"), *obj;
	char p[RW_CFG_PATH_MAX];
	size_t i;

	if (sec == NULL)
		return;
	if (rw_cfg_v_type(ctx, sec, "sources", JSON_ARRAY) == -1) {
		ctx->sources.incomplete = true;
		return;
	}
	if (json_array_size(sec) == 0)
		return;
	ctx->cfg->sources = calloc(json_array_size(sec), sizeof(*ctx->cfg->sources));
	if (ctx->cfg->sources == NULL) {
		rw_cfg_oom(ctx);
		return;
	}
	json_array_foreach(sec, i, obj)
	{
		struct rw_source_config *src = &ctx->cfg->sources[ctx->cfg->nsources++];

		read_source(ctx, obj, rw_cfg_path_index(p, sizeof(p), "sources", i), src);
	}
}

void
rw_cfg_source_free(struct rw_source_config *src)
{
	free(src->name);
	free(src->base_url);
	rw_cfg_labels_free(&src->labels);
	rw_cfg_strlist_free(&src->automated_reply_patterns);
	for (size_t i = 0; i < src->nparams; i++) {
		free(src->params[i].key);
		free(src->params[i].value);
		rw_secret_free(src->params[i].secret);
		json_decref(src->params[i].json);
	}
	free(src->params);
	if (src->spec != NULL)
		rw_platform_of(src->type)->spec_free(src->spec);
}
