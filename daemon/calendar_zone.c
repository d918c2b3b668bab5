/*
 * calendar_zone.c: time-zone switching and local-to-UTC conversion for the
 * calendar, on top of the C library's zone data (no tz parsing here).
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "calendar_zone.h"
#include "replywatch/calendar.h"

#define SECS_PER_DAY 86400LL
#define MINUTES_PER_DAY 1440
#define ZONEINFO_DIR "/usr/share/zoneinfo"

bool
rw_calendar_zone_exists(const char *name)
{
	const char *dir = getenv("TZDIR");
	char path[1024], magic[4];
	struct stat st;
	bool ok;
	int fd;

	if (strcmp(name, "UTC") == 0)
		return true;
	if (*name == '\0' || name[0] == '/' || strstr(name, "..") != NULL || strlen(name) > 255)
		return false;
	if (dir == NULL || *dir == '\0')
		dir = ZONEINFO_DIR;
	if ((size_t)snprintf(path, sizeof(path), "%s/%s", dir, name) >= sizeof(path))
		return false;
	if ((fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK)) == -1)
		return false;
	ok = fstat(fd, &st) == 0 && S_ISREG(st.st_mode) &&
	     read(fd, magic, sizeof(magic)) == (ssize_t)sizeof(magic) &&
	     memcmp(magic, "TZif", 4) == 0;
	close(fd);
	return ok;
}

/*
 * The old TZ is copied before setenv replaces it, because getenv's pointer
 * does not survive the change. tzset() makes the C library load the zone
 * now, once, rather than inside the first conversion.
 */
int
rw_calzone_enter(struct rw_calzone *z, const char *name)
{
	const char *old;

	if (z->entered)
		return 0;
	if ((old = getenv("TZ")) != NULL && (z->saved = strdup(old)) == NULL)
		return -1;
	if (setenv("TZ", name, 1) == -1) {
		free(z->saved);
		z->saved = NULL;
		return -1;
	}
	tzset();
	z->entered = true;
	return 0;
}

/*
 * Should restoring the old value fail (memory), TZ is unset rather than
 * left at the calendar's zone: the process then falls back to the system's
 * default zone, the nearest thing to what it had.
 */
void
rw_calzone_leave(struct rw_calzone *z)
{
	if (!z->entered)
		return;
	/* unsetenv fails only for an invalid name, which "TZ" is not. */
	if (z->saved == NULL || setenv("TZ", z->saved, 1) == -1)
		(void)unsetenv("TZ");
	tzset();
	free(z->saved);
	z->saved = NULL;
	z->entered = false;
}

/* The civil date of a day count since 1970-01-01, after Howard Hinnant's
 * civil_from_days (proleptic Gregorian). */
static void
civil_from_days(int64_t days, int *year, int *month, int *mday)
{
	int64_t z = days + 719468, era, doe, yoe, doy, mp;

	era = (z >= 0 ? z : z - 146096) / 146097;
	doe = z - era * 146097;
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	*mday = (int)(doy - (153 * mp + 2) / 5 + 1);
	*month = (int)(mp < 10 ? mp + 3 : mp - 9);
	*year = (int)(yoe + era * 400 + (*month <= 2));
}

/* The local wall time at instant t, as seconds of a clock that never
 * changes (days * 86400 + time of day). Returns false if t is out of range. */
static bool
wall_at(int64_t t, int64_t *wall)
{
	time_t tt = (time_t)t;
	struct tm tm;

	if (localtime_r(&tt, &tm) == NULL)
		return false;
	*wall = t + tm.tm_gmtoff;
	return true;
}

/* True when the clock shows exactly wall at instant t. */
static bool
shows(int64_t t, int64_t wall)
{
	int64_t w;

	return wall_at(t, &w) && w == wall;
}

/* True when the clock shows wall or later at instant t. */
static bool
reached(int64_t t, int64_t wall)
{
	int64_t w;

	return wall_at(t, &w) && w >= wall;
}

/* mktime of a local date and time, letting the C library pick tm_isdst. */
static int64_t
mktime_guess(int64_t day, int minute)
{
	struct tm tm = {0};
	int year, month, mday;

	civil_from_days(day, &year, &month, &mday);
	tm.tm_year = year - 1900;
	tm.tm_mon = month - 1;
	tm.tm_mday = mday;
	tm.tm_hour = minute / 60;
	tm.tm_min = minute % 60;
	tm.tm_isdst = -1;
	return (int64_t)mktime(&tm);
}

/* The UTC offset in seconds at instant t, or false when t is out of range. */
static bool
offset_at(int64_t t, int64_t *offset)
{
	int64_t w;

	if (!wall_at(t, &w))
		return false;
	*offset = w - t;
	return true;
}

/*
 * The first instant in (lo, hi] at which the clock shows wall or later, for
 * a wall time in a gap: the clock shows less at lo and at least wall at hi,
 * and only moves forward in between (one transition). Returns 0, or -1 when
 * lo and hi do not bracket the gap.
 */
static int
gap_end(int64_t lo, int64_t hi, int64_t wall, int64_t *secs)
{
	if (reached(lo, wall) || !reached(hi, wall))
		return -1;
	while (hi - lo > 1) {
		int64_t mid = lo + (hi - lo) / 2;

		if (reached(mid, wall))
			hi = mid;
		else
			lo = mid;
	}
	*secs = hi;
	return 0;
}

/*
 * Rule: a wall time maps to the first instant at which the clock shows it or
 * later. mktime (tm_isdst = -1) gives a first guess, which for an ambiguous
 * time may be either occurrence and for a skipped time lies near the gap.
 * The offsets in force a day before the guess, at it and a day after cover
 * both sides of any transition nearby (they are months apart), so the wall
 * time minus each of them lists every occurrence: those that really show the
 * wall time are kept and the earliest wins, which is the first occurrence of
 * a fall-back hour whatever tm_isdst says (it also covers zones that move
 * their standard time without a DST flag). When none shows it, the time lies
 * in a gap, between the instants given by the largest and smallest offsets,
 * and the end of the gap is found by bisection. (Asking mktime for both
 * tm_isdst values instead is slow in zones without DST, where glibc searches
 * far and wide for a matching flag.)
 */
int
rw_calzone_to_utc(int64_t day, int minute, int64_t *secs)
{
	int64_t wall, guess, off[3], lo = INT64_MAX, hi = INT64_MIN, best = INT64_MAX;

	day += minute / MINUTES_PER_DAY;
	minute %= MINUTES_PER_DAY;
	wall = day * SECS_PER_DAY + (int64_t)minute * 60;
	guess = mktime_guess(day, minute);
	if (!offset_at(guess - SECS_PER_DAY, &off[0]) || !offset_at(guess, &off[1]) ||
	    !offset_at(guess + SECS_PER_DAY, &off[2]))
		return -1;
	for (int i = 0; i < 3; i++) {
		int64_t t = wall - off[i];

		if (shows(t, wall) && t < best)
			best = t;
		lo = t < lo ? t : lo;
		hi = t > hi ? t : hi;
	}
	if (best != INT64_MAX) {
		*secs = best;
		return 0;
	}
	return gap_end(lo, hi, wall, secs);
}
