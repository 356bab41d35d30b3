/* cmd_sync.c - mc-f2b sync [--once] [--interval SECONDS | --interval-ms MS]
 * [--rounds N]: keep the local fail2ban in step with the cluster's database.
 *
 * Each round reads only the rows changed since the last one (updated_at,
 * on the local replica) and asks fail2ban nothing when nothing changed; a
 * full reconcile at start and every FULL_EVERY seconds heals drift (a node
 * that was down, a manual fail2ban command).  The spool of this node is
 * replayed to the master whenever it holds something.  Database or
 * fail2ban down: the loop waits, longer each time up to a minute, and says
 * so once, then once more when it is back.
 *
 * Beside the loop, unless --once or --rounds, a child of it serves the
 * hand-off (handoff.h): this node's bans, applied on a connection it keeps
 * open.  It is started again at the next round when it ended. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "apply.h"
#include "cli.h"
#include "handoff.h"
#include "history.h"
#include "jailctl.h"
#include "jails.h"
#include "log.h"
#include "outage.h"
#include "spool.h"
#include "sync.h"
#include "watch.h"

#define FULL_EVERY 300
/* One second: a change reaches every node about half a second after the
 * replica has it, a second at worst.  An idle round is one indexed query
 * and one ping of fail2ban (tests/integration/t-cluster.sh measures the
 * loop's CPU at it). */
#define DEFAULT_INTERVAL 1
#define MAX_BACKOFF 60
/* The metrics count the rows per jail with one scan of fail2ban_ips: at
 * most this often (seconds), and only after a round that read changes. */
#define TALLY_EVERY 15
#define MS_PER_S 1000u
/* The history's pruning ([history] prune): every hour, at most
 * PRUNE_BATCHES statements of PRUNE_BATCH rows each, so that no statement
 * holds its locks long and a round stays short; with more left over, again
 * a minute later. */
#define PRUNE_EVERY 3600
#define PRUNE_AGAIN 60
#define PRUNE_BATCH 1000u
#define PRUNE_BATCHES 20u
/* How long the loop's end waits for the hand-off server's. */
#define HANDOFF_STOP_WAIT_MS 2000u

static volatile sig_atomic_t stopping;

static void on_signal(int sig)
{
	(void)sig;
	stopping = 1;
}

static void install_handlers(void)
{
	struct sigaction sa = { .sa_handler = on_signal };

	sigemptyset(&sa.sa_mask);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
}

/* Sleep, but wake at once for SIGTERM or SIGINT. */
static void pause_for(unsigned ms)
{
	struct timespec t = { (time_t)(ms / MS_PER_S),
			      (long)(ms % MS_PER_S) * 1000000L };

	while (!stopping && nanosleep(&t, &t) != 0 && errno == EINTR)
		;
}

struct syncer {
	struct mc_config cfg;
	struct f2b_link link;
	struct db *replica;
	char since[32];
	struct strset recent;
	time_t last_full;
	bool down_said;
	bool nodes_loaded;     /* once: a missing grant has been said */
	char mail_sig[SYNC_MAIL_SIG_MAX];  /* what the files' mails last
					    * followed ("" at start) */
	bool verbose;          /* --once: print what the round did */
	/* [metrics] textfile */
	struct watch watch;
	unsigned round_rows;
	bool rows_changed;     /* since the rows were last counted */
	double last_tally;
	bool metrics_said;     /* a failure to write it, said once */
	time_t next_prune;     /* [history] prune: when, next */
	bool serve_handoff;    /* the loop runs for good: the hand-off too */
	pid_t handoff_pid;     /* its server, 0 when none runs */
	ino_t handoff_socket;  /* its socket, as bound */
	dev_t handoff_socket_dev;
	bool handoff_said;     /* a failure to start it, said once */
};

/* --- the hand-off server ------------------------------------------------- */

enum socket_state { SOCKET_OURS, SOCKET_OTHER, SOCKET_MISSING };

/* What <spool>/handoff is now: the socket this loop bound, another (a
 * second loop on the same spool took the name: left to it), or nothing
 * (that loop ended and removed its own: this one listens again). */
static enum socket_state handoff_socket(const struct syncer *s)
{
	char path[PATH_MAX];
	struct stat st;

	if (handoff_path(s->cfg.spool_dir, path, sizeof(path)) != 0 ||
	    lstat(path, &st) != 0)
		return SOCKET_MISSING;
	return st.st_ino == s->handoff_socket &&
	       st.st_dev == s->handoff_socket_dev ? SOCKET_OURS : SOCKET_OTHER;
}

/* Ended with SIGTERM: it finishes the request in hand.  One that has not
 * ended after HANDOFF_STOP_WAIT_MS (held by a master that hangs, or
 * stopped) is killed: the loop must end. */
static void handoff_end(struct syncer *s)
{
	struct timespec tick = { 0, 10 * 1000000L };
	unsigned waited = 0;

	kill(s->handoff_pid, SIGTERM);
	while (waitpid(s->handoff_pid, NULL, WNOHANG) == 0) {
		if (waited >= HANDOFF_STOP_WAIT_MS) {
			kill(s->handoff_pid, SIGKILL);
			while (waitpid(s->handoff_pid, NULL, 0) < 0 &&
			       errno == EINTR)
				;
			break;
		}
		nanosleep(&tick, NULL);
		waited += 10;
	}
}

/* Its socket, bound here and handed to a child that alone holds it: once
 * the child is gone, a ban finds nobody listening and connects on its
 * own, rather than waiting in a queue nobody reads. */
static void handoff_start(struct syncer *s)
{
	char err[512];
	int fd = handoff_listen(s->cfg.spool_dir, err, sizeof(err));
	pid_t loop = getpid(), pid;
	char path[PATH_MAX];
	struct stat st;

	if (fd < 0) {
		if (!s->handoff_said)
			log_warning("hand-off: %s; bans connect to the master "
				    "on their own", err);
		s->handoff_said = true;
		return;
	}
	if (handoff_path(s->cfg.spool_dir, path, sizeof(path)) != 0 ||
	    lstat(path, &st) != 0) {
		close(fd);
		return;
	}
	s->handoff_socket = st.st_ino;
	s->handoff_socket_dev = st.st_dev;
	pid = fork();
	if (pid == 0) {
		/* What the loop holds open (the replica's connection) is
		 * left alone: _exit, never the loop's own clean-up. */
		apply_serve_handoffs(&s->cfg, fd, loop, &stopping);
		_exit(0);
	}
	close(fd);
	if (pid < 0 && !s->handoff_said) {
		log_warning("hand-off: fork: %s; bans connect to the master on "
			    "their own", strerror(errno));
		s->handoff_said = true;
	}
	s->handoff_pid = pid > 0 ? pid : 0;
}

/* At every round: started when it is not running. */
static void handoff_keep(struct syncer *s)
{
	int status;

	if (!s->serve_handoff)
		return;
	if (s->handoff_pid > 0) {
		pid_t ended = waitpid(s->handoff_pid, &status, WNOHANG);

		if (ended == 0 && handoff_socket(s) != SOCKET_MISSING)
			return;
		if (ended == 0) {
			log_warning("hand-off: the socket was removed: "
				    "listening again");
			handoff_end(s);
		} else if (ended > 0) {
			log_warning("hand-off server ended (%s %d): started "
				    "again", WIFSIGNALED(status) ? "signal" :
				    "status", WIFSIGNALED(status) ?
				    WTERMSIG(status) : WEXITSTATUS(status));
		}
		s->handoff_pid = 0;
	}
	handoff_start(s);
}

static void handoff_stop(struct syncer *s)
{
	char path[PATH_MAX];

	if (s->handoff_pid <= 0)
		return;
	handoff_end(s);
	/* The name only if it is still this loop's socket. */
	if (handoff_socket(s) == SOCKET_OURS &&
	    handoff_path(s->cfg.spool_dir, path, sizeof(path)) == 0)
		unlink(path);
	s->handoff_pid = 0;
}

/* This node's spool, to the master, when it holds something. */
static void replay_spool(struct syncer *s)
{
	struct db *master;
	char err[512];

	struct outage o;

	if (!spool_pending(s->cfg.spool_dir) && !outage_noted(s->cfg.spool_dir))
		return;
	/* The loop makes the back-off window's attempt like a ban would, and
	 * only then: a replay holds the spool's lock, which bans wait for,
	 * while its statement may hang up to query_timeout_ms. */
	if (outage_advise(s->cfg.spool_dir, outage_now_ms(), &o, err,
			  sizeof(err)) == OUTAGE_SPOOL)
		return;
	if (cli_connect_master(&s->cfg, &master, err, sizeof(err)) != DB_OK)
		return;   /* still out of reach: the next round tries again */
	cli_replay_spool(&s->cfg, master, false);
	db_close(master);
}

/* The events older than [history] keep_days, on the one node that prunes
 * them.  A failure (the account without DELETE, a schema without the
 * table) is said and tried again at the next hour. */
static void prune_history(struct syncer *s)
{
	unsigned long long deleted = 0;
	struct db *master;
	char err[512];
	enum db_status st;

	if (!s->cfg.history_prune || s->cfg.history_keep_days == 0 ||
	    time(NULL) < s->next_prune)
		return;
	s->next_prune = time(NULL) + PRUNE_EVERY;
	/* A plain connection: the outage's bookkeeping (cli_connect_master)
	 * is the bans' and the spool's, not an hourly chore's. */
	if (db_connect(&s->cfg.master, &master, err, sizeof(err)) != DB_OK)
		return;   /* the spool and the metrics say the master is down */
	st = history_prune(master, s->cfg.history_keep_days, PRUNE_BATCH,
			   PRUNE_BATCHES, &deleted);
	if (st == DB_DENIED)
		log_warning("sync: history: may not delete old events (%s): "
			    "grant DELETE on fail2ban_events to this node's "
			    "account, or set [history] prune = no",
			    db_error(master));
	else if (st != DB_OK)
		log_warning("sync: history: deleting events older than %u "
			    "days: %s", s->cfg.history_keep_days,
			    db_error(master));
	else if (deleted)
		log_decision("sync: history: deleted %llu event(s) older than "
			     "%u days", deleted, s->cfg.history_keep_days);
	if (deleted == (unsigned long long)PRUNE_BATCH * PRUNE_BATCHES)
		s->next_prune = time(NULL) + PRUNE_AGAIN;
	db_close(master);
}

static void say_down(struct syncer *s, const char *what)
{
	if (!s->down_said)
		log_warning("sync: %s; retrying, up to every %d s", what,
			    MAX_BACKOFF);
	s->down_said = true;
}

/* A change of the mails' settings (mail.h), made here or on another node,
 * reaches this node's files in the round that sees it; at start, the files
 * are brought in line with the database.  Also before the bans: a -bl jail
 * the round loads is written with its mails. */
static void mail_round(struct syncer *s)
{
	char sig[SYNC_MAIL_SIG_MAX];
	unsigned changed, errors;

	if (sync_mail_signature(s->replica, sig) != DB_OK ||
	    strcmp(sig, s->mail_sig) == 0 ||
	    jails_mail_conf(s->replica, &s->cfg.mail) != DB_OK ||
	    sync_mail(s->replica, &s->link, &changed, &errors) != DB_OK)
		return;   /* the round's own statements say what is wrong */
	if (changed)
		log_decision("sync: mail settings: %u jail file(s) written "
			     "again", changed);
	if (errors == 0)
		snprintf(s->mail_sig, sizeof(s->mail_sig), "%s", sig);
}

/* One round; returns 0 when it ran, -1 when the replica or fail2ban is
 * out of reach. */
static int round_once(struct syncer *s)
{
	struct sync_counts c;
	char err[512];
	enum db_status st;

	/* The spool needs the master only: neither a replica nor fail2ban
	 * out of reach holds its events back. */
	replay_spool(s);
	prune_history(s);
	s->round_rows = 0;
	s->watch.replica = UP_NO;
	s->watch.fail2ban = UP_UNKNOWN;
	if (!s->replica &&
	    db_connect(&s->cfg.replica, &s->replica, err, sizeof(err)) != DB_OK) {
		say_down(s, "replica unreachable");
		return -1;
	}
	s->watch.replica = UP_YES;
	s->watch.fail2ban = jailctl_running(&s->link) ? UP_YES : UP_NO;
	if (s->watch.fail2ban == UP_NO) {
		say_down(s, "fail2ban is not running");
		return -1;
	}
	if (time(NULL) - s->last_full >= FULL_EVERY) {
		s->since[0] = '\0';     /* everything, to heal drift */
		strset_free(&s->recent);
		s->last_full = time(NULL);
		/* The cluster's addresses, names resolved again now and
		 * then, never in a ban; a missing grant said once. */
		cli_load_nodes(&s->cfg, s->replica, !s->nodes_loaded);
		s->nodes_loaded = true;
	}
	mail_round(s);
	st = sync_round(s->replica, &s->link, s->since, &s->recent, &c);
	s->round_rows = c.rows;
	s->rows_changed |= c.rows > 0;
	if (st != DB_OK) {
		s->watch.replica = UP_NO;
		say_down(s, db_error(s->replica));
		db_close(s->replica);
		s->replica = NULL;
		return -1;
	}
	if (s->down_said)
		log_warning("sync: database and fail2ban reachable again");
	s->down_said = false;
	if (c.node_rows)
		log_warning("sync: %u row(s) ban an address of this cluster's "
			    "nodes: never applied", c.node_rows);
	if (c.banned || c.unbanned || c.bl_banned || c.bl_unbanned ||
	    c.ignored || c.unignored)
		log_decision("sync: %u row(s): banned %u, unbanned %u, "
			     "blacklisted %u, unblacklisted %u, ignoreip +%u "
			     "-%u", c.rows, c.banned, c.unbanned, c.bl_banned,
			     c.bl_unbanned, c.ignored, c.unignored);
	if (s->verbose)
		printf("rows %u, banned %u, unbanned %u, blacklisted %u, "
		       "unblacklisted %u, ignoreip +%u -%u, errors %u\n",
		       c.rows, c.banned, c.unbanned, c.bl_banned, c.bl_unbanned,
		       c.ignored, c.unignored, c.errors);
	return c.errors ? -1 : 0;
}

static const struct form sync_form = {
	"sync", OPT(OPT_ONCE) | OPT(OPT_INTERVAL) | OPT(OPT_INTERVAL_MS) |
		OPT(OPT_ROUNDS), 0,
	"--once: one round, saying what it did; else a round every second\n"
	"(--interval, --interval-ms) until stopped, or --rounds rounds",
};

/* After a round: the metrics to [metrics] textfile, if set. */
static void publish_metrics(struct syncer *s, double started, int status)
{
	struct metrics m;
	char err[512];
	double now = watch_now();
	bool due;

	if (!s->cfg.metrics_textfile[0])
		return;
	if (s->watch.rounds == 0)
		watch_sweep(s->cfg.metrics_textfile);
	s->watch.rounds++;
	s->watch.round_seconds = now - started;
	s->watch.round_rows = s->round_rows;
	if (status == 0)
		s->watch.last_good = now;
	/* Never counted yet, or changed since: counted again, but a count
	 * that failed is not tried again before TALLY_EVERY either. */
	due = s->last_tally == 0 || now - s->last_tally >= TALLY_EVERY;
	if (s->replica && due && (!s->watch.rows_read || s->rows_changed)) {
		if (watch_tally(s->replica, &s->watch) == DB_OK)
			s->rows_changed = false;
		s->last_tally = now;
	}
	if (s->replica)
		watch_replica_lag(s->replica, &s->watch);
	else
		s->watch.replica_lag = -1;
	watch_gather(&s->cfg, &s->watch, &m);
	if (watch_publish(s->cfg.metrics_textfile, &m, err, sizeof(err)) == 0) {
		s->metrics_said = false;
		return;
	}
	if (!s->metrics_said)
		log_warning("sync: metrics: %s", err);
	s->metrics_said = true;
}

/* One round, and its metrics. */
static int round_and_publish(struct syncer *s)
{
	double started = watch_now();
	int status = round_once(s);

	publish_metrics(s, started, status);
	return status;
}

/* The wait after a failed round: twice the last one, at least a second
 * (an --interval-ms of 0 must not hammer a server that is down), at most
 * MAX_BACKOFF seconds. */
static unsigned backoff(unsigned wait_ms)
{
	unsigned next = wait_ms < MS_PER_S / 2 ? MS_PER_S : wait_ms * 2;

	return next > MAX_BACKOFF * MS_PER_S ? MAX_BACKOFF * MS_PER_S : next;
}

/* Rounds every interval_ms until a signal, or until `rounds` rounds ran
 * when it is above 0 (what a benchmark or a leak check needs).  Returns the
 * status of the last round. */
static int run_loop(struct syncer *s, unsigned interval_ms, long long rounds)
{
	unsigned wait = interval_ms;
	int last = 0;

	install_handlers();
	for (long long n = 1; !stopping; n++) {
		handoff_keep(s);
		last = round_and_publish(s);
		if (rounds > 0 && n >= rounds)
			break;
		wait = last == 0 ? interval_ms : backoff(wait);
		pause_for(wait);
	}
	handoff_stop(s);
	return last;
}

/* One number of sync's options, when given. */
static int take_number(const struct opts *o, enum opt_id id,
		       const char *expected, long long min, long long max,
		       long long *out)
{
	const char *text = o->text[id];

	if (text && !parse_int_in(text, min, max, out))
		return usage_error("sync", "%s", expected);
	return EXIT_DONE;
}

int cmd_sync(int argc, char **argv, const struct cli *cli)
{
	struct syncer s = { .watch = { .last_good = -1,
				       .replica = UP_UNKNOWN,
				       .fail2ban = UP_UNKNOWN,
				       .replica_lag = -1 } };
	long long interval = -1, interval_ms = -1, rounds = 0;
	struct opts o;
	bool once, helped;
	int rc;

	if ((rc = cli_read_options("sync", "sync", &sync_form, argc, argv, &o,
				   &helped)) || helped)
		return rc;
	if ((rc = take_number(&o, OPT_INTERVAL, "--interval: expected 1 to "
			      "3600 seconds", 1, 3600, &interval)) ||
	    (rc = take_number(&o, OPT_INTERVAL_MS, "--interval-ms: expected 0 "
			      "to 3600000", 0, 3600 * 1000, &interval_ms)) ||
	    (rc = take_number(&o, OPT_ROUNDS, "--rounds: expected 1 to "
			      "1000000000", 1, 1000000000, &rounds)))
		return rc;
	once = opt_given(&o, OPT_ONCE);
	/* Options that contradict each other are refused, not ranked. */
	if (interval >= 0 && interval_ms >= 0)
		return usage_error("sync", "--interval and --interval-ms: "
				   "give one of them");
	if (once && (interval >= 0 || interval_ms >= 0 || rounds))
		return usage_error("sync", "--once runs one round: no "
				   "--interval, --interval-ms or --rounds");
	if (interval_ms < 0)
		interval_ms = (interval < 0 ? DEFAULT_INTERVAL : interval) *
			      MS_PER_S;
	if ((rc = cli_load_config(cli, &s.cfg)))
		return rc;
	/* A long-running loop reconnects: it keeps the passwords. */
	s.link = cli_f2b_link(&s.cfg, F2B_DETACHED_TIMEOUT_MS);
	/* Until the first full round resolves them, what a ban would use:
	 * the spool may be replayed before the replica answers. */
	cli_load_nodes_for_ban(&s.cfg);
	s.verbose = once;
	s.serve_handoff = !once && rounds == 0;
	if (once)
		rc = round_and_publish(&s) == 0 ? EXIT_DONE : EXIT_RUNTIME;
	else
		rc = run_loop(&s, (unsigned)interval_ms, rounds) == 0 ||
		     rounds == 0 ? EXIT_DONE : EXIT_RUNTIME;
	db_close(s.replica);
	strset_free(&s.recent);
	watch_free(&s.watch);
	config_wipe_secrets(&s.cfg);
	return rc;
}
