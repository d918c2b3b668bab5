/*
 * fake_google_oauth.c: a fake of Google's OAuth 2.0 token endpoint
 * (oauth2.googleapis.com/token), platform "google_oauth". It serves
 * POST /token (and the older /oauth2/v4/token) with two grants:
 *
 * - refresh_token (Business Profile): client_id, client_secret and
 *   refresh_token must equal --google_business-client-id, -client-secret
 *   and -refresh-token; a refresh token revoked through the control API
 *   answers invalid_grant.
 * - urn:ietf:params:oauth:grant-type:jwt-bearer (Play's service account):
 *   the assertion's RS256 signature is verified against the PEM file of
 *   --google_play-public-key (rw_jwt_verify), iss must be
 *   --google_play-client-email, aud Google's token URL or this endpoint's
 *   own URL, scope a Google scope, iat at most a minute ahead, exp after now
 *   and at most an hour after iat; anything else is invalid_grant.
 *
 * Answers are RFC 6749 5.1 ({access_token, expires_in, scope, token_type})
 * and 5.2 ({error, error_description}). Access tokens carry the scopes of
 * their grant and expire after access_ttl (POST /_fake/google_oauth/config);
 * Business Profile and Play check them (fake_google_api_auth). Nothing here
 * logs or answers a credential.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/rand.h>
#include <replywatch/signin.h>

#include "fake_reviews.h"

#define DEFAULT_TTL_S 3599 /* what Google's endpoint answers */
#define GRANT_REFRESH "refresh_token"
#define GRANT_JWT "urn:ietf:params:oauth:grant-type:jwt-bearer"
#define SKEW_MS (60 * 1000)
#define MAX_LIFETIME_S 3600

enum grant { G_REFRESH, G_JWT };

struct token {
	char value[64]; /* "ya29.rwfake." + hex */
	int64_t exp_ms;
	enum grant grant;
	char *scope; /* space-separated */
};

struct oauth {
	struct token *v;
	size_t n;
	size_t cap;
	bool refresh_revoked;
	bool sa_revoked;
	long ttl_s;
};

/* A token endpoint error: why (the auth hook's reason) -> status and body. */
struct oauth_error {
	const char *why;
	unsigned status;
	const char *error;
	const char *description;
};

static const struct oauth_error oauth_errors[] = {
	{"no_grant", 400, "invalid_request", "Missing required parameter: grant_type"},
	{"bad_grant", 400, "unsupported_grant_type", "Invalid grant_type"},
	{"no_client", 400, "invalid_request", "Missing required parameter: client_id"},
	{"client", 401, "invalid_client", "The OAuth client was not found."},
	{"secret", 401, "invalid_client", "Unauthorized"},
	{"no_refresh", 400, "invalid_request", "Missing required parameter: refresh_token"},
	{"refresh", 400, "invalid_grant", "Bad Request"},
	{"revoked", 400, "invalid_grant", "Token has been expired or revoked."},
	{"no_assertion", 400, "invalid_request", "Missing required parameter: assertion"},
	{"signature", 400, "invalid_grant", "Invalid JWT Signature."},
	{"iss", 400, "invalid_grant", "Invalid email or User ID"},
	{"aud", 400, "invalid_grant", "Invalid JWT: Failed audience check."},
	{"scope", 400, "invalid_grant", "Invalid OAuth scope or ID token audience provided."},
	{"time", 400, "invalid_grant",
	 "Invalid JWT: Token must be a short-lived token (60 minutes) and in a reasonable "
	 "timeframe. Check your iat and exp values in the JWT claim."},
};

static int
oauth_index(void)
{
	return fake_platform_from_name("google_oauth");
}

/* The endpoint's state, made on first use; NULL when out of memory. */
static struct oauth *
oauth_of(struct fake_state *st)
{
	int p = oauth_index();
	struct oauth *o;

	if (p < 0)
		return NULL;
	if ((o = st->own[p]) == NULL && (o = calloc(1, sizeof(*o))) != NULL) {
		o->ttl_s = DEFAULT_TTL_S;
		st->own[p] = o;
	}
	return o;
}

static void
token_forget(struct token *t)
{
	OPENSSL_cleanse(t->value, sizeof(t->value));
	free(t->scope);
	t->scope = NULL;
}

/* Drops every token issued by grant g. */
static void
drop_grant(struct oauth *o, enum grant g)
{
	size_t k = 0;

	for (size_t i = 0; i < o->n; i++) {
		if (o->v[i].grant == g)
			token_forget(&o->v[i]);
		else
			o->v[k++] = o->v[i];
	}
	o->n = k;
}

void
fake_google_revoke_refresh(struct fake_state *st, bool revoked)
{
	struct oauth *o = oauth_of(st);

	if (o == NULL)
		return;
	o->refresh_revoked = revoked;
	if (revoked)
		drop_grant(o, G_REFRESH);
}

void
fake_google_revoke_service_account(struct fake_state *st, bool revoked)
{
	struct oauth *o = oauth_of(st);

	if (o == NULL)
		return;
	o->sa_revoked = revoked;
	if (revoked)
		drop_grant(o, G_JWT);
}

void
fake_google_expire_all(struct fake_state *st)
{
	struct oauth *o = oauth_of(st);
	int64_t now = fake_now_ms();

	for (size_t i = 0; o != NULL && i < o->n; i++)
		if (o->v[i].exp_ms > now)
			o->v[i].exp_ms = now;
}

/* True when the space-separated list has word. */
static bool
has_word(const char *list, const char *word)
{
	size_t len = strlen(word);

	for (const char *s = list; s != NULL && *s != '\0';) {
		size_t n = strcspn(s, " ");

		if (n == len && strncmp(s, word, len) == 0)
			return true;
		s += n;
		s += strspn(s, " ");
	}
	return false;
}

enum fake_auth
fake_google_token_check(struct fake_state *st, const char *token, const char *scope,
			const char **why)
{
	struct oauth *o = oauth_of(st);

	for (size_t i = 0; o != NULL && i < o->n; i++) {
		if (strcmp(o->v[i].value, token) != 0)
			continue;
		if (o->v[i].exp_ms <= fake_now_ms())
			return FAKE_AUTH_EXPIRED;
		if (!has_word(o->v[i].scope, scope)) {
			*why = "insufficient_scope";
			return FAKE_AUTH_WRONG;
		}
		return FAKE_AUTH_OK;
	}
	return FAKE_AUTH_WRONG;
}

/* ---- the grants ---- */

/* The form body of req parsed like a query (caller fake_req_frees), NULL. */
static struct fake_req *
form_parse(const struct fake_req *req)
{
	struct fake_req *f = calloc(1, sizeof(*f));

	if (f == NULL)
		return NULL;
	f->uri = fake_sprintf("?%.*s", (int)req->body_len, req->body ? req->body : "");
	if (f->uri == NULL || fake_req_parse_uri(f) == -1) {
		fake_req_free(f);
		return NULL;
	}
	return f;
}

/* The value of option key of platform name (NULL when it has none). */
static const char *
option_of(const struct fake_state *st, const char *name, const char *key)
{
	int p = fake_platform_from_name(name);

	return p < 0 ? NULL : fake_option(st, (enum fake_platform)p, key);
}

static bool
same(const char *a, const char *b)
{
	return a != NULL && b != NULL && *b != '\0' && strcmp(a, b) == 0;
}

static enum fake_auth
refresh_grant(struct fake_state *st, const struct fake_req *form, const char **why)
{
	const char *id = fake_param(form, "client_id");
	const char *secret = fake_param(form, "client_secret");
	const char *refresh = fake_param(form, "refresh_token");
	struct oauth *o = oauth_of(st);

	*why = id == NULL ? "no_client" : refresh == NULL ? "no_refresh" : NULL;
	if (*why != NULL)
		return FAKE_AUTH_MISSING;
	if (!same(id, option_of(st, "google_business", "client-id")))
		*why = "client";
	else if (!same(secret, option_of(st, "google_business", "client-secret")))
		*why = "secret";
	else if (!same(refresh, option_of(st, "google_business", "refresh-token")))
		*why = "refresh";
	else if (o == NULL || o->refresh_revoked)
		*why = "revoked";
	return *why == NULL ? FAKE_AUTH_OK : FAKE_AUTH_WRONG;
}

/* The claims of a Google service account assertion, checked: reason in *why. */
static enum fake_auth
check_assertion_claims(const struct fake_state *st, const struct fake_req *req, json_t *claims,
		       const char **why)
{
	const char *iss = json_string_value(json_object_get(claims, "iss"));
	const char *aud = json_string_value(json_object_get(claims, "aud"));
	const char *scope = json_string_value(json_object_get(claims, "scope"));
	json_t *iat = json_object_get(claims, "iat"), *exp = json_object_get(claims, "exp");
	char *own = fake_sprintf("http://%s%s", req->host ? req->host : "", req->path);
	int64_t now = fake_now_ms(), iat_ms, exp_ms;
	bool aud_ok = same(aud, FAKE_GOOGLE_TOKEN_URL) || same(aud, own);

	free(own);
	iat_ms = (int64_t)(json_number_value(iat) * 1000);
	exp_ms = (int64_t)(json_number_value(exp) * 1000);
	if (!same(iss, option_of(st, "google_play", "client-email")))
		*why = "iss";
	else if (!aud_ok)
		*why = "aud";
	else if (scope == NULL ||
		 (!has_word(scope, FAKE_SCOPE_PLAY) && !has_word(scope, FAKE_SCOPE_GBP)))
		*why = "scope";
	else if (!json_is_number(iat) || !json_is_number(exp) || iat_ms > now + SKEW_MS ||
		 exp_ms <= now || exp_ms > iat_ms + MAX_LIFETIME_S * 1000LL)
		*why = "time";
	else
		return FAKE_AUTH_OK;
	return strcmp(*why, "time") == 0 ? FAKE_AUTH_EXPIRED : FAKE_AUTH_WRONG;
}

static enum fake_auth
jwt_grant(struct fake_state *st, const struct fake_req *req, const struct fake_req *form,
	  const char **why)
{
	const char *assertion = fake_param(form, "assertion");
	char *pem = fake_read_pem(option_of(st, "google_play", "public-key"));
	struct oauth *o = oauth_of(st);
	enum fake_auth a = FAKE_AUTH_WRONG;
	json_t *claims = NULL;
	char err[128];

	if (assertion == NULL) {
		*why = "no_assertion";
		a = FAKE_AUTH_MISSING;
		goto done;
	}
	/* rw_jwt_verify takes only the alg the key is for: RS256 with an RSA key. */
	*why = "signature";
	if (pem == NULL || o == NULL || o->sa_revoked ||
	    (claims = rw_jwt_verify(assertion, pem, err, sizeof(err))) == NULL)
		goto done;
	a = check_assertion_claims(st, req, claims, why);
done:
	json_decref(claims);
	free(pem);
	return a;
}

/* The token route's auth hook: the whole grant is checked here, so the
 * request log says how the credentials stood; the handler only issues. */
static enum fake_auth
oauth_auth(struct fake_state *st, const struct fake_req *req, int ep, const char **why)
{
	struct fake_req *form;
	const char *grant;
	enum fake_auth a = FAKE_AUTH_WRONG;

	if (ep < 0)
		return FAKE_AUTH_MISSING;
	if ((form = form_parse(req)) == NULL) {
		*why = "no_grant";
		return FAKE_AUTH_MISSING;
	}
	grant = fake_param(form, "grant_type");
	if (grant == NULL) {
		*why = "no_grant";
		a = FAKE_AUTH_MISSING;
	} else if (strcmp(grant, GRANT_REFRESH) == 0) {
		a = refresh_grant(st, form, why);
	} else if (strcmp(grant, GRANT_JWT) == 0) {
		a = jwt_grant(st, req, form, why);
	} else {
		*why = "bad_grant";
	}
	fake_req_free(form);
	return a;
}

/* POST /token, the grant already checked: a new access token. */
static void
oauth_token(struct fake_state *st, struct fake_req *req, struct fake_resp *resp)
{
	struct fake_req *form = form_parse(req);
	struct oauth *o = oauth_of(st);
	const char *grant = form ? fake_param(form, "grant_type") : NULL;
	unsigned char rnd[20];
	json_t *claims = NULL;
	struct token t = {0};
	const char *scope;
	char hex[41];

	if (form == NULL || o == NULL || grant == NULL || RAND_bytes(rnd, sizeof(rnd)) != 1 ||
	    fake_grow((void **)&o->v, &o->cap, o->n, sizeof(*o->v)) == -1)
		goto fail;
	for (size_t i = 0; i < sizeof(rnd); i++)
		snprintf(hex + 2 * i, 3, "%02x", rnd[i]);
	snprintf(t.value, sizeof(t.value), "ya29.rwfake.%s", hex);
	t.exp_ms = fake_now_ms() + o->ttl_s * 1000LL;
	t.grant = strcmp(grant, GRANT_REFRESH) == 0 ? G_REFRESH : G_JWT;
	if (t.grant == G_JWT)
		claims = rw_jwt_claims(fake_param(form, "assertion"));
	scope = json_string_value(json_object_get(claims, "scope"));
	t.scope = strdup(t.grant == G_REFRESH ? FAKE_SCOPE_GBP : scope ? scope : "");
	json_decref(claims);
	if (t.scope == NULL)
		goto fail;
	o->v[o->n++] = t;
	fake_resp_json(resp, 200,
		       json_pack("{s:s, s:I, s:s, s:s}", "access_token", t.value, "expires_in",
				 (json_int_t)o->ttl_s, "scope", t.scope, "token_type", "Bearer"));
	fake_resp_header(resp, "Cache-Control", "no-store");
	fake_resp_header(resp, "Pragma", "no-cache");
	fake_req_free(form);
	return;
fail:
	fake_req_free(form);
	fake_resp_json(resp, 500,
		       json_pack("{s:s, s:s}", "error", "server_error", "error_description",
				 "Internal error"));
}

/* ---- the descriptor ---- */

/* RFC 6749 5.2: {"error": name, "error_description": msg}. */
static void
oauth_error(struct fake_resp *r, unsigned status, const char *name, const char *msg)
{
	fake_resp_json(r, status, json_pack("{s:s, s:s}", "error", name, "error_description", msg));
	fake_resp_header(r, "Cache-Control", "no-store");
}

static void
oauth_auth_fail(struct fake_resp *r, int ep, const char *why)
{
	(void)ep;
	for (size_t i = 0; i < sizeof(oauth_errors) / sizeof(oauth_errors[0]); i++) {
		if (strcmp(oauth_errors[i].why, why) == 0) {
			oauth_error(r, oauth_errors[i].status, oauth_errors[i].error,
				    oauth_errors[i].description);
			return;
		}
	}
	oauth_error(r, 401, "invalid_client", "Unauthorized");
}

static void
oauth_fault(struct fake_resp *r, enum fake_fault_kind kind)
{
	if (kind == FAKE_F_403)
		oauth_error(r, 403, "access_denied", "Forbidden");
	else if (kind == FAKE_F_503)
		oauth_error(r, 503, "temporarily_unavailable", "Service unavailable");
	else
		oauth_error(r, kind == FAKE_F_502 ? 502 : 500, "server_error", "Internal error");
}

static void
oauth_not_found(struct fake_resp *r)
{
	oauth_error(r, 404, "invalid_request", "Not Found");
}

static void
oauth_too_many(struct fake_resp *r, const struct fake_limit *l, long retry_after, int64_t now)
{
	(void)l;
	(void)now;
	oauth_error(r, 429, "rate_limit_exceeded", "Rate Limit Exceeded");
	if (retry_after >= 0)
		fake_resp_header(r, "Retry-After", "%ld", retry_after);
}

static json_t *
oauth_state(const struct fake_state *st, enum fake_platform p)
{
	const struct oauth *o = st->own[p];
	size_t live = 0;
	int64_t now = fake_now_ms();

	for (size_t i = 0; o != NULL && i < o->n; i++)
		live += o->v[i].exp_ms > now;
	return json_pack("{s:I, s:I, s:I, s:b, s:b, s:o}", "access_tokens",
			 (json_int_t)(o ? o->n : 0), "live", (json_int_t)live, "access_ttl",
			 (json_int_t)(o ? o->ttl_s : DEFAULT_TTL_S), "refresh_revoked",
			 o != NULL && o->refresh_revoked, "service_account_revoked",
			 o != NULL && o->sa_revoked, "rate_limits", fake_limits_json(st, p));
}

/* "access_ttl": the lifetime of access tokens issued from now on. */
static void
oauth_config(struct fake_state *st, json_t *body)
{
	json_t *ttl = json_object_get(body, "access_ttl");
	struct oauth *o = oauth_of(st);

	if (o != NULL && json_is_integer(ttl))
		o->ttl_s = (long)json_integer_value(ttl);
}

bool
fake_google_own_fault(struct fake_state *st, const char *kind, struct fake_resp *resp)
{
	if (strcmp(kind, "expire_token") != 0)
		return false;
	fake_google_expire_all(st);
	fake_resp_json(resp, 200, json_pack("{s:b}", "expired", 1));
	return true;
}

/* Reset keeps the issued tokens (as for Bluesky's sessions) and restores the
 * lifetime and the credentials. */
static void
oauth_reset(struct fake_state *st, enum fake_platform p)
{
	struct oauth *o = st->own[p];

	if (o == NULL)
		return;
	o->ttl_s = DEFAULT_TTL_S;
	o->refresh_revoked = o->sa_revoked = false;
}

static void
oauth_free(struct fake_state *st, enum fake_platform p)
{
	struct oauth *o = st->own[p];

	if (o == NULL)
		return;
	for (size_t i = 0; i < o->n; i++)
		token_forget(&o->v[i]);
	free(o->v);
	free(o);
	st->own[p] = NULL;
}

static const struct fake_route_def oauth_routes[] = {
	{"POST", "/token", "token", oauth_token},
	{"POST", "/oauth2/v4/token", "token", oauth_token},
};

const struct fake_platform_def fake_google_oauth_def = {
	.name = "google_oauth",
	.prefix = "/oauth2/",
	.routes = oauth_routes,
	.nroutes = sizeof(oauth_routes) / sizeof(oauth_routes[0]),
	.auth = oauth_auth,
	.error = oauth_error,
	.auth_fail = oauth_auth_fail,
	.fault = oauth_fault,
	.not_found = oauth_not_found,
	.too_many = oauth_too_many,
	.limit_headers = fake_google_limit_headers,
	.state = oauth_state,
	.config = oauth_config,
	.own_fault = fake_google_own_fault,
	.reset = oauth_reset,
	.free = oauth_free,
};
