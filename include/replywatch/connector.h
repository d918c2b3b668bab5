/*
 * connector: what a platform connector (sources/mastodon.c, x.c, bluesky.c)
 * gives the poller, and the calls it makes during one poll.
 *
 * A poll reads the source's cursors from Redis, lets the connector sign in
 * if it must (its start function), then walks each of its streams — the
 * inbound items, then the brand's replies — page by page from the newest
 * down to what the previous poll saw, ingests every item found through the
 * tracker, and only then saves the new cursors. A crash at any point
 * re-reads the same pages next time; ingest is idempotent, so nothing is
 * lost and nothing doubled.
 *
 * The poller owns the HTTP client, the schedule, rate limits, backoff and
 * the source's state; the connector only builds requests and parses
 * answers (with the pure parsers of replywatch/sources/). Each connector is
 * part of its platform's descriptor (platform.h).
 */
#ifndef REPLYWATCH_CONNECTOR_H
#define REPLYWATCH_CONNECTOR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "replywatch/config.h"
#include "replywatch/keys.h"

struct rw_poll;
struct rw_page;
struct rw_httpc_response;

/* Where one walk of a stream stands; every string borrowed for the call. */
struct rw_walk {
	const char *watermark; /* what the last finished walk reached (an id, or ms for
				  time-ordered streams); NULL on the first run */
	const char *token;     /* the next page's token/cursor; NULL for the first page */
	int64_t from_ms;       /* first run only: the backfill cutoff (items older are
				  not tracked); 0 otherwise */
	const char *oldest_id; /* the oldest id of the previous page, NULL on the first */
};

/* How a poll ended, for /status, metrics and the schedule. */
enum rw_poll_result {
	RW_POLL_OK,
	RW_POLL_RATE_LIMITED,  /* 429, or an endpoint's budget spent until its reset */
	RW_POLL_SERVER_ERROR,  /* 5xx */
	RW_POLL_NETWORK_ERROR, /* no answer: refused, reset, timed out */
	RW_POLL_AUTH_ERROR,    /* 401/403, or a rejected sign-in: the source is down */
	RW_POLL_CLIENT_ERROR,  /* another 4xx */
	RW_POLL_MALFORMED,     /* an answer that could not be parsed */
	RW_POLL_TOKEN_EXPIRED, /* renewed at once by the next poll */
	RW_POLL_STORE_ERROR,   /* Redis failed: nothing ingested, cursors kept */
	RW_POLL_NO_PROGRESS,   /* a walk that did not move (a token, an id or a time
				  the platform gave again): retried with backoff */
	RW_POLL_RESULT_COUNT
};

/*
 * A stream's fan-out: a list whose entries each need a request of their own
 * (a message thread's messages, an issue's chat). The stream's parser asks
 * for them with rw_page_follow (page.h); after each list page the poller
 * fetches them one by one, in the page's order, within the same poll,
 * skipping those the previous walk saw (rw_page_follow.at_ms), and parses
 * each answer with parse into the same batch of items. Only once every
 * follow-up of the page is read does the walk go on (next page, end); the
 * items are ingested and the cursors move only when the whole poll is read,
 * so a follow-up that fails (any status but 2xx and gone_status, a
 * malformed answer) ends the poll with nothing moved: the next poll reads
 * the same entries again.
 *
 * A follow-up may page: its parser sets page->next (a token for url) when
 * older entries remain. It is read back until a page has no next, repeats
 * the token, reaches what the previous walk saw (by_time streams: its
 * oldest_ms at or below the watermark less the overlap; the backfill
 * cutoff), or max_pages pages were read for it.
 */
struct rw_follow {
	const char *endpoint; /* its name for rate limits and logs ("thread_messages") */
	long gone_status;     /* the status that means the entry is gone (404): skipped;
				 0: none */
	unsigned max_pages;   /* most pages read for one entry (0 counts as 1) */
	/* The URL of entry context's page token (NULL: its first page);
	 * caller frees; NULL on allocation failure. */
	char *(*url)(struct rw_poll *poll, const char *context, const char *token);
	/* Parses the answer to that page of entry context into page (items,
	 * rejects, oldest_ms, next); -1 with err when malformed. */
	int (*parse)(struct rw_poll *poll, const char *context, const char *token, const char *body,
		     size_t len, struct rw_page *page, char *err, size_t errlen);
};

/* One stream of a platform: a paged list read newest first. */
struct rw_stream {
	const char *endpoint; /* its name for rate limits, logs and the fakes ("notifications") */
	char field;           /* its cursor fields' prefix letter in Redis ('n', 'r') */
	bool by_time;         /* watermarks are times (Bluesky); else numeric ids */
	bool token_paging;    /* pages follow page->next; else the oldest id (Mastodon) */
	/* The URL of the page walk describes (caller frees), or NULL (out of memory). */
	char *(*page_url)(struct rw_poll *poll, const struct rw_walk *walk);
	/* Parses an answer into page; -1 with err when malformed. */
	int (*parse)(struct rw_poll *poll, const char *body, size_t len, struct rw_page *page,
		     char *err, size_t errlen);
	/* True when id is one the platform's id format allows for this stream's
	 * watermarks (ids, or for by_time streams ms as digits). A cursor that
	 * fails is never stored, and a stored one that fails is dropped. */
	bool (*cursor_ok)(const char *id);
	/* Review lists (newest first, no "since" parameter): a by_time walk
	 * goes on this far below the watermark, so reviews edited since the
	 * last walk are read again (ingest is idempotent). 0: none. */
	int64_t overlap_ms;
	/* Page-number paging (with token_paging): the walk's token is the
	 * page number (none: page 1), and a page of fewer than per_page
	 * entries is the last. 0: the platform gives page->next. */
	unsigned per_page;
};

/* What a stream may add (struct rw_connector.extras), found by its endpoint. */
struct rw_stream_extra {
	const char *endpoint; /* the stream's (struct rw_stream.endpoint); NULL ends the list */
	/* Header lines of the stream's requests (pages and follow-ups),
	 * NULL-terminated: a media type, say. An "Accept:" line here replaces
	 * the connector's and the default one. NULL: none. */
	const char *const *headers;
	/* The stream's fan-out (struct rw_follow); NULL: none. */
	const struct rw_follow *follow;
	/* A by_time list not ordered by the watermark's time (open issues by
	 * opening date, watermark on their last message): every page is read
	 * each poll (up to the page bound) rather than down to the watermark;
	 * the watermark still skips follow-ups seen already. */
	bool full_walk;
};

/*
 * Optional, for platforms where the brand's answer sits on the item itself
 * (reviews): after the streams, a poll re-reads some of the source's OPEN
 * items by id, oldest first from where the previous poll stopped, at most
 * per_poll of them (less when the endpoint's rate-limit budget is low:
 * poll_revisit_budget), so every open item is read again over successive
 * polls — every poll while they fit — however far below the first page it
 * sits. The position is kept in the cursor fields "vm"/"vi".
 */
struct rw_revisit {
	const char *endpoint; /* its name for rate limits and logs ("review") */
	size_t per_poll;      /* most requests per poll */
	long gone_status;     /* the status that means "deleted on the platform" (404);
				 0: the platform cannot tell */
	/* A status that means "cannot be read now" but not deleted (Google
	 * Play's 404 for a review past its window): the item is skipped and
	 * read again in its turn. 0: none. */
	long skip_status;
	/* True when id (read back from Redis) may be put in a URL. */
	bool (*id_ok)(const char *id);
	/* Optional: true when open item id is another stream's, which this
	 * re-read does not concern (Allegro's buyer messages beside its
	 * ratings): skipped silently. NULL: every open item is re-read. */
	bool (*skip)(const char *id);
	/* The URL that reads item id (caller frees), or NULL (out of memory). */
	char *(*url)(struct rw_poll *poll, const char *id);
	/* Parses the answer about item id: appends its brand reply to page
	 * when it has one (from_brand, in_reply_to id, the platform's time of
	 * the answer); -1 with err when malformed. */
	int (*parse)(struct rw_poll *poll, const char *id, const char *body, size_t len,
		     struct rw_page *page, char *err, size_t errlen);
};

/*
 * Optional, for items a platform pushes by id only (Instagram comment
 * @mentions: the webhook names them, nothing lists them; docs/webhooks.md).
 * The webhook puts them in the source's durable queue (hookstore.h); each
 * poll, before its streams, reads up to per_poll of them oldest first,
 * requests each (url) and parses the answer into items, ingests them (less
 * those removed on the platform meanwhile) and only then takes them off
 * the queue. A rate limit, 5xx or network error ends the poll as usual:
 * the item stays queued. An answer the platform gives for an item that is
 * gone (gone) drops it, logged and counted. Any other failure (a malformed
 * answer, another 4xx) counts a failed read; after max_attempts of them,
 * or max_age_ms after its receipt, the item is tracked with what the
 * webhook gave (its id, conversation, receipt time, author "unknown"), so
 * it is never lost. When per_poll were listed, the next poll comes at
 * once (as after a walk stopped at its page bound). The poll reports read,
 * gone, failed and given_up in /status ("queue").
 */
struct rw_queued;
struct rw_queued_read {
	const char *endpoint;  /* its name for rate limits and logs ("mentions") */
	size_t per_poll;       /* most items read per poll */
	unsigned max_attempts; /* failed reads before tracking what the webhook gave */
	int64_t max_age_ms;    /* ... or this long after the receipt */
	/* True when q's ids may go into a URL (Redis may have been written
	 * by something else); an item that fails is given up at once. */
	bool (*ok)(const struct rw_queued *q);
	/* The URL that reads q (caller frees), or NULL (out of memory). */
	char *(*url)(struct rw_poll *poll, const struct rw_queued *q);
	/* A 400 or 404 answer: true when it says q no longer exists. */
	bool (*gone)(struct rw_poll *poll, const struct rw_httpc_response *resp);
	/* Parses a 2xx answer about q into page (its item; times are capped
	 * at q's receipt by the poller); -1 with err when malformed. */
	int (*parse)(struct rw_poll *poll, const struct rw_queued *q, const char *body, size_t len,
		     struct rw_page *page, char *err, size_t errlen);
};

struct rw_connector {
	const struct rw_stream *streams; /* walked in order: inbound items first */
	size_t nstreams;
	/* Optional: what some streams add (their own headers, a fan-out), each
	 * named by its stream's endpoint, ended by an entry whose endpoint is
	 * NULL; NULL: nothing for any stream. */
	const struct rw_stream_extra *extras;
	/* The source's connector state (a session, the brand's account id):
	 * made when the poller starts the source, freed when it stops. */
	void *(*state_new)(const struct rw_source_config *src);
	void (*state_free)(void *state);
	/* Begins a poll: signs in or looks up the account with rw_poll_request
	 * when needed, then calls rw_poll_walk; or ends it with rw_poll_fail. */
	void (*start)(struct rw_poll *poll);
	/* The "Authorization: ..." header line for the next request, or NULL;
	 * valid until the next call. */
	const char *(*auth_header)(struct rw_poll *poll);
	/* Optional: header lines every request of the source carries, token
	 * requests included (LinkedIn's version headers, the User-Agent Reddit
	 * requires), NULL-terminated; valid until the next call. NULL: none. */
	const char *const *(*headers)(struct rw_poll *poll);
	/* Optional: true when an answer means the access token expired (the
	 * poll then ends and the next one starts at once, after start renews
	 * the session). */
	bool (*token_expired)(struct rw_poll *poll, const struct rw_httpc_response *resp);
	/* Optional: what a non-2xx answer means when the platform says it in
	 * the body rather than the status (Graph's throttling is an error code
	 * on a 400/403; YouTube answers a rejected API key with 400 keyInvalid:
	 * the source is down, and a walk's 400 handling must not drop cursors).
	 * Read before the statuses a caller asked to see: a result other than RW_POLL_OK ends the
	 * poll with it and reason (no secret in it); RW_POLL_OK: the poller's own rules. */
	enum rw_poll_result (*error_result)(struct rw_poll *poll,
					    const struct rw_httpc_response *resp, char *reason,
					    size_t reasonlen);
	/* Optional: false when this source has no stream number i (the json
	 * type walks its replies stream only when a replies request is
	 * configured): the poll skips it and keeps its cursors. NULL: every
	 * stream is walked. */
	bool (*stream_enabled)(struct rw_poll *poll, size_t i);
	/* Optional: the body of the page request whose URL page_url just
	 * made, sent as a POST (a json source with "method": "POST"); NULL
	 * for a GET. Valid until the next call. NULL: every page is a GET. */
	const char *(*page_body)(struct rw_poll *poll);
	/* Optional: re-reads open items by id (struct rw_revisit); NULL: none. */
	const struct rw_revisit *revisit;
	/* Optional: reads items webhooks queued by id (struct rw_queued_read). */
	const struct rw_queued_read *queued;
	/* Platforms whose lists hold only what changed recently (Google Play:
	 * about 7 days): when the source's last finished walk of a stream is
	 * older than this, items may have been missed, and /status (the
	 * source's "warning") and the log say so. The time of each finished
	 * walk is kept in the stream's cursor field "d". 0: no such limit. */
	int64_t list_window_ms;
};

/* The connector of type's platform (platform.h), or NULL when this build
 * has none. */
const struct rw_connector *rw_connector_for(enum rw_source_type type);

/* "ok", "rate_limited", ... as in replywatch_source_polls_total{result}. */
const char *rw_poll_result_name(enum rw_poll_result r);

/* During a poll: */
const struct rw_source_config *rw_poll_source(const struct rw_poll *poll);
void *rw_poll_state(const struct rw_poll *poll);
/* The daemon's clock in ms. */
int64_t rw_poll_now_ms(const struct rw_poll *poll);

/* Called with the answer to a request made with rw_poll_request. The poll
 * has already checked it: status is 2xx, or a 4xx the caller asked to see. */
typedef void rw_poll_answer_fn(struct rw_poll *poll, const struct rw_httpc_response *resp);

/*
 * Sends one request for endpoint (a name for rate limits and logs) with
 * the connector's headers plus extra (NULL-terminated, or NULL), and a body
 * for POST (NULL: GET). When the endpoint's rate-limit budget is spent, the
 * poll ends rate-limited instead. Any answer other than 2xx ends the poll
 * with the matching result, except the statuses listed in see (0-ended
 * array, or NULL), which reach fn like a 2xx.
 */
void rw_poll_request(struct rw_poll *poll, const char *endpoint, const char *url,
		     const char *const *extra, const char *body, const int *see,
		     rw_poll_answer_fn *fn);

/* Walks the connector's streams, ingests and saves the cursors; ends the poll. */
void rw_poll_walk(struct rw_poll *poll);

/* Ends the poll with result and a one-line reason (no secret in it). */
void rw_poll_fail(struct rw_poll *poll, enum rw_poll_result result, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Sets the source's "warning" shown in /status (msg NULL or "": clears
 * it); a new or changed warning is logged at warning level, a cleared one
 * at info. For what a person must act on before it breaks (a grant that
 * ends soon). No secret in msg. */
void rw_poll_warning(struct rw_poll *poll, const char *msg);

/*
 * Secrets a connector keeps in Redis across restarts (a rotating refresh
 * token: docs/signin.md "Rotating refresh tokens"), encrypted with the
 * configuration's secrets_key (vault.h; the source's name is the AAD) under
 * the source's key named in keys.h (RW_KEY_CREDENTIAL). Implemented in
 * poller_secret.c with the poller's store; fn runs exactly once, from a
 * store callback or at once. The value passed to fn is borrowed and wiped
 * when fn returns.
 */
enum rw_poll_secret_status {
	RW_POLL_SECRET_OK,         /* load: value is the secret; save: written */
	RW_POLL_SECRET_NONE,       /* load: nothing stored (value NULL) */
	RW_POLL_SECRET_STORE,      /* Redis failed or is unavailable: nothing changed */
	RW_POLL_SECRET_UNREADABLE, /* load: stored but does not open (another
				      secrets_key or source, or changed), or no
				      secrets_key is configured */
};
typedef void rw_poll_secret_fn(struct rw_poll *poll, enum rw_poll_secret_status status,
			       const char *value, size_t len);
/* Reads and decrypts the source's secret kept under key (a source key of
 * keys.h taking no argument). */
void rw_poll_secret_load(struct rw_poll *poll, enum rw_key key, rw_poll_secret_fn *fn);
/* Encrypts value (len bytes) and writes it in one SET, replacing what was
 * stored; fn gets RW_POLL_SECRET_OK only once Redis confirmed the write. */
void rw_poll_secret_save(struct rw_poll *poll, enum rw_key key, const char *value, size_t len,
			 rw_poll_secret_fn *fn);
/* For /status (the source's "credential"): when the stored credential was
 * last rotated and when it expires (ms; 0: unknown). */
void rw_poll_credential(struct rw_poll *poll, int64_t rotated_ms, int64_t expires_ms);

/* Cursor rules for rw_stream.cursor_ok and page tokens: */
/* True when s is 1 to max decimal digits. */
bool rw_cursor_digits(const char *s, size_t max);
/* True when s is a usable next-page token: 1 to RW_CURSOR_TOKEN_MAX
 * printable ASCII characters, no space. */
#define RW_CURSOR_TOKEN_MAX 1024
bool rw_cursor_token_ok(const char *s);

/* Anything a platform gives that becomes a header (a token, a session id)
 * passes one of these first, or the poll fails: */
/* True when s is non-empty printable ASCII (no CR, LF, NUL or other control). */
bool rw_header_value_ok(const char *s);
/* True when s looks like a JWT: base64url segments separated by dots. */
bool rw_jwt_ok(const char *s);

/* "Authorization: Bearer TOKEN" (caller frees with rw_bearer_free, which
 * wipes it: it holds a secret), or NULL on allocation failure. */
char *rw_bearer_header(const char *token);
void rw_bearer_free(char *header);

/* A URL: base (no trailing slash needed) + path + query built from pairs of
 * name, value (values escaped; NULL values skipped), ending with NULL.
 * Caller frees; NULL on allocation failure. */
char *rw_url_build(const char *base, const char *path, ...) __attribute__((sentinel));

#endif
