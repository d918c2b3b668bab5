/*
 * calendar_zone: the calendar's time-zone work, private to calendar.c —
 * switching the process into a zone for the length of an expansion and
 * back, and turning a local wall time into an instant under the C library's
 * zone data.
 */
#ifndef REPLYWATCH_CALENDAR_ZONE_H
#define REPLYWATCH_CALENDAR_ZONE_H

#include <stdbool.h>
#include <stdint.h>

/* One stay in a zone; zero-initialise, enter, and always leave. */
struct rw_calzone {
	bool entered;
	char *saved; /* the process's TZ before entering, NULL when it was unset */
};

/* Switches TZ to name (once per z: a second call does nothing). Returns 0,
 * or -1 when memory runs out (TZ is unchanged then). */
int rw_calzone_enter(struct rw_calzone *z, const char *name);

/* Puts back the TZ found on entering (or unsets it) when z entered. */
void rw_calzone_leave(struct rw_calzone *z);

/* The instant, in seconds since the epoch, of minute (0 to 1440) of local
 * day (days since 1970-01-01 of the civil date) in the current zone: the
 * first instant at which the zone's clock shows that time or later. Returns
 * 0, or -1 when the C library cannot convert it. */
int rw_calzone_to_utc(int64_t day, int minute, int64_t *secs);

#endif
