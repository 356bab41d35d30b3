/* fuzz_handoff.c - libFuzzer target for the hand-off's lines (handoff.h),
 * which the sync loop's server reads from whatever connects to it.
 *
 * A request: handoff_decode_request() takes exactly one spelling of a
 * request, so an accepted line is what handoff_encode_request() writes for
 * the request it decodes to (a final newline aside), and nothing it
 * accepts holds a byte outside what each field allows.
 *
 * A reply: any text decodes to a verdict without harm; a reply written by
 * handoff_encode_reply() decodes to its own verdict and to its text with
 * tabs and line ends made spaces. */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "handoff.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check(int ok)
{
	if (!ok)
		abort();
}

static void request(const char *line, size_t len)
{
	struct handoff_request r;
	char again[HANDOFF_LINE_MAX + 2];
	const char *why = NULL;
	int n;

	if (handoff_decode_request(line, &r, &why) != 0) {
		check(why != NULL);
		return;
	}
	n = handoff_encode_request(&r, again, sizeof(again));
	check(n > 0);
	/* The input up to its first newline, which the decoder stops at. */
	len = strcspn(line, "\n");
	check((size_t)n == len + 1 && memcmp(again, line, len) == 0 &&
	      again[len] == '\n');
	check(strspn(r.actor, "abcdefghijklmnopqrstuvwxyz0123456789 ") ==
	      strlen(r.actor));
	check(strspn(r.identity, "0123456789:.") == strlen(r.identity));
}

static void reply(const char *text)
{
	char line[HANDOFF_LINE_MAX], back[HANDOFF_TEXT_MAX + 1];
	enum handoff_verdict v = (enum handoff_verdict)(strlen(text) % 4);

	(void)handoff_decode_reply(text, back, sizeof(back));
	check(handoff_encode_reply(v, text, line, sizeof(line)) > 0);
	check(handoff_decode_reply(line, back, sizeof(back)) == v);
	check(strlen(back) <= HANDOFF_TEXT_MAX);
	for (size_t i = 0; back[i]; i++)
		check(back[i] == text[i] || ((text[i] == '\t' || text[i] == '\n' ||
					      text[i] == '\r') && back[i] == ' '));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text;

	if (size > 2 * HANDOFF_LINE_MAX)
		return 0;
	text = malloc(size + 1);
	if (!text)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	request(text, strlen(text));
	reply(text);
	free(text);
	return 0;
}
