/* localfile.c - local files mc-f2b trusts as root: its configuration, the
 * password file, the fail2ban-client it runs.
 *
 * A file is only as safe as the directories above it: whoever may write one
 * of them may rename the file away and put their own in its place, between
 * any check and any open.  So the chain up to / is judged first, then the
 * file is opened without following a link and judged on its descriptor:
 * what is judged is what is read. */
#include "localfile.h"

#include "errbuf.h"
#include "textcopy.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static bool owned_by_us(uid_t uid)
{
	return uid == 0 || uid == geteuid();
}

/* Others may create entries in a sticky directory, but neither rename nor
 * remove ours: /tmp (root, 1777) is safe, a 0777 directory is not. */
static bool others_may_replace_entries(mode_t mode)
{
	return (mode & (S_IWGRP | S_IWOTH)) && !(mode & S_ISVTX);
}

/* lstat, not stat: dir comes from realpath, so a link found here now was
 * put there since, and is refused as "not a directory". */
static int check_directory(const char *path, const char *dir,
			   char *err, size_t errlen)
{
	struct stat st;

	if (lstat(dir, &st) != 0) {
		errbuf_set(err, errlen, "%s: directory %s: %s", path, dir,
			   strerror(errno));
		return -1;
	}
	if (!S_ISDIR(st.st_mode)) {
		errbuf_set(err, errlen, "%s: %s is not a directory", path, dir);
		return -1;
	}
	if (!owned_by_us(st.st_uid)) {
		errbuf_set(err, errlen, "%s: directory %s is owned by uid %u, "
			   "expected root or the running user", path, dir,
			   (unsigned)st.st_uid);
		return -1;
	}
	if (others_may_replace_entries(st.st_mode)) {
		errbuf_set(err, errlen, "%s: directory %s is writable by group "
			   "or others without the sticky bit (chmod go-w %s)",
			   path, dir, dir);
		return -1;
	}
	return 0;
}

/* dir: a real path (absolute, no link, no "." or ".."), cut shorter at
 * each step up. */
static int check_directory_chain(const char *path, char *dir,
				 char *err, size_t errlen)
{
	for (;;) {
		char *slash;

		if (check_directory(path, dir, err, errlen))
			return -1;
		if (strcmp(dir, "/") == 0)
			return 0;
		slash = strrchr(dir, '/');
		slash[slash == dir ? 1 : 0] = '\0';
	}
}

/* The directory holding path's last component, resolved into dir (PATH_MAX
 * bytes); returns that last component, or NULL with one line in err. */
static const char *resolve_parent(const char *path, char *dir,
				  char *err, size_t errlen)
{
	const char *slash = strrchr(path, '/');
	const char *base = slash ? slash + 1 : path;
	char parent[PATH_MAX];
	size_t len = slash ? (size_t)(slash - path) : 0;

	if (path[0] == '\0') {
		errbuf_set(err, errlen, "%s: %s", path, strerror(ENOENT));
		return NULL;
	}
	if (base[0] == '\0') {
		errbuf_set(err, errlen, "%s: not a regular file", path);
		return NULL;
	}
	if (len >= sizeof(parent)) {
		errbuf_set(err, errlen, "%s: %s", path, strerror(ENAMETOOLONG));
		return NULL;
	}
	if (!slash)
		text_copy(parent, sizeof(parent), ".");
	else if (len == 0)
		text_copy(parent, sizeof(parent), "/");
	else {
		memcpy(parent, path, len);
		parent[len] = '\0';
	}
	if (!realpath(parent, dir)) {
		errbuf_set(err, errlen, "%s: %s", path, strerror(errno));
		return NULL;
	}
	return base;
}

static int check_secret(const char *path, mode_t mode,
			char *err, size_t errlen)
{
	if (mode & (S_IRGRP | S_IROTH)) {
		errbuf_set(err, errlen, "%s: holds a password but is readable "
			   "by group or others (chmod 600 it)", path);
		return -1;
	}
	if (mode & (S_IRWXG | S_IRWXO)) {
		errbuf_set(err, errlen, "%s: holds a password but group or "
			   "others have access to it (chmod 600 it)", path);
		return -1;
	}
	return 0;
}

int localfile_check_file(const char *path, const struct stat *st, bool secret,
			 char *err, size_t errlen)
{
	if (!S_ISREG(st->st_mode)) {
		errbuf_set(err, errlen, "%s: not a regular file", path);
		return -1;
	}
	if (!owned_by_us(st->st_uid)) {
		errbuf_set(err, errlen, "%s: owned by uid %u, expected root or "
			   "the running user", path, (unsigned)st->st_uid);
		return -1;
	}
	/* Before the write bits: its fix, chmod 600, covers them too. */
	if (secret && check_secret(path, st->st_mode, err, errlen))
		return -1;
	if (st->st_mode & (S_IWGRP | S_IWOTH)) {
		errbuf_set(err, errlen, "%s: writable by group or others "
			   "(chmod go-w it)", path);
		return -1;
	}
	return 0;
}

/* The file is opened in the directory as judged (its real path), so a link
 * higher up changed afterwards leads nowhere else. */
static int open_in(const char *path, const char *dir, const char *base,
		   char *err, size_t errlen)
{
	char full[PATH_MAX];
	int n = snprintf(full, sizeof(full), "%s/%s",
			 strcmp(dir, "/") == 0 ? "" : dir, base);
	int fd;

	if (n < 0 || (size_t)n >= sizeof(full)) {
		errbuf_set(err, errlen, "%s: %s", path, strerror(ENAMETOOLONG));
		return -1;
	}
	/* O_NONBLOCK: a FIFO put in the file's place must be refused below,
	 * not leave fail2ban's action waiting for a writer; O_NOCTTY: nor may
	 * a terminal become ours. */
	fd = open(full, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK |
		  O_NOCTTY);
	if (fd < 0 && errno == ELOOP)
		errbuf_set(err, errlen, "%s: is a symbolic link, which is not "
			   "followed (give the file's own path)", path);
	else if (fd < 0)
		errbuf_set(err, errlen, "%s: %s", path, strerror(errno));
	return fd;
}

int localfile_open(const char *path, bool secret, struct stat *st,
		   char *err, size_t errlen)
{
	char dir[PATH_MAX], chain[PATH_MAX];
	const char *base = resolve_parent(path, dir, err, errlen);
	int fd;

	if (!base)
		return -1;
	memcpy(chain, dir, strlen(dir) + 1);
	if (check_directory_chain(path, chain, err, errlen))
		return -1;
	fd = open_in(path, dir, base, err, errlen);
	if (fd < 0)
		return -1;
	if (fstat(fd, st) != 0) {
		errbuf_set(err, errlen, "%s: %s", path, strerror(errno));
		close(fd);
		return -1;
	}
	if (localfile_check_file(path, st, secret, err, errlen)) {
		close(fd);
		return -1;
	}
	return fd;
}

/* execve follows the name given, link by link: the directory holding that
 * name matters as much as the real file's. */
static int check_program_directories(const char *path, const char *real,
				     char *err, size_t errlen)
{
	char given_dir[PATH_MAX], real_dir[PATH_MAX];

	if (!resolve_parent(path, given_dir, err, errlen) ||
	    !resolve_parent(real, real_dir, err, errlen))
		return -1;
	if (strcmp(given_dir, real_dir) != 0 &&
	    check_directory_chain(path, given_dir, err, errlen))
		return -1;
	return check_directory_chain(path, real_dir, err, errlen);
}

int localfile_check_program(const char *path, char real[PATH_MAX],
			    char *err, size_t errlen)
{
	struct stat st;

	if (!realpath(path, real)) {
		errbuf_set(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	if (check_program_directories(path, real, err, errlen))
		return -1;
	if (lstat(real, &st) != 0) {
		errbuf_set(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	if (localfile_check_file(path, &st, false, err, errlen))
		return -1;
	if (!(st.st_mode & S_IXUSR)) {
		errbuf_set(err, errlen, "%s: not executable by its owner "
			   "(chmod u+x it)", path);
		return -1;
	}
	return 0;
}
