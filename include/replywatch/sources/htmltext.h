/*
 * htmltext: an HTML fragment (a Mastodon status's content) as plain text
 * for display, with libxml2's HTML parser: tags dropped, entities decoded,
 * <br> as a newline and paragraphs separated by a blank line.
 */
#ifndef REPLYWATCH_HTMLTEXT_H
#define REPLYWATCH_HTMLTEXT_H

#include <stddef.h>

/* Returns a new string (caller frees), or NULL on allocation failure. Never
 * fails on malformed HTML: whatever text it holds is kept. */
char *rw_html_to_text(const char *html, size_t len);

#endif
