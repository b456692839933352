#!/bin/sh
# mxguard dkim through libunbound forwarding to NSD on loopback (--resolver): the RFC 8463
# message verifies with keys fetched over real DNS; a silent resolver gives temperror, exit 3.
. "$(dirname "$0")/../lib/harness.sh"
mxg_require_netns "$@"
mxg_workdir

port=5364
vec=$MXG_DATA/dkim/rfc8463
mxguard=$MXG_BUILD/mxguard
mxg_require "NSD serves football.example.com on 127.0.0.1@$port" \
	mxg_nsd_start $port "football.example.com=$MXG_ROOT/tests/data/zones/dkim.test.zone"

out=$("$mxguard" dkim --resolver 127.0.0.1@$port --timeout 5 "$vec/signed-message.eml")
mxg_eq "signed message over DNS: exit 0" $? 0
mxg_match "ed25519 signature passes" "$out" "^signature 1: dkim=pass d=football.example.com s=brisbane"
mxg_match "rsa signature passes" "$out" "^signature 2: dkim=pass d=football.example.com s=test"

out=$("$mxguard" dkim --resolver 127.0.0.1@$port --timeout 5 --json "$MXG_ROOT/tests/data/zones/dkim.test.zone")
mxg_eq "not a message: no signature, exit 1" $? 1

out=$("$mxguard" dkim --resolver 127.0.0.1@5399 --timeout 2 "$vec/signed-message.eml")
mxg_eq "silent resolver: exit 3" $? 3
mxg_match "silent resolver: temperror, never fail" "$out" "^signature 1: dkim=temperror"
mxg_nomatch "silent resolver: no fail or permerror" "$out" "dkim=(fail|permerror)"

"$mxguard" check --resolver 127.0.0.1@$port --timeout 5 --json --dkim-selector weak football.example.com >"$MXG_WORK/c.json"
mxg_match "check --dkim-selector over DNS" "$(cat "$MXG_WORK/c.json")" '"code":"DKIM_KEY_WEAK"'
mxg_done
