/*
 * rwtcl_push.c: the pusher of the high-availability proof (rwtcl.h): a
 * thread POSTing one mention at a time to /ingest/push of the daemons that
 * are up, round robin, through its own libcurl handle (no Criterion assert
 * runs in it), remembering which pushes were answered 202.
 */
#include <curl/curl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <criterion/criterion.h>

#include "replywatch/clock.h"
#include "rwtcl.h"

#define PUSH_MAX 20000
#define PUSH_EVERY_US 400000

struct rwt_cl_pusher {
	pthread_t thread;
	atomic_bool stop;
	struct rwt_cl *cl;
	size_t n;         /* pushes sent (written by the thread) */
	atomic_size_t at; /* n as published to other threads */
	size_t acked;
	char (*id)[16];
	bool *ok;
};

static size_t
discard(char *ptr, size_t size, size_t nmemb, void *arg)
{
	(void)ptr;
	(void)arg;
	return size * nmemb;
}

/* POSTs mention id to daemon port; the HTTP status, 0 without an answer. */
static long
post_one(CURL *c, int port, const char *id)
{
	char url[64], body[256], when[RW_TIME_MAX];
	struct curl_slist *hdrs = NULL;
	long status = 0;

	snprintf(url, sizeof(url), "http://127.0.0.1:%d/ingest/push", port);
	snprintf(body, sizeof(body),
		 "{\"id\":\"%s\",\"created_at\":\"%s\",\"author\":\"@pat\","
		 "\"text\":\"still waiting\",\"url\":\"https://push.example/%s\"}",
		 id, rw_time_format(rw_now_ms(), when, sizeof(when)), id);
	hdrs = curl_slist_append(hdrs, "Authorization: Bearer push-token");
	hdrs = curl_slist_append(hdrs, "Content-Type: application/json");
	curl_easy_reset(c);
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, hdrs);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, discard);
	curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, 3000L);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_NOPROXY, "*");
	if (curl_easy_perform(c) == CURLE_OK)
		curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
	curl_slist_free_all(hdrs);
	return status;
}

static void *
push_loop(void *arg)
{
	struct rwt_cl_pusher *p = arg;
	CURL *c = curl_easy_init();
	size_t next = 0;

	while (c != NULL && !atomic_load(&p->stop) && p->n < PUSH_MAX) {
		int port = -1;

		for (size_t k = 0; k < RWT_CL_DAEMONS && port < 0; k++, next++)
			if (atomic_load(&p->cl->up[next % RWT_CL_DAEMONS]))
				port = p->cl->d[next % RWT_CL_DAEMONS].http_port;
		if (port > 0) {
			snprintf(p->id[p->n], sizeof(p->id[0]), "p-%05zu", p->n);
			p->ok[p->n] = post_one(c, port, p->id[p->n]) == 202;
			p->acked += p->ok[p->n];
			p->n++;
			atomic_store(&p->at, p->n);
		}
		usleep(PUSH_EVERY_US);
	}
	curl_easy_cleanup(c);
	return NULL;
}

void
rwt_cl_push_start(struct rwt_cl *cl)
{
	struct rwt_cl_pusher *p = calloc(1, sizeof(*p));

	cr_assert_not_null(p);
	p->cl = cl;
	p->id = calloc(PUSH_MAX, sizeof(p->id[0]));
	p->ok = calloc(PUSH_MAX, sizeof(p->ok[0]));
	cr_assert(p->id != NULL && p->ok != NULL);
	/* libcurl's global set-up is not thread-safe: done here, once. */
	cr_assert_eq(curl_global_init(CURL_GLOBAL_DEFAULT), CURLE_OK);
	cr_assert_eq(pthread_create(&p->thread, NULL, push_loop, p), 0);
	cl->pusher = p;
}

void
rwt_cl_push_stop(struct rwt_cl *cl)
{
	struct rwt_cl_pusher *p = cl->pusher;

	if (p == NULL || atomic_load(&p->stop))
		return;
	atomic_store(&p->stop, true);
	pthread_join(p->thread, NULL);
}

size_t
rwt_cl_pushed(const struct rwt_cl *cl, size_t *acked)
{
	const struct rwt_cl_pusher *p = cl->pusher;

	if (acked != NULL)
		*acked = p ? p->acked : 0;
	return p ? atomic_load(&p->at) : 0;
}

const char *
rwt_cl_push_id(const struct rwt_cl *cl, size_t i, bool *acked)
{
	const struct rwt_cl_pusher *p = cl->pusher;

	*acked = p->ok[i];
	return p->id[i];
}

void
rwt_cl_push_free(struct rwt_cl *cl)
{
	struct rwt_cl_pusher *p = cl->pusher;

	if (p == NULL)
		return;
	rwt_cl_push_stop(cl);
	free(p->id);
	free(p->ok);
	free(p);
	cl->pusher = NULL;
}
