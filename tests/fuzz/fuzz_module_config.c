/* Fuzzes the Unbound module's configuration file (module_config_parse over the defaults). */
#include <stdint.h>
#include <string.h>

#include "module_config.h"
#include "mxguard/mx.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct module_config c;
	char err[512], acts[64];

	module_config_defaults(&c);
	if (module_config_parse(&c, "fuzz", (const char *)data, size, err, sizeof(err)) != 0) {
		if (strnlen(err, sizeof(err)) == 0)
			__builtin_trap();
		return 0;
	}
	if (c.max_targets == 0 || c.max_targets > MXG_MX_MAX_TARGETS)
		__builtin_trap();
	for (int s = 0; s <= MXG_SEV_CRITICAL; s++)
		(void)module_actions_text(c.actions[s], acts, sizeof(acts));
	return 0;
}
