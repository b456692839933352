/* Fuzzes the DKIM and ARC parsers: the first byte picks a DKIM-Signature value, an ARC
 * message signature or seal, the instance of an ARC field, a key record, a whole message
 * verified (DKIM and ARC) against the RFC 8463 keys, split into random body chunks, or ('b')
 * the same in one buffer through mxg_dkim_verify_buffer, NUL bytes and all. */
#include <stdint.h>
#include <string.h>

#include "../../common/src/dkim_internal.h"
#include "mxguard/dns.h"
#include "../lib/zone_txt.h"

static struct mxg_resolver *zone;

static void setup(void)
{
	if (zone != NULL)
		return;
	zone = mxg_resolver_zone_new();
	zone_txt(zone, "brisbane._domainkey.football.example.com",
		"v=DKIM1; k=ed25519; p=11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo=");
	zone_txt(zone, "test._domainkey.football.example.com",
		"v=DKIM1; k=rsa; p=MIGfMA0GCSqGSIb3DQEBAQUAA4GNADCBiQKBgQDkHlOQoBTzWRiGs5V6NpP3idY6Wk08a5qhdR6wy5bdOKb2"
		"jLQiY/J16JYi0Qvx/byYzCNb3W91y3FutACDfzwQ/BC/e/8uBsCR+yz1Lxj+PL6lHvqMKrM3rG4hstT5QjvHO9PzoxZyVYLzBf"
		"O2EeC3Ip3G+2kryOTIKT+l/K4w3QIDAQAB");
}

static void message(const uint8_t *data, size_t size)
{
	struct mxg_dkim_options o = { .max_signatures = 4, .max_header_bytes = 4096 };
	struct mxg_dkim_verifier *v = mxg_dkim_verifier_new(zone, NULL, &o);
	size_t pos = 0;

	if (v == NULL)
		return;
	/* Header fields are NUL-separated up to an empty one; the rest is body in chunks whose
	 * sizes come from the data itself, so chunk boundaries land everywhere. */
	while (pos < size) {
		const uint8_t *end = memchr(data + pos, 0, size - pos);
		size_t n = end ? (size_t)(end - (data + pos)) : size - pos;
		if (n == 0) {
			pos++;
			break;
		}
		mxg_dkim_header_raw(v, (const char *)data + pos, n);
		pos += n + 1;
	}
	mxg_dkim_end_headers(v);
	while (pos < size) {
		size_t n = 1 + data[pos] % 64;
		if (n > size - pos)
			n = size - pos;
		mxg_dkim_body(v, data + pos, n);
		pos += n;
	}
	mxg_dkim_finish(v);
	mxg_dkim_verifier_free(v);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char err[MXG_DKIM_REASON_MAX];

	if (size < 1)
		return 0;
	setup();
	if (data[0] == 's') {
		struct dkim_sig sig;
		dkim_sig_parse((const char *)data + 1, size - 1, &sig, err, sizeof(err));
		dkim_sig_clear(&sig);
	} else if (data[0] == 'a' || data[0] == 'A') {
		struct dkim_sig sig;
		dkim_sig_parse_kind(data[0] == 'a' ? DKIM_SIG_AMS : DKIM_SIG_AS, (const char *)data + 1,
				    size - 1, &sig, err, sizeof(err));
		dkim_sig_clear(&sig);
	} else if (data[0] == 'i') {
		for (int kind = DKIM_SIG_DKIM; kind <= DKIM_SIG_AS; kind++)
			(void)dkim_arc_instance((enum dkim_sig_kind)kind, (const char *)data + 1, size - 1);
	} else if (data[0] == 'b') {
		struct mxg_dkim_options o = { .max_signatures = 4, .max_header_bytes = 4096 };
		mxg_dkim_verifier_free(mxg_dkim_verify_buffer(zone, NULL, &o, (const char *)data + 1,
							      size - 1));
	} else if (data[0] == 'k') {
		struct dkim_key key;
		if (dkim_key_parse((const char *)data + 1, size - 1, &key, err, sizeof(err)) == 0)
			dkim_key_clear(&key);
	} else {
		message(data + 1, size - 1);
	}
	return 0;
}
