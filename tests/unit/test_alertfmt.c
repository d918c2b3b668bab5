/*
 * test_alertfmt: the alert bodies (rw_alertfmt_*). Every body is parsed back
 * with Jansson and checked for the exact shape and values alertfmt.h
 * promises: the json envelope, Slack text and blocks with the 50-block cap,
 * Alertmanager postable alerts (names, label sets, severities, times),
 * PagerDuty Events API v2 bodies, and the summary line. Events are EVENT
 * objects as GET /events returns them, built here; variants drop the URL,
 * the policy or the mention key. The suite also runs under ASan.
 */
#include <criterion/criterion.h>
#include <jansson.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "replywatch/alertfmt.h"
#include "replywatch/event.h"

/* 2026-11-23T12:00:00Z, when the mention was written. */
#define T0 1795435200000LL
/* The formatting instant, 2026-11-23T14:00:00Z, and how long an active
 * Alertmanager alert lasts. */
#define NOW_MS (T0 + 2 * 3600 * 1000LL)
#define ACTIVE_MS (5 * 60 * 1000LL)
#define NOW_TEXT "2026-11-23T14:00:00.000Z"
#define ENDS_TEXT "2026-11-23T14:05:00.000Z"
#define CREATED_TEXT "2026-11-23T12:00:00.000Z"

#define KEY "acme-x:1860000000000000001"
#define URL "https://x.com/ann/status/1860000000000000001"
#define AT "2026-11-23T13:02:05.000Z"
#define SRC_AT "2026-11-23T12:30:00.123Z"
#define SRC_ERROR "mentions: HTTP 401 (credentials rejected): Unauthorized"

/* ---- fixtures ---- */

/* The bounded reference of mention key (rw_event_mention_ref), as the
 * PagerDuty dedup_key and the Alertmanager "mention" label carry it. */
static const char *
ref_of(const char *key)
{
	static char ref[RW_EVENT_ID_SIZE];

	cr_assert_eq(rw_event_mention_ref(key, ref, sizeof(ref)), 0);
	cr_assert_eq(strlen(ref), strlen("mention_") + 32, "%s", ref);
	return ref;
}

/* A mention event of type that has waited age seconds, with every field set:
 * a URL, policy "social" (45 min / 1 h) and labels team=care and
 * source=config (which clashes with the built-in "source" label). */
static json_t *
mention_event(const char *type, double age)
{
	json_t *e = json_pack(
		"{s:s, s:s, s:s, s:s,"
		" s:{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:{s:s, s:s}},"
		" s:{s:s, s:i, s:i}, s:f, s:f, s:n}",
		"id", "acme-x:1795438925000-0", "type", type, "at", AT, "due",
		"2026-11-23T13:00:00.000Z", "mention", "key", KEY, "source", "acme-x", "platform",
		"x", "kind", "mention", "id", "1860000000000000001", "url", URL, "author", "ann",
		"text", "Where is my order?", "created_at", CREATED_TEXT, "labels", "team", "care",
		"source", "config", "policy", "name", "social", "warn_after_seconds", 2700,
		"breach_after_seconds", 3600, "age_seconds", age, "business_age_seconds",
		age > 600 ? age - 600 : age, "response_seconds");

	cr_assert_not_null(e);
	return e;
}

/* An escalation at level. */
static json_t *
escalation_event(int level, double age)
{
	json_t *e = mention_event("escalation", age);

	json_object_set_new(e, "level", json_integer(level));
	return e;
}

/* A resolved event answered after response seconds. */
static json_t *
resolved_event(double response)
{
	json_t *e = mention_event("resolved", response);

	json_object_del(e, "due");
	json_object_set_new(e, "response_seconds", json_real(response));
	return e;
}

/* A source event as docs/connectors.md shows it. */
static json_t *
source_event(const char *type)
{
	bool down = strcmp(type, "source_down") == 0;
	json_t *e = json_pack("{s:s, s:s, s:s, s:{s:s, s:s, s:s, s:s?}}", "id",
			      "acme-x:1795437000123-0", "type", type, "at", SRC_AT, "source",
			      "name", "acme-x", "type", "x", "state", down ? "down" : "ok",
			      "last_error", down ? SRC_ERROR : NULL);

	cr_assert_not_null(e);
	return e;
}

static json_t *
mention_of(json_t *e)
{
	return json_object_get(e, "mention");
}

/* The same event without a URL and without a policy. */
static json_t *
bare(json_t *e)
{
	json_object_set_new(mention_of(e), "url", json_null());
	json_object_set_new(e, "policy", json_null());
	return e;
}

/* A list holding the given events (references stolen), NULL-terminated. */
static json_t *
list_of(json_t *first, ...)
{
	json_t *list = json_array();
	va_list ap;

	cr_assert_not_null(list);
	va_start(ap, first);
	for (json_t *e = first; e != NULL; e = va_arg(ap, json_t *))
		cr_assert_eq(json_array_append_new(list, e), 0);
	va_end(ap);
	return list;
}

/* n breach events whose mention keys end in their index. */
static json_t *
many_events(size_t n)
{
	json_t *list = json_array();
	char key[64], author[32];

	for (size_t i = 0; i < n; i++) {
		json_t *e = mention_event("breach", 3720);

		snprintf(key, sizeof(key), "acme-x:%zu", i);
		snprintf(author, sizeof(author), "user%zu", i);
		json_object_set_new(mention_of(e), "key", json_string(key));
		json_object_set_new(mention_of(e), "author", json_string(author));
		json_array_append_new(list, e);
	}
	return list;
}

/* ---- reading bodies back ---- */

/* Parses text (and frees it), failing the test unless it is JSON. */
static json_t *
parse(char *text, const char *err)
{
	json_error_t jerr;
	json_t *v;

	cr_assert_not_null(text, "no body: %s", err);
	v = json_loads(text, 0, &jerr);
	cr_assert_not_null(v, "not JSON (%s): %s", jerr.text, text);
	free(text);
	return v;
}

static const char *
str_at(const json_t *obj, const char *key)
{
	const json_t *v = json_object_get(obj, key);

	cr_assert(json_is_string(v), "\"%s\" is not a string", key);
	return json_string_value(v);
}

/* Fails unless obj has exactly the keys listed (NULL-terminated). */
static void
expect_keys(const json_t *obj, const char *const *keys)
{
	size_t n = 0;

	cr_assert(json_is_object(obj));
	for (; keys[n] != NULL; n++)
		cr_assert_not_null(json_object_get(obj, keys[n]), "no \"%s\"", keys[n]);
	cr_assert_eq(json_object_size(obj), n, "%zu keys, want %zu", json_object_size(obj), n);
}

/* Characters (UTF-8 code points) in s. */
static size_t
utf8_chars(const char *s)
{
	size_t n = 0;

	for (; *s != '\0'; s++)
		n += ((unsigned char)*s & 0xc0) != 0x80;
	return n;
}

#define expect_has(hay, needle)                                                                    \
	cr_assert_neq(strstr(hay, needle), NULL, "no \"%s\" in: %s", needle, hay)

/* ---- json ---- */

Test(alertfmt_json, envelope_keeps_events_and_order)
{
	json_t *events = list_of(mention_event("warning", 2700), source_event("source_down"),
				 resolved_event(3905), escalation_event(2, 10800), NULL);
	char err[200] = "";
	json_t *body = parse(rw_alertfmt_json(events, err, sizeof(err)), err);

	expect_keys(body, (const char *[]){"version", "events", NULL});
	cr_assert(json_is_integer(json_object_get(body, "version")));
	cr_assert_eq(json_integer_value(json_object_get(body, "version")), 1);
	cr_assert(json_equal(json_object_get(body, "events"), events), "events changed");
	cr_assert_str_eq(str_at(json_array_get(json_object_get(body, "events"), 1), "type"),
			 "source_down");
	json_decref(body);
	json_decref(events);
}

Test(alertfmt_json, empty_list_and_bare_events)
{
	json_t *events = json_array(), *body;
	char err[200] = "";

	body = parse(rw_alertfmt_json(events, err, sizeof(err)), err);
	cr_assert_eq(json_array_size(json_object_get(body, "events")), 0);
	json_decref(body);
	json_decref(events);

	events = list_of(bare(mention_event("breach", 3720)), NULL);
	body = parse(rw_alertfmt_json(events, err, sizeof(err)), err);
	cr_assert(json_equal(json_object_get(body, "events"), events));
	json_decref(body);
	json_decref(events);
}

/* ---- errors, the same in every list format ---- */

typedef char *list_format(const json_t *events, char *err, size_t errlen);

static char *
am_format(const json_t *events, char *err, size_t errlen)
{
	return rw_alertfmt_alertmanager(events, NOW_MS, ACTIVE_MS, err, errlen);
}

/* Expects every list format to refuse events with exactly message want. */
static void
expect_list_error(json_t *events, const char *want)
{
	list_format *formats[] = {rw_alertfmt_json, rw_alertfmt_slack, am_format};
	char err[200];

	for (size_t i = 0; i < sizeof(formats) / sizeof(formats[0]); i++) {
		err[0] = '\0';
		cr_assert_null(formats[i](events, err, sizeof(err)), "format %zu accepted", i);
		cr_assert_str_eq(err, want, "format %zu", i);
	}
	json_decref(events);
}

Test(alertfmt_errors, missing_mention_key)
{
	json_t *e = mention_event("breach", 3720);

	json_object_del(mention_of(e), "key");
	expect_list_error(list_of(mention_event("warning", 2700), e, NULL),
			  "events[1]: mention has no key");
}

Test(alertfmt_errors, empty_or_non_string_mention_key)
{
	json_t *a = mention_event("breach", 3720), *b = mention_event("breach", 3720);

	json_object_set_new(mention_of(a), "key", json_string(""));
	expect_list_error(list_of(a, NULL), "events[0]: mention has no key");
	json_object_set_new(mention_of(b), "key", json_integer(7));
	expect_list_error(list_of(b, NULL), "events[0]: mention has no key");
}

Test(alertfmt_errors, unknown_missing_type_and_shapes)
{
	json_t *a = mention_event("breached", 3720), *b = mention_event("breach", 3720);
	json_t *c = mention_event("warning", 2700), *d = source_event("source_down");

	expect_list_error(list_of(a, NULL), "events[0]: unknown type \"breached\"");
	json_object_del(b, "type");
	expect_list_error(list_of(b, NULL), "events[0]: no type");
	json_object_del(c, "mention");
	expect_list_error(list_of(c, NULL), "events[0]: warning event has no mention");
	json_object_del(json_object_get(d, "source"), "name");
	expect_list_error(list_of(d, NULL), "events[0]: source has no name");
	expect_list_error(list_of(json_string("breach"), NULL), "events[0]: not an object");
	expect_list_error(json_object(), "events: not an array");
}

Test(alertfmt_errors, single_event_formats)
{
	json_t *e = mention_event("bogus", 1);
	char err[200] = "";

	cr_assert_null(rw_alertfmt_pagerduty(e, "R0UT1NGKEY", err, sizeof(err)));
	cr_assert_str_eq(err, "event: unknown type \"bogus\"");
	cr_assert_null(rw_alertfmt_summary(e));
	json_object_set_new(e, "type", json_string("breach"));
	json_object_del(mention_of(e), "key");
	cr_assert_null(rw_alertfmt_pagerduty(e, "R0UT1NGKEY", err, sizeof(err)));
	cr_assert_str_eq(err, "event: mention has no key");
	cr_assert_null(rw_alertfmt_summary(e));
	cr_assert_null(rw_alertfmt_summary(NULL));
	/* A NULL err is fine. */
	cr_assert_null(rw_alertfmt_pagerduty(e, "R0UT1NGKEY", NULL, 0));
	json_decref(e);
}

/* ---- summary ---- */

/* The summary of e (then freed) must be want. */
static void
expect_summary(json_t *e, const char *want)
{
	char *s = rw_alertfmt_summary(e);

	cr_assert_not_null(s);
	cr_assert_str_eq(s, want);
	free(s);
	json_decref(e);
}

Test(alertfmt_summary, every_type)
{
	expect_summary(mention_event("warning", 2700),
		       "SLA warning: @ann on acme-x waiting 45m 00s (policy social)");
	expect_summary(mention_event("breach", 3725),
		       "SLA breached: @ann on acme-x waiting 1h 02m (policy social)");
	expect_summary(escalation_event(2, 10800),
		       "SLA escalation, level 2: @ann on acme-x waiting 3h 00m (policy social)");
	expect_summary(resolved_event(3905),
		       "Resolved: @ann on acme-x after 1h 05m (policy social)");
	expect_summary(mention_event("expired", 2 * 86400 + 3 * 3600 + 59),
		       "Expired unanswered: @ann on acme-x after 2d 3h (policy social)");
	expect_summary(source_event("source_down"), "Source down: acme-x (x): " SRC_ERROR);
	expect_summary(source_event("source_up"), "Source up: acme-x (x)");
}

Test(alertfmt_summary, durations)
{
	static const struct {
		double secs;
		const char *text;
	} cases[] = {
		{0, "0s"},
		{45, "45s"},
		{59.9, "59s"},
		{60, "1m 00s"},
		{725, "12m 05s"},
		{3599, "59m 59s"},
		{3600, "1h 00m"},
		{3720, "1h 02m"},
		{86399, "23h 59m"},
		{86400, "1d 0h"},
		{183600, "2d 3h"},
		{-5, "0s"},
		{40 * 86400.0 + 3600 * 23, "40d 23h"},
	};
	char want[128];

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		snprintf(want, sizeof(want), "SLA breached: @ann on acme-x waiting %s",
			 cases[i].text);
		expect_summary(bare(mention_event("breach", cases[i].secs)), want);
	}
}

Test(alertfmt_summary, without_policy_author_or_ages)
{
	json_t *e = bare(mention_event("breach", 3720));

	json_object_del(mention_of(e), "author");
	json_object_set_new(mention_of(e), "kind", json_string("review"));
	json_object_del(e, "age_seconds");
	expect_summary(e, "SLA breached: a review on acme-x");

	/* A resolved event without a response time counts its age. */
	e = resolved_event(3905);
	json_object_set_new(e, "response_seconds", json_null());
	json_object_set_new(e, "age_seconds", json_integer(600));
	expect_summary(e, "Resolved: @ann on acme-x after 10m 00s (policy social)");

	e = source_event("source_down");
	json_object_set_new(json_object_get(e, "source"), "last_error", json_null());
	expect_summary(e, "Source down: acme-x (x)");
}

Test(alertfmt_summary, handles)
{
	json_t *e = bare(mention_event("warning", 45));

	json_object_set_new(mention_of(e), "author", json_string("@ann@mastodon.social"));
	expect_summary(e, "SLA warning: @ann@mastodon.social on acme-x waiting 45s");
	e = bare(mention_event("warning", 45));
	json_object_set_new(mention_of(e), "author", json_string("Ann Smith"));
	expect_summary(e, "SLA warning: Ann Smith on acme-x waiting 45s");
}

/* One line, whatever the fields hold. */
Test(alertfmt_summary, control_characters_become_spaces)
{
	json_t *e = source_event("source_down");

	json_object_set_new(json_object_get(e, "source"), "last_error",
			    json_string("line one\nline two\ttab"));
	expect_summary(e, "Source down: acme-x (x): line one line two tab");
}

/* At most 1024 characters, cut between characters and marked. */
Test(alertfmt_summary, long_fields_are_cut)
{
	json_t *e = mention_event("breach", 3720);
	char *author = malloc(2 * 3000 + 1), *s;

	cr_assert_not_null(author);
	for (size_t i = 0; i < 3000; i++)
		memcpy(author + 2 * i, "\xc3\xa9", 2);
	author[6000] = '\0';
	json_object_set_new(mention_of(e), "author", json_string(author));
	s = rw_alertfmt_summary(e);
	cr_assert_not_null(s);
	cr_assert_leq(utf8_chars(s), 1024, "%zu characters", utf8_chars(s));
	cr_assert_neq(strstr(s, "\xe2\x80\xa6"), NULL, "no ellipsis: %s", s);
	cr_assert_neq(strstr(s, " on acme-x waiting 1h 02m"), NULL, "%s", s);
	free(s);

	/* A 2000-character error, cut in the summary itself. */
	json_decref(e);
	e = source_event("source_down");
	memset(author, 'x', 2000);
	author[2000] = '\0';
	json_object_set_new(json_object_get(e, "source"), "last_error", json_string(author));
	s = rw_alertfmt_summary(e);
	cr_assert_not_null(s);
	cr_assert_leq(utf8_chars(s), 1024);
	cr_log_info("long error summary: %zu characters", utf8_chars(s));
	free(s);
	free(author);
	json_decref(e);
}

/* A long name of four-byte characters is cut between characters: every
 * format still gives valid JSON (Jansson refuses broken UTF-8). */
Test(alertfmt_summary, long_multibyte_author)
{
	json_t *e = mention_event("breach", 3720), *events;
	char *author = malloc(4 * 200 + 1), *s, err[200] = "";

	cr_assert_not_null(author);
	for (size_t i = 0; i < 200; i++)
		memcpy(author + 4 * i, "\xf0\x9f\x98\x80", 4);
	author[800] = '\0';
	json_object_set_new(mention_of(e), "author", json_string(author));
	s = rw_alertfmt_summary(e);
	cr_assert_not_null(s);
	cr_assert_eq(strncmp(s, "SLA breached: @\xf0\x9f\x98\x80", 19), 0, "%s", s);
	expect_has(s, "\xe2\x80\xa6 on acme-x waiting 1h 02m");
	free(s);
	events = list_of(e, NULL);
	json_decref(parse(rw_alertfmt_slack(events, err, sizeof(err)), err));
	json_decref(
		parse(rw_alertfmt_alertmanager(events, NOW_MS, ACTIVE_MS, err, sizeof(err)), err));
	json_decref(parse(rw_alertfmt_pagerduty(e, "R0UT1NGKEY", err, sizeof(err)), err));
	json_decref(events);
	free(author);
}

/* ---- alertmanager ---- */

static json_t *
am(json_t *events)
{
	char err[200] = "";
	json_t *body =
		parse(rw_alertfmt_alertmanager(events, NOW_MS, ACTIVE_MS, err, sizeof(err)), err);

	cr_assert(json_is_array(body));
	json_decref(events);
	return body;
}

/* The labels a mention alert named alertname with severity must carry. */
static void
expect_mention_labels(const json_t *labels, const char *alertname, const char *severity)
{
	expect_keys(labels, (const char *[]){"alertname", "source", "platform", "policy", "mention",
					     "severity", "team", "label_source", NULL});
	cr_assert_str_eq(str_at(labels, "alertname"), alertname);
	cr_assert_str_eq(str_at(labels, "source"), "acme-x");
	cr_assert_str_eq(str_at(labels, "platform"), "x");
	cr_assert_str_eq(str_at(labels, "policy"), "social");
	cr_assert_str_eq(str_at(labels, "mention"), ref_of(KEY));
	cr_assert_str_eq(str_at(labels, "severity"), severity);
	cr_assert_str_eq(str_at(labels, "team"), "care");
	cr_assert_str_eq(str_at(labels, "label_source"), "config");
}

/* One alert: its four keys, times and the annotations every alert has. */
static void
expect_alert(const json_t *alert, const char *starts, const char *ends, const char *summary)
{
	const json_t *ann = json_object_get(alert, "annotations");

	expect_keys(alert, (const char *[]){"labels", "annotations", "startsAt", "endsAt", NULL});
	cr_assert_str_eq(str_at(alert, "startsAt"), starts);
	cr_assert_str_eq(str_at(alert, "endsAt"), ends);
	cr_assert_str_eq(str_at(ann, "summary"), summary);
	cr_assert(json_is_string(json_object_get(ann, "description")));
}

Test(alertfmt_alertmanager, warning)
{
	json_t *body = am(list_of(mention_event("warning", 2700), NULL));
	json_t *alert = json_array_get(body, 0), *ann = json_object_get(alert, "annotations");
	const char *desc;

	cr_assert_eq(json_array_size(body), 1);
	expect_alert(alert, CREATED_TEXT, ENDS_TEXT,
		     "SLA warning: @ann on acme-x waiting 45m 00s (policy social)");
	expect_mention_labels(json_object_get(alert, "labels"), "ReplySLAWarning", "warning");
	expect_keys(ann, (const char *[]){"summary", "url", "description", "mention_key", NULL});
	cr_assert_str_eq(str_at(ann, "url"), URL);
	cr_assert_str_eq(str_at(ann, "mention_key"), KEY);
	desc = str_at(ann, "description");
	cr_assert_neq(strstr(desc, "@ann"), NULL, "%s", desc);
	cr_assert_neq(strstr(desc, "Where is my order?"), NULL, "%s", desc);
	cr_assert_neq(strstr(desc, "breach after 1h 00m"), NULL, "%s", desc);
	cr_log_info("alertmanager description:\n%s", desc);
	json_decref(body);
}

Test(alertfmt_alertmanager, breach_and_escalation_share_one_alert)
{
	json_t *body =
		am(list_of(mention_event("breach", 3720), escalation_event(3, 4 * 3600.0), NULL));
	json_t *breach = json_array_get(body, 0), *esc = json_array_get(body, 1);

	cr_assert_eq(json_array_size(body), 2);
	expect_alert(breach, CREATED_TEXT, ENDS_TEXT,
		     "SLA breached: @ann on acme-x waiting 1h 02m (policy social)");
	expect_mention_labels(json_object_get(breach, "labels"), "ReplySLABreach", "critical");
	cr_assert_null(json_object_get(json_object_get(breach, "annotations"), "level"));
	expect_alert(esc, CREATED_TEXT, ENDS_TEXT,
		     "SLA escalation, level 3: @ann on acme-x waiting 4h 00m (policy social)");
	cr_assert(json_equal(json_object_get(breach, "labels"), json_object_get(esc, "labels")),
		  "an escalation changed the label set");
	cr_assert_str_eq(str_at(json_object_get(esc, "annotations"), "level"), "3");
	json_decref(body);
}

/* resolved and expired end both SLA alerts now, with the firing label sets. */
Test(alertfmt_alertmanager, resolved_and_expired_end_both)
{
	json_t *firing =
		am(list_of(mention_event("warning", 2700), mention_event("breach", 3720), NULL));
	json_t *body = am(list_of(resolved_event(3905), mention_event("expired", 86400), NULL));
	static const char *const summaries[] = {
		"Resolved: @ann on acme-x after 1h 05m (policy social)",
		"Expired unanswered: @ann on acme-x after 1d 0h (policy social)",
	};

	cr_assert_eq(json_array_size(body), 4);
	for (size_t i = 0; i < 4; i++) {
		json_t *alert = json_array_get(body, i);
		const char *name = i % 2 == 0 ? "ReplySLAWarning" : "ReplySLABreach";

		expect_alert(alert, CREATED_TEXT, NOW_TEXT, summaries[i / 2]);
		expect_mention_labels(json_object_get(alert, "labels"), name,
				      i % 2 == 0 ? "warning" : "critical");
		cr_assert(json_equal(json_object_get(alert, "labels"),
				     json_object_get(json_array_get(firing, i % 2), "labels")),
			  "alert %zu: not the firing label set", i);
	}
	json_decref(firing);
	json_decref(body);
}

Test(alertfmt_alertmanager, source_down_and_up)
{
	json_t *body = am(list_of(source_event("source_down"), source_event("source_up"), NULL));

	cr_assert_eq(json_array_size(body), 2);
	for (size_t i = 0; i < 2; i++) {
		json_t *alert = json_array_get(body, i), *labels = json_object_get(alert, "labels");
		json_t *ann = json_object_get(alert, "annotations");

		expect_alert(alert, SRC_AT, i == 0 ? ENDS_TEXT : NOW_TEXT,
			     i == 0 ? "Source down: acme-x (x): " SRC_ERROR
				    : "Source up: acme-x (x)");
		expect_keys(labels,
			    (const char *[]){"alertname", "source", "platform", "severity", NULL});
		cr_assert_str_eq(str_at(labels, "alertname"), "ReplySourceDown");
		cr_assert_str_eq(str_at(labels, "source"), "acme-x");
		cr_assert_str_eq(str_at(labels, "platform"), "x");
		cr_assert_str_eq(str_at(labels, "severity"), "critical");
		expect_keys(ann, (const char *[]){"summary", "description", NULL});
	}
	json_decref(body);
}

/* Source labels, when a source event carries them, are labels too. */
Test(alertfmt_alertmanager, source_labels)
{
	json_t *e = source_event("source_down"), *body, *labels;

	json_object_set_new(
		json_object_get(e, "source"), "labels",
		json_pack("{s:s, s:s, s:i}", "team", "care", "severity", "low", "tier", 2));
	body = am(list_of(e, NULL));
	labels = json_object_get(json_array_get(body, 0), "labels");
	expect_keys(labels, (const char *[]){"alertname", "source", "platform", "severity", "team",
					     "label_severity", "tier", NULL});
	cr_assert_str_eq(str_at(labels, "severity"), "critical");
	cr_assert_str_eq(str_at(labels, "label_severity"), "low");
	cr_assert_str_eq(str_at(labels, "tier"), "2");
	json_decref(body);
}

/* Without URL and policy: no policy label, no url annotation. */
Test(alertfmt_alertmanager, without_url_or_policy)
{
	json_t *body = am(list_of(bare(mention_event("breach", 3720)), NULL));
	json_t *alert = json_array_get(body, 0);

	expect_alert(alert, CREATED_TEXT, ENDS_TEXT, "SLA breached: @ann on acme-x waiting 1h 02m");
	expect_keys(json_object_get(alert, "labels"),
		    (const char *[]){"alertname", "source", "platform", "mention", "severity",
				     "team", "label_source", NULL});
	expect_keys(json_object_get(alert, "annotations"),
		    (const char *[]){"summary", "description", "mention_key", NULL});
	json_decref(body);
}

/* A mention dated after now never starts after it ends; one without a
 * creation time has no startsAt (Alertmanager then uses its own now). */
Test(alertfmt_alertmanager, start_times)
{
	json_t *late = resolved_event(10), *unknown = mention_event("breach", 3720), *body;

	json_object_set_new(mention_of(late), "created_at",
			    json_string("2026-11-23T15:00:00.000Z"));
	json_object_set_new(mention_of(unknown), "created_at", json_null());
	body = am(list_of(late, unknown, NULL));
	cr_assert_eq(json_array_size(body), 3);
	cr_assert_str_eq(str_at(json_array_get(body, 0), "startsAt"), NOW_TEXT);
	cr_assert_str_eq(str_at(json_array_get(body, 1), "startsAt"), NOW_TEXT);
	cr_assert_null(json_object_get(json_array_get(body, 2), "startsAt"));
	cr_assert_str_eq(str_at(json_array_get(body, 2), "endsAt"), ENDS_TEXT);
	json_decref(body);
}

/* created_at in another offset is written back in UTC. */
Test(alertfmt_alertmanager, start_time_normalised)
{
	json_t *e = mention_event("warning", 2700), *body;

	json_object_set_new(mention_of(e), "created_at",
			    json_string("2026-11-23T13:00:00.250+01:00"));
	body = am(list_of(e, NULL));
	cr_assert_str_eq(str_at(json_array_get(body, 0), "startsAt"), "2026-11-23T12:00:00.250Z");
	json_decref(body);
}

Test(alertfmt_alertmanager, empty_list_and_order)
{
	json_t *body = am(json_array());

	cr_assert_eq(json_array_size(body), 0);
	json_decref(body);
	body = am(many_events(5));
	cr_assert_eq(json_array_size(body), 5);
	for (size_t i = 0; i < 5; i++) {
		char key[32];

		snprintf(key, sizeof(key), "acme-x:%zu", i);
		cr_assert_str_eq(
			str_at(json_object_get(json_array_get(body, i), "labels"), "mention"),
			ref_of(key));
	}
	json_decref(body);
}

Test(alertfmt_alertmanager, alertnames)
{
	cr_assert_str_eq(rw_alertfmt_alertname("warning"), "ReplySLAWarning");
	cr_assert_str_eq(rw_alertfmt_alertname("breach"), "ReplySLABreach");
	cr_assert_str_eq(rw_alertfmt_alertname("escalation"), "ReplySLABreach");
	cr_assert_str_eq(rw_alertfmt_alertname("resolved"), "ReplySLABreach");
	cr_assert_str_eq(rw_alertfmt_alertname("expired"), "ReplySLABreach");
	cr_assert_str_eq(rw_alertfmt_alertname("source_down"), "ReplySourceDown");
	cr_assert_str_eq(rw_alertfmt_alertname("source_up"), "ReplySourceDown");
	cr_assert_null(rw_alertfmt_alertname("bogus"));
	cr_assert_null(rw_alertfmt_alertname(""));
	cr_assert_null(rw_alertfmt_alertname(NULL));
}

/* ---- pagerduty ---- */

#define ROUTING_KEY "R0UT1NGKEYR0UT1NGKEYR0UT1NGKEY12"

static json_t *
pd(json_t *event)
{
	char err[200] = "";
	json_t *body = parse(rw_alertfmt_pagerduty(event, ROUTING_KEY, err, sizeof(err)), err);

	cr_assert_str_eq(str_at(body, "routing_key"), ROUTING_KEY);
	cr_assert_str_eq(str_at(body, "client"), "replywatch");
	return body;
}

static void
expect_link(const json_t *body)
{
	const json_t *links = json_object_get(body, "links");

	cr_assert_eq(json_array_size(links), 1);
	expect_keys(json_array_get(links, 0), (const char *[]){"href", "text", NULL});
	cr_assert_str_eq(str_at(json_array_get(links, 0), "href"), URL);
}

Test(alertfmt_pagerduty, breach_triggers)
{
	json_t *e = mention_event("breach", 3720), *body = pd(e), *p;

	expect_keys(body, (const char *[]){"routing_key", "event_action", "dedup_key", "payload",
					   "client", "links", NULL});
	cr_assert_str_eq(str_at(body, "event_action"), "trigger");
	cr_assert_str_eq(str_at(body, "dedup_key"), ref_of(KEY));
	p = json_object_get(body, "payload");
	expect_keys(p, (const char *[]){"summary", "source", "severity", "timestamp", "component",
					"group", "class", "custom_details", NULL});
	cr_assert_str_eq(str_at(p, "summary"),
			 "SLA breached: @ann on acme-x waiting 1h 02m (policy social)");
	cr_assert_str_eq(str_at(p, "source"), "acme-x");
	cr_assert_str_eq(str_at(p, "severity"), "critical");
	cr_assert_str_eq(str_at(p, "timestamp"), AT);
	cr_assert_str_eq(str_at(p, "component"), "x");
	cr_assert_str_eq(str_at(p, "group"), "social");
	cr_assert_str_eq(str_at(p, "class"), "breach");
	cr_assert(json_equal(json_object_get(p, "custom_details"), e), "custom_details differ");
	expect_link(body);
	json_decref(body);
	json_decref(e);
}

Test(alertfmt_pagerduty, escalation_is_an_error)
{
	json_t *e = escalation_event(2, 7200), *body = pd(e), *p = json_object_get(body, "payload");

	cr_assert_str_eq(str_at(body, "event_action"), "trigger");
	cr_assert_str_eq(str_at(body, "dedup_key"), ref_of(KEY));
	cr_assert_str_eq(str_at(p, "severity"), "error");
	cr_assert_str_eq(str_at(p, "class"), "escalation");
	cr_assert_str_eq(str_at(p, "summary"),
			 "SLA escalation, level 2: @ann on acme-x waiting 2h 00m (policy social)");
	json_decref(body);
	json_decref(e);
}

Test(alertfmt_pagerduty, source_down_triggers)
{
	json_t *e = source_event("source_down"), *body = pd(e);
	json_t *p = json_object_get(body, "payload");

	expect_keys(body, (const char *[]){"routing_key", "event_action", "dedup_key", "payload",
					   "client", NULL});
	cr_assert_str_eq(str_at(body, "event_action"), "trigger");
	cr_assert_str_eq(str_at(body, "dedup_key"), "source:acme-x");
	expect_keys(p, (const char *[]){"summary", "source", "severity", "timestamp", "component",
					"class", "custom_details", NULL});
	cr_assert_str_eq(str_at(p, "summary"), "Source down: acme-x (x): " SRC_ERROR);
	cr_assert_str_eq(str_at(p, "source"), "acme-x");
	cr_assert_str_eq(str_at(p, "severity"), "critical");
	cr_assert_str_eq(str_at(p, "timestamp"), SRC_AT);
	cr_assert_str_eq(str_at(p, "component"), "x");
	cr_assert_str_eq(str_at(p, "class"), "source_down");
	cr_assert(json_equal(json_object_get(p, "custom_details"), e));
	json_decref(body);
	json_decref(e);
}

/* resolved, expired and source_up resolve, with no payload. */
Test(alertfmt_pagerduty, resolves)
{
	json_t *events[] = {resolved_event(3905), mention_event("expired", 86400),
			    source_event("source_up")};
	const char *keys[] = {KEY, KEY, "source:acme-x"};

	for (size_t i = 0; i < 3; i++) {
		json_t *body = pd(events[i]);

		if (i < 2) {
			expect_keys(body, (const char *[]){"routing_key", "event_action",
							   "dedup_key", "client", "links", NULL});
			expect_link(body);
		} else {
			expect_keys(body, (const char *[]){"routing_key", "event_action",
							   "dedup_key", "client", NULL});
		}
		cr_assert_str_eq(str_at(body, "event_action"), "resolve");
		cr_assert_str_eq(str_at(body, "dedup_key"), i < 2 ? ref_of(keys[i]) : keys[i]);
		json_decref(body);
		json_decref(events[i]);
	}
}

Test(alertfmt_pagerduty, without_url_or_policy)
{
	json_t *e = bare(mention_event("breach", 3720)), *body = pd(e);

	expect_keys(body, (const char *[]){"routing_key", "event_action", "dedup_key", "payload",
					   "client", NULL});
	expect_keys(json_object_get(body, "payload"),
		    (const char *[]){"summary", "source", "severity", "timestamp", "component",
				     "class", "custom_details", NULL});
	json_decref(body);
	json_decref(e);
}

Test(alertfmt_pagerduty, warning_and_routing_key_refused)
{
	json_t *e = mention_event("warning", 2700);
	char err[200] = "";

	cr_assert_null(rw_alertfmt_pagerduty(e, ROUTING_KEY, err, sizeof(err)));
	cr_assert_str_eq(err, "event: PagerDuty does not get warning events");
	json_object_set_new(e, "type", json_string("breach"));
	cr_assert_null(rw_alertfmt_pagerduty(e, "", err, sizeof(err)));
	cr_assert_str_eq(err, "pagerduty: no routing key");
	cr_assert_null(rw_alertfmt_pagerduty(e, NULL, err, sizeof(err)));
	json_decref(e);
}

Test(alertfmt_pagerduty, summary_at_most_1024)
{
	json_t *e = mention_event("breach", 3720), *body;
	char *author = malloc(4001);

	cr_assert_not_null(author);
	memset(author, 'a', 4000);
	author[4000] = '\0';
	json_object_set_new(mention_of(e), "author", json_string(author));
	body = pd(e);
	cr_assert_leq(utf8_chars(str_at(json_object_get(body, "payload"), "summary")), 1024);
	free(author);
	json_decref(body);
	json_decref(e);
}

/* Any mention key, however long, becomes a dedup_key of 40 characters,
 * the same every time, and different keys stay apart; the Alertmanager
 * label is the same reference and the annotation shows the key cut. */
Test(alertfmt_pagerduty, long_dedup_key)
{
	json_t *e = mention_event("breach", 3720), *a, *b, *c, *alerts;
	char key[70000];
	const char *dk;

	memset(key, 'k', sizeof(key) - 1);
	key[sizeof(key) - 1] = '\0';
	json_object_set_new(mention_of(e), "key", json_string(key));
	a = pd(e);
	b = pd(e);
	dk = str_at(a, "dedup_key");
	cr_assert_eq(strncmp(dk, "mention_", 8), 0, "%s", dk);
	cr_assert_eq(strlen(dk), 8 + 32);
	cr_assert_eq(strspn(dk + 8, "0123456789abcdef"), 32, "%s", dk);
	cr_assert_str_eq(dk, str_at(b, "dedup_key"));
	key[300] = 'j';
	json_object_set_new(mention_of(e), "key", json_string(key));
	c = pd(e);
	cr_assert_str_neq(dk, str_at(c, "dedup_key"));
	alerts = am(list_of(json_incref(e), NULL));
	cr_assert_str_eq(str_at(json_object_get(json_array_get(alerts, 0), "labels"), "mention"),
			 str_at(c, "dedup_key"));
	cr_assert_eq(utf8_chars(str_at(json_object_get(json_array_get(alerts, 0), "annotations"),
				       "mention_key")),
		     200);
	json_decref(alerts);
	json_decref(a);
	json_decref(b);
	json_decref(c);
	json_decref(e);
}

/* ---- slack ---- */

static json_t *
slack(json_t *events)
{
	char err[200] = "";
	json_t *body = parse(rw_alertfmt_slack(events, err, sizeof(err)), err);

	expect_keys(body, (const char *[]){"text", "blocks", NULL});
	json_decref(events);
	return body;
}

/* True when one of the section's fields is exactly text. */
static bool
has_field(const json_t *section, const char *text)
{
	size_t i;
	json_t *f;

	json_array_foreach(json_object_get(section, "fields"), i, f)
	{
		if (strcmp(str_at(f, "type"), "mrkdwn") == 0 &&
		    strcmp(str_at(f, "text"), text) == 0)
			return true;
	}
	return false;
}

Test(alertfmt_slack, breach)
{
	json_t *body = slack(list_of(mention_event("breach", 3720), NULL));
	json_t *blocks = json_object_get(body, "blocks"), *s = json_array_get(blocks, 0);
	json_t *text = json_object_get(s, "text"), *button = json_object_get(s, "accessory");
	const char *fallback = str_at(body, "text");

	cr_log_info("slack body text: %s", fallback);
	cr_assert_str_eq(fallback,
			 "SLA breached: @ann on acme-x waiting 1h 02m (policy social) <" URL ">");
	expect_has(fallback, "@ann");
	expect_has(fallback, "acme-x");
	expect_has(fallback, "1h 02m");
	expect_has(fallback, URL);
	cr_assert_eq(json_array_size(blocks), 1);
	cr_assert_str_eq(str_at(s, "type"), "section");
	cr_assert_str_eq(str_at(text, "type"), "mrkdwn");
	cr_assert_str_eq(str_at(text, "text"),
			 "*SLA breached*: @ann on acme-x\n>Where is my order?");
	cr_assert(has_field(s, "*Author*\n@ann"));
	cr_assert(has_field(s, "*Source*\nacme-x (x)"));
	cr_assert(has_field(s, "*Waiting*\n1h 02m"));
	cr_assert(has_field(s, "*Business time*\n52m 00s"));
	cr_assert(has_field(s, "*Policy*\nsocial (warn 45m 00s, breach 1h 00m)"));
	cr_assert(has_field(s, "*Due*\n2026-11-23T13:00:00.000Z"));
	cr_assert_eq(json_array_size(json_object_get(s, "fields")), 6);
	cr_assert_str_eq(str_at(button, "type"), "button");
	cr_assert_str_eq(str_at(button, "url"), URL);
	cr_assert_str_eq(str_at(json_object_get(button, "text"), "type"), "plain_text");
	cr_assert(json_is_string(json_object_get(button, "action_id")));
	json_decref(body);
}

Test(alertfmt_slack, every_type_has_its_facts)
{
	json_t *body = slack(list_of(mention_event("warning", 2700), escalation_event(2, 7260),
				     resolved_event(3905), mention_event("expired", 183600),
				     source_event("source_down"), source_event("source_up"), NULL));
	json_t *blocks = json_object_get(body, "blocks");
	const char *fallback = str_at(body, "text");

	cr_assert_eq(json_array_size(blocks), 6);
	cr_assert_str_eq(fallback,
			 "SLA warning: @ann on acme-x waiting 45m 00s (policy social) <" URL ">\n"
			 "SLA escalation, level 2: @ann on acme-x waiting 2h 01m (policy social)"
			 " <" URL ">\n"
			 "Resolved: @ann on acme-x after 1h 05m (policy social) <" URL ">\n"
			 "Expired unanswered: @ann on acme-x after 2d 3h (policy social)"
			 " <" URL ">\n"
			 "Source down: acme-x (x): " SRC_ERROR "\n"
			 "Source up: acme-x (x)");
	cr_assert(has_field(json_array_get(blocks, 0), "*Waiting*\n45m 00s"));
	cr_assert(has_field(json_array_get(blocks, 1), "*Level*\n2"));
	cr_assert(has_field(json_array_get(blocks, 2), "*Answered after*\n1h 05m"));
	cr_assert(has_field(json_array_get(blocks, 3), "*Waited*\n2d 3h"));
	cr_assert(has_field(json_array_get(blocks, 4), "*Source*\nacme-x"));
	cr_assert(has_field(json_array_get(blocks, 4), "*Type*\nx"));
	cr_assert(has_field(json_array_get(blocks, 4), "*State*\ndown"));
	cr_assert(has_field(json_array_get(blocks, 4), "*Error*\n" SRC_ERROR));
	cr_assert(has_field(json_array_get(blocks, 5), "*State*\nok"));
	cr_assert_null(json_object_get(json_array_get(blocks, 4), "accessory"));
	cr_assert_str_eq(str_at(json_object_get(json_array_get(blocks, 4), "text"), "text"),
			 "*Source down*: acme-x");
	json_decref(body);
}

Test(alertfmt_slack, without_url_or_policy)
{
	json_t *body = slack(list_of(bare(mention_event("breach", 3720)), NULL));
	json_t *s = json_array_get(json_object_get(body, "blocks"), 0);

	cr_assert_str_eq(str_at(body, "text"), "SLA breached: @ann on acme-x waiting 1h 02m");
	cr_assert_null(json_object_get(s, "accessory"));
	/* Author, Source, Waiting, Business time, Due: no Policy. */
	cr_assert_eq(json_array_size(json_object_get(s, "fields")), 5);
	cr_assert(has_field(s, "*Due*\n2026-11-23T13:00:00.000Z"));
	json_decref(body);
}

/* &, < and > from outside are escaped; a post's lines become one quote. */
Test(alertfmt_slack, escaping)
{
	json_t *e = mention_event("breach", 45), *body, *s;

	json_object_set_new(mention_of(e), "author", json_string("<!channel>&co"));
	json_object_set_new(mention_of(e), "text", json_string("a <b>\n*c*"));
	json_object_set_new(mention_of(e), "url", json_string("https://x.example/a?b=1&c=<2>|3"));
	body = slack(list_of(e, NULL));
	s = json_array_get(json_object_get(body, "blocks"), 0);
	cr_assert_str_eq(str_at(body, "text"),
			 "SLA breached: @&lt;!channel&gt;&amp;co on acme-x waiting 45s (policy "
			 "social) <https://x.example/a?b=1&c=%3C2%3E%7C3>");
	cr_assert_str_eq(str_at(json_object_get(s, "text"), "text"),
			 "*SLA breached*: @&lt;!channel&gt;&amp;co on acme-x\n>a &lt;b&gt; *c*");
	cr_assert(has_field(s, "*Author*\n@&lt;!channel&gt;&amp;co"));
	json_decref(body);
}

/* 50 events fill the 50 blocks. */
Test(alertfmt_slack, fifty_events_fit)
{
	json_t *body = slack(many_events(50));
	json_t *blocks = json_object_get(body, "blocks");

	cr_assert_eq(json_array_size(blocks), 50);
	for (size_t i = 0; i < 50; i++)
		cr_assert_str_eq(str_at(json_array_get(blocks, i), "type"), "section");
	expect_has(str_at(json_object_get(json_array_get(blocks, 49), "text"), "text"), "@user49");
	cr_assert_null(strstr(str_at(body, "text"), "more"));
	json_decref(body);
}

/* Past 50, 49 sections and a context block "and N more". */
Test(alertfmt_slack, more_than_fifty_are_summarised)
{
	static const size_t counts[] = {51, 120};

	for (size_t c = 0; c < 2; c++) {
		json_t *body = slack(many_events(counts[c]));
		json_t *blocks = json_object_get(body, "blocks"), *last, *el;
		const char *fallback = str_at(body, "text");
		char more[32];
		size_t lines = 1;

		snprintf(more, sizeof(more), "and %zu more", counts[c] - 49);
		cr_assert_eq(json_array_size(blocks), 50);
		for (size_t i = 0; i < 49; i++)
			cr_assert_str_eq(str_at(json_array_get(blocks, i), "type"), "section");
		expect_has(str_at(json_object_get(json_array_get(blocks, 48), "text"), "text"),
			   "@user48");
		last = json_array_get(blocks, 49);
		expect_keys(last, (const char *[]){"type", "elements", NULL});
		cr_assert_str_eq(str_at(last, "type"), "context");
		cr_assert_eq(json_array_size(json_object_get(last, "elements")), 1);
		el = json_array_get(json_object_get(last, "elements"), 0);
		cr_assert_str_eq(str_at(el, "type"), "mrkdwn");
		cr_assert_str_eq(str_at(el, "text"), more);
		for (const char *p = fallback; *p != '\0'; p++)
			lines += *p == '\n';
		cr_assert_eq(lines, 50, "%zu lines", lines);
		expect_has(fallback, more);
		expect_has(fallback, "@user48 ");
		cr_assert_null(strstr(fallback, "@user49 "));
		json_decref(body);
	}
}

/* Long names everywhere: the fallback text stays under Slack's 40 000
 * characters and says how many lines it left out. */
Test(alertfmt_slack, text_stays_under_slacks_limit)
{
	json_t *events = many_events(60), *body, *e;
	char name[101];
	const char *text;
	size_t i;

	memset(name, '<', 100);
	name[100] = '\0';
	json_array_foreach(events, i, e)
	{
		json_object_set_new(mention_of(e), "author", json_string(name));
		json_object_set_new(json_object_get(e, "policy"), "name", json_string(name));
	}
	body = slack(events);
	text = str_at(body, "text");
	cr_log_info("slack text of 60 long events: %zu characters", utf8_chars(text));
	cr_assert_leq(utf8_chars(text), 40000);
	cr_assert_eq(json_array_size(json_object_get(body, "blocks")), 50);
	cr_assert_not_null(strstr(text, " more"), "no \"and N more\"");
	json_decref(body);
}

Test(alertfmt_slack, empty_list_refused)
{
	json_t *events = json_array();
	char err[200] = "";

	cr_assert_null(rw_alertfmt_slack(events, err, sizeof(err)));
	cr_assert_str_eq(err, "events: empty (Slack needs a message)");
	json_decref(events);
}

/* A very long post is quoted in part; the fields stay inside Slack's limits. */
Test(alertfmt_slack, long_text_is_cut)
{
	json_t *e = mention_event("breach", 3720), *body, *s, *f;
	char *text = malloc(10001);
	size_t i;

	cr_assert_not_null(text);
	memset(text, '<', 10000);
	text[10000] = '\0';
	json_object_set_new(mention_of(e), "text", json_string(text));
	body = slack(list_of(e, NULL));
	s = json_array_get(json_object_get(body, "blocks"), 0);
	cr_assert_leq(utf8_chars(str_at(json_object_get(s, "text"), "text")), 3000);
	json_array_foreach(json_object_get(s, "fields"), i, f)
		cr_assert_leq(utf8_chars(str_at(f, "text")), 2000);
	free(text);
	json_decref(body);
}
