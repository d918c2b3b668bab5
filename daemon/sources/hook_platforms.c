/*
 * hook_platforms.c: the table of source types that take webhooks
 * (hooks.h). A platform joins with its entry, defined in its
 * sources/NAME_hook.c, and one line here.
 */
#include <stdlib.h>
#include <string.h>

#include "replywatch/hooks.h"
#include "replywatch/item.h"

extern const struct rw_hook_platform rw_facebook_hook;
extern const struct rw_hook_platform rw_instagram_hook;

static const struct rw_hook_platform *const hook_platforms[] = {
	&rw_facebook_hook,
	&rw_instagram_hook,
};

const struct rw_hook_platform *
rw_hook_platform_for(enum rw_source_type type)
{
	for (size_t i = 0; i < sizeof(hook_platforms) / sizeof(hook_platforms[0]); i++) {
		if (hook_platforms[i]->type == type)
			return hook_platforms[i];
	}
	return NULL;
}

void
rw_hook_batch_clear(struct rw_hook_batch *b)
{
	if (b == NULL)
		return;
	for (size_t i = 0; i < b->nitems; i++)
		rw_item_clear(&b->items[i]);
	free(b->items);
	for (size_t i = 0; i < b->nremoved; i++)
		free(b->removed[i]);
	free(b->removed);
	rw_queued_free(b->queued, b->nqueued);
	memset(b, 0, sizeof(*b));
}
