/* The report store's PostgreSQL backend (libpq): one connection from a postgresql:// URI with
 * a connect timeout and a statement timeout, text parameters and text rows. */
#include <libpq-fe.h>
#include <stdio.h>
#include <string.h>

#include "report_store_internal.h"
#include "mxguard/str.h"

static void pg_error(PGconn *c, const char *what, char *err, size_t errlen)
{
	const char *msg = PQerrorMessage(c);
	size_t len = strcspn(msg, "\n");
	snprintf(err, errlen, "report store (postgresql): %s: %.*s", what, (int)len, msg);
}

static int pg_rows(PGresult *res, store_row_fn fn, void *arg)
{
	int ncols = PQnfields(res);
	if (ncols > STORE_COLS_MAX)
		ncols = STORE_COLS_MAX;
	for (int r = 0; r < PQntuples(res); r++) {
		const char *cols[STORE_COLS_MAX];
		for (int i = 0; i < ncols; i++)
			cols[i] = PQgetisnull(res, r, i) ? NULL : PQgetvalue(res, r, i);
		int stop = fn(arg, cols, (size_t)ncols);
		if (stop != 0)
			return stop;
	}
	return 0;
}

static int pg_exec(struct mxg_store *s, const char *sql, const char *const *params, size_t n,
		   store_row_fn fn, void *arg, char *err, size_t errlen)
{
	PGconn *c = s->conn;
	if (n > STORE_PARAMS_MAX)
		return mxg_fail(err, errlen, "report store: too many parameters");
	PGresult *res = PQexecParams(c, sql, (int)n, NULL, params, NULL, NULL, 0);
	ExecStatusType st = PQresultStatus(res);
	int rc = 0;
	if (st == PGRES_TUPLES_OK && fn != NULL)
		rc = pg_rows(res, fn, arg);
	else if (st != PGRES_TUPLES_OK && st != PGRES_COMMAND_OK) {
		pg_error(c, "statement", err, errlen);
		rc = -1;
	}
	PQclear(res);
	return rc;
}

static void pg_close(struct mxg_store *s)
{
	PQfinish(s->conn);
	s->conn = NULL;
}

static const struct store_ops pg_ops = {
	.name = "postgresql",
	.begin_sql = "BEGIN",
	/* Any fixed key: it only orders concurrent schema migrations. */
	.lock_sql = "SELECT pg_advisory_xact_lock(7489)",
	.serial = "BIGSERIAL PRIMARY KEY",
	.exec = pg_exec,
	.close = pg_close,
};

int store_pg_open(struct mxg_store *s, const char *conninfo, char *err, size_t errlen)
{
	char timeout[16];
	snprintf(timeout, sizeof(timeout), "%d", MXG_STORE_CONNECT_S);
	/* The URI comes last so that what it names wins over the default timeout. */
	const char *keys[] = { "connect_timeout", "application_name", "dbname", NULL };
	const char *vals[] = { timeout, "mxguard", conninfo, NULL };
	PGconn *c = PQconnectdbParams(keys, vals, 1);
	if (c == NULL)
		return mxg_fail(err, errlen, "report store (postgresql): out of memory");
	if (PQstatus(c) != CONNECTION_OK) {
		pg_error(c, "connect", err, errlen);
		PQfinish(c);
		return -1;
	}
	s->conn = c;
	s->ops = &pg_ops;
	char set[64];
	snprintf(set, sizeof(set), "SET statement_timeout = %d", MXG_STORE_STATEMENT_MS);
	if (pg_exec(s, set, NULL, 0, NULL, NULL, err, errlen) != 0 ||
	    pg_exec(s, "SET client_min_messages = warning", NULL, 0, NULL, NULL, err, errlen) != 0) {
		pg_close(s);
		s->ops = NULL;
		return -1;
	}
	return 0;
}
