/* The report store's schema and its migrations: mxg_schema holds the version; migration N
 * takes version N-1 to N, all of it in one transaction under a lock, so two processes opening
 * a new store at once cannot both apply it. The SQL is common to SQLite and PostgreSQL except
 * the auto-numbered key type (%s). */
#include <stdio.h>
#include <string.h>

#include "report_store_internal.h"
#include "mxguard/str.h"


/* Version 1: evaluations, reported intervals, received reports and their records. */
static const char *const migration1[] = {
	"CREATE TABLE evaluations (id %s, eval_time BIGINT NOT NULL, source_ip TEXT NOT NULL, "
	"env_from TEXT NOT NULL, header_from TEXT NOT NULL, policy_domain TEXT NOT NULL, "
	"spf_result TEXT NOT NULL, spf_domain TEXT NOT NULL, spf_scope TEXT NOT NULL, "
	"dkim TEXT NOT NULL, dmarc_result TEXT NOT NULL, spf_aligned INTEGER NOT NULL, "
	"dkim_aligned INTEGER NOT NULL, p TEXT NOT NULL, sp TEXT NOT NULL, np TEXT NOT NULL, "
	"adkim_strict INTEGER NOT NULL, aspf_strict INTEGER NOT NULL, pct INTEGER NOT NULL, "
	"testing INTEGER NOT NULL, rua TEXT NOT NULL, disposition TEXT NOT NULL, "
	"override TEXT NOT NULL, override_comment TEXT NOT NULL)",
	"CREATE INDEX evaluations_domain_time ON evaluations (policy_domain, eval_time)",
	"CREATE INDEX evaluations_time ON evaluations (eval_time)",
	"CREATE TABLE reported (policy_domain TEXT NOT NULL, begin_time BIGINT NOT NULL, "
	"end_time BIGINT NOT NULL, report_id TEXT NOT NULL, sent BIGINT NOT NULL, "
	"PRIMARY KEY (policy_domain, begin_time))",
	"CREATE TABLE rr_report (id %s, org_name TEXT NOT NULL, email TEXT NOT NULL, "
	"report_id TEXT NOT NULL, domain TEXT NOT NULL, begin_time BIGINT NOT NULL, "
	"end_time BIGINT NOT NULL, p TEXT NOT NULL, sp TEXT NOT NULL, np TEXT NOT NULL, "
	"adkim_strict INTEGER NOT NULL, aspf_strict INTEGER NOT NULL, pct INTEGER NOT NULL, "
	"received BIGINT NOT NULL, UNIQUE (org_name, report_id))",
	"CREATE INDEX rr_report_domain ON rr_report (domain, end_time)",
	"CREATE TABLE rr_record (report BIGINT NOT NULL REFERENCES rr_report (id), "
	"source_ip TEXT NOT NULL, count BIGINT NOT NULL, disposition TEXT NOT NULL, "
	"dkim_eval TEXT NOT NULL, spf_eval TEXT NOT NULL, override TEXT NOT NULL, "
	"header_from TEXT NOT NULL, env_from TEXT NOT NULL, dkim TEXT NOT NULL, "
	"spf_domain TEXT NOT NULL, spf_result TEXT NOT NULL, spf_scope TEXT NOT NULL)",
	"CREATE INDEX rr_record_report ON rr_record (report)",
	NULL,
};

/* report send: the envelope recipient domain, ri= and the discovery method of each evaluation,
 * and the delivery state of each reported interval per rua destination. Rows of version 1
 * take the defaults (no recipient known, a daily ri, method unknown). */
static const char *const migration_send[] = {
	"ALTER TABLE evaluations ADD COLUMN envelope_to TEXT NOT NULL DEFAULT ''",
	"ALTER TABLE evaluations ADD COLUMN ri BIGINT NOT NULL DEFAULT 86400",
	"ALTER TABLE evaluations ADD COLUMN discovery TEXT NOT NULL DEFAULT ''",
	"CREATE TABLE delivery (policy_domain TEXT NOT NULL, begin_time BIGINT NOT NULL, "
	"end_time BIGINT NOT NULL, destination TEXT NOT NULL, format TEXT NOT NULL, "
	"state TEXT NOT NULL, attempts INTEGER NOT NULL, first_try BIGINT NOT NULL, "
	"last_try BIGINT NOT NULL, last_error TEXT NOT NULL, "
	"PRIMARY KEY (policy_domain, begin_time, destination))",
	"CREATE INDEX delivery_state ON delivery (state, begin_time)",
	NULL,
};

/* In order: migrations[N-1] takes version N-1 to N. */
static const char *const *const migrations[MXG_STORE_SCHEMA_VERSION] = {
	migration1,
	migration_send,
};

static int version_row(void *arg, const char *const *cols, size_t ncols)
{
	int *v = arg;
	if (ncols >= 1 && cols[0] != NULL)
		*v = (int)store_col_ll(cols[0]);
	return 0;
}

static int read_version(struct mxg_store *s, int *v, char *err, size_t errlen)
{
	*v = 0;
	return s->ops->exec(s, "SELECT MAX(version) FROM mxg_schema", NULL, 0, version_row, v, err,
			    errlen);
}

static int apply_migration(struct mxg_store *s, int to, char *err, size_t errlen)
{
	char sql[STORE_SQL_MAX];
	for (const char *const *st = migrations[to - 1]; *st != NULL; st++) {
		/* Only the key type is formatted in; the statements are ours. */
		if (strstr(*st, "%s") != NULL)
			snprintf(sql, sizeof(sql), *st, s->ops->serial);
		else
			snprintf(sql, sizeof(sql), "%s", *st);
		if (s->ops->exec(s, sql, NULL, 0, NULL, NULL, err, errlen) != 0)
			return -1;
	}
	char vtext[16];
	snprintf(vtext, sizeof(vtext), "%d", to);
	const char *p[] = { vtext };
	return s->ops->exec(s, "INSERT INTO mxg_schema (version) VALUES ($1)", p, 1, NULL, NULL, err,
			    errlen);
}

static int migrate_locked(struct mxg_store *s, void *arg, char *err, size_t errlen)
{
	const int target = *(const int *)arg;
	if (s->ops->lock_sql != NULL &&
	    s->ops->exec(s, s->ops->lock_sql, NULL, 0, NULL, NULL, err, errlen) != 0)
		return -1;
	if (s->ops->exec(s, "CREATE TABLE IF NOT EXISTS mxg_schema (version INTEGER NOT NULL)",
			 NULL, 0, NULL, NULL, err, errlen) != 0)
		return -1;
	int v;
	if (read_version(s, &v, err, errlen) != 0)
		return -1;
	if (v > MXG_STORE_SCHEMA_VERSION)
		return mxg_fail(err, errlen, "report store: schema version %d is newer than this program's %d",
				v, MXG_STORE_SCHEMA_VERSION);
	for (int to = v + 1; to <= target; to++) {
		if (apply_migration(s, to, err, errlen) != 0)
			return -1;
	}
	return 0;
}

int store_migrate(struct mxg_store *s, int version, char *err, size_t errlen)
{
	return store_in_tx(s, migrate_locked, &version, err, errlen) == 0 ? 0 : -1;
}

int mxg_store_schema_version(struct mxg_store *s, char *err, size_t errlen)
{
	int v;
	if (read_version(s, &v, err, errlen) != 0)
		return -1;
	return v;
}
