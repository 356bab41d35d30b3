/* test_dbcol.c - a result row's columns read as numbers, flags and text:
 * what a row written by another program can hold is refused, not guessed. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "db.h"

static void test_integers(void **state)
{
	const char *cols[] = {
		"42", "-7", "0", NULL, "9223372036854775807",
		"9223372036854775808", " 1", "1 ", "+1", "1x", "", "-", "0x10",
		"-9223372036854775808", "-9223372036854775809",
	};
	size_t n = sizeof(cols) / sizeof(cols[0]);
	long long v = 99;

	(void)state;
	assert_true(db_col_int(cols, n, 0, 0, &v));
	assert_int_equal(v, 42);
	assert_true(db_col_int(cols, n, 1, 0, &v));
	assert_int_equal(v, -7);
	assert_true(db_col_int(cols, n, 2, 5, &v));
	assert_int_equal(v, 0);
	assert_true(db_col_int(cols, n, 3, 5, &v));
	assert_int_equal(v, 5);
	assert_true(db_col_int(cols, n, 4, 0, &v));
	assert_true(v == 9223372036854775807LL);
	assert_true(db_col_int(cols, n, 13, 0, &v));
	assert_true(v == -9223372036854775807LL - 1);
	/* Out of range, padded, signed with +, trailing text, empty, hex:
	 * refused, and the value before is left alone. */
	v = 99;
	for (size_t i = 5; i <= 12; i++)
		assert_false(db_col_int(cols, n, i, 0, &v));
	assert_false(db_col_int(cols, n, 14, 0, &v));
	assert_int_equal(v, 99);
	/* A column the row does not have. */
	assert_false(db_col_int(cols, n, n, 0, &v));
	assert_int_equal(v, 99);
}

static void test_flags(void **state)
{
	const char *cols[] = { "1", "0", NULL, "2", "yes", "-1" };
	size_t n = sizeof(cols) / sizeof(cols[0]);
	bool b = false;

	(void)state;
	assert_true(db_col_bool(cols, n, 0, false, &b));
	assert_true(b);
	assert_true(db_col_bool(cols, n, 1, true, &b));
	assert_false(b);
	/* NULL is the column's default, as the caller says. */
	assert_true(db_col_bool(cols, n, 2, true, &b));
	assert_true(b);
	assert_true(db_col_bool(cols, n, 2, false, &b));
	assert_false(b);
	assert_true(db_col_bool(cols, n, 3, false, &b));
	assert_true(b);
	b = false;
	assert_false(db_col_bool(cols, n, 4, false, &b));
	assert_false(b);
	assert_true(db_col_bool(cols, n, 5, false, &b));
	assert_true(b);
	assert_false(db_col_bool(cols, n, 6, false, &b));
	assert_true(db_col_null(cols, n, 2));
	assert_true(db_col_null(cols, n, 6));
	assert_false(db_col_null(cols, n, 0));
}

static void test_text(void **state)
{
	const char *cols[] = { "mc-exim", NULL, "0123456789" };
	size_t n = sizeof(cols) / sizeof(cols[0]);
	char buf[10];
	char tiny[1];

	(void)state;
	assert_true(db_col_text(cols, n, 0, buf, sizeof(buf)));
	assert_string_equal(buf, "mc-exim");
	assert_true(db_col_text(cols, n, 1, buf, sizeof(buf)));
	assert_string_equal(buf, "");
	/* Ten characters do not fit ten bytes: never a truncated value. */
	strcpy(buf, "before");
	assert_false(db_col_text(cols, n, 2, buf, sizeof(buf)));
	assert_string_equal(buf, "");
	assert_false(db_col_text(cols, n, 0, tiny, sizeof(tiny)));
	assert_string_equal(tiny, "");
	assert_true(db_col_text(cols, n, 1, tiny, sizeof(tiny)));
	assert_false(db_col_text(cols, n, 3, buf, sizeof(buf)));
	assert_false(db_col_text(cols, n, 0, buf, 0));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_integers),
		cmocka_unit_test(test_flags),
		cmocka_unit_test(test_text),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
