/* test_pickle.c - the request encoder and the reply decoder of pickle.c.
 *
 * Replies come from tests/unit/data (captured from a real fail2ban-server by
 * capture-f2b-replies.py); f2b-replies.txt holds what each one decodes to, as
 * rendered by Python's own unpickler.  Every fixture is also cut at every
 * length and corrupted byte by byte, and hand-made hostile pickles probe
 * each limit and refusal. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pickle.h"

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))
#define END_LEN (sizeof F2B_END_COMMAND - 1)

/* ---- helpers ---------------------------------------------------------- */

struct buf {
	unsigned char *data;
	size_t len, cap;
};

static void buf_add(struct buf *b, const void *p, size_t n)
{
	if (b->len + n + 1 > b->cap) {
		size_t cap = b->cap ? b->cap : 256;

		while (cap < b->len + n + 1)
			cap *= 2;
		b->data = realloc(b->data, cap);
		assert_non_null(b->data);
		b->cap = cap;
	}
	memcpy(b->data + b->len, p, n);
	b->len += n;
	b->data[b->len] = '\0';         /* handy when the buffer is text */
}

static void buf_byte(struct buf *b, unsigned char c)
{
	buf_add(b, &c, 1);
}

static void buf_str(struct buf *b, const char *s)
{
	buf_add(b, s, strlen(s));
}

static void buf_le(struct buf *b, uint64_t v, int n)
{
	for (int i = 0; i < n; i++)
		buf_byte(b, (unsigned char)(v >> (8 * i)));
}

static void buf_repeat(struct buf *b, unsigned char c, size_t n)
{
	for (size_t i = 0; i < n; i++)
		buf_byte(b, c);
}

/* The notation of f2b-replies.txt: what capture-f2b-replies.py's render()
 * makes of Python's unpickled value. */
static void render(struct buf *b, const struct pickle_value *v)
{
	char num[64];

	switch (v->type) {
	case PICKLE_NONE:
		buf_str(b, "None");
		return;
	case PICKLE_BOOL:
		buf_str(b, v->integer ? "True" : "False");
		return;
	case PICKLE_INT:
		snprintf(num, sizeof num, "%lld", v->integer);
		buf_str(b, num);
		return;
	case PICKLE_FLOAT:
		snprintf(num, sizeof num, "%.17g", v->real);
		buf_str(b, num);
		return;
	case PICKLE_STR:
		assert_int_equal(strlen(v->text), v->len);
		buf_byte(b, '\'');
		for (size_t i = 0; i < v->len; i++) {
			unsigned char c = (unsigned char)v->text[i];

			if (c == '\\' || c == '\'') {
				buf_byte(b, '\\');
				buf_byte(b, c);
			} else if (c < 0x20 || c == 0x7f) {
				snprintf(num, sizeof num, "\\x%02x", c);
				buf_str(b, num);
			} else {
				buf_byte(b, c);
			}
		}
		buf_byte(b, '\'');
		return;
	case PICKLE_TUPLE:
	case PICKLE_LIST:
	case PICKLE_OBJECT:
		if (v->type == PICKLE_OBJECT)
			buf_str(b, v->text);
		buf_str(b, v->type == PICKLE_LIST ? "[" : "(");
		for (size_t i = 0; i < v->count; i++) {
			if (i > 0)
				buf_str(b, ", ");
			render(b, v->items[i]);
		}
		if (v->type == PICKLE_TUPLE && v->count == 1)
			buf_str(b, ",");
		buf_str(b, v->type == PICKLE_LIST ? "]" : ")");
		return;
	case PICKLE_DICT:
		assert_int_equal(v->count % 2, 0);
		buf_str(b, "{");
		for (size_t i = 0; i < v->count; i += 2) {
			if (i > 0)
				buf_str(b, ", ");
			render(b, v->items[i]);
			buf_str(b, ": ");
			render(b, v->items[i + 1]);
		}
		buf_str(b, "}");
		return;
	}
	fail_msg("unknown value type %d", (int)v->type);
}

/* Decode and render; NULL (and *why set) when refused. */
static char *decode_render(const unsigned char *p, size_t n, const char **why)
{
	struct pickle_doc *doc = pickle_decode(p, n, why);
	struct buf b = { 0 };

	if (doc == NULL) {
		assert_non_null(*why);
		return NULL;
	}
	render(&b, pickle_root(doc));
	pickle_doc_free(doc);
	return (char *)b.data;
}

static struct buf load_fixture(const char *name)
{
	const char *dir = getenv("TEST_DATA_DIR");
	char path[4096];
	struct buf b = { 0 };
	unsigned char chunk[4096];
	size_t n;
	FILE *f;

	assert_non_null(dir);
	snprintf(path, sizeof path, "%s/%s", dir, name);
	f = fopen(path, "rb");
	if (f == NULL)
		fail_msg("cannot open %s", path);
	while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
		buf_add(&b, chunk, n);
	fclose(f);
	assert_true(b.len > 0);
	return b;
}

/* Decode a fixture that must be accepted; the caller frees the doc. */
static struct pickle_doc *decode_fixture(const char *name)
{
	struct buf b = load_fixture(name);
	const char *why = NULL;
	struct pickle_doc *doc = pickle_decode(b.data, b.len, &why);

	if (doc == NULL)
		fail_msg("%s refused: %s", name, why);
	free(b.data);
	return doc;
}

/* The (code, result) pair every fail2ban reply is; returns result. */
static const struct pickle_value *reply(const struct pickle_doc *doc,
					long long code)
{
	const struct pickle_value *r = pickle_root(doc);

	assert_int_equal(r->type, PICKLE_TUPLE);
	assert_int_equal(r->count, 2);
	assert_int_equal(r->items[0]->type, PICKLE_INT);
	assert_int_equal(r->items[0]->integer, code);
	return r->items[1];
}

static void assert_str(const struct pickle_value *v, const char *s)
{
	assert_int_equal(v->type, PICKLE_STR);
	assert_string_equal(v->text, s);
	assert_int_equal(v->len, strlen(s));
}

static void assert_int_value(const struct pickle_value *v, long long i)
{
	assert_int_equal(v->type, PICKLE_INT);
	assert_true(v->integer == i);
}

/* A (label, value) pair of fail2ban's status lists. */
static const struct pickle_value *pair(const struct pickle_value *v,
				       const char *label)
{
	assert_int_equal(v->type, PICKLE_TUPLE);
	assert_int_equal(v->count, 2);
	assert_str(v->items[0], label);
	return v->items[1];
}

/* Exactly these strings, in this order. */
static void assert_str_list(const struct pickle_value *v,
			    const char *const *want, size_t n)
{
	assert_int_equal(v->type, PICKLE_LIST);
	assert_int_equal(v->count, n);
	for (size_t i = 0; i < n; i++)
		assert_str(v->items[i], want[i]);
}

/* Refused, and for the given reason when one is named. */
static void expect_refused(const void *p, size_t n, const char *reason)
{
	const char *why = NULL;
	struct pickle_doc *doc = pickle_decode(p, n, &why);

	if (doc != NULL) {
		pickle_doc_free(doc);
		fail_msg("accepted, expected refusal (%s)",
			 reason ? reason : "any");
	}
	assert_non_null(why);
	if (reason != NULL && strstr(why, reason) == NULL)
		fail_msg("refused with \"%s\", expected \"%s\"", why, reason);
}

static void expect_rendered(const void *p, size_t n, const char *want)
{
	const char *why = NULL;
	char *got = decode_render(p, n, &why);

	if (got == NULL)
		fail_msg("refused (%s), expected %s", why, want);
	assert_string_equal(got, want);
	free(got);
}

/* String literals of hand-made pickles: sizeof - 1 drops the C NUL. */
#define REFUSED(lit, reason) expect_refused(lit, sizeof lit - 1, reason)
#define RENDERED(lit, want) expect_rendered(lit, sizeof lit - 1, want)

static const char *const fixtures[] = {
	"ping.pickle", "banip.pickle", "banned.pickle", "unknown-jail.pickle",
	"status.pickle", "ignoreip.pickle", "bantime.pickle", "thread.pickle",
	"echo-utf8.pickle", "bantime-long.pickle",
};

static const char *const banned_ips[] = {
	"192.0.2.1", "192.0.2.2", "2001:db8::1", "203.0.113.7", "2001:db8::2:1",
};

/* ---- encoder ---------------------------------------------------------- */

/* pickle.dumps(['set', 'demo', 'banip', '192.0.2.1'], 2) from a Pickler
 * with .fast = True, i.e. without the memo.  Plain pickle.dumps() adds a
 * BINPUT (q NN) after the list and after each string:
 *   \x80\x02]q\x00(X\x03\x00\x00\x00setq\x01X\x04...
 * which changes nothing in what the server unpickles. */
static const unsigned char python_set_banip[] =
	"\x80\x02](X\x03\x00\x00\x00" "setX\x04\x00\x00\x00" "demo"
	"X\x05\x00\x00\x00" "banipX\t\x00\x00\x00" "192.0.2.1e.";

static void test_encode_known_command(void **state)
{
	const char *argv[] = { "set", "demo", "banip", "192.0.2.1" };
	size_t len = 0, plen = sizeof python_set_banip - 1;
	unsigned char *got = pickle_encode_command(argv, COUNT(argv), &len);

	(void)state;
	assert_non_null(got);
	assert_int_equal(len, plen + END_LEN);
	assert_memory_equal(got, python_set_banip, plen);
	assert_memory_equal(got + plen, F2B_END_COMMAND, END_LEN);
	free(got);
}

/* pickle.dumps(['ping'], 2), no memo: one item goes with APPEND */
static void test_encode_one_argument(void **state)
{
	static const unsigned char want[] =
		"\x80\x02]X\x04\x00\x00\x00" "pinga." F2B_END_COMMAND;
	const char *argv[] = { "ping" };
	size_t len = 0;
	unsigned char *got = pickle_encode_command(argv, 1, &len);

	(void)state;
	assert_non_null(got);
	assert_int_equal(len, sizeof want - 1);
	assert_memory_equal(got, want, len);
	free(got);
}

/* Python's C pickler cuts long lists into MARK ... APPENDS batches of 1000,
 * the last one too even when it holds a single item (checked against
 * Pickler(f, 2) with .fast = True for 1001 items). */
static void test_encode_batches(void **state)
{
	const char **argv = calloc(1001, sizeof *argv);
	struct buf want = { 0 };
	size_t len = 0;
	unsigned char *got;
	char *back;
	const char *why = NULL;

	(void)state;
	assert_non_null(argv);
	for (size_t i = 0; i < 1001; i++)
		argv[i] = "a";
	buf_str(&want, "\x80\x02](");
	for (size_t i = 0; i < 1000; i++)
		buf_add(&want, "X\x01\x00\x00\x00" "a", 6);
	buf_str(&want, "e(");
	buf_add(&want, "X\x01\x00\x00\x00" "a", 6);
	buf_str(&want, "e." F2B_END_COMMAND);
	got = pickle_encode_command(argv, 1001, &len);
	assert_non_null(got);
	assert_int_equal(len, want.len);
	assert_memory_equal(got, want.data, len);

	back = decode_render(got, len - END_LEN, &why);
	assert_non_null(back);
	assert_int_equal(strlen(back), 2 + 1001 * 3 + 1000 * 2);
	free(back);
	free(got);
	free(want.data);
	free(argv);
}

/* pickle.dumps([], 2) without the memo is \x80\x02]. */
static void test_encode_no_arguments(void **state)
{
	static const unsigned char want[] = "\x80\x02]." F2B_END_COMMAND;
	size_t len = 0;
	unsigned char *got = pickle_encode_command(NULL, 0, &len);

	(void)state;
	assert_non_null(got);
	assert_int_equal(len, sizeof want - 1);
	assert_memory_equal(got, want, len);
	free(got);
}

/* pickle.dumps(['echo', 'café', '✓', '😀', '\U0010ffff'], 2), no memo */
static void test_encode_utf8(void **state)
{
	static const unsigned char want[] =
		"\x80\x02](X\x04\x00\x00\x00" "echoX\x05\x00\x00\x00\x63\x61\x66"
		"\xc3\xa9X\x03\x00\x00\x00\xe2\x9c\x93X\x04\x00\x00\x00\xf0"
		"\x9f\x98\x80X\x04\x00\x00\x00\xf4\x8f\xbf\xbf" "e."
		F2B_END_COMMAND;
	const char *argv[] = { "echo", "caf\xc3\xa9", "\xe2\x9c\x93",
			       "\xf0\x9f\x98\x80", "\xf4\x8f\xbf\xbf" };
	size_t len = 0;
	unsigned char *got = pickle_encode_command(argv, COUNT(argv), &len);

	(void)state;
	assert_non_null(got);
	assert_int_equal(len, sizeof want - 1);
	assert_memory_equal(got, want, len);
	free(got);
}

static void test_encode_refuses_invalid_utf8(void **state)
{
	static const char *const bad[] = {
		"\x80",                 /* lone continuation byte */
		"ab\xbf",
		"\xc0\x80",             /* overlong NUL */
		"\xc1\xbf",             /* overlong */
		"\xe0\x80\xaf",         /* overlong '/' */
		"\xe0\x9f\xbf",         /* overlong, 3 bytes */
		"\xf0\x80\x80\xaf",     /* overlong, 4 bytes */
		"\xf0\x8f\xbf\xbf",
		"\xed\xa0\x80",         /* U+D800, a surrogate */
		"\xed\xbf\xbf",         /* U+DFFF */
		"\xf4\x90\x80\x80",     /* U+110000 */
		"\xf5\x80\x80\x80",
		"\xff",
		"\xfe",
		"\xe2\x9c",             /* cut short */
		("\xe2\x9c" "a"),       /* cut short by an ASCII byte */
		"\xf0\x9f\x98",
		"\xc3",
		"caf\xc3",
		"\xc3\xc3\xa9",
	};

	(void)state;
	for (size_t i = 0; i < COUNT(bad); i++) {
		const char *argv[] = { "set", "demo", "banip", bad[i] };
		size_t len = 99;

		if (pickle_encode_command(argv, COUNT(argv), &len) != NULL)
			fail_msg("bad[%zu] accepted", i);
		assert_int_equal(len, 0);
	}
}

static void test_encode_refuses_bad_calls(void **state)
{
	const char *with_null[] = { "ping", NULL };
	const char *one[] = { "ping" };
	size_t len = 0, big = (1u << 20);
	char *huge = malloc(big + 1);
	const char *argv[1];
	unsigned char *p;

	(void)state;
	assert_null(pickle_encode_command(with_null, 2, &len));
	assert_null(pickle_encode_command(NULL, 1, &len));
	assert_null(pickle_encode_command(one, 1, NULL));

	/* one argument of 1 MiB does not fit in a 1 MiB request */
	assert_non_null(huge);
	memset(huge, 'a', big);
	huge[big] = '\0';
	argv[0] = huge;
	assert_null(pickle_encode_command(argv, 1, &len));
	/* a quarter of it does */
	huge[big / 4] = '\0';
	p = pickle_encode_command(argv, 1, &len);
	assert_non_null(p);
	assert_int_equal(len, 2 + 1 + 5 + big / 4 + 1 + 1 + END_LEN);
	free(p);
	free(huge);
}

/* What we send is something our own decoder (and Python) reads back. */
static void test_encode_decodes_back(void **state)
{
	const char *argv[] = { "set", "demo", "addignoreip", "198.51.100.0/24",
			       "it's", "caf\xc3\xa9" };
	size_t len = 0;
	unsigned char *p = pickle_encode_command(argv, COUNT(argv), &len);

	(void)state;
	assert_non_null(p);
	expect_rendered(p, len - END_LEN,
			"['set', 'demo', 'addignoreip', '198.51.100.0/24', "
			"'it\\'s', 'caf\xc3\xa9']");
	free(p);
}

/* ---- captured replies ------------------------------------------------- */

/* Each line NAME = VALUE of f2b-replies.txt, against our rendering. */
static void test_fixtures_match_expectations(void **state)
{
	struct buf txt = load_fixture("f2b-replies.txt");
	size_t checked = 0;
	char *save = NULL;

	(void)state;
	for (char *line = strtok_r((char *)txt.data, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		char *eq = strstr(line, " = ");
		const char *why = NULL;
		struct buf b;
		char *got;

		if (line[0] == '#' || line[0] == '\0')
			continue;
		assert_non_null(eq);
		*eq = '\0';
		b = load_fixture(line);
		got = decode_render(b.data, b.len, &why);
		if (got == NULL)
			fail_msg("%s refused: %s", line, why);
		if (strcmp(got, eq + 3) != 0)
			fail_msg("%s:\n got  %s\n want %s", line, got, eq + 3);
		free(got);
		free(b.data);
		checked++;
	}
	assert_int_equal(checked, COUNT(fixtures));
	free(txt.data);
}

static void test_ping(void **state)
{
	struct pickle_doc *doc = decode_fixture("ping.pickle");

	(void)state;
	assert_str(reply(doc, 0), "pong");
	pickle_doc_free(doc);
}

/* set demo banip 192.0.2.1 192.0.2.2 2001:db8::1: three newly banned */
static void test_banip(void **state)
{
	struct pickle_doc *doc = decode_fixture("banip.pickle");

	(void)state;
	assert_int_value(reply(doc, 0), 3);
	pickle_doc_free(doc);
}

/* IPAddr objects arrive as builtins.str(...) and become plain strings */
static void test_banned(void **state)
{
	struct pickle_doc *doc = decode_fixture("banned.pickle");

	(void)state;
	assert_str_list(reply(doc, 0), banned_ips, COUNT(banned_ips));
	pickle_doc_free(doc);
}

static void test_unknown_jail(void **state)
{
	struct pickle_doc *doc = decode_fixture("unknown-jail.pickle");
	const struct pickle_value *e = reply(doc, 1);
	const char *suffix = "UnknownJailException";
	size_t n = strlen(suffix);

	(void)state;
	assert_int_equal(e->type, PICKLE_OBJECT);
	assert_true(e->len >= n);
	assert_string_equal(e->text + e->len - n, suffix);
	assert_string_equal(e->text, "fail2ban.exceptions.UnknownJailException");
	assert_int_equal(e->count, 1);
	assert_int_equal(e->items[0]->type, PICKLE_STR);
	assert_non_null(strstr(e->items[0]->text, "nosuchjail"));
	pickle_doc_free(doc);
}

static void test_status(void **state)
{
	struct pickle_doc *doc = decode_fixture("status.pickle");
	const struct pickle_value *s = reply(doc, 0), *f, *a, *files;

	(void)state;
	assert_int_equal(s->type, PICKLE_LIST);
	assert_int_equal(s->count, 2);

	f = pair(s->items[0], "Filter");
	assert_int_equal(f->type, PICKLE_LIST);
	assert_int_equal(f->count, 3);
	assert_int_value(pair(f->items[0], "Currently failed"), 0);
	assert_int_value(pair(f->items[1], "Total failed"), 0);
	files = pair(f->items[2], "File list");
	assert_int_equal(files->type, PICKLE_LIST);
	assert_int_equal(files->count, 0);

	a = pair(s->items[1], "Actions");
	assert_int_equal(a->type, PICKLE_LIST);
	assert_int_equal(a->count, 3);
	assert_int_value(pair(a->items[0], "Currently banned"), 5);
	assert_int_value(pair(a->items[1], "Total banned"), 5);
	assert_str_list(pair(a->items[2], "Banned IP list"), banned_ips,
			COUNT(banned_ips));
	pickle_doc_free(doc);
}

static void test_ignoreip(void **state)
{
	static const char *const want[] = { "198.51.100.0/24" };
	struct pickle_doc *doc = decode_fixture("ignoreip.pickle");

	(void)state;
	assert_str_list(reply(doc, 0), want, COUNT(want));
	pickle_doc_free(doc);
}

static void test_bantime(void **state)
{
	struct pickle_doc *doc = decode_fixture("bantime.pickle");

	(void)state;
	assert_int_value(reply(doc, 0), 600);
	pickle_doc_free(doc);
	doc = decode_fixture("bantime-long.pickle");        /* LONG1 */
	assert_int_value(reply(doc, 0), 5000000000LL);
	pickle_doc_free(doc);
}

/* get thread: {'stacksize': 0} */
static void test_thread_dict(void **state)
{
	struct pickle_doc *doc = decode_fixture("thread.pickle");
	const struct pickle_value *d = reply(doc, 0);

	(void)state;
	assert_int_equal(d->type, PICKLE_DICT);
	assert_int_equal(d->count, 2);
	assert_str(d->items[0], "stacksize");
	assert_int_equal(d->items[1]->type, PICKLE_INT);
	assert_true(d->items[1]->integer >= 0);
	pickle_doc_free(doc);
}

static void test_echo_utf8(void **state)
{
	static const char *const want[] = { "caf\xc3\xa9", "\xe2\x9c\x93",
					    "\xf0\x9f\x98\x80" };
	struct pickle_doc *doc = decode_fixture("echo-utf8.pickle");

	(void)state;
	assert_str_list(reply(doc, 0), want, COUNT(want));
	pickle_doc_free(doc);
}

/* Every proper prefix is refused; each is copied to a buffer of exactly
 * its size so that the sanitizer sees any read past the end. */
static void test_truncations(void **state)
{
	(void)state;
	for (size_t f = 0; f < COUNT(fixtures); f++) {
		struct buf b = load_fixture(fixtures[f]);

		for (size_t n = 0; n < b.len; n++) {
			unsigned char *cut = malloc(n ? n : 1);
			const char *why = NULL;
			struct pickle_doc *doc;

			assert_non_null(cut);
			memcpy(cut, b.data, n);
			doc = pickle_decode(cut, n, &why);
			if (doc != NULL)
				fail_msg("%s cut at %zu accepted",
					 fixtures[f], n);
			assert_non_null(why);
			free(cut);
		}
		free(b.data);
	}
}

/* Flipped bits anywhere: decoded (and walkable) or refused, nothing else. */
static void test_corruptions(void **state)
{
	static const unsigned char flips[] = { 0x01, 0x02, 0x10, 0x20, 0x40,
					       0x80, 0x7f, 0xff };
	size_t accepted = 0, refused = 0;

	(void)state;
	for (size_t f = 0; f < COUNT(fixtures); f++) {
		struct buf b = load_fixture(fixtures[f]);

		for (size_t i = 0; i < b.len; i++) {
			for (size_t k = 0; k < COUNT(flips); k++) {
				unsigned char *c = malloc(b.len);
				const char *why = NULL;
				char *r;

				assert_non_null(c);
				memcpy(c, b.data, b.len);
				c[i] ^= flips[k];
				r = decode_render(c, b.len, &why);
				if (r)
					accepted++;
				else
					refused++;
				free(r);
				free(c);
			}
		}
		free(b.data);
	}
	/* both outcomes really happen (a flipped count byte still decodes) */
	assert_true(accepted > 0);
	assert_true(refused > 0);
}

/* ---- the opcode set, on pickles made by Python ------------------------ */

/* pickle.dumps((None, True, False, -1, 255, 65535, -2**31, 2**40, -2**63,
 *               1.5, -0.25, 'x', (), {}, {'a': 1, 'b': [1, 2]}, (1, 2, 3),
 *               (1, 2, 3, 4), [1], [s, s]), 5) with s = 'shared' */
static const unsigned char python_mix[] =
	"\x80\x05\x95\x7e\x00\x00\x00\x00\x00\x00\x00\x28\x4e\x88\x89\x4a"
	"\xff\xff\xff\xff\x4b\xff\x4d\xff\xff\x4a\x00\x00\x00\x80\x8a\x06"
	"\x00\x00\x00\x00\x00\x01\x8a\x08\x00\x00\x00\x00\x00\x00\x00\x80"
	"\x47\x3f\xf8\x00\x00\x00\x00\x00\x00\x47\xbf\xd0\x00\x00\x00\x00"
	"\x00\x00\x8c\x01\x78\x94\x29\x7d\x94\x7d\x94\x28\x8c\x01\x61\x94"
	"\x4b\x01\x8c\x01\x62\x94\x5d\x94\x28\x4b\x01\x4b\x02\x65\x75\x4b"
	"\x01\x4b\x02\x4b\x03\x87\x94\x28\x4b\x01\x4b\x02\x4b\x03\x4b\x04"
	"\x74\x94\x5d\x94\x4b\x01\x61\x5d\x94\x28\x8c\x06\x73\x68\x61\x72"
	"\x65\x64\x94\x68\x0a\x65\x74\x94\x2e";

/* pickle.dumps((1, ValueError('bad value', 2)), 5) */
static const unsigned char python_exception[] =
	"\x80\x05\x95\x31\x00\x00\x00\x00\x00\x00\x00\x4b\x01\x8c\x08\x62"
	"\x75\x69\x6c\x74\x69\x6e\x73\x94\x8c\x0a\x56\x61\x6c\x75\x65\x45"
	"\x72\x72\x6f\x72\x94\x93\x94\x8c\x09\x62\x61\x64\x20\x76\x61\x6c"
	"\x75\x65\x94\x4b\x02\x86\x94\x52\x94\x86\x94\x2e";

static void test_python_pickles(void **state)
{
	(void)state;
	expect_rendered(python_mix, sizeof python_mix - 1,
			"(None, True, False, -1, 255, 65535, -2147483648, "
			"1099511627776, -9223372036854775808, 1.5, -0.25, "
			"'x', (), {}, {'a': 1, 'b': [1, 2]}, (1, 2, 3), "
			"(1, 2, 3, 4), [1], ['shared', 'shared'])");
	expect_rendered(python_exception, sizeof python_exception - 1,
			"(1, builtins.ValueError('bad value', 2))");
}

static void test_numbers(void **state)
{
	(void)state;
	RENDERED("J\x00\x00\x00\x80.", "-2147483648");
	RENDERED("J\xff\xff\xff\x7f.", "2147483647");
	RENDERED("\x8a\x00.", "0");
	RENDERED("\x8a\x01\xff.", "-1");
	RENDERED("\x8a\x01\x7f.", "127");
	RENDERED("\x8a\x02\x00\x80.", "-32768");
	RENDERED("\x8a\x02\xff\x00.", "255");
	RENDERED("\x8a\x08\xff\xff\xff\xff\xff\xff\xff\x7f.",
		 "9223372036854775807");
	RENDERED("\x8a\x08\x00\x00\x00\x00\x00\x00\x00\x80.",
		 "-9223372036854775808");
	REFUSED("\x8a\x09\x00\x00\x00\x00\x00\x00\x00\x00\x01.",
		"LONG1 longer than 8 bytes");
	REFUSED("\x8a\xff.", "LONG1 longer than 8 bytes");
	RENDERED("G\xc0\x09\x21\xfb\x54\x44\x2d\x18.", "-3.1415926535897931");
	RENDERED("G\x00\x00\x00\x00\x00\x00\x00\x00.", "0");
}

static void test_strings(void **state)
{
	(void)state;
	RENDERED("X\x02\x00\x00\x00hi.", "'hi'");
	RENDERED("\x8d\x02\x00\x00\x00\x00\x00\x00\x00hi.", "'hi'");
	RENDERED("\x8c\x00.", "''");
	RENDERED("\x8c\x03\x61\x09\x27.", "'a\\x09\\''");
	REFUSED("\x8c\x03\x61\x00\x62.", "NUL");
	REFUSED("\x8c\x02\xc0\x80.", "UTF-8");
	REFUSED("\x8c\x03\xed\xa0\x80.", "UTF-8");         /* surrogate */
	REFUSED("\x8c\x04\xf4\x90\x80\x80.", "UTF-8");     /* > U+10FFFF */
	REFUSED("\x8c\x01\xe2.", "UTF-8");
}

/* BINGET reads one byte of index, LONG_BINGET four: memo index 300 */
static void test_long_binget(void **state)
{
	struct buf b = { 0 };
	char *got;
	const char *why = NULL;

	(void)state;
	buf_str(&b, "\x80\x05]\x94(");
	for (int i = 0; i < 300; i++) {
		char s[12];

		snprintf(s, sizeof s, "%03d", i);
		buf_byte(&b, 0x8c);
		buf_byte(&b, 3);
		buf_str(&b, s);
		buf_byte(&b, 0x94);     /* memo index i + 1 */
	}
	buf_byte(&b, 'j');
	buf_le(&b, 300, 4);             /* "299" */
	buf_byte(&b, 'h');
	buf_byte(&b, 1);                /* "000" */
	buf_str(&b, "e.");
	got = decode_render(b.data, b.len, &why);
	assert_non_null(got);
	assert_non_null(strstr(got, "'298', '299', '299', '000']"));
	free(got);

	/* one past the end of the memo: drop j NNNN h N e . and retry */
	b.len -= 5 + 2 + 2;
	buf_byte(&b, 'j');
	buf_le(&b, 301, 4);
	buf_str(&b, "e.");
	expect_refused(b.data, b.len, "memo index out of range");
	free(b.data);
}

/* ---- hostile input ---------------------------------------------------- */

/* n lists, each inside the next: depth n */
static void nested_lists(struct buf *b, size_t n)
{
	buf_str(b, "\x80\x05");
	buf_repeat(b, ']', n);
	buf_repeat(b, 'a', n - 1);
	buf_byte(b, '.');
}

/* n tuples built with MARK ... TUPLE: n marks open at once */
static void nested_marks(struct buf *b, size_t n)
{
	buf_repeat(b, '(', n);
	buf_repeat(b, 't', n);
	buf_byte(b, '.');
}

static void test_deep_nesting(void **state)
{
	struct buf b = { 0 };
	struct pickle_doc *doc;
	const struct pickle_value *v;
	const char *why;
	size_t depth = 0;

	(void)state;
	nested_lists(&b, PICKLE_MAX_DEPTH);
	doc = pickle_decode(b.data, b.len, &why);
	assert_non_null(doc);
	for (v = pickle_root(doc); v->count; v = v->items[0])
		depth++;
	assert_int_equal(depth + 1, PICKLE_MAX_DEPTH);
	pickle_doc_free(doc);
	b.len = 0;
	nested_lists(&b, PICKLE_MAX_DEPTH + 1);
	expect_refused(b.data, b.len, "nesting too deep");

	b.len = 0;
	nested_marks(&b, PICKLE_MAX_DEPTH);
	doc = pickle_decode(b.data, b.len, &why);
	assert_non_null(doc);
	pickle_doc_free(doc);
	b.len = 0;
	nested_marks(&b, PICKLE_MAX_DEPTH + 1);
	expect_refused(b.data, b.len, "MARK");

	/* deep through TUPLE1 and a dict value as well */
	b.len = 0;
	buf_byte(&b, 'N');
	buf_repeat(&b, 0x85, PICKLE_MAX_DEPTH);
	buf_byte(&b, '.');
	doc = pickle_decode(b.data, b.len, &why);
	assert_non_null(doc);
	pickle_doc_free(doc);
	b.len = 0;
	buf_str(&b, "}\x8c\x01k");
	buf_byte(&b, 'N');
	buf_repeat(&b, 0x85, PICKLE_MAX_DEPTH);
	buf_str(&b, "s.");
	expect_refused(b.data, b.len, "nesting too deep");
	free(b.data);
}

static void test_huge_declared_lengths(void **state)
{
	(void)state;
	REFUSED("X\xff\xff\xff\xff" "abc.", "truncated");
	REFUSED("\x8d\xff\xff\xff\xff\xff\xff\xff\xff" "abc.", "truncated");
	REFUSED("\x8d\x00\x00\x00\x00\x00\x00\x00\x80" "abc.", "truncated");
	REFUSED("\x8c\xff" "abc.", "truncated");
	REFUSED("\x80\x05\x95\xff\xff\xff\xff\xff\xff\xff\xff" "N.",
		"truncated");
	REFUSED("\x80\x05\x95\x03\x00\x00\x00\x00\x00\x00\x00" "N.",
		"truncated");
	RENDERED("\x80\x05\x95\x02\x00\x00\x00\x00\x00\x00\x00" "N.", "None");
}

/* [] then batches of MARK, NONE x k, APPENDS: one value per input byte */
static void appends_loop(struct buf *b, size_t batches, size_t k)
{
	buf_str(b, "\x80\x05]");
	for (size_t i = 0; i < batches; i++) {
		buf_byte(b, '(');
		buf_repeat(b, 'N', k);
		buf_byte(b, 'e');
	}
	buf_byte(b, '.');
}

static void test_huge_item_count(void **state)
{
	struct buf b = { 0 };
	struct pickle_doc *doc;
	const char *why;

	(void)state;
	appends_loop(&b, 100, 1000);
	doc = pickle_decode(b.data, b.len, &why);
	assert_non_null(doc);
	assert_int_equal(pickle_root(doc)->count, 100000);
	pickle_doc_free(doc);

	/* 1.1 million values: whichever cap comes first refuses them (with
	 * these limits, the arena's: a value takes 56 bytes) */
	b.len = 0;
	appends_loop(&b, 1100, 1000);
	why = NULL;
	assert_null(pickle_decode(b.data, b.len, &why));
	assert_non_null(why);
	if (strstr(why, "too many values") == NULL &&
	    strstr(why, "memory limit") == NULL)
		fail_msg("refused with \"%s\"", why);

	/* BINGET of a string counts too (a shared leaf is still a node) and
	 * costs no value of its own: here the item cap is what refuses */
	b.len = 0;
	buf_str(&b, "\x8c\x01x\x94]");
	for (size_t i = 0; i < 1100; i++) {
		buf_byte(&b, '(');
		for (int k = 0; k < 1000; k++)
			buf_add(&b, "h\x00", 2);
		buf_byte(&b, 'e');
	}
	buf_byte(&b, '.');
	expect_refused(b.data, b.len, "too many values");
	free(b.data);
}

/* One string larger than the arena cap: refused after the input check,
 * before anything near its size is allocated twice. */
static void test_memory_cap(void **state)
{
	size_t n = PICKLE_MAX_BYTES + 1;
	unsigned char *p = malloc(n + 10);

	(void)state;
	assert_non_null(p);
	p[0] = 'X';
	p[1] = (unsigned char)n;
	p[2] = (unsigned char)(n >> 8);
	p[3] = (unsigned char)(n >> 16);
	p[4] = (unsigned char)(n >> 24);
	memset(p + 5, 'a', n);
	p[5 + n] = '.';
	expect_refused(p, n + 6, "memory limit");
	free(p);
}

static void test_memo(void **state)
{
	(void)state;
	REFUSED("h\x00.", "memo index out of range");
	REFUSED("K\x01\x94h\x01.", "memo index out of range");
	REFUSED("K\x01\x94j\xff\xff\xff\xff.", "memo index out of range");
	REFUSED("\x94.", "stack underflow");              /* empty stack */
	REFUSED("K\x01(\x94.", "stack underflow");        /* above the MARK */
	/* a scalar, a string, and a global may be fetched again */
	RENDERED("K\x07\x94h\x00\x86.", "(7, 7)");
	RENDERED("\x8c\x01s\x94h\x00\x86.", "('s', 's')");
	RENDERED("\x8c\x08" "builtins\x8c\x03str\x93\x94"
		 "\x8c\x01" "a\x85R" "h\x00\x8c\x01" "b\x85R" "\x86.",
		 "('a', 'b')");
}

/* BINGET of any container: a list could then be appended to itself. */
static void test_shared_containers(void **state)
{
	(void)state;
	REFUSED("]\x94h\x00" "a.", "shared containers");  /* the cycle */
	REFUSED("]\x94h\x00\x86.", "shared containers");
	REFUSED("}\x94h\x00\x86.", "shared containers");
	REFUSED("K\x01\x85\x94h\x00\x86.", "shared containers");
	REFUSED(")\x94h\x00\x86.", "shared containers");
	REFUSED("\x8c\x01m\x8c\x01n\x93)R\x94h\x00\x86.",
		"shared containers");                   /* an object */
}

static void test_reduce(void **state)
{
	(void)state;
	RENDERED("\x8c\x08" "builtins\x8c\x03str\x93\x8c\x02ip\x85R.", "'ip'");
	/* str() of anything else, or of two things, stays an object */
	RENDERED("\x8c\x08" "builtins\x8c\x03str\x93K\x05\x85R.",
		 "builtins.str(5)");
	RENDERED("\x8c\x08" "builtins\x8c\x03str\x93)R.", "builtins.str()");
	RENDERED("\x8c\x08" "builtins\x8c\x03str\x93\x8c\x01" "a\x8c\x01" "b"
		 "\x86R.", "builtins.str('a', 'b')");
	RENDERED("\x8c\x02os\x8c\x06system\x93\x8c\x02id\x85R.",
		 "os.system('id')");
	RENDERED("\x8c\x01m\x8c\x01n\x93]\x85R.", "m.n([])");
	REFUSED("K\x01)R.", "REDUCE of a non-global");
	REFUSED("\x8c\x01m\x8c\x01n\x93]R.", "argument tuple");
	REFUSED("\x8c\x01m\x8c\x01n\x93\x8c\x01m\x8c\x01n\x93R.",
		"argument tuple");
	REFUSED(")R.", "stack underflow");
	REFUSED("\x8c\x01mK\x01\x93.", "two strings");
	REFUSED("K\x01\x8c\x01n\x93.", "two strings");
	REFUSED("\x8c\x01m\x93.", "stack underflow");
}

static void test_unreduced_globals(void **state)
{
	(void)state;
	REFUSED("\x8c\x01m\x8c\x01n\x93.", "global not reduced");
	REFUSED("]\x8c\x01m\x8c\x01n\x93" "a.", "global not reduced");
	REFUSED("\x8c\x01m\x8c\x01n\x93\x85.", "global not reduced");
	REFUSED("}\x8c\x01k\x8c\x01m\x8c\x01n\x93s.", "global not reduced");
	REFUSED("](\x8c\x01m\x8c\x01n\x93" "e.", "global not reduced");
	REFUSED("}\x8c\x01m\x8c\x01n\x93K\x01s.", "global not reduced");
	/* fetched from the memo, it is still a global */
	REFUSED("\x8c\x01m\x8c\x01n\x93\x94)Rh\x00\x86.",
		"global not reduced");
}

static void test_stack_and_marks(void **state)
{
	(void)state;
	REFUSED("", "truncated");
	REFUSED(".", "exactly one value");
	REFUSED("K\x01K\x02.", "exactly one value");
	REFUSED("K\x01(.", "MARK");                 /* left open */
	REFUSED("(K\x01.", "MARK");
	REFUSED("]K\x01" "e.", "MARK expected");    /* APPENDS without MARK */
	REFUSED("t.", "MARK expected");
	REFUSED("}u.", "MARK expected");
	REFUSED("(K\x01" "a.", "stack underflow");  /* APPEND across a MARK */
	REFUSED("](K\x01" "aK\x02" "e.", "stack underflow");
	REFUSED("K\x01(\x85t.", "stack underflow"); /* TUPLE1 across a MARK */
	REFUSED("(K\x01" "e.", "stack underflow");  /* APPENDS: nothing below */
	REFUSED("]((K\x01" "e" "t.", "stack underflow"); /* list behind 2 marks */
	REFUSED("K\x01K\x02" "a.", "non-list");
	REFUSED("K\x01K\x02K\x03s.", "non-dict");
	REFUSED("](K\x01K\x02u.", "non-dict");
	REFUSED("a.", "stack underflow");
	REFUSED("\x85.", "stack underflow");
	REFUSED("K\x01\x87.", "stack underflow");
	RENDERED("](e.", "[]");                        /* empty batches */
	RENDERED("}(u.", "{}");
	RENDERED("(t.", "()");
	RENDERED("](K\x01K\x02" "eK\x03" "a.", "[1, 2, 3]");
}

static void test_dicts(void **state)
{
	(void)state;
	RENDERED("}(\x8c\x01" "aK\x01NN\x88\x89K\x07" "]u.",
		 "{'a': 1, None: None, True: False, 7: []}");
	REFUSED("}(\x8c\x01" "aK\x01\x8c\x01" "bu.", "odd number");
	REFUSED("}]K\x01s.", "unsupported dict key");
	REFUSED("})K\x01s.", "unsupported dict key");
	REFUSED("}(}K\x01u.", "unsupported dict key");
	/* duplicate keys are kept in order (Python keeps the last value) */
	RENDERED("}(K\x01K\x02K\x01K\x03u.", "{1: 2, 1: 3}");
}

static void test_unknown_opcodes(void **state)
{
	/* GLOBAL, INST, OBJ, BUILD, BINPUT, LONG_BINPUT, PUT, GET, INT,
	 * STRING, BINSTRING, SHORT_BINBYTES, BINBYTES, DUP, POP, POP_MARK,
	 * LIST, DICT, EXT1, NEWOBJ, NEWOBJ_EX, EMPTY_SET, ADDITEMS,
	 * FROZENSET, BYTEARRAY8, NEXT_BUFFER, READONLY_BUFFER, PERSID,
	 * BINPERSID, LONG4, and bytes that are no opcode at all */
	static const unsigned char ops[] = {
		'c', 'i', 'o', 'b', 'q', 'r', 'p', 'g', 'I', 'S', 'T', 'C',
		'B', '2', '0', '1', 'l', 'd', 0x82, 0x81, 0x92, 0x8f, 0x90,
		0x91, 0x96, 0x97, 0x98, 'P', 'Q', 0x8b, 0x00, 0xff, ' ', 'z',
	};

	(void)state;
	for (size_t i = 0; i < COUNT(ops); i++) {
		unsigned char p[] = { 'K', 1, ops[i], '.' };

		expect_refused(p, sizeof p, "unsupported opcode");
	}
}

static void test_trailing_bytes(void **state)
{
	struct buf b = load_fixture("ping.pickle");

	(void)state;
	buf_byte(&b, '.');
	expect_refused(b.data, b.len, "trailing bytes");
	b.len--;
	buf_str(&b, F2B_END_COMMAND);
	expect_refused(b.data, b.len, "trailing bytes");
	free(b.data);
	REFUSED("N.N.", "trailing bytes");
}

static void test_proto(void **state)
{
	(void)state;
	RENDERED("\x80\x05N.", "None");
	RENDERED("\x80\x00N.", "None");
	REFUSED("\x80\x06N.", "protocol");
	REFUSED("\x80\xffN.", "protocol");
	REFUSED("\x80", "truncated");
}

static void test_null_arguments(void **state)
{
	const char *why = NULL;

	(void)state;
	assert_null(pickle_decode(NULL, 5, &why));
	assert_non_null(why);
	assert_null(pickle_decode(NULL, 0, NULL));
	assert_null(pickle_root(NULL));
	pickle_doc_free(NULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_encode_known_command),
		cmocka_unit_test(test_encode_one_argument),
		cmocka_unit_test(test_encode_batches),
		cmocka_unit_test(test_encode_no_arguments),
		cmocka_unit_test(test_encode_utf8),
		cmocka_unit_test(test_encode_refuses_invalid_utf8),
		cmocka_unit_test(test_encode_refuses_bad_calls),
		cmocka_unit_test(test_encode_decodes_back),
		cmocka_unit_test(test_fixtures_match_expectations),
		cmocka_unit_test(test_ping),
		cmocka_unit_test(test_banip),
		cmocka_unit_test(test_banned),
		cmocka_unit_test(test_unknown_jail),
		cmocka_unit_test(test_status),
		cmocka_unit_test(test_ignoreip),
		cmocka_unit_test(test_bantime),
		cmocka_unit_test(test_thread_dict),
		cmocka_unit_test(test_echo_utf8),
		cmocka_unit_test(test_truncations),
		cmocka_unit_test(test_corruptions),
		cmocka_unit_test(test_python_pickles),
		cmocka_unit_test(test_numbers),
		cmocka_unit_test(test_strings),
		cmocka_unit_test(test_long_binget),
		cmocka_unit_test(test_deep_nesting),
		cmocka_unit_test(test_huge_declared_lengths),
		cmocka_unit_test(test_huge_item_count),
		cmocka_unit_test(test_memory_cap),
		cmocka_unit_test(test_memo),
		cmocka_unit_test(test_shared_containers),
		cmocka_unit_test(test_reduce),
		cmocka_unit_test(test_unreduced_globals),
		cmocka_unit_test(test_stack_and_marks),
		cmocka_unit_test(test_dicts),
		cmocka_unit_test(test_unknown_opcodes),
		cmocka_unit_test(test_trailing_bytes),
		cmocka_unit_test(test_proto),
		cmocka_unit_test(test_null_arguments),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
