/*
 * alertfmt_internal.h: what the alert formats (alertfmt_*.c) share — reading
 * an EVENT object into its facts, error messages, durations, one-line text
 * and a small growable string. Not part of any public header.
 */
#ifndef RW_ALERTFMT_INTERNAL_H
#define RW_ALERTFMT_INTERNAL_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum rw_af_type {
	RW_AF_WARNING,
	RW_AF_BREACH,
	RW_AF_ESCALATION,
	RW_AF_RESOLVED,
	RW_AF_EXPIRED,
	RW_AF_SOURCE_DOWN,
	RW_AF_SOURCE_UP,
};

/*
 * The facts of one event as the formats use them. Every pointer is
 * borrowed from the event; absent facts are NULL (strings) or false (the
 * has_ flags). For source events source/platform come from the "source"
 * object and key, author, url, text and policy are NULL.
 */
struct rw_af_event {
	const json_t *event;
	enum rw_af_type type;
	const char *type_name; /* "breach" */
	bool is_source;        /* source_down or source_up */
	const char *at, *due;
	const char *key;      /* the mention key */
	const char *source;   /* the source name (always set) */
	const char *platform; /* mention platform, or source type */
	const char *kind, *author, *url, *text, *created_at;
	const char *state, *last_error; /* source events */
	const json_t *labels;           /* an object, or NULL */
	const char *policy;             /* the policy name, or NULL */
	bool has_warn_after, has_breach_after;
	double warn_after, breach_after;
	bool has_age, has_business_age, has_response;
	double age, business_age, response;
	int64_t level; /* 0: none */
};

/* The longest summary line, in characters (PagerDuty's payload.summary). */
#define RW_AF_SUMMARY_MAX 1024

/*
 * Reads event into *e. where names it in messages ("events[2]"). Returns 0,
 * or -1 with err set when it is not an object, its type is missing or
 * unknown, a mention event has no mention key or source, or a source event
 * no source name.
 */
int rw_af_read(const json_t *event, const char *where, struct rw_af_event *e, char *err,
	       size_t errlen);

/* Checks that events is an array of events rw_af_read accepts. Returns 0,
 * or -1 with err naming the first bad one ("events[2]: ..."). */
int rw_af_check_events(const json_t *events, char *err, size_t errlen);

/* Reads event number i of a list rw_af_check_events passed. */
void rw_af_read_checked(const json_t *events, size_t i, struct rw_af_event *e);

/* Formats into err (which may be NULL or errlen 0). */
void rw_af_err(char *err, size_t errlen, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* seconds as "45s", "12m 05s", "1h 02m", "2d 3h" into buf (negative: 0s).
 * Returns buf. */
char *rw_af_duration(double seconds, char *buf, size_t len);

/* How an event is headed: "SLA breached", "SLA escalation, level 2". Returns buf. */
char *rw_af_title(const struct rw_af_event *e, char *buf, size_t len);

/* The author as a handle: "@ann" (no second @, no @ before a name with a
 * space), cut to fit buf at a character boundary, or NULL when the event
 * has no author. Returns buf or NULL. A buf of RW_AF_HANDLE_MAX holds more
 * than the 100 characters any format shows of a name, so rw_af_line still
 * sees (and marks) a longer one as cut. */
#define RW_AF_HANDLE_MAX 512
const char *rw_af_handle(const struct rw_af_event *e, char *buf, size_t len);

/*
 * A copy of s on one line: control characters become spaces and, past
 * max_chars characters (UTF-8 code points), the text is cut at a character
 * boundary and ends in "…". s NULL gives "". Caller frees; NULL when out of
 * memory.
 */
char *rw_af_line(const char *s, size_t max_chars);

/* The summary line of a read event (see rw_alertfmt_summary). */
char *rw_af_summary(const struct rw_af_event *e);

/* A time as RFC 3339 UTC with milliseconds into buf (at least 32 bytes). */
char *rw_af_time(int64_t ms, char *buf, size_t len);

/* A growable NUL-terminated string. A failed append marks it failed and
 * every later append does nothing; take then gives NULL. */
struct rw_af_buf {
	char *p;
	size_t len, cap;
	bool failed;
};

void rw_af_buf_add(struct rw_af_buf *b, const char *s);
void rw_af_buf_addn(struct rw_af_buf *b, const char *s, size_t n);
void rw_af_buf_addf(struct rw_af_buf *b, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* The text (caller frees), or NULL when an append failed; b is emptied. */
char *rw_af_buf_take(struct rw_af_buf *b);
void rw_af_buf_free(struct rw_af_buf *b);

#endif
