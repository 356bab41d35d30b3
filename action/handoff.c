/* handoff.c - the hand-off's socket and lines (handoff.h). */
#include "handoff.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "errbuf.h"
#include "spool.h"
#include "textcopy.h"

#define HANDOFF_MAGIC "mc-f2b-handoff 1"
#define REQUEST_FIELDS 5
/* How long a connected client may take to send its line: it wrote it
 * before it waited, so this only bounds one that never does. */
#define READ_WAIT_MS 1000
/* The pause after an accept() that failed for want of resources. */
#define ACCEPT_BACKOFF_MS 100

static const char *const verdict_words[] = {
	[HANDOFF_DONE] = "done",
	[HANDOFF_REFUSED] = "refused",
	[HANDOFF_SPOOL] = "spool",
	[HANDOFF_DIRECT] = "direct",
};

int handoff_path(const char *spool_dir, char *buf, size_t buflen)
{
	struct sockaddr_un sa;
	int n = snprintf(buf, buflen, "%s/" HANDOFF_SOCKET, spool_dir);

	return n > 0 && (size_t)n < buflen && (size_t)n < sizeof(sa.sun_path) ?
	       0 : -1;
}

/* --- the lines ------------------------------------------------------------ */

static bool only_chars(const char *s, const char *allowed)
{
	return s[0] && s[strspn(s, allowed)] == '\0';
}

int handoff_encode_request(const struct handoff_request *r, char *buf,
			   size_t buflen)
{
	char record[SPOOL_RECORD_MAX];
	int n;

	if (spool_encode(&r->ev, record, sizeof(record)) < 0)
		return -1;
	n = snprintf(buf, buflen, HANDOFF_MAGIC "\t%s\t%s\t%s%s\t%s",
		     r->identity, r->actor, r->has_port ? "p:" : "-",
		     r->has_port ? r->port : "", record);
	return n > 0 && (size_t)n < buflen ? n : -1;
}

/* Split line on its first REQUEST_FIELDS - 1 tabs: the last field, the
 * spool's record, holds tabs of its own. */
static int split_request(char *line, char *f[REQUEST_FIELDS])
{
	char *p = line;

	for (int i = 0; i < REQUEST_FIELDS - 1; i++) {
		f[i] = p;
		p = strchr(p, '\t');
		if (!p)
			return -1;
		*p++ = '\0';
	}
	f[REQUEST_FIELDS - 1] = p;
	return 0;
}

int handoff_decode_request(const char *line, struct handoff_request *r,
			   const char **why)
{
	char copy[HANDOFF_LINE_MAX + 1];
	char *f[REQUEST_FIELDS];

	memset(r, 0, sizeof(*r));
	*why = "malformed request";
	if (!text_copy(copy, sizeof(copy), line))
		return -1;
	copy[strcspn(copy, "\n")] = '\0';
	if (split_request(copy, f) != 0 || strcmp(f[0], HANDOFF_MAGIC) != 0)
		return -1;
	if (!only_chars(f[1], "0123456789:.") ||
	    !text_copy(r->identity, sizeof(r->identity), f[1])) {
		*why = "bad configuration identity";
		return -1;
	}
	if (!only_chars(f[2], "abcdefghijklmnopqrstuvwxyz0123456789 ") ||
	    !text_copy(r->actor, sizeof(r->actor), f[2])) {
		*why = "bad actor";
		return -1;
	}
	if (strncmp(f[3], "p:", 2) == 0) {
		r->has_port = true;
		if (!jail_port_valid(f[3] + 2, why) ||
		    !text_copy(r->port, sizeof(r->port), f[3] + 2))
			return -1;
	} else if (strcmp(f[3], "-") != 0) {
		*why = "bad port field";
		return -1;
	}
	return spool_decode(f[4], &r->ev, why);
}

int handoff_encode_reply(enum handoff_verdict v, const char *text, char *buf,
			 size_t buflen)
{
	char clean[HANDOFF_TEXT_MAX + 1];
	size_t i;
	int n;

	if ((size_t)v >= sizeof(verdict_words) / sizeof(*verdict_words))
		v = HANDOFF_DIRECT;   /* HANDOFF_TIMED_OUT is the client's */
	for (i = 0; text[i] && i < HANDOFF_TEXT_MAX; i++)
		clean[i] = text[i] == '\t' || text[i] == '\n' ||
			   text[i] == '\r' ? ' ' : text[i];
	clean[i] = '\0';
	n = snprintf(buf, buflen, "%s\t%s\n", verdict_words[v], clean);
	return n > 0 && (size_t)n < buflen ? n : -1;
}

enum handoff_verdict handoff_decode_reply(const char *line, char *text,
					  size_t textlen)
{
	const char *tab = strchr(line, '\t');

	text[0] = '\0';
	if (!tab)
		return HANDOFF_DIRECT;
	for (size_t v = 0; v < sizeof(verdict_words) / sizeof(*verdict_words);
	     v++) {
		size_t len = strlen(verdict_words[v]);

		if ((size_t)(tab - line) == len &&
		    strncmp(line, verdict_words[v], len) == 0) {
			snprintf(text, textlen, "%.*s", (int)strcspn(tab + 1,
				 "\n"), tab + 1);
			return (enum handoff_verdict)v;
		}
	}
	return HANDOFF_DIRECT;
}

/* --- the socket ------------------------------------------------------------ */

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Read one line into buf until '\n', the end, or the deadline.  Returns its
 * length (the '\n' kept), 0 at an end before any '\n', -1 on an error,
 * -2 when the deadline passed first, -3 when it is longer than buf. */
static ssize_t read_line(int fd, char *buf, size_t buflen, long long deadline)
{
	size_t have = 0;

	while (have < buflen - 1) {
		struct pollfd p = { .fd = fd, .events = POLLIN };
		long long left = deadline - now_ms();
		ssize_t n;

		if (left <= 0)
			return -2;
		n = poll(&p, 1, (int)left);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -1;
		if (n == 0)
			return -2;
		n = recv(fd, buf + have, buflen - 1 - have, 0);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return n;
		have += (size_t)n;
		buf[have] = '\0';
		if (memchr(buf + have - (size_t)n, '\n', (size_t)n))
			return (ssize_t)have;
	}
	return -3;
}

static bool send_all(int fd, const char *buf, size_t len)
{
	while (len > 0) {
		ssize_t n = send(fd, buf, len, MSG_NOSIGNAL);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return false;
		buf += n;
		len -= (size_t)n;
	}
	return true;
}

/* Whether the other end has closed its side (it sends nothing after its
 * line, so any end seen now is a client gone). */
static bool hung_up(int conn)
{
	struct pollfd p = { .fd = conn, .events = POLLRDHUP };

	return poll(&p, 1, 0) == 1 &&
	       (p.revents & (POLLRDHUP | POLLHUP | POLLERR)) != 0;
}

/* Only this user's processes, on either side: the spool directory already
 * keeps others out; the check holds even where it was made wider by
 * hand. */
static bool peer_is_us(int conn)
{
	struct ucred cred;
	socklen_t len = sizeof(cred);

	return getsockopt(conn, SOL_SOCKET, SO_PEERCRED, &cred, &len) == 0 &&
	       cred.uid == geteuid();
}

static int socket_address(const char *spool_dir, struct sockaddr_un *sa)
{
	memset(sa, 0, sizeof(*sa));
	sa->sun_family = AF_UNIX;
	return handoff_path(spool_dir, sa->sun_path, sizeof(sa->sun_path));
}

enum handoff_verdict handoff_ask(const char *spool_dir,
				 const struct handoff_request *r,
				 unsigned wait_ms, char *text, size_t textlen)
{
	struct sockaddr_un sa;
	char line[HANDOFF_LINE_MAX + 1];
	long long deadline = now_ms() + wait_ms;
	enum handoff_verdict v = HANDOFF_DIRECT;
	int fd, len;
	ssize_t got;

	text[0] = '\0';
	if (socket_address(spool_dir, &sa) != 0 ||
	    (len = handoff_encode_request(r, line, sizeof(line))) < 0)
		return HANDOFF_DIRECT;
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return HANDOFF_DIRECT;
	/* A unix socket's connect is queued, or refused, at once; it waits
	 * only while the server's queue is full, and no longer than this. */
	struct timeval tv = { (time_t)(wait_ms / 1000),
			      (suseconds_t)(wait_ms % 1000) * 1000 };
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) != 0) {
		v = errno == EAGAIN || errno == EINPROGRESS ?
		    HANDOFF_TIMED_OUT : HANDOFF_DIRECT;
		if (v == HANDOFF_TIMED_OUT)
			snprintf(text, textlen, "the sync loop's queue stayed "
				 "full for %u ms", wait_ms);
		close(fd);
		return v;
	}
	if (!peer_is_us(fd) || !send_all(fd, line, (size_t)len)) {
		close(fd);
		return HANDOFF_DIRECT;
	}
	got = read_line(fd, line, sizeof(line), deadline);
	if (got > 0) {
		v = handoff_decode_reply(line, text, textlen);
	} else if (got == -2) {
		v = HANDOFF_TIMED_OUT;
		snprintf(text, textlen, "the sync loop did not answer within "
			 "%u ms", wait_ms);
	}
	close(fd);
	return v;
}

int handoff_listen(const char *spool_dir, char *err, size_t errlen)
{
	struct sockaddr_un sa;
	mode_t old;
	int fd, rc;

	if (socket_address(spool_dir, &sa) != 0) {
		errbuf_set(err, errlen, "%s/" HANDOFF_SOCKET ": path too long "
			   "for a unix socket", spool_dir);
		return -1;
	}
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		errbuf_set(err, errlen, "socket: %s", strerror(errno));
		return -1;
	}
	/* A socket left by a loop that ended without removing it, or one
	 * still served by another loop: this one takes the name over. */
	if (unlink(sa.sun_path) != 0 && errno != ENOENT) {
		errbuf_set(err, errlen, "%s: %s", sa.sun_path, strerror(errno));
		close(fd);
		return -1;
	}
	old = umask(0177);
	rc = bind(fd, (struct sockaddr *)&sa, sizeof(sa));
	umask(old);
	if (rc != 0 || listen(fd, 64) != 0) {
		errbuf_set(err, errlen, "%s: %s", sa.sun_path, strerror(errno));
		close(fd);
		return -1;
	}
	return fd;
}

int handoff_next(int listen_fd, unsigned wait_ms, char *buf, size_t buflen,
		 char *err, size_t errlen)
{
	struct pollfd p = { .fd = listen_fd, .events = POLLIN };
	ssize_t got;
	int conn;

	err[0] = '\0';
	if (poll(&p, 1, (int)wait_ms) <= 0)
		return -1;
	conn = accept4(listen_fd, NULL, NULL, SOCK_CLOEXEC);
	if (conn < 0) {
		/* Out of descriptors, say: the socket stays readable, and
		 * the loop must not spin on it. */
		if (errno != EINTR && errno != EAGAIN && errno != ECONNABORTED) {
			errbuf_set(err, errlen, "accept: %s", strerror(errno));
			poll(NULL, 0, ACCEPT_BACKOFF_MS);
		}
		return -1;
	}
	if (!peer_is_us(conn)) {
		errbuf_set(err, errlen, "a process of another user connected: "
			   "dropped");
		close(conn);
		return -1;
	}
	got = read_line(conn, buf, buflen, now_ms() + READ_WAIT_MS);
	if (got <= 0) {
		errbuf_set(err, errlen, "%s", got == -3 ? "a request longer "
			   "than a line: dropped" : got == -2 ? "a request not "
			   "sent within a second: dropped" : "");
		close(conn);
		return -1;
	}
	/* A client that gave up while the request waited in the queue has
	 * spooled its event: applying it now could overtake what came
	 * since. */
	if (hung_up(conn)) {
		errbuf_set(err, errlen, "a request whose client gave up "
			   "waiting: dropped (its event is spooled)");
		close(conn);
		return -1;
	}
	return conn;
}

void handoff_answer(int conn, enum handoff_verdict v, const char *text)
{
	char line[HANDOFF_LINE_MAX];
	int len = handoff_encode_reply(v, text, line, sizeof(line));

	if (len > 0)
		send_all(conn, line, (size_t)len);
	close(conn);
}
