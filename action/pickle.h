/* pickle.h - the part of Python's pickle format that fail2ban's socket
 * speaks, in both directions.
 *
 * A client sends a pickled list of strings followed by the marker
 * "<F2B_END_COMMAND>"; the server answers with a pickled (code, result)
 * tuple and the same marker.  The server unpickles whatever arrives, so we
 * only ever send a list of strings.  Replies are decoded into a tree of
 * values without executing anything: a "global" followed by REDUCE becomes
 * an object value naming the global and holding its arguments, except
 * builtins.str(x), which is just the string x (fail2ban sends IP lists that
 * way).  Anything outside the supported subset, truncated or malformed is
 * refused with a reason, never a crash; the decoder bounds depth, item
 * counts and memory. */
#ifndef MC_F2B_PICKLE_H
#define MC_F2B_PICKLE_H

#include <stdbool.h>
#include <stddef.h>

#define F2B_END_COMMAND "<F2B_END_COMMAND>"
#define F2B_CLOSE_COMMAND "<F2B_CLOSE_COMMAND>"

enum pickle_type {
	PICKLE_NONE,
	PICKLE_BOOL,     /* .integer is 0 or 1 */
	PICKLE_INT,      /* .integer */
	PICKLE_FLOAT,    /* .real */
	PICKLE_STR,      /* .text, .len (UTF-8, NUL-terminated, no NUL inside) */
	PICKLE_LIST,     /* .items, .count */
	PICKLE_TUPLE,    /* .items, .count */
	PICKLE_DICT,     /* .items, .count: key, value, key, value, ... */
	PICKLE_OBJECT,   /* .text = "module.name", .items/.count = arguments */
};

struct pickle_value {
	enum pickle_type type;
	long long integer;
	double real;
	const char *text;
	size_t len;
	struct pickle_value **items;
	size_t count;
};

/* A decoded reply: every value lives in the document's arena. */
struct pickle_doc;

/* Encode a command as a protocol-2 pickle, the layout Python's own pickler
 * writes (fail2ban-client itself sends protocol 5; the server reads both),
 * with the end marker appended.  Returns a malloc()ed buffer, or NULL when an argument is
 * not valid UTF-8 or the command is too large. */
unsigned char *pickle_encode_command(const char *const *argv, size_t argc,
				     size_t *len);

/* Decode one pickle (without the end marker).  Returns NULL and points *why
 * at a static reason when the bytes are not a supported, complete pickle. */
struct pickle_doc *pickle_decode(const unsigned char *buf, size_t len,
				 const char **why);
const struct pickle_value *pickle_root(const struct pickle_doc *doc);
void pickle_doc_free(struct pickle_doc *doc);

/* Limits, exported for the tests. */
#define PICKLE_MAX_DEPTH 32
#define PICKLE_MAX_ITEMS (1u << 20)            /* values in one document */
#define PICKLE_MAX_BYTES (64u << 20)           /* arena size */

#endif
