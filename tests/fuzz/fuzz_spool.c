/* fuzz_spool.c - libFuzzer target for spool.h (and the field rules of
 * event.h it applies), and for the note of outage.h, the spool directory's
 * other file read back as input.
 *
 * A record: spool_decode() takes exactly one spelling of an event, so an
 * accepted line is what spool_encode() writes for the event it decodes to,
 * and decoding that again gives the same event.
 *
 * A whole events file: the input is the spool, replayed with verdicts the
 * input chooses (an event's failures modulo 3: applied, refused, stop).
 * What the replay does is foretold line by line first: a line that is
 * marked done or empty is passed over; every other one is applied, or
 * copied to rejected (ending its line there), or kept from the first stop
 * on.  The replay must do exactly that: the events file is the input with
 * the first byte of each line it finished marked done, or gone when it
 * finished them all; rejected holds the lines it copied, in order; listing
 * shows what was kept.  Then an event appended to what is left is listed
 * after it, whole, however the input's last line ended. */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "outage.h"
#include "spool.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define DONE '#'

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

/* A note: what decodes encodes to a note that decodes the same, and what
 * the back-off makes of it stays inside its bounds. */
static void fuzz_outage_note(const char *text)
{
	struct outage o, again, next;
	char buf[OUTAGE_NOTE_MAX];
	long long now = 1790000000000LL;

	if (outage_decode(text, &o) != 0)
		return;
	check(outage_encode(&o, buf, sizeof(buf)) > 0);
	check(outage_decode(buf, &again) == 0);
	check(memcmp(&o, &again, sizeof(o)) == 0);
	next = outage_after_failure(&o, now);
	check(next.window_ms >= OUTAGE_FIRST_WINDOW_MS &&
	      next.window_ms <= OUTAGE_MAX_WINDOW_MS);
	check(next.since_ms <= now && next.next_try_ms == now + next.window_ms);
	check(outage_try_due(&next, now + next.window_ms));
}

/* --- a whole spool --------------------------------------------------------- */

static void clear_dir(void)
{
	static const char *const names[] = { "events", "rejected", "lock" };
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

/* A whole file of the spool, in a malloc()ed buffer; NULL when there is
 * no such file. */
static uint8_t *read_file(const char *name, size_t *size)
{
	char p[128];
	struct stat st;
	uint8_t *buf;
	FILE *f;

	snprintf(p, sizeof(p), "%s/%s", dir, name);
	*size = 0;
	f = fopen(p, "r");
	if (!f)
		return NULL;
	check(fstat(fileno(f), &st) == 0);
	buf = malloc((size_t)st.st_size + 1);
	check(buf != NULL);
	*size = fread(buf, 1, (size_t)st.st_size, f);
	check(*size == (size_t)st.st_size);
	fclose(f);
	return buf;
}

static enum spool_verdict verdict_of(const struct ban_event *ev)
{
	switch (ev->failures % 3) {
	case 0:  return SPOOL_APPLIED;
	case 1:  return SPOOL_REFUSED;
	default: return SPOOL_STOP;
	}
}

static enum spool_verdict verdict(void *ctx, const struct ban_event *ev)
{
	(void)ctx;
	return verdict_of(ev);
}

/* What a replay of data must do. */
struct foretold {
	struct spool_counts counts;
	uint8_t *events;     /* the events file after it (data, marked) */
	uint8_t *rejected;   /* rejected after it */
	size_t rejected_len;
};

/* A line of the input, newline included, decoded as the replay reads it:
 * as a C string, up to a NUL byte if it holds one. */
static bool line_decodes(const uint8_t *line, size_t len, struct ban_event *ev)
{
	char *text = malloc(len + 1);
	const char *why;
	bool ok;

	check(text != NULL);
	memcpy(text, line, len);
	text[len] = '\0';
	ok = spool_decode(text, ev, &why) == 0;
	free(text);
	return ok;
}

static void foretell(const uint8_t *data, size_t size, struct foretold *f)
{
	bool stopped = false;
	size_t at = 0;

	memset(f, 0, sizeof(*f));
	f->events = malloc(size + 1);
	f->rejected = malloc(2 * size + 1);
	check(f->events != NULL && f->rejected != NULL);
	memcpy(f->events, data, size);
	while (at < size) {
		const uint8_t *nl = memchr(data + at, '\n', size - at);
		size_t len = nl ? (size_t)(nl - (data + at)) + 1 : size - at;
		struct ban_event ev;
		bool reject = false;

		if (data[at] == DONE || data[at] == '\n') {
			at += len;
			continue;
		}
		if (stopped) {
			f->counts.kept++;
			at += len;
			continue;
		}
		if (!line_decodes(data + at, len, &ev)) {
			f->counts.undecodable++;
			reject = true;
		} else {
			switch (verdict_of(&ev)) {
			case SPOOL_APPLIED:
				f->counts.applied++;
				break;
			case SPOOL_REFUSED:
				f->counts.refused++;
				reject = true;
				break;
			case SPOOL_STOP:
				f->counts.kept++;
				stopped = true;
				break;
			}
		}
		if (reject) {
			memcpy(f->rejected + f->rejected_len, data + at, len);
			f->rejected_len += len;
			if (data[at + len - 1] != '\n')
				f->rejected[f->rejected_len++] = '\n';
		}
		if (!stopped)
			f->events[at] = DONE;
		at += len;
	}
}

static void count_listed(void *ctx, const struct ban_event *ev,
			 const char *line)
{
	char rec[SPOOL_RECORD_MAX];

	(*(unsigned *)ctx)++;
	check(strchr(line, '\n') == NULL);
	check(line[0] != DONE);
	if (ev) {
		int len = spool_encode(ev, rec, sizeof(rec));
		check(len > 0 && strncmp(rec, line, (size_t)len - 1) == 0);
	}
}

struct last_listed {
	unsigned n;
	struct ban_event ev;
	bool decoded;
};

static void keep_last(void *ctx, const struct ban_event *ev, const char *line)
{
	struct last_listed *l = ctx;

	(void)line;
	l->n++;
	l->decoded = ev != NULL;
	if (ev)
		l->ev = *ev;
}

/* An event appended after what the replay left is listed last, whole. */
static void check_append(unsigned kept)
{
	struct ban_event ev;
	struct last_listed last = { 0 };
	char err[512];

	memset(&ev, 0, sizeof(ev));   /* compared whole, padding included */
	ev.kind = EVENT_UNBAN;
	ev.at = 1790000000;
	ev.bantime = 2831155200LL;
	ev.failures = 7;
	strcpy(ev.jail, "mc-exim");
	strcpy(ev.ip, "192.0.2.200");
	strcpy(ev.host, "node-a");
	check(spool_append(dir, &ev, err, sizeof(err)) == 0);
	check(spool_list(dir, keep_last, &last, err, sizeof(err)) == 0);
	check(last.n == kept + 1);
	check(last.decoded && memcmp(&last.ev, &ev, sizeof(ev)) == 0);
}

static void fuzz_spool(const uint8_t *data, size_t size)
{
	struct foretold want;
	struct spool_counts c;
	char err[512];
	uint8_t *events, *rejected;
	size_t events_len, rejected_len;
	unsigned listed = 0;

	if (make_dir() != 0)
		return;
	clear_dir();
	if (write_file("events", data, size) != 0)
		return;
	foretell(data, size, &want);
	check(spool_replay(dir, verdict, NULL, &c, err, sizeof(err)) == 0);
	check(memcmp(&c, &want.counts, sizeof(c)) == 0);

	events = read_file("events", &events_len);
	if (c.kept == 0)
		check(events == NULL);
	else
		check(events_len == size &&
		      memcmp(events, want.events, size) == 0);
	rejected = read_file("rejected", &rejected_len);
	check(rejected_len == want.rejected_len &&
	      (rejected_len == 0 ||
	       memcmp(rejected, want.rejected, rejected_len) == 0));
	free(events);
	free(rejected);
	free(want.events);
	free(want.rejected);

	check(spool_pending(dir) == (c.kept > 0));
	check(spool_list(dir, count_listed, &listed, err, sizeof(err)) == 0);
	check(listed == c.kept);
	check_append(c.kept);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *line = malloc(size + 1);

	if (!line)
		return 0;
	memcpy(line, data, size);
	line[size] = '\0';
	fuzz_record(line);
	fuzz_outage_note(line);
	free(line);
	fuzz_spool(data, size);
	return 0;
}
