/* What the report store's two backends (SQLite, PostgreSQL) give the SQL above them: one
 * statement at a time with text parameters ($1, $2, ...) and text rows. Not a public
 * interface. */
#ifndef MXGUARD_REPORT_STORE_INTERNAL_H
#define MXGUARD_REPORT_STORE_INTERNAL_H

#include <stddef.h>

#include "mxguard/report_store.h"

#define STORE_PARAMS_MAX 32   /* parameters of one statement */
#define STORE_COLS_MAX 32     /* columns of one row */
#define STORE_SQL_MAX 4096    /* one statement after formatting */

/* One result row: ncols columns as text (NULL for SQL NULL). Non-zero stops the statement. */
typedef int (*store_row_fn)(void *arg, const char *const *cols, size_t ncols);

struct store_ops {
	const char *name;
	const char *begin_sql;   /* starts a write transaction */
	const char *lock_sql;    /* serialises migrations inside it (NULL: BEGIN does) */
	const char *serial;      /* the type of an auto-numbered primary key */
	/* Runs sql with n parameters (NULL: SQL NULL), passing each row to fn (may be NULL).
	 * 0, fn's non-zero return, or -1 with a reason. */
	int (*exec)(struct mxg_store *s, const char *sql, const char *const *params, size_t n,
		    store_row_fn fn, void *arg, char *err, size_t errlen);
	void (*close)(struct mxg_store *s);
};

struct mxg_store {
	const struct store_ops *ops;
	void *conn;
};

/* Backends: connect s->conn and set s->ops. 0, or -1 with a reason (nothing to close). */
int store_sqlite_open(struct mxg_store *s, const char *path, char *err, size_t errlen);
int store_pg_open(struct mxg_store *s, const char *conninfo, char *err, size_t errlen);

/* Transactions over exec. Each 0 or -1 with a reason; rollback never fails loudly. */
int store_begin(struct mxg_store *s, char *err, size_t errlen);
int store_commit(struct mxg_store *s, char *err, size_t errlen);
void store_rollback(struct mxg_store *s);
/* Runs fn in one write transaction: committed when it returns 0, rolled back otherwise.
 * fn's return (or -1 when BEGIN or COMMIT fails). */
typedef int (*store_tx_fn)(struct mxg_store *s, void *arg, char *err, size_t errlen);
int store_in_tx(struct mxg_store *s, store_tx_fn fn, void *arg, char *err, size_t errlen);

/* Brings the schema to version (at most MXG_STORE_SCHEMA_VERSION; report_store_schema.c).
 * 0 or -1. */
int store_migrate(struct mxg_store *s, int version, char *err, size_t errlen);

/* Column text to an integer (NULL or junk: 0). */
long long store_col_ll(const char *col);
/* v as parameter text in buf (at least 24 bytes); returns buf. */
const char *store_num(char *buf, size_t size, long long v);
/* A store_row_fn that stops at the first row: exec returns 1 when there was one. */
int store_found_row(void *arg, const char *const *cols, size_t ncols);

#endif
