/* nodes.c - the addresses the cluster never bans. */
#include "nodes.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <ifaddrs.h>
#include <limits.h>
#include <netdb.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "errbuf.h"
#include "log.h"
#include "spooldir.h"

#define NODES_FILE "nodes"
#define NODES_TEMP "nodes.new"
#define NODES_HEAD "mc-f2b nodes 1\n"
/* The file at its largest: the head and NODES_MAX addresses. */
#define NODES_FILE_MAX (sizeof(NODES_HEAD) + NODES_MAX * ADDR_TEXT_MAX)

/* --- the pure parts ----------------------------------------------------- */

static bool label_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       (c >= '0' && c <= '9') || c == '-';
}

static bool name_valid(const char *name, const char **why)
{
	size_t len = strnlen(name, NODES_NAME_MAX + 1), label = 0;

	if (len == 0 || len > NODES_NAME_MAX) {
		*why = len ? "a host name has at most 253 characters"
			   : "empty";
		return false;
	}
	for (size_t i = 0; i <= len; i++) {
		char c = name[i];

		if (c == '.' || c == '\0') {
			if (label == 0 || name[i - 1] == '-') {
				*why = "an empty label, or one ending in '-'";
				return false;
			}
			label = 0;
		} else if (!label_char(c)) {
			*why = "a host name is letters, digits, '-' and dots";
			return false;
		} else if (label == 0 && c == '-') {
			*why = "a label may not start with '-'";
			return false;
		} else if (++label > 63) {
			*why = "a label has at most 63 characters";
			return false;
		}
	}
	return true;
}

bool nodes_entry_valid(const char *entry, const char **why)
{
	struct addr a;
	const char *ignored;

	if (addr_parse(entry, &a, &ignored) == 0)
		return true;
	return name_valid(entry, why);
}

bool nodes_has(const struct nodes *set, const struct addr *a)
{
	for (size_t i = 0; i < set->count; i++)
		if (set->addr[i].family == a->family &&
		    memcmp(set->addr[i].bytes, a->bytes, sizeof(a->bytes)) == 0)
			return true;
	return false;
}

int nodes_add(struct nodes *set, const struct addr *a)
{
	if (nodes_has(set, a))
		return 0;
	if (set->count == NODES_MAX) {
		set->cut = true;
		return -1;
	}
	set->addr[set->count++] = *a;
	return 0;
}

bool nodes_in_net(const struct nodes *set, const struct addr_net *net,
		  struct addr *found)
{
	for (size_t i = 0; i < set->count; i++)
		if (addr_net_contains(net, &set->addr[i])) {
			if (found)
				*found = set->addr[i];
			return true;
		}
	return false;
}

/* The entry that starts at p (up to the next comma), trimmed, into entry;
 * returns its length, 0 for an empty one or one too long to be a name
 * (the configuration refused those). */
static size_t next_entry(const char *p, char entry[NODES_NAME_MAX + 1])
{
	size_t len = strcspn(p, ",");

	while (len && (p[len - 1] == ' ' || p[len - 1] == '\t'))
		len--;
	if (len > NODES_NAME_MAX)
		return 0;
	memcpy(entry, p, len);
	entry[len] = '\0';
	return len;
}

void nodes_add_literal(struct nodes *set, const char *list)
{
	const char *p = list;

	while (*p) {
		char entry[NODES_NAME_MAX + 1];
		struct addr a;
		const char *why;

		p += strspn(p, " \t,");
		if (next_entry(p, entry) && addr_parse(entry, &a, &why) == 0)
			nodes_add(set, &a);
		p += strcspn(p, ",");
	}
}

int nodes_encode(const struct nodes *set, char *buf, size_t buflen)
{
	size_t used = sizeof(NODES_HEAD) - 1;

	if (buflen <= used)
		return -1;
	memcpy(buf, NODES_HEAD, used + 1);
	for (size_t i = 0; i < set->count; i++) {
		char text[ADDR_TEXT_MAX];
		size_t len;

		addr_format(&set->addr[i], text);
		len = strlen(text);
		if (used + len + 2 > buflen)
			return -1;
		memcpy(buf + used, text, len);
		buf[used + len] = '\n';
		used += len + 1;
		buf[used] = '\0';
	}
	return (int)used;
}

int nodes_decode(const char *text, struct nodes *set)
{
	size_t head = sizeof(NODES_HEAD) - 1;
	const char *p;

	if (strncmp(text, NODES_HEAD, head) != 0)
		return -1;
	for (p = text + head; *p; ) {
		const char *nl = strchr(p, '\n');
		char line[ADDR_TEXT_MAX];
		struct addr a;
		const char *why;

		if (!nl || (size_t)(nl - p) >= sizeof(line))
			return -1;
		memcpy(line, p, (size_t)(nl - p));
		line[nl - p] = '\0';
		if (addr_parse(line, &a, &why) != 0)
			return -1;
		nodes_add(set, &a);
		p = nl + 1;
	}
	return 0;
}

/* --- the system --------------------------------------------------------- */

static int addr_of_sockaddr(const struct sockaddr *sa, struct addr *out)
{
	memset(out, 0, sizeof(*out));
	if (sa->sa_family == AF_INET) {
		const struct sockaddr_in *in = (const void *)sa;

		out->family = AF_INET;
		memcpy(out->bytes, &in->sin_addr, 4);
		return 0;
	}
	if (sa->sa_family == AF_INET6) {
		const struct sockaddr_in6 *in6 = (const void *)sa;
		char text[INET6_ADDRSTRLEN];
		const char *why;

		/* Through the text form, so that a mapped IPv4 address is
		 * kept as the IPv4 address it is (addr.h). */
		if (!inet_ntop(AF_INET6, &in6->sin6_addr, text, sizeof(text)))
			return -1;
		return addr_parse(text, out, &why);
	}
	return -1;
}

int nodes_add_local(struct nodes *set, char *err, size_t errlen)
{
	struct ifaddrs *all, *i;

	if (getifaddrs(&all) != 0) {
		errbuf_set(err, errlen, "this node's addresses: %s",
			   strerror(errno));
		return -1;
	}
	for (i = all; i; i = i->ifa_next) {
		struct addr a;

		if (i->ifa_addr && addr_of_sockaddr(i->ifa_addr, &a) == 0)
			nodes_add(set, &a);
	}
	freeifaddrs(all);
	return 0;
}

/* Returns 0, or -1 when the entry brought no address (said when say). */
static int resolve_one(struct nodes *set, const char *entry, bool say)
{
	struct addrinfo hints = { .ai_socktype = SOCK_STREAM }, *res, *r;
	struct addr a;
	const char *why;
	unsigned taken = 0;
	int rc;

	if (addr_parse(entry, &a, &why) == 0) {
		nodes_add(set, &a);
		return 0;
	}
	if (!name_valid(entry, &why)) {
		if (say)
			log_warning("cluster node '%s' skipped: %s",
				    strlen(entry) <= 64 ? entry : "(too long)",
				    why);
		return -1;
	}
	rc = getaddrinfo(entry, NULL, &hints, &res);
	if (rc != 0) {
		if (say)
			log_warning("cluster node %s: %s", entry,
				    gai_strerror(rc));
		return -1;
	}
	for (r = res; r && taken < NODES_PER_NAME_MAX; r = r->ai_next)
		if (addr_of_sockaddr(r->ai_addr, &a) == 0 &&
		    nodes_add(set, &a) == 0)
			taken++;
	freeaddrinfo(res);
	return 0;
}

int nodes_resolve_list(struct nodes *set, const char *list, bool say)
{
	const char *p = list;
	int failed = 0;

	while (*p) {
		char entry[NODES_NAME_MAX + 1];
		size_t len;

		p += strspn(p, " \t,");
		len = next_entry(p, entry);
		if (len && resolve_one(set, entry, say) != 0)
			failed++;
		p += strcspn(p, ",");
	}
	return failed;
}

/* --- the file in the spool directory ------------------------------------ */

static int write_all(int fd, const char *buf, size_t len)
{
	while (len) {
		ssize_t n = write(fd, buf, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		buf += n;
		len -= (size_t)n;
	}
	return 0;
}

/* Does <dir>/nodes hold exactly text? */
static bool stored_equals(const struct spooldir *s, const char *text,
			  size_t len)
{
	char buf[NODES_FILE_MAX + 1], err[256];
	struct stat st;
	ssize_t n;
	int fd = spooldir_file(s, NODES_FILE, O_RDONLY, &st, err, sizeof(err));

	if (fd < 0)
		return false;
	n = read(fd, buf, sizeof(buf));
	close(fd);
	return n >= 0 && (size_t)n == len && memcmp(buf, text, len) == 0;
}

int nodes_store(const char *spool_dir, const struct nodes *set,
		char *err, size_t errlen)
{
	char buf[NODES_FILE_MAX];
	struct spooldir s;
	struct stat st;
	int len = nodes_encode(set, buf, sizeof(buf)), fd, rc = -1;

	if (len < 0) {
		errbuf_set(err, errlen, "too many addresses");
		return -1;
	}
	if (spooldir_open(&s, spool_dir, LOCK_EX, err, errlen) != 0)
		return -1;
	/* The same list is not written again: a verb that changes nothing
	 * leaves the spool directory as it found it. */
	if (stored_equals(&s, buf, (size_t)len)) {
		spooldir_close(&s);
		return 0;
	}
	fd = spooldir_file(&s, NODES_TEMP, O_WRONLY | O_CREAT | O_TRUNC, &st,
			   err, errlen);
	if (fd >= 0) {
		if (write_all(fd, buf, (size_t)len) != 0 || fsync(fd) != 0 ||
		    renameat(s.dirfd, NODES_TEMP, s.dirfd, NODES_FILE) != 0)
			errbuf_set(err, errlen, "%s/" NODES_FILE ": %s",
				   spool_dir, strerror(errno));
		else
			rc = 0;
		close(fd);
	}
	spooldir_close(&s);
	return rc;
}

int nodes_load_stored(const char *spool_dir, struct nodes *set,
		      char *err, size_t errlen)
{
	char buf[NODES_FILE_MAX + 1];
	struct spooldir s;
	ssize_t n;

	/* Without the lock: the file is replaced whole by a rename. */
	if (spooldir_open(&s, spool_dir, SPOOLDIR_NO_LOCK, err, errlen) != 0)
		return -1;
	n = spooldir_read(&s, NODES_FILE, buf, sizeof(buf), err, errlen);
	spooldir_close(&s);
	if (n == SPOOLDIR_MISSING)
		return 0;
	if (n < 0)
		return -1;
	if (nodes_decode(buf, set) != 0) {
		errbuf_set(err, errlen, "%s/" NODES_FILE ": not a list of "
			   "addresses written by mc-f2b", spool_dir);
		return -1;
	}
	return 1;
}

bool nodes_stored_changed(const char *spool_dir, char *stamp)
{
	char path[PATH_MAX], now[NODES_STAMP_MAX];
	struct stat st;

	snprintf(path, sizeof(path), "%s/" NODES_FILE, spool_dir);
	/* None kept: read again every time, as the action would (this
	 * node's own addresses, which may change). */
	if (stat(path, &st) != 0)
		return true;
	else
		snprintf(now, sizeof(now), "%llu:%llu:%lld:%lld.%09ld",
			 (unsigned long long)st.st_dev,
			 (unsigned long long)st.st_ino, (long long)st.st_size,
			 (long long)st.st_mtim.tv_sec, st.st_mtim.tv_nsec);
	if (strcmp(now, stamp) == 0)
		return false;
	memcpy(stamp, now, sizeof(now));
	return true;
}
