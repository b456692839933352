#!/bin/sh
# mxguard-policyd end to end: a private Postfix asks it at RCPT (check_policy_service) and for
# next hops (transport_maps = socketmap), NSD serves the zones, one smtp-sink per backend.
# Asserts SMTP replies, where each recipient's copy lands, TLS connectors over real STARTTLS,
# and that a stopped daemon makes Postfix defer (nothing lost) until it is back.
# Ports of its own: another suite's Postfix may still be winding down on the defaults.
MXG_PF_PORT=2625 MXG_SINK_PORT=2626
. "$(dirname "$0")/../lib/harness.sh"
. "$MXG_ROOT/tests/lib/postfix.sh"
mxg_require_netns "$@"
mxg_workdir

dns=5365 pol=10060 smap=10061 onprem=2627 cloud=2628
mxg_nsd_start $dns "pd.test=$MXG_ROOT/tests/data/zones/pd.test.zone" || { mxg_not_ok "NSD started"; mxg_done; }

# A CA-less self-signed server certificate for Postfix and a client certificate for the connector.
tls=$MXG_WORK/tls
mkdir -p "$tls"
for who in server client; do
	openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=$who.pd.test" \
		-keyout "$tls/$who.key" -out "$tls/$who.pem" >/dev/null 2>&1 || mxg_not_ok "openssl $who cert"
done
fp=$(openssl x509 -in "$tls/client.pem" -noout -fingerprint -sha256 | sed 's/.*=//')

conf=$MXG_WORK/policyd.conf
cat >"$conf" <<CONF
policy_listen = inet:127.0.0.1:$pol
socketmap_listen = inet:127.0.0.1:$smap
dns_forwarders = 127.0.0.1@$dns
dns_timeout = 3s
domain.corp.pd.test.mx_bypass = reject
unroutable_sender = reject
broken_mx = defer
recipient_delimiter = +
route = hybrid.pd.test smtp:[127.0.0.1]:$cloud
route = alice@hybrid.pd.test smtp:[127.0.0.1]:$onprem
domain.hybrid.pd.test.fully_mapped = reject
route = split.pd.test smtp:[127.0.0.1]:$cloud
route = dave@split.pd.test smtp:[127.0.0.1]:$onprem
connector.local.networks = 127.0.0.0/8
connector.local.cert_fingerprint = $fp
metrics_file = $MXG_WORK/policyd.prom
metrics_interval = 1s
CONF
start_policyd() {
	mxg_bg "policyd$1" "$MXG_BUILD/mxguard-policyd" -f -c "$conf"
	mxg_wait_port $pol tcp 10 && mxg_wait_port $smap tcp 10
}
start_policyd || { mxg_not_ok "policyd started"; cat "$MXG_WORK/policyd.log"; mxg_done; }

# One sink per backend: the default relayhost and the two routed next hops.
sink_at() {
	mkdir -p "$MXG_WORK/sink-$1"
	chown postfix "$MXG_WORK/sink-$1"
	mxg_bg "sink-$1" smtp-sink -u postfix -h "sink-$1.pd.test" -d "$MXG_WORK/sink-$1/%H%M%S." "127.0.0.1:$1" 64
	mxg_wait_port "$1" tcp 10
}
delivered_to() {
	re=$(printf '%s' "$2" | sed 's/[.+]/\\&/g')
	mxg_postfix_log_count "to=<$re>.*relay=127\.0\.0\.1\[127\.0\.0\.1\]:$1.* status=sent"
}
wait_delivered() {
	i=0
	while [ $i -lt 200 ]; do
		[ "$(delivered_to "$1" "$2")" -ge "${3:-1}" ] && return 0
		sleep 0.1
		i=$((i + 1))
	done
	mxg_postfix_dump_log
	return 1
}
mxg_sink_start && sink_at $onprem && sink_at $cloud || { mxg_not_ok "sinks started"; mxg_done; }
mxg_postfix_start \
	"smtpd_sender_restrictions = check_policy_service { inet:127.0.0.1:$pol, policy_context=sender }" \
	"smtpd_recipient_restrictions = check_policy_service { inet:127.0.0.1:$pol, policy_context=recipient }" \
	"transport_maps = socketmap:inet:127.0.0.1:$smap:transport" \
	"smtpd_policy_service_max_ttl = 1000s" \
	"smtpd_tls_security_level = may" \
	"smtpd_tls_cert_file = $tls/server.pem" \
	"smtpd_tls_key_file = $tls/server.key" \
	"smtpd_tls_ask_ccert = yes" \
	"smtpd_tls_fingerprint_digest = sha256" || { mxg_not_ok "postfix started"; mxg_done; }
mxg_ready "NSD, mxguard-policyd, three sinks and Postfix are up"

msg=$MXG_WORK/msg.eml
mkmsg() { printf 'From: <%s>\nTo: <%s>\nSubject: %s\nMessage-ID: <%s@pd.test>\n\nbody\n' "$1" "$2" "$3" "$3" >"$msg"; }
send() { mxg_smtp_send --helo client.pd.test "$@" "$msg"; }

# MX-bypass protection: only corp's MX hosts (the gateways) may deliver to corp.
mkmsg s@good.pd.test u@corp.pd.test bypass
out=$(send --client 11.9.9.9 --from s@good.pd.test --to u@corp.pd.test)
mxg_eq "mx_bypass: direct delivery refused permanently" $? 5
mxg_match "mx_bypass: reply names the rule" "$out" '^550 5\.7\.1 .*: mxguard mx_bypass: corp\.pd\.test accepts mail only through its MX hosts'
mkmsg s@good.pd.test u@corp.pd.test viagw
out=$(send --client 11.1.1.10 --from s@good.pd.test --to u@corp.pd.test)
mxg_eq "mx_bypass: mail from the gateway is accepted" $? 0
mxg_check "mx_bypass: and reaches the default next hop" wait_delivered $MXG_SINK_PORT u@corp.pd.test

# Null MX and unroutable domains.
mkmsg a@nullmx.pd.test u@good.pd.test nullsender
out=$(send --client 11.1.1.10 --from a@nullmx.pd.test --to u@good.pd.test)
mxg_match "null MX sender: 550 5.7.27" "$out" '^550 5\.7\.27 .*Sender address rejected: mxguard null_mx_sender'
out=$(send --client 11.1.1.10 --from s@good.pd.test --to u@nullmx.pd.test)
mxg_match "null MX recipient (relayed): 556 5.1.10" "$out" '^556 5\.1\.(10|0) .*Recipient address rejected: mxguard null_mx_recipient'
out=$(send --client 11.1.1.10 --from a@gone.pd.test --to u@good.pd.test)
mxg_match "sender domain NXDOMAIN: 550 5.1.8" "$out" '^550 5\.1\.8 .*Sender address rejected: mxguard unroutable_sender'
out=$(send --client 11.1.1.10 --from a@cname.pd.test --to u@good.pd.test)
mxg_match "sender with a CNAME MX: deferred 451 4.1.8" "$out" '^451 4\.1\.8 .*: mxguard broken_mx'

# Hybrid routing: per recipient in one message, and a fully mapped domain.
mkmsg s@good.pd.test dave@split.pd.test split1
out=$(send --client 11.1.1.10 --from s@good.pd.test --to dave@split.pd.test --to erin@split.pd.test)
mxg_eq "hybrid: a message for two recipients is accepted" $? 0
mxg_check "hybrid: dave's copy reaches the on-premises sink" wait_delivered $onprem dave@split.pd.test
mxg_check "hybrid: erin's copy reaches the cloud sink" wait_delivered $cloud erin@split.pd.test
mxg_eq "hybrid: nothing for split reached the default sink" \
	"$(mxg_postfix_log_count "to=<(dave|erin)@split.pd.test>.*:$MXG_SINK_PORT.* status=sent")" 0
f=$(grep -l 'Message-ID: <split1@pd.test>' "$MXG_WORK/sink-$onprem"/* 2>/dev/null | head -n 1)
mxg_check "hybrid: the on-premises sink holds the message" test -n "$f"
mkmsg s@good.pd.test alice@hybrid.pd.test alice1
out=$(send --client 11.1.1.10 --from s@good.pd.test --to alice+news@hybrid.pd.test)
mxg_eq "fully mapped: a routed recipient (with extension) is accepted" $? 0
mxg_check "fully mapped: alice reaches the on-premises sink" wait_delivered $onprem alice+news@hybrid.pd.test
out=$(send --client 11.1.1.10 --from s@good.pd.test --to bob@hybrid.pd.test)
mxg_match "fully mapped: an unknown recipient gets 550 5.1.1" "$out" '^550 5\.1\.1 .*: mxguard fully_mapped'

# Trusted connector (loopback): TLS with the listed client certificate, over real STARTTLS.
mkmsg s@good.pd.test u@good.pd.test conn
out=$(send --from s@good.pd.test --to u@good.pd.test)
mxg_match "connector: plain SMTP refused" "$out" '^550 5\.7\.1 .*: mxguard connector: client 127\.0\.0\.1 of connector local must use TLS'
out=$(send --starttls --from s@good.pd.test --to u@good.pd.test)
mxg_match "connector: TLS without the certificate refused" "$out" 'did not present the expected certificate'
out=$(send --starttls --client-cert "$tls/client.pem" --client-key "$tls/client.key" --from s@good.pd.test --to u@good.pd.test)
mxg_eq "connector: TLS with the listed certificate accepted" $? 0
mxg_check "connector: delivered" wait_delivered $MXG_SINK_PORT u@good.pd.test

# The daemon stops: Postfix defers at RCPT, and mail already queued waits for its route.
mxg_stop policyd
# Its last counters, written at the stop, count what Postfix asked above.
prom=$(cat "$MXG_WORK/policyd.prom" 2>/dev/null)
mxg_match "counters: the mx_bypass refusal" "$prom" '^mxguard_policyd_decisions_total\{rule="mx_bypass",action="reject"\} 1$'
mxg_match "counters: the null-MX sender refusal" "$prom" '^mxguard_policyd_decisions_total\{rule="null_mx_sender",action="reject"\} 1$'
mxg_match "counters: the broken-MX deferral" "$prom" '^mxguard_policyd_decisions_total\{rule="broken_mx",action="defer"\} 1$'
mxg_match "counters: requests from smtpd_sender_restrictions" "$prom" '^mxguard_policyd_requests_total\{context="sender"\} [1-9][0-9]*$'
mxg_match "counters: requests from smtpd_recipient_restrictions" "$prom" '^mxguard_policyd_requests_total\{context="recipient"\} [1-9][0-9]*$'
mxg_match "counters: DNS lookups timed" "$prom" '^mxguard_policyd_dns_lookup_seconds_count [1-9][0-9]*$'
mkmsg s@good.pd.test dave@split.pd.test down1
out=$(send --client 11.1.1.10 --from s@good.pd.test --to dave@split.pd.test)
mxg_eq "daemon down: the client is told to retry (4xx)" $? 4
mxg_match "daemon down: 451" "$out" '^451 '
before=$(delivered_to $onprem dave@split.pd.test)
printf 'From: <s@good.pd.test>\nTo: <dave@split.pd.test>\nSubject: queued\nMessage-ID: <queued@pd.test>\n\nq\n' |
	sendmail -C "$MXG_PF_ETC" -f s@good.pd.test dave@split.pd.test
mxg_check "daemon down: locally submitted mail waits in the queue" \
	mxg_postfix_wait_log 'to=<dave@split.pd.test>.*status=deferred' 20
mxg_eq "daemon down: nothing delivered meanwhile" "$(delivered_to $onprem dave@split.pd.test)" "$before"
start_policyd again || mxg_not_ok "policyd restarted"
# Postfix's queue manager reuses its last address resolution while the address repeats:
# mail for another recipient moves it on, as any real mail flow does.
mkmsg s@good.pd.test erin@split.pd.test after
send --client 11.1.1.10 --from s@good.pd.test --to erin@split.pd.test >/dev/null
postqueue -c "$MXG_PF_ETC" -f
mxg_check "daemon back: the queued message reaches its on-premises route" \
	wait_delivered $onprem dave@split.pd.test $((before + 1))
out=$(send --client 11.1.1.10 --from s@good.pd.test --to dave@split.pd.test)
mxg_eq "daemon back: the retried message is accepted" $? 0
mxg_check "daemon back: and delivered" wait_delivered $onprem dave@split.pd.test $((before + 2))
mxg_check "queue empty at the end" mxg_postfix_wait_queue 0 20
mxg_check "policyd logged its decisions at info, with the context Postfix asked in" \
	grep -q ': info: decision rule=mx_bypass action=reject context=recipient state=RCPT client=11.9.9.9 ' "$MXG_WORK/policyd.log"
mxg_check "a refusal from smtpd_sender_restrictions is logged in the sender context" \
	grep -q ': info: decision rule=null_mx_sender action=reject context=sender state=RCPT client=11.1.1.10 sender=<a@nullmx.pd.test>' "$MXG_WORK/policyd.log"
# One line per request: with smtpd_delay_reject both lists ask at RCPT, so the recipient
# context's lines match the sender context's, less those the sender list already refused.
ns=$(grep -c 'decision rule=.* context=sender ' "$MXG_WORK/policyd.log")
nr=$(grep -c 'decision rule=.* context=recipient ' "$MXG_WORK/policyd.log")
nrs=$(grep -c 'decision rule=[a-z_]* action=\(reject\|defer\) context=sender ' "$MXG_WORK/policyd.log")
mxg_eq "one decision line per request in each context" "$nr" "$((ns - nrs))"
mxg_check "the restarted policyd answered the queued message's route" grep -q 'socketmap: key=dave@split.pd.test route=' "$MXG_WORK/policydagain.log"

mxg_done
