/*
 * test_json_config: the `json` type's configuration (sources/json_map.h,
 * daemon/sources/json_config*.c) against a table of sources: each case is
 * one source's own keys (written with ' for ") and the exact error lines
 * the load must give, or none when it is valid; then what a valid one is
 * read into. Secrets never appear in the lines.
 */
#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <strings.h>

#include "replywatch/config.h"
#include "replywatch/ratelimit.h"
#include "replywatch/secret.h"
#include "replywatch/sources/json_map.h"

#include "rwtest.h"

#define MAX_LINES 6

struct json_case {
	const char *name;
	const char *keys; /* the source's keys after name, type and base_url */
	const char *errors[MAX_LINES];
};

/* Keys a valid source needs, to build cases around. */
#define REQ "'request': {'url': '/items'}"
#define FIELDS "'fields': {'id': '/id', 'created_at': '/at', 'author': '/by'}"
#define MIN REQ ", 'items': '/items', " FIELDS
#define HINT "(a JSON pointer: \"\" or \"/a/0/b\", ~0 for ~ and ~1 for /)"
#define S "sources[0]."

/* clang-format off */
static const struct json_case cases[] = {
	{"minimal", MIN, {NULL}},
	{"everything",
	 "'request': {'url': 'https://forum.acme.example/posts.json?before={cursor}&since={since}', "
	 "'method': 'POST', 'body': '{\\\"after\\\": \\\"{cursor}\\\"}', 'headers': {'Accept': "
	 "'application/json', 'Api-Username': 'system'}}, "
	 "'auth': {'type': 'header', 'name': 'Api-Key', 'token': 'secret-key'}, "
	 "'items': '/latest_posts', 'fields': {'id': '/id', 'created_at': '/created_at', "
	 "'author': '/username', 'text': '/raw', 'conversation_id': '/topic_id', "
	 "'in_reply_to': '/reply_to_post_number', 'author_followers': '/f', 'rating': '/stars'}, "
	 "'url_template': 'https://forum.acme.example/t/{/topic_id}/{/post_number}', "
	 "'time_format': 'rfc3339', 'kind': 'review', "
	 "'paging': {'type': 'cursor', 'pointer': '/links/next'}, "
	 "'brand': {'pointer': '/username', 'equals': ['acme_support', 'acme']}, "
	 "'replies': {'request': {'url': '/replies.json?page={page}'}, 'items': '', "
	 "'fields': {'id': '/id', 'created_at': '/at', 'in_reply_to': '/parent'}, "
	 "'paging': {'type': 'page', 'start': 0, 'per_page': 50, 'per_page_param': 'limit'}}, "
	 "'max_pages': 100",
	 {NULL}},
	{"auth basic and query",
	 MIN ", 'auth': {'type': 'basic', 'username': 'key-as-user', 'password': 'X'}", {NULL}},
	{"auth query", MIN ", 'auth': {'type': 'query', 'name': 'api_key', 'token': 't'}", {NULL}},
	{"reply_at and next_url",
	 MIN ", 'reply_at': '/answered_at', 'paging': {'type': 'next_url', 'pointer': '/next'}",
	 {NULL}},

	/* Pointers: every mistake named by its JSON path and token. */
	{"bad escape",
	 REQ ", 'items': '/items', 'fields': {'id': '/id', 'created_at': '/a/~2', 'author': '/by'}",
	 {S "fields.created_at: \"/a/~2\": bad escape \"~2\" at token 2 " HINT}},
	{"no leading slash", REQ ", 'items': 'data', " FIELDS,
	 {S "items: \"data\": does not start with \"/\" (use \"\" for the whole document) " HINT}},
	{"pointer not a string", REQ ", 'items': 5, " FIELDS,
	 {S "items: expected a string, got number"}},
	{"missing required", REQ ", 'items': '', 'fields': {'text': '/t'}",
	 {S "fields.id: required", S "fields.created_at: required", S "fields.author: required"}},
	{"unknown field", REQ ", 'items': '', 'fields': {'id': '/id', 'created_at': '/at', "
	 "'author': '/by', 'from_brand': '/staff'}",
	 {S "fields.from_brand: unknown key (expected one of: id, created_at, author, text, url, "
	  "rating, conversation_id, author_followers, in_reply_to)"}},
	{"missing everything", "",
	 {S "request: required", S "items: required", S "fields: required"}},
	{"unknown top-level key", MIN ", 'token': 'x'",
	 {S "token: not used by type \"json\""}},

	/* request */
	{"request keys", "'request': {'url': '/x', 'verb': 'GET'}, 'items': '', " FIELDS,
	 {S "request.verb: unknown key (expected one of: url, method, body, headers)"}},
	{"request without url", "'request': {}, 'items': '', " FIELDS, {S "request.url: required"}},
	{"url on another host", "'request': {'url': 'https://evil.example/x'}, 'items': '', " FIELDS,
	 {S "request.url: \"https://evil.example/x\" is not on base_url's scheme and host"}},
	{"url on another scheme", "'request': {'url': 'http://forum.acme.example/x'}, 'items': '', "
	 FIELDS,
	 {S "request.url: \"http://forum.acme.example/x\" is not on base_url's scheme and host"}},
	{"url with credentials", "'request': {'url': 'https://u:pw-VALUE@forum.acme.example/x'}, "
	 "'items': '', " FIELDS,
	 {S "request.url: has a user name or password in it: credentials go in \"auth\" (a secret "
	  "reference)"}},
	{"url elsewhere with an at sign", "'request': {'url': 'https://evil.example/@VALUE'}, "
	 "'items': '', " FIELDS,
	 {S "request.url: the URL is not on base_url's scheme and host"}},
	{"url_template with credentials", MIN ", 'url_template': 'https://u:VALUE@h/{/id}'",
	 {S "url_template: has a user name or password in it (links are shown to people)"}},
	{"url relative without slash", "'request': {'url': 'x.json'}, 'items': '', " FIELDS,
	 {S "request.url: \"x.json\" is neither a path (\"/api/items\") nor an http(s) URL on "
	  "base_url"}},
	{"url with a space", "'request': {'url': '/x y'}, 'items': '', " FIELDS,
	 {S "request.url: \"/x y\" has a space or control character"}},
	{"unknown placeholder", "'request': {'url': '/x?a={after}'}, 'items': '', " FIELDS,
	 {S "request.url: unknown placeholder \"{after}\" (expected {cursor}, {page} or {since})"}},
	{"stray brace", "'request': {'url': '/x?a=}'}, 'items': '', " FIELDS,
	 {S "request.url: \"}\" without \"{\" (placeholders are {cursor}, {page} and {since})"}},
	{"method", "'request': {'url': '/x', 'method': 'PUT'}, 'items': '', " FIELDS,
	 {S "request.method: unknown value \"PUT\" (expected one of: GET, POST)"}},
	{"body with GET", "'request': {'url': '/x', 'body': '{}'}, 'items': '', " FIELDS,
	 {S "request.body: a body needs \"method\": \"POST\""}},
	{"credentials in headers",
	 "'request': {'url': '/x', 'headers': {'authorization': 'Bearer abc', 'Bad Name': 'v', "
	 "'X-A': 'line\\nbreak', 'X-B': 1}}, 'items': '', " FIELDS,
	 {S "request.headers.authorization: credentials go in \"auth\" (a secret reference)",
	  S "request.headers.Bad Name: not a header name",
	  S "request.headers.X-A: has a control character",
	  S "request.headers.X-B: expected a string, got number"}},

	/* auth */
	{"auth type unknown", MIN ", 'auth': {'type': 'oauth'}",
	 {S "auth.type: unknown auth type \"oauth\" (expected one of: bearer, header, query, "
	  "basic)"}},
	{"auth without type", MIN ", 'auth': {'token': 't'}", {S "auth.type: required"}},
	{"auth bearer without token", MIN ", 'auth': {'type': 'bearer'}",
	 {S "auth.token: required for auth type \"bearer\""}},
	{"auth bearer with name", MIN ", 'auth': {'type': 'bearer', 'name': 'X', 'token': 't'}",
	 {S "auth.name: unknown key (expected one of: type, token)"}},
	{"auth header without name", MIN ", 'auth': {'type': 'header', 'token': 't'}",
	 {S "auth.name: required for auth type \"header\""}},
	{"auth header bad name", MIN ", 'auth': {'type': 'header', 'name': 'A:B', 'token': 't'}",
	 {S "auth.name: \"A:B\" is not a header name"}},
	{"auth query bad name", MIN ", 'auth': {'type': 'query', 'name': 'a=b', 'token': 't'}",
	 {S "auth.name: \"a=b\" is not a query parameter name"}},
	{"auth basic without password", MIN ", 'auth': {'type': 'basic', 'username': 'u'}",
	 {S "auth.password: required for auth type \"basic\""}},
	{"auth token unset variable", MIN ", 'auth': {'type': 'bearer', 'token': "
	 "'env:RWT_UNSET_TOKEN'}",
	 {S "auth.token: environment variable RWT_UNSET_TOKEN is not set"}},

	/* paging */
	{"paging without type", MIN ", 'paging': {'pointer': '/n'}", {S "paging.type: required"}},
	{"paging unknown type", MIN ", 'paging': {'type': 'link'}",
	 {S "paging.type: unknown value \"link\" (expected one of: next_url, cursor, page, "
	    "last_item)"}},
	{"paging last_item without pointer", MIN ", 'paging': {'type': 'last_item', 'param': 'b'}",
	 {S "paging.pointer: required"}},
	{"paging last_item bad pointer",
	 MIN ", 'paging': {'type': 'last_item', 'pointer': 'id', 'param': 'b'}",
	 {S "paging.pointer: \"id\": does not start with \"/\" (use \"\" for the whole "
	    "document) (a JSON pointer: \"\" or "
	    "\"/a/0/b\", ~0 for ~ and ~1 for /)"}},
	{"paging last_item without carrier", MIN ", 'paging': {'type': 'last_item', 'pointer': '/id'}",
	 {S "paging.param: required (or put {cursor} in request.url)"}},
	{"paging last_item with both", "'request': {'url': '/x?b={cursor}'}, 'items': '', " FIELDS
	 ", 'paging': {'type': 'last_item', 'pointer': '/id', 'param': 'b'}",
	 {S "paging.param: the request already has {cursor}: give param or {cursor}, not both"}},
	{"paging last_item unknown key",
	 MIN ", 'paging': {'type': 'last_item', 'pointer': '/id', 'param': 'b', 'start': 1}",
	 {S "paging.start: unknown key (expected one of: type, pointer, param)"}},
	{"paging next_url without pointer", MIN ", 'paging': {'type': 'next_url'}",
	 {S "paging.pointer: required"}},
	{"paging next_url with param", MIN ", 'paging': {'type': 'next_url', 'pointer': '/n', "
	 "'param': 'p'}",
	 {S "paging.param: unknown key (expected one of: type, pointer)"}},
	{"paging cursor without carrier", MIN ", 'paging': {'type': 'cursor', 'pointer': '/n'}",
	 {S "paging.param: required (or put {cursor} in request.url)"}},
	{"paging cursor with both", "'request': {'url': '/x?c={cursor}'}, 'items': '', " FIELDS
	 ", 'paging': {'type': 'cursor', 'pointer': '/n', 'param': 'c'}",
	 {S "paging.param: the request already has {cursor}: give param or {cursor}, not both"}},
	{"cursor placeholder without paging", "'request': {'url': '/x?c={cursor}'}, 'items': '', "
	 FIELDS,
	 {S "request.url: {cursor} needs \"paging\""}},
	{"cursor placeholder with page paging", "'request': {'url': '/x?c={cursor}'}, 'items': '', "
	 FIELDS ", 'paging': {'type': 'page', 'param': 'p'}",
	 {S "request.url: {cursor} needs paging type \"cursor\" or \"last_item\""}},
	{"page placeholder with cursor paging", "'request': {'url': '/x?p={page}'}, 'items': '', "
	 FIELDS ", 'paging': {'type': 'cursor', 'pointer': '/n', 'param': 'c'}",
	 {S "request.url: {page} needs paging type \"page\""}},
	{"paging page problems", MIN ", 'paging': {'type': 'page', 'param': 'p', 'start': -1, "
	 "'per_page_param': 'limit'}",
	 {S "paging.start: -1 is out of range (0 to 1000000)",
	  S "paging.per_page: required with per_page_param"}},
	{"paging page bad param", MIN ", 'paging': {'type': 'page', 'param': 'p&q'}",
	 {S "paging.param: \"p&q\" is not a query parameter name (letters, digits, . _ ~ - [ ])"}},

	/* rate_limit */
	{"rate_limit github", MIN ", 'rate_limit': {'limit': 'X-RateLimit-Limit', "
	 "'remaining': 'X-RateLimit-Remaining', 'reset': 'X-RateLimit-Reset', "
	 "'reset_format': 'epoch_s'}", {NULL}},
	{"rate_limit minimal", MIN ", 'rate_limit': {'remaining': 'R', 'reset': 'T'}", {NULL}},
	{"rate_limit problems", MIN ", 'rate_limit': {'limit': 'X Limit', 'reset_format': 'unix', "
	 "'window': 'W'}",
	 {S "rate_limit.window: unknown key (expected one of: limit, remaining, reset, reset_format)",
	  S "rate_limit.limit: \"X Limit\" is not a header name",
	  S "rate_limit.remaining: required",
	  S "rate_limit.reset: required",
	  S "rate_limit.reset_format: unknown value \"unix\" (expected one of: epoch_s, seconds, "
	    "rfc3339)"}},
	{"rate_limit not an object", MIN ", 'rate_limit': 'X-RateLimit'",
	 {S "rate_limit: expected an object, got string"}},

	/* brand, url_template, time_format, kind, max_pages */
	{"brand without equals", MIN ", 'brand': {'pointer': '/by'}",
	 {S "brand.equals: required",
	  S "brand: the brand's items answer through fields.in_reply_to or "
	    "fields.conversation_id: give one"}},
	{"brand equals empty", REQ ", 'items': '', 'fields': {'id': '/id', 'created_at': '/at', "
	 "'author': '/by', 'conversation_id': '/c'}, 'brand': {'pointer': '/by', 'equals': []}",
	 {S "brand.equals: must not be empty (give the values that mark the brand's items)"}},
	{"in_reply_to without brand", REQ ", 'items': '', 'fields': {'id': '/id', 'created_at': "
	 "'/at', 'author': '/by', 'in_reply_to': '/p'}",
	 {S "fields.in_reply_to: read from the brand's items only: give \"brand\""}},
	{"url_template bad pointer", MIN ", 'url_template': 'https://h/{/a~3}'",
	 {S "url_template: {\"/a~3\"}: bad escape \"~3\" at token 1"}},
	{"url_template empty placeholder", MIN ", 'url_template': 'https://h/{}'",
	 {S "url_template: {\"\"}: an empty placeholder (use {/pointer})"}},
	{"url_template unclosed", MIN ", 'url_template': 'https://h/{/a'",
	 {S "url_template: \"{\" without \"}\""}},
	{"url_template not http", MIN ", 'url_template': '/t/{/id}'",
	 {S "url_template: \"/t/{/id}\" is not an http(s) URL"}},
	{"url_template and fields.url", REQ ", 'items': '', 'fields': {'id': '/id', 'created_at': "
	 "'/at', 'author': '/by', 'url': '/u'}, 'url_template': 'https://h/{/id}'",
	 {S "url_template: give fields.url or url_template, not both"}},
	{"time_format", MIN ", 'time_format': 'unix'",
	 {S "time_format: unknown value \"unix\" (expected one of: rfc3339, epoch_s, epoch_ms)"}},
	{"kind", MIN ", 'kind': 'tweet'",
	 {S "kind: unknown kind \"tweet\" (expected one of: mention, comment, review, message)"}},
	{"review without rating", MIN ", 'kind': 'review'",
	 {S "fields.rating: required for kind \"review\""}},
	{"max_pages", MIN ", 'max_pages': 0", {S "max_pages: 0 is out of range (1 to 100)"}},

	/* replies */
	{"replies and reply_at", MIN ", 'reply_at': '/r', 'replies': {'request': {'url': '/r'}, "
	 "'items': '', 'fields': {'id': '/id', 'created_at': '/at', 'in_reply_to': '/p'}}",
	 {S "replies: give replies or reply_at, not both"}},
	{"replies problems", MIN ", 'replies': {'request': {'url': '/r'}, 'items': 'x', "
	 "'fields': {'id': '/id', 'created_at': '/at'}, 'kind': 'comment'}",
	 {S "replies.kind: unknown key (expected one of: request, items, fields, url_template, "
	  "brand, paging)",
	  S "replies.items: \"x\": does not start with \"/\" (use \"\" for the whole document) " HINT,
	  S "replies.fields: replies answer through in_reply_to or conversation_id: give one"}},
	{"replies empty", MIN ", 'replies': {}",
	 {S "replies.request: required", S "replies.items: required", S "replies.fields: required",
	  S "replies.fields: replies answer through in_reply_to or conversation_id: give one"}},
};
/* clang-format on */

#define NCASES (sizeof(cases) / sizeof(cases[0]))

static void
table_env(void)
{
	unsetenv("RWT_UNSET_TOKEN");
}

ParameterizedTestParameters(json_config, table)
{
	static size_t index[NCASES];

	for (size_t i = 0; i < NCASES; i++)
		index[i] = i;
	return cr_make_param_array(size_t, index, NCASES);
}

ParameterizedTest(size_t *ip, json_config, table, .init = table_env)
{
	const struct json_case *c = &cases[*ip];
	struct rw_config_errors errs = {0};
	char *doc, *text, *got;
	struct rw_config *cfg;
	size_t want = 0;

	cr_assert_gt(asprintf(&doc,
			      "{'sources': [{'name': 's', 'type': 'json', "
			      "'base_url': 'https://forum.acme.example'%s%s}]}",
			      c->keys[0] != '\0' ? ", " : "", c->keys),
		     0);
	text = rwt_json_quotes(doc);
	cfg = rw_config_load_string(text, "test.json", &errs);
	got = rwt_config_errors_text(&errs);
	while (want < MAX_LINES && c->errors[want] != NULL)
		want++;
	if (want == 0) {
		cr_assert_not_null(cfg, "[%s] should load; got:%s", c->name, got);
		cr_assert_not_null(rw_json_spec_of(&cfg->sources[0]));
	} else {
		cr_assert_null(cfg, "[%s] should not load", c->name);
		cr_assert_eq(errs.n, want, "[%s] wants %zu lines; got:%s", c->name, want, got);
		for (size_t i = 0; i < want; i++)
			cr_assert_str_eq(errs.lines[i], c->errors[i], "[%s] line %zu; got:%s",
					 c->name, i, got);
	}
	/* No secret of the table ever shows. */
	cr_assert_null(strstr(got, "VALUE"));
	cr_assert_null(strstr(got, "secret-key"));
	cr_assert_null(strstr(got, "key-as-user"));
	free(got);
	free(text);
	free(doc);
	rw_config_errors_clear(&errs);
	rw_config_free(cfg);
}

Test(json_config, what_a_source_is_read_into)
{
	struct rw_config_errors errs = {0};
	char *text = rwt_json_quotes(
		"{'sources': [{'name': 's', 'type': 'json', 'base_url': 'https://f.example', "
		"'request': {'url': '/p?before={cursor}', 'headers': {'Accept': "
		"'application/json'}}, "
		"'auth': {'type': 'query', 'name': 'api_key', 'token': 'k-123'}, "
		"'items': '/latest_posts', 'fields': {'id': '/id', 'created_at': '/t', "
		"'author': '/u', 'conversation_id': '/topic'}, 'time_format': 'epoch_ms', "
		"'kind': 'comment', 'brand': {'pointer': '/u', 'equals': ['acme', 'acme2']}, "
		"'paging': {'type': 'cursor', 'pointer': '/meta/next'}, "
		"'replies': {'request': {'url': 'https://f.example/r?page={page}'}, 'items': '', "
		"'fields': {'id': '/id', 'created_at': '/t', 'in_reply_to': '/p'}, "
		"'paging': {'type': 'page'}}, 'max_pages': 3}]}");
	struct rw_config *cfg = rw_config_load_string(text, "test.json", &errs);
	const struct rw_json_spec *spec;
	const struct rw_json_list_spec *l, *r;

	cr_assert_not_null(cfg);
	spec = rw_json_spec_of(&cfg->sources[0]);
	cr_assert_not_null(spec);
	cr_assert_eq(cfg->sources[0].nparams, 0);
	cr_assert_eq(spec->auth.type, RW_JSON_AUTH_QUERY);
	cr_assert_str_eq(spec->auth.name, "api_key");
	cr_assert_str_eq(rw_secret_value(spec->auth.token), "k-123");
	cr_assert_null(spec->auth.username);
	cr_assert_eq(spec->max_pages, 3);
	l = &spec->list;
	cr_assert_not(l->replies);
	cr_assert_str_eq(l->request.url, "/p?before={cursor}");
	cr_assert_str_eq(l->request.method, "GET");
	cr_assert_null(l->request.body);
	cr_assert_eq(l->request.nheaders, 1);
	cr_assert_str_eq(l->request.headers[0].name, "Accept");
	cr_assert_str_eq(l->request.headers[0].value, "application/json");
	cr_assert_str_eq(l->items.text, "/latest_posts");
	cr_assert_eq(l->items.ntokens, 1);
	cr_assert_str_eq(l->fields.conversation_id.text, "/topic");
	cr_assert_not(rw_jsonptr_set(&l->fields.text));
	cr_assert_eq(l->time_format, RW_JSON_TIME_EPOCH_MS);
	cr_assert_eq(l->kind, RW_KIND_COMMENT);
	cr_assert_eq(l->brand.equals.n, 2);
	cr_assert_str_eq(l->brand.equals.items[1], "acme2");
	cr_assert_eq(l->paging.type, RW_JSON_PAGING_CURSOR);
	cr_assert_null(l->paging.param); /* {cursor} carries it */
	cr_assert_not(rw_jsonptr_set(&l->reply_at));
	r = spec->replies;
	cr_assert_not_null(r);
	cr_assert(r->replies);
	cr_assert_eq(r->time_format, RW_JSON_TIME_EPOCH_MS);
	cr_assert_eq(r->paging.type, RW_JSON_PAGING_PAGE);
	cr_assert_eq(r->paging.start, 1);
	cr_assert_eq(r->paging.per_page, 0);
	cr_assert_str_eq(r->fields.in_reply_to.text, "/p");
	cr_assert_not(rw_jsonptr_set(&r->fields.author));
	rw_config_free(cfg);
	free(text);
}

Test(json_config, default_max_pages_and_no_spec_for_other_types)
{
	struct rw_config_errors errs = {0};
	char *text = rwt_json_quotes(
		"{'sources': [{'name': 's', 'type': 'json', 'base_url': 'https://f.example', " MIN
		"}, {'name': 'p', 'type': 'push', 'token': 't'}]}");
	struct rw_config *cfg = rw_config_load_string(text, "test.json", &errs);

	cr_assert_not_null(cfg);
	cr_assert_eq(rw_json_spec_of(&cfg->sources[0])->max_pages, RW_JSON_MAX_PAGES_DEFAULT);
	cr_assert_null(rw_json_spec_of(&cfg->sources[1]));
	cr_assert_null(cfg->sources[1].spec);
	cr_assert_null(rw_json_spec_of(NULL));
	rw_config_free(cfg);
	free(text);
}

/* Header name/value pairs, NULL-terminated, looked up ignoring case. */
static const char *
lookup(void *arg, const char *name)
{
	const char *const *h = arg;

	for (size_t i = 0; name != NULL && h[i] != NULL; i += 2)
		if (strcasecmp(h[i], name) == 0)
			return h[i + 1];
	return NULL;
}

/* rate_limit: the poller reads the headers a json source names, in the
 * form it says; a json source without it reads none (Retry-After only). */
Test(json_config, rate_limit_headers_read_per_source)
{
	static const char *const gh[] = {"x-ratelimit-limit",
					 "5000",
					 "x-ratelimit-remaining",
					 "0",
					 "x-ratelimit-reset",
					 "1796381800",
					 "RateLimit-Reset",
					 "30",
					 "Budget-Reset",
					 "2026-12-04T10:56:40Z",
					 NULL};
	struct rw_config_errors errs = {0};
	char *text = rwt_json_quotes(
		"{'sources': [{'name': 'a', 'type': 'json', 'base_url': 'https://f.example', " MIN
		", 'rate_limit': {'limit': 'X-RateLimit-Limit', 'remaining': "
		"'X-RateLimit-Remaining', 'reset': 'X-RateLimit-Reset'}}, "
		"{'name': 'b', 'type': 'json', 'base_url': 'https://f.example', " MIN
		", 'rate_limit': {'remaining': 'X-RateLimit-Remaining', 'reset': "
		"'RateLimit-Reset', 'reset_format': 'seconds'}}, "
		"{'name': 'c', 'type': 'json', 'base_url': 'https://f.example', " MIN
		", 'rate_limit': {'remaining': 'X-RateLimit-Remaining', 'reset': "
		"'Budget-Reset', 'reset_format': 'rfc3339'}}, "
		"{'name': 'd', 'type': 'json', 'base_url': 'https://f.example', " MIN "}]}");
	struct rw_config *cfg = rw_config_load_string(text, "test.json", &errs);
	const int64_t now = 1796380000000;
	struct rw_ratelimit rl;

	cr_assert_not_null(cfg);
	rw_ratelimit_read_source(&cfg->sources[0], lookup, (void *)gh, now, &rl);
	cr_assert(rl.known);
	cr_assert_eq(rl.limit, 5000);
	cr_assert_eq(rl.remaining, 0);
	cr_assert_eq(rl.reset_at_ms, 1796381800000);
	rw_ratelimit_read_source(&cfg->sources[1], lookup, (void *)gh, now, &rl);
	cr_assert(rl.known);
	cr_assert_eq(rl.limit, -1);
	cr_assert_eq(rl.remaining, 0);
	cr_assert_eq(rl.reset_at_ms, now + 30000);
	rw_ratelimit_read_source(&cfg->sources[2], lookup, (void *)gh, now, &rl);
	cr_assert(rl.known);
	cr_assert_eq(rl.reset_at_ms, 1796381800000);
	rw_ratelimit_read_source(&cfg->sources[3], lookup, (void *)gh, now, &rl);
	cr_assert_not(rl.known);
	cr_assert_eq(rl.remaining, -1);
	rw_config_free(cfg);
	free(text);
}

static struct rw_config *
load_two(const char *a, const char *b)
{
	struct rw_config_errors errs = {0};
	char *doc, *text, *got;
	struct rw_config *cfg;

	cr_assert_gt(asprintf(&doc,
			      "{'sources': [{'name': 'a', 'type': 'json', 'base_url': "
			      "'https://f.example', %s}, {'name': 'b', 'type': 'json', 'base_url': "
			      "'https://f.example', %s}]}",
			      a, b),
		     0);
	text = rwt_json_quotes(doc);
	cfg = rw_config_load_string(text, "test.json", &errs);
	got = rwt_config_errors_text(&errs);
	cr_assert_not_null(cfg, "%s", got);
	free(got);
	free(text);
	free(doc);
	return cfg;
}

/* Two specs are equal when they ask the same thing with the same
 * credentials: any change of request, pointer, paging, auth or rate_limit
 * makes them differ (a reload then starts the source afresh). */
Test(json_config, spec_equal)
{
	static const char *const changed[] = {
		"'request': {'url': '/items?x=1'}, 'items': '/items', " FIELDS,
		REQ ", 'items': '/list', " FIELDS,
		MIN ", 'auth': {'type': 'bearer', 'token': 'other'}",
		MIN ", 'auth': {'type': 'header', 'name': 'X-Key', 'token': 'tok'}",
		MIN ", 'max_pages': 2",
		MIN ", 'rate_limit': {'remaining': 'R', 'reset': 'T'}",
		MIN ", 'paging': {'type': 'last_item', 'pointer': '/id', 'param': 'before'}",
	};
	const char *base = MIN ", 'auth': {'type': 'bearer', 'token': 'tok'}";
	struct rw_config *cfg = load_two(base, base);

	cr_assert(rw_json_spec_equal(rw_json_spec_of(&cfg->sources[0]),
				     rw_json_spec_of(&cfg->sources[1])));
	cr_assert(rw_json_spec_equal(NULL, NULL));
	cr_assert_not(rw_json_spec_equal(rw_json_spec_of(&cfg->sources[0]), NULL));
	rw_config_free(cfg);
	for (size_t i = 0; i < sizeof(changed) / sizeof(changed[0]); i++) {
		cfg = load_two(base, changed[i]);
		cr_assert_not(rw_json_spec_equal(rw_json_spec_of(&cfg->sources[0]),
						 rw_json_spec_of(&cfg->sources[1])),
			      "%s", changed[i]);
		rw_config_free(cfg);
	}
}
