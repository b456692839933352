/* Unit tests of mxguard-milter's outbound signing (milter_sign.c): the signing_* keys and their
 * errors, key files refused for their mode, the outbound test (local submission, internal
 * networks), key choice by From domain and listed parents, the published-key check against the
 * in-memory zone, and one message signed as the callbacks feed it, verified by our verifier. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <cmocka.h>

#include "milter_config_fixture.h"
#include "../../milter/milter_sign.h"
#include "mxguard/dkim.h"
#include "mxguard/dns.h"

static char dir[64];

static int group_setup(void **state)
{
	(void)state;
	strcpy(dir, "/tmp/mxg-milter-sign.XXXXXX");
	assert_non_null(mkdtemp(dir));
	return 0;
}

static int group_teardown(void **state)
{
	char cmd[128];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	return system(cmd) == 0 ? 0 : -1;
}

/* A key of type saved as dir/name with mode; its path in out. */
static void key_file(const char *type, const char *name, mode_t mode, char *out, size_t size)
{
	struct mxg_dkim_signing_key *k = mxg_dkim_signing_key_generate(type);

	assert_non_null(k);
	snprintf(out, size, "%s/%s", dir, name);
	(void)remove(out);
	assert_int_equal(mxg_dkim_signing_key_save(k, out, err, sizeof(err)), 0);
	assert_int_equal(chmod(out, mode), 0);
	mxg_dkim_signing_key_free(k);
}

static void test_defaults(void **state)
{
	(void)state;
	const struct milter_signing *s = &cfg.signing;
	assert_int_equal(s->nkeys, 0);
	assert_false(milter_sign_enabled(s));
	assert_int_equal(s->header_simple, 0);
	assert_int_equal(s->body_simple, 0);
	assert_int_equal(s->expire_ms, 0);
	assert_int_equal(s->local_submission, 1);
	assert_int_equal(s->error_tempfail, 0);
}

static void test_keys_parsed(void **state)
{
	(void)state;
	assert_int_equal(parse("signing_keys = Example.COM.:rsa:/k/rsa.pem, example.com:ed:/k/ed.pem"
			       "  other.org:s1:/k/o.pem\n"
			       "signing_subdomains = example.com\n"
			       "signing_canon = simple/relaxed\n"
			       "signing_expire = 7d\n"
			       "signing_local_submission = no\n"
			       "internal_networks = 10.0.0.0/8 2001:db8::/32\n"
			       "on_signing_error = tempfail\n"
			       "signing_tempfail_domains = other.org\n"), 0);
	const struct milter_signing *s = &cfg.signing;
	assert_int_equal(s->nkeys, 3);
	assert_string_equal(s->keys[0].domain, "example.com");
	assert_string_equal(s->keys[0].selector, "rsa");
	assert_string_equal(s->keys[1].path, "/k/ed.pem");
	assert_string_equal(s->keys[2].domain, "other.org");
	assert_int_equal(s->nsub, 1);
	assert_int_equal(s->header_simple, 1);
	assert_int_equal(s->body_simple, 0);
	assert_int_equal(s->expire_ms, 7UL * 86400000);
	assert_int_equal(s->local_submission, 0);
	assert_int_equal(s->error_tempfail, 1);
	assert_int_equal(s->ntempfail, 1);
	assert_int_equal(s->internal_networks.count, 2);
}

static void test_key_errors(void **state)
{
	(void)state;
	const struct {
		const char *text, *want;
	} bad[] = {
		{ "signing_keys = example.com:rsa\n", "not DOMAIN:SELECTOR:FILE" },
		{ "signing_keys = example.com:rsa:k.pem\n", "absolute path" },
		{ "signing_keys = exa..mple.com:rsa:/k.pem\n", "not a domain name" },
		{ "signing_keys = example.com::/k.pem\n", "not a selector" },
		{ "signing_canon = relaxed\n", "signing_canon: expected" },
		{ "signing_subdomains = a..b\n", "signing_subdomains: \"a..b\"" },
		{ "internal_networks = 10.0.0.0/33\n", "internal_networks:" },
		{ "on_signing_error = maybe\n", "on_signing_error: expected one of tempfail, accept" },
		{ "\n\nsigning_expire = soon\n", "milter.conf:3: signing_expire" },
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		milter_config_release(&cfg);
		milter_config_defaults(&cfg);
		assert_int_equal(parse(bad[i].text), -1);
		if (strstr(err, bad[i].want) == NULL)
			fail_msg("%s: got \"%s\", want \"%s\"", bad[i].text, err, bad[i].want);
	}
	char many[4096] = "signing_keys =";
	for (int i = 0; i <= MILTER_SIGN_KEYS_MAX; i++)
		snprintf(many + strlen(many), sizeof(many) - strlen(many), " d%d.test:s:/k", i);
	strcat(many, "\n");
	assert_int_equal(parse(many), -1);
	assert_non_null(strstr(err, "at most"));
}

/* Key files: read when the settings are, refused when others may read them. */
static void test_load(void **state)
{
	char good[128], open_key[128], text[512];

	(void)state;
	key_file("ed25519", "good.pem", 0600, good, sizeof(good));
	key_file("ed25519", "open.pem", 0644, open_key, sizeof(open_key));
	snprintf(text, sizeof(text), "signing_keys = a.test:ed:%s\n", good);
	assert_int_equal(parse(text), 0);
	assert_int_equal(milter_sign_load(&cfg.signing, err, sizeof(err)), 0);
	assert_non_null(cfg.signing.keys[0].key);
	snprintf(text, sizeof(text), "signing_keys = a.test:ed:%s a.test:open:%s\n", good, open_key);
	assert_int_equal(parse(text), 0);
	assert_int_equal(milter_sign_load(&cfg.signing, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "signing key open for a.test"));
	assert_non_null(strstr(err, "readable or writable by group or others"));
	snprintf(text, sizeof(text), "signing_keys = a.test:gone:%s/none.pem\n", dir);
	assert_int_equal(parse(text), 0);
	assert_int_equal(milter_sign_load(&cfg.signing, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "No such file"));
}

static void test_outbound(void **state)
{
	(void)state;
	struct mxg_addr lo = addr("127.0.0.1"), in = addr("10.1.2.3"), out = addr("192.0.2.1");
	const struct milter_signing *s = &cfg.signing;

	assert_int_equal(parse("internal_networks = 10.0.0.0/8\n"), 0);
	/* No keys: nothing is outbound. */
	assert_int_equal(milter_sign_client(s, &lo, 0, "localhost"), MILTER_OUTBOUND_NO);
	assert_int_equal(milter_sign_client(s, &in, 2525, "h"), MILTER_OUTBOUND_NO);
	assert_int_equal(parse("signing_keys = a.test:s:/k\n"), 0);
	/* Postfix's cleanup for non-SMTP mail: localhost, 127.0.0.1, port 0. */
	assert_int_equal(milter_sign_client(s, &lo, 0, "localhost"), MILTER_OUTBOUND_LOCAL);
	/* An SMTP client on loopback has a port. */
	assert_int_equal(milter_sign_client(s, &lo, 40000, "localhost"), MILTER_OUTBOUND_NO);
	assert_int_equal(milter_sign_client(s, &lo, 0, "other"), MILTER_OUTBOUND_NO);
	assert_int_equal(milter_sign_client(s, NULL, 0, "localhost"), MILTER_OUTBOUND_NO);
	assert_int_equal(milter_sign_client(s, &in, 2525, "h"), MILTER_OUTBOUND_INTERNAL);
	assert_int_equal(milter_sign_client(s, &out, 2525, "h"), MILTER_OUTBOUND_NO);
	assert_int_equal(parse("signing_local_submission = no\n"), 0);
	assert_int_equal(milter_sign_client(s, &lo, 0, "localhost"), MILTER_OUTBOUND_NO);
	assert_string_equal(milter_outbound_name(MILTER_OUTBOUND_AUTH), "authenticated");
}

static void test_keys_for(void **state)
{
	const struct milter_sign_key *k[4];
	const char *d = NULL;

	(void)state;
	assert_int_equal(parse("signing_keys = example.com:rsa:/k/1 example.com:ed:/k/2 "
			       "shop.example.com:x:/k/3 other.org:o:/k/4\n"
			       "signing_subdomains = example.com\n"
			       "signing_tempfail_domains = other.org\n"), 0);
	const struct milter_signing *s = &cfg.signing;
	assert_int_equal(milter_sign_keys_for(s, "example.com", k, 4, &d), 2);
	assert_string_equal(d, "example.com");
	assert_string_equal(k[1]->selector, "ed");
	/* Its own key first; a listed parent's keys for names under it. */
	assert_int_equal(milter_sign_keys_for(s, "shop.example.com", k, 4, &d), 1);
	assert_string_equal(k[0]->selector, "x");
	assert_int_equal(milter_sign_keys_for(s, "a.b.example.com", k, 4, &d), 2);
	assert_string_equal(d, "example.com");
	/* A parent not listed in signing_subdomains signs nothing below it. */
	assert_int_equal(milter_sign_keys_for(s, "sub.other.org", k, 4, &d), 0);
	assert_int_equal(milter_sign_keys_for(s, "notexample.com", k, 4, &d), 0);
	assert_int_equal(milter_sign_keys_for(s, "example.com.evil.test", k, 4, &d), 0);
	assert_true(milter_sign_tempfail_for(s, "other.org"));
	assert_false(milter_sign_tempfail_for(s, "example.com"));
}

/* The zone publishing rsa and ed for sign.test, and a stale record for old. */
static struct mxg_resolver *zone_with(const struct mxg_dkim_signing_key *rsa,
				      const struct mxg_dkim_signing_key *ed)
{
	struct mxg_resolver *z = mxg_resolver_zone_new();
	const struct mxg_dkim_signing_key *keys[] = { rsa, ed, ed };
	const char *owners[] = { "rsa._domainkey.sign.test", "ed._domainkey.sign.test",
				 "old._domainkey.sign.test" };

	assert_non_null(z);
	for (size_t i = 0; i < 3; i++) {
		uint8_t rd[2048];
		size_t n = 0;
		char *txt = mxg_dkim_key_record(keys[i]);
		assert_non_null(txt);
		if (i == 2) {
			/* Another key: one base64 digit replaced by another (flipping a bit could
			 * give a character outside base64, an invalid record rather than a wrong key). */
			char *c = &txt[strlen(txt) - 5];
			*c = *c == 'A' ? 'B' : 'A';
		}
		for (size_t off = 0, len = strlen(txt); off < len; off += 255) {
			size_t part = len - off > 255 ? 255 : len - off;
			rd[n++] = (uint8_t)part;
			memcpy(rd + n, txt + off, part);
			n += part;
		}
		free(txt);
		assert_int_equal(mxg_zone_add_rr(z, owners[i], MXG_DNS_TXT, 600, rd, n), 0);
	}
	return z;
}

static void test_published(void **state)
{
	char rsa[128], ed[128], text[512];

	(void)state;
	key_file("rsa2048", "rsa.pem", 0600, rsa, sizeof(rsa));
	key_file("ed25519", "ed.pem", 0600, ed, sizeof(ed));
	snprintf(text, sizeof(text), "signing_keys = sign.test:rsa:%s sign.test:ed:%s\n", rsa, ed);
	assert_int_equal(parse(text), 0);
	assert_int_equal(milter_sign_load(&cfg.signing, err, sizeof(err)), 0);
	struct mxg_resolver *z = zone_with(cfg.signing.keys[0].key, cfg.signing.keys[1].key);
	assert_int_equal(milter_sign_check_published(&cfg.signing, z, err, sizeof(err)), 0);
	/* The rsa key under the ed selector: a mismatch. */
	snprintf(text, sizeof(text), "signing_keys = sign.test:ed:%s\n", rsa);
	assert_int_equal(parse(text), 0);
	assert_int_equal(milter_sign_load(&cfg.signing, err, sizeof(err)), 0);
	assert_int_equal(milter_sign_check_published(&cfg.signing, z, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "mismatch"));
	/* A different ed25519 key published. */
	snprintf(text, sizeof(text), "signing_keys = sign.test:old:%s\n", ed);
	assert_int_equal(parse(text), 0);
	assert_int_equal(milter_sign_load(&cfg.signing, err, sizeof(err)), 0);
	assert_int_equal(milter_sign_check_published(&cfg.signing, z, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "not the public half"));
	/* Nothing published. */
	snprintf(text, sizeof(text), "signing_keys = sign.test:none:%s\n", ed);
	assert_int_equal(parse(text), 0);
	assert_int_equal(milter_sign_load(&cfg.signing, err, sizeof(err)), 0);
	assert_int_equal(milter_sign_check_published(&cfg.signing, z, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "missing"));
	mxg_resolver_free(z);
}

/* One message as the callbacks feed it (values with their leading blank, LF folds, the body
 * in chunks): dual signatures that verify; From with no key, or two From fields: unsigned. */
static void test_message(void **state)
{
	char rsa[128], ed[128], text[512];
	static const char *const hdr[][2] = {
		{ "From", " Alice <alice@sign.test>" }, { "To", " bob@example.org" },
		{ "Subject", " a\n\tfolded  subject" }, { "Date", " Mon, 07 Dec 2026 10:00:00 +0000" },
	};
	static const char body[] = "Hello\r\n\r\nworld  \r\n";

	(void)state;
	key_file("rsa2048", "rsa.pem", 0600, rsa, sizeof(rsa));
	key_file("ed25519", "ed.pem", 0600, ed, sizeof(ed));
	snprintf(text, sizeof(text), "signing_keys = sign.test:rsa:%s sign.test:ed:%s\n"
		 "signing_expire = 1d\n", rsa, ed);
	assert_int_equal(parse(text), 0);
	assert_int_equal(milter_sign_load(&cfg.signing, err, sizeof(err)), 0);
	struct mxg_resolver *z = zone_with(cfg.signing.keys[0].key, cfg.signing.keys[1].key);

	struct milter_sign_msg m;
	memset(&m, 0, sizeof(m));
	assert_int_equal(milter_sign_begin(&m), 0);
	for (size_t i = 0; i < 4; i++)
		milter_sign_header(&m, hdr[i][0], hdr[i][1]);
	milter_sign_eoh(&m, &cfg.signing);
	for (size_t i = 0; i < sizeof(body) - 1; i += 5)
		milter_sign_body(&m, (const uint8_t *)body + i, sizeof(body) - 1 - i < 5 ? sizeof(body) - 1 - i : 5);
	milter_sign_finish(&m);
	assert_false(m.failed);
	assert_int_equal(m.nfields, 2);
	assert_string_equal(m.domain, "sign.test");
	assert_string_equal(m.selectors, "rsa,ed");
	assert_non_null(strstr(m.fields[0], " x="));
	assert_null(strchr(m.fields[0], '\r'));

	/* The message as the MTA writes it out: our fields on top, CRLF line ends. */
	char msg[8192] = "";
	for (size_t i = 0; i < 2; i++)
		for (const char *p = m.fields[i]; *p; p++)
			strncat(msg, *p == '\n' ? "\r\n" : (char[]){ *p, 0 }, sizeof(msg) - strlen(msg) - 1);
	for (size_t i = 0; i < 4; i++) {
		strcat(msg, hdr[i][0]);
		strcat(msg, ":");
		for (const char *p = hdr[i][1]; *p; p++)
			strncat(msg, *p == '\n' ? "\r\n" : (char[]){ *p, 0 }, sizeof(msg) - strlen(msg) - 1);
		strcat(msg, "\r\n");
	}
	strcat(msg, "\r\n");
	strcat(msg, body);
	struct mxg_dkim_options vo = { .now = time(NULL) };
	struct mxg_dkim_verifier *v = mxg_dkim_verify_buffer(z, NULL, &vo, msg, strlen(msg));
	assert_non_null(v);
	assert_int_equal(mxg_dkim_result_count(v), 2);
	assert_int_equal(mxg_dkim_result_get(v, 0)->result, MXG_DKIM_PASS);
	assert_int_equal(mxg_dkim_result_get(v, 1)->result, MXG_DKIM_PASS);
	mxg_dkim_verifier_free(v);
	milter_sign_msg_release(&m);

	/* From a domain without keys: nothing signed, not a failure. */
	memset(&m, 0, sizeof(m));
	assert_int_equal(milter_sign_begin(&m), 0);
	milter_sign_header(&m, "From", " x@unsigned.test");
	milter_sign_eoh(&m, &cfg.signing);
	milter_sign_finish(&m);
	assert_false(m.failed);
	assert_int_equal(m.nfields, 0);
	assert_non_null(strstr(m.why, "no signing key for unsigned.test"));
	milter_sign_msg_release(&m);

	/* Two From fields: no signing domain. */
	memset(&m, 0, sizeof(m));
	assert_int_equal(milter_sign_begin(&m), 0);
	milter_sign_header(&m, "From", " a@sign.test");
	milter_sign_header(&m, "From", " b@sign.test");
	milter_sign_eoh(&m, &cfg.signing);
	milter_sign_finish(&m);
	assert_int_equal(m.nfields, 0);
	assert_non_null(strstr(m.why, "no signing domain"));
	milter_sign_msg_release(&m);

	/* A field the signer cannot take (NUL byte cut the value short is impossible here; a
	 * blank-led name is malformed): signing was due and failed. */
	memset(&m, 0, sizeof(m));
	assert_int_equal(milter_sign_begin(&m), 0);
	milter_sign_header(&m, "From", " a@sign.test");
	milter_sign_header(&m, " Bad", " x");
	milter_sign_eoh(&m, &cfg.signing);
	milter_sign_finish(&m);
	assert_true(m.failed);
	assert_int_equal(m.nfields, 0);
	assert_non_null(strstr(m.why, "malformed"));
	milter_sign_msg_release(&m);
	mxg_resolver_free(z);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_defaults, setup, teardown),
		cmocka_unit_test_setup_teardown(test_keys_parsed, setup, teardown),
		cmocka_unit_test_setup_teardown(test_key_errors, setup, teardown),
		cmocka_unit_test_setup_teardown(test_load, setup, teardown),
		cmocka_unit_test_setup_teardown(test_outbound, setup, teardown),
		cmocka_unit_test_setup_teardown(test_keys_for, setup, teardown),
		cmocka_unit_test_setup_teardown(test_published, setup, teardown),
		cmocka_unit_test_setup_teardown(test_message, setup, teardown),
	};
	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
