#!/bin/sh
# mxguard dmarc on the zone backend with the RFC 8463 message: SPF, DKIM and DMARC together,
# the Authentication-Results field, hostile From fields, RFC 7489 mode, exit statuses, --json.
. "$(dirname "$0")/../lib/harness.sh"
mxg_require_netns "$@"
mxg_workdir

zones="--zone $MXG_ROOT/tests/data/zones/dkim.test.zone --zone $MXG_ROOT/tests/data/zones/dmarc.test.zone"
msg=$MXG_DATA/dkim/rfc8463/signed-message.eml
mxguard=$MXG_BUILD/mxguard

# dmarc IP MAIL-FROM FILE [ARGS...]: "SPF DKIM... DMARC POLICY rc=N" from --json output.
dmarc() {
	ip=$1 from=$2 file=$3
	shift 3
	"$mxguard" dmarc $zones --json --authserv-id mx.test --ip "$ip" --mail-from "$from" "$@" "$file" \
		>"$MXG_WORK/out.json"
	rc=$?
	python3 -c 'import json,sys
d = json.load(open(sys.argv[1]))
m = d["dmarc"]
print(d["spf"]["result"], " ".join(s["result"] for s in d["dkim"]) or "-", m["result"], m["policy"], end="")' \
		"$MXG_WORK/out.json"
	echo " rc=$rc"
}

sed 's/lost the game/won the game/' "$msg" >"$MXG_WORK/changed.eml"

mxg_eq "aligned SPF and DKIM pass" "$(dmarc 192.0.2.1 joe@football.example.com "$msg")" \
	"pass pass pass pass none rc=0"
mxg_eq "DKIM alone passes" "$(dmarc 198.51.100.1 joe@football.example.com "$msg")" \
	"fail pass pass pass none rc=0"
mxg_eq "SPF alone passes" "$(dmarc 192.0.2.1 joe@football.example.com "$MXG_WORK/changed.eml")" \
	"pass fail fail pass none rc=0"
mxg_eq "unaligned SPF pass fails" "$(dmarc 192.0.2.1 bounce@bounces.example.net "$MXG_WORK/changed.eml")" \
	"pass fail fail fail reject rc=2"
mxg_eq "null reverse-path: the HELO name aligns" \
	"$(dmarc 192.0.2.1 "" "$MXG_WORK/changed.eml" --helo football.example.com)" "pass fail fail pass none rc=0"
mxg_eq "nothing passes: reject" "$(dmarc 198.51.100.1 joe@football.example.com "$MXG_WORK/changed.eml")" \
	"fail fail fail fail reject rc=2"

# The field itself: our authserv-id, each method, header.from; folded in text output.
"$mxguard" dmarc $zones --authserv-id mx.test --ip 192.0.2.1 --mail-from joe@football.example.com \
	--helo mail.football.example.com "$msg" >"$MXG_WORK/out.txt"
mxg_eq "text output: exit 0" $? 0
ar=$(sed -n '1,/^From: /p' "$MXG_WORK/out.txt")
mxg_match "field starts with the authserv-id" "$ar" "^Authentication-Results: mx\.test;"
mxg_match "spf with smtp.mailfrom" "$ar" "spf=pass .*smtp\.mailfrom=joe@football\.example\.com"
mxg_match "spf for the HELO name" "$ar" "spf=none .*smtp\.helo=mail\.football\.example\.com"
mxg_match "dkim with d, s and b" "$ar" "dkim=pass header\.d=football\.example\.com header\.s=brisbane .*header\.b="
mxg_match "dmarc with header.from" "$ar" "dmarc=pass \(p=reject\) header\.from=football\.example\.com"
mxg_eq "folded with a tab" "$(grep -c '^	' "$MXG_WORK/out.txt")" 5
authres=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["authentication_results"])' \
	"$MXG_WORK/out.json")
mxg_match "json carries the field" "$authres" "^mx\.test; spf=fail"

# Hostile From fields: DMARC over every author domain found (the strictest reported: none for
# evil.example outranks football's pass), and the default From rule refuses them (exit 2).
verdict_why() {
	python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["verdict"]["why"])' "$MXG_WORK/out.json"
}
hostile() {
	awk -v from="$1" 'done || !/^From:/ { print; next } { print from; done = 1 }' "$msg" >"$MXG_WORK/h.eml"
	dmarc 192.0.2.1 joe@football.example.com "$MXG_WORK/h.eml"
}
mxg_eq "two addresses" "$(hostile 'From: joe@football.example.com, x@evil.example')" \
	"pass fail fail none None rc=2"
mxg_eq "two addresses: refused by the From rule" "$(verdict_why)" bad-from
mxg_eq "a group" "$(hostile 'From: Team: joe@football.example.com;')" "pass fail fail pass none rc=2"
mxg_eq "a group: refused by the From rule" "$(verdict_why)" bad-from
mxg_eq "address after a display address" "$(hostile 'From: x@evil.example <joe@football.example.com>')" \
	"pass fail fail none None rc=2"
mxg_eq "no domain at all: permerror" "$(hostile 'From: Team:;')" "pass fail fail permerror None rc=2"
awk '/^From:/ && !done { print "From: x@evil.example"; done = 1 } { print }' "$msg" >"$MXG_WORK/two.eml"
mxg_eq "two From fields" "$(dmarc 192.0.2.1 joe@football.example.com "$MXG_WORK/two.eml")" \
	"pass fail fail none None rc=2"
python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); sys.exit(d["from"]["status"] != "multiple-fields")' \
	"$MXG_WORK/out.json"
mxg_eq "two From fields: status named" $? 0

# RFC 7489 mode: pct sampling; pct is ignored by RFC 9989.
sed 's/^From: .*/From: Joe <joe@pct.dmarc.test>/' "$MXG_WORK/changed.eml" >"$MXG_WORK/pct.eml"
mxg_eq "9989 ignores pct" "$(dmarc 198.51.100.1 x@pct.dmarc.test "$MXG_WORK/pct.eml")" \
	"none fail fail fail quarantine rc=2"
mxg_eq "7489 without sampling" "$(dmarc 198.51.100.1 x@pct.dmarc.test "$MXG_WORK/pct.eml" --rfc7489 --no-pct)" \
	"none fail fail fail quarantine rc=2"
mxg_eq "7489 with a list file" "$(dmarc 198.51.100.1 x@pct.dmarc.test "$MXG_WORK/pct.eml" --rfc7489 --no-pct \
	--psl "$MXG_DATA/psl/public_suffix_list.dat")" "none fail fail fail quarantine rc=2"

# DNS trouble is temperror (exit 3), never a verdict.
"$mxguard" dmarc --resolver 127.0.0.1@5399 --timeout 2 --ip 192.0.2.1 --mail-from joe@football.example.com \
	--json "$msg" >"$MXG_WORK/t.json" 2>/dev/null
mxg_eq "no resolver: exit 3" $? 3
mxg_match "no resolver: temperror" "$(cat "$MXG_WORK/t.json")" '"dmarc":\{"result":"temperror"'

# Usage errors.
"$mxguard" dmarc $zones --ip 192.0.2.1 "$msg" 2>/dev/null; mxg_eq "no --mail-from: exit 3" $? 3
"$mxguard" dmarc $zones --ip nonsense --mail-from a@b.example "$msg" 2>/dev/null
mxg_eq "bad --ip: exit 3" $? 3
"$mxguard" dmarc $zones --ip 192.0.2.1 --mail-from a@b.example "$MXG_WORK/missing.eml" 2>/dev/null
mxg_eq "missing file: exit 3" $? 3
# A message forwarded through a sealer (dkimpy, RFC 8463's test key): the field gets arc=pass.
/usr/bin/python3 "$MXG_ROOT/tests/integration/milter/sign.py" --arc \
	"$MXG_DATA/dkim/rfc8463/test.rsa.pem" football.example.com test "$msg" "$MXG_WORK/sealed.eml"
"$mxguard" dmarc $zones --json --authserv-id mx.test --ip 192.0.2.1 --mail-from joe@football.example.com \
	"$MXG_WORK/sealed.eml" >"$MXG_WORK/sealed.json"
mxg_match "ARC-sealed message: arc=pass in the field" \
	"$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["authentication_results"])' "$MXG_WORK/sealed.json")" \
	"; arc=pass \(i=1 d=football\.example\.com\)$"
# Options of RFC 7489 mode alone are refused without it, as mxguard check refuses --psl.
err=$("$mxguard" dmarc $zones --ip 192.0.2.1 --mail-from a@b.example \
	--psl "$MXG_DATA/psl/public_suffix_list.dat" "$msg" 2>&1)
mxg_eq "--psl without --rfc7489: exit 3" $? 3
mxg_match "--psl without --rfc7489: says why" "$err" "--psl needs --rfc7489"
err=$("$mxguard" dmarc $zones --ip 192.0.2.1 --mail-from a@b.example --no-pct "$msg" 2>&1)
mxg_eq "--no-pct without --rfc7489: exit 3" $? 3
mxg_match "--no-pct without --rfc7489: says why" "$err" "--no-pct needs --rfc7489"
err=$("$mxguard" dmarc $zones --ip 192.0.2.1 --mail-from a@b.example --rfc7489 \
	--psl "$MXG_WORK/no-such-list" "$msg" 2>&1)
mxg_eq "--psl with a missing file: exit 3" $? 3
mxg_match "--psl with a missing file: names it" "$err" "no-such-list"
mxg_done
