/*
 * fake_app_store_auth.c: how the App Store Connect fake checks a request,
 * as Apple does: the bearer token must be an ES256 JWT signed by the key of
 * --app_store-public-key (a PEM file; rw_jwt_verify), with header kid =
 * --app_store-key-id and typ JWT, claims iss = --app_store-issuer-id, aud
 * "appstoreconnect-v1", iat at most a minute ahead, exp after now and at
 * most 20 minutes after iat, and the key not revoked through the control
 * API. Anything else is 401 NOT_AUTHORIZED in Apple's JSON:API error shape
 * (which never says what was wrong; the request log does: wrong/expired).
 * Also Apple's other errors and its X-Rate-Limit header.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/rand.h>
#include <replywatch/b64.h>
#include <replywatch/signin.h>

#include "fake_reviews.h"

#define APPLE_AUDIENCE "appstoreconnect-v1"
#define APPLE_MAX_LIFETIME_S 1200
#define APPLE_SKEW_S 60

/* The JWT's header (its first part) as JSON, or NULL. */
static json_t *
apple_jwt_header(const char *jwt)
{
	size_t len = strcspn(jwt, ".");
	unsigned char *raw = NULL;
	size_t rawlen = 0;
	json_t *v;

	if (jwt[len] != '.' || rw_b64url_decode(jwt, len, &raw, &rawlen) == -1)
		return NULL;
	v = json_loadb((const char *)raw, rawlen, 0, NULL);
	free(raw);
	if (!json_is_object(v)) {
		json_decref(v);
		return NULL;
	}
	return v;
}

static bool
str_is(json_t *obj, const char *key, const char *want)
{
	const char *s = json_string_value(json_object_get(obj, key));

	return s != NULL && want != NULL && *want != '\0' && strcmp(s, want) == 0;
}

/* Checks the verified claims' issuer, audience and times. */
static enum fake_auth
apple_claims(const struct fake_state *st, enum fake_platform p, json_t *claims, const char **why)
{
	json_t *iat = json_object_get(claims, "iat"), *exp = json_object_get(claims, "exp");
	double now = (double)fake_now_ms() / 1000;

	if (!str_is(claims, "iss", fake_option(st, p, "issuer-id"))) {
		*why = "iss";
	} else if (!str_is(claims, "aud", APPLE_AUDIENCE)) {
		*why = "aud";
	} else if (!json_is_number(iat) || !json_is_number(exp) ||
		   json_number_value(iat) > now + APPLE_SKEW_S ||
		   json_number_value(exp) - json_number_value(iat) > APPLE_MAX_LIFETIME_S) {
		*why = "lifetime";
	} else if (json_number_value(exp) <= now) {
		*why = "expired";
		return FAKE_AUTH_EXPIRED;
	} else {
		return FAKE_AUTH_OK;
	}
	return FAKE_AUTH_WRONG;
}

enum fake_auth
fake_apple_auth(struct fake_state *st, const struct fake_req *req, int ep, const char **why)
{
	enum fake_platform p = req->platform;
	const struct fake_reviews *rv = st->own[p];
	const char *jwt = fake_req_bearer(req);
	json_t *header = NULL, *claims = NULL;
	enum fake_auth a = FAKE_AUTH_WRONG;
	char *pem = NULL;
	char err[128];

	(void)ep;
	*why = "signature";
	if (jwt == NULL)
		return FAKE_AUTH_MISSING;
	if (rv != NULL && rv->revoked) {
		*why = "revoked";
		return FAKE_AUTH_WRONG;
	}
	header = apple_jwt_header(jwt);
	if (header == NULL || !str_is(header, "alg", "ES256") || !str_is(header, "typ", "JWT") ||
	    !str_is(header, "kid", fake_option(st, p, "key-id"))) {
		*why = "header";
		goto done;
	}
	/* The key's type (EC P-256) admits only ES256 in rw_jwt_verify. */
	pem = fake_read_pem(fake_option(st, p, "public-key"));
	if (pem == NULL || (claims = rw_jwt_verify(jwt, pem, err, sizeof(err))) == NULL)
		goto done;
	a = apple_claims(st, p, claims, why);
done:
	json_decref(header);
	json_decref(claims);
	free(pem);
	return a;
}

void
fake_apple_error(struct fake_resp *r, unsigned status, const char *code, const char *title,
		 const char *detail)
{
	unsigned char b[16];
	char id[40], st[8];

	if (RAND_bytes(b, sizeof(b)) != 1)
		memset(b, 0x5a, sizeof(b));
	snprintf(id, sizeof(id),
		 "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x", b[0], b[1],
		 b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11], b[12], b[13], b[14],
		 b[15]);
	snprintf(st, sizeof(st), "%u", status);
	fake_resp_json(r, status,
		       json_pack("{s:[{s:s, s:s, s:s, s:s, s:s}]}", "errors", "id", id, "status",
				 st, "code", code, "title", title, "detail", detail));
}

void
fake_apple_error_hook(struct fake_resp *r, unsigned status, const char *name, const char *msg)
{
	fake_apple_error(r, status, name, msg, msg);
}

void
fake_apple_auth_fail(struct fake_resp *r, int ep, const char *why)
{
	(void)ep;
	(void)why;
	fake_apple_error(r, 401, "NOT_AUTHORIZED",
			 "Authentication credentials are missing or invalid.",
			 "Provide a properly configured and signed bearer token, and make sure "
			 "that it has not expired. Learn more about Generating Tokens for API "
			 "Requests https://developer.apple.com/go/?id=api-generating-tokens");
}

void
fake_apple_fault(struct fake_resp *r, enum fake_fault_kind kind)
{
	if (kind == FAKE_F_403)
		fake_apple_error(r, 403, "FORBIDDEN_ERROR",
				 "This request is forbidden for security reasons",
				 "The API key in use does not allow this request");
	else if (kind == FAKE_F_500)
		fake_apple_error(r, 500, "UNEXPECTED_ERROR", "An unexpected error occurred.",
				 "An unexpected error occurred on the server side. If this issue "
				 "continues, contact us at https://developer.apple.com/contact/.");
	else
		fake_apple_error(r, kind == FAKE_F_502 ? 502 : 503, "SERVICE_UNAVAILABLE",
				 "The service is temporarily unavailable.",
				 "The request could not be processed. Try again later.");
}

void
fake_apple_not_found(struct fake_resp *r)
{
	fake_apple_error(r, 404, "NOT_FOUND", "The specified resource does not exist",
			 "The path provided does not match a defined resource type.");
}

void
fake_apple_wrong_method(struct fake_resp *r, const struct fake_route_def *route)
{
	(void)route;
	fake_apple_error(r, 405, "METHOD_NOT_ALLOWED",
			 "The request method is not valid for the resource path.",
			 "The request method is not valid for the resource path.");
}

void
fake_apple_too_many(struct fake_resp *r, const struct fake_limit *l, long retry_after, int64_t now)
{
	(void)l;
	(void)now;
	fake_apple_error(r, 429, "RATE_LIMIT_EXCEEDED", "The request rate limit has been reached.",
			 "We've received too many requests for this API. Please wait and try again "
			 "or slow down your request rate.");
	if (retry_after >= 0)
		fake_resp_header(r, "Retry-After", "%ld", retry_after);
}

/* On every answer, no reset given (Apple's window rolls over an hour). */
void
fake_apple_limit_headers(struct fake_resp *r, const struct fake_limit *l)
{
	fake_resp_header(r, "X-Rate-Limit", "user-hour-lim:%ld;user-hour-rem:%ld;", l->limit,
			 l->remaining > 0 ? l->remaining : 0);
}
