/*
 * rwfake: a fake platform server on loopback for the integration tests and
 * the demo. One process serves every platform of fake_platforms[] (today
 * Mastodon, X, Bluesky, Google's token endpoint, Google Business Profile,
 * Google Play and App Store Connect; their path prefixes do not collide) plus a
 * control API under /_fake/ and a webhook receiver under /hook/.
 *
 * Threads: libmicrohttpd runs one thread per connection and the optional
 * simulator runs one more; every one of them holds st->lock while it reads
 * or changes struct fake_state. Functions below that take a state expect the
 * caller to hold the lock unless their comment says otherwise.
 *
 * Files: fake_main.c (argv, wiring; platform flags from the table),
 * fake_http.c (libmicrohttpd glue), fake_req.c / fake_resp.c (request and
 * answer helpers), fake_platforms.c (the platform table, credential
 * options), fake_route.c (generic routing over the table: auth, rate
 * limits, faults, request log), fake_limits.c (endpoints, rate-limit
 * windows, fault queue), fake_reqlog.c, fake_control.c (the generic control
 * API: fault, config, state, requests, reset, simulator, platforms).
 * One file per platform with its descriptor: fake_mastodon.c, fake_x.c,
 * fake_bluesky.c (+ fake_bsky_auth.c: sessions, JWTs). The social store the
 * three share: fake_store.c (accounts, posts, notifications, ids),
 * fake_actions.c (mentions, replies, posts as the control API and simulator
 * make them), fake_social.c (their control calls and state), fake_sim.c and
 * fake_sim_data.c (the traffic simulator; fake_sim.h is what its files
 * share: fake_sim_feeds.c and fake_sim_meta.c feed the platforms with stores
 * of their own, fake_sim_shop.c feeds Allegro and the Discourse forum,
 * fake_sim_hooks.c sends Meta webhooks). fake_util.c; fake_hook.c and
 * fake_hook_sig.c (the webhook receiver under /hook/).
 * The review platforms (Google Business Profile, Google Play, App Store
 * Connect) and Google's OAuth token endpoint keep their own state in
 * st->own[p]: fake_reviews.h lists their files.
 * Adding a platform: docs/fakes.md, "Adding a platform to the fake".
 */
#ifndef RWFAKE_H
#define RWFAKE_H

#include <jansson.h>
#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* A platform is its index in fake_platforms[] (fake_platforms.c). The social
 * three keep a name because the social store (fake_store.c, fake_actions.c,
 * fake_sim.c) knows them; any other platform is only its table index. */
enum fake_platform { FAKE_MASTODON, FAKE_X, FAKE_BLUESKY };

#define FAKE_MAX_PLATFORMS 16 /* room in the state for this many table entries */
#define FAKE_MAX_ENDPOINTS 12
#define FAKE_MAX_OPTIONS 4 /* credential options per platform */
#define FAKE_TIME_LEN 96   /* room for any timestamp fake_fmt_* writes */

/* The brand accounts. */
#define FAKE_MASTODON_BRAND_ID "109000000000000001"
#define FAKE_MASTODON_BRAND_ACCT "acme"
#define FAKE_MASTODON_DOMAIN "mastodon.example"
#define FAKE_X_BRAND_ID "2244994945"
#define FAKE_X_BRAND_USERNAME "acme"
#define FAKE_BSKY_BRAND_DID "did:plc:acmebrand0000000000000000"

#define FAKE_DEFAULT_RATE_LIMIT 300
#define FAKE_DEFAULT_RATE_WINDOW 300
#define FAKE_MAX_BODY (1024 * 1024)          /* request bodies larger than this get 413 */
#define FAKE_HOOK_MAX_BODY (4 * 1024 * 1024) /* the same for webhook deliveries */

/* ---- fake_util.c: time, ids, encodings, random numbers ---- */

/* Wall-clock time in ms since the epoch. */
int64_t fake_now_ms(void);
/* "2026-11-23T12:05:00.123Z" */
void fake_fmt_ms(int64_t ms, char buf[FAKE_TIME_LEN]);
/* "2026-11-23T12:05:00.123000Z" (Mastodon's X-RateLimit-Reset) */
void fake_fmt_us(int64_t ms, char buf[FAKE_TIME_LEN]);
/* "2026-11-23" */
void fake_fmt_date(int64_t ms, char buf[FAKE_TIME_LEN]);
/* Parses an RFC 3339 time (fraction and offset optional, "Z" or +HH:MM)
 * into ms. Returns 0, or -1 when s is not such a time. */
int fake_parse_time(const char *s, int64_t *ms);

/* Orders numeric id strings: by length, then bytes (leading zeros ignored). */
int fake_id_cmp(const char *a, const char *b);
/* True when s is 1 to maxlen decimal digits. */
bool fake_is_digits(const char *s, size_t maxlen);
/* 64-bit FNV-1a of s. */
uint64_t fake_hash64(const char *s);
/* An AT Protocol TID: 13 base32-sortable chars of us << 10 | clock_id. */
void fake_tid(uint64_t us, unsigned clock_id, char out[14]);
/* A CIDv1 (dag-cbor, sha-256, base32 "bafyrei...") derived from seed. */
void fake_cid(const char *seed, char out[64]);
/* 24 lowercase base32 chars derived from seed (a did:plc identifier). */
void fake_plc_id(const char *seed, char out[25]);
/* base64url without padding of len bytes (caller frees), NULL on failure. */
char *fake_b64url(const void *data, size_t len);
/* Lowercase hex of s / the string a hex text decodes to (caller frees);
 * NULL on failure or a malformed hex text. */
char *fake_hex_encode(const char *s);
char *fake_hex_decode(const char *hex);
/* The value of the hex digit c (either case), or -1. */
int fake_hexval(char c);
/* Makes room in *arr (*cap elements of size) for one more than n: doubles
 * it when full. Returns 0, or -1 on allocation failure (*arr unchanged). */
int fake_grow(void **arr, size_t *cap, size_t n, size_t size);
/* asprintf that returns the string (caller frees) or NULL. */
char *fake_sprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* ASCII case-insensitive prefix test. */
bool fake_has_prefix_ci(const char *s, const char *prefix);

/* A growing string; oom is set (and further appends ignored) when memory runs out. */
struct fake_buf {
	char *s;
	size_t len;
	size_t cap;
	bool oom;
};
void fake_buf_add(struct fake_buf *b, const char *s, size_t n);
void fake_buf_adds(struct fake_buf *b, const char *s);
void fake_buf_addf(struct fake_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Appends s (n bytes) with & < > " ' escaped as HTML entities, newlines as <br />. */
void fake_buf_add_html(struct fake_buf *b, const char *s, size_t n);
/* Returns the string (caller frees) and empties b; NULL when it ran out of memory. */
char *fake_buf_take(struct fake_buf *b);
void fake_buf_free(struct fake_buf *b);

/* A small deterministic generator (splitmix64). */
struct fake_rng {
	uint64_t s;
};
uint64_t fake_rng_next(struct fake_rng *r);
/* Uniform in [0, 1). */
double fake_rng_unit(struct fake_rng *r);
/* Uniform integer in [0, n) (0 when n is 0). */
uint64_t fake_rng_below(struct fake_rng *r, uint64_t n);
/* Exponential with the given mean. */
double fake_rng_exp(struct fake_rng *r, double mean);
/* Standard normal. */
double fake_rng_normal(struct fake_rng *r);

/* ---- fake_req.c / fake_resp.c: one request and its answer ---- */

struct fake_param {
	char *key; /* percent-decoded */
	char *value;
};

struct fake_req {
	char *uri;   /* the raw request target */
	char *path;  /* the part before '?' */
	char *query; /* the raw part after '?', "" when none */
	struct fake_param *params;
	size_t nparams;
	const char *method;
	const char *host;           /* the Host header, or NULL */
	const char *authorization;  /* the Authorization header, or NULL */
	const char *apikey;         /* the apikey header (Trustpilot), or NULL */
	const char *li_version;     /* LinkedIn-Version (LinkedIn), or NULL */
	const char *restli;         /* X-Restli-Protocol-Version (LinkedIn), or NULL */
	const char *user_agent;     /* the User-Agent header (Reddit), or NULL */
	const char *goog_api_key;   /* the X-Goog-Api-Key header (YouTube), or NULL */
	const char *api_key;        /* the Api-Key header (Discourse), or NULL */
	const char *api_username;   /* the Api-Username header (Discourse), or NULL */
	const char *accept;         /* the Accept header (Allegro, GitHub), or NULL */
	const char *gh_api_version; /* the X-GitHub-Api-Version header (GitHub), or NULL */
	char *body;
	size_t body_len;
	size_t body_cap;
	bool body_too_big;
	bool started;
	char capture[128]; /* the path segment a route matched with "*" */
	/* The platform whose route (or prefix) the path is: set before its
	 * auth hook and handler run, so a platform's code knows its index. */
	enum fake_platform platform;
};

/* Splits req->uri into path, query and params. Returns 0 or -1 (out of memory). */
int fake_req_parse_uri(struct fake_req *req);
/* Frees everything the request owns, and req itself. Accepts NULL. */
void fake_req_free(struct fake_req *req);
/* The first value of param key, or NULL. */
const char *fake_param(const struct fake_req *req, const char *key);
/* The n-th value (from 0) of param key, or NULL. */
const char *fake_param_nth(const struct fake_req *req, const char *key, size_t n);
/* The token of "Authorization: Bearer TOKEN"; NULL without the header, ""
 * when the header is not a bearer token. */
const char *fake_req_bearer(const struct fake_req *req);

struct fake_header {
	char *name;
	char *value;
};

#define FAKE_MAX_HEADERS 16

struct fake_resp {
	unsigned status;
	char *body;
	size_t len;
	const char *content_type; /* static string */
	struct fake_header headers[FAKE_MAX_HEADERS];
	size_t nheaders;
	size_t huge_bytes; /* > len: the body is padded with spaces to this size */
	long delay_ms;     /* the answer waits this long */
	bool drop;         /* no answer: the connection is closed instead */
};

/* Sets the answer to value as compact JSON (steals value; NULL means out of memory: 500). */
void fake_resp_json(struct fake_resp *r, unsigned status, json_t *value);
/* Sets the answer to a copy of text. */
void fake_resp_text(struct fake_resp *r, unsigned status, const char *ctype, const char *text);
/* Adds a header (copied; a header already set with that name is replaced). */
void fake_resp_header(struct fake_resp *r, const char *name, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* An error in platform p's usual error body (its descriptor's error hook):
 * Mastodon {"error": msg}; X a problem {"title": name, "detail": msg, "type":
 * "about:blank", "status"}; Bluesky {"error": name, "message": msg}. */
void fake_resp_error(struct fake_resp *r, enum fake_platform p, unsigned status, const char *name,
		     const char *msg);
/* Frees what the answer owns and zeroes it. */
void fake_resp_clear(struct fake_resp *r);

/* ---- state ---- */

struct fake_account {
	char *id;     /* Mastodon/X numeric id, Bluesky DID */
	char *handle; /* Mastodon acct, X username, Bluesky handle */
	char *name;   /* display name */
	long followers;
	long following;
	int64_t created_ms;
};

enum fake_post_kind {
	FAKE_POST_CUSTOMER, /* a customer's post that mentions or answers the brand */
	FAKE_POST_BRAND,    /* a brand post: a reply when parent_id is set */
	FAKE_POST_REPOST,   /* the brand's boost/retweet/repost of subject */
};

struct fake_post {
	enum fake_post_kind kind;
	char *id;  /* status id, tweet id, at-uri */
	char *cid; /* Bluesky */
	size_t author;
	char *text;           /* the plain text as published */
	long mentioned;       /* the account its text mentions, -1 */
	size_t mention_start; /* byte range of "@handle" in text */
	size_t mention_end;
	int64_t created_ms;
	int64_t id_ms;      /* the time its id derives from: created_ms, or now when
			       created_ms is in the future (as servers do) */
	int64_t indexed_ms; /* Bluesky indexedAt (unique per platform); else created_ms */
	long parent;        /* index of the post replied to, -1 */
	char *parent_id;    /* the id replied to (also when unknown), NULL */
	long root;          /* index of the thread root (itself when not a reply), -1 */
	char *root_id;
	long subject;       /* quote or repost: index of the post quoted/reposted, -1 */
	const char *reason; /* Bluesky customer posts: "mention", "reply", "quote" */
};

struct fake_notif {
	char *id;         /* Mastodon: the notification id; Bluesky: the record's at-uri */
	char *cid;        /* Bluesky */
	const char *type; /* Mastodon type, Bluesky reason (static strings) */
	size_t account;   /* who acted */
	long post;        /* Mastodon: the status; Bluesky: the customer post of a
			     mention/reply/quote; -1 */
	long subject;     /* Bluesky like/repost: the brand post; -1 */
	int64_t created_ms;
	int64_t id_ms; /* Bluesky: the time its record key derives from, as for posts */
	int64_t indexed_ms;
};

struct fake_limit {
	long limit;
	long window_s;
	long remaining;
	int64_t reset_ms; /* 0: no window open yet */
};

struct fake_platform_state {
	struct fake_account *accounts; /* [0] is the brand */
	size_t naccounts;
	size_t accounts_cap;
	struct fake_post *posts; /* in insertion order */
	size_t nposts;
	size_t posts_cap;
	struct fake_notif *notifs; /* in insertion order */
	size_t nnotifs;
	size_t notifs_cap;
	int64_t last_notif_ms; /* Mastodon */
	long rate_limit;
	long rate_window_s;
	long page_max;      /* 0: the platform's own maximum */
	bool ignore_paging; /* max_id, until_id, pagination_token, cursor are ignored */
	struct fake_limit limits[FAKE_MAX_ENDPOINTS];
};

enum fake_fault_kind {
	FAKE_F_429,
	FAKE_F_500,
	FAKE_F_502,
	FAKE_F_503,
	FAKE_F_GARBAGE,
	FAKE_F_TRUNCATED,
	FAKE_F_HUGE,
	FAKE_F_SLOW,
	FAKE_F_401,
	FAKE_F_403,
	FAKE_F_ANSWER, /* a scripted answer: status, body and one header as given */
};

#define FAKE_ANSWER_BODY_MAX 8192

struct fake_fault {
	enum fake_platform platform;
	int endpoint; /* -1: any endpoint of the platform */
	enum fake_fault_kind kind;
	long count;
	long reset_in_s;    /* 429: -1 for the platform's window */
	long retry_after_s; /* 429: -1 for none (Bluesky: until the reset) */
	long delay_ms;      /* slow */
	size_t bytes;       /* huge */
	long status;        /* answer */
	char body[FAKE_ANSWER_BODY_MAX];
	char header_name[64]; /* answer: "" for none */
	char header_value[512];
	char param[32]; /* only requests with this query parameter ("": any) */
	bool no_limits; /* the answer carries no rate-limit headers */
};

enum fake_auth { FAKE_AUTH_OK, FAKE_AUTH_MISSING, FAKE_AUTH_WRONG, FAKE_AUTH_EXPIRED };

struct fake_token {
	char *jwt;
	int64_t exp_ms;
	bool refresh;
	bool used; /* a refresh token already exchanged */
};

struct fake_log_entry {
	int64_t at_ms;
	enum fake_platform platform;
	const char *endpoint; /* static */
	char method[8];
	char *query;
	enum fake_auth auth;
	unsigned status;
};

struct fake_options {
	unsigned port;
	bool simulate;
	double rate; /* simulated mentions per minute per platform */
	uint64_t seed;
	long history_s; /* the simulator first replays this much of the past */
	long access_ttl_s;
	/* Credentials: [p][i] is --{name}-{key} of fake_platforms[p]->options[i]. */
	const char *cred[FAKE_MAX_PLATFORMS][FAKE_MAX_OPTIONS];
};

struct fake_state {
	pthread_mutex_t lock;
	pthread_cond_t wake; /* broadcast when stopping or the simulator resumes */
	bool stopping;
	bool sim_paused; /* the simulator makes nothing; its due events wait */
	const struct fake_options *opt;
	struct fake_platform_state p[FAKE_MAX_PLATFORMS]; /* the social store */
	void *own[FAKE_MAX_PLATFORMS]; /* a platform's own state (its reset/free hooks) */
	struct fake_fault *faults;
	size_t nfaults;
	size_t faults_cap;
	struct fake_token *tokens;
	size_t ntokens;
	size_t tokens_cap;
	long access_ttl_s;
	bool x_renamed;
	unsigned char jwt_key[32];
	struct fake_log_entry *log;
	size_t nlog;
	size_t log_cap;
	struct fake_rng rng; /* indexedAt jitter */
	int64_t started_ms;
	uint64_t notif_seq;       /* Mastodon notification ids: never reused, even after a reset */
	struct fake_hooks *hooks; /* the webhook receivers (fake_hook.c), NULL until used */
	struct fake_sim *sim;     /* the running simulator (fake_sim.c), NULL without one */
};

/* ---- fake_store.c ---- */

/* Sets up st (lock, brand accounts, defaults). Returns 0 or -1. */
int fake_state_init(struct fake_state *st, const struct fake_options *opt);
/* Frees everything st owns. */
void fake_state_free(struct fake_state *st);
/* Clears content, faults, the request log and rate counters and restores
 * the default behaviour; keeps the tokens. Returns 0 or -1 (out of memory;
 * the brand accounts may then be missing). */
int fake_state_reset(struct fake_state *st);
/* "mastodon", "x", "bluesky" (its table name; "unknown" out of range); and
 * back (-1 when unknown). */
const char *fake_platform_name(enum fake_platform p);
int fake_platform_from_name(const char *name);

/* The account with that handle, made on first use (followers < 0: keep, or
 * a stable made-up count). Returns its index or -1 (out of memory). */
long fake_account_get(struct fake_state *st, enum fake_platform p, const char *handle,
		      long followers);
/* The index of the account with that id (or, Bluesky, handle), -1. */
long fake_account_find(const struct fake_state *st, enum fake_platform p, const char *id);

/* Adds post (its strings are taken over, also on failure); fills id, cid
 * and indexed_ms from created_ms. Returns its index or -1. */
long fake_post_add(struct fake_state *st, enum fake_platform p, struct fake_post *post);
/* The index of the post with that id, -1. */
long fake_post_find(const struct fake_state *st, enum fake_platform p, const char *id);
/* How many posts reply to / repost / quote post i (counted on demand). */
long fake_post_replies(const struct fake_state *st, enum fake_platform p, size_t i);
long fake_post_reposts(const struct fake_state *st, enum fake_platform p, size_t i);
long fake_post_likes(const struct fake_state *st, enum fake_platform p, size_t i);

/* Adds a notification (strings taken over); fills id (Mastodon: a
 * sequence number growing in insertion order, like Mastodon's own; Bluesky:
 * the record at-uri, the post's own for mention/reply/quote), cid and
 * indexed_ms. Returns its index or -1. */
long fake_notif_add(struct fake_state *st, enum fake_platform p, struct fake_notif *n);

/* A unique Bluesky indexedAt at or after ms. */
int64_t fake_store_unique_indexed(const struct fake_state *st, int64_t ms);

/* ---- fake_actions.c: what the control API and the simulator create ---- */

struct fake_post_args {
	const char *author; /* mentions: the customer's handle */
	long followers;     /* -1: unchanged/made up */
	const char *text;
	int64_t created_ms;      /* 0: now */
	const char *in_reply_to; /* an id, or NULL */
	const char *reason;      /* Bluesky: mention|reply|quote, or NULL */
	const char *repost_of;   /* brand posts: repost/boost/retweet this id */
};

/* A customer mention; *notif gets the notification index (-1 on X).
 * Returns the post index, or -1 with a reason in err. */
long fake_act_mention(struct fake_state *st, enum fake_platform p, const struct fake_post_args *a,
		      long *notif, char *err, size_t errlen);
/* A brand reply to a->in_reply_to (required). */
long fake_act_reply(struct fake_state *st, enum fake_platform p, const struct fake_post_args *a,
		    char *err, size_t errlen);
/* A brand post that is not a reply, or a repost when a->repost_of is set. */
long fake_act_post(struct fake_state *st, enum fake_platform p, const struct fake_post_args *a,
		   char *err, size_t errlen);
/* A non-mention notification: kind favourite|follow|reblog (Mastodon),
 * like|repost|follow (Bluesky; favourite and reblog are accepted as
 * aliases). target: the brand post acted on (NULL: the newest). Returns the
 * notification index or -1 with err. */
long fake_act_other(struct fake_state *st, enum fake_platform p, const char *kind,
		    const char *author, const char *target, int64_t created_ms, char *err,
		    size_t errlen);
/* The public web URL of post i (caller frees), NULL when out of memory. */
char *fake_post_url(const struct fake_state *st, enum fake_platform p, size_t i);

/* ---- fake_limits.c: endpoints, rate-limit windows, faults ---- */

/* The endpoints a platform's rate limits and faults know, by index: the
 * distinct endpoint names of its routes, in order of first use. */
size_t fake_endpoint_count(enum fake_platform p);
const char *fake_endpoint_name(enum fake_platform p, int ep);
int fake_endpoint_index(enum fake_platform p, const char *name);
/* Opens a new window when the current one is over. */
void fake_limit_roll(struct fake_state *st, enum fake_platform p, int ep, int64_t now);
/* {"ENDPOINT": {"limit", "remaining", "reset"}, ...} of p; NULL: out of memory. */
json_t *fake_limits_json(const struct fake_state *st, enum fake_platform p);
/* Restores every window of p to its configured limit. */
void fake_limits_reset(struct fake_state *st, enum fake_platform p);
/* "429" ... "403" to a kind; -1 when unknown. */
int fake_fault_kind_from_name(const char *name);
/* Queues f. Returns 0 or -1 (out of memory). */
int fake_fault_add(struct fake_state *st, const struct fake_fault *f);
/* Takes one use of the first queued fault matching (p, ep) and req (a
 * fault's param) into *out. Returns true when there was one. */
bool fake_fault_take(struct fake_state *st, enum fake_platform p, int ep,
		     const struct fake_req *req, struct fake_fault *out);
/* Drops every queued fault. */
void fake_faults_clear(struct fake_state *st);
/* How many uses are queued for p. */
long fake_faults_pending(const struct fake_state *st, enum fake_platform p);

/* ---- fake_reqlog.c ---- */

/* Logs one platform request; returns its index or -1 (out of memory: not logged). */
long fake_log_add(struct fake_state *st, enum fake_platform p, const char *endpoint,
		  const char *method, const char *query, enum fake_auth auth);
void fake_log_set_status(struct fake_state *st, long i, unsigned status);
/* {"requests":[...]} filtered by platform and endpoint name (NULL or "": any). */
json_t *fake_log_json(const struct fake_state *st, const char *platform, const char *endpoint);
void fake_log_clear(struct fake_state *st);
const char *fake_auth_name(enum fake_auth a);

/* ---- fake_route.c: platform requests ---- */

/* Answers a platform request (anything not under /_fake/). */
void fake_route(struct fake_state *st, struct fake_req *req, struct fake_resp *resp);

/* A page size from param text: def when absent or unparsable, clamped to
 * [1, max] and to the platform's configured page maximum. */
long fake_page_limit(const struct fake_state *st, enum fake_platform p, const char *text, long def,
		     long max);

/* ---- platform handlers (fake_mastodon.c, fake_x.c, fake_bluesky.c, fake_bsky_auth.c) ---- */

typedef void fake_handler_fn(struct fake_state *st, struct fake_req *req, struct fake_resp *resp);

fake_handler_fn fake_mastodon_verify_credentials;
fake_handler_fn fake_mastodon_notifications;
fake_handler_fn fake_mastodon_statuses;
fake_handler_fn fake_x_mentions;
fake_handler_fn fake_x_tweets;
fake_handler_fn fake_bsky_create_session;
fake_handler_fn fake_bsky_refresh_session;
fake_handler_fn fake_bsky_list_notifications;
fake_handler_fn fake_bsky_author_feed;

/* Bluesky auth: how req's credentials stand for endpoint ep (createSession
 * reads the body, refreshSession the refresh token, the rest the access
 * token). *why gets the XRPC error name for a failure ("ExpiredToken",
 * "InvalidToken", "AuthenticationRequired", "InvalidRequest"). */
enum fake_auth fake_bsky_auth(struct fake_state *st, const struct fake_req *req, int ep,
			      const char **why);
/* Marks every issued access token expired now. */
void fake_bsky_expire_all(struct fake_state *st);
/* Forgets every session. */
void fake_bsky_tokens_free(struct fake_state *st);

/* ---- fake_platforms.c: one descriptor per platform, one table ---- */

struct fake_route_def {
	const char *method;
	const char *pattern;  /* "*" matches one path segment (into req->capture) */
	const char *endpoint; /* the name rate limits, faults and the log use */
	fake_handler_fn *fn;
};

struct fake_option_def {
	const char *key;     /* the flag is --{platform name}-{key}; NULL: no more */
	const char *value;   /* its default */
	const char *metavar; /* for the usage text */
};

/*
 * Everything rwfake knows of one platform. Generic code (fake_route.c,
 * fake_control.c, fake_main.c, fake_limits.c) only loops over
 * fake_platforms[] and calls these; a platform's file defines its descriptor.
 * Hooks get the state locked. Optional hooks may be NULL where said.
 */
struct fake_review_rules;

struct fake_platform_def {
	const char *name;   /* in /_fake/{name}/, the request log, /_fake/state */
	const char *prefix; /* a path under it no route serves is this platform's 404 */
	/* Its routes; the distinct endpoint names, in order of first use, are
	 * its rate-limit windows and fault targets (at most FAKE_MAX_ENDPOINTS).
	 * A path served for several methods lists one route per method. */
	const struct fake_route_def *routes;
	size_t nroutes;
	struct fake_option_def options[FAKE_MAX_OPTIONS]; /* credential flags */
	const char *const *paging; /* params that ask for an older page, NULL-ended */
	bool social;               /* uses the social store and the simulator */
	bool one_window; /* every endpoint spends one rate-limit window (Reddit's per client) */
	/* A review platform: the rules of its review store (fake_reviews.h),
	 * through which the simulator leaves and answers reviews; NULL otherwise. */
	const struct fake_review_rules *reviews;
	/* How req's credentials stand for endpoint ep (-1: a path under prefix
	 * no route serves); *why may get a reason for auth_fail (it is preset
	 * to "AuthenticationRequired"). */
	enum fake_auth (*auth)(struct fake_state *st, const struct fake_req *req, int ep,
			       const char **why);
	/* Its error body: name is the error's name, msg the text. */
	void (*error)(struct fake_resp *r, unsigned status, const char *name, const char *msg);
	/* The answer to failed credentials (from auth), or fault "401" (ep -1). */
	void (*auth_fail)(struct fake_resp *r, int ep, const char *why);
	/* The answer to faults 403, 500, 502 and 503. */
	void (*fault)(struct fake_resp *r, enum fake_fault_kind kind);
	/* A path it does not serve, and a route asked with another method
	 * (wrong_method NULL: not_found). */
	void (*not_found)(struct fake_resp *r);
	void (*wrong_method)(struct fake_resp *r, const struct fake_route_def *route);
	/* 429 for window l; retry_after < 0: none asked for (may pick its own). */
	void (*too_many)(struct fake_resp *r, const struct fake_limit *l, long retry_after,
			 int64_t now);
	/* Its rate-limit headers for window l (on every answer). */
	void (*limit_headers)(struct fake_resp *r, const struct fake_limit *l);
	/* Its part of GET /_fake/state (new reference; NULL: out of memory). */
	json_t *(*state)(const struct fake_state *st, enum fake_platform p);
	/* GET /_fake/{name}/{what}, and POST with a JSON object body: return false
	 * for a what it does not know (NULL: knows none). "fault" and "config"
	 * are generic (fake_control.c) and never reach these. */
	bool (*get)(struct fake_state *st, enum fake_platform p, const char *what,
		    struct fake_req *req, struct fake_resp *resp);
	bool (*control)(struct fake_state *st, enum fake_platform p, const char *what, json_t *body,
			struct fake_resp *resp);
	const char *control_calls; /* its POST calls, for the unknown-call error */
	/* A fault kind of its own (POST /_fake/{name}/fault {"kind": ...}):
	 * answers and returns true, or false for a kind it does not know. */
	bool (*own_fault)(struct fake_state *st, const char *kind, struct fake_resp *resp);
	/* Applies its own keys of a valid POST /_fake/{name}/config (may be NULL). */
	void (*config)(struct fake_state *st, json_t *body);
	/* Its own state (st->own[p]): cleared by /_fake/reset, freed at exit (may be NULL). */
	void (*reset)(struct fake_state *st, enum fake_platform p);
	void (*free)(struct fake_state *st, enum fake_platform p);
};

extern const struct fake_platform_def *const fake_platforms[];
extern const size_t fake_nplatforms;
extern const struct fake_platform_def fake_mastodon_def, fake_x_def, fake_bluesky_def;
extern const struct fake_platform_def fake_trustpilot_def;
extern const struct fake_platform_def fake_linkedin_def;
/* The review platforms (fake_reviews.h) and Google's token endpoint. */
extern const struct fake_platform_def fake_google_business_def, fake_google_play_def,
	fake_app_store_def, fake_google_oauth_def;
extern const struct fake_platform_def fake_reddit_def;
extern const struct fake_platform_def fake_youtube_def; /* fake_youtube.c */
extern const struct fake_platform_def fake_meta_def;
/* The json source's worked examples (fake_discourse.c, fake_github.c). */
extern const struct fake_platform_def fake_discourse_def, fake_github_def;
/* True when post id of the fake Discourse on p exists and opens topic (the
 * simulator checks its topics are still there after a reset). */
bool fake_discourse_opens_topic(struct fake_state *st, enum fake_platform p, long topic, long id);
extern const struct fake_platform_def fake_allegro_def; /* fake_allegro.c */

/* ---- fake_allegro.c <-> fake_allegro_msg.c (allegro-msg's file) ----
 * The Allegro descriptor routes /messaging/... and /sale/issues/... to
 * fake_allegro_msg_route (its bearer token already checked); its control
 * calls it does not know go to fake_allegro_msg_control, its state part
 * gets fake_allegro_msg_state under "messaging", and a reset calls
 * fake_allegro_msg_reset. fake_allegro.c defines weak defaults (404, no
 * calls, null, nothing) that fake_allegro_msg.c replaces. */
fake_handler_fn fake_allegro_msg_route;
bool fake_allegro_msg_control(struct fake_state *st, enum fake_platform p, const char *what,
			      json_t *body, struct fake_resp *resp);
json_t *fake_allegro_msg_state(const struct fake_state *st, enum fake_platform p);
void fake_allegro_msg_reset(struct fake_state *st, enum fake_platform p);
/* True when req's Accept header is want (an Allegro media type); else
 * answers 406 NotAcceptableException as Allegro does and returns false. */
bool fake_allegro_accept(const struct fake_req *req, const char *want, struct fake_resp *resp);
#define FAKE_ALLEGRO_V1 "application/vnd.allegro.public.v1+json"
#define FAKE_ALLEGRO_BETA "application/vnd.allegro.beta.v1+json"
#define FAKE_ALLEGRO_SELLER_ID "44120007"
#define FAKE_ALLEGRO_SELLER_LOGIN "acme-shop"

/* Credential option key of platform p (NULL when it has none such). */
const char *fake_option(const struct fake_state *st, enum fake_platform p, const char *key);
/* "mastodon, x, bluesky": the table's names (static). */
const char *fake_platform_list(void);
/* Whether the bearer token equals want: the check of a platform with one static token. */
enum fake_auth fake_token_auth(const struct fake_req *req, const char *want);

/* ---- fake_social.c: control calls and state of the social platforms ---- */

/* GET mentions; POST mention, reply, post, other (docs/fakes.md). */
bool fake_social_get(struct fake_state *st, enum fake_platform p, const char *what,
		     struct fake_req *req, struct fake_resp *resp);
bool fake_social_control(struct fake_state *st, enum fake_platform p, const char *what,
			 json_t *body, struct fake_resp *resp);
json_t *fake_social_state(const struct fake_state *st, enum fake_platform p);

/* ---- fake_control.c ---- */

/* Answers a request under /_fake/. */
void fake_control(struct fake_state *st, struct fake_req *req, struct fake_resp *resp);
/* 400 (or the status given) with {"error": msg}: the control API's errors. */
void fake_control_error(struct fake_resp *resp, unsigned status, const char *msg);
/* Optional members of a control body; each returns false after answering 400. */
bool fake_control_str(json_t *body, const char *key, const char **out, struct fake_resp *resp);
bool fake_control_int(json_t *body, const char *key, long def, long *out, struct fake_resp *resp);
bool fake_control_time(json_t *body, int64_t *ms, struct fake_resp *resp);
/* The config members every platform reports (rate_limit ...). */
json_t *fake_control_config_json(const struct fake_state *st, enum fake_platform p);

/* ---- fake_http.c ---- */

struct fake_http;
/* Starts serving on 127.0.0.1:port (0: any free port). NULL on failure
 * with a reason in err. The lock is taken by the connection threads. */
struct fake_http *fake_http_start(struct fake_state *st, unsigned port, char *err, size_t errlen);
unsigned fake_http_port(const struct fake_http *h);
/* Stops serving (joins the connection threads) and frees h. Accepts NULL. */
void fake_http_stop(struct fake_http *h);

/* ---- fake_sim.c ---- */

struct fake_sim;
/* Pre-seeds about 30 minutes of history (taking the lock), then starts the
 * simulator thread. NULL on failure. */
struct fake_sim *fake_sim_start(struct fake_state *st, double rate_per_min, uint64_t seed);
/* Stops (st->stopping must be set and st->wake broadcast) and frees. Accepts NULL. */
void fake_sim_stop(struct fake_sim *sim);

/* ---- fake_sim_hooks.c: where the simulator sends Meta webhooks ---- */

/* POST /_fake/simulator {"webhooks": spec}: spec is {"app_secret", and
 * "facebook" and/or "instagram": a loopback URL (http://127.0.0.1:PORT/...
 * or http://[::1]:PORT/...)}, or null for none. The simulator then sends
 * some of its Facebook and Instagram items, signed like Meta, to those
 * URLs. Returns false after answering 400 (a bad spec) or 409 (no
 * simulator running); the state is then unchanged. */
bool fake_sim_webhooks(struct fake_state *st, json_t *spec, struct fake_resp *resp);
/* {"facebook", "instagram" (URLs or null), "sent", "failed", "last_status"} of
 * the simulator's webhooks, never the secret; null without a simulator. */
json_t *fake_sim_webhooks_json(const struct fake_state *st);

/* ---- fake_sim_data.c: the simulator's customers and texts ---- */

struct fake_sim_customer {
	const char *handle;
	long followers;
	unsigned weight; /* how often they write, relative */
};
size_t fake_sim_ncustomers(void);
const struct fake_sim_customer *fake_sim_customer(size_t i);
/* A customer text / brand answer / brand post text from the pools, picked with r. */
const char *fake_sim_mention_text(struct fake_rng *r);
const char *fake_sim_reply_text(struct fake_rng *r);
const char *fake_sim_post_text(struct fake_rng *r);
#define FAKE_SIM_AUTO_REPLY "Thanks for reaching out! We'll get back to you soon"
/* A reviewer's display name, a review's title and text for its rating (1-5),
 * the brand's answer to it, and the update a customer adds when editing it. */
const char *fake_sim_reviewer(struct fake_rng *r);
const char *fake_sim_review_title(struct fake_rng *r, int rating);
const char *fake_sim_review_text(struct fake_rng *r, int rating);
const char *fake_sim_review_answer(struct fake_rng *r, int rating);
const char *fake_sim_review_update(struct fake_rng *r, int rating);

/* ---- fake_hook.c: the webhook receiver (docs/fakes.md, "Webhook receiver") ---- */

struct MHD_Connection;

/* True when path (or a raw request target) is a delivery: it starts "/hook/". */
bool fake_hook_path(const char *path);
/* Records a delivery to /hook/NAME[/...] (every header of con, req's body,
 * which it takes over) and answers it, or a queued fault of NAME does. A
 * "hang" only sets resp->delay_ms; the caller waits that out without the
 * lock. A bad NAME is a 404 and a method other than POST/PUT/PATCH a 405,
 * neither recorded; out of memory is a 500 with nothing recorded. */
void fake_hook_deliver(struct fake_state *st, struct MHD_Connection *con, struct fake_req *req,
		       struct fake_resp *resp);
/* Answers /_fake/hooks and /_fake/hook/...; returns false, with resp
 * untouched, for any other path. */
bool fake_hook_control(struct fake_state *st, struct fake_req *req, struct fake_resp *resp);
/* POST /_fake/meta_hooks/send: a delivery signed like Meta's (fake_meta_send.c). */
bool fake_meta_send_control(struct fake_state *st, struct fake_req *req, struct fake_resp *resp);
/* POSTs body (len bytes) to url once, signed with app_secret as Meta signs
 * (X-Hub-Signature-256). No lock needed; the caller must not hold st->lock
 * (the receiver may call the fake meanwhile). Returns the HTTP status, 0
 * when there was no answer. */
long fake_meta_send_signed(const char *url, const char *app_secret, const char *body, size_t len);
/* True when url is http://127.0.0.1:PORT/... or http://[::1]:PORT/... */
bool fake_meta_send_loopback(const char *url);
/* Forgets every receiver, secret (wiped), queued fault and delivery; frees
 * st->hooks. For the reset and the final free. */
void fake_hooks_clear(struct fake_state *st);

/* ---- fake_hook_sig.c: Standard Webhooks signatures (no lock needed) ---- */

enum fake_hook_sig {
	FAKE_SIG_UNCHECKED, /* no secret configured */
	FAKE_SIG_VALID,
	FAKE_SIG_INVALID,
	FAKE_SIG_MISSING, /* webhook-id, -timestamp or -signature absent */
};

/* The HMAC key a secret stands for: base64-decoded after "whsec_", else its
 * own bytes. Returns it (caller wipes and frees) with its size in *len; NULL
 * when a whsec_ secret is not base64 or memory runs out. */
unsigned char *fake_hook_sig_key(const char *secret, size_t *len);
/* Checks sigs (the webhook-signature header: "v1,BASE64" entries separated
 * by spaces, any one may match) against HMAC-SHA256(key, id "." ts "." body).
 * key NULL: unchecked; id, ts or sigs NULL: missing. */
enum fake_hook_sig fake_hook_sig_check(const unsigned char *key, size_t keylen, const char *id,
				       const char *ts, const char *sigs, const char *body,
				       size_t body_len);
/* "valid", "invalid", "missing", "unchecked". */
const char *fake_hook_sig_name(enum fake_hook_sig s);
/* True when ts (webhook-timestamp, epoch seconds) is within 5 minutes of now_ms. */
bool fake_hook_ts_fresh(const char *ts, int64_t now_ms);

#endif
