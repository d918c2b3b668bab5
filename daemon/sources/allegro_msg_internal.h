/*
 * allegro_msg_internal.h: what the Allegro message parsers share
 * (allegro_threads_parse.c, allegro_issues_parse.c).
 */
#ifndef REPLYWATCH_ALLEGRO_MSG_INTERNAL_H
#define REPLYWATCH_ALLEGRO_MSG_INTERNAL_H

#include <jansson.h>
#include <stdbool.h>

#include "replywatch/page.h"

struct rw_item;

/* Who wrote a message, as its parser decided. */
enum allegro_side {
	ALLEGRO_BUYER,
	ALLEGRO_SELLER,
	ALLEGRO_OTHER, /* Allegro's staff, the system: skipped */
};

/* The common part of one message m of conversation conv written by side:
 * fills *it (buyer: an inbound message linked to url_base + conv; seller: a
 * brand reply to the conversation), or says why it is rejected. The caller
 * has checked m is an object and read its id (valid) and time. */
enum rw_page_entry allegro_msg_item(const json_t *m, const char *id, int64_t created_ms,
				    enum allegro_side side, const char *conv, const char *url_base,
				    struct rw_item *it, const char **why);

/* The JSON array member key of doc: 0 with *list it (borrowed; NULL when
 * absent or null: no entry), -1 with err when it is another type or longer
 * than RW_PAGE_MAX_ENTRIES. */
int allegro_msg_list(const json_t *doc, const char *key, const json_t **list, char *err,
		     size_t errlen);

/* Records what one list entry t gave (followed or skipped: no item either
 * way; a rejected one is counted with its id when it has a valid one).
 * 0, or -1 when e is RW_PAGE_NOMEM or memory fails. */
int allegro_msg_entry_end(struct rw_page *page, enum rw_page_entry e, const char *why,
			  const json_t *t);

/* nextPage.id of a beta answer: 0 with *next a copy or NULL (none), -1
 * with err when it is not a usable token (or out of memory). */
int allegro_msg_next_page(const json_t *doc, char **next, char *err, size_t errlen);

/* The next offset after a full page: a copy of offset + n as text. */
int allegro_msg_next_offset(long long offset, long long n, char **next);

#endif
