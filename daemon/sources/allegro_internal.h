/*
 * allegro_internal.h: the Allegro connector's state, shared by allegro.c
 * (streams, descriptor) and allegro_auth.c (the sign-in with rotating
 * refresh tokens kept in Redis).
 */
#ifndef REPLYWATCH_ALLEGRO_INTERNAL_H
#define REPLYWATCH_ALLEGRO_INTERNAL_H

#include <stdbool.h>
#include <stdint.h>

#include "replywatch/connector.h"
#include "replywatch/signin.h"

struct allegro_state {
	struct rw_token_cache cache;    /* the access token in use */
	struct rw_token_cache next;     /* a renewed access token, used only once the
					   refresh token that came with it is stored */
	char *refresh;                  /* the refresh token to use next (wiped) */
	char *pending;                  /* a new refresh token not stored yet (wiped) */
	int64_t pending_ms;             /* when it came */
	bool loaded;                    /* the stored token was read by this process */
	bool from_seed;                 /* refresh is the configured seed, not a stored one */
	int64_t rotated_ms;             /* when the stored token was written (0: unknown) */
	char *seller_id, *seller_login; /* GET /me, once per process */
	const char *accept;             /* the media type of the next requests */
	char accept_line[80];
	const char *headers[2];
};

/* allegro_auth.c: signs in when needed, then reads /me once, then walks. */
void allegro_auth_start(struct rw_poll *poll);
/* Frees what the sign-in keeps in s (wiped). */
void allegro_auth_clear(struct allegro_state *s);

#endif
