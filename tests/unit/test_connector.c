/*
 * The platform table, the connectors' shared checks, URL building.
 */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "replywatch/connector.h"
#include "replywatch/platform.h"

Test(connector, url_build_escapes_values_and_skips_nulls)
{
	char *url = rw_url_build("https://m.example/", "/api/v1/notifications", "types[]",
				 "mention", "max_id", NULL, "since_id", "10 9&x=/?", NULL);

	cr_assert_str_eq(url, "https://m.example/api/v1/notifications?types%5B%5D=mention&"
			      "since_id=10%209%26x%3D%2F%3F");
	free(url);
}

Test(connector, url_build_without_query)
{
	char *url =
		rw_url_build("http://127.0.0.1:9", "/xrpc/com.atproto.server.createSession", NULL);

	cr_assert_str_eq(url, "http://127.0.0.1:9/xrpc/com.atproto.server.createSession");
	free(url);
}

Test(connector, url_build_keeps_utf8_as_percent_bytes)
{
	char *url = rw_url_build("https://x", "/p", "q", "Zażółć", NULL);

	cr_assert_str_eq(url, "https://x/p?q=Za%C5%BC%C3%B3%C5%82%C4%87");
	free(url);
}

/* Every type has a descriptor the config, the poller and /status can use. */
Test(connector, every_type_has_a_platform)
{
	for (int t = 0; t < RW_SOURCE_TYPE_COUNT; t++) {
		const struct rw_platform *p = rw_platform_of((enum rw_source_type)t);
		const struct rw_connector *c;
		enum rw_source_type found;

		cr_assert_not_null(p, "type %d", t);
		cr_assert_eq(rw_platform_find(p->name, &found), 0, "%s", p->name);
		cr_assert_eq(found, (enum rw_source_type)t);
		cr_assert_str_eq(rw_platform_names()[t], p->name);
		cr_assert_not_null(p->params);
		cr_assert(p->pushed || p->base_url != NULL || p->base_url_required, "%s", p->name);
		/* A quota read from headers needs a platform that sends them. */
		if (p->quota != NULL && p->quota->kind == RW_QUOTA_WINDOW)
			cr_assert(p->ratelimit_headers || p->ratelimit_read, "%s", p->name);
		c = rw_connector_for((enum rw_source_type)t);
		cr_assert_eq(c, p->connector);
		if (c == NULL)
			continue;
		cr_assert_not(p->pushed, "%s", p->name);
		cr_assert_not_null(c->start, "%s", p->name);
		cr_assert_gt(c->nstreams, 0, "%s", p->name);
		for (size_t s = 0; s < c->nstreams; s++) {
			const struct rw_stream *st = &c->streams[s];

			cr_assert_not_null(st->endpoint, "%s", p->name);
			cr_assert(st->page_url && st->parse && st->cursor_ok, "%s %s", p->name,
				  st->endpoint);
			/* Page numbers are a token: the walk follows them. */
			cr_assert(st->per_page == 0 || st->token_paging, "%s", p->name);
			cr_assert(st->overlap_ms >= 0, "%s", p->name);
		}
		if (c->revisit != NULL) {
			const struct rw_revisit *rv = c->revisit;

			cr_assert(rv->endpoint && rv->id_ok && rv->url && rv->parse, "%s", p->name);
			cr_assert_gt(rv->per_poll, 0, "%s", p->name);
			/* 0: the platform cannot tell a deleted item (Google Play). */
			cr_assert(rv->gone_status == 0 ||
					  (rv->gone_status >= 400 && rv->gone_status < 500),
				  "%s", p->name);
			cr_assert(rv->skip_status == 0 ||
					  (rv->skip_status >= 400 && rv->skip_status < 500 &&
					   rv->skip_status != rv->gone_status),
				  "%s", p->name);
		}
		cr_assert(c->list_window_ms >= 0, "%s", p->name);
	}
	cr_assert_null(rw_platform_names()[RW_SOURCE_TYPE_COUNT]);
	cr_assert_null(rw_platform_of(RW_SOURCE_TYPE_COUNT));
	cr_assert_eq(rw_platform_find("tiktok", &(enum rw_source_type){0}), -1);
	cr_assert_null(rw_connector_for(RW_SOURCE_PUSH));
}

Test(connector, result_names_are_metric_labels)
{
	cr_assert_str_eq(rw_poll_result_name(RW_POLL_OK), "ok");
	cr_assert_str_eq(rw_poll_result_name(RW_POLL_MALFORMED), "malformed");
	cr_assert_str_eq(rw_poll_result_name(RW_POLL_STORE_ERROR), "store_error");
	cr_assert_str_eq(rw_poll_result_name(RW_POLL_RESULT_COUNT), "unknown");
}

/* Each platform's cursor rule, with its connector's streams. */
Test(connector, cursor_rules_per_platform)
{
	static const struct {
		enum rw_source_type type;
		const char *id;
		bool ok;
	} cases[] = {
		{RW_SOURCE_X, "1", true},
		{RW_SOURCE_X, "1234567890123456789", true},
		{RW_SOURCE_X, "12345678901234567890", false}, /* 20 digits: not an X id */
		{RW_SOURCE_X, "", false},
		{RW_SOURCE_X, "12a", false},
		{RW_SOURCE_X, "-1", false},
		{RW_SOURCE_MASTODON, "110000000000000001", true},
		{RW_SOURCE_MASTODON, "12345678901234567890", true},
		{RW_SOURCE_MASTODON, "123456789012345678901", false},
		{RW_SOURCE_MASTODON, "9 OR 1=1", false},
		{RW_SOURCE_BLUESKY, "1795435200000", true}, /* a watermark in ms */
		{RW_SOURCE_BLUESKY, "2026-11-23T12:00:00Z", false},
		{RW_SOURCE_TRUSTPILOT, "1795435200000", true}, /* createdAt watermark in ms */
		{RW_SOURCE_TRUSTPILOT, "6630f0c2a1b2c3d4e5f60718", false},
		{RW_SOURCE_APP_STORE, "1795435200000", true}, /* createdDate watermark in ms */
		{RW_SOURCE_APP_STORE, "00000028-b08c-0014-729e-fbd500000000", false},
		{RW_SOURCE_LINKEDIN, "1795435200000", true}, /* lastModifiedAt watermark in ms */
		{RW_SOURCE_LINKEDIN, "urn:li:share:1", false},
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct rw_connector *c = rw_connector_for(cases[i].type);

		for (size_t s = 0; s < c->nstreams; s++)
			cr_assert_eq(c->streams[s].cursor_ok(cases[i].id), cases[i].ok, "%s %s",
				     c->streams[s].endpoint, cases[i].id);
	}
	cr_assert_not(rw_cursor_digits(NULL, 19));
	cr_assert_str_eq(rw_poll_result_name(RW_POLL_NO_PROGRESS), "no_progress");
}

Test(connector, page_tokens)
{
	char long_token[RW_CURSOR_TOKEN_MAX + 2];

	cr_assert(rw_cursor_token_ok("7140dibdnow9c7btw3w29n7r5i6k6g4a8o6i5m4m0h0d"));
	cr_assert(rw_cursor_token_ok("1763900000000::bafyreib"));
	cr_assert_not(rw_cursor_token_ok(NULL));
	cr_assert_not(rw_cursor_token_ok(""));
	cr_assert_not(rw_cursor_token_ok("a b"));
	cr_assert_not(rw_cursor_token_ok("a\r\nb"));
	cr_assert_not(rw_cursor_token_ok("za\xc5\xbc"));
	memset(long_token, 'a', sizeof(long_token) - 1);
	long_token[sizeof(long_token) - 1] = '\0';
	cr_assert_not(rw_cursor_token_ok(long_token));
	long_token[RW_CURSOR_TOKEN_MAX] = '\0';
	cr_assert(rw_cursor_token_ok(long_token));
}

/* Regression: a platform's token with CR/LF became extra request headers. */
Test(connector, regression_header_values_without_control_characters)
{
	cr_assert(rw_header_value_ok("Authorization: Bearer abc.def-ghi_jkl"));
	cr_assert_not(rw_header_value_ok("Authorization: Bearer abc\r\nX-Injected: yes"));
	cr_assert_not(rw_header_value_ok("abc\ndef"));
	cr_assert_not(rw_header_value_ok("abc\tdef"));
	cr_assert_not(rw_header_value_ok("caf\xc3\xa9"));
	cr_assert_not(rw_header_value_ok(""));
	cr_assert_not(rw_header_value_ok(NULL));

	cr_assert(rw_jwt_ok("eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJkaWQ6cGxjOmFiYyJ9.c2ln-_"));
	cr_assert(rw_jwt_ok("abc"));
	cr_assert_not(rw_jwt_ok("eyJhbGciOiJIUzI1NiJ9.e30.sig\r\nX-Injected: yes"));
	cr_assert_not(rw_jwt_ok("a..b"));
	cr_assert_not(rw_jwt_ok(".a"));
	cr_assert_not(rw_jwt_ok("a."));
	cr_assert_not(rw_jwt_ok("a=.b"));
	cr_assert_not(rw_jwt_ok(""));
	cr_assert_not(rw_jwt_ok(NULL));
}

/* Trustpilot reads open reviews again by id: only Trustpilot ids go into
 * the URL. */
Test(connector, trustpilot_revisit_ids)
{
	const struct rw_revisit *rv = rw_connector_for(RW_SOURCE_TRUSTPILOT)->revisit;

	cr_assert_not_null(rv);
	cr_assert_eq(rv->gone_status, 404);
	cr_assert(rv->id_ok("6630f0c2a1b2c3d4e5f60718"));
	cr_assert_not(rv->id_ok("../../v1/private/reviews"));
	cr_assert_not(rv->id_ok("6630f0c2a1b2c3d4e5f6071"));
	cr_assert_not(rv->id_ok("6630f0c2a1b2c3d4e5f6071?"));
}

/* The App Store reads open reviews again by id: only Apple's ids (hex
 * digits and '-') go into the URL; a 404 is a deletion. */
Test(connector, app_store_revisit_ids)
{
	const struct rw_revisit *rv = rw_connector_for(RW_SOURCE_APP_STORE)->revisit;

	cr_assert_not_null(rv);
	cr_assert_eq(rv->gone_status, 404);
	cr_assert(rv->id_ok("00000028-b08c-0014-729e-fbd500000000"));
	cr_assert_not(rv->id_ok("../../v1/apps/1/customerReviews"));
	cr_assert_not(rv->id_ok("00000028-b08c?include=x"));
	cr_assert_not(rv->id_ok(""));
	cr_assert_eq(rw_platform_of(RW_SOURCE_APP_STORE)->poll_every, 600);
}

/* LinkedIn reads open items again by URN (percent-encoded into the path):
 * only URNs are taken; a 404 is a deletion; every request carries the
 * version headers. */
Test(connector, linkedin_revisit_ids_and_headers)
{
	const struct rw_connector *c = rw_connector_for(RW_SOURCE_LINKEDIN);
	const struct rw_revisit *rv = c->revisit;

	cr_assert_not_null(rv);
	cr_assert_not_null(c->headers);
	cr_assert_eq(rv->gone_status, 404);
	cr_assert(rv->id_ok("urn:li:comment:(urn:li:activity:1,2)"));
	cr_assert(rv->id_ok("urn:li:share:7094600000000000000"));
	cr_assert_not(rv->id_ok("7094600000000000000"));
	cr_assert_not(rv->id_ok("urn:li:share:1 2"));
	cr_assert_not(rv->id_ok(""));
}
