/*
 * fake_allegro.c: Allegro's REST API and OAuth endpoints as rwfake serves
 * them, platform "allegro" (point base_url, token_url and device_url at it):
 *
 *   POST /auth/oauth/token    HTTP Basic client_id:client_secret;
 *        grant_type=refresh_token (refresh_token) or
 *        urn:ietf:params:oauth:grant-type:device_code (device_code)
 *   POST /auth/oauth/device   HTTP Basic; client_id -> device_code, user_code,
 *        verification_uri(_complete), expires_in, interval
 *   GET  /me                  the seller: {"id", "login", ...}
 *   GET  /sale/user-ratings   lastChangedAt.gte/.lte, recommended, limit
 *        (1-100, default 20), offset (0-20000; more: 422); newest
 *        lastChangedAt first
 *   GET  /sale/user-ratings/{id}
 *   /messaging/..., /sale/issues/...: fake_allegro_msg_route (allegro-msg)
 *
 * Rotation is enforced as Allegro does it: every refresh answers a new
 * access token (12 h, access_ttl in config) and a NEW refresh token; the
 * refresh token used keeps working for grace_s (60, settings) after its first
 * use, then answers 400 invalid_grant. The seed refresh token is the
 * --allegro-refresh-token option. API calls need a live access token
 * (401 otherwise) and "Accept: application/vnd.allegro.public.v1+json"
 * (406 NotAcceptableException otherwise). No rate-limit headers; a 429
 * (fault "429") has a Retry-After only when the fault asks for one.
 *
 * Control (docs/fakes.md): POST /_fake/allegro/rating {buyer, comment,
 * recommended, rates {delivery, deliveryCost, description, service},
 * created_at} -> {"id"}; answer {id, message, created_at} (does not move
 * lastChangedAt); approve {} / deny {} (the latest device code);
 * settings {grace_s, device_interval, rotate}; config's access_ttl. GET /_fake/state shows
 * counts only: never a token.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/rand.h>
#include <replywatch/b64.h>

#include "fake.h"

#define AL_TOKENS_MAX 256
#define AL_TOKEN_LEN 48
#define AL_ACCESS_TTL_S 43199
#define AL_GRACE_S 60
#define AL_DEVICE_TTL_S 600
#define AL_DEVICE_INTERVAL_S 5
#define AL_OFFSET_MAX 20000
#define AL_DEVICE_GRANT "urn:ietf:params:oauth:grant-type:device_code"

struct al_token {
	char value[AL_TOKEN_LEN];
	bool refresh;
	int64_t exp_ms;        /* access: its end; refresh: 0 */
	int64_t first_used_ms; /* refresh: 0 until used */
};

struct al_rating {
	char id[25];
	char buyer[64];
	char *comment;
	bool recommended;
	int rates[4]; /* 0: not given */
	int64_t created_ms, changed_ms;
	bool answered;
	char *answer;
	int64_t answer_ms;
};

enum al_device { AL_DEV_NONE, AL_DEV_PENDING, AL_DEV_APPROVED, AL_DEV_DENIED, AL_DEV_DONE };

struct allegro {
	struct al_token tokens[AL_TOKENS_MAX];
	size_t ntokens;
	bool seeded;
	long grace_s, access_ttl_s, device_interval_s;
	bool no_rotation; /* settings rotate false: refreshes answer no new refresh token */
	long refreshes, refused;
	struct al_rating *ratings;
	size_t nratings, cap;
	uint64_t seq;
	enum al_device device;
	char device_code[AL_TOKEN_LEN], user_code[16];
	int64_t device_exp_ms, device_last_poll_ms;
	long device_polls;
};

static int
al_index(void)
{
	return fake_platform_from_name("allegro");
}

static struct allegro *
al_of(struct fake_state *st)
{
	int p = al_index();
	struct allegro *a;

	if (p < 0)
		return NULL;
	if ((a = st->own[p]) == NULL && (a = calloc(1, sizeof(*a))) != NULL) {
		a->grace_s = AL_GRACE_S;
		a->access_ttl_s = AL_ACCESS_TTL_S;
		a->device_interval_s = AL_DEVICE_INTERVAL_S;
		a->seq = 0x5df0a6d1ef437e00ULL;
		st->own[p] = a;
	}
	return a;
}

/* ---- weak defaults of allegro-msg's hooks (fake_allegro_msg.c) ---- */

__attribute__((weak)) void
fake_allegro_msg_route(struct fake_state *st, struct fake_req *req, struct fake_resp *resp)
{
	(void)st;
	(void)req;
	fake_resp_json(resp, 404,
		       json_pack("{s:[{s:s, s:s}]}", "errors", "code", "NOT_FOUND", "message",
				 "not served by this fake yet"));
}

__attribute__((weak)) bool
fake_allegro_msg_control(struct fake_state *st, enum fake_platform p, const char *what,
			 json_t *body, struct fake_resp *resp)
{
	(void)st, (void)p, (void)what, (void)body, (void)resp;
	return false;
}

__attribute__((weak)) json_t *
fake_allegro_msg_state(const struct fake_state *st, enum fake_platform p)
{
	(void)st, (void)p;
	return json_null();
}

__attribute__((weak)) void
fake_allegro_msg_reset(struct fake_state *st, enum fake_platform p)
{
	(void)st, (void)p;
}

/* ---- tokens ---- */

static void
al_random(char *out, size_t len, const char *prefix)
{
	unsigned char raw[18];
	char *b = NULL;

	if (RAND_bytes(raw, sizeof(raw)) == 1)
		b = fake_b64url(raw, sizeof(raw));
	snprintf(out, len, "%s%s", prefix, b ? b : "x");
	free(b);
}

/* A new token in the table (the oldest goes when it is full). */
static struct al_token *
al_issue(struct allegro *a, bool refresh, int64_t now)
{
	struct al_token *t;

	if (a->ntokens == AL_TOKENS_MAX) {
		OPENSSL_cleanse(&a->tokens[0], sizeof(a->tokens[0]));
		memmove(&a->tokens[0], &a->tokens[1], sizeof(a->tokens[0]) * (AL_TOKENS_MAX - 1));
		a->ntokens--;
	}
	t = &a->tokens[a->ntokens++];
	memset(t, 0, sizeof(*t));
	al_random(t->value, sizeof(t->value), refresh ? "rwfake-al-r-" : "rwfake-al-a-");
	t->refresh = refresh;
	t->exp_ms = refresh ? 0 : now + a->access_ttl_s * 1000;
	return t;
}

static struct al_token *
al_find(struct allegro *a, const char *value, bool refresh)
{
	for (size_t i = 0; value != NULL && i < a->ntokens; i++)
		if (a->tokens[i].refresh == refresh && strcmp(a->tokens[i].value, value) == 0)
			return &a->tokens[i];
	return NULL;
}

/* The seed (--allegro-refresh-token) is a refresh token never used. */
static void
al_seed(struct fake_state *st, struct allegro *a, enum fake_platform p)
{
	const char *seed = fake_option(st, p, "refresh-token");
	struct al_token *t;

	if (a->seeded || seed == NULL)
		return;
	a->seeded = true;
	t = al_issue(a, true, 0);
	snprintf(t->value, sizeof(t->value), "%s", seed);
}

static bool
al_basic_ok(const struct fake_state *st, const struct fake_req *req)
{
	const char *h = req->authorization, *id = fake_option(st, req->platform, "client-id");
	const char *secret = fake_option(st, req->platform, "client-secret");
	unsigned char *plain = NULL;
	size_t len = 0;
	char *want;
	bool ok;

	if (h == NULL || !fake_has_prefix_ci(h, "Basic ") ||
	    rw_b64_decode(h + 6, strlen(h + 6), &plain, &len) == -1)
		return false;
	want = fake_sprintf("%s:%s", id ? id : "", secret ? secret : "");
	ok = want != NULL && len == strlen(want) && memcmp(plain, want, len) == 0;
	OPENSSL_cleanse(plain, len);
	free(plain);
	free(want);
	return ok;
}

static struct fake_req *
al_form(const struct fake_req *req)
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

/* Endpoints 0 and 1 (token, device) check the client; the rest the bearer. */
static enum fake_auth
al_auth(struct fake_state *st, const struct fake_req *req, int ep, const char **why)
{
	struct allegro *a = al_of(st);
	const char *tok;
	struct al_token *t;

	if (a == NULL)
		return FAKE_AUTH_MISSING;
	al_seed(st, a, req->platform);
	if (ep == 0 || ep == 1) {
		*why = "invalid_client";
		if (req->authorization == NULL)
			return FAKE_AUTH_MISSING;
		return al_basic_ok(st, req) ? FAKE_AUTH_OK : FAKE_AUTH_WRONG;
	}
	tok = fake_req_bearer(req);
	if (tok == NULL || *tok == '\0')
		return FAKE_AUTH_MISSING;
	if ((t = al_find(a, tok, false)) == NULL)
		return FAKE_AUTH_WRONG;
	return t->exp_ms > fake_now_ms() ? FAKE_AUTH_OK : FAKE_AUTH_EXPIRED;
}

/* ---- answers ---- */

static void
al_error(struct fake_resp *r, unsigned status, const char *name, const char *msg)
{
	fake_resp_json(r, status,
		       json_pack("{s:[{s:s, s:s, s:s, s:n, s:s}]}", "errors", "code", name,
				 "message", msg, "details", "", "path", "userMessage", msg));
}

static void
al_oauth_error(struct fake_resp *r, unsigned status, const char *error)
{
	fake_resp_json(r, status,
		       json_pack("{s:s, s:s}", "error", error, "error_description", error));
}

static void
al_auth_fail(struct fake_resp *r, int ep, const char *why)
{
	if (ep == 0 || ep == 1)
		al_oauth_error(r, 401,
			       why && strcmp(why, "invalid_client") == 0 ? "invalid_client"
									 : "unauthorized");
	else
		fake_resp_json(r, 401,
			       json_pack("{s:s, s:s}", "error", "invalid_token",
					 "error_description", "Invalid access token"));
}

bool
fake_allegro_accept(const struct fake_req *req, const char *want, struct fake_resp *resp)
{
	if (req->accept != NULL && strcmp(req->accept, want) == 0)
		return true;
	al_error(resp, 406, "NotAcceptableException", "Not acceptable representation");
	return false;
}

static json_t *
al_pair(struct allegro *a, int64_t now)
{
	struct al_token *acc = al_issue(a, false, now);
	json_t *o =
		json_pack("{s:s, s:s, s:I, s:s, s:b, s:s}", "access_token", acc->value,
			  "token_type", "bearer", "expires_in", (json_int_t)a->access_ttl_s,
			  "scope", "allegro:api:ratings allegro:api:messaging allegro:api:disputes",
			  "allegro_api", 1, "jti", "rwfake");
	struct al_token *ref = al_issue(a, true, now);

	if (o != NULL)
		json_object_set_new(o, "refresh_token", json_string(ref->value));
	return o;
}

static void
al_refresh_grant(struct allegro *a, const struct fake_req *form, struct fake_resp *resp,
		 int64_t now)
{
	struct al_token *t = al_find(a, fake_param(form, "refresh_token"), true);

	if (t == NULL || (t->first_used_ms != 0 && now - t->first_used_ms > a->grace_s * 1000)) {
		a->refused++;
		al_oauth_error(resp, 400, "invalid_grant");
		return;
	}
	a->refreshes++;
	if (a->no_rotation) {
		json_t *pair = al_pair(a, now);

		/* Drop the new refresh token: the one used stays the one. */
		if (pair != NULL)
			json_object_del(pair, "refresh_token");
		a->ntokens--;
		fake_resp_json(resp, 200, pair);
		return;
	}
	if (t->first_used_ms == 0)
		t->first_used_ms = now;
	fake_resp_json(resp, 200, al_pair(a, now));
}

static void
al_device_grant(struct allegro *a, const struct fake_req *form, struct fake_resp *resp, int64_t now)
{
	const char *code = fake_param(form, "device_code");

	if (a->device == AL_DEV_NONE || code == NULL || strcmp(code, a->device_code) != 0 ||
	    a->device == AL_DEV_DONE) {
		al_oauth_error(resp, 400, "invalid_grant");
		return;
	}
	a->device_polls++;
	if (now > a->device_exp_ms) {
		al_oauth_error(resp, 400, "expired_token");
		return;
	}
	if (a->device == AL_DEV_DENIED) {
		al_oauth_error(resp, 400, "access_denied");
		return;
	}
	if (a->device_last_poll_ms != 0 &&
	    now - a->device_last_poll_ms < a->device_interval_s * 1000 - 200) {
		a->device_last_poll_ms = now;
		al_oauth_error(resp, 400, "slow_down");
		return;
	}
	a->device_last_poll_ms = now;
	if (a->device == AL_DEV_PENDING) {
		al_oauth_error(resp, 400, "authorization_pending");
		return;
	}
	a->device = AL_DEV_DONE;
	fake_resp_json(resp, 200, al_pair(a, now));
}

static void
al_token(struct fake_state *st, struct fake_req *req, struct fake_resp *resp)
{
	struct allegro *a = al_of(st);
	struct fake_req *form = al_form(req);
	const char *grant = form ? fake_param(form, "grant_type") : NULL;
	int64_t now = fake_now_ms();

	if (a == NULL || form == NULL)
		al_oauth_error(resp, 500, "server_error");
	else if (grant != NULL && strcmp(grant, "refresh_token") == 0)
		al_refresh_grant(a, form, resp, now);
	else if (grant != NULL && strcmp(grant, AL_DEVICE_GRANT) == 0)
		al_device_grant(a, form, resp, now);
	else
		al_oauth_error(resp, 400, "unsupported_grant_type");
	fake_req_free(form);
}

static void
al_device(struct fake_state *st, struct fake_req *req, struct fake_resp *resp)
{
	struct allegro *a = al_of(st);
	struct fake_req *form = al_form(req);
	const char *id = form ? fake_param(form, "client_id") : NULL;
	const char *want = fake_option(st, req->platform, "client-id");
	char *uri;

	if (a == NULL || form == NULL || id == NULL || want == NULL || strcmp(id, want) != 0) {
		al_oauth_error(resp, 400, "invalid_request");
		fake_req_free(form);
		return;
	}
	fake_req_free(form);
	al_random(a->device_code, sizeof(a->device_code), "rwfake-al-d-");
	snprintf(a->user_code, sizeof(a->user_code), "%c%c%c%c%c%c%c%c", 'A' + (int)(a->seq % 26),
		 'B', 'C', 'D', 'E', 'F', 'G', 'H');
	a->seq++;
	a->device = AL_DEV_PENDING;
	a->device_exp_ms = fake_now_ms() + AL_DEVICE_TTL_S * 1000;
	a->device_last_poll_ms = 0;
	a->device_polls = 0;
	uri = fake_sprintf("https://allegro.pl/skojarz-aplikacje?code=%s", a->user_code);
	fake_resp_json(resp, 200,
		       json_pack("{s:s, s:s, s:s, s:s?, s:i, s:i}", "device_code", a->device_code,
				 "user_code", a->user_code, "verification_uri",
				 "https://allegro.pl/skojarz-aplikacje",
				 "verification_uri_complete", uri, "expires_in", AL_DEVICE_TTL_S,
				 "interval", (int)a->device_interval_s));
	free(uri);
}

static void
al_me(struct fake_state *st, struct fake_req *req, struct fake_resp *resp)
{
	(void)st;
	if (!fake_allegro_accept(req, FAKE_ALLEGRO_V1, resp))
		return;
	fake_resp_json(resp, 200,
		       json_pack("{s:s, s:s, s:s, s:s, s:{s:b}}", "id", FAKE_ALLEGRO_SELLER_ID,
				 "login", FAKE_ALLEGRO_SELLER_LOGIN, "firstName", "Acme",
				 "lastName", "Shop", "company", "taxId", 1));
}

static json_t *
al_rating_json(const struct al_rating *r)
{
	static const char *const names[] = {"delivery", "deliveryCost", "description", "service"};
	char c[FAKE_TIME_LEN], l[FAKE_TIME_LEN], an[FAKE_TIME_LEN];
	json_t *o, *rates = NULL;

	fake_fmt_ms(r->created_ms, c);
	fake_fmt_ms(r->changed_ms, l);
	for (size_t i = 0; i < 4; i++) {
		if (r->rates[i] == 0)
			continue;
		if (rates == NULL)
			rates = json_object();
		json_object_set_new(rates, names[i], json_integer(r->rates[i]));
	}
	o = json_pack("{s:s, s:s, s:s, s:b, s:{s:s, s:s}, s:s, s:{s:s, s:[{s:s, s:s}]}, s:b}", "id",
		      r->id, "createdAt", c, "lastChangedAt", l, "recommended", r->recommended,
		      "buyer", "id", "33811291", "login", r->buyer, "comment",
		      r->comment ? r->comment : "", "order", "id",
		      "5354bed4-92b7-4fbb-9810-03a8f7834d15", "offers", "id", "12323523523",
		      "title", "Smart TV", "excludedFromAverageRates", 0);
	if (o == NULL)
		return NULL;
	if (rates != NULL)
		json_object_set_new(o, "rates", rates);
	if (r->answered) {
		fake_fmt_ms(r->answer_ms, an);
		json_object_set_new(o, "answer",
				    json_pack("{s:s, s:s}", "createdAt", an, "message",
					      r->answer ? r->answer : ""));
	} else {
		json_object_set_new(o, "answer", json_null());
	}
	return o;
}

/* Newest lastChangedAt first (ties: newest created). */
static int
al_cmp(const void *x, const void *y)
{
	const struct al_rating *a = *(const struct al_rating *const *)x;
	const struct al_rating *b = *(const struct al_rating *const *)y;

	if (a->changed_ms != b->changed_ms)
		return a->changed_ms < b->changed_ms ? 1 : -1;
	return strcmp(b->id, a->id);
}

static bool
al_time_param(const struct fake_req *req, const char *key, int64_t *ms, struct fake_resp *resp)
{
	const char *v = fake_param(req, key);

	*ms = 0;
	if (v == NULL)
		return true;
	if (fake_parse_time(v, ms) == -1) {
		al_error(resp, 422, "VALIDATION_ERROR", "Invalid date");
		return false;
	}
	return true;
}

static void
al_ratings(struct fake_state *st, struct fake_req *req, struct fake_resp *resp)
{
	struct allegro *a = al_of(st);
	const char *rec = fake_param(req, "recommended"), *offs = fake_param(req, "offset");
	long limit = fake_page_limit(st, req->platform, fake_param(req, "limit"), 20, 100);
	const struct al_rating **v = NULL;
	int64_t gte, lte;
	long offset = offs ? strtol(offs, NULL, 10) : 0;
	size_t n = 0;
	json_t *list;

	if (!fake_allegro_accept(req, FAKE_ALLEGRO_V1, resp) ||
	    !al_time_param(req, "lastChangedAt.gte", &gte, resp) ||
	    !al_time_param(req, "lastChangedAt.lte", &lte, resp))
		return;
	if (offset < 0 || offset > AL_OFFSET_MAX) {
		al_error(resp, 422, "VALIDATION_ERROR", "offset must be between 0 and 20000");
		return;
	}
	if (a->nratings > 0 && (v = calloc(a->nratings, sizeof(*v))) == NULL) {
		al_error(resp, 500, "INTERNAL", "out of memory");
		return;
	}
	for (size_t i = 0; i < a->nratings; i++) {
		const struct al_rating *r = &a->ratings[i];

		if ((gte && r->changed_ms < gte) || (lte && r->changed_ms > lte))
			continue;
		if (rec != NULL && (strcmp(rec, "true") == 0) != r->recommended)
			continue;
		v[n++] = r;
	}
	if (n > 0) /* qsort takes no NULL, even for nothing */
		qsort(v, n, sizeof(*v), al_cmp);
	list = json_array();
	for (size_t i = (size_t)offset; list != NULL && i < n && i < (size_t)offset + (size_t)limit;
	     i++)
		json_array_append_new(list, al_rating_json(v[i]));
	free(v);
	fake_resp_json(resp, 200, json_pack("{s:o?}", "ratings", list));
}

static void
al_rating(struct fake_state *st, struct fake_req *req, struct fake_resp *resp)
{
	struct allegro *a = al_of(st);

	if (!fake_allegro_accept(req, FAKE_ALLEGRO_V1, resp))
		return;
	for (size_t i = 0; i < a->nratings; i++) {
		if (strcmp(a->ratings[i].id, req->capture) == 0) {
			fake_resp_json(resp, 200, al_rating_json(&a->ratings[i]));
			return;
		}
	}
	al_error(resp, 404, "NOT_FOUND", "Rating not found");
}

static void
al_msg(struct fake_state *st, struct fake_req *req, struct fake_resp *resp)
{
	fake_allegro_msg_route(st, req, resp);
}

/* ---- control ---- */

static bool
al_add_rating(struct fake_state *st, json_t *body, struct fake_resp *resp)
{
	static const char *const names[] = {"delivery", "deliveryCost", "description", "service"};
	struct allegro *a = al_of(st);
	const json_t *rates = json_object_get(body, "rates");
	const char *buyer, *comment;
	struct al_rating *r;
	int64_t ms;

	if (!fake_control_str(body, "buyer", &buyer, resp) ||
	    !fake_control_str(body, "comment", &comment, resp) ||
	    !fake_control_time(body, &ms, resp))
		return true;
	if (fake_grow((void **)&a->ratings, &a->cap, a->nratings, sizeof(*a->ratings)) == -1) {
		fake_control_error(resp, 500, "out of memory");
		return true;
	}
	r = &a->ratings[a->nratings++];
	memset(r, 0, sizeof(*r));
	snprintf(r->id, sizeof(r->id), "%016llx%08x", (unsigned long long)a->seq++,
		 (unsigned)a->nratings);
	snprintf(r->buyer, sizeof(r->buyer), "%s", buyer ? buyer : "example-buyer");
	r->comment = comment ? strdup(comment) : NULL;
	r->recommended = !json_is_false(json_object_get(body, "recommended"));
	for (size_t i = 0; json_is_object(rates) && i < 4; i++) {
		const json_t *x = json_object_get(rates, names[i]);

		r->rates[i] = json_is_integer(x) ? (int)json_integer_value(x) : 0;
	}
	r->created_ms = r->changed_ms = ms ? ms : fake_now_ms();
	fake_resp_json(resp, 201, json_pack("{s:s}", "id", r->id));
	return true;
}

static bool
al_add_answer(struct fake_state *st, json_t *body, struct fake_resp *resp)
{
	struct allegro *a = al_of(st);
	const char *id, *message;
	int64_t ms;

	if (!fake_control_str(body, "id", &id, resp) ||
	    !fake_control_str(body, "message", &message, resp) ||
	    !fake_control_time(body, &ms, resp))
		return true;
	for (size_t i = 0; id != NULL && i < a->nratings; i++) {
		struct al_rating *r = &a->ratings[i];

		if (strcmp(r->id, id) != 0)
			continue;
		free(r->answer);
		r->answer = message ? strdup(message) : NULL;
		r->answered = true;
		r->answer_ms = ms ? ms : fake_now_ms();
		fake_resp_json(resp, 201, json_pack("{s:s}", "id", r->id));
		return true;
	}
	fake_control_error(resp, 404, "no rating with that id");
	return true;
}

static bool al_settings(struct allegro *a, json_t *body, struct fake_resp *resp);

static bool
al_control(struct fake_state *st, enum fake_platform p, const char *what, json_t *body,
	   struct fake_resp *resp)
{
	struct allegro *a = al_of(st);

	if (a == NULL) {
		fake_control_error(resp, 500, "out of memory");
		return true;
	}
	if (strcmp(what, "rating") == 0)
		return al_add_rating(st, body, resp);
	if (strcmp(what, "answer") == 0)
		return al_add_answer(st, body, resp);
	if (strcmp(what, "settings") == 0)
		return al_settings(a, body, resp);
	if (strcmp(what, "approve") == 0 || strcmp(what, "deny") == 0) {
		if (a->device != AL_DEV_PENDING) {
			fake_control_error(resp, 409, "no device code waiting");
			return true;
		}
		a->device = what[0] == 'a' ? AL_DEV_APPROVED : AL_DEV_DENIED;
		fake_resp_json(resp, 200, json_pack("{s:s}", "user_code", a->user_code));
		return true;
	}
	return fake_allegro_msg_control(st, p, what, body, resp);
}

/* access_ttl (the generic config key) applies here. */
static void
al_config(struct fake_state *st, json_t *body)
{
	struct allegro *a = al_of(st);
	const json_t *t = json_object_get(body, "access_ttl");

	if (a != NULL && json_is_integer(t) && json_integer_value(t) > 0)
		a->access_ttl_s = (long)json_integer_value(t);
}

/* POST /_fake/allegro/settings {grace_s, device_interval}: Allegro's own
 * timings (the generic config takes no platform keys). */
static bool
al_settings(struct allegro *a, json_t *body, struct fake_resp *resp)
{
	const json_t *rotate = json_object_get(body, "rotate");
	long grace, interval;

	if (rotate != NULL && !json_is_boolean(rotate)) {
		fake_control_error(resp, 400, "rotate must be true or false");
		return true;
	}
	if (!fake_control_int(body, "grace_s", a->grace_s, &grace, resp) ||
	    !fake_control_int(body, "device_interval", a->device_interval_s, &interval, resp))
		return true;
	if (grace < 0 || interval < 1) {
		fake_control_error(resp, 400, "grace_s must be >= 0, device_interval >= 1");
		return true;
	}
	a->grace_s = grace;
	a->device_interval_s = interval;
	if (rotate != NULL)
		a->no_rotation = json_is_false(rotate);
	fake_resp_json(
		resp, 200,
		json_pack("{s:i, s:i}", "grace_s", (int)grace, "device_interval", (int)interval));
	return true;
}

static const char *const device_names[] = {"none", "pending", "approved", "denied", "done"};

static json_t *
al_state(const struct fake_state *st, enum fake_platform p)
{
	const struct allegro *a = st->own[p];
	size_t live = 0;

	for (size_t i = 0; a != NULL && i < a->ntokens; i++)
		if (a->tokens[i].refresh && a->tokens[i].first_used_ms == 0)
			live++;
	return json_pack("{s:I, s:I, s:I, s:I, s:s, s:I, s:I, s:o, s:o}", "ratings",
			 (json_int_t)(a ? a->nratings : 0), "refreshes",
			 (json_int_t)(a ? a->refreshes : 0), "refused",
			 (json_int_t)(a ? a->refused : 0), "unused_refresh_tokens",
			 (json_int_t)live, "device", device_names[a ? a->device : AL_DEV_NONE],
			 "device_polls", (json_int_t)(a ? a->device_polls : 0), "grace_s",
			 (json_int_t)(a ? a->grace_s : AL_GRACE_S), "rate_limits",
			 fake_limits_json(st, p), "messaging", fake_allegro_msg_state(st, p));
}

/* Content, counts and settings go; issued tokens stay (a daemon signed in
 * stays signed in across a test's reset). */
static void
al_reset(struct fake_state *st, enum fake_platform p)
{
	struct allegro *a = st->own[p];

	if (a != NULL) {
		for (size_t i = 0; i < a->nratings; i++) {
			free(a->ratings[i].comment);
			free(a->ratings[i].answer);
		}
		a->nratings = 0;
		a->refreshes = a->refused = 0;
		a->grace_s = AL_GRACE_S;
		a->access_ttl_s = AL_ACCESS_TTL_S;
		a->device_interval_s = AL_DEVICE_INTERVAL_S;
		a->device = AL_DEV_NONE;
		a->no_rotation = false;
	}
	fake_allegro_msg_reset(st, p);
}

static void
al_free(struct fake_state *st, enum fake_platform p)
{
	struct allegro *a = st->own[p];

	al_reset(st, p);
	if (a == NULL)
		return;
	OPENSSL_cleanse(a->tokens, sizeof(a->tokens));
	free(a->ratings);
	free(a);
	st->own[p] = NULL;
}

static void
al_fault(struct fake_resp *r, enum fake_fault_kind kind)
{
	if (kind == FAKE_F_403)
		al_error(r, 403, "AccessDenied", "Access is denied");
	else if (kind == FAKE_F_500)
		al_error(r, 500, "InternalServerError", "Internal Server Error");
	else if (kind == FAKE_F_502)
		al_error(r, 502, "BadGateway", "Bad Gateway");
	else
		al_error(r, 503, "ServiceUnavailable", "Service Unavailable");
}

static void
al_not_found(struct fake_resp *r)
{
	al_error(r, 404, "NotFoundException", "Resource not found");
}

static void
al_too_many(struct fake_resp *r, const struct fake_limit *l, long retry_after, int64_t now)
{
	(void)l;
	(void)now;
	al_error(r, 429, "TooManyRequests", "Too many requests");
	if (retry_after >= 0)
		fake_resp_header(r, "Retry-After", "%ld", retry_after);
}

static void
al_limit_headers(struct fake_resp *r, const struct fake_limit *l)
{
	(void)r; /* Allegro documents none */
	(void)l;
}

/* token and device first: al_auth knows them as endpoints 0 and 1. */
static const struct fake_route_def al_routes[] = {
	{"POST", "/auth/oauth/token", "token", al_token},
	{"POST", "/auth/oauth/device", "device", al_device},
	{"GET", "/me", "me", al_me},
	{"GET", "/sale/user-ratings", "ratings", al_ratings},
	{"GET", "/sale/user-ratings/*", "rating", al_rating},
	/* ---- allegro-msg: the Message Center and issue routes (fake_allegro_msg_route) ---- */
	{"GET", "/messaging/threads", "threads", al_msg},
	{"GET", "/messaging/threads/*/messages", "messages", al_msg},
	{"GET", "/sale/issues", "issues", al_msg},
	{"GET", "/sale/issues/*/chat", "chat", al_msg},
};

static const char *const al_paging[] = {"offset", NULL};

const struct fake_platform_def fake_allegro_def = {
	.name = "allegro",
	.prefix = "/sale/",
	.routes = al_routes,
	.nroutes = sizeof(al_routes) / sizeof(al_routes[0]),
	.options = {{"client-id", "rwfake-allegro-client", "ID"},
		    {"client-secret", "rwfake-allegro-secret", "SECRET"},
		    {"refresh-token", "rwfake-allegro-refresh-seed", "TOKEN"}},
	.paging = al_paging,
	.social = false,
	.auth = al_auth,
	.error = al_error,
	.auth_fail = al_auth_fail,
	.fault = al_fault,
	.not_found = al_not_found,
	.too_many = al_too_many,
	.limit_headers = al_limit_headers,
	.state = al_state,
	.control = al_control,
	.control_calls = "rating, answer, settings, approve, deny (+ allegro-msg's)",
	.config = al_config,
	.reset = al_reset,
	.free = al_free,
};
