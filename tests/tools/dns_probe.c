/* dns-probe: looks names up through either resolver backend and prints the answers in one
 * stable text form, so shell suites can compare libunbound (over NSD) with the zone backend. */
#include <arpa/inet.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "mxguard/dns.h"
#include "mxguard/str.h"

#define MAX_QUERIES 64
#define OUT_MAX 65536

struct query {
	char name[MXG_DNS_NAME_MAX];
	uint16_t type;
};

static struct opts {
	const char *zone, *trust_anchor;
	const char *forwarders[8];
	size_t nfwd;
	unsigned timeout_ms, threads, repeat;
	int ttl;
	struct query q[MAX_QUERIES];
	size_t nq;
} o = { .ttl = 1, .threads = 0, .repeat = 1 };

static uint16_t type_from_name(const char *s)
{
	static const uint16_t known[] = { 1, 2, 5, 6, 12, 15, 16, 28, 52, 99 };

	for (size_t i = 0; i < sizeof(known) / sizeof(known[0]); i++)
		if (mxg_strcaseeq(s, mxg_dns_type_name(known[i])))
			return known[i];
	return (uint16_t)strtoul(s, NULL, 10);
}

static void rdata_text(const struct mxg_dns_rr *rr, char *out, size_t size)
{
	size_t len;
	const uint8_t *s;

	out[0] = '\0';
	switch (rr->type) {
	case MXG_DNS_A:
		inet_ntop(AF_INET, rr->addr, out, (socklen_t)size);
		return;
	case MXG_DNS_AAAA:
		inet_ntop(AF_INET6, rr->addr, out, (socklen_t)size);
		return;
	case MXG_DNS_MX:
		snprintf(out, size, "%u %s.", rr->pref, rr->target);
		return;
	case MXG_DNS_CNAME:
	case MXG_DNS_PTR:
	case MXG_DNS_NS:
		snprintf(out, size, "%s.", rr->target);
		return;
	case MXG_DNS_TXT:
	case MXG_DNS_SPF:
		for (size_t i = 0; (s = mxg_dns_txt_string(rr, i, &len)) != NULL; i++)
			mxg_strcatf(out, size, "%s\"%.*s\"", i ? " " : "", (int)len, (const char *)s);
		return;
	default:
		for (size_t i = 0; i < rr->rdlen; i++)
			mxg_strcatf(out, size, "%02x", rr->rdata[i]);
	}
}

static int cmp_lines(const void *a, const void *b)
{
	return strcmp(a, b);
}

/* One answer as text: a header line, then the records sorted (RRsets are unordered). */
static void format(const struct mxg_dns_answer *a, char *out, size_t size)
{
	char lines[64][900], data[600];
	size_t n = a->count < 64 ? a->count : 64;

	snprintf(out, size, "%s %s %s %s count=%zu canonical=%s chain=", a->qname,
		 mxg_dns_type_name(a->qtype), mxg_dns_rcode_name(a->rcode),
		 mxg_dnssec_name(a->security), a->count, a->canonical);
	for (size_t i = 0; i < a->cname_count; i++)
		mxg_strcatf(out, size, "%s%s", i ? "," : "", a->cname_chain[i]);
	if (o.ttl)
		mxg_strcatf(out, size, " ttl=%u", a->ttl);
	mxg_strlcat(out, "\n", size);
	for (size_t i = 0; i < n; i++) {
		rdata_text(&a->rrs[i], data, sizeof(data));
		if (o.ttl)
			snprintf(lines[i], sizeof(lines[i]), "  %s %s %u %s\n", a->rrs[i].owner,
				 mxg_dns_type_name(a->rrs[i].type), a->rrs[i].ttl, data);
		else
			snprintf(lines[i], sizeof(lines[i]), "  %s %s %s\n", a->rrs[i].owner,
				 mxg_dns_type_name(a->rrs[i].type), data);
	}
	qsort(lines, n, sizeof(lines[0]), cmp_lines);
	for (size_t i = 0; i < n; i++)
		mxg_strlcat(out, lines[i], size);
}

static long now_ms(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

/* Looks up query i; fills out, returns the milliseconds it took or -1. */
static long probe(struct mxg_resolver *r, size_t i, char *out, size_t size)
{
	char err[256];
	struct mxg_dns_answer *a = NULL;
	long start = now_ms();

	if (mxg_dns_lookup(r, o.q[i].name, o.q[i].type, &a, err, sizeof(err)) < 0) {
		snprintf(out, size, "%s %s ERROR %s\n", o.q[i].name, mxg_dns_type_name(o.q[i].type), err);
		return -1;
	}
	long ms = now_ms() - start;
	format(a, out, size);
	mxg_dns_answer_free(a);
	return ms;
}

struct worker {
	struct mxg_resolver *r;
	char (*want)[OUT_MAX];
	unsigned mismatches;
	long max_ms;
	pthread_t tid;
};

static void *work(void *arg)
{
	struct worker *w = arg;
	char got[OUT_MAX];

	for (unsigned k = 0; k < o.repeat; k++) {
		for (size_t i = 0; i < o.nq; i++) {
			long ms = probe(w->r, i, got, sizeof(got));
			if (ms > w->max_ms)
				w->max_ms = ms;
			if (strcmp(got, w->want[i]) != 0)
				w->mismatches++;
		}
	}
	return NULL;
}

/* Runs every query from o.threads threads at once, o.repeat times, against the answers
 * already printed; prints the totals. Returns the exit status. */
static int run_threads(struct mxg_resolver *r, char (*want)[OUT_MAX])
{
	struct worker w[64];
	unsigned mismatches = 0;
	long max_ms = 0;

	for (unsigned t = 0; t < o.threads; t++) {
		w[t] = (struct worker){ .r = r, .want = want };
		if (pthread_create(&w[t].tid, NULL, work, &w[t]) != 0) {
			fprintf(stderr, "dns-probe: cannot start thread %u\n", t);
			return 2;
		}
	}
	for (unsigned t = 0; t < o.threads; t++) {
		pthread_join(w[t].tid, NULL);
		mismatches += w[t].mismatches;
		if (w[t].max_ms > max_ms)
			max_ms = w[t].max_ms;
	}
	printf("threads=%u lookups=%zu mismatches=%u max_ms=%ld\n", o.threads,
	       (size_t)o.threads * o.repeat * o.nq, mismatches, max_ms);
	return mismatches ? 1 : 0;
}

static int usage(void)
{
	fprintf(stderr, "usage: dns-probe (--zone FILE | --resolver ADDR[@PORT]...) [--timeout MS]\n"
			"                 [--trust-anchor FILE] [--no-ttl] [--threads N [--repeat K]]\n"
			"                 NAME/TYPE...\n");
	return 2;
}

static int parse_args(int argc, char **argv)
{
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
		if (strcmp(a, "--no-ttl") == 0) {
			o.ttl = 0;
			continue;
		}
		if (a[0] == '-' && v == NULL)
			return -1;
		if (strcmp(a, "--zone") == 0)
			o.zone = v;
		else if (strcmp(a, "--resolver") == 0 && o.nfwd < 7)
			o.forwarders[o.nfwd++] = v;
		else if (strcmp(a, "--trust-anchor") == 0)
			o.trust_anchor = v;
		else if (strcmp(a, "--timeout") == 0)
			o.timeout_ms = (unsigned)strtoul(v, NULL, 10);
		else if (strcmp(a, "--threads") == 0)
			o.threads = (unsigned)strtoul(v, NULL, 10);
		else if (strcmp(a, "--repeat") == 0)
			o.repeat = (unsigned)strtoul(v, NULL, 10);
		else if (a[0] == '-')
			return -1;
		else {
			const char *slash = strrchr(a, '/');
			if (slash == NULL || o.nq >= MAX_QUERIES || (size_t)(slash - a) >= MXG_DNS_NAME_MAX)
				return -1;
			memcpy(o.q[o.nq].name, a, (size_t)(slash - a));
			o.q[o.nq].name[slash - a] = '\0';
			o.q[o.nq++].type = type_from_name(slash + 1);
			continue;
		}
		i++;
	}
	return (o.zone != NULL) != (o.nfwd > 0) && o.nq > 0 && o.threads <= 64 ? 0 : -1;
}

static struct mxg_resolver *open_resolver(void)
{
	char err[512];
	struct mxg_resolver *r;

	if (o.zone != NULL) {
		r = mxg_resolver_zone_new();
		if (r != NULL && mxg_zone_load_file(r, o.zone, NULL, err, sizeof(err)) < 0) {
			fprintf(stderr, "dns-probe: %s\n", err);
			mxg_resolver_free(r);
			return NULL;
		}
		return r;
	}
	struct mxg_unbound_options uo = { o.forwarders, 0, o.trust_anchor, o.timeout_ms, 0 };
	r = mxg_resolver_unbound_new(&uo, err, sizeof(err));
	if (r == NULL)
		fprintf(stderr, "dns-probe: %s\n", err);
	return r;
}

int main(int argc, char **argv)
{
	static char want[MAX_QUERIES][OUT_MAX];

	if (parse_args(argc, argv) < 0)
		return usage();
	struct mxg_resolver *r = open_resolver();
	if (r == NULL)
		return 2;
	int rc = 0;
	for (size_t i = 0; i < o.nq; i++) {
		long ms = probe(r, i, want[i], sizeof(want[i]));
		fputs(want[i], stdout);
		if (ms < 0)
			rc = 1;
		else if (o.threads == 0)
			fprintf(stderr, "%s/%s ms=%ld\n", o.q[i].name, mxg_dns_type_name(o.q[i].type), ms);
	}
	if (rc == 0 && o.threads > 0)
		rc = run_threads(r, want);
	mxg_resolver_free(r);
	return rc;
}
