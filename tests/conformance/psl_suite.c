/* Runs the Public Suffix List test vectors (tests/conformance/data/psl/tests.txt, unmodified)
 * against mxg_psl_org_domain() with the list file beside them, then notes the built-in list's score. */
#include <stdio.h>
#include <string.h>

#include "mxguard/dmarc.h"

#define LINE_MAX_LEN 512

struct score {
	unsigned passed, failed;
};

/* One vector "INPUT EXPECTED"; "null" stands for no input / no registrable domain. */
static int run_vector(const struct mxg_psl *psl, char *line, int verbose, struct score *s)
{
	char input[LINE_MAX_LEN], expected[LINE_MAX_LEN], got[256];

	if (sscanf(line, "%511s %511s", input, expected) != 2)
		return -1;
	const char *in = strcmp(input, "null") == 0 ? NULL : input;
	int rc = mxg_psl_org_domain(psl, in, got, sizeof(got));
	const char *result = rc == 0 ? got : "null";
	if (strcmp(result, expected) == 0) {
		s->passed++;
		return 0;
	}
	s->failed++;
	if (verbose)
		printf("not ok: %s: got %s, expected %s\n", input, result, expected);
	return 0;
}

static int run_file(const char *vectors, const struct mxg_psl *psl, int verbose, struct score *s)
{
	char line[LINE_MAX_LEN];
	FILE *f = fopen(vectors, "r");

	if (f == NULL) {
		perror(vectors);
		return -1;
	}
	while (fgets(line, sizeof(line), f) != NULL) {
		line[strcspn(line, "\r\n")] = '\0';
		const char *p = line + strspn(line, " \t");
		if (*p == '\0' || strncmp(p, "//", 2) == 0)
			continue; /* comments, including the 4 vectors commented out upstream */
		if (run_vector(psl, line, verbose, s) < 0) {
			printf("not ok: unreadable vector line '%s'\n", line);
			s->failed++;
		}
	}
	fclose(f);
	return 0;
}

int main(int argc, char **argv)
{
	char err[256];
	struct score file_score = { 0, 0 }, builtin_score = { 0, 0 };

	if (argc != 3) {
		fprintf(stderr, "usage: psl_suite TESTS.TXT PUBLIC_SUFFIX_LIST.DAT\n");
		return 2;
	}
	struct mxg_psl *listed = mxg_psl_load(argv[2], err, sizeof(err));
	struct mxg_psl *builtin = mxg_psl_load(NULL, err, sizeof(err));
	if (listed == NULL || builtin == NULL) {
		fprintf(stderr, "psl_suite: %s\n", err);
		mxg_psl_free(listed);
		mxg_psl_free(builtin);
		return 2;
	}
	int rc = run_file(argv[1], builtin, 0, &builtin_score);
	if (rc == 0)
		rc = run_file(argv[1], listed, 1, &file_score);
	if (rc == 0)
		printf("built-in list (not counted): %u of %u vectors agree\n", builtin_score.passed,
		       builtin_score.passed + builtin_score.failed);
	printf("%u passed, %u failed\n", file_score.passed, file_score.failed + (rc < 0));
	mxg_psl_free(listed);
	mxg_psl_free(builtin);
	return rc < 0 || file_score.failed ? 1 : 0;
}
