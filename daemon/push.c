/*
 * push.c: parsing and validating pushed items.
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "replywatch/config.h"
#include "replywatch/item.h"
#include "replywatch/mention.h"
#include "replywatch/platform.h"
#include "replywatch/push.h"
#include "replywatch/utf8.h"

/* Longest accepted string field (text included), in bytes. */
#define FIELD_MAX 65536

/* "from_brand": false is allowed on a mention: integrations often always send it. */
static const char *const mention_keys[] = {"id",     "created_at", "author", "author_followers",
					   "text",   "url",        "kind",   "conversation_id",
					   "rating", "from_brand", NULL};
/* A brand reply names the item it answers (in_reply_to) or, answering a
 * whole conversation, the conversation (conversation_id). */
static const char *const reply_keys[] = {"id",   "created_at",      "in_reply_to", "from_brand",
					 "text", "conversation_id", NULL};

static bool
listed(const char *const *keys, const char *key)
{
	for (size_t i = 0; keys[i] != NULL; i++)
		if (strcmp(keys[i], key) == 0)
			return true;
	return false;
}

/* Reads an optional string field; required ones must be present and non-empty. */
static int
read_string(const json_t *obj, const char *path, const char *key, bool required, char **out,
	    char *err, size_t errlen)
{
	const json_t *v = json_object_get(obj, key);

	if (v == NULL || json_is_null(v)) {
		if (!required)
			return 0;
		snprintf(err, errlen, "%s.%s: required", path, key);
		return -1;
	}
	if (!json_is_string(v)) {
		snprintf(err, errlen, "%s.%s: expected a string", path, key);
		return -1;
	}
	if (json_string_length(v) > FIELD_MAX || (required && json_string_length(v) == 0)) {
		snprintf(err, errlen, "%s.%s: %s", path, key,
			 json_string_length(v) ? "longer than 65536 bytes" : "must not be empty");
		return -1;
	}
	*out = strdup(json_string_value(v));
	if (*out == NULL) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	return 0;
}

/* An id that becomes part of a Redis key and of log lines: the rule every
 * connector's ids follow (item.h). */
static int
read_id(const char *path, const char *key, const char *id, char *err, size_t errlen)
{
	if (rw_item_id_valid(id))
		return 0;
	snprintf(err, errlen,
		 "%s.%s: must be 1 to %d printable ASCII characters, without spaces or '|'", path,
		 key, RW_ITEM_ID_MAX);
	return -1;
}

static int
read_integer(const json_t *obj, const char *path, const char *key, json_int_t min, json_int_t max,
	     bool *has, int64_t *out, char *err, size_t errlen)
{
	const json_t *v = json_object_get(obj, key);

	if (v == NULL || json_is_null(v))
		return 0;
	if (!json_is_integer(v) || json_integer_value(v) < min || json_integer_value(v) > max) {
		snprintf(err, errlen, "%s.%s: expected an integer from %lld to %lld", path, key,
			 (long long)min, (long long)max);
		return -1;
	}
	*has = true;
	*out = json_integer_value(v);
	return 0;
}

/* The fields of a brand reply past its id and time. */
static int
parse_reply(const json_t *obj, const char *path, struct rw_item *it, char *err, size_t errlen)
{
	bool conv = json_object_get(obj, "conversation_id") != NULL;
	bool to = json_object_get(obj, "in_reply_to") != NULL;

	if (conv && to) {
		snprintf(err, errlen,
			 "%s: a brand reply has in_reply_to or conversation_id, not both", path);
		return -1;
	}
	if (conv)
		return read_string(obj, path, "conversation_id", true, &it->conversation_id, err,
				   errlen) ||
				       read_id(path, "conversation_id", it->conversation_id, err,
					       errlen) ||
				       read_string(obj, path, "text", false, &it->text, err, errlen)
			       ? -1
			       : 0;
	return read_string(obj, path, "in_reply_to", true, &it->in_reply_to, err, errlen) ||
			       read_id(path, "in_reply_to", it->in_reply_to, err, errlen) ||
			       read_string(obj, path, "text", false, &it->text, err, errlen)
		       ? -1
		       : 0;
}

static int
parse_item(const json_t *obj, const char *path, struct rw_item *it, char *err, size_t errlen)
{
	const json_t *brand = json_object_get(obj, "from_brand");
	const char *key;
	const json_t *v;
	char *created = NULL, *kind = NULL;
	int64_t n = 0;
	bool has = false;

	if (!json_is_object(obj)) {
		snprintf(err, errlen, "%s: expected an object", path);
		return -1;
	}
	if (brand != NULL && !json_is_boolean(brand)) {
		snprintf(err, errlen, "%s.from_brand: expected true or false", path);
		return -1;
	}
	it->from_brand = json_is_true(brand);
	json_object_foreach((json_t *)obj, key, v)
	{
		if (!listed(it->from_brand ? reply_keys : mention_keys, key)) {
			snprintf(err, errlen, "%s.%s: unknown field%s", path, key,
				 it->from_brand ? " for a brand reply" : "");
			return -1;
		}
	}
	if (read_string(obj, path, "id", true, &it->id, err, errlen) ||
	    read_id(path, "id", it->id, err, errlen) ||
	    read_string(obj, path, "created_at", true, &created, err, errlen))
		goto fail;
	if (rw_time_parse(created, &it->created_at_ms) == -1) {
		snprintf(err, errlen,
			 "%s.created_at: not an RFC 3339 time (e.g. 2026-11-23T12:00:00Z)", path);
		goto fail;
	}
	free(created);
	created = NULL;
	if (it->from_brand)
		return parse_reply(obj, path, it, err, errlen);
	if (read_string(obj, path, "author", true, &it->author, err, errlen) ||
	    read_string(obj, path, "text", false, &it->text, err, errlen) ||
	    read_string(obj, path, "url", false, &it->url, err, errlen) ||
	    read_string(obj, path, "conversation_id", false, &it->conversation_id, err, errlen) ||
	    (it->conversation_id != NULL &&
	     read_id(path, "conversation_id", it->conversation_id, err, errlen)) ||
	    read_string(obj, path, "kind", false, &kind, err, errlen) ||
	    read_integer(obj, path, "author_followers", 0, INT64_MAX, &it->has_followers,
			 &it->author_followers, err, errlen) ||
	    read_integer(obj, path, "rating", 1, 5, &has, &n, err, errlen))
		goto fail;
	it->has_rating = has;
	it->rating = (int)n;
	it->kind = RW_KIND_MENTION;
	if (kind != NULL && (it->kind = rw_kind_parse(kind)) == 0) {
		snprintf(err, errlen, "%s.kind: expected mention, comment, review or message",
			 path);
		goto fail;
	}
	free(kind);
	return 0;
fail:
	free(created);
	free(kind);
	return -1;
}

/* Makes the message in err valid UTF-8 text, as POST /ingest answers it in
 * a JSON string (which cannot hold anything else): messages quote the
 * body's keys and text, and the cut to errlen may fall inside a character. */
static void
clean_error(char *err, size_t errlen)
{
	char *copy;

	if (errlen == 0)
		return;
	if ((copy = strdup(err)) == NULL) {
		snprintf(err, errlen, "body: invalid");
		return;
	}
	rw_utf8_clean(err, errlen, copy, strlen(copy));
	free(copy);
}

int
rw_push_parse(const char *body, size_t len, struct rw_item **items, size_t *n, char *err,
	      size_t errlen)
{
	json_error_t jerr;
	json_t *doc = json_loadb(body, len, JSON_REJECT_DUPLICATES, &jerr);
	struct rw_item *out = NULL;
	size_t count;

	*items = NULL;
	*n = 0;
	if (doc == NULL) {
		snprintf(err, errlen, "body: invalid JSON at line %d column %d: %s", jerr.line,
			 jerr.column, jerr.text);
		goto fail;
	}
	count = json_is_array(doc) ? json_array_size(doc) : 1;
	if (count == 0 || count > RW_PUSH_MAX_ITEMS) {
		snprintf(err, errlen, "body: expected 1 to %d items, got %zu", RW_PUSH_MAX_ITEMS,
			 count);
		goto fail;
	}
	out = calloc(count, sizeof(*out));
	if (out == NULL) {
		snprintf(err, errlen, "out of memory");
		goto fail;
	}
	for (size_t i = 0; i < count; i++) {
		char path[32];

		if (json_is_array(doc))
			snprintf(path, sizeof(path), "items[%zu]", i);
		else
			snprintf(path, sizeof(path), "item");
		if (parse_item(json_is_array(doc) ? json_array_get(doc, i) : doc, path, &out[i],
			       err, errlen) == -1) {
			for (size_t j = 0; j <= i; j++)
				rw_item_clear(&out[j]);
			free(out);
			goto fail;
		}
	}
	json_decref(doc);
	*items = out;
	*n = count;
	return 0;
fail:
	json_decref(doc);
	clean_error(err, errlen);
	return -1;
}

void
rw_push_cap_times(struct rw_item *items, size_t n, int64_t received_ms)
{
	for (size_t i = 0; i < n; i++)
		if (items[i].created_at_ms > received_ms)
			items[i].created_at_ms = received_ms;
}

static const struct rw_param_spec push_params[] = {
	{"token", RW_PARAM_SECRET, true},
	{NULL, RW_PARAM_STRING, false},
};

/* Pushed items arrive at POST /ingest/SOURCE (http/ingest.c): nothing to poll. */
const struct rw_platform rw_push_platform = {
	.name = "push",
	.pushed = true,
	.params = push_params,
};
