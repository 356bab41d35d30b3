/* event.c - field rules for everything fail2ban hands us.
 *
 * These values are attacker-influenced (an address comes from a log line) or
 * end up in SQL parameters, jail files and syslog: refuse early, in one place. */
#include "event.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static bool is_name_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-';
}

static bool is_alnum(char c)
{
	return is_name_char(c) && c != '.' && c != '_' && c != '-';
}

/* Shared by jail and node names: [A-Za-z0-9][A-Za-z0-9._-]{0,max-1}. */
static bool name_valid(const char *name, size_t max, const char **why)
{
	const char *reason = NULL;
	size_t len = name ? strnlen(name, max + 1) : 0;

	if (len == 0)
		reason = "empty";
	else if (len > max)
		reason = "too long";
	else if (!is_alnum(name[0]))
		reason = "must start with a letter or a digit";
	else
		for (size_t i = 1; i < len; i++)
			if (!is_name_char(name[i])) {
				reason = "only letters, digits, '.', '_' and '-' are allowed";
				break;
			}
	if (reason && why)
		*why = reason;
	return reason == NULL;
}

/* Does name end in "-bl"? */
static bool has_bl_suffix(const char *name, size_t len)
{
	size_t suffix = sizeof(JAIL_BL_SUFFIX) - 1;

	return len > suffix &&
	       strcmp(name + len - suffix, JAIL_BL_SUFFIX) == 0;
}

/* fail2ban's configuration reader gives these section names a meaning of
 * their own ([DEFAULT] is inherited by every jail, [INCLUDES] pulls in
 * files, [Definition] and [Init] belong to actions and filters, KNOWN to
 * its known/ overrides). */
static bool is_section_word(const char *name)
{
	static const char *const words[] = {
		"DEFAULT", "INCLUDES", "Definition", "Init", "KNOWN",
	};

	for (size_t i = 0; i < sizeof(words) / sizeof(words[0]); i++)
		if (strcasecmp(name, words[i]) == 0)
			return true;
	return false;
}

bool jail_name_valid(const char *name, const char **why)
{
	size_t len = name ? strnlen(name, JAIL_BL_NAME_MAX + 1) : 0;
	size_t max = has_bl_suffix(name, len) ? JAIL_BL_NAME_MAX : JAIL_NAME_MAX;

	if (!name_valid(name, max, why))
		return false;
	if (is_section_word(name)) {
		if (why)
			*why = "a word of fail2ban's configuration, not a name";
		return false;
	}
	return true;
}

bool node_name_valid(const char *name, const char **why)
{
	return name_valid(name, NODE_NAME_MAX, why);
}

/* "0" or [1-9][0-9]*, optionally after a '-': the one spelling of a number,
 * so that " 5", "+5", "05" and "5x" are all refused rather than guessed at. */
static bool is_plain_integer(const char *text)
{
	const char *p = text + (text[0] == '-');

	if (p[0] == '0')
		return p[1] == '\0' && p == text;
	return p[0] >= '1' && p[0] <= '9' &&
	       strspn(p, "0123456789") == strlen(p);
}

bool parse_int_in(const char *text, long long min, long long max,
		  long long *out)
{
	long long value;

	if (!text || strnlen(text, 21) > 20 || !is_plain_integer(text))
		return false;
	errno = 0;
	value = strtoll(text, NULL, 10);
	if (errno != 0 || value < min || value > max)
		return false;
	*out = value;
	return true;
}

bool parse_epoch(const char *text, long long *out)
{
	char whole[24];
	const char *dot;
	size_t len;

	if (!text)
		return false;
	dot = strchr(text, '.');
	len = dot ? (size_t)(dot - text) : strlen(text);
	if (len == 0 || len >= sizeof(whole))
		return false;
	if (dot) {
		size_t digits = strspn(dot + 1, "0123456789");
		if (digits == 0 || digits > 9 || dot[1 + digits] != '\0')
			return false;
	}
	memcpy(whole, text, len);
	whole[len] = '\0';
	/* Up to 2^40 s: far beyond any real ticket time, far from overflow. */
	return parse_int_in(whole, 0, 1LL << 40, out);
}

const char *event_kind_name(enum event_kind kind)
{
	return kind == EVENT_BAN ? "ban" : "unban";
}

/* Refused input is quoted back only when short: an attacker's 4 KiB string
 * has no place in a log line. */
static const char *shown(const char *text)
{
	return strlen(text) <= 64 ? text : "(too long to show)";
}

int event_take_jail(const char *text, char out[JAIL_NAME_MAX + 1], char *err,
		    size_t errlen)
{
	const char *why = NULL;

	if (!text)
		snprintf(err, errlen, "-j JAIL is required");
	else if (!jail_name_valid(text, &why))
		snprintf(err, errlen, "invalid jail name '%s': %s", shown(text),
			 why);
	else if (strlen(text) > JAIL_NAME_MAX)
		snprintf(err, errlen, "invalid jail name '%s': too long",
			 shown(text));
	else {
		memcpy(out, text, strlen(text) + 1);
		return 0;
	}
	return -1;
}

int event_take_ip(const char *text, char out[ADDR_TEXT_MAX], char *err,
		  size_t errlen)
{
	struct addr a;
	const char *why = NULL;

	if (!text) {
		snprintf(err, errlen, "-i IP is required");
		return -1;
	}
	if (addr_parse(text, &a, &why) != 0) {
		snprintf(err, errlen, "invalid address '%s': %s", shown(text),
			 why);
		return -1;
	}
	addr_format(&a, out);
	return 0;
}
