/* Fuzzes the MX baseline file parser, then compares what it read with itself (no change) and
 * with an empty snapshot (every fact removed). */
#include <stdint.h>
#include <string.h>

#include "mxguard/baseline.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct mxg_baseline b;
	struct mxg_findings out = { 0 };
	char err[512];

	if (mxg_baseline_parse("fuzz", (const char *)data, size, &b, err, sizeof(err)) != 0)
		return 0;
	for (size_t i = 0; i < b.count; i++) {
		struct mxg_baseline_domain empty = { 0 };
		memcpy(empty.name, b.domains[i].name, sizeof(empty.name));
		if (mxg_baseline_compare(&b.domains[i], &b.domains[i], &out) != 0)
			__builtin_trap();
		if (mxg_baseline_compare(&b.domains[i], &empty, &out) != (int)b.domains[i].count)
			__builtin_trap();
		if (mxg_baseline_find(&b, b.domains[i].name) != &b.domains[i])
			__builtin_trap();
		mxg_findings_clear(&out);
	}
	mxg_baseline_free(&b);
	return 0;
}
