/* front.c - mc-f2b-action, what fail2ban's actions run for a ban or an
 * unban.
 *
 * fail2ban runs every action under one lock, and on a node where the sync
 * loop runs, a ban is one request to the loop's hand-off (handoff.h).  The
 * part of mc-f2b that starting costs most is what this request never uses:
 * the connector, OpenSSL, the whole of the program's other verbs.  So this
 * small program reads the ban exactly as `mc-f2b ban` does (actionargs.h),
 * glances at the configuration and asks the loop (early.h), and is done
 * when the loop applied or refused it.  For anything else it runs the
 * mc-f2b beside it with the same arguments: any other verb or option, a
 * refusal to explain (mc-f2b says it in its words), a file the glance does
 * not take, and every answer that leaves the event to the action (spool,
 * no answer in time, not served), which it passes on (early.h) so that
 * mc-f2b acts on it rather than ask again.
 *
 * It links nothing but the C library, statically where the build allows
 * (meson.build): no name is ever looked up here (no host, user or service
 * name), so a static C library's name service never comes into play. */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "actionargs.h"
#include "cli.h"
#include "config.h"
#include "early.h"
#include "log.h"

/* What mc-f2b-action reads itself; any other option before the verb is
 * mc-f2b's to take or refuse. */
static const struct form front_form = {
	"mc-f2b", OPT(OPT_CONFIG) | OPT(OPT_VERBOSE), 0, NULL,
};

/* The mc-f2b in the directory of this program, run with argv: the exit
 * status is then its own. */
static int run_mc_f2b(char **argv)
{
	char self[PATH_MAX], path[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	const char *slash;

	if (n <= 0) {
		log_error("where mc-f2b-action runs from: %s",
			  strerror(errno));
		return EXIT_RUNTIME;
	}
	self[n] = '\0';
	slash = strrchr(self, '/');
	if (!slash || snprintf(path, sizeof(path), "%.*s/mc-f2b",
			       (int)(slash - self), self) >= (int)sizeof(path)) {
		log_error("no directory in '%s'", self);
		return EXIT_RUNTIME;
	}
	argv[0] = path;
	execv(path, argv);
	log_error("cannot run %s: %s", path, strerror(errno));
	return EXIT_RUNTIME;
}

/* fail2ban's ban or unban at argv[verb] read into ev; false for anything
 * else. */
static bool read_action(int argc, char **argv, int verb, struct opts *o,
			struct ban_event *ev)
{
	const struct form *form;
	char err[256];

	if (verb >= argc)
		return false;
	if (strcmp(argv[verb], "ban") == 0)
		form = &action_ban_form;
	else if (strcmp(argv[verb], "unban") == 0)
		form = &action_unban_form;
	else
		return false;
	return options_read(&options_of_verbs, form, form->name, argc - verb,
			    argv + verb, NULL, o, err, sizeof(err)) == 0 &&
	       !opt_given(o, OPT_HELP) && !opt_given(o, OPT_F2B_CALL) &&
	       !opt_given(o, OPT_YES) &&
	       actionargs_event(form == &action_ban_form ? EVENT_BAN :
				EVENT_UNBAN, o, ev, err, sizeof(err)) == 0;
}

int main(int argc, char **argv)
{
	struct opts global, o;
	struct ban_event ev;
	struct early_handoff early;
	char err[256];
	int verb;

	if (options_read(&options_global, &front_form, "the options before "
			 "the verb", argc, argv, &verb, &global, err,
			 sizeof(err)) != 0 || opt_given(&global, OPT_HELP) ||
	    !read_action(argc, argv, verb, &o, &ev))
		return run_mc_f2b(argv);
	if (opt_given(&global, OPT_VERBOSE))
		log_set_verbose(true);
	ev.at = (long long)time(NULL);
	early_hand_off(config_path(global.text[OPT_CONFIG]), ACTION_ACTOR, &ev,
		       o.text[OPT_PORT], &early);
	if (early.asked && early.v == HANDOFF_DONE)
		return EXIT_DONE;
	if (early.asked && early.v == HANDOFF_REFUSED) {
		log_error("%s", early.text);
		return EXIT_BAD_INPUT;
	}
	if (early.asked && early_export(&early) != 0) {
		log_error("passing the loop's answer on: %s",
			  strerror(errno));
		return EXIT_RUNTIME;
	}
	return run_mc_f2b(argv);
}
