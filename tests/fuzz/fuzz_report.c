/* Fuzzes the received-report reader end to end (content sniffing, MIME walk, gzip and zip
 * unpacking, the guarded XML parse, the typed read): whatever the input, a report read has
 * records whose counts add up to its total, and a refusal says why and keeps nothing. */
#include <stdint.h>
#include <string.h>

#include "mxguard/report_read.h"

static void check_read(const struct mxg_report *r)
{
	uint64_t total = 0;
	if (r->record_count == 0 || r->records == NULL || r->record_count > MXG_REPORT_RECORDS_MAX)
		__builtin_trap();
	if (r->begin > r->end || r->org_name[0] == '\0' || r->report_id[0] == '\0')
		__builtin_trap();
	for (size_t i = 0; i < r->record_count; i++) {
		const struct mxg_report_record *rec = &r->records[i];
		if (rec->count > MXG_REPORT_COUNT_MAX || rec->header_from[0] == '\0')
			__builtin_trap();
		if (rec->dkim_count > MXG_REPORT_AUTH_MAX || rec->spf_count > MXG_REPORT_AUTH_MAX ||
		    rec->reason_count > MXG_REPORT_REASONS_MAX)
			__builtin_trap();
		total += rec->count;
	}
	if (total != r->message_total)
		__builtin_trap();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct mxg_report r;
	char err[256];

	err[0] = '\0';
	if (mxg_report_read(data, size, &r, err, sizeof(err)) == 0)
		check_read(&r);
	else if (strnlen(err, sizeof(err)) == 0 || r.records != NULL || r.record_count != 0)
		__builtin_trap();
	mxg_report_free(&r);
	return 0;
}
