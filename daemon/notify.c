/*
 * notify.c: sd_notify and the watchdog timer.
 */
#include <ev.h>
#include <stdio.h>
#include <stdlib.h>
#include <systemd/sd-daemon.h>
#include <time.h>

#include "replywatch/log.h"
#include "replywatch/notify.h"

struct rw_watchdog {
	struct ev_loop *loop;
	ev_timer timer;
};

static void
notify(const char *state)
{
	int rc = sd_notify(0, state);

	if (rc < 0)
		log_debug("sd_notify failed: %d", rc);
}

void
rw_notify_ready(const char *status)
{
	char msg[512];

	snprintf(msg, sizeof(msg), "READY=1\nSTATUS=%s", status);
	notify(msg);
}

void
rw_notify_reloading(void)
{
	struct timespec ts;
	char msg[128];

	clock_gettime(CLOCK_MONOTONIC, &ts);
	snprintf(msg, sizeof(msg), "RELOADING=1\nMONOTONIC_USEC=%llu",
		 (unsigned long long)ts.tv_sec * 1000000ULL +
			 (unsigned long long)ts.tv_nsec / 1000);
	notify(msg);
}

void
rw_notify_stopping(void)
{
	notify("STOPPING=1\nSTATUS=draining and stopping");
}

void
rw_notify_status(const char *status)
{
	char msg[512];

	snprintf(msg, sizeof(msg), "STATUS=%s", status);
	notify(msg);
}

static void
on_watchdog(struct ev_loop *loop, ev_timer *w, int revents)
{
	(void)loop;
	(void)w;
	(void)revents;
	notify("WATCHDOG=1");
}

struct rw_watchdog *
rw_watchdog_start(struct ev_loop *loop)
{
	uint64_t usec = 0;
	struct rw_watchdog *wd;
	double every;

	if (sd_watchdog_enabled(0, &usec) <= 0 || usec == 0)
		return NULL;
	wd = calloc(1, sizeof(*wd));
	if (wd == NULL) {
		log_warnx("watchdog: out of memory; systemd will restart us when it expires");
		return NULL;
	}
	every = (double)usec / 1e6 / 2;
	wd->loop = loop;
	ev_timer_init(&wd->timer, on_watchdog, 0., every);
	ev_timer_again(loop, &wd->timer);
	notify("WATCHDOG=1");
	log_info("watchdog: pinging systemd every %.1f s", every);
	return wd;
}

void
rw_watchdog_free(struct rw_watchdog *wd)
{
	if (wd == NULL)
		return;
	ev_timer_stop(wd->loop, &wd->timer);
	free(wd);
}
