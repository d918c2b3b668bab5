/*
 * fake_reddit.c: Reddit's OAuth API as rwfake serves it, platform
 * "reddit" — the token endpoint of www.reddit.com and the listings of
 * oauth.reddit.com on one port (point both auth_url and base_url at it):
 *
 *   POST /api/v1/access_token      HTTP Basic client_id:client_secret;
 *        grant_type=password (username, password) or refresh_token
 *   GET  /message/mentions         username mentions
 *   GET  /message/comments         replies to the brand's comments
 *   GET  /message/selfreply        replies to the brand's posts
 *   GET  /user/{name}/comments     a user's comments (the brand's), sort=new
 *
 * Listings are {"kind": "Listing", "data": {"children": [{"kind": "t1",
 * "data": {...}}], "after", "before": null, "dist", "modhash"}}, newest first,
 * limit (default 25, at most 100) and after=FULLNAME; an after that is not
 * in the list gives an empty page, as Reddit does. Comments' times are
 * created_utc in whole seconds (a float) and "created" 8 hours later, as in
 * the recorded answer (research/platforms.md 4.5).
 *
 * Every request needs a descriptive User-Agent (one holding "(by /u/"):
 * Reddit throttles or blocks default agents (429 or 403); here a 403
 * {"message": "Forbidden", "error": 403} (the 429 stays the rate limit's),
 * logged as auth "missing". A refused password
 * is answered 200 {"error": "invalid_grant"} as Reddit does; a refused
 * refresh token 400 {"error": "invalid_grant"}; a wrong client 401.
 * Access tokens ("rwfake-reddit-..." an hour, access_ttl in
 * POST /_fake/reddit/config) are checked as bearer; an unknown or expired
 * one is a 401 {"message": "Unauthorized", "error": 401}. Rate-limit
 * headers on every answer: X-Ratelimit-Used, X-Ratelimit-Remaining (a
 * float, "598.0"), X-Ratelimit-Reset (seconds from now), from the
 * generic windows (fake_limits.c).
 *
 * Control (docs/fakes.md): POST /_fake/reddit/mention {author, text,
 * created_at}, reply {author, text, in_reply_to (a brand comment t1_ or
 * post t3_), created_at}, brand_reply {in_reply_to, text, created_at},
 * revoke {grant: password|refresh_token, revoked: bool}; own fault
 * expire_token; GET /_fake/state shows the things, the User-Agents last
 * seen and the refusals.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <openssl/crypto.h>
#include <openssl/rand.h>
#include <replywatch/b64.h>

#include "fake.h"

#define RD_BRAND_NAME "Acme_Support"
#define RD_SUB "acme"
#define RD_POST "t3_1h5zq3k" /* the brand's post, where its comments are */
#define RD_REFRESH "rwfake-reddit-refresh-token"
#define RD_TTL_S 3600
#define RD_CREATED_SKEW_S 28800 /* "created" is not UTC */
#define RD_FIRST_ID 2000000000ULL
#define RD_TOKENS_MAX 64

enum rd_box { RD_MENTION, RD_COMMENT_REPLY, RD_POST_REPLY, RD_BRAND, RD_NONE };

struct rd_thing {
	char name[24];   /* t1_ + base 36 */
	char parent[24]; /* a fullname */
	char link[24];   /* the post */
	char author[40];
	char *body;
	int64_t created_ms;
	enum rd_box box;
};

struct rd_token {
	char value[64];
	int64_t exp_ms;
	bool refresh; /* issued by the refresh grant */
};

struct reddit {
	struct rd_thing *v;
	size_t n;
	size_t cap;
	uint64_t seq;
	struct rd_token tokens[RD_TOKENS_MAX];
	size_t ntokens;
	long ttl_s;
	bool password_revoked;
	bool refresh_revoked;
	long ua_refused;
	char ua_token[160]; /* the User-Agent of the last token request */
	char ua_api[160];   /* and of the last API request */
};

static int
rd_index(void)
{
	return fake_platform_from_name("reddit");
}

static struct reddit *
rd_of(struct fake_state *st)
{
	int p = rd_index();
	struct reddit *r;

	if (p < 0)
		return NULL;
	if ((r = st->own[p]) == NULL && (r = calloc(1, sizeof(*r))) != NULL) {
		r->ttl_s = RD_TTL_S;
		r->seq = RD_FIRST_ID;
		st->own[p] = r;
	}
	return r;
}

static void
base36(uint64_t v, char *out, size_t len)
{
	char tmp[16];
	size_t n = 0;

	do {
		tmp[n++] = "0123456789abcdefghijklmnopqrstuvwxyz"[v % 36];
		v /= 36;
	} while (v > 0 && n < sizeof(tmp));
	for (size_t i = 0; i < n && i + 1 < len; i++)
		out[i] = tmp[n - 1 - i];
	out[n < len ? n : len - 1] = '\0';
}

static const struct rd_thing *
rd_find(const struct reddit *r, const char *name)
{
	for (size_t i = 0; r != NULL && name != NULL && i < r->n; i++)
		if (strcmp(r->v[i].name, name) == 0)
			return &r->v[i];
	return NULL;
}

/* ---- auth ---- */

static const char *
user_agent(const struct fake_req *req)
{
	return req->user_agent;
}

static bool
descriptive(const char *ua)
{
	return ua != NULL && strstr(ua, "(by /u/") != NULL;
}

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

/* True when the Basic credentials are the app's. */
static bool
basic_ok(const struct fake_state *st, const struct fake_req *req)
{
	const char *a = req->authorization, *id = fake_option(st, req->platform, "client-id");
	const char *secret = fake_option(st, req->platform, "client-secret");
	unsigned char *plain = NULL;
	size_t len = 0;
	char *want;
	bool ok;

	if (a == NULL || !fake_has_prefix_ci(a, "Basic ") ||
	    rw_b64_decode(a + 6, strlen(a + 6), &plain, &len) == -1)
		return false;
	want = fake_sprintf("%s:%s", id ? id : "", secret ? secret : "");
	ok = want != NULL && len == strlen(want) && memcmp(plain, want, len) == 0;
	OPENSSL_cleanse(plain, len);
	free(plain);
	free(want);
	return ok;
}

static enum fake_auth
token_grant(struct fake_state *st, const struct fake_req *req, const char **why)
{
	struct reddit *r = rd_of(st);
	struct fake_req *form;
	const char *grant;
	enum fake_auth a = FAKE_AUTH_WRONG;

	if (!basic_ok(st, req)) {
		*why = "client";
		return req->authorization ? FAKE_AUTH_WRONG : FAKE_AUTH_MISSING;
	}
	if ((form = form_parse(req)) == NULL || r == NULL) {
		fake_req_free(form);
		*why = "unsupported_grant_type";
		return FAKE_AUTH_MISSING;
	}
	grant = fake_param(form, "grant_type");
	if (grant != NULL && strcmp(grant, "password") == 0) {
		const char *user = fake_param(form, "username"), *pw = fake_param(form, "password");
		const char *want = fake_option(st, req->platform, "password");

		*why = "password";
		if (user != NULL && pw != NULL && want != NULL && !r->password_revoked &&
		    strcasecmp(user, RD_BRAND_NAME) == 0 && strcmp(pw, want) == 0)
			a = FAKE_AUTH_OK;
	} else if (grant != NULL && strcmp(grant, "refresh_token") == 0) {
		const char *rt = fake_param(form, "refresh_token");

		*why = "refresh";
		if (rt != NULL && strcmp(rt, RD_REFRESH) == 0 && !r->refresh_revoked)
			a = FAKE_AUTH_OK;
	} else {
		*why = "unsupported_grant_type";
	}
	fake_req_free(form);
	return a;
}

static enum fake_auth
bearer(struct fake_state *st, const struct fake_req *req)
{
	const char *tok = fake_req_bearer(req);
	struct reddit *r = rd_of(st);

	if (tok == NULL || *tok == '\0')
		return FAKE_AUTH_MISSING;
	for (size_t i = 0; r != NULL && i < r->ntokens; i++) {
		if (strcmp(r->tokens[i].value, tok) == 0)
			return r->tokens[i].exp_ms > fake_now_ms() ? FAKE_AUTH_OK
								   : FAKE_AUTH_EXPIRED;
	}
	return FAKE_AUTH_WRONG;
}

/* Endpoint 0 is the token endpoint (the first route). */
static enum fake_auth
rd_auth(struct fake_state *st, const struct fake_req *req, int ep, const char **why)
{
	struct reddit *r = rd_of(st);
	const char *ua = user_agent(req);

	if (r != NULL && ep >= 0)
		snprintf(ep == 0 ? r->ua_token : r->ua_api, sizeof(r->ua_token), "%s",
			 ua ? ua : "");
	if (ep >= 0 && !descriptive(ua)) {
		if (r != NULL)
			r->ua_refused++;
		*why = "user_agent";
		return FAKE_AUTH_MISSING;
	}
	if (ep < 0)
		return bearer(st, req);
	if (ep == 0)
		return token_grant(st, req, why);
	return bearer(st, req);
}

/* ---- answers ---- */

static void
rd_error(struct fake_resp *r, unsigned status, const char *name, const char *msg)
{
	(void)name;
	fake_resp_json(r, status, json_pack("{s:s, s:i}", "message", msg, "error", (int)status));
}

static void
oauth_error(struct fake_resp *r, unsigned status, const char *error)
{
	fake_resp_json(r, status, json_pack("{s:s}", "error", error));
}

static void
rd_auth_fail(struct fake_resp *r, int ep, const char *why)
{
	if (strcmp(why, "user_agent") == 0)
		rd_error(r, 403, "", "Forbidden");
	else if (ep == 0 && strcmp(why, "password") == 0)
		oauth_error(r, 200, "invalid_grant"); /* sic: Reddit answers 200 */
	else if (ep == 0 && strcmp(why, "refresh") == 0)
		oauth_error(r, 400, "invalid_grant");
	else if (ep == 0 && strcmp(why, "unsupported_grant_type") == 0)
		oauth_error(r, 400, "unsupported_grant_type");
	else
		rd_error(r, 401, "", "Unauthorized");
}

static void
rd_token(struct fake_state *st, struct fake_req *req, struct fake_resp *resp)
{
	struct reddit *r = rd_of(st);
	struct fake_req *form = form_parse(req);
	const char *grant = form ? fake_param(form, "grant_type") : NULL;
	unsigned char rnd[16];
	struct rd_token *t;

	if (r == NULL || grant == NULL || RAND_bytes(rnd, sizeof(rnd)) != 1) {
		fake_req_free(form);
		rd_error(resp, 500, "", "Internal Server Error");
		return;
	}
	if (r->ntokens == RD_TOKENS_MAX) { /* the oldest goes */
		memmove(r->tokens, r->tokens + 1, (RD_TOKENS_MAX - 1) * sizeof(r->tokens[0]));
		r->ntokens--;
	}
	t = &r->tokens[r->ntokens++];
	memset(t, 0, sizeof(*t));
	snprintf(t->value, sizeof(t->value), "rwfake-reddit-");
	for (size_t i = 0; i < sizeof(rnd); i++)
		snprintf(t->value + 14 + 2 * i, 3, "%02x", rnd[i]);
	t->exp_ms = fake_now_ms() + r->ttl_s * 1000LL;
	t->refresh = strcmp(grant, "refresh_token") == 0;
	fake_req_free(form);
	fake_resp_json(resp, 200,
		       json_pack("{s:s, s:s, s:I, s:s}", "access_token", t->value, "token_type",
				 "bearer", "expires_in", (json_int_t)r->ttl_s, "scope",
				 "history privatemessages read identity"));
}

static const char *const box_subject[] = {"username mention", "comment reply", "post reply", "",
					  ""};
static const char *const box_type[] = {"username_mention", "comment_reply", "post_reply", "", ""};

/* One thing as a Listing child: the inbox's shape, or a user's comment's. */
static json_t *
thing_json(const struct rd_thing *t, bool inbox)
{
	const char *id = t->name + 3, *post = t->link + 3;
	double utc = (double)(t->created_ms / 1000);
	char path[160];
	json_t *d;

	if (inbox) {
		snprintf(path, sizeof(path), "/r/%s/comments/%s/refund_status/%s/?context=3",
			 RD_SUB, post, id);
		d = json_pack("{s:s, s:s, s:b, s:n, s:s, s:n, s:f, s:s, s:s, s:f, s:s, s:s, s:s, "
			      "s:n, s:s, s:s, s:s, s:b, s:n, s:s, s:s}",
			      "body", t->body ? t->body : "", "link_title", "Refund status",
			      "was_comment", 1, "first_message", "name", t->name,
			      "first_message_name", "created", utc + RD_CREATED_SKEW_S, "dest",
			      RD_BRAND_NAME, "author", t->author, "created_utc", utc, "subreddit",
			      RD_SUB, "parent_id", t->parent, "context", path, "likes", "replies",
			      "", "id", id, "type", box_type[t->box], "new", 1, "distinguished",
			      "subject", box_subject[t->box], "body_html", "");
	} else {
		snprintf(path, sizeof(path), "/r/%s/comments/%s/refund_status/%s/", RD_SUB, post,
			 id);
		d = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:f, s:f, s:i, s:s}",
			      "subreddit_id", "t5_2qh1i", "subreddit", RD_SUB, "id", id, "author",
			      t->author, "parent_id", t->parent, "body", t->body ? t->body : "",
			      "link_id", t->link, "name", t->name, "created",
			      utc + RD_CREATED_SKEW_S, "created_utc", utc, "score", 1, "permalink",
			      path);
	}
	return json_pack("{s:s, s:o}", "kind", "t1", "data", d);
}

/* A Listing of the things in box (newest first), paged by after/limit. */
static void
listing(struct fake_state *st, struct fake_req *req, struct fake_resp *resp, enum rd_box box,
	bool inbox)
{
	struct reddit *r = rd_of(st);
	long limit = fake_page_limit(st, req->platform, fake_param(req, "limit"), 25, 100);
	const char *after = fake_param(req, "after"), *last = NULL;
	bool started = after == NULL || *after == '\0', more = false;
	json_t *children = json_array();
	long n = 0;

	for (size_t i = r ? r->n : 0; i-- > 0;) {
		const struct rd_thing *t = &r->v[i];

		if (t->box != box)
			continue;
		if (!started) {
			started = strcmp(t->name, after) == 0;
			continue;
		}
		if (n == limit) {
			more = true;
			break;
		}
		json_array_append_new(children, thing_json(t, inbox));
		last = t->name;
		n++;
	}
	fake_resp_json(resp, 200,
		       json_pack("{s:s, s:{s:o, s:o, s:n, s:I, s:n}}", "kind", "Listing", "data",
				 "children", children, "after",
				 more && last ? json_string(last) : json_null(), "before", "dist",
				 (json_int_t)n, "modhash"));
}

static void
rd_mentions(struct fake_state *st, struct fake_req *req, struct fake_resp *resp)
{
	listing(st, req, resp, RD_MENTION, true);
}

static void
rd_comment_replies(struct fake_state *st, struct fake_req *req, struct fake_resp *resp)
{
	listing(st, req, resp, RD_COMMENT_REPLY, true);
}

static void
rd_post_replies(struct fake_state *st, struct fake_req *req, struct fake_resp *resp)
{
	listing(st, req, resp, RD_POST_REPLY, true);
}

/* Only the brand's comments exist here: another user has none. */
static void
rd_user_comments(struct fake_state *st, struct fake_req *req, struct fake_resp *resp)
{
	listing(st, req, resp, strcasecmp(req->capture, RD_BRAND_NAME) == 0 ? RD_BRAND : RD_NONE,
		false);
}

/* ---- control ---- */

static bool
add_thing(struct fake_state *st, enum rd_box box, json_t *body, struct fake_resp *resp)
{
	struct reddit *r = rd_of(st);
	const char *author = RD_BRAND_NAME, *text = NULL, *parent = NULL;
	const struct rd_thing *p = NULL;
	struct rd_thing t = {0};
	char id[16];
	int64_t ms;

	if ((box != RD_BRAND && !fake_control_str(body, "author", &author, resp)) ||
	    !fake_control_str(body, "text", &text, resp) ||
	    !fake_control_str(body, "in_reply_to", &parent, resp) ||
	    !fake_control_time(body, &ms, resp))
		return true;
	if (author == NULL)
		author = "jane_customer";
	if (box == RD_MENTION) {
		parent = RD_POST;
	} else if (parent == NULL) {
		fake_control_error(resp, 400, "in_reply_to is required");
		return true;
	} else if (strncmp(parent, "t3_", 3) != 0 && (p = rd_find(r, parent)) == NULL) {
		fake_control_error(resp, 400, "in_reply_to: no such comment");
		return true;
	}
	if (box == RD_COMMENT_REPLY && strncmp(parent, "t3_", 3) == 0)
		box = RD_POST_REPLY;
	/* The post, read before the store grows: p points into it. */
	snprintf(t.link, sizeof(t.link), "%s",
		 p != NULL                        ? p->link
		 : strncmp(parent, "t3_", 3) == 0 ? parent
						  : RD_POST);
	if (r == NULL || fake_grow((void **)&r->v, &r->cap, r->n, sizeof(*r->v)) == -1 ||
	    (text != NULL && (t.body = strdup(text)) == NULL)) {
		fake_control_error(resp, 500, "out of memory");
		return true;
	}
	base36(r->seq++, id, sizeof(id));
	snprintf(t.name, sizeof(t.name), "t1_%s", id);
	snprintf(t.parent, sizeof(t.parent), "%s", parent);
	snprintf(t.author, sizeof(t.author), "%s", author);
	t.created_ms = ms ? ms : fake_now_ms();
	t.box = box;
	r->v[r->n++] = t;
	fake_resp_json(resp, 200,
		       json_pack("{s:s, s:s, s:I}", "name", t.name, "parent_id", t.parent,
				 "created_utc", (json_int_t)(t.created_ms / 1000)));
	return true;
}

static void
drop_tokens(struct reddit *r, bool refresh)
{
	size_t k = 0;

	for (size_t i = 0; i < r->ntokens; i++)
		if (r->tokens[i].refresh != refresh)
			r->tokens[k++] = r->tokens[i];
	r->ntokens = k;
}

static bool
revoke(struct fake_state *st, json_t *body, struct fake_resp *resp)
{
	struct reddit *r = rd_of(st);
	const char *grant = NULL;
	json_t *on = json_object_get(body, "revoked");
	bool revoked = on == NULL || json_is_true(on);

	if (!fake_control_str(body, "grant", &grant, resp))
		return true;
	if (r == NULL) {
		fake_control_error(resp, 500, "out of memory");
		return true;
	}
	if (grant == NULL || strcmp(grant, "password") == 0)
		r->password_revoked = revoked;
	if (grant == NULL || strcmp(grant, "refresh_token") == 0)
		r->refresh_revoked = revoked;
	if (revoked) {
		if (grant == NULL || strcmp(grant, "password") == 0)
			drop_tokens(r, false);
		if (grant == NULL || strcmp(grant, "refresh_token") == 0)
			drop_tokens(r, true);
	}
	fake_resp_json(resp, 200,
		       json_pack("{s:b, s:b}", "password_revoked", r->password_revoked,
				 "refresh_revoked", r->refresh_revoked));
	return true;
}

static bool
rd_control(struct fake_state *st, enum fake_platform p, const char *what, json_t *body,
	   struct fake_resp *resp)
{
	(void)p;
	if (strcmp(what, "mention") == 0)
		return add_thing(st, RD_MENTION, body, resp);
	if (strcmp(what, "reply") == 0)
		return add_thing(st, RD_COMMENT_REPLY, body, resp);
	if (strcmp(what, "brand_reply") == 0)
		return add_thing(st, RD_BRAND, body, resp);
	if (strcmp(what, "revoke") == 0)
		return revoke(st, body, resp);
	return false;
}

static bool
rd_own_fault(struct fake_state *st, const char *kind, struct fake_resp *resp)
{
	struct reddit *r = rd_of(st);
	int64_t now = fake_now_ms();

	if (strcmp(kind, "expire_token") != 0)
		return false;
	for (size_t i = 0; r != NULL && i < r->ntokens; i++)
		if (r->tokens[i].exp_ms > now)
			r->tokens[i].exp_ms = now;
	fake_resp_json(resp, 200, json_pack("{s:b}", "expired", 1));
	return true;
}

static void
rd_config(struct fake_state *st, json_t *body)
{
	json_t *ttl = json_object_get(body, "access_ttl");
	struct reddit *r = rd_of(st);

	if (r != NULL && json_is_integer(ttl) && json_integer_value(ttl) > 0)
		r->ttl_s = (long)json_integer_value(ttl);
}

static json_t *
rd_state(const struct fake_state *st, enum fake_platform p)
{
	const struct reddit *r = st->own[p];
	json_t *things = json_array();

	for (size_t i = 0; r != NULL && i < r->n && things != NULL; i++)
		json_array_append_new(things, json_pack("{s:s, s:s, s:s, s:I}", "name",
							r->v[i].name, "parent_id", r->v[i].parent,
							"author", r->v[i].author, "created_utc",
							(json_int_t)(r->v[i].created_ms / 1000)));
	return json_pack("{s:o, s:I, s:s, s:s, s:I, s:b, s:b, s:o}", "things", things,
			 "access_tokens", (json_int_t)(r ? r->ntokens : 0), "user_agent_token",
			 r ? r->ua_token : "", "user_agent_api", r ? r->ua_api : "",
			 "user_agent_refused", (json_int_t)(r ? r->ua_refused : 0),
			 "password_revoked", r != NULL && r->password_revoked, "refresh_revoked",
			 r != NULL && r->refresh_revoked, "rate_limits", fake_limits_json(st, p));
}

/* Content, revocations and the lifetime go; issued tokens stay (as for
 * Google's endpoint). */
static void
rd_reset(struct fake_state *st, enum fake_platform p)
{
	struct reddit *r = st->own[p];

	if (r == NULL)
		return;
	for (size_t i = 0; i < r->n; i++)
		free(r->v[i].body);
	r->n = 0;
	r->ttl_s = RD_TTL_S;
	r->password_revoked = r->refresh_revoked = false;
	r->ua_refused = 0;
	r->ua_token[0] = r->ua_api[0] = '\0';
}

static void
rd_free(struct fake_state *st, enum fake_platform p)
{
	struct reddit *r = st->own[p];

	if (r == NULL)
		return;
	rd_reset(st, p);
	OPENSSL_cleanse(r->tokens, sizeof(r->tokens));
	free(r->v);
	free(r);
	st->own[p] = NULL;
}

static void
rd_fault(struct fake_resp *r, enum fake_fault_kind kind)
{
	if (kind == FAKE_F_403)
		rd_error(r, 403, "", "Forbidden");
	else if (kind == FAKE_F_500)
		rd_error(r, 500, "", "Internal Server Error");
	else if (kind == FAKE_F_502)
		rd_error(r, 502, "", "Bad Gateway");
	else
		rd_error(r, 503, "", "Service Unavailable");
}

static void
rd_not_found(struct fake_resp *r)
{
	rd_error(r, 404, "", "Not Found");
}

static void
rd_too_many(struct fake_resp *r, const struct fake_limit *l, long retry_after, int64_t now)
{
	(void)l;
	(void)now;
	rd_error(r, 429, "", "Too Many Requests");
	if (retry_after >= 0)
		fake_resp_header(r, "Retry-After", "%ld", retry_after);
}

static void
rd_limit_headers(struct fake_resp *r, const struct fake_limit *l)
{
	int64_t left = l->reset_ms - fake_now_ms();

	fake_resp_header(r, "X-Ratelimit-Used", "%ld", l->limit - l->remaining);
	fake_resp_header(r, "X-Ratelimit-Remaining", "%ld.0", l->remaining);
	fake_resp_header(r, "X-Ratelimit-Reset", "%lld",
			 (long long)(left > 0 ? (left + 999) / 1000 : 0));
}

static const struct fake_route_def rd_routes[] = {
	{"POST", "/api/v1/access_token", "token", rd_token},
	{"GET", "/message/mentions", "mentions", rd_mentions},
	{"GET", "/message/comments", "comment_replies", rd_comment_replies},
	{"GET", "/message/selfreply", "post_replies", rd_post_replies},
	{"GET", "/user/*/comments", "comments", rd_user_comments},
};

static const char *const rd_paging[] = {"after", NULL};

const struct fake_platform_def fake_reddit_def = {
	.name = "reddit",
	.prefix = "/message/",
	.routes = rd_routes,
	.nroutes = sizeof(rd_routes) / sizeof(rd_routes[0]),
	.options = {{"client-id", "rwfake-reddit-client", "ID"},
		    {"client-secret", "rwfake-reddit-secret", "SECRET"},
		    {"password", "rwfake-reddit-password", "PASSWORD"}},
	.one_window = true, /* the budget is per OAuth client, whatever the endpoint */
	.paging = rd_paging,
	.social = false,
	.auth = rd_auth,
	.error = rd_error,
	.auth_fail = rd_auth_fail,
	.fault = rd_fault,
	.not_found = rd_not_found,
	.too_many = rd_too_many,
	.limit_headers = rd_limit_headers,
	.state = rd_state,
	.control = rd_control,
	.control_calls = "mention, reply, brand_reply, revoke",
	.own_fault = rd_own_fault,
	.config = rd_config,
	.reset = rd_reset,
	.free = rd_free,
};
