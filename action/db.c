/* db.c - MariaDB Connector/C behind a small, safe interface.
 *
 * Every statement goes through mysql_stmt_prepare() with bound parameters, so
 * no value ever becomes SQL text.  Errors are sorted into what the caller can
 * act on: the server is out of reach (spool the event), a conflict with a
 * concurrent transaction (retry), or a real failure. */
#include "db.h"
#include "event.h"
#include "textcopy.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>

#include <errmsg.h>
#include <mysql.h>
#include <mysqld_error.h>
#include <openssl/crypto.h>

/* With -Dlazy_connector=true (the Debian package) the program is not linked
 * with the connector: it is loaded at the first connection.  A ban that the
 * sync loop takes over (handoff.h) never connects, and then never pays for
 * loading the connector, OpenSSL and zlib at its start.  Every function of
 * theirs used here goes through a pointer then, by the same name. */
#define CONNECTOR_FUNCTIONS(X) \
	X(mysql_init) X(mysql_options) X(mysql_real_connect) X(mysql_close) \
	X(mysql_error) X(mysql_errno) X(mysql_stmt_init) \
	X(mysql_stmt_prepare) X(mysql_stmt_attr_set) \
	X(mysql_stmt_bind_param) X(mariadb_stmt_execute_direct) \
	X(mysql_stmt_affected_rows) X(mysql_stmt_field_count) \
	X(mysql_stmt_result_metadata) X(mysql_fetch_field_direct) \
	X(mysql_free_result) X(mysql_stmt_bind_result) X(mysql_stmt_fetch) \
	X(mysql_stmt_fetch_column) X(mysql_stmt_errno) X(mysql_stmt_error) \
	X(mysql_stmt_close) X(mysql_stmt_execute) X(mysql_stmt_free_result)

#ifdef MC_F2B_LAZY_CONNECTOR
#include <dlfcn.h>

#define CONNECTOR_SONAME "libmariadb.so.3"
#define DECLARE_POINTER(name) static __typeof__(name) *lazy_##name;
CONNECTOR_FUNCTIONS(DECLARE_POINTER)
#define mysql_init (*lazy_mysql_init)
#define mysql_options (*lazy_mysql_options)
#define mysql_real_connect (*lazy_mysql_real_connect)
#define mysql_close (*lazy_mysql_close)
#define mysql_error (*lazy_mysql_error)
#define mysql_errno (*lazy_mysql_errno)
#define mysql_stmt_init (*lazy_mysql_stmt_init)
#define mysql_stmt_prepare (*lazy_mysql_stmt_prepare)
#define mysql_stmt_attr_set (*lazy_mysql_stmt_attr_set)
#define mysql_stmt_bind_param (*lazy_mysql_stmt_bind_param)
#define mariadb_stmt_execute_direct (*lazy_mariadb_stmt_execute_direct)
#define mysql_stmt_affected_rows (*lazy_mysql_stmt_affected_rows)
#define mysql_stmt_field_count (*lazy_mysql_stmt_field_count)
#define mysql_stmt_result_metadata (*lazy_mysql_stmt_result_metadata)
#define mysql_fetch_field_direct (*lazy_mysql_fetch_field_direct)
#define mysql_free_result (*lazy_mysql_free_result)
#define mysql_stmt_bind_result (*lazy_mysql_stmt_bind_result)
#define mysql_stmt_fetch (*lazy_mysql_stmt_fetch)
#define mysql_stmt_fetch_column (*lazy_mysql_stmt_fetch_column)
#define mysql_stmt_errno (*lazy_mysql_stmt_errno)
#define mysql_stmt_error (*lazy_mysql_stmt_error)
#define mysql_stmt_close (*lazy_mysql_stmt_close)
#define mysql_stmt_execute (*lazy_mysql_stmt_execute)
#define mysql_stmt_free_result (*lazy_mysql_stmt_free_result)
/* OpenSSL's, through the connector's dependencies; none with a connector
 * built on another TLS library, which then initialises its own. */
static __typeof__(OPENSSL_init_crypto) *lazy_OPENSSL_init_crypto;

/* Load it once; OpenSSL comes with it (a dependency of the connector's). */
static int load_connector(char *err, size_t errlen)
{
	static bool loaded;
	void *lib, *sym;

	if (loaded)
		return 0;
	lib = dlopen(CONNECTOR_SONAME, RTLD_NOW | RTLD_LOCAL);
	if (!lib) {
		snprintf(err, errlen, "loading the connector: %s", dlerror());
		return -1;
	}
#define LOAD_POINTER(name) \
	if (!(sym = dlsym(lib, #name))) { \
		snprintf(err, errlen, CONNECTOR_SONAME " has no %s", #name); \
		dlclose(lib); \
		return -1; \
	} \
	memcpy(&lazy_##name, &sym, sizeof(sym));
	CONNECTOR_FUNCTIONS(LOAD_POINTER)
#undef LOAD_POINTER
	if ((sym = dlsym(lib, "OPENSSL_init_crypto")))
		memcpy(&lazy_OPENSSL_init_crypto, &sym, sizeof(sym));
	loaded = true;
	return 0;
}

static void init_openssl_bare(uint64_t opts)
{
	if (lazy_OPENSSL_init_crypto)
		lazy_OPENSSL_init_crypto(opts, NULL);
}
#else
static int load_connector(char *err, size_t errlen)
{
	(void)err;
	(void)errlen;
	return 0;
}

static void init_openssl_bare(uint64_t opts)
{
	OPENSSL_init_crypto(opts, NULL);
}
#endif

/* Widest column mc-f2b reads (fail2ban_jail.logpath is varchar(250)). */
#define DB_CELL_MAX 1024
#define DB_COLS_MAX 16
#define DB_ARGS_MAX 16
/* Statements a connection keeps prepared (db_keep_statements()): the ban's
 * and the unban's, with room to spare. */
#define DB_KEPT_MAX 8

struct kept_statement {
	const char *sql;   /* the caller's text, found by its address */
	char *text;        /* a copy, to compare */
	MYSQL_STMT *st;
};

struct db {
	MYSQL *conn;
	char error[512];
	char source[DB_SOURCE_MAX + 1];   /* db_set_actor(): "" none */
	char node[NODE_NAME_MAX + 1];
	bool keep;                        /* db_keep_statements() */
	struct kept_statement kept[DB_KEPT_MAX];
};

/* --- statements kept prepared ----------------------------------------------
 * A connection that lives for many bans (the hand-off's) keeps the statements
 * it ran: the next run of the same text only executes, and the server skips
 * parsing and preparing it again.  Callers pass string literals and static
 * arrays: a text is found by its address, and compared too, so that a
 * buffer used for another text is never taken for the first. */

static MYSQL_STMT *kept_find(struct db *db, const char *sql)
{
	for (size_t i = 0; i < DB_KEPT_MAX; i++) {
		if (!db->kept[i].st || db->kept[i].sql != sql)
			continue;
		if (strcmp(db->kept[i].text, sql) == 0)
			return db->kept[i].st;
		mysql_stmt_close(db->kept[i].st);
		free(db->kept[i].text);
		db->kept[i] = (struct kept_statement){ 0 };
	}
	return NULL;
}

static bool kept_holds(const struct db *db, const MYSQL_STMT *st)
{
	for (size_t i = 0; i < DB_KEPT_MAX; i++)
		if (db->kept[i].st == st)
			return true;
	return false;
}

/* Keep st if there is room; a statement not kept is closed after its use. */
static void kept_add(struct db *db, const char *sql, MYSQL_STMT *st)
{
	for (size_t i = 0; i < DB_KEPT_MAX; i++) {
		if (!db->kept[i].st) {
			char *text = strdup(sql);

			if (text)
				db->kept[i] = (struct kept_statement){ sql, text, st };
			return;
		}
	}
}

static void kept_forget(struct db *db, const MYSQL_STMT *st)
{
	for (size_t i = 0; i < DB_KEPT_MAX; i++) {
		if (db->kept[i].st == st) {
			free(db->kept[i].text);
			db->kept[i] = (struct kept_statement){ 0 };
		}
	}
}

/* A statement whose use went well: a kept one is only emptied of what is
 * left of its result, for its next run. */
static void stmt_done(struct db *db, MYSQL_STMT *st)
{
	if (kept_holds(db, st))
		mysql_stmt_free_result(st);
	else
		mysql_stmt_close(st);
}

/* A statement that failed, or left in a state not worth keeping. */
static void stmt_drop(struct db *db, MYSQL_STMT *st)
{
	kept_forget(db, st);
	mysql_stmt_close(st);
}

static enum db_status classify(unsigned code)
{
	switch (code) {
	case CR_CONNECTION_ERROR:
	case CR_CONN_HOST_ERROR:
	case CR_UNKNOWN_HOST:
	case CR_SERVER_GONE_ERROR:
	case CR_SERVER_LOST:
	case CR_SERVER_LOST_EXTENDED:
	/* A connection the server ended while it was idle: the next
	 * statement's write or read fails (the hand-off's kept one). */
	case CR_ERR_NET_READ:
	case CR_ERR_NET_WRITE:
	case ER_CON_COUNT_ERROR:
	case ER_SERVER_SHUTDOWN:
	case ER_CONNECTION_KILLED:
		return DB_UNREACHABLE;
	case ER_LOCK_DEADLOCK:
	case ER_DUP_ENTRY:
		return DB_CONFLICT;
	case ER_LOCK_WAIT_TIMEOUT:
		return DB_BUSY;
	case ER_BAD_DB_ERROR:
		return DB_NO_DATABASE;
	case ER_NO_SUCH_TABLE:
		return DB_NO_TABLE;
	case ER_TABLEACCESS_DENIED_ERROR:
	case ER_COLUMNACCESS_DENIED_ERROR:
		return DB_DENIED;
	default:
		return DB_FAILED;
	}
}

static enum db_status conn_failure(struct db *db)
{
	snprintf(db->error, sizeof(db->error), "%s", mysql_error(db->conn));
	return classify(mysql_errno(db->conn));
}

static enum db_status stmt_failure(struct db *db, MYSQL_STMT *st)
{
	unsigned code = mysql_stmt_errno(st);

	snprintf(db->error, sizeof(db->error), "%s", mysql_stmt_error(st));
	stmt_drop(db, st);
	return classify(code);
}

/* The connector counts its timeouts in whole seconds: round up, so that a
 * configured 1500 ms never becomes 1 s. */
static unsigned ms_to_seconds(unsigned ms)
{
	return (ms + 999) / 1000;
}

/* Connector/C start-up work that a ban does not need, skipped because every
 * ban pays for it inside fail2ban's lock (measured: it was most of the
 * program's own CPU time):
 * - after a connect it naps for a microsecond, which the default timer
 *   slack stretches to fifty;
 * - without a default port it asks NSS for the "mysql" service (nsswitch.conf,
 *   a search for libnss modules, /etc/services); we always name the port;
 * - it initialises OpenSSL in full: openssl.cnf parsed, every cipher and
 *   digest registered, all of it torn down again at exit.  A unix socket
 *   never carries TLS, so for one OpenSSL is initialised bare, first, and the
 *   connector's own initialisation then finds the work done.  The host
 *   "localhost" without a socket path is a unix socket too: the connector
 *   takes its built-in default path for it, never TCP. */
static void lighten_client_start(const struct db_endpoint *ep)
{
	prctl(PR_SET_TIMERSLACK, 1UL, 0UL, 0UL, 0UL);
#ifdef MC_F2B_STATIC_CONNECTOR
	/* Only the static library lets this global be set from outside. */
	mysql_port = ep->port;
#endif
	if (ep->socket[0] || strcmp(ep->host, "localhost") == 0)
		init_openssl_bare(OPENSSL_INIT_NO_LOAD_CONFIG |
				  OPENSSL_INIT_NO_ADD_ALL_CIPHERS |
				  OPENSSL_INIT_NO_ADD_ALL_DIGESTS |
				  OPENSSL_INIT_NO_ATEXIT);
}

static enum db_status connect_to(const struct db_endpoint *ep,
				 const char *database, struct db **out,
				 char *err, size_t errlen)
{
	struct db *db = calloc(1, sizeof(*db));
	unsigned connect_s = ms_to_seconds(ep->connect_timeout_ms);
	unsigned io_s = ms_to_seconds(ep->query_timeout_ms);
	enum db_status status;

	*out = NULL;
	if (load_connector(err, errlen) != 0) {
		free(db);
		return DB_FAILED;
	}
	lighten_client_start(ep);
	if (!db || !(db->conn = mysql_init(NULL))) {
		free(db);
		snprintf(err, errlen, "out of memory");
		return DB_FAILED;
	}
	mysql_options(db->conn, MYSQL_OPT_CONNECT_TIMEOUT, &connect_s);
	mysql_options(db->conn, MYSQL_OPT_READ_TIMEOUT, &io_s);
	mysql_options(db->conn, MYSQL_OPT_WRITE_TIMEOUT, &io_s);
	/* A unix socket path wins over host and port, as in the mariadb client. */
	if (mysql_real_connect(db->conn,
			       ep->socket[0] ? "localhost" : ep->host,
			       ep->user, ep->password, database,
			       ep->port, ep->socket[0] ? ep->socket : NULL,
			       0)) {
		*out = db;
		return DB_OK;
	}
	status = conn_failure(db);
	snprintf(err, errlen, "%s", db->error);
	db_close(db);
	return status;
}

enum db_status db_connect(const struct db_endpoint *ep, struct db **out,
			  char *err, size_t errlen)
{
	return connect_to(ep, ep->database, out, err, errlen);
}

static bool plain_identifier(const char *name)
{
	return name[0] && strspn(name, "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
				 "abcdefghijklmnopqrstuvwxyz0123456789_") ==
			  strlen(name);
}

enum db_status db_create_database(const struct db_endpoint *ep, bool *created,
				  char *err, size_t errlen)
{
	char sql[128];
	unsigned long long affected = 0;
	struct db *db;
	enum db_status s;

	*created = false;
	if (!plain_identifier(ep->database) || strlen(ep->database) > 64) {
		snprintf(err, errlen, "database name '%s' is not a plain "
			 "identifier", ep->database);
		return DB_FAILED;
	}
	if ((s = connect_to(ep, NULL, &db, err, errlen)))
		return s;
	snprintf(sql, sizeof(sql), "CREATE DATABASE IF NOT EXISTS `%s` "
		 "CHARACTER SET utf8mb4", ep->database);
	s = db_exec(db, sql, NULL, 0, &affected);
	if (s)
		snprintf(err, errlen, "%s", db->error);
	*created = s == DB_OK && affected == 1;
	db_close(db);
	return s;
}

void db_close(struct db *db)
{
	if (!db)
		return;
	for (size_t i = 0; i < DB_KEPT_MAX; i++) {
		if (db->kept[i].st)
			mysql_stmt_close(db->kept[i].st);
		free(db->kept[i].text);
	}
	mysql_close(db->conn);
	free(db);
}

void db_keep_statements(struct db *db)
{
	db->keep = true;
}

void db_set_actor(struct db *db, const char *source, const char *node)
{
	text_copy(db->source, sizeof(db->source), source ? source : "");
	text_copy(db->node, sizeof(db->node), node ? node : "");
}

struct db_arg db_actor_source(const struct db *db)
{
	return db->source[0] ? DB_TEXT(db->source) : DB_NULL;
}

struct db_arg db_actor_node(const struct db *db)
{
	return db->node[0] ? DB_TEXT(db->node) : DB_NULL;
}

const char *db_error(const struct db *db)
{
	return db->error;
}

enum db_status db_malformed(struct db *db, const char *table)
{
	snprintf(db->error, sizeof(db->error),
		 "a row of %s holds a value its column cannot hold", table);
	return DB_FAILED;
}

static void bind_args(MYSQL_BIND *binds, const struct db_arg *args,
		      size_t nargs, unsigned long *lengths)
{
	memset(binds, 0, sizeof(*binds) * nargs);
	for (size_t i = 0; i < nargs; i++) {
		switch (args[i].type) {
		case DB_ARG_TEXT:
			lengths[i] = strlen(args[i].text);
			binds[i].buffer_type = MYSQL_TYPE_STRING;
			binds[i].buffer = (void *)args[i].text;
			binds[i].buffer_length = lengths[i];
			binds[i].length = &lengths[i];
			break;
		case DB_ARG_INT:
			binds[i].buffer_type = MYSQL_TYPE_LONGLONG;
			binds[i].buffer = (void *)&args[i].num;
			break;
		case DB_ARG_NULL:
			binds[i].buffer_type = MYSQL_TYPE_NULL;
			break;
		}
	}
}

/* Prepare and execute; on success the statement is left for the caller,
 * who hands it to stmt_done(). */
static enum db_status run(struct db *db, const char *sql,
			  const struct db_arg *args, size_t nargs,
			  MYSQL_STMT **out)
{
	MYSQL_BIND binds[DB_ARGS_MAX];
	unsigned long lengths[DB_ARGS_MAX];
	unsigned int count = (unsigned int)nargs;
	MYSQL_STMT *st;

	if (nargs > DB_ARGS_MAX) {
		snprintf(db->error, sizeof(db->error), "too many parameters");
		return DB_FAILED;
	}
	if (nargs)
		bind_args(binds, args, nargs, lengths);
	if (db->keep && (st = kept_find(db, sql))) {
		if ((nargs && mysql_stmt_bind_param(st, binds)) ||
		    mysql_stmt_execute(st))
			return stmt_failure(db, st);
		*out = st;
		return DB_OK;
	}
	st = mysql_stmt_init(db->conn);
	if (!st)
		return conn_failure(db);
	/* Prepare and execute in one round trip (MariaDB's "execute direct"):
	 * the parameters are bound before the statement is known, so their
	 * number is declared first. */
	if (mysql_stmt_attr_set(st, STMT_ATTR_PREBIND_PARAMS, &count))
		return stmt_failure(db, st);
	if (nargs && mysql_stmt_bind_param(st, binds))
		return stmt_failure(db, st);
	if (mariadb_stmt_execute_direct(st, sql, strlen(sql)))
		return stmt_failure(db, st);
	if (db->keep)
		kept_add(db, sql, st);
	*out = st;
	return DB_OK;
}

enum db_status db_exec(struct db *db, const char *sql,
		       const struct db_arg *args, size_t nargs,
		       unsigned long long *affected)
{
	MYSQL_STMT *st;
	enum db_status status = run(db, sql, args, nargs, &st);

	if (status != DB_OK)
		return status;
	if (affected)
		*affected = mysql_stmt_affected_rows(st);
	stmt_done(db, st);
	return DB_OK;
}

struct row_buffers {
	MYSQL_BIND binds[DB_COLS_MAX];
	char cells[DB_COLS_MAX][DB_CELL_MAX];
	unsigned long lengths[DB_COLS_MAX];
	my_bool nulls[DB_COLS_MAX];
	const char *cols[DB_COLS_MAX];
};

static int bind_row(struct row_buffers *rb, size_t ncols)
{
	memset(rb->binds, 0, sizeof(rb->binds));
	memset(rb->lengths, 0, sizeof(rb->lengths));
	memset(rb->nulls, 0, sizeof(rb->nulls));
	for (size_t i = 0; i < ncols; i++) {
		rb->binds[i].buffer_type = MYSQL_TYPE_STRING;
		rb->binds[i].buffer = rb->cells[i];
		rb->binds[i].buffer_length = DB_CELL_MAX;
		rb->binds[i].length = &rb->lengths[i];
		rb->binds[i].is_null = &rb->nulls[i];
	}
	return 0;
}

/* Point cols[] at the cells, NULL for SQL NULL, each one terminated. */
static void expose_row(struct row_buffers *rb, size_t ncols)
{
	for (size_t i = 0; i < ncols; i++) {
		size_t len;

		/* The length of a NULL column is not set: not read. */
		if (rb->nulls[i]) {
			rb->cols[i] = NULL;
			continue;
		}
		len = rb->lengths[i] < DB_CELL_MAX ? rb->lengths[i]
						   : DB_CELL_MAX - 1;
		rb->cells[i][len] = '\0';
		rb->cols[i] = rb->cells[i];
	}
}

/* The caller has what it wanted: the rows left (a few: such callers read
 * one) are read and let go, so that a kept statement can run again. */
static enum db_status stopped_early(struct db *db, MYSQL_STMT *st)
{
	int rc;

	if (!kept_holds(db, st)) {
		mysql_stmt_close(st);
		return DB_OK;
	}
	while ((rc = mysql_stmt_fetch(st)) == 0 || rc == MYSQL_DATA_TRUNCATED)
		;
	if (rc == MYSQL_NO_DATA)
		stmt_done(db, st);
	else
		stmt_drop(db, st);
	return DB_OK;
}

static enum db_status fetch_rows(struct db *db, MYSQL_STMT *st,
				 db_row_fn fn, void *ctx)
{
	/* Owned by this call, not static: a row callback that queries another
	 * connection cannot overwrite the row it was given.  (This connection
	 * is busy until the last row is fetched: the rows are not buffered.) */
	struct row_buffers rb;
	size_t ncols = mysql_stmt_field_count(st);
	int rc;

	if (ncols > DB_COLS_MAX) {
		snprintf(db->error, sizeof(db->error), "too many columns");
		stmt_drop(db, st);
		return DB_FAILED;
	}
	bind_row(&rb, ncols);
	if (mysql_stmt_bind_result(st, rb.binds))
		return stmt_failure(db, st);
	while ((rc = mysql_stmt_fetch(st)) == 0) {
		expose_row(&rb, ncols);
		if (fn(ctx, rb.cols, ncols) != 0)
			return stopped_early(db, st);
	}
	if (rc == 1)
		return stmt_failure(db, st);
	if (rc == MYSQL_DATA_TRUNCATED) {
		snprintf(db->error, sizeof(db->error),
			 "a value is longer than %d bytes", DB_CELL_MAX - 1);
		stmt_drop(db, st);
		return DB_FAILED;
	}
	stmt_done(db, st);
	return DB_OK;
}

enum db_status db_query(struct db *db, const char *sql,
			const struct db_arg *args, size_t nargs,
			db_row_fn fn, void *ctx)
{
	MYSQL_STMT *st;
	enum db_status status = run(db, sql, args, nargs, &st);

	if (status != DB_OK)
		return status;
	return fetch_rows(db, st, fn, ctx);
}

struct grants_ctx {
	db_line_fn fn;
	void *ctx;
};

static int on_grant(void *ctx, const char *const *cols, size_t ncols)
{
	struct grants_ctx *g = ctx;

	if (ncols == 1 && cols[0])
		g->fn(g->ctx, cols[0]);
	return 0;
}

enum db_status db_grants(struct db *db, db_line_fn fn, void *ctx)
{
	struct grants_ctx g = { fn, ctx };

	return db_query(db, "SHOW GRANTS", NULL, 0,
			on_grant, &g);
}

/* The first row's column `name`, however many columns the result has:
 * every column is bound with no room (the fetch reports them truncated,
 * which is expected), then that one is fetched into buf.  *found is false
 * when there is no row, no such column, a NULL, or a value too long. */
static enum db_status fetch_named_column(struct db *db, MYSQL_STMT *st,
					 const char *name, char *buf,
					 size_t len, bool *found)
{
	MYSQL_RES *meta = mysql_stmt_result_metadata(st);
	unsigned n = mysql_stmt_field_count(st), at = n;
	MYSQL_BIND *binds = calloc(n ? n : 1, sizeof(*binds));
	unsigned long *lengths = calloc(n ? n : 1, sizeof(*lengths));
	my_bool *nulls = calloc(n ? n : 1, sizeof(*nulls));
	enum db_status status = DB_OK;
	int rc;

	*found = false;
	if (!meta || !binds || !lengths || !nulls) {
		snprintf(db->error, sizeof(db->error), "out of memory");
		status = DB_FAILED;
		goto out;
	}
	for (unsigned i = 0; i < n; i++) {
		if (strcmp(mysql_fetch_field_direct(meta, i)->name, name) == 0)
			at = i;
		binds[i].buffer_type = MYSQL_TYPE_STRING;
		binds[i].length = &lengths[i];
		binds[i].is_null = &nulls[i];
	}
	if (mysql_stmt_bind_result(st, binds))
		goto failed;
	rc = mysql_stmt_fetch(st);
	if (rc == 1)
		goto failed;
	if (rc != MYSQL_NO_DATA && at < n && !nulls[at] && lengths[at] < len) {
		MYSQL_BIND one = { 0 };
		unsigned long got = 0;

		one.buffer_type = MYSQL_TYPE_STRING;
		one.buffer = buf;
		one.buffer_length = (unsigned long)len;
		one.length = &got;
		if (mysql_stmt_fetch_column(st, &one, at, 0))
			goto failed;
		buf[got < len ? got : len - 1] = '\0';
		*found = true;
	}
	goto out;
failed:
	snprintf(db->error, sizeof(db->error), "%s", mysql_stmt_error(st));
	status = classify(mysql_stmt_errno(st));
out:
	if (meta)
		mysql_free_result(meta);
	free(binds);
	free(lengths);
	free(nulls);
	if (status == DB_OK)
		stmt_done(db, st);
	else
		stmt_drop(db, st);
	return status;
}

enum db_status db_replica_lag(struct db *db, long long *seconds,
			      bool *reported)
{
	MYSQL_STMT *st;
	char text[32];
	enum db_status status = run(db, "SHOW SLAVE STATUS", NULL, 0, &st);

	*reported = false;
	if (status != DB_OK)
		return status;
	status = fetch_named_column(db, st, "Seconds_Behind_Master", text,
				    sizeof(text), reported);
	if (status == DB_OK && *reported &&
	    !parse_int_in(text, 0, 1LL << 40, seconds))
		*reported = false;
	return status;
}
