/* early.c - the hand-off asked before the configuration is read
 * (early.h). */
#include "early.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"
#include "textcopy.h"

enum handoff_verdict early_ask(const char *spool_dir, const char *identity,
			       const char *actor, const struct ban_event *ev,
			       const char *port, unsigned connect_ms,
			       unsigned query_ms, char *text, size_t textlen)
{
	struct handoff_request r = { .ev = *ev };

	text_copy(r.identity, sizeof(r.identity), identity);
	text_copy(r.actor, sizeof(r.actor), actor);
	r.has_port = port != NULL;
	if (port)
		text_copy(r.port, sizeof(r.port), port);
	return handoff_ask(spool_dir, &r, connect_ms + 2 * query_ms + 1000,
			   text, textlen);
}

void early_hand_off(const char *path, const char *actor,
		    struct ban_event *ev, const char *port,
		    struct early_handoff *e)
{
	struct config_glance g;

	e->asked = false;
	/* The node's name is the loop's: its server writes it over this one,
	 * which only has to read as a name. */
	if (gethostname(ev->host, sizeof(ev->host)) != 0)
		return;
	ev->host[sizeof(ev->host) - 1] = '\0';
	if (!node_name_valid(ev->host, NULL) || config_glance(path, &g) != 0)
		return;
	e->asked = true;
	e->v = early_ask(g.spool_dir, g.identity, actor, ev, port,
			 g.connect_timeout_ms, g.query_timeout_ms, e->text,
			 sizeof(e->text));
}

/* The answers passed on, by the words of the reply line (handoff.h) but
 * for the one that is the client's own. */
static const char *const passed_words[] = {
	[HANDOFF_SPOOL] = "spool",
	[HANDOFF_DIRECT] = "direct",
	[HANDOFF_TIMED_OUT] = "timed-out",
};
#define PASSED_COUNT (sizeof(passed_words) / sizeof(*passed_words))

int early_export(const struct early_handoff *e)
{
	char line[HANDOFF_TEXT_MAX + 16];
	size_t i;
	int n;

	if (!e->asked || (size_t)e->v >= PASSED_COUNT || !passed_words[e->v])
		return -1;
	n = snprintf(line, sizeof(line), "%s\t", passed_words[e->v]);
	/* One line of printable text, as the reply's (handoff.c). */
	for (i = 0; e->text[i] && i < HANDOFF_TEXT_MAX; i++)
		line[n + (int)i] = e->text[i] < ' ' || e->text[i] == 0x7f ?
				   ' ' : e->text[i];
	line[n + (int)i] = '\0';
	return setenv(EARLY_ENV, line, 1);
}

bool early_import(struct early_handoff *e)
{
	const char *line = getenv(EARLY_ENV), *tab;
	bool took = false;

	e->asked = false;
	if (line && (tab = strchr(line, '\t')) &&
	    strlen(tab + 1) <= HANDOFF_TEXT_MAX) {
		for (size_t v = 0; v < PASSED_COUNT && !took; v++) {
			const char *w = passed_words[v];

			if (w && strlen(w) == (size_t)(tab - line) &&
			    strncmp(line, w, strlen(w)) == 0) {
				e->v = (enum handoff_verdict)v;
				took = true;
			}
		}
		for (const char *p = tab + 1; took && *p; p++)
			if ((unsigned char)*p < ' ' || *p == 0x7f)
				took = false;
		if (took)
			memcpy(e->text, tab + 1, strlen(tab + 1) + 1);
	}
	unsetenv(EARLY_ENV);
	e->asked = took;
	return took;
}
