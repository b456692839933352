#!/bin/sh
# mxguard check as a monitoring check behind a real caching resolver: NSD serves the zones on
# 127.0.0.1@53 (where their NS records point), the Unbound of scripts/build-unbound (or
# Debian's, when that is what is installed) caches in front. The cached MX TTL counts down
# between runs; the check must judge the TTL the zone publishes, so its exit status and
# findings stay the same for an unchanged zone, and a zone whose name servers cannot be
# asked gets an info note instead of a TTL verdict.
. "$(dirname "$0")/../lib/harness.sh"
. "$MXG_ROOT/tests/lib/unbound.sh"
mxg_require_netns "$@"
mxg_workdir

ub_port=5376
if [ ! -x "$MXG_UNBOUND" ] && [ -x /usr/sbin/unbound ]; then
	MXG_UNBOUND=/usr/sbin/unbound
fi
[ -x "$MXG_UNBOUND" ] || { mxg_not_ok "unbound built (make check-prepare)"; mxg_done; }

# low: an MX TTL under the 300 s threshold. high: 303 s, over it by less than the few
# seconds the test waits, so the cached copy soon shows under 300. far: name server on an
# address where nothing answers (Unbound reaches the zone through its stub-addr).
cat >"$MXG_WORK/ttl.test.zone" <<'ZONE'
$ORIGIN ttl.test.
$TTL 3600
@          IN SOA ns1 hostmaster ( 1 3600 600 86400 300 )
@          IN NS  ns1
ns1        IN A   127.0.0.1
_dmarc     IN TXT "v=DMARC1; p=reject; psd=n"
mx1        IN A   11.1.1.10
mx2        IN A   11.1.1.11
low     60 IN MX  10 mx1
low     60 IN MX  20 mx2
low        IN TXT "v=spf1 mx -all"
high   303 IN MX  10 mx1
high   303 IN MX  20 mx2
high       IN TXT "v=spf1 mx -all"
ZONE
cat >"$MXG_WORK/far.test.zone" <<'ZONE'
$ORIGIN far.test.
$TTL 3600
@          IN SOA ns1 hostmaster ( 1 3600 600 86400 300 )
@          IN NS  ns1
ns1        IN A   127.0.0.9
_dmarc     IN TXT "v=DMARC1; p=reject; psd=n"
mx1        IN A   11.1.1.10
mx2        IN A   11.1.1.11
@       60 IN MX  10 mx1
@       60 IN MX  20 mx2
@          IN TXT "v=spf1 mx -all"
ZONE
mxg_nsd_start 53 "ttl.test=$MXG_WORK/ttl.test.zone" "far.test=$MXG_WORK/far.test.zone" ||
	{ mxg_not_ok "NSD started on 127.0.0.1@53"; mxg_done; }
mxg_unbound_start ub $ub_port "iterator" /dev/null ttl.test=53 far.test=53 ||
	{ mxg_not_ok "Unbound started"; cat "$MXG_WORK/ub/unbound.log" "$MXG_WORK/ub.log" 2>/dev/null; mxg_done; }
mxg_ready "NSD on 127.0.0.1@53, caching Unbound on 127.0.0.1@$ub_port in front"

mxguard=$MXG_BUILD/mxguard

# run DOMAIN: one monitoring run through Unbound; prints the exit status, then one line per
# finding ("CODE text"), sorted.
run() {
	"$mxguard" check --resolver 127.0.0.1@$ub_port --timeout 5 --json "$1" >"$MXG_WORK/out.json"
	rc=$?
	echo "exit $rc"
	python3 -c 'import json,sys
d = json.load(open(sys.argv[1]))
for f in sorted(d["domains"][0]["findings"], key=lambda f: (f["code"], f["text"])):
    print(f["code"], f["text"])' "$MXG_WORK/out.json"
}

# cached_ttl DOMAIN: the TTL Unbound gives for the MX RRset now.
cached_ttl() {
	dig @127.0.0.1 -p $ub_port +tries=1 +time=2 +noall +answer "$1" MX | awk 'NR == 1 { print $2 }'
}

# --- a low MX TTL: MX_TTL_LOW every time, with the published value, whatever the cache holds
first=$(run low.ttl.test)
t1=$(cached_ttl low.ttl.test)
mxg_match "low: MX_TTL_LOW on the first run" "$first" "^MX_TTL_LOW MX TTL of low\.ttl\.test is 60 s"
mxg_match "low: exit 1 (warning)" "$first" "^exit 1$"
sleep 3
t2=$(cached_ttl low.ttl.test)
mxg_check "low: the cached TTL counts down between the runs ($t1 then $t2)" \
	test "${t2:-99}" -lt "${t1:-0}" -a "${t1:-0}" -le 60
second=$(run low.ttl.test)
mxg_eq "low: same exit status and findings on the second run" "$second" "$first"

# --- a high MX TTL: never MX_TTL_LOW, even once the cached copy is under the threshold
first=$(run high.ttl.test)
mxg_match "high: exit 0 on the first run" "$first" "^exit 0$"
mxg_nomatch "high: no TTL finding on the first run" "$first" "^MX_TTL_"
i=0 t=$(cached_ttl high.ttl.test)
while [ "${t:-999}" -ge 300 ] && [ $i -lt 20 ]; do
	sleep 0.5
	i=$((i + 1))
	t=$(cached_ttl high.ttl.test)
done
mxg_check "high: the cached TTL fell under the 300 s threshold (now $t)" test "${t:-999}" -lt 300
second=$(run high.ttl.test)
mxg_nomatch "high: no MX_TTL_LOW with the cached TTL at $t" "$second" "^MX_TTL_LOW"
mxg_eq "high: same exit status and findings on the second run" "$second" "$first"

# --- the zone's name server cannot be asked: no TTL verdict, an info note, exit 0
first=$(run far.test)
mxg_match "far: MX_TTL_UNKNOWN says the TTL was not judged" "$first" "^MX_TTL_UNKNOWN "
mxg_nomatch "far: no MX_TTL_LOW from the cached TTL" "$first" "^MX_TTL_LOW"
mxg_match "far: exit 0 (the note is info)" "$first" "^exit 0$"
sleep 2
second=$(run far.test)
mxg_eq "far: same exit status and findings on the second run" "$second" "$first"
text=$("$mxguard" check --resolver 127.0.0.1@$ub_port --timeout 5 far.test)
mxg_match "far: text output lists the note under info" "$text" "MX_TTL_UNKNOWN"

mxg_done
