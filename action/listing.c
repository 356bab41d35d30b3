/* listing.c - aligned tables and JSON arrays. */
#include "listing.h"

#include <stdlib.h>
#include <string.h>

/* A JSON string, quoted and escaped. */
static void json_string(FILE *out, const char *s)
{
	fputc('"', out);
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		if (*p == '"' || *p == '\\')
			fprintf(out, "\\%c", *p);
		else if (*p < 0x20 || *p == 0x7f)
			fprintf(out, "\\u%04x", *p);
		else
			fputc(*p, out);
	}
	fputc('"', out);
}

void listing_begin(struct listing *l, FILE *out, bool json)
{
	memset(l, 0, sizeof(*l));
	l->out = out;
	l->json = json;
	if (json)
		fputc('[', out);
}

static void json_row(struct listing *l, const struct field *f, size_t n)
{
	fputs(l->rows ? ",\n{" : "\n{", l->out);
	for (size_t i = 0; i < n; i++) {
		fprintf(l->out, "%s\"%s\":", i ? "," : "", f[i].name);
		if (f[i].type == FIELD_TEXT)
			json_string(l->out, f[i].text ? f[i].text : "");
		else if (f[i].type == FIELD_NUMBER)
			fprintf(l->out, "%lld", f[i].number);
		else
			fputs(f[i].number ? "true" : "false", l->out);
	}
	fputc('}', l->out);
}

/* One cell as a person reads it: flags as yes/no. */
static char *cell_text(const struct field *f)
{
	char buf[32];

	if (f->type == FIELD_TEXT)
		return strdup(f->text ? f->text : "");
	if (f->type == FIELD_FLAG)
		return strdup(f->number ? "yes" : "no");
	snprintf(buf, sizeof(buf), "%lld", f->number);
	return strdup(buf);
}

static int keep_row(struct listing *l, const struct field *f, size_t n)
{
	if (l->columns == 0) {
		l->columns = n;
		for (size_t i = 0; i < n; i++) {
			l->headers[i] = strdup(f[i].name);
			l->widths[i] = strlen(f[i].name);
		}
	}
	if ((l->rows + 1) * n > l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 64 * n;
		char **grown = realloc(l->cells, cap * sizeof(*grown));
		if (!grown)
			return -1;
		l->cells = grown;
		l->cap = cap;
	}
	for (size_t i = 0; i < n; i++) {
		char *c = cell_text(&f[i]);
		if (!c)
			return -1;
		l->cells[l->rows * n + i] = c;
		if (strlen(c) > l->widths[i])
			l->widths[i] = strlen(c);
	}
	return 0;
}

int listing_row(struct listing *l, const struct field *fields, size_t n)
{
	if (n == 0 || n > 16 || (l->columns && n != l->columns))
		return -1;
	if (l->json)
		json_row(l, fields, n);
	else if (keep_row(l, fields, n) != 0)
		return -1;
	l->rows++;
	return 0;
}

static void print_line(struct listing *l, char *const *cells)
{
	for (size_t i = 0; i < l->columns; i++) {
		if (i + 1 < l->columns)
			fprintf(l->out, "%-*s  ", (int)l->widths[i], cells[i]);
		else
			fprintf(l->out, "%s\n", cells[i]);
	}
}

void listing_end(struct listing *l, const char *empty)
{
	if (l->json) {
		fputs(l->rows ? "\n]\n" : "]\n", l->out);
		return;
	}
	if (l->rows == 0) {
		fprintf(l->out, "%s\n", empty);
	} else {
		print_line(l, l->headers);
		for (size_t r = 0; r < l->rows; r++)
			print_line(l, l->cells + r * l->columns);
	}
	for (size_t i = 0; i < l->rows * l->columns; i++)
		free(l->cells[i]);
	for (size_t i = 0; i < l->columns; i++)
		free(l->headers[i]);
	free(l->cells);
}
