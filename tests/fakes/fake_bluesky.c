/*
 * fake_bluesky.c: the AppView endpoints a poller reads —
 * app.bsky.notification.listNotifications and app.bsky.feed.getAuthorFeed —
 * with the lexicons' views (notification, postView, feedViewPost with reply
 * refs and reasonRepost) and their backwards-only datetime cursor: a page
 * after a cursor holds only entries indexed strictly before it.
 */
#include <stdlib.h>
#include <string.h>

#include "fake.h"

#define P FAKE_BLUESKY

struct cand {
	int64_t t; /* indexedAt: the list order and the cursor */
	size_t i;
};

/* One list request: the entries its filters pass, and its paging. */
struct listing {
	struct cand *cands; /* NULL when it could not be allocated */
	size_t n;
	long limit;
	int64_t cursor;
};

static int
cand_cmp_desc(const void *a, const void *b)
{
	int64_t x = ((const struct cand *)a)->t, y = ((const struct cand *)b)->t;

	return x < y ? 1 : x > y ? -1 : 0;
}

/* profileViewBasic */
static json_t *
profile_json(const struct fake_state *st, size_t i)
{
	const struct fake_account *a = &st->p[P].accounts[i];
	char created[FAKE_TIME_LEN];
	char *avatar =
		fake_sprintf("https://cdn.bsky.app/img/avatar/plain/%s/bafkreiavatar@jpeg", a->id);
	json_t *v;

	if (avatar == NULL)
		return NULL;
	fake_fmt_ms(a->created_ms, created);
	v = json_pack("{s:s, s:s, s:s, s:s, s:{s:b, s:b}, s:[], s:s}", "did", a->id, "handle",
		      a->handle, "displayName", a->name, "avatar", avatar, "viewer", "muted", 0,
		      "blockedBy", 0, "labels", "createdAt", created);
	free(avatar);
	return v;
}

/* A com.atproto.repo.strongRef to post index i, or to an unknown uri. */
static json_t *
strong_ref(const struct fake_state *st, long i, const char *uri)
{
	char cid[64];

	if (i >= 0)
		return json_pack("{s:s, s:s}", "uri", st->p[P].posts[i].id, "cid",
				 st->p[P].posts[i].cid);
	fake_cid(uri, cid);
	return json_pack("{s:s, s:s}", "uri", uri, "cid", cid);
}

/* The app.bsky.feed.post (or repost) record of post i. */
static json_t *
post_record(const struct fake_state *st, size_t i)
{
	const struct fake_post *post = &st->p[P].posts[i];
	char created[FAKE_TIME_LEN];
	json_t *v;

	fake_fmt_ms(post->created_ms, created);
	if (post->kind == FAKE_POST_REPOST)
		return json_pack("{s:s, s:s, s:o}", "$type", "app.bsky.feed.repost", "createdAt",
				 created, "subject", strong_ref(st, post->subject, NULL));
	v = json_pack("{s:s, s:s, s:[s], s:s}", "$type", "app.bsky.feed.post", "createdAt", created,
		      "langs", "en", "text", post->text);
	if (v == NULL)
		return NULL;
	if (post->mentioned >= 0 &&
	    json_object_set_new(v, "facets",
				json_pack("[{s:s, s:{s:I, s:I}, s:[{s:s, s:s}]}]", "$type",
					  "app.bsky.richtext.facet", "index", "byteStart",
					  (json_int_t)post->mention_start, "byteEnd",
					  (json_int_t)post->mention_end, "features", "$type",
					  "app.bsky.richtext.facet#mention", "did",
					  st->p[P].accounts[post->mentioned].id)) == -1)
		goto fail;
	if (post->parent_id != NULL &&
	    json_object_set_new(v, "reply",
				json_pack("{s:o, s:o}", "parent",
					  strong_ref(st, post->parent, post->parent_id), "root",
					  strong_ref(st, post->root, post->root_id))) == -1)
		goto fail;
	if (post->subject >= 0 &&
	    json_object_set_new(v, "embed",
				json_pack("{s:s, s:o}", "$type", "app.bsky.embed.record", "record",
					  strong_ref(st, post->subject, NULL))) == -1)
		goto fail;
	return v;
fail:
	json_decref(v);
	return NULL;
}

static long
quotes(const struct fake_state *st, size_t i)
{
	long n = 0;

	for (size_t k = 0; k < st->p[P].nposts; k++)
		n += st->p[P].posts[k].kind == FAKE_POST_CUSTOMER &&
		     st->p[P].posts[k].subject == (long)i;
	return n;
}

/* app.bsky.feed.defs#postView */
static json_t *
post_view(const struct fake_state *st, size_t i)
{
	const struct fake_post *post = &st->p[P].posts[i];
	char indexed[FAKE_TIME_LEN];

	fake_fmt_ms(post->indexed_ms, indexed);
	return json_pack("{s:s, s:s, s:s, s:o, s:o, s:I, s:I, s:I, s:I, s:i, s:s, s:{}, s:[]}",
			 "$type", "app.bsky.feed.defs#postView", "uri", post->id, "cid", post->cid,
			 "author", profile_json(st, post->author), "record", post_record(st, i),
			 "replyCount", (json_int_t)fake_post_replies(st, P, i), "repostCount",
			 (json_int_t)fake_post_reposts(st, P, i), "likeCount",
			 (json_int_t)fake_post_likes(st, P, i), "quoteCount",
			 (json_int_t)quotes(st, i), "bookmarkCount", 0, "indexedAt", indexed,
			 "viewer", "labels");
}

/* A postView of post i, or a notFoundPost for an unknown uri. */
static json_t *
post_or_missing(const struct fake_state *st, long i, const char *uri)
{
	if (i >= 0)
		return post_view(st, (size_t)i);
	return json_pack("{s:s, s:s, s:b}", "$type", "app.bsky.feed.defs#notFoundPost", "uri", uri,
			 "notFound", 1);
}

static json_t *
notification_json(const struct fake_state *st, size_t i)
{
	const struct fake_platform_state *ps = &st->p[P];
	const struct fake_notif *n = &ps->notifs[i];
	const char *subject = NULL;
	char indexed[FAKE_TIME_LEN], created[FAKE_TIME_LEN];
	json_t *record;

	fake_fmt_ms(n->indexed_ms, indexed);
	fake_fmt_ms(n->created_ms, created);
	if (n->post >= 0) {
		const struct fake_post *post = &ps->posts[n->post];

		record = post_record(st, (size_t)n->post);
		if (strcmp(n->type, "reply") == 0)
			subject = post->parent_id;
		else if (strcmp(n->type, "quote") == 0 && post->subject >= 0)
			subject = ps->posts[post->subject].id;
	} else if (strcmp(n->type, "follow") == 0) {
		record = json_pack("{s:s, s:s, s:s}", "$type", "app.bsky.graph.follow", "createdAt",
				   created, "subject", ps->accounts[0].id);
	} else {
		subject = ps->posts[n->subject].id;
		const char *type = strcmp(n->type, "like") == 0 ? "app.bsky.feed.like"
								: "app.bsky.feed.repost";

		record = json_pack("{s:s, s:s, s:o}", "$type", type, "createdAt", created,
				   "subject", strong_ref(st, n->subject, NULL));
	}
	return json_pack("{s:s, s:s, s:o, s:s, s:s*, s:o, s:b, s:s, s:[]}", "uri", n->id, "cid",
			 n->cid, "author", profile_json(st, n->account), "reason", n->type,
			 "reasonSubject", subject, "record", record, "isRead", 0, "indexedAt",
			 indexed, "labels");
}

/* Reads limit (1-100, default 50) and cursor; answers 400 and returns -1 when bad. */
static int
read_paging(const struct fake_state *st, const struct fake_req *req, struct fake_resp *resp,
	    long *limit, int64_t *cursor)
{
	const char *v = fake_param(req, "limit"), *c = fake_param(req, "cursor");
	char *end;

	*limit = 50;
	if (v != NULL) {
		*limit = strtol(v, &end, 10);
		if (*v == '\0' || *end != '\0') {
			fake_resp_error(resp, P, 400, "InvalidRequest", "limit must be an integer");
			return -1;
		}
		if (*limit < 1 || *limit > 100) {
			fake_resp_error(resp, P, 400, "InvalidRequest",
					*limit < 1 ? "limit can not be less than 1"
						   : "limit can not be greater than 100");
			return -1;
		}
	}
	*limit = fake_page_limit(st, P, NULL, *limit, 100);
	*cursor = INT64_MAX;
	if (c != NULL && *c != '\0' && fake_parse_time(c, cursor) == -1) {
		fake_resp_error(resp, P, 400, "InvalidRequest", "Malformed cursor");
		return -1;
	}
	return 0;
}

/*
 * Sorts cands newest first and keeps those before cursor, at most limit;
 * *first is where they start, *more whether older ones remain. Returns how many.
 */
static size_t
pick(struct cand *cands, size_t n, long limit, int64_t cursor, size_t *first, bool *more)
{
	size_t lo = 0, k;

	qsort(cands, n, sizeof(*cands), cand_cmp_desc);
	while (lo < n && cands[lo].t >= cursor)
		lo++;
	k = n - lo < (size_t)limit ? n - lo : (size_t)limit;
	*first = lo;
	*more = lo + k < n;
	return k;
}

/* Sets key "cursor" of out to the time of the page's last entry (page
 * holds k >= 1 entries when more remain). */
static int
set_cursor(json_t *out, const struct cand *page, size_t k, bool more)
{
	char t[FAKE_TIME_LEN];

	if (!more || k == 0)
		return 0;
	fake_fmt_ms(page[k - 1].t, t);
	return json_object_set_new(out, "cursor", json_string(t));
}

/*
 * Answers 200 with out, whose array member key gets item(st, i) for each
 * entry of the page that ls's limit and cursor pick (newest first), and a
 * "cursor" when older entries remain; or 500 when out or ls->cands is NULL
 * or memory runs out. Takes over out.
 */
static void
answer_page(const struct fake_state *st, struct fake_resp *resp, struct listing *ls, json_t *out,
	    const char *key, json_t *(*item)(const struct fake_state *st, size_t i))
{
	json_t *list = json_object_get(out, key);
	size_t first = 0, k = 0;
	bool more = false, ok = ls->cands != NULL && json_is_array(list);

	if (ok)
		k = pick(ls->cands, ls->n, ls->limit, ls->cursor, &first, &more);
	for (size_t j = 0; ok && j < k; j++)
		ok = json_array_append_new(list, item(st, ls->cands[first + j].i)) == 0;
	if (ok)
		ok = set_cursor(out, ls->cands + first, k, more) == 0;
	if (!ok) {
		json_decref(out);
		out = NULL;
	}
	fake_resp_json(resp, 200, out);
}

/* Whether reason passes the repeated reasons param. */
static bool
reason_wanted(const struct fake_req *req, const char *reason)
{
	const char *v;
	bool any = false;

	for (size_t j = 0; (v = fake_param_nth(req, "reasons", j)) != NULL; j++) {
		any = true;
		if (strcmp(v, reason) == 0)
			return true;
	}
	return !any;
}

void
fake_bsky_list_notifications(struct fake_state *st, struct fake_req *req, struct fake_resp *resp)
{
	const struct fake_platform_state *ps = &st->p[P];
	struct listing ls = {0};
	char seen[FAKE_TIME_LEN];

	if (fake_param(req, "seenAt") != NULL) {
		fake_resp_error(resp, P, 400, "InvalidRequest",
				"The seenAt parameter is unsupported");
		return;
	}
	if (read_paging(st, req, resp, &ls.limit, &ls.cursor) == -1)
		return;
	ls.cands = calloc(ps->nnotifs ? ps->nnotifs : 1, sizeof(*ls.cands));
	for (size_t i = 0; ls.cands != NULL && i < ps->nnotifs; i++) {
		if (!reason_wanted(req, ps->notifs[i].type))
			continue;
		ls.cands[ls.n].t = ps->notifs[i].indexed_ms;
		ls.cands[ls.n++].i = i;
	}
	fake_fmt_ms(st->started_ms, seen);
	answer_page(st, resp, &ls,
		    json_pack("{s:[], s:b, s:s}", "notifications", "priority", 0, "seenAt", seen),
		    "notifications", notification_json);
	free(ls.cands);
}

/* Whether post i shows in a feed with that filter for author who. */
static bool
filter_keeps(const struct fake_state *st, const char *filter, size_t i, size_t who)
{
	const struct fake_post *post = &st->p[P].posts[i];
	bool reply = post->parent_id != NULL;

	if (strcmp(filter, "posts_no_replies") == 0)
		return !reply;
	if (strcmp(filter, "posts_and_author_threads") == 0)
		return !reply || (post->root >= 0 && st->p[P].posts[post->root].author == who);
	if (strcmp(filter, "posts_with_media") == 0 || strcmp(filter, "posts_with_video") == 0)
		return false;
	return true;
}

/* app.bsky.feed.defs#feedViewPost for post i of the author's feed. */
static json_t *
feed_item(const struct fake_state *st, size_t i)
{
	const struct fake_post *post = &st->p[P].posts[i];
	char indexed[FAKE_TIME_LEN];
	json_t *v;

	if (post->kind == FAKE_POST_REPOST) {
		fake_fmt_ms(post->indexed_ms, indexed);
		return json_pack("{s:o, s:{s:s, s:o, s:s}}", "post",
				 post_view(st, (size_t)post->subject), "reason", "$type",
				 "app.bsky.feed.defs#reasonRepost", "by",
				 profile_json(st, post->author), "indexedAt", indexed);
	}
	v = json_pack("{s:o}", "post", post_view(st, i));
	if (v != NULL && post->parent_id != NULL &&
	    json_object_set_new(v, "reply",
				json_pack("{s:o, s:o}", "root",
					  post_or_missing(st, post->root, post->root_id), "parent",
					  post_or_missing(st, post->parent, post->parent_id))) ==
		    -1) {
		json_decref(v);
		return NULL;
	}
	return v;
}

void
fake_bsky_author_feed(struct fake_state *st, struct fake_req *req, struct fake_resp *resp)
{
	static const char *const filters[] = {"posts_with_replies", "posts_no_replies",
					      "posts_with_media",   "posts_and_author_threads",
					      "posts_with_video",   NULL};
	const struct fake_platform_state *ps = &st->p[P];
	const char *actor = fake_param(req, "actor"), *filter = fake_param(req, "filter");
	struct listing ls = {0};
	long who;
	bool ok = false;

	if (actor == NULL) {
		fake_resp_error(resp, P, 400, "InvalidRequest",
				"Params must have the property \"actor\"");
		return;
	}
	if (filter == NULL)
		filter = "posts_with_replies";
	for (size_t j = 0; filters[j] != NULL && !ok; j++)
		ok = strcmp(filters[j], filter) == 0;
	if (!ok) {
		fake_resp_error(resp, P, 400, "InvalidRequest",
				"Input/filter must be one of (posts_with_replies|posts_no_replies|"
				"posts_with_media|posts_and_author_threads|posts_with_video)");
		return;
	}
	if (read_paging(st, req, resp, &ls.limit, &ls.cursor) == -1)
		return;
	who = fake_account_find(st, P, actor);
	if (who < 0) {
		fake_resp_error(resp, P, 400, "InvalidRequest", "Profile not found");
		return;
	}
	ls.cands = calloc(ps->nposts ? ps->nposts : 1, sizeof(*ls.cands));
	for (size_t i = 0; ls.cands != NULL && i < ps->nposts; i++) {
		if (ps->posts[i].author != (size_t)who || !filter_keeps(st, filter, i, (size_t)who))
			continue;
		ls.cands[ls.n].t = ps->posts[i].indexed_ms;
		ls.cands[ls.n++].i = i;
	}
	answer_page(st, resp, &ls, json_pack("{s:[]}", "feed"), "feed", feed_item);
	free(ls.cands);
}

/* ---- the descriptor: errors, limits, credentials ---- */

/* XRPC errors: {"error": name, "message": msg}. */
static void
bsky_error(struct fake_resp *r, unsigned status, const char *name, const char *msg)
{
	fake_resp_json(r, status, json_pack("{s:s, s:s}", "error", name, "message", msg));
}

static void
bsky_auth_fail(struct fake_resp *r, int ep, const char *why)
{
	if (strcmp(why, "ExpiredToken") == 0)
		bsky_error(r, 400, why, "Token has expired");
	else if (strcmp(why, "InvalidToken") == 0)
		bsky_error(r, 400, why, "Token could not be verified");
	else if (strcmp(why, "InvalidRequest") == 0)
		bsky_error(r, 400, why,
			   "Input must have the properties \"identifier\" and \"password\"");
	else
		bsky_error(r, 401, "AuthenticationRequired",
			   ep == fake_endpoint_index(P, "createSession")
				   ? "Invalid identifier or password"
				   : "Authentication Required");
}

static void
bsky_fault(struct fake_resp *r, enum fake_fault_kind kind)
{
	if (kind == FAKE_F_403)
		bsky_error(r, 403, "Forbidden", "Forbidden");
	else if (kind == FAKE_F_500)
		bsky_error(r, 500, "InternalServerError", "Internal Server Error");
	else if (kind == FAKE_F_502)
		bsky_error(r, 502, "UpstreamFailure", "Upstream Failure");
	else
		bsky_error(r, 503, "NotEnoughResources", "Not Enough Resources");
}

/* XRPC answers an unknown method name with 501. */
static void
bsky_not_found(struct fake_resp *r)
{
	bsky_error(r, 501, "MethodNotImplemented", "Method Not Implemented");
}

static void
bsky_wrong_method(struct fake_resp *r, const struct fake_route_def *route)
{
	bsky_error(r, 400, "InvalidRequest",
		   strcmp(route->method, "POST") == 0 ? "Incorrect HTTP method (GET) expects POST"
						      : "Incorrect HTTP method (POST) expects GET");
}

/* Without an asked-for Retry-After, Bluesky's says when the window ends. */
static void
bsky_too_many(struct fake_resp *r, const struct fake_limit *l, long retry_after, int64_t now)
{
	bsky_error(r, 429, "RateLimitExceeded", "Rate Limit Exceeded");
	if (retry_after < 0)
		retry_after = l->reset_ms > now ? (long)((l->reset_ms - now + 999) / 1000) : 0;
	fake_resp_header(r, "Retry-After", "%ld", retry_after);
}

/* The IETF draft's RateLimit-* headers, reset in epoch seconds. */
static void
bsky_limit_headers(struct fake_resp *r, const struct fake_limit *l)
{
	fake_resp_header(r, "RateLimit-Limit", "%ld", l->limit);
	fake_resp_header(r, "RateLimit-Remaining", "%ld", l->remaining);
	fake_resp_header(r, "RateLimit-Reset", "%lld", (long long)((l->reset_ms + 999) / 1000));
	fake_resp_header(r, "RateLimit-Policy", "%ld;w=%ld", l->limit, l->window_s);
}

/* "access_ttl": the lifetime of access tokens issued from now on. */
static void
bsky_config(struct fake_state *st, json_t *body)
{
	json_t *ttl = json_object_get(body, "access_ttl");

	if (json_is_integer(ttl))
		st->access_ttl_s = (long)json_integer_value(ttl);
}

/* Fault "expire_token": every access token issued so far expires now. */
static bool
bsky_own_fault(struct fake_state *st, const char *kind, struct fake_resp *resp)
{
	if (strcmp(kind, "expire_token") != 0)
		return false;
	fake_bsky_expire_all(st);
	fake_resp_json(resp, 200, json_pack("{s:b}", "expired", 1));
	return true;
}

static const struct fake_route_def bsky_routes[] = {
	{"POST", "/xrpc/com.atproto.server.createSession", "createSession",
	 fake_bsky_create_session},
	{"POST", "/xrpc/com.atproto.server.refreshSession", "refreshSession",
	 fake_bsky_refresh_session},
	{"GET", "/xrpc/app.bsky.notification.listNotifications", "listNotifications",
	 fake_bsky_list_notifications},
	{"GET", "/xrpc/app.bsky.feed.getAuthorFeed", "getAuthorFeed", fake_bsky_author_feed},
};

static const char *const bsky_paging[] = {"cursor", NULL};

const struct fake_platform_def fake_bluesky_def = {
	.name = "bluesky",
	.prefix = "/xrpc/",
	.routes = bsky_routes,
	.nroutes = sizeof(bsky_routes) / sizeof(bsky_routes[0]),
	.options = {{"identifier", "acme.bsky.social", "ID"}, {"password", "app-pass-1234", "P"}},
	.paging = bsky_paging,
	.social = true,
	.auth = fake_bsky_auth,
	.error = bsky_error,
	.auth_fail = bsky_auth_fail,
	.fault = bsky_fault,
	.not_found = bsky_not_found,
	.wrong_method = bsky_wrong_method,
	.too_many = bsky_too_many,
	.limit_headers = bsky_limit_headers,
	.state = fake_social_state,
	.get = fake_social_get,
	.control = fake_social_control,
	.control_calls = "mention, reply, post, other",
	.config = bsky_config,
	.own_fault = bsky_own_fault,
};
