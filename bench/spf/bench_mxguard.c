/* bench/spf driver for mxguard: evaluates the workload's checks in a loop for some seconds
 * through one resolver backend and prints evaluations per second and result mismatches.
 *   bench_mxguard stub|unbound|zone ZONEFILE WORKLOAD SECONDS */
#include <arpa/nameser.h>
#include <netdb.h>
#include <resolv.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "mxguard/spf.h"

#define CHECKS_MAX 1024

struct check {
	struct mxg_addr ip;
	char sender[256], helo[256], want[16];
};

/* The stub backend: every lookup is one query to the resolver in /etc/resolv.conf, as
 * libspf2's resolv layer and pyspf do, so no contender answers from its own cache. */
static int stub_lookup(void *ctx, const char *name, uint16_t type, struct mxg_dns_answer **out,
		       char *err, size_t errlen)
{
	unsigned char msg[65536];
	(void)ctx;

	*out = mxg_dns_answer_new(name, type);
	if (*out == NULL) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	int n = res_query(name, ns_c_in, type, msg, sizeof(msg));
	if (n >= 0)
		return mxg_dns_answer_from_packet(*out, msg, (size_t)n) < 0 ? -1 : 0;
	if (h_errno == HOST_NOT_FOUND)
		(*out)->rcode = MXG_DNS_NXDOMAIN;
	else if (h_errno != NO_DATA)
		(*out)->rcode = h_errno == TRY_AGAIN ? MXG_DNS_SERVFAIL : MXG_DNS_TIMEOUT;
	return 0;
}

static void stub_free(void *ctx)
{
	(void)ctx;
}

static struct mxg_resolver *open_backend(const char *mode, const char *zonefile)
{
	static const struct mxg_resolver_ops stub = { stub_lookup, stub_free };
	static const char *const fwd[] = { "127.0.0.1@53", NULL };
	char err[512];
	struct mxg_resolver *r = NULL;

	if (strcmp(mode, "stub") == 0) {
		res_init();
		r = mxg_resolver_new(&stub, NULL);
	} else if (strcmp(mode, "unbound") == 0 || strcmp(mode, "cached") == 0) {
		/* cached: the core's answer cache in front, as mxguard-policyd and the milter run it */
		struct mxg_unbound_options o = { .forwarders = fwd,
						 .answer_cache = strcmp(mode, "cached") == 0 ? 4096 : 0 };
		r = mxg_resolver_unbound_new(&o, err, sizeof(err));
	} else if ((r = mxg_resolver_zone_new()) && mxg_zone_load_file(r, zonefile, NULL, err, sizeof(err)) < 0) {
		mxg_resolver_free(r);
		r = NULL;
	}
	if (r == NULL)
		fprintf(stderr, "bench_mxguard: %s backend: %s\n", mode, err);
	return r;
}

static size_t load(const char *path, struct check *c)
{
	char ip[64];
	size_t n = 0;
	FILE *f = fopen(path, "r");

	if (f == NULL)
		return 0;
	while (n < CHECKS_MAX && fscanf(f, "%63s %255s %255s %15s", ip, c[n].sender, c[n].helo, c[n].want) == 4)
		if (mxg_addr_parse(ip, &c[n].ip, 0) == 0)
			n++;
	fclose(f);
	return n;
}

static double now(void)
{
	struct timespec ts;
	/* BENCH_CPU_TIME=1: the process's CPU time, which other load on the machine leaves alone
	 * (meaningful when the answers come from the process's own cache). */
	clock_gettime(getenv("BENCH_CPU_TIME") ? CLOCK_PROCESS_CPUTIME_ID : CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
	static struct check c[CHECKS_MAX];
	struct mxg_spf_outcome out;

	if (argc != 5)
		return 2;
	size_t n = load(argv[3], c);
	struct mxg_resolver *r = open_backend(argv[1], argv[2]);
	if (n == 0 || r == NULL)
		return 2;
	unsigned mismatch = 0;
	for (size_t i = 0; i < n; i++) /* warm-up pass: also checks every answer */
		if (strcmp(mxg_spf_result_name(mxg_spf_check_mailfrom(r, NULL, &c[i].ip, c[i].sender,
					c[i].helo, &out)), c[i].want) != 0) {
			mismatch++;
			fprintf(stderr, "%s %s: %s (%s)\n", c[i].sender, c[i].want,
				mxg_spf_result_name(out.result), out.problem);
		}
	/* SECONDS, or xN: exactly N passes (for instruction counts under callgrind). */
	unsigned long passes = argv[4][0] == 'x' ? strtoul(argv[4] + 1, NULL, 10) : 0;
	double secs = passes ? 0 : atof(argv[4]), t0 = now(), t;
	unsigned long evals = 0;
	do {
		for (size_t i = 0; i < n; i++)
			mxg_spf_check_mailfrom(r, NULL, &c[i].ip, c[i].sender, c[i].helo, &out);
		evals += n;
	} while ((t = now() - t0) < secs || evals < passes * n);
	printf("mxguard-%s %.0f %u %lu\n", argv[1], evals / t, mismatch,
	       mxg_resolver_lookups(r) / (evals + n));
	mxg_resolver_free(r);
	return 0;
}
