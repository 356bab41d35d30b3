/* spool.c - the events the master did not get, kept in order on disk.
 *
 * Record (one line, tab-separated, first field the format version):
 *   1 <kind> <jail> <ip> <host> <at> <time> <bantime> <failures> <restored>
 * Every field passed the same validation as the command line before it was
 * written, and passes it again when read back: the file is input too.
 *
 * A replay notes how far it got in <dir>/done ("<inode> <offset>") after
 * every event, so that a replay cut short (killed at fail2ban's action
 * time-out, or stopped by a file-system error) goes on where it stopped
 * instead of applying the same bans, and counting them, again.  The events
 * file itself is rewritten once, at the end. */
#include "spool.h"

#include "errbuf.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <unistd.h>

#define SPOOL_VERSION "1"
#define SPOOL_FIELDS 10


int spool_encode(const struct ban_event *ev, char *buf, size_t buflen)
{
	int n = snprintf(buf, buflen,
			 SPOOL_VERSION "\t%s\t%s\t%s\t%s\t%lld\t%lld\t%lld\t%lld\t%d\n",
			 event_kind_name(ev->kind), ev->jail, ev->ip, ev->host,
			 ev->at, ev->time, ev->bantime, ev->failures,
			 ev->restored ? 1 : 0);

	return n > 0 && (size_t)n < buflen ? n : -1;
}

/* Split a copy of line on tabs into exactly SPOOL_FIELDS fields. */
static int split_fields(char *copy, char *fields[SPOOL_FIELDS])
{
	size_t n = 0;
	char *p = copy;

	copy[strcspn(copy, "\n")] = '\0';
	while (n < SPOOL_FIELDS) {
		fields[n++] = p;
		p = strchr(p, '\t');
		if (!p)
			break;
		*p++ = '\0';
	}
	return n == SPOOL_FIELDS && p == NULL ? 0 : -1;
}

static int copy_field(char *dst, size_t dstlen, const char *src)
{
	if (strlen(src) >= dstlen)
		return -1;
	strcpy(dst, src);
	return 0;
}

int spool_decode(const char *line, struct ban_event *ev, const char **why)
{
	char copy[SPOOL_RECORD_MAX + 1];
	char *f[SPOOL_FIELDS];
	struct addr a;
	long long restored;

	memset(ev, 0, sizeof(*ev));
	*why = "malformed record";
	if (strlen(line) > SPOOL_RECORD_MAX)
		return -1;
	strcpy(copy, line);
	if (split_fields(copy, f) != 0)
		return -1;
	if (strcmp(f[0], SPOOL_VERSION) != 0) {
		*why = "unknown record version";
		return -1;
	}
	if (strcmp(f[1], "ban") == 0)
		ev->kind = EVENT_BAN;
	else if (strcmp(f[1], "unban") == 0)
		ev->kind = EVENT_UNBAN;
	else
		return -1;
	if (!jail_name_valid(f[2], why) ||
	    copy_field(ev->jail, sizeof(ev->jail), f[2]))
		return -1;
	/* Only canonical addresses are ever written: refuse any other. */
	if (addr_parse(f[3], &a, why) != 0)
		return -1;
	addr_format(&a, ev->ip);
	if (strcmp(ev->ip, f[3]) != 0) {
		*why = "address not in canonical form";
		return -1;
	}
	if (!node_name_valid(f[4], why) ||
	    copy_field(ev->host, sizeof(ev->host), f[4]))
		return -1;
	*why = "bad number";
	if (!parse_int_in(f[5], 0, 1LL << 40, &ev->at) ||
	    !parse_int_in(f[6], 0, 1LL << 40, &ev->time) ||
	    !parse_int_in(f[7], -1, INT32_MAX, &ev->bantime) ||
	    !parse_int_in(f[8], 0, INT32_MAX, &ev->failures) ||
	    !parse_int_in(f[9], 0, 1, &restored))
		return -1;
	ev->restored = restored == 1;
	return 0;
}

/* --- files -------------------------------------------------------------- */

struct spool_paths {
	char lock[PATH_MAX];
	char events[PATH_MAX];
	char rejected[PATH_MAX];
	char tmp[PATH_MAX];
	char done[PATH_MAX];
};

static int make_paths(const char *dir, struct spool_paths *p,
		      char *err, size_t errlen)
{
	if (snprintf(p->lock, sizeof(p->lock), "%s/lock", dir) >= PATH_MAX ||
	    snprintf(p->events, sizeof(p->events), "%s/events", dir) >= PATH_MAX ||
	    snprintf(p->rejected, sizeof(p->rejected), "%s/rejected", dir) >= PATH_MAX ||
	    snprintf(p->tmp, sizeof(p->tmp), "%s/events.tmp", dir) >= PATH_MAX ||
	    snprintf(p->done, sizeof(p->done), "%s/done", dir) >= PATH_MAX) {
		errbuf_set(err, errlen, "%s: path too long", dir);
		return -1;
	}
	return 0;
}

/* Take the spool lock (creating the directory on first use). */
static int lock_spool(const char *dir, const struct spool_paths *p, int how,
		      char *err, size_t errlen)
{
	int fd;

	if (mkdir(dir, 0700) != 0 && errno != EEXIST) {
		errbuf_set(err, errlen, "%s: %s", dir, strerror(errno));
		return -1;
	}
	fd = open(p->lock, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (fd < 0 || flock(fd, how) != 0) {
		errbuf_set(err, errlen, "%s: %s", p->lock, strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	return fd;
}

static void sync_dir(const char *dir)
{
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	if (fd >= 0) {
		fsync(fd);
		close(fd);
	}
}

/* Append whole lines with one writev() and fsync(); a short write is cut
 * off again so that a full disk never leaves half a record for the next one
 * to join.  What is appended always ends its line: the last line of an
 * events file cut short by a crash has no newline, and moved to rejected
 * without one, the next record rejected would be glued to it. */
static int append_durably(const char *path, const char *buf, size_t len,
			  char *err, size_t errlen)
{
	struct iovec iov[2] = {
		{ .iov_base = (void *)buf, .iov_len = len },
		{ .iov_base = (void *)"\n", .iov_len = 1 },
	};
	int parts = len > 0 && buf[len - 1] == '\n' ? 1 : 2;
	size_t total = len + (parts == 2);
	struct stat st;
	ssize_t n;
	int fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOFOLLOW,
		      0600);

	if (fd < 0) {
		errbuf_set(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	if (fstat(fd, &st) != 0)
		st.st_size = -1;
	n = writev(fd, iov, parts);
	if (n != (ssize_t)total || fsync(fd) != 0) {
		errbuf_set(err, errlen, "%s: %s", path,
		     n < 0 || n == (ssize_t)total ? strerror(errno) : "short write");
		if (n > 0 && st.st_size >= 0 && ftruncate(fd, st.st_size) != 0)
			errbuf_set(err, errlen, "%s: short write, not repaired", path);
		close(fd);
		return -1;
	}
	close(fd);
	return 0;
}

int spool_append(const char *dir, const struct ban_event *ev,
		 char *err, size_t errlen)
{
	struct spool_paths p;
	char rec[SPOOL_RECORD_MAX];
	int len = spool_encode(ev, rec, sizeof(rec));
	int lock, rc;

	if (len < 0) {
		errbuf_set(err, errlen, "event too large for the spool");
		return -1;
	}
	if (make_paths(dir, &p, err, errlen) ||
	    (lock = lock_spool(dir, &p, LOCK_EX, err, errlen)) < 0)
		return -1;
	rc = append_durably(p.events, rec, (size_t)len, err, errlen);
	if (rc == 0)
		sync_dir(dir);
	close(lock);
	return rc;
}

bool spool_pending(const char *dir)
{
	char path[PATH_MAX];
	struct stat st;

	if (snprintf(path, sizeof(path), "%s/events", dir) >= PATH_MAX)
		return false;
	return stat(path, &st) == 0 && st.st_size > 0;
}

/* --- replay ------------------------------------------------------------- */

/* Rewrite the events file with what is left (or remove it when nothing is):
 * write aside, fsync, rename, so a crash leaves the old or the new file. */
static int keep_lines(const struct spool_paths *p, const char *dir,
		      const char *kept, size_t len, char *err, size_t errlen)
{
	if (len == 0) {
		if (unlink(p->events) != 0 && errno != ENOENT) {
			errbuf_set(err, errlen, "%s: %s", p->events, strerror(errno));
			return -1;
		}
	} else {
		unlink(p->tmp);
		if (append_durably(p->tmp, kept, len, err, errlen))
			return -1;
		if (rename(p->tmp, p->events) != 0) {
			errbuf_set(err, errlen, "%s: %s", p->events, strerror(errno));
			return -1;
		}
	}
	/* The progress note names the old file's inode: stale either way. */
	unlink(p->done);
	sync_dir(dir);
	return 0;
}

/* --- progress ----------------------------------------------------------- */

static FILE *open_events(const struct spool_paths *p, off_t *offset);

/* Take the lock and open the events file past what is done.  Returns 0
 * with *events NULL when nothing waits, -1 on an error (said in err). */
static int open_spool(const char *dir, struct spool_paths *p, int how,
		      int *lock, FILE **events, off_t *offset,
		      char *err, size_t errlen)
{
	*events = NULL;
	if (make_paths(dir, p, err, errlen) ||
	    (*lock = lock_spool(dir, p, how, err, errlen)) < 0)
		return -1;
	*events = open_events(p, offset);
	if (*events || errno == ENOENT)
		return 0;
	errbuf_set(err, errlen, "%s: %s", p->events, strerror(errno));
	close(*lock);
	return -1;
}

/* Open the events file positioned after what an earlier replay of this very
 * file (same inode) did already; *offset is that position. */
static FILE *open_events(const struct spool_paths *p, off_t *offset)
{
	FILE *f = fopen(p->events, "re");
	FILE *done;
	struct stat st;
	unsigned long long ino;
	long long at;

	*offset = 0;
	if (!f || fstat(fileno(f), &st) != 0)
		return f;
	done = fopen(p->done, "re");
	if (done) {
		if (fscanf(done, "%llu %lld", &ino, &at) == 2 &&
		    ino == (unsigned long long)st.st_ino && at > 0 &&
		    at <= st.st_size && fseeko(f, (off_t)at, SEEK_SET) == 0)
			*offset = (off_t)at;
		fclose(done);
	}
	return f;
}

/* Note the position reached; no fsync: it guards against this process
 * dying, and a crash of the whole machine only replays a little more. */
static void note_progress(int fd, FILE *events, off_t offset)
{
	struct stat st;
	char buf[64];
	int n;

	if (fd < 0 || fstat(fileno(events), &st) != 0)
		return;
	n = snprintf(buf, sizeof(buf), "%llu %lld\n",
		     (unsigned long long)st.st_ino, (long long)offset);
	if (pwrite(fd, buf, (size_t)n, 0) != n || ftruncate(fd, n) != 0)
		return;   /* the worst case is a replay that goes further back */
}

struct replay_state {
	char *kept;       /* lines still waiting, in order */
	size_t kept_len;
	size_t kept_cap;
	bool stopped;
};

static int keep(struct replay_state *rs, const char *line, size_t len)
{
	if (rs->kept_len + len + 1 > rs->kept_cap) {
		size_t cap = (rs->kept_cap + len + 1) * 2;
		char *grown = realloc(rs->kept, cap);
		if (!grown)
			return -1;
		rs->kept = grown;
		rs->kept_cap = cap;
	}
	memcpy(rs->kept + rs->kept_len, line, len);
	rs->kept_len += len;
	if (len == 0 || line[len - 1] != '\n')
		rs->kept[rs->kept_len++] = '\n';
	return 0;
}

static int replay_line(struct replay_state *rs, const struct spool_paths *p,
		       const char *line, size_t len, spool_apply_fn fn,
		       void *ctx, struct spool_counts *c,
		       char *err, size_t errlen)
{
	struct ban_event ev;
	const char *why;

	if (rs->stopped) {
		c->kept++;
		return keep(rs, line, len);
	}
	if (spool_decode(line, &ev, &why) != 0) {
		c->undecodable++;
		return append_durably(p->rejected, line, len, err, errlen);
	}
	switch (fn(ctx, &ev)) {
	case SPOOL_APPLIED:
		c->applied++;
		return 0;
	case SPOOL_REFUSED:
		c->refused++;
		return append_durably(p->rejected, line, len, err, errlen);
	case SPOOL_STOP:
		break;
	}
	rs->stopped = true;
	c->kept++;
	return keep(rs, line, len);
}

int spool_replay(const char *dir, spool_apply_fn fn, void *ctx,
		 struct spool_counts *counts, char *err, size_t errlen)
{
	struct spool_paths p;
	struct replay_state rs = { 0 };
	char *line = NULL;
	size_t cap = 0;
	ssize_t len;
	off_t offset;
	FILE *f;
	int lock, done, rc = 0;

	memset(counts, 0, sizeof(*counts));
	if (open_spool(dir, &p, LOCK_EX, &lock, &f, &offset, err, errlen) != 0)
		return -1;
	if (!f) {
		close(lock);
		return 0;
	}
	done = open(p.done, O_WRONLY | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
	while (rc == 0 && (len = getline(&line, &cap, f)) > 0) {
		rc = replay_line(&rs, &p, line, (size_t)len, fn, ctx, counts,
				 err, errlen);
		if (rc == 0 && !rs.stopped) {
			offset += len;
			note_progress(done, f, offset);
		}
	}
	if (done >= 0)
		close(done);
	fclose(f);
	free(line);
	if (rc == 0)
		rc = keep_lines(&p, dir, rs.kept, rs.kept_len, err, errlen);
	free(rs.kept);
	close(lock);
	return rc;
}

int spool_list(const char *dir, spool_list_fn fn, void *ctx,
	       char *err, size_t errlen)
{
	struct spool_paths p;
	char *line = NULL;
	size_t cap = 0;
	off_t offset;
	FILE *f;
	int lock;

	if (open_spool(dir, &p, LOCK_SH, &lock, &f, &offset, err, errlen) != 0)
		return -1;
	if (!f) {
		close(lock);
		return 0;
	}
	while (getline(&line, &cap, f) > 0) {
		struct ban_event ev;
		const char *why;

		line[strcspn(line, "\n")] = '\0';
		fn(ctx, spool_decode(line, &ev, &why) == 0 ? &ev : NULL, line);
	}
	fclose(f);
	free(line);
	close(lock);
	return 0;
}
