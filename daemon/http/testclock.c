/*
 * testclock.c: POST /_test/clock — moves the daemon clock forward for the
 * integration tests (docs/testing.md). The route exists only when
 * replywatchd runs with the hidden --test-clock flag; it answers loopback
 * clients only, and needs the server token like the API when one is set.
 *
 * Body: {"advance": "90s"} (a duration, as in the configuration) or
 * {"advance": 90} (seconds). Answer: {"now": TIME, "offset_seconds": N}.
 */
#include <jansson.h>
#include <stdint.h>
#include <stdio.h>

#include "replywatch/api.h"
#include "replywatch/clock.h"
#include "replywatch/duration.h"
#include "replywatch/http.h"
#include "replywatch/log.h"
#include "replywatch/timer.h"

/* The advance asked for, in ms; -1 when the body does not say one. */
static int64_t
advance_ms(const char *body, size_t len)
{
	json_t *doc = json_loadb(body, len, 0, NULL);
	json_t *v = json_object_get(doc, "advance");
	int64_t seconds = -1;

	if (json_is_string(v)) {
		if (rw_duration_parse(json_string_value(v), &seconds) == -1)
			seconds = -1;
	} else if (json_is_integer(v) && json_integer_value(v) >= 0 &&
		   json_integer_value(v) <= RW_DURATION_MAX) {
		seconds = (int64_t)json_integer_value(v);
	}
	json_decref(doc);
	return seconds < 0 ? -1 : seconds * 1000;
}

static void
advance(struct rw_http_request *req, void *arg)
{
	char at[RW_TIME_MAX], by[32];
	const char *body;
	size_t len;
	int64_t ms;
	json_t *answer;

	(void)arg;
	if (!rw_http_from_loopback(req)) {
		rw_http_respond_error(req, 403, "the test clock answers loopback clients only");
		return;
	}
	body = rw_http_body(req, &len);
	ms = advance_ms(body, len);
	if (ms < 0) {
		rw_http_respond_error(req, 400,
				      "expected {\"advance\": DURATION or seconds, at least 0}");
		return;
	}
	if (ms > 0 && rw_timer_advance(ms) == -1) {
		rw_http_respond_error(req, 400, "the clock cannot go past year 9999");
		return;
	}
	rw_duration_format(ms / 1000, by, sizeof(by));
	rw_time_format(rw_now_ms(), at, sizeof(at));
	log_info("test clock: advanced by %s; now %s", by, at);
	answer = json_pack("{s:s, s:I}", "now", at, "offset_seconds",
			   (json_int_t)(rw_clock_offset() / 1000));
	rw_http_respond_json(req, 200, answer);
	json_decref(answer);
}

int
rw_api_test_clock_routes(struct rw_http_server *srv, struct rw_daemon *d)
{
	return rw_http_route(srv, "POST", "/_test/clock", 0, advance, d);
}
