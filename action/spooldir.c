/* spooldir.c - open the spool directory only when it can be trusted. */
#include "spooldir.h"

#include "errbuf.h"

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

static void say_unopened(const char *dir, int e, char *err, size_t errlen)
{
	struct stat st;

	/* O_DIRECTORY | O_NOFOLLOW says ENOTDIR of a link to a directory. */
	if ((e == ELOOP || e == ENOTDIR) && lstat(dir, &st) == 0 &&
	    S_ISLNK(st.st_mode))
		errbuf_set(err, errlen, "spool directory %s is a symbolic link: "
			   "refused, make it a directory", dir);
	else
		errbuf_set(err, errlen, "spool directory %s: %s", dir, strerror(e));
}

/* The directory as opened, judged like ssh judges ~/.ssh. */
static bool dir_trusted(const char *dir, const struct stat *st,
			char *err, size_t errlen)
{
	uid_t me = geteuid();

	if (st->st_uid != me) {
		errbuf_set(err, errlen, "spool directory %s is owned by uid %lu, "
			   "not by uid %lu running mc-f2b: chown %lu %s", dir,
			   (unsigned long)st->st_uid, (unsigned long)me,
			   (unsigned long)me, dir);
		return false;
	}
	if ((st->st_mode & 022) != 0) {
		errbuf_set(err, errlen, "spool directory %s is writable by group "
			   "or others (mode %03o): chmod 700 %s", dir,
			   (unsigned)(st->st_mode & 0777), dir);
		return false;
	}
	return true;
}

/* Open the directory (mode 0700 when it has to be made) and judge it. */
static int open_dir(const char *dir, char *err, size_t errlen)
{
	struct stat st;
	int fd;

	if (mkdir(dir, 0700) != 0 && errno != EEXIST) {
		errbuf_set(err, errlen, "spool directory %s: %s", dir,
			   strerror(errno));
		return -1;
	}
	fd = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0) {
		say_unopened(dir, errno, err, errlen);
		return -1;
	}
	if (fstat(fd, &st) != 0) {
		errbuf_set(err, errlen, "spool directory %s: %s", dir,
			   strerror(errno));
		close(fd);
		return -1;
	}
	if (!dir_trusted(dir, &st, err, errlen)) {
		close(fd);
		return -1;
	}
	return fd;
}

/* O_NONBLOCK: a FIFO in a file's place must not hang the ban path; it
 * changes nothing for a regular file. */
int spooldir_file(const struct spooldir *s, const char *name, int flags,
		  struct stat *st, char *err, size_t errlen)
{
	int fd = openat(s->dirfd, name,
			flags | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK, 0600);

	if (fd < 0) {
		if (errno == ENOENT && !(flags & O_CREAT))
			return SPOOLDIR_MISSING;
		if (errno == ELOOP)
			errbuf_set(err, errlen, "%s/%s is a symbolic link: "
				   "refused, remove it", s->dir, name);
		else
			errbuf_set(err, errlen, "%s/%s: %s", s->dir, name,
				   strerror(errno));
		return -1;
	}
	if (fstat(fd, st) != 0 || !S_ISREG(st->st_mode)) {
		errbuf_set(err, errlen, "%s/%s is not a regular file: refused, "
			   "remove it", s->dir, name);
		close(fd);
		return -1;
	}
	return fd;
}

ssize_t spooldir_read(const struct spooldir *s, const char *name, char *buf,
		      size_t size, char *err, size_t errlen)
{
	struct stat st;
	int fd = spooldir_file(s, name, O_RDONLY, &st, err, errlen);
	ssize_t n;

	if (fd < 0)
		return fd;
	n = read(fd, buf, size - 1);
	close(fd);
	if (n < 0) {
		errbuf_set(err, errlen, "%s/%s: %s", s->dir, name,
			   strerror(errno));
		return -1;
	}
	buf[n] = '\0';
	if ((size_t)n == size - 1) {
		errbuf_set(err, errlen, "%s/%s: too long", s->dir, name);
		return SPOOLDIR_TOO_LONG;
	}
	return n;
}

int spooldir_open(struct spooldir *s, const char *dir, int how,
		  char *err, size_t errlen)
{
	struct stat st;

	s->dir = dir;
	s->lock = -1;
	s->dirfd = open_dir(dir, err, errlen);
	if (s->dirfd < 0)
		return -1;
	if (how == SPOOLDIR_NO_LOCK)
		return 0;
	s->lock = spooldir_file(s, "lock", O_RDWR | O_CREAT, &st, err, errlen);
	if (s->lock >= 0 && flock(s->lock, how) == 0)
		return 0;
	if (s->lock >= 0) {
		errbuf_set(err, errlen, "%s/lock: %s", dir, strerror(errno));
		close(s->lock);
	}
	close(s->dirfd);
	return -1;
}

void spooldir_close(struct spooldir *s)
{
	if (s->lock >= 0)
		close(s->lock);
	close(s->dirfd);
}

int spooldir_sync(const struct spooldir *s, char *err, size_t errlen)
{
	if (fsync(s->dirfd) == 0)
		return 0;
	errbuf_set(err, errlen, "%s: %s", s->dir, strerror(errno));
	return -1;
}
