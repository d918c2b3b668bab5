/*
 * rwtsrc.c: one source seen through the daemon's HTTP API.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rwtsrc.h"

static json_t *
get_json(const struct rwt_src *s, const char *path)
{
	return rwt_get_json(s->d->http_port, path, NULL);
}

json_t *
rwt_src_mention(const struct rwt_src *s, const char *id)
{
	char *name = rwt_url_escape(s->name), *esc = rwt_url_escape(id), *path;
	json_t *m;

	cr_assert(asprintf(&path, "/mentions/%s%%3A%s", name, esc) > 0);
	m = get_json(s, path);
	free(path);
	free(esc);
	free(name);
	return m;
}

struct state_wait {
	const struct rwt_src *s;
	const char *id, *want;
};

static bool
state_is(void *arg)
{
	const struct state_wait *w = arg;
	json_t *m = rwt_src_mention(w->s, w->id);
	const char *state = json_string_value(json_object_get(m, "state"));
	bool ok = state != NULL && strcmp(state, w->want) == 0;

	json_decref(m);
	return ok;
}

void
rwt_src_wait_state(const struct rwt_src *s, const char *id, const char *want, double timeout_s)
{
	struct state_wait w = {s, id, want};
	json_t *m;

	if (rwt_wait_until(state_is, &w, timeout_s))
		return;
	m = rwt_src_mention(s, id);
	cr_assert_fail("%s never became %s: %s\n%s", id, want,
		       m ? json_dumps(m, 0) : "(not tracked)", rwt_daemon_log(s->d));
}

size_t
rwt_src_tracked(const struct rwt_src *s)
{
	char *name = rwt_url_escape(s->name), *path;
	json_t *list;
	size_t n;

	cr_assert(asprintf(&path, "/mentions?source=%s&limit=1000", name) > 0);
	list = get_json(s, path);
	free(path);
	free(name);
	cr_assert_not_null(list);
	n = json_array_size(json_object_get(list, "mentions"));
	json_decref(list);
	return n;
}

struct tracked_wait {
	const struct rwt_src *s;
	size_t n;
};

static bool
tracked_at_least(void *arg)
{
	const struct tracked_wait *w = arg;

	return rwt_src_tracked(w->s) >= w->n;
}

void
rwt_src_wait_tracked(const struct rwt_src *s, size_t n, double timeout_s)
{
	struct tracked_wait w = {s, n};

	if (!rwt_wait_until(tracked_at_least, &w, timeout_s))
		cr_assert_fail("%zu tracked, not %zu\n%s", rwt_src_tracked(s), n,
			       rwt_daemon_log(s->d));
}

json_t *
rwt_src_status(const struct rwt_src *s)
{
	json_t *st = get_json(s, "/status"), *src, *found = NULL;
	size_t i;

	cr_assert_not_null(st);
	json_array_foreach(json_object_get(st, "sources"), i, src)
	{
		const char *name = json_string_value(json_object_get(src, "name"));

		if (name != NULL && strcmp(name, s->name) == 0)
			found = json_incref(src);
	}
	json_decref(st);
	cr_assert_not_null(found, "no source %s in /status", s->name);
	return found;
}

struct source_wait {
	const struct rwt_src *s;
	const char *want;
};

static bool
source_state_is(void *arg)
{
	const struct source_wait *w = arg;
	json_t *st = rwt_src_status(w->s);
	const char *state = json_string_value(json_object_get(st, "state"));
	bool ok = state != NULL && strcmp(state, w->want) == 0;

	json_decref(st);
	return ok;
}

void
rwt_src_wait_source_state(const struct rwt_src *s, const char *want, double timeout_s)
{
	struct source_wait w = {s, want};
	json_t *st;

	if (rwt_wait_until(source_state_is, &w, timeout_s))
		return;
	st = rwt_src_status(s);
	cr_assert_fail("source %s never %s: %s\n%s", s->name, want, json_dumps(st, 0),
		       rwt_daemon_log(s->d));
}
