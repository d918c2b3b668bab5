/*
 * clock: the daemon's wall clock and the one time format of its API.
 *
 * Every "now" in the daemon comes from rw_now_ms, so unit tests can hold
 * the clock still (rw_clock_set) instead of sleeping. Times are
 * milliseconds since the Unix epoch; the API writes them as RFC 3339 UTC
 * with milliseconds ("2026-11-23T12:00:00.123Z").
 */
#ifndef REPLYWATCH_CLOCK_H
#define REPLYWATCH_CLOCK_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

/* The wall clock in ms: the real one plus what rw_clock_advance added, or
 * the instant given to rw_clock_set. */
int64_t rw_now_ms(void);

/* Holds the clock at ms (unit tests only); 0 gives back the running clock.
 * Not thread-safe: the daemon has one thread. */
void rw_clock_set(int64_t ms);

/* Moves the clock forward by ms for good (the daemon's test clock, through
 * rw_timer_advance, which also re-arms the timers); a held clock
 * (rw_clock_set) moves too. Returns 0, or -1 and changes nothing when ms is
 * not positive (the clock never goes back) or would carry the clock past
 * RW_TIME_MAX_MS. */
int rw_clock_advance(int64_t ms);

/* The total rw_clock_advance has added, in ms (0 in production). */
int64_t rw_clock_offset(void);

/* Formats ms as RFC 3339 UTC with milliseconds into buf (at least
 * RW_TIME_MAX bytes for any ms; four-digit years within RW_TIME_MIN_MS..
 * RW_TIME_MAX_MS). Returns buf. */
#define RW_TIME_MAX 40
char *rw_time_format(int64_t ms, char *buf, size_t len);

/* The instants RFC 3339 can write: 0000-01-01T00:00:00.000Z to
 * 9999-12-31T23:59:59.999Z. */
#define RW_TIME_MIN_MS (-INT64_C(62167219200000))
#define RW_TIME_MAX_MS INT64_C(253402300799999)

/* Parses RFC 3339 ("2026-11-23T12:00:00Z", fractions, offsets) into ms.
 * Returns 0, or -1 (*ms unchanged), also for an instant outside
 * RW_TIME_MIN_MS..RW_TIME_MAX_MS once the offset is applied, so whatever
 * parses formats back (rw_time_format) to a time that parses. */
int rw_time_parse(const char *text, int64_t *ms);

/* ms as a JSON string in the API's format, or JSON null when ms <= 0 (the
 * records' "never"). A new reference; NULL only when out of memory. */
json_t *rw_time_json(int64_t ms);

#endif
