/* pickle.c - the subset of Python's pickle format that fail2ban speaks.
 *
 * Requests: a protocol 2 list of BINUNICODE strings laid out as Python's
 * pickler lays it out, minus the memo opcodes, which only shared objects
 * need.  Replies: a small stack machine that builds a tree of values in an
 * arena owned by the document.  Nothing is ever looked up or executed, and
 * every resource the input can make us spend is capped (see pickle.h for
 * the limits). */
#include "pickle.h"

#include <stdalign.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* A request is a handful of short strings; anything near this is a bug. */
#define ENCODE_MAX (1u << 20)

/* Opcodes, named as in Python's pickletools. */
enum {
	OP_MARK = '(',
	OP_STOP = '.',
	OP_BINFLOAT = 'G',
	OP_BININT = 'J',
	OP_BININT1 = 'K',
	OP_BININT2 = 'M',
	OP_NONE = 'N',
	OP_REDUCE = 'R',
	OP_BINUNICODE = 'X',
	OP_EMPTY_LIST = ']',
	OP_APPEND = 'a',
	OP_APPENDS = 'e',
	OP_BINGET = 'h',
	OP_LONG_BINGET = 'j',
	OP_SETITEM = 's',
	OP_TUPLE = 't',
	OP_SETITEMS = 'u',
	OP_EMPTY_DICT = '}',
	OP_EMPTY_TUPLE = ')',
	OP_PROTO = 0x80,
	OP_TUPLE1 = 0x85,
	OP_TUPLE2 = 0x86,
	OP_TUPLE3 = 0x87,
	OP_NEWTRUE = 0x88,
	OP_NEWFALSE = 0x89,
	OP_LONG1 = 0x8a,
	OP_SHORT_BINUNICODE = 0x8c,
	OP_BINUNICODE8 = 0x8d,
	OP_STACK_GLOBAL = 0x93,
	OP_MEMOIZE = 0x94,
	OP_FRAME = 0x95,
};

#define HIGHEST_PROTOCOL 5

/* ---- UTF-8 ------------------------------------------------------------ */

/* Length of the well-formed UTF-8 sequence at s (n bytes available), or 0.
 * The second byte's range is what rules out overlong forms (E0, F0),
 * surrogates (ED) and code points above U+10FFFF (F4); C0, C1 and F5..FF
 * never start a sequence. */
static size_t utf8_seq(const unsigned char *s, size_t n)
{
	unsigned char lo = 0x80, hi = 0xbf;
	size_t len;

	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xc2 && s[0] <= 0xdf) {
		len = 2;
	} else if (s[0] >= 0xe0 && s[0] <= 0xef) {
		len = 3;
		if (s[0] == 0xe0)
			lo = 0xa0;
		else if (s[0] == 0xed)
			hi = 0x9f;
	} else if (s[0] >= 0xf0 && s[0] <= 0xf4) {
		len = 4;
		if (s[0] == 0xf0)
			lo = 0x90;
		else if (s[0] == 0xf4)
			hi = 0x8f;
	} else {
		return 0;
	}
	if (n < len || s[1] < lo || s[1] > hi)
		return 0;
	for (size_t i = 2; i < len; i++)
		if (s[i] < 0x80 || s[i] > 0xbf)
			return 0;
	return len;
}

/* Strict UTF-8 without NUL: what both ends may carry as a C string. */
static bool text_ok(const unsigned char *s, size_t n, const char **why)
{
	size_t i = 0;

	while (i < n) {
		size_t k;

		if (s[i] == 0) {
			*why = "string contains NUL";
			return false;
		}
		k = utf8_seq(s + i, n - i);
		if (k == 0) {
			*why = "string is not valid UTF-8";
			return false;
		}
		i += k;
	}
	return true;
}

/* ---- encoder ---------------------------------------------------------- */

static unsigned char *put(unsigned char *p, const void *src, size_t n)
{
	memcpy(p, src, n);
	return p + n;
}

static unsigned char *put_u32le(unsigned char *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		*p++ = (unsigned char)(v >> (8 * i));
	return p;
}

/* Python's (C) pickler appends a list of one item with APPEND, longer
 * lists in batches of this many: MARK, the items, APPENDS. */
#define APPEND_BATCH 1000

/* Bytes of the APPEND or MARK ... APPENDS markers for argc items. */
static size_t batch_overhead(size_t argc)
{
	if (argc <= 1)
		return argc;
	return 2 * ((argc + APPEND_BATCH - 1) / APPEND_BATCH);
}

/* Size of the request, or 0 when an argument is missing, not UTF-8, or
 * the whole would exceed ENCODE_MAX (checked per argument, so the sum
 * cannot overflow). */
static size_t encoded_size(const char *const *argv, size_t argc)
{
	/* PROTO 2, EMPTY_LIST, STOP, the end marker */
	size_t total = 2 + 1 + 1 + (sizeof F2B_END_COMMAND - 1);
	const char *why;

	for (size_t i = 0; i < argc; i++) {
		size_t n;

		if (argv[i] == NULL)
			return 0;
		n = strlen(argv[i]);
		if (n > ENCODE_MAX || 5 + n > ENCODE_MAX - total)
			return 0;
		if (!text_ok((const unsigned char *)argv[i], n, &why))
			return 0;
		total += 5 + n; /* BINUNICODE, uint32 length, bytes */
	}
	/* every item took at least 5 bytes, so argc < ENCODE_MAX here */
	total += batch_overhead(argc);
	return total <= ENCODE_MAX ? total : 0;
}

static unsigned char *put_item(unsigned char *p, const char *s)
{
	size_t n = strlen(s);

	*p++ = OP_BINUNICODE;
	p = put_u32le(p, (uint32_t)n);
	return put(p, s, n);
}

/* The bytes are those of Python's pickle.dumps(argv, 2) with the memo
 * turned off (Pickler.fast): the plain pickler adds a BINPUT after the
 * list and after each string, which only matters for shared objects. */
unsigned char *pickle_encode_command(const char *const *argv, size_t argc,
				     size_t *len)
{
	static const unsigned char head[] = { OP_PROTO, 2, OP_EMPTY_LIST };
	unsigned char *buf, *p;
	size_t total;

	if (len == NULL)
		return NULL;
	*len = 0;
	if (argc > 0 && argv == NULL)
		return NULL;
	total = encoded_size(argv, argc);
	if (total == 0 || (buf = malloc(total)) == NULL)
		return NULL;

	p = put(buf, head, sizeof head);
	if (argc == 1) {
		p = put_item(p, argv[0]);
		*p++ = OP_APPEND;
	} else {
		for (size_t i = 0; i < argc;) {
			size_t stop = argc - i > APPEND_BATCH ?
				      i + APPEND_BATCH : argc;

			*p++ = OP_MARK;
			for (; i < stop; i++)
				p = put_item(p, argv[i]);
			*p++ = OP_APPENDS;
		}
	}
	*p++ = OP_STOP;
	p = put(p, F2B_END_COMMAND, sizeof F2B_END_COMMAND - 1);
	*len = (size_t)(p - buf);
	return buf;
}

/* ---- the document's arena --------------------------------------------- */

#define CHUNK_MIN ((size_t)4096)
#define CHUNK_MAX ((size_t)1 << 20)

/* The strictest alignment anything in a document needs (values, pointer
 * arrays, text); narrower than max_align_t, which would pad every value. */
union arena_align {
	long long ll;
	double d;
	void *p;
	size_t z;
};

struct chunk {
	struct chunk *next;
	size_t size, used;
	union arena_align data[];
};

struct pickle_doc {
	struct chunk *chunks;   /* newest first */
	size_t arena_bytes;     /* sum of chunk sizes, <= PICKLE_MAX_BYTES */
	size_t values;          /* tree nodes, <= PICKLE_MAX_ITEMS */
	struct pickle_value *root;
};

/* Chunks double from CHUNK_MIN to CHUNK_MAX so that small replies cost one
 * malloc and large ones few; a request larger than that gets a chunk of its
 * own.  NULL when malloc fails or the document would exceed its cap. */
static void *arena_alloc(struct pickle_doc *doc, size_t n, bool *over_cap)
{
	const size_t align = alignof(union arena_align);
	struct chunk *c = doc->chunks;
	void *p;

	*over_cap = false;
	if (n > PICKLE_MAX_BYTES) {
		*over_cap = true;
		return NULL;
	}
	n = (n + align - 1) / align * align;
	if (c == NULL || c->size - c->used < n) {
		size_t left = PICKLE_MAX_BYTES - doc->arena_bytes;
		size_t size = c ? c->size * 2 : CHUNK_MIN;

		if (size > CHUNK_MAX)
			size = CHUNK_MAX;
		if (size < n)
			size = n;
		if (size > left)
			size = left;    /* near the cap, take what remains */
		if (size < n) {
			*over_cap = true;
			return NULL;
		}
		c = malloc(sizeof *c + size);
		if (c == NULL)
			return NULL;
		c->next = doc->chunks;
		c->size = size;
		c->used = 0;
		doc->chunks = c;
		doc->arena_bytes += size;
	}
	p = (unsigned char *)c->data + c->used;
	c->used += n;
	return p;
}

void pickle_doc_free(struct pickle_doc *doc)
{
	if (doc == NULL)
		return;
	while (doc->chunks) {
		struct chunk *next = doc->chunks->next;

		free(doc->chunks);
		doc->chunks = next;
	}
	free(doc);
}

const struct pickle_value *pickle_root(const struct pickle_doc *doc)
{
	return doc ? doc->root : NULL;
}

/* ---- decoder state ---------------------------------------------------- */

/* A stack (or memo) entry.  Depth and capacity live here rather than in
 * the public value: a list or dict only grows while it sits on the stack,
 * and BINGET never hands one out again (see op_get), so this is the only
 * place they are needed. */
struct slot {
	struct pickle_value *v;
	size_t cap;             /* allocated .items of a list or dict */
	unsigned depth;         /* 0 for scalars, 1 + deepest item otherwise */
	bool global;            /* unreduced global; v->text is "module.name" */
	bool str_ctor;          /* that global is builtins.str */
};

struct decoder {
	const unsigned char *p, *end;
	struct pickle_doc *doc;
	struct slot *stack;
	size_t top, stack_cap;
	struct slot *memo;
	size_t nmemo, memo_cap;
	/* Open MARKs (stack heights).  Each one belongs to a container being
	 * built inside the previous one, so more than PICKLE_MAX_DEPTH of them
	 * could only end in a structure that is too deep anyway. */
	size_t marks[PICKLE_MAX_DEPTH];
	size_t nmarks;
	bool stopped;
	const char *why;
};

/* Record the first reason only: later failures are consequences. */
static bool fail(struct decoder *d, const char *why)
{
	if (d->why == NULL)
		d->why = why;
	return false;
}

static void *alloc(struct decoder *d, size_t n)
{
	bool over_cap;
	void *p = arena_alloc(d->doc, n, &over_cap);

	if (p == NULL)
		fail(d, over_cap ? "reply exceeds the memory limit" :
		     "out of memory");
	return p;
}

/* Every node of the tree, shared or not, counts towards PICKLE_MAX_ITEMS,
 * so a walk over a decoded document is bounded too. */
static bool count_value(struct decoder *d)
{
	if (d->doc->values >= PICKLE_MAX_ITEMS)
		return fail(d, "too many values");
	d->doc->values++;
	return true;
}

static struct pickle_value *new_value(struct decoder *d, enum pickle_type t)
{
	struct pickle_value *v;

	if (!count_value(d) || (v = alloc(d, sizeof *v)) == NULL)
		return NULL;
	*v = (struct pickle_value){ .type = t };
	return v;
}

/* Make room for one more entry in a malloc()ed slot array. */
static bool reserve_slot(struct decoder *d, struct slot **arr, size_t *cap,
			 size_t used)
{
	struct slot *n;
	size_t want;

	if (used < *cap)
		return true;
	if (used >= PICKLE_MAX_ITEMS)
		return fail(d, "too many values");
	want = *cap ? *cap * 2 : 64;
	n = realloc(*arr, want * sizeof *n);
	if (n == NULL)
		return fail(d, "out of memory");
	*arr = n;
	*cap = want;
	return true;
}

static bool push(struct decoder *d, struct slot s)
{
	if (!reserve_slot(d, &d->stack, &d->stack_cap, d->top))
		return false;
	d->stack[d->top++] = s;
	return true;
}

static bool push_value(struct decoder *d, struct pickle_value *v,
		       unsigned depth)
{
	return v && push(d, (struct slot){ .v = v, .depth = depth });
}

/* Entries above the innermost MARK: the only ones an opcode may pop. */
static size_t avail(const struct decoder *d)
{
	size_t fence = d->nmarks ? d->marks[d->nmarks - 1] : 0;

	return d->top - fence;
}

static bool need(struct decoder *d, size_t n)
{
	return avail(d) >= n || fail(d, "stack underflow");
}

/* Close the innermost MARK; *base is where its items start. */
static bool pop_mark(struct decoder *d, size_t *base)
{
	if (d->nmarks == 0)
		return fail(d, "MARK expected");
	*base = d->marks[--d->nmarks];
	return true;
}

/* ---- input ------------------------------------------------------------ */

static bool take(struct decoder *d, size_t n, const unsigned char **out)
{
	if ((size_t)(d->end - d->p) < n)
		return fail(d, "truncated pickle");
	*out = d->p;
	d->p += n;
	return true;
}

/* n little-endian bytes, assembled byte by byte: host order never matters */
static bool take_le(struct decoder *d, size_t n, uint64_t *out)
{
	const unsigned char *b;

	if (!take(d, n, &b))
		return false;
	*out = 0;
	for (size_t i = 0; i < n; i++)
		*out |= (uint64_t)b[i] << (8 * i);
	return true;
}

/* ---- opcodes ---------------------------------------------------------- */

static bool push_int(struct decoder *d, enum pickle_type t, long long i)
{
	struct pickle_value *v = new_value(d, t);

	if (v)
		v->integer = i;
	return push_value(d, v, 0);
}

/* Two's complement of n (<= 8) little-endian bytes, without relying on
 * implementation-defined conversions of out-of-range values. */
static long long signed_le(uint64_t u, size_t n)
{
	if (n == 0)
		return 0;
	if (n < 8 && (u >> (8 * n - 1)) & 1)
		u |= ~(uint64_t)0 << (8 * n);   /* sign-extend */
	if (u <= INT64_MAX)
		return (long long)u;
	return -(long long)(~u) - 1;
}

static bool op_int(struct decoder *d, int op)
{
	uint64_t u;
	const unsigned char *b;

	switch (op) {
	case OP_BININT1:
		return take_le(d, 1, &u) && push_int(d, PICKLE_INT, (long long)u);
	case OP_BININT2:
		return take_le(d, 2, &u) && push_int(d, PICKLE_INT, (long long)u);
	case OP_BININT:
		return take_le(d, 4, &u) &&
		       push_int(d, PICKLE_INT, signed_le(u, 4));
	default:        /* LONG1: a length byte, then the bytes */
		if (!take(d, 1, &b))
			return false;
		if (b[0] > 8)
			return fail(d, "LONG1 longer than 8 bytes");
		return take_le(d, b[0], &u) &&
		       push_int(d, PICKLE_INT, signed_le(u, b[0]));
	}
}

static bool op_float(struct decoder *d)
{
	_Static_assert(sizeof(double) == sizeof(uint64_t),
		       "BINFLOAT needs a 64-bit double");
	const unsigned char *b;
	struct pickle_value *v;
	uint64_t u = 0;

	if (!take(d, 8, &b))
		return false;
	for (int i = 0; i < 8; i++)     /* BINFLOAT is big-endian */
		u = u << 8 | b[i];
	if ((v = new_value(d, PICKLE_FLOAT)) == NULL)
		return false;
	memcpy(&v->real, &u, sizeof v->real);
	return push_value(d, v, 0);
}

static struct pickle_value *make_str(struct decoder *d, const void *s,
				     size_t n)
{
	struct pickle_value *v = new_value(d, PICKLE_STR);
	char *text;

	if (v == NULL || (text = alloc(d, n + 1)) == NULL)
		return NULL;
	memcpy(text, s, n);
	text[n] = '\0';
	v->text = text;
	v->len = n;
	return v;
}

static bool op_string(struct decoder *d, size_t width)
{
	const unsigned char *s;
	const char *why;
	uint64_t n;

	if (!take_le(d, width, &n))
		return false;
	/* Checked against the input before anything is allocated (a huge
	 * declared length costs nothing) and before the cast to size_t. */
	if (n > (uint64_t)(d->end - d->p))
		return fail(d, "truncated pickle");
	if (!take(d, (size_t)n, &s))
		return false;
	if (!text_ok(s, (size_t)n, &why))
		return fail(d, why);
	return push_value(d, make_str(d, s, (size_t)n), 0);
}

static bool op_memoize(struct decoder *d)
{
	if (!need(d, 1) ||
	    !reserve_slot(d, &d->memo, &d->memo_cap, d->nmemo))
		return false;
	d->memo[d->nmemo++] = d->stack[d->top - 1];
	return true;
}

static bool is_container(const struct pickle_value *v)
{
	return v->type == PICKLE_LIST || v->type == PICKLE_TUPLE ||
	       v->type == PICKLE_DICT || v->type == PICKLE_OBJECT;
}

/* Only leaves and globals are handed out again.  A second reference to a
 * list or dict would allow a cycle (append it to itself), and one to any
 * container would let a few bytes describe an exponentially large tree. */
static bool op_get(struct decoder *d, size_t width)
{
	uint64_t i;
	struct slot s;

	if (!take_le(d, width, &i))
		return false;
	if (i >= d->nmemo)
		return fail(d, "memo index out of range");
	s = d->memo[i];
	if (!s.global && is_container(s.v))
		return fail(d, "shared containers are not supported");
	return count_value(d) && push(d, s);
}

/* Turn the top n entries into a tuple. */
static bool make_tuple(struct decoder *d, size_t n)
{
	struct pickle_value *v;
	unsigned depth = 0;
	size_t base;

	if (!need(d, n))
		return false;
	base = d->top - n;
	for (size_t i = base; i < d->top; i++) {
		if (d->stack[i].global)
			return fail(d, "global not reduced");
		if (d->stack[i].depth > depth)
			depth = d->stack[i].depth;
	}
	if (++depth > PICKLE_MAX_DEPTH)
		return fail(d, "nesting too deep");
	if ((v = new_value(d, PICKLE_TUPLE)) == NULL)
		return false;
	if (n > 0) {
		if ((v->items = alloc(d, n * sizeof *v->items)) == NULL)
			return false;
		for (size_t i = 0; i < n; i++)
			v->items[i] = d->stack[base + i].v;
	}
	v->count = n;
	d->top = base;
	return push_value(d, v, depth);
}

static bool op_tuple_mark(struct decoder *d)
{
	size_t base;

	return pop_mark(d, &base) && make_tuple(d, d->top - base);
}

static bool dict_key_ok(const struct slot *k)
{
	return !k->global && (k->v->type == PICKLE_NONE ||
			      k->v->type == PICKLE_BOOL ||
			      k->v->type == PICKLE_INT ||
			      k->v->type == PICKLE_FLOAT ||
			      k->v->type == PICKLE_STR);
}

/* Move the n entries at stack[from] into the list or dict at stack[at]
 * (below them), growing its arena array by doubling.  The abandoned
 * arrays stay in the arena: at most as much again as the final ones. */
static bool extend(struct decoder *d, size_t at, size_t from, size_t n,
		   enum pickle_type want)
{
	struct slot *c = &d->stack[at];
	struct pickle_value *v = c->v;

	if (c->global || v->type != want)
		return fail(d, want == PICKLE_LIST ? "APPEND to a non-list" :
			    "SETITEM to a non-dict");
	if (want == PICKLE_DICT && n % 2 != 0)
		return fail(d, "SETITEMS with an odd number of items");
	for (size_t i = from; i < from + n; i++) {
		if (d->stack[i].global)
			return fail(d, "global not reduced");
		if (want == PICKLE_DICT && (i - from) % 2 == 0 &&
		    !dict_key_ok(&d->stack[i]))
			return fail(d, "unsupported dict key");
		if (d->stack[i].depth + 1 > c->depth)
			c->depth = d->stack[i].depth + 1;
	}
	if (c->depth > PICKLE_MAX_DEPTH)
		return fail(d, "nesting too deep");
	if (v->count + n > c->cap) {
		size_t cap = c->cap ? c->cap * 2 : 4;
		struct pickle_value **items;

		if (cap < v->count + n)
			cap = v->count + n;
		if (cap > PICKLE_MAX_ITEMS)
			return fail(d, "too many values");
		if ((items = alloc(d, cap * sizeof *items)) == NULL)
			return false;
		if (v->count > 0)
			memcpy(items, v->items, v->count * sizeof *items);
		v->items = items;
		c->cap = cap;
	}
	for (size_t i = 0; i < n; i++)
		v->items[v->count++] = d->stack[from + i].v;
	d->top = from;
	return true;
}

/* APPEND, SETITEM: the container sits n entries below the top. */
static bool op_add(struct decoder *d, size_t n, enum pickle_type want)
{
	return need(d, n + 1) &&
	       extend(d, d->top - n - 1, d->top - n, n, want);
}

/* APPENDS, SETITEMS: the container sits just below the MARK, and must lie
 * above the MARK before that one. */
static bool op_add_mark(struct decoder *d, enum pickle_type want)
{
	size_t base;

	if (!pop_mark(d, &base))
		return false;
	if (base == 0 || base - 1 < d->top - avail(d))
		return fail(d, "stack underflow");
	return extend(d, base - 1, base, d->top - base, want);
}

static bool op_empty(struct decoder *d, enum pickle_type t)
{
	struct pickle_value *v = new_value(d, t);

	return push_value(d, v, 1);
}

static bool op_mark(struct decoder *d)
{
	if (d->nmarks == PICKLE_MAX_DEPTH)
		return fail(d, "too many nested MARKs");
	d->marks[d->nmarks++] = d->top;
	return true;
}

static bool is_str(const struct slot *s)
{
	return !s->global && s->v->type == PICKLE_STR;
}

/* STACK_GLOBAL: module and name become a "module.name" placeholder that
 * only REDUCE can consume; nothing is imported or looked up. */
static bool op_stack_global(struct decoder *d)
{
	const struct pickle_value *mod, *name;
	struct pickle_value *v;
	size_t n;
	char *text;

	if (!need(d, 2))
		return false;
	if (!is_str(&d->stack[d->top - 2]) || !is_str(&d->stack[d->top - 1]))
		return fail(d, "STACK_GLOBAL needs two strings");
	mod = d->stack[d->top - 2].v;
	name = d->stack[d->top - 1].v;
	n = mod->len + 1 + name->len;
	if ((v = new_value(d, PICKLE_STR)) == NULL ||
	    (text = alloc(d, n + 1)) == NULL)
		return false;
	memcpy(text, mod->text, mod->len);
	text[mod->len] = '.';
	memcpy(text + mod->len + 1, name->text, name->len + 1);
	v->text = text;
	v->len = n;
	d->top -= 2;
	return push(d, (struct slot){
		.v = v,
		.global = true,
		.str_ctor = strcmp(mod->text, "builtins") == 0 &&
			    strcmp(name->text, "str") == 0,
	});
}

/* REDUCE: builtins.str(s) is s itself (how fail2ban sends addresses);
 * any other call is kept as an object naming the global. */
static bool op_reduce(struct decoder *d)
{
	struct slot fn, args;
	struct pickle_value *v;

	if (!need(d, 2))
		return false;
	fn = d->stack[d->top - 2];
	args = d->stack[d->top - 1];
	if (!fn.global)
		return fail(d, "REDUCE of a non-global");
	if (args.global || args.v->type != PICKLE_TUPLE)
		return fail(d, "REDUCE needs an argument tuple");
	d->top -= 2;
	if (fn.str_ctor && args.v->count == 1 &&
	    args.v->items[0]->type == PICKLE_STR)
		return push_value(d, args.v->items[0], 0);
	if ((v = new_value(d, PICKLE_OBJECT)) == NULL)
		return false;
	v->text = fn.v->text;
	v->len = fn.v->len;
	v->items = args.v->items;
	v->count = args.v->count;
	return push_value(d, v, args.depth);
}

static bool op_proto(struct decoder *d)
{
	uint64_t proto;

	if (!take_le(d, 1, &proto))
		return false;
	return proto <= HIGHEST_PROTOCOL ||
	       fail(d, "unsupported pickle protocol");
}

/* FRAME only announces how many bytes follow; they must all be there. */
static bool op_frame(struct decoder *d)
{
	uint64_t n;

	if (!take_le(d, 8, &n))
		return false;
	return n <= (uint64_t)(d->end - d->p) || fail(d, "truncated pickle");
}

static bool op_stop(struct decoder *d)
{
	if (d->nmarks != 0)
		return fail(d, "MARK not closed at STOP");
	if (d->top != 1)
		return fail(d, "STOP needs exactly one value on the stack");
	if (d->stack[0].global)
		return fail(d, "global not reduced");
	if (d->p != d->end)
		return fail(d, "trailing bytes after STOP");
	d->doc->root = d->stack[0].v;
	d->stopped = true;
	return true;
}

static bool step(struct decoder *d)
{
	const unsigned char *b;

	if (!take(d, 1, &b))
		return false;
	switch (b[0]) {
	case OP_PROTO:          return op_proto(d);
	case OP_FRAME:          return op_frame(d);
	case OP_BININT1:
	case OP_BININT2:
	case OP_BININT:
	case OP_LONG1:          return op_int(d, b[0]);
	case OP_BINFLOAT:       return op_float(d);
	case OP_SHORT_BINUNICODE: return op_string(d, 1);
	case OP_BINUNICODE:     return op_string(d, 4);
	case OP_BINUNICODE8:    return op_string(d, 8);
	case OP_NONE:           return push_value(d, new_value(d, PICKLE_NONE), 0);
	case OP_NEWTRUE:        return push_int(d, PICKLE_BOOL, 1);
	case OP_NEWFALSE:       return push_int(d, PICKLE_BOOL, 0);
	case OP_EMPTY_LIST:     return op_empty(d, PICKLE_LIST);
	case OP_EMPTY_TUPLE:    return op_empty(d, PICKLE_TUPLE);
	case OP_EMPTY_DICT:     return op_empty(d, PICKLE_DICT);
	case OP_MARK:           return op_mark(d);
	case OP_MEMOIZE:        return op_memoize(d);
	case OP_BINGET:         return op_get(d, 1);
	case OP_LONG_BINGET:    return op_get(d, 4);
	case OP_TUPLE1:         return make_tuple(d, 1);
	case OP_TUPLE2:         return make_tuple(d, 2);
	case OP_TUPLE3:         return make_tuple(d, 3);
	case OP_TUPLE:          return op_tuple_mark(d);
	case OP_APPEND:         return op_add(d, 1, PICKLE_LIST);
	case OP_APPENDS:        return op_add_mark(d, PICKLE_LIST);
	case OP_SETITEM:        return op_add(d, 2, PICKLE_DICT);
	case OP_SETITEMS:       return op_add_mark(d, PICKLE_DICT);
	case OP_STACK_GLOBAL:   return op_stack_global(d);
	case OP_REDUCE:         return op_reduce(d);
	case OP_STOP:           return op_stop(d);
	default:                return fail(d, "unsupported opcode");
	}
}

struct pickle_doc *pickle_decode(const unsigned char *buf, size_t len,
				 const char **why)
{
	struct decoder d = { .p = buf, .end = buf ? buf + len : buf };
	const char *ignored;

	if (why == NULL)
		why = &ignored;
	if (buf == NULL && len > 0) {
		*why = "no input";
		return NULL;
	}
	d.doc = calloc(1, sizeof *d.doc);
	if (d.doc == NULL) {
		*why = "out of memory";
		return NULL;
	}
	while (!d.stopped) {
		if (d.p == d.end) {
			fail(&d, "truncated pickle: no STOP");
			break;
		}
		if (!step(&d))
			break;
	}
	free(d.stack);
	free(d.memo);
	if (!d.stopped) {
		pickle_doc_free(d.doc);
		*why = d.why;
		return NULL;
	}
	*why = NULL;
	return d.doc;
}
