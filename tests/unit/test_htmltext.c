/*
 * test_htmltext: a status's HTML content as plain text (rw_html_to_text):
 * tags dropped, entities decoded, <br> and paragraphs as newlines, white
 * space as a browser shows it, UTF-8 kept, and malformed markup never
 * fatal. Also runs under ASan (LeakSanitizer checks the libxml2 document
 * is freed).
 */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "replywatch/sources/htmltext.h"

/* The text of len bytes of html (may be NULL when len is 0) must be want. */
static void
expect_text_len(const char *html, size_t len, const char *want)
{
	char *got = rw_html_to_text(html, len);
	const char *shown = html != NULL ? html : "";

	cr_assert_not_null(got, "NULL for %.*s", (int)len, shown);
	cr_assert_str_eq(got, want, "%.*s", (int)len, shown);
	free(got);
}

static void
expect_text(const char *html, const char *want)
{
	expect_text_len(html, strlen(html), want);
}

Test(htmltext, mastodon_mention)
{
	expect_text("<p>Hello <a href=\"x\">@<span>acme</span></a> &amp; co</p>"
		    "<p>second<br>line</p>",
		    "Hello @acme & co\n\nsecond\nline");
}

/* The content of the Mastodon documentation's notification sample. */
Test(htmltext, documented_sample)
{
	expect_text("<p><span class=\"h-card\"><a href=\"https://mastodon.social/@trwnh\" "
		    "class=\"u-url mention\">@<span>trwnh</span></a></span> sup!</p>",
		    "@trwnh sup!");
}

Test(htmltext, empty)
{
	expect_text_len("", 0, "");
	expect_text_len(NULL, 0, "");
	expect_text("<p></p>", "");
	expect_text("   \n\t ", "");
	expect_text("<br><br>", "");
}

Test(htmltext, malformed)
{
	char *got;

	expect_text("<p>unclosed <b>bold<p>next</div></span>", "unclosed bold\n\nnext");
	expect_text("<p>a <a href=\"x>broken</a> b</p>", "a");
	expect_text("</p></p>text<p", "text");
	expect_text("a < b && c > d", "a < b && c > d");
	expect_text("<p>x<!-- a comment --> y</p>", "x y");
	/* How stray brackets are recovered is the parser's business: the text stays. */
	got = rw_html_to_text("<<p>>x", 6);
	cr_assert_not_null(got);
	cr_assert_not_null(strstr(got, ">x"), "got %s", got);
	free(got);
}

Test(htmltext, non_ascii_utf8_kept)
{
	expect_text("<p>caf\xc3\xa9 \xe2\x9c\x93 \xf0\x9f\x9a\x80</p>",
		    "caf\xc3\xa9 \xe2\x9c\x93 \xf0\x9f\x9a\x80");
	/* Entities become UTF-8 too. */
	expect_text("&eacute;&#128512;&nbsp;&lt;p&gt;&quot;&#39;",
		    "\xc3\xa9\xf0\x9f\x98\x80\xc2\xa0<p>\"'");
}

Test(htmltext, white_space)
{
	expect_text("plain  text\n here", "plain text here");
	expect_text("<p>a </p>  <p> b</p>", "a\n\nb");
	expect_text("a<br> b<br><br>c", "a\nb\n\nc");
	expect_text("\n<p>  lead and trail  </p>\n", "lead and trail");
}

Test(htmltext, blocks)
{
	expect_text("<ul><li>one</li><li>two</li></ul>", "one\n\ntwo");
	expect_text("<div>a</div><div>b</div>", "a\n\nb");
	expect_text("<blockquote>quoted</blockquote>reply", "quoted\n\nreply");
	expect_text("<p>code:</p><pre>x  = 1\n  y = 2</pre><p>end</p>",
		    "code:\n\nx  = 1\n  y = 2\n\nend");
	expect_text("<p>a<br></p><p>b</p>", "a\n\nb");
}

Test(htmltext, scripts_dropped)
{
	expect_text("<script>alert(1)</script>hi<style>p{}</style>", "hi");
}

/* Only len bytes are read. */
Test(htmltext, length_respected)
{
	expect_text_len("<p>abc</p><p>def</p>", 10, "abc");
}

/* n nested <div>s around "deep". */
static char *
nested(size_t n, size_t *len)
{
	char *html = malloc(n * 5 + 5);

	cr_assert_not_null(html);
	*len = 0;
	for (size_t i = 0; i < n; i++) {
		memcpy(html + *len, "<div>", 5);
		*len += 5;
	}
	memcpy(html + *len, "deep", 4);
	*len += 4;
	return html;
}

/* Nesting within the parser's depth limit keeps the text; past it (where
 * libxml2 gives up) the walk still neither recurses nor fails. */
Test(htmltext, deep_nesting)
{
	size_t len;
	char *html = nested(200, &len), *got;

	expect_text_len(html, len, "deep");
	free(html);
	html = nested(20000, &len);
	got = rw_html_to_text(html, len);
	cr_assert_not_null(got);
	free(got);
	free(html);
}
