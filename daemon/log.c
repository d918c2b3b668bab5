/*
 * log.c: leveled logging to stderr, with journald priority prefixes.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "replywatch/log.h"

static enum rw_log_level log_level = RW_LOG_INFO;
static int log_to_journal;

static const char *const level_names[] = {
	[RW_LOG_ERR] = "error", [RW_LOG_WARNING] = "warning", [RW_LOG_NOTICE] = "notice",
	[RW_LOG_INFO] = "info", [RW_LOG_DEBUG] = "debug",
};

/*
 * systemd sets JOURNAL_STREAM to "DEV:INODE" of the stream it connected to
 * stderr. Only when stderr is still that stream do "<N>" prefixes reach
 * journald; a redirected stderr gets plain timestamped lines.
 */
static int
stderr_is_journal(void)
{
	const char *env = getenv("JOURNAL_STREAM");
	unsigned long long dev, ino;
	struct stat st;

	if (env == NULL || sscanf(env, "%llu:%llu", &dev, &ino) != 2)
		return 0;
	if (fstat(STDERR_FILENO, &st) == -1)
		return 0;
	return (unsigned long long)st.st_dev == dev && (unsigned long long)st.st_ino == ino;
}

void
log_init(void)
{
	log_to_journal = stderr_is_journal();
	/* Whole lines at a time, so lines from a test's children do not interleave. */
	setvbuf(stderr, NULL, _IOLBF, 0);
}

void
log_set_level(enum rw_log_level level)
{
	log_level = level;
}

enum rw_log_level
log_get_level(void)
{
	return log_level;
}

int
log_level_parse(const char *name, enum rw_log_level *level)
{
	for (int i = RW_LOG_ERR; i <= RW_LOG_DEBUG; i++) {
		if (strcmp(name, level_names[i]) == 0) {
			*level = (enum rw_log_level)i;
			return 0;
		}
	}
	return -1;
}

const char *
log_level_name(enum rw_log_level level)
{
	if (level < RW_LOG_ERR || level > RW_LOG_DEBUG)
		return "unknown";
	return level_names[level];
}

int
log_enabled(enum rw_log_level level)
{
	return level <= log_level;
}

void
log_vwrite(enum rw_log_level level, const char *fmt, va_list ap)
{
	char line[2048];
	int saved_errno = errno;

	vsnprintf(line, sizeof(line), fmt, ap);
	if (log_to_journal) {
		fprintf(stderr, "<%d>%s\n", (int)level, line);
	} else {
		struct timespec ts;
		struct tm tm;
		char stamp[32];

		clock_gettime(CLOCK_REALTIME, &ts);
		gmtime_r(&ts.tv_sec, &tm);
		strftime(stamp, sizeof(stamp), "%Y-%m-%dT%H:%M:%S", &tm);
		fprintf(stderr, "%s.%03ldZ %s: %s\n", stamp, ts.tv_nsec / 1000000L,
			log_level_name(level), line);
	}
	errno = saved_errno;
}

static void RW_PRINTF(2, 3) log_write(enum rw_log_level level, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_vwrite(level, fmt, ap);
	va_end(ap);
}

/* Writes "fmt: strerror(errno)" as one line at level. */
static void RW_PRINTF(2, 0) log_with_errno(enum rw_log_level level, const char *fmt, va_list ap)
{
	char msg[1800];
	int saved_errno = errno;

	vsnprintf(msg, sizeof(msg), fmt, ap);
	log_write(level, "%s: %s", msg, strerror(saved_errno));
	errno = saved_errno;
}

#define LOG_AT(level)                                                                              \
	do {                                                                                       \
		va_list ap;                                                                        \
		if (!log_enabled(level))                                                           \
			return;                                                                    \
		va_start(ap, fmt);                                                                 \
		log_vwrite(level, fmt, ap);                                                        \
		va_end(ap);                                                                        \
	} while (0)

void
log_debug(const char *fmt, ...)
{
	LOG_AT(RW_LOG_DEBUG);
}

void
log_info(const char *fmt, ...)
{
	LOG_AT(RW_LOG_INFO);
}

void
log_notice(const char *fmt, ...)
{
	LOG_AT(RW_LOG_NOTICE);
}

void
log_warnx(const char *fmt, ...)
{
	LOG_AT(RW_LOG_WARNING);
}

void
log_err(const char *fmt, ...)
{
	LOG_AT(RW_LOG_ERR);
}

void
log_warn(const char *fmt, ...)
{
	va_list ap;

	if (!log_enabled(RW_LOG_WARNING))
		return;
	va_start(ap, fmt);
	log_with_errno(RW_LOG_WARNING, fmt, ap);
	va_end(ap);
}

void
fatal(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_with_errno(RW_LOG_ERR, fmt, ap);
	va_end(ap);
	exit(1);
}

void
fatalx(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_vwrite(RW_LOG_ERR, fmt, ap);
	va_end(ap);
	exit(1);
}
