/* cli.c - the steps every verb takes the same way. */
#include "cli.h"
#include "textcopy.h"

#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "bans.h"
#include "counters.h"
#include "detach.h"
#include "escalate.h"
#include "f2b.h"
#include "log.h"
#include "outage.h"
#include "spool.h"

int usage_error(const char *verb, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (verb)
		log_error("%s: %s", verb, msg);
	else
		log_error("%s", msg);
	return EXIT_BAD_INPUT;
}

int cli_read_options(const char *verb, const char *words,
		     const struct form *f, int argc, char **argv,
		     struct opts *o, bool *helped)
{
	char err[256];

	*helped = false;
	if (options_read(&options_of_verbs, f, words, argc, argv, NULL, o, err,
			 sizeof(err)) != 0)
		return usage_error(verb, "%s", err);
	if (opt_given(o, OPT_HELP)) {
		cli_print_form(words, f, true);
		*helped = true;
	}
	return EXIT_DONE;
}

void cli_print_form(const char *words, const struct form *f, bool first)
{
	char synopsis[1024];
	const char *lead = first ? "usage: mc-f2b " : "       mc-f2b ";
	size_t column = strlen(lead) + strlen(words) + 1;

	options_synopsis(&options_of_verbs, f, 0, column, synopsis,
			 sizeof(synopsis));
	printf("%s%s%s%s\n", lead, words, synopsis[0] ? " " : "", synopsis);
	/* A note of several lines keeps the indent on each. */
	for (const char *p = f->note, *end; p && *p; p = end + (*end != '\0')) {
		end = strchr(p, '\n');
		if (!end)
			end = p + strlen(p);
		printf("%*s%.*s\n", (int)strlen(lead), "", (int)(end - p), p);
	}
}

int cli_take_jail(const char *verb, const char *text,
		  char out[JAIL_NAME_MAX + 1])
{
	char err[160];

	return event_take_jail(text, out, err, sizeof(err)) == 0 ?
	       EXIT_DONE : usage_error(verb, "%s", err);
}

int cli_take_ip(const char *verb, const char *text, char out[ADDR_TEXT_MAX])
{
	char err[160];

	return event_take_ip(text, out, err, sizeof(err)) == 0 ?
	       EXIT_DONE : usage_error(verb, "%s", err);
}

int cli_load_config(const struct cli *cli, struct mc_config *cfg)
{
	char err[512];
	const char *path = config_path(cli->config_file);

	if (config_load(path, cfg, err, sizeof(err)) != 0) {
		log_error("configuration: %s", err);
		return EXIT_BAD_INPUT;
	}
	if (cfg->log_stderr)
		log_set_verbose(true);
	return EXIT_DONE;
}

struct f2b_link cli_f2b_link(const struct mc_config *cfg, unsigned timeout_ms)
{
	return (struct f2b_link){
		.socket = cfg->f2b_socket, .config_dir = cfg->f2b_config_dir,
		.client = cfg->f2b_client, .timeout_ms = timeout_ms,
		.nodes = &cfg->nodes, .mail = &cfg->mail,
	};
}

/* --- the cluster's own addresses (nodes.h) ------------------------------ */

struct node_rows {
	struct nodes *set;
	bool say;
	int failed;
};

static int on_node_hostname(void *ctx, const char *const *cols, size_t ncols)
{
	struct node_rows *nr = ctx;

	/* The column is input like any other: a host name or an address,
	 * nothing else, and only what it resolves to is kept. */
	if (ncols != 1 || !cols[0])
		return 0;
	if (strchr(cols[0], ',') || strlen(cols[0]) > NODES_NAME_MAX) {
		nr->failed++;
		if (nr->say)
			log_warning("cluster node skipped: a hostname of "
				    "MailCleaner's tables is no host name");
		return 0;
	}
	nr->failed += nodes_resolve_list(nr->set, cols[0], nr->say);
	return 0;
}

/* MailCleaner's master and slave tables: a table that is not there is no
 * error (not every mc_config is MailCleaner's).  Neither is one the account
 * may not read, unless say: the server answers so for a table that does not
 * exist as well, so a node without MailCleaner's tables and without a grant
 * on them would hear it on every verb.  Returns how many entries or tables
 * could not be read (their addresses are then kept from before). */
static int nodes_from_tables(struct db *db, struct nodes *set, bool say)
{
	/* Only the hostname column: these tables also hold passwords and
	 * keys, and the node's account is granted this column alone. */
	static const char *const table[] = { "master", "slave" };
	static const char *const sql[] = {
		"SELECT hostname FROM master",
		"SELECT hostname FROM slave",
	};
	struct node_rows nr = { set, say, 0 };

	for (size_t i = 0; i < sizeof(sql) / sizeof(sql[0]); i++) {
		enum db_status s = db_query(db, sql[i], NULL, 0,
					    on_node_hostname, &nr);

		if (s == DB_DENIED && say)
			log_warning("cluster nodes: table %s: %s (grant the "
				    "node's account SELECT (hostname) on it, "
				    "or set [cluster] mailcleaner_tables = no; "
				    "see mc-f2b(8))", table[i], db_error(db));
		else if (s != DB_OK && s != DB_NO_TABLE && s != DB_DENIED) {
			nr.failed++;
			if (say)
				log_warning("cluster nodes: table %s: %s",
					    table[i], db_error(db));
		}
	}
	return nr.failed;
}

void cli_load_nodes(struct mc_config *cfg, struct db *db, bool say)
{
	struct nodes *set = &cfg->nodes;
	char err[512];
	int failed;

	memset(set, 0, sizeof(*set));
	if (nodes_add_local(set, err, sizeof(err)) != 0)
		log_warning("cluster nodes: %s", err);
	failed = nodes_resolve_list(set, cfg->cluster_nodes, say);
	if (db && cfg->mailcleaner_tables)
		failed += nodes_from_tables(db, set, say);
	/* A node that does not resolve now (the resolver down, say) keeps
	 * the addresses it had: a list that shrank by accident would let
	 * the cluster ban that node. */
	if (failed && nodes_load_stored(cfg->spool_dir, set, err,
					sizeof(err)) < 0 && say)
		log_warning("cluster nodes: %s", err);
	if (set->cut && say)
		log_warning("cluster nodes: more than %d addresses; those past "
			    "it are not protected from bans", NODES_MAX);
	if (nodes_store(cfg->spool_dir, set, err, sizeof(err)) != 0 && say)
		log_warning("cluster nodes: not kept for the bans: %s", err);
}

void cli_load_nodes_for_ban(struct mc_config *cfg)
{
	struct nodes *set = &cfg->nodes;
	char err[512];
	int kept;

	memset(set, 0, sizeof(*set));
	nodes_add_literal(set, cfg->cluster_nodes);
	/* A spool that cannot be trusted is said by the spool itself when an
	 * event needs it: one line, not two.  Nothing kept (or nothing that
	 * can be read): this node's own addresses at least, which need no
	 * resolver. */
	kept = nodes_load_stored(cfg->spool_dir, set, err, sizeof(err));
	if (kept != 1 && nodes_add_local(set, err, sizeof(err)) != 0)
		log_warning("cluster nodes: %s", err);
}

bool cli_is_node(const struct mc_config *cfg, const char *ip)
{
	struct addr a;
	const char *why;

	return addr_parse(ip, &a, &why) == 0 && nodes_has(&cfg->nodes, &a);
}

/* --- the local fail2ban, told from a detached process ------------------ */

struct follow_up {
	const struct ban_event *ev;
	const struct ban_result *res;
	struct f2b_link link;
};

/* May the detached process do this to the jail?  The ban came from
 * fail2ban, but the jail's name came through the command line or the
 * spool: the same rule as everywhere (jail.h) decides, and a refusal is
 * logged, never acted on. */
static bool in_scope(const struct follow_up *f, enum jail_need need)
{
	char why[PATH_MAX + 256];
	int allowed = jailctl_allows(&f->link, f->ev->jail, need, why,
				     sizeof(why));

	if (allowed < 0)
		log_warning("%s in %s: left to sync: fail2ban's configuration: "
			    "%s", f->ev->ip, f->ev->jail, why);
	else if (!allowed)
		log_warning("%s: the local fail2ban is left alone: %s",
			    f->ev->ip, why);
	return allowed > 0;
}

/* A whitelisted address, or one of the cluster's nodes. */
static void lift_whitelisted(void *ctx)
{
	const struct follow_up *f = ctx;
	const char *argv[] = { "set", f->ev->jail, "unbanip", f->ev->ip };
	char err[256];

	if (!in_scope(f, JAIL_NEED_ACT))
		return;
	if (f2b_command(f->link.socket, argv, 4, f->link.timeout_ms,
			err, sizeof(err)) != F2B_OK)
		log_warning("unban of never-banned %s in %s: %s", f->ev->ip,
			    f->ev->jail, err);
}

static void move_to_blacklist(void *ctx)
{
	const struct follow_up *f = ctx;
	char err[512];

	if (!in_scope(f, JAIL_NEED_BL))
		return;
	if (escalate_to_bl(&f->link, &f->res->bl, f->ev->ip, err, sizeof(err)))
		log_warning("blacklisting %s in %s-bl: %s", f->ev->ip,
			    f->ev->jail, err);
	else
		log_decision("ban %s in %s-bl: permanent", f->ev->ip,
			     f->ev->jail);
}

void cli_refuse_node_ban(const struct mc_config *cfg,
			 const struct ban_event *ev)
{
	struct follow_up f = {
		ev, NULL, cli_f2b_link(cfg, F2B_DETACHED_TIMEOUT_MS),
	};

	log_warning("ban %s in %s refused: an address of this cluster's nodes "
		    "is never banned; not recorded, lifted here", ev->ip,
		    ev->jail);
	if (detach_run(lift_whitelisted, &f) != 0)
		log_warning("%s in %s: could not start a process to tell "
			    "fail2ban", ev->ip, ev->jail);
}

void cli_tell_fail2ban(const struct mc_config *cfg, const struct ban_event *ev,
		       const struct ban_result *res)
{
	struct follow_up f = {
		ev, res, cli_f2b_link(cfg, F2B_DETACHED_TIMEOUT_MS),
	};
	void (*work)(void *) = NULL;

	/* Read with the ban: the -bl jail's file, if this ban writes it,
	 * sends the jail's blacklisting mails. */
	f.link.mail = &res->mail;
	if (ev->kind != EVENT_BAN)
		return;
	if (res->plan.outcome == BAN_WHITELISTED)
		work = lift_whitelisted;
	else if (res->plan.blacklist_now)
		work = move_to_blacklist;
	if (work && detach_run(work, &f) != 0)
		log_warning("%s in %s: could not start a process to tell "
			    "fail2ban", ev->ip, ev->jail);
}

/* --- the spool ---------------------------------------------------------- */

struct replay_ctx {
	const struct mc_config *cfg;
	struct db *db;
	bool lost;   /* the master went away, or a statement timed out */
};

static enum spool_verdict apply_spooled(void *ctx, const struct ban_event *ev)
{
	struct replay_ctx *rc = ctx;
	struct ban_result res;
	char err[512];
	enum bans_status s;

	if (ev->kind == EVENT_BAN && cli_is_node(rc->cfg, ev->ip)) {
		cli_refuse_node_ban(rc->cfg, ev);
		return SPOOL_REFUSED;
	}
	s = bans_apply(rc->db, ev, &res, err, sizeof(err));

	if (s == BANS_OK) {
		log_decision("replayed %s of %s in %s (spooled at %lld)",
			     event_kind_name(ev->kind), ev->ip, ev->jail, ev->at);
		cli_tell_fail2ban(rc->cfg, ev, &res);
	}
	bans_result_free(&res);
	switch (s) {
	case BANS_OK:
		return SPOOL_APPLIED;
	case BANS_UNKNOWN_JAIL:
		log_warning("spool: %s; event moved to rejected", err);
		return SPOOL_REFUSED;
	case BANS_UNREACHABLE:
		/* Noted once the replay is over: it holds the spool's lock,
		 * which the note's writing takes too. */
		rc->lost = true;
		break;
	case BANS_FAILED:
		break;
	}
	log_warning("spool: %s; kept for the next run", err);
	return SPOOL_STOP;
}

/* What the changes of this process are by, in the history. */
static char acting_as[DB_SOURCE_MAX + 1];

void cli_act_as(const char *source)
{
	text_copy(acting_as, sizeof(acting_as), source);
}

const char *cli_acting_as(void)
{
	return acting_as;
}

/* The events still waiting after a replay, or -1 when the spool could not
 * be used at all (refused for its owner, its mode, a link; said in one
 * line). */
static long replay(const struct mc_config *cfg, struct db *db, bool verbose)
{
	struct replay_ctx ctx = { cfg, db, false };
	struct spool_counts c;
	char err[512];
	int rc;

	db_set_actor(db, "spool replay", cfg->node);
	rc = spool_replay(cfg->spool_dir, apply_spooled, &ctx, &c, err,
			  sizeof(err));
	db_set_actor(db, acting_as, cfg->node);

	/* The replay says whether the outage is over: a connection alone does
	 * not, as a master may take connections and hang on every statement.
	 * Any answer does, a refusal included; so does a spool with nothing
	 * to replay, or none that can be used (the connection is then all
	 * there is to go by). */
	if (ctx.lost)
		cli_master_failed(cfg);
	else
		cli_master_answered(cfg);
	/* Counted also when the spool failed after applying some. */
	if (c.applied)
		cli_count(cfg, COUNTER_REPLAYED, c.applied);
	if (rc != 0) {
		log_error("spool: %s", err);
		return -1;
	}
	if (c.undecodable)
		log_warning("spool: %u unreadable record(s) moved to %s/rejected",
			    c.undecodable, cfg->spool_dir);
	if (verbose)
		printf("replayed %u, rejected %u, unreadable %u, still waiting %u\n",
		       c.applied, c.refused, c.undecodable, c.kept);
	return c.kept;
}

int cli_replay_spool(const struct mc_config *cfg, struct db *db, bool verbose)
{
	return replay(cfg, db, verbose) == 0 ? EXIT_DONE : EXIT_RUNTIME;
}

void cli_count(const struct mc_config *cfg, enum counter c,
	       unsigned long long n)
{
	char err[512];

	if (counters_add(cfg->spool_dir, c, n, err, sizeof(err)) != 0)
		log_warning("counting (metrics): %s", err);
}

/* --- the master, and the note of its outages (outage.h) ---------------- */

/* The note is a hint: one that cannot be written or removed (a spool that
 * is not this user's, say) costs an attempt more or fewer, and the spool
 * itself says aloud what is wrong with it when an event needs it. */
void cli_master_failed(const struct mc_config *cfg)
{
	struct outage o;
	char err[512];

	outage_note_failure(cfg->spool_dir, outage_now_ms(), &o, err,
			    sizeof(err));
}

void cli_master_answered(const struct mc_config *cfg)
{
	struct outage o;
	char err[512];
	long long now;

	if (outage_clear(cfg->spool_dir, &o, err, sizeof(err)) != 1 ||
	    o.since_ms <= 0)
		return;
	now = outage_now_ms();
	log_decision("master reachable again, after %lld s out of reach",
		     now > o.since_ms ? (now - o.since_ms) / 1000 : 0);
}

enum db_status cli_connect_master(const struct mc_config *cfg,
				  struct db **db, char *err, size_t errlen)
{
	enum db_status s = db_connect(&cfg->master, db, err, errlen);

	if (s == DB_OK)
		db_set_actor(*db, acting_as, cfg->node);
	/* With events waiting, their replay says whether the master answers
	 * statements (see replay()); with none, the connection is all there
	 * is to go by. */
	if (s == DB_OK && !spool_pending(cfg->spool_dir))
		cli_master_answered(cfg);
	else if (s == DB_UNREACHABLE)
		cli_master_failed(cfg);
	return s;
}

void cli_say_outage(const struct mc_config *cfg)
{
	struct outage o;
	char err[512], text[160];

	if (outage_read(cfg->spool_dir, &o, err, sizeof(err)) != 1)
		return;
	outage_describe(&o, outage_now_ms(), text, sizeof(text));
	log_warning("this node spools its bans: the master is out of reach "
		    "%s (mc-f2b spool list shows what waits)", text);
}

enum db_status cli_open_master(struct mc_config *cfg, struct db **db,
			       bool *spool_waits, char *err, size_t errlen)
{
	enum db_status s = cli_connect_master(cfg, db, err, errlen);
	bool waits = false;

	config_wipe_secrets(cfg);
	/* A spool that cannot be used holds nothing a new event could
	 * overtake that anyone could replay: the new event goes to the
	 * master rather than nowhere. */
	if (s == DB_OK && spool_pending(cfg->spool_dir))
		waits = replay(cfg, *db, false) > 0;
	if (spool_waits)
		*spool_waits = waits;
	return s;
}
