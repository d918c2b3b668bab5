/*
 * item.c: the normalised item's lifetime.
 */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "replywatch/item.h"

bool
rw_item_id_valid(const char *id)
{
	size_t n;

	if (id == NULL)
		return false;
	for (n = 0; id[n] != '\0'; n++) {
		unsigned char c = (unsigned char)id[n];

		/* Printable ASCII only: no control byte reaches a key or a log
		 * line, and nothing to cut inside a UTF-8 sequence. */
		if (n == RW_ITEM_ID_MAX || c <= ' ' || c > '~' || c == '|')
			return false;
	}
	return n > 0;
}

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
