/* spool.c - the events the master did not get, kept in order on disk.
 *
 * Record (one line, tab-separated, first field the format version):
 *   1 <kind> <jail> <ip> <host> <at> <time> <bantime> <failures> <restored>
 * Every field passed the same validation as the command line before it was
 * written, and passes it again when read back: the file is input too.
 *
 * So is the directory (spooldir.h).
 *
 * A replay marks each event done in the events file itself, once it is
 * applied (or copied to rejected): the line's first byte, the version, is
 * overwritten with SPOOL_DONE, on disk before the next event is applied.
 * A replay cut short (killed at fail2ban's action time-out, or stopped by
 * the master going away again) is resumed by the next one after the marked
 * lines, and the file is removed once no line is left unmarked.  Nothing
 * else ever rewrites it, and no second file says how far a replay got: a
 * note of that kind names the file by its inode, which the file system
 * gives to the next events file, whose first events it then skips.
 * An event applied whose mark was not yet written when the process died is
 * applied again by the next replay.  Only the last one can be, and applying
 * it again changes nothing under the rules of a ban (an active row stays
 * active and is not counted again, an unban of an inactive row changes
 * nothing) unless another node changed that very row in between: then the
 * ban counts once more, as a ban on that node would have. */
#include "spool.h"

#include "errbuf.h"
#include "spooldir.h"
#include "textcopy.h"

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
/* Written over the version of a line once its event is done: no record
 * starts with it, so a marked line is never read as an event again. */
#define SPOOL_DONE '#'


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
	return text_copy(dst, dstlen, src) ? 0 : -1;
}

int spool_decode(const char *line, struct ban_event *ev, const char **why)
{
	char copy[SPOOL_RECORD_MAX + 1];
	char *f[SPOOL_FIELDS];
	struct addr a;
	long long restored;

	memset(ev, 0, sizeof(*ev));
	*why = "malformed record";
	if (!text_copy(copy, sizeof(copy), line))
		return -1;
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
	/* bantime and failures are fail2ban's, whatever they grow to (its
	 * bantime.increment passes 2^31 s): a ban it made is never refused
	 * for its numbers. */
	*why = "bad number";
	if (!parse_int_in(f[5], 0, 1LL << 40, &ev->at) ||
	    !parse_int_in(f[6], 0, 1LL << 40, &ev->time) ||
	    !parse_int_in(f[7], -1, LLONG_MAX, &ev->bantime) ||
	    !parse_int_in(f[8], 0, LLONG_MAX, &ev->failures) ||
	    !parse_int_in(f[9], 0, 1, &restored))
		return -1;
	ev->restored = restored == 1;
	return 0;
}

/* --- appending ---------------------------------------------------------- */

/* Append whole lines with one writev() and fsync().  What is appended
 * starts a line of its own when the file's last line was cut by a crash
 * (glued to a cut tail, or to a line marked done, a record would go with
 * it), and ends its line when it is such a cut tail itself, moved to
 * rejected.  A short write is cut off again so that a full disk never
 * leaves half a record for the next one to join. */
static int append_lines(const struct spooldir *s, const char *name,
			const char *buf, size_t len, char *err, size_t errlen)
{
	struct iovec iov[3];
	struct stat st;
	size_t total = 0;
	char last = '\n';
	ssize_t n;
	int parts = 0;
	int fd = spooldir_file(s, name, O_RDWR | O_APPEND | O_CREAT, &st, err, errlen);

	if (fd < 0)
		return -1;
	if (st.st_size > 0 && pread(fd, &last, 1, st.st_size - 1) != 1)
		last = '\0';   /* unreadable: a newline too many costs nothing */
	if (last != '\n')
		iov[parts++] = (struct iovec){ (void *)"\n", 1 };
	iov[parts++] = (struct iovec){ (void *)buf, len };
	if (len == 0 || buf[len - 1] != '\n')
		iov[parts++] = (struct iovec){ (void *)"\n", 1 };
	for (int i = 0; i < parts; i++)
		total += iov[i].iov_len;
	n = writev(fd, iov, parts);
	if (n != (ssize_t)total || fsync(fd) != 0) {
		errbuf_set(err, errlen, "%s/%s: %s", s->dir, name,
		     n < 0 || n == (ssize_t)total ? strerror(errno) : "short write");
		if (n > 0 && ftruncate(fd, st.st_size) != 0)
			errbuf_set(err, errlen, "%s/%s: short write, not repaired",
				   s->dir, name);
		close(fd);
		return -1;
	}
	close(fd);
	return 0;
}

int spool_append(const char *dir, const struct ban_event *ev,
		 char *err, size_t errlen)
{
	struct spooldir s;
	char rec[SPOOL_RECORD_MAX];
	int len = spool_encode(ev, rec, sizeof(rec));
	int rc;

	if (len < 0) {
		errbuf_set(err, errlen, "event too large for the spool");
		return -1;
	}
	if (spooldir_open(&s, dir, LOCK_EX, err, errlen) != 0)
		return -1;
	rc = append_lines(&s, "events", rec, (size_t)len, err, errlen);
	if (rc == 0)
		rc = spooldir_sync(&s, err, errlen);
	spooldir_close(&s);
	return rc;
}

bool spool_pending(const char *dir)
{
	char path[PATH_MAX];
	struct stat st;

	if (snprintf(path, sizeof(path), "%s/events", dir) >= PATH_MAX ||
	    fstatat(AT_FDCWD, path, &st, AT_SYMLINK_NOFOLLOW) != 0)
		return false;
	/* Anything but a regular file there is for the replay to refuse
	 * aloud, not a spool to leave waiting unseen. */
	return !S_ISREG(st.st_mode) || st.st_size > 0;
}

/* --- reading ------------------------------------------------------------ */

/* The events file, read line by line, each line's offset known so that it
 * can be marked done. */
struct events {
	FILE *f;
	char *line;
	size_t cap;
	off_t at;     /* where the current line starts */
	off_t next;   /* where the next one does */
};

/* Open the events file; 0 with e->f NULL when there is none. */
static int open_events(const struct spooldir *s, int flags, struct events *e,
		       char *err, size_t errlen)
{
	struct stat st;
	int fd = spooldir_file(s, "events", flags, &st, err, errlen);

	memset(e, 0, sizeof(*e));
	if (fd == SPOOLDIR_MISSING)
		return 0;
	if (fd < 0)
		return -1;
	e->f = fdopen(fd, "r");
	if (!e->f) {
		errbuf_set(err, errlen, "%s/events: %s", s->dir, strerror(errno));
		close(fd);
		return -1;
	}
	return 0;
}

static void close_events(struct events *e)
{
	if (e->f)
		fclose(e->f);
	free(e->line);
}

/* The next line whose event waits: not marked done, and not empty (an
 * empty line holds no event).  Returns 1, or 0 at the end, -1 when the file
 * cannot be read. */
static int next_waiting(const struct spooldir *s, struct events *e,
			char *err, size_t errlen)
{
	ssize_t len;

	while ((len = getline(&e->line, &e->cap, e->f)) > 0) {
		e->at = e->next;
		e->next += len;
		if (e->line[0] != SPOOL_DONE && e->line[0] != '\n')
			return 1;
	}
	if (ferror(e->f)) {
		errbuf_set(err, errlen, "%s/events: %s", s->dir, strerror(errno));
		return -1;
	}
	return 0;
}

/* --- replay ------------------------------------------------------------- */

/* Mark the current line done, on disk before the next event is applied:
 * so, even after a crash of the machine, only the event applied last can
 * be applied again. */
static int mark_done(const struct spooldir *s, const struct events *e,
		     char *err, size_t errlen)
{
	static const char done = SPOOL_DONE;
	int fd = fileno(e->f);

	if (pwrite(fd, &done, 1, e->at) != 1 || fdatasync(fd) != 0) {
		errbuf_set(err, errlen, "%s/events: %s", s->dir, strerror(errno));
		return -1;
	}
	return 0;
}

/* Keep the current line in rejected, then mark it done.  A crash between
 * the two leaves it in rejected twice: kept, never lost. */
static int set_aside(const struct spooldir *s, const struct events *e,
		     char *err, size_t errlen)
{
	size_t len = (size_t)(e->next - e->at);

	if (append_lines(s, "rejected", e->line, len, err, errlen) != 0)
		return -1;
	return mark_done(s, e, err, errlen);
}

/* Apply the current line.  SPOOL_STOP leaves it, and every line after
 * it, waiting (*stopped).  Returns -1 on a file-system error. */
static int replay_line(const struct spooldir *s, const struct events *e,
		       spool_apply_fn fn, void *ctx, struct spool_counts *c,
		       bool *stopped, char *err, size_t errlen)
{
	struct ban_event ev;
	const char *why;

	if (spool_decode(e->line, &ev, &why) != 0) {
		c->undecodable++;
		return set_aside(s, e, err, errlen);
	}
	switch (fn(ctx, &ev)) {
	case SPOOL_APPLIED:
		c->applied++;
		return mark_done(s, e, err, errlen);
	case SPOOL_REFUSED:
		c->refused++;
		return set_aside(s, e, err, errlen);
	case SPOOL_STOP:
		break;
	}
	*stopped = true;
	c->kept++;
	return 0;
}

/* Every line done: the file goes, and the directory says so on disk. */
static int remove_events(const struct spooldir *s, char *err, size_t errlen)
{
	if (unlinkat(s->dirfd, "events", 0) != 0) {
		errbuf_set(err, errlen, "%s/events: %s", s->dir, strerror(errno));
		return -1;
	}
	return spooldir_sync(s, err, errlen);
}

int spool_replay(const char *dir, spool_apply_fn fn, void *ctx,
		 struct spool_counts *counts, char *err, size_t errlen)
{
	struct spooldir s;
	struct events e;
	bool stopped = false;
	int rc, more;

	memset(counts, 0, sizeof(*counts));
	if (spooldir_open(&s, dir, LOCK_EX, err, errlen) != 0)
		return -1;
	/* Not O_APPEND: on Linux, pwrite() to such a descriptor ignores its
	 * offset and writes at the end, where no mark belongs. */
	rc = open_events(&s, O_RDWR, &e, err, errlen);
	while (rc == 0 && e.f &&
	       (more = next_waiting(&s, &e, err, errlen)) != 0) {
		if (more < 0)
			rc = -1;
		else if (stopped)
			counts->kept++;
		else
			rc = replay_line(&s, &e, fn, ctx, counts, &stopped,
					 err, errlen);
	}
	if (rc == 0 && e.f && !stopped)
		rc = remove_events(&s, err, errlen);
	close_events(&e);
	spooldir_close(&s);
	return rc;
}

int spool_list(const char *dir, spool_list_fn fn, void *ctx,
	       char *err, size_t errlen)
{
	struct spooldir s;
	struct events e;
	int rc, more;

	if (spooldir_open(&s, dir, LOCK_SH, err, errlen) != 0)
		return -1;
	rc = open_events(&s, O_RDONLY, &e, err, errlen);
	while (rc == 0 && e.f &&
	       (more = next_waiting(&s, &e, err, errlen)) != 0) {
		struct ban_event ev;
		const char *why;

		if (more < 0) {
			rc = -1;
			break;
		}
		e.line[strcspn(e.line, "\n")] = '\0';
		fn(ctx, spool_decode(e.line, &ev, &why) == 0 ? &ev : NULL,
		   e.line);
	}
	close_events(&e);
	spooldir_close(&s);
	return rc;
}
