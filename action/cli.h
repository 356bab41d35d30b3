/* cli.h - what the verbs share: the global options, the exit statuses, and
 * the steps every verb takes the same way (configuration, the master). */
#ifndef MC_F2B_CLI_H
#define MC_F2B_CLI_H

#include <stdbool.h>

#include "config.h"
#include "counters.h"
#include "db.h"
#include "event.h"
#include "jailctl.h"
#include "options.h"

enum {
	EXIT_DONE = 0,     /* done */
	EXIT_RUNTIME = 1,  /* database, fail2ban or file system failed */
	EXIT_BAD_INPUT = 2 /* bad usage or input: nothing was written */
};

struct cli {
	const char *config_file;  /* -c, or NULL */
	bool json;                /* --json before the verb */
};

typedef int (*verb_fn)(int argc, char **argv, const struct cli *cli);

/* One function per verb, one file per family. */
int cmd_ban(int argc, char **argv, const struct cli *cli);
int cmd_unban(int argc, char **argv, const struct cli *cli);
int cmd_flush(int argc, char **argv, const struct cli *cli);
int cmd_start(int argc, char **argv, const struct cli *cli);
int cmd_stop(int argc, char **argv, const struct cli *cli);
int cmd_schema(int argc, char **argv, const struct cli *cli);
int cmd_spool(int argc, char **argv, const struct cli *cli);
int cmd_jail(int argc, char **argv, const struct cli *cli);
int cmd_general(int argc, char **argv, const struct cli *cli);
int cmd_blacklist(int argc, char **argv, const struct cli *cli);
int cmd_whitelist(int argc, char **argv, const struct cli *cli);
int cmd_status(int argc, char **argv, const struct cli *cli);
int cmd_sync(int argc, char **argv, const struct cli *cli);
int cmd_mail(int argc, char **argv, const struct cli *cli);
int cmd_metrics(int argc, char **argv, const struct cli *cli);
int cmd_history(int argc, char **argv, const struct cli *cli);

/* Print "mc-f2b: <verb>: <message>" and return EXIT_BAD_INPUT. */
int usage_error(const char *verb, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Read the options of a verb or sub-verb by its form (options.h): argv[0]
 * is its name, words ("jail enable", "ban") name it in messages and in
 * its usage.  --help prints the usage and sets *helped.  Returns EXIT_DONE,
 * or EXIT_BAD_INPUT said in one line. */
int cli_read_options(const char *verb, const char *words,
		     const struct form *f, int argc, char **argv,
		     struct opts *o, bool *helped);

/* One form's usage: "usage: mc-f2b WORDS SYNOPSIS" (or, when not first,
 * aligned under the one before), then its note. */
void cli_print_form(const char *words, const struct form *f, bool first);

/* Validate -j and -i values into an event (exit status on refusal). */
int cli_take_jail(const char *verb, const char *text, char out[JAIL_NAME_MAX + 1]);
int cli_take_ip(const char *verb, const char *text, char out[ADDR_TEXT_MAX]);

/* Load the configuration; on failure prints one line and returns
 * EXIT_BAD_INPUT. */
int cli_load_config(const struct cli *cli, struct mc_config *cfg);

/* Name what this process's changes are by ("fail2ban", "blacklist add"):
 * every connection to the master that cli_connect_master() opens says so
 * to the history (db_set_actor()); a spool replay says "spool replay". */
void cli_act_as(const char *source);

/* What cli_act_as() set ("" before it was called). */
const char *cli_acting_as(void);

/* Connect to the master (cli_connect_master), forget its password; once
 * connected, apply what the spool kept from
 * earlier runs, in order, before anything new.  When events still wait
 * after that (the master refused one), *spool_waits (if not NULL) is set:
 * a new event must then join them, never overtake them.  A spool refused
 * outright (its owner, its mode, a link in it) is said in one line and
 * does not hold new events back.  On failure *db is NULL and the status
 * says why. */
enum db_status cli_open_master(struct mc_config *cfg, struct db **db,
			       bool *spool_waits, char *err, size_t errlen);

/* Connect to the master, and keep the note of its outages (outage.h): a
 * master out of reach is noted; a connection made removes the note when no
 * event waits in the spool (else the replay's outcome decides: a master
 * that accepts connections may still hang on every statement).  Secrets
 * are left to the caller. */
enum db_status cli_connect_master(const struct mc_config *cfg,
				  struct db **db, char *err, size_t errlen);

/* Note a failure to reach the master met after connecting (the connection
 * lost, a statement that timed out or waited past its lock). */
void cli_master_failed(const struct mc_config *cfg);

/* The master applied a statement: remove the note of an outage, if any
 * (one line in the log says how long it lasted). */
void cli_master_answered(const struct mc_config *cfg);

/* One line when this node spools because the master is out of reach:
 * since when, and when a ban tries again. */
void cli_say_outage(const struct mc_config *cfg);

struct ban_result;

/* What the local fail2ban must hear after a ban was recorded: a whitelisted
 * address is unbanned; an address that has just passed max_count is banned
 * in <jail>-bl.  Both calls are made by a detached process (see detach.h),
 * so this returns at once, also from inside an action. */
void cli_tell_fail2ban(const struct mc_config *cfg, const struct ban_event *ev,
		       const struct ban_result *res);

/* The addresses the cluster never bans (nodes.h), in full: the entries of
 * [cluster] nodes resolved, this node's interfaces, and the hostname column
 * of MailCleaner's master and slave tables read through db (when db is not
 * NULL and [cluster] mailcleaner_tables is yes).  Kept in the spool
 * directory for the bans that follow.  When an entry cannot be resolved
 * now, the addresses kept before are kept too.  Problems (a name that does
 * not resolve, a table the account may not read) are said in log lines
 * only when say: the sync loop says them, the verbs people run do not. */
void cli_load_nodes(struct mc_config *cfg, struct db *db, bool say);

/* What a ban uses, resolving nothing: the list cli_load_nodes kept, and
 * the addresses [cluster] nodes writes literally; with no list kept yet,
 * this node's interfaces instead. */
void cli_load_nodes_for_ban(struct mc_config *cfg);

/* Is ip an address of the cluster?  (false for text that is no address) */
bool cli_is_node(const struct mc_config *cfg, const char *ip);

/* fail2ban banned an address of the cluster: nothing is recorded, and the
 * local fail2ban is told to lift the ban (from a detached process). */
void cli_refuse_node_ban(const struct mc_config *cfg,
			 const struct ban_event *ev);

/* Add n to one of this node's counters (counters.h), for the metrics; a
 * failure is one warning, never the caller's failure. */
void cli_count(const struct mc_config *cfg, enum counter c,
	       unsigned long long n);

/* How long a call to fail2ban's socket may wait: a person at a prompt, and
 * a detached process that may queue behind a storm of actions. */
#define F2B_PROMPT_TIMEOUT_MS 5000
#define F2B_DETACHED_TIMEOUT_MS 60000

/* The local fail2ban as the configuration names it (its strings stay
 * cfg's). */
struct f2b_link cli_f2b_link(const struct mc_config *cfg, unsigned timeout_ms);

/* Apply spooled events to an open master; prints nothing on success.
 * Returns EXIT_DONE when the spool is empty afterwards. */
int cli_replay_spool(const struct mc_config *cfg, struct db *db,
		     bool verbose);

#endif
