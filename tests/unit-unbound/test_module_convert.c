/* Unit tests of the Unbound module's pure parts: conversion of real Unbound reply structures
 * (built here in Unbound's packed layout) into the core's MX input, the verdict cache, config. */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "sldns/pkthdr.h"
#include "sldns/rrdef.h"
#include "util/data/msgreply.h"
#include "util/data/packed_rrset.h"

#include "module_config.h"
#include "module_convert.h"
#include "module_stats.h"
#include "module_verdict_cache.h"
#include "mxguard/str.h"

/* Everything a test allocates, freed in teardown. */
static void *allocs[64];
static size_t nallocs;

static void *keep(void *p)
{
	assert_non_null(p);
	assert_true(nallocs < sizeof(allocs) / sizeof(allocs[0]));
	allocs[nallocs++] = p;
	return p;
}

static int teardown(void **state)
{
	(void)state;
	while (nallocs > 0)
		free(allocs[--nallocs]);
	return 0;
}

/* "a.example.test" -> wire form in a kept buffer; sets *len. */
static uint8_t *wire(const char *text, size_t *len)
{
	uint8_t *w = keep(calloc(1, 256));
	size_t o = 0;
	const char *p = text;

	while (*p) {
		size_t n = strcspn(p, ".");
		w[o++] = (uint8_t)n;
		memcpy(w + o, p, n);
		o += n;
		p += n;
		if (*p == '.')
			p++;
	}
	w[o++] = 0;
	*len = o;
	return w;
}

/* An RRset of count records, each rdata given with its length, in Unbound's packed layout:
 * struct, rr_len[], rr_data[], rr_ttl[], then "2-byte rdlength + rdata" per record. */
static struct ub_packed_rrset_key *rrset(const char *owner, uint16_t type, size_t count,
					 const uint8_t *const *rdata, const size_t *rdlen,
					 time_t ttl)
{
	struct ub_packed_rrset_key *k = keep(calloc(1, sizeof(*k)));
	size_t bytes = 0, total = count;
	struct packed_rrset_data *d;
	uint8_t *next;

	for (size_t i = 0; i < count; i++)
		bytes += 2 + rdlen[i];
	d = keep(calloc(1, sizeof(*d) + total * (sizeof(size_t) + sizeof(uint8_t *) +
						  sizeof(time_t)) + bytes));
	d->ttl = ttl;
	d->count = count;
	d->rr_len = (size_t *)(d + 1);
	d->rr_data = (uint8_t **)&d->rr_len[total];
	d->rr_ttl = (time_t *)&d->rr_data[total];
	next = (uint8_t *)&d->rr_ttl[total];
	for (size_t i = 0; i < count; i++) {
		d->rr_len[i] = 2 + rdlen[i];
		d->rr_ttl[i] = ttl;
		d->rr_data[i] = next;
		next[0] = (uint8_t)(rdlen[i] >> 8);
		next[1] = (uint8_t)rdlen[i];
		memcpy(next + 2, rdata[i], rdlen[i]);
		next += 2 + rdlen[i];
	}
	k->rk.dname = wire(owner, &k->rk.dname_len);
	k->rk.type = htons(type);
	k->rk.rrset_class = htons(LDNS_RR_CLASS_IN);
	k->entry.key = k;
	k->entry.data = d;
	return k;
}

/* MX rdata: preference then exchange. */
static const uint8_t *mx_rdata(uint16_t pref, const char *exchange, size_t *len)
{
	size_t nlen;
	uint8_t *n = exchange[0] ? wire(exchange, &nlen) : NULL;
	uint8_t *r = keep(calloc(1, 2 + 256));

	r[0] = (uint8_t)(pref >> 8);
	r[1] = (uint8_t)pref;
	if (n)
		memcpy(r + 2, n, nlen);
	else
		nlen = 1; /* the root: a single zero byte */
	*len = 2 + nlen;
	return r;
}

static struct ub_packed_rrset_key *mx_rrset(const char *owner, size_t count, const uint16_t *prefs,
					    const char *const *targets, time_t ttl)
{
	const uint8_t *rd[8];
	size_t len[8];

	for (size_t i = 0; i < count; i++)
		rd[i] = mx_rdata(prefs[i], targets[i], &len[i]);
	return rrset(owner, LDNS_RR_TYPE_MX, count, rd, len, ttl);
}

static struct reply_info *reply(int rcode, size_t n, struct ub_packed_rrset_key **sets)
{
	struct reply_info *rep = keep(calloc(1, sizeof(*rep)));

	rep->flags = (uint16_t)(0x8000 | rcode);
	rep->an_numrrsets = n;
	rep->rrset_count = n;
	rep->rrsets = keep(calloc(n ? n : 1, sizeof(*sets)));
	for (size_t i = 0; i < n; i++)
		rep->rrsets[i] = sets[i];
	rep->security = sec_status_insecure;
	return rep;
}

/* The conversion's outputs, shared by the answer tests. */
static struct mxg_mx_input in;
static const uint8_t *wt[MXG_MX_MAX_TARGETS];
static char conv_err[128];

static int convert(const char *qname, const struct reply_info *rep, unsigned cap)
{
	size_t qlen;
	uint8_t *q = wire(qname, &qlen);

	conv_err[0] = '\0';
	return module_convert_answer(q, qlen, rep, cap, &in, wt, conv_err, sizeof(conv_err));
}

/* A NOERROR reply whose answer is one MX RRset. */
static struct reply_info *mx_reply(const char *owner, size_t count, const uint16_t *prefs,
				   const char *const *targets, time_t ttl)
{
	struct ub_packed_rrset_key *sets[] = { mx_rrset(owner, count, prefs, targets, ttl) };

	return reply(LDNS_RCODE_NOERROR, 1, sets);
}

/* One A or AAAA sub-query result for qname: a reply of rcode whose answer holds sets[0..n). */
static void lookup(struct mxg_mx_target *t, uint16_t qtype, int rcode, size_t n,
		   struct ub_packed_rrset_key **sets, const char *qname)
{
	size_t qlen;
	uint8_t *q = wire(qname, &qlen);

	module_convert_target(t, qtype, LDNS_RCODE_NOERROR, reply(rcode, n, sets), q, qlen);
}

static void test_wire_name_len(void **state)
{
	size_t len;
	uint8_t *w = wire("mail.example.test", &len);
	uint8_t bad_label[] = { 64, 'a' };
	uint8_t pointer[] = { 0xc0, 0x0c };
	uint8_t unterminated[] = { 3, 'a', 'b', 'c' };
	uint8_t longname[300];

	(void)state;
	assert_int_equal(module_wire_name_len(w, len), len);
	assert_int_equal(module_wire_name_len(w, len - 1), 0);
	assert_int_equal(module_wire_name_len(bad_label, sizeof(bad_label)), 0);
	assert_int_equal(module_wire_name_len(pointer, sizeof(pointer)), 0);
	assert_int_equal(module_wire_name_len(unterminated, sizeof(unterminated)), 0);
	/* 4 labels of 63 and the root: 257 bytes, over the 255 limit */
	memset(longname, 0, sizeof(longname));
	for (int i = 0; i < 4; i++) {
		longname[i * 64] = 63;
		memset(longname + i * 64 + 1, 'a', 63);
	}
	assert_int_equal(module_wire_name_len(longname, sizeof(longname)), 0);
}

static void test_wire_name_text(void **state)
{
	char out[300];
	uint8_t root[] = { 0 };
	uint8_t odd[] = { 3, 'a', '.', 'b', 2, 'x', 0x07, 0 };
	size_t len;
	uint8_t *w = wire("Mail.Example.Test", &len);

	(void)state;
	assert_int_equal(module_wire_name_text(w, len, out, sizeof(out)), 0);
	assert_string_equal(out, "Mail.Example.Test");
	assert_int_equal(module_wire_name_text(root, 1, out, sizeof(out)), 0);
	assert_string_equal(out, "");
	assert_int_equal(module_wire_name_text(odd, sizeof(odd), out, sizeof(out)), 0);
	assert_string_equal(out, "a\\.b.x\\007");
	assert_int_equal(module_wire_name_text(w, len, out, 5), -1);
}

static void test_answer_two_mx(void **state)
{
	uint16_t prefs[] = { 10, 20 };
	const char *targets[] = { "mx1.example.test", "mx2.example.test" };

	(void)state;
	assert_int_equal(convert("example.test", mx_reply("example.test", 2, prefs, targets, 3600), 16), 1);
	assert_string_equal(in.domain, "example.test");
	assert_int_equal(in.rcode, MXG_DNS_NOERROR);
	assert_int_equal(in.security, MXG_DNSSEC_INSECURE);
	assert_int_equal(in.ttl, 3600);
	assert_int_equal(in.count, 2);
	assert_int_equal(in.total, 2);
	assert_int_equal(in.targets[0].pref, 10);
	assert_string_equal(in.targets[0].name, "mx1.example.test");
	assert_int_equal(in.targets[1].pref, 20);
	assert_string_equal(in.targets[1].name, "mx2.example.test");
	assert_int_equal(in.targets[1].a_state, MXG_MX_UNKNOWN);
	assert_int_equal(wt[1][0], 3);
	assert_memory_equal(wt[1] + 1, "mx2", 3);
}

static void test_answer_cap_and_null(void **state)
{
	uint16_t prefs[] = { 0, 10, 20 };
	const char *targets[] = { "", "a.test", "b.test" };
	struct reply_info *rep = mx_reply("x.test", 3, prefs, targets, 60);

	(void)state;
	rep->security = sec_status_secure;
	assert_int_equal(convert("x.test", rep, 2), 1);
	assert_int_equal(in.count, 2);
	assert_int_equal(in.total, 3);
	assert_string_equal(in.targets[0].name, "");
	assert_int_equal(in.targets[0].pref, 0);
	assert_int_equal(in.security, MXG_DNSSEC_SECURE);
}

static void test_answer_not_checked(void **state)
{
	uint16_t prefs[] = { 10 };
	const char *targets[] = { "mx.test" };
	struct ub_packed_rrset_key *sets[] = { mx_rrset("x.test", 1, prefs, targets, 60) };

	(void)state;
	assert_int_equal(convert("x.test", reply(LDNS_RCODE_NXDOMAIN, 0, sets), 16), 0);
	assert_int_equal(convert("x.test", reply(LDNS_RCODE_NOERROR, 0, sets), 16), 0);
	assert_int_equal(convert("x.test", reply(LDNS_RCODE_SERVFAIL, 1, sets), 16), 0);
	assert_int_equal(convert("x.test", NULL, 16), 0);
}

static void test_answer_after_cname(void **state)
{
	size_t clen;
	const uint8_t *crd[1] = { wire("real.test", &clen) };
	uint16_t prefs[] = { 5 };
	const char *targets[] = { "mx.real.test" };
	struct ub_packed_rrset_key *sets[] = {
		rrset("alias.test", LDNS_RR_TYPE_CNAME, 1, crd, &clen, 300),
		mx_rrset("real.test", 1, prefs, targets, 300),
	};
	struct reply_info *rep = reply(LDNS_RCODE_NOERROR, 2, sets);

	(void)state;
	assert_int_equal(module_mx_rrset_index(rep), 1);
	assert_int_equal(convert("alias.test", rep, 16), 1);
	assert_string_equal(in.domain, "alias.test");
	assert_string_equal(in.targets[0].name, "mx.real.test");
}

static void test_answer_malformed(void **state)
{
	uint16_t prefs[] = { 10 };
	const char *targets[] = { "mx.test" };
	struct reply_info *rep = mx_reply("x.test", 1, prefs, targets, 60);
	struct packed_rrset_data *d = rep->rrsets[0]->entry.data;

	(void)state;
	d->rr_data[0][1]++; /* rdlength no longer matches */
	assert_int_equal(convert("x.test", rep, 16), -1);
	assert_non_null(strstr(conv_err, "rdlength"));
	d->rr_data[0][1]--;
	d->rr_data[0][4] = 0xc0; /* a compression pointer inside the exchange */
	assert_int_equal(convert("x.test", rep, 16), -1);
	d->rr_len[0] = 3;        /* too short for preference + name */
	assert_int_equal(convert("x.test", rep, 16), -1);
}

static void test_target_addresses(void **state)
{
	const uint8_t a1[] = { 11, 1, 1, 10 }, a2[] = { 11, 1, 1, 11 }, bad[] = { 1, 2, 3 };
	const uint8_t *rd[] = { a1, bad, a2 };
	size_t len[] = { 4, 3, 4 };
	struct ub_packed_rrset_key *sets[] = { rrset("mx.test", LDNS_RR_TYPE_A, 3, rd, len, 60) };
	struct mxg_mx_target t;

	(void)state;
	memset(&t, 0, sizeof(t));
	lookup(&t, LDNS_RR_TYPE_A, LDNS_RCODE_NOERROR, 1, sets, "MX.test");
	assert_int_equal(t.a_state, MXG_MX_FOUND);
	assert_int_equal(t.n_v4, 2); /* the 3-byte record is skipped */
	assert_memory_equal(t.v4[1], a2, 4);
	assert_int_equal(t.alias, 0);
	assert_int_equal(t.aaaa_state, MXG_MX_UNKNOWN);
	/* AAAA of the same name: no AAAA RRset in a NOERROR answer is NODATA */
	lookup(&t, LDNS_RR_TYPE_AAAA, LDNS_RCODE_NOERROR, 0, sets, "MX.test");
	assert_int_equal(t.aaaa_state, MXG_MX_NODATA);
}

static void test_target_alias(void **state)
{
	size_t clen;
	const uint8_t v6[16] = { 0x2a, 0x00, 0x14, 0x50, [15] = 0x10 };
	const uint8_t *crd[1] = { wire("host.test", &clen) };
	const uint8_t *ard[1] = { v6 };
	size_t alen = 16;
	struct ub_packed_rrset_key *sets[] = {
		rrset("mail.test", LDNS_RR_TYPE_CNAME, 1, crd, &clen, 60),
		rrset("host.test", LDNS_RR_TYPE_AAAA, 1, ard, &alen, 60),
	};
	struct mxg_mx_target t;

	(void)state;
	memset(&t, 0, sizeof(t));
	lookup(&t, LDNS_RR_TYPE_AAAA, LDNS_RCODE_NOERROR, 2, sets, "mail.test");
	assert_int_equal(t.alias, 1);
	assert_string_equal(t.alias_target, "host.test");
	assert_int_equal(t.aaaa_state, MXG_MX_FOUND);
	assert_int_equal(t.n_v6, 1);
	assert_memory_equal(t.v6[0], v6, 16);
}

static void test_target_failures(void **state)
{
	size_t qlen, clen;
	uint8_t *q = wire("gone.test", &qlen);
	const uint8_t *crd[1] = { wire("nowhere.test", &clen) };
	struct ub_packed_rrset_key *sets[] = {
		rrset("gone.test", LDNS_RR_TYPE_CNAME, 1, crd, &clen, 60),
	};
	struct mxg_mx_target t;

	(void)state;
	memset(&t, 0, sizeof(t));
	lookup(&t, LDNS_RR_TYPE_A, LDNS_RCODE_NXDOMAIN, 0, sets, "gone.test");
	assert_int_equal(t.a_state, MXG_MX_NXDOMAIN);
	module_convert_target(&t, LDNS_RR_TYPE_AAAA, LDNS_RCODE_SERVFAIL, NULL, q, qlen);
	assert_int_equal(t.aaaa_state, MXG_MX_TEMPFAIL);
	lookup(&t, LDNS_RR_TYPE_AAAA, LDNS_RCODE_SERVFAIL, 0, sets, "gone.test");
	assert_int_equal(t.aaaa_state, MXG_MX_TEMPFAIL);
	module_convert_target(&t, LDNS_RR_TYPE_A, LDNS_RCODE_NOERROR, NULL, q, qlen);
	assert_int_equal(t.a_state, MXG_MX_TEMPFAIL);
	/* a CNAME to a name that does not exist: alias and NXDOMAIN */
	memset(&t, 0, sizeof(t));
	lookup(&t, LDNS_RR_TYPE_A, LDNS_RCODE_NXDOMAIN, 1, sets, "gone.test");
	assert_int_equal(t.alias, 1);
	assert_string_equal(t.alias_target, "nowhere.test");
	assert_int_equal(t.a_state, MXG_MX_NXDOMAIN);
}

static void test_signed(void **state)
{
	uint16_t prefs[] = { 10 };
	const char *targets[] = { "mx.test" };
	struct ub_packed_rrset_key *k = mx_rrset("x.test", 1, prefs, targets, 60);
	struct ub_packed_rrset_key *sets[] = { k };
	struct reply_info *rep = reply(LDNS_RCODE_NOERROR, 1, sets);
	struct packed_rrset_data *d = k->entry.data;

	(void)state;
	assert_int_equal(module_rrset_is_signed(k, rep), 0);
	d->rrsig_count = 1;
	assert_int_equal(module_rrset_is_signed(k, rep), 1);
	d->rrsig_count = 0;
	rep->security = sec_status_secure;
	assert_int_equal(module_rrset_is_signed(k, rep), 1);
}

static void test_verdict_cache(void **state)
{
	struct module_verdict_cache *c = module_verdict_cache_new(16);
	size_t len, ulen;
	uint8_t *n = wire("cname.mx.test", &len);
	uint8_t *upper = wire("CNAME.MX.TEST", &ulen);
	char text[MODULE_VERDICT_TEXT_MAX + 1];

	(void)state;
	assert_non_null(c);
	assert_int_equal(module_verdict_cache_get(c, n, len, 1000, text, sizeof(text)), 0);
	module_verdict_cache_put(c, n, len, "mxguard: MX_TARGET_CNAME a.test", 1000, 300, 1);
	assert_int_equal(module_verdict_cache_get(c, upper, ulen, 1001, text, sizeof(text)),
			 MODULE_VERDICT_FLAGGED);
	assert_string_equal(text, "mxguard: MX_TARGET_CNAME a.test");
	assert_int_equal(module_verdict_cache_get(c, n, len, 1300, text, sizeof(text)), 0);
	/* info findings only: the EDE is kept, but the verdict is not a flag */
	module_verdict_cache_put(c, n, len, "mxguard: MX_SINGLE_TARGET a.test", 1300, 300, 0);
	assert_int_equal(module_verdict_cache_get(c, n, len, 1301, text, sizeof(text)),
			 MODULE_VERDICT_NOTED);
	assert_string_equal(text, "mxguard: MX_SINGLE_TARGET a.test");
	module_verdict_cache_put(c, n, len, "x", 1000, 300, 1);
	module_verdict_cache_put(c, n, len, "", 1001, 300, 1); /* the domain was fixed */
	assert_int_equal(module_verdict_cache_get(c, n, len, 1002, text, sizeof(text)), 0);
	assert_true(module_verdict_cache_mem(c) > 16 * MODULE_VERDICT_TEXT_MAX);
	module_verdict_cache_free(c);
}

static void test_verdict_cache_bounded(void **state)
{
	struct module_verdict_cache *c = module_verdict_cache_new(16);
	size_t mem = module_verdict_cache_mem(c), len;
	char name[64], text[MODULE_VERDICT_TEXT_MAX + 1];
	int found = 0;

	(void)state;
	for (int i = 0; i < 1000; i++) {
		snprintf(name, sizeof(name), "d%d.test", i);
		uint8_t *w = wire(name, &len);
		module_verdict_cache_put(c, w, len, "v", 1000, 300, 1);
		free(allocs[--nallocs]);
	}
	assert_int_equal(module_verdict_cache_mem(c), mem);
	for (int i = 0; i < 1000; i++) {
		snprintf(name, sizeof(name), "d%d.test", i);
		uint8_t *w = wire(name, &len);
		found += module_verdict_cache_get(c, w, len, 1001, text, sizeof(text)) != 0;
		free(allocs[--nallocs]);
	}
	assert_true(found > 0 && found <= 16);
	module_verdict_cache_free(c);
}

static void test_config(void **state)
{
	struct module_config c;
	char err[256];
	/* Old spellings (actions-error, max-targets, counters-file) still work, with a warning. */
	const char *text = "actions_warning = none\nactions-error = log, strip\n"
			   "ignore = MX_SINGLE_TARGET\nmax-targets = 4\ncounters-file = /tmp/x.prom\n"
			   "max_wait = 2s\n";

	(void)state;
	module_config_defaults(&c);
	assert_int_equal(c.actions[MXG_SEV_WARNING], MODULE_ACT_LOG | MODULE_ACT_EDE);
	assert_int_equal(c.actions[MXG_SEV_INFO], 0);
	assert_int_equal(c.ignore[MXG_F_MX_TTL_LOW], 1);
	assert_int_equal(c.max_targets, 16);
	assert_int_equal(c.max_wait_ms, 1500);
	assert_int_equal(module_config_parse(&c, "t.conf", text, strlen(text), err, sizeof(err)), 0);
	assert_int_equal(c.actions[MXG_SEV_WARNING], 0);
	assert_int_equal(c.actions[MXG_SEV_ERROR], MODULE_ACT_LOG | MODULE_ACT_STRIP);
	assert_int_equal(c.actions[MXG_SEV_CRITICAL], MODULE_ACT_LOG | MODULE_ACT_EDE);
	assert_int_equal(c.ignore[MXG_F_MX_TTL_LOW], 0);
	assert_int_equal(c.ignore[MXG_F_MX_SINGLE_TARGET], 1);
	assert_int_equal(c.max_targets, 4);
	assert_string_equal(c.metrics_file, "/tmp/x.prom");
	assert_int_equal(c.max_wait_ms, 2000);
}

static void test_config_errors(void **state)
{
	struct module_config c;
	char err[256];
	static const char *const bad[][2] = {
		/* An old spelling (actions-error) is renamed first; the error names the new one. */
		{ "actions_info = log\nactions-error = log kaboom\n", "t.conf:2: actions_error" },
		{ "ignore = MX_NOT_A_CODE\n", "MX_NOT_A_CODE" },
		{ "max_targets = 0\n", "max_targets" },
		{ "max_targets = 33\n", "max_targets" },
		{ "metrics_file = relative.prom\n", "absolute" },
		{ "metrics_interval = 0s\n", "metrics_interval" },
		{ "max_wait = 50ms\n", "max_wait" },
		{ "max_wait = soon\n", "max_wait" },
		{ "strip = yes\n", "unknown key" },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		err[0] = '\0';
		assert_int_equal(module_config_parse(&c, "t.conf", bad[i][0], strlen(bad[i][0]), err,
						     sizeof(err)), -1);
		if (!strstr(err, bad[i][1]))
			fail_msg("config '%s': error '%s' lacks '%s'", bad[i][0], err, bad[i][1]);
	}
}

static void test_actions_text(void **state)
{
	char buf[32];

	(void)state;
	assert_string_equal(module_actions_text(0, buf, sizeof(buf)), "none");
	assert_string_equal(module_actions_text(MODULE_ACT_LOG | MODULE_ACT_STRIP, buf, sizeof(buf)),
			    "log strip");
}

static void test_stats_file(void **state)
{
	static struct module_stats s;
	char path[] = "/tmp/mxguard-stats-XXXXXX", err[256], buf[4096];
	int fd = mkstemp(path);
	FILE *f;
	size_t n;

	(void)state;
	assert_true(fd >= 0);
	close(fd);
	assert_int_equal(module_stats_start(&s, "", 1000, NULL, err, sizeof(err)), 0);
	module_stats_add(&s.finding[MXG_F_MX_TARGET_CNAME]);
	module_stats_add(&s.finding[MXG_F_MX_TARGET_CNAME]);
	module_stats_add(&s.action[MODULE_AI_EDE]);
	module_stats_add(&s.outcome[MODULE_OUT_CHECKED]);
	module_stats_add(&s.outcome[MODULE_OUT_NOTED]);
	assert_int_equal(module_stats_write(&s, path, err, sizeof(err)), 0);
	f = fopen(path, "r");
	assert_non_null(f);
	n = fread(buf, 1, sizeof(buf) - 1, f);
	buf[n] = '\0';
	fclose(f);
	unlink(path);
	assert_non_null(strstr(buf, "# TYPE mxguard_unbound_findings_total counter\n"));
	assert_non_null(strstr(buf, "mxguard_unbound_findings_total{code=\"MX_TARGET_CNAME\"} 2\n"));
	assert_non_null(strstr(buf, "mxguard_unbound_actions_total{action=\"ede\"} 1\n"));
	assert_null(strstr(buf, "SPF_"));
	/* info findings only: noted, not flagged */
	assert_non_null(strstr(buf, "mxguard_unbound_answers_total{outcome=\"noted\"} 1\n"));
	assert_non_null(strstr(buf, "mxguard_unbound_answers_total{outcome=\"flagged\"} 0\n"));
	module_stats_summary(&s, buf, sizeof(buf));
	assert_non_null(strstr(buf, "checked=1 "));
	assert_int_equal(module_stats_write(&s, "/nonexistent-dir/x.prom", err, sizeof(err)), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_wire_name_len, teardown),
		cmocka_unit_test_teardown(test_wire_name_text, teardown),
		cmocka_unit_test_teardown(test_answer_two_mx, teardown),
		cmocka_unit_test_teardown(test_answer_cap_and_null, teardown),
		cmocka_unit_test_teardown(test_answer_not_checked, teardown),
		cmocka_unit_test_teardown(test_answer_after_cname, teardown),
		cmocka_unit_test_teardown(test_answer_malformed, teardown),
		cmocka_unit_test_teardown(test_target_addresses, teardown),
		cmocka_unit_test_teardown(test_target_alias, teardown),
		cmocka_unit_test_teardown(test_target_failures, teardown),
		cmocka_unit_test_teardown(test_signed, teardown),
		cmocka_unit_test_teardown(test_verdict_cache, teardown),
		cmocka_unit_test_teardown(test_verdict_cache_bounded, teardown),
		cmocka_unit_test_teardown(test_config, teardown),
		cmocka_unit_test_teardown(test_config_errors, teardown),
		cmocka_unit_test_teardown(test_actions_text, teardown),
		cmocka_unit_test_teardown(test_stats_file, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
