#!/bin/sh
# mxguard check through libunbound forwarding to NSD on loopback (--resolver):
# the same findings as the zone backend gives, over real DNS.
. "$(dirname "$0")/../lib/harness.sh"
mxg_require_netns "$@"
mxg_workdir

port=5354 # and 53, where the NS records of mx.test point (published TTLs)
mxg_require "NSD serves mx.test on 127.0.0.1@$port" \
	mxg_nsd_start "$port 53" "mx.test=$MXG_ROOT/tests/data/zones/mx.test.zone"

mxguard=$MXG_BUILD/mxguard
# summary: the domain's status and its finding codes, read from mxguard check --json on
# stdin; never empty when the check ran (a healthy domain is "ok"), so two failed runs
# cannot agree by both printing nothing.
summary() {
	python3 -c 'import json,sys
d = json.load(sys.stdin)["domains"][0]
print(" ".join([d["status"]] + sorted(f["code"] for f in d["findings"])))'
}
codes() {
	"$mxguard" check --resolver 127.0.0.1@$port --timeout 5 --json "$1" | summary
}

for d in healthy cname ipliteral dangling nullmixed nullmx nullpref private duplicate implicit nomail slowttl \
	fastttl doesnotexist; do
	over_dns=$(codes "$d.mx.test")
	offline=$("$mxguard" check --zone "$MXG_ROOT/tests/data/zones/mx.test.zone" --json "$d.mx.test" | summary)
	mxg_same "$d: NSD and zone backend agree" "$over_dns" "$offline"
done
mxg_match "cname over DNS" "$(codes cname.mx.test)" "MX_TARGET_CNAME"

# A resolver that does not answer: the check says it could not check (exit 3), no verdict.
"$mxguard" check --resolver 127.0.0.1@5399 --timeout 2 healthy.mx.test >"$MXG_WORK/t.out" 2>&1
mxg_eq "silent resolver: exit 3" $? 3
mxg_match "silent resolver: tempfail reported" "$(cat "$MXG_WORK/t.out")" "MX_LOOKUP_TEMPFAIL"

mxg_done
