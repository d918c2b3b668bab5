/*
 * policy: which SLA policy applies to a mention, and the text folding that
 * keyword matching uses.
 *
 * A policy set is built from a configuration: keywords are folded once, each
 * policy's calendar is compiled once. Matching is pure: first policy in file
 * order whose every given match key fits wins; none means "tracked without an
 * SLA".
 */
#ifndef REPLYWATCH_POLICY_H
#define REPLYWATCH_POLICY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct rw_config;
struct rw_policy_config;
struct rw_source_config;
struct rw_calendar;
struct rw_item;
struct rw_policy_set;

/*
 * Folds UTF-8 text for case- and accent-insensitive matching: ICU's
 * Latin-ASCII transliteration ("Zażółć" -> "Zazolc", "Straße" -> "Strasse",
 * "ø" -> "o", "đ" -> "d") followed by case folding, so "ÉCHEC" and "echec"
 * fold alike. Invalid UTF-8 is replaced, never rejected. Returns a new string
 * (caller frees) or NULL on allocation failure.
 */
char *rw_text_fold(const char *utf8);

/* Builds the set for cfg (borrowed: cfg must outlive the set). Returns NULL
 * with a reason in err on failure (ICU or a calendar could not load). */
struct rw_policy_set *rw_policy_set_new(const struct rw_config *cfg, char *err, size_t errlen);

/*
 * The first policy that matches item from src, or NULL. folded_text is
 * rw_text_fold(item->text) (or NULL for no text), computed once by the
 * caller. Keywords match at the start of a word of the folded text: "refund"
 * matches "Refunds!" but "late" does not match "chocolate".
 */
const struct rw_policy_config *rw_policy_match(const struct rw_policy_set *set,
					       const struct rw_source_config *src,
					       const struct rw_item *item, const char *folded_text);

/* The compiled calendar of policy (borrowed from the set), or NULL when the
 * policy counts every second. */
struct rw_calendar *rw_policy_calendar(const struct rw_policy_set *set,
				       const struct rw_policy_config *policy);

void rw_policy_set_free(struct rw_policy_set *set);

/*
 * Added with the implementation: opens the ICU transliterator rw_text_fold
 * uses, once per process (later calls return 0 at once). Returns 0, or -1
 * with ICU's reason in err; rw_text_fold then returns NULL. rw_policy_set_new
 * calls it first so that a broken ICU installation is reported by name
 * rather than as a failed fold. Not thread-safe; replywatchd has one thread.
 */
int rw_text_fold_init(char *err, size_t errlen);

#endif
