/*
 * rwtcl_audit.c: the checks of the high-availability proof (rwtcl.h),
 * against what the daemons list (GET /mentions), what rwfake served
 * (GET /_fake/PLATFORM/mentions) and what its webhook receiver took
 * (GET /_fake/hooks?name=ha):
 * - every item a platform served is one mention of its source: none
 *   missing, none unknown, none twice;
 * - every push answered 202 is a mention;
 * - every deadline that fell due while its mention was unanswered (warn_at,
 *   breach_at; a reply more than a second after it) reached the receiver
 *   (a warning superseded by the breach of the same mention counts; a
 *   mention made during a fault and answered before any event is counted
 *   apart: see in_fault);
 *   a (mention, type) pair never arrived under two distinct event ids (the
 *   same id again is a repeat: counted, allowed);
 * - each deadline event's lateness (first arrival - due) is within
 *   rwt_cl_bound_s, for deadlines due after the cluster was ready.
 */
#include <criterion/criterion.h>
#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "replywatch/clock.h"
#include "rwtcl.h"

/* A deadline's event must arrive once the mention was unanswered this long
 * after it (platform times may be whole seconds). */
#define REPLY_SLACK_MS 1000
/* How long after its instant an event may still be on its way when all is
 * well (group_window 1 s, delivery): not yet missing. */
#define SETTLE_MS 3000

static const struct {
	const char *platform, *source;
} polled[] = {{"mastodon", "masto"}, {"x", "x"}, {"bluesky", "bsky"}};

/* Appends an offender line to a->notes when it is one of the first three of
 * its check (n: the check's count including this one). */
static void __attribute__((format(printf, 3, 4)))
offender(struct rwt_cl_audit *a, size_t n, const char *fmt, ...)
{
	size_t used = strlen(a->notes);
	va_list ap;

	if (n > 3 || used + 8 >= sizeof(a->notes))
		return;
	memcpy(a->notes + used, "  e.g. ", 7);
	used += 7;
	va_start(ap, fmt);
	vsnprintf(a->notes + used, sizeof(a->notes) - used - 1, fmt, ap);
	va_end(ap);
	used = strlen(a->notes);
	a->notes[used] = '\n';
	a->notes[used + 1] = '\0';
}

static int
live_port(const struct rwt_cl *cl)
{
	for (size_t i = 0; i < RWT_CL_DAEMONS; i++)
		if (atomic_load(&cl->up[i]))
			return cl->d[i].http_port;
	cr_assert_fail("no daemon is up to audit through");
	return -1;
}

/* Every mention of source, all pages (new reference). */
static json_t *
mentions_of(const struct rwt_cl *cl, const char *source)
{
	json_t *all = json_array();
	char *cursor = NULL;

	for (;;) {
		char *path, *esc = cursor ? rwt_url_escape(cursor) : NULL;
		json_t *body;
		const char *next;

		cr_assert(asprintf(&path, "/mentions?source=%s&limit=1000%s%s", source,
				   esc ? "&cursor=" : "", esc ? esc : "") > 0);
		body = rwt_get_json(live_port(cl), path, NULL);
		cr_assert_not_null(body, "GET %s failed", path);
		json_array_extend(all, json_object_get(body, "mentions"));
		next = json_string_value(json_object_get(body, "next_cursor"));
		free(cursor);
		cursor = next && *next ? strdup(next) : NULL;
		json_decref(body);
		free(path);
		free(esc);
		if (cursor == NULL)
			return all;
	}
}

/* ms of the RFC 3339 time in member name of o, or -1 when absent. */
static int64_t
time_of(json_t *o, const char *name)
{
	const char *text = json_string_value(json_object_get(o, name));
	int64_t ms;

	if (text == NULL || rw_time_parse(text, &ms) != 0)
		return -1;
	return ms;
}

static void
check_platforms(struct rwt_cl *cl, json_t *by_source, struct rwt_cl_audit *a)
{
	for (size_t p = 0; p < sizeof(polled) / sizeof(polled[0]); p++) {
		char path[64];
		json_t *fake, *served = json_object(), *tracked = json_object(), *m;
		size_t k;

		snprintf(path, sizeof(path), "/_fake/%s/mentions", polled[p].platform);
		fake = rwt_fake_call(&cl->fake, "GET", path, NULL);
		json_array_foreach(json_object_get(fake, "mentions"), k, m)
		{
			json_object_set_new(served, json_string_value(json_object_get(m, "id")),
					    json_true());
			a->served++;
		}
		json_array_foreach(json_object_get(by_source, polled[p].source), k, m)
		{
			const char *id = json_string_value(json_object_get(m, "id"));

			a->tracked++;
			if (json_object_get(tracked, id) != NULL)
				offender(a, ++a->doubled, "%s: %s listed twice", polled[p].source,
					 id);
			else if (json_object_get(served, id) == NULL)
				offender(a, ++a->unserved, "%s: %s never served", polled[p].source,
					 id);
			json_object_set_new(tracked, id, json_true());
		}
		json_array_foreach(json_object_get(fake, "mentions"), k, m)
		{
			const char *id = json_string_value(json_object_get(m, "id"));

			if (json_object_get(tracked, id) == NULL)
				offender(a, ++a->untracked, "%s: %s (created %s) not tracked",
					 polled[p].source, id,
					 json_string_value(json_object_get(m, "created_at")));
		}
		json_decref(fake);
		json_decref(served);
		json_decref(tracked);
	}
}

static void
check_pushes(struct rwt_cl *cl, json_t *by_source, struct rwt_cl_audit *a)
{
	json_t *stored = json_object(), *m;
	size_t k, n = rwt_cl_pushed(cl, &a->acked);

	a->pushed = n;
	json_array_foreach(json_object_get(by_source, "push"), k, m) json_object_set_new(
		stored, json_string_value(json_object_get(m, "id")), json_true());
	for (size_t i = 0; i < n; i++) {
		bool acked;
		const char *id = rwt_cl_push_id(cl, i, &acked);

		if (acked && json_object_get(stored, id) == NULL)
			offender(a, ++a->acked_lost, "push %s answered 202, not stored", id);
	}
	json_decref(stored);
}

/* What the receiver took: per event id {"n": arrivals, "at": first arrival
 * ms, "type", "key", "due" ms}, and per "KEY|TYPE" the set of ids. */
static void
collect_received(struct rwt_cl *cl, json_t *ids, json_t *pairs, struct rwt_cl_audit *a)
{
	json_t *doc = rwt_fake_call(&cl->fake, "GET", "/_fake/hooks?name=ha", NULL), *d, *e;
	size_t i, j;

	json_array_foreach(json_object_get(doc, "deliveries"), i, d)
	{
		json_int_t status = json_integer_value(json_object_get(d, "status"));
		int64_t at = time_of(d, "at");

		if (status < 200 || status > 299)
			continue;
		a->deliveries++;
		json_array_foreach(json_object_get(json_object_get(d, "json"), "events"), j, e)
		{
			const char *id = json_string_value(json_object_get(e, "id"));
			const char *type = json_string_value(json_object_get(e, "type"));
			const char *key = json_string_value(
				json_object_get(json_object_get(e, "mention"), "key"));
			json_t *seen, *set;
			char *pair;

			if (id == NULL || type == NULL || key == NULL)
				continue;
			seen = json_object_get(ids, id);
			if (seen != NULL) {
				json_object_set_new(seen, "n",
						    json_integer(json_integer_value(json_object_get(
									 seen, "n")) +
								 1));
				a->repeats++;
				continue;
			}
			json_object_set_new(ids, id,
					    json_pack("{s:i, s:I, s:s, s:s, s:I}", "n", 1, "at",
						      (json_int_t)at, "type", type, "key", key,
						      "due", (json_int_t)time_of(e, "due")));
			cr_assert(asprintf(&pair, "%s|%s", key, type) > 0);
			set = json_object_get(pairs, pair);
			if (set == NULL) {
				set = json_object();
				json_object_set_new(pairs, pair, set);
			}
			json_object_set_new(set, id, json_true());
			free(pair);
		}
	}
	a->events = json_object_size(ids);
	json_decref(doc);
}

static int
cmp_double(const void *x, const void *y)
{
	double a = *(const double *)x, b = *(const double *)y;

	return (a > b) - (a < b);
}

/* True when a breach of mention key was received: when a warning and a
 * breach fall due together (the mention was seen late, or its warning was
 * written to a master that lost it), the breach supersedes the warning
 * (lifecycle.h), so the warning is not owed. */
static bool
breach_received(json_t *pairs, const char *key)
{
	char *p;
	bool got;

	cr_assert(asprintf(&p, "%s|breach", key) > 0);
	got = json_object_get(pairs, p) != NULL;
	free(p);
	return got;
}

/*
 * True when instant ms fell in a fault's window (one poll either side). An
 * item that reached its platform then may be read first by the source's new
 * owner, or on the new master, together with its answer: it is stored
 * already answered, was never open to any daemon, and raises nothing (its
 * late answer is counted as a breach in the figures: DESIGN.md, and
 * docs/high-availability.md "A reply found after a deadline nobody
 * raised"). A mention stored before the fault is owed its deadlines even
 * when its answer comes first.
 */
static bool
in_fault(const struct rwt_cl *cl, int64_t ms)
{
	for (size_t i = 0; i < cl->nwindows; i++)
		if (ms >= cl->window[i][0] - 1000 && ms <= cl->window[i][1] + 1000)
			return true;
	return false;
}

/* Counts and names a due deadline (type, the mention's member field) of
 * mention m that never reached the receiver. */
static void
missing(struct rwt_cl_audit *a, json_t *m, const char *type, const char *field, bool answered)
{
	const char *key = json_string_value(json_object_get(m, "key"));
	const char *due = json_string_value(json_object_get(m, field));

	a->undelivered++;
	if (answered)
		offender(a, ++a->undelivered_answered,
			 "%s %s due %s, answered %s (before any event): never received", key, type,
			 due, json_string_value(json_object_get(m, "replied_at")));
	else
		offender(a, a->undelivered - a->undelivered_answered,
			 "%s %s due %s (state %s, unanswered) never received", key, type, due,
			 json_string_value(json_object_get(m, "state")));
}

/* Splits, due deadlines, lateness. */
static void
check_deadlines(struct rwt_cl *cl, json_t *by_source, json_t *ids, json_t *pairs, int64_t now_ms,
		struct rwt_cl_audit *a)
{
	static const char *const kinds[][2] = {{"warning", "warn_at"}, {"breach", "breach_at"}};
	const char *name, *pair;
	json_t *list, *set, *m, *e;
	double *late = calloc(json_object_size(ids) + 1, sizeof(double));
	size_t k;

	cr_assert_not_null(late);
	json_object_foreach(pairs, pair, set)
	{
		if (json_object_size(set) > 1) {
			const char *id1 = NULL, *id2 = NULL, *id;
			json_t *v;

			json_object_foreach(set, id, v)
			{
				(void)v;
				if (id1 == NULL)
					id1 = id;
				else if (id2 == NULL)
					id2 = id;
			}
			offender(a, ++a->split, "%s under %zu ids (%s, %s)", pair,
				 json_object_size(set), id1, id2);
		}
	}
	json_object_foreach(by_source, name, list)
	{
		json_array_foreach(list, k, m)
		{
			int64_t replied = time_of(m, "replied_at");
			const char *key = json_string_value(json_object_get(m, "key"));

			for (size_t t = 0; t < 2; t++) {
				int64_t due = time_of(m, kinds[t][1]);
				char *p;

				if (due < 0 || due > now_ms - SETTLE_MS ||
				    (replied >= 0 && replied <= due + REPLY_SLACK_MS))
					continue;
				a->due++;
				cr_assert(asprintf(&p, "%s|%s", key, kinds[t][0]) > 0);
				if (json_object_get(pairs, p) != NULL ||
				    (t == 0 && breach_received(pairs, key)))
					a->delivered++;
				else if (replied >= 0 && in_fault(cl, time_of(m, "created_at")))
					a->unseen++;
				else
					missing(a, m, kinds[t][0], kinds[t][1], replied >= 0);
				free(p);
			}
		}
	}
	json_object_foreach(ids, name, e)
	{
		const char *type = json_string_value(json_object_get(e, "type"));
		int64_t due = json_integer_value(json_object_get(e, "due"));
		double s;

		if (strcmp(type, "resolved") == 0 || due < cl->ready_ms)
			continue;
		s = (double)(json_integer_value(json_object_get(e, "at")) - due) / 1000.0;
		late[a->late_n++] = s;
		if (s > a->late_max_s || a->late_n == 1) {
			a->late_max_s = s;
			snprintf(a->late_max_what, sizeof(a->late_max_what), "%s %s",
				 json_string_value(json_object_get(e, "key")), type);
		}
		if (s > a->bound_s)
			offender(a, ++a->over_bound, "%s %s arrived %.1f s after its instant",
				 json_string_value(json_object_get(e, "key")), type, s);
	}
	if (a->late_n > 0) {
		size_t rank = (a->late_n * 99 + 99) / 100; /* nearest rank */

		qsort(late, a->late_n, sizeof(double), cmp_double);
		a->late_p99_s = late[rank - 1];
	}
	free(late);
}

void
rwt_cl_audit(struct rwt_cl *cl, int64_t now_ms, struct rwt_cl_audit *a)
{
	static const char *const sources[] = {"masto", "x", "bsky", "push"};
	json_t *by_source = json_object(), *ids = json_object(), *pairs = json_object();

	memset(a, 0, sizeof(*a));
	a->bound_s = rwt_cl_bound_s(NULL, 0);
	for (size_t s = 0; s < sizeof(sources) / sizeof(sources[0]); s++)
		json_object_set_new(by_source, sources[s], mentions_of(cl, sources[s]));
	check_platforms(cl, by_source, a);
	check_pushes(cl, by_source, a);
	collect_received(cl, ids, pairs, a);
	check_deadlines(cl, by_source, ids, pairs, now_ms, a);
	json_decref(by_source);
	json_decref(ids);
	json_decref(pairs);
}

bool
rwt_cl_audit_ok(const struct rwt_cl *cl, const struct rwt_cl_audit *a)
{
	return cl->fault_failures == 0 && a->untracked == 0 && a->unserved == 0 &&
	       a->doubled == 0 && a->acked_lost == 0 && a->undelivered == 0 && a->split == 0 &&
	       a->over_bound == 0 && a->served > 0 && a->due > 0;
}

static void
line(FILE *out, const char *what, size_t n, bool must_be_zero)
{
	fprintf(out, "  %-58s %zu%s\n", what, n, must_be_zero && n > 0 ? "   <-- FAIL" : "");
}

void
rwt_cl_audit_print(const struct rwt_cl *cl, const struct rwt_cl_audit *a, FILE *out)
{
	char why[400];

	rwt_cl_bound_s(why, sizeof(why));
	fprintf(out, "== ha_cluster audit\n-- faults\n");
	for (int f = 0; f < RWT_CL_FAULTS; f++)
		fprintf(out, "  %-58s %d (slowest recovery %.1f s)\n", rwt_cl_fault_name(f),
			cl->faults[f], cl->worst_s[f]);
	line(out, "expected outcomes that did not come", cl->fault_failures, true);
	fputs(cl->notes, out);
	fprintf(out, "-- platform items (masto, x, bsky)\n");
	line(out, "served by the fake", a->served, false);
	line(out, "tracked", a->tracked, false);
	line(out, "served but not tracked", a->untracked, true);
	line(out, "tracked but never served", a->unserved, true);
	line(out, "listed more than once", a->doubled, true);
	fprintf(out, "-- pushes\n");
	line(out, "sent", a->pushed, false);
	line(out, "answered 202", a->acked, false);
	line(out, "answered 202 but not stored", a->acked_lost, true);
	fprintf(out, "-- deadlines and the receiver\n");
	line(out, "deliveries taken (2xx)", a->deliveries, false);
	line(out, "distinct event ids received", a->events, false);
	line(out, "repeats (an id received again)", a->repeats, false);
	line(out, "deadlines due (unanswered at their instant)", a->due, false);
	line(out, "... received", a->delivered, false);
	line(out, "... never received", a->undelivered, true);
	line(out, "... of them answered after the deadline, before any event",
	     a->undelivered_answered, true);
	line(out, "not owed: made in a fault window, answered before any event", a->unseen, false);
	line(out, "(mention, type) pairs under more than one event id", a->split, true);
	line(out, "deadline events timed (due after start-up)", a->late_n, false);
	line(out, "... later than the bound", a->over_bound, true);
	fprintf(out, "  lateness max %.1f s (%s), p99 %.1f s; bound %.1f s = %s\n", a->late_max_s,
		a->late_max_what, a->late_p99_s, a->bound_s, why);
	fputs(a->notes, out);
	fprintf(out,
		"ha_cluster summary: %s; items %zu served, %zu tracked, %zu missing, %zu "
		"unknown, %zu doubled; pushes %zu/%zu acked, %zu lost; deadlines %zu due, %zu "
		"missing, %zu made and answered in a fault window; events %zu, repeats %zu, split "
		"ids %zu; "
		"lateness max %.1f s p99 %.1f s "
		"(bound %.1f s); faults %d/%d/%d/%d, %zu failed\n",
		rwt_cl_audit_ok(cl, a) ? "PASS" : "FAIL", a->served, a->tracked, a->untracked,
		a->unserved, a->doubled, a->acked, a->pushed, a->acked_lost, a->due, a->undelivered,
		a->unseen, a->events, a->repeats, a->split, a->late_max_s, a->late_p99_s,
		a->bound_s, cl->faults[0], cl->faults[1], cl->faults[2], cl->faults[3],
		cl->fault_failures);
	fflush(out);
}

bool
rwt_cl_quiesce_and_audit(struct rwt_cl *cl, struct rwt_cl_audit *a)
{
	int64_t quiet, limit;

	rwt_cl_push_stop(cl);
	json_decref(rwt_fake_call(&cl->fake, "POST", "/_fake/simulator", "{'paused': true}"));
	quiet = rw_now_ms();
	limit = quiet + (int64_t)((RWT_CL_BREACH_S + rwt_cl_bound_s(NULL, 0)) * 1000.0);
	fprintf(stderr, "ha: quiet: pusher stopped, simulator paused; waiting for the last "
			"deadlines\n");
	for (;;) {
		int64_t now = rw_now_ms();

		rwt_cl_audit(cl, now, a);
		if (now > quiet + (RWT_CL_BREACH_S * 1000 + SETTLE_MS) && a->untracked == 0 &&
		    a->undelivered == 0)
			break;
		if (now > limit)
			break;
		rwt_cl_run_for(1.0);
	}
	rwt_cl_audit_print(cl, a, stderr);
	cl->audit_ok = rwt_cl_audit_ok(cl, a);
	return cl->audit_ok;
}
