/*
 * json_url.c: the requests of a `json` source (sources/json.h): header
 * lines and auth made once per client, each page's URL from the template
 * and the walk's token, the next token from an answer, and the checks on
 * URLs an API hands back (same origin only). No I/O: the connector
 * (json.c) and --try-source (trysource.c) send what this makes.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>
#include <jansson.h>

#include "replywatch/b64.h"
#include "replywatch/clock.h"
#include "replywatch/connector.h"
#include "replywatch/secret.h"
#include "replywatch/sources/json.h"

struct rw_json_client {
	const struct rw_source_config *src;
	const struct rw_json_spec *spec;
	char *auth_line; /* a secret: wiped on free */
	char *lines[2][RW_JSON_HEADERS_MAX + 1];
};

static void
wipe_free(char *s)
{
	if (s != NULL) {
		explicit_bzero(s, strlen(s));
		free(s);
	}
}

/* "NAME: VALUE" (caller frees), or NULL on allocation failure. */
static char *
header_line(const char *name, const char *value)
{
	size_t n = strlen(name) + strlen(value) + 3;
	char *line = malloc(n);

	if (line != NULL)
		snprintf(line, n, "%s: %s", name, value);
	return line;
}

/* "Authorization: Basic base64(user:password)"; NULL on allocation failure. */
static char *
basic_line(const char *user, const char *password)
{
	size_t n = strlen(user) + strlen(password) + 2;
	char *pair = malloc(n), *b64 = NULL, *line = NULL;

	if (pair == NULL)
		return NULL;
	snprintf(pair, n, "%s:%s", user, password);
	b64 = rw_b64_encode(pair, strlen(pair));
	if (b64 != NULL) {
		char value[8 + 4096];

		if (strlen(b64) < sizeof(value) - 8) {
			snprintf(value, sizeof(value), "Basic %s", b64);
			line = header_line("Authorization", value);
			explicit_bzero(value, sizeof(value));
		}
	}
	wipe_free(b64);
	wipe_free(pair);
	return line;
}

static const char *
secret(const struct rw_secret *s)
{
	return s != NULL ? rw_secret_value(s) : "";
}

/* The auth header line of auth, or none (query, none). -1 with err. */
static int
make_auth(struct rw_json_client *c, const struct rw_json_auth *auth, char *err, size_t errlen)
{
	const char *v = secret(auth->token);

	switch (auth->type) {
	case RW_JSON_AUTH_NONE:
		return 0;
	case RW_JSON_AUTH_QUERY:
		if (*v == '\0') {
			snprintf(err, errlen, "auth.token is empty");
			return -1;
		}
		return 0;
	case RW_JSON_AUTH_BEARER:
	case RW_JSON_AUTH_HEADER:
		if (!rw_header_value_ok(v)) {
			snprintf(err, errlen, "auth.token is empty or holds control characters");
			return -1;
		}
		c->auth_line = auth->type == RW_JSON_AUTH_BEARER
				       ? rw_bearer_header(v)
				       : header_line(auth->name ? auth->name : "Authorization", v);
		break;
	case RW_JSON_AUTH_BASIC:
		if (!rw_header_value_ok(secret(auth->username)) ||
		    strchr(secret(auth->username), ':') != NULL ||
		    (*secret(auth->password) != '\0' &&
		     !rw_header_value_ok(secret(auth->password)))) {
			snprintf(err, errlen,
				 "auth.username is empty, holds ':' or control characters, or "
				 "auth.password holds control characters");
			return -1;
		}
		c->auth_line = basic_line(secret(auth->username), secret(auth->password));
		break;
	}
	if (c->auth_line == NULL) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	return 0;
}

static int
make_lines(char **lines, const struct rw_json_request *req)
{
	size_t n = 0;

	for (size_t i = 0; i < req->nheaders && n < RW_JSON_HEADERS_MAX; i++)
		if ((lines[n++] = header_line(req->headers[i].name, req->headers[i].value)) == NULL)
			return -1;
	lines[n] = NULL;
	return 0;
}

struct rw_json_client *
rw_json_client_new(const struct rw_source_config *src, char *err, size_t errlen)
{
	const struct rw_json_spec *spec = rw_json_spec_of(src);
	struct rw_json_client *c;

	if (spec == NULL) {
		snprintf(err, errlen, "not a json source");
		return NULL;
	}
	if ((c = calloc(1, sizeof(*c))) == NULL) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	c->src = src;
	c->spec = spec;
	if (make_auth(c, &spec->auth, err, errlen) == -1)
		goto fail;
	if (make_lines(c->lines[RW_JSON_ITEMS], &spec->list.request) == -1 ||
	    (spec->replies != NULL &&
	     make_lines(c->lines[RW_JSON_REPLIES], &spec->replies->request) == -1)) {
		snprintf(err, errlen, "out of memory");
		goto fail;
	}
	return c;
fail:
	rw_json_client_free(c);
	return NULL;
}

void
rw_json_client_free(struct rw_json_client *c)
{
	if (c == NULL)
		return;
	wipe_free(c->auth_line);
	for (int w = 0; w < 2; w++)
		for (size_t i = 0; i < RW_JSON_HEADERS_MAX && c->lines[w][i] != NULL; i++)
			free(c->lines[w][i]);
	free(c);
}

const struct rw_json_list_spec *
rw_json_client_list(const struct rw_json_client *c, enum rw_json_which which)
{
	return which == RW_JSON_ITEMS ? &c->spec->list : c->spec->replies;
}

long
rw_json_client_max_pages(const struct rw_json_client *c)
{
	return c->spec->max_pages > 0 ? c->spec->max_pages : RW_JSON_MAX_PAGES_DEFAULT;
}

const char *const *
rw_json_client_headers(const struct rw_json_client *c, enum rw_json_which which)
{
	return (const char *const *)c->lines[which == RW_JSON_ITEMS ? 0 : 1];
}

const char *
rw_json_client_auth_line(const struct rw_json_client *c)
{
	return c->auth_line;
}

long
rw_json_page_number(const struct rw_json_paging *paging, const char *token)
{
	if (token == NULL || *token == '\0')
		return paging->start;
	return strtol(token, NULL, 10);
}

/* Writes s escaped for the inside of a JSON string. */
static int
put_json_escaped(FILE *out, const char *s)
{
	json_t *str = json_string(s);
	char *text = str ? json_dumps(str, JSON_ENCODE_ANY) : NULL;
	size_t n = text ? strlen(text) : 0;

	json_decref(str);
	if (text == NULL || n < 2) {
		free(text);
		return -1;
	}
	fwrite(text + 1, 1, n - 2, out); /* without the quotes */
	free(text);
	return 0;
}

/* Writes s percent-escaped (RFC 3986 unreserved bytes kept) to out. */
static int
put_escaped(FILE *out, const char *s)
{
	char *e = curl_easy_escape(NULL, s, 0);

	if (e == NULL)
		return -1;
	fputs(e, out);
	curl_free(e);
	return 0;
}

/* Appends "name=value" to the URL in out, after '?' or '&' as it needs. */
static int
put_param(FILE *out, bool *has_query, const char *name, const char *value)
{
	fputc(*has_query ? '&' : '?', out);
	*has_query = true;
	if (put_escaped(out, name) == -1)
		return -1;
	fputc('=', out);
	return put_escaped(out, value);
}

/* The template expanded: {cursor}, {page}, {since} (each written by put);
 * any other brace as is. */
static int
put_template(FILE *out, const char *tmpl, const char *cursor, const char *page, const char *since,
	     int (*put)(FILE *, const char *))
{
	static const char *const names[] = {"{cursor}", "{page}", "{since}"};
	const char *values[] = {cursor, page, since};

	for (const char *p = tmpl; *p != '\0';) {
		size_t k;

		for (k = 0; k < 3; k++)
			if (strncmp(p, names[k], strlen(names[k])) == 0)
				break;
		if (k == 3) {
			fputc(*p++, out);
			continue;
		}
		if (values[k] != NULL && put(out, values[k]) == -1)
			return -1;
		p += strlen(names[k]);
	}
	return 0;
}

static bool
is_absolute(const char *url)
{
	return strncmp(url, "http://", 7) == 0 || strncmp(url, "https://", 8) == 0;
}

/* base without trailing slashes, when tmpl is a path. */
static void
put_base(FILE *out, const char *base, const char *tmpl)
{
	size_t n = strlen(base);

	if (is_absolute(tmpl))
		return;
	while (n > 0 && base[n - 1] == '/')
		n--;
	fwrite(base, 1, n, out);
	if (*tmpl != '/' && *tmpl != '?')
		fputc('/', out);
}

/* True when url's query already has name= (a next URL that carries it). */
static bool
has_param(const char *url, const char *name)
{
	const char *q = strchr(url, '?');
	size_t n = strlen(name);

	for (; q != NULL; q = strchr(q + 1, '&'))
		if (strncmp(q + 1, name, n) == 0 && q[1 + n] == '=')
			return true;
	return false;
}

char *
rw_json_client_url(const struct rw_json_client *c, enum rw_json_which which,
		   const struct rw_json_at *at, char *err, size_t errlen)
{
	const struct rw_json_list_spec *list = rw_json_client_list(c, which);
	const struct rw_json_paging *pg = &list->paging;
	const struct rw_json_auth *auth = &c->spec->auth;
	const char *token = at->token && *at->token ? at->token : NULL;
	char since[40] = "", page[24] = "", per[24];
	const char *cursor = NULL;
	char *url = NULL;
	size_t len = 0;
	bool q;
	FILE *out;

	if (at->since_ms > 0)
		rw_time_format(at->since_ms, since, sizeof(since));
	if (pg->type == RW_JSON_PAGING_PAGE)
		snprintf(page, sizeof(page), "%ld", rw_json_page_number(pg, token));
	else if (rw_json_paging_cursor(pg))
		cursor = token;
	if ((out = open_memstream(&url, &len)) == NULL)
		goto oom;
	if (pg->type == RW_JSON_PAGING_NEXT_URL && token != NULL) {
		if (!rw_json_same_origin(token, c->src->base_url)) {
			fclose(out);
			free(url);
			snprintf(err, errlen, "a next URL of another origin than base_url");
			return NULL;
		}
		fputs(token, out);
	} else {
		put_base(out, c->src->base_url, list->request.url);
		if (put_template(out, list->request.url, cursor ? cursor : "", page, since,
				 put_escaped) == -1)
			goto fail;
	}
	fflush(out);
	q = url != NULL && strchr(url, '?') != NULL;
	if (pg->param != NULL && rw_json_paging_cursor(pg) && cursor != NULL &&
	    put_param(out, &q, pg->param, cursor) == -1)
		goto fail;
	if (pg->type == RW_JSON_PAGING_PAGE) {
		fflush(out);
		if (pg->param != NULL && !has_param(url, pg->param) &&
		    put_param(out, &q, pg->param, page) == -1)
			goto fail;
		snprintf(per, sizeof(per), "%ld", pg->per_page);
		fflush(out);
		if (pg->per_page_param != NULL && pg->per_page > 0 &&
		    !has_param(url, pg->per_page_param) &&
		    put_param(out, &q, pg->per_page_param, per) == -1)
			goto fail;
	}
	fflush(out);
	if (auth->type == RW_JSON_AUTH_QUERY && !has_param(url, auth->name) &&
	    put_param(out, &q, auth->name, secret(auth->token)) == -1)
		goto fail;
	if (fclose(out) != 0) {
		out = NULL;
		goto oom;
	}
	return url;
fail:
	fclose(out);
oom:
	rw_json_url_free(url);
	snprintf(err, errlen, "out of memory");
	return NULL;
}

char *
rw_json_client_body(const struct rw_json_client *c, enum rw_json_which which,
		    const struct rw_json_at *at, bool *oom)
{
	const struct rw_json_list_spec *list = rw_json_client_list(c, which);
	const struct rw_json_paging *pg = &list->paging;
	const char *token = at->token && *at->token ? at->token : NULL;
	char since[40] = "", page[24] = "", *body = NULL;
	size_t len = 0;
	FILE *out;

	*oom = false;
	if (list->request.method == NULL || strcmp(list->request.method, "POST") != 0)
		return NULL;
	if (at->since_ms > 0)
		rw_time_format(at->since_ms, since, sizeof(since));
	if (pg->type == RW_JSON_PAGING_PAGE)
		snprintf(page, sizeof(page), "%ld", rw_json_page_number(pg, token));
	if ((out = open_memstream(&body, &len)) == NULL) {
		*oom = true;
		return NULL;
	}
	if (list->request.body != NULL &&
	    put_template(out, list->request.body, rw_json_paging_cursor(pg) && token ? token : "",
			 page, since, put_json_escaped) == -1) {
		fclose(out);
		free(body);
		*oom = true;
		return NULL;
	}
	if (fclose(out) != 0) {
		free(body);
		*oom = true;
		return NULL;
	}
	return body;
}

void
rw_json_url_free(char *url)
{
	wipe_free(url);
}

/* next resolved against base (a path or a full URL); caller frees. */
static char *
resolve(const char *base, const char *next)
{
	CURLU *h = curl_url();
	char *full = NULL, *copy = NULL;

	if (h == NULL)
		return NULL;
	if (curl_url_set(h, CURLUPART_URL, base, 0) == CURLUE_OK &&
	    curl_url_set(h, CURLUPART_URL, next, 0) == CURLUE_OK &&
	    curl_url_get(h, CURLUPART_URL, &full, 0) == CURLUE_OK)
		copy = strdup(full);
	curl_free(full);
	curl_url_cleanup(h);
	return copy;
}

int
rw_json_next_token(const struct rw_json_list_spec *list, const char *base_url, long page_no,
		   struct rw_page *page, bool *refused)
{
	const struct rw_json_paging *pg = &list->paging;
	char num[24];
	char *full;

	*refused = false;
	switch (pg->type) {
	case RW_JSON_PAGING_NONE:
		free(page->next);
		page->next = NULL;
		return 0;
	case RW_JSON_PAGING_CURSOR:
	case RW_JSON_PAGING_LAST_ITEM:
		return 0;
	case RW_JSON_PAGING_NEXT_URL:
		if (page->next == NULL || *page->next == '\0')
			return 0;
		full = resolve(base_url, page->next);
		if (full == NULL || !rw_json_same_origin(full, base_url)) {
			free(full);
			free(page->next);
			page->next = NULL;
			*refused = true;
			return 0;
		}
		free(page->next);
		page->next = full;
		return 0;
	case RW_JSON_PAGING_PAGE:
		free(page->next);
		page->next = NULL;
		if (pg->per_page > 0 ? page->nentries < (size_t)pg->per_page : page->nentries == 0)
			return 0;
		snprintf(num, sizeof(num), "%ld", page_no + 1);
		return (page->next = strdup(num)) == NULL ? -1 : 0;
	}
	return 0;
}

char *
rw_json_url_for_log(const char *url)
{
	size_t n = strcspn(url, "?#");
	char *s = malloc(n + 1);

	if (s != NULL) {
		memcpy(s, url, n);
		s[n] = '\0';
	}
	return s;
}
