/* listing.c - aligned tables and JSON arrays.
 *
 * The texts come from the shared database: an escape sequence in a host
 * name could clear the screen or rewrite the lines above it, and a
 * bidirectional override could make an address read as another, so every
 * text is taken apart into units first and each unit spelled for its mode
 * (the rules are in listing.h). */
#include "listing.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* What one step through a text meets. */
enum unit_kind {
	UNIT_PRINTABLE,   /* ASCII or well-formed UTF-8, shown as it is */
	UNIT_CONTROL,     /* a byte below 0x20, or 0x7f */
	UNIT_INVISIBLE,   /* a C1 control, or a format control */
	UNIT_INVALID,     /* one byte of no well-formed UTF-8 sequence */
};

struct unit {
	enum unit_kind kind;
	size_t len;       /* bytes taken */
	uint32_t value;   /* the code point; for UNIT_INVALID the byte */
};

/* The lead bytes of well-formed UTF-8 and the range of the byte after each
 * (Unicode, table 3-7): those narrowed ranges are what leave out overlong
 * forms (E0, F0), surrogates (ED) and code points above U+10FFFF (F4). */
struct utf8_lead {
	unsigned char first, last;
	unsigned char len;
	unsigned char low, high;
};

static const struct utf8_lead utf8_leads[] = {
	{ 0xc2, 0xdf, 2, 0x80, 0xbf },
	{ 0xe0, 0xe0, 3, 0xa0, 0xbf },
	{ 0xe1, 0xec, 3, 0x80, 0xbf },
	{ 0xed, 0xed, 3, 0x80, 0x9f },
	{ 0xee, 0xef, 3, 0x80, 0xbf },
	{ 0xf0, 0xf0, 4, 0x90, 0xbf },
	{ 0xf1, 0xf3, 4, 0x80, 0xbf },
	{ 0xf4, 0xf4, 4, 0x80, 0x8f },
};

static const struct utf8_lead *utf8_lead_of(unsigned char byte)
{
	for (size_t i = 0; i < sizeof(utf8_leads) / sizeof(utf8_leads[0]); i++)
		if (byte >= utf8_leads[i].first && byte <= utf8_leads[i].last)
			return &utf8_leads[i];
	return NULL;
}

/* The length of the well-formed sequence starting at p, 0 if none does.
 * Each byte is checked before the next is read, so a sequence cut short
 * by the end of the string stops at its NUL. */
static size_t utf8_decode(const unsigned char *p, uint32_t *point)
{
	const struct utf8_lead *lead = utf8_lead_of(p[0]);
	uint32_t cp;

	if (!lead || p[1] < lead->low || p[1] > lead->high)
		return 0;
	cp = p[0] & (0x7fu >> lead->len);
	for (size_t i = 1; i < lead->len; i++) {
		if (i > 1 && (p[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (p[i] & 0x3fu);
	}
	*point = cp;
	return lead->len;
}

/* Code points a terminal obeys or shows as nothing: the C1 controls (0x9b
 * is CSI for many terminals) and the format controls that reorder or hide
 * text, with which "192.0.2.1" can be made to read as another address. */
static bool is_invisible(uint32_t cp)
{
	static const struct { uint32_t first, last; } invisible[] = {
		{ 0x0080, 0x009f },   /* C1 controls */
		{ 0x00ad, 0x00ad },   /* soft hyphen */
		{ 0x061c, 0x061c },   /* arabic letter mark */
		{ 0x115f, 0x1160 },   /* hangul fillers */
		{ 0x180e, 0x180e },   /* mongolian vowel separator */
		{ 0x200b, 0x200f },   /* zero width space .. right-to-left mark */
		{ 0x2028, 0x2029 },   /* line and paragraph separators */
		{ 0x202a, 0x202e },   /* bidirectional embeddings, overrides */
		{ 0x2060, 0x206f },   /* word joiner .. deprecated format marks */
		{ 0x3164, 0x3164 },   /* hangul filler */
		{ 0xfeff, 0xfeff },   /* zero width no-break space */
		{ 0xffa0, 0xffa0 },   /* halfwidth hangul filler */
		{ 0xfff9, 0xfffb },   /* interlinear annotation marks */
		{ 0xe0000, 0xe007f }, /* tag characters */
	};

	for (size_t i = 0; i < sizeof(invisible) / sizeof(invisible[0]); i++)
		if (cp >= invisible[i].first && cp <= invisible[i].last)
			return true;
	return false;
}

static struct unit next_unit(const unsigned char *p)
{
	struct unit u = { UNIT_PRINTABLE, 1, p[0] };

	if (p[0] < 0x20 || p[0] == 0x7f) {
		u.kind = UNIT_CONTROL;
	} else if (p[0] >= 0x80) {
		u.len = utf8_decode(p, &u.value);
		if (u.len == 0)
			u = (struct unit){ UNIT_INVALID, 1, p[0] };
		else if (is_invisible(u.value))
			u.kind = UNIT_INVISIBLE;
	}
	return u;
}

/* \uXXXX, as a surrogate pair beyond U+FFFF (RFC 8259 7). */
static void json_escape_point(FILE *out, uint32_t point)
{
	if (point <= 0xffff) {
		fprintf(out, "\\u%04x", (unsigned)point);
		return;
	}
	point -= 0x10000;
	fprintf(out, "\\u%04x\\u%04x", (unsigned)(0xd800 | point >> 10),
		(unsigned)(0xdc00 | (point & 0x3ff)));
}

/* A JSON string, quoted and escaped. */
static void json_string(FILE *out, const char *s)
{
	fputc('"', out);
	for (const unsigned char *p = (const unsigned char *)s; *p;) {
		struct unit u = next_unit(p);

		switch (u.kind) {
		case UNIT_PRINTABLE:
			if (*p == '"' || *p == '\\')
				fputc('\\', out);
			fwrite(p, 1, u.len, out);
			break;
		case UNIT_CONTROL:
		case UNIT_INVISIBLE:
			json_escape_point(out, u.value);
			break;
		case UNIT_INVALID:
			/* JSON text is UTF-8 (RFC 8259 8.1): a byte that cannot
			 * be carried becomes the replacement character. */
			fputs("\\ufffd", out);
			break;
		}
		p += u.len;
	}
	fputc('"', out);
}

/* A text under construction whose room was reserved in advance. */
struct text {
	char *s;
	size_t len;
	size_t cap;
};

/* The most one input byte can become: an invalid byte's "\xNN".  (A C1
 * control, two bytes, becomes six; a format control, three, becomes six;
 * a tag character, four, becomes ten.) */
#define ESCAPED_PER_BYTE 4

/* Never short of room when the reservation is right; were it not, the
 * text would lose bytes rather than overrun. */
static void text_put(struct text *t, const void *bytes, size_t n)
{
	if (n < t->cap - t->len) {
		memcpy(t->s + t->len, bytes, n);
		t->len += n;
	}
}

static void text_put_byte(struct text *t, uint32_t byte)
{
	char esc[sizeof("\\xff")];

	snprintf(esc, sizeof(esc), "\\x%02x", (unsigned)byte);
	text_put(t, esc, strlen(esc));
}

static void text_put_point(struct text *t, uint32_t point)
{
	char esc[sizeof("\\U0010ffff")];

	snprintf(esc, sizeof(esc), point > 0xffff ? "\\U%08x" : "\\u%04x",
		 (unsigned)point);
	text_put(t, esc, strlen(esc));
}

/* A text as a terminal may show it (the rules are in listing.h), or NULL
 * when out of memory. */
static char *terminal_text(const char *s)
{
	size_t n = strlen(s);
	struct text t = { NULL, 0, 0 };

	if (n > (SIZE_MAX - 1) / ESCAPED_PER_BYTE)
		return NULL;
	t.cap = n * ESCAPED_PER_BYTE + 1;
	if (!(t.s = malloc(t.cap)))
		return NULL;
	for (const unsigned char *p = (const unsigned char *)s; *p;) {
		struct unit u = next_unit(p);

		if (u.kind == UNIT_PRINTABLE && *p == '\\')
			text_put(&t, "\\\\", 2);
		else if (u.kind == UNIT_PRINTABLE)
			text_put(&t, p, u.len);
		else if (u.kind == UNIT_INVISIBLE)
			text_put_point(&t, u.value);
		else
			text_put_byte(&t, u.value);
		p += u.len;
	}
	t.s[t.len] = '\0';
	return t.s;
}

/* The columns a terminal gives an escaped text: one per code point, so
 * that "José" lines up with "Joe " (wide CJK characters are not measured). */
static size_t display_width(const char *s)
{
	size_t width = 0;

	for (const unsigned char *p = (const unsigned char *)s; *p; p++)
		if ((*p & 0xc0) != 0x80)
			width++;
	return width;
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
		if (i)
			fputc(',', l->out);
		json_string(l->out, f[i].name);
		fputc(':', l->out);
		if (f[i].type == FIELD_TEXT)
			json_string(l->out, f[i].text ? f[i].text : "");
		else if (f[i].type == FIELD_NUMBER)
			fprintf(l->out, "%lld", f[i].number);
		else if (f[i].type == FIELD_UNKNOWN)
			fputs("null", l->out);
		else
			fputs(f[i].number ? "true" : "false", l->out);
	}
	fputc('}', l->out);
}

/* One cell as a person reads it: flags as yes/no, texts escaped. */
static char *cell_text(const struct field *f)
{
	char buf[32];

	if (f->type == FIELD_TEXT)
		return terminal_text(f->text ? f->text : "");
	if (f->type == FIELD_FLAG)
		return strdup(f->number ? "yes" : "no");
	if (f->type == FIELD_UNKNOWN)
		return strdup("-");
	snprintf(buf, sizeof(buf), "%lld", f->number);
	return strdup(buf);
}

static void free_texts(char **texts, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(texts[i]);
}

static char *header_text(const struct field *f)
{
	return terminal_text(f->name);
}

/* The texts of a row, or of its headers, all or none, so that a failure
 * keeps nothing half made. */
static bool escape_all(const struct field *f, size_t n, char **texts,
		       char *(*text_of)(const struct field *))
{
	for (size_t i = 0; i < n; i++) {
		if (!(texts[i] = text_of(&f[i]))) {
			free_texts(texts, i);
			return false;
		}
	}
	return true;
}

static void widen(size_t *widths, char *const *texts, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (display_width(texts[i]) > widths[i])
			widths[i] = display_width(texts[i]);
}

/* Room for one more row of n cells, doubling so that a long listing costs
 * few copies; the row count comes from the database, so every product is
 * checked (reallocarray checks the last one). */
static bool room_for_row(struct listing *l, size_t n)
{
	size_t used = l->rows * n;   /* fits: it is at most l->cap */
	size_t cap;
	char **grown;

	if (l->cap - used >= n)
		return true;
	if (l->cap > SIZE_MAX / 2)
		return false;
	/* A multiple of 64 n: doubled, it has room for n more. */
	cap = l->cap ? l->cap * 2 : 64 * n;
	if (!(grown = reallocarray(l->cells, cap, sizeof(*grown))))
		return false;
	l->cells = grown;
	l->cap = cap;
	return true;
}

static int keep_row(struct listing *l, const struct field *f, size_t n)
{
	char *headers[LISTING_FIELDS_MAX];
	char *row[LISTING_FIELDS_MAX];

	if (!l->headers[0]) {
		if (!escape_all(f, n, headers, header_text))
			return -1;
		memcpy(l->headers, headers, n * sizeof(*headers));
		widen(l->widths, l->headers, n);
	}
	if (!room_for_row(l, n) || !escape_all(f, n, row, cell_text))
		return -1;
	memcpy(l->cells + l->rows * n, row, n * sizeof(*row));
	widen(l->widths, row, n);
	return 0;
}

static bool row_fits(const struct listing *l, size_t n)
{
	return n > 0 && n <= LISTING_FIELDS_MAX &&
	       (l->columns == 0 || n == l->columns);
}

int listing_row(struct listing *l, const struct field *fields, size_t n)
{
	if (!row_fits(l, n)) {
		l->failed = true;
		return -1;
	}
	/* The first row offered fixes the shape, even if memory then runs
	 * out: its headers may already be kept. */
	l->columns = n;
	if (l->json) {
		json_row(l, fields, n);
	} else if (keep_row(l, fields, n) != 0) {
		l->failed = true;
		return -1;
	}
	l->rows++;
	return 0;
}

static void print_padding(FILE *out, size_t spaces)
{
	while (spaces--)
		fputc(' ', out);
}

static void print_line(struct listing *l, char *const *cells)
{
	for (size_t i = 0; i < l->columns; i++) {
		fputs(cells[i], l->out);
		if (i + 1 < l->columns)
			print_padding(l->out,
				      l->widths[i] - display_width(cells[i]) + 2);
		else
			fputc('\n', l->out);
	}
}

static void forget_texts(struct listing *l)
{
	free_texts(l->cells, l->rows * l->columns);
	free_texts(l->headers, LISTING_FIELDS_MAX);
	free(l->cells);
	l->cells = NULL;
	l->cap = 0;
	l->rows = 0;
	memset(l->headers, 0, sizeof(l->headers));
}

void listing_end(struct listing *l, const char *empty)
{
	if (l->json) {
		fputs(l->rows ? "\n]\n" : "]\n", l->out);
		return;
	}
	if (l->rows) {
		print_line(l, l->headers);
		for (size_t r = 0; r < l->rows; r++)
			print_line(l, l->cells + r * l->columns);
	} else if (!l->failed) {
		fprintf(l->out, "%s\n", empty);
	}
	forget_texts(l);
}

void listing_abandon(struct listing *l)
{
	if (l->json)
		fputs(l->rows ? "\n]\n" : "]\n", l->out);
	forget_texts(l);
}

bool listing_failed(const struct listing *l)
{
	return l->failed;
}
