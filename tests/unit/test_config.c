/* test_config.c - loading mc-f2b.ini, and every refusal. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config.h"
#include "localfile.h"

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

static int remove_one(const char *p, const struct stat *st, int flag,
		      struct FTW *ftw)
{
	(void)st;
	(void)ftw;
	return flag == FTW_DP ? rmdir(p) : unlink(p);
}

/* Everything the tests made, whatever a failed test left behind. */
static int teardown(void **state)
{
	(void)state;
	return nftw(dir, remove_one, 16, FTW_DEPTH | FTW_PHYS);
}

static void require_root(void)
{
	if (geteuid() != 0)
		fail_msg("this test changes owners: run it as root");
}

/* dir/NAME made (or remade) with exactly MODE; the name in out. */
static void make_dir(const char *name, mode_t mode, char *out, size_t outlen)
{
	snprintf(out, outlen, "%s/%s", dir, name);
	mkdir(out, 0700);
	assert_int_equal(chmod(out, mode), 0);
}

static void assert_err_has(const char *needle)
{
	if (!strstr(err, needle))
		fail_msg("expected '%s' in: %s", needle, err);
	assert_null(strchr(err, '\n'));
}

static void assert_load_refused(const char *p, const char *needle)
{
	assert_int_equal(config_load(p, &cfg, err, sizeof(err)), -1);
	assert_err_has(needle);
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

static void test_log_stderr(void **state)
{
	(void)state;
	assert_int_equal(load(0644, "[master]\nuser = mc\n"), 0);
	assert_false(cfg.log_stderr);
	assert_int_equal(load(0644, "[log]\nstderr = yes\n"), 0);
	assert_true(cfg.log_stderr);
	assert_int_equal(load(0644, "[log]\nstderr = Off\n"), 0);
	assert_false(cfg.log_stderr);
	assert_refused(0644, "[log]\nstderr = sometimes\n",
		       "[log] stderr 'sometimes': expected yes or no");
	assert_refused(0644, "[log]\nfile = /var/log/x\n", "unknown key 'file'");
}

static void test_cluster(void **state)
{
	(void)state;
	assert_int_equal(load(0644, "[master]\nuser = mc\n"), 0);
	assert_string_equal(cfg.cluster_nodes, "");
	assert_true(cfg.mailcleaner_tables);
	assert_int_equal(load(0644, "[cluster]\nnodes = mx2.example.org, "
			      "192.0.2.20,2001:db8::20\nmailcleaner_tables = "
			      "no\n"), 0);
	assert_string_equal(cfg.cluster_nodes,
			    "mx2.example.org, 192.0.2.20,2001:db8::20");
	assert_false(cfg.mailcleaner_tables);
	assert_refused(0644, "[cluster]\nnodes = 192.0.2.0/24\n",
		       "[cluster] nodes '192.0.2.0/24'");
	assert_refused(0644, "[cluster]\nnodes = mx1, ,mx2\n",
		       "an empty entry");
	assert_refused(0644, "[cluster]\nnodes = mx1&rm\n", "[cluster] nodes");
	assert_refused(0644, "[cluster]\nnodes = -mx1\n", "start with '-'");
	assert_refused(0644, "[cluster]\nmailcleaner_tables = maybe\n",
		       "expected yes or no");
	assert_refused(0644, "[cluster]\nnode = mx1\n", "unknown key 'node'");
}

/* node_exporter reads *.prom files only, from an absolute directory. */
static void test_metrics_textfile(void **state)
{
	(void)state;
	assert_int_equal(load(0644, "[master]\nuser = mc\n"), 0);
	assert_string_equal(cfg.metrics_textfile, "");
	assert_int_equal(load(0644, "[metrics]\ntextfile = /var/lib/prometheus/"
			      "node-exporter/mc-f2b.prom\n"), 0);
	assert_string_equal(cfg.metrics_textfile,
			    "/var/lib/prometheus/node-exporter/mc-f2b.prom");
	assert_refused(0644, "[metrics]\ntextfile = /tmp/mc-f2b.txt\n",
		       "ending in .prom");
	assert_refused(0644, "[metrics]\ntextfile = /tmp/.prom\n",
		       "ending in .prom");
	assert_refused(0644, "[metrics]\ntextfile = mc-f2b.prom\n",
		       "absolute path");
	assert_refused(0644, "[metrics]\nfile = /tmp/m.prom\n",
		       "unknown key 'file'");
}

/* [history]: a year by default; the node on the master's machine (a
 * unix socket) prunes unless told otherwise. */
static void test_history(void **state)
{
	(void)state;
	assert_int_equal(load(0644, "[master]\nhost = db.example.org\n"), 0);
	assert_int_equal(cfg.history_keep_days, 365);
	assert_false(cfg.history_prune);
	/* localhost is the socket to Connector/C; loopback is this machine. */
	assert_int_equal(load(0644, "[master]\nuser = mc\n"), 0);
	assert_true(cfg.history_prune);
	assert_int_equal(load(0644, "[master]\nhost = 127.0.0.1\n"), 0);
	assert_true(cfg.history_prune);
	assert_int_equal(load(0644, "[master]\nsocket = /run/mysqld/m.sock\n"),
			 0);
	assert_true(cfg.history_prune);
	assert_int_equal(load(0644, "[master]\nsocket = /run/mysqld/m.sock\n"
			      "[history]\nprune = no\nkeep_days = 0\n"), 0);
	assert_false(cfg.history_prune);
	assert_int_equal(cfg.history_keep_days, 0);
	assert_int_equal(load(0644, "[master]\nhost = db.example.org\n"
			      "[history]\nprune = yes\nkeep_days = 36500\n"), 0);
	assert_true(cfg.history_prune);
	assert_int_equal(load(0644, "[master]\nsocket = /run/m.sock\n"
			      "[history]\nprune = AUTO\n"), 0);
	assert_true(cfg.history_prune);
	assert_refused(0644, "[history]\nkeep_days = 36501\n",
		       "[history] keep_days");
	assert_refused(0644, "[history]\nprune = sometimes\n",
		       "expected yes or no");
	assert_refused(0644, "[history]\nkeep = 3\n", "unknown key 'keep'");
}

static void test_owner(void **state)
{
	(void)state;
	require_root();
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

/* Whoever may write the file may point [fail2ban] client, run as root, at
 * a program of theirs: a password elsewhere does not make it safe. */
static void test_writable_file_refused(void **state)
{
	char secret[PATH_MAX], text[PATH_MAX + 64];

	(void)state;
	snprintf(secret, sizeof(secret), "%s/secret", dir);
	snprintf(text, sizeof(text), "[master]\npassword_file = %s\n", secret);
	write_file(secret, 0600, "from-file\n");
	assert_refused(0664, text, "writable by group or others (chmod go-w it)");
	assert_refused(0646, text, "writable by group or others");
	assert_refused(0620, "[master]\npassword = x\n", "writable by group");
	assert_refused(0602, "[master]\nuser = mc\n", "writable by group");
	/* Still refused once private to its owner, when it holds a password. */
	assert_refused(0640, "[master]\npassword = x\n",
		       "holds a password but is readable by group or others");
	assert_int_equal(load(0644, text), 0);
}

static void test_password_file_mode(void **state)
{
	char secret[PATH_MAX], text[PATH_MAX + 64];

	(void)state;
	snprintf(secret, sizeof(secret), "%s/secret", dir);
	snprintf(text, sizeof(text), "[master]\npassword_file = %s\n", secret);
	write_file(secret, 0640, "from-file\n");
	assert_refused(0644, text, "readable by group or others (chmod 600 it)");
	write_file(secret, 0620, "from-file\n");
	assert_refused(0644, text, "group or others have access to it");
	write_file(secret, 0660, "from-file\n");
	assert_refused(0644, text, "chmod 600");
}

/* Who may write a directory may rename the file in it away and put their
 * own in its place, unless the directory is sticky. */
static void test_directory_others_may_write(void **state)
{
	char sub[PATH_MAX], ini[PATH_MAX + 16];

	(void)state;
	make_dir("open", 0777, sub, sizeof(sub));
	snprintf(ini, sizeof(ini), "%s/mc-f2b.ini", sub);
	write_file(ini, 0600, "[master]\nuser = mc\n");
	assert_load_refused(ini, "without the sticky bit (chmod go-w");
	assert_err_has(sub);
	assert_int_equal(chmod(sub, 0770), 0);
	assert_load_refused(ini, "writable by group");
	assert_int_equal(chmod(sub, 01777), 0);
	assert_int_equal(config_load(ini, &cfg, err, sizeof(err)), 0);
	assert_int_equal(chmod(sub, 0755), 0);
	assert_int_equal(config_load(ini, &cfg, err, sizeof(err)), 0);
}

/* A directory higher up the chain counts as much as the file's own. */
static void test_directory_chain_up_to_root(void **state)
{
	char top[PATH_MAX], deep[PATH_MAX + 8], ini[PATH_MAX + 32];

	(void)state;
	make_dir("top", 0777, top, sizeof(top));
	snprintf(deep, sizeof(deep), "%s/deep", top);
	mkdir(deep, 0700);
	snprintf(ini, sizeof(ini), "%s/mc-f2b.ini", deep);
	write_file(ini, 0600, "[master]\nuser = mc\n");
	assert_load_refused(ini, top);
	assert_int_equal(chmod(top, 0755), 0);
	assert_int_equal(config_load(ini, &cfg, err, sizeof(err)), 0);
}

static void test_directory_owned_by_another_user(void **state)
{
	char sub[PATH_MAX], ini[PATH_MAX + 16];

	(void)state;
	require_root();
	make_dir("theirs", 0755, sub, sizeof(sub));
	snprintf(ini, sizeof(ini), "%s/mc-f2b.ini", sub);
	write_file(ini, 0600, "[master]\nuser = mc\n");
	assert_int_equal(chown(sub, 65534, 65534), 0);
	assert_load_refused(ini, "is owned by uid 65534, expected root");
	assert_err_has(sub);
	assert_int_equal(chown(sub, 0, 0), 0);
	assert_int_equal(config_load(ini, &cfg, err, sizeof(err)), 0);
}

static void test_password_file_in_open_directory(void **state)
{
	char sub[PATH_MAX], secret[PATH_MAX + 16], text[PATH_MAX + 64];

	(void)state;
	make_dir("pw", 0700, sub, sizeof(sub));
	snprintf(secret, sizeof(secret), "%s/secret", sub);
	snprintf(text, sizeof(text), "[master]\npassword_file = %s\n", secret);
	write_file(secret, 0600, "from-file\n");
	assert_int_equal(load(0600, text), 0);
	assert_int_equal(chmod(sub, 0777), 0);
	assert_refused(0600, text, "without the sticky bit");
	assert_string_equal(cfg.master.password, "");
}

/* No link is followed, however safe its target: a link is one more name
 * someone may have changed. */
static void test_symlink_refused(void **state)
{
	char link[PATH_MAX], secret[PATH_MAX], real[PATH_MAX], text[PATH_MAX + 64];

	(void)state;
	write_file(path, 0600, "[master]\nuser = mc\n");
	snprintf(link, sizeof(link), "%s/link.ini", dir);
	assert_int_equal(symlink(path, link), 0);
	assert_load_refused(link, "is a symbolic link");
	snprintf(real, sizeof(real), "%s/real-secret", dir);
	snprintf(secret, sizeof(secret), "%s/secret", dir);
	write_file(real, 0600, "from-file\n");
	unlink(secret);
	assert_int_equal(symlink(real, secret), 0);
	snprintf(text, sizeof(text), "[master]\npassword_file = %s\n", secret);
	assert_refused(0600, text, "is a symbolic link");
	unlink(secret);
}

/* The directory part may itself go through links: what is judged and
 * opened is the real directory. */
static void test_relative_and_linked_directories(void **state)
{
	char cwd[PATH_MAX], alias[PATH_MAX], through[PATH_MAX + 16];

	(void)state;
	write_file(path, 0600, "[master]\nuser = mc\n");
	assert_non_null(getcwd(cwd, sizeof(cwd)));
	assert_int_equal(chdir(dir), 0);
	assert_int_equal(config_load("mc-f2b.ini", &cfg, err, sizeof(err)), 0);
	assert_int_equal(chdir(cwd), 0);
	snprintf(alias, sizeof(alias), "%s/alias", dir);
	assert_int_equal(symlink(dir, alias), 0);
	snprintf(through, sizeof(through), "%s/mc-f2b.ini", alias);
	assert_int_equal(config_load(through, &cfg, err, sizeof(err)), 0);
	unlink(alias);
}

/* A FIFO in the file's place is refused at once, never waited on. */
static void test_fifo_refused(void **state)
{
	char fifo[PATH_MAX];

	(void)state;
	snprintf(fifo, sizeof(fifo), "%s/fifo.ini", dir);
	assert_int_equal(mkfifo(fifo, 0600), 0);
	assert_load_refused(fifo, "not a regular file");
	unlink(fifo);
}

/* The descriptor returned is the file judged, with its fstat. */
static void test_localfile_open(void **state)
{
	struct stat st, again;
	char buf[16];
	int fd;

	(void)state;
	write_file(path, 0600, "hello\n");
	fd = localfile_open(path, true, &st, err, sizeof(err));
	assert_true(fd >= 0);
	assert_int_equal(fstat(fd, &again), 0);
	assert_int_equal(st.st_ino, again.st_ino);
	assert_true(fcntl(fd, F_GETFD) & FD_CLOEXEC);
	assert_int_equal(read(fd, buf, sizeof(buf)), 6);
	close(fd);
	assert_int_equal(chmod(path, 0644), 0);
	assert_int_equal(localfile_open(path, true, &st, err, sizeof(err)), -1);
	assert_err_has("readable by group or others");
	fd = localfile_open(path, false, &st, err, sizeof(err));
	assert_true(fd >= 0);
	close(fd);
}

static void make_program(const char *p, mode_t mode)
{
	write_file(p, mode, "#!/bin/sh\nexit 0\n");
}

static int check_program(const char *p)
{
	err[0] = '\0';
	char real[PATH_MAX];

	return localfile_check_program(p, real, err, sizeof(err));
}

static void test_program(void **state)
{
	char prog[PATH_MAX], sub[PATH_MAX], inside[PATH_MAX + 16];
	char link[PATH_MAX + 16];

	(void)state;
	snprintf(prog, sizeof(prog), "%s/fail2ban-client", dir);
	make_program(prog, 0755);
	assert_int_equal(check_program(prog), 0);
	make_program(prog, 0775);
	assert_int_equal(check_program(prog), -1);
	assert_err_has("writable by group or others (chmod go-w it)");
	make_program(prog, 0757);
	assert_int_equal(check_program(prog), -1);
	make_program(prog, 0644);
	assert_int_equal(check_program(prog), -1);
	assert_err_has("not executable by its owner (chmod u+x it)");
	make_program(prog, 0755);

	make_dir("bin", 0777, sub, sizeof(sub));
	snprintf(inside, sizeof(inside), "%s/fail2ban-client", sub);
	make_program(inside, 0755);
	assert_int_equal(check_program(inside), -1);
	assert_err_has("without the sticky bit");
	/* A link to a safe program, in a directory others may write: they
	 * may point the link elsewhere before it is run. */
	snprintf(link, sizeof(link), "%s/client-link", sub);
	assert_int_equal(symlink(prog, link), 0);
	assert_int_equal(check_program(link), -1);
	assert_err_has("without the sticky bit");
	assert_int_equal(chmod(sub, 0755), 0);
	assert_int_equal(check_program(link), 0);
	assert_int_equal(check_program(inside), 0);

	snprintf(inside, sizeof(inside), "%s/missing", sub);
	assert_int_equal(check_program(inside), -1);
	assert_err_has("No such file");
}

static void test_program_owned_by_another_user(void **state)
{
	char prog[PATH_MAX];

	(void)state;
	require_root();
	snprintf(prog, sizeof(prog), "%s/their-program", dir);
	make_program(prog, 0755);
	assert_int_equal(chown(prog, 65534, 65534), 0);
	assert_int_equal(check_program(prog), -1);
	assert_err_has("owned by uid 65534");
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

/* The glance takes what config_load takes, or gives up (-1): never a
 * different value. */
static void assert_glance(const char *text, int rc)
{
	struct config_glance g;

	if (load(0600, text) != 0)
		fail_msg("config_load refused %s: %s", text, err);
	assert_int_equal(config_glance(path, &g), rc);
	if (rc != 0)
		return;
	assert_string_equal(g.identity, cfg.identity);
	assert_string_equal(g.spool_dir, cfg.spool_dir);
	assert_int_equal(g.connect_timeout_ms, cfg.master.connect_timeout_ms);
	assert_int_equal(g.query_timeout_ms, cfg.master.query_timeout_ms);
}

static void test_glance(void **state)
{
	struct config_glance g;

	(void)state;
	assert_glance("; nothing but a comment\n", 0);
	assert_glance("[spool]\ndir = /var/lib/x\n[master]\n"
		      "connect_timeout_ms = 250\nquery_timeout_ms = 700\n", 0);
	/* Names as iniparser takes them: any case, spaces around. */
	assert_glance("  [ SPOOL ]  \n  DIR=/a/b ; where\n[Master]\n"
		      "Query_Timeout_MS =  900 # ms\r\n", 0);
	assert_glance("[spool]\ndir = /first\ndir = /second\n", 0);
	assert_glance("[spool]\ndir = /with space/in it\n", 0);
	/* The same keys of other sections are not these. */
	assert_glance("[replica]\nconnect_timeout_ms = 42\n[spool]\n", 0);
	/* An empty section name: iniparser stays in the section before. */
	assert_glance("[master]\n[]      ]\nquery_timeout_ms = 77\n", -1);
	/* Other keys are left alone, however they are written. */
	assert_glance("[master]\npassword = \"p;ss#\"\nuser = 'mc'\n"
		      "[spool]\ndir = /var/spool/q\n", 0);
	/* What the glance does not take: quoted, or a line continued. */
	assert_glance("[spool]\ndir = \"/var/lib/q\"\n", -1);
	assert_glance("[spool]\ndir = '/var/lib/q'\n", -1);
	assert_glance("[spool]\ndir = /var/\\\nspool\n", -1);
	/* Refused by config_load, so by the glance too (it gives up). */
	write_file(path, 0600, "[spool]\ndir = relative\n");
	assert_int_equal(config_glance(path, &g), -1);
	write_file(path, 0600, "[master]\nquery_timeout_ms = 0\n");
	assert_int_equal(config_glance(path, &g), -1);
	write_file(path, 0600, "no equals sign\n");
	assert_int_equal(config_glance(path, &g), -1);
	/* A password file named is opened with config_load's checks (and
	 * not read): a loose one makes the glance give up too. */
	{
		char pw[PATH_MAX], text[PATH_MAX + 64];

		snprintf(pw, sizeof(pw), "%s/glance-password", dir);
		write_file(pw, 0600, "s3cret\n");
		snprintf(text, sizeof(text), "[master]\npassword_file = %s\n", pw);
		assert_glance(text, 0);
		assert_int_equal(chmod(pw, 0644), 0);
		assert_int_equal(config_glance(path, &g), -1);
		unlink(pw);
		assert_int_equal(config_glance(path, &g), -1);
		snprintf(text, sizeof(text), "[replica]\npassword_file = %s\n", pw);
		write_file(path, 0600, text);
		assert_int_equal(config_glance(path, &g), -1);
	}
	/* Opened as config_load opens it: others may not write it. */
	write_file(path, 0666, "[spool]\ndir = /x\n");
	assert_int_equal(config_glance(path, &g), -1);
	unlink(path);
	assert_int_equal(config_glance(path, &g), -1);
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
		cmocka_unit_test(test_writable_file_refused),
		cmocka_unit_test(test_password_file_mode),
		cmocka_unit_test(test_directory_others_may_write),
		cmocka_unit_test(test_directory_chain_up_to_root),
		cmocka_unit_test(test_directory_owned_by_another_user),
		cmocka_unit_test(test_password_file_in_open_directory),
		cmocka_unit_test(test_symlink_refused),
		cmocka_unit_test(test_relative_and_linked_directories),
		cmocka_unit_test(test_fifo_refused),
		cmocka_unit_test(test_localfile_open),
		cmocka_unit_test(test_program),
		cmocka_unit_test(test_program_owned_by_another_user),
		cmocka_unit_test(test_config_path),
		cmocka_unit_test(test_log_stderr),
		cmocka_unit_test(test_cluster),
		cmocka_unit_test(test_metrics_textfile),
		cmocka_unit_test(test_history),
		cmocka_unit_test(test_glance),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
