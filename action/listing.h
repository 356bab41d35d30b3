/* listing.h - rows for people (an aligned table) or for scripts (a JSON
 * array of objects), from the same calls.
 *
 * JSON shape: [ {"<field>": <value>, ...}, ... ] with the fields in the
 * order given, strings as JSON strings, numbers as numbers, flags as true
 * or false.  The field names are part of mc-f2b's interface (mc-f2b(8)).
 *
 * Every text may come from the shared database, which whoever can write it
 * controls, so neither mode passes one through raw.
 *
 * Table mode shows well-formed, printable UTF-8 as it is and spells the
 * rest so that a terminal prints it instead of obeying it:
 *   \                                            as \\
 *   a byte below 0x20, and 0x7f                  as \xNN
 *   each byte of no well-formed UTF-8 sequence   as \xNN
 *     (stray continuation, overlong form, surrogate, above U+10FFFF,
 *     sequence cut short)
 *   C1 controls U+0080..U+009F, and the bidirectional and invisible
 *   format characters U+00AD, U+061C, U+115F..U+1160, U+180E,
 *   U+200B..U+200F, U+2028..U+202E, U+2060..U+206F, U+3164, U+FEFF,
 *   U+FFA0, U+FFF9..U+FFFB, U+E0000..U+E007F     as \uNNNN (\U00NNNNNN
 *                                                  beyond U+FFFF)
 * with lowercase hex digits.  Headers are escaped alike, and a column is
 * as wide as its longest escaped text in code points.
 *
 * JSON mode escapes " and \, writes controls below 0x20, 0x7f, the C1
 * controls and the same format controls as \uNNNN (lowercase), and replaces
 * each byte of no well-formed UTF-8 sequence with \ufffd: the output is
 * valid JSON (RFC 8259) whatever the bytes. */
#ifndef MC_F2B_LISTING_H
#define MC_F2B_LISTING_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

/* FIELD_UNKNOWN: a value not known (SQL NULL): "-" in a table, null in
 * JSON. */
enum field_type { FIELD_TEXT, FIELD_NUMBER, FIELD_FLAG, FIELD_UNKNOWN };

struct field {
	const char *name;      /* JSON key, and the table's column header */
	enum field_type type;
	const char *text;
	long long number;      /* FIELD_NUMBER; FIELD_FLAG: 0 or 1 */
};

#define TEXT(n, v)   ((struct field){ .name = (n), .type = FIELD_TEXT, .text = (v) })
#define NUMBER(n, v) ((struct field){ .name = (n), .type = FIELD_NUMBER, .number = (v) })
#define UNKNOWN(n)   ((struct field){ .name = (n), .type = FIELD_UNKNOWN })
#define FLAG(n, v)   ((struct field){ .name = (n), .type = FIELD_FLAG, .number = (v) })

#define LISTING_FIELDS_MAX 16

struct listing {
	FILE *out;
	bool json;
	bool failed;           /* a row was refused or lost */
	size_t columns;
	size_t rows;
	char **cells;          /* table mode, escaped: kept until listing_end() */
	size_t cap;            /* cells allocated */
	char *headers[LISTING_FIELDS_MAX];
	size_t widths[LISTING_FIELDS_MAX];
};

void listing_begin(struct listing *l, FILE *out, bool json);

/* Every row of one listing has the same number of fields as the first
 * (at most LISTING_FIELDS_MAX), in the same order.  Returns -1, and marks
 * the listing failed, when the row is refused or memory runs out; the
 * rows before it stay. */
int listing_row(struct listing *l, const struct field *fields, size_t n);

/* Print what table mode kept (or close the JSON array); "empty" is what a
 * person sees when there was no row, unless a row was lost: then table
 * mode prints nothing rather than claim there was none. */
void listing_end(struct listing *l, const char *empty);

/* The listing cannot be finished (its source failed, said elsewhere): free
 * what table mode kept without printing it; JSON's array is closed, so
 * that what was printed stays JSON. */
void listing_abandon(struct listing *l);

/* Whether a row was refused or lost since listing_begin(), still true after
 * listing_end(): the listing printed is then incomplete, and the command
 * must fail. */
bool listing_failed(const struct listing *l);

#endif
