/*
 * test_mention: the stored mention record — RFC 3339 times, state names and
 * codes, the hash fields written for a mention and decoded back from a
 * HGETALL reply (built with hiredis' own reader from RESP text), and the
 * JSON a mention has in the HTTP API.
 */
#include <criterion/criterion.h>
#include <hiredis/hiredis.h>
#include <jansson.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "replywatch/config.h"
#include "replywatch/item.h"
#include "replywatch/mention.h"

#include "rwtest.h"

/* 2026-11-23T12:00:00Z */
#define T0 1795435200000LL
#define HOUR_MS 3600000LL

#define expect_ms(got, want)                                                                       \
	cr_assert_eq((got), (want), "%s = %lld, want %lld", #got, (long long)(got),                \
		     (long long)(want))

/* ---- rw_time_parse ---- */

static void
expect_time(const char *text, int64_t want)
{
	int64_t ms = -12345;

	cr_assert_eq(rw_time_parse(text, &ms), 0, "\"%s\" rejected", text);
	cr_assert_eq(ms, want, "\"%s\" = %lld, want %lld", text, (long long)ms, (long long)want);
}

static void
expect_bad_time(const char *text)
{
	int64_t ms = -12345;

	cr_assert_eq(rw_time_parse(text, &ms), -1, "\"%s\" accepted as %lld", text, (long long)ms);
	cr_assert_eq(ms, -12345, "\"%s\": output written on failure", text);
}

Test(time_parse, utc_z)
{
	expect_time("2026-11-23T12:00:00Z", T0);
	expect_time("1970-01-01T00:00:00Z", 0);
	expect_time("2026-11-23T00:00:00Z", T0 - 12 * HOUR_MS);
}

Test(time_parse, offsets)
{
	expect_time("2026-11-23T14:00:00+02:00", T0);
	expect_time("2026-11-23T06:30:00-05:30", T0);
	expect_time("2026-11-23T12:00:00+00:00", T0);
	expect_time("2026-11-23T12:00:00-00:00", T0);
	/* The offset moves the date too. */
	expect_time("2026-11-24T01:45:00+13:45", T0);
	expect_time("2026-11-22T23:00:00-13:00", T0);
}

/* ms kept, further digits truncated (not rounded). */
Test(time_parse, fractions)
{
	expect_time("2026-11-23T12:00:00.1Z", T0 + 100);
	expect_time("2026-11-23T12:00:00.12Z", T0 + 120);
	expect_time("2026-11-23T12:00:00.123Z", T0 + 123);
	expect_time("2026-11-23T12:00:00.1239Z", T0 + 123);
	expect_time("2026-11-23T12:00:00.12399Z", T0 + 123);
	expect_time("2026-11-23T12:00:00.123999Z", T0 + 123);
	expect_time("2026-11-23T12:00:00.0009999Z", T0);
	expect_time("2026-11-23T12:00:00.99999999Z", T0 + 999);
	expect_time("2026-11-23T12:00:00.999999999Z", T0 + 999);
	expect_time("2026-11-23T12:00:00.050+02:00", T0 - 2 * HOUR_MS + 50);
}

/* RFC 3339 5.6: t and z may be lower case; a space may separate. */
Test(time_parse, lower_case_and_space)
{
	expect_time("2026-11-23t12:00:00z", T0);
	expect_time("2026-11-23t12:00:00.5Z", T0 + 500);
	expect_time("2026-11-23 12:00:00Z", T0);
}

/* A leap second counts as the second before it. */
Test(time_parse, leap_second)
{
	expect_time("2016-12-31T23:59:60Z", 1483228799000LL);
	expect_time("2016-12-31T23:59:60.5Z", 1483228799500LL);
}

Test(time_parse, calendar_dates)
{
	expect_time("2024-02-29T00:00:00Z", 1709164800000LL);
	expect_bad_time("2026-02-29T00:00:00Z");
	expect_bad_time("2026-02-30T12:00:00Z");
	expect_bad_time("2026-04-31T12:00:00Z");
	expect_bad_time("2026-13-01T12:00:00Z");
	expect_bad_time("2026-00-10T12:00:00Z");
	expect_bad_time("2026-11-00T12:00:00Z");
	expect_bad_time("2026-11-32T12:00:00Z");
}

Test(time_parse, clock_out_of_range)
{
	expect_bad_time("2026-11-23T25:00:00Z");
	expect_bad_time("2026-11-23T24:00:00Z");
	expect_bad_time("2026-11-23T12:60:00Z");
	expect_bad_time("2026-11-23T12:00:61Z");
	expect_bad_time("2026-11-23T12:00:00+24:00");
	expect_bad_time("2026-11-23T12:00:00+02:60");
}

Test(time_parse, malformed)
{
	expect_bad_time("");
	expect_bad_time("2026-11-23");
	expect_bad_time("2026-11-23T12:00:00");      /* no zone */
	expect_bad_time("2026-11-23T12:00Z");        /* no seconds */
	expect_bad_time("2026-11-23T12:00:00.Z");    /* empty fraction */
	expect_bad_time("2026-11-23T12:00:00+0200"); /* offset without colon */
	expect_bad_time("2026-11-23T12:00:00+02");
	expect_bad_time("2026-11-23X12:00:00Z");
	expect_bad_time("26-11-23T12:00:00Z");
	expect_bad_time("2026/11/23T12:00:00Z");
	expect_bad_time("2026-1-23T12:00:00Z");
	expect_bad_time("yesterday");
}

Test(time_parse, trailing_garbage)
{
	expect_bad_time("2026-11-23T12:00:00Z ");
	expect_bad_time("2026-11-23T12:00:00Zx");
	expect_bad_time("2026-11-23T12:00:00ZZ");
	expect_bad_time("2026-11-23T12:00:00+02:00:00");
	expect_bad_time("2026-11-23T12:00:00.5Z\n");
}

/* ---- rw_time_format ---- */

static void
expect_format(int64_t ms, const char *want)
{
	char buf[40];

	cr_assert_str_eq(rw_time_format(ms, buf, sizeof(buf)), want, "%lld", (long long)ms);
}

Test(time_format, milliseconds_always)
{
	expect_format(T0, "2026-11-23T12:00:00.000Z");
	expect_format(T0 + 123, "2026-11-23T12:00:00.123Z");
	expect_format(T0 + 5, "2026-11-23T12:00:00.005Z");
	expect_format(T0 - 1, "2026-11-23T11:59:59.999Z");
}

Test(time_format, zero_and_negative)
{
	expect_format(0, "1970-01-01T00:00:00.000Z");
	expect_format(-1, "1969-12-31T23:59:59.999Z");
	expect_format(-999, "1969-12-31T23:59:59.001Z");
	expect_format(-1000, "1969-12-31T23:59:59.000Z");
	expect_format(-1001, "1969-12-31T23:59:58.999Z");
	expect_format(-86400000LL, "1969-12-31T00:00:00.000Z");
}

/* The buffer is returned; a short one is cut and terminated. */
Test(time_format, returns_buffer)
{
	char buf[40], small[11];

	cr_assert_eq(rw_time_format(T0, buf, sizeof(buf)), buf);
	cr_assert_str_eq(rw_time_format(T0, small, sizeof(small)), "2026-11-23");
}

Test(time_format, round_trip)
{
	static const int64_t values[] = {0,
					 1,
					 999,
					 1000,
					 -1,
					 -999,
					 -1000,
					 -1001,
					 T0,
					 T0 + 1,
					 T0 + 999,
					 951782400123LL,
					 4102444799999LL,
					 -86399999LL};

	for (size_t i = 0; i < sizeof(values) / sizeof(values[0]); i++) {
		char buf[40];
		int64_t back = 0;

		rw_time_format(values[i], buf, sizeof(buf));
		cr_assert_eq(rw_time_parse(buf, &back), 0, "%s", buf);
		cr_assert_eq(back, values[i], "%lld -> %s -> %lld", (long long)values[i], buf,
			     (long long)back);
	}
}

/* Found by fuzz/fuzz_time: an offset carried 9999-12-31 into year 10000
 * and a parsed year 0000 formatted as "0-01-01...", times the API would
 * show and no RFC 3339 reader could take back. */
Test(time_parse, regression_offset_past_four_digit_years_rejected)
{
	expect_bad_time("9999-12-31T23:59:59-00:01");
	expect_bad_time("9999-12-31T20:00:00-05:00");
	expect_bad_time("0000-01-01T00:00:00+00:01");
	expect_time("9999-12-31T23:59:59.999Z", RW_TIME_MAX_MS);
	expect_time("9999-12-31T23:59:59.999+01:00", RW_TIME_MAX_MS - HOUR_MS);
	expect_time("0000-01-01T00:00:00Z", RW_TIME_MIN_MS);
	expect_time("0000-01-01T00:00:00-01:00", RW_TIME_MIN_MS + HOUR_MS);
}

Test(time_format, regression_years_before_1000_have_four_digits)
{
	static const int64_t values[] = {RW_TIME_MIN_MS, RW_TIME_MIN_MS + 43200000,
					 -59011459200000LL /* 0100-01-01 */, RW_TIME_MAX_MS};

	expect_format(RW_TIME_MIN_MS, "0000-01-01T00:00:00.000Z");
	expect_format(-59011459200000LL, "0100-01-01T00:00:00.000Z");
	expect_format(RW_TIME_MAX_MS, "9999-12-31T23:59:59.999Z");
	for (size_t i = 0; i < sizeof(values) / sizeof(values[0]); i++) {
		char buf[40];
		int64_t back = 0;

		rw_time_format(values[i], buf, sizeof(buf));
		cr_assert_eq(rw_time_parse(buf, &back), 0, "%s", buf);
		cr_assert_eq(back, values[i], "%s", buf);
	}
}

/* ---- state helpers ---- */

Test(state, names_and_codes)
{
	static const char *const names[] = {"open",    "warning", "breached",
					    "replied", "closed",  "expired"};
	static const char codes[] = {'o', 'w', 'b', 'r', 'c', 'x'};

	cr_assert_eq(RW_STATE_COUNT, 6);
	for (int i = 0; i < RW_STATE_COUNT; i++) {
		enum rw_state s = RW_STATE_COUNT;

		cr_assert_str_eq(rw_state_name((enum rw_state)i), names[i]);
		cr_assert_eq(rw_state_code((enum rw_state)i), codes[i]);
		cr_assert_eq(rw_state_parse(names[i], &s), 0, "%s", names[i]);
		cr_assert_eq(s, (enum rw_state)i);
		s = RW_STATE_COUNT;
		cr_assert_eq(rw_state_from_code(codes[i], &s), 0, "%c", codes[i]);
		cr_assert_eq(s, (enum rw_state)i);
	}
}

Test(state, unknown)
{
	enum rw_state s = RW_STATE_CLOSED;

	cr_assert_str_eq(rw_state_name(RW_STATE_COUNT), "unknown");
	cr_assert_str_eq(rw_state_name((enum rw_state) - 1), "unknown");
	cr_assert_eq(rw_state_code(RW_STATE_COUNT), '?');
	cr_assert_eq(rw_state_parse("OPEN", &s), -1);
	cr_assert_eq(rw_state_parse("", &s), -1);
	cr_assert_eq(rw_state_parse("o", &s), -1);
	cr_assert_eq(rw_state_parse("opened", &s), -1);
	cr_assert_eq(rw_state_from_code('O', &s), -1);
	cr_assert_eq(rw_state_from_code('?', &s), -1);
	cr_assert_eq(rw_state_from_code('\0', &s), -1);
	/* Failures leave the output alone. */
	cr_assert_eq(s, RW_STATE_CLOSED);
}

Test(state, is_open)
{
	cr_assert_eq(rw_state_is_open(RW_STATE_OPEN), true);
	cr_assert_eq(rw_state_is_open(RW_STATE_WARNING), true);
	cr_assert_eq(rw_state_is_open(RW_STATE_BREACHED), true);
	cr_assert_eq(rw_state_is_open(RW_STATE_REPLIED), false);
	cr_assert_eq(rw_state_is_open(RW_STATE_CLOSED), false);
	cr_assert_eq(rw_state_is_open(RW_STATE_EXPIRED), false);
	cr_assert_eq(rw_state_is_open(RW_STATE_COUNT), false);
}

/* ---- fields and decode ---- */

/* Appends one RESP bulk string. */
static void
resp_bulk(FILE *f, const char *s, size_t len)
{
	fprintf(f, "$%zu\r\n", len);
	fwrite(s, 1, len, f);
	fputs("\r\n", f);
}

/* Parses RESP text with hiredis' reader into one reply (caller frees). */
static redisReply *
resp_parse(const char *text, size_t len)
{
	redisReader *r = redisReaderCreate();
	void *reply = NULL;

	cr_assert_not_null(r);
	cr_assert_eq(redisReaderFeed(r, text, len), REDIS_OK);
	cr_assert_eq(redisReaderGetReply(r, &reply), REDIS_OK, "reader: %s", r->errstr);
	cr_assert_not_null(reply, "incomplete RESP");
	redisReaderFree(r);
	return reply;
}

/* A HGETALL reply holding the fields of obj (string values), then the extra
 * field/value pairs (NULL-terminated). */
static redisReply *
hgetall_reply(const json_t *obj, ...)
{
	char *text = NULL;
	size_t len = 0, count = json_object_size(obj);
	FILE *f = open_memstream(&text, &len);
	const char *key, *extra;
	json_t *v;
	va_list ap;
	redisReply *reply;

	cr_assert_not_null(f);
	va_start(ap, obj);
	while (va_arg(ap, const char *) != NULL) {
		cr_assert_not_null(va_arg(ap, const char *));
		count++;
	}
	va_end(ap);
	fprintf(f, "*%zu\r\n", 2 * count);
	json_object_foreach((json_t *)obj, key, v)
	{
		cr_assert(json_is_string(v), "field %s is not a string", key);
		resp_bulk(f, key, strlen(key));
		resp_bulk(f, json_string_value(v), json_string_length(v));
	}
	va_start(ap, obj);
	while ((extra = va_arg(ap, const char *)) != NULL) {
		const char *value = va_arg(ap, const char *);

		resp_bulk(f, extra, strlen(extra));
		resp_bulk(f, value, strlen(value));
	}
	va_end(ap);
	cr_assert_eq(fclose(f), 0);
	reply = resp_parse(text, len);
	free(text);
	return reply;
}

/* A mention with every field set, as tracking would leave a replied one. */
static void
full_mention(struct rw_mention *m)
{
	struct rw_item item = {
		.id = "109876543210",
		.created_at_ms = T0 + 250,
		.author = "alice",
		.has_followers = true,
		.author_followers = 12345,
		.text = "Where is my order?\r\n*2\r\n$1 \xc5\xbc\xc3\xb3\xc5\x82w",
		.url = "https://x.example/s/1",
		.kind = RW_KIND_REVIEW,
		.conversation_id = "conv-7",
		.has_rating = true,
		.rating = 2,
	};

	cr_assert_eq(rw_mention_from_item(m, &item), 0);
	m->state = RW_STATE_REPLIED;
	m->policy = strdup("vip");
	m->warn_at = T0 + 45 * 60000;
	m->breach_at = T0 + HOUR_MS;
	m->escalate_at[0] = T0 + 2 * HOUR_MS;
	m->escalate_at[1] = T0 + 4 * HOUR_MS;
	m->escalate_at[2] = T0 + 8 * HOUR_MS;
	m->nescalate = 3;
	m->expire_at = T0 + 7 * 24 * HOUR_MS;
	m->warned = true;
	m->breached = true;
	m->escalated = 2;
	m->resolved_at = T0 + 5 * HOUR_MS;
	m->has_response = true;
	m->response_ms = 5 * HOUR_MS - 250;
	m->business_ms = 3 * HOUR_MS + 17;
	m->reply_id = strdup("reply-1");
	m->close_reason = strdup("answered by phone");
	cr_assert(m->policy && m->reply_id && m->close_reason);
}

static void
expect_field(const json_t *o, const char *key, const char *want)
{
	const json_t *v = json_object_get(o, key);

	cr_assert_not_null(v, "field %s missing", key);
	cr_assert_str_eq(json_string_value(v), want, "field %s", key);
}

Test(mention, from_item_copies_every_field)
{
	struct rw_mention m;

	full_mention(&m);
	cr_assert_str_eq(m.id, "109876543210");
	cr_assert_str_eq(m.author, "alice");
	cr_assert_eq(m.has_followers, true);
	expect_ms(m.followers, 12345);
	cr_assert_str_eq(m.url, "https://x.example/s/1");
	cr_assert_eq(m.kind, RW_KIND_REVIEW);
	cr_assert_str_eq(m.conversation_id, "conv-7");
	cr_assert_eq(m.has_rating, true);
	cr_assert_eq(m.rating, 2);
	expect_ms(m.created_ms, T0 + 250);
	rw_mention_clear(&m);
}

/* An item without a kind becomes a mention; strings are copies. */
Test(mention, from_item_minimal)
{
	char id[] = "1", author[] = "bob";
	struct rw_item item = {.id = id, .author = author, .created_at_ms = T0};
	struct rw_mention m;

	cr_assert_eq(rw_mention_from_item(&m, &item), 0);
	id[0] = 'X';
	author[0] = 'X';
	cr_assert_str_eq(m.id, "1");
	cr_assert_str_eq(m.author, "bob");
	cr_assert_eq(m.kind, RW_KIND_MENTION);
	cr_assert_null(m.text);
	cr_assert_null(m.url);
	cr_assert_null(m.conversation_id);
	cr_assert_eq(m.has_followers, false);
	cr_assert_eq(m.has_rating, false);
	cr_assert_eq(m.state, RW_STATE_OPEN);
	cr_assert_null(m.policy);
	rw_mention_clear(&m);
}

Test(mention, fields_of_full_mention)
{
	static const char *const keys[] = {"k",  "a",  "f",  "t",  "u",  "c", "v",  "g",
					   "s",  "p",  "W",  "B",  "E",  "X", "fw", "fb",
					   "fe", "ra", "rw", "rb", "ri", "cr"};
	struct rw_mention m;
	json_t *o;

	full_mention(&m);
	o = rw_mention_fields(&m);
	cr_assert_not_null(o);
	cr_assert_eq(json_object_size(o), sizeof(keys) / sizeof(keys[0]), "%zu fields",
		     json_object_size(o));
	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
		cr_assert(json_is_string(json_object_get(o, keys[i])), "field %s", keys[i]);
	expect_field(o, "k", "review");
	expect_field(o, "a", "alice");
	expect_field(o, "f", "12345");
	expect_field(o, "t", m.text);
	expect_field(o, "u", "https://x.example/s/1");
	expect_field(o, "c", "1795435200250");
	expect_field(o, "v", "conv-7");
	expect_field(o, "g", "2");
	expect_field(o, "s", "r");
	expect_field(o, "p", "vip");
	expect_field(o, "W", "1795437900000");
	expect_field(o, "B", "1795438800000");
	expect_field(o, "E", "1795442400000,1795449600000,1795464000000");
	expect_field(o, "X", "1796040000000");
	expect_field(o, "fw", "1");
	expect_field(o, "fb", "1");
	expect_field(o, "fe", "2");
	expect_field(o, "ra", "1795453200000");
	expect_field(o, "rw", "17999750");
	expect_field(o, "rb", "10800017");
	expect_field(o, "ri", "reply-1");
	expect_field(o, "cr", "answered by phone");
	json_decref(o);
	rw_mention_clear(&m);
}

/* Defaults are left out (kind mention, unknown followers, flags), deadlines not. */
Test(mention, fields_of_minimal_mention)
{
	struct rw_item item = {.id = "1", .author = "bob", .created_at_ms = T0};
	struct rw_mention m;
	json_t *o;

	cr_assert_eq(rw_mention_from_item(&m, &item), 0);
	o = rw_mention_fields(&m);
	cr_assert_not_null(o);
	cr_assert_eq(json_object_size(o), 8, "%zu fields", json_object_size(o));
	expect_field(o, "a", "bob");
	expect_field(o, "c", "1795435200000");
	expect_field(o, "s", "o");
	/* No policy and no deadlines are written as empty / "0", so a re-match
	 * can clear them (the apply script only overwrites fields). */
	expect_field(o, "p", "");
	expect_field(o, "W", "0");
	expect_field(o, "B", "0");
	expect_field(o, "E", "");
	expect_field(o, "X", "0");
	json_decref(o);
	rw_mention_clear(&m);
}

Test(mention, decode_round_trips_every_field)
{
	struct rw_mention m, d;
	json_t *o;
	redisReply *reply;

	full_mention(&m);
	o = rw_mention_fields(&m);
	cr_assert_not_null(o);
	reply = hgetall_reply(o, "y", "42", NULL);
	cr_assert_eq(rw_mention_decode(&d, "109876543210", reply), 0);

	cr_assert_str_eq(d.id, "109876543210");
	cr_assert_eq(d.kind, RW_KIND_REVIEW);
	cr_assert_str_eq(d.author, "alice");
	cr_assert_eq(d.has_followers, true);
	expect_ms(d.followers, 12345);
	cr_assert_str_eq(d.text, m.text);
	cr_assert_str_eq(d.url, "https://x.example/s/1");
	expect_ms(d.created_ms, T0 + 250);
	cr_assert_str_eq(d.conversation_id, "conv-7");
	cr_assert_eq(d.has_rating, true);
	cr_assert_eq(d.rating, 2);
	cr_assert_eq(d.state, RW_STATE_REPLIED);
	cr_assert_str_eq(d.policy, "vip");
	expect_ms(d.warn_at, m.warn_at);
	expect_ms(d.breach_at, m.breach_at);
	cr_assert_eq(d.nescalate, 3);
	for (size_t i = 0; i < 3; i++)
		expect_ms(d.escalate_at[i], m.escalate_at[i]);
	expect_ms(d.expire_at, m.expire_at);
	cr_assert_eq(d.warned, true);
	cr_assert_eq(d.breached, true);
	cr_assert_eq(d.escalated, 2);
	expect_ms(d.resolved_at, m.resolved_at);
	cr_assert_eq(d.has_response, true);
	expect_ms(d.response_ms, 5 * HOUR_MS - 250);
	expect_ms(d.business_ms, 3 * HOUR_MS + 17);
	cr_assert_str_eq(d.reply_id, "reply-1");
	cr_assert_str_eq(d.close_reason, "answered by phone");
	/* The version is the apply script's, not in the fields. */
	cr_assert_eq(d.version, 42);

	rw_mention_clear(&d);
	freeReplyObject(reply);
	json_decref(o);
	rw_mention_clear(&m);
}

/* What is left out decodes back to its default. */
Test(mention, decode_round_trips_minimal)
{
	struct rw_item item = {.id = "1", .author = "bob", .created_at_ms = T0};
	struct rw_mention m, d;
	json_t *o;
	redisReply *reply;

	cr_assert_eq(rw_mention_from_item(&m, &item), 0);
	m.state = RW_STATE_WARNING;
	m.followers = 0;
	m.has_followers = true; /* a known zero is kept */
	o = rw_mention_fields(&m);
	reply = hgetall_reply(o, NULL);
	cr_assert_eq(rw_mention_decode(&d, "1", reply), 0);
	cr_assert_str_eq(d.id, "1");
	cr_assert_eq(d.kind, RW_KIND_MENTION);
	cr_assert_str_eq(d.author, "bob");
	cr_assert_eq(d.has_followers, true);
	expect_ms(d.followers, 0);
	cr_assert_null(d.text);
	cr_assert_null(d.url);
	cr_assert_null(d.conversation_id);
	cr_assert_eq(d.has_rating, false);
	cr_assert_eq(d.state, RW_STATE_WARNING);
	cr_assert_null(d.policy);
	expect_ms(d.warn_at, 0);
	expect_ms(d.breach_at, 0);
	cr_assert_eq(d.nescalate, 0);
	expect_ms(d.expire_at, 0);
	cr_assert(!d.warned && !d.breached && d.escalated == 0);
	expect_ms(d.resolved_at, 0);
	cr_assert_eq(d.has_response, false);
	cr_assert_null(d.reply_id);
	cr_assert_null(d.close_reason);
	cr_assert_eq(d.version, 0);
	rw_mention_clear(&d);
	freeReplyObject(reply);
	json_decref(o);
	rw_mention_clear(&m);
}

/*
 * BUG (daemon/mention.c, rw_mention_fields, with daemon/lua/apply.lua): the
 * fields are applied with HSET only, and rw_mention_fields leaves out "W",
 * "B" and "E" when they are 0 / empty, on the premise that "the fields left
 * out never change back once set". A re-match after a reload does change
 * them back (policy -> no policy, warning step or escalation ladder
 * removed), so the old instants stay in the hash and the next decode brings
 * them back: a mention now without an SLA still shows breach_at, and later
 * raises the old policy's breach and escalations. Simulated here: the
 * fields of the first schedule, then HSET of the re-matched ones, decoded.
 * Fixed; kept as a regression test.
 */
Test(mention, rematch_clears_removed_deadlines)
{
	struct rw_mention m, d;
	json_t *stored, *again;
	redisReply *reply;

	full_mention(&m);
	m.state = RW_STATE_BREACHED;
	stored = rw_mention_fields(&m);
	/* Re-matched to no policy: no warning, breach or escalation any more. */
	free(m.policy);
	m.policy = NULL;
	m.warn_at = m.breach_at = 0;
	m.nescalate = 0;
	again = rw_mention_fields(&m);
	cr_assert_eq(json_object_update(stored, again), 0); /* HSET semantics */
	reply = hgetall_reply(stored, NULL);
	cr_assert_eq(rw_mention_decode(&d, m.id, reply), 0);
	cr_assert_null(d.policy);
	expect_ms(d.warn_at, 0);
	expect_ms(d.breach_at, 0);
	cr_assert_eq(d.nescalate, 0);
	rw_mention_clear(&d);
	freeReplyObject(reply);
	json_decref(again);
	json_decref(stored);
	rw_mention_clear(&m);
}

/* Fields a newer daemon may write are ignored. */
Test(mention, decode_ignores_unknown_fields)
{
	static const char resp[] = "*6\r\n$1\r\na\r\n$3\r\nbob\r\n$1\r\nc\r\n$3\r\n123\r\n"
				   "$2\r\nzz\r\n$5\r\nhello\r\n";
	redisReply *reply = resp_parse(resp, sizeof(resp) - 1);
	struct rw_mention d;

	cr_assert_eq(rw_mention_decode(&d, "7", reply), 0);
	cr_assert_str_eq(d.author, "bob");
	expect_ms(d.created_ms, 123);
	cr_assert_eq(d.state, RW_STATE_OPEN);
	rw_mention_clear(&d);
	freeReplyObject(reply);
}

/* Found by fuzz/fuzz_mention: a reply naming a string field twice leaked
 * the first copy. The last value counts; the sanitizer build (which
 * scripts/test.sh checks for leak reports) fails this test without the fix. */
Test(mention, regression_decode_field_twice_keeps_last_without_leak)
{
	static const char resp[] = "*10\r\n$1\r\na\r\n$3\r\nbob\r\n$1\r\nc\r\n$3\r\n123\r\n"
				   "$1\r\na\r\n$5\r\nalice\r\n$1\r\nt\r\n$2\r\nhi\r\n"
				   "$1\r\nt\r\n$3\r\nbye\r\n";
	redisReply *reply = resp_parse(resp, sizeof(resp) - 1);
	struct rw_mention d;

	cr_assert_eq(rw_mention_decode(&d, "7", reply), 0);
	cr_assert_str_eq(d.author, "alice");
	cr_assert_str_eq(d.text, "bye");
	rw_mention_clear(&d);
	freeReplyObject(reply);
}

/* No such mention: HGETALL answers an empty array. */
Test(mention, decode_empty_is_absent)
{
	redisReply *reply = resp_parse("*0\r\n", 4);
	struct rw_mention d;

	cr_assert_eq(rw_mention_decode(&d, "1", reply), 1);
	cr_assert_null(d.id);
	cr_assert_null(d.author);
	freeReplyObject(reply);
}

static void
expect_malformed(const char *resp, const char *what)
{
	redisReply *reply = resp_parse(resp, strlen(resp));
	struct rw_mention d;

	cr_assert_eq(rw_mention_decode(&d, "1", reply), -1, "%s", what);
	/* Nothing half-decoded is left behind (and ASan sees no leak). */
	cr_assert_null(d.id, "%s", what);
	cr_assert_null(d.author, "%s", what);
	cr_assert_null(d.policy, "%s", what);
	freeReplyObject(reply);
}

Test(mention, decode_malformed)
{
	expect_malformed("*3\r\n$1\r\na\r\n$3\r\nbob\r\n$1\r\nc\r\n", "odd count");
	expect_malformed("*6\r\n$1\r\na\r\n$3\r\nbob\r\n$1\r\nc\r\n$3\r\n123\r\n"
			 "$1\r\ns\r\n$1\r\nq\r\n",
			 "unknown state code");
	expect_malformed("*6\r\n$1\r\na\r\n$3\r\nbob\r\n$1\r\nc\r\n$3\r\n123\r\n"
			 "$1\r\ns\r\n$2\r\nob\r\n",
			 "state of two letters");
	expect_malformed("*6\r\n$1\r\np\r\n$3\r\nvip\r\n$1\r\nc\r\n$3\r\n123\r\n"
			 "$1\r\ns\r\n$1\r\no\r\n",
			 "missing author");
	expect_malformed("*4\r\n$1\r\np\r\n$3\r\nvip\r\n$1\r\na\r\n$3\r\nbob\r\n",
			 "missing created_at");
	expect_malformed("*4\r\n$1\r\na\r\n$3\r\nbob\r\n$1\r\nc\r\n$4\r\n12x3\r\n",
			 "created_at not a number");
	expect_malformed("*6\r\n$1\r\na\r\n$3\r\nbob\r\n$1\r\nc\r\n$3\r\n123\r\n"
			 "$1\r\nB\r\n$0\r\n\r\n",
			 "empty breach instant");
	expect_malformed("*4\r\n$1\r\na\r\n$3\r\nbob\r\n$1\r\nc\r\n:123\r\n", "integer element");
	expect_malformed("$-1\r\n", "nil reply");
	expect_malformed("+OK\r\n", "status reply");
}

/* ---- rw_mention_to_json ---- */

static struct rw_config *
load_config(const char *text)
{
	struct rw_config_errors errs = {0};
	char *json = rwt_json_quotes(text);
	struct rw_config *cfg = rw_config_load_string(json, "test", &errs);

	cr_assert_not_null(cfg, "config rejected:\n%s", rwt_config_errors_text(&errs));
	free(json);
	return cfg;
}

#define SOURCES_CONFIG                                                                             \
	"{'sources': ["                                                                            \
	" {'name': 'acme-push', 'type': 'push', 'token': 't',"                                     \
	"  'labels': {'brand': 'acme', 'region': 'eu'}},"                                          \
	" {'name': 'plain', 'type': 'push', 'token': 't'}]}"

/* The keys of a mention in the HTTP API (README "HTTP endpoints"), plus rating. */
static const char *const mention_keys[] = {
	"key",
	"source",
	"platform",
	"kind",
	"id",
	"url",
	"author",
	"author_followers",
	"text",
	"created_at",
	"conversation_id",
	"state",
	"policy",
	"warn_at",
	"breach_at",
	"replied_at",
	"response_seconds",
	"business_response_seconds",
	"labels",
	"rating",
};
#define NKEYS (sizeof(mention_keys) / sizeof(mention_keys[0]))

static void
expect_keys(const json_t *o, size_t extra)
{
	char *dump = json_dumps(o, JSON_COMPACT);

	for (size_t i = 0; i < NKEYS; i++)
		cr_assert_not_null(json_object_get(o, mention_keys[i]), "%s missing from %s",
				   mention_keys[i], dump);
	cr_assert_eq(json_object_size(o), NKEYS + extra, "%zu keys: %s", json_object_size(o), dump);
	free(dump);
}

static void
expect_str(const json_t *o, const char *key, const char *want)
{
	const json_t *v = json_object_get(o, key);

	cr_assert(json_is_string(v), "%s is not a string", key);
	cr_assert_str_eq(json_string_value(v), want, "%s", key);
}

static void
expect_null(const json_t *o, const char *key)
{
	cr_assert(json_is_null(json_object_get(o, key)), "%s is not null", key);
}

/* A breached mention: every key, times with milliseconds, labels in order. */
Test(mention_json, open_mention_shape)
{
	struct rw_config *cfg = load_config(SOURCES_CONFIG);
	const struct rw_source_config *src = rw_config_find_source(cfg, "acme-push");
	struct rw_mention m;
	json_t *o, *labels;
	const char *key;
	json_t *v;
	size_t i = 0;

	cr_assert_not_null(src);
	full_mention(&m);
	m.state = RW_STATE_BREACHED;
	m.resolved_at = 0;
	m.has_response = false;
	o = rw_mention_to_json(&m, src);
	cr_assert_not_null(o);
	expect_keys(o, 0);
	expect_str(o, "key", "acme-push:109876543210");
	expect_str(o, "source", "acme-push");
	expect_str(o, "platform", "push");
	expect_str(o, "kind", "review");
	expect_str(o, "id", "109876543210");
	expect_str(o, "url", "https://x.example/s/1");
	expect_str(o, "author", "alice");
	cr_assert_eq(json_integer_value(json_object_get(o, "author_followers")), 12345);
	cr_assert(json_is_integer(json_object_get(o, "author_followers")));
	expect_str(o, "text", m.text);
	expect_str(o, "created_at", "2026-11-23T12:00:00.250Z");
	expect_str(o, "conversation_id", "conv-7");
	cr_assert(json_is_integer(json_object_get(o, "rating")));
	cr_assert_eq(json_integer_value(json_object_get(o, "rating")), 2);
	expect_str(o, "state", "breached");
	expect_str(o, "policy", "vip");
	expect_str(o, "warn_at", "2026-11-23T12:45:00.000Z");
	expect_str(o, "breach_at", "2026-11-23T13:00:00.000Z");
	expect_null(o, "replied_at");
	expect_null(o, "response_seconds");
	expect_null(o, "business_response_seconds");
	labels = json_object_get(o, "labels");
	cr_assert(json_is_object(labels));
	cr_assert_eq(json_object_size(labels), 2);
	json_object_foreach(labels, key, v)
	{
		cr_assert_str_eq(key, i == 0 ? "brand" : "region");
		cr_assert_str_eq(json_string_value(v), i == 0 ? "acme" : "eu");
		i++;
	}
	json_decref(o);
	rw_mention_clear(&m);
	rw_config_free(cfg);
}

/* A replied mention shows its reply time and both response times. */
Test(mention_json, replied_mention)
{
	struct rw_config *cfg = load_config(SOURCES_CONFIG);
	struct rw_mention m;
	json_t *o;

	full_mention(&m);
	m.resolved_at = T0 + 90500;
	m.response_ms = 90250;
	m.business_ms = 30125;
	o = rw_mention_to_json(&m, rw_config_find_source(cfg, "acme-push"));
	cr_assert_not_null(o);
	expect_keys(o, 0);
	expect_str(o, "state", "replied");
	expect_str(o, "replied_at", "2026-11-23T12:01:30.500Z");
	cr_assert(json_is_number(json_object_get(o, "response_seconds")));
	cr_assert_float_eq(json_number_value(json_object_get(o, "response_seconds")), 90.25, 1e-9);
	cr_assert_float_eq(json_number_value(json_object_get(o, "business_response_seconds")),
			   30.125, 1e-9);
	json_decref(o);
	rw_mention_clear(&m);
	rw_config_free(cfg);
}

/* Unknown values are null, never left out; a source without labels has {}. */
Test(mention_json, minimal_mention_nulls)
{
	struct rw_config *cfg = load_config(SOURCES_CONFIG);
	struct rw_item item = {.id = "55", .author = "bob", .created_at_ms = T0};
	struct rw_mention m;
	json_t *o;

	cr_assert_eq(rw_mention_from_item(&m, &item), 0);
	o = rw_mention_to_json(&m, rw_config_find_source(cfg, "plain"));
	cr_assert_not_null(o);
	expect_keys(o, 0);
	expect_str(o, "key", "plain:55");
	expect_str(o, "kind", "mention");
	expect_null(o, "url");
	expect_null(o, "text");
	expect_null(o, "author_followers");
	expect_null(o, "conversation_id");
	expect_null(o, "rating");
	expect_str(o, "state", "open");
	expect_null(o, "policy");
	expect_null(o, "warn_at");
	expect_null(o, "breach_at");
	expect_null(o, "replied_at");
	expect_str(o, "created_at", "2026-11-23T12:00:00.000Z");
	cr_assert(json_is_object(json_object_get(o, "labels")));
	cr_assert_eq(json_object_size(json_object_get(o, "labels")), 0);
	json_decref(o);
	rw_mention_clear(&m);
	rw_config_free(cfg);
}

/*
 * BUG (daemon/mention.c, rw_mention_to_json): "key" is built in a 512-byte
 * buffer, so an id longer than about 500 bytes (POST /ingest accepts ids of
 * up to 65536) gives a silently truncated key that names no mention. "id"
 * itself is right. Fixed; kept as a regression test.
 */
Test(mention_json, long_id_key_not_truncated)
{
	struct rw_config *cfg = load_config(SOURCES_CONFIG);
	char id[601], want[700];
	struct rw_item item = {.id = id, .author = "bob", .created_at_ms = T0};
	struct rw_mention m;
	json_t *o;

	memset(id, '7', sizeof(id) - 1);
	id[sizeof(id) - 1] = '\0';
	snprintf(want, sizeof(want), "acme-push:%s", id);
	cr_assert_eq(rw_mention_from_item(&m, &item), 0);
	o = rw_mention_to_json(&m, rw_config_find_source(cfg, "acme-push"));
	cr_assert_not_null(o);
	expect_str(o, "id", id);
	expect_str(o, "key", want);
	json_decref(o);
	rw_mention_clear(&m);
	rw_config_free(cfg);
}

/* Expired is resolved but not replied: replied_at stays null. */
Test(mention_json, expired_has_no_reply_time)
{
	struct rw_config *cfg = load_config(SOURCES_CONFIG);
	struct rw_mention m;
	json_t *o;

	full_mention(&m);
	m.state = RW_STATE_EXPIRED;
	m.has_response = false;
	o = rw_mention_to_json(&m, rw_config_find_source(cfg, "acme-push"));
	expect_keys(o, 0);
	expect_str(o, "state", "expired");
	expect_null(o, "replied_at");
	json_decref(o);
	rw_mention_clear(&m);
	rw_config_free(cfg);
}

/* A closed mention adds closed_at and close_reason to the listed keys. */
Test(mention_json, closed_adds_close_fields)
{
	struct rw_config *cfg = load_config(SOURCES_CONFIG);
	struct rw_mention m;
	json_t *o;

	full_mention(&m);
	m.state = RW_STATE_CLOSED;
	o = rw_mention_to_json(&m, rw_config_find_source(cfg, "acme-push"));
	expect_keys(o, 2);
	expect_str(o, "state", "closed");
	expect_null(o, "replied_at");
	expect_str(o, "closed_at", "2026-11-23T17:00:00.000Z");
	expect_str(o, "close_reason", "answered by phone");
	json_decref(o);
	rw_mention_clear(&m);
	rw_config_free(cfg);
}
