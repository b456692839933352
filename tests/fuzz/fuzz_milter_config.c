/* Fuzzes mxguard-milter's configuration file (milter_config_parse over the defaults), then asks
 * the parsed internal-host lists about a few clients. */
#include <stdint.h>
#include <string.h>

#include "milter.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct milter_config c;
	struct mxg_addr a;
	char err[512];

	milter_config_defaults(&c);
	if (milter_config_parse(&c, "fuzz", (const char *)data, size, err, sizeof(err)) == 0) {
		if (strnlen(c.authserv_id, sizeof(c.authserv_id)) >= sizeof(c.authserv_id))
			__builtin_trap();
		if (mxg_addr_parse("192.0.2.1", &a, 1) == 0)
			(void)milter_config_is_internal(&c, &a, "host.fuzz.test");
		if (mxg_addr_parse("2001:db8::1", &a, 1) == 0)
			(void)milter_config_is_internal(&c, &a, "");
		(void)milter_config_is_internal(&c, NULL, "mail.example.com");
	} else if (strnlen(err, sizeof(err)) == 0) {
		__builtin_trap();
	}
	milter_config_release(&c);
	return 0;
}
