/* Fuzzes the zone backend: each input line is a master-file record; valid ones are
 * added, then the owner names are looked up for every common type. */
#include <stdint.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>

#include "mxguard/dns.h"

static const uint16_t types[] = { MXG_DNS_A, MXG_DNS_AAAA, MXG_DNS_MX, MXG_DNS_TXT, MXG_DNS_CNAME };

static void look_up_all(struct mxg_resolver *r, const char *name)
{
	char err[256];
	struct mxg_dns_answer *a;

	for (size_t t = 0; t < sizeof(types) / sizeof(types[0]); t++) {
		if (mxg_dns_lookup(r, name, types[t], &a, err, sizeof(err)) == 0)
			mxg_dns_answer_free(a);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char err[256], line[2048];
	struct mxg_resolver *r = mxg_resolver_zone_new();
	size_t start = 0;

	if (r == NULL)
		return 0;
	for (size_t i = 0; i <= size; i++) {
		if (i < size && data[i] != '\n')
			continue;
		size_t len = i - start;
		if (len < sizeof(line)) {
			memcpy(line, data + start, len);
			line[len] = '\0';
			if (mxg_zone_add_text(r, line, err, sizeof(err)) == 0) {
				char owner[MXG_DNS_NAME_MAX];
				if (sscanf(line, "%255s", owner) == 1)
					look_up_all(r, owner);
			}
		}
		start = i + 1;
	}
	mxg_resolver_free(r);
	return 0;
}
