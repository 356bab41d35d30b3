/* test_privileges.c - privileges_judge(): SHOW GRANTS lines, as MariaDB
 * 10.11 prints them, against what a node needs. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "privileges.h"

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))
#define USAGE "GRANT USAGE ON *.* TO `node`@`localhost` IDENTIFIED BY " \
	      "PASSWORD '*D821809F681A40A6E379B50D0463EFAE20BDD122'"

/* Every reported line, one after the other. */
static char said[4096];

static void collect(void *ctx, const char *line)
{
	(void)ctx;
	strncat(said, line, sizeof(said) - strlen(said) - 2);
	strcat(said, "\n");
}

static struct privileges_verdict judge(const char *const *grants, size_t n)
{
	struct privileges_verdict v;

	said[0] = '\0';
	privileges_judge(grants, n, "mc_config", collect, NULL, &v);
	return v;
}

static const char *const exact[] = {
	USAGE,
	"GRANT SELECT, INSERT, UPDATE ON `mc_config`.`fail2ban_ips` TO `node`@`localhost`",
	"GRANT SELECT, INSERT, UPDATE ON `mc_config`.`fail2ban_jail` TO `node`@`localhost`",
	"GRANT SELECT ON `mc_config`.`fail2ban_conf` TO `node`@`localhost`",
	"GRANT SELECT ON `mc_config`.`fail2ban_events` TO `node`@`localhost`",
};

static void test_the_documented_grants_are_exactly_enough(void **state)
{
	struct privileges_verdict v = judge(exact, COUNT(exact));

	(void)state;
	assert_int_equal(v.excess, 0);
	assert_int_equal(v.missing, 0);
	assert_int_equal(v.unreadable, 0);
	assert_string_equal(said, "");
}

/* The node that prunes the history deletes its old events: allowed, and
 * needed by no other. */
static void test_delete_on_the_history_is_allowed(void **state)
{
	const char *grants[COUNT(exact) + 1];
	struct privileges_verdict v;

	(void)state;
	memcpy(grants, exact, sizeof(exact));
	grants[COUNT(exact)] = "GRANT SELECT, DELETE ON `mc_config`.`fail2ban_events` TO `node`@`localhost`";
	v = judge(grants, COUNT(grants));
	assert_int_equal(v.excess, 0);
	assert_int_equal(v.missing, 0);
	assert_string_equal(said, "");
}

static void test_each_missing_privilege_is_named(void **state)
{
	const char *const grants[] = {
		USAGE,
		"GRANT SELECT, UPDATE ON `mc_config`.`fail2ban_ips` TO `node`@`localhost`",
		/* Column privileges cover part of a table only. */
		"GRANT SELECT (`id`, `name`), INSERT, UPDATE ON `mc_config`.`fail2ban_jail` TO `node`@`localhost`",
		/* Another database of the same table names does not count. */
		"GRANT SELECT ON `mc_other`.`fail2ban_conf` TO `node`@`localhost`",
	};
	struct privileges_verdict v = judge(grants, COUNT(grants));

	(void)state;
	assert_int_equal(v.missing, 4);
	assert_int_equal(v.excess, 1);
	assert_non_null(strstr(said, "missing privilege: SELECT on `mc_config`.`fail2ban_events`\n"));
	assert_non_null(strstr(said, "missing privilege: INSERT on `mc_config`.`fail2ban_ips`\n"));
	assert_non_null(strstr(said, "missing privilege: SELECT on `mc_config`.`fail2ban_jail`\n"));
	assert_non_null(strstr(said, "missing privilege: SELECT on `mc_config`.`fail2ban_conf`\n"));
	assert_non_null(strstr(said, "excess privilege: SELECT on `mc_other`.`fail2ban_conf`\n"));
}

static void test_excess_of_every_kind(void **state)
{
	const struct {
		const char *line;
		const char *expected;
	} cases[] = {
		{ "GRANT DELETE ON `mc_config`.`fail2ban_ips` TO `node`@`localhost`",
		  "excess privilege: DELETE on `mc_config`.`fail2ban_ips`\n" },
		{ "GRANT INSERT ON `mc_config`.`fail2ban_conf` TO `node`@`localhost`",
		  "excess privilege: INSERT on `mc_config`.`fail2ban_conf`\n" },
		/* A node that could write the history itself could forge it. */
		{ "GRANT INSERT ON `mc_config`.`fail2ban_events` TO `node`@`localhost`",
		  "excess privilege: INSERT on `mc_config`.`fail2ban_events`\n" },
		{ "GRANT UPDATE (`chain`) ON `mc_config`.`fail2ban_conf` TO `node`@`localhost`",
		  "excess privilege: UPDATE (columns) on `mc_config`.`fail2ban_conf`\n" },
		{ "GRANT SELECT ON `mc_config`.* TO `node`@`localhost`",
		  "excess privilege: SELECT on `mc_config`.* (every table)\n" },
		{ "GRANT ALL PRIVILEGES ON `mc_config`.`fail2ban_ips` TO `node`@`localhost`",
		  "excess privilege: ALL PRIVILEGES on `mc_config`.`fail2ban_ips`\n" },
		{ "GRANT CREATE, ALTER, DROP ON `mc_config`.`fail2ban_jail` TO `node`@`localhost`",
		  "excess privilege: ALTER on `mc_config`.`fail2ban_jail`\n" },
		{ "GRANT SELECT ON `mysql`.`user` TO `node`@`localhost`",
		  "excess privilege: SELECT on `mysql`.`user`\n" },
		{ "GRANT RELOAD, PROCESS ON *.* TO `node`@`localhost`",
		  "excess privilege: PROCESS on *.* (every database)\n" },
		{ "GRANT EXECUTE ON PROCEDURE `mc_config`.`p` TO `node`@`localhost`",
		  "excess privilege: EXECUTE on a routine or another account\n" },
		{ "GRANT PROXY ON ``@`%` TO `node`@`localhost`",
		  "excess privilege: PROXY on a routine or another account\n" },
		{ "GRANT SELECT ON `mc_config`.`fail2ban_ips` TO `node`@`localhost` WITH GRANT OPTION",
		  "excess privilege: GRANT OPTION on `mc_config`.`fail2ban_ips`\n" },
		/* What an active role allows counts like the account's own. */
		{ "GRANT DELETE ON `mc_config`.`fail2ban_ips` TO `noderole`",
		  "excess privilege: DELETE on `mc_config`.`fail2ban_ips`\n" },
		/* A pattern that takes in the configured database. */
		{ "GRANT SELECT ON `mc%`.* TO `node`@`localhost`",
		  "excess privilege: SELECT on `mc%`.* (every table)\n" },
	};

	(void)state;
	for (size_t i = 0; i < COUNT(cases); i++) {
		const char *grants[COUNT(exact) + 1];
		struct privileges_verdict v;

		memcpy(grants, exact, sizeof(exact));
		grants[COUNT(exact)] = cases[i].line;
		v = judge(grants, COUNT(grants));
		if (v.excess < 1 || v.missing != 0 ||
		    !strstr(said, cases[i].expected))
			fail_msg("%s: excess %d, missing %d, said:\n%s",
				 cases[i].line, v.excess, v.missing, said);
	}
}

/* The administrator's account covers everything, and is far too much. */
/* The grants given through a role: the membership line itself gives
 * nothing, the role's own lines give exactly what a node needs. */
static void test_grants_through_a_role(void **state)
{
	const char *const grants[] = {
		"GRANT `noderole` TO `node`@`localhost`",
		USAGE,
		"SET DEFAULT ROLE `noderole` FOR `node`@`localhost`",
		"GRANT USAGE ON *.* TO `noderole`",
		"GRANT SELECT, INSERT, UPDATE ON `mc_config`.`fail2ban_ips` TO `noderole`",
		"GRANT SELECT, INSERT, UPDATE ON `mc_config`.`fail2ban_jail` TO `noderole`",
		"GRANT SELECT ON `mc_config`.`fail2ban_conf` TO `noderole`",
		"GRANT SELECT ON `mc_config`.`fail2ban_events` TO `noderole`",
	};
	struct privileges_verdict v = judge(grants, COUNT(grants));

	(void)state;
	assert_int_equal(v.excess, 0);
	assert_int_equal(v.missing, 0);
	assert_int_equal(v.unreadable, 0);
	assert_string_equal(said, "");
}

/* A database grant names its database as a LIKE pattern: `mc\_config` is
 * mc_config exactly, `mc_config` also takes in mcXconfig, and a pattern
 * that does not take in mc_config gives the node nothing. */
static void test_database_grants_are_patterns(void **state)
{
	const char *const escaped[] = {
		USAGE,
		"GRANT SELECT, INSERT, UPDATE ON `mc\\_config`.* TO `node`@`localhost`",
	};
	const char *const elsewhere[] = {
		USAGE,
		"GRANT SELECT, INSERT, UPDATE ON `mc\\_other`.* TO `node`@`localhost`",
		"GRANT SELECT, INSERT, UPDATE ON `m_`.* TO `node`@`localhost`",
	};
	struct privileges_verdict v = judge(escaped, COUNT(escaped));

	(void)state;
	assert_int_equal(v.missing, 0);
	assert_int_equal(v.excess, 3);
	assert_non_null(strstr(said, "excess privilege: INSERT on `mc\\_config`.* (every table)\n"));
	v = judge(elsewhere, COUNT(elsewhere));
	assert_int_equal(v.unreadable, 0);
	assert_int_equal(v.missing, 8);
	assert_int_equal(v.excess, 6);
}

static void test_the_admin_account(void **state)
{
	const char *const grants[] = {
		"GRANT ALL PRIVILEGES ON *.* TO `root`@`localhost` WITH GRANT OPTION",
		"GRANT PROXY ON ``@`%` TO `root`@`localhost` WITH GRANT OPTION",
	};
	struct privileges_verdict v = judge(grants, COUNT(grants));

	(void)state;
	assert_int_equal(v.missing, 0);
	assert_int_equal(v.excess, 4);
	assert_non_null(strstr(said, "ALL PRIVILEGES on *.* (every database)"));
}

/* The password hash of a grant line is never repeated, nor anything in
 * quotes; a name is shown tamed. */
static void test_nothing_but_privilege_and_object_is_shown(void **state)
{
	const char *const grants[] = {
		"GRANT DELETE ON *.* TO `node`@`localhost` IDENTIFIED BY PASSWORD '*D821809F681A40A6E379B50D0463EFAE20BDD122'",
		"GRANT SELECT ON `x\x1b[2J`.`t` TO `node`@`localhost`",
		"GRANT SELECT ON `a``b`.`t` TO `node`@`localhost`",
	};

	(void)state;
	judge(grants, COUNT(grants));
	assert_null(strstr(said, "D821809F"));
	assert_null(strstr(said, "node"));
	assert_null(strstr(said, "\x1b"));
	assert_non_null(strstr(said, "on `x?[2J`.`t`"));
	assert_non_null(strstr(said, "on `a`b`.`t`"));
}

/* A keyword inside a quoted name or a column list is not a keyword. */
static void test_quoted_keywords_and_odd_lines(void **state)
{
	const char *const tricky[] = {
		USAGE,
		"GRANT SELECT, INSERT, UPDATE ON `mc_config`.`fail2ban_ips` TO `a TO b`@`localhost`",
		"GRANT SELECT (`x ON y`), SELECT, INSERT, UPDATE ON `mc_config`.`fail2ban_jail` TO `node`@`localhost`",
		"GRANT SELECT ON `mc_config`.`fail2ban_conf` TO `node`@`localhost`",
		"GRANT SELECT ON `mc_config`.`fail2ban_events` TO `node`@`localhost`",
		"SET DEFAULT ROLE NONE FOR `node`@`localhost`",
	};
	const char *const broken[] = {
		"GRANT SELECT ON `mc_config` TO `node`@`localhost`",
		"GRANT ON `mc_config`.* TO `node`@`localhost`",
		"GRANT SELECT ON `unterminated TO `node`@`localhost`",
		"GRANT SELECT",
	};
	struct privileges_verdict v = judge(tricky, COUNT(tricky));

	(void)state;
	assert_int_equal(v.excess, 0);
	assert_int_equal(v.missing, 0);
	assert_int_equal(v.unreadable, 0);
	for (size_t i = 0; i < COUNT(broken); i++) {
		v = judge(&broken[i], 1);
		if (v.unreadable != 1)
			fail_msg("read: %s", broken[i]);
	}
}

/* More privileges on one line than there are slots: the line is refused as
 * unreadable, and nothing is written past the last slot (UBSan's bounds
 * check, in the sanitize suite, watches the slot arrays). */
static void test_a_line_longer_than_any_grant(void **state)
{
	static char line[4096];
	const char *const one[] = { line };
	struct privileges_verdict v;

	(void)state;
	for (size_t n = 39; n <= 42; n++) {
		strcpy(line, "GRANT ");
		for (size_t i = 0; i < n; i++)
			snprintf(line + strlen(line), sizeof(line) - strlen(line),
				 "%sSELECT (`c%zu`)", i ? ", " : "", i);
		strcat(line, " ON `mc_config`.`fail2ban_ips` TO `node`@`localhost`");
		v = judge(one, 1);
		assert_int_equal(v.unreadable, n > 40 ? 1 : 0);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_the_documented_grants_are_exactly_enough),
		cmocka_unit_test(test_each_missing_privilege_is_named),
		cmocka_unit_test(test_delete_on_the_history_is_allowed),
		cmocka_unit_test(test_excess_of_every_kind),
		cmocka_unit_test(test_grants_through_a_role),
		cmocka_unit_test(test_database_grants_are_patterns),
		cmocka_unit_test(test_the_admin_account),
		cmocka_unit_test(test_nothing_but_privilege_and_object_is_shown),
		cmocka_unit_test(test_quoted_keywords_and_odd_lines),
		cmocka_unit_test(test_a_line_longer_than_any_grant),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
