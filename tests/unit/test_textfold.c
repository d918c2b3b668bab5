/*
 * Text folding for keyword matching: a table of texts and exactly what they
 * fold to (accents, case, ligatures, full-width letters, scripts that keep
 * their letters, emoji, invalid UTF-8), folding a folded text changing
 * nothing, and long texts whose folded form outgrows the buffers.
 */
#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "replywatch/policy.h"

struct fold_case {
	const char *what;
	const char *in;
	const char *out;
};

static const struct fold_case cases[] = {
	/* German, French, Polish, Scandinavian, Balkan, Vietnamese. */
	{"German sharp s", "Straße", "strasse"},
	{"German capital sharp s", "ẞ GROSS", "ss gross"},
	{"German umlauts lose their dots", "Müller GRÖẞE", "muller grosse"},
	{"French capitals with accents", "ÉCHEC", "echec"},
	{"French ligatures", "Œuvre, cœur", "oeuvre, coeur"},
	{"French diaeresis and cedilla", "Noël à Besançon", "noel a besancon"},
	{"Polish pangram", "Zażółć gęślą jaźń", "zazolc gesla jazn"},
	{"Polish capitals", "ZAŻÓŁĆ ŁÓDŹ", "zazolc lodz"},
	{"Danish o with stroke", "Søren", "soren"},
	{"Scandinavian ae and ring", "Ærøskøbing Åsa", "aeroskobing asa"},
	{"Serbian d with stroke", "Đorđe", "dorde"},
	{"Vietnamese stacked accents", "Tiếng Việt", "tieng viet"},
	{"Vietnamese e with circumflex and dot", "ệ", "e"},
	{"Vietnamese horn", "Người dùng", "nguoi dung"},
	{"Turkish dotted capital I", "İstanbul", "istanbul"},
	{"Turkish dotless small i", "ıspanak", "ispanak"},
	{"Turkish capitals", "ISTANBUL IĞDIR", "istanbul igdir"},
	{"Latin ligature fi", "ﬁne ﬂow", "fine flow"},
	{"DZ digraph", "Ǆemal", "dzemal"},
	{"Latin capitals Latin-ASCII knows only in lowercase", "Ʀ Ɡ Ɬ", "r g l"},
	{"full-width Latin", "ＡＢＣ", "abc"},
	{"full-width word", "ＲＥＦＵＮＤ！", "refund!"},
	{"combining accent", "cafe\xcc\x81", "cafe"},
	{"accent on a letter made from a symbol", "\u2119\u0301", "p"},
	{"accented letter with a spacing mark", "\u01FD\U0001D172", "ae"},
	{"typographic punctuation", "“Not working” — …", "\"not working\" - ..."},
	{"ASCII only", "Hello WORLD 123 #Refund @Acme", "hello world 123 #refund @acme"},
	/* Other scripts keep their letters and are only case folded. */
	{"Greek", "Ελληνικά", "ελληνικά"},
	{"Greek final sigma", "ΟΔΟΣ", "οδοσ"},
	{"Greek with dialytika and tonos", "ΐ", "ΐ"},
	{"Greek with a separate accent", "ᾈ\xcc\x81", "ἄι"},
	{"Cyrillic", "Привет МИР", "привет мир"},
	{"Cyrillic short i keeps its breve", "Й и\xcc\x86", "й й"},
	{"CJK", "日本語 中文 한국어", "日本語 中文 한국어"},
	/* CJK punctuation becomes ASCII like other punctuation: a word after it starts a word. */
	{"Japanese sentence", "はい、注文がまだ届きません。", "はい,注文がまだ届きません."},
	{"ideographic space", "全角\u3000スペース", "全角 スペース"},
	/* Emoji stay as they are. */
	{"emoji with skin tone", "Great 😀👍🏽", "great 😀👍🏽"},
	{"emoji that look like letters", "ℹ️ Ⓜ️ © ‼️", "ℹ️ Ⓜ️ © ‼️"},
	{"emoji sequences", "👩‍💻 1️⃣ 🇵🇱 🏳️‍🌈",
	 "👩‍💻 1️⃣ 🇵🇱 🏳️‍🌈"},
	/* Invalid UTF-8 becomes U+FFFD, one per maximal invalid subpart. */
	{"invalid bytes", "bad\xff\xfeok", "bad\xef\xbf\xbd\xef\xbf\xbdok"},
	{"truncated sequence", "ok\xc3", "ok\xef\xbf\xbd"},
	{"overlong slash", "a\xc0\xaf", "a\xef\xbf\xbd\xef\xbf\xbd"},
	{"encoded surrogate", "\xed\xa0\x80Ä",
	 "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd"
	 "a"},
	{"empty", "", ""},
};

#define NCASES (sizeof(cases) / sizeof(cases[0]))

/* The indexes of cases[], as Criterion parameters. */
static struct criterion_test_params
case_indexes(void)
{
	static size_t index[NCASES];

	for (size_t i = 0; i < NCASES; i++)
		index[i] = i;
	return cr_make_param_array(size_t, index, NCASES);
}

ParameterizedTestParameters(textfold, table)
{
	return case_indexes();
}

ParameterizedTestParameters(textfold, idempotent)
{
	return case_indexes();
}

ParameterizedTest(size_t *ip, textfold, table)
{
	const struct fold_case *c = &cases[*ip];
	char *got = rw_text_fold(c->in);

	cr_assert_not_null(got, "%s: fold failed", c->what);
	cr_assert_str_eq(got, c->out, "%s: \"%s\" folded to \"%s\", want \"%s\"", c->what, c->in,
			 got, c->out);
	free(got);
}

/* Keywords and texts are folded separately: a folded keyword must fold to itself. */
ParameterizedTest(size_t *ip, textfold, idempotent)
{
	const struct fold_case *c = &cases[*ip];
	char *once = rw_text_fold(c->in);
	char *twice = once ? rw_text_fold(once) : NULL;

	cr_assert_not_null(twice, "%s: fold failed", c->what);
	cr_assert_str_eq(twice, once, "%s: \"%s\" folded again to \"%s\"", c->what, once, twice);
	free(once);
	free(twice);
}

Test(textfold, init_opens_icu_once)
{
	char err[256] = "";

	cr_assert_eq(rw_text_fold_init(err, sizeof(err)), 0, "%s", err);
	cr_assert_eq(rw_text_fold_init(NULL, 0), 0);
	cr_assert_str_empty(err);
}

Test(textfold, null_text)
{
	cr_assert_null(rw_text_fold(NULL));
}

/* Returns n copies of s (caller frees). */
static char *
repeat(const char *s, size_t n)
{
	size_t len = strlen(s);
	char *out = malloc(len * n + 1);

	cr_assert_not_null(out);
	for (size_t i = 0; i < n; i++)
		memcpy(out + i * len, s, len);
	out[len * n] = '\0';
	return out;
}

/* Checks that fold(n copies of in) is n copies of want. */
static void
check_repeated(const char *in, const char *want, size_t n)
{
	char *text = repeat(in, n), *expect = repeat(want, n);
	char *got = rw_text_fold(text);

	cr_assert_not_null(got);
	cr_assert_eq(strlen(got), strlen(expect));
	cr_assert_str_eq(got, expect);
	free(got);
	free(text);
	free(expect);
}

/* "⅛" becomes " 1/8": four times as long, in one stretch with no ASCII to split it. */
Test(textfold, long_stretch_that_grows)
{
	check_repeated("⅛", " 1/8", 5000);
	check_repeated("ǄŒ", "dzoe", 3000);
}

Test(textfold, long_mixed_text)
{
	check_repeated("Zażółć ⅛ ǅ Привет ΟΔΟΣ 😀 ok. ", "zazolc  1/8 dz привет οδοσ 😀 ok. ", 4000);
	check_repeated("Refund NOW ", "refund now ", 10000);
}

/* The same stretch folds alike wherever it stands, cached or not. */
Test(textfold, stretches_fold_alike_in_any_context)
{
	const char *texts[] = {"ół", "Xół", "x ół y", "ółół", "żół", "ÓŁ!", "ół"};
	const char *want[] = {"ol", "xol", "x ol y", "olol", "zol", "ol!", "ol"};

	for (size_t i = 0; i < sizeof(texts) / sizeof(texts[0]); i++) {
		char *got = rw_text_fold(texts[i]);

		cr_assert_not_null(got);
		cr_assert_str_eq(got, want[i], "\"%s\" -> \"%s\"", texts[i], got);
		free(got);
	}
}

/* Writes the UTF-8 form of c (below U+10000) and a NUL to buf. */
static void
utf8_put(unsigned c, char *buf)
{
	if (c < 0x800) {
		buf[0] = (char)(0xC0 | (c >> 6));
		buf[1] = (char)(0x80 | (c & 0x3F));
		buf[2] = '\0';
		return;
	}
	buf[0] = (char)(0xE0 | (c >> 12));
	buf[1] = (char)(0x80 | ((c >> 6) & 0x3F));
	buf[2] = (char)(0x80 | (c & 0x3F));
	buf[3] = '\0';
}

/* Checks that 7 copies of c fold to 7 copies of what c alone folds to. */
static void
check_alone_and_long(unsigned c)
{
	char one[4], seven[32] = "", want[256] = "", *f1, *f7;

	utf8_put(c, one);
	for (int i = 0; i < 7; i++)
		strcat(seven, one);
	f1 = rw_text_fold(one);
	f7 = rw_text_fold(seven);
	cr_assert(f1 != NULL && f7 != NULL);
	for (int i = 0; i < 7; i++)
		strcat(want, f1);
	cr_assert_str_eq(f7, want, "U+%04X: \"%s\" folds to \"%s\", 7 of it to \"%s\"", c, one, f1,
			 f7);
	free(f1);
	free(f7);
}

/*
 * Short stretches are cached, long ones are not: every Latin letter alone
 * (through the cache, among hundreds of other entries) must fold as it does
 * in a long stretch.
 */
Test(textfold, cache_agrees_with_long_stretches)
{
	/* Latin-1, Latin Extended-A and -B, then Latin Extended Additional (Vietnamese). */
	for (unsigned c = 0xC0; c <= 0x24F; c++)
		check_alone_and_long(c);
	for (unsigned c = 0x1E00; c <= 0x1EFF; c++)
		check_alone_and_long(c);
}
