/*
 * test_config: the configuration loader. A table of small documents, each
 * with the exact error lines it must produce (none for a valid one), then
 * tests of defaults, parsed values, the shipped example and file handling.
 *
 * The documents are written with ' for " so they read without escapes.
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
#define TYPES "mastodon, x, bluesky, reddit, youtube, facebook, instagram, google_business, " \
	      "google_play, app_store, trustpilot, json, push"
#define DURATION_HINT "is not a duration (use 90s, 5m, 1h30m)"
#define NAME_HINT "is not a valid name (use 1 to 64 of a-z, 0-9, \"-\" and \"_\")"
#define LISTEN_HINT "is not an address to listen on (use IP:PORT, [IPv6]:PORT or " \
		    "localhost:PORT, port 0 to 65535)"
#define POINTER_HINT "is not a JSON pointer (use \"\" or \"/a/0/b\", with ~0 for ~ and ~1 for /)"

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
	 " {'name': 'j', 'type': 'json', 'base_url': 'http://127.0.0.1:1/items', 'items': '',"
	 "  'fields': {'id': '/id', 'created_at': '/t', 'author': '/a/~0x~1y'}},"
	 " {'name': 'p', 'type': 'push', 'token': 't'}]}",
	 {NULL}},

	/* The top level. */
	{"top level not an object", "[]",
	 {"test.json: the top level must be an object, got array"}},
	{"unknown top-level key", "{'sourcess': []}",
	 {"sourcess: unknown key (expected one of: log_level, redis, http, retention, calendars, "
	  "policies, sources, alerts)"}},
	{"unknown log level", "{'log_level': 'verbose'}",
	 {"log_level: unknown level \"verbose\" (expected one of: debug, info, notice, warning, "
	  "error)"}},
	{"log level not a string", "{'log_level': 7}",
	 {"log_level: expected a string, got number"}},

	/* redis. */
	{"redis unknown key", "{'redis': {'urll': 'redis://127.0.0.1'}}",
	 {"redis.urll: unknown key (expected one of: url, password, key_prefix)"}},
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
	  "review)"}},
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
	  "labels, enabled, automated_reply_patterns, token)"}},
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
	 {"sources[0].items: required for type \"json\"",
	  "sources[0].fields: required for type \"json\""}},
	{"json bad fields", "{'sources': [{'name': 'j', 'type': 'json', 'base_url': "
			    "'https://api.example', 'items': 'data', 'next_url': '/next', "
			    "'fields': {'id': '/id', 'created_at': 'createdAt', 'auther': '/a', "
			    "'text': '/a~2'}}]}",
	 {"sources[0].items: \"data\" " POINTER_HINT,
	  "sources[0].fields.auther: unknown key (expected one of: id, created_at, author, text, "
	  "url, author_followers, kind, conversation_id, rating, in_reply_to, from_brand)",
	  "sources[0].fields.author: required",
	  "sources[0].fields.created_at: \"createdAt\" " POINTER_HINT,
	  "sources[0].fields.text: \"/a~2\" " POINTER_HINT}},
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

#define NCASES (sizeof(cases) / sizeof(cases[0]))

/* A copy of text with every ' turned into ". */
static char *
json_of(const char *text)
{
	char *s = strdup(text);

	cr_assert_not_null(s);
	for (char *c = s; *c != '\0'; c++) {
		if (*c == '\'')
			*c = '"';
	}
	return s;
}

/* The environment the table expects: one variable set, two things unset. */
static void
table_env(void)
{
	setenv("RWT_NOT_A_URL", "not-a-url", 1);
	unsetenv("RWT_UNSET_TOKEN");
	unsetenv("CREDENTIALS_DIRECTORY");
}

/* All lines of errs, one per line, for failure messages. */
static char *
dump(const struct rw_config_errors *errs)
{
	size_t len = 1;
	char *out;

	for (size_t i = 0; i < errs->n; i++)
		len += strlen(errs->lines[i]) + 3;
	out = calloc(1, len);
	cr_assert_not_null(out);
	for (size_t i = 0; i < errs->n; i++) {
		strcat(out, "\n  ");
		strcat(out, errs->lines[i]);
	}
	return out;
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
	char *text = json_of(c->json);
	struct rw_config *cfg = rw_config_load_string(text, "test.json", &errs);
	char *got = dump(&errs);
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

/* Loads doc (with ' for ") that must be valid. */
static struct rw_config *
load_ok(const char *doc)
{
	struct rw_config_errors errs = {0};
	char *text = json_of(doc);
	struct rw_config *cfg = rw_config_load_string(text, "test.json", &errs);
	char *got = dump(&errs);

	cr_assert_not_null(cfg, "should load: %s; got:%s", text, got);
	free(got);
	free(text);
	return cfg;
}

/* Loads doc that must fail; returns its error lines. */
static struct rw_config_errors
load_bad(const char *text, const char *origin)
{
	struct rw_config_errors errs = {0};
	struct rw_config *cfg = rw_config_load_string(text, origin, &errs);

	cr_assert_null(cfg, "should not load: %s", text);
	cr_assert_gt(errs.n, 0);
	return errs;
}

Test(config, defaults)
{
	struct rw_config *cfg = load_ok("{}");
	const struct sockaddr_in *in = (const struct sockaddr_in *)&cfg->http.addr;

	cr_assert_str_eq(cfg->path, "test.json");
	cr_assert_eq(cfg->log_level, RW_LOG_INFO);
	cr_assert_not(cfg->redis.unix_socket);
	cr_assert_str_eq(cfg->redis.host, "127.0.0.1");
	cr_assert_eq(cfg->redis.port, 6379);
	cr_assert_null(cfg->redis.path);
	cr_assert_eq(cfg->redis.db, 0);
	cr_assert_null(cfg->redis.username);
	cr_assert_null(cfg->redis.password);
	cr_assert_str_eq(cfg->redis.key_prefix, "rw:");
	cr_assert_str_eq(cfg->redis.display, "127.0.0.1:6379/0");
	cr_assert_str_eq(cfg->http.listen, "127.0.0.1:9477");
	cr_assert_eq(in->sin_family, AF_INET);
	cr_assert_eq(ntohs(in->sin_port), 9477);
	cr_assert_eq(ntohl(in->sin_addr.s_addr), INADDR_LOOPBACK);
	cr_assert_eq(cfg->http.addrlen, sizeof(struct sockaddr_in));
	cr_assert_null(cfg->http.token);
	cr_assert_eq(cfg->http.max_body, 1048576);
	cr_assert_eq(cfg->retention.closed, 30 * 86400);
	cr_assert_eq(cfg->retention.give_up_after, 7 * 86400);
	cr_assert_eq(cfg->retention.backfill, 86400);
	cr_assert_eq(cfg->ncalendars, 0);
	cr_assert_eq(cfg->npolicies, 0);
	cr_assert_eq(cfg->nsources, 0);
	cr_assert_eq(cfg->nalerts, 0);
	rw_config_free(cfg);
}

Test(config, source_defaults_and_params)
{
	struct rw_config *cfg = load_ok(
		"{'sources': [{'name': 'x', 'type': 'x', 'user_id': '42', 'token': 'tok'},"
		" {'name': 'p', 'type': 'push', 'token': 'ptok', 'enabled': false,"
		"  'labels': {'brand': 'acme', 'Team_2': 'care'},"
		"  'automated_reply_patterns': ['Thanks for', 'auto']},"
		" {'name': 'j', 'type': 'json', 'base_url': 'http://127.0.0.1:8080/feed',"
		"  'poll_every': 5, 'items': '/data', 'fields': {'id': '/id', 'created_at': '/at',"
		"  'author': '/by', 'rating': '/stars'}}]}");
	const struct rw_source_config *x = rw_config_find_source(cfg, "x");
	const struct rw_source_config *p = rw_config_find_source(cfg, "p");
	const struct rw_source_config *j = rw_config_find_source(cfg, "j");
	const json_t *fields;

	cr_assert_eq(cfg->nsources, 3);
	cr_assert_not_null(x);
	cr_assert_eq(x->type, RW_SOURCE_X);
	cr_assert_str_eq(x->base_url, "https://api.x.com");
	cr_assert_eq(x->poll_every, 60);
	cr_assert(x->enabled);
	cr_assert_eq(x->labels.n, 0);
	cr_assert_str_eq(rw_source_param_string(x, "user_id"), "42");
	cr_assert_null(rw_source_param_secret(x, "user_id"));
	cr_assert_str_eq(rw_secret_value(rw_source_param_secret(x, "token")), "tok");
	cr_assert_null(rw_source_param_string(x, "token"));
	cr_assert_null(rw_source_param_string(x, "page_id"));
	cr_assert_eq(x->nparams, 2);

	cr_assert_eq(p->type, RW_SOURCE_PUSH);
	cr_assert_null(p->base_url);
	cr_assert_not(p->enabled);
	cr_assert_eq(p->labels.n, 2);
	cr_assert_str_eq(p->labels.items[0].key, "brand");
	cr_assert_str_eq(p->labels.items[0].value, "acme");
	cr_assert_str_eq(p->labels.items[1].key, "Team_2");
	cr_assert_eq(p->automated_reply_patterns.n, 2);
	cr_assert_str_eq(p->automated_reply_patterns.items[1], "auto");
	cr_assert(rw_secret_matches(rw_source_param_secret(p, "token"), "ptok", 4));

	cr_assert_str_eq(j->base_url, "http://127.0.0.1:8080/feed");
	cr_assert_eq(j->poll_every, 5);
	cr_assert_str_eq(rw_source_param_string(j, "items"), "/data");
	cr_assert_null(rw_source_param_string(j, "next_url"));
	cr_assert_null(rw_source_param_secret(j, "token"));
	fields = rw_source_param_json(j, "fields");
	cr_assert(json_is_object(fields));
	cr_assert_str_eq(json_string_value(json_object_get(fields, "rating")), "/stars");
	cr_assert_null(rw_source_param_json(j, "items"));
	cr_assert_null(rw_config_find_source(cfg, "nope"));
	rw_config_free(cfg);
}

Test(config, default_base_urls)
{
	static const struct {
		const char *doc;
		const char *url;
	} urls[] = {
		{"{'name': 'b', 'type': 'bluesky', 'identifier': 'i', 'app_password': 'p'}",
		 "https://bsky.social"},
		{"{'name': 'r', 'type': 'reddit', 'client_id': 'c', 'client_secret': 's',"
		 " 'username': 'u', 'password': 'p'}", "https://oauth.reddit.com"},
		{"{'name': 'y', 'type': 'youtube', 'channel_id': 'c', 'api_key': 'k'}",
		 "https://www.googleapis.com"},
		{"{'name': 'f', 'type': 'facebook', 'page_id': '1', 'token': 't'}",
		 "https://graph.facebook.com"},
		{"{'name': 'i', 'type': 'instagram', 'user_id': '1', 'token': 't'}",
		 "https://graph.facebook.com"},
		{"{'name': 'g', 'type': 'google_business', 'account_id': '1', 'location_id': '2',"
		 " 'client_id': 'c', 'client_secret': 's', 'refresh_token': 'r'}",
		 "https://mybusiness.googleapis.com"},
		{"{'name': 'g', 'type': 'google_play', 'package_name': 'p', 'client_email': 'e',"
		 " 'private_key': 'k'}", "https://androidpublisher.googleapis.com"},
		{"{'name': 'a', 'type': 'app_store', 'app_id': '1', 'issuer_id': 'i',"
		 " 'key_id': 'k', 'private_key': 'p'}", "https://api.appstoreconnect.apple.com"},
		{"{'name': 't', 'type': 'trustpilot', 'business_unit_id': 'b', 'api_key': 'k'}",
		 "https://api.trustpilot.com"},
		{"{'name': 'b', 'type': 'bluesky', 'identifier': 'i', 'app_password': 'p',"
		 " 'base_url': 'http://127.0.0.1:3000'}", "http://127.0.0.1:3000"},
	};

	for (size_t i = 0; i < sizeof(urls) / sizeof(urls[0]); i++) {
		char doc[1024];
		struct rw_config *cfg;

		snprintf(doc, sizeof(doc), "{'sources': [%s]}", urls[i].doc);
		cfg = load_ok(doc);
		cr_assert_str_eq(cfg->sources[0].base_url, urls[i].url);
		rw_config_free(cfg);
	}
}

Test(config, calendar_values)
{
	struct rw_config *cfg = load_ok(
		"{'calendars': {'care': {'timezone': 'Europe/Warsaw', 'weekly': {"
		"  'sun': ['00:00-24:00'], 'mon': ['13:00-17:30', '08:00-12:00'],"
		"  'sat': ['10:00-14:00']},"
		"  'holidays': ['2026-12-26', '2024-02-29', '2026-12-25', '2026-12-25',"
		"  '1970-01-01']}}}");
	const struct rw_calendar_config *cal = rw_config_find_calendar(cfg, "care");

	cr_assert_not_null(cal);
	cr_assert_str_eq(cal->name, "care");
	cr_assert_str_eq(cal->timezone, "Europe/Warsaw");
	/* tm_wday order: 0 is Sunday, 1 Monday, 6 Saturday. */
	cr_assert_eq(cal->nweekly[0], 1);
	cr_assert_eq(cal->weekly[0][0].start, 0);
	cr_assert_eq(cal->weekly[0][0].end, 1440);
	cr_assert_eq(cal->nweekly[1], 2);
	cr_assert_eq(cal->weekly[1][0].start, 8 * 60);
	cr_assert_eq(cal->weekly[1][0].end, 12 * 60);
	cr_assert_eq(cal->weekly[1][1].start, 13 * 60);
	cr_assert_eq(cal->weekly[1][1].end, 17 * 60 + 30);
	for (int d = 2; d <= 5; d++) {
		cr_assert_eq(cal->nweekly[d], 0, "day %d", d);
		cr_assert_null(cal->weekly[d]);
	}
	cr_assert_eq(cal->nweekly[6], 1);
	cr_assert_eq(cal->weekly[6][0].start, 600);
	cr_assert_eq(cal->weekly[6][0].end, 840);
	cr_assert_eq(cal->nholidays, 4);
	cr_assert_eq(cal->holidays[0], 0);
	cr_assert_eq(cal->holidays[1], 19782);
	cr_assert_eq(cal->holidays[2], 20812);
	cr_assert_eq(cal->holidays[3], 20813);
	cr_assert_null(rw_config_find_calendar(cfg, "other"));
	rw_config_free(cfg);
}

Test(config, every_weekday_key)
{
	static const char *const days[] = {"sun", "mon", "tue", "wed", "thu", "fri", "sat"};

	for (int d = 0; d < 7; d++) {
		char doc[256];
		struct rw_config *cfg;

		snprintf(doc, sizeof(doc), "{'calendars': {'c': {'timezone': 'UTC', 'weekly': "
			 "{'%s': ['09:00-10:00']}}}}", days[d]);
		cfg = load_ok(doc);
		for (int w = 0; w < 7; w++)
			cr_assert_eq(cfg->calendars[0].nweekly[w], w == d ? 1u : 0u,
				     "%s set tm_wday %d", days[d], w);
		rw_config_free(cfg);
	}
}

Test(config, policy_values)
{
	struct rw_config *cfg = load_ok(
		"{'calendars': {" CAL_CARE "},"
		" 'sources': [" SRC_M "],"
		" 'policies': [{'name': 'vip', 'match': {'sources': ['m'], 'platforms': ['x',"
		"  'mastodon'], 'kind': ['mention', 'review'], 'keywords': ['Refund'],"
		"  'min_followers': 0, 'max_rating': 2, 'labels': {'brand': 'acme'}},"
		"  'warn_after': '10m', 'breach_after': 1800, 'escalate_after': ['1h', 7200],"
		"  'calendar': 'care'},"
		" {'name': 'rest', 'breach_after': '1d'}]}");
	const struct rw_policy_config *vip = rw_config_find_policy(cfg, "vip");
	const struct rw_policy_config *rest = rw_config_find_policy(cfg, "rest");

	cr_assert_eq(cfg->npolicies, 2);
	cr_assert_eq(vip, &cfg->policies[0], "policies stay in file order");
	cr_assert_eq(vip->match.sources.n, 1);
	cr_assert_str_eq(vip->match.sources.items[0], "m");
	cr_assert_eq(vip->match.platforms.n, 2);
	cr_assert_str_eq(vip->match.platforms.items[1], "mastodon");
	cr_assert_eq(vip->match.kinds, RW_KIND_MENTION | RW_KIND_REVIEW);
	cr_assert_str_eq(vip->match.keywords.items[0], "Refund");
	cr_assert(vip->match.has_min_followers);
	cr_assert_eq(vip->match.min_followers, 0);
	cr_assert(vip->match.has_max_rating);
	cr_assert_eq(vip->match.max_rating, 2);
	cr_assert_str_eq(vip->match.labels.items[0].value, "acme");
	cr_assert_eq(vip->warn_after, 600);
	cr_assert_eq(vip->breach_after, 1800);
	cr_assert_eq(vip->nescalate, 2);
	cr_assert_eq(vip->escalate_after[0], 3600);
	cr_assert_eq(vip->escalate_after[1], 7200);
	cr_assert_str_eq(vip->calendar_name, "care");
	cr_assert_eq(vip->calendar, rw_config_find_calendar(cfg, "care"));

	cr_assert_eq(rest->match.kinds, 0);
	cr_assert_not(rest->match.has_min_followers);
	cr_assert_not(rest->match.has_max_rating);
	cr_assert_eq(rest->warn_after, 0);
	cr_assert_eq(rest->breach_after, 86400);
	cr_assert_eq(rest->nescalate, 0);
	cr_assert_null(rest->calendar_name);
	cr_assert_null(rest->calendar);
	cr_assert_null(rw_config_find_policy(cfg, "none"));
	rw_config_free(cfg);
}

Test(config, alert_values)
{
	struct rw_config *cfg;

	setenv("RWT_HOOK_URL", "https://hooks.example/T1/B2/xyz", 1);
	cfg = load_ok(
		"{'sources': [" SRC_M "], 'policies': [{'name': 'p', 'breach_after': '1h'}],"
		" 'alerts': [{'name': 'j', 'url': 'https://h.example/in', 'secret': 'whsec_abc'},"
		" {'name': 's', 'format': 'slack', 'url': 'env:RWT_HOOK_URL', 'events':"
		"  ['breach', 'source_down'], 'repeat_every': '30m', 'group_window': 10,"
		"  'timeout': '5s', 'retry_for': '1h', 'match': {'policies': ['p'],"
		"  'sources': ['m'], 'labels': {'brand': 'acme'}}},"
		" {'name': 'pd', 'format': 'pagerduty', 'routing_key': 'R0UT1NG'},"
		" {'name': 'am', 'format': 'alertmanager', 'url': 'http://127.0.0.1:9093'}]}");
	cr_assert_eq(cfg->nalerts, 4);
	cr_assert_eq(cfg->alerts[0].format, RW_ALERT_JSON);
	cr_assert_str_eq(rw_secret_value(cfg->alerts[0].url), "https://h.example/in");
	cr_assert_str_eq(rw_secret_value(cfg->alerts[0].secret), "whsec_abc");
	cr_assert_null(cfg->alerts[0].routing_key);
	cr_assert_eq(cfg->alerts[0].events, RW_EVENT_ALL);
	cr_assert_eq(cfg->alerts[0].repeat_every, 0);
	cr_assert_eq(cfg->alerts[0].group_window, 0);
	cr_assert_eq(cfg->alerts[0].timeout, 10);
	cr_assert_eq(cfg->alerts[0].retry_for, 86400);

	cr_assert_eq(cfg->alerts[1].format, RW_ALERT_SLACK);
	cr_assert_str_eq(rw_secret_value(cfg->alerts[1].url), "https://hooks.example/T1/B2/xyz");
	cr_assert_str_eq(rw_secret_origin(cfg->alerts[1].url), "env:RWT_HOOK_URL");
	cr_assert_eq(cfg->alerts[1].events, RW_EVENT_BREACH | RW_EVENT_SOURCE_DOWN);
	cr_assert_eq(cfg->alerts[1].repeat_every, 1800);
	cr_assert_eq(cfg->alerts[1].group_window, 10);
	cr_assert_eq(cfg->alerts[1].timeout, 5);
	cr_assert_eq(cfg->alerts[1].retry_for, 3600);
	cr_assert_str_eq(cfg->alerts[1].match.policies.items[0], "p");
	cr_assert_str_eq(cfg->alerts[1].match.sources.items[0], "m");
	cr_assert_str_eq(cfg->alerts[1].match.labels.items[0].key, "brand");

	cr_assert_eq(cfg->alerts[2].format, RW_ALERT_PAGERDUTY);
	cr_assert_str_eq(rw_secret_value(cfg->alerts[2].url),
			 "https://events.pagerduty.com/v2/enqueue");
	cr_assert_str_eq(rw_secret_value(cfg->alerts[2].routing_key), "R0UT1NG");
	cr_assert_eq(cfg->alerts[3].format, RW_ALERT_ALERTMANAGER);
	rw_config_free(cfg);
}

Test(config, redis_urls)
{
	struct rw_config *cfg = load_ok("{'redis': {'url': 'redis://app:p%40ss@[::1]:6380/2'}}");

	cr_assert_not(cfg->redis.unix_socket);
	cr_assert_str_eq(cfg->redis.host, "::1");
	cr_assert_eq(cfg->redis.port, 6380);
	cr_assert_eq(cfg->redis.db, 2);
	cr_assert_str_eq(cfg->redis.username, "app");
	cr_assert_str_eq(rw_secret_value(cfg->redis.password), "p@ss");
	cr_assert_str_eq(cfg->redis.display, "[::1]:6380/2");
	rw_config_free(cfg);

	cfg = load_ok("{'redis': {'url': 'unix:///run/redis.sock?db=3', 'password': 'pw',"
		      " 'key_prefix': 'acme:'}}");
	cr_assert(cfg->redis.unix_socket);
	cr_assert_null(cfg->redis.host);
	cr_assert_str_eq(cfg->redis.path, "/run/redis.sock");
	cr_assert_eq(cfg->redis.db, 3);
	cr_assert_str_eq(rw_secret_value(cfg->redis.password), "pw");
	cr_assert_str_eq(cfg->redis.key_prefix, "acme:");
	cr_assert_str_eq(cfg->redis.display, "unix:/run/redis.sock/3");
	rw_config_free(cfg);

	cfg = load_ok("{'redis': {'url': 'redis://user@localhost', 'password': 'pw'}}");
	cr_assert_str_eq(cfg->redis.host, "127.0.0.1");
	cr_assert_eq(cfg->redis.port, 6379);
	cr_assert_eq(cfg->redis.db, 0);
	cr_assert_str_eq(cfg->redis.username, "user");
	cr_assert_str_eq(rw_secret_value(cfg->redis.password), "pw");
	cr_assert_str_eq(cfg->redis.display, "127.0.0.1:6379/0");
	cr_assert_null(strstr(cfg->redis.display, "pw"));
	rw_config_free(cfg);
}

Test(config, listen_addresses)
{
	struct rw_config *cfg = load_ok("{'http': {'listen': '[::1]:0', 'token': 'tok',"
					" 'max_body': 67108864}}");
	const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *)&cfg->http.addr;
	const struct sockaddr_in *in;

	cr_assert_eq(in6->sin6_family, AF_INET6);
	cr_assert_eq(ntohs(in6->sin6_port), 0);
	cr_assert(IN6_IS_ADDR_LOOPBACK(&in6->sin6_addr));
	cr_assert_eq(cfg->http.addrlen, sizeof(struct sockaddr_in6));
	cr_assert_str_eq(cfg->http.listen, "[::1]:0");
	cr_assert(rw_secret_matches(cfg->http.token, "tok", 3));
	cr_assert_eq(cfg->http.max_body, 67108864);
	rw_config_free(cfg);

	cfg = load_ok("{'http': {'listen': 'localhost:8080'}}");
	in = (const struct sockaddr_in *)&cfg->http.addr;
	cr_assert_eq(in->sin_family, AF_INET);
	cr_assert_eq(ntohs(in->sin_port), 8080);
	cr_assert_eq(ntohl(in->sin_addr.s_addr), INADDR_LOOPBACK);
	cr_assert_str_eq(cfg->http.listen, "localhost:8080");
	rw_config_free(cfg);
}

Test(config, log_levels)
{
	static const struct {
		const char *name;
		enum rw_log_level level;
	} levels[] = {
		{"debug", RW_LOG_DEBUG}, {"info", RW_LOG_INFO}, {"notice", RW_LOG_NOTICE},
		{"warning", RW_LOG_WARNING}, {"error", RW_LOG_ERR},
	};

	for (size_t i = 0; i < sizeof(levels) / sizeof(levels[0]); i++) {
		char doc[64];
		struct rw_config *cfg;

		snprintf(doc, sizeof(doc), "{'log_level': '%s'}", levels[i].name);
		cfg = load_ok(doc);
		cr_assert_eq(cfg->log_level, levels[i].level);
		rw_config_free(cfg);
	}
}

Test(config, invalid_json_reports_line_and_column)
{
	struct rw_config_errors errs;

	errs = load_bad("{\n  \"log_level\": \"info\",\n  \"redis\": ,\n}\n", "bad.json");

	cr_assert_eq(errs.n, 1);
	cr_assert(strncmp(errs.lines[0], "bad.json:3:12: invalid JSON: ", 29) == 0, "got %s",
		  errs.lines[0]);
	rw_config_errors_clear(&errs);

	errs = load_bad("{\"a\": 1", NULL);
	cr_assert_eq(errs.n, 1);
	cr_assert(strncmp(errs.lines[0], "<string>:1:", 11) == 0, "got %s", errs.lines[0]);
	cr_assert_not_null(strstr(errs.lines[0], ": invalid JSON: "));
	rw_config_errors_clear(&errs);
}

Test(config, duplicate_keys_are_invalid_json)
{
	struct rw_config_errors errs = load_bad(
		"{\"calendars\": {\n"
		"  \"care\": {\"timezone\": \"UTC\", \"weekly\": {\"mon\": [\"09:00-17:00\"]}},\n"
		"  \"care\": {\"timezone\": \"UTC\", \"weekly\": {\"tue\": [\"09:00-17:00\"]}}\n"
		"}}", "dup.json");

	cr_assert_eq(errs.n, 1);
	cr_assert(strncmp(errs.lines[0], "dup.json:3:", 11) == 0, "got %s", errs.lines[0]);
	cr_assert_not_null(strstr(errs.lines[0], "duplicate object key"), "got %s",
			   errs.lines[0]);
	rw_config_errors_clear(&errs);
}

Test(config, errors_are_appended)
{
	struct rw_config_errors errs = {0};

	cr_assert_null(rw_config_load_string("[]", "a.json", &errs));
	cr_assert_null(rw_config_load_string("7", "b.json", &errs));
	cr_assert_eq(errs.n, 2);
	cr_assert_str_eq(errs.lines[0], "a.json: the top level must be an object, got array");
	cr_assert_str_eq(errs.lines[1], "b.json: the top level must be an object, got number");
	rw_config_errors_clear(&errs);
	cr_assert_eq(errs.n, 0);
	cr_assert_null(errs.lines);
	rw_config_errors_clear(&errs);
}

Test(config, load_file)
{
	char dir[] = "/tmp/rw-config-XXXXXX", path[256], want[512];
	struct rw_config_errors errs = {0};
	struct rw_config *cfg;
	FILE *f;

	cr_assert_not_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/absent.json", dir);
	cr_assert_null(rw_config_load_file(path, &errs));
	snprintf(want, sizeof(want), "%s: cannot read: No such file or directory", path);
	cr_assert_eq(errs.n, 1);
	cr_assert_str_eq(errs.lines[0], want);
	rw_config_errors_clear(&errs);

	cr_assert_null(rw_config_load_file(dir, &errs));
	snprintf(want, sizeof(want), "%s: cannot read: Is a directory", dir);
	cr_assert_eq(errs.n, 1);
	cr_assert_str_eq(errs.lines[0], want);
	rw_config_errors_clear(&errs);

	snprintf(path, sizeof(path), "%s/bad.json", dir);
	cr_assert_not_null(f = fopen(path, "w"));
	fputs("{\n\"http\": {\"listen\": 80}\n}\n", f);
	cr_assert_eq(fclose(f), 0);
	cr_assert_null(rw_config_load_file(path, &errs));
	cr_assert_eq(errs.n, 1);
	cr_assert_str_eq(errs.lines[0], "http.listen: expected a string, got number");
	rw_config_errors_clear(&errs);

	cr_assert_not_null(f = fopen(path, "w"));
	fputs("{\n\"http\": {\"listen\": }\n}\n", f);
	cr_assert_eq(fclose(f), 0);
	cr_assert_null(rw_config_load_file(path, &errs));
	snprintf(want, sizeof(want), "%s:2:20: invalid JSON: ", path);
	cr_assert_eq(errs.n, 1);
	cr_assert(strncmp(errs.lines[0], want, strlen(want)) == 0, "got %s", errs.lines[0]);
	rw_config_errors_clear(&errs);

	cr_assert_not_null(f = fopen(path, "w"));
	fputs("{\"log_level\": \"debug\"}", f);
	cr_assert_eq(fclose(f), 0);
	cfg = rw_config_load_file(path, &errs);
	cr_assert_not_null(cfg);
	cr_assert_str_eq(cfg->path, path);
	cr_assert_eq(cfg->log_level, RW_LOG_DEBUG);
	rw_config_free(cfg);
	cr_assert_eq(unlink(path), 0);
	cr_assert_eq(rmdir(dir), 0);
}

/* The credentials the example configuration refers to. */
static const char *const example_creds[] = {
	"status-token", "x-bearer", "bluesky-app-password", "reddit-client-secret",
	"reddit-refresh-token", "youtube-api-key", "facebook-page-token", "instagram-token",
	"google-client-secret", "google-refresh-token", "google-play-key", "app-store-key",
	"trustpilot-api-key", "forum-token", "push-token", "webhook-secret", "pd-key", NULL,
};

Test(config, example_loads)
{
	char dir[] = "/tmp/rw-creds-XXXXXX", path[256], cmd[300];
	struct rw_config_errors errs = {0};
	struct rw_config *cfg;
	char *got;

	cr_assert_not_null(mkdtemp(dir));
	for (size_t i = 0; example_creds[i] != NULL; i++) {
		FILE *f;

		snprintf(path, sizeof(path), "%s/%s", dir, example_creds[i]);
		cr_assert_not_null(f = fopen(path, "w"));
		fprintf(f, "value-of-%s\n", example_creds[i]);
		cr_assert_eq(fclose(f), 0);
	}
	setenv("CREDENTIALS_DIRECTORY", dir, 1);
	setenv("REDIS_PASSWORD", "redis-pw", 1);
	setenv("MASTODON_TOKEN", "mastodon-token", 1);
	setenv("SLACK_WEBHOOK_URL", "https://hooks.slack.com/services/T000/B000/abcd", 1);

	cfg = rw_config_load_file(RW_SOURCE_DIR "/config/replywatch.example.json", &errs);
	got = dump(&errs);
	cr_assert_not_null(cfg, "the example should load; got:%s", got);
	free(got);

	/* Every source type appears, and every section is used. */
	for (int t = 0; t < RW_SOURCE_TYPE_COUNT; t++) {
		bool found = false;

		for (size_t i = 0; i < cfg->nsources; i++)
			found = found || cfg->sources[i].type == (enum rw_source_type)t;
		cr_assert(found, "no %s source in the example", rw_source_type_name(t));
	}
	for (int f = RW_ALERT_JSON; f <= RW_ALERT_PAGERDUTY; f++) {
		bool found = false;

		for (size_t i = 0; i < cfg->nalerts; i++)
			found = found || cfg->alerts[i].format == (enum rw_alert_format)f;
		cr_assert(found, "no %s alert in the example", rw_alert_format_name(f));
	}
	cr_assert_gt(cfg->ncalendars, 0);
	cr_assert_gt(cfg->npolicies, 0);
	cr_assert_not_null(cfg->http.token);
	cr_assert_str_eq(rw_secret_value(cfg->http.token), "value-of-status-token");
	cr_assert_str_eq(rw_secret_value(cfg->redis.password), "redis-pw");
	cr_assert_str_eq(rw_secret_value(rw_source_param_secret(
				 rw_config_find_source(cfg, "acme-x"), "token")),
			 "value-of-x-bearer");
	cr_assert_not_null(rw_config_find_policy(cfg, "angry-review")->calendar);
	rw_config_free(cfg);

	/* Without its secrets, the example fails naming each one. */
	unsetenv("MASTODON_TOKEN");
	cr_assert_null(rw_config_load_file(RW_SOURCE_DIR "/config/replywatch.example.json",
					   &errs));
	cr_assert_eq(errs.n, 1);
	cr_assert_str_eq(errs.lines[0],
			 "sources[0].token: environment variable MASTODON_TOKEN is not set");
	rw_config_errors_clear(&errs);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	cr_assert_eq(system(cmd), 0);
}

Test(config, name_helpers)
{
	static const char *const types[] = {
		"mastodon", "x", "bluesky", "reddit", "youtube", "facebook", "instagram",
		"google_business", "google_play", "app_store", "trustpilot", "json", "push",
	};
	static const char *const events[] = {
		"warning", "breach", "escalation", "resolved", "expired", "source_down",
		"source_up",
	};
	enum rw_source_type t;
	enum rw_alert_format f;

	cr_assert_eq(rw_kind_parse("mention"), RW_KIND_MENTION);
	cr_assert_eq(rw_kind_parse("comment"), RW_KIND_COMMENT);
	cr_assert_eq(rw_kind_parse("review"), RW_KIND_REVIEW);
	cr_assert_eq(rw_kind_parse("Review"), 0);
	cr_assert_str_eq(rw_kind_name(RW_KIND_REVIEW), "review");
	cr_assert_null(rw_kind_name(RW_KIND_MENTION | RW_KIND_REVIEW));
	cr_assert_null(rw_kind_name(0));
	cr_assert_null(rw_kind_name(1u << 3));

	cr_assert_eq(sizeof(types) / sizeof(types[0]), RW_SOURCE_TYPE_COUNT);
	for (int i = 0; i < RW_SOURCE_TYPE_COUNT; i++) {
		cr_assert_eq(rw_source_type_parse(types[i], &t), 0);
		cr_assert_eq(t, (enum rw_source_type)i);
		cr_assert_str_eq(rw_source_type_name(t), types[i]);
	}
	cr_assert_eq(rw_source_type_parse("tiktok", &t), -1);
	cr_assert_null(rw_source_type_name(RW_SOURCE_TYPE_COUNT));

	cr_assert_eq(rw_alert_format_parse("alertmanager", &f), 0);
	cr_assert_eq(f, RW_ALERT_ALERTMANAGER);
	cr_assert_str_eq(rw_alert_format_name(RW_ALERT_PAGERDUTY), "pagerduty");
	cr_assert_str_eq(rw_alert_format_name(RW_ALERT_JSON), "json");
	cr_assert_eq(rw_alert_format_parse("teams", &f), -1);
	cr_assert_null(rw_alert_format_name((enum rw_alert_format)9));

	for (int i = 0; i < 7; i++) {
		cr_assert_eq(rw_event_type_parse(events[i]), 1u << i);
		cr_assert_str_eq(rw_event_type_name(1u << i), events[i]);
	}
	cr_assert_eq(rw_event_type_parse("breached"), 0);
	cr_assert_null(rw_event_type_name(RW_EVENT_ALL));
	cr_assert_null(rw_event_type_name(0));
}

Test(config, free_accepts_null)
{
	rw_config_free(NULL);
	rw_config_errors_clear(NULL);
}
