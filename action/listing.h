/* listing.h - rows for people (an aligned table) or for scripts (a JSON
 * array of objects), from the same calls.
 *
 * JSON shape: [ {"<field>": <value>, ...}, ... ] with the fields in the
 * order given, strings as JSON strings, numbers as numbers, flags as true
 * or false.  The field names are part of mc-f2b's interface (mc-f2b(8)). */
#ifndef MC_F2B_LISTING_H
#define MC_F2B_LISTING_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

enum field_type { FIELD_TEXT, FIELD_NUMBER, FIELD_FLAG };

struct field {
	const char *name;      /* JSON key, and the table's column header */
	enum field_type type;
	const char *text;
	long long number;      /* FIELD_NUMBER; FIELD_FLAG: 0 or 1 */
};

#define TEXT(n, v)   ((struct field){ .name = (n), .type = FIELD_TEXT, .text = (v) })
#define NUMBER(n, v) ((struct field){ .name = (n), .type = FIELD_NUMBER, .number = (v) })
#define FLAG(n, v)   ((struct field){ .name = (n), .type = FIELD_FLAG, .number = (v) })

struct listing {
	FILE *out;
	bool json;
	size_t columns;
	size_t rows;
	char **cells;          /* table mode: kept until listing_end() */
	size_t cap;
	char *headers[16];
	size_t widths[16];
};

void listing_begin(struct listing *l, FILE *out, bool json);

/* Every row of one listing has the same fields in the same order (at most
 * 16).  Returns -1 when out of memory. */
int listing_row(struct listing *l, const struct field *fields, size_t n);

/* Print what table mode kept (or close the JSON array); "empty" is what a
 * person sees when there was no row. */
void listing_end(struct listing *l, const char *empty);

#endif
