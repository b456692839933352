#!/bin/sh
# The trusted-forwarder override end to end: a list (list.auth.test) receives a message from
# aligned.auth.test (p=reject; SPF passes, no DKIM), and forwards it from its own address with
# the author's MAIL FROM, sealed by `mxguard sign --arc-seal` over its genuine verdict; at the
# receiver (Postfix + mxguard-milter with arc_trusted_sealers = list.auth.test) SPF now fails,
# so DMARC fails. Delivered with the override when the list sealed it; refused 550 when an
# untrusted domain sealed it, when the seal claims list.auth.test with another key, and when the
# chain was changed after sealing. The evaluation is recorded with override trusted_forwarder,
# and `mxguard dmarc` replays each message to the same verdict.
. "$(dirname "$0")/../lib/harness.sh"
. "$MXG_ROOT/tests/lib/postfix.sh"
. "$MXG_ROOT/tests/integration/milter/lib.sh"
mxg_require_netns "$@"
mxg_workdir
W=$MXG_WORK
LIST_IP=192.0.2.20
dns="--resolver 127.0.0.1@$MILTER_DNS_PORT"
DB=$W/dmarc.db

mxg_require "$MILTER_BIN is built" test -x "$MILTER_BIN"
mxg_require "zone and NSD" milter_zone_setup
mxg_require "milter trusting list.auth.test, recording to SQLite" milter_start trust 9921 \
	"arc_trusted_sealers=list.auth.test, other.auth.test" "report_store=sqlite:$DB"
mxg_require "smtp-sink" mxg_sink_start
mxg_require "Postfix with the milter" mxg_postfix_start "myhostname = $MILTER_AUTHSERV" \
	"smtpd_milters = inet:127.0.0.1:9921"

msgs=$W/msgs
mkdir -p "$msgs"
for k in list quar aligned; do cp "$W/keys/$k.pem" "$W/$k-seal.pem" && chmod 0600 "$W/$k-seal.pem"; done
milter_msg "$msgs/orig.eml" a@aligned.auth.test
# seal OUT KEY DOMAIN: the list's hop, judged as it arrived from the author's server.
seal() {
	# shellcheck disable=SC2086
	"$MXG_BUILD/mxguard" sign --arc-seal "$3" --key "$W/$2-seal.pem" --domain "$3" --selector s1 \
		--ip "$MILTER_SPF_IP" --mail-from a@aligned.auth.test --helo mx.sender.auth.test $dns \
		"$msgs/orig.eml" >"$msgs/$1.eml"
}
mxg_require "sealed by the list (trusted)" seal listed list list.auth.test
mxg_require "sealed by quar.auth.test (not trusted)" seal untrusted quar quar.auth.test
mxg_require "seal claiming list.auth.test made with another key" seal forged aligned list.auth.test
sed 's/this is a test message/this is a changed message/' "$msgs/listed.eml" >"$msgs/changed.eml"
mxg_ready "NSD, milter, smtp-sink, Postfix and four forwarded messages"

mxg_match "the list's AAR records its own dmarc=pass" \
	"$(sed -n '/^ARC-Authentication-Results:/,/^[^ \t]/p' "$msgs/listed.eml" | tr -d '\n\t')" \
	"i=1; list\.auth\.test;.*dmarc=pass .*header\.from=aligned\.auth\.test"

delivered=0
# send NAME: the forwarded message from the list's address with the author's MAIL FROM.
send() {
	reply=$(mxg_smtp_send --client "$LIST_IP" --helo list.auth.test --from a@aligned.auth.test \
		--to rcpt@example.test "$msgs/$1.eml")
}

send listed
mxg_match "trusted forwarder: accepted" "$reply" "^250 "
delivered=$((delivered + 1))
mxg_check "trusted forwarder: delivered" mxg_sink_wait $delivered 20
h=$(sed '/^$/q' "$(mxg_sink_last)" | tr -d '\r' | awk '/^[^ \t]/ { printf "\n" } { printf "%s", $0 } END { print "" }' | tr '\t' ' ')
ar=$(printf '%s\n' "$h" | grep -i "^Authentication-Results: $MILTER_AUTHSERV")
mxg_match "A-R: SPF fails for the forwarded copy" "$ar" "spf=fail"
mxg_match "A-R: dmarc=fail with the override in its comment" "$ar" \
	"dmarc=fail \(p=reject dis=none arc override: trusted forwarder list\.auth\.test i=1\) header\.from=aligned\.auth\.test"
mxg_match "A-R: arc=pass" "$ar" "arc=pass \(i=1 d=list\.auth\.test\)"
mxg_match "the tag header says why" "$(printf '%s\n' "$h" | grep '^X-Mxguard-Verdict:')" \
	"trusted forwarder: DMARC fail of aligned\.auth\.test accepted, ARC sealed by list\.auth\.test \(i=1\)"
mxg_check "the log says why" mxg_wait_match "$W/trust.log" \
	"override=trusted_forwarder\(sealer=list\.auth\.test,i=1,dmarc=pass\).*action=accept \(trusted-forwarder\)" 10

for m in untrusted forged changed; do
	send $m
	mxg_match "$m: refused 550 (the policy stands)" "$reply" "^550 5\.7\.1 "
done
mxg_check "untrusted sealer: chain valid, the log names no override" \
	sh -c "grep 'arc=pass(i=1,d=quar.auth.test)' '$W/trust.log' | grep -q 'dmarc-reject'"
mxg_check "forged seal: the chain fails" grep -q "arc=fail(i=1,d=list.auth.test" "$W/trust.log"

# The recorded evaluations: one trusted_forwarder, three refusals without an override.
rows() {
	sqlite3 "$DB" "SELECT disposition || ':' || override || ':' || override_comment FROM evaluations ORDER BY id" 2>/dev/null | tr '\n' ';'
}
four_rows() { [ "$(sqlite3 "$DB" 'SELECT count(*) FROM evaluations' 2>/dev/null)" = 4 ]; }
mxg_check "four evaluations recorded" mxg_wait_until 15 four_rows
mxg_eq "recorded: trusted_forwarder naming the sealer, then three rejects" "$(rows)" \
	"none:trusted_forwarder:ARC sealer list.auth.test i=1: dmarc=pass;reject::;reject::;reject::;"

# mxguard dmarc replays each message as the milter judged it.
replay() {
	# shellcheck disable=SC2086
	"$MXG_BUILD/mxguard" dmarc --ip "$LIST_IP" --helo list.auth.test --mail-from a@aligned.auth.test \
		--authserv-id "$MILTER_AUTHSERV" $dns "$@" 2>&1 | grep '^Verdict:'
}
mxg_eq "replay with the trusted list: accepted as the milter did" \
	"$(replay --arc-trusted-sealers list.auth.test "$msgs/listed.eml")" "Verdict: accept [trusted-forwarder]"
mxg_match "replay without it: rejected" "$(replay "$msgs/listed.eml")" "^Verdict: reject 550 .*\[dmarc-reject\]"
for m in untrusted forged changed; do
	mxg_match "replay of $m: rejected as by the milter" \
		"$(replay --arc-trusted-sealers list.auth.test "$msgs/$m.eml")" "^Verdict: reject 550 .*\[dmarc-reject\]"
done
mxg_eq "replay: quarantine instead" \
	"$(replay --arc-trusted-sealers list.auth.test --arc-trusted-disposition quarantine "$msgs/listed.eml" | cut -c1-20)" \
	"Verdict: quarantine "
out=$("$MXG_BUILD/mxguard" dmarc --ip "$LIST_IP" --mail-from a@x.test --arc-trusted-sealers "bad..name" "$msgs/listed.eml" 2>&1)
mxg_eq "replay: a bad sealer name exits 3" $? 3
mxg_match "replay: ... and says why" "$out" "arc-trusted-sealers: \"bad\.\.name\" is not a domain name"
printf 'socket = inet:9922@127.0.0.1\narc_trusted_sealers = list.auth.test, -bad-\n' >"$W/bad.conf"
out=$("$MILTER_BIN" -n -c "$W/bad.conf" 2>&1)
mxg_eq "milter -n: a bad sealer name is refused" $? 1
mxg_match "milter -n: ... naming the key and the line" "$out" "bad\.conf:2: arc_trusted_sealers: "
mxg_done
