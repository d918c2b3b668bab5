/*
 * mention.c: the stored mention record — decode, encode, JSON, and the time
 * formats the API uses.
 */
#include <ctype.h>
#include <hiredis/hiredis.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "replywatch/clock.h"
#include "replywatch/config.h"
#include "replywatch/item.h"
#include "replywatch/mention.h"

static const char *const state_names[RW_STATE_COUNT] = {
	"open", "warning", "breached", "replied", "closed", "expired",
};
static const char state_codes[RW_STATE_COUNT] = {'o', 'w', 'b', 'r', 'c', 'x'};

const char *
rw_state_name(enum rw_state s)
{
	return (unsigned)s < RW_STATE_COUNT ? state_names[s] : "unknown";
}

char
rw_state_code(enum rw_state s)
{
	return (unsigned)s < RW_STATE_COUNT ? state_codes[s] : '?';
}

int
rw_state_parse(const char *name, enum rw_state *s)
{
	for (int i = 0; i < RW_STATE_COUNT; i++) {
		if (strcmp(name, state_names[i]) == 0) {
			*s = (enum rw_state)i;
			return 0;
		}
	}
	return -1;
}

int
rw_state_from_code(char code, enum rw_state *s)
{
	for (int i = 0; i < RW_STATE_COUNT; i++) {
		if (state_codes[i] == code) {
			*s = (enum rw_state)i;
			return 0;
		}
	}
	return -1;
}

bool
rw_state_is_open(enum rw_state s)
{
	return s == RW_STATE_OPEN || s == RW_STATE_WARNING || s == RW_STATE_BREACHED;
}

static int
parse_i64(const char *s, int64_t *out)
{
	char *end;
	long long v;

	if (s == NULL || *s == '\0')
		return -1;
	v = strtoll(s, &end, 10);
	if (*end != '\0')
		return -1;
	*out = v;
	return 0;
}

/* Sets *dst to a copy of v's string. A field given twice (not from a real
 * HGETALL, but a reply is outside input) keeps the last value and leaks
 * nothing. */
static int
set_field(char **dst, const struct redisReply *v)
{
	char *s = strndup(v->str, v->len);

	if (s == NULL)
		return -1;
	free(*dst);
	*dst = s;
	return 0;
}

/* Escalation instants are stored as a comma-separated list. */
static int
decode_escalations(struct rw_mention *m, const char *list)
{
	char *copy = strdup(list), *save = NULL;

	if (copy == NULL)
		return -1;
	m->nescalate = 0;
	for (char *tok = strtok_r(copy, ",", &save); tok != NULL;
	     tok = strtok_r(NULL, ",", &save)) {
		if (m->nescalate == RW_MAX_ESCALATIONS ||
		    parse_i64(tok, &m->escalate_at[m->nescalate]))
			break;
		m->nescalate++;
	}
	free(copy);
	return 0;
}

/* Applies one stored field to m. Unknown fields are ignored (a newer
 * daemon may have written them). */
static int
decode_field(struct rw_mention *m, const char *f, const struct redisReply *v)
{
	int64_t n = 0;

	if (strlen(f) == 1) {
		switch (f[0]) {
		case 'k':
			m->kind = rw_kind_parse(v->str);
			return 0;
		case 'a':
			return set_field(&m->author, v);
		case 'f':
			m->has_followers = parse_i64(v->str, &m->followers) == 0;
			return 0;
		case 't':
			return set_field(&m->text, v);
		case 'u':
			return set_field(&m->url, v);
		case 'c':
			return parse_i64(v->str, &m->created_ms);
		case 'v':
			return set_field(&m->conversation_id, v);
		case 'g':
			m->has_rating = parse_i64(v->str, &n) == 0;
			m->rating = (int)n;
			return 0;
		case 's':
			return v->len == 1 ? rw_state_from_code(v->str[0], &m->state) : -1;
		case 'p':
			if (v->len == 0)
				return 0;
			return set_field(&m->policy, v);
		case 'W':
			return parse_i64(v->str, &m->warn_at);
		case 'B':
			return parse_i64(v->str, &m->breach_at);
		case 'E':
			return decode_escalations(m, v->str);
		case 'X':
			return parse_i64(v->str, &m->expire_at);
		case 'y':
			return parse_i64(v->str, (int64_t *)&m->version);
		}
		return 0;
	}
	if (strcmp(f, "fw") == 0)
		m->warned = strcmp(v->str, "1") == 0;
	else if (strcmp(f, "fb") == 0)
		m->breached = strcmp(v->str, "1") == 0;
	else if (strcmp(f, "fe") == 0 && parse_i64(v->str, &n) == 0)
		m->escalated = (unsigned)n;
	else if (strcmp(f, "ra") == 0)
		return parse_i64(v->str, &m->resolved_at);
	else if (strcmp(f, "rw") == 0)
		m->has_response = parse_i64(v->str, &m->response_ms) == 0;
	else if (strcmp(f, "rb") == 0)
		return parse_i64(v->str, &m->business_ms);
	else if (strcmp(f, "ri") == 0)
		return set_field(&m->reply_id, v);
	else if (strcmp(f, "cr") == 0)
		return set_field(&m->close_reason, v);
	return 0;
}

int
rw_mention_decode(struct rw_mention *m, const char *id, const struct redisReply *fields)
{
	memset(m, 0, sizeof(*m));
	if (fields == NULL || fields->type != REDIS_REPLY_ARRAY || fields->elements % 2 != 0)
		return -1;
	if (fields->elements == 0)
		return 1;
	if ((m->id = strdup(id)) == NULL)
		return -1;
	for (size_t i = 0; i < fields->elements; i += 2) {
		const struct redisReply *f = fields->element[i], *v = fields->element[i + 1];

		if (f->type != REDIS_REPLY_STRING || v->type != REDIS_REPLY_STRING ||
		    decode_field(m, f->str, v) == -1)
			goto fail;
	}
	if (m->author == NULL || m->created_ms == 0)
		goto fail;
	if (m->kind == 0)
		m->kind = RW_KIND_MENTION;
	return 0;
fail:
	rw_mention_clear(m);
	return -1;
}

static char *
dup_or_null(const char *s)
{
	return s ? strdup(s) : NULL;
}

int
rw_mention_from_item(struct rw_mention *m, const struct rw_item *item)
{
	memset(m, 0, sizeof(*m));
	m->id = strdup(item->id);
	m->author = strdup(item->author);
	m->text = dup_or_null(item->text);
	m->url = dup_or_null(item->url);
	m->conversation_id = dup_or_null(item->conversation_id);
	m->kind = item->kind ? item->kind : RW_KIND_MENTION;
	m->has_followers = item->has_followers;
	m->followers = item->author_followers;
	m->has_rating = item->has_rating;
	m->rating = item->rating;
	m->created_ms = item->created_at_ms;
	if (!m->id || !m->author || (item->text && !m->text) || (item->url && !m->url) ||
	    (item->conversation_id && !m->conversation_id)) {
		rw_mention_clear(m);
		return -1;
	}
	return 0;
}

static int
set_i64(json_t *obj, const char *field, int64_t v)
{
	char buf[24];

	snprintf(buf, sizeof(buf), "%" PRId64, v);
	return json_object_set_new(obj, field, json_string(buf));
}

static int
set_str(json_t *obj, const char *field, const char *v)
{
	return v ? json_object_set_new(obj, field, json_string(v)) : 0;
}

json_t *
rw_mention_fields(const struct rw_mention *m)
{
	json_t *o = json_object();
	char code[2] = {rw_state_code(m->state), '\0'};
	char esc[RW_MAX_ESCALATIONS * 21 + 1] = "";
	int rc = 0;

	if (o == NULL)
		return NULL;
	/* Defaults are left out (memory: there may be millions of these);
	 * these fields never change back once set. */
	if (m->kind != RW_KIND_MENTION)
		rc |= set_str(o, "k", rw_kind_name(m->kind));
	rc |= set_str(o, "a", m->author);
	if (m->has_followers)
		rc |= set_i64(o, "f", m->followers);
	rc |= set_str(o, "t", m->text);
	rc |= set_str(o, "u", m->url);
	rc |= set_i64(o, "c", m->created_ms);
	rc |= set_str(o, "v", m->conversation_id);
	if (m->has_rating)
		rc |= set_i64(o, "g", m->rating);
	rc |= set_str(o, "s", code);
	rc |= set_str(o, "p", m->policy ? m->policy : "");
	/* Deadlines are always written ("0" / "" for none): a re-match may take
	 * one away, and the apply script only overwrites, never deletes. */
	rc |= set_i64(o, "W", m->warn_at);
	rc |= set_i64(o, "B", m->breach_at);
	for (size_t i = 0; i < m->nescalate; i++) {
		size_t len = strlen(esc);
		snprintf(esc + len, sizeof(esc) - len, "%s%" PRId64, i ? "," : "",
			 m->escalate_at[i]);
	}
	rc |= set_str(o, "E", esc);
	rc |= set_i64(o, "X", m->expire_at);
	if (m->warned)
		rc |= set_str(o, "fw", "1");
	if (m->breached)
		rc |= set_str(o, "fb", "1");
	if (m->escalated)
		rc |= set_i64(o, "fe", m->escalated);
	if (m->resolved_at)
		rc |= set_i64(o, "ra", m->resolved_at);
	if (m->has_response) {
		rc |= set_i64(o, "rw", m->response_ms);
		rc |= set_i64(o, "rb", m->business_ms);
	}
	rc |= set_str(o, "ri", m->reply_id);
	rc |= set_str(o, "cr", m->close_reason);
	if (rc != 0) {
		json_decref(o);
		return NULL;
	}
	return o;
}

static json_t *
labels_json(const struct rw_source_config *src)
{
	json_t *o = json_object();

	for (size_t i = 0; o != NULL && src != NULL && i < src->labels.n; i++)
		json_object_set_new(o, src->labels.items[i].key,
				    json_string(src->labels.items[i].value));
	return o;
}

json_t *
rw_mention_to_json(const struct rw_mention *m, const struct rw_source_config *src)
{
	char *key;
	json_t *o;

	if (asprintf(&key, "%s:%s", src->name, m->id) < 0)
		return NULL;
	o = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s?, s:s, s:s?}", "key", key, "source", src->name,
		      "platform", rw_source_type_name(src->type), "kind",
		      rw_kind_name(m->kind) ? rw_kind_name(m->kind) : "mention", "id", m->id, "url",
		      m->url, "author", m->author, "text", m->text);
	free(key);
	if (o == NULL)
		return NULL;
	json_object_set_new(o, "author_followers",
			    m->has_followers ? json_integer(m->followers) : json_null());
	json_object_set_new(o, "created_at", rw_time_json(m->created_ms));
	json_object_set_new(o, "conversation_id",
			    m->conversation_id ? json_string(m->conversation_id) : json_null());
	json_object_set_new(o, "rating", m->has_rating ? json_integer(m->rating) : json_null());
	json_object_set_new(o, "state", json_string(rw_state_name(m->state)));
	json_object_set_new(o, "policy", m->policy ? json_string(m->policy) : json_null());
	json_object_set_new(o, "warn_at", rw_time_json(m->warn_at));
	json_object_set_new(o, "breach_at", rw_time_json(m->breach_at));
	json_object_set_new(o, "replied_at",
			    m->state == RW_STATE_REPLIED ? rw_time_json(m->resolved_at)
							 : json_null());
	json_object_set_new(o, "response_seconds",
			    m->has_response ? json_real((double)m->response_ms / 1000.0)
					    : json_null());
	json_object_set_new(o, "business_response_seconds",
			    m->has_response ? json_real((double)m->business_ms / 1000.0)
					    : json_null());
	if (m->state == RW_STATE_CLOSED) {
		json_object_set_new(o, "closed_at", rw_time_json(m->resolved_at));
		json_object_set_new(o, "close_reason",
				    m->close_reason ? json_string(m->close_reason) : json_null());
	}
	json_object_set_new(o, "labels", labels_json(src));
	return o;
}

void
rw_mention_clear(struct rw_mention *m)
{
	if (m == NULL)
		return;
	free(m->id);
	free(m->author);
	free(m->text);
	free(m->url);
	free(m->conversation_id);
	free(m->policy);
	free(m->reply_id);
	free(m->close_reason);
	memset(m, 0, sizeof(*m));
}
