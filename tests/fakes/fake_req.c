/*
 * fake_req.c: one request's target split into path, raw query and decoded
 * parameters (repeated keys kept in order, as "types[]=a&types[]=b"), and
 * its bearer token.
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "fake.h"

/* A percent-decoded copy of n bytes of s ('+' is a space), NULL when out of memory. */
static char *
decode(const char *s, size_t n)
{
	char *out = malloc(n + 1);
	size_t o = 0;

	if (out == NULL)
		return NULL;
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '%' && i + 2 < n && fake_hexval(s[i + 1]) >= 0 &&
		    fake_hexval(s[i + 2]) >= 0) {
			out[o++] = (char)(fake_hexval(s[i + 1]) << 4 | fake_hexval(s[i + 2]));
			i += 2;
		} else if (s[i] == '+') {
			out[o++] = ' ';
		} else {
			out[o++] = s[i];
		}
	}
	out[o] = '\0';
	return out;
}

/* Adds one "key=value" pair of n bytes. */
static int
add_pair(struct fake_req *req, const char *s, size_t n)
{
	const char *eq = memchr(s, '=', n);
	size_t klen = eq ? (size_t)(eq - s) : n;
	struct fake_param *p;

	if (n == 0)
		return 0;
	p = realloc(req->params, (req->nparams + 1) * sizeof(*p));
	if (p == NULL)
		return -1;
	req->params = p;
	p = &req->params[req->nparams];
	p->key = decode(s, klen);
	p->value = eq ? decode(eq + 1, n - klen - 1) : strdup("");
	if (p->key == NULL || p->value == NULL) {
		free(p->key);
		free(p->value);
		return -1;
	}
	req->nparams++;
	return 0;
}

int
fake_req_parse_uri(struct fake_req *req)
{
	const char *q = strchr(req->uri, '?');
	size_t plen = q ? (size_t)(q - req->uri) : strlen(req->uri);

	req->path = strndup(req->uri, plen);
	req->query = strdup(q ? q + 1 : "");
	if (req->path == NULL || req->query == NULL)
		return -1;
	for (const char *s = req->query; *s != '\0';) {
		size_t n = strcspn(s, "&");

		if (add_pair(req, s, n) == -1)
			return -1;
		s += n;
		if (*s == '&')
			s++;
	}
	return 0;
}

void
fake_req_free(struct fake_req *req)
{
	if (req == NULL)
		return;
	for (size_t i = 0; i < req->nparams; i++) {
		free(req->params[i].key);
		free(req->params[i].value);
	}
	free(req->params);
	free(req->uri);
	free(req->path);
	free(req->query);
	free(req->body);
	free(req);
}

const char *
fake_param_nth(const struct fake_req *req, const char *key, size_t n)
{
	for (size_t i = 0; i < req->nparams; i++) {
		if (strcmp(req->params[i].key, key) == 0 && n-- == 0)
			return req->params[i].value;
	}
	return NULL;
}

const char *
fake_param(const struct fake_req *req, const char *key)
{
	return fake_param_nth(req, key, 0);
}

const char *
fake_req_bearer(const struct fake_req *req)
{
	const char *a = req->authorization;

	if (a == NULL)
		return NULL;
	if (strncasecmp(a, "Bearer ", 7) != 0)
		return "";
	a += 7;
	while (*a == ' ')
		a++;
	return a;
}
