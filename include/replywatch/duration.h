/*
 * duration: the configuration's durations.
 *
 * A duration is written as number+unit groups, largest unit first, each unit
 * at most once: "90s", "45m", "1h30m", "7d", "2d12h". Units: d, h, m, s.
 * (The configuration also accepts a bare JSON integer of seconds; that case is
 * the config module's, not this one's.)
 */
#ifndef REPLYWATCH_DURATION_H
#define REPLYWATCH_DURATION_H

#include <stddef.h>
#include <stdint.h>

/* Largest accepted duration: 100 years, far past any SLA or retention. */
#define RW_DURATION_MAX ((int64_t)100 * 365 * 86400)

/* Parses text into seconds. Returns 0, or -1 (and leaves *seconds alone) when
 * text is empty, has no unit, repeats a unit, puts units out of order, has
 * anything else in it, or exceeds RW_DURATION_MAX. "0s" parses to 0. */
int rw_duration_parse(const char *text, int64_t *seconds);

/* Writes the canonical form ("1h30m", "0s") into buf. Returns the length
 * snprintf would write; the output is always terminated when len > 0. */
int rw_duration_format(int64_t seconds, char *buf, size_t len);

#endif
