/*
 * htmltext.c: an HTML fragment as plain text, through libxml2's HTML parser
 * (which recovers from any markup and decodes entities).
 *
 * The tree is walked without recursion (malformed input may nest deeply).
 * Outside <pre>, runs of white space become one space, as a browser shows
 * them; <br> is a newline and a block element starts and ends a paragraph
 * (a blank line between two of them). Newlines are owed, not written, until
 * more text follows, so the result neither starts nor ends with them.
 */
#include <limits.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/HTMLparser.h>
#include <libxml/parser.h>
#include <libxml/tree.h>

#include "replywatch/sources/htmltext.h"

struct text {
	char *buf;
	size_t len, cap;
	bool failed;  /* an allocation failed: the result is NULL */
	int newlines; /* owed before the next character */
	bool space;   /* white space seen since the last character */
	int pre;      /* depth inside <pre> */
};

static const char *const blocks[] = {
	"p",  "div", "li", "blockquote", "pre", "ul", "ol", "h1", "h2", "h3",
	"h4", "h5",  "h6", "table",      "tr",  "hr", "dl", "dt", "dd", NULL,
};

static pthread_once_t init_once = PTHREAD_ONCE_INIT;

static void
init_parser(void)
{
	xmlInitParser();
}

static bool
named(const xmlNode *n, const char *name)
{
	return n->name != NULL && strcmp((const char *)n->name, name) == 0;
}

static bool
is_block(const xmlNode *n)
{
	for (size_t i = 0; blocks[i] != NULL; i++)
		if (named(n, blocks[i]))
			return true;
	return false;
}

static void
put(struct text *t, char c)
{
	if (t->failed)
		return;
	if (t->len + 1 >= t->cap) {
		size_t cap = t->cap ? t->cap * 2 : 256;
		char *buf = realloc(t->buf, cap);

		if (buf == NULL) {
			t->failed = true;
			return;
		}
		t->buf = buf;
		t->cap = cap;
	}
	t->buf[t->len++] = c;
}

/* Writes c after what is owed before it: newlines (a line starts without a
 * space), or one space. */
static void
put_char(struct text *t, char c)
{
	if (t->len > 0 && t->newlines > 0) {
		for (; t->newlines > 0; t->newlines--)
			put(t, '\n');
	} else if (t->len > 0 && t->space) {
		put(t, ' ');
	}
	t->newlines = 0;
	t->space = false;
	put(t, c);
}

static bool
is_white(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f';
}

static void
add_text(struct text *t, const char *s)
{
	if (s == NULL)
		return;
	for (; *s != '\0'; s++) {
		if (t->pre > 0) {
			t->space = false;
			put_char(t, *s);
		} else if (is_white(*s)) {
			t->space = true;
		} else {
			put_char(t, *s);
		}
	}
}

/* Owes n newlines at least (a paragraph break: 2). */
static void
owe_break(struct text *t, int n)
{
	if (t->newlines < n)
		t->newlines = n;
	t->space = false;
}

/* Enters node n; returns whether to walk its children. */
static bool
enter(struct text *t, const xmlNode *n)
{
	switch (n->type) {
	case XML_TEXT_NODE:
	case XML_CDATA_SECTION_NODE:
		add_text(t, (const char *)n->content);
		return false;
	case XML_ELEMENT_NODE:
		if (named(n, "script") || named(n, "style"))
			return false;
		if (named(n, "br")) {
			t->newlines++;
			t->space = false;
		} else if (is_block(n)) {
			owe_break(t, 2);
		}
		if (named(n, "pre"))
			t->pre++;
		return true;
	case XML_DOCUMENT_NODE:
	case XML_HTML_DOCUMENT_NODE:
		return true;
	default:
		return false;
	}
}

static void
leave(struct text *t, const xmlNode *n)
{
	if (n->type != XML_ELEMENT_NODE)
		return;
	if (is_block(n))
		owe_break(t, 2);
	if (named(n, "pre"))
		t->pre--;
}

static void
walk(struct text *t, const xmlNode *root)
{
	const xmlNode *n = root;

	while (n != NULL) {
		if (enter(t, n) && n->children != NULL) {
			n = n->children;
			continue;
		}
		for (;;) {
			leave(t, n);
			if (n == root)
				return;
			if (n->next != NULL) {
				n = n->next;
				break;
			}
			n = n->parent;
		}
	}
}

char *
rw_html_to_text(const char *html, size_t len)
{
	struct text t = {0};
	htmlDocPtr doc = NULL;
	size_t start = 0, end;
	char *out;

	if (len > 0) {
		pthread_once(&init_once, init_parser);
		doc = htmlReadMemory(html, len > INT_MAX ? INT_MAX : (int)len, NULL, "UTF-8",
				     HTML_PARSE_NOERROR | HTML_PARSE_NOWARNING | HTML_PARSE_NONET |
					     HTML_PARSE_RECOVER);
	}
	if (doc != NULL) {
		walk(&t, (const xmlNode *)doc);
		xmlFreeDoc(doc);
	}
	if (t.failed)
		goto fail;
	end = t.len;
	while (start < end && is_white(t.buf[start]))
		start++;
	while (end > start && is_white(t.buf[end - 1]))
		end--;
	out = malloc(end - start + 1);
	if (out == NULL)
		goto fail;
	if (end > start)
		memcpy(out, t.buf + start, end - start);
	out[end - start] = '\0';
	free(t.buf);
	return out;
fail:
	free(t.buf);
	return NULL;
}
