/* mail.c - the values of notification mails, checked, and the line of a
 * jail file that sends them. */
#include "mail.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The indentation that makes the line part of the action's value, and the
 * start by which a mail line is found again. */
#define MAIL_LINE_HEAD "         sendmail["

static bool alnum(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       (c >= '0' && c <= '9');
}

static bool host_valid(const char *host)
{
	size_t label = 0;

	if (!*host)
		return false;
	for (const char *p = host; ; p++) {
		if (*p == '.' || *p == '\0') {
			if (label == 0 || p[-1] == '-')
				return false;
			if (*p == '\0')
				return true;
			label = 0;
		} else if (alnum(*p) || (*p == '-' && label > 0)) {
			if (++label > 63)
				return false;
		} else {
			return false;
		}
	}
}

bool mail_address_valid(const char *text, const char **why)
{
	const char *at = strchr(text, '@');
	size_t len = strnlen(text, MAIL_ADDRESS_MAX + 1);

	*why = "expected local@host, of letters, digits and ._+- at a host name";
	if (len == 0 || len > MAIL_ADDRESS_MAX) {
		*why = len ? "longer than 150 characters" : "empty";
		return false;
	}
	if (!at || at == text || !alnum(text[0]) || strchr(at + 1, '@'))
		return false;
	for (const char *p = text; p < at; p++)
		if (!alnum(*p) && !strchr("._+-", *p))
			return false;
	return host_valid(at + 1);
}

bool mail_name_valid(const char *text, const char **why)
{
	size_t len = strnlen(text, MAIL_NAME_MAX + 1);

	if (len == 0 || len > MAIL_NAME_MAX) {
		*why = len ? "longer than 100 characters" : "empty";
		return false;
	}
	if (text[0] == ' ' || text[0] == '-') {
		*why = "starts with a space or '-'";
		return false;
	}
	for (const char *p = text; *p; p++)
		if (!alnum(*p) && !strchr(" .-_()[]:", *p)) {
			*why = "expected letters, digits, spaces and . - _ ( ) "
			       "[ ] :";
			return false;
		}
	return true;
}

bool mail_conf_valid(const struct mail_conf *m, const char **column,
		     const char **why)
{
	*column = "src_email";
	if (!mail_address_valid(m->src_email, why))
		return false;
	*column = "src_name";
	if (!mail_name_valid(m->src_name, why))
		return false;
	*column = "dest_email";
	return mail_address_valid(m->dest_email, why);
}

int mail_action_line(const struct mail_conf *m, const char *jail, char *out,
		     size_t outlen)
{
	const char *column, *why;
	int n;

	if (!mail_conf_valid(m, &column, &why))
		return -1;
	n = snprintf(out, outlen, MAIL_LINE_HEAD "name=\"%s\", dest=\"%s\", "
		     "sender=\"%s\", sendername=\"%s\", actionstart=\"\", "
		     "actionstop=\"\"]\n", jail, m->dest_email, m->src_email,
		     m->src_name);
	return n > 0 && (size_t)n < outlen ? n : -1;
}

char *mail_set_line(const char *text, const char *line)
{
	const char *action = strstr(text, "\naction = ");
	const char *after, *rest;
	size_t head, len;
	char *out;

	if (!action)
		return NULL;
	after = strchr(action + 1, '\n');
	if (!after)
		return NULL;
	after++;
	rest = after;
	if (strncmp(after, MAIL_LINE_HEAD, strlen(MAIL_LINE_HEAD)) == 0) {
		const char *end = strchr(after, '\n');

		rest = end ? end + 1 : after + strlen(after);
	}
	head = (size_t)(after - text);
	len = head + strlen(line) + strlen(rest);
	if (!(out = malloc(len + 1)))
		return NULL;
	memcpy(out, text, head);
	memcpy(out + head, line, strlen(line));
	memcpy(out + head + strlen(line), rest, strlen(rest) + 1);
	return out;
}
