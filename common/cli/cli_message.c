/* Reading a message file (or standard input) whole, for the commands that replay a message
 * through the engine (mxguard dmarc, mxguard sign --arc-seal). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

char *cli_read_message(const char *prog, const char *path, size_t *len)
{
	FILE *in = strcmp(path, "-") == 0 ? stdin : fopen(path, "rb");
	size_t cap = 65536, n = 0;
	char *buf = malloc(cap);

	if (in == NULL || buf == NULL) {
		fprintf(stderr, "%s: %s: %s\n", prog, path, in == NULL ? "cannot open" : "out of memory");
		free(buf);
		if (in != NULL && in != stdin)
			fclose(in);
		return NULL;
	}
	for (;;) {
		if (n == cap) {
			char *p = cap < CLI_MESSAGE_MAX ? realloc(buf, cap * 2) : NULL;
			if (p == NULL) {
				fprintf(stderr, "%s: %s: larger than %u bytes\n", prog, path, CLI_MESSAGE_MAX);
				free(buf);
				buf = NULL;
				break;
			}
			buf = p;
			cap *= 2;
		}
		size_t got = fread(buf + n, 1, cap - n, in);
		n += got;
		if (got == 0)
			break;
	}
	if (in != stdin)
		fclose(in);
	*len = n;
	return buf;
}
