/*
 * key.c: private keys from PEM text for RS256 and ES256, and Google's
 * service account key file. A key that cannot serve its algorithm is
 * refused here, once, with a reason that names its type but never shows it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/bio.h>
#include <openssl/core_names.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

#include "replywatch/signin.h"
#include "signin_internal.h"

#define RSA_MIN_BITS 2048

/* Keys are never encrypted here: refuse to prompt for a passphrase (OpenSSL
 * would otherwise read one from the terminal). */
static int
key_no_passphrase(char *buf, int size, int rwflag, void *u)
{
	(void)buf;
	(void)size;
	(void)rwflag;
	(void)u;
	return -1;
}

/* 0 when pkey can sign alg, else -1 with err. */
static int
key_check(EVP_PKEY *pkey, enum rw_jwt_alg alg, char *err, size_t errlen)
{
	const char *type = EVP_PKEY_get0_type_name(pkey);
	char group[64];
	size_t glen = 0;

	if (type == NULL)
		type = "of an unknown type";
	if (alg == RW_JWT_RS256) {
		if (!EVP_PKEY_is_a(pkey, "RSA")) {
			snprintf(err, errlen, "key: RS256 needs an RSA key, this is %s", type);
			return -1;
		}
		if (EVP_PKEY_get_bits(pkey) < RSA_MIN_BITS) {
			snprintf(err, errlen, "key: RSA key of %d bits (RS256 needs %d or more)",
				 EVP_PKEY_get_bits(pkey), RSA_MIN_BITS);
			return -1;
		}
		return 0;
	}
	if (!EVP_PKEY_is_a(pkey, "EC")) {
		snprintf(err, errlen, "key: ES256 needs an EC P-256 key, this is %s", type);
		return -1;
	}
	if (!EVP_PKEY_get_utf8_string_param(pkey, OSSL_PKEY_PARAM_GROUP_NAME, group, sizeof(group),
					    &glen) ||
	    strcmp(group, "prime256v1") != 0) {
		snprintf(err, errlen,
			 "key: ES256 needs a P-256 key, this EC key is on another curve");
		return -1;
	}
	return 0;
}

struct rw_signin_key *
rw_signin_key_load(const char *pem, size_t len, enum rw_jwt_alg alg, char *err, size_t errlen)
{
	struct rw_signin_key *key = NULL;
	EVP_PKEY *pkey = NULL;
	BIO *bio = NULL;

	if (pem == NULL || len == 0 || len > INT32_MAX) {
		snprintf(err, errlen, "key: not a PEM private key");
		return NULL;
	}
	if ((bio = BIO_new_mem_buf(pem, (int)len)) == NULL) {
		snprintf(err, errlen, "key: out of memory");
		return NULL;
	}
	pkey = PEM_read_bio_PrivateKey(bio, NULL, key_no_passphrase, NULL);
	BIO_free(bio);
	/* OpenSSL's error queue names parsing steps, never key bytes; drop it so
	 * nothing later reports it as its own. */
	ERR_clear_error();
	if (pkey == NULL) {
		snprintf(err, errlen, "key: not a PEM private key (malformed or encrypted)");
		return NULL;
	}
	if (key_check(pkey, alg, err, errlen) == -1) {
		EVP_PKEY_free(pkey);
		return NULL;
	}
	if ((key = calloc(1, sizeof(*key))) == NULL) {
		snprintf(err, errlen, "key: out of memory");
		EVP_PKEY_free(pkey);
		return NULL;
	}
	key->pkey = pkey;
	key->alg = alg;
	return key;
}

void
rw_signin_key_free(struct rw_signin_key *key)
{
	if (key == NULL)
		return;
	/* EVP_PKEY_free clears the key material (BN_clear_free). */
	EVP_PKEY_free(key->pkey);
	free(key);
}

int
rw_signin_google_key(const char *json, size_t len, char **client_email, struct rw_signin_key **key,
		     char *err, size_t errlen)
{
	json_t *doc = json ? json_loadb(json, len, JSON_REJECT_DUPLICATES, NULL) : NULL;
	const char *email = json_string_value(json_object_get(doc, "client_email"));
	json_t *pk = json_object_get(doc, "private_key");
	int rc = -1;

	*client_email = NULL;
	*key = NULL;
	if (!json_is_object(doc))
		snprintf(err, errlen, "google key: not JSON");
	else if (email == NULL || *email == '\0')
		snprintf(err, errlen, "google key: no client_email");
	else if (!json_is_string(pk) || json_string_length(pk) == 0)
		snprintf(err, errlen, "google key: no private_key");
	else if ((*key = rw_signin_key_load(json_string_value(pk), json_string_length(pk),
					    RW_JWT_RS256, err, errlen)) != NULL) {
		if ((*client_email = strdup(email)) == NULL) {
			snprintf(err, errlen, "google key: out of memory");
			rw_signin_key_free(*key);
			*key = NULL;
		} else {
			rc = 0;
		}
	}
	signin_wipe_member(doc, "private_key");
	signin_wipe_member(doc, "private_key_id");
	json_decref(doc);
	return rc;
}
