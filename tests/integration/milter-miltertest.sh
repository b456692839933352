#!/bin/sh
# mxguard-milter driven directly by miltertest (tests/integration/milter/*.lua): negotiation,
# DMARC pass/reject/quarantine, forged Authentication-Results, DNS timeouts, who is checked,
# per-message state, reloads on SIGUSR1. NSD serves the zone; each script prints its own count
# line.
. "$(dirname "$0")/../lib/harness.sh"
. "$MXG_ROOT/tests/integration/milter/lib.sh"
mxg_require_netns "$@"
mxg_workdir

[ -x "$MILTER_BIN" ] || { mxg_not_ok "$MILTER_BIN is built"; mxg_done; }
milter_zone_setup || { mxg_not_ok "zone and NSD"; mxg_done; }
milter_messages || { mxg_not_ok "test messages signed"; mxg_done; }
milter_blackhole 5399 || { mxg_not_ok "silent DNS server"; mxg_done; }
milter_start m-default 9901 max_header_bytes=4096 &&
	milter_start m-soft 9902 dmarc_reject=no dmarc_quarantine=tag authenticated=soften \
		internal_hosts=203.0.113.0/24 &&
	milter_start m-dead 9903 dns_forwarders=127.0.0.1@5399 dns_timeout=500ms &&
	milter_start m-dead-accept 9904 dns_forwarders=127.0.0.1@5399 dns_timeout=500ms on_temperror=accept &&
	milter_start m-rollout-dead 9907 dns_forwarders=127.0.0.1@5399 dns_timeout=500ms mode=rollout &&
	milter_start m-rollout 9908 mode=rollout ||
	{ mxg_not_ok "milters started"; mxg_done; }
# The default milter's configuration on a Unix socket (negotiate.lua: no replies there).
mxg_bg m-unix "$MILTER_BIN" -f -c "$MXG_WORK/m-default.conf" -p "unix:$MXG_WORK/m-unix.sock"
mxg_wait_until 10 test -S "$MXG_WORK/m-unix.sock" || { mxg_not_ok "milter on a Unix socket"; mxg_done; }

export MILTER=inet:9901@127.0.0.1 MILTER_SOFT=inet:9902@127.0.0.1 MILTER_DEAD=inet:9903@127.0.0.1
export MILTER_DEAD_ACCEPT=inet:9904@127.0.0.1 MILTER_DIR MXG_WORK
export MILTER_ROLLOUT_DEAD=inet:9907@127.0.0.1 MILTER_ROLLOUT=inet:9908@127.0.0.1
export MILTER_UNIX=unix:$MXG_WORK/m-unix.sock

# A socket already taken: the error says why.
busy=$(sed 's/^log_level = .*/log_level = info/' "$MXG_WORK/m-default.conf")
printf '%s\n' "$busy" >"$MXG_WORK/m-busy.conf"
out=$(timeout 20 "$MILTER_BIN" -f -c "$MXG_WORK/m-busy.conf" 2>&1)
mxg_eq "socket in use: exit 1" $? 1
mxg_match "socket in use: cannot listen says why (errno)" "$out" \
	"cannot listen on inet:9901@127\.0\.0\.1: Address already in use"


# run_lua SCRIPT [VAR=VALUE...]: one miltertest script, its lines and counts added to ours.
run_lua() {
	name=$(basename "$1" .lua)
	script=$1
	shift
	out=$(env "$@" timeout 120 miltertest -s "$script" 2>&1)
	rc=$?
	printf '%s\n' "$out" | grep -v '^[0-9]* passed, [0-9]* failed$' | sed "s/^\(not \)\{0,1\}ok - /&$name: /"
	set -- $(printf '%s\n' "$out" | sed -n 's/^\([0-9]*\) passed, \([0-9]*\) failed$/\1 \2/p' | tail -n 1)
	mxg_passed=$((mxg_passed + ${1:-0}))
	mxg_failed=$((mxg_failed + ${2:-0}))
	[ $rc = 0 ] || [ "${2:-0}" != 0 ] || mxg_not_ok "$name: miltertest exit $rc"
}

for script in "$MILTER_DIR"/*.lua; do
	name=$(basename "$script" .lua)
	case $name in common|reload|agree|metrics) continue ;; esac  # agree: milter-agree.sh
	run_lua "$script"
done

# The metrics file (node_exporter textfile): written at start, every second, and at the stop;
# the counts of metrics.lua's traffic through a rollout milter.
prom=$MXG_WORK/metrics/milter.prom
mkdir -p "$MXG_WORK/metrics"
milter_start m-metrics 9909 mode=rollout metrics_file="$prom" metrics_interval=1s ||
	mxg_not_ok "milter with a metrics file started"
mxg_wait_until 10 test -s "$prom"
mxg_match "metrics: the file is there from the start, all zero" "$(cat "$prom" 2>/dev/null)" \
	'^mxguard_milter_messages_total\{action="accept"\} 0$'
run_lua "$MILTER_DIR/metrics.lua" MILTER_METRICS=inet:9909@127.0.0.1
# metric NAME: its value in the file.
metric() {
	awk -v n="$1" '$1 == n { print $2 }' "$prom"
}
mxg_stop_wait m-metrics
mxg_eq "metrics: messages accepted" "$(metric 'mxguard_milter_messages_total{action="accept"}')" 5
mxg_eq "metrics: messages rejected (rollout: none)" "$(metric 'mxguard_milter_messages_total{action="reject"}')" 0
mxg_eq "metrics: verdict accept" "$(metric 'mxguard_milter_verdicts_total{verdict="accept"}')" 2
mxg_eq "metrics: verdict dmarc-reject" "$(metric 'mxguard_milter_verdicts_total{verdict="dmarc-reject"}')" 3
mxg_eq "metrics: rollout would reject" "$(metric 'mxguard_milter_rollout_would_total{action="reject"}')" 3
mxg_eq "metrics: no temperror" "$(metric 'mxguard_milter_temperrors_total{check="dmarc"}')" 0
mxg_eq "metrics: trusted connections" "$(metric mxguard_milter_trusted_connections_total)" 1
mxg_match "metrics: DNS lookups timed" "$(metric mxguard_milter_dns_lookup_seconds_count)" '^[1-9][0-9]*$'
mxg_eq "metrics: the histogram's +Inf bucket is the count" \
	"$(metric 'mxguard_milter_dns_lookup_seconds_bucket{le="+Inf"}')" \
	"$(metric mxguard_milter_dns_lookup_seconds_count)"
mxg_check "metrics: no temporary file left" test ! -e "$prom.tmp"
mxg_check "metrics: the textfile parses as Prometheus text" sh -c \
	'grep -v "^#" "$1" | grep -Evq "^[a-z_]+(\{[a-z]+=\"[^\"]*\"\})? [0-9.e+-]+$" && exit 1; exit 0' sh "$prom"

# Skipped clients leave a line at info level, saying why.
mxg_match "trusted client: an info line says it was accepted unchecked" "$(cat "$MXG_WORK/m-default.log")" \
	"info: client unknown\[127\.0\.0\.1\] is in trusted_networks: accepted, not checked"
mxg_match "authenticated client: the info line says so" "$(cat "$MXG_WORK/m-default.log")" \
	"info: .* auth=[^ ]+ .*action=accept \(authenticated\)"

# Reload on SIGUSR1: a good file takes effect for new connections, a restart-only change is
# named, a broken file changes nothing; the daemon stays up throughout. The ASan+UBSan build
# runs it, so that the configurations replaced are shown to be freed, once, at the right time.
san_milter=$MXG_ROOT/build/san/mxguard-milter
[ -x "$san_milter" ] || mxg_not_ok "sanitizer build of mxguard-milter present (make soak-daemons)"
[ -x "$san_milter" ] && MILTER_BIN=$san_milter
ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1} milter_start m-reload 9905 ||
	mxg_not_ok "milter for the reload test started"
export MILTER_RELOAD=inet:9905@127.0.0.1
eval "reload_pid=\$MXG_PID_m_reload"
reload_log=$MXG_WORK/m-reload.log
# log_grew TEXT N: the reload log holds more than N lines with TEXT.
log_grew() {
	[ "$(grep -c "$1" "$reload_log")" -gt "$2" ]
}
# signal_to SIGNAL TEXT: sends SIGNAL, then waits (10 s) for one more line with TEXT in the log.
signal_to() {
	st_before=$(grep -c "$2" "$reload_log")
	kill "-$1" "$reload_pid"
	mxg_wait_until 10 log_grew "$2" "$st_before"
}
reload_to() {
	signal_to USR1 "$1"
}
run_lua "$MILTER_DIR/reload.lua" MILTER_RELOAD_EXPECT=reject
sed -e 's/^dns_timeout = .*/dns_timeout = 3s/' "$MXG_WORK/m-reload.conf" >"$MXG_WORK/m-reload.new"
printf 'dmarc_reject = no\n' >>"$MXG_WORK/m-reload.new"
mv "$MXG_WORK/m-reload.new" "$MXG_WORK/m-reload.conf"
mxg_check "reload: a good file is taken (logged)" reload_to "configuration reloaded from"
mxg_match "reload: the restart-only change is named" "$(cat "$reload_log")" \
	"reload: dns_timeout take effect after a restart"
run_lua "$MILTER_DIR/reload.lua" MILTER_RELOAD_EXPECT=accept
printf 'dmarc_reject = maybe\n' >>"$MXG_WORK/m-reload.conf"
mxg_check "reload: a broken file is refused (logged)" reload_to "reload failed, keeping the current configuration"
mxg_match "reload: the log says why" "$(cat "$reload_log")" \
	"reload failed, keeping the current configuration: .*m-reload.conf:[0-9]*: dmarc_reject"
run_lua "$MILTER_DIR/reload.lua" MILTER_RELOAD_EXPECT=accept
mxg_check "reload: the milter is still running" kill -0 "$reload_pid"

# SIGHUP reloads too (libmilter's own signal thread would stop the milter on it, exit 0): 20
# in a row, the file switching dmarc_reject each time and the milter answering under it between
# them, while another client keeps sending passing mail; then 20 at once.
sed -i '/^dmarc_reject = /d' "$MXG_WORK/m-reload.conf"
hup_to() {
	signal_to HUP "$1"
}
(
	i=0
	while [ $i -lt 200 ] && [ ! -e "$MXG_WORK/hup.done" ]; do
		MILTER=$MILTER_RELOAD timeout 60 miltertest -s "$MILTER_DIR/pass.lua" >>"$MXG_WORK/hup-load.out" 2>&1
		i=$((i + 1))
	done
) &
load_pid=$!
hup_ok=0 hup_answer=0
n=0
while [ $n -lt 20 ]; do
	if [ $((n % 2)) = 0 ]; then want=accept val=no; else want=reject val=yes; fi
	printf 'dmarc_reject = %s\n' "$val" >"$MXG_WORK/m-reload.tail"
	grep -v '^dmarc_reject = ' "$MXG_WORK/m-reload.conf" | cat - "$MXG_WORK/m-reload.tail" >"$MXG_WORK/m-reload.new"
	mv "$MXG_WORK/m-reload.new" "$MXG_WORK/m-reload.conf"
	hup_to "configuration reloaded from" && hup_ok=$((hup_ok + 1))
	out=$(MILTER_RELOAD_EXPECT=$want timeout 60 miltertest -s "$MILTER_DIR/reload.lua" 2>&1)
	printf '%s\n' "$out" | grep -q '^[1-9][0-9]* passed, 0 failed$' && hup_answer=$((hup_answer + 1))
	n=$((n + 1))
done
touch "$MXG_WORK/hup.done"
mxg_eq "SIGHUP: 20 reloads logged, one per SIGHUP" "$hup_ok" 20
mxg_eq "SIGHUP: after each, the milter answers under the new file (dmarc_reject switched)" "$hup_answer" 20
before=$(grep -c "configuration reloaded from" "$reload_log")
n=0
while [ $n -lt 20 ]; do kill -HUP "$reload_pid"; n=$((n + 1)); done
mxg_wait_until 10 sh -c '[ "$(grep -c "configuration reloaded from" "$1")" -gt "$2" ]' sh "$reload_log" "$before"
sleep 1
mxg_check "SIGHUP: 20 sent at once, the milter is still running" kill -0 "$reload_pid"
run_lua "$MILTER_DIR/reload.lua" MILTER_RELOAD_EXPECT=reject
wait "$load_pid"
mxg_check "SIGHUP: the concurrent client's messages all passed" \
	sh -c '! grep -q "^not ok" "$1" && grep -q "passed, 0 failed" "$1"' sh "$MXG_WORK/hup-load.out"
mxg_match "SIGHUP: libmilter never stopped the milter meanwhile" \
	"$(grep -c 'stopped' "$reload_log")" '^0$'
mxg_stop_wait m-reload
mxg_eq "reload: clean exit on SIGTERM after the reloads" "$mxg_exit" 0
mxg_no_sanitizer_report "reload: no sanitizer report (leaks, memory errors, UB)" "$reload_log"

# A stop signal sent while the milter is still starting waits for libmilter's signal thread
# instead of ending the daemon at once: the configuration file is a FIFO, which holds the
# milter in the middle of its start-up until the test writes it.
mkfifo "$MXG_WORK/m-early.conf"
sed -e 's/^socket = .*/socket = inet:9906@127.0.0.1/' -e '/^dmarc_reject = maybe$/d' \
	"$MXG_WORK/m-reload.conf" >"$MXG_WORK/m-early.text"
mxg_bg m-early "$MILTER_BIN" -f -c "$MXG_WORK/m-early.conf"
eval "early_pid=\$MXG_PID_m_early"
# stop_signals_blocked PID: SigBlk has SIGHUP (bit 0), SIGINT (1) and SIGTERM (14).
stop_signals_blocked() {
	mask=$(awk '/^SigBlk:/ { print substr($2, 9) }' "/proc/$1/status" 2>/dev/null)
	[ -n "$mask" ] && [ $((0x$mask & 0x4003)) -eq $((0x4003)) ]
}
mxg_wait_until 10 stop_signals_blocked "$early_pid"
mxg_check "start-up: HUP, TERM and INT are blocked before the file is read" stop_signals_blocked "$early_pid"
kill -TERM "$early_pid"
timeout 10 sh -c 'cat "$1" >"$2"' sh "$MXG_WORK/m-early.text" "$MXG_WORK/m-early.conf"
mxg_eq "start-up: the milter reads its file after the SIGTERM" $? 0
mxg_wait_until 20 mxg_pid_gone "$early_pid" || kill -KILL "$early_pid"
wait "$early_pid"
mxg_eq "start-up: the SIGTERM stops it cleanly once it runs (exit status)" $? 0
mxg_match "start-up: it listened, then stopped" "$(tr '\n' ' ' <"$MXG_WORK/m-early.log")" \
	"listening on inet:9906@127\.0\.0\.1.* stopped"
mxg_no_sanitizer_report "start-up: no sanitizer report" "$MXG_WORK/m-early.log"

grep -h 'info:.*action=' "$MXG_WORK"/m-*.log | sed 's/^/# /' | head -n 40
mxg_done
