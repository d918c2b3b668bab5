/*
 * mastodon.c: the Mastodon connector — requests and cursors; the parsing is
 * in mastodon_parse.c.
 *
 * Inbound: GET /api/v1/notifications?types[]=mention&include_filtered=true,
 * newest first, since_id the watermark, max_id walking back. Brand replies:
 * GET /api/v1/accounts/ID/statuses the same way. The brand's account id
 * comes from verify_credentials, once per source start.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "replywatch/connector.h"
#include "replywatch/platform.h"
#include "replywatch/httpc.h"
#include "replywatch/sources/mastodon.h"
#include "replywatch/secret.h"

#define NOTIFICATIONS_LIMIT "80" /* the most Mastodon 4.1+ gives (older: 30, clamped) */
#define STATUSES_LIMIT "40"

struct mastodon {
	char *auth;       /* "Authorization: Bearer TOKEN" (a secret: wiped) */
	char *account_id; /* the brand account, from verify_credentials */
	char *acct;
};

static void *
state_new(const struct rw_source_config *src)
{
	const struct rw_secret *token = rw_source_param_secret(src, "token");
	struct mastodon *m = calloc(1, sizeof(*m));

	if (m == NULL || token == NULL ||
	    (m->auth = rw_bearer_header(rw_secret_value(token))) == NULL) {
		free(m);
		return NULL;
	}
	return m;
}

static void
state_free(void *state)
{
	struct mastodon *m = state;

	if (m == NULL)
		return;
	rw_bearer_free(m->auth);
	free(m->account_id);
	free(m->acct);
	free(m);
}

static const char *
auth_header(struct rw_poll *poll)
{
	struct mastodon *m = rw_poll_state(poll);

	return m->auth;
}

static char *
notifications_url(struct rw_poll *poll, const struct rw_walk *walk)
{
	return rw_url_build(rw_poll_source(poll)->base_url, "/api/v1/notifications", "types[]",
			    "mention", "include_filtered", "true", "limit", NOTIFICATIONS_LIMIT,
			    "since_id", walk->watermark, "max_id", walk->oldest_id, NULL);
}

static int
notifications_parse(struct rw_poll *poll, const char *body, size_t len, struct rw_page *page,
		    char *err, size_t errlen)
{
	struct mastodon *m = rw_poll_state(poll);

	return rw_mastodon_parse_notifications(body, len, m->account_id, page, err, errlen);
}

static char *
statuses_url(struct rw_poll *poll, const struct rw_walk *walk)
{
	struct mastodon *m = rw_poll_state(poll);
	char path[128];

	snprintf(path, sizeof(path), "/api/v1/accounts/%s/statuses", m->account_id);
	return rw_url_build(rw_poll_source(poll)->base_url, path, "limit", STATUSES_LIMIT,
			    "exclude_reblogs", "true", "since_id", walk->watermark, "max_id",
			    walk->oldest_id, NULL);
}

static int
statuses_parse(struct rw_poll *poll, const char *body, size_t len, struct rw_page *page, char *err,
	       size_t errlen)
{
	struct mastodon *m = rw_poll_state(poll);

	return rw_mastodon_parse_statuses(body, len, m->account_id, page, err, errlen);
}

/* An account id goes into a path: digits (and letters, for forks) only. */
static bool
plain_id(const char *id)
{
	size_t n = strlen(id);

	return n > 0 && n < 64 &&
	       strspn(id, "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ") == n;
}

static void
account_answer(struct rw_poll *poll, const struct rw_httpc_response *resp)
{
	struct mastodon *m = rw_poll_state(poll);
	char err[200];

	if (rw_mastodon_parse_account(resp->body, resp->body_len, &m->account_id, &m->acct, err,
				      sizeof(err)) == -1) {
		rw_poll_fail(poll, RW_POLL_MALFORMED, "verify_credentials: malformed answer: %s",
			     err);
		return;
	}
	if (!plain_id(m->account_id)) {
		free(m->account_id);
		free(m->acct);
		m->account_id = m->acct = NULL;
		rw_poll_fail(poll, RW_POLL_MALFORMED, "verify_credentials: unexpected account id");
		return;
	}
	rw_poll_walk(poll);
}

static void
start(struct rw_poll *poll)
{
	struct mastodon *m = rw_poll_state(poll);
	char *url;

	if (m->account_id != NULL) {
		rw_poll_walk(poll);
		return;
	}
	url = rw_url_build(rw_poll_source(poll)->base_url, "/api/v1/accounts/verify_credentials",
			   NULL);
	if (url == NULL) {
		rw_poll_fail(poll, RW_POLL_CLIENT_ERROR, "out of memory");
		return;
	}
	rw_poll_request(poll, "verify_credentials", url, NULL, NULL, NULL, account_answer);
	free(url);
}

/* Mastodon ids are numeric strings (Snowflake-like, 18 digits today). */
static bool
mastodon_id_ok(const char *id)
{
	return rw_cursor_digits(id, 20);
}

static const struct rw_stream streams[] = {
	{"notifications", 'n', false, false, notifications_url, notifications_parse, mastodon_id_ok,
	 0, 0},
	{"statuses", 'r', false, false, statuses_url, statuses_parse, mastodon_id_ok, 0, 0},
};

static const struct rw_connector connector = {
	.streams = streams,
	.nstreams = 2,
	.state_new = state_new,
	.state_free = state_free,
	.start = start,
	.auth_header = auth_header,
};

static const struct rw_param_spec params[] = {
	{"token", RW_PARAM_SECRET, true},
	{NULL, RW_PARAM_STRING, false},
};

static const struct rw_ratelimit_headers ratelimit_headers = {
	"X-RateLimit-Limit", "X-RateLimit-Remaining", "X-RateLimit-Reset", true, false};

const struct rw_platform rw_mastodon_platform = {
	.name = "mastodon",
	.base_url_required = true,
	.params = params,
	.ratelimit_headers = &ratelimit_headers,
	.connector = &connector,
};
