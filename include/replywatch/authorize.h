/*
 * authorize: replywatchd --authorize SOURCE, the one-time sign-in of a
 * source whose refresh tokens rotate (allegro): the OAuth 2.0 device
 * authorization grant (RFC 8628) as Allegro documents it, then the refresh
 * token stored in Redis encrypted exactly as the daemon keeps it
 * (vault.h, key "PREFIX{SOURCE}:auth"), where the daemon finds it at its
 * next sign-in (docs/signin.md "Rotating refresh tokens").
 *
 * Blocking (libcurl easy, hiredis sync): a command, not part of the loop.
 * Prints the verification URL and code on out; errors on err. Never prints
 * a secret.
 */
#ifndef REPLYWATCH_AUTHORIZE_H
#define REPLYWATCH_AUTHORIZE_H

#include <stdio.h>

#include "replywatch/config.h"

/* Exit statuses of replywatchd --authorize (docs/signin.md). */
enum rw_authorize_exit {
	RW_AUTHORIZE_OK = 0,       /* authorised; the refresh token is stored */
	RW_AUTHORIZE_CONFIG = 1,   /* no such source, not a device-flow type, no
				      secrets_key, or an invalid configuration */
	RW_AUTHORIZE_USAGE = 2,    /* bad command line */
	RW_AUTHORIZE_REFUSED = 3,  /* denied, the code expired, or the client refused */
	RW_AUTHORIZE_PLATFORM = 4, /* the platform could not be reached or answered oddly */
	RW_AUTHORIZE_STORE = 5,    /* authorised, but Redis did not take the token:
				      nothing is kept, run the command again */
};

/* Runs the device flow for source of cfg. Returns an exit status above. */
int rw_authorize_run(const struct rw_config *cfg, const char *source, FILE *out, FILE *err);

#endif
