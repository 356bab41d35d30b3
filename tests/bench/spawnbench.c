/* spawnbench.c - time whole commands against each other, in one run.
 *
 * Absolute timings on a shared or throttling machine drift by tens of
 * percent from one minute to the next, so timing command A now and command B
 * later compares the machine with itself as much as A with B.  Here every
 * round runs each command once, back to back, so whatever the machine is
 * doing hits all of them alike, and the ratios to the first command (the
 * baseline) stay meaningful even when the milliseconds do not. */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <netinet/in.h>
#include <spawn.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define PROG "spawnbench"
#define GROUP_END ";;"
#define MAX_ROUNDS 1000000u
#define DEFAULT_ROUNDS 100u
#define DEFAULT_WARMUP 5u

/* {ip} hands out hosts .1 to .254 of two IPv4 documentation networks
 * (RFC 5737), skipping network and broadcast addresses that a ban tool may
 * rightly refuse, then moves on to 2001:db8::/32 (RFC 3849).  Not
 * 192.0.2.0/24: test machines give it to their own interfaces, and mc-f2b
 * never bans an address of its own node. */
#define HOSTS_PER_NET 254u
static const uint8_t doc_nets[][3] = {
	{198, 51, 100},
	{203, 0, 113},
};
#define IPV4_ADDRS (HOSTS_PER_NET * (sizeof(doc_nets) / sizeof(doc_nets[0])))

static const char usage_text[] =
	"usage: " PROG " [-n ROUNDS] [-w WARMUP] [--start N] [--]\n"
	"                  LABEL /abs/command [ARG...] [';;' LABEL /abs/command [ARG...]]...\n"
	"\n"
	"Times whole commands side by side.  Every round runs each command once,\n"
	"back to back, starting one command later than the round before, so noise\n"
	"on the machine hits all commands alike: trust the ratios, not the\n"
	"absolute times.  The first command is the baseline (ratio 1.00).\n"
	"\n"
	"  -n ROUNDS   measured rounds, 1 to 1000000 (default 100)\n"
	"  -w WARMUP   unmeasured rounds run first, 0 to 1000000 (default 5)\n"
	"  --start N   first value of the run counter (default 0); for checking\n"
	"              the {ip} sequence where it changes network or family\n"
	"  --          end of options, so that a LABEL may start with '-'\n"
	"  -h, --help  show this text\n"
	"\n"
	"Command groups are separated by a lone ';;' argument (quote it for the\n"
	"shell).  The first word of a group is its label, the second the command:\n"
	"an absolute path, started with posix_spawn, with no shell and no PATH\n"
	"search.  Every run, warm-up included, takes the next counter value, and\n"
	"in the arguments after the command:\n"
	"  {n}    becomes the counter in decimal;\n"
	"  {ip}   becomes a documentation address chosen by the counter:\n"
	"         0-253 198.51.100.1-254, 254-507 203.0.113.1-254,\n"
	"         from 508 on 2001:db8::<counter in hex>.\n"
	"\n"
	"Output: median, 10th and 90th percentile wall time in ms (spawn to\n"
	"reap), median / baseline median, and the largest peak RSS in KiB that\n"
	"the kernel reported for the command's measured runs.\n"
	"\n"
	"Environment:\n"
	"  SPAWNBENCH_VERBOSE=1   leave the commands' stdout and stderr alone\n"
	"                         (default: both go to /dev/null)\n"
	"  SPAWNBENCH_TSV=FILE    also append one line per command to FILE:\n"
	"                         label, median_ms, p10_ms, p90_ms, ratio,\n"
	"                         max_rss_kib, separated by tabs\n"
	"\n"
	"Exit status: 0, 1 if any run exited non-zero or could not be started,\n"
	"2 on bad usage.\n";

struct cmd {
	const char *label;
	char **argv;		/* points into main's argv, not terminated */
	size_t argc;
};

struct stats {
	double median, p10, p90;
	long max_rss;
};

struct bench {
	struct cmd *cmds;
	size_t ncmds;
	size_t rounds, warmup;
	uint64_t counter;	/* next run's {n}, and the source of its {ip} */
	const posix_spawn_file_actions_t *actions;	/* NULL when verbose */
	double *ms;		/* rounds samples per command, command-major */
	long *max_rss;		/* per command, KiB */
	unsigned long runs, failures;
};

/* What one run of one command did. */
struct run {
	double ms;
	long rss;
	int spawn_error;	/* posix_spawn's error, 0 if it started */
	int status;		/* wait status, when it started */
};

static _Noreturn void usage_error(const char *fmt, ...)
	__attribute__((format(printf, 1, 2)));
static _Noreturn void fatal(const char *fmt, ...)
	__attribute__((format(printf, 1, 2)));

__attribute__((format(printf, 1, 0)))
static void vreport(const char *fmt, va_list ap)
{
	fputs(PROG ": ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
}

/* Bad command line: one line saying what is wrong, exit 2. */
static void usage_error(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vreport(fmt, ap);
	va_end(ap);
	exit(2);
}

/* The machine let us down (memory, clock, wait): nothing sensible to time. */
static void fatal(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vreport(fmt, ap);
	va_end(ap);
	exit(EXIT_FAILURE);
}

static void *xcalloc(size_t n, size_t size)
{
	void *p = calloc(n, size);

	if (!p)
		fatal("out of memory");
	return p;
}

/* Digits only: strtoull alone would take "-1", " 5" and "12abc". */
static uint64_t parse_count(const char *opt, const char *text, uint64_t min,
			    uint64_t max)
{
	char *end;
	unsigned long long v;

	if (text[0] < '0' || text[0] > '9')
		usage_error("%s: expected a whole number, got '%s'", opt, text);
	errno = 0;
	v = strtoull(text, &end, 10);
	if (*end != '\0')
		usage_error("%s: expected a whole number, got '%s'", opt, text);
	if (errno == ERANGE || v < min || v > max)
		usage_error("%s: %s is out of range %" PRIu64 " to %" PRIu64,
			    opt, text, min, max);
	return v;
}

/* Options come first; returns the index of the first command group. */
static int parse_options(int argc, char **argv, struct bench *b)
{
	int i = 1;

	for (; i < argc && argv[i][0] == '-'; i += 2) {
		const char *opt = argv[i];

		if (strcmp(opt, "--") == 0)
			return i + 1;
		if (strcmp(opt, "-h") == 0 || strcmp(opt, "--help") == 0) {
			fputs(usage_text, stdout);
			exit(EXIT_SUCCESS);
		}
		if (strcmp(opt, "-n") != 0 && strcmp(opt, "-w") != 0 &&
		    strcmp(opt, "--start") != 0)
			usage_error("unknown option '%s' (try -h)", opt);
		if (i + 1 >= argc)
			usage_error("%s needs a value", opt);
		if (strcmp(opt, "-n") == 0)
			b->rounds = (size_t)parse_count(opt, argv[i + 1], 1,
							MAX_ROUNDS);
		else if (strcmp(opt, "-w") == 0)
			b->warmup = (size_t)parse_count(opt, argv[i + 1], 0,
							MAX_ROUNDS);
		else
			b->counter = parse_count(opt, argv[i + 1], 0,
						 UINT64_MAX);
	}
	return i;
}

/* Checks one group and records it; the label is its first word. */
static void add_group(struct bench *b, char **words, size_t n)
{
	struct cmd *c = &b->cmds[b->ncmds];
	struct stat st;

	if (n == 0)
		usage_error("empty command group (two '" GROUP_END
			    "' in a row, or one right after the options)");
	if (n == 1)
		usage_error("group '%s' has a label but no command", words[0]);
	if (words[1][0] != '/')
		usage_error("group '%s': command '%s' is not an absolute path",
			    words[0], words[1]);
	/* Checked now, or a typo would cost every round a failed spawn. */
	if (stat(words[1], &st) != 0 || access(words[1], X_OK) != 0)
		usage_error("group '%s': cannot execute '%s': %s", words[0],
			    words[1], strerror(errno));
	if (!S_ISREG(st.st_mode))
		usage_error("group '%s': '%s' is not a regular file", words[0],
			    words[1]);
	c->label = words[0];
	c->argv = words + 1;
	c->argc = n - 1;
	b->ncmds++;
}

/* Splits argv[first..] at each lone ";;"; one after the last group is
 * allowed, so scripts may end every group the same way. */
static void parse_groups(int argc, char **argv, int first, struct bench *b)
{
	int start = first;

	if (first >= argc)
		usage_error("no command groups given (try -h)");
	b->cmds = xcalloc((size_t)(argc - first), sizeof(*b->cmds));
	for (int i = first; i <= argc; i++) {
		if (i < argc && strcmp(argv[i], GROUP_END) != 0)
			continue;
		if (i < argc || i > start)
			add_group(b, argv + start, (size_t)(i - start));
		start = i + 1;
	}
}

/* The counter must not wrap during the run, or {ip} would repeat.  There is
 * at least one run, and the last one may use UINT64_MAX itself. */
static void check_counter_room(const struct bench *b)
{
	uint64_t runs = (uint64_t)(b->rounds + b->warmup) * b->ncmds;

	if (b->counter > UINT64_MAX - (runs - 1))
		usage_error("--start %" PRIu64 " leaves no room for %" PRIu64
			    " runs", b->counter, runs);
}

/* buf needs INET6_ADDRSTRLEN bytes. */
static void format_addr(uint64_t n, char *buf)
{
	struct in6_addr a6 = {{{0x20, 0x01, 0x0d, 0xb8}}};

	if (n < IPV4_ADDRS) {
		const uint8_t *net = doc_nets[n / HOSTS_PER_NET];

		snprintf(buf, INET6_ADDRSTRLEN, "%u.%u.%u.%u", net[0], net[1],
			 net[2], (unsigned)(n % HOSTS_PER_NET + 1));
		return;
	}
	/* The counter fills the low 64 bits; inet_ntop gives the canonical
	 * text, so a tool that normalises addresses sees what we passed. */
	for (int i = 0; i < 8; i++)
		a6.s6_addr[15 - i] = (uint8_t)(n >> (8 * i));
	inet_ntop(AF_INET6, &a6, buf, INET6_ADDRSTRLEN);
}

/* A fresh copy of tmpl with {ip} and {n} replaced. */
static char *expand(const char *tmpl, const char *ip, const char *num)
{
	char *out = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&out, &len);

	if (!f)
		fatal("open_memstream: %s", strerror(errno));
	for (const char *p = tmpl; *p != '\0';) {
		if (strncmp(p, "{ip}", 4) == 0) {
			fputs(ip, f);
			p += 4;
		} else if (strncmp(p, "{n}", 3) == 0) {
			fputs(num, f);
			p += 3;
		} else {
			fputc(*p++, f);
		}
	}
	if (fclose(f) != 0)
		fatal("out of memory");
	return out;
}

/* The argv for one run; the command path itself is never rewritten. */
static char **build_argv(const struct cmd *c, uint64_t counter)
{
	char ip[INET6_ADDRSTRLEN];
	char num[24];
	char **v = xcalloc(c->argc + 1, sizeof(*v));

	format_addr(counter, ip);
	snprintf(num, sizeof(num), "%" PRIu64, counter);
	v[0] = c->argv[0];
	for (size_t i = 1; i < c->argc; i++)
		v[i] = expand(c->argv[i], ip, num);
	return v;
}

static void free_argv(char **v)
{
	for (size_t i = 1; v[i]; i++)
		free(v[i]);
	free(v);
}

static double elapsed_ms(const struct timespec *t0, const struct timespec *t1)
{
	return (double)(t1->tv_sec - t0->tv_sec) * 1e3 +
	       (double)(t1->tv_nsec - t0->tv_nsec) / 1e6;
}

static void now(struct timespec *t)
{
	if (clock_gettime(CLOCK_MONOTONIC, t) != 0)
		fatal("clock_gettime: %s", strerror(errno));
}

/* Only the spawn and the wait sit between the two clock reads: building
 * argv and bookkeeping stay outside the measured span. */
static struct run spawn_and_wait(char **argv,
				 const posix_spawn_file_actions_t *actions)
{
	struct run r = {0};
	struct timespec t0, t1;
	struct rusage ru;
	pid_t pid;

	now(&t0);
	r.spawn_error = posix_spawn(&pid, argv[0], actions, NULL, argv,
				    environ);
	if (r.spawn_error == 0) {
		while (wait4(pid, &r.status, 0, &ru) < 0) {
			if (errno != EINTR)
				fatal("wait4: %s", strerror(errno));
		}
		r.rss = ru.ru_maxrss;
	}
	now(&t1);
	r.ms = elapsed_ms(&t0, &t1);
	return r;
}

static bool run_failed(const struct run *r)
{
	return r->spawn_error != 0 || !WIFEXITED(r->status) ||
	       WEXITSTATUS(r->status) != 0;
}

static void print_status(const struct run *r)
{
	if (r->spawn_error != 0)
		fprintf(stderr, "could not be started: %s",
			strerror(r->spawn_error));
	else if (WIFEXITED(r->status))
		fprintf(stderr, "exited with status %d", WEXITSTATUS(r->status));
	else if (WIFSIGNALED(r->status))
		fprintf(stderr, "was killed by signal %d (%s)",
			WTERMSIG(r->status), strsignal(WTERMSIG(r->status)));
	else
		fprintf(stderr, "ended with wait status %#x", r->status);
}

/* Quoted for a POSIX shell, so the line can be pasted to rerun the run. */
static void print_word(const char *w)
{
	if (*w != '\0' && strspn(w, "abcdefghijklmnopqrstuvwxyz"
			   "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
			   "@%+=:,./_-") == strlen(w)) {
		fputs(w, stderr);
		return;
	}
	fputc('\'', stderr);
	for (; *w != '\0'; w++) {
		if (*w == '\'')
			fputs("'\\''", stderr);
		else
			fputc(*w, stderr);
	}
	fputc('\'', stderr);
}

/* Only the first failure is spelled out: when a command fails, it usually
 * fails every round, and one line says all there is to say. */
static void note_failure(struct bench *b, const struct cmd *c, char **argv,
			 const struct run *r)
{
	if (b->failures++ > 0)
		return;
	fprintf(stderr, PROG ": first failure: '%s' ", c->label);
	print_status(r);
	fputs(":", stderr);
	for (size_t i = 0; argv[i]; i++) {
		fputc(' ', stderr);
		print_word(argv[i]);
	}
	fputc('\n', stderr);
}

static struct run run_once(struct bench *b, size_t ci)
{
	const struct cmd *c = &b->cmds[ci];
	char **argv = build_argv(c, b->counter++);
	struct run r = spawn_and_wait(argv, b->actions);

	b->runs++;
	if (run_failed(&r))
		note_failure(b, c, argv, &r);
	free_argv(argv);
	return r;
}

/* One round runs every command once.  Round r starts with command r and
 * wraps around, so over the rounds each command spends as many rounds in
 * each position as the others: whatever favours the first run of a round
 * (caches just refilled by the previous round's last command, a CPU still
 * ramping its clock) is shared out instead of always helping the same one. */
static void run_round(struct bench *b, size_t round, bool measured)
{
	for (size_t i = 0; i < b->ncmds; i++) {
		size_t ci = (round + i) % b->ncmds;
		struct run r = run_once(b, ci);

		if (!measured)
			continue;
		b->ms[ci * b->rounds + round] = r.ms;
		if (r.rss > b->max_rss[ci])
			b->max_rss[ci] = r.rss;
	}
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/* Linear interpolation between the closest ranks of sorted samples (the
 * common "type 7" definition), so p50 of an even count is the usual
 * median. */
static double percentile(const double *sorted, size_t n, double p)
{
	double h = (double)(n - 1) * p;
	size_t lo = (size_t)h;

	if (lo + 1 >= n)
		return sorted[n - 1];
	return sorted[lo] + (h - (double)lo) * (sorted[lo + 1] - sorted[lo]);
}

static struct stats command_stats(const struct bench *b, size_t ci)
{
	double *s = b->ms + ci * b->rounds;
	struct stats st;

	qsort(s, b->rounds, sizeof(*s), cmp_double);
	st.median = percentile(s, b->rounds, 0.5);
	st.p10 = percentile(s, b->rounds, 0.1);
	st.p90 = percentile(s, b->rounds, 0.9);
	st.max_rss = b->max_rss[ci];
	return st;
}

static int label_width(const struct bench *b)
{
	size_t w = strlen("command");

	for (size_t i = 0; i < b->ncmds; i++) {
		size_t n = strlen(b->cmds[i].label);

		if (n > w)
			w = n;
	}
	return (int)w;
}

/* Linux starts a child's peak RSS at the peak of the process it was spawned
 * from (exec keeps the old address space's high-water mark), so no
 * max_rss_kib can read below our own peak.  Saying so keeps a small
 * command's column from being mistaken for its own footprint. */
static void print_rss_floor(void)
{
	struct rusage self;

	if (getrusage(RUSAGE_SELF, &self) == 0)
		printf("max_rss_kib floor: %ld (spawnbench's own peak RSS)\n",
		       self.ru_maxrss);
}

/* Ratios are against the first command's median: the caller picks the
 * baseline by putting it first, and the other rows read as "x times the
 * baseline", which survives a slow or fast machine where the ms do not. */
static void print_table(const struct bench *b, const struct stats *st)
{
	int w = label_width(b);

	printf("%-*s %10s %9s %9s %7s %12s\n", w, "command", "median_ms",
	       "p10_ms", "p90_ms", "ratio", "max_rss_kib");
	for (size_t i = 0; i < b->ncmds; i++)
		printf("%-*s %10.3f %9.3f %9.3f %7.2f %12ld\n", w,
		       b->cmds[i].label, st[i].median, st[i].p10, st[i].p90,
		       st[i].median / st[0].median, st[i].max_rss);
	printf("rounds: %zu, warmup: %zu\n", b->rounds, b->warmup);
	print_rss_floor();
}

static void append_tsv(FILE *f, const char *path, const struct bench *b,
		       const struct stats *st)
{
	for (size_t i = 0; i < b->ncmds; i++)
		fprintf(f, "%s\t%.3f\t%.3f\t%.3f\t%.2f\t%ld\n",
			b->cmds[i].label, st[i].median, st[i].p10, st[i].p90,
			st[i].median / st[0].median, st[i].max_rss);
	if (fclose(f) != 0)
		fatal("%s: %s", path, strerror(errno));
}

/* Opened before any run, so a bad path costs no benchmark time. */
static FILE *open_tsv(const char *path)
{
	FILE *f;

	if (!path || *path == '\0')
		return NULL;
	f = fopen(path, "ae");
	if (!f)
		usage_error("SPAWNBENCH_TSV: %s: %s", path, strerror(errno));
	return f;
}

/* Without SPAWNBENCH_VERBOSE=1, stdout and stderr of every run go to
 * /dev/null: a terminal or pipe to write to would be timed as well. */
static void quiet_children(struct bench *b, posix_spawn_file_actions_t *fa)
{
	const char *v = getenv("SPAWNBENCH_VERBOSE");
	int null_fd;

	if (v && strcmp(v, "1") == 0)
		return;
	/* O_CLOEXEC: the children get it as 1 and 2 only, not a third copy. */
	null_fd = open("/dev/null", O_WRONLY | O_CLOEXEC);
	if (null_fd < 0)
		fatal("/dev/null: %s", strerror(errno));
	if (posix_spawn_file_actions_init(fa) != 0 ||
	    posix_spawn_file_actions_adddup2(fa, null_fd, STDOUT_FILENO) != 0 ||
	    posix_spawn_file_actions_adddup2(fa, null_fd, STDERR_FILENO) != 0)
		fatal("posix_spawn_file_actions: out of memory");
	b->actions = fa;
}

int main(int argc, char **argv)
{
	struct bench b = {.rounds = DEFAULT_ROUNDS, .warmup = DEFAULT_WARMUP};
	const char *tsv_path = getenv("SPAWNBENCH_TSV");
	posix_spawn_file_actions_t fa;
	struct stats *st;
	FILE *tsv;

	parse_groups(argc, argv, parse_options(argc, argv, &b), &b);
	check_counter_room(&b);
	tsv = open_tsv(tsv_path);
	quiet_children(&b, &fa);
	b.ms = xcalloc(b.ncmds * b.rounds, sizeof(*b.ms));
	b.max_rss = xcalloc(b.ncmds, sizeof(*b.max_rss));

	for (size_t r = 0; r < b.warmup; r++)
		run_round(&b, r, false);
	for (size_t r = 0; r < b.rounds; r++)
		run_round(&b, r, true);

	st = xcalloc(b.ncmds, sizeof(*st));
	for (size_t i = 0; i < b.ncmds; i++)
		st[i] = command_stats(&b, i);
	print_table(&b, st);
	if (tsv)
		append_tsv(tsv, tsv_path, &b, st);
	if (b.failures > 0)
		fprintf(stderr, PROG ": %lu of %lu runs failed\n", b.failures,
			b.runs);

	if (b.actions)
		posix_spawn_file_actions_destroy(&fa);
	free(st);
	free(b.max_rss);
	free(b.ms);
	free(b.cmds);
	return b.failures > 0 ? EXIT_FAILURE : EXIT_SUCCESS;
}
