/* Fuzzes Authentication-Results: parsing the authserv-id of received fields, and formatting our
 * verdicts from hostile strings, which must never change the authserv-id or break the folding. */
#include <stdint.h>
#include <string.h>

#include "mxguard/authres.h"

static const char our_id[] = "mx.fuzz.test";

static void parse(const char *text)
{
	char id[256];

	if (mxg_authres_authserv_id(text, id, sizeof(id)) == 0) {
		if (strnlen(id, sizeof(id)) == 0 || mxg_authres_claims(text, id) != 1)
			__builtin_trap();
	}
	(void)mxg_authres_claims(text, our_id);
}

/* Next NUL-separated piece of the input, copied into a field of size n. */
static void take(const char **p, const char *end, char *field, size_t n)
{
	const char *z = memchr(*p, 0, (size_t)(end - *p));
	size_t k = z ? (size_t)(z - *p) : (size_t)(end - *p);

	if (k >= n)
		k = n - 1;
	memcpy(field, *p, k);
	field[k] = '\0';
	*p = z ? z + 1 : end;
}

static void format(uint8_t sel, const char *p, const char *end)
{
	static struct mxg_spf_outcome spf;
	static struct mxg_dkim_sig_result dkim[2];
	static struct mxg_dmarc_outcome dmarc;
	static char buf[8192];

	memset(&spf, 0, sizeof(spf));
	memset(dkim, 0, sizeof(dkim));
	memset(&dmarc, 0, sizeof(dmarc));
	spf.result = (enum mxg_spf_result)(sel % 7);
	take(&p, end, spf.sender, sizeof(spf.sender));
	take(&p, end, spf.domain, sizeof(spf.domain));
	take(&p, end, spf.comment, sizeof(spf.comment));
	dkim[0].result = (enum mxg_dkim_result)((sel >> 2) % 7);
	take(&p, end, dkim[0].domain, sizeof(dkim[0].domain));
	take(&p, end, dkim[0].selector, sizeof(dkim[0].selector));
	take(&p, end, dkim[0].identity, sizeof(dkim[0].identity));
	take(&p, end, dkim[0].reason, sizeof(dkim[0].reason));
	take(&p, end, dkim[0].b_prefix, sizeof(dkim[0].b_prefix));
	dkim[1] = dkim[0];
	take(&p, end, dmarc.from_domain, sizeof(dmarc.from_domain));
	take(&p, end, dmarc.reason, sizeof(dmarc.reason));
	struct mxg_authres_input in = {
		.authserv_id = our_id, .spf = &spf, .helo = (sel & 64) ? &spf : NULL,
		.dkim_count = (sel & 128) ? 2 : 1, .dkim = dkim, .dmarc = (sel & 32) ? &dmarc : NULL,
	};
	if (mxg_authres_format(&in, sel & 1, buf, sizeof(buf)) != 0)
		return;
	char id[256];
	if (mxg_authres_authserv_id(buf, id, sizeof(id)) != 0 || strcmp(id, our_id) != 0)
		__builtin_trap();
	for (const char *c = buf; *c; c++) {
		if (*c == '\r' || (*c == '\n' && c[1] != '\t'))
			__builtin_trap();
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char text[10000];

	if (size < 2 || size > sizeof(text) - 1)
		return 0;
	if (data[0] & 1) {
		memcpy(text, data + 1, size - 1);
		text[size - 1] = '\0';
		parse(text);
	} else {
		format(data[1], (const char *)data + 2, (const char *)data + size);
	}
	return 0;
}
