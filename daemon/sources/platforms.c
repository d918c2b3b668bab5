/*
 * platforms.c: the table of platform descriptors, indexed by source type.
 * Each descriptor lives with its connector (sources/NAME.c), or in
 * pending.c while the type has none.
 */
#include <pthread.h>
#include <stddef.h>
#include <string.h>

#include "replywatch/connector.h"
#include "replywatch/platform.h"

extern const struct rw_platform rw_mastodon_platform;
extern const struct rw_platform rw_x_platform;
extern const struct rw_platform rw_bluesky_platform;
extern const struct rw_platform rw_reddit_platform;
extern const struct rw_platform rw_youtube_platform;
extern const struct rw_platform rw_facebook_platform;
extern const struct rw_platform rw_instagram_platform;
extern const struct rw_platform rw_google_business_platform;
extern const struct rw_platform rw_google_play_platform;
extern const struct rw_platform rw_app_store_platform;
extern const struct rw_platform rw_trustpilot_platform;
extern const struct rw_platform rw_linkedin_platform;
extern const struct rw_platform rw_allegro_platform;
extern const struct rw_platform rw_json_platform;
extern const struct rw_platform rw_push_platform;

static const struct rw_platform *const platforms[RW_SOURCE_TYPE_COUNT] = {
	[RW_SOURCE_MASTODON] = &rw_mastodon_platform,
	[RW_SOURCE_X] = &rw_x_platform,
	[RW_SOURCE_BLUESKY] = &rw_bluesky_platform,
	[RW_SOURCE_REDDIT] = &rw_reddit_platform,
	[RW_SOURCE_YOUTUBE] = &rw_youtube_platform,
	[RW_SOURCE_FACEBOOK] = &rw_facebook_platform,
	[RW_SOURCE_INSTAGRAM] = &rw_instagram_platform,
	[RW_SOURCE_GOOGLE_BUSINESS] = &rw_google_business_platform,
	[RW_SOURCE_GOOGLE_PLAY] = &rw_google_play_platform,
	[RW_SOURCE_APP_STORE] = &rw_app_store_platform,
	[RW_SOURCE_TRUSTPILOT] = &rw_trustpilot_platform,
	[RW_SOURCE_LINKEDIN] = &rw_linkedin_platform,
	[RW_SOURCE_ALLEGRO] = &rw_allegro_platform,
	[RW_SOURCE_JSON] = &rw_json_platform,
	[RW_SOURCE_PUSH] = &rw_push_platform,
};

static const char *names[RW_SOURCE_TYPE_COUNT + 1];
static pthread_once_t names_once = PTHREAD_ONCE_INIT;

const struct rw_platform *
rw_platform_of(enum rw_source_type type)
{
	if ((int)type < 0 || type >= RW_SOURCE_TYPE_COUNT)
		return NULL;
	return platforms[type];
}

int
rw_platform_find(const char *name, enum rw_source_type *type)
{
	for (int t = 0; t < RW_SOURCE_TYPE_COUNT; t++) {
		if (strcmp(platforms[t]->name, name) == 0) {
			*type = (enum rw_source_type)t;
			return 0;
		}
	}
	return -1;
}

static void
fill_names(void)
{
	for (int t = 0; t < RW_SOURCE_TYPE_COUNT; t++)
		names[t] = platforms[t]->name;
	names[RW_SOURCE_TYPE_COUNT] = NULL;
}

const char *const *
rw_platform_names(void)
{
	pthread_once(&names_once, fill_names);
	return names;
}

const struct rw_connector *
rw_connector_for(enum rw_source_type type)
{
	const struct rw_platform *p = rw_platform_of(type);

	return p == NULL ? NULL : p->connector;
}
