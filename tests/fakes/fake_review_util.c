/*
 * fake_review_util.c: what the review platforms' listings need beside the
 * store: opaque paging tokens over a listing ordered by a time, Google's and
 * Apple's time formats, path segments, and reading a public key's PEM file.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <replywatch/b64.h>

#include "fake_reviews.h"

/* ---- times ---- */

/* The civil UTC time of ms (whole seconds) as "YYYY-MM-DDTHH:MM:SS". */
static void
fmt_civil(int64_t ms, char *buf, size_t len)
{
	time_t secs = (time_t)(ms >= 0 ? ms / 1000 : (ms - 999) / 1000);
	struct tm tm;

	if (gmtime_r(&secs, &tm) == NULL)
		memset(&tm, 0, sizeof(tm));
	strftime(buf, len, "%Y-%m-%dT%H:%M:%S", &tm);
}

void
fake_fmt_google(int64_t ms, const char *salt, char buf[FAKE_TIME_LEN])
{
	uint64_t h = fake_hash64(salt ? salt : "");
	unsigned frac = (unsigned)(((ms % 1000) + 1000) % 1000);
	char civil[40];

	fmt_civil(ms, civil, sizeof(civil));
	switch (h % 3) {
	case 0: /* ms only, none when whole */
		if (frac == 0)
			snprintf(buf, FAKE_TIME_LEN, "%sZ", civil);
		else
			snprintf(buf, FAKE_TIME_LEN, "%s.%03uZ", civil, frac);
		break;
	case 1: /* microseconds */
		snprintf(buf, FAKE_TIME_LEN, "%s.%03u%03uZ", civil, frac,
			 (unsigned)(h >> 8) % 1000);
		break;
	default: /* nanoseconds */
		snprintf(buf, FAKE_TIME_LEN, "%s.%03u%06uZ", civil, frac,
			 (unsigned)(h >> 8) % 1000000);
		break;
	}
}

void
fake_fmt_apple(int64_t ms, char buf[FAKE_TIME_LEN])
{
	char civil[40];

	fmt_civil(ms - 8 * 3600 * 1000LL, civil, sizeof(civil));
	snprintf(buf, FAKE_TIME_LEN, "%s-08:00", civil);
}

bool
fake_path_segment(const char *path, size_t n, char *out, size_t outlen)
{
	const char *s = path;

	while (*s == '/')
		s++;
	for (; n > 0 && *s != '\0'; n--) {
		s += strcspn(s, "/");
		while (*s == '/')
			s++;
	}
	size_t len = strcspn(s, "/");

	if (len == 0 || len >= outlen)
		return false;
	memcpy(out, s, len);
	out[len] = '\0';
	return true;
}

/* ---- paging ---- */

struct sortable {
	int64_t key;
	const char *id;
	size_t i;
};

/* Descending by key, then by id. */
static int
sortable_cmp(const void *a, const void *b)
{
	const struct sortable *x = a, *y = b;

	if (x->key != y->key)
		return x->key < y->key ? 1 : -1;
	return -strcmp(x->id, y->id);
}

/* The token naming review s: base64url("KEY.ID"). NULL when out of memory. */
static char *
page_token(const struct sortable *s)
{
	char *plain = fake_sprintf("%lld.%s", (long long)s->key, s->id);
	char *tok = plain ? rw_b64url_encode(plain, strlen(plain)) : NULL;

	free(plain);
	return tok;
}

/* Reads a token back into *key and a copy of its id (caller frees). */
static int
page_untoken(const char *tok, int64_t *key, char **id)
{
	unsigned char *plain = NULL;
	size_t len = 0;
	char *dot, *end;
	int rc = -1;

	if (rw_b64url_decode(tok, strlen(tok), &plain, &len) == -1)
		return -1;
	dot = strchr((char *)plain, '.');
	if (dot != NULL && strlen((char *)plain) == len) {
		*dot = '\0';
		*key = strtoll((char *)plain, &end, 10);
		if (end != (char *)plain && *end == '\0' && dot[1] != '\0' &&
		    (*id = strdup(dot + 1)) != NULL)
			rc = 0;
	}
	free(plain);
	return rc;
}

int
fake_reviews_page(const struct fake_reviews *rv, fake_review_key_fn *key, fake_review_keep_fn *keep,
		  const void *ctx, const char *token, long limit, bool asc,
		  struct fake_review_page *page)
{
	struct sortable *all = calloc(rv && rv->n ? rv->n : 1, sizeof(*all));
	struct sortable after = {0};
	char *after_id = NULL;
	size_t n = 0, start = 0;
	int rc = -2;

	memset(page, 0, sizeof(*page));
	if (token != NULL && *token != '\0' && page_untoken(token, &after.key, &after_id) == -1)
		rc = -1;
	if (all == NULL || rc == -1)
		goto done;
	after.id = after_id;
	for (size_t i = 0; rv != NULL && i < rv->n; i++) {
		const struct fake_review *r = &rv->v[i];

		if (r->deleted || (keep != NULL && !keep(r, ctx)))
			continue;
		all[n++] = (struct sortable){key(r), r->id, i};
	}
	qsort(all, n, sizeof(*all), sortable_cmp);
	if (asc) /* reverse: oldest first */
		for (size_t i = 0; i < n / 2; i++) {
			struct sortable t = all[i];

			all[i] = all[n - 1 - i];
			all[n - 1 - i] = t;
		}
	/* Start after the named review's place, so a page holds what follows
	 * it even when reviews were added, edited or deleted meanwhile. */
	if (after_id != NULL)
		while (start < n && (asc ? sortable_cmp(&all[start], &after) >= 0
					 : sortable_cmp(&all[start], &after) <= 0))
			start++;
	page->total = n;
	page->idx = calloc(limit > 0 ? (size_t)limit : 1, sizeof(*page->idx));
	if (page->idx == NULL)
		goto done;
	for (size_t i = start; i < n && page->n < (size_t)limit; i++)
		page->idx[page->n++] = all[i].i;
	if (start + page->n < n && page->n > 0 &&
	    (page->next = page_token(&all[start + page->n - 1])) == NULL) {
		free(page->idx);
		page->idx = NULL;
		goto done;
	}
	rc = 0;
done:
	free(after_id);
	free(all);
	return rc;
}

char *
fake_read_pem(const char *path)
{
	enum { MAX_PEM = 64 * 1024 };
	FILE *f = path && *path ? fopen(path, "re") : NULL;
	char *buf = f ? malloc(MAX_PEM + 1) : NULL;
	size_t n = 0;

	if (buf != NULL) {
		n = fread(buf, 1, MAX_PEM + 1, f);
		if (n == 0 || n > MAX_PEM || ferror(f)) {
			free(buf);
			buf = NULL;
		} else {
			buf[n] = '\0';
		}
	}
	if (f != NULL)
		fclose(f);
	return buf;
}
