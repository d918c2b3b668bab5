/*
 * item.c: the normalised item's lifetime.
 */
#include <stdlib.h>
#include <string.h>

#include "replywatch/item.h"

void
rw_item_clear(struct rw_item *item)
{
	if (item == NULL)
		return;
	free(item->id);
	free(item->author);
	free(item->text);
	free(item->url);
	free(item->conversation_id);
	free(item->in_reply_to);
	memset(item, 0, sizeof(*item));
}
