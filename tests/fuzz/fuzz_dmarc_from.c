/* Fuzzes the RFC 5322 From parser: a domain comes back only with MXG_FROM_OK, and it is
 * a lower-case host name that fits. */
#include <stdint.h>
#include <string.h>

#include "mxguard/dmarc.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char text[20000], domain[256];

	size_t len = size < sizeof(text) - 1 ? size : sizeof(text) - 1;
	memcpy(text, data, len);
	text[len] = '\0';
	enum mxg_from_status s = mxg_from_domain(text, domain, sizeof(domain));
	size_t n = strnlen(domain, sizeof(domain));
	if ((s == MXG_FROM_OK) != (n > 0) || n > 253)
		__builtin_trap();
	for (size_t i = 0; i < n; i++)
		if (domain[i] >= 'A' && domain[i] <= 'Z')
			__builtin_trap();
	return 0;
}
