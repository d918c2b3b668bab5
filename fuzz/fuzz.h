/*
 * fuzz: what the libFuzzer harnesses of fuzz/ share (header only, so each
 * harness stays one file).
 *
 * A harness checks the contract of its parser beyond "does not crash":
 * RW_FUZZ_CHECK aborts on a broken promise, which libFuzzer reports as a
 * crash and keeps the input of.
 */
#ifndef REPLYWATCH_FUZZ_H
#define REPLYWATCH_FUZZ_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "replywatch/item.h"
#include "replywatch/page.h"
#include "replywatch/utf8.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

#define RW_FUZZ_CHECK(cond)                                                                        \
	do {                                                                                       \
		if (!(cond)) {                                                                     \
			fprintf(stderr, "%s:%d: broken promise: %s\n", __FILE__, __LINE__, #cond); \
			abort();                                                                   \
		}                                                                                  \
	} while (0)

/* data[0..size) as a new NUL-terminated string in a buffer of exactly
 * size + 1 bytes (so ASan sees any read past the terminator); NULL when
 * memory fails. The caller frees. */
static inline char *
rw_fuzz_string(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1);

	if (s != NULL) {
		memcpy(s, data, size);
		s[size] = '\0';
	}
	return s;
}

/* True when s is NULL or valid UTF-8 (what Jansson and Redis replies need). */
static inline int
rw_fuzz_text_ok(const char *s)
{
	return s == NULL || rw_utf8_valid(s, strlen(s));
}

/* The promises every parsed item keeps, whoever made it: an id, a time, and
 * text that a JSON string can hold. Inbound items also have an author. */
static inline void
rw_fuzz_check_item(const struct rw_item *it)
{
	RW_FUZZ_CHECK(it->id != NULL && it->id[0] != '\0');
	RW_FUZZ_CHECK(it->from_brand || it->author != NULL);
	/* A brand reply answers an item, or a whole conversation (Allegro). */
	RW_FUZZ_CHECK(!it->from_brand || it->in_reply_to != NULL || it->conversation_id != NULL);
	RW_FUZZ_CHECK(rw_fuzz_text_ok(it->id) && rw_fuzz_text_ok(it->author));
	RW_FUZZ_CHECK(rw_fuzz_text_ok(it->text) && rw_fuzz_text_ok(it->url));
	RW_FUZZ_CHECK(rw_fuzz_text_ok(it->conversation_id) && rw_fuzz_text_ok(it->in_reply_to));
}

/* The promises of a parsed page: the parser's own counts agree (one entry
 * gives at most per_entry items and rejects: 2 for review pages, where a
 * review brings its brand reply), and every item and watermark is text a
 * JSON string or a Redis key can hold (the watermarks may come from the
 * answer's own meta, so their order is not checked). A failed parse leaves
 * the page zeroed. */
static inline void
rw_fuzz_check_page_per(const struct rw_page *page, int rc, size_t per_entry)
{
	static const struct rw_page zero;

	if (rc != 0) {
		RW_FUZZ_CHECK(memcmp(page, &zero, sizeof(zero)) == 0);
		return;
	}
	RW_FUZZ_CHECK(page->nitems + page->nrejects <= per_entry * page->nentries);
	RW_FUZZ_CHECK(page->nitems == 0 || page->items != NULL);
	for (size_t i = 0; i < page->nitems; i++)
		rw_fuzz_check_item(&page->items[i]);
	for (size_t i = 0; i < page->nrejects; i++) {
		RW_FUZZ_CHECK(page->rejects[i].reason != NULL);
		RW_FUZZ_CHECK(rw_fuzz_text_ok(page->rejects[i].id));
	}
	RW_FUZZ_CHECK(rw_fuzz_text_ok(page->newest_id) && rw_fuzz_text_ok(page->oldest_id));
	RW_FUZZ_CHECK(rw_fuzz_text_ok(page->next));
	RW_FUZZ_CHECK(page->oldest_ms <= page->newest_ms);
}

/* The page of a parser that makes at most one item (or reject) of an entry. */
static inline void
rw_fuzz_check_page(const struct rw_page *page, int rc)
{
	rw_fuzz_check_page_per(page, rc, 1);
}

/* The promises of a review page (sources/review.h), beyond the page's: at
 * most a review and its answer per entry; every review has a rating of 1
 * to 5, an author and an id that id_valid accepts; every answer follows
 * its review and is named "ID/reply"; times are set; the token can be sent
 * back. */
static inline void
rw_fuzz_check_reviews(const struct rw_page *page, int rc, bool (*id_valid)(const char *))
{
	rw_fuzz_check_page_per(page, rc, 2);
	if (rc != 0)
		return;
	for (size_t i = 0; i < page->nitems; i++) {
		const struct rw_item *it = &page->items[i];

		RW_FUZZ_CHECK(rw_item_id_valid(it->id) && it->created_at_ms > 0);
		if (!it->from_brand) {
			RW_FUZZ_CHECK(id_valid(it->id));
			RW_FUZZ_CHECK(it->has_rating && it->rating >= 1 && it->rating <= 5);
			RW_FUZZ_CHECK(it->author != NULL && it->author[0] != '\0');
			continue;
		}
		RW_FUZZ_CHECK(i > 0 && !page->items[i - 1].from_brand);
		RW_FUZZ_CHECK(strcmp(it->in_reply_to, page->items[i - 1].id) == 0);
		RW_FUZZ_CHECK(strncmp(it->id, it->in_reply_to, strlen(it->in_reply_to)) == 0 &&
			      strcmp(it->id + strlen(it->in_reply_to), "/reply") == 0);
	}
	RW_FUZZ_CHECK(page->next == NULL || rw_page_token_valid(page->next));
}

#endif
