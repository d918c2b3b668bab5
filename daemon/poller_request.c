/*
 * poller_request.c: the requests of a poll — what a connector calls
 * (rw_poll_request, rw_poll_fail, ...), the headers it sends (validated:
 * a platform's token must not add headers), the rate-limit budgets each
 * answer updates, and what a status that is not 2xx means.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "poller_internal.h"
#include "replywatch/clock.h"
#include "replywatch/httpc.h"
#include "replywatch/log.h"
#include "replywatch/platform.h"
#include "replywatch/utf8.h"

#define REQUEST_TIMEOUT_MS 30000L
#define CONNECT_TIMEOUT_MS 10000L
#define MAX_HEADERS 8

const struct rw_source_config *
rw_poll_source(const struct rw_poll *poll)
{
	return poll->ps->src;
}

void *
rw_poll_state(const struct rw_poll *poll)
{
	return poll->ps->conn_state;
}

int64_t
rw_poll_now_ms(const struct rw_poll *poll)
{
	(void)poll;
	return rw_now_ms();
}

void
rw_poll_fail(struct rw_poll *poll, enum rw_poll_result result, const char *fmt, ...)
{
	char reason[POLL_ERROR_MAX];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(reason, sizeof(reason), fmt, ap);
	va_end(ap);
	poller_end(poll, result, reason);
}

static const char *
lookup_header(void *arg, const char *name)
{
	return rw_httpc_header(arg, name);
}

void
poller_error_detail(const struct rw_httpc_response *resp, char *out, size_t len)
{
	static const char *const keys[] = {"message", "detail", "error_description",
					   "error",   "title",  NULL};
	static const char *const error_keys[] = {"message", "detail", "title", NULL};
	json_t *doc = json_loadb(resp->body, resp->body_len, 0, NULL), *errors;
	const char *msg = NULL;

	out[0] = '\0';
	if (doc == NULL)
		return;
	errors = json_object_get(doc, "errors");
	/* X's {"errors":[{"message"}]}; JSON:API's {"errors":[{"detail",
	 * "title"}]} (App Store Connect). */
	for (size_t i = 0; msg == NULL && error_keys[i] != NULL; i++)
		msg = json_string_value(json_object_get(json_array_get(errors, 0), error_keys[i]));
	/* An API gateway's fault (Trustpilot): {"fault":{"faultstring":...}}. */
	if (msg == NULL)
		msg = json_string_value(
			json_object_get(json_object_get(doc, "fault"), "faultstring"));
	for (size_t i = 0; msg == NULL && keys[i] != NULL; i++)
		msg = json_string_value(json_object_get(doc, keys[i]));
	/* Cut on a character boundary: a cut inside one would make the
	 * source's last_error (and its source_down event) unwritable. */
	if (msg != NULL)
		rw_utf8_clean(out, len < POLL_DETAIL_MAX + 1 ? len : POLL_DETAIL_MAX + 1, msg,
			      strlen(msg));
	json_decref(doc);
}

static bool
wanted(const struct rw_poll *poll, long status)
{
	if (status >= 200 && status < 300)
		return true;
	for (size_t i = 0; i < sizeof(poll->see) / sizeof(poll->see[0]) && poll->see[i]; i++)
		if (poll->see[i] == status)
			return true;
	return false;
}

static void
note_limits(struct rw_poll *poll, const struct rw_httpc_response *resp, int64_t now)
{
	struct endpoint_limit *l = poller_limit(poll->ps, poll->endpoint);
	struct rw_ratelimit rl;

	if (l == NULL)
		return;
	rw_ratelimit_read_source(poll->ps->src, lookup_header, (void *)resp, now, &rl);
	if (rl.known) {
		l->rl = rl;
	} else {
		l->rl.retry_at_ms = rl.retry_at_ms;
		if (l->rl.reset_at_ms != 0 && l->rl.reset_at_ms <= now)
			l->rl.remaining = -1; /* the old window is over */
	}
	/* A 429 without any figures still means: not before a backoff, or the
	 * platform's own wait when it documents one. */
	if (resp->status == 429 && rl.remaining != 0 && rl.retry_at_ms == 0) {
		const struct rw_platform *pf = rw_platform_of(poll->ps->src->type);

		l->rl.remaining = 0;
		if (pf != NULL && pf->wait_429_s > 0 && rl.reset_at_ms <= now)
			l->rl.retry_at_ms = now + pf->wait_429_s * 1000;
	}
	poller_budget_share(poll->ps, l);
}

static void
http_done(struct rw_httpc *c, const struct rw_httpc_response *resp, void *arg)
{
	struct rw_poll *poll = arg;
	struct poll_source *ps = poll->ps;
	const struct rw_connector *conn = ps->conn;
	int64_t now = rw_now_ms(), spent;
	char detail[POLL_DETAIL_MAX + 1], when[40];
	const char *ep = poll->endpoint;

	(void)c;
	if (ps->poller->freeing || ps->retired) {
		poller_end(poll, RW_POLL_NETWORK_ERROR, "abandoned");
		return;
	}
	/* Budgets are the platform account's: learnt even when the answer is
	 * dropped because the source passed to another daemon meanwhile. */
	if (poller_poll_gone(poll)) {
		if (resp->status != 0)
			note_limits(poll, resp, now);
		poller_poll_lost(poll);
		return;
	}
	poll->answered_ms = now;
	log_debug("%s: %s answered %ld in %.3f s", ps->name, poll->url, resp->status,
		  resp->total_seconds);
	if (resp->status == 0) {
		rw_poll_fail(poll, RW_POLL_NETWORK_ERROR, "%s: %s", ep, resp->error);
		return;
	}
	note_limits(poll, resp, now);
	if (conn->token_expired != NULL && conn->token_expired(poll, resp)) {
		rw_poll_fail(poll, RW_POLL_TOKEN_EXPIRED, "%s: access token expired", ep);
		return;
	}
	if (resp->status >= 400 && conn->error_result != NULL) {
		char reason[POLL_DETAIL_MAX + 1];
		enum rw_poll_result r = conn->error_result(poll, resp, reason, sizeof(reason));

		if (r != RW_POLL_OK) {
			rw_poll_fail(poll, r, "%s: %s", ep, reason);
			return;
		}
	}
	if (wanted(poll, resp->status)) {
		poll->answer(poll, resp);
		return;
	}
	poller_error_detail(resp, detail, sizeof(detail));
	if (resp->status == 429) {
		struct endpoint_limit *l = poller_limit(ps, ep);
		int64_t until = 0;

		if (l != NULL)
			until = l->rl.retry_at_ms > l->rl.reset_at_ms ? l->rl.retry_at_ms
								      : l->rl.reset_at_ms;
		if (until > now)
			rw_poll_fail(poll, RW_POLL_RATE_LIMITED,
				     "%s: rate limited (HTTP 429) until %s", ep,
				     rw_time_format(until, when, sizeof(when)));
		else
			rw_poll_fail(poll, RW_POLL_RATE_LIMITED, "%s: rate limited (HTTP 429)", ep);
	} else if ((spent = poller_budget_daily_refused(ps, resp->status, resp->body,
							resp->body_len, now)) > 0) {
		/* Waits for the reset (calls are refused before they are made
		 * until then), rather than a source down over a 403. */
		rw_poll_fail(poll, RW_POLL_RATE_LIMITED, "%s: daily quota spent until %s", ep,
			     rw_time_format(spent, when, sizeof(when)));
	} else if (resp->status == 401 || resp->status == 403) {
		rw_poll_fail(poll, RW_POLL_AUTH_ERROR, "%s: HTTP %ld (credentials rejected)%s%s",
			     ep, resp->status, detail[0] ? ": " : "", detail);
	} else if (resp->status >= 500) {
		rw_poll_fail(poll, RW_POLL_SERVER_ERROR, "%s: HTTP %ld%s%s", ep, resp->status,
			     detail[0] ? ": " : "", detail);
	} else {
		rw_poll_fail(poll, RW_POLL_CLIENT_ERROR, "%s: HTTP %ld%s%s", ep, resp->status,
			     detail[0] ? ": " : "", detail);
	}
}

/* The URL without its query (which may carry ids, cursors, even keys). */
static char *
url_for_log(const char *url)
{
	size_t n = strcspn(url, "?#");
	char *s = malloc(n + 1);

	if (s != NULL) {
		memcpy(s, url, n);
		s[n] = '\0';
	}
	return s;
}

/* True when one of the header lines (NULL-terminated, or NULL) is the
 * header name ("Content-Type:"). */
static bool
lines_have(const char *const *lines, const char *name)
{
	for (size_t i = 0; lines && lines[i]; i++)
		if (strncasecmp(lines[i], name, strlen(name)) == 0)
			return true;
	return false;
}

void
rw_poll_warning(struct rw_poll *poll, const char *msg)
{
	struct poll_source *ps = poll->ps;

	if (msg == NULL || *msg == '\0') {
		if (ps->warning[0] != '\0')
			log_info("%s: warning cleared", ps->name);
		ps->warning[0] = '\0';
		return;
	}
	if (strncmp(ps->warning, msg, sizeof(ps->warning) - 1) == 0)
		return;
	log_warnx("%s: %s", ps->name, msg);
	snprintf(ps->warning, sizeof(ps->warning), "%s", msg);
}

void
rw_poll_request(struct rw_poll *poll, const char *endpoint, const char *url,
		const char *const *extra, const char *body, const int *see, rw_poll_answer_fn *fn)
{
	struct poll_source *ps = poll->ps;
	struct endpoint_limit *l = poller_limit(ps, endpoint);
	const char *headers[MAX_HEADERS + 1];
	const char *auth = ps->conn->auth_header ? ps->conn->auth_header(poll) : NULL;
	const char *const *own = ps->conn->headers ? ps->conn->headers(poll) : NULL;
	int64_t now = rw_now_ms(), spent;
	char when[40];
	size_t n = 0;

	/* No call for a source this daemon no longer owns. */
	if (poller_poll_lost(poll))
		return;
	snprintf(poll->endpoint, sizeof(poll->endpoint), "%s", endpoint);
	if ((spent = poller_budget_daily_spent(ps, now)) > 0) {
		rw_poll_fail(poll, RW_POLL_RATE_LIMITED, "%s: daily quota spent until %s", endpoint,
			     rw_time_format(spent, when, sizeof(when)));
		return;
	}
	if (l != NULL &&
	    ((l->rl.remaining == 0 && l->rl.reset_at_ms > now) || l->rl.retry_at_ms > now)) {
		int64_t until = l->rl.retry_at_ms > l->rl.reset_at_ms ? l->rl.retry_at_ms
								      : l->rl.reset_at_ms;

		rw_poll_fail(poll, RW_POLL_RATE_LIMITED, "%s: rate limit spent until %s", endpoint,
			     rw_time_format(until, when, sizeof(when)));
		return;
	}
	/* One Accept: the caller's (a stream's media type), else the
	 * connector's (Allegro's), else JSON. Two would reach the server. */
	if (!lines_have(extra, "Accept:") && !lines_have(own, "Accept:"))
		headers[n++] = "Accept: application/json";
	/* JSON unless the caller names its own type (an OAuth token request
	 * sends a form): two Content-Type headers would reach the server. */
	if (body != NULL && *body != '\0' && !lines_have(extra, "Content-Type:"))
		headers[n++] = "Content-Type: application/json";
	if (auth != NULL)
		headers[n++] = auth;
	for (size_t i = 0; own && own[i] && n < MAX_HEADERS; i++)
		if (!lines_have(extra, "Accept:") || strncasecmp(own[i], "Accept:", 7) != 0)
			headers[n++] = own[i];
	for (size_t i = 0; extra && extra[i] && n < MAX_HEADERS; i++)
		headers[n++] = extra[i];
	headers[n] = NULL;
	for (size_t i = 0; i < n; i++) {
		/* A CR or LF would add headers (a platform's token is one). */
		if (!rw_header_value_ok(headers[i])) {
			rw_poll_fail(poll, RW_POLL_MALFORMED,
				     "%s: a header holds control characters (refused)", endpoint);
			return;
		}
	}
	memset(poll->see, 0, sizeof(poll->see));
	for (size_t i = 0; see && see[i] && i + 1 < sizeof(poll->see) / sizeof(poll->see[0]); i++)
		poll->see[i] = see[i];
	poll->answer = fn;
	free(poll->url);
	poll->url = url_for_log(url);

	struct rw_httpc_request req = {
		.method = body ? "POST" : "GET",
		.url = url,
		.headers = headers,
		.body = body,
		.body_len = body ? strlen(body) : 0,
		.connect_timeout_ms = CONNECT_TIMEOUT_MS,
		.timeout_ms = REQUEST_TIMEOUT_MS,
	};

	poller_budget_spend(ps, endpoint, now);
	poller_delay_sent(poll, now);
	if (rw_httpc_submit(ps->poller->http, &req, http_done, poll) == -1)
		rw_poll_fail(poll, RW_POLL_NETWORK_ERROR, "%s: request could not be started",
			     endpoint);
}
