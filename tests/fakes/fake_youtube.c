/*
 * fake_youtube.c: YouTube Data API v3 comments, platform "youtube":
 *
 *   GET /youtube/v3/commentThreads?part=snippet,replies
 *       &allThreadsRelatedToChannelId=CH&order=time&maxResults=&pageToken=
 *   GET /youtube/v3/comments?part=snippet&parentId=THREAD&maxResults=&pageToken=
 *
 * Threads newest first by their top-level comment's publishedAt, each with
 * totalReplyCount and at most "inline_replies" (5) of its replies inline,
 * the oldest ones (so a later brand reply is only found through
 * comments.list); comments.list gives a thread's replies oldest first.
 * Pages by nextPageToken. The documented JSON: commentThread and comment
 * resources, ids "Ugy...AaABAg" and "THREAD.REPLY".
 *
 * Auth: the key in the X-Goog-Api-Key header or the key parameter; none is
 * a 403, a wrong one a 400 keyInvalid, in Google's error envelope with
 * errors[]. Quota: every request that reaches a handler spends one unit of
 * "units" (10 000); past them each answer is a 403 quotaExceeded (domain
 * youtube.quota). POST /_fake/youtube/quota sets units and used (the day's
 * reset is the test's to make).
 *
 * Control: POST /_fake/youtube/comment {text, video?, author?, name?, at?}
 * and /reply {thread, text, brand? (true), author?, name?, at?} answer
 * {"id"}; /quota {units?, used?}; /settings {inline_replies}. "at" is ms
 * or an RFC 3339 time (default now).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fake.h"

#define YT_CHANNEL "UCacmeBrandChannel0000AA"
#define YT_VIDEO "acmeVideo01"
#define YT_UNITS 10000
#define YT_INLINE 5
#define YT_TOKEN_PREFIX "CAoQAA"

struct yt_comment {
	char *id, *author, *name, *text, *video;
	int64_t at_ms;
};

struct yt_thread {
	struct yt_comment top;
	struct yt_comment *replies;
	size_t nreplies, cap;
};

struct yt_state {
	struct yt_thread *t;
	size_t n, cap;
	long units, used;
	long inline_replies;
	unsigned long long seq;
};

static enum fake_platform
yt_index(void)
{
	return (enum fake_platform)fake_platform_from_name("youtube");
}

static struct yt_state *
yt_of(struct fake_state *st)
{
	enum fake_platform p = yt_index();
	struct yt_state *y = st->own[p];

	if (y == NULL && (y = calloc(1, sizeof(*y))) != NULL) {
		y->units = YT_UNITS;
		y->inline_replies = YT_INLINE;
		st->own[p] = y;
	}
	return y;
}

/* Google's older envelope, with errors[] (YouTube still sends it). */
static void
yt_error_reason(struct fake_resp *r, unsigned status, const char *domain, const char *reason,
		const char *msg)
{
	fake_resp_json(r, status,
		       json_pack("{s:{s:i, s:s, s:[{s:s, s:s, s:s}]}}", "error", "code",
				 (int)status, "message", msg, "errors", "message", msg, "domain",
				 domain, "reason", reason));
}

static void
yt_error(struct fake_resp *r, unsigned status, const char *name, const char *msg)
{
	yt_error_reason(r, status, "global", name ? name : "error", msg);
}

/* One unit a request; false (a 403 answered) when the day's are spent. */
static bool
yt_spend(struct yt_state *y, struct fake_resp *resp)
{
	if (y->used >= y->units) {
		yt_error_reason(resp, 403, "youtube.quota", "quotaExceeded",
				"The request cannot be completed because you have exceeded your "
				"<a href=\"/youtube/v3/getting-started#quota\">quota</a>.");
		return false;
	}
	y->used++;
	return true;
}

static json_t *
yt_comment_json(const struct yt_comment *c, const char *parent)
{
	char at[FAKE_TIME_LEN], *url = fake_sprintf("http://www.youtube.com/channel/%s", c->author);
	json_t *snippet, *v;

	fake_fmt_ms(c->at_ms, at);
	snippet = json_pack("{s:s, s:s?, s:s, s:{s:s}, s:s, s:s, s:s, s:s, s:b, s:s, s:i, s:s, "
			    "s:s}",
			    "channelId", YT_CHANNEL, "videoId", c->video, "authorDisplayName",
			    c->name, "authorChannelId", "value", c->author, "authorChannelUrl",
			    url ? url : "", "authorProfileImageUrl",
			    "https://yt3.ggpht.com/a/default-user=s48-c-k-c0xffffffff-no-rj-mo",
			    "textDisplay", c->text, "textOriginal", c->text, "canRate", 1,
			    "viewerRating", "none", "likeCount", 0, "publishedAt", at, "updatedAt",
			    at);
	free(url);
	if (snippet != NULL && parent != NULL &&
	    json_object_set_new(snippet, "parentId", json_string(parent)) == -1) {
		json_decref(snippet);
		snippet = NULL;
	}
	v = json_pack("{s:s, s:s, s:s, s:o?}", "kind", "youtube#comment", "etag", "fake-etag", "id",
		      c->id, "snippet", snippet);
	return v;
}

static json_t *
yt_thread_json(const struct yt_thread *t, long inline_replies)
{
	json_t *v, *replies = NULL;

	v = json_pack("{s:s, s:s, s:s, s:{s:s, s:s, s:o?, s:b, s:i, s:b}}", "kind",
		      "youtube#commentThread", "etag", "fake-etag", "id", t->top.id, "snippet",
		      "channelId", YT_CHANNEL, "videoId", t->top.video, "topLevelComment",
		      yt_comment_json(&t->top, NULL), "canReply", 1, "totalReplyCount",
		      (int)t->nreplies, "isPublic", 1);
	if (v == NULL || t->nreplies == 0)
		return v;
	replies = json_array();
	for (size_t i = 0; replies != NULL && i < t->nreplies && (long)i < inline_replies; i++)
		if (json_array_append_new(replies, yt_comment_json(&t->replies[i], t->top.id)) ==
		    -1) {
			json_decref(replies);
			replies = NULL;
		}
	if (replies == NULL ||
	    json_object_set_new(v, "replies", json_pack("{s:o}", "comments", replies)) == -1) {
		json_decref(v);
		return NULL;
	}
	return v;
}

/* The offset a pageToken stands for (0 without one); -1 for a bad token. */
static long
yt_offset(const char *token, size_t n)
{
	char *end;
	long off;

	if (token == NULL)
		return 0;
	if (strncmp(token, YT_TOKEN_PREFIX, strlen(YT_TOKEN_PREFIX)) != 0)
		return -1;
	off = strtol(token + strlen(YT_TOKEN_PREFIX), &end, 10);
	return *end == '\0' && off > 0 && (size_t)off <= n ? off : -1;
}

/* {"kind", "pageInfo", "items", "nextPageToken"?} over order[off..off+limit). */
static json_t *
yt_list(const char *kind, json_t *items, size_t n, long off, long limit)
{
	char *next =
		(size_t)(off + limit) < n ? fake_sprintf(YT_TOKEN_PREFIX "%ld", off + limit) : NULL;
	json_t *v = json_pack("{s:s, s:s, s:{s:i, s:i}, s:o}", "kind", kind, "etag", "fake-etag",
			      "pageInfo", "totalResults", (int)n, "resultsPerPage", (int)limit,
			      "items", items);

	if (v != NULL && next != NULL &&
	    json_object_set_new(v, "nextPageToken", json_string(next)) == -1) {
		json_decref(v);
		v = NULL;
	}
	free(next);
	return v;
}

/* Threads newest first (the later one of equal times first). */
static int
yt_cmp(const void *a, const void *b, void *arg)
{
	const struct yt_state *y = arg;
	size_t i = *(const size_t *)a, j = *(const size_t *)b;

	if (y->t[i].top.at_ms != y->t[j].top.at_ms)
		return y->t[i].top.at_ms > y->t[j].top.at_ms ? -1 : 1;
	return i > j ? -1 : 1;
}

static bool
yt_part_ok(const struct fake_req *req, struct fake_resp *resp)
{
	const char *part = fake_param(req, "part");

	if (part != NULL && strstr(part, "snippet") != NULL)
		return true;
	yt_error_reason(resp, 400, "youtube.parameter", "missingRequiredParameter",
			"No filter selected. Expected one of: part");
	return false;
}

/* GET /youtube/v3/commentThreads */
static void
yt_threads(struct fake_state *st, struct fake_req *req, struct fake_resp *resp)
{
	struct yt_state *y = yt_of(st);
	const char *ch = fake_param(req, "allThreadsRelatedToChannelId");
	bool ours = ch != NULL && strcmp(ch, YT_CHANNEL) == 0;
	long limit = fake_page_limit(st, req->platform, fake_param(req, "maxResults"), 20, 100);
	size_t n = ours && y ? y->n : 0, *order = NULL;
	long off;
	json_t *items;

	if (y == NULL) {
		yt_error(resp, 500, "backendError", "out of memory");
		return;
	}
	if (!yt_spend(y, resp) || !yt_part_ok(req, resp))
		return;
	if (ch == NULL) {
		yt_error_reason(
			resp, 400, "youtube.parameter", "missingRequiredParameter",
			"No filter selected. Expected one of: allThreadsRelatedToChannelId, "
			"channelId, id, videoId");
		return;
	}
	if ((off = yt_offset(fake_param(req, "pageToken"), n)) < 0) {
		yt_error_reason(resp, 400, "youtube.parameter", "invalidPageToken",
				"The request specifies an invalid page token.");
		return;
	}
	if (n > 0 && (order = calloc(n, sizeof(*order))) == NULL) {
		yt_error(resp, 500, "backendError", "out of memory");
		return;
	}
	for (size_t i = 0; i < n; i++)
		order[i] = i;
	if (n > 0)
		qsort_r(order, n, sizeof(*order), yt_cmp, y);
	items = json_array();
	for (size_t i = (size_t)off; items != NULL && i < n && i < (size_t)(off + limit); i++)
		if (json_array_append_new(
			    items, yt_thread_json(&y->t[order[i]], y->inline_replies)) == -1) {
			json_decref(items);
			items = NULL;
		}
	free(order);
	fake_resp_json(resp, 200,
		       items ? yt_list("youtube#commentThreadListResponse", items, n, off, limit)
			     : NULL);
}

static struct yt_thread *
yt_find(struct yt_state *y, const char *id)
{
	for (size_t i = 0; id != NULL && i < y->n; i++)
		if (strcmp(y->t[i].top.id, id) == 0)
			return &y->t[i];
	return NULL;
}

/* GET /youtube/v3/comments?parentId= */
static void
yt_comments(struct fake_state *st, struct fake_req *req, struct fake_resp *resp)
{
	struct yt_state *y = yt_of(st);
	const char *parent = fake_param(req, "parentId");
	long limit = fake_page_limit(st, req->platform, fake_param(req, "maxResults"), 20, 100);
	struct yt_thread *t;
	size_t n;
	long off;
	json_t *items;

	if (y == NULL) {
		yt_error(resp, 500, "backendError", "out of memory");
		return;
	}
	if (!yt_spend(y, resp) || !yt_part_ok(req, resp))
		return;
	if (parent == NULL) {
		yt_error_reason(resp, 400, "youtube.parameter", "missingRequiredParameter",
				"No filter selected. Expected one of: id, parentId");
		return;
	}
	if ((t = yt_find(y, parent)) == NULL) {
		yt_error_reason(resp, 404, "youtube.comment", "commentNotFound",
				"The comment identified by the request's parentId parameter "
				"could not be found.");
		return;
	}
	n = t->nreplies;
	if ((off = yt_offset(fake_param(req, "pageToken"), n)) < 0) {
		yt_error_reason(resp, 400, "youtube.parameter", "invalidPageToken",
				"The request specifies an invalid page token.");
		return;
	}
	items = json_array();
	for (size_t i = (size_t)off; items != NULL && i < n && i < (size_t)(off + limit); i++)
		if (json_array_append_new(items, yt_comment_json(&t->replies[i], t->top.id)) ==
		    -1) {
			json_decref(items);
			items = NULL;
		}
	fake_resp_json(resp, 200,
		       items ? yt_list("youtube#commentListResponse", items, n, off, limit) : NULL);
}

static enum fake_auth
yt_auth(struct fake_state *st, const struct fake_req *req, int ep, const char **why)
{
	const char *key = req->goog_api_key ? req->goog_api_key : fake_param(req, "key");

	(void)ep;
	if (key == NULL)
		return FAKE_AUTH_MISSING;
	*why = "keyInvalid";
	return strcmp(key, fake_option(st, req->platform, "api-key")) == 0 ? FAKE_AUTH_OK
									   : FAKE_AUTH_WRONG;
}

static void
yt_auth_fail(struct fake_resp *r, int ep, const char *why)
{
	(void)ep;
	if (strcmp(why, "keyInvalid") == 0)
		yt_error_reason(r, 400, "usageLimits", "keyInvalid",
				"API key not valid. Please pass a valid API key.");
	else
		yt_error_reason(r, 403, "global", "forbidden",
				"The request is missing a valid API key.");
}

static void
yt_fault(struct fake_resp *r, enum fake_fault_kind kind)
{
	if (kind == FAKE_F_403)
		yt_error_reason(r, 403, "youtube.commentThread", "forbidden",
				"The comment thread could not be retrieved due to insufficient "
				"permissions.");
	else if (kind == FAKE_F_500)
		yt_error(r, 500, "backendError", "Backend Error");
	else if (kind == FAKE_F_502)
		yt_error(r, 502, "backendError", "Bad Gateway");
	else
		yt_error(r, 503, "backendError", "The service is currently unavailable.");
}

static void
yt_not_found(struct fake_resp *r)
{
	yt_error(r, 404, "notFound", "Not Found");
}

static void
yt_too_many(struct fake_resp *r, const struct fake_limit *l, long retry_after, int64_t now)
{
	(void)l;
	(void)now;
	yt_error_reason(r, 429, "youtube.quota", "rateLimitExceeded",
			"The request cannot be completed because you have exceeded your quota.");
	if (retry_after >= 0)
		fake_resp_header(r, "Retry-After", "%ld", retry_after);
}

/* YouTube sends no rate-limit headers. */
static void
yt_limit_headers(struct fake_resp *r, const struct fake_limit *l)
{
	(void)r;
	(void)l;
}

static size_t
yt_nreplies(const struct yt_state *y)
{
	size_t n = 0;

	for (size_t i = 0; y != NULL && i < y->n; i++)
		n += y->t[i].nreplies;
	return n;
}

static json_t *
yt_state_json(const struct fake_state *st, enum fake_platform p)
{
	const struct yt_state *y = st->own[p];

	return json_pack("{s:s, s:i, s:i, s:{s:i, s:i}, s:i}", "channel", YT_CHANNEL, "threads",
			 y ? (int)y->n : 0, "replies", (int)yt_nreplies(y), "quota", "units",
			 y ? (int)y->units : YT_UNITS, "used", y ? (int)y->used : 0,
			 "inline_replies", y ? (int)y->inline_replies : YT_INLINE);
}

/* "at" of a control body: ms, an RFC 3339 time, or now. -1 when unreadable. */
static int64_t
yt_at(const json_t *body)
{
	const json_t *at = json_object_get(body, "at");
	int64_t ms;

	if (at == NULL)
		return fake_now_ms();
	if (json_is_integer(at) && json_integer_value(at) > 0)
		return (int64_t)json_integer_value(at);
	if (json_is_string(at) && fake_parse_time(json_string_value(at), &ms) == 0)
		return ms;
	return -1;
}

static void
yt_comment_free(struct yt_comment *c)
{
	free(c->id);
	free(c->author);
	free(c->name);
	free(c->text);
	free(c->video);
	memset(c, 0, sizeof(*c));
}

/* Fills c from a control body; the brand's channel when brand. */
static int
yt_comment_fill(struct yt_comment *c, const json_t *body, bool brand, const char *video, char *id)
{
	const char *text = json_string_value(json_object_get(body, "text"));
	const char *author = json_string_value(json_object_get(body, "author"));
	const char *name = json_string_value(json_object_get(body, "name"));

	c->at_ms = yt_at(body);
	c->id = id;
	c->author = strdup(brand ? YT_CHANNEL : author ? author : "UCfanfanfanfanfanfanfan0");
	c->name = strdup(brand ? "Acme" : name ? name : "@fan");
	c->text = strdup(text ? text : "");
	c->video = strdup(video);
	if (c->id == NULL || c->author == NULL || c->name == NULL || c->text == NULL ||
	    c->video == NULL || c->at_ms < 0) {
		yt_comment_free(c);
		return -1;
	}
	return 0;
}

static void
yt_new_comment(struct yt_state *y, json_t *body, struct fake_resp *resp)
{
	const char *video = json_string_value(json_object_get(body, "video"));
	struct yt_thread t = {0};

	if (fake_grow((void **)&y->t, &y->cap, y->n, sizeof(*y->t)) == -1 ||
	    yt_comment_fill(&t.top, body, json_is_true(json_object_get(body, "brand")),
			    video ? video : YT_VIDEO,
			    fake_sprintf("UgyFake%08lluAaABAg", ++y->seq)) == -1) {
		fake_control_error(resp, 400, "comment: a readable \"at\" (or out of memory)");
		return;
	}
	y->t[y->n++] = t;
	fake_resp_json(resp, 200, json_pack("{s:s, s:s}", "id", t.top.id, "video", t.top.video));
}

static void
yt_new_reply(struct yt_state *y, json_t *body, struct fake_resp *resp)
{
	struct yt_thread *t = yt_find(y, json_string_value(json_object_get(body, "thread")));
	const json_t *brand = json_object_get(body, "brand");
	struct yt_comment c = {0};

	if (t == NULL) {
		fake_control_error(resp, 404, "reply: no such thread");
		return;
	}
	if (fake_grow((void **)&t->replies, &t->cap, t->nreplies, sizeof(*t->replies)) == -1 ||
	    yt_comment_fill(&c, body, brand == NULL || json_is_true(brand), t->top.video,
			    fake_sprintf("%s.9zR%08llu", t->top.id, ++y->seq)) == -1) {
		fake_control_error(resp, 400, "reply: a readable \"at\" (or out of memory)");
		return;
	}
	/* Kept oldest first. */
	size_t i = t->nreplies;

	for (; i > 0 && t->replies[i - 1].at_ms > c.at_ms; i--)
		t->replies[i] = t->replies[i - 1];
	t->replies[i] = c;
	t->nreplies++;
	fake_resp_json(resp, 200, json_pack("{s:s}", "id", c.id));
}

static bool
yt_control(struct fake_state *st, enum fake_platform p, const char *what, json_t *body,
	   struct fake_resp *resp)
{
	struct yt_state *y = yt_of(st);
	const json_t *v;

	if (y == NULL) {
		fake_control_error(resp, 500, "out of memory");
		return true;
	}
	if (strcmp(what, "comment") == 0) {
		yt_new_comment(y, body, resp);
	} else if (strcmp(what, "reply") == 0) {
		yt_new_reply(y, body, resp);
	} else if (strcmp(what, "quota") == 0) {
		if (json_is_integer(v = json_object_get(body, "units")))
			y->units = (long)json_integer_value(v);
		if (json_is_integer(v = json_object_get(body, "used")))
			y->used = (long)json_integer_value(v);
		fake_resp_json(resp, 200, yt_state_json(st, p));
	} else if (strcmp(what, "settings") == 0) {
		if (json_is_integer(v = json_object_get(body, "inline_replies")))
			y->inline_replies = (long)json_integer_value(v);
		fake_resp_json(resp, 200, yt_state_json(st, p));
	} else {
		return false;
	}
	return true;
}

static void
yt_free(struct fake_state *st, enum fake_platform p)
{
	struct yt_state *y = st->own[p];

	for (size_t i = 0; y != NULL && i < y->n; i++) {
		yt_comment_free(&y->t[i].top);
		for (size_t j = 0; j < y->t[i].nreplies; j++)
			yt_comment_free(&y->t[i].replies[j]);
		free(y->t[i].replies);
	}
	if (y != NULL)
		free(y->t);
	free(y);
	st->own[p] = NULL;
}

static const struct fake_route_def yt_routes[] = {
	{"GET", "/youtube/v3/commentThreads", "commentThreads", yt_threads},
	{"GET", "/youtube/v3/comments", "comments", yt_comments},
};

static const char *const yt_paging[] = {"pageToken", NULL};

const struct fake_platform_def fake_youtube_def = {
	.name = "youtube",
	.prefix = "/youtube/",
	.routes = yt_routes,
	.nroutes = sizeof(yt_routes) / sizeof(yt_routes[0]),
	.options = {{"api-key", "youtube-test-key", "KEY"}},
	.paging = yt_paging,
	.social = false,
	.auth = yt_auth,
	.error = yt_error,
	.auth_fail = yt_auth_fail,
	.fault = yt_fault,
	.not_found = yt_not_found,
	.too_many = yt_too_many,
	.limit_headers = yt_limit_headers,
	.state = yt_state_json,
	.control = yt_control,
	.control_calls = "comment, reply, quota, settings",
	.reset = yt_free,
	.free = yt_free,
};
