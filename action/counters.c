/* counters.c - counts shared by this node's processes (counters.h).
 *
 * The file is COUNTERS_SIZE bytes of native 64-bit integers, one per
 * counter, read and changed only through a shared mapping.  Its size is
 * checked before it is mapped: a file cut short is not read past its end
 * (a read of a mapping past the file would be a SIGBUS). */
#include "counters.h"

#include "errbuf.h"
#include "spooldir.h"

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#define COUNTERS_FILE "counters"
#define COUNTERS_SIZE 64   /* room for counters to come */

_Static_assert(COUNTER_COUNT * sizeof(uint64_t) <= COUNTERS_SIZE,
	       "raise COUNTERS_SIZE");

/* Map the file, made (zeros) when create and missing.  Returns the mapping,
 * NULL with *missing set when it is not there, or NULL with err set. */
static uint64_t *map_counters(const char *dir, bool create, bool *missing,
			      char *err, size_t errlen)
{
	struct spooldir s;
	struct stat st;
	void *map = NULL;
	int fd;

	*missing = false;
	if (spooldir_open(&s, dir, SPOOLDIR_NO_LOCK, err, errlen) != 0)
		return NULL;
	fd = spooldir_file(&s, COUNTERS_FILE, O_RDWR | (create ? O_CREAT : 0),
			   &st, err, errlen);
	spooldir_close(&s);
	if (fd == SPOOLDIR_MISSING) {
		*missing = true;
		return NULL;
	}
	if (fd < 0)
		return NULL;
	/* Two processes that make it at once both grow it to the same size,
	 * zeros: no count is lost. */
	if (st.st_size < COUNTERS_SIZE && ftruncate(fd, COUNTERS_SIZE) != 0)
		errbuf_set(err, errlen, "%s/" COUNTERS_FILE ": %s", dir,
			   strerror(errno));
	else if ((map = mmap(NULL, COUNTERS_SIZE, PROT_READ | PROT_WRITE,
			     MAP_SHARED, fd, 0)) == MAP_FAILED) {
		errbuf_set(err, errlen, "%s/" COUNTERS_FILE ": %s", dir,
			   strerror(errno));
		map = NULL;
	}
	close(fd);
	return map;
}

int counters_add(const char *dir, enum counter c, unsigned long long n,
		 char *err, size_t errlen)
{
	bool missing;
	uint64_t *counts = map_counters(dir, true, &missing, err, errlen);

	if (!counts)
		return -1;
	__atomic_fetch_add(&counts[c], (uint64_t)n, __ATOMIC_RELAXED);
	munmap(counts, COUNTERS_SIZE);
	return 0;
}

int counters_read(const char *dir, unsigned long long out[COUNTER_COUNT],
		  char *err, size_t errlen)
{
	bool missing;
	uint64_t *counts = map_counters(dir, false, &missing, err, errlen);

	memset(out, 0, COUNTER_COUNT * sizeof(out[0]));
	if (!counts)
		return missing ? 0 : -1;
	for (int i = 0; i < COUNTER_COUNT; i++)
		out[i] = __atomic_load_n(&counts[i], __ATOMIC_RELAXED);
	munmap(counts, COUNTERS_SIZE);
	return 0;
}
