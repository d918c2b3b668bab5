/*
 * json_config_list.c: one list request of a `json` source (the main one or
 * "replies"): request, items, fields, url_template, paging and brand, read
 * and validated into struct rw_json_list_spec (json_config.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "json_config.h"
#include "replywatch/jsonptr.h"

/* Placeholders a request's URL or body holds. */
#define PH_CURSOR 1u
#define PH_PAGE 2u
#define PH_SINCE 4u

static const char *const request_keys[] = {"url", "method", "body", "headers", NULL};
static const char *const methods[] = {"GET", "POST", NULL};
static const char *const brand_keys[] = {"pointer", "equals", NULL};
static const char *const paging_types[] = {"next_url", "cursor", "page", "last_item", NULL};
static const char *const time_formats[] = {"rfc3339", "epoch_s", "epoch_ms", NULL};

/* Field names in struct order; the first three are required (the replies
 * list needs only the first two: a reply's author is optional). */
static const char *const field_keys[] = {
	"id",     "created_at",      "author",           "text",        "url",
	"rating", "conversation_id", "author_followers", "in_reply_to", NULL,
};

static struct rw_jsonptr *
field_ptr(struct rw_json_fields *f, size_t i)
{
	struct rw_jsonptr *all[] = {
		&f->id,     &f->created_at,      &f->author,           &f->text,        &f->url,
		&f->rating, &f->conversation_id, &f->author_followers, &f->in_reply_to,
	};

	return all[i];
}

int
rw_json_cfg_pointer(struct rw_cfg_ctx *ctx, const json_t *obj, const char *path, const char *key,
		    struct rw_jsonptr *ptr)
{
	char p[RW_CFG_PATH_MAX], q[RW_CFG_QUOTE_MAX], err[256];
	const json_t *v = json_object_get(obj, key);
	const char *s;

	if (v == NULL)
		return 0;
	rw_cfg_path_key(p, sizeof(p), path, key);
	if (rw_cfg_v_string(ctx, v, p, &s) == -1)
		return -1;
	if (rw_jsonptr_compile(ptr, s, err, sizeof(err)) == 0)
		return 1;
	if (strcmp(err, "out of memory") == 0)
		rw_cfg_oom(ctx);
	else
		rw_cfg_err(ctx, p,
			   "%s: %s (a JSON pointer: \"\" or \"/a/0/b\", ~0 for ~ and ~1 for /)",
			   rw_cfg_quote(q, sizeof(q), s), err);
	return -1;
}

/* The index of s in the NULL-terminated list, or -1. */
static int
index_of(const char *const *list, const char *s)
{
	for (int i = 0; list[i] != NULL; i++) {
		if (strcmp(list[i], s) == 0)
			return i;
	}
	return -1;
}

/* obj.key as one of the names of list: its index, -2 when absent, -1 after
 * reporting. */
static int
read_choice(struct rw_cfg_ctx *ctx, const json_t *obj, const char *path, const char *key,
	    const char *const *list)
{
	char p[RW_CFG_PATH_MAX], q[RW_CFG_QUOTE_MAX], names[256];
	const char *s;
	int i;

	switch (rw_cfg_string(ctx, obj, path, key, &s)) {
	case 0:
		return -2;
	case 1:
		if ((i = index_of(list, s)) >= 0)
			return i;
		rw_cfg_err(ctx, rw_cfg_path_key(p, sizeof(p), path, key),
			   "unknown value %s (expected one of: %s)", rw_cfg_quote(q, sizeof(q), s),
			   rw_cfg_join(names, sizeof(names), list));
		return -1;
	default:
		return -1;
	}
}

/*
 * The placeholders of a request's URL (strict: every "{...}" must be one
 * of ours, since braces have no other place in a URL) or body (lenient: a
 * JSON body has braces of its own, so only exact "{cursor}", "{page}" and
 * "{since}" count). Returns the PH_ bits, or -1 after reporting.
 */
static int
placeholders(struct rw_cfg_ctx *ctx, const char *s, const char *path, bool strict)
{
	static const char *const names[] = {"{cursor}", "{page}", "{since}"};
	char q[RW_CFG_QUOTE_MAX];
	int found = 0;

	for (const char *c = s; *c != '\0'; c++) {
		bool known = false;

		if (*c == '}' && strict) {
			rw_cfg_err(ctx, path,
				   "\"}\" without \"{\" (placeholders are {cursor}, "
				   "{page} and {since})");
			return -1;
		}
		if (*c != '{')
			continue;
		for (unsigned i = 0; i < 3; i++) {
			if (strncmp(c, names[i], strlen(names[i])) == 0) {
				found |= 1 << i;
				c += strlen(names[i]) - 1;
				known = true;
				break;
			}
		}
		if (!known && strict) {
			size_t n = strcspn(c, "}");
			char ph[64];

			snprintf(ph, sizeof(ph), "%.*s", (int)(n < 40 ? n + 1 : 40), c);
			rw_cfg_err(ctx, path,
				   "unknown placeholder %s (expected {cursor}, {page} or {since})",
				   rw_cfg_quote(q, sizeof(q), ph));
			return -1;
		}
	}
	return found;
}

/* url quoted for a message, or "the URL" when it may hold a user name and
 * password (userinfo is never quoted: it may be a secret). */
static const char *
quote_url(char *out, size_t len, const char *url)
{
	if (strchr(url, '@') != NULL)
		return "the URL";
	return rw_cfg_quote(out, len, url);
}

/* True when the absolute url has userinfo ("https://user:pass@host"). */
static bool
has_userinfo(const char *url)
{
	const char *host = strstr(url, "://");

	return host != NULL && memchr(host + 3, '@', strcspn(host + 3, "/?#")) != NULL;
}

/* request.url: a path joined to base_url, or an absolute URL on base_url's
 * scheme and host (credentials must not go to another host). */
static int
check_url(struct rw_cfg_ctx *ctx, const char *url, const char *path, const char *base_url)
{
	char q[RW_CFG_QUOTE_MAX];

	for (const char *c = url; *c != '\0'; c++) {
		if ((unsigned char)*c <= 0x20 || *c == 0x7f) {
			rw_cfg_err(ctx, path, "%s has a space or control character",
				   quote_url(q, sizeof(q), url));
			return -1;
		}
	}
	if (url[0] == '/' && url[1] != '/')
		return 0;
	if (!rw_cfg_is_http_url(url)) {
		rw_cfg_err(ctx, path,
			   "%s is neither a path (\"/api/items\") nor an http(s) URL on base_url",
			   quote_url(q, sizeof(q), url));
		return -1;
	}
	if (has_userinfo(url)) {
		rw_cfg_err(ctx, path,
			   "has a user name or password in it: credentials go in "
			   "\"auth\" (a secret reference)");
		return -1;
	}
	if (base_url != NULL && !rw_json_same_origin(url, base_url)) {
		rw_cfg_err(ctx, path, "%s is not on base_url's scheme and host",
			   quote_url(q, sizeof(q), url));
		return -1;
	}
	return 0;
}

/* A header name: RFC 9110 token characters. */
static bool
header_name_ok(const char *s)
{
	if (*s == '\0')
		return false;
	for (; *s != '\0'; s++) {
		if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
		      (*s >= '0' && *s <= '9') || strchr("!#$%&'*+-.^_`|~", *s) != NULL))
			return false;
	}
	return true;
}

static bool
header_value_ok(const char *s)
{
	for (; *s != '\0'; s++) {
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			return false;
	}
	return true;
}

static int
read_headers(struct rw_cfg_ctx *ctx, const json_t *v, const char *path, struct rw_json_request *req)
{
	char p[RW_CFG_PATH_MAX];
	const char *key, *s;
	json_t *value;
	int rc = 0;

	if (rw_cfg_v_type(ctx, v, path, JSON_OBJECT) == -1)
		return -1;
	if (json_object_size(v) > 0 &&
	    (req->headers = calloc(json_object_size(v), sizeof(*req->headers))) == NULL) {
		rw_cfg_oom(ctx);
		return -1;
	}
	json_object_foreach((json_t *)v, key, value)
	{
		rw_cfg_path_key(p, sizeof(p), path, key);
		if (!header_name_ok(key)) {
			rw_cfg_err(ctx, p, "not a header name");
			rc = -1;
		} else if (strcasecmp(key, "Authorization") == 0 ||
			   strcasecmp(key, "Proxy-Authorization") == 0 ||
			   strcasecmp(key, "Cookie") == 0) {
			rw_cfg_err(ctx, p, "credentials go in \"auth\" (a secret reference)");
			rc = -1;
		} else if (rw_cfg_v_string(ctx, value, p, &s) == -1) {
			rc = -1;
		} else if (!header_value_ok(s)) {
			/* Not quoted: a value may be a key put here by mistake. */
			rw_cfg_err(ctx, p, "has a control character");
			rc = -1;
		} else {
			struct rw_json_header *h = &req->headers[req->nheaders++];

			h->name = rw_cfg_strdup(ctx, key);
			h->value = rw_cfg_strdup(ctx, s);
		}
	}
	return rc;
}

/* "request" of obj; returns the PH_ bits its URL and body use, or -1. */
static int
read_request(struct rw_cfg_ctx *ctx, const json_t *obj, const char *path, const char *base_url,
	     struct rw_json_request *req)
{
	char p[RW_CFG_PATH_MAX], up[RW_CFG_PATH_MAX];
	const json_t *v = json_object_get(obj, "request");
	const char *url, *body;
	int ph = 0, bph, method, rc = 0;

	if (v == NULL) {
		rw_cfg_missing(ctx, path, "request", NULL);
		return -1;
	}
	rw_cfg_path_key(p, sizeof(p), path, "request");
	if (rw_cfg_v_type(ctx, v, p, JSON_OBJECT) == -1)
		return -1;
	if (rw_cfg_check_keys(ctx, v, p, request_keys) > 0)
		rc = -1;
	switch (rw_cfg_string(ctx, v, p, "url", &url)) {
	case 0:
		rw_cfg_missing(ctx, p, "url", NULL);
		rc = -1;
		break;
	case 1:
		rw_cfg_path_key(up, sizeof(up), p, "url");
		if (check_url(ctx, url, up, base_url) == -1 ||
		    (ph = placeholders(ctx, url, up, true)) == -1)
			rc = -1;
		else
			req->url = rw_cfg_strdup(ctx, url);
		break;
	default:
		rc = -1;
	}
	method = read_choice(ctx, v, p, "method", methods);
	if (method == -1)
		rc = -1;
	req->method = rw_cfg_strdup(ctx, method == 1 ? "POST" : "GET");
	switch (rw_cfg_string(ctx, v, p, "body", &body)) {
	case 1:
		if (method != 1) {
			rw_cfg_err(ctx, rw_cfg_path_key(up, sizeof(up), p, "body"),
				   "a body needs \"method\": \"POST\"");
			rc = -1;
			break;
		}
		bph = placeholders(ctx, body, rw_cfg_path_key(up, sizeof(up), p, "body"), false);
		ph |= bph;
		req->body = rw_cfg_strdup(ctx, body);
		break;
	case -1:
		rc = -1;
		break;
	}
	if ((v = json_object_get(v, "headers")) != NULL &&
	    read_headers(ctx, v, rw_cfg_path_key(up, sizeof(up), p, "headers"), req) == -1)
		rc = -1;
	return rc == 0 ? ph : -1;
}

/* A query parameter name as the configuration may give it. */
static int
read_param_name(struct rw_cfg_ctx *ctx, const json_t *obj, const char *path, const char *key,
		char **out)
{
	char p[RW_CFG_PATH_MAX], q[RW_CFG_QUOTE_MAX];
	const char *s;
	int rc = rw_cfg_string(ctx, obj, path, key, &s);

	if (rc != 1)
		return rc;
	if (*s == '\0' || strspn(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
				    "0123456789._~-[]") != strlen(s)) {
		rw_cfg_err(ctx, rw_cfg_path_key(p, sizeof(p), path, key),
			   "%s is not a query parameter name (letters, digits, . _ ~ - [ ])",
			   rw_cfg_quote(q, sizeof(q), s));
		return -1;
	}
	*out = rw_cfg_strdup(ctx, s);
	return 1;
}

/* paging.param versus the URL's placeholder ph (PH_CURSOR or PH_PAGE):
 * exactly one of them carries the value. */
static int
check_carrier(struct rw_cfg_ctx *ctx, const char *path, const struct rw_json_paging *pg, int ph,
	      unsigned want, const char *name)
{
	char p[RW_CFG_PATH_MAX];
	bool in_url = (ph & (int)want) != 0;

	if (pg->param != NULL && in_url) {
		rw_cfg_err(ctx, rw_cfg_path_key(p, sizeof(p), path, "param"),
			   "the request already has {%s}: give param or {%s}, not both", name,
			   name);
		return -1;
	}
	if (pg->param == NULL && !in_url) {
		rw_cfg_err(ctx, rw_cfg_path_key(p, sizeof(p), path, "param"),
			   "required (or put {%s} in request.url)", name);
		return -1;
	}
	return 0;
}

static int
read_paging_page(struct rw_cfg_ctx *ctx, const json_t *v, const char *path, int ph,
		 struct rw_json_paging *pg)
{
	int64_t n;
	int rc = 0;

	pg->start = 1;
	if (read_param_name(ctx, v, path, "param", &pg->param) == -1 ||
	    read_param_name(ctx, v, path, "per_page_param", &pg->per_page_param) == -1)
		rc = -1;
	switch (rw_cfg_int(ctx, v, path, "start", 0, 1000000, &n)) {
	case 1:
		pg->start = (long)n;
		break;
	case -1:
		rc = -1;
	}
	switch (rw_cfg_int(ctx, v, path, "per_page", 1, RW_PAGE_MAX_ENTRIES, &n)) {
	case 1:
		pg->per_page = (long)n;
		break;
	case -1:
		rc = -1;
	}
	if (pg->per_page_param != NULL && pg->per_page == 0) {
		rw_cfg_missing(ctx, path, "per_page", "with per_page_param");
		rc = -1;
	}
	return rc == 0 ? check_carrier(ctx, path, pg, ph, PH_PAGE, "page") : -1;
}

/* "paging" of obj; ph: the placeholders the request uses. */
static int
read_paging(struct rw_cfg_ctx *ctx, const json_t *obj, const char *path, int ph,
	    struct rw_json_paging *pg)
{
	static const char *const next_keys[] = {"type", "pointer", NULL};
	static const char *const cursor_keys[] = {"type", "pointer", "param", NULL};
	static const char *const page_keys[] = {"type",     "param",          "start",
						"per_page", "per_page_param", NULL};
	static const char *const *const keys[] = {next_keys, cursor_keys, page_keys, cursor_keys};
	char p[RW_CFG_PATH_MAX], up[RW_CFG_PATH_MAX];
	const json_t *v = json_object_get(obj, "paging");
	int type, rc = 0;

	rw_cfg_path_key(up, sizeof(up), path, "request.url");
	if (v == NULL) {
		if ((ph & (PH_CURSOR | PH_PAGE)) != 0) {
			rw_cfg_err(ctx, up, "{%s} needs \"paging\"",
				   (ph & PH_CURSOR) ? "cursor" : "page");
			return -1;
		}
		return 0;
	}
	rw_cfg_path_key(p, sizeof(p), path, "paging");
	if (rw_cfg_v_type(ctx, v, p, JSON_OBJECT) == -1)
		return -1;
	if ((type = read_choice(ctx, v, p, "type", paging_types)) < 0) {
		if (type == -2)
			rw_cfg_missing(ctx, p, "type", NULL);
		return -1;
	}
	pg->type = (enum rw_json_paging_type)(type + 1);
	if (rw_cfg_check_keys(ctx, v, p, keys[type]) > 0)
		rc = -1;
	if ((ph & PH_CURSOR) && !rw_json_paging_cursor(pg)) {
		rw_cfg_err(ctx, up, "{cursor} needs paging type \"cursor\" or \"last_item\"");
		rc = -1;
	}
	if ((ph & PH_PAGE) && pg->type != RW_JSON_PAGING_PAGE) {
		rw_cfg_err(ctx, up, "{page} needs paging type \"page\"");
		rc = -1;
	}
	if (pg->type == RW_JSON_PAGING_PAGE)
		return read_paging_page(ctx, v, p, ph, pg) == 0 ? rc : -1;
	switch (rw_json_cfg_pointer(ctx, v, p, "pointer", &pg->pointer)) {
	case 0:
		rw_cfg_missing(ctx, p, "pointer", NULL);
		return -1;
	case -1:
		return -1;
	}
	if (rw_json_paging_cursor(pg) && (read_param_name(ctx, v, p, "param", &pg->param) == -1 ||
					  check_carrier(ctx, p, pg, ph, PH_CURSOR, "cursor") == -1))
		return -1;
	return rc;
}

static int
read_fields(struct rw_cfg_ctx *ctx, const json_t *obj, const char *path,
	    enum rw_json_list_role role, struct rw_json_fields *f)
{
	size_t nrequired = role == RW_JSON_LIST_MAIN ? 3 : 2;
	const json_t *v = json_object_get(obj, "fields");
	char p[RW_CFG_PATH_MAX];
	int rc = 0;

	if (v == NULL) {
		rw_cfg_missing(ctx, path, "fields", NULL);
		return -1;
	}
	rw_cfg_path_key(p, sizeof(p), path, "fields");
	if (rw_cfg_v_type(ctx, v, p, JSON_OBJECT) == -1)
		return -1;
	if (rw_cfg_check_keys(ctx, v, p, field_keys) > 0)
		rc = -1;
	for (size_t i = 0; field_keys[i] != NULL; i++) {
		switch (rw_json_cfg_pointer(ctx, v, p, field_keys[i], field_ptr(f, i))) {
		case 0:
			if (i < nrequired) {
				rw_cfg_missing(ctx, p, field_keys[i], NULL);
				rc = -1;
			}
			break;
		case -1:
			rc = -1;
			break;
		}
	}
	return rc;
}

/*
 * url_template: an http(s) URL whose "{/pointer}" parts are filled from the
 * item. Every placeholder must be a pointer into the item ("{}" would be
 * the item itself, which is no URL part).
 */
static int
read_url_template(struct rw_cfg_ctx *ctx, const json_t *obj, const char *path, char **out)
{
	char p[RW_CFG_PATH_MAX], q[RW_CFG_QUOTE_MAX], err[256], ptr[RW_JSONPTR_MAX + 1];
	const char *s;

	switch (rw_cfg_string(ctx, obj, path, "url_template", &s)) {
	case 0:
		return 0;
	case -1:
		return -1;
	}
	rw_cfg_path_key(p, sizeof(p), path, "url_template");
	if (!rw_cfg_is_http_url(s)) {
		rw_cfg_err(ctx, p, "%s is not an http(s) URL", quote_url(q, sizeof(q), s));
		return -1;
	}
	if (has_userinfo(s)) {
		rw_cfg_err(ctx, p, "has a user name or password in it (links are shown to people)");
		return -1;
	}
	for (const char *c = s; *c != '\0'; c++) {
		size_t n;

		if (*c == '}') {
			rw_cfg_err(ctx, p, "\"}\" without \"{\"");
			return -1;
		}
		if (*c != '{')
			continue;
		n = strcspn(c + 1, "{}");
		if (c[1 + n] != '}') {
			rw_cfg_err(ctx, p, "\"{\" without \"}\"");
			return -1;
		}
		snprintf(ptr, sizeof(ptr), "%.*s", (int)(n < RW_JSONPTR_MAX ? n : RW_JSONPTR_MAX),
			 c + 1);
		if (n == 0 || n > RW_JSONPTR_MAX || !rw_jsonptr_valid(ptr, err, sizeof(err))) {
			if (n == 0)
				snprintf(err, sizeof(err), "an empty placeholder (use {/pointer})");
			else if (n > RW_JSONPTR_MAX)
				snprintf(err, sizeof(err), "longer than %d bytes", RW_JSONPTR_MAX);
			rw_cfg_err(ctx, p, "{%s}: %s", rw_cfg_quote(q, sizeof(q), ptr), err);
			return -1;
		}
		c += n + 1;
	}
	*out = rw_cfg_strdup(ctx, s);
	return 1;
}

static int
read_brand(struct rw_cfg_ctx *ctx, const json_t *obj, const char *path,
	   const struct rw_json_fields *f, struct rw_json_brand *brand)
{
	const json_t *v = json_object_get(obj, "brand");
	char p[RW_CFG_PATH_MAX];
	int rc = 0;

	if (v == NULL)
		return 0;
	rw_cfg_path_key(p, sizeof(p), path, "brand");
	if (rw_cfg_v_type(ctx, v, p, JSON_OBJECT) == -1)
		return -1;
	if (rw_cfg_check_keys(ctx, v, p, brand_keys) > 0)
		rc = -1;
	switch (rw_json_cfg_pointer(ctx, v, p, "pointer", &brand->pointer)) {
	case 0:
		rw_cfg_missing(ctx, p, "pointer", NULL);
		rc = -1;
		break;
	case -1:
		rc = -1;
	}
	switch (rw_cfg_strlist(ctx, v, p, "equals", "give the values that mark the brand's items",
			       rw_cfg_check_nonempty, NULL, &brand->equals)) {
	case 0:
		rw_cfg_missing(ctx, p, "equals", NULL);
		rc = -1;
		break;
	case -1:
		rc = -1;
	}
	if (!rw_jsonptr_set(&f->in_reply_to) && !rw_jsonptr_set(&f->conversation_id)) {
		rw_cfg_err(ctx, p,
			   "the brand's items answer through fields.in_reply_to or "
			   "fields.conversation_id: give one");
		rc = -1;
	}
	return rc;
}

/* time_format, kind and reply_at: keys of the main list only. */
static int
read_main_only(struct rw_cfg_ctx *ctx, const json_t *obj, const char *path,
	       struct rw_json_list_spec *list)
{
	char p[RW_CFG_PATH_MAX], q[RW_CFG_QUOTE_MAX], names[256];
	const char *s;
	int i, rc = 0;

	if ((i = read_choice(ctx, obj, path, "time_format", time_formats)) == -1)
		rc = -1;
	list->time_format = i >= 0 ? (enum rw_json_time)i : RW_JSON_TIME_RFC3339;
	list->kind = RW_KIND_MENTION;
	switch (rw_cfg_string(ctx, obj, path, "kind", &s)) {
	case 1:
		if ((list->kind = rw_kind_parse(s)) == 0) {
			rw_cfg_err(ctx, rw_cfg_path_key(p, sizeof(p), path, "kind"),
				   "unknown kind %s (expected one of: %s)",
				   rw_cfg_quote(q, sizeof(q), s),
				   rw_cfg_join(names, sizeof(names), rw_cfg_kind_names()));
			rc = -1;
		}
		break;
	case -1:
		rc = -1;
	}
	if (rw_json_cfg_pointer(ctx, obj, path, "reply_at", &list->reply_at) == -1)
		rc = -1;
	return rc;
}

int
rw_json_cfg_list(struct rw_cfg_ctx *ctx, const json_t *obj, const char *path, const char *base_url,
		 enum rw_json_list_role role, struct rw_json_list_spec *list)
{
	char p[RW_CFG_PATH_MAX];
	int ph, rc = 0;

	list->replies = role == RW_JSON_LIST_REPLIES;
	if ((ph = read_request(ctx, obj, path, base_url, &list->request)) == -1)
		rc = -1;
	switch (rw_json_cfg_pointer(ctx, obj, path, "items", &list->items)) {
	case 0:
		rw_cfg_missing(ctx, path, "items", NULL);
		rc = -1;
		break;
	case -1:
		rc = -1;
	}
	if (read_fields(ctx, obj, path, role, &list->fields) == -1)
		rc = -1;
	if (read_url_template(ctx, obj, path, &list->url_template) == -1)
		rc = -1;
	if (list->url_template != NULL && rw_jsonptr_set(&list->fields.url)) {
		rw_cfg_err(ctx, rw_cfg_path_key(p, sizeof(p), path, "url_template"),
			   "give fields.url or url_template, not both");
		rc = -1;
	}
	if (read_paging(ctx, obj, path, ph < 0 ? 0 : ph, &list->paging) == -1)
		rc = -1;
	if (read_brand(ctx, obj, path, &list->fields, &list->brand) == -1)
		rc = -1;
	if (role == RW_JSON_LIST_MAIN && read_main_only(ctx, obj, path, list) == -1)
		rc = -1;
	if (role == RW_JSON_LIST_MAIN && list->kind == RW_KIND_REVIEW &&
	    !rw_jsonptr_set(&list->fields.rating)) {
		rw_cfg_missing(ctx, path, "fields.rating", "for kind \"review\"");
		rc = -1;
	}
	if (role == RW_JSON_LIST_MAIN && rw_jsonptr_set(&list->fields.in_reply_to) &&
	    !rw_jsonptr_set(&list->brand.pointer)) {
		rw_cfg_err(ctx, rw_cfg_path_key(p, sizeof(p), path, "fields.in_reply_to"),
			   "read from the brand's items only: give \"brand\"");
		rc = -1;
	}
	if (role == RW_JSON_LIST_REPLIES && !rw_jsonptr_set(&list->fields.in_reply_to) &&
	    !rw_jsonptr_set(&list->fields.conversation_id)) {
		rw_cfg_err(ctx, rw_cfg_path_key(p, sizeof(p), path, "fields"),
			   "replies answer through in_reply_to or conversation_id: give one");
		rc = -1;
	}
	return ctx->oom ? -1 : rc;
}

void
rw_json_list_clear(struct rw_json_list_spec *list)
{
	free(list->request.url);
	free(list->request.method);
	free(list->request.body);
	for (size_t i = 0; i < list->request.nheaders; i++) {
		free(list->request.headers[i].name);
		free(list->request.headers[i].value);
	}
	free(list->request.headers);
	rw_jsonptr_clear(&list->items);
	for (size_t i = 0; field_keys[i] != NULL; i++)
		rw_jsonptr_clear(field_ptr(&list->fields, i));
	free(list->url_template);
	rw_jsonptr_clear(&list->brand.pointer);
	rw_cfg_strlist_free(&list->brand.equals);
	rw_jsonptr_clear(&list->paging.pointer);
	free(list->paging.param);
	free(list->paging.per_page_param);
	rw_jsonptr_clear(&list->reply_at);
	memset(list, 0, sizeof(*list));
}
