/*
 * calendar: business time under a calendar — an IANA time zone, weekly
 * opening intervals and holidays (struct rw_calendar_config).
 *
 * All instants are milliseconds since the Unix epoch (UTC). A calendar is
 * compiled once into open intervals in UTC, expanded lazily a span of days at
 * a time, so the hot path (deadline and response-time arithmetic) never
 * switches time zones. The compiled object is immutable to callers but not
 * thread-safe (its cache grows); replywatchd has one thread.
 */
#ifndef REPLYWATCH_CALENDAR_H
#define REPLYWATCH_CALENDAR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct rw_calendar_config;
struct rw_calendar;

/* Compiles cfg (copied: cfg may be freed afterwards). Returns NULL with a
 * reason in err when the zone cannot be loaded or allocation fails. */
struct rw_calendar *rw_calendar_new(const struct rw_calendar_config *cfg, char *err, size_t errlen);

/* Business milliseconds in [from_ms, to_ms): the part of the span that falls
 * inside opening intervals. 0 when to_ms <= from_ms. */
int64_t rw_calendar_business_ms(struct rw_calendar *cal, int64_t from_ms, int64_t to_ms);

/* The earliest instant t >= start_ms such that business_ms(start_ms, t) ==
 * amount_ms; amount_ms 0 gives start_ms itself. Returns INT64_MAX when the
 * calendar has no opening left within 100 years (cannot happen for a valid
 * configuration). */
int64_t rw_calendar_deadline_ms(struct rw_calendar *cal, int64_t start_ms, int64_t amount_ms);

/* True when the instant falls inside an opening interval. */
int rw_calendar_is_open(struct rw_calendar *cal, int64_t at_ms);

/* True when name is "UTC" or a TZif file of the system's zone database
 * ($TZDIR, default /usr/share/zoneinfo). Names with "..", a leading "/" or
 * naming directories are refused. Reads a file: call at load time only. */
bool rw_calendar_zone_exists(const char *name);

/* The configured name (borrowed). */
const char *rw_calendar_name(const struct rw_calendar *cal);

void rw_calendar_free(struct rw_calendar *cal);

#endif
