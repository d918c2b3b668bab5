/*
 * The configuration loader against a table of documents: each case is a small
 * JSON document (written with ' for ") and the exact error lines it must
 * produce, or none for a valid document.
 */
#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "replywatch/config.h"
#include "replywatch/secret.h"

#include "rwtest.h"
#define MAX_LINES 8

struct config_case {
	const char *name;
	const char *json;
	const char *errors[MAX_LINES]; /* exact lines in order; none: the document is valid */
};

/* A valid source and calendar to build documents around. */
#define SRC_M "{'name': 'm', 'type': 'mastodon', 'base_url': 'https://m.example', 'token': 't'}"
#define CAL_CARE "'care': {'timezone': 'UTC', 'weekly': {'mon': ['09:00-17:00']}}"
#define POL(extra) "{'policies': [{'name': 'p', 'breach_after': '1h'" extra "}]}"
/* clang-format off */
#define TYPES "mastodon, x, bluesky, reddit, youtube, facebook, instagram, google_business, " \
	      "google_play, app_store, trustpilot, linkedin, allegro, json, push"
/* clang-format on */
#define DURATION_HINT "is not a duration (use 90s, 5m, 1h30m)"
#define NAME_HINT "is not a valid name (use 1 to 64 of a-z, 0-9, \"-\" and \"_\")"
/* clang-format off */
#define LISTEN_HINT "is not an address to listen on (use IP:PORT, [IPv6]:PORT or " \
		    "localhost:PORT, port 0 to 65535)"
/* clang-format on */
#define POINTER_HINT "(a JSON pointer: \"\" or \"/a/0/b\", ~0 for ~ and ~1 for /)"
#define NOSLASH_HINT "does not start with \"/\" (use \"\" for the whole document) " POINTER_HINT

/* clang-format off */
static const struct config_case cases[] = {
	/* Valid documents. */
	{"empty", "{}", {NULL}},
	{"durations as integers", "{'retention': {'closed': 3600, 'give_up_after': 60, "
				  "'backfill': 1}}", {NULL}},
	{"listen on port 0", "{'http': {'listen': '127.0.0.1:0'}}", {NULL}},
	{"listen on IPv6", "{'http': {'listen': '[::1]:9477', 'max_body': 1024}}", {NULL}},
	{"listen on localhost", "{'http': {'listen': 'localhost:8080'}}", {NULL}},
	{"redis unix socket", "{'redis': {'url': 'unix:///run/redis.sock?db=3'}}", {NULL}},
	{"redis IPv6 with user", "{'redis': {'url': 'redis://app:pw@[::1]:6380/2'}}", {NULL}},
	{"calendar full day", "{'calendars': {'c': {'timezone': 'Europe/Warsaw', 'weekly': "
			      "{'sun': ['00:00-24:00'], 'mon': ['12:00-13:00', '08:00-12:00']}, "
			      "'holidays': ['2024-02-29', '2026-12-25', '2026-12-25']}}}", {NULL}},
	{"every source type",
	 "{'sources': [" SRC_M ","
	 " {'name': 'x', 'type': 'x', 'user_id': '2244994945', 'token': 't'},"
	 " {'name': 'b', 'type': 'bluesky', 'identifier': 'acme.example', 'app_password': 't'},"
	 " {'name': 'r', 'type': 'reddit', 'client_id': 'c', 'client_secret': 's',"
	 "  'username': 'u', 'refresh_token': 'r', 'auth_url': 'https://www.reddit.com'},"
	 " {'name': 'y', 'type': 'youtube', 'channel_id': 'UC1', 'api_key': 'k'},"
	 " {'name': 'f', 'type': 'facebook', 'page_id': '1', 'token': 't'},"
	 " {'name': 'i', 'type': 'instagram', 'user_id': '1', 'token': 't'},"
	 " {'name': 'gb', 'type': 'google_business', 'account_id': '1', 'location_id': '2',"
	 "  'client_id': 'c', 'client_secret': 's', 'refresh_token': 'r'},"
	 " {'name': 'gp', 'type': 'google_play', 'package_name': 'com.acme',"
	 "  'client_email': 'a@b.iam.gserviceaccount.com', 'private_key': 'k'},"
	 " {'name': 'as', 'type': 'app_store', 'app_id': '1', 'issuer_id': 'i', 'key_id': 'k',"
	 "  'private_key': 'p'},"
	 " {'name': 'tp', 'type': 'trustpilot', 'business_unit_id': 'b', 'api_key': 'k'},"
	 " {'name': 'j', 'type': 'json', 'base_url': 'http://127.0.0.1:1', 'items': '',"
	 "  'request': {'url': '/items'},"
	 "  'fields': {'id': '/id', 'created_at': '/t', 'author': '/a/~0x~1y'}},"
	 " {'name': 'p', 'type': 'push', 'token': 't'}]}",
	 {NULL}},

	/* The top level. */
	{"top level not an object", "[]",
	 {"test.json: the top level must be an object, got array"}},
	{"unknown top-level key", "{'sourcess': []}",
	 {"sourcess: unknown key (expected one of: log_level, redis, http, retention, calendars, "
	  "policies, sources, alerts, secrets_key, cluster)"}},
	{"unknown log level", "{'log_level': 'verbose'}",
	 {"log_level: unknown level \"verbose\" (expected one of: debug, info, notice, warning, "
	  "error)"}},
	{"log level not a string", "{'log_level': 7}",
	 {"log_level: expected a string, got number"}},

	/* redis. */
	{"redis unknown key", "{'redis': {'urll': 'redis://127.0.0.1'}}",
	 {"redis.urll: unknown key (expected one of: url, password, key_prefix, sentinels, "
	  "master_name, sentinel_password, db)"}},
	{"redis not an object", "{'redis': 'redis://127.0.0.1'}",
	 {"redis: expected an object, got string"}},
	{"redis host name", "{'redis': {'url': 'redis://redis.internal:6379/0'}}",
	 {"redis.url: host \"redis.internal\" is not an IP address (use an IP literal or "
	  "unix:///path)"}},
	{"redis port too big", "{'redis': {'url': 'redis://127.0.0.1:70000'}}",
	 {"redis.url: port \"70000\" is not a port number (1 to 65535)"}},
	{"redis db 99", "{'redis': {'url': 'redis://127.0.0.1:6379/99'}}",
	 {"redis.url: database \"99\" is not a number from 0 to 15 (a default Redis has 16 "
	  "databases)"}},
	{"redis two passwords", "{'redis': {'url': 'redis://:pw@127.0.0.1', 'password': 'pw2'}}",
	 {"redis.password: redis.url has a password too (give only one)"}},
	{"redis not a URL", "{'redis': {'url': 'http://127.0.0.1'}}",
	 {"redis.url: \"http://127.0.0.1\" is not a Redis URL (use redis://HOST[:PORT][/DB] or "
	  "unix:///PATH[?db=N])"}},
	{"redis relative unix path", "{'redis': {'url': 'unix://run/redis.sock'}}",
	 {"redis.url: a unix:// URL needs an absolute socket path (unix:///run/redis/redis.sock)"}},
	{"redis unix query", "{'redis': {'url': 'unix:///run/redis.sock?database=1'}}",
	 {"redis.url: the only query parameter is db=N"}},
	{"redis url and sentinels",
	 "{'redis': {'url': 'redis://127.0.0.1', 'sentinels': ['127.0.0.1:26379'],"
	 " 'master_name': 'm'}}",
	 {"redis.url: give either redis.url or redis.sentinels with redis.master_name, not both"}},
	{"redis sentinels without master_name", "{'redis': {'sentinels': ['127.0.0.1:26379']}}",
	 {"redis.master_name: required (the name the sentinels monitor, as in sentinel.conf)"}},
	{"redis master_name without sentinels", "{'redis': {'master_name': 'm'}}",
	 {"redis.sentinels: required (a list of \"IP:PORT\", with redis.master_name)"}},
	{"redis sentinel host name",
	 "{'redis': {'sentinels': ['127.0.0.1:26379', 'sentinel.internal:26379'],"
	 " 'master_name': 'm'}}",
	 {"redis.sentinels[1]: \"sentinel.internal:26379\" is not a sentinel address (use "
	  "IP:PORT or [IPv6]:PORT with an IP literal, e.g. 127.0.0.1:26379)"}},
	{"redis sentinel no port", "{'redis': {'sentinels': ['::1'], 'master_name': 'm'}}",
	 {"redis.sentinels[0]: \"::1\" is not a sentinel address (use IP:PORT or [IPv6]:PORT "
	  "with an IP literal, e.g. 127.0.0.1:26379)"}},
	{"redis sentinels empty", "{'redis': {'sentinels': [], 'master_name': 'm'}}",
	 {"redis.sentinels: must not be empty (list at least one sentinel)"}},
	{"redis db with url", "{'redis': {'url': 'redis://127.0.0.1', 'db': 1}}",
	 {"redis.db: only with redis.sentinels (put the database in redis.url)"}},
	{"redis sentinel master_name space",
	 "{'redis': {'sentinels': ['127.0.0.1:1'], 'master_name': 'my master'}}",
	 {"redis.master_name: \"my master\" must not contain spaces or control characters"}},
	{"redis TLS", "{'redis': {'url': 'rediss://127.0.0.1'}}",
	 {"redis.url: TLS (rediss://) is not supported; use redis:// on a trusted network or "
	  "unix:///path"}},
	{"redis key_prefix empty", "{'redis': {'key_prefix': ''}}",
	 {"redis.key_prefix: must not be empty"}},
	{"redis key_prefix space", "{'redis': {'key_prefix': 'rw :'}}",
	 {"redis.key_prefix: \"rw :\" must not contain spaces or control characters"}},

	/* http. */
	{"listen a number", "{'http': {'listen': 9477}}",
	 {"http.listen: expected a string, got number"}},
	{"listen on a host name", "{'http': {'listen': 'example.com:80'}}",
	 {"http.listen: \"example.com:80\" " LISTEN_HINT}},
	{"listen port too big", "{'http': {'listen': '127.0.0.1:65536'}}",
	 {"http.listen: \"127.0.0.1:65536\" " LISTEN_HINT}},
	{"listen without port", "{'http': {'listen': '127.0.0.1'}}",
	 {"http.listen: \"127.0.0.1\" " LISTEN_HINT}},
	{"listen IPv6 without brackets", "{'http': {'listen': '::1:9477'}}",
	 {"http.listen: \"::1:9477\" " LISTEN_HINT}},
	{"max_body too small", "{'http': {'max_body': 100}}",
	 {"http.max_body: 100 is out of range (1024 to 67108864)"}},
	{"max_body a string", "{'http': {'max_body': '1MB'}}",
	 {"http.max_body: expected an integer, got string"}},
	{"http unknown key", "{'http': {'port': 80}}",
	 {"http.port: unknown key (expected one of: listen, token, max_body)"}},

	/* Durations. */
	{"duration in words", "{'retention': {'closed': '5 minutes'}}",
	 {"retention.closed: \"5 minutes\" " DURATION_HINT}},
	{"duration unknown unit", "{'retention': {'closed': '1x'}}",
	 {"retention.closed: \"1x\" " DURATION_HINT}},
	{"duration empty", "{'retention': {'closed': ''}}",
	 {"retention.closed: \"\" " DURATION_HINT}},
	{"duration repeated unit", "{'retention': {'backfill': '1h1h'}}",
	 {"retention.backfill: \"1h1h\" " DURATION_HINT}},
	{"duration units out of order", "{'retention': {'backfill': '30m1h'}}",
	 {"retention.backfill: \"30m1h\" " DURATION_HINT}},
	{"duration negative", "{'retention': {'give_up_after': -5}}",
	 {"retention.give_up_after: -5 is not a duration (use 90s, 5m, 1h30m or a positive number "
	  "of seconds)"}},
	{"duration zero", "{'retention': {'closed': '0s', 'backfill': 0}}",
	 {"retention.closed: must be greater than zero", "retention.backfill: must be greater than "
							 "zero"}},
	{"duration too long", "{'retention': {'closed': 3153600001}}",
	 {"retention.closed: 3153600001 seconds is more than the maximum of 100 years"}},
	{"duration wrong type", "{'retention': {'closed': true, 'backfill': 1.5}}",
	 {"retention.closed: expected a duration (a string like \"5m\" or a number of seconds), "
	  "got boolean",
	  "retention.backfill: expected a duration (a string like \"5m\" or a number of seconds), "
	  "got number"}},
	/* cluster. */
	{"cluster instance id", "{'cluster': {'instance_id': 'eu-1.a_b'}}", {NULL}},
	{"cluster empty", "{'cluster': {}}", {NULL}},
	{"cluster not an object", "{'cluster': 'a'}", {"cluster: expected an object, got string"}},
	{"cluster unknown key", "{'cluster': {'id': 'a'}}",
	 {"cluster.id: unknown key (expected one of: instance_id)"}},
	{"cluster instance id not a string", "{'cluster': {'instance_id': 3}}",
	 {"cluster.instance_id: expected a string, got number"}},
	{"cluster instance id with a colon", "{'cluster': {'instance_id': 'a:b'}}",
	 {"cluster.instance_id: \"a:b\" is not an instance id: 1 to 64 characters of A-Z, a-z, "
	  "0-9, '.', '_', '-'"}},
	{"cluster instance id empty", "{'cluster': {'instance_id': ''}}",
	 {"cluster.instance_id: must not be empty"}},
	{"retention unknown key", "{'retention': {'open': '1d'}}",
	 {"retention.open: unknown key (expected one of: closed, give_up_after, backfill)"}},

	/* Calendars. */
	{"timezone unknown", "{'calendars': {'care': {'timezone': 'Mars/Olympus', 'weekly': "
			     "{'mon': ['09:00-17:00']}}}}",
	 {"calendars.care.timezone: unknown time zone \"Mars/Olympus\" (use an IANA name like "
	  "Europe/Warsaw, or UTC)"}},
	{"timezone escapes", "{'calendars': {'care': {'timezone': '../etc/passwd', 'weekly': "
			     "{'mon': ['09:00-17:00']}}}}",
	 {"calendars.care.timezone: unknown time zone \"../etc/passwd\" (use an IANA name like "
	  "Europe/Warsaw, or UTC)"}},
	{"timezone a directory", "{'calendars': {'care': {'timezone': 'Europe', 'weekly': "
				 "{'mon': ['09:00-17:00']}}}}",
	 {"calendars.care.timezone: unknown time zone \"Europe\" (use an IANA name like "
	  "Europe/Warsaw, or UTC)"}},
	{"timezone absolute", "{'calendars': {'care': {'timezone': '/etc/localtime', 'weekly': "
			      "{'mon': ['09:00-17:00']}}}}",
	 {"calendars.care.timezone: unknown time zone \"/etc/localtime\" (use an IANA name like "
	  "Europe/Warsaw, or UTC)"}},
	{"calendar missing keys", "{'calendars': {'care': {}}}",
	 {"calendars.care.timezone: required", "calendars.care.weekly: required"}},
	{"calendar unknown key", "{'calendars': {'care': {'timezone': 'UTC', 'tz': 'UTC', "
				 "'weekly': {'mon': ['09:00-17:00']}}}}",
	 {"calendars.care.tz: unknown key (expected one of: timezone, weekly, holidays)"}},
	{"hour 25", "{'calendars': {'care': {'timezone': 'UTC', 'weekly': "
		    "{'mon': ['25:00-26:00']}}}}",
	 {"calendars.care.weekly.mon[0]: \"25:00-26:00\": 25:00 is not a time of day (00:00 to "
	  "24:00)"}},
	{"range backwards", "{'calendars': {'care': {'timezone': 'UTC', 'weekly': "
			    "{'mon': ['10:00-09:00']}}}}",
	 {"calendars.care.weekly.mon[0]: \"10:00-09:00\" ends before it starts; split a range past "
	  "midnight across two days: \"10:00-24:00\" on this day and \"00:00-09:00\" on the next"}},
	{"range overnight", "{'calendars': {'care': {'timezone': 'UTC', 'weekly': "
			    "{'fri': ['08:00-12:00', '22:00-06:00']}}}}",
	 {"calendars.care.weekly.fri[1]: \"22:00-06:00\" ends before it starts; split a range past "
	  "midnight across two days: \"22:00-24:00\" on this day and \"00:00-06:00\" on the next"}},
	{"ranges overlap", "{'calendars': {'care': {'timezone': 'UTC', 'weekly': "
			   "{'tue': ['08:00-12:00', '11:00-13:00']}}}}",
	 {"calendars.care.weekly.tue[1]: \"11:00-13:00\" overlaps \"08:00-12:00\""}},
	{"range not HH:MM", "{'calendars': {'care': {'timezone': 'UTC', 'weekly': "
			    "{'wed': ['8-12']}}}}",
	 {"calendars.care.weekly.wed[0]: \"8-12\" is not a time range (use HH:MM-HH:MM, e.g. "
	  "08:00-16:30)"}},
	{"minute 60", "{'calendars': {'care': {'timezone': 'UTC', 'weekly': "
		      "{'wed': ['08:00-12:60']}}}}",
	 {"calendars.care.weekly.wed[0]: \"08:00-12:60\": 12:60 is not a time of day (00:00 to "
	  "24:00)"}},
	{"range empty", "{'calendars': {'care': {'timezone': 'UTC', 'weekly': "
			"{'thu': ['10:00-10:00']}}}}",
	 {"calendars.care.weekly.thu[0]: \"10:00-10:00\" is empty (the end must be after the "
	  "start)"}},
	{"weekday unknown", "{'calendars': {'care': {'timezone': 'UTC', 'weekly': "
			    "{'monday': ['09:00-17:00']}}}}",
	 {"calendars.care.weekly.monday: unknown key (expected one of: mon, tue, wed, thu, fri, "
	  "sat, sun)"}},
	{"never open", "{'calendars': {'care': {'timezone': 'UTC', 'weekly': {'mon': []}}}}",
	 {"calendars.care.weekly: opens no interval on any day (a calendar that is never open "
	  "would never reach a deadline)"}},
	{"holiday not a date", "{'calendars': {'care': {'timezone': 'UTC', 'weekly': "
			       "{'mon': ['09:00-17:00']}, 'holidays': ['2026-12-25', "
			       "'2026-02-30', '2025-02-29', '26-1-1']}}}",
	 {"calendars.care.holidays[1]: \"2026-02-30\" is not a date (use YYYY-MM-DD, a real day "
	  "from 1970 on)",
	  "calendars.care.holidays[2]: \"2025-02-29\" is not a date (use YYYY-MM-DD, a real day "
	  "from 1970 on)",
	  "calendars.care.holidays[3]: \"26-1-1\" is not a date (use YYYY-MM-DD, a real day from "
	  "1970 on)"}},
	{"calendar name invalid", "{'calendars': {'Care Hours': {'timezone': 'UTC', 'weekly': "
				  "{'mon': ['09:00-17:00']}}}}",
	 {"calendars.Care Hours: \"Care Hours\" " NAME_HINT}},
	{"calendars an array", "{'calendars': []}", {"calendars: expected an object, got array"}},

	/* Policies. */
	{"policy unknown calendar",
	 "{'calendars': {" CAL_CARE "}, 'policies': [{'name': 'p', 'breach_after': '1h', "
	 "'calendar': 'care-hour'}]}",
	 {"policies[0].calendar: unknown calendar \"care-hour\""}},
	{"policy without breach_after", "{'policies': [{'name': 'p', 'warn_after': '1h'}]}",
	 {"policies[0].breach_after: required"}},
	{"policy without name", "{'policies': [{'breach_after': '1h'}]}",
	 {"policies[0].name: required"}},
	{"warn not before breach", "{'policies': [{'name': 'p', 'warn_after': '1h', "
				   "'breach_after': '30m'}]}",
	 {"policies[0].warn_after: 1h must be shorter than breach_after (30m)"}},
	{"warn equals breach", "{'policies': [{'name': 'p', 'warn_after': 3600, "
			       "'breach_after': '1h'}]}",
	 {"policies[0].warn_after: 1h must be shorter than breach_after (1h)"}},
	{"escalation not ascending", POL(", 'escalate_after': ['2h', '1h', '3h', '3h']"),
	 {"policies[0].escalate_after[1]: 1h is not after the step before it (2h); steps must be "
	  "in ascending order",
	  "policies[0].escalate_after[3]: 3h is not after the step before it (3h); steps must be "
	  "in ascending order"}},
	{"escalation bad duration", POL(", 'escalate_after': ['2h', 'later']"),
	 {"policies[0].escalate_after[1]: \"later\" " DURATION_HINT}},
	{"policy names duplicate", "{'policies': [{'name': 'p', 'breach_after': '1h'}, "
				   "{'name': 'p', 'breach_after': '2h'}]}",
	 {"policies[1].name: duplicate name \"p\" (already used by policies[0].name)"}},
	{"policy unknown key", "{'policies': [{'name': 'p', 'breach': '1h'}]}",
	 {"policies[0].breach: unknown key (expected one of: name, match, warn_after, "
	  "breach_after, escalate_after, calendar)",
	  "policies[0].breach_after: required"}},
	{"match unknown kind", POL(", 'match': {'kind': ['mention', 'reply']}"),
	 {"policies[0].match.kind[1]: unknown kind \"reply\" (expected one of: mention, comment, "
	  "review, message)"}},
	{"match unknown source", POL(", 'match': {'sources': ['nope']}"),
	 {"policies[0].match.sources[0]: unknown source \"nope\""}},
	{"match unknown platform", POL(", 'match': {'platforms': ['x', 'tiktok']}"),
	 {"policies[0].match.platforms[1]: unknown platform \"tiktok\" (expected one of: " TYPES
	  ")"}},
	{"match max_rating 6", POL(", 'match': {'max_rating': 6}"),
	 {"policies[0].match.max_rating: 6 is out of range (1 to 5)"}},
	{"match min_followers negative", POL(", 'match': {'min_followers': -1}"),
	 {"policies[0].match.min_followers: -1 is out of range (at least 0)"}},
	{"match unknown key", POL(", 'match': {'rating': 2}"),
	 {"policies[0].match.rating: unknown key (expected one of: sources, platforms, kind, "
	  "keywords, min_followers, max_rating, labels)"}},
	{"match empty keyword", POL(", 'match': {'keywords': ['refund', '']}"),
	 {"policies[0].match.keywords[1]: must not be empty"}},
	{"match empty list", POL(", 'match': {'kind': []}"),
	 {"policies[0].match.kind: must not be empty (leave the key out to match anything)"}},
	{"match label value not a string", POL(", 'match': {'labels': {'tier': 1}}"),
	 {"policies[0].match.labels.tier: expected a string, got number"}},
	{"policies an object", "{'policies': {}}", {"policies: expected an array, got object"}},

	/* Sources. */
	{"allegro needs secrets_key",
	 "{'sources': [{'name': 'a', 'type': 'allegro', 'client_id': 'c', 'client_secret': 's'}]}",
	 {"secrets_key: required by the allegro sources: a secret reference (e.g. "
	  "\"env:REPLYWATCH_SECRETS_KEY\") to encrypt their refresh tokens in Redis"}},
	{"secrets_key unresolved", "{'secrets_key': 'env:RWT_NO_SUCH_VARIABLE'}",
	 {"secrets_key: environment variable RWT_NO_SUCH_VARIABLE is not set"}},
	{"source unknown type", "{'sources': [{'name': 't', 'type': 'tiktok', 'user_id': '1'}]}",
	 {"sources[0].type: unknown type \"tiktok\" (expected one of: " TYPES ")"}},
	{"source missing name and type", "{'sources': [{'token': 't'}]}",
	 {"sources[0].name: required", "sources[0].type: required"}},
	{"x without user_id", "{'sources': [" SRC_M ", {'name': 'x', 'type': 'x', "
			      "'token': 't'}]}",
	 {"sources[1].user_id: required for type \"x\""}},
	{"x user_id not digits", "{'sources': [{'name': 'x', 'type': 'x', 'user_id': '@acme', "
				 "'token': 't'}]}",
	 {"sources[0].user_id: \"@acme\" is not a numeric id (use digits only)"}},
	{"poll_every in words", "{'sources': [" SRC_M ", {'name': 'p', 'type': 'push', "
				"'token': 't'}, {'name': 'n', 'type': 'mastodon', 'base_url': "
				"'https://n.example', 'token': 't', 'poll_every': '5 minutes'}]}",
	 {"sources[2].poll_every: \"5 minutes\" " DURATION_HINT}},
	{"poll_every auto is lower case", "{'sources': [{'name': 'x', 'type': 'x', 'user_id': '1', "
					  "'token': 't', 'poll_every': 'AUTO'}]}",
	 {"sources[0].poll_every: \"AUTO\" " DURATION_HINT}},
	{"poll_every auto not for push", "{'sources': [{'name': 'p', 'type': 'push', 'token': 't', "
					 "'poll_every': 'auto'}]}",
	 {"sources[0].poll_every: not used by type \"push\""}},
	{"source names duplicate", "{'sources': [" SRC_M ", " SRC_M "]}",
	 {"sources[1].name: duplicate name \"m\" (already used by sources[0].name)"}},
	{"source name invalid", "{'sources': [{'name': 'Acme X', 'type': 'push', 'token': 't'}]}",
	 {"sources[0].name: \"Acme X\" " NAME_HINT}},
	{"source name too long",
	 "{'sources': [{'name': "
	 "'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa', "
	 "'type': 'push', 'token': 't'}]}",
	 {"sources[0].name: \"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa...\" "
	  NAME_HINT}},
	{"mastodon without base_url", "{'sources': [{'name': 'm', 'type': 'mastodon', "
				      "'token': 't'}]}",
	 {"sources[0].base_url: required for type \"mastodon\""}},
	{"push with base_url and poll_every",
	 "{'sources': [{'name': 'p', 'type': 'push', 'token': 't', 'base_url': 'https://x', "
	 "'poll_every': '1m'}]}",
	 {"sources[0].base_url: not used by type \"push\"",
	  "sources[0].poll_every: not used by type \"push\""}},
	{"key of another type", "{'sources': [{'name': 'x', 'type': 'x', 'user_id': '1', "
				"'token': 't', 'page_id': '1'}]}",
	 {"sources[0].page_id: not used by type \"x\""}},
	{"source unknown key", "{'sources': [{'name': 'm', 'type': 'mastodon', 'base_url': "
			       "'https://m.example', 'token': 't', 'tokn': 't'}]}",
	 {"sources[0].tokn: unknown key (expected one of: name, type, base_url, poll_every, "
	  "down_after, labels, enabled, automated_reply_patterns, token)"}},
	{"down_after not for push", "{'sources': [{'name': 'p', 'type': 'push', 'token': 't', "
				    "'down_after': '1m'}]}",
	 {"sources[0].down_after: not used by type \"push\""}},
	{"down_after bad", "{'sources': [{'name': 'm', 'type': 'mastodon', 'base_url': "
			   "'https://m.example', 'token': 't', 'down_after': 'soon'}]}",
	 {"sources[0].down_after: \"soon\" is not a duration (use 90s, 5m, 1h30m)"}},
	{"base_url not http", "{'sources': [{'name': 'm', 'type': 'mastodon', 'base_url': "
			      "'ftp://m.example', 'token': 't'}]}",
	 {"sources[0].base_url: \"ftp://m.example\" is not an http:// or https:// URL"}},
	{"label name invalid", "{'sources': [{'name': 'p', 'type': 'push', 'token': 't', "
			       "'labels': {'brand': 'acme', '1brand': 'x'}}]}",
	 {"sources[0].labels.1brand: \"1brand\" is not a valid label name (use "
	  "[a-zA-Z_][a-zA-Z0-9_]*)"}},
	{"enabled not a boolean", "{'sources': [{'name': 'p', 'type': 'push', 'token': 't', "
				  "'enabled': 'yes'}]}",
	 {"sources[0].enabled: expected true or false, got string"}},
	{"empty automated reply pattern", "{'sources': [{'name': 'p', 'type': 'push', "
					  "'token': 't', 'automated_reply_patterns': ['']}]}",
	 {"sources[0].automated_reply_patterns[0]: must not be empty"}},
	{"reddit without password or refresh token",
	 "{'sources': [{'name': 'r', 'type': 'reddit', 'client_id': 'c', 'client_secret': 's', "
	 "'username': 'u'}]}",
	 {"sources[0].password: required for type \"reddit\" (or give refresh_token)"}},
	{"reddit with password and refresh token",
	 "{'sources': [{'name': 'r', 'type': 'reddit', 'client_id': 'c', 'client_secret': 's', "
	 "'username': 'u', 'password': 'p', 'refresh_token': 'r'}]}",
	 {"sources[0].refresh_token: give password or refresh_token, not both"}},
	{"google_business missing keys", "{'sources': [{'name': 'g', 'type': 'google_business', "
					 "'account_id': '1'}]}",
	 {"sources[0].location_id: required for type \"google_business\"",
	  "sources[0].client_id: required for type \"google_business\"",
	  "sources[0].client_secret: required for type \"google_business\"",
	  "sources[0].refresh_token: required for type \"google_business\""}},
	{"app_store without private_key", "{'sources': [{'name': 'a', 'type': 'app_store', "
					  "'app_id': '1', 'issuer_id': 'i', 'key_id': 'k'}]}",
	 {"sources[0].private_key: required for type \"app_store\""}},
	{"youtube without api_key", "{'sources': [{'name': 'y', 'type': 'youtube', "
				    "'channel_id': 'UC1'}]}",
	 {"sources[0].api_key: required for type \"youtube\""}},
	{"json without mapping", "{'sources': [{'name': 'j', 'type': 'json', "
				 "'base_url': 'https://api.example/items'}]}",
	 {"sources[0].request: required",
	  "sources[0].items: required",
	  "sources[0].fields: required"}},
	{"json bad fields", "{'sources': [{'name': 'j', 'type': 'json', 'base_url': "
			    "'https://api.example', 'request': {'url': '/x'}, 'items': 'data', "
			    "'next_url': '/next', "
			    "'fields': {'id': '/id', 'created_at': 'createdAt', 'auther': '/a', "
			    "'text': '/a~2'}}]}",
	 {"sources[0].next_url: unknown key (expected one of: name, type, base_url, poll_every, "
	  "down_after, labels, enabled, automated_reply_patterns, request, auth, items, fields, "
	  "url_template, time_format, kind, paging, brand, replies, reply_at, max_pages, "
	  "rate_limit)",
	  "sources[0].items: \"data\": " NOSLASH_HINT,
	  "sources[0].fields.auther: unknown key (expected one of: id, created_at, author, text, "
	  "url, rating, conversation_id, author_followers, in_reply_to)",
	  "sources[0].fields.created_at: \"createdAt\": " NOSLASH_HINT,
	  "sources[0].fields.author: required",
	  "sources[0].fields.text: \"/a~2\": bad escape \"~2\" at token 1 " POINTER_HINT}},
	{"token from unset variable", "{'sources': [{'name': 'p', 'type': 'push', "
				      "'token': 'env:RWT_UNSET_TOKEN'}]}",
	 {"sources[0].token: environment variable RWT_UNSET_TOKEN is not set"}},
	{"token from missing file", "{'sources': [{'name': 'p', 'type': 'push', "
				    "'token': 'file:/nonexistent/rw-token'}]}",
	 {"sources[0].token: cannot read /nonexistent/rw-token: No such file or directory"}},
	{"token from credential without directory",
	 "{'sources': [{'name': 'p', 'type': 'push', 'token': 'cred:x-bearer'}]}",
	 {"sources[0].token: credential \"x-bearer\" needs $CREDENTIALS_DIRECTORY (set by systemd "
	  "LoadCredential=)"}},
	{"token empty", "{'sources': [{'name': 'p', 'type': 'push', 'token': ''}]}",
	 {"sources[0].token: must not be empty"}},
	{"token not a string", "{'sources': [{'name': 'p', 'type': 'push', 'token': 5}]}",
	 {"sources[0].token: expected a string (a secret: env:NAME, file:PATH, cred:NAME or the "
	  "value), got number"}},
	{"source not an object", "{'sources': ['m']}",
	 {"sources[0]: expected an object, got string"}},

	/* Alerts. */
	{"alert unknown format", "{'alerts': [{'name': 'a', 'format': 'teams', "
				 "'url': 'https://h.example'}]}",
	 {"alerts[0].format: unknown format \"teams\" (expected one of: json, slack, alertmanager, "
	  "pagerduty)"}},
	{"secret for slack", "{'alerts': [{'name': 'a', 'format': 'json', 'url': 'https://h', "
			     "'secret': 's'}, {'name': 'b', 'format': 'slack', 'url': 'https://h', "
			     "'secret': 's'}]}",
	 {"alerts[1].secret: not used by format \"slack\""}},
	{"routing_key for json", "{'alerts': [{'name': 'a', 'url': 'https://h', "
				 "'routing_key': 'k'}]}",
	 {"alerts[0].routing_key: not used by format \"json\""}},
	{"slack without url", "{'alerts': [{'name': 'a', 'format': 'slack'}]}",
	 {"alerts[0].url: required for format \"slack\""}},
	{"pagerduty without routing_key", "{'alerts': [{'name': 'a', 'format': 'pagerduty'}]}",
	 {"alerts[0].routing_key: required for format \"pagerduty\""}},
	{"alert unknown event", "{'alerts': [{'name': 'a', 'url': 'https://h', 'events': "
				"['warning', 'breach', 'breached']}]}",
	 {"alerts[0].events[2]: unknown event \"breached\" (expected one of: warning, breach, "
	  "escalation, resolved, expired, source_down, source_up)"}},
	{"alert match unknown policy and source",
	 "{'policies': [{'name': 'p', 'breach_after': '1h'}], 'alerts': [{'name': 'a', "
	 "'url': 'https://h', 'match': {'policies': ['p', 'vip'], 'sources': ['m']}}]}",
	 {"alerts[0].match.policies[1]: unknown policy \"vip\"",
	  "alerts[0].match.sources[0]: unknown source \"m\""}},
	{"alert match unknown key", "{'alerts': [{'name': 'a', 'url': 'https://h', 'match': "
				    "{'kind': ['review']}}]}",
	 {"alerts[0].match.kind: unknown key (expected one of: policies, sources, labels)"}},
	{"alert names duplicate", "{'alerts': [{'name': 'a', 'url': 'https://h'}, "
				  "{'name': 'a', 'url': 'https://h'}]}",
	 {"alerts[1].name: duplicate name \"a\" (already used by alerts[0].name)"}},
	{"alert url not http", "{'alerts': [{'name': 'a', 'url': 'hooks.example/abc'}]}",
	 {"alerts[0].url: is not an http:// or https:// URL"}},
	{"alert url from env not http", "{'alerts': [{'name': 'a', 'url': 'env:RWT_NOT_A_URL'}]}",
	 {"alerts[0].url: the value of env:RWT_NOT_A_URL is not an http:// or https:// URL"}},
	{"alert unknown key", "{'alerts': [{'name': 'a', 'url': 'https://h', 'retries': 3}]}",
	 {"alerts[0].retries: unknown key (expected one of: name, format, url, secret, "
	  "routing_key, events, repeat_every, group_window, timeout, retry_for, match)"}},
	{"alert durations", "{'alerts': [{'name': 'a', 'url': 'https://h', 'timeout': '0s', "
			    "'repeat_every': 'often', 'retry_for': -1}]}",
	 {"alerts[0].repeat_every: \"often\" " DURATION_HINT,
	  "alerts[0].timeout: must be greater than zero",
	  "alerts[0].retry_for: -1 is not a duration (use 90s, 5m, 1h30m or a positive number of "
	  "seconds)"}},
	{"alert without name", "{'alerts': [{'url': 'https://h', 'events': []}]}",
	 {"alerts[0].name: required",
	  "alerts[0].events: must not be empty (leave the key out for all events)"}},

	/* One problem is reported once, not again where it is referred to. */
	{"broken sources section is not cascaded",
	 "{'sources': {'m': {}}, 'policies': [{'name': 'p', 'breach_after': '1h', "
	 "'match': {'sources': ['m']}}], 'alerts': [{'name': 'a', 'url': 'https://h', "
	 "'match': {'sources': ['m']}}]}",
	 {"sources: expected an array, got object"}},
	{"nameless source is not cascaded",
	 "{'sources': [{'type': 'push', 'token': 't'}], " "'policies': [{'name': 'p', "
	 "'breach_after': '1h', 'match': {'sources': ['ghost']}}]}",
	 {"sources[0].name: required"}},
	{"bad source name is not cascaded",
	 "{'sources': [{'name': 'Acme', 'type': 'push', 'token': 't'}], "
	 "'policies': [{'name': 'p', 'breach_after': '1h', 'match': {'sources': ['Acme']}}]}",
	 {"sources[0].name: \"Acme\" " NAME_HINT}},
	{"broken calendar is not cascaded",
	 "{'calendars': {'care': {'timezone': 'Mars/Olympus', 'weekly': {'mon': ['9-5']}}}, "
	 "'policies': [{'name': 'p', 'breach_after': '1h', 'calendar': 'care'}]}",
	 {"calendars.care.timezone: unknown time zone \"Mars/Olympus\" (use an IANA name like "
	  "Europe/Warsaw, or UTC)",
	  "calendars.care.weekly.mon[0]: \"9-5\" is not a time range (use HH:MM-HH:MM, e.g. "
	  "08:00-16:30)"}},
	{"unknown type does not flag its keys",
	 "{'sources': [{'name': 't', 'type': 'tiktok', 'user_id': '1', 'token': 't', "
	 "'page_id': '2'}]}",
	 {"sources[0].type: unknown type \"tiktok\" (expected one of: " TYPES ")"}},
	{"broken policy is not cascaded",
	 "{'policies': [{'name': 'vip'}, 'x'], 'alerts': [{'name': 'a', 'url': 'https://h', "
	 "'match': {'policies': ['vip', 'other']}}]}",
	 {"policies[0].breach_after: required", "policies[1]: expected an object, got string"}},

	/* Five independent problems: exactly five lines, section by section. */
	{"five errors",
	 "{'log_level': 'loud', 'http': {'listen': 'anywhere'}, 'retention': {'closed': '1y'}, "
	 "'sources': [{'name': 'x', 'type': 'x', 'token': 't'}], "
	 "'policies': [{'name': 'p', 'breach_after': '1h', 'match': {'max_rating': 6}}]}",
	 {"log_level: unknown level \"loud\" (expected one of: debug, info, notice, warning, "
	  "error)",
	  "http.listen: \"anywhere\" " LISTEN_HINT,
	  "retention.closed: \"1y\" " DURATION_HINT,
	  "sources[0].user_id: required for type \"x\"",
	  "policies[0].match.max_rating: 6 is out of range (1 to 5)"}},
};
/* clang-format on */

#define NCASES (sizeof(cases) / sizeof(cases[0]))

/* The environment the table expects: one variable set, two things unset. */
static void
table_env(void)
{
	setenv("RWT_NOT_A_URL", "not-a-url", 1);
	unsetenv("RWT_UNSET_TOKEN");
	unsetenv("CREDENTIALS_DIRECTORY");
}

/*
 * Criterion runs each case in a fresh process, where the addresses of the
 * strings above differ (PIE): the parameter is an index into cases[].
 */
ParameterizedTestParameters(config, table)
{
	static size_t index[NCASES];

	for (size_t i = 0; i < NCASES; i++)
		index[i] = i;
	return cr_make_param_array(size_t, index, NCASES);
}

ParameterizedTest(size_t *ip, config, table, .init = table_env)
{
	const struct config_case *c = &cases[*ip];
	struct rw_config_errors errs = {0};
	char *text = rwt_json_quotes(c->json);
	struct rw_config *cfg = rw_config_load_string(text, "test.json", &errs);
	char *got = rwt_config_errors_text(&errs);
	size_t want = 0;

	while (want < MAX_LINES && c->errors[want] != NULL)
		want++;
	if (want == 0) {
		cr_assert_not_null(cfg, "[%s] should load; got:%s", c->name, got);
		cr_assert_eq(errs.n, 0);
	} else {
		cr_assert_null(cfg, "[%s] should not load", c->name);
		cr_assert_eq(errs.n, want, "[%s] wants %zu lines; got:%s", c->name, want, got);
		for (size_t i = 0; i < want; i++)
			cr_assert_str_eq(errs.lines[i], c->errors[i], "[%s] line %zu; got:%s",
					 c->name, i, got);
	}
	free(got);
	free(text);
	rw_config_errors_clear(&errs);
	rw_config_free(cfg);
}

Test(config, table_is_large)
{
	cr_assert_geq(NCASES, 50);
}