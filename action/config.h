/* config.h - mc-f2b.ini: where the master and the replica are, which fail2ban
 * to talk to, what this node is called, where the spool lives.
 * config.c reads it in full, and is the only file that includes
 * iniparser.h; glance.c finds it (config_path), names a version of it
 * (config_identity) and glances at it (config_glance) without iniparser,
 * for mc-f2b-action. */
#ifndef MC_F2B_CONFIG_H
#define MC_F2B_CONFIG_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/stat.h>

#include "event.h"
#include "mail.h"
#include "nodes.h"

#define CONFIG_DEFAULT_PATH "/etc/mc-f2b/mc-f2b.ini"
/* The defaults of [spool] dir and [master]'s time-outs. */
#define CONFIG_DEFAULT_SPOOL_DIR "/var/spool/mc-f2b"
#define CONFIG_DEFAULT_CONNECT_TIMEOUT_MS 1000
#define CONFIG_DEFAULT_QUERY_TIMEOUT_MS 5000
/* Entries of [cluster] nodes, at most. */
#define CLUSTER_NODES_MAX 64

struct db_endpoint {
	char host[256];
	unsigned port;
	char socket[PATH_MAX];          /* empty: use host/port */
	char user[129];
	char password[256];             /* wiped by config_wipe_secrets() */
	char database[65];
	unsigned connect_timeout_ms;
	unsigned query_timeout_ms;
};

struct mc_config {
	struct db_endpoint master;
	struct db_endpoint replica;     /* defaults to [master], key by key */
	char f2b_socket[PATH_MAX];
	char f2b_config_dir[PATH_MAX];
	char f2b_client[PATH_MAX];      /* fail2ban-client, to load jail files */
	char node[NODE_NAME_MAX + 1];
	char spool_dir[PATH_MAX];
	bool log_stderr;                /* [log] stderr: decisions on stderr
					 * too, as under -v */
	unsigned custom_max_count;      /* [custom] max_count: of a jail of
					 * the administrator's own that start
					 * registers (0: no blacklist) */
	char cluster_nodes[4096];       /* [cluster] nodes, as written */
	bool mailcleaner_tables;        /* [cluster] mailcleaner_tables: read
					 * MailCleaner's master and slave */
	char metrics_textfile[PATH_MAX]; /* [metrics] textfile: written by
					  * the sync loop ("" : none) */
	unsigned history_keep_days;     /* [history] keep_days (0: for ever) */
	bool history_prune;             /* [history] prune, "auto" resolved */
	char identity[96];              /* the file as read (device, inode,
					 * size, change time): the hand-off
					 * serves only the very same file */
	struct nodes nodes;             /* not from the file: filled by
					 * cli_load_nodes() (nodes.h) */
	struct mail_conf mail;          /* not from the file: fail2ban_conf,
					 * read by the verbs that write jail
					 * files (empty: no mail) */
};

/* The path to read: the -c argument if given, else $MC_F2B_CONFIG, else
 * CONFIG_DEFAULT_PATH. */
const char *config_path(const char *from_command_line);

/* The identity of the file whose stat is st, as mc_config's: device, inode,
 * size and change time. */
void config_identity(char *buf, size_t len, const struct stat *st);

/* Load and validate the whole file, opened once by localfile_open and parsed
 * from that descriptor.  Returns 0, or -1 with one line in err: a missing
 * file, a symbolic link, a file or directory others could write or own, a
 * password readable by group or others (in the file or its password_file),
 * an unknown section or key, a value out of range. */
int config_load(const char *path, struct mc_config *out,
		char *err, size_t errlen);

/* What a ban handed to the sync loop needs of the file (handoff.h), read
 * without reading the rest: the loop applies the ban only when it runs on
 * this very file (the identity), which it read and checked in full. */
struct config_glance {
	char identity[96];             /* as mc_config's */
	char spool_dir[PATH_MAX];      /* [spool] dir */
	unsigned connect_timeout_ms;   /* [master], for the wait's bound */
	unsigned query_timeout_ms;
};

/* Open path as config_load() does (the same checks of the file and its
 * directories) and glance at it; the password files it names are opened
 * with config_load()'s checks too, and not read.  Returns 0, or -1 when
 * any of that fails or a value is written in a way the glance does not
 * take (a quoted value, a continued line): config_load() then reads the
 * file, and says what is wrong if anything is. */
int config_glance(const char *path, struct config_glance *g);

/* Forget the passwords once the connections are made. */
void config_wipe_secrets(struct mc_config *cfg);

#endif
