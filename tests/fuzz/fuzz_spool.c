/* fuzz_spool.c - libFuzzer target for spool.h (and the field rules of
 * event.h it applies).
 *
 * A record: spool_decode() takes exactly one spelling of an event, so an
 * accepted line is what spool_encode() writes for the event it decodes to,
 * and decoding that again gives the same event.
 *
 * A whole events file: the input is the spool, replayed with verdicts the
 * input chooses (an event's failures modulo 3: applied, refused, stop).
 * Every line is accounted for once (applied, rejected or kept), the
 * rejected file gets one line per rejected record, and what is kept is
 * what spool_list() shows afterwards. */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "spool.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char dir[64];

static void check(int ok)
{
	if (!ok)
		abort();
}

static void fuzz_record(const char *line)
{
	struct ban_event ev, again;
	char rec[SPOOL_RECORD_MAX];
	const char *why = NULL;
	int len;

	if (spool_decode(line, &ev, &why) != 0) {
		check(why != NULL && why[0] != '\0');
		return;
	}
	len = spool_encode(&ev, rec, sizeof(rec));
	check(len > 0 && rec[len - 1] == '\n');
	check(strncmp(rec, line, (size_t)len - 1) == 0);
	check(line[len - 1] == '\0' || line[len - 1] == '\n');
	check(spool_decode(rec, &again, &why) == 0);
	check(memcmp(&ev, &again, sizeof(ev)) == 0);
}

/* --- a whole spool --------------------------------------------------------- */

static void clear_dir(void)
{
	static const char *const names[] = { "events", "events.tmp", "rejected",
					     "done", "lock" };
	char p[128];

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		snprintf(p, sizeof(p), "%s/%s", dir, names[i]);
		unlink(p);
	}
}

static void remove_dir(void)
{
	clear_dir();
	rmdir(dir);
}

/* A spool directory for the whole run, on tmpfs when there is one: the
 * spool fsync()s every write. */
static int make_dir(void)
{
	if (dir[0])
		return 0;
	snprintf(dir, sizeof(dir), "%s/mc-f2b-fuzz-spool.XXXXXX",
		 access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp");
	if (!mkdtemp(dir)) {
		dir[0] = '\0';
		return -1;
	}
	atexit(remove_dir);
	return 0;
}

static int write_file(const char *name, const uint8_t *data, size_t size)
{
	char p[128];
	FILE *f;
	size_t n;

	snprintf(p, sizeof(p), "%s/%s", dir, name);
	f = fopen(p, "w");
	if (!f)
		return -1;
	n = fwrite(data, 1, size, f);
	return fclose(f) == 0 && n == size ? 0 : -1;
}

/* Lines in a file, as getline() cuts them; -1 when it cannot be read. */
static long count_lines(const char *name, long *newlines)
{
	char p[128];
	FILE *f;
	long lines = 0;
	int c, last = '\n';

	*newlines = 0;
	snprintf(p, sizeof(p), "%s/%s", dir, name);
	f = fopen(p, "r");
	if (!f)
		return 0;
	while ((c = getc(f)) != EOF) {
		if (c == '\n')
			(*newlines)++;
		if (last == '\n')
			lines++;
		last = c;
	}
	fclose(f);
	return lines;
}

static enum spool_verdict verdict(void *ctx, const struct ban_event *ev)
{
	(void)ctx;
	switch (ev->failures % 3) {
	case 0:  return SPOOL_APPLIED;
	case 1:  return SPOOL_REFUSED;
	default: return SPOOL_STOP;
	}
}

static void count_listed(void *ctx, const struct ban_event *ev,
			 const char *line)
{
	char rec[SPOOL_RECORD_MAX];

	(*(unsigned *)ctx)++;
	check(strchr(line, '\n') == NULL);
	if (ev) {
		int len = spool_encode(ev, rec, sizeof(rec));
		check(len > 0 && strncmp(rec, line, (size_t)len - 1) == 0);
	}
}

static void fuzz_spool(const uint8_t *data, size_t size)
{
	struct spool_counts c;
	char err[512];
	long lines, newlines, rejected, rejected_newlines, kept, kept_newlines;
	unsigned listed = 0;

	if (make_dir() != 0)
		return;
	clear_dir();
	if (write_file("events", data, size) != 0)
		return;
	lines = count_lines("events", &newlines);
	if (spool_replay(dir, verdict, NULL, &c, err, sizeof(err)) != 0) {
		check(err[0] != '\0');
		return;
	}
	check((long)(c.applied + c.refused + c.undecodable + c.kept) == lines);
	rejected = count_lines("rejected", &rejected_newlines);
	check(rejected == (long)(c.refused + c.undecodable));
	check(rejected_newlines == rejected);
	kept = count_lines("events", &kept_newlines);
	check(kept == (long)c.kept && kept_newlines == kept);
	check(spool_pending(dir) == (c.kept > 0));
	check(spool_list(dir, count_listed, &listed, err, sizeof(err)) == 0);
	check(listed == c.kept);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *line = malloc(size + 1);

	if (!line)
		return 0;
	memcpy(line, data, size);
	line[size] = '\0';
	fuzz_record(line);
	free(line);
	fuzz_spool(data, size);
	return 0;
}
