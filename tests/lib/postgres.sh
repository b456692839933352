# A private PostgreSQL server for the test suites (Debian's, the newest installed): initdb'd in
# MXG_WORK/pg, run as nobody on a Unix socket only (no TCP), user mxg trusted. Source it after
# harness.sh. Moved here from the report-store suite so that other suites start it the same way.

# mxg_pg_start DB...: starts the server and creates each DB. Sets PGBIN (the server's bin
# directory) and PGDIR (the socket directory: postgresql://mxg@/DB?host=$PGDIR).
mxg_pg_start() {
	PGBIN=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
	[ -x "$PGBIN/postgres" ] || return 1
	PGDIR=$MXG_WORK/pg
	mkdir -p "$PGDIR" && chown nobody "$PGDIR" || return 1
	setpriv --reuid nobody --regid nogroup --clear-groups "$PGBIN/initdb" -D "$PGDIR/data" \
		-A trust -U mxg --no-sync >"$MXG_WORK/initdb.log" 2>&1 || return 1
	mxg_bg postgres setpriv --reuid nobody --regid nogroup --clear-groups "$PGBIN/postgres" \
		-D "$PGDIR/data" -k "$PGDIR" -c listen_addresses= -c fsync=off
	mxg_wait_until 30 test -S "$PGDIR/.s.PGSQL.5432" || return 1
	mxg_wait_until 10 "$PGBIN/pg_isready" -q -h "$PGDIR" -U mxg || return 1
	for db in "$@"; do
		"$PGBIN/createdb" -h "$PGDIR" -U mxg "$db" || return 1
	done
}
