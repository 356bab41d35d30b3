/* options.c - the spelling of every option, and the one reader of them.
 *
 * getopt_long does the reading (abbreviations, "--opt=value", "-jJAIL",
 * options after words); its tables are built here from the spellings, so
 * that no verb writes its own. */
#include "options.h"

#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

/* In the order a synopsis shows them. */
static const struct opt_spelling verb_spellings[] = {
	{ "jail",        'j', OPT_JAIL,        "JAIL",    NULL },
	{ "ip",          'i', OPT_IP,          "IP",      NULL },
	{ "option",      0,   OPT_OPTION,      "OPTION",  NULL },
	{ "value",       'v', OPT_VALUE,       "VALUE",   NULL },
	{ "name",        'n', OPT_NAME,        "NAME",    NULL },
	{ "email",       'e', OPT_EMAIL,       "EMAIL",   NULL },
	{ "send",        0,   OPT_SEND,        NULL,      "1" },
	{ "no-send",     0,   OPT_SEND,        NULL,      "0" },
	{ "each-ban",    0,   OPT_EACH_BAN,    NULL,      NULL },
	{ "filter",      0,   OPT_FILTER,      "FILTER",  NULL },
	{ "logpath",     0,   OPT_LOGPATH,     "PATH",    NULL },
	{ "time",        0,   OPT_TIME,        "EPOCH",   NULL },
	{ "bantime",     0,   OPT_BANTIME,     "SECONDS", NULL },
	{ "failures",    0,   OPT_FAILURES,    "N",       NULL },
	{ "restored",    0,   OPT_RESTORED,    "0|1",     NULL },
	{ "port",        0,   OPT_PORT,        "PORTS",   NULL },
	{ "maxretry",    0,   OPT_MAXRETRY,    "N",       NULL },
	{ "findtime",    0,   OPT_FINDTIME,    "SECONDS", NULL },
	{ "max-count",   0,   OPT_MAX_COUNT,   "N",       NULL },
	{ "banaction",   0,   OPT_BANACTION,   "ACTION",  NULL },
	{ "enabled",     0,   OPT_ENABLED,     "0|1",     NULL },
	{ "f2b-call",    0,   OPT_F2B_CALL,    NULL,      NULL },
	{ "yes",         0,   OPT_YES,         NULL,      NULL },
	{ "dir",         0,   OPT_DIR,         "DIR",     NULL },
	{ "all",         0,   OPT_ALL,         NULL,      NULL },
	{ "once",        0,   OPT_ONCE,        NULL,      NULL },
	{ "interval",    0,   OPT_INTERVAL,    "SECONDS", NULL },
	{ "interval-ms", 0,   OPT_INTERVAL_MS, "MS",      NULL },
	{ "rounds",      0,   OPT_ROUNDS,      "N",       NULL },
	{ "json",        0,   OPT_JSON,        NULL,      NULL },
	{ "since",       0,   OPT_SINCE,       "TIME",    NULL },
	{ "help",        'h', OPT_HELP,        NULL,      NULL },
};

/* Before the verb, -v is --verbose: the verbs' -v VALUE is the knowledge
 * base's spelling. */
static const struct opt_spelling global_spellings[] = {
	{ NULL,          'c', OPT_CONFIG,      "FILE",    NULL },
	{ "verbose",     'v', OPT_VERBOSE,     NULL,      NULL },
	{ "json",        0,   OPT_JSON,        NULL,      NULL },
	{ "version",     0,   OPT_VERSION,     NULL,      NULL },
	{ "help",        'h', OPT_HELP,        NULL,      NULL },
};

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))
#define MAX_SPELLINGS 40
/* getopt_long returns a long option's place in the table, past any
 * character a short option could be. */
#define LONG_BASE 256

const struct opt_table options_of_verbs = {
	verb_spellings, COUNT(verb_spellings), false,
};
const struct opt_table options_global = {
	global_spellings, COUNT(global_spellings), true,
};

_Static_assert(COUNT(verb_spellings) <= MAX_SPELLINGS &&
	       COUNT(global_spellings) <= MAX_SPELLINGS,
	       "raise MAX_SPELLINGS");

static int refuse(char *err, size_t errlen, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int refuse(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	return -1;
}

/* getopt_long's two tables, from the spellings. */
struct getopt_tables {
	struct option longs[MAX_SPELLINGS + 1];
	char shorts[3 + 2 * MAX_SPELLINGS + 1];
};

/* Long options: only the form's (and --help), so that an abbreviation
 * is judged among what the command takes ("ban --ban" is --bantime).
 * Short ones: all, so that a letter of another command is named as such. */
static void build_tables(const struct opt_table *t, const struct form *f,
			 struct getopt_tables *g)
{
	size_t nl = 0, ns = 0;

	memset(g, 0, sizeof(*g));
	if (t->stop_at_word)
		g->shorts[ns++] = '+';
	g->shorts[ns++] = ':';   /* a missing value is told apart */
	for (size_t i = 0; i < t->n; i++) {
		const struct opt_spelling *s = &t->spellings[i];

		if (s->long_name &&
		    ((f->takes | OPT(OPT_HELP)) & OPT(s->id)))
			g->longs[nl++] = (struct option){
				s->long_name,
				s->value_name ? required_argument : no_argument,
				NULL, LONG_BASE + (int)i,
			};
		if (s->short_name) {
			g->shorts[ns++] = s->short_name;
			if (s->value_name)
				g->shorts[ns++] = ':';
		}
	}
}

static const struct opt_spelling *spelling_of(const struct opt_table *t,
					      int c)
{
	if (c >= LONG_BASE)
		return (size_t)(c - LONG_BASE) < t->n ?
		       &t->spellings[c - LONG_BASE] : NULL;
	for (size_t i = 0; i < t->n; i++)
		if (t->spellings[i].short_name == c)
			return &t->spellings[i];
	return NULL;
}

/* An option as typed: "-j" or "--max-count" (argv may hold its value at
 * optind - 1, or several short options in one word). */
static void typed_name(const struct opt_spelling *s, int c, char *buf,
		       size_t len)
{
	if (c < LONG_BASE)
		snprintf(buf, len, "-%c", c);
	else
		snprintf(buf, len, "--%s", s->long_name);
}

/* A refusal of what getopt_long could not take. */
static int refuse_unread(const struct opt_table *t, int c, const char *what,
			 char **argv, char *err, size_t errlen)
{
	const struct opt_spelling *s = spelling_of(t, optopt);
	char name[48];

	if (c == ':')
		return refuse(err, errlen, "option '%s' needs a value",
			      argv[optind - 1]);
	if (s && optopt >= LONG_BASE) {
		typed_name(s, optopt, name, sizeof(name));
		return refuse(err, errlen, "option '%s' takes no value", name);
	}
	/* In a cluster ("-Zj") optind has not moved on: name the letter. */
	if (optopt)
		return refuse(err, errlen, "unknown option '-%c' (see --help)",
			      optopt);
	return refuse(err, errlen, "option '%s' is not one of %s (see --help)",
		      argv[optind - 1], what);
}

/* The spellings of one id, joined: "-j", "--send|--no-send". */
static void id_spelling(const struct opt_table *t, enum opt_id id, char *buf,
			size_t len, const char **value_name)
{
	size_t pos = 0;

	buf[0] = '\0';
	*value_name = NULL;
	for (size_t i = 0; i < t->n && pos < len; i++) {
		const struct opt_spelling *s = &t->spellings[i];
		int n;

		if (s->id != id)
			continue;
		if (s->short_name)
			n = snprintf(buf + pos, len - pos, "%s-%c",
				     pos ? "|" : "", s->short_name);
		else
			n = snprintf(buf + pos, len - pos, "%s--%s",
				     pos ? "|" : "", s->long_name);
		pos += n > 0 ? (size_t)n : 0;
		*value_name = s->value_name;
	}
}

static int refuse_missing(const struct opt_table *t, opt_set missing,
			  char *err, size_t errlen)
{
	char name[48];
	const char *value_name;

	for (int id = 0; id < OPT_COUNT; id++)
		if (missing & OPT(id)) {
			id_spelling(t, (enum opt_id)id, name, sizeof(name),
				    &value_name);
			return refuse(err, errlen, "%s%s%s is required", name,
				      value_name ? " " : "",
				      value_name ? value_name : "");
		}
	return 0;
}

int options_read(const struct opt_table *t, const struct form *f,
		 const char *what, int argc, char **argv, int *next,
		 struct opts *o, char *err, size_t errlen)
{
	struct getopt_tables g;
	opt_set given = 0;
	char name[48];
	int c;

	memset(o, 0, sizeof(*o));
	build_tables(t, f, &g);
	opterr = 0;
	optind = 0;   /* glibc: start afresh, whatever an earlier read left */
	while ((c = getopt_long(argc, argv, g.shorts, g.longs, NULL)) != -1) {
		const struct opt_spelling *s;

		if (c == ':' || c == '?' || !(s = spelling_of(t, c)))
			return refuse_unread(t, c, what, argv, err, errlen);
		if (s->id != OPT_HELP && !(f->takes & OPT(s->id))) {
			typed_name(s, c, name, sizeof(name));
			return refuse(err, errlen, "option '%s' is not one of "
				      "%s (see --help)", name, what);
		}
		o->text[s->id] = s->value_name ? optarg :
				 s->flag_text ? s->flag_text : "1";
		given |= OPT(s->id);
	}
	if (next)
		*next = optind;
	else if (optind < argc)
		return refuse(err, errlen, "unexpected argument '%s'",
			      argv[optind]);
	if (given & OPT(OPT_HELP))
		return 0;
	return refuse_missing(t, f->needs & ~given, err, errlen);
}

/* Append one item of a synopsis, starting a new line at the column when
 * the line would pass the width. */
struct synopsis {
	char *out;
	size_t len, pos;
	size_t column, line_start;
};

#define SYNOPSIS_WIDTH 78

static void add_item(struct synopsis *sy, const char *item)
{
	size_t line = sy->pos - sy->line_start + sy->column;
	size_t need = strlen(item) + (sy->pos ? 1 : 0);
	int n;

	if (sy->pos >= sy->len)
		return;
	if (sy->pos && line + need > SYNOPSIS_WIDTH) {
		n = snprintf(sy->out + sy->pos, sy->len - sy->pos, "\n%*s",
			     (int)sy->column, "");
		sy->pos += n > 0 ? (size_t)n : 0;
		if (sy->pos >= sy->len)
			return;
		sy->line_start = sy->pos;
	} else if (sy->pos) {
		n = snprintf(sy->out + sy->pos, sy->len - sy->pos, " ");
		sy->pos += n > 0 ? (size_t)n : 0;
		if (sy->pos >= sy->len)
			return;
	}
	n = snprintf(sy->out + sy->pos, sy->len - sy->pos, "%s", item);
	sy->pos += n > 0 ? (size_t)n : 0;
}

void options_synopsis(const struct opt_table *t, const struct form *f,
		      opt_set hide, size_t column, char *out, size_t len)
{
	struct synopsis sy = { out, len, 0, column, 0 };
	opt_set shown = OPT(OPT_HELP) | hide;
	char name[48], item[96];
	const char *value_name;

	if (len)
		out[0] = '\0';
	/* What is needed first, then what may be given. */
	for (int optional = 0; optional < 2; optional++)
		for (size_t i = 0; i < t->n; i++) {
			enum opt_id id = t->spellings[i].id;
			opt_set in = optional ? f->takes & ~f->needs : f->needs;

			if (!(in & OPT(id)) || (shown & OPT(id)))
				continue;
			shown |= OPT(id);
			id_spelling(t, id, name, sizeof(name), &value_name);
			snprintf(item, sizeof(item), "%s%s%s%s%s",
				 optional ? "[" : "", name,
				 value_name ? " " : "",
				 value_name ? value_name : "",
				 optional ? "]" : "");
			add_item(&sy, item);
		}
}
