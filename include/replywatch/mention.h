/*
 * mention: a tracked mention as stored in Redis, decoded, and its JSON form
 * for the HTTP API.
 *
 * The record is one Redis hash per mention with one-letter fields (memory:
 * there may be millions); docs/data-model.md lists them. Times are
 * milliseconds since the Unix epoch.
 */
#ifndef REPLYWATCH_MENTION_H
#define REPLYWATCH_MENTION_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "replywatch/clock.h"

struct redisReply;
struct rw_source_config;
struct rw_item;

enum rw_state {
	RW_STATE_OPEN,
	RW_STATE_WARNING,
	RW_STATE_BREACHED,
	RW_STATE_REPLIED,
	RW_STATE_CLOSED,
	RW_STATE_EXPIRED,
	RW_STATE_COUNT
};

#define RW_MAX_ESCALATIONS 16

/* "open" ... "expired"; and the one-letter code stored in Redis. */
const char *rw_state_name(enum rw_state s);
char rw_state_code(enum rw_state s);
/* From a name or a one-letter code. Returns 0 or -1. */
int rw_state_parse(const char *name, enum rw_state *s);
int rw_state_from_code(char code, enum rw_state *s);
/* True for open, warning and breached: still waiting for the brand. */
bool rw_state_is_open(enum rw_state s);

struct rw_mention {
	char *id; /* platform id */
	/* From the item. */
	unsigned kind; /* enum rw_kind bit */
	char *author;
	bool has_followers;
	int64_t followers;
	char *text;
	char *url;
	int64_t created_ms;
	char *conversation_id;
	bool has_rating;
	int rating;
	/* Tracking. */
	enum rw_state state;
	char *policy;      /* NULL: tracked without an SLA */
	int64_t warn_at;   /* 0: none */
	int64_t breach_at; /* 0: none */
	int64_t escalate_at[RW_MAX_ESCALATIONS];
	size_t nescalate;
	int64_t expire_at;
	bool warned;        /* warning event raised (or skipped as superseded) */
	bool breached;      /* breach event raised */
	unsigned escalated; /* escalation steps raised */
	/* Resolution. */
	int64_t resolved_at; /* reply, close or expiry time; 0 while open */
	bool has_response;
	int64_t response_ms; /* wall */
	int64_t business_ms; /* under the policy calendar */
	char *reply_id;
	char *close_reason;
	long long version; /* bumped by every change (compare-and-set) */
};

/* Decodes a HGETALL reply (flat field/value array) into m (zeroed first).
 * Returns 0, 1 when the reply is empty (no such mention), or -1 when it is
 * malformed. */
int rw_mention_decode(struct rw_mention *m, const char *id, const struct redisReply *fields);

/* Fills the item part of a new mention from item (strings copied). Returns
 * 0 or -1 on allocation failure. */
int rw_mention_from_item(struct rw_mention *m, const struct rw_item *item);

/* The hash fields of every item and tracking field of m, for the apply
 * script's "set" (a new object; NULL on allocation failure). */
json_t *rw_mention_fields(const struct rw_mention *m);

/* The mention as GET /mentions shows it (a new object, NULL on failure).
 * src supplies the platform and labels; key is "SOURCE:ID". */
json_t *rw_mention_to_json(const struct rw_mention *m, const struct rw_source_config *src);

void rw_mention_clear(struct rw_mention *m);

#endif
