/*
 * clock.c: the wall clock, settable by tests, and RFC 3339 times.
 */
#include <ctype.h>
#include <stdio.h>
#include <time.h>

#include "replywatch/clock.h"

static int64_t held_ms;   /* 0: the running clock */
static int64_t offset_ms; /* added by rw_clock_advance: 0 unless the test clock moved */

int64_t
rw_now_ms(void)
{
	struct timespec ts;

	if (held_ms != 0)
		return held_ms;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000 + offset_ms;
}

void
rw_clock_set(int64_t ms)
{
	held_ms = ms;
}

int
rw_clock_advance(int64_t ms)
{
	/* Past year 9999 no time could be written (rw_time_format), and the
	 * sums below could overflow. */
	if (ms <= 0 || ms > RW_TIME_MAX_MS - rw_now_ms())
		return -1;
	offset_ms += ms;
	if (held_ms != 0)
		held_ms += ms;
	return 0;
}

int64_t
rw_clock_offset(void)
{
	return offset_ms;
}

char *
rw_time_format(int64_t ms, char *buf, size_t len)
{
	time_t secs = (time_t)(ms >= 0 ? ms / 1000 : (ms - 999) / 1000);
	int frac = (int)(ms - (int64_t)secs * 1000);
	struct tm tm;

	gmtime_r(&secs, &tm);
	/* Not strftime's %Y: glibc does not pad years before 1000 to four
	 * digits, and RFC 3339 wants them. */
	snprintf(buf, len, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900, tm.tm_mon + 1,
		 tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, frac);
	return buf;
}

/* Reads exactly n digits at *p into *out. */
static int
digits(const char **p, int n, int *out)
{
	int v = 0;

	for (int i = 0; i < n; i++) {
		if (!isdigit((unsigned char)(*p)[i]))
			return -1;
		v = v * 10 + ((*p)[i] - '0');
	}
	*p += n;
	*out = v;
	return 0;
}

/*
 * RFC 3339: YYYY-MM-DDTHH:MM:SS[.fraction](Z|+HH:MM|-HH:MM). Platforms send
 * up to nine fraction digits; milliseconds are kept, the rest truncated.
 * A lower-case 't'/'z' or a space separator is accepted too (RFC 3339 5.6).
 */
int
rw_time_parse(const char *text, int64_t *ms)
{
	const char *p = text;
	struct tm tm = {0};
	int y, mo, d, h, mi, s, frac_ms = 0, off = 0;

	if (digits(&p, 4, &y) || *p++ != '-' || digits(&p, 2, &mo) || *p++ != '-' ||
	    digits(&p, 2, &d))
		return -1;
	if (*p != 'T' && *p != 't' && *p != ' ')
		return -1;
	p++;
	if (digits(&p, 2, &h) || *p++ != ':' || digits(&p, 2, &mi) || *p++ != ':' ||
	    digits(&p, 2, &s))
		return -1;
	if (*p == '.') {
		int n = 0;

		p++;
		if (!isdigit((unsigned char)*p))
			return -1;
		for (; isdigit((unsigned char)*p); p++, n++)
			if (n < 3)
				frac_ms = frac_ms * 10 + (*p - '0');
		for (; n < 3; n++)
			frac_ms *= 10;
	}
	if (*p == 'Z' || *p == 'z') {
		p++;
	} else if (*p == '+' || *p == '-') {
		int sign = *p++ == '-' ? -1 : 1, oh, om;

		if (digits(&p, 2, &oh) || *p++ != ':' || digits(&p, 2, &om) || oh > 23 || om > 59)
			return -1;
		off = sign * (oh * 60 + om);
	} else {
		return -1;
	}
	if (*p != '\0' || mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || s > 60)
		return -1;
	tm.tm_year = y - 1900;
	tm.tm_mon = mo - 1;
	tm.tm_mday = d;
	tm.tm_hour = h;
	tm.tm_min = mi;
	tm.tm_sec = s == 60 ? 59 : s; /* a leap second counts as the second before */
	time_t t = timegm(&tm);
	if (tm.tm_mday != d) /* normalised: 2026-02-30 is not a date */
		return -1;
	int64_t at = ((int64_t)t - (int64_t)off * 60) * 1000 + frac_ms;
	/* An offset can carry a time past the four-digit years
	 * (9999-12-31T23:00:00-05:00): such an instant has no RFC 3339 form
	 * to be shown or stored as. */
	if (at < RW_TIME_MIN_MS || at > RW_TIME_MAX_MS)
		return -1;
	*ms = at;
	return 0;
}

json_t *
rw_time_json(int64_t ms)
{
	char buf[RW_TIME_MAX];

	return ms > 0 ? json_string(rw_time_format(ms, buf, sizeof(buf))) : json_null();
}
