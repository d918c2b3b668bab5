/*
 * main.c: replywatchd's command line, start-up order, signals and teardown.
 * Wiring only: the work is in the modules.
 */
#include <ev.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <curl/curl.h>

#include "replywatch/authorize.h"
#include "replywatch/config.h"
#include "replywatch/daemon.h"
#include "replywatch/log.h"
#include "replywatch/trysource.h"

static void
usage(FILE *out)
{
	fprintf(out,
		"usage: replywatchd [-c FILE]              run in the foreground\n"
		"       replywatchd --check-config [-c FILE] validate FILE and exit\n"
		"       replywatchd --try-source NAME [-c FILE]\n"
		"                   fetch one page of source NAME, print its items; store nothing\n"
		"       replywatchd --authorize SOURCE [-c FILE] sign SOURCE in (device flow)\n"
		"       replywatchd --version\n"
		"FILE defaults to %s\n",
		RW_CONFIG_DEFAULT_PATH);
}

/* Loads path; on failure prints every error line to stderr and returns NULL. */
static struct rw_config *
load_config(const char *path, bool plain)
{
	struct rw_config_errors errs = {0};
	struct rw_config *cfg = rw_config_load_file(path, &errs);

	for (size_t i = 0; i < errs.n; i++) {
		if (plain)
			fprintf(stderr, "%s\n", errs.lines[i]);
		else
			log_err("%s", errs.lines[i]);
	}
	rw_config_errors_clear(&errs);
	return cfg;
}

/* --try-source: exit codes in trysource.h. */
static int
try_source(const char *path, const char *name)
{
	struct rw_config *cfg = load_config(path, true);
	int rc;

	if (cfg == NULL)
		return RW_TRY_CONFIG;
	/* stdout is the answer: the log (stderr) says only what went wrong,
	 * unless the configuration asks for debug. */
	log_set_level(cfg->log_level == RW_LOG_DEBUG ? RW_LOG_DEBUG : RW_LOG_WARNING);
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
		rw_config_free(cfg);
		fprintf(stderr, "curl_global_init failed\n");
		return RW_TRY_FETCH;
	}
	rc = rw_try_source(cfg, name, stdout, stderr);
	rw_config_free(cfg);
	curl_global_cleanup();
	return rc;
}

static void
on_terminate(struct ev_loop *loop, ev_signal *w, int revents)
{
	(void)loop;
	(void)revents;
	log_info("received %s", strsignal(w->signum));
	rw_daemon_shutdown(w->data);
}

static void
on_hangup(struct ev_loop *loop, ev_signal *w, int revents)
{
	(void)loop;
	(void)revents;
	rw_daemon_reload(w->data);
}

int
main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{"config", required_argument, NULL, 'c'},
		{"check-config", no_argument, NULL, 'n'},
		{"try-source", required_argument, NULL, 't'},
		{"version", no_argument, NULL, 'V'},
		{"authorize", required_argument, NULL, 'A'},
		{"help", no_argument, NULL, 'h'},
		/* Hidden (not in usage): the integration tests' movable clock,
		 * docs/testing.md. */
		{"test-clock", no_argument, NULL, 'T'},
		{NULL, 0, NULL, 0},
	};
	const char *path = RW_CONFIG_DEFAULT_PATH;
	bool check_only = false;
	const char *try_name = NULL;
	const char *authorize = NULL;
	unsigned flags = 0;
	struct rw_config *cfg;
	struct rw_daemon *d;
	struct ev_loop *loop;
	ev_signal sigterm, sigint, sighup;
	char err[300];
	int ch;

	while ((ch = getopt_long(argc, argv, "c:nVh", longopts, NULL)) != -1) {
		switch (ch) {
		case 'c':
			path = optarg;
			break;
		case 'n':
			check_only = true;
			break;
		case 't':
			try_name = optarg;
			break;
		case 'V':
			printf("replywatchd %s\n", RW_VERSION);
			return 0;
		case 'h':
			usage(stdout);
			return 0;
		case 'T':
			flags |= RW_DAEMON_TEST_CLOCK;
			break;
		case 'A':
			authorize = optarg;
			break;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (optind != argc) {
		usage(stderr);
		return 2;
	}
	log_init();
	if (try_name != NULL)
		return try_source(path, try_name);
	cfg = load_config(path, check_only || authorize != NULL);
	if (authorize != NULL) {
		int r = RW_AUTHORIZE_CONFIG;

		if (cfg != NULL && curl_global_init(CURL_GLOBAL_DEFAULT) == CURLE_OK) {
			r = rw_authorize_run(cfg, authorize, stdout, stderr);
			curl_global_cleanup();
		}
		rw_config_free(cfg);
		return r;
	}
	if (check_only) {
		if (cfg == NULL)
			return 1;
		printf("configuration OK\n");
		rw_config_free(cfg);
		return 0;
	}
	if (cfg == NULL) {
		log_err("cannot start: %s is not a valid configuration", path);
		return 1;
	}
	log_set_level(cfg->log_level);

	/* hiredis and libcurl write to sockets whose peers may vanish. */
	signal(SIGPIPE, SIG_IGN);
	srandom((unsigned)time(NULL) ^ (unsigned)getpid());
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
		fatalx("curl_global_init failed");
	loop = ev_default_loop(EVFLAG_AUTO);
	if (loop == NULL)
		fatalx("cannot create the event loop");

	d = rw_daemon_start(loop, path, cfg, flags, err, sizeof(err));
	if (d == NULL) {
		rw_config_free(cfg);
		fatalx("cannot start: %s", err);
	}
	ev_signal_init(&sigterm, on_terminate, SIGTERM);
	ev_signal_init(&sigint, on_terminate, SIGINT);
	ev_signal_init(&sighup, on_hangup, SIGHUP);
	sigterm.data = sigint.data = sighup.data = d;
	ev_signal_start(loop, &sigterm);
	ev_signal_start(loop, &sigint);
	ev_signal_start(loop, &sighup);

	ev_run(loop, 0);

	ev_signal_stop(loop, &sigterm);
	ev_signal_stop(loop, &sigint);
	ev_signal_stop(loop, &sighup);
	rw_daemon_free(d);
	ev_loop_destroy(loop);
	curl_global_cleanup();
	log_info("stopped");
	return 0;
}
