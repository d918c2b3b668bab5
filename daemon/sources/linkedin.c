/*
 * linkedin.c: the LinkedIn connector (Community Management API) for one
 * organisation Page — sign-in, requests and paging; the parsing is in
 * linkedin_parse.c.
 *
 * Sign-in is 3-legged OAuth 2.0: an admin of the Page authorised the app
 * once, and the refresh_token that gave is exchanged at token_url
 * (refresh_token grant, signin.h) for 60-day access tokens kept in the
 * source's token cache. Refresh tokens end 365 days after that first grant
 * however often they are used: the token endpoint's
 * refresh_token_expires_in (else the configured refresh_token_granted plus
 * 365 days) gives the end, and from 30 days before it /status (the
 * source's "warning") and the log say so.
 *
 * Every request carries LinkedIn-Version (the "version" parameter, a
 * tested one by default) and X-Restli-Protocol-Version: 2.0.0. URNs in
 * paths and queries are percent-encoded; Rest.li's List(...) and
 * (start:..,end:..) stay as they are.
 *
 *   GET /rest/organizationalEntityNotifications?q=criteria&
 *       organizationalEntity=ORG&actions=List(COMMENT,SHARE_MENTION)&
 *       timeRange=(start:MS,end:MS)&start=N&count=50
 *     comments on the Page's posts and posts that mention it, walked by
 *     time from the previous walk's newest less an hour (LinkedIn gives no
 *     order: the range bounds the walk, a short page ends it).
 *   GET /rest/socialActions/{URN}/comments?start=0&count=100
 *     read again for each open item (poller_revisit.c): an org-actor
 *     comment under a comment, or on a mentioning post, is the answer.
 *
 * No rate-limit headers exist; a 429 is LinkedIn's daily quota (reset at
 * midnight UTC) or its protection, backed off by the poller.
 */
#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "replywatch/clock.h"
#include "replywatch/connector.h"
#include "replywatch/httpc.h"
#include "replywatch/item.h"
#include "replywatch/log.h"
#include "replywatch/page.h"
#include "replywatch/platform.h"
#include "replywatch/secret.h"
#include "replywatch/signin.h"
#include "replywatch/sources/oauth_refresh.h"
#include "replywatch/sources/linkedin.h"

#define PER_PAGE 50
#define REVISITS_PER_POLL 20
#define OVERLAP_MS (60 * 60 * 1000)                   /* notifications listed late */
#define RETENTION_MS (60LL * 24 * 60 * 60 * 1000)     /* notifications kept 60 days */
#define REFRESH_LIFE_MS (365LL * 24 * 60 * 60 * 1000) /* a grant's refresh token */
#define WARN_AHEAD_MS (30LL * 24 * 60 * 60 * 1000)    /* a month ahead */
#define TOKEN_URL "https://www.linkedin.com/oauth/v2/accessToken"
#define TOKEN_ENDPOINT "token"
#define VERSION_DEFAULT "202601" /* pinned: a month's version may not be active yet */

struct li_state {
	struct rw_token_cache cache;
	char org[64];               /* urn:li:organization:N, "" when misconfigured */
	char version[48];           /* "LinkedIn-Version: YYYYMM" */
	const char *headers[3];     /* version, Rest.li protocol, NULL */
	int64_t refresh_expires_ms; /* the refresh token's end, 0: unknown */
};

/* The organisation as a URN: "12345" or "urn:li:organization:12345". */
static void
li_org(const char *param, char *out, size_t len)
{
	char urn[64];

	out[0] = '\0';
	if (param == NULL)
		return;
	if (snprintf(urn, sizeof(urn), "%s%s",
		     rw_cursor_digits(param, 20) ? "urn:li:organization:" : "",
		     param) >= (int)sizeof(urn))
		return;
	if (rw_linkedin_org_valid(urn))
		snprintf(out, len, "%s", urn);
}

static void *
li_state_new(const struct rw_source_config *src)
{
	struct li_state *s = calloc(1, sizeof(*s));
	const char *v = rw_source_param_string(src, "version");

	if (s == NULL)
		return NULL;
	li_org(rw_source_param_string(src, "organization"), s->org, sizeof(s->org));
	if (v == NULL || rw_cursor_digits(v, 6))
		snprintf(s->version, sizeof(s->version), "LinkedIn-Version: %s",
			 v ? v : VERSION_DEFAULT);
	s->headers[0] = s->version;
	s->headers[1] = "X-Restli-Protocol-Version: 2.0.0";
	s->headers[2] = NULL;
	return s;
}

static void
li_state_free(void *state)
{
	struct li_state *s = state;

	if (s == NULL)
		return;
	rw_token_cache_clear(&s->cache);
	free(s);
}

static const char *
li_auth_header(struct rw_poll *poll)
{
	struct li_state *s = rw_poll_state(poll);

	return rw_token_cache_header(&s->cache);
}

static const char *const *
li_headers(struct rw_poll *poll)
{
	struct li_state *s = rw_poll_state(poll);

	return s->headers;
}

static bool
li_token_expired(struct rw_poll *poll, const struct rw_httpc_response *resp)
{
	struct li_state *s = rw_poll_state(poll);

	return rw_token_cache_expired(&s->cache, resp->status);
}

/* base + "/rest/socialActions/" + encoded URN + "/comments?..." */
static char *
li_comments_url(struct rw_poll *poll, const char *id)
{
	char *enc = curl_easy_escape(NULL, id, 0), *url;
	int rc;

	if (enc == NULL)
		return NULL;
	rc = asprintf(&url, "%s/rest/socialActions/%s/comments?start=0&count=100",
		      rw_poll_source(poll)->base_url, enc);
	curl_free(enc);
	return rc == -1 ? NULL : url;
}

/* The first instant a walk asks for: the last walk's newest less the
 * overlap (plus 1 ms, so no entry sits on the bound the poller stops at),
 * else the backfill cutoff; never before LinkedIn's 60 days. */
static int64_t
li_range_start(const struct rw_walk *walk, int64_t now)
{
	int64_t start = walk->from_ms;

	if (walk->watermark != NULL)
		start = strtoll(walk->watermark, NULL, 10) - OVERLAP_MS + 1;
	if (start < now - RETENTION_MS)
		start = now - RETENTION_MS;
	return start < 0 ? 0 : start;
}

static char *
li_notifications_url(struct rw_poll *poll, const struct rw_walk *walk)
{
	struct li_state *s = rw_poll_state(poll);
	int64_t now = rw_poll_now_ms(poll);
	long long page = walk->token ? strtoll(walk->token, NULL, 10) : 1;
	char *enc = curl_easy_escape(NULL, s->org, 0), *url;
	int rc;

	if (enc == NULL)
		return NULL;
	if (page < 1)
		page = 1;
	rc = asprintf(&url,
		      "%s/rest/organizationalEntityNotifications?q=criteria&organizationalEntity=%s"
		      "&actions=List(COMMENT,SHARE_MENTION)&timeRange=(start:%lld,end:%lld)"
		      "&start=%lld&count=%d",
		      rw_poll_source(poll)->base_url, enc, (long long)li_range_start(walk, now),
		      (long long)now, (page - 1) * PER_PAGE, PER_PAGE);
	curl_free(enc);
	return rc == -1 ? NULL : url;
}

static int
li_notifications_parse(struct rw_poll *poll, const char *body, size_t len, struct rw_page *page,
		       char *err, size_t errlen)
{
	struct li_state *s = rw_poll_state(poll);

	return rw_linkedin_parse_notifications(body, len, s->org, page, err, errlen);
}

static int
li_replies_parse(struct rw_poll *poll, const char *id, const char *body, size_t len,
		 struct rw_page *page, char *err, size_t errlen)
{
	struct li_state *s = rw_poll_state(poll);

	return rw_linkedin_parse_replies(body, len, s->org, id, page, err, errlen);
}

/* refresh_token_expires_in (seconds) of a token answer, or 0; the
 * answer's secrets are wiped before it is freed. */
static int64_t
li_refresh_expires_s(const char *body, size_t len)
{
	static const char *const secrets[] = {"access_token", "refresh_token", "id_token"};
	json_t *doc = rw_page_load_secret(body, len, JSON_OBJECT, NULL, 0);
	json_t *v;
	int64_t s;

	if (doc == NULL)
		return 0;
	v = json_object_get(doc, "refresh_token_expires_in");
	s = json_is_integer(v) && json_integer_value(v) > 0 ? (int64_t)json_integer_value(v) : 0;
	for (size_t i = 0; i < sizeof(secrets) / sizeof(secrets[0]); i++) {
		json_t *m = json_object_get(doc, secrets[i]);

		if (json_is_string(m))
			explicit_bzero((char *)json_string_value(m), json_string_length(m));
	}
	json_decref(doc);
	return s;
}

/* The refresh token's end as the configuration dates the grant, or 0. */
static int64_t
li_granted_end(const struct rw_source_config *src)
{
	const char *granted = rw_source_param_string(src, "refresh_token_granted");
	int64_t ms;

	if (granted == NULL || rw_time_parse(granted, &ms) == -1)
		return 0;
	return ms + REFRESH_LIFE_MS;
}

/* From a month before the refresh token ends: /status and the log. */
static void
li_check_refresh(struct rw_poll *poll, struct li_state *s)
{
	int64_t end = s->refresh_expires_ms ? s->refresh_expires_ms
					    : li_granted_end(rw_poll_source(poll));
	int64_t now = rw_poll_now_ms(poll);
	char at[40], msg[200];

	if (end == 0 || end - now > WARN_AHEAD_MS) {
		rw_poll_warning(poll, NULL);
		return;
	}
	snprintf(msg, sizeof(msg),
		 "refresh token ends %s (%lld days): an admin of the Page must authorise the app "
		 "again and the new refresh_token be configured",
		 rw_time_format(end, at, sizeof(at)),
		 (long long)((end > now ? end - now : 0) / 86400000));
	rw_poll_warning(poll, msg);
}

static void
li_token_answer(struct rw_poll *poll, const struct rw_httpc_response *resp)
{
	struct li_state *s = rw_poll_state(poll);
	int64_t now = rw_poll_now_ms(poll), left;
	char reason[200];
	enum rw_token_result r;

	r = rw_token_answer(RW_GRANT_REFRESH_TOKEN, (int)resp->status, resp->body, resp->body_len,
			    now, &s->cache, reason, sizeof(reason));
	if (r != RW_TOKEN_OK) {
		rw_poll_fail(poll, rw_token_poll_result(r), "%s: %s", TOKEN_ENDPOINT, reason);
		return;
	}
	if ((left = li_refresh_expires_s(resp->body, resp->body_len)) > 0)
		s->refresh_expires_ms = now + left * 1000;
	log_info("%s: access token renewed (valid %lld s)", rw_poll_source(poll)->name,
		 (long long)((s->cache.expires_ms - s->cache.obtained_ms) / 1000));
	li_check_refresh(poll, s);
	rw_poll_walk(poll);
}

static void
li_start(struct rw_poll *poll)
{
	struct li_state *s = rw_poll_state(poll);

	if (s->org[0] == '\0') {
		rw_poll_fail(poll, RW_POLL_CLIENT_ERROR,
			     "organization must be the Page's id or urn:li:organization:ID");
		return;
	}
	if (s->version[0] == '\0') {
		rw_poll_fail(poll, RW_POLL_CLIENT_ERROR, "version must be YYYYMM (202601)");
		return;
	}
	if (rw_source_param_string(rw_poll_source(poll), "refresh_token_granted") != NULL &&
	    li_granted_end(rw_poll_source(poll)) == 0) {
		rw_poll_fail(
			poll, RW_POLL_CLIENT_ERROR,
			"refresh_token_granted must be an RFC 3339 time (2026-03-01T09:00:00Z)");
		return;
	}
	if (rw_token_cache_due(&s->cache, rw_poll_now_ms(poll))) {
		rw_oauth_refresh(poll, &s->cache, TOKEN_URL, TOKEN_ENDPOINT, li_token_answer);
		return;
	}
	li_check_refresh(poll, s);
	rw_poll_walk(poll);
}

static bool
li_ms_ok(const char *ms)
{
	return rw_cursor_digits(ms, 16);
}

static const struct rw_stream streams[] = {
	{"notifications", 'n', true, true, li_notifications_url, li_notifications_parse, li_ms_ok,
	 OVERLAP_MS, PER_PAGE},
};

static const struct rw_revisit revisit = {
	.endpoint = "comments",
	.per_poll = REVISITS_PER_POLL,
	.gone_status = 404,
	.id_ok = rw_linkedin_urn_valid,
	.url = li_comments_url,
	.parse = li_replies_parse,
};

static const struct rw_connector connector = {
	.streams = streams,
	.nstreams = 1,
	.state_new = li_state_new,
	.state_free = li_state_free,
	.start = li_start,
	.auth_header = li_auth_header,
	.headers = li_headers,
	.token_expired = li_token_expired,
	.revisit = &revisit,
};

static const struct rw_param_spec params[] = {
	{"organization", RW_PARAM_STRING, true},
	{"client_id", RW_PARAM_STRING, true},
	{"client_secret", RW_PARAM_SECRET, true},
	{"refresh_token", RW_PARAM_SECRET, true},
	{"token_url", RW_PARAM_URL, false},
	{"version", RW_PARAM_DIGITS, false},
	{"refresh_token_granted", RW_PARAM_STRING, false},
	{NULL, RW_PARAM_STRING, false},
};

const struct rw_platform rw_linkedin_platform = {
	.name = "linkedin",
	.base_url = "https://api.linkedin.com",
	.poll_every = 900,
	.params = params,
	.connector = &connector,
};
