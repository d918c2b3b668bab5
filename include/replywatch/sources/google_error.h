/*
 * google_error: Google APIs' error envelope, shared by the Google Business
 * Profile and Google Play parsers. Pure: no I/O.
 *
 *   {"error": {"code": 429, "status": "RESOURCE_EXHAUSTED",
 *              "message": "...", "details": [...]}}
 *
 * The message is not kept: it may quote the request, and the connector
 * decides from the code and the status alone.
 */
#ifndef REPLYWATCH_GOOGLE_ERROR_H
#define REPLYWATCH_GOOGLE_ERROR_H

#include <stddef.h>

/* Longest status kept (Google's are upper-case words joined by '_'). */
#define RW_GOOGLE_STATUS_MAX 48

struct rw_google_error {
	int code;                              /* the HTTP status it mirrors; 0 when not given */
	char status[RW_GOOGLE_STATUS_MAX + 1]; /* "RESOURCE_EXHAUSTED"; "" when not given */
};

/* What an error means for the source. */
enum rw_google_error_kind {
	RW_GOOGLE_ERROR_OTHER,        /* anything else: retried with backoff */
	RW_GOOGLE_ERROR_RATE_LIMITED, /* 429 or RESOURCE_EXHAUSTED: over quota */
	RW_GOOGLE_ERROR_AUTH,         /* 401 or UNAUTHENTICATED: renew the token once */
	RW_GOOGLE_ERROR_DENIED,       /* 403 or PERMISSION_DENIED: down, a person must act */
	RW_GOOGLE_ERROR_NOT_FOUND,    /* 404 or NOT_FOUND: the review was deleted */
};

/* Reads body as the envelope into *out. Returns 0 when body is an object
 * whose "error" is an object with a code of 100..599 or a status of
 * RW_GOOGLE_STATUS_MAX upper-case letters, digits and '_' at most (the
 * other one may be missing or unreadable: 0 / ""); -1 otherwise (*out
 * zeroed). */
int rw_google_parse_error(const char *body, size_t len, struct rw_google_error *out);

/* The meaning of err: the status decides when it is one of the four
 * known, else the code. Google uses 429 RESOURCE_EXHAUSTED for quota and
 * 403 PERMISSION_DENIED for a missing grant; the YouTube-style 403 with
 * status RESOURCE_EXHAUSTED counts as rate limited. */
enum rw_google_error_kind rw_google_error_kind(const struct rw_google_error *err);

#endif
