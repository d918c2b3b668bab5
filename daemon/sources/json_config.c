/*
 * json_config.c: the `json` type's descriptor and the source level of its
 * configuration (auth, replies, max_pages), read into struct rw_json_spec
 * (sources/json_map.h) when the configuration loads; each list request is
 * read by json_config_list.c. The connector (json.c) points the descriptor
 * at itself.
 */
#include <openssl/crypto.h>
#include <openssl/sha.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json_config.h"
#include "replywatch/platform.h"
#include "replywatch/secret.h"

extern const struct rw_connector rw_json_connector; /* json.c */

static void *json_spec_read(struct rw_cfg_ctx *ctx, const json_t *obj, const char *path);
static void json_spec_free(void *spec);
static bool json_spec_equal(const void *a, const void *b);
static const struct rw_ratelimit_headers *
json_ratelimit_headers(const struct rw_source_config *src);

/* ---- the json type's descriptor (the connector, json.c, sets .connector) ---- */

static const struct rw_param_spec json_params[] = {
	{"request", RW_PARAM_SPEC, true},       {"auth", RW_PARAM_SPEC, false},
	{"items", RW_PARAM_SPEC, true},         {"fields", RW_PARAM_SPEC, true},
	{"url_template", RW_PARAM_SPEC, false}, {"time_format", RW_PARAM_SPEC, false},
	{"kind", RW_PARAM_SPEC, false},         {"paging", RW_PARAM_SPEC, false},
	{"brand", RW_PARAM_SPEC, false},        {"replies", RW_PARAM_SPEC, false},
	{"reply_at", RW_PARAM_SPEC, false},     {"max_pages", RW_PARAM_SPEC, false},
	{"rate_limit", RW_PARAM_SPEC, false},   {NULL, RW_PARAM_STRING, false},
};
const struct rw_platform rw_json_platform = {
	.name = "json",
	.base_url_required = true,
	.params = json_params,
	.spec_read = json_spec_read,
	.spec_free = json_spec_free,
	.spec_equal = json_spec_equal,
	.ratelimit_headers_of = json_ratelimit_headers,
	.connector = &rw_json_connector,
};

/* ---- end of the descriptor ---- */

static const char *const auth_types[] = {"bearer", "header", "query", "basic", NULL};
static const char *const replies_keys[] = {"request", "items",  "fields", "url_template",
					   "brand",   "paging", NULL};

const struct rw_json_spec *
rw_json_spec_of(const struct rw_source_config *src)
{
	return src != NULL && src->type == RW_SOURCE_JSON ? src->spec : NULL;
}

/* A required secret of auth; returns 0 or -1 after reporting. */
static int
auth_secret(struct rw_cfg_ctx *ctx, const json_t *v, const char *path, const char *key,
	    const char *type, struct rw_secret **out)
{
	char suffix[64];

	switch (rw_cfg_secret(ctx, v, path, key, out)) {
	case 1:
		return 0;
	case 0:
		snprintf(suffix, sizeof(suffix), "for auth type \"%s\"", type);
		rw_cfg_missing(ctx, path, key, suffix);
		return -1;
	default:
		return -1;
	}
}

/* auth.name: a header name (header) or a query parameter name (query). */
static int
auth_name(struct rw_cfg_ctx *ctx, const json_t *v, const char *path, bool header,
	  struct rw_json_auth *auth)
{
	static const char alnum[] =
		"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
	char p[RW_CFG_PATH_MAX], q[RW_CFG_QUOTE_MAX], allowed[96];
	const char *s;

	switch (rw_cfg_string(ctx, v, path, "name", &s)) {
	case 0:
		rw_cfg_missing(ctx, path, "name",
			       header ? "for auth type \"header\"" : "for auth type \"query\"");
		return -1;
	case -1:
		return -1;
	}
	snprintf(allowed, sizeof(allowed), "%s%s", alnum, header ? "!#$%&'*+-.^_`|~" : "._~-[]");
	if (*s == '\0' || strspn(s, allowed) != strlen(s)) {
		rw_cfg_err(ctx, rw_cfg_path_key(p, sizeof(p), path, "name"), "%s is not a %s",
			   rw_cfg_quote(q, sizeof(q), s),
			   header ? "header name" : "query parameter name");
		return -1;
	}
	auth->name = rw_cfg_strdup(ctx, s);
	return auth->name == NULL ? -1 : 0;
}

static int
read_auth(struct rw_cfg_ctx *ctx, const json_t *obj, const char *path, struct rw_json_auth *auth)
{
	static const char *const bearer_keys[] = {"type", "token", NULL};
	static const char *const named_keys[] = {"type", "name", "token", NULL};
	static const char *const basic_keys[] = {"type", "username", "password", NULL};
	static const char *const *const keys[] = {bearer_keys, named_keys, named_keys, basic_keys};
	const json_t *v = json_object_get(obj, "auth");
	char p[RW_CFG_PATH_MAX], tp[RW_CFG_PATH_MAX], q[RW_CFG_QUOTE_MAX], names[128];
	const char *type;
	int t, rc = 0;

	if (v == NULL)
		return 0;
	rw_cfg_path_key(p, sizeof(p), path, "auth");
	if (rw_cfg_v_type(ctx, v, p, JSON_OBJECT) == -1)
		return -1;
	switch (rw_cfg_string(ctx, v, p, "type", &type)) {
	case 0:
		rw_cfg_missing(ctx, p, "type", NULL);
		return -1;
	case -1:
		return -1;
	}
	for (t = 0; auth_types[t] != NULL && strcmp(auth_types[t], type) != 0; t++)
		;
	if (auth_types[t] == NULL) {
		rw_cfg_err(ctx, rw_cfg_path_key(tp, sizeof(tp), p, "type"),
			   "unknown auth type %s (expected one of: %s)",
			   rw_cfg_quote(q, sizeof(q), type),
			   rw_cfg_join(names, sizeof(names), auth_types));
		return -1;
	}
	auth->type = (enum rw_json_auth_type)(t + 1);
	if (rw_cfg_check_keys(ctx, v, p, keys[t]) > 0)
		rc = -1;
	if (auth->type == RW_JSON_AUTH_BASIC) {
		if (auth_secret(ctx, v, p, "username", type, &auth->username) == -1)
			rc = -1;
		if (auth_secret(ctx, v, p, "password", type, &auth->password) == -1)
			rc = -1;
		return rc;
	}
	if (auth->type != RW_JSON_AUTH_BEARER &&
	    auth_name(ctx, v, p, auth->type == RW_JSON_AUTH_HEADER, auth) == -1)
		rc = -1;
	if (auth_secret(ctx, v, p, "token", type, &auth->token) == -1)
		rc = -1;
	return rc;
}

/* A rate_limit header name: RFC 9110 token characters. */
static int
read_header_name(struct rw_cfg_ctx *ctx, const json_t *v, const char *path, const char *key,
		 char **out)
{
	static const char tchar[] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
				    "0123456789!#$%&'*+-.^_`|~";
	char p[RW_CFG_PATH_MAX], q[RW_CFG_QUOTE_MAX];
	const char *s;
	int rc = rw_cfg_string(ctx, v, path, key, &s);

	if (rc != 1)
		return rc;
	if (*s == '\0' || strspn(s, tchar) != strlen(s)) {
		rw_cfg_err(ctx, rw_cfg_path_key(p, sizeof(p), path, key), "%s is not a header name",
			   rw_cfg_quote(q, sizeof(q), s));
		return -1;
	}
	*out = rw_cfg_strdup(ctx, s);
	return *out == NULL ? -1 : 1;
}

/* "rate_limit": which headers carry the API's budget. */
static int
read_rate_limit(struct rw_cfg_ctx *ctx, const json_t *obj, const char *path,
		struct rw_json_rate_limit *rl)
{
	static const char *const keys[] = {"limit", "remaining", "reset", "reset_format", NULL};
	static const char *const formats[] = {"epoch_s", "seconds", "rfc3339", NULL};
	const json_t *v = json_object_get(obj, "rate_limit");
	char p[RW_CFG_PATH_MAX], fp[RW_CFG_PATH_MAX], q[RW_CFG_QUOTE_MAX], names[64];
	const char *fmt;
	int rc = 0, i;

	if (v == NULL)
		return 0;
	rw_cfg_path_key(p, sizeof(p), path, "rate_limit");
	if (rw_cfg_v_type(ctx, v, p, JSON_OBJECT) == -1)
		return -1;
	if (rw_cfg_check_keys(ctx, v, p, keys) > 0)
		rc = -1;
	if (read_header_name(ctx, v, p, "limit", &rl->limit) == -1)
		rc = -1;
	for (i = 0; i < 2; i++) {
		const char *key = i == 0 ? "remaining" : "reset";

		switch (read_header_name(ctx, v, p, key, i == 0 ? &rl->remaining : &rl->reset)) {
		case 0:
			rw_cfg_missing(ctx, p, key, NULL);
			/* fall through */
		case -1:
			rc = -1;
		}
	}
	switch (rw_cfg_string(ctx, v, p, "reset_format", &fmt)) {
	case 1:
		for (i = 0; formats[i] != NULL && strcmp(formats[i], fmt) != 0; i++)
			;
		if (formats[i] == NULL) {
			rw_cfg_err(ctx, rw_cfg_path_key(fp, sizeof(fp), p, "reset_format"),
				   "unknown value %s (expected one of: %s)",
				   rw_cfg_quote(q, sizeof(q), fmt),
				   rw_cfg_join(names, sizeof(names), formats));
			rc = -1;
		} else {
			rl->reset_format = (enum rw_json_reset)i;
		}
		break;
	case -1:
		rc = -1;
	}
	rl->headers.limit = rl->limit;
	rl->headers.remaining = rl->remaining;
	rl->headers.reset = rl->reset;
	rl->headers.reset_is_time = rl->reset_format == RW_JSON_RESET_RFC3339;
	rl->headers.reset_is_delta = rl->reset_format == RW_JSON_RESET_SECONDS;
	return rc;
}

/* The digest of the type's keys of obj, as configured. Returns 0, or -1 on
 * allocation failure. */
static int
spec_digest(const json_t *obj, unsigned char *out)
{
	json_t *mine = json_object();
	char *text;

	if (mine == NULL)
		return -1;
	for (size_t i = 0; json_params[i].key != NULL; i++) {
		json_t *v = json_object_get(obj, json_params[i].key);

		if (v != NULL && json_object_set(mine, json_params[i].key, v) == -1) {
			json_decref(mine);
			return -1;
		}
	}
	text = json_dumps(mine, JSON_SORT_KEYS | JSON_COMPACT);
	json_decref(mine);
	if (text == NULL)
		return -1;
	SHA256((const unsigned char *)text, strlen(text), out);
	/* The text may hold a literal secret. */
	OPENSSL_cleanse(text, strlen(text));
	free(text);
	return 0;
}

/* "replies": a second list request, whose items are the brand's answers. */
static int
read_replies(struct rw_cfg_ctx *ctx, const json_t *obj, const char *path, const char *base_url,
	     struct rw_json_spec *spec)
{
	const json_t *v = json_object_get(obj, "replies");
	char p[RW_CFG_PATH_MAX];
	int rc = 0;

	if (v == NULL)
		return 0;
	rw_cfg_path_key(p, sizeof(p), path, "replies");
	if (rw_cfg_v_type(ctx, v, p, JSON_OBJECT) == -1)
		return -1;
	if (json_object_get(obj, "reply_at") != NULL) {
		rw_cfg_err(ctx, p, "give replies or reply_at, not both");
		rc = -1;
	}
	if (rw_cfg_check_keys(ctx, v, p, replies_keys) > 0)
		rc = -1;
	if ((spec->replies = calloc(1, sizeof(*spec->replies))) == NULL) {
		rw_cfg_oom(ctx);
		return -1;
	}
	if (rw_json_cfg_list(ctx, v, p, base_url, RW_JSON_LIST_REPLIES, spec->replies) == -1)
		rc = -1;
	/* A reply's time is written as the items' are. */
	spec->replies->time_format = spec->list.time_format;
	spec->replies->kind = spec->list.kind;
	return rc;
}

static void *
json_spec_read(struct rw_cfg_ctx *ctx, const json_t *obj, const char *path)
{
	const char *base_url = json_string_value(json_object_get(obj, "base_url"));
	size_t nerrors = ctx->nerrors;
	struct rw_json_spec *spec;
	int64_t n = RW_JSON_MAX_PAGES_DEFAULT;

	if (base_url != NULL && !rw_cfg_is_http_url(base_url))
		base_url = NULL; /* reported as base_url's own problem */
	if ((spec = calloc(1, sizeof(*spec))) == NULL) {
		rw_cfg_oom(ctx);
		return NULL;
	}
	rw_json_cfg_list(ctx, obj, path, base_url, RW_JSON_LIST_MAIN, &spec->list);
	read_auth(ctx, obj, path, &spec->auth);
	read_replies(ctx, obj, path, base_url, spec);
	rw_cfg_int(ctx, obj, path, "max_pages", 1, RW_JSON_MAX_PAGES_MAX, &n);
	spec->max_pages = (long)n;
	read_rate_limit(ctx, obj, path, &spec->rate_limit);
	if (spec_digest(obj, spec->digest) == -1)
		rw_cfg_oom(ctx);
	if (ctx->nerrors == nerrors && !ctx->oom)
		return spec;
	rw_json_spec_free(spec);
	return NULL;
}

static void
json_spec_free(void *spec)
{
	rw_json_spec_free(spec);
}

static bool
json_spec_equal(const void *a, const void *b)
{
	return rw_json_spec_equal(a, b);
}

static const struct rw_ratelimit_headers *
json_ratelimit_headers(const struct rw_source_config *src)
{
	const struct rw_json_spec *spec = rw_json_spec_of(src);

	return spec != NULL && spec->rate_limit.remaining != NULL ? &spec->rate_limit.headers
								  : NULL;
}

bool
rw_json_spec_equal(const struct rw_json_spec *a, const struct rw_json_spec *b)
{
	if (a == NULL || b == NULL)
		return a == b;
	/* The digest covers the secret references; their values may change
	 * under the same reference (a credential file rewritten). */
	return memcmp(a->digest, b->digest, sizeof(a->digest)) == 0 &&
	       rw_secret_equal(a->auth.token, b->auth.token) &&
	       rw_secret_equal(a->auth.username, b->auth.username) &&
	       rw_secret_equal(a->auth.password, b->auth.password);
}

void
rw_json_spec_free(struct rw_json_spec *spec)
{
	if (spec == NULL)
		return;
	free(spec->auth.name);
	rw_secret_free(spec->auth.token);
	rw_secret_free(spec->auth.username);
	rw_secret_free(spec->auth.password);
	free(spec->rate_limit.limit);
	free(spec->rate_limit.remaining);
	free(spec->rate_limit.reset);
	rw_json_list_clear(&spec->list);
	if (spec->replies != NULL)
		rw_json_list_clear(spec->replies);
	free(spec->replies);
	free(spec);
}
