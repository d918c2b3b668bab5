/*
 * fake_route.c: one platform request from path to answer, generic over
 * fake_platforms[] (each platform's answers are its descriptor's hooks). In
 * order: find the route, log it, spend one call of the endpoint's rate-limit
 * window (429 when spent), apply a queued fault, check the credentials, run
 * the handler, bend its answer for faults that act on a real answer, add the
 * platform's rate-limit headers.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fake.h"

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

/* A path no route serves: under a platform's prefix its 404, logged as
 * endpoint "unknown" (the longest prefix wins: App Store's /v1/apps/ inside
 * Trustpilot's /v1/); else a plain 404. */
static void
no_route(struct fake_state *st, struct fake_req *req, struct fake_resp *resp)
{
	const char *why = "AuthenticationRequired";
	const struct fake_platform_def *d = NULL;
	enum fake_auth auth;
	size_t best = 0;
	long logi;

	for (size_t p = 0; p < fake_nplatforms; p++) {
		size_t n = strlen(fake_platforms[p]->prefix);

		if (n > best && strncmp(req->path, fake_platforms[p]->prefix, n) == 0) {
			best = n;
			d = fake_platforms[p];
			req->platform = (enum fake_platform)p;
		}
	}
	if (d == NULL) {
		fake_resp_text(resp, 404, "text/plain", "Not Found\n");
		return;
	}
	d->not_found(resp);
	auth = d->auth(st, req, -1, &why);
	logi = fake_log_add(st, req->platform, "unknown", req->method, req->query, auth);
	fake_log_set_status(st, logi, resp->status);
}

/* A platform that pages wrongly: drops the parameters that ask for an
 * older page (its descriptor's paging names), so the first page (and its
 * next token) comes back again. */
static void
drop_paging(struct fake_req *req, const char *const *names)
{
	for (size_t i = 0; i < req->nparams && names != NULL; i++)
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

/* The route of platform *p serving req: one for its path and method, else
 * one for its path only (answered as a wrong method); NULL. */
static const struct fake_route_def *
find_route(struct fake_req *req, enum fake_platform *p)
{
	const struct fake_route_def *any = NULL;
	size_t anyp = 0;

	for (size_t i = 0; i < fake_nplatforms; i++) {
		const struct fake_platform_def *d = fake_platforms[i];

		for (size_t k = 0; k < d->nroutes; k++) {
			const struct fake_route_def *r = &d->routes[k];

			if (!match(r->pattern, req->path, req->capture, sizeof(req->capture)))
				continue;
			if (strcmp(req->method, r->method) == 0) {
				*p = (enum fake_platform)i;
				return r;
			}
			if (any == NULL) {
				any = r;
				anyp = i;
			}
		}
	}
	if (any == NULL)
		return NULL;
	/* A later pattern may have written another capture: take this one's. */
	(void)match(any->pattern, req->path, req->capture, sizeof(req->capture));
	*p = (enum fake_platform)anyp;
	return any;
}

/* The answer of platform d's route r when the window allows the call. */
static void
answer(struct fake_state *st, const struct fake_platform_def *d, const struct fake_route_def *r,
       int ep, enum fake_auth auth, const char *why, struct fake_req *req, struct fake_resp *resp,
       const struct fake_fault *fault)
{
	if (fault != NULL && fault->kind == FAKE_F_401)
		d->auth_fail(resp, -1, "AuthenticationRequired");
	else if (fault != NULL && (fault->kind == FAKE_F_403 || fault->kind == FAKE_F_500 ||
				   fault->kind == FAKE_F_502 || fault->kind == FAKE_F_503))
		d->fault(resp, fault->kind);
	else if (fault != NULL && fault->kind == FAKE_F_ANSWER)
		scripted(resp, fault);
	else if (strcmp(req->method, r->method) != 0 && d->wrong_method != NULL)
		d->wrong_method(resp, r);
	else if (strcmp(req->method, r->method) != 0)
		d->not_found(resp);
	else if (auth != FAKE_AUTH_OK)
		d->auth_fail(resp, ep, why);
	else
		r->fn(st, req, resp);
}

void
fake_route(struct fake_state *st, struct fake_req *req, struct fake_resp *resp)
{
	const struct fake_platform_def *d;
	const struct fake_route_def *r;
	enum fake_platform p = FAKE_MASTODON;
	const char *why = "AuthenticationRequired";
	struct fake_fault fault;
	struct fake_limit *l;
	enum fake_auth auth;
	bool faulted;
	int64_t now = fake_now_ms();
	long logi;
	int ep;

	r = find_route(req, &p);
	if (r == NULL) {
		no_route(st, req, resp);
		return;
	}
	d = fake_platforms[p];
	req->platform = p;
	ep = fake_endpoint_index(p, r->endpoint);
	auth = d->auth(st, req, ep, &why);
	logi = fake_log_add(st, p, r->endpoint, req->method, req->query, auth);

	/* A platform whose budget is per client spends the first window only. */
	fake_limit_roll(st, p, d->one_window ? 0 : ep, now);
	l = &st->p[p].limits[d->one_window ? 0 : ep];
	/* While the window is spent every call gets 429 and queued faults wait. */
	faulted = l->remaining > 0 && fake_fault_take(st, p, ep, req, &fault);
	if (faulted && fault.kind == FAKE_F_429) {
		l->remaining = 0;
		l->reset_ms = now + (fault.reset_in_s >= 0 ? fault.reset_in_s : l->window_s) * 1000;
		d->too_many(resp, l, fault.retry_after_s, now);
	} else if (l->remaining <= 0) {
		d->too_many(resp, l, -1, now);
	} else {
		l->remaining--;
		if (st->p[p].ignore_paging)
			drop_paging(req, d->paging);
		answer(st, d, r, ep, auth, why, req, resp, faulted ? &fault : NULL);
		if (faulted)
			bend(resp, &fault);
	}
	if (!faulted || !fault.no_limits)
		d->limit_headers(resp, l);
	fake_log_set_status(st, logi, resp->status);
}
