/* fuzz_ini.c - libFuzzer target for config.h: the input is written as an
 * mc-f2b.ini (mode 0600, as a file holding a password must be, in /tmp,
 * sticky and root's) and loaded through iniparser and every check of
 * config.c and localfile.c.  A refusal is one line that fits the caller's
 * buffer; an accepted file gives a configuration that keeps the rules
 * config.c promises.  The hand-off's glance at the same file (config_glance)
 * either gives up or reads what config_load read: the spool and the
 * master's time-outs, and the file's identity. */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char path[] = "/tmp/mc-f2b-fuzz-ini.XXXXXX";
static int fd = -1;

static void check(int ok)
{
	if (!ok)
		abort();
}

static void remove_file(void)
{
	unlink(path);
}

/* One file for the whole run (mkstemp makes it 0600), rewritten for each
 * input, removed at exit. */
static int open_once(void)
{
	if (fd < 0) {
		fd = mkstemp(path);
		if (fd < 0)
			return -1;
		atexit(remove_file);
	}
	return 0;
}

static int rewrite(const uint8_t *data, size_t size)
{
	if (ftruncate(fd, 0) != 0)
		return -1;
	return pwrite(fd, data, size, 0) == (ssize_t)size ? 0 : -1;
}

/* Every text field ends inside its array. */
#define TERMINATED(field) check(memchr((field), '\0', sizeof(field)) != NULL)

static void check_endpoint(const struct db_endpoint *ep)
{
	TERMINATED(ep->host);
	TERMINATED(ep->socket);
	TERMINATED(ep->user);
	TERMINATED(ep->password);
	TERMINATED(ep->database);
	check(ep->port >= 1 && ep->port <= 65535);
	check(ep->connect_timeout_ms >= 1 && ep->connect_timeout_ms <= 600000);
	check(ep->query_timeout_ms >= 1 && ep->query_timeout_ms <= 600000);
}

static void check_accepted(struct mc_config *cfg)
{
	check_endpoint(&cfg->master);
	check_endpoint(&cfg->replica);
	TERMINATED(cfg->f2b_socket);
	TERMINATED(cfg->f2b_config_dir);
	TERMINATED(cfg->f2b_client);
	TERMINATED(cfg->spool_dir);
	TERMINATED(cfg->node);
	check(node_name_valid(cfg->node, NULL));
	check(cfg->spool_dir[0] == '/' && cfg->f2b_socket[0] == '/');
	config_wipe_secrets(cfg);
	check(cfg->master.password[0] == '\0' && cfg->replica.password[0] == '\0');
}

/* The glance never disagrees with the full reading of an accepted file. */
static void check_glance(const struct mc_config *cfg)
{
	struct config_glance g;

	if (config_glance(path, &g) != 0)
		return;
	check(strcmp(g.identity, cfg->identity) == 0);
	check(strcmp(g.spool_dir, cfg->spool_dir) == 0);
	check(g.connect_timeout_ms == cfg->master.connect_timeout_ms);
	check(g.query_timeout_ms == cfg->master.query_timeout_ms);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct mc_config cfg;
	char err[256];

	if (open_once() != 0 || rewrite(data, size) != 0)
		return 0;
	memset(err, 'x', sizeof(err));
	if (config_load(path, &cfg, err, sizeof(err)) == 0) {
		check_glance(&cfg);
		check_accepted(&cfg);
	} else {
		check(memchr(err, '\0', sizeof(err)) != NULL);
		check(err[0] != '\0' && strchr(err, '\n') == NULL);
		/* A refused configuration keeps no password behind. */
		check(cfg.master.password[0] == '\0' && cfg.replica.password[0] == '\0');
	}
	return 0;
}
