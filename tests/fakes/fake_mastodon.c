/*
 * fake_mastodon.c: the Mastodon REST endpoints a poller reads —
 * verify_credentials, notifications, an account's statuses — with the
 * Account, Status and Notification entities of the Mastodon documentation
 * and its id paging (max_id, since_id, min_id, Link header).
 */
#include <stdlib.h>
#include <string.h>

#include "fake.h"

#define P FAKE_MASTODON

/* One candidate of a page: its id and where it sits. */
struct cand {
	const char *id;
	size_t i;
};

static int
cand_cmp(const void *a, const void *b)
{
	return fake_id_cmp(((const struct cand *)a)->id, ((const struct cand *)b)->id);
}

static bool
truthy(const char *v)
{
	return v != NULL && (strcmp(v, "true") == 0 || strcmp(v, "1") == 0);
}

/* https://DOMAIN/@user for an acct ("user" or "user@domain"). Caller frees. */
static char *
profile_url(const char *acct)
{
	const char *at = strchr(acct, '@');

	if (at != NULL)
		return fake_sprintf("https://%s/@%.*s", at + 1, (int)(at - acct), acct);
	return fake_sprintf("https://%s/@%s", FAKE_MASTODON_DOMAIN, acct);
}

static json_t *
account_json(const struct fake_state *st, size_t i)
{
	const struct fake_platform_state *ps = &st->p[P];
	const struct fake_account *a = &ps->accounts[i];
	size_t ulen = strcspn(a->handle, "@");
	char created[FAKE_TIME_LEN], last[FAKE_TIME_LEN];
	char *url = profile_url(a->handle), *uri, *user = strndup(a->handle, ulen);
	int64_t last_ms = 0;
	long statuses = 0;
	json_t *v = NULL;

	uri = user ? fake_sprintf("https://%s/users/%s",
				  a->handle[ulen] ? a->handle + ulen + 1 : FAKE_MASTODON_DOMAIN,
				  user)
		   : NULL;
	if (url == NULL || uri == NULL)
		goto done;
	for (size_t k = 0; k < ps->nposts; k++) {
		if (ps->posts[k].author != i)
			continue;
		statuses++;
		if (ps->posts[k].created_ms > last_ms)
			last_ms = ps->posts[k].created_ms;
	}
	/* Mastodon reports an account's creation day at midnight. */
	fake_fmt_ms(a->created_ms - a->created_ms % 86400000, created);
	fake_fmt_date(last_ms, last);
	v = json_pack("{s:s, s:s, s:s, s:s, s:b, s:b, s:b, s:b, s:s, s:s, s:s, s:s, s:s, s:s,"
		      " s:s, s:s, s:I, s:I, s:I, s:s?, s:[], s:[]}",
		      "id", a->id, "username", user, "acct", a->handle, "display_name", a->name,
		      "locked", 0, "bot", 0, "discoverable", 1, "group", 0, "created_at", created,
		      "note", i == 0 ? "<p>Official ACME support. We answer every day.</p>" : "",
		      "url", url, "uri", uri, "avatar",
		      "https://mastodon.example/avatars/original/missing.png", "avatar_static",
		      "https://mastodon.example/avatars/original/missing.png", "header",
		      "https://mastodon.example/headers/original/missing.png", "header_static",
		      "https://mastodon.example/headers/original/missing.png", "followers_count",
		      (json_int_t)a->followers, "following_count", (json_int_t)a->following,
		      "statuses_count", (json_int_t)statuses, "last_status_at",
		      last_ms ? last : NULL, "emojis", "fields");
done:
	free(url);
	free(uri);
	free(user);
	return v;
}

/* The HTML content of a post: "<p>" text, the mention as an h-card "</p>". */
static char *
content_html(const struct fake_state *st, const struct fake_post *post)
{
	struct fake_buf b = {0};

	if (post->kind == FAKE_POST_REPOST)
		return strdup("");
	fake_buf_adds(&b, "<p>");
	if (post->mentioned >= 0) {
		const char *acct = st->p[P].accounts[post->mentioned].handle;
		char *url = profile_url(acct);

		if (url == NULL)
			b.oom = true;
		fake_buf_add_html(&b, post->text, post->mention_start);
		fake_buf_addf(&b,
			      "<span class=\"h-card\"><a href=\"%s\" class=\"u-url mention\">"
			      "@<span>%.*s</span></a></span>",
			      url ? url : "", (int)strcspn(acct, "@"), acct);
		free(url);
		fake_buf_add_html(&b, post->text + post->mention_end,
				  strlen(post->text + post->mention_end));
	} else {
		fake_buf_add_html(&b, post->text, strlen(post->text));
	}
	fake_buf_adds(&b, "</p>");
	return fake_buf_take(&b);
}

static json_t *
mentions_json(const struct fake_state *st, const struct fake_post *post)
{
	const struct fake_account *a;
	char *url;
	json_t *v;

	if (post->mentioned < 0)
		return json_array();
	a = &st->p[P].accounts[post->mentioned];
	url = profile_url(a->handle);
	if (url == NULL)
		return NULL;
	v = json_pack("[{s:s, s:s%, s:s, s:s}]", "id", a->id, "username", a->handle,
		      strcspn(a->handle, "@"), "url", url, "acct", a->handle);
	free(url);
	return v;
}

static json_t *
status_json(const struct fake_state *st, size_t i)
{
	const struct fake_platform_state *ps = &st->p[P];
	const struct fake_post *post = &ps->posts[i];
	const char *reply_account = NULL;
	char created[FAKE_TIME_LEN];
	char *url = fake_post_url(st, P, i), *html = content_html(st, post), *uri;
	json_t *v = NULL, *reblog = NULL;

	uri = fake_sprintf("https://%s/users/%.*s/statuses/%s%s", FAKE_MASTODON_DOMAIN,
			   (int)strcspn(ps->accounts[post->author].handle, "@"),
			   ps->accounts[post->author].handle, post->id,
			   post->kind == FAKE_POST_REPOST ? "/activity" : "");
	if (url == NULL || html == NULL || uri == NULL)
		goto done;
	if (post->kind == FAKE_POST_REPOST) {
		reblog = status_json(st, (size_t)post->subject);
		if (reblog == NULL)
			goto done;
	}
	if (post->parent >= 0)
		reply_account = ps->accounts[ps->posts[post->parent].author].id;
	fake_fmt_ms(post->created_ms, created);
	v = json_pack("{s:s, s:s, s:s?, s:s?, s:b, s:s, s:s, s:s, s:s, s:s?, s:I, s:I, s:I, s:n,"
		      " s:b, s:b, s:b, s:b, s:s, s:[], s:o?, s:o?, s:o, s:[], s:o, s:[], s:[],"
		      " s:n, s:n}",
		      "id", post->id, "created_at", created, "in_reply_to_id", post->parent_id,
		      "in_reply_to_account_id", reply_account, "sensitive", 0, "spoiler_text", "",
		      "visibility", "public", "language", "en", "uri", uri, "url",
		      post->kind == FAKE_POST_REPOST ? NULL : url, "replies_count",
		      (json_int_t)fake_post_replies(st, P, i), "reblogs_count",
		      (json_int_t)fake_post_reposts(st, P, i), "favourites_count",
		      (json_int_t)fake_post_likes(st, P, i), "edited_at", "favourited", 0,
		      "reblogged", 0, "muted", 0, "bookmarked", 0, "content", html, "filtered",
		      "reblog", reblog, "application",
		      post->author == 0 ? json_pack("{s:s, s:n}", "name", "Web", "website") : NULL,
		      "account", account_json(st, post->author), "media_attachments", "mentions",
		      mentions_json(st, post), "tags", "emojis", "card", "poll");
	reblog = NULL;
done:
	json_decref(reblog);
	free(url);
	free(html);
	free(uri);
	return v;
}

static json_t *
notification_json(const struct fake_state *st, size_t i)
{
	const struct fake_notif *n = &st->p[P].notifs[i];
	char created[FAKE_TIME_LEN];
	char *group = fake_sprintf("ungrouped-%s", n->id);
	json_t *v;

	if (group == NULL)
		return NULL;
	fake_fmt_ms(n->created_ms, created);
	v = json_pack("{s:s, s:s, s:s, s:s, s:o, s:o*}", "id", n->id, "type", n->type, "created_at",
		      created, "group_key", group, "account", account_json(st, n->account),
		      "status", n->post >= 0 ? status_json(st, (size_t)n->post) : NULL);
	free(group);
	return v;
}

/*
 * Picks a page from cands (ascending ids) into out, newest first, the way
 * Mastodon does: with min_id the limit entries just above it, otherwise the
 * newest limit entries below max_id and above since_id.
 */
static size_t
pick(const struct fake_req *req, struct cand *cands, size_t n, long limit, struct cand *out)
{
	const char *max_id = fake_param(req, "max_id"), *since_id = fake_param(req, "since_id");
	const char *min_id = fake_param(req, "min_id");
	size_t lo = 0, hi = n, k = 0;

	if (max_id != NULL && *max_id != '\0') {
		while (hi > 0 && fake_id_cmp(cands[hi - 1].id, max_id) >= 0)
			hi--;
	}
	if (min_id != NULL && *min_id != '\0') {
		while (lo < hi && fake_id_cmp(cands[lo].id, min_id) <= 0)
			lo++;
		if (hi - lo > (size_t)limit)
			hi = lo + (size_t)limit;
	} else {
		if (since_id != NULL && *since_id != '\0') {
			while (lo < hi && fake_id_cmp(cands[lo].id, since_id) <= 0)
				lo++;
		}
		if (hi - lo > (size_t)limit)
			lo = hi - (size_t)limit;
	}
	for (size_t i = hi; i-- > lo;)
		out[k++] = cands[i];
	return k;
}

/* Adds Mastodon's Link header for a non-empty page; keep: the params kept. */
static void
link_header(const struct fake_req *req, struct fake_resp *resp, const struct cand *page, size_t n,
	    long limit, const char *const *keep)
{
	struct fake_buf base = {0};
	char *b;

	if (n == 0)
		return;
	fake_buf_addf(&base, "http://%s%s?", req->host ? req->host : "127.0.0.1", req->path);
	for (size_t k = 0; keep[k] != NULL; k++) {
		const char *v;

		for (size_t j = 0; (v = fake_param_nth(req, keep[k], j)) != NULL; j++) {
			size_t klen = strcspn(keep[k], "[");

			fake_buf_addf(&base, "%.*s%s=%s&", (int)klen, keep[k],
				      keep[k][klen] ? "%5B%5D" : "", v);
		}
	}
	fake_buf_addf(&base, "limit=%ld&", limit);
	b = fake_buf_take(&base);
	if (b == NULL)
		return;
	fake_resp_header(resp, "Link", "<%smax_id=%s>; rel=\"next\", <%smin_id=%s>; rel=\"prev\"",
			 b, page[n - 1].id, b, page[0].id);
	free(b);
}

/* Whether type passes types[] and exclude_types[]. */
static bool
type_wanted(const struct fake_req *req, const char *type)
{
	const char *v;
	bool any = false, hit = false;

	for (size_t j = 0; (v = fake_param_nth(req, "types[]", j)) != NULL; j++) {
		any = true;
		hit = hit || strcmp(v, type) == 0;
	}
	for (size_t j = 0; (v = fake_param_nth(req, "types", j)) != NULL; j++) {
		any = true;
		hit = hit || strcmp(v, type) == 0;
	}
	if (any && !hit)
		return false;
	for (size_t j = 0; (v = fake_param_nth(req, "exclude_types[]", j)) != NULL; j++) {
		if (strcmp(v, type) == 0)
			return false;
	}
	return true;
}

/* Answers the page of entries picked from cands, built by one(). */
static void
answer_page(const struct fake_state *st, const struct fake_req *req, struct fake_resp *resp,
	    struct cand *cands, size_t n, long limit, const char *const *keep,
	    json_t *(*one)(const struct fake_state *, size_t))
{
	struct cand *page = calloc(n ? n : 1, sizeof(*page));
	json_t *list = json_array();
	size_t k;

	if (page == NULL || list == NULL)
		goto fail;
	qsort(cands, n, sizeof(*cands), cand_cmp);
	k = pick(req, cands, n, limit, page);
	for (size_t i = 0; i < k; i++) {
		if (json_array_append_new(list, one(st, page[i].i)) == -1)
			goto fail;
	}
	fake_resp_json(resp, 200, list);
	list = NULL;
	link_header(req, resp, page, k, limit, keep);
fail:
	if (list != NULL)
		fake_resp_json(resp, 500, NULL);
	json_decref(list);
	free(page);
}

void
fake_mastodon_verify_credentials(struct fake_state *st, struct fake_req *req,
				 struct fake_resp *resp)
{
	json_t *v = account_json(st, 0);

	(void)req;
	if (v != NULL &&
	    json_object_set_new(v, "source",
				json_pack("{s:s, s:b, s:s, s:s, s:[], s:i}", "privacy", "public",
					  "sensitive", 0, "language", "en", "note",
					  "Official ACME support. We answer every day.", "fields",
					  "follow_requests_count", 0)) == -1) {
		json_decref(v);
		v = NULL;
	}
	fake_resp_json(resp, 200, v);
}

void
fake_mastodon_notifications(struct fake_state *st, struct fake_req *req, struct fake_resp *resp)
{
	static const char *const keep[] = {"types[]", "exclude_types[]", "account_id", NULL};
	const struct fake_platform_state *ps = &st->p[P];
	const char *account = fake_param(req, "account_id");
	struct cand *cands = calloc(ps->nnotifs ? ps->nnotifs : 1, sizeof(*cands));
	long limit = fake_page_limit(st, P, fake_param(req, "limit"), 40, 80);
	size_t n = 0;

	if (cands == NULL) {
		fake_resp_json(resp, 500, NULL);
		return;
	}
	for (size_t i = 0; i < ps->nnotifs; i++) {
		const struct fake_notif *nt = &ps->notifs[i];

		if (!type_wanted(req, nt->type) ||
		    (account != NULL && strcmp(ps->accounts[nt->account].id, account) != 0))
			continue;
		cands[n].id = nt->id;
		cands[n++].i = i;
	}
	answer_page(st, req, resp, cands, n, limit, keep, notification_json);
	free(cands);
}

void
fake_mastodon_statuses(struct fake_state *st, struct fake_req *req, struct fake_resp *resp)
{
	static const char *const keep[] = {"exclude_replies", "exclude_reblogs", NULL};
	const struct fake_platform_state *ps = &st->p[P];
	long who = fake_account_find(st, P, req->capture);
	bool no_replies = truthy(fake_param(req, "exclude_replies"));
	bool no_reblogs = truthy(fake_param(req, "exclude_reblogs"));
	bool empty = truthy(fake_param(req, "pinned")) || truthy(fake_param(req, "only_media"));
	struct cand *cands;
	long limit = fake_page_limit(st, P, fake_param(req, "limit"), 20, 40);
	size_t n = 0;

	if (who < 0) {
		fake_resp_error(resp, P, 404, NULL, "Record not found");
		return;
	}
	cands = calloc(ps->nposts ? ps->nposts : 1, sizeof(*cands));
	if (cands == NULL) {
		fake_resp_json(resp, 500, NULL);
		return;
	}
	for (size_t i = 0; i < ps->nposts && !empty; i++) {
		const struct fake_post *post = &ps->posts[i];

		if (post->author != (size_t)who || (no_replies && post->parent_id != NULL) ||
		    (no_reblogs && post->kind == FAKE_POST_REPOST))
			continue;
		cands[n].id = post->id;
		cands[n++].i = i;
	}
	answer_page(st, req, resp, cands, n, limit, keep, status_json);
	free(cands);
}

/* ---- the descriptor: errors, limits, credentials ---- */

static enum fake_auth
auth(struct fake_state *st, const struct fake_req *req, int ep, const char **why)
{
	(void)ep;
	(void)why;
	return fake_token_auth(req, fake_option(st, P, "token"));
}

/* {"error": msg}: Mastodon's errors carry no name. */
static void
error(struct fake_resp *r, unsigned status, const char *name, const char *msg)
{
	(void)name;
	fake_resp_json(r, status, json_pack("{s:s}", "error", msg));
}

static void
auth_fail(struct fake_resp *r, int ep, const char *why)
{
	(void)ep;
	(void)why;
	error(r, 401, NULL, "The access token is invalid");
}

/* 502 and 503 come from the nginx in front of Mastodon, as HTML. */
static void
fault(struct fake_resp *r, enum fake_fault_kind kind)
{
	static const char *const html502 =
		"<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n"
		"<center><h1>502 Bad Gateway</h1></center>\r\n<hr><center>nginx</center>\r\n"
		"</body>\r\n</html>\r\n";
	static const char *const html503 =
		"<html>\r\n<head><title>503 Service Temporarily Unavailable</title></head>\r\n"
		"<body>\r\n<center><h1>503 Service Temporarily Unavailable</h1></center>\r\n"
		"<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n";

	if (kind == FAKE_F_403)
		error(r, 403, NULL, "This action is outside the authorized scopes");
	else if (kind == FAKE_F_500)
		error(r, 500, NULL, "Internal Server Error");
	else if (kind == FAKE_F_502)
		fake_resp_text(r, 502, "text/html", html502);
	else
		fake_resp_text(r, 503, "text/html", html503);
}

static void
not_found(struct fake_resp *r)
{
	error(r, 404, NULL, "Record not found");
}

static void
too_many(struct fake_resp *r, const struct fake_limit *l, long retry_after, int64_t now)
{
	(void)l;
	(void)now;
	error(r, 429, NULL, "Too many requests");
	if (retry_after >= 0)
		fake_resp_header(r, "Retry-After", "%ld", retry_after);
}

/* X-RateLimit-Reset is an ISO time with microseconds. */
static void
limit_headers(struct fake_resp *r, const struct fake_limit *l)
{
	char reset[FAKE_TIME_LEN];

	fake_fmt_us(l->reset_ms, reset);
	fake_resp_header(r, "X-RateLimit-Limit", "%ld", l->limit);
	fake_resp_header(r, "X-RateLimit-Remaining", "%ld", l->remaining);
	fake_resp_header(r, "X-RateLimit-Reset", "%s", reset);
}

static const struct fake_route_def routes[] = {
	{"GET", "/api/v1/accounts/verify_credentials", "verify_credentials",
	 fake_mastodon_verify_credentials},
	{"GET", "/api/v1/notifications", "notifications", fake_mastodon_notifications},
	{"GET", "/api/v1/accounts/*/statuses", "statuses", fake_mastodon_statuses},
};

static const char *const paging[] = {"max_id", NULL};

const struct fake_platform_def fake_mastodon_def = {
	.name = "mastodon",
	.prefix = "/api/",
	.routes = routes,
	.nroutes = sizeof(routes) / sizeof(routes[0]),
	.options = {{"token", "mastodon-test-token", "T"}},
	.paging = paging,
	.social = true,
	.auth = auth,
	.error = error,
	.auth_fail = auth_fail,
	.fault = fault,
	.not_found = not_found,
	.too_many = too_many,
	.limit_headers = limit_headers,
	.state = fake_social_state,
	.get = fake_social_get,
	.control = fake_social_control,
	.control_calls = "mention, reply, post, other",
};
