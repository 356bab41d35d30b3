/* stormbench - ban storms inside a real fail2ban-server, jail against jail.
 *
 * usage: stormbench ROUNDS WARMUP SIZE SOCKET LABEL=JAIL...
 *
 * A storm is one "set JAIL banip IP1 ... IPSIZE" of fresh addresses.  fail2ban
 * 1.0.2 runs the jail's actionban for each address in the thread that
 * answers the call (actions.py, __checkBan), under its one server-wide
 * action lock, so the answer comes when the last action has exited: the
 * call's wall time is the storm's.  Every round storms each jail once,
 * starting one jail later than the round before, so that the machine's
 * noise hits all jails alike; the first jail is the baseline of the ratios.
 *
 * Prints per jail the median, 10th and 90th percentile of a storm in ms, the
 * median per ban and the ratio of medians.  Exit 1 when a call fails or
 * the server reports fewer new bans than addresses sent. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "benchutil.h"

#include "f2b.h"

#define CALL_TIMEOUT_MS (30u * 60u * 1000u)
#define MAX_SIZE 100000L
#define MAX_ROUNDS 100000L

struct jail {
	const char *label, *name;
	double *ms;		/* one storm per measured round */
};

/* Addresses 2001:db8:57::<n>, n counting up over the whole run: no
 * address is banned twice, in any jail. */
static void fill_addrs(char **words, long size, uint64_t *counter)
{
	for (long i = 0; i < size; i++, (*counter)++)
		snprintf(words[3 + i], 48, "2001:db8:57::%" PRIx64 ":%" PRIx64,
			 (*counter >> 16) & 0xffff, *counter & 0xffff);
}

/* One storm; returns its wall time in ms, or -1. */
static double storm(const char *sock, const char *jail, char **words,
		    long size, uint64_t *counter)
{
	struct pickle_doc *doc;
	const struct pickle_value *res;
	char err[256];
	double t0;

	words[0] = "set";
	words[1] = (char *)jail;
	words[2] = "banip";
	fill_addrs(words, size, counter);
	t0 = now_ms();
	if (f2b_call(sock, (const char *const *)words, (size_t)size + 3,
		     CALL_TIMEOUT_MS, &doc, &res, err, sizeof(err)) != F2B_OK) {
		fprintf(stderr, "stormbench: %s: %s\n", jail, err);
		return -1;
	}
	double ms = now_ms() - t0;
	long long banned = res->type == PICKLE_INT ? res->integer : -1;

	pickle_doc_free(doc);
	if (banned != size) {
		fprintf(stderr, "stormbench: %s: %lld of %ld addresses banned\n",
			jail, banned, size);
		return -1;
	}
	return ms;
}

static int by_value(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/* Nearest-rank percentile of sorted samples. */
static double pct(const double *s, long n, double p)
{
	return s[(long)(p * (double)(n - 1) + 0.5)];
}

static void print_table(struct jail *j, int njails, long rounds, long size)
{
	double base = 0;

	printf("%-12s %10s %9s %9s %11s %7s\n", "jail", "median_ms", "p10_ms",
	       "p90_ms", "ms_per_ban", "ratio");
	for (int i = 0; i < njails; i++) {
		qsort(j[i].ms, (size_t)rounds, sizeof(double), by_value);
		double med = pct(j[i].ms, rounds, 0.5);

		if (i == 0)
			base = med;
		printf("%-12s %10.1f %9.1f %9.1f %11.3f %7.2f\n", j[i].label,
		       med, pct(j[i].ms, rounds, 0.1), pct(j[i].ms, rounds, 0.9),
		       med / (double)size, med / base);
	}
}

int main(int argc, char **argv)
{
	long rounds = argc > 5 ? arg_count(argv[1], 1, MAX_ROUNDS) : -1;
	long warmup = argc > 5 ? arg_count(argv[2], 0, MAX_ROUNDS) : -1;
	long size = argc > 5 ? arg_count(argv[3], 1, MAX_SIZE) : -1;
	int njails = argc - 5;
	uint64_t counter = 1;
	struct jail *j;
	char **words;

	if (rounds < 0 || warmup < 0 || size < 0) {
		fprintf(stderr, "usage: stormbench ROUNDS WARMUP SIZE SOCKET "
			"LABEL=JAIL...\n");
		return 2;
	}
	j = calloc((size_t)njails, sizeof(*j));
	words = calloc((size_t)size + 3, sizeof(*words));
	for (long i = 0; j && words && i < size; i++)
		if (!(words[3 + i] = malloc(48)))
			return 1;
	for (int i = 0; j && i < njails; i++) {
		char *eq = strchr(argv[5 + i], '=');

		if (!eq || eq == argv[5 + i] || eq[1] == '\0') {
			fprintf(stderr, "stormbench: '%s' is not LABEL=JAIL\n",
				argv[5 + i]);
			return 2;
		}
		*eq = '\0';
		j[i] = (struct jail){ argv[5 + i], eq + 1,
				      calloc((size_t)rounds, sizeof(double)) };
		if (!j[i].ms)
			return 1;
	}
	if (!j || !words)
		return 1;
	for (long r = 0; r < warmup + rounds; r++) {
		for (int k = 0; k < njails; k++) {
			int i = (int)((r + k) % njails);
			double ms = storm(argv[4], j[i].name, words, size,
					  &counter);

			if (ms < 0)
				return 1;
			if (r >= warmup)
				j[i].ms[r - warmup] = ms;
		}
	}
	print_table(j, njails, rounds, size);
	return 0;
}
