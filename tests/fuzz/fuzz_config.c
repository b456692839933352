/* Fuzzes the key = value configuration parser and its typed value parsers. */
#include <stdint.h>

#include "mxguard/config.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct mxg_config c;
	char err[512];
	unsigned long n;
	int b;

	if (mxg_config_parse("fuzz", (const char *)data, size, &c, err, sizeof(err)) != 0)
		return 0;
	for (size_t i = 0; i < c.count; i++) {
		const char *v = c.entries[i].value;
		(void)mxg_config_bool(c.entries[i].key, v, &b, err, sizeof(err));
		(void)mxg_config_uint(c.entries[i].key, v, 0, 1000000, &n, err, sizeof(err));
		(void)mxg_config_duration_ms(c.entries[i].key, v, &n, err, sizeof(err));
		(void)mxg_config_get(&c, c.entries[i].key);
	}
	mxg_config_free(&c);
	return 0;
}
