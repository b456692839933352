/* The report store's SQLite backend: one database file in WAL mode (readers never wait for
 * the milter's writer), a bounded wait for locks, statements prepared per call with their
 * $N parameters bound as text. */
#include <sqlite3.h>
#include <stdio.h>
#include <string.h>

#include "report_store_internal.h"
#include "mxguard/str.h"

static void sqlite_error(sqlite3 *db, const char *what, char *err, size_t errlen)
{
	snprintf(err, errlen, "report store (sqlite): %s: %s", what, sqlite3_errmsg(db));
}

static int bind_params(sqlite3_stmt *st, const char *const *params, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		char name[16];
		snprintf(name, sizeof(name), "$%zu", i + 1);
		int idx = sqlite3_bind_parameter_index(st, name);
		if (idx == 0)
			continue;
		int rc = params[i] == NULL ? sqlite3_bind_null(st, idx)
					   : sqlite3_bind_text(st, idx, params[i], -1,
							       SQLITE_STATIC);
		if (rc != SQLITE_OK)
			return -1;
	}
	return 0;
}

static int step_rows(sqlite3_stmt *st, store_row_fn fn, void *arg)
{
	for (;;) {
		int rc = sqlite3_step(st);
		if (rc == SQLITE_DONE)
			return 0;
		if (rc != SQLITE_ROW)
			return -1;
		if (fn == NULL)
			continue;
		const char *cols[STORE_COLS_MAX];
		int n = sqlite3_column_count(st);
		if (n > STORE_COLS_MAX)
			n = STORE_COLS_MAX;
		for (int i = 0; i < n; i++)
			cols[i] = (const char *)sqlite3_column_text(st, i);
		int stop = fn(arg, cols, (size_t)n);
		if (stop != 0)
			return stop;
	}
}

static int sqlite_exec(struct mxg_store *s, const char *sql, const char *const *params, size_t n,
		       store_row_fn fn, void *arg, char *err, size_t errlen)
{
	sqlite3 *db = s->conn;
	sqlite3_stmt *st = NULL;
	if (n > STORE_PARAMS_MAX || sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK) {
		sqlite_error(db, "prepare", err, errlen);
		return -1;
	}
	int rc = bind_params(st, params, n);
	if (rc == 0)
		rc = step_rows(st, fn, arg);
	if (rc == -1)
		sqlite_error(db, "statement", err, errlen);
	sqlite3_finalize(st);
	return rc;
}

static void sqlite_close(struct mxg_store *s)
{
	sqlite3_close(s->conn);
	s->conn = NULL;
}

static const struct store_ops sqlite_ops = {
	.name = "sqlite",
	.begin_sql = "BEGIN IMMEDIATE",
	.lock_sql = NULL,
	.serial = "INTEGER PRIMARY KEY AUTOINCREMENT",
	.exec = sqlite_exec,
	.close = sqlite_close,
};

int store_sqlite_open(struct mxg_store *s, const char *path, char *err, size_t errlen)
{
	if (path[0] == '\0')
		return mxg_fail(err, errlen, "report store: sqlite: needs a file name");
	sqlite3 *db = NULL;
	int rc = sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL);
	if (rc != SQLITE_OK) {
		snprintf(err, errlen, "report store (sqlite): %s: %s", path,
			 db != NULL ? sqlite3_errmsg(db) : "out of memory");
		sqlite3_close(db);
		return -1;
	}
	sqlite3_busy_timeout(db, MXG_STORE_BUSY_MS);
	s->conn = db;
	s->ops = &sqlite_ops;
	if (sqlite_exec(s, "PRAGMA journal_mode=WAL", NULL, 0, NULL, NULL, err, errlen) != 0 ||
	    sqlite_exec(s, "PRAGMA synchronous=NORMAL", NULL, 0, NULL, NULL, err, errlen) != 0) {
		sqlite_close(s);
		s->ops = NULL;
		return -1;
	}
	return 0;
}
