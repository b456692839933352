#!/bin/sh
# DMARC reports on both real stores, SQLite and PostgreSQL (Debian's server, initdb'd here and
# run as nobody on a Unix socket), the same tests against each: the store's unit tests;
# evaluations recorded by `mxguard dmarc --record` and by mxguard-milter behind a private
# Postfix; `mxguard report send --dry-run` gives exactly the expected records and counts and
# validates against the RFC 7489 Appendix C schema, and in the DMARCbis format against the
# draft's schema and back through report import with the same totals; the envelope recipient
# domain recorded (--rcpt, the milter's RCPT TO); reports mailed through Postfix to smtp-sink
# (rua authorisation and !size honoured, never the same interval twice, a destination that
# failed for now retried alone, given up after 3 days); ri=3600 giving hourly intervals and a
# change of ri never overlapping them; and with PostgreSQL stopped mail still flows while the
# milter counts the rows it drops.
. "$(dirname "$0")/../lib/harness.sh"
. "$MXG_ROOT/tests/lib/postfix.sh"
. "$MXG_ROOT/tests/lib/postgres.sh"
. "$MXG_ROOT/tests/integration/milter/lib.sh"
mxg_require_netns "$@"
mxg_workdir

mxguard=$MXG_BUILD/mxguard
tool="$MXG_PYTHON $MXG_ROOT/tests/integration/report_tool.py"
# aligned.auth.test reports to itself and to list.auth.test, which did not agree to it;
# quar.auth.test to itself within 1 KiB (a report mail is larger) and to list.auth.test, which
# agreed (RFC 7489 7.1).
# aligned.auth.test also reports to a second address of its own (second@), for the partial
# delivery test; hourly.auth.test asks for hourly reports (ri=3600, RFC 7489 mode only).
MILTER_DMARC_ALIGNED="v=DMARC1; p=reject; rua=mailto:dmarc@aligned.auth.test,mailto:second@aligned.auth.test,mailto:agg@list.auth.test"
MILTER_DMARC_QUAR="v=DMARC1; p=quarantine; rua=mailto:dmarc@quar.auth.test!1k,mailto:agg@list.auth.test"
MILTER_ZONE_EXTRA='quar.auth.test._report._dmarc.list IN TXT "v=DMARC1"
_dmarc.hourly IN TXT "v=DMARC1; p=none; ri=3600; rua=mailto:dmarc@hourly.auth.test"'
# A past UTC day for the replayed evaluations (2023-11-15).
DAY=1700006400
NEXT=$((DAY + 86400))

# The schema as RFC 7489 prints it resolves no type (targetNamespace without a default
# namespace): validated without that attribute (tests/conformance/data/dmarc-xsd/SOURCE.md).
sed 's/ targetNamespace="[^"]*"//' "$MXG_DATA/dmarc-xsd/rfc7489-appendix-c.xsd" >"$MXG_WORK/schema.xsd"
# The DMARCbis schema validates as published (tests/conformance/data/dmarcbis-xsd/SOURCE.md).
BIS_XSD=$MXG_DATA/dmarcbis-xsd/dmarc-xml-0.2.xsd

pg_start() {
	mxg_pg_start unit sqlmain
}

milter_zone_setup || { mxg_not_ok "zone and NSD"; mxg_done; }
milter_messages || { mxg_not_ok "test messages signed"; mxg_done; }
mxg_require "PostgreSQL started" pg_start
SQLITE=sqlite:$MXG_WORK/dmarc.db
PG="postgresql://mxg@/sqlmain?host=$PGDIR"
milter_start m-sqlite 9901 "report_store=$SQLITE" "metrics_file=$MXG_WORK/m-sqlite.prom" \
	metrics_interval=1s && milter_start m-pg 9902 "report_store=$PG" \
	"metrics_file=$MXG_WORK/m-pg.prom" metrics_interval=1s ||
	{ mxg_not_ok "milters started"; mxg_done; }
mxg_sink_start || { mxg_not_ok "smtp-sink started"; mxg_done; }
mxg_postfix_start "myhostname = $MILTER_AUTHSERV" "smtpd_milters = inet:127.0.0.1:9901" ||
	{ mxg_not_ok "postfix started"; mxg_done; }
mxg_ready "NSD, PostgreSQL, two milters, smtp-sink and Postfix running"

msgs=$MXG_WORK/msgs
milter_msg "$msgs/listonly.eml" a@list.auth.test
milter_msg "$msgs/hourly.eml" a@hourly.auth.test
dns="--resolver 127.0.0.1@$MILTER_DNS_PORT"

# The store's unit tests (tests/unit/test_report_store.c) on PostgreSQL, one line per test.
pg_unit() {
	pu_out=$(MXG_TEST_STORE="postgresql://mxg@/unit?host=$PGDIR" \
		"$MXG_BUILD/tests/unit/test_report_store" 2>&1)
	pu_rc=$?
	printf '%s\n' "$pu_out" | sed -n -e 's/^\[       OK \] \(test_[a-z0-9_]*\)$/ok - PostgreSQL: unit \1/p' \
			-e 's/^\[  FAILED  \] \(test_[a-z0-9_]*\)$/not ok - PostgreSQL: unit \1/p' \
			-e 's/^\[  ERROR   \] .*/not ok - PostgreSQL: unit test set-up &/p'
	[ "$pu_rc" = 0 ] || echo "not ok - PostgreSQL: the unit tests exited $pu_rc"
}
mxg_run_counted pg_unit

# record STORE TIME IP MAIL-FROM MESSAGE: one replayed evaluation, to rcpt@Example.Test
# (recorded envelope_to: example.test), with $MODE's options (--rfc7489 for ri=).
# Its exit status is DMARC's (0, 1, 2) unless it could not run or record (3).
record() {
	"$mxguard" dmarc $dns ${MODE:-} --authserv-id "$MILTER_AUTHSERV" --record "$1" \
		--record-time "$2" --ip "$3" --mail-from "$4" --rcpt rcpt@Example.Test \
		"$msgs/$5.eml" >/dev/null 2>"$MXG_WORK/record.err"
	[ $? != 3 ]
}

# sql STORE STATEMENT: raw SQL on a store (to age a delivery row).
sql() {
	case $1 in
	sqlite:*) sqlite3 "${1#sqlite:}" "$2" ;;
	*) "$PGBIN/psql" -q -h "$PGDIR" -U mxg sqlmain -c "$2" ;;
	esac
}

# validates FILE.xml.gz XSD: the report decompressed next to it, checked by xmllint.
validates() {
	gzip -dc "$1" >"$1.xml" && xmllint --noout --schema "$2" "$1.xml" 2>&1
}

# totals STORE: per policy domain, the message total of the reports imported into it.
totals() {
	sqlite3 "${1#sqlite:}" "SELECT r.domain, SUM(c.count) FROM rr_record c JOIN rr_report r ON \
		c.report = r.id GROUP BY r.domain ORDER BY r.domain" | tr '\n' ';'
}

# recorded NAME: the rows the milter NAME wrote, from its metrics file.
recorded() {
	sed -n "s/^mxguard_milter_report_rows_total{outcome=\"$2\"} //p" "$MXG_WORK/$1.prom" 2>/dev/null
}
recorded_is() {
	[ "$(recorded "$1" "$2")" = "$3" ]
}

# records FILE: the report's records as report_tool prints them, on one line.
records() {
	$tool records "$1" | tr '\n' ';'
}

# send_mail CLIENT MAIL-FROM MESSAGE: one message through Postfix; $rc is the client's status.
send_mail() {
	mxg_smtp_send --client "$1" --helo mx.sender.auth.test --from "$2" --to rcpt@example.test \
		"$msgs/$3.eml" >/dev/null
	rc=$?
}

sent=0
# backend NAME STORE MILTER: the same tests on one store.
backend() {
	b=$1 store=$2 milter=$3
	out=$MXG_WORK/$b
	mkdir -p "$out/dry" "$out/now" "$out/mail"

	# Replayed: 3 aligned passes, 2 aligned failures from an unauthorised address, 1 quar
	# pass by SPF only, and a message whose author domain publishes no DMARC (nothing to record).
	ok=1
	for t in 1 2 3; do record "$store" $((DAY + t)) 192.0.2.10 bounce@aligned.auth.test aligned-signed || ok=0; done
	for t in 4 5; do record "$store" $((DAY + 3600 * t)) 198.51.100.5 bounce@aligned.auth.test aligned || ok=0; done
	record "$store" $((DAY + 7200)) 192.0.2.10 q@quar.auth.test quar || ok=0
	record "$store" $((DAY + 7300)) 192.0.2.20 owner@list.auth.test listonly || ok=0
	mxg_match "$b: no DMARC record, nothing recorded" "$(cat "$MXG_WORK/record.err")" \
		"nothing recorded: no DMARC record"
	mxg_eq "$b: mxguard dmarc --record recorded 7 messages" "$ok" 1
	# One on the next day, which a run through the end of DAY leaves for later.
	record "$store" $((NEXT + 10)) 192.0.2.10 bounce@aligned.auth.test aligned-signed
	"$mxguard" report send --store "$store" --through $NEXT --dry-run --out "$out/dry" \
		--email reports@mta.mxguard.test --org-name "mxguard test" >"$out/dry.out" 2>&1
	mxg_eq "$b: dry run exits 0" $? 0
	mxg_eq "$b: dry run: two reports" "$(ls "$out/dry" | wc -l)" 2
	a=$(ls "$out/dry" | grep '!aligned\.auth\.test!')
	q=$(ls "$out/dry" | grep '!quar\.auth\.test!')
	mxg_match "$b: file named receiver!domain!begin!end!id.xml.gz" "$a" \
		"^mta\.mxguard\.test!aligned\.auth\.test!$DAY!$((NEXT - 1))![0-9a-f.]+\.xml\.gz$"
	mxg_eq "$b: aligned.auth.test: exact records and counts" "$(records "$out/dry/$a")" \
		"192.0.2.10 3 none pass pass -;198.51.100.5 2 reject fail fail -;domain aligned.auth.test total 5;"
	mxg_eq "$b: quar.auth.test: exact records and counts" "$(records "$out/dry/$q")" \
		"192.0.2.10 1 none fail pass -;domain quar.auth.test total 1;"
	for f in "$out/dry"/*.xml.gz; do
		gzip -dc "$f" >"$f.xml"
		mxg_eq "$b: $(basename "$f") validates against RFC 7489 Appendix C" \
			"$(xmllint --noout --schema "$MXG_WORK/schema.xsd" "$f.xml" 2>&1)" "$f.xml validates"
	done
	mxg_match "$b: the report names its DKIM selector" "$(cat "$out/dry/$a.xml")" "<selector>s1</selector>"
	mxg_match "$b: the report names the recipient domain (--rcpt)" "$(cat "$out/dry/$a.xml")" \
		"<envelope_to>example\.test</envelope_to>"

	# The same in the DMARCbis format: valid against the draft's schema, and read back by
	# report import with the same totals as the RFC 7489 reports.
	mkdir -p "$out/bis"
	"$mxguard" report send --store "$store" --through $NEXT --dry-run --out "$out/bis" \
		--format dmarcbis --email reports@mta.mxguard.test --org-name "mxguard test" \
		>"$out/bis.out" 2>&1
	mxg_eq "$b: dmarcbis dry run exits 0" $? 0
	mxg_eq "$b: dmarcbis: two reports" "$(ls "$out/bis" | wc -l)" 2
	for f in "$out/bis"/*.xml.gz; do
		mxg_eq "$b: $(basename "$f") validates against the DMARCbis schema" \
			"$(validates "$f" "$BIS_XSD")" "$f.xml validates"
	done
	ba=$(ls "$out/bis" | grep '!aligned\.auth\.test!.*\.xml\.gz$')
	bx=$(cat "$out/bis/$ba.xml")
	mxg_match "$b: dmarcbis: namespace" "$bx" '<feedback xmlns="urn:ietf:params:xml:ns:dmarc-2\.0">'
	mxg_match "$b: dmarcbis: generator" "$bx" "<generator>mxguard [0-9.]+</generator>"
	mxg_match "$b: dmarcbis: np" "$bx" "<np>reject</np>"
	mxg_match "$b: dmarcbis: testing" "$bx" "<testing>n</testing>"
	mxg_match "$b: dmarcbis: discovery method" "$bx" "<discovery_method>treewalk</discovery_method>"
	mxg_eq "$b: dmarcbis: no pct" "$(echo "$bx" | grep -c '<pct>')" 0
	mxg_match "$b: dmarcbis: envelope_to" "$bx" "<envelope_to>example\.test</envelope_to>"
	mxg_eq "$b: dmarcbis: the records and counts (pass under p=reject)" "$(records "$out/bis/$ba")" \
		"192.0.2.10 3 pass pass pass -;198.51.100.5 2 reject fail fail -;domain aligned.auth.test total 5;"
	# report_format in the milter's configuration chooses the format when --format is absent.
	mkdir -p "$out/cfg"
	printf 'report_format = dmarcbis\n' >"$out/fmt.conf"
	"$mxguard" report send --store "$store" --config "$out/fmt.conf" --through $NEXT --dry-run \
		--out "$out/cfg" >/dev/null 2>&1
	mxg_eq "$b: report_format = dmarcbis in the configuration" \
		"$(gzip -dc "$out/cfg"/*'!aligned.auth.test!'* | grep -c 'xmlns="urn:ietf:params:xml:ns:dmarc-2.0"')" 1
	"$mxguard" report import --store "sqlite:$out/bis-in.db" "$out/bis"/*.xml.gz >"$out/bis-in.out" 2>&1
	mxg_eq "$b: dmarcbis reports import" "$?:$(tail -n 1 "$out/bis-in.out")" "0:2 stored, 0 duplicates, 0 refused"
	"$mxguard" report import --store "sqlite:$out/dry-in.db" "$out/dry"/*.xml.gz >/dev/null 2>&1
	mxg_eq "$b: imported back, the same totals as sent" "$(totals "sqlite:$out/bis-in.db")" \
		"aligned.auth.test|5;quar.auth.test|1;"
	mxg_eq "$b: the RFC 7489 reports import to the same totals" "$(totals "sqlite:$out/dry-in.db")" \
		"aligned.auth.test|5;quar.auth.test|1;"

	# Through the milter behind Postfix, today: 2 passes and 1 refused failure.
	mxg_postfix_set "smtpd_milters = inet:127.0.0.1:$milter" || mxg_not_ok "$b: postfix switched milter"
	send_mail 192.0.2.10 bounce@aligned.auth.test aligned-signed
	send_mail 192.0.2.10 bounce@aligned.auth.test aligned-signed
	send_mail 198.51.100.5 bounce@aligned.auth.test aligned
	mxg_eq "$b: the failure is refused (p=reject)" "$rc" 5
	mxg_check "$b: the milter recorded 3 rows" mxg_wait_until 10 recorded_is "m-$b" recorded 3
	mxg_eq "$b: nothing dropped" "$(recorded "m-$b" dropped)" 0
	"$mxguard" report send --store "$store" --through now --dry-run --out "$out/now" \
		--receiver mta.mxguard.test >"$out/now.out" 2>&1
	today=$(ls "$out/now" | grep "!aligned\.auth\.test!$(( $(date +%s) / 86400 * 86400 ))!")
	mxg_eq "$b: --through now: today's report has the milter's rows" "$(records "$out/now/$today")" \
		"192.0.2.10 2 none pass pass -;198.51.100.5 1 reject fail fail -;domain aligned.auth.test total 3;"
	gzip -dc "$out/now/$today" >"$out/today.xml"
	mxg_eq "$b: today's report validates" \
		"$(xmllint --noout --schema "$MXG_WORK/schema.xsd" "$out/today.xml" 2>&1)" "$out/today.xml validates"
	mxg_match "$b: the milter recorded the RCPT TO domain" "$(cat "$out/today.xml")" \
		"<envelope_to>example\.test</envelope_to>"

	# A sendmail that fails: the deliveries stay pending (exit 2); the destinations refused for
	# good are said so once. The next run sends to the pending ones only.
	"$mxguard" report send --store "$store" --through $NEXT $dns --sendmail /bin/false \
		--email reports@mta.mxguard.test >"$out/fail.out" 2>&1
	mxg_eq "$b: failing sendmail: exit 2" $? 2
	s=$(cat "$out/fail.out")
	mxg_match "$b: failing sendmail: said so" "$s" \
		"dmarc@aligned\.auth\.test: failed: /bin/false failed \(exit 1\)"
	mxg_match "$b: not sent to an unauthorised outside address" "$s" \
		"agg@list\.auth\.test: skipped, not authorised .*aligned\.auth\.test\._report\._dmarc\.list\.auth\.test has no v=DMARC1 record"
	mxg_match "$b: not sent over the !size limit" "$s" "dmarc@quar\.auth\.test: skipped: the report mail is [0-9]+ bytes, over its limit of 1024"
	# Mailed through Postfix: the authorised addresses within their limits get them.
	MAIL_CONFIG=$MXG_PF_ETC "$mxguard" report send --store "$store" --through $NEXT $dns \
		--email reports@mta.mxguard.test --org-name "mxguard test" >"$out/send.out" 2>&1
	mxg_eq "$b: send exits 0" $? 0
	s=$(cat "$out/send.out")
	mxg_match "$b: the pending destinations retried" "$s" \
		"aligned\.auth\.test: retrying mailto:dmarc@aligned\.auth\.test \($DAY-$((NEXT - 1)), attempt 2\)"
	mxg_match "$b: sent to the domain's own address" "$s" "dmarc@aligned\.auth\.test: sent"
	mxg_match "$b: sent to its second address" "$s" "second@aligned\.auth\.test: sent"
	mxg_match "$b: sent to the authorised outside address" "$s" "agg@list\.auth\.test: sent"
	mxg_eq "$b: the refused destinations are not tried again" "$(echo "$s" | grep -c skipped)" 0
	mxg_eq "$b: no new report, three mails" "$(tail -n 1 "$out/send.out")" "0 report(s), 3 mail(s) sent"
	sent=$((sent + 3))
	mxg_check "$b: three report mails reached the sink" mxg_sink_wait $sent 30
	f=$(mxg_sink_find '^Subject: Report Domain: aligned\.auth\.test ')
	att=$($tool attachment "$f" "$out/mail" 2>&1)
	mxg_match "$b: the mail carries the report as an attachment" "$att" \
		"^mta\.mxguard\.test!aligned\.auth\.test!$DAY!"
	mxg_match "$b: Subject as RFC 7489 7.2.1.1" "$att" \
		"Report Domain: aligned\.auth\.test Submitter: mta\.mxguard\.test Report-ID: <$DAY\.[0-9a-f]+>"
	mxg_eq "$b: the mailed report has the same records" "$(records "$out/mail/$(echo "$att" | head -n 1)")" \
		"192.0.2.10 3 none pass pass -;198.51.100.5 2 reject fail fail -;domain aligned.auth.test total 5;"
	# The mail as the sink received it, imported into a second store: the same totals come back.
	"$mxguard" report import --store "sqlite:$out/received.db" "$f" >"$out/import.out" 2>&1
	mxg_eq "$b: the mailed report imports into a second store" "$?" 0
	mxg_eq "$b: the second store has the same records and counts" \
		"$(sqlite3 "$out/received.db" "SELECT source_ip, count, disposition FROM rr_record ORDER BY source_ip" | tr '\n' ';')" \
		"192.0.2.10|3|none;198.51.100.5|2|reject;"
	mxg_sink_clear
	# Never the same day twice.
	MAIL_CONFIG=$MXG_PF_ETC "$mxguard" report send --store "$store" --through $NEXT $dns \
		--email reports@mta.mxguard.test >"$out/again.out" 2>&1
	mxg_eq "$b: a second run sends nothing" "$?:$(tail -n 1 "$out/again.out")" "0:0 report(s), 0 mail(s) sent"

	partial "$b" "$store" "$out"
	give_up "$b" "$store" "$out"
	hourly "$b" "$store" "$out"
}

# partial NAME STORE OUT: one destination of a report fails for now while another gets it;
# the next run sends the same report to the failed one alone.
partial() {
	b=$1 store=$2 out=$3
	{
		echo '#!/bin/sh'
		echo 'for a; do last=$a; done'
		echo '[ "$last" = second@aligned.auth.test ] && exit 75'
		echo "MAIL_CONFIG=$MXG_PF_ETC exec /usr/sbin/sendmail \"\$@\""
	} >"$MXG_WORK/partial-sendmail"
	chmod +x "$MXG_WORK/partial-sendmail"
	mkdir -p "$out/p1" "$out/p2"
	"$mxguard" report send --store "$store" --through $((NEXT + 86400)) $dns \
		--sendmail "$MXG_WORK/partial-sendmail" --email reports@mta.mxguard.test >"$out/p1.out" 2>&1
	mxg_eq "$b: partial delivery: exit 2" $? 2
	s=$(cat "$out/p1.out")
	mxg_match "$b: partial delivery: one destination got it" "$s" "dmarc@aligned\.auth\.test: sent"
	mxg_match "$b: partial delivery: the other failed" "$s" "second@aligned\.auth\.test: failed: .*exit 75"
	sent=$((sent + 1))
	mxg_check "$b: partial delivery: one mail reached the sink" mxg_sink_wait $sent 30
	f1=$(mxg_sink_find '^Subject: Report Domain: aligned\.auth\.test ')
	n1=$($tool attachment "$f1" "$out/p1" | head -n 1)
	mxg_sink_clear
	MAIL_CONFIG=$MXG_PF_ETC "$mxguard" report send --store "$store" --through $((NEXT + 86400)) \
		$dns --email reports@mta.mxguard.test >"$out/p2.out" 2>&1
	mxg_eq "$b: partial delivery: the next run exits 0" $? 0
	s=$(cat "$out/p2.out")
	mxg_match "$b: partial delivery: the failed destination retried" "$s" \
		"retrying mailto:second@aligned\.auth\.test \($NEXT-$((NEXT + 86399)), attempt 2\)"
	mxg_match "$b: partial delivery: and sent" "$s" "second@aligned\.auth\.test: sent"
	mxg_eq "$b: partial delivery: not again to the one that got it" \
		"$(echo "$s" | grep -c 'dmarc@aligned')" 0
	mxg_eq "$b: partial delivery: one mail, no new report" "$(tail -n 1 "$out/p2.out")" \
		"0 report(s), 1 mail(s) sent"
	sent=$((sent + 1))
	mxg_check "$b: partial delivery: the retry reached the sink" mxg_sink_wait $sent 30
	f2=$(mxg_sink_find '^Subject: Report Domain: aligned\.auth\.test ')
	mxg_match "$b: partial delivery: the retry went to the failed destination" "$(cat "$f2")" \
		"To: second@aligned\.auth\.test"
	mxg_eq "$b: partial delivery: the same report (file name, report id)" \
		"$($tool attachment "$f2" "$out/p2" | head -n 1)" "$n1"
	mxg_sink_clear
}

# give_up NAME STORE OUT: a destination still failing 3 days after its first try is given up.
give_up() {
	b=$1 store=$2 out=$3
	record "$store" $((NEXT + 86400 + 5)) 192.0.2.10 bounce@aligned.auth.test aligned-signed
	"$mxguard" report send --store "$store" --through $((NEXT + 2 * 86400)) $dns \
		--sendmail /bin/false --email reports@mta.mxguard.test >"$out/g1.out" 2>&1
	mxg_eq "$b: give up: the first try fails (exit 2)" $? 2
	sql "$store" "UPDATE delivery SET first_try = first_try - 3 * 86400 - 60 WHERE \
		begin_time = $((NEXT + 86400)) AND state = 'pending'" >/dev/null
	"$mxguard" report send --store "$store" --through $((NEXT + 2 * 86400)) $dns \
		--sendmail /bin/false --email reports@mta.mxguard.test >"$out/g2.out" 2>"$out/g2.err"
	mxg_eq "$b: give up: exit 0, nothing sent" "$?:$(tail -n 1 "$out/g2.out")" \
		"0:0 report(s), 0 mail(s) sent"
	mxg_match "$b: give up: logged" "$(cat "$out/g2.err")" \
		"aligned\.auth\.test: gave up on mailto:dmarc@aligned\.auth\.test after 1 attempts over [0-9]+ s \(last: /bin/false failed \(exit 1\)\)"
	"$mxguard" report send --store "$store" --through $((NEXT + 2 * 86400)) $dns \
		--sendmail /bin/false --email reports@mta.mxguard.test >"$out/g3.out" 2>&1
	mxg_eq "$b: give up: not tried again" "$?:$(grep -c retrying "$out/g3.out")" "0:0"
}

# hourly NAME STORE OUT: ri=3600 (RFC 7489 mode) gives hourly intervals aligned to the hour;
# when the latest record asks for a day (RFC 9989 mode has no ri), the next interval runs from
# the last reported end to midnight: no overlap, nothing reported twice.
hourly() {
	b=$1 store=$2 out=$3
	mkdir -p "$out/h1" "$out/h2"
	ok=1
	for t in 100 3700 3800 8000; do
		MODE=--rfc7489 record "$store" $((DAY + t)) 192.0.2.30 x@hourly.auth.test hourly || ok=0
	done
	mxg_eq "$b: hourly: 4 evaluations recorded with ri=3600" "$ok" 1
	"$mxguard" report send --store "$store" --through $((DAY + 7200)) --dry-run --out "$out/h1" \
		--receiver mta.mxguard.test >"$out/h1.out" 2>&1
	mxg_eq "$b: hourly: two hourly reports due" "$(ls "$out/h1" | sed 's/![^!]*$//' | sort | tr '\n' ' ')" \
		"mta.mxguard.test!hourly.auth.test!$DAY!$((DAY + 3599)) mta.mxguard.test!hourly.auth.test!$((DAY + 3600))!$((DAY + 7199)) "
	mxg_eq "$b: hourly: counts 1 and 2" \
		"$(for f in "$out/h1"/*; do records "$f"; done)" \
		"192.0.2.30 1 none fail fail -;domain hourly.auth.test total 1;192.0.2.30 2 none fail fail -;domain hourly.auth.test total 2;"
	"$mxguard" report send --store "$store" --through $((DAY + 7200)) $dns --sendmail /bin/true \
		--email reports@mta.mxguard.test >"$out/h1send.out" 2>&1
	mxg_eq "$b: hourly: both sent" "$?:$(tail -n 1 "$out/h1send.out")" "0:2 report(s), 2 mail(s) sent"
	# Now a daily ri: from 02:00 (the last end) to midnight.
	record "$store" $((DAY + 9000)) 192.0.2.30 x@hourly.auth.test hourly
	"$mxguard" report send --store "$store" --through $NEXT --dry-run --out "$out/h2" \
		--receiver mta.mxguard.test >"$out/h2.out" 2>&1
	h=$(ls "$out/h2")
	mxg_match "$b: ri changed: one report from the last end to midnight" "$h" \
		"^mta\.mxguard\.test!hourly\.auth\.test!$((DAY + 7200))!$((NEXT - 1))![0-9a-f.]+\.xml\.gz$"
	mxg_eq "$b: ri changed: only what was not reported" "$(records "$out/h2/$h")" \
		"192.0.2.30 2 none fail fail -;domain hourly.auth.test total 2;"
}

backend sqlite "$SQLITE" 9901
backend pg "$PG" 9902

# PostgreSQL stopped: mail still flows, the milter drops and counts its rows.
# (SIGINT: PostgreSQL's fast shutdown, which does not wait for the milter to disconnect.)
kill -INT "$MXG_PID_postgres"
mxg_check "PostgreSQL stopped" mxg_wait_until 20 mxg_pid_gone "$MXG_PID_postgres"
n=$(mxg_sink_count)
start=$(date +%s)
send_mail 192.0.2.10 bounce@aligned.auth.test aligned-signed
mxg_eq "store down: mail accepted" "$rc" 0
send_mail 192.0.2.10 bounce@aligned.auth.test aligned-signed
mxg_eq "store down: second mail accepted" "$rc" 0
mxg_check "store down: both delivered" mxg_sink_wait $((n + 2)) 20
mxg_check "store down: delivered within 10 s" test $(( $(date +%s) - start )) -le 10
mxg_check "store down: 2 rows dropped and counted" mxg_wait_until 15 recorded_is m-pg dropped 2
mxg_check "store down: the drop is logged" mxg_wait_match "$MXG_WORK/m-pg.log" \
	"report store: .*rows are dropped until it works" 10
mxg_done
