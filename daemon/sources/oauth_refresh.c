/*
 * oauth_refresh.c: a source's refresh-token grant, sent through the poll.
 */
#include "replywatch/secret.h"
#include "replywatch/sources/oauth_refresh.h"

void
rw_oauth_refresh(struct rw_poll *poll, struct rw_token_cache *cache, const char *default_url,
		 const char *endpoint, rw_poll_answer_fn *fn)
{
	const struct rw_source_config *src = rw_poll_source(poll);
	const struct rw_secret *secret = rw_source_param_secret(src, "client_secret");
	const struct rw_secret *refresh = rw_source_param_secret(src, "refresh_token");
	const char *token_url = rw_source_param_string(src, "token_url");
	struct rw_token_request req;
	char err[200];

	if (rw_token_request_refresh(&req, token_url ? token_url : default_url,
				     rw_source_param_string(src, "client_id"),
				     secret ? rw_secret_value(secret) : NULL,
				     refresh ? rw_secret_value(refresh) : NULL, err,
				     sizeof(err)) == -1) {
		rw_poll_fail(poll, RW_POLL_AUTH_ERROR, "%s", err);
		return;
	}
	rw_token_cache_renewing(cache);
	rw_poll_request(poll, endpoint, req.url, rw_token_request_headers(&req), req.body,
			RW_TOKEN_SEE, fn);
	rw_token_request_clear(&req);
}
