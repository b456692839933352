/* Unit tests of the DMARC report store (report_store*.c) against SQLite: schema creation and
 * migration bookkeeping, batched inserts, the report queries and their counts, intervals
 * reported once, retention, received reports de-duplicated, the text forms, clear errors.
 * With MXG_TEST_STORE set (postgresql://... on an empty database) the same tests run against
 * PostgreSQL: tests/integration/report-store.sh does that. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "mxguard/report_store.h"
#include "mxguard/str.h"

static char dir[] = "/tmp/mxg-store-XXXXXX";
static char spec[MXG_STORE_SPEC_MAX];
static struct mxg_store *st;
static char err[256];

static int setup(void **state)
{
	(void)state;
	const char *env = getenv("MXG_TEST_STORE");
	if (env != NULL && env[0] != '\0') {
		mxg_strlcpy(spec, env, sizeof(spec));
	} else {
		assert_non_null(mkdtemp(dir));
		snprintf(spec, sizeof(spec), "sqlite:%s/dmarc.db", dir);
	}
	st = mxg_store_open(spec, err, sizeof(err));
	if (st == NULL)
		fprintf(stderr, "open %s: %s\n", spec, err);
	return st == NULL ? -1 : 0;
}

static int teardown(void **state)
{
	(void)state;
	mxg_store_close(st);
	if (strncmp(spec, "sqlite:", 7) == 0) {
		char p[MXG_STORE_SPEC_MAX + 8];
		const char *sfx[] = { "", "-wal", "-shm" };
		for (size_t i = 0; i < 3; i++) {
			snprintf(p, sizeof(p), "%s%s", spec + 7, sfx[i]);
			unlink(p);
		}
		rmdir(dir);
	}
	return 0;
}

static void eval_fill(struct mxg_store_eval *e, int64_t t, const char *ip, const char *domain,
		      int pass)
{
	memset(e, 0, sizeof(*e));
	e->time = t;
	mxg_strlcpy(e->source_ip, ip, sizeof(e->source_ip));
	mxg_strlcpy(e->env_from, domain, sizeof(e->env_from));
	mxg_strlcpy(e->header_from, domain, sizeof(e->header_from));
	mxg_strlcpy(e->policy_domain, domain, sizeof(e->policy_domain));
	mxg_strlcpy(e->spf_result, pass ? "pass" : "fail", sizeof(e->spf_result));
	mxg_strlcpy(e->spf_domain, domain, sizeof(e->spf_domain));
	mxg_strlcpy(e->spf_scope, "mfrom", sizeof(e->spf_scope));
	e->dkim_count = 1;
	mxg_strlcpy(e->dkim[0].domain, domain, sizeof(e->dkim[0].domain));
	mxg_strlcpy(e->dkim[0].selector, "sel1", sizeof(e->dkim[0].selector));
	mxg_strlcpy(e->dkim[0].result, pass ? "pass" : "fail", sizeof(e->dkim[0].result));
	mxg_strlcpy(e->dmarc_result, pass ? "pass" : "fail", sizeof(e->dmarc_result));
	e->spf_aligned = pass;
	e->dkim_aligned = pass;
	mxg_strlcpy(e->p, "reject", sizeof(e->p));
	e->pct = 100;
	mxg_strlcpy(e->rua, "mailto:dmarc@example.net", sizeof(e->rua));
	mxg_strlcpy(e->disposition, pass ? "none" : "reject", sizeof(e->disposition));
}

static void test_schema(void **state)
{
	(void)state;
	assert_int_equal(mxg_store_schema_version(st, err, sizeof(err)), MXG_STORE_SCHEMA_VERSION);
	/* Opening again finds the schema current and changes nothing. */
	struct mxg_store *again = mxg_store_open(spec, err, sizeof(err));
	assert_non_null(again);
	assert_int_equal(mxg_store_schema_version(again, err, sizeof(err)),
			 MXG_STORE_SCHEMA_VERSION);
	mxg_store_close(again);
}

struct seen {
	size_t n;
	uint64_t total;
	char domains[4][64];
	uint64_t counts[8];
	char ips[8][48];
	char disp[8][12];
	size_t dkim_count[8];
	char sel[8][64];
};

static int on_domain(void *arg, const struct mxg_store_domain *d)
{
	struct seen *s = arg;
	if (s->n < 4)
		mxg_strlcpy(s->domains[s->n], d->policy_domain, sizeof(s->domains[0]));
	s->total += d->count;
	s->n++;
	return 0;
}

static int on_group(void *arg, const struct mxg_store_group *g)
{
	struct seen *s = arg;
	if (s->n < 8) {
		s->counts[s->n] = g->count;
		mxg_strlcpy(s->ips[s->n], g->e.source_ip, sizeof(s->ips[0]));
		mxg_strlcpy(s->disp[s->n], g->e.disposition, sizeof(s->disp[0]));
		s->dkim_count[s->n] = g->e.dkim_count;
		mxg_strlcpy(s->sel[s->n], g->e.dkim_count > 0 ? g->e.dkim[0].selector : "",
			    sizeof(s->sel[0]));
	}
	s->total += g->count;
	s->n++;
	return 0;
}

/* 5 passes from one source, 2 failures from another, 1 row for a domain without rua,
 * 1 row outside the interval. */
static void insert_known(int64_t base)
{
	struct mxg_store_eval rows[9];
	for (int i = 0; i < 5; i++)
		eval_fill(&rows[i], base + i, "192.0.2.1", "q.example", 1);
	for (int i = 5; i < 7; i++)
		eval_fill(&rows[i], base + 100 + i, "198.51.100.7", "q.example", 0);
	eval_fill(&rows[7], base + 50, "192.0.2.9", "norua.example", 1);
	rows[7].rua[0] = '\0';
	eval_fill(&rows[8], base + 86400, "192.0.2.1", "q.example", 1);
	assert_int_equal(mxg_store_insert(st, rows, 9, err, sizeof(err)), 0);
}

static void test_report_queries(void **state)
{
	(void)state;
	int64_t base = 1700006400; /* a UTC midnight */
	insert_known(base);
	struct seen d = { 0 };
	assert_int_equal(mxg_store_domains(st, base, base + 86400, on_domain, &d, err, sizeof(err)),
			 0);
	assert_int_equal(d.n, 1);
	assert_string_equal(d.domains[0], "q.example");
	assert_int_equal(d.total, 7);

	struct seen g = { 0 };
	assert_int_equal(mxg_store_groups(st, "q.example", base, base + 86400, 100, on_group, &g,
					  err, sizeof(err)), 0);
	assert_int_equal(g.n, 2);
	assert_string_equal(g.ips[0], "192.0.2.1");
	assert_int_equal(g.counts[0], 5);
	assert_string_equal(g.disp[0], "none");
	assert_int_equal(g.dkim_count[0], 1);
	assert_string_equal(g.sel[0], "sel1");
	assert_string_equal(g.ips[1], "198.51.100.7");
	assert_int_equal(g.counts[1], 2);
	assert_string_equal(g.disp[1], "reject");

	/* A limit below the groups present is an error, never a cut report. */
	struct seen cut = { 0 };
	assert_int_equal(mxg_store_groups(st, "q.example", base, base + 86400, 1, on_group, &cut,
					  err, sizeof(err)), -1);
	assert_non_null(strstr(err, "more than 1"));
}

static void test_batch_limit(void **state)
{
	(void)state;
	static struct mxg_store_eval rows[MXG_STORE_BATCH_MAX + 1];
	assert_int_equal(mxg_store_insert(st, rows, MXG_STORE_BATCH_MAX + 1, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "batch"));
	for (size_t i = 0; i < MXG_STORE_BATCH_MAX; i++)
		eval_fill(&rows[i], 1600000000 + (int64_t)i, "203.0.113.5", "batch.example", 1);
	assert_int_equal(mxg_store_insert(st, rows, MXG_STORE_BATCH_MAX, err, sizeof(err)), 0);
	struct seen g = { 0 };
	assert_int_equal(mxg_store_groups(st, "batch.example", 1600000000, 1600000000 + 86400, 10,
					  on_group, &g, err, sizeof(err)), 0);
	assert_int_equal(g.total, MXG_STORE_BATCH_MAX);
}

static void test_mark_once(void **state)
{
	(void)state;
	assert_int_equal(mxg_store_is_reported(st, "m.example", 1700000000, err, sizeof(err)), 0);
	assert_int_equal(mxg_store_mark_reported(st, "m.example", 1700000000, 1700086400, "id-1",
						 err, sizeof(err)), 0);
	assert_int_equal(mxg_store_is_reported(st, "m.example", 1700000000, err, sizeof(err)), 1);
	assert_int_equal(mxg_store_mark_reported(st, "m.example", 1700000000, 1700086400, "id-2",
						 err, sizeof(err)), 1);
	assert_int_equal(mxg_store_is_reported(st, "other.example", 1700000000, err, sizeof(err)),
			 0);
}

static void test_prune(void **state)
{
	(void)state;
	struct mxg_store_eval rows[3];
	eval_fill(&rows[0], 1000, "192.0.2.3", "old.example", 1);
	eval_fill(&rows[1], 2000, "192.0.2.3", "old.example", 1);
	eval_fill(&rows[2], 5000, "192.0.2.3", "old.example", 1);
	assert_int_equal(mxg_store_insert(st, rows, 3, err, sizeof(err)), 0);
	uint64_t deleted = 99;
	/* Keep 3000 s before 6000: rows at 1000 and 2000 go (and nothing newer elsewhere). */
	assert_int_equal(mxg_store_prune(st, 6000, 3000, &deleted, err, sizeof(err)), 0);
	assert_int_equal(deleted, 2);
	struct seen g = { 0 };
	assert_int_equal(mxg_store_groups(st, "old.example", 0, 10000, 10, on_group, &g, err,
					  sizeof(err)), 0);
	assert_int_equal(g.total, 1);
	int64_t first = 0;
	assert_int_equal(mxg_store_first_time(st, &first, err, sizeof(err)), 0);
	assert_int_equal(first, 5000);
}

static int on_rr(void *arg, const struct mxg_store_rr_report *rep,
		 const struct mxg_store_rr_record *rec)
{
	struct seen *s = arg;
	if (s->n < 8) {
		s->counts[s->n] = rec->count;
		mxg_strlcpy(s->ips[s->n], rec->source_ip, sizeof(s->ips[0]));
		mxg_strlcpy(s->sel[s->n], rep->org_name, sizeof(s->sel[0]));
		s->dkim_count[s->n] = rec->dkim_count;
	}
	s->total += rec->count;
	s->n++;
	return 0;
}

static void test_received(void **state)
{
	(void)state;
	struct mxg_store_rr_report rep = { 0 };
	mxg_strlcpy(rep.org_name, "receiver.example", sizeof(rep.org_name));
	mxg_strlcpy(rep.report_id, "r-42", sizeof(rep.report_id));
	mxg_strlcpy(rep.domain, "rr.example", sizeof(rep.domain));
	mxg_strlcpy(rep.p, "none", sizeof(rep.p));
	rep.begin = 1700000000;
	rep.end = 1700086400;
	rep.pct = -1;
	struct mxg_store_rr_record rec[2] = { 0 };
	mxg_strlcpy(rec[0].source_ip, "192.0.2.10", sizeof(rec[0].source_ip));
	rec[0].count = 12;
	rec[0].dkim_count = 2;
	mxg_strlcpy(rec[0].dkim[0].domain, "rr.example", sizeof(rec[0].dkim[0].domain));
	mxg_strlcpy(rec[0].dkim[0].result, "pass", sizeof(rec[0].dkim[0].result));
	mxg_strlcpy(rec[0].dkim[1].domain, "esp.example", sizeof(rec[0].dkim[1].domain));
	mxg_strlcpy(rec[0].dkim[1].result, "fail", sizeof(rec[0].dkim[1].result));
	mxg_strlcpy(rec[1].source_ip, "2001:db8::1", sizeof(rec[1].source_ip));
	rec[1].count = 3;
	assert_int_equal(mxg_store_rr_insert(st, &rep, rec, 2, err, sizeof(err)), 0);
	/* The same org and report id again: refused as a duplicate, nothing added. */
	assert_int_equal(mxg_store_rr_insert(st, &rep, rec, 2, err, sizeof(err)), 1);
	struct seen s = { 0 };
	assert_int_equal(mxg_store_rr_records(st, "rr.example", 0, on_rr, &s, err, sizeof(err)), 0);
	assert_int_equal(s.n, 2);
	assert_int_equal(s.total, 15);
	assert_string_equal(s.sel[0], "receiver.example");
	assert_int_equal(s.dkim_count[0], 2);
	/* Retention removes received reports too. */
	assert_int_equal(mxg_store_prune(st, 1700086400 + 10, 5, NULL, err, sizeof(err)), 0);
	struct seen after = { 0 };
	assert_int_equal(mxg_store_rr_records(st, "rr.example", 0, on_rr, &after, err,
					      sizeof(err)), 0);
	assert_int_equal(after.n, 0);
}

static void test_duration(void **state)
{
	(void)state;
	int64_t v;
	assert_int_equal(mxg_store_parse_duration("31d", &v), 0);
	assert_int_equal(v, 31 * 86400);
	assert_int_equal(mxg_store_parse_duration("12h", &v), 0);
	assert_int_equal(v, 12 * 3600);
	assert_int_equal(mxg_store_parse_duration("2w", &v), 0);
	assert_int_equal(v, 14 * 86400);
	assert_int_equal(mxg_store_parse_duration("3600", &v), 0);
	assert_int_equal(v, 3600);
	assert_int_equal(mxg_store_parse_duration("0d", &v), -1);
	assert_int_equal(mxg_store_parse_duration("-1d", &v), -1);
	assert_int_equal(mxg_store_parse_duration("31dd", &v), -1);
	assert_int_equal(mxg_store_parse_duration("31y", &v), -1);
	assert_int_equal(mxg_store_parse_duration("99999999999d", &v), -1);
	assert_int_equal(mxg_store_parse_duration("", &v), -1);
}

static void test_dkim_text(void **state)
{
	(void)state;
	struct mxg_store_dkim d[2] = { { "a.example", "s1", "pass" }, { "b.example", "s:x", "fail" } };
	char buf[256];
	assert_int_equal(mxg_store_dkim_format(d, 2, buf, sizeof(buf)), 0);
	assert_string_equal(buf, "pass:a.example:s1 fail:b.example:invalid");
	struct mxg_store_dkim back[MXG_STORE_DKIM_MAX];
	size_t n;
	assert_int_equal(mxg_store_dkim_parse(buf, back, MXG_STORE_DKIM_MAX, &n), 0);
	assert_int_equal(n, 2);
	assert_string_equal(back[1].domain, "b.example");
	assert_int_equal(mxg_store_dkim_parse("pass:x", back, MXG_STORE_DKIM_MAX, &n), -1);
	assert_int_equal(mxg_store_dkim_parse("pass:a: pass:b:", back, 1, &n), -1);
	assert_int_equal(n, 1);
	char small[8];
	assert_int_equal(mxg_store_dkim_format(d, 2, small, sizeof(small)), -1);
}

static void test_bad_specs(void **state)
{
	(void)state;
	assert_null(mxg_store_open("mysql://x", err, sizeof(err)));
	assert_non_null(strstr(err, "expected sqlite:PATH"));
	assert_null(mxg_store_open("sqlite:", err, sizeof(err)));
	assert_non_null(strstr(err, "file name"));
	assert_null(mxg_store_open("sqlite:/nonexistent-dir/x/dmarc.db", err, sizeof(err)));
	assert_non_null(strstr(err, "/nonexistent-dir/x/dmarc.db"));
	assert_null(mxg_store_open(NULL, err, sizeof(err)));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_schema),
		cmocka_unit_test(test_report_queries),
		cmocka_unit_test(test_batch_limit),
		cmocka_unit_test(test_mark_once),
		cmocka_unit_test(test_prune),
		cmocka_unit_test(test_received),
		cmocka_unit_test(test_duration),
		cmocka_unit_test(test_dkim_text),
		cmocka_unit_test(test_bad_specs),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
