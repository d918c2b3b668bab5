/*
 * utf8.c: validating and cutting UTF-8 text (RFC 3629).
 */
#include <stdint.h>
#include <string.h>

#include "replywatch/utf8.h"

/* Length of the valid sequence at s[0..len), or 0 when it is not one. */
static size_t
sequence(const unsigned char *s, size_t len)
{
	uint32_t cp;
	size_t n;

	if (s[0] < 0x80)
		return s[0] != 0;
	if (s[0] >= 0xc2 && s[0] <= 0xdf) {
		n = 2;
		cp = s[0] & 0x1f;
	} else if (s[0] >= 0xe0 && s[0] <= 0xef) {
		n = 3;
		cp = s[0] & 0x0f;
	} else if (s[0] >= 0xf0 && s[0] <= 0xf4) {
		n = 4;
		cp = s[0] & 0x07;
	} else {
		return 0;
	}
	if (len < n)
		return 0;
	for (size_t i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (s[i] & 0x3f);
	}
	if ((n == 3 && cp < 0x800) || (n == 4 && (cp < 0x10000 || cp > 0x10ffff)) ||
	    (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return n;
}

bool
rw_utf8_valid(const char *s, size_t len)
{
	const unsigned char *p = (const unsigned char *)s;

	for (size_t i = 0; i < len;) {
		size_t n = sequence(p + i, len - i);

		if (n == 0)
			return false;
		i += n;
	}
	return true;
}

size_t
rw_utf8_clean(char *dst, size_t dstlen, const char *src, size_t srclen)
{
	const unsigned char *p = (const unsigned char *)src;
	size_t out = 0;

	for (size_t i = 0; i < srclen;) {
		size_t n = sequence(p + i, srclen - i);

		if (n == 0 || (n == 1 && (p[i] < 0x20 || p[i] == 0x7f) && p[i] != '\t')) {
			if (out + 1 >= dstlen)
				break;
			dst[out++] = '?';
			i += n == 0 ? 1 : n;
			continue;
		}
		if (out + n >= dstlen)
			break;
		memcpy(dst + out, p + i, n);
		out += n;
		i += n;
	}
	dst[out] = '\0';
	return out;
}
