#!/bin/sh
# Daemons killed under mail load: Postfix with mxguard-milter (milter_default_action = tempfail)
# and mxguard-policyd (check_policy_service at RCPT), numbered messages over concurrent SMTP
# sessions. Each daemon in turn is SIGKILLed mid-run: Postfix defers (4xx), every message is
# either accepted (then delivered, counted at the sink by Message-ID) or still at the client,
# none is refused or lost; after a restart the client's retry delivers the rest, exactly once.
# Then the ASan+UBSan milter takes a load run of signed messages and is checked for leaks.
#   mail-faults.sh [COUNT [SESSIONS]]     defaults 120 messages, 10 concurrent sessions
. "$(dirname "$0")/../lib/harness.sh"
. "$MXG_ROOT/tests/lib/postfix.sh"
. "$MXG_ROOT/tests/integration/milter/lib.sh"
mxg_require_netns "$@"
mxg_workdir

count=${1:-120}
conc=${2:-10}
pd_port=10121
milter_port=9921
PD_BIN=$MXG_BUILD/mxguard-policyd
[ -x "$MILTER_BIN" ] || { mxg_not_ok "$MILTER_BIN is built"; mxg_done; }

milter_zone_setup || { mxg_not_ok "zone and NSD"; mxg_done; }
printf 'policy_listen = inet:127.0.0.1:%s\ndns_forwarders = 127.0.0.1@%s\nbroken_mx = defer\n' \
	$pd_port "$MILTER_DNS_PORT" >"$MXG_WORK/pd.conf"
pd_start() {
	mxg_bg "policyd$1" "$PD_BIN" -f -c "$MXG_WORK/pd.conf" && mxg_wait_port $pd_port tcp 10
}
pd_start 0 || { mxg_not_ok "policyd started"; mxg_done; }
milter_start milter0 $milter_port || { mxg_not_ok "milter started"; mxg_done; }
mxg_sink_start || { mxg_not_ok "smtp-sink started"; mxg_done; }
mxg_postfix_start "myhostname = $MILTER_AUTHSERV" "smtpd_milters = inet:127.0.0.1:$milter_port" \
	"milter_default_action = tempfail" \
	"smtpd_recipient_restrictions = check_policy_service inet:127.0.0.1:$pd_port" \
	"smtpd_policy_service_default_action = 451 4.3.5 policy service unavailable" \
	"smtpd_policy_service_try_limit = 1" ||
	{ mxg_not_ok "postfix started"; mxg_done; }
mxg_ready "NSD, mxguard-policyd, mxguard-milter, smtp-sink and Postfix running"

load=$MXG_ROOT/tests/soak/mail_load.py
# Distinct load-run Message-IDs the sink received.
sink_ids() {
	cat "$MXG_SINK_DIR"/* 2>/dev/null | grep -o '^Message-ID: <mxg-load-[0-9]*@' | sort -u | wc -l
}
sink_dups() {
	cat "$MXG_SINK_DIR"/* 2>/dev/null | grep -o '^Message-ID: <mxg-load-[0-9]*@' | sort | uniq -d | wc -l
}
# wait_delivered N: until the sink holds N distinct messages and the queue is empty (60 s).
wait_delivered() {
	i=0
	while [ $i -lt 600 ]; do
		[ "$(sink_ids)" -ge "$1" ] && [ "$(mxg_postfix_queue_count)" = 0 ] && return 0
		sleep 0.1
		i=$((i + 1))
	done
	return 1
}
fates() {
	printf 'accepted=%s deferred=%s refused=%s error=%s' "$(grep -c ' accepted ' "$1")" \
		"$(grep -c ' deferred ' "$1")" "$(grep -c ' refused ' "$1")" "$(grep -c ' error ' "$1")"
}

# kill_round NAME PID RESTART: one load run killing PID after a third was accepted.
kill_round() {
	who=$1 pid=$2 restart=$3
	mxg_sink_clear
	r1=$MXG_WORK/$who.round1
	echo "# $who: $(python3 "$load" send "$r1" "$count" "$conc" --kill "$pid" --kill-after $((count / 3)))"
	acc=$(grep -c ' accepted ' "$r1")
	def=$(grep -c ' deferred ' "$r1")
	mxg_eq "$who killed: every message has a fate" "$(wc -l <"$r1")" "$count"
	mxg_check "$who killed: Postfix deferred the sessions that needed it (4xx: $def)" test "$def" -gt 0
	mxg_eq "$who killed: nothing refused permanently" "$(grep -c ' refused ' "$r1")" 0
	mxg_match "$who killed: deferrals are 4xx" "$(grep ' deferred ' "$r1" | head -n 1)" ' deferred 4[0-9][0-9] '
	mxg_check "$who killed: all $acc accepted messages delivered, queue empty" wait_delivered "$acc"
	mxg_eq "$who killed: accepted + still at the client = $count" "$((acc + def + $(grep -c ' error ' "$r1")))" "$count"
	$restart || mxg_not_ok "$who restarted"
	r2=$MXG_WORK/$who.round2
	echo "# $who retry: $(python3 "$load" retry "$r1" "$r2" --conc "$conc")"
	mxg_eq "$who restarted: every retried message accepted" "$(grep -vc ' accepted ' "$r2")" 0
	mxg_check "$who restarted: all $count messages delivered" wait_delivered "$count"
	mxg_eq "$who: messages lost" "$((count - $(sink_ids)))" 0
	mxg_eq "$who: messages delivered twice" "$(sink_dups)" 0
	checked=0
	for f in "$MXG_SINK_DIR"/*; do
		sed '/^\r*$/q' "$f" | tr -d '\r\n\t' | grep -q "Authentication-Results: $MILTER_AUTHSERV;.*spf=pass" &&
			checked=$((checked + 1))
	done
	mxg_eq "$who: every delivered message was checked by the milter (spf=pass in our A-R)" "$checked" "$(sink_ids)"
	[ "$checked" = "$(sink_ids)" ] || sed '/^\r*$/q' "$f" | sed 's/^/    # /'
	echo "# figures: $who count=$count sessions=$conc round1 $(fates "$r1") lost=$((count - $(sink_ids)))"
}

eval "pd_pid=\$MXG_PID_policyd0"
kill_round policyd "$pd_pid" "pd_start 1"
eval "m_pid=\$MXG_PID_milter0"
kill_round milter "$m_pid" "milter_start milter1 $milter_port"

# Leak check after load: the ASan+UBSan milter verifies a load run of DKIM-signed messages
# (SPF, DKIM, DMARC on every one), then stops on SIGTERM; LeakSanitizer reports at exit.
san_milter=$MXG_ROOT/build/san/mxguard-milter
if [ -x "$san_milter" ]; then
	eval "m_pid=\$MXG_PID_milter1"
	mxg_stop_pid "$m_pid"
	MILTER_BIN=$san_milter ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1} milter_start milter-san $milter_port ||
		mxg_not_ok "ASan milter started"
	mxg_sink_clear
	r=$MXG_WORK/san.round
	echo "# ASan milter: $("$MXG_PYTHON" "$load" send "$r" "$count" "$conc" --sign "$MXG_WORK/keys/aligned.pem")"
	mxg_eq "ASan milter: every signed message accepted" "$(grep -vc ' accepted ' "$r")" 0
	mxg_check "ASan milter: all $count delivered" wait_delivered "$count"
	passed=0
	for f in "$MXG_SINK_DIR"/*; do
		sed '/^\r*$/q' "$f" | tr -d '\r\n\t' |
			grep -q "Authentication-Results: $MILTER_AUTHSERV;.*dkim=pass header.d=aligned.auth.test.*dmarc=pass" &&
			passed=$((passed + 1))
	done
	mxg_eq "ASan milter: every delivered message has dkim=pass and dmarc=pass" "$passed" "$(sink_ids)"
	mxg_stop_wait milter-san
	mxg_eq "ASan milter: clean exit on SIGTERM after the load run" "$mxg_exit" 0
	mxg_match "ASan milter: it logged its stop" "$(cat "$MXG_WORK/milter-san.log")" 'stopped'
	mxg_no_sanitizer_report "ASan milter: no sanitizer report (leaks, memory errors, UB) after $count messages" \
		"$MXG_WORK/milter-san.log"
else
	mxg_not_ok "sanitizer build of mxguard-milter present (make soak-daemons)"
fi
mxg_done
