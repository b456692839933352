/* Fuzzes Authentication-Results: hostile text in every field we write must neither add
 * separators nor line breaks, and our authserv-id must read back; existing fields must parse safely. */
#include <stdint.h>
#include <string.h>

#include "mxguard/authres.h"
#include "mxguard/str.h"
#include "../lib/authres_reader.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char out[65536];
	char text[200], id[256], got[256];
	struct mxg_spf_outcome spf;
	struct mxg_dkim_sig_result sig;
	struct mxg_dmarc_outcome dmarc;
	struct mxg_arc_result arc;

	size_t len = size < sizeof(text) - 1 ? size : sizeof(text) - 1;
	memcpy(text, data, len);
	text[len] = '\0';
	(void)mxg_authres_authserv_id(text, got, sizeof(got));
	(void)mxg_authres_claims(text, "mx.example.net");

	memset(&spf, 0, sizeof(spf));
	memset(&sig, 0, sizeof(sig));
	memset(&dmarc, 0, sizeof(dmarc));
	mxg_strlcpy(spf.sender, text, sizeof(spf.sender));
	mxg_strlcpy(spf.comment, text, sizeof(spf.comment));
	sig.result = MXG_DKIM_FAIL;
	mxg_strlcpy(sig.domain, text, sizeof(sig.domain));
	mxg_strlcpy(sig.selector, text, sizeof(sig.selector));
	mxg_strlcpy(sig.reason, text, sizeof(sig.reason));
	mxg_strlcpy(sig.b_prefix, text, sizeof(sig.b_prefix));
	mxg_strlcpy(dmarc.from_domain, text, sizeof(dmarc.from_domain));
	memset(&arc, 0, sizeof(arc));
	arc.result = MXG_ARC_FAIL;
	arc.instances = (unsigned)len;
	mxg_strlcpy(arc.reason, text, sizeof(arc.reason));
	mxg_strlcpy(arc.domain, text, sizeof(arc.domain));
	mxg_strlcpy(id, text, sizeof(id));
	struct mxg_authres_input in = { id, &spf, NULL, 1, &sig, &dmarc, &arc, 0, 0, NULL, NULL };
	if (mxg_authres_format(&in, 0, out, sizeof(out)) != 0)
		return 0; /* an empty authserv-id */
	if (strchr(out, '\r') || strchr(out, '\n') || authres_structural(out, ';') != 4)
		__builtin_trap();
	/* Control characters were replaced; the rest of the id must read back exactly. */
	for (char *p = id; *p; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			*p = '?';
	if (mxg_authres_authserv_id(out, got, sizeof(got)) != 0 || strcmp(got, id) != 0)
		__builtin_trap();
	if (!mxg_authres_claims(out, id))
		__builtin_trap();
	return 0;
}
