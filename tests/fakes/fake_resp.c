/*
 * fake_resp.c: building one answer (status, body, headers) and the
 * platforms' error bodies (each its descriptor's error hook).
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "fake.h"

static const char oom_body[] = "{\"error\":\"out of memory\"}";

static void
set_body(struct fake_resp *r, unsigned status, const char *ctype, char *body, size_t len)
{
	free(r->body);
	r->status = status;
	r->content_type = ctype;
	r->body = body;
	r->len = len;
	if (body == NULL) {
		r->status = 500;
		r->content_type = "application/json";
		r->body = strdup(oom_body);
		r->len = r->body ? strlen(r->body) : 0;
	}
}

void
fake_resp_json(struct fake_resp *r, unsigned status, json_t *value)
{
	char *s = NULL;

	if (value != NULL)
		s = json_dumps(value, JSON_COMPACT | JSON_ENCODE_ANY);
	json_decref(value);
	set_body(r, status, "application/json; charset=utf-8", s, s ? strlen(s) : 0);
}

void
fake_resp_text(struct fake_resp *r, unsigned status, const char *ctype, const char *text)
{
	char *s = strdup(text);

	set_body(r, status, ctype, s, s ? strlen(s) : 0);
}

void
fake_resp_header(struct fake_resp *r, const char *name, const char *fmt, ...)
{
	struct fake_header *h = NULL;
	va_list ap;
	char *value;
	int n;

	va_start(ap, fmt);
	n = vasprintf(&value, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	for (size_t i = 0; i < r->nheaders; i++) {
		if (strcasecmp(r->headers[i].name, name) == 0)
			h = &r->headers[i];
	}
	if (h != NULL) {
		free(h->value);
		h->value = value;
		return;
	}
	if (r->nheaders == FAKE_MAX_HEADERS) {
		free(value);
		return;
	}
	h = &r->headers[r->nheaders];
	h->name = strdup(name);
	if (h->name == NULL) {
		free(value);
		return;
	}
	h->value = value;
	r->nheaders++;
}

void
fake_resp_error(struct fake_resp *r, enum fake_platform p, unsigned status, const char *name,
		const char *msg)
{
	fake_platforms[p]->error(r, status, name, msg);
}

void
fake_resp_clear(struct fake_resp *r)
{
	free(r->body);
	for (size_t i = 0; i < r->nheaders; i++) {
		free(r->headers[i].name);
		free(r->headers[i].value);
	}
	memset(r, 0, sizeof(*r));
}
