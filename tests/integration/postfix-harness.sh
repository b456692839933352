#!/bin/sh
# The private Postfix harness itself (tests/lib/postfix.sh): a message relayed to smtp-sink,
# XCLIENT presenting another client address and a SASL login, a refused recipient's reply.
. "$(dirname "$0")/../lib/harness.sh"
. "$MXG_ROOT/tests/lib/postfix.sh"
mxg_require_netns "$@"
mxg_workdir

mxg_sink_start || { mxg_not_ok "smtp-sink started"; mxg_done; }
mxg_postfix_start || { mxg_not_ok "postfix started"; mxg_done; }
mxg_ok "postfix and smtp-sink listen on 127.0.0.1:$MXG_PF_PORT and :$MXG_SINK_PORT"

msg=$MXG_WORK/msg.eml
printf 'From: <a@example.test>\nTo: <b@example.test>\nSubject: harness\nMessage-ID: <h1@example.test>\n\nhello\n.dot line\n' >"$msg"

out=$(mxg_smtp_send --from a@example.test --to b@example.test "$msg")
mxg_eq "plain send accepted" "$?" 0
mxg_match "queued reply" "$out" '^250 .*queued as'
mxg_check "delivered to the sink" mxg_sink_wait 1 20
f=$(mxg_sink_find '^Message-ID: <h1@example.test>')
mxg_check "sink kept the message" test -n "$f"
mxg_match "dot-stuffed line intact" "$(cat "$f")" '^\.dot line$'

out=$(mxg_smtp_send --client 192.0.2.7 --client-name relay.example.test --login alice \
	--from a@example.test --to b@example.test "$msg")
mxg_eq "XCLIENT send accepted" "$?" 0
mxg_check "second delivery" mxg_sink_wait 2 20
mxg_check "maillog shows the XCLIENT address" mxg_postfix_wait_log 'client=relay.example.test\[192\.0\.2\.7\].*sasl_username=alice' 5

# A restriction set at run time: the next session must see it.
mxg_postfix_set 'smtpd_recipient_restrictions = check_recipient_access inline:{ { nobody@example.test = REJECT no such user } }' ||
	mxg_not_ok "reload"
out=$(mxg_smtp_send --from a@example.test --to nobody@example.test "$msg")
mxg_eq "refused recipient: permanent" "$?" 5
mxg_match "refusal text" "$out" '^554 .*no such user'
mxg_check "queue empty" mxg_postfix_wait_queue 0 10

mxg_done
