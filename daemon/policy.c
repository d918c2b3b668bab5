/*
 * policy.c: the policy set built from a configuration (keywords folded once,
 * calendars compiled once and shared) and first-match-wins matching of items
 * against it. Text folding itself lives in textfold.c.
 */
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "replywatch/calendar.h"
#include "replywatch/config.h"
#include "replywatch/item.h"
#include "replywatch/log.h"
#include "replywatch/policy.h"

/* A policy with what matching needs prepared. */
struct compiled_policy {
	const struct rw_policy_config *cfg; /* borrowed from the set's config */
	char **keywords;                    /* folded; as many as cfg->match.keywords */
	struct rw_calendar *calendar;       /* borrowed from the set's calendars, or NULL */
};

/* A compiled calendar and the configuration it came from, to share it by. */
struct compiled_calendar {
	const struct rw_calendar_config *cfg;
	struct rw_calendar *cal;
};

struct rw_policy_set {
	struct compiled_policy *policies; /* in file order */
	size_t npolicies;
	struct compiled_calendar *calendars; /* one per distinct calendar in use */
	size_t ncalendars;
};

/* Writes a reason to err, when the caller gave room for one. */
static void RW_PRINTF(3, 4) set_err(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (err == NULL || errlen == 0)
		return;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
}

/* Folds the keywords of policy i. Returns 0, or -1 with err set. */
static int
fold_keywords(struct compiled_policy *cp, size_t i, char *err, size_t errlen)
{
	const struct rw_strlist *kw = &cp->cfg->match.keywords;

	if (kw->n == 0)
		return 0;
	if ((cp->keywords = calloc(kw->n, sizeof(*cp->keywords))) == NULL) {
		set_err(err, errlen, "policies[%zu]: out of memory", i);
		return -1;
	}
	for (size_t k = 0; k < kw->n; k++) {
		if ((cp->keywords[k] = rw_text_fold(kw->items[k])) == NULL) {
			set_err(err, errlen,
				"policies[%zu].match.keywords[%zu]: cannot fold "
				"(out of memory)",
				i, k);
			return -1;
		}
	}
	return 0;
}

/*
 * The compiled form of cal, compiling it on first use so that policies
 * naming the same calendar share one. Returns NULL with err set.
 */
static struct rw_calendar *
calendar_for(struct rw_policy_set *set, const struct rw_calendar_config *cal, char *err,
	     size_t errlen)
{
	char reason[256] = "";
	struct compiled_calendar *cc;

	for (size_t i = 0; i < set->ncalendars; i++) {
		if (set->calendars[i].cfg == cal)
			return set->calendars[i].cal;
	}
	/* The array has room for one calendar per policy. */
	cc = &set->calendars[set->ncalendars];
	if ((cc->cal = rw_calendar_new(cal, reason, sizeof(reason))) == NULL) {
		/* The calendar module's reason names the calendar already. */
		if (reason[0] != '\0')
			set_err(err, errlen, "%s", reason);
		else
			set_err(err, errlen, "calendar %s: cannot compile", cal->name);
		return NULL;
	}
	cc->cfg = cal;
	set->ncalendars++;
	return cc->cal;
}

/* Attaches the calendar of policy i, if it names one. Returns 0, or -1 with err set. */
static int
attach_calendar(struct rw_policy_set *set, const struct rw_config *cfg, struct compiled_policy *cp,
		size_t i, char *err, size_t errlen)
{
	const struct rw_policy_config *pol = cp->cfg;
	const struct rw_calendar_config *cal = pol->calendar;

	if (pol->calendar_name == NULL)
		return 0;
	/* A loaded config links calendars; one built by hand may only name it. */
	if (cal == NULL && (cal = rw_config_find_calendar(cfg, pol->calendar_name)) == NULL) {
		set_err(err, errlen, "policies[%zu].calendar: unknown calendar \"%s\"", i,
			pol->calendar_name);
		return -1;
	}
	cp->calendar = calendar_for(set, cal, err, errlen);
	return cp->calendar == NULL ? -1 : 0;
}

struct rw_policy_set *
rw_policy_set_new(const struct rw_config *cfg, char *err, size_t errlen)
{
	struct rw_policy_set *set = NULL;
	char reason[256] = "";

	if (cfg == NULL) {
		set_err(err, errlen, "no configuration");
		return NULL;
	}
	/* Report a broken ICU installation by name before any keyword needs it. */
	if (rw_text_fold_init(reason, sizeof(reason)) == -1) {
		set_err(err, errlen, "text folding: %s", reason);
		return NULL;
	}
	if ((set = calloc(1, sizeof(*set))) == NULL)
		goto oom;
	if (cfg->npolicies == 0)
		return set;
	set->policies = calloc(cfg->npolicies, sizeof(*set->policies));
	set->calendars = calloc(cfg->npolicies, sizeof(*set->calendars));
	if (set->policies == NULL || set->calendars == NULL)
		goto oom;
	for (size_t i = 0; i < cfg->npolicies; i++) {
		struct compiled_policy *cp = &set->policies[set->npolicies++];

		cp->cfg = &cfg->policies[i];
		if (fold_keywords(cp, i, err, errlen) == -1 ||
		    attach_calendar(set, cfg, cp, i, err, errlen) == -1)
			goto fail;
	}
	return set;
oom:
	set_err(err, errlen, "out of memory");
fail:
	rw_policy_set_free(set);
	return NULL;
}

/* True when name is one of list's items. */
static bool
strlist_has(const struct rw_strlist *list, const char *name)
{
	for (size_t i = 0; i < list->n; i++) {
		if (strcmp(list->items[i], name) == 0)
			return true;
	}
	return false;
}

/* The value of key among labels, or NULL. */
static const char *
label_value(const struct rw_labels *labels, const char *key)
{
	for (size_t i = 0; i < labels->n; i++) {
		if (strcmp(labels->items[i].key, key) == 0)
			return labels->items[i].value;
	}
	return NULL;
}

/*
 * A byte that continues a word. Every byte of a multi-byte UTF-8 sequence
 * counts as a letter, so a keyword never matches inside one (and folded
 * Greek or Cyrillic words stay whole).
 */
static bool
is_word_byte(unsigned char c)
{
	return c >= 0x80 || (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') ||
	       (c >= 'A' && c <= 'Z');
}

/*
 * True when keyword occurs in text at the start of a word: at the start of
 * the text or after a byte that is not part of a word. It may run on past
 * the word's end ("refund" fits "refunds", "late" does not fit "chocolate").
 */
static bool
has_word_start(const char *text, const char *keyword)
{
	for (const char *p = strstr(text, keyword); p != NULL; p = strstr(p + 1, keyword)) {
		if (p == text || !is_word_byte((unsigned char)p[-1]))
			return true;
	}
	return false;
}

/* match.keywords: any keyword at the start of a word of the folded text. */
static bool
keywords_fit(const struct compiled_policy *cp, const char *folded_text)
{
	size_t n = cp->cfg->match.keywords.n;

	if (n == 0)
		return true;
	if (folded_text == NULL)
		return false;
	for (size_t k = 0; k < n; k++) {
		if (has_word_start(folded_text, cp->keywords[k]))
			return true;
	}
	return false;
}

/* match.sources, match.platforms and match.labels: facts about the source. */
static bool
source_fits(const struct rw_policy_match *m, const struct rw_source_config *src)
{
	if (m->sources.n == 0 && m->platforms.n == 0 && m->labels.n == 0)
		return true;
	if (src == NULL)
		return false;
	if (m->sources.n > 0 && !strlist_has(&m->sources, src->name))
		return false;
	if (m->platforms.n > 0 && !strlist_has(&m->platforms, rw_source_type_name(src->type)))
		return false;
	for (size_t i = 0; i < m->labels.n; i++) {
		const char *v = label_value(&src->labels, m->labels.items[i].key);

		if (v == NULL || strcmp(v, m->labels.items[i].value) != 0)
			return false;
	}
	return true;
}

/* match.kind, match.min_followers and match.max_rating: facts about the item. */
static bool
item_fits(const struct rw_policy_match *m, const struct rw_item *item)
{
	/* An item that does not say what it is counts as a mention. */
	unsigned kind = item->kind != 0 ? item->kind : RW_KIND_MENTION;

	if (m->kinds != 0 && (m->kinds & kind) == 0)
		return false;
	if (m->has_min_followers &&
	    (!item->has_followers || item->author_followers < m->min_followers))
		return false;
	if (m->has_max_rating && (!item->has_rating || item->rating > m->max_rating))
		return false;
	return true;
}

const struct rw_policy_config *
rw_policy_match(const struct rw_policy_set *set, const struct rw_source_config *src,
		const struct rw_item *item, const char *folded_text)
{
	if (set == NULL || item == NULL)
		return NULL;
	for (size_t i = 0; i < set->npolicies; i++) {
		const struct compiled_policy *cp = &set->policies[i];

		/* The keyword search is the costly test: it goes last. */
		if (source_fits(&cp->cfg->match, src) && item_fits(&cp->cfg->match, item) &&
		    keywords_fit(cp, folded_text))
			return cp->cfg;
	}
	return NULL;
}

struct rw_calendar *
rw_policy_calendar(const struct rw_policy_set *set, const struct rw_policy_config *policy)
{
	if (set == NULL || policy == NULL)
		return NULL;
	for (size_t i = 0; i < set->npolicies; i++) {
		if (set->policies[i].cfg == policy)
			return set->policies[i].calendar;
	}
	return NULL;
}

void
rw_policy_set_free(struct rw_policy_set *set)
{
	if (set == NULL)
		return;
	for (size_t i = 0; i < set->npolicies; i++) {
		struct compiled_policy *cp = &set->policies[i];

		for (size_t k = 0; cp->keywords != NULL && k < cp->cfg->match.keywords.n; k++)
			free(cp->keywords[k]);
		free(cp->keywords);
	}
	for (size_t i = 0; i < set->ncalendars; i++)
		rw_calendar_free(set->calendars[i].cal);
	free(set->policies);
	free(set->calendars);
	free(set);
}
