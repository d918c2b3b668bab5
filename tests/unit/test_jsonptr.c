/*
 * test_jsonptr: RFC 6901 JSON Pointers (jsonptr.h) — every example of the
 * RFC's section 5, escapes in either order, array indexes with leading
 * zeros, signs and "-", pointers into scalars, and the error texts that
 * name the token at fault. Also runs under ASan.
 */
#include <criterion/criterion.h>
#include <jansson.h>
#include <string.h>

#include "replywatch/jsonptr.h"

/* RFC 6901 section 5's document. */
static const char rfc_doc[] = "{\"foo\": [\"bar\", \"baz\"], \"\": 0, \"a/b\": 1, \"c%d\": 2, "
			      "\"e^f\": 3, \"g|h\": 4, \"i\\\\j\": 5, \"k\\\"l\": 6, \" \": 7, "
			      "\"m~n\": 8}";

static json_t *
load(const char *text)
{
	json_error_t e;
	json_t *doc = json_loads(text, 0, &e);

	cr_assert_not_null(doc, "%s", e.text);
	return doc;
}

/* The value ptr finds in doc; fails the test when it finds nothing. */
static json_t *
get(const json_t *doc, const char *text)
{
	struct rw_jsonptr p;
	char err[256] = "";
	json_t *v;

	cr_assert_eq(rw_jsonptr_compile(&p, text, err, sizeof(err)), 0, "%s: %s", text, err);
	v = rw_jsonptr_get(&p, doc, err, sizeof(err));
	cr_assert_not_null(v, "%s: %s", text, err);
	rw_jsonptr_clear(&p);
	return v;
}

/* The error evaluating text on doc gives. */
static void
get_fails(const json_t *doc, const char *text, const char *want)
{
	struct rw_jsonptr p;
	char err[256] = "";

	cr_assert_eq(rw_jsonptr_compile(&p, text, err, sizeof(err)), 0, "%s: %s", text, err);
	cr_assert_null(rw_jsonptr_get(&p, doc, err, sizeof(err)), "%s resolved", text);
	cr_assert_str_eq(err, want);
	rw_jsonptr_clear(&p);
}

static void
bad(const char *text, const char *want)
{
	struct rw_jsonptr p;
	char err[256] = "";

	cr_assert_not(rw_jsonptr_valid(text, err, sizeof(err)), "%s is valid", text);
	cr_assert_str_eq(err, want);
	memset(&p, 0x5a, sizeof(p));
	err[0] = '\0';
	cr_assert_eq(rw_jsonptr_compile(&p, text, err, sizeof(err)), -1);
	cr_assert_str_eq(err, want);
	cr_assert_null(p.text);
	cr_assert_null(p.tokens);
	cr_assert_eq(p.ntokens, 0);
}

Test(jsonptr, rfc6901_section5)
{
	json_t *doc = load(rfc_doc);

	cr_assert(json_equal(get(doc, ""), doc));
	cr_assert_str_eq(json_string_value(json_array_get(get(doc, "/foo"), 1)), "baz");
	cr_assert_str_eq(json_string_value(get(doc, "/foo/0")), "bar");
	cr_assert_eq(json_integer_value(get(doc, "/")), 0);
	cr_assert_eq(json_integer_value(get(doc, "/a~1b")), 1);
	cr_assert_eq(json_integer_value(get(doc, "/c%d")), 2);
	cr_assert_eq(json_integer_value(get(doc, "/e^f")), 3);
	cr_assert_eq(json_integer_value(get(doc, "/g|h")), 4);
	cr_assert_eq(json_integer_value(get(doc, "/i\\j")), 5);
	cr_assert_eq(json_integer_value(get(doc, "/k\"l")), 6);
	cr_assert_eq(json_integer_value(get(doc, "/ ")), 7);
	cr_assert_eq(json_integer_value(get(doc, "/m~0n")), 8);
	json_decref(doc);
}

Test(jsonptr, tokens_unescaped)
{
	struct rw_jsonptr p;

	cr_assert_eq(rw_jsonptr_compile(&p, "/a~1b/~0~1/~01/", NULL, 0), 0);
	cr_assert(rw_jsonptr_set(&p));
	cr_assert_str_eq(p.text, "/a~1b/~0~1/~01/");
	cr_assert_eq(p.ntokens, 4);
	cr_assert_str_eq(p.tokens[0], "a/b");
	cr_assert_str_eq(p.tokens[1], "~/");
	/* "~01" is "~" then "1", never "/": unescaping is one pass, ~1 first
	 * would turn "~01" into "~1" and then into "/" (RFC 6901 section 4) */
	cr_assert_str_eq(p.tokens[2], "~1");
	cr_assert_str_eq(p.tokens[3], "");
	rw_jsonptr_clear(&p);
	cr_assert_not(rw_jsonptr_set(&p));
	rw_jsonptr_clear(&p); /* twice is fine */

	cr_assert_eq(rw_jsonptr_compile(&p, "", NULL, 0), 0);
	cr_assert(rw_jsonptr_set(&p));
	cr_assert_eq(p.ntokens, 0);
	rw_jsonptr_clear(&p);
}

Test(jsonptr, regression_tilde_order)
{
	json_t *doc = load("{\"~1\": \"tilde-one\", \"/\": \"slash\"}");

	cr_assert_str_eq(json_string_value(get(doc, "/~01")), "tilde-one");
	cr_assert_str_eq(json_string_value(get(doc, "/~1")), "slash");
	json_decref(doc);
}

Test(jsonptr, syntax_errors)
{
	bad("a", "does not start with \"/\" (use \"\" for the whole document)");
	bad("#/a", "does not start with \"/\" (use \"\" for the whole document)");
	bad("/a/~2", "bad escape \"~2\" at token 2");
	bad("/~", "bad escape \"~\" at token 1");
	bad("/a~/b", "bad escape \"~\" at token 1"); /* "~" ends token 1 */
	bad("/x/y/a~x", "bad escape \"~x\" at token 3");
	bad("/~~0", "bad escape \"~~\" at token 1");
	cr_assert(rw_jsonptr_valid("", NULL, 0));
	cr_assert(rw_jsonptr_valid("/", NULL, 0));
	cr_assert(rw_jsonptr_valid("//", NULL, 0));
	cr_assert(rw_jsonptr_valid("/~0~1", NULL, 0));
	cr_assert_not(rw_jsonptr_valid(NULL, NULL, 0));
}

Test(jsonptr, too_long)
{
	char text[RW_JSONPTR_MAX + 2];

	memset(text, 'a', sizeof(text));
	text[0] = '/';
	text[RW_JSONPTR_MAX] = '\0';
	cr_assert(rw_jsonptr_valid(text, NULL, 0));
	text[RW_JSONPTR_MAX] = 'a';
	text[RW_JSONPTR_MAX + 1] = '\0';
	bad(text, "longer than 1024 bytes");
}

Test(jsonptr, array_indexes)
{
	json_t *doc = load("{\"a\": [10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20]}");

	cr_assert_eq(json_integer_value(get(doc, "/a/0")), 10);
	cr_assert_eq(json_integer_value(get(doc, "/a/10")), 20);
	get_fails(doc, "/a/01", "token 2 \"01\": not an array index (array of 11)");
	get_fails(doc, "/a/00", "token 2 \"00\": not an array index (array of 11)");
	get_fails(doc, "/a/+1", "token 2 \"+1\": not an array index (array of 11)");
	get_fails(doc, "/a/-1", "token 2 \"-1\": not an array index (array of 11)");
	get_fails(doc, "/a/ 1", "token 2 \" 1\": not an array index (array of 11)");
	get_fails(doc, "/a/1e0", "token 2 \"1e0\": not an array index (array of 11)");
	get_fails(doc, "/a/", "token 2 \"\": not an array index (array of 11)");
	get_fails(doc, "/a/-", "token 2 \"-\": \"-\" names no element (array of 11)");
	get_fails(doc, "/a/11", "token 2 \"11\": index out of range (array of 11)");
	get_fails(doc, "/a/99999999999999999999999",
		  "token 2 \"99999999999999999999999\": index out of range (array of 11)");
	json_decref(doc);
}

Test(jsonptr, members_and_scalars)
{
	json_t *doc = load("{\"a\": {\"b\": \"s\", \"n\": null, \"0\": 1}, \"x\": 5, \"t\": true}");

	cr_assert(json_is_null(get(doc, "/a/n")));             /* a null that is there is found */
	cr_assert_eq(json_integer_value(get(doc, "/a/0")), 1); /* "0" is a name in an object */
	get_fails(doc, "/a/c", "token 2 \"c\": no such member");
	get_fails(doc, "/b/c", "token 1 \"b\": no such member");
	get_fails(doc, "/a/b/c", "token 3 \"c\": cannot go into a string");
	get_fails(doc, "/x/0", "token 2 \"0\": cannot go into a number");
	get_fails(doc, "/t/0", "token 2 \"0\": cannot go into a boolean");
	get_fails(doc, "/a/n/0", "token 3 \"0\": cannot go into null");
	json_decref(doc);
}

Test(jsonptr, quoted_tokens_are_short_and_clean)
{
	json_t *doc = load("{}");
	char text[128];

	get_fails(doc, "/a\"b\\c\x01", "token 1 \"a\\x22b\\x5cc\\x01\": no such member");
	memset(text, 'z', sizeof(text));
	text[0] = '/';
	text[sizeof(text) - 1] = '\0';
	get_fails(doc, text,
		  "token 1 \"zzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzz...\": no such member");
	json_decref(doc);
}

Test(jsonptr, no_document)
{
	struct rw_jsonptr p;
	char err[64];

	cr_assert_eq(rw_jsonptr_compile(&p, "/a", NULL, 0), 0);
	cr_assert_null(rw_jsonptr_get(&p, NULL, err, sizeof(err)));
	cr_assert_str_eq(err, "no document");
	rw_jsonptr_clear(&p);
}
