/* counters.c - counts shared by this node's processes (counters.h).
 *
 * The file is COUNTERS_SIZE bytes of native 64-bit integers, one per
 * counter.  A process adds under an exclusive flock() of the file, reading
 * and writing it with pread and pwrite: a full disk is then an error said
 * in one line, where a write through a shared mapping of a file not yet
 * allocated would be a SIGBUS in the middle of a ban. */
#include "counters.h"

#include "errbuf.h"
#include "spooldir.h"

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

#define COUNTERS_FILE "counters"
#define COUNTERS_SIZE 64   /* room for counters to come */

_Static_assert(COUNTER_COUNT * sizeof(uint64_t) <= COUNTERS_SIZE,
	       "raise COUNTERS_SIZE");

/* Open the file (made when create) and lock it: how.  Returns the
 * descriptor, SPOOLDIR_MISSING, or -1 with err set. */
static int open_counters(const char *dir, bool create, int how, char *err,
			 size_t errlen)
{
	struct spooldir s;
	struct stat st;
	int fd;

	if (spooldir_open(&s, dir, SPOOLDIR_NO_LOCK, err, errlen) != 0)
		return -1;
	fd = spooldir_file(&s, COUNTERS_FILE, O_RDWR | (create ? O_CREAT : 0),
			   &st, err, errlen);
	spooldir_close(&s);
	if (fd >= 0 && flock(fd, how) != 0) {
		errbuf_set(err, errlen, "%s/" COUNTERS_FILE ": %s", dir,
			   strerror(errno));
		close(fd);
		return -1;
	}
	return fd;
}

/* The counts in the file; a file shorter than COUNTERS_SIZE (new, or
 * cut short) reads as zeros past its end. */
static int read_counts(int fd, uint64_t counts[COUNTER_COUNT])
{
	unsigned char buf[COUNTERS_SIZE] = { 0 };

	if (pread(fd, buf, sizeof(buf), 0) < 0)
		return -1;
	memcpy(counts, buf, COUNTER_COUNT * sizeof(uint64_t));
	return 0;
}

int counters_add(const char *dir, enum counter c, unsigned long long n,
		 char *err, size_t errlen)
{
	unsigned char buf[COUNTERS_SIZE] = { 0 };
	uint64_t counts[COUNTER_COUNT];
	int fd = open_counters(dir, true, LOCK_EX, err, errlen), rc = 0;

	if (fd < 0)
		return -1;
	errno = 0;
	if (read_counts(fd, counts) != 0) {
		rc = -1;
	} else {
		counts[c] += (uint64_t)n;
		memcpy(buf, counts, sizeof(counts));
		if (pwrite(fd, buf, sizeof(buf), 0) != (ssize_t)sizeof(buf))
			rc = -1;
	}
	if (rc != 0)
		errbuf_set(err, errlen, "%s/" COUNTERS_FILE ": %s", dir,
			   errno ? strerror(errno) : "short write");
	close(fd);   /* the lock goes with it */
	return rc;
}

int counters_read(const char *dir, unsigned long long out[COUNTER_COUNT],
		  char *err, size_t errlen)
{
	uint64_t counts[COUNTER_COUNT];
	int fd = open_counters(dir, false, LOCK_SH, err, errlen);

	memset(out, 0, COUNTER_COUNT * sizeof(out[0]));
	if (fd == SPOOLDIR_MISSING)
		return 0;
	if (fd < 0)
		return -1;
	if (read_counts(fd, counts) != 0) {
		errbuf_set(err, errlen, "%s/" COUNTERS_FILE ": %s", dir,
			   strerror(errno));
		close(fd);
		return -1;
	}
	for (int i = 0; i < COUNTER_COUNT; i++)
		out[i] = counts[i];
	close(fd);
	return 0;
}
