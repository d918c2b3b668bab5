/*
 * The review platforms of rwfake (docs/fakes.md, "Review platforms") over
 * real HTTP on loopback: Google Business Profile, Google Play, App Store
 * Connect, the Google OAuth token endpoint, and Trustpilot on the same
 * review store. Credentials are made the way
 * the daemon makes them (include/replywatch/signin.h) with keys generated
 * here at test time; the fake verifies them as the real servers do.
 */
#include <criterion/criterion.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <curl/curl.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/rsa.h>

#include "replywatch/clock.h"
#include "replywatch/signin.h"
#include "rwtest.h"
#include "rwtkeys.h"

#define GBP "/v4/accounts/1234567890/locations/9876543210/reviews"
#define PLAY "/androidpublisher/v3/applications/com.acme.app/reviews"
#define APPLE "/v1/apps/682658836/customerReviews"
#define CLIENT_ID "rwfake-client.apps.googleusercontent.com"
#define SA_EMAIL "replywatch@acme-reviews.iam.gserviceaccount.com"
#define SCOPE_PLAY "https://www.googleapis.com/auth/androidpublisher"
#define SCOPE_GBP "https://www.googleapis.com/auth/business.manage"
#define APPLE_KID "2X9R4HXF34"
#define APPLE_ISS "57246542-96fe-1a63-e053-0824d011072a"
#define REFRESH_FORM                                                                               \
	"grant_type=refresh_token&client_id=" CLIENT_ID                                            \
	"&client_secret=rwfake-client-secret&refresh_token=1//rwfake-refresh-token"
#define DAY_MS (24 * 3600 * 1000LL)

static struct rwt_fake fake;
static char *dir;
/* The service account's key and Apple's (private, to sign), and others the fake does not know. */
static struct rw_signin_key *sa_key, *sa_other, *apple_key, *apple_other;

/* A new key for alg; its public PEM goes to dir/public_name when given. */
static struct rw_signin_key *
make_key(enum rw_jwt_alg alg, const char *public_name, char **public_path)
{
	EVP_PKEY *k = alg == RW_JWT_RS256 ? EVP_RSA_gen(2048) : EVP_EC_gen("P-256");
	char *priv, *pub, err[160];
	struct rw_signin_key *key;

	cr_assert_not_null(k);
	priv = rwt_key_pem(k, true);
	key = rw_signin_key_load(priv, strlen(priv), alg, err, sizeof(err));
	cr_assert_not_null(key, "%s", err);
	if (public_name != NULL) {
		pub = rwt_key_pem(k, false);
		*public_path = rwt_write_file(dir, public_name, pub);
		free(pub);
	}
	free(priv);
	EVP_PKEY_free(k);
	return key;
}

static void
setup(void)
{
	char *sa_pub = NULL, *apple_pub = NULL;

	dir = rwt_tmpdir_new();
	sa_key = make_key(RW_JWT_RS256, "sa.pub.pem", &sa_pub);
	sa_other = make_key(RW_JWT_RS256, NULL, NULL);
	apple_key = make_key(RW_JWT_ES256, "apple.pub.pem", &apple_pub);
	apple_other = make_key(RW_JWT_ES256, NULL, NULL);
	char *args[] = {"--google_play-public-key", sa_pub, "--app_store-public-key", apple_pub,
			NULL};
	rwt_fake_start(&fake, args);
	free(sa_pub);
	free(apple_pub);
}

static void
teardown(void)
{
	rwt_fake_stop(&fake);
	rw_signin_key_free(sa_key);
	rw_signin_key_free(sa_other);
	rw_signin_key_free(apple_key);
	rw_signin_key_free(apple_other);
	rwt_tmpdir_remove(dir);
}

TestSuite(fake_reviews, .init = setup, .fini = teardown, .timeout = 60);

/* ---- helpers ---- */

/* method path with token and body, the status asserted; the body parsed (caller decrefs). */
static json_t *
call(const char *method, const char *path, const char *token, const char *body, long want)
{
	struct rwt_response r = rwt_http(fake.port, method, path, token, body);
	json_t *v;

	cr_assert_eq(r.status, want, "%s %s: %ld, wanted %ld: %s", method, path, r.status, want,
		     r.body);
	v = json_loads(r.body, 0, NULL);
	cr_assert_not_null(v, "%s %s: not JSON: %s", method, path, r.body);
	rwt_response_free(&r);
	return v;
}

static json_t *
ctl(const char *path, const char *body)
{
	return rwt_fake_call(&fake, "POST", path, body);
}

/* A control call adding a review; returns its id (caller frees). */
static char *
add_review(const char *platform, const char *body)
{
	char path[96];
	json_t *v;
	char *id;

	snprintf(path, sizeof(path), "/_fake/%s/review", platform);
	v = ctl(path, body);
	id = strdup(json_string_value(json_object_get(v, "id")));
	json_decref(v);
	return id;
}

/* {'review': id, ...rest} posted to /_fake/platform/what. */
static void
act(const char *platform, const char *what, const char *id, const char *rest)
{
	char path[96], body[512];

	snprintf(path, sizeof(path), "/_fake/%s/%s", platform, what);
	snprintf(body, sizeof(body), "{'review': '%s'%s%s}", id, rest ? ", " : "",
		 rest ? rest : "");
	json_decref(ctl(path, body));
}

static const char *
str(json_t *v, const char *key)
{
	return json_string_value(json_object_get(v, key));
}

/* The token endpoint's answer to form, status asserted. */
static json_t *
token_call(const char *form, long want)
{
	return call("POST", "/token", NULL, form, want);
}

/* A Business Profile access token from the refresh grant (caller frees). */
static char *
gbp_token(void)
{
	json_t *v = token_call(REFRESH_FORM, 200);
	char *t = strdup(str(v, "access_token"));

	json_decref(v);
	return t;
}

/* "grant_type=...jwt-bearer&assertion=" of a JWT (caller frees). */
static char *
jwt_form(const char *assertion)
{
	char *form;

	cr_assert(asprintf(&form,
			   "grant_type=urn%%3Aietf%%3Aparams%%3Aoauth%%3Agrant-type%%3Ajwt-bearer"
			   "&assertion=%s",
			   assertion) > 0);
	return form;
}

/* A service account assertion signed by key, made at now_ms. */
static char *
sa_assertion(const struct rw_signin_key *key, const char *email, const char *aud, int64_t now_ms)
{
	char err[160], *a;

	a = rw_jwt_google_assertion(key, email, SCOPE_PLAY, aud, now_ms, err, sizeof(err));
	cr_assert_not_null(a, "%s", err);
	return a;
}

/* The token endpoint's answer to that assertion. */
static json_t *
sa_grant(const char *assertion, long want)
{
	char *form = jwt_form(assertion);
	json_t *v = token_call(form, want);

	free(form);
	return v;
}

/* A Play access token from the JWT-bearer grant (caller frees). */
static char *
play_token(void)
{
	char *a =
		sa_assertion(sa_key, SA_EMAIL, "https://oauth2.googleapis.com/token", rw_now_ms());
	json_t *v = sa_grant(a, 200);
	char *t = strdup(str(v, "access_token"));

	json_decref(v);
	free(a);
	return t;
}

static char *
apple_jwt(const struct rw_signin_key *key, const char *kid, const char *aud, int lifetime,
	  int64_t now_ms)
{
	char err[160];
	char *t = rw_jwt_apple_token(key, kid, APPLE_ISS, aud, lifetime, now_ms, err, sizeof(err));

	cr_assert_not_null(t, "%s", err);
	return t;
}

/* An RFC 3339 instant `ago_ms` before now. */
static const char *
ago(int64_t ago_ms, char buf[RW_TIME_MAX])
{
	return rw_time_format(rw_now_ms() - ago_ms, buf, RW_TIME_MAX);
}

/* The ms of an RFC 3339 text (asserted to parse). */
static int64_t
ms_of(const char *text)
{
	int64_t ms = 0;

	cr_assert_not_null(text);
	cr_assert_eq(rw_time_parse(text, &ms), 0, "not RFC 3339: %s", text);
	return ms;
}

/* The value of header name in a raw header block (caller frees), NULL. */
static char *
header(const char *headers, const char *name)
{
	size_t n = strlen(name);

	for (const char *s = headers; s != NULL && *s != '\0';
	     s = strchr(s, '\n') ? strchr(s, '\n') + 1 : NULL)
		if (strncasecmp(s, name, n) == 0 && s[n] == ':')
			return strndup(s + n + 2, strcspn(s + n + 2, "\r\n"));
	return NULL;
}

/* ---- Google Business Profile ---- */

Test(fake_reviews, gbp_lists_documented_reviews_newest_updated_first_in_pages)
{
	char *tok = gbp_token(), *id[5], t[RW_TIME_MAX], body[256], path[256];
	json_t *v, *r, *page2;
	const char *next;

	for (int i = 0; i < 5; i++) {
		snprintf(body, sizeof(body),
			 "{'rating': %d, 'text': 'review %d', %s 'created_at': '%s'}", i + 1, i,
			 i == 1 ? "" : "'author': 'Jane D.',", ago((10 - i) * DAY_MS, t));
		id[i] = add_review("google_business", body);
	}
	/* An edit moves the oldest review to the top; an answer does not move it. */
	act("google_business", "edit", id[0], "'text': 'edited'");
	act("google_business", "answer", id[3], "'text': 'Thank you!'");
	v = call("GET", GBP "?pageSize=2", tok, NULL, 200);
	cr_assert_eq(json_array_size(json_object_get(v, "reviews")), 2);
	r = json_array_get(json_object_get(v, "reviews"), 0);
	cr_assert_str_eq(str(r, "reviewId"), id[0]);
	cr_assert_str_eq(str(r, "comment"), "edited");
	cr_assert_str_eq(str(r, "starRating"), "ONE");
	snprintf(path, sizeof(path), "accounts/1234567890/locations/9876543210/reviews/%s", id[0]);
	cr_assert_str_eq(str(r, "name"), path);
	cr_assert_gt(ms_of(str(r, "updateTime")), ms_of(str(r, "createTime")));
	r = json_array_get(json_object_get(v, "reviews"), 1);
	cr_assert_str_eq(str(r, "reviewId"), id[4]);
	cr_assert_str_eq(str(r, "starRating"), "FIVE");
	cr_assert_eq(json_integer_value(json_object_get(v, "totalReviewCount")), 5);
	cr_assert(json_is_number(json_object_get(v, "averageRating")));
	next = str(v, "nextPageToken");
	cr_assert_not_null(next);
	snprintf(path, sizeof(path), GBP "?pageSize=2&pageToken=%s", next);
	page2 = call("GET", path, tok, NULL, 200);
	r = json_array_get(json_object_get(page2, "reviews"), 0);
	cr_assert_str_eq(str(r, "reviewId"), id[3]);
	cr_assert_str_eq(str(json_object_get(r, "reviewReply"), "comment"), "Thank you!");
	cr_assert_not_null(str(json_object_get(r, "reviewReply"), "updateTime"));
	r = json_array_get(json_object_get(page2, "reviews"), 1);
	cr_assert_str_eq(str(r, "reviewId"), id[2]);
	json_decref(v);
	v = page2;
	/* The last page: the anonymous reviewer, and no token. */
	snprintf(path, sizeof(path), GBP "?pageSize=2&pageToken=%s", str(v, "nextPageToken"));
	json_decref(v);
	v = call("GET", path, tok, NULL, 200);
	r = json_array_get(json_object_get(v, "reviews"), 0);
	cr_assert_str_eq(str(r, "reviewId"), id[1]);
	cr_assert(json_is_true(json_object_get(json_object_get(r, "reviewer"), "isAnonymous")));
	cr_assert_str_eq(str(json_object_get(r, "reviewer"), "displayName"), "A Google user");
	cr_assert_null(json_object_get(v, "nextPageToken"));
	cr_assert_eq(json_array_size(json_object_get(v, "reviews")), 1);
	json_decref(v);
	/* A token that is not one of the fake's, another location. */
	v = call("GET", GBP "?pageToken=bm9wZQ", tok, NULL, 400);
	cr_assert_str_eq(str(json_object_get(v, "error"), "status"), "INVALID_ARGUMENT");
	json_decref(v);
	v = call("GET", "/v4/accounts/1234567890/locations/1/reviews", tok, NULL, 404);
	cr_assert_str_eq(str(json_object_get(v, "error"), "status"), "NOT_FOUND");
	json_decref(v);
	for (int i = 0; i < 5; i++)
		free(id[i]);
	free(tok);
}

Test(fake_reviews, gbp_times_keep_the_milliseconds_and_a_review_without_text_has_no_comment)
{
	char *tok = gbp_token(), *id, path[256];
	json_t *v;

	id = add_review("google_business",
			"{'rating': 4, 'created_at': '2026-05-01T09:12:44.123Z'}");
	act("google_business", "answer", id, "'text': 'Thanks', 'at': '2026-05-02T10:00:00.456Z'");
	snprintf(path, sizeof(path), GBP "/%s", id);
	v = call("GET", path, tok, NULL, 200);
	cr_assert_null(json_object_get(v, "comment"));
	cr_assert_str_eq(str(v, "starRating"), "FOUR");
	/* Up to 9 fraction digits; the digits past the ms never change the ms. */
	cr_assert_eq(strncmp(str(v, "createTime"), "2026-05-01T09:12:44.123", 23), 0, "%s",
		     str(v, "createTime"));
	cr_assert_eq(ms_of(str(v, "createTime")), rwt_utc_ms(2026, 5, 1, 9, 12) + 44123);
	cr_assert_eq(ms_of(str(json_object_get(v, "reviewReply"), "updateTime")),
		     rwt_utc_ms(2026, 5, 2, 10, 0) + 456);
	json_decref(v);
	free(id);
	free(tok);
}

Test(fake_reviews, gbp_answer_edit_and_delete_of_an_old_review_show_by_id)
{
	char *tok = gbp_token(), *old, t[RW_TIME_MAX], body[128], path[256];
	int64_t first;
	json_t *v;

	snprintf(body, sizeof(body), "{'rating': 1, 'text': 'bad', 'created_at': '%s'}",
		 ago(400 * DAY_MS, t));
	old = add_review("google_business", body);
	for (int i = 0; i < 60; i++)
		free(add_review("google_business", "{'rating': 5, 'text': 'great'}"));
	snprintf(path, sizeof(path), GBP "/%s", old);
	v = call("GET", path, tok, NULL, 200);
	cr_assert_null(json_object_get(v, "reviewReply"));
	json_decref(v);
	/* Answered far below page 1: the list's first page does not show it, a read by id does. */
	act("google_business", "answer", old, "'text': 'So sorry', 'at': '2026-12-01T08:00:00Z'");
	v = call("GET", GBP, tok, NULL, 200);
	cr_assert_eq(json_array_size(json_object_get(v, "reviews")), 50);
	cr_assert_not_null(str(v, "nextPageToken"));
	json_decref(v);
	v = call("GET", path, tok, NULL, 200);
	first = ms_of(str(json_object_get(v, "reviewReply"), "updateTime"));
	cr_assert_eq(first, rwt_utc_ms(2026, 12, 1, 8, 0));
	json_decref(v);
	/* Editing the answer moves its updateTime. */
	act("google_business", "edit_answer", old,
	    "'text': 'So sorry!', 'at': '2026-12-02T08:00:00Z'");
	v = call("GET", path, tok, NULL, 200);
	cr_assert_str_eq(str(json_object_get(v, "reviewReply"), "comment"), "So sorry!");
	cr_assert_eq(ms_of(str(json_object_get(v, "reviewReply"), "updateTime")),
		     rwt_utc_ms(2026, 12, 2, 8, 0));
	json_decref(v);
	/* Deleted: 404 NOT_FOUND by id, gone from the list's count. */
	act("google_business", "delete", old, NULL);
	v = call("GET", path, tok, NULL, 404);
	cr_assert_eq(json_integer_value(json_object_get(json_object_get(v, "error"), "code")), 404);
	cr_assert_str_eq(str(json_object_get(v, "error"), "status"), "NOT_FOUND");
	json_decref(v);
	v = call("GET", GBP, tok, NULL, 200);
	cr_assert_eq(json_integer_value(json_object_get(v, "totalReviewCount")), 60);
	json_decref(v);
	free(old);
	free(tok);
}

/* ---- the token endpoint ---- */

Test(fake_reviews, refresh_grant_checks_client_secret_and_token_and_answers_rfc6749)
{
	json_t *v;
	char *tok;

	v = token_call(REFRESH_FORM, 200);
	cr_assert_str_eq(str(v, "token_type"), "Bearer");
	cr_assert_eq(json_integer_value(json_object_get(v, "expires_in")), 3599);
	cr_assert_str_eq(str(v, "scope"), SCOPE_GBP);
	cr_assert_not_null(str(v, "access_token"));
	json_decref(v);
	v = token_call("grant_type=refresh_token&client_id=other&client_secret=rwfake-client-"
		       "secret&refresh_token=1//rwfake-refresh-token",
		       401);
	cr_assert_str_eq(str(v, "error"), "invalid_client");
	json_decref(v);
	v = token_call("grant_type=refresh_token&client_id=" CLIENT_ID
		       "&client_secret=nope&refresh_token=1//rwfake-refresh-token",
		       401);
	cr_assert_str_eq(str(v, "error"), "invalid_client");
	json_decref(v);
	v = token_call("grant_type=refresh_token&client_id=" CLIENT_ID
		       "&client_secret=rwfake-client-secret&refresh_token=1//other",
		       400);
	cr_assert_str_eq(str(v, "error"), "invalid_grant");
	json_decref(v);
	v = token_call("grant_type=refresh_token&client_id=" CLIENT_ID, 400);
	cr_assert_str_eq(str(v, "error"), "invalid_request");
	json_decref(v);
	v = token_call("grant_type=password&username=a&password=b", 400);
	cr_assert_str_eq(str(v, "error"), "unsupported_grant_type");
	json_decref(v);
	v = token_call("", 400);
	cr_assert_str_eq(str(v, "error"), "invalid_request");
	json_decref(v);

	/* Revoked: invalid_grant, and the tokens it issued stop working. */
	tok = gbp_token();
	json_decref(call("GET", GBP, tok, NULL, 200));
	json_decref(ctl("/_fake/google_business/revoke", NULL));
	v = token_call(REFRESH_FORM, 400);
	cr_assert_str_eq(str(v, "error"), "invalid_grant");
	cr_assert_str_eq(str(v, "error_description"), "Token has been expired or revoked.");
	json_decref(v);
	v = call("GET", GBP, tok, NULL, 401);
	cr_assert_str_eq(str(json_object_get(v, "error"), "status"), "UNAUTHENTICATED");
	json_decref(v);
	free(tok);
	json_decref(ctl("/_fake/google_business/revoke", "{'revoked': false}"));
	free(gbp_token());
}

static bool
gbp_refuses(void *arg)
{
	struct rwt_response r = rwt_http(fake.port, "GET", GBP, arg, NULL);
	bool refused = r.status == 401;

	rwt_response_free(&r);
	return refused;
}

Test(fake_reviews, access_tokens_expire_and_expired_tokens_get_401_unauthenticated)
{
	char *tok;
	json_t *v, *log;

	json_decref(ctl("/_fake/google_oauth/config", "{'access_ttl': 1}"));
	v = token_call(REFRESH_FORM, 200);
	cr_assert_eq(json_integer_value(json_object_get(v, "expires_in")), 1);
	tok = strdup(str(v, "access_token"));
	json_decref(v);
	json_decref(call("GET", GBP, tok, NULL, 200));
	cr_assert(rwt_wait_until(gbp_refuses, tok, 5.0), "the token never expired");
	log = rwt_fake_requests(&fake, "google_business", "reviews");
	v = json_array_get(log, json_array_size(log) - 1);
	cr_assert_str_eq(str(v, "auth"), "expired");
	json_decref(log);
	free(tok);
	/* A token of another grant's scope is a 403; expire_token ends every token at once. */
	json_decref(ctl("/_fake/google_oauth/config", "{'access_ttl': 3600}"));
	tok = gbp_token();
	v = call("GET", PLAY, tok, NULL, 403);
	cr_assert_str_eq(str(json_object_get(v, "error"), "status"), "PERMISSION_DENIED");
	json_decref(v);
	json_decref(ctl("/_fake/google_business/fault", "{'kind': 'expire_token'}"));
	json_decref(call("GET", GBP, tok, NULL, 401));
	free(tok);
}

Test(fake_reviews, jwt_bearer_grant_verifies_signature_issuer_audience_and_lifetime)
{
	int64_t now = rw_now_ms();
	char own_aud[96], *a, *tok, err[160];
	json_t *v, *claims;

	/* Google's token URL or the fake's own URL as the audience. */
	snprintf(own_aud, sizeof(own_aud), "%s/token", fake.base);
	a = sa_assertion(sa_key, SA_EMAIL, own_aud, now);
	v = sa_grant(a, 200);
	cr_assert_str_eq(str(v, "scope"), SCOPE_PLAY);
	cr_assert_str_eq(str(v, "token_type"), "Bearer");
	tok = strdup(str(v, "access_token"));
	json_decref(v);
	free(a);
	json_decref(call("GET", PLAY, tok, NULL, 200));
	free(tok);

	struct {
		const struct rw_signin_key *key;
		const char *email, *aud;
		int64_t at;
	} bad[] = {
		{sa_other, SA_EMAIL, own_aud, now},                             /* another key */
		{sa_key, "someone@else.iam.gserviceaccount.com", own_aud, now}, /* iss */
		{sa_key, SA_EMAIL, "https://example.invalid/token", now},       /* aud */
		{sa_key, SA_EMAIL, own_aud, now - 2 * 3600 * 1000LL},           /* expired */
		{sa_key, SA_EMAIL, own_aud, now + 10 * 60 * 1000LL},            /* iat ahead */
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		a = sa_assertion(bad[i].key, bad[i].email, bad[i].aud, bad[i].at);
		v = sa_grant(a, 400);
		cr_assert_str_eq(str(v, "error"), "invalid_grant", "case %zu", i);
		json_decref(v);
		free(a);
	}
	/* Longer than an hour. */
	claims = json_pack("{s:s, s:s, s:s, s:I, s:I}", "iss", SA_EMAIL, "scope", SCOPE_PLAY, "aud",
			   own_aud, "iat", (json_int_t)(now / 1000), "exp",
			   (json_int_t)(now / 1000 + 7200));
	a = rw_jwt_sign(sa_key, NULL, claims, err, sizeof(err));
	cr_assert_not_null(a, "%s", err);
	v = sa_grant(a, 400);
	cr_assert_str_eq(str(v, "error"), "invalid_grant");
	json_decref(v);
	free(a);
	json_decref(claims);
	/* An ES256 assertion is refused (the key is RSA). */
	claims = json_pack("{s:s, s:s, s:s, s:I, s:I}", "iss", SA_EMAIL, "scope", SCOPE_PLAY, "aud",
			   own_aud, "iat", (json_int_t)(now / 1000), "exp",
			   (json_int_t)(now / 1000 + 600));
	a = rw_jwt_sign(apple_key, NULL, claims, err, sizeof(err));
	json_decref(sa_grant(a, 400));
	free(a);
	json_decref(claims);

	/* The key revoked: invalid_grant, and its tokens stop working. */
	tok = play_token();
	json_decref(ctl("/_fake/google_play/revoke", NULL));
	a = sa_assertion(sa_key, SA_EMAIL, own_aud, now);
	v = sa_grant(a, 400);
	cr_assert_str_eq(str(v, "error"), "invalid_grant");
	json_decref(v);
	free(a);
	json_decref(call("GET", PLAY, tok, NULL, 401));
	free(tok);
}

Test(fake_reviews, the_token_request_the_daemon_builds_is_granted)
{
	struct rw_token_request req;
	char url[96], err[160];
	json_t *v;

	snprintf(url, sizeof(url), "%s/token", fake.base);
	cr_assert_eq(rw_token_request_google_sa(&req, url, sa_key, SA_EMAIL, SCOPE_PLAY, NULL,
						rw_now_ms(), err, sizeof(err)),
		     0, "%s", err);
	v = token_call(req.body, 200);
	cr_assert_str_eq(str(v, "scope"), SCOPE_PLAY);
	json_decref(v);
	rw_token_request_clear(&req);
	cr_assert_eq(rw_token_request_refresh(&req, url, CLIENT_ID, "rwfake-client-secret",
					      "1//rwfake-refresh-token", err, sizeof(err)),
		     0, "%s", err);
	json_decref(token_call(req.body, 200));
	rw_token_request_clear(&req);
}

/* ---- Google Play ---- */

Test(fake_reviews, play_lists_a_week_with_string_seconds_and_developer_comments)
{
	char *tok = play_token(), *old, *fresh, *second, *notext, t[RW_TIME_MAX], body[200];
	char path[256];
	json_t *v, *c, *user;
	int64_t created;

	snprintf(body, sizeof(body),
		 "{'rating': 2, 'text': 'slow', 'author': 'Jane Bloggs', "
		 "'created_at': '%s'}",
		 ago(8 * DAY_MS, t));
	old = add_review("google_play", body);
	snprintf(body, sizeof(body),
		 "{'rating': 5, 'title': 'Great', 'text': 'best app', "
		 "'created_at': '%s'}",
		 ago(2 * DAY_MS, t));
	fresh = add_review("google_play", body);
	created = ms_of(t);
	snprintf(body, sizeof(body), "{'rating': 3, 'text': 'ok', 'created_at': '%s'}",
		 ago(1 * DAY_MS, t));
	second = add_review("google_play", body);
	notext = add_review("google_play", "{'rating': 4}");
	act("google_play", "answer", fresh, "'text': 'Thanks!'");

	v = call("GET", PLAY "?maxResults=1", tok, NULL, 200);
	cr_assert_eq(json_array_size(json_object_get(v, "reviews")), 1);
	cr_assert_str_eq(str(json_array_get(json_object_get(v, "reviews"), 0), "reviewId"), second);
	snprintf(path, sizeof(path), PLAY "?maxResults=1&token=%s",
		 str(json_object_get(v, "tokenPagination"), "nextPageToken"));
	json_decref(v);
	v = call("GET", path, tok, NULL, 200);
	c = json_object_get(json_array_get(json_object_get(v, "reviews"), 0), "comments");
	cr_assert_str_eq(str(json_array_get(json_object_get(v, "reviews"), 0), "reviewId"), fresh);
	user = json_object_get(json_array_get(c, 0), "userComment");
	cr_assert_str_eq(str(user, "text"), "Great\tbest app");
	cr_assert_eq(json_integer_value(json_object_get(user, "starRating")), 5);
	/* seconds is a string, nanos a number. */
	cr_assert(
		json_is_string(json_object_get(json_object_get(user, "lastModified"), "seconds")));
	cr_assert_eq(
		strtoll(str(json_object_get(user, "lastModified"), "seconds"), NULL, 10) * 1000 +
			json_integer_value(
				json_object_get(json_object_get(user, "lastModified"), "nanos")) /
				1000000,
		created);
	cr_assert_str_eq(str(json_object_get(json_array_get(c, 1), "developerComment"), "text"),
			 "Thanks!");
	/* The 8-day-old review and the one without text are not listed. */
	cr_assert_null(json_object_get(v, "tokenPagination"));
	json_decref(v);
	v = call("GET", PLAY, tok, NULL, 200);
	cr_assert_eq(json_array_size(json_object_get(v, "reviews")), 2);
	json_decref(v);
	/* By id it is there at any age; an edit brings it back into the week. */
	snprintf(path, sizeof(path), PLAY "/%s", old);
	v = call("GET", path, tok, NULL, 200);
	cr_assert_str_eq(str(v, "authorName"), "Jane Bloggs");
	json_decref(v);
	snprintf(path, sizeof(path), PLAY "/%s", notext);
	json_decref(call("GET", path, tok, NULL, 404));
	act("google_play", "edit", old, "'text': 'slow, still'");
	v = call("GET", PLAY, tok, NULL, 200);
	cr_assert_eq(json_array_size(json_object_get(v, "reviews")), 3);
	cr_assert_str_eq(str(json_array_get(json_object_get(v, "reviews"), 0), "reviewId"), old);
	json_decref(v);
	/* A deleted one is a 404; another package too. */
	act("google_play", "delete", old, NULL);
	snprintf(path, sizeof(path), PLAY "/%s", old);
	json_decref(call("GET", path, tok, NULL, 404));
	json_decref(
		call("GET", "/androidpublisher/v3/applications/com.other/reviews", tok, NULL, 404));
	free(old);
	free(fresh);
	free(second);
	free(notext);
	free(tok);
}

/* ---- App Store Connect ---- */

Test(fake_reviews, app_store_serves_jsonapi_reviews_responses_and_paging)
{
	char *jwt = apple_jwt(apple_key, APPLE_KID, NULL, 1200, rw_now_ms()), *id[3], *rl;
	char body[200], path[512];
	struct rwt_response r;
	json_t *v, *data, *inc;
	const char *next;

	id[0] = add_review("app_store", "{'rating': 5, 'title': 'Awesome!!!', "
					"'text': 'It is fantastic', 'author': 'Anne Johnson', "
					"'created_at': '2017-11-15T16:10:34Z'}");
	for (int i = 1; i < 3; i++) {
		snprintf(body, sizeof(body),
			 "{'rating': %d, 'text': 'r%d', 'created_at': "
			 "'2026-11-0%dT10:00:00Z'}",
			 i, i, i);
		id[i] = add_review("app_store", body);
	}
	act("app_store", "answer", id[0], "'text': 'Thanks Anne!', 'at': '2017-11-16T18:00:00Z'");

	r = rwt_http(fake.port, "GET", APPLE "?sort=-createdDate&limit=2&include=response", jwt,
		     NULL);
	cr_assert_eq(r.status, 200, "%s", r.body);
	rl = header(r.headers, "X-Rate-Limit");
	cr_assert_not_null(rl);
	cr_assert_str_eq(rl, "user-hour-lim:300;user-hour-rem:299;");
	free(rl);
	v = json_loads(r.body, 0, NULL);
	rwt_response_free(&r);
	data = json_object_get(v, "data");
	cr_assert_eq(json_array_size(data), 2);
	cr_assert_str_eq(str(json_array_get(data, 0), "id"), id[2]);
	cr_assert_str_eq(str(json_array_get(data, 0), "type"), "customerReviews");
	cr_assert_str_eq(str(json_object_get(json_array_get(data, 0), "attributes"), "createdDate"),
			 "2026-11-02T02:00:00-08:00");
	cr_assert_null(json_object_get(v, "included"));
	cr_assert_eq(json_integer_value(json_object_get(
			     json_object_get(json_object_get(v, "meta"), "paging"), "total")),
		     3);
	next = str(json_object_get(v, "links"), "next");
	cr_assert_not_null(next);
	cr_assert_eq(strncmp(next, fake.base, strlen(fake.base)), 0, "%s", next);
	cr_assert_not_null(strstr(next, "include=response"));
	snprintf(path, sizeof(path), "%s", next + strlen(fake.base));
	json_decref(v);

	/* Page 2: the answered review, its response PENDING_PUBLISH in included[]. */
	v = call("GET", path, jwt, NULL, 200);
	data = json_array_get(json_object_get(v, "data"), 0);
	cr_assert_str_eq(str(data, "id"), id[0]);
	cr_assert_str_eq(str(json_object_get(data, "attributes"), "reviewerNickname"),
			 "Anne Johnson");
	cr_assert_str_eq(str(json_object_get(data, "attributes"), "title"), "Awesome!!!");
	cr_assert_str_eq(str(json_object_get(data, "attributes"), "createdDate"),
			 "2017-11-15T08:10:34-08:00");
	inc = json_array_get(json_object_get(v, "included"), 0);
	cr_assert_str_eq(str(inc, "type"), "customerReviewResponses");
	cr_assert_str_eq(str(json_object_get(json_object_get(json_object_get(data, "relationships"),
							     "response"),
					     "data"),
			     "id"),
			 str(inc, "id"));
	cr_assert_str_eq(str(json_object_get(inc, "attributes"), "state"), "PENDING_PUBLISH");
	cr_assert_str_eq(str(json_object_get(inc, "attributes"), "lastModifiedDate"),
			 "2017-11-16T10:00:00-08:00");
	cr_assert_null(json_object_get(json_object_get(v, "links"), "next"));
	json_decref(v);

	/* Published, it leaves the exists[publishedResponse]=false queue. */
	v = call("GET", APPLE "?exists%5BpublishedResponse%5D=false", jwt, NULL, 200);
	cr_assert_eq(json_array_size(json_object_get(v, "data")), 3);
	json_decref(v);
	act("app_store", "publish", id[0], "'at': '2017-11-17T18:00:00Z'");
	v = call("GET", APPLE "?exists%5BpublishedResponse%5D=false", jwt, NULL, 200);
	cr_assert_eq(json_array_size(json_object_get(v, "data")), 2);
	json_decref(v);
	v = call("GET", APPLE "?exists%5BpublishedResponse%5D=true&include=response", jwt, NULL,
		 200);
	cr_assert_eq(json_array_size(json_object_get(v, "data")), 1);
	inc = json_array_get(json_object_get(v, "included"), 0);
	cr_assert_str_eq(str(json_object_get(inc, "attributes"), "state"), "PUBLISHED");
	json_decref(v);

	/* The response by review; 404 without one and once the review is deleted. */
	snprintf(path, sizeof(path), "/v1/customerReviews/%s/response", id[0]);
	v = call("GET", path, jwt, NULL, 200);
	cr_assert_str_eq(
		str(json_object_get(json_object_get(v, "data"), "attributes"), "responseBody"),
		"Thanks Anne!");
	cr_assert_str_eq(
		str(json_object_get(json_object_get(v, "data"), "attributes"), "lastModifiedDate"),
		"2017-11-17T10:00:00-08:00");
	json_decref(v);
	snprintf(path, sizeof(path), "/v1/customerReviews/%s/response", id[1]);
	v = call("GET", path, jwt, NULL, 404);
	cr_assert_str_eq(str(json_array_get(json_object_get(v, "errors"), 0), "code"), "NOT_FOUND");
	json_decref(v);
	/* One review's document with its response included. */
	snprintf(path, sizeof(path), "/v1/customerReviews/%s?include=response", id[0]);
	v = call("GET", path, jwt, NULL, 200);
	cr_assert_str_eq(str(json_object_get(v, "data"), "id"), id[0]);
	inc = json_array_get(json_object_get(v, "included"), 0);
	cr_assert_str_eq(str(json_object_get(inc, "attributes"), "state"), "PUBLISHED");
	json_decref(v);
	act("app_store", "delete", id[0], NULL);
	snprintf(path, sizeof(path), "/v1/customerReviews/%s/response", id[0]);
	json_decref(call("GET", path, jwt, NULL, 404));
	snprintf(path, sizeof(path), "/v1/customerReviews/%s?include=response", id[0]);
	json_decref(call("GET", path, jwt, NULL, 404));

	/* limit over 200, a bad cursor. */
	v = call("GET", APPLE "?limit=201", jwt, NULL, 400);
	cr_assert_str_eq(str(json_array_get(json_object_get(v, "errors"), 0), "status"), "400");
	json_decref(v);
	json_decref(call("GET", APPLE "?cursor=%21%21", jwt, NULL, 400));
	json_decref(call("GET", APPLE "?limit=200", jwt, NULL, 200));
	for (int i = 0; i < 3; i++)
		free(id[i]);
	free(jwt);
}

/* The status and the logged auth of one request to the review list with jwt. */
static void
apple_refused(const char *jwt, const char *want_auth)
{
	struct rwt_response r = rwt_http(fake.port, "GET", APPLE, jwt, NULL);
	json_t *v = json_loads(r.body, 0, NULL), *log, *last;
	char *rl = header(r.headers, "X-Rate-Limit");

	cr_assert_eq(r.status, 401, "%s: %ld %s", want_auth, r.status, r.body);
	cr_assert_str_eq(str(json_array_get(json_object_get(v, "errors"), 0), "code"),
			 "NOT_AUTHORIZED");
	cr_assert_str_eq(str(json_array_get(json_object_get(v, "errors"), 0), "status"), "401");
	cr_assert_not_null(rl, "no X-Rate-Limit on a 401");
	log = rwt_fake_requests(&fake, "app_store", "customerReviews");
	last = json_array_get(log, json_array_size(log) - 1);
	cr_assert_str_eq(str(last, "auth"), want_auth);
	json_decref(log);
	json_decref(v);
	free(rl);
	rwt_response_free(&r);
}

Test(fake_reviews, app_store_refuses_wrong_signature_kid_audience_lifetime_and_revoked_keys)
{
	int64_t now = rw_now_ms();
	char *jwt, err[160];
	json_t *claims;

	jwt = apple_jwt(apple_key, APPLE_KID, NULL, 1200, now);
	json_decref(call("GET", APPLE, jwt, NULL, 200));
	free(jwt);

	jwt = apple_jwt(apple_other, APPLE_KID, NULL, 1200, now);
	apple_refused(jwt, "wrong");
	free(jwt);
	jwt = apple_jwt(apple_key, "OTHERKEYID", NULL, 1200, now);
	apple_refused(jwt, "wrong");
	free(jwt);
	jwt = apple_jwt(apple_key, APPLE_KID, "appstoreconnect-v2", 1200, now);
	apple_refused(jwt, "wrong");
	free(jwt);
	jwt = apple_jwt(apple_key, APPLE_KID, NULL, 600, now - 700 * 1000LL);
	apple_refused(jwt, "expired");
	free(jwt);
	apple_refused("", "wrong");
	apple_refused("not.a.jwt", "wrong");
	/* Longer than 20 minutes (rw_jwt_apple_token will not make one). */
	claims = json_pack("{s:s, s:s, s:I, s:I}", "iss", APPLE_ISS, "aud", "appstoreconnect-v1",
			   "iat", (json_int_t)(now / 1000), "exp", (json_int_t)(now / 1000 + 1800));
	jwt = rw_jwt_sign(apple_key, APPLE_KID, claims, err, sizeof(err));
	cr_assert_not_null(jwt, "%s", err);
	apple_refused(jwt, "wrong");
	free(jwt);
	json_decref(claims);
	/* RS256 with the right kid and claims. */
	claims = json_pack("{s:s, s:s, s:I, s:I}", "iss", APPLE_ISS, "aud", "appstoreconnect-v1",
			   "iat", (json_int_t)(now / 1000), "exp", (json_int_t)(now / 1000 + 600));
	jwt = rw_jwt_sign(sa_key, APPLE_KID, claims, err, sizeof(err));
	apple_refused(jwt, "wrong");
	free(jwt);
	json_decref(claims);

	/* The key revoked: even a good token is refused, until restored. */
	jwt = apple_jwt(apple_key, APPLE_KID, NULL, 1200, now);
	json_decref(ctl("/_fake/app_store/revoke", NULL));
	apple_refused(jwt, "wrong");
	json_decref(ctl("/_fake/app_store/revoke", "{'revoked': false}"));
	json_decref(call("GET", APPLE, jwt, NULL, 200));
	free(jwt);
	json_decref(call("GET", APPLE, NULL, NULL, 401));
}

/* ---- rate limits and faults ---- */

Test(fake_reviews, rate_limits_answer_each_platforms_429_shape)
{
	char *jwt = apple_jwt(apple_key, APPLE_KID, NULL, 1200, rw_now_ms()), *tok = gbp_token();
	struct rwt_response r;
	char *rl;
	json_t *v;

	/* Google: RESOURCE_EXHAUSTED in its envelope, no rate-limit headers. */
	json_decref(ctl("/_fake/google_business/fault",
			"{'kind': '429', 'endpoint': 'reviews', 'retry_after': 30}"));
	r = rwt_http(fake.port, "GET", GBP, tok, NULL);
	cr_assert_eq(r.status, 429);
	v = json_loads(r.body, 0, NULL);
	cr_assert_eq(json_integer_value(json_object_get(json_object_get(v, "error"), "code")), 429);
	cr_assert_str_eq(str(json_object_get(v, "error"), "status"), "RESOURCE_EXHAUSTED");
	rl = header(r.headers, "Retry-After");
	cr_assert_str_eq(rl, "30");
	free(rl);
	json_decref(v);
	rwt_response_free(&r);

	/* Apple: the hour's budget counts down in X-Rate-Limit, then 429 RATE_LIMIT_EXCEEDED. */
	json_decref(ctl("/_fake/app_store/config", "{'rate_limit': 2, 'rate_window': 3600}"));
	r = rwt_http(fake.port, "GET", APPLE, jwt, NULL);
	rl = header(r.headers, "X-Rate-Limit");
	cr_assert_str_eq(rl, "user-hour-lim:2;user-hour-rem:1;");
	free(rl);
	rwt_response_free(&r);
	json_decref(call("GET", APPLE, jwt, NULL, 200));
	r = rwt_http(fake.port, "GET", APPLE, jwt, NULL);
	cr_assert_eq(r.status, 429);
	v = json_loads(r.body, 0, NULL);
	cr_assert_str_eq(str(json_array_get(json_object_get(v, "errors"), 0), "code"),
			 "RATE_LIMIT_EXCEEDED");
	cr_assert_str_eq(str(json_array_get(json_object_get(v, "errors"), 0), "status"), "429");
	rl = header(r.headers, "X-Rate-Limit");
	cr_assert_str_eq(rl, "user-hour-lim:2;user-hour-rem:0;");
	free(rl);
	json_decref(v);
	rwt_response_free(&r);

	/* A 429 while budget remains (Apple's burst limit), scripted. */
	json_decref(ctl("/_fake/app_store/config", "{'rate_limit': 3500}"));
	r = rwt_http(fake.port, "POST", "/_fake/app_store/fault", NULL,
		     "{\"kind\": \"answer\", \"status\": 429, \"body\": "
		     "\"{\\\"errors\\\":[{\\\"status\\\":\\\"429\\\",\\\"code\\\":"
		     "\\\"RATE_LIMIT_EXCEEDED\\\"}]}\"}");
	cr_assert_eq(r.status, 201, "%s", r.body);
	rwt_response_free(&r);
	r = rwt_http(fake.port, "GET", APPLE, jwt, NULL);
	cr_assert_eq(r.status, 429);
	rl = header(r.headers, "X-Rate-Limit");
	cr_assert_str_eq(rl, "user-hour-lim:3500;user-hour-rem:3499;");
	free(rl);
	rwt_response_free(&r);

	/* The token endpoint's own faults. */
	json_decref(ctl("/_fake/google_oauth/fault", "{'kind': '503'}"));
	v = token_call(REFRESH_FORM, 503);
	cr_assert_str_eq(str(v, "error"), "temporarily_unavailable");
	json_decref(v);
	free(jwt);
	free(tok);
}

Test(fake_reviews, credentials_never_reach_the_log_state_or_table)
{
	char *jwt = apple_jwt(apple_key, APPLE_KID, NULL, 1200, rw_now_ms()), *tok = gbp_token();
	struct rwt_response r;

	json_decref(call("GET", GBP, tok, NULL, 200));
	json_decref(call("GET", APPLE, jwt, NULL, 200));
	free(play_token());
	const char *paths[] = {"/_fake/requests", "/_fake/state", "/_fake/platforms"};
	for (size_t i = 0; i < 3; i++) {
		r = rwt_http(fake.port, "GET", paths[i], NULL, NULL);
		cr_assert_eq(r.status, 200);
		cr_assert_null(strstr(r.body, tok), "%s shows an access token", paths[i]);
		cr_assert_null(strstr(r.body, jwt), "%s shows a JWT", paths[i]);
		cr_assert_null(strstr(r.body, "rwfake-client-secret"), "%s", paths[i]);
		cr_assert_null(strstr(r.body, "rwfake-refresh-token"), "%s", paths[i]);
		cr_assert_null(strstr(r.body, "ya29."), "%s", paths[i]);
		rwt_response_free(&r);
	}
	free(jwt);
	free(tok);
}

Test(fake_reviews, reset_clears_reviews_and_revocations_and_control_errors_are_400)
{
	json_t *v;
	struct rwt_response r;

	free(add_review("google_play", "{'rating': 3, 'text': 'x'}"));
	json_decref(ctl("/_fake/google_play/revoke", NULL));
	json_decref(ctl("/_fake/reset", NULL));
	v = rwt_fake_call(&fake, "GET", "/_fake/state", NULL);
	cr_assert_eq(
		json_integer_value(json_object_get(json_object_get(v, "google_play"), "reviews")),
		0);
	cr_assert(json_is_false(json_object_get(json_object_get(v, "google_play"), "revoked")));
	cr_assert(json_is_false(
		json_object_get(json_object_get(v, "google_oauth"), "service_account_revoked")));
	json_decref(v);
	free(play_token());
	r = rwt_http(fake.port, "POST", "/_fake/google_business/review", NULL, "{\"rating\": 6}");
	cr_assert_eq(r.status, 400);
	rwt_response_free(&r);
	r = rwt_http(fake.port, "POST", "/_fake/app_store/answer", NULL,
		     "{\"review\": \"nope\", \"text\": \"x\"}");
	cr_assert_eq(r.status, 404);
	rwt_response_free(&r);
	r = rwt_http(fake.port, "POST", "/_fake/google_business/publish", NULL, "{}");
	cr_assert_eq(r.status, 404, "publish is Apple's only");
	rwt_response_free(&r);
	v = rwt_fake_call(&fake, "GET", "/_fake/app_store/reviews", NULL);
	cr_assert_eq(json_integer_value(json_object_get(v, "count")), 0);
	json_decref(v);
}

/* App Store's prefix /v1/apps/ lies inside Trustpilot's /v1/: an unknown
 * path under it must be App Store's whatever the table's order (the fake
 * once took the first matching prefix). */
Test(fake_reviews, regression_unknown_path_under_a_nested_prefix_is_the_longest_prefixs)
{
	struct rwt_response r = rwt_http(fake.port, "GET", "/v1/apps/no.such/thing", NULL, NULL);
	json_t *log = rwt_fake_requests(&fake, "app_store", "unknown");
	json_t *v = json_loads(r.body, 0, NULL);

	cr_assert_eq(r.status, 404);
	cr_assert_str_eq(str(json_array_get(json_object_get(v, "errors"), 0), "code"), "NOT_FOUND");
	cr_assert_eq(json_array_size(log), 1);
	json_decref(v);
	json_decref(log);
	rwt_response_free(&r);
}

Test(fake_reviews, control_calls_take_trustpilots_names_too)
{
	char *tok = gbp_token(), path[256];
	json_t *v = ctl("/_fake/google_business/review", "{'stars': 3, 'text': 'meh'}");
	char *id = strdup(str(v, "id"));

	json_decref(v);
	snprintf(path, sizeof(path),
		 "{'id': '%s', 'text': 'Thanks', 'created_at': "
		 "'2026-12-01T08:00:00Z'}",
		 id);
	json_decref(ctl("/_fake/google_business/answer", path));
	snprintf(path, sizeof(path), GBP "/%s", id);
	v = call("GET", path, tok, NULL, 200);
	cr_assert_str_eq(str(v, "starRating"), "THREE");
	cr_assert_eq(ms_of(str(json_object_get(v, "reviewReply"), "updateTime")),
		     rwt_utc_ms(2026, 12, 1, 8, 0));
	json_decref(v);
	free(id);
	free(tok);
}

/* ---- Trustpilot on the shared review store ---- */

static size_t
discard(char *p, size_t size, size_t n, void *arg)
{
	(void)p;
	(void)arg;
	return size * n;
}

/* The status of GET path on Trustpilot's fake with key in the apikey header. */
static long
tp_status(const char *path, const char *key)
{
	CURL *c = curl_easy_init();
	struct curl_slist *h = NULL;
	char url[256], header[128];
	long status = 0;

	cr_assert_not_null(c);
	snprintf(url, sizeof(url), "http://127.0.0.1:%d%s", fake.port, path);
	snprintf(header, sizeof(header), "apikey: %s", key);
	h = curl_slist_append(h, header);
	cr_assert_not_null(h);
	cr_assert_eq(curl_easy_setopt(c, CURLOPT_URL, url), CURLE_OK);
	cr_assert_eq(curl_easy_setopt(c, CURLOPT_HTTPHEADER, h), CURLE_OK);
	cr_assert_eq(curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, discard), CURLE_OK);
	cr_assert_eq(curl_easy_perform(c), CURLE_OK);
	cr_assert_eq(curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status), CURLE_OK);
	curl_slist_free_all(h);
	curl_easy_cleanup(c);
	return status;
}

/* Trustpilot's reviews live in the shared store: its ids stay 24 hex digits
 * led by the created second, the reply's createdAt stays when the answer is
 * edited (updatedAt moves), and the store's revoke makes its key a 401. */
Test(fake_reviews, trustpilot_on_the_store_keeps_its_ids_reply_created_at_and_key)
{
	json_t *v = ctl("/_fake/trustpilot/review",
			"{'stars': 2, 'text': 'slow', 'created_at': '2026-11-30T10:00:00Z'}");
	char *id = strdup(str(v, "id")), body[256], path[64];
	json_t *reply;

	cr_assert_eq(strlen(id), 24);
	cr_assert_eq(strncmp(id, "6b0d4920", 8), 0, "id %s", id); /* 2026-11-30T10:00:00Z */
	cr_assert(json_is_null(json_object_get(v, "updatedAt")));
	json_decref(v);
	snprintf(body, sizeof(body),
		 "{'id': '%s', 'text': 'Sorry', 'created_at': '2026-12-01T08:00:00Z'}", id);
	json_decref(ctl("/_fake/trustpilot/answer", body));
	snprintf(body, sizeof(body),
		 "{'id': '%s', 'text': 'Sorry again', 'created_at': '2026-12-02T09:00:00Z'}", id);
	v = ctl("/_fake/trustpilot/edit_answer", body);
	reply = json_object_get(v, "companyReply");
	cr_assert_str_eq(str(reply, "text"), "Sorry again");
	cr_assert_str_eq(str(reply, "createdAt"), "2026-12-01T08:00:00.000Z");
	cr_assert_str_eq(str(reply, "updatedAt"), "2026-12-02T09:00:00.000Z");
	json_decref(v);

	snprintf(path, sizeof(path), "/v1/reviews/%s", id);
	cr_assert_eq(tp_status(path, "trustpilot-test-key"), 200);
	json_decref(ctl("/_fake/trustpilot/revoke", "{}"));
	cr_assert_eq(tp_status(path, "trustpilot-test-key"), 401);
	json_decref(ctl("/_fake/trustpilot/revoke", "{'revoked': false}"));
	cr_assert_eq(tp_status(path, "trustpilot-test-key"), 200);
	free(id);
}
