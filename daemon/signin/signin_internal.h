/*
 * signin_internal.h: what the files of daemon/signin/ share, grouped by the
 * file that defines it.
 */
#ifndef REPLYWATCH_SIGNIN_INTERNAL_H
#define REPLYWATCH_SIGNIN_INTERNAL_H

#include <jansson.h>
#include <openssl/evp.h>

#include "replywatch/signin.h"

struct rw_signin_key {
	EVP_PKEY *pkey;
	enum rw_jwt_alg alg;
};

/* jwt.c: overwrites a string member of a document about to be freed
 * (Jansson does not wipe what it frees). */
void signin_wipe_member(json_t *obj, const char *key);
/* jwt.c: the JSON object a base64url JWT part of len characters decodes to
 * (caller decrefs), or NULL (not base64url, not an object, over 16 KiB). */
json_t *signin_jwt_part_json(const char *part, size_t len);

#endif
