/*
 * test_backoff: the one retry schedule, and the clock tests can hold.
 */
#include <criterion/criterion.h>
#include <stdlib.h>

#include "replywatch/backoff.h"
#include "replywatch/clock.h"

Test(backoff, doubles_from_first_within_its_upper_half)
{
	srandom(7);
	for (int round = 0; round < 200; round++) {
		double want = 1.0;

		for (unsigned attempt = 0; attempt < 12; attempt++) {
			double d = rw_backoff_seconds(attempt, 1.0, 300.0);

			cr_assert(d >= want / 2 && d <= want, "attempt %u: %f not in [%f, %f]",
				  attempt, d, want / 2, want);
			want = want * 2 > 300.0 ? 300.0 : want * 2;
		}
	}
}

Test(backoff, never_passes_the_cap_even_for_huge_attempts)
{
	for (unsigned attempt = 20; attempt < 4000000000u; attempt += 400000000u) {
		double d = rw_backoff_seconds(attempt, 0.1, 2.0);

		cr_assert(d >= 1.0 && d <= 2.0, "%f", d);
	}
}

Test(backoff, is_spread_not_fixed)
{
	double lo = 1e9, hi = 0;

	for (int i = 0; i < 1000; i++) {
		double d = rw_backoff_seconds(3, 1.0, 300.0);

		lo = d < lo ? d : lo;
		hi = d > hi ? d : hi;
	}
	cr_assert_gt(hi - lo, 2.0, "spread %f..%f", lo, hi);
}

Test(clock, holds_still_when_set_and_comes_back)
{
	int64_t real = rw_now_ms();

	cr_assert_gt(real, 1700000000000LL);
	rw_clock_set(1790000000123LL);
	cr_assert_eq(rw_now_ms(), 1790000000123LL);
	cr_assert_eq(rw_now_ms(), 1790000000123LL);
	rw_clock_set(0);
	cr_assert_geq(rw_now_ms(), real);
}

Test(clock, time_json_is_null_for_never)
{
	json_t *never = rw_time_json(0), *t = rw_time_json(1790000000123LL);

	cr_assert(json_is_null(never));
	cr_assert_str_eq(json_string_value(t), "2026-09-21T14:13:20.123Z");
	json_decref(never);
	json_decref(t);
}
