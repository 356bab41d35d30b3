/* spooldir.h - the spool directory, trusted only as it is found.
 *
 * mc-f2b runs as root: a spool that another user may write would let that
 * user feed it bans, or, through a symbolic link in place of one of its
 * files, turn root's writes onto any file.  The directory is judged on its
 * open descriptor every time it is used (owned by this user, writable by
 * nobody else), and every file in it is reached from that descriptor,
 * never through a symbolic link.  The files that live there (the events,
 * the rejected events, the note of a master out of reach) share one lock:
 * <dir>/lock, taken with flock(). */
#ifndef MC_F2B_SPOOLDIR_H
#define MC_F2B_SPOOLDIR_H

#include <stddef.h>
#include <sys/stat.h>
#include <sys/types.h>

struct spooldir {
	const char *dir;   /* its name, for messages */
	int dirfd;
	int lock;
};

/* Returned by spooldir_file() for a file that is not there (no O_CREAT). */
#define SPOOLDIR_MISSING (-2)

/* Returned by spooldir_read() for a file longer than the buffer. */
#define SPOOLDIR_TOO_LONG (-3)

/* No lock: for a file that is only ever replaced whole (by a rename). */
#define SPOOLDIR_NO_LOCK 0

/* Open the directory (made with mode 0700 when missing), judge it, and take
 * its lock: LOCK_SH to read, LOCK_EX to change anything, or none
 * (SPOOLDIR_NO_LOCK).  Returns 0, or -1 with one line in err saying what
 * to fix. */
int spooldir_open(struct spooldir *s, const char *dir, int how,
		  char *err, size_t errlen);
void spooldir_close(struct spooldir *s);

/* Open a file of the directory: never through a symbolic link, and only a
 * regular file (a FIFO in its place does not hang the caller).  Returns a
 * descriptor with *st filled, SPOOLDIR_MISSING, or -1 with err set. */
int spooldir_file(const struct spooldir *s, const char *name, int flags,
		  struct stat *st, char *err, size_t errlen);

/* Read a small file of the directory whole, by spooldir_file()'s rules,
 * into buf, terminated.  Returns its length, SPOOLDIR_MISSING,
 * SPOOLDIR_TOO_LONG when it holds size - 1 bytes or more (err set), or -1
 * with err set. */
ssize_t spooldir_read(const struct spooldir *s, const char *name, char *buf,
		      size_t size, char *err, size_t errlen);

/* The directory's entries on disk (after a file was made or removed). */
int spooldir_sync(const struct spooldir *s, char *err, size_t errlen);

#endif
