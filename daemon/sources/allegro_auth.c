/*
 * allegro_auth.c: the Allegro sign-in with rotating refresh tokens
 * (docs/signin.md "Rotating refresh tokens").
 *
 * Every refresh (grant_type=refresh_token, the client in HTTP Basic, as
 * Allegro documents it) answers a new access token (12 h) and a NEW refresh
 * token (3 months); the old refresh token keeps working only about 60 s
 * after its first use. So the current refresh token lives in Redis,
 * encrypted (rw_poll_secret_save: AES-256-GCM under secrets_key), and the
 * order of a refresh is what makes a crash harmless at any instant:
 *
 *   1. load the stored token (once per process; the configured seed only
 *      when nothing is stored);
 *   2. send the refresh;                 crash: the stored token is unused
 *                                        or within its 60 s, still good
 *   3. keep the new pair in memory and   crash: as 2 (the old token was
 *      write the new refresh token;      used under 60 s ago)
 *   4. only once Redis confirmed the     crash: the new token is stored
 *      write, use the new access token.
 *
 * A write that fails keeps the new pair in memory (never dropped) and ends
 * the poll as a store error: the next poll, about 2 s later, writes it
 * again before anything else, well within the old token's 60 s.
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "allegro_internal.h"
#include "replywatch/clock.h"
#include "replywatch/httpc.h"
#include "replywatch/log.h"
#include "replywatch/secret.h"
#include "replywatch/sources/allegro.h"
#include "replywatch/vault.h"

#define TOKEN_ENDPOINT "token"
#define ME_ENDPOINT "me"
#define TOKEN_MAX 16384

static void allegro_auth_step(struct rw_poll *poll);

void
rw_allegro_secret_free(char *s)
{
	if (s != NULL)
		rw_vault_wipe_free(s, strlen(s));
}

static char *
secret_dup(const char *s)
{
	return s != NULL ? strdup(s) : NULL;
}

/* A token Allegro gives goes into a form body and a header: printable
 * ASCII, no space. */
static bool
token_ok(const char *s, size_t len)
{
	if (len == 0 || len > TOKEN_MAX)
		return false;
	for (size_t i = 0; i < len; i++)
		if (s[i] <= ' ' || s[i] > '~')
			return false;
	return true;
}

/* Wipes a JSON string member in place (Jansson does not wipe on free). */
static void
wipe_member(json_t *obj, const char *key)
{
	json_t *v = json_object_get(obj, key);

	if (json_is_string(v))
		explicit_bzero((char *)json_string_value(v), json_string_length(v));
}

char *
rw_allegro_record(const char *refresh_token, int64_t rotated_ms)
{
	json_t *doc = json_pack("{s:s, s:I}", "refresh_token", refresh_token, "rotated_at",
				(json_int_t)rotated_ms);
	char *text;

	if (doc == NULL)
		return NULL;
	text = json_dumps(doc, JSON_COMPACT);
	wipe_member(doc, "refresh_token");
	json_decref(doc);
	return text;
}

int
rw_allegro_record_parse(const char *text, size_t len, char **refresh_token, int64_t *rotated_ms)
{
	json_t *doc = json_loadb(text, len, 0, NULL);
	const json_t *t = json_object_get(doc, "refresh_token");
	const json_t *at = json_object_get(doc, "rotated_at");
	int r = -1;

	*refresh_token = NULL;
	if (json_is_string(t) && token_ok(json_string_value(t), json_string_length(t)) &&
	    (*refresh_token = strdup(json_string_value(t))) != NULL) {
		*rotated_ms = json_is_integer(at) ? (int64_t)json_integer_value(at) : 0;
		r = 0;
	}
	wipe_member(doc, "refresh_token");
	json_decref(doc);
	return r;
}

char *
rw_allegro_new_refresh_token(const char *body, size_t len)
{
	json_t *doc = json_loadb(body, len, 0, NULL);
	const json_t *t = json_object_get(doc, "refresh_token");
	char *out = NULL;

	if (json_is_string(t) && token_ok(json_string_value(t), json_string_length(t)))
		out = strdup(json_string_value(t));
	wipe_member(doc, "refresh_token");
	wipe_member(doc, "access_token");
	json_decref(doc);
	return out;
}

void
allegro_auth_clear(struct allegro_state *s)
{
	rw_token_cache_clear(&s->cache);
	rw_token_cache_clear(&s->next);
	rw_allegro_secret_free(s->refresh);
	rw_allegro_secret_free(s->pending);
	s->refresh = s->pending = NULL;
}

/* What a person does when the token chain is broken. */
#define AUTHORIZE_HINT "authorise again with replywatchd --authorize %s"

/* /status: the stored token's dates, and a warning a week before it ends. */
static void
allegro_credential(struct rw_poll *poll, struct allegro_state *s)
{
	const char *name = rw_poll_source(poll)->name;
	int64_t expires = s->rotated_ms + RW_ALLEGRO_REFRESH_LIFETIME_MS;
	char msg[200], when[RW_TIME_MAX];

	if (s->from_seed || s->rotated_ms <= 0) {
		rw_poll_credential(poll, 0, 0);
		return;
	}
	rw_poll_credential(poll, s->rotated_ms, expires);
	if (rw_poll_now_ms(poll) >= expires - RW_ALLEGRO_REFRESH_WARN_MS) {
		snprintf(msg, sizeof(msg),
			 "the stored refresh token expires at %s: " AUTHORIZE_HINT,
			 rw_time_format(expires, when, sizeof(when)), name);
		rw_poll_warning(poll, msg);
	} else {
		rw_poll_warning(poll, NULL);
	}
}

static void
allegro_me_answer(struct rw_poll *poll, const struct rw_httpc_response *resp)
{
	struct allegro_state *s = rw_poll_state(poll);
	char err[120];

	if (rw_allegro_parse_me(resp->body, resp->body_len, &s->seller_id, &s->seller_login, err,
				sizeof(err)) == -1) {
		rw_poll_fail(poll, RW_POLL_MALFORMED, "%s", err);
		return;
	}
	log_info("%s: signed in as seller %s (id %s)", rw_poll_source(poll)->name, s->seller_login,
		 s->seller_id);
	allegro_auth_step(poll);
}

/* The new refresh token is stored (or not): only now is the new access
 * token used. */
static void
allegro_stored(struct rw_poll *poll, enum rw_poll_secret_status status, const char *value,
	       size_t len)
{
	struct allegro_state *s = rw_poll_state(poll);
	const char *name = rw_poll_source(poll)->name;
	struct rw_token_cache old = s->cache;

	(void)value;
	(void)len;
	if (status != RW_POLL_SECRET_OK) {
		log_err("%s: the new refresh token is not stored yet (%s): writing it again; "
			"kept in memory meanwhile",
			name, status == RW_POLL_SECRET_STORE ? "redis failed" : "no secrets_key");
		rw_poll_fail(poll, RW_POLL_STORE_ERROR,
			     "redis: new refresh token not stored yet: retrying");
		return;
	}
	s->cache = s->next;
	memset(&s->next, 0, sizeof(s->next));
	rw_token_cache_clear(&old);
	rw_allegro_secret_free(s->refresh);
	s->refresh = s->pending;
	s->pending = NULL;
	s->rotated_ms = s->pending_ms;
	s->from_seed = false;
	log_info("%s: refresh token rotated and stored; access token valid %lld s", name,
		 (long long)((s->cache.expires_ms - s->cache.obtained_ms) / 1000));
	allegro_auth_step(poll);
}

static void
allegro_save_pending(struct rw_poll *poll)
{
	struct allegro_state *s = rw_poll_state(poll);
	char *rec = rw_allegro_record(s->pending, s->pending_ms);

	if (rec == NULL) {
		rw_poll_fail(poll, RW_POLL_STORE_ERROR, "out of memory: refresh token not stored");
		return;
	}
	rw_poll_secret_save(poll, RW_ALLEGRO_SECRET_NAME, rec, strlen(rec), allegro_stored);
	rw_allegro_secret_free(rec);
}

static void
allegro_token_answer(struct rw_poll *poll, const struct rw_httpc_response *resp)
{
	struct allegro_state *s = rw_poll_state(poll);
	const char *name = rw_poll_source(poll)->name;
	enum rw_token_result r;
	char reason[200];

	rw_token_cache_clear(&s->next);
	/* A renewal after a 401 is that 401's one retry (signin.h): the new
	 * token carries it, so a 401 on it puts the source down. */
	s->next.refused = s->cache.refused;
	r = rw_token_answer(RW_GRANT_REFRESH_TOKEN, (int)resp->status, resp->body, resp->body_len,
			    rw_poll_now_ms(poll), &s->next, reason, sizeof(reason));
	/* The old access token is not used again either way. */
	rw_token_cache_clear(&s->cache);
	if (r == RW_TOKEN_REVOKED) {
		/* Read Redis again next time: a replywatchd --authorize run
		 * meanwhile is taken up without a restart. */
		rw_allegro_secret_free(s->refresh);
		s->refresh = NULL;
		s->loaded = false;
		rw_poll_fail(poll, RW_POLL_AUTH_ERROR,
			     "%s: refresh token revoked or expired: " AUTHORIZE_HINT,
			     TOKEN_ENDPOINT, name);
		return;
	}
	if (r != RW_TOKEN_OK) {
		rw_poll_fail(poll, rw_token_poll_result(r), "%s: %s", TOKEN_ENDPOINT, reason);
		return;
	}
	rw_allegro_secret_free(s->pending);
	s->pending = rw_allegro_new_refresh_token(resp->body, resp->body_len);
	s->pending_ms = rw_poll_now_ms(poll);
	if (s->pending == NULL) {
		/* No rotation in this answer: the current token stays, and so
		 * does its age (it still ends 3 months after it was issued). */
		if (!s->from_seed && s->rotated_ms > 0)
			s->pending_ms = s->rotated_ms;
		s->pending = secret_dup(s->refresh);
		if (s->pending == NULL) {
			rw_poll_fail(poll, RW_POLL_MALFORMED, "%s: no refresh token",
				     TOKEN_ENDPOINT);
			return;
		}
	}
	allegro_save_pending(poll);
}

static void
allegro_refresh(struct rw_poll *poll)
{
	const struct rw_source_config *src = rw_poll_source(poll);
	struct allegro_state *s = rw_poll_state(poll);
	const struct rw_secret *secret = rw_source_param_secret(src, "client_secret");
	const char *token_url = rw_source_param_string(src, "token_url");
	struct rw_token_request req;
	char err[200];

	if (rw_token_request_refresh_basic(&req, token_url ? token_url : RW_ALLEGRO_TOKEN_URL,
					   rw_source_param_string(src, "client_id"),
					   secret ? rw_secret_value(secret) : NULL, s->refresh, err,
					   sizeof(err)) == -1) {
		rw_poll_fail(poll, RW_POLL_AUTH_ERROR, "%s", err);
		return;
	}
	rw_token_cache_renewing(&s->cache);
	rw_poll_request(poll, TOKEN_ENDPOINT, req.url, rw_token_request_headers(&req), req.body,
			RW_TOKEN_SEE, allegro_token_answer);
	rw_token_request_clear(&req);
}

static void
allegro_loaded(struct rw_poll *poll, enum rw_poll_secret_status status, const char *value,
	       size_t len)
{
	const struct rw_source_config *src = rw_poll_source(poll);
	struct allegro_state *s = rw_poll_state(poll);
	const struct rw_secret *seed;

	switch (status) {
	case RW_POLL_SECRET_OK:
		if (rw_allegro_record_parse(value, len, &s->refresh, &s->rotated_ms) == -1) {
			rw_poll_fail(poll, RW_POLL_AUTH_ERROR,
				     "the stored credential is not one: " AUTHORIZE_HINT,
				     src->name);
			return;
		}
		s->from_seed = false;
		break;
	case RW_POLL_SECRET_NONE:
		seed = rw_source_param_secret(src, "refresh_token");
		if (seed == NULL || rw_secret_len(seed) == 0) {
			rw_poll_fail(poll, RW_POLL_AUTH_ERROR,
				     "no refresh token stored and none configured: run replywatchd "
				     "--authorize %s",
				     src->name);
			return;
		}
		if ((s->refresh = strdup(rw_secret_value(seed))) == NULL) {
			rw_poll_fail(poll, RW_POLL_STORE_ERROR, "out of memory");
			return;
		}
		s->from_seed = true;
		s->rotated_ms = 0;
		log_info("%s: no stored refresh token: using the configured one (first run)",
			 src->name);
		break;
	case RW_POLL_SECRET_STORE:
		rw_poll_fail(poll, RW_POLL_STORE_ERROR, "redis: stored refresh token not read");
		return;
	case RW_POLL_SECRET_UNREADABLE:
	default:
		rw_poll_fail(poll, RW_POLL_AUTH_ERROR,
			     "the stored refresh token does not decrypt (secrets_key changed?): "
			     "" AUTHORIZE_HINT,
			     src->name);
		return;
	}
	s->loaded = true;
	allegro_auth_step(poll);
}

/* The next step of signing in, or the walk once signed in. */
static void
allegro_auth_step(struct rw_poll *poll)
{
	const struct rw_source_config *src = rw_poll_source(poll);
	struct allegro_state *s = rw_poll_state(poll);
	char *url;

	rw_allegro_use_accept(poll, RW_ALLEGRO_ACCEPT_V1);
	if (!s->loaded) {
		rw_poll_secret_load(poll, RW_ALLEGRO_SECRET_NAME, allegro_loaded);
		return;
	}
	if (s->pending != NULL) {
		allegro_save_pending(poll);
		return;
	}
	if (rw_token_cache_due(&s->cache, rw_poll_now_ms(poll))) {
		allegro_refresh(poll);
		return;
	}
	allegro_credential(poll, s);
	if (s->seller_id == NULL) {
		if ((url = rw_url_build(src->base_url, "/me", NULL)) == NULL) {
			rw_poll_fail(poll, RW_POLL_STORE_ERROR, "out of memory");
			return;
		}
		rw_poll_request(poll, ME_ENDPOINT, url, NULL, NULL, NULL, allegro_me_answer);
		free(url);
		return;
	}
	rw_poll_walk(poll);
}

void
allegro_auth_start(struct rw_poll *poll)
{
	allegro_auth_step(poll);
}
