/* Fuzzes the decoding of DNS response messages into answers (the libunbound backend's
 * path): the question name is taken from the message, the asked type from its first bytes. */
#include <stdint.h>
#include <string.h>

#include "mxguard/dns.h"

static const uint16_t types[] = { MXG_DNS_A, MXG_DNS_AAAA, MXG_DNS_MX, MXG_DNS_TXT,
				  MXG_DNS_CNAME, MXG_DNS_PTR, MXG_DNS_TLSA };

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char qname[MXG_DNS_NAME_MAX], text[4096];

	if (size < 1)
		return 0;
	uint16_t type = types[data[0] % (sizeof(types) / sizeof(types[0]))];
	data++, size--;
	if (size < 13 || mxg_dns_name_from_wire(data + 12, size - 12, qname, sizeof(qname)) < 0)
		strcpy(qname, "a");
	struct mxg_dns_answer *a = mxg_dns_answer_new(qname, type);
	if (a == NULL)
		return 0;
	(void)mxg_dns_answer_from_packet(a, data, size);
	if (a->count > 0 && a->cname_count > MXG_DNS_CNAME_MAX)
		__builtin_trap();
	for (size_t i = 0; i < a->count; i++) {
		if (a->rrs[i].type != type)
			__builtin_trap(); /* only the asked type is kept */
		if (type == MXG_DNS_TXT)
			(void)mxg_dns_txt_join(&a->rrs[i], text, sizeof(text));
	}
	mxg_dns_answer_free(a);
	return 0;
}
