/*
 * signin: what the connectors that must sign in share (issue 11, docs/signin.md).
 *
 *   - private keys from PEM text, checked for the algorithm they serve;
 *   - JWTs: RS256 and ES256 signing (OpenSSL EVP_DigestSign; ES256 in JOSE's
 *     raw r||s form), the Google service-account assertion and Apple's App
 *     Store Connect token, and reading a JWT's claims (its "exp") unverified;
 *   - OAuth 2.0 token requests (refresh_token, JWT-bearer, password with
 *     HTTP Basic client auth) and their answers (RFC 6749 5.1 and 5.2);
 *   - a token cache per source that decides when to renew.
 *
 * This module does no I/O. A connector builds a token request here, sends it
 * with rw_poll_request (connector.h), and hands the answer back here. Every
 * secret (key, client secret, refresh token, assertion, access token) travels
 * in a request body or a header, never a URL; no error string made here ever
 * quotes one, nor the body of an answer.
 *
 * Every function is pure apart from memory and may be called from any
 * callback of the loop; a token cache belongs to one source.
 */
#ifndef REPLYWATCH_SIGNIN_H
#define REPLYWATCH_SIGNIN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "replywatch/b64.h"
#include "replywatch/connector.h"

/* ---- keys ---- */

enum rw_jwt_alg {
	RW_JWT_RS256, /* RSASSA-PKCS1-v1_5 SHA-256: an RSA key of 2048 bits or more */
	RW_JWT_ES256, /* ECDSA P-256 SHA-256: an EC key on prime256v1 */
};

/* A private key ready to sign with one algorithm (an EVP_PKEY inside). */
struct rw_signin_key;

/*
 * Loads a private key from PEM text of len bytes ("-----BEGIN PRIVATE
 * KEY-----" PKCS#8 as Google's key files and Apple's .p8 files hold, or the
 * traditional "RSA PRIVATE KEY" / "EC PRIVATE KEY"; never encrypted) for alg.
 * Returns the key (free with rw_signin_key_free), or NULL with err set to a
 * reason that names the key's type but never quotes the key: "key: not a PEM
 * private key (malformed or encrypted)", "key: RS256 needs an RSA key, this
 * is EC", "key: RSA key of 1024 bits (RS256 needs 2048 or more)", "key:
 * ES256 needs an EC P-256 key, this is RSA", "key: ES256 needs a P-256 key,
 * this EC key is on another curve".
 */
struct rw_signin_key *rw_signin_key_load(const char *pem, size_t len, enum rw_jwt_alg alg,
					 char *err, size_t errlen);
void rw_signin_key_free(struct rw_signin_key *key);

/*
 * A Google service account's JSON key file (the "type": "service_account"
 * document the console downloads): *client_email (caller frees) and the key
 * of its "private_key" field, loaded for RS256 (caller frees). Returns 0, or
 * -1 with err ("google key: not JSON", "google key: no client_email",
 * "google key: no private_key", or a rw_signin_key_load reason); nothing is
 * left allocated then. The file's own token_uri is not used: the token URL
 * is the source's token_url parameter.
 */
int rw_signin_google_key(const char *json, size_t len, char **client_email,
			 struct rw_signin_key **key, char *err, size_t errlen);

/* ---- JWT ---- */

/*
 * A compact JWS of claims (a JSON object, borrowed) signed with key:
 * header {"alg": RS256|ES256, "typ": "JWT"} plus "kid" when kid is not NULL.
 * ES256 signatures are the 64 bytes r||s (RFC 7518 3.4), not DER. Returns
 * the JWT (a secret: wipe and free), or NULL with err when claims is not an
 * object or signing fails.
 */
char *rw_jwt_sign(const struct rw_signin_key *key, const char *kid, const json_t *claims, char *err,
		  size_t errlen);

/*
 * Signs signing_input (header "." payload, exactly as given) with key and
 * returns the base64url signature (caller frees), or NULL with err. The
 * step rw_jwt_sign ends with, given for tests against published vectors.
 */
char *rw_jwt_signature(const struct rw_signin_key *key, const char *signing_input, char *err,
		       size_t errlen);

/* The Google service account assertion (RFC 7523 JWT-bearer, RS256):
 * iss = client_email, scope (space-separated scopes), aud = audience (the
 * token URL, or the source's "audience" parameter), iat = now, exp = now +
 * 1 h (Google's maximum). NULL with err as rw_jwt_sign. */
#define RW_JWT_GOOGLE_LIFETIME_S 3600
char *rw_jwt_google_assertion(const struct rw_signin_key *key, const char *client_email,
			      const char *scope, const char *audience, int64_t now_ms, char *err,
			      size_t errlen);

/* The App Store Connect bearer token (ES256): header kid = key_id, typ JWT;
 * iss = issuer_id, iat = now, exp = now + lifetime_s (1 to 1200 s, Apple's
 * 20-minute maximum; any other value becomes 1200), aud = audience (NULL:
 * "appstoreconnect-v1"). Send it as "Authorization: Bearer"; keep it in a
 * rw_token_cache with rw_token_cache_set(c, jwt, lifetime_s, now_ms). */
#define RW_JWT_APPLE_LIFETIME_S 1200
#define RW_JWT_APPLE_AUDIENCE "appstoreconnect-v1"
char *rw_jwt_apple_token(const struct rw_signin_key *key, const char *key_id, const char *issuer_id,
			 const char *audience, int lifetime_s, int64_t now_ms, char *err,
			 size_t errlen);

/* JOSE's ES256 signature (64 bytes r||s) from a DER ECDSA-Sig-Value and back,
 * for signing here and for verifiers (the fakes, tests). Return 0 or -1 (not
 * DER / not 64 bytes / memory); *der from rw_jose_to_der is freed with free. */
int rw_jose_from_der(const unsigned char *der, size_t derlen, unsigned char rs[64]);
int rw_jose_to_der(const unsigned char rs[64], unsigned char **der, size_t *derlen);

/*
 * Verifies jwt's signature with a public key (PEM, "-----BEGIN PUBLIC
 * KEY-----") for the alg its header names (RS256 or ES256 only; "none" and
 * anything else are refused) and returns its claims (caller decrefs), or
 * NULL with err. Times are not checked: the caller compares exp/iat to its
 * clock. For the fakes and tests; the daemon never verifies.
 */
json_t *rw_jwt_verify(const char *jwt, const char *public_pem, char *err, size_t errlen);

/* The claims of a JWT (its payload, base64url JSON) without checking the
 * signature, or NULL when jwt has not three parts or the payload is not a
 * JSON object of at most 16 KiB. Caller decrefs. */
json_t *rw_jwt_claims(const char *jwt);

/* The "exp" claim of a JWT in ms (an integer, or a number, of seconds), or 0
 * when it cannot be read or is not positive. The signature is not checked
 * (the server that issued it does that). */
int64_t rw_jwt_expiry_ms(const char *jwt);

/* A header line "NAME: VALUE" carrying a secret (Trustpilot's "apikey"),
 * freed with rw_bearer_free (which wipes it); NULL when value is empty or
 * holds a character a header cannot (CR, LF, other controls), or memory
 * fails. */
char *rw_signin_header_line(const char *name, const char *value);

/* ---- OAuth 2.0 token endpoint (RFC 6749) ---- */

enum rw_grant {
	RW_GRANT_REFRESH_TOKEN, /* Google Business Profile: an authorised user's refresh token */
	RW_GRANT_JWT_BEARER,    /* Google Play: a service account's signed assertion */
	RW_GRANT_PASSWORD,      /* Trustpilot private API: a business user, Basic apikey:secret */
};

/* A token request to send with rw_poll_request(poll, endpoint, req.url,
 * rw_token_request_headers(&req), req.body, RW_TOKEN_SEE, fn). Owns its
 * strings; body and headers hold secrets and are wiped by
 * rw_token_request_clear. */
#define RW_TOKEN_HEADERS_MAX 3
struct rw_token_request {
	char *url;                               /* the token_url, unchanged */
	char *body;                              /* application/x-www-form-urlencoded */
	char *headers[RW_TOKEN_HEADERS_MAX + 1]; /* NULL-terminated header lines */
};

/* The statuses a token endpoint answers errors with (400; 401 for
 * invalid_client), to pass as rw_poll_request's see: 0-ended. */
extern const int RW_TOKEN_SEE[];

/*
 * Build a token request into *req (zeroed first). Values are form-escaped;
 * the Content-Type header is always set. Returns 0, or -1 with err ("token
 * request: no client_id", "... no refresh_token", "... token_url must be
 * http(s)", "out of memory"); *req holds nothing then.
 *
 * refresh: grant_type=refresh_token&client_id=..&client_secret=..&refresh_token=..
 * jwt_bearer: grant_type=urn:ietf:params:oauth:grant-type:jwt-bearer&assertion=..
 * password: grant_type=password&username=..&password=.., with
 *   "Authorization: Basic base64(client_id:client_secret)" (RFC 6749 2.3.1:
 *   each form-escaped first); Trustpilot's client_id is the API key.
 */
int rw_token_request_refresh(struct rw_token_request *req, const char *token_url,
			     const char *client_id, const char *client_secret,
			     const char *refresh_token, char *err, size_t errlen);
/* refresh_basic: grant_type=refresh_token&refresh_token=.. with the client
 * in "Authorization: Basic" as for password (Reddit). */
int rw_token_request_refresh_basic(struct rw_token_request *req, const char *token_url,
				   const char *client_id, const char *client_secret,
				   const char *refresh_token, char *err, size_t errlen);
int rw_token_request_jwt_bearer(struct rw_token_request *req, const char *token_url,
				const char *assertion, char *err, size_t errlen);
int rw_token_request_password(struct rw_token_request *req, const char *token_url,
			      const char *client_id, const char *client_secret,
			      const char *username, const char *password, char *err, size_t errlen);
/* The Google service account's whole token request: the assertion of
 * rw_jwt_google_assertion (made at now_ms, wiped once in the body) sent with
 * the JWT-bearer grant. 0, or -1 with err as the two calls give it. */
int rw_token_request_google_sa(struct rw_token_request *req, const char *token_url,
			       const struct rw_signin_key *key, const char *client_email,
			       const char *scope, const char *audience, int64_t now_ms, char *err,
			       size_t errlen);
/* The headers as rw_poll_request takes them. */
const char *const *rw_token_request_headers(const struct rw_token_request *req);
/* Wipes and frees what req holds and zeroes it; NULL is fine. */
void rw_token_request_clear(struct rw_token_request *req);

/* What a token answer means. */
enum rw_token_result {
	RW_TOKEN_OK,        /* the cache holds the new token */
	RW_TOKEN_REVOKED,   /* invalid_grant: the grant no longer works (source down) */
	RW_TOKEN_CLIENT,    /* invalid_client / unauthorized_client (source down) */
	RW_TOKEN_REFUSED,   /* invalid_request, invalid_scope, unsupported_grant_type,
			       another error code or status (source down: configuration) */
	RW_TOKEN_MALFORMED, /* not JSON, too large, no usable access_token or expires_in */
};

/* How a poll ends for a result other than RW_TOKEN_OK: RW_POLL_AUTH_ERROR for
 * revoked, client and refused, RW_POLL_MALFORMED for malformed. */
enum rw_poll_result rw_token_poll_result(enum rw_token_result r);

struct rw_token_cache;

/*
 * Reads a token endpoint's answer (status, body of len bytes) for grant. A
 * 2xx JSON object with access_token (printable ASCII, at most 16 KiB: it
 * becomes a header), expires_in (seconds, a number or a digit string,
 * 1 s to 1 year; absent: RW_TOKEN_DEFAULT_LIFETIME_S) and token_type
 * "Bearer" in any case (or absent) is stored in cache at now_ms and gives
 * RW_TOKEN_OK. Anything else leaves cache unchanged and returns another
 * result with reason set to a sentence a person can act on, naming the
 * grant's credential but never quoting it or the answer: for invalid_grant
 * "refresh token revoked or expired: authorise again" (refresh),
 * "service account assertion refused: check the key is active and the
 * clock" (jwt_bearer), "username or password refused" (password); for
 * invalid_client "client id/secret rejected". Bodies over 64 KiB are
 * malformed. Secrets inside the parsed answer are wiped before it is freed.
 * Ends the cache's renewing state whatever the answer.
 */
#define RW_TOKEN_DEFAULT_LIFETIME_S 3600
#define RW_TOKEN_ANSWER_MAX 65536
enum rw_token_result rw_token_answer(enum rw_grant grant, int status, const char *body, size_t len,
				     int64_t now_ms, struct rw_token_cache *cache, char *reason,
				     size_t reasonlen);

/* ---- token cache ---- */

/*
 * One source's access token. Zero it (or use RW_TOKEN_CACHE_INIT) to start
 * empty; rw_token_cache_clear wipes and frees. The token and its header are
 * wiped whenever they are replaced or dropped.
 *
 * Renewal rule: a token obtained at t0 that expires at t1 (lifetime
 * L = t1 - t0) is renewed from t1 - min(5 min, L / 2) on, so a 1 h token is
 * renewed 5 min early and a 60 s token after 30 s, not on every poll.
 */
#define RW_TOKEN_MARGIN_MAX_MS (5 * 60 * 1000)
struct rw_token_cache {
	char *token;  /* NULL: none */
	char *header; /* "Authorization: Bearer TOKEN" */
	int64_t obtained_ms;
	int64_t expires_ms;
	bool renewing;      /* a token request is in flight: no bearer header */
	bool refused;       /* a 401 dropped the last token; the next one is its retry */
	bool after_refusal; /* this token is that retry */
};
#define RW_TOKEN_CACHE_INIT                                                                        \
	{                                                                                          \
		0                                                                                  \
	}

/* Stores token (copied) valid for lifetime_s from now_ms, replacing (and
 * wiping) the previous one. Returns 0, or -1 when token is empty, holds a
 * character a header cannot, or memory fails (the cache is then empty). */
int rw_token_cache_set(struct rw_token_cache *cache, const char *token, int64_t lifetime_s,
		       int64_t now_ms);

/* The instant from which a token obtained at obtained_ms and expiring at
 * expires_ms should be renewed (the rule above). Shared with Bluesky, whose
 * session JWTs carry their own exp. */
int64_t rw_token_renew_at_ms(int64_t obtained_ms, int64_t expires_ms);

/* True when the cache holds no token or now_ms is at or past its renewal
 * instant: the connector gets a new one before its next request. */
bool rw_token_cache_due(const struct rw_token_cache *cache, int64_t now_ms);

/* Marks a token request as sent: until rw_token_answer (or
 * rw_token_cache_set) the cache gives no header, so the token request does
 * not carry the old bearer token (rw_poll_request adds the connector's
 * auth_header to every request, and a password grant has its own
 * Authorization: Basic). */
void rw_token_cache_renewing(struct rw_token_cache *cache);

/* "Authorization: Bearer TOKEN" for the cached token, or NULL when empty or
 * renewing. Borrowed: valid until the cache changes. */
const char *rw_token_cache_header(const struct rw_token_cache *cache);

/*
 * A request made with the cached token was answered 401: drops the token.
 * Returns true the first time (renew and retry once: the connector's
 * token_expired answers true), false when the token had itself been
 * obtained right after such a refusal (the credentials are refused: the
 * poll ends as an auth error, the source goes down, and nothing loops).
 * A token obtained by ordinary renewal starts a new "once".
 */
bool rw_token_cache_refused(struct rw_token_cache *cache);

/* The connector's token_expired (connector.h) in one call: true when status
 * is 401, no token request is in flight (the poller asks about every
 * answer, the token endpoint's own 401 included) and rw_token_cache_refused
 * grants the one retry. */
bool rw_token_cache_expired(struct rw_token_cache *cache, long status);

/* Wipes and frees the token and header and zeroes the cache; NULL is fine. */
void rw_token_cache_clear(struct rw_token_cache *cache);

#endif
