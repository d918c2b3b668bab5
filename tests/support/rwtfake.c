/*
 * rwtfake.c: the integration tests' handle on the fake platform server.
 */
#include <criterion/criterion.h>
#include <errno.h>
#include <jansson.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "rwtest.h"

extern char **environ;

struct port_wait {
	const char *path;
	int port;
};

static bool
listening(void *arg)
{
	struct port_wait *w = arg;
	FILE *f = fopen(w->path, "r");
	char line[256];

	if (f == NULL)
		return false;
	while (fgets(line, sizeof(line), f) != NULL) {
		if (sscanf(line, "rwfake listening on 127.0.0.1:%d", &w->port) == 1)
			break;
	}
	fclose(f);
	return w->port > 0;
}

void
rwt_fake_start(struct rwt_fake *f, char *const extra_args[])
{
	char *argv[32] = {RW_FAKE_PATH, "--port", "0"};
	size_t n = 3;
	char *out;
	struct port_wait w = {0};

	memset(f, 0, sizeof(*f));
	f->dir = rwt_tmpdir_new();
	for (size_t i = 0; extra_args && extra_args[i] && n < 31; i++)
		argv[n++] = extra_args[i];
	argv[n] = NULL;
	cr_assert(asprintf(&out, "%s/out.log", f->dir) > 0);
	f->pid = rwt_spawn(argv, environ, out);
	w.path = out;
	cr_assert(rwt_wait_until(listening, &w, 10.0), "rwfake did not start (see %s)", out);
	free(out);
	f->port = w.port;
	snprintf(f->base, sizeof(f->base), "http://127.0.0.1:%d", f->port);
}

void
rwt_fake_stop(struct rwt_fake *f)
{
	int status = 0;

	if (f->pid <= 0)
		return;
	kill(f->pid, SIGTERM);
	for (int i = 0; i < 500; i++) {
		if (waitpid(f->pid, &status, WNOHANG) == f->pid)
			break;
		usleep(10000);
		if (i == 499) {
			kill(f->pid, SIGKILL);
			waitpid(f->pid, &status, 0);
		}
	}
	f->pid = 0;
	cr_expect(WIFEXITED(status) && WEXITSTATUS(status) == 0,
		  "rwfake did not exit cleanly (status %d; see %s/out.log)", status, f->dir);
	rwt_tmpdir_remove(f->dir);
	f->dir = NULL;
}

json_t *
rwt_fake_call(const struct rwt_fake *f, const char *method, const char *path, const char *body)
{
	char *json = body ? rwt_json_quotes(body) : NULL;
	struct rwt_response r = rwt_http(f->port, method, path, NULL, json);
	json_t *doc;

	cr_assert(r.status >= 200 && r.status < 300, "fake %s %s: HTTP %ld: %s", method, path,
		  r.status, r.body);
	doc = json_loads(r.body, 0, NULL);
	cr_assert_not_null(doc, "fake %s %s: not JSON: %s", method, path, r.body);
	rwt_response_free(&r);
	free(json);
	return doc;
}

void
rwt_fake_unlimit(const struct rwt_fake *f, const char *platform)
{
	char path[96];

	cr_assert_lt((size_t)snprintf(path, sizeof(path), "/_fake/%s/config", platform),
		     sizeof(path));
	json_decref(rwt_fake_call(f, "POST", path, "{'rate_limit': 1000000}"));
}

json_t *
rwt_fake_requests(const struct rwt_fake *f, const char *platform, const char *endpoint)
{
	char path[256];
	json_t *doc, *list;

	snprintf(path, sizeof(path), "/_fake/requests?platform=%s&endpoint=%s",
		 platform ? platform : "", endpoint ? endpoint : "");
	doc = rwt_fake_call(f, "GET", path, NULL);
	list = json_incref(json_object_get(doc, "requests"));
	json_decref(doc);
	cr_assert(json_is_array(list), "fake: no request list");
	return list;
}
