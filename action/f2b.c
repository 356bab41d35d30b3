/* f2b.c - one request, one reply, over fail2ban's socket.
 *
 * Framing (fail2ban's csocket.py and asyncserver.py): the request is a
 * pickled list of strings followed by "<F2B_END_COMMAND>"; the reply is a
 * pickled (code, result) tuple followed by the same marker; code 0 is
 * success, 1 a pickled exception.  "<F2B_CLOSE_COMMAND><F2B_END_COMMAND>"
 * closes the conversation politely.  Every socket operation has a time-out,
 * and the reply is read into a bounded buffer. */
#include "f2b.h"

#include "textcopy.h"

#include <errno.h>
#include <poll.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

static const char end_marker[] = F2B_END_COMMAND;
static const char close_command[] = F2B_CLOSE_COMMAND F2B_END_COMMAND;

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Wait until fd is ready for events, or the deadline passes. */
static int wait_ready(int fd, short events, long long deadline)
{
	struct pollfd p = { .fd = fd, .events = events };
	long long left;
	int rc;

	do {
		left = deadline - now_ms();
		if (left <= 0)
			return -1;
		rc = poll(&p, 1, (int)left);
	} while (rc < 0 && errno == EINTR);
	return rc > 0 ? 0 : -1;
}

/* fail2ban listens with a backlog of one and serves its socket from the
 * thread that also runs actions: while it is busy, a connect fails with
 * EAGAIN.  That is "busy", not "not running": try again until the
 * deadline. */
static int connect_socket(const char *path, long long deadline, bool *busy,
			  char *err, size_t errlen)
{
	struct sockaddr_un addr = { .sun_family = AF_UNIX };
	struct timespec pause = { 0, 5 * 1000 * 1000 };
	int fd, rc;

	if (!text_copy(addr.sun_path, sizeof(addr.sun_path), path)) {
		snprintf(err, errlen, "%s: socket path too long", path);
		return -1;
	}
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0) {
		snprintf(err, errlen, "socket: %s", strerror(errno));
		return -1;
	}
	while ((rc = connect(fd, (struct sockaddr *)&addr, sizeof(addr))) != 0 &&
	       (errno == EAGAIN || errno == EINTR) && now_ms() < deadline)
		nanosleep(&pause, NULL);
	if (rc != 0) {
		*busy = errno == EAGAIN;
		snprintf(err, errlen, *busy ?
			 "fail2ban is busy (%s: %s)" :
			 "fail2ban is not running (%s: %s)", path,
			 strerror(errno));
		close(fd);
		return -1;
	}
	return fd;
}

static int send_all(int fd, const void *buf, size_t len, long long deadline)
{
	const unsigned char *p = buf;

	errno = 0;
	while (len > 0) {
		ssize_t n = send(fd, p, len, MSG_NOSIGNAL);
		if (n > 0) {
			p += n;
			len -= (size_t)n;
		} else if (n < 0 && errno != EAGAIN && errno != EINTR) {
			return -1;
		} else if (wait_ready(fd, POLLOUT, deadline) != 0) {
			errno = 0;
			return -1;
		}
	}
	return 0;
}

/* Read until the end marker; returns the reply's length without it. */
static ssize_t read_reply(int fd, unsigned char **out, long long deadline,
			  char *err, size_t errlen)
{
	size_t cap = 4096, len = 0, mlen = sizeof(end_marker) - 1;
	unsigned char *buf = malloc(cap);

	while (buf) {
		if (len >= mlen && memcmp(buf + len - mlen, end_marker, mlen) == 0) {
			*out = buf;
			return (ssize_t)(len - mlen);
		}
		if (len == cap) {
			unsigned char *grown = cap < F2B_REPLY_MAX ?
					       realloc(buf, cap * 2) : NULL;
			if (!grown) {
				snprintf(err, errlen, "fail2ban's reply is too large");
				break;
			}
			buf = grown;
			cap *= 2;
		}
		ssize_t n = recv(fd, buf + len, cap - len, 0);
		if (n > 0) {
			len += (size_t)n;
		} else if (n == 0) {
			snprintf(err, errlen, "fail2ban closed the connection");
			break;
		} else if (errno != EAGAIN && errno != EINTR) {
			snprintf(err, errlen, "reading from fail2ban: %s",
				 strerror(errno));
			break;
		} else if (wait_ready(fd, POLLIN, deadline) != 0) {
			snprintf(err, errlen, "fail2ban did not answer in time");
			break;
		}
	}
	free(buf);
	return -1;
}

/* "fail2ban.server.jails.UnknownJailException" -> the server's message. */
static enum f2b_status server_exception(const struct pickle_value *exc,
					char *err, size_t errlen)
{
	const char *name = exc->type == PICKLE_OBJECT ? exc->text : "?";
	const char *arg = exc->type == PICKLE_OBJECT && exc->count == 1 &&
			  exc->items[0]->type == PICKLE_STR ?
				  exc->items[0]->text : "";
	const char *dot = strrchr(name, '.');
	const char *short_name = dot ? dot + 1 : name;

	if (strcmp(short_name, "UnknownJailException") == 0) {
		snprintf(err, errlen, "fail2ban has no jail %s", arg);
		return F2B_UNKNOWN_JAIL;
	}
	snprintf(err, errlen, "fail2ban refused: %s(%s)", short_name, arg);
	return F2B_REFUSED;
}

static enum f2b_status read_result(struct pickle_doc *doc,
				   const struct pickle_value **result,
				   char *err, size_t errlen)
{
	const struct pickle_value *root = pickle_root(doc);

	/* A request the server could not even read comes back as a bare
	 * "ERROR: ..." string. */
	if (root->type == PICKLE_STR) {
		snprintf(err, errlen, "fail2ban: %s", root->text);
		return F2B_REFUSED;
	}
	if (root->type != PICKLE_TUPLE || root->count != 2 ||
	    root->items[0]->type != PICKLE_INT) {
		snprintf(err, errlen, "fail2ban's reply is not (code, result)");
		return F2B_FAILED;
	}
	if (root->items[0]->integer != 0)
		return server_exception(root->items[1], err, errlen);
	*result = root->items[1];
	return F2B_OK;
}

enum f2b_status f2b_call(const char *socket_path, const char *const *argv,
			 size_t argc, unsigned timeout_ms,
			 struct pickle_doc **doc,
			 const struct pickle_value **result,
			 char *err, size_t errlen)
{
	long long deadline = now_ms() + timeout_ms;
	unsigned char *request, *reply = NULL;
	size_t request_len;
	ssize_t reply_len = -1;
	enum f2b_status status = F2B_FAILED;
	const char *why;
	bool busy = false;
	int fd;

	*doc = NULL;
	request = pickle_encode_command(argv, argc, &request_len);
	if (!request) {
		snprintf(err, errlen, "command cannot be encoded");
		return F2B_FAILED;
	}
	fd = connect_socket(socket_path, deadline, &busy, err, errlen);
	if (fd < 0) {
		free(request);
		return busy ? F2B_FAILED : F2B_NO_SERVER;
	}
	if (send_all(fd, request, request_len, deadline) != 0)
		snprintf(err, errlen, "writing to fail2ban: %s",
			 errno ? strerror(errno) : "timed out");
	else
		reply_len = read_reply(fd, &reply, deadline, err, errlen);
	if (reply_len >= 0) {
		send_all(fd, close_command, sizeof(close_command) - 1, deadline);
		*doc = pickle_decode(reply, (size_t)reply_len, &why);
		if (!*doc)
			snprintf(err, errlen, "fail2ban's reply: %s", why);
		else if ((status = read_result(*doc, result, err, errlen)) != F2B_OK) {
			pickle_doc_free(*doc);
			*doc = NULL;
		}
	}
	close(fd);
	free(request);
	free(reply);
	return status;
}

enum f2b_status f2b_command(const char *socket_path, const char *const *argv,
			    size_t argc, unsigned timeout_ms,
			    char *err, size_t errlen)
{
	struct pickle_doc *doc;
	const struct pickle_value *result;
	enum f2b_status s = f2b_call(socket_path, argv, argc, timeout_ms, &doc,
				     &result, err, errlen);

	pickle_doc_free(doc);
	return s;
}
