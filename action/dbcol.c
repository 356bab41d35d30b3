/* dbcol.c - the columns of a result row, typed at the database boundary.
 *
 * The connector hands every column back as text (db.c binds them all as
 * strings), so each number a row carries is converted here, once, with
 * every way it can be wrong checked, instead of by atoi() at each reader.
 * Pure code: no connection, no mysql.h. */
#include "db.h"

#include "textcopy.h"

#include <errno.h>
#include <stdlib.h>

bool db_col_null(const char *const *cols, size_t ncols, size_t i)
{
	return i >= ncols || cols[i] == NULL;
}

/* "-12", "0", "42": an optional minus, then digits only.  strtoll alone
 * would take leading spaces, a plus sign and trailing garbage. */
static bool plain_integer(const char *text)
{
	const char *p = text[0] == '-' ? text + 1 : text;

	if (*p == '\0')
		return false;
	for (; *p; p++)
		if (*p < '0' || *p > '9')
			return false;
	return true;
}

bool db_col_int(const char *const *cols, size_t ncols, size_t i,
		long long null_value, long long *out)
{
	long long value;

	if (i >= ncols)
		return false;
	if (!cols[i]) {
		*out = null_value;
		return true;
	}
	if (!plain_integer(cols[i]))
		return false;
	errno = 0;
	value = strtoll(cols[i], NULL, 10);
	if (errno == ERANGE)
		return false;
	*out = value;
	return true;
}

bool db_col_bool(const char *const *cols, size_t ncols, size_t i,
		 bool null_value, bool *out)
{
	long long value;

	if (i >= ncols)
		return false;
	if (!cols[i]) {
		*out = null_value;
		return true;
	}
	if (!db_col_int(cols, ncols, i, 0, &value))
		return false;
	*out = value != 0;
	return true;
}

bool db_col_text(const char *const *cols, size_t ncols, size_t i,
		 char *buf, size_t size)
{
	if (i >= ncols || size == 0)
		return false;
	return text_copy(buf, size, cols[i] ? cols[i] : "");
}

int db_row_found(void *ctx, const char *const *cols, size_t ncols)
{
	(void)cols;
	(void)ncols;
	*(bool *)ctx = true;
	return 1;
}
