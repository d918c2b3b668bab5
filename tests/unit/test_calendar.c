/*
 * test_calendar: business time under calendars — weekly hours, holidays,
 * long closures, DST days in Europe/Warsaw and America/New_York, far dates,
 * the cache growing both ways, and the process's TZ left alone.
 *
 * Expected instants are written as UTC civil times (rwt_utc_ms()), with the local
 * time they stand for in a comment. Warsaw is CET (UTC+1) in winter and
 * CEST (UTC+2) in summer; New York is EST (UTC-5) and EDT (UTC-4).
 */
#include <criterion/criterion.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "replywatch/calendar.h"
#include "rwtest.h"
#include "replywatch/config.h"

#define MIN_MS 60000LL
#define HOUR_MS 3600000LL
#define DAY_MS 86400000LL

/* Weekday bits, by tm_wday. */
#define SUN (1u << 0)
#define MON (1u << 1)
#define TUE (1u << 2)
#define WED (1u << 3)
#define THU (1u << 4)
#define FRI (1u << 5)
#define SAT (1u << 6)
#define WEEKDAYS (MON | TUE | WED | THU | FRI)
#define EVERY_DAY (WEEKDAYS | SAT | SUN)

/* A weekly schedule under construction: up to four intervals a day. */
struct week {
	struct rw_interval iv[7][4];
	size_t n[7];
};

/* Days since 1970-01-01 of a civil date (a holiday's representation). */
static int32_t
day_number(int y, int mo, int d)
{
	int64_t ms = rwt_utc_ms(y, mo, d, 0, 0);

	return (int32_t)(ms >= 0 ? ms / DAY_MS : -((-ms + DAY_MS - 1) / DAY_MS));
}

/* Adds HH:MM-HH:MM to every day in mask (appended: add in time order). */
static void
add(struct week *w, unsigned mask, int sh, int sm, int eh, int em)
{
	for (int d = 0; d < 7; d++) {
		if (!(mask & (1u << d)))
			continue;
		cr_assert_lt(w->n[d], 4);
		w->iv[d][w->n[d]++] = (struct rw_interval){sh * 60 + sm, eh * 60 + em};
	}
}

static struct rw_calendar *
make_cal(const char *tz, struct week *w, int32_t *holidays, size_t nholidays)
{
	struct rw_calendar_config cfg = {0};
	struct rw_calendar *cal;
	char err[256] = "";

	cfg.name = "test";
	cfg.timezone = (char *)tz;
	for (int d = 0; d < 7; d++) {
		cfg.weekly[d] = w->iv[d];
		cfg.nweekly[d] = w->n[d];
	}
	cfg.holidays = holidays;
	cfg.nholidays = nholidays;
	cal = rw_calendar_new(&cfg, err, sizeof(err));
	cr_assert_not_null(cal, "rw_calendar_new: %s", err);
	return cal;
}

/* Monday to Friday 09:00-17:00 in tz. */
static struct rw_calendar *
office(const char *tz, int32_t *holidays, size_t nholidays)
{
	struct week w = {0};

	add(&w, WEEKDAYS, 9, 0, 17, 0);
	return make_cal(tz, &w, holidays, nholidays);
}

#define expect_ms(got, want)                                                                       \
	cr_assert_eq((got), (want), "%s = %lld, want %lld", #got, (long long)(got),                \
		     (long long)(want))

/* ---- UTC basics (2026-03-02 is a Monday). ---- */

Test(calendar_utc, inside_hours)
{
	struct rw_calendar *cal = office("UTC", NULL, 0);

	expect_ms(rw_calendar_business_ms(cal, rwt_utc_ms(2026, 3, 2, 10, 0),
					  rwt_utc_ms(2026, 3, 2, 12, 0)),
		  2 * HOUR_MS);
	expect_ms(rw_calendar_deadline_ms(cal, rwt_utc_ms(2026, 3, 2, 10, 0), 2 * HOUR_MS),
		  rwt_utc_ms(2026, 3, 2, 12, 0));
	/* Milliseconds count: 10:00:00.250 + 1.5 s. */
	expect_ms(rw_calendar_deadline_ms(cal, rwt_utc_ms(2026, 3, 2, 10, 0) + 250, 1500),
		  rwt_utc_ms(2026, 3, 2, 10, 0) + 1750);
	rw_calendar_free(cal);
}

Test(calendar_utc, before_and_after_hours)
{
	struct rw_calendar *cal = office("UTC", NULL, 0);

	/* 07:00 is before opening: the clock starts at 09:00. */
	expect_ms(rw_calendar_deadline_ms(cal, rwt_utc_ms(2026, 3, 2, 7, 0), HOUR_MS),
		  rwt_utc_ms(2026, 3, 2, 10, 0));
	expect_ms(rw_calendar_business_ms(cal, rwt_utc_ms(2026, 3, 2, 7, 0),
					  rwt_utc_ms(2026, 3, 2, 10, 0)),
		  HOUR_MS);
	/* 16:00 + 2 h: one hour Monday, one Tuesday from 09:00. */
	expect_ms(rw_calendar_deadline_ms(cal, rwt_utc_ms(2026, 3, 2, 16, 0), 2 * HOUR_MS),
		  rwt_utc_ms(2026, 3, 3, 10, 0));
	/* 18:00 is after closing: Tuesday 09:30. */
	expect_ms(rw_calendar_deadline_ms(cal, rwt_utc_ms(2026, 3, 2, 18, 0), 30 * MIN_MS),
		  rwt_utc_ms(2026, 3, 3, 9, 30));
	expect_ms(rw_calendar_business_ms(cal, rwt_utc_ms(2026, 3, 2, 16, 30),
					  rwt_utc_ms(2026, 3, 3, 9, 15)),
		  45 * MIN_MS);
	/* A closed span alone is worth nothing. */
	expect_ms(rw_calendar_business_ms(cal, rwt_utc_ms(2026, 3, 2, 17, 0),
					  rwt_utc_ms(2026, 3, 3, 9, 0)),
		  0);
	rw_calendar_free(cal);
}

Test(calendar_utc, spans_nights_and_weekends)
{
	struct rw_calendar *cal = office("UTC", NULL, 0);

	/* Friday 2026-03-06 16:00 + 2 h: Monday 2026-03-09 10:00. */
	expect_ms(rw_calendar_deadline_ms(cal, rwt_utc_ms(2026, 3, 6, 16, 0), 2 * HOUR_MS),
		  rwt_utc_ms(2026, 3, 9, 10, 0));
	expect_ms(rw_calendar_business_ms(cal, rwt_utc_ms(2026, 3, 6, 16, 0),
					  rwt_utc_ms(2026, 3, 9, 10, 0)),
		  2 * HOUR_MS);
	/* Saturday start: Monday. */
	expect_ms(rw_calendar_deadline_ms(cal, rwt_utc_ms(2026, 3, 7, 12, 0), 8 * HOUR_MS),
		  rwt_utc_ms(2026, 3, 9, 17, 0));
	/* One whole week is 40 hours, and 12 business hours cross a night. */
	expect_ms(rw_calendar_business_ms(cal, rwt_utc_ms(2026, 3, 2, 0, 0),
					  rwt_utc_ms(2026, 3, 9, 0, 0)),
		  40 * HOUR_MS);
	expect_ms(rw_calendar_deadline_ms(cal, rwt_utc_ms(2026, 3, 2, 9, 0), 12 * HOUR_MS),
		  rwt_utc_ms(2026, 3, 3, 13, 0));
	/* A week of business time from Wednesday noon ends next Wednesday noon. */
	expect_ms(rw_calendar_deadline_ms(cal, rwt_utc_ms(2026, 3, 4, 12, 0), 40 * HOUR_MS),
		  rwt_utc_ms(2026, 3, 11, 12, 0));
	rw_calendar_free(cal);
}

Test(calendar_utc, amount_zero_and_empty_spans)
{
	struct rw_calendar *cal = office("UTC", NULL, 0);

	/* Zero gives the start itself, open or closed. */
	expect_ms(rw_calendar_deadline_ms(cal, rwt_utc_ms(2026, 3, 7, 12, 0), 0),
		  rwt_utc_ms(2026, 3, 7, 12, 0));
	expect_ms(rw_calendar_deadline_ms(cal, rwt_utc_ms(2026, 3, 2, 10, 0), 0),
		  rwt_utc_ms(2026, 3, 2, 10, 0));
	expect_ms(rw_calendar_business_ms(cal, rwt_utc_ms(2026, 3, 2, 12, 0),
					  rwt_utc_ms(2026, 3, 2, 12, 0)),
		  0);
	expect_ms(rw_calendar_business_ms(cal, rwt_utc_ms(2026, 3, 2, 12, 0),
					  rwt_utc_ms(2026, 3, 2, 10, 0)),
		  0);
	rw_calendar_free(cal);
}

Test(calendar_utc, start_at_open_and_close)
{
	struct rw_calendar *cal = office("UTC", NULL, 0);

	/* From the opening instant, a full day ends at the closing instant,
	 * not at the next opening. */
	expect_ms(rw_calendar_deadline_ms(cal, rwt_utc_ms(2026, 3, 2, 9, 0), 8 * HOUR_MS),
		  rwt_utc_ms(2026, 3, 2, 17, 0));
	/* From 07:00 too. */
	expect_ms(rw_calendar_deadline_ms(cal, rwt_utc_ms(2026, 3, 2, 7, 0), 8 * HOUR_MS),
		  rwt_utc_ms(2026, 3, 2, 17, 0));
	/* From the closing instant, one millisecond is the next day's first. */
	expect_ms(rw_calendar_deadline_ms(cal, rwt_utc_ms(2026, 3, 2, 17, 0), 1),
		  rwt_utc_ms(2026, 3, 3, 9, 0) + 1);
	expect_ms(rw_calendar_business_ms(cal, rwt_utc_ms(2026, 3, 2, 9, 0),
					  rwt_utc_ms(2026, 3, 2, 17, 0)),
		  8 * HOUR_MS);
	rw_calendar_free(cal);
}

Test(calendar_utc, is_open)
{
	struct rw_calendar *cal = office("UTC", NULL, 0);

	cr_assert_not(rw_calendar_is_open(cal, rwt_utc_ms(2026, 3, 2, 9, 0) - 1));
	cr_assert(rw_calendar_is_open(cal, rwt_utc_ms(2026, 3, 2, 9, 0)));
	cr_assert(rw_calendar_is_open(cal, rwt_utc_ms(2026, 3, 2, 12, 0)));
	cr_assert(rw_calendar_is_open(cal, rwt_utc_ms(2026, 3, 2, 17, 0) - 1));
	cr_assert_not(rw_calendar_is_open(cal, rwt_utc_ms(2026, 3, 2, 17, 0)));
	cr_assert_not(rw_calendar_is_open(cal, rwt_utc_ms(2026, 3, 7, 12, 0))); /* Saturday */
	cr_assert_not(rw_calendar_is_open(cal, rwt_utc_ms(2026, 3, 8, 12, 0))); /* Sunday */
	rw_calendar_free(cal);
}

Test(calendar_utc, split_shifts)
{
	struct week w = {0};
	struct rw_calendar *cal;

	add(&w, WEEKDAYS, 8, 0, 12, 0);
	add(&w, WEEKDAYS, 13, 0, 17, 0);
	cal = make_cal("UTC", &w, NULL, 0);
	/* 11:00 + 2 h: one before lunch, one after: 14:00. */
	expect_ms(rw_calendar_deadline_ms(cal, rwt_utc_ms(2026, 3, 2, 11, 0), 2 * HOUR_MS),
		  rwt_utc_ms(2026, 3, 2, 14, 0));
	/* Ending at the lunch break gives 12:00, not 13:00. */
	expect_ms(rw_calendar_deadline_ms(cal, rwt_utc_ms(2026, 3, 2, 11, 0), HOUR_MS),
		  rwt_utc_ms(2026, 3, 2, 12, 0));
	/* Starting in the break: 13:00 + 30 min. */
	expect_ms(rw_calendar_deadline_ms(cal, rwt_utc_ms(2026, 3, 2, 12, 15), 30 * MIN_MS),
		  rwt_utc_ms(2026, 3, 2, 13, 30));
	expect_ms(rw_calendar_business_ms(cal, rwt_utc_ms(2026, 3, 2, 11, 30),
					  rwt_utc_ms(2026, 3, 2, 13, 30)),
		  HOUR_MS);
	/* 16:00 + 2 h: one hour today, the next from 08:00 tomorrow. */
	expect_ms(rw_calendar_deadline_ms(cal, rwt_utc_ms(2026, 3, 2, 16, 0), 2 * HOUR_MS),
		  rwt_utc_ms(2026, 3, 3, 9, 0));
	cr_assert_not(rw_calendar_is_open(cal, rwt_utc_ms(2026, 3, 2, 12, 30)));
	cr_assert(rw_calendar_is_open(cal, rwt_utc_ms(2026, 3, 2, 13, 0)));
	rw_calendar_free(cal);
}

Test(calendar_utc, adjacent_days_are_one_opening)
{
	struct week w = {0};
	struct rw_calendar *cal;

	add(&w, FRI | SAT, 0, 0, 24, 0);
	cal = make_cal("UTC", &w, NULL, 0);
	/* Friday 2026-03-06 23:00 + 2 h runs through midnight to Saturday 01:00. */
	expect_ms(rw_calendar_deadline_ms(cal, rwt_utc_ms(2026, 3, 6, 23, 0), 2 * HOUR_MS),
		  rwt_utc_ms(2026, 3, 7, 1, 0));
	/* Exactly to Friday's end: the midnight, not beyond. */
	expect_ms(rw_calendar_deadline_ms(cal, rwt_utc_ms(2026, 3, 6, 23, 0), HOUR_MS),
		  rwt_utc_ms(2026, 3, 7, 0, 0));
	cr_assert(rw_calendar_is_open(cal, rwt_utc_ms(2026, 3, 7, 0, 0)));
	cr_assert(rw_calendar_is_open(cal, rwt_utc_ms(2026, 3, 7, 0, 0) - 1));
	expect_ms(rw_calendar_business_ms(cal, rwt_utc_ms(2026, 3, 6, 0, 0),
					  rwt_utc_ms(2026, 3, 8, 0, 0)),
		  48 * HOUR_MS);
	/* From Saturday's last hour, 2 h ends Saturday next week at 01:00. */
	expect_ms(rw_calendar_deadline_ms(cal, rwt_utc_ms(2026, 3, 7, 23, 0), 2 * HOUR_MS),
		  rwt_utc_ms(2026, 3, 13, 1, 0));
	rw_calendar_free(cal);
}

/* ---- Holidays and long closures. ---- */

Test(calendar_holidays, friday_holiday_pushes_to_monday)
{
	int32_t hol[] = {day_number(2026, 3, 6)}; /* Friday */
	struct rw_calendar *cal = office("UTC", hol, 1);

	/* Thursday 16:00 + 2 h: 1 h Thursday, Friday closed, 1 h Monday. */
	expect_ms(rw_calendar_deadline_ms(cal, rwt_utc_ms(2026, 3, 5, 16, 0), 2 * HOUR_MS),
		  rwt_utc_ms(2026, 3, 9, 10, 0));
	expect_ms(rw_calendar_business_ms(cal, rwt_utc_ms(2026, 3, 5, 0, 0),
					  rwt_utc_ms(2026, 3, 9, 0, 0)),
		  8 * HOUR_MS);
	cr_assert_not(rw_calendar_is_open(cal, rwt_utc_ms(2026, 3, 6, 10, 0)));
	cr_assert(rw_calendar_is_open(cal, rwt_utc_ms(2026, 3, 5, 10, 0)));
	rw_calendar_free(cal);
}

Test(calendar_holidays, holiday_is_the_local_day)
{
	/* Warsaw, 2026-03-06 (Friday) closed: its local day is
	 * 2026-03-05 23:00Z to 2026-03-06 23:00Z. */
	int32_t hol[] = {day_number(2026, 3, 6)};
	struct week w = {0};
	struct rw_calendar *cal;

	add(&w, EVERY_DAY, 0, 0, 24, 0);
	cal = make_cal("Europe/Warsaw", &w, hol, 1);
	cr_assert(rw_calendar_is_open(cal, rwt_utc_ms(2026, 3, 5, 23, 0) - 1));
	cr_assert_not(rw_calendar_is_open(cal, rwt_utc_ms(2026, 3, 5, 23, 0)));
	cr_assert_not(rw_calendar_is_open(cal, rwt_utc_ms(2026, 3, 6, 23, 0) - 1));
	cr_assert(rw_calendar_is_open(cal, rwt_utc_ms(2026, 3, 6, 23, 0)));
	expect_ms(rw_calendar_business_ms(cal, rwt_utc_ms(2026, 3, 5, 0, 0),
					  rwt_utc_ms(2026, 3, 8, 0, 0)),
		  48 * HOUR_MS);
	expect_ms(rw_calendar_deadline_ms(cal, rwt_utc_ms(2026, 3, 5, 22, 0), 2 * HOUR_MS),
		  rwt_utc_ms(2026, 3, 7, 0, 0));
	rw_calendar_free(cal);
}

Test(calendar_closures, open_only_saturdays)
{
	struct week w = {0};
	struct rw_calendar *cal;

	add(&w, SAT, 10, 0, 14, 0);
	cal = make_cal("UTC", &w, NULL, 0);
	/* From Monday 2026-03-02: 4 h on 03-07, 4 h on 03-14, 2 h on 03-21. */
	expect_ms(rw_calendar_deadline_ms(cal, rwt_utc_ms(2026, 3, 2, 0, 0), 10 * HOUR_MS),
		  rwt_utc_ms(2026, 3, 21, 12, 0));
	expect_ms(rw_calendar_business_ms(cal, rwt_utc_ms(2026, 3, 2, 0, 0),
					  rwt_utc_ms(2026, 3, 21, 12, 0)),
		  10 * HOUR_MS);
	/* A year of Saturdays: 52 of them from 2026-03-02 to 2027-03-01. */
	expect_ms(rw_calendar_business_ms(cal, rwt_utc_ms(2026, 3, 2, 0, 0),
					  rwt_utc_ms(2027, 3, 1, 0, 0)),
		  52 * 4 * HOUR_MS);
	/* 208 h is the 52nd Saturday's close: 2027-02-27 14:00. */
	expect_ms(rw_calendar_deadline_ms(cal, rwt_utc_ms(2026, 3, 2, 0, 0), 208 * HOUR_MS),
		  rwt_utc_ms(2027, 2, 27, 14, 0));
	rw_calendar_free(cal);
}

Test(calendar_closures, hundred_consecutive_holidays)
{
	int32_t hol[100];
	struct rw_calendar *cal;

	/* 2026-03-02 (Monday) to 2026-06-09 (Tuesday), 100 days. */
	for (int i = 0; i < 100; i++)
		hol[i] = day_number(2026, 3, 2) + i;
	cal = office("UTC", hol, 100);
	/* The first opening is Wednesday 2026-06-10 09:00. */
	expect_ms(rw_calendar_deadline_ms(cal, rwt_utc_ms(2026, 3, 2, 0, 0), HOUR_MS),
		  rwt_utc_ms(2026, 6, 10, 10, 0));
	expect_ms(rw_calendar_deadline_ms(cal, rwt_utc_ms(2026, 2, 27, 16, 0), 2 * HOUR_MS),
		  rwt_utc_ms(2026, 6, 10, 10, 0));
	expect_ms(rw_calendar_business_ms(cal, rwt_utc_ms(2026, 3, 2, 0, 0),
					  rwt_utc_ms(2026, 6, 10, 0, 0)),
		  0);
	cr_assert_not(rw_calendar_is_open(cal, rwt_utc_ms(2026, 4, 15, 10, 0)));
	rw_calendar_free(cal);
}

Test(calendar_closures, nothing_within_a_hundred_years)
{
	int32_t *hol = calloc(5400, sizeof(*hol));
	struct week w = {0};
	struct rw_calendar *cal;

	/* Open Sundays only, and every Sunday from 2026-03-01 on a holiday for
	 * 5400 weeks (103 years). */
	cr_assert_not_null(hol);
	for (int i = 0; i < 5400; i++)
		hol[i] = day_number(2026, 3, 1) + 7 * i;
	add(&w, SUN, 10, 0, 11, 0);
	cal = make_cal("UTC", &w, hol, 5400);
	free(hol);
	expect_ms(rw_calendar_deadline_ms(cal, rwt_utc_ms(2026, 3, 2, 0, 0), 1), INT64_MAX);
	/* Before the first holiday there is still a Sunday. */
	expect_ms(rw_calendar_deadline_ms(cal, rwt_utc_ms(2026, 2, 20, 0, 0), HOUR_MS),
		  rwt_utc_ms(2026, 2, 22, 11, 0));
	rw_calendar_free(cal);
}

Test(calendar_closures, never_open_and_too_much)
{
	struct week w = {0};
	struct rw_calendar *cal = make_cal("Europe/Warsaw", &w, NULL, 0);

	expect_ms(rw_calendar_deadline_ms(cal, rwt_utc_ms(2026, 3, 2, 0, 0), 1), INT64_MAX);
	expect_ms(rw_calendar_business_ms(cal, rwt_utc_ms(2026, 1, 1, 0, 0),
					  rwt_utc_ms(2027, 1, 1, 0, 0)),
		  0);
	cr_assert_not(rw_calendar_is_open(cal, rwt_utc_ms(2026, 3, 2, 12, 0)));
	rw_calendar_free(cal);
	/* More business time than 100 years hold, even open around the clock. */
	add(&w, EVERY_DAY, 0, 0, 24, 0);
	cal = make_cal("UTC", &w, NULL, 0);
	expect_ms(rw_calendar_deadline_ms(cal, rwt_utc_ms(2026, 3, 2, 0, 0), 36526 * DAY_MS),
		  INT64_MAX);
	expect_ms(rw_calendar_deadline_ms(cal, rwt_utc_ms(2026, 3, 2, 0, 0), INT64_MAX), INT64_MAX);
	expect_ms(rw_calendar_deadline_ms(cal, rwt_utc_ms(2026, 3, 2, 0, 0), 36500 * DAY_MS),
		  rwt_utc_ms(2026, 3, 2, 0, 0) + 36500 * DAY_MS);
	rw_calendar_free(cal);
}

/* ---- DST in Europe/Warsaw: 2026-03-29 02:00 CET -> 03:00 CEST (01:00Z), and
 * 2026-10-25 03:00 CEST -> 02:00 CET (01:00Z). ---- */

Test(calendar_dst, warsaw_full_days)
{
	struct week w = {0};
	struct rw_calendar *cal;

	add(&w, SUN, 0, 0, 24, 0);
	cal = make_cal("Europe/Warsaw", &w, NULL, 0);
	/* Sunday 03-29: 00:00 CET = 03-28 23:00Z to 24:00 CEST = 03-29 22:00Z: 23 h. */
	expect_ms(rw_calendar_business_ms(cal, rwt_utc_ms(2026, 3, 28, 0, 0),
					  rwt_utc_ms(2026, 3, 31, 0, 0)),
		  23 * HOUR_MS);
	expect_ms(rw_calendar_deadline_ms(cal, rwt_utc_ms(2026, 3, 28, 0, 0), 23 * HOUR_MS),
		  rwt_utc_ms(2026, 3, 29, 22, 0));
	expect_ms(rw_calendar_deadline_ms(cal, rwt_utc_ms(2026, 3, 28, 0, 0), HOUR_MS),
		  rwt_utc_ms(2026, 3, 29, 0, 0));
	/* 01:30 CET (00:30Z) + 1 h crosses the gap: 03:30 CEST = 01:30Z. */
	expect_ms(rw_calendar_deadline_ms(cal, rwt_utc_ms(2026, 3, 29, 0, 30), HOUR_MS),
		  rwt_utc_ms(2026, 3, 29, 1, 30));
	cr_assert_not(rw_calendar_is_open(cal, rwt_utc_ms(2026, 3, 28, 23, 0) - 1));
	cr_assert(rw_calendar_is_open(cal, rwt_utc_ms(2026, 3, 28, 23, 0)));
	cr_assert(rw_calendar_is_open(cal, rwt_utc_ms(2026, 3, 29, 22, 0) - 1));
	cr_assert_not(rw_calendar_is_open(cal, rwt_utc_ms(2026, 3, 29, 22, 0)));
	/* Sunday 10-25: 00:00 CEST = 10-24 22:00Z to 24:00 CET = 10-25 23:00Z: 25 h. */
	expect_ms(rw_calendar_business_ms(cal, rwt_utc_ms(2026, 10, 24, 0, 0),
					  rwt_utc_ms(2026, 10, 27, 0, 0)),
		  25 * HOUR_MS);
	expect_ms(rw_calendar_deadline_ms(cal, rwt_utc_ms(2026, 10, 24, 0, 0), 25 * HOUR_MS),
		  rwt_utc_ms(2026, 10, 25, 23, 0));
	/* An ordinary Sunday, 03-22: 23:00Z to 23:00Z, 24 h. */
	expect_ms(rw_calendar_business_ms(cal, rwt_utc_ms(2026, 3, 21, 0, 0),
					  rwt_utc_ms(2026, 3, 24, 0, 0)),
		  24 * HOUR_MS);
	rw_calendar_free(cal);
}

Test(calendar_dst, warsaw_one_to_four)
{
	struct week w = {0};
	struct rw_calendar *cal;

	add(&w, SUN, 1, 0, 4, 0);
	cal = make_cal("Europe/Warsaw", &w, NULL, 0);
	/* 03-29: 01:00 CET = 00:00Z to 04:00 CEST = 02:00Z: 2 h. */
	expect_ms(rw_calendar_business_ms(cal, rwt_utc_ms(2026, 3, 28, 0, 0),
					  rwt_utc_ms(2026, 3, 30, 0, 0)),
		  2 * HOUR_MS);
	expect_ms(rw_calendar_deadline_ms(cal, rwt_utc_ms(2026, 3, 28, 0, 0), 2 * HOUR_MS),
		  rwt_utc_ms(2026, 3, 29, 2, 0));
	/* 10-25: 01:00 CEST = 10-24 23:00Z to 04:00 CET = 03:00Z: 4 h. */
	expect_ms(rw_calendar_business_ms(cal, rwt_utc_ms(2026, 10, 24, 0, 0),
					  rwt_utc_ms(2026, 10, 26, 0, 0)),
		  4 * HOUR_MS);
	expect_ms(rw_calendar_deadline_ms(cal, rwt_utc_ms(2026, 10, 24, 0, 0), 4 * HOUR_MS),
		  rwt_utc_ms(2026, 10, 25, 3, 0));
	expect_ms(rw_calendar_deadline_ms(cal, rwt_utc_ms(2026, 10, 24, 0, 0), 1),
		  rwt_utc_ms(2026, 10, 24, 23, 0) + 1);
	/* 03-22: 01:00 CET = 00:00Z to 04:00 CET = 03:00Z: 3 h. */
	expect_ms(rw_calendar_business_ms(cal, rwt_utc_ms(2026, 3, 21, 0, 0),
					  rwt_utc_ms(2026, 3, 23, 0, 0)),
		  3 * HOUR_MS);
	rw_calendar_free(cal);
}

Test(calendar_dst, warsaw_gap_and_ambiguous_edges)
{
	struct week w = {0};
	struct rw_calendar *cal;

	/* Sunday 00:00-02:30 and 02:30-05:00 meet at an edge that falls in the
	 * gap in March and in the repeated hour in October. */
	add(&w, SUN, 0, 0, 2, 30);
	add(&w, SUN, 2, 30, 5, 0);
	cal = make_cal("Europe/Warsaw", &w, NULL, 0);
	/* 03-29: 00:00 CET = 03-28 23:00Z; 02:30 is in the gap and maps to
	 * 03:00 CEST = 01:00Z; 05:00 CEST = 03:00Z. One opening of 4 h. */
	expect_ms(rw_calendar_business_ms(cal, rwt_utc_ms(2026, 3, 28, 0, 0),
					  rwt_utc_ms(2026, 3, 30, 0, 0)),
		  4 * HOUR_MS);
	expect_ms(rw_calendar_deadline_ms(cal, rwt_utc_ms(2026, 3, 28, 0, 0), 4 * HOUR_MS),
		  rwt_utc_ms(2026, 3, 29, 3, 0));
	expect_ms(rw_calendar_deadline_ms(cal, rwt_utc_ms(2026, 3, 28, 0, 0), 2 * HOUR_MS),
		  rwt_utc_ms(2026, 3, 29, 1, 0));
	cr_assert(rw_calendar_is_open(cal, rwt_utc_ms(2026, 3, 29, 1, 0)));
	/* 10-25: 00:00 CEST = 10-24 22:00Z; 02:30 is ambiguous and takes its
	 * first occurrence, 02:30 CEST = 00:30Z; 05:00 CET = 04:00Z: 6 h. */
	expect_ms(rw_calendar_business_ms(cal, rwt_utc_ms(2026, 10, 24, 0, 0),
					  rwt_utc_ms(2026, 10, 26, 0, 0)),
		  6 * HOUR_MS);
	expect_ms(rw_calendar_deadline_ms(cal, rwt_utc_ms(2026, 10, 24, 0, 0), 6 * HOUR_MS),
		  rwt_utc_ms(2026, 10, 25, 4, 0));
	expect_ms(rw_calendar_deadline_ms(cal, rwt_utc_ms(2026, 10, 24, 0, 0), 150 * MIN_MS),
		  rwt_utc_ms(2026, 10, 25, 0, 30));
	rw_calendar_free(cal);
}

Test(calendar_dst, warsaw_edges_alone)
{
	struct week starts = {0}, ends = {0};
	struct rw_calendar *cal;

	/* An interval starting at 02:30 on its own. 03-29: in the gap, so it
	 * opens at 03:00 CEST = 01:00Z, to 05:00 CEST = 03:00Z. 10-25: the
	 * first 02:30, CEST = 00:30Z, to 05:00 CET = 04:00Z. */
	add(&starts, SUN, 2, 30, 5, 0);
	cal = make_cal("Europe/Warsaw", &starts, NULL, 0);
	expect_ms(rw_calendar_deadline_ms(cal, rwt_utc_ms(2026, 3, 28, 0, 0), 1),
		  rwt_utc_ms(2026, 3, 29, 1, 0) + 1);
	expect_ms(rw_calendar_business_ms(cal, rwt_utc_ms(2026, 3, 28, 0, 0),
					  rwt_utc_ms(2026, 3, 30, 0, 0)),
		  2 * HOUR_MS);
	expect_ms(rw_calendar_deadline_ms(cal, rwt_utc_ms(2026, 10, 24, 0, 0), 1),
		  rwt_utc_ms(2026, 10, 25, 0, 30) + 1);
	expect_ms(rw_calendar_business_ms(cal, rwt_utc_ms(2026, 10, 24, 0, 0),
					  rwt_utc_ms(2026, 10, 26, 0, 0)),
		  210 * MIN_MS);
	rw_calendar_free(cal);

	/* An interval ending at 02:30 on its own. 03-29: 00:00 CET = 03-28
	 * 23:00Z to the end of the gap, 01:00Z. 10-25: 00:00 CEST = 10-24
	 * 22:00Z to the first 02:30, 00:30Z. */
	add(&ends, SUN, 0, 0, 2, 30);
	cal = make_cal("Europe/Warsaw", &ends, NULL, 0);
	expect_ms(rw_calendar_deadline_ms(cal, rwt_utc_ms(2026, 3, 28, 0, 0), 2 * HOUR_MS),
		  rwt_utc_ms(2026, 3, 29, 1, 0));
	expect_ms(rw_calendar_business_ms(cal, rwt_utc_ms(2026, 3, 28, 0, 0),
					  rwt_utc_ms(2026, 3, 30, 0, 0)),
		  2 * HOUR_MS);
	expect_ms(rw_calendar_deadline_ms(cal, rwt_utc_ms(2026, 10, 24, 0, 0), 150 * MIN_MS),
		  rwt_utc_ms(2026, 10, 25, 0, 30));
	cr_assert_not(rw_calendar_is_open(cal, rwt_utc_ms(2026, 10, 25, 0, 30)));
	rw_calendar_free(cal);
}

Test(calendar_dst, warsaw_interval_inside_gap_and_repeat)
{
	struct week w = {0};
	struct rw_calendar *cal;

	add(&w, SUN, 2, 0, 2, 30);
	add(&w, SUN, 2, 45, 3, 0);
	cal = make_cal("Europe/Warsaw", &w, NULL, 0);
	/* 03-29: both intervals lie in the gap and map to 01:00Z-01:00Z: nothing. */
	expect_ms(rw_calendar_business_ms(cal, rwt_utc_ms(2026, 3, 28, 0, 0),
					  rwt_utc_ms(2026, 3, 30, 0, 0)),
		  0);
	expect_ms(rw_calendar_deadline_ms(cal, rwt_utc_ms(2026, 3, 28, 0, 0), MIN_MS),
		  rwt_utc_ms(2026, 4, 5, 0, 1)); /* next Sunday 02:00 CEST = 00:00Z */
	/* 10-25: 02:00 and 02:30 first occurrences, 00:00Z-00:30Z; 02:45 first
	 * occurrence is 00:45Z, and 03:00 exists once, 03:00 CET = 02:00Z. */
	expect_ms(rw_calendar_business_ms(cal, rwt_utc_ms(2026, 10, 24, 0, 0),
					  rwt_utc_ms(2026, 10, 26, 0, 0)),
		  30 * MIN_MS + 75 * MIN_MS);
	expect_ms(rw_calendar_deadline_ms(cal, rwt_utc_ms(2026, 10, 24, 0, 0), 31 * MIN_MS),
		  rwt_utc_ms(2026, 10, 25, 0, 46));
	rw_calendar_free(cal);
}

Test(calendar_dst, warsaw_weekend_across_the_change)
{
	struct week w = {0};
	struct rw_calendar *cal;

	add(&w, SAT | SUN, 0, 0, 24, 0);
	cal = make_cal("Europe/Warsaw", &w, NULL, 0);
	/* Saturday 03-28 00:00 CET = 03-27 23:00Z to Monday 00:00 CEST =
	 * 03-29 22:00Z: 24 + 23 = 47 h, as one opening. */
	expect_ms(rw_calendar_business_ms(cal, rwt_utc_ms(2026, 3, 27, 0, 0),
					  rwt_utc_ms(2026, 3, 31, 0, 0)),
		  47 * HOUR_MS);
	expect_ms(rw_calendar_deadline_ms(cal, rwt_utc_ms(2026, 3, 27, 0, 0), 47 * HOUR_MS),
		  rwt_utc_ms(2026, 3, 29, 22, 0));
	/* October: 10-23 22:00Z to 10-25 23:00Z, 49 h. */
	expect_ms(rw_calendar_business_ms(cal, rwt_utc_ms(2026, 10, 23, 0, 0),
					  rwt_utc_ms(2026, 10, 27, 0, 0)),
		  49 * HOUR_MS);
	rw_calendar_free(cal);
}

/* America/New_York: 2026-03-08 02:00 EST -> 03:00 EDT (07:00Z), 2026-11-01
 * 02:00 EDT -> 01:00 EST (06:00Z). */
Test(calendar_dst, new_york)
{
	struct week full = {0}, early = {0};
	struct rw_calendar *cal;

	add(&full, SUN, 0, 0, 24, 0);
	cal = make_cal("America/New_York", &full, NULL, 0);
	/* 03-08: 00:00 EST = 05:00Z to 24:00 EDT = 03-09 04:00Z: 23 h. */
	expect_ms(rw_calendar_business_ms(cal, rwt_utc_ms(2026, 3, 7, 0, 0),
					  rwt_utc_ms(2026, 3, 10, 0, 0)),
		  23 * HOUR_MS);
	expect_ms(rw_calendar_deadline_ms(cal, rwt_utc_ms(2026, 3, 7, 0, 0), 23 * HOUR_MS),
		  rwt_utc_ms(2026, 3, 9, 4, 0));
	/* 11-01: 00:00 EDT = 04:00Z to 24:00 EST = 11-02 05:00Z: 25 h. */
	expect_ms(rw_calendar_business_ms(cal, rwt_utc_ms(2026, 10, 31, 0, 0),
					  rwt_utc_ms(2026, 11, 3, 0, 0)),
		  25 * HOUR_MS);
	expect_ms(rw_calendar_deadline_ms(cal, rwt_utc_ms(2026, 10, 31, 0, 0), 25 * HOUR_MS),
		  rwt_utc_ms(2026, 11, 2, 5, 0));
	rw_calendar_free(cal);

	add(&early, SUN, 1, 0, 4, 0);
	cal = make_cal("America/New_York", &early, NULL, 0);
	/* 03-08: 01:00 EST = 06:00Z to 04:00 EDT = 08:00Z: 2 h. */
	expect_ms(rw_calendar_business_ms(cal, rwt_utc_ms(2026, 3, 7, 0, 0),
					  rwt_utc_ms(2026, 3, 10, 0, 0)),
		  2 * HOUR_MS);
	expect_ms(rw_calendar_deadline_ms(cal, rwt_utc_ms(2026, 3, 7, 0, 0), 2 * HOUR_MS),
		  rwt_utc_ms(2026, 3, 8, 8, 0));
	/* 11-01: 01:00 is ambiguous; first occurrence 01:00 EDT = 05:00Z, to
	 * 04:00 EST = 09:00Z: 4 h. */
	expect_ms(rw_calendar_business_ms(cal, rwt_utc_ms(2026, 10, 31, 0, 0),
					  rwt_utc_ms(2026, 11, 3, 0, 0)),
		  4 * HOUR_MS);
	expect_ms(rw_calendar_deadline_ms(cal, rwt_utc_ms(2026, 10, 31, 0, 0), 1),
		  rwt_utc_ms(2026, 11, 1, 5, 0) + 1);
	cr_assert_not(rw_calendar_is_open(cal, rwt_utc_ms(2026, 11, 1, 5, 0) - 1));
	cr_assert(rw_calendar_is_open(cal, rwt_utc_ms(2026, 11, 1, 5, 0)));
	rw_calendar_free(cal);
}

/* Europe/Moscow moved its standard time back on 2014-10-26, 02:00 MSK+4 ->
 * 01:00 MSK+3 (22:00Z), with tm_isdst 0 on both sides: 01:00-02:00 repeats
 * without a DST flag to tell the two apart. */
Test(calendar_dst, moscow_standard_time_change)
{
	struct week w = {0};
	struct rw_calendar *cal;

	add(&w, SUN, 1, 30, 3, 0);
	cal = make_cal("Europe/Moscow", &w, NULL, 0);
	/* First 01:30 is +4: 10-25 21:30Z; 03:00 is +3: 10-26 00:00Z. 2.5 h. */
	expect_ms(rw_calendar_business_ms(cal, rwt_utc_ms(2014, 10, 25, 0, 0),
					  rwt_utc_ms(2014, 10, 27, 0, 0)),
		  150 * MIN_MS);
	expect_ms(rw_calendar_deadline_ms(cal, rwt_utc_ms(2014, 10, 25, 0, 0), 1),
		  rwt_utc_ms(2014, 10, 25, 21, 30) + 1);
	/* A week later both are +3: 22:30Z to 00:00Z, 1.5 h. */
	expect_ms(rw_calendar_business_ms(cal, rwt_utc_ms(2014, 11, 1, 0, 0),
					  rwt_utc_ms(2014, 11, 3, 0, 0)),
		  90 * MIN_MS);
	rw_calendar_free(cal);
}

Test(calendar_dst, always_open_is_wall_time)
{
	struct week w = {0};
	struct rw_calendar *cal;
	int64_t from = rwt_utc_ms(2026, 1, 1, 0, 0), to = rwt_utc_ms(2027, 1, 1, 0, 0);

	add(&w, EVERY_DAY, 0, 0, 24, 0);
	cal = make_cal("Europe/Warsaw", &w, NULL, 0);
	expect_ms(rw_calendar_business_ms(cal, from, to), to - from);
	/* Across both changes, hour by hour. */
	for (int64_t s = rwt_utc_ms(2026, 3, 28, 0, 0); s < rwt_utc_ms(2026, 3, 31, 0, 0);
	     s += 17 * MIN_MS)
		expect_ms(rw_calendar_deadline_ms(cal, s, 5 * HOUR_MS), s + 5 * HOUR_MS);
	for (int64_t s = rwt_utc_ms(2026, 10, 24, 0, 0); s < rwt_utc_ms(2026, 10, 27, 0, 0);
	     s += 17 * MIN_MS)
		expect_ms(rw_calendar_deadline_ms(cal, s, 5 * HOUR_MS), s + 5 * HOUR_MS);
	rw_calendar_free(cal);
}

/* ---- business_ms and deadline_ms are inverses. ---- */

/* xorshift64*: a fixed, portable sequence. */
static uint64_t
next_random(uint64_t *state)
{
	uint64_t x = *state;

	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	*state = x;
	return x * 0x2545F4914F6CDD1DULL;
}

/*
 * For random starts in 2025-2027 (every DST change of three years) and
 * random amounts up to 30 days, deadline_ms is reached exactly and is the
 * earliest such instant; and for random spans the business time read back
 * through deadline_ms fits inside the span.
 */
static void
check_inverse(struct rw_calendar *cal, uint64_t seed, int rounds)
{
	int64_t lo = rwt_utc_ms(2025, 1, 1, 0, 0), width = rwt_utc_ms(2028, 1, 1, 0, 0) - lo;
	uint64_t st = seed;

	for (int i = 0; i < rounds; i++) {
		int64_t s = lo + (int64_t)(next_random(&st) % (uint64_t)width);
		int64_t a = (int64_t)(next_random(&st) % (uint64_t)(30 * DAY_MS));
		int64_t d, t, b;

		if (i % 2 == 0)
			s -= s % (15 * MIN_MS); /* on quarter hours, often an edge */
		if (i % 3 == 0)
			a -= a % MIN_MS;
		if (i % 7 == 0)
			a %= 2 * HOUR_MS;
		d = rw_calendar_deadline_ms(cal, s, a);
		cr_assert_neq(d, INT64_MAX);
		cr_assert_geq(d, s);
		expect_ms(rw_calendar_business_ms(cal, s, d), a);
		if (a > 0) {
			expect_ms(rw_calendar_business_ms(cal, s, d - 1), a - 1);
			cr_assert(rw_calendar_is_open(cal, d - 1));
		}
		t = s + (int64_t)(next_random(&st) % (uint64_t)(20 * DAY_MS));
		b = rw_calendar_business_ms(cal, s, t);
		d = rw_calendar_deadline_ms(cal, s, b);
		cr_assert_leq(d, t);
		expect_ms(rw_calendar_business_ms(cal, s, d), b);
		expect_ms(rw_calendar_business_ms(cal, s, d) + rw_calendar_business_ms(cal, d, t),
			  b);
	}
}

Test(calendar_property, warsaw_split_weekend_and_holidays)
{
	int32_t hol[] = {day_number(2025, 12, 25), day_number(2026, 1, 1), day_number(2026, 3, 29),
			 day_number(2026, 4, 6), day_number(2026, 11, 11)};
	struct week w = {0};
	struct rw_calendar *cal;

	add(&w, WEEKDAYS, 8, 0, 12, 0);
	add(&w, WEEKDAYS, 13, 0, 17, 30);
	add(&w, SAT, 0, 0, 24, 0);
	add(&w, SUN, 0, 0, 2, 30);
	add(&w, SUN, 2, 30, 5, 0);
	add(&w, SUN, 22, 0, 24, 0);
	cal = make_cal("Europe/Warsaw", &w, hol, sizeof(hol) / sizeof(hol[0]));
	check_inverse(cal, 0x5eed0001ULL, 3000);
	rw_calendar_free(cal);
}

Test(calendar_property, new_york_office_and_early_sunday)
{
	struct week w = {0};
	struct rw_calendar *cal;

	add(&w, WEEKDAYS, 9, 0, 17, 0);
	add(&w, SUN, 1, 0, 4, 0);
	cal = make_cal("America/New_York", &w, NULL, 0);
	check_inverse(cal, 0x5eed0002ULL, 3000);
	rw_calendar_free(cal);
}

Test(calendar_property, utc_saturdays)
{
	struct week w = {0};
	struct rw_calendar *cal;

	add(&w, SAT, 10, 0, 14, 0);
	cal = make_cal("UTC", &w, NULL, 0);
	check_inverse(cal, 0x5eed0003ULL, 3000);
	rw_calendar_free(cal);
}

/* ---- Far dates and the cache growing both ways. ---- */

/* How many days of [d0, d1) fall on a weekday in mask. */
static int64_t
count_days(int32_t d0, int32_t d1, unsigned mask)
{
	int64_t n = 0;

	for (int32_t d = d0; d < d1; d++) {
		int wday = (int)(((d + 4) % 7 + 7) % 7); /* 1970-01-01 was a Thursday */

		n += (mask & (1u << wday)) != 0;
	}
	return n;
}

Test(calendar_far, past_and_future_in_any_order)
{
	int32_t hol[] = {day_number(1990, 1, 3), day_number(2090, 1, 4)};
	struct rw_calendar *cal = office("UTC", hol, 2);

	/* Now, then 2090 (Monday 2090-01-02), then 1990 (Monday 1990-01-01),
	 * then now again. */
	expect_ms(rw_calendar_deadline_ms(cal, rwt_utc_ms(2026, 3, 6, 16, 0), 2 * HOUR_MS),
		  rwt_utc_ms(2026, 3, 9, 10, 0));
	/* Tuesday 2090-01-03 16:00 + 2 h, Wednesday a holiday: Thursday 10:00. */
	expect_ms(rw_calendar_deadline_ms(cal, rwt_utc_ms(2090, 1, 3, 16, 0), 2 * HOUR_MS),
		  rwt_utc_ms(2090, 1, 5, 10, 0));
	/* Tuesday 1990-01-02 16:00 + 2 h, Wednesday a holiday: Thursday 10:00. */
	expect_ms(rw_calendar_deadline_ms(cal, rwt_utc_ms(1990, 1, 2, 16, 0), 2 * HOUR_MS),
		  rwt_utc_ms(1990, 1, 4, 10, 0));
	expect_ms(rw_calendar_deadline_ms(cal, rwt_utc_ms(1990, 1, 5, 16, 0), 2 * HOUR_MS),
		  rwt_utc_ms(1990, 1, 8, 10, 0));
	expect_ms(rw_calendar_deadline_ms(cal, rwt_utc_ms(2026, 3, 2, 9, 0), 8 * HOUR_MS),
		  rwt_utc_ms(2026, 3, 2, 17, 0));
	/* One query across the century: every weekday but the two holidays. */
	expect_ms(rw_calendar_business_ms(cal, rwt_utc_ms(1990, 1, 1, 0, 0),
					  rwt_utc_ms(2090, 1, 9, 0, 0)),
		  (count_days(day_number(1990, 1, 1), day_number(2090, 1, 9), WEEKDAYS) - 2) * 8 *
			  HOUR_MS);
	cr_assert(rw_calendar_is_open(cal, rwt_utc_ms(2090, 1, 2, 12, 0)));
	cr_assert_not(rw_calendar_is_open(cal, rwt_utc_ms(1990, 1, 3, 12, 0)));
	rw_calendar_free(cal);
}

Test(calendar_far, warsaw_dst_in_1990_and_2090)
{
	struct week w = {0};
	struct rw_calendar *cal;
	int64_t sundays;

	add(&w, SUN, 0, 0, 24, 0);
	cal = make_cal("Europe/Warsaw", &w, NULL, 0);
	/* 2090-03-26: 03-25 23:00Z to 03-26 22:00Z, 23 h; 2090-10-29:
	 * 10-28 22:00Z to 10-29 23:00Z, 25 h. */
	expect_ms(rw_calendar_business_ms(cal, rwt_utc_ms(2090, 3, 25, 0, 0),
					  rwt_utc_ms(2090, 3, 28, 0, 0)),
		  23 * HOUR_MS);
	expect_ms(rw_calendar_business_ms(cal, rwt_utc_ms(2090, 10, 28, 0, 0),
					  rwt_utc_ms(2090, 10, 31, 0, 0)),
		  25 * HOUR_MS);
	/* 1990 ended summer time on the last Sunday of September: 1990-09-30,
	 * 09-29 22:00Z to 09-30 23:00Z, 25 h; 1990-03-25 is 23 h. */
	expect_ms(rw_calendar_business_ms(cal, rwt_utc_ms(1990, 9, 29, 0, 0),
					  rwt_utc_ms(1990, 10, 2, 0, 0)),
		  25 * HOUR_MS);
	expect_ms(rw_calendar_business_ms(cal, rwt_utc_ms(1990, 3, 24, 0, 0),
					  rwt_utc_ms(1990, 3, 27, 0, 0)),
		  23 * HOUR_MS);
	expect_ms(rw_calendar_deadline_ms(cal, rwt_utc_ms(1990, 9, 29, 0, 0), 25 * HOUR_MS),
		  rwt_utc_ms(1990, 9, 30, 23, 0));
	/* From local midnight 1990-01-01 (1989-12-31 23:00Z) to local midnight
	 * 2090-01-01 (2089-12-31 23:00Z): each year's 23 h and 25 h Sundays
	 * cancel out, so every Sunday counts 24 h. */
	sundays = count_days(day_number(1990, 1, 1), day_number(2090, 1, 1), SUN);
	expect_ms(rw_calendar_business_ms(cal, rwt_utc_ms(1989, 12, 31, 23, 0),
					  rwt_utc_ms(2089, 12, 31, 23, 0)),
		  sundays * 24 * HOUR_MS);
	rw_calendar_free(cal);
}

/* Walks each day of a span, first backwards then forwards, across many
 * chunks of the cache, against a plain count. */
Test(calendar_far, day_by_day_across_chunks)
{
	struct rw_calendar *cal = office("UTC", NULL, 0);
	int32_t first = day_number(2025, 6, 1), last = day_number(2026, 6, 1);

	for (int pass = 0; pass < 2; pass++) {
		for (int32_t i = 0; i < last - first; i++) {
			int32_t d = pass == 0 ? last - 1 - i : first + i;
			int64_t midnight = (int64_t)d * DAY_MS;
			int open = count_days(d, d + 1, WEEKDAYS) == 1;

			expect_ms(rw_calendar_business_ms(cal, midnight, midnight + DAY_MS),
				  open ? 8 * HOUR_MS : 0);
			if (open)
				expect_ms(rw_calendar_deadline_ms(cal, midnight, 8 * HOUR_MS),
					  midnight + 17 * HOUR_MS);
			cr_assert_eq(rw_calendar_is_open(cal, midnight + 12 * HOUR_MS), open);
		}
	}
	rw_calendar_free(cal);
}

/* Openings that run for days cross the seams between chunks, growing
 * backwards and forwards; their business time must stay continuous. Each
 * anchor starts the cache on a different day, so the seams fall at
 * different places in the week. */
Test(calendar_far, long_openings_across_chunk_seams)
{
	struct week w = {0};

	add(&w, EVERY_DAY & ~WED, 0, 0, 24, 0);
	for (int i = 0; i < 10; i++) {
		struct rw_calendar *cal = make_cal("UTC", &w, NULL, 0);
		int32_t anchor = day_number(2026, 3, 2) + i;
		int32_t d0 = anchor - 300, d1 = anchor + 300;

		cr_assert_eq(rw_calendar_is_open(cal, (int64_t)anchor * DAY_MS + HOUR_MS),
			     count_days(anchor, anchor + 1, WED) == 0);
		expect_ms(rw_calendar_business_ms(cal, (int64_t)d0 * DAY_MS, (int64_t)d1 * DAY_MS),
			  count_days(d0, d1, EVERY_DAY & ~WED) * DAY_MS);
		expect_ms(rw_calendar_business_ms(cal, (int64_t)d0 * DAY_MS + HOUR_MS,
						  (int64_t)anchor * DAY_MS),
			  count_days(d0, anchor, EVERY_DAY & ~WED) * DAY_MS -
				  count_days(d0, d0 + 1, EVERY_DAY & ~WED) * HOUR_MS);
		rw_calendar_free(cal);
	}
}

Test(calendar_far, outside_the_supported_range)
{
	struct week w = {0};
	struct rw_calendar *cal;

	add(&w, EVERY_DAY, 0, 0, 24, 0);
	cal = make_cal("UTC", &w, NULL, 0);
	/* Before 1900 and from 2400 on, everything counts as closed. */
	expect_ms(rw_calendar_business_ms(cal, rwt_utc_ms(1899, 12, 31, 0, 0),
					  rwt_utc_ms(1900, 1, 2, 0, 0)),
		  DAY_MS);
	expect_ms(rw_calendar_business_ms(cal, rwt_utc_ms(2399, 12, 31, 0, 0),
					  rwt_utc_ms(2400, 1, 2, 0, 0)),
		  DAY_MS);
	expect_ms(rw_calendar_deadline_ms(cal, rwt_utc_ms(1899, 12, 31, 0, 0), HOUR_MS),
		  rwt_utc_ms(1900, 1, 1, 1, 0));
	expect_ms(rw_calendar_deadline_ms(cal, rwt_utc_ms(2399, 12, 31, 12, 0), DAY_MS), INT64_MAX);
	expect_ms(rw_calendar_deadline_ms(cal, INT64_MAX - 5, HOUR_MS), INT64_MAX);
	cr_assert_not(rw_calendar_is_open(cal, INT64_MIN));
	cr_assert_not(rw_calendar_is_open(cal, rwt_utc_ms(2400, 1, 1, 12, 0)));
	cr_assert(rw_calendar_is_open(cal, rwt_utc_ms(2399, 12, 31, 23, 59)));
	expect_ms(rw_calendar_business_ms(cal, INT64_MIN, INT64_MIN + 1), 0);
	rw_calendar_free(cal);
}

/* ---- The process's own zone. ---- */

static void
query_everywhere(struct rw_calendar *cal)
{
	expect_ms(rw_calendar_business_ms(cal, rwt_utc_ms(2026, 3, 28, 0, 0),
					  rwt_utc_ms(2026, 3, 30, 0, 0)),
		  23 * HOUR_MS);
	expect_ms(rw_calendar_business_ms(cal, rwt_utc_ms(2090, 3, 25, 0, 0),
					  rwt_utc_ms(2090, 3, 28, 0, 0)),
		  23 * HOUR_MS);
	expect_ms(rw_calendar_business_ms(cal, rwt_utc_ms(1990, 9, 29, 0, 0),
					  rwt_utc_ms(1990, 10, 2, 0, 0)),
		  25 * HOUR_MS);
	cr_assert(rw_calendar_is_open(cal, rwt_utc_ms(2026, 3, 29, 12, 0)));
	cr_assert_neq(rw_calendar_deadline_ms(cal, rwt_utc_ms(2030, 1, 1, 0, 0), 1000 * HOUR_MS),
		      INT64_MAX);
}

Test(calendar_zone, process_tz_is_left_alone)
{
	struct week w = {0};
	struct rw_calendar *cal;
	time_t t = (time_t)(rwt_utc_ms(2026, 7, 1, 0, 0) / 1000);
	struct tm tm;

	cr_assert_eq(setenv("TZ", "Asia/Tokyo", 1), 0);
	tzset();
	add(&w, SUN, 0, 0, 24, 0);
	cal = make_cal("Europe/Warsaw", &w, NULL, 0);
	query_everywhere(cal);
	cr_assert_str_eq(getenv("TZ"), "Asia/Tokyo");
	/* 2026-07-01 00:00Z is 09:00 JST. */
	cr_assert_not_null(localtime_r(&t, &tm));
	cr_assert_eq(tm.tm_hour, 9);
	cr_assert_eq(tm.tm_gmtoff, 9 * 3600);
	cr_assert_str_eq(tm.tm_zone, "JST");
	rw_calendar_free(cal);

	/* Unset stays unset. */
	cr_assert_eq(unsetenv("TZ"), 0);
	tzset();
	cal = make_cal("Europe/Warsaw", &w, NULL, 0);
	query_everywhere(cal);
	cr_assert_null(getenv("TZ"));
	rw_calendar_free(cal);
}

/* ---- Construction. ---- */

Test(calendar_new, refuses_bad_input)
{
	struct rw_interval bad[] = {{600, 540}}, unsorted[] = {{600, 700}, {500, 650}};
	int32_t hol[] = {20000, 19999};
	struct rw_calendar_config cfg = {0};
	char err[256];

	cfg.name = "care";
	cfg.timezone = "Mars/Olympus_Mons";
	err[0] = '\0';
	cr_assert_null(rw_calendar_new(&cfg, err, sizeof(err)));
	cr_assert_str_eq(err, "calendar care: cannot load the time zone");
	cfg.timezone = "../../etc/passwd";
	cr_assert_null(rw_calendar_new(&cfg, err, sizeof(err)));
	cfg.timezone = NULL;
	cr_assert_null(rw_calendar_new(&cfg, NULL, 0));

	cfg.timezone = "Europe/Warsaw";
	cfg.weekly[1] = bad;
	cfg.nweekly[1] = 1;
	cr_assert_null(rw_calendar_new(&cfg, err, sizeof(err)));
	cfg.weekly[1] = unsorted;
	cfg.nweekly[1] = 2;
	cr_assert_null(rw_calendar_new(&cfg, err, sizeof(err)));
	cfg.nweekly[1] = 0;
	cfg.holidays = hol;
	cfg.nholidays = 2;
	cr_assert_null(rw_calendar_new(&cfg, err, sizeof(err)));
	rw_calendar_free(NULL);
}

Test(calendar_new, copies_its_configuration)
{
	struct rw_interval iv[] = {{540, 1020}};
	int32_t hol[] = {day_number(2026, 3, 2)};
	char name[] = "care", tz[] = "UTC";
	struct rw_calendar_config cfg = {0};
	struct rw_calendar *cal;

	cfg.name = name;
	cfg.timezone = tz;
	cfg.weekly[1] = iv; /* Mondays */
	cfg.nweekly[1] = 1;
	cfg.holidays = hol;
	cfg.nholidays = 1;
	cal = rw_calendar_new(&cfg, NULL, 0);
	cr_assert_not_null(cal);
	/* Scribble over the caller's copy: the calendar must not notice. */
	memset(name, 'x', 4);
	iv[0].start = 0;
	hol[0] = 0;
	cr_assert_str_eq(rw_calendar_name(cal), "care");
	cr_assert_not(rw_calendar_is_open(cal, rwt_utc_ms(2026, 3, 2, 10, 0))); /* the holiday */
	cr_assert_not(rw_calendar_is_open(cal, rwt_utc_ms(2026, 3, 9, 8, 0)));
	cr_assert(rw_calendar_is_open(cal, rwt_utc_ms(2026, 3, 9, 9, 0)));
	rw_calendar_free(cal);
}
