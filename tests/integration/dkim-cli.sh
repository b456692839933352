#!/bin/sh
# mxguard dkim on the zone backend: the RFC 8463 message passes (file and standard input),
# a changed body fails, an unsigned message has none, missing keys are permerror;
# --json output parses and exit statuses follow mxguard(1); mxguard check --dkim-selector
# reports each kind of bad key record; an ARC chain sealed by dkimpy passes, then fails changed.
. "$(dirname "$0")/../lib/harness.sh"
mxg_require_netns "$@"
mxg_workdir

zone=$MXG_ROOT/tests/data/zones/dkim.test.zone
vec=$MXG_DATA/dkim/rfc8463
mxguard=$MXG_BUILD/mxguard

# results ARGS...: the per-signature results of --json output, space-separated, then the exit status.
results() {
	"$mxguard" dkim --json "$@" >"$MXG_WORK/out.json"
	rc=$?
	got=$(python3 -c 'import json,sys
print(" ".join(s["result"] for s in json.load(open(sys.argv[1]))["signatures"]))' "$MXG_WORK/out.json")
	echo "$got rc=$rc"
}

mxg_eq "signed message" "$(results --zone "$zone" "$vec/signed-message.eml")" "pass pass rc=0"
mxg_eq "signed message on stdin" "$(results --zone "$zone" - <"$vec/signed-message.eml")" "pass pass rc=0"
sed 's/lost the game/won the game/' "$vec/signed-message.eml" >"$MXG_WORK/changed.eml"
mxg_eq "changed body" "$(results --zone "$zone" "$MXG_WORK/changed.eml")" "fail fail rc=2"
mxg_eq "unsigned message" "$(results --zone "$zone" "$vec/unsigned-message.eml")" " rc=1"
# Bare LF line ends are read as CRLF.
tr -d '\r' <"$vec/signed-message.eml" >"$MXG_WORK/lf.eml"
mxg_eq "LF-only message" "$(results --zone "$zone" "$MXG_WORK/lf.eml")" "pass pass rc=0"
# No zone data for the domain: the key is missing (permerror), not a pass.
printf '$ORIGIN other.example.\n@ 300 IN SOA ns h 1 3600 600 86400 300\n' >"$MXG_WORK/empty.zone"
mxg_eq "keys missing" "$(results --zone "$MXG_WORK/empty.zone" "$vec/signed-message.eml")" "permerror permerror rc=2"
# A dkimpy signature with l= (RFC 8463 test key), then a line appended: it still passes, and
# DKIM_BODY_LENGTH_LIMIT says the tail is unsigned.
/usr/bin/python3 - "$vec" "$MXG_WORK/l.eml" <<'PY'
import sys, dkim
vec, out = sys.argv[1], sys.argv[2]
msg = open(vec + "/unsigned-message.eml", "rb").read()
sig = dkim.sign(msg, b"test", b"football.example.com", open(vec + "/test.rsa.pem", "rb").read(),
                canonicalize=(b"relaxed", b"simple"), include_headers=[b"from", b"to", b"subject"], length=True)
open(out, "wb").write(sig + msg + b"Appended by someone else.\r\n")
PY
mxg_eq "l= with an appended tail" "$(results --zone "$zone" "$MXG_WORK/l.eml")" "pass rc=0"
mxg_match "l= tail reported" "$(cat "$MXG_WORK/out.json")" '"code":"DKIM_BODY_LENGTH_LIMIT"'
out=$("$mxguard" dkim --zone "$zone" "$vec/signed-message.eml")
mxg_match "text output names the signature" "$out" "^signature 1: dkim=pass d=football.example.com s=brisbane a=ed25519-sha256"
"$mxguard" dkim --zone "$zone" 2>/dev/null
mxg_eq "no message file: usage error" "$?" 3

# mxguard check --dkim-selector: the DKIM_* codes each key record raises.
dkim_codes() {
	"$mxguard" check --zone "$zone" --json --dkim-selector "$1" football.example.com >"$MXG_WORK/check.json"
	python3 -c 'import json,sys
d = json.load(open(sys.argv[1]))
print(" ".join(sorted(f["code"] for f in d["domains"][0]["findings"] if f["code"].startswith("DKIM_"))))' "$MXG_WORK/check.json"
}
mxg_eq "check: ed25519 key" "$(dkim_codes brisbane)" ""
mxg_eq "check: rsa-1024 key" "$(dkim_codes test)" "DKIM_KEY_SHORT"
mxg_eq "check: rsa-512 key" "$(dkim_codes weak)" "DKIM_KEY_WEAK"
mxg_eq "check: revoked key" "$(dkim_codes revoked)" "DKIM_KEY_REVOKED"
mxg_eq "check: testing key" "$(dkim_codes testing)" "DKIM_KEY_TESTING"
mxg_eq "check: sha1-only key" "$(dkim_codes sha1)" "DKIM_KEY_SHA1_ONLY"
mxg_eq "check: bad key" "$(dkim_codes bad)" "DKIM_KEY_INVALID"
mxg_eq "check: no key" "$(dkim_codes nosuch)" "DKIM_KEY_MISSING"
"$mxguard" check --zone "$zone" --json --dkim-selector brisbane --dkim-selector weak football.example.com >"$MXG_WORK/check.json"
mxg_match "check: two selectors" "$(cat "$MXG_WORK/check.json")" "weak._domainkey.football.example.com"
# ARC: the unsigned message forwarded through a sealer (dkimpy, RFC 8463's test key): the
# chain passes, is reported in text and JSON, and leaves the exit status to DKIM alone.
/usr/bin/python3 "$MXG_ROOT/tests/integration/milter/sign.py" --arc "$vec/test.rsa.pem" football.example.com test \
	"$vec/unsigned-message.eml" "$MXG_WORK/sealed.eml"
out=$("$mxguard" dkim --zone "$zone" "$MXG_WORK/sealed.eml")
mxg_eq "ARC sealed: exit status from DKIM alone" $? 1
mxg_match "ARC sealed: chain passes" "$out" "^arc chain: arc=pass sets=1 sealed-by=football\.example\.com$"
"$mxguard" dkim --zone "$zone" --json "$MXG_WORK/sealed.eml" >"$MXG_WORK/arc.json"
mxg_eq "ARC sealed: JSON" "$(python3 -c 'import json,sys; a=json.load(open(sys.argv[1]))["arc"]
print(a["result"], a["sets"], a["sealed_by"])' "$MXG_WORK/arc.json")" "pass 1 football.example.com"
sed 's/lost the game/won the game/' "$MXG_WORK/sealed.eml" >"$MXG_WORK/sealed-changed.eml"
mxg_match "ARC sealed, then changed: chain fails, says why" \
	"$("$mxguard" dkim --zone "$zone" "$MXG_WORK/sealed-changed.eml")" \
	"^arc chain: arc=fail \(ARC-Message-Signature i=1: body hash mismatch\) sets=1"
mxg_nomatch "no ARC fields: no chain line" "$("$mxguard" dkim --zone "$zone" "$vec/unsigned-message.eml")" "arc chain"
mxg_done
