/* bench/memory: resident memory of mxguard.so's verdict table (unbound-module/
 * module_verdict_cache.c) when full, for a given verdict-cache-size: the table is made, then
 * filled with distinct flagged names carrying the longest EXTRA-TEXT, twice its size over, and
 * the process's VmRSS growth is printed with the table's own count of bytes.
 *   verdicts SLOTS...   prints "SLOTS table-bytes rss-growth-KiB" per size */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "module_verdict_cache.h"

static long rss_kib(void)
{
	char line[256];
	long kib = -1;
	FILE *f = fopen("/proc/self/status", "r");

	if (f == NULL)
		return -1;
	while (fgets(line, sizeof(line), f) != NULL)
		if (strncmp(line, "VmRSS:", 6) == 0)
			kib = strtol(line + 6, NULL, 10);
	fclose(f);
	return kib;
}

/* The wire form of "mNNNNNNN.bench.test". */
static size_t wire_name(unsigned long i, uint8_t *out)
{
	char label[16];
	int n = snprintf(label, sizeof(label), "m%08lu", i);

	out[0] = (uint8_t)n;
	memcpy(out + 1, label, (size_t)n);
	memcpy(out + 1 + n, "\005bench\004test", 12);
	return (size_t)n + 13;
}

int main(int argc, char **argv)
{
	static char text[MODULE_VERDICT_TEXT_MAX + 1];
	uint8_t name[64];
	time_t now = time(NULL);

	memset(text, 'x', MODULE_VERDICT_TEXT_MAX);
	for (int a = 1; a < argc; a++) {
		unsigned long slots = strtoul(argv[a], NULL, 10);
		long before = rss_kib();
		struct module_verdict_cache *c = module_verdict_cache_new(slots);
		if (c == NULL)
			return 1;
		for (unsigned long i = 0; i < 2 * slots; i++) {
			size_t len = wire_name(i, name);
			module_verdict_cache_put(c, name, len, text, now, 3600, 1);
		}
		printf("%lu %zu %ld\n", slots, module_verdict_cache_mem(c), rss_kib() - before);
		module_verdict_cache_free(c);
	}
	return 0;
}
