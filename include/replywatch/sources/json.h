/*
 * json: the requests of the generic `json` source (daemon/sources/json.c,
 * json_url.c): URLs from the configured templates and paging, the header
 * lines (the configured ones and the auth), the next page from an answer.
 * The connector polls with them, and `replywatchd --try-source` fetches one
 * page with the very same requests (daemon/trysource.c). The mapping of an
 * answer to items is json_map.h's.
 *
 * Secrets: a client holds the source's auth header line or query value;
 * both are wiped when it is freed. A URL made for query auth holds the
 * secret: it must never be logged as is (rw_json_url_for_log).
 */
#ifndef REPLYWATCH_SOURCES_JSON_H
#define REPLYWATCH_SOURCES_JSON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "replywatch/config.h"
#include "replywatch/sources/json_map.h"

/* A by-time walk goes on this far below the previous walk's newest time,
 * and {since} is the watermark less this: items that an API indexes late
 * (or whose times are rounded to the second) are read again (ingest is
 * idempotent). */
#define RW_JSON_OVERLAP_MS (10 * 60 * 1000)

/* Most header lines of one request: the configured ones plus auth. */
#define RW_JSON_HEADERS_MAX 32

/* The two lists a source may have (struct rw_json_spec). */
enum rw_json_which { RW_JSON_ITEMS, RW_JSON_REPLIES };

struct rw_json_client;

/* A client for src (a json source: rw_json_spec_of(src) set), borrowing its
 * spec and secrets; NULL on allocation failure or when src is not json,
 * with a reason in err (no secret in it). A secret unusable in a header
 * (CR, LF, control bytes) is refused here. */
struct rw_json_client *rw_json_client_new(const struct rw_source_config *src, char *err,
					  size_t errlen);
/* Frees c, wiping its secrets. Accepts NULL. */
void rw_json_client_free(struct rw_json_client *c);

/* The list which of c's source, or NULL when it has none (no replies). */
const struct rw_json_list_spec *rw_json_client_list(const struct rw_json_client *c,
						    enum rw_json_which which);

/* The most pages one walk of a list reads (max_pages; at least 1). */
long rw_json_client_max_pages(const struct rw_json_client *c);

/* The header lines of a request of list which, NULL-terminated, without
 * auth (valid while c is). */
const char *const *rw_json_client_headers(const struct rw_json_client *c, enum rw_json_which which);
/* The auth header line ("Authorization: Bearer ...", "NAME: TOKEN"), or
 * NULL for no auth or query auth (valid while c is; a secret). */
const char *rw_json_client_auth_line(const struct rw_json_client *c);

/* Where a page request of a walk stands. */
struct rw_json_at {
	const char *token; /* the walk's token: a next URL, a cursor or a page
			      number as the paging says; NULL: the first page */
	int64_t since_ms;  /* {since}; 0: empty */
};

/*
 * The URL of the page of list which that at describes (caller frees with
 * rw_json_url_free: it may hold a query secret): a next URL as given (the
 * walk checked its origin), else the template with {cursor}, {page} and
 * {since} escaped, joined to base_url when it is a path, plus the paging
 * and per-page parameters and the query auth. NULL with err on an
 * allocation failure or a next URL of another origin.
 */
char *rw_json_client_url(const struct rw_json_client *c, enum rw_json_which which,
			 const struct rw_json_at *at, char *err, size_t errlen);
void rw_json_url_free(char *url);

/* The body of that request (caller frees): NULL for a GET; for a POST the
 * body template with {cursor}, {page} and {since} replaced by their values
 * escaped for the inside of a JSON string ("" without a template). On
 * allocation failure NULL with *oom set. */
char *rw_json_client_body(const struct rw_json_client *c, enum rw_json_which which,
			  const struct rw_json_at *at, bool *oom);

/* The page number a walk's token stands for under paging (start when
 * token is NULL). */
long rw_json_page_number(const struct rw_json_paging *paging, const char *token);

/*
 * After rw_json_map_page: turns page->next into the token the walk sends
 * back, for list's paging: a next URL resolved against base_url and kept
 * only when it has base_url's scheme, host and port (rw_json_same_origin of
 * json_map.h; else dropped: *refused true, the walk ends there); a cursor as given; for page
 * numbers the next number when the page was full (per_page given) or not empty (not given). page_no
 * is the number of the page just read (page paging). Returns 0, or -1 on allocation failure.
 */
int rw_json_next_token(const struct rw_json_list_spec *list, const char *base_url, long page_no,
		       struct rw_page *page, bool *refused);

/* url without its query and fragment, for logs (caller frees); NULL on
 * allocation failure. Query auth puts the secret there. */
char *rw_json_url_for_log(const char *url);

#endif
