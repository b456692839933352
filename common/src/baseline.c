/* The baseline file and its comparison (pure: the snapshot's DNS work is in baseline_gather.c).
 * Format, version 1, one item a line ('#' comments and blank lines ignored):
 *
 *   mxguard-baseline 1
 *   domain example.com
 *   mx 10 mx1.example.com
 *   addr mx1.example.com 192.0.2.1
 *   tlsa mx1.example.com 3 1 1 0123abcd...
 *   mta-sts-id 20240101T000000
 *
 * Each fact is in one canonical spelling (lower-case names without the final dot, addresses as
 * inet_ntop writes them, lower-case hex), so comparing two snapshots is comparing sorted lines. */
#include "mxguard/file.h"
#include "mxguard/baseline.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mxguard/addr.h"
#include "mxguard/str.h"
#include "mxguard/textfile.h"

#define WORDS_MAX 7

/* Splits a fact into words at single spaces; the count, or -1 when it is not so spelled. */
static int split(char *s, char **w)
{
	int n = 0;

	for (char *p = s;; p++) {
		if (n == WORDS_MAX)
			return -1;
		w[n++] = p;
		p = strchr(p, ' ');
		if (p == NULL)
			break;
		*p = '\0';
		if (p[1] == '\0' || p[1] == ' ')
			return -1;
	}
	return w[0][0] ? n : -1;
}

/* A decimal number 0..max without sign or leading zeros. */
static int number(const char *s, unsigned long max)
{
	char *end;

	if (s[0] < '0' || s[0] > '9' || (s[0] == '0' && s[1] != '\0') || strlen(s) > 5)
		return 0;
	errno = 0;
	unsigned long v = strtoul(s, &end, 10);
	return *end == '\0' && errno == 0 && v <= max;
}

/* A host name in canonical form, or "." (the null MX). */
static int name_ok(const char *s)
{
	char norm[MXG_DNS_NAME_MAX];

	if (strcmp(s, ".") == 0)
		return 1;
	return s[0] != '\0' && mxg_dns_name_normalize(s, norm, sizeof(norm)) == 0 &&
	       strcmp(norm, s) == 0;
}

static int addr_ok(const char *s)
{
	struct mxg_addr a;
	char text[64];

	return mxg_addr_parse(s, &a, 0) == 0 && mxg_addr_format(&a, text, sizeof(text)) == 0 &&
	       strcmp(text, s) == 0;
}

static int hex_ok(const char *s)
{
	size_t n = strlen(s);

	if (n == 0 || n % 2 || n > 2 * MXG_BASELINE_TLSA_DATA_MAX)
		return 0;
	return strspn(s, "0123456789abcdef") == n;
}

static int id_ok(const char *s)
{
	size_t n = strlen(s);

	if (n == 0 || n > 64)
		return 0;
	for (size_t i = 0; i < n; i++)
		if (s[i] < 0x21 || s[i] > 0x7e)
			return 0;
	return 1;
}

/* NULL when fact is well formed, else why not. */
static const char *fact_problem(const char *fact)
{
	char copy[MXG_BASELINE_LINE_MAX + 1], *w[WORDS_MAX];

	if (mxg_strlcpy(copy, fact, sizeof(copy)) >= sizeof(copy))
		return "line too long";
	int n = split(copy, w);
	if (n < 0)
		return "fields must be separated by single spaces";
	if (strcmp(w[0], "mx") == 0)
		return n == 3 && number(w[1], 65535) && name_ok(w[2]) ? NULL
			: "expected: mx PREFERENCE HOST";
	if (strcmp(w[0], "addr") == 0)
		return n == 3 && name_ok(w[1]) && addr_ok(w[2]) ? NULL
			: "expected: addr HOST ADDRESS (canonical form)";
	if (strcmp(w[0], "tlsa") == 0)
		return n == 6 && name_ok(w[1]) && number(w[2], 255) && number(w[3], 255) &&
				       number(w[4], 255) && hex_ok(w[5])
			       ? NULL
			       : "expected: tlsa HOST USAGE SELECTOR TYPE HEX (lower-case hex)";
	if (strcmp(w[0], "mta-sts-id") == 0)
		return n == 2 && id_ok(w[1]) ? NULL : "expected: mta-sts-id ID (1 to 64 characters)";
	return "unknown keyword (domain, mx, addr, tlsa, mta-sts-id)";
}

/* Inserts an owned, well-formed fact in order; frees it when already there. */
static int insert_fact(struct mxg_baseline_domain *d, char *fact)
{
	size_t lo = 0, hi = d->count;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		int c = strcmp(d->facts[mid], fact);
		if (c == 0) {
			free(fact);
			return 0;
		}
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (d->count >= MXG_BASELINE_FACTS_MAX)
		return -1;
	char **facts = realloc(d->facts, (d->count + 1) * sizeof(*facts));
	if (facts == NULL)
		return -1;
	d->facts = facts;
	memmove(&facts[lo + 1], &facts[lo], (d->count - lo) * sizeof(*facts));
	facts[lo] = fact;
	d->count++;
	return 0;
}

int mxg_baseline_add(struct mxg_baseline_domain *d, const char *fmt, ...)
{
	char line[MXG_BASELINE_LINE_MAX + 1];
	va_list ap;

	va_start(ap, fmt);
	int n = vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= sizeof(line) || fact_problem(line) != NULL)
		return -1;
	char *fact = strdup(line);
	if (fact == NULL || insert_fact(d, fact) < 0) {
		free(fact);
		return -1;
	}
	return 0;
}

void mxg_baseline_domain_free(struct mxg_baseline_domain *d)
{
	for (size_t i = 0; i < d->count; i++)
		free(d->facts[i]);
	free(d->facts);
	d->facts = NULL;
	d->count = 0;
}

void mxg_baseline_free(struct mxg_baseline *b)
{
	for (size_t i = 0; i < b->count; i++)
		mxg_baseline_domain_free(&b->domains[i]);
	free(b->domains);
	b->domains = NULL;
	b->count = 0;
}

/* The position of name in b, or where it would go (*found says which). */
static size_t domain_index(const struct mxg_baseline *b, const char *name, int *found)
{
	size_t lo = 0, hi = b->count;

	*found = 0;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		int c = strcmp(b->domains[mid].name, name);
		if (c == 0) {
			*found = 1;
			return mid;
		}
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

const struct mxg_baseline_domain *mxg_baseline_find(const struct mxg_baseline *b,
						    const char *domain)
{
	int found;
	size_t i = domain_index(b, domain, &found);

	return found ? &b->domains[i] : NULL;
}

int mxg_baseline_put(struct mxg_baseline *b, struct mxg_baseline_domain *d)
{
	int found;
	size_t i = domain_index(b, d->name, &found);

	if (found) {
		mxg_baseline_domain_free(&b->domains[i]);
	} else {
		if (b->count >= MXG_BASELINE_DOMAINS_MAX)
			return -1;
		struct mxg_baseline_domain *all =
			realloc(b->domains, (b->count + 1) * sizeof(*all));
		if (all == NULL)
			return -1;
		b->domains = all;
		memmove(&all[i + 1], &all[i], (b->count - i) * sizeof(*all));
		b->count++;
	}
	b->domains[i] = *d;
	d->facts = NULL;
	d->count = 0;
	return 0;
}

/* --- reading --- */

struct parse {
	const char *name;
	unsigned line;
	int have_version;
	struct mxg_baseline_domain cur; /* the domain being read; cur.name "" before the first */
	struct mxg_baseline *b;
	char *err;
	size_t errlen;
};

static int parse_fail(struct parse *p, const char *why)
{
	snprintf(p->err, p->errlen, "%s:%u: %s", p->name, p->line, why);
	return -1;
}

/* Ends the domain being read: into b. */
static int flush_domain(struct parse *p)
{
	if (p->cur.name[0] == '\0')
		return 0;
	if (mxg_baseline_find(p->b, p->cur.name) != NULL)
		return parse_fail(p, "domain listed twice");
	if (mxg_baseline_put(p->b, &p->cur) < 0)
		return parse_fail(p, "too many domains (or out of memory)");
	p->cur.name[0] = '\0';
	return 0;
}

static int parse_line(struct parse *p, char *line)
{
	char norm[MXG_DNS_NAME_MAX];

	if (line[0] == '\0' || line[0] == '#')
		return 0;
	if (!p->have_version) {
		if (strncmp(line, "mxguard-baseline ", 17) != 0)
			return parse_fail(p, "not an mxguard baseline (no 'mxguard-baseline 1' line)");
		if (strcmp(line + 17, "1") != 0)
			return parse_fail(p, "baseline format version not supported (this mxguard reads 1)");
		p->have_version = 1;
		return 0;
	}
	if (strncmp(line, "domain ", 7) == 0) {
		if (flush_domain(p) < 0)
			return -1;
		if (!name_ok(line + 7) || strcmp(line + 7, ".") == 0 ||
		    mxg_dns_name_normalize(line + 7, norm, sizeof(norm)) < 0)
			return parse_fail(p, "expected: domain NAME (lower case, no final dot)");
		mxg_strlcpy(p->cur.name, norm, sizeof(p->cur.name));
		return 0;
	}
	if (p->cur.name[0] == '\0')
		return parse_fail(p, "a fact before the first 'domain' line");
	const char *why = fact_problem(line);
	if (why != NULL)
		return parse_fail(p, why);
	char *fact = strdup(line);
	if (fact == NULL || insert_fact(&p->cur, fact) < 0) {
		free(fact);
		return parse_fail(p, "too many facts for one domain (or out of memory)");
	}
	return 0;
}

/* Copies the next line of text (without its newline, a final CR dropped) into line. */
static int next_line(struct parse *p, const char **pos, const char *end, char *line)
{
	const char *nl = memchr(*pos, '\n', (size_t)(end - *pos));
	size_t n = (size_t)((nl ? nl : end) - *pos);

	p->line++;
	if (n > 0 && (*pos)[n - 1] == '\r')
		n--;
	if (n > MXG_BASELINE_LINE_MAX)
		return parse_fail(p, "line too long");
	if (memchr(*pos, '\0', n) != NULL)
		return parse_fail(p, "NUL byte in the line");
	memcpy(line, *pos, n);
	line[n] = '\0';
	*pos = nl ? nl + 1 : end;
	return 0;
}

int mxg_baseline_parse(const char *name, const char *text, size_t len, struct mxg_baseline *b,
		       char *err, size_t errlen)
{
	struct parse p = { .name = name, .b = b, .err = err, .errlen = errlen };
	char line[MXG_BASELINE_LINE_MAX + 1];
	const char *pos = text, *end = text + len;
	int rc = 0;

	memset(b, 0, sizeof(*b));
	if (len > MXG_BASELINE_FILE_MAX)
		return mxg_fail(err, errlen, "%s: larger than %u bytes", name, MXG_BASELINE_FILE_MAX);
	while (rc == 0 && pos < end) {
		rc = next_line(&p, &pos, end, line);
		if (rc == 0)
			rc = parse_line(&p, line);
	}
	if (rc == 0 && !p.have_version)
		rc = parse_fail(&p, "not an mxguard baseline (no 'mxguard-baseline 1' line)");
	if (rc == 0)
		rc = flush_domain(&p);
	mxg_baseline_domain_free(&p.cur);
	if (rc < 0)
		mxg_baseline_free(b);
	return rc;
}

int mxg_baseline_load(const char *path, struct mxg_baseline *b, char *err, size_t errlen)
{
	size_t len;

	memset(b, 0, sizeof(*b));
	char *text = mxg_file_read(path, MXG_BASELINE_FILE_MAX, &len, err, errlen);
	if (text == NULL)
		return errno == ENOENT ? 0 : -1;
	int rc = mxg_baseline_parse(path, text, len, b, err, errlen);
	free(text);
	return rc < 0 ? -1 : 1;
}

/* --- writing --- */

static void write_all(FILE *f, void *arg)
{
	const struct mxg_baseline *b = arg;

	fprintf(f, "# mxguard baseline: where mail for each domain went when it was saved.\n"
		   "# Written by mxguard check --baseline FILE [--save-baseline]; see mxguard(1).\n"
		   "mxguard-baseline %d\n", MXG_BASELINE_VERSION);
	for (size_t i = 0; i < b->count; i++) {
		fprintf(f, "domain %s\n", b->domains[i].name);
		for (size_t j = 0; j < b->domains[i].count; j++)
			fprintf(f, "%s\n", b->domains[i].facts[j]);
	}
}

int mxg_baseline_save(const char *path, const struct mxg_baseline *b, char *err, size_t errlen)
{
	return mxg_textfile_write(path, write_all, (void *)b, err, errlen);
}

/* --- comparing --- */

static int changed(struct mxg_findings *out, const char *domain, const char *how,
		   const char *fact, int *n)
{
	if (++*n > MXG_BASELINE_CHANGES_MAX)
		return 0;
	return mxg_findings_add(out, MXG_F_MX_CHANGED, -1, domain, "%s since the baseline: %s", how,
				fact);
}

int mxg_baseline_compare(const struct mxg_baseline_domain *old,
			 const struct mxg_baseline_domain *cur, struct mxg_findings *out)
{
	size_t i = 0, j = 0;
	int n = 0, rc = 0;

	while (rc == 0 && (i < old->count || j < cur->count)) {
		int c = i == old->count ? 1 : j == cur->count ? -1
							      : strcmp(old->facts[i], cur->facts[j]);
		if (c < 0)
			rc = changed(out, cur->name, "removed", old->facts[i++], &n);
		else if (c > 0)
			rc = changed(out, cur->name, "added", cur->facts[j++], &n);
		else
			i++, j++;
	}
	if (rc == 0 && n > MXG_BASELINE_CHANGES_MAX)
		rc = mxg_findings_add(out, MXG_F_MX_CHANGED, -1, cur->name,
				      "and %d more changes since the baseline",
				      n - MXG_BASELINE_CHANGES_MAX);
	return rc < 0 ? -1 : n;
}
