/* connbench - what a connection kept open would save a ban, inside one
 * process: the same ban of a new address made ROUNDS times through a fresh
 * connection (connect, the ban's statements, close: what every mc-f2b ban
 * process does) and ROUNDS times through one connection kept open (what a
 * running process handed the event would do), interleaved.
 * usage: connbench INI JAIL ROUNDS
 * Prints the median wall milliseconds of each way and their difference:
 * the most a hand-off to a running process could save, before the cost of
 * the hand-off itself. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bans.h"
#include "config.h"
#include "db.h"
#include "event.h"

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static int by_value(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static double median(double *v, size_t n)
{
	qsort(v, n, sizeof(*v), by_value);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

/* A ban of 2001:db8:c0:WAY::K in JAIL, through db. */
static int ban(struct db *db, const char *jail, int way, long k)
{
	struct ban_event ev = { .kind = EVENT_BAN, .bantime = 600,
				.failures = 3, .time = 1790000000 };
	struct ban_result res;
	char err[512];
	enum bans_status s;

	snprintf(ev.jail, sizeof(ev.jail), "%s", jail);
	snprintf(ev.ip, sizeof(ev.ip), "2001:db8:c0:%d::%lx", way, k);
	snprintf(ev.host, sizeof(ev.host), "connbench");
	ev.at = (long long)time(NULL);
	s = bans_apply(db, &ev, &res, err, sizeof(err));
	bans_result_free(&res);
	if (s != BANS_OK)
		fprintf(stderr, "connbench: ban of %s: %s\n", ev.ip, err);
	return s == BANS_OK ? 0 : -1;
}

int main(int argc, char **argv)
{
	struct mc_config cfg;
	struct db *kept, *fresh;
	char err[512];
	long rounds = argc == 4 ? atol(argv[3]) : 0;
	double *fresh_ms, *kept_ms, t;

	if (rounds <= 0 || config_load(argv[1], &cfg, err, sizeof(err)) != 0 ||
	    db_connect(&cfg.master, &kept, err, sizeof(err)) != DB_OK) {
		fprintf(stderr, "usage: connbench INI JAIL ROUNDS (%s)\n",
			rounds <= 0 ? "bad arguments" : err);
		return 2;
	}
	fresh_ms = calloc((size_t)rounds, sizeof(double));
	kept_ms = calloc((size_t)rounds, sizeof(double));
	if (!fresh_ms || !kept_ms)
		return 1;
	for (long k = 0; k < rounds; k++) {
		t = now_ms();
		if (db_connect(&cfg.master, &fresh, err, sizeof(err)) != DB_OK) {
			fprintf(stderr, "connbench: %s\n", err);
			return 1;
		}
		if (ban(fresh, argv[2], 1, k))
			return 1;
		db_close(fresh);
		fresh_ms[k] = now_ms() - t;
		t = now_ms();
		if (ban(kept, argv[2], 2, k))
			return 1;
		kept_ms[k] = now_ms() - t;
	}
	db_close(kept);
	double f = median(fresh_ms, (size_t)rounds);
	double c = median(kept_ms, (size_t)rounds);
	printf("fresh connection %.3f ms, kept connection %.3f ms, "
	       "difference %.3f ms (%ld bans each)\n", f, c, f - c, rounds);
	free(fresh_ms);
	free(kept_ms);
	config_wipe_secrets(&cfg);
	return 0;
}
