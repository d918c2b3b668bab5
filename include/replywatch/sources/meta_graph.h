/*
 * meta_graph: what the facebook and instagram connectors share about
 * Meta's Graph API. Pure: no I/O.
 *
 * The error envelope of every failed call:
 *
 *   {"error": {"message": "...", "type": "OAuthException", "code": 190,
 *              "error_subcode": 463, "fbtrace_id": "..."}}
 *
 * Throttling is not a 429: it is one of a few error codes on a 400 or 403
 * (4 app, 17 user, 32 page, 613 custom, 80001-80014 business use case), so
 * the code decides, not the status. The message is not kept: it may quote
 * the request (and Graph puts the access token in query strings).
 *
 * Usage headers, percentages of the quota spent:
 *
 *   X-App-Usage: {"call_count":28,"total_time":25,"total_cputime":25}
 *   X-Page-Usage: (same shape)
 *   X-Business-Use-Case-Usage: {"PAGEID":[{"type":"pages","call_count":100,
 *       "total_cputime":25,"total_time":25,"estimated_time_to_regain_access":19}]}
 *
 * are read as a limit of 100 with remaining 100 - the highest percentage,
 * and estimated_time_to_regain_access (minutes) as the reset; without one,
 * the reset is an hour ahead (RW_GRAPH_WINDOW_MS): the window rolls, so
 * what is spent now has left it by then.
 *
 * Lists page with {"paging": {"cursors": {"before", "after"}, "next": URL}}:
 * there is a next page only while "next" is present; the connector follows
 * the "after" cursor with its own URL, never the host of an answer.
 */
#ifndef REPLYWATCH_META_GRAPH_H
#define REPLYWATCH_META_GRAPH_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "replywatch/connector.h"
#include "replywatch/page.h"
#include "replywatch/ratelimit.h"

/* The Graph API version in every path the connectors build. */
#define RW_GRAPH_VERSION "v21.0"

/* Graph's usage window: a rolling hour (the Platform rate limits; the
 * Business Use Case windows are longer, and say when access comes back
 * once throttled). */
#define RW_GRAPH_WINDOW_MS (60LL * 60 * 1000)

/* The one rate-limit entry of a Graph source (struct rw_quota.shared):
 * the usage headers report the app's and the Page's share, whichever edge
 * is asked. */
#define RW_GRAPH_USAGE "usage"

/* Longest Graph id accepted ("PAGEID_POSTID_COMMENTID" is far shorter). */
#define RW_GRAPH_ID_MAX 128

struct rw_item;

struct rw_graph_error {
	int code;    /* error.code; 0 when not given */
	int subcode; /* error.error_subcode; 0 when not given */
	bool proof;  /* code 100 whose message names appsecret_proof (missing or
			invalid: Graph gives it no code of its own) */
};

/* What an error means for the source. */
enum rw_graph_error_kind {
	RW_GRAPH_ERROR_OTHER,        /* anything else */
	RW_GRAPH_ERROR_RATE_LIMITED, /* 4, 17, 32, 613, 80001-80014: wait, not down */
	RW_GRAPH_ERROR_TOKEN,        /* 190 (102): the token expired or was revoked */
	RW_GRAPH_ERROR_PERMISSION,   /* 10, 200-299: a permission is missing */
	RW_GRAPH_ERROR_PROOF,        /* 100 about appsecret_proof: app_secret wrong or absent */
};

/* True when id is a Graph object id: 1 to RW_GRAPH_ID_MAX digits, with
 * '_' between parts ("123", "123_456"). */
bool rw_graph_id_valid(const char *id);

/* Reads body as the envelope into *out. Returns 0 when body is an object
 * whose "error" is an object with an integer code; -1 otherwise (*out
 * zeroed). */
int rw_graph_parse_error(const char *body, size_t len, struct rw_graph_error *out);

enum rw_graph_error_kind rw_graph_error_kind(const struct rw_graph_error *err);

/* What a non-2xx answer (status, body) means for a poll, for the
 * connector's error_result: RW_POLL_RATE_LIMITED for throttling codes,
 * RW_POLL_AUTH_ERROR with an actionable reason for 190 and permissions,
 * RW_POLL_OK (the poller's own rules apply) otherwise. reason gets a line
 * without a secret. */
enum rw_poll_result rw_graph_answer_result(long status, const char *body, size_t len, char *reason,
					   size_t reasonlen);

/* appsecret_proof (an app with "Require App Secret"): the hex HMAC-SHA256
 * of the access token keyed with the app secret, 64 digits and a NUL into
 * out. Derived from two secrets: never logged, wiped when no longer needed.
 * Returns 0, or -1 (NULL or empty input, an OpenSSL failure; out is "" then). */
#define RW_GRAPH_PROOF_LEN 64
int rw_graph_appsecret_proof(const char *token, const char *app_secret,
			     char out[RW_GRAPH_PROOF_LEN + 1]);

/* A Graph source's credentials as its connector state (state_new): the
 * "Authorization: Bearer" line of its token and, when the source has an
 * app_secret, the appsecret_proof every call carries. NULL without a
 * token or out of memory. Freed (wiped) with rw_graph_auth_free. */
void *rw_graph_auth_new(const struct rw_source_config *src);
void rw_graph_auth_free(void *state);
/* The header line (auth_header); NULL when state is NULL. */
const char *rw_graph_auth_header(const void *state);
/* The proof for a URL's appsecret_proof, or NULL without app_secret. */
const char *rw_graph_auth_proof(const void *state);

/* How many entries a page of an edge asks for, and how far below its
 * watermark a Page's posts or an account's media are read again (their
 * comments keep coming after they are posted). */
#define RW_GRAPH_PER_PAGE "25"
#define RW_GRAPH_RECENT_MS (7LL * 24 * 60 * 60 * 1000)

/* The URL of one page of edge of the node owner (base_url/VERSION/OWNER/
 * EDGE) with fields, RW_GRAPH_PER_PAGE entries, the page cursor after (NULL:
 * the first page) and auth's appsecret_proof when it has one. Caller frees;
 * NULL when out of memory or owner is too long. */
char *rw_graph_edge_url(const char *base_url, const char *owner, const char *edge,
			const char *fields, const char *after, const void *auth);

/* The usage headers (above) read into out (rw_platform.ratelimit_read). */
void rw_graph_ratelimit_read(rw_header_lookup_fn *lookup, void *arg, int64_t now_ms,
			     struct rw_ratelimit *out);

/* The highest percentage of one usage header's value (either shape), or -1
 * when it holds none; *regain_min gets the longest
 * estimated_time_to_regain_access (0 when none). */
int rw_graph_usage_percent(const char *value, int64_t *regain_min);

/* The next page's "after" cursor of a list answer doc: a copy in *after
 * (caller frees) when paging.next is present and the cursor is a usable
 * token, else NULL. Returns 0, or -1 when paging.next is present but the
 * cursor is missing or unusable (the walk must not go on blind), or on
 * allocation failure. */
int rw_graph_after(const json_t *doc, char **after);

/* Graph's created_time ("2026-12-04T10:00:00+0000") in ms. Returns 0, or
 * -1 (*ms unchanged). RFC 3339 forms are taken too. */
int rw_graph_time_parse(const char *s, int64_t *ms);

/* For the parsers: the names one kind of Graph object gives its parts
 * (Facebook: created_time, message, permalink_url; Instagram: timestamp,
 * text, permalink). */
struct rw_graph_keys {
	const char *time, *text, *url;
};

/* For the parsers: fills it->id (a valid Graph id, first, so a reject
 * names it), created_at_ms, text and url (both may stay NULL) from obj. */
enum rw_page_entry rw_graph_item(const json_t *obj, const struct rw_graph_keys *k,
				 struct rw_item *it, const char **why);

/* For the parsers: one entry of a list answer; appends what it keeps to
 * page (rw_page_keep). Returns 0, or -1 on allocation failure. */
typedef int rw_graph_entry_fn(const json_t *entry, const void *ctx, struct rw_page *page);

/* For the parsers: a list answer {"data": [...], "paging": {...}} into
 * page: each entry, last (oldest) first, through one, its time (key
 * time_key) counted into the page's time watermarks; page->next from
 * rw_graph_after. An entry may bring more than one item (a post and its
 * comments): the answer is refused whole when all of them together
 * exceed RW_PAGE_MAX_ENTRIES. Returns 0, or -1 with err (page zeroed). */
int rw_graph_parse_list(const char *body, size_t len, const char *time_key, rw_graph_entry_fn *one,
			const void *ctx, struct rw_page *page, char *err, size_t errlen);

/* For the parsers: the entries of a nested list obj.key.data (an array),
 * or NULL when absent or not one. */
const json_t *rw_graph_nested(const json_t *obj, const char *key);

#endif
