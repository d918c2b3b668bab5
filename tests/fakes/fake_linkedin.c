/*
 * fake_linkedin.c: LinkedIn's Community Management API for one
 * organisation Page as rwfake serves it (platform "linkedin"), with its
 * 3-legged OAuth token endpoint.
 *
 *   POST /oauth/v2/accessToken   grant_type=refresh_token, client_id,
 *        client_secret, refresh_token (--linkedin-client-id, -client-secret,
 *        -refresh-token): {access_token, expires_in, refresh_token,
 *        refresh_token_expires_in}; invalid_grant once revoked.
 *   GET /rest/organizationalEntityNotifications?q=criteria&
 *        organizationalEntity=urn%3Ali%3Aorganization%3AID&actions=List(...)&
 *        timeRange=(start:MS,end:MS)&start=N&count=C
 *   GET /rest/socialActions/{encoded URN}/comments?start=N&count=C
 *
 * Every /rest call needs the bearer token last issued (401
 * INVALID_ACCESS_TOKEN otherwise), X-Restli-Protocol-Version: 2.0.0 and a
 * LinkedIn-Version of YYYYMM not older than a year nor newer than the
 * fake's month (400 VERSION_MISSING without, 426 NONEXISTENT_VERSION for an
 * inactive one, as LinkedIn answers). Notifications are listed newest
 * first, filtered by the time range (start inclusive) and sliced by
 * start/count; shapes follow the research samples (notification webhook
 * payload, Rest.li comments). Throttling is the generic 429 with
 * LinkedIn's body; no rate-limit headers.
 *
 * Control (POST /_fake/linkedin/...): comment {created_at, post} (a
 * member's comment on the Page's post), mention {created_at} (a member's
 * post that mentions the Page), reply {id, created_at} (the Page's answer
 * under a comment, or on the mentioning post), revoke (invalid_grant from
 * now on), settings {refresh_expires_in, access_ttl} (seconds the token
 * endpoint answers), expire (the access token stops working). GET
 * /_fake/linkedin/items lists them.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "fake.h"

#define POST_URN "urn:li:activity:7094637247890620418"
#define REFRESH_TTL_S 31536000L /* 365 days from the grant */
#define ACCESS_TTL_S 5184000L   /* 60 days */
#define COUNT_MAX 100

struct li_entry {
	bool mention;  /* SHARE_MENTION, else COMMENT */
	char id[160];  /* the comment URN, or the mentioning share's */
	char post[96]; /* the activity commented on (mentions: the share) */
	long long notif_id;
	int64_t created_ms;
	char reply_id[160]; /* the Page's answer ("": none) */
	int64_t reply_ms;
};

struct li_fake {
	struct li_entry *v;
	size_t n, cap;
	long long seq;
	bool revoked;
	long refresh_ttl_s, access_ttl_s;
	int64_t granted_ms; /* the refresh token's first grant (its 365 days start) */
	char token[48];     /* the access token last issued ("": none) */
	int64_t token_exp_ms;
};

static struct li_fake *
li_of(struct fake_state *st, enum fake_platform p)
{
	struct li_fake *f = st->own[p];

	if (f == NULL && (f = calloc(1, sizeof(*f))) != NULL) {
		f->refresh_ttl_s = REFRESH_TTL_S;
		f->access_ttl_s = ACCESS_TTL_S;
		f->seq = 7094977717598625792LL;
		st->own[p] = f;
	}
	return f;
}

static const char *
li_org(const struct fake_state *st, enum fake_platform p)
{
	static char urn[64];

	snprintf(urn, sizeof(urn), "urn:li:organization:%s", fake_option(st, p, "organization"));
	return urn;
}

/* LinkedIn's error body. */
static void
li_error(struct fake_resp *r, unsigned status, const char *name, const char *msg)
{
	fake_resp_json(r, status,
		       json_pack("{s:i, s:s, s:s}", "status", (int)status, "code",
				 name ? name : "ERROR", "message", msg));
}

/* The current YYYYMM of the fake's clock. */
static long
li_month_now(void)
{
	time_t t = (time_t)(fake_now_ms() / 1000);
	struct tm tm;

	gmtime_r(&t, &tm);
	return (tm.tm_year + 1900L) * 100 + tm.tm_mon + 1;
}

/* A version active now: YYYYMM, not after this month, at most a year old. */
static bool
li_version_active(const char *v)
{
	long now = li_month_now(), ver, months;

	if (!fake_is_digits(v, 6) || strlen(v) != 6)
		return false;
	ver = strtol(v, NULL, 10);
	if (ver % 100 < 1 || ver % 100 > 12 || ver > now)
		return false;
	months = (now / 100 - ver / 100) * 12 + (now % 100 - ver % 100);
	return months <= 12;
}

/* /rest calls: headers, then the bearer token; the token endpoint checks
 * its form itself. */
static enum fake_auth
li_auth(struct fake_state *st, const struct fake_req *req, int ep, const char **why)
{
	struct li_fake *f = li_of(st, req->platform);
	const char *tok;

	if (ep >= 0 && strcmp(fake_endpoint_name(req->platform, ep), "token") == 0)
		return FAKE_AUTH_OK;
	if (req->li_version == NULL) {
		*why = "version_missing";
		return FAKE_AUTH_WRONG;
	}
	if (!li_version_active(req->li_version)) {
		*why = "version_inactive";
		return FAKE_AUTH_WRONG;
	}
	if (req->restli == NULL || strcmp(req->restli, "2.0.0") != 0) {
		*why = "restli";
		return FAKE_AUTH_WRONG;
	}
	if ((tok = fake_req_bearer(req)) == NULL)
		return FAKE_AUTH_MISSING;
	if (f == NULL || f->token[0] == '\0' || strcmp(tok, f->token) != 0)
		return FAKE_AUTH_WRONG;
	return f->token_exp_ms > fake_now_ms() ? FAKE_AUTH_OK : FAKE_AUTH_EXPIRED;
}

static void
li_auth_fail(struct fake_resp *r, int ep, const char *why)
{
	(void)ep;
	if (strcmp(why, "version_missing") == 0)
		li_error(r, 400, "VERSION_MISSING",
			 "A version must be present. Please specify a version by adding the "
			 "LinkedIn-Version header.");
	else if (strcmp(why, "version_inactive") == 0)
		li_error(r, 426, "NONEXISTENT_VERSION", "Requested version is not active");
	else if (strcmp(why, "restli") == 0)
		li_error(r, 400, "ILLEGAL_ARGUMENT", "X-Restli-Protocol-Version 2.0.0 is required");
	else
		fake_resp_json(r, 401,
			       json_pack("{s:i, s:i, s:s, s:s}", "status", 401, "serviceErrorCode",
					 65600, "code", "INVALID_ACCESS_TOKEN", "message",
					 "Invalid access token"));
}

/* ---- the token endpoint ---- */

static void
oauth_error(struct fake_resp *r, unsigned status, const char *name, const char *msg)
{
	fake_resp_json(r, status, json_pack("{s:s, s:s}", "error", name, "error_description", msg));
}

static bool
same(const char *a, const char *b)
{
	return a != NULL && b != NULL && *b != '\0' && strcmp(a, b) == 0;
}

/* POST /oauth/v2/accessToken */
static void
li_token(struct fake_state *st, struct fake_req *req, struct fake_resp *resp)
{
	enum fake_platform p = req->platform;
	struct li_fake *f = li_of(st, p);
	struct fake_req *form = calloc(1, sizeof(*form));
	int64_t now = fake_now_ms(), left;

	if (f == NULL || form == NULL ||
	    (form->uri = fake_sprintf("?%.*s", (int)req->body_len, req->body ? req->body : "")) ==
		    NULL ||
	    fake_req_parse_uri(form) == -1) {
		fake_req_free(form);
		oauth_error(resp, 500, "server_error", "Internal error");
		return;
	}
	if (!same(fake_param(form, "grant_type"), "refresh_token"))
		oauth_error(resp, 400, "unsupported_grant_type", "grant_type is not supported");
	else if (!same(fake_param(form, "client_id"), fake_option(st, p, "client-id")) ||
		 !same(fake_param(form, "client_secret"), fake_option(st, p, "client-secret")))
		oauth_error(resp, 401, "invalid_client", "Client authentication failed");
	else if (!same(fake_param(form, "refresh_token"), fake_option(st, p, "refresh-token")) ||
		 f->revoked)
		oauth_error(resp, 400, "invalid_grant",
			    "The provided authorization grant or refresh token is invalid, expired "
			    "or revoked");
	else {
		if (f->granted_ms == 0)
			f->granted_ms = now;
		left = f->refresh_ttl_s - (now - f->granted_ms) / 1000;
		snprintf(f->token, sizeof(f->token), "AQrwfake%lld", (long long)++f->seq);
		f->token_exp_ms = now + f->access_ttl_s * 1000LL;
		fake_resp_json(resp, 200,
			       json_pack("{s:s, s:I, s:s, s:I, s:s}", "access_token", f->token,
					 "expires_in", (json_int_t)f->access_ttl_s, "refresh_token",
					 fake_option(st, p, "refresh-token"),
					 "refresh_token_expires_in",
					 (json_int_t)(left > 0 ? left : 1), "scope",
					 "r_organization_social,rw_organization_admin"));
	}
	fake_req_free(form);
}

/* ---- the API ---- */

/* "(start:A,end:B)" */
static bool
li_range(const char *s, int64_t *start, int64_t *end)
{
	long long a, b;
	int n = 0;

	if (s == NULL || sscanf(s, "(start:%lld,end:%lld)%n", &a, &b, &n) != 2 ||
	    (size_t)n != strlen(s))
		return false;
	*start = a;
	*end = b;
	return a <= b;
}

static json_t *
li_notification_json(const struct fake_state *st, enum fake_platform p, const struct li_entry *e)
{
	const char *org = li_org(st, p);
	char gen[200];

	if (e->mention)
		return json_pack(
			"{s:I, s:s, s:s, s:s, s:s, s:I}", "notificationId", (json_int_t)e->notif_id,
			"action", "SHARE_MENTION", "organizationalEntity", org, "sourcePost", e->id,
			"generatedActivity", e->id, "lastModifiedAt", (json_int_t)e->created_ms);
	/* generatedActivity without "urn:li:" inside, as LinkedIn sends it. */
	snprintf(gen, sizeof(gen), "urn:li:comment:(%s", e->id + strlen("urn:li:comment:(urn:li:"));
	return json_pack("{s:I, s:s, s:s, s:s, s:s, s:I, s:{s:s, s:s, s:s}, s:{s:{s:s, s:s, s:s, "
			 "s:s}}}",
			 "notificationId", (json_int_t)e->notif_id, "action", "COMMENT",
			 "organizationalEntity", org, "sourcePost", e->post, "generatedActivity",
			 gen, "lastModifiedAt", (json_int_t)e->created_ms, "decoratedSourcePost",
			 "owner", org, "entity", "urn:li:share:7094637247487995904", "text",
			 "Our post", "decoratedGeneratedActivity", "comment", "owner",
			 "urn:li:person:rwfake01", "text", "Where is my refund?", "entity", e->id,
			 "object", e->post);
}

static int
li_newer_first(const void *a, const void *b)
{
	const struct li_entry *x = *(const struct li_entry *const *)a,
			      *y = *(const struct li_entry *const *)b;

	if (x->created_ms != y->created_ms)
		return x->created_ms > y->created_ms ? -1 : 1;
	return x->notif_id > y->notif_id ? -1 : 1;
}

/* GET /rest/organizationalEntityNotifications */
static void
li_notifications(struct fake_state *st, struct fake_req *req, struct fake_resp *resp)
{
	enum fake_platform p = req->platform;
	struct li_fake *f = li_of(st, p);
	const char *start_text = fake_param(req, "start");
	long count = fake_page_limit(st, p, fake_param(req, "count"), 10, COUNT_MAX);
	long start = start_text ? strtol(start_text, NULL, 10) : 0;
	const struct li_entry **hit = NULL;
	int64_t from, to;
	size_t n = 0, total;
	json_t *list;

	if (!same(fake_param(req, "q"), "criteria") ||
	    !same(fake_param(req, "organizationalEntity"), li_org(st, p)) ||
	    !li_range(fake_param(req, "timeRange"), &from, &to) || start < 0) {
		li_error(resp, 400, "ILLEGAL_ARGUMENT",
			 "q=criteria, organizationalEntity and "
			 "timeRange=(start:MS,end:MS) are required");
		return;
	}
	if (f == NULL || (f->n > 0 && (hit = calloc(f->n, sizeof(*hit))) == NULL)) {
		fake_resp_json(resp, 500, NULL);
		return;
	}
	for (size_t i = 0; i < f->n; i++)
		if (f->v[i].created_ms >= from && f->v[i].created_ms <= to)
			hit[n++] = &f->v[i];
	if (n > 0)
		qsort(hit, n, sizeof(*hit), li_newer_first);
	total = n;
	list = json_array();
	for (size_t i = (size_t)start; list != NULL && i < n && i < (size_t)(start + count); i++)
		json_array_append_new(list, li_notification_json(st, p, hit[i]));
	free(hit);
	fake_resp_json(resp, 200,
		       list ? json_pack("{s:o, s:{s:I, s:I, s:I, s:[]}}", "elements", list,
					"paging", "start", (json_int_t)start, "count",
					(json_int_t)count, "total", (json_int_t)total, "links")
			    : NULL);
}

/* The %-decoded capture (a URN). */
static void
li_decode(const char *in, char *out, size_t len)
{
	size_t n = 0;

	for (; *in != '\0' && n + 1 < len; n++) {
		if (in[0] == '%' && fake_hexval(in[1]) >= 0 && fake_hexval(in[2]) >= 0) {
			out[n] = (char)(fake_hexval(in[1]) * 16 + fake_hexval(in[2]));
			in += 3;
		} else {
			out[n] = *in++;
		}
	}
	out[n] = '\0';
}

/* GET /rest/socialActions/{URN}/comments: the Page's answer under it. A
 * raw ':' in the path is refused as LinkedIn's Rest.li does with an
 * unencoded URN. */
static void
li_comments(struct fake_state *st, struct fake_req *req, struct fake_resp *resp)
{
	enum fake_platform p = req->platform;
	struct li_fake *f = li_of(st, p);
	const char *org = li_org(st, p);
	const struct li_entry *e = NULL;
	char urn[200], cid[40];
	json_t *list = json_array();

	if (strchr(req->capture, ':') != NULL || strchr(req->capture, '(') != NULL) {
		json_decref(list);
		li_error(resp, 400, "ILLEGAL_ARGUMENT", "the URN must be URL-encoded");
		return;
	}
	li_decode(req->capture, urn, sizeof(urn));
	for (size_t i = 0; f != NULL && i < f->n; i++)
		if (strcmp(f->v[i].id, urn) == 0)
			e = &f->v[i];
	if (e == NULL) {
		json_decref(list);
		li_error(resp, 404, "NOT_FOUND", "Not Found");
		return;
	}
	if (list != NULL && e->reply_id[0] != '\0') {
		const char *comma = strrchr(e->reply_id, ',');

		snprintf(cid, sizeof(cid), "%.*s", comma ? (int)strlen(comma + 1) - 1 : 0,
			 comma ? comma + 1 : "");
		json_array_append_new(
			list,
			json_pack("{s:s, s:s, s:s, s:s, s:s?, s:{s:s, s:[]}, s:{s:s, s:I}, s:{s:s, "
				  "s:I}}",
				  "id", cid, "commentUrn", e->reply_id, "actor", org, "object",
				  e->post, "parentComment", e->mention ? NULL : e->id, "message",
				  "text", "Sorry about that - please DM us your order number.",
				  "attributes", "created", "actor", org, "time",
				  (json_int_t)e->reply_ms, "lastModified", "actor", org, "time",
				  (json_int_t)e->reply_ms));
	}
	fake_resp_json(resp, 200,
		       list ? json_pack("{s:{s:i, s:i, s:I, s:[]}, s:o}", "paging", "start", 0,
					"count", 10, "total", (json_int_t)json_array_size(list),
					"links", "elements", list)
			    : NULL);
}

/* ---- control ---- */

static json_t *
li_entry_json(const struct li_entry *e)
{
	return json_pack(
		"{s:s, s:s, s:s, s:I, s:I, s:s?}", "kind", e->mention ? "mention" : "comment", "id",
		e->id, "post", e->post, "notification_id", (json_int_t)e->notif_id, "created_ms",
		(json_int_t)e->created_ms, "reply_id", e->reply_id[0] ? e->reply_id : NULL);
}

static void
li_add(struct fake_state *st, enum fake_platform p, bool mention, json_t *body,
       struct fake_resp *resp)
{
	struct li_fake *f = li_of(st, p);
	const char *post = NULL;
	struct li_entry e = {.mention = mention};
	int64_t ms;

	if (!fake_control_time(body, &ms, resp) || !fake_control_str(body, "post", &post, resp))
		return;
	if (f == NULL || fake_grow((void **)&f->v, &f->cap, f->n, sizeof(*f->v)) == -1) {
		fake_control_error(resp, 500, "out of memory");
		return;
	}
	e.created_ms = ms ? ms : fake_now_ms();
	e.notif_id = 5603453321LL + (long long)f->n;
	f->seq++;
	if (mention) {
		snprintf(e.id, sizeof(e.id), "urn:li:share:%lld", f->seq);
		snprintf(e.post, sizeof(e.post), "%.95s", e.id);
	} else {
		snprintf(e.post, sizeof(e.post), "%.95s", post ? post : POST_URN);
		snprintf(e.id, sizeof(e.id), "urn:li:comment:(%s,%lld)", e.post, f->seq);
	}
	f->v[f->n++] = e;
	fake_resp_json(resp, 200, li_entry_json(&e));
}

static void
li_reply(struct fake_state *st, enum fake_platform p, json_t *body, struct fake_resp *resp)
{
	struct li_fake *f = li_of(st, p);
	const char *id = NULL;
	struct li_entry *e = NULL;
	int64_t ms;

	if (!fake_control_time(body, &ms, resp) || !fake_control_str(body, "id", &id, resp))
		return;
	for (size_t i = 0; f != NULL && id != NULL && i < f->n; i++)
		if (strcmp(f->v[i].id, id) == 0)
			e = &f->v[i];
	if (e == NULL) {
		fake_control_error(resp, 404, "no such comment or mention");
		return;
	}
	f->seq++;
	snprintf(e->reply_id, sizeof(e->reply_id), "urn:li:comment:(%s,%lld)", e->post, f->seq);
	e->reply_ms = ms ? ms : fake_now_ms();
	fake_resp_json(resp, 200, li_entry_json(e));
}

static bool
li_control(struct fake_state *st, enum fake_platform p, const char *what, json_t *body,
	   struct fake_resp *resp)
{
	struct li_fake *f = li_of(st, p);
	long v;

	if (f == NULL) {
		fake_control_error(resp, 500, "out of memory");
		return true;
	}
	if (strcmp(what, "comment") == 0 || strcmp(what, "mention") == 0) {
		li_add(st, p, strcmp(what, "mention") == 0, body, resp);
	} else if (strcmp(what, "reply") == 0) {
		li_reply(st, p, body, resp);
	} else if (strcmp(what, "revoke") == 0) {
		f->revoked = true;
		f->token[0] = '\0';
		fake_resp_json(resp, 200, json_pack("{s:b}", "revoked", true));
	} else if (strcmp(what, "expire") == 0) {
		f->token_exp_ms = 0;
		fake_resp_json(resp, 200, json_pack("{s:b}", "expired", true));
	} else if (strcmp(what, "settings") == 0) {
		if (!fake_control_int(body, "refresh_expires_in", f->refresh_ttl_s, &v, resp))
			return true;
		f->refresh_ttl_s = v;
		if (!fake_control_int(body, "access_ttl", f->access_ttl_s, &v, resp))
			return true;
		f->access_ttl_s = v;
		f->granted_ms = 0; /* a new grant from the next exchange */
		fake_resp_json(resp, 200,
			       json_pack("{s:I, s:I}", "refresh_expires_in",
					 (json_int_t)f->refresh_ttl_s, "access_ttl",
					 (json_int_t)f->access_ttl_s));
	} else {
		return false;
	}
	return true;
}

static bool
li_get(struct fake_state *st, enum fake_platform p, const char *what, struct fake_req *req,
       struct fake_resp *resp)
{
	struct li_fake *f = li_of(st, p);
	json_t *list;

	(void)req;
	if (strcmp(what, "items") != 0)
		return false;
	list = json_array();
	for (size_t i = 0; f != NULL && list != NULL && i < f->n; i++)
		json_array_append_new(list, li_entry_json(&f->v[i]));
	fake_resp_json(resp, 200, list ? json_pack("{s:o}", "items", list) : NULL);
	return true;
}

static json_t *
li_state(const struct fake_state *st, enum fake_platform p)
{
	const struct li_fake *f = st->own[p];

	return json_pack("{s:I, s:b, s:b, s:o}", "items", (json_int_t)(f ? f->n : 0), "revoked",
			 f != NULL && f->revoked, "token_issued", f != NULL && f->token[0] != '\0',
			 "rate_limits", fake_limits_json(st, p));
}

static void
li_free(struct fake_state *st, enum fake_platform p)
{
	struct li_fake *f = st->own[p];

	if (f != NULL)
		free(f->v);
	free(f);
	st->own[p] = NULL;
}

static void
li_fault(struct fake_resp *r, enum fake_fault_kind kind)
{
	if (kind == FAKE_F_403)
		li_error(r, 403, "ACCESS_DENIED", "Not enough permissions to access this resource");
	else if (kind == FAKE_F_500)
		li_error(r, 500, "INTERNAL_SERVER_ERROR", "Internal Server Error");
	else if (kind == FAKE_F_502)
		li_error(r, 502, "BAD_GATEWAY", "Bad Gateway");
	else
		li_error(r, 503, "SERVICE_UNAVAILABLE", "Service Unavailable");
}

static void
li_not_found(struct fake_resp *r)
{
	li_error(r, 404, "NOT_FOUND", "Not Found");
}

static void
li_too_many(struct fake_resp *r, const struct fake_limit *l, long retry_after, int64_t now)
{
	(void)l;
	(void)now;
	fake_resp_json(r, 429,
		       json_pack("{s:i, s:i, s:s, s:s}", "status", 429, "serviceErrorCode", 101,
				 "code", "TOO_MANY_REQUESTS", "message",
				 "Resource level throttle APPLICATION DAY limit for calls to this "
				 "resource is reached."));
	if (retry_after >= 0)
		fake_resp_header(r, "Retry-After", "%ld", retry_after);
}

/* LinkedIn documents no rate-limit headers: none are sent. */
static void
li_limit_headers(struct fake_resp *r, const struct fake_limit *l)
{
	(void)r;
	(void)l;
}

static const struct fake_route_def li_routes[] = {
	{"POST", "/oauth/v2/accessToken", "token", li_token},
	{"GET", "/rest/organizationalEntityNotifications", "notifications", li_notifications},
	{"GET", "/rest/socialActions/*/comments", "comments", li_comments},
};

static const char *const li_paging[] = {"start", NULL};

const struct fake_platform_def fake_linkedin_def = {
	.name = "linkedin",
	.prefix = "/rest/",
	.routes = li_routes,
	.nroutes = sizeof(li_routes) / sizeof(li_routes[0]),
	.options = {{"client-id", "78rwfake", "ID"},
		    {"client-secret", "linkedin-test-secret", "SECRET"},
		    {"refresh-token", "linkedin-test-refresh", "TOKEN"},
		    {"organization", "2414183", "ID"}},
	.paging = li_paging,
	.auth = li_auth,
	.error = li_error,
	.auth_fail = li_auth_fail,
	.fault = li_fault,
	.not_found = li_not_found,
	.too_many = li_too_many,
	.limit_headers = li_limit_headers,
	.state = li_state,
	.get = li_get,
	.control = li_control,
	.control_calls = "comment, mention, reply, revoke, expire, settings",
	.reset = li_free,
	.free = li_free,
};
