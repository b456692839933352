/* Unit tests of the DMARC report store (report_store*.c) against SQLite: schema creation and
 * migration bookkeeping, batched inserts, the report queries and their counts, intervals
 * reported once, retention, received reports de-duplicated, the text forms, clear errors;
 * schema 2 (report send): envelope_to/ri/discovery columns, per-destination delivery state,
 * and a store made at schema version 1 with a row in it upgraded in place.
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
#include <libpq-fe.h>
#include <sqlite3.h>

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

/* Removes the files of a sqlite: store (the database, its WAL and shared memory). */
static void remove_sqlite(const char *store)
{
	char p[MXG_STORE_SPEC_MAX + 8];
	const char *sfx[] = { "", "-wal", "-shm" };
	for (size_t i = 0; i < 3; i++) {
		snprintf(p, sizeof(p), "%s%s", store + 7, sfx[i]);
		unlink(p);
	}
}

static int teardown(void **state)
{
	(void)state;
	mxg_store_close(st);
	if (strncmp(spec, "sqlite:", 7) == 0) {
		remove_sqlite(spec);
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
	/* A claim whose delivery failed is taken back, and can be made again. */
	assert_int_equal(mxg_store_unmark_reported(st, "m.example", 1700000000, err, sizeof(err)), 0);
	assert_int_equal(mxg_store_is_reported(st, "m.example", 1700000000, err, sizeof(err)), 0);
	assert_int_equal(mxg_store_mark_reported(st, "m.example", 1700000000, 1700086400, "id-3",
						 err, sizeof(err)), 0);
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

static void test_envelope_columns(void **state)
{
	(void)state;
	struct mxg_store_eval rows[3];
	for (int i = 0; i < 3; i++) {
		eval_fill(&rows[i], 1800000000 + i, "192.0.2.7", "env.example", 1);
		rows[i].ri = 3600;
		mxg_strlcpy(rows[i].discovery, "treewalk", sizeof(rows[i].discovery));
		mxg_strlcpy(rows[i].envelope_to, i < 2 ? "a.example" : "b.example",
			    sizeof(rows[i].envelope_to));
	}
	assert_int_equal(mxg_store_insert(st, rows, 3, err, sizeof(err)), 0);
	/* Recipient domains are reported apart. */
	struct seen g = { 0 };
	assert_int_equal(mxg_store_groups(st, "env.example", 1800000000, 1800003600, 10, on_group,
					  &g, err, sizeof(err)), 0);
	assert_int_equal(g.n, 2);
	assert_int_equal(g.counts[0], 2);
	assert_int_equal(g.counts[1], 1);
	static struct mxg_store_domain d;
	assert_int_equal(mxg_store_domain_latest(st, "env.example", 1800000000, 1800003600, &d, err,
						 sizeof(err)), 0);
	assert_int_equal(d.count, 3);
	assert_int_equal(d.latest.time, 1800000002);
	assert_int_equal(d.latest.ri, 3600);
	assert_string_equal(d.latest.envelope_to, "b.example");
	assert_string_equal(d.latest.discovery, "treewalk");
	assert_int_equal(mxg_store_domain_latest(st, "env.example", 1800003600, 1800007200, &d, err,
						 sizeof(err)), 1);
	assert_int_equal(mxg_store_domain_latest(st, "none.example", 0, 1900000000, &d, err,
						 sizeof(err)), 1);
}

struct dues {
	size_t n;
	char dest[4][64];
	int attempts[4];
	char why[4][64];
};

static int on_due(void *arg, const struct mxg_store_delivery *d)
{
	struct dues *u = arg;
	if (u->n < 4) {
		mxg_strlcpy(u->dest[u->n], d->destination, sizeof(u->dest[0]));
		mxg_strlcpy(u->why[u->n], d->last_error, sizeof(u->why[0]));
		u->attempts[u->n] = d->attempts;
	}
	u->n++;
	return 0;
}

static struct dues due_at(int64_t now)
{
	struct dues u = { 0 };
	assert_int_equal(mxg_store_delivery_due(st, now, 100, on_due, &u, err, sizeof(err)), 0);
	return u;
}

static void test_delivery(void **state)
{
	(void)state;
	const int64_t b = 1810000000, now = 1810090000;
	int64_t until = 0;
	assert_int_equal(mxg_store_reported_until(st, "dl.example", &until, err, sizeof(err)), 1);
	assert_int_equal(mxg_store_mark_reported(st, "dl.example", b, b + 86400, "id", err,
						 sizeof(err)), 0);
	assert_int_equal(mxg_store_mark_reported(st, "dl.example", b + 86400, b + 90000, "id2", err,
						 sizeof(err)), 0);
	assert_int_equal(mxg_store_reported_until(st, "dl.example", &until, err, sizeof(err)), 0);
	assert_int_equal(until, b + 90000);

	struct mxg_store_delivery d = { .begin = b, .end = b + 86400, .first_try = now };
	mxg_strlcpy(d.policy_domain, "dl.example", sizeof(d.policy_domain));
	mxg_strlcpy(d.format, "dmarcbis", sizeof(d.format));
	const char *dest[] = { "mailto:a@dl.example", "mailto:b@dl.example!10k" };
	for (int i = 0; i < 2; i++) {
		mxg_strlcpy(d.destination, dest[i], sizeof(d.destination));
		assert_int_equal(mxg_store_delivery_add(st, &d, err, sizeof(err)), 0);
		assert_int_equal(mxg_store_delivery_add(st, &d, err, sizeof(err)), 0); /* once */
	}
	assert_int_equal(due_at(now).n, 2);
	/* A claim is taken once; the outcome ends or keeps it pending. */
	assert_int_equal(mxg_store_delivery_claim(st, "dl.example", b, dest[0], now, err,
						  sizeof(err)), 0);
	assert_int_equal(mxg_store_delivery_claim(st, "dl.example", b, dest[0], now, err,
						  sizeof(err)), 1);
	assert_int_equal(mxg_store_delivery_set(st, "dl.example", b, dest[0], "sent", "", err,
						sizeof(err)), 0);
	assert_int_equal(mxg_store_delivery_claim(st, "dl.example", b, dest[1], now, err,
						  sizeof(err)), 0);
	assert_int_equal(mxg_store_delivery_set(st, "dl.example", b, dest[1], "pending",
						"sendmail failed", err, sizeof(err)), 0);
	struct dues u = due_at(now + 60);
	assert_int_equal(u.n, 1);
	assert_string_equal(u.dest[0], dest[1]);
	assert_int_equal(u.attempts[0], 1);
	assert_string_equal(u.why[0], "sendmail failed");
	/* A claim left by a run that died is taken again once it is stale. */
	assert_int_equal(mxg_store_delivery_claim(st, "dl.example", b, dest[1], now + 60, err,
						  sizeof(err)), 0);
	assert_int_equal(due_at(now + 120).n, 0);
	assert_int_equal(due_at(now + 61 + MXG_STORE_STALE_CLAIM_S).n, 1);
	assert_int_equal(mxg_store_delivery_claim(st, "dl.example", b, dest[1],
						  now + 61 + MXG_STORE_STALE_CLAIM_S, err,
						  sizeof(err)), 0);
	assert_int_equal(mxg_store_delivery_set(st, "dl.example", b, dest[1], "expired", "", err,
						sizeof(err)), 0);
	assert_int_equal(due_at(now + 2 * MXG_STORE_STALE_CLAIM_S).n, 0);
	/* Retention takes delivery rows with their interval. */
	mxg_strlcpy(d.destination, "mailto:c@dl.example", sizeof(d.destination));
	assert_int_equal(mxg_store_delivery_add(st, &d, err, sizeof(err)), 0);
	assert_int_equal(mxg_store_prune(st, b + 86400 + 10, 5, NULL, err, sizeof(err)), 0);
	assert_int_equal(due_at(now).n, 0);
}

/* Raw SQL on a store, as the previous release would have written it. */
static void raw_sql(const char *store, const char *sql)
{
	if (strncmp(store, "sqlite:", 7) == 0) {
		sqlite3 *db = NULL;
		assert_int_equal(sqlite3_open(store + 7, &db), SQLITE_OK);
		char *e = NULL;
		int rc = sqlite3_exec(db, sql, NULL, NULL, &e);
		if (rc != SQLITE_OK)
			fprintf(stderr, "%s: %s\n", sql, e);
		sqlite3_free(e);
		sqlite3_close(db);
		assert_int_equal(rc, SQLITE_OK);
		return;
	}
	PGconn *c = PQconnectdb(store);
	assert_int_equal(PQstatus(c), CONNECTION_OK);
	PGresult *r = PQexec(c, sql);
	int ok = PQresultStatus(r) == PGRES_COMMAND_OK;
	if (!ok)
		fprintf(stderr, "%s: %s\n", sql, PQerrorMessage(c));
	PQclear(r);
	PQfinish(c);
	assert_true(ok);
}

/* A store at schema version 1 holding one evaluation and one reported day, opened by this
 * program: migrated in place, the old row kept with the new columns' defaults. On PostgreSQL
 * the version-1 store is its own schema (search_path) in the test database. */
static void test_migrate_v1(void **state)
{
	(void)state;
	char v1[MXG_STORE_SPEC_MAX];
	if (strncmp(spec, "sqlite:", 7) == 0) {
		assert_true(mxg_strlcpy(v1, spec, sizeof(v1)) < sizeof(v1) - 3);
		mxg_strlcat(v1, "-v1", sizeof(v1));
	} else {
		raw_sql(spec, "DROP SCHEMA IF EXISTS v1test CASCADE; CREATE SCHEMA v1test");
		assert_true(mxg_strlcpy(v1, spec, sizeof(v1)) < sizeof(v1) - 40);
		mxg_strlcat(v1, strchr(spec, '?') != NULL ? "&" : "?", sizeof(v1));
		mxg_strlcat(v1, "options=-csearch_path%3Dv1test", sizeof(v1));
	}
	struct mxg_store *old = mxg_store_open_version(v1, 1, err, sizeof(err));
	assert_non_null(old);
	assert_int_equal(mxg_store_schema_version(old, err, sizeof(err)), 1);
	mxg_store_close(old);
	raw_sql(v1, "INSERT INTO evaluations (eval_time, source_ip, env_from, header_from, "
		"policy_domain, spf_result, spf_domain, spf_scope, dkim, dmarc_result, "
		"spf_aligned, dkim_aligned, p, sp, np, adkim_strict, aspf_strict, pct, testing, rua, "
		"disposition, override, override_comment) VALUES (1820000000, '192.0.2.9', "
		"'v1.example', 'v1.example', 'v1.example', 'pass', 'v1.example', 'mfrom', "
		"'pass:v1.example:s1', 'pass', 1, 1, 'reject', '', '', 0, 0, 100, 0, "
		"'mailto:d@v1.example', 'none', '', '')");
	raw_sql(v1, "INSERT INTO reported (policy_domain, begin_time, end_time, report_id, sent) "
		"VALUES ('v1.example', 1819929600, 1820016000, 'x', 1820016001)");

	struct mxg_store *now = mxg_store_open(v1, err, sizeof(err));
	if (now == NULL)
		fprintf(stderr, "upgrade: %s\n", err);
	assert_non_null(now);
	assert_int_equal(mxg_store_schema_version(now, err, sizeof(err)), MXG_STORE_SCHEMA_VERSION);
	static struct mxg_store_domain d;
	assert_int_equal(mxg_store_domain_latest(now, "v1.example", 1819929600, 1820016000, &d, err,
						 sizeof(err)), 0);
	assert_int_equal(d.count, 1);
	assert_string_equal(d.latest.envelope_to, "");
	assert_int_equal(d.latest.ri, 86400);
	assert_string_equal(d.latest.rua, "mailto:d@v1.example");
	int64_t until = 0;
	assert_int_equal(mxg_store_reported_until(now, "v1.example", &until, err, sizeof(err)), 0);
	assert_int_equal(until, 1820016000);
	/* The new table works on the upgraded store. */
	struct mxg_store_delivery dl = { .begin = 1819929600, .end = 1820016000, .first_try = 1 };
	mxg_strlcpy(dl.policy_domain, "v1.example", sizeof(dl.policy_domain));
	mxg_strlcpy(dl.destination, "mailto:d@v1.example", sizeof(dl.destination));
	mxg_strlcpy(dl.format, "rfc7489", sizeof(dl.format));
	assert_int_equal(mxg_store_delivery_add(now, &dl, err, sizeof(err)), 0);
	assert_int_equal(mxg_store_delivery_claim(now, "v1.example", 1819929600, dl.destination, 2,
						  err, sizeof(err)), 0);
	mxg_store_close(now);
	if (strncmp(v1, "sqlite:", 7) == 0) {
		remove_sqlite(v1);
	} else {
		raw_sql(spec, "DROP SCHEMA v1test CASCADE");
	}
	assert_null(mxg_store_open_version(spec, MXG_STORE_SCHEMA_VERSION + 1, err, sizeof(err)));
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
		cmocka_unit_test(test_envelope_columns),
		cmocka_unit_test(test_delivery),
		cmocka_unit_test(test_migrate_v1),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
