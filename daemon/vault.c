/*
 * vault.c: AES-256-GCM sealing of small secrets under a key derived with
 * HKDF-SHA256 (vault.h).
 */
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/kdf.h>
#include <openssl/rand.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "replywatch/b64.h"
#include "replywatch/vault.h"

struct rw_vault {
	unsigned char key[RW_VAULT_KEY_LEN];
};

#define HEAD_LEN (1 + RW_VAULT_NONCE_LEN)

int
rw_vault_hkdf(const void *ikm, size_t ikmlen, const void *salt, size_t saltlen, const void *info,
	      size_t infolen, unsigned char *out, size_t outlen)
{
	EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_id(EVP_PKEY_HKDF, NULL);
	size_t n = outlen;
	int r = -1;

	if (ctx == NULL || EVP_PKEY_derive_init(ctx) <= 0 ||
	    EVP_PKEY_CTX_set_hkdf_md(ctx, EVP_sha256()) <= 0 ||
	    EVP_PKEY_CTX_set1_hkdf_key(ctx, ikm, (int)ikmlen) <= 0)
		goto done;
	if (saltlen > 0 && EVP_PKEY_CTX_set1_hkdf_salt(ctx, salt, (int)saltlen) <= 0)
		goto done;
	if (infolen > 0 && EVP_PKEY_CTX_add1_hkdf_info(ctx, info, (int)infolen) <= 0)
		goto done;
	if (EVP_PKEY_derive(ctx, out, &n) <= 0 || n != outlen)
		goto done;
	r = 0;
done:
	EVP_PKEY_CTX_free(ctx);
	if (r == -1)
		OPENSSL_cleanse(out, outlen);
	return r;
}

struct rw_vault *
rw_vault_new(const void *secret, size_t len, char *err, size_t errlen)
{
	struct rw_vault *v;

	if (secret == NULL || len == 0) {
		snprintf(err, errlen, "secrets_key is empty");
		return NULL;
	}
	if (len > INT32_MAX || (v = calloc(1, sizeof(*v))) == NULL) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	if (rw_vault_hkdf(secret, len, NULL, 0, RW_VAULT_INFO, strlen(RW_VAULT_INFO), v->key,
			  sizeof(v->key)) == -1) {
		snprintf(err, errlen, "vault: key derivation failed");
		free(v);
		return NULL;
	}
	return v;
}

void
rw_vault_free(struct rw_vault *v)
{
	if (v == NULL)
		return;
	OPENSSL_cleanse(v->key, sizeof(v->key));
	free(v);
}

void
rw_vault_wipe_free(void *p, size_t len)
{
	if (p == NULL)
		return;
	OPENSSL_cleanse(p, len);
	free(p);
}

/* version || context: what the tag authenticates besides the ciphertext. */
static int
vault_aad(EVP_CIPHER_CTX *ctx, const char *context)
{
	unsigned char version = RW_VAULT_VERSION;
	int n;

	if (EVP_EncryptUpdate(ctx, NULL, &n, &version, 1) <= 0)
		return -1;
	return EVP_EncryptUpdate(ctx, NULL, &n, (const unsigned char *)context,
				 (int)strlen(context)) <= 0
		       ? -1
		       : 0;
}

static int
vault_aad_dec(EVP_CIPHER_CTX *ctx, const char *context)
{
	unsigned char version = RW_VAULT_VERSION;
	int n;

	if (EVP_DecryptUpdate(ctx, NULL, &n, &version, 1) <= 0)
		return -1;
	return EVP_DecryptUpdate(ctx, NULL, &n, (const unsigned char *)context,
				 (int)strlen(context)) <= 0
		       ? -1
		       : 0;
}

char *
rw_vault_seal(const struct rw_vault *v, const char *context, const void *plain, size_t len,
	      char *err, size_t errlen)
{
	EVP_CIPHER_CTX *ctx = NULL;
	unsigned char *buf = NULL;
	size_t total = HEAD_LEN + len + RW_VAULT_TAG_LEN;
	char *text = NULL;
	int n, fin;

	if (len > RW_VAULT_MAX_PLAIN || context == NULL) {
		snprintf(err, errlen, "vault: secret too large");
		return NULL;
	}
	if ((buf = malloc(total)) == NULL || (ctx = EVP_CIPHER_CTX_new()) == NULL) {
		snprintf(err, errlen, "out of memory");
		goto done;
	}
	buf[0] = RW_VAULT_VERSION;
	if (RAND_bytes(buf + 1, RW_VAULT_NONCE_LEN) != 1 ||
	    EVP_EncryptInit_ex(ctx, EVP_aes_256_gcm(), NULL, NULL, NULL) <= 0 ||
	    EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_SET_IVLEN, RW_VAULT_NONCE_LEN, NULL) <= 0 ||
	    EVP_EncryptInit_ex(ctx, NULL, NULL, v->key, buf + 1) <= 0 ||
	    vault_aad(ctx, context) == -1 ||
	    EVP_EncryptUpdate(ctx, buf + HEAD_LEN, &n, plain, (int)len) <= 0 ||
	    EVP_EncryptFinal_ex(ctx, buf + HEAD_LEN + n, &fin) <= 0 ||
	    EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_GET_TAG, RW_VAULT_TAG_LEN,
				buf + HEAD_LEN + len) <= 0) {
		snprintf(err, errlen, "vault: encryption failed");
		goto done;
	}
	if ((text = rw_b64_encode(buf, total)) == NULL)
		snprintf(err, errlen, "out of memory");
done:
	EVP_CIPHER_CTX_free(ctx);
	free(buf); /* ciphertext only: nothing to wipe */
	return text;
}

int
rw_vault_open(const struct rw_vault *v, const char *context, const char *text, char **plain,
	      size_t *len, char *err, size_t errlen)
{
	EVP_CIPHER_CTX *ctx = NULL;
	unsigned char *raw = NULL, *out = NULL;
	size_t rawlen = 0, clen = 0;
	int n = 0, fin = 0, r = -1;

	*plain = NULL;
	*len = 0;
	if (text == NULL || rw_b64_decode(text, strlen(text), &raw, &rawlen) == -1) {
		snprintf(err, errlen, "vault: not base64");
		return -1;
	}
	if (rawlen < 1 || raw[0] != RW_VAULT_VERSION) {
		snprintf(err, errlen, "vault: unknown version");
		goto done;
	}
	if (rawlen < HEAD_LEN + RW_VAULT_TAG_LEN ||
	    (clen = rawlen - HEAD_LEN - RW_VAULT_TAG_LEN) > RW_VAULT_MAX_PLAIN) {
		snprintf(err, errlen, "vault: too short");
		goto done;
	}
	if ((out = malloc(clen + 1)) == NULL || (ctx = EVP_CIPHER_CTX_new()) == NULL) {
		snprintf(err, errlen, "out of memory");
		goto done;
	}
	if (EVP_DecryptInit_ex(ctx, EVP_aes_256_gcm(), NULL, NULL, NULL) <= 0 ||
	    EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_SET_IVLEN, RW_VAULT_NONCE_LEN, NULL) <= 0 ||
	    EVP_DecryptInit_ex(ctx, NULL, NULL, v->key, raw + 1) <= 0 ||
	    vault_aad_dec(ctx, context) == -1 ||
	    EVP_DecryptUpdate(ctx, out, &n, raw + HEAD_LEN, (int)clen) <= 0 ||
	    EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_SET_TAG, RW_VAULT_TAG_LEN,
				raw + HEAD_LEN + clen) <= 0 ||
	    EVP_DecryptFinal_ex(ctx, out + n, &fin) <= 0) {
		snprintf(err, errlen,
			 "vault: does not open (another secrets_key, another source, or changed)");
		goto done;
	}
	out[clen] = '\0';
	*plain = (char *)out;
	*len = clen;
	out = NULL;
	r = 0;
done:
	EVP_CIPHER_CTX_free(ctx);
	rw_vault_wipe_free(out, clen + 1);
	free(raw);
	return r;
}
