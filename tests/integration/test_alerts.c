/*
 * Alert delivery end to end: the real daemon raises events from pushed
 * mentions and delivers them to the webhook receiver of the fake server
 * (tests/fakes, /hook/NAME), which verifies Standard Webhooks signatures
 * with its own implementation and fails on command.
 */
#include <criterion/criterion.h>
#include <jansson.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "replywatch/event.h"
#include "replywatch/item.h"
#include "replywatch/mention.h"
#include "replywatch/clock.h"
#include "rwtest.h"

#define SECRET "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"

static struct rwt_stack stack;
/* The push source's name (a test may set the longest one). */
static const char *source = "p";

static void
setup(void)
{
	rwt_stack_up(&stack, true);
}

static void
teardown(void)
{
	rwt_stack_down(&stack);
}

TestSuite(alerts, .init = setup, .fini = teardown, .timeout = 120);

/* A push source (named source, "p" unless a test says) whose mentions breach after 2 s, and the
 * alert targets given (a JSON array body, ' for ", with HOOK standing for the receiver's base URL).
 */
static void
start_daemon(const char *targets)
{
	int port = stack.daemon.http_port ? stack.daemon.http_port : rwt_free_port();
	char *t = rwt_json_quotes(targets), *top, *path;
	char *expanded = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&expanded, &len);

	cr_assert_not_null(out);
	for (const char *c = t; *c; c++) {
		if (strncmp(c, "HOOK", 4) == 0) {
			fprintf(out, "%s/hook", stack.fake.base);
			c += 3;
		} else {
			fputc(*c, out);
		}
	}
	cr_assert(fclose(out) == 0);
	cr_assert(
		asprintf(
			&top,
			",\n \"policies\": [ { \"name\": \"social\", \"warn_after\": \"1s\","
			" \"breach_after\": \"2s\" } ],\n"
			" \"sources\": [ { \"name\": \"%s\", \"type\": \"push\", \"token\": \"pt\","
			" \"labels\": { \"brand\": \"acme\" } } ],\n \"alerts\": %s",
			source, expanded) > 0);
	path = rwt_write_config(stack.dir, &stack.redis, port, "", top);
	stack.daemon.test_clock = true;
	rwt_daemon_start(&stack.daemon, path, port, NULL);
	rwt_daemon_wait_ready(&stack.daemon, 5.0);
	free(path);
	free(top);
	free(expanded);
	free(t);
}

/* POSTs body to the push source. */
static void
ingest(const char *body)
{
	char path[128];
	struct rwt_response r;

	snprintf(path, sizeof(path), "/ingest/%s", source);
	r = rwt_http(stack.daemon.http_port, "POST", path, "pt", body);
	cr_assert_eq(r.status, 202, "%s", r.body);
	rwt_response_free(&r);
}

/* Pushes a mention id created ago_ms ago (already breached when > 2 s). */
static void
push_mention(const char *id, int64_t ago_ms)
{
	char *body, *when = rwt_iso(rw_now_ms() - ago_ms);

	cr_assert(asprintf(&body,
			   "{\"id\":\"%s\",\"created_at\":\"%s\",\"author\":\"@ann\","
			   "\"text\":\"help\",\"url\":\"https://social.example/%s\"}",
			   id, when, id) > 0);
	ingest(body);
	free(body);
	free(when);
}

static void
push_reply(const char *to)
{
	char *body, *when = rwt_iso(rw_now_ms());

	cr_assert(asprintf(&body,
			   "{\"id\":\"re-%s\",\"created_at\":\"%s\",\"in_reply_to\":\"%s\","
			   "\"from_brand\":true}",
			   to, when, to) > 0);
	ingest(body);
	free(body);
	free(when);
}

/* The deliveries the receiver name has recorded (caller decrefs). */
static json_t *
deliveries(const char *name)
{
	char path[128];
	json_t *doc, *list;

	snprintf(path, sizeof(path), "/_fake/hooks?name=%s", name);
	doc = rwt_fake_call(&stack.fake, "GET", path, NULL);
	list = json_incref(json_object_get(doc, "deliveries"));
	json_decref(doc);
	return list;
}

static const char *
header_of(const json_t *delivery, const char *name)
{
	return json_string_value(json_object_get(json_object_get(delivery, "headers"), name));
}

static const char *
body_of(const json_t *delivery)
{
	return json_string_value(json_object_get(delivery, "body"));
}

/* Events of type (NULL: any) about mention id (NULL: any) in successful
 * (2xx) json deliveries to name. */
static size_t
delivered_count(const char *name, const char *type, const char *id)
{
	json_t *list = deliveries(name), *d, *e;
	size_t i, j, n = 0;

	json_array_foreach(list, i, d)
	{
		if (json_integer_value(json_object_get(d, "status")) >= 300)
			continue;
		json_array_foreach(json_object_get(json_object_get(d, "json"), "events"), j, e)
		{
			const char *t = json_string_value(json_object_get(e, "type"));
			const char *mid = json_string_value(
				json_object_get(json_object_get(e, "mention"), "id"));

			n += (type == NULL || (t && strcmp(t, type) == 0)) &&
			     (id == NULL || (mid && strcmp(mid, id) == 0));
		}
	}
	json_decref(list);
	return n;
}

static size_t
delivered_events(const char *name, const char *type)
{
	return delivered_count(name, type, NULL);
}

struct count_wait {
	const char *name, *type;
	size_t n;
};

static bool
count_reached(void *arg)
{
	struct count_wait *w = arg;

	return delivered_events(w->name, w->type) >= w->n;
}

static void
wait_events(const char *name, const char *type, size_t n, double timeout_s)
{
	struct count_wait w = {name, type, n};

	if (!rwt_wait(&stack.daemon, count_reached, &w, timeout_s)) {
		json_t *list = deliveries(name);
		char *text = json_dumps(list, 0);

		cr_assert_fail("receiver %s: fewer than %zu %s events: %s\n%s", name, n,
			       type ? type : "", text, rwt_daemon_log(&stack.daemon));
	}
}

struct mention_wait {
	const char *name, *type, *id;
	size_t n;
};

static bool
mention_count_reached(void *arg)
{
	struct mention_wait *w = arg;

	return delivered_count(w->name, w->type, w->id) >= w->n;
}

/* Waits until n events of type about mention id reached name. */
static void
wait_count(const char *name, const char *type, const char *id, size_t n, double timeout_s)
{
	struct mention_wait w = {name, type, id, n};

	cr_assert(rwt_wait(&stack.daemon, mention_count_reached, &w, timeout_s),
		  "receiver %s: fewer than %zu %s events of %s\n%s", name, n, type, id,
		  rwt_daemon_log(&stack.daemon));
}

static void
hook_fault(const char *name, const char *body)
{
	char path[128];

	snprintf(path, sizeof(path), "/_fake/hook/%s/fault", name);
	json_decref(rwt_fake_call(&stack.fake, "POST", path, body));
}

/* An id as replywatch makes them: prefix + 32 lowercase hex digits. */
static void
expect_id_shape(const char *id, const char *prefix)
{
	size_t p = strlen(prefix);

	cr_assert_not_null(id);
	cr_assert_eq(strlen(id), p + 32, "id %s", id);
	cr_assert_eq(strncmp(id, prefix, p), 0, "id %s", id);
	cr_assert_eq(strspn(id + p, "0123456789abcdef"), 32, "id %s", id);
}

/* The webhook-id a request carrying events must have: derived from their ids. */
static void
expect_request_id(const char *webhook_id, const json_t *events)
{
	const char *ids[128];
	char want[RW_EVENT_ID_SIZE];
	size_t n = json_array_size(events);

	cr_assert(n > 0 && n <= 128);
	for (size_t i = 0; i < n; i++) {
		ids[i] = json_string_value(json_object_get(json_array_get(events, i), "id"));
		expect_id_shape(ids[i], "evt_");
	}
	cr_assert_eq(rw_event_request_id(ids, n, want, sizeof(want)), 0);
	expect_id_shape(webhook_id, "msg_");
	cr_assert_str_eq(webhook_id, want);
}

/* A breach and its resolution reach a signed json target; the receiver's
 * own implementation accepts every signature; webhook-id is derived from
 * the ids of the events the request carries. */
Test(alerts, json_signed_breach_and_resolved)
{
	json_decref(rwt_fake_call(&stack.fake, "POST", "/_fake/hook/care/config",
				  "{'secret': '" SECRET "'}"));
	start_daemon("[{'name': 'care', 'format': 'json', 'url': 'HOOK/care', 'secret': '" SECRET
		     "'}]");
	push_mention("m1", 10000);
	wait_events("care", "breach", 1, 10);
	push_reply("m1");
	wait_events("care", "resolved", 1, 10);

	json_t *list = deliveries("care"), *d;
	size_t i;

	json_array_foreach(list, i, d)
	{
		json_t *body = json_object_get(d, "json");
		json_t *headers = json_object_get(d, "headers");
		json_t *events = json_object_get(body, "events");

		cr_assert_str_eq(json_string_value(json_object_get(d, "signature")), "valid");
		cr_assert(json_is_true(json_object_get(d, "timestamp_fresh")));
		cr_assert_eq(json_integer_value(json_object_get(body, "version")), 1);
		expect_request_id(json_string_value(json_object_get(headers, "webhook-id")),
				  events);
	}
	/* /events shows the same ids as the alerts, and its next_after is a
	 * position to continue from. */
	json_t *doc = rwt_get_json(stack.daemon.http_port, "/events?limit=1000", NULL), *e;
	const char *next = json_string_value(json_object_get(doc, "next_after"));
	size_t matched = 0;

	cr_assert_not_null(next);
	json_array_foreach(json_object_get(doc, "events"), i, e)
	{
		json_t *dl, *de;
		size_t j, k;
		const char *id = json_string_value(json_object_get(e, "id"));

		expect_id_shape(id, "evt_");
		json_array_foreach(list, j, dl)
		{
			json_t *events = json_object_get(json_object_get(dl, "json"), "events");

			json_array_foreach(events, k, de)
			{
				const char *did = json_string_value(json_object_get(de, "id"));

				if (strcmp(did, id) == 0 &&
				    json_equal(json_object_get(de, "mention"),
					       json_object_get(e, "mention")))
					matched++;
			}
		}
	}
	cr_assert_eq(json_array_size(json_object_get(doc, "events")), 2);
	cr_assert_eq(matched, 2, "the ids of /events and of the alerts differ");

	char path[512], *esc = rwt_url_escape(next);
	json_t *rest;

	snprintf(path, sizeof(path), "/events?after=%s", esc);
	rest = rwt_get_json(stack.daemon.http_port, path, NULL);
	cr_assert_eq(json_array_size(json_object_get(rest, "events")), 0);
	cr_assert_str_eq(json_string_value(json_object_get(rest, "next_after")), next);
	json_decref(rest);
	free(esc);
	json_decref(doc);
	json_decref(list);
	/* Nothing else: a mention already past its breach raises no warning. */
	cr_assert_eq(delivered_events("care", NULL), 2);
}

/* The receiver fails three times, then works: everything arrives, once,
 * with the same id on every attempt. */
Test(alerts, receiver_down_then_up_keeps_ids)
{
	start_daemon("[{'name': 'care', 'format': 'json', 'url': 'HOOK/care'}]");
	stack.daemon.clock_step_s = 5; /* backoff passes on the daemon's clock */
	hook_fault("care", "{'kind': '500', 'count': 3}");
	push_mention("m1", 10000);
	wait_events("care", "breach", 1, 20);

	json_t *list = deliveries("care"), *d;
	size_t i;
	const char *id = NULL;

	cr_assert_eq(json_array_size(list), 4, "3 failures and 1 success expected");
	json_array_foreach(list, i, d)
	{
		const char *this_id = json_string_value(
			json_object_get(json_object_get(d, "headers"), "webhook-id"));

		cr_assert_not_null(this_id);
		if (id == NULL)
			id = this_id;
		cr_assert_str_eq(this_id, id, "attempt %zu carried another id", i);
	}
	json_decref(list);
	sleep(1);
	cr_assert_eq(delivered_events("care", "breach"), 1);
}

/* kill -9 while the receiver is down: the event is delivered after the
 * restart (it stayed pending in Redis). */
Test(alerts, kill_while_receiver_down)
{
	start_daemon("[{'name': 'care', 'format': 'json', 'url': 'HOOK/care'}]");
	hook_fault("care", "{'kind': '503', 'count': 2}");
	push_mention("m1", 10000);

	json_t *list;

	/* The first attempt failed: the event is pending in Redis, not acknowledged. */
	for (int i = 0; i < 500; i++) {
		list = deliveries("care");
		size_t n = json_array_size(list);

		json_decref(list);
		if (n >= 1)
			break;
		usleep(10000);
	}
	rwt_daemon_signal(&stack.daemon, SIGKILL);
	cr_assert_neq(rwt_daemon_wait(&stack.daemon, 5), -1);
	rwt_daemon_cleanup(&stack.daemon);
	start_daemon("[{'name': 'care', 'format': 'json', 'url': 'HOOK/care'}]");
	stack.daemon.clock_step_s = 5; /* backoff passes on the daemon's clock */
	wait_events("care", "breach", 1, 20);
	sleep(1);
	list = deliveries("care");
	char *text = json_dumps(list, JSON_INDENT(1));
	cr_assert_eq(delivered_events("care", "breach"), 1, "%s", text);
	free(text);
	json_decref(list);
}

/* 429 with Retry-After: the next attempt waits at least that long. */
Test(alerts, retry_after_is_honoured)
{
	start_daemon("[{'name': 'care', 'format': 'json', 'url': 'HOOK/care'}]");
	hook_fault("care", "{'kind': '429', 'count': 1, 'retry_after': 2}");
	push_mention("m1", 10000);
	wait_events("care", "breach", 1, 15);

	json_t *list = deliveries("care");
	int64_t first, second;

	cr_assert_eq(json_array_size(list), 2);
	cr_assert_eq(
		rw_time_parse(json_string_value(json_object_get(json_array_get(list, 0), "at")),
			      &first),
		0);
	cr_assert_eq(
		rw_time_parse(json_string_value(json_object_get(json_array_get(list, 1), "at")),
			      &second),
		0);
	cr_assert_geq(second - first, 2000, "retried after %lld ms", (long long)(second - first));
	json_decref(list);
}

/* group_window: a burst of 60 breaches goes out in a handful of requests. */
Test(alerts, group_window_batches_a_burst)
{
	start_daemon(
		"[{'name': 'care', 'format': 'json', 'url': 'HOOK/care', 'group_window': '1s'}]");
	for (int i = 0; i < 60; i++) {
		char id[16];

		snprintf(id, sizeof(id), "b%d", i);
		push_mention(id, 10000);
	}
	wait_events("care", "breach", 60, 20);

	json_t *list = deliveries("care");

	cr_assert_leq(json_array_size(list), 5, "%zu requests for 60 events",
		      json_array_size(list));
	json_decref(list);
	cr_assert_eq(delivered_events("care", "breach"), 60);
}

/* repeat_every: a still-breached mention is sent again until answered. */
Test(alerts, repeat_every_resends_until_resolved)
{
	start_daemon("[{'name': 'care', 'format': 'json', 'url': 'HOOK/care', "
		     "'repeat_every': '1s'}]");
	stack.daemon.clock_step_s = 1; /* repeat_every passes on the daemon's clock */
	push_mention("m1", 10000);
	wait_events("care", "breach", 3, 15);
	push_reply("m1");
	wait_events("care", "resolved", 1, 10);
	size_t breaches = delivered_count("care", "breach", "m1");

	/* Three repeat periods later on the daemon's clock, a later mention is
	 * breached and repeated: any repeat of m1 would have come due in the
	 * same repeat checks, and gone out before m2's repeat (the earliest
	 * first, one request at a time). */
	stack.daemon.clock_step_s = 0;
	rwt_clock_advance(&stack.daemon, 3);
	push_mention("m2", 10000);
	wait_count("care", "breach", "m2", 1, 10);
	stack.daemon.clock_step_s = 1;
	wait_count("care", "breach", "m2", 2, 10);
	cr_assert_eq(delivered_count("care", "breach", "m1"), breaches, "repeated after the reply");
}

static long long
target_field(const char *name, const char *field)
{
	json_t *st = rwt_get_json(stack.daemon.http_port, "/status", NULL), *t;
	size_t i;
	long long v = -1;

	json_array_foreach(json_object_get(st, "alerts"), i, t)
	{
		if (strcmp(json_string_value(json_object_get(t, "name")), name) == 0)
			v = json_integer_value(json_object_get(t, field));
	}
	json_decref(st);
	return v;
}

static bool
dead_letter_seen(void *arg)
{
	(void)arg;
	return target_field("care", "dead_letters") >= 1;
}

/* Past retry_for the event moves to the dead-letter list, shown in /status
 * and /metrics; a 400 goes there at once. */
Test(alerts, dead_letter_after_retry_horizon)
{
	start_daemon("[{'name': 'care', 'format': 'json', 'url': 'HOOK/care', 'retry_for': '1s'}]");
	stack.daemon.clock_step_s = 2; /* retries and the horizon pass on the daemon's clock */
	hook_fault("care", "{'kind': '500', 'count': 1000}");
	push_mention("m1", 10000);
	cr_assert(rwt_wait(&stack.daemon, dead_letter_seen, NULL, 20), "no dead letter in /status");

	struct rwt_response r = rwt_http(stack.daemon.http_port, "GET", "/metrics", NULL, NULL);

	cr_assert(strstr(r.body, "replywatch_alert_dead_letters{target=\"care\"} 1"), "%s", r.body);
	cr_assert(strstr(r.body, "replywatch_alert_deliveries_total{target=\"care\","
				 "result=\"dead_letter\"} 1"));
	rwt_response_free(&r);
}

static bool
disabled(void *arg)
{
	json_t *st = rwt_get_json(stack.daemon.http_port, "/status", NULL);
	const char *state = json_string_value(
		json_object_get(json_array_get(json_object_get(st, "alerts"), 0), "state"));
	bool yes = state && strcmp(state, arg) == 0;

	json_decref(st);
	return yes;
}

/* 410: the target is disabled until a reload, which delivers what waited. */
Test(alerts, gone_disables_until_reload)
{
	start_daemon("[{'name': 'care', 'format': 'json', 'url': 'HOOK/care'}]");
	hook_fault("care", "{'kind': '410', 'count': 1}");
	push_mention("m1", 10000);
	cr_assert(rwt_wait(&stack.daemon, disabled, "disabled", 10));
	sleep(1);
	cr_assert_eq(delivered_events("care", NULL), 0);
	rwt_daemon_signal(&stack.daemon, SIGHUP);
	wait_events("care", "breach", 1, 10);

	/* The same request as the one refused: same id, same bytes. */
	json_t *list = deliveries("care");

	cr_assert_eq(json_array_size(list), 2);
	cr_assert_str_eq(header_of(json_array_get(list, 1), "webhook-id"),
			 header_of(json_array_get(list, 0), "webhook-id"));
	cr_assert_str_eq(body_of(json_array_get(list, 1)), body_of(json_array_get(list, 0)));
	json_decref(list);
}

/* events and match filter per target. */
Test(alerts, filters_per_target)
{
	start_daemon("[{'name': 'resolved-only', 'format': 'json', 'url': 'HOOK/ro', "
		     "'events': ['resolved']},"
		     " {'name': 'other-brand', 'format': 'json', 'url': 'HOOK/other',"
		     " 'match': {'labels': {'brand': 'globex'}}}]");
	push_mention("m1", 10000);
	push_reply("m1");
	wait_events("ro", "resolved", 1, 10);
	sleep(1);
	cr_assert_eq(delivered_events("ro", "breach"), 0);
	cr_assert_eq(delivered_events("other", NULL), 0);
}

/* Slack and PagerDuty bodies as their receivers expect them. */
Test(alerts, slack_and_pagerduty_formats)
{
	start_daemon("[{'name': 'slack', 'format': 'slack', 'url': 'HOOK/slack'},"
		     " {'name': 'pd', 'format': 'pagerduty', 'url': 'HOOK/pd/v2/enqueue',"
		     " 'routing_key': 'R0UTING'}]");
	push_mention("m1", 10000);
	push_reply("m1");

	json_t *list = NULL;

	for (int i = 0; i < 1000; i++) {
		json_decref(list);
		list = deliveries("pd");
		if (json_array_size(list) >= 2)
			break;
		usleep(10000);
	}
	cr_assert_eq(json_array_size(list), 2, "pagerduty: trigger and resolve expected");
	json_t *trigger = json_object_get(json_array_get(list, 0), "json");
	json_t *resolve = json_object_get(json_array_get(list, 1), "json");

	char ref[RW_EVENT_ID_SIZE];

	/* The incident is the mention's: a bounded hash of its key. */
	cr_assert_eq(rw_event_mention_ref("p:m1", ref, sizeof(ref)), 0);
	expect_id_shape(ref, "mention_");
	cr_assert_str_eq(json_string_value(json_object_get(trigger, "event_action")), "trigger");
	cr_assert_str_eq(json_string_value(json_object_get(trigger, "routing_key")), "R0UTING");
	cr_assert_str_eq(json_string_value(json_object_get(trigger, "dedup_key")), ref);
	cr_assert_str_eq(json_string_value(json_object_get(resolve, "event_action")), "resolve");
	cr_assert_str_eq(json_string_value(json_object_get(resolve, "dedup_key")), ref);
	json_decref(list);

	list = deliveries("slack");
	cr_assert_geq(json_array_size(list), 1);
	json_t *slack = json_object_get(json_array_get(list, 0), "json");

	cr_assert(strstr(json_string_value(json_object_get(slack, "text")), "@ann"));
	cr_assert(json_is_array(json_object_get(slack, "blocks")));
	json_decref(list);
}

/* A real Alertmanager on loopback. */
struct alertmanager {
	pid_t pid;
	int port;
	char *dir;
};

static bool
am_ready(void *arg)
{
	struct alertmanager *am = arg;
	struct rwt_response r = rwt_http(am->port, "GET", "/-/ready", NULL, NULL);
	bool ok = r.status == 200;

	rwt_response_free(&r);
	return ok;
}

static void
am_start(struct alertmanager *am)
{
	char *config, listen[64], storage[512], cluster[] = "--cluster.listen-address=";
	extern char **environ;

	am->dir = rwt_tmpdir_new();
	am->port = rwt_free_port();
	config = rwt_write_file(am->dir, "am.yml",
				"route:\n  receiver: 'null'\nreceivers:\n  - name: 'null'\n");
	snprintf(listen, sizeof(listen), "--web.listen-address=127.0.0.1:%d", am->port);
	snprintf(storage, sizeof(storage), "--storage.path=%s", am->dir);
	char *cfgarg;

	cr_assert(asprintf(&cfgarg, "--config.file=%s", config) > 0);
	char *argv[] = {"/usr/bin/prometheus-alertmanager", cfgarg, listen, storage, cluster, NULL};

	am->pid = rwt_spawn(argv, environ, NULL);
	cr_assert(rwt_wait_until(am_ready, am, 20), "alertmanager did not start");
	free(cfgarg);
	free(config);
}

static void
am_stop(struct alertmanager *am)
{
	int status;

	kill(am->pid, SIGTERM);
	for (int i = 0; i < 300 && waitpid(am->pid, &status, WNOHANG) == 0; i++)
		usleep(10000);
	kill(am->pid, SIGKILL);
	waitpid(am->pid, &status, WNOHANG);
	rwt_tmpdir_remove(am->dir);
}

struct am_wait {
	struct alertmanager *am;
	const char *alertname;
	bool want_active;
};

static bool
am_alert_is(void *arg)
{
	struct am_wait *w = arg;
	struct rwt_response r =
		rwt_http(w->am->port, "GET", "/api/v2/alerts?active=true", NULL, NULL);
	json_t *list = json_loads(r.body, 0, NULL), *alert;
	size_t i;
	bool found = false;
	char ref[RW_EVENT_ID_SIZE];

	rwt_response_free(&r);
	cr_assert_eq(rw_event_mention_ref("p:m1", ref, sizeof(ref)), 0);
	json_array_foreach(list, i, alert)
	{
		json_t *labels = json_object_get(alert, "labels");

		if (strcmp(json_string_value(json_object_get(labels, "alertname")) ?: "",
			   w->alertname) == 0 &&
		    strcmp(json_string_value(json_object_get(labels, "mention")) ?: "", ref) == 0 &&
		    strcmp(json_string_value(json_object_get(json_object_get(alert, "annotations"),
							     "mention_key"))
				   ?: "",
			   "p:m1") == 0)
			found = true;
	}
	json_decref(list);
	return found == w->want_active;
}

/* A breach shows as an active ReplySLABreach alert in a real Alertmanager,
 * and disappears once the mention is answered. */
Test(alerts, real_alertmanager_active_then_resolved)
{
	struct alertmanager am = {0};
	char targets[256];

	am_start(&am);
	snprintf(targets, sizeof(targets),
		 "[{'name': 'am', 'format': 'alertmanager', 'url': 'http://127.0.0.1:%d'}]",
		 am.port);
	start_daemon(targets);
	push_mention("m1", 10000);

	struct am_wait active = {&am, "ReplySLABreach", true};
	struct am_wait gone = {&am, "ReplySLABreach", false};

	cr_assert(rwt_wait(&stack.daemon, am_alert_is, &active, 15),
		  "no active ReplySLABreach alert");
	push_reply("m1");
	cr_assert(rwt_wait(&stack.daemon, am_alert_is, &gone, 15), "the alert stayed active");
	am_stop(&am);
}

/* The JSON bodies of name's successful deliveries, concatenated as text. */
static char *
delivered_text(const char *name)
{
	json_t *list = deliveries(name), *d;
	size_t i, len = 0;
	char *text = NULL;
	FILE *out = open_memstream(&text, &len);

	cr_assert_not_null(out);
	json_array_foreach(list, i, d)
	{
		if (json_integer_value(json_object_get(d, "status")) < 300)
			fprintf(out, "%s\n", json_string_value(json_object_get(d, "body")));
	}
	fclose(out);
	json_decref(list);
	return text;
}

struct text_wait {
	const char *name, *needle;
};

static bool
text_seen(void *arg)
{
	struct text_wait *w = arg;
	char *text = delivered_text(w->name);
	bool yes = strstr(text, w->needle) != NULL;

	free(text);
	return yes;
}

static void
wait_text(const char *name, const char *needle)
{
	struct text_wait w = {name, needle};

	if (!rwt_wait(&stack.daemon, text_seen, &w, 10)) {
		char *text = delivered_text(name);

		cr_assert_fail("%s never received %s; got:\n%s", name, needle, text);
	}
}

/* warning, breach and resolved of one mention reach every format. */
Test(alerts, lifecycle_reaches_every_format)
{
	start_daemon("[{'name': 'j', 'format': 'json', 'url': 'HOOK/j'},"
		     " {'name': 's', 'format': 'slack', 'url': 'HOOK/s'},"
		     " {'name': 'am', 'format': 'alertmanager', 'url': 'HOOK/am'},"
		     " {'name': 'pd', 'format': 'pagerduty', 'url': 'HOOK/pd/v2/enqueue',"
		     " 'routing_key': 'R0UTING'}]");
	stack.daemon.clock_step_s = 1; /* warn_after and breach_after pass on the daemon's clock */
	push_mention("m1", 0);
	wait_events("j", "warning", 1, 10);
	wait_events("j", "breach", 1, 10);
	push_reply("m1");
	wait_events("j", "resolved", 1, 10);

	wait_text("s", "SLA warning");
	wait_text("s", "SLA breached");
	wait_text("s", "Resolved");
	wait_text("am", "\"ReplySLAWarning\"");
	wait_text("am", "\"ReplySLABreach\"");
	wait_text("pd", "\"trigger\"");
	wait_text("pd", "\"resolve\"");

	/* Alertmanager got the path it serves, and PagerDuty no warning. */
	json_t *list = deliveries("am");

	cr_assert_str_eq(json_string_value(json_object_get(json_array_get(list, 0), "path")),
			 "/hook/am/api/v2/alerts");
	json_decref(list);
	list = deliveries("pd");
	cr_assert_eq(json_array_size(list), 2, "pagerduty: trigger and resolve only");
	json_decref(list);
}

/* A receiver that hangs holds only its own target. */
Test(alerts, slow_receiver_does_not_block_others)
{
	start_daemon("[{'name': 'slow', 'format': 'json', 'url': 'HOOK/slow', 'timeout': '20s'},"
		     " {'name': 'fast', 'format': 'json', 'url': 'HOOK/fast'}]");
	hook_fault("slow", "{'kind': 'hang', 'delay_ms': 15000}");
	push_mention("m1", 10000);
	wait_events("fast", "breach", 1, 3);
	push_mention("m2", 10000);
	wait_events("fast", "breach", 2, 3);

	/* The slow target is still waiting on its first answer. */
	json_t *st = rwt_get_json(stack.daemon.http_port, "/status", NULL), *t;
	size_t i;

	json_array_foreach(json_object_get(st, "alerts"), i, t)
	{
		bool slow = strcmp(json_string_value(json_object_get(t, "name")), "slow") == 0;

		cr_assert_eq(json_is_null(json_object_get(t, "last_success_at")), slow);
	}
	json_decref(st);
}

/* ---- requests fixed once attempted (issue 10) ---- */

struct n_wait {
	const char *name;
	size_t n;
};

static bool
deliveries_reached(void *arg)
{
	struct n_wait *w = arg;
	json_t *list = deliveries(w->name);
	bool yes = json_array_size(list) >= w->n;

	json_decref(list);
	return yes;
}

/* Waits until name has recorded n deliveries (any status). */
static void
wait_deliveries(const char *name, size_t n, double timeout_s)
{
	struct n_wait w = {name, n};

	cr_assert(rwt_wait(&stack.daemon, deliveries_reached, &w, timeout_s),
		  "receiver %s: fewer than %zu deliveries\n%s", name, n,
		  rwt_daemon_log(&stack.daemon));
}

/* The mention ids of the events a delivery carries, as "m1,m2". */
static char *
mention_ids(const json_t *delivery)
{
	json_t *events = json_object_get(json_object_get(delivery, "json"), "events"), *e;
	size_t i, len = 0;
	char *text = NULL;
	FILE *out = open_memstream(&text, &len);

	cr_assert_not_null(out);
	json_array_foreach(events, i, e)
	{
		fprintf(out, "%s%s", i ? "," : "",
			json_string_value(json_object_get(json_object_get(e, "mention"), "id")));
	}
	fclose(out);
	return text;
}

/* Fails unless delivery carries exactly the events of mention ids want ("m1,m2"). */
static void
expect_mentions(const json_t *delivery, const char *want, const char *what)
{
	char *got = mention_ids(delivery);
	bool same = strcmp(got, want) == 0;

	if (!same) {
		char *all = json_dumps(json_object_get(delivery, "json"), JSON_INDENT(1));

		cr_log_error("%s: events of %s, want %s\n%s\n%s", what, got, want, all ? all : "",
			     rwt_daemon_log(&stack.daemon));
		free(all);
	}
	free(got);
	cr_assert(same, "%s: not the events of %s", what, want);
}

/* How many times mention id's breach reached name in a 2xx answer. */
static size_t
breaches_of(const char *name, const char *id)
{
	return delivered_count(name, "breach", id);
}

/* A stored request of target exists: the daemon's (PREFIX:rq:TARGET:INSTANCE)
 * or one of a daemon before issue 14 (PREFIX:rq:TARGET). */
static bool
request_stored(const char *target)
{
	redisContext *c = rwt_redis_connect(&stack.redis);
	redisReply *r = redisCommand(c, "EVAL %s 0 t:rq:%s",
				     "return #redis.call('KEYS', ARGV[1]) + "
				     "#redis.call('KEYS', ARGV[1] .. ':*')",
				     target);
	bool yes;

	cr_assert_not_null(r);
	yes = r->type == REDIS_REPLY_INTEGER && r->integer >= 1;
	freeReplyObject(r);
	redisFree(c);
	return yes;
}

/* Bug: a failed batch was rebuilt from the queue at each attempt, so the
 * retry of a request carried the events that arrived meanwhile, under a new
 * webhook-id. Now every attempt of a request carries the same id and the
 * same bytes (and a valid signature); the newer events go in the next
 * request. */
Test(alerts, regression_retry_keeps_id_and_body_while_events_arrive)
{
	json_decref(rwt_fake_call(&stack.fake, "POST", "/_fake/hook/care/config",
				  "{'secret': '" SECRET "'}"));
	start_daemon("[{'name': 'care', 'format': 'json', 'url': 'HOOK/care', 'secret': '" SECRET
		     "'}]");
	hook_fault("care", "{'kind': '500', 'count': 2}");
	push_mention("m1", 10000);
	wait_deliveries("care", 1, 10);
	/* The first attempt failed; these arrive before the retry. */
	push_mention("m2", 10000);
	push_mention("m3", 10000);
	stack.daemon.clock_step_s =
		5; /* pushed before the retry; backoff passes on the daemon's clock */
	wait_events("care", "breach", 3, 20);

	json_t *list = deliveries("care"), *first = json_array_get(list, 0), *d;
	size_t i;

	cr_assert_geq(json_array_size(list), 4);
	expect_mentions(first, "m1", "the first attempt");
	for (i = 0; i < 3; i++) {
		d = json_array_get(list, i);
		cr_assert_eq(json_integer_value(json_object_get(d, "status")), i < 2 ? 500 : 200);
		cr_assert_str_eq(header_of(d, "webhook-id"), header_of(first, "webhook-id"),
				 "attempt %zu carried another id", i);
		cr_assert_str_eq(body_of(d), body_of(first), "attempt %zu carried another body", i);
		cr_assert_str_eq(json_string_value(json_object_get(d, "signature")), "valid");
	}
	/* m2 and m3 went later, in requests of their own ids. */
	json_array_foreach(list, i, d)
	{
		if (i < 3)
			continue;
		cr_assert_str_neq(header_of(d, "webhook-id"), header_of(first, "webhook-id"));
		char *ids = mention_ids(d);
		bool again = strstr(ids, "m1") != NULL;

		free(ids);
		cr_assert_not(again, "m1 sent again in delivery %zu", i);
		expect_request_id(header_of(d, "webhook-id"),
				  json_object_get(json_object_get(d, "json"), "events"));
	}
	json_decref(list);
	cr_assert_eq(breaches_of("care", "m1"), 1);
	cr_assert_eq(breaches_of("care", "m2"), 1);
	cr_assert_eq(breaches_of("care", "m3"), 1);
	cr_assert_not(request_stored("care"), "the acknowledged request is still stored");
}

/* Bug: after a restart the pending events were batched afresh, under a new
 * id. Now a kill -9 between two attempts re-sends the same request (id and
 * bytes) it had stored before the first attempt; what arrived meanwhile
 * follows in another request. */
Test(alerts, regression_kill_between_attempts_resends_same_request)
{
	const char *targets = "[{'name': 'care', 'format': 'json', 'url': 'HOOK/care'}]";

	start_daemon(targets);
	hook_fault("care", "{'kind': '503', 'count': 1000}");
	push_mention("m1", 10000);
	wait_deliveries("care", 1, 10);
	push_mention("m2", 10000);
	stack.daemon.clock_step_s = 5;  /* backoff passes on the daemon's clock */
	wait_deliveries("care", 2, 10); /* a retry: m2 was there, and is not in it */
	cr_assert(request_stored("care"));
	rwt_daemon_signal(&stack.daemon, SIGKILL);
	cr_assert_neq(rwt_daemon_wait(&stack.daemon, 5), -1);
	rwt_daemon_cleanup(&stack.daemon);
	json_decref(rwt_fake_call(&stack.fake, "DELETE", "/_fake/hook/care/fault", NULL));
	start_daemon(targets);
	wait_events("care", "breach", 2, 20);

	json_t *list = deliveries("care"), *first = json_array_get(list, 0), *d;
	size_t i, ok = 0;

	json_array_foreach(list, i, d)
	{
		if (json_integer_value(json_object_get(d, "status")) >= 300) {
			expect_mentions(d, "m1", "a failed attempt");
			continue;
		}
		if (ok++ == 0) {
			/* The first after the restart: the stored request. */
			cr_assert_str_eq(header_of(d, "webhook-id"),
					 header_of(first, "webhook-id"));
			cr_assert_str_eq(body_of(d), body_of(first));
		} else {
			expect_mentions(d, "m2", "the request after the stored one");
		}
	}
	json_decref(list);
	cr_assert_eq(ok, 2);
	cr_assert_eq(breaches_of("care", "m1"), 1);
	cr_assert_eq(breaches_of("care", "m2"), 1);
	cr_assert_not(request_stored("care"));
}

/* Bug: ids held the mention id, so a repeat of a long one made a webhook-id
 * over 287 characters, which was cut while the signature covered all of it
 * (every verifier refused it), and PagerDuty's and Alertmanager's keys grew
 * with it. With the longest source name the configuration allows and the
 * longest mention id a push takes (RW_ITEM_ID_MAX, 512), every id is a
 * fixed-length hash, every signature verifies with the fake's own
 * implementation, and the incident keys are bounded. */
Test(alerts, regression_long_ids_are_bounded_and_signed)
{
	static char id[RW_ITEM_ID_MAX + 1], key[RW_ITEM_ID_MAX + 1 + 65];
	char ref[RW_EVENT_ID_SIZE], *body, *when = rwt_iso(rw_now_ms() - 10000);

	source = "s123456789-123456789-123456789-123456789-123456789-123456789-123";
	cr_assert_eq(strlen(source), 64);
	memset(id, 'x', sizeof(id) - 1);
	id[sizeof(id) - 1] = '\0';
	snprintf(key, sizeof(key), "%s:%s", source, id);
	cr_assert_eq(rw_event_mention_ref(key, ref, sizeof(ref)), 0);
	json_decref(rwt_fake_call(&stack.fake, "POST", "/_fake/hook/care/config",
				  "{'secret': '" SECRET "'}"));
	start_daemon("[{'name': 'care', 'format': 'json', 'url': 'HOOK/care', 'secret': '" SECRET
		     "', 'repeat_every': '1s'},"
		     " {'name': 'pd', 'format': 'pagerduty', 'url': 'HOOK/pd/v2/enqueue',"
		     " 'routing_key': 'R0UTING'},"
		     " {'name': 'am', 'format': 'alertmanager', 'url': 'HOOK/am'}]");
	cr_assert(asprintf(&body,
			   "{\"id\":\"%s\",\"created_at\":\"%s\",\"author\":\"@ann\","
			   "\"text\":\"help\",\"url\":\"https://social.example/1\"}",
			   id, when) > 0);
	ingest(body);
	stack.daemon.clock_step_s = 1; /* repeat_every passes on the daemon's clock */
	free(body);
	free(when);
	wait_events("care", "breach", 2, 15); /* the breach and a repeat */
	wait_deliveries("pd", 1, 10);
	wait_deliveries("am", 1, 10);

	json_t *list = deliveries("care"), *d, *e;
	size_t i, j, repeats = 0;

	json_array_foreach(list, i, d)
	{
		cr_assert_str_eq(json_string_value(json_object_get(d, "signature")), "valid",
				 "delivery %zu: webhook-id %s", i, header_of(d, "webhook-id"));
	}
	json_array_foreach(list, i, d)
	{
		json_t *events = json_object_get(json_object_get(d, "json"), "events");

		expect_request_id(header_of(d, "webhook-id"), events);
		json_array_foreach(events, j, e) repeats +=
			json_is_true(json_object_get(e, "repeat"));
	}
	cr_assert_geq(repeats, 1);
	json_decref(list);

	list = deliveries("pd");
	cr_assert_str_eq(json_string_value(json_object_get(
				 json_object_get(json_array_get(list, 0), "json"), "dedup_key")),
			 ref);
	json_decref(list);

	list = deliveries("am");
	json_t *alert = json_array_get(json_object_get(json_array_get(list, 0), "json"), 0);
	const char *name;
	json_t *v;

	cr_assert_str_eq(
		json_string_value(json_object_get(json_object_get(alert, "labels"), "mention")),
		ref);
	json_object_foreach(json_object_get(alert, "labels"), name, v) cr_assert_leq(
		json_string_length(v), 64, "label %s: %s", name, json_string_value(v));
	json_decref(list);
}

/* Bug: Retry-After: 999999999 (or a date in the far future) parked a target
 * for decades, never dead-lettered. Now a wait is at most an hour, never past
 * retry_for, and the events are dead-lettered at the horizon as for any
 * failure. */
Test(alerts, regression_absurd_retry_after_is_clamped)
{
	start_daemon("[{'name': 'a', 'format': 'json', 'url': 'HOOK/a', 'retry_for': '1s'},"
		     " {'name': 'b', 'format': 'json', 'url': 'HOOK/b', 'retry_for': '1s'},"
		     " {'name': 'c', 'format': 'json', 'url': 'HOOK/c'},"
		     " {'name': 'd', 'format': 'json', 'url': 'HOOK/d'}]");
	hook_fault("a", "{'kind': '429', 'count': 1000, 'retry_after': 999999999}");
	hook_fault("b", "{'kind': '503', 'count': 1000, 'retry_after': "
			"'Fri, 31 Dec 9999 23:59:59 GMT'}");
	hook_fault("c", "{'kind': '429', 'count': 1000, 'retry_after': 999999999}");
	hook_fault("d", "{'kind': '503', 'count': 1000, 'retry_after': "
			"'Fri, 31 Dec 9999 23:59:59 GMT'}");
	push_mention("m1", 10000);
	wait_deliveries("c", 1, 10);
	wait_deliveries("d", 1, 10);
	wait_deliveries("a", 2, 10);
	wait_deliveries("b", 2, 10);

	/* c and d (retry_for 24 h) wait the one-hour ceiling. */
	json_t *st = rwt_get_json(stack.daemon.http_port, "/status", NULL), *t;
	size_t i, waiting = 0;
	int64_t now = rw_now_ms();

	json_array_foreach(json_object_get(st, "alerts"), i, t)
	{
		const char *name = json_string_value(json_object_get(t, "name"));
		int64_t next = 0;

		if (strcmp(name, "c") != 0 && strcmp(name, "d") != 0)
			continue;
		waiting++;
		cr_assert_eq(rw_time_parse(json_string_value(json_object_get(t, "next_attempt_at")),
					   &next),
			     0, "%s: no next_attempt_at", name);
		cr_assert_leq(next, now + 3600 * 1000LL, "%s waits until %lld", name,
			      (long long)next);
		cr_assert_geq(next, now + 3590 * 1000LL, "%s waits until %lld", name,
			      (long long)next);
	}
	json_decref(st);
	cr_assert_eq(waiting, 2);

	/* a and b tried again at their horizon and dead-lettered. */
	for (const char *const *n = (const char *const[]){"a", "b", NULL}; *n; n++) {
		struct rwt_response r;
		char want[160];
		int k;

		snprintf(want, sizeof(want), "replywatch_alert_dead_letters{target=\"%s\"} 1", *n);
		for (k = 0; k < 500; k++) {
			r = rwt_http(stack.daemon.http_port, "GET", "/metrics", NULL, NULL);
			bool seen = strstr(r.body, want) != NULL;

			rwt_response_free(&r);
			if (seen)
				break;
			usleep(10000);
		}
		cr_assert_lt(k, 500, "%s was never dead-lettered\n%s", *n,
			     rwt_daemon_log(&stack.daemon));
	}
}

/* Bug: a receiver answering a body that is not UTF-8 (binary, NULs) made
 * its target vanish from /status (its last_error could not be a JSON
 * string). Now the text is cleaned and the target stays, failing. */
Test(alerts, regression_binary_error_body_keeps_target_in_status)
{
	start_daemon("[{'name': 'care', 'format': 'json', 'url': 'HOOK/care'}]");
	hook_fault("care", "{'kind': '500', 'count': 1000, 'body_base64': '//4AAcMoQYAKQg=='}");
	push_mention("m1", 10000);
	wait_deliveries("care", 1, 10);

	json_t *st = NULL, *t = NULL;

	for (int i = 0; i < 500; i++) {
		json_decref(st);
		st = rwt_get_json(stack.daemon.http_port, "/status", NULL);
		t = json_array_get(json_object_get(st, "alerts"), 0);
		if (json_is_string(json_object_get(t, "last_error")))
			break;
		usleep(10000);
	}
	cr_assert_not_null(t, "the target is missing from /status");
	cr_assert_str_eq(json_string_value(json_object_get(t, "name")), "care");
	const char *err = json_string_value(json_object_get(t, "last_error"));

	cr_assert_not_null(err, "no last_error");
	cr_assert_eq(strncmp(err, "HTTP 500: ", 10), 0, "%s", err);
	json_decref(st);
}

/* A stored request (as a daemon leaves it when killed between attempts, or
 * between its acknowledgements and the record's delete), set by hand. */
static void
store_request(const char *target, const char *format, const char *id, const char *body)
{
	char *record;
	redisContext *c = rwt_redis_connect(&stack.redis);
	redisReply *r;
	json_t *event = json_pack("{s:s, s:s, s:s, s:s, s:{s:s, s:s, s:s, s:s}, s:n}", "id",
				  "evt_stored", "type", "breach", "at", "2026-11-23T13:02:05.000Z",
				  "due", "2026-11-23T13:00:00.000Z", "mention", "key", "p:m9",
				  "source", "p", "id", "m9", "author", "ann", "policy");
	json_t *doc =
		json_pack("{s:i, s:s, s:s, s:s?, s:[{s:s, s:s, s:s, s:I, s:o}]}", "v", 1, "id", id,
			  "format", format, "body", body, "events", "source", "p", "sid", "1-0",
			  "mention", "m9", "raised", (json_int_t)rw_now_ms(), "event", event);

	cr_assert_not_null(doc);
	record = json_dumps(doc, JSON_COMPACT);
	r = redisCommand(c, "SET t:rq:%s %s", target, record);
	cr_assert(r != NULL && r->type == REDIS_REPLY_STATUS);
	freeReplyObject(r);
	redisFree(c);
	free(record);
	json_decref(doc);
}

static bool
request_gone(void *arg)
{
	return !request_stored(arg);
}

/* The request found stored at start-up goes first, byte for byte under its
 * id, and its record is deleted once taken. */
Test(alerts, stored_request_is_sent_first_as_stored)
{
	const char *body = "{\"version\":1,\"events\":[{\"id\":\"evt_stored\",\"type\":"
			   "\"breach\",\"mention\":{\"id\":\"m9\"},\"stored\":true}]}";

	store_request("care", "json", "msg_0123456789abcdef0123456789abcdef", body);
	json_decref(rwt_fake_call(&stack.fake, "POST", "/_fake/hook/care/config",
				  "{'secret': '" SECRET "'}"));
	start_daemon("[{'name': 'care', 'format': 'json', 'url': 'HOOK/care', 'secret': '" SECRET
		     "'}]");
	push_mention("m1", 10000);
	wait_deliveries("care", 2, 10);

	json_t *list = deliveries("care"), *first = json_array_get(list, 0);

	cr_assert_str_eq(header_of(first, "webhook-id"), "msg_0123456789abcdef0123456789abcdef");
	cr_assert_str_eq(body_of(first), body);
	cr_assert_str_eq(json_string_value(json_object_get(first, "signature")), "valid");
	expect_mentions(json_array_get(list, 1), "m1", "the next request");
	json_decref(list);
	cr_assert(rwt_wait(&stack.daemon, request_gone, "care", 5), "the stored request stayed");
}

/* A stored request of another format (the target's format changed) is not
 * sent as it is: its events go out in a new request of the target's format. */
Test(alerts, stored_request_of_another_format_is_rebuilt)
{
	const char *ids[] = {"evt_stored"};
	char want[RW_EVENT_ID_SIZE];

	store_request("care", "slack", "msg_0123456789abcdef0123456789abcdef", "{\"text\":\"x\"}");
	start_daemon("[{'name': 'care', 'format': 'json', 'url': 'HOOK/care'}]");
	wait_deliveries("care", 1, 10);

	json_t *list = deliveries("care"), *first = json_array_get(list, 0);

	cr_assert_eq(rw_event_request_id(ids, 1, want, sizeof(want)), 0);
	cr_assert_str_eq(header_of(first, "webhook-id"), want);
	expect_mentions(first, "m9", "the rebuilt request");
	json_decref(list);
	cr_assert(rwt_wait(&stack.daemon, request_gone, "care", 5), "the stored request stayed");
}
