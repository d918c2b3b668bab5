/*
 * alert_decide: what the answer to one alert delivery means for the next
 * step — the pure decision inside the alert engine's answer handler, kept
 * apart so it can be read and tested as a table (tests/unit/test_alert_decide.c).
 *
 *   2xx                              -> acknowledge; backoff starts over
 *   410                              -> disable the target until a reload
 *   4xx but 408 and 429              -> dead letter at once (rejected)
 *   429, 503 with Retry-After        -> wait what the receiver asks (clamped)
 *   no answer, 5xx, 408, 429 without
 *   Retry-After, anything else       -> retry after the backoff schedule's wait
 *   a retry once retry_for has passed
 *   since the oldest event was raised -> dead letter
 *
 * Every wait is clamped to RW_ALERT_WAIT_MAX_MS and never reaches past the
 * retry horizon (oldest event + retry_for): a receiver cannot park a target
 * beyond it with a huge Retry-After, and the last attempt is made at the
 * horizon, after which the events are dead-lettered.
 */
#ifndef REPLYWATCH_ALERT_DECIDE_H
#define REPLYWATCH_ALERT_DECIDE_H

#include <stdint.h>

/* The longest wait a receiver can ask for (Retry-After): one hour. */
#define RW_ALERT_WAIT_MAX_MS (3600 * 1000LL)

/* How deliveries end, as counted in replywatch_alert_deliveries_total. */
enum rw_alert_result {
	RW_ALERT_OK,
	RW_ALERT_RETRY,        /* network error, timeout, 5xx, 408: retried */
	RW_ALERT_RATE_LIMITED, /* 429: retried */
	RW_ALERT_REJECTED,     /* another 4xx: dead-lettered */
	RW_ALERT_GONE,         /* 410: target disabled until reload */
	RW_ALERT_DEAD_LETTER,  /* retries exhausted */
	RW_ALERT_NRESULTS
};

/* "ok", "retry", ...; "unknown" out of range. */
const char *rw_alert_result_name(enum rw_alert_result r);

enum rw_alert_next {
	RW_ALERT_NEXT_ACK,         /* acknowledge the request's events */
	RW_ALERT_NEXT_RETRY,       /* send the same request again after delay_ms */
	RW_ALERT_NEXT_DISABLE,     /* keep the request; send nothing until a reload */
	RW_ALERT_NEXT_DEAD_LETTER, /* move the request's events to the dead letters */
};

/* One answer and what the target knows when it arrives. */
struct rw_alert_answer {
	long status;            /* HTTP status; 0: no answer (network error, timeout) */
	int64_t retry_after_ms; /* the wait the answer asks for (Retry-After); 0: none */
	int64_t now_ms;
	int64_t oldest_ms;    /* when the oldest event of the request was raised */
	int64_t retry_for_ms; /* the target's retry_for */
	unsigned backoff;     /* retries of the schedule so far */
	int64_t backoff_ms;   /* the schedule's wait for retry number backoff */
};

struct rw_alert_decision {
	enum rw_alert_next next;
	enum rw_alert_result result;
	int64_t delay_ms; /* RW_ALERT_NEXT_RETRY: wait this long (>= 0), else 0 */
	unsigned backoff; /* the schedule's retries from now on */
};

/* Decides. Pure: no clock, no random (the caller draws backoff_ms). */
struct rw_alert_decision rw_alert_decide(const struct rw_alert_answer *a);

#endif
