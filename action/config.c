/* config.c - read and check mc-f2b.ini.
 *
 * The file holds a database password and names a program mc-f2b runs as
 * root inside fail2ban, so it is treated like an ssh private key: opened
 * once through localfile (nobody but root and the running user may have
 * written it or its directories), parsed from that very descriptor, and
 * when it holds a password, private.  Unknown keys are refused: a misspelt
 * "pasword" silently ignored would be worse than an error.  Only this file
 * includes iniparser.h. */
#include "config.h"

#include "errbuf.h"
#include "localfile.h"
#include "textcopy.h"

#include <fcntl.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include <iniparser.h>

#define DEFAULT_F2B_SOCKET "/var/run/fail2ban/fail2ban.sock"
#define DEFAULT_F2B_CONFIG_DIR "/etc/fail2ban"
#define DEFAULT_F2B_CLIENT "/usr/bin/fail2ban-client"

struct section_keys {
	const char *section;
	const char *const *keys;
};

static const char *const db_keys[] = {
	"host", "port", "socket", "user", "password", "password_file",
	"database", "connect_timeout_ms", "query_timeout_ms", NULL,
};
static const char *const fail2ban_keys[] = {
	"socket", "config_dir", "client", NULL,
};
static const char *const node_keys[] = { "name", NULL };
static const char *const spool_keys[] = { "dir", NULL };
static const char *const log_keys[] = { "stderr", NULL };
static const char *const custom_keys[] = { "max_count", NULL };
static const char *const cluster_keys[] = {
	"nodes", "mailcleaner_tables", NULL,
};
static const char *const metrics_keys[] = { "textfile", NULL };
static const char *const history_keys[] = { "keep_days", "prune", NULL };

static const struct section_keys known[] = {
	{ "master", db_keys },
	{ "replica", db_keys },
	{ "fail2ban", fail2ban_keys },
	{ "node", node_keys },
	{ "spool", spool_keys },
	{ "log", log_keys },
	{ "custom", custom_keys },
	{ "cluster", cluster_keys },
	{ "metrics", metrics_keys },
	{ "history", history_keys },
};


/* iniparser reports a syntax error by quoting the offending line, which may
 * hold a password ("password secret", the '=' forgotten): its message is
 * never passed on.  The line number is found here instead. */
static int quiet(const char *fmt, ...)
{
	(void)fmt;
	return 0;
}

/* The first line that is not blank, a comment, a [section] or key = value,
 * read from the descriptor parsed (a copy of it, rewound), never the path. */
static int first_bad_line(int fd)
{
	char line[4096];
	int n = 0;
	int copy = fcntl(fd, F_DUPFD_CLOEXEC, 0);
	FILE *f = copy < 0 ? NULL : fdopen(copy, "r");

	if (!f) {
		if (copy >= 0)
			close(copy);
		return 0;
	}
	rewind(f);
	while (fgets(line, sizeof(line), f)) {
		const char *p = line + strspn(line, " \t");

		n++;
		if (*p == '\0' || *p == '\n' || *p == '\r' || *p == ';' ||
		    *p == '#' || *p == '[' || strchr(p, '='))
			continue;
		fclose(f);
		return n;
	}
	fclose(f);
	return 0;
}

static bool has_control_char(const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			return true;
	return false;
}

static int copy_value(char *dst, size_t dstlen, const char *value,
		      const char *what, char *err, size_t errlen)
{
	if (has_control_char(value)) {
		errbuf_set(err, errlen, "%s: control characters are not allowed", what);
		return -1;
	}
	if (!text_copy(dst, dstlen, value)) {
		errbuf_set(err, errlen, "%s: value too long", what);
		return -1;
	}
	return 0;
}

static int copy_path(char *dst, size_t dstlen, const char *value,
		     const char *what, char *err, size_t errlen)
{
	if (value[0] != '/') {
		errbuf_set(err, errlen, "%s: must be an absolute path", what);
		return -1;
	}
	return copy_value(dst, dstlen, value, what, err, errlen);
}

static int copy_charset(char *dst, size_t dstlen, const char *value,
			const char *allowed, const char *what,
			char *err, size_t errlen)
{
	if (value[0] == '\0' || strspn(value, allowed) != strlen(value)) {
		errbuf_set(err, errlen, "%s: unexpected character in '%s'", what, value);
		return -1;
	}
	return copy_value(dst, dstlen, value, what, err, errlen);
}

static int read_number(const char *value, long long min, long long max,
		       unsigned *out, const char *what, char *err, size_t errlen)
{
	long long n;

	if (!parse_int_in(value, min, max, &n)) {
		errbuf_set(err, errlen, "%s: expected a number from %lld to %lld",
		     what, min, max);
		return -1;
	}
	*out = (unsigned)n;
	return 0;
}

/* The first line of a private file, without its newline. */
static int read_password_file(const char *path, char *out, size_t outlen,
			      char *err, size_t errlen)
{
	struct stat st;
	FILE *f;
	int fd = localfile_open(path, true, &st, err, errlen);

	if (fd < 0)
		return -1;
	f = fdopen(fd, "r");
	if (!f || !fgets(out, (int)outlen, f)) {
		errbuf_set(err, errlen, "%s: empty or unreadable", path);
		if (f)
			fclose(f);
		else
			close(fd);
		return -1;
	}
	fclose(f);
	out[strcspn(out, "\r\n")] = '\0';
	return 0;
}

static const char *get(const dictionary *ini, const char *section,
		       const char *key)
{
	char full[64];

	snprintf(full, sizeof(full), "%s:%s", section, key);
	return iniparser_getstring(ini, full, NULL);
}

/* Fill ep from [section], starting from whatever ep already holds (the
 * defaults, or the master's values for the replica). */
static int load_endpoint(const dictionary *ini, const char *section,
			 struct db_endpoint *ep, char *err, size_t errlen)
{
	const char *v;
	char what[64];

#define WHAT(key) (snprintf(what, sizeof(what), "[%s] %s", section, key), what)
	if ((v = get(ini, section, "host")) &&
	    copy_charset(ep->host, sizeof(ep->host), v,
			 "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
			 "0123456789.-:_", WHAT("host"), err, errlen))
		return -1;
	if ((v = get(ini, section, "port")) &&
	    read_number(v, 1, 65535, &ep->port, WHAT("port"), err, errlen))
		return -1;
	if ((v = get(ini, section, "socket")) && v[0] &&
	    copy_path(ep->socket, sizeof(ep->socket), v, WHAT("socket"),
		      err, errlen))
		return -1;
	if ((v = get(ini, section, "user")) &&
	    copy_value(ep->user, sizeof(ep->user), v, WHAT("user"), err, errlen))
		return -1;
	if ((v = get(ini, section, "database")) &&
	    copy_charset(ep->database, sizeof(ep->database), v,
			 "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
			 "0123456789_", WHAT("database"), err, errlen))
		return -1;
	if ((v = get(ini, section, "connect_timeout_ms")) &&
	    read_number(v, 1, 600000, &ep->connect_timeout_ms,
			WHAT("connect_timeout_ms"), err, errlen))
		return -1;
	if ((v = get(ini, section, "query_timeout_ms")) &&
	    read_number(v, 1, 600000, &ep->query_timeout_ms,
			WHAT("query_timeout_ms"), err, errlen))
		return -1;
	if ((v = get(ini, section, "password")) &&
	    copy_value(ep->password, sizeof(ep->password), v, WHAT("password"),
		       err, errlen))
		return -1;
	if ((v = get(ini, section, "password_file")) && v[0]) {
		if (v[0] != '/') {
			errbuf_set(err, errlen, "[%s] password_file: must be an "
			     "absolute path", section);
			return -1;
		}
		if (read_password_file(v, ep->password, sizeof(ep->password),
				       err, errlen))
			return -1;
	}
#undef WHAT
	return 0;
}

/* A default is a literal: whether it fits is known when compiling. */
#define SET_DEFAULT(dst, literal)                                             \
	do {                                                                  \
		_Static_assert(sizeof(literal) <= sizeof(dst),                \
			       #dst " holds " #literal);                      \
		memcpy(dst, literal, sizeof(literal));                        \
	} while (0)

static void set_defaults(struct mc_config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	SET_DEFAULT(cfg->master.host, "localhost");
	cfg->master.port = 3306;
	SET_DEFAULT(cfg->master.user, "mailcleaner");
	SET_DEFAULT(cfg->master.database, "mc_config");
	cfg->master.connect_timeout_ms = CONFIG_DEFAULT_CONNECT_TIMEOUT_MS;
	cfg->master.query_timeout_ms = CONFIG_DEFAULT_QUERY_TIMEOUT_MS;
	SET_DEFAULT(cfg->f2b_socket, DEFAULT_F2B_SOCKET);
	SET_DEFAULT(cfg->f2b_config_dir, DEFAULT_F2B_CONFIG_DIR);
	SET_DEFAULT(cfg->f2b_client, DEFAULT_F2B_CLIENT);
	SET_DEFAULT(cfg->spool_dir, CONFIG_DEFAULT_SPOOL_DIR);
	cfg->custom_max_count = 3;
	cfg->mailcleaner_tables = true;
	cfg->history_keep_days = 365;
	if (gethostname(cfg->node, sizeof(cfg->node)) != 0)
		cfg->node[0] = '\0';
	cfg->node[sizeof(cfg->node) - 1] = '\0';
}

static int check_known_keys(const dictionary *ini, char *err, size_t errlen)
{
	int nsec = iniparser_getnsec(ini);

	/* iniparser files a key that comes before any [section] as ":key". */
	for (ssize_t i = 0; i < ini->size; i++)
		if (ini->key[i] && ini->key[i][0] == ':') {
			errbuf_set(err, errlen, "key '%s' outside of any [section]",
			     ini->key[i] + 1);
			return -1;
		}

	for (int i = 0; i < nsec; i++) {
		const char *sec = iniparser_getsecname(ini, i);
		const struct section_keys *sk = NULL;
		const char *keys[32];
		int nkeys;

		for (size_t k = 0; k < sizeof(known) / sizeof(known[0]); k++)
			if (strcmp(sec, known[k].section) == 0)
				sk = &known[k];
		if (!sk) {
			errbuf_set(err, errlen, "unknown section [%s]", sec);
			return -1;
		}
		nkeys = iniparser_getsecnkeys(ini, sec);
		if (nkeys > (int)(sizeof(keys) / sizeof(keys[0]))) {
			errbuf_set(err, errlen, "[%s]: too many keys", sec);
			return -1;
		}
		iniparser_getseckeys(ini, sec, keys);
		for (int j = 0; j < nkeys; j++) {
			const char *key = strchr(keys[j], ':') + 1;
			bool ok = false;

			for (const char *const *kk = sk->keys; *kk; kk++)
				ok = ok || strcmp(key, *kk) == 0;
			if (!ok) {
				errbuf_set(err, errlen, "unknown key '%s' in [%s]",
				     key, sec);
				return -1;
			}
		}
	}
	return 0;
}

/* yes/no, as fail2ban and Debian's files write it; nothing else, so that
 * a typo is refused rather than read as "no". */
static int parse_yes_no(const char *v, bool *out, const char *what,
			char *err, size_t errlen)
{
	static const char *const yes[] = { "yes", "true", "on", "1" };
	static const char *const no[] = { "no", "false", "off", "0" };

	for (size_t i = 0; i < sizeof(yes) / sizeof(yes[0]); i++) {
		if (strcasecmp(v, yes[i]) == 0) {
			*out = true;
			return 0;
		}
		if (strcasecmp(v, no[i]) == 0) {
			*out = false;
			return 0;
		}
	}
	errbuf_set(err, errlen, "%s '%s': expected yes or no", what, v);
	return -1;
}

/* [cluster] nodes: addresses or host names, separated by commas.  Each is
 * checked here, so that a typo is said when the file is loaded rather than
 * resolved (or not) later. */
static int load_cluster_nodes(const char *v, struct mc_config *cfg,
			      char *err, size_t errlen)
{
	unsigned entries = 0;

	if (copy_value(cfg->cluster_nodes, sizeof(cfg->cluster_nodes), v,
		       "[cluster] nodes", err, errlen))
		return -1;
	for (const char *p = v; *p; ) {
		char entry[NODES_NAME_MAX + 1];
		size_t len;
		const char *why = "";

		p += strspn(p, " \t");
		len = strcspn(p, ",");
		while (len && (p[len - 1] == ' ' || p[len - 1] == '\t'))
			len--;
		if (len == 0 || len > NODES_NAME_MAX) {
			errbuf_set(err, errlen, "[cluster] nodes: %s entry",
				   len ? "a too long" : "an empty");
			return -1;
		}
		memcpy(entry, p, len);
		entry[len] = '\0';
		if (!nodes_entry_valid(entry, &why)) {
			errbuf_set(err, errlen, "[cluster] nodes '%s': %s "
				   "(expected addresses or host names, "
				   "separated by commas)", entry, why);
			return -1;
		}
		if (++entries > CLUSTER_NODES_MAX) {
			errbuf_set(err, errlen, "[cluster] nodes: at most %d",
				   CLUSTER_NODES_MAX);
			return -1;
		}
		p += strcspn(p, ",");
		p += *p == ',';
	}
	return 0;
}

/* node_exporter's textfile collector reads only the files named *.prom of
 * its directory. */
static int load_textfile(const char *v, struct mc_config *cfg, char *err,
			 size_t errlen)
{
	size_t len = strlen(v);

	if (len < 6 || strcmp(v + len - 5, ".prom") != 0 || v[len - 6] == '/') {
		errbuf_set(err, errlen, "[metrics] textfile: expected a file "
			   "name ending in .prom (node_exporter reads no other)");
		return -1;
	}
	return copy_path(cfg->metrics_textfile, sizeof(cfg->metrics_textfile),
			 v, "[metrics] textfile", err, errlen);
}

/* Does any section carry a password in the file itself? */
static bool holds_password(const dictionary *ini)
{
	const char *m = iniparser_getstring(ini, "master:password", "");
	const char *r = iniparser_getstring(ini, "replica:password", "");

	return m[0] || r[0];
}

/* Is the master on this machine: a unix socket, or a loopback name
 * ("localhost" is the socket to Connector/C)? */
static bool master_is_local(const struct db_endpoint *m)
{
	return m->socket[0] || strcmp(m->host, "localhost") == 0 ||
	       strcmp(m->host, "127.0.0.1") == 0 || strcmp(m->host, "::1") == 0;
}

/* [history]: how long events are kept, and whether this node's sync loop
 * deletes the older ones.  "auto" (the default): the node whose master is
 * on this machine, the one that holds the master database; one node of a
 * cluster prunes, and its pruning never crosses the network. */
static int load_history(const dictionary *ini, struct mc_config *cfg,
			char *err, size_t errlen)
{
	const char *v;

	if ((v = get(ini, "history", "keep_days")) &&
	    read_number(v, 0, 36500, &cfg->history_keep_days,
			"[history] keep_days", err, errlen))
		return -1;
	cfg->history_prune = master_is_local(&cfg->master);
	v = get(ini, "history", "prune");
	if (v && strcasecmp(v, "auto") != 0 &&
	    parse_yes_no(v, &cfg->history_prune, "[history] prune", err,
			 errlen))
		return -1;
	return 0;
}

static int load_sections(const dictionary *ini, struct mc_config *cfg,
			 char *err, size_t errlen)
{
	/* The absolute paths of the file, each checked by copy_path. */
	const struct {
		const char *section, *key, *what;
		char *dst;
		size_t size;
	} paths[] = {
		{ "fail2ban", "socket", "[fail2ban] socket", cfg->f2b_socket,
		  sizeof(cfg->f2b_socket) },
		{ "fail2ban", "config_dir", "[fail2ban] config_dir",
		  cfg->f2b_config_dir, sizeof(cfg->f2b_config_dir) },
		{ "fail2ban", "client", "[fail2ban] client", cfg->f2b_client,
		  sizeof(cfg->f2b_client) },
		{ "spool", "dir", "[spool] dir", cfg->spool_dir,
		  sizeof(cfg->spool_dir) },
	};
	const char *v;

	if (load_endpoint(ini, "master", &cfg->master, err, errlen))
		return -1;
	cfg->replica = cfg->master;
	if (load_endpoint(ini, "replica", &cfg->replica, err, errlen))
		return -1;
	for (size_t i = 0; i < sizeof(paths) / sizeof(paths[0]); i++)
		if ((v = get(ini, paths[i].section, paths[i].key)) &&
		    copy_path(paths[i].dst, paths[i].size, v, paths[i].what,
			      err, errlen))
			return -1;
	if ((v = get(ini, "custom", "max_count")) &&
	    read_number(v, 0, 1000000, &cfg->custom_max_count,
			"[custom] max_count", err, errlen))
		return -1;
	if ((v = get(ini, "log", "stderr")) &&
	    parse_yes_no(v, &cfg->log_stderr, "[log] stderr", err, errlen))
		return -1;
	if ((v = get(ini, "cluster", "nodes")) && v[0] &&
	    load_cluster_nodes(v, cfg, err, errlen))
		return -1;
	if ((v = get(ini, "cluster", "mailcleaner_tables")) &&
	    parse_yes_no(v, &cfg->mailcleaner_tables,
			 "[cluster] mailcleaner_tables", err, errlen))
		return -1;
	if ((v = get(ini, "metrics", "textfile")) && v[0] &&
	    load_textfile(v, cfg, err, errlen))
		return -1;
	if (load_history(ini, cfg, err, errlen))
		return -1;
	if ((v = get(ini, "node", "name")) &&
	    copy_value(cfg->node, sizeof(cfg->node), v, "[node] name",
		       err, errlen))
		return -1;
	const char *why = NULL;
	if (!node_name_valid(cfg->node, &why)) {
		errbuf_set(err, errlen, "[node] name '%s': %s", cfg->node, why);
		return -1;
	}
	return 0;
}

/* iniparser frees its strings without clearing them: clear the passwords
 * first, so that no copy outlives the connection in freed memory. */
static void wipe_dictionary_secrets(dictionary *ini)
{
	static const char *const keys[] = { "master:password",
					    "replica:password" };

	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		char *value = (char *)iniparser_getstring(ini, keys[i], NULL);
		if (value)
			explicit_bzero(value, strlen(value));
	}
}

/* iniparser 4.1 reads only from a name.  /proc/self/fd/N names the file
 * behind the descriptor already judged, whatever happens to the path
 * meanwhile; the same device and inode there prove it. */
static dictionary *parse_descriptor(const char *path, int fd,
				    const struct stat *st,
				    char *err, size_t errlen)
{
	char name[32];
	struct stat there;
	dictionary *ini;

	snprintf(name, sizeof(name), "/proc/self/fd/%d", fd);
	if (stat(name, &there) != 0 || there.st_dev != st->st_dev ||
	    there.st_ino != st->st_ino) {
		errbuf_set(err, errlen, "%s: cannot be read through "
			   "/proc/self/fd (is /proc mounted?)", path);
		return NULL;
	}
	iniparser_set_error_callback(quiet);
	ini = iniparser_load(name);
	if (!ini)
		errbuf_set(err, errlen, "%s: syntax error at line %d (expected "
			   "[section], key = value or a comment)", path,
			   first_bad_line(fd));
	return ini;
}

int config_load(const char *path, struct mc_config *out,
		char *err, size_t errlen)
{
	struct stat st;
	dictionary *ini;
	int fd, rc;

	err[0] = '\0';
	set_defaults(out);
	fd = localfile_open(path, false, &st, err, errlen);
	if (fd < 0)
		return -1;
	config_identity(out->identity, sizeof(out->identity), &st);
	ini = parse_descriptor(path, fd, &st, err, errlen);
	close(fd);
	if (!ini)
		return -1;
	rc = check_known_keys(ini, err, errlen);
	if (rc == 0 && holds_password(ini))
		rc = localfile_check_file(path, &st, true, err, errlen);
	if (rc == 0)
		rc = load_sections(ini, out, err, errlen);
	wipe_dictionary_secrets(ini);
	iniparser_freedict(ini);
	if (rc != 0)
		config_wipe_secrets(out);
	return rc;
}

void config_wipe_secrets(struct mc_config *cfg)
{
	explicit_bzero(cfg->master.password, sizeof(cfg->master.password));
	explicit_bzero(cfg->replica.password, sizeof(cfg->replica.password));
}
