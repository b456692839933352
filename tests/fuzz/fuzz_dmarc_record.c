/* Fuzzes DMARC record parsing in both modes; whatever the input, the record stays within
 * its bounds and a record that parsed cleanly is usable. */
#include <stdint.h>
#include <string.h>

#include "mxguard/dmarc.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char text[5000], err[160];
	struct mxg_dmarc_record rec;

	size_t len = size < sizeof(text) - 1 ? size : sizeof(text) - 1;
	memcpy(text, data, len);
	text[len] = '\0';
	for (int mode = MXG_DMARC_MODE_9989; mode <= MXG_DMARC_MODE_7489; mode++) {
		int rc = mxg_dmarc_record_parse_mode(text, (enum mxg_dmarc_mode)mode, &rec, err, sizeof(err));
		if (rc == 0 && !rec.usable)
			__builtin_trap();
		if (rec.rua_count > MXG_DMARC_URI_MAX || rec.ruf_count > MXG_DMARC_URI_MAX || rec.pct > 100)
			__builtin_trap();
		if (rc != 0 && strnlen(err, sizeof(err)) == 0)
			__builtin_trap();
	}
	return 0;
}
