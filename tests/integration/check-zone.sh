#!/bin/sh
# mxguard check on the zone backend (--zone): every broken-MX case in
# tests/data/zones/mx.test.zone reports its code in --json output, healthy domains none,
# and exit statuses follow the monitoring convention.
. "$(dirname "$0")/../lib/harness.sh"
mxg_require_netns "$@"
mxg_workdir

zone=$MXG_ROOT/tests/data/zones/mx.test.zone
mxguard=$MXG_BUILD/mxguard

# codes DOMAIN [OPTION...]: the finding codes --json reports for DOMAIN, sorted.
codes() {
	d=$1
	shift
	"$mxguard" check --zone "$zone" --json "$@" "$d" >"$MXG_WORK/out.json"
	python3 -c 'import json,sys
d = json.load(open(sys.argv[1]))
print(" ".join(sorted(f["code"] for f in d["domains"][0]["findings"])))' "$MXG_WORK/out.json"
}

expect() {
	got=$(codes "$1.mx.test")
	mxg_eq "$1: codes" "$got" "$2"
}

expect healthy ""
expect cname "MX_TARGET_CNAME"
expect ipliteral "MX_SINGLE_TARGET MX_TARGET_IP_LITERAL"
expect dangling "MX_ALL_TARGETS_UNUSABLE MX_TARGET_NO_ADDRESS MX_TARGET_NXDOMAIN"
expect nullmixed "MX_NULL_MIXED MX_SINGLE_TARGET"
expect nullmx "MX_NULL"
expect nullpref "MX_NULL MX_NULL_BAD_PREF"
expect private "MX_ALL_TARGETS_UNUSABLE MX_TARGET_PRIVATE_ADDRESS MX_TARGET_PRIVATE_ADDRESS"
expect duplicate "MX_SINGLE_TARGET MX_TARGET_DUPLICATE"
expect single "MX_SINGLE_TARGET"
expect implicit "MX_NONE_IMPLICIT"
expect nomail "MX_NONE_NO_ADDRESS"
expect slowttl "MX_TTL_HIGH"
expect fastttl "MX_TTL_LOW"
expect doesnotexist "MX_DOMAIN_NXDOMAIN"

# --max-targets bounds the targets examined, and says so.
mxg_eq "--max-targets 1: the rest is reported" "$(codes healthy.mx.test --max-targets 1)" \
	"MX_SINGLE_TARGET MX_TARGET_TOO_MANY"

# Exit statuses: 0 clean, 1 warnings, 2 errors; several domains give the worst.
"$mxguard" check --zone "$zone" healthy.mx.test >/dev/null; mxg_eq "exit 0 when clean" $? 0
"$mxguard" check --zone "$zone" single.mx.test >/dev/null; mxg_eq "exit 0 with info only" $? 0
"$mxguard" check --zone "$zone" implicit.mx.test >/dev/null; mxg_eq "exit 1 on warnings" $? 1
"$mxguard" check --zone "$zone" cname.mx.test >/dev/null; mxg_eq "exit 2 on errors" $? 2
"$mxguard" check --zone "$zone" healthy.mx.test dangling.mx.test implicit.mx.test >/dev/null
mxg_eq "exit is the worst of several domains" $? 2

# Human output names the code, the subject and the RFC.
text=$("$mxguard" check --zone "$zone" cname.mx.test)
mxg_match "text output names the code" "$text" "ERROR +MX_TARGET_CNAME"
mxg_match "text output names the alias" "$text" "mail\.cname\.mx\.test is an alias for mx1\.healthy\.mx\.test"
mxg_match "text output cites the RFC" "$text" "RFC 2181"

# Bad input: clear errors, exit 3.
printf 'bad.test. IN MX notanumber\n' >"$MXG_WORK/bad.zone"
err=$("$mxguard" check --zone "$MXG_WORK/bad.zone" x.test 2>&1); rc=$?
mxg_eq "broken zone file: exit 3" $rc 3
mxg_match "broken zone file: says where" "$err" "bad\.zone"
err=$("$mxguard" check --zone "$MXG_WORK/missing.zone" x.test 2>&1); rc=$?
mxg_eq "missing zone file: exit 3" $rc 3
err=$("$mxguard" check 2>&1); rc=$?
mxg_eq "no domain: exit 3" $rc 3
mxg_match "no domain: says so" "$err" "no domain"

# Help and usage errors: help on stdout with exit 0, mistakes named on stderr with exit 3.
out=$("$mxguard" --help); rc=$?
mxg_eq "--help: exit 0" $rc 0
mxg_match "--help lists check" "$out" "^  check "
out=$("$mxguard" help check); rc=$?
mxg_eq "help check: exit 0" $rc 0
mxg_match "help check lists --json" "$out" "--json"
mxg_same "check --help is help check" "$("$mxguard" check --help)" "$out"
err=$("$mxguard" help nosuch 2>&1); mxg_eq "help of an unknown command: exit 3" $? 3
mxg_match "help of an unknown command: says so" "$err" "no command 'nosuch'"
err=$("$mxguard" nosuch 2>&1); mxg_eq "unknown command: exit 3" $? 3
err=$("$mxguard" check --frobnicate x.test 2>&1); mxg_eq "unknown option: exit 3" $? 3
mxg_match "unknown option: named" "$err" "unknown option --frobnicate"
err=$("$mxguard" check x.test --zone 2>&1); mxg_eq "option without value: exit 3" $? 3
mxg_match "option without value: named" "$err" "option --zone needs a value"
err=$("$mxguard" check --max-targets 0 --zone "$zone" x.test 2>&1)
mxg_eq "--max-targets 0: exit 3" $? 3
err=$("$mxguard" check --max-targets 99999999999 --zone "$zone" x.test 2>&1)
mxg_eq "--max-targets that wraps: exit 3" $? 3
err=$("$mxguard" check --zone "$zone" --resolver 127.0.0.1 x.test 2>&1)
mxg_eq "--zone with --resolver: exit 3" $? 3
mxg_match "--zone with --resolver: says so" "$err" "exclude each other"

# JSON is valid and carries the overall status.
"$mxguard" check --zone "$zone" --json healthy.mx.test nullmixed.mx.test >"$MXG_WORK/all.json"
st=$(python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print(d["status"], d["exit"], len(d["domains"]))' "$MXG_WORK/all.json")
mxg_eq "json overall status" "$st" "error 2 2"
mx=$(python3 -c 'import json,sys
d = json.load(open(sys.argv[1]))
for m in d["domains"][0]["mx"] + d["domains"][1]["mx"]:
    print(m["preference"], m["exchange"], m["usable"], ",".join(m["addresses"]))' "$MXG_WORK/all.json")
mxg_eq "json lists the MX records examined" "$mx" "10 mx1.healthy.mx.test True 11.1.1.10,2a00:1450::10
20 mx2.healthy.mx.test True 11.1.1.11
0 . False 
10 mx1.healthy.mx.test True 11.1.1.10,2a00:1450::10"

mxg_done
