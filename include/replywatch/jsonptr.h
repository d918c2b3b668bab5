/*
 * jsonptr: JSON Pointer (RFC 6901), compiled once and evaluated on Jansson
 * documents. Jansson has no pointer support of its own.
 *
 * A pointer is "" (the whole document) or a sequence of "/token". In a
 * token "~0" stands for "~" and "~1" for "/"; a "~" followed by anything
 * else is an error. On an array a token must be an index written in
 * decimal without leading zeros ("0", "7", "12", not "07" or "+1"); "-"
 * (the element after the last, RFC 6901 section 4) never resolves, since a
 * reader has nothing to find there. On an object a token is a member name,
 * compared byte for byte.
 *
 * Error texts name the token that failed, counting from 1 ("bad escape
 * \"~2\" at token 2", "token 2 \"b\": no such member"); they quote at most
 * 40 bytes of a token, so they stay one short line. The configuration
 * prefixes them with the JSON path of the pointer.
 */
#ifndef REPLYWATCH_JSONPTR_H
#define REPLYWATCH_JSONPTR_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

/* Longest pointer text accepted, in bytes: a configuration value, not data. */
#define RW_JSONPTR_MAX 1024

/* A compiled pointer. Zeroed, or with text NULL, it is "not configured"
 * (rw_jsonptr_set): an optional field the configuration left out. */
struct rw_jsonptr {
	char *text;     /* owned: the pointer as written ("/a~1b/0") */
	char **tokens;  /* owned: the reference tokens, unescaped ("a/b", "0") */
	size_t ntokens; /* 0 for "", the whole document */
};

/* Checks text without keeping anything: true when it is a pointer, else
 * false with the reason in err ("does not start with \"/\"", "bad escape
 * \"~2\" at token 2", "longer than 1024 bytes"). err may be NULL when
 * errlen is 0. */
bool rw_jsonptr_valid(const char *text, char *err, size_t errlen);

/* Compiles text into *ptr (which must be zeroed or cleared). Returns 0, or
 * -1 with *ptr zeroed and the reason in err as rw_jsonptr_valid ("out of
 * memory" on allocation failure). */
int rw_jsonptr_compile(struct rw_jsonptr *ptr, const char *text, char *err, size_t errlen);

/* True when ptr holds a compiled pointer (it was configured). */
bool rw_jsonptr_set(const struct rw_jsonptr *ptr);

/* Frees what ptr owns and zeroes it. Accepts a zeroed pointer. */
void rw_jsonptr_clear(struct rw_jsonptr *ptr);

/* Evaluates ptr on doc. Returns the value it points to (borrowed from doc:
 * valid while doc is), or NULL with the reason in err: "token N \"t\": no
 * such member", "... index out of range (array of M)", "... not an array
 * index", "... \"-\" names no element", "... cannot go into a string"
 * (a number, ...). A JSON null that is there is returned (json_is_null):
 * callers that treat null as absent say so. ptr must be set; doc may be
 * NULL ("no document"). err may be NULL when errlen is 0. */
json_t *rw_jsonptr_get(const struct rw_jsonptr *ptr, const json_t *doc, char *err, size_t errlen);

#endif
