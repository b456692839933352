/* Fuzzes the report store's small text parsers: durations ("31d", report_keep and --since)
 * and the stored form of DKIM results ("result:domain:selector ..."). A duration that parsed
 * is within its bounds; DKIM results that parsed format back and parse again to the same. */
#include <stdint.h>
#include <string.h>

#include "mxguard/report_store.h"

#define TEXT_MAX 4096

static void duration(const char *text)
{
	int64_t v = -1;
	if (mxg_store_parse_duration(text, &v) == 0 && (v < 1 || v > 10LL * 366 * 86400))
		__builtin_trap();
}

static void dkim(const char *text)
{
	struct mxg_store_dkim d[MXG_STORE_DKIM_MAX], again[MXG_STORE_DKIM_MAX];
	size_t n = 0, m = 0;
	int rc = mxg_store_dkim_parse(text, d, MXG_STORE_DKIM_MAX, &n);
	if (n > MXG_STORE_DKIM_MAX)
		__builtin_trap();
	if (rc != 0)
		return;
	static char out[MXG_STORE_DKIM_MAX * (MXG_DNS_NAME_MAX + MXG_STORE_SELECTOR_MAX + 20)];
	if (mxg_store_dkim_format(d, n, out, sizeof(out)) != 0)
		__builtin_trap();
	if (mxg_store_dkim_parse(out, again, MXG_STORE_DKIM_MAX, &m) != 0 || m != n)
		__builtin_trap();
	for (size_t i = 0; i < n; i++)
		if (strcmp(d[i].result, again[i].result) != 0)
			__builtin_trap();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char text[TEXT_MAX];
	size_t len = size < sizeof(text) - 1 ? size : sizeof(text) - 1;
	memcpy(text, data, len);
	text[len] = '\0';
	duration(text);
	dkim(text);
	return 0;
}
