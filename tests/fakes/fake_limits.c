/*
 * fake_limits.c: the endpoints each platform knows by name (the distinct
 * endpoint names of its descriptor's routes), their
 * rate-limit windows (a fixed window per endpoint: the first call opens it,
 * every call spends one, the window's end restores the budget), and the
 * queue of injected faults.
 */
#include <stdlib.h>
#include <string.h>

#include "fake.h"

static const char *const fault_names[] = {
	[FAKE_F_429] = "429",   [FAKE_F_500] = "500",         [FAKE_F_502] = "502",
	[FAKE_F_503] = "503",   [FAKE_F_GARBAGE] = "garbage", [FAKE_F_TRUNCATED] = "truncated",
	[FAKE_F_HUGE] = "huge", [FAKE_F_SLOW] = "slow",       [FAKE_F_401] = "401",
	[FAKE_F_403] = "403",   [FAKE_F_ANSWER] = "answer",
};

/* True when route i of d is the first to name its endpoint. */
static bool
first_use(const struct fake_platform_def *d, size_t i)
{
	for (size_t k = 0; k < i; k++) {
		if (strcmp(d->routes[k].endpoint, d->routes[i].endpoint) == 0)
			return false;
	}
	return true;
}

/* The name of endpoint ep of p (its routes' distinct names, in order), NULL. */
static const char *
endpoint_at(enum fake_platform p, int ep)
{
	const struct fake_platform_def *d = fake_platforms[p];
	int n = 0;

	for (size_t i = 0; i < d->nroutes && n < FAKE_MAX_ENDPOINTS; i++) {
		if (first_use(d, i) && n++ == ep)
			return d->routes[i].endpoint;
	}
	return NULL;
}

size_t
fake_endpoint_count(enum fake_platform p)
{
	size_t n = 0;

	while (n < FAKE_MAX_ENDPOINTS && endpoint_at(p, (int)n) != NULL)
		n++;
	return n;
}

const char *
fake_endpoint_name(enum fake_platform p, int ep)
{
	const char *name = ep < 0 ? NULL : endpoint_at(p, ep);

	return name != NULL ? name : "unknown";
}

int
fake_endpoint_index(enum fake_platform p, const char *name)
{
	const char *e;

	for (int i = 0; (e = endpoint_at(p, i)) != NULL; i++) {
		if (strcmp(e, name) == 0)
			return i;
	}
	return -1;
}

json_t *
fake_limits_json(const struct fake_state *st, enum fake_platform p)
{
	json_t *limits = json_object();

	for (size_t ep = 0; limits != NULL && ep < fake_endpoint_count(p); ep++) {
		const struct fake_limit *l = &st->p[p].limits[ep];
		char reset[FAKE_TIME_LEN];

		fake_fmt_ms(l->reset_ms, reset);
		if (json_object_set_new(limits, fake_endpoint_name(p, (int)ep),
					json_pack("{s:I, s:I, s:s?}", "limit", (json_int_t)l->limit,
						  "remaining", (json_int_t)l->remaining, "reset",
						  l->reset_ms ? reset : NULL)) == -1) {
			json_decref(limits);
			limits = NULL;
		}
	}
	return limits;
}

void
fake_limit_roll(struct fake_state *st, enum fake_platform p, int ep, int64_t now)
{
	struct fake_limit *l = &st->p[p].limits[ep];

	if (l->reset_ms == 0 || now >= l->reset_ms) {
		l->limit = st->p[p].rate_limit;
		l->window_s = st->p[p].rate_window_s;
		l->remaining = l->limit;
		l->reset_ms = now + l->window_s * 1000;
	}
}

void
fake_limits_reset(struct fake_state *st, enum fake_platform p)
{
	for (int ep = 0; ep < FAKE_MAX_ENDPOINTS; ep++) {
		struct fake_limit *l = &st->p[p].limits[ep];

		l->limit = st->p[p].rate_limit;
		l->window_s = st->p[p].rate_window_s;
		l->remaining = l->limit;
		l->reset_ms = 0;
	}
}

int
fake_fault_kind_from_name(const char *name)
{
	for (size_t i = 0; i < sizeof(fault_names) / sizeof(fault_names[0]); i++) {
		if (name != NULL && strcmp(name, fault_names[i]) == 0)
			return (int)i;
	}
	return -1;
}

int
fake_fault_add(struct fake_state *st, const struct fake_fault *f)
{
	if (st->nfaults == st->faults_cap) {
		size_t cap = st->faults_cap ? st->faults_cap * 2 : 16;
		struct fake_fault *p = realloc(st->faults, cap * sizeof(*p));

		if (p == NULL)
			return -1;
		st->faults = p;
		st->faults_cap = cap;
	}
	st->faults[st->nfaults++] = *f;
	return 0;
}

bool
fake_fault_take(struct fake_state *st, enum fake_platform p, int ep, const struct fake_req *req,
		struct fake_fault *out)
{
	for (size_t i = 0; i < st->nfaults; i++) {
		struct fake_fault *f = &st->faults[i];

		if (f->platform != p || (f->endpoint != -1 && f->endpoint != ep))
			continue;
		if (f->param[0] != '\0' && (req == NULL || fake_param(req, f->param) == NULL))
			continue;
		*out = *f;
		if (--f->count <= 0) {
			memmove(f, f + 1, (st->nfaults - i - 1) * sizeof(*f));
			st->nfaults--;
		}
		return true;
	}
	return false;
}

void
fake_faults_clear(struct fake_state *st)
{
	st->nfaults = 0;
}

long
fake_faults_pending(const struct fake_state *st, enum fake_platform p)
{
	long n = 0;

	for (size_t i = 0; i < st->nfaults; i++) {
		if (st->faults[i].platform == p)
			n += st->faults[i].count;
	}
	return n;
}
