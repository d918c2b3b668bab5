/*
 * The json source's requests (sources/json.h): URLs from templates and the
 * walk's token, paging parameters, auth (header lines and the query key),
 * next URLs kept only on base_url's origin, page numbers that end.
 */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "replywatch/page.h"
#include "replywatch/secret.h"
#include "replywatch/sources/json.h"

static struct rw_json_spec spec;
static struct rw_source_config src;

static void
setup(void)
{
	memset(&spec, 0, sizeof(spec));
	memset(&src, 0, sizeof(src));
	src.name = "forum";
	src.type = RW_SOURCE_JSON;
	src.base_url = "https://forum.example.com/";
	src.spec = &spec;
	spec.list.request.url = "/posts.json?before={cursor}";
	spec.list.paging.start = 1;
}

static void
teardown(void)
{
	rw_secret_free(spec.auth.token);
	rw_secret_free(spec.auth.username);
	rw_secret_free(spec.auth.password);
}

TestSuite(json_url, .init = setup, .fini = teardown);

/* The URL of list which for token and since (ms), as a string to compare. */
static char *
url_of(enum rw_json_which which, const char *token, int64_t since_ms)
{
	char err[120];
	struct rw_json_client *c = rw_json_client_new(&src, err, sizeof(err));
	struct rw_json_at at = {.token = token, .since_ms = since_ms};
	char *url, *copy;

	cr_assert_not_null(c, "%s", err);
	url = rw_json_client_url(c, which, &at, err, sizeof(err));
	copy = url ? strdup(url) : NULL;
	rw_json_url_free(url);
	rw_json_client_free(c);
	return copy;
}

Test(json_url, path_template_joins_base_url_and_leaves_cursor_empty_first)
{
	char *u = url_of(RW_JSON_ITEMS, NULL, 0);

	cr_assert_str_eq(u, "https://forum.example.com/posts.json?before=");
	free(u);
	spec.list.paging.type = RW_JSON_PAGING_CURSOR;
	u = url_of(RW_JSON_ITEMS, "4200 &x", 0);
	cr_assert_str_eq(u, "https://forum.example.com/posts.json?before=4200%20%26x");
	free(u);
}

Test(json_url, since_is_rfc3339_and_escaped)
{
	spec.list.request.url = "https://forum.example.com/c.json?since={since}";
	char *u = url_of(RW_JSON_ITEMS, NULL, 1796385600123LL);

	cr_assert_str_eq(u, "https://forum.example.com/c.json?since=2026-12-04T12%3A00%3A00.123Z");
	free(u);
}

Test(json_url, page_paging_adds_page_and_per_page)
{
	spec.list.request.url = "/repos/acme/widgets/issues/comments?sort=created";
	spec.list.paging.type = RW_JSON_PAGING_PAGE;
	spec.list.paging.param = "page";
	spec.list.paging.per_page = 50;
	spec.list.paging.per_page_param = "per_page";
	char *u = url_of(RW_JSON_ITEMS, NULL, 0);

	cr_assert_str_eq(u, "https://forum.example.com/repos/acme/widgets/issues/"
			    "comments?sort=created&page=1&per_page=50");
	free(u);
	u = url_of(RW_JSON_ITEMS, "3", 0);
	cr_assert_str_eq(u, "https://forum.example.com/repos/acme/widgets/issues/"
			    "comments?sort=created&page=3&per_page=50");
	free(u);
	/* Or in the template's {page}. */
	spec.list.paging.param = NULL;
	spec.list.request.url = "/list/{page}";
	u = url_of(RW_JSON_ITEMS, NULL, 0);
	cr_assert_str_eq(u, "https://forum.example.com/list/1?per_page=50");
	free(u);
}

Test(json_url, cursor_param_only_after_the_first_page)
{
	spec.list.request.url = "/api/items";
	spec.list.paging.type = RW_JSON_PAGING_CURSOR;
	spec.list.paging.param = "after";
	char *u = url_of(RW_JSON_ITEMS, NULL, 0);

	cr_assert_str_eq(u, "https://forum.example.com/api/items");
	free(u);
	u = url_of(RW_JSON_ITEMS, "abc==", 0);
	cr_assert_str_eq(u, "https://forum.example.com/api/items?after=abc%3D%3D");
	free(u);
}

Test(json_url, next_url_is_used_as_given_on_the_same_origin_only)
{
	char err[120];

	spec.list.paging.type = RW_JSON_PAGING_NEXT_URL;
	char *u = url_of(RW_JSON_ITEMS, "https://forum.example.com/posts.json?before=9", 0);

	cr_assert_str_eq(u, "https://forum.example.com/posts.json?before=9");
	free(u);
	struct rw_json_client *c = rw_json_client_new(&src, err, sizeof(err));
	struct rw_json_at at = {.token = "https://evil.example.net/posts.json?before=9"};

	cr_assert_null(rw_json_client_url(c, RW_JSON_ITEMS, &at, err, sizeof(err)));
	rw_json_client_free(c);
}

Test(json_url, query_auth_goes_in_the_url_and_never_in_its_log_form)
{
	spec.auth.type = RW_JSON_AUTH_QUERY;
	spec.auth.name = "api_key";
	spec.auth.token = rw_secret_from_literal("SECRET-k3y");
	char *u = url_of(RW_JSON_ITEMS, NULL, 0);

	cr_assert_str_eq(u, "https://forum.example.com/posts.json?before=&api_key=SECRET-k3y");
	char *shown = rw_json_url_for_log(u);

	cr_assert_str_eq(shown, "https://forum.example.com/posts.json");
	free(shown);
	free(u);
}

Test(json_url, auth_lines)
{
	char err[120];
	struct rw_json_client *c;

	spec.auth.type = RW_JSON_AUTH_BEARER;
	spec.auth.token = rw_secret_from_literal("tok");
	c = rw_json_client_new(&src, err, sizeof(err));
	cr_assert_str_eq(rw_json_client_auth_line(c), "Authorization: Bearer tok");
	rw_json_client_free(c);

	spec.auth.type = RW_JSON_AUTH_HEADER;
	spec.auth.name = "Api-Key";
	c = rw_json_client_new(&src, err, sizeof(err));
	cr_assert_str_eq(rw_json_client_auth_line(c), "Api-Key: tok");
	rw_json_client_free(c);

	spec.auth.type = RW_JSON_AUTH_BASIC;
	spec.auth.username = rw_secret_from_literal("Aladdin");
	spec.auth.password = rw_secret_from_literal("open sesame");
	c = rw_json_client_new(&src, err, sizeof(err));
	cr_assert_str_eq(rw_json_client_auth_line(c),
			 "Authorization: Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ==");
	rw_json_client_free(c);

	/* A token that would split the header is refused, and not quoted. */
	rw_secret_free(spec.auth.token);
	spec.auth.type = RW_JSON_AUTH_BEARER;
	spec.auth.token = rw_secret_from_literal("a\r\nX-Evil: 1");
	cr_assert_null(rw_json_client_new(&src, err, sizeof(err)));
	cr_assert_null(strstr(err, "Evil"), "%s", err);
}

Test(json_url, configured_headers_per_list)
{
	char err[120];
	struct rw_json_header h[] = {{"Accept", "application/vnd.github+json"},
				     {"X-GitHub-Api-Version", "2022-11-28"}};
	struct rw_json_list_spec replies = {0};

	spec.list.request.headers = h;
	spec.list.request.nheaders = 2;
	replies.request.url = "/r";
	spec.replies = &replies;
	struct rw_json_client *c = rw_json_client_new(&src, err, sizeof(err));
	const char *const *l = rw_json_client_headers(c, RW_JSON_ITEMS);

	cr_assert_str_eq(l[0], "Accept: application/vnd.github+json");
	cr_assert_str_eq(l[1], "X-GitHub-Api-Version: 2022-11-28");
	cr_assert_null(l[2]);
	cr_assert_null(rw_json_client_headers(c, RW_JSON_REPLIES)[0]);
	cr_assert_eq(rw_json_client_list(c, RW_JSON_REPLIES), &replies);
	rw_json_client_free(c);
}

static void
page_with(struct rw_page *p, size_t nentries, const char *next)
{
	memset(p, 0, sizeof(*p));
	p->nentries = nentries;
	p->next = next ? strdup(next) : NULL;
}

Test(json_url, next_token_resolves_paths_and_refuses_other_origins)
{
	struct rw_page p;
	bool refused;

	spec.list.paging.type = RW_JSON_PAGING_NEXT_URL;
	page_with(&p, 3, "/posts.json?before=17");
	cr_assert_eq(rw_json_next_token(&spec.list, src.base_url, 1, &p, &refused), 0);
	cr_assert_not(refused);
	cr_assert_str_eq(p.next, "https://forum.example.com/posts.json?before=17");
	rw_page_clear(&p);

	page_with(&p, 3, "https://evil.example.net/posts.json?before=17");
	cr_assert_eq(rw_json_next_token(&spec.list, src.base_url, 1, &p, &refused), 0);
	cr_assert(refused);
	cr_assert_null(p.next);
	rw_page_clear(&p);
}

Test(json_url, page_numbers_end_on_a_short_or_empty_page)
{
	struct rw_page p;
	bool refused;

	spec.list.paging.type = RW_JSON_PAGING_PAGE;
	spec.list.paging.per_page = 2;
	page_with(&p, 2, NULL);
	cr_assert_eq(rw_json_next_token(&spec.list, src.base_url, 4, &p, &refused), 0);
	cr_assert_str_eq(p.next, "5");
	rw_page_clear(&p);
	page_with(&p, 1, NULL);
	cr_assert_eq(rw_json_next_token(&spec.list, src.base_url, 4, &p, &refused), 0);
	cr_assert_null(p.next);
	rw_page_clear(&p);
	/* Without per_page only an empty page ends. */
	spec.list.paging.per_page = 0;
	page_with(&p, 1, NULL);
	cr_assert_eq(rw_json_next_token(&spec.list, src.base_url, 1, &p, &refused), 0);
	cr_assert_str_eq(p.next, "2");
	rw_page_clear(&p);
	page_with(&p, 0, NULL);
	cr_assert_eq(rw_json_next_token(&spec.list, src.base_url, 2, &p, &refused), 0);
	cr_assert_null(p.next);
	rw_page_clear(&p);
	cr_assert_eq(rw_json_page_number(&spec.list.paging, NULL), 1);
	cr_assert_eq(rw_json_page_number(&spec.list.paging, "7"), 7);
}

Test(json_url, post_body_template_is_json_escaped)
{
	char err[120];
	bool oom;
	struct rw_json_client *c;
	struct rw_json_at at = {.token = "a\"b\\c"};

	c = rw_json_client_new(&src, err, sizeof(err));
	cr_assert_null(rw_json_client_body(c, RW_JSON_ITEMS, &at, &oom)); /* a GET */
	cr_assert_not(oom);
	rw_json_client_free(c);

	spec.list.request.method = "POST";
	spec.list.request.body = "{\"after\": \"{cursor}\", \"since\": \"{since}\", \"n\": {page}}";
	spec.list.paging.type = RW_JSON_PAGING_CURSOR;
	at.since_ms = 1796385600000LL;
	c = rw_json_client_new(&src, err, sizeof(err));
	char *b = rw_json_client_body(c, RW_JSON_ITEMS, &at, &oom);

	cr_assert_str_eq(b, "{\"after\": \"a\\\"b\\\\c\", \"since\": "
			    "\"2026-12-04T12:00:00.000Z\", \"n\": }");
	free(b);
	rw_json_client_free(c);
}
