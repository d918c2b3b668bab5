/*
 * rwtmeta.c: the Graph connector suites' fixture (rwtmeta.h).
 */
#include <criterion/criterion.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "replywatch/clock.h"
#include "rwtmeta.h"

struct rwt_stack rwm;

void
rwm_setup(void)
{
	rwt_stack_up(&rwm, true);
	rwm.daemon.test_clock = true;
}

void
rwm_teardown(void)
{
	rwt_stack_down(&rwm);
}

void
rwm_start(const char *type, const char *params)
{
	rwm_start_every(type, "1s", params);
}

void
rwm_start_every(const char *type, const char *every, const char *params)
{
	int port = rwm.daemon.http_port ? rwm.daemon.http_port : rwt_free_port();
	char *top, *path;

	cr_assert(
		asprintf(&top,
			 ",\n \"retention\": { \"backfill\": \"30d\" },\n"
			 " \"policies\": [ { \"name\": \"social\", \"breach_after\": \"3h\" } ],\n"
			 " \"sources\": [ { \"name\": \"" RWM_SOURCE "\", \"type\": \"%s\","
			 " \"base_url\": \"%s\", \"token\": \"" RWM_TOKEN "\","
			 " \"poll_every\": \"%s\"%s } ]",
			 type, rwm.fake.base, every, params) > 0);
	path = rwt_write_config(rwm.dir, &rwm.redis, port, "", top);
	rwt_daemon_start(&rwm.daemon, path, port, NULL);
	rwt_daemon_wait_ready(&rwm.daemon, 5.0);
	free(path);
	free(top);
}

void
rwm_stop(void)
{
	bool clock = rwm.daemon.test_clock;
	int port = rwm.daemon.http_port;

	rwt_daemon_stop_clean(&rwm.daemon);
	rwt_daemon_cleanup(&rwm.daemon);
	rwm.daemon.test_clock = clock;
	rwm.daemon.http_port = port;
}

char *
rwm_add(const char *what, const char *fields, int64_t created_ms)
{
	char at[40], path[64], *body, *id;
	json_t *r;

	at[0] = '\0';
	if (created_ms > 0)
		rw_time_format(created_ms, at, sizeof(at));
	cr_assert(asprintf(&body, "{%s%s%s%s%s}", fields, at[0] ? (*fields ? ", " : "") : "",
			   at[0] ? "'created_at': '" : "", at, at[0] ? "'" : "") > 0);
	snprintf(path, sizeof(path), "/_fake/meta/%s", what);
	r = rwt_fake_call(&rwm.fake, "POST", path, body);
	id = strdup(json_string_value(json_object_get(r, "id")));
	json_decref(r);
	free(body);
	return id;
}

json_t *
rwm_mention(const char *id)
{
	char path[160];

	snprintf(path, sizeof(path), "/mentions/" RWM_SOURCE "%%3A%s", id);
	return rwt_get_json(rwm.daemon.http_port, path, NULL);
}

struct state_wait {
	const char *id, *want;
};

static bool
state_is(void *arg)
{
	struct state_wait *w = arg;
	json_t *m = rwm_mention(w->id);
	const char *state = json_string_value(json_object_get(m, "state"));
	bool ok = state && strcmp(state, w->want) == 0;

	json_decref(m);
	return ok;
}

void
rwm_wait_state(const char *id, const char *want, double timeout_s)
{
	struct state_wait w = {id, want};
	json_t *m;

	if (rwt_wait(&rwm.daemon, state_is, &w, timeout_s))
		return;
	m = rwm_mention(id);
	cr_assert_fail("%s never became %s: %s\n%s", id, want,
		       m ? json_dumps(m, 0) : "(not tracked)", rwt_daemon_log(&rwm.daemon));
}

size_t
rwm_tracked(void)
{
	json_t *list = rwt_get_json(rwm.daemon.http_port,
				    "/mentions?source=" RWM_SOURCE "&limit=1000", NULL);
	size_t n;

	cr_assert_not_null(list);
	n = json_array_size(json_object_get(list, "mentions"));
	json_decref(list);
	return n;
}

json_t *
rwm_source_status(void)
{
	json_t *st = rwt_get_json(rwm.daemon.http_port, "/status", NULL), *src, *found = NULL;
	size_t i;

	cr_assert_not_null(st);
	json_array_foreach(json_object_get(st, "sources"), i, src)
	{
		if (strcmp(json_string_value(json_object_get(src, "name")), RWM_SOURCE) == 0)
			found = json_incref(src);
	}
	json_decref(st);
	cr_assert_not_null(found);
	return found;
}

static bool
source_state_is(void *arg)
{
	json_t *s = rwm_source_status();
	const char *state = json_string_value(json_object_get(s, "state"));
	bool ok = state && strcmp(state, arg) == 0;

	json_decref(s);
	return ok;
}

void
rwm_wait_source_state(const char *want, double timeout_s)
{
	json_t *s;

	if (rwt_wait(&rwm.daemon, source_state_is, (void *)want, timeout_s))
		return;
	s = rwm_source_status();
	cr_assert_fail("source never %s: %s\n%s", want, json_dumps(s, 0),
		       rwt_daemon_log(&rwm.daemon));
}

size_t
rwm_count_requests(const char *endpoint, int64_t after_ms)
{
	json_t *list = rwt_fake_requests(&rwm.fake, "meta", endpoint), *r;
	size_t i, n = 0;
	int64_t at;

	json_array_foreach(list, i, r)
	{
		cr_assert_eq(rw_time_parse(json_string_value(json_object_get(r, "at")), &at), 0);
		if (at >= after_ms)
			n++;
	}
	json_decref(list);
	return n;
}
