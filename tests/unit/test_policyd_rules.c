/* Unit tests of mxguard-policyd's rule engine: every rule with a request that fires it and
 * one that must not, over the zone backend (tests/data/zones/pd.test.zone) and the MX cache. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "policyd.h"

#define ZONE "tests/data/zones/pd.test.zone"

static struct policyd_settings settings;
static struct policyd_rules *rules;
static struct mxg_resolver *res;
static struct policyd_mxcache *cache;
static struct policyd_verdict v;

static const char base_conf[] =
	"policy_listen = inet:127.0.0.1:10040\n"
	"socketmap_listen = unix:/tmp/x.sock\n"
	"trusted_networks = 127.0.0.0/8\n"
	"domain.corp.pd.test.mx_bypass = reject\n"
	"domain.corp.pd.test.trusted_networks = 12.0.0.0/8\n"
	"subdomains.corp.pd.test.mx_bypass = defer\n"
	"unroutable_sender = reject\n"
	"broken_mx = defer\n"
	"recipient_delimiter = +\n"
	"route = alice@hybrid.pd.test smtp:[onprem.pd.test]:25\n"
	"route = hybrid.pd.test smtp:[cloud.pd.test]:25\n"
	"route = *.hybrid.pd.test smtp:[sub.pd.test]:25\n"
	"route = * smtp:[default.pd.test]:25\n"
	"domain.hybrid.pd.test.fully_mapped = reject\n"
	"connector.m365.networks = 13.0.0.0/8\n"
	"connector.m365.cert_fingerprint = AA:BB:CC\n"
	"connector.m365.pubkey_fingerprint = 11:22:33\n"
	"connector.plain.networks = 14.0.0.0/8\n"
	"connector.plain.action = defer\n";

static int load_text(const char *text, char *err, size_t errlen)
{
	struct mxg_config cfg;
	if (mxg_config_parse("test.conf", text, strlen(text), &cfg, err, errlen) < 0)
		return -1;
	policyd_rules_unref(rules);
	rules = NULL;
	int rc = policyd_config_load(&cfg, &settings, &rules, err, errlen);
	mxg_config_free(&cfg);
	return rc;
}

static void load_with(const char *extra)
{
	char text[8192], err[512];
	snprintf(text, sizeof(text), "%s%s", base_conf, extra);
	if (load_text(text, err, sizeof(err)) < 0)
		fail_msg("config: %s", err);
}

static int setup(void **state)
{
	char err[512];
	(void)state;
	res = mxg_resolver_zone_new();
	if (res == NULL || mxg_zone_load_file(res, ZONE, NULL, err, sizeof(err)) < 0)
		fail_msg("zone: %s", err);
	cache = policyd_mxcache_new(res, 64, 30, 3600, 60);
	load_with("");
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	policyd_rules_unref(rules);
	rules = NULL;
	policyd_mxcache_free(cache);
	mxg_resolver_free(res);
	return 0;
}

/* Decides a RCPT request with the given attributes over the defaults ("k=v\n" lines). */
static int decide_nb(const char *attrs, int nonblocking)
{
	char text[4096], err[128];
	struct policyd_request q;
	struct policyd_dns_view view = { policyd_mxcache_get, cache, res, nonblocking };

	snprintf(text, sizeof(text),
		 "request=smtpd_access_policy\n%s%s%s%s", attrs,
		 strstr(attrs, "protocol_state=") ? "" : "protocol_state=RCPT\n",
		 strstr(attrs, "client_address=") ? "" : "client_address=11.1.1.10\n",
		 strstr(attrs, "sender=") ? "" : "sender=someone@good.pd.test\n");
	if (policyd_request_parse(text, strlen(text), 100, &q, err, sizeof(err)) < 0)
		fail_msg("request: %s", err);
	int rc = policyd_decide(rules, &q, &view, &v);
	policyd_request_free(&q);
	return rc;
}

static void decide(const char *attrs)
{
	assert_int_equal(decide_nb(attrs, 0), 0);
}

static void expect_reply(const char *attrs, const char *prefix)
{
	decide(attrs);
	if (strncmp(v.reply, prefix, strlen(prefix)) != 0)
		fail_msg("for %s: reply '%s', want prefix '%s'", attrs, v.reply, prefix);
}

static void test_mx_bypass(void **state)
{
	(void)state;
	expect_reply("recipient=u@corp.pd.test\nclient_address=11.9.9.9\n",
		     "550 5.7.1 mxguard mx_bypass: corp.pd.test accepts mail only through its MX hosts");
	assert_int_equal(v.rule, POLICYD_R_MX_BYPASS);
	expect_reply("recipient=u@corp.pd.test\nclient_address=11.1.1.10\n", "DUNNO");
	expect_reply("recipient=u@corp.pd.test\nclient_address=11.1.1.11\n", "DUNNO");
	expect_reply("recipient=u@corp.pd.test\nclient_address=2a00:1450::11\n", "DUNNO");
	expect_reply("recipient=u@corp.pd.test\nclient_address=2a00:1450::12\n", "550 5.7.1");
	/* trusted: global and per domain */
	expect_reply("recipient=u@corp.pd.test\nclient_address=127.0.0.1\n", "DUNNO");
	expect_reply("recipient=u@corp.pd.test\nclient_address=12.3.4.5\n", "DUNNO");
	/* a subdomain section with its own action; other domains are not protected */
	expect_reply("recipient=u@x.corp.pd.test\nclient_address=11.9.9.9\n", "451 4.7.1 mxguard mx_bypass");
	expect_reply("recipient=u@good.pd.test\nclient_address=11.9.9.9\n", "DUNNO");
	/* only at RCPT */
	expect_reply("recipient=u@corp.pd.test\nclient_address=11.9.9.9\nprotocol_state=DATA\n", "DUNNO");
}

static void test_warn_only(void **state)
{
	(void)state;
	load_with("domain.corp.pd.test.warn_only = yes\n");
	expect_reply("recipient=u@corp.pd.test\nclient_address=11.9.9.9\n",
		     "WARN mxguard mx_bypass: would reject: corp.pd.test accepts mail only");
	assert_int_equal(v.warn_only, 1);
	/* per-domain: the subdomain section is not warn-only */
	expect_reply("recipient=u@x.corp.pd.test\nclient_address=11.9.9.9\n", "451 4.7.1");
	load_with("warn_only = yes\n");
	expect_reply("recipient=u@x.corp.pd.test\nclient_address=11.9.9.9\n",
		     "WARN mxguard mx_bypass: would defer");
	expect_reply("sender=a@nullmx.pd.test\n", "WARN mxguard null_mx_sender: would reject");
}

static void test_mx_tempfail(void **state)
{
	(void)state;
	assert_int_equal(mxg_zone_set_fault(res, "corp.pd.test", MXG_DNS_MX, MXG_DNS_TIMEOUT), 0);
	expect_reply("recipient=u@corp.pd.test\nclient_address=11.9.9.9\n",
		     "451 4.7.1 mxguard mx_bypass: MX hosts of corp.pd.test cannot be resolved now");
	/* a temporary failure never rejects, even a client that would otherwise pass */
	expect_reply("recipient=u@corp.pd.test\nclient_address=11.1.1.10\n", "451 4.7.1");
}

static void test_connectors(void **state)
{
	(void)state;
	expect_reply("recipient=u@corp.pd.test\nclient_address=13.1.1.1\n",
		     "550 5.7.1 mxguard connector: client 13.1.1.1 of connector m365 must use TLS");
	expect_reply("recipient=u@corp.pd.test\nclient_address=13.1.1.1\nencryption_protocol=TLSv1.3\n",
		     "550 5.7.1 mxguard connector: client 13.1.1.1 of connector m365 did not present");
	expect_reply("recipient=u@corp.pd.test\nclient_address=13.1.1.1\nencryption_protocol=TLSv1.3\n"
		     "ccert_fingerprint=DD:EE\n", "550 5.7.1 mxguard connector");
	/* a satisfied connector is a trusted path: MX-bypass protection lets it in */
	expect_reply("recipient=u@corp.pd.test\nclient_address=13.1.1.1\nencryption_protocol=TLSv1.3\n"
		     "ccert_fingerprint=aa:bb:cc\n", "DUNNO");
	expect_reply("recipient=u@corp.pd.test\nclient_address=13.1.1.1\nencryption_protocol=TLSv1.2\n"
		     "ccert_pubkey_fingerprint=11:22:33\n", "DUNNO");
	/* connector rules apply in every state */
	expect_reply("protocol_state=CONNECT\nclient_address=14.1.1.1\n",
		     "451 4.7.1 mxguard connector: client 14.1.1.1 of connector plain must use TLS");
	expect_reply("protocol_state=CONNECT\nclient_address=14.1.1.1\nencryption_protocol=TLSv1.3\n", "DUNNO");
	expect_reply("protocol_state=CONNECT\nclient_address=15.1.1.1\n", "DUNNO");
}

static void test_sender_rules(void **state)
{
	(void)state;
	expect_reply("sender=a@nullmx.pd.test\nrecipient=u@good.pd.test\n",
		     "550 5.7.27 mxguard null_mx_sender: sender domain nullmx.pd.test");
	expect_reply("sender=a@nullmx.pd.test\nprotocol_state=MAIL\n", "550 5.7.27");
	expect_reply("sender=a@gone.pd.test\n", "550 5.1.8 mxguard unroutable_sender: sender domain gone.pd.test does not exist");
	expect_reply("sender=a@nomail.pd.test\n", "550 5.1.8 mxguard unroutable_sender: sender domain nomail.pd.test has no MX and no address");
	expect_reply("sender=a@implicit.pd.test\n", "DUNNO");
	expect_reply("sender=a@cname.pd.test\n", "451 4.1.8 mxguard broken_mx: MX of sender domain cname.pd.test is broken: a target is an alias (CNAME)");
	expect_reply("sender=a@ipliteral.pd.test\n", "451 4.1.8 mxguard broken_mx");
	assert_non_null(strstr(v.reply, "IP literal"));
	expect_reply("sender=a@dangling.pd.test\n", "451 4.1.8 mxguard broken_mx");
	assert_non_null(strstr(v.reply, "no target can take mail"));
	expect_reply("sender=\n", "DUNNO");
	/* a temporary failure defers, never rejects */
	assert_int_equal(mxg_zone_set_fault(res, "slow.pd.test", 0, MXG_DNS_SERVFAIL), 0);
	expect_reply("sender=a@slow.pd.test\n", "451 4.1.8 mxguard unroutable_sender: sender domain slow.pd.test cannot be resolved now");
	/* per-domain scope: mail to corp only warns about null-MX senders */
	load_with("domain.corp.pd.test.null_mx_sender = warn\n");
	expect_reply("sender=a@nullmx.pd.test\nrecipient=u@corp.pd.test\n", "WARN mxguard null_mx_sender");
	expect_reply("sender=a@nullmx.pd.test\nrecipient=u@good.pd.test\n", "550 5.7.27");
	load_with("null_mx_sender = off\nunroutable_sender = off\n");
	expect_reply("sender=a@nullmx.pd.test\n", "DUNNO");
	expect_reply("sender=a@gone.pd.test\n", "DUNNO");
}

static void test_null_mx_recipient(void **state)
{
	(void)state;
	expect_reply("recipient=u@nullmx.pd.test\n",
		     "556 5.1.10 mxguard null_mx_recipient: recipient domain nullmx.pd.test accepts no mail");
	expect_reply("recipient=u@good.pd.test\n", "DUNNO");
	/* a domain this file configures is not relayed mail */
	load_with("domain.nullmx.pd.test.warn_only = no\n");
	expect_reply("recipient=u@nullmx.pd.test\n", "DUNNO");
}

static void test_fully_mapped(void **state)
{
	(void)state;
	expect_reply("recipient=alice@hybrid.pd.test\n", "DUNNO");
	expect_reply("recipient=Alice+tag@Hybrid.pd.test\n", "DUNNO");
	expect_reply("recipient=bob@hybrid.pd.test\n",
		     "550 5.1.1 mxguard fully_mapped: recipient <bob@hybrid.pd.test> has no route");
	expect_reply("recipient=bob@x.hybrid.pd.test\n", "DUNNO");
}

static void expect_route(const char *key, const char *want)
{
	char out[POLICYD_NEXTHOP_MAX];
	int rc = policyd_route_lookup(rules, key, out, sizeof(out));
	if (want == NULL) {
		assert_int_equal(rc, 0);
		return;
	}
	assert_int_equal(rc, 1);
	assert_string_equal(out, want);
}

static void test_routes(void **state)
{
	(void)state;
	expect_route("alice@hybrid.pd.test", "smtp:[onprem.pd.test]:25");
	expect_route("ALICE+x@hybrid.pd.test", "smtp:[onprem.pd.test]:25");
	expect_route("bob@hybrid.pd.test", "smtp:[cloud.pd.test]:25");
	expect_route("hybrid.pd.test", "smtp:[cloud.pd.test]:25");
	expect_route("a.b.hybrid.pd.test", "smtp:[sub.pd.test]:25");
	expect_route(".hybrid.pd.test", "smtp:[sub.pd.test]:25");
	expect_route("bob@x.hybrid.pd.test", "smtp:[sub.pd.test]:25");
	/* corp has a section without a route: the default applies */
	expect_route("u@corp.pd.test", "smtp:[default.pd.test]:25");
	expect_route("*", "smtp:[default.pd.test]:25");
	load_with("route = * smtp:\n");
	expect_route("u@else.test", "smtp:");
}

static void test_routes_no_default(void **state)
{
	char err[512];
	(void)state;
	assert_int_equal(load_text("policy_listen = inet:127.0.0.1:1\nroute = a.test smtp:[x]\n", err, sizeof(err)), 0);
	expect_route("u@a.test", "smtp:[x]");
	expect_route("u@b.test", NULL);
	expect_route("*", NULL);
}

static void test_socketmap_answers(void **state)
{
	char out[512], logbuf[512];
	(void)state;
#define ASK(p) policyd_socketmap_answer(rules, p, strlen(p), out, sizeof(out), logbuf, sizeof(logbuf))
	assert_true(ASK("transport alice@hybrid.pd.test") > 0);
	assert_string_equal(out, "27:OK smtp:[onprem.pd.test]:25,");
	load_with("route = * smtp:\n");
	ASK("transport x@y.test");
	assert_string_equal(out, "8:OK smtp:,");
	load_text("policy_listen = inet:127.0.0.1:1\n", logbuf, sizeof(logbuf));
	ASK("transport x@y.test");
	assert_string_equal(out, "9:NOTFOUND ,");
	ASK("virtual x@y.test");
	assert_string_equal(out, "21:PERM unknown map name,");
	ASK("transport");
	assert_string_equal(out, "26:PERM request without a key,");
	ASK("transport a b");
	assert_string_equal(out, "18:PERM malformed key,");
#undef ASK
}

static void test_nonblocking(void **state)
{
	(void)state;
	/* nothing cached: the loop must hand the request to a worker */
	assert_int_equal(decide_nb("recipient=u@corp.pd.test\nclient_address=11.9.9.9\n", 1), 1);
	decide("recipient=u@corp.pd.test\nclient_address=11.9.9.9\n");
	assert_int_equal(decide_nb("recipient=u@corp.pd.test\nclient_address=11.9.9.9\n", 1), 0);
	assert_string_equal(v.reply, "550 5.7.1 mxguard mx_bypass: corp.pd.test accepts mail only through its MX hosts, not from 11.9.9.9");
	/* no DNS needed at all: answered at once */
	assert_int_equal(decide_nb("protocol_state=CONNECT\nclient_address=14.1.1.1\n", 1), 0);
}

static void test_policy_context(void **state)
{
	(void)state;
	/* smtpd_sender_restrictions: only the sender-domain rules */
	expect_reply("recipient=u@corp.pd.test\nclient_address=11.9.9.9\npolicy_context=sender\n", "DUNNO");
	expect_reply("sender=a@nullmx.pd.test\npolicy_context=sender\n", "550 5.7.27");
	/* smtpd_recipient_restrictions: everything else */
	expect_reply("sender=a@nullmx.pd.test\npolicy_context=recipient\n", "DUNNO");
	expect_reply("recipient=u@corp.pd.test\nclient_address=11.9.9.9\npolicy_context=recipient\n", "550 5.7.1");
	/* any other context: all rules */
	expect_reply("sender=a@nullmx.pd.test\npolicy_context=eod\n", "550 5.7.27");
}

static void test_spf(void **state)
{
	(void)state;
	load_with("spf = reject\nspf_receiver = mx.pd.test\n");
	expect_reply("sender=a@good.pd.test\nrecipient=u@good.pd.test\nclient_address=11.1.1.10\n",
		     "PREPEND Received-SPF: pass");
	assert_int_equal(v.rule, POLICYD_R_SPF);
	expect_reply("sender=a@good.pd.test\nrecipient=u@good.pd.test\nclient_address=11.9.9.9\n",
		     "550 5.7.23 mxguard spf: SPF fail for <a@good.pd.test> from 11.9.9.9");
	expect_reply("sender=a@soft.pd.test\nrecipient=u@good.pd.test\nclient_address=11.9.9.9\n",
		     "PREPEND Received-SPF: softfail");
	expect_reply("sender=a@implicit.pd.test\nrecipient=u@good.pd.test\n", "PREPEND Received-SPF: none");
	/* a temporary failure defers, never rejects */
	assert_int_equal(mxg_zone_set_fault(res, "good.pd.test", MXG_DNS_TXT, MXG_DNS_TIMEOUT), 0);
	expect_reply("sender=a@good.pd.test\nrecipient=u@good.pd.test\nclient_address=11.9.9.9\n",
		     "451 4.7.24 mxguard spf: SPF temperror");
	/* off the event loop only */
	assert_int_equal(decide_nb("sender=a@soft.pd.test\nrecipient=u@good.pd.test\n", 1), 1);
}

static void test_spf_per_domain(void **state)
{
	(void)state;
	load_with("domain.good.pd.test.spf = warn\n");
	expect_reply("sender=a@good.pd.test\nrecipient=u@good.pd.test\nclient_address=11.9.9.9\n",
		     "WARN mxguard spf: SPF fail");
	expect_reply("sender=a@good.pd.test\nrecipient=u@corp.pd.test\nclient_address=11.1.1.10\n", "DUNNO");
	load_with("spf = prepend\n");
	expect_reply("sender=a@good.pd.test\nrecipient=u@good.pd.test\nclient_address=11.9.9.9\n",
		     "PREPEND Received-SPF: fail");
	/* a rule that decides first wins over the header */
	expect_reply("sender=a@nullmx.pd.test\nrecipient=u@good.pd.test\n", "550 5.7.27");
}

static void expect_config_error(const char *text, const char *why)
{
	char err[512] = "";
	assert_int_equal(load_text(text, err, sizeof(err)), -1);
	if (strstr(err, why) == NULL)
		fail_msg("error '%s' lacks '%s'", err, why);
}

static void test_config_errors(void **state)
{
	(void)state;
	expect_config_error("policy_listen = inet:127.0.0.1:1\nbogus = 1\n", "test.conf:2: bogus: unknown key");
	expect_config_error("policy_listen = inet:127.0.0.1:1\nmx_bypass = maybe\n", "is not an action");
	expect_config_error("policy_listen = inet:127.0.0.1:1\ntrusted_networks = 10.0.0.0/33\n", "test.conf:2");
	expect_config_error("policy_listen = inet:127.0.0.1:1\nconnector.x.require_tls = yes\n", "connector x has no networks");
	expect_config_error("policy_listen = inet:127.0.0.1:1\nroute = a.test\n", "expected: route");
	expect_config_error("policy_listen = inet:127.0.0.1:1\nroute = a.test nocolon\n", "next hop");
	expect_config_error("policy_listen = inet:127.0.0.1:1\nroute = @a.test smtp:x\n", "LOCAL@DOMAIN");
	expect_config_error("policy_listen = inet:127.0.0.1:1\ndomain.a..b.mx_bypass = reject\n", "not a domain name");
	expect_config_error("policy_listen = inet:127.0.0.1:1\ndomain.a.test.colour = red\n", "unknown domain setting");
	expect_config_error("policy_listen = tcp:1\n", "listeners are");
	expect_config_error("workers = 3\n", "neither policy_listen nor socketmap_listen");
	expect_config_error("policy_listen = inet:127.0.0.1:1\nworkers = 0\n", "test.conf:2");
	expect_config_error("policy_listen = inet:127.0.0.1:1\nrequest_timeout = soon\n", "test.conf:2");
	expect_config_error("policy_listen = inet:127.0.0.1:1\ndns_cache_size = 1000001\n", "test.conf:2");
}

static void test_dns_cache_size(void **state)
{
	char err[512];
	(void)state;
	assert_int_equal(load_text("policy_listen = inet:127.0.0.1:1\n", err, sizeof(err)), 0);
	assert_int_equal(settings.dns_cache_size, 4096);
	assert_int_equal(load_text("policy_listen = inet:127.0.0.1:1\ndns_cache_size = 0\n", err, sizeof(err)), 0);
	assert_int_equal(settings.dns_cache_size, 0);
	assert_int_equal(load_text("policy_listen = inet:127.0.0.1:1\ndns_cache_size = 100000\n", err, sizeof(err)), 0);
	assert_int_equal(settings.dns_cache_size, 100000);
}

/* The settings every daemon shares have the milter's key, range and default; the 0.1 spellings
 * still load, into the same settings. */
static void test_shared_keys(void **state)
{
	char err[512];
	(void)state;
	assert_int_equal(load_text("policy_listen = inet:127.0.0.1:1\n", err, sizeof(err)), 0);
	assert_int_equal(rules->spf_time_limit_ms, MXG_CFG_SPF_TIME_LIMIT_DEFAULT);
	assert_int_equal(settings.dns_timeout_ms, MXG_CFG_DNS_TIMEOUT_DEFAULT);
	assert_int_equal(settings.metrics_interval_ms, MXG_CFG_METRICS_INTERVAL_DEFAULT);
	assert_int_equal(load_text("policy_listen = inet:127.0.0.1:1\nspf_time_limit = 300s\n"
				   "dns_timeout = 60s\nmetrics_interval = 1d\n", err, sizeof(err)), 0);
	assert_int_equal(rules->spf_time_limit_ms, MXG_CFG_SPF_TIME_LIMIT_MAX);
	expect_config_error("policy_listen = inet:127.0.0.1:1\nspf_time_limit = 301s\n", "test.conf:2");
	expect_config_error("policy_listen = inet:127.0.0.1:1\ndns_timeout = 99ms\n", "test.conf:2");
	assert_int_equal(load_text("policy_listen = inet:127.0.0.1:1\nspf.budget = 3s\n"
				   "dns.timeout = 2s\ncounters_interval = 5s\ncache.size = 100\n"
				   "spf.receiver = mx.pd.test\n", err, sizeof(err)), 0);
	assert_int_equal(rules->spf_time_limit_ms, 3000);
	assert_int_equal(settings.dns_timeout_ms, 2000);
	assert_int_equal(settings.metrics_interval_ms, 5000);
	assert_int_equal(settings.cache_size, 100);
	assert_string_equal(rules->receiver, "mx.pd.test");
	/* An error on an old spelling still names its line. */
	expect_config_error("policy_listen = inet:127.0.0.1:1\nspf.budget = never\n", "test.conf:2");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_mx_bypass, setup, teardown),
		cmocka_unit_test_setup_teardown(test_warn_only, setup, teardown),
		cmocka_unit_test_setup_teardown(test_mx_tempfail, setup, teardown),
		cmocka_unit_test_setup_teardown(test_connectors, setup, teardown),
		cmocka_unit_test_setup_teardown(test_sender_rules, setup, teardown),
		cmocka_unit_test_setup_teardown(test_null_mx_recipient, setup, teardown),
		cmocka_unit_test_setup_teardown(test_fully_mapped, setup, teardown),
		cmocka_unit_test_setup_teardown(test_routes, setup, teardown),
		cmocka_unit_test_setup_teardown(test_routes_no_default, setup, teardown),
		cmocka_unit_test_setup_teardown(test_socketmap_answers, setup, teardown),
		cmocka_unit_test_setup_teardown(test_nonblocking, setup, teardown),
		cmocka_unit_test_setup_teardown(test_policy_context, setup, teardown),
		cmocka_unit_test_setup_teardown(test_spf, setup, teardown),
		cmocka_unit_test_setup_teardown(test_spf_per_domain, setup, teardown),
		cmocka_unit_test_setup_teardown(test_config_errors, setup, teardown),
		cmocka_unit_test_setup_teardown(test_dns_cache_size, setup, teardown),
		cmocka_unit_test_setup_teardown(test_shared_keys, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
