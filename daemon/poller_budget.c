/*
 * poller_budget.c: poll_every "auto" at a source — what each poll spends
 * per endpoint (the calls it made, or the drop of the budget's remaining
 * figure within one window; the cost learnt from them), the units of a daily
 * quota that no header reports (counted here, refilled at midnight in the
 * platform's zone, emptied when the platform says it is spent, and kept in
 * Redis so that a restart does not begin the day again), and the interval the pure
 * poll_auto_interval (poller_decide.c) chooses from them, kept with its reason for /status.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "calendar_zone.h"
#include "poller_internal.h"
#include "replywatch/clock.h"
#include "replywatch/keys.h"
#include "replywatch/log.h"
#include "replywatch/platform.h"
#include "replywatch/store.h"
#include "replywatch/tracker.h"

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

/* The daily quota's count "B dq" into buf; NULL when it does not fit. */
static const char *
daily_key(const struct poll_source *ps, char *buf, size_t len)
{
	return rw_key_name(RW_KEY_DAILY_QUOTA, rw_store_key_prefix(ps->poller->store), ps->name,
			   NULL, buf, len);
}

/* The stored "RESET_MS REMAINING" of a day not over at now: what a restart
 * keeps of the day's count (never more than the count in memory). */
static void
daily_loaded(struct rw_store *st, const redisReply *reply, void *arg)
{
	struct rw_poll *poll = arg;
	struct poll_source *ps = poll->ps;
	struct endpoint_limit *l;
	long long reset, remaining;
	int64_t now = rw_now_ms();

	(void)st;
	if (ps->retired || ps->poller->freeing || reply == NULL ||
	    (reply->type != REDIS_REPLY_STRING && reply->type != REDIS_REPLY_NIL))
		return; /* read again at the next poll */
	ps->daily_loaded = true;
	if (reply->type == REDIS_REPLY_NIL || (l = daily(ps, now)) == NULL)
		return;
	if (sscanf(reply->str, "%lld %lld", &reset, &remaining) != 2 || remaining < 0) {
		log_warnx("%s: daily quota in redis unreadable: counted from the full quota",
			  ps->name);
		return;
	}
	/* Another day's count (its reset passed) is no use. */
	if (reset <= now || reset != l->rl.reset_at_ms)
		return;
	if (remaining < l->rl.remaining)
		l->rl.remaining = remaining;
	ps->daily_saved = l->rl.remaining;
	l->seen_remaining = l->rl.remaining;
	l->seen_reset_ms = l->rl.reset_at_ms;
	log_info("%s: daily quota: %lld units left today (kept over the restart)", ps->name,
		 remaining);
}

void
poller_budget_load(struct rw_poll *poll)
{
	struct poll_source *ps = poll->ps;
	const struct rw_quota *q = quota_of(ps);
	const char *argv[2];
	size_t lens[2];
	char key[RW_KEY_SIZE];

	/* Room for the cursors' command too: the answer is read through
	 * poll, which a refused HGETALL would free before this is answered. */
	if (ps->daily_loaded || q == NULL || q->kind != RW_QUOTA_DAILY ||
	    rw_store_in_flight(ps->poller->store) + 2 > RW_STORE_MAX_IN_FLIGHT)
		return;
	argv[0] = "GET";
	if ((argv[1] = daily_key(ps, key, sizeof(key))) == NULL)
		return;
	lens[0] = strlen(argv[0]);
	lens[1] = strlen(argv[1]);
	/* Answered before the cursors asked next on the same connection, so
	 * before the poll spends anything. Failing: the next poll asks again. */
	(void)rw_store_command(ps->poller->store, 2, argv, lens, daily_loaded, poll);
}

static void
daily_saved(struct rw_store *st, const redisReply *reply, void *arg)
{
	(void)st;
	(void)arg;
	if (reply == NULL || reply->type == REDIS_REPLY_ERROR)
		log_warnx("redis: a daily quota count not saved (%s): a restart may count "
			  "from a higher figure",
			  reply ? reply->str : "redis unavailable");
}

void
poller_budget_save(struct poll_source *ps, int64_t now)
{
	struct endpoint_limit *l;
	char key[RW_KEY_SIZE], value[64], ttl[32];
	const char *argv[5];
	size_t lens[5];

	if (!ps->daily_loaded || (l = daily(ps, now)) == NULL ||
	    l->rl.remaining == ps->daily_saved || l->rl.reset_at_ms <= now)
		return;
	snprintf(value, sizeof(value), "%" PRId64 " %ld", l->rl.reset_at_ms, l->rl.remaining);
	/* Gone an hour after the reset: a count of a day that is over. */
	snprintf(ttl, sizeof(ttl), "%" PRId64, l->rl.reset_at_ms - now + 3600 * 1000);
	argv[0] = "SET";
	if ((argv[1] = daily_key(ps, key, sizeof(key))) == NULL)
		return;
	argv[2] = value;
	argv[3] = "PX";
	argv[4] = ttl;
	for (int i = 0; i < 5; i++)
		lens[i] = strlen(argv[i]);
	/* The callback takes no source: it may be gone when Redis answers. */
	if (rw_store_command(ps->poller->store, 5, argv, lens, daily_saved, NULL) == 0)
		ps->daily_saved = l->rl.remaining;
}

/* The source of ps's type, base URL and shared_by value that o is, or not. */
static bool
same_client(const struct poll_source *ps, const struct poll_source *o, const char *key)
{
	const char *a = rw_source_param_string(ps->src, key), *b;

	if (o == ps || o->src->type != ps->src->type || a == NULL ||
	    (b = rw_source_param_string(o->src, key)) == NULL || strcmp(a, b) != 0)
		return false;
	if (ps->src->base_url == NULL || o->src->base_url == NULL)
		return ps->src->base_url == o->src->base_url;
	return strcmp(ps->src->base_url, o->src->base_url) == 0;
}

void
poller_budget_share(struct poll_source *ps, const struct endpoint_limit *from)
{
	const struct rw_quota *q = quota_of(ps);

	if (q == NULL || q->shared == NULL || q->shared_by == NULL)
		return;
	for (struct poll_source *o = ps->poller->sources; o != NULL; o = o->next) {
		struct endpoint_limit *l;

		if (same_client(ps, o, q->shared_by) && (l = poller_limit(o, q->shared)) != NULL)
			l->rl = from->rl;
	}
}

void
poller_budget_adopt(struct poll_source *ps, struct endpoint_limit *l)
{
	const struct rw_quota *q = quota_of(ps);

	if (q == NULL || q->shared == NULL || q->shared_by == NULL)
		return;
	/* The figures another source of the client has: the first found (they
	 * are the same, each answer updates them all). */
	for (struct poll_source *o = ps->poller->sources; o != NULL; o = o->next) {
		if (!same_client(ps, o, q->shared_by))
			continue;
		for (size_t i = 0; i < o->nlimits; i++) {
			if (strcmp(o->limits[i].name, q->shared) == 0) {
				l->rl = o->limits[i].rl;
				return;
			}
		}
	}
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
