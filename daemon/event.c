/*
 * event.c: building EVENT objects, and the ids of events, requests and
 * incidents (hashes of what identifies them, with OpenSSL's SHA-256).
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "replywatch/clock.h"
#include "replywatch/calendar.h"
#include "replywatch/config.h"
#include "replywatch/event.h"
#include "replywatch/mention.h"

static json_t *
mention_part(const struct rw_mention *m, const struct rw_source_config *src)
{
	json_t *full = rw_mention_to_json(m, src), *part;
	static const char *const keep[] = {"key",    "source", "platform",   "kind",   "id", "url",
					   "author", "text",   "created_at", "labels", NULL};

	if (full == NULL)
		return NULL;
	part = json_object();
	for (size_t i = 0; part != NULL && keep[i] != NULL; i++) {
		json_t *v = json_object_get(full, keep[i]);

		json_object_set(part, keep[i], v ? v : json_null());
	}
	json_decref(full);
	return part;
}

json_t *
rw_event_for_mention(unsigned type, unsigned level, int64_t due, int64_t at,
		     const struct rw_mention *m, const struct rw_source_config *src,
		     const struct rw_policy_config *policy, struct rw_calendar *cal)
{
	json_t *e = json_object(), *mention = mention_part(m, src);
	int64_t business =
		cal ? rw_calendar_business_ms(cal, m->created_ms, at) : at - m->created_ms;

	if (e == NULL || mention == NULL) {
		json_decref(e);
		json_decref(mention);
		return NULL;
	}
	json_object_set_new(e, "type", json_string(rw_event_type_name(type)));
	json_object_set_new(e, "at", rw_time_json(at));
	if (due)
		json_object_set_new(e, "due", rw_time_json(due));
	json_object_set_new(e, "mention", mention);
	if (policy != NULL)
		json_object_set_new(e, "policy",
				    json_pack("{s:s, s:I, s:I}", "name", policy->name,
					      "warn_after_seconds", (json_int_t)policy->warn_after,
					      "breach_after_seconds",
					      (json_int_t)policy->breach_after));
	else
		json_object_set_new(e, "policy", json_null());
	json_object_set_new(e, "age_seconds", json_real((double)(at - m->created_ms) / 1000.0));
	json_object_set_new(e, "business_age_seconds", json_real((double)business / 1000.0));
	json_object_set_new(e, "response_seconds",
			    m->has_response ? json_real((double)m->response_ms / 1000.0)
					    : json_null());
	if (level)
		json_object_set_new(e, "level", json_integer(level));
	return e;
}

char *
rw_event_dump(json_t *event)
{
	return json_dumps(event, JSON_COMPACT);
}

/* --- ids ------------------------------------------------------------------ */

#define ID_HEX 32 /* hex digits kept: 128 bits */
#define PREFIX_MAX 8

/* Hashes one field as its length (8 bytes, big-endian) and its bytes. */
static int
hash_field(EVP_MD_CTX *ctx, const char *s)
{
	size_t n = strlen(s);
	unsigned char len[8];

	for (int i = 0; i < 8; i++)
		len[i] = (unsigned char)((uint64_t)n >> (56 - 8 * i));
	return EVP_DigestUpdate(ctx, len, sizeof(len)) && EVP_DigestUpdate(ctx, s, n) ? 0 : -1;
}

int
rw_event_hash_id(const char *prefix, const char *const *fields, size_t nfields, char *out,
		 size_t outlen)
{
	static const char hex[] = "0123456789abcdef";
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0;
	size_t plen = prefix ? strlen(prefix) : 0;
	EVP_MD_CTX *ctx;
	int rc = -1;

	if (out != NULL && outlen > 0)
		out[0] = '\0';
	if (out == NULL || prefix == NULL || plen > PREFIX_MAX || outlen < plen + ID_HEX + 1)
		return -1;
	if ((ctx = EVP_MD_CTX_new()) == NULL)
		return -1;
	/* The prefix is hashed too: an event id and a request id never share
	 * their hex digits. */
	if (!EVP_DigestInit_ex(ctx, EVP_sha256(), NULL) || hash_field(ctx, prefix) == -1)
		goto done;
	for (size_t i = 0; i < nfields; i++)
		if (fields[i] == NULL || hash_field(ctx, fields[i]) == -1)
			goto done;
	if (!EVP_DigestFinal_ex(ctx, md, &mdlen) || mdlen * 2 < ID_HEX)
		goto done;
	memcpy(out, prefix, plen);
	for (size_t i = 0; i < ID_HEX / 2; i++) {
		out[plen + 2 * i] = hex[md[i] >> 4];
		out[plen + 2 * i + 1] = hex[md[i] & 15];
	}
	out[plen + ID_HEX] = '\0';
	rc = 0;
done:
	EVP_MD_CTX_free(ctx);
	return rc;
}

/* An RFC 3339 time of event as Unix ms in decimal into buf; "" when absent
 * (or not a time, which then identifies as its absence). */
static const char *
instant(const json_t *event, const char *name, char *buf, size_t len)
{
	const char *text = json_string_value(json_object_get(event, name));
	int64_t ms = 0;

	buf[0] = '\0';
	if (text != NULL && rw_time_parse(text, &ms) == 0)
		snprintf(buf, len, "%" PRId64, ms);
	return buf;
}

int
rw_event_id(const json_t *event, char *out, size_t outlen)
{
	const char *type = json_string_value(json_object_get(event, "type"));
	const json_t *mention = json_object_get(event, "mention");
	char due[32], at[32], level[32];

	if (out != NULL && outlen > 0)
		out[0] = '\0';
	if (type == NULL)
		return -1;
	if (mention != NULL) {
		const char *fields[7] = {
			"mention",
			json_string_value(json_object_get(mention, "source")),
			json_string_value(json_object_get(mention, "id")),
			type,
			instant(event, "due", due, sizeof(due)),
			level,
		};
		size_t n = 6;

		snprintf(level, sizeof(level), "%" JSON_INTEGER_FORMAT,
			 json_integer_value(json_object_get(event, "level")));
		if (json_is_true(json_object_get(event, "repeat")))
			fields[n++] = instant(event, "at", at, sizeof(at));
		return rw_event_hash_id("evt_", fields, n, out, outlen);
	}
	const char *fields[] = {
		"source",
		json_string_value(json_object_get(json_object_get(event, "source"), "name")),
		type,
		instant(event, "at", at, sizeof(at)),
	};

	return rw_event_hash_id("evt_", fields, 4, out, outlen);
}

int
rw_event_log_id(const json_t *event, const char *source, const char *stream_id, char *out,
		size_t outlen)
{
	const char *fields[] = {"entry", source, stream_id};

	if (rw_event_id(event, out, outlen) == 0)
		return 0;
	return rw_event_hash_id("evt_", fields, 3, out, outlen);
}

int
rw_event_mention_ref(const char *key, char *out, size_t outlen)
{
	const char *fields[] = {key};

	return rw_event_hash_id("mention_", fields, 1, out, outlen);
}

int
rw_event_request_id(const char *const *ids, size_t n, char *out, size_t outlen)
{
	return rw_event_hash_id("msg_", ids, n, out, outlen);
}
