/*
 * alert_decide.c: an alert delivery's answer -> the next step
 * (alert_decide.h has the table).
 */
#include <stdbool.h>

#include "replywatch/alert_decide.h"

static const char *const result_names[RW_ALERT_NRESULTS] = {
	[RW_ALERT_OK] = "ok",
	[RW_ALERT_RETRY] = "retry",
	[RW_ALERT_RATE_LIMITED] = "rate_limited",
	[RW_ALERT_REJECTED] = "rejected",
	[RW_ALERT_GONE] = "gone",
	[RW_ALERT_DEAD_LETTER] = "dead_letter",
};

const char *
rw_alert_result_name(enum rw_alert_result r)
{
	return (unsigned)r < RW_ALERT_NRESULTS ? result_names[r] : "unknown";
}

static struct rw_alert_decision
decision(enum rw_alert_next next, enum rw_alert_result result, int64_t delay, unsigned backoff)
{
	struct rw_alert_decision d = {next, result, delay, backoff};

	return d;
}

/* wait, at most RW_ALERT_WAIT_MAX_MS and at most until horizon. */
static int64_t
clamp_wait(int64_t wait, int64_t now, int64_t horizon)
{
	if (wait > RW_ALERT_WAIT_MAX_MS)
		wait = RW_ALERT_WAIT_MAX_MS;
	if (wait > horizon - now)
		wait = horizon - now;
	return wait > 0 ? wait : 0;
}

struct rw_alert_decision
rw_alert_decide(const struct rw_alert_answer *a)
{
	long s = a->status;
	int64_t horizon = a->oldest_ms + a->retry_for_ms;
	bool asks_wait = a->retry_after_ms > 0 && (s == 429 || s == 503);
	enum rw_alert_result retried = s == 429 ? RW_ALERT_RATE_LIMITED : RW_ALERT_RETRY;

	if (s >= 200 && s < 300)
		return decision(RW_ALERT_NEXT_ACK, RW_ALERT_OK, 0, 0);
	if (s == 410)
		return decision(RW_ALERT_NEXT_DISABLE, RW_ALERT_GONE, 0, a->backoff);
	if (s >= 400 && s < 500 && s != 408 && s != 429)
		return decision(RW_ALERT_NEXT_DEAD_LETTER, RW_ALERT_REJECTED, 0, a->backoff);
	/* Everything else is retried, until the horizon. */
	if (a->now_ms >= horizon)
		return decision(RW_ALERT_NEXT_DEAD_LETTER, RW_ALERT_DEAD_LETTER, 0, a->backoff);
	if (asks_wait)
		return decision(RW_ALERT_NEXT_RETRY, retried,
				clamp_wait(a->retry_after_ms, a->now_ms, horizon), a->backoff);
	return decision(RW_ALERT_NEXT_RETRY, retried, clamp_wait(a->backoff_ms, a->now_ms, horizon),
			a->backoff + 1);
}
