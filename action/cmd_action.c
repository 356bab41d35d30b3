/* cmd_action.c - the verbs fail2ban runs: ban, unban, flush, start, stop.
 *
 * They run inside fail2ban's single action lock, so they do the least that
 * is correct: validate, one connection, one transaction.  When the master is
 * out of reach the event goes to the spool and the verb still succeeds:
 * a failing action would only make fail2ban run it again. */
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "actionargs.h"
#include "apply.h"
#include "bans.h"
#include "cli.h"
#include "f2b.h"
#include "early.h"
#include "f2bconf.h"
#include "jails.h"
#include "log.h"
#include "outage.h"
#include "spool.h"
#include "textcopy.h"

/* A person's ban of a network: above this many addresses only with --yes,
 * and never above PERSON_BAN_MAX (one row per address). */
#define PERSON_BAN_ASK 256
#define PERSON_BAN_MAX 65536
/* Addresses per "banip" call to the local fail2ban. */
#define PERSON_BAN_BATCH 256

/* The forms of the verbs fail2ban runs (options.h); ban and unban are
 * actionargs.h's. */
static const struct form flush_form = {
	"flush", OPT(OPT_JAIL), OPT(OPT_JAIL), NULL,
};
static const struct form start_form = {
	"start", OPT(OPT_JAIL) | OPT(OPT_PORT), OPT(OPT_JAIL), NULL,
};
static const struct form stop_form = {
	"stop", OPT(OPT_JAIL), OPT(OPT_JAIL), NULL,
};

/* What the forms cannot say: which options exclude each other. */
static int refuse_mixed(const char *verb, const struct opts *o)
{
	bool f2b_call = opt_given(o, OPT_F2B_CALL);

	if (opt_given(o, OPT_YES) && !f2b_call)
		return usage_error(verb, "--yes belongs to ban --f2b-call");
	/* A person's ban is not fail2ban's: none of fail2ban's numbers. */
	for (int id = 0; f2b_call && id < OPT_COUNT; id++)
		if ((ACTION_FAIL2BANS_NUMBERS & OPT(id)) && opt_given(o, id))
			return usage_error(verb, "--f2b-call is a person's ban: "
					   "no --time, --bantime, --failures, "
					   "--restored or --port");
	return EXIT_DONE;
}

/* The master could not take the event (out of reach, or refusing it, or
 * events before it still wait): keep it for later, in order.  fail2ban is
 * not made to retry: the spool is the retry. */
static int spool_event(const struct mc_config *cfg, const struct ban_event *ev,
		       const char *why)
{
	char err[512];

	if (spool_append(cfg->spool_dir, ev, err, sizeof(err)) != 0) {
		log_error("%s, and the spool failed: %s", why, err);
		return EXIT_RUNTIME;
	}
	log_warning("%s: %s of %s in %s spooled", why,
		    event_kind_name(ev->kind), ev->ip, ev->jail);
	cli_count(cfg, COUNTER_SPOOLED, 1);
	return EXIT_DONE;
}

/* While the master is known to be out of reach, an event is spooled
 * without waiting for it again: fail2ban's lock pays one time-out per
 * back-off window, not one per ban (outage.h).  Returns true when ev was
 * handled so. */
static bool spooled_in_outage(struct mc_config *cfg,
			      const struct ban_event *ev, int *rc)
{
	struct outage o;
	char err[512], text[160], why[200];
	long long now = outage_now_ms();

	if (outage_advise(cfg->spool_dir, now, &o, err, sizeof(err)) !=
	    OUTAGE_SPOOL)
		return false;
	config_wipe_secrets(cfg);
	outage_describe(&o, now, text, sizeof(text));
	snprintf(why, sizeof(why), "master out of reach %s", text);
	*rc = spool_event(cfg, ev, why);
	return true;
}

/* The ports of --port (start and ban), as a row and an action take them. */
static int take_port(const char *verb, const char *port)
{
	const char *why;

	if (port && !jail_port_valid(port, &why))
		return usage_error(verb, "--port: %s", why);
	return EXIT_DONE;
}

/* start's side of it: its own connection, and never a failure. */
static void register_at_start(const struct mc_config *cfg, const char *jail,
			      const char *port)
{
	struct db *db;
	char err[512];

	if (cli_connect_master(cfg, &db, err, sizeof(err)) != DB_OK) {
		log_warning("start %s: master: %s; the jail's row is not checked",
			    jail, err);
		return;
	}
	apply_register_custom_jail(cfg, db, jail, port);
	db_close(db);
}

/* The exit status of an event's verdict, whoever applied it: done,
 * refused (bad input, said in one line), or spooled for why. */
static int conclude(const struct mc_config *cfg, const struct ban_event *ev,
		    enum apply_verdict v, const char *why)
{
	switch (v) {
	case APPLY_DONE:
		return EXIT_DONE;
	case APPLY_REFUSED:
		log_error("%s", why);
		return EXIT_BAD_INPUT;
	case APPLY_SPOOL:
		break;
	}
	return spool_event(cfg, ev, why);
}

static enum apply_verdict as_apply(enum handoff_verdict v)
{
	return v == HANDOFF_DONE ? APPLY_DONE :
	       v == HANDOFF_REFUSED ? APPLY_REFUSED : APPLY_SPOOL;
}

/* While the sync loop runs, its hand-off server applies the event on the
 * connection it keeps (handoff.h), the very same way (apply.h); nobody
 * there, and the action applies it itself.  An early answer is not asked
 * for again.  Returns true when the event was handled so, with the exit
 * status in *rc. */
static bool handed_off(const struct mc_config *cfg, const struct ban_event *ev,
		       const char *port, const struct early_handoff *early,
		       int *rc)
{
	char text[HANDOFF_TEXT_MAX + 1];
	enum handoff_verdict v;

	if (early->asked) {
		v = early->v;
		text_copy(text, sizeof(text), early->text);
	} else if (spool_pending(cfg->spool_dir)) {
		/* Events waiting go first, in order: replayed on the way
		 * below. */
		return false;
	} else {
		v = early_ask(cfg->spool_dir, cfg->identity, cli_acting_as(),
			      ev, port, cfg->master.connect_timeout_ms,
			      cfg->master.query_timeout_ms, text, sizeof(text));
	}
	/* No answer in time: what a master that hangs looks like.  Noted
	 * like the action's own time-out, so that the next bans spool at
	 * once rather than wait again (outage.h). */
	if (v == HANDOFF_TIMED_OUT) {
		cli_master_failed(cfg);
		v = HANDOFF_SPOOL;
	}
	if (v == HANDOFF_DIRECT)
		return false;
	*rc = conclude(cfg, ev, as_apply(v), text);
	return true;
}

/* port: the ports a ban from the action passed (NULL from a person): a
 * jail with no row is then registered if a file of fail2ban's defines it. */
static int apply_event(struct mc_config *cfg, const struct ban_event *ev,
		       const char *port, const struct early_handoff *early)
{
	struct db *db;
	char err[512], why[600];
	bool spool_waits, lost;
	enum db_status ds;
	enum apply_verdict v;
	int rc;

	/* The loop's early answer stands: it checked the nodes and the
	 * outage note when it was asked. */
	if (early->asked && early->v != HANDOFF_DIRECT &&
	    handed_off(cfg, ev, port, early, &rc))
		return rc;
	/* Before anything else, so that no outage spools it: an address of
	 * the cluster is never recorded. */
	if (ev->kind == EVENT_BAN && cli_is_node(cfg, ev->ip)) {
		cli_refuse_node_ban(cfg, ev);
		return EXIT_DONE;
	}
	if (spooled_in_outage(cfg, ev, &rc) || handed_off(cfg, ev, port, early, &rc))
		return rc;
	ds = cli_open_master(cfg, &db, &spool_waits, err, sizeof(err));
	if (ds == DB_UNREACHABLE) {
		snprintf(why, sizeof(why), "master unreachable (%s)", err);
		return spool_event(cfg, ev, why);
	}
	if (ds != DB_OK) {
		log_error("master: %s", err);
		return EXIT_RUNTIME;
	}
	if (spool_waits) {
		db_close(db);
		return spool_event(cfg, ev, "earlier events still wait in the "
				   "spool");
	}
	v = apply_on_master(cfg, db, ev, port, &lost, why, sizeof(why));
	db_close(db);
	if (lost)
		cli_master_failed(cfg);
	return conclude(cfg, ev, v, why);
}

/* ban and unban --f2b-call act in the local fail2ban: only in a jail this
 * node lets mc-f2b act on (jail.h), and that is known before anything is
 * written. */
static int check_f2b_call(const struct mc_config *cfg, const char *verb,
			  const char *jail)
{
	const struct f2b_link link = cli_f2b_link(cfg, F2B_PROMPT_TIMEOUT_MS);
	char why[PATH_MAX + 256];

	switch (jailctl_allows(&link, jail, JAIL_NEED_ACT, why, sizeof(why))) {
	case 1:
		return EXIT_DONE;
	case 0:
		return usage_error(verb, "--f2b-call: %s", why);
	}
	log_error("%s: fail2ban's configuration: %s", verb, why);
	return EXIT_RUNTIME;
}

/* unban --f2b-call: a person at a prompt, not an action: the call waits
 * for fail2ban's answer. */
static int unban_in_fail2ban(const struct mc_config *cfg,
			     const struct ban_event *ev)
{
	const char *argv[] = { "set", ev->jail, "unbanip", ev->ip };
	char err[256];

	if (f2b_command(cfg->f2b_socket, argv, 4, F2B_PROMPT_TIMEOUT_MS,
			err, sizeof(err)) != F2B_OK) {
		log_error("unban: recorded, but the local fail2ban did not "
			  "lift the ban: %s", err);
		return EXIT_RUNTIME;
	}
	log_decision("unban %s in %s: lifted in the local fail2ban", ev->ip,
		     ev->jail);
	/* A person asked, at a prompt: one line says it was done. */
	printf("unbanned %s in %s in the local fail2ban\n", ev->ip, ev->jail);
	return EXIT_DONE;
}

/* --- a person's ban: ban -j JAIL -i IP|NETWORK --f2b-call [--yes] -------- */

/* The network to ban and its size, refused when it holds an address of the
 * cluster or more addresses than the person confirmed. */
static int take_person_net(const struct mc_config *cfg, const char *text,
			   bool yes, struct addr_net *net, unsigned long *count)
{
	unsigned host_bits;
	struct addr node;
	char shown_node[ADDR_TEXT_MAX];
	const char *why;

	if (!text)
		return usage_error("ban", "-i IP is required");
	if (addr_net_parse(text, net, &why) != 0)
		return usage_error("ban", "invalid address or network '%s': %s",
				   strlen(text) <= 64 ? text : "(too long)", why);
	host_bits = addr_net_host_bits(net);
	if (host_bits > 16)
		return usage_error("ban", "%s holds more than %d addresses: "
				   "ban smaller networks", text, PERSON_BAN_MAX);
	*count = 1UL << host_bits;
	if (nodes_in_net(&cfg->nodes, net, &node)) {
		addr_format(&node, shown_node);
		return usage_error("ban", "%s is %san address of this cluster's "
				   "nodes (this node, [cluster] nodes, "
				   "MailCleaner's master and slave tables): never "
				   "banned", text, *count > 1 ? "a network that "
				   "holds " : "");
	}
	if (*count > PERSON_BAN_ASK && !yes)
		return usage_error("ban", "%s holds %lu addresses: add --yes to "
				   "ban them all", text, *count);
	return EXIT_DONE;
}

/* Record one address of the person's ban, as fail2ban's ban would be;
 * appended to the batch for the local fail2ban unless whitelisted. */
static enum bans_status record_person_ban(struct mc_config *cfg,
					  struct db *db, struct ban_event *ev,
					  char batch[][ADDR_TEXT_MAX],
					  size_t *n, char *err, size_t errlen)
{
	struct ban_result res;
	enum bans_status bs = bans_apply(db, ev, &res, err, errlen);

	if (bs == BANS_OK) {
		apply_log_ban(ev, &res);
		cli_count(cfg, COUNTER_RECORDED, 1);
		if (res.plan.outcome != BAN_WHITELISTED)
			snprintf(batch[(*n)++], ADDR_TEXT_MAX, "%s", ev->ip);
		cli_tell_fail2ban(cfg, ev, &res);
	}
	bans_result_free(&res);
	return bs;
}

/* "set JAIL banip ..." for the batch; one line on failure. */
static int ban_batch_in_fail2ban(const struct mc_config *cfg, const char *jail,
				 char batch[][ADDR_TEXT_MAX], size_t n)
{
	const char *argv[3 + PERSON_BAN_BATCH] = { "set", jail, "banip" };
	char err[256];

	if (n == 0)
		return EXIT_DONE;
	for (size_t i = 0; i < n; i++)
		argv[3 + i] = batch[i];
	/* fail2ban answers once the actions of every address have run:
	 * a few milliseconds each, under its one lock. */
	if (f2b_command(cfg->f2b_socket, argv, 3 + n,
			F2B_PROMPT_TIMEOUT_MS + (unsigned)n * 200u,
			err, sizeof(err)) == F2B_OK)
		return EXIT_DONE;
	log_error("ban: recorded, but the local fail2ban did not ban: %s", err);
	return EXIT_RUNTIME;
}

static int person_ban(struct mc_config *cfg, const struct opts *o,
		      struct ban_event *ev)
{
	char batch[PERSON_BAN_BATCH][ADDR_TEXT_MAX], err[512];
	struct addr_net net;
	unsigned long count = 0, done = 0;
	size_t n = 0;
	struct db *db;
	enum bans_status bs = BANS_OK;
	int rc = EXIT_DONE;

	if (cli_open_master(cfg, &db, NULL, err, sizeof(err)) != DB_OK) {
		log_error("ban: master: %s", err);
		cli_say_outage(cfg);
		return EXIT_RUNTIME;
	}
	cli_load_nodes(cfg, db, false);
	if ((rc = take_person_net(cfg, o->text[OPT_IP], opt_given(o, OPT_YES), &net,
				   &count))) {
		db_close(db);
		return rc;
	}
	for (unsigned long i = 0; i < count && bs == BANS_OK && !rc; i++) {
		struct addr one = addr_net_nth(&net, i);

		addr_format(&one, ev->ip);
		bs = record_person_ban(cfg, db, ev, batch, &n, err, sizeof(err));
		if (bs == BANS_OK)
			done++;
		if (n == PERSON_BAN_BATCH || (n && i + 1 == count)) {
			rc = ban_batch_in_fail2ban(cfg, ev->jail, batch, n);
			n = 0;
		}
	}
	db_close(db);
	if (bs != BANS_OK) {
		log_error("ban %s in %s: %s%s", ev->ip, ev->jail, err,
			  done ? " (the addresses before it were banned)" : "");
		return bs == BANS_UNKNOWN_JAIL ? EXIT_BAD_INPUT : EXIT_RUNTIME;
	}
	if (rc == EXIT_DONE)
		printf("banned %s in %s: recorded, and in the local fail2ban; "
		       "the other nodes follow by sync\n", o->text[OPT_IP], ev->jail);
	return rc;
}

static int run_event_verb(const struct form *form, int argc, char **argv,
			  const struct cli *cli)
{
	const char *verb = form->name;
	struct opts o;
	struct ban_event ev;
	struct mc_config cfg;
	struct early_handoff early = { .asked = false };
	char err[256];
	bool is_ban = strcmp(verb, "ban") == 0, helped;
	bool f2b_call;
	int rc;

	if ((rc = cli_read_options(verb, verb, form, argc, argv, &o, &helped)) ||
	    helped)
		return rc;
	f2b_call = opt_given(&o, OPT_F2B_CALL);
	/* Without --f2b-call it is the action fail2ban runs (mc-custom). */
	cli_act_as(f2b_call ? verb : ACTION_ACTOR);
	if ((rc = refuse_mixed(verb, &o)))
		return rc;
	if (is_ban && f2b_call) {
		/* -i may be a network here: checked once the nodes are
		 * known. */
		memset(&ev, 0, sizeof(ev));
		ev.kind = EVENT_BAN;
		if ((rc = cli_take_jail(verb, o.text[OPT_JAIL], ev.jail)))
			return rc;
	} else if (actionargs_event(is_ban ? EVENT_BAN : EVENT_UNBAN, &o, &ev,
				    err, sizeof(err)) != 0) {
		return usage_error(verb, "%s", err);
	}
	/* fail2ban's action: to the loop first, the file only glanced at,
	 * unless mc-f2b-action asked already and passed its answer on. */
	if (!f2b_call) {
		ev.at = (long long)time(NULL);
		if (!early_import(&early))
			early_hand_off(config_path(cli->config_file),
				       cli_acting_as(), &ev, o.text[OPT_PORT],
				       &early);
		if (early.asked && early.v == HANDOFF_DONE)
			return EXIT_DONE;
		if (early.asked && early.v == HANDOFF_REFUSED) {
			log_error("%s", early.text);
			return EXIT_BAD_INPUT;
		}
	}
	if ((rc = cli_load_config(cli, &cfg)))
		return rc;
	if (f2b_call && (rc = check_f2b_call(&cfg, verb, ev.jail))) {
		config_wipe_secrets(&cfg);
		return rc;
	}
	if (is_ban && f2b_call) {
		snprintf(ev.host, sizeof(ev.host), "%s", cfg.node);
		ev.at = ev.time = (long long)time(NULL);
		return person_ban(&cfg, &o, &ev);
	}
	snprintf(ev.host, sizeof(ev.host), "%s", cfg.node);
	ev.at = (long long)time(NULL);
	cli_load_nodes_for_ban(&cfg);
	rc = apply_event(&cfg, &ev, o.text[OPT_PORT], &early);
	if (rc == EXIT_DONE && f2b_call)
		rc = unban_in_fail2ban(&cfg, &ev);
	return rc;
}

int cmd_ban(int argc, char **argv, const struct cli *cli)
{
	return run_event_verb(&action_ban_form, argc, argv, cli);
}

int cmd_unban(int argc, char **argv, const struct cli *cli)
{
	return run_event_verb(&action_unban_form, argc, argv, cli);
}

/* flush, start and stop change nothing in what is banned: a stopping jail
 * must not unban the cluster, and a starting one has nothing to record.
 * They validate their input and the configuration, so that a broken setup
 * shows in fail2ban's log when the jail starts rather than at the first
 * ban; start also registers a jail of the administrator's own. */
static int run_jail_verb(const struct form *form, int argc, char **argv,
			 const struct cli *cli)
{
	const char *verb = form->name;
	struct opts o;
	struct mc_config cfg;
	char jail[JAIL_NAME_MAX + 1];
	bool helped;
	int rc;

	if ((rc = cli_read_options(verb, verb, form, argc, argv, &o, &helped)) ||
	    helped)
		return rc;
	if ((rc = cli_take_jail(verb, o.text[OPT_JAIL], jail)) ||
	    (rc = take_port(verb, o.text[OPT_PORT])) ||
	    (rc = cli_load_config(cli, &cfg)))
		return rc;
	if (form == &start_form)
		register_at_start(&cfg, jail, o.text[OPT_PORT] ? o.text[OPT_PORT]
							       : "");
	config_wipe_secrets(&cfg);
	log_decision("%s %s", verb, jail);
	return EXIT_DONE;
}

int cmd_flush(int argc, char **argv, const struct cli *cli)
{
	return run_jail_verb(&flush_form, argc, argv, cli);
}

int cmd_start(int argc, char **argv, const struct cli *cli)
{
	return run_jail_verb(&start_form, argc, argv, cli);
}

int cmd_stop(int argc, char **argv, const struct cli *cli)
{
	return run_jail_verb(&stop_form, argc, argv, cli);
}
