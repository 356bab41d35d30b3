/* benchutil.h - what the benchmark programs share: a monotonic clock in
 * milliseconds and a strict reading of a count argument. */
#ifndef MC_F2B_BENCHUTIL_H
#define MC_F2B_BENCHUTIL_H

#include <stdlib.h>
#include <time.h>

static inline double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

/* A decimal count in [min, max], or -1: no sign, no suffix. */
static inline long arg_count(const char *text, long min, long max)
{
	char *end;
	long v = strtol(text, &end, 10);

	return *text >= '0' && *text <= '9' && *end == '\0' && v >= min &&
	       v <= max ? v : -1;
}

#endif
