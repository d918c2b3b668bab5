/*
 * test_json_map: the `json` type's mapping of an answer to items
 * (sources/json_map.h), configured as a user would (the spec comes from a
 * loaded configuration): Discourse's /posts.json and /latest.json and
 * GitHub's issue comments from their documented shapes
 * (tests/fixtures/json/), the brand rule, conversation-level and
 * in_reply_to replies, reply_at, the replies list, times in every format,
 * url_template, paging values, per-item failures, and answers that are not
 * usable at all. Also runs under ASan.
 *
 * Inline bodies and configurations are written with ' for " (rwt_json_quotes).
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "replywatch/config.h"
#include "replywatch/httpc.h"
#include "replywatch/item.h"
#include "replywatch/page.h"
#include "replywatch/sources/json_map.h"
#include "replywatch/utf8.h"

#include "rwtest.h"
#include "rwtparse.h"

#define FIXTURES RW_SOURCE_DIR "/tests/fixtures/json/"

static struct rw_config *cfg;

/* The spec of a json source whose own keys are keys (' for "), on
 * https://forum.acme.example; freed by the fini of each test. */
static const struct rw_json_spec *
spec_of(const char *keys)
{
	struct rw_config_errors errs = {0};
	char *doc, *text, *got;

	cr_assert_gt(asprintf(&doc,
			      "{'sources': [{'name': 's', 'type': 'json', "
			      "'base_url': 'https://forum.acme.example', %s}]}",
			      keys),
		     0);
	text = rwt_json_quotes(doc);
	cfg = rw_config_load_string(text, "test.json", &errs);
	got = rwt_config_errors_text(&errs);
	cr_assert_not_null(cfg, "configuration refused:%s", got);
	free(got);
	free(text);
	free(doc);
	return rw_json_spec_of(&cfg->sources[0]);
}

static void
fini(void)
{
	rw_config_free(cfg);
	cfg = NULL;
}

TestSuite(json_map, .fini = fini);

/* Maps body (' for " unless raw) with list, expecting success. */
static void
map_ok(const struct rw_json_list_spec *list, const char *body, bool raw, struct rw_page *page,
       struct rw_json_failures *f)
{
	char *text = raw ? strdup(body) : rwt_json_quotes(body), err[256] = "";

	cr_assert_eq(rw_json_map_page(list, text, strlen(text), page, f, err, sizeof(err)), 0, "%s",
		     err);
	free(text);
}

static void
map_file(const struct rw_json_list_spec *list, const char *name, struct rw_page *page,
	 struct rw_json_failures *f)
{
	size_t len;
	char *body = rwt_slurp(name, &len), err[256] = "";

	cr_assert_eq(rw_json_map_page(list, body, len, page, f, err, sizeof(err)), 0, "%s", err);
	free(body);
}

/* Expects body refused whole with err want, page and failures left empty. */
static void
map_fails(const struct rw_json_list_spec *list, const char *body, size_t len, const char *want)
{
	struct rw_page page;
	struct rw_json_failures f;
	char err[256] = "";

	memset(&page, 0x5a, sizeof(page));
	memset(&f, 0x5a, sizeof(f));
	cr_assert_eq(rw_json_map_page(list, body, len, &page, &f, err, sizeof(err)), -1);
	cr_assert_str_eq(err, want);
	cr_assert_eq(page.nitems, 0);
	cr_assert_null(page.items);
	cr_assert_eq(page.nrejects, 0);
	cr_assert_null(page.next);
	cr_assert_null(page.newest_id);
	cr_assert_eq(f.n, 0);
	cr_assert_null(f.items);
}

static void
expect_item(const struct rw_item *it, const char *id, int64_t ms, const char *author,
	    const char *text, const char *url, const char *conversation)
{
	cr_assert_str_eq(it->id, id);
	cr_assert_eq(it->created_at_ms, ms, "%s: %lld", id, (long long)it->created_at_ms);
	if (author == NULL)
		cr_assert_null(it->author, "%s", id);
	else
		cr_assert_str_eq(it->author, author);
	if (text == NULL)
		cr_assert_null(it->text, "%s", id);
	else
		cr_assert_str_eq(it->text, text);
	if (url == NULL)
		cr_assert_null(it->url, "%s", id);
	else
		cr_assert_str_eq(it->url, url);
	if (conversation == NULL)
		cr_assert_null(it->conversation_id, "%s", id);
	else
		cr_assert_str_eq(it->conversation_id, conversation);
}

static void
expect_failure(const struct rw_json_failures *f, size_t i, size_t index, const char *field,
	       const char *pointer, const char *reason, const char *id)
{
	const struct rw_json_failure *x;

	cr_assert_lt(i, f->n);
	x = &f->items[i];
	cr_assert_eq(x->index, index, "failure %zu: index %zu", i, x->index);
	cr_assert_str_eq(x->field, field);
	if (pointer == NULL)
		cr_assert_null(x->pointer);
	else
		cr_assert_str_eq(x->pointer, pointer);
	cr_assert_str_eq(x->reason, reason);
	if (id == NULL)
		cr_assert_null(x->id);
	else
		cr_assert_str_eq(x->id, id);
}

#define DISCOURSE_POSTS                                                                            \
	"'request': {'url': '/posts.json?before={cursor}'}, 'items': '/latest_posts', "            \
	"'fields': {'id': '/id', 'created_at': '/created_at', 'author': '/username', "             \
	"'text': '/raw', 'conversation_id': '/topic_id'}, "                                        \
	"'url_template': "                                                                         \
	"'https://forum.acme.example/t/{/topic_slug}/{/topic_id}/{/post_number}', "                \
	"'kind': 'comment', 'brand': {'pointer': '/username', 'equals': ['acme_support']}, "       \
	"'paging': {'type': 'last_item', 'pointer': '/id'}"

Test(json_map, discourse_posts)
{
	const struct rw_json_spec *spec = spec_of(DISCOURSE_POSTS);
	struct rw_json_failures f;
	struct rw_page page;

	map_file(&spec->list, FIXTURES "discourse_posts.json", &page, &f);
	cr_assert_eq(page.nentries, 3);
	cr_assert_eq(page.nitems, 3);
	cr_assert_eq(f.n, 0);
	cr_assert_eq(page.nrejects, 0);
	/* Oldest first. */
	expect_item(&page.items[0], "1205", 1796377272550, "anna.b",
		    "After the update to 4.2 sync stops with error 17. Any idea?",
		    "https://forum.acme.example/t/sync-fails-after-update/311/1", "311");
	expect_item(&page.items[1], "1206", 1796378320007, "jkowalski",
		    "Same here, since version 4.2.",
		    "https://forum.acme.example/t/sync-fails-after-update/311/2", "311");
	for (size_t i = 0; i < 2; i++) {
		cr_assert_not(page.items[i].from_brand);
		cr_assert_eq(page.items[i].kind, RW_KIND_COMMENT);
		cr_assert_not(page.items[i].has_rating);
		cr_assert_null(page.items[i].in_reply_to);
	}
	/* The brand's post answers its topic: a conversation-level reply. */
	expect_item(&page.items[2], "1207", 1796379302118, "acme_support",
		    "Thanks for the report: a fix ships on Monday.",
		    "https://forum.acme.example/t/sync-fails-after-update/311/3", "311");
	cr_assert(page.items[2].from_brand);
	cr_assert_null(page.items[2].in_reply_to);
	cr_assert_str_eq(page.newest_id, "1207");
	cr_assert_str_eq(page.oldest_id, "1205");
	cr_assert_eq(page.newest_ms, 1796379302118);
	cr_assert_eq(page.oldest_ms, 1796377272550);
	/* before=ID of the page's last (oldest) post, whichever its author. */
	cr_assert_str_eq(page.next, "1205");
	rw_page_clear(&page);
	rw_json_failures_clear(&f);
}

Test(json_map, discourse_latest_topics)
{
	const struct rw_json_spec *spec =
		spec_of("'request': {'url': '/latest.json'}, 'items': '/topic_list/topics', "
			"'fields': {'id': '/id', 'created_at': '/created_at', 'author': "
			"'/posters/0/user_id', "
			"'text': '/title', 'conversation_id': '/id'}, "
			"'url_template': 'https://forum.acme.example/t/{/slug}/{/id}', "
			"'brand': {'pointer': '/posters/0/user_id', 'equals': ['4']}, "
			"'paging': {'type': 'next_url', 'pointer': '/topic_list/more_topics_url'}");
	struct rw_json_failures f;
	struct rw_page page;

	map_file(&spec->list, FIXTURES "discourse_latest.json", &page, &f);
	cr_assert_eq(page.nentries, 3);
	cr_assert_eq(page.nitems, 3);
	cr_assert_eq(f.n, 0);
	/* The pinned "About" topic, opened by staff (user 4): the brand's. */
	expect_item(&page.items[0], "7", 1767340800000, "4", "About the Support category",
		    "https://forum.acme.example/t/about-the-support-category/7", "7");
	cr_assert(page.items[0].from_brand);
	expect_item(&page.items[1], "311", 1796377272412, "88", "Sync fails after update",
		    "https://forum.acme.example/t/sync-fails-after-update/311", "311");
	expect_item(&page.items[2], "312", 1796382153900, "102",
		    "Export to CSV drops the last column",
		    "https://forum.acme.example/t/export-to-csv-drops-the-last-column/312", "312");
	cr_assert_not(page.items[1].from_brand || page.items[2].from_brand);
	cr_assert_eq(page.items[2].kind, RW_KIND_MENTION); /* the default kind */
	/* A path: the connector joins it to base_url. */
	cr_assert_str_eq(page.next, "/latest?no_definitions=true&page=1");
	cr_assert_str_eq(page.newest_id, "312");
	cr_assert_str_eq(page.oldest_id, "7");
	rw_page_clear(&page);
	rw_json_failures_clear(&f);
}

#define GITHUB                                                                                     \
	"'base_url': 'https://api.github.com', "                                                   \
	"'request': {'url': '/repos/acme/widgets/issues/comments?sort=created&direction=desc', "   \
	"'headers': {'Accept': 'application/vnd.github+json', 'X-GitHub-Api-Version': "            \
	"'2022-11-28'}}, "                                                                         \
	"'auth': {'type': 'bearer', 'token': 'github-token'}, 'items': '', "                       \
	"'fields': {'id': '/id', 'created_at': '/created_at', 'author': '/user/login', "           \
	"'text': '/body', 'url': '/html_url', 'conversation_id': '/issue_url'}, "                  \
	"'kind': 'comment', 'brand': {'pointer': '/author_association', "                          \
	"'equals': ['OWNER', 'MEMBER', 'COLLABORATOR']}, "                                         \
	"'paging': {'type': 'page', 'param': 'page', 'per_page': 100, 'per_page_param': "          \
	"'per_page'}"

/* spec_of's base_url is the forum's: GitHub's is given in keys instead. */
static const struct rw_json_spec *
github_spec(void)
{
	struct rw_config_errors errs = {0};
	char *text = rwt_json_quotes("{'sources': [{'name': 'gh', 'type': 'json', " GITHUB "}]}");
	char *got;

	cfg = rw_config_load_string(text, "test.json", &errs);
	got = rwt_config_errors_text(&errs);
	cr_assert_not_null(cfg, "configuration refused:%s", got);
	free(got);
	free(text);
	return rw_json_spec_of(&cfg->sources[0]);
}

Test(json_map, github_issue_comments)
{
	const struct rw_json_spec *spec = github_spec();
	struct rw_json_failures f;
	struct rw_page page;
	const char *issue58 = "https://api.github.com/repos/acme/widgets/issues/58";

	cr_assert_eq(spec->auth.type, RW_JSON_AUTH_BEARER);
	cr_assert_eq(spec->list.paging.type, RW_JSON_PAGING_PAGE);
	cr_assert_eq(spec->list.paging.per_page, 100);
	cr_assert_eq(spec->list.paging.start, 1);
	map_file(&spec->list, FIXTURES "github_issue_comments.json", &page, &f);
	cr_assert_eq(page.nentries, 4);
	cr_assert_eq(page.nitems, 4);
	cr_assert_eq(f.n, 0);
	expect_item(&page.items[0], "2529985001", 1796382130000, "lee-j",
		    "Widgets crash when the name has an emoji \xf0\x9f\x98\x80",
		    "https://github.com/acme/widgets/issues/58#issuecomment-2529985001", issue58);
	expect_item(&page.items[1], "2529990210", 1796383200000, "tkrol",
		    "Is there a way to set the timeout per request?",
		    "https://github.com/acme/widgets/issues/57#issuecomment-2529990210",
		    "https://api.github.com/repos/acme/widgets/issues/57");
	expect_item(&page.items[2], "2530001877", 1796385704000, "octocat",
		    "I can reproduce this on Linux too.",
		    "https://github.com/acme/widgets/issues/58#issuecomment-2530001877", issue58);
	/* A maintainer's comment answers every open comment of its issue. */
	expect_item(&page.items[3], "2530004411", 1796387405000, "maria-dev",
		    "Thanks! Fixed in #59, released in 1.8.1.",
		    "https://github.com/acme/widgets/issues/58#issuecomment-2530004411", issue58);
	cr_assert(page.items[3].from_brand);
	cr_assert_null(page.items[3].in_reply_to);
	for (size_t i = 0; i < 3; i++)
		cr_assert_not(page.items[i].from_brand);
	cr_assert_null(page.next); /* GitHub pages in the Link header */
	rw_page_clear(&page);
	rw_json_failures_clear(&f);
}

#define BASIC                                                                                      \
	"'request': {'url': '/items'}, 'items': '/items', "                                        \
	"'fields': {'id': '/id', 'created_at': '/at', 'author': '/by'}"

Test(json_map, reply_at_makes_the_brand_reply)
{
	const struct rw_json_spec *spec = spec_of(BASIC ", 'reply_at': '/answered_at'");
	struct rw_json_failures f;
	struct rw_page page;

	map_ok(&spec->list,
	       "{'items': [{'id': 'b', 'at': '2026-12-04T10:00:00Z', 'by': 'u2', "
	       "'answered_at': null}, {'id': 'a', 'at': '2026-12-04T09:00:00Z', 'by': 'u1', "
	       "'answered_at': '2026-12-04T09:30:00.250Z'}]}",
	       false, &page, &f);
	cr_assert_eq(page.nitems, 3);
	expect_item(&page.items[0], "a", 1796374800000, "u1", NULL, NULL, NULL);
	cr_assert_not(page.items[0].from_brand);
	expect_item(&page.items[1], "a#reply", 1796376600250, NULL, NULL, NULL, NULL);
	cr_assert(page.items[1].from_brand);
	cr_assert_str_eq(page.items[1].in_reply_to, "a");
	expect_item(&page.items[2], "b", 1796378400000, "u2", NULL, NULL, NULL);
	cr_assert_not(page.items[2].from_brand);
	rw_page_clear(&page);

	/* An unreadable reply time keeps the item out and says why. */
	map_ok(&spec->list,
	       "{'items': [{'id': 'c', 'at': '2026-12-04T09:00:00Z', 'by': 'u1', "
	       "'answered_at': 'soon'}]}",
	       false, &page, &f);
	cr_assert_eq(page.nitems, 0);
	expect_failure(&f, 0, 0, "reply_at", "/answered_at", "not an RFC 3339 time after 1970",
		       "c");
	rwt_expect_reject(&page, 0, RW_REJECT_BAD_TIME, "c");
	rw_page_clear(&page);
	rw_json_failures_clear(&f);
}

Test(json_map, replies_list)
{
	const struct rw_json_spec *spec = spec_of(
		BASIC ", 'replies': {'request': {'url': '/answers'}, 'items': '/answers', "
		      "'fields': {'id': '/id', 'created_at': '/at', 'in_reply_to': '/question'}, "
		      "'brand': {'pointer': '/role', 'equals': ['staff', '7']}}");
	struct rw_json_failures f;
	struct rw_page page;

	cr_assert_not_null(spec->replies);
	cr_assert(spec->replies->replies);
	map_ok(spec->replies,
	       "{'answers': [{'id': 'r3', 'at': '2026-12-04T10:00:00Z', 'question': 'q2', "
	       "'role': 7}, {'id': 'r2', 'at': '2026-12-04T09:59:00Z', 'question': 'q1', "
	       "'role': 'buyer'}, {'id': 'r1', 'at': '2026-12-04T09:58:00Z', 'question': 'q1', "
	       "'role': 'staff'}]}",
	       false, &page, &f);
	/* The buyer's answer is not the brand's: skipped, but counted. */
	cr_assert_eq(page.nentries, 3);
	cr_assert_eq(page.nitems, 2);
	cr_assert_eq(f.n, 0);
	expect_item(&page.items[0], "r1", 1796378280000, NULL, NULL, NULL, NULL);
	cr_assert(page.items[0].from_brand);
	cr_assert_str_eq(page.items[0].in_reply_to, "q1");
	cr_assert_str_eq(page.items[1].id, "r3");
	cr_assert_str_eq(page.items[1].in_reply_to, "q2");
	cr_assert_str_eq(page.oldest_id, "r1");
	cr_assert_str_eq(page.newest_id, "r3");
	rw_page_clear(&page);
	rw_json_failures_clear(&f);
}

Test(json_map, replies_without_brand_rule_are_all_the_brands)
{
	const struct rw_json_spec *spec =
		spec_of(BASIC ", 'replies': {'request': {'url': '/answers'}, 'items': '', "
			      "'fields': {'id': '/id', 'created_at': '/at', 'in_reply_to': '/q', "
			      "'author': '/by'}}");
	struct rw_json_failures f;
	struct rw_page page;

	map_ok(spec->replies,
	       "[{'id': 'r1', 'at': 1796378280, 'q': 5}, {'id': 'r0', 'at': 1796378270, "
	       "'q': 4, 'by': 'anne'}]",
	       false, &page, &f);
	cr_assert_eq(page.nitems, 0); /* rfc3339 by default: integers are no times */
	cr_assert_eq(f.n, 2);
	expect_failure(&f, 0, 0, "created_at", "/at", "an integer, not a string", "r1");
	rw_page_clear(&page);
	rw_json_failures_clear(&f);
	fini();

	spec = spec_of(BASIC ", 'time_format': 'epoch_s', 'replies': {'request': {'url': "
			     "'/answers'}, 'items': '', 'fields': {'id': '/id', 'created_at': "
			     "'/at', 'in_reply_to': '/q', 'author': '/by'}}");
	cr_assert_eq(spec->replies->time_format, RW_JSON_TIME_EPOCH_S); /* inherited */
	map_ok(spec->replies,
	       "[{'id': 'r1', 'at': 1796378280, 'q': 5}, {'id': 'r0', 'at': 1796378270, "
	       "'q': 4, 'by': 'anne'}]",
	       false, &page, &f);
	cr_assert_eq(page.nitems, 2);
	cr_assert_str_eq(page.items[0].id, "r0");
	cr_assert_str_eq(page.items[0].author, "anne");
	cr_assert_str_eq(page.items[0].in_reply_to, "4");
	cr_assert(page.items[0].from_brand);
	expect_item(&page.items[1], "r1", 1796378280000, NULL, NULL, NULL, NULL);
	cr_assert_str_eq(page.items[1].in_reply_to, "5");
	rw_page_clear(&page);
	rw_json_failures_clear(&f);
}

Test(json_map, time_formats)
{
	const struct rw_json_spec *spec = spec_of(BASIC ", 'time_format': 'epoch_ms'");
	struct rw_json_failures f;
	struct rw_page page;

	map_ok(&spec->list,
	       "{'items': [{'id': 1, 'at': 1796378280123, 'by': 'a'}, "
	       "{'id': 2, 'at': '1796378280124', 'by': 'a'}, {'id': 3, 'at': -5, 'by': 'a'}, "
	       "{'id': 4, 'at': '2026-12-04T10:00:00Z', 'by': 'a'}, "
	       "{'id': 5, 'at': 253402300800000, 'by': 'a'}]}",
	       false, &page, &f);
	cr_assert_eq(page.nitems, 2);
	cr_assert_eq(page.items[0].created_at_ms, 1796378280124); /* oldest first: id 2 */
	cr_assert_eq(page.items[1].created_at_ms, 1796378280123);
	cr_assert_eq(f.n, 3);
	expect_failure(&f, 0, 2, "created_at", "/at", "not a time in Unix milliseconds after 1970",
		       "3");
	expect_failure(&f, 1, 3, "created_at", "/at", "not a time in Unix milliseconds after 1970",
		       "4");
	expect_failure(&f, 2, 4, "created_at", "/at", "not a time in Unix milliseconds after 1970",
		       "5");
	rw_page_clear(&page);
	rw_json_failures_clear(&f);
	fini();

	spec = spec_of(BASIC ", 'time_format': 'epoch_s'");
	map_ok(&spec->list,
	       "{'items': [{'id': 1, 'at': 1796378280, 'by': 'a'}, "
	       "{'id': 2, 'at': 1796378280.25, 'by': 'a'}, {'id': 3, 'at': 0.0001, 'by': 'a'}, "
	       "{'id': 4, 'at': -1.5, 'by': 'a'}]}",
	       false, &page, &f);
	/* A fraction that rounds to 0 ms is no time: nothing is dated 1970. */
	cr_assert_eq(f.n, 2);
	expect_failure(&f, 0, 2, "created_at", "/at", "not a time in Unix seconds after 1970", "3");
	expect_failure(&f, 1, 3, "created_at", "/at", "not a time in Unix seconds after 1970", "4");
	cr_assert_eq(page.nitems, 2);
	cr_assert_eq(page.items[0].created_at_ms, 1796378280250);
	cr_assert_eq(page.items[1].created_at_ms, 1796378280000);
	rw_page_clear(&page);
	rw_json_failures_clear(&f);
	fini();

	spec = spec_of(BASIC);
	map_ok(&spec->list,
	       "{'items': [{'id': 1, 'at': '2026-12-04T11:00:00+01:00', 'by': 'a'}, "
	       "{'id': 2, 'at': '1969-12-31T23:59:59Z', 'by': 'a'}, "
	       "{'id': 3, 'at': '2026-12-04', 'by': 'a'}]}",
	       false, &page, &f);
	cr_assert_eq(page.nitems, 1);
	cr_assert_eq(page.items[0].created_at_ms, 1796378400000);
	expect_failure(&f, 0, 1, "created_at", "/at", "not an RFC 3339 time after 1970", "2");
	expect_failure(&f, 1, 2, "created_at", "/at", "not an RFC 3339 time after 1970", "3");
	rw_page_clear(&page);
	rw_json_failures_clear(&f);
}

Test(json_map, failures_name_index_field_pointer_and_reason)
{
	const struct rw_json_spec *spec =
		spec_of("'request': {'url': '/items'}, 'items': '/data/list', "
			"'fields': {'id': '/meta/id', 'created_at': '/at', 'author': '/by/name', "
			"'text': '/text', 'rating': '/stars', 'author_followers': '/by/followers', "
			"'conversation_id': '/thread'}, 'kind': 'review'");
	struct rw_json_failures f;
	struct rw_page page;

	map_ok(&spec->list,
	       "{'data': {'list': ["
	       /* 0 */ "{'meta': {'id': 'ok1'}, 'at': '2026-12-04T10:00:00Z', "
	       "'by': {'name': 'a', 'followers': 12}, 'stars': 5, 'text': 'great'},"
	       /* 1 */ "{'meta': {}, 'at': '2026-12-04T10:00:00Z', 'by': {'name': 'a'}},"
	       /* 2 */ "{'meta': {'id': 'has space'}, 'at': '2026-12-04T10:00:00Z'},"
	       /* 3 */ "{'meta': {'id': 'x3'}, 'at': 'yesterday', 'by': {'name': 'a'}},"
	       /* 4 */ "{'meta': {'id': 'x4'}, 'at': '2026-12-04T10:00:00Z', 'by': 'a'},"
	       /* 5 */ "{'meta': {'id': 'x5'}, 'at': '2026-12-04T10:00:00Z', "
	       "'by': {'name': 'a'}, 'stars': 6},"
	       /* 6 */ "{'meta': {'id': 'x6'}, 'at': '2026-12-04T10:00:00Z', "
	       "'by': {'name': 'a'}, 'stars': 4, 'text': 7},"
	       /* 7 */ "{'meta': {'id': 'x7'}, 'at': '2026-12-04T10:00:00Z', "
	       "'by': {'name': 'a', 'followers': -1}, 'stars': 4},"
	       /* 8 */ "{'meta': {'id': 'x8'}, 'at': '2026-12-04T10:00:00Z', "
	       "'by': {'name': 'a'}},"
	       /* 9 */ "{'meta': {'id': 'x9'}, 'at': '2026-12-04T10:00:00Z', "
	       "'by': {'name': 'a'}, 'stars': '3', 'thread': 'has|bar'},"
	       /* 10 */ "{'meta': {'id': null}, 'at': '2026-12-04T10:00:00Z'},"
	       /* 11 */ "'not an object',"
	       /* 12 */ "{'meta': {'id': 'ok2'}, 'at': '2026-12-04T09:00:00Z', "
	       "'by': {'name': 'b'}, 'stars': 1.0, 'text': null, 'thread': 99}"
	       "]}}",
	       false, &page, &f);
	cr_assert_eq(page.nentries, 13);
	cr_assert_eq(page.nitems, 2);
	expect_item(&page.items[0], "ok2", 1796374800000, "b", NULL, NULL, "99");
	cr_assert_eq(page.items[0].rating, 1);
	cr_assert_eq(page.items[0].kind, RW_KIND_REVIEW);
	cr_assert_not(page.items[0].has_followers);
	expect_item(&page.items[1], "ok1", 1796378400000, "a", "great", NULL, NULL);
	cr_assert(page.items[1].has_rating);
	cr_assert_eq(page.items[1].rating, 5);
	cr_assert(page.items[1].has_followers);
	cr_assert_eq(page.items[1].author_followers, 12);

	cr_assert_eq(f.n, 11);
	expect_failure(&f, 0, 1, "id", "/meta/id", "token 2 \"id\": no such member", NULL);
	expect_failure(&f, 1, 2, "id", "/meta/id",
		       "not an id (printable ASCII without spaces or \"|\")", NULL);
	expect_failure(&f, 2, 3, "created_at", "/at", "not an RFC 3339 time after 1970", "x3");
	expect_failure(&f, 3, 4, "author", "/by/name", "token 2 \"name\": cannot go into a string",
		       "x4");
	expect_failure(&f, 4, 5, "rating", "/stars", "6 is out of range (1 to 5)", "x5");
	expect_failure(&f, 5, 6, "text", "/text", "an integer, not a string", "x6");
	expect_failure(&f, 6, 7, "author_followers", "/by/followers",
		       "-1 is out of range (0 to 9223372036854775807)", "x7");
	expect_failure(&f, 7, 8, "rating", "/stars", "a review needs a rating of 1 to 5", "x8");
	expect_failure(&f, 8, 9, "conversation_id", "/thread",
		       "not an id (printable ASCII without spaces or \"|\")", "x9");
	expect_failure(&f, 9, 10, "id", "/meta/id", "null", NULL);
	expect_failure(&f, 10, 11, "id", "/meta/id", "token 1 \"meta\": cannot go into a string",
		       NULL);
	/* The page counts them as the metric's reasons, oldest first. */
	cr_assert_eq(page.nrejects, 11);
	rwt_expect_reject(&page, 0, RW_REJECT_NO_ID, NULL);      /* 11 */
	rwt_expect_reject(&page, 1, RW_REJECT_NO_ID, NULL);      /* 10 */
	rwt_expect_reject(&page, 2, RW_REJECT_BAD_ID, "x9");     /* 9 */
	rwt_expect_reject(&page, 3, RW_REJECT_BAD_RATING, "x8"); /* 8 */
	rwt_expect_reject(&page, 8, RW_REJECT_BAD_TIME, "x3");   /* 3 */
	rwt_expect_reject(&page, 9, RW_REJECT_BAD_ID, NULL);     /* 2 */
	/* Watermarks count every readable id and time, kept or not. */
	cr_assert_eq(page.oldest_ms, 1796374800000);
	cr_assert_eq(page.newest_ms, 1796378400000);
	rw_page_clear(&page);
	rw_json_failures_clear(&f);
}

Test(json_map, brand_item_answering_nothing_is_a_failure)
{
	const struct rw_json_spec *spec =
		spec_of("'request': {'url': '/items'}, 'items': '', "
			"'fields': {'id': '/id', 'created_at': '/at', 'author': '/by', "
			"'in_reply_to': '/parent', 'conversation_id': '/topic'}, "
			"'brand': {'pointer': '/by', 'equals': ['acme']}");
	struct rw_json_failures f;
	struct rw_page page;

	map_ok(&spec->list,
	       "[{'id': 3, 'at': '2026-12-04T10:02:00Z', 'by': 'acme'}, "
	       "{'id': 2, 'at': '2026-12-04T10:01:00Z', 'by': 'acme', 'parent': 1, 'topic': 't'}, "
	       "{'id': 1, 'at': '2026-12-04T10:00:00Z', 'by': 'bob', 'topic': 't'}]",
	       false, &page, &f);
	cr_assert_eq(page.nitems, 2);
	cr_assert_not(page.items[0].from_brand);
	cr_assert(page.items[1].from_brand);
	cr_assert_str_eq(page.items[1].in_reply_to, "1");
	cr_assert_str_eq(page.items[1].conversation_id, "t");
	expect_failure(&f, 0, 0, "in_reply_to", "/parent",
		       "the brand's item answers nothing (no in_reply_to, no conversation_id)",
		       "3");
	rw_page_clear(&page);
	rw_json_failures_clear(&f);
}

Test(json_map, ids_from_integers_and_limits)
{
	const struct rw_json_spec *spec = spec_of(BASIC);
	struct rw_json_failures f;
	struct rw_page page;
	char *body, id[RW_ITEM_ID_MAX + 2];

	memset(id, 'i', sizeof(id));
	id[RW_ITEM_ID_MAX] = '\0';
	cr_assert_gt(asprintf(&body,
			      "{\"items\": [{\"id\": \"%s\", \"at\": \"2026-12-04T10:00:00Z\", "
			      "\"by\": 7}, {\"id\": \"%sj\", \"at\": \"2026-12-04T10:00:00Z\", "
			      "\"by\": \"a\"}, {\"id\": -12, \"at\": \"2026-12-04T10:00:00Z\", "
			      "\"by\": \"a\"}, {\"id\": 1.5, \"at\": \"2026-12-04T10:00:00Z\", "
			      "\"by\": \"a\"}, {\"id\": \"a\\u0001b\", \"at\": "
			      "\"2026-12-04T10:00:00Z\", \"by\": \"a\"}, {\"id\": \"\", \"at\": "
			      "\"2026-12-04T10:00:00Z\", \"by\": \"a\"}, {\"id\": \"z\", \"at\": "
			      "\"2026-12-04T10:00:00Z\", \"by\": true}]}",
			      id, id),
		     0);
	map_ok(&spec->list, body, true, &page, &f);
	cr_assert_eq(page.nitems, 2);
	cr_assert_str_eq(page.items[0].id, "-12");
	cr_assert_str_eq(page.items[1].id, id);
	cr_assert_str_eq(page.items[1].author, "7");
	cr_assert_eq(f.n, 5);
	expect_failure(&f, 0, 1, "id", "/id", "longer than 512 bytes", NULL);
	expect_failure(&f, 1, 3, "id", "/id",
		       "a number with a fraction, not a string or an integer", NULL);
	expect_failure(&f, 2, 4, "id", "/id", "not an id (printable ASCII without spaces or \"|\")",
		       NULL);
	expect_failure(&f, 3, 5, "id", "/id", "an empty string", NULL);
	expect_failure(&f, 4, 6, "author", "/by", "a boolean, not a string or an integer", "z");
	rw_page_clear(&page);
	rw_json_failures_clear(&f);
	free(body);
}

Test(json_map, url_template_escapes_and_skips)
{
	const struct rw_json_spec *spec =
		spec_of(BASIC ", 'url_template': 'https://forum.acme.example/t/{/slug}?p={/n}'");
	struct rw_json_failures f;
	struct rw_page page;

	map_ok(&spec->list,
	       "{'items': [{'id': 'a', 'at': '2026-12-04T10:00:00Z', 'by': 'x', "
	       "'slug': 'a b/c?d&e=f%\\u00e9~._-', 'n': 3}, "
	       "{'id': 'b', 'at': '2026-12-04T09:00:00Z', 'by': 'x', 'slug': 's'}, "
	       "{'id': 'c', 'at': '2026-12-04T08:00:00Z', 'by': 'x', 'slug': 's', 'n': [1]}]}",
	       false, &page, &f);
	cr_assert_eq(page.nitems, 2);
	/* No {/n}: no URL, but the item is kept. */
	expect_item(&page.items[0], "b", 1796374800000, "x", NULL, NULL, NULL);
	cr_assert_str_eq(page.items[1].url,
			 "https://forum.acme.example/t/a%20b%2Fc%3Fd%26e%3Df%25%C3%A9~._-?p=3");
	expect_failure(&f, 0, 2, "url", NULL, "{/n}: neither a string nor an integer", "c");
	rw_page_clear(&page);
	rw_json_failures_clear(&f);
}

Test(json_map, expand_template_directly)
{
	json_t *item = json_pack("{s:s, s:{s:i}}", "a/b", "x y", "o", "k", 42);
	char *out, err[128];

	cr_assert_eq(
		rw_json_expand_template("https://h/{/a~1b}/{/o/k}/z", item, &out, err, sizeof(err)),
		0);
	cr_assert_str_eq(out, "https://h/x%20y/42/z");
	free(out);
	cr_assert_eq(rw_json_expand_template("https://h/{/missing}", item, &out, err, sizeof(err)),
		     0);
	cr_assert_null(out);
	cr_assert_eq(rw_json_expand_template("https://h/{/o}", item, &out, err, sizeof(err)), -1);
	cr_assert_str_eq(err, "{/o}: neither a string nor an integer");
	cr_assert_eq(rw_json_expand_template("https://h/{/o", item, &out, err, sizeof(err)), -1);
	cr_assert_str_eq(err, "\"{\" without \"}\"");
	cr_assert_eq(rw_json_expand_template("https://h/{/~2}", item, &out, err, sizeof(err)), -1);
	cr_assert_str_eq(err, "{/~2}: bad escape \"~2\" at token 1");
	cr_assert_null(out);
	json_decref(item);
}

Test(json_map, paging_values)
{
	const struct rw_json_spec *spec =
		spec_of(BASIC ", 'paging': {'type': 'cursor', 'pointer': '/meta/next', "
			      "'param': 'after'}");
	struct rw_json_failures f;
	struct rw_page page;
	char big[1100];

	map_ok(&spec->list, "{'items': [], 'meta': {'next': 'eyJpZCI6MTJ9'}}", false, &page, &f);
	cr_assert_eq(page.nentries, 0);
	cr_assert_str_eq(page.next, "eyJpZCI6MTJ9");
	rw_page_clear(&page);
	map_ok(&spec->list, "{'items': [], 'meta': {'next': 1234}}", false, &page, &f);
	cr_assert_str_eq(page.next, "1234");
	rw_page_clear(&page);
	map_ok(&spec->list, "{'items': [], 'meta': {'next': null}}", false, &page, &f);
	cr_assert_null(page.next);
	map_ok(&spec->list, "{'items': [], 'meta': {'next': ''}}", false, &page, &f);
	cr_assert_null(page.next);
	map_ok(&spec->list, "{'items': []}", false, &page, &f);
	cr_assert_null(page.next);
	map_fails(&spec->list, "{\"items\": [], \"meta\": {\"next\": \"a b\"}}", 38,
		  "paging pointer /meta/next: not a usable next page (1 to 1024 printable "
		  "characters, no space)");
	map_fails(&spec->list, "{\"items\": [], \"meta\": {\"next\": {}}}", 35,
		  "paging pointer /meta/next: neither a string nor an integer");
	memset(big, 'n', sizeof(big));
	memcpy(big, "{\"items\": [], \"meta\": {\"next\": \"", 32);
	memcpy(big + sizeof(big) - 5, "\"}}", 4);
	map_fails(&spec->list, big, strlen(big),
		  "paging pointer /meta/next: not a usable next page (1 to 1024 printable "
		  "characters, no space)");
}

/* last_item: the value at the pointer in the list's last item (the oldest
 * of the page) is the next page's cursor, even when that item is skipped. */
Test(json_map, paging_last_item)
{
	const struct rw_json_spec *spec =
		spec_of(BASIC ", 'paging': {'type': 'last_item', 'pointer': '/id', "
			      "'param': 'before'}");
	const struct rw_json_spec *str;
	struct rw_json_failures f;
	struct rw_page page;

	map_ok(&spec->list,
	       "{'items': [{'id': 30, 'at': '2026-12-04T10:03:00Z', 'by': 'a'},"
	       " {'id': 20, 'at': '2026-12-04T10:02:00Z', 'by': 'b'},"
	       " {'id': 10, 'at': '2026-12-04T10:01:00Z', 'by': 'c'}], 'next': 'x'}",
	       false, &page, &f);
	cr_assert_eq(page.nitems, 3);
	cr_assert_str_eq(page.next, "10");
	rw_page_clear(&page);
	/* An item a field fails on still names the next page. */
	map_ok(&spec->list,
	       "{'items': [{'id': 30, 'at': '2026-12-04T10:03:00Z', 'by': 'a'},"
	       " {'id': 9, 'at': 'yesterday', 'by': 'c'}]}",
	       false, &page, &f);
	cr_assert_eq(page.nitems, 1);
	cr_assert_eq(f.n, 1);
	cr_assert_str_eq(page.next, "9");
	rw_page_clear(&page);
	rw_json_failures_clear(&f);
	/* An empty list, or a last item without the value: the last page. */
	map_ok(&spec->list, "{'items': []}", false, &page, &f);
	cr_assert_null(page.next);
	map_ok(&spec->list, "{'items': null}", false, &page, &f);
	cr_assert_null(page.next);
	map_ok(&spec->list,
	       "{'items': [{'id': 30, 'at': '2026-12-04T10:03:00Z', 'by': 'a'}, {'id': null}]}",
	       false, &page, &f);
	cr_assert_null(page.next);
	rw_page_clear(&page);
	rw_json_failures_clear(&f);
	/* A string cursor; an unusable one fails the answer, naming the last item. */
	fini();
	str = spec_of(BASIC ", 'paging': {'type': 'last_item', 'pointer': '/cur/0', "
			    "'param': 'before'}");
	map_ok(&str->list, "{'items': [{'id': 1, 'at': '2026-12-04T10:03:00Z', 'cur': ['c-1']}]}",
	       false, &page, &f);
	cr_assert_str_eq(page.next, "c-1");
	rw_page_clear(&page);
	rw_json_failures_clear(&f); /* the item has no author: one failure */
	map_fails(&str->list, "{\"items\": [{\"cur\": [\"a b\"]}]}", 29,
		  "paging pointer /cur/0 (last item): not a usable next page (1 to 1024 "
		  "printable characters, no space)");
	map_fails(&str->list, "{\"items\": [{\"cur\": [true]}]}", 28,
		  "paging pointer /cur/0 (last item): neither a string nor an integer");
}

Test(json_map, unusable_answers)
{
	const struct rw_json_spec *spec =
		spec_of("'request': {'url': '/items'}, 'items': '/data/items', "
			"'fields': {'id': '/id', 'created_at': '/at', 'author': '/by'}");
	struct rw_json_failures f;
	struct rw_page page;
	char *body;

	map_fails(&spec->list, "{\"data\": ", 9,
		  "malformed JSON at line 1 column 9: unexpected token near end of file");
	map_fails(&spec->list, NULL, 0,
		  "malformed JSON at line 1 column 0: '[' or '{' expected near end of file");
	map_fails(&spec->list, "{\"data\": {}}", 12,
		  "items /data/items: token 2 \"items\": no such member");
	map_fails(&spec->list, "{\"data\": {\"items\": {}}}", 23,
		  "items /data/items: not an array");
	map_fails(&spec->list, "[1]", 3,
		  "items /data/items: token 1 \"data\": not an array index (array of 1)");
	map_fails(&spec->list, "{}", RW_HTTPC_MAX_RESPONSE + 1, "answer larger than 8388608 bytes");
	body = rwt_repeat("{\"data\": {\"items\": [", "{}", RW_PAGE_MAX_ENTRIES + 1, "]}}");
	map_fails(&spec->list, body, strlen(body), "items /data/items: more than 1000 items");
	free(body);
	/* null: no items at all, as some APIs say it. */
	map_ok(&spec->list, "{'data': {'items': null}}", false, &page, &f);
	cr_assert_eq(page.nentries, 0);
	cr_assert_eq(page.nitems, 0);
	rw_page_clear(&page);
}

Test(json_map, same_origin)
{
	cr_assert(rw_json_same_origin("https://forum.acme.example/latest?page=2",
				      "https://forum.acme.example"));
	cr_assert(
		rw_json_same_origin("HTTPS://Forum.Acme.Example/x", "https://forum.acme.example/"));
	cr_assert(rw_json_same_origin("http://127.0.0.1:8080/a", "http://127.0.0.1:8080"));
	cr_assert_not(rw_json_same_origin("http://127.0.0.1:8081/a", "http://127.0.0.1:8080"));
	cr_assert_not(
		rw_json_same_origin("http://forum.acme.example/x", "https://forum.acme.example"));
	cr_assert_not(rw_json_same_origin("https://forum.acme.example.evil/x",
					  "https://forum.acme.example"));
	cr_assert_not(rw_json_same_origin("https://forum.acme.example@evil/x",
					  "https://forum.acme.example"));
	cr_assert_not(rw_json_same_origin("/latest?page=2", "https://forum.acme.example"));
	cr_assert_not(rw_json_same_origin("https:///x", "https:///"));
	cr_assert_not(rw_json_same_origin(NULL, "https://forum.acme.example"));
}

/* Found by fuzz_json_map: Jansson's message quotes the bytes of a broken
 * answer, so the error (logged, shown by --try-source) was not UTF-8. */
Test(json_map, regression_malformed_answer_error_is_utf8)
{
	const struct rw_json_spec *spec = spec_of(BASIC);
	static const char body[] = "[1\"\xcb\x92"
				   "5\\\xd3\xa6";
	struct rw_json_failures f;
	struct rw_page page;
	char err[256];

	cr_assert_eq(
		rw_json_map_page(&spec->list, body, sizeof(body) - 1, &page, &f, err, sizeof(err)),
		-1);
	cr_assert(strncmp(err, "malformed JSON at line 1 column ", 32) == 0, "%s", err);
	cr_assert(rw_utf8_valid(err, strlen(err)), "%s", err);
}

/* A failure's reason quotes at most 60 bytes of a placeholder: cut inside a
 * character, it must still be UTF-8. */
Test(json_map, regression_failure_reason_is_utf8)
{
	char keys[512], name[81];
	const struct rw_json_spec *spec;
	struct rw_json_failures f;
	struct rw_page page;
	char *body;

	for (size_t i = 0; i < 40; i++)
		memcpy(name + 2 * i, "\xc3\xa9", 2); /* 40 times U+00E9 */
	name[80] = '\0';
	snprintf(keys, sizeof(keys), BASIC ", 'url_template': 'https://h.example/{/%s}'", name);
	spec = spec_of(keys);
	cr_assert_gt(asprintf(&body,
			      "{\"items\": [{\"id\": \"a\", \"at\": \"2026-12-04T10:00:00Z\", "
			      "\"by\": \"x\", \"%s\": true}]}",
			      name),
		     0);
	map_ok(&spec->list, body, true, &page, &f);
	cr_assert_eq(f.n, 1);
	cr_assert(rw_utf8_valid(f.items[0].reason, strlen(f.items[0].reason)), "%s",
		  f.items[0].reason);
	cr_assert_not_null(strstr(f.items[0].reason, "neither a string nor an integer"), "%s",
			   f.items[0].reason);
	rw_page_clear(&page);
	rw_json_failures_clear(&f);
	free(body);
}
