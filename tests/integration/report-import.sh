#!/bin/sh
# mxguard report import / summary / read on both real stores (SQLite, and a private PostgreSQL
# server) and real DNS (NSD on loopback): received reports as receivers send them (a mail
# message, .xml.gz, .zip, bare .xml) imported from a directory with hostile ones mixed in;
# duplicates skipped, hostile ones refused with their reason and nothing else lost; summary
# totals exact, the same on both stores; and the round trip: evaluations recorded in SQLite,
# reported by `report send`, imported into PostgreSQL with equal totals.
. "$(dirname "$0")/../lib/harness.sh"
. "$MXG_ROOT/tests/lib/postgres.sh"
mxg_require_netns "$@"
mxg_workdir

mxguard=$MXG_BUILD/mxguard
data=$MXG_ROOT/tests/data/reports
port=5357
mxg_require "NSD serves the reverse zones and send.test on 127.0.0.1@$port" mxg_nsd_start "$port" \
	"2.0.192.in-addr.arpa=$data/2.0.192.in-addr.arpa.zone" \
	"100.51.198.in-addr.arpa=$data/100.51.198.in-addr.arpa.zone" "send.test=$data/send.test.zone"
mxg_require "PostgreSQL started" mxg_pg_start reports roundtrip

# The inbox: good reports and hostile ones interleaved by name, so a refused file sits
# between files that must still be stored.
in=$MXG_WORK/in
mkdir -p "$in"
cp "$data/google.xml.gz" "$in/b-google.xml.gz"
cp "$data/bis.zip" "$in/d-bis.zip"
cp "$data/yahoo.eml" "$in/f-yahoo.eml"
cp "$data/google.xml" "$in/h-google-again.xml"
hostile=0
for f in "$data"/hostile/*; do
	cp "$f" "$in/c-$(basename "$f")"
	hostile=$((hostile + 1))
done
mxg_require "the hostile fixtures are there" test "$hostile" -ge 10

# import ARGS...: report import into $store; "rc=N", output in import.out and import.err.
import() {
	"$mxguard" report import --store "$store" "$@" >"$MXG_WORK/import.out" 2>"$MXG_WORK/import.err"
	echo "rc=$?"
}
# sql QUERY: rows as "a|b", read by the backend's own client.
sql() {
	case $store in
	sqlite:*) sqlite3 -batch -noheader "${store#sqlite:}" "$1" ;;
	*) "$PGBIN/psql" -h "$PGDIR" -U mxg -d reports -At -c "$1" ;;
	esac
}
# refused DESC FILE REASON: FILE of the inbox is named as refused with REASON (a regex).
refused() {
	mxg_match "$label$1" "$(cat "$MXG_WORK/import.err")" "$2: refused: $3"
}
summary() {
	"$mxguard" report summary --store "$store" --since 3650d --resolver 127.0.0.1@$port \
		--timeout 5 "$@"
}
# fields WHAT: from summary.json, the totals, the organisations, or one source's line.
fields() {
	python3 -c 'import json,sys
d = json.load(open(sys.argv[1]))
if sys.argv[2] == "totals":
    print(d["messages"], d["dmarc_pass"], d["spf_aligned"], d["dkim_aligned"], d["records"], len(d["sources"]))
elif sys.argv[2] == "orgs":
    print(" ".join("%s=%d" % (o["name"], o["messages"]) for o in d["organisations"]))
elif sys.argv[2] == "lookups":
    print(d["reverse_lookups"], d["reverse_lookups_failed"], d["reverse_lookups_skipped"])
elif sys.argv[2] == "rdomains":
    print(" ".join("%s=%d/%d" % (r["name"], r["messages"], r["dmarc_pass"]) for r in d["reverse_domains"]),
          d["no_reverse_messages"])
else:
    s = [x for x in d["sources"] if x["ip"] == sys.argv[2]][0]
    print(s["messages"], s["dmarc_pass"], s["reverse"], s["provider"], s["spf_include_needed"],
          s["dkim_key_needed"], len(s["failures"]))' "$MXG_WORK/summary.json" "$1"
}

# The import checks against $store; each description starts with $label.
import_checks() {
	mxg_eq "${label}import of the inbox: exit 2, some refused" "$(import "$in")" "rc=2"
	mxg_eq "${label}the counts line" "$(tail -n 1 "$MXG_WORK/import.out")" \
		"3 stored, 1 duplicates, $hostile refused"
	mxg_eq "${label}each hostile file is named as refused" \
		"$(grep -c "^mxguard report import: $in/c-.*: refused: " "$MXG_WORK/import.err")" "$hostile"
	refused "the billion laughs: a DTD refused" c-billion-laughs.xml "xml: a DOCTYPE \(DTD\) is refused"
	refused "the external entity: refused" c-xxe.xml "xml: a DOCTYPE"
	refused "the gzip bomb: refused" c-bomb.xml.gz "gzip: .*decompression bomb"
	refused "the zip bomb: refused" c-bomb.zip "zip: .*decompression bomb"
	refused "the zip bomb with lying sizes: refused" c-bomb-lying-size.zip "zip: "
	refused "the truncated gzip: refused" c-truncated.xml.gz "gzip: truncated data"
	refused "the mail without a report: refused" c-wrong-type.eml "mail: no report attachment"
	mxg_match "${label}the second copy of google's report is a duplicate" \
		"$(cat "$MXG_WORK/import.out")" \
		"h-google-again.xml: duplicate: google.com report 17563985240183727356"
	# Nothing lost: every good report with all its records and counts, read by the
	# database's own client.
	mxg_eq "${label}three reports stored" \
		"$(sql 'SELECT org_name FROM rr_report ORDER BY org_name' | tr '\n' ' ')" \
		"Mail Receiver Example Yahoo google.com "
	mxg_eq "${label}records and messages per report" "$(sql 'SELECT report_id, COUNT(*), SUM(count)
		FROM rr_report JOIN rr_record ON rr_record.report = rr_report.id
		GROUP BY report_id ORDER BY report_id' | tr '\n' ' ')" \
		"17563985240183727356|3|159 1796400000.620118|3|23 bis-2026-12-06-0001|2|43 "
	mxg_eq "${label}importing the inbox again stores nothing" \
		"$(import "$in") $(tail -n 1 "$MXG_WORK/import.out")" \
		"rc=2 0 stored, 4 duplicates, $hostile refused"
	mxg_eq "${label}a duplicate from standard input: exit 0" \
		"$(import - <"$data/bis.xml") $(tail -n 1 "$MXG_WORK/import.out")" \
		"rc=0 0 stored, 1 duplicates, 0 refused"
	mxg_eq "${label}still three reports, eight records" \
		"$(sql 'SELECT COUNT(*) FROM rr_report'):$(sql 'SELECT COUNT(*) FROM rr_record')" "3:8"
}

# The summary checks against $store: totals, reverse names over NSD, the provider advice.
summary_checks() {
	summary --json example.com >"$MXG_WORK/summary.json"
	mxg_eq "${label}summary exit status: some mail fails" "$?" 1
	mxg_eq "${label}summary totals" "$(fields totals)" "225 170 170 170 8 5"
	mxg_eq "${label}by reporting organisation" "$(fields orgs)" \
		"google.com=159 Mail Receiver Example=43 Yahoo=23"
	# 203.0.113.9 and 2001:db8::1:25 are in reverse zones no server here holds: SERVFAIL.
	mxg_eq "${label}reverse lookups: one per source, two failed, none skipped" \
		"$(fields lookups)" "5 2 0"
	mxg_eq "${label}by the registered domain of the reverse name" "$(fields rdomains)" \
		"example.com=170/170 bulk-sender.example=40/0 outlook.com=7/0 8"
	mxg_eq "${label}the own server: passes, reverse name from NSD" "$(fields 192.0.2.25)" \
		"170 170 mail.example.com None None None 0"
	mxg_eq "${label}the Microsoft 365 host: the include and the DKIM key it needs" \
		"$(fields 192.0.2.40)" "7 0 mail-db8eur05on2040.outbound.protection.outlook.com \
Microsoft 365 spf.protection.outlook.com selector1._domainkey.example.com 1"
	mxg_eq "${label}the bulk sender: failing, no known provider" "$(fields 198.51.100.7)" \
		"40 0 o7.ptr2231.bulk-sender.example None None None 1"
	mxg_eq "${label}an address without a reverse name" "$(fields 2001:db8::1:25)" \
		"5 0 None None None None 1"
	text=$(summary example.com)
	mxg_match "${label}text: why the bulk sender fails" "$text" "fails \(40\): SPF pass for \
bounces.sendgrid.net, not aligned; DKIM pass d=sendgrid.net s=s1, not aligned"
	mxg_match "${label}text: the forwarded mail" "$text" "fails \(5\): .*reported as forwarded"
	mxg_eq "${label}a domain without reports: nothing, exit 0" \
		"$(summary other.example; echo "rc=$?")" \
		"other.example and subdomains: 0 messages in 0 records, reports ending since 3650d
rc=0"
}

# Everything a record says is kept, and the summary takes in subdomains: a report on
# news.example.com (two SPF results, one pass one fail; two reasons; three DKIM results) and
# one on example.com whose mail was From shop.example.com.
# sfield WHAT: from sub.json, the From domains, or one source's From domains and failures.
sfield() {
	python3 -c 'import json,sys
d = json.load(open(sys.argv[1]))
if sys.argv[2] == "froms":
    print(d["subdomains"], d["messages"], " ".join("%s=%d/%d" % (f["name"], f["messages"], f["dmarc_pass"]) for f in d["from_domains"]))
else:
    s = [x for x in d["sources"] if x["ip"] == sys.argv[2]][0]
    print(s["messages"], " ".join(s["from_domains"]), "|", " | ".join(f["reason"] for f in s["failures"]))' \
		"$MXG_WORK/sub.json" "$1"
}
subdomain_checks() {
	mxg_eq "${label}the subdomain reports are stored" \
		"$(import "$data/sub.xml" "$data/shop.xml") $(tail -n 1 "$MXG_WORK/import.out")" \
		"rc=0 2 stored, 0 duplicates, 0 refused"
	mxg_eq "${label}every SPF and DKIM result of the record, with DKIM's human_result" \
		"$(sql "SELECT method, n, rr_auth.domain, selector, scope, result, human_result FROM rr_auth
			JOIN rr_report ON rr_report.id = rr_auth.report JOIN rr_record
			ON rr_record.report = rr_auth.report AND rr_record.seq = rr_auth.seq
			WHERE report_id = 'sub-0001' AND source_ip = '198.51.100.20'
			ORDER BY method, n" | tr '\n' ' ')" \
		"dkim|0|lists.example|l1||pass|list signature dkim|1|news.example.com|n1||fail|body changed \
spf|0|lists.example||mfrom|fail| spf|1|mx.lists.example||helo|pass| "
	mxg_eq "${label}every reason with its comment" \
		"$(sql "SELECT n, type, comment FROM rr_reason JOIN rr_report ON rr_report.id = report
			WHERE report_id = 'sub-0001' ORDER BY n" | tr '\n' ' ')" \
		"0|forwarded|via list@lists.example 1|local_policy|arc trusted "
	mxg_eq "${label}the DMARCbis policy fields of bis.xml" \
		"$(sql "SELECT dmarcbis, np, testing, discovery_method, version FROM rr_report
			WHERE report_id = 'bis-2026-12-06-0001'")" "1|reject|n|treewalk|1.0"
	summary --json --no-resolve example.com >"$MXG_WORK/sub.json"
	mxg_eq "${label}summary of example.com takes in news. and shop.example.com" \
		"$(sfield froms)" "True 244 example.com=225/170 news.example.com=10/4 shop.example.com=9/9"
	mxg_eq "${label}one pass one fail SPF: the reporter's verdict counts, both are named" \
		"$(sfield 198.51.100.20)" "6 news.example.com | SPF fail for lists.example, SPF pass \
for mx.lists.example (HELO, not used by DMARC); DKIM pass d=lists.example s=l1, not aligned; \
DKIM fail d=news.example.com s=n1; reported as forwarded: via list@lists.example, \
local_policy: arc trusted"
	mxg_eq "${label}a source that sent as the domain and two subdomains" \
		"$(sfield 192.0.2.25)" "183 example.com news.example.com shop.example.com | "
	summary --json --no-resolve --exact example.com >"$MXG_WORK/sub.json"
	mxg_eq "${label}--exact: reports on example.com only (shop's report is one)" \
		"$(sfield froms)" "False 234 example.com=225/170 shop.example.com=9/9"
	summary --json --no-resolve shop.example.com >"$MXG_WORK/sub.json"
	mxg_eq "${label}a subdomain found by its records' From" "$(sfield froms)" \
		"True 9 shop.example.com=9/9"
	mxg_eq "${label}--exact on it: no report is on shop.example.com" \
		"$(summary --no-resolve --exact shop.example.com | head -n 1)" \
		"shop.example.com: 0 messages in 0 records, reports ending since 3650d"
	mxg_eq "${label}text: the lines per From domain" \
		"$(summary --no-resolve example.com | sed -n '/^by From domain:/,/^by the registered/p')" \
		"by From domain:
  example.com: 225 messages, DMARC pass 75.6%
  news.example.com: 10 messages, DMARC pass 40.0%
  shop.example.com: 9 messages, DMARC pass 100.0%
by the registered domain of the reverse name:"
}

label="sqlite: "
store=sqlite:$MXG_WORK/reports.db
import_checks
summary_checks
subdomain_checks
printf 'report_store = %s\n' "$store" >"$MXG_WORK/milter.conf"
mxg_eq "sqlite: the store named by the milter configuration" \
	"$("$mxguard" report import --config "$MXG_WORK/milter.conf" "$data/bis.zip" | tail -n 1)" \
	"0 stored, 1 duplicates, 0 refused"
mxg_eq "a store that cannot open: exit 3" \
	"$(store=sqlite:$MXG_WORK/missing/dir/r.db import "$data/bis.xml")" "rc=3"

label="postgresql: "
store="postgresql://mxg@/reports?host=$PGDIR"
import_checks
summary_checks
subdomain_checks

# Round trip: evaluations recorded in SQLite, reported by `report send`, imported into
# PostgreSQL: the same totals come back.
s1=sqlite:$MXG_WORK/sent.db
s2="postgresql://mxg@/roundtrip?host=$PGDIR"
day=1700006400 # 2023-11-15
printf 'From: A <a@send.test>\r\nTo: b@example.com\r\nSubject: hi\r\nDate: Wed, 15 Nov 2023 01:00:00 +0000\r\nMessage-ID: <1@send.test>\r\n\r\nHi.\r\n' \
	>"$MXG_WORK/m.eml"
# record N IP: N evaluations of the message from IP, one minute apart.
record() {
	i=0
	while [ $i -lt "$1" ]; do
		i=$((i + 1))
		"$mxguard" dmarc --rfc7489 --resolver 127.0.0.1@$port --authserv-id mx.test --record "$s1" \
			--record-time $((day + i * 60)) --ip "$2" --mail-from a@send.test "$MXG_WORK/m.eml" \
			>"$MXG_WORK/record.err" 2>&1
		[ $? -lt 3 ] || { sed 's/^/    # /' "$MXG_WORK/record.err"; return 1; }
	done
}
mxg_require "4 evaluations from 192.0.2.1 recorded" record 4 192.0.2.1
mxg_require "3 evaluations from 198.51.100.9 recorded" record 3 198.51.100.9
mkdir -p "$MXG_WORK/sent"
"$mxguard" report send --resolver 127.0.0.1@$port --store "$s1" --dry-run --out "$MXG_WORK/sent" \
	--through $((day + 86400)) --org-name "Round Trip" --email r@rt.example >/dev/null
mxg_eq "report send wrote one report" \
	"$(ls "$MXG_WORK/sent" | grep -c '^rt.example!send.test!1700006400!1700092799!.*\.xml\.gz$')" 1
mxg_eq "imported back into PostgreSQL" \
	"$("$mxguard" report import --store "$s2" "$MXG_WORK/sent" | tail -n 1)" \
	"1 stored, 0 duplicates, 0 refused"
"$mxguard" report summary --store "$s2" --since 3650d --no-resolve --json send.test \
	>"$MXG_WORK/back.json"
mxg_eq "the same totals come back" "$(python3 -c 'import json,sys
d = json.load(open(sys.argv[1]))
print(d["messages"], d["dmarc_pass"], d["spf_aligned"], d["dkim_aligned"],
      " ".join("%s=%d/%d" % (s["ip"], s["messages"], s["dmarc_pass"]) for s in d["sources"]))' \
	"$MXG_WORK/back.json")" "7 4 4 0 192.0.2.1=4/4 198.51.100.9=3/0"

# report read: the mail message as the store got it.
mxg_eq "report read --json of the mail message" \
	"$("$mxguard" report read --json "$data/yahoo.eml" | python3 -c 'import json,sys
d = json.load(sys.stdin)
print(d["format"], d["org_name"], d["message_total"], len(d["records"]), d["records"][2]["dkim_results"][0]["selector"])')" \
	"mail Yahoo 23 3 selector1"
truncate -s 17M "$MXG_WORK/oversized.xml"
mxg_eq "report read of a 17 MiB file: refused" \
	"$("$mxguard" report read "$MXG_WORK/oversized.xml" 2>&1; echo "rc=$?")" \
	"mxguard report read: $MXG_WORK/oversized.xml: over the limit of 16777216 bytes
rc=2"
mxg_eq "report read of a bomb: exit 2" \
	"$("$mxguard" report read "$data/hostile/bomb.zip" 2>/dev/null; echo "rc=$?")" "rc=2"

mxg_done
