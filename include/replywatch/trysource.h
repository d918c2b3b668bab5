/*
 * trysource: `replywatchd --try-source NAME -c FILE` — fetches one page of
 * a source (and one page of its replies request when it has one) with the
 * requests the connector makes, and prints the items exactly as they
 * would be tracked, and every item a pointer failed on. Blocking (libcurl
 * easy); no Redis, no event loop, nothing stored. Today for `json`
 * sources (docs/connectors.md, "Trying a source").
 */
#ifndef REPLYWATCH_TRYSOURCE_H
#define REPLYWATCH_TRYSOURCE_H

#include <stdio.h>

#include "replywatch/config.h"

/* Exit codes of --try-source (README, docs/connectors.md). */
#define RW_TRY_OK 0          /* fetched; every item mapped */
#define RW_TRY_CONFIG 1      /* the configuration is not valid */
#define RW_TRY_USAGE 2       /* bad arguments, no such source, or a type it cannot try */
#define RW_TRY_FETCH 3       /* a request failed or an answer was unusable as a whole */
#define RW_TRY_ITEM_FAILED 4 /* fetched, but a pointer failed on at least one item */

/*
 * Tries source name of cfg: prints to out one comment line per request
 * ("# items: GET URL -> HTTP 200: N entries, K items, F failed", the URL
 * without its query), one JSON object per item (oldest first: list, id,
 * kind, created_at (RFC 3339 with ms), author, url, conversation_id,
 * in_reply_to, from_brand, rating, followers, text), and one comment line
 * per failed item (index, id, field, pointer, reason); problems that end
 * the try go to err. No secret is printed. Returns one of RW_TRY_.
 * curl_global_init must have been called.
 */
int rw_try_source(const struct rw_config *cfg, const char *name, FILE *out, FILE *err);

#endif
