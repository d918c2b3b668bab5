/*
 * oauth_refresh: the OAuth 2.0 refresh-token grant of a source whose
 * configuration has client_id, client_secret, refresh_token and an optional
 * token_url (Google Business Profile, LinkedIn), sent through the poll.
 */
#ifndef REPLYWATCH_SOURCES_OAUTH_REFRESH_H
#define REPLYWATCH_SOURCES_OAUTH_REFRESH_H

#include "replywatch/connector.h"
#include "replywatch/signin.h"

/* Sends the grant to the source's token_url (default_url when it has none)
 * as a request of endpoint and marks cache as renewing (the request carries
 * no bearer token); fn gets the answer (status 2xx, or one of RW_TOKEN_SEE),
 * to read with rw_token_answer. A request that cannot be built ends the
 * poll as an auth error with the reason (never quoting a secret). */
void rw_oauth_refresh(struct rw_poll *poll, struct rw_token_cache *cache, const char *default_url,
		      const char *endpoint, rw_poll_answer_fn *fn);

#endif
