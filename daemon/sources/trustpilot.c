/*
 * trustpilot.c: the Trustpilot connector (public Business Units API) —
 * requests and paging; the parsing is in trustpilot_parse.c.
 *
 * Every request carries the API key in the "apikey" header, never in the
 * query (a URL ends up in proxies' and servers' logs). Reviews:
 * GET /v1/business-units/ID/reviews?orderBy=createdat.desc&perPage=100&page=N,
 * newest first, walked page by page (a page of fewer than 100 reviews is
 * the last) down to the createdAt watermark of the previous walk less an
 * hour. Answers sit on the review itself (companyReply), so open reviews
 * are read again by id, GET /v1/reviews/ID, up to 100 a poll in rotation
 * (poller_revisit.c); a 404 there means the review was deleted.
 *
 * Trustpilot sends no rate-limit headers; its guidance is at most 833
 * calls in 5 minutes and 10 000 an hour. The default poll_every (5 min)
 * spends at most 101 calls a poll: 12 % of either ceiling, room for
 * several sources on one key (docs/connectors.md).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "replywatch/connector.h"
#include "replywatch/platform.h"
#include "replywatch/secret.h"
#include "replywatch/sources/trustpilot.h"

#define PER_PAGE 100
#define PER_PAGE_TEXT "100"
#define REVISITS_PER_POLL 100
#define OVERLAP_MS (60 * 60 * 1000) /* reviews indexed late are still found */
#define APIKEY_HEADER "apikey: "

/* The connector's state is the "apikey: KEY" header line (wiped on free). */
static void *
trustpilot_state_new(const struct rw_source_config *src)
{
	const struct rw_secret *key = rw_source_param_secret(src, "api_key");
	const char *value = key ? rw_secret_value(key) : "";
	size_t n = sizeof(APIKEY_HEADER) + strlen(value);
	char *header = malloc(n);

	if (header != NULL)
		snprintf(header, n, "%s%s", APIKEY_HEADER, value);
	return header;
}

static void
trustpilot_state_free(void *state)
{
	rw_bearer_free(state); /* wipes, then frees */
}

static const char *
trustpilot_auth_header(struct rw_poll *poll)
{
	return rw_poll_state(poll);
}

static char *
trustpilot_reviews_url(struct rw_poll *poll, const struct rw_walk *walk)
{
	const struct rw_source_config *src = rw_poll_source(poll);
	char path[96];

	snprintf(path, sizeof(path), "/v1/business-units/%s/reviews",
		 rw_source_param_string(src, "business_unit_id"));
	return rw_url_build(src->base_url, path, "orderBy", "createdat.desc", "perPage",
			    PER_PAGE_TEXT, "page", walk->token ? walk->token : "1", NULL);
}

static int
trustpilot_reviews_parse(struct rw_poll *poll, const char *body, size_t len, struct rw_page *page,
			 char *err, size_t errlen)
{
	(void)poll;
	return rw_trustpilot_parse_reviews(body, len, page, err, errlen);
}

static char *
trustpilot_review_url(struct rw_poll *poll, const char *id)
{
	char path[64];

	snprintf(path, sizeof(path), "/v1/reviews/%s", id);
	return rw_url_build(rw_poll_source(poll)->base_url, path, NULL);
}

static int
trustpilot_review_parse(struct rw_poll *poll, const char *id, const char *body, size_t len,
			struct rw_page *page, char *err, size_t errlen)
{
	(void)poll;
	return rw_trustpilot_parse_review(body, len, id, page, err, errlen);
}

/* The business unit id goes into every request path: checked first. */
static void
trustpilot_start(struct rw_poll *poll)
{
	if (!rw_trustpilot_id_valid(
		    rw_source_param_string(rw_poll_source(poll), "business_unit_id"))) {
		rw_poll_fail(poll, RW_POLL_CLIENT_ERROR,
			     "business_unit_id is not a Trustpilot id (24 hexadecimal digits): "
			     "find it with GET /v1/business-units/find?name=DOMAIN");
		return;
	}
	rw_poll_walk(poll);
}

/* The review stream is walked by time: its watermark is ms (digits). */
static bool
trustpilot_ms_ok(const char *ms)
{
	return rw_cursor_digits(ms, 16);
}

static const struct rw_stream streams[] = {
	{"reviews", 'n', true, true, trustpilot_reviews_url, trustpilot_reviews_parse,
	 trustpilot_ms_ok, OVERLAP_MS, PER_PAGE},
};

static const struct rw_revisit revisit = {
	.endpoint = "review",
	.per_poll = REVISITS_PER_POLL,
	.gone_status = 404,
	.id_ok = rw_trustpilot_id_valid,
	.url = trustpilot_review_url,
	.parse = trustpilot_review_parse,
};

static const struct rw_connector connector = {
	.streams = streams,
	.nstreams = 1,
	.state_new = trustpilot_state_new,
	.state_free = trustpilot_state_free,
	.start = trustpilot_start,
	.auth_header = trustpilot_auth_header,
	.revisit = &revisit,
};

static const struct rw_param_spec params[] = {
	{"business_unit_id", RW_PARAM_STRING, true},
	{"api_key", RW_PARAM_SECRET, true},
	{NULL, RW_PARAM_STRING, false},
};

const struct rw_platform rw_trustpilot_platform = {
	.name = "trustpilot",
	.base_url = "https://api.trustpilot.com",
	.poll_every = 300,
	.params = params,
	.connector = &connector,
};
