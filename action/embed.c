/* embed.c - build-time helper: turn a text file into a C array of its bytes,
 * so that the schema SQL shipped in config/ is the very text the program
 * runs, byte for byte.  usage: embed NAME INPUT OUTPUT */
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
	/* An array of bytes, not a string literal: C11 promises literals of
	 * only 4095 characters, and the schema is longer. */
	fprintf(out, "/* generated from %s: do not edit */\n"
		"static const char %s[] = {", argv[2], argv[1]);
	for (long n = 0; (c = fgetc(in)) != EOF; n++)
		fprintf(out, "%s0x%02x,", n % 12 ? " " : "\n\t", c);
	fputs("\n\t0x00\n};\n", out);
	fclose(in);
	return fclose(out) == 0 ? 0 : 1;
}
