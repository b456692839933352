/* Test driver for the DKIM conformance and differential suites: loads a key-record table
 * ("<owner> <TXT value>" lines) into the zone backend, verifies messages, prints one line per signature. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mxguard/dkim.h"
#include "mxguard/dns.h"
#include "mxguard/str.h"

#define NAMES_MAX 512
#define MSG_MAX (8 * 1024 * 1024)

/* Wraps the zone resolver so that a lookup of a name the table does not list is caught:
 * the suites say such a lookup is a harness error, not an NXDOMAIN. */
struct listed {
	struct mxg_resolver *zone;
	size_t count;
	char names[NAMES_MAX][MXG_DNS_NAME_MAX];
	char unlisted[MXG_DNS_NAME_MAX];
};

static int listed_lookup(void *ctx, const char *name, uint16_t type, struct mxg_dns_answer **out,
			 char *err, size_t errlen)
{
	struct listed *l = ctx;
	size_t i = 0;

	while (i < l->count && !mxg_dns_name_equal(l->names[i], name))
		i++;
	if (i == l->count)
		mxg_strlcpy(l->unlisted, name, sizeof(l->unlisted));
	return mxg_dns_lookup(l->zone, name, type, out, err, errlen);
}

static void listed_free(void *ctx)
{
	struct listed *l = ctx;
	mxg_resolver_free(l->zone);
	free(l);
}

static const struct mxg_resolver_ops listed_ops = { listed_lookup, listed_free };

/* TXT RDATA from one value: character-strings of at most 255 octets. */
static int add_txt(struct mxg_resolver *z, const char *owner, const char *val)
{
	uint8_t rd[4096];
	size_t n = 0, len = strlen(val), k = 0;

	if (strcmp(val, "\"\"") == 0)
		len = 0;
	do {
		size_t part = len - k > 255 ? 255 : len - k;
		if (n + 1 + part > sizeof(rd))
			return -1;
		rd[n++] = (uint8_t)part;
		memcpy(rd + n, val + k, part);
		n += part;
		k += part;
	} while (k < len);
	return mxg_zone_add_rr(z, owner, MXG_DNS_TXT, 300, rd, n);
}

static int load_line(struct listed *l, char *line)
{
	char *owner = line, *val;

	line[strcspn(line, "\r\n")] = '\0';
	if (*line == '\0' || *line == '#' || *line == ';')
		return 0;
	val = owner + strcspn(owner, " \t");
	if (*val != '\0')
		*val++ = '\0';
	val += strspn(val, " \t");
	if (l->count >= NAMES_MAX)
		return -1;
	mxg_strlcpy(l->names[l->count++], owner, MXG_DNS_NAME_MAX);
	size_t vl = strlen(val);
	if (strcmp(val, "NXDOMAIN") == 0)
		return 0;
	if (vl >= 4 && strncmp(val, "~~", 2) == 0 && strcmp(val + vl - 2, "~~") == 0)
		return mxg_zone_set_fault(l->zone, owner, 0,
					  strstr(val, "timed out") ? MXG_DNS_TIMEOUT : MXG_DNS_SERVFAIL);
	if (add_txt(l->zone, owner, val) < 0)
		fprintf(stderr, "dkim-vectors: note: the zone backend refused %s\n", owner);
	return 0;
}

static struct mxg_resolver *load_table(const char *path, struct listed **lp)
{
	FILE *f = fopen(path, "r");
	char line[8192];
	struct listed *l = calloc(1, sizeof(*l));

	if (f == NULL || l == NULL || (l->zone = mxg_resolver_zone_new()) == NULL) {
		perror(path);
		exit(2);
	}
	while (fgets(line, sizeof(line), f) != NULL)
		if (load_line(l, line) < 0) {
			fprintf(stderr, "%s: too many names\n", path);
			exit(2);
		}
	fclose(f);
	*lp = l;
	return mxg_resolver_new(&listed_ops, l);
}

static char *read_file(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf = malloc(MSG_MAX);

	if (f == NULL || buf == NULL) {
		perror(path);
		exit(2);
	}
	*len = fread(buf, 1, MSG_MAX, f);
	fclose(f);
	return buf;
}

static void print_results(const char *file, const struct mxg_dkim_verifier *v, struct listed *l)
{
	size_t n = mxg_dkim_result_count(v);

	if (n == 0)
		printf("%s\t0\tnone\t-\t-\t-\tno signature\n", file);
	for (size_t i = 0; i < n; i++) {
		const struct mxg_dkim_sig_result *r = mxg_dkim_result_get(v, i);
		printf("%s\t%zu\t%s\t%s\t%s\t%s\t%s%s\n", file, i + 1, mxg_dkim_result_name(r->result),
		       r->domain[0] ? r->domain : "-", r->selector[0] ? r->selector : "-",
		       r->algorithm[0] ? r->algorithm : "-", r->reason[0] ? r->reason : "-",
		       r->body_has_unsigned_tail ? " [unsigned tail]" : "");
	}
	if (l->unlisted[0] != '\0')
		printf("%s\t-\tharness-error\t-\t-\t-\tlookup of unlisted name %s\n", file, l->unlisted);
	l->unlisted[0] = '\0';
}

/* With --arc: one line per message for its ARC chain instead. */
static void print_arc(const char *file, const struct mxg_dkim_verifier *v)
{
	const struct mxg_arc_result *a = mxg_dkim_arc(v);

	printf("%s\tarc\t%s\t%u\t%s\t-\t%s\n", file, mxg_arc_result_name(a->result), a->instances,
	       a->domain[0] ? a->domain : "-", a->reason[0] ? a->reason : "-");
}

int main(int argc, char **argv)
{
	struct mxg_dkim_options opt = { 0 };
	struct listed *l;
	int i = 1, arc = 0;

	if (argc > 1 && strcmp(argv[1], "--arc") == 0) {
		arc = 1;
		i++;
	}
	for (; i + 1 < argc && strncmp(argv[i], "--", 2) == 0; i += 2) {
		if (strcmp(argv[i], "--now") == 0)
			opt.now = (time_t)strtoll(argv[i + 1], NULL, 10);
		else if (strcmp(argv[i], "--max-signatures") == 0)
			opt.max_signatures = (unsigned)strtoul(argv[i + 1], NULL, 10);
		else
			break;
	}
	if (argc - i < 2) {
		fprintf(stderr, "usage: dkim-vectors [--arc] [--now T] [--max-signatures N] KEYTABLE MESSAGE...\n");
		return 2;
	}
	struct mxg_resolver *r = load_table(argv[i], &l);
	struct mxg_dkim_key_cache *cache = mxg_dkim_key_cache_new(64);
	if (r == NULL || cache == NULL)
		return 2;
	for (i++; i < argc; i++) {
		size_t len;
		char *msg = read_file(argv[i], &len);
		struct mxg_dkim_verifier *v = mxg_dkim_verify_buffer(r, cache, &opt, msg, len);
		if (v == NULL) {
			fprintf(stderr, "%s: out of memory\n", argv[i]);
			return 2;
		}
		if (arc)
			print_arc(argv[i], v);
		else
			print_results(argv[i], v, l);
		mxg_dkim_verifier_free(v);
		free(msg);
	}
	mxg_dkim_key_cache_free(cache);
	mxg_resolver_free(r);
	return 0;
}
