/* Fuzzes address and CIDR parsing; a parsed address must format and parse back equal. */
#include <stdint.h>
#include <string.h>

#include "mxguard/addr.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char text[512], back[64], err[256];
	struct mxg_addr a, b;
	struct mxg_cidr c;
	struct mxg_cidr_list l;

	size_t len = size < sizeof(text) - 1 ? size : sizeof(text) - 1;
	memcpy(text, data, len);
	text[len] = '\0';
	if (mxg_addr_parse(text, &a, 0) == 0) {
		if (mxg_addr_format(&a, back, sizeof(back)) != 0 || mxg_addr_parse(back, &b, 0) != 0 ||
		    memcmp(a.bytes, b.bytes, sizeof(a.bytes)) != 0 || a.family != b.family)
			__builtin_trap();
		(void)mxg_addr_is_special(&a);
	}
	if (mxg_cidr_parse(text, &c) == 0)
		(void)mxg_cidr_match(&c, &c.addr);
	if (mxg_cidr_list_parse(text, &l, err, sizeof(err)) == 0)
		mxg_cidr_list_free(&l);
	return 0;
}
