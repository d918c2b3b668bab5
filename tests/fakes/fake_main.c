/*
 * rwfake: fake platform APIs (fake_platforms[]) on 127.0.0.1 for
 * replywatch's integration tests and demo. main() only wires: options (each
 * platform's credential flags come from its descriptor), state, the
 * optional simulator, the HTTP server; then it waits for SIGTERM/SIGINT and
 * tears everything down in reverse order.
 */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fake.h"

#define OPT_PLATFORM 256 /* getopt values from here on: platform options */
#define NFIXED 7         /* the options below that are not a platform's */
#define NOPTS (NFIXED + FAKE_MAX_PLATFORMS * FAKE_MAX_OPTIONS + 1)

/* Flag names of the platform options: --{platform}-{key}. */
static char flags[FAKE_MAX_PLATFORMS * FAKE_MAX_OPTIONS][64];

static void
usage(FILE *out)
{
	fprintf(out, "usage: rwfake [--port N] [--simulate] [--rate PER_MIN] [--seed N]\n"
		     "              [--history SECONDS] [--access-ttl SECONDS]\n");
	for (size_t p = 0; p < fake_nplatforms; p++) {
		const struct fake_option_def *o = fake_platforms[p]->options;

		for (size_t i = 0; i < FAKE_MAX_OPTIONS && o[i].key != NULL; i++)
			fprintf(out, "%s[--%s-%s %s]%s", i ? " " : "              ",
				fake_platforms[p]->name, o[i].key, o[i].metavar,
				i + 1 < FAKE_MAX_OPTIONS && o[i + 1].key != NULL ? "" : "\n");
	}
}

/* Appends every platform's credential options to longopts (n entries so
 * far, room for NOPTS) and sets their defaults in opt. */
static void
platform_options(struct option *longopts, size_t n, struct fake_options *opt)
{
	for (size_t p = 0; p < fake_nplatforms; p++) {
		const struct fake_option_def *o = fake_platforms[p]->options;

		for (size_t i = 0; i < FAKE_MAX_OPTIONS && o[i].key != NULL; i++) {
			int k = (int)(p * FAKE_MAX_OPTIONS + i);

			snprintf(flags[k], sizeof(flags[k]), "%s-%s", fake_platforms[p]->name,
				 o[i].key);
			longopts[n++] = (struct option){flags[k], required_argument, NULL,
							OPT_PLATFORM + k};
			opt->cred[p][i] = o[i].value;
		}
	}
	longopts[n] = (struct option){NULL, 0, NULL, 0};
}

/* Parses a number in [min, max]; -1 when text is not one. */
static int
number(const char *text, double min, double max, double *out)
{
	char *end;

	errno = 0;
	*out = strtod(text, &end);
	if (errno != 0 || end == text || *end != '\0' || *out < min || *out > max)
		return -1;
	return 0;
}

/* Fills opt from argv; returns 0, 1 (--help) or -1 (bad usage, reported). */
static int
parse_args(int argc, char **argv, struct fake_options *opt)
{
	static struct option longopts[NOPTS] = {
		{"port", required_argument, NULL, 'p'},
		{"simulate", no_argument, NULL, 's'},
		{"rate", required_argument, NULL, 'r'},
		{"seed", required_argument, NULL, 'S'},
		{"history", required_argument, NULL, 'H'},
		{"access-ttl", required_argument, NULL, 'a'},
		{"help", no_argument, NULL, 'h'},
	};
	double v;
	int c, idx = 0;

	*opt = (struct fake_options){
		.rate = 6,
		.seed = 1,
		.history_s = 1800,
		.access_ttl_s = 7200,
	};
	platform_options(longopts, NFIXED, opt);
	while ((c = getopt_long(argc, argv, "", longopts, &idx)) != -1) {
		switch (c) {
		case 'p':
			if (number(optarg, 0, 65535, &v) == -1)
				goto bad;
			opt->port = (unsigned)v;
			break;
		case 's':
			opt->simulate = true;
			break;
		case 'r':
			if (number(optarg, 0, 100000, &opt->rate) == -1)
				goto bad;
			break;
		case 'S':
			if (number(optarg, 0, 9007199254740992.0, &v) == -1)
				goto bad;
			opt->seed = (uint64_t)v;
			break;
		case 'H':
			if (number(optarg, 0, 86400, &v) == -1)
				goto bad;
			opt->history_s = (long)v;
			break;
		case 'a':
			if (number(optarg, 1, 31536000, &v) == -1)
				goto bad;
			opt->access_ttl_s = (long)v;
			break;
		case 'h':
			usage(stdout);
			return 1;
		default:
			if (c < OPT_PLATFORM ||
			    c >= OPT_PLATFORM + FAKE_MAX_PLATFORMS * FAKE_MAX_OPTIONS) {
				usage(stderr);
				return -1;
			}
			c -= OPT_PLATFORM;
			opt->cred[c / FAKE_MAX_OPTIONS][c % FAKE_MAX_OPTIONS] = optarg;
			break;
		}
	}
	if (optind < argc) {
		usage(stderr);
		return -1;
	}
	return 0;
bad:
	fprintf(stderr, "rwfake: bad value for --%s: %s\n", longopts[idx].name, optarg);
	return -1;
}

int
main(int argc, char **argv)
{
	struct fake_options opt;
	struct fake_state st;
	struct fake_http *http = NULL;
	struct fake_sim *sim = NULL;
	sigset_t sigs;
	char err[128];
	int rc, sig = 0;

	rc = parse_args(argc, argv, &opt);
	if (rc != 0)
		return rc == 1 ? 0 : 2;
	/* Every thread started below inherits the blocked signals; main waits for them. */
	sigemptyset(&sigs);
	sigaddset(&sigs, SIGTERM);
	sigaddset(&sigs, SIGINT);
	if (signal(SIGPIPE, SIG_IGN) == SIG_ERR || pthread_sigmask(SIG_BLOCK, &sigs, NULL) != 0) {
		fprintf(stderr, "rwfake: cannot set up signals\n");
		return 1;
	}
	if (fake_state_init(&st, &opt) == -1) {
		fprintf(stderr, "rwfake: cannot set up the state\n");
		return 1;
	}
	if (opt.simulate) {
		sim = fake_sim_start(&st, opt.rate, opt.seed);
		if (sim == NULL) {
			fprintf(stderr, "rwfake: cannot start the simulator\n");
			rc = 1;
			goto stop;
		}
	}
	http = fake_http_start(&st, opt.port, err, sizeof(err));
	if (http == NULL) {
		fprintf(stderr, "rwfake: %s\n", err);
		rc = 1;
		goto stop;
	}
	printf("rwfake listening on 127.0.0.1:%u\n", fake_http_port(http));
	if (fflush(stdout) == EOF) {
		rc = 1;
		goto stop;
	}
	while (sigwait(&sigs, &sig) != 0)
		;
stop:
	pthread_mutex_lock(&st.lock);
	st.stopping = true;
	pthread_cond_broadcast(&st.wake);
	pthread_mutex_unlock(&st.lock);
	fake_sim_stop(sim);
	fake_http_stop(http);
	fake_state_free(&st);
	return rc;
}
