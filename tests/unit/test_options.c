/* test_options.c - the one reader of every verb's options: what a form
 * takes is read, anything else is refused in one line, and the usage is
 * written from the same form. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "options.h"

#define JAIL_AND_IP (OPT(OPT_JAIL) | OPT(OPT_IP))

static const struct form enable_like = {
	"enable", OPT(OPT_JAIL) | OPT(OPT_VALUE) | OPT(OPT_JSON), OPT(OPT_JAIL),
	NULL,
};

/* Read the words of argv as a verb does (from a copy: getopt_long may
 * reorder them); err gets the refusal, if any. */
static int read_words(const struct opt_table *t, const struct form *f,
		      int argc, const char *const *argv, int *next,
		      struct opts *o, char *err, size_t errlen)
{
	static char words[8][64];
	char *copy[9] = { 0 };

	assert_true(argc <= 8);
	for (int i = 0; i < argc; i++) {
		snprintf(words[i], sizeof(words[i]), "%s", argv[i]);
		copy[i] = words[i];
	}
	err[0] = '\0';
	return options_read(t, f, "jail enable", argc, copy, next, o, err,
			    errlen);
}

static void test_reads_what_the_form_takes(void **state)
{
	const char *argv[] = { "enable", "-j", "mc-exim", "--value=5",
			       "--json" };
	struct opts o;
	char err[128];

	(void)state;
	assert_int_equal(read_words(&options_of_verbs, &enable_like, 5, argv,
				    NULL, &o, err, sizeof(err)), 0);
	assert_string_equal(o.text[OPT_JAIL], "mc-exim");
	assert_string_equal(o.text[OPT_VALUE], "5");
	assert_true(opt_given(&o, OPT_JSON));
	assert_false(opt_given(&o, OPT_IP));
	/* A short option glued to its value, and a long one abbreviated. */
	const char *glued[] = { "enable", "-jmc-exim", "--val", "7" };
	assert_int_equal(read_words(&options_of_verbs, &enable_like, 4, glued,
				    NULL, &o, err, sizeof(err)), 0);
	assert_string_equal(o.text[OPT_JAIL], "mc-exim");
	assert_string_equal(o.text[OPT_VALUE], "7");
	/* An abbreviation is judged among the form's options: "--ban" is
	 * --bantime for a form without --banaction. */
	static const struct form ban = {
		"ban", OPT(OPT_JAIL) | OPT(OPT_BANTIME), OPT(OPT_JAIL), NULL,
	};
	const char *abbreviated[] = { "ban", "-j", "x", "--ban", "60" };
	assert_int_equal(read_words(&options_of_verbs, &ban, 5, abbreviated,
				    NULL, &o, err, sizeof(err)), 0);
	assert_string_equal(o.text[OPT_BANTIME], "60");
}

static void test_refusals_are_one_line_each(void **state)
{
	static const struct {
		int argc;
		const char *argv[4];
		const char *says;
	} cases[] = {
		/* Known to mc-f2b, not taken by this form: named as typed,
		 * not by the value getopt stepped over. */
		{ 3, { "enable", "-i", "192.0.2.1" },
		  "option '-i' is not one of jail enable (see --help)" },
		{ 3, { "enable", "--max-count", "3" },
		  "option '--max-count' is not one of jail enable (see --help)" },
		{ 2, { "enable", "--bogus" },
		  "option '--bogus' is not one of jail enable (see --help)" },
		/* In a cluster getopt has not moved on: the letter. */
		{ 3, { "enable", "-Zj", "x" }, "unknown option '-Z' (see --help)" },
		{ 2, { "enable", "-j" }, "option '-j' needs a value" },
		{ 2, { "enable", "--json=yes" }, "option '--json' takes no value" },
		{ 4, { "enable", "-j", "x", "extra" },
		  "unexpected argument 'extra'" },
		{ 2, { "enable", "-v5" }, "-j JAIL is required" },
	};
	struct opts o;
	char err[128];

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		assert_int_equal(read_words(&options_of_verbs, &enable_like,
					    cases[i].argc, cases[i].argv, NULL,
					    &o, err, sizeof(err)), -1);
		assert_string_equal(err, cases[i].says);
		assert_null(strchr(err, '\n'));
	}
}

/* --help is always taken, and then nothing needed is asked for. */
static void test_help_needs_nothing(void **state)
{
	const char *argv[] = { "enable", "--help" };
	struct opts o;
	char err[128];

	(void)state;
	assert_int_equal(read_words(&options_of_verbs, &enable_like, 2, argv,
				    NULL, &o, err, sizeof(err)), 0);
	assert_true(opt_given(&o, OPT_HELP));
}

/* Two spellings of one option: the last typed wins. */
static void test_send_and_no_send_the_last_wins(void **state)
{
	static const struct form modify = {
		"modify", OPT(OPT_SEND), OPT(OPT_SEND), NULL,
	};
	const char *both[] = { "modify", "--send", "--no-send" };
	const char *none[] = { "modify" };
	struct opts o;
	char err[128];

	(void)state;
	assert_int_equal(read_words(&options_of_verbs, &modify, 3, both, NULL,
				    &o, err, sizeof(err)), 0);
	assert_string_equal(o.text[OPT_SEND], "0");
	assert_int_equal(read_words(&options_of_verbs, &modify, 2, both, NULL,
				    &o, err, sizeof(err)), 0);
	assert_string_equal(o.text[OPT_SEND], "1");
	assert_int_equal(read_words(&options_of_verbs, &modify, 1, none, NULL,
				    &o, err, sizeof(err)), -1);
	assert_string_equal(err, "--send|--no-send is required");
}

/* Before the verb: -v is --verbose, and reading stops at the verb, whose
 * own options are left for it. */
static void test_global_options_stop_at_the_verb(void **state)
{
	static const struct form global = {
		"mc-f2b", OPT(OPT_CONFIG) | OPT(OPT_VERBOSE) | OPT(OPT_JSON),
		0, NULL,
	};
	const char *argv[] = { "mc-f2b", "-c", "/x.ini", "-v", "jail",
			       "enable", "-j", "mc-exim" };
	struct opts o;
	char err[128];
	int next = 0;

	(void)state;
	assert_int_equal(read_words(&options_global, &global, 8, argv, &next,
				    &o, err, sizeof(err)), 0);
	assert_int_equal(next, 4);
	assert_string_equal(o.text[OPT_CONFIG], "/x.ini");
	assert_true(opt_given(&o, OPT_VERBOSE));
	assert_false(opt_given(&o, OPT_JAIL));
	/* And again in the same process: nothing of the first read stays. */
	const char *alone[] = { "mc-f2b", "--json" };
	assert_int_equal(read_words(&options_global, &global, 2, alone, &next,
				    &o, err, sizeof(err)), 0);
	assert_int_equal(next, 2);
	assert_false(opt_given(&o, OPT_CONFIG));
}

static void test_synopsis_from_the_form(void **state)
{
	static const struct form create = {
		"create", OPT(OPT_NAME) | OPT(OPT_FILTER) | OPT(OPT_LOGPATH) |
			  OPT(OPT_PORT) | OPT(OPT_MAXRETRY) | OPT(OPT_FINDTIME) |
			  OPT(OPT_BANTIME) | OPT(OPT_ENABLED),
		OPT(OPT_NAME) | OPT(OPT_FILTER) | OPT(OPT_LOGPATH), NULL,
	};
	static const struct form mail_modify = {
		"modify", OPT(OPT_SEND) | OPT(OPT_EACH_BAN), OPT(OPT_SEND),
		NULL,
	};
	char out[512];

	(void)state;
	options_synopsis(&options_of_verbs, &enable_like, 0, 20, out,
			 sizeof(out));
	assert_string_equal(out, "-j JAIL [-v VALUE] [--json]");
	options_synopsis(&options_of_verbs, &enable_like, OPT(OPT_JSON), 20,
			 out, sizeof(out));
	assert_string_equal(out, "-j JAIL [-v VALUE]");
	options_synopsis(&options_of_verbs, &mail_modify, 0, 20, out,
			 sizeof(out));
	assert_string_equal(out, "--send|--no-send [--each-ban]");
	/* Needed first; wrapped before column 78, under its first column. */
	options_synopsis(&options_of_verbs, &create, 0, 26, out, sizeof(out));
	assert_string_equal(out,
		"-n NAME --filter FILTER --logpath PATH\n"
		"                          [--bantime SECONDS] [--port PORTS] "
		"[--maxretry N]\n"
		"                          [--findtime SECONDS] [--enabled 0|1]");
	/* Too small a buffer: cut, still a string. */
	options_synopsis(&options_of_verbs, &create, 0, 26, out, 10);
	assert_int_equal(strlen(out), 9);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_reads_what_the_form_takes),
		cmocka_unit_test(test_refusals_are_one_line_each),
		cmocka_unit_test(test_help_needs_nothing),
		cmocka_unit_test(test_send_and_no_send_the_last_wins),
		cmocka_unit_test(test_global_options_stop_at_the_verb),
		cmocka_unit_test(test_synopsis_from_the_form),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
