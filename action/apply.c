/* apply.c - an event applied to the master, the same way by the action and
 * by the hand-off server (apply.h). */
#include "apply.h"

#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <time.h>
#include <unistd.h>

#include "bans.h"
#include "cli.h"
#include "f2bconf.h"
#include "handoff.h"
#include "jails.h"
#include "log.h"
#include "nodes.h"
#include "outage.h"
#include "spool.h"
#include "textcopy.h"

/* How long the server waits for a request before it looks again whether
 * it should stop. */
#define SERVE_WAIT_MS 1000
/* A kept connection found dead within this long is replaced at once. */
#define RETRY_WITHIN_MS 1000

static long long apply_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static const char *outcome_text(enum ban_outcome o)
{
	switch (o) {
	case BAN_NEW:            return "first ban";
	case BAN_COUNTED:        return "banned again";
	case BAN_ALREADY_ACTIVE: return "already active, not counted";
	case BAN_RESTORED:       return "restored by fail2ban, not counted";
	case BAN_WHITELISTED:    return "whitelisted, not counted";
	}
	return "?";
}

void apply_log_ban(const struct ban_event *ev, const struct ban_result *r)
{
	if (r->plan.blacklist_now)
		log_decision("ban %s in %s: %s (count %lld), blacklisted: the "
			     "count passed max_count %lld", ev->ip, ev->jail,
			     outcome_text(r->plan.outcome), r->plan.count,
			     r->max_count);
	else
		log_decision("ban %s in %s: %s (count %lld)", ev->ip, ev->jail,
			     outcome_text(r->plan.outcome), r->plan.count);
}

/* The row of a jail of the administrator's own (defined in fail2ban's
 * files) that runs the action: its bans are then recorded, counted and
 * blacklisted after [custom] max_count, and synced.  The row says where
 * the jail is defined only by what it lacks (no filter, no log path, zero
 * settings): the jail's settings stay in its file, and mc-f2b never writes
 * a file for it (it is not mc-f2b's).  Any failure here is said and the
 * caller goes on: the firewall part of a start must still start.  A ban
 * from the action (which passes --port) that finds no row tries the same
 * once, so that a start made while the master was out of reach is made up
 * for. */
bool apply_register_custom_jail(const struct mc_config *cfg, struct db *db,
				const char *jail, const char *port)
{
	struct f2b_defined defined;
	struct jail_row row;
	const char *in, *why;
	char err[512];
	bool found, registered = false;
	enum db_status s;

	s = jails_get(db, jail, &row, &found, &in, &why);
	if (s != DB_OK || found) {
		if (s != DB_OK)
			log_warning("%s: reading its row: %s", jail, db_error(db));
		return found;
	}
	if (f2bconf_read(cfg->f2b_config_dir, &defined, err, sizeof(err)) != 0) {
		log_warning("%s: fail2ban's configuration: %s; no row "
			    "registered", jail, err);
		return false;
	}
	in = f2bconf_defined_in(&defined, jail);
	if (!in) {
		log_warning("%s: no row in fail2ban_jail, and no file of "
			    "fail2ban's configuration defines it: its bans are "
			    "refused", jail);
	} else if (jail_custom_row(jail, port, cfg->custom_max_count, &row,
				   &why) != 0) {
		log_warning("%s: not registered: %s", jail, why);
	} else if ((s = jails_create(db, &row)) == DB_OK) {
		log_decision("%s: registered in fail2ban_jail (defined in %s; "
			     "blacklisted after %lld bans)", jail, in,
			     row.max_count);
		registered = true;
	} else if (s == DB_CONFLICT) {
		registered = true;   /* a concurrent start or ban did it */
	} else {
		log_warning("%s: registering it: %s", jail, db_error(db));
	}
	f2bconf_free(&defined);
	return registered;
}

void apply_statements(const struct mc_config *cfg, struct db *db,
		      const struct ban_event *ev, const char *port,
		      struct applied *a)
{
	a->status = bans_apply(db, ev, &a->res, a->err, sizeof(a->err));
	if (a->status == BANS_UNKNOWN_JAIL && ev->kind == EVENT_BAN && port &&
	    apply_register_custom_jail(cfg, db, ev->jail, port)) {
		bans_result_free(&a->res);
		a->status = bans_apply(db, ev, &a->res, a->err, sizeof(a->err));
	}
}

enum apply_verdict apply_outcome(const struct applied *a,
				 const struct ban_event *ev, bool *lost,
				 char *why, size_t whylen)
{
	*lost = false;
	why[0] = '\0';
	switch (a->status) {
	case BANS_OK:
		return APPLY_DONE;
	case BANS_UNKNOWN_JAIL:
		snprintf(why, whylen, "%s: %s", event_kind_name(ev->kind), a->err);
		return APPLY_REFUSED;
	case BANS_UNREACHABLE:
		/* Lost, timed out, or held by a lock: whether the statement
		 * was applied is not known; its replay changes nothing if it
		 * was (an active row stays as it is). */
		*lost = true;
		break;
	case BANS_FAILED:
		break;
	}
	snprintf(why, whylen, "%s (%s)", a->status == BANS_UNREACHABLE ?
		 "master unavailable" : "master refused it", a->err);
	return APPLY_SPOOL;
}

void apply_follow_up(const struct mc_config *cfg, const struct ban_event *ev,
		     struct applied *a)
{
	if (a->status == BANS_OK || a->status == BANS_UNKNOWN_JAIL)
		cli_master_answered(cfg);
	if (a->status == BANS_OK) {
		if (ev->kind == EVENT_BAN) {
			apply_log_ban(ev, &a->res);
			cli_count(cfg, COUNTER_RECORDED, 1);
		} else {
			log_decision("unban %s in %s", ev->ip, ev->jail);
		}
		cli_tell_fail2ban(cfg, ev, &a->res);
	}
	bans_result_free(&a->res);
}

enum apply_verdict apply_on_master(const struct mc_config *cfg, struct db *db,
				   const struct ban_event *ev,
				   const char *port, bool *lost, char *why,
				   size_t whylen)
{
	struct applied a;
	enum apply_verdict v;

	apply_statements(cfg, db, ev, port, &a);
	v = apply_outcome(&a, ev, lost, why, whylen);
	apply_follow_up(cfg, ev, &a);
	return v;
}

/* --- the hand-off server ---------------------------------------------------- */

static enum handoff_verdict as_handoff(enum apply_verdict v)
{
	switch (v) {
	case APPLY_DONE:    return HANDOFF_DONE;
	case APPLY_REFUSED: return HANDOFF_REFUSED;
	case APPLY_SPOOL:   break;
	}
	return HANDOFF_SPOOL;
}

/* Whether the server leaves r to the action (its answer then said), on
 * what the action would have checked before asking: it asks before it
 * reads more than a glance of the file (cmd_action.c). */
static bool left_to_the_action(struct mc_config *cfg, char *nodes_stamp,
			       const struct handoff_request *r, int conn)
{
	if (strcmp(r->identity, cfg->identity) != 0) {
		handoff_answer(conn, HANDOFF_DIRECT, "not the configuration the "
			       "sync loop read");
		return true;
	}
	/* The nodes as the loop last stored them, as the action reads them:
	 * an address of the cluster is never recorded, and the action says
	 * so in its words. */
	if (nodes_stored_changed(cfg->spool_dir, nodes_stamp))
		cli_load_nodes_for_ban(cfg);
	if (r->ev.kind == EVENT_BAN && cli_is_node(cfg, r->ev.ip)) {
		handoff_answer(conn, HANDOFF_DIRECT, "an address of the "
			       "cluster's nodes");
		return true;
	}
	/* An outage noted: the action spools at once, or makes the window's
	 * one attempt itself (outage.h). */
	if (outage_noted(cfg->spool_dir)) {
		handoff_answer(conn, HANDOFF_DIRECT, "an outage of the master "
			       "is noted");
		return true;
	}
	/* Events waiting go first, in order: the action replays them. */
	if (spool_pending(cfg->spool_dir)) {
		handoff_answer(conn, HANDOFF_DIRECT, "events wait in the spool");
		return true;
	}
	return false;
}

/* Apply r on *db, the connection kept between requests (NULL: none yet, or
 * lost), as the action would on its own, and answer conn as soon as the
 * outcome is known: the log, the counter and fail2ban's follow-up come
 * after, out of the ban's time.  The event is this node's: its name is the
 * loop's, whatever the request says. */
static void serve_request(struct mc_config *cfg, struct db **db,
			  char *nodes_stamp, const struct handoff_request *r,
			  int conn)
{
	char err[512], why[HANDOFF_TEXT_MAX];
	struct ban_event ev = r->ev;
	struct applied a;
	enum apply_verdict v;
	enum db_status s;
	bool lost, reused;
	long long started;

	if (left_to_the_action(cfg, nodes_stamp, r, conn))
		return;
	text_copy(ev.host, sizeof(ev.host), cfg->node);
	started = apply_now_ms();
	for (int attempt = 0; attempt < 2; attempt++) {
		reused = *db != NULL;
		if (!*db) {
			s = cli_connect_master(cfg, db, err, sizeof(err));
			if (s != DB_OK) {
				*db = NULL;
				snprintf(why, sizeof(why), "master unreachable "
					 "(%s)", err);
				/* Refused (a grant, a password): the action
				 * says it in its own words. */
				handoff_answer(conn, s == DB_UNREACHABLE ?
					       HANDOFF_SPOOL : HANDOFF_DIRECT,
					       why);
				return;
			}
			db_keep_statements(*db);
		}
		db_set_actor(*db, r->actor, cfg->node);
		apply_statements(cfg, *db, &ev, r->has_port ? r->port : NULL, &a);
		v = apply_outcome(&a, &ev, &lost, why, sizeof(why));
		/* A connection kept open that the server ended meanwhile (its
		 * wait_timeout) fails at once: once more, on a new one.  Not
		 * after a time-out: the action's wait would run out first. */
		if (!lost || attempt == 1 || !reused ||
		    apply_now_ms() - started > RETRY_WITHIN_MS)
			break;
		bans_result_free(&a.res);
		db_close(*db);
		*db = NULL;
	}
	handoff_answer(conn, as_handoff(v), why);
	apply_follow_up(cfg, &ev, &a);
	if (lost) {
		db_close(*db);
		*db = NULL;
		cli_master_failed(cfg);
	}
}

void apply_serve_handoffs(struct mc_config *cfg, int listen_fd, pid_t loop,
			  volatile sig_atomic_t *stopping)
{
	struct handoff_request r;
	struct db *db = NULL;
	char line[HANDOFF_LINE_MAX + 1], err[512], nodes_stamp[NODES_STAMP_MAX] = "";
	const char *bad;
	int conn;

	/* The loop that started it gone, it goes too (even when it went
	 * before this could be asked for: its parent is no longer loop). */
	prctl(PR_SET_PDEATHSIG, SIGTERM);
	while (!*stopping && getppid() == loop) {
		conn = handoff_next(listen_fd, SERVE_WAIT_MS, line, sizeof(line),
				    err, sizeof(err));
		if (conn < 0) {
			if (err[0])
				log_warning("hand-off: %s", err);
			continue;
		}
		if (handoff_decode_request(line, &r, &bad) != 0) {
			log_warning("hand-off: a request not understood (%s): left to the action", bad);
			handoff_answer(conn, HANDOFF_DIRECT, bad);
			continue;
		}
		serve_request(cfg, &db, nodes_stamp, &r, conn);
	}
	db_close(db);
}
