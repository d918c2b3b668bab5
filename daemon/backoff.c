/*
 * backoff.c: exponential backoff with jitter.
 */
#include <stdlib.h>

#include "replywatch/backoff.h"

double
rw_backoff_seconds(unsigned attempt, double first, double cap)
{
	double d = first;

	for (unsigned i = 0; i < attempt && d < cap; i++)
		d *= 2;
	if (d > cap)
		d = cap;
	return d / 2 + d / 2 * ((double)random() / (double)RAND_MAX);
}
