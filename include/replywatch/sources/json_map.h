/*
 * json_map: the generic `json` source type, configured rather than coded.
 *
 * struct rw_json_spec is the source's configuration (docs/configuration.md
 * "The `json` type"), parsed and validated when the configuration loads
 * (daemon/sources/json_config.c): every pointer compiled, every secret
 * resolved, so a loaded spec is usable as is. It is owned by the source's
 * configuration (rw_source_config) and read-only afterwards.
 *
 * rw_json_map_page is the pure mapping of one answer of a list request to
 * items (a JSON body in, normalised items and per-item failures out), which
 * the connector (daemon/sources/json.c) and `--try-source` share.
 */
#ifndef REPLYWATCH_SOURCES_JSON_MAP_H
#define REPLYWATCH_SOURCES_JSON_MAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "replywatch/config.h"
#include "replywatch/jsonptr.h"
#include "replywatch/page.h"
#include "replywatch/platform.h"

struct rw_secret;

/* Default and largest max_pages: pages one poll may walk. */
#define RW_JSON_MAX_PAGES_DEFAULT 10
#define RW_JSON_MAX_PAGES_MAX 100

/* The suffix of the id of a reply found on its item (reply_at). */
#define RW_JSON_REPLY_SUFFIX "#reply"

enum rw_json_time {
	RW_JSON_TIME_RFC3339, /* "2026-12-04T10:00:00Z" (a string); the default */
	RW_JSON_TIME_EPOCH_S, /* Unix seconds (an integer, or a string of digits) */
	RW_JSON_TIME_EPOCH_MS /* Unix milliseconds (the same) */
};

enum rw_json_auth_type {
	RW_JSON_AUTH_NONE,   /* no "auth" */
	RW_JSON_AUTH_BEARER, /* Authorization: Bearer TOKEN */
	RW_JSON_AUTH_HEADER, /* NAME: TOKEN */
	RW_JSON_AUTH_QUERY,  /* ?NAME=TOKEN on every request (URLs redacted in logs) */
	RW_JSON_AUTH_BASIC   /* Authorization: Basic base64(USERNAME:PASSWORD) */
};

struct rw_json_auth {
	enum rw_json_auth_type type;
	char *name;                 /* header: the header; query: the parameter; else NULL */
	struct rw_secret *token;    /* bearer, header, query */
	struct rw_secret *username; /* basic (a secret reference too: some APIs put a key there) */
	struct rw_secret *password; /* basic */
};

struct rw_json_header {
	char *name;  /* a token of RFC 9110 field-name characters */
	char *value; /* printable, no CR or LF; no secret: use "auth" for those */
};

/* One request. The URL is absolute (same scheme and host as base_url) or a
 * path joined to base_url, and may hold the placeholders {cursor} (empty on
 * the first page), {page} and {since} (RFC 3339, empty on the first run). */
struct rw_json_request {
	char *url;    /* the URL template as written */
	char *method; /* "GET" (the default) or "POST" */
	char *body;   /* POST only: the body template (same placeholders), or NULL */
	struct rw_json_header *headers;
	size_t nheaders;
};

enum rw_json_paging_type {
	RW_JSON_PAGING_NONE,     /* one page per poll */
	RW_JSON_PAGING_NEXT_URL, /* pointer to the next page's URL */
	RW_JSON_PAGING_CURSOR,   /* pointer to a cursor, sent as param (or {cursor}) */
	RW_JSON_PAGING_PAGE,     /* page numbers: param (or {page}) from start */
	RW_JSON_PAGING_LAST_ITEM /* pointer into the list's last item: the cursor, sent
				  * as param (or {cursor}); Discourse's before=ID */
};

struct rw_json_paging {
	enum rw_json_paging_type type;
	struct rw_jsonptr pointer; /* next_url, cursor: into the answer; last_item: into
				    * the list's last item */
	char *param;               /* cursor, last_item, page: the query parameter; NULL: the URL's
				    * {cursor} / {page} placeholder carries it */
	long start;                /* page: the first page's number (default 1) */
	long per_page;             /* page: items a full page holds (0: not given) */
	char *per_page_param;      /* page: the query parameter per_page goes in, or NULL */
};

/* True when the paging sends a cursor (cursor, last_item). */
static inline bool
rw_json_paging_cursor(const struct rw_json_paging *pg)
{
	return pg->type == RW_JSON_PAGING_CURSOR || pg->type == RW_JSON_PAGING_LAST_ITEM;
}

/* Which items are the brand's: the value at pointer (a string, or an integer
 * compared as its decimal text) equals one of equals. */
struct rw_json_brand {
	struct rw_jsonptr pointer; /* not set: no item is the brand's */
	struct rw_strlist equals;
};

/* Where each item's values are. id, created_at and author are required;
 * the others are "not set" when the configuration leaves them out. */
struct rw_json_fields {
	struct rw_jsonptr id;               /* a string or an integer */
	struct rw_jsonptr created_at;       /* per time_format */
	struct rw_jsonptr author;           /* a string or an integer */
	struct rw_jsonptr text;             /* a string */
	struct rw_jsonptr url;              /* a string; url_template otherwise */
	struct rw_jsonptr rating;           /* an integer 1 to 5 (or a string of one) */
	struct rw_jsonptr conversation_id;  /* a string or an integer */
	struct rw_jsonptr author_followers; /* a non-negative integer */
	struct rw_jsonptr in_reply_to;      /* brand items: the id they answer */
};

/* One list request and how its answers map to items: the source's main
 * request, or its "replies" request. */
struct rw_json_list_spec {
	struct rw_json_request request;
	struct rw_jsonptr items; /* the array of items in the answer ("" = the answer) */
	struct rw_json_fields fields;
	char *url_template;            /* {/pointer} substitutions from the item, or NULL */
	enum rw_json_time time_format; /* replies inherit the source's */
	unsigned kind;                 /* enum rw_kind of the items kept (default mention) */
	struct rw_json_brand brand;
	struct rw_json_paging paging;
	struct rw_jsonptr reply_at; /* main list only: the time the brand replied */
	/* The replies list: items not the brand's are skipped, and with no
	 * brand rule every item is the brand's. */
	bool replies;
};

/* "rate_limit": the headers that carry the API's budget, read like the
 * built-in connectors' (the poller waits for the reset once remaining is
 * 0). Not configured: remaining is NULL. */
enum rw_json_reset {
	RW_JSON_RESET_EPOCH_S, /* Unix seconds (GitHub's X-RateLimit-Reset); the default */
	RW_JSON_RESET_SECONDS, /* seconds from the answer */
	RW_JSON_RESET_RFC3339  /* an RFC 3339 time */
};

struct rw_json_rate_limit {
	char *limit, *remaining, *reset; /* owned header names; limit may be NULL */
	enum rw_json_reset reset_format;
	struct rw_ratelimit_headers headers; /* the same names, as the poller reads them */
};

#define RW_JSON_DIGEST_LEN 32

struct rw_json_spec {
	struct rw_json_auth auth;
	struct rw_json_list_spec list;     /* the main request */
	struct rw_json_list_spec *replies; /* owned: the "replies" request, or NULL */
	long max_pages;                    /* pages one poll may walk (default 10) */
	struct rw_json_rate_limit rate_limit;
	/* SHA-256 of the type's keys of the source object as configured (keys
	 * sorted): two specs with the same digest and the same secret values
	 * ask the same thing (rw_json_spec_equal). */
	unsigned char digest[RW_JSON_DIGEST_LEN];
};

/* True when a and b send the same requests with the same credentials and
 * map the answers alike (a reload that changes any of it makes the source
 * a new one to the poller). NULL equals only NULL. */
bool rw_json_spec_equal(const struct rw_json_spec *a, const struct rw_json_spec *b);

/* The spec of a source of type json (borrowed from src, valid while the
 * configuration is), or NULL for any other source. */
const struct rw_json_spec *rw_json_spec_of(const struct rw_source_config *src);

/* Frees spec (secrets wiped). Accepts NULL. */
void rw_json_spec_free(struct rw_json_spec *spec);

/* One item of an answer that could not be mapped. */
struct rw_json_failure {
	size_t index;        /* the item's index in the list (from 0) */
	const char *field;   /* static: "id", "created_at", ..., or "item" for the item itself */
	const char *pointer; /* borrowed from the spec: the pointer that failed, or NULL */
	char *reason;        /* owned: what went wrong ("token 1 \"id\": no such member") */
	char *id;            /* owned: the item's id when it had a valid one, else NULL */
};

struct rw_json_failures {
	struct rw_json_failure *items; /* owned, in list order */
	size_t n;
};

/* Frees every failure and empties f. Accepts an empty list. */
void rw_json_failures_clear(struct rw_json_failures *f);

/*
 * Maps the answer body[0..len) of a list request to *page and *failures
 * (which must own nothing yet; both are zeroed first).
 *
 * The answer must be JSON no larger than RW_HTTPC_MAX_RESPONSE whose value
 * at spec->items is an array of at most RW_PAGE_MAX_ENTRIES. Each item
 * becomes one rw_item (newest first in the answer, oldest first in page):
 * an inbound item, or a brand reply (from_brand, in_reply_to from
 * fields.in_reply_to, else a conversation-level reply), and for reply_at a
 * second brand reply "ITEMID#reply" answering it. An item whose required
 * pointer fails (or whose value is unusable) is not kept: it is counted in
 * page->rejects (RW_REJECT_ reasons) and described in *failures (index,
 * field, pointer, reason) for the connector's log and `--try-source`.
 * Watermarks (newest/oldest id and time) count every item with a usable
 * id and time. page->next is the paging value: the next URL (next_url) or
 * the cursor (cursor: a string, or an integer's decimal text; last_item:
 * the same, read in the list's last item whether or not that item could
 * be mapped), NULL when the answer (or an empty list) has none, null or
 * "" there (the last page); a value that
 * rw_cursor_token_ok refuses fails the whole answer. The connector still
 * checks a next URL with rw_json_same_origin before following it.
 *
 * Returns 0, or -1 with page and *failures empty and err set ("malformed
 * JSON at line 1 column 2: ...", "/data/items: token 1 \"data\": no such
 * member", "/items is a object, not an array", "answer larger than ...",
 * "out of memory") when the answer as a whole is unusable: nothing of it
 * is taken. err may be NULL when errlen is 0.
 */
int rw_json_map_page(const struct rw_json_list_spec *spec, const char *body, size_t len,
		     struct rw_page *page, struct rw_json_failures *failures, char *err,
		     size_t errlen);

/*
 * Expands a url_template for item into *out (caller frees): each
 * {/pointer} becomes the item's value there (a string, or an integer's
 * decimal text), percent-escaped except for RFC 3986's unreserved bytes.
 * Returns 0 with *out set; 0 with *out NULL when a placeholder's value is
 * absent or null (the item has no URL); -1 with *out NULL and err set when
 * a value is of another type, the template is malformed, or on allocation
 * failure.
 */
int rw_json_expand_template(const char *tmpl, const json_t *item, char **out, char *err,
			    size_t errlen);

/* True when url is an http(s) URL with the same scheme, host and port as
 * base_url (compared without regard to case): a next_url the answer gives
 * is followed only then, so credentials never go to another host. */
bool rw_json_same_origin(const char *url, const char *base_url);

#endif
