/* test_listing.c - tables for people and JSON for scripts, byte for byte. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>

#include "listing.h"

static char *buf;
static size_t len;

static FILE *open_buffer(void)
{
	FILE *f = open_memstream(&buf, &len);

	assert_non_null(f);
	return f;
}

static void rows(struct listing *l)
{
	const struct field a[] = {
		TEXT("ip", "192.0.2.1"), NUMBER("count", 4),
		FLAG("active", 1), TEXT("host", "mx1"),
	};
	const struct field b[] = {
		TEXT("ip", "2001:db8::1"), NUMBER("count", 12),
		FLAG("active", 0), TEXT("host", "a\"b\\c\n\x01"),
	};

	assert_int_equal(listing_row(l, a, 4), 0);
	assert_int_equal(listing_row(l, b, 4), 0);
}

static void test_table(void **state)
{
	struct listing l;
	FILE *f = open_buffer();

	(void)state;
	listing_begin(&l, f, false);
	rows(&l);
	listing_end(&l, "nothing");
	fclose(f);
	assert_string_equal(buf,
		"ip           count  active  host\n"
		"192.0.2.1    4      yes     mx1\n"
		"2001:db8::1  12     no      a\"b\\c\n\x01\n");
	free(buf);
}

static void test_json(void **state)
{
	struct listing l;
	FILE *f = open_buffer();

	(void)state;
	listing_begin(&l, f, true);
	rows(&l);
	listing_end(&l, "nothing");
	fclose(f);
	assert_string_equal(buf,
		"[\n"
		"{\"ip\":\"192.0.2.1\",\"count\":4,\"active\":true,\"host\":\"mx1\"},\n"
		"{\"ip\":\"2001:db8::1\",\"count\":12,\"active\":false,"
		"\"host\":\"a\\\"b\\\\c\\u000a\\u0001\"}\n"
		"]\n");
	free(buf);
}

static void test_empty(void **state)
{
	struct listing l;
	FILE *f = open_buffer();

	(void)state;
	listing_begin(&l, f, false);
	listing_end(&l, "no active ban");
	listing_begin(&l, f, true);
	listing_end(&l, "no active ban");
	fclose(f);
	assert_string_equal(buf, "no active ban\n[]\n");
	free(buf);
}

static void test_rows_must_match(void **state)
{
	struct listing l;
	const struct field one[] = { TEXT("a", "x") };
	const struct field two[] = { TEXT("a", "x"), TEXT("b", "y") };
	FILE *f = open_buffer();

	(void)state;
	listing_begin(&l, f, false);
	assert_int_equal(listing_row(&l, one, 1), 0);
	assert_int_equal(listing_row(&l, two, 2), -1);
	assert_int_equal(listing_row(&l, one, 0), -1);
	listing_end(&l, "");
	fclose(f);
	free(buf);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_table),
		cmocka_unit_test(test_json),
		cmocka_unit_test(test_empty),
		cmocka_unit_test(test_rows_must_match),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
