/*
 * test_alert_decide: what an alert delivery's answer means for the next
 * step (rw_alert_decide), as a table: status, Retry-After, the retry
 * horizon and the backoff schedule in; acknowledge / retry after a delay /
 * disable / dead letter, the metrics result and the next backoff level out.
 */
#include <criterion/criterion.h>
#include <stdint.h>
#include <string.h>

#include "replywatch/alert_decide.h"

#define S 1000LL
#define H (3600 * S)
#define NOW (1800000000 * S)
#define DAY (24 * H)

/* A request whose oldest event was raised a minute ago, retry_for 24 h,
 * 2 retries so far, the schedule's next wait 4 s. */
#define BASE                                                                                       \
	.now_ms = NOW, .oldest_ms = NOW - 60 * S, .retry_for_ms = DAY, .backoff = 2,               \
	.backoff_ms = 4 * S

struct row {
	const char *what;
	struct rw_alert_answer in;
	enum rw_alert_next next;
	enum rw_alert_result result;
	int64_t delay_ms;
	unsigned backoff;
};

static const struct row rows[] = {
	{"200 acknowledges and resets the schedule",
	 {.status = 200, BASE},
	 RW_ALERT_NEXT_ACK,
	 RW_ALERT_OK,
	 0,
	 0},
	{"202 (PagerDuty) acknowledges",
	 {.status = 202, BASE},
	 RW_ALERT_NEXT_ACK,
	 RW_ALERT_OK,
	 0,
	 0},
	{"204 acknowledges", {.status = 204, BASE}, RW_ALERT_NEXT_ACK, RW_ALERT_OK, 0, 0},
	{"no answer retries on the schedule",
	 {.status = 0, BASE},
	 RW_ALERT_NEXT_RETRY,
	 RW_ALERT_RETRY,
	 4 * S,
	 3},
	{"500 retries on the schedule",
	 {.status = 500, BASE},
	 RW_ALERT_NEXT_RETRY,
	 RW_ALERT_RETRY,
	 4 * S,
	 3},
	{"502 retries", {.status = 502, BASE}, RW_ALERT_NEXT_RETRY, RW_ALERT_RETRY, 4 * S, 3},
	{"408 retries", {.status = 408, BASE}, RW_ALERT_NEXT_RETRY, RW_ALERT_RETRY, 4 * S, 3},
	{"a 3xx (not followed) retries",
	 {.status = 302, BASE},
	 RW_ALERT_NEXT_RETRY,
	 RW_ALERT_RETRY,
	 4 * S,
	 3},
	{"500 ignores Retry-After",
	 {.status = 500, .retry_after_ms = 90 * S, BASE},
	 RW_ALERT_NEXT_RETRY,
	 RW_ALERT_RETRY,
	 4 * S,
	 3},
	{"503 with Retry-After waits that long",
	 {.status = 503, .retry_after_ms = 90 * S, BASE},
	 RW_ALERT_NEXT_RETRY,
	 RW_ALERT_RETRY,
	 90 * S,
	 2},
	{"429 with Retry-After waits that long",
	 {.status = 429, .retry_after_ms = 30 * S, BASE},
	 RW_ALERT_NEXT_RETRY,
	 RW_ALERT_RATE_LIMITED,
	 30 * S,
	 2},
	{"429 without Retry-After backs off",
	 {.status = 429, BASE},
	 RW_ALERT_NEXT_RETRY,
	 RW_ALERT_RATE_LIMITED,
	 4 * S,
	 3},
	{"429 asking 999999999 s waits the ceiling",
	 {.status = 429, .retry_after_ms = 999999999 * S, BASE},
	 RW_ALERT_NEXT_RETRY,
	 RW_ALERT_RATE_LIMITED,
	 RW_ALERT_WAIT_MAX_MS,
	 2},
	{"503 asking a date in the year 5138 waits the ceiling",
	 {.status = 503, .retry_after_ms = 98000000000 * S, BASE},
	 RW_ALERT_NEXT_RETRY,
	 RW_ALERT_RETRY,
	 RW_ALERT_WAIT_MAX_MS,
	 2},
	{"a wait never reaches past the horizon",
	 {.status = 429,
	  .retry_after_ms = 50 * 60 * S,
	  .now_ms = NOW,
	  .oldest_ms = NOW - DAY + 10 * S,
	  .retry_for_ms = DAY,
	  .backoff = 2,
	  .backoff_ms = 4 * S},
	 RW_ALERT_NEXT_RETRY,
	 RW_ALERT_RATE_LIMITED,
	 10 * S,
	 2},
	{"a backoff never reaches past the horizon",
	 {.status = 500,
	  .now_ms = NOW,
	  .oldest_ms = NOW - DAY + 1 * S,
	  .retry_for_ms = DAY,
	  .backoff = 9,
	  .backoff_ms = 300 * S},
	 RW_ALERT_NEXT_RETRY,
	 RW_ALERT_RETRY,
	 1 * S,
	 10},
	{"500 at the horizon dead-letters",
	 {.status = 500,
	  .now_ms = NOW,
	  .oldest_ms = NOW - DAY,
	  .retry_for_ms = DAY,
	  .backoff = 9,
	  .backoff_ms = 300 * S},
	 RW_ALERT_NEXT_DEAD_LETTER,
	 RW_ALERT_DEAD_LETTER,
	 0,
	 9},
	{"no answer past the horizon dead-letters",
	 {.status = 0, .now_ms = NOW, .oldest_ms = NOW - 2 * DAY, .retry_for_ms = DAY},
	 RW_ALERT_NEXT_DEAD_LETTER,
	 RW_ALERT_DEAD_LETTER,
	 0,
	 0},
	{"429 past the horizon dead-letters (a receiver cannot rate-limit forever)",
	 {.status = 429,
	  .retry_after_ms = 10 * S,
	  .now_ms = NOW,
	  .oldest_ms = NOW - 2 * DAY,
	  .retry_for_ms = DAY},
	 RW_ALERT_NEXT_DEAD_LETTER,
	 RW_ALERT_DEAD_LETTER,
	 0,
	 0},
	{"410 disables the target",
	 {.status = 410, BASE},
	 RW_ALERT_NEXT_DISABLE,
	 RW_ALERT_GONE,
	 0,
	 2},
	{"410 past the horizon still only disables",
	 {.status = 410, .now_ms = NOW, .oldest_ms = NOW - 2 * DAY, .retry_for_ms = DAY},
	 RW_ALERT_NEXT_DISABLE,
	 RW_ALERT_GONE,
	 0,
	 0},
	{"400 is rejected at once",
	 {.status = 400, BASE},
	 RW_ALERT_NEXT_DEAD_LETTER,
	 RW_ALERT_REJECTED,
	 0,
	 2},
	{"401 is rejected",
	 {.status = 401, BASE},
	 RW_ALERT_NEXT_DEAD_LETTER,
	 RW_ALERT_REJECTED,
	 0,
	 2},
	{"404 is rejected",
	 {.status = 404, BASE},
	 RW_ALERT_NEXT_DEAD_LETTER,
	 RW_ALERT_REJECTED,
	 0,
	 2},
	{"413 is rejected",
	 {.status = 413, BASE},
	 RW_ALERT_NEXT_DEAD_LETTER,
	 RW_ALERT_REJECTED,
	 0,
	 2},
	{"422 with Retry-After is still rejected",
	 {.status = 422, .retry_after_ms = 5 * S, BASE},
	 RW_ALERT_NEXT_DEAD_LETTER,
	 RW_ALERT_REJECTED,
	 0,
	 2},
};

Test(alert_decide, table)
{
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		const struct row *r = &rows[i];
		struct rw_alert_decision d = rw_alert_decide(&r->in);

		cr_expect_eq(d.next, r->next, "%s: next %d, want %d", r->what, d.next, r->next);
		cr_expect_eq(d.result, r->result, "%s: result %s, want %s", r->what,
			     rw_alert_result_name(d.result), rw_alert_result_name(r->result));
		cr_expect_eq(d.delay_ms, r->delay_ms, "%s: delay %lld ms, want %lld", r->what,
			     (long long)d.delay_ms, (long long)r->delay_ms);
		cr_expect_eq(d.backoff, r->backoff, "%s: backoff %u, want %u", r->what, d.backoff,
			     r->backoff);
	}
}

/* Whatever a receiver asks, a retry waits at most the ceiling and never
 * past the horizon, and is never negative. */
Test(alert_decide, every_wait_is_bounded)
{
	static const long statuses[] = {0, 408, 429, 500, 503, 504};
	static const int64_t asks[] = {0, 1, 999, 59 * S, H, H + 1, 999999999 * S, INT64_MAX / 4};
	static const int64_t left[] = {1, 10 * S, 2 * H, 30 * DAY};

	for (size_t s = 0; s < sizeof(statuses) / sizeof(statuses[0]); s++)
		for (size_t a = 0; a < sizeof(asks) / sizeof(asks[0]); a++)
			for (size_t l = 0; l < sizeof(left) / sizeof(left[0]); l++) {
				struct rw_alert_answer in = {
					.status = statuses[s],
					.retry_after_ms = asks[a],
					.now_ms = NOW,
					.oldest_ms = NOW - 30 * DAY + left[l],
					.retry_for_ms = 30 * DAY,
					.backoff = 20,
					.backoff_ms = asks[a],
				};
				struct rw_alert_decision d = rw_alert_decide(&in);

				cr_assert_eq(d.next, RW_ALERT_NEXT_RETRY);
				cr_assert_geq(d.delay_ms, 0);
				cr_assert_leq(d.delay_ms, RW_ALERT_WAIT_MAX_MS);
				cr_assert_leq(NOW + d.delay_ms, in.oldest_ms + in.retry_for_ms,
					      "status %ld asking %lld ms", statuses[s],
					      (long long)asks[a]);
			}
}

Test(alert_decide, result_names)
{
	cr_assert_str_eq(rw_alert_result_name(RW_ALERT_OK), "ok");
	cr_assert_str_eq(rw_alert_result_name(RW_ALERT_RETRY), "retry");
	cr_assert_str_eq(rw_alert_result_name(RW_ALERT_RATE_LIMITED), "rate_limited");
	cr_assert_str_eq(rw_alert_result_name(RW_ALERT_REJECTED), "rejected");
	cr_assert_str_eq(rw_alert_result_name(RW_ALERT_GONE), "gone");
	cr_assert_str_eq(rw_alert_result_name(RW_ALERT_DEAD_LETTER), "dead_letter");
	cr_assert_str_eq(rw_alert_result_name(RW_ALERT_NRESULTS), "unknown");
}
