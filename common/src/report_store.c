/* The report store's front: the store string to a backend, open with migrations, close, and
 * the transaction helpers both backends share. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mxguard/report_store.h"
#include "mxguard/str.h"
#include "report_store_internal.h"

static int has_prefix(const char *s, const char *p)
{
	return strncmp(s, p, strlen(p)) == 0;
}

static int store_connect(struct mxg_store *s, const char *spec, char *err, size_t errlen)
{
	if (has_prefix(spec, "sqlite:"))
		return store_sqlite_open(s, spec + strlen("sqlite:"), err, errlen);
	if (has_prefix(spec, "postgresql://") || has_prefix(spec, "postgres://"))
		return store_pg_open(s, spec, err, errlen);
	return mxg_fail(err, errlen, "report store \"%.60s\": expected sqlite:PATH or postgresql://...",
			spec);
}

struct mxg_store *mxg_store_open(const char *spec, char *err, size_t errlen)
{
	return mxg_store_open_version(spec, MXG_STORE_SCHEMA_VERSION, err, errlen);
}

struct mxg_store *mxg_store_open_version(const char *spec, int version, char *err, size_t errlen)
{
	if (version < 1 || version > MXG_STORE_SCHEMA_VERSION) {
		snprintf(err, errlen, "report store: no schema version %d", version);
		return NULL;
	}
	if (spec == NULL || strlen(spec) >= MXG_STORE_SPEC_MAX) {
		snprintf(err, errlen, "report store: missing or longer than %d characters",
			 MXG_STORE_SPEC_MAX - 1);
		return NULL;
	}
	struct mxg_store *s = calloc(1, sizeof(*s));
	if (s == NULL) {
		snprintf(err, errlen, "report store: out of memory");
		return NULL;
	}
	if (store_connect(s, spec, err, errlen) < 0) {
		free(s);
		return NULL;
	}
	if (store_migrate(s, version, err, errlen) < 0) {
		mxg_store_close(s);
		return NULL;
	}
	return s;
}

void mxg_store_close(struct mxg_store *s)
{
	if (s == NULL)
		return;
	if (s->ops != NULL)
		s->ops->close(s);
	free(s);
}

const char *mxg_store_backend(const struct mxg_store *s)
{
	return s->ops->name;
}

int store_begin(struct mxg_store *s, char *err, size_t errlen)
{
	return s->ops->exec(s, s->ops->begin_sql, NULL, 0, NULL, NULL, err, errlen);
}

int store_commit(struct mxg_store *s, char *err, size_t errlen)
{
	if (s->ops->exec(s, "COMMIT", NULL, 0, NULL, NULL, err, errlen) == 0)
		return 0;
	store_rollback(s);
	return -1;
}

void store_rollback(struct mxg_store *s)
{
	char ignored[64];
	s->ops->exec(s, "ROLLBACK", NULL, 0, NULL, NULL, ignored, sizeof(ignored));
}

int store_in_tx(struct mxg_store *s, store_tx_fn fn, void *arg, char *err, size_t errlen)
{
	if (store_begin(s, err, errlen) != 0)
		return -1;
	int rc = fn(s, arg, err, errlen);
	if (rc != 0) {
		store_rollback(s);
		return rc;
	}
	return store_commit(s, err, errlen);
}

long long store_col_ll(const char *col)
{
	if (col == NULL)
		return 0;
	return strtoll(col, NULL, 10);
}

const char *store_num(char *buf, size_t size, long long v)
{
	snprintf(buf, size, "%lld", v);
	return buf;
}

int store_found_row(void *arg, const char *const *cols, size_t ncols)
{
	(void)arg;
	(void)cols;
	(void)ncols;
	return 1;
}
