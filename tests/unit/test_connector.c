/*
 * The connector table and URL building.
 */
#include <criterion/criterion.h>
#include <stdlib.h>

#include "replywatch/connector.h"

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
	char *url = rw_url_build("http://127.0.0.1:9", "/xrpc/com.atproto.server.createSession",
				 NULL);

	cr_assert_str_eq(url, "http://127.0.0.1:9/xrpc/com.atproto.server.createSession");
	free(url);
}

Test(connector, url_build_keeps_utf8_as_percent_bytes)
{
	char *url = rw_url_build("https://x", "/p", "q", "Zażółć", NULL);

	cr_assert_str_eq(url, "https://x/p?q=Za%C5%BC%C3%B3%C5%82%C4%87");
	free(url);
}

Test(connector, table_has_the_three_platforms)
{
	cr_assert_not_null(rw_connector_for(RW_SOURCE_MASTODON));
	cr_assert_not_null(rw_connector_for(RW_SOURCE_X));
	cr_assert_not_null(rw_connector_for(RW_SOURCE_BLUESKY));
	cr_assert_null(rw_connector_for(RW_SOURCE_PUSH));
	cr_assert_null(rw_connector_for(RW_SOURCE_REDDIT));
	for (int t = RW_SOURCE_MASTODON; t <= RW_SOURCE_BLUESKY; t++) {
		const struct rw_connector *c = rw_connector_for((enum rw_source_type)t);

		cr_assert_eq(c->type, (enum rw_source_type)t);
		cr_assert_eq(c->nstreams, 2);
		cr_assert_eq(c->streams[0].field, 'n');
		cr_assert_eq(c->streams[1].field, 'r');
	}
}

Test(connector, result_names_are_metric_labels)
{
	cr_assert_str_eq(rw_poll_result_name(RW_POLL_OK), "ok");
	cr_assert_str_eq(rw_poll_result_name(RW_POLL_MALFORMED), "malformed");
	cr_assert_str_eq(rw_poll_result_name(RW_POLL_STORE_ERROR), "store_error");
	cr_assert_str_eq(rw_poll_result_name(RW_POLL_RESULT_COUNT), "unknown");
}
