/*
 * token.c: one source's access token, and when to renew it. Renewing on a
 * margin of at most half the token's lifetime keeps a short-lived token
 * from being renewed on every poll; a 401 drops the token once and lets the
 * connector renew and retry, never in a loop.
 */
#include <stdlib.h>
#include <string.h>

#include "replywatch/signin.h"

static void
token_drop(struct rw_token_cache *cache)
{
	if (cache->token != NULL)
		explicit_bzero(cache->token, strlen(cache->token));
	free(cache->token);
	rw_bearer_free(cache->header);
	cache->token = NULL;
	cache->header = NULL;
	cache->obtained_ms = 0;
	cache->expires_ms = 0;
}

int
rw_token_cache_set(struct rw_token_cache *cache, const char *token, int64_t lifetime_s,
		   int64_t now_ms)
{
	bool refused = cache->refused;

	token_drop(cache);
	cache->renewing = false;
	cache->refused = false;
	cache->after_refusal = refused;
	if (token == NULL || !rw_header_value_ok(token) || lifetime_s < 1 ||
	    (cache->token = strdup(token)) == NULL ||
	    (cache->header = rw_bearer_header(token)) == NULL) {
		token_drop(cache);
		return -1;
	}
	cache->obtained_ms = now_ms;
	cache->expires_ms = now_ms + lifetime_s * 1000;
	return 0;
}

int64_t
rw_token_renew_at_ms(int64_t obtained_ms, int64_t expires_ms)
{
	int64_t lifetime = expires_ms - obtained_ms, margin;

	if (lifetime <= 0)
		return expires_ms;
	margin = lifetime / 2 < RW_TOKEN_MARGIN_MAX_MS ? lifetime / 2 : RW_TOKEN_MARGIN_MAX_MS;
	return expires_ms - margin;
}

bool
rw_token_cache_due(const struct rw_token_cache *cache, int64_t now_ms)
{
	return cache->token == NULL ||
	       now_ms >= rw_token_renew_at_ms(cache->obtained_ms, cache->expires_ms);
}

void
rw_token_cache_renewing(struct rw_token_cache *cache)
{
	cache->renewing = true;
}

const char *
rw_token_cache_header(const struct rw_token_cache *cache)
{
	return cache->renewing ? NULL : cache->header;
}

bool
rw_token_cache_refused(struct rw_token_cache *cache)
{
	bool retry = !cache->after_refusal;

	token_drop(cache);
	cache->refused = true;
	return retry;
}

bool
rw_token_cache_expired(struct rw_token_cache *cache, long status)
{
	return status == 401 && !cache->renewing && rw_token_cache_refused(cache);
}

void
rw_token_cache_clear(struct rw_token_cache *cache)
{
	if (cache == NULL)
		return;
	token_drop(cache);
	memset(cache, 0, sizeof(*cache));
}
