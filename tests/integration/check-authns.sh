#!/bin/sh
# mxguard check --authoritative against real name servers: two NSD instances on 127.0.0.2 and
# 127.0.0.3 (port 53, where the zones' NS records point) serve the same zones, some with
# different MX sets or serials (the stale secondary), some alike (the negative cases), one
# with a name server where nothing listens and one with a server that does not serve it (lame).
# A caching Unbound in front (stub zones to 127.0.0.2) is the resolver the check finds them with.
. "$(dirname "$0")/../lib/harness.sh"
. "$MXG_ROOT/tests/lib/unbound.sh"
mxg_require_netns "$@"
mxg_workdir

ub_port=5377
mxguard=$MXG_BUILD/mxguard
[ -x "$MXG_UNBOUND" ] || { mxg_not_ok "unbound built (make check-prepare)"; mxg_done; }

# zone NAME SERIAL MX-LINES: the zone NAME.test; [EXTRA-NS-LINES]: a zone file on stdout, name servers ns1 and ns2
# (127.0.0.2 and 127.0.0.3) unless EXTRA-NS-LINES replaces ns2.
zone() {
	cat <<ZONE
\$ORIGIN $1.test.
\$TTL 3600
@       IN SOA ns1 hostmaster ( $2 3600 600 86400 300 )
@       IN NS  ns1
ns1     IN A   127.0.0.2
${4:-@       IN NS  ns2
ns2     IN A   127.0.0.3}
_dmarc  IN TXT "v=DMARC1; p=reject; psd=n"
@       IN TXT "v=spf1 mx -all"
new     IN A   11.1.1.20
old     IN A   11.1.1.10
$3
ZONE
}

# nsd_at NAME ADDR ZONE...: NSD on ADDR@53 serving $MXG_WORK/NAME.src/ZONE.zone for each ZONE;
# ready once it answers for the first one.
nsd_at() {
	name=$1 addr=$2
	shift 2
	zones=
	for z in "$@"; do zones="$zones $z=$MXG_WORK/$name.src/$z.zone"; done
	# shellcheck disable=SC2086
	MXG_NSD_NAME=$name mxg_nsd_start "$addr@53" $zones || return 1
	mxg_wait_until 10 soa_from "$addr" "$1"
}

# soa_from ADDR ZONE: true when ADDR answers for ZONE's SOA.
soa_from() {
	[ -n "$(dig @"$1" +tries=1 +time=1 +norec "$2" SOA +short 2>/dev/null)" ]
}

mkdir -p "$MXG_WORK/ns1.src" "$MXG_WORK/ns2.src"
# split: the stale secondary (older serial, the MX before the move). same: alike everywhere.
# serial: same MX, the secondary one serial behind. addr: same MX name, another address.
# dead: ns2 is 127.0.0.9, where nothing listens. lame: ns2 does not serve the zone.
zone split 2 "@ IN MX 10 new" >"$MXG_WORK/ns1.src/split.test.zone"
zone split 1 "@ IN MX 10 old" >"$MXG_WORK/ns2.src/split.test.zone"
zone same 5 "@ IN MX 10 new
@ IN MX 20 old" >"$MXG_WORK/ns1.src/same.test.zone"
zone same 5 "@ IN MX 20 old
@ IN MX 10 new" >"$MXG_WORK/ns2.src/same.test.zone"
zone serial 3 "@ IN MX 10 new" >"$MXG_WORK/ns1.src/serial.test.zone"
zone serial 2 "@ IN MX 10 new" >"$MXG_WORK/ns2.src/serial.test.zone"
zone addr 4 "@ IN MX 10 mx
mx IN A 11.1.1.30" >"$MXG_WORK/ns1.src/addr.test.zone"
zone addr 4 "@ IN MX 10 mx
mx IN A 11.1.1.31" >"$MXG_WORK/ns2.src/addr.test.zone"
zone dead 1 "@ IN MX 10 new" "@ IN NS ns2
ns2 IN A 127.0.0.9" >"$MXG_WORK/ns1.src/dead.test.zone"
zone lame 1 "@ IN MX 10 new" >"$MXG_WORK/ns1.src/lame.test.zone"
# ttl: same MX and serial, but the secondary still serves the TTL from before it was lowered.
zone ttl 6 "@ 600 IN MX 10 new" >"$MXG_WORK/ns1.src/ttl.test.zone"
zone ttl 6 "@ 86400 IN MX 10 new" >"$MXG_WORK/ns2.src/ttl.test.zone"
# base: for --baseline, on ns1 only, with TTLs of 1 s so that Unbound's copy soon expires.
base_zone() {
	zone base "$1" "@ 1 IN MX 10 $2
_mta-sts 1 IN TXT \"v=STSv1; id=$3\"
_25._tcp.new 1 IN TLSA 3 1 1 00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff" \
		"; ns1 only"
}
base_zone 1 new id1 >"$MXG_WORK/ns1.src/base.test.zone"
# hole: eight name servers on 127.0.0.20-27, where a socket takes every query and answers none.
zone hole 1 "@ IN MX 10 new" "$(for i in 0 1 2 3 4 5 6 7; do
	printf '@ IN NS h%s\nh%s IN A 127.0.0.2%s\n' $i $i $i; done)" >"$MXG_WORK/ns1.src/hole.test.zone"

mxg_require "NSD on 127.0.0.2@53 (ns1)" nsd_at ns1 127.0.0.2 split.test same.test serial.test \
	addr.test dead.test lame.test base.test ttl.test hole.test
mxg_require "NSD on 127.0.0.3@53 (ns2)" nsd_at ns2 127.0.0.3 split.test same.test serial.test \
	addr.test ttl.test
mxg_require "Unbound on 127.0.0.1@$ub_port" mxg_unbound_start ub $ub_port "iterator" /dev/null \
	split.test=127.0.0.2@53 same.test=127.0.0.2@53 serial.test=127.0.0.2@53 \
	addr.test=127.0.0.2@53 dead.test=127.0.0.2@53 lame.test=127.0.0.2@53 \
	base.test=127.0.0.2@53 ttl.test=127.0.0.2@53 hole.test=127.0.0.2@53
black_hole() {
	exec python3 -c 'import select, socket
socks = []
for i in range(8):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind(("127.0.0.2%d" % i, 53))
    socks.append(s)
print("ready", flush=True)
while True:
    for s in select.select(socks, [], [])[0]:
        s.recvfrom(4096)'
}
mxg_bg hole black_hole
mxg_require "a black hole on 127.0.0.20-27@53" mxg_wait_match "$MXG_WORK/hole.log" "^ready" 10

# check ARGS...: one run through Unbound; prints "exit N", then "CODE subject: text" per
# finding of the first domain, sorted.
check() {
	"$mxguard" check --resolver 127.0.0.1@$ub_port --timeout "${TIMEOUT:-1}" --json "$@" >"$MXG_WORK/out.json" \
		2>"$MXG_WORK/err.txt"
	echo "exit $?"
	python3 -c 'import json,sys
d = json.load(open(sys.argv[1]))
for f in sorted(d["domains"][0]["findings"], key=lambda f: (f["code"], f["subject"])):
    print(f["code"], f["subject"] + ":", f["text"])' "$MXG_WORK/out.json"
}

# --- the stale secondary: another MX set and an older serial
out=$(check --authoritative split.test)
mxg_match "split: MX_NS_INCONSISTENT names both servers and what each serves" "$out" \
	"^MX_NS_INCONSISTENT split\.test: .*ns1\.split\.test \(127\.0\.0\.2\): 10 new\.split\.test; ns2\.split\.test \(127\.0\.0\.3\): 10 old\.split\.test"
mxg_match "split: NS_SERIAL_MISMATCH with both serials" "$out" \
	"^NS_SERIAL_MISMATCH split\.test: .*\(127\.0\.0\.2\): 2; .*\(127\.0\.0\.3\): 1"
mxg_match "split: exit 2 (error)" "$out" "^exit 2$"
out=$(check split.test)
mxg_nomatch "split: without --authoritative, no comparison" "$out" "MX_NS_INCONSISTENT|NS_SERIAL"
again=$(check --authoritative split.test)
mxg_same "split: the same findings and exit status on every run (monitoring)" "$again" \
	"$(check --authoritative split.test)"

# --- alike on both servers (records in another order): nothing
out=$(check --authoritative same.test)
mxg_nomatch "same: no finding of the authoritative check" "$out" \
	"MX_NS_INCONSISTENT|NS_SERIAL_MISMATCH|NS_UNREACHABLE|NS_LAME"
mxg_match "same: exit 0" "$out" "^exit 0$"

# --- same MX, serial behind: info only
out=$(check --authoritative serial.test)
mxg_match "serial: NS_SERIAL_MISMATCH" "$out" "^NS_SERIAL_MISMATCH "
mxg_nomatch "serial: no MX_NS_INCONSISTENT" "$out" "MX_NS_INCONSISTENT"
mxg_match "serial: exit 0 (info)" "$out" "^exit 0$"

# --- the same MX name with another address on the secondary
out=$(check --authoritative addr.test)
mxg_match "addr: MX_NS_INCONSISTENT on the target's addresses" "$out" \
	"^MX_NS_INCONSISTENT mx\.addr\.test: .*11\.1\.1\.30.*11\.1\.1\.31"
mxg_nomatch "addr: no serial finding (both serve serial 4)" "$out" "NS_SERIAL_MISMATCH"

# --- the MX TTL differs: the secondary serves the TTL from before it was lowered
out=$(check --authoritative ttl.test)
mxg_match "ttl: MX_NS_INCONSISTENT on the MX TTL, both values" "$out" \
	"^MX_NS_INCONSISTENT ttl\.test: .*the MX TTL of ttl\.test: .*\(127\.0\.0\.2\): 600 s; .*\(127\.0\.0\.3\): 86400 s"
mxg_nomatch "ttl: the MX set itself agrees" "$out" "the MX records of"

# --- a name server where nothing answers: a warning, bounded in time
start=$(date +%s)
out=$(check --authoritative dead.test)
took=$(( $(date +%s) - start ))
mxg_match "dead: NS_UNREACHABLE names the silent server" "$out" \
	"^NS_UNREACHABLE ns2\.dead\.test \(127\.0\.0\.9\): "
mxg_match "dead: exit 1 (warning)" "$out" "^exit 1$"
mxg_check "dead: the check ended in bounded time (${took} s, --timeout 1)" test "$took" -le 8

# --- eight servers that never answer, each given 5 s: the 20 s budget of the round holds
start=$(date +%s)
out=$(TIMEOUT=5 check --authoritative hole.test)
took=$(( $(date +%s) - start ))
# (the MX TTL lookup of the MX audit adds its own bounded wait: three addresses, 2 s each)
mxg_check "hole: bounded by the budget (${took} s for 8 x 5 s of waits)" test "$took" -le 30
mxg_match "hole: the last servers were not asked" "$out" "^NS_UNREACHABLE .*not asked: the 20 s budget"
mxg_match "hole: the first were asked and timed out" "$out" "^NS_UNREACHABLE h0\.hole\.test \(127\.0\.0\.20\): .*no answer"
mxg_match "hole: not fully checked (exit 3)" "$out" "^exit 3$"

# --- a listed server that does not serve the zone
out=$(check --authoritative lame.test)
mxg_match "lame: NS_LAME names the server" "$out" "^NS_LAME ns2\.lame\.test \(127\.0\.0\.3\): .*REFUSED"
mxg_nomatch "lame: no NS_UNREACHABLE" "$out" "NS_UNREACHABLE"

# --- --authoritative with --zone: nothing to ask, said so (exit 3)
"$mxguard" check --zone "$MXG_WORK/ns1.src/same.test.zone" --authoritative same.test \
	>"$MXG_WORK/zone.txt" 2>&1
mxg_eq "zone: --authoritative with --zone exits 3" "$?" 3
mxg_match "zone: and says why" "$(cat "$MXG_WORK/zone.txt")" "authoritative: --zone has no name servers"

# --- --baseline: the first run records, an unchanged zone stays quiet, a change is reported
# until accepted with --save-baseline
base=$MXG_WORK/base.txt
out=$(check --baseline "$base" base.test)
mxg_nomatch "baseline: the first run reports no change" "$out" "MX_CHANGED"
mxg_match "baseline: the first run says it recorded the domain" "$(cat "$MXG_WORK/err.txt")" \
	"baseline .*base\.txt: recorded 1 domain"
mxg_match "baseline: the file holds the MX" "$(cat "$base" 2>&1)" "^mx 10 new\.base\.test$"
mxg_match "baseline: the file holds the TLSA" "$(cat "$base" 2>&1)" "^tlsa new\.base\.test 3 1 1 0011"
mxg_match "baseline: the file holds the MTA-STS id" "$(cat "$base" 2>&1)" "^mta-sts-id id1$"
first_exit=$(printf '%s\n' "$out" | head -n 1)
cp "$base" "$MXG_WORK/base.first"
out=$(check --baseline "$base" base.test)
mxg_nomatch "baseline: unchanged zone, no MX_CHANGED" "$out" "MX_CHANGED"
mxg_eq "baseline: unchanged zone, same exit status" "$(printf '%s\n' "$out" | head -n 1)" "$first_exit"
mxg_check "baseline: unchanged zone, the file is not rewritten" cmp -s "$base" "$MXG_WORK/base.first"

# The zone changes on the server: another MX, another MTA-STS id; NSD reloads on SIGHUP.
base_zone 2 old id2 >"$MXG_WORK/ns1/base.test.zone"
touch -d "@$(( $(date +%s) + 5 ))" "$MXG_WORK/ns1/base.test.zone"
kill -HUP "$MXG_PID_ns1"
mx_via() { dig @"$1" -p "$2" +tries=1 +time=1 base.test MX +short 2>/dev/null | grep -q old; }
mxg_require "NSD reloaded the changed zone" mxg_wait_until 10 mx_via 127.0.0.2 53
mxg_require "Unbound's copy expired" mxg_wait_until 10 mx_via 127.0.0.1 $ub_port
out=$(check --baseline "$base" base.test)
mxg_match "changed: MX_CHANGED for the MX removed" "$out" \
	"^MX_CHANGED base\.test: removed since the baseline: mx 10 new\.base\.test$"
mxg_match "changed: MX_CHANGED for the MX added" "$out" \
	"^MX_CHANGED base\.test: added since the baseline: mx 10 old\.base\.test$"
mxg_match "changed: the MTA-STS id change" "$out" "^MX_CHANGED base\.test: added since the baseline: mta-sts-id id2$"
mxg_match "changed: the TLSA gone with the old MX" "$out" "^MX_CHANGED base\.test: removed since the baseline: tlsa new\.base\.test"
mxg_match "changed: exit 2 (critical)" "$out" "^exit 2$"
out=$(check --baseline "$base" base.test)
mxg_match "changed: still reported on the next run" "$out" "^MX_CHANGED base\.test: added since the baseline: mx 10 old"
out=$(check --baseline "$base" --save-baseline base.test)
mxg_nomatch "accepted: --save-baseline reports no change" "$out" "MX_CHANGED"
out=$(check --baseline "$base" base.test)
mxg_nomatch "accepted: the next run is quiet" "$out" "MX_CHANGED"
mxg_match "accepted: the file holds the new MX" "$(cat "$base")" "^mx 10 old\.base\.test$"

# A damaged file: a clear error with the line, exit 3, the file left as it was.
printf 'mxguard-baseline 1\ndomain base.test\nmx ten old.base.test\n' >"$base"
cp "$base" "$MXG_WORK/base.bad"
"$mxguard" check --resolver 127.0.0.1@$ub_port --timeout 1 --baseline "$base" base.test \
	>"$MXG_WORK/bad.txt" 2>&1
mxg_eq "damaged: exit 3" "$?" 3
mxg_match "damaged: the error names the line and the problem" "$(cat "$MXG_WORK/bad.txt")" \
	"base\.txt:3: expected: mx PREFERENCE HOST"
mxg_check "damaged: the file is left unchanged" cmp -s "$base" "$MXG_WORK/base.bad"

mxg_done
