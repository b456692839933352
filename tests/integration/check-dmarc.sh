#!/bin/sh
# mxguard check's DMARC findings on the zone backend (tests/data/zones/dmarc.test.zone):
# each case reports its DMARC_* codes in --json output, the healthy one none.
. "$(dirname "$0")/../lib/harness.sh"
mxg_require_netns "$@"
mxg_workdir

zone=$MXG_ROOT/tests/data/zones/dmarc.test.zone
mxguard=$MXG_BUILD/mxguard

# dmarc_codes DOMAIN: the DMARC_* codes --json reports for DOMAIN, sorted.
dmarc_codes() {
	"$mxguard" check --zone "$zone" --json "$1" >"$MXG_WORK/out.json"
	python3 -c 'import json,sys
d = json.load(open(sys.argv[1]))
print(" ".join(sorted(f["code"] for f in d["domains"][0]["findings"] if f["code"].startswith("DMARC_"))))' \
		"$MXG_WORK/out.json"
}

expect() {
	mxg_eq "$1: DMARC codes" "$(dmarc_codes "$1")" "$2"
}

expect good.dmarc.test ""
expect mail.good.dmarc.test ""
expect missing.dmarc.test "DMARC_NONE"
expect invalid.dmarc.test "DMARC_INVALID"
expect multiple.dmarc.test "DMARC_MULTIPLE DMARC_NONE"
expect monitor.dmarc.test "DMARC_POLICY_NONE"
expect www.monitor.dmarc.test "DMARC_POLICY_NONE"
expect pct.dmarc.test "DMARC_PCT_PARTIAL"
expect weaksub.dmarc.test "DMARC_SP_WEAKER"
expect testing.dmarc.test "DMARC_TESTING"
expect external.dmarc.test "DMARC_RUA_UNAUTHORIZED"
expect baduri.dmarc.test "DMARC_INVALID DMARC_RUA_INVALID"
expect brand.psd.test ""

# The text names the unauthorised destination and the record it lacks.
text=$("$mxguard" check --zone "$zone" external.dmarc.test)
mxg_match "text names the destination" "$text" "rogue\.test"
mxg_match "text names the missing record" "$text" "external\.dmarc\.test\._report\._dmarc\.rogue\.test"

# --rfc7489: the organizational domain comes from the public suffix list, not the tree walk,
# so a subdomain whose parent (not its organizational domain) has the record has none.
dmarc_codes_7489() {
	"$mxguard" check --zone "$zone" --json --rfc7489 "$@" >"$MXG_WORK/out7489.json"
	python3 -c 'import json,sys
d = json.load(open(sys.argv[1]))
print(" ".join(sorted(f["code"] for f in d["domains"][0]["findings"] if f["code"].startswith("DMARC_"))))' \
		"$MXG_WORK/out7489.json"
}
mxg_eq "rfc7489: good.dmarc.test has its own record" "$(dmarc_codes_7489 good.dmarc.test)" ""
mxg_eq "rfc7489: mail.good.dmarc.test finds none at dmarc.test" "$(dmarc_codes_7489 mail.good.dmarc.test)" "DMARC_NONE"
mxg_match "rfc7489: the text names the organizational domain it looked at" \
	"$("$mxguard" check --zone "$zone" --rfc7489 mail.good.dmarc.test)" "organizational domain's _dmarc\.dmarc\.test"
mxg_eq "rfc7489 with a list file: the same" "$(dmarc_codes_7489 \
	--psl "$MXG_DATA/psl/public_suffix_list.dat" mail.good.dmarc.test)" "DMARC_NONE"
err=$("$mxguard" check --zone "$zone" --psl "$MXG_DATA/psl/public_suffix_list.dat" good.dmarc.test 2>&1)
mxg_eq "--psl without --rfc7489: exit 3" $? 3
mxg_match "--psl without --rfc7489: says why" "$err" "--psl needs --rfc7489"
err=$("$mxguard" check --zone "$zone" --rfc7489 --psl "$MXG_WORK/no-such-list" good.dmarc.test 2>&1)
mxg_eq "unreadable list file: exit 3" $? 3
mxg_match "unreadable list file: names it" "$err" "no-such-list: cannot load the public suffix list"

# Exit statuses: healthy 0, a warning 1, an error 2.
"$mxguard" check --zone "$zone" good.dmarc.test >/dev/null; mxg_eq "healthy: exit 0" $? 0
"$mxguard" check --zone "$zone" --json missing.dmarc.test >/dev/null; rc=$?
mxg_check "no DMARC record: at least a warning" [ $rc -ge 1 ]
"$mxguard" check --zone "$zone" invalid.dmarc.test >/dev/null; mxg_eq "invalid record: exit 2" $? 2

mxg_done
