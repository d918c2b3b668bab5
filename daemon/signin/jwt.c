/*
 * jwt.c: compact JWS/JWT signing (RS256, ES256) with EVP_DigestSign, the
 * two JWTs the review platforms want (Google's service account assertion,
 * Apple's App Store Connect token), and reading a JWT's claims unverified
 * (Bluesky's session expiry). JSON with Jansson, base64url with b64.c.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <math.h>
#include <openssl/err.h>
#include <openssl/evp.h>

#include "replywatch/signin.h"
#include "signin_internal.h"

/* Longest JWT payload decoded, in base64 characters. */
#define JWT_PAYLOAD_MAX 16384

void
signin_wipe_member(json_t *obj, const char *key)
{
	json_t *v = json_object_get(obj, key);

	if (json_is_string(v))
		explicit_bzero((char *)json_string_value(v), json_string_length(v));
}

/* Frees a string holding a secret. */
static void
jwt_wipe_free(char *s)
{
	if (s != NULL)
		explicit_bzero(s, strlen(s));
	free(s);
}

/* The raw signature of in (len bytes) into a new buffer: PKCS#1 v1.5 for
 * RSA, r||s (64 bytes) for P-256. */
static int
jwt_sign_raw(const struct rw_signin_key *key, const char *in, size_t len, unsigned char **sig,
	     size_t *siglen)
{
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	unsigned char *der = NULL;
	size_t n = 0;
	int rc = -1;

	*sig = NULL;
	*siglen = 0;
	if (ctx == NULL || EVP_DigestSignInit(ctx, NULL, EVP_sha256(), NULL, key->pkey) != 1 ||
	    EVP_DigestSign(ctx, NULL, &n, (const unsigned char *)in, len) != 1 ||
	    (der = malloc(n)) == NULL ||
	    EVP_DigestSign(ctx, der, &n, (const unsigned char *)in, len) != 1)
		goto done;
	if (key->alg == RW_JWT_RS256) {
		*sig = der;
		*siglen = n;
		der = NULL;
		rc = 0;
	} else if ((*sig = malloc(64)) != NULL) {
		if (rw_jose_from_der(der, n, *sig) == 0) {
			*siglen = 64;
			rc = 0;
		} else {
			free(*sig);
			*sig = NULL;
		}
	}
done:
	ERR_clear_error();
	free(der);
	EVP_MD_CTX_free(ctx);
	return rc;
}

char *
rw_jwt_signature(const struct rw_signin_key *key, const char *signing_input, char *err,
		 size_t errlen)
{
	unsigned char *sig = NULL;
	size_t siglen = 0;
	char *out = NULL;

	if (key == NULL || signing_input == NULL) {
		snprintf(err, errlen, "jwt: no key");
		return NULL;
	}
	if (jwt_sign_raw(key, signing_input, strlen(signing_input), &sig, &siglen) == -1 ||
	    (out = rw_b64url_encode(sig, siglen)) == NULL)
		snprintf(err, errlen, "jwt: signing failed");
	free(sig);
	return out;
}

/* base64url of a document's compact JSON (caller frees), or NULL. */
static char *
jwt_part(const json_t *doc)
{
	char *json = json_dumps(doc, JSON_COMPACT);
	char *out = json ? rw_b64url_encode(json, strlen(json)) : NULL;

	jwt_wipe_free(json);
	return out;
}

char *
rw_jwt_sign(const struct rw_signin_key *key, const char *kid, const json_t *claims, char *err,
	    size_t errlen)
{
	json_t *header = NULL;
	char *h = NULL, *p = NULL, *input = NULL, *sig = NULL, *jwt = NULL;
	size_t hlen, plen, slen;

	if (key == NULL || !json_is_object(claims)) {
		snprintf(err, errlen, "jwt: no key or claims");
		return NULL;
	}
	header = json_pack("{s:s, s:s}", "alg", key->alg == RW_JWT_RS256 ? "RS256" : "ES256", "typ",
			   "JWT");
	if (header != NULL && kid != NULL && json_object_set_new(header, "kid", json_string(kid)))
		goto oom;
	if (header == NULL || (h = jwt_part(header)) == NULL || (p = jwt_part(claims)) == NULL)
		goto oom;
	hlen = strlen(h);
	plen = strlen(p);
	if ((input = malloc(hlen + plen + 2)) == NULL)
		goto oom;
	memcpy(input, h, hlen);
	input[hlen] = '.';
	memcpy(input + hlen + 1, p, plen + 1);
	if ((sig = rw_jwt_signature(key, input, err, errlen)) == NULL)
		goto done;
	slen = strlen(sig);
	if ((jwt = malloc(hlen + plen + slen + 3)) == NULL)
		goto oom;
	memcpy(jwt, input, hlen + plen + 1);
	jwt[hlen + plen + 1] = '.';
	memcpy(jwt + hlen + plen + 2, sig, slen + 1);
	goto done;
oom:
	snprintf(err, errlen, "jwt: out of memory");
done:
	json_decref(header);
	free(h);
	jwt_wipe_free(p);
	jwt_wipe_free(input);
	free(sig);
	return jwt;
}

char *
rw_jwt_google_assertion(const struct rw_signin_key *key, const char *client_email,
			const char *scope, const char *audience, int64_t now_ms, char *err,
			size_t errlen)
{
	json_int_t now = (json_int_t)(now_ms / 1000);
	json_t *claims;
	char *jwt;

	if (client_email == NULL || scope == NULL || audience == NULL) {
		snprintf(err, errlen, "jwt: the assertion needs client_email, scope and audience");
		return NULL;
	}
	claims = json_pack("{s:s, s:s, s:s, s:I, s:I}", "iss", client_email, "scope", scope, "aud",
			   audience, "iat", now, "exp", now + RW_JWT_GOOGLE_LIFETIME_S);
	if (claims == NULL) {
		snprintf(err, errlen, "jwt: out of memory");
		return NULL;
	}
	jwt = rw_jwt_sign(key, NULL, claims, err, errlen);
	json_decref(claims);
	return jwt;
}

char *
rw_jwt_apple_token(const struct rw_signin_key *key, const char *key_id, const char *issuer_id,
		   const char *audience, int lifetime_s, int64_t now_ms, char *err, size_t errlen)
{
	json_int_t now = (json_int_t)(now_ms / 1000);
	json_t *claims;
	char *jwt;

	if (key_id == NULL || issuer_id == NULL) {
		snprintf(err, errlen, "jwt: the App Store token needs key_id and issuer_id");
		return NULL;
	}
	if (lifetime_s < 1 || lifetime_s > RW_JWT_APPLE_LIFETIME_S)
		lifetime_s = RW_JWT_APPLE_LIFETIME_S;
	claims = json_pack("{s:s, s:I, s:I, s:s}", "iss", issuer_id, "iat", now, "exp",
			   now + lifetime_s, "aud", audience ? audience : RW_JWT_APPLE_AUDIENCE);
	if (claims == NULL) {
		snprintf(err, errlen, "jwt: out of memory");
		return NULL;
	}
	jwt = rw_jwt_sign(key, key_id, claims, err, errlen);
	json_decref(claims);
	return jwt;
}

/* The decoded JSON object of a base64url JWT part of len characters. */
json_t *
signin_jwt_part_json(const char *part, size_t len)
{
	unsigned char *raw = NULL;
	size_t rawlen = 0;
	json_t *doc = NULL;

	if (len == 0 || len > JWT_PAYLOAD_MAX || rw_b64url_decode(part, len, &raw, &rawlen) == -1)
		return NULL;
	doc = json_loadb((const char *)raw, rawlen, JSON_REJECT_DUPLICATES, NULL);
	explicit_bzero(raw, rawlen);
	free(raw);
	if (!json_is_object(doc)) {
		json_decref(doc);
		return NULL;
	}
	return doc;
}

json_t *
rw_jwt_claims(const char *jwt)
{
	const char *p, *q;

	if (jwt == NULL || (p = strchr(jwt, '.')) == NULL || (q = strchr(++p, '.')) == NULL ||
	    strchr(q + 1, '.') != NULL)
		return NULL;
	return signin_jwt_part_json(p, (size_t)(q - p));
}

int64_t
rw_jwt_expiry_ms(const char *jwt)
{
	json_t *claims = rw_jwt_claims(jwt);
	const json_t *exp = json_object_get(claims, "exp");
	int64_t ms = 0;

	if (json_is_integer(exp) && json_integer_value(exp) > 0 &&
	    json_integer_value(exp) <= INT64_MAX / 1000)
		ms = (int64_t)json_integer_value(exp) * 1000;
	else if (json_is_real(exp) && isfinite(json_real_value(exp)) && json_real_value(exp) > 0 &&
		 json_real_value(exp) < 9e15)
		ms = (int64_t)(json_real_value(exp) * 1000);
	json_decref(claims);
	return ms;
}
