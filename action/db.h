/* db.h - a small layer over MariaDB Connector/C.
 *
 * Every statement that carries a value is a prepared statement with bound
 * parameters: no SQL text is ever built from input.  Results come back as text
 * columns through a callback, read by the typed accessors below.  Only db.c
 * includes mysql.h. */
#ifndef MC_F2B_DB_H
#define MC_F2B_DB_H

#include <stdbool.h>
#include <stddef.h>

#include "config.h"

struct db;

enum db_status {
	DB_OK = 0,
	DB_UNREACHABLE,   /* could not connect, or the connection was lost */
	DB_CONFLICT,      /* deadlock, duplicate key: decide again, retry */
	DB_BUSY,          /* a lock held past the server's wait (another
			   * transaction, an ALTER TABLE): not applied, and
			   * retrying at once would only wait again */
	DB_NO_DATABASE,   /* connected, but the named database does not
			   * exist (only db_connect says this) */
	DB_NO_TABLE,      /* the statement names a table that is not there */
	DB_DENIED,        /* the account may not read or write that table
			   * (the server says so of a missing table too) */
	DB_FAILED,        /* anything else: the statement is wrong or refused */
};

enum db_arg_type { DB_ARG_TEXT, DB_ARG_INT, DB_ARG_NULL };

struct db_arg {
	enum db_arg_type type;
	const char *text;
	long long num;
};

#define DB_TEXT(s) ((struct db_arg){ .type = DB_ARG_TEXT, .text = (s) })
#define DB_INT(n)  ((struct db_arg){ .type = DB_ARG_INT, .num = (n) })
#define DB_NULL    ((struct db_arg){ .type = DB_ARG_NULL })

/* Called once per result row; cols[i] is NULL for SQL NULL.  Return non-zero
 * to stop reading (the remaining rows are discarded). */
typedef int (*db_row_fn)(void *ctx, const char *const *cols, size_t ncols);

/* A row's columns typed, checked where they are read (dbcol.c).  The cells
 * are only valid during the call of the db_row_fn: what is kept is copied.
 * Each returns false, *out untouched, for a column index past ncols or a
 * value that is not of its type; SQL NULL is told apart by db_col_null. */
bool db_col_null(const char *const *cols, size_t ncols, size_t i);
/* A decimal integer that fits a long long; NULL reads as null_value. */
bool db_col_int(const char *const *cols, size_t ncols, size_t i,
		long long null_value, long long *out);
/* An integer column used as a flag: 0 is false, any other integer true;
 * NULL reads as null_value. */
bool db_col_bool(const char *const *cols, size_t ncols, size_t i,
		 bool null_value, bool *out);
/* Text into buf of size bytes, NULL as the empty string; a value that does
 * not fit leaves buf empty and returns false. */
bool db_col_text(const char *const *cols, size_t ncols, size_t i,
		 char *buf, size_t size);

/* A db_row_fn for "is there a row": sets *(bool *)ctx and stops. */
int db_row_found(void *ctx, const char *const *cols, size_t ncols);

enum db_status db_connect(const struct db_endpoint *ep, struct db **out,
			  char *err, size_t errlen);
void db_close(struct db *db);

/* Connect without choosing a database and create ep->database when it is
 * missing (CREATE DATABASE IF NOT EXISTS, utf8mb4).  *created says whether
 * it was made now.  The name must be what config.c lets through
 * ([A-Za-z0-9_]): it is the one identifier that becomes SQL text, since a
 * name cannot be a bound parameter; anything else is refused here too. */
enum db_status db_create_database(const struct db_endpoint *ep, bool *created,
				  char *err, size_t errlen);

/* Keep the statements run on db prepared, for a connection that lives for
 * many bans (the hand-off server's): the next run of the same text (known
 * by its address: a literal or a static array) only executes it, and the
 * server skips parsing and preparing it again.  Closed with db_close(). */
void db_keep_statements(struct db *db);

/* Who makes the changes that go through this connection, for the history
 * (fail2ban_events): what made them ("fail2ban", a verb such as
 * "blacklist add", "spool replay") and the node.  The statements that
 * change fail2ban_ips bind them to its change_source and change_node
 * columns (see schema.c's triggers); NULL until set, and for a text
 * longer than DB_SOURCE_MAX or NODE_NAME_MAX bytes (never cut short). */
#define DB_SOURCE_MAX 40
void db_set_actor(struct db *db, const char *source, const char *node);
struct db_arg db_actor_source(const struct db *db);
struct db_arg db_actor_node(const struct db *db);

/* The server's last message, for one-line errors. */
const char *db_error(const struct db *db);

/* For a reader that met a column the schema does not allow (a count that is
 * no number): db_error() then says so, naming the table, and DB_FAILED is
 * returned for the reader to pass on. */
enum db_status db_malformed(struct db *db, const char *table);

/* Run one statement.  *affected (may be NULL) receives the affected rows. */
enum db_status db_exec(struct db *db, const char *sql,
		       const struct db_arg *args, size_t nargs,
		       unsigned long long *affected);

/* Run one query and hand every row to fn. */
enum db_status db_query(struct db *db, const char *sql,
			const struct db_arg *args, size_t nargs,
			db_row_fn fn, void *ctx);

/* The lines of SHOW GRANTS (the account's own grants, and those of its
 * active roles), one call of fn each: what the connected account may do (see privileges.h for judging them).  The
 * lines may carry the account's password hash: never print them whole. */
typedef void (*db_line_fn)(void *ctx, const char *line);
enum db_status db_grants(struct db *db, db_line_fn fn, void *ctx);

/* How far this server, a replica, is behind its master, as it reports it
 * (SHOW SLAVE STATUS: Seconds_Behind_Master).  *reported is false when it
 * replicates from nothing, or its replication is stopped (NULL).  An
 * account without the privilege to ask (SLAVE MONITOR) gets a failed
 * status. */
enum db_status db_replica_lag(struct db *db, long long *seconds,
			      bool *reported);

#endif
