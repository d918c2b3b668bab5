/*
 * whsign.c: Standard Webhooks signatures, "v1," + base64(HMAC-SHA256(key,
 * id "." timestamp "." body)), with OpenSSL's EVP_MAC and base64. The key
 * is secret material: every copy made here is wiped before it is freed.
 */
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/params.h>

#include "replywatch/whsign.h"

#define WHSEC_PREFIX "whsec_"
#define SHA256_LEN 32

/* True for the characters of standard base64 (padding aside). */
static int
b64_char(unsigned char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
	       c == '+' || c == '/';
}

/*
 * Decodes standard base64 text (padded, or unpadded as some generators
 * write it) into a new buffer. Returns 0, or -1 when text is not base64,
 * decodes to nothing, or memory fails; nothing is left allocated then.
 */
static int
b64_decode(const char *text, unsigned char **out, size_t *outlen)
{
	size_t len = strlen(text), data = len, pad, padded;
	unsigned char *in = NULL, *raw = NULL;
	int got;

	*out = NULL;
	*outlen = 0;
	while (data > 0 && text[data - 1] == '=')
		data--;
	if (data == 0 || len - data > 2 || data % 4 == 1)
		return -1;
	for (size_t i = 0; i < data; i++)
		if (!b64_char((unsigned char)text[i]))
			return -1;
	/* Padding, when present, must make a whole number of quanta. */
	pad = (4 - data % 4) % 4;
	if (len != data && len - data != pad)
		return -1;
	padded = data + pad;
	if (padded > INT_MAX)
		return -1;
	in = malloc(padded + 1);
	raw = malloc(padded / 4 * 3 + 1);
	if (in == NULL || raw == NULL)
		goto fail;
	memcpy(in, text, data);
	memset(in + data, '=', pad);
	in[padded] = '\0';
	got = EVP_DecodeBlock(raw, in, (int)padded);
	if (got < 0 || (size_t)got < pad)
		goto fail;
	/* EVP_DecodeBlock counts a zero byte for each '=' of padding. */
	*outlen = (size_t)got - pad;
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
	return -1;
}

int
rw_whsign_key(const char *secret, unsigned char **key, size_t *keylen)
{
	size_t len;

	*key = NULL;
	*keylen = 0;
	if (secret == NULL)
		return -1;
	if (strncmp(secret, WHSEC_PREFIX, strlen(WHSEC_PREFIX)) == 0)
		return b64_decode(secret + strlen(WHSEC_PREFIX), key, keylen);
	len = strlen(secret);
	if (len == 0 || (*key = malloc(len)) == NULL)
		return -1;
	memcpy(*key, secret, len);
	*keylen = len;
	return 0;
}

int
rw_whsign(const unsigned char *key, size_t keylen, const char *id, int64_t timestamp,
	  const char *body, size_t len, char *out, size_t outlen)
{
	static const char version[] = "v1,";
	unsigned char mac[SHA256_LEN];
	char ts[24];
	size_t maclen = 0;
	EVP_MAC *hmac = NULL;
	EVP_MAC_CTX *ctx = NULL;
	OSSL_PARAM params[2];
	int rc = -1, n;

	if (out != NULL && outlen > 0)
		out[0] = '\0';
	if (out == NULL || outlen < RW_WHSIGN_MAX || key == NULL || keylen == 0 || id == NULL ||
	    (body == NULL && len > 0))
		return -1;
	n = snprintf(ts, sizeof(ts), "%" PRId64, timestamp);
	if (n < 0 || (size_t)n >= sizeof(ts))
		return -1;
	params[0] = OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, (char *)"SHA256", 0);
	params[1] = OSSL_PARAM_construct_end();
	if ((hmac = EVP_MAC_fetch(NULL, "HMAC", NULL)) == NULL ||
	    (ctx = EVP_MAC_CTX_new(hmac)) == NULL || !EVP_MAC_init(ctx, key, keylen, params))
		goto done;
	if (!EVP_MAC_update(ctx, (const unsigned char *)id, strlen(id)) ||
	    !EVP_MAC_update(ctx, (const unsigned char *)".", 1) ||
	    !EVP_MAC_update(ctx, (const unsigned char *)ts, (size_t)n) ||
	    !EVP_MAC_update(ctx, (const unsigned char *)".", 1) ||
	    (len > 0 && !EVP_MAC_update(ctx, (const unsigned char *)body, len)) ||
	    !EVP_MAC_final(ctx, mac, &maclen, sizeof(mac)) || maclen != sizeof(mac))
		goto done;
	/* "v1," + 44 base64 characters + NUL fits RW_WHSIGN_MAX. */
	memcpy(out, version, sizeof(version) - 1);
	EVP_EncodeBlock((unsigned char *)out + sizeof(version) - 1, mac, (int)maclen);
	rc = 0;
done:
	explicit_bzero(mac, sizeof(mac));
	EVP_MAC_CTX_free(ctx);
	EVP_MAC_free(hmac);
	return rc;
}
