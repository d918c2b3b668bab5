/*
 * test_meta_graph: what the facebook and instagram connectors share
 * (meta_graph.h): the Graph error envelope and what each code means for a
 * poll, the usage headers (X-App-Usage, X-Page-Usage,
 * X-Business-Use-Case-Usage) as rate limits, the "after" cursor only while
 * "next" is present, and Graph's "+0000" times. Payloads as Meta documents
 * them (Graph API "Handling Errors" and "Rate Limits").
 */
#include <criterion/criterion.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "replywatch/config.h"
#include "replywatch/ratelimit.h"
#include "replywatch/sources/meta_graph.h"

#include "rwtest.h"

#define NOW (rwt_utc_ms(2026, 12, 4, 12, 0))

static const char *
lookup(void *arg, const char *name)
{
	const char *const *h = arg;

	for (size_t i = 0; h[i] != NULL; i += 2)
		if (strcasecmp(h[i], name) == 0)
			return h[i + 1];
	return NULL;
}

static struct rw_ratelimit
usage(const char *const *headers)
{
	struct rw_ratelimit rl;

	memset(&rl, 0, sizeof(rl));
	rl.limit = -1;
	rl.remaining = -1;
	rw_graph_ratelimit_read(lookup, (void *)headers, NOW, &rl);
	return rl;
}

static enum rw_poll_result
result_of(long status, const char *body_quoted, char *reason, size_t len)
{
	char *body = rwt_json_quotes(body_quoted);
	enum rw_poll_result r = rw_graph_answer_result(status, body, strlen(body), reason, len);

	free(body);
	return r;
}

Test(meta_graph, error_envelope_read)
{
	char *body = rwt_json_quotes("{'error':{'message':'(#4) Application request limit "
				     "reached','type':'OAuthException','code':4,'error_subcode':"
				     "2446079,'fbtrace_id':'AbC'}}");
	struct rw_graph_error e;

	cr_assert_eq(rw_graph_parse_error(body, strlen(body), &e), 0);
	cr_assert_eq(e.code, 4);
	cr_assert_eq(e.subcode, 2446079);
	cr_assert_eq(rw_graph_error_kind(&e), RW_GRAPH_ERROR_RATE_LIMITED);
	free(body);
	cr_assert_eq(rw_graph_parse_error("{\"error\":{}}", 12, &e), -1);
	cr_assert_eq(rw_graph_parse_error("nope", 4, &e), -1);
	cr_assert_eq(rw_graph_parse_error(NULL, 0, &e), -1);
	cr_assert_eq(e.code, 0);
}

Test(meta_graph, throttling_codes_are_rate_limits_on_400_and_403)
{
	static const int codes[] = {4, 17, 32, 613, 80001, 80004, 80014};
	char reason[200], body[120];

	for (size_t i = 0; i < sizeof(codes) / sizeof(codes[0]); i++) {
		snprintf(body, sizeof(body), "{'error':{'code':%d,'message':'limit'}}", codes[i]);
		cr_assert_eq(result_of(400, body, reason, sizeof(reason)), RW_POLL_RATE_LIMITED,
			     "code %d", codes[i]);
		cr_assert_eq(result_of(403, body, reason, sizeof(reason)), RW_POLL_RATE_LIMITED);
		cr_assert_not_null(strstr(reason, "throttled"));
	}
	cr_assert_eq(result_of(400, "{'error':{'code':80015}}", reason, sizeof(reason)),
		     RW_POLL_OK);
	cr_assert_eq(result_of(400, "{'error':{'code':100}}", reason, sizeof(reason)), RW_POLL_OK);
	/* A 5xx is the poller's to judge, whatever the body says. */
	cr_assert_eq(result_of(500, "{'error':{'code':4}}", reason, sizeof(reason)), RW_POLL_OK);
}

Test(meta_graph, expired_token_is_down_with_what_to_do)
{
	char reason[200];

	cr_assert_eq(result_of(400,
			       "{'error':{'message':'Error validating access token: Session has "
			       "expired','type':'OAuthException','code':190,'error_subcode':463}}",
			       reason, sizeof(reason)),
		     RW_POLL_AUTH_ERROR);
	cr_assert_not_null(strstr(reason, "190"));
	cr_assert_not_null(strstr(reason, "new Page access token"));
	/* The message (it may quote the request) is not repeated. */
	cr_assert_null(strstr(reason, "Session has expired"));
	cr_assert_eq(result_of(403, "{'error':{'code':200}}", reason, sizeof(reason)),
		     RW_POLL_AUTH_ERROR);
	cr_assert_not_null(strstr(reason, "permission"));
}

Test(meta_graph, app_usage_is_remaining_percent)
{
	const char *h[] = {"x-app-usage",
			   "{\"call_count\":28,\"total_time\":25,\"total_cputime\":25}", NULL};
	struct rw_ratelimit rl = usage(h);

	cr_assert(rl.known);
	cr_assert_eq(rl.limit, 100);
	cr_assert_eq(rl.remaining, 72);
	/* A rolling hour: what is spent now has left it an hour from now. */
	cr_assert_eq(rl.reset_at_ms, NOW + RW_GRAPH_WINDOW_MS);
}

Test(meta_graph, business_use_case_regain_is_reset)
{
	const char *h[] = {"X-App-Usage",
			   "{\"call_count\":10,\"total_time\":5,\"total_cputime\":5}",
			   "X-Business-Use-Case-Usage",
			   "{\"101\":[{\"type\":\"pages\",\"call_count\":100,\"total_cputime\":25,"
			   "\"total_time\":25,\"estimated_time_to_regain_access\":19}]}",
			   NULL};
	struct rw_ratelimit rl = usage(h);

	cr_assert(rl.known);
	cr_assert_eq(rl.limit, 100);
	cr_assert_eq(rl.remaining, 0);
	cr_assert_eq(rl.reset_at_ms, NOW + 19 * 60 * 1000);
}

Test(meta_graph, highest_percentage_of_all_headers_counts)
{
	const char *h[] = {"X-App-Usage",
			   "{\"call_count\":10}",
			   "X-Page-Usage",
			   "{\"call_count\":3,\"total_time\":91,\"total_cputime\":2}",
			   "X-Business-Use-Case-Usage",
			   "{\"101\":[{\"type\":\"pages\",\"call_count\":40,"
			   "\"estimated_time_to_regain_access\":0}]}",
			   NULL};
	struct rw_ratelimit rl = usage(h);

	cr_assert_eq(rl.remaining, 9);
	cr_assert_eq(rl.reset_at_ms, NOW + RW_GRAPH_WINDOW_MS);
}

Test(meta_graph, unreadable_usage_is_absent)
{
	const char *none[] = {NULL};
	const char *bad[] = {
		"X-App-Usage",   "not json", "X-Page-Usage", "[1,2]", "X-Business-Use-Case-Usage",
		"{\"1\":\"x\"}", NULL};
	const char *over[] = {"X-App-Usage", "{\"call_count\":250}", NULL};
	struct rw_ratelimit rl = usage(none);

	cr_assert_not(rl.known);
	cr_assert_eq(rl.remaining, -1);
	rl = usage(bad);
	cr_assert_not(rl.known);
	rl = usage(over); /* past 100 % is spent, not negative */
	cr_assert_eq(rl.remaining, 0);
	cr_assert_gt(rl.reset_at_ms, NOW);
}

Test(meta_graph, after_cursor_only_while_next_present)
{
	json_t *more =
		json_loads("{\"data\":[],\"paging\":{\"cursors\":{\"before\":\"B\","
			   "\"after\":\"QVFIUmFmdGVy\"},\"next\":\"https://evil.example/x\"}}",
			   0, NULL);
	json_t *last =
		json_loads("{\"data\":[],\"paging\":{\"cursors\":{\"after\":\"QVF\"}}}", 0, NULL);
	json_t *blind = json_loads("{\"data\":[],\"paging\":{\"next\":\"https://g/x\"}}", 0, NULL);
	json_t *bad = json_loads("{\"paging\":{\"cursors\":{\"after\":\"a b\"},\"next\":\"n\"}}", 0,
				 NULL);
	char *after;

	cr_assert_eq(rw_graph_after(more, &after), 0);
	cr_assert_str_eq(after, "QVFIUmFmdGVy"); /* the cursor, never the host of next */
	free(after);
	cr_assert_eq(rw_graph_after(last, &after), 0);
	cr_assert_null(after);
	cr_assert_eq(rw_graph_after(blind, &after), -1);
	cr_assert_null(after);
	cr_assert_eq(rw_graph_after(bad, &after), -1);
	json_decref(more);
	json_decref(last);
	json_decref(blind);
	json_decref(bad);
}

Test(meta_graph, graph_times_with_plus_0000)
{
	int64_t ms = 0;

	cr_assert_eq(rw_graph_time_parse("2026-12-04T10:00:00+0000", &ms), 0);
	cr_assert_eq(ms, rwt_utc_ms(2026, 12, 4, 10, 0));
	cr_assert_eq(rw_graph_time_parse("2026-12-04T10:00:00+0130", &ms), 0);
	cr_assert_eq(ms, rwt_utc_ms(2026, 12, 4, 8, 30));
	cr_assert_eq(rw_graph_time_parse("2026-12-04T10:00:00Z", &ms), 0);
	cr_assert_eq(ms, rwt_utc_ms(2026, 12, 4, 10, 0));
	cr_assert_eq(rw_graph_time_parse("yesterday", &ms), -1);
	cr_assert_eq(rw_graph_time_parse(NULL, &ms), -1);
}

Test(meta_graph, ids)
{
	cr_assert(rw_graph_id_valid("101"));
	cr_assert(rw_graph_id_valid("101_2002"));
	cr_assert(rw_graph_id_valid("2002_3001_4"));
	cr_assert_not(rw_graph_id_valid(""));
	cr_assert_not(rw_graph_id_valid("_1"));
	cr_assert_not(rw_graph_id_valid("1_"));
	cr_assert_not(rw_graph_id_valid("1__2"));
	cr_assert_not(rw_graph_id_valid("1/../2"));
	cr_assert_not(rw_graph_id_valid("abc"));
	cr_assert_not(rw_graph_id_valid(NULL));
}

/* appsecret_proof is the hex HMAC-SHA256 of the token keyed with the app
 * secret; the vectors were computed with
 *   printf '%s' TOKEN | openssl dgst -sha256 -hmac SECRET */
Test(meta_graph, appsecret_proof_known_vector)
{
	char proof[RW_GRAPH_PROOF_LEN + 1];

	cr_assert_eq(
		rw_graph_appsecret_proof("EAAGm0PX4ZCpsBAKaN0tokenZDZD", "c0ffee5ecret", proof), 0);
	cr_assert_str_eq(proof, "4d94f782f3e3d3e734c3f643ee5fb2ac51e580ab7bd3186ee9d7cfcf38cd9c99");
	cr_assert_eq(rw_graph_appsecret_proof("meta-test-token", "meta-app-secret", proof), 0);
	cr_assert_str_eq(proof, "fe9d2470df83d7c748889a2bc6832d9fa248160fb626099e933a9eef8a5c76ea");
	cr_assert_eq(rw_graph_appsecret_proof("meta-test-token", "", proof), -1);
	cr_assert_str_eq(proof, "");
	cr_assert_eq(rw_graph_appsecret_proof(NULL, "s", proof), -1);
}

/* Graph refuses a missing or wrong proof with code 100 and a message that
 * names appsecret_proof: the source is down with what to fix, not a
 * client error retried for ever. */
Test(meta_graph, appsecret_proof_refused_is_auth_error)
{
	char reason[256];

	cr_assert_eq(result_of(400,
			       "{'error':{'message':'Invalid appsecret_proof provided in the API "
			       "argument','type':'GraphMethodException','code':100}}",
			       reason, sizeof(reason)),
		     RW_POLL_AUTH_ERROR);
	cr_assert_not_null(strstr(reason, "app_secret"), "%s", reason);
	cr_assert_eq(
		result_of(400,
			  "{'error':{'message':'API calls from the server require an "
			  "appsecret_proof argument','type':'GraphMethodException','code':100}}",
			  reason, sizeof(reason)),
		RW_POLL_AUTH_ERROR);
	/* Another code 100 (an invalid parameter) is left to the poller. */
	cr_assert_eq(result_of(400,
			       "{'error':{'message':'(#100) Invalid after cursor','type':"
			       "'OAuthException','code':100}}",
			       reason, sizeof(reason)),
		     RW_POLL_OK);
}
