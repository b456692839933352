/* Fuzzes the rua/ruf destination parsers: a mailto: URI with its "!size" limit and the size
 * alone. A URI that parsed has an address with a domain after its '@', a host, no characters
 * a mail header could be split on, and the limit the size parser gives. */
#include <stdint.h>
#include <string.h>

#include "mxguard/dmarc.h"
#include "../../common/src/dmarc_internal.h"

#define TEXT_MAX 4096

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char text[TEXT_MAX];
	size_t len = size < sizeof(text) - 1 ? size : sizeof(text) - 1;
	memcpy(text, data, len);
	text[len] = '\0';
	(void)dmarc_size_parse(text);
	struct mxg_dmarc_mailto m;
	if (mxg_dmarc_mailto_parse(text, &m) != 0)
		return 0;
	const char *at = strrchr(m.address, '@');
	if (at == NULL || at == m.address || m.host[0] == '\0' ||
	    strnlen(m.address, sizeof(m.address)) == sizeof(m.address) ||
	    strpbrk(m.address, "\r\n ,<>") != NULL)
		__builtin_trap();
	const char *bang = strrchr(text + 7, '!');
	if (bang != NULL && m.max_size != dmarc_size_parse(bang + 1))
		__builtin_trap();
	return 0;
}
