/*
 * rwtconn.c: the connector suites' fixture: see rwtconn.h.
 */
#include <criterion/criterion.h>
#include <jansson.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "replywatch/clock.h"
#include "rwtconn.h"

struct rwt_stack rwc;

void
rwc_setup(void)
{
	rwt_stack_up(&rwc, true);
}

void
rwc_teardown(void)
{
	rwt_stack_down(&rwc);
}

int64_t
rwc_advance(int64_t seconds)
{
	return rwt_clock_advance(&rwc.daemon, seconds);
}

void
rwc_clock_steps(int64_t seconds)
{
	rwc.daemon.clock_step_s = seconds;
}

bool
rwc_wait(bool (*cond)(void *arg), void *arg, double timeout_s)
{
	return rwt_wait(&rwc.daemon, cond, arg, timeout_s);
}

/* The three connectors against the fake, polling every second. extra is
 * spliced into each source object (starts with a comma, or ""). */
char *
rwc_sources_json(const char *which, const char *extra)
{
	char *text;
	size_t len = 0;
	FILE *out = open_memstream(&text, &len);
	const char *sep = "";

	cr_assert_not_null(out);
	fputs(",\n \"sources\": [", out);
	if (strstr(which, "mastodon")) {
		fprintf(out,
			"%s{ \"name\": \"masto\", \"type\": \"mastodon\", \"base_url\": \"%s\","
			" \"token\": \"mastodon-test-token\", \"poll_every\": \"1s\"%s }",
			sep, rwc.fake.base, extra);
		sep = ", ";
	}
	if (strstr(which, "x")) {
		fprintf(out,
			"%s{ \"name\": \"xsrc\", \"type\": \"x\", \"base_url\": \"%s\","
			" \"user_id\": \"2244994945\", \"token\": \"x-test-token\","
			" \"poll_every\": \"1s\"%s }",
			sep, rwc.fake.base, extra);
		sep = ", ";
	}
	if (strstr(which, "bluesky")) {
		fprintf(out,
			"%s{ \"name\": \"sky\", \"type\": \"bluesky\", \"base_url\": \"%s\","
			" \"identifier\": \"acme.bsky.social\", \"app_password\": "
			"\"app-pass-1234\","
			" \"poll_every\": \"1s\"%s }",
			sep, rwc.fake.base, extra);
	}
	fputs(" ]", out);
	cr_assert(fclose(out) == 0);
	return text;
}

void
rwc_start(const char *which, const char *extra)
{
	int port = rwc.daemon.http_port ? rwc.daemon.http_port : rwt_free_port();
	char *sources = rwc_sources_json(which, extra);
	char *top;
	char *path;

	cr_assert(asprintf(&top, "%s%s", RWC_POLICIES, sources) > 0);
	path = rwt_write_config(rwc.dir, &rwc.redis, port, "", top);
	rwc.daemon.test_clock = true;
	rwt_daemon_start(&rwc.daemon, path, port, NULL);
	rwt_daemon_wait_ready(&rwc.daemon, 5.0);
	free(path);
	free(top);
	free(sources);
}

json_t *
rwc_get_json(const char *path)
{
	return rwt_get_json(rwc.daemon.http_port, path, NULL);
}

/* The mention SOURCE:ID as /mentions/KEY shows it, or NULL (caller decrefs). */
json_t *
rwc_mention(const char *source, const char *id)
{
	char *key, *escaped, path[1024];
	json_t *m;

	cr_assert(asprintf(&key, "%s:%s", source, id) > 0);
	escaped = rwt_url_escape(key);
	snprintf(path, sizeof(path), "/mentions/%s", escaped);
	m = rwc_get_json(path);
	free(escaped);
	free(key);
	return m;
}

struct state_wait {
	const char *source, *id, *want;
};

static bool
state_is(void *arg)
{
	struct state_wait *w = arg;
	json_t *m = rwc_mention(w->source, w->id);
	const char *state = json_string_value(json_object_get(m, "state"));
	bool ok = state && strcmp(state, w->want) == 0;

	json_decref(m);
	return ok;
}

void
rwc_wait_state(const char *source, const char *id, const char *want, double timeout_s)
{
	struct state_wait w = {source, id, want};
	json_t *m;

	if (rwc_wait(state_is, &w, timeout_s))
		return;
	m = rwc_mention(source, id);
	char *text = m ? json_dumps(m, 0) : strdup("(not tracked)");
	cr_assert_fail("%s:%s never became %s: %s\n%s", source, id, want, text,
		       rwt_daemon_log(&rwc.daemon));
}

/* The /status entry of source name (caller decrefs). */
json_t *
rwc_source_status(const char *name)
{
	json_t *st = rwc_get_json("/status"), *src, *found = NULL;
	size_t i;

	cr_assert_not_null(st);
	json_array_foreach(json_object_get(st, "sources"), i, src)
	{
		if (strcmp(json_string_value(json_object_get(src, "name")), name) == 0)
			found = json_incref(src);
	}
	json_decref(st);
	cr_assert_not_null(found, "no source %s in /status", name);
	return found;
}

struct source_wait {
	const char *name, *field, *want;
	long long at_least;
};

static bool
source_field_is(void *arg)
{
	struct source_wait *w = arg;
	json_t *s = rwc_source_status(w->name), *v = json_object_get(s, w->field);
	bool ok = w->want ? json_is_string(v) && strcmp(json_string_value(v), w->want) == 0
			  : json_integer_value(v) >= w->at_least;

	json_decref(s);
	return ok;
}

void
rwc_wait_source(const char *name, const char *field, const char *want, long long at_least,
		double timeout_s)
{
	struct source_wait w = {name, field, want, at_least};

	if (rwc_wait(source_field_is, &w, timeout_s))
		return;
	json_t *s = rwc_source_status(name);
	char *text = json_dumps(s, 0);
	cr_assert_fail("source %s: %s never reached %s%lld: %s", name, field,
		       want ? want : ">=", at_least, text);
}

/* How many times needle appears in the daemon's log. */
size_t
rwc_count_in_log(const char *needle)
{
	char *log = rwt_daemon_log(&rwc.daemon);
	size_t n = 0;

	for (const char *p = strstr(log, needle); p != NULL; p = strstr(p + 1, needle))
		n++;
	free(log);
	return n;
}

/* --- walks, cursors, times and waits a platform cannot break ------------- */

/* The value of the metric line starting with prefix (-1: none). */
double
rwc_metric_value(const char *prefix)
{
	struct rwt_response r = rwt_http(rwc.daemon.http_port, "GET", "/metrics", NULL, NULL);
	double v = -1;
	const char *line;

	for (line = r.status == 200 ? r.body : NULL; line != NULL && *line;
	     line = strchr(line, '\n')) {
		if (*line == '\n')
			line++;
		if (strncmp(line, prefix, strlen(prefix)) == 0) {
			/* The value follows the last space (labels may hold spaces). */
			const char *sp = strchr(line, '\n');

			sp = sp ? sp : line + strlen(line);
			while (sp > line && *sp != ' ')
				sp--;
			v = strtod(sp + 1, NULL);
			break;
		}
	}
	rwt_response_free(&r);
	return v;
}

struct metric_wait {
	const char *prefix;
	double at_least;
};

static bool
metric_reached(void *arg)
{
	struct metric_wait *w = arg;

	return rwc_metric_value(w->prefix) >= w->at_least;
}

void
rwc_wait_metric(const char *prefix, double at_least, double timeout_s)
{
	struct metric_wait w = {prefix, at_least};

	cr_assert(rwc_wait(metric_reached, &w, timeout_s), "%s never reached %g (is %g)", prefix,
		  at_least, rwc_metric_value(prefix));
}

/* Waits for n more polls of source that ended ok (polling, not sleeping). */
void
rwc_wait_more_ok_polls(const char *source, double n)
{
	char line[160];

	snprintf(line, sizeof(line), "replywatch_source_polls_total{source=\"%s\",result=\"ok\"}",
		 source);
	rwc_wait_metric(line, rwc_metric_value(line) + n, 10);
}

/* Adds a customer mention on platform at ms; returns its platform id. */
char *
rwc_add_mention(const char *platform, const char *author, int64_t at_ms, const char *extra)
{
	char path[64], body[512];
	char *when = rwt_iso(at_ms);
	json_t *doc;
	char *id;

	snprintf(path, sizeof(path), "/_fake/%s/mention", platform);
	snprintf(body, sizeof(body),
		 "{'author': '%s', 'text': 'where is my order?',"
		 " 'created_at': '%s'%s}",
		 author, when, extra ? extra : "");
	doc = rwt_fake_call(&rwc.fake, "POST", path, body);
	id = strdup(json_string_value(json_object_get(doc, "id")));
	json_decref(doc);
	free(when);
	return id;
}

/* Adds a brand reply to id on platform at ms. */
void
rwc_add_reply(const char *platform, const char *id, int64_t at_ms)
{
	char path[64], body[600];
	char *when = rwt_iso(at_ms);

	snprintf(path, sizeof(path), "/_fake/%s/reply", platform);
	snprintf(body, sizeof(body),
		 "{'in_reply_to': '%s', 'text': 'Sorry! Fixed.',"
		 " 'created_at': '%s'}",
		 id, when);
	json_decref(rwt_fake_call(&rwc.fake, "POST", path, body));
	free(when);
}

void
rwc_fault(const char *platform, const char *body)
{
	char path[64];

	snprintf(path, sizeof(path), "/_fake/%s/fault", platform);
	json_decref(rwt_fake_call(&rwc.fake, "POST", path, body));
}

/* Queues a scripted answer (fault "answer") built from a JSON document. */
void
rwc_script(const char *platform, const char *endpoint, json_t *fault_doc)
{
	char path[64];
	char *text;
	struct rwt_response r;

	json_object_set_new(fault_doc, "endpoint", json_string(endpoint));
	json_object_set_new(fault_doc, "kind", json_string("answer"));
	text = json_dumps(fault_doc, JSON_COMPACT);
	snprintf(path, sizeof(path), "/_fake/%s/fault", platform);
	r = rwt_http(rwc.fake.port, "POST", path, NULL, text);
	cr_assert_eq(r.status, 201, "%s", r.body);
	rwt_response_free(&r);
	free(text);
	json_decref(fault_doc);
}

double
rwc_response_seconds(const char *source, const char *id)
{
	json_t *m = rwc_mention(source, id);
	double s;

	cr_assert_not_null(m);
	s = json_real_value(json_object_get(m, "response_seconds"));
	json_decref(m);
	return s;
}

/* Now, rounded down to a whole second, so platform times are exact. */
int64_t
rwc_now_s_ms(void)
{
	return rw_now_ms() / 1000 * 1000;
}

long long
rwc_mentions_seen(const char *name)
{
	json_t *s = rwc_source_status(name);
	long long n = json_integer_value(json_object_get(s, "mentions_seen"));

	json_decref(s);
	return n;
}

const char *
rwc_field_of(const char *source, const char *id, const char *field, char *buf, size_t len)
{
	json_t *m = rwc_mention(source, id);
	const char *v = json_string_value(json_object_get(m, field));

	snprintf(buf, len, "%s", v ? v : "(null)");
	json_decref(m);
	return buf;
}

int64_t
rwc_time_field(const char *source, const char *id, const char *field)
{
	json_t *m = rwc_mention(source, id);
	int64_t ms = 0;

	cr_assert_not_null(m);
	cr_assert_eq(rw_time_parse(json_string_value(json_object_get(m, field)), &ms), 0, "%s",
		     field);
	json_decref(m);
	return ms;
}

bool
rwc_metrics_contain(void *arg)
{
	struct rwt_response r = rwt_http(rwc.daemon.http_port, "GET", "/metrics", NULL, NULL);
	bool ok = r.status == 200 && strstr(r.body, arg) != NULL;

	rwt_response_free(&r);
	return ok;
}

/* The source's events of type (caller decrefs). */
size_t
rwc_count_events(const char *type)
{
	json_t *doc = rwc_get_json("/events?limit=1000"), *e;
	size_t i, n = 0;

	cr_assert_not_null(doc);
	json_array_foreach(json_object_get(doc, "events"), i, e)
	{
		if (strcmp(json_string_value(json_object_get(e, "type")), type) == 0)
			n++;
	}
	json_decref(doc);
	return n;
}

bool
rwc_events_reached(void *arg)
{
	struct rwc_event_wait *w = arg;

	return rwc_count_events(w->type) >= w->n;
}

/* True when fewer than w->below faults of the platform are still queued:
 * the rest were taken by requests now under way. */
bool
rwc_faults_taken(void *arg)
{
	struct rwc_pending_wait *w = arg;
	json_t *st = rwt_fake_call(&rwc.fake, "GET", "/_fake/state", NULL);
	long pending = (long)json_integer_value(
		json_object_get(json_object_get(st, w->platform), "faults_pending"));

	json_decref(st);
	return pending < w->below;
}

/* Rewrites the configuration with which sources and reloads (SIGHUP). */
void
rwc_reload_with(const char *which)
{
	char *sources = rwc_sources_json(which, "");
	char *top, *path;

	cr_assert(asprintf(&top, "%s%s", RWC_POLICIES, sources) > 0);
	path = rwt_write_config(rwc.dir, &rwc.redis, rwc.daemon.http_port, "", top);
	rwt_daemon_signal(&rwc.daemon, SIGHUP);
	free(path);
	free(top);
	free(sources);
}

bool
rwc_reloaded(void *arg)
{
	(void)arg;
	return rwt_daemon_log_contains(&rwc.daemon, "configuration reloaded");
}

/*
 * Per platform: a mention older than the backfill window is not tracked; a
 * mention inside it that was answered before the daemon started is recorded
 * as replied with its exact response time; an open one stays open and is
 * resolved, to the millisecond, by a reply made after the start; a mention
 * made after the start is tracked.
 */
void
rwc_backfill_and_replies(const char *platform, const char *source)
{
	int64_t now = rwc_now_s_ms();
	char *old = rwc_add_mention(platform, "olga", now - 2 * 3600 * 1000, NULL);
	char *answered = rwc_add_mention(platform, "ann", now - 30 * 60 * 1000, NULL);
	/* Old enough that the reply below (400.5 s later) is not in the future:
	 * no item is dated later than the answer that brought it. */
	char *open = rwc_add_mention(platform, "oscar", now - 10 * 60 * 1000 + 250, NULL);

	rwc_add_reply(platform, answered, now - 30 * 60 * 1000 + 1200123);
	rwc_start(platform, "");
	rwc_clock_steps(1); /* polls come as fast as the daemon answers */
	rwc_wait_state(source, open, "open", 10);
	rwc_wait_state(source, answered, "replied", 10);
	cr_assert_float_eq(rwc_response_seconds(source, answered), 1200.123, 1e-9);
	cr_assert_null(rwc_mention(source, old), "a mention older than the backfill was tracked");

	/* In the past: a future-dated reply gets the time the platform saw it
	 * (Bluesky's indexedAt), not its own. */
	rwc_add_reply(platform, open, now - 10 * 60 * 1000 + 250 + 400500);
	rwc_wait_state(source, open, "replied", 10);
	cr_assert_float_eq(rwc_response_seconds(source, open), 400.5, 1e-9);

	char *later = rwc_add_mention(platform, "lena", rw_now_ms(), NULL);
	rwc_wait_state(source, later, "open", 10);
	free(old);
	free(answered);
	free(open);
	free(later);
}
