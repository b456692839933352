/* bench/dkim: verified messages per second for OpenDKIM's library (libopendkim), keys from a
 * query file as opendkim-testmsg uses them; libopendkim decodes each key per message. */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/types.h>

#include <opendkim/dkim.h>

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts); /* CPU time: load from elsewhere on the machine does not count */
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int verify_once(DKIM_LIB *lib, const char *msg, size_t len)
{
	DKIM_STAT st;
	DKIM *d = dkim_verify(lib, (const unsigned char *)"bench", NULL, &st);
	_Bool testkey;
	DKIM_SIGINFO **sigs;
	int nsigs = 0, ok = 1;

	if (d == NULL)
		return 0;
	/* The whole message in one chunk: libopendkim splits header fields and body itself. */
	if (dkim_chunk(d, (u_char *)msg, len) != DKIM_STAT_OK || dkim_chunk(d, NULL, 0) != DKIM_STAT_OK)
		ok = 0;
	st = dkim_eom(d, &testkey);
	if (ok && dkim_getsiglist(d, &sigs, &nsigs) == DKIM_STAT_OK && nsigs > 0) {
		for (int i = 0; i < nsigs; i++)
			if (!DKIM_SIG_CHECK(sigs[i]))
				ok = 0;
	} else {
		ok = 0;
	}
	dkim_free(d);
	return ok;
}

int main(int argc, char **argv)
{
	double secs = argc > 3 ? atof(argv[3]) : 2.0;
	if (argc < 3) {
		fprintf(stderr, "usage: bench_opendkim QUERYFILE MESSAGE [SECONDS]\n");
		return 2;
	}
	DKIM_LIB *lib = dkim_init(NULL, NULL);
	int qm = DKIM_QUERY_FILE;
	dkim_options(lib, DKIM_OP_SETOPT, DKIM_OPTS_QUERYMETHOD, &qm, sizeof(qm));
	dkim_options(lib, DKIM_OP_SETOPT, DKIM_OPTS_QUERYINFO, argv[1], strlen(argv[1]));
	FILE *f = fopen(argv[2], "rb");
	char *msg = malloc(1 << 20);
	if (f == NULL || msg == NULL)
		return 2;
	size_t len = fread(msg, 1, 1 << 20, f);
	fclose(f);
	double t0 = now_s(), t;
	unsigned long n = 0;
	do {
		for (int i = 0; i < 50; i++)
			if (!verify_once(lib, msg, len)) {
				fprintf(stderr, "opendkim: verification did not pass\n");
				return 1;
			}
		n += 50;
	} while ((t = now_s() - t0) < secs);
	printf("opendkim %.0f\n", (double)n / t);
	dkim_close(lib);
	return 0;
}
