/* test_listing.c - tables for people and JSON for scripts, byte for byte. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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
		"2001:db8::1  12     no      a\"b\\\\c\\x0a\\x01\n");
	assert_false(listing_failed(&l));
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
	assert_false(listing_failed(&l));
	free(buf);
}

/* A value not known: "-" for people, null for scripts. */
static void test_unknown(void **state)
{
	const struct field f[] = { UNKNOWN("failures"), NUMBER("bantime", 60) };
	struct listing l;
	FILE *out;

	(void)state;
	for (int json = 0; json < 2; json++) {
		out = open_buffer();
		listing_begin(&l, out, json);
		assert_int_equal(listing_row(&l, f, 2), 0);
		listing_end(&l, "nothing");
		fclose(out);
		assert_string_equal(buf, json ?
			"[\n{\"failures\":null,\"bantime\":60}\n]\n" :
			"failures  bantime\n-         60\n");
		free(buf);
	}
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

/* One database text, what a table shows of it and what JSON makes of it
 * (the JSON string with its quotes). */
struct escape_case {
	const char *name;
	const char *text;
	const char *table;
	const char *json;
};

static const struct escape_case escapes[] = {
	{ "ESC [2J clears the screen",
	  "\x1b[2J", "\\x1b[2J", "\"\\u001b[2J\"" },
	{ "a newline would forge a row",
	  "a\nb", "a\\x0ab", "\"a\\u000ab\"" },
	{ "a tab",
	  "a\tb", "a\\x09b", "\"a\\u0009b\"" },
	{ "DEL",
	  "a\x7f", "a\\x7f", "\"a\\u007f\"" },
	{ "a raw 0x9b (CSI to 8-bit terminals) is no UTF-8",
	  "a\x9b" "2J", "a\\x9b2J", "\"a\\ufffd2J\"" },
	{ "U+009B, CSI encoded in UTF-8",
	  "a\xc2\x9b" "2J", "a\\u009b2J", "\"a\\u009b2J\"" },
	{ "U+0080 and U+009F, the ends of C1",
	  "\xc2\x80\xc2\x9f", "\\u0080\\u009f", "\"\\u0080\\u009f\"" },
	{ "U+00A0 is printable",
	  "a\xc2\xa0" "b", "a\xc2\xa0" "b", "\"a\xc2\xa0" "b\"" },
	{ "U+202E, right-to-left override",
	  "1.2.3.4\xe2\x80\xae", "1.2.3.4\\u202e", "\"1.2.3.4\\u202e\"" },
	{ "U+FEFF, zero width no-break space",
	  "\xef\xbb\xbf" "x", "\\ufeffx", "\"\\ufeffx\"" },
	{ "U+E0041, a tag character: beyond U+FFFF, a pair in JSON",
	  "a\xf3\xa0\x81\x81" "b", "a\\U000e0041b",
	  "\"a\\udb40\\udc41b\"" },
	{ "U+2029 and U+00AD, a paragraph separator and a soft hyphen",
	  "\xe2\x80\xa9\xc2\xad", "\\u2029\\u00ad", "\"\\u2029\\u00ad\"" },
	{ "U+061C, arabic letter mark",
	  "\xd8\x9c", "\\u061c", "\"\\u061c\"" },
	{ "U+200B and U+200F, the ends of the zero widths and marks",
	  "\xe2\x80\x8b\xe2\x80\x8f", "\\u200b\\u200f",
	  "\"\\u200b\\u200f\"" },
	{ "U+2010, after them, is printable",
	  "\xe2\x80\x90", "\xe2\x80\x90", "\"\xe2\x80\x90\"" },
	{ "U+202A, the first embedding",
	  "\xe2\x80\xaa", "\\u202a", "\"\\u202a\"" },
	{ "U+2060 and U+2069, the ends of the joiners and isolates",
	  "\xe2\x81\xa0\xe2\x81\xa9", "\\u2060\\u2069",
	  "\"\\u2060\\u2069\"" },
	{ "an invalid byte 0xff",
	  "a\xff" "b", "a\\xffb", "\"a\\ufffdb\"" },
	{ "a stray continuation byte",
	  "\x80", "\\x80", "\"\\ufffd\"" },
	{ "a two-byte sequence cut short at the end",
	  "caf\xc3", "caf\\xc3", "\"caf\\ufffd\"" },
	{ "a three-byte sequence cut short at the end",
	  "x\xe2\x82", "x\\xe2\\x82", "\"x\\ufffd\\ufffd\"" },
	{ "a sequence cut short by an ASCII byte",
	  "\xe2\x82" "A", "\\xe2\\x82A", "\"\\ufffd\\ufffdA\"" },
	{ "an overlong '/' in two bytes",
	  "..\xc0\xaf", "..\\xc0\\xaf", "\"..\\ufffd\\ufffd\"" },
	{ "an overlong '/' in three bytes",
	  "\xe0\x80\xaf", "\\xe0\\x80\\xaf", "\"\\ufffd\\ufffd\\ufffd\"" },
	{ "an overlong U+009B in three bytes",
	  "\xe0\x82\x9b", "\\xe0\\x82\\x9b", "\"\\ufffd\\ufffd\\ufffd\"" },
	{ "a surrogate, U+D800",
	  "\xed\xa0\x80", "\\xed\\xa0\\x80", "\"\\ufffd\\ufffd\\ufffd\"" },
	{ "above U+10FFFF",
	  "\xf4\x90\x80\x80", "\\xf4\\x90\\x80\\x80",
	  "\"\\ufffd\\ufffd\\ufffd\\ufffd\"" },
	{ "a backslash cannot pass for an escape",
	  "a\\x1b", "a\\\\x1b", "\"a\\\\x1b\"" },
	{ "a double quote",
	  "a\"b", "a\"b", "\"a\\\"b\"" },
	{ "printable UTF-8 stays: é, ü, CJK, plane 16, an emoji",
	  "\xc3\xa9\xc3\xbc\xe6\x97\xa5\xf4\x8f\xbf\xbd\xf0\x9f\x98\x80",
	  "\xc3\xa9\xc3\xbc\xe6\x97\xa5\xf4\x8f\xbf\xbd\xf0\x9f\x98\x80",
	  "\"\xc3\xa9\xc3\xbc\xe6\x97\xa5\xf4\x8f\xbf\xbd\xf0\x9f\x98\x80\"" },
};

#define ESCAPES (sizeof(escapes) / sizeof(escapes[0]))

/* The whole output of a one-row, one-column listing of text. */
static char *listed(const char *text, bool json)
{
	struct listing l;
	const struct field row[] = { TEXT("v", text) };
	FILE *f = open_buffer();

	listing_begin(&l, f, json);
	assert_int_equal(listing_row(&l, row, 1), 0);
	listing_end(&l, "nothing");
	fclose(f);
	assert_false(listing_failed(&l));
	return buf;
}

static void test_table_escape(void **state)
{
	const struct escape_case *c = *state;
	char want[256];
	char *got = listed(c->text, false);

	snprintf(want, sizeof(want), "v\n%s\n", c->table);
	assert_string_equal(got, want);
	free(got);
}

static void test_json_escape(void **state)
{
	const struct escape_case *c = *state;
	char want[256];
	char *got = listed(c->text, true);

	snprintf(want, sizeof(want), "[\n{\"v\":%s}\n]\n", c->json);
	assert_string_equal(got, want);
	free(got);
}

/* Columns count code points of what is shown: é is one, and an escape as
 * many as it has characters. */
static void test_alignment(void **state)
{
	struct listing l;
	FILE *f = open_buffer();
	const char *names[] = { "Jos\xc3\xa9", "a\tb", "Bob" };

	(void)state;
	listing_begin(&l, f, false);
	for (size_t i = 0; i < 3; i++) {
		const struct field row[] = {
			TEXT("name", names[i]), NUMBER("n", (long long)i),
			TEXT("host", "mx"),
		};
		assert_int_equal(listing_row(&l, row, 3), 0);
	}
	listing_end(&l, "nothing");
	fclose(f);
	assert_string_equal(buf,
		"name    n  host\n"
		"Jos\xc3\xa9    0  mx\n"
		"a\\x09b  1  mx\n"
		"Bob     2  mx\n");
	free(buf);
}

static void test_alignment_of_accented_header(void **state)
{
	struct listing l;
	FILE *f = open_buffer();
	const struct field a[] = {
		TEXT("h\xc3\xb4te", "\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9"),
		TEXT("ip", "192.0.2.1"),
	};
	const struct field b[] = { TEXT("h\xc3\xb4te", "x"), TEXT("ip", "::1") };

	(void)state;
	listing_begin(&l, f, false);
	assert_int_equal(listing_row(&l, a, 2), 0);
	assert_int_equal(listing_row(&l, b, 2), 0);
	listing_end(&l, "nothing");
	fclose(f);
	assert_string_equal(buf,
		"h\xc3\xb4te   ip\n"
		"\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9  192.0.2.1\n"
		"x      ::1\n");
	free(buf);
}

static void test_headers_escaped(void **state)
{
	struct listing l;
	const struct field row[] = { TEXT("a\x1b[m", "x"), TEXT("b", "y") };
	FILE *f = open_buffer();

	(void)state;
	listing_begin(&l, f, false);
	assert_int_equal(listing_row(&l, row, 2), 0);
	listing_end(&l, "");
	listing_begin(&l, f, true);
	assert_int_equal(listing_row(&l, row, 2), 0);
	listing_end(&l, "");
	fclose(f);
	assert_string_equal(buf,
		"a\\x1b[m  b\n"
		"x        y\n"
		"[\n{\"a\\u001b[m\":\"x\",\"b\":\"y\"}\n]\n");
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
	assert_false(listing_failed(&l));
	assert_int_equal(listing_row(&l, two, 2), -1);
	assert_true(listing_failed(&l));
	assert_int_equal(listing_row(&l, one, 0), -1);
	assert_int_equal(listing_row(&l, one, 1), 0);
	listing_end(&l, "");
	assert_true(listing_failed(&l));
	fclose(f);
	/* The rows kept are shown; the caller says the rest was lost. */
	assert_string_equal(buf, "a\nx\nx\n");
	free(buf);
}

static void test_json_rows_must_match(void **state)
{
	struct listing l;
	const struct field one[] = { TEXT("a", "x") };
	const struct field two[] = { TEXT("a", "x"), TEXT("b", "y") };
	FILE *f = open_buffer();

	(void)state;
	listing_begin(&l, f, true);
	assert_int_equal(listing_row(&l, one, 1), 0);
	assert_int_equal(listing_row(&l, two, 2), -1);
	assert_true(listing_failed(&l));
	listing_end(&l, "");
	fclose(f);
	assert_string_equal(buf, "[\n{\"a\":\"x\"}\n]\n");
	assert_true(listing_failed(&l));
	free(buf);
}

/* No "no jails" when the only row was refused: that would be a lie. */
static void test_too_many_fields(void **state)
{
	struct listing l;
	struct field many[LISTING_FIELDS_MAX + 1];
	FILE *f = open_buffer();

	(void)state;
	for (size_t i = 0; i < LISTING_FIELDS_MAX + 1; i++)
		many[i] = TEXT("f", "x");
	listing_begin(&l, f, false);
	assert_int_equal(listing_row(&l, many, LISTING_FIELDS_MAX + 1), -1);
	assert_true(listing_failed(&l));
	listing_end(&l, "no jails");
	assert_true(listing_failed(&l));
	fclose(f);
	assert_string_equal(buf, "");
	free(buf);
}

static void test_most_fields(void **state)
{
	struct listing l;
	struct field most[LISTING_FIELDS_MAX];
	FILE *f = open_buffer();

	(void)state;
	for (size_t i = 0; i < LISTING_FIELDS_MAX; i++)
		most[i] = NUMBER("f", (long long)(i % 10));
	listing_begin(&l, f, false);
	assert_int_equal(listing_row(&l, most, LISTING_FIELDS_MAX), 0);
	listing_end(&l, "");
	fclose(f);
	assert_false(listing_failed(&l));
	assert_string_equal(buf,
		"f  f  f  f  f  f  f  f  f  f  f  f  f  f  f  f\n"
		"0  1  2  3  4  5  6  7  8  9  0  1  2  3  4  5\n");
	free(buf);
}

/* Past the first allocation of cells, and every row still there. */
static void test_many_rows(void **state)
{
	enum { ROWS = 1000 };
	struct listing l;
	FILE *f = open_buffer();
	char line[32];
	size_t lines = 0;

	(void)state;
	listing_begin(&l, f, false);
	for (long long i = 0; i < ROWS; i++) {
		const struct field row[] = { NUMBER("n", i), FLAG("odd", i % 2) };
		assert_int_equal(listing_row(&l, row, 2), 0);
	}
	listing_end(&l, "");
	fclose(f);
	assert_false(listing_failed(&l));
	for (const char *p = buf; (p = strchr(p, '\n')); p++)
		lines++;
	assert_int_equal(lines, ROWS + 1);
	snprintf(line, sizeof(line), "\n%d  yes\n", ROWS - 1);
	assert_non_null(strstr(buf, line));
	free(buf);
}

int main(void)
{
	static const struct CMUnitTest fixed[] = {
		cmocka_unit_test(test_table),
		cmocka_unit_test(test_json),
		cmocka_unit_test(test_empty),
		cmocka_unit_test(test_unknown),
		cmocka_unit_test(test_alignment),
		cmocka_unit_test(test_alignment_of_accented_header),
		cmocka_unit_test(test_headers_escaped),
		cmocka_unit_test(test_rows_must_match),
		cmocka_unit_test(test_json_rows_must_match),
		cmocka_unit_test(test_too_many_fields),
		cmocka_unit_test(test_most_fields),
		cmocka_unit_test(test_many_rows),
	};
	struct CMUnitTest tests[sizeof(fixed) / sizeof(fixed[0]) + 2 * ESCAPES];
	char names[2 * ESCAPES][128];
	size_t n = 0;

	for (size_t i = 0; i < sizeof(fixed) / sizeof(fixed[0]); i++)
		tests[n++] = fixed[i];
	/* One named test per case and mode, so that a failure says which. */
	for (size_t i = 0; i < ESCAPES; i++) {
		snprintf(names[2 * i], sizeof(names[0]), "table: %s",
			 escapes[i].name);
		snprintf(names[2 * i + 1], sizeof(names[0]), "json: %s",
			 escapes[i].name);
		tests[n++] = (struct CMUnitTest){ names[2 * i],
			test_table_escape, NULL, NULL, (void *)&escapes[i] };
		tests[n++] = (struct CMUnitTest){ names[2 * i + 1],
			test_json_escape, NULL, NULL, (void *)&escapes[i] };
	}
	assert_int_equal(n, sizeof(tests) / sizeof(tests[0]));
	return cmocka_run_group_tests(tests, NULL, NULL);
}
