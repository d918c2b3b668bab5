/*
 * duration.c: "1h30m"-style durations, parsed into seconds and formatted back.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "replywatch/duration.h"

/* The units, largest first; a duration names them in this order. */
static const struct {
	char unit;
	int64_t seconds;
} units[] = {
	{'d', 86400},
	{'h', 3600},
	{'m', 60},
	{'s', 1},
};

#define NUNITS (sizeof(units) / sizeof(units[0]))

/* The index of unit c in units[], or -1. */
static int
unit_index(char c)
{
	for (size_t i = 0; i < NUNITS; i++) {
		if (units[i].unit == c)
			return (int)i;
	}
	return -1;
}

/*
 * Reads the digits at *p into *value, refusing anything past RW_DURATION_MAX
 * so that the caller's multiplication cannot overflow. Advances *p past the
 * digits. Returns 0, or -1 when there is no digit or the number is too big.
 */
static int
read_number(const char **p, int64_t *value)
{
	const char *s = *p;
	int64_t v = 0;

	if (*s < '0' || *s > '9')
		return -1;
	for (; *s >= '0' && *s <= '9'; s++) {
		v = v * 10 + (*s - '0');
		if (v > RW_DURATION_MAX)
			return -1;
	}
	*p = s;
	*value = v;
	return 0;
}

int
rw_duration_parse(const char *text, int64_t *seconds)
{
	const char *p = text;
	int64_t total = 0;
	int last = -1;

	if (text == NULL || *text == '\0')
		return -1;
	while (*p != '\0') {
		int64_t n;
		int u;

		if (read_number(&p, &n) == -1)
			return -1;
		u = unit_index(*p);
		/* Each unit once, largest first: the index must strictly grow. */
		if (u == -1 || u <= last)
			return -1;
		last = u;
		p++;
		if (n > (RW_DURATION_MAX - total) / units[u].seconds)
			return -1;
		total += n * units[u].seconds;
	}
	*seconds = total;
	return 0;
}

int
rw_duration_format(int64_t seconds, char *buf, size_t len)
{
	char out[64];
	size_t off = 0;
	uint64_t left;

	if (seconds < 0) {
		out[off++] = '-';
		left = (uint64_t)(-(seconds + 1)) + 1;
	} else {
		left = (uint64_t)seconds;
	}
	if (left == 0) {
		out[off++] = '0';
		out[off++] = 's';
	}
	for (size_t i = 0; i < NUNITS && left > 0; i++) {
		uint64_t step = (uint64_t)units[i].seconds;
		uint64_t n = left / step;

		if (n == 0)
			continue;
		off += (size_t)snprintf(out + off, sizeof(out) - off, "%" PRIu64 "%c", n,
					units[i].unit);
		left -= n * step;
	}
	out[off] = '\0';
	return snprintf(buf, len, "%s", out);
}
