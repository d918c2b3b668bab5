/*
 * fake_google.c: what the fakes of Google's review APIs (Business Profile,
 * Play) share: Google's error envelope {"error": {"code", "message",
 * "status"}}, its answers to faults, unknown paths and spent quotas
 * (429 RESOURCE_EXHAUSTED; Google sends no rate-limit headers), and the
 * check of a bearer access token issued by the fake token endpoint
 * (fake_google_oauth.c).
 */
#include <string.h>

#include "fake_reviews.h"

void
fake_google_error(struct fake_resp *r, unsigned status, const char *name, const char *msg)
{
	fake_resp_json(r, status,
		       json_pack("{s:{s:i, s:s, s:s}}", "error", "code", (int)status, "message",
				 msg, "status", name));
}

enum fake_auth
fake_google_api_auth(struct fake_state *st, const struct fake_req *req, const char *scope,
		     const char **why)
{
	const char *tok = fake_req_bearer(req);

	if (tok == NULL)
		return FAKE_AUTH_MISSING;
	if (*tok == '\0')
		return FAKE_AUTH_WRONG;
	return fake_google_token_check(st, tok, scope, why);
}

void
fake_google_auth_fail(struct fake_resp *r, int ep, const char *why)
{
	(void)ep;
	if (strcmp(why, "insufficient_scope") == 0) {
		fake_google_error(r, 403, "PERMISSION_DENIED",
				  "Request had insufficient authentication scopes.");
		return;
	}
	fake_google_error(r, 401, "UNAUTHENTICATED",
			  "Request had invalid authentication credentials. Expected OAuth 2 "
			  "access token, login cookie or other valid authentication credential. "
			  "See https://developers.google.com/identity/sign-in/web/"
			  "devconsole-project.");
	fake_resp_header(r, "WWW-Authenticate", "Bearer realm=\"https://accounts.google.com/\"");
}

void
fake_google_fault(struct fake_resp *r, enum fake_fault_kind kind)
{
	if (kind == FAKE_F_403)
		fake_google_error(r, 403, "PERMISSION_DENIED",
				  "The caller does not have permission");
	else if (kind == FAKE_F_500)
		fake_google_error(r, 500, "INTERNAL", "Internal error encountered.");
	else if (kind == FAKE_F_502)
		fake_google_error(r, 502, "UNAVAILABLE", "Bad Gateway");
	else
		fake_google_error(r, 503, "UNAVAILABLE", "The service is currently unavailable.");
}

void
fake_google_not_found(struct fake_resp *r)
{
	fake_google_error(r, 404, "NOT_FOUND", "Requested entity was not found.");
}

void
fake_google_too_many(struct fake_resp *r, const struct fake_limit *l, long retry_after, int64_t now)
{
	(void)l;
	(void)now;
	fake_google_error(r, 429, "RESOURCE_EXHAUSTED",
			  "Quota exceeded for quota metric 'Requests' and limit 'Requests per "
			  "minute' of service 'googleapis.com'.");
	if (retry_after >= 0)
		fake_resp_header(r, "Retry-After", "%ld", retry_after);
}

/* Google's APIs send no rate-limit headers. */
void
fake_google_limit_headers(struct fake_resp *r, const struct fake_limit *l)
{
	(void)r;
	(void)l;
}
