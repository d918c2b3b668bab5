/*
 * oauth_request.c: the bodies and headers of OAuth 2.0 token requests
 * (RFC 6749 6 refresh_token, RFC 7523 JWT-bearer, RFC 6749 4.3 password
 * with HTTP Basic client authentication). Every credential goes into the
 * form body or the Authorization header: the URL is the token_url as
 * configured, never with a secret appended.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>

#include "replywatch/signin.h"

#define FORM_CONTENT_TYPE "Content-Type: application/x-www-form-urlencoded"
#define BASIC_PREFIX "Authorization: Basic "
#define GRANT_JWT_BEARER "urn:ietf:params:oauth:grant-type:jwt-bearer"

const int RW_TOKEN_SEE[] = {400, 401, 0};

/* A copy of s made with malloc, wiped and freed by the caller. */
static char *
oauth_escape(const char *s)
{
	char *esc = curl_easy_escape(NULL, s, (int)strlen(s));
	char *out = esc ? strdup(esc) : NULL;

	if (esc != NULL) {
		explicit_bzero(esc, strlen(esc));
		curl_free(esc);
	}
	return out;
}

static void
oauth_wipe_free(char *s)
{
	if (s != NULL)
		explicit_bzero(s, strlen(s));
	free(s);
}

/* "n1=v1&n2=v2..." from pairs of name and value ending with NULL, values
 * form-escaped (names are ours, already safe). Caller wipes and frees. */
static char *
oauth_form(const char *const *pairs)
{
	size_t cap = 1, n = 0;
	char *esc[16] = {0};
	char *body = NULL;
	size_t k = 0;

	for (; k < 16 && pairs[2 * k] != NULL; k++) {
		if ((esc[k] = oauth_escape(pairs[2 * k + 1])) == NULL)
			goto done;
		cap += strlen(pairs[2 * k]) + strlen(esc[k]) + 2;
	}
	if ((body = malloc(cap)) == NULL)
		goto done;
	for (size_t i = 0; i < k; i++)
		n += (size_t)snprintf(body + n, cap - n, "%s%s=%s", i ? "&" : "", pairs[2 * i],
				      esc[i]);
done:
	for (size_t i = 0; i < k; i++)
		oauth_wipe_free(esc[i]);
	return body;
}

/* "Authorization: Basic base64(escape(id):escape(secret))", or NULL. */
static char *
oauth_basic(const char *id, const char *secret)
{
	char *eid = oauth_escape(id), *esec = oauth_escape(secret);
	char *pair = NULL, *b64 = NULL, *header = NULL;
	size_t len;

	if (eid == NULL || esec == NULL)
		goto done;
	len = strlen(eid) + strlen(esec) + 2;
	if ((pair = malloc(len)) == NULL)
		goto done;
	snprintf(pair, len, "%s:%s", eid, esec);
	if ((b64 = rw_b64_encode(pair, strlen(pair))) == NULL)
		goto done;
	len = strlen(BASIC_PREFIX) + strlen(b64) + 1;
	if ((header = malloc(len)) != NULL)
		snprintf(header, len, "%s%s", BASIC_PREFIX, b64);
done:
	oauth_wipe_free(eid);
	oauth_wipe_free(esec);
	oauth_wipe_free(pair);
	oauth_wipe_free(b64);
	return header;
}

/* Checks the URL and the credentials named in names/values (count of them). */
static int
oauth_check(const char *token_url, const char *const *names, const char *const *values,
	    size_t count, char *err, size_t errlen)
{
	if (token_url == NULL ||
	    (strncmp(token_url, "https://", 8) != 0 && strncmp(token_url, "http://", 7) != 0) ||
	    !rw_header_value_ok(token_url)) {
		snprintf(err, errlen, "token request: token_url must be an http(s) URL");
		return -1;
	}
	for (size_t i = 0; i < count; i++) {
		if (values[i] == NULL || values[i][0] == '\0') {
			snprintf(err, errlen, "token request: no %s", names[i]);
			return -1;
		}
	}
	return 0;
}

/* Fills req with url, body and headers (basic may be NULL). */
static int
oauth_fill(struct rw_token_request *req, const char *token_url, const char *const *pairs,
	   const char *basic_id, const char *basic_secret, char *err, size_t errlen)
{
	size_t h = 0;

	if ((req->url = strdup(token_url)) == NULL || (req->body = oauth_form(pairs)) == NULL ||
	    (req->headers[h++] = strdup(FORM_CONTENT_TYPE)) == NULL)
		goto oom;
	if (basic_id != NULL && (req->headers[h++] = oauth_basic(basic_id, basic_secret)) == NULL)
		goto oom;
	req->headers[h] = NULL;
	return 0;
oom:
	rw_token_request_clear(req);
	snprintf(err, errlen, "token request: out of memory");
	return -1;
}

int
rw_token_request_refresh(struct rw_token_request *req, const char *token_url, const char *client_id,
			 const char *client_secret, const char *refresh_token, char *err,
			 size_t errlen)
{
	const char *names[] = {"client_id", "client_secret", "refresh_token"};
	const char *values[] = {client_id, client_secret, refresh_token};
	const char *pairs[] = {"grant_type",    "refresh_token", "client_id",
			       client_id,       "client_secret", client_secret,
			       "refresh_token", refresh_token,   NULL};

	memset(req, 0, sizeof(*req));
	if (oauth_check(token_url, names, values, 3, err, errlen) == -1)
		return -1;
	return oauth_fill(req, token_url, pairs, NULL, NULL, err, errlen);
}

int
rw_token_request_refresh_basic(struct rw_token_request *req, const char *token_url,
			       const char *client_id, const char *client_secret,
			       const char *refresh_token, char *err, size_t errlen)
{
	const char *names[] = {"client_id", "client_secret", "refresh_token"};
	const char *values[] = {client_id, client_secret, refresh_token};
	const char *pairs[] = {"grant_type", "refresh_token", "refresh_token", refresh_token, NULL};

	memset(req, 0, sizeof(*req));
	if (oauth_check(token_url, names, values, 3, err, errlen) == -1)
		return -1;
	return oauth_fill(req, token_url, pairs, client_id, client_secret, err, errlen);
}

int
rw_token_request_jwt_bearer(struct rw_token_request *req, const char *token_url,
			    const char *assertion, char *err, size_t errlen)
{
	const char *names[] = {"assertion"};
	const char *values[] = {assertion};
	const char *pairs[] = {"grant_type", GRANT_JWT_BEARER, "assertion", assertion, NULL};

	memset(req, 0, sizeof(*req));
	if (oauth_check(token_url, names, values, 1, err, errlen) == -1)
		return -1;
	return oauth_fill(req, token_url, pairs, NULL, NULL, err, errlen);
}

int
rw_token_request_password(struct rw_token_request *req, const char *token_url,
			  const char *client_id, const char *client_secret, const char *username,
			  const char *password, char *err, size_t errlen)
{
	const char *names[] = {"client_id", "client_secret", "username", "password"};
	const char *values[] = {client_id, client_secret, username, password};
	const char *pairs[] = {"grant_type", "password", "username", username,
			       "password",   password,   NULL};

	memset(req, 0, sizeof(*req));
	if (oauth_check(token_url, names, values, 4, err, errlen) == -1)
		return -1;
	return oauth_fill(req, token_url, pairs, client_id, client_secret, err, errlen);
}

int
rw_token_request_google_sa(struct rw_token_request *req, const char *token_url,
			   const struct rw_signin_key *key, const char *client_email,
			   const char *scope, const char *audience, int64_t now_ms, char *err,
			   size_t errlen)
{
	char *assertion;
	int rc;

	memset(req, 0, sizeof(*req));
	if ((assertion = rw_jwt_google_assertion(key, client_email, scope,
						 audience ? audience : token_url, now_ms, err,
						 errlen)) == NULL)
		return -1;
	rc = rw_token_request_jwt_bearer(req, token_url, assertion, err, errlen);
	oauth_wipe_free(assertion);
	return rc;
}

char *
rw_signin_header_line(const char *name, const char *value)
{
	size_t len;
	char *line;

	if (name == NULL || value == NULL || !rw_header_value_ok(value))
		return NULL;
	len = strlen(name) + strlen(value) + 3;
	if ((line = malloc(len)) != NULL)
		snprintf(line, len, "%s: %s", name, value);
	return line;
}

const char *const *
rw_token_request_headers(const struct rw_token_request *req)
{
	return (const char *const *)req->headers;
}

void
rw_token_request_clear(struct rw_token_request *req)
{
	if (req == NULL)
		return;
	free(req->url);
	oauth_wipe_free(req->body);
	for (size_t i = 0; i < RW_TOKEN_HEADERS_MAX; i++)
		oauth_wipe_free(req->headers[i]);
	memset(req, 0, sizeof(*req));
}
