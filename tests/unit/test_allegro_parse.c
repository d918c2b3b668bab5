/*
 * test_allegro_parse: the Allegro parsers (sources/allegro.h) over the
 * documented ratings sample (tests/fixtures/allegro/ratings.json,
 * research 14.5 a), the rating mapping, bad entries, one rating read by
 * id, GET /me, and the stored credential's record and the token answer's
 * new refresh token.
 *
 * Inline bodies are written with ' for " (rwt_json_quotes).
 */
#include <criterion/criterion.h>
#include <jansson.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "replywatch/clock.h"
#include "replywatch/config.h"
#include "replywatch/item.h"
#include "replywatch/page.h"
#include "replywatch/sources/allegro.h"
#include "replywatch/sources/review.h"

#include "rwtest.h"
#include "rwtparse.h"

#define FIXTURES RW_SOURCE_DIR "/tests/fixtures/allegro/"

static int
list(const char *body, size_t len, const char *brand, struct rw_page *page, char *err,
     size_t errlen)
{
	(void)brand;
	return rw_allegro_parse_ratings(body, len, page, err, errlen);
}

static int
one(const char *body, size_t len, const char *brand, struct rw_page *page, char *err, size_t errlen)
{
	(void)brand;
	return rw_allegro_parse_rating(body, len, page, err, errlen);
}

static int64_t
ms(const char *t)
{
	int64_t v = 0;

	cr_assert_eq(rw_time_parse(t, &v), 0, "%s", t);
	return v;
}

Test(allegro_ratings, documented_page)
{
	struct rw_page page;

	rwt_parse_file(list, FIXTURES "ratings.json", NULL, &page);
	cr_assert_eq(page.nentries, 2);
	cr_assert_eq(page.nitems, 3);
	/* Oldest first: the answered rating, its answer, then the newer one. */
	rwt_expect_review(&page.items[0], "5f245afca39ce1004cb8fc37",
			  ms("2026-05-03T19:55:08.555Z"), "another-buyer", 5,
			  "Świetny kontakt, ekspresowa realizacja");
	rwt_expect_reply(&page.items[1], "5f245afca39ce1004cb8fc37", ms("2026-05-03T21:10:00Z"),
			 "Dziękujemy!");
	/* Rates 2, 5, 3, 1: mean 2.75, rounded to 3. */
	rwt_expect_review(&page.items[2], "5df0a6d1ef437e00255572a1",
			  ms("2026-05-04T08:36:57.292Z"), "example-buyer", 3,
			  "Paczka uszkodzona, brak kontaktu.");
	cr_assert_str_eq(page.items[2].url, RW_ALLEGRO_RATINGS_URL);
	/* The page's times are lastChangedAt (the list's order). */
	cr_assert_eq(page.newest_ms, ms("2026-05-05T10:02:11.004Z"));
	cr_assert_eq(page.oldest_ms, ms("2026-05-03T19:55:08.555Z"));
	cr_assert_null(page.next);
	rw_page_clear(&page);
}

static int
rating_of(const char *json)
{
	char *text = rwt_json_quotes(json);
	json_t *v = json_loads(text, 0, NULL);
	int r;

	cr_assert_not_null(v, "%s", text);
	r = rw_allegro_rating_of(v);
	json_decref(v);
	free(text);
	return r;
}

Test(allegro_ratings, rating_mapping)
{
	cr_assert_eq(rating_of("{'recommended': true}"), 5);
	cr_assert_eq(rating_of("{'recommended': false}"), 1);
	cr_assert_eq(rating_of("{'recommended': false, 'rates': {'service': 4}}"), 4);
	cr_assert_eq(rating_of("{'rates': {'delivery': 1, 'service': 2}}"), 2); /* 1.5 -> 2 */
	/* Out-of-range rates are ignored. */
	cr_assert_eq(rating_of("{'recommended': true, 'rates': {'delivery': 9, 'service': 0}}"), 5);
	cr_assert_eq(rating_of("{'rates': null}"), 0);
	cr_assert_eq(rating_of("{}"), 0);
}

Test(allegro_ratings, bad_entries_are_rejected)
{
	struct rw_page page;

	rwt_parse_ok(
		list,
		"{'ratings': ["
		" {'id': 'ok1', 'createdAt': '2026-05-04T08:00:00Z', 'recommended': true},"
		" {'id': 'bad id!', 'createdAt': '2026-05-04T08:00:00Z', 'recommended': true},"
		" {'createdAt': '2026-05-04T08:00:00Z', 'recommended': true},"
		" {'id': 'notime', 'recommended': true},"
		" {'id': 'norating', 'createdAt': '2026-05-04T08:00:00Z'},"
		" {'id': 'badanswer', 'createdAt': '2026-05-04T08:00:00Z', 'recommended': true,"
		"  'answer': {'message': 'x'}},"
		" 7]}",
		NULL, &page);
	cr_assert_eq(page.nentries, 7);
	cr_assert_eq(page.nitems, 2, "%zu", page.nitems); /* ok1 and badanswer's rating */
	cr_assert_eq(page.nrejects, 6, "%zu", page.nrejects);
	rw_page_clear(&page);
}

Test(allegro_ratings, answer_null_is_no_reply)
{
	struct rw_page page;

	rwt_parse_ok(list,
		     "{'ratings': [{'id': 'a1', 'createdAt': '2026-05-04T08:00:00Z',"
		     " 'recommended': false, 'answer': null, 'buyer': null}]}",
		     NULL, &page);
	cr_assert_eq(page.nitems, 1);
	cr_assert_str_eq(page.items[0].author, RW_REVIEW_ANONYMOUS);
	rw_page_clear(&page);
}

Test(allegro_ratings, malformed_pages)
{
	rwt_parse_fails(list, "[]", 2, NULL, "expected a JSON object", true, 120);
	rwt_parse_fails(list, "{\"ratings\": 3}", 14, NULL, "expected a ratings array", true, 120);
	rwt_parse_fails(list, "not json", 8, NULL, "malformed JSON", true, 120);
}

Test(allegro_ratings, one_rating)
{
	struct rw_page page;

	rwt_parse_ok(one,
		     "{'id': 'r1', 'createdAt': '2026-05-04T08:00:00Z', 'recommended': false,"
		     " 'answer': {'createdAt': '2026-05-04T09:00:00.5Z', 'message': 'Sorry'}}",
		     NULL, &page);
	cr_assert_eq(page.nitems, 2);
	rwt_expect_reply(&page.items[1], "r1", ms("2026-05-04T09:00:00.5Z"), "Sorry");
	rw_page_clear(&page);
}

Test(allegro_me, parse)
{
	char err[120], *id, *login;
	const char *ok = "{\"id\": \"44120007\", \"login\": \"acme-shop\", \"firstName\": \"A\"}";

	cr_assert_eq(rw_allegro_parse_me(ok, strlen(ok), &id, &login, err, sizeof(err)), 0);
	cr_assert_str_eq(id, "44120007");
	cr_assert_str_eq(login, "acme-shop");
	free(id);
	free(login);
	ok = "{\"id\": 5, \"login\": \"x\"}";
	cr_assert_eq(rw_allegro_parse_me(ok, strlen(ok), &id, &login, err, sizeof(err)), 0);
	cr_assert_str_eq(id, "5");
	free(id);
	free(login);
	cr_assert_eq(rw_allegro_parse_me("{\"login\": \"x\"}", 14, &id, &login, err, sizeof(err)),
		     -1);
	cr_assert_str_eq(err, "me: no id");
	cr_assert_null(id);
	cr_assert_eq(rw_allegro_parse_me("{\"id\": \"1\"}", 11, &id, &login, err, sizeof(err)), -1);
	cr_assert_str_eq(err, "me: no login");
	cr_assert_eq(rw_allegro_parse_me("[", 1, &id, &login, err, sizeof(err)), -1);
	cr_assert_str_eq(err, "me: not a JSON object");
}

Test(allegro_credential, record_round_trip)
{
	char *rec = rw_allegro_record("rt-ABC.def_123", 1790000000123LL), *tok;
	int64_t at = 0;

	cr_assert_not_null(rec);
	cr_assert_eq(rw_allegro_record_parse(rec, strlen(rec), &tok, &at), 0);
	cr_assert_str_eq(tok, "rt-ABC.def_123");
	cr_assert_eq(at, 1790000000123LL);
	rw_allegro_secret_free(tok);
	rw_allegro_secret_free(rec);
	cr_assert_eq(rw_allegro_record_parse("{}", 2, &tok, &at), -1);
	cr_assert_null(tok);
	cr_assert_eq(rw_allegro_record_parse("{\"refresh_token\": \"a b\"}", 24, &tok, &at), -1);
}

Test(allegro_credential, new_refresh_token)
{
	const char *ans = "{\"access_token\": \"at\", \"refresh_token\": \"rt2\", \"expires_in\": "
			  "43199, \"token_type\": \"bearer\"}";
	char *t = rw_allegro_new_refresh_token(ans, strlen(ans));

	cr_assert_str_eq(t, "rt2");
	rw_allegro_secret_free(t);
	cr_assert_null(rw_allegro_new_refresh_token("{\"access_token\": \"at\"}", 22));
	cr_assert_null(rw_allegro_new_refresh_token("{\"refresh_token\": \"a\\nb\"}", 25));
}
