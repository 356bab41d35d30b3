/* fuzz_pickle.c - libFuzzer target for pickle.h, both directions.
 *
 * Decoding: any bytes are either refused with a reason or give a tree that
 * keeps the promises of pickle.h (strings NUL-terminated with no NUL inside,
 * depth and value counts within the limits), walked here in full so that
 * AddressSanitizer sees every byte the decoder handed out.  Memory is
 * bounded by the run's -rss_limit_mb and -malloc_limit_mb (see README.md).
 *
 * Encoding: the input, cut at NUL bytes, is a command; when the encoder
 * takes it, the decoder must read back exactly that list of strings. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "pickle.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The most words a command made from one input may have. */
#define MAX_ARGS 64

static void check(int ok)
{
	if (!ok)
		abort();
}

/* Visit every value; returns how many were seen. */
static size_t walk(const struct pickle_value *v, unsigned depth)
{
	size_t seen = 1;

	check(v != NULL);
	check(depth <= PICKLE_MAX_DEPTH + 1);
	switch (v->type) {
	case PICKLE_NONE:
	case PICKLE_INT:
	case PICKLE_FLOAT:
		break;
	case PICKLE_BOOL:
		check(v->integer == 0 || v->integer == 1);
		break;
	case PICKLE_STR:
		check(v->text != NULL && strlen(v->text) == v->len);
		break;
	case PICKLE_DICT:
		check(v->count % 2 == 0);
		/* fall through */
	case PICKLE_LIST:
	case PICKLE_TUPLE:
	case PICKLE_OBJECT:
		check(v->count == 0 || v->items != NULL);
		if (v->type == PICKLE_OBJECT)
			check(v->text != NULL && strlen(v->text) == v->len);
		for (size_t i = 0; i < v->count; i++)
			seen += walk(v->items[i], depth + 1);
		break;
	default:
		abort();
	}
	return seen;
}

static void fuzz_decode(const uint8_t *data, size_t size)
{
	const char *why = NULL;
	struct pickle_doc *doc = pickle_decode(data, size, &why);

	if (!doc) {
		check(why != NULL && why[0] != '\0');
		return;
	}
	check(walk(pickle_root(doc), 1) <= PICKLE_MAX_ITEMS);
	pickle_doc_free(doc);
}

/* Cut a NUL-terminated copy of the input into words at each NUL. */
static size_t split_words(char *copy, size_t size, const char *argv[MAX_ARGS])
{
	size_t argc = 0;

	for (size_t at = 0; at <= size && argc < MAX_ARGS;) {
		argv[argc++] = copy + at;
		at += strlen(copy + at) + 1;
	}
	return argc;
}

static void fuzz_round_trip(const uint8_t *data, size_t size)
{
	const char *argv[MAX_ARGS];
	const size_t marker = strlen(F2B_END_COMMAND);
	char *copy = malloc(size + 1);
	unsigned char *wire;
	size_t argc, len;

	if (!copy)
		return;
	memcpy(copy, data, size);
	copy[size] = '\0';
	argc = split_words(copy, size, argv);
	wire = pickle_encode_command(argv, argc, &len);
	if (wire) {
		check(len > marker);
		check(memcmp(wire + len - marker, F2B_END_COMMAND, marker) == 0);
		const char *why = NULL;
		struct pickle_doc *doc = pickle_decode(wire, len - marker, &why);
		check(doc != NULL);
		const struct pickle_value *root = pickle_root(doc);
		check(root->type == PICKLE_LIST && root->count == argc);
		for (size_t i = 0; i < argc; i++) {
			const struct pickle_value *w = root->items[i];
			check(w->type == PICKLE_STR);
			check(w->len == strlen(argv[i]));
			check(memcmp(w->text, argv[i], w->len) == 0);
		}
		pickle_doc_free(doc);
		free(wire);
	}
	free(copy);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fuzz_decode(data, size);
	fuzz_round_trip(data, size);
	return 0;
}
