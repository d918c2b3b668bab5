/*
 * allegro.c: the Allegro marketplace connector (REST API, one seller
 * account) — its descriptor, state, the buyer ratings stream and the
 * re-reading of unanswered ratings; the sign-in with rotating refresh
 * tokens is in allegro_auth.c, the parsing in allegro_parse.c, the Message
 * Center and post-purchase issue streams in allegro_threads*.c and
 * allegro_issues*.c (allegro_msg.h).
 *
 * Every request carries "Accept: application/vnd.allegro.public.v1+json"
 * (or the beta media type a stream asks for): Allegro answers 406 without
 * it. Ratings: GET /sale/user-ratings?lastChangedAt.gte=T&limit=100&
 * offset=N, newest lastChangedAt first, walked by time down to the previous
 * walk's watermark less OVERLAP (ratings listed late are still found) with
 * offset pages until a short page (offset at most 20000, Allegro's cap).
 * A seller's answer sits on the rating, so open ratings are read again by
 * id, GET /sale/user-ratings/{id}, up to 100 a poll (poller_revisit.c).
 *
 * Rate limits: 9000 requests a minute per client id, no headers; a 429
 * blocks the client id for a minute, so a 429 waits at least 60 s
 * (Retry-After is honoured when Allegro sends one).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "allegro_internal.h"
#include "replywatch/clock.h"
#include "replywatch/connector.h"
#include "replywatch/httpc.h"
#include "replywatch/item.h"
#include "replywatch/page.h"
#include "replywatch/platform.h"
#include "replywatch/sources/allegro.h"
/* allegro-msg's streams, once their files are merged (see streams[]). */
#if __has_include("replywatch/sources/allegro_msg.h")
#include "replywatch/sources/allegro_msg.h"
#endif

#define PER_PAGE 100
#define PER_PAGE_TEXT "100"
#define OFFSET_MAX 20000 /* Allegro's cap on offset */
#define REVISITS_PER_POLL 100
#define OVERLAP_MS (10 * 60 * 1000)

static void *
allegro_state_new(const struct rw_source_config *src)
{
	struct allegro_state *s = calloc(1, sizeof(*s));

	(void)src;
	if (s != NULL)
		s->accept = RW_ALLEGRO_ACCEPT_V1;
	return s;
}

static void
allegro_state_free(void *state)
{
	struct allegro_state *s = state;

	if (s == NULL)
		return;
	allegro_auth_clear(s);
	free(s->seller_id);
	free(s->seller_login);
	free(s);
}

const char *
rw_allegro_seller_id(const void *state)
{
	return state != NULL ? ((const struct allegro_state *)state)->seller_id : NULL;
}

const char *
rw_allegro_seller_login(const void *state)
{
	return state != NULL ? ((const struct allegro_state *)state)->seller_login : NULL;
}

void
rw_allegro_use_accept(struct rw_poll *poll, const char *media_type)
{
	struct allegro_state *s = rw_poll_state(poll);

	s->accept = media_type != NULL && strcmp(media_type, RW_ALLEGRO_ACCEPT_BETA) == 0
			    ? RW_ALLEGRO_ACCEPT_BETA
			    : RW_ALLEGRO_ACCEPT_V1;
}

static const char *const *
allegro_headers(struct rw_poll *poll)
{
	struct allegro_state *s = rw_poll_state(poll);

	snprintf(s->accept_line, sizeof(s->accept_line), "Accept: %s", s->accept);
	s->headers[0] = s->accept_line;
	s->headers[1] = NULL;
	return s->headers;
}

static const char *
allegro_auth_header(struct rw_poll *poll)
{
	struct allegro_state *s = rw_poll_state(poll);

	return rw_token_cache_header(&s->cache);
}

/* A 401 renews the access token once (the next poll, at once); a second
 * one in a row means the grant is refused: the source is down. */
static bool
allegro_token_expired(struct rw_poll *poll, const struct rw_httpc_response *resp)
{
	struct allegro_state *s = rw_poll_state(poll);

	return rw_token_cache_expired(&s->cache, resp->status);
}

/* The "ratings" setting: "all" (the default) or "negative" (only ratings
 * the buyer does not recommend: recommended=false). */
static const char *
allegro_recommended(const struct rw_source_config *src)
{
	const char *r = rw_source_param_string(src, "ratings");

	return r != NULL && strcmp(r, "negative") == 0 ? "false" : NULL;
}

static void
allegro_start(struct rw_poll *poll)
{
	const char *r = rw_source_param_string(rw_poll_source(poll), "ratings");

	if (r != NULL && strcmp(r, "all") != 0 && strcmp(r, "negative") != 0) {
		rw_poll_fail(poll, RW_POLL_CLIENT_ERROR, "ratings must be \"all\" or \"negative\"");
		return;
	}
	allegro_auth_start(poll);
}

static char *
allegro_ratings_url(struct rw_poll *poll, const struct rw_walk *walk)
{
	const struct rw_source_config *src = rw_poll_source(poll);
	long long page = walk->token ? strtoll(walk->token, NULL, 10) : 1;
	char since[RW_TIME_MAX], offset[24];
	const char *gte = NULL;
	long long off;

	rw_allegro_use_accept(poll, RW_ALLEGRO_ACCEPT_V1);
	if (walk->watermark != NULL)
		gte = rw_time_format(strtoll(walk->watermark, NULL, 10) - OVERLAP_MS, since,
				     sizeof(since));
	else if (walk->from_ms > 0)
		gte = rw_time_format(walk->from_ms, since, sizeof(since));
	off = (page < 1 ? 0 : page - 1) * PER_PAGE;
	/* Allegro refuses a larger offset: the walk reads its last page again
	 * and stops there (docs/connectors.md "Allegro"). */
	if (off > OFFSET_MAX)
		off = OFFSET_MAX;
	snprintf(offset, sizeof(offset), "%lld", off);
	return rw_url_build(src->base_url, "/sale/user-ratings", "lastChangedAt.gte", gte,
			    "recommended", allegro_recommended(src), "limit", PER_PAGE_TEXT,
			    "offset", offset, NULL);
}

static int
allegro_ratings_parse(struct rw_poll *poll, const char *body, size_t len, struct rw_page *page,
		      char *err, size_t errlen)
{
	(void)poll;
	return rw_allegro_parse_ratings(body, len, page, err, errlen);
}

static char *
allegro_rating_url(struct rw_poll *poll, const char *id)
{
	char path[RW_ALLEGRO_ID_MAX + 32];

	rw_allegro_use_accept(poll, RW_ALLEGRO_ACCEPT_V1);
	snprintf(path, sizeof(path), "/sale/user-ratings/%s", id);
	return rw_url_build(rw_poll_source(poll)->base_url, path, NULL);
}

/* One rating read again by id: only the seller's answer is taken, and only
 * when the answer is about the rating asked for. */
static int
allegro_rating_parse(struct rw_poll *poll, const char *id, const char *body, size_t len,
		     struct rw_page *page, char *err, size_t errlen)
{
	size_t kept = 0;

	(void)poll;
	if (rw_allegro_parse_rating(body, len, page, err, errlen) == -1)
		return -1;
	for (size_t i = 0; i < page->nitems; i++) {
		const struct rw_item *it = &page->items[i];

		if (!rw_page_same(it->from_brand ? it->in_reply_to : it->id, id)) {
			snprintf(err, errlen, "rating: another id");
			rw_page_clear(page);
			return -1;
		}
	}
	for (size_t i = 0; i < page->nitems; i++) {
		if (page->items[i].from_brand)
			page->items[kept++] = page->items[i];
		else
			rw_item_clear(&page->items[i]);
	}
	page->nitems = kept;
	return 0;
}

static bool
allegro_ms_ok(const char *ms)
{
	return rw_cursor_digits(ms, 16);
}

/* The streams, inbound first. The Message Center and issue streams come
 * from allegro_msg.h (allegro-msg's files). */
static const struct rw_stream streams[] = {
	{"ratings", 'n', true, true, allegro_ratings_url, allegro_ratings_parse, allegro_ms_ok,
	 OVERLAP_MS, PER_PAGE},
/* ---- allegro-msg: the threads and issues streams go here ---- */
#ifdef RW_ALLEGRO_MSG_STREAMS
	RW_ALLEGRO_MSG_STREAMS
#endif
};

/* What allegro-msg's streams add: their fan-outs (thread messages, chats). */
#ifdef RW_ALLEGRO_MSG_EXTRAS
static const struct rw_stream_extra extras[] = {RW_ALLEGRO_MSG_EXTRAS{NULL, NULL, NULL, false}};
#endif

static const struct rw_revisit revisit = {
	.endpoint = "rating",
	.per_poll = REVISITS_PER_POLL,
	.gone_status = 404,
	.id_ok = rw_allegro_id_valid,
#ifdef RW_ALLEGRO_MSG_STREAMS
	.skip = rw_allegro_msg_item_id, /* buyer messages are no ratings */
#endif
	.url = allegro_rating_url,
	.parse = allegro_rating_parse,
};

static const struct rw_connector connector = {
	.streams = streams,
	.nstreams = sizeof(streams) / sizeof(streams[0]),
	.state_new = allegro_state_new,
	.state_free = allegro_state_free,
	.start = allegro_start,
	.auth_header = allegro_auth_header,
	.headers = allegro_headers,
	.token_expired = allegro_token_expired,
	.revisit = &revisit,
#ifdef RW_ALLEGRO_MSG_EXTRAS
	.extras = extras,
#endif
};

static const struct rw_param_spec params[] = {
	{"client_id", RW_PARAM_STRING, true},
	{"client_secret", RW_PARAM_SECRET, true},
	{"refresh_token", RW_PARAM_SECRET, false},
	{"token_url", RW_PARAM_URL, false},
	{"device_url", RW_PARAM_URL, false},
	{"ratings", RW_PARAM_STRING, false},
	{NULL, RW_PARAM_STRING, false},
};

const struct rw_platform rw_allegro_platform = {
	.name = "allegro",
	.base_url = "https://api.allegro.pl",
	.poll_every = 120,
	.params = params,
	.wait_429_s = 60,
	.connector = &connector,
};
