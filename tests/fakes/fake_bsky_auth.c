/*
 * fake_bsky_auth.c: Bluesky sessions. createSession checks the identifier
 * and app password and issues an access JWT (expires after the access TTL)
 * and a refresh JWT (60 days); refreshSession trades a refresh JWT, once,
 * for a new pair. The JWTs are real-looking HS256 tokens signed with a key
 * made at start; the fake recognises them by exact match.
 */
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "fake.h"

#define REFRESH_TTL_S (60L * 86400)
#define AUDIENCE "did:web:bsky.social"
#define BRAND_EMAIL "support@acme.example"

static void
token_wipe(struct fake_token *t)
{
	if (t->jwt != NULL) {
		explicit_bzero(t->jwt, strlen(t->jwt));
		free(t->jwt);
	}
	memset(t, 0, sizeof(*t));
}

void
fake_bsky_tokens_free(struct fake_state *st)
{
	for (size_t i = 0; i < st->ntokens; i++)
		token_wipe(&st->tokens[i]);
	free(st->tokens);
	st->tokens = NULL;
	st->ntokens = 0;
	st->tokens_cap = 0;
}

/* base64url of a JSON value's compact text (caller frees). */
static char *
b64_json(json_t *v)
{
	char *s = v ? json_dumps(v, JSON_COMPACT) : NULL, *out;

	json_decref(v);
	if (s == NULL)
		return NULL;
	out = fake_b64url(s, strlen(s));
	free(s);
	return out;
}

/* A signed JWT for the brand expiring at exp_ms (caller frees). */
static char *
make_jwt(struct fake_state *st, bool refresh, int64_t now_ms, int64_t exp_ms)
{
	unsigned char jti_raw[16], mac[EVP_MAX_MD_SIZE];
	unsigned int maclen = 0;
	char *jti = NULL, *head = NULL, *body = NULL, *signing = NULL, *sig = NULL, *jwt = NULL;

	if (RAND_bytes(jti_raw, sizeof(jti_raw)) != 1)
		return NULL;
	jti = fake_b64url(jti_raw, sizeof(jti_raw));
	if (jti == NULL)
		goto done;
	head = b64_json(
		json_pack("{s:s, s:s}", "typ", refresh ? "refresh+jwt" : "at+jwt", "alg", "HS256"));
	body = b64_json(json_pack("{s:s, s:s, s:s, s:s, s:I, s:I}", "scope",
				  refresh ? "com.atproto.refresh" : "com.atproto.appPass", "sub",
				  FAKE_BSKY_BRAND_DID, "aud", AUDIENCE, "jti", jti, "iat",
				  (json_int_t)(now_ms / 1000), "exp", (json_int_t)(exp_ms / 1000)));
	if (head == NULL || body == NULL)
		goto done;
	signing = fake_sprintf("%s.%s", head, body);
	if (signing == NULL ||
	    HMAC(EVP_sha256(), st->jwt_key, sizeof(st->jwt_key), (const unsigned char *)signing,
		 strlen(signing), mac, &maclen) == NULL)
		goto done;
	sig = fake_b64url(mac, maclen);
	if (sig != NULL)
		jwt = fake_sprintf("%s.%s", signing, sig);
done:
	free(jti);
	free(head);
	free(body);
	free(signing);
	free(sig);
	return jwt;
}

/* Issues a token and keeps it; returns it (owned by st) or NULL. */
static const char *
issue(struct fake_state *st, bool refresh, int64_t now)
{
	int64_t exp = now + (refresh ? REFRESH_TTL_S : st->access_ttl_s) * 1000;
	struct fake_token *t;

	if (st->ntokens == st->tokens_cap) {
		size_t cap = st->tokens_cap ? st->tokens_cap * 2 : 16;

		t = realloc(st->tokens, cap * sizeof(*t));
		if (t == NULL)
			return NULL;
		st->tokens = t;
		st->tokens_cap = cap;
	}
	t = &st->tokens[st->ntokens];
	memset(t, 0, sizeof(*t));
	t->jwt = make_jwt(st, refresh, now, exp);
	if (t->jwt == NULL)
		return NULL;
	t->exp_ms = exp;
	t->refresh = refresh;
	st->ntokens++;
	return t->jwt;
}

static struct fake_token *
find(struct fake_state *st, const char *jwt)
{
	for (size_t i = 0; jwt != NULL && i < st->ntokens; i++) {
		if (strcmp(st->tokens[i].jwt, jwt) == 0)
			return &st->tokens[i];
	}
	return NULL;
}

/* Whether the createSession body names the brand and its password. */
static enum fake_auth
login_auth(struct fake_state *st, const struct fake_req *req, const char **why)
{
	json_t *body = req->body ? json_loadb(req->body, req->body_len, 0, NULL) : NULL;
	const char *id = json_string_value(json_object_get(body, "identifier"));
	const char *pw = json_string_value(json_object_get(body, "password"));
	enum fake_auth a;

	if (id == NULL || pw == NULL) {
		*why = "InvalidRequest";
		a = FAKE_AUTH_MISSING;
	} else if ((strcasecmp(id, fake_option(st, FAKE_BLUESKY, "identifier")) == 0 ||
		    strcmp(id, FAKE_BSKY_BRAND_DID) == 0 || strcasecmp(id, BRAND_EMAIL) == 0) &&
		   strcmp(pw, fake_option(st, FAKE_BLUESKY, "password")) == 0) {
		a = FAKE_AUTH_OK;
	} else {
		*why = "AuthenticationRequired";
		a = FAKE_AUTH_WRONG;
	}
	json_decref(body);
	return a;
}

enum fake_auth
fake_bsky_auth(struct fake_state *st, const struct fake_req *req, int ep, const char **why)
{
	const char *bearer = fake_req_bearer(req);
	const struct fake_token *t;
	bool want_refresh = ep == fake_endpoint_index(FAKE_BLUESKY, "refreshSession");

	*why = "AuthenticationRequired";
	if (ep == fake_endpoint_index(FAKE_BLUESKY, "createSession"))
		return login_auth(st, req, why);
	if (bearer == NULL || *bearer == '\0')
		return bearer == NULL ? FAKE_AUTH_MISSING : FAKE_AUTH_WRONG;
	t = find(st, bearer);
	if (t == NULL) {
		if (want_refresh)
			*why = "InvalidToken";
		return FAKE_AUTH_WRONG;
	}
	if (t->refresh != want_refresh) {
		*why = "InvalidToken";
		return FAKE_AUTH_WRONG;
	}
	if (t->used || fake_now_ms() >= t->exp_ms) {
		*why = "ExpiredToken";
		return FAKE_AUTH_EXPIRED;
	}
	return FAKE_AUTH_OK;
}

void
fake_bsky_expire_all(struct fake_state *st)
{
	int64_t now = fake_now_ms();

	for (size_t i = 0; i < st->ntokens; i++) {
		if (!st->tokens[i].refresh && st->tokens[i].exp_ms > now)
			st->tokens[i].exp_ms = now;
	}
}

/* Answers a new session: a fresh access and refresh JWT. */
static void
session(struct fake_state *st, struct fake_resp *resp)
{
	int64_t now = fake_now_ms();
	const char *access = issue(st, false, now);
	const char *refresh = access ? issue(st, true, now) : NULL;

	if (refresh == NULL) {
		fake_resp_error(resp, FAKE_BLUESKY, 500, "InternalServerError",
				"Internal Server Error");
		return;
	}
	fake_resp_json(resp, 200,
		       json_pack("{s:s, s:s, s:s, s:b, s:b, s:s, s:s, s:b}", "did",
				 FAKE_BSKY_BRAND_DID, "handle",
				 st->p[FAKE_BLUESKY].accounts[0].handle, "email", BRAND_EMAIL,
				 "emailConfirmed", 1, "emailAuthFactor", 0, "accessJwt", access,
				 "refreshJwt", refresh, "active", 1));
}

void
fake_bsky_create_session(struct fake_state *st, struct fake_req *req, struct fake_resp *resp)
{
	(void)req;
	session(st, resp);
}

void
fake_bsky_refresh_session(struct fake_state *st, struct fake_req *req, struct fake_resp *resp)
{
	struct fake_token *t = find(st, fake_req_bearer(req));

	if (t != NULL)
		t->used = true;
	session(st, resp);
}
