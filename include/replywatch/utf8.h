/*
 * utf8: text from outside (error bodies, platform fields) made safe to keep
 * in a JSON string or a log line.
 *
 * Jansson refuses a string that is not valid UTF-8 or holds a NUL, so a
 * message cut inside a multi-byte character would be silently lost where
 * it matters most (a source's last_error, a receiver's answer): every cut
 * goes through here.
 */
#ifndef REPLYWATCH_UTF8_H
#define REPLYWATCH_UTF8_H

#include <stdbool.h>
#include <stddef.h>

/* True when s[0..len) is valid UTF-8 (no overlong forms, no surrogates)
 * without NUL bytes. */
bool rw_utf8_valid(const char *s, size_t len);

/*
 * Copies src[0..srclen) into dst (dstlen > 0 bytes, always NUL-terminated)
 * as valid UTF-8 text: each byte that is not part of a valid sequence, and
 * each control character but tab, becomes '?'; the copy is cut on a
 * character boundary to fit. Returns the length written (without the NUL).
 * src may be NULL when srclen is 0.
 */
size_t rw_utf8_clean(char *dst, size_t dstlen, const char *src, size_t srclen);

#endif
