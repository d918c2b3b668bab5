/*
 * hooks: platform webhooks, GET|POST /hooks/SOURCE on the status server
 * (DESIGN.md "HTTP API"; docs/webhooks.md). The one endpoint meant to face
 * the internet, so it never takes http.token: each platform's own scheme
 * authenticates it instead.
 *
 * One table (rw_hook_platform_for) says which source types take webhooks
 * and how: the subscription handshake a GET answers, the verification of a
 * POST made on the raw body before a byte of it is parsed, and the parser of
 * a delivery into items. A platform joins with one entry (Meta's facebook
 * and instagram today: sources/meta_hook.c).
 *
 * Accepted items go through the same idempotent ingest as polled items
 * (rw_tracker_ingest), so a webhook and a poll that see the same item track
 * it once, and the poll stays the backstop for a lost delivery. Removals
 * are remembered in Redis (hookstore.h), so an add that comes after its
 * own removal, or a poll that still finds the item, tracks nothing; items
 * a delivery names by id only (Instagram mentions) are queued there for
 * the connector to read (connector.h, struct rw_queued_read). A change
 * that cannot be used is logged and counted, never answered with a 5xx
 * (platforms retry those and then turn the subscription off); only Redis
 * being unavailable answers 503, since the platform's retry is then what
 * keeps the item.
 */
#ifndef REPLYWATCH_HOOKS_H
#define REPLYWATCH_HOOKS_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "replywatch/config.h"
#include "replywatch/hookstore.h"
#include "replywatch/ratelimit.h"

struct rw_item;
struct rw_http_server;
struct rw_daemon;

/* The largest delivery taken (Meta batches at most 1000 changes, far less
 * than this); a larger one answers 413 before or while its body is read. */
#define RW_HOOK_MAX_BODY (512 * 1024)

/* What one delivery asks for, as a platform's parser fills it. */
struct rw_hook_batch {
	struct rw_item *items; /* new items and brand replies, to ingest */
	size_t nitems;
	char **removed; /* ids deleted on the platform, to close */
	size_t nremoved;
	struct rw_queued *queued; /* items named without their content, to read from
				     the platform (hookstore.h): queued, not ingested */
	size_t nqueued;
	size_t ignored;  /* changes of kinds not tracked (reactions, likes, ...) */
	size_t unusable; /* changes that could not be used (logged by the parser's caller) */
	char why[160];   /* why the last unusable change was: for the log, no secret */
};

/* Frees what the batch owns and zeroes it. Accepts NULL. */
void rw_hook_batch_clear(struct rw_hook_batch *b);

struct rw_hook_platform {
	enum rw_source_type type;
	/* The header every delivery must carry (its signature): a POST
	 * without it answers 401 from the headers, before the body is read. */
	const char *signature_header;
	/* The source param holding the key that verify uses: a source without
	 * it has no webhook (404). */
	const char *secret_param;
	/* GET: the text to answer 200 with (borrowed from the query) when
	 * the handshake is right, or NULL: 403. query looks up the query
	 * string's arguments. */
	const char *(*handshake)(const struct rw_source_config *src, rw_header_lookup_fn *query,
				 void *arg);
	/* POST: true when signature (the header's value) is right for the raw
	 * body of len bytes. */
	bool (*verify)(const struct rw_source_config *src, const char *signature, const char *body,
		       size_t len);
	/* Parses a verified delivery into out (zeroed by the caller); times
	 * are capped at received_ms. Returns 0, or -1 with a reason in err
	 * when the body is not a delivery at all (out then holds nothing). */
	int (*parse)(const struct rw_source_config *src, const char *body, size_t len,
		     int64_t received_ms, struct rw_hook_batch *out, char *err, size_t errlen);
};

/* The webhook entry of type, or NULL when that type takes none. */
const struct rw_hook_platform *rw_hook_platform_for(enum rw_source_type type);

/* ---- counters (hooks_stats.c), owned by the daemon ---- */

struct rw_hooks;

enum rw_hook_count {
	RW_HOOK_DELIVERIES,    /* POSTs accepted (signature right) */
	RW_HOOK_BAD_SIGNATURE, /* POSTs refused: signature missing or wrong */
	RW_HOOK_REJECTED,      /* POSTs refused otherwise: too large, not a delivery */
	RW_HOOK_HANDSHAKES,    /* GET handshakes answered with the challenge */
	RW_HOOK_HANDSHAKES_REFUSED,
	RW_HOOK_ITEMS,    /* items handed to ingest */
	RW_HOOK_REMOVED,  /* removals handed to close */
	RW_HOOK_QUEUED,   /* items queued to be read from the platform */
	RW_HOOK_IGNORED,  /* changes of kinds not tracked */
	RW_HOOK_UNUSABLE, /* changes that could not be used */
	RW_HOOK_COUNT_MAX
};

/* NULL on allocation failure. */
struct rw_hooks *rw_hooks_new(void);
/* Adds n to source's counter c (source is copied on first use; a failed
 * allocation loses the count, nothing else). */
void rw_hooks_count(struct rw_hooks *h, const char *source, enum rw_hook_count c, size_t n);
/* The counter c of source (0 when never counted). */
uint64_t rw_hooks_get(const struct rw_hooks *h, const char *source, enum rw_hook_count c);
/* /status's "webhooks" object of a source (a new object), or NULL when the
 * source has seen no webhook request. */
json_t *rw_hooks_source_json(const struct rw_hooks *h, const char *source);
/* Appends replywatch_webhook_* metrics in Prometheus text to out. */
void rw_hooks_write_metrics(const struct rw_hooks *h, FILE *out);
void rw_hooks_free(struct rw_hooks *h);

/* Adds GET and POST /hooks/ (hooks.c). d is borrowed for the server's
 * lifetime. Returns 0, or -1 on allocation failure. */
int rw_api_hook_routes(struct rw_http_server *srv, struct rw_daemon *d);

#endif
