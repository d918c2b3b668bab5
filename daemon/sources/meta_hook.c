/*
 * meta_hook.c: Meta's webhook handshake and signature (X-Hub-Signature-256:
 * "sha256=" + hex HMAC-SHA256 of the raw body keyed with the app secret),
 * and the facebook and instagram entries of the webhook table (hooks.h).
 * The parser of a delivery is meta_hook_parse.c.
 */
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "replywatch/hooks.h"
#include "replywatch/secret.h"
#include "replywatch/sources/meta_hook.h"

#define SIG_PREFIX "sha256="
#define SHA256_LEN 32

bool
rw_meta_id_valid(const char *id)
{
	size_t len = id ? strlen(id) : 0;

	if (len == 0 || len > RW_META_ID_MAX || id[0] == '_' || id[len - 1] == '_')
		return false;
	for (size_t i = 0; i < len; i++) {
		if (id[i] == '_' && id[i + 1] == '_')
			return false;
		if (id[i] != '_' && (id[i] < '0' || id[i] > '9'))
			return false;
	}
	return true;
}

static bool
meta_challenge_valid(const char *c)
{
	size_t len = c ? strlen(c) : 0;

	if (len == 0 || len > RW_META_CHALLENGE_MAX)
		return false;
	for (size_t i = 0; i < len; i++) {
		char ch = c[i];

		if (!((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
		      (ch >= '0' && ch <= '9') || ch == '-' || ch == '_' || ch == '.'))
			return false;
	}
	return true;
}

const char *
rw_meta_hook_challenge(const char *mode, const char *token, const char *challenge,
		       const struct rw_secret *verify_token)
{
	if (mode == NULL || strcmp(mode, "subscribe") != 0 || token == NULL ||
	    verify_token == NULL || !rw_secret_matches(verify_token, token, strlen(token)) ||
	    !meta_challenge_valid(challenge))
		return NULL;
	return challenge;
}

/* HMAC-SHA256 of body with the app secret into mac. 0 or -1. */
static int
meta_hmac(const char *secret, size_t secretlen, const char *body, size_t len,
	  unsigned char mac[SHA256_LEN])
{
	unsigned int maclen = 0;

	if (secret == NULL || secretlen == 0 || (body == NULL && len > 0))
		return -1;
	if (HMAC(EVP_sha256(), secret, (int)secretlen, (const unsigned char *)(body ? body : ""),
		 len, mac, &maclen) == NULL ||
	    maclen != SHA256_LEN)
		return -1;
	return 0;
}

static int
hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

bool
rw_meta_hook_signature_ok(const char *app_secret, size_t secretlen, const char *header,
			  const char *body, size_t len)
{
	unsigned char want[SHA256_LEN], got[SHA256_LEN];
	const char *hex;
	bool ok;

	if (header == NULL || strncmp(header, SIG_PREFIX, strlen(SIG_PREFIX)) != 0)
		return false;
	hex = header + strlen(SIG_PREFIX);
	if (strlen(hex) != 2 * SHA256_LEN)
		return false;
	for (size_t i = 0; i < SHA256_LEN; i++) {
		int hi = hexval(hex[2 * i]), lo = hexval(hex[2 * i + 1]);

		if (hi < 0 || lo < 0)
			return false;
		got[i] = (unsigned char)(hi << 4 | lo);
	}
	if (meta_hmac(app_secret, secretlen, body, len, want) == -1)
		return false;
	ok = CRYPTO_memcmp(want, got, SHA256_LEN) == 0;
	OPENSSL_cleanse(want, sizeof(want));
	return ok;
}

int
rw_meta_hook_sign(const char *app_secret, size_t secretlen, const char *body, size_t len, char *out,
		  size_t outlen)
{
	static const char digits[] = "0123456789abcdef";
	unsigned char mac[SHA256_LEN];
	size_t n = strlen(SIG_PREFIX);

	if (out == NULL || outlen < RW_META_SIGNATURE_MAX)
		return -1;
	out[0] = '\0';
	if (meta_hmac(app_secret, secretlen, body, len, mac) == -1)
		return -1;
	memcpy(out, SIG_PREFIX, n);
	for (size_t i = 0; i < SHA256_LEN; i++) {
		out[n++] = digits[mac[i] >> 4];
		out[n++] = digits[mac[i] & 15];
	}
	out[n] = '\0';
	OPENSSL_cleanse(mac, sizeof(mac));
	return 0;
}

/* ---- the table entries ---- */

static const char *
meta_handshake(const struct rw_source_config *src, rw_header_lookup_fn *query, void *arg)
{
	return rw_meta_hook_challenge(query(arg, "hub.mode"), query(arg, "hub.verify_token"),
				      query(arg, "hub.challenge"),
				      rw_source_param_secret(src, "verify_token"));
}

static bool
meta_verify(const struct rw_source_config *src, const char *signature, const char *body, size_t len)
{
	const struct rw_secret *s = rw_source_param_secret(src, "app_secret");

	return s != NULL && rw_meta_hook_signature_ok(rw_secret_value(s), rw_secret_len(s),
						      signature, body, len);
}

static int
facebook_hook_parse(const struct rw_source_config *src, const char *body, size_t len,
		    int64_t received_ms, struct rw_hook_batch *out, char *err, size_t errlen)
{
	return rw_meta_hook_parse(body, len, RW_META_PAGE, rw_source_param_string(src, "page_id"),
				  received_ms, out, err, errlen);
}

static int
instagram_hook_parse(const struct rw_source_config *src, const char *body, size_t len,
		     int64_t received_ms, struct rw_hook_batch *out, char *err, size_t errlen)
{
	return rw_meta_hook_parse(body, len, RW_META_INSTAGRAM,
				  rw_source_param_string(src, "user_id"), received_ms, out, err,
				  errlen);
}

const struct rw_hook_platform rw_facebook_hook = {
	.type = RW_SOURCE_FACEBOOK,
	.signature_header = "X-Hub-Signature-256",
	.secret_param = "app_secret",
	.handshake = meta_handshake,
	.verify = meta_verify,
	.parse = facebook_hook_parse,
};

const struct rw_hook_platform rw_instagram_hook = {
	.type = RW_SOURCE_INSTAGRAM,
	.signature_header = "X-Hub-Signature-256",
	.secret_param = "app_secret",
	.handshake = meta_handshake,
	.verify = meta_verify,
	.parse = instagram_hook_parse,
};
