/* privileges.c - judge SHOW GRANTS lines against what a node needs.
 *
 * MariaDB prints one line per object:
 *   GRANT USAGE ON *.* TO `u`@`h` IDENTIFIED BY PASSWORD '*...'
 *   GRANT SELECT, INSERT, UPDATE ON `db`.`fail2ban_ips` TO `u`@`h`
 *   GRANT SELECT (`ip`), UPDATE ON `db`.`t` TO `u`@`h` WITH GRANT OPTION
 *   GRANT PROXY ON ``@`%` TO `u`@`h`
 *   GRANT `role` TO `u`@`h`
 * Names are in backticks (a backtick inside doubled), strings in quotes; a
 * keyword is looked for only outside both and outside parentheses. */
#include "privileges.h"

#include "textcopy.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#define PRIV_MAX 40       /* privileges in one line (MariaDB has ~35) */
#define PRIV_NAME_MAX 32  /* "CREATE TEMPORARY TABLES" */
#define NAME_MAX_LEN 64   /* a database or table name */

enum scope { SCOPE_GLOBAL, SCOPE_DATABASE, SCOPE_TABLE, SCOPE_OTHER };

struct grant {
	bool role;                        /* GRANT `role` TO ... */
	size_t n;
	char priv[PRIV_MAX][PRIV_NAME_MAX];
	bool columns[PRIV_MAX];           /* SELECT (`col`, ...) */
	enum scope scope;
	char db[NAME_MAX_LEN + 1], table[NAME_MAX_LEN + 1];
	bool grant_option;
};

/* The tables a node works on, what it needs on each, and what it may be
 * given beyond that without being told it has too much. */
static const struct {
	const char *table;
	unsigned needs;                   /* bits of the names below */
	unsigned allows;                  /* needs, and what is optional */
} tables[] = {
	{ "fail2ban_ips", 7, 7 }, { "fail2ban_jail", 7, 7 },
	{ "fail2ban_conf", 1, 1 },
	/* The history: read by "history"; the triggers write it as the
	 * account that made them, so a node cannot write an event itself.
	 * DELETE: the one node that prunes it ([history] prune). */
	{ "fail2ban_events", 1, 1 | 8 },
};
static const char *const needed[] = { "SELECT", "INSERT", "UPDATE", "DELETE" };
#define ALL_BITS 15u

#define NTABLES (sizeof(tables) / sizeof(tables[0]))
#define NNEEDED (sizeof(needed) / sizeof(needed[0]))

/* Past a quoted name or string starting at p (p itself if not quoted). */
static const char *skip_quoted(const char *p)
{
	char q = *p;

	if (q != '`' && q != '\'' && q != '"')
		return p;
	for (p++; *p; p++) {
		if (*p == '\\' && q != '`' && p[1])
			p++;
		else if (*p == q && p[1] == q)
			p++;
		else if (*p == q)
			return p + 1;
	}
	return p;
}

/* The first `word` in s, outside quotes and parentheses, or NULL. */
static const char *find_top(const char *s, const char *word)
{
	size_t len = strlen(word);
	int depth = 0;

	while (*s) {
		const char *after = skip_quoted(s);

		if (after != s) {
			s = after;
			continue;
		}
		if (*s == '(')
			depth++;
		else if (*s == ')' && depth > 0)
			depth--;
		else if (depth == 0 && strncmp(s, word, len) == 0)
			return s;
		s++;
	}
	return NULL;
}

static const char *skip_spaces(const char *p)
{
	while (*p == ' ')
		p++;
	return p;
}

/* One privilege of the list [p, end): "SELECT" or "SELECT (`a`, `b`)". */
static bool take_privilege(struct grant *g, const char *p, const char *end)
{
	const char *paren = p;
	size_t len;

	/* A line naming more privileges than MariaDB has is not understood:
	 * refused before anything is stored past the last slot. */
	if (g->n == PRIV_MAX)
		return false;
	while (paren < end && *paren != '(')
		paren++;
	g->columns[g->n] = paren < end;
	while (paren > p && paren[-1] == ' ')
		paren--;
	len = (size_t)(paren - p);
	if (len == 0 || len >= PRIV_NAME_MAX)
		return false;
	memcpy(g->priv[g->n], p, len);
	g->priv[g->n][len] = '\0';
	g->n++;
	return true;
}

/* The comma-separated list between "GRANT " and " ON ". */
static bool take_privileges(struct grant *g, const char *p, const char *end)
{
	while (p < end) {
		const char *comma = find_top(p, ",");

		if (!comma || comma > end)
			comma = end;
		if (!take_privilege(g, skip_spaces(p), comma))
			return false;
		p = comma + 1;
	}
	return g->n > 0;
}

/* A name: '*', `quoted`, or bare; unquoted into out.  Returns the end. */
static const char *take_name(const char *p, char out[NAME_MAX_LEN + 1])
{
	size_t n = 0;

	if (*p == '*') {
		text_copy(out, NAME_MAX_LEN + 1, "*");
		return p + 1;
	}
	if (*p != '`') {
		while (*p && *p != '.' && *p != ' ' && n < NAME_MAX_LEN)
			out[n++] = *p++;
		out[n] = '\0';
		return n ? p : NULL;
	}
	for (p++; *p; p++) {
		if (*p == '`' && p[1] != '`')
			break;
		if (*p == '`')
			p++;
		if (n == NAME_MAX_LEN)
			return NULL;
		out[n++] = *p;
	}
	out[n] = '\0';
	return *p == '`' ? p + 1 : NULL;
}

/* The object between " ON " and " TO ": *.*, `db`.*, `db`.`table`, or
 * something no node needs (a routine, a proxied user). */
static bool take_object(struct grant *g, const char *p)
{
	static const char *const others[] = {
		"PROCEDURE ", "FUNCTION ", "PACKAGE ",
	};

	for (size_t i = 0; i < sizeof(others) / sizeof(others[0]); i++)
		if (strncmp(p, others[i], strlen(others[i])) == 0) {
			g->scope = SCOPE_OTHER;
			return true;
		}
	if (g->n == 1 && strcmp(g->priv[0], "PROXY") == 0) {
		g->scope = SCOPE_OTHER;
		return true;
	}
	if (!(p = take_name(p, g->db)) || *p != '.' ||
	    !take_name(p + 1, g->table))
		return false;
	if (strcmp(g->db, "*") == 0)
		g->scope = SCOPE_GLOBAL;
	else if (strcmp(g->table, "*") == 0)
		g->scope = SCOPE_DATABASE;
	else
		g->scope = SCOPE_TABLE;
	return true;
}

/* Parse one line; false when it is not a grant this file understands. */
static bool parse_grant(const char *line, struct grant *g)
{
	const char *on, *to;

	memset(g, 0, sizeof(*g));
	if (strncmp(line, "GRANT ", 6) != 0)
		return false;
	/* From the space after GRANT: "GRANT ON ..." lacks a privilege. */
	to = find_top(line + 5, " TO ");
	on = find_top(line + 5, " ON ");
	line += 6;
	if (!to)
		return false;
	if (!on || on > to) {
		g->role = true;
		return true;
	}
	g->grant_option = find_top(to, " GRANT OPTION") != NULL;
	if (!take_privileges(g, line, on))
		return false;
	return take_object(g, skip_spaces(on + 4));
}

/* Does a database-level grant's name, a LIKE pattern, take in `name`?
 * "%" is any run of characters, "_" any one, a backslash makes the next
 * one literal: `mc\_config`.* is the documented way to grant on exactly
 * mc_config. */
static bool like_matches(const char *pattern, const char *name)
{
	for (; *pattern; pattern++, name++) {
		if (*pattern == '%') {
			for (const char *rest = name;; rest++) {
				if (like_matches(pattern + 1, rest))
					return true;
				if (!*rest)
					return false;
			}
		}
		if (*pattern == '\\' && pattern[1])
			pattern++;
		else if (*pattern == '_' && *name)
			continue;
		if (*pattern != *name)
			return false;
	}
	return *name == '\0';
}

/* Is the grant's database the configured one?  Table grants name it
 * literally; database grants as a pattern. */
static bool on_our_database(const struct grant *g, const char *database)
{
	if (g->scope == SCOPE_DATABASE)
		return like_matches(g->db, database);
	return strcmp(g->db, database) == 0;
}

static int table_index(const char *name)
{
	for (size_t i = 0; i < NTABLES; i++)
		if (strcmp(tables[i].table, name) == 0)
			return (int)i;
	return -1;
}

/* Which of SELECT, INSERT, UPDATE, DELETE a privilege gives (ALL: every
 * one). */
static unsigned needed_bits(const char *priv)
{
	if (strcmp(priv, "ALL PRIVILEGES") == 0 || strcmp(priv, "ALL") == 0)
		return ALL_BITS;
	for (size_t i = 0; i < NNEEDED; i++)
		if (strcmp(priv, needed[i]) == 0)
			return 1u << i;
	return 0;
}

/* A name as it may be shown: printable ASCII only. */
static void tame(const char *in, char *out, size_t outlen)
{
	size_t n = 0;

	for (; *in && n + 1 < outlen; in++)
		out[n++] = (*in > 0x20 && *in < 0x7f) ? *in : '?';
	out[n] = '\0';
}

static void object_text(const struct grant *g, char *out, size_t outlen)
{
	char db[NAME_MAX_LEN + 1], table[NAME_MAX_LEN + 1];

	tame(g->db, db, sizeof(db));
	tame(g->table, table, sizeof(table));
	switch (g->scope) {
	case SCOPE_GLOBAL:
		snprintf(out, outlen, "*.* (every database)");
		break;
	case SCOPE_DATABASE:
		snprintf(out, outlen, "`%s`.* (every table)", db);
		break;
	case SCOPE_TABLE:
		snprintf(out, outlen, "`%s`.`%s`", db, table);
		break;
	case SCOPE_OTHER:
		snprintf(out, outlen, "a routine or another account");
		break;
	}
}

struct judge {
	const char *database;
	privileges_report_fn fn;
	void *ctx;
	struct privileges_verdict *v;
	unsigned covered[NTABLES];
};

static void excess(struct judge *j, const char *what, const struct grant *g)
{
	char object[2 * NAME_MAX_LEN + 32], line[256];

	object_text(g, object, sizeof(object));
	snprintf(line, sizeof(line), "excess privilege: %s on %s", what,
		 object);
	j->fn(j->ctx, line);
	j->v->excess++;
}

/* One privilege of a parsed grant: what it covers, and whether it is more
 * than a node needs. */
static void judge_privilege(struct judge *j, const struct grant *g, size_t i)
{
	const char *priv = g->priv[i];
	unsigned bits = needed_bits(priv);
	bool ours = on_our_database(g, j->database);
	int t = g->scope == SCOPE_TABLE && ours ? table_index(g->table) : -1;
	char what[PRIV_NAME_MAX + 16];

	if (strcmp(priv, "USAGE") == 0)
		return;   /* "no privilege at all" */
	snprintf(what, sizeof(what), "%s%s", priv,
		 g->columns[i] ? " (columns)" : "");
	if (g->scope == SCOPE_GLOBAL || (g->scope == SCOPE_DATABASE && ours)) {
		for (size_t k = 0; k < NTABLES; k++)
			j->covered[k] |= bits;
		excess(j, what, g);
		return;
	}
	/* On one of the node's tables: counts towards what it needs (column
	 * privileges do not: they cover part of the table only). */
	if (t >= 0 && !g->columns[i])
		j->covered[t] |= bits;
	if (t < 0 || bits == 0 || bits == ALL_BITS ||
	    (bits & ~tables[t].allows))
		excess(j, what, g);
}

static void judge_line(struct judge *j, const char *line)
{
	struct grant g;

	if (strncmp(line, "GRANT ", 6) != 0)
		return;   /* SET DEFAULT ROLE and the like: no privilege */
	if (!parse_grant(line, &g)) {
		j->fn(j->ctx, "a grant line could not be read: privileges "
		      "not checked");
		j->v->unreadable++;
		return;
	}
	/* A role granted to the account: SHOW GRANTS lists what the active
	 * roles allow on lines of their own, judged like the account's; a
	 * role not active gives the node nothing. */
	if (g.role)
		return;
	for (size_t i = 0; i < g.n; i++)
		judge_privilege(j, &g, i);
	if (g.grant_option)
		excess(j, "GRANT OPTION", &g);
}

void privileges_judge(const char *const *grants, size_t ngrants,
		      const char *database, privileges_report_fn fn,
		      void *ctx, struct privileges_verdict *v)
{
	struct judge j = { .database = database, .fn = fn, .ctx = ctx, .v = v };
	char line[256], db[NAME_MAX_LEN + 1];

	memset(v, 0, sizeof(*v));
	for (size_t i = 0; i < ngrants; i++)
		judge_line(&j, grants[i]);
	tame(database, db, sizeof(db));
	for (size_t t = 0; t < NTABLES; t++)
		for (size_t k = 0; k < NNEEDED; k++) {
			if (!(tables[t].needs & (1u << k)) ||
			    (j.covered[t] & (1u << k)))
				continue;
			snprintf(line, sizeof(line), "missing privilege: %s on "
				 "`%s`.`%s`", needed[k], db, tables[t].table);
			fn(ctx, line);
			v->missing++;
		}
}
