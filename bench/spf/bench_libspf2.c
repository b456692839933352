/* bench/spf driver for libspf2: the same loop as bench_mxguard over SPF_request_query_mailfrom,
 * with libspf2's plain resolver layer (every query to the resolver) or its caching layer.
 *   bench_libspf2 resolv|cache WORKLOAD SECONDS */
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <spf2/spf.h>

#define CHECKS_MAX 1024

struct check {
	char ip[64], sender[256], helo[256], want[16];
};

static double now(void)
{
	struct timespec ts;
	/* BENCH_CPU_TIME=1: the process's CPU time, which other load on the machine leaves alone
	 * (meaningful when the answers come from the process's own cache). */
	clock_gettime(getenv("BENCH_CPU_TIME") ? CLOCK_PROCESS_CPUTIME_ID : CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static const char *evaluate(SPF_server_t *srv, const struct check *c)
{
	static char result[16];
	SPF_request_t *req = SPF_request_new(srv);
	SPF_response_t *resp = NULL;

	if (strchr(c->ip, ':'))
		SPF_request_set_ipv6_str(req, c->ip);
	else
		SPF_request_set_ipv4_str(req, c->ip);
	SPF_request_set_helo_dom(req, c->helo);
	SPF_request_set_env_from(req, c->sender);
	SPF_request_query_mailfrom(req, &resp);
	snprintf(result, sizeof(result), "%s", resp ? SPF_strresult(SPF_response_result(resp)) : "?");
	SPF_response_free(resp);
	SPF_request_free(req);
	return result;
}

int main(int argc, char **argv)
{
	static struct check c[CHECKS_MAX];
	size_t n = 0;

	if (argc != 4)
		return 2;
	FILE *f = fopen(argv[2], "r");
	if (f == NULL)
		return 2;
	while (n < CHECKS_MAX && fscanf(f, "%63s %255s %255s %15s", c[n].ip, c[n].sender, c[n].helo, c[n].want) == 4)
		n++;
	fclose(f);
	SPF_server_t *srv = SPF_server_new(strcmp(argv[1], "cache") == 0 ? SPF_DNS_CACHE : SPF_DNS_RESOLV, 0);
	if (n == 0 || srv == NULL)
		return 2;
	unsigned mismatch = 0;
	for (size_t i = 0; i < n; i++)
		if (strcmp(evaluate(srv, &c[i]), c[i].want) != 0)
			mismatch++;
	/* SECONDS, or xN: exactly N passes (for instruction counts under callgrind). */
	unsigned long passes = argv[3][0] == 'x' ? strtoul(argv[3] + 1, NULL, 10) : 0;
	double secs = passes ? 0 : atof(argv[3]), t0 = now(), t;
	unsigned long evals = 0;
	do {
		for (size_t i = 0; i < n; i++)
			evaluate(srv, &c[i]);
		evals += n;
	} while ((t = now() - t0) < secs || evals < passes * n);
	printf("libspf2-%s %.0f %u -\n", argv[1], evals / t, mismatch);
	SPF_server_free(srv);
	return 0;
}
