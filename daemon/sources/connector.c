/*
 * connector.c: what connectors share: cursor and header checks, URL building.
 */
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "replywatch/connector.h"

bool
rw_cursor_digits(const char *s, size_t max)
{
	size_t n = s ? strlen(s) : 0;

	return n > 0 && n <= max && strspn(s, "0123456789") == n;
}

bool
rw_cursor_token_ok(const char *s)
{
	size_t n = 0;

	if (s == NULL)
		return false;
	for (; s[n] != '\0'; n++)
		if ((unsigned char)s[n] <= 0x20 || (unsigned char)s[n] >= 0x7f ||
		    n >= RW_CURSOR_TOKEN_MAX)
			return false;
	return n > 0;
}

bool
rw_header_value_ok(const char *s)
{
	if (s == NULL || *s == '\0')
		return false;
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 || (unsigned char)*s >= 0x7f)
			return false;
	return true;
}

bool
rw_jwt_ok(const char *s)
{
	size_t n = s ? strlen(s) : 0;
	bool dot_ok = false; /* no leading dot, no two in a row */

	if (n == 0 || s[n - 1] == '.')
		return false;
	for (; *s; s++) {
		char c = *s;

		if (c == '.') {
			if (!dot_ok)
				return false;
			dot_ok = false;
		} else if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
			   (c >= '0' && c <= '9') || c == '-' || c == '_') {
			dot_ok = true;
		} else {
			return false;
		}
	}
	return true;
}

char *
rw_bearer_header(const char *token)
{
	char *h;

	return asprintf(&h, "Authorization: Bearer %s", token) < 0 ? NULL : h;
}

void
rw_bearer_free(char *header)
{
	if (header == NULL)
		return;
	explicit_bzero(header, strlen(header));
	free(header);
}

/* Appends s to the stream, percent-encoding all but RFC 3986 unreserved
 * characters when escape is set. */
static void
put(FILE *out, const char *s, int escape)
{
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (!escape || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		    (c >= '0' && c <= '9') || c == '-' || c == '.' || c == '_' || c == '~')
			fputc(c, out);
		else
			fprintf(out, "%%%02X", c);
	}
}

char *
rw_url_build(const char *base, const char *path, ...)
{
	char *url = NULL;
	size_t len = 0, blen = strlen(base);
	FILE *out = open_memstream(&url, &len);
	const char *name;
	char sep = '?';
	va_list ap;

	if (out == NULL)
		return NULL;
	while (blen > 0 && base[blen - 1] == '/')
		blen--;
	fwrite(base, 1, blen, out);
	put(out, path, 0);
	va_start(ap, path);
	while ((name = va_arg(ap, const char *)) != NULL) {
		const char *value = va_arg(ap, const char *);

		if (value == NULL)
			continue;
		fputc(sep, out);
		sep = '&';
		put(out, name, 1);
		fputc('=', out);
		put(out, value, 1);
	}
	va_end(ap);
	if (fclose(out) != 0) {
		free(url);
		return NULL;
	}
	return url;
}
