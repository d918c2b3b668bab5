/*
 * alertfmt_alertmanager.c: the body of Alertmanager's POST /api/v2/alerts,
 * an array of postable alerts {"labels", "annotations", "startsAt",
 * "endsAt"}.
 *
 * Labels identify an alert, so they hold only what never changes for one
 * mention (or source): the alert name, the names of source, platform and
 * policy, the mention's bounded reference (rw_event_mention_ref: a pushed id
 * can be 64 KiB of anyone's text), a severity fixed by the alert name, and
 * the configured labels. Everything that changes (waiting time, escalation
 * level) and the readable mention key go in the annotations, so each re-post
 * updates the same alert.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "replywatch/alertfmt.h"
#include "replywatch/event.h"
#include "replywatch/mention.h"

#include "alerts/alertfmt_internal.h"

#define WARNING_ALERT "ReplySLAWarning"
#define BREACH_ALERT "ReplySLABreach"
#define SOURCE_ALERT "ReplySourceDown"

/* How much of the post the description quotes. */
#define QUOTE_MAX 500
/* How much of the mention key the mention_key annotation shows. */
#define KEY_SHOWN_MAX 200
#define LABEL_NAME_MAX 128

/* The labels replywatch sets itself; configured labels of the same name are
 * renamed "label_NAME". */
static const char *const reserved[] = {"alertname", "source",   "platform", "policy",
				       "mention",   "severity", NULL};

const char *
rw_alertfmt_alertname(const char *event_type)
{
	static const struct {
		const char *type, *alert;
	} names[] = {
		{"warning", WARNING_ALERT},   {"breach", BREACH_ALERT},
		{"escalation", BREACH_ALERT}, {"resolved", BREACH_ALERT},
		{"expired", BREACH_ALERT},    {"source_down", SOURCE_ALERT},
		{"source_up", SOURCE_ALERT},
	};

	for (size_t i = 0; event_type != NULL && i < sizeof(names) / sizeof(names[0]); i++)
		if (strcmp(names[i].type, event_type) == 0)
			return names[i].alert;
	return NULL;
}

static bool
is_reserved(const char *name)
{
	for (size_t i = 0; reserved[i] != NULL; i++)
		if (strcmp(reserved[i], name) == 0)
			return true;
	return false;
}

/* name as a valid label name ([a-zA-Z_][a-zA-Z0-9_]*) into out. */
static void
label_name(const char *name, char *out, size_t len)
{
	size_t o = 0;

	if (name[0] >= '0' && name[0] <= '9')
		out[o++] = '_';
	for (const char *p = name; *p != '\0' && o + 1 < len; p++) {
		char c = *p;

		out[o++] = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
					   (c >= '0' && c <= '9') || c == '_'
				   ? c
				   : '_';
	}
	out[o] = '\0';
}

/* Sets a label unless value is NULL or empty (Alertmanager treats an empty
 * label as an absent one). */
static int
set_label(json_t *labels, const char *name, const char *value)
{
	if (value == NULL || value[0] == '\0')
		return 0;
	return json_object_set_new(labels, name, json_string(value));
}

/* The configured labels (strings, numbers, booleans), renamed on a clash. */
static int
add_user_labels(json_t *labels, const json_t *user)
{
	char name[LABEL_NAME_MAX], renamed[LABEL_NAME_MAX + 8], num[64];
	const char *key, *value, *use;
	json_t *v;

	json_object_foreach((json_t *)user, key, v)
	{
		if (json_is_string(v)) {
			value = json_string_value(v);
		} else if (json_is_integer(v)) {
			snprintf(num, sizeof(num), "%" JSON_INTEGER_FORMAT, json_integer_value(v));
			value = num;
		} else if (json_is_real(v)) {
			snprintf(num, sizeof(num), "%.17g", json_real_value(v));
			value = num;
		} else if (json_is_boolean(v)) {
			value = json_is_true(v) ? "true" : "false";
		} else {
			continue;
		}
		if (key[0] == '\0')
			continue;
		label_name(key, name, sizeof(name));
		use = name;
		if (is_reserved(name)) {
			snprintf(renamed, sizeof(renamed), "label_%s", name);
			use = renamed;
		}
		if (json_object_get(labels, use) != NULL)
			continue;
		if (set_label(labels, use, value) == -1)
			return -1;
	}
	return 0;
}

static json_t *
labels_for(const struct rw_af_event *e, const char *alertname, const char *severity)
{
	json_t *labels = json_object();
	char ref[RW_EVENT_ID_SIZE];

	if (!e->is_source && rw_event_mention_ref(e->key, ref, sizeof(ref)) == -1) {
		json_decref(labels);
		return NULL;
	}
	if (labels == NULL || set_label(labels, "alertname", alertname) == -1 ||
	    set_label(labels, "source", e->source) == -1 ||
	    set_label(labels, "platform", e->platform) == -1 ||
	    (!e->is_source && (set_label(labels, "policy", e->policy) == -1 ||
			       set_label(labels, "mention", ref) == -1)) ||
	    set_label(labels, "severity", severity) == -1 ||
	    (e->labels != NULL && add_user_labels(labels, e->labels) == -1)) {
		json_decref(labels);
		return NULL;
	}
	return labels;
}

/* The description: the facts of the event on a few lines. */
static char *
describe(const struct rw_af_event *e)
{
	struct rw_af_buf b = {0};
	char handle[RW_AF_HANDLE_MAX], d[32], d2[32], *quote;
	const char *who = rw_af_handle(e, handle, sizeof(handle));

	if (e->is_source) {
		rw_af_buf_addf(&b, "Source %s", e->source);
		if (e->platform != NULL)
			rw_af_buf_addf(&b, " (%s)", e->platform);
		if (e->type == RW_AF_SOURCE_UP)
			rw_af_buf_add(&b, " is working again.");
		else if (e->last_error != NULL && e->last_error[0] != '\0')
			rw_af_buf_addf(&b, " is down: %s", e->last_error);
		else
			rw_af_buf_add(&b, " is down.");
		return rw_af_buf_take(&b);
	}
	rw_af_buf_addf(&b, "A %s", e->kind != NULL && e->kind[0] != '\0' ? e->kind : "mention");
	if (who != NULL)
		rw_af_buf_addf(&b, " by %s", who);
	rw_af_buf_addf(&b, " on %s", e->source);
	if (e->platform != NULL)
		rw_af_buf_addf(&b, " (%s)", e->platform);
	switch (e->type) {
	case RW_AF_RESOLVED:
		if (e->has_response)
			rw_af_buf_addf(&b, " was answered after %s",
				       rw_af_duration(e->response, d, sizeof(d)));
		else if (e->has_age)
			rw_af_buf_addf(&b, " was resolved after %s",
				       rw_af_duration(e->age, d, sizeof(d)));
		else
			rw_af_buf_add(&b, " was resolved");
		break;
	case RW_AF_EXPIRED:
		rw_af_buf_add(&b, " expired without a reply");
		if (e->has_age)
			rw_af_buf_addf(&b, " after %s", rw_af_duration(e->age, d, sizeof(d)));
		break;
	default:
		if (e->has_age)
			rw_af_buf_addf(&b, " has waited %s for a reply",
				       rw_af_duration(e->age, d, sizeof(d)));
		else
			rw_af_buf_add(&b, " is waiting for a reply");
		break;
	}
	if (e->has_business_age)
		rw_af_buf_addf(&b, " (%s in business hours)",
			       rw_af_duration(e->business_age, d, sizeof(d)));
	rw_af_buf_add(&b, ".");
	if (e->level > 0)
		rw_af_buf_addf(&b, "\nEscalation level %lld.", (long long)e->level);
	if (e->policy != NULL) {
		rw_af_buf_addf(&b, "\nPolicy %s", e->policy);
		if (e->has_warn_after && e->has_breach_after)
			rw_af_buf_addf(&b, ": warning after %s, breach after %s",
				       rw_af_duration(e->warn_after, d, sizeof(d)),
				       rw_af_duration(e->breach_after, d2, sizeof(d2)));
		rw_af_buf_add(&b, ".");
	}
	if (e->due != NULL)
		rw_af_buf_addf(&b, "\nDue %s.", e->due);
	if (e->text != NULL && e->text[0] != '\0') {
		if ((quote = rw_af_line(e->text, QUOTE_MAX)) == NULL) {
			rw_af_buf_free(&b);
			return NULL;
		}
		rw_af_buf_addf(&b, "\n\"%s\"", quote);
		free(quote);
	}
	return rw_af_buf_take(&b);
}

/* The text the summary and description annotations share for one event. */
struct texts {
	char *summary, *description;
};

static json_t *
annotations_for(const struct rw_af_event *e, const struct texts *t)
{
	json_t *a = json_object();
	char lvl[32], *key = e->is_source ? NULL : rw_af_line(e->key, KEY_SHOWN_MAX);

	if (a == NULL || (!e->is_source && key == NULL) ||
	    json_object_set_new(a, "summary", json_string(t->summary)) == -1 ||
	    (e->url != NULL && json_object_set_new(a, "url", json_string(e->url)) == -1) ||
	    json_object_set_new(a, "description", json_string(t->description)) == -1 ||
	    (key != NULL && json_object_set_new(a, "mention_key", json_string(key)) == -1)) {
		free(key);
		goto fail;
	}
	free(key);
	if (e->level > 0) {
		snprintf(lvl, sizeof(lvl), "%lld", (long long)e->level);
		if (json_object_set_new(a, "level", json_string(lvl)) == -1)
			goto fail;
	}
	return a;
fail:
	json_decref(a);
	return NULL;
}

/* Appends one postable alert for e to list. */
static int
append_alert(json_t *list, const struct rw_af_event *e, const struct texts *t,
	     const char *alertname, const char *severity, bool resolved, int64_t now_ms,
	     int64_t active_for_ms)
{
	json_t *alert = json_object();
	const char *start = e->is_source ? e->at : e->created_at;
	int64_t starts = 0, ends = resolved ? now_ms : now_ms + active_for_ms;
	char buf[40];
	bool has_start = start != NULL && rw_time_parse(start, &starts) == 0;

	/* Alertmanager rejects a whole batch that has an alert ending before it
	 * starts (a clock that is behind, a mention dated ahead). */
	if (has_start && starts > ends)
		starts = ends;
	if (alert == NULL ||
	    json_object_set_new(alert, "labels", labels_for(e, alertname, severity)) == -1 ||
	    json_object_set_new(alert, "annotations", annotations_for(e, t)) == -1 ||
	    (has_start &&
	     json_object_set_new(alert, "startsAt",
				 json_string(rw_af_time(starts, buf, sizeof(buf)))) == -1) ||
	    json_object_set_new(alert, "endsAt", json_string(rw_af_time(ends, buf, sizeof(buf)))) ==
		    -1) {
		json_decref(alert);
		return -1;
	}
	return json_array_append_new(list, alert);
}

/* Appends the alerts of one event: one, or two for resolved and expired. */
static int
append_event(json_t *list, const struct rw_af_event *e, int64_t now_ms, int64_t active_for_ms)
{
	struct texts t = {rw_af_summary(e), describe(e)};
	int rc = -1;

	if (t.summary == NULL || t.description == NULL)
		goto done;
	switch (e->type) {
	case RW_AF_WARNING:
		rc = append_alert(list, e, &t, WARNING_ALERT, "warning", false, now_ms,
				  active_for_ms);
		break;
	case RW_AF_BREACH:
	case RW_AF_ESCALATION:
		rc = append_alert(list, e, &t, BREACH_ALERT, "critical", false, now_ms,
				  active_for_ms);
		break;
	case RW_AF_RESOLVED:
	case RW_AF_EXPIRED:
		rc = append_alert(list, e, &t, WARNING_ALERT, "warning", true, now_ms, 0);
		if (rc == 0)
			rc = append_alert(list, e, &t, BREACH_ALERT, "critical", true, now_ms, 0);
		break;
	case RW_AF_SOURCE_DOWN:
		rc = append_alert(list, e, &t, SOURCE_ALERT, "critical", false, now_ms,
				  active_for_ms);
		break;
	case RW_AF_SOURCE_UP:
		rc = append_alert(list, e, &t, SOURCE_ALERT, "critical", true, now_ms, 0);
		break;
	}
done:
	free(t.summary);
	free(t.description);
	return rc;
}

char *
rw_alertfmt_alertmanager(const json_t *events, int64_t now_ms, int64_t active_for_ms, char *err,
			 size_t errlen)
{
	size_t n = json_array_size(events), i;
	struct rw_af_event e;
	json_t *list = NULL;
	char *out = NULL;

	if (rw_af_check_events(events, err, errlen) == -1)
		return NULL;
	if ((list = json_array()) == NULL)
		goto oom;
	for (i = 0; i < n; i++) {
		rw_af_read_checked(events, i, &e);
		if (append_event(list, &e, now_ms, active_for_ms) == -1)
			goto oom;
	}
	if ((out = json_dumps(list, JSON_COMPACT)) == NULL)
		goto oom;
	json_decref(list);
	return out;
oom:
	rw_af_err(err, errlen, "out of memory");
	json_decref(list);
	return NULL;
}
