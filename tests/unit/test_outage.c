/* test_outage.c - the note of a master out of reach: its text read back as
 * input, the window that grows once per failed attempt and not once per
 * ban, the clock that goes back, and the note in a spool directory: one
 * attempt per window, removed when the master answers, never through a
 * symbolic link. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "outage.h"

static char dir[] = "/tmp/mc-f2b-test-outage-XXXXXX";
static char err[512];

static const long long T0 = 1790000000000LL;   /* ms */

static void path_of(const char *name, char *out, size_t outlen)
{
	snprintf(out, outlen, "%s/%s", dir, name);
}

static void write_text(const char *name, const char *text)
{
	char p[PATH_MAX];
	FILE *f;

	path_of(name, p, sizeof(p));
	f = fopen(p, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static void test_round_trip(void **state)
{
	struct outage o = { T0, T0 + 5, 4000, T0 + 4005 }, back;
	char text[OUTAGE_NOTE_MAX];

	(void)state;
	assert_true(outage_encode(&o, text, sizeof(text)) > 0);
	assert_string_equal(text, "1\t1790000000000\t1790000000005\t4000\t"
			    "1790000004005\n");
	assert_int_equal(outage_decode(text, &back), 0);
	assert_memory_equal(&o, &back, sizeof(o));
}

static void test_malformed_notes(void **state)
{
	static const char *const bad[] = {
		"",
		"1\t1\t1\t1000\t1",                      /* cut: no newline */
		"2\t1\t1\t1000\t1\n",                    /* unknown version */
		"1\t1\t1\t1000\n",                       /* a field short */
		"1\t1\t1\t1000\t1\t1\n",                 /* a field too many */
		"1\t1\t\t1000\t1\n",                     /* an empty field */
		"1\t-1\t1\t1000\t1\n",                   /* before 1970 */
		"1\t1\t1\t999\t1\n",                     /* window too short */
		"1\t1\t1\t30001\t1\n",                   /* window too long */
		"1\t1\t1\t1000\t99999999999999999999\n", /* overflow */
		"1\t1\t1\t1000\tx\n",
		"1\t1\t1\t1000\t1\nextra\n",
		"1\t1\t1\t1000\t1\t\n",                 /* a tab at the end */
		"\t1\t1\t1\t1000\t1\n",                 /* a tab at the start */
	};
	struct outage o;

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_int_equal(outage_decode(bad[i], &o), -1);
}

static void test_window_grows_per_attempt_not_per_ban(void **state)
{
	struct outage o = outage_after_failure(NULL, T0);

	(void)state;
	assert_int_equal(o.since_ms, T0);
	assert_int_equal(o.window_ms, OUTAGE_FIRST_WINDOW_MS);
	assert_int_equal(o.next_try_ms, T0 + OUTAGE_FIRST_WINDOW_MS);
	/* Bans that set out together fail together: one window still. */
	o = outage_after_failure(&o, T0 + 20);
	assert_int_equal(o.window_ms, OUTAGE_FIRST_WINDOW_MS);
	assert_int_equal(o.since_ms, T0);
	/* The attempt after the window fails: it doubles, up to the bound. */
	o = outage_after_failure(&o, T0 + 1100);
	assert_int_equal(o.window_ms, 2000);
	assert_int_equal(o.next_try_ms, T0 + 3100);
	for (int i = 0; i < 10; i++)
		o = outage_after_failure(&o, o.next_try_ms + 5);
	assert_int_equal(o.window_ms, OUTAGE_MAX_WINDOW_MS);
	assert_int_equal(o.since_ms, T0);
	/* A failure the clock puts before the last one (it went back): no
	 * doubling, and the outage began no later than now. */
	o = outage_after_failure(NULL, T0 + 5000);
	o = outage_after_failure(&o, T0);
	assert_int_equal(o.window_ms, OUTAGE_FIRST_WINDOW_MS);
	assert_int_equal(o.since_ms, T0);
	assert_int_equal(o.next_try_ms, T0 + OUTAGE_FIRST_WINDOW_MS);
}

static void test_attempt_due(void **state)
{
	struct outage o = outage_after_failure(NULL, T0);

	(void)state;
	assert_false(outage_try_due(&o, T0 + 999));
	assert_true(outage_try_due(&o, T0 + 1000));
	/* The clock went back by an hour: a next attempt an hour away is
	 * not waited for. */
	assert_true(outage_try_due(&o, T0 - 3600 * 1000LL));
	assert_false(outage_try_due(&o, T0 - 1000));
}

static void test_describe(void **state)
{
	struct outage o = outage_after_failure(NULL, T0);
	char text[160];

	(void)state;
	setenv("TZ", "UTC", 1);
	outage_describe(&o, T0 + 400, text, sizeof(text));
	assert_string_equal(text, "since 2026-09-21 14:13:20 UTC (0 s ago), "
			    "next attempt in 1 s");
	outage_describe(&o, T0 + 42000, text, sizeof(text));
	assert_string_equal(text, "since 2026-09-21 14:13:20 UTC (42 s ago)");
}

/* --- the note on disk --- */

static void test_no_note_no_outage(void **state)
{
	struct outage o;

	(void)state;
	assert_false(outage_noted(dir));
	assert_int_equal(outage_advise(dir, T0, &o, err, sizeof(err)),
			 OUTAGE_NONE);
	assert_int_equal(outage_clear(dir, &o, err, sizeof(err)), 0);
	assert_int_equal(outage_read(dir, &o, err, sizeof(err)), 0);
}

static void test_one_attempt_per_window(void **state)
{
	struct outage o;

	(void)state;
	assert_int_equal(outage_note_failure(dir, T0, &o, err, sizeof(err)), 0);
	assert_true(outage_noted(dir));
	assert_int_equal(outage_advise(dir, T0 + 10, &o, err, sizeof(err)),
			 OUTAGE_SPOOL);
	assert_int_equal(o.since_ms, T0);
	assert_int_equal(outage_advise(dir, T0 + 1000, &o, err, sizeof(err)),
			 OUTAGE_PROBE);
	/* The window's attempt is taken: the others still spool. */
	assert_int_equal(outage_advise(dir, T0 + 1001, &o, err, sizeof(err)),
			 OUTAGE_SPOOL);
	assert_int_equal(outage_advise(dir, T0 + 1500, &o, err, sizeof(err)),
			 OUTAGE_SPOOL);
	/* It failed: the next window is twice as long. */
	assert_int_equal(outage_note_failure(dir, T0 + 2000, &o, err,
					     sizeof(err)), 0);
	assert_int_equal(o.window_ms, 2000);
	assert_int_equal(outage_advise(dir, T0 + 3999, &o, err, sizeof(err)),
			 OUTAGE_SPOOL);
	assert_int_equal(outage_advise(dir, T0 + 4000, &o, err, sizeof(err)),
			 OUTAGE_PROBE);
	/* It succeeded: the note goes, and says since when. */
	assert_int_equal(outage_clear(dir, &o, err, sizeof(err)), 1);
	assert_int_equal(o.since_ms, T0);
	assert_false(outage_noted(dir));
	assert_int_equal(outage_advise(dir, T0 + 4001, &o, err, sizeof(err)),
			 OUTAGE_NONE);
}

static void test_garbled_note_is_an_attempt(void **state)
{
	struct outage o;

	(void)state;
	write_text("outage", "garbage\n");
	assert_int_equal(outage_advise(dir, T0, &o, err, sizeof(err)),
			 OUTAGE_PROBE);
	/* ... claimed like a first failure's window. */
	assert_int_equal(outage_advise(dir, T0 + 1, &o, err, sizeof(err)),
			 OUTAGE_SPOOL);
	assert_int_equal(outage_clear(dir, &o, err, sizeof(err)), 1);
}

static void test_note_as_a_link_refused(void **state)
{
	char target[PATH_MAX], p[PATH_MAX];
	struct outage o;
	FILE *f;

	(void)state;
	path_of("elsewhere", target, sizeof(target));
	path_of("outage", p, sizeof(p));
	f = fopen(target, "w");
	assert_non_null(f);
	fclose(f);
	assert_int_equal(symlink(target, p), 0);
	assert_int_equal(outage_note_failure(dir, T0, &o, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "symbolic link"));
	/* Not followed: the file it points to stays empty. */
	f = fopen(target, "r");
	assert_non_null(f);
	assert_int_equal(fgetc(f), EOF);
	fclose(f);
	/* A spool that cannot be used sends the event to the master. */
	assert_int_equal(outage_advise(dir, T0, &o, err, sizeof(err)),
			 OUTAGE_NONE);
	unlink(p);
	unlink(target);
}

static int setup(void **state)
{
	(void)state;
	return mkdtemp(dir) ? 0 : -1;
}

static int teardown(void **state)
{
	static const char *const files[] = { "outage", "lock" };
	char p[PATH_MAX];

	(void)state;
	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		path_of(files[i], p, sizeof(p));
		unlink(p);
	}
	return rmdir(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_malformed_notes),
		cmocka_unit_test(test_window_grows_per_attempt_not_per_ban),
		cmocka_unit_test(test_attempt_due),
		cmocka_unit_test(test_describe),
		cmocka_unit_test(test_no_note_no_outage),
		cmocka_unit_test(test_one_attempt_per_window),
		cmocka_unit_test(test_garbled_note_is_an_attempt),
		cmocka_unit_test(test_note_as_a_link_refused),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
