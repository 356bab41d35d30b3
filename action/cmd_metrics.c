/* cmd_metrics.c - mc-f2b metrics: what this node and the cluster's rows
 * look like now, in Prometheus' text format; and the gathering that the
 * sync loop does for its textfile (watch.h). */
#include "watch.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "admin.h"
#include "grow.h"
#include "lists.h"
#include "log.h"
#include "outage.h"
#include "spool.h"

double watch_now(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static void keep_jail(void *ctx, const char *jail, long long rows,
		      long long active, long long blacklisted,
		      long long whitelisted)
{
	struct watch *w = ctx;
	struct metrics_jail *grown;

	if (!jail || !jail_name_valid(jail, NULL)) {
		w->unnamed += rows;
		return;
	}
	if (!(grown = grow_for_one(w->jails, &w->cap, w->njails,
				   sizeof(*grown), 16))) {
		w->failed = true;
		return;
	}
	w->jails = grown;
	grown = &w->jails[w->njails++];
	snprintf(grown->name, sizeof(grown->name), "%s", jail);
	grown->active = active;
	grown->blacklisted = blacklisted;
	grown->whitelisted = whitelisted;
}

enum db_status watch_tally(struct db *db, struct watch *w)
{
	struct watch fresh = { 0 };
	enum db_status s = lists_tally(db, keep_jail, &fresh);

	if (s != DB_OK || fresh.failed) {
		free(fresh.jails);
		return s != DB_OK ? s : DB_FAILED;
	}
	free(w->jails);
	w->jails = fresh.jails;
	w->njails = fresh.njails;
	w->cap = fresh.cap;
	w->unnamed = fresh.unnamed;
	w->rows_read = true;
	return DB_OK;
}

/* A replica that refused to say its lag (no SLAVE MONITOR, most often)
 * is asked again only after this many seconds. */
#define LAG_ASK_AGAIN 300

void watch_replica_lag(struct db *db, struct watch *w)
{
	long long seconds;
	bool reported;
	enum db_status s;

	w->replica_lag = -1;
	if (w->lag_refused_at > 0 &&
	    watch_now() - w->lag_refused_at < LAG_ASK_AGAIN)
		return;
	w->lag_refused_at = 0;
	s = db_replica_lag(db, &seconds, &reported);
	if (s == DB_OK && reported)
		w->replica_lag = (double)seconds;
	else if (s != DB_OK && s != DB_UNREACHABLE)
		w->lag_refused_at = watch_now();
}

void watch_free(struct watch *w)
{
	free(w->jails);
	w->jails = NULL;
	w->njails = w->cap = 0;
}

struct spool_tally {
	long long waiting;
	long long oldest_at;   /* epoch seconds, 0: none */
};

static void count_waiting(void *ctx, const struct ban_event *ev,
			  const char *line)
{
	struct spool_tally *t = ctx;

	(void)line;
	t->waiting++;   /* an unreadable record waits too */
	if (ev && (t->oldest_at == 0 || ev->at < t->oldest_at))
		t->oldest_at = ev->at;
}

void watch_gather(const struct mc_config *cfg, const struct watch *w,
		  struct metrics *m)
{
	struct spool_tally t = { 0, 0 };
	char err[512];

	memset(m, 0, sizeof(*m));
	m->rows_read = w->rows_read;
	m->jails = w->jails;
	m->njails = w->njails;
	m->rows_unnamed = w->unnamed;
	if (counters_read(cfg->spool_dir, m->counters, err, sizeof(err)) == 0)
		m->counters_read = true;
	else
		log_warning("metrics: counters: %s", err);
	if (spool_list(cfg->spool_dir, count_waiting, &t, err,
		       sizeof(err)) == 0) {
		m->spool_read = true;
		m->spool_waiting = t.waiting;
		m->spool_oldest_seconds = t.oldest_at ?
			(double)(time(NULL) - t.oldest_at) : -1;
		if (t.oldest_at && m->spool_oldest_seconds < 0)
			m->spool_oldest_seconds = 0;   /* a clock set back */
	} else {
		log_warning("metrics: spool: %s", err);
	}
	m->master = outage_noted(cfg->spool_dir) ? UP_NO : UP_YES;
	m->replica = w->replica;
	m->fail2ban = w->fail2ban;
	m->replica_lag_seconds = w->replica_lag;
	m->rounds = w->rounds;
	m->round_seconds = w->round_seconds;
	m->round_rows = w->round_rows;
	m->since_good_round_seconds = w->last_good >= 0 ?
		watch_now() - w->last_good : -1;
}

/* Is name "<base>." and six characters of mkstemp's? */
static bool is_temporary_of(const char *name, const char *base)
{
	static const char letters[] = "abcdefghijklmnopqrstuvwxyz"
				      "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
	size_t n = strlen(base);

	return strncmp(name, base, n) == 0 && name[n] == '.' &&
	       strlen(name + n + 1) == 6 &&
	       strspn(name + n + 1, letters) == 6;
}

void watch_sweep(const char *path)
{
	char dir[PATH_MAX];
	const char *slash = strrchr(path, '/');
	struct dirent *e;
	struct stat st;
	DIR *d;
	int fd;

	if (!slash || (size_t)(slash - path) >= sizeof(dir))
		return;
	memcpy(dir, path, (size_t)(slash - path));
	dir[slash - path] = '\0';
	if (!(d = opendir(dir[0] ? dir : "/")))
		return;
	fd = dirfd(d);
	while ((e = readdir(d)) != NULL) {
		/* Only our own regular files: never through a link, never
		 * another user's. */
		if (is_temporary_of(e->d_name, slash + 1) &&
		    fstatat(fd, e->d_name, &st, AT_SYMLINK_NOFOLLOW) == 0 &&
		    S_ISREG(st.st_mode) && st.st_uid == geteuid() &&
		    unlinkat(fd, e->d_name, 0) == 0)
			log_decision("sync: metrics: removed %s/%s, left by a "
				     "process that stopped mid-write", dir,
				     e->d_name);
	}
	closedir(d);
}

int watch_publish(const char *path, const struct metrics *m, char *err,
		  size_t errlen)
{
	char temp[PATH_MAX];
	FILE *f;
	bool failed;
	int fd, n;

	/* Not ending in .prom: node_exporter never reads it half written. */
	n = snprintf(temp, sizeof(temp), "%s.XXXXXX", path);
	if (n < 0 || (size_t)n >= sizeof(temp)) {
		snprintf(err, errlen, "%s: path too long", path);
		return -1;
	}
	/* mkstemp makes a new file (O_EXCL): nothing another user put in
	 * the directory is written through. */
	if ((fd = mkostemp(temp, O_CLOEXEC)) < 0) {
		snprintf(err, errlen, "%s: %s", temp, strerror(errno));
		return -1;
	}
	if (fchmod(fd, 0644) != 0 || !(f = fdopen(fd, "w"))) {
		snprintf(err, errlen, "%s: %s", temp, strerror(errno));
		close(fd);
		unlink(temp);
		return -1;
	}
	/* fclose is called once, whatever metrics_write says. */
	errno = 0;
	failed = metrics_write(m, f) != 0;
	if (fclose(f) != 0 || failed) {
		snprintf(err, errlen, "%s: %s", temp,
			 errno ? strerror(errno) : "write failed");
		unlink(temp);
		return -1;
	}
	if (rename(temp, path) != 0) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		unlink(temp);
		return -1;
	}
	return 0;
}

/* --- the verb ------------------------------------------------------------ */

static int metrics_now(struct admin *ad)
{
	struct watch w = { .last_good = -1, .replica = UP_NO,
			   .fail2ban = UP_NO, .replica_lag = -1 };
	struct metrics m;
	struct db *replica = NULL;
	char err[512];
	int rc = EXIT_DONE;

	if (db_connect(&ad->cfg.replica, &replica, err, sizeof(err)) != DB_OK)
		log_warning("metrics: replica: %s", err);
	config_wipe_secrets(&ad->cfg);
	if (replica) {
		w.replica = UP_YES;
		if (watch_tally(replica, &w) != DB_OK)
			log_warning("metrics: reading fail2ban_ips: %s",
				    db_error(replica));
		watch_replica_lag(replica, &w);
		db_close(replica);
	}
	w.fail2ban = jailctl_running(&ad->link) ? UP_YES : UP_NO;
	watch_gather(&ad->cfg, &w, &m);
	if (metrics_write(&m, stdout) != 0) {
		log_error("metrics: standard output: %s", strerror(errno));
		rc = EXIT_RUNTIME;
	}
	watch_free(&w);
	return rc;
}

int cmd_metrics(int argc, char **argv, const struct cli *cli)
{
	static const struct sub_verb metrics = {
		{ "metrics", 0, 0, "Prometheus' text format, on standard "
		  "output; see mc-f2b(8) for the names" }, metrics_now,
	};

	return admin_run_alone("metrics", &metrics, ADMIN_CONFIG, argc, argv,
			       cli);
}
