#!/bin/sh
# mxguard-milter end to end through a real Sendmail (Debian's, unpacked by make check-prepare
# into build/sendmail-root): the scenarios of milter-postfix.sh, with clients connecting from
# addresses on lo (Sendmail has no XCLIENT), smtp-sink as the next hop, NSD serving the zone.
# Also checks that each log line of the milter carries Sendmail's queue id.
. "$(dirname "$0")/../lib/harness.sh"
. "$MXG_ROOT/tests/lib/postfix.sh"
. "$MXG_ROOT/tests/lib/sendmail.sh"
. "$MXG_ROOT/tests/integration/milter/lib.sh"
mxg_require_netns "$@"
mxg_workdir

SM=2535 SM_DEAD=2537
[ -x "$MILTER_BIN" ] || { mxg_not_ok "$MILTER_BIN is built"; mxg_done; }
mxg_sendmail_ready || { mxg_not_ok "Sendmail unpacked in $MXG_SM_ROOT (make check-prepare)"; mxg_done; }
milter_zone_setup || { mxg_not_ok "zone and NSD"; mxg_done; }
milter_messages || { mxg_not_ok "test messages signed"; mxg_done; }
milter_blackhole 5399 || { mxg_not_ok "silent DNS server"; mxg_done; }
milter_start milter 9901 && milter_start milter-dead 9903 dns_forwarders=127.0.0.1@5399 dns_timeout=500ms ||
	{ mxg_not_ok "milters started"; mxg_done; }
mxg_sink_start || { mxg_not_ok "smtp-sink started"; mxg_done; }
mxg_client_addr 192.0.2.10 && mxg_client_addr 198.51.100.5 || { mxg_not_ok "client addresses on lo"; mxg_done; }
mxg_sendmail_start sm $SM inet:9901@127.0.0.1 && mxg_sendmail_start sm-dead $SM_DEAD inet:9903@127.0.0.1 ||
	{ mxg_not_ok "sendmail started"; mxg_done; }
mxg_ready "NSD, two milters, smtp-sink and two Sendmail daemons running"
mta=$SM

msgs=$MXG_WORK/msgs
qids=
# send NAME CLIENT MAIL-FROM [OPTIONS...]: one message through the Sendmail on port $mta from
# CLIENT; sets $reply,
# $rc, and adds the queue id of an accepted message to $qids.
send() {
	name=$1 client=$2 from=$3
	shift 3
	reply=$(mxg_sendmail_send "$mta" --source "$client" --helo mx.sender.auth.test \
		--from "$from" --to rcpt@example.test "$@" "$msgs/$name.eml")
	rc=$?
	[ $rc = 0 ] && qids="$qids $(printf '%s\n' "$reply" | awk '{ print $3 }')"
	return 0
}
delivered_ok() {
	mxg_check "$1: delivered to the sink" mxg_sendmail_wait_delivered sm "^Message-ID: <$2@auth.test>" 20
}

send aligned-signed 192.0.2.10 bounce@aligned.auth.test
mxg_eq "aligned pass: accepted" "$rc" 0
mxg_match "aligned pass: Sendmail's reply with its queue id" "$reply" "^250 2\.0\.0 [0-9A-Za-z]+ Message accepted"
delivered_ok "aligned pass" aligned-signed
h=$(received_header aligned-signed)
mxg_eq "aligned pass: one A-R of ours" "$(ours "$h")" 1
mxg_match "aligned pass: spf, dkim and dmarc pass" "$(printf '%s\n' "$h" | tr -d '\n')" \
	"spf=pass .*dkim=pass header.d=aligned.auth.test.*dmarc=pass"
mxg_match "aligned pass: A-R above the message's own fields" "$(printf '%s\n' "$h" | grep -n -i -e '^authentication-results:' -e '^From:' | head -n 1)" \
	"Authentication-Results"
mxg_match "aligned pass: the client as Sendmail saw it" "$(printf '%s\n' "$h" | tr -d '\n')" \
	"Received: from mx\.sender\.auth\.test \(\[192\.0\.2\.10\]\)"

mxg_sink_clear
send aligned 192.0.2.10 bounce@aligned.auth.test
mxg_eq "SPF-only pass: accepted" "$rc" 0
delivered_ok "SPF-only pass" aligned
h=$(received_header aligned | tr -d '\n')
mxg_match "SPF-only pass: spf=pass, dkim=none, dmarc=pass" "$h" "spf=pass .*dkim=none.*dmarc=pass"

mxg_sink_clear
send aligned-signed 198.51.100.5 bounce@aligned.auth.test
mxg_eq "DKIM-only pass: accepted" "$rc" 0
delivered_ok "DKIM-only pass" aligned-signed
h=$(received_header aligned-signed | tr -d '\n')
mxg_match "DKIM-only pass: spf=fail, dkim=pass, dmarc=pass" "$h" "spf=fail .*dkim=pass.*dmarc=pass"

send aligned 198.51.100.5 bounce@aligned.auth.test
mxg_eq "forged From under p=reject: refused permanently" "$rc" 5
mxg_match "forged From: 550 5.7.1 naming the domain" "$reply" \
	"^550 5\.7\.1 .*DMARC policy of aligned\.auth\.test is reject"

send quar 198.51.100.5 bounce@quar.auth.test
mxg_eq "p=quarantine: accepted" "$rc" 0
mxg_check "p=quarantine: in Sendmail's quarantine (an hf file)" mxg_wait_until 10 test "$(mxg_sendmail_held_count sm)" = 1
mxg_check "p=quarantine: the quarantine reason names the policy" \
	grep -rq '^qDMARC policy of quar\.auth\.test is quarantine' "$MXG_WORK/sm/queue"
mxg_check "p=quarantine: not delivered" test -z "$(mxg_sink_find '^Message-ID: <quar@auth.test>')"
# What guide-sendmail.md tells the admin: mailq -qQ lists it, sendmail -qQ -Q releases it.
smq() { mxg_sendmail_cmd sm "$@" 2>&1; }
mxg_match "p=quarantine: mailq -qQ lists it with the reason" "$(smq -bp -qQ | tr -d '\n')" \
	"quar\.auth\.test.*DMARC policy of quar\.auth\.test is quarantine"
smq -qQ -Q >/dev/null
mxg_eq "p=quarantine: sendmail -qQ -Q releases it (held, queued)" \
	"$(mxg_sendmail_held_count sm) $(mxg_sendmail_queue_count sm)" "0 1"
smq -q >/dev/null
mxg_check "p=quarantine: a queue run delivers the released message" \
	mxg_sendmail_wait_delivered sm '^Message-ID: <quar@auth.test>' 20

mxg_sink_clear
send forged-ar 192.0.2.10 bounce@aligned.auth.test
mxg_eq "forged A-R: accepted (SPF aligned)" "$rc" 0
delivered_ok "forged A-R" forged-ar
h=$(received_header forged-ar)
mxg_eq "forged A-R: exactly one A-R claims our authserv-id" "$(ours "$h")" 1
mxg_match "forged A-R: the one left is ours" "$(printf '%s\n' "$h" | tr -d '\n')" \
	"Authentication-Results: $MILTER_AUTHSERV;[[:space:]]*spf=pass"
mxg_nomatch "forged A-R: the folded, odd-case one is gone" "$h" "\(forged\)"
mxg_match "forged A-R: another authserv-id's field kept" "$h" "^Authentication-Results: other\.example; spf=pass"

# DNS that never answers: the milter defers, Sendmail says 451, nothing is queued or delivered.
mxg_sink_clear
mta=$SM_DEAD
send aligned-signed 192.0.2.10 bounce@aligned.auth.test
mxg_eq "DNS timeout: temporary refusal" "$rc" 4
mxg_match "DNS timeout: 451 4.7.1" "$reply" "^451 4\.7\.1 "
mxg_eq "DNS timeout: nothing queued" "$(mxg_sendmail_queue_count sm-dead)$(mxg_sendmail_held_count sm-dead)" 00
mxg_check "DNS timeout: nothing delivered" test -z "$(ls "$MXG_SINK_DIR")"
mta=$SM
send aligned-signed 192.0.2.10 bounce@aligned.auth.test
mxg_eq "DNS back (the other instance): the retry is accepted" "$rc" 0
delivered_ok "DNS back" aligned-signed

# The queue id: Sendmail defines i at MAIL FROM and sends none at end of message; each line the
# milter logs names the id Sendmail gave the message.
log=$MXG_WORK/milter.log
mxg_eq "queue id: no log line says NOQUEUE" "$(grep -c 'info: NOQUEUE:' "$log" "$MXG_WORK/milter-dead.log" | awk -F: '{ s += $2 } END { print s }')" 0
mxg_eq "queue id: one log line per message" "$(grep -c 'info: [0-9A-Za-z]*: client=.*action=' "$log")" 7
n=0
for q in $qids; do
	grep -q "info: $q: client=" "$log" && n=$((n + 1))
done
mxg_eq "queue id: each accepted message's log line has the id from Sendmail's 250 reply" "$n" 6
mxg_check "queue id: also for the deferred one" grep -q 'info: [0-9A-Za-z]\{14\}: client=.*action=tempfail' "$MXG_WORK/milter-dead.log"
grep 'info:.*action=' "$log" "$MXG_WORK/milter-dead.log" | sed 's/^/# /'
mxg_done
