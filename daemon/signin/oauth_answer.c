/*
 * oauth_answer.c: a token endpoint's answer (RFC 6749 5.1 success, 5.2
 * error) into the token cache, or into a result and a reason a person can
 * act on. The answer holds secrets (the access token, sometimes a refresh
 * or id token): nothing of it is quoted, and its strings are wiped before
 * the parsed document is freed.
 */
#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "replywatch/signin.h"
#include "signin_internal.h"

#define ACCESS_TOKEN_MAX 16384
#define LIFETIME_MAX_S (366LL * 24 * 3600)

enum rw_poll_result
rw_token_poll_result(enum rw_token_result r)
{
	switch (r) {
	case RW_TOKEN_OK:
		return RW_POLL_OK;
	case RW_TOKEN_MALFORMED:
		return RW_POLL_MALFORMED;
	case RW_TOKEN_REVOKED:
	case RW_TOKEN_CLIENT:
	case RW_TOKEN_REFUSED:
		break;
	}
	return RW_POLL_AUTH_ERROR;
}

/* expires_in in seconds: a number or a string of digits (some endpoints,
 * Trustpilot's among them, send a string); 0 when unusable, -1 when absent. */
static int64_t
answer_lifetime(const json_t *v)
{
	const char *s;
	char *end;
	long long n;

	if (v == NULL || json_is_null(v))
		return -1;
	if (json_is_integer(v))
		n = json_integer_value(v);
	else if (json_is_real(v) && isfinite(json_real_value(v)) && json_real_value(v) < 1e12)
		n = (long long)json_real_value(v);
	else if ((s = json_string_value(v)) != NULL && isdigit((unsigned char)s[0]) &&
		 strlen(s) <= 12) {
		n = strtoll(s, &end, 10);
		if (*end != '\0')
			return 0;
	} else
		return 0;
	return n >= 1 && n <= LIFETIME_MAX_S ? (int64_t)n : 0;
}

/* A 2xx answer: the token into cache. */
static enum rw_token_result
answer_success(json_t *doc, int64_t now_ms, struct rw_token_cache *cache, char *reason,
	       size_t reasonlen)
{
	const json_t *tok = json_object_get(doc, "access_token");
	const char *type = json_string_value(json_object_get(doc, "token_type"));
	int64_t lifetime = answer_lifetime(json_object_get(doc, "expires_in"));

	if (!json_is_object(doc)) {
		snprintf(reason, reasonlen, "token answer: not a JSON object");
		return RW_TOKEN_MALFORMED;
	}
	if (!json_is_string(tok) || json_string_length(tok) == 0 ||
	    json_string_length(tok) > ACCESS_TOKEN_MAX ||
	    !rw_header_value_ok(json_string_value(tok))) {
		snprintf(reason, reasonlen, "token answer: no usable access_token");
		return RW_TOKEN_MALFORMED;
	}
	if (type != NULL && strcasecmp(type, "Bearer") != 0) {
		snprintf(reason, reasonlen, "token answer: token_type is not Bearer");
		return RW_TOKEN_MALFORMED;
	}
	if (lifetime == 0) {
		snprintf(reason, reasonlen, "token answer: expires_in is not 1 s to 1 year");
		return RW_TOKEN_MALFORMED;
	}
	if (lifetime < 0)
		lifetime = RW_TOKEN_DEFAULT_LIFETIME_S;
	if (rw_token_cache_set(cache, json_string_value(tok), lifetime, now_ms) == -1) {
		snprintf(reason, reasonlen, "token answer: out of memory");
		return RW_TOKEN_MALFORMED;
	}
	return RW_TOKEN_OK;
}

/* What invalid_grant means for each grant, and what to do about it. */
static const char *
answer_grant_reason(enum rw_grant grant)
{
	switch (grant) {
	case RW_GRANT_REFRESH_TOKEN:
		return "refresh token revoked or expired: authorise again";
	case RW_GRANT_JWT_BEARER:
		return "service account assertion refused: check the key is active and the "
		       "clock is right";
	case RW_GRANT_PASSWORD:
		break;
	}
	return "username or password refused: check the credentials";
}

/* An error answer (RFC 6749 5.2); only the error codes the RFC defines are
 * named in the reason, since anything else is the server's free text. */
static enum rw_token_result
answer_error(enum rw_grant grant, int status, const json_t *doc, char *reason, size_t reasonlen)
{
	const char *code = json_string_value(json_object_get(doc, "error"));

	if (code == NULL)
		code = "";
	if (strcmp(code, "invalid_grant") == 0) {
		snprintf(reason, reasonlen, "%s (invalid_grant)", answer_grant_reason(grant));
		return RW_TOKEN_REVOKED;
	}
	if (strcmp(code, "invalid_client") == 0 || (code[0] == '\0' && status == 401)) {
		snprintf(reason, reasonlen, "client id/secret rejected (%s)",
			 code[0] ? code : "401");
		return RW_TOKEN_CLIENT;
	}
	if (strcmp(code, "unauthorized_client") == 0) {
		snprintf(reason, reasonlen,
			 "client not allowed to use this grant (unauthorized_client)");
		return RW_TOKEN_CLIENT;
	}
	if (strcmp(code, "invalid_scope") == 0) {
		snprintf(reason, reasonlen, "scope refused (invalid_scope): check the scope");
		return RW_TOKEN_REFUSED;
	}
	if (strcmp(code, "invalid_request") == 0 || strcmp(code, "unsupported_grant_type") == 0) {
		snprintf(reason, reasonlen, "token request refused (%s): check token_url", code);
		return RW_TOKEN_REFUSED;
	}
	snprintf(reason, reasonlen, "token endpoint refused the request (status %d)", status);
	return RW_TOKEN_REFUSED;
}

enum rw_token_result
rw_token_answer(enum rw_grant grant, int status, const char *body, size_t len, int64_t now_ms,
		struct rw_token_cache *cache, char *reason, size_t reasonlen)
{
	json_t *doc = NULL;
	enum rw_token_result r;

	if (reasonlen > 0)
		reason[0] = '\0';
	cache->renewing = false;
	if (len > RW_TOKEN_ANSWER_MAX) {
		snprintf(reason, reasonlen, "token answer: over %d bytes", RW_TOKEN_ANSWER_MAX);
		return RW_TOKEN_MALFORMED;
	}
	if (body != NULL && len > 0)
		doc = json_loadb(body, len, 0, NULL);
	if (status >= 200 && status < 300)
		r = answer_success(doc, now_ms, cache, reason, reasonlen);
	else
		r = answer_error(grant, status, doc, reason, reasonlen);
	signin_wipe_member(doc, "access_token");
	signin_wipe_member(doc, "refresh_token");
	signin_wipe_member(doc, "id_token");
	json_decref(doc);
	return r;
}
