/* herd - many processes running one command at once, timed as a whole.
 *
 * usage: herd WORKERS PER_WORKER START /abs/command [ARG...]
 *
 * Forks WORKERS workers, which all wait on one pipe; closing its write end
 * releases them together, so that they really race (forking 200 processes
 * one after the other would otherwise spread them over milliseconds).
 * Each worker then runs the command PER_WORKER times, one after the other;
 * in its arguments "{x}" becomes the run's number in hex (START, START+1,
 * ... over all workers), so that "2001:db8:d::{x}" names a distinct
 * address per run.  The command's streams are the herd's own.
 *
 * Prints the wall time in ms from the release to the last worker's end.
 * Exit 1 when any run failed (how many, on stderr), 2 on bad usage. */
#include <errno.h>
#include <inttypes.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "benchutil.h"

#define MAX_WORKERS 10000L
#define MAX_RUNS 1000000L

extern char **environ;

/* A copy of tmpl with every "{x}" replaced by hex; NULL when out of
 * memory. */
static char *expand(const char *tmpl, const char *hex)
{
	size_t n = strlen(tmpl) + 1;
	char *out, *o;

	for (const char *p = strstr(tmpl, "{x}"); p; p = strstr(p + 3, "{x}"))
		n += strlen(hex);
	if (!(out = malloc(n)))
		return NULL;
	for (o = out; *tmpl;) {
		if (strncmp(tmpl, "{x}", 3) == 0) {
			o = stpcpy(o, hex);
			tmpl += 3;
		} else {
			*o++ = *tmpl++;
		}
	}
	*o = '\0';
	return out;
}

/* One run of the command as run number `n`; 0 when it exited 0. */
static int run_one(char **cmd, int argc, uint64_t n)
{
	char hex[20], **argv = calloc((size_t)argc + 1, sizeof(*argv));
	int status = 1, failed = 1;
	pid_t pid;

	snprintf(hex, sizeof(hex), "%" PRIx64, n);
	if (!argv)
		return 1;
	argv[0] = cmd[0];
	for (int i = 1; i < argc; i++)
		if (!(argv[i] = expand(cmd[i], hex)))
			goto out;
	if (posix_spawn(&pid, argv[0], NULL, NULL, argv, environ) == 0) {
		while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
			;
		failed = !WIFEXITED(status) || WEXITSTATUS(status) != 0;
	}
out:
	for (int i = 1; i < argc; i++)
		free(argv[i]);
	free(argv);
	return failed;
}

/* A worker: wait for the release, run its share, exit with the number of
 * failed runs (capped to fit an exit status). */
static _Noreturn void worker(int gate, char **cmd, int argc, uint64_t first,
			     long runs)
{
	char c;
	int failed = 0;

	while (read(gate, &c, 1) < 0 && errno == EINTR)
		;
	for (long i = 0; i < runs; i++)
		failed += run_one(cmd, argc, first + (uint64_t)i);
	_exit(failed > 255 ? 255 : failed);
}

int main(int argc, char **argv)
{
	long workers = argc > 4 ? arg_count(argv[1], 1, MAX_WORKERS) : -1;
	long per = argc > 4 ? arg_count(argv[2], 1, MAX_RUNS) : -1;
	long start = argc > 4 ? arg_count(argv[3], 0, 1L << 40) : -1;
	long failed = 0, lost = 0;
	int gate[2], status;
	double t0;

	if (workers < 0 || per < 0 || start < 0 || argv[4][0] != '/') {
		fprintf(stderr, "usage: herd WORKERS PER_WORKER START "
			"/abs/command [ARG...]\n");
		return 2;
	}
	if (pipe(gate) != 0) {
		perror("herd: pipe");
		return 1;
	}
	for (long w = 0; w < workers; w++) {
		pid_t pid = fork();

		if (pid < 0) {
			/* Release the workers forked so far and reap them:
			 * none is left behind, and the run counts as failed. */
			perror("herd: fork");
			lost++;
			break;
		}
		if (pid == 0) {
			close(gate[1]);
			worker(gate[0], argv + 4, argc - 4,
			       (uint64_t)start + (uint64_t)(w * per), per);
		}
	}
	close(gate[0]);
	t0 = now_ms();
	close(gate[1]);     /* every worker's read returns: they are off */
	for (;;) {
		if (wait(&status) < 0) {
			if (errno == EINTR)
				continue;
			break;      /* ECHILD: all reaped */
		}
		if (WIFEXITED(status))
			failed += WEXITSTATUS(status);
		else
			lost++;
	}
	printf("%.1f\n", now_ms() - t0);
	if (failed || lost)
		fprintf(stderr, "herd: %ld run(s) failed, %ld worker(s) lost "
			"(killed, or not forked)\n",
			failed, lost);
	return failed || lost ? 1 : 0;
}
