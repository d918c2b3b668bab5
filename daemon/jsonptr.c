/*
 * jsonptr.c: RFC 6901 JSON Pointer, compiled once, evaluated on Jansson
 * documents (jsonptr.h).
 */
#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "replywatch/jsonptr.h"
#include "replywatch/log.h"

/* Bytes of a token quoted in an error text. */
#define QUOTE_MAX 40

static void RW_PRINTF(3, 4) seterr(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (errlen == 0)
		return;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
}

/* tok (len bytes) as a short quoted string: bytes outside printable ASCII,
 * quotes and backslashes become \xHH, so a message stays one clean line. */
static const char *
quote(char *out, size_t outlen, const char *tok, size_t len)
{
	size_t o = 0;

	out[o++] = '"';
	for (size_t i = 0; i < len && o + 8 < outlen; i++) {
		unsigned char c = (unsigned char)tok[i];

		if (i == QUOTE_MAX) {
			memcpy(out + o, "...", 3);
			o += 3;
			break;
		}
		if (c < 0x20 || c >= 0x7f || c == '"' || c == '\\')
			o += (size_t)snprintf(out + o, outlen - o, "\\x%02x", c);
		else
			out[o++] = (char)c;
	}
	out[o++] = '"';
	out[o] = '\0';
	return out;
}

/*
 * Walks text's tokens, checking escapes; with tokens non-NULL, stores each
 * unescaped token (owned). Returns the number of tokens, or -1 with err set
 * (or -2 on allocation failure).
 */
static long
scan(const char *text, char **tokens, char *err, size_t errlen)
{
	char q[QUOTE_MAX * 4 + 16];
	long n = 0;

	if (strlen(text) > RW_JSONPTR_MAX) {
		seterr(err, errlen, "longer than %d bytes", RW_JSONPTR_MAX);
		return -1;
	}
	if (*text == '\0')
		return 0;
	if (*text != '/') {
		seterr(err, errlen, "does not start with \"/\" (use \"\" for the whole document)");
		return -1;
	}
	for (const char *p = text; *p == '/'; n++) {
		const char *start = ++p;
		char *out = NULL;
		size_t len = strcspn(start, "/"), o = 0;

		if (tokens != NULL && (out = tokens[n] = malloc(len + 1)) == NULL)
			return -2;
		for (size_t i = 0; i < len; i++) {
			char c = start[i];

			if (c == '~') {
				if (i + 1 >= len || (start[i + 1] != '0' && start[i + 1] != '1')) {
					seterr(err, errlen, "bad escape %s at token %ld",
					       quote(q, sizeof(q), start + i, i + 1 < len ? 2 : 1),
					       n + 1);
					return -1;
				}
				c = start[++i] == '0' ? '~' : '/';
			}
			if (out != NULL)
				out[o++] = c;
		}
		if (out != NULL)
			out[o] = '\0';
		p = start + len;
	}
	return n;
}

bool
rw_jsonptr_valid(const char *text, char *err, size_t errlen)
{
	return text != NULL && scan(text, NULL, err, errlen) >= 0;
}

void
rw_jsonptr_clear(struct rw_jsonptr *ptr)
{
	for (size_t i = 0; i < ptr->ntokens; i++)
		free(ptr->tokens[i]);
	free(ptr->tokens);
	free(ptr->text);
	memset(ptr, 0, sizeof(*ptr));
}

int
rw_jsonptr_compile(struct rw_jsonptr *ptr, const char *text, char *err, size_t errlen)
{
	long n = scan(text, NULL, err, errlen);

	memset(ptr, 0, sizeof(*ptr));
	if (n < 0)
		return -1;
	if ((ptr->text = strdup(text)) == NULL)
		goto nomem;
	if (n > 0 && (ptr->tokens = calloc((size_t)n, sizeof(*ptr->tokens))) == NULL)
		goto nomem;
	ptr->ntokens = (size_t)n; /* so a partial scan frees what it stored */
	if (n > 0 && scan(text, ptr->tokens, err, errlen) != n)
		goto nomem;
	return 0;
nomem:
	rw_jsonptr_clear(ptr);
	seterr(err, errlen, "out of memory");
	return -1;
}

bool
rw_jsonptr_set(const struct rw_jsonptr *ptr)
{
	return ptr != NULL && ptr->text != NULL;
}

/* The index tok names in an array of size n: decimal, no leading zeros, no
 * sign. Returns 0, or -1 with why set. */
static int
array_index(const char *tok, size_t n, size_t *index, const char **why)
{
	size_t len = strlen(tok);
	unsigned long long v;
	char *end;

	if (strcmp(tok, "-") == 0) {
		*why = "\"-\" names no element";
		return -1;
	}
	if (len == 0 || strspn(tok, "0123456789") != len || (tok[0] == '0' && len > 1)) {
		*why = "not an array index";
		return -1;
	}
	errno = 0;
	v = strtoull(tok, &end, 10);
	if (errno != 0 || v >= n) {
		*why = "index out of range";
		return -1;
	}
	*index = (size_t)v;
	return 0;
}

static const char *
type_name(const json_t *v)
{
	switch (json_typeof(v)) {
	case JSON_STRING:
		return "a string";
	case JSON_INTEGER:
	case JSON_REAL:
		return "a number";
	case JSON_TRUE:
	case JSON_FALSE:
		return "a boolean";
	default:
		return "null";
	}
}

json_t *
rw_jsonptr_get(const struct rw_jsonptr *ptr, const json_t *doc, char *err, size_t errlen)
{
	char q[QUOTE_MAX * 4 + 16];
	json_t *v = (json_t *)doc;

	if (doc == NULL) {
		seterr(err, errlen, "no document");
		return NULL;
	}
	for (size_t i = 0; i < ptr->ntokens; i++) {
		const char *tok = ptr->tokens[i], *why;
		size_t index;

		quote(q, sizeof(q), tok, strlen(tok));
		if (json_is_object(v)) {
			if ((v = json_object_get(v, tok)) == NULL) {
				seterr(err, errlen, "token %zu %s: no such member", i + 1, q);
				return NULL;
			}
		} else if (json_is_array(v)) {
			if (array_index(tok, json_array_size(v), &index, &why) == -1) {
				seterr(err, errlen, "token %zu %s: %s (array of %zu)", i + 1, q,
				       why, json_array_size(v));
				return NULL;
			}
			v = json_array_get(v, index);
		} else {
			seterr(err, errlen, "token %zu %s: cannot go into %s", i + 1, q,
			       type_name(v));
			return NULL;
		}
	}
	return v;
}
