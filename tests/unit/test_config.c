/* test_config.c - loading mc-f2b.ini, and every refusal. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config.h"

static char dir[] = "/tmp/mc-f2b-test-config-XXXXXX";
static char path[PATH_MAX];
static char err[512];
static struct mc_config cfg;

static void write_file(const char *p, mode_t mode, const char *text)
{
	FILE *f = fopen(p, "w");

	assert_non_null(f);
	fputs(text, f);
	fclose(f);
	assert_int_equal(chmod(p, mode), 0);
}

static int load(mode_t mode, const char *text)
{
	write_file(path, mode, text);
	return config_load(path, &cfg, err, sizeof(err));
}

/* A refusal is one line that says what is wrong. */
static void assert_refused(mode_t mode, const char *text, const char *needle)
{
	assert_int_equal(load(mode, text), -1);
	if (!strstr(err, needle))
		fail_msg("expected '%s' in: %s", needle, err);
	assert_null(strchr(err, '\n'));
}

static int setup(void **state)
{
	(void)state;
	if (!mkdtemp(dir))
		return -1;
	snprintf(path, sizeof(path), "%s/mc-f2b.ini", dir);
	return 0;
}

static int teardown(void **state)
{
	char cmd[PATH_MAX];

	(void)state;
	snprintf(cmd, sizeof(cmd), "%s/mc-f2b.ini", dir);
	unlink(cmd);
	snprintf(cmd, sizeof(cmd), "%s/secret", dir);
	unlink(cmd);
	return rmdir(dir);
}

static void test_defaults(void **state)
{
	(void)state;
	assert_int_equal(load(0644, "; nothing but a comment\n"), 0);
	assert_string_equal(cfg.master.database, "mc_config");
	assert_string_equal(cfg.master.host, "localhost");
	assert_int_equal(cfg.master.port, 3306);
	assert_int_equal(cfg.master.connect_timeout_ms, 1000);
	assert_string_equal(cfg.f2b_socket, "/var/run/fail2ban/fail2ban.sock");
	assert_string_equal(cfg.f2b_config_dir, "/etc/fail2ban");
	assert_string_equal(cfg.spool_dir, "/var/spool/mc-f2b");
	assert_true(cfg.node[0] != '\0');
	assert_string_equal(cfg.replica.database, "mc_config");
}

static void test_full_file(void **state)
{
	(void)state;
	assert_int_equal(load(0600,
		"[master]\nhost = db-master.example.org\nport = 3307\n"
		"user = mc\npassword = \"s3cret;#x\"\ndatabase = mc_config\n"
		"connect_timeout_ms = 1500\n"
		"[replica]\nsocket = /run/mysqld/mysqld.sock\n"
		"[fail2ban]\nsocket = /run/f2b.sock\nconfig_dir = /etc/f2b\n"
		"[node]\nname = mx1.example.org\n[spool]\ndir = /var/spool/x\n"), 0);
	assert_string_equal(cfg.master.host, "db-master.example.org");
	assert_int_equal(cfg.master.port, 3307);
	assert_string_equal(cfg.master.password, "s3cret;#x");
	assert_int_equal(cfg.master.connect_timeout_ms, 1500);
	/* The replica takes the master's values for what it does not set. */
	assert_string_equal(cfg.replica.socket, "/run/mysqld/mysqld.sock");
	assert_string_equal(cfg.replica.user, "mc");
	assert_string_equal(cfg.replica.password, "s3cret;#x");
	assert_string_equal(cfg.master.socket, "");
	assert_string_equal(cfg.f2b_socket, "/run/f2b.sock");
	assert_string_equal(cfg.node, "mx1.example.org");
	config_wipe_secrets(&cfg);
	assert_string_equal(cfg.master.password, "");
	assert_string_equal(cfg.replica.password, "");
}

static void test_loose_password(void **state)
{
	(void)state;
	assert_refused(0640, "[master]\npassword = x\n", "readable by group");
	assert_refused(0604, "[replica]\npassword = x\n", "readable by group");
	/* Without a password, a world-readable file is fine. */
	assert_int_equal(load(0644, "[master]\nuser = mc\n"), 0);
}

static void test_password_file(void **state)
{
	char secret[PATH_MAX], text[PATH_MAX + 64];

	(void)state;
	snprintf(secret, sizeof(secret), "%s/secret", dir);
	snprintf(text, sizeof(text), "[master]\npassword_file = %s\n", secret);
	write_file(secret, 0600, "from-file\nsecond line ignored\n");
	assert_int_equal(load(0644, text), 0);
	assert_string_equal(cfg.master.password, "from-file");
	write_file(secret, 0644, "from-file\n");
	assert_refused(0644, text, "readable by group");
	write_file(secret, 0600, "");
	assert_refused(0644, text, "empty");
	assert_refused(0644, "[master]\npassword_file = secret\n", "absolute");
	unlink(secret);
	assert_refused(0644, text, "No such file");
}

static void test_owner(void **state)
{
	(void)state;
	if (geteuid() != 0)
		fail_msg("this test changes a file's owner: run it as root");
	write_file(path, 0644, "[master]\nuser = mc\n");
	assert_int_equal(chown(path, 65534, 65534), 0);
	assert_int_equal(config_load(path, &cfg, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "owned by uid 65534"));
	assert_int_equal(chown(path, 0, 0), 0);
}

static void test_refusals(void **state)
{
	char missing[PATH_MAX];

	(void)state;
	snprintf(missing, sizeof(missing), "%s/nope.ini", dir);
	assert_int_equal(config_load(missing, &cfg, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "No such file"));
	assert_int_equal(config_load(dir, &cfg, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "not a regular file"));
	assert_refused(0644, "[master]\npasword = x\n", "unknown key 'pasword'");
	assert_refused(0644, "[mastr]\nhost = x\n", "unknown section [mastr]");
	assert_refused(0644, "[master]\nport = 70000\n", "port");
	assert_refused(0644, "[master]\nport = 33o6\n", "port");
	assert_refused(0644, "[master]\nconnect_timeout_ms = 0\n",
		       "connect_timeout_ms");
	assert_refused(0644, "[master]\nsocket = run/mysqld.sock\n", "absolute");
	assert_refused(0644, "[master]\nhost = db rm -rf\n", "host");
	assert_refused(0644, "[master]\ndatabase = mc`config\n", "database");
	assert_refused(0644, "[spool]\ndir = spool\n", "absolute");
	assert_refused(0644, "[node]\nname = my node\n", "[node] name");
	assert_refused(0644, "[master]\nthis line has no equals sign\n",
		       "syntax error at line 2");
	assert_refused(0644, "pasword = x\n[master]\nuser = a\n",
		       "key 'pasword' outside of any [section]");
}

/* A line iniparser cannot read is reported by number, never quoted: it
 * may be a password whose '=' was forgotten. */
static void test_syntax_error_does_not_echo_the_line(void **state)
{
	(void)state;
	assert_refused(0600, "[master]\nuser = mc\npassword Sup3rSecret\n",
		       "syntax error at line 3");
	assert_null(strstr(err, "Sup3rSecret"));
}

static void test_config_path(void **state)
{
	(void)state;
	assert_string_equal(config_path("/x.ini"), "/x.ini");
	setenv("MC_F2B_CONFIG", "/from/env.ini", 1);
	assert_string_equal(config_path(NULL), "/from/env.ini");
	assert_string_equal(config_path("/x.ini"), "/x.ini");
	unsetenv("MC_F2B_CONFIG");
	assert_string_equal(config_path(NULL), CONFIG_DEFAULT_PATH);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_full_file),
		cmocka_unit_test(test_loose_password),
		cmocka_unit_test(test_password_file),
		cmocka_unit_test(test_owner),
		cmocka_unit_test(test_refusals),
		cmocka_unit_test(test_syntax_error_does_not_echo_the_line),
		cmocka_unit_test(test_config_path),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
