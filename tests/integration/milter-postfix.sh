#!/bin/sh
# mxguard-milter end to end: a private Postfix on loopback with the milter, smtp-sink as the
# next hop, XCLIENT for the client addresses, NSD serving SPF/DKIM/DMARC, messages signed by
# dkimpy. Asserts on the SMTP replies and on the headers the sink received.
. "$(dirname "$0")/../lib/harness.sh"
. "$MXG_ROOT/tests/lib/postfix.sh"
. "$MXG_ROOT/tests/integration/milter/lib.sh"
mxg_require_netns "$@"
mxg_workdir

[ -x "$MILTER_BIN" ] || { mxg_not_ok "$MILTER_BIN is built"; mxg_done; }
milter_zone_setup || { mxg_not_ok "zone and NSD"; mxg_done; }
milter_messages || { mxg_not_ok "test messages signed"; mxg_done; }
milter_blackhole 5399 || { mxg_not_ok "silent DNS server"; mxg_done; }
milter_start milter 9901 && milter_start milter-dead 9903 dns_forwarders=127.0.0.1@5399 dns_timeout=500ms ||
	{ mxg_not_ok "milters started"; mxg_done; }
mxg_sink_start || { mxg_not_ok "smtp-sink started"; mxg_done; }
mxg_postfix_start "myhostname = $MILTER_AUTHSERV" "smtpd_milters = inet:127.0.0.1:9901" \
	"milter_default_action = tempfail" "smtpd_sasl_auth_enable = yes" ||
	{ mxg_not_ok "postfix started"; mxg_done; }
mxg_ready "NSD, two milters, smtp-sink and Postfix running"

msgs=$MXG_WORK/msgs
delivered=0
qids=
# send NAME CLIENT MAIL-FROM [OPTIONS...]: one message through Postfix; sets $reply, $rc.
send() {
	name=$1 client=$2 from=$3
	shift 3
	reply=$(mxg_smtp_send --client "$client" --helo mx.sender.auth.test --from "$from" \
		--to rcpt@example.test "$@" "$msgs/$name.eml")
	rc=$?
	[ $rc = 0 ] && qids="$qids ${reply##* }"  # "250 2.0.0 Ok: queued as ID"
	return 0
}
delivered_ok() {
	delivered=$((delivered + 1))
	mxg_check "$1: delivered to the sink" mxg_sink_wait $delivered 20
}

send aligned-signed 192.0.2.10 bounce@aligned.auth.test
mxg_eq "aligned pass: accepted" "$rc" 0
delivered_ok "aligned pass"
h=$(received_header aligned-signed)
mxg_eq "aligned pass: one A-R of ours" "$(ours "$h")" 1
mxg_match "aligned pass: spf, dkim and dmarc pass" "$(printf '%s\n' "$h" | tr -d '\n')" \
	"spf=pass .*dkim=pass header.d=aligned.auth.test.*dmarc=pass"
mxg_match "aligned pass: A-R above the message's own fields" "$(printf '%s\n' "$h" | grep -n -i -e '^authentication-results:' -e '^From:' | head -n 1)" \
	"Authentication-Results"

send aligned 192.0.2.10 bounce@aligned.auth.test
mxg_eq "SPF-only pass: accepted" "$rc" 0
delivered_ok "SPF-only pass"
h=$(received_header aligned | tr -d '\n')
mxg_match "SPF-only pass: spf=pass, dkim=none, dmarc=pass" "$h" "spf=pass .*dkim=none.*dmarc=pass"

mxg_sink_clear
send aligned-signed 198.51.100.5 bounce@aligned.auth.test
mxg_eq "DKIM-only pass: accepted" "$rc" 0
delivered_ok "DKIM-only pass"
h=$(received_header aligned-signed | tr -d '\n')
mxg_match "DKIM-only pass: spf=fail, dkim=pass, dmarc=pass" "$h" "spf=fail .*dkim=pass.*dmarc=pass"

send aligned 198.51.100.5 bounce@aligned.auth.test
mxg_eq "forged From under p=reject: refused permanently" "$rc" 5
mxg_match "forged From: 550 5.7.1 naming the domain" "$reply" \
	"^550 5\.7\.1 .*DMARC policy of aligned\.auth\.test is reject"

held=$(mxg_postfix_log_count 'milter-hold')
send quar 198.51.100.5 bounce@quar.auth.test
mxg_eq "p=quarantine: accepted" "$rc" 0
mxg_check "p=quarantine: held by Postfix" mxg_postfix_wait_log_count 'milter-hold: END-OF-MESSAGE .*from=<bounce@quar\.auth\.test>' $((held + 1)) 10
mxg_check "p=quarantine: in the hold queue" test "$(find "$MXG_PF_DIR/spool/hold" -type f | wc -l)" = 1

send forged-ar 192.0.2.10 bounce@aligned.auth.test
mxg_eq "forged A-R: accepted (SPF aligned)" "$rc" 0
delivered_ok "forged A-R"
h=$(received_header forged-ar)
mxg_eq "forged A-R: exactly one A-R claims our authserv-id" "$(ours "$h")" 1
mxg_match "forged A-R: the one left is ours" "$(printf '%s\n' "$h" | tr -d '\n')" \
	"Authentication-Results: $MILTER_AUTHSERV;[[:space:]]*spf=pass"
mxg_nomatch "forged A-R: the folded, odd-case one is gone" "$h" "\(forged\)"
mxg_match "forged A-R: another authserv-id's field kept" "$h" "^Authentication-Results: other\.example; spf=pass"

# DNS that never answers: the milter defers, Postfix says 451, nothing is queued or delivered.
mxg_postfix_set "smtpd_milters = inet:127.0.0.1:9903" || mxg_not_ok "switch to the silent-DNS milter"
before=$(mxg_sink_count)
send aligned-signed 192.0.2.10 bounce@aligned.auth.test
mxg_eq "DNS timeout: temporary refusal" "$rc" 4
mxg_match "DNS timeout: 451 4.7.1" "$reply" "^451 4\.7\.1 "
mxg_check "DNS timeout: nothing queued but the held message" mxg_postfix_wait_queue 1 10
mxg_eq "DNS timeout: nothing delivered" "$(mxg_sink_count)" "$before"
mxg_postfix_set "smtpd_milters = inet:127.0.0.1:9901" || mxg_not_ok "switch back"
send aligned-signed 192.0.2.10 bounce@aligned.auth.test
mxg_eq "DNS back: the retry is accepted" "$rc" 0
delivered_ok "DNS back"

mxg_sink_clear
send forged-ar 198.51.100.5 bounce@aligned.auth.test --login alice
mxg_eq "authenticated submission: accepted despite p=reject" "$rc" 0
delivered_ok "authenticated submission"
h=$(received_header forged-ar)
mxg_eq "authenticated submission: no A-R claims our id (forged ones removed, none added)" "$(ours "$h")" 0
mxg_check "milter logged the skip" grep -q 'auth=alice .*action=accept (authenticated)' "$MXG_WORK/milter.log"

# Control characters in From, through the real MTA. Postfix cuts a header line at a NUL, in
# what it hands the milter and in what it delivers alike: the reader sees the value the milter
# judged, never the victim's address behind the NUL. A bare CR reaches the milter, which reads
# the field as invalid (a lenient reading finds the victim's domain): refused.
printf 'From: a@list.auth.test\000<x@aligned.auth.test>\r\nTo: r@example.test\r\nSubject: nul\r\nMessage-ID: <nul@auth.test>\r\n\r\nbody\r\n' >"$msgs/nul.eml"
printf 'From: x@aligned.auth.test\r<a@list.auth.test>\r\nTo: r@example.test\r\nSubject: cr\r\nMessage-ID: <cr@auth.test>\r\n\r\nbody\r\n' >"$msgs/cr.eml"
mxg_sink_clear
send nul 192.0.2.20 owner@list.auth.test
if [ "$rc" = 0 ]; then
	mxg_check "NUL in From: delivered" mxg_sink_wait 1 20
	f=$(mxg_sink_find '^Message-ID: <nul@auth.test>')
	mxg_nomatch "NUL in From: the delivered header holds nothing past the NUL" \
		"$(sed '/^$/q' "$f" | tr '\000' '@')" "aligned\.auth\.test"
else
	mxg_match "NUL in From: refused" "$reply" "^5[0-9][0-9] "
fi
send cr 192.0.2.20 owner@list.auth.test
mxg_match "bare CR in From: 550 5.7.1" "$reply" "^550 5\.7\.1 "

lines=$(grep -c 'info: [0-9A-Z]*: client=.*action=' "$MXG_WORK/milter.log")
mxg_check "one log line per message" test "$lines" -ge 8
mxg_eq "queue id: no log line says NOQUEUE" "$(cat "$MXG_WORK/milter.log" "$MXG_WORK/milter-dead.log" | grep -c 'info: NOQUEUE:')" 0
n=0 nq=0
for q in $qids; do
	nq=$((nq + 1))
	grep -q "info: $q: client=" "$MXG_WORK/milter.log" && n=$((n + 1))
done
mxg_check "queue id: every accepted message's 250 reply had a queue id" test "$nq" -ge 8
mxg_eq "queue id: each accepted message's log line has the id from Postfix's 250 reply" "$n" "$nq"
grep 'info:.*action=' "$MXG_WORK/milter.log" "$MXG_WORK/milter-dead.log" | sed 's/^/# /'
mxg_done
