/*
 * json_map_value.c: reading one configured value out of an item of a
 * `json` source's answer (json_map_internal.h), the url_template expansion
 * and the same-origin rule of next URLs (sources/json_map.h).
 */
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "json_map_internal.h"
#include "replywatch/clock.h"

static const char *
kind_of(const json_t *v)
{
	switch (json_typeof(v)) {
	case JSON_OBJECT:
		return "an object";
	case JSON_ARRAY:
		return "an array";
	case JSON_STRING:
		return "a string";
	case JSON_INTEGER:
		return "an integer";
	case JSON_REAL:
		return "a number with a fraction";
	case JSON_TRUE:
	case JSON_FALSE:
		return "a boolean";
	default:
		return "null";
	}
}

enum rw_jm
rw_jm_get(const struct rw_jsonptr *ptr, const json_t *item, const json_t **v, char *why)
{
	*v = rw_jsonptr_get(ptr, item, why, RW_JM_WHY);
	if (*v == NULL)
		return RW_JM_ABSENT;
	if (json_is_null(*v)) {
		snprintf(why, RW_JM_WHY, "null");
		return RW_JM_ABSENT;
	}
	return RW_JM_OK;
}

/* A string value that holds no NUL byte (a C string would cut it). */
static bool
plain_string(const json_t *v)
{
	return json_is_string(v) && strlen(json_string_value(v)) == json_string_length(v);
}

enum rw_jm
rw_jm_id(const json_t *v, char *buf, char *why)
{
	if (json_is_integer(v)) {
		snprintf(buf, RW_ITEM_ID_MAX + 1, "%" JSON_INTEGER_FORMAT, json_integer_value(v));
		return RW_JM_OK;
	}
	if (!json_is_string(v)) {
		snprintf(why, RW_JM_WHY, "%s, not a string or an integer", kind_of(v));
		return RW_JM_BAD;
	}
	if (json_string_length(v) == 0) {
		snprintf(why, RW_JM_WHY, "an empty string");
		return RW_JM_ABSENT;
	}
	if (!plain_string(v) || !rw_item_id_valid(json_string_value(v))) {
		snprintf(why, RW_JM_WHY,
			 json_string_length(v) > RW_ITEM_ID_MAX
				 ? "longer than %d bytes"
				 : "not an id (printable ASCII without spaces or \"|\")",
			 RW_ITEM_ID_MAX);
		return RW_JM_BAD;
	}
	memcpy(buf, json_string_value(v), json_string_length(v) + 1);
	return RW_JM_OK;
}

enum rw_jm
rw_jm_string(const json_t *v, const char **out, char *why)
{
	if (!json_is_string(v)) {
		snprintf(why, RW_JM_WHY, "%s, not a string", kind_of(v));
		return RW_JM_BAD;
	}
	if (json_string_length(v) == 0) {
		snprintf(why, RW_JM_WHY, "an empty string");
		return RW_JM_ABSENT;
	}
	*out = json_string_value(v);
	return RW_JM_OK;
}

/* A string of 1 to 18 decimal digits as a number (no sign, no space). */
static bool
digits_value(const char *s, int64_t *out)
{
	size_t n = strspn(s, "0123456789");

	if (n == 0 || n > 18 || s[n] != '\0')
		return false;
	*out = (int64_t)strtoll(s, NULL, 10);
	return true;
}

enum rw_jm
rw_jm_int(const json_t *v, int64_t min, int64_t max, int64_t *out, char *why)
{
	int64_t n;

	if (json_is_integer(v))
		n = json_integer_value(v);
	else if (json_is_real(v) && json_real_value(v) == floor(json_real_value(v)) &&
		 fabs(json_real_value(v)) < 1e15)
		n = (int64_t)json_real_value(v); /* 4.0: some APIs write every number so */
	else if (!json_is_string(v) || !plain_string(v) ||
		 !digits_value(json_string_value(v), &n)) {
		snprintf(why, RW_JM_WHY, "%s, not an integer", kind_of(v));
		return RW_JM_BAD;
	}
	if (n < min || n > max) {
		snprintf(why, RW_JM_WHY, "%" PRId64 " is out of range (%" PRId64 " to %" PRId64 ")",
			 n, min, max);
		return RW_JM_BAD;
	}
	*out = n;
	return RW_JM_OK;
}

enum rw_jm
rw_jm_time(const json_t *v, enum rw_json_time fmt, int64_t *ms, char *why)
{
	int64_t n, scale = fmt == RW_JSON_TIME_EPOCH_S ? 1000 : 1;
	const char *s;

	if (fmt == RW_JSON_TIME_RFC3339) {
		if (rw_jm_string(v, &s, why) != RW_JM_OK || !plain_string(v))
			return RW_JM_BAD;
		if (rw_time_parse(s, &n) == -1 || n <= 0) {
			snprintf(why, RW_JM_WHY, "not an RFC 3339 time after 1970");
			return RW_JM_BAD;
		}
		*ms = n;
		return RW_JM_OK;
	}
	if (fmt == RW_JSON_TIME_EPOCH_S && json_is_real(v) && json_real_value(v) * 1000 >= 0.5 &&
	    json_real_value(v) * 1000 <= (double)RW_TIME_MAX_MS) {
		*ms = (int64_t)llround(json_real_value(v) * 1000); /* 1700000000.25 */
		return RW_JM_OK;
	}
	if (rw_jm_int(v, 1, RW_TIME_MAX_MS / scale, &n, why) != RW_JM_OK) {
		snprintf(why, RW_JM_WHY, "not a time in Unix %s after 1970",
			 scale == 1000 ? "seconds" : "milliseconds");
		return RW_JM_BAD;
	}
	*ms = n * scale;
	return RW_JM_OK;
}

/* Appends len bytes of s to the growing string *buf (used of cap). */
static int
append(char **buf, size_t *used, size_t *cap, const char *s, size_t len)
{
	if (*used + len + 1 > *cap) {
		size_t want = (*used + len + 1) * 2;
		char *grown = realloc(*buf, want);

		if (grown == NULL)
			return -1;
		*buf = grown;
		*cap = want;
	}
	memcpy(*buf + *used, s, len);
	*used += len;
	(*buf)[*used] = '\0';
	return 0;
}

/* Appends s percent-escaped: all but RFC 3986's unreserved bytes. */
static int
append_escaped(char **buf, size_t *used, size_t *cap, const char *s)
{
	static const char hex[] = "0123456789ABCDEF";

	for (const unsigned char *c = (const unsigned char *)s; *c != '\0'; c++) {
		char esc[3] = {'%', hex[*c >> 4], hex[*c & 15]};
		bool plain = (*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') ||
			     (*c >= '0' && *c <= '9') || strchr("-._~", *c) != NULL;

		if (append(buf, used, cap, plain ? (const char *)c : esc, plain ? 1 : 3) == -1)
			return -1;
	}
	return 0;
}

/* The {/pointer} at tmpl (just after "{", n bytes) evaluated on item into
 * text (RW_ITEM_ID_MAX + 1 bytes). */
static enum rw_jm
placeholder(const char *tmpl, size_t n, const json_t *item, char *text, char *err, size_t errlen)
{
	char ptext[RW_JSONPTR_MAX + 1], why[RW_JM_WHY];
	struct rw_jsonptr ptr;
	const json_t *v;
	enum rw_jm r;

	if (n > RW_JSONPTR_MAX || n == 0) {
		snprintf(err, errlen, "a placeholder is %s", n == 0 ? "empty" : "too long");
		return RW_JM_BAD;
	}
	snprintf(ptext, sizeof(ptext), "%.*s", (int)n, tmpl);
	if (rw_jsonptr_compile(&ptr, ptext, why, sizeof(why)) == -1) {
		snprintf(err, errlen, "{%.60s}: %s", ptext, why);
		return RW_JM_BAD;
	}
	r = rw_jm_get(&ptr, item, &v, why);
	rw_jsonptr_clear(&ptr);
	if (r != RW_JM_OK)
		return r;
	if (json_is_integer(v)) {
		snprintf(text, RW_ITEM_ID_MAX + 1, "%" JSON_INTEGER_FORMAT, json_integer_value(v));
		return RW_JM_OK;
	}
	if (!plain_string(v) || json_string_length(v) > RW_ITEM_ID_MAX) {
		snprintf(err, errlen, "{%.60s}: %s", ptext,
			 json_is_string(v) ? "a string too long for a URL part"
					   : "neither a string nor an integer");
		return RW_JM_BAD;
	}
	memcpy(text, json_string_value(v), json_string_length(v) + 1);
	return text[0] != '\0' ? RW_JM_OK : RW_JM_ABSENT;
}

int
rw_json_expand_template(const char *tmpl, const json_t *item, char **out, char *err, size_t errlen)
{
	char text[RW_ITEM_ID_MAX + 1];
	size_t used = 0, cap = 0;
	char *buf = NULL;

	*out = NULL;
	if (append(&buf, &used, &cap, "", 0) == -1)
		goto nomem;
	for (const char *c = tmpl; *c != '\0';) {
		size_t lit = strcspn(c, "{"), n;

		if (append(&buf, &used, &cap, c, lit) == -1)
			goto nomem;
		if (c[lit] == '\0')
			break;
		c += lit + 1;
		if (c[n = strcspn(c, "}")] != '}') {
			snprintf(err, errlen, "\"{\" without \"}\"");
			goto fail;
		}
		switch (placeholder(c, n, item, text, err, errlen)) {
		case RW_JM_OK:
			break;
		case RW_JM_ABSENT:
			free(buf);
			return 0;
		case RW_JM_BAD:
			goto fail;
		}
		if (append_escaped(&buf, &used, &cap, text) == -1)
			goto nomem;
		c += n + 1;
	}
	*out = buf;
	return 0;
nomem:
	snprintf(err, errlen, "out of memory");
fail:
	free(buf);
	return -1;
}

/* The length of "scheme://host[:port]" at the start of an http(s) url, or
 * 0 when it is none. */
static size_t
origin_len(const char *url)
{
	size_t scheme, host;

	if (strncasecmp(url, "http://", 7) == 0)
		scheme = 7;
	else if (strncasecmp(url, "https://", 8) == 0)
		scheme = 8;
	else
		return 0;
	host = strcspn(url + scheme, "/?#");
	return host > 0 ? scheme + host : 0;
}

bool
rw_json_same_origin(const char *url, const char *base_url)
{
	size_t n;

	if (url == NULL || base_url == NULL || (n = origin_len(url)) == 0 ||
	    n != origin_len(base_url))
		return false;
	/* "@" would put userinfo before the host: a base_url's host must not
	 * be the user name of another host. */
	if (memchr(url, '@', n) != NULL || memchr(base_url, '@', n) != NULL)
		return false;
	return strncasecmp(url, base_url, n) == 0;
}
