/* Output helpers of the mxguard command: a minimal JSON writer (strings escaped per
 * RFC 8259) and the human listing of findings, worst first. */
#include <stdio.h>

#include "cli.h"

void cli_json_string(FILE *out, const char *s)
{
	fputc('"', out);
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		switch (*p) {
		case '"': fputs("\\\"", out); break;
		case '\\': fputs("\\\\", out); break;
		case '\n': fputs("\\n", out); break;
		case '\r': fputs("\\r", out); break;
		case '\t': fputs("\\t", out); break;
		default:
			if (*p < 0x20 || *p == 0x7f)
				fprintf(out, "\\u%04x", *p);
			else
				fputc(*p, out);
		}
	}
	fputc('"', out);
}

void cli_json_kv(FILE *out, const char *key, const char *value)
{
	cli_json_string(out, key);
	fputc(':', out);
	if (value == NULL)
		fputs("null", out);
	else
		cli_json_string(out, value);
}

void cli_json_findings(FILE *out, const struct mxg_findings *f)
{
	fputc('[', out);
	for (size_t i = 0; i < f->count; i++) {
		const struct mxg_finding *x = &f->items[i];
		const struct mxg_finding_info *info = mxg_finding_info(x->code);
		fputs(i ? ",{" : "{", out);
		cli_json_kv(out, "code", info->name);
		fputc(',', out);
		cli_json_kv(out, "severity", mxg_severity_name(x->severity));
		fputc(',', out);
		cli_json_kv(out, "subject", x->subject);
		fputc(',', out);
		cli_json_kv(out, "text", x->text);
		fputc(',', out);
		cli_json_kv(out, "rfc", info->rfc);
		fputc('}', out);
	}
	fputc(']', out);
}

static const char *const severity_label[] = { "INFO", "WARNING", "ERROR", "CRITICAL" };

void cli_text_findings(FILE *out, const struct mxg_findings *f, const char *indent)
{
	for (int sev = MXG_SEV_CRITICAL; sev >= MXG_SEV_INFO; sev--) {
		for (size_t i = 0; i < f->count; i++) {
			const struct mxg_finding *x = &f->items[i];
			if ((int)x->severity != sev)
				continue;
			const struct mxg_finding_info *info = mxg_finding_info(x->code);
			fprintf(out, "%s%-8s %s\n%s         %s", indent, severity_label[sev], info->name,
				indent, x->text);
			if (info->rfc[0])
				fprintf(out, " [%s]", info->rfc);
			fputc('\n', out);
		}
	}
}
