/* Unit tests of mxguard-milter's configuration (milter_config.c): the defaults, every kind of
 * key, and the error messages naming file, line and key. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "milter_config_fixture.h"
#include "mxguard/log.h"

static void test_defaults(void **state)
{
	struct mxg_addr lo = addr("127.0.0.1"), lo6 = addr("::1"), ext = addr("192.0.2.1");

	(void)state;
	assert_string_equal(cfg.socket, MILTER_DEFAULT_SOCKET);
	assert_true(cfg.authserv_id[0] != '\0');
	assert_true(mxg_cidr_list_match(&cfg.trusted, &lo));
	assert_true(mxg_cidr_list_match(&cfg.trusted, &lo6));
	assert_false(mxg_cidr_list_match(&cfg.trusted, &ext));
	assert_true(cfg.policy.dmarc_reject);
	assert_false(cfg.policy.spf_reject_fail);
	assert_true(cfg.policy.temperror_tempfail);
	assert_true(cfg.policy.internal_error_tempfail);
	assert_true(cfg.policy.reject_bad_from);
	assert_int_equal(cfg.policy.quarantine, MXG_QUARANTINE_HOLD);
	assert_string_equal(cfg.forwarders[0], "127.0.0.1");
	assert_null(cfg.forwarders[1]);
	assert_int_equal(cfg.dns_timeout_ms, 5000);
	assert_int_equal(cfg.dns_cache_size, 4096);
	assert_int_equal(cfg.log_syslog, -1);
	assert_int_equal(parse(""), 0);
}

static void test_every_key(void **state)
{
	struct mxg_addr ext = addr("192.0.2.1");

	(void)state;
	assert_int_equal(parse("socket = unix:/run/mxguard/milter.sock\n"
			       "user = mxguard\npid_file = /run/mxguard/milter.pid\n"
			       "log = stderr\nsyslog_facility = local3\nlog_level = debug\n"
			       "authserv_id = mx.example.org\n"
			       "dns_forwarders = 127.0.0.1@5353, ::1\ndns_use_system = no\ndns_cache_size = 0\n"
			       "dns_trust_anchor = /var/lib/unbound/root.key\n"
			       "dns_timeout = 2s\nspf_time_limit = 1m\nspf_helo = no\n"
			       "spf_reject_fail = yes\ndmarc_reject = no\ndmarc_quarantine = tag\n"
			       "dmarc_mode = 7489\npsl_file = /usr/share/publicsuffix/public_suffix_list.dat\n"
			       "on_temperror = accept\non_internal_error = accept\n"
			       "reject_bad_from = no\ntag_header = X-Policy\n"
			       "trusted_networks = 192.0.2.0/24\ninternal_hosts = 10.0.0.0/8 gw.example.org\n"
			       "authenticated = soften\nmax_header_bytes = 65536\nmax_signatures = 4\n"
			       "min_rsa_bits = 2048\nkey_cache_size = 100\n"), 0);
	assert_string_equal(cfg.socket, "unix:/run/mxguard/milter.sock");
	assert_string_equal(cfg.user, "mxguard");
	assert_int_equal(cfg.log_syslog, 0);
	assert_int_equal(cfg.log_level, MXG_LOG_DEBUG);
	assert_string_equal(cfg.authserv_id, "mx.example.org");
	assert_string_equal(cfg.forwarders[0], "127.0.0.1@5353");
	assert_string_equal(cfg.forwarders[1], "::1");
	assert_null(cfg.forwarders[2]);
	assert_int_equal(cfg.dns_cache_size, 0);
	assert_int_equal(cfg.dns_timeout_ms, 2000);
	assert_int_equal(cfg.spf_time_limit_ms, 60000);
	assert_false(cfg.spf_helo);
	assert_true(cfg.policy.spf_reject_fail);
	assert_false(cfg.policy.dmarc_reject);
	assert_int_equal(cfg.policy.quarantine, MXG_QUARANTINE_TAG);
	assert_int_equal(cfg.dmarc_mode, MXG_DMARC_MODE_7489);
	assert_false(cfg.policy.temperror_tempfail);
	assert_false(cfg.policy.internal_error_tempfail);
	assert_false(cfg.policy.reject_bad_from);
	assert_string_equal(cfg.tag_header, "X-Policy");
	assert_true(mxg_cidr_list_match(&cfg.trusted, &ext));
	assert_true(cfg.authenticated_soften);
	assert_int_equal(cfg.max_header_bytes, 65536);
	assert_int_equal(cfg.max_signatures, 4);
	assert_int_equal(cfg.min_rsa_bits, 2048);
	assert_int_equal(cfg.key_cache_size, 100);
}

static void test_internal_hosts(void **state)
{
	struct mxg_addr in = addr("10.1.2.3"), out = addr("192.0.2.9");

	(void)state;
	assert_int_equal(parse("internal_hosts = 10.0.0.0/8, GW.Example.ORG. 2001:db8::/32\n"), 0);
	assert_true(milter_config_is_internal(&cfg, &in, ""));
	assert_false(milter_config_is_internal(&cfg, &out, ""));
	assert_true(milter_config_is_internal(&cfg, &out, "gw.example.org"));
	assert_false(milter_config_is_internal(&cfg, &out, "other.example.org"));
	assert_false(milter_config_is_internal(&cfg, NULL, NULL));
}

static void test_errors(void **state)
{
	static const struct {
		const char *text, *want;
	} cases[] = {
		{ "socket = x\nno_such_key = 1\n", "milter.conf:2: unknown key" },
		{ "\nspf_helo = maybe\n", "milter.conf:2: spf_helo: expected yes or no" },
		{ "dmarc_quarantine = drop\n", "milter.conf:1: dmarc_quarantine: expected one of hold, tag, ignore" },
		{ "dns_timeout = 0\n", "milter.conf:1: dns_timeout: must lie between" },
		{ "dns_timeout = soon\n", "milter.conf:1: dns_timeout: expected a duration" },
		{ "dns_forwarders = resolver.example\n", "milter.conf:1: dns_forwarders:" },
		{ "dns_forwarders = 1.1.1.1 2.2.2.2 3.3.3.3 4.4.4.4 5.5.5.5 6.6.6.6 7.7.7.7 8.8.8.8 9.9.9.9\n",
		  "milter.conf:1: dns_forwarders: at most 8" },
		{ "trusted_networks = 10.0.0.0/33\n", "milter.conf:1: trusted_networks:" },
		{ "internal_hosts = bad..name\n", "milter.conf:1: internal_hosts:" },
		{ "tag_header = X-Bad: header\n", "milter.conf:1: tag_header:" },
		{ "authserv_id = mx example\n", "milter.conf:1: authserv_id:" },
		{ "authserv_id = mx;dkim=pass\n", "milter.conf:1: authserv_id:" },
		{ "max_signatures = 0\n", "milter.conf:1: max_signatures: expected a whole number" },
		{ "syslog_facility = kitchen\n", "milter.conf:1: syslog_facility:" },
		{ "socket =\n", "milter.conf:1: socket: must not be empty" },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		milter_config_release(&cfg);
		milter_config_defaults(&cfg);
		err[0] = '\0';
		assert_int_equal(parse(cases[i].text), -1);
		if (strncmp(err, cases[i].want, strlen(cases[i].want)) != 0)
			fail_msg("case %zu: got \"%s\", want \"%s...\"", i, err, cases[i].want);
	}
}

/* The last of repeated keys wins, as the configuration parser documents. */
/* The DMARC report keys: the store string checked, report_keep as a duration. */
static void test_report_keys(void **state)
{
	(void)state;
	assert_int_equal(cfg.report_keep_s, 31LL * 86400);
	assert_string_equal(cfg.report_store, "");
	assert_int_equal(parse("report_store = postgresql://mx@db.example/dmarc\n"
			       "report_keep = 2w\nreport_org_name = Example\n"
			       "report_email = dmarc@example.org\n"), 0);
	assert_string_equal(cfg.report_store, "postgresql://mx@db.example/dmarc");
	assert_int_equal(cfg.report_keep_s, 14LL * 86400);
	assert_string_equal(cfg.report_org_name, "Example");
	assert_string_equal(cfg.report_email, "dmarc@example.org");
	assert_int_equal(parse("report_store = sqlite:/var/lib/mxguard/dmarc.db\n"), 0);
	assert_int_equal(parse("report_store = mysql://db\n"), -1);
	assert_non_null(strstr(err, "milter.conf:1: report_store: expected sqlite:PATH"));
	assert_int_equal(parse("report_keep = 31y\n"), -1);
	assert_non_null(strstr(err, "report_keep"));
}

static void test_repeated_key(void **state)
{
	(void)state;
	assert_int_equal(parse("dmarc_reject = no\ndmarc_reject = yes\n"), 0);
	assert_true(cfg.policy.dmarc_reject);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_defaults, setup, teardown),
		cmocka_unit_test_setup_teardown(test_every_key, setup, teardown),
		cmocka_unit_test_setup_teardown(test_internal_hosts, setup, teardown),
		cmocka_unit_test_setup_teardown(test_errors, setup, teardown),
		cmocka_unit_test_setup_teardown(test_repeated_key, setup, teardown),
		cmocka_unit_test_setup_teardown(test_report_keys, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
