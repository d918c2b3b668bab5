/*
 * keys.c: every Redis key name the daemon uses, in one table (keys.h says
 * what each key holds; docs/data-model.md has the full layout).
 */
#include <stdio.h>
#include <string.h>

#include "replywatch/keys.h"

#define S RW_KEY_SOURCE
#define A RW_KEY_ARG

/* Indexed by enum rw_key. lua_name is the field of layout.lua's KEY table
 * holding the same suffix, for the keys the scripts name. */
/* clang-format off */
static const struct rw_key_spec specs[RW_KEY_COUNT] = {
	[RW_KEY_OPEN_BUCKET]        = {"ob:",     "open_bucket",        S | A},
	[RW_KEY_OPEN_HASHING]       = {"lh",      "open_hashing",       S},
	[RW_KEY_RESOLVED]           = {"m:",      "resolved",           S | A},
	[RW_KEY_DUE]                = {"due",     "due",                S},
	[RW_KEY_INDEX_BUCKET]       = {"ixb:",    "index_bucket",       S | A},
	[RW_KEY_INDEX_DIRECTORY]    = {"ixd:",    "index_directory",    S | A},
	[RW_KEY_INDEX_COUNTS]       = {"ixn",     "index_counts",       S},
	[RW_KEY_INDEX_SEQUENCE]     = {"ixq",     "index_sequence",     S},
	[RW_KEY_INDEX_POLICIES]     = {"ixp",     "index_policies",     S},
	[RW_KEY_FIRST_LAYOUT_INDEX] = {"ix:",     "first_layout_index", S | A},
	[RW_KEY_CONVERSATION]       = {"cv:",     "conversation",       S | A},
	[RW_KEY_ORPHAN_REPLY]       = {"or:",     "orphan_reply",       S | A},
	[RW_KEY_EVENTS]             = {"ev",      "events",             S},
	[RW_KEY_REPLIES]            = {"rs",      "replies",            S},
	[RW_KEY_COUNTERS]           = {"cnt",     "counters",           S},
	[RW_KEY_CURSORS]            = {"cur",     "cursors",            S},
	[RW_KEY_DAILY_QUOTA]        = {"dq",      NULL,                 S},
	[RW_KEY_DEAD_LETTERS]       = {"dl:",     NULL,                 S | A},
	[RW_KEY_REPEATS]            = {"rp:",     NULL,                 S | A},
	[RW_KEY_WEBHOOK_REMOVALS]   = {"rm",      NULL,                 S},
	[RW_KEY_WEBHOOK_QUEUE]      = {"hq",      NULL,                 S},
	[RW_KEY_WEBHOOK_QUEUE_ATTEMPTS] = {"hqa", NULL,                 S},
	[RW_KEY_CREDENTIAL]         = {"auth",    NULL,                 S},
	[RW_KEY_LEASE]              = {"lease",   "lease",              S},
	[RW_KEY_LEASE_COUNTER]      = {"lease-n", "lease_counter",      S},
	[RW_KEY_ALERTMANAGER]       = {"am:",     NULL,                 A},
	[RW_KEY_REQUEST]            = {"rq:",     NULL,                 A},
	[RW_KEY_READYZ]             = {"readyz",  NULL,                 0},
	[RW_KEY_MEMBERS]            = {"members", NULL,                 0},
};
/* clang-format on */

/* The consumer group prefix of alert targets on an events stream. */
#define ALERT_GROUP "a:"

const struct rw_key_spec *
rw_key_spec(enum rw_key k)
{
	if ((unsigned)k >= RW_KEY_COUNT)
		return NULL;
	return &specs[k];
}

/* buf when snprintf's result n fits len, else NULL. */
static const char *
fitted(char *buf, size_t len, int n)
{
	return n >= 0 && (size_t)n < len ? buf : NULL;
}

const char *
rw_key_base(const char *prefix, const char *source, char *buf, size_t len)
{
	return fitted(buf, len, snprintf(buf, len, "%s{%s}:", prefix, source));
}

const char *
rw_key_name(enum rw_key k, const char *prefix, const char *source, const char *arg, char *buf,
	    size_t len)
{
	const struct rw_key_spec *spec = rw_key_spec(k);
	size_t used;

	if (spec == NULL || prefix == NULL || (arg != NULL) != ((spec->flags & RW_KEY_ARG) != 0))
		return NULL;
	if (spec->flags & RW_KEY_SOURCE) {
		if (source == NULL || rw_key_base(prefix, source, buf, len) == NULL)
			return NULL;
	} else if (fitted(buf, len, snprintf(buf, len, "%s", prefix)) == NULL) {
		return NULL;
	}
	used = strlen(buf);
	if (fitted(buf + used, len - used,
		   snprintf(buf + used, len - used, "%s%s", spec->suffix, arg ? arg : "")) == NULL)
		return NULL;
	return buf;
}

const char *
rw_key_alert_group(const char *target, char *buf, size_t len)
{
	return fitted(buf, len, snprintf(buf, len, ALERT_GROUP "%s", target));
}

const char *
rw_key_request(const char *prefix, const char *target, const char *instance, char *buf, size_t len)
{
	char arg[RW_KEY_SIZE];

	if (target == NULL ||
	    fitted(arg, sizeof(arg),
		   instance ? snprintf(arg, sizeof(arg), "%s:%s", target, instance)
			    : snprintf(arg, sizeof(arg), "%s", target)) == NULL)
		return NULL;
	return rw_key_name(RW_KEY_REQUEST, prefix, NULL, arg, buf, len);
}
