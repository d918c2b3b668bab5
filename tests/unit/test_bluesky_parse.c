/*
 * test_bluesky_parse: the AT Protocol parsers (bluesky.h) — sessions and
 * the access JWT's expiry, XRPC error answers, and over recorded answers in
 * tests/fixtures/bluesky the notification list (the research sample plus
 * likes, follows, reposts, the brand's own reply, a broken time and an
 * invalid handle) and the brand's author feed (a repost of its own reply,
 * another author's post, a top-level post). Also runs under ASan.
 *
 * Inline bodies are written with ' for " (rwt_json_quotes).
 */
#include <criterion/criterion.h>
#include <openssl/evp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "replywatch/signin.h"
#include "replywatch/sources/bluesky.h"
#include "replywatch/config.h"
#include "replywatch/item.h"
#include "replywatch/page.h"

#include "rwtest.h"
#include "rwtparse.h"

#define FIXTURES RW_SOURCE_DIR "/tests/fixtures/bluesky/"
#define BRAND "did:plc:brand000"

/* text as base64url without padding, appended to out at *len. */
static void
b64url(const char *text, char *out, size_t *len)
{
	unsigned char buf[1024];
	int n = EVP_EncodeBlock(buf, (const unsigned char *)text, (int)strlen(text));

	cr_assert_gt(n, 0);
	for (int i = 0; i < n && buf[i] != '='; i++)
		out[(*len)++] = buf[i] == '+' ? '-' : buf[i] == '/' ? '_' : (char)buf[i];
	out[*len] = '\0';
}

/* A JWT as a PDS issues it (ES256K, at+jwt) with claims as its payload
 * and a made-up signature. */
static char *
make_jwt(const char *claims)
{
	char *jwt = malloc(2048);
	size_t len = 0;

	cr_assert_not_null(jwt);
	b64url("{\"typ\":\"at+jwt\",\"alg\":\"ES256K\"}", jwt, &len);
	jwt[len++] = '.';
	b64url(claims, jwt, &len);
	jwt[len++] = '.';
	b64url("\x30\x45\x02\x21\x00\xfa\xce-signature-bytes-\xff\xfe", jwt, &len);
	return jwt;
}

/* Expects failure with a message starting with want and a zeroed page. */
static void
expect_error(rwt_page_parser *fn, const char *body, const char *want)
{
	rwt_parse_fails(fn, body, strlen(body), BRAND, want, true, 160);
}

/* ---- JWT expiry ---- */

/* The claims of an access token a PDS issues, for audience aud. */
#define ACCESS_CLAIMS(aud)                                                                         \
	"{\"scope\":\"com.atproto.access\",\"sub\":\"did:plc:brand000\","                          \
	"\"iat\":1777630000,\"exp\":1777637200,\"aud\":\"did:web:" aud "\"}"

/* A real-looking access token; payloads of every length modulo 3, so that
 * each amount of padding the decoder must restore occurs. */
Test(bluesky_jwt, expiry)
{
	static const char *const claims[] = {
		ACCESS_CLAIMS("morel.us-east.host.bsky.network"),
		ACCESS_CLAIMS("morel.us-east.host.bsky.network1"),
		ACCESS_CLAIMS("morel.us-east.host.bsky.network12"),
		"{\"exp\":1777637200}",
		"{\"exp\":1777637200 }",
		"{\"exp\":1777637200  }",
	};

	for (size_t i = 0; i < sizeof(claims) / sizeof(claims[0]); i++) {
		char *jwt = make_jwt(claims[i]);

		cr_assert_eq(rw_jwt_expiry_ms(jwt), 1777637200000LL, "%s (%s)", claims[i], jwt);
		free(jwt);
	}
}

Test(bluesky_jwt, fractional_exp)
{
	char *jwt = make_jwt("{\"exp\":1777637200.25}");

	cr_assert_eq(rw_jwt_expiry_ms(jwt), 1777637200250LL);
	free(jwt);
}

Test(bluesky_jwt, unreadable)
{
	static const char *const claims[] = {
		"{\"iat\":1777630000}",
		"{\"exp\":\"1777637200\"}",
		"{\"exp\":-5}",
		"{\"exp\":null}",
		"not json",
		"[1777637200]",
		"{\"exp\":1e300}",
		"{\"exp\":9223372036854775807}",
	};
	static const char *const tokens[] = {
		"",        "abc",      "abc.def",
		"a..c",    "a.!!!!.c", "a.e30",
		"a.eyJ.c", "a.e.c",    "a.eyJleHAiOjF9+/.c",
	};

	cr_assert_eq(rw_jwt_expiry_ms(NULL), 0);
	for (size_t i = 0; i < sizeof(claims) / sizeof(claims[0]); i++) {
		char *jwt = make_jwt(claims[i]);

		cr_assert_eq(rw_jwt_expiry_ms(jwt), 0, "%s", claims[i]);
		free(jwt);
	}
	for (size_t i = 0; i < sizeof(tokens) / sizeof(tokens[0]); i++)
		cr_assert_eq(rw_jwt_expiry_ms(tokens[i]), 0, "%s", tokens[i]);
	/* "{"exp":1}" itself reads. */
	cr_assert_eq(rw_jwt_expiry_ms("a.eyJleHAiOjF9.c"), 1000);
}

/* ---- sessions ---- */

Test(bluesky_session, create_session_answer)
{
	char *jwt = make_jwt("{\"scope\":\"com.atproto.access\",\"sub\":\"did:plc:brand000\","
			     "\"iat\":1777630000,\"exp\":1777637200}");
	char body[4096], err[256] = "";
	struct rw_bluesky_session s;

	snprintf(body, sizeof(body),
		 "{\"did\":\"did:plc:brand000\",\"didDoc\":{\"id\":\"did:plc:brand000\"},"
		 "\"handle\":\"brand.example.com\",\"email\":\"social@brand.example.com\","
		 "\"emailConfirmed\":true,\"emailAuthFactor\":false,\"accessJwt\":\"%s\","
		 "\"refreshJwt\":\"refresh-SECRET-token\",\"active\":true}",
		 jwt);
	memset(&s, 0xa5, sizeof(s));
	cr_assert_eq(rw_bluesky_parse_session(body, strlen(body), &s, err, sizeof(err)), 0, "%s",
		     err);
	cr_assert_str_eq(s.access_jwt, jwt);
	cr_assert_str_eq(s.refresh_jwt, "refresh-SECRET-token");
	cr_assert_str_eq(s.did, "did:plc:brand000");
	cr_assert_str_eq(s.handle, "brand.example.com");
	cr_assert_eq(s.access_expires_ms, 1777637200000LL);
	rw_bluesky_session_clear(&s);
	cr_assert_null(s.access_jwt);
	cr_assert_null(s.refresh_jwt);
	cr_assert_null(s.did);
	cr_assert_null(s.handle);
	cr_assert_eq(s.access_expires_ms, 0);
	rw_bluesky_session_clear(&s);
	rw_bluesky_session_clear(NULL);
	free(jwt);
}

/* An opaque access token reads, with an unknown expiry; no handle is fine. */
/* A handle that could break a log line is left out; the session stands. */
Test(bluesky_session, bad_handle_left_out)
{
	static const char body[] = "{\"accessJwt\":\"a.b.c\",\"refreshJwt\":\"r\","
				   "\"did\":\"did:web:brand.example\",\"handle\":\"x\\ny\"}";
	struct rw_bluesky_session s;
	char err[256] = "";

	cr_assert_eq(rw_bluesky_parse_session(body, strlen(body), &s, err, sizeof(err)), 0, "%s",
		     err);
	cr_assert_str_eq(s.did, "did:web:brand.example");
	cr_assert_null(s.handle);
	rw_bluesky_session_clear(&s);
}

Test(bluesky_session, opaque_token_no_handle)
{
	static const char body[] =
		"{\"accessJwt\":\"opaque\",\"refreshJwt\":\"r\",\"did\":\"did:plc:x\"}";
	struct rw_bluesky_session s;
	char err[256] = "";

	cr_assert_eq(rw_bluesky_parse_session(body, strlen(body), &s, err, sizeof(err)), 0, "%s",
		     err);
	cr_assert_eq(s.access_expires_ms, 0);
	cr_assert_null(s.handle);
	rw_bluesky_session_clear(&s);
}

/* Every way a session can be wrong is named, and no token is ever quoted;
 * regression: a token with CR/LF was sent verbatim as a header. */
Test(bluesky_session, regression_errors_never_quote_tokens_nor_take_crlf)
{
	static const struct {
		const char *body, *want;
	} cases[] = {
		{"{\"accessJwt\":\"eyJSECRETACCESS", "malformed JSON at line 1 column"},
		{"{\"accessJwt\":\"eyJSECRETACCESS\" \"refreshJwt\":\"SECRETREFRESH\"}",
		 "malformed JSON at line 1 column"},
		{"{\"accessJwt\":\"eyJSECRETACCESS\",\"refreshJwt\":SECRETREFRESH}",
		 "malformed JSON at line 1 column"},
		{"", "malformed JSON at line 1 column"},
		{"[\"eyJSECRETACCESS\"]", "expected a JSON object"},
		{"{\"refreshJwt\":\"SECRETREFRESH\",\"did\":\"did:plc:x\"}",
		 "session: no accessJwt"},
		{"{\"accessJwt\":\"eyJSECRETACCESS\",\"did\":\"did:plc:x\"}",
		 "session: no refreshJwt"},
		{"{\"accessJwt\":\"eyJSECRETACCESS\",\"refreshJwt\":\"SECRETREFRESH\"}",
		 "session: no did"},
		{"{\"accessJwt\":7,\"refreshJwt\":\"SECRETREFRESH\",\"did\":\"d\"}",
		 "session: no accessJwt"},
		{"{\"error\":\"AuthenticationRequired\","
		 "\"message\":\"Invalid identifier or password\"}",
		 "session: no accessJwt"},
		/* A token that would add a header to every later request. */
		{"{\"accessJwt\":\"eyJSECRET\\r\\nX-Injected: 1\",\"refreshJwt\":\"SECRETREFRESH\","
		 "\"did\":\"did:plc:x\"}",
		 "session: bad accessJwt"},
		{"{\"accessJwt\":\"eyJSECRETACCESS\",\"refreshJwt\":\"SECRET REFRESH\","
		 "\"did\":\"did:plc:x\"}",
		 "session: bad refreshJwt"},
		{"{\"accessJwt\":\"eyJSECRETACCESS\",\"refreshJwt\":\"SECRETREFRESH\","
		 "\"did\":\"did:plc:x&actor=did:plc:y\"}",
		 "session: bad did"},
		{"{\"accessJwt\":\"eyJSECRETACCESS\",\"refreshJwt\":\"SECRETREFRESH\","
		 "\"did\":\"plc:x\"}",
		 "session: bad did"},
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct rw_bluesky_session s;
		char err[256] = "";

		memset(&s, 0xa5, sizeof(s));
		cr_assert_eq(rw_bluesky_parse_session(cases[i].body, strlen(cases[i].body), &s, err,
						      sizeof(err)),
			     -1, "%s accepted", cases[i].body);
		cr_assert_eq(strncmp(err, cases[i].want, strlen(cases[i].want)), 0,
			     "%s: got \"%s\"", cases[i].body, err);
		cr_assert_null(strstr(err, "SECRET"), "token in \"%s\"", err);
		cr_assert_null(strstr(err, "eyJ"), "token in \"%s\"", err);
		cr_assert_null(s.access_jwt);
		cr_assert_null(s.refresh_jwt);
		cr_assert_null(s.did);
		cr_assert_null(s.handle);
	}
}

/* ---- XRPC errors ---- */

Test(bluesky_error, parse)
{
	static const char expired[] =
		"{\"error\":\"ExpiredToken\",\"message\":\"Token has expired\"}";
	static const char *const not_errors[] = {
		"",
		"<html>",
		"[]",
		"{}",
		"{\"error\":5}",
		"{\"error\":\"\"}",
		"{\"message\":\"x\"}",
		"{\"error\":\"ExpiredToken\"",
	};
	char name[64];

	cr_assert_eq(rw_bluesky_parse_error(expired, strlen(expired), name, sizeof(name)), 0);
	cr_assert_str_eq(name, "ExpiredToken");
	cr_assert_eq(rw_bluesky_parse_error(expired, strlen(expired), name, 4), 0);
	cr_assert_str_eq(name, "Exp");
	cr_assert_eq(
		rw_bluesky_parse_error("{\"error\":\"RateLimitExceeded\"}", 29, name, sizeof(name)),
		0);
	cr_assert_str_eq(name, "RateLimitExceeded");
	for (size_t i = 0; i < sizeof(not_errors) / sizeof(not_errors[0]); i++)
		cr_assert_eq(rw_bluesky_parse_error(not_errors[i], strlen(not_errors[i]), name,
						    sizeof(name)),
			     -1, "%s", not_errors[i]);
}

/* A mention notification of post URI (JSON) created at CREATED (JSON) and
 * indexed at INDEXED (JSON) by did:plc:a, in the thread ROOT (JSON). */
#define NOTE(uri, created, indexed, root)                                                          \
	" {'uri': " uri ", 'reason': 'mention', 'indexedAt': " indexed ","                         \
	"  'author': {'did': 'did:plc:a', 'handle': 'a.test'},"                                    \
	"  'record': {'createdAt': " created ", 'reply': {'root': {'uri': " root "}}}}"
#define POST(n) "'at://did:plc:a/app.bsky.feed.post/" n "'"

/* ---- notifications ---- */

Test(bluesky_notifications, recorded_page)
{
	struct rw_page page;
	const struct rw_item *it;

	rwt_parse_file(rw_bluesky_parse_notifications, FIXTURES "notifications.json", BRAND, &page);
	cr_assert_eq(page.nentries, 8);
	cr_assert_eq(page.nitems, 4);
	cr_assert_eq(page.nrejects, 0);

	it = &page.items[0];
	cr_assert_str_eq(it->id, "at://did:plc:danxyz789/app.bsky.feed.post/3lxyzmention02");
	cr_assert_eq(it->created_at_ms, rwt_utc_ms(2026, 5, 1, 9, 58));
	cr_assert_str_eq(it->author, "dan.example.com");
	cr_assert_str_eq(it->text, "@brand.example.com is the best");
	cr_assert_str_eq(it->url, "https://bsky.app/profile/dan.example.com/post/3lxyzmention02");
	cr_assert_eq(it->kind, RW_KIND_MENTION);
	cr_assert_str_eq(it->conversation_id, it->id);
	cr_assert_not(it->has_followers);
	cr_assert_not(it->from_brand);

	/* A createdAt that cannot be read: the time Bluesky indexed the post. */
	it = &page.items[1];
	cr_assert_str_eq(it->id, "at://did:plc:hank0001/app.bsky.feed.post/3lxyzbadtime4");
	cr_assert_eq(it->created_at_ms, rwt_utc_ms(2026, 5, 1, 9, 59) + 30000);

	it = &page.items[2];
	cr_assert_str_eq(it->id, "at://did:plc:custabc123/app.bsky.feed.post/3lxyzreply001");
	cr_assert_eq(it->created_at_ms, rwt_utc_ms(2026, 5, 1, 10, 0));
	cr_assert_str_eq(it->author, "carol.example.com");
	cr_assert_str_eq(it->text, "my order never arrived");
	cr_assert_str_eq(it->url, "https://bsky.app/profile/carol.example.com/post/3lxyzreply001");
	cr_assert_eq(it->kind, RW_KIND_COMMENT);
	cr_assert_str_eq(it->conversation_id,
			 "at://did:plc:brand000/app.bsky.feed.post/3lbrandpost01");

	/* A quote by an account whose handle does not resolve: the DID. */
	it = &page.items[3];
	cr_assert_str_eq(it->id, "at://did:plc:frankq1/app.bsky.feed.post/3lxyzquote003");
	cr_assert_eq(it->created_at_ms, rwt_utc_ms(2026, 5, 1, 10, 2));
	cr_assert_str_eq(it->author, "did:plc:frankq1");
	cr_assert_str_eq(it->url, "https://bsky.app/profile/did:plc:frankq1/post/3lxyzquote003");
	cr_assert_eq(it->kind, RW_KIND_MENTION);
	cr_assert_str_eq(it->text, "this is why I switched \xc3\xa0 la carte \xf0\x9f\x9a\x80");
	rw_page_clear(&page);
}

/* The first and last entries in list order (a like and a repost, both
 * skipped) are the newest and oldest; times are indexedAt. */
Test(bluesky_notifications, watermarks_and_cursor)
{
	struct rw_page page;

	rwt_parse_file(rw_bluesky_parse_notifications, FIXTURES "notifications.json", BRAND, &page);
	cr_assert_str_eq(page.newest_id, "at://did:plc:erin4567/app.bsky.feed.like/3lxyzlike0005");
	cr_assert_str_eq(page.oldest_id,
			 "at://did:plc:ivan2222/app.bsky.feed.repost/3lxyzrepost07");
	cr_assert_eq(page.newest_ms, rwt_utc_ms(2026, 5, 1, 10, 5));
	cr_assert_eq(page.oldest_ms, rwt_utc_ms(2026, 5, 1, 9, 50));
	cr_assert_str_eq(page.next, "2026-05-01T09:50:00.000Z");
	rw_page_clear(&page);
}

/* The last page: no cursor; odd entries are rejected with a reason. */
Test(bluesky_notifications, last_page_and_odd_entries)
{
	struct rw_page page;

	rwt_parse_ok(rw_bluesky_parse_notifications,
		     "{'notifications': ["
		     " {'uri': 'at://did:plc:a/app.bsky.feed.post/1', 'reason': 'mention',"
		     "  'author': {'did': 'did:plc:a'}, 'indexedAt': '2026-05-01T10:00:00Z',"
		     "  'record': {'createdAt': '2026-05-01T10:00:00+02:00'}},"
		     " {'uri': 'at://did:plc:b/app.bsky.feed.post/2', 'reason': 'mention',"
		     "  'author': {}, 'record': {'createdAt': '2026-05-01T10:00:00Z'}},"
		     " {'uri': 'at://did:plc:c/other.collection/3', 'reason': 'mention',"
		     "  'author': {'did': 'did:plc:c', 'handle': 'c.test'},"
		     "  'record': {'createdAt': '2026-05-01T07:00:00Z'}},"
		     " {'reason': 'mention', 'author': {'did': 'did:plc:d'},"
		     "  'record': {'createdAt': '2026-05-01T10:00:00Z'}},"
		     " 42]}",
		     BRAND, &page);
	cr_assert_eq(page.nentries, 5);
	cr_assert_eq(page.nitems, 2);
	cr_assert_str_eq(page.items[0].id, "at://did:plc:c/other.collection/3");
	cr_assert_null(page.items[0].url);
	cr_assert_null(page.items[0].text);
	cr_assert_str_eq(page.items[1].author, "did:plc:a");
	cr_assert_eq(page.items[1].created_at_ms, rwt_utc_ms(2026, 5, 1, 8, 0));
	cr_assert_str_eq(page.items[1].url, "https://bsky.app/profile/did:plc:a/post/1");
	cr_assert_str_eq(page.newest_id, "at://did:plc:a/app.bsky.feed.post/1");
	cr_assert_str_eq(page.oldest_id, "at://did:plc:c/other.collection/3");
	cr_assert_eq(page.newest_ms, rwt_utc_ms(2026, 5, 1, 10, 0));
	cr_assert_eq(page.oldest_ms, rwt_utc_ms(2026, 5, 1, 10, 0));
	cr_assert_null(page.next);
	cr_assert_eq(page.nrejects, 3);
	rwt_expect_reject(&page, 0, RW_REJECT_WRONG_TYPE, NULL);
	rwt_expect_reject(&page, 1, RW_REJECT_NO_ID, NULL);
	rwt_expect_reject(&page, 2, RW_REJECT_BAD_AUTHOR, "at://did:plc:b/app.bsky.feed.post/2");
	rw_page_clear(&page);
}

/* Each kind of unusable mention is rejected with its reason, between good
 * ones that are kept; a like is skipped, not rejected. A uri with a space,
 * a '|' or a control character never reaches a key, a cursor or a reject. */
Test(bluesky_notifications, each_kind_of_bad_entry_rejected)
{
	/* clang-format off */
	static const char body[] = "{'notifications': ["
		NOTE(POST("9"), "'2026-05-01T10:00:00Z'", "'2026-05-01T10:00:01Z'", "null") ","
		" {'uri': 'at://did:plc:a/app.bsky.feed.like/8', 'reason': 'like',"
		"  'indexedAt': '2026-05-01T10:00:00Z'},"
		NOTE(POST("7"), "'yesterday'", "'soon'", "null") ","
		NOTE(POST("6"), "'2026-05-01T10:00:00Z'", "'2026-05-01T10:00:01Z'",
		     "'at://did:plc:a/x y'") ","
		NOTE("'at://did:plc:a/app.bsky.feed.post/5|'", "'2026-05-01T10:00:00Z'",
		     "'2026-05-01T10:00:01Z'", "null") ","
		NOTE("'at://did:plc:a/app.bsky.feed.post/4\\u000d'", "'2026-05-01T10:00:00Z'",
		     "'2026-05-01T10:00:01Z'", "null") ","
		NOTE("'https://bsky.app/profile/a/post/3'", "'2026-05-01T10:00:00Z'",
		     "'2026-05-01T10:00:01Z'", "null") ","
		" {'uri': " POST("2") ", 'reason': 'mention', 'author': {'did': 'did:plc:a'},"
		"  'record': 'text'},"
		" {'uri': " POST("1") ", 'reason': ['mention']},"
		NOTE(POST("0"), "'2026-05-01T09:00:00Z'", "'2026-05-01T09:00:01Z'", POST("00")) "],"
		" 'cursor': '2026-05-01T09:00:01Z'}";
	/* clang-format on */
	struct rw_page page;

	rwt_parse_ok(rw_bluesky_parse_notifications, body, BRAND, &page);
	cr_assert_eq(page.nentries, 10);
	cr_assert_eq(page.nitems, 2);
	cr_assert_str_eq(page.items[0].id, "at://did:plc:a/app.bsky.feed.post/0");
	cr_assert_str_eq(page.items[0].conversation_id, "at://did:plc:a/app.bsky.feed.post/00");
	cr_assert_str_eq(page.items[1].id, "at://did:plc:a/app.bsky.feed.post/9");
	cr_assert_eq(page.nrejects, 7);
	rwt_expect_reject(&page, 0, RW_REJECT_WRONG_TYPE, NULL);
	rwt_expect_reject(&page, 1, RW_REJECT_WRONG_TYPE, "at://did:plc:a/app.bsky.feed.post/2");
	rwt_expect_reject(&page, 2, RW_REJECT_BAD_ID, NULL);
	rwt_expect_reject(&page, 3, RW_REJECT_BAD_ID, NULL);
	rwt_expect_reject(&page, 4, RW_REJECT_BAD_ID, NULL);
	rwt_expect_reject(&page, 5, RW_REJECT_BAD_ID, "at://did:plc:a/app.bsky.feed.post/6");
	rwt_expect_reject(&page, 6, RW_REJECT_BAD_TIME, "at://did:plc:a/app.bsky.feed.post/7");
	rw_page_clear(&page);
}

/* record.createdAt comes from the poster's device: one hours fast must not
 * delay the warning and the breach by those hours. The item's time is never
 * later than indexedAt; a normal post, created a little before Bluesky
 * indexed it, keeps its createdAt. */
Test(bluesky_notifications, regression_future_dated_mention_gets_indexed_at)
{
	/* clang-format off */
	static const char body[] = "{'notifications': ["
		NOTE(POST("2"), "'2026-05-01T15:00:00Z'", "'2026-05-01T10:00:01.500Z'", "null") ","
		NOTE(POST("1"), "'2026-05-01T09:59:59.250Z'", "'2026-05-01T10:00:00Z'", "null") "]}";
	/* clang-format on */
	struct rw_page page;

	rwt_parse_ok(rw_bluesky_parse_notifications, body, BRAND, &page);
	cr_assert_eq(page.nitems, 2);
	cr_assert_str_eq(page.items[0].id, "at://did:plc:a/app.bsky.feed.post/1");
	cr_assert_eq(page.items[0].created_at_ms, rwt_utc_ms(2026, 5, 1, 9, 59) + 59250);
	cr_assert_str_eq(page.items[1].id, "at://did:plc:a/app.bsky.feed.post/2");
	cr_assert_eq(page.items[1].created_at_ms, rwt_utc_ms(2026, 5, 1, 10, 0) + 1500);
	rw_page_clear(&page);
}

/* A page longer than RW_PAGE_MAX_ENTRIES, or a cursor that cannot be sent
 * back, is refused whole: the poller asks again from the same place. */
Test(bluesky_notifications, page_too_large_or_bad_cursor_refused)
{
	size_t cap = (RW_PAGE_MAX_ENTRIES + 1) * 8 + 64, len = 0;
	char *body = malloc(cap);

	cr_assert_not_null(body);
	len += (size_t)snprintf(body, cap, "{\"notifications\":[");
	for (size_t i = 0; i <= RW_PAGE_MAX_ENTRIES; i++)
		len += (size_t)snprintf(body + len, cap - len, "%s{}", i ? "," : "");
	snprintf(body + len, cap - len, "]}");
	expect_error(rw_bluesky_parse_notifications, body,
		     "page too large: 1001 notifications (at most 1000)");
	free(body);
	expect_error(rw_bluesky_parse_notifications,
		     "{\"notifications\": [], \"cursor\": \"a\\nb\"}",
		     "cursor: not a paging cursor");
	expect_error(rw_bluesky_parse_feed, "{\"feed\": [], \"cursor\": 17}",
		     "cursor: not a paging cursor");
}

Test(bluesky_notifications, garbage_bodies)
{
	expect_error(rw_bluesky_parse_notifications, "<html>", "malformed JSON at line 1 column");
	expect_error(rw_bluesky_parse_notifications, "", "malformed JSON at line 1 column");
	expect_error(rw_bluesky_parse_notifications,
		     "{\"notifications\": [{\"uri\": \"at:", "malformed JSON at line 1 column");
	expect_error(rw_bluesky_parse_notifications, "[]", "expected a JSON object");
	expect_error(rw_bluesky_parse_notifications, "{}", "expected a notifications array");
	expect_error(rw_bluesky_parse_notifications, "{\"notifications\": {}}",
		     "expected a notifications array");
	expect_error(rw_bluesky_parse_notifications, "{\"feed\": []}",
		     "expected a notifications array");
}

/* ---- the brand's author feed ---- */

Test(bluesky_feed, recorded_page)
{
	struct rw_page page;
	const struct rw_item *it;

	rwt_parse_file(rw_bluesky_parse_feed, FIXTURES "feed.json", BRAND, &page);
	cr_assert_eq(page.nentries, 6);
	cr_assert_eq(page.nitems, 3);
	cr_assert_eq(page.nrejects, 0);

	/* A createdAt that cannot be read: the time Bluesky indexed the post. */
	it = &page.items[1];
	cr_assert_str_eq(it->id, "at://did:plc:brand000/app.bsky.feed.post/3lbrandbadts1");
	cr_assert_eq(it->created_at_ms, rwt_utc_ms(2026, 5, 1, 10, 12) + 100);

	it = &page.items[0];
	cr_assert_str_eq(it->id, "at://did:plc:brand000/app.bsky.feed.post/3lbrandreply2");
	cr_assert_eq(it->created_at_ms, rwt_utc_ms(2026, 5, 1, 10, 10));
	cr_assert(it->from_brand);
	cr_assert_str_eq(it->in_reply_to,
			 "at://did:plc:danxyz789/app.bsky.feed.post/3lxyzmention02");
	cr_assert_str_eq(it->conversation_id,
			 "at://did:plc:danxyz789/app.bsky.feed.post/3lxyzmention02");
	cr_assert_str_eq(it->author, "brand.example.com");
	cr_assert_str_eq(it->text, "@dan.example.com thank you!");
	cr_assert_str_eq(it->url, "https://bsky.app/profile/brand.example.com/post/3lbrandreply2");

	it = &page.items[2];
	cr_assert_str_eq(it->id, "at://did:plc:brand000/app.bsky.feed.post/3lbrandreply1");
	cr_assert_eq(it->created_at_ms, rwt_utc_ms(2026, 5, 1, 10, 30));
	cr_assert(it->from_brand);
	cr_assert_str_eq(it->in_reply_to,
			 "at://did:plc:custabc123/app.bsky.feed.post/3lxyzreply001");
	cr_assert_str_eq(it->conversation_id,
			 "at://did:plc:brand000/app.bsky.feed.post/3lbrandpost01");
	rw_page_clear(&page);
}

/* The repost at the top is listed at the time of the repost (11:00), not
 * of the month-old post it reposts. */
Test(bluesky_feed, watermarks_and_cursor)
{
	struct rw_page page;

	rwt_parse_file(rw_bluesky_parse_feed, FIXTURES "feed.json", BRAND, &page);
	cr_assert_str_eq(page.newest_id, "at://did:plc:brand000/app.bsky.feed.post/3lbrandold001");
	cr_assert_str_eq(page.oldest_id, "at://did:plc:brand000/app.bsky.feed.post/3lbrandreply2");
	cr_assert_eq(page.newest_ms, rwt_utc_ms(2026, 5, 1, 11, 0));
	cr_assert_eq(page.oldest_ms, rwt_utc_ms(2026, 5, 1, 10, 10) + 250);
	cr_assert_str_eq(page.next, "2026-05-01T10:10:00.250Z");
	rw_page_clear(&page);
}

/* A brand reply dated hours ahead by the device it was written on gets
 * the time Bluesky indexed it, so it cannot look faster (or slower) than
 * it was; replies that cannot be used are rejected, reposts and posts that
 * reply to nothing skipped. */
Test(bluesky_feed, regression_future_dated_reply_gets_indexed_at_and_bad_ones_rejected)
{
	/* clang-format off */
#define REPLY(n, created, indexed, parent)                                                         \
	" {'post': {'uri': 'at://" BRAND "/app.bsky.feed.post/" n "',"                              \
	"  'author': {'did': '" BRAND "', 'handle': 'brand.test'}, 'indexedAt': " indexed ","       \
	"  'record': {'createdAt': " created ", 'reply': {'parent': {'uri': " parent "},"            \
	"   'root': {'uri': " parent "}}}}}"
	static const char body[] = "{'feed': ["
		REPLY("6", "'2026-05-01T13:00:00Z'", "'2026-05-01T10:10:00Z'", POST("1")) ","
		REPLY("5", "'2026-05-01T10:04:59Z'", "'2026-05-01T10:05:00Z'", POST("1")) ","
		REPLY("4", "'2026-05-01T10:04:00Z'", "'2026-05-01T10:04:01Z'", "'at:/x'") ","
		" {'post': {'uri': 'at://" BRAND "/app.bsky.feed.post/3',"
		"  'indexedAt': '2026-05-01T10:03:00Z', 'record': {'createdAt':"
		"  '2026-05-01T10:03:00Z', 'reply': {'parent': {'uri': " POST("1") "}}}}},"
		" {'post': {'uri': 'at://" BRAND "/app.bsky.feed.post/2',"
		"  'author': {'did': '" BRAND "'}, 'indexedAt': '2026-05-01T10:02:00Z',"
		"  'record': {'createdAt': '2026-05-01T10:02:00Z'}}},"
		" {'post': 'gone'}],"
		" 'cursor': '2026-05-01T10:02:00Z'}";
#undef REPLY
	/* clang-format on */
	struct rw_page page;

	rwt_parse_ok(rw_bluesky_parse_feed, body, BRAND, &page);
	cr_assert_eq(page.nentries, 6);
	cr_assert_eq(page.nitems, 2);
	cr_assert_str_eq(page.items[0].id, "at://" BRAND "/app.bsky.feed.post/5");
	cr_assert_eq(page.items[0].created_at_ms, rwt_utc_ms(2026, 5, 1, 10, 4) + 59000);
	cr_assert_str_eq(page.items[1].id, "at://" BRAND "/app.bsky.feed.post/6");
	cr_assert_eq(page.items[1].created_at_ms, rwt_utc_ms(2026, 5, 1, 10, 10));
	cr_assert(page.items[1].from_brand);
	cr_assert_eq(page.nrejects, 3);
	rwt_expect_reject(&page, 0, RW_REJECT_WRONG_TYPE, NULL);
	rwt_expect_reject(&page, 1, RW_REJECT_BAD_AUTHOR, "at://" BRAND "/app.bsky.feed.post/3");
	rwt_expect_reject(&page, 2, RW_REJECT_BAD_ID, "at://" BRAND "/app.bsky.feed.post/4");
	rw_page_clear(&page);
}

/* Without a brand DID nothing is the brand's. */
Test(bluesky_feed, no_brand)
{
	struct rw_page page;

	rwt_parse_file(rw_bluesky_parse_feed, FIXTURES "feed.json", NULL, &page);
	cr_assert_eq(page.nitems, 0);
	cr_assert_eq(page.nentries, 6);
	rw_page_clear(&page);
}

Test(bluesky_feed, garbage_bodies)
{
	expect_error(rw_bluesky_parse_feed, "<html>", "malformed JSON at line 1 column");
	expect_error(rw_bluesky_parse_feed, "{\"feed\": [", "malformed JSON at line 1 column");
	expect_error(rw_bluesky_parse_feed, "{}", "expected a feed array");
	expect_error(rw_bluesky_parse_feed, "{\"notifications\": []}", "expected a feed array");
}
