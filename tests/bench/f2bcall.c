/* f2bcall - time native calls to fail2ban's socket, in one process.
 * usage: f2bcall ROUNDS SOCKET WORD...
 * A word "{ip}" becomes a fresh documentation address per call.  Prints the
 * median and 90th percentile of one call in ms, then the last result's
 * status; exit 1 if any call failed. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "benchutil.h"

#include "f2b.h"

static int by_value(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

int main(int argc, char **argv)
{
	int rounds = argc > 3 ? atoi(argv[1]) : 0;
	const char *words[16];
	char ip[64], err[256];
	double *times;
	int failures = 0;

	if (rounds <= 0 || argc - 3 > 16) {
		fprintf(stderr, "usage: f2bcall ROUNDS SOCKET WORD...\n");
		return 2;
	}
	times = calloc((size_t)rounds, sizeof(*times));
	if (!times)
		return 1;
	for (int r = 0; r < rounds; r++) {
		size_t n = 0;

		snprintf(ip, sizeof(ip), "2001:db8:f2b::%x", r + 1);
		for (int i = 3; i < argc; i++)
			words[n++] = strcmp(argv[i], "{ip}") == 0 ? ip : argv[i];
		double t0 = now_ms();
		if (f2b_command(argv[2], words, n, 5000, err, sizeof(err)) != F2B_OK) {
			if (!failures++)
				fprintf(stderr, "f2bcall: %s\n", err);
		}
		times[r] = now_ms() - t0;
	}
	qsort(times, (size_t)rounds, sizeof(*times), by_value);
	printf("%.3f %.3f\n", times[rounds / 2], times[rounds * 9 / 10]);
	free(times);
	return failures ? 1 : 0;
}
