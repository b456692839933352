/* Unit tests of the DKIM signer: sign, then verify with our own verifier (keys in the in-memory
 * zone); oversigned once-only fields; never l=; key files refused for their mode or size; the
 * streaming signer (dual keys, any chunking) gives the same fields as the whole-message one. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include <openssl/evp.h>
#include <openssl/pem.h>

#include "mxguard/dkim.h"
#include "mxguard/dkim_sign.h"
#include "mxguard/dns.h"

static const char msg_crlf[] =
	"From: Alice <alice@sign.test>\r\n"
	"To: bob@example.org\r\n"
	"Subject: a  test\r\n"
	"\tfolded\r\n"
	"Date: Mon, 07 Dec 2026 10:00:00 +0000\r\n"
	"Message-ID: <1@sign.test>\r\n"
	"\r\n"
	"Hello  world \r\n"
	"\r\n"
	"\r\n";

static char dir[64];
static struct mxg_resolver *zone;
static struct mxg_dkim_signing_key *rsa, *ed;

static void publish(const char *owner, const struct mxg_dkim_signing_key *k)
{
	uint8_t rd[2048];
	size_t n = 0;
	char *txt = mxg_dkim_key_record(k);

	assert_non_null(txt);
	size_t len = strlen(txt);
	for (size_t off = 0; off < len; off += 255) {
		size_t part = len - off > 255 ? 255 : len - off;
		rd[n++] = (uint8_t)part;
		memcpy(rd + n, txt + off, part);
		n += part;
	}
	free(txt);
	assert_int_equal(mxg_zone_add_rr(zone, owner, MXG_DNS_TXT, 600, rd, n), 0);
}

static void path_of(char *out, size_t size, const char *name)
{
	snprintf(out, size, "%s/%s", dir, name);
}

/* Generates a key, saves it and loads it back, as mxguard keygen and sign do. */
static struct mxg_dkim_signing_key *make_key(const char *type, const char *file)
{
	char path[128], err[256];
	struct mxg_dkim_signing_key *k = mxg_dkim_signing_key_generate(type);

	assert_non_null(k);
	path_of(path, sizeof(path), file);
	assert_int_equal(mxg_dkim_signing_key_save(k, path, err, sizeof(err)), 0);
	mxg_dkim_signing_key_free(k);
	k = mxg_dkim_signing_key_load(path, err, sizeof(err));
	assert_non_null(k);
	return k;
}

static int setup(void **state)
{
	(void)state;
	strcpy(dir, "/tmp/mxg-dkim-sign.XXXXXX");
	assert_non_null(mkdtemp(dir));
	zone = mxg_resolver_zone_new();
	assert_non_null(zone);
	rsa = make_key("rsa2048", "rsa.pem");
	ed = make_key("ed25519", "ed.pem");
	publish("rsa._domainkey.sign.test", rsa);
	publish("ed._domainkey.sign.test", ed);
	return 0;
}

static int teardown(void **state)
{
	char cmd[128];

	(void)state;
	mxg_dkim_signing_key_free(rsa);
	mxg_dkim_signing_key_free(ed);
	mxg_resolver_free(zone);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	return system(cmd) == 0 ? 0 : -1;
}

static char *sign(const struct mxg_dkim_signing_key *k, const char *sel, enum mxg_dkim_canon c,
		  const char *msg, int lf)
{
	struct mxg_dkim_sign_options o = { .domain = "sign.test", .selector = sel, .header_canon = c,
					   .body_canon = c, .now = 1796600000, .lf = lf };
	char *field = NULL, err[256];

	assert_int_equal(mxg_dkim_sign_buffer(k, &o, msg, strlen(msg), &field, err, sizeof(err)), 0);
	char *out = malloc(strlen(field) + strlen(msg) + 1);
	assert_non_null(out);
	strcpy(out, field);
	strcat(out, msg);
	free(field);
	return out;
}

static enum mxg_dkim_result verify(const char *signed_msg)
{
	struct mxg_dkim_options vo = { .now = 1796600100 };
	struct mxg_dkim_verifier *v = mxg_dkim_verify_buffer(zone, NULL, &vo, signed_msg, strlen(signed_msg));

	assert_non_null(v);
	assert_int_equal(mxg_dkim_result_count(v), 1);
	enum mxg_dkim_result r = mxg_dkim_result_get(v, 0)->result;
	mxg_dkim_verifier_free(v);
	return r;
}

static void test_sign_verify(void **state)
{
	(void)state;
	const struct mxg_dkim_signing_key *keys[] = { rsa, ed };
	const char *sels[] = { "rsa", "ed" };
	for (int i = 0; i < 2; i++)
		for (int c = 0; c < 2; c++) {
			char *s = sign(keys[i], sels[i], (enum mxg_dkim_canon)c, msg_crlf, 0);
			assert_int_equal(verify(s), MXG_DKIM_PASS);
			free(s);
		}
}

/* LF input: folded with LF, and still verifies. */
static void test_sign_lf(void **state)
{
	(void)state;
	char lf[sizeof(msg_crlf)];
	size_t n = 0;
	for (const char *p = msg_crlf; *p; p++)
		if (*p != '\r')
			lf[n++] = *p;
	lf[n] = '\0';
	for (int c = 0; c < 2; c++) {
		char *s = sign(rsa, "rsa", (enum mxg_dkim_canon)c, lf, 1);
		assert_null(strchr(s, '\r'));
		assert_int_equal(verify(s), MXG_DKIM_PASS);
		free(s);
	}
}

/* h=: once-only fields one more time than present (absent ones once); never l=; t= always. */
static void test_h_tag(void **state)
{
	(void)state;
	char *s = sign(ed, "ed", MXG_DKIM_CANON_RELAXED, msg_crlf, 0);
	assert_non_null(strstr(s, "h=from:from:sender:reply-to:to:to:cc:bcc:message-id:message-id:"));
	assert_non_null(strstr(s, "subject:subject:date:date;"));
	assert_non_null(strstr(s, "t=1796600000;"));
	assert_null(strstr(s, "l="));
	assert_null(strstr(s, "x="));
	free(s);
}

/* A once-only field added above the signed ones: without oversigning a bottom-up verifier
 * would never look at it; with it, the signature breaks. */
static void test_oversigned(void **state)
{
	(void)state;
	const char *added[] = { "Subject: added\r\n", "From: mallory@evil.test\r\n", "To: m@evil.test\r\n",
				"Date: Tue, 08 Dec 2026 10:00:00 +0000\r\n", "Reply-To: m@evil.test\r\n",
				"Cc: m@evil.test\r\n", "Sender: m@evil.test\r\n" };
	for (size_t i = 0; i < sizeof(added) / sizeof(added[0]); i++) {
		char *s = sign(rsa, "rsa", MXG_DKIM_CANON_RELAXED, msg_crlf, 0);
		char *t = malloc(strlen(s) + strlen(added[i]) + 1);
		assert_non_null(t);
		strcpy(t, added[i]);
		strcat(t, s);
		assert_int_equal(verify(s), MXG_DKIM_PASS);
		assert_int_not_equal(verify(t), MXG_DKIM_PASS);
		free(t);
		free(s);
	}
}

static void test_expire(void **state)
{
	(void)state;
	struct mxg_dkim_sign_options o = { .domain = "sign.test", .selector = "ed", .now = 1796600000,
					   .expire_after = 86400 };
	char *field = NULL, err[256];
	assert_int_equal(mxg_dkim_sign_buffer(ed, &o, msg_crlf, strlen(msg_crlf), &field, err, sizeof(err)), 0);
	assert_non_null(strstr(field, "t=1796600000; x=1796686400;"));
	free(field);
}

static void test_refusals(void **state)
{
	(void)state;
	struct mxg_dkim_sign_options o = { .domain = "sign.test", .selector = "x;y" };
	char *field = NULL, err[256];
	assert_int_equal(mxg_dkim_sign_buffer(ed, &o, msg_crlf, strlen(msg_crlf), &field, err, sizeof(err)), -1);
	o.selector = "ed";
	const char nofrom[] = "To: b@example.org\r\n\r\nbody\r\n";
	assert_int_equal(mxg_dkim_sign_buffer(ed, &o, nofrom, strlen(nofrom), &field, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "From"));
	assert_null(field);
}

static void test_key_mode_refused(void **state)
{
	char path[128], err[256];

	(void)state;
	path_of(path, sizeof(path), "rsa.pem");
	assert_int_equal(chmod(path, 0640), 0);
	assert_null(mxg_dkim_signing_key_load(path, err, sizeof(err)));
	assert_non_null(strstr(err, "readable or writable by group or others"));
	assert_int_equal(chmod(path, 0604), 0);
	assert_null(mxg_dkim_signing_key_load(path, err, sizeof(err)));
	assert_int_equal(chmod(path, 0600), 0);
	struct mxg_dkim_signing_key *k = mxg_dkim_signing_key_load(path, err, sizeof(err));
	assert_non_null(k);
	mxg_dkim_signing_key_free(k);
}

static void test_rsa1024_refused(void **state)
{
	char path[128], err[256];

	(void)state;
	EVP_PKEY *weak = EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)1024);
	assert_non_null(weak);
	path_of(path, sizeof(path), "weak.pem");
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	assert_int_equal(PEM_write_PrivateKey(f, weak, NULL, NULL, 0, NULL, NULL), 1);
	fclose(f);
	EVP_PKEY_free(weak);
	assert_int_equal(chmod(path, 0600), 0);
	assert_null(mxg_dkim_signing_key_load(path, err, sizeof(err)));
	assert_non_null(strstr(err, "1024 bits"));
}

static void test_save_no_overwrite(void **state)
{
	char path[128], err[256];

	(void)state;
	path_of(path, sizeof(path), "ed.pem");
	assert_int_equal(mxg_dkim_signing_key_save(rsa, path, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "exists"));
	struct stat st;
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0600);
	struct mxg_dkim_signing_key *k = mxg_dkim_signing_key_load(path, err, sizeof(err));
	assert_non_null(k);
	assert_string_equal(mxg_dkim_signing_key_type(k), "ed25519");
	mxg_dkim_signing_key_free(k);
}

/* Splits msg_crlf into the milter's pieces: name and value per field, then the body. */
static struct mxg_dkim_signer *stream(const struct mxg_dkim_sign_options *o, size_t nkeys,
				      const struct mxg_dkim_signing_key **keys, size_t chunk)
{
	struct mxg_dkim_signer *s = mxg_dkim_signer_new();
	char err[256];
	const char *p = msg_crlf, *body = strstr(msg_crlf, "\r\n\r\n") + 4;

	assert_non_null(s);
	for (size_t i = 0; i < nkeys; i++)
		assert_int_equal(mxg_dkim_signer_add_key(s, keys[i], &o[i], err, sizeof(err)), 0);
	while (p < body - 2) {
		const char *colon = strchr(p, ':'), *end = p;
		while (!(end[0] == '\r' && end[1] == '\n' && end[2] != ' ' && end[2] != '\t'))
			end++;
		assert_int_equal(mxg_dkim_signer_header(s, p, (size_t)(colon - p), colon + 1,
							(size_t)(end - colon - 1)), 0);
		p = end + 2;
	}
	size_t left = strlen(body);
	for (size_t off = 0; off < left; off += chunk)
		assert_int_equal(mxg_dkim_signer_body(s, (const uint8_t *)body + off,
						      left - off < chunk ? left - off : chunk), 0);
	return s;
}

/* Dual signing in one pass (RFC 8463 §4): both fields verify, and each equals the field the
 * whole-message signer gives (both algorithms are deterministic), whatever the chunking. */
static void test_stream_dual(void **state)
{
	(void)state;
	const struct mxg_dkim_signing_key *keys[] = { rsa, ed };
	for (int c = 0; c < 2; c++) {
		struct mxg_dkim_sign_options o[2] = {
			{ .domain = "sign.test", .selector = "rsa", .header_canon = (enum mxg_dkim_canon)c,
			  .body_canon = (enum mxg_dkim_canon)c, .now = 1796600000 },
			{ .domain = "sign.test", .selector = "ed", .header_canon = (enum mxg_dkim_canon)c,
			  .body_canon = (enum mxg_dkim_canon)c, .now = 1796600000 },
		};
		const size_t chunks[] = { 1, 3, 4096 };
		for (size_t k = 0; k < 3; k++) {
			struct mxg_dkim_signer *s = stream(o, 2, keys, chunks[k]);
			char *fields[MXG_DKIM_SIGNER_KEYS_MAX], err[256];
			assert_int_equal(mxg_dkim_signer_finish(s, fields, MXG_DKIM_SIGNER_KEYS_MAX, err,
								sizeof(err)), 2);
			mxg_dkim_signer_free(s);
			for (size_t i = 0; i < 2; i++) {
				char *one = sign(keys[i], o[i].selector, (enum mxg_dkim_canon)c, msg_crlf, 0);
				assert_memory_equal(one, fields[i], strlen(fields[i]));
				assert_int_equal(verify(one), MXG_DKIM_PASS);
				free(one);
			}
			assert_non_null(strstr(fields[0], "a=rsa-sha256"));
			assert_non_null(strstr(fields[1], "a=ed25519-sha256"));
			free(fields[0]);
			free(fields[1]);
		}
	}
}

/* Mixed canonicalizations in one signer: each key gets the body hash of its own. */
static void test_stream_mixed_canon(void **state)
{
	(void)state;
	const struct mxg_dkim_signing_key *keys[] = { ed, ed };
	struct mxg_dkim_sign_options o[2] = {
		{ .domain = "sign.test", .selector = "ed", .now = 1796600000 },
		{ .domain = "sign.test", .selector = "ed", .header_canon = MXG_DKIM_CANON_SIMPLE,
		  .body_canon = MXG_DKIM_CANON_SIMPLE, .now = 1796600000 },
	};
	struct mxg_dkim_signer *s = stream(o, 2, keys, 7);
	char *fields[2], err[256];
	assert_int_equal(mxg_dkim_signer_finish(s, fields, 2, err, sizeof(err)), 2);
	mxg_dkim_signer_free(s);
	assert_string_not_equal(strstr(fields[0], "bh="), strstr(fields[1], "bh="));
	for (size_t i = 0; i < 2; i++) {
		char *m = malloc(strlen(fields[i]) + sizeof(msg_crlf));
		assert_non_null(m);
		strcpy(m, fields[i]);
		strcat(m, msg_crlf);
		assert_int_equal(verify(m), MXG_DKIM_PASS);
		free(m);
		free(fields[i]);
	}
}

/* What the signer refuses: the reason comes out at finish, and nothing is allocated. */
static void test_stream_refusals(void **state)
{
	(void)state;
	struct mxg_dkim_sign_options o = { .domain = "sign.test", .selector = "ed" };
	char *fields[2] = { NULL, NULL }, err[256];
	struct mxg_dkim_signer *s = mxg_dkim_signer_new();

	/* A NUL byte in a value. */
	assert_int_equal(mxg_dkim_signer_add_key(s, ed, &o, err, sizeof(err)), 0);
	assert_int_equal(mxg_dkim_signer_header(s, "From", 4, " a\0b", 4), -1);
	assert_int_equal(mxg_dkim_signer_finish(s, fields, 2, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "NUL"));
	assert_null(fields[0]);
	mxg_dkim_signer_free(s);

	/* A field after the body, a key after the body. */
	s = mxg_dkim_signer_new();
	assert_int_equal(mxg_dkim_signer_add_key(s, ed, &o, err, sizeof(err)), 0);
	assert_int_equal(mxg_dkim_signer_header(s, "From", 4, " a@sign.test", 12), 0);
	assert_int_equal(mxg_dkim_signer_body(s, (const uint8_t *)"x\r\n", 3), 0);
	assert_int_equal(mxg_dkim_signer_add_key(s, rsa, &o, err, sizeof(err)), -1);
	assert_int_equal(mxg_dkim_signer_header(s, "To", 2, " b@example.org", 14), -1);
	assert_int_equal(mxg_dkim_signer_finish(s, fields, 2, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "after the body"));
	mxg_dkim_signer_free(s);

	/* A header beyond the limit. */
	s = mxg_dkim_signer_new();
	assert_int_equal(mxg_dkim_signer_add_key(s, ed, &o, err, sizeof(err)), 0);
	size_t big = MXG_DKIM_SIGNER_HEADER_MAX / 2;
	char *v = malloc(big);
	assert_non_null(v);
	memset(v, 'a', big);
	assert_int_equal(mxg_dkim_signer_header(s, "X-A", 3, v, big), 0);
	assert_int_equal(mxg_dkim_signer_header(s, "X-B", 3, v, big), -1);
	free(v);
	assert_int_equal(mxg_dkim_signer_finish(s, fields, 2, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "too large"));
	mxg_dkim_signer_free(s);

	/* No key; more keys than the caller has room for. */
	s = mxg_dkim_signer_new();
	assert_int_equal(mxg_dkim_signer_finish(s, fields, 2, err, sizeof(err)), -1);
	for (int i = 0; i < 3; i++)
		assert_int_equal(mxg_dkim_signer_add_key(s, ed, &o, err, sizeof(err)), 0);
	assert_int_equal(mxg_dkim_signer_header(s, "From", 4, " a@sign.test", 12), 0);
	assert_int_equal(mxg_dkim_signer_finish(s, fields, 2, err, sizeof(err)), -1);
	for (int i = 3; i < MXG_DKIM_SIGNER_KEYS_MAX; i++)
		assert_int_equal(mxg_dkim_signer_add_key(s, ed, &o, err, sizeof(err)), 0);
	assert_int_equal(mxg_dkim_signer_add_key(s, ed, &o, err, sizeof(err)), -1);
	mxg_dkim_signer_free(s);
}

/* An empty body (no body at all) signs and verifies. */
static void test_stream_empty_body(void **state)
{
	(void)state;
	const char m[] = "From: a@sign.test\r\nSubject: x\r\n";
	for (int c = 0; c < 2; c++) {
		char *s = sign(ed, "ed", (enum mxg_dkim_canon)c, m, 0);
		assert_int_equal(verify(s), MXG_DKIM_PASS);
		free(s);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sign_verify),
		cmocka_unit_test(test_sign_lf),
		cmocka_unit_test(test_h_tag),
		cmocka_unit_test(test_oversigned),
		cmocka_unit_test(test_expire),
		cmocka_unit_test(test_refusals),
		cmocka_unit_test(test_key_mode_refused),
		cmocka_unit_test(test_rsa1024_refused),
		cmocka_unit_test(test_save_no_overwrite),
		cmocka_unit_test(test_stream_dual),
		cmocka_unit_test(test_stream_mixed_canon),
		cmocka_unit_test(test_stream_refusals),
		cmocka_unit_test(test_stream_empty_body),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
