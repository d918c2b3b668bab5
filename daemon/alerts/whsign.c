/*
 * whsign.c: Standard Webhooks signatures, "v1," + base64(HMAC-SHA256(key,
 * id "." timestamp "." body)), with OpenSSL's EVP_MAC and base64 (b64.h). The key
 * is secret material: every copy made here is wiped before it is freed.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/params.h>

#include "replywatch/b64.h"
#include "replywatch/whsign.h"

#define WHSEC_PREFIX "whsec_"
#define SHA256_LEN 32

int
rw_whsign_key(const char *secret, unsigned char **key, size_t *keylen)
{
	size_t len;

	*key = NULL;
	*keylen = 0;
	if (secret == NULL)
		return -1;
	if (strncmp(secret, WHSEC_PREFIX, strlen(WHSEC_PREFIX)) == 0) {
		const char *b64 = secret + strlen(WHSEC_PREFIX);

		if (rw_b64_decode(b64, strlen(b64), key, keylen) == -1)
			return -1;
		/* An empty key would sign with nothing. */
		if (*keylen == 0) {
			free(*key);
			*key = NULL;
			return -1;
		}
		return 0;
	}
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
