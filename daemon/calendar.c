/*
 * calendar.c: business time under a calendar, compiled into opening spans in
 * UTC milliseconds.
 *
 * The weekly schedule and the holidays are written in local civil time of
 * the calendar's IANA zone. The C library's zone data converts them: TZ is
 * switched to the calendar's zone only while a span of local days is being
 * expanded, and put back before the public call returns, so the rest of the
 * process keeps its own TZ. The expanded spans form a cache over a
 * contiguous range of local days, grown a chunk of days at a time in either
 * direction. Each span carries the business time before it (a prefix sum),
 * so every query is a binary search whatever the length of the period.
 *
 * Local wall times map to instants by one rule, for starts and ends alike:
 * a wall time maps to the first instant at which the zone's clock shows that
 * time or a later one. An ambiguous time (a fall-back hour) therefore takes
 * its first occurrence, and a time inside a spring-forward gap takes the end
 * of the gap (02:30 on a day that jumps from 02:00 to 03:00 maps to 03:00).
 * The map never decreases, so intervals stay ordered, adjacent intervals
 * (Friday 00:00-24:00, Saturday 00:00-24:00) meet and merge into one span,
 * and an interval 00:00-24:00 lasts 23 h or 25 h on the days of a change.
 *
 * The zone work itself (switching TZ, converting one wall time) lives in
 * calendar_zone.c.
 *
 * Instants before 1900-01-01 or from 2400-01-01 (UTC) count as closed. When
 * memory runs out while the cache grows, the time left uncached counts as
 * closed too: business_ms undercounts, deadline_ms gives INT64_MAX and
 * is_open false, and a later call tries again.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "replywatch/calendar.h"
#include "replywatch/config.h"
#include "calendar_zone.h"

#define SECS_PER_DAY 86400LL
#define MS_PER_DAY (SECS_PER_DAY * 1000)
#define MINUTES_PER_DAY 1440
/* Local days expanded per step of the cache. */
#define CHUNK_DAYS 64
/* A query this far outside the cache starts a new cache there instead of
 * expanding every day in between. */
#define FAR_MS (400 * MS_PER_DAY)
/* Searches stop 100 years (of 365.25 days) after their start. */
#define HORIZON_MS (36525 * MS_PER_DAY)
/* The supported instants, [1900-01-01, 2400-01-01) UTC, as days since
 * 1970-01-01; the cache may reach two local days further on either side so
 * that it always covers a supported instant whatever the zone's offset. */
#define DAY_MIN (-25567)
#define DAY_MAX 157054
#define MS_MIN (DAY_MIN * MS_PER_DAY)
#define MS_MAX (DAY_MAX * MS_PER_DAY)
#define CACHE_DAY_MIN (DAY_MIN - 2)
#define CACHE_DAY_MAX (DAY_MAX + 2)

/* One opening in UTC ms, [start, end), with the business time before it
 * counted from an arbitrary origin (differences are what matter). */
struct span {
	int64_t start;
	int64_t end;
	int64_t cum;
};

/* A growable list of spans. */
struct spanbuf {
	struct span *v;
	size_t n;
	size_t cap;
};

struct rw_calendar {
	char *name;
	char *timezone;
	struct rw_interval *weekly[7];
	size_t nweekly[7];
	int32_t *holidays;
	size_t nholidays;
	/* The cache: the openings of local days [day_lo, day_hi), sorted,
	 * disjoint, non-empty and merged where they touch; cov_lo and cov_hi
	 * are the local midnights of day_lo and day_hi in UTC ms. started is
	 * false until the first query places the (then empty) range. */
	struct spanbuf spans;
	bool started;
	int32_t day_lo;
	int32_t day_hi;
	int64_t cov_lo;
	int64_t cov_hi;
};

/* Floor division for possibly negative numerators. */
static int64_t
floor_div(int64_t a, int64_t b)
{
	int64_t q = a / b;

	return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
}

static int64_t
clamp_ms(int64_t t)
{
	return t < MS_MIN ? MS_MIN : t > MS_MAX ? MS_MAX : t;
}

/* 0 = Sunday, like tm_wday; 1970-01-01 was a Thursday. */
static int
weekday_of(int64_t day)
{
	int64_t w = (day + 4) % 7;

	return (int)(w < 0 ? w + 7 : w);
}

/* True when the local day is one of the calendar's holidays. */
static bool
is_holiday(const struct rw_calendar *cal, int64_t day)
{
	size_t lo = 0, hi = cal->nholidays;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (cal->holidays[mid] < day)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < cal->nholidays && cal->holidays[lo] == day;
}

/*
 * Appends [start, end) to b, merging it into the last span when they touch.
 * Empty spans (an interval swallowed by a spring-forward gap) are dropped.
 * Returns 0, or -1 when memory runs out (b is unchanged then).
 */
static int
spanbuf_push(struct spanbuf *b, int64_t start, int64_t end)
{
	struct span *v;

	if (end <= start)
		return 0;
	if (b->n > 0 && b->v[b->n - 1].end >= start) {
		if (end > b->v[b->n - 1].end)
			b->v[b->n - 1].end = end;
		return 0;
	}
	if (b->n == b->cap) {
		size_t cap = b->cap ? b->cap * 2 : 16;

		if ((v = realloc(b->v, cap * sizeof(*v))) == NULL)
			return -1;
		b->v = v;
		b->cap = cap;
	}
	b->v[b->n++] = (struct span){start, end, 0};
	return 0;
}

/* Makes room for extra more spans in b. Returns 0, or -1 (b unchanged). */
static int
spanbuf_reserve(struct spanbuf *b, size_t extra)
{
	struct span *v;
	size_t cap = b->cap ? b->cap : 16;

	if (b->n + extra <= b->cap)
		return 0;
	while (cap < b->n + extra)
		cap *= 2;
	if ((v = realloc(b->v, cap * sizeof(*v))) == NULL)
		return -1;
	b->v = v;
	b->cap = cap;
	return 0;
}

/*
 * The openings of local days [d0, d1) into out, in UTC ms, merged where they
 * touch. Must run inside the calendar's zone. Returns 0, or -1 when a
 * conversion fails or memory runs out.
 */
static int
build_days(const struct rw_calendar *cal, int32_t d0, int32_t d1, struct spanbuf *out)
{
	for (int32_t day = d0; day < d1; day++) {
		int wday = weekday_of(day);

		if (cal->nweekly[wday] == 0 || is_holiday(cal, day))
			continue;
		for (size_t i = 0; i < cal->nweekly[wday]; i++) {
			const struct rw_interval *iv = &cal->weekly[wday][i];
			int64_t s, e;

			if (rw_calzone_to_utc(day, iv->start, &s) == -1 ||
			    rw_calzone_to_utc(day, iv->end, &e) == -1 ||
			    spanbuf_push(out, s * 1000, e * 1000) == -1)
				return -1;
		}
	}
	return 0;
}

/*
 * Adds the spans of b after the cached ones, merging across the seam, and
 * numbers their business time on from the last cached span.
 */
static int
splice_back(struct rw_calendar *cal, const struct spanbuf *b)
{
	struct spanbuf *c = &cal->spans;

	if (spanbuf_reserve(c, b->n) == -1)
		return -1;
	for (size_t i = 0; i < b->n; i++) {
		struct span s = b->v[i];

		if (c->n > 0 && c->v[c->n - 1].end >= s.start) {
			if (s.end > c->v[c->n - 1].end)
				c->v[c->n - 1].end = s.end;
			continue;
		}
		s.cum = c->n ? c->v[c->n - 1].cum + (c->v[c->n - 1].end - c->v[c->n - 1].start) : 0;
		c->v[c->n++] = s;
	}
	return 0;
}

/*
 * Adds the spans of b before the cached ones, merging across the seam. The
 * new spans count their business time backwards from the first cached span,
 * so every instant already cached keeps its prefix sum.
 */
static int
splice_front(struct rw_calendar *cal, struct spanbuf *b)
{
	struct spanbuf *c = &cal->spans;
	size_t k = b->n;
	int64_t next;

	/* Room first, so that a failure changes nothing. */
	if (spanbuf_reserve(c, k) == -1)
		return -1;
	if (k > 0 && c->n > 0 && b->v[k - 1].end >= c->v[0].start) {
		c->v[0].cum -= c->v[0].start - b->v[k - 1].start;
		c->v[0].start = b->v[k - 1].start;
		k--;
	}
	if (k == 0)
		return 0;
	next = c->n ? c->v[0].cum : 0;
	for (size_t i = k; i-- > 0;) {
		b->v[i].cum = next - (b->v[i].end - b->v[i].start);
		next = b->v[i].cum;
	}
	memmove(c->v + k, c->v, c->n * sizeof(*c->v));
	memcpy(c->v, b->v, k * sizeof(*c->v));
	c->n += k;
	return 0;
}

/*
 * Expands one chunk of days after (forward) or before the cache. Enters the
 * zone through z on first use. Returns 0, 1 when the cache already reaches
 * the supported range's end, or -1 on failure (the cache is unchanged).
 */
static int
extend(struct rw_calendar *cal, struct rw_calzone *z, bool forward)
{
	struct spanbuf b = {0};
	int32_t d0, d1;
	int64_t edge;
	int rc = -1;

	if (forward ? cal->day_hi >= CACHE_DAY_MAX : cal->day_lo <= CACHE_DAY_MIN)
		return 1;
	d0 = forward ? cal->day_hi : cal->day_lo - CHUNK_DAYS;
	d1 = forward ? cal->day_hi + CHUNK_DAYS : cal->day_lo;
	d0 = d0 < CACHE_DAY_MIN ? CACHE_DAY_MIN : d0;
	d1 = d1 > CACHE_DAY_MAX ? CACHE_DAY_MAX : d1;
	if (rw_calzone_enter(z, cal->timezone) == -1 || build_days(cal, d0, d1, &b) == -1 ||
	    rw_calzone_to_utc(forward ? d1 : d0, 0, &edge) == -1)
		goto done;
	if ((forward ? splice_back(cal, &b) : splice_front(cal, &b)) == -1)
		goto done;
	if (forward) {
		cal->day_hi = d1;
		cal->cov_hi = edge * 1000;
	} else {
		cal->day_lo = d0;
		cal->cov_lo = edge * 1000;
	}
	rc = 0;
done:
	free(b.v);
	return rc;
}

/*
 * Empties the cache and starts it again, with no days yet, at the local
 * midnight just before at_ms (the UTC day before, which is early enough for
 * any offset).
 */
static int
restart(struct rw_calendar *cal, struct rw_calzone *z, int64_t at_ms)
{
	int64_t day = floor_div(at_ms, MS_PER_DAY) - 1, edge;

	day = day < CACHE_DAY_MIN ? CACHE_DAY_MIN : day > CACHE_DAY_MAX ? CACHE_DAY_MAX : day;
	if (rw_calzone_enter(z, cal->timezone) == -1 || rw_calzone_to_utc(day, 0, &edge) == -1)
		return -1;
	cal->spans.n = 0;
	cal->day_lo = cal->day_hi = (int32_t)day;
	cal->cov_lo = cal->cov_hi = edge * 1000;
	cal->started = true;
	return 0;
}

/*
 * Grows the cache until it covers [from_ms, to_ms] (to_ms strictly inside,
 * so the span containing it is known). Both must be supported instants. A
 * request far from the cache restarts it, which keeps a daemon's cache to
 * the days around now. Returns 0, or -1 with the cache valid but short.
 */
static int
ensure(struct rw_calendar *cal, struct rw_calzone *z, int64_t from_ms, int64_t to_ms)
{
	if (!cal->started || from_ms >= cal->cov_hi + FAR_MS || to_ms < cal->cov_lo - FAR_MS) {
		if (restart(cal, z, from_ms) == -1)
			return -1;
	}
	while (from_ms < cal->cov_lo) {
		if (extend(cal, z, false) != 0)
			return -1;
	}
	while (to_ms >= cal->cov_hi) {
		if (extend(cal, z, true) != 0)
			return -1;
	}
	return 0;
}

/* How many cached spans start at or before t. */
static size_t
count_started(const struct rw_calendar *cal, int64_t t)
{
	size_t lo = 0, hi = cal->spans.n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (cal->spans.v[mid].start <= t)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* Business time from the cache's origin to t (a cached instant). */
static int64_t
cum_at(const struct rw_calendar *cal, int64_t t)
{
	size_t k = count_started(cal, t);
	const struct span *s;

	if (cal->spans.n == 0)
		return 0;
	if (k == 0)
		return cal->spans.v[0].cum;
	s = &cal->spans.v[k - 1];
	return s->cum + (t < s->end ? t : s->end) - s->start;
}

/* The first cached span by whose end target business time has passed, or
 * spans.n when the cache ends before it. */
static size_t
first_reaching(const struct rw_calendar *cal, int64_t target)
{
	size_t lo = 0, hi = cal->spans.n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		const struct span *s = &cal->spans.v[mid];

		if (s->cum + (s->end - s->start) < target)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* Writes a message into err when the caller gave room for one. */
static void
set_err(char *err, size_t errlen, const char *what, const struct rw_calendar_config *cfg)
{
	if (err != NULL && errlen > 0)
		snprintf(err, errlen, "calendar %s: %s", cfg->name ? cfg->name : "(unnamed)", what);
}

/* Copies and checks one weekday's intervals: within a day, sorted, disjoint. */
static int
copy_day(struct rw_calendar *cal, const struct rw_calendar_config *cfg, int wday)
{
	const struct rw_interval *src = cfg->weekly[wday];
	size_t n = cfg->nweekly[wday];

	for (size_t i = 0; i < n; i++) {
		if (src[i].start < 0 || src[i].end > MINUTES_PER_DAY ||
		    src[i].start >= src[i].end || (i > 0 && src[i].start < src[i - 1].end))
			return -1;
	}
	if (n == 0)
		return 0;
	if ((cal->weekly[wday] = calloc(n, sizeof(*src))) == NULL)
		return -1;
	memcpy(cal->weekly[wday], src, n * sizeof(*src));
	cal->nweekly[wday] = n;
	return 0;
}

/* Copies and checks the holidays: strictly ascending. */
static int
copy_holidays(struct rw_calendar *cal, const struct rw_calendar_config *cfg)
{
	for (size_t i = 1; i < cfg->nholidays; i++) {
		if (cfg->holidays[i] <= cfg->holidays[i - 1])
			return -1;
	}
	if (cfg->nholidays == 0)
		return 0;
	if ((cal->holidays = calloc(cfg->nholidays, sizeof(int32_t))) == NULL)
		return -1;
	memcpy(cal->holidays, cfg->holidays, cfg->nholidays * sizeof(int32_t));
	cal->nholidays = cfg->nholidays;
	return 0;
}

struct rw_calendar *
rw_calendar_new(const struct rw_calendar_config *cfg, char *err, size_t errlen)
{
	struct rw_calendar *cal;

	if ((cal = calloc(1, sizeof(*cal))) == NULL) {
		set_err(err, errlen, "out of memory", cfg);
		return NULL;
	}
	if (cfg->timezone == NULL || !rw_calendar_zone_exists(cfg->timezone)) {
		set_err(err, errlen, "cannot load the time zone", cfg);
		goto fail;
	}
	if ((cfg->name != NULL && (cal->name = strdup(cfg->name)) == NULL) ||
	    (cal->timezone = strdup(cfg->timezone)) == NULL) {
		set_err(err, errlen, "out of memory", cfg);
		goto fail;
	}
	for (int wday = 0; wday < 7; wday++) {
		if (copy_day(cal, cfg, wday) == -1) {
			set_err(err, errlen, "bad weekly intervals (or out of memory)", cfg);
			goto fail;
		}
	}
	if (copy_holidays(cal, cfg) == -1) {
		set_err(err, errlen, "holidays not sorted (or out of memory)", cfg);
		goto fail;
	}
	return cal;
fail:
	rw_calendar_free(cal);
	return NULL;
}

int64_t
rw_calendar_business_ms(struct rw_calendar *cal, int64_t from_ms, int64_t to_ms)
{
	struct rw_calzone z = {0};

	from_ms = clamp_ms(from_ms);
	to_ms = clamp_ms(to_ms);
	if (to_ms <= from_ms)
		return 0;
	/* On failure (memory) the part left uncached counts as closed. */
	(void)ensure(cal, &z, from_ms, to_ms);
	rw_calzone_leave(&z);
	return cum_at(cal, to_ms) - cum_at(cal, from_ms);
}

/*
 * Searches the cache for the instant where the business time reaches
 * cum(start) + amount, growing it forwards until the answer or the search's
 * limit is cached. Nothing opens after start before the limit: INT64_MAX.
 */
int64_t
rw_calendar_deadline_ms(struct rw_calendar *cal, int64_t start_ms, int64_t amount_ms)
{
	struct rw_calzone z = {0};
	int64_t s, limit, target, result = INT64_MAX;
	size_t i;

	if (amount_ms <= 0)
		return start_ms;
	if (start_ms >= MS_MAX)
		return INT64_MAX;
	s = start_ms < MS_MIN ? MS_MIN : start_ms;
	limit = start_ms + HORIZON_MS < MS_MAX ? start_ms + HORIZON_MS : MS_MAX;
	/* Business time cannot outrun wall time. */
	if (limit <= s || amount_ms > limit - s)
		return INT64_MAX;
	if (ensure(cal, &z, s, s) == -1)
		goto done;
	target = cum_at(cal, s) + amount_ms;
	for (;;) {
		if ((i = first_reaching(cal, target)) < cal->spans.n) {
			const struct span *sp = &cal->spans.v[i];
			int64_t t = sp->start + (target - sp->cum);

			result = t <= limit ? t : INT64_MAX;
			break;
		}
		if (cal->cov_hi >= limit || extend(cal, &z, true) != 0)
			break;
	}
done:
	rw_calzone_leave(&z);
	return result;
}

int
rw_calendar_is_open(struct rw_calendar *cal, int64_t at_ms)
{
	struct rw_calzone z = {0};
	size_t k;
	int rc;

	if (at_ms < MS_MIN || at_ms >= MS_MAX)
		return 0;
	rc = ensure(cal, &z, at_ms, at_ms);
	rw_calzone_leave(&z);
	if (rc == -1)
		return 0;
	k = count_started(cal, at_ms);
	return k > 0 && at_ms < cal->spans.v[k - 1].end;
}

const char *
rw_calendar_name(const struct rw_calendar *cal)
{
	return cal->name;
}

void
rw_calendar_free(struct rw_calendar *cal)
{
	if (cal == NULL)
		return;
	free(cal->name);
	free(cal->timezone);
	for (int i = 0; i < 7; i++)
		free(cal->weekly[i]);
	free(cal->holidays);
	free(cal->spans.v);
	free(cal);
}
