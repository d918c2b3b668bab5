/*
 * fake_util.c: time formats, id helpers, encodings, a growing string and a
 * deterministic random generator for rwfake.
 */
#include <ctype.h>
#include <math.h>
#include <openssl/evp.h>
#include <openssl/sha.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "fake.h"

int64_t
fake_now_ms(void)
{
	struct timespec ts;

	if (clock_gettime(CLOCK_REALTIME, &ts) == -1)
		return 0;
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Splits ms into a UTC calendar time and the ms within the second. */
static void
split_ms(int64_t ms, struct tm *tm, int *frac)
{
	time_t secs = (time_t)(ms / 1000);
	int rest = (int)(ms % 1000);

	if (rest < 0) {
		rest += 1000;
		secs--;
	}
	*frac = rest;
	if (gmtime_r(&secs, tm) == NULL)
		memset(tm, 0, sizeof(*tm));
}

/* Writes ms as UTC "YYYY-MM-DD", then, unless frac_tail is NULL,
 * "THH:MM:SS.mmm", frac_tail and "Z". */
static void
fmt_utc(int64_t ms, const char *frac_tail, char buf[FAKE_TIME_LEN])
{
	struct tm tm;
	int frac, n;

	split_ms(ms, &tm, &frac);
	n = snprintf(buf, FAKE_TIME_LEN, "%04d-%02d-%02d", tm.tm_year + 1900, tm.tm_mon + 1,
		     tm.tm_mday);
	if (frac_tail != NULL && n > 0 && n < FAKE_TIME_LEN)
		snprintf(buf + n, FAKE_TIME_LEN - (size_t)n, "T%02d:%02d:%02d.%03d%sZ", tm.tm_hour,
			 tm.tm_min, tm.tm_sec, frac, frac_tail);
}

void
fake_fmt_ms(int64_t ms, char buf[FAKE_TIME_LEN])
{
	fmt_utc(ms, "", buf);
}

void
fake_fmt_us(int64_t ms, char buf[FAKE_TIME_LEN])
{
	fmt_utc(ms, "000", buf);
}

void
fake_fmt_date(int64_t ms, char buf[FAKE_TIME_LEN])
{
	fmt_utc(ms, NULL, buf);
}

/* Reads exactly n digits at *s into *out and advances. */
static int
digits(const char **s, int n, int *out)
{
	int v = 0;

	for (int i = 0; i < n; i++) {
		if (!isdigit((unsigned char)(*s)[i]))
			return -1;
		v = v * 10 + ((*s)[i] - '0');
	}
	*s += n;
	*out = v;
	return 0;
}

int
fake_parse_time(const char *s, int64_t *ms)
{
	struct tm tm = {0};
	int y, mo, d, h, mi, sec, frac = 0, off = 0;
	time_t t;

	if (s == NULL || digits(&s, 4, &y) || *s++ != '-' || digits(&s, 2, &mo) || *s++ != '-' ||
	    digits(&s, 2, &d) || (*s != 'T' && *s != 't' && *s != ' '))
		return -1;
	s++;
	if (digits(&s, 2, &h) || *s++ != ':' || digits(&s, 2, &mi) || *s++ != ':' ||
	    digits(&s, 2, &sec))
		return -1;
	if (*s == '.') {
		int scale = 100, n = 0;

		s++;
		while (isdigit((unsigned char)*s)) {
			frac += (*s - '0') * scale;
			scale /= 10;
			s++;
			n++;
		}
		if (n == 0)
			return -1;
	}
	if (*s == 'Z' || *s == 'z') {
		s++;
	} else if (*s == '+' || *s == '-') {
		int sign = *s == '-' ? -1 : 1, oh, om;

		s++;
		if (digits(&s, 2, &oh) || *s++ != ':' || digits(&s, 2, &om) || oh > 23 || om > 59)
			return -1;
		off = sign * (oh * 60 + om);
	} else {
		return -1;
	}
	if (*s != '\0' || mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || sec > 60)
		return -1;
	tm.tm_year = y - 1900;
	tm.tm_mon = mo - 1;
	tm.tm_mday = d;
	tm.tm_hour = h;
	tm.tm_min = mi;
	tm.tm_sec = sec;
	t = timegm(&tm);
	if (t == (time_t)-1 && !(y == 1969 && mo == 12 && d == 31))
		return -1;
	*ms = ((int64_t)t - (int64_t)off * 60) * 1000 + frac;
	return 0;
}

int
fake_id_cmp(const char *a, const char *b)
{
	size_t la, lb;
	int c;

	while (*a == '0' && a[1] != '\0')
		a++;
	while (*b == '0' && b[1] != '\0')
		b++;
	la = strlen(a);
	lb = strlen(b);
	if (la != lb)
		return la < lb ? -1 : 1;
	c = strcmp(a, b);
	return c < 0 ? -1 : c > 0;
}

bool
fake_is_digits(const char *s, size_t maxlen)
{
	size_t n = 0;

	if (s == NULL || *s == '\0')
		return false;
	for (; s[n] != '\0'; n++) {
		if (!isdigit((unsigned char)s[n]) || n >= maxlen)
			return false;
	}
	return true;
}

uint64_t
fake_hash64(const char *s)
{
	uint64_t h = 1469598103934665603ULL;

	for (; *s != '\0'; s++) {
		h ^= (unsigned char)*s;
		h *= 1099511628211ULL;
	}
	return h;
}

void
fake_tid(uint64_t us, unsigned clock_id, char out[14])
{
	static const char alphabet[] = "234567abcdefghijklmnopqrstuvwxyz";
	uint64_t v = ((us & ((1ULL << 53) - 1)) << 10) | (clock_id & 1023);

	for (int i = 0; i < 13; i++)
		out[i] = alphabet[(v >> (60 - 5 * i)) & 31];
	out[13] = '\0';
}

/* RFC 4648 base32, lowercase, no padding, of len bytes into out. */
static void
base32(const unsigned char *in, size_t len, char *out, size_t outlen)
{
	static const char alphabet[] = "abcdefghijklmnopqrstuvwxyz234567";
	uint32_t acc = 0;
	int bits = 0;
	size_t o = 0;

	for (size_t i = 0; i < len && o + 1 < outlen; i++) {
		acc = (acc << 8) | in[i];
		bits += 8;
		while (bits >= 5 && o + 1 < outlen) {
			out[o++] = alphabet[(acc >> (bits - 5)) & 31];
			bits -= 5;
		}
	}
	if (bits > 0 && o + 1 < outlen)
		out[o++] = alphabet[(acc << (5 - bits)) & 31];
	out[o] = '\0';
}

void
fake_cid(const char *seed, char out[64])
{
	unsigned char raw[4 + SHA256_DIGEST_LENGTH] = {0x01, 0x71, 0x12, 0x20};

	SHA256((const unsigned char *)seed, strlen(seed), raw + 4);
	out[0] = 'b';
	base32(raw, sizeof(raw), out + 1, 63);
}

void
fake_plc_id(const char *seed, char out[25])
{
	unsigned char digest[SHA256_DIGEST_LENGTH];
	char all[64];

	SHA256((const unsigned char *)seed, strlen(seed), digest);
	base32(digest, sizeof(digest), all, sizeof(all));
	memcpy(out, all, 24);
	out[24] = '\0';
}

char *
fake_b64url(const void *data, size_t len)
{
	size_t cap = 4 * ((len + 2) / 3) + 1;
	char *out = malloc(cap);
	int n;

	if (out == NULL || len > 0x3fffffff)
		goto fail;
	n = EVP_EncodeBlock((unsigned char *)out, data, (int)len);
	if (n < 0)
		goto fail;
	while (n > 0 && out[n - 1] == '=')
		n--;
	out[n] = '\0';
	for (int i = 0; i < n; i++) {
		if (out[i] == '+')
			out[i] = '-';
		else if (out[i] == '/')
			out[i] = '_';
	}
	return out;
fail:
	free(out);
	return NULL;
}

char *
fake_hex_encode(const char *s)
{
	static const char hex[] = "0123456789abcdef";
	size_t n = strlen(s);
	char *out = malloc(2 * n + 1);

	if (out == NULL)
		return NULL;
	for (size_t i = 0; i < n; i++) {
		out[2 * i] = hex[(unsigned char)s[i] >> 4];
		out[2 * i + 1] = hex[(unsigned char)s[i] & 15];
	}
	out[2 * n] = '\0';
	return out;
}

int
fake_hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

char *
fake_hex_decode(const char *hex)
{
	size_t n = strlen(hex);
	char *out;

	if (n % 2 != 0)
		return NULL;
	out = malloc(n / 2 + 1);
	if (out == NULL)
		return NULL;
	for (size_t i = 0; i < n / 2; i++) {
		int hi = fake_hexval(hex[2 * i]), lo = fake_hexval(hex[2 * i + 1]);

		if (hi < 0 || lo < 0 || (hi == 0 && lo == 0)) {
			free(out);
			return NULL;
		}
		out[i] = (char)(hi << 4 | lo);
	}
	out[n / 2] = '\0';
	return out;
}

char *
fake_sprintf(const char *fmt, ...)
{
	va_list ap;
	char *s;
	int n;

	va_start(ap, fmt);
	n = vasprintf(&s, fmt, ap);
	va_end(ap);
	return n < 0 ? NULL : s;
}

bool
fake_has_prefix_ci(const char *s, const char *prefix)
{
	return strncasecmp(s, prefix, strlen(prefix)) == 0;
}

void
fake_buf_add(struct fake_buf *b, const char *s, size_t n)
{
	if (b->oom)
		return;
	if (b->len + n + 1 > b->cap) {
		size_t cap = b->cap ? b->cap : 64;
		char *p;

		while (cap < b->len + n + 1)
			cap *= 2;
		p = realloc(b->s, cap);
		if (p == NULL) {
			b->oom = true;
			return;
		}
		b->s = p;
		b->cap = cap;
	}
	memcpy(b->s + b->len, s, n);
	b->len += n;
	b->s[b->len] = '\0';
}

void
fake_buf_adds(struct fake_buf *b, const char *s)
{
	fake_buf_add(b, s, strlen(s));
}

void
fake_buf_addf(struct fake_buf *b, const char *fmt, ...)
{
	va_list ap;
	char *s;
	int n;

	va_start(ap, fmt);
	n = vasprintf(&s, fmt, ap);
	va_end(ap);
	if (n < 0) {
		b->oom = true;
		return;
	}
	fake_buf_add(b, s, (size_t)n);
	free(s);
}

void
fake_buf_add_html(struct fake_buf *b, const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		switch (s[i]) {
		case '&':
			fake_buf_adds(b, "&amp;");
			break;
		case '<':
			fake_buf_adds(b, "&lt;");
			break;
		case '>':
			fake_buf_adds(b, "&gt;");
			break;
		case '"':
			fake_buf_adds(b, "&quot;");
			break;
		case '\'':
			fake_buf_adds(b, "&#39;");
			break;
		case '\n':
			fake_buf_adds(b, "<br />");
			break;
		default:
			fake_buf_add(b, s + i, 1);
		}
	}
}

char *
fake_buf_take(struct fake_buf *b)
{
	char *s = b->s;

	if (b->oom) {
		fake_buf_free(b);
		return NULL;
	}
	if (s == NULL)
		s = strdup("");
	memset(b, 0, sizeof(*b));
	return s;
}

void
fake_buf_free(struct fake_buf *b)
{
	free(b->s);
	memset(b, 0, sizeof(*b));
}

uint64_t
fake_rng_next(struct fake_rng *r)
{
	uint64_t z = (r->s += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

double
fake_rng_unit(struct fake_rng *r)
{
	return (double)(fake_rng_next(r) >> 11) / 9007199254740992.0;
}

uint64_t
fake_rng_below(struct fake_rng *r, uint64_t n)
{
	return n == 0 ? 0 : fake_rng_next(r) % n;
}

double
fake_rng_exp(struct fake_rng *r, double mean)
{
	return -mean * log(1.0 - fake_rng_unit(r));
}

double
fake_rng_normal(struct fake_rng *r)
{
	double u1 = 1.0 - fake_rng_unit(r), u2 = fake_rng_unit(r);

	return sqrt(-2.0 * log(u1)) * cos(2.0 * M_PI * u2);
}
