/*
 * fake_meta.c: Meta's Graph API as rwfake serves it, for both the facebook
 * and the instagram connectors (their paths share the /vNN.N/ prefix, so
 * one table entry, "meta", serves both):
 *
 *   GET /v21.0/{page-id}/posts | visitor_posts | tagged   Facebook posts,
 *       each with its comments nested newest first, flattened with "parent"
 *   GET /v21.0/{ig-user-id}/media | tags                  Instagram media,
 *       each with its comments and their replies nested
 *   GET /v21.0/{ig-user-id}?fields=mentioned_comment.comment_id(ID){...}
 *       | mentioned_media.media_id(ID){...}                 an @mention by id
 *       (endpoint "mentions"), on any Instagram media: also media of edge
 *       "other" (another account's, in no list)
 *
 * newest first, "limit" per page (25, at most 100), the next page by the
 * "after" cursor while "paging.next" is given — next always names
 * https://graph.facebook.com, so a client that followed it would leave
 * loopback. The bearer token is checked (--meta-token); a wrong or revoked
 * one answers Graph's 400 with error code 190.
 *
 * Control calls (docs/fakes.md): POST /_fake/meta/post {"edge", "owner",
 * "from_id", "from_name" (Facebook) or "username" (Instagram), "text",
 * "created_at"} and POST /_fake/meta/comment {"post", "parent", "from_id",
 * "from_name"/"username", "text", "created_at"} answer {"id"}; revoke (the
 * token stops working, code 190), throttle_code {"code"} (what a spent
 * window answers, default 4). Rate limits are the generic windows: every
 * answer carries X-App-Usage with the window's percentage spent, and a spent
 * window (or a queued 429 fault) answers a 400 with the throttle code and
 * X-Business-Use-Case-Usage with estimated_time_to_regain_access (minutes
 * until the window's reset), as Graph does.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fake.h"
#include "fake_meta_guard.h"

#define META_VERSION "/v21.0/"
#define META_PER_PAGE 25
#define META_PER_PAGE_MAX 100
#define META_COMMENTS_MAX 100
#define META_CURSOR "QVFI" /* cursors are opaque base64 to a client */

struct meta_obj {
	char *id;
	char *edge;   /* a post's list ("posts", ... "tags"); NULL for a comment */
	char *owner;  /* the page or IG user whose list holds a post */
	char *post;   /* a comment's post or media */
	char *parent; /* a reply's comment, or NULL */
	char *from_id, *from_name, *text;
	int64_t created_ms;
};

struct meta_state {
	struct meta_obj *v;
	size_t n, cap;
	unsigned long next_id;
	bool revoked;
};

/* The code a spent window answers (set under the lock; the too_many hook
 * gets no state). */
static long meta_throttle_code = 4;

static bool
meta_is_ig(const char *edge)
{
	return edge != NULL && (strcmp(edge, "media") == 0 || strcmp(edge, "tags") == 0 ||
				strcmp(edge, "other") == 0);
}

static struct meta_state *
meta_of(struct fake_state *st, enum fake_platform p)
{
	if (st->own[p] == NULL) {
		struct meta_state *m = calloc(1, sizeof(*m));

		if (m != NULL)
			m->next_id = 2001;
		st->own[p] = m;
	}
	return st->own[p];
}

static const struct meta_obj *
meta_find(const struct meta_state *m, const char *id)
{
	for (size_t i = 0; m != NULL && id != NULL && i < m->n; i++)
		if (strcmp(m->v[i].id, id) == 0)
			return &m->v[i];
	return NULL;
}

static json_t *
meta_time(int64_t ms)
{
	char at[FAKE_TIME_LEN];

	fake_fmt_ms(ms, at); /* "2026-12-04T10:00:00.000Z" -> Graph's "+0000" form */
	snprintf(at + 19, sizeof(at) - 19, "+0000");
	return json_string(at);
}

/* Newest first, then the larger id. */
static int
meta_newer_first(const void *a, const void *b)
{
	const struct meta_obj *x = *(const struct meta_obj *const *)a,
			      *y = *(const struct meta_obj *const *)b;

	if (x->created_ms != y->created_ms)
		return x->created_ms > y->created_ms ? -1 : 1;
	return fake_id_cmp(y->id, x->id);
}

/* The objects keep(o, arg) accepts, newest first (caller frees; *n set). */
static const struct meta_obj **
meta_select(const struct meta_state *m, bool (*keep)(const struct meta_obj *, const void *),
	    const void *arg, size_t *n)
{
	const struct meta_obj **out = calloc(m->n + 1, sizeof(*out));

	*n = 0;
	for (size_t i = 0; out != NULL && i < m->n; i++)
		if (keep(&m->v[i], arg))
			out[(*n)++] = &m->v[i];
	if (*n > 1)
		qsort(out, *n, sizeof(*out), meta_newer_first);
	return out;
}

static bool
meta_comment_of(const struct meta_obj *o, const void *arg)
{
	return o->edge == NULL && strcmp(o->post, arg) == 0;
}

static bool
meta_top_comment_of(const struct meta_obj *o, const void *arg)
{
	return meta_comment_of(o, arg) && o->parent == NULL;
}

static bool
meta_reply_to(const struct meta_obj *o, const void *arg)
{
	return o->edge == NULL && o->parent != NULL && strcmp(o->parent, arg) == 0;
}

/* A Facebook post or comment. */
static json_t *
meta_fb_json(const struct meta_obj *o)
{
	json_t *j = json_pack("{s:s, s:o, s:s?, s:s+}", "id", o->id, "created_time",
			      meta_time(o->created_ms), "message", o->text, "permalink_url",
			      "https://www.facebook.com/", o->id);

	if (j != NULL && o->from_id != NULL)
		json_object_set_new(
			j, "from",
			json_pack("{s:s, s:s?}", "id", o->from_id, "name", o->from_name));
	if (j != NULL && o->parent != NULL)
		json_object_set_new(j, "parent", json_pack("{s:s}", "id", o->parent));
	return j;
}

/* An Instagram media or comment. */
static json_t *
meta_ig_json(const struct meta_obj *o)
{
	json_t *j = json_pack("{s:s, s:o, s:s?, s:s?}", "id", o->id, "timestamp",
			      meta_time(o->created_ms), o->edge ? "caption" : "text", o->text,
			      "username", o->from_name);

	if (j != NULL && o->edge != NULL)
		json_object_set_new(j, "permalink",
				    json_pack("s++", "https://www.instagram.com/p/", o->id, "/"));
	if (j != NULL && o->edge == NULL && o->from_id != NULL)
		json_object_set_new(
			j, "from",
			json_pack("{s:s, s:s?}", "id", o->from_id, "username", o->from_name));
	return j;
}

/* {"data": [...]} of the objects keep accepts under arg, newest first
 * (oldest first when oldest), at most max. */
static json_t *
meta_nested(const struct meta_state *m, bool (*keep)(const struct meta_obj *, const void *),
	    const char *arg, bool ig, bool oldest)
{
	size_t n;
	const struct meta_obj **v = meta_select(m, keep, arg, &n);
	json_t *data = json_array();

	for (size_t k = 0; v != NULL && data != NULL && k < n && k < META_COMMENTS_MAX; k++) {
		const struct meta_obj *o = v[oldest ? n - 1 - k : k];
		json_t *c = ig ? meta_ig_json(o) : meta_fb_json(o);

		if (c != NULL && ig && o->parent == NULL)
			json_object_set_new(c, "replies",
					    meta_nested(m, meta_reply_to, o->id, true, true));
		json_array_append_new(data, c);
	}
	free(v);
	return json_pack("{s:o}", "data", data ? data : json_array());
}

struct meta_list_key {
	const char *owner, *edge;
};

static bool
meta_in_list(const struct meta_obj *o, const void *arg)
{
	const struct meta_list_key *k = arg;

	return o->edge != NULL && strcmp(o->edge, k->edge) == 0 && strcmp(o->owner, k->owner) == 0;
}

/* GET /v21.0/{owner}/{edge}: edge is the route's last segment. */
static void
meta_list(struct fake_state *st, struct fake_req *req, struct fake_resp *resp)
{
	enum fake_platform p = req->platform;
	struct meta_state *m = meta_of(st, p);
	const char *edge = strrchr(req->path, '/') + 1, *after = fake_param(req, "after");
	struct meta_list_key key = {req->capture, edge};
	long limit =
		fake_page_limit(st, p, fake_param(req, "limit"), META_PER_PAGE, META_PER_PAGE_MAX);
	size_t n, from = 0;
	const struct meta_obj **v;
	json_t *data, *doc;
	bool ig = meta_is_ig(edge);

	if (fake_meta_guard_refuse(fake_option(st, p, "token"), req, resp))
		return;
	if (m == NULL || (v = meta_select(m, meta_in_list, &key, &n)) == NULL) {
		fake_resp_json(resp, 500, NULL);
		return;
	}
	if (after != NULL) {
		if (strncmp(after, META_CURSOR, strlen(META_CURSOR)) != 0 ||
		    !fake_is_digits(after + strlen(META_CURSOR), 9)) {
			free(v);
			fake_platforms[p]->error(resp, 400, "OAuthException",
						 "(#100) Invalid after cursor");
			return;
		}
		from = strtoul(after + strlen(META_CURSOR), NULL, 10);
	}
	data = json_array();
	for (size_t i = from; data != NULL && i < n && i < from + (size_t)limit; i++) {
		json_t *o = ig ? meta_ig_json(v[i]) : meta_fb_json(v[i]);

		if (o != NULL)
			json_object_set_new(o, "comments",
					    meta_nested(m,
							ig ? meta_top_comment_of : meta_comment_of,
							v[i]->id, ig, false));
		json_array_append_new(data, o);
	}
	doc = json_pack("{s:o, s:{s:{s:s, s:s}}}", "data", data ? data : json_array(), "paging",
			"cursors", "before", META_CURSOR "0", "after", "");
	if (doc != NULL) {
		char cur[32];
		json_t *paging = json_object_get(doc, "paging");

		snprintf(cur, sizeof(cur), META_CURSOR "%zu", from + (size_t)limit);
		json_object_set_new(json_object_get(paging, "cursors"), "after", json_string(cur));
		char *next =
			from + (size_t)limit < n
				? fake_sprintf(
					  "https://graph.facebook.com%s%s/%s?limit=%ld&after=%s",
					  META_VERSION, req->capture, edge, limit, cur)
				: NULL;

		if (next != NULL)
			json_object_set_new(paging, "next", json_string(next));
		free(next);
	}
	free(v);
	fake_resp_json(resp, 200, doc);
}

static void meta_error_code(struct fake_resp *r, unsigned status, const char *type, const char *msg,
			    long code, long subcode);

/* Graph's answer for an object that does not exist (or may not be read). */
static void
meta_not_found(struct fake_resp *r)
{
	meta_error_code(r, 400, "GraphMethodException", "Unsupported get request.", 100, 33);
}

/* The id between "(" and ")" after prefix in fields (a copy in out), or
 * false when fields does not start so. */
static bool
meta_field_arg(const char *fields, const char *prefix, char *out, size_t len)
{
	size_t n = strlen(prefix), k;

	if (fields == NULL || strncmp(fields, prefix, n) != 0 || fields[n] != '(')
		return false;
	k = strcspn(fields + n + 1, ")");
	if (fields[n + 1 + k] != ')' || k == 0 || k >= len)
		return false;
	memcpy(out, fields + n + 1, k);
	out[k] = '\0';
	return true;
}

/* GET /v21.0/{ig-user-id}?fields=mentioned_comment.comment_id(ID){...} or
 * mentioned_media.media_id(ID){...}: the comment or media that @mentions
 * the account (Graph's IG User node, field expansion); an id the fake does
 * not have answers Graph's 400, code 100, subcode 33. */
static void
meta_user(struct fake_state *st, struct fake_req *req, struct fake_resp *resp)
{
	enum fake_platform p = req->platform;
	struct meta_state *m = meta_of(st, p);
	const char *fields = fake_param(req, "fields");
	const struct meta_obj *o, *media;
	char id[64];
	json_t *j;

	if (m == NULL || strcmp(req->capture, fake_option(st, p, "ig-user")) != 0) {
		meta_not_found(resp);
		return;
	}
	if (meta_field_arg(fields, "mentioned_comment.comment_id", id, sizeof(id))) {
		o = meta_find(m, id);
		media = o != NULL && o->edge == NULL ? meta_find(m, o->post) : NULL;
		if (media == NULL || !meta_is_ig(media->edge)) {
			meta_not_found(resp);
			return;
		}
		j = meta_ig_json(o);
		json_object_del(j, "from"); /* the node gives username, like_count, media */
		json_object_set_new(j, "like_count", json_integer(0));
		json_object_set_new(j, "media",
				    json_pack("{s:s, s:s++}", "id", media->id, "permalink",
					      "https://www.instagram.com/p/", media->id, "/"));
		fake_resp_json(resp, 200,
			       json_pack("{s:o, s:s}", "mentioned_comment", j, "id", req->capture));
		return;
	}
	if (meta_field_arg(fields, "mentioned_media.media_id", id, sizeof(id))) {
		o = meta_find(m, id);
		if (o == NULL || !meta_is_ig(o->edge)) {
			meta_not_found(resp);
			return;
		}
		j = meta_ig_json(o);
		json_object_set_new(j, "media_type", json_string("IMAGE"));
		fake_resp_json(resp, 200,
			       json_pack("{s:o, s:s}", "mentioned_media", j, "id", req->capture));
		return;
	}
	fake_resp_json(resp, 200, json_pack("{s:s}", "id", req->capture));
}

/* ---- control ---- */

static bool
meta_add(struct meta_state *m, struct meta_obj *o, struct fake_resp *resp)
{
	if (fake_grow((void **)&m->v, &m->cap, m->n + 1, sizeof(*m->v)) == -1) {
		fake_control_error(resp, 500, "out of memory");
		return false;
	}
	m->v[m->n++] = *o;
	fake_resp_json(resp, 200, json_pack("{s:s}", "id", o->id));
	return true;
}

static char *
meta_dup(const char *s)
{
	return s != NULL ? strdup(s) : NULL;
}

/* The members every object has: who, text, when. */
static bool
meta_common(json_t *body, bool ig, struct meta_obj *o, struct fake_resp *resp)
{
	const char *from_id, *name, *text;

	if (!fake_control_str(body, "from_id", &from_id, resp) ||
	    !fake_control_str(body, ig ? "username" : "from_name", &name, resp) ||
	    !fake_control_str(body, "text", &text, resp) ||
	    !fake_control_time(body, &o->created_ms, resp))
		return false;
	o->from_id = meta_dup(from_id);
	o->from_name = meta_dup(name);
	o->text = meta_dup(text);
	if (o->created_ms == 0)
		o->created_ms = fake_now_ms();
	return true;
}

static void
meta_obj_free(struct meta_obj *o)
{
	free(o->id);
	free(o->edge);
	free(o->owner);
	free(o->post);
	free(o->parent);
	free(o->from_id);
	free(o->from_name);
	free(o->text);
}

static bool
meta_control(struct fake_state *st, enum fake_platform p, const char *what, json_t *body,
	     struct fake_resp *resp)
{
	struct meta_state *m = meta_of(st, p);
	struct meta_obj o = {0};
	const char *edge, *owner, *post, *parent;
	const struct meta_obj *of;
	long code;

	if (m == NULL) {
		fake_control_error(resp, 500, "out of memory");
		return true;
	}
	if (fake_meta_guard_control(what, body, resp))
		return true;
	if (strcmp(what, "revoke") == 0) {
		m->revoked = true;
		fake_resp_json(resp, 200, json_pack("{s:b}", "revoked", true));
		return true;
	}
	if (strcmp(what, "throttle_code") == 0) {
		if (fake_control_int(body, "code", 4, &code, resp)) {
			meta_throttle_code = code;
			fake_resp_json(resp, 200, json_pack("{s:i}", "code", (int)code));
		}
		return true;
	}
	if (strcmp(what, "post") == 0) {
		if (!fake_control_str(body, "edge", &edge, resp) ||
		    !fake_control_str(body, "owner", &owner, resp))
			return true;
		if (edge == NULL ||
		    (strcmp(edge, "posts") != 0 && strcmp(edge, "visitor_posts") != 0 &&
		     strcmp(edge, "tagged") != 0 && !meta_is_ig(edge))) {
			fake_control_error(
				resp, 400,
				"edge: posts, visitor_posts, tagged, media, tags or other");
			return true;
		}
		if (owner == NULL)
			owner = fake_option(st, p, meta_is_ig(edge) ? "ig-user" : "page-id");
		o.edge = strdup(edge);
		o.owner = strdup(owner);
		o.id = meta_is_ig(edge) ? fake_sprintf("1789569566%lu", m->next_id++)
					: fake_sprintf("%s_%lu", owner, m->next_id++);
		if (!meta_common(body, meta_is_ig(edge), &o, resp) || !meta_add(m, &o, resp))
			meta_obj_free(&o);
		return true;
	}
	if (strcmp(what, "comment") == 0) {
		if (!fake_control_str(body, "post", &post, resp) ||
		    !fake_control_str(body, "parent", &parent, resp))
			return true;
		if ((of = meta_find(m, post)) == NULL || of->edge == NULL ||
		    (parent != NULL && meta_find(m, parent) == NULL)) {
			fake_control_error(resp, 404, "no such post or parent comment");
			return true;
		}
		o.post = strdup(post);
		o.parent = meta_dup(parent);
		o.id = meta_is_ig(of->edge)
			       ? fake_sprintf("1787091367%lu", m->next_id++)
			       : fake_sprintf("%s_%lu",
					      strchr(post, '_') ? strchr(post, '_') + 1 : post,
					      m->next_id++);
		if (!meta_common(body, meta_is_ig(of->edge), &o, resp) || !meta_add(m, &o, resp))
			meta_obj_free(&o);
		return true;
	}
	return false;
}

static json_t *
meta_state_json(const struct fake_state *st, enum fake_platform p)
{
	const struct meta_state *m = st->own[p];
	json_t *objs = json_array();

	for (size_t i = 0; m != NULL && objs != NULL && i < m->n; i++)
		json_array_append_new(objs, json_pack("{s:s, s:s?, s:s?, s:s?}", "id", m->v[i].id,
						      "edge", m->v[i].edge, "post", m->v[i].post,
						      "parent", m->v[i].parent));
	return json_pack("{s:o, s:b}", "objects", objs ? objs : json_array(), "revoked",
			 m != NULL && m->revoked);
}

static void
meta_free(struct fake_state *st, enum fake_platform p)
{
	struct meta_state *m = st->own[p];

	for (size_t i = 0; m != NULL && i < m->n; i++)
		meta_obj_free(&m->v[i]);
	if (m != NULL)
		free(m->v);
	free(m);
	st->own[p] = NULL;
	meta_throttle_code = 4;
	fake_meta_guard_reset();
}

/* ---- the descriptor: errors, limits, credentials ---- */

static enum fake_auth
meta_auth(struct fake_state *st, const struct fake_req *req, int ep, const char **why)
{
	const struct meta_state *m = st->own[req->platform];
	enum fake_auth a = fake_token_auth(req, fake_option(st, req->platform, "token"));

	(void)ep;
	(void)why;
	return a == FAKE_AUTH_OK && m != NULL && m->revoked ? FAKE_AUTH_WRONG : a;
}

/* Graph's envelope: name is the error type, msg its message; code 100
 * (invalid parameter) unless the message names another as "(#N)". */
static void
meta_error_code(struct fake_resp *r, unsigned status, const char *type, const char *msg, long code,
		long subcode)
{
	json_t *e = json_pack("{s:s, s:s, s:I, s:s}", "message", msg, "type", type ? type : "Error",
			      "code", (json_int_t)code, "fbtrace_id", "AbCdEfGhIjK");

	if (e != NULL && subcode > 0)
		json_object_set_new(e, "error_subcode", json_integer(subcode));
	fake_resp_json(r, status, json_pack("{s:o}", "error", e ? e : json_object()));
}

static void
meta_error(struct fake_resp *r, unsigned status, const char *name, const char *msg)
{
	long code = 100;

	if (msg != NULL && strncmp(msg, "(#", 2) == 0)
		code = strtol(msg + 2, NULL, 10);
	meta_error_code(r, status, name, msg, code, 0);
}

static void
meta_auth_fail(struct fake_resp *r, int ep, const char *why)
{
	(void)ep;
	(void)why;
	meta_error_code(r, 400, "OAuthException",
			"Error validating access token: The session has been invalidated because "
			"the user changed their password or Facebook has changed the session for "
			"security reasons.",
			190, 460);
}

static void
meta_fault(struct fake_resp *r, enum fake_fault_kind kind)
{
	if (kind == FAKE_F_403)
		meta_error_code(r, 403, "OAuthException", "(#200) Permissions error", 200, 0);
	else
		meta_error_code(r,
				kind == FAKE_F_500   ? 500
				: kind == FAKE_F_502 ? 502
						     : 503,
				"OAuthException", "An unexpected error has occurred.", 2, 0);
}

/* The window's share spent, in percent. */
static long
meta_pct(const struct fake_limit *l)
{
	if (l->limit <= 0 || l->reset_ms == 0)
		return 0;
	return (l->limit - (l->remaining > 0 ? l->remaining : 0)) * 100 / l->limit;
}

/* Graph answers throttling with a 400 and a code, not a 429. */
static void
meta_too_many(struct fake_resp *r, const struct fake_limit *l, long retry_after, int64_t now)
{
	long minutes = l->reset_ms > now ? (long)((l->reset_ms - now + 59999) / 60000) : 1;

	(void)retry_after;
	meta_error_code(r, 400, "OAuthException", "(#4) Application request limit reached",
			meta_throttle_code, meta_throttle_code == 4 ? 2446079 : 0);
	fake_resp_header(r, "X-Business-Use-Case-Usage",
			 "{\"101\":[{\"type\":\"pages\",\"call_count\":100,\"total_cputime\":10,"
			 "\"total_time\":10,\"estimated_time_to_regain_access\":%ld}]}",
			 minutes);
}

static void
meta_limit_headers(struct fake_resp *r, const struct fake_limit *l)
{
	long pct = meta_pct(l);

	if (fake_meta_guard_headers(r))
		return;
	fake_resp_header(r, "X-App-Usage",
			 "{\"call_count\":%ld,\"total_time\":%ld,\"total_cputime\":%ld}", pct,
			 pct / 2, pct / 4);
}

static const struct fake_route_def meta_routes[] = {
	{"GET", META_VERSION "*/posts", "posts", meta_list},
	{"GET", META_VERSION "*/visitor_posts", "visitor_posts", meta_list},
	{"GET", META_VERSION "*/tagged", "tagged", meta_list},
	{"GET", META_VERSION "*/media", "media", meta_list},
	{"GET", META_VERSION "*/tags", "tags", meta_list},
	{"GET", META_VERSION "*", "mentions", meta_user},
};

static const char *const meta_paging[] = {"after", NULL};

const struct fake_platform_def fake_meta_def = {
	.name = "meta",
	.prefix = META_VERSION,
	.routes = meta_routes,
	.nroutes = sizeof(meta_routes) / sizeof(meta_routes[0]),
	.options = {{"token", "meta-test-token", "TOKEN"},
		    {"page-id", "101", "ID"},
		    {"ig-user", "17841405822304914", "ID"}},
	.paging = meta_paging,
	.social = false,
	.auth = meta_auth,
	.error = meta_error,
	.auth_fail = meta_auth_fail,
	.fault = meta_fault,
	.not_found = meta_not_found,
	.too_many = meta_too_many,
	.limit_headers = meta_limit_headers,
	.state = meta_state_json,
	.control = meta_control,
	.control_calls = "post, comment, revoke, throttle_code, require_proof, usage",
	.reset = meta_free,
	.free = meta_free,
};
