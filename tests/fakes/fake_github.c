/*
 * fake_github.c: GitHub's REST API issue comments, platform "github":
 *
 *   GET /repos/OWNER/REPO/issues/comments?sort=created&direction=desc
 *       &since=RFC3339&per_page=N&page=P
 *
 * answers a JSON array of issue comments as GitHub documents them (id,
 * node_id, url, html_url, issue_url, user {login, id, type}, created_at,
 * updated_at (whole seconds, "Z"), author_association, body). sort=created
 * or updated (default created), direction asc or desc (GitHub's default
 * for this list without sort is ascending id; with sort, desc), since
 * keeps only comments updated at or after it, per_page (default 30, at
 * most 100) and page (from 1; past the end an empty array). OWNER/REPO
 * must be --github-repo (default "acme/widgets"), else 404.
 *
 * Auth: "Authorization: Bearer TOKEN" (or "token TOKEN") with
 * --github-token; a wrong one is 401 {"message": "Bad credentials",
 * "documentation_url", "status": "401"}; none is also 401 here (the
 * repository is private). A request without "Accept:
 * application/vnd.github+json" or without "X-GitHub-Api-Version" is
 * answered all the same (as GitHub does) but counted in the state
 * (accept_missing, version_missing), so tests can check the headers were
 * sent. A 429 carries Retry-After; every answer carries x-ratelimit-limit,
 * -remaining, -reset (epoch seconds) and -resource "core".
 *
 * Control: POST /_fake/github/comment {issue (number), login, association?
 * (default NONE), body?, at? (ms or RFC 3339, default now), created_at_text?
 * (served instead of created_at: a malformed comment)} answers the comment
 * as served; /revoke (the token stops working); GET /_fake/github/comments.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fake.h"

#define GH_PER_PAGE 30
#define GH_PER_PAGE_MAX 100
#define GH_FIRST_ID 1900000001LL
#define GH_API "https://api.github.com"
#define GH_WEB "https://github.com"

struct gh_comment {
	long long id;
	long issue;
	char *login, *assoc, *body, *created_text;
	int64_t at_ms;
};

struct gh_state {
	struct gh_comment *v;
	size_t n, cap;
	long long next_id;
	long accept_missing, version_missing;
	bool revoked;
};

static struct gh_state *
gh_of(struct fake_state *st, enum fake_platform p)
{
	struct gh_state *g = st->own[p];

	if (g == NULL && (g = calloc(1, sizeof(*g))) != NULL) {
		g->next_id = GH_FIRST_ID;
		st->own[p] = g;
	}
	return g;
}

static void
gh_error(struct fake_resp *r, unsigned status, const char *name, const char *msg)
{
	char code[8];

	(void)name;
	snprintf(code, sizeof(code), "%u", status);
	fake_resp_json(r, status,
		       json_pack("{s:s, s:s, s:s}", "message", msg, "documentation_url",
				 "https://docs.github.com/rest", "status", code));
}

/* GitHub writes whole seconds: "2026-12-04T10:00:00Z". */
static json_t *
gh_time(int64_t ms)
{
	char at[FAKE_TIME_LEN];

	fake_fmt_ms(ms - ms % 1000, at);
	/* fake_fmt_ms writes ".000Z": drop the fraction. */
	char *dot = strchr(at, '.');

	if (dot != NULL)
		memcpy(dot, "Z", 2);
	return json_string(at);
}

static json_t *
gh_comment_json(const struct fake_state *st, enum fake_platform p, const struct gh_comment *c)
{
	const char *repo = fake_option(st, p, "repo");
	char url[256], html[256], issue[256], node[40];

	snprintf(url, sizeof(url), "%s/repos/%s/issues/comments/%lld", GH_API, repo, c->id);
	snprintf(html, sizeof(html), "%s/%s/issues/%ld#issuecomment-%lld", GH_WEB, repo, c->issue,
		 c->id);
	snprintf(issue, sizeof(issue), "%s/repos/%s/issues/%ld", GH_API, repo, c->issue);
	snprintf(node, sizeof(node), "IC_kwDOfake%lld", c->id);
	return json_pack(
		"{s:I, s:s, s:s, s:s, s:s, s:{s:s, s:I, s:s}, s:o, s:o, s:s, s:s}", "id",
		(json_int_t)c->id, "node_id", node, "url", url, "html_url", html, "issue_url",
		issue, "user", "login", c->login, "id",
		(json_int_t)(fake_hash64(c->login) % 100000000), "type", "User", "created_at",
		c->created_text ? json_string(c->created_text) : gh_time(c->at_ms), "updated_at",
		gh_time(c->at_ms), "author_association", c->assoc, "body", c->body);
}

/* Order of the list: by created (the comment's time, then id), desc or asc. */
static int
gh_cmp_desc(const void *a, const void *b)
{
	const struct gh_comment *x = *(const struct gh_comment *const *)a,
				*y = *(const struct gh_comment *const *)b;

	if (x->at_ms != y->at_ms)
		return x->at_ms > y->at_ms ? -1 : 1;
	return x->id > y->id ? -1 : x->id < y->id;
}

static int
gh_cmp_asc(const void *a, const void *b)
{
	return gh_cmp_desc(b, a);
}

/* True when path is /repos/REPO/issues/comments for the configured REPO. */
static bool
gh_repo_ok(const struct fake_state *st, enum fake_platform p, const char *path)
{
	const char *repo = fake_option(st, p, "repo");
	size_t n = strlen(repo);

	return strncmp(path, "/repos/", 7) == 0 && strncmp(path + 7, repo, n) == 0 &&
	       strcmp(path + 7 + n, "/issues/comments") == 0;
}

/* GET /repos/OWNER/REPO/issues/comments */
static void
gh_list(struct fake_state *st, struct fake_req *req, struct fake_resp *resp)
{
	enum fake_platform p = req->platform;
	struct gh_state *g = gh_of(st, p);
	const char *since = fake_param(req, "since"), *dir = fake_param(req, "direction");
	const char *sort = fake_param(req, "sort"), *page_text = fake_param(req, "page");
	long per_page =
		fake_page_limit(st, p, fake_param(req, "per_page"), GH_PER_PAGE, GH_PER_PAGE_MAX);
	long page = page_text && *page_text ? strtol(page_text, NULL, 10) : 1;
	const struct gh_comment **sel = NULL;
	int64_t since_ms = 0;
	size_t n = 0;
	json_t *list;

	if (g == NULL) {
		fake_resp_json(resp, 500, NULL);
		return;
	}
	if (req->accept == NULL || strcmp(req->accept, "application/vnd.github+json") != 0)
		g->accept_missing++;
	if (req->gh_api_version == NULL)
		g->version_missing++;
	if (!gh_repo_ok(st, p, req->path)) {
		gh_error(resp, 404, NULL, "Not Found");
		return;
	}
	if ((since != NULL && *since != '\0' && fake_parse_time(since, &since_ms) == -1) ||
	    page < 1 || (sort != NULL && strcmp(sort, "created") != 0 && strcmp(sort, "updated")) ||
	    (dir != NULL && strcmp(dir, "asc") != 0 && strcmp(dir, "desc") != 0)) {
		gh_error(resp, 422, NULL, "Validation Failed");
		return;
	}
	if (g->n > 0 && (sel = calloc(g->n, sizeof(*sel))) == NULL) {
		fake_resp_json(resp, 500, NULL);
		return;
	}
	for (size_t i = 0; i < g->n; i++)
		if (g->v[i].at_ms >= since_ms)
			sel[n++] = &g->v[i];
	/* Without sort GitHub lists by ascending id; with it, desc unless asked. */
	if (n > 0)
		qsort(sel, n, sizeof(*sel),
		      sort == NULL || (dir != NULL && strcmp(dir, "asc") == 0) ? gh_cmp_asc
									       : gh_cmp_desc);
	list = json_array();
	for (size_t i = (size_t)(page - 1) * (size_t)per_page;
	     list != NULL && i < n && i < (size_t)page * (size_t)per_page; i++)
		json_array_append_new(list, gh_comment_json(st, p, sel[i]));
	free(sel);
	fake_resp_json(resp, 200, list);
}

static enum fake_auth
gh_auth(struct fake_state *st, const struct fake_req *req, int ep, const char **why)
{
	const struct gh_state *g = st->own[req->platform];
	const char *want = fake_option(st, req->platform, "token");
	const char *a = req->authorization;

	(void)ep;
	(void)why;
	if (a == NULL)
		return FAKE_AUTH_MISSING;
	if (g != NULL && g->revoked)
		return FAKE_AUTH_WRONG;
	/* GitHub takes "token T" as well as "Bearer T". */
	if (strncmp(a, "token ", 6) == 0)
		return strcmp(a + 6, want) == 0 ? FAKE_AUTH_OK : FAKE_AUTH_WRONG;
	return fake_token_auth(req, want);
}

static void
gh_auth_fail(struct fake_resp *r, int ep, const char *why)
{
	(void)ep;
	(void)why;
	gh_error(r, 401, NULL, "Bad credentials");
}

static void
gh_fault(struct fake_resp *r, enum fake_fault_kind kind)
{
	if (kind == FAKE_F_403)
		gh_error(r, 403, NULL, "Resource not accessible by personal access token");
	else if (kind == FAKE_F_500)
		gh_error(r, 500, NULL, "Server Error");
	else if (kind == FAKE_F_502)
		gh_error(r, 502, NULL, "Server Error");
	else
		gh_error(r, 503, NULL, "Service Unavailable");
}

static void
gh_not_found(struct fake_resp *r)
{
	gh_error(r, 404, NULL, "Not Found");
}

static void
gh_limit_headers(struct fake_resp *r, const struct fake_limit *l)
{
	fake_resp_header(r, "x-ratelimit-limit", "%ld", l->limit);
	fake_resp_header(r, "x-ratelimit-remaining", "%ld", l->remaining > 0 ? l->remaining : 0);
	/* Rounded up: a client that waits until the second it names finds the
	 * window renewed. */
	fake_resp_header(r, "x-ratelimit-reset", "%lld", (long long)((l->reset_ms + 999) / 1000));
	fake_resp_header(r, "x-ratelimit-resource", "core");
}

static void
gh_too_many(struct fake_resp *r, const struct fake_limit *l, long retry_after, int64_t now)
{
	long wait = retry_after;

	if (wait < 0)
		wait = l->reset_ms > now ? (long)((l->reset_ms - now + 999) / 1000) : 1;
	gh_error(r, 429, NULL, "API rate limit exceeded");
	fake_resp_header(r, "Retry-After", "%ld", wait);
	gh_limit_headers(r, l);
}

static json_t *
gh_state_json(const struct fake_state *st, enum fake_platform p)
{
	const struct gh_state *g = st->own[p];

	return json_pack("{s:s, s:i, s:i, s:i, s:b}", "repo", fake_option(st, p, "repo"),
			 "comments", g ? (int)g->n : 0, "accept_missing",
			 g ? (int)g->accept_missing : 0, "version_missing",
			 g ? (int)g->version_missing : 0, "revoked", g ? g->revoked : false);
}

static void
gh_comment_free(struct gh_comment *c)
{
	free(c->login);
	free(c->assoc);
	free(c->body);
	free(c->created_text);
	memset(c, 0, sizeof(*c));
}

/* "at" of a control body: ms, an RFC 3339 time, or now; -1 when unreadable. */
static int64_t
gh_at(const json_t *body)
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
gh_new_comment(struct fake_state *st, enum fake_platform p, struct gh_state *g, json_t *body,
	       struct fake_resp *resp)
{
	const char *login = json_string_value(json_object_get(body, "login"));
	const char *assoc = json_string_value(json_object_get(body, "association"));
	const char *text = json_string_value(json_object_get(body, "body"));
	const char *ctext = json_string_value(json_object_get(body, "created_at_text"));
	const json_t *issue = json_object_get(body, "issue");
	struct gh_comment c = {0};

	if (login == NULL || *login == '\0' || !json_is_integer(issue) ||
	    json_integer_value(issue) < 1) {
		fake_control_error(resp, 400, "comment: login (a string) and issue (a number)");
		return;
	}
	c.at_ms = gh_at(body);
	c.issue = (long)json_integer_value(issue);
	c.login = strdup(login);
	c.assoc = strdup(assoc ? assoc : "NONE");
	c.body = strdup(text ? text : "");
	c.created_text = ctext ? strdup(ctext) : NULL;
	if (c.at_ms < 0 || !c.login || !c.assoc || !c.body || (ctext && !c.created_text) ||
	    fake_grow((void **)&g->v, &g->cap, g->n, sizeof(*g->v)) == -1) {
		gh_comment_free(&c);
		fake_control_error(resp, 400, "comment: a readable \"at\" (or out of memory)");
		return;
	}
	c.id = g->next_id++;
	g->v[g->n++] = c;
	fake_resp_json(resp, 200, gh_comment_json(st, p, &g->v[g->n - 1]));
}

static bool
gh_control(struct fake_state *st, enum fake_platform p, const char *what, json_t *body,
	   struct fake_resp *resp)
{
	struct gh_state *g = gh_of(st, p);

	if (g == NULL) {
		fake_control_error(resp, 500, "out of memory");
		return true;
	}
	if (strcmp(what, "comment") == 0) {
		gh_new_comment(st, p, g, body, resp);
	} else if (strcmp(what, "revoke") == 0) {
		g->revoked = true;
		fake_resp_json(resp, 200, gh_state_json(st, p));
	} else {
		return false;
	}
	return true;
}

/* GET /_fake/github/comments: every comment, oldest first. */
static bool
gh_get(struct fake_state *st, enum fake_platform p, const char *what, struct fake_req *req,
       struct fake_resp *resp)
{
	const struct gh_state *g = st->own[p];
	json_t *list;

	(void)req;
	if (strcmp(what, "comments") != 0)
		return false;
	list = json_array();
	for (size_t i = 0; list != NULL && g != NULL && i < g->n; i++)
		json_array_append_new(list, gh_comment_json(st, p, &g->v[i]));
	fake_resp_json(resp, 200, list ? json_pack("{s:o}", "comments", list) : NULL);
	return true;
}

static void
gh_free(struct fake_state *st, enum fake_platform p)
{
	struct gh_state *g = st->own[p];

	for (size_t i = 0; g != NULL && i < g->n; i++)
		gh_comment_free(&g->v[i]);
	if (g != NULL)
		free(g->v);
	free(g);
	st->own[p] = NULL;
}

/* OWNER and REPO are checked by the handler (one capture only). */
static const struct fake_route_def gh_routes[] = {
	{"GET", "/repos/*/*/issues/comments", "issue_comments", gh_list},
};

static const char *const gh_paging[] = {"page", NULL};

const struct fake_platform_def fake_github_def = {
	.name = "github",
	.prefix = "/repos/",
	.routes = gh_routes,
	.nroutes = sizeof(gh_routes) / sizeof(gh_routes[0]),
	.options = {{"token", "github-test-token", "TOKEN"},
		    {"repo", "acme/widgets", "OWNER/REPO"}},
	.paging = gh_paging,
	.social = false,
	.auth = gh_auth,
	.error = gh_error,
	.auth_fail = gh_auth_fail,
	.fault = gh_fault,
	.not_found = gh_not_found,
	.too_many = gh_too_many,
	.limit_headers = gh_limit_headers,
	.state = gh_state_json,
	.get = gh_get,
	.control = gh_control,
	.control_calls = "comment, revoke",
	.reset = gh_free,
	.free = gh_free,
};
