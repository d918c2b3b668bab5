/*
 * vault: secrets kept in Redis encrypted (a connector's rotating refresh
 * token), with AES-256-GCM through OpenSSL EVP.
 *
 * The key is derived from the configuration's top-level secrets_key with
 * HKDF-SHA256 (no salt, the fixed info RW_VAULT_INFO), so the configured
 * text can be any length and is never used as a key directly. A sealed
 * value is base64 text of
 *     version (1 byte, RW_VAULT_VERSION) || nonce (12 random bytes) ||
 *     ciphertext || tag (16 bytes)
 * authenticated with the additional data version || context (the source's
 * name): a value copied to another source's key, made under another
 * secrets_key, or changed in any byte does not open.
 *
 * Pure apart from memory and the random nonce; keys and plaintexts are
 * wiped (OPENSSL_cleanse) before they are freed. No error string quotes a
 * secret.
 */
#ifndef REPLYWATCH_VAULT_H
#define REPLYWATCH_VAULT_H

#include <stddef.h>

#define RW_VAULT_VERSION 1
#define RW_VAULT_INFO "replywatch vault v1 aes-256-gcm"
#define RW_VAULT_KEY_LEN 32
#define RW_VAULT_NONCE_LEN 12
#define RW_VAULT_TAG_LEN 16
#define RW_VAULT_MAX_PLAIN 65536 /* the largest secret sealed */

struct rw_vault;

/* A vault keyed from secret (len bytes, at least 1). Returns it (free with
 * rw_vault_free), or NULL with err ("secrets_key is empty", "vault: key
 * derivation failed", "out of memory"). */
struct rw_vault *rw_vault_new(const void *secret, size_t len, char *err, size_t errlen);

/* Wipes the key and frees v; NULL is fine. */
void rw_vault_free(struct rw_vault *v);

/* HKDF-SHA256 (RFC 5869) of ikm with no salt and info, into out (outlen
 * bytes): the derivation rw_vault_new uses, given for tests against the
 * RFC's vectors. Returns 0 or -1. */
int rw_vault_hkdf(const void *ikm, size_t ikmlen, const void *salt, size_t saltlen,
		  const void *info, size_t infolen, unsigned char *out, size_t outlen);

/* Seals plain (len bytes, at most RW_VAULT_MAX_PLAIN) for context (a
 * NUL-terminated name, the AAD). Returns the base64 text (not secret;
 * caller frees), or NULL with err. */
char *rw_vault_seal(const struct rw_vault *v, const char *context, const void *plain, size_t len,
		    char *err, size_t errlen);

/* Opens text sealed for context: *plain gets a NUL-terminated copy of the
 * secret (caller wipes and frees with rw_vault_wipe_free) and *len its
 * length. Returns 0, or -1 with err ("vault: not base64", "vault: unknown
 * version", "vault: too short", "vault: does not open (another
 * secrets_key, another source, or changed)") and *plain NULL. */
int rw_vault_open(const struct rw_vault *v, const char *context, const char *text, char **plain,
		  size_t *len, char *err, size_t errlen);

/* Wipes len bytes of p and frees it; NULL is fine. */
void rw_vault_wipe_free(void *p, size_t len);

#endif
