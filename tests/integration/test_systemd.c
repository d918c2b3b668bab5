/*
 * The sd_notify protocol as systemd sees it: the test plays the service
 * manager with a datagram socket in NOTIFY_SOCKET and a WATCHDOG_USEC, and
 * checks READY=1, the watchdog pings, RELOADING=1/READY=1 around a reload,
 * STOPPING=1, and the STATUS= lines.
 */
#include <criterion/criterion.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "rwtest.h"

static struct rwt_redis redis;
static struct rwt_daemon daemon_;
static char *dir;
static int notify_fd = -1;

static void
setup(void)
{
	dir = rwt_tmpdir_new();
}

static void
teardown(void)
{
	rwt_daemon_cleanup(&daemon_);
	rwt_redis_destroy(&redis);
	if (notify_fd >= 0)
		close(notify_fd);
	rwt_tmpdir_remove(dir);
}

TestSuite(systemd, .init = setup, .fini = teardown, .timeout = 60);

static char *
notify_socket(void)
{
	struct sockaddr_un sun = {.sun_family = AF_UNIX};
	char *env;

	snprintf(sun.sun_path, sizeof(sun.sun_path), "%s/notify.sock", dir);
	notify_fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	cr_assert(notify_fd >= 0);
	cr_assert_eq(bind(notify_fd, (struct sockaddr *)&sun, sizeof(sun)), 0);
	cr_assert(asprintf(&env, "NOTIFY_SOCKET=%s", sun.sun_path) > 0);
	return env;
}

/* The next datagram, or NULL after timeout_s. Caller frees. */
static char *
next_message(double timeout_s)
{
	struct pollfd pfd = {.fd = notify_fd, .events = POLLIN};
	char buf[4096];
	ssize_t n;

	if (poll(&pfd, 1, (int)(timeout_s * 1000)) != 1)
		return NULL;
	n = recv(notify_fd, buf, sizeof(buf) - 1, 0);
	cr_assert(n >= 0);
	buf[n] = '\0';
	return strdup(buf);
}

/* Reads messages until one contains needle; counts watchdog pings seen on
 * the way in *pings (may be NULL). */
static char *
wait_message(const char *needle, double timeout_s, int *pings)
{
	struct timespec start, now;

	clock_gettime(CLOCK_MONOTONIC, &start);
	for (;;) {
		clock_gettime(CLOCK_MONOTONIC, &now);
		double left = timeout_s - (now.tv_sec - start.tv_sec) -
			      (now.tv_nsec - start.tv_nsec) / 1e9;
		if (left <= 0)
			return NULL;
		char *msg = next_message(left);
		if (msg == NULL)
			return NULL;
		if (strstr(msg, needle) != NULL)
			return msg;
		if (pings != NULL && strcmp(msg, "WATCHDOG=1") == 0)
			(*pings)++;
		free(msg);
	}
}

Test(systemd, notifies_ready_watchdog_reload_and_stopping)
{
	rwt_redis_start(&redis, NULL);
	int port = rwt_free_port();
	char *path = rwt_write_config(dir, &redis, port, "", "");
	char *socket_env = notify_socket();
	/* A 400 ms watchdog: pings every 200 ms. */
	char *env[] = {socket_env, "WATCHDOG_USEC=400000", NULL};

	rwt_daemon_start(&daemon_, path, port, env);

	char *msg = wait_message("READY=1", 5.0, NULL);
	cr_assert_not_null(msg, "no READY=1");
	cr_assert_not_null(strstr(msg, "STATUS="), "READY=1 comes with a status: %s", msg);
	free(msg);
	msg = wait_message("STATUS=redis connected", 5.0, NULL);
	cr_assert_not_null(msg, "no status line once redis is connected");
	free(msg);

	/* About five pings a second; count those within a second. */
	int pings = 0;
	msg = wait_message("no such message", 1.0, &pings);
	cr_assert_null(msg);
	cr_assert_geq(pings, 3, "only %d watchdog pings in 1 s", pings);

	rwt_daemon_signal(&daemon_, SIGHUP);
	msg = wait_message("RELOADING=1", 5.0, NULL);
	cr_assert_not_null(msg);
	cr_assert_not_null(strstr(msg, "MONOTONIC_USEC="), "%s", msg);
	free(msg);
	msg = wait_message("READY=1", 5.0, NULL);
	cr_assert_not_null(msg, "no READY=1 after the reload");
	cr_assert_not_null(strstr(msg, "reloaded"), "%s", msg);
	free(msg);

	/* A rejected reload still ends with READY=1, saying why. */
	free(rwt_write_file(dir, "replywatch.json", "{ \"nope\": 1 }"));
	rwt_daemon_signal(&daemon_, SIGHUP);
	msg = wait_message("RELOADING=1", 5.0, NULL);
	cr_assert_not_null(msg);
	free(msg);
	msg = wait_message("READY=1", 5.0, NULL);
	cr_assert_not_null(msg);
	cr_assert_not_null(strstr(msg, "reload rejected (1 configuration error)"), "%s", msg);
	free(msg);

	rwt_daemon_signal(&daemon_, SIGTERM);
	msg = wait_message("STOPPING=1", 5.0, NULL);
	cr_assert_not_null(msg, "no STOPPING=1");
	free(msg);
	int status = rwt_daemon_wait(&daemon_, 5.0);
	cr_assert(status != -1 && WIFEXITED(status) && WEXITSTATUS(status) == 0);
	free(socket_env);
	free(path);
}

Test(systemd, no_watchdog_pings_unless_asked)
{
	rwt_redis_start(&redis, NULL);
	int port = rwt_free_port();
	char *path = rwt_write_config(dir, &redis, port, "", "");
	char *socket_env = notify_socket();
	char *env[] = {socket_env, NULL};

	rwt_daemon_start(&daemon_, path, port, env);
	char *msg = wait_message("READY=1", 5.0, NULL);
	cr_assert_not_null(msg);
	free(msg);
	int pings = 0;
	msg = wait_message("no such message", 0.5, &pings);
	cr_assert_null(msg);
	cr_assert_eq(pings, 0);
	free(socket_env);
	free(path);
}
