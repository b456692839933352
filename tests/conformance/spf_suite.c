/* Runs an SPF test suite in the openspf YAML format (e.g. rfc7208-tests.yml) through the
 * engine: each scenario's zonedata goes into the in-memory zone backend, each test is a
 * MAIL FROM check, and the line "N passed, N failed" ends the run. */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

#include "mxguard/dns.h"
#include "mxguard/spf.h"
#include "mxguard/str.h"
#include "suite_yaml.h"

/* Cases this engine deliberately answers differently, with the RFC reason. They still
 * count as not passed. None at present. */
static const struct {
	const char *test;
	const char *reason;
} deviations[] = {
	{ NULL, NULL },
};

/* The record types a TIMEOUT entry makes time out when none of that type precedes it. */
static const uint16_t fault_types[] = {
	MXG_DNS_A, MXG_DNS_AAAA, MXG_DNS_MX, MXG_DNS_PTR, MXG_DNS_TXT, MXG_DNS_SPF, MXG_DNS_CNAME,
};

static unsigned passed, failed;

static uint16_t type_code(const char *t)
{
	static const struct { const char *name; uint16_t code; } types[] = {
		{ "A", MXG_DNS_A }, { "AAAA", MXG_DNS_AAAA }, { "MX", MXG_DNS_MX },
		{ "PTR", MXG_DNS_PTR }, { "TXT", MXG_DNS_TXT }, { "SPF", MXG_DNS_SPF },
		{ "CNAME", MXG_DNS_CNAME },
	};
	for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++)
		if (strcmp(t, types[i].name) == 0)
			return types[i].code;
	return 0;
}

/* Wire RDATA of one zonedata value; returns its length or -1. */
static long rdata(yaml_document_t *d, uint16_t type, yaml_node_t *v, uint8_t *rd, size_t cap)
{
	size_t n = 0;

	switch (type) {
	case MXG_DNS_A:
		return suite_text(v) && inet_pton(AF_INET, suite_text(v), rd) == 1 ? 4 : -1;
	case MXG_DNS_AAAA:
		return suite_text(v) && inet_pton(AF_INET6, suite_text(v), rd) == 1 ? 16 : -1;
	case MXG_DNS_PTR:
	case MXG_DNS_CNAME:
		return suite_text(v) ? mxg_dns_name_to_wire(suite_text(v), rd, cap) : -1;
	case MXG_DNS_MX: {
		if (v->type != YAML_SEQUENCE_NODE || v->data.sequence.items.top - v->data.sequence.items.start != 2)
			return -1;
		const char *pref = suite_text(suite_node(d, v->data.sequence.items.start[0]));
		const char *host = suite_text(suite_node(d, v->data.sequence.items.start[1]));
		if (pref == NULL || host == NULL)
			return -1;
		unsigned p = (unsigned)strtoul(pref, NULL, 10);
		rd[0] = (uint8_t)(p >> 8);
		rd[1] = (uint8_t)p;
		int w = mxg_dns_name_to_wire(host, rd + 2, cap - 2);
		return w < 0 ? -1 : w + 2;
	}
	default: /* TXT, SPF: one string, or a list of strings */
		if (v->type == YAML_SCALAR_NODE)
			return suite_txt_strings(v->data.scalar.value, v->data.scalar.length, rd, &n, cap) < 0
				       ? -1 : (long)n;
		if (v->type != YAML_SEQUENCE_NODE)
			return -1;
		for (yaml_node_item_t *i = v->data.sequence.items.start; i < v->data.sequence.items.top; i++) {
			yaml_node_t *s = suite_node(d, *i);
			if (s->type != YAML_SCALAR_NODE ||
			    suite_txt_strings(s->data.scalar.value, s->data.scalar.length, rd, &n, cap) < 0)
				return -1;
		}
		/* No strings at all cannot go on the wire (RFC 1035 §3.3.14): one empty string
		 * joins to the same text. */
		if (n == 0 && cap > 0)
			rd[n++] = 0;
		return (long)n;
	}
}

static int add_record(struct mxg_resolver *r, yaml_document_t *d, const char *owner,
		      uint16_t type, yaml_node_t *v)
{
	static uint8_t rd[65536];
	long n = rdata(d, type, v, rd, sizeof(rd));

	if (n < 0 || mxg_zone_add_rr(r, owner, type, 300, rd, (size_t)n) < 0) {
		fprintf(stderr, "spf-suite: cannot load a %s record of %s\n", mxg_dns_type_name(type), owner);
		return -1;
	}
	return 0;
}

/* One name's entries, as the reference driver reads them: "NONE" adds nothing; TIMEOUT
 * makes every type not seen before it time out and hides what follows; each SPF record is
 * also a TXT record (placed after everything else) unless the name lists any TXT entry. */
static int load_name(struct mxg_resolver *r, yaml_document_t *d, const char *owner, yaml_node_t *seq)
{
	int has_txt = 0, seen[sizeof(fault_types) / sizeof(fault_types[0])] = { 0 };

	if (seq->type != YAML_SEQUENCE_NODE)
		return -1;
	for (yaml_node_item_t *i = seq->data.sequence.items.start; i < seq->data.sequence.items.top; i++)
		if (suite_map_get(d, suite_node(d, *i), "TXT"))
			has_txt = 1;
	for (yaml_node_item_t *i = seq->data.sequence.items.start; i < seq->data.sequence.items.top; i++) {
		yaml_node_t *e = suite_node(d, *i);
		if (suite_scalar_is(e, "TIMEOUT")) {
			for (size_t k = 0; k < sizeof(fault_types) / sizeof(fault_types[0]); k++)
				if (!seen[k] && mxg_zone_set_fault(r, owner, fault_types[k], MXG_DNS_TIMEOUT) < 0)
					return -1;
			return 0;
		}
		if (e->type != YAML_MAPPING_NODE || e->data.mapping.pairs.top - e->data.mapping.pairs.start != 1)
			return -1;
		const char *tname = suite_text(suite_node(d, e->data.mapping.pairs.start->key));
		yaml_node_t *v = suite_node(d, e->data.mapping.pairs.start->value);
		uint16_t type = tname ? type_code(tname) : 0;
		if (type == 0)
			return -1;
		if (suite_scalar_is(v, "NONE"))
			continue;
		for (size_t k = 0; k < sizeof(fault_types) / sizeof(fault_types[0]); k++)
			if (fault_types[k] == type)
				seen[k] = 1;
		if (add_record(r, d, owner, type, v) < 0)
			return -1;
	}
	for (yaml_node_item_t *i = seq->data.sequence.items.start; i < seq->data.sequence.items.top && !has_txt; i++) {
		yaml_node_t *v = suite_map_get(d, suite_node(d, *i), "SPF");
		if (v && add_record(r, d, owner, MXG_DNS_TXT, v) < 0)
			return -1;
	}
	return 0;
}

static int load_zone(struct mxg_resolver *r, yaml_document_t *d, yaml_node_t *zone)
{
	if (zone == NULL || zone->type != YAML_MAPPING_NODE)
		return -1;
	for (yaml_node_pair_t *p = zone->data.mapping.pairs.start; p < zone->data.mapping.pairs.top; p++) {
		char owner[MXG_DNS_NAME_MAX];
		const char *k = suite_text(suite_node(d, p->key));
		if (k == NULL)
			return -1;
		mxg_strlcpy(owner, k, sizeof(owner));
		mxg_str_lower(owner);
		if (load_name(r, d, owner, suite_node(d, p->value)) < 0) {
			fprintf(stderr, "spf-suite: bad zonedata for %s\n", owner);
			return -1;
		}
	}
	return 0;
}

static int result_listed(yaml_document_t *d, yaml_node_t *want, const char *got)
{
	if (want->type == YAML_SCALAR_NODE)
		return suite_scalar_is(want, got);
	if (want->type != YAML_SEQUENCE_NODE)
		return 0;
	for (yaml_node_item_t *i = want->data.sequence.items.start; i < want->data.sequence.items.top; i++)
		if (suite_scalar_is(suite_node(d, *i), got))
			return 1;
	return 0;
}

static const char *deviation(const char *test)
{
	for (size_t i = 0; deviations[i].test; i++)
		if (strcmp(deviations[i].test, test) == 0)
			return deviations[i].reason;
	return NULL;
}

static void run_test(struct mxg_resolver *r, yaml_document_t *d, const char *name, yaml_node_t *t)
{
	struct mxg_spf_options opt = { .default_exp = "DEFAULT" };
	struct mxg_spf_outcome out;
	struct mxg_addr ip;
	const char *host = suite_text(suite_map_get(d, t, "host"));
	const char *from = suite_text(suite_map_get(d, t, "mailfrom"));
	const char *helo = suite_text(suite_map_get(d, t, "helo"));
	const char *exp = suite_text(suite_map_get(d, t, "explanation"));
	yaml_node_t *want = suite_map_get(d, t, "result");

	if (host == NULL || from == NULL || helo == NULL || want == NULL ||
	    mxg_addr_parse(host, &ip, 0) < 0) {
		printf("not ok - %s: malformed test\n", name);
		failed++;
		return;
	}
	mxg_spf_check_mailfrom(r, &opt, &ip, from, helo, &out);
	const char *got = mxg_spf_result_name(out.result);
	int ok = result_listed(d, want, got) && (exp == NULL || strcmp(exp, out.explanation) == 0);
	const char *dev = deviation(name);
	if (ok && dev == NULL) {
		printf("ok - %s: %s\n", name, got);
		passed++;
		return;
	}
	printf("not ok - %s: got %s", name, got);
	if (exp)
		printf(", explanation \"%s\" (want \"%s\")", out.explanation, exp);
	if (out.problem[0])
		printf(" [%s]", out.problem);
	if (dev)
		printf(" (deliberate: %s)", dev);
	printf("\n");
	failed++;
}

int main(int argc, char **argv)
{
	static const struct suite_runner runner = {
		"spf-suite", "zonedata", load_zone, run_test, &passed, &failed,
	};

	return suite_main(&runner, argc, argv);
}
