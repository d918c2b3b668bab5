/*
 * fake_platforms.c: the table of the platforms rwfake serves. Adding one is
 * its descriptor (struct fake_platform_def in its own file, docs/fakes.md
 * "Adding a platform") and one line here.
 */
#include <stdio.h>
#include <string.h>

#include "fake.h"

/* The social three first, at the indices enum fake_platform names. */
const struct fake_platform_def *const fake_platforms[] = {
	[FAKE_MASTODON] = &fake_mastodon_def,
	[FAKE_X] = &fake_x_def,
	[FAKE_BLUESKY] = &fake_bluesky_def,
	&fake_trustpilot_def,
	&fake_google_oauth_def,
	&fake_google_business_def,
	&fake_google_play_def,
	&fake_app_store_def,
	&fake_linkedin_def,
	&fake_reddit_def,
	&fake_youtube_def,
	&fake_meta_def,
	&fake_discourse_def,
	&fake_github_def,
	&fake_allegro_def,
};

const size_t fake_nplatforms = sizeof(fake_platforms) / sizeof(fake_platforms[0]);

_Static_assert(sizeof(fake_platforms) / sizeof(fake_platforms[0]) <= FAKE_MAX_PLATFORMS,
	       "raise FAKE_MAX_PLATFORMS");

const char *
fake_platform_name(enum fake_platform p)
{
	return (size_t)p < fake_nplatforms ? fake_platforms[p]->name : "unknown";
}

int
fake_platform_from_name(const char *name)
{
	for (size_t i = 0; i < fake_nplatforms; i++) {
		if (name != NULL && strcmp(name, fake_platforms[i]->name) == 0)
			return (int)i;
	}
	return -1;
}

const char *
fake_platform_list(void)
{
	static char list[256];

	if (list[0] == '\0') {
		size_t n = 0;

		/* Built once; the table is constant and the first call is made
		 * under the state lock, like every control call. */
		for (size_t i = 0; i < fake_nplatforms && n < sizeof(list); i++)
			n += (size_t)snprintf(list + n, sizeof(list) - n, "%s%s", i ? ", " : "",
					      fake_platforms[i]->name);
	}
	return list;
}

const char *
fake_option(const struct fake_state *st, enum fake_platform p, const char *key)
{
	const struct fake_option_def *o = fake_platforms[p]->options;

	for (size_t i = 0; i < FAKE_MAX_OPTIONS && o[i].key != NULL; i++) {
		if (strcmp(o[i].key, key) == 0)
			return st->opt->cred[p][i];
	}
	return NULL;
}

enum fake_auth
fake_token_auth(const struct fake_req *req, const char *want)
{
	const char *tok = fake_req_bearer(req);

	if (tok == NULL)
		return FAKE_AUTH_MISSING;
	return want != NULL && strcmp(tok, want) == 0 ? FAKE_AUTH_OK : FAKE_AUTH_WRONG;
}
