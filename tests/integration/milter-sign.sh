#!/bin/sh
# mxguard-milter signing outbound mail, end to end: a private Postfix with the milter as
# smtpd_milters and non_smtpd_milters, smtp-sink as the next hop, keys made by mxguard keygen
# and published on NSD. Mail submitted with Postfix's sendmail command, from an internal network
# and after authentication leaves with an RSA and an Ed25519 signature that dkimpy verifies at the
# sink; inbound mail passes unsigned (and checked); a trusted client is signed only once it
# authenticates; keys refused at start and kept on reload.
. "$(dirname "$0")/../lib/harness.sh"
. "$MXG_ROOT/tests/lib/postfix.sh"
. "$MXG_ROOT/tests/integration/milter/lib.sh"
mxg_require_netns "$@"
mxg_workdir

M=$MXG_BUILD/mxguard
K=$MXG_WORK/keys
HELP=$MXG_ROOT/tests/integration/dkim_sign.py
[ -x "$MILTER_BIN" ] || { mxg_not_ok "$MILTER_BIN is built"; mxg_done; }
"$MXG_PYTHON" -c 'import dkim, nacl.signing' || { mxg_not_ok "python3-dkim and python3-nacl installed"; mxg_done; }

# Keys for out.auth.test (RSA and Ed25519) and one more whose record is never published.
mkdir -p "$K"
"$M" keygen --domain out.auth.test --selector rsa --out "$K/out-rsa.pem" >"$K/out-rsa.rec" &&
	"$M" keygen --domain out.auth.test --selector ed --type ed25519 --out "$K/out-ed.pem" >"$K/out-ed.rec" &&
	"$M" keygen --domain out.auth.test --selector spare --type ed25519 --out "$K/spare.pem" >/dev/null ||
	{ mxg_not_ok "keys made"; mxg_done; }
cat "$K/out-rsa.rec" "$K/out-ed.rec" >"$MXG_WORK/test.zone.extra"
milter_zone_setup || { mxg_not_ok "zone and NSD"; mxg_done; }
milter_messages || { mxg_not_ok "test messages signed"; mxg_done; }
KEYS="out.auth.test:rsa:$K/out-rsa.pem out.auth.test:ed:$K/out-ed.pem"
milter_start sign 9911 "signing_keys=$KEYS" signing_subdomains=out.auth.test \
	internal_networks=192.0.2.64/26 signing_expire=7d || { mxg_not_ok "signing milter started"; mxg_done; }
mxg_sink_start || { mxg_not_ok "smtp-sink started"; mxg_done; }
mxg_postfix_start "myhostname = $MILTER_AUTHSERV" "smtpd_milters = inet:127.0.0.1:9911" \
	"non_smtpd_milters = inet:127.0.0.1:9911" "milter_default_action = tempfail" \
	"smtpd_sasl_auth_enable = yes" || { mxg_not_ok "postfix started"; mxg_done; }
mxg_ready "NSD, the signing milter, smtp-sink and Postfix running"

msgs=$MXG_WORK/msgs
for n in local internal auth inbound dept nokey trusted plain; do
	case $n in
	dept) from=x@dept.out.auth.test ;;
	nokey) from=a@aligned.auth.test ;;
	*) from=a@out.auth.test ;;
	esac
	milter_msg "$msgs/$n.eml" "$from"
done
delivered=0
# send NAME CLIENT [OPTIONS...]: one message by SMTP; sets $reply and $rc.
send() {
	name=$1 client=$2
	shift 2
	reply=$(mxg_smtp_send --client "$client" --helo mx.sender.auth.test --from bounce@out.auth.test \
		--to rcpt@example.test "$@" "$msgs/$name.eml")
	rc=$?
}
arrived() {
	delivered=$((delivered + 1))
	mxg_check "$1: delivered to the sink" mxg_sink_wait $delivered 20
}
# sigs NAME: the DKIM-Signature fields with d=out.auth.test in what the sink got of NAME.
sigs() {
	received_header "$1" | tr -d '\r' | awk '/^[^ \t]/ { f = tolower($0) ~ /^dkim-signature:/ } f' |
		tr -d '\n\t ' | grep -o 'd=out\.auth\.test' | wc -l
}
# dkimpy NAME: dkimpy's verdict on each signature of what the sink got of NAME.
dkimpy() {
	f=$(mxg_sink_find "^Message-ID: <$1@auth.test>") || return 1
	sed -n '/^[A-Za-z-]*:/,$p' "$f" | grep -v '^X-\(Client\|Helo\|Mail\|Rcpt\|Protocol\)' >"$MXG_WORK/$1.sink.eml"
	"$MXG_PYTHON" "$HELP" verify "$K/out-rsa.rec" "$K/out-ed.rec" -- "$MXG_WORK/$1.sink.eml"
}
# signed_ok NAME WHAT: NAME arrived with our two signatures, both verified by dkimpy, and
# no Authentication-Results of ours (outbound mail is not checked).
signed_ok() {
	mxg_eq "$2: two signatures of out.auth.test" "$(sigs "$1")" 2
	out=$(dkimpy "$1")
	mxg_eq "$2: dkimpy verifies both" "$(printf '%s\n' "$out" | grep -c '^ok - ')" 2
	printf '%s\n' "$out" | grep -v '^ok' | sed 's/^/    # /'
	h=$(received_header "$1" | tr -d '\r')
	mxg_match "$2: rsa-sha256 and ed25519-sha256, relaxed/relaxed, t= and x=" "$(printf '%s\n' "$h" | tr -d '\n\t ')" \
		'a=rsa-sha256;c=relaxed/relaxed;d=out.auth.test;s=rsa;t=[0-9]+;x=[0-9]+;.*a=ed25519-sha256;c=relaxed/relaxed;d=out.auth.test;s=ed;'
	mxg_eq "$2: no Authentication-Results of ours" "$(ours "$h")" 0
}

# 1. The local submission path: Postfix's sendmail command, through pickup and cleanup's
# non_smtpd_milters (cleanup connects as localhost, 127.0.0.1, port 0).
sendmail -C "$MXG_PF_ETC" -f a@out.auth.test rcpt@example.test <"$msgs/local.eml"
mxg_eq "sendmail command: accepted" $? 0
arrived "sendmail command"
signed_ok local "sendmail command"
mxg_check "the milter logged the local submission (connect from localhost port 0)" \
	grep -q 'connect from localhost\[127.0.0.1\] port 0: local submission' "$MXG_WORK/sign.log"
mxg_check "the log line says signed, by which keys, and why outbound" grep -q \
	'header_from=out.auth.test .*dkim=signed(d=out.auth.test,s=rsa,ed,by=local submission) .*action=accept (outbound-signed)' \
	"$MXG_WORK/sign.log"

# 2. A client in internal_networks.
send internal 192.0.2.70
mxg_eq "internal network: accepted" "$rc" 0
arrived "internal network"
signed_ok internal "internal network"

# 3. An authenticated client outside them.
send auth 198.51.100.5 --login alice
mxg_eq "authenticated: accepted" "$rc" 0
arrived "authenticated"
signed_ok auth "authenticated"

# 4. A name under a domain in signing_subdomains: signed with that domain's keys.
send dept 192.0.2.70
mxg_eq "subdomain: accepted" "$rc" 0
arrived "subdomain"
signed_ok dept "subdomain (d= the listed parent)"

# 5. Outbound mail from a domain without keys: neither signed nor checked.
send nokey 192.0.2.70
mxg_eq "outbound, no key: accepted" "$rc" 0
arrived "outbound, no key"
h=$(received_header nokey)
mxg_eq "outbound, no key: no signature" "$(printf '%s\n' "$h" | grep -ci '^dkim-signature:')" 0
mxg_eq "outbound, no key: no Authentication-Results of ours" "$(ours "$h")" 0
mxg_check "outbound, no key: logged" grep -q 'outbound mail not signed: no signing key for aligned.auth.test' "$MXG_WORK/sign.log"

# 6. Inbound: the same From from an outside client is checked, never signed.
send inbound 198.51.100.5
mxg_eq "inbound: accepted (out.auth.test publishes no DMARC)" "$rc" 0
arrived "inbound"
h=$(received_header inbound)
mxg_eq "inbound: not signed" "$(sigs inbound)" 0
mxg_eq "inbound: one Authentication-Results of ours" "$(ours "$h")" 1
send aligned-signed 192.0.2.10
mxg_eq "inbound signed by its author: accepted" "$rc" 0
arrived "inbound signed by its author"
h=$(received_header aligned-signed | tr -d '\n')
mxg_match "inbound signed by its author: verified, dkim=pass" "$h" "dkim=pass header.d=aligned.auth.test"
mxg_eq "inbound signed by its author: only its own signature" \
	"$(received_header aligned-signed | grep -ci '^dkim-signature:')" 1

# 7. A client in trusted_networks (127.0.0.0/8 by default) that authenticates, as webmail on the
# MX itself does: signed; one that does not: neither checked nor signed.
send trusted 127.0.0.5 --login webmail
mxg_eq "trusted, authenticated: accepted" "$rc" 0
arrived "trusted, authenticated"
signed_ok trusted "trusted, authenticated"
send plain 127.0.0.5
mxg_eq "trusted, not authenticated: accepted" "$rc" 0
arrived "trusted, not authenticated"
h=$(received_header plain)
mxg_eq "trusted, not authenticated: no signature" "$(sigs plain)" 0
mxg_eq "trusted, not authenticated: no Authentication-Results of ours" "$(ours "$h")" 0
mxg_check "trusted, not authenticated: logged as trusted" grep -q 'action=accept (trusted)' "$MXG_WORK/sign.log"

# 8. Keys refused at start: -n and the daemon both exit 1 naming the problem.
refused() {
	printf 'socket = inet:9919@127.0.0.1\ndns_forwarders = 127.0.0.1@%s\nsigning_keys = %s\n' \
		"$MILTER_DNS_PORT" "$2" >"$MXG_WORK/bad.conf"
	out=$("$MILTER_BIN" -n -c "$MXG_WORK/bad.conf" 2>&1)
	mxg_eq "$1: -n exits 1" $? 1
	mxg_match "$1: says why" "$out" "$3"
	out=$(timeout 20 "$MILTER_BIN" -f -c "$MXG_WORK/bad.conf" 2>&1)
	mxg_eq "$1: the daemon does not start" $? 1
}
refused "unpublished key" "out.auth.test:spare:$K/spare.pem" \
	"signing key .*spare.pem for out.auth.test: spare._domainkey.out.auth.test: no key record .*missing"
refused "key under another key's selector" "out.auth.test:ed:$K/spare.pem" \
	"spare.pem for out.auth.test: .*not the public half of the private ed25519 key \(mismatch\)"
cp "$K/out-ed.pem" "$K/open.pem" && chmod 0644 "$K/open.pem"
refused "key readable by others" "out.auth.test:ed:$K/open.pem" \
	"signing key ed for out.auth.test: .*open.pem: private key readable or writable by group or others"
mxg_nomatch "no key material in any message" "$(cat "$MXG_WORK/sign.log"; echo "$out")" \
	"$(sed -n 2p "$K/out-ed.pem" | cut -c1-20)"

# 9. A reload with a bad key keeps the running keys; the mail is still signed.
eval "sign_pid=\$MXG_PID_sign"
log_grew() {
	[ "$(grep -c "$1" "$MXG_WORK/sign.log")" -gt "$2" ]
}
before=$(grep -c 'reload failed, keeping the current configuration' "$MXG_WORK/sign.log")
sed -i "s|^signing_keys = .*|signing_keys = out.auth.test:ed:$K/spare.pem|" "$MXG_WORK/sign.conf"
kill -HUP "$sign_pid"
mxg_check "reload with an unpublished key: refused (logged)" \
	mxg_wait_until 10 log_grew 'reload failed, keeping the current configuration: signing key' "$before"
send internal 192.0.2.70
arrived "after the refused reload"
signed_ok internal "after the refused reload"
grep -E 'action=|signed|SIGNING|not signed|connect from' "$MXG_WORK/sign.log" | sed 's/^/# /' | tail -n 30
mxg_done
