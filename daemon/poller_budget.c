/*
 * poller_budget.c: poll_every "auto" at a source — what each poll spends
 * per endpoint (the calls it made, or the drop of the budget's remaining
 * figure within one window; the cost learnt from them), the units of a daily
 * quota that no header reports (counted here, refilled at midnight in the
 * platform's zone, emptied when the platform says it is spent), and the interval the pure
 * poll_auto_interval (poller_decide.c) chooses from them, kept with its reason for /status.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "calendar_zone.h"
#include "poller_internal.h"
#include "replywatch/platform.h"

#define DAILY_NAME "daily quota"
#define DAY_MS (86400LL * 1000)

static const struct rw_quota *
quota_of(const struct poll_source *ps)
{
	const struct rw_platform *p = rw_platform_of(ps->src->type);

	return p != NULL ? p->quota : NULL;
}

int64_t
poller_next_midnight(const char *tz, int64_t now)
{
	struct rw_calzone z = {0};
	time_t t = (time_t)(now / 1000);
	struct tm tm, day;
	int64_t secs;
	int rc = -1;

	/* The zone's civil date now, then the first instant of the next one. */
	if (rw_calzone_enter(&z, tz) == 0 && localtime_r(&t, &tm) != NULL) {
		memset(&day, 0, sizeof(day));
		day.tm_year = tm.tm_year;
		day.tm_mon = tm.tm_mon;
		day.tm_mday = tm.tm_mday;
		rc = rw_calzone_to_utc((int64_t)timegm(&day) / 86400 + 1, 0, &secs);
	}
	rw_calzone_leave(&z);
	if (rc == -1 || secs * 1000 <= now)
		return now + DAY_MS; /* no zone data: a day from now is safe */
	return secs * 1000;
}

/* The daily quota's budget, refilled when its day is over (NULL: none). */
static struct endpoint_limit *
daily(struct poll_source *ps, int64_t now)
{
	const struct rw_quota *q = quota_of(ps);
	struct endpoint_limit *l;

	if (q == NULL || q->kind != RW_QUOTA_DAILY || (l = poller_limit(ps, DAILY_NAME)) == NULL)
		return NULL;
	if (l->rl.reset_at_ms <= now) {
		l->rl.known = true;
		l->rl.limit = l->rl.remaining = q->daily_units;
		l->rl.reset_at_ms = poller_next_midnight(q->reset_tz, now);
	}
	return l;
}

int64_t
poller_budget_daily_spent(struct poll_source *ps, int64_t now)
{
	const struct rw_quota *q = quota_of(ps);
	struct endpoint_limit *l = daily(ps, now);

	if (l == NULL || l->rl.remaining >= (q->unit_cost > 0 ? q->unit_cost : 1))
		return 0;
	return l->rl.reset_at_ms;
}

int64_t
poller_budget_daily_refused(struct poll_source *ps, long status, const char *body, size_t len,
			    int64_t now)
{
	const struct rw_quota *q = quota_of(ps);
	struct endpoint_limit *l;

	if (q == NULL || q->spent == NULL || !q->spent(status, body, len) ||
	    (l = daily(ps, now)) == NULL)
		return 0;
	/* The platform knows better than the count (a restart began it again
	 * at the full allocation; other clients of the project spend it too). */
	l->rl.remaining = 0;
	return l->rl.reset_at_ms;
}

void
poller_budget_spend(struct poll_source *ps, const char *endpoint, int64_t now)
{
	const struct rw_quota *q = quota_of(ps);
	struct endpoint_limit *l = poller_limit(ps, endpoint);
	long cost;

	if (l != NULL)
		l->calls++;
	if ((l = daily(ps, now)) == NULL)
		return;
	cost = q->unit_cost > 0 ? q->unit_cost : 1;
	l->rl.remaining = l->rl.remaining > cost ? l->rl.remaining - cost : 0;
	l->calls += (unsigned)cost;
}

double
poller_budget_interval(struct poll_source *ps, int64_t now)
{
	struct poll_budget b[POLL_MAX_ENDPOINTS];
	size_t n = 0;

	const struct rw_quota *q = quota_of(ps);
	bool rolling = q != NULL && q->rolling;

	daily(ps, now); /* a day over: refilled before it is read */
	for (size_t i = 0; i < ps->nlimits; i++) {
		struct endpoint_limit *l = &ps->limits[i];
		double spent =
			rolling ? poll_cost_sample_rolling(l->seen_reset_ms > 0 ? l->seen_remaining
										: -1,
							   l->rl.remaining)
				: poll_cost_sample(l->calls, l->seen_remaining, l->seen_reset_ms,
						   l->rl.remaining, l->rl.reset_at_ms);

		if (spent >= 0)
			l->cost = poll_cost_learn(l->cost, spent);
		l->calls = 0;
		l->seen_remaining = l->rl.remaining;
		l->seen_reset_ms = l->rl.reset_at_ms;
		b[n].remaining = l->rl.remaining;
		b[n].reset_at_ms = l->rl.reset_at_ms;
		b[n].cost = l->cost;
		n++;
	}
	ps->auto_interval = poll_auto_interval(b, n, now, (double)ps->src->poll_every, ps->auto_why,
					       sizeof(ps->auto_why));
	return ps->auto_interval;
}
