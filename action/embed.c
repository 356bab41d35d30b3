/* embed.c - build-time helper: turn a text file into a C string constant,
 * so that the schema SQL shipped in config/ is the very text the program
 * runs.  usage: embed NAME INPUT OUTPUT */
#include <stdio.h>

int main(int argc, char **argv)
{
	FILE *in, *out;
	int c;

	if (argc != 4) {
		fprintf(stderr, "usage: embed NAME INPUT OUTPUT\n");
		return 2;
	}
	in = fopen(argv[2], "r");
	out = fopen(argv[3], "w");
	if (!in || !out) {
		perror("embed");
		return 1;
	}
	fprintf(out, "/* generated from %s: do not edit */\n"
		"static const char %s[] =\n\"", argv[2], argv[1]);
	while ((c = fgetc(in)) != EOF) {
		if (c == '\n')
			fputs("\\n\"\n\"", out);
		else if (c == '"' || c == '\\')
			fprintf(out, "\\%c", c);
		else if (c < 0x20 || c >= 0x7f)
			fprintf(out, "\\%03o", c);
		else
			fputc(c, out);
	}
	fputs("\";\n", out);
	fclose(in);
	return fclose(out) == 0 ? 0 : 1;
}
