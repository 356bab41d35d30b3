/* test_jail.c - what a jail name is, what a row may be called, which jails
 * fail2ban's own files define, and how far mc-f2b may act on a jail. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "f2bconf.h"
#include "grow.h"
#include "jail.h"

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

/* --- names ------------------------------------------------------------ */

static void test_section_words_are_never_names(void **state)
{
	static const char *const words[] = {
		"DEFAULT", "default", "Default", "INCLUDES", "includes",
		"Definition", "DEFINITION", "Init", "init", "INIT", "KNOWN",
		"known",
	};
	static const char *const near[] = {
		"DEFAULT2", "default-bl", "inits", "known.x", "Definitions",
	};
	const char *why;

	(void)state;
	for (size_t i = 0; i < COUNT(words); i++) {
		why = NULL;
		if (jail_name_valid(words[i], &why))
			fail_msg("'%s' taken for a jail name", words[i]);
		assert_non_null(why);
		assert_false(jail_row_name_valid(words[i], NULL));
	}
	for (size_t i = 0; i < COUNT(near); i++)
		if (!jail_name_valid(near[i], &why))
			fail_msg("'%s' refused: %s", near[i], why);
}

static void test_names_of_permanent_jails(void **state)
{
	char base[JAIL_NAME_MAX + 1], bl[JAIL_BL_NAME_MAX + 1], longer[80];
	const char *why;

	(void)state;
	memset(base, 'j', JAIL_NAME_MAX);
	base[JAIL_NAME_MAX] = '\0';
	assert_true(jail_row_name_valid(base, NULL));
	/* The -bl of the longest jail name is a jail name, never a row's. */
	jail_bl_name(base, bl);
	assert_int_equal(strlen(bl), JAIL_BL_NAME_MAX);
	assert_true(jail_name_valid(bl, NULL));
	assert_true(jail_is_bl_name(bl));
	assert_false(jail_row_name_valid(bl, &why));
	assert_false(jail_row_name_valid("mc-exim-bl", NULL));
	assert_false(jail_is_bl_name("-bl"));
	assert_false(jail_is_bl_name("mc-exim"));
	/* Longer than a jail name without the suffix: no name at all. */
	snprintf(longer, sizeof(longer), "%sxyz", base);
	assert_false(jail_name_valid(longer, NULL));
	snprintf(longer, sizeof(longer), "%sx-bl", base);
	assert_false(jail_name_valid(longer, NULL));
	/* What a hostile row writer tried as names. */
	assert_false(jail_row_name_valid("--all", NULL));
	assert_false(jail_row_name_valid("a]\n[sshd", NULL));
	assert_false(jail_row_name_valid("", NULL));
}

/* --- ownership --------------------------------------------------------- */

static struct jail_facts facts(const char *in, const char *bl_in,
			       enum jail_runs runs)
{
	return (struct jail_facts){ in, bl_in, runs };
}

static void test_scope_decision(void **state)
{
	static const struct {
		const char *name, *in, *bl_in;
		enum jail_runs runs;
		bool owned, act, bl;
	} cases[] = {
		/* mc-f2b's own jail: everything. */
		{ "mc-exim", NULL, NULL, JAIL_RUNS_UNKNOWN, true, true, true },
		/* Its -bl defined by another file: that one is left alone. */
		{ "mc-exim", NULL, "jail.local", JAIL_RUNS_UNKNOWN, true, true, false },
		/* A custom jail that opted in with mc-custom: bans, no settings. */
		{ "custom", "jail.local", NULL, JAIL_RUNS_OURS, false, true, true },
		/* The administrator's own jail: nothing. */
		{ "sshd", "jail.conf", NULL, JAIL_RUNS_OTHERS, false, false, false },
		/* fail2ban could not say: nothing either. */
		{ "sshd", "jail.conf", NULL, JAIL_RUNS_UNKNOWN, false, false, false },
		/* Names that are none. */
		{ "DEFAULT", NULL, NULL, JAIL_RUNS_OURS, false, false, false },
		{ "--all", NULL, NULL, JAIL_RUNS_OURS, false, false, false },
		{ "mc-exim-bl", NULL, NULL, JAIL_RUNS_OURS, false, false, false },
	};
	char why[512];

	(void)state;
	for (size_t i = 0; i < COUNT(cases); i++) {
		struct jail_facts f = facts(cases[i].in, cases[i].bl_in,
					    cases[i].runs);
		struct jail_scope s = jail_scope_decide(cases[i].name, &f);

		if (s.owned != cases[i].owned || s.act != cases[i].act ||
		    s.bl != cases[i].bl)
			fail_msg("case %zu (%s): owned %d act %d bl %d", i,
				 cases[i].name, s.owned, s.act, s.bl);
		assert_int_equal(jail_scope_allows(&s, JAIL_NEED_OWNED), s.owned);
		assert_int_equal(jail_scope_allows(&s, JAIL_NEED_ACT), s.act);
		assert_int_equal(jail_scope_allows(&s, JAIL_NEED_BL), s.bl);
		jail_scope_explain(cases[i].name, &f, JAIL_NEED_BL, why,
				   sizeof(why));
		assert_null(strchr(why, '\n'));
	}
}

static void test_explanations_name_the_file(void **state)
{
	struct jail_facts f = facts("/etc/fail2ban/jail.local", NULL,
				    JAIL_RUNS_OTHERS);
	char why[512];

	(void)state;
	jail_scope_explain("sshd", &f, JAIL_NEED_OWNED, why, sizeof(why));
	assert_string_equal(why, "jail sshd is defined in "
			    "/etc/fail2ban/jail.local, not by mc-f2b");
	jail_scope_explain("sshd", &f, JAIL_NEED_ACT, why, sizeof(why));
	assert_string_equal(why, "jail sshd is defined in "
			    "/etc/fail2ban/jail.local, not by mc-f2b, and it "
			    "runs neither mc-custom nor mc-record");
	f.runs = JAIL_RUNS_UNKNOWN;
	jail_scope_explain("sshd", &f, JAIL_NEED_ACT, why, sizeof(why));
	assert_non_null(strstr(why, "fail2ban is not here to say"));
	f = facts(NULL, "/etc/fail2ban/jail.d/x.conf", JAIL_RUNS_UNKNOWN);
	jail_scope_explain("web", &f, JAIL_NEED_BL, why, sizeof(why));
	assert_string_equal(why, "jail web-bl is defined in "
			    "/etc/fail2ban/jail.d/x.conf, not by mc-f2b");
}

/* --- what fail2ban's files define -------------------------------------- */

static char dir[] = "/tmp/mc-f2b-test-jail-XXXXXX";

static void put(const char *name, const char *text)
{
	char path[PATH_MAX];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static int setup(void **state)
{
	char sub[PATH_MAX];

	(void)state;
	if (!mkdtemp(dir))
		return -1;
	snprintf(sub, sizeof(sub), "%s/jail.d", dir);
	return mkdir(sub, 0755);
}

static int teardown(void **state)
{
	char cmd[PATH_MAX + 16];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	return system(cmd);
}

/* Section names as fail2ban's configparser reads them (the same samples
 * are read by fail2ban itself in tests/integration/t-f2bconf.sh). */
static void test_defined_sections(void **state)
{
	struct f2b_defined d;
	char err[512], path[PATH_MAX];
	const char *in;

	(void)state;
	put("jail.conf",
	    "# a comment naming [commented]\n"
	    "[INCLUDES]\n"
	    "before = paths-x.conf ; the paths\n"
	    "after: extra/after.conf\n"
	    "   more.conf\n"
	    "[DEFAULT]\n"
	    "bantime = 600\n"
	    "[sshd]\n"
	    "enabled = false\n"
	    "  [continued] ; indented below an option: part of its value\n"
	    "\n"
	    "   [still-continued]\n"
	    "; [semicolon]\n"
	    "[admin] ; office ssh, see ticket [42]\n"
	    "\x1c[weird]\n"
	    "\xc2\xa0[nbsp]\n"
	    "[cond?family=inet6]\n"
	    "x = 1\r[crjail]\r\n"
	    "[]\n"
	    "[half\n");
	put("paths-x.conf", "[paths-jail]\n");
	put("paths-x.local", "[INCLUDES]\nBefore = upper.conf\n[paths-local-jail]\n");
	put("upper.conf", "[upper-jail]\n");
	assert_int_equal(mkdir(strcat(strcpy(path, dir), "/extra"), 0755), 0);
	put("extra/after.conf", "[after-jail]\n");
	put("more.conf", "[more-jail]\n");
	put("jail.local", "[local-jail]\n[jail.local-is-read]\n");
	put("jail.d/site.conf", "[site]\n");
	put("jail.d/site.local", "[site-local]\n");
	put("jail.d/other.txt", "[not-read]\n");
	/* mc-f2b's own files define their jail only. */
	put("jail.d/mc-f2b-web.conf", "[web]\nenabled = true\n");
	put("jail.d/mc-f2b-web-bl.conf", "[web-bl]\n");
	put("jail.d/mc-f2b-odd.conf", "[odd]\n[smuggled]\n");
	/* The same name in a .local beside one of ours is another's. */
	put("jail.d/mc-f2b-mine.local", "[mine]\n");
	assert_int_equal(f2bconf_read(dir, &d, err, sizeof(err)), 0);
	for (const char *const *n = (const char *const[]){
		     "sshd", "admin", "weird", "nbsp", "cond", "cond?family=inet6",
		     "crjail", "paths-jail", "paths-local-jail", "upper-jail",
		     "after-jail", "more-jail", "local-jail",
		     "jail.local-is-read", "site", "site-local", "smuggled",
		     "mine", "DEFAULT", "INCLUDES", NULL }; *n; n++)
		if (!f2bconf_defined_in(&d, *n))
			fail_msg("%s not found", *n);
	for (const char *const *n = (const char *const[]){
		     "web", "web-bl", "odd", "not-read", "commented",
		     "semicolon", "continued", "still-continued", "half",
		     "mc-exim", NULL }; *n; n++)
		if (f2bconf_defined_in(&d, *n))
			fail_msg("%s taken for defined", *n);
	in = f2bconf_defined_in(&d, "sshd");
	snprintf(path, sizeof(path), "%s/jail.conf", dir);
	assert_string_equal(in, path);
	f2bconf_free(&d);
}

/* What fail2ban could not read as text, or an include it would
 * interpolate, fails the reading rather than hide a jail. */
static void test_unreadable_text_fails_closed(void **state)
{
	struct f2b_defined d;
	char err[512];

	(void)state;
	put("jail.local", "");
	put("jail.conf", "[a]\n\xff[hidden]\n");
	assert_int_equal(f2bconf_read(dir, &d, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "UTF-8"));
	put("jail.conf", "[INCLUDES]\nbefore = %(here)s/x.conf\n");
	assert_int_equal(f2bconf_read(dir, &d, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "interpolation"));
	put("jail.conf", "[a]\n");
}

/* An include loop ends; a file that cannot be read is an error, not a
 * jail-less file. */
static void test_loops_and_unreadable_files(void **state)
{
	struct f2b_defined d;
	char err[512], path[PATH_MAX];

	(void)state;
	put("jail.conf", "[INCLUDES]\nbefore = loop.conf\n[a]\n");
	put("loop.conf", "[INCLUDES]\nbefore = jail.conf\n[b]\n");
	put("jail.local", "");
	assert_int_equal(f2bconf_read(dir, &d, err, sizeof(err)), 0);
	assert_non_null(f2bconf_defined_in(&d, "a"));
	assert_non_null(f2bconf_defined_in(&d, "b"));
	f2bconf_free(&d);
	snprintf(path, sizeof(path), "%s/jail.local", dir);
	assert_int_equal(unlink(path), 0);
	assert_int_equal(mkdir(path, 0755), 0);   /* a directory: unreadable */
	assert_int_equal(f2bconf_read(dir, &d, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "jail.local"));
	assert_int_equal(rmdir(path), 0);
}

/* --- log paths on this node -------------------------------------------- */

static void test_logpath_must_be_a_regular_file(void **state)
{
	struct jail_row r;
	char path[PATH_MAX];
	const char *why;

	(void)state;
	memset(&r, 0, sizeof(r));
	snprintf(path, sizeof(path), "%s/open", dir);
	assert_int_equal(mkdir(path, 0755), 0);
	assert_int_equal(chmod(path, 0777), 0);
	snprintf(path, sizeof(path), "%s/sticky", dir);
	assert_int_equal(mkdir(path, 0755), 0);
	assert_int_equal(chmod(path, 01777), 0);
	snprintf(path, sizeof(path), "%s/fifo", dir);
	assert_int_equal(mkfifo(path, 0600), 0);
	put("real.log", "x\n");
	static const struct {
		const char *path;   /* @: the test directory */
		bool ok;
	} cases[] = {
		{ "/dev/zero", false }, { "/dev/stdin", false },
		{ "/tmp", false }, { "@/fifo", false }, { "@", false },
		/* Where anyone may put a FIFO later, sticky or not. */
		{ "/tmp/x.log", false }, { "@/open/x.log", false },
		{ "@/sticky/x.log", false },
		/* Pseudo-files, there or not. */
		{ "/proc/kcore", false }, { "/proc/self/mem", false },
		{ "/sys/kernel/mm/transparent_hugepage/enabled", false },
		{ "/dev/x", false }, { "/dev/shm/x.log", false },
		{ "@/real.log", true }, { "@/not-yet.log", true },
		{ "@/no-such-dir/x.log", false }, { "@/*.log", true },
		{ "@/fif?", false }, { "@/nothing*.log", true },
		{ "@/*/x.log", false },
	};
	for (size_t i = 0; i < COUNT(cases); i++) {
		const char *at = strchr(cases[i].path, '@');

		if (at)
			snprintf(r.logpath, sizeof(r.logpath), "%s%s", dir, at + 1);
		else
			snprintf(r.logpath, sizeof(r.logpath), "%s", cases[i].path);
		why = NULL;
		if (jail_text_column_check(&r, "/", "logpath", &why) !=
		    cases[i].ok)
			fail_msg("logpath %s: expected %s (%s)", r.logpath,
				 cases[i].ok ? "accepted" : "refused",
				 why ? why : "");
	}
	/* Without a configuration directory, only the text is judged. */
	snprintf(r.logpath, sizeof(r.logpath), "/dev/zero");
	assert_true(jail_text_column_check(&r, NULL, "logpath", &why));
	unlink(path);
}

/* --- the arrays' growth ------------------------------------------------- */

static void test_growth_doubles_and_refuses_overflow(void **state)
{
	size_t cap = 0;
	int *items = NULL, *grown;

	(void)state;
	for (size_t n = 0; n < 100; n++) {
		grown = grow_for_one(items, &cap, n, sizeof(*items), 4);
		assert_non_null(grown);
		items = grown;
		items[n] = (int)n;
	}
	assert_int_equal(cap, 128);
	assert_int_equal(items[99], 99);
	/* A capacity whose double would not fit: refused, nothing changed. */
	cap = SIZE_MAX / 2 + 1;
	assert_null(grow_for_one(items, &cap, cap, sizeof(*items), 4));
	assert_true(cap == SIZE_MAX / 2 + 1);
	/* A count of elements whose bytes would not fit: refused. */
	cap = SIZE_MAX / 8;
	assert_null(grow_for_one(items, &cap, cap, 16, 4));
	assert_true(cap == SIZE_MAX / 8);
	free(items);
}

/* The row start registers for a jail of the administrator's own. */
static void test_custom_row(void **state)
{
	struct jail_row row;
	const char *why = NULL;

	(void)state;
	assert_int_equal(jail_custom_row("own-auth", "25,465", 3, &row, &why), 0);
	assert_true(row.enabled);
	assert_string_equal(row.name, "own-auth");
	assert_string_equal(row.port, "25,465");
	assert_string_equal(row.banaction, "mc-custom");
	assert_string_equal(row.filter, "");
	assert_string_equal(row.logpath, "");
	assert_int_equal(row.maxretry, 0);
	assert_int_equal(row.max_count, 3);
	assert_int_equal(jail_custom_row("own-auth", "", 0, &row, &why), 0);
	assert_int_equal(jail_custom_row("own-bl", "25", 3, &row, &why), -1);
	assert_int_equal(jail_custom_row("DEFAULT", "25", 3, &row, &why), -1);
	assert_int_equal(jail_custom_row("own", "25;x", 3, &row, &why), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_section_words_are_never_names),
		cmocka_unit_test(test_names_of_permanent_jails),
		cmocka_unit_test(test_scope_decision),
		cmocka_unit_test(test_explanations_name_the_file),
		cmocka_unit_test(test_defined_sections),
		cmocka_unit_test(test_unreadable_text_fails_closed),
		cmocka_unit_test(test_loops_and_unreadable_files),
		cmocka_unit_test(test_logpath_must_be_a_regular_file),
		cmocka_unit_test(test_growth_doubles_and_refuses_overflow),
		cmocka_unit_test(test_custom_row),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
