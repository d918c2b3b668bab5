/*
 * textfold.c: folds UTF-8 text for case- and accent-insensitive keyword
 * matching with ICU. Latin letters lose their accents and become ASCII
 * (ICU's Latin-ASCII transform: "Zażółć" -> "Zazolc", "ß" -> "ss",
 * "œ" -> "oe", "ＡＢＣ" -> "ABC"), then the whole text is case folded. Other
 * scripts keep their letters and are only case folded; emoji are left alone.
 *
 * ICU's rule-based transliterators are slow (about 0.3 µs per character), so
 * only the non-ASCII stretches of a text go through ICU: the transform leaves
 * ASCII alone and folding lowercases it. Folding stretch by stretch gives the
 * same result as folding the whole text: the rules that look at a neighbour
 * are NFC and the mark rules, which need a mark's base (an ASCII base is kept
 * with its mark), and final-sigma lowercasing, whose choice case folding
 * undoes. Short stretches ("ą", "ół") recur endlessly, and a small cache
 * remembers what they fold to.
 *
 * The transliterator and the cache are process-wide and unlocked: like the
 * rest of replywatchd, folding runs on one thread.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unicode/uchar.h>
#include <unicode/unorm2.h>
#include <unicode/uset.h>
#include <unicode/ustring.h>
#include <unicode/utf16.h>
#include <unicode/utrans.h>

#include "replywatch/policy.h"

/*
 * Emoji and the parts of emoji sequences (ZWJ, variation selectors, keycaps,
 * skin tones, tags). Latin-ASCII would turn "©", "ℹ️" and "‼️" into ASCII and
 * drop the variation selector of "1️⃣", and case folding would turn "Ⓜ️" into
 * "ⓜ", so both steps skip them. Digits, "#" and "*" are in the set too, which
 * changes nothing: neither step alters them.
 */
#define FOLD_KEEP "[:Emoji:][:Emoji_Component:]"
#define FOLD_KEEP_SET "[" FOLD_KEEP "]"

/*
 * Characters the transform below only lowercases: letters of scripts other
 * than Latin, that are not marks and that Latin-ASCII does not touch (its
 * filter takes Latin, Common and Inherited, and the ideograph zero U+3007).
 * A stretch made of them alone skips the transliterator and is only case
 * folded, which lowercasing first would not change: Cyrillic, Greek, Hangul
 * and the like fold several times faster.
 */
#define FOLD_PLAIN_SET "[^[:Latin:][:Common:][:Inherited:][:M:]\\u3007]"

/*
 * The transform, as ICU rules. NFC first, so that a letter written with
 * separate combining marks is handled like its precomposed form: "e" + U+0301
 * loses its accent like "é", and Cyrillic "и" + U+0306 becomes "й" and keeps
 * its mark, as the precomposed letter does (Latin-ASCII only strips marks
 * from Latin letters and digits). Lowercasing before Latin-ASCII lets its
 * lowercase entries catch capitals it has no entry for ("Ʀ" -> "ʀ" -> "R").
 * The mark rules drop every mark still on a Latin letter or digit, before
 * Latin-ASCII (spacing marks, which it keeps and which would stop it from
 * mapping "ǽ" to "ae") and after it (marks on a letter it made from a symbol:
 * "ℙ" + U+0301 -> "P"). Without them some texts would fold further on a
 * second pass; with them folding a folded text changes nothing.
 */
#define FOLD_RULES                                                                                 \
	":: [^" FOLD_KEEP "] ;\n"                                                                  \
	":: NFC ;\n"                                                                               \
	":: Any-Lower ;\n"                                                                         \
	"[[:Latin:][0-9]] { [:M:]+ } > ;\n"                                                        \
	":: Latin-ASCII ;\n"                                                                       \
	"[[:Latin:][0-9]] { [:M:]+ } > ;\n"
#define FOLD_ID "replywatch-fold"

/* Texts longer than this are refused, so that no buffer size overflows int32_t. */
#define FOLD_MAX_BYTES (INT32_MAX / 8)

/* Opened once and reused by every call: opening costs far more than a fold. */
static UTransliterator *fold_trans;
static USet *fold_keep;
static USet *fold_plain;
static const UNormalizer2 *fold_nfc; /* owned by ICU */

/* A direct-mapped cache of short stretches and what they fold to. */
#define SEG_KEY_MAX 6
#define SEG_VAL_MAX 16
#define SEG_CACHE_SIZE 1024 /* a power of two */

struct seg_entry {
	uint8_t klen; /* 0: an empty slot */
	uint8_t vlen;
	UChar key[SEG_KEY_MAX];
	UChar val[SEG_VAL_MAX];
};

static struct seg_entry seg_cache[SEG_CACHE_SIZE];

/* A growing UTF-16 buffer. */
struct ubuf {
	UChar *p;
	int32_t len;
	int32_t cap;
};

/* Writes "what: ICU error" to err. */
static void
set_icu_error(char *err, size_t errlen, const char *what, UErrorCode status)
{
	if (err != NULL && errlen > 0)
		snprintf(err, errlen, "%s: %s", what, u_errorName(status));
}

/* Opens the frozen set of pattern (ASCII) into *set. Returns 0, or -1 with err set. */
static int
open_set(const char *pattern, size_t size, USet **set, char *err, size_t errlen)
{
	UErrorCode status = U_ZERO_ERROR;
	UChar *u = malloc(size * sizeof(UChar));

	if (u == NULL) {
		set_icu_error(err, errlen, "cannot build an ICU set", U_MEMORY_ALLOCATION_ERROR);
		return -1;
	}
	/* The pattern is ASCII, which u_charsToUChars copies as it is. */
	u_charsToUChars(pattern, u, (int32_t)size);
	*set = uset_openPattern(u, -1, &status);
	free(u);
	if (U_FAILURE(status)) {
		*set = NULL;
		set_icu_error(err, errlen, "cannot build an ICU set", status);
		return -1;
	}
	uset_freeze(*set);
	return 0;
}

int
rw_text_fold_init(char *err, size_t errlen)
{
	UChar id[sizeof(FOLD_ID)], rules[sizeof(FOLD_RULES)];
	UErrorCode status = U_ZERO_ERROR;

	if (fold_trans != NULL)
		return 0;
	fold_nfc = unorm2_getNFCInstance(&status);
	if (U_FAILURE(status)) {
		set_icu_error(err, errlen, "cannot load ICU's NFC data", status);
		return -1;
	}
	if (fold_keep == NULL &&
	    open_set(FOLD_KEEP_SET, sizeof(FOLD_KEEP_SET), &fold_keep, err, errlen) == -1)
		return -1;
	if (fold_plain == NULL &&
	    open_set(FOLD_PLAIN_SET, sizeof(FOLD_PLAIN_SET), &fold_plain, err, errlen) == -1)
		return -1;
	u_charsToUChars(FOLD_ID, id, (int32_t)sizeof(FOLD_ID));
	u_charsToUChars(FOLD_RULES, rules, (int32_t)sizeof(FOLD_RULES));
	fold_trans = utrans_openU(id, -1, UTRANS_FORWARD, rules, -1, NULL, &status);
	if (U_FAILURE(status)) {
		fold_trans = NULL;
		set_icu_error(err, errlen,
			      "cannot open the ICU transliterator NFC; Any-Lower; "
			      "Latin-ASCII",
			      status);
		return -1;
	}
	return 0;
}

/* True when s has no byte outside ASCII. */
static bool
is_ascii(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if ((unsigned char)s[i] >= 0x80)
			return false;
	}
	return true;
}

/* An ASCII character folded: for ASCII, case folding is lowercasing. */
static unsigned
ascii_lower(unsigned c)
{
	return (c >= 'A' && c <= 'Z') ? c - 'A' + 'a' : c;
}

/* The fast path for ASCII text, which the transform leaves alone. */
static char *
fold_ascii(const char *s, size_t n)
{
	char *out = malloc(n + 1);

	if (out == NULL)
		return NULL;
	for (size_t i = 0; i < n; i++)
		out[i] = (char)ascii_lower((unsigned char)s[i]);
	out[n] = '\0';
	return out;
}

/* Makes room for more units after b->len. Returns 0 or -1. */
static int
ubuf_reserve(struct ubuf *b, int32_t more)
{
	UChar *p;
	int32_t cap;

	if (more <= b->cap - b->len)
		return 0;
	if (more > INT32_MAX / 4 - b->len)
		return -1;
	cap = 2 * (b->len + more);
	if ((p = realloc(b->p, (size_t)cap * sizeof(UChar))) == NULL)
		return -1;
	b->p = p;
	b->cap = cap;
	return 0;
}

/*
 * Case folds src (n units) onto the end of b, copying runs of emoji as they
 * are. Returns 0 or -1.
 */
static int
fold_case(const UChar *src, int32_t n, struct ubuf *b)
{
	int32_t i = 0;

	/* Full case folding at most triples a UTF-16 length. */
	if (n > INT32_MAX / 3 || ubuf_reserve(b, 3 * n) == -1)
		return -1;
	while (i < n) {
		UErrorCode status = U_ZERO_ERROR;
		int32_t keep = uset_span(fold_keep, src + i, n - i, USET_SPAN_SIMPLE);
		int32_t run;

		memcpy(b->p + b->len, src + i, (size_t)keep * sizeof(UChar));
		b->len += keep;
		i += keep;
		run = uset_span(fold_keep, src + i, n - i, USET_SPAN_NOT_CONTAINED);
		if (run == 0)
			continue;
		b->len += u_strFoldCase(b->p + b->len, b->cap - b->len, src + i, run,
					U_FOLD_CASE_DEFAULT, &status);
		if (U_FAILURE(status))
			return -1;
		i += run;
	}
	return 0;
}

/*
 * Composes src (n units) onto the end of out (NFC). Case folding decomposes
 * some letters ("ΐ" becomes "ι" + U+0308 + U+0301) that the transform's own
 * NFC would compose again on a second pass; composing here keeps folding a
 * folded text a no-op. Returns 0 or -1.
 */
static int
compose(const UChar *src, int32_t n, struct ubuf *out)
{
	UErrorCode status = U_ZERO_ERROR;
	int32_t len;

	if (ubuf_reserve(out, n + 16) == -1)
		return -1;
	len = unorm2_normalize(fold_nfc, src, n, out->p + out->len, out->cap - out->len, &status);
	if (status == U_BUFFER_OVERFLOW_ERROR) {
		/* Rare: some letters decompose under NFC. len is the size needed. */
		status = U_ZERO_ERROR;
		if (ubuf_reserve(out, len + 16) == -1)
			return -1;
		len = unorm2_normalize(fold_nfc, src, n, out->p + out->len, out->cap - out->len,
				       &status);
	}
	if (U_FAILURE(status))
		return -1;
	out->len += len;
	return 0;
}

/* Scratch buffers for the ICU steps of one rw_text_fold call. */
struct fold_scratch {
	struct ubuf trans;
	struct ubuf folded;
};

/*
 * True when src (n units) is all FOLD_PLAIN_SET: the transform would only
 * lowercase it, and bring it to NFC, which compose() does at the end anyway.
 */
static bool
is_plain(const UChar *src, int32_t n)
{
	return uset_span(fold_plain, src, n, USET_SPAN_SIMPLE) == n;
}

/*
 * Folds one stretch of text with ICU onto the end of out: transliterates it
 * (unless it is plain), case folds and composes the result. Returns 0 or -1.
 */
static int
fold_stretch_icu(const UChar *src, int32_t n, struct fold_scratch *fs, struct ubuf *out)
{
	struct ubuf *t = &fs->trans;

	if (is_plain(src, n)) {
		fs->folded.len = 0;
		if (fold_case(src, n, &fs->folded) == -1)
			return -1;
		return compose(fs->folded.p, fs->folded.len, out);
	}
	for (;;) {
		UErrorCode status = U_ZERO_ERROR;
		int32_t len = n, limit = n;

		/* Most stretches keep their length or shrink ("ą" -> "a"). */
		t->len = 0;
		if (ubuf_reserve(t, n + 16) == -1)
			return -1;
		memcpy(t->p, src, (size_t)n * sizeof(UChar));
		utrans_transUChars(fold_trans, t->p, &len, t->cap, 0, &limit, &status);
		if (U_SUCCESS(status)) {
			t->len = len;
			break;
		}
		/* On overflow len is the length the result needs: grow and start over. */
		if (status != U_BUFFER_OVERFLOW_ERROR || ubuf_reserve(t, len + 16) == -1)
			return -1;
	}
	fs->folded.len = 0;
	if (fold_case(t->p, t->len, &fs->folded) == -1)
		return -1;
	return compose(fs->folded.p, fs->folded.len, out);
}

/* The cache slot for a stretch (FNV-1a). */
static struct seg_entry *
seg_slot(const UChar *src, int32_t n)
{
	uint32_t h = 2166136261u;

	for (int32_t i = 0; i < n; i++)
		h = (h ^ src[i]) * 16777619u;
	return &seg_cache[h & (SEG_CACHE_SIZE - 1)];
}

/* Folds one stretch of text onto the end of out, through the cache when it is short. */
static int
fold_stretch(const UChar *src, int32_t n, struct fold_scratch *fs, struct ubuf *out)
{
	struct seg_entry *e = n <= SEG_KEY_MAX ? seg_slot(src, n) : NULL;
	int32_t start = out->len;

	if (e != NULL && e->klen == n && memcmp(e->key, src, (size_t)n * sizeof(UChar)) == 0) {
		if (ubuf_reserve(out, e->vlen) == -1)
			return -1;
		memcpy(out->p + out->len, e->val, (size_t)e->vlen * sizeof(UChar));
		out->len += e->vlen;
		return 0;
	}
	if (fold_stretch_icu(src, n, fs, out) == -1)
		return -1;
	if (e != NULL && out->len - start <= SEG_VAL_MAX) {
		e->klen = (uint8_t)n;
		e->vlen = (uint8_t)(out->len - start);
		memcpy(e->key, src, (size_t)n * sizeof(UChar));
		memcpy(e->val, out->p + start, (size_t)e->vlen * sizeof(UChar));
	}
	return 0;
}

/* True when the code point at src[i] is a combining mark, which binds to what precedes it. */
static bool
starts_with_mark(const UChar *src, int32_t i, int32_t n)
{
	UChar32 c;

	U16_NEXT(src, i, n, c);
	return (U_GET_GC_MASK(c) & U_GC_M_MASK) != 0 || u_getCombiningClass(c) != 0;
}

/*
 * Folds src (n units) onto out: ASCII runs are lowercased here, each
 * non-ASCII stretch goes through fold_stretch. Returns 0 or -1.
 */
static int
fold_utf16(const UChar *src, int32_t n, struct ubuf *out)
{
	struct fold_scratch fs = {{0}, {0}};
	int32_t i = 0, rc = -1;

	while (i < n) {
		int32_t a = i, seg;

		while (i < n && src[i] < 0x80)
			i++;
		/* A mark stays with its ASCII base: NFC and mark removal need both. */
		seg = (i > a && i < n && starts_with_mark(src, i, n)) ? i - 1 : i;
		if (ubuf_reserve(out, seg - a) == -1)
			goto done;
		for (int32_t k = a; k < seg; k++)
			out->p[out->len++] = (UChar)ascii_lower(src[k]);
		if (i == n)
			break;
		while (i < n && src[i] >= 0x80)
			i++;
		if (fold_stretch(src + seg, i - seg, &fs, out) == -1)
			goto done;
	}
	rc = 0;
done:
	free(fs.trans.p);
	free(fs.folded.p);
	return rc;
}

/* The UTF-8 form of src (n units) as a new string, or NULL. */
static char *
to_utf8(const UChar *src, int32_t n)
{
	UErrorCode status = U_ZERO_ERROR;
	/* A UTF-16 unit takes at most 3 UTF-8 bytes; a surrogate pair takes 4. */
	int32_t cap = 3 * n + 1;
	char *out = malloc((size_t)cap);

	if (out == NULL)
		return NULL;
	u_strToUTF8(out, cap, NULL, src, n, &status);
	if (U_FAILURE(status) || status == U_STRING_NOT_TERMINATED_WARNING) {
		free(out);
		return NULL;
	}
	return out;
}

char *
rw_text_fold(const char *utf8)
{
	UErrorCode status = U_ZERO_ERROR;
	struct ubuf out = {0};
	UChar *src = NULL;
	char *res = NULL;
	int32_t n;
	size_t len;

	if (utf8 == NULL) {
		errno = EINVAL;
		return NULL;
	}
	len = strlen(utf8);
	if (is_ascii(utf8, len))
		return fold_ascii(utf8, len);
	if (len > FOLD_MAX_BYTES) {
		errno = EOVERFLOW;
		return NULL;
	}
	if (rw_text_fold_init(NULL, 0) == -1)
		return NULL;
	/* A UTF-8 byte never makes more than one UTF-16 unit. */
	if ((src = malloc((len + 1) * sizeof(UChar))) == NULL)
		return NULL;
	u_strFromUTF8WithSub(src, (int32_t)len + 1, &n, utf8, (int32_t)len, 0xFFFD, NULL, &status);
	if (U_FAILURE(status))
		goto done;
	if (fold_utf16(src, n, &out) == -1 || out.len > FOLD_MAX_BYTES)
		goto done;
	res = to_utf8(out.p, out.len);
done:
	free(src);
	free(out.p);
	return res;
}
