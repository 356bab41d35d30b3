/* test_spool.c - spool records, and the spool directory: append, list,
 * replay in order, keep what cannot be applied, set aside what cannot be
 * read, and concurrent appends that lose nothing. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "spool.h"

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

static char dir[] = "/tmp/mc-f2b-test-spool-XXXXXX";
static char err[512];

static struct ban_event sample(enum event_kind kind, const char *ip)
{
	struct ban_event ev = {
		.kind = kind, .at = 1790000000, .time = 1789999999,
		.bantime = 86400, .failures = 10, .restored = false,
	};

	strcpy(ev.jail, "mc-exim");
	strcpy(ev.ip, ip);
	strcpy(ev.host, "node-a");
	return ev;
}

static void test_round_trip(void **state)
{
	struct ban_event in = sample(EVENT_BAN, "2001:db8::7"), out;
	char line[SPOOL_RECORD_MAX];
	const char *why;

	(void)state;
	in.restored = true;
	in.bantime = -1;
	assert_true(spool_encode(&in, line, sizeof(line)) > 0);
	assert_non_null(strchr(line, '\n'));
	assert_int_equal(spool_decode(line, &out, &why), 0);
	assert_int_equal(out.kind, EVENT_BAN);
	assert_string_equal(out.jail, in.jail);
	assert_string_equal(out.ip, in.ip);
	assert_string_equal(out.host, in.host);
	assert_int_equal(out.at, in.at);
	assert_int_equal(out.time, in.time);
	assert_int_equal(out.bantime, -1);
	assert_int_equal(out.failures, in.failures);
	assert_true(out.restored);
	in = sample(EVENT_UNBAN, "192.0.2.9");
	assert_true(spool_encode(&in, line, sizeof(line)) > 0);
	assert_int_equal(spool_decode(line, &out, &why), 0);
	assert_int_equal(out.kind, EVENT_UNBAN);
}

static void test_malformed(void **state)
{
	static const char *const lines[] = {
		"",
		"\n",
		"garbage",
		"2\tban\tmc-exim\t192.0.2.1\tnode-a\t1\t1\t1\t1\t0\n",
		"1\tkick\tmc-exim\t192.0.2.1\tnode-a\t1\t1\t1\t1\t0\n",
		"1\tban\tmc exim\t192.0.2.1\tnode-a\t1\t1\t1\t1\t0\n",
		"1\tban\t../x\t192.0.2.1\tnode-a\t1\t1\t1\t1\t0\n",
		"1\tban\tmc-exim\t192.0.2.256\tnode-a\t1\t1\t1\t1\t0\n",
		"1\tban\tmc-exim\t2001:DB8::1\tnode-a\t1\t1\t1\t1\t0\n",
		"1\tban\tmc-exim\t192.0.2.1\tnode a\t1\t1\t1\t1\t0\n",
		"1\tban\tmc-exim\t192.0.2.1\tnode-a\t-5\t1\t1\t1\t0\n",
		"1\tban\tmc-exim\t192.0.2.1\tnode-a\t1\t1\t1\t1\t2\n",
		"1\tban\tmc-exim\t192.0.2.1\tnode-a\t1\t1\t-2\t1\t0\n",
		"1\tban\tmc-exim\t192.0.2.1\tnode-a\t1\t1\t1\t1\n",
		"1\tban\tmc-exim\t192.0.2.1\tnode-a\t1\t1\t1\t1\t0\textra\n",
		"1\tban\tmc-exim\t192.0.2.1\tnode-a\t1\t1\t1\t1\t0 \n",
	};
	struct ban_event ev;

	(void)state;
	for (size_t i = 0; i < COUNT(lines); i++) {
		const char *why = NULL;
		if (spool_decode(lines[i], &ev, &why) == 0)
			fail_msg("accepted line %zu", i);
		assert_non_null(why);
	}
}

static void append(const struct ban_event *ev)
{
	assert_int_equal(spool_append(dir, ev, err, sizeof(err)), 0);
}

/* A scripted apply function: applies, refuses or stops by address. */
struct script {
	char seen[16][ADDR_TEXT_MAX];
	size_t n;
	const char *refuse;
	const char *stop;
};

static enum spool_verdict scripted(void *ctx, const struct ban_event *ev)
{
	struct script *s = ctx;

	strcpy(s->seen[s->n++], ev->ip);
	if (s->stop && strcmp(ev->ip, s->stop) == 0)
		return SPOOL_STOP;
	if (s->refuse && strcmp(ev->ip, s->refuse) == 0)
		return SPOOL_REFUSED;
	return SPOOL_APPLIED;
}

static void add_raw_line(const char *line)
{
	char path[PATH_MAX];
	FILE *f;

	snprintf(path, sizeof(path), "%s/events", dir);
	f = fopen(path, "a");
	assert_non_null(f);
	fputs(line, f);
	fclose(f);
}

static long count_lines(const char *name)
{
	char path[PATH_MAX];
	long n = 0;
	int c;
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "r");
	if (!f)
		return 0;
	while ((c = fgetc(f)) != EOF)
		n += c == '\n';
	fclose(f);
	return n;
}

static void test_replay_in_order(void **state)
{
	struct ban_event ev = sample(EVENT_BAN, "192.0.2.1");
	struct spool_counts c;
	struct script s = { .refuse = "192.0.2.2", .stop = "192.0.2.4" };

	(void)state;
	assert_false(spool_pending(dir));
	append(&ev);
	strcpy(ev.ip, "192.0.2.2");
	append(&ev);
	add_raw_line("not a record\n");
	strcpy(ev.ip, "192.0.2.3");
	append(&ev);
	strcpy(ev.ip, "192.0.2.4");
	append(&ev);
	strcpy(ev.ip, "192.0.2.5");
	append(&ev);
	assert_true(spool_pending(dir));

	assert_int_equal(spool_replay(dir, scripted, &s, &c, err, sizeof(err)), 0);
	assert_int_equal(s.n, 4);           /* stopped at .4, never saw .5 */
	assert_string_equal(s.seen[0], "192.0.2.1");
	assert_string_equal(s.seen[3], "192.0.2.4");
	assert_int_equal(c.applied, 2);
	assert_int_equal(c.refused, 1);
	assert_int_equal(c.undecodable, 1);
	assert_int_equal(c.kept, 2);
	assert_int_equal(count_lines("events"), 2);
	assert_int_equal(count_lines("rejected"), 2);

	/* Next time the master is back: the rest, in order, then empty. */
	memset(&s, 0, sizeof(s));
	assert_int_equal(spool_replay(dir, scripted, &s, &c, err, sizeof(err)), 0);
	assert_int_equal(s.n, 2);
	assert_string_equal(s.seen[0], "192.0.2.4");
	assert_string_equal(s.seen[1], "192.0.2.5");
	assert_false(spool_pending(dir));
}

static void read_file(const char *name, char *buf, size_t len)
{
	char path[PATH_MAX];
	size_t n;
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "r");
	assert_non_null(f);
	n = fread(buf, 1, len - 1, f);
	buf[n] = '\0';
	fclose(f);
}

/* The last line of an events file cut short by a crash has no newline: in
 * rejected it still ends its own line, so the next rejected record does
 * not join it (found by tests/fuzz/fuzz-spool). */
static void test_rejected_lines_stay_apart(void **state)
{
	struct script s = { 0 };
	struct spool_counts c;
	char text[256];
	char path[PATH_MAX];

	(void)state;
	snprintf(path, sizeof(path), "%s/rejected", dir);
	unlink(path);
	add_raw_line("not a record\n1\tban\tmc-exim");
	assert_int_equal(spool_replay(dir, scripted, &s, &c, err, sizeof(err)), 0);
	assert_int_equal(c.undecodable, 2);
	add_raw_line("garbage\n");
	assert_int_equal(spool_replay(dir, scripted, &s, &c, err, sizeof(err)), 0);
	assert_int_equal(c.undecodable, 1);
	read_file("rejected", text, sizeof(text));
	assert_string_equal(text, "not a record\n1\tban\tmc-exim\ngarbage\n");
	assert_false(spool_pending(dir));
}

/* Applies events and writes their addresses down; dies after the second,
 * as a replay killed by fail2ban's action time-out would. */
static enum spool_verdict apply_then_die(void *ctx, const struct ban_event *ev)
{
	int *applied = ctx;

	(void)ev;
	if (++*applied == 2)
		_exit(0);
	return SPOOL_APPLIED;
}

static void test_cut_short_replay_goes_on(void **state)
{
	struct ban_event ev = sample(EVENT_BAN, "");
	struct script s = { 0 };
	struct spool_counts c;
	int status;
	pid_t pid;

	(void)state;
	for (int i = 1; i <= 4; i++) {
		snprintf(ev.ip, sizeof(ev.ip), "198.51.100.%d", i);
		append(&ev);
	}
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		int applied = 0;
		spool_replay(dir, apply_then_die, &applied, &c, err, sizeof(err));
		_exit(1);   /* not reached: the callback dies first */
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	/* The first event was noted done; the second died while applied
	 * (applied again: at most one event ever is). */
	assert_int_equal(spool_replay(dir, scripted, &s, &c, err, sizeof(err)), 0);
	assert_int_equal(s.n, 3);
	assert_string_equal(s.seen[0], "198.51.100.2");
	assert_string_equal(s.seen[2], "198.51.100.4");
	assert_false(spool_pending(dir));
}

static void count_listed(void *ctx, const struct ban_event *ev,
			 const char *line)
{
	(void)line;
	((int *)ctx)[ev ? 0 : 1]++;
}

/* Many processes appending at once: every record arrives whole. */
static void test_concurrent_appends(void **state)
{
	enum { WRITERS = 16, EACH = 40 };
	int listed[2] = { 0, 0 };

	(void)state;
	for (int w = 0; w < WRITERS; w++) {
		pid_t pid = fork();
		assert_true(pid >= 0);
		if (pid == 0) {
			for (int i = 0; i < EACH; i++) {
				struct ban_event ev = sample(EVENT_BAN, "");
				snprintf(ev.ip, sizeof(ev.ip), "2001:db8::%x:%x",
					 w + 1, i + 1);
				if (spool_append(dir, &ev, err, sizeof(err)))
					_exit(1);
			}
			_exit(0);
		}
	}
	for (int w = 0; w < WRITERS; w++) {
		int status;
		assert_true(wait(&status) > 0);
		assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	}
	assert_int_equal(spool_list(dir, count_listed, listed, err, sizeof(err)), 0);
	assert_int_equal(listed[0], WRITERS * EACH);
	assert_int_equal(listed[1], 0);
}

static int setup(void **state)
{
	(void)state;
	return mkdtemp(dir) ? 0 : -1;
}

static int teardown(void **state)
{
	static const char *const files[] = { "events", "rejected", "lock",
					     "done" };
	char p[PATH_MAX];

	(void)state;
	for (size_t i = 0; i < COUNT(files); i++) {
		snprintf(p, sizeof(p), "%s/%s", dir, files[i]);
		unlink(p);
	}
	return rmdir(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_malformed),
		cmocka_unit_test(test_replay_in_order),
		cmocka_unit_test(test_rejected_lines_stay_apart),
		cmocka_unit_test(test_cut_short_replay_goes_on),
		cmocka_unit_test(test_concurrent_appends),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
