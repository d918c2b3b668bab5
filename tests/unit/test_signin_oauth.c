/*
 * test_signin_oauth: OAuth 2.0 token requests (what each grant sends and
 * where: body or header, never the URL), token answers (good, RFC 6749 5.2
 * errors, missing expires_in, not JSON, huge) and the token cache's
 * renewal rule and once-only 401 retry, at fixed instants. Every reason is
 * checked for the secrets it must never quote.
 */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "replywatch/signin.h"
#include "test_signin_keys.h"

#define T0 1700000000000LL /* ms */
#define URL "http://127.0.0.1:9/oauth/token"
#define SECRET_TOKEN "ya29.a0AfH6SMB-secret-access-token"
#define SECRET_REFRESH "1//0g-secret-refresh-token"
#define SECRET_CLIENT "GOCSPX-secret client&secret"

/* Asserts that none of the secrets of these tests is inside s. */
static void
assert_no_secret(const char *s)
{
	static const char *secrets[] = {SECRET_TOKEN, SECRET_REFRESH, SECRET_CLIENT, "ya29",
					"1//0g"};

	for (size_t i = 0; i < sizeof(secrets) / sizeof(secrets[0]); i++)
		cr_assert_null(strstr(s, secrets[i]), "\"%s\" holds a secret", s);
}

/* ---- requests ---- */

Test(signin_oauth, refresh_request)
{
	struct rw_token_request req;
	char err[200] = "";
	const char *const *h;

	cr_assert_eq(rw_token_request_refresh(&req, URL, "123.apps.googleusercontent.com",
					      SECRET_CLIENT, SECRET_REFRESH, err, sizeof(err)),
		     0, "%s", err);
	cr_assert_str_eq(req.url, URL);
	cr_assert_str_eq(req.body,
			 "grant_type=refresh_token&client_id=123.apps.googleusercontent."
			 "com&client_secret=GOCSPX-secret%20client%26secret&refresh_token="
			 "1%2F%2F0g-secret-refresh-token");
	h = rw_token_request_headers(&req);
	cr_assert_str_eq(h[0], "Content-Type: application/x-www-form-urlencoded");
	cr_assert_null(h[1]);
	rw_token_request_clear(&req);
	cr_assert_null(req.body);
	cr_assert_null(req.url);
}

Test(signin_oauth, jwt_bearer_request)
{
	struct rw_token_request req;
	char err[200] = "";

	cr_assert_eq(rw_token_request_jwt_bearer(&req, URL, "eyJh.eyJp.c2ln", err, sizeof(err)), 0);
	cr_assert_str_eq(req.body, "grant_type=urn%3Aietf%3Aparams%3Aoauth%3Agrant-type%3Ajwt-"
				   "bearer&assertion=eyJh.eyJp.c2ln");
	cr_assert_null(strstr(req.url, "eyJ"));
	rw_token_request_clear(&req);
}

/* Google Play: the signed assertion in the body, verifiable with the public key. */
Test(signin_oauth, google_service_account_request)
{
	char err[200] = "";
	struct rw_signin_key *key = rw_signin_key_load(KEY_RFC7515_RSA, strlen(KEY_RFC7515_RSA),
						       RW_JWT_RS256, err, sizeof(err));
	struct rw_token_request req;
	const char *prefix = "grant_type=urn%3Aietf%3Aparams%3Aoauth%3Agrant-type%3Ajwt-bearer"
			     "&assertion=";
	json_t *claims;

	cr_assert_not_null(key, "%s", err);
	cr_assert_eq(rw_token_request_google_sa(&req, URL, key, "sa@example.com", "s1 s2", NULL, T0,
						err, sizeof(err)),
		     0, "%s", err);
	cr_assert_str_eq(req.url, URL);
	cr_assert(strncmp(req.body, prefix, strlen(prefix)) == 0, "%s", req.body);
	claims = rw_jwt_verify(req.body + strlen(prefix), KEY_RFC7515_RSA_PUBLIC, err, sizeof(err));
	cr_assert_not_null(claims, "%s", err);
	cr_assert_str_eq(json_string_value(json_object_get(claims, "aud")), URL);
	cr_assert_str_eq(json_string_value(json_object_get(claims, "scope")), "s1 s2");
	json_decref(claims);
	rw_token_request_clear(&req);
	/* The audience parameter, when set, replaces the token URL. */
	cr_assert_eq(rw_token_request_google_sa(&req, URL, key, "sa@example.com", "s", "aud-x", T0,
						err, sizeof(err)),
		     0);
	claims = rw_jwt_claims(req.body + strlen(prefix));
	cr_assert_str_eq(json_string_value(json_object_get(claims, "aud")), "aud-x");
	json_decref(claims);
	rw_token_request_clear(&req);
	cr_assert_eq(
		rw_token_request_google_sa(&req, URL, key, NULL, "s", NULL, T0, err, sizeof(err)),
		-1);
	cr_assert_null(req.body);
	rw_signin_key_free(key);
}

Test(signin_oauth, secret_header_line)
{
	char *h = rw_signin_header_line("apikey", "K3y");

	cr_assert_str_eq(h, "apikey: K3y");
	rw_bearer_free(h);
	cr_assert_null(rw_signin_header_line("apikey", "K3y\r\nX-Evil: 1"));
	cr_assert_null(rw_signin_header_line("apikey", ""));
	cr_assert_null(rw_signin_header_line("apikey", NULL));
}

/* Trustpilot: the API key and secret as HTTP Basic, the user in the body. */
Test(signin_oauth, password_request_basic_auth)
{
	struct rw_token_request req;
	char err[200] = "";
	const char *const *h;

	cr_assert_eq(rw_token_request_password(&req, URL, "apikey", "apisecret", "care@example.com",
					       "p@ss word", err, sizeof(err)),
		     0, "%s", err);
	cr_assert_str_eq(req.body,
			 "grant_type=password&username=care%40example.com&password=p%40ss%20word");
	h = rw_token_request_headers(&req);
	cr_assert_str_eq(h[0], "Content-Type: application/x-www-form-urlencoded");
	/* base64("apikey:apisecret") */
	cr_assert_str_eq(h[1], "Authorization: Basic YXBpa2V5OmFwaXNlY3JldA==");
	cr_assert_null(h[2]);
	cr_assert_str_eq(req.url, URL);
	rw_token_request_clear(&req);
}

/* Reddit: the refresh-token grant with the client as HTTP Basic, never in
 * the body. */
Test(signin_oauth, refresh_basic_request)
{
	struct rw_token_request req;
	char err[200] = "";
	const char *const *h;

	cr_assert_eq(rw_token_request_refresh_basic(&req, URL, "apikey", "apisecret", "r/t+1", err,
						    sizeof(err)),
		     0, "%s", err);
	cr_assert_str_eq(req.body, "grant_type=refresh_token&refresh_token=r%2Ft%2B1");
	h = rw_token_request_headers(&req);
	cr_assert_str_eq(h[0], "Content-Type: application/x-www-form-urlencoded");
	cr_assert_str_eq(h[1], "Authorization: Basic YXBpa2V5OmFwaXNlY3JldA==");
	cr_assert_null(h[2]);
	rw_token_request_clear(&req);
	cr_assert_eq(rw_token_request_refresh_basic(&req, URL, "id", SECRET_CLIENT, "", err,
						    sizeof(err)),
		     -1);
	cr_assert_str_eq(err, "token request: no refresh_token");
	cr_assert_null(req.body);
}

Test(signin_oauth, request_refused_without_credentials_or_url)
{
	struct rw_token_request req;
	char err[200] = "";

	cr_assert_eq(
		rw_token_request_refresh(&req, URL, "id", "", SECRET_REFRESH, err, sizeof(err)),
		-1);
	cr_assert_str_eq(err, "token request: no client_secret");
	cr_assert_null(req.body);
	cr_assert_eq(
		rw_token_request_refresh(&req, URL, "id", SECRET_CLIENT, NULL, err, sizeof(err)),
		-1);
	cr_assert_str_eq(err, "token request: no refresh_token");
	cr_assert_eq(
		rw_token_request_jwt_bearer(&req, "ftp://127.0.0.1/t", "a.b.c", err, sizeof(err)),
		-1);
	cr_assert_str_eq(err, "token request: token_url must be an http(s) URL");
	cr_assert_eq(rw_token_request_jwt_bearer(&req, "http://127.0.0.1/t\r\nX: y", "a.b.c", err,
						 sizeof(err)),
		     -1);
	cr_assert_eq(rw_token_request_password(&req, URL, "k", "s", "u", NULL, err, sizeof(err)),
		     -1);
	cr_assert_str_eq(err, "token request: no password");
	rw_token_request_clear(&req);
}

/* ---- answers ---- */

static enum rw_token_result
answer(enum rw_grant grant, int status, const char *body, struct rw_token_cache *c, char *reason,
       size_t len)
{
	enum rw_token_result r =
		rw_token_answer(grant, status, body, body ? strlen(body) : 0, T0, c, reason, len);

	assert_no_secret(reason);
	return r;
}

Test(signin_oauth, good_answer_fills_cache)
{
	struct rw_token_cache c = RW_TOKEN_CACHE_INIT;
	char reason[200] = "";

	cr_assert_eq(answer(RW_GRANT_REFRESH_TOKEN, 200,
			    "{\"access_token\":\"" SECRET_TOKEN "\",\"expires_in\":3599,"
			    "\"scope\":\"https://www.googleapis.com/auth/business.manage\","
			    "\"token_type\":\"Bearer\"}",
			    &c, reason, sizeof(reason)),
		     RW_TOKEN_OK, "%s", reason);
	cr_assert_str_eq(c.token, SECRET_TOKEN);
	cr_assert_str_eq(rw_token_cache_header(&c), "Authorization: Bearer " SECRET_TOKEN);
	cr_assert_eq(c.obtained_ms, T0);
	cr_assert_eq(c.expires_ms, T0 + 3599000);
	rw_token_cache_clear(&c);
	/* Trustpilot sends expires_in as a string, and token_type in lower case. */
	cr_assert_eq(answer(RW_GRANT_PASSWORD, 200,
			    "{\"access_token\":\"AbC\",\"expires_in\":\"359999\","
			    "\"refresh_token\":\"" SECRET_REFRESH "\",\"token_type\":\"bearer\"}",
			    &c, reason, sizeof(reason)),
		     RW_TOKEN_OK, "%s", reason);
	cr_assert_eq(c.expires_ms, T0 + 359999000LL);
	rw_token_cache_clear(&c);
}

Test(signin_oauth, missing_expires_in_takes_the_default)
{
	struct rw_token_cache c = RW_TOKEN_CACHE_INIT;
	char reason[200] = "";

	cr_assert_eq(answer(RW_GRANT_JWT_BEARER, 200, "{\"access_token\":\"tok\"}", &c, reason,
			    sizeof(reason)),
		     RW_TOKEN_OK);
	cr_assert_eq(c.expires_ms, T0 + RW_TOKEN_DEFAULT_LIFETIME_S * 1000LL);
	rw_token_cache_clear(&c);
}

/* Malformed answers leave the cache as it was. */
Test(signin_oauth, malformed_answers)
{
	static const char *bodies[] = {
		NULL,
		"",
		"<html>Service Unavailable</html>",
		"[\"" SECRET_TOKEN "\"]",
		"{\"token_type\":\"Bearer\"}",
		"{\"access_token\":\"\"}",
		"{\"access_token\":42}",
		"{\"access_token\":\"" SECRET_TOKEN "\r\nX-Injected: 1\"}",
		"{\"access_token\":\"" SECRET_TOKEN "\",\"token_type\":\"mac\"}",
		"{\"access_token\":\"" SECRET_TOKEN "\",\"expires_in\":0}",
		"{\"access_token\":\"" SECRET_TOKEN "\",\"expires_in\":-5}",
		"{\"access_token\":\"" SECRET_TOKEN "\",\"expires_in\":\"soon\"}",
		"{\"access_token\":\"" SECRET_TOKEN "\",\"expires_in\":99999999999}",
	};
	struct rw_token_cache c = RW_TOKEN_CACHE_INIT;
	char reason[200];

	cr_assert_eq(rw_token_cache_set(&c, "old", 60, T0), 0);
	for (size_t i = 0; i < sizeof(bodies) / sizeof(bodies[0]); i++) {
		reason[0] = '\0';
		cr_assert_eq(
			answer(RW_GRANT_REFRESH_TOKEN, 200, bodies[i], &c, reason, sizeof(reason)),
			RW_TOKEN_MALFORMED, "body %zu accepted", i);
		cr_assert(strncmp(reason, "token answer: ", 14) == 0, "reason %s", reason);
		cr_assert_str_eq(c.token, "old");
	}
	cr_assert_eq(rw_token_poll_result(RW_TOKEN_MALFORMED), RW_POLL_MALFORMED);
	rw_token_cache_clear(&c);
}

Test(signin_oauth, huge_answer_refused_unread)
{
	struct rw_token_cache c = RW_TOKEN_CACHE_INIT;
	size_t n = RW_TOKEN_ANSWER_MAX + 100;
	char *body = malloc(n + 1), reason[200] = "";

	memset(body, ' ', n);
	memcpy(body, "{\"access_token\":\"tok\"}", 22);
	body[n] = '\0';
	cr_assert_eq(rw_token_answer(RW_GRANT_REFRESH_TOKEN, 200, body, n, T0, &c, reason,
				     sizeof(reason)),
		     RW_TOKEN_MALFORMED);
	cr_assert_str_eq(reason, "token answer: over 65536 bytes");
	cr_assert_null(c.token);
	free(body);
}

Test(signin_oauth, invalid_grant_says_what_to_do)
{
	struct rw_token_cache c = RW_TOKEN_CACHE_INIT;
	char reason[200] = "";
	static const char body[] = "{\"error\":\"invalid_grant\",\"error_description\":\"Token has "
				   "been expired or revoked: " SECRET_REFRESH "\"}";

	cr_assert_eq(answer(RW_GRANT_REFRESH_TOKEN, 400, body, &c, reason, sizeof(reason)),
		     RW_TOKEN_REVOKED);
	cr_assert_str_eq(reason,
			 "refresh token revoked or expired: authorise again (invalid_grant)");
	cr_assert_eq(answer(RW_GRANT_JWT_BEARER, 400, body, &c, reason, sizeof(reason)),
		     RW_TOKEN_REVOKED);
	cr_assert(strstr(reason, "service account assertion refused") == reason, "%s", reason);
	cr_assert_eq(answer(RW_GRANT_PASSWORD, 400, body, &c, reason, sizeof(reason)),
		     RW_TOKEN_REVOKED);
	cr_assert(strstr(reason, "username or password refused") == reason, "%s", reason);
	cr_assert_eq(rw_token_poll_result(RW_TOKEN_REVOKED), RW_POLL_AUTH_ERROR);
	cr_assert_null(c.token);
}

Test(signin_oauth, other_rfc6749_errors)
{
	struct rw_token_cache c = RW_TOKEN_CACHE_INIT;
	char reason[200] = "";

	cr_assert_eq(answer(RW_GRANT_REFRESH_TOKEN, 401,
			    "{\"error\":\"invalid_client\",\"error_description\":\"" SECRET_CLIENT
			    "\"}",
			    &c, reason, sizeof(reason)),
		     RW_TOKEN_CLIENT);
	cr_assert_str_eq(reason, "client id/secret rejected (invalid_client)");
	cr_assert_eq(answer(RW_GRANT_PASSWORD, 401, "Unauthorized", &c, reason, sizeof(reason)),
		     RW_TOKEN_CLIENT);
	cr_assert_str_eq(reason, "client id/secret rejected (401)");
	cr_assert_eq(answer(RW_GRANT_REFRESH_TOKEN, 400, "{\"error\":\"unauthorized_client\"}", &c,
			    reason, sizeof(reason)),
		     RW_TOKEN_CLIENT);
	cr_assert_eq(answer(RW_GRANT_JWT_BEARER, 400, "{\"error\":\"invalid_scope\"}", &c, reason,
			    sizeof(reason)),
		     RW_TOKEN_REFUSED);
	cr_assert_str_eq(reason, "scope refused (invalid_scope): check the scope");
	cr_assert_eq(answer(RW_GRANT_JWT_BEARER, 400, "{\"error\":\"unsupported_grant_type\"}", &c,
			    reason, sizeof(reason)),
		     RW_TOKEN_REFUSED);
	cr_assert_str_eq(reason, "token request refused (unsupported_grant_type): check token_url");
	/* A code the RFC does not define is the server's text: not quoted. */
	cr_assert_eq(answer(RW_GRANT_JWT_BEARER, 400, "{\"error\":\"" SECRET_TOKEN "\"}", &c,
			    reason, sizeof(reason)),
		     RW_TOKEN_REFUSED);
	cr_assert_str_eq(reason, "token endpoint refused the request (status 400)");
	cr_assert_null(c.token);
}

/* ---- the cache ---- */

Test(signin_oauth, renewal_margins)
{
	/* 1 h: 5 min early. */
	cr_assert_eq(rw_token_renew_at_ms(T0, T0 + 3600000), T0 + 3300000);
	/* 60 s: after 30 s, not on every poll. */
	cr_assert_eq(rw_token_renew_at_ms(T0, T0 + 60000), T0 + 30000);
	/* 10 min: exactly 5 min early either way. */
	cr_assert_eq(rw_token_renew_at_ms(T0, T0 + 600000), T0 + 300000);
	/* 20 min (Apple): 5 min early. */
	cr_assert_eq(rw_token_renew_at_ms(T0, T0 + 1200000), T0 + 900000);
	/* Already expired when obtained: renew at once. */
	cr_assert_eq(rw_token_renew_at_ms(T0, T0 - 1000), T0 - 1000);
}

Test(signin_oauth, cache_due)
{
	struct rw_token_cache c = RW_TOKEN_CACHE_INIT;

	cr_assert(rw_token_cache_due(&c, T0), "an empty cache is due");
	cr_assert_null(rw_token_cache_header(&c));
	cr_assert_eq(rw_token_cache_set(&c, "short", 60, T0), 0);
	cr_assert_not(rw_token_cache_due(&c, T0));
	cr_assert_not(rw_token_cache_due(&c, T0 + 29999));
	cr_assert(rw_token_cache_due(&c, T0 + 30000));
	cr_assert_eq(rw_token_cache_set(&c, "long", 3600, T0), 0);
	cr_assert_not(rw_token_cache_due(&c, T0 + 3299999));
	cr_assert(rw_token_cache_due(&c, T0 + 3300000));
	cr_assert_str_eq(rw_token_cache_header(&c), "Authorization: Bearer long");
	/* While a token request is out, no bearer header goes with it. */
	rw_token_cache_renewing(&c);
	cr_assert_null(rw_token_cache_header(&c));
	{
		static const char revoked[] = "{\"error\":\"invalid_grant\"}";
		char reason[200];

		cr_assert_eq(rw_token_answer(RW_GRANT_REFRESH_TOKEN, 400, revoked,
					     sizeof(revoked) - 1, T0, &c, reason, sizeof(reason)),
			     RW_TOKEN_REVOKED);
	}
	cr_assert_str_eq(rw_token_cache_header(&c), "Authorization: Bearer long");
	/* A token that cannot be a header is refused and leaves nothing. */
	cr_assert_eq(rw_token_cache_set(&c, "a\nb", 60, T0), -1);
	cr_assert_null(c.token);
	cr_assert(rw_token_cache_due(&c, T0));
	rw_token_cache_clear(&c);
}

/* A 401 drops the token once for a renewal and a retry; the renewed token
 * refused again is an auth error, not a loop. */
Test(signin_oauth, refused_once_then_gives_up)
{
	struct rw_token_cache c = RW_TOKEN_CACHE_INIT;

	cr_assert_eq(rw_token_cache_set(&c, "a", 3600, T0), 0);
	cr_assert(rw_token_cache_refused(&c), "first 401: renew and retry");
	cr_assert_null(c.token);
	cr_assert(rw_token_cache_due(&c, T0));
	cr_assert_eq(rw_token_cache_set(&c, "b", 3600, T0 + 1000), 0);
	cr_assert_not(rw_token_cache_refused(&c), "the renewed token refused too: give up");
	cr_assert_null(c.token);
	/* After that, a token from an ordinary renewal gets its own retry again. */
	cr_assert_eq(rw_token_cache_set(&c, "c", 3600, T0 + 2000), 0);
	cr_assert_eq(rw_token_cache_set(&c, "d", 3600, T0 + 3000), 0);
	cr_assert(rw_token_cache_refused(&c));
	rw_token_cache_clear(&c);
}

/* token_expired: only a 401, and never the token endpoint's own. */
Test(signin_oauth, expired_ignores_the_token_request)
{
	struct rw_token_cache c = RW_TOKEN_CACHE_INIT;

	cr_assert_eq(rw_token_cache_set(&c, "a", 3600, T0), 0);
	cr_assert_not(rw_token_cache_expired(&c, 403));
	cr_assert_not(rw_token_cache_expired(&c, 400));
	cr_assert_str_eq(c.token, "a");
	rw_token_cache_renewing(&c);
	cr_assert_not(rw_token_cache_expired(&c, 401), "the token endpoint's 401 is its answer");
	cr_assert_str_eq(c.token, "a");
	cr_assert_eq(rw_token_cache_set(&c, "b", 3600, T0), 0);
	cr_assert(rw_token_cache_expired(&c, 401));
	cr_assert_null(c.token);
	rw_token_cache_clear(&c);
}
