/*
 * item: one normalised inbound item (a mention, comment or review) or brand
 * reply, as connectors and POST /ingest produce it. Platform ids stay
 * strings; times are milliseconds since the Unix epoch, from the platform.
 */
#ifndef REPLYWATCH_ITEM_H
#define REPLYWATCH_ITEM_H

#include <stdbool.h>
#include <stdint.h>

struct rw_item {
	char *id;              /* platform id, required */
	int64_t created_at_ms; /* platform time, required */
	char *author;          /* platform handle or id, required */
	bool has_followers;
	int64_t author_followers;
	char *text;            /* plain text (may be NULL) */
	char *url;             /* link to the item (may be NULL) */
	unsigned kind;         /* enum rw_kind bit; mention when not given */
	char *conversation_id; /* may be NULL */
	bool has_rating;
	int rating; /* 1..5 for reviews */
	/* A brand reply sets these: */
	bool from_brand;
	char *in_reply_to; /* the platform id replied to */
};

/* Longest platform id (item ids, conversation ids, the id a reply answers)
 * a connector accepts, in bytes: ids become part of Redis keys, cursors
 * and log lines. Bluesky's at:// URIs are the longest (~70 bytes usually). */
#define RW_ITEM_ID_MAX 512

/* True when id may become part of a Redis key, a cursor or a log line: 1 to
 * RW_ITEM_ID_MAX bytes of printable ASCII other than space and '|' (the
 * separator of the reply log's values). Each connector checks its
 * platform's own, narrower format on top (x.h, mastodon.h, bluesky.h). */
bool rw_item_id_valid(const char *id);

/* Frees the strings of item (not item itself) and zeroes it. */
void rw_item_clear(struct rw_item *item);

#endif
