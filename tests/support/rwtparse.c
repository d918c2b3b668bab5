/*
 * rwtparse.c: the page parsers' unit tests' shared steps.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "replywatch/config.h"
#include "replywatch/item.h"
#include "replywatch/page.h"

#include "rwtest.h"
#include "rwtparse.h"

char *
rwt_slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf;
	long n;

	cr_assert_not_null(f, "cannot open %s", path);
	cr_assert_eq(fseek(f, 0, SEEK_END), 0);
	n = ftell(f);
	cr_assert_geq(n, 0);
	rewind(f);
	buf = malloc((size_t)n + 1);
	cr_assert_not_null(buf);
	cr_assert_eq(fread(buf, 1, (size_t)n, f), (size_t)n);
	buf[n] = '\0';
	fclose(f);
	*len = (size_t)n;
	return buf;
}

void
rwt_parse_file(rwt_page_parser *fn, const char *path, const char *brand, struct rw_page *page)
{
	size_t len;
	char *body = rwt_slurp(path, &len);
	char err[256] = "";

	cr_assert_eq(fn(body, len, brand, page, err, sizeof(err)), 0, "%s: %s", path, err);
	free(body);
}

void
rwt_parse_ok(rwt_page_parser *fn, const char *body, const char *brand, struct rw_page *page)
{
	char *json = rwt_json_quotes(body);
	char err[256] = "";

	cr_assert_eq(fn(json, strlen(json), brand, page, err, sizeof(err)), 0, "%s: %s", json, err);
	free(json);
}

void
rwt_parse_fails(rwt_page_parser *fn, const char *body, size_t len, const char *brand,
		const char *want, bool prefix, size_t maxlen)
{
	const char *shown = body != NULL ? body : "";
	struct rw_page page;
	char err[256] = "";

	memset(&page, 0xa5, sizeof(page));
	cr_assert_eq(fn(body, len, brand, &page, err, sizeof(err)), -1, "%.*s accepted", (int)len,
		     shown);
	if (prefix)
		cr_assert_eq(strncmp(err, want, strlen(want)), 0,
			     "%.*s: got \"%s\", want \"%s...\"", (int)len, shown, err, want);
	else
		cr_assert_str_eq(err, want, "%.*s", (int)len, shown);
	cr_assert_lt(strlen(err), maxlen, "message too long: %s", err);
	cr_assert_null(page.items);
	cr_assert_eq(page.nitems, 0);
	cr_assert_null(page.newest_id);
	cr_assert_null(page.next);
}

void
rwt_parse_refused(rwt_page_parser *fn, const char *body, const char *brand, const char *want)
{
	struct rw_page page;
	char err[200] = "";

	memset(&page, 0xa5, sizeof(page));
	cr_assert_eq(fn(body, strlen(body), brand, &page, err, sizeof(err)), -1,
		     "a body of %zu bytes was accepted", strlen(body));
	cr_assert_str_eq(err, want);
	cr_assert_null(page.items);
	cr_assert_eq(page.nitems, 0);
	cr_assert_eq(page.nrejects, 0);
}

void
rwt_expect_reject(const struct rw_page *page, size_t i, const char *reason, const char *id)
{
	cr_assert_lt(i, page->nrejects, "reject %zu of %zu", i, page->nrejects);
	cr_assert_str_eq(page->rejects[i].reason, reason, "reject %zu", i);
	if (id == NULL)
		cr_assert_null(page->rejects[i].id, "reject %zu: %s", i, page->rejects[i].id);
	else
		cr_assert_str_eq(page->rejects[i].id, id, "reject %zu", i);
}

char *
rwt_repeat(const char *head, const char *entry, size_t n, const char *tail)
{
	size_t cap = strlen(head) + n * (strlen(entry) + 1) + strlen(tail) + 1, len;
	char *s = malloc(cap);

	cr_assert_not_null(s);
	len = (size_t)snprintf(s, cap, "%s", head);
	for (size_t i = 0; i < n; i++)
		len += (size_t)snprintf(s + len, cap - len, "%s%s", i ? "," : "", entry);
	snprintf(s + len, cap - len, "%s", tail);
	return s;
}

void
rwt_expect_review(const struct rw_item *it, const char *id, int64_t ms, const char *author,
		  int rating, const char *text)
{
	cr_assert_str_eq(it->id, id);
	cr_assert_eq(it->created_at_ms, ms, "%s: %lld", id, (long long)it->created_at_ms);
	cr_assert_str_eq(it->author, author, "%s", id);
	cr_assert(it->has_rating, "%s", id);
	cr_assert_eq(it->rating, rating, "%s", id);
	if (text == NULL)
		cr_assert_null(it->text, "%s: %s", id, it->text);
	else
		cr_assert_str_eq(it->text, text, "%s", id);
	cr_assert_eq(it->kind, RW_KIND_REVIEW);
	cr_assert_str_eq(it->conversation_id, id);
	cr_assert_not(it->from_brand);
	cr_assert_null(it->in_reply_to);
}

void
rwt_expect_reply(const struct rw_item *it, const char *id, int64_t ms, const char *text)
{
	char want[RW_ITEM_ID_MAX + 8];

	snprintf(want, sizeof(want), "%s/reply", id);
	cr_assert_str_eq(it->id, want);
	cr_assert(it->from_brand);
	cr_assert_str_eq(it->in_reply_to, id);
	cr_assert_str_eq(it->conversation_id, id);
	cr_assert_eq(it->created_at_ms, ms, "%s: %lld", want, (long long)it->created_at_ms);
	cr_assert_str_eq(it->text, text);
	cr_assert_not(it->has_rating);
}
