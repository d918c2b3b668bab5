/*
 * secret: resolving secret references and holding their values.
 *
 * A reference is "env:NAME" (an environment variable), "file:PATH" (a file's
 * content), "cred:NAME" (the file NAME in $CREDENTIALS_DIRECTORY, as systemd's
 * LoadCredential= provides), or any other string, taken literally. One
 * trailing "\n" or "\r\n" of a file is dropped. Values are wiped with
 * explicit_bzero before their memory is freed. No function here ever puts a
 * value into an error message; errors name only the variable, file or
 * credential.
 */
#ifndef REPLYWATCH_SECRET_H
#define REPLYWATCH_SECRET_H

#include <stdbool.h>
#include <stddef.h>

struct rw_secret;

/* Resolves ref. Returns a new secret (free with rw_secret_free), or NULL with
 * a message in err (e.g. "environment variable X_TOKEN is not set") when the
 * variable is unset, the file cannot be read, $CREDENTIALS_DIRECTORY is unset,
 * or the value is empty. Reads files synchronously: call at load time only. */
struct rw_secret *rw_secret_resolve(const char *ref, char *err, size_t errlen);

/* A secret holding exactly value (copied). NULL on allocation failure. */
struct rw_secret *rw_secret_from_literal(const char *value);

/* The value, NUL-terminated; borrowed, valid until rw_secret_free. */
const char *rw_secret_value(const struct rw_secret *s);
size_t rw_secret_len(const struct rw_secret *s);

/* Where the value came from, safe to print: "env:NAME", "file:PATH",
 * "cred:NAME" or "literal". Borrowed. */
const char *rw_secret_origin(const struct rw_secret *s);

/* Compares candidate with the value in time that depends only on the
 * candidate's length, not on where they differ. */
bool rw_secret_matches(const struct rw_secret *s, const char *candidate, size_t len);

/* True when both hold the same value (used to tell whether a reload changed
 * anything). NULL equals NULL. */
bool rw_secret_equal(const struct rw_secret *a, const struct rw_secret *b);

/* Wipes and frees. Accepts NULL. */
void rw_secret_free(struct rw_secret *s);

#endif
