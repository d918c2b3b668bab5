/*
 * Policy matching against a table: each case is a "policies" section (written
 * with ' for "), one item from one of a fixed set of sources, and the policy
 * that must apply (or none). Then the compiled calendars the set shares
 * between policies, and what a set that cannot be built reports.
 */
#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "replywatch/calendar.h"
#include "replywatch/config.h"
#include "replywatch/item.h"
#include "replywatch/policy.h"

#include "rwtest.h"

/* The sources every case can take its item from. */
/* clang-format off */
#define SOURCES \
	"'sources': [" \
	" {'name': 'acme-m', 'type': 'mastodon', 'base_url': 'https://m.example', 'token': 't'," \
	"  'labels': {'brand': 'acme', 'region': 'eu'}}," \
	" {'name': 'acme-x', 'type': 'x', 'user_id': '1', 'token': 't'," \
	"  'labels': {'brand': 'acme'}}," \
	" {'name': 'beta-push', 'type': 'push', 'token': 't'," \
	"  'labels': {'brand': 'beta', 'region': 'eu'}}," \
	" {'name': 'gp', 'type': 'google_play', 'package_name': 'com.acme'," \
	"  'client_email': 'a@b', 'private_key': 'k'}]"
/* clang-format on */
/* clang-format off */
#define CALENDARS \
	"'calendars': {'care': {'timezone': 'UTC', 'weekly': {'mon': ['09:00-17:00']}}," \
	" 'night': {'timezone': 'Europe/Warsaw', 'weekly': {'tue': ['00:00-06:00']}}}"
/* clang-format on */

/* A policy named name with match object m. */
#define P(name, m) "{'name': '" name "', 'breach_after': '1h', 'match': " m "}"

#define M RW_KIND_MENTION
#define C RW_KIND_COMMENT
#define R RW_KIND_REVIEW
#define NF -1 /* no follower count */

struct match_case {
	const char *what;
	const char *policies; /* the "policies" array */
	const char *source;   /* one of SOURCES */
	unsigned kind;        /* 0: the item does not say */
	long long followers;  /* NF: unknown */
	int rating;           /* 0: none */
	const char *text;     /* NULL: no text */
	const char *want;     /* the policy that applies, or NULL */
};

/* The example policies of the design document. */
/* clang-format off */
#define DESIGN_POLICIES \
	"[" P("vip", "{'min_followers': 10000}") "," \
	P("angry-review", "{'kind': ['review'], 'max_rating': 2}") "," \
	P("social", "{'kind': ['mention', 'comment']}") "," P("reviews", "{}") "]"
/* clang-format on */

/* clang-format off */
static const struct match_case cases[] = {
	/* No keys, no policies. */
	{"empty match fits everything", "[" P("all", "{}") "]", "gp", R, NF, 5, NULL, "all"},
	{"no policies", "[]", "acme-m", M, 10, 0, "hi", NULL},

	/* sources */
	{"sources: listed", "[" P("p", "{'sources': ['acme-x']}") "]", "acme-x", M, NF, 0, NULL,
	 "p"},
	{"sources: not listed", "[" P("p", "{'sources': ['acme-x']}") "]", "acme-m", M, NF, 0,
	 NULL, NULL},
	{"sources: second of two", "[" P("p", "{'sources': ['acme-m', 'beta-push']}") "]",
	 "beta-push", M, NF, 0, NULL, "p"},

	/* platforms, by type name */
	{"platforms: x", "[" P("p", "{'platforms': ['x']}") "]", "acme-x", M, NF, 0, NULL, "p"},
	{"platforms: mastodon is neither", "[" P("p", "{'platforms': ['x', 'push']}") "]",
	 "acme-m", M, NF, 0, NULL, NULL},
	{"platforms: push", "[" P("p", "{'platforms': ['x', 'push']}") "]", "beta-push", M, NF, 0,
	 NULL, "p"},
	{"platforms: google_play", "[" P("p", "{'platforms': ['google_play']}") "]", "gp", R, NF,
	 3, NULL, "p"},

	/* kind */
	{"kind: mention", "[" P("p", "{'kind': ['mention']}") "]", "acme-m", M, NF, 0, NULL, "p"},
	{"kind: unsaid counts as mention", "[" P("p", "{'kind': ['mention']}") "]", "acme-m", 0,
	 NF, 0, NULL, "p"},
	{"kind: unsaid is not a review", "[" P("p", "{'kind': ['review']}") "]", "acme-m", 0, NF,
	 0, NULL, NULL},
	{"kind: comment among two", "[" P("p", "{'kind': ['mention', 'comment']}") "]", "acme-m",
	 C, NF, 0, NULL, "p"},
	{"kind: review not among two", "[" P("p", "{'kind': ['mention', 'comment']}") "]", "gp",
	 R, NF, 4, NULL, NULL},
	{"kind: message", "[" P("p", "{'kind': ['message']}") "]", "acme-m", RW_KIND_MESSAGE, NF,
	 0, NULL, "p"},
	{"kind: message is not a comment", "[" P("p", "{'kind': ['comment']}") "]", "acme-m",
	 RW_KIND_MESSAGE, NF, 0, NULL, NULL},
	{"kind: a comment is not a message", "[" P("p", "{'kind': ['message', 'review']}") "]",
	 "acme-m", C, NF, 0, NULL, NULL},

	/* min_followers */
	{"min_followers: exactly", "[" P("p", "{'min_followers': 10000}") "]", "acme-x", M, 10000,
	 0, NULL, "p"},
	{"min_followers: one short", "[" P("p", "{'min_followers': 10000}") "]", "acme-x", M,
	 9999, 0, NULL, NULL},
	{"min_followers: unknown count", "[" P("p", "{'min_followers': 10000}") "]", "acme-x", M,
	 NF, 0, NULL, NULL},
	{"min_followers: 0 with an unknown count", "[" P("p", "{'min_followers': 0}") "]",
	 "acme-x", M, NF, 0, NULL, NULL},
	{"min_followers: 0 with a known 0", "[" P("p", "{'min_followers': 0}") "]", "acme-x", M,
	 0, 0, NULL, "p"},

	/* max_rating */
	{"max_rating: exactly", "[" P("p", "{'max_rating': 2}") "]", "gp", R, NF, 2, NULL, "p"},
	{"max_rating: below", "[" P("p", "{'max_rating': 2}") "]", "gp", R, NF, 1, NULL, "p"},
	{"max_rating: above", "[" P("p", "{'max_rating': 2}") "]", "gp", R, NF, 3, NULL, NULL},
	{"max_rating: no rating", "[" P("p", "{'max_rating': 5}") "]", "acme-m", M, NF, 0, NULL,
	 NULL},

	/* labels: each must equal the source's label of the same key */
	{"labels: one equal", "[" P("p", "{'labels': {'brand': 'acme'}}") "]", "acme-x", M, NF, 0,
	 NULL, "p"},
	{"labels: one different", "[" P("p", "{'labels': {'brand': 'acme'}}") "]", "beta-push",
	 M, NF, 0, NULL, NULL},
	{"labels: both equal", "[" P("p", "{'labels': {'brand': 'acme', 'region': 'eu'}}") "]",
	 "acme-m", M, NF, 0, NULL, "p"},
	{"labels: source lacks one", "[" P("p", "{'labels': {'brand': 'acme', 'region': 'eu'}}")
	 "]", "acme-x", M, NF, 0, NULL, NULL},
	{"labels: source has none", "[" P("p", "{'labels': {'brand': 'acme'}}") "]", "gp", R, NF,
	 5, NULL, NULL},
	{"labels: values compare exactly", "[" P("p", "{'labels': {'brand': 'ACME'}}") "]",
	 "acme-x", M, NF, 0, NULL, NULL},

	/* keywords: case and accents aside, at the start of a word */
	{"keywords: case", "[" P("p", "{'keywords': ['refund']}") "]", "acme-m", M, NF, 0,
	 "I want a REFUND now", "p"},
	{"keywords: runs past the word", "[" P("p", "{'keywords': ['refund']}") "]", "acme-m", M,
	 NF, 0, "Refunds!", "p"},
	{"keywords: not inside a word", "[" P("p", "{'keywords': ['late']}") "]", "acme-m", M, NF,
	 0, "I love chocolate", NULL},
	{"keywords: later occurrence starts a word", "[" P("p", "{'keywords': ['late']}") "]",
	 "acme-m", M, NF, 0, "chocolate arrived late", "p"},
	{"keywords: start of text", "[" P("p", "{'keywords': ['late']}") "]", "acme-m", M, NF, 0,
	 "Late again", "p"},
	{"keywords: after punctuation", "[" P("p", "{'keywords': ['late']}") "]", "acme-m", M,
	 NF, 0, "so-late.", "p"},
	{"keywords: not after a digit", "[" P("p", "{'keywords': ['late']}") "]", "acme-m", M, NF,
	 0, "2late", NULL},
	{"keywords: after typographic quote", "[" P("p", "{'keywords': ['late']}") "]", "acme-m",
	 M, NF, 0, "“Late”", "p"},
	{"keywords: not after a folded letter", "[" P("p", "{'keywords': ['refund']}") "]",
	 "acme-m", M, NF, 0, "żrefund", NULL},
	{"keywords: not after another script", "[" P("p", "{'keywords': ['refund']}") "]",
	 "acme-m", M, NF, 0, "αrefund", NULL},
	{"keywords: several words", "[" P("p", "{'keywords': ['not working']}") "]", "acme-m", M,
	 NF, 0, "App NOT WORKING since update", "p"},
	{"keywords: several words need their space", "[" P("p", "{'keywords': ['not working']}")
	 "]", "acme-m", M, NF, 0, "not-working", NULL},
	{"keywords: any of them", "[" P("p", "{'keywords': ['refund', 'broken']}") "]", "acme-m",
	 M, NF, 0, "screen Broken", "p"},
	{"keywords: none of them", "[" P("p", "{'keywords': ['refund', 'broken']}") "]", "acme-m",
	 M, NF, 0, "thanks, all good", NULL},
	{"keywords: no text", "[" P("p", "{'keywords': ['refund']}") "]", "acme-m", M, NF, 0,
	 NULL, NULL},
	{"keywords: empty text", "[" P("p", "{'keywords': ['refund']}") "]", "acme-m", M, NF, 0,
	 "", NULL},
	{"keywords: accented keyword, plain capitals", "[" P("p", "{'keywords': ['Zażółć']}") "]",
	 "acme-m", M, NF, 0, "ZAZOLC gęślą", "p"},
	{"keywords: plain keyword, accented text", "[" P("p", "{'keywords': ['ZAZOLC']}") "]",
	 "acme-m", M, NF, 0, "Zażółć gęślą", "p"},
	{"keywords: accented both ways", "[" P("p", "{'keywords': ['gęślą']}") "]", "acme-m", M,
	 NF, 0, "ZAŻÓŁĆ GĘŚLĄ JAŹŃ", "p"},
	{"keywords: sharp s", "[" P("p", "{'keywords': ['straße']}") "]", "acme-m", M, NF, 0,
	 "STRASSE gesperrt", "p"},
	{"keywords: Turkish dotted I", "[" P("p", "{'keywords': ['İstanbul']}") "]", "acme-m", M,
	 NF, 0, "istanbul office", "p"},
	{"keywords: Greek final sigma", "[" P("p", "{'keywords': ['ΟΔΟΣ']}") "]", "acme-m", M, NF,
	 0, "οδος κλειστή", "p"},
	{"keywords: Cyrillic", "[" P("p", "{'keywords': ['возврат']}") "]", "acme-m", M, NF, 0,
	 "Хочу ВОЗВРАТ денег", "p"},

	/* Combinations and order: the first policy whose every key fits. */
	{"first match wins", "[" P("vip", "{'min_followers': 1000}") ","
	 P("social", "{'kind': ['mention']}") "]", "acme-x", M, 5000, 0, NULL, "vip"},
	{"falls through to the next", "[" P("vip", "{'min_followers': 1000}") ","
	 P("social", "{'kind': ['mention']}") "]", "acme-x", M, 10, 0, NULL, "social"},
	{"catch-all first shadows the rest", "[" P("all", "{}") ","
	 P("vip", "{'min_followers': 1}") "]", "acme-x", M, 5000, 0, NULL, "all"},
	{"every key fits", "[" P("p", "{'sources': ['acme-x'], 'platforms': ['x'], 'kind': "
	 "['mention'], 'keywords': ['refund'], 'min_followers': 100, 'labels': {'brand': "
	 "'acme'}}") "," P("rest", "{}") "]", "acme-x", M, 100, 0, "need a refund", "p"},
	{"all keys but the keyword fit", "[" P("p", "{'sources': ['acme-x'], 'platforms': ['x'], "
	 "'kind': ['mention'], 'keywords': ['refund'], 'min_followers': 100}") ","
	 P("rest", "{}") "]", "acme-x", M, 100, 0, "thanks!", "rest"},
	{"all keys but the platform fit", "[" P("p", "{'platforms': ['x'], 'kind': ['mention'], "
	 "'keywords': ['refund']}") "]", "acme-m", M, NF, 0, "refund", NULL},
	{"all keys but the labels fit", "[" P("p", "{'kind': ['mention'], 'labels': {'region': "
	 "'eu'}, 'keywords': ['refund']}") "]", "acme-x", M, NF, 0, "refund", NULL},
	{"review rating and source", "[" P("p", "{'sources': ['gp'], 'kind': ['review'], "
	 "'max_rating': 2}") "]", "gp", R, NF, 1, "Crashes", "p"},
	{"design: famous author", DESIGN_POLICIES, "acme-x", M, 50000, 0, "hi", "vip"},
	{"design: angry review", DESIGN_POLICIES, "gp", R, 12, 2, "bad", "angry-review"},
	{"design: comment", DESIGN_POLICIES, "acme-m", C, 12, 0, "hi", "social"},
	{"design: happy review", DESIGN_POLICIES, "gp", R, NF, 5, "great", "reviews"},
	{"design: review without rating", DESIGN_POLICIES, "gp", R, NF, 0, NULL, "reviews"},
};
/* clang-format on */

#define NCASES (sizeof(cases) / sizeof(cases[0]))

/* Loads doc (with ' for "), which must be valid. */
static struct rw_config *
load(const char *doc)
{
	struct rw_config_errors errs = {0};
	char *text = rwt_json_quotes(doc);
	struct rw_config *cfg = rw_config_load_string(text, "test.json", &errs);
	char *got = rwt_config_errors_text(&errs);

	cr_assert_not_null(cfg, "should load: %s; got:%s", text, got);
	free(got);
	free(text);
	rw_config_errors_clear(&errs);
	return cfg;
}

/* Loads the sources, the calendars and the given "policies" array. */
static struct rw_config *
load_policies(const char *policies)
{
	size_t len = strlen(policies) + sizeof(SOURCES) + sizeof(CALENDARS) + 32;
	char *doc = malloc(len);
	struct rw_config *cfg;

	cr_assert_not_null(doc);
	snprintf(doc, len, "{%s, %s, 'policies': %s}", SOURCES, CALENDARS, policies);
	cfg = load(doc);
	free(doc);
	return cfg;
}

/* Builds the set for cfg, which must succeed. */
static struct rw_policy_set *
set_new(const struct rw_config *cfg)
{
	char err[512] = "";
	struct rw_policy_set *set = rw_policy_set_new(cfg, err, sizeof(err));

	cr_assert_not_null(set, "rw_policy_set_new: %s", err);
	return set;
}

ParameterizedTestParameters(policy, table)
{
	static size_t index[NCASES];

	for (size_t i = 0; i < NCASES; i++)
		index[i] = i;
	return cr_make_param_array(size_t, index, NCASES);
}

ParameterizedTest(size_t *ip, policy, table)
{
	const struct match_case *c = &cases[*ip];
	struct rw_config *cfg = load_policies(c->policies);
	struct rw_policy_set *set = set_new(cfg);
	const struct rw_source_config *src = rw_config_find_source(cfg, c->source);
	struct rw_item item = {0};
	char *folded = c->text ? rw_text_fold(c->text) : NULL;
	const struct rw_policy_config *got;

	cr_assert_not_null(src, "%s: no source %s", c->what, c->source);
	cr_assert(c->text == NULL || folded != NULL);
	item.kind = c->kind;
	item.has_followers = c->followers != NF;
	item.author_followers = c->followers != NF ? c->followers : 0;
	item.has_rating = c->rating != 0;
	item.rating = c->rating;
	got = rw_policy_match(set, src, &item, folded);
	if (c->want == NULL)
		cr_assert_null(got, "%s: matched %s, want none", c->what, got ? got->name : "");
	else
		cr_assert(got != NULL && strcmp(got->name, c->want) == 0, "%s: matched %s, want %s",
			  c->what, got ? got->name : "none", c->want);
	/* The match is the config's own policy, so callers can compare pointers. */
	if (got != NULL)
		cr_assert_eq(got, rw_config_find_policy(cfg, got->name));
	free(folded);
	rw_policy_set_free(set);
	rw_config_free(cfg);
}

Test(policy, calendars_shared_by_name)
{
	struct rw_config *cfg =
		load_policies("[{'name': 'a', 'breach_after': '1h', 'calendar': 'care'},"
			      " {'name': 'b', 'breach_after': '2h', 'calendar': 'night'},"
			      " {'name': 'c', 'breach_after': '3h', 'calendar': 'care'},"
			      " {'name': 'd', 'breach_after': '4h'}]");
	struct rw_policy_set *set = set_new(cfg);
	struct rw_calendar *a = rw_policy_calendar(set, rw_config_find_policy(cfg, "a"));
	struct rw_calendar *b = rw_policy_calendar(set, rw_config_find_policy(cfg, "b"));
	struct rw_calendar *c = rw_policy_calendar(set, rw_config_find_policy(cfg, "c"));

	cr_assert_not_null(a);
	cr_assert_not_null(b);
	cr_assert_eq(a, c, "policies on the same calendar share one compiled calendar");
	cr_assert_neq(a, b);
	cr_assert_null(rw_policy_calendar(set, rw_config_find_policy(cfg, "d")));
	/* The compiled calendars answer for their own configuration: Monday
	 * 2026-11-23 10:00 UTC is open under care and closed under night. */
	cr_assert(rw_calendar_is_open(a, 1795428000000LL));
	cr_assert_not(rw_calendar_is_open(b, 1795428000000LL));
	rw_policy_set_free(set);
	rw_config_free(cfg);
}

Test(policy, calendar_of_unknown_policy)
{
	struct rw_config *cfg = load_policies("[{'name': 'a', 'breach_after': '1h', "
					      "'calendar': 'care'}]");
	struct rw_config *other = load_policies("[{'name': 'a', 'breach_after': '1h', "
						"'calendar': 'care'}]");
	struct rw_policy_set *set = set_new(cfg);

	/* A policy of another configuration is not the set's, even by the same name. */
	cr_assert_null(rw_policy_calendar(set, rw_config_find_policy(other, "a")));
	cr_assert_null(rw_policy_calendar(set, NULL));
	cr_assert_null(rw_policy_calendar(NULL, rw_config_find_policy(cfg, "a")));
	rw_policy_set_free(set);
	rw_config_free(cfg);
	rw_config_free(other);
}

Test(policy, no_policies)
{
	struct rw_config *cfg = load("{}");
	struct rw_policy_set *set = set_new(cfg);
	struct rw_item item = {.kind = RW_KIND_MENTION};

	cr_assert_null(rw_policy_match(set, NULL, &item, "refund"));
	rw_policy_set_free(set);
	rw_config_free(cfg);
	rw_policy_set_free(NULL);
}

/* Without a source only the keys about the item and its text can fit. */
Test(policy, no_source)
{
	struct rw_config *cfg = load_policies("[" P("s", "{'sources': ['acme-m']}") "," P(
		"l", "{'labels': {'brand': 'acme'}}") "," P("k", "{'keywords': ['refund']}") "]");
	struct rw_policy_set *set = set_new(cfg);
	struct rw_item item = {.kind = RW_KIND_MENTION};
	const struct rw_policy_config *got = rw_policy_match(set, NULL, &item, "refund");

	cr_assert(got != NULL && strcmp(got->name, "k") == 0);
	cr_assert_null(rw_policy_match(set, NULL, &item, NULL));
	cr_assert_null(rw_policy_match(set, NULL, NULL, "refund"));
	rw_policy_set_free(set);
	rw_config_free(cfg);
}

Test(policy, calendar_that_cannot_compile)
{
	struct rw_config *cfg = load_policies("[{'name': 'a', 'breach_after': '1h'},"
					      " {'name': 'b', 'breach_after': '1h', "
					      "'calendar': 'night'}]");
	struct rw_calendar_config *night = &cfg->calendars[1];
	char err[512] = "";

	/* The loader checked the zone; make it vanish as if tzdata lost it. */
	cr_assert_str_eq(night->name, "night");
	free(night->timezone);
	night->timezone = strdup("Nowhere/Atlantis");
	cr_assert_not_null(night->timezone);
	cr_assert_null(rw_policy_set_new(cfg, err, sizeof(err)));
	cr_assert_not_null(strstr(err, "night"), "the reason names the calendar: %s", err);
	rw_config_free(cfg);
}

Test(policy, no_config)
{
	char err[64] = "";

	cr_assert_null(rw_policy_set_new(NULL, err, sizeof(err)));
	cr_assert_str_eq(err, "no configuration");
}
