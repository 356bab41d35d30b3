/* counters.h - what this node has done, counted across its processes:
 * bans recorded in the master, events spooled, events replayed.
 *
 * Every ban is its own process, so the counts live in a small file of the
 * spool directory (<dir>/counters), changed under its own lock (a few
 * microseconds held), so that concurrent bans lose no count.  They count
 * from the file's making (a Prometheus counter: a removed file is a
 * reset). */
#ifndef MC_F2B_COUNTERS_H
#define MC_F2B_COUNTERS_H

#include <stddef.h>

enum counter {
	COUNTER_RECORDED,   /* bans this node recorded in the master */
	COUNTER_SPOOLED,    /* events (bans, unbans) kept in the spool */
	COUNTER_REPLAYED,   /* spooled events applied to the master */
	COUNTER_COUNT
};

/* Add n to a counter.  Returns 0, or -1 with one line in err (the spool
 * directory refused, the file could not be made): a count is never worth
 * failing the ban it counts. */
int counters_add(const char *dir, enum counter c, unsigned long long n,
		 char *err, size_t errlen);

/* Read every counter (zeros when the file is not there yet).  Returns 0,
 * or -1 with one line in err. */
int counters_read(const char *dir, unsigned long long out[COUNTER_COUNT],
		  char *err, size_t errlen);

#endif
