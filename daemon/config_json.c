/*
 * config_json.c: typed readers over Jansson values that report problems as
 * "PATH: message" lines, shared by every section of the configuration.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config_internal.h"
#include "replywatch/duration.h"
#include "replywatch/secret.h"
#include "replywatch/utf8.h"

/* How much of a value a message quotes before cutting it with "...". */
#define QUOTE_CHARS 60

void
rw_cfg_oom(struct rw_cfg_ctx *ctx)
{
	ctx->oom = true;
}

char *
rw_cfg_strdup(struct rw_cfg_ctx *ctx, const char *s)
{
	char *copy = strdup(s);

	if (copy == NULL)
		rw_cfg_oom(ctx);
	return copy;
}

/*
 * Appends one line to the caller's error list. A line that cannot be stored
 * still counts: the load fails either way, and ctx->oom makes it say why.
 * The line is made one line of valid UTF-8 (rw_utf8_clean): the JSON
 * parser's message can quote part of a character of the file, and keys can
 * hold control characters.
 */
void
rw_cfg_err(struct rw_cfg_ctx *ctx, const char *path, const char *fmt, ...)
{
	char *msg = NULL, *raw = NULL, *line = NULL, **lines;
	size_t len;
	va_list ap;

	ctx->nerrors++;
	va_start(ap, fmt);
	if (vasprintf(&msg, fmt, ap) == -1)
		msg = NULL;
	va_end(ap);
	if (msg == NULL || asprintf(&raw, "%s: %s", path, msg) == -1)
		goto fail;
	len = strlen(raw);
	if ((line = malloc(len + 1)) == NULL)
		goto fail;
	rw_utf8_clean(line, len + 1, raw, len);
	free(raw);
	raw = NULL;
	lines = realloc(ctx->errs->lines, (ctx->errs->n + 1) * sizeof(*lines));
	if (lines == NULL)
		goto fail;
	ctx->errs->lines = lines;
	lines[ctx->errs->n++] = line;
	free(msg);
	return;
fail:
	free(msg);
	free(raw);
	free(line);
	rw_cfg_oom(ctx);
}

/* Ends a path that did not fit with "...", so a cut path reads as one. */
static const char *
path_done(char *out, size_t len, int n)
{
	if ((n < 0 || (size_t)n >= len) && len > 4)
		memcpy(out + len - 4, "...", 4);
	return out;
}

const char *
rw_cfg_path_key(char *out, size_t len, const char *parent, const char *key)
{
	if (parent == NULL || *parent == '\0')
		return path_done(out, len, snprintf(out, len, "%.200s", key));
	return path_done(out, len, snprintf(out, len, "%s.%.200s", parent, key));
}

const char *
rw_cfg_path_index(char *out, size_t len, const char *parent, size_t index)
{
	return path_done(out, len, snprintf(out, len, "%s[%zu]", parent, index));
}

/*
 * Quotes s for a message: backslash and double quote escaped, control bytes
 * shown as "?", at most QUOTE_CHARS characters before "...". Multi-byte UTF-8
 * sequences are cut only at a character boundary.
 */
const char *
rw_cfg_quote(char *out, size_t len, const char *s)
{
	size_t o = 0, chars = 0;
	const unsigned char *p = (const unsigned char *)s;

	if (len < 8) {
		if (len > 0)
			out[0] = '\0';
		return out;
	}
	out[o++] = '"';
	for (; *p != '\0'; p++) {
		bool starts_char = (*p & 0xc0) != 0x80;

		if (starts_char && chars++ == QUOTE_CHARS) {
			memcpy(out + o, "...", 3);
			o += 3;
			break;
		}
		if (o + 6 >= len)
			break;
		if (*p == '"' || *p == '\\')
			out[o++] = '\\';
		out[o++] = *p < 0x20 || *p == 0x7f ? '?' : (char)*p;
	}
	out[o++] = '"';
	out[o] = '\0';
	return out;
}

const char *
rw_cfg_type_name(const json_t *v)
{
	switch (json_typeof(v)) {
	case JSON_OBJECT:
		return "object";
	case JSON_ARRAY:
		return "array";
	case JSON_STRING:
		return "string";
	case JSON_INTEGER:
	case JSON_REAL:
		return "number";
	case JSON_TRUE:
	case JSON_FALSE:
		return "boolean";
	case JSON_NULL:
		return "null";
	}
	return "value";
}

const char *
rw_cfg_join(char *out, size_t len, const char *const *list)
{
	size_t o = 0;

	out[0] = '\0';
	for (size_t i = 0; list[i] != NULL && o < len; i++) {
		int n = snprintf(out + o, len - o, "%s%s", i > 0 ? ", " : "", list[i]);

		if (n < 0)
			break;
		o += (size_t)n;
	}
	return out;
}

/* True when key is in the NULL-terminated list. */
static bool
in_list(const char *key, const char *const *list)
{
	for (size_t i = 0; list[i] != NULL; i++) {
		if (strcmp(key, list[i]) == 0)
			return true;
	}
	return false;
}

int
rw_cfg_check_keys(struct rw_cfg_ctx *ctx, const json_t *obj, const char *path,
		  const char *const *allowed)
{
	char p[RW_CFG_PATH_MAX], names[1024];
	const char *key;
	json_t *v;
	int n = 0;

	json_object_foreach((json_t *)obj, key, v)
	{
		if (in_list(key, allowed))
			continue;
		rw_cfg_err(ctx, rw_cfg_path_key(p, sizeof(p), path, key),
			   "unknown key (expected one of: %s)",
			   rw_cfg_join(names, sizeof(names), allowed));
		n++;
	}
	return n;
}

void
rw_cfg_missing(struct rw_cfg_ctx *ctx, const char *path, const char *key, const char *suffix)
{
	char p[RW_CFG_PATH_MAX];

	rw_cfg_err(ctx, rw_cfg_path_key(p, sizeof(p), path, key), "required%s%s",
		   suffix != NULL ? " " : "", suffix != NULL ? suffix : "");
}

/* "a string", "an object", ... for "expected ..." messages. */
static const char *
type_article(json_type type)
{
	switch (type) {
	case JSON_OBJECT:
		return "an object";
	case JSON_ARRAY:
		return "an array";
	case JSON_STRING:
		return "a string";
	case JSON_INTEGER:
		return "an integer";
	case JSON_REAL:
		return "a number";
	case JSON_TRUE:
	case JSON_FALSE:
		return "true or false";
	case JSON_NULL:
		return "null";
	}
	return "a value";
}

int
rw_cfg_v_type(struct rw_cfg_ctx *ctx, const json_t *v, const char *path, json_type type)
{
	bool ok = json_typeof(v) == type || (type == JSON_TRUE && json_is_boolean(v));

	if (ok)
		return 0;
	rw_cfg_err(ctx, path, "expected %s, got %s", type_article(type), rw_cfg_type_name(v));
	return -1;
}

int
rw_cfg_v_string(struct rw_cfg_ctx *ctx, const json_t *v, const char *path, const char **out)
{
	if (rw_cfg_v_type(ctx, v, path, JSON_STRING) == -1)
		return -1;
	*out = json_string_value(v);
	return 0;
}

/*
 * A duration is "1h30m"-style text or whole seconds. Zero is refused because
 * every configured duration is a delay or a period, where zero means a busy
 * loop or an instant alert; leaving the key out is how to say "none".
 */
int
rw_cfg_v_duration(struct rw_cfg_ctx *ctx, const json_t *v, const char *path, int64_t *out)
{
	char q[RW_CFG_QUOTE_MAX];
	int64_t secs;

	if (json_is_integer(v)) {
		secs = json_integer_value(v);
		if (secs < 0) {
			rw_cfg_err(ctx, path,
				   "%lld is not a duration (use 90s, 5m, 1h30m or a "
				   "positive number of seconds)",
				   (long long)secs);
			return -1;
		}
		if (secs > RW_DURATION_MAX) {
			rw_cfg_err(ctx, path, "%lld seconds is more than the maximum of 100 years",
				   (long long)secs);
			return -1;
		}
	} else if (json_is_string(v)) {
		if (rw_duration_parse(json_string_value(v), &secs) == -1) {
			rw_cfg_err(ctx, path, "%s is not a duration (use 90s, 5m, 1h30m)",
				   rw_cfg_quote(q, sizeof(q), json_string_value(v)));
			return -1;
		}
	} else {
		rw_cfg_err(ctx, path,
			   "expected a duration (a string like \"5m\" or a number of "
			   "seconds), got %s",
			   rw_cfg_type_name(v));
		return -1;
	}
	if (secs == 0) {
		rw_cfg_err(ctx, path, "must be greater than zero");
		return -1;
	}
	*out = secs;
	return 0;
}

/* Names are [a-z0-9_-]+, at most RW_CFG_NAME_MAX: safe in Redis keys and URLs. */
static bool
valid_name(const char *s)
{
	size_t n = strlen(s);

	if (n == 0 || n > RW_CFG_NAME_MAX)
		return false;
	return strspn(s, "abcdefghijklmnopqrstuvwxyz0123456789_-") == n;
}

int
rw_cfg_check_name(struct rw_cfg_ctx *ctx, const char *s, const char *path)
{
	char q[RW_CFG_QUOTE_MAX];

	if (valid_name(s))
		return 0;
	rw_cfg_err(ctx, path,
		   "%s is not a valid name (use 1 to %d of a-z, 0-9, \"-\" and "
		   "\"_\")",
		   rw_cfg_quote(q, sizeof(q), s), RW_CFG_NAME_MAX);
	return -1;
}

int
rw_cfg_v_name(struct rw_cfg_ctx *ctx, const json_t *v, const char *path, const char **out)
{
	const char *s;

	if (rw_cfg_v_string(ctx, v, path, &s) == -1 || rw_cfg_check_name(ctx, s, path) == -1)
		return -1;
	*out = s;
	return 0;
}

int
rw_cfg_string(struct rw_cfg_ctx *ctx, const json_t *obj, const char *path, const char *key,
	      const char **out)
{
	char p[RW_CFG_PATH_MAX];
	const json_t *v = json_object_get(obj, key);

	if (v == NULL)
		return 0;
	rw_cfg_path_key(p, sizeof(p), path, key);
	if (rw_cfg_v_string(ctx, v, p, out) == -1)
		return -1;
	if (**out == '\0') {
		rw_cfg_err(ctx, p, "must not be empty");
		return -1;
	}
	return 1;
}

int
rw_cfg_string_dup(struct rw_cfg_ctx *ctx, const json_t *obj, const char *path, const char *key,
		  char **out)
{
	const char *s;
	int rc = rw_cfg_string(ctx, obj, path, key, &s);

	if (rc != 1)
		return rc;
	free(*out);
	*out = rw_cfg_strdup(ctx, s);
	return *out == NULL ? -1 : 1;
}

int
rw_cfg_bool(struct rw_cfg_ctx *ctx, const json_t *obj, const char *path, const char *key, bool *out)
{
	char p[RW_CFG_PATH_MAX];
	const json_t *v = json_object_get(obj, key);

	if (v == NULL)
		return 0;
	if (rw_cfg_v_type(ctx, v, rw_cfg_path_key(p, sizeof(p), path, key), JSON_TRUE) == -1)
		return -1;
	*out = json_is_true(v);
	return 1;
}

int
rw_cfg_int(struct rw_cfg_ctx *ctx, const json_t *obj, const char *path, const char *key,
	   int64_t min, int64_t max, int64_t *out)
{
	char p[RW_CFG_PATH_MAX];
	const json_t *v = json_object_get(obj, key);
	int64_t n;

	if (v == NULL)
		return 0;
	rw_cfg_path_key(p, sizeof(p), path, key);
	if (rw_cfg_v_type(ctx, v, p, JSON_INTEGER) == -1)
		return -1;
	n = json_integer_value(v);
	if (n < min || n > max) {
		if (max == INT64_MAX)
			rw_cfg_err(ctx, p, "%lld is out of range (at least %lld)", (long long)n,
				   (long long)min);
		else
			rw_cfg_err(ctx, p, "%lld is out of range (%lld to %lld)", (long long)n,
				   (long long)min, (long long)max);
		return -1;
	}
	*out = n;
	return 1;
}

int
rw_cfg_duration(struct rw_cfg_ctx *ctx, const json_t *obj, const char *path, const char *key,
		int64_t *out)
{
	char p[RW_CFG_PATH_MAX];
	const json_t *v = json_object_get(obj, key);

	if (v == NULL)
		return 0;
	return rw_cfg_v_duration(ctx, v, rw_cfg_path_key(p, sizeof(p), path, key), out) == 0 ? 1
											     : -1;
}

/*
 * Resolves the reference at obj.key. The reference text may itself be the
 * secret (a literal), so no message here quotes it: type errors name only the
 * JSON type, and resolution errors come from rw_secret_resolve, which names
 * the variable, file or credential.
 */
int
rw_cfg_secret(struct rw_cfg_ctx *ctx, const json_t *obj, const char *path, const char *key,
	      struct rw_secret **out)
{
	char p[RW_CFG_PATH_MAX], err[512];
	const json_t *v = json_object_get(obj, key);
	struct rw_secret *s;

	if (v == NULL)
		return 0;
	rw_cfg_path_key(p, sizeof(p), path, key);
	if (!json_is_string(v)) {
		rw_cfg_err(ctx, p,
			   "expected a string (a secret: env:NAME, file:PATH, cred:NAME "
			   "or the value), got %s",
			   rw_cfg_type_name(v));
		return -1;
	}
	if ((s = rw_secret_resolve(json_string_value(v), err, sizeof(err))) == NULL) {
		rw_cfg_err(ctx, p, "%s", err);
		return -1;
	}
	rw_secret_free(*out);
	*out = s;
	return 1;
}

bool
rw_cfg_is_http_url(const char *s)
{
	const char *host;

	if (strncmp(s, "https://", 8) == 0)
		host = s + 8;
	else if (strncmp(s, "http://", 7) == 0)
		host = s + 7;
	else
		return false;
	if (*host == '\0' || *host == '/' || *host == '?' || *host == '#')
		return false;
	for (const char *c = s; *c != '\0'; c++) {
		if ((unsigned char)*c <= 0x20 || *c == 0x7f)
			return false;
	}
	return true;
}

/*
 * A URL that is not a secret. One with userinfo ("user:pass@") may still hold
 * a credential by mistake, so a bad one is described without quoting it.
 */
int
rw_cfg_url(struct rw_cfg_ctx *ctx, const json_t *obj, const char *path, const char *key, char **out)
{
	char p[RW_CFG_PATH_MAX], q[RW_CFG_QUOTE_MAX];
	const char *s;
	int rc = rw_cfg_string(ctx, obj, path, key, &s);

	if (rc != 1)
		return rc;
	rw_cfg_path_key(p, sizeof(p), path, key);
	if (!rw_cfg_is_http_url(s)) {
		if (strchr(s, '@') != NULL)
			rw_cfg_err(ctx, p, "is not an http:// or https:// URL");
		else
			rw_cfg_err(ctx, p, "%s is not an http:// or https:// URL",
				   rw_cfg_quote(q, sizeof(q), s));
		return -1;
	}
	free(*out);
	*out = rw_cfg_strdup(ctx, s);
	return *out == NULL ? -1 : 1;
}

/* Label names follow Prometheus: [a-zA-Z_][a-zA-Z0-9_]*. */
static bool
valid_label_name(const char *s)
{
	static const char first[] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ_";

	if (*s == '\0' || strchr(first, *s) == NULL)
		return false;
	return strspn(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ_0123456789") ==
	       strlen(s);
}

/* Adds one label to out, taking copies. Returns 0 or -1 (out of memory). */
static int
labels_add(struct rw_cfg_ctx *ctx, struct rw_labels *out, const char *key, const char *value)
{
	struct rw_label *items = realloc(out->items, (out->n + 1) * sizeof(*items));

	if (items == NULL) {
		rw_cfg_oom(ctx);
		return -1;
	}
	out->items = items;
	items[out->n].key = rw_cfg_strdup(ctx, key);
	items[out->n].value = rw_cfg_strdup(ctx, value);
	out->n++;
	return items[out->n - 1].key && items[out->n - 1].value ? 0 : -1;
}

int
rw_cfg_labels(struct rw_cfg_ctx *ctx, const json_t *obj, const char *path, const char *key,
	      struct rw_labels *out)
{
	char p[RW_CFG_PATH_MAX], lp[RW_CFG_PATH_MAX], q[RW_CFG_QUOTE_MAX];
	const json_t *v = json_object_get(obj, key), *value;
	const char *name, *s;
	int rc = 1;

	if (v == NULL)
		return 0;
	rw_cfg_path_key(p, sizeof(p), path, key);
	if (rw_cfg_v_type(ctx, v, p, JSON_OBJECT) == -1)
		return -1;
	json_object_foreach((json_t *)v, name, value)
	{
		rw_cfg_path_key(lp, sizeof(lp), p, name);
		if (!valid_label_name(name)) {
			rw_cfg_err(ctx, lp,
				   "%s is not a valid label name (use "
				   "[a-zA-Z_][a-zA-Z0-9_]*)",
				   rw_cfg_quote(q, sizeof(q), name));
			rc = -1;
			continue;
		}
		if (rw_cfg_v_string(ctx, value, lp, &s) == -1) {
			rc = -1;
			continue;
		}
		if (labels_add(ctx, out, name, s) == -1)
			rc = -1;
	}
	return rc;
}

/* Appends a copy of s to list. Returns 0 or -1 (out of memory). */
static int
strlist_add(struct rw_cfg_ctx *ctx, struct rw_strlist *list, const char *s)
{
	char **items = realloc(list->items, (list->n + 1) * sizeof(*items));

	if (items == NULL) {
		rw_cfg_oom(ctx);
		return -1;
	}
	list->items = items;
	if ((items[list->n] = rw_cfg_strdup(ctx, s)) == NULL)
		return -1;
	list->n++;
	return 0;
}

int
rw_cfg_strlist(struct rw_cfg_ctx *ctx, const json_t *obj, const char *path, const char *key,
	       const char *empty_hint, rw_cfg_item_check check, void *arg, struct rw_strlist *out)
{
	char p[RW_CFG_PATH_MAX], ip[RW_CFG_PATH_MAX];
	const json_t *v = json_object_get(obj, key), *item;
	const char *s;
	size_t i;
	int rc = 1;

	if (v == NULL)
		return 0;
	rw_cfg_path_key(p, sizeof(p), path, key);
	if (rw_cfg_v_type(ctx, v, p, JSON_ARRAY) == -1)
		return -1;
	if (empty_hint != NULL && json_array_size(v) == 0) {
		rw_cfg_err(ctx, p, "must not be empty (%s)", empty_hint);
		return -1;
	}
	json_array_foreach(v, i, item)
	{
		rw_cfg_path_index(ip, sizeof(ip), p, i);
		if (rw_cfg_v_string(ctx, item, ip, &s) == -1 ||
		    (check != NULL && check(ctx, s, ip, arg) == -1)) {
			rc = -1;
			continue;
		}
		if (out != NULL && strlist_add(ctx, out, s) == -1)
			rc = -1;
	}
	return rc;
}

int
rw_cfg_check_nonempty(struct rw_cfg_ctx *ctx, const char *value, const char *path, void *arg)
{
	if (*value != '\0')
		return 0;
	rw_cfg_err(ctx, path, "must not be empty");
	return -1;
}

int
rw_cfg_declare(struct rw_cfg_ctx *ctx, struct rw_cfg_names *names, const char *name,
	       const char *path)
{
	const char **n, **p;
	char q[RW_CFG_QUOTE_MAX];

	for (size_t i = 0; i < names->n; i++) {
		if (strcmp(names->names[i], name) == 0) {
			rw_cfg_err(ctx, path, "duplicate name %s (already used by %s)",
				   rw_cfg_quote(q, sizeof(q), name), names->paths[i]);
			return -1;
		}
	}
	n = realloc(names->names, (names->n + 1) * sizeof(*n));
	if (n != NULL)
		names->names = n;
	p = realloc(names->paths, (names->n + 1) * sizeof(*p));
	if (p != NULL)
		names->paths = p;
	if (n == NULL || p == NULL || (p[names->n] = strdup(path)) == NULL) {
		rw_cfg_oom(ctx);
		return -1;
	}
	n[names->n++] = name;
	return 0;
}

int
rw_cfg_check_ref(struct rw_cfg_ctx *ctx, const struct rw_cfg_names *names, const char *name,
		 const char *path, const char *what)
{
	char q[RW_CFG_QUOTE_MAX];

	for (size_t i = 0; i < names->n; i++) {
		if (strcmp(names->names[i], name) == 0)
			return 0;
	}
	if (names->incomplete)
		return 0;
	rw_cfg_err(ctx, path, "unknown %s %s", what, rw_cfg_quote(q, sizeof(q), name));
	return -1;
}

void
rw_cfg_read_name(struct rw_cfg_ctx *ctx, const json_t *obj, const char *path,
		 struct rw_cfg_names *names, char **out)
{
	char p[RW_CFG_PATH_MAX];
	const json_t *name = json_object_get(obj, "name");
	const char *s;

	if (name == NULL) {
		rw_cfg_missing(ctx, path, "name", NULL);
		names->incomplete = true;
		return;
	}
	rw_cfg_path_key(p, sizeof(p), path, "name");
	if (!json_is_string(name)) {
		rw_cfg_v_type(ctx, name, p, JSON_STRING);
		names->incomplete = true;
		return;
	}
	rw_cfg_v_name(ctx, name, p, &s);
	rw_cfg_declare(ctx, names, json_string_value(name), p);
	*out = rw_cfg_strdup(ctx, json_string_value(name));
}

void
rw_cfg_names_free(struct rw_cfg_names *names)
{
	for (size_t i = 0; i < names->n; i++)
		free((char *)names->paths[i]);
	free(names->names);
	free(names->paths);
	memset(names, 0, sizeof(*names));
}

void
rw_cfg_strlist_free(struct rw_strlist *list)
{
	for (size_t i = 0; i < list->n; i++)
		free(list->items[i]);
	free(list->items);
	list->items = NULL;
	list->n = 0;
}

void
rw_cfg_labels_free(struct rw_labels *labels)
{
	for (size_t i = 0; i < labels->n; i++) {
		free(labels->items[i].key);
		free(labels->items[i].value);
	}
	free(labels->items);
	labels->items = NULL;
	labels->n = 0;
}
