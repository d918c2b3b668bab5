/*
 * fake_hook_sig.c: Standard Webhooks signature checks for the webhook
 * receiver, written for the fake alone (it shares no code with the daemon's
 * signer, so a bug in one cannot hide the same bug in the other).
 *
 * A signature is base64(HMAC-SHA256(key, id "." timestamp "." body)); the
 * webhook-signature header lists "v1,SIG" entries separated by spaces and
 * any one that matches passes. A secret "whsec_BASE64" stands for the bytes
 * BASE64 decodes to; any other secret for its own bytes.
 */
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/params.h>
#include <stdlib.h>
#include <string.h>

#include "fake.h"

#define MAC_LEN 32
#define MAC_B64_LEN 44 /* base64 of 32 bytes, with its padding */

/* True when c is in the standard base64 alphabet (not '='). */
static bool
b64_char(char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
	       c == '+' || c == '/';
}

/* Decodes standard base64 (padding optional). Returns the bytes (caller
 * frees) and their count in *len; NULL when s is not base64 or memory runs out. */
static unsigned char *
b64_decode(const char *s, size_t *len)
{
	size_t n = strlen(s), chars, padded;
	unsigned char *out = NULL;
	char *in = NULL;
	int got;

	while (n > 0 && s[n - 1] == '=')
		n--;
	for (chars = 0; chars < n; chars++) {
		if (!b64_char(s[chars]))
			return NULL;
	}
	if (n == 0 || n % 4 == 1 || n > 0x3fffffff || strlen(s) - n > 2)
		return NULL;
	padded = (n + 3) / 4 * 4;
	in = malloc(padded + 1);
	out = malloc(padded / 4 * 3 + 1);
	if (in == NULL || out == NULL)
		goto fail;
	memcpy(in, s, n);
	memset(in + n, '=', padded - n);
	in[padded] = '\0';
	got = EVP_DecodeBlock(out, (const unsigned char *)in, (int)padded);
	if (got < 0)
		goto fail;
	/* EVP_DecodeBlock counts the bytes the padding stands in for. */
	*len = (size_t)got - (padded - n);
	free(in);
	return out;
fail:
	free(in);
	free(out);
	return NULL;
}

unsigned char *
fake_hook_sig_key(const char *secret, size_t *len)
{
	unsigned char *key;

	if (strncmp(secret, "whsec_", 6) == 0)
		return b64_decode(secret + 6, len);
	*len = strlen(secret);
	key = malloc(*len + 1);
	if (key != NULL)
		memcpy(key, secret, *len + 1);
	return key;
}

/* base64 of HMAC-SHA256(key, id "." ts "." body) into out; -1 on an OpenSSL failure. */
static int
sign(const unsigned char *key, size_t keylen, const char *id, const char *ts, const char *body,
     size_t body_len, char out[MAC_B64_LEN + 1])
{
	OSSL_PARAM params[] = {
		OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, (char *)"SHA256", 0),
		OSSL_PARAM_construct_end(),
	};
	unsigned char mac[MAC_LEN];
	EVP_MAC *hmac = EVP_MAC_fetch(NULL, "HMAC", NULL);
	EVP_MAC_CTX *ctx = hmac ? EVP_MAC_CTX_new(hmac) : NULL;
	size_t maclen = 0;
	int rc = -1;

	if (ctx == NULL || EVP_MAC_init(ctx, key, keylen, params) != 1 ||
	    EVP_MAC_update(ctx, (const unsigned char *)id, strlen(id)) != 1 ||
	    EVP_MAC_update(ctx, (const unsigned char *)".", 1) != 1 ||
	    EVP_MAC_update(ctx, (const unsigned char *)ts, strlen(ts)) != 1 ||
	    EVP_MAC_update(ctx, (const unsigned char *)".", 1) != 1 ||
	    (body_len > 0 && EVP_MAC_update(ctx, (const unsigned char *)body, body_len) != 1) ||
	    EVP_MAC_final(ctx, mac, &maclen, sizeof(mac)) != 1 || maclen != MAC_LEN)
		goto done;
	if (EVP_EncodeBlock((unsigned char *)out, mac, MAC_LEN) != MAC_B64_LEN)
		goto done;
	rc = 0;
done:
	OPENSSL_cleanse(mac, sizeof(mac));
	EVP_MAC_CTX_free(ctx);
	EVP_MAC_free(hmac);
	return rc;
}

enum fake_hook_sig
fake_hook_sig_check(const unsigned char *key, size_t keylen, const char *id, const char *ts,
		    const char *sigs, const char *body, size_t body_len)
{
	char want[MAC_B64_LEN + 1];
	enum fake_hook_sig result = FAKE_SIG_INVALID;

	if (key == NULL)
		return FAKE_SIG_UNCHECKED;
	if (id == NULL || ts == NULL || sigs == NULL)
		return FAKE_SIG_MISSING;
	if (sign(key, keylen, id, ts, body ? body : "", body_len, want) == -1)
		return FAKE_SIG_INVALID;
	/* Entries are separated by spaces; a trailing comma comes from joining
	 * repeated headers (base64 never holds a comma). */
	for (const char *s = sigs; *s != '\0';) {
		size_t n;

		s += strspn(s, " \t");
		n = strcspn(s, " \t");
		while (n > 0 && s[n - 1] == ',')
			n--;
		if (n == 3 + MAC_B64_LEN && strncmp(s, "v1,", 3) == 0 &&
		    CRYPTO_memcmp(s + 3, want, MAC_B64_LEN) == 0)
			result = FAKE_SIG_VALID;
		s += strcspn(s, " \t");
	}
	return result;
}

const char *
fake_hook_sig_name(enum fake_hook_sig s)
{
	switch (s) {
	case FAKE_SIG_VALID:
		return "valid";
	case FAKE_SIG_INVALID:
		return "invalid";
	case FAKE_SIG_MISSING:
		return "missing";
	default:
		return "unchecked";
	}
}

bool
fake_hook_ts_fresh(const char *ts, int64_t now_ms)
{
	long long t, now = now_ms / 1000;
	char *end;

	if (ts == NULL || *ts < '0' || *ts > '9')
		return false;
	t = strtoll(ts, &end, 10);
	if (*end != '\0' || t > now + 300 || t < now - 300)
		return false;
	return true;
}
