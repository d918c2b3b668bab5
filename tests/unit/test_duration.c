/*
 * test_duration: parsing and formatting "1h30m"-style durations.
 */
#include <criterion/criterion.h>
#include <stdint.h>
#include <string.h>

#include "replywatch/duration.h"

struct valid_case {
	const char *text;
	int64_t seconds;
};

static const struct valid_case valid[] = {
	{"0s", 0},
	{"1s", 1},
	{"90s", 90},
	{"45m", 2700},
	{"1h", 3600},
	{"1h30m", 5400},
	{"7d", 604800},
	{"2d12h", 216000},
	{"1d1h1m1s", 90061},
	{"1d1s", 86401},
	{"05m", 300},
	{"0h5m", 300},
	{"36500d", RW_DURATION_MAX},
};

Test(duration, parses_valid_forms)
{
	for (size_t i = 0; i < sizeof(valid) / sizeof(valid[0]); i++) {
		int64_t secs = -1;

		cr_assert_eq(rw_duration_parse(valid[i].text, &secs), 0, "\"%s\" should parse",
			     valid[i].text);
		cr_assert_eq(secs, valid[i].seconds, "\"%s\" gave %lld", valid[i].text,
			     (long long)secs);
	}
}

/* clang-format off */
static const char *const invalid[] = {
	"",          /* empty */
	"5",         /* no unit */
	"5 minutes", /* words */
	"5 m",       /* space */
	" 5m",       /* leading space */
	"5m ",       /* trailing space */
	"1x",        /* unknown unit */
	"1h1h",      /* repeated unit */
	"30m1h",     /* out of order */
	"1s1m",      /* out of order */
	"-5m",       /* sign */
	"+5m",       /* sign */
	"1.5h",      /* fraction */
	"h",         /* unit without number */
	"1hm",       /* unit without number */
	"1H",        /* capital unit */
	"1w",        /* weeks are not a unit */
	"36500d1s",  /* one past the maximum */
	"36501d",    /* past the maximum */
	"99999999999999999999s", /* overflows int64 */
	"3153600001s",           /* past the maximum in seconds */
};
/* clang-format on */

Test(duration, rejects_invalid_forms)
{
	for (size_t i = 0; i < sizeof(invalid) / sizeof(invalid[0]); i++) {
		int64_t secs = 12345;

		cr_assert_eq(rw_duration_parse(invalid[i], &secs), -1, "\"%s\" should not parse",
			     invalid[i]);
		cr_assert_eq(secs, 12345, "\"%s\" changed the output on failure", invalid[i]);
	}
}

Test(duration, rejects_null)
{
	int64_t secs = 7;

	cr_assert_eq(rw_duration_parse(NULL, &secs), -1);
	cr_assert_eq(secs, 7);
}

Test(duration, max_is_one_hundred_years)
{
	int64_t secs;

	cr_assert_eq(RW_DURATION_MAX, (int64_t)100 * 365 * 86400);
	cr_assert_eq(rw_duration_parse("3153600000s", &secs), 0);
	cr_assert_eq(secs, RW_DURATION_MAX);
	cr_assert_eq(rw_duration_parse("36499d23h59m60s", &secs), 0);
	cr_assert_eq(secs, RW_DURATION_MAX);
}

struct format_case {
	int64_t seconds;
	const char *text;
};

static const struct format_case formats[] = {
	{0, "0s"},           {1, "1s"},         {59, "59s"},     {60, "1m"},
	{90, "1m30s"},       {3600, "1h"},      {5400, "1h30m"}, {86400, "1d"},
	{90061, "1d1h1m1s"}, {216000, "2d12h"}, {-90, "-1m30s"}, {RW_DURATION_MAX, "36500d"},
};

Test(duration, formats_canonically)
{
	for (size_t i = 0; i < sizeof(formats) / sizeof(formats[0]); i++) {
		char buf[64];
		int n = rw_duration_format(formats[i].seconds, buf, sizeof(buf));

		cr_assert_str_eq(buf, formats[i].text);
		cr_assert_eq(n, (int)strlen(formats[i].text));
	}
}

Test(duration, format_round_trips)
{
	static const int64_t samples[] = {0,
					  1,
					  59,
					  60,
					  61,
					  3599,
					  3600,
					  3661,
					  86399,
					  86400,
					  90061,
					  604800,
					  999999,
					  31536000,
					  RW_DURATION_MAX - 1,
					  RW_DURATION_MAX};

	for (size_t i = 0; i < sizeof(samples) / sizeof(samples[0]); i++) {
		char buf[64];
		int64_t back = -1;

		rw_duration_format(samples[i], buf, sizeof(buf));
		cr_assert_eq(rw_duration_parse(buf, &back), 0, "\"%s\" did not parse back", buf);
		cr_assert_eq(back, samples[i], "%lld -> \"%s\" -> %lld", (long long)samples[i], buf,
			     (long long)back);
	}
}

Test(duration, format_truncates_and_reports_length)
{
	char buf[4];
	int n = rw_duration_format(5400, buf, sizeof(buf));

	cr_assert_eq(n, 5);
	cr_assert_str_eq(buf, "1h3");
	cr_assert_eq(rw_duration_format(5400, NULL, 0), 5);
}

Test(duration, format_handles_int64_min)
{
	char buf[64];

	cr_assert_gt(rw_duration_format(INT64_MIN, buf, sizeof(buf)), 0);
	cr_assert_eq(buf[0], '-');
}
