/*
 * The configuration loader's parsed values: defaults, every section's fields,
 * redis URLs, listen addresses, JSON syntax errors, files, and the example
 * configuration shipped in config/.
 */
#include <criterion/criterion.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "replywatch/config.h"
#include "replywatch/keys.h"
#include "replywatch/platform.h"
#include "replywatch/sources/json_map.h"
#include "replywatch/secret.h"
#include "replywatch/sources/json_map.h"
#include "replywatch/utf8.h"

#include "rwtest.h"

/* A valid source and calendar to build documents around. */
#define SRC_M "{'name': 'm', 'type': 'mastodon', 'base_url': 'https://m.example', 'token': 't'}"
#define CAL_CARE "'care': {'timezone': 'UTC', 'weekly': {'mon': ['09:00-17:00']}}"

/* Loads doc (with ' for ") that must be valid. */
static struct rw_config *
load_ok(const char *doc)
{
	struct rw_config_errors errs = {0};
	char *text = rwt_json_quotes(doc);
	struct rw_config *cfg = rw_config_load_string(text, "test.json", &errs);
	char *got = rwt_config_errors_text(&errs);

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
		" {'name': 'j', 'type': 'json', 'base_url': 'http://127.0.0.1:8080',"
		"  'request': {'url': '/feed'},"
		"  'poll_every': 5, 'items': '/data', 'fields': {'id': '/id', 'created_at': '/at',"
		"  'author': '/by', 'rating': '/stars'}}]}");
	const struct rw_source_config *x = rw_config_find_source(cfg, "x");
	const struct rw_source_config *p = rw_config_find_source(cfg, "p");
	const struct rw_source_config *j = rw_config_find_source(cfg, "j");
	const struct rw_json_spec *spec;

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

	cr_assert_str_eq(j->base_url, "http://127.0.0.1:8080");
	cr_assert_eq(j->poll_every, 5);
	cr_assert_eq(j->nparams, 0); /* the json type's keys are all in its spec */
	cr_assert_null(rw_json_spec_of(x));
	spec = rw_json_spec_of(j);
	cr_assert_not_null(spec);
	cr_assert_str_eq(spec->list.items.text, "/data");
	cr_assert_str_eq(spec->list.fields.rating.text, "/stars");
	cr_assert_eq(spec->auth.type, RW_JSON_AUTH_NONE);
	cr_assert_null(rw_config_find_source(cfg, "nope"));
	rw_config_free(cfg);
}

/* poll_every "auto" spreads a quota: the default of quota-limited types
 * (X, YouTube), accepted by any polled type; a duration turns it off. */
Test(config, poll_every_auto)
{
	struct rw_config *cfg = load_ok(
		"{'sources': [{'name': 'x', 'type': 'x', 'user_id': '42', 'token': 'tok'},"
		" {'name': 'x2', 'type': 'x', 'user_id': '42', 'token': 'tok', 'poll_every': '2m'},"
		" {'name': 'y', 'type': 'youtube', 'channel_id': 'UC1', 'api_key': 'k'},"
		" {'name': 'm', 'type': 'mastodon', 'base_url': 'https://m.example', 'token': 't'},"
		" {'name': 'm2', 'type': 'mastodon', 'base_url': 'https://m.example', 'token': 't',"
		"  'poll_every': 'auto'}]}");
	const struct rw_source_config *x = rw_config_find_source(cfg, "x");
	const struct rw_source_config *x2 = rw_config_find_source(cfg, "x2");
	const struct rw_source_config *y = rw_config_find_source(cfg, "y");
	const struct rw_source_config *m = rw_config_find_source(cfg, "m");
	const struct rw_source_config *m2 = rw_config_find_source(cfg, "m2");

	cr_assert(x->poll_auto);
	cr_assert_eq(x->poll_every, 60, "the interval until a budget is known");
	cr_assert_not(x2->poll_auto);
	cr_assert_eq(x2->poll_every, 120);
	cr_assert(y->poll_auto);
	cr_assert_not(m->poll_auto);
	cr_assert(m2->poll_auto);
	cr_assert_eq(m2->poll_every, 60);
	cr_assert_eq(rw_platform_of(RW_SOURCE_YOUTUBE)->quota->daily_units, 10000);
	cr_assert_str_eq(rw_platform_of(RW_SOURCE_YOUTUBE)->quota->reset_tz, "America/Los_Angeles");
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
		 " 'username': 'u', 'password': 'p'}",
		 "https://oauth.reddit.com"},
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
		 " 'private_key': 'k'}",
		 "https://androidpublisher.googleapis.com"},
		{"{'name': 'a', 'type': 'app_store', 'app_id': '1', 'issuer_id': 'i',"
		 " 'key_id': 'k', 'private_key': 'p'}",
		 "https://api.appstoreconnect.apple.com"},
		{"{'name': 't', 'type': 'trustpilot', 'business_unit_id': 'b', 'api_key': 'k'}",
		 "https://api.trustpilot.com"},
		{"{'name': 'l', 'type': 'linkedin', 'organization': '1', 'client_id': 'c',"
		 " 'client_secret': 's', 'refresh_token': 'r'}",
		 "https://api.linkedin.com"},
		{"{'name': 'b', 'type': 'bluesky', 'identifier': 'i', 'app_password': 'p',"
		 " 'base_url': 'http://127.0.0.1:3000'}",
		 "http://127.0.0.1:3000"},
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
	struct rw_config *cfg =
		load_ok("{'calendars': {'care': {'timezone': 'Europe/Warsaw', 'weekly': {"
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

		snprintf(doc, sizeof(doc),
			 "{'calendars': {'c': {'timezone': 'UTC', 'weekly': "
			 "{'%s': ['09:00-10:00']}}}}",
			 days[d]);
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

/* A key_prefix too long for the key buffers was taken and made every
 * Redis command fail at run time ("key name too long"). */
Test(config, regression_key_prefix_longer_than_keys_allow)
{
	char prefix[RW_KEY_PREFIX_MAX + 2], *doc;
	struct rw_config_errors errs = {0};
	struct rw_config *cfg;

	memset(prefix, 'p', sizeof(prefix) - 2);
	prefix[sizeof(prefix) - 2] = '\0';
	cr_assert(asprintf(&doc, "{\"redis\": {\"key_prefix\": \"%s\"}}", prefix) > 0);
	cfg = rw_config_load_string(doc, "test.json", &errs);
	cr_assert_not_null(cfg, "%d bytes are allowed", RW_KEY_PREFIX_MAX);
	cr_assert_eq(strlen(cfg->redis.key_prefix), RW_KEY_PREFIX_MAX);
	rw_config_free(cfg);
	free(doc);

	prefix[sizeof(prefix) - 2] = 'p';
	prefix[sizeof(prefix) - 1] = '\0';
	cr_assert(asprintf(&doc, "{\"redis\": {\"key_prefix\": \"%s\"}}", prefix) > 0);
	errs = load_bad(doc, "test.json");
	cr_assert_eq(errs.n, 1);
	cr_assert_str_eq(errs.lines[0], "redis.key_prefix: 301 bytes, at most 300");
	rw_config_errors_clear(&errs);
	free(doc);
}

Test(config, redis_sentinels)
{
	struct rw_config *cfg = load_ok(
		"{'redis': {'sentinels': ['127.0.0.1:26379', '[::1]:26380'], 'master_name': "
		"'rwmaster', 'db': 2, 'password': 'pw', 'sentinel_password': 'spw', "
		"'key_prefix': 'acme:'}}");

	cr_assert_str_eq(cfg->redis.master_name, "rwmaster");
	cr_assert_eq(cfg->redis.nsentinels, 2);
	cr_assert_str_eq(cfg->redis.sentinels[0].host, "127.0.0.1");
	cr_assert_eq(cfg->redis.sentinels[0].port, 26379);
	cr_assert_str_eq(cfg->redis.sentinels[1].host, "::1");
	cr_assert_eq(cfg->redis.sentinels[1].port, 26380);
	cr_assert_null(cfg->redis.host);
	cr_assert_eq(cfg->redis.db, 2);
	cr_assert_str_eq(rw_secret_value(cfg->redis.password), "pw");
	cr_assert_str_eq(rw_secret_value(cfg->redis.sentinel_password), "spw");
	cr_assert_str_eq(cfg->redis.key_prefix, "acme:");
	cr_assert_str_eq(cfg->redis.display, "sentinel:rwmaster/2");
	rw_config_free(cfg);
}

/* The redis section shipped in contrib/sentinel/ loads as it stands. */
Test(config, contrib_sentinel_example)
{
	struct rw_config_errors errs = {0};
	struct rw_config *cfg;
	char *got;

	setenv("REDIS_PASSWORD", "redis-password", 1);
	cfg = rw_config_load_file(RW_SOURCE_DIR "/contrib/sentinel/replywatch-redis.json", &errs);
	got = rwt_config_errors_text(&errs);
	cr_assert_not_null(cfg, "the Sentinel example should load; got:%s", got);
	cr_assert_str_eq(cfg->redis.master_name, "replywatch");
	cr_assert_eq(cfg->redis.nsentinels, 3);
	cr_assert_str_eq(rw_secret_value(cfg->redis.password), "redis-password");
	free(got);
	rw_config_free(cfg);
	unsetenv("REDIS_PASSWORD");
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
		{"debug", RW_LOG_DEBUG},     {"info", RW_LOG_INFO}, {"notice", RW_LOG_NOTICE},
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
		"}}",
		"dup.json");

	cr_assert_eq(errs.n, 1);
	cr_assert(strncmp(errs.lines[0], "dup.json:3:", 11) == 0, "got %s", errs.lines[0]);
	cr_assert_not_null(strstr(errs.lines[0], "duplicate object key"), "got %s", errs.lines[0]);
	rw_config_errors_clear(&errs);
}

/* Found by fuzz/fuzz_config: after a backslash the JSON parser's message
 * quotes only the first byte of a two-byte character, so the error line
 * was not UTF-8; and a key's control characters went into the line as
 * they were (a newline splitting one log line in two). */
Test(config, regression_error_lines_are_one_line_of_utf8)
{
	/* A backslash, then U+0531 (\324\261 = 0xd4 0xb1). */
	struct rw_config_errors errs = load_bad("{\"log_level\": \"in\\\324\261fo\"}", "u.json");

	cr_assert_eq(errs.n, 1);
	cr_assert(strncmp(errs.lines[0], "u.json:1:", 9) == 0, "got %s", errs.lines[0]);
	cr_assert(rw_utf8_valid(errs.lines[0], strlen(errs.lines[0])), "not UTF-8: %s",
		  errs.lines[0]);
	rw_config_errors_clear(&errs);

	errs = load_bad("{\"sources\": [], \"bad\\nkey\\u0001\": 1}", "k.json");
	cr_assert_geq(errs.n, 1);
	for (size_t i = 0; i < errs.n; i++) {
		cr_assert_null(strpbrk(errs.lines[i], "\n\r\x01"), "got %s", errs.lines[i]);
		cr_assert(rw_utf8_valid(errs.lines[i], strlen(errs.lines[i])), "%s", errs.lines[i]);
	}
	cr_assert_not_null(strstr(errs.lines[0], "bad?key?"), "got %s", errs.lines[0]);
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
	"status-token",
	"x-bearer",
	"bluesky-app-password",
	"reddit-client-secret",
	"reddit-refresh-token",
	"youtube-api-key",
	"facebook-page-token",
	"instagram-token",
	"google-client-secret",
	"google-refresh-token",
	"google-play-key",
	"app-store-key",
	"trustpilot-api-key",
	"linkedin-client-secret",
	"linkedin-refresh-token",
	"allegro-client-secret",
	"secrets-key",
	"forum-token",
	"push-token",
	"webhook-secret",
	"pd-key",
	NULL,
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
	got = rwt_config_errors_text(&errs);
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
	cr_assert_null(rw_config_load_file(RW_SOURCE_DIR "/config/replywatch.example.json", &errs));
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
		"mastodon",   "x",         "bluesky",         "reddit",      "youtube",
		"facebook",   "instagram", "google_business", "google_play", "app_store",
		"trustpilot", "linkedin",  "allegro",         "json",        "push",
	};
	static const char *const events[] = {
		"warning", "breach",      "escalation", "resolved",
		"expired", "source_down", "source_up",
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
	cr_assert_eq(rw_kind_parse("message"), RW_KIND_MESSAGE);
	cr_assert_str_eq(rw_kind_name(RW_KIND_MESSAGE), "message");
	cr_assert_null(rw_kind_name(RW_KIND_MESSAGE | RW_KIND_COMMENT));
	cr_assert_null(rw_kind_name(1u << 4));

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
