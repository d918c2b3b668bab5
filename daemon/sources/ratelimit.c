/*
 * ratelimit.c: a platform's rate-limit headers (named in its descriptor,
 * platform.h) and Retry-After, read into one shape.
 */
#include <ctype.h>
#include <limits.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>
#include <time.h>

#include "replywatch/mention.h"
#include "replywatch/platform.h"
#include "replywatch/ratelimit.h"

static const char *
skip_white(const char *s)
{
	while (*s == ' ' || *s == '\t')
		s++;
	return s;
}

int
rw_ratelimit_count(const char *s, int64_t max, int64_t *out)
{
	int64_t v = 0;

	if (s == NULL)
		return -1;
	s = skip_white(s);
	if (!isdigit((unsigned char)*s))
		return -1;
	for (; isdigit((unsigned char)*s); s++) {
		if (v > (max - (*s - '0')) / 10)
			return -1;
		v = v * 10 + (*s - '0');
	}
	if (*skip_white(s) != '\0')
		return -1;
	*out = v;
	return 0;
}

/* Unix seconds as ms. */
static int
parse_epoch(const char *s, int64_t *ms)
{
	int64_t secs;

	if (rw_ratelimit_count(s, INT64_MAX / 1000, &secs) == -1)
		return -1;
	*ms = secs * 1000;
	return 0;
}

/* An ISO 8601 time (Mastodon sends microseconds: ms are kept). */
static int
parse_time(const char *s, int64_t *ms)
{
	char buf[64];
	size_t n;

	if (s == NULL)
		return -1;
	s = skip_white(s);
	n = strlen(s);
	while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t'))
		n--;
	if (n == 0 || n >= sizeof(buf))
		return -1;
	memcpy(buf, s, n);
	buf[n] = '\0';
	return rw_time_parse(buf, ms);
}

/* Retry-After: delta seconds, or an HTTP date (IMF-fixdate). */
static int
parse_retry_after(const char *s, int64_t now_ms, int64_t *ms)
{
	struct tm tm = {0};
	int64_t secs;
	const char *end;
	time_t t;

	if (s == NULL)
		return -1;
	if (rw_ratelimit_count(s, (INT64_MAX - (now_ms > 0 ? now_ms : 0)) / 1000, &secs) == 0) {
		*ms = now_ms + secs * 1000;
		return 0;
	}
	end = strptime(skip_white(s), "%a, %d %b %Y %H:%M:%S GMT", &tm);
	if (end == NULL || *skip_white(end) != '\0')
		return -1;
	tm.tm_isdst = 0;
	t = timegm(&tm);
	if (t == (time_t)-1 || t < 0)
		return -1;
	*ms = (int64_t)t * 1000;
	return 0;
}

/* A time a server gave, at most the ceiling ahead of now. */
static int64_t
clamp_wait(int64_t at_ms, int64_t now_ms)
{
	return at_ms - now_ms > RW_RATELIMIT_MAX_WAIT_MS ? now_ms + RW_RATELIMIT_MAX_WAIT_MS
							 : at_ms;
}

/* A platform's three headers. */
static void
read_headers(const struct rw_ratelimit_headers *names, rw_header_lookup_fn *lookup, void *arg,
	     int64_t now_ms, struct rw_ratelimit *out)
{
	const char *reset;
	int64_t v;

	if (names->limit != NULL &&
	    rw_ratelimit_count(lookup(arg, names->limit), LONG_MAX, &v) == 0) {
		out->limit = (long)v;
		out->known = true;
	}
	if (rw_ratelimit_count(lookup(arg, names->remaining), LONG_MAX, &v) == 0) {
		out->remaining = (long)v;
		out->known = true;
	}
	/* Some servers that send a time send Unix seconds instead: take both. */
	reset = lookup(arg, names->reset);
	if (names->reset_is_delta) {
		if (rw_ratelimit_count(reset, (INT64_MAX - (now_ms > 0 ? now_ms : 0)) / 1000, &v) ==
		    0) {
			out->reset_at_ms = now_ms + v * 1000;
			out->known = true;
		}
	} else if ((names->reset_is_time && parse_time(reset, &v) == 0) ||
		   parse_epoch(reset, &v) == 0) {
		out->reset_at_ms = v;
		out->known = true;
	}
}

/* Type p's figures, through names (NULL: none) rather than its descriptor's. */
static void
read_all(const struct rw_platform *p, const struct rw_ratelimit_headers *names,
	 rw_header_lookup_fn *lookup, void *arg, int64_t now_ms, struct rw_ratelimit *out)
{
	int64_t v;

	memset(out, 0, sizeof(*out));
	out->limit = -1;
	out->remaining = -1;
	if (names != NULL)
		read_headers(names, lookup, arg, now_ms, out);
	if (p != NULL && p->ratelimit_read != NULL)
		p->ratelimit_read(lookup, arg, now_ms, out);
	if (out->reset_at_ms != 0)
		out->reset_at_ms = clamp_wait(out->reset_at_ms, now_ms);
	if (parse_retry_after(lookup(arg, "Retry-After"), now_ms, &v) == 0)
		out->retry_at_ms = clamp_wait(v, now_ms);
}

void
rw_ratelimit_read(enum rw_source_type type, rw_header_lookup_fn *lookup, void *arg, int64_t now_ms,
		  struct rw_ratelimit *out)
{
	const struct rw_platform *p = rw_platform_of(type);

	read_all(p, p != NULL ? p->ratelimit_headers : NULL, lookup, arg, now_ms, out);
}

void
rw_ratelimit_read_source(const struct rw_source_config *src, rw_header_lookup_fn *lookup, void *arg,
			 int64_t now_ms, struct rw_ratelimit *out)
{
	const struct rw_platform *p = rw_platform_of(src->type);
	const struct rw_ratelimit_headers *names = NULL;

	if (p != NULL && p->ratelimit_headers_of != NULL)
		names = p->ratelimit_headers_of(src);
	if (names == NULL && p != NULL)
		names = p->ratelimit_headers;
	read_all(p, names, lookup, arg, now_ms, out);
}
