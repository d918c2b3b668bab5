/*
 * test_lifecycle: a mention's deadlines (rw_lifecycle_schedule) with and
 * without a policy and a calendar, and what advancing it to an instant
 * decides (rw_lifecycle_advance, rw_lifecycle_next_due): one event per kind
 * at most, the most severe one, each with the deadline it is raised for.
 *
 * Instants are written as UTC civil times (rwt_utc_ms()); 2026-03-02 is a Monday.
 */
#include <criterion/criterion.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "replywatch/calendar.h"
#include "rwtest.h"
#include "replywatch/config.h"
#include "replywatch/lifecycle.h"
#include "replywatch/mention.h"

#define SEC_MS 1000LL
#define MIN_MS 60000LL
#define HOUR_MS 3600000LL
#define DAY_MS 86400000LL

#define expect_ms(got, want)                                                                       \
	cr_assert_eq((got), (want), "%s = %lld, want %lld", #got, (long long)(got),                \
		     (long long)(want))

/* Monday to Friday 09:00-17:00 UTC, built by hand. */
static struct rw_calendar *
office_utc(void)
{
	static struct rw_interval day[1] = {{9 * 60, 17 * 60}};
	struct rw_calendar_config cfg = {0};
	struct rw_calendar *cal;
	char err[256] = "";

	cfg.name = "office";
	cfg.timezone = "UTC";
	for (int wday = 1; wday <= 5; wday++) {
		cfg.weekly[wday] = day;
		cfg.nweekly[wday] = 1;
	}
	cal = rw_calendar_new(&cfg, err, sizeof(err));
	cr_assert_not_null(cal, "rw_calendar_new: %s", err);
	return cal;
}

/* A policy without a calendar: warn 100 s, breach 200 s, escalations at
 * 300, 400 and 500 s. */
static int64_t ladder3[] = {300, 400, 500};
static const struct rw_policy_config social = {
	.name = "social",
	.warn_after = 100,
	.breach_after = 200,
	.escalate_after = ladder3,
	.nescalate = 3,
};

#define CREATED rwt_utc_ms(2026, 3, 2, 10, 0)
#define GIVE_UP_MS (1000 * SEC_MS)

/* A new open mention created at CREATED, scheduled under policy (or none). */
static void
new_mention(struct rw_mention *m, const struct rw_policy_config *policy)
{
	memset(m, 0, sizeof(*m));
	m->id = strdup("109876543210");
	m->author = strdup("alice");
	cr_assert(m->id && m->author);
	m->created_ms = CREATED;
	m->state = RW_STATE_OPEN;
	cr_assert_eq(rw_lifecycle_schedule(m, policy, NULL, GIVE_UP_MS), 0);
}

/* The one event of type in out (asserts there is exactly one). */
static const struct rw_due_event *
event_of(const struct rw_advance *out, unsigned type)
{
	const struct rw_due_event *found = NULL;

	for (size_t i = 0; i < out->nevents; i++) {
		if (out->events[i].type == type) {
			cr_assert_null(found, "two events of type %u", type);
			found = &out->events[i];
		}
	}
	cr_assert_not_null(found, "no event of type %u among %zu", type, out->nevents);
	return found;
}

static void
expect_event(const struct rw_advance *out, unsigned type, unsigned level, int64_t due)
{
	const struct rw_due_event *e = event_of(out, type);

	cr_assert_eq(e->level, level, "type %u: level %u, want %u", type, e->level, level);
	expect_ms(e->due, due);
}

static void
expect_nothing(const struct rw_advance *out)
{
	cr_assert_eq(out->changed, false);
	cr_assert_eq(out->nevents, 0, "nevents = %zu", out->nevents);
}

/* ---- rw_lifecycle_schedule ---- */

Test(schedule, policy_without_calendar)
{
	struct rw_mention m;

	new_mention(&m, &social);
	cr_assert_str_eq(m.policy, "social");
	expect_ms(m.warn_at, CREATED + 100 * SEC_MS);
	expect_ms(m.breach_at, CREATED + 200 * SEC_MS);
	cr_assert_eq(m.nescalate, 3);
	expect_ms(m.escalate_at[0], CREATED + 300 * SEC_MS);
	expect_ms(m.escalate_at[1], CREATED + 400 * SEC_MS);
	expect_ms(m.escalate_at[2], CREATED + 500 * SEC_MS);
	expect_ms(m.expire_at, CREATED + GIVE_UP_MS);
	/* Scheduling sets deadlines only: state and flags are untouched. */
	cr_assert_eq(m.state, RW_STATE_OPEN);
	cr_assert(!m.warned && !m.breached && m.escalated == 0);
	rw_mention_clear(&m);
}

Test(schedule, warn_after_zero_means_no_warning)
{
	const struct rw_policy_config p = {.name = "nowarn", .warn_after = 0, .breach_after = 3600};
	struct rw_mention m;

	new_mention(&m, &p);
	cr_assert_str_eq(m.policy, "nowarn");
	expect_ms(m.warn_at, 0);
	expect_ms(m.breach_at, CREATED + HOUR_MS);
	cr_assert_eq(m.nescalate, 0);
	expect_ms(m.expire_at, CREATED + GIVE_UP_MS);
	rw_mention_clear(&m);
}

Test(schedule, no_policy)
{
	struct rw_mention m;

	new_mention(&m, NULL);
	cr_assert_null(m.policy);
	expect_ms(m.warn_at, 0);
	expect_ms(m.breach_at, 0);
	cr_assert_eq(m.nescalate, 0);
	expect_ms(m.expire_at, CREATED + GIVE_UP_MS);
	rw_mention_clear(&m);
}

/* A re-match after a reload schedules again: the old policy's deadlines go. */
Test(schedule, again_replaces_everything)
{
	const struct rw_policy_config other = {.name = "other", .breach_after = 60};
	struct rw_mention m;

	new_mention(&m, &social);
	cr_assert_eq(rw_lifecycle_schedule(&m, &other, NULL, 2 * GIVE_UP_MS), 0);
	cr_assert_str_eq(m.policy, "other");
	expect_ms(m.warn_at, 0);
	expect_ms(m.breach_at, CREATED + MIN_MS);
	cr_assert_eq(m.nescalate, 0);
	expect_ms(m.expire_at, CREATED + 2 * GIVE_UP_MS);
	cr_assert_eq(rw_lifecycle_schedule(&m, NULL, NULL, GIVE_UP_MS), 0);
	cr_assert_null(m.policy);
	expect_ms(m.breach_at, 0);
	expect_ms(m.expire_at, CREATED + GIVE_UP_MS);
	rw_mention_clear(&m);
}

/* More steps than a mention holds: the first RW_MAX_ESCALATIONS are kept. */
Test(schedule, escalation_ladder_capped)
{
	int64_t steps[RW_MAX_ESCALATIONS + 4];
	struct rw_policy_config p = {.name = "long", .breach_after = 10};
	struct rw_mention m;

	for (size_t i = 0; i < RW_MAX_ESCALATIONS + 4; i++)
		steps[i] = 60 * (int64_t)(i + 1);
	p.escalate_after = steps;
	p.nescalate = RW_MAX_ESCALATIONS + 4;
	new_mention(&m, &p);
	cr_assert_eq(m.nescalate, RW_MAX_ESCALATIONS);
	for (size_t i = 0; i < RW_MAX_ESCALATIONS; i++)
		expect_ms(m.escalate_at[i], CREATED + (int64_t)(i + 1) * MIN_MS);
	rw_mention_clear(&m);
}

/* Friday 16:00: one business hour left that day, the rest on Monday. */
Test(schedule, calendar_crosses_the_weekend)
{
	static int64_t steps[] = {8 * 3600, 10 * 3600};
	const struct rw_policy_config p = {
		.name = "care",
		.warn_after = 30 * 60,
		.breach_after = 2 * 3600,
		.escalate_after = steps,
		.nescalate = 2,
		.calendar_name = "office",
	};
	struct rw_calendar *cal = office_utc();
	struct rw_mention m = {0};

	m.created_ms = rwt_utc_ms(2026, 3, 6, 16, 0); /* Friday */
	cr_assert_eq(rw_lifecycle_schedule(&m, &p, cal, 3 * DAY_MS), 0);
	expect_ms(m.warn_at, rwt_utc_ms(2026, 3, 6, 16, 30));
	/* 1 h on Friday + 1 h from Monday 09:00. */
	expect_ms(m.breach_at, rwt_utc_ms(2026, 3, 9, 10, 0));
	/* 1 h Friday + 7 h Monday. */
	expect_ms(m.escalate_at[0], rwt_utc_ms(2026, 3, 9, 16, 0));
	/* 1 h Friday + 8 h Monday + 1 h Tuesday. */
	expect_ms(m.escalate_at[1], rwt_utc_ms(2026, 3, 10, 10, 0));
	/* give_up_after counts wall time, calendar or not. */
	expect_ms(m.expire_at, rwt_utc_ms(2026, 3, 9, 16, 0));
	rw_mention_clear(&m);
	rw_calendar_free(cal);
}

/* Created at night: the clock starts at the next opening. */
Test(schedule, calendar_crosses_the_night)
{
	const struct rw_policy_config p = {
		.name = "care", .warn_after = 45 * 60, .breach_after = 3600};
	struct rw_calendar *cal = office_utc();
	struct rw_mention m = {0};

	m.created_ms = rwt_utc_ms(2026, 3, 3, 20, 0) + 123; /* Tuesday evening */
	cr_assert_eq(rw_lifecycle_schedule(&m, &p, cal, DAY_MS), 0);
	expect_ms(m.warn_at, rwt_utc_ms(2026, 3, 4, 9, 45));
	expect_ms(m.breach_at, rwt_utc_ms(2026, 3, 4, 10, 0));
	expect_ms(m.expire_at, rwt_utc_ms(2026, 3, 4, 20, 0) + 123);
	rw_mention_clear(&m);
	rw_calendar_free(cal);
}

/* Created Saturday: nothing counts until Monday 09:00. */
Test(schedule, calendar_created_on_weekend)
{
	const struct rw_policy_config p = {
		.name = "care", .warn_after = 1800, .breach_after = 9 * 3600};
	struct rw_calendar *cal = office_utc();
	struct rw_mention m = {0};

	m.created_ms = rwt_utc_ms(2026, 3, 7, 11, 0);
	cr_assert_eq(rw_lifecycle_schedule(&m, &p, cal, 7 * DAY_MS), 0);
	expect_ms(m.warn_at, rwt_utc_ms(2026, 3, 9, 9, 30));
	/* 8 h on Monday, 1 h on Tuesday. */
	expect_ms(m.breach_at, rwt_utc_ms(2026, 3, 10, 10, 0));
	expect_ms(m.expire_at, rwt_utc_ms(2026, 3, 14, 11, 0));
	rw_mention_clear(&m);
	rw_calendar_free(cal);
}

/* ---- rw_lifecycle_advance and rw_lifecycle_next_due ---- */

Test(advance, nothing_due)
{
	struct rw_mention m;
	struct rw_advance out;

	new_mention(&m, &social);
	expect_ms(rw_lifecycle_next_due(&m), m.warn_at);
	rw_lifecycle_advance(&m, m.warn_at - 1, &out);
	expect_nothing(&out);
	cr_assert_eq(m.state, RW_STATE_OPEN);
	cr_assert(!m.warned && !m.breached && m.escalated == 0);
	expect_ms(m.resolved_at, 0);
	expect_ms(rw_lifecycle_next_due(&m), m.warn_at);
	rw_mention_clear(&m);
}

/* A deadline equal to now has passed. */
Test(advance, exactly_at_warn_instant)
{
	struct rw_mention m;
	struct rw_advance out;

	new_mention(&m, &social);
	rw_lifecycle_advance(&m, m.warn_at, &out);
	cr_assert_eq(out.changed, true);
	cr_assert_eq(out.nevents, 1);
	expect_event(&out, RW_EVENT_WARNING, 0, CREATED + 100 * SEC_MS);
	cr_assert_eq(m.state, RW_STATE_WARNING);
	cr_assert_eq(m.warned, true);
	cr_assert_eq(m.breached, false);
	expect_ms(rw_lifecycle_next_due(&m), m.breach_at);
	rw_mention_clear(&m);
}

Test(advance, warning_then_breach)
{
	struct rw_mention m;
	struct rw_advance out;

	new_mention(&m, &social);
	rw_lifecycle_advance(&m, m.warn_at + 5 * SEC_MS, &out);
	cr_assert_eq(out.nevents, 1);
	expect_event(&out, RW_EVENT_WARNING, 0, m.warn_at);
	cr_assert_eq(m.state, RW_STATE_WARNING);
	expect_ms(rw_lifecycle_next_due(&m), m.breach_at);

	/* Still before the breach: nothing new. */
	rw_lifecycle_advance(&m, m.breach_at - 1, &out);
	expect_nothing(&out);
	cr_assert_eq(m.state, RW_STATE_WARNING);

	rw_lifecycle_advance(&m, m.breach_at, &out);
	cr_assert_eq(out.changed, true);
	cr_assert_eq(out.nevents, 1);
	expect_event(&out, RW_EVENT_BREACH, 0, CREATED + 200 * SEC_MS);
	cr_assert_eq(m.state, RW_STATE_BREACHED);
	cr_assert(m.warned && m.breached);
	cr_assert_eq(m.escalated, 0);
	expect_ms(rw_lifecycle_next_due(&m), m.escalate_at[0]);

	/* The same instant again raises nothing twice. */
	rw_lifecycle_advance(&m, m.breach_at, &out);
	expect_nothing(&out);
	rw_mention_clear(&m);
}

/* Both passed at once (daemon was down): only the breach, warning marked. */
Test(advance, breach_supersedes_warning)
{
	struct rw_mention m;
	struct rw_advance out;

	new_mention(&m, &social);
	rw_lifecycle_advance(&m, m.breach_at + 7 * SEC_MS, &out);
	cr_assert_eq(out.changed, true);
	cr_assert_eq(out.nevents, 1);
	expect_event(&out, RW_EVENT_BREACH, 0, CREATED + 200 * SEC_MS);
	cr_assert_eq(m.state, RW_STATE_BREACHED);
	cr_assert_eq(m.warned, true);
	cr_assert_eq(m.breached, true);
	expect_ms(rw_lifecycle_next_due(&m), m.escalate_at[0]);

	/* The superseded warning is never raised later. */
	rw_lifecycle_advance(&m, m.breach_at + 8 * SEC_MS, &out);
	expect_nothing(&out);
	rw_mention_clear(&m);
}

/* A policy without a warning step goes straight from open to breached. */
Test(advance, breach_without_warning_step)
{
	const struct rw_policy_config p = {.name = "nowarn", .breach_after = 60};
	struct rw_mention m;
	struct rw_advance out;

	new_mention(&m, &p);
	expect_ms(rw_lifecycle_next_due(&m), CREATED + MIN_MS);
	rw_lifecycle_advance(&m, CREATED + MIN_MS, &out);
	cr_assert_eq(out.nevents, 1);
	expect_event(&out, RW_EVENT_BREACH, 0, CREATED + MIN_MS);
	cr_assert_eq(m.state, RW_STATE_BREACHED);
	expect_ms(rw_lifecycle_next_due(&m), CREATED + GIVE_UP_MS);
	rw_mention_clear(&m);
}

/* Steps 1 and 2 pass together: only level 2 is raised, both are marked. */
Test(advance, escalation_highest_step_only)
{
	struct rw_mention m;
	struct rw_advance out;

	new_mention(&m, &social);
	rw_lifecycle_advance(&m, m.breach_at, &out);
	cr_assert_eq(out.nevents, 1);

	rw_lifecycle_advance(&m, m.escalate_at[1] + 1, &out);
	cr_assert_eq(out.changed, true);
	cr_assert_eq(out.nevents, 1);
	expect_event(&out, RW_EVENT_ESCALATION, 2, CREATED + 400 * SEC_MS);
	cr_assert_eq(m.escalated, 2);
	cr_assert_eq(m.state, RW_STATE_BREACHED);
	expect_ms(rw_lifecycle_next_due(&m), m.escalate_at[2]);

	rw_lifecycle_advance(&m, m.escalate_at[2], &out);
	cr_assert_eq(out.nevents, 1);
	expect_event(&out, RW_EVENT_ESCALATION, 3, CREATED + 500 * SEC_MS);
	cr_assert_eq(m.escalated, 3);
	/* Every step raised: only expiry is left. */
	expect_ms(rw_lifecycle_next_due(&m), m.expire_at);
	rw_mention_clear(&m);
}

/* One step at a time: each gets its own 1-based level. */
Test(advance, escalation_step_by_step)
{
	struct rw_mention m;
	struct rw_advance out;

	new_mention(&m, &social);
	rw_lifecycle_advance(&m, m.breach_at, &out);
	for (unsigned step = 0; step < 3; step++) {
		rw_lifecycle_advance(&m, m.escalate_at[step], &out);
		cr_assert_eq(out.nevents, 1, "step %u: %zu events", step, out.nevents);
		expect_event(&out, RW_EVENT_ESCALATION, step + 1,
			     CREATED + (300 + 100 * (int64_t)step) * SEC_MS);
		cr_assert_eq(m.escalated, step + 1);
	}
	rw_mention_clear(&m);
}

/* Everything but expiry at once: the breach and the top escalation step. */
Test(advance, breach_and_escalation_at_once)
{
	struct rw_mention m;
	struct rw_advance out;

	new_mention(&m, &social);
	rw_lifecycle_advance(&m, m.escalate_at[2] + 1, &out);
	cr_assert_eq(out.changed, true);
	cr_assert_eq(out.nevents, 2);
	expect_event(&out, RW_EVENT_BREACH, 0, CREATED + 200 * SEC_MS);
	expect_event(&out, RW_EVENT_ESCALATION, 3, CREATED + 500 * SEC_MS);
	cr_assert_eq(m.state, RW_STATE_BREACHED);
	cr_assert(m.warned && m.breached);
	cr_assert_eq(m.escalated, 3);
	expect_ms(rw_lifecycle_next_due(&m), m.expire_at);
	rw_mention_clear(&m);
}

/* Found long after give_up_after: breach not raised before comes with expiry. */
Test(advance, expiry_with_breach_not_raised_before)
{
	const struct rw_policy_config p = {.name = "p", .warn_after = 100, .breach_after = 200};
	struct rw_mention m;
	struct rw_advance out;
	int64_t now = CREATED + GIVE_UP_MS + 3 * SEC_MS;

	new_mention(&m, &p);
	rw_lifecycle_advance(&m, now, &out);
	cr_assert_eq(out.changed, true);
	cr_assert_eq(out.nevents, 2);
	expect_event(&out, RW_EVENT_BREACH, 0, CREATED + 200 * SEC_MS);
	expect_event(&out, RW_EVENT_EXPIRED, 0, CREATED + GIVE_UP_MS);
	cr_assert_eq(m.state, RW_STATE_EXPIRED);
	cr_assert(m.warned && m.breached);
	expect_ms(m.resolved_at, now);
	expect_ms(rw_lifecycle_next_due(&m), 0);
	rw_mention_clear(&m);
}

/* Every kind passes at once: breach, top escalation and expiry. */
Test(advance, everything_at_once)
{
	struct rw_mention m;
	struct rw_advance out;

	new_mention(&m, &social);
	rw_lifecycle_advance(&m, m.expire_at, &out);
	cr_assert_eq(out.nevents, 3);
	expect_event(&out, RW_EVENT_BREACH, 0, CREATED + 200 * SEC_MS);
	expect_event(&out, RW_EVENT_ESCALATION, 3, CREATED + 500 * SEC_MS);
	expect_event(&out, RW_EVENT_EXPIRED, 0, CREATED + GIVE_UP_MS);
	cr_assert_eq(m.state, RW_STATE_EXPIRED);
	cr_assert_eq(m.escalated, 3);
	expect_ms(m.resolved_at, CREATED + GIVE_UP_MS);
	rw_mention_clear(&m);
}

/* Breach already raised earlier: expiry alone. */
Test(advance, expiry_after_breach)
{
	const struct rw_policy_config p = {.name = "p", .warn_after = 100, .breach_after = 200};
	struct rw_mention m;
	struct rw_advance out;

	new_mention(&m, &p);
	rw_lifecycle_advance(&m, m.breach_at, &out);
	cr_assert_eq(out.nevents, 1);
	expect_ms(rw_lifecycle_next_due(&m), m.expire_at);
	rw_lifecycle_advance(&m, m.expire_at, &out);
	cr_assert_eq(out.nevents, 1);
	expect_event(&out, RW_EVENT_EXPIRED, 0, CREATED + GIVE_UP_MS);
	cr_assert_eq(m.state, RW_STATE_EXPIRED);
	expect_ms(m.resolved_at, CREATED + GIVE_UP_MS);
	expect_ms(rw_lifecycle_next_due(&m), 0);
	/* Expired is resolved: nothing more. */
	rw_lifecycle_advance(&m, m.expire_at + DAY_MS, &out);
	expect_nothing(&out);
	rw_mention_clear(&m);
}

/* Tracked without an SLA: expiry is the only thing ever due. */
Test(advance, no_policy_only_expiry)
{
	struct rw_mention m;
	struct rw_advance out;

	new_mention(&m, NULL);
	expect_ms(rw_lifecycle_next_due(&m), CREATED + GIVE_UP_MS);
	rw_lifecycle_advance(&m, CREATED + GIVE_UP_MS - 1, &out);
	expect_nothing(&out);
	cr_assert_eq(m.state, RW_STATE_OPEN);
	rw_lifecycle_advance(&m, CREATED + GIVE_UP_MS, &out);
	cr_assert_eq(out.changed, true);
	cr_assert_eq(out.nevents, 1);
	expect_event(&out, RW_EVENT_EXPIRED, 0, CREATED + GIVE_UP_MS);
	cr_assert_eq(m.state, RW_STATE_EXPIRED);
	cr_assert(!m.warned && !m.breached && m.escalated == 0);
	expect_ms(m.resolved_at, CREATED + GIVE_UP_MS);
	expect_ms(rw_lifecycle_next_due(&m), 0);
	rw_mention_clear(&m);
}

/* Replied, closed and expired mentions are left exactly as they are. */
Test(advance, resolved_untouched)
{
	static const enum rw_state resolved[] = {RW_STATE_REPLIED, RW_STATE_CLOSED,
						 RW_STATE_EXPIRED};

	for (size_t i = 0; i < sizeof(resolved) / sizeof(resolved[0]); i++) {
		struct rw_mention m, before;
		struct rw_advance out;

		new_mention(&m, &social);
		m.state = resolved[i];
		m.resolved_at = CREATED + 50 * SEC_MS;
		before = m;
		cr_assert_eq(rw_lifecycle_next_due(&m), 0, "%s", rw_state_name(resolved[i]));
		rw_lifecycle_advance(&m, m.expire_at + DAY_MS, &out);
		expect_nothing(&out);
		cr_assert_eq(m.state, resolved[i]);
		cr_assert(!m.warned && !m.breached && m.escalated == 0);
		expect_ms(m.resolved_at, before.resolved_at);
		expect_ms(m.warn_at, before.warn_at);
		expect_ms(m.breach_at, before.breach_at);
		expect_ms(m.expire_at, before.expire_at);
		rw_mention_clear(&m);
	}
}

/* A warned mention's next due is its breach, then each step, then expiry. */
Test(advance, next_due_sequence)
{
	struct rw_mention m;
	struct rw_advance out;
	int64_t want[] = {CREATED + 100 * SEC_MS,
			  CREATED + 200 * SEC_MS,
			  CREATED + 300 * SEC_MS,
			  CREATED + 400 * SEC_MS,
			  CREATED + 500 * SEC_MS,
			  CREATED + GIVE_UP_MS,
			  0};

	new_mention(&m, &social);
	for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		int64_t due = rw_lifecycle_next_due(&m);

		cr_assert_eq(due, want[i], "step %zu: next due %lld, want %lld", i, (long long)due,
			     (long long)want[i]);
		if (due == 0)
			break;
		rw_lifecycle_advance(&m, due, &out);
		cr_assert_eq(out.nevents, 1, "step %zu: %zu events", i, out.nevents);
		expect_ms(out.events[0].due, due);
	}
	cr_assert_eq(m.state, RW_STATE_EXPIRED);
	rw_mention_clear(&m);
}

/* Deadlines under a calendar are raised at the computed instants. */
Test(advance, calendar_deadlines)
{
	const struct rw_policy_config p = {
		.name = "care", .warn_after = 1800, .breach_after = 7200};
	struct rw_calendar *cal = office_utc();
	struct rw_mention m = {0};
	struct rw_advance out;

	m.id = strdup("1");
	m.author = strdup("bob");
	m.created_ms = rwt_utc_ms(2026, 3, 6, 16, 0);
	cr_assert_eq(rw_lifecycle_schedule(&m, &p, cal, 7 * DAY_MS), 0);
	/* Saturday noon: the warning (Friday 16:30) has passed, the breach not. */
	rw_lifecycle_advance(&m, rwt_utc_ms(2026, 3, 7, 12, 0), &out);
	cr_assert_eq(out.nevents, 1);
	expect_event(&out, RW_EVENT_WARNING, 0, rwt_utc_ms(2026, 3, 6, 16, 30));
	expect_ms(rw_lifecycle_next_due(&m), rwt_utc_ms(2026, 3, 9, 10, 0));
	rw_lifecycle_advance(&m, rwt_utc_ms(2026, 3, 9, 10, 0), &out);
	cr_assert_eq(out.nevents, 1);
	expect_event(&out, RW_EVENT_BREACH, 0, rwt_utc_ms(2026, 3, 9, 10, 0));
	expect_ms(rw_lifecycle_next_due(&m), rwt_utc_ms(2026, 3, 13, 16, 0));
	rw_mention_clear(&m);
	rw_calendar_free(cal);
}
