/*
 * log: leveled logging to stderr.
 *
 * Under systemd (JOURNAL_STREAM names our stderr) every line starts with a
 * "<N>" syslog priority so journald files it at the right level; elsewhere a
 * line starts with an RFC 3339 UTC timestamp and the level name.  The level
 * is checked before anything is formatted, so a disabled log_debug() costs a
 * comparison.  None of these functions may be called from a signal handler.
 * Never pass a secret to them.
 */
#ifndef REPLYWATCH_LOG_H
#define REPLYWATCH_LOG_H

#include <stdarg.h>

enum rw_log_level {
	RW_LOG_ERR = 3,
	RW_LOG_WARNING = 4,
	RW_LOG_NOTICE = 5,
	RW_LOG_INFO = 6,
	RW_LOG_DEBUG = 7,
};

#define RW_PRINTF(f, a) __attribute__((format(printf, f, a)))

/* Decides between journald prefixes and timestamps (from JOURNAL_STREAM) and
 * sets the level (RW_LOG_INFO until log_set_level). Safe to call again. */
void log_init(void);

void log_set_level(enum rw_log_level level);
enum rw_log_level log_get_level(void);

/* "debug", "info", "notice", "warning", "error" -> level. Returns 0 or -1. */
int log_level_parse(const char *name, enum rw_log_level *level);
const char *log_level_name(enum rw_log_level level);

/* True when a message at this level would be written. */
int log_enabled(enum rw_log_level level);

void log_debug(const char *fmt, ...) RW_PRINTF(1, 2);
void log_info(const char *fmt, ...) RW_PRINTF(1, 2);
void log_notice(const char *fmt, ...) RW_PRINTF(1, 2);
/* log_warn appends ": strerror(errno)"; log_warnx does not. errno is kept. */
void log_warn(const char *fmt, ...) RW_PRINTF(1, 2);
void log_warnx(const char *fmt, ...) RW_PRINTF(1, 2);
void log_err(const char *fmt, ...) RW_PRINTF(1, 2);
/* Log at error level and exit(1); fatal appends strerror(errno). */
void fatal(const char *fmt, ...) RW_PRINTF(1, 2) __attribute__((noreturn));
void fatalx(const char *fmt, ...) RW_PRINTF(1, 2) __attribute__((noreturn));

void log_vwrite(enum rw_log_level level, const char *fmt, va_list ap) RW_PRINTF(2, 0);

#endif
