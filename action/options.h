/* options.h - one reader for the options of every verb and sub-verb.
 *
 * Every option mc-f2b knows is spelled once, in a table (options.c); a
 * verb or sub-verb says which it takes and which of those it needs, as a
 * set of option ids (struct form).  The reader refuses anything else, and
 * the usage text is written from the same form, so that what --help says
 * and what is accepted cannot drift apart.  Nothing here prints: a refusal
 * is one line in err, for the caller to say. */
#ifndef MC_F2B_OPTIONS_H
#define MC_F2B_OPTIONS_H

#include <stdbool.h>
#include <stddef.h>

enum opt_id {
	/* The verbs' options (options_of_verbs). */
	OPT_JAIL, OPT_IP, OPT_VALUE, OPT_OPTION, OPT_DIR, OPT_ALL, OPT_JSON,
	OPT_NAME, OPT_EMAIL, OPT_SEND, OPT_EACH_BAN, OPT_SINCE,
	/* jail create */
	OPT_ENABLED, OPT_MAXRETRY, OPT_FINDTIME, OPT_BANTIME, OPT_PORT,
	OPT_FILTER, OPT_BANACTION, OPT_LOGPATH, OPT_MAX_COUNT,
	/* ban, from fail2ban or from a person */
	OPT_TIME, OPT_FAILURES, OPT_RESTORED, OPT_F2B_CALL, OPT_YES,
	/* sync */
	OPT_ONCE, OPT_INTERVAL, OPT_INTERVAL_MS, OPT_ROUNDS,
	/* before the verb (options_global) */
	OPT_CONFIG, OPT_VERBOSE, OPT_VERSION,
	OPT_HELP,
	OPT_COUNT
};

typedef unsigned long long opt_set;
#define OPT(id) ((opt_set)1 << (id))

_Static_assert(OPT_COUNT <= 64, "an opt_set holds 64 options");

/* One way to type an option.  Two spellings may share an id (--send and
 * --no-send): the last typed wins, as with any option given twice. */
struct opt_spelling {
	const char *long_name;   /* "jail" for --jail */
	char short_name;         /* 'j' for -j, or 0 */
	enum opt_id id;
	const char *value_name;  /* "JAIL": it takes a value; NULL: a flag */
	const char *flag_text;   /* what a flag stores (NULL: "1") */
};

struct opt_table {
	const struct opt_spelling *spellings;
	size_t n;
	bool stop_at_word;       /* options end at the first other word */
};

/* The options that follow a verb or sub-verb, and those before the verb. */
extern const struct opt_table options_of_verbs;
extern const struct opt_table options_global;

/* What a verb or sub-verb accepts: the sets, and a line that usage shows
 * under the synopsis (NULL: none). */
struct form {
	const char *name;
	opt_set takes;           /* needs is part of it */
	opt_set needs;
	const char *note;
};

/* What was typed: the value of each option (a flag's text), or NULL. */
struct opts {
	const char *text[OPT_COUNT];
};

static inline bool opt_given(const struct opts *o, enum opt_id id)
{
	return o->text[id] != NULL;
}

/* Read argv[1] onwards (argv[0] is the verb or sub-verb, named in
 * messages as `what`).  An option outside takes is refused; --help is
 * always taken, and with it what is needed is not asked for.  With the
 * table's stop_at_word, *next is set to the index of the first word that
 * is no option (argc when there is none); else such a word is refused.
 * Returns 0, or -1 with one line in err. */
int options_read(const struct opt_table *t, const struct form *f,
		 const char *what, int argc, char **argv, int *next,
		 struct opts *o, char *err, size_t errlen);

/* The synopsis of a form: what it needs, then in brackets what it may
 * take ("-j JAIL --option OPTION -v VALUE", "[-j JAIL] [--all]"); the
 * options in hide are left out.  It starts at `column` of a line and
 * wraps before column 78, its next lines indented to the same column.
 * Truncated to fit len. */
void options_synopsis(const struct opt_table *t, const struct form *f,
		      opt_set hide, size_t column, char *out, size_t len);

#endif
