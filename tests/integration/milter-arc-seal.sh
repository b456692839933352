#!/bin/sh
# ARC sealing end to end: a gateway Postfix whose mxguard-milter checks inbound mail and seals it
# (arc_seal = inbound), relaying to a back-end Postfix with a second mxguard-milter (its own
# authserv-id, loopback not trusted) that validates the chain; smtp-sink behind the back end
# captures what arrives. A first seal (cv=none), a seal on a list's valid chain (cv=pass) and on
# a broken one (cv=fail) reach the back end as arc=pass, pass and fail; authenticated submission
# is not sealed; a sealing key readable by others stops the milter at start.
. "$(dirname "$0")/../lib/harness.sh"
. "$MXG_ROOT/tests/lib/postfix.sh"
. "$MXG_ROOT/tests/integration/milter/lib.sh"
mxg_require_netns "$@"
mxg_workdir
W=$MXG_WORK

mxg_require "$MILTER_BIN is built" test -x "$MILTER_BIN"
mxg_require "zone and NSD" milter_zone_setup
mxg_require "test messages signed and sealed by dkimpy" milter_messages
# The gateway seals as list.auth.test with the key whose record the zone publishes (s1).
cp "$W/keys/list.pem" "$W/seal.pem" && chmod 0600 "$W/seal.pem"
SEAL="arc_seal_key=$W/seal.pem arc_seal_domain=list.auth.test arc_seal_selector=s1"
# shellcheck disable=SC2086
mxg_require "gateway milter (arc_seal = inbound)" milter_start gw 9911 arc_seal=inbound $SEAL
BACKEND_ID=backend.mxguard.test
backend_milter() {
	gw_id=$MILTER_AUTHSERV
	MILTER_AUTHSERV=$BACKEND_ID
	milter_start be 9912 trusted_networks=192.0.2.254/32 dmarc_reject=no
	rc=$?
	MILTER_AUTHSERV=$gw_id
	return $rc
}
# The back end is a second Postfix instance: the harness starts it in a directory of its own
# (a subshell with its own MXG_WORK), and its process goes into this suite's list so that
# cleanup stops it.
backend_postfix() (
	MXG_WORK=$W/back
	mkdir -p "$MXG_WORK" && : >"$MXG_WORK/.pids"
	MXG_PF_PORT=2527
	MXG_PF_HOSTNAME=$BACKEND_ID
	mxg_postfix_start "myhostname = $BACKEND_ID" "smtpd_milters = inet:127.0.0.1:9912"
	rc=$?
	cat "$MXG_WORK/.pids" >>"$W/.pids"
	exit $rc
)
mxg_require "back-end milter (loopback checked, DMARC failures delivered)" backend_milter
mxg_require "smtp-sink behind the back end" mxg_sink_start
mxg_require "back-end Postfix on 2527" backend_postfix
mxg_require "gateway Postfix relaying to the back end" mxg_postfix_start \
	"myhostname = $MILTER_AUTHSERV" "smtpd_milters = inet:127.0.0.1:9911" \
	"relayhost = [127.0.0.1]:2527" "smtpd_sasl_auth_enable = yes"
GW_LOG=$MXG_PF_LOG
BE_LOG=$W/back/pf/maillog
msgs=$W/msgs

delivered=0
# through NAME CLIENT [OPTIONS...]: one message into the gateway; waits until the back end
# delivered it to the sink; sets $h to the header the sink received.
through() {
	name=$1 client=$2
	shift 2
	reply=$(mxg_smtp_send --client "$client" --helo mx.sender.auth.test --from bounce@aligned.auth.test \
		--to rcpt@example.test "$@" "$msgs/$name.eml")
	mxg_match "$name: accepted by the gateway" "$reply" "^250 "
	delivered=$((delivered + 1))
	MXG_PF_LOG=$BE_LOG mxg_check "$name: delivered by the back end" mxg_sink_wait $delivered 30
	# The newest file: several messages share a Message-ID (the sealed ones come from one).
	h=$(sed '/^$/q' "$(mxg_sink_last)" | tr -d '\r')
}
# backend_arc: the arc= result in the back end's Authentication-Results of $h.
backend_arc() {
	printf '%s\n' "$h" | awk '/^[^ \t]/ { f = tolower($0) ~ /^authentication-results: backend\.mxguard\.test/ } f' |
		tr -d '\n\t' | sed -n 's/.*arc=\([a-z]*\)[^;]*(i=\([0-9]*\).*/\1 i=\2/p'
}

mxg_sink_clear
through aligned-signed 192.0.2.10
mxg_match "first hop: ARC-Seal i=1 cv=none by list.auth.test on top" "$(printf '%s\n' "$h" | sed -n '/^ARC-Seal:/,/^[^ \t]/p' | tr -d '\n\t')" \
	"cv=none; d=list\.auth\.test; i=1; s=s1"
mxg_match "first hop: the AAR carries the gateway's results" "$(printf '%s\n' "$h" | sed -n '/^ARC-Authentication-Results:/,/^[^ \t]/p' | tr -d '\n\t')" \
	"i=1; $MILTER_AUTHSERV; ?spf=pass .*dkim=pass .*dmarc=pass"
mxg_eq "first hop: the back end says arc=pass" "$(backend_arc)" "pass i=1"
mxg_check "gateway log: sealed i=1 cv=none" grep -q "action=accept.*arc-sealed i=1 cv=none" "$W/gw.log"

through aligned-sealed 192.0.2.10
mxg_eq "a list's valid chain: the back end says arc=pass over two sets" "$(backend_arc)" "pass i=2"
mxg_check "gateway log: sealed i=2 cv=pass" grep -q "arc-sealed i=2 cv=pass" "$W/gw.log"

through aligned-sealbroken 192.0.2.10
mxg_match "a chain broken before the gateway: sealed cv=fail" "$(printf '%s\n' "$h" | sed -n '/^ARC-Seal:/,/^[^ \t]/p' | tr -d '\n\t')" \
	"cv=fail; d=list\.auth\.test; i=2;"
mxg_eq "broken chain: the back end says arc=fail" "$(backend_arc)" "fail i=2"

through aligned-signed 198.51.100.5 --login alice
mxg_nomatch "authenticated submission: not sealed" "$h" "^ARC-Seal:"

mxg_check "gateway: no sealing error logged" sh -c "! grep -q 'ARC sealing failed' '$W/gw.log'"

# A sealing key readable by others: the milter refuses to start, naming the key.
chmod 0644 "$W/seal.pem"
printf 'socket = inet:9913@127.0.0.1\narc_seal = inbound\narc_seal_key = %s\narc_seal_domain = list.auth.test\narc_seal_selector = s1\n' \
	"$W/seal.pem" >"$W/open.conf"
out=$("$MILTER_BIN" -n -c "$W/open.conf" 2>&1)
mxg_eq "group-readable sealing key: -n fails" $? 1
mxg_match "group-readable sealing key: the reason" "$out" "arc_seal_key: .*readable or writable by group or others"
printf 'socket = inet:9913@127.0.0.1\narc_seal = all\n' >"$W/nokey.conf"
out=$("$MILTER_BIN" -n -c "$W/nokey.conf" 2>&1)
mxg_match "arc_seal without a key: refused" "$out" "arc_seal: sealing needs arc_seal_key"
mxg_done
