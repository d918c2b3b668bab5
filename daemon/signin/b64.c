/*
 * b64.c: base64 and base64url (RFC 4648) with OpenSSL's block codec.
 * OpenSSL only knows the standard alphabet with padding, so base64url is
 * translated to it (and back) here; everything else is OpenSSL's.
 */
#include <limits.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "replywatch/b64.h"

/* Larger inputs are refused: EVP's block functions count in int. */
#define B64_MAX_BYTES (1u << 30)

static char *
b64_encode_alphabet(const void *data, size_t len, bool url)
{
	size_t cap;
	char *out;
	int n;

	if (len > B64_MAX_BYTES || (data == NULL && len > 0))
		return NULL;
	cap = (len + 2) / 3 * 4 + 1;
	if ((out = malloc(cap)) == NULL)
		return NULL;
	n = EVP_EncodeBlock((unsigned char *)out, data, (int)len);
	if (n < 0) {
		free(out);
		return NULL;
	}
	out[n] = '\0';
	if (url) {
		for (int i = 0; i < n; i++) {
			if (out[i] == '+')
				out[i] = '-';
			else if (out[i] == '/')
				out[i] = '_';
		}
		while (n > 0 && out[n - 1] == '=')
			out[--n] = '\0';
	}
	return out;
}

char *
rw_b64_encode(const void *data, size_t len)
{
	return b64_encode_alphabet(data, len, false);
}

char *
rw_b64url_encode(const void *data, size_t len)
{
	return b64_encode_alphabet(data, len, true);
}

/* The standard-alphabet character for c, or 0 when c is not in the
 * alphabet asked for. */
static char
b64_standard_char(char c, bool url)
{
	if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'))
		return c;
	if (url)
		return c == '-' ? '+' : c == '_' ? '/' : 0;
	return c == '+' || c == '/' ? c : 0;
}

static int
b64_decode_alphabet(const char *text, size_t len, bool url, unsigned char **out, size_t *outlen)
{
	size_t data = len, pad, padded;
	unsigned char *in = NULL, *raw = NULL;
	int got;

	*out = NULL;
	*outlen = 0;
	if (text == NULL && len > 0)
		return -1;
	while (data > 0 && text[data - 1] == '=')
		data--;
	pad = (4 - data % 4) % 4;
	/* One character left over is no byte; padding must complete a quantum. */
	if (data % 4 == 1 || (len != data && len - data != pad) || data > B64_MAX_BYTES)
		return -1;
	padded = data + pad;
	if ((in = malloc(padded + 1)) == NULL || (raw = malloc(padded / 4 * 3 + 1)) == NULL)
		goto fail;
	for (size_t i = 0; i < data; i++) {
		if ((in[i] = (unsigned char)b64_standard_char(text[i], url)) == 0)
			goto fail;
	}
	memset(in + data, '=', pad);
	in[padded] = '\0';
	got = padded ? EVP_DecodeBlock(raw, in, (int)padded) : 0;
	/* EVP_DecodeBlock counts a zero byte for each '=' of padding. */
	if (got < 0 || (size_t)got < pad)
		goto fail;
	*outlen = (size_t)got - pad;
	raw[*outlen] = '\0';
	*out = raw;
	explicit_bzero(in, padded);
	free(in);
	return 0;
fail:
	if (in != NULL)
		explicit_bzero(in, padded);
	if (raw != NULL)
		explicit_bzero(raw, padded / 4 * 3 + 1);
	free(in);
	free(raw);
	*outlen = 0;
	return -1;
}

int
rw_b64_decode(const char *text, size_t len, unsigned char **out, size_t *outlen)
{
	return b64_decode_alphabet(text, len, false, out, outlen);
}

int
rw_b64url_decode(const char *text, size_t len, unsigned char **out, size_t *outlen)
{
	return b64_decode_alphabet(text, len, true, out, outlen);
}
