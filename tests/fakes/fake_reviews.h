/*
 * fake_reviews.h: what the review platforms of rwfake share (Google
 * Business Profile, Google Play, App Store Connect, Trustpilot and the fake
 * Google OAuth token endpoint); the simulator (fake_sim.c) leaves reviews
 * through the same store calls. Private to tests/fakes/; everything here runs with
 * st->lock held, like every hook of fake.h.
 *
 * Files: fake_review_store.c (the reviews of one platform in st->own[p],
 * their control calls, state), fake_review_util.c (paging tokens, time
 * formats, PEM files), fake_google.c (Google's error
 * envelope and the hooks Business Profile and Play share),
 * fake_google_oauth.c (POST /token: the refresh-token and JWT-bearer grants,
 * issued access tokens), fake_google_business.c, fake_google_play.c,
 * fake_app_store.c (routes, JSON:API documents), fake_app_store_auth.c
 * (Apple's ES256 bearer JWT check, JSON:API errors) and fake_trustpilot.c.
 * docs/fakes.md, "Review platforms", says what each serves and verifies.
 */
#ifndef RWFAKE_REVIEWS_H
#define RWFAKE_REVIEWS_H

#include "fake.h"

/* The brand's places on each platform (any other id is a 404). */
#define FAKE_GBP_ACCOUNT "1234567890"
#define FAKE_GBP_LOCATION "9876543210"
#define FAKE_PLAY_PACKAGE "com.acme.app"
#define FAKE_APPLE_APP "682658836"

#define FAKE_SCOPE_GBP "https://www.googleapis.com/auth/business.manage"
#define FAKE_SCOPE_PLAY "https://www.googleapis.com/auth/androidpublisher"
#define FAKE_GOOGLE_TOKEN_URL "https://oauth2.googleapis.com/token"

/* ---- fake_review_store.c ---- */

struct fake_review {
	char *id;
	char *author; /* display name; NULL: an anonymous reviewer */
	int rating;   /* 1..5 */
	char *title;  /* NULL: none */
	char *text;   /* NULL: a rating without text */
	int64_t created_ms;
	int64_t updated_ms; /* the review's last edit (created_ms until edited) */
	char *reply;        /* the brand's answer, NULL: none */
	char *reply_id;     /* Apple: the customerReviewResponses id */
	int64_t reply_ms;   /* the answer's last edit (Apple: also its publication) */
	/* When the answer was first given: replacing or editing it leaves this
	 * (Trustpilot's companyReply.createdAt). */
	int64_t reply_created_ms;
	bool reply_published; /* false: Apple's PENDING_PUBLISH */
	bool deleted;         /* gone from lists; a read by id is a 404 */
};

/* How one platform keeps its reviews. */
struct fake_review_rules {
	const char *id_prefix; /* review ids: prefix + 12 hex digits */
	/* Ids are 8 hex digits of the created second, then 16 of the counter,
	 * like a MongoDB ObjectId (Trustpilot; id_prefix unused). */
	bool id_from_time;
	const char *reply_prefix; /* Apple response ids (NULL: answers have none) */
	int64_t granularity_ms;   /* times are kept at this precision (Apple: 1000) */
	bool two_step;            /* answers start PENDING_PUBLISH until "publish" (Apple) */
	long list_window_s;       /* lists show what changed this recently (Play: 7 days; 0: all) */
	/* The credential "revoke" withdraws (fake_google_oauth.c's grants for
	 * Google; NULL: the platform's own flag, checked by its auth hook). */
	void (*revoke)(struct fake_state *st, bool revoked);
	/* How the control calls and GET reviews show a review (a new reference;
	 * NULL hook: the store's own form). Trustpilot answers its API's shape. */
	json_t *(*show)(const struct fake_state *st, enum fake_platform p,
			const struct fake_review *r);
};

struct fake_reviews {
	const struct fake_review_rules *rules;
	struct fake_state *st; /* where it lives, for rules->show */
	enum fake_platform p;
	struct fake_review *v; /* in insertion order */
	size_t n;
	size_t cap;
	uint64_t seq;       /* ids: never reused, even after a reset */
	bool revoked;       /* the credential was revoked (rules->revoke NULL) */
	long list_window_s; /* rules->list_window_s until set with "settings" */
	/* Added to the clock the App Store's JWT check reads ("settings"). */
	long clock_offset_s;
};

/* Platform p's reviews, made on first use with rules; NULL when out of memory. */
struct fake_reviews *fake_reviews_of(struct fake_state *st, enum fake_platform p,
				     const struct fake_review_rules *rules);
/* The live (not deleted) review with that id, or NULL. */
struct fake_review *fake_reviews_find(struct fake_reviews *rv, const char *id);

/* The control calls every review platform answers (docs/fakes.md): POST
 * review, answer, publish, edit, edit_answer, delete, delete_answer, revoke,
 * settings; GET reviews. As a descriptor's control and get hooks. */
bool fake_reviews_control(struct fake_state *st, enum fake_platform p,
			  const struct fake_review_rules *rules, const char *what, json_t *body,
			  struct fake_resp *resp);
bool fake_reviews_get(struct fake_state *st, enum fake_platform p,
		      const struct fake_review_rules *rules, const char *what,
		      struct fake_resp *resp);
/* The same two as hooks of a descriptor (its control and get), with the
 * rules the descriptor names in its reviews field. */
bool fake_reviews_control_hook(struct fake_state *st, enum fake_platform p, const char *what,
			       json_t *body, struct fake_resp *resp);
bool fake_reviews_get_hook(struct fake_state *st, enum fake_platform p, const char *what,
			   struct fake_req *req, struct fake_resp *resp);
/* Counts, revocation, settings and rate windows for /_fake/state. */
json_t *fake_reviews_state(const struct fake_state *st, enum fake_platform p);
/* Forgets the reviews and settings (reset) / everything (free); ids keep counting. */
void fake_reviews_reset(struct fake_state *st, enum fake_platform p);
void fake_reviews_free(struct fake_state *st, enum fake_platform p);

/* ---- fake_review_util.c ---- */

/* One page of a listing, newest first by key (then id). */
struct fake_review_page {
	size_t *idx; /* indices into rv->v, in page order (caller frees) */
	size_t n;
	size_t total; /* every review the filter keeps */
	char *next;   /* the next page's token, NULL on the last (caller frees) */
};
typedef int64_t fake_review_key_fn(const struct fake_review *r);
typedef bool fake_review_keep_fn(const struct fake_review *r, const void *ctx);
/* Fills *page with up to limit reviews that keep(r, ctx) accepts (NULL:
 * all live ones), ordered by key descending (ascending when asc), starting
 * after the review an earlier page's token names (token NULL or "": from the
 * start). Tokens are opaque: base64url of the last review's key and id.
 * Returns 0, -1 for a token that is not one of these (400), -2 when out of
 * memory (500). */
int fake_reviews_page(const struct fake_reviews *rv, fake_review_key_fn *key,
		      fake_review_keep_fn *keep, const void *ctx, const char *token, long limit,
		      bool asc, struct fake_review_page *page);

/* Google's RFC 3339 UTC time: "2026-05-01T09:12:44Z", ".123Z", or with 6 or
 * 9 fraction digits (the digits past the ms vary with salt, as Google's
 * nanosecond times do: truncating gives ms back). */
void fake_fmt_google(int64_t ms, const char *salt, char buf[FAKE_TIME_LEN]);
/* Apple's time: whole seconds with the -08:00 offset, "2017-11-15T08:10:34-08:00". */
void fake_fmt_apple(int64_t ms, char buf[FAKE_TIME_LEN]);
/* The n-th path segment of path (from 0), copied into out; false when absent or too long. */
bool fake_path_segment(const char *path, size_t n, char *out, size_t outlen);

/* Reads a PEM file (at most 64 KiB) into a new string (caller frees); NULL
 * when path is NULL or empty, unreadable or too large. */
char *fake_read_pem(const char *path);

/* ---- fake_google.c: Google's error envelope and shared hooks ---- */

/* {"error": {"code": status, "message": msg, "status": name}} */
void fake_google_error(struct fake_resp *r, unsigned status, const char *name, const char *msg);
/* The API hooks of Business Profile and Play (see fake_google.c). */
void fake_google_auth_fail(struct fake_resp *r, int ep, const char *why);
void fake_google_fault(struct fake_resp *r, enum fake_fault_kind kind);
void fake_google_not_found(struct fake_resp *r);
void fake_google_too_many(struct fake_resp *r, const struct fake_limit *l, long retry_after,
			  int64_t now);
void fake_google_limit_headers(struct fake_resp *r, const struct fake_limit *l);
bool fake_google_own_fault(struct fake_state *st, const char *kind, struct fake_resp *resp);
/* Whether req's bearer token is a live access token of the token endpoint
 * carrying scope; *why "insufficient_scope" for one without it (a 403). */
enum fake_auth fake_google_api_auth(struct fake_state *st, const struct fake_req *req,
				    const char *scope, const char **why);

/* ---- fake_google_oauth.c: the token endpoint's grants and tokens ---- */

/* Revokes (or restores) the refresh token / the service account key: the
 * grant then answers invalid_grant and the access tokens it issued stop
 * working. */
void fake_google_revoke_refresh(struct fake_state *st, bool revoked);
void fake_google_revoke_service_account(struct fake_state *st, bool revoked);
/* How an access token stands for scope (see fake_google_api_auth). */
enum fake_auth fake_google_token_check(struct fake_state *st, const char *token, const char *scope,
				       const char **why);
/* Expires every access token issued so far. */
void fake_google_expire_all(struct fake_state *st);

/* ---- fake_app_store_auth.c ---- */

/* Apple's check of a bearer JWT (ES256 against --app_store-public-key, kid,
 * typ, iss, aud, lifetime): *why is a reason for the 401's detail. */
enum fake_auth fake_apple_auth(struct fake_state *st, const struct fake_req *req, int ep,
			       const char **why);
/* {"errors": [{"id", "status", "code", "title", "detail"}]} */
void fake_apple_error(struct fake_resp *r, unsigned status, const char *code, const char *title,
		      const char *detail);
void fake_apple_error_hook(struct fake_resp *r, unsigned status, const char *name, const char *msg);
void fake_apple_auth_fail(struct fake_resp *r, int ep, const char *why);
void fake_apple_fault(struct fake_resp *r, enum fake_fault_kind kind);
void fake_apple_not_found(struct fake_resp *r);
void fake_apple_wrong_method(struct fake_resp *r, const struct fake_route_def *route);
void fake_apple_too_many(struct fake_resp *r, const struct fake_limit *l, long retry_after,
			 int64_t now);
void fake_apple_limit_headers(struct fake_resp *r, const struct fake_limit *l);

#endif
