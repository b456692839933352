/* bench/dkim: the pieces every benchmark program here shares: CPU time, reading a message file,
 * and the measuring loop (runs per CPU-second, stopping at the first failed run). */
#ifndef MXGUARD_BENCH_UTIL_H
#define MXGUARD_BENCH_UTIL_H

#include <stdio.h>
#include <stdlib.h>
#include <time.h>

/* Largest message file read. */
#define BENCH_MSG_MAX (1 << 20)

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts); /* CPU time: load from elsewhere does not count */
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* The file, NUL-terminated (exits on error). */
static char *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf = malloc(BENCH_MSG_MAX);

	if (f == NULL || buf == NULL) {
		perror(path);
		exit(2);
	}
	*len = fread(buf, 1, BENCH_MSG_MAX - 1, f);
	buf[*len] = '\0';
	fclose(f);
	return buf;
}

/* Runs fn(arg) in batches for at least secs of CPU time; runs per CPU-second. A run that
 * returns 0 ends the program with "WHAT: FAILURE". */
static double bench_rate(const char *what, const char *failure, double secs, int (*fn)(void *),
			 void *arg, int batch)
{
	double t0 = now_s(), t;
	unsigned long n = 0;

	do {
		for (int i = 0; i < batch; i++)
			if (!fn(arg)) {
				fprintf(stderr, "%s: %s\n", what, failure);
				exit(1);
			}
		n += (unsigned long)batch;
	} while ((t = now_s() - t0) < secs);
	return (double)n / t;
}

#endif
