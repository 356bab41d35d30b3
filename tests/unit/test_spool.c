/* test_spool.c - spool records, and the spool directory: append, list,
 * replay in order, keep what cannot be applied, set aside what cannot be
 * read, mark what is done, concurrent appends that lose nothing, and a
 * directory or a file that is not to be trusted refused. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
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

/* fail2ban's bantime.increment passes 2^31 s: a ban it made is never
 * refused for its numbers, however large. */
static void test_large_numbers_round_trip(void **state)
{
	static const long long values[] = { 2831155200LL, LLONG_MAX };
	char line[SPOOL_RECORD_MAX];
	const char *why;

	(void)state;
	for (size_t i = 0; i < COUNT(values); i++) {
		struct ban_event in = sample(EVENT_BAN, "192.0.2.8"), out;

		in.bantime = values[i];
		in.failures = values[i];
		assert_true(spool_encode(&in, line, sizeof(line)) > 0);
		assert_int_equal(spool_decode(line, &out, &why), 0);
		assert_true(out.bantime == values[i]);
		assert_true(out.failures == values[i]);
	}
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
		"1\tban\tmc-exim\t192.0.2.1\tnode-a\t1\t1\t9223372036854775808\t1\t0\n",
		"1\tban\tmc-exim\t192.0.2.1\tnode-a\t1\t1\t1\t-1\t0\n",
		"1\tban\tmc-exim\t192.0.2.1\tnode-a\t1\t1\t1\t9223372036854775808\t0\n",
		"#\tban\tmc-exim\t192.0.2.1\tnode-a\t1\t1\t1\t1\t0\n",
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

static void path_of(char *path, size_t len, const char *in, const char *name)
{
	assert_true(snprintf(path, len, "%s/%s", in, name) < (int)len);
}

static void add_raw_line(const char *line)
{
	char path[PATH_MAX];
	FILE *f;

	path_of(path, sizeof(path), dir, "events");
	f = fopen(path, "a");
	assert_non_null(f);
	fputs(line, f);
	fclose(f);
}

static void read_file(const char *in, const char *name, char *buf, size_t len)
{
	char path[PATH_MAX];
	size_t n;
	FILE *f;

	path_of(path, sizeof(path), in, name);
	f = fopen(path, "r");
	assert_non_null(f);
	n = fread(buf, 1, len - 1, f);
	buf[n] = '\0';
	fclose(f);
}

/* Lines of a file of the spool, and how many of them are marked done. */
static long count_lines(const char *name, long *marked)
{
	char path[PATH_MAX];
	long n = 0;
	int c, last = '\n';
	FILE *f;

	path_of(path, sizeof(path), dir, name);
	if (marked)
		*marked = 0;
	f = fopen(path, "r");
	if (!f)
		return 0;
	while ((c = fgetc(f)) != EOF) {
		if (last == '\n' && marked && c == '#')
			(*marked)++;
		n += c == '\n';
		last = c;
	}
	fclose(f);
	return n;
}

static void count_listed(void *ctx, const struct ban_event *ev,
			 const char *line)
{
	(void)line;
	((int *)ctx)[ev ? 0 : 1]++;
}

static void unlink_in(const char *in, const char *name)
{
	char path[PATH_MAX];

	path_of(path, sizeof(path), in, name);
	if (unlink(path) != 0)
		assert_int_equal(errno, ENOENT);
}

static bool exists(const char *in, const char *name)
{
	char path[PATH_MAX];
	struct stat st;

	path_of(path, sizeof(path), in, name);
	return lstat(path, &st) == 0;
}

static void test_replay_in_order(void **state)
{
	struct ban_event ev = sample(EVENT_BAN, "192.0.2.1");
	struct spool_counts c;
	struct script s = { .refuse = "192.0.2.2", .stop = "192.0.2.4" };
	long marked;

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
	/* What is done is marked in place; the rest waits, unmarked. */
	assert_int_equal(count_lines("events", &marked), 6);
	assert_int_equal(marked, 4);
	assert_int_equal(count_lines("rejected", NULL), 2);
	assert_true(spool_pending(dir));

	/* Next time the master is back: the rest, in order, then empty. */
	memset(&s, 0, sizeof(s));
	assert_int_equal(spool_replay(dir, scripted, &s, &c, err, sizeof(err)), 0);
	assert_int_equal(s.n, 2);
	assert_string_equal(s.seen[0], "192.0.2.4");
	assert_string_equal(s.seen[1], "192.0.2.5");
	assert_int_equal(c.applied, 2);
	assert_int_equal(c.kept, 0);
	assert_false(spool_pending(dir));
	assert_false(exists(dir, "events"));
	unlink_in(dir, "rejected");
}

/* A replay stopped by the master going away marks what it did; the next
 * one goes on after the marks, and one after that finds nothing to do. */
static void test_replay_marks_lines_done(void **state)
{
	struct ban_event ev = sample(EVENT_BAN, "");
	struct spool_counts c;
	struct script s = { .stop = "198.51.100.3" };
	char text[1024];
	long marked;

	(void)state;
	for (int i = 1; i <= 3; i++) {
		snprintf(ev.ip, sizeof(ev.ip), "198.51.100.%d", i);
		append(&ev);
	}
	assert_int_equal(spool_replay(dir, scripted, &s, &c, err, sizeof(err)), 0);
	assert_int_equal(c.applied, 2);
	assert_int_equal(c.kept, 1);
	read_file(dir, "events", text, sizeof(text));
	assert_true(text[0] == '#');
	assert_non_null(strstr(text, "\n#\tban\tmc-exim\t198.51.100.2\t"));
	assert_non_null(strstr(text, "\n1\tban\tmc-exim\t198.51.100.3\t"));
	assert_int_equal(count_lines("events", &marked), 3);
	assert_int_equal(marked, 2);

	memset(&s, 0, sizeof(s));
	assert_int_equal(spool_replay(dir, scripted, &s, &c, err, sizeof(err)), 0);
	assert_int_equal(s.n, 1);
	assert_string_equal(s.seen[0], "198.51.100.3");
	assert_false(exists(dir, "events"));

	memset(&s, 0, sizeof(s));
	assert_int_equal(spool_replay(dir, scripted, &s, &c, err, sizeof(err)), 0);
	assert_int_equal(s.n, 0);
	assert_int_equal(c.applied + c.refused + c.undecodable + c.kept, 0);
}

/* A replay that died after its last mark, before removing the file: the
 * next one applies nothing and removes it. */
static void test_all_marked_file_is_removed(void **state)
{
	struct script s = { 0 };
	struct spool_counts c;
	int listed[2] = { 0, 0 };

	(void)state;
	add_raw_line("#\tban\tmc-exim\t192.0.2.1\tnode-a\t1\t1\t1\t1\t0\n"
		     "#\tunban\tmc-exim\t192.0.2.1\tnode-a\t1\t1\t1\t1\t0\n\n");
	assert_true(spool_pending(dir));
	assert_int_equal(spool_list(dir, count_listed, listed, err,
				    sizeof(err)), 0);
	assert_int_equal(listed[0] + listed[1], 0);
	assert_int_equal(spool_replay(dir, scripted, &s, &c, err, sizeof(err)), 0);
	assert_int_equal(s.n, 0);
	assert_int_equal(c.applied + c.refused + c.undecodable + c.kept, 0);
	assert_false(exists(dir, "events"));
	assert_false(exists(dir, "rejected"));
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
	path_of(path, sizeof(path), dir, "rejected");
	unlink(path);
	add_raw_line("not a record\n1\tban\tmc-exim");
	assert_int_equal(spool_replay(dir, scripted, &s, &c, err, sizeof(err)), 0);
	assert_int_equal(c.undecodable, 2);
	add_raw_line("garbage\n");
	assert_int_equal(spool_replay(dir, scripted, &s, &c, err, sizeof(err)), 0);
	assert_int_equal(c.undecodable, 1);
	read_file(dir, "rejected", text, sizeof(text));
	assert_string_equal(text, "not a record\n1\tban\tmc-exim\ngarbage\n");
	assert_false(spool_pending(dir));
	unlink(path);
}

/* An append after a crash cut the last line (mid-record, just before its
 * newline, or after it was marked done) starts a line of its own: the new
 * record is never glued to the tail, and is never lost with it. */
static void test_append_after_a_cut_line(void **state)
{
	static const char *const tails[] = {
		"1\tban\tmc-exim\t192.0.2.",
		"1\tban\tmc-exim\t192.0.2.7\tnode-a\t1\t1\t1\t1\t0",
		"#\tban\tmc-exim\t192.0.2.7\tnode-a\t1\t1\t1\t1\t0",
	};
	static const unsigned decodable[] = { 0, 1, 0 };
	static const unsigned waiting[] = { 1, 1, 0 };

	(void)state;
	for (size_t i = 0; i < COUNT(tails); i++) {
		struct ban_event ev = sample(EVENT_BAN, "192.0.2.8");
		struct script s = { 0 };
		struct spool_counts c;
		int listed[2] = { 0, 0 };

		add_raw_line(tails[i]);
		append(&ev);
		assert_int_equal(spool_list(dir, count_listed, listed, err,
					    sizeof(err)), 0);
		assert_int_equal(listed[0], 1 + decodable[i]);
		assert_int_equal(listed[1], waiting[i] - decodable[i]);
		assert_int_equal(spool_replay(dir, scripted, &s, &c, err,
					      sizeof(err)), 0);
		assert_int_equal(c.applied, 1 + decodable[i]);
		assert_int_equal(c.undecodable, waiting[i] - decodable[i]);
		assert_string_equal(s.seen[s.n - 1], "192.0.2.8");
		assert_false(exists(dir, "events"));
	}
	unlink_in(dir, "rejected");
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
	long marked;
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
	/* The first event was marked done; the second died while applied
	 * (applied again: at most one event ever is). */
	assert_int_equal(count_lines("events", &marked), 4);
	assert_int_equal(marked, 1);
	assert_int_equal(spool_replay(dir, scripted, &s, &c, err, sizeof(err)), 0);
	assert_int_equal(s.n, 3);
	assert_string_equal(s.seen[0], "198.51.100.2");
	assert_string_equal(s.seen[2], "198.51.100.4");
	assert_false(spool_pending(dir));
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
	unlink_in(dir, "events");
}

/* --- a spool not to be trusted ----------------------------------------- */

/* A second spool directory, in its own scratch directory so that it can be
 * missing, a link, or anyone's. */
static char scratch[64];
static char other[96];

static int make_scratch(void **state)
{
	(void)state;
	strcpy(scratch, "/tmp/mc-f2b-test-spool-trust-XXXXXX");
	if (!mkdtemp(scratch))
		return -1;
	snprintf(other, sizeof(other), "%s/spool", scratch);
	return 0;
}

static int remove_scratch(void **state)
{
	static const char *const names[] = { "events", "lock", "rejected" };
	char path[PATH_MAX];

	(void)state;
	for (size_t i = 0; i < COUNT(names); i++) {
		snprintf(path, sizeof(path), "%s/%s", other, names[i]);
		unlink(path);
	}
	unlink(other);
	rmdir(other);
	snprintf(path, sizeof(path), "%s/target", scratch);
	if (unlink(path) != 0)
		rmdir(path);
	rmdir(scratch);
	return 0;
}

static void write_text(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	fputs(text, f);
	assert_int_equal(fclose(f), 0);
}

/* The other spool takes an event, and lists it back. */
static void append_to_other(void)
{
	struct ban_event ev = sample(EVENT_BAN, "192.0.2.41");
	int listed[2] = { 0, 0 };

	assert_int_equal(spool_append(other, &ev, err, sizeof(err)), 0);
	assert_int_equal(spool_list(other, count_listed, listed, err,
				    sizeof(err)), 0);
	assert_int_equal(listed[0], 1);
}

/* Each refusal is one line that names the directory or the file. */
static void expect_refused(const char *what, const char *fix)
{
	struct ban_event ev = sample(EVENT_BAN, "192.0.2.40");
	struct script s = { 0 };
	struct spool_counts c;
	int listed[2] = { 0, 0 };

	err[0] = '\0';
	assert_int_equal(spool_append(other, &ev, err, sizeof(err)), -1);
	assert_non_null(strstr(err, what));
	assert_non_null(strstr(err, fix));
	assert_null(strchr(err, '\n'));
	err[0] = '\0';
	assert_int_equal(spool_replay(other, scripted, &s, &c, err, sizeof(err)), -1);
	assert_non_null(strstr(err, fix));
	assert_int_equal(s.n, 0);
	err[0] = '\0';
	assert_int_equal(spool_list(other, count_listed, listed, err, sizeof(err)), -1);
	assert_non_null(strstr(err, fix));
	assert_int_equal(listed[0] + listed[1], 0);
}

static void test_missing_directory_made_private(void **state)
{
	struct stat st;

	(void)state;
	append_to_other();
	assert_int_equal(lstat(other, &st), 0);
	assert_true(S_ISDIR(st.st_mode));
	assert_int_equal(st.st_mode & 07777, 0700);
	assert_true(st.st_uid == geteuid());
}

static void test_directory_of_another_user_refused(void **state)
{
	(void)state;
	if (geteuid() != 0)
		skip();
	assert_int_equal(mkdir(other, 0700), 0);
	assert_int_equal(chown(other, 65534, 65534), 0);
	expect_refused(other, "chown");
	assert_non_null(strstr(err, "owned by uid 65534"));
	assert_false(exists(other, "lock"));
	assert_false(exists(other, "events"));
}

static void test_directory_writable_by_others_refused(void **state)
{
	(void)state;
	assert_int_equal(mkdir(other, 0700), 0);
	assert_int_equal(chmod(other, 0777), 0);
	expect_refused(other, "chmod 700");
	assert_false(exists(other, "lock"));
	assert_int_equal(chmod(other, 0770), 0);
	expect_refused(other, "chmod 700");
	/* Readable by all is fine: /var/spool itself is 0755. */
	assert_int_equal(chmod(other, 0755), 0);
	append_to_other();
}

static void test_directory_as_a_link_refused(void **state)
{
	char target[PATH_MAX];

	(void)state;
	path_of(target, sizeof(target), scratch, "target");
	assert_int_equal(mkdir(target, 0700), 0);
	assert_int_equal(symlink(target, other), 0);
	expect_refused(other, "symbolic link");
	assert_int_equal(rmdir(target), 0);
}

/* A link in place of the events file: refused by every use, and what it
 * points to stays as it was. */
static void test_events_as_a_link_refused(void **state)
{
	char target[PATH_MAX], link[PATH_MAX], text[64];

	(void)state;
	assert_int_equal(mkdir(other, 0700), 0);
	path_of(target, sizeof(target), scratch, "target");
	path_of(link, sizeof(link), other, "events");
	write_text(target, "untouched\n");
	assert_int_equal(symlink(target, link), 0);
	/* Pending, so that a replay says what is wrong. */
	assert_true(spool_pending(other));
	expect_refused("events", "symbolic link");
	read_file(scratch, "target", text, sizeof(text));
	assert_string_equal(text, "untouched\n");
	assert_false(exists(other, "rejected"));
}

static void test_lock_as_a_link_refused(void **state)
{
	char target[PATH_MAX], link[PATH_MAX], text[64];

	(void)state;
	assert_int_equal(mkdir(other, 0700), 0);
	path_of(target, sizeof(target), scratch, "target");
	path_of(link, sizeof(link), other, "lock");
	write_text(target, "untouched\n");
	assert_int_equal(symlink(target, link), 0);
	expect_refused("lock", "symbolic link");
	read_file(scratch, "target", text, sizeof(text));
	assert_string_equal(text, "untouched\n");
	assert_false(exists(other, "events"));
}

/* A FIFO in place of the events file neither hangs a replay nor hides the
 * spool. */
static void test_events_not_a_regular_file_refused(void **state)
{
	char path[PATH_MAX];

	(void)state;
	assert_int_equal(mkdir(other, 0700), 0);
	path_of(path, sizeof(path), other, "events");
	assert_int_equal(mkfifo(path, 0600), 0);
	assert_true(spool_pending(other));
	expect_refused("events", "not a regular file");
}

static int setup(void **state)
{
	(void)state;
	return mkdtemp(dir) ? 0 : -1;
}

static int teardown(void **state)
{
	static const char *const files[] = { "events", "rejected", "lock" };
	char p[PATH_MAX];

	(void)state;
	for (size_t i = 0; i < COUNT(files); i++) {
		snprintf(p, sizeof(p), "%s/%s", dir, files[i]);
		unlink(p);
	}
	return rmdir(dir);
}

#define TRUST_TEST(f) cmocka_unit_test_setup_teardown(f, make_scratch, \
						       remove_scratch)

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_large_numbers_round_trip),
		cmocka_unit_test(test_malformed),
		cmocka_unit_test(test_replay_in_order),
		cmocka_unit_test(test_replay_marks_lines_done),
		cmocka_unit_test(test_all_marked_file_is_removed),
		cmocka_unit_test(test_rejected_lines_stay_apart),
		cmocka_unit_test(test_append_after_a_cut_line),
		cmocka_unit_test(test_cut_short_replay_goes_on),
		cmocka_unit_test(test_concurrent_appends),
		TRUST_TEST(test_missing_directory_made_private),
		TRUST_TEST(test_directory_of_another_user_refused),
		TRUST_TEST(test_directory_writable_by_others_refused),
		TRUST_TEST(test_directory_as_a_link_refused),
		TRUST_TEST(test_events_as_a_link_refused),
		TRUST_TEST(test_lock_as_a_link_refused),
		TRUST_TEST(test_events_not_a_regular_file_refused),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
