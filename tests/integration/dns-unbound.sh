#!/bin/sh
# The libunbound backend against NSD on loopback: the same answers as the zone backend,
# a hard per-lookup deadline against a server that never replies, many threads at once,
# and DNSSEC status (secure, bogus) with a trust anchor for a zone signed here.
. "$(dirname "$0")/../lib/harness.sh"
mxg_require_netns "$@"
mxg_workdir

# The ASan+UBSan build when there is one: the threaded and timeout paths run under it.
probe=$MXG_ROOT/build/san/tests/tools/dns_probe
[ -x "$probe" ] || probe=$MXG_BUILD/tests/tools/dns_probe
dnszone=$MXG_ROOT/tests/data/zones/dns.test.zone
port=5356
silent=5357
[ -x "$probe" ] || { mxg_not_ok "$probe is built (make check-prepare)"; mxg_done; }

# A signed zone with one RRset altered after signing (bad) and one MX (bogusmx).
sign_zone() {
	d=$MXG_WORK/sec
	mkdir -p "$d"
	cat >"$d/sec.test.zone" <<'ZONE'
$ORIGIN sec.test.
$TTL 3600
@        IN SOA ns1 hostmaster ( 1 3600 600 86400 120 )
@        IN NS  ns1
ns1      IN A   127.0.0.1
www      IN A   192.0.2.80
bad      IN A   192.0.2.66
@        IN MX  10 www
bogusmx  IN MX  10 www
ZONE
	(cd "$d" && ldns-keygen -a ED25519 -k sec.test >ksk && ldns-keygen -a ED25519 sec.test >zsk &&
		ldns-signzone -o sec.test sec.test.zone "$(cat ksk)" "$(cat zsk)") || return 1
	sed -e 's/192\.0\.2\.66/192.0.2.67/' -e 's/^\(bogusmx\.sec\.test\.[[:space:]].*MX[[:space:]]*\)10 /\120 /' \
		"$d/sec.test.zone.signed" >"$d/sec.test.zone.tampered"
	cp "$d/$(cat "$d/ksk").ds" "$d/anchor"
	! cmp -s "$d/sec.test.zone.signed" "$d/sec.test.zone.tampered"
}

sign_zone || { mxg_not_ok "sign sec.test with ldns-signzone"; mxg_done; }
mxg_require "NSD serves dns.test and sec.test on 127.0.0.1@$port" \
	mxg_nsd_start $port "dns.test=$dnszone" "sec.test=$MXG_WORK/sec/sec.test.zone.tampered"

questions="www.dns.test/A www.dns.test/AAAA www.dns.test/MX mail.dns.test/MX txt.dns.test/TXT
spf.dns.test/SPF _25._tcp.www.dns.test/TLSA ptr.dns.test/PTR ns1.dns.test/A dns.test/NS
alias.dns.test/A alias.dns.test/CNAME step.dns.test/AAAA dangling.dns.test/A
nope.dns.test/A b.c.dns.test/TXT c.dns.test/A a.b.c.dns.test/TXT x.a.b.c.dns.test/TXT
any.wild.dns.test/TXT two.any.wild.dns.test/TXT any.wild.dns.test/A real.wild.dns.test/TXT
real.wild.dns.test/A"

# shellcheck disable=SC2086
"$probe" --no-ttl --zone "$dnszone" $questions >"$MXG_WORK/zone.out" 2>/dev/null
# shellcheck disable=SC2086
"$probe" --no-ttl --resolver 127.0.0.1@$port $questions >"$MXG_WORK/ub.out" 2>"$MXG_WORK/ub.err"
mxg_eq "probe over NSD exits 0 (no error, no sanitizer report)" $? 0
for q in $questions; do
	name=${q%/*}
	type=${q#*/}
	z=$(awk -v n="$name" -v t="$type" '/^[^ ]/ { on = ($1 == n && $2 == t) } on' "$MXG_WORK/zone.out")
	u=$(awk -v n="$name" -v t="$type" '/^[^ ]/ { on = ($1 == n && $2 == t) } on' "$MXG_WORK/ub.out")
	mxg_same "$q: libunbound over NSD = zone backend" "$u" "$z"
done
mxg_match "TXT strings kept apart" "$(cat "$MXG_WORK/ub.out")" '"v=spf1 " "ip4:192.0.2.0/24 " "-all"'
mxg_match "CNAME chain followed" "$(cat "$MXG_WORK/ub.out")" \
	'^alias.dns.test A NOERROR insecure count=2 canonical=www.dns.test chain=step.dns.test,www.dns.test$'
mxg_match "empty non-terminal is NODATA" "$(cat "$MXG_WORK/ub.out")" '^b.c.dns.test TXT NOERROR .* count=0'
mxg_match "NXDOMAIN" "$(cat "$MXG_WORK/ub.out")" '^nope.dns.test A NXDOMAIN'

# TTLs, positive and negative (min of SOA TTL and MINIMUM), from a fresh cache.
ttls=$("$probe" --resolver 127.0.0.1@$port www.dns.test/A nope.dns.test/A 2>/dev/null | grep -o 'ttl=[0-9]*' | tr '\n' ' ')
mxg_eq "TTLs: record 600, negative 120" "$ttls" "ttl=600 ttl=120 "

out=$("$probe" --resolver 127.0.0.1@$port loop1.dns.test/A other.example/A 2>/dev/null)
mxg_match "CNAME loop: SERVFAIL" "$out" '^loop1.dns.test A SERVFAIL'
mxg_match "REFUSED by the server: SERVFAIL" "$out" '^other.example A SERVFAIL'

# Many threads share one resolver: every answer the same as the single-threaded one.
# shellcheck disable=SC2086
out=$("$probe" --no-ttl --resolver 127.0.0.1@$port --threads 8 --repeat 10 $questions 2>&1 | tail -n 1)
n=$(echo $questions | wc -w)
mxg_match "8 threads x 10 rounds: all answers agree" "$out" "^threads=8 lookups=$((n * 80)) mismatches=0 "

# A server that takes queries and never answers: each lookup ends at its deadline.
mxg_bg silent python3 -c 'import socket, time
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("127.0.0.1", '$silent'))
time.sleep(300)'
mxg_wait_port $silent udp 10
out=$("$probe" --resolver 127.0.0.1@$silent --timeout 1500 www.dns.test/A 2>&1)
mxg_match "silent server: TIMEOUT" "$out" '^www.dns.test A TIMEOUT'
ms=$(printf '%s\n' "$out" | sed -n 's/.*ms=\([0-9]*\)$/\1/p')
# The deadline is hard: libunbound alone would retry for minutes. The slack is wide so that a
# loaded machine does not fail the test; it still tells a deadline from none.
mxg_check "silent server: gave up at the 1.5 s deadline, give or take 3 s (took ${ms:-?} ms)" test "${ms:-99999}" -le 4500
mxg_check "silent server: did not give up early (took ${ms:-?} ms)" test "${ms:-0}" -ge 1400
out=$("$probe" --resolver 127.0.0.1@$silent --timeout 1000 --threads 6 a.dns.test/A b.dns.test/TXT 2>&1 | tail -n 1)
# The same slack: at most 4.5 s for a 1 s deadline, six threads on a loaded machine.
mxg_match "silent server, 6 threads: all time out, none hangs" "$out" "^threads=6 lookups=12 mismatches=0 max_ms=(1[0-9]{3}|[23][0-9]{3}|4[0-4][0-9]{2})$"

# DNSSEC with a trust anchor for sec.test; names outside it stay insecure.
ta=$MXG_WORK/sec/anchor
out=$("$probe" --resolver 127.0.0.1@$port --trust-anchor "$ta" www.sec.test/A bad.sec.test/A \
	nope.sec.test/A www.dns.test/A 2>/dev/null)
mxg_match "signed: secure" "$out" '^www.sec.test A NOERROR secure count=1'
mxg_match "tampered RRset: bogus, SERVFAIL" "$out" '^bad.sec.test A SERVFAIL bogus'
mxg_match "signed NXDOMAIN: secure" "$out" '^nope.sec.test A NXDOMAIN secure'
mxg_match "outside the anchor: insecure" "$out" '^www.dns.test A NOERROR insecure'
out=$("$probe" --resolver 127.0.0.1@$port www.sec.test/A 2>/dev/null)
mxg_match "no trust anchor: insecure" "$out" '^www.sec.test A NOERROR insecure'

# The same through mxguard check: a bogus MX RRset is reported as such.
out=$("$MXG_BUILD/mxguard" check --resolver 127.0.0.1@$port --trust-anchor "$ta" --timeout 5 bogusmx.sec.test 2>&1)
mxg_match "mxguard check: bogus MX RRset" "$out" "MX_DNSSEC_BOGUS"
out=$("$MXG_BUILD/mxguard" check --resolver 127.0.0.1@$port --trust-anchor "$ta" --timeout 5 sec.test 2>&1)
mxg_nomatch "mxguard check: signed MX RRset is not bogus" "$out" "MX_DNSSEC_BOGUS"

mxg_done
