/*
 * alertfmt_util.c: the helpers the alert formats share (alertfmt_internal.h).
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "replywatch/mention.h"

#include "alerts/alertfmt_internal.h"

static const struct {
	const char *name;
	enum rw_af_type type;
} types[] = {
	{"warning", RW_AF_WARNING},       {"breach", RW_AF_BREACH},
	{"escalation", RW_AF_ESCALATION}, {"resolved", RW_AF_RESOLVED},
	{"expired", RW_AF_EXPIRED},       {"source_down", RW_AF_SOURCE_DOWN},
	{"source_up", RW_AF_SOURCE_UP},
};

void
rw_af_err(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (err == NULL || errlen == 0)
		return;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
}

/* The string at key of obj, or NULL when absent, null or not a string. */
static const char *
get_str(const json_t *obj, const char *key)
{
	return json_string_value(json_object_get(obj, key));
}

/* Reads the number at key of obj into *out; false when it is not a number. */
static bool
get_num(const json_t *obj, const char *key, double *out)
{
	const json_t *v = json_object_get(obj, key);

	if (!json_is_number(v))
		return false;
	*out = json_number_value(v);
	return true;
}

static int
read_mention(const json_t *event, const char *where, struct rw_af_event *e, char *err,
	     size_t errlen)
{
	const json_t *m = json_object_get(event, "mention"), *p, *labels;

	if (!json_is_object(m)) {
		rw_af_err(err, errlen, "%s: %s event has no mention", where, e->type_name);
		return -1;
	}
	e->key = get_str(m, "key");
	if (e->key == NULL || e->key[0] == '\0') {
		rw_af_err(err, errlen, "%s: mention has no key", where);
		return -1;
	}
	e->source = get_str(m, "source");
	if (e->source == NULL || e->source[0] == '\0') {
		rw_af_err(err, errlen, "%s: mention has no source", where);
		return -1;
	}
	e->platform = get_str(m, "platform");
	e->kind = get_str(m, "kind");
	e->author = get_str(m, "author");
	e->url = get_str(m, "url");
	e->text = get_str(m, "text");
	e->created_at = get_str(m, "created_at");
	labels = json_object_get(m, "labels");
	e->labels = json_is_object(labels) ? labels : NULL;
	p = json_object_get(event, "policy");
	if (json_is_object(p)) {
		e->policy = get_str(p, "name");
		e->has_warn_after = get_num(p, "warn_after_seconds", &e->warn_after);
		e->has_breach_after = get_num(p, "breach_after_seconds", &e->breach_after);
	}
	if (e->url != NULL && e->url[0] == '\0')
		e->url = NULL;
	if (e->policy != NULL && e->policy[0] == '\0')
		e->policy = NULL;
	return 0;
}

static int
read_source(const json_t *event, const char *where, struct rw_af_event *e, char *err, size_t errlen)
{
	const json_t *s = json_object_get(event, "source"), *labels;

	if (!json_is_object(s)) {
		rw_af_err(err, errlen, "%s: %s event has no source", where, e->type_name);
		return -1;
	}
	e->source = get_str(s, "name");
	if (e->source == NULL || e->source[0] == '\0') {
		rw_af_err(err, errlen, "%s: source has no name", where);
		return -1;
	}
	e->platform = get_str(s, "type");
	e->state = get_str(s, "state");
	e->last_error = get_str(s, "last_error");
	labels = json_object_get(s, "labels");
	e->labels = json_is_object(labels) ? labels : NULL;
	return 0;
}

int
rw_af_read(const json_t *event, const char *where, struct rw_af_event *e, char *err, size_t errlen)
{
	const json_t *level;
	size_t i;

	memset(e, 0, sizeof(*e));
	e->event = event;
	if (!json_is_object(event)) {
		rw_af_err(err, errlen, "%s: not an object", where);
		return -1;
	}
	e->type_name = get_str(event, "type");
	if (e->type_name == NULL) {
		rw_af_err(err, errlen, "%s: no type", where);
		return -1;
	}
	for (i = 0; i < sizeof(types) / sizeof(types[0]); i++)
		if (strcmp(types[i].name, e->type_name) == 0)
			break;
	if (i == sizeof(types) / sizeof(types[0])) {
		rw_af_err(err, errlen, "%s: unknown type \"%.40s\"", where, e->type_name);
		return -1;
	}
	e->type = types[i].type;
	e->is_source = e->type == RW_AF_SOURCE_DOWN || e->type == RW_AF_SOURCE_UP;
	e->at = get_str(event, "at");
	e->due = get_str(event, "due");
	e->has_age = get_num(event, "age_seconds", &e->age);
	e->has_business_age = get_num(event, "business_age_seconds", &e->business_age);
	e->has_response = get_num(event, "response_seconds", &e->response);
	level = json_object_get(event, "level");
	if (json_is_integer(level) && json_integer_value(level) > 0)
		e->level = (int64_t)json_integer_value(level);
	return e->is_source ? read_source(event, where, e, err, errlen)
			    : read_mention(event, where, e, err, errlen);
}

int
rw_af_check_events(const json_t *events, char *err, size_t errlen)
{
	struct rw_af_event e;
	char where[32];

	if (!json_is_array(events)) {
		rw_af_err(err, errlen, "events: not an array");
		return -1;
	}
	for (size_t i = 0; i < json_array_size(events); i++) {
		snprintf(where, sizeof(where), "events[%zu]", i);
		if (rw_af_read(json_array_get(events, i), where, &e, err, errlen) == -1)
			return -1;
	}
	return 0;
}

void
rw_af_read_checked(const json_t *events, size_t i, struct rw_af_event *e)
{
	/* Cannot fail: the list passed rw_af_check_events. */
	(void)rw_af_read(json_array_get(events, i), "events", e, NULL, 0);
}

char *
rw_af_duration(double seconds, char *buf, size_t len)
{
	/* NaN fails the first test; absurd values are capped, never overflow. */
	long long s = seconds >= 0 ? (seconds < 1e12 ? (long long)seconds : 1000000000000LL) : 0;

	if (s < 60)
		snprintf(buf, len, "%llds", s);
	else if (s < 3600)
		snprintf(buf, len, "%lldm %02llds", s / 60, s % 60);
	else if (s < 86400)
		snprintf(buf, len, "%lldh %02lldm", s / 3600, s % 3600 / 60);
	else
		snprintf(buf, len, "%lldd %lldh", s / 86400, s % 86400 / 3600);
	return buf;
}

char *
rw_af_title(const struct rw_af_event *e, char *buf, size_t len)
{
	switch (e->type) {
	case RW_AF_WARNING:
		snprintf(buf, len, "SLA warning");
		break;
	case RW_AF_BREACH:
		snprintf(buf, len, "SLA breached");
		break;
	case RW_AF_ESCALATION:
		if (e->level > 0)
			snprintf(buf, len, "SLA escalation, level %lld", (long long)e->level);
		else
			snprintf(buf, len, "SLA escalation");
		break;
	case RW_AF_RESOLVED:
		snprintf(buf, len, "Resolved");
		break;
	case RW_AF_EXPIRED:
		snprintf(buf, len, "Expired unanswered");
		break;
	case RW_AF_SOURCE_DOWN:
		snprintf(buf, len, "Source down");
		break;
	case RW_AF_SOURCE_UP:
		snprintf(buf, len, "Source up");
		break;
	}
	return buf;
}

/* Drops a UTF-8 sequence that a cut left incomplete at the end of s. */
static void
utf8_trim(char *s)
{
	size_t len = strlen(s), lead = len, need;
	unsigned char c;

	while (lead > 0 && len - lead < 4 && ((unsigned char)s[lead - 1] & 0xc0) == 0x80)
		lead--;
	if (lead == 0)
		return;
	c = (unsigned char)s[--lead];
	need = c >= 0xf0 ? 4 : c >= 0xe0 ? 3 : c >= 0xc0 ? 2 : 1;
	if (len - lead < need)
		s[lead] = '\0';
}

const char *
rw_af_handle(const struct rw_af_event *e, char *buf, size_t len)
{
	int n;

	if (e->author == NULL || e->author[0] == '\0' || len == 0)
		return NULL;
	if (e->author[0] == '@' || strchr(e->author, ' ') != NULL)
		n = snprintf(buf, len, "%s", e->author);
	else
		n = snprintf(buf, len, "@%s", e->author);
	/* A long name is cut; never in the middle of a character. */
	if (n < 0 || (size_t)n >= len)
		utf8_trim(buf);
	return buf;
}

char *
rw_af_line(const char *s, size_t max_chars)
{
	static const char ellipsis[] = "\xe2\x80\xa6";
	size_t len, chars = 0, cut = 0, total = 0;
	char *out;

	if (s == NULL)
		s = "";
	len = strlen(s);
	/* Count characters; cut is where the first max_chars - 1 of them end. */
	for (size_t i = 0; i < len; i++) {
		if (((unsigned char)s[i] & 0xc0) == 0x80)
			continue;
		if (chars == (max_chars > 0 ? max_chars - 1 : 0))
			cut = i;
		chars++;
	}
	total = chars;
	if (total <= max_chars)
		cut = len;
	out = malloc(cut + sizeof(ellipsis));
	if (out == NULL)
		return NULL;
	for (size_t i = 0; i < cut; i++) {
		unsigned char c = (unsigned char)s[i];

		out[i] = c < 0x20 || c == 0x7f ? ' ' : (char)c;
	}
	if (total > max_chars && max_chars > 0)
		memcpy(out + cut, ellipsis, sizeof(ellipsis));
	else
		out[cut] = '\0';
	return out;
}

char *
rw_af_time(int64_t ms, char *buf, size_t len)
{
	return rw_time_format(ms, buf, len);
}

void
rw_af_buf_addn(struct rw_af_buf *b, const char *s, size_t n)
{
	if (b->failed)
		return;
	if (b->len + n + 1 > b->cap) {
		size_t cap = b->cap ? b->cap : 256;
		char *p;

		while (cap < b->len + n + 1)
			cap *= 2;
		if ((p = realloc(b->p, cap)) == NULL) {
			b->failed = true;
			return;
		}
		b->p = p;
		b->cap = cap;
	}
	memcpy(b->p + b->len, s, n);
	b->len += n;
	b->p[b->len] = '\0';
}

void
rw_af_buf_add(struct rw_af_buf *b, const char *s)
{
	rw_af_buf_addn(b, s, strlen(s));
}

void
rw_af_buf_addf(struct rw_af_buf *b, const char *fmt, ...)
{
	va_list ap;
	char *s;
	int n;

	if (b->failed)
		return;
	va_start(ap, fmt);
	n = vasprintf(&s, fmt, ap);
	va_end(ap);
	if (n < 0) {
		b->failed = true;
		return;
	}
	rw_af_buf_addn(b, s, (size_t)n);
	free(s);
}

char *
rw_af_buf_take(struct rw_af_buf *b)
{
	char *p;

	if (b->failed) {
		rw_af_buf_free(b);
		return NULL;
	}
	if (b->p == NULL)
		rw_af_buf_addn(b, "", 0);
	p = b->failed ? NULL : b->p;
	if (p == NULL)
		free(b->p);
	memset(b, 0, sizeof(*b));
	return p;
}

void
rw_af_buf_free(struct rw_af_buf *b)
{
	free(b->p);
	memset(b, 0, sizeof(*b));
}
