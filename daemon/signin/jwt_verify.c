/*
 * jwt_verify.c: checking a JWT's signature with a public key, for the fake
 * platforms and the tests (the daemon only signs). Only RS256 and ES256 are
 * accepted, and the key's type must match the header's alg, so neither
 * "none" nor an algorithm swapped by the token itself gets through.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

#include "replywatch/signin.h"
#include "signin_internal.h"

/* The public key in pem, or NULL. */
static EVP_PKEY *
verify_load_public(const char *pem)
{
	BIO *bio = pem ? BIO_new_mem_buf(pem, -1) : NULL;
	EVP_PKEY *pkey = bio ? PEM_read_bio_PUBKEY(bio, NULL, NULL, NULL) : NULL;

	BIO_free(bio);
	ERR_clear_error();
	return pkey;
}

/* 1 when sig (raw JOSE form) is pkey's signature of input, else 0. */
static int
verify_signature(EVP_PKEY *pkey, bool ec, const char *input, size_t len, const unsigned char *sig,
		 size_t siglen)
{
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	unsigned char *der = NULL;
	size_t derlen = siglen;
	int ok = 0;

	if (ec) {
		if (siglen != 64 || rw_jose_to_der(sig, &der, &derlen) == -1)
			goto done;
		sig = der;
	}
	ok = ctx != NULL && EVP_DigestVerifyInit(ctx, NULL, EVP_sha256(), NULL, pkey) == 1 &&
	     EVP_DigestVerify(ctx, sig, derlen, (const unsigned char *)input, len) == 1;
done:
	ERR_clear_error();
	free(der);
	EVP_MD_CTX_free(ctx);
	return ok;
}

json_t *
rw_jwt_verify(const char *jwt, const char *public_pem, char *err, size_t errlen)
{
	const char *p, *q;
	json_t *header = NULL, *claims = NULL;
	EVP_PKEY *pkey = NULL;
	unsigned char *sig = NULL;
	size_t siglen = 0;
	const char *alg;
	bool ec;

	if (jwt == NULL || (p = strchr(jwt, '.')) == NULL || (q = strchr(p + 1, '.')) == NULL ||
	    strchr(q + 1, '.') != NULL) {
		snprintf(err, errlen, "jwt: not three parts");
		return NULL;
	}
	if ((header = signin_jwt_part_json(jwt, (size_t)(p - jwt))) == NULL) {
		snprintf(err, errlen, "jwt: header is not base64url JSON");
		goto done;
	}
	alg = json_string_value(json_object_get(header, "alg"));
	if (alg == NULL || (strcmp(alg, "RS256") != 0 && strcmp(alg, "ES256") != 0)) {
		snprintf(err, errlen, "jwt: alg is not RS256 or ES256");
		goto done;
	}
	ec = strcmp(alg, "ES256") == 0;
	if ((pkey = verify_load_public(public_pem)) == NULL) {
		snprintf(err, errlen, "jwt: not a PEM public key");
		goto done;
	}
	if (!EVP_PKEY_is_a(pkey, ec ? "EC" : "RSA")) {
		snprintf(err, errlen, "jwt: alg %s does not match the key", alg);
		goto done;
	}
	if (rw_b64url_decode(q + 1, strlen(q + 1), &sig, &siglen) == -1 ||
	    !verify_signature(pkey, ec, jwt, (size_t)(q - jwt), sig, siglen)) {
		snprintf(err, errlen, "jwt: bad signature");
		goto done;
	}
	if ((claims = signin_jwt_part_json(p + 1, (size_t)(q - p - 1))) == NULL)
		snprintf(err, errlen, "jwt: payload is not base64url JSON");
done:
	free(sig);
	EVP_PKEY_free(pkey);
	json_decref(header);
	return claims;
}
