/* Fuzzes the SPF engine: the first byte picks record parsing and validation, macro expansion
 * (domain-spec, modifier and explanation rules), or a whole check_host over an in-memory zone. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../../common/src/spf_int.h"
#include "mxguard/dns.h"

static void record(const char *p, size_t n)
{
	struct spf_record rec;
	struct mxg_findings f = { 0 };
	char *text = malloc(n + 1);

	if (text == NULL)
		return;
	memcpy(text, p, n);
	text[n] = '\0';
	int rc = spf_record_parse(text, n, &rec);
	if (rc == 0 && (rec.redirect >= (int)rec.count || rec.exp >= (int)rec.count))
		__builtin_trap();
	spf_record_free(&rec);
	(void)mxg_spf_record_validate(text, "fuzz.test", &f);
	mxg_findings_clear(&f);
	free(text);
}

static const char *ptr_name(void *arg)
{
	(void)arg;
	return "mail.fuzz.test";
}

static void macro(uint8_t sel, const char *p, size_t n)
{
	struct mxg_addr ip;
	char out[SPF_EXPAND_MAX], why[160];
	enum spf_macro_use use = (enum spf_macro_use)(sel % 3);
	const char *addr = (sel & 4) ? "2001:db8::cb01" : "192.0.2.3";

	if (mxg_addr_parse(addr, &ip, 1) != 0)
		return;
	struct spf_macro_vars v = {
		.sender = "strong-bad@email.example.com", .local = "strong-bad",
		.sdomain = "email.example.com", .domain = "email.example.com",
		.helo = "mx.example.org", .receiver = "rx.fuzz.test", .ip = &ip,
		.ptr_name = ptr_name, .now = 1700000000,
	};
	size_t outsize = (sel & 8) ? 64 : sizeof(out);
	(void)spf_macro_check(p, n, use, why, sizeof(why));
	long len = spf_macro_expand(&v, p, n, use, out, outsize, why, sizeof(why));
	if (len >= (long)outsize || (len >= 0 && strlen(out) != (size_t)len))
		__builtin_trap();
	if (len >= 0 && use == SPF_MACRO_DOMAIN) {
		spf_domain_truncate(out);
		if (strlen(out) > 253)
			__builtin_trap();
	}
}

static void txt(struct mxg_resolver *z, const char *owner, const char *s, size_t n)
{
	uint8_t rd[2048];
	size_t o = 0;

	/* Split into character-strings of at most 255 bytes, as a publisher would. */
	while (n > 0 && o + 256 <= sizeof(rd)) {
		size_t k = n > 255 ? 255 : n;
		rd[o++] = (uint8_t)k;
		memcpy(rd + o, s, k);
		o += k, s += k, n -= k;
	}
	if (o > 0)
		mxg_zone_add_rr(z, owner, MXG_DNS_TXT, 300, rd, o);
}

/* Records separated by NUL: the first is fuzz.test's policy, the next ones sit at
 * a.fuzz.test, b.fuzz.test, ... so include:/redirect= have somewhere to go. */
static void check(uint8_t sel, const char *p, size_t n)
{
	static const char *owners[] = { "fuzz.test", "a.fuzz.test", "b.fuzz.test", "c.fuzz.test" };
	struct mxg_resolver *z = mxg_resolver_zone_new();
	struct mxg_spf_outcome out;
	struct mxg_addr ip;
	char err[128];

	if (z == NULL)
		return;
	mxg_zone_add_text(z, "fuzz.test. 300 IN MX 10 mx.fuzz.test.", err, sizeof(err));
	mxg_zone_add_text(z, "mx.fuzz.test. 300 IN A 192.0.2.3", err, sizeof(err));
	mxg_zone_add_text(z, "mx.fuzz.test. 300 IN AAAA 2001:db8::cb01", err, sizeof(err));
	mxg_zone_add_text(z, "3.2.0.192.in-addr.arpa. 300 IN PTR mx.fuzz.test.", err, sizeof(err));
	mxg_zone_set_fault(z, "c.fuzz.test", 0, (sel & 2) ? MXG_DNS_TIMEOUT : MXG_DNS_SERVFAIL);
	for (size_t i = 0; i < 4 && n > 0; i++) {
		const char *end = memchr(p, 0, n);
		size_t k = end ? (size_t)(end - p) : n;
		txt(z, owners[i], p, k);
		p += k, n -= k;
		if (n > 0)
			p++, n--;
	}
	if (mxg_addr_parse((sel & 4) ? "2001:db8::cb01" : "192.0.2.3", &ip, 1) == 0) {
		struct mxg_spf_options o = { .receiver = "rx.fuzz.test",
					     .default_exp = (sel & 8) ? "%{i} not allowed by %{d}" : NULL };
		enum mxg_spf_result r = mxg_spf_check_mailfrom(z, &o, &ip, "user@fuzz.test",
							       "helo.fuzz.test", &out);
		if (r != out.result || r > MXG_SPF_PERMERROR || out.dns_terms > 10 + 1)
			__builtin_trap();
	}
	mxg_resolver_free(z);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 2 || size > 8192)
		return 0;
	const char *p = (const char *)data + 2;
	size_t n = size - 2;

	switch (data[0] % 3) {
	case 0:
		record(p, n);
		break;
	case 1:
		macro(data[1], p, n);
		break;
	default:
		check(data[1], p, n);
		break;
	}
	return 0;
}
