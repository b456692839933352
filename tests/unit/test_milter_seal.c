/* Unit tests of mxguard-milter's sealing settings (milter_seal.c): the arc_seal_* keys checked
 * together, the key read (and refused for its file mode), and which finished messages are
 * sealed under each arc_seal mode. */
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

#include "../../milter/milter.h"
#include "../../milter/milter_seal.h"
#include "mxguard/dkim_sign.h"

static char dir[64], key_path[128];

static int setup(void **state)
{
	char err[256];
	struct mxg_dkim_signing_key *k = mxg_dkim_signing_key_generate("ed25519");

	(void)state;
	strcpy(dir, "/tmp/mxg-milter-seal.XXXXXX");
	assert_non_null(mkdtemp(dir));
	snprintf(key_path, sizeof(key_path), "%s/seal.pem", dir);
	assert_non_null(k);
	assert_int_equal(mxg_dkim_signing_key_save(k, key_path, err, sizeof(err)), 0);
	mxg_dkim_signing_key_free(k);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	unlink(key_path);
	return rmdir(dir);
}

/* The configuration text, parsed and its sealing loaded: 0 or -1 (err filled). */
static int load(struct milter_config *c, const char *text, char *err, size_t errlen)
{
	milter_config_defaults(c);
	if (milter_config_parse(c, "test.conf", text, strlen(text), err, errlen) != 0)
		return -1;
	return milter_seal_load(&c->sealing, err, errlen);
}

static void test_off_by_default(void **state)
{
	struct milter_config c;
	char err[256];

	(void)state;
	assert_int_equal(load(&c, "socket = inet:1@127.0.0.1\n", err, sizeof(err)), 0);
	assert_int_equal(c.sealing.mode, MILTER_SEAL_OFF);
	assert_null(c.sealing.key);
	milter_config_release(&c);
}

static void test_needs_all_three(void **state)
{
	struct milter_config c;
	char err[256], text[512];

	(void)state;
	snprintf(text, sizeof(text), "arc_seal = inbound\narc_seal_key = %s\narc_seal_domain = d.test\n",
		 key_path);
	assert_int_equal(load(&c, text, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "arc_seal_selector"));
	milter_config_release(&c);
	assert_int_equal(load(&c, "arc_seal = sometimes\n", err, sizeof(err)), -1);
	assert_non_null(strstr(err, "off, inbound, all"));
	milter_config_release(&c);
}

static void test_key_loaded_and_refused(void **state)
{
	struct milter_config c;
	char err[256], text[512];

	(void)state;
	snprintf(text, sizeof(text), "arc_seal = all\narc_seal_key = %s\narc_seal_domain = d.test\n"
		 "arc_seal_selector = s\narc_seal_on_error = tempfail\n", key_path);
	assert_int_equal(load(&c, text, err, sizeof(err)), 0);
	assert_non_null(c.sealing.key);
	assert_int_equal(c.sealing.error_tempfail, 1);
	milter_seal_release(&c.sealing);
	assert_null(c.sealing.key);
	milter_config_release(&c);
	assert_int_equal(chmod(key_path, 0640), 0);
	assert_int_equal(load(&c, text, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "arc_seal_key: "));
	assert_non_null(strstr(err, "readable or writable by group or others"));
	milter_config_release(&c);
	assert_int_equal(chmod(key_path, 0600), 0);
}

/* Which finished messages each mode seals. */
static void test_wanted(void **state)
{
	struct milter_config c;
	struct milter_conn conn = { 0 };
	struct milter_msg m = { 0 };
	struct mxg_message_result res = { 0 };
	char err[256], text[512];

	(void)state;
	snprintf(text, sizeof(text), "arc_seal = inbound\narc_seal_key = %s\narc_seal_domain = d.test\n"
		 "arc_seal_selector = s\n", key_path);
	assert_int_equal(load(&c, text, err, sizeof(err)), 0);
	conn.cfg = &c;
	conn.kind = MILTER_CLIENT_EXTERNAL;
	m.engine = (struct mxg_message *)(uintptr_t)1; /* only looked at, never used here */
	m.res = &res;
	res.authres = "mx.test; spf=pass";
	m.verdict.action = MXG_ACTION_ACCEPT;
	assert_true(milter_seal_wanted(&conn, &m));
	m.verdict.action = MXG_ACTION_QUARANTINE;
	assert_true(milter_seal_wanted(&conn, &m));
	m.verdict.action = MXG_ACTION_REJECT;
	assert_false(milter_seal_wanted(&conn, &m));
	m.verdict.action = MXG_ACTION_ACCEPT;
	strcpy(m.auth_user, "alice");
	assert_false(milter_seal_wanted(&conn, &m));          /* outbound: not under inbound */
	m.auth_user[0] = '\0';
	conn.kind = MILTER_CLIENT_INTERNAL;
	assert_false(milter_seal_wanted(&conn, &m));
	c.sealing.mode = MILTER_SEAL_ALL;
	assert_true(milter_seal_wanted(&conn, &m));
	conn.kind = MILTER_CLIENT_TRUSTED;
	assert_false(milter_seal_wanted(&conn, &m));
	conn.kind = MILTER_CLIENT_EXTERNAL;
	res.authres = "";                                      /* no A-R of ours: nothing to seal */
	assert_false(milter_seal_wanted(&conn, &m));
	res.authres = "mx.test; spf=pass";
	res.internal_error = 1;
	assert_false(milter_seal_wanted(&conn, &m));
	milter_seal_release(&c.sealing);
	milter_config_release(&c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_off_by_default),
		cmocka_unit_test(test_needs_all_three),
		cmocka_unit_test(test_key_loaded_and_refused),
		cmocka_unit_test(test_wanted),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
