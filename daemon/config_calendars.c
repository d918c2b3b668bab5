/*
 * config_calendars.c: the "calendars" section: business hours per weekday,
 * a time zone and holidays, keyed by calendar name.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config_internal.h"
#include "replywatch/calendar.h"

#define MINUTES_PER_DAY 1440

static const char *const calendar_keys[] = {"timezone", "weekly", "holidays", NULL};

/* Weekday keys in tm_wday order (0 = Sunday). */
static const char *const day_keys[] = {"sun", "mon", "tue", "wed", "thu", "fri", "sat", NULL};
/* The same keys in the order people write a week, for messages. */
static const char *const day_keys_monday_first[] = {
	"mon", "tue", "wed", "thu", "fri", "sat", "sun", NULL,
};

/*
 * "HH:MM" at s (five characters) in minutes from midnight. Returns -2 when it
 * is not written HH:MM, -1 when it is but is not between 00:00 and 24:00.
 */
static int
parse_clock(const char *s)
{
	int h, m;

	if (s[0] < '0' || s[0] > '9' || s[1] < '0' || s[1] > '9' || s[2] != ':' || s[3] < '0' ||
	    s[3] > '9' || s[4] < '0' || s[4] > '9')
		return -2;
	h = (s[0] - '0') * 10 + (s[1] - '0');
	m = (s[3] - '0') * 10 + (s[4] - '0');
	if (h > 24 || m > 59 || (h == 24 && m != 0))
		return -1;
	return h * 60 + m;
}

/*
 * "HH:MM-HH:MM" into *iv. A range that ends before it starts is the usual
 * way of writing night hours; the calendar's days are separate, so the
 * message says how to split it.
 */
static int
parse_range(struct rw_cfg_ctx *ctx, const char *s, const char *path, struct rw_interval *iv)
{
	char q[RW_CFG_QUOTE_MAX], a[6], b[6];
	int start, end;

	rw_cfg_quote(q, sizeof(q), s);
	if (strlen(s) != 11 || s[5] != '-' || (start = parse_clock(s)) == -2 ||
	    (end = parse_clock(s + 6)) == -2) {
		rw_cfg_err(ctx, path, "%s is not a time range (use HH:MM-HH:MM, e.g. 08:00-16:30)",
			   q);
		return -1;
	}
	if (start < 0 || end < 0) {
		snprintf(a, sizeof(a), "%.5s", start < 0 ? s : s + 6);
		rw_cfg_err(ctx, path, "%s: %s is not a time of day (00:00 to 24:00)", q, a);
		return -1;
	}
	if (end == start) {
		rw_cfg_err(ctx, path, "%s is empty (the end must be after the start)", q);
		return -1;
	}
	if (end < start) {
		snprintf(a, sizeof(a), "%.5s", s);
		snprintf(b, sizeof(b), "%.5s", s + 6);
		rw_cfg_err(ctx, path,
			   "%s ends before it starts; split a range past midnight "
			   "across two days: \"%s-24:00\" on this day and \"00:00-%s\" on the next",
			   q, a, b);
		return -1;
	}
	iv->start = start;
	iv->end = end;
	return 0;
}

static int
compare_interval(const void *a, const void *b)
{
	const struct rw_interval *x = a, *y = b;

	return (x->start > y->start) - (x->start < y->start);
}

/* "HH:MM-HH:MM" of iv into out. */
static const char *
format_range(char *out, size_t len, const struct rw_interval *iv)
{
	snprintf(out, len, "%02d:%02d-%02d:%02d", iv->start / 60, iv->start % 60, iv->end / 60,
		 iv->end % 60);
	return out;
}

/*
 * One day's array of ranges. Each range is checked against those before it,
 * so an overlap is reported at the later one. Stored sorted by start.
 */
static int
read_day(struct rw_cfg_ctx *ctx, const json_t *v, const char *path, struct rw_calendar_config *cal,
	 int wday)
{
	char ip[RW_CFG_PATH_MAX], q[RW_CFG_QUOTE_MAX], other[48];
	struct rw_interval *ivs;
	const json_t *item;
	const char *s;
	size_t i, n = 0;
	int rc = 0;

	if (rw_cfg_v_type(ctx, v, path, JSON_ARRAY) == -1)
		return -1;
	if (json_array_size(v) == 0)
		return 0;
	if ((ivs = calloc(json_array_size(v), sizeof(*ivs))) == NULL) {
		rw_cfg_oom(ctx);
		return -1;
	}
	json_array_foreach(v, i, item)
	{
		struct rw_interval iv;
		size_t j;

		rw_cfg_path_index(ip, sizeof(ip), path, i);
		if (rw_cfg_v_string(ctx, item, ip, &s) == -1 ||
		    parse_range(ctx, s, ip, &iv) == -1) {
			rc = -1;
			continue;
		}
		for (j = 0; j < n && (iv.end <= ivs[j].start || iv.start >= ivs[j].end); j++)
			;
		if (j < n) {
			rw_cfg_err(ctx, ip, "%s overlaps \"%s\"", rw_cfg_quote(q, sizeof(q), s),
				   format_range(other, sizeof(other), &ivs[j]));
			rc = -1;
			continue;
		}
		ivs[n++] = iv;
	}
	qsort(ivs, n, sizeof(*ivs), compare_interval);
	cal->weekly[wday] = ivs;
	cal->nweekly[wday] = n;
	return rc;
}

/* weekly: required, and open at least once, or no deadline would ever come. */
static void
read_weekly(struct rw_cfg_ctx *ctx, const json_t *obj, const char *path,
	    struct rw_calendar_config *cal)
{
	char p[RW_CFG_PATH_MAX], dp[RW_CFG_PATH_MAX];
	const json_t *weekly = json_object_get(obj, "weekly"), *day;
	size_t total = 0;
	int bad = 0;

	if (weekly == NULL) {
		rw_cfg_missing(ctx, path, "weekly", NULL);
		return;
	}
	rw_cfg_path_key(p, sizeof(p), path, "weekly");
	if (rw_cfg_v_type(ctx, weekly, p, JSON_OBJECT) == -1)
		return;
	bad = rw_cfg_check_keys(ctx, weekly, p, day_keys_monday_first);
	for (int wday = 0; wday < 7; wday++) {
		if ((day = json_object_get(weekly, day_keys[wday])) == NULL)
			continue;
		rw_cfg_path_key(dp, sizeof(dp), p, day_keys[wday]);
		if (read_day(ctx, day, dp, cal, wday) == -1)
			bad++;
		total += cal->nweekly[wday];
	}
	if (bad == 0 && total == 0)
		rw_cfg_err(ctx, p,
			   "opens no interval on any day (a calendar that is never open "
			   "would never reach a deadline)");
}

/*
 * Days from 1970-01-01 to the civil date y-m-d (proleptic Gregorian), after
 * Howard Hinnant's days_from_civil.
 */
static int32_t
days_from_civil(int y, int m, int d)
{
	int era, yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return (int32_t)(era * 146097 + doe - 719468);
}

/* "YYYY-MM-DD", a real date between 1970 and 9999, as days since 1970-01-01. */
static int
parse_date(const char *s, int32_t *days)
{
	static const int mdays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	int y, m, d, max;

	if (strlen(s) != 10 || s[4] != '-' || s[7] != '-' || strspn(s, "0123456789") != 4 ||
	    strspn(s + 5, "0123456789") != 2 || strspn(s + 8, "0123456789") != 2)
		return -1;
	y = atoi(s);
	m = atoi(s + 5);
	d = atoi(s + 8);
	if (y < 1970 || m < 1 || m > 12)
		return -1;
	max = mdays[m - 1] + (m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0));
	if (d < 1 || d > max)
		return -1;
	*days = days_from_civil(y, m, d);
	return 0;
}

static int
compare_day(const void *a, const void *b)
{
	int32_t x = *(const int32_t *)a, y = *(const int32_t *)b;

	return (x > y) - (x < y);
}

/* holidays: dates, stored sorted without duplicates. */
static void
read_holidays(struct rw_cfg_ctx *ctx, const json_t *obj, const char *path,
	      struct rw_calendar_config *cal)
{
	char p[RW_CFG_PATH_MAX], ip[RW_CFG_PATH_MAX], q[RW_CFG_QUOTE_MAX];
	const json_t *list = json_object_get(obj, "holidays"), *item;
	const char *s;
	size_t i, n = 0;

	if (list == NULL)
		return;
	rw_cfg_path_key(p, sizeof(p), path, "holidays");
	if (rw_cfg_v_type(ctx, list, p, JSON_ARRAY) == -1 || json_array_size(list) == 0)
		return;
	if ((cal->holidays = calloc(json_array_size(list), sizeof(int32_t))) == NULL) {
		rw_cfg_oom(ctx);
		return;
	}
	json_array_foreach(list, i, item)
	{
		rw_cfg_path_index(ip, sizeof(ip), p, i);
		if (rw_cfg_v_string(ctx, item, ip, &s) == -1)
			continue;
		if (parse_date(s, &cal->holidays[n]) == -1) {
			rw_cfg_err(ctx, ip,
				   "%s is not a date (use YYYY-MM-DD, a real day "
				   "from 1970 on)",
				   rw_cfg_quote(q, sizeof(q), s));
			continue;
		}
		n++;
	}
	qsort(cal->holidays, n, sizeof(int32_t), compare_day);
	cal->nholidays = 0;
	for (i = 0; i < n; i++) {
		if (cal->nholidays == 0 || cal->holidays[cal->nholidays - 1] != cal->holidays[i])
			cal->holidays[cal->nholidays++] = cal->holidays[i];
	}
}

/* One calendar, named by its key in "calendars". */
static void
read_calendar(struct rw_cfg_ctx *ctx, const char *name, const json_t *obj, const char *path,
	      struct rw_calendar_config *cal)
{
	char p[RW_CFG_PATH_MAX], q[RW_CFG_QUOTE_MAX];
	const char *tz;

	/* The key is the name: check it like any other name. */
	rw_cfg_check_name(ctx, name, path);
	rw_cfg_declare(ctx, &ctx->calendars, name, path);
	if ((cal->name = rw_cfg_strdup(ctx, name)) == NULL)
		return;
	if (rw_cfg_v_type(ctx, obj, path, JSON_OBJECT) == -1)
		return;
	rw_cfg_check_keys(ctx, obj, path, calendar_keys);
	switch (rw_cfg_string(ctx, obj, path, "timezone", &tz)) {
	case 0:
		rw_cfg_missing(ctx, path, "timezone", NULL);
		break;
	case 1:
		if (!rw_calendar_zone_exists(tz))
			rw_cfg_err(ctx, rw_cfg_path_key(p, sizeof(p), path, "timezone"),
				   "unknown time zone %s (use an IANA name like Europe/Warsaw, or "
				   "UTC)",
				   rw_cfg_quote(q, sizeof(q), tz));
		else
			cal->timezone = rw_cfg_strdup(ctx, tz);
		break;
	default:
		break;
	}
	read_weekly(ctx, obj, path, cal);
	read_holidays(ctx, obj, path, cal);
}

void
rw_cfg_read_calendars(struct rw_cfg_ctx *ctx, const json_t *root)
{
	const json_t *sec = json_object_get(root, "calendars"), *obj;
	char p[RW_CFG_PATH_MAX];
	const char *name;

	if (sec == NULL)
		return;
	if (rw_cfg_v_type(ctx, sec, "calendars", JSON_OBJECT) == -1) {
		ctx->calendars.incomplete = true;
		return;
	}
	if (json_object_size(sec) == 0)
		return;
	ctx->cfg->calendars = calloc(json_object_size(sec), sizeof(*ctx->cfg->calendars));
	if (ctx->cfg->calendars == NULL) {
		rw_cfg_oom(ctx);
		return;
	}
	json_object_foreach((json_t *)sec, name, obj)
	{
		struct rw_calendar_config *cal = &ctx->cfg->calendars[ctx->cfg->ncalendars++];

		rw_cfg_path_key(p, sizeof(p), "calendars", name);
		read_calendar(ctx, name, obj, p, cal);
	}
}

void
rw_cfg_calendar_free(struct rw_calendar_config *cal)
{
	free(cal->name);
	free(cal->timezone);
	for (int i = 0; i < 7; i++)
		free(cal->weekly[i]);
	free(cal->holidays);
}
