/*
 * quota.c: a platform's daily quota of units counted into a rate-limit
 * entry (quota.h).
 */
#include <stdint.h>
#include <time.h>

#include "calendar_zone.h"
#include "replywatch/quota.h"

#define SECS_PER_DAY 86400

int64_t
rw_quota_next_midnight(const char *zone, int64_t now_ms)
{
	struct rw_calzone z = {0};
	time_t now = (time_t)(now_ms / 1000);
	int64_t secs = 0, day;
	struct tm tm;
	int rc = -1;

	if (rw_calzone_enter(&z, zone) == 0 && localtime_r(&now, &tm) != NULL) {
		/* The local civil date, as days since 1970-01-01. */
		tm.tm_hour = tm.tm_min = tm.tm_sec = 0;
		tm.tm_isdst = 0;
		day = (int64_t)timegm(&tm) / SECS_PER_DAY;
		rc = rw_calzone_to_utc(day, 24 * 60, &secs);
	}
	rw_calzone_leave(&z);
	return rc == 0 && secs * 1000 > now_ms ? secs * 1000 : 0;
}

void
rw_quota_note(const struct rw_daily_quota *q, long status, const char *body, size_t len,
	      int64_t now_ms, struct rw_ratelimit *rl)
{
	if (rl->reset_at_ms <= now_ms || rl->remaining < 0) {
		int64_t reset = rw_quota_next_midnight(q->zone, now_ms);

		rl->limit = q->units;
		rl->remaining = q->units;
		/* No zone data: a day from now, so the count still renews. */
		rl->reset_at_ms = reset > 0 ? reset : now_ms + SECS_PER_DAY * 1000LL;
	}
	rl->known = true;
	rl->remaining = rl->remaining > q->cost ? rl->remaining - q->cost : 0;
	if (q->spent != NULL && q->spent(status, body, len))
		rl->remaining = 0;
}
