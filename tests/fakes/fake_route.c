/*
 * fake_route.c: one platform request from path to answer. In order: find
 * the route, log it, spend one call of the endpoint's rate-limit window
 * (429 when spent), apply a queued fault, check the credentials, run the
 * handler, bend its answer for faults that act on a real answer, add the
 * platform's rate-limit headers.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fake.h"

struct route {
	enum fake_platform platform;
	const char *method;
	const char *pattern; /* "*" matches one path segment */
	const char *endpoint;
	fake_handler_fn *fn;
};

static const struct route routes[] = {
	{FAKE_MASTODON, "GET", "/api/v1/accounts/verify_credentials", "verify_credentials",
	 fake_mastodon_verify_credentials},
	{FAKE_MASTODON, "GET", "/api/v1/notifications", "notifications",
	 fake_mastodon_notifications},
	{FAKE_MASTODON, "GET", "/api/v1/accounts/*/statuses", "statuses", fake_mastodon_statuses},
	{FAKE_X, "GET", "/2/users/*/mentions", "mentions", fake_x_mentions},
	{FAKE_X, "GET", "/2/users/*/tweets", "tweets", fake_x_tweets},
	{FAKE_BLUESKY, "POST", "/xrpc/com.atproto.server.createSession", "createSession",
	 fake_bsky_create_session},
	{FAKE_BLUESKY, "POST", "/xrpc/com.atproto.server.refreshSession", "refreshSession",
	 fake_bsky_refresh_session},
	{FAKE_BLUESKY, "GET", "/xrpc/app.bsky.notification.listNotifications", "listNotifications",
	 fake_bsky_list_notifications},
	{FAKE_BLUESKY, "GET", "/xrpc/app.bsky.feed.getAuthorFeed", "getAuthorFeed",
	 fake_bsky_author_feed},
};

static const char garbage_page[] =
	"<!DOCTYPE html>\n<html>\n<head><title>We're sorry, but something went wrong</title>"
	"</head>\n<body>\n<h1>Something went wrong</h1>\n<p>The page you were looking for is "
	"temporarily unavailable. Please try again later.</p>\n</body>\n</html>\n";

/* True when path matches pattern; a "*" segment is copied into capture. */
static bool
match(const char *pattern, const char *path, char *capture, size_t caplen)
{
	while (*pattern != '\0' && *path != '\0') {
		if (*pattern == '*') {
			size_t n = strcspn(path, "/");

			if (n == 0 || n >= caplen)
				return false;
			memcpy(capture, path, n);
			capture[n] = '\0';
			pattern++;
			path += n;
		} else if (*pattern++ != *path++) {
			return false;
		}
	}
	return *pattern == '\0' && *path == '\0';
}

long
fake_page_limit(const struct fake_state *st, enum fake_platform p, const char *text, long def,
		long max)
{
	long n = def;
	char *end;

	if (text != NULL && *text != '\0') {
		n = strtol(text, &end, 10);
		if (*end != '\0' || n <= 0)
			n = def;
	}
	if (n > max)
		n = max;
	if (st->p[p].page_max > 0 && n > st->p[p].page_max)
		n = st->p[p].page_max;
	return n;
}

/* Whether the bearer token equals want. */
static enum fake_auth
token_auth(const struct fake_req *req, const char *want)
{
	const char *tok = fake_req_bearer(req);

	if (tok == NULL)
		return FAKE_AUTH_MISSING;
	return strcmp(tok, want) == 0 ? FAKE_AUTH_OK : FAKE_AUTH_WRONG;
}

/* The answer to a request whose credentials did not pass. */
static void
auth_fail(struct fake_resp *resp, enum fake_platform p, int ep, const char *why)
{
	if (p == FAKE_MASTODON) {
		fake_resp_error(resp, p, 401, NULL, "The access token is invalid");
	} else if (p == FAKE_X) {
		fake_resp_error(resp, p, 401, "Unauthorized", "Unauthorized");
	} else if (strcmp(why, "ExpiredToken") == 0) {
		fake_resp_error(resp, p, 400, why, "Token has expired");
	} else if (strcmp(why, "InvalidToken") == 0) {
		fake_resp_error(resp, p, 400, why, "Token could not be verified");
	} else if (strcmp(why, "InvalidRequest") == 0) {
		fake_resp_error(resp, p, 400, why,
				"Input must have the properties \"identifier\" and \"password\"");
	} else {
		fake_resp_error(resp, p, 401, "AuthenticationRequired",
				ep == fake_endpoint_index(p, "createSession")
					? "Invalid identifier or password"
					: "Authentication Required");
	}
}

/* The answer for a fault that replaces the real one. */
static void
fault_answer(struct fake_resp *resp, enum fake_platform p, enum fake_fault_kind kind)
{
	static const char *const html502 =
		"<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n"
		"<center><h1>502 Bad Gateway</h1></center>\r\n<hr><center>nginx</center>\r\n"
		"</body>\r\n</html>\r\n";
	static const char *const html503 =
		"<html>\r\n<head><title>503 Service Temporarily Unavailable</title></head>\r\n"
		"<body>\r\n<center><h1>503 Service Temporarily Unavailable</h1></center>\r\n"
		"<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n";

	switch (kind) {
	case FAKE_F_401:
		auth_fail(resp, p, -1, "AuthenticationRequired");
		break;
	case FAKE_F_403:
		if (p == FAKE_MASTODON)
			fake_resp_error(resp, p, 403, NULL,
					"This action is outside the authorized scopes");
		else
			fake_resp_error(resp, p, 403, "Forbidden", "Forbidden");
		break;
	case FAKE_F_500:
		fake_resp_error(resp, p, 500,
				p == FAKE_BLUESKY ? "InternalServerError" : "Internal Server Error",
				"Internal Server Error");
		break;
	case FAKE_F_502:
		if (p == FAKE_MASTODON)
			fake_resp_text(resp, 502, "text/html", html502);
		else
			fake_resp_error(resp, p, 502,
					p == FAKE_BLUESKY ? "UpstreamFailure" : "Bad Gateway",
					p == FAKE_BLUESKY ? "Upstream Failure" : "Bad Gateway");
		break;
	default:
		if (p == FAKE_MASTODON)
			fake_resp_text(resp, 503, "text/html", html503);
		else
			fake_resp_error(
				resp, p, 503,
				p == FAKE_BLUESKY ? "NotEnoughResources" : "Service Unavailable",
				p == FAKE_BLUESKY ? "Not Enough Resources" : "Service Unavailable");
		break;
	}
}

/* Seconds from now until ms, rounded up, at least 0. */
static long
secs_until(int64_t ms, int64_t now)
{
	return ms > now ? (long)((ms - now + 999) / 1000) : 0;
}

static void
too_many(struct fake_resp *resp, enum fake_platform p, const struct fake_limit *l, long retry_after,
	 int64_t now)
{
	if (p == FAKE_MASTODON)
		fake_resp_error(resp, p, 429, NULL, "Too many requests");
	else if (p == FAKE_X)
		fake_resp_error(resp, p, 429, "Too Many Requests", "Too Many Requests");
	else
		fake_resp_error(resp, p, 429, "RateLimitExceeded", "Rate Limit Exceeded");
	if (retry_after < 0 && p == FAKE_BLUESKY)
		retry_after = secs_until(l->reset_ms, now);
	if (retry_after >= 0)
		fake_resp_header(resp, "Retry-After", "%ld", retry_after);
}

static void
limit_headers(struct fake_resp *resp, enum fake_platform p, const struct fake_limit *l)
{
	char reset[FAKE_TIME_LEN];
	long long epoch = (long long)((l->reset_ms + 999) / 1000);

	if (p == FAKE_MASTODON) {
		fake_fmt_us(l->reset_ms, reset);
		fake_resp_header(resp, "X-RateLimit-Limit", "%ld", l->limit);
		fake_resp_header(resp, "X-RateLimit-Remaining", "%ld", l->remaining);
		fake_resp_header(resp, "X-RateLimit-Reset", "%s", reset);
	} else if (p == FAKE_X) {
		fake_resp_header(resp, "x-rate-limit-limit", "%ld", l->limit);
		fake_resp_header(resp, "x-rate-limit-remaining", "%ld", l->remaining);
		fake_resp_header(resp, "x-rate-limit-reset", "%lld", epoch);
	} else {
		fake_resp_header(resp, "RateLimit-Limit", "%ld", l->limit);
		fake_resp_header(resp, "RateLimit-Remaining", "%ld", l->remaining);
		fake_resp_header(resp, "RateLimit-Reset", "%lld", epoch);
		fake_resp_header(resp, "RateLimit-Policy", "%ld;w=%ld", l->limit, l->window_s);
	}
}

/* The platform's answer to a path it does not serve. */
static void
not_found(struct fake_resp *resp, enum fake_platform p)
{
	if (p == FAKE_MASTODON)
		fake_resp_error(resp, p, 404, NULL, "Record not found");
	else if (p == FAKE_X)
		fake_resp_json(resp, 404,
			       json_pack("{s:[{s:s, s:i}]}", "errors", "message",
					 "Sorry, that page does not exist", "code", 34));
	else
		fake_resp_error(resp, p, 501, "MethodNotImplemented", "Method Not Implemented");
}

/* A path no route serves: logged as endpoint "unknown" under a platform prefix. */
static void
no_route(struct fake_state *st, struct fake_req *req, struct fake_resp *resp)
{
	enum fake_platform p;
	enum fake_auth auth;
	const char *why;
	long logi;

	if (strncmp(req->path, "/api/", 5) == 0) {
		p = FAKE_MASTODON;
	} else if (strncmp(req->path, "/2/", 3) == 0) {
		p = FAKE_X;
	} else if (strncmp(req->path, "/xrpc/", 6) == 0) {
		p = FAKE_BLUESKY;
	} else {
		fake_resp_text(resp, 404, "text/plain", "Not Found\n");
		return;
	}
	not_found(resp, p);
	if (p == FAKE_MASTODON)
		auth = token_auth(req, st->opt->mastodon_token);
	else if (p == FAKE_X)
		auth = token_auth(req, st->opt->x_token);
	else
		auth = fake_bsky_auth(st, req, fake_endpoint_index(p, "listNotifications"), &why);
	logi = fake_log_add(st, p, "unknown", req->method, req->query, auth);
	fake_log_set_status(st, logi, resp->status);
}

/* Credentials of req for route r. */
static enum fake_auth
check_auth(struct fake_state *st, const struct route *r, int ep, struct fake_req *req,
	   const char **why)
{
	*why = "AuthenticationRequired";
	switch (r->platform) {
	case FAKE_MASTODON:
		return token_auth(req, st->opt->mastodon_token);
	case FAKE_X:
		return token_auth(req, st->opt->x_token);
	default:
		return fake_bsky_auth(st, req, ep, why);
	}
}

/* A platform that pages wrongly: drops the parameters that ask for an
 * older page, so the first page (and its next token) comes back again. */
static void
drop_paging(struct fake_req *req)
{
	static const char *const names[] = {"max_id", "until_id", "pagination_token", "cursor",
					    NULL};

	for (size_t i = 0; i < req->nparams; i++)
		for (size_t n = 0; names[n] != NULL; n++)
			if (strcmp(req->params[i].key, names[n]) == 0)
				req->params[i].key[0] = '_'; /* no longer that name */
}

/* A scripted answer (fault "answer"). */
static void
scripted(struct fake_resp *resp, const struct fake_fault *f)
{
	fake_resp_text(resp, (unsigned)f->status, "application/json", f->body);
	if (f->header_name[0] != '\0')
		fake_resp_header(resp, f->header_name, "%s", f->header_value);
}

/* Bends a real answer for the faults that act on one. */
static void
bend(struct fake_resp *resp, const struct fake_fault *f)
{
	switch (f->kind) {
	case FAKE_F_GARBAGE:
		fake_resp_text(resp, 200, "text/html; charset=utf-8", garbage_page);
		break;
	case FAKE_F_TRUNCATED:
		resp->status = 200;
		resp->len /= 2;
		break;
	case FAKE_F_HUGE:
		resp->status = 200;
		resp->huge_bytes = f->bytes;
		break;
	case FAKE_F_SLOW:
		resp->delay_ms = f->delay_ms;
		break;
	default:
		break;
	}
}

void
fake_route(struct fake_state *st, struct fake_req *req, struct fake_resp *resp)
{
	const struct route *r = NULL;
	struct fake_fault fault;
	struct fake_limit *l;
	enum fake_auth auth;
	const char *why;
	bool faulted;
	int64_t now = fake_now_ms();
	long logi;
	int ep;

	for (size_t i = 0; i < sizeof(routes) / sizeof(routes[0]) && r == NULL; i++) {
		if (match(routes[i].pattern, req->path, req->capture, sizeof(req->capture)))
			r = &routes[i];
	}
	if (r == NULL) {
		no_route(st, req, resp);
		return;
	}
	ep = fake_endpoint_index(r->platform, r->endpoint);
	auth = check_auth(st, r, ep, req, &why);
	logi = fake_log_add(st, r->platform, r->endpoint, req->method, req->query, auth);

	fake_limit_roll(st, r->platform, ep, now);
	l = &st->p[r->platform].limits[ep];
	/* While the window is spent every call gets 429 and queued faults wait. */
	faulted = l->remaining > 0 && fake_fault_take(st, r->platform, ep, req, &fault);
	if (faulted && fault.kind == FAKE_F_429) {
		l->remaining = 0;
		l->reset_ms = now + (fault.reset_in_s >= 0 ? fault.reset_in_s : l->window_s) * 1000;
		too_many(resp, r->platform, l, fault.retry_after_s, now);
	} else if (l->remaining <= 0) {
		too_many(resp, r->platform, l, -1, now);
	} else {
		l->remaining--;
		if (st->p[r->platform].ignore_paging)
			drop_paging(req);
		if (faulted && (fault.kind == FAKE_F_401 || fault.kind == FAKE_F_403 ||
				fault.kind == FAKE_F_500 || fault.kind == FAKE_F_502 ||
				fault.kind == FAKE_F_503))
			fault_answer(resp, r->platform, fault.kind);
		else if (faulted && fault.kind == FAKE_F_ANSWER)
			scripted(resp, &fault);
		else if (strcmp(req->method, r->method) != 0 && r->platform == FAKE_BLUESKY)
			fake_resp_error(resp, r->platform, 400, "InvalidRequest",
					strcmp(r->method, "POST") == 0
						? "Incorrect HTTP method (GET) expects POST"
						: "Incorrect HTTP method (POST) expects GET");
		else if (strcmp(req->method, r->method) != 0)
			not_found(resp, r->platform);
		else if (auth != FAKE_AUTH_OK)
			auth_fail(resp, r->platform, ep, why);
		else
			r->fn(st, req, resp);
		if (faulted)
			bend(resp, &fault);
	}
	if (!faulted || !fault.no_limits)
		limit_headers(resp, r->platform, l);
	fake_log_set_status(st, logi, resp->status);
}
