/*
 * rwtest: helpers for the integration tests — a real redis-server on a free
 * loopback port in a temporary directory, the real replywatchd as a child
 * process, and real HTTP over loopback through libcurl.
 *
 * Every helper fails the current Criterion test (cr_assert) when it cannot
 * do its job, so tests read as a list of steps.
 */
#ifndef RWTEST_H
#define RWTEST_H

#include <hiredis/hiredis.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* A scratch directory, removed with everything in it by rwt_tmpdir_remove. */
char *rwt_tmpdir_new(void);
void rwt_tmpdir_remove(char *dir);

/* Writes text to dir/name and returns the path (caller frees). */
char *rwt_write_file(const char *dir, const char *name, const char *text);

/* A TCP port on 127.0.0.1 that was free a moment ago. */
int rwt_free_port(void);

/* Polls cond(arg) every 10 ms until it is true or timeout_s passes. */
bool rwt_wait_until(bool (*cond)(void *arg), void *arg, double timeout_s);

struct rwt_redis {
	char *dir;
	int port;
	pid_t pid;
	char *password;    /* requirepass, or NULL */
	char *socket_path; /* its unix socket, dir/redis.sock */
};

/* Starts redis-server on a free port in a new temp dir (no persistence). */
void rwt_redis_start(struct rwt_redis *r, const char *password);
/* Stops the server (SIGTERM, waits). The port and dir stay for a restart. */
void rwt_redis_stop(struct rwt_redis *r);
/* Starts it again on the same port and dir. */
void rwt_redis_restart(struct rwt_redis *r);
/* Stops it and removes its dir. */
void rwt_redis_destroy(struct rwt_redis *r);
/* A blocking connection for the test's own checks (caller frees). */
redisContext *rwt_redis_connect(const struct rwt_redis *r);

struct rwt_daemon {
	pid_t pid;
	char *log_path; /* stderr of the daemon */
	char *config_path;
	int http_port;
	char *token;     /* bearer token for requests, or NULL */
	bool test_clock; /* set before start: run with --test-clock (rwt_clock_advance) */
	/* rwt_wait moves the test clock forward by this between its checks;
	 * 0: it waits in real time. */
	int64_t clock_step_s;
};

/* Starts RW_DAEMON_PATH -c config_path (and --test-clock when d->test_clock)
 * with extra environment entries ("NAME=value", NULL-terminated, may be
 * NULL); waits until /healthz answers. */
void rwt_daemon_start(struct rwt_daemon *d, const char *config_path, int http_port,
		      char *const extra_env[]);
/* Waits up to timeout_s until the daemon's /readyz answers 200 (it is
 * connected to Redis); fails the test otherwise. */
void rwt_daemon_wait_ready(const struct rwt_daemon *d, double timeout_s);
/* Moves the clock of d (started with test_clock) forward by seconds
 * through POST /_test/clock: every product wait (polls, backoff, deadlines,
 * alert retries and repeats) comes that much closer at once. Fails the test
 * unless the daemon answers 200. Returns the daemon's new now in ms. */
int64_t rwt_clock_advance(const struct rwt_daemon *d, int64_t seconds);
/* Like rwt_wait_until, but moves d's clock forward by step_s between
 * checks (one advance every 0.1 s): for a condition that comes after
 * product waits (backoff, poll_every, alert retries and repeats), which the
 * daemon then reaches in a fraction of the real time. */
bool rwt_wait_advancing(const struct rwt_daemon *d, int64_t step_s, bool (*cond)(void *arg),
			void *arg, double timeout_s);
/* rwt_wait_advancing with d->clock_step_s when set, rwt_wait_until
 * otherwise: the wait of helpers a test can speed up by setting the step. */
bool rwt_wait(const struct rwt_daemon *d, bool (*cond)(void *arg), void *arg, double timeout_s);
/* Sends sig. */
void rwt_daemon_signal(struct rwt_daemon *d, int sig);
/* Waits up to timeout_s for the daemon to exit; returns its wait status,
 * or -1 on timeout. */
int rwt_daemon_wait(struct rwt_daemon *d, double timeout_s);
/* Stops a running daemon with SIGTERM and fails the test unless it exits 0
 * within 5 s (under ASan a leak makes the exit status non-zero). */
void rwt_daemon_stop_clean(struct rwt_daemon *d);
/* Kills the daemon if still running and frees what start allocated. */
void rwt_daemon_cleanup(struct rwt_daemon *d);
/* The daemon's stderr so far (caller frees). */
char *rwt_daemon_log(const struct rwt_daemon *d);
/* True when the log contains needle. */
bool rwt_daemon_log_contains(const struct rwt_daemon *d, const char *needle);

struct rwt_response {
	long status; /* 0 when the request failed at the transport level */
	char *body;  /* NUL-terminated, caller frees via rwt_response_free */
	size_t len;
	char *headers; /* the raw response header block */
};

/* One HTTP request to 127.0.0.1:port. token: bearer token or NULL. body may be
 * NULL. Never asserts on status, only on transport setup. */
struct rwt_response rwt_http(int port, const char *method, const char *path, const char *token,
			     const char *body);
void rwt_response_free(struct rwt_response *r);
/* GET path as parsed JSON (caller decrefs); NULL unless the answer is 200. */
struct json_t *rwt_get_json(int port, const char *path, const char *token);

/* Writes dir/replywatch.json for redis r and http_port and returns its path
 * (caller frees). http_extra is spliced into the "http" object and top_extra
 * into the top level (each starts with a comma, or is ""). */
char *rwt_write_config(const char *dir, const struct rwt_redis *r, int http_port,
		       const char *http_extra, const char *top_extra);

/* A copy of text with every ' turned into " (caller frees): JSON in C
 * strings without escapes. */
char *rwt_json_quotes(const char *text);

/* The lines of a failed configuration load, each on its own indented line,
 * for failure messages (caller frees). */
struct rw_config_errors;
char *rwt_config_errors_text(const struct rw_config_errors *errs);

/* text percent-encoded for a query string (caller frees). */
char *rwt_url_escape(const char *text);

/* A UTC instant in ms from a civil date and time (timegm: TZ is ignored). */
int64_t rwt_utc_ms(int y, int mo, int d, int h, int mi);

/* Forks and execs argv (argv[0] an absolute path) with env, stdout and
 * stderr appended to out_path (or /dev/null); the child dies with the test. */
pid_t rwt_spawn(char *const argv[], char *const env[], const char *out_path);

/* The fake platform server (tests/fakes, RW_FAKE_PATH) on a free port. */
struct rwt_fake {
	pid_t pid;
	int port;
	char *dir;     /* its scratch dir: out.log holds its stdout and stderr */
	char base[64]; /* "http://127.0.0.1:PORT" */
};

/* Starts rwfake with extra arguments (NULL-terminated, may be NULL) and
 * waits until it listens. */
void rwt_fake_start(struct rwt_fake *f, char *const extra_args[]);
/* Stops it with SIGTERM and fails the test unless it exits 0. */
void rwt_fake_stop(struct rwt_fake *f);
/* A control call: method on path (e.g. "/_fake/x/mention") with a JSON body
 * (' for ", may be NULL); fails the test unless the status is 2xx. Returns
 * the parsed answer (caller decrefs). */
struct json_t;
struct json_t *rwt_fake_call(const struct rwt_fake *f, const char *method, const char *path,
			     const char *body);
/* Lifts platform's request limit at f (rate_limit 1000000 through
 * /_fake/PLATFORM/config) so that only a test that sets a limit meets one;
 * fails the test unless the fake accepts. */
void rwt_fake_unlimit(const struct rwt_fake *f, const char *platform);
/* The platform requests the fake has logged for platform and endpoint
 * (either may be NULL: all). Caller decrefs. */
struct json_t *rwt_fake_requests(const struct rwt_fake *f, const char *platform,
				 const char *endpoint);

/* What most integration suites run on: a scratch dir, a redis-server, the
 * fake platform server (when asked for) and a daemon started later by the
 * test. */
struct rwt_stack {
	char *dir;
	struct rwt_redis redis;
	struct rwt_fake fake;
	struct rwt_daemon daemon;
};

/* Makes the dir and starts Redis, and rwfake when with_fake. */
void rwt_stack_up(struct rwt_stack *s, bool with_fake);
/* Stops the daemon cleanly (failing the test unless it exits 0), then
 * rwfake and Redis, and removes the dir. */
void rwt_stack_down(struct rwt_stack *s);
/* Writes s->dir/replywatch.json for s->redis (rwt_write_config, top_extra
 * spliced into the top level: starts with a comma, or "") and starts the
 * daemon on it, then waits until it is ready (5 s). The HTTP port is a free
 * one the first time and kept in s->daemon.http_port afterwards, so a
 * restart after rwt_daemon_stop_clean answers where the first run did. */
void rwt_stack_start(struct rwt_stack *s, const char *top_extra);

/* ms as RFC 3339 (rw_time_format), a new string (caller frees). */
char *rwt_iso(int64_t ms);

/* Runs a command, returns its exit status; its output is appended to *out
 * (caller frees) when out is not NULL. */
int rwt_run(char *const argv[], char **out);

#endif
