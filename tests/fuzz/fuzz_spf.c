/* Fuzzes the SPF record parser, validation, the macro language and a whole check_host()
 * with the input published as the checked domain's record and as an explanation text. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../../common/src/spf_internal.h"

static const char *ptr_name(void *arg)
{
	(void)arg;
	return "mx.f.test";
}

/* Publishes data as one TXT record of owner, in strings of at most 255 octets. */
static void publish(struct mxg_resolver *r, const char *owner, const uint8_t *data, size_t size)
{
	uint8_t rd[4096];
	size_t n = 0;

	for (size_t off = 0; off < size || off == 0; off += 255) {
		size_t l = size - off > 255 ? 255 : size - off;
		if (n + 1 + l > sizeof(rd))
			break;
		rd[n++] = (uint8_t)l;
		memcpy(rd + n, data + off, l);
		n += l;
		if (size == 0)
			break;
	}
	mxg_zone_add_rr(r, owner, MXG_DNS_TXT, 300, rd, n);
}

static void evaluate(const uint8_t *data, size_t size)
{
	static const uint8_t a[4] = { 192, 0, 2, 1 };
	static const uint8_t mx[] = { 0, 10, 2, 'm', 'x', 1, 'f', 4, 't', 'e', 's', 't', 0 };
	struct mxg_resolver *r = mxg_resolver_zone_new();
	struct mxg_spf_outcome out;
	struct mxg_addr ip = { .family = 4, .bytes = { 192, 0, 2, 1 } };
	struct mxg_spf_options opt = { .default_exp = "%{i} %{d}", .receiver = "rcpt.test" };
	char hdr[2048];

	if (r == NULL)
		return;
	publish(r, "f.test", data, size);
	publish(r, "e.f.test", data, size);
	mxg_zone_add_rr(r, "mx.f.test", MXG_DNS_A, 300, a, 4);
	mxg_zone_add_rr(r, "f.test", MXG_DNS_MX, 300, mx, sizeof(mx));
	/* dns_terms counts the term that went over the limit of 10 too */
	enum mxg_spf_result res = mxg_spf_check_host(r, &opt, &ip, "f.test", "u-v+w@f.test", "h.f.test", &out);
	if (res < MXG_SPF_NONE || res > MXG_SPF_PERMERROR || out.dns_terms > 11 || out.void_lookups > 3)
		__builtin_trap();
	if (mxg_spf_received_spf(&out, &ip, "h.f.test", "rcpt.test", hdr, sizeof(hdr)) == 0 &&
	    (strchr(hdr, '\r') || strchr(hdr, '\n')))
		__builtin_trap();
	mxg_resolver_free(r);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct spf_record rec;
	struct mxg_findings f = { 0 };
	struct mxg_addr ip6 = { .family = 6, .bytes = { 0x20, 0x01, 0x0d, 0xb8, [15] = 1 } };
	struct spf_macro_vars v = {
		.sender = "strong-bad@email.example.com", .local = "strong-bad",
		.sdomain = "email.example.com", .domain = "email.example.com", .helo = "h.test",
		.ip = &ip6, .ptr_name = ptr_name, .now = 1,
	};
	char out[SPF_EXPAND_MAX], why[128];

	if (size > 4000)
		return 0;
	spf_record_parse((const char *)data, size, &rec);
	spf_record_free(&rec);
	char *text = malloc(size + 1);
	if (text == NULL)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	mxg_spf_record_validate(text, "f.test", &f);
	mxg_findings_clear(&f);
	for (int use = SPF_MACRO_DOMAIN; use <= SPF_MACRO_EXPLAIN; use++) {
		long n = spf_macro_expand(&v, text, size, use, out, sizeof(out), why, sizeof(why));
		if (n >= 0 && (size_t)n != strlen(out) && memchr(text, '\0', size) == NULL)
			__builtin_trap();
	}
	spf_domain_truncate(out);
	free(text);
	evaluate(data, size);
	return 0;
}
