/* test_actionargs.c - fail2ban's ban and unban read the one way both
 * programs read them (actionargs.h): every field checked with the words
 * mc-f2b says, fail2ban's unbounded numbers kept; and the loop's answer
 * passed from mc-f2b-action to mc-f2b (early.h): only a well-formed spool,
 * time-out or direct answer is taken, and the variable never outlives the
 * reading. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "actionargs.h"
#include "early.h"

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

/* The options of a ban as fail2ban's action gives them. */
static struct opts a_ban(void)
{
	struct opts o = { 0 };

	o.text[OPT_JAIL] = "mc-exim";
	o.text[OPT_IP] = "2001:DB8:0::7";
	o.text[OPT_TIME] = "1790000000.25";
	o.text[OPT_BANTIME] = "600";
	o.text[OPT_FAILURES] = "3";
	o.text[OPT_RESTORED] = "0";
	o.text[OPT_PORT] = "25,465,587";
	return o;
}

static void test_event_read(void **state)
{
	struct opts o = a_ban();
	struct ban_event ev;
	char err[256] = "";

	(void)state;
	assert_int_equal(actionargs_event(EVENT_BAN, &o, &ev, err,
					  sizeof(err)), 0);
	assert_int_equal(ev.kind, EVENT_BAN);
	assert_string_equal(ev.jail, "mc-exim");
	assert_string_equal(ev.ip, "2001:db8::7");
	assert_int_equal(ev.time, 1790000000);
	assert_int_equal(ev.bantime, 600);
	assert_int_equal(ev.failures, 3);
	assert_false(ev.restored);
	assert_int_equal(ev.at, 0);
	assert_string_equal(ev.host, "");

	/* An unban gives none of the numbers. */
	memset(&o, 0, sizeof(o));
	o.text[OPT_JAIL] = "sshd";
	o.text[OPT_IP] = "198.51.100.9";
	assert_int_equal(actionargs_event(EVENT_UNBAN, &o, &ev, err,
					  sizeof(err)), 0);
	assert_int_equal(ev.kind, EVENT_UNBAN);
	assert_int_equal(ev.time, 0);
}

static void test_fail2bans_numbers_kept(void **state)
{
	static const struct {
		const char *bantime, *failures;
		long long want_bantime, want_failures;
	} cases[] = {
		{ "-1", "1", -1, 1 },
		{ "-600", "0", -1, 0 },   /* any negative: for ever */
		{ "123456789012345678901234567890", "99999999999999999999",
		  LLONG_MAX, LLONG_MAX },
		{ "-123456789012345678901234567890", "7", -1, 7 },
	};

	(void)state;
	for (size_t i = 0; i < COUNT(cases); i++) {
		struct opts o = a_ban();
		struct ban_event ev;
		char err[256];

		o.text[OPT_BANTIME] = cases[i].bantime;
		o.text[OPT_FAILURES] = cases[i].failures;
		assert_int_equal(actionargs_event(EVENT_BAN, &o, &ev, err,
						  sizeof(err)), 0);
		assert_int_equal(ev.bantime, cases[i].want_bantime);
		assert_int_equal(ev.failures, cases[i].want_failures);
	}
}

static void test_refusals_in_words(void **state)
{
	static const struct {
		enum opt_id id;
		const char *text, *err;
	} cases[] = {
		{ OPT_JAIL, NULL, "-j JAIL is required" },
		{ OPT_JAIL, "bad jail", "invalid jail name 'bad jail': " },
		{ OPT_JAIL, "DEFAULT", "invalid jail name 'DEFAULT': " },
		{ OPT_IP, NULL, "-i IP is required" },
		{ OPT_IP, "192.0.2.999", "invalid address '192.0.2.999': " },
		{ OPT_IP, "192.0.2.1; rm -rf /", "invalid address" },
		{ OPT_IP, "192.0.2.1111111111111111111111111111111111111111111111"
			  "1111111111111111111111111",
		  "invalid address '(too long to show)': " },
		{ OPT_TIME, "soon", "--time: expected an epoch in seconds" },
		{ OPT_BANTIME, "10m", "--bantime: expected a whole number" },
		{ OPT_BANTIME, "-0", "--bantime: expected a whole number" },
		{ OPT_FAILURES, "-3", "--failures: expected a whole number" },
		{ OPT_FAILURES, "007", "--failures: expected a whole number" },
		{ OPT_RESTORED, "2", "--restored: expected a whole number from "
				     "0 to 1" },
		{ OPT_PORT, "25;reboot", "--port: ports are numbers" },
		{ OPT_PORT, "25,,26", "--port: empty entry" },
	};

	(void)state;
	for (size_t i = 0; i < COUNT(cases); i++) {
		struct opts o = a_ban();
		struct ban_event ev;
		char err[256] = "";

		o.text[cases[i].id] = cases[i].text;
		assert_int_equal(actionargs_event(EVENT_BAN, &o, &ev, err,
						  sizeof(err)), -1);
		if (strncmp(err, cases[i].err, strlen(cases[i].err)) != 0)
			fail_msg("case %zu: '%s', expected '%s...'", i, err,
				 cases[i].err);
	}
}

static void test_early_answer_passed_on(void **state)
{
	static const enum handoff_verdict passed[] = {
		HANDOFF_SPOOL, HANDOFF_DIRECT, HANDOFF_TIMED_OUT,
	};

	(void)state;
	for (size_t i = 0; i < COUNT(passed); i++) {
		struct early_handoff out = { .asked = true, .v = passed[i] },
				     in;

		strcpy(out.text, "master out of reach\tsince 10:00\n(2 tries)");
		assert_int_equal(early_export(&out), 0);
		assert_true(early_import(&in));
		assert_true(in.asked);
		assert_int_equal(in.v, passed[i]);
		/* One line: the controls made spaces. */
		assert_string_equal(in.text,
				    "master out of reach since 10:00 (2 tries)");
		assert_null(getenv(EARLY_ENV));
	}
}

static void test_early_answer_only_well_formed(void **state)
{
	static const char *const refused[] = {
		"", "spool", "done\t", "refused\tunknown jail", "Spool\tx",
		"spoolx\tx", "direct\tline\nbreak", "timed-out\tbell\a",
		" spool\tx",
	};
	struct early_handoff e = { .asked = true, .v = HANDOFF_DONE },
			     in = { .asked = true };
	char long_text[HANDOFF_TEXT_MAX + 16];

	(void)state;
	for (size_t i = 0; i < COUNT(refused); i++) {
		assert_int_equal(setenv(EARLY_ENV, refused[i], 1), 0);
		if (early_import(&in))
			fail_msg("took '%s'", refused[i]);
		assert_false(in.asked);
		assert_null(getenv(EARLY_ENV));
	}
	snprintf(long_text, sizeof(long_text), "spool\t%0*d",
		 HANDOFF_TEXT_MAX + 1, 0);
	assert_int_equal(setenv(EARLY_ENV, long_text, 1), 0);
	assert_false(early_import(&in));
	/* Nothing set: nothing taken. */
	assert_false(early_import(&in));
	/* Done and refused end the action where they are given, and an
	 * answer never asked for is not one: neither is passed on. */
	assert_int_equal(early_export(&e), -1);
	e.v = HANDOFF_REFUSED;
	assert_int_equal(early_export(&e), -1);
	e.v = HANDOFF_SPOOL;
	e.asked = false;
	assert_int_equal(early_export(&e), -1);
	assert_null(getenv(EARLY_ENV));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_event_read),
		cmocka_unit_test(test_fail2bans_numbers_kept),
		cmocka_unit_test(test_refusals_in_words),
		cmocka_unit_test(test_early_answer_passed_on),
		cmocka_unit_test(test_early_answer_only_well_formed),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
