/*
 * whsign: Standard Webhooks request signing (https://www.standardwebhooks.com),
 * with OpenSSL's HMAC-SHA256 and base64.
 *
 *   webhook-id:        the request's id, the same on every attempt (short: the
 *                      whole id is signed, so it must never be cut)
 *   webhook-timestamp: Unix seconds of this attempt
 *   webhook-signature: "v1," + base64(HMAC-SHA256(key, id "." timestamp "." body))
 *
 * A secret "whsec_BASE64" is the base64 of the key; any other secret is
 * used as the key bytes as they are.
 */
#ifndef REPLYWATCH_WHSIGN_H
#define REPLYWATCH_WHSIGN_H

#include <stddef.h>
#include <stdint.h>

/* The key bytes of secret into a new buffer (*key, caller wipes and frees)
 * of *keylen bytes. Base64 after whsec_ may be padded or not. Returns 0, or
 * -1 when a whsec_ secret is not valid base64, the key would be empty (an
 * empty secret, a bare "whsec_"), or memory fails; *key is NULL and
 * *keylen 0 then. */
int rw_whsign_key(const char *secret, unsigned char **key, size_t *keylen);

/* Writes "v1,SIGNATURE" for id, timestamp and body (len bytes) into out
 * (at least RW_WHSIGN_MAX bytes). Returns 0, or -1 with out "" when outlen
 * is smaller, key is empty, id is NULL or OpenSSL fails. */
#define RW_WHSIGN_MAX 64
int rw_whsign(const unsigned char *key, size_t keylen, const char *id, int64_t timestamp,
	      const char *body, size_t len, char *out, size_t outlen);

#endif
