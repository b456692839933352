#!/bin/sh
# mxguard.so inside the Unbound we build, in front of NSD on loopback: EDE on flagged MX answers
# (first and cached), none on healthy or non-MX answers, strip mode, log lines, counters file.
. "$(dirname "$0")/../lib/harness.sh"
. "$MXG_ROOT/tests/lib/unbound.sh"
mxg_require_netns "$@"
mxg_workdir

nsd_port=5364
ub_port=5365
strip_port=5366
[ -x "$MXG_UNBOUND" ] && [ -f "$MXG_UNBOUND_MODULE" ] ||
	{ mxg_not_ok "unbound and mxguard.so built (make check-prepare)"; mxg_done; }

# A small signed zone: strip must leave its MX RRset alone.
mkdir -p "$MXG_WORK/keys"
cat >"$MXG_WORK/keys/signed.test.zone" <<'ZONE'
$ORIGIN signed.test.
$TTL 3600
@          IN SOA ns1 hostmaster ( 1 3600 600 86400 300 )
@          IN NS  ns1
ns1        IN A   127.0.0.1
@          IN MX  10 alias
@          IN MX  20 mx
alias      IN CNAME mx
mx         IN A   11.1.1.30
ZONE
(
	cd "$MXG_WORK/keys" &&
		key=$(ldns-keygen -a ECDSAP256SHA256 -k signed.test) &&
		ldns-signzone -o signed.test signed.test.zone "$key" >/dev/null
) || { mxg_not_ok "signed test zone made with ldns-signzone"; mxg_done; }

# A target whose zone's server does not answer: a temporary failure, never a verdict.
cat >"$MXG_WORK/tempfail.test.zone" <<'ZONE'
$ORIGIN tempfail.test.
$TTL 3600
@          IN SOA ns1 hostmaster ( 1 3600 600 86400 300 )
@          IN NS  ns1
ns1        IN A   127.0.0.1
@          IN MX  10 host.dead.test.
@          IN MX  20 mx
mx         IN A   11.1.1.31
refused    IN MX  10 host.refused.test.
refused    IN MX  20 mx
slow       IN MX  10 host.slow.test.
slow       IN MX  20 mx
ZONE
# slow.test answers NXDOMAIN, but only after 2 s: longer than max_wait (1.5 s).
mxg_bg slowdns python3 "$MXG_ROOT/tests/lib/slow_dns.py" 5398 2
mxg_wait_port 5398 udp 10 || { mxg_not_ok "slow DNS server started"; mxg_done; }

mxg_nsd_start $nsd_port "mx.test=$MXG_ROOT/tests/data/zones/mx.test.zone" \
	"signed.test=$MXG_WORK/keys/signed.test.zone.signed" \
	"tempfail.test=$MXG_WORK/tempfail.test.zone" || { mxg_not_ok "NSD started"; mxg_done; }

stubs="mx.test=$nsd_port signed.test=$nsd_port tempfail.test=$nsd_port dead.test=5399
refused.test=$nsd_port slow.test=5398"
# start_unbound NAME PORT MXGUARD_CONF: a resolver with the module first in the chain, stubs to
# NSD. MXG_UNBOUND_WRAP runs unbound under a tool, e.g.
# MXG_UNBOUND_WRAP="valgrind --log-file=/tmp/vg.%p" (timing checks may then fail).
start_unbound() {
	# shellcheck disable=SC2086
	mxg_unbound_start "$1" "$2" "dynlib validator iterator" "$3" $stubs
}

cat >"$MXG_WORK/default.conf" <<'CONF'
# defaults, plus the counters file
metrics_file = @WORK@/default.prom
metrics_interval = 1s
CONF
sed -i "s|@WORK@|$MXG_WORK|" "$MXG_WORK/default.conf"
cat >"$MXG_WORK/strip.conf" <<CONF
actions_info = log ede
actions_error = log ede strip
actions_critical = log ede strip
metrics_file = $MXG_WORK/strip.prom
metrics_interval = 1s
CONF

start_unbound ub $ub_port "$MXG_WORK/default.conf" || { cat "$MXG_WORK/ub.log" "$MXG_WORK/ub/unbound.log"; mxg_not_ok "unbound with mxguard.so started"; mxg_done; }
start_unbound strip $strip_port "$MXG_WORK/strip.conf" || { cat "$MXG_WORK/strip/unbound.log"; mxg_not_ok "strip unbound started"; mxg_done; }
mxg_ready "two unbound instances with mxguard.so listen"

mxg_match "module logs the Unbound build at load" "$(cat "$MXG_WORK/ub/unbound.log")" \
	"mxguard: module loaded, built against unbound [0-9.]+"

ms() { echo $(( $(date +%s%N) / 1000000 )); }
q() { dig @127.0.0.1 -p "$1" +tries=1 +time=5 "$2" "$3"; }
ede_of() { printf '%s\n' "$1" | sed -n 's/^; EDE: \(.*\)$/\1/p'; }
mx_count() { printf '%s\n' "$1" | awk '$4 == "MX"' | wc -l; }

# expect_ede NAME REGEX: the first and the cached second answer carry the same EDE.
expect_ede() {
	first=$(q $ub_port "$1" MX)
	second=$(q $ub_port "$1" MX)
	mxg_match "$1: NOERROR" "$first" "status: NOERROR"
	mxg_match "$1: EDE on the first answer" "$(ede_of "$first")" "^0 \(Other\): \(mxguard: .*$2"
	mxg_eq "$1: same EDE on the cached answer" "$(ede_of "$second")" "$(ede_of "$first")"
}
expect_none() {
	first=$(q $ub_port "$1" "${2:-MX}")
	second=$(q $ub_port "$1" "${2:-MX}")
	mxg_match "$1 ${2:-MX}: answered" "$first" "status: (NOERROR|NXDOMAIN)"
	mxg_eq "$1 ${2:-MX}: no EDE" "$(ede_of "$first")$(ede_of "$second")" ""
}

expect_ede cname.mx.test "MX_TARGET_CNAME mail\.cname\.mx\.test"
expect_ede ipliteral.mx.test "MX_TARGET_IP_LITERAL 11\.1\.1\.10"
expect_ede dangling.mx.test "MX_TARGET_NXDOMAIN gone\.dangling\.mx\.test"
mxg_match "dangling: every problem named" "$(ede_of "$(q $ub_port dangling.mx.test MX)")" \
	"MX_TARGET_NO_ADDRESS txt\.dangling\.mx\.test.*MX_ALL_TARGETS_UNUSABLE"
expect_ede nullmixed.mx.test "MX_NULL_MIXED nullmixed\.mx\.test"
expect_ede private.mx.test "MX_TARGET_PRIVATE_ADDRESS lan\.private\.mx\.test"
expect_ede duplicate.mx.test "MX_TARGET_DUPLICATE"
expect_ede signed.test "MX_TARGET_CNAME alias\.signed\.test"

expect_none healthy.mx.test
expect_none single.mx.test      # info only (one usable target): no action by default
expect_none nullmx.mx.test      # a correct null MX
expect_none slowttl.mx.test     # TTL findings are ignored by default
expect_none implicit.mx.test    # no MX records: nothing to check
expect_none doesnotexist.mx.test
expect_none cname.mx.test A     # non-MX queries pass untouched
expect_none mail.cname.mx.test A

mxg_match "a healthy answer keeps both records" "$(mx_count "$(q $ub_port healthy.mx.test MX)")" "^2$"
mxg_match "a client without EDNS gets the answer, no OPT" "$(dig @127.0.0.1 -p $ub_port +noedns cname.mx.test MX)" \
	"status: NOERROR"

log=$(cat "$MXG_WORK/ub/unbound.log")
mxg_match "log line for cname" "$log" "mxguard: cname\.mx\.test MX flagged: MX_TARGET_CNAME mail\.cname\.mx\.test"
mxg_nomatch "no log line for healthy" "$log" "mxguard: healthy\.mx\.test"

# --- strip mode ---
a=$(q $strip_port cname.mx.test MX)
b=$(q $strip_port cname.mx.test MX)
mxg_eq "strip: cname.mx.test keeps 2 of 3 records" "$(mx_count "$a")" 2
mxg_nomatch "strip: the alias target is gone" "$a" "MX[[:space:]]+10 mail\.cname"
mxg_eq "strip: cached answer stripped too" "$(mx_count "$b")" 2
ttl=$(printf '%s\n' "$b" | awk '$4 == "MX" { print $2; exit }')
mxg_check "strip: cached TTL counts down from 3600 (got $ttl)" test "${ttl:-0}" -le 3600 -a "${ttl:-0}" -gt 3000
mxg_match "strip: EDE still says why" "$(ede_of "$b")" "MX_TARGET_CNAME mail\.cname\.mx\.test"
a=$(q $strip_port ipliteral.mx.test MX)
mxg_eq "strip: IP-literal record removed, good one kept" "$(mx_count "$a")" 1
mxg_match "strip: the kept record is the usable one" "$a" "MX[[:space:]]+20 mx1\.healthy\.mx\.test"
a=$(q $strip_port dangling.mx.test MX)
mxg_eq "strip: never the last usable (dangling keeps both)" "$(mx_count "$a")" 2
a=$(q $strip_port private.mx.test MX)
mxg_eq "strip: never the last usable (private keeps both)" "$(mx_count "$a")" 2
a=$(dig @127.0.0.1 -p $strip_port +tries=1 +time=5 signed.test MX)
mxg_eq "strip: a signed RRset is never modified" "$(mx_count "$a")" 2
mxg_match "strip: signed answer still flagged" "$(ede_of "$a")" "MX_TARGET_CNAME"
mxg_eq "strip: healthy untouched" "$(mx_count "$(q $strip_port healthy.mx.test MX)")" 2
mxg_match "strip: log says records were stripped" "$(cat "$MXG_WORK/strip/unbound.log")" \
	"cname\.mx\.test MX flagged: .*stripped"

# A target lookup that fails temporarily (its server refuses): the answer passes, unflagged
# even with actions for info findings.
a=$(dig @127.0.0.1 -p $strip_port +tries=1 +time=10 refused.tempfail.test MX)
mxg_match "tempfail: answer passes" "$a" "status: NOERROR"
mxg_eq "tempfail: both records kept" "$(mx_count "$a")" 2
mxg_eq "tempfail: no EDE" "$(ede_of "$a")" ""
# A target whose server never answers: Unbound would retry for a minute; the client gets the
# answer after max_wait (1.5 s by default), unchecked. The upper bounds leave a loaded machine
# 3 s of slack: without max_wait the client would get no answer in dig's 10 s at all.
start=$(ms)
a=$(dig @127.0.0.1 -p $ub_port +tries=1 +time=10 tempfail.test MX)
took=$(( $(ms) - start ))
mxg_match "dead target server: answer passes" "$a" "status: NOERROR"
mxg_check "dead target server: answered at max_wait (took ${took} ms)" test "$took" -lt 4500
mxg_eq "dead target server: both records, no EDE" "$(mx_count "$a") $(ede_of "$a")" "2 "

# A target that resolves slowly: the client is answered at max_wait, unchecked; the check then
# completes in the background and the next (cached) answer carries the verdict.
start=$(ms)
a=$(q $ub_port slow.tempfail.test MX)
took=$(( $(ms) - start ))
mxg_check "slow target: answered at max_wait (took ${took} ms)" test "$took" -ge 1400 -a "$took" -lt 4500
mxg_eq "slow target: first answer unchecked" "$(mx_count "$a") $(ede_of "$a")" "2 "
# Unbound may retry the slow server a few times (it learns its RTT); wait up to 10 s.
i=0
while [ $i -lt 20 ] && ! q $ub_port slow.tempfail.test MX | grep -q "EDE:.*host\.slow\.test"; do
	sleep 0.5
	i=$((i + 1))
done
mxg_match "slow target: a later (cached) answer carries the verdict" \
	"$(ede_of "$(q $ub_port slow.tempfail.test MX)")" "MX_TARGET_NXDOMAIN host\.slow\.test"

# --- counters ---
# The file is rewritten every second by a thread of its own: wait (bounded) for the counts
# each instance made last, then read the rest.
mxg_wait_match "$MXG_WORK/default.prom" 'outcome="checked_after_max_wait"\} [1-9]'
mxg_wait_match "$MXG_WORK/strip.prom" 'outcome="target_tempfail"\} [1-9]'
prom=$(cat "$MXG_WORK/default.prom" 2>/dev/null)
mxg_match "counters file in Prometheus format" "$prom" "^# TYPE mxguard_unbound_answers_total counter"
mxg_match "counters: MX_TARGET_CNAME counted" "$prom" 'mxguard_unbound_findings_total\{code="MX_TARGET_CNAME"\} [1-9]'
mxg_match "counters: cached answers counted" "$prom" 'mxguard_unbound_answers_total\{outcome="cached_flagged"\} [1-9]'
mxg_match "counters: ede actions counted" "$prom" 'mxguard_unbound_actions_total\{action="ede"\} [1-9]'
mxg_match "counters: checks finished after max_wait counted" "$prom" \
	'mxguard_unbound_answers_total\{outcome="checked_after_max_wait"\} [1-9]'
sprom=$(cat "$MXG_WORK/strip.prom" 2>/dev/null)
mxg_match "counters: strip counted" "$sprom" 'mxguard_unbound_actions_total\{action="strip"\} [1-9]'
mxg_match "counters: signed strip refused counted" "$sprom" \
	'mxguard_unbound_answers_total\{outcome="strip_refused_signed"\} [1-9]'
mxg_match "counters: last-usable strip refused counted" "$sprom" \
	'mxguard_unbound_answers_total\{outcome="strip_refused_last_usable"\} [1-9]'
mxg_match "counters: target tempfail counted" "$sprom" \
	'mxguard_unbound_answers_total\{outcome="target_tempfail"\} [1-9]'

# A reload (SIGHUP) runs deinit and init again: the module comes back and still flags.
kill -HUP "$MXG_PID_ub"
i=0
while [ "$(grep -c 'mxguard: module loaded' "$MXG_WORK/ub/unbound.log")" -lt 2 ] && [ $i -lt 100 ]; do
	sleep 0.1
	i=$((i + 1))
done
mxg_eq "reload: module loaded again" "$(grep -c 'mxguard: module loaded' "$MXG_WORK/ub/unbound.log")" 2
mxg_match "reload: counters logged at deinit" "$(cat "$MXG_WORK/ub/unbound.log")" "mxguard: counters: checked=[1-9]"
mxg_match "reload: still flags" "$(ede_of "$(q $ub_port cname.mx.test MX)")" "MX_TARGET_CNAME mail\.cname"

# Shutdown logs the counters.
mxg_stop ub
mxg_match "counters logged on shutdown" "$(tail -n 3 "$MXG_WORK/ub/unbound.log")" "mxguard: counters: checked=[1-9]"

# A max_wait Unbound's discard-timeout would cut short is warned about at load (only where
# this Unbound has discard-timeout); the default max_wait is not.
mxg_nomatch "default max_wait: no discard-timeout warning" "$(cat "$MXG_WORK/ub/unbound.log")" 'discard-timeout'
if grep -q 'MODULE_UNBOUND_HAS_DISCARD_TIMEOUT' "$MXG_BUILD/unbound-module/unbound_build.h"; then
	printf 'max_wait = 2s\n' >"$MXG_WORK/longwait.conf"
	start_unbound longwait 5368 "$MXG_WORK/longwait.conf" || mxg_not_ok "unbound with max_wait = 2s started"
	mxg_match "max_wait 2s: warned that discard-timeout (1900 ms) comes first" \
		"$(cat "$MXG_WORK/longwait/unbound.log")" \
		"mxguard: max_wait 2000ms is not below Unbound's discard-timeout 1900ms"
	mxg_stop longwait
	MXG_UNBOUND_OPTS='discard-timeout: 3000' start_unbound longwait2 5368 "$MXG_WORK/longwait.conf" ||
		mxg_not_ok "unbound with max_wait = 2s, discard-timeout 3000 started"
	mxg_nomatch "max_wait 2s, discard-timeout 3000: no warning" "$(cat "$MXG_WORK/longwait2/unbound.log")" \
		'discard-timeout'
	mxg_stop longwait2
fi

# --- the module's file: offline check, reload with a broken file, counters ---
checkconf=$MXG_BUILD/mxguard-unbound-checkconf
ere() { printf '%s' "$1" | sed 's/[][\.*^$()+?{}|]/\\&/g'; }
ctl() { "$MXG_UNBOUND_CONTROL_BIN" -c "$MXG_WORK/rl/unbound.conf" "$@" 2>&1; }
# loads FILE N: waits until FILE holds N "module loaded" lines (a reload finished).
loads() { [ "$(grep -c 'mxguard: module loaded' "$1" 2>/dev/null)" -ge "$2" ]; }
rl_port=5369
rl_log=$MXG_WORK/rl/unbound.log
cat >"$MXG_WORK/rl.conf" <<CONF
actions_info = log ede
metrics_file = $MXG_WORK/rl.prom
metrics_interval = 1s
CONF
mxg_match "checkconf --version: name and version" "$("$checkconf" --version)" \
	"^mxguard-unbound-checkconf [0-9]+\.[0-9]+\.[0-9]+$"
mxg_eq "checkconf: a valid file says OK" "$("$checkconf" "$MXG_WORK/rl.conf" 2>&1; echo "rc=$?")" \
	"$MXG_WORK/rl.conf: OK
rc=0"
out=$("$checkconf" -v "$MXG_WORK/rl.conf")
mxg_match "checkconf -v: prints the file's settings" "$out" "^actions_info = log ede$"
mxg_match "checkconf -v: and the defaults" "$out" "^max_wait = 1500ms$"
# each kind of error: a bad value, an unknown key, a line without '=', a range, a missing file
check_bad() {
	printf '# a comment\n%s\n' "$2" >"$MXG_WORK/typo.conf"
	out=$("$checkconf" "$MXG_WORK/typo.conf" 2>&1)
	rc=$?
	mxg_eq "checkconf: $1: exit 1" "$rc" 1
	mxg_match "checkconf: $1: file:line: reason" "$out" "^$MXG_WORK/typo\.conf:2: $3"
}
check_bad "bad action" "actions_error = log explode" "actions_error: unknown action 'explode'"
check_bad "unknown key" "actoins-error = log" 'unknown key "actoins-error"'
check_bad "no '='" "max_wait 1s" 'expected'
check_bad "out of range" "max_targets = 99" "max_targets: "
check_bad "unknown code" "ignore = MX_TTL_LOWW" "ignore: unknown finding code 'MX_TTL_LOWW'"
check_bad "relative metrics_file" "metrics_file = rel.prom" "metrics_file: must be an absolute path"
out=$("$checkconf" "$MXG_WORK/absent.conf" 2>&1)
mxg_eq "checkconf: a missing file: exit 1, named" "$? $out" "1 $MXG_WORK/absent.conf: No such file or directory"
mxg_eq "checkconf: bad usage exits 2" "$("$checkconf" -x >/dev/null 2>&1; echo $?)" 2

MXG_UNBOUND_CONTROL=$MXG_WORK/rl.ctl start_unbound rl $rl_port "$MXG_WORK/rl.conf" ||
	{ cat "$rl_log"; mxg_not_ok "unbound with unbound-control started"; mxg_done; }
# Counters: an answer with only info findings (one usable target) is "noted", never "flagged",
# even when info findings are acted on; an error finding flags.
a=$(q $rl_port single.mx.test MX)
mxg_match "info only: acted on as configured (EDE)" "$(ede_of "$a")" "MX_SINGLE_TARGET"
q $rl_port single.mx.test MX >/dev/null
mxg_wait_match "$MXG_WORK/rl.prom" 'outcome="cached_noted"\} 1$'
prom=$(cat "$MXG_WORK/rl.prom")
mxg_match "info only: checked" "$prom" 'outcome="checked"\} 1$'
mxg_match "info only: flagged stays 0" "$prom" 'outcome="flagged"\} 0$'
mxg_match "info only: counted as noted" "$prom" 'outcome="noted"\} 1$'
mxg_match "info only: its cached answer is not cached_flagged" "$prom" 'outcome="cached_flagged"\} 0$'
mxg_match "info only: log says noted, not flagged" "$(cat "$rl_log")" "mxguard: single\.mx\.test MX noted: MX_SINGLE_TARGET"
q $rl_port ipliteral.mx.test MX >/dev/null   # an error (IP literal) and one usable target
mxg_wait_match "$MXG_WORK/rl.prom" 'outcome="checked"\} 2$'
mxg_match "an error finding: flagged is 1" "$(cat "$MXG_WORK/rl.prom")" 'outcome="flagged"\} 1$'
q $rl_port healthy.mx.test MX >/dev/null
mxg_wait_match "$MXG_WORK/rl.prom" 'outcome="checked"\} 3$'
mxg_match "a healthy answer: flagged still 1" "$(cat "$MXG_WORK/rl.prom")" 'outcome="flagged"\} 1$'

# A typo, then unbound-control reload: Unbound stays up and answers, the module says why at
# error level and keeps its previous settings (info findings still get an EDE).
printf '# typo below\nactions_error = log explode\n' >"$MXG_WORK/rl.conf"
out=$("$checkconf" "$MXG_WORK/rl.conf" 2>&1)
mxg_eq "checkconf catches the typo before the reload" "$? $out" \
	"1 $MXG_WORK/rl.conf:2: actions_error: unknown action 'explode' (log, ede, strip, none)"
mxg_eq "reload with a broken file: unbound-control says ok" "$(ctl reload)" "ok"
mxg_wait_until 20 loads "$rl_log" 2
mxg_check "reload with a broken file: unbound still runs" mxg_pid_running "$MXG_PID_rl"
a=$(q $rl_port single.mx.test MX)
mxg_match "reload with a broken file: unbound answers" "$a" "status: NOERROR"
mxg_match "reload with a broken file: previous settings kept (info EDE)" "$(ede_of "$a")" "MX_SINGLE_TARGET"
mxg_match "reload with a broken file: error logged with file:line: reason, same as checkconf" \
	"$(cat "$rl_log")" "error: mxguard: configuration rejected: $(ere "$out"); keeping the previous settings"
mxg_match "reload with a broken file: load line says the previous settings run" "$(cat "$rl_log")" \
	"module loaded, .*rl\.conf \(previous settings: the file was rejected\)"
mxg_match "reload with a broken file: still flags" "$(ede_of "$(q $rl_port cname.mx.test MX)")" "MX_TARGET_CNAME"
# Counters start again from zero at each reload: 3 before, 2 fresh MX answers since (the reload
# emptied Unbound's cache).
mxg_wait_match "$MXG_WORK/rl.prom" 'outcome="checked"\} 2$' 5
mxg_match "counters reset on reload" "$(cat "$MXG_WORK/rl.prom")" 'outcome="checked"\} 2$'

# The file fixed (and changed), checked, reloaded: the new settings apply.
cat >"$MXG_WORK/rl.conf" <<CONF
actions_info = none
actions_error = log
metrics_file = $MXG_WORK/rl.prom
metrics_interval = 1s
CONF
mxg_eq "checkconf: the fixed file is OK" "$("$checkconf" "$MXG_WORK/rl.conf")" "$MXG_WORK/rl.conf: OK"
mxg_eq "reload with the fixed file: ok" "$(ctl reload)" "ok"
mxg_wait_until 20 loads "$rl_log" 3
a=$(q $rl_port cname.mx.test MX)
mxg_eq "fixed file: new settings apply (errors logged, no EDE)" "$(ede_of "$a")" ""
mxg_match "fixed file: error still logged" "$(tail -n 5 "$rl_log")" "cname\.mx\.test MX flagged: MX_TARGET_CNAME"
mxg_eq "fixed file: info findings no longer acted on" "$(ede_of "$(q $rl_port single.mx.test MX)")" ""
mxg_stop rl

# A broken file at the first start: no previous settings, so the module inspects nothing (every
# answer passes unchanged) and says so; Unbound starts and answers all the same.
printf 'actions_error = log explode\n' >"$MXG_WORK/bad.conf"
MXG_UNBOUND_CONTROL=$MXG_WORK/bad.ctl start_unbound bad 5367 "$MXG_WORK/bad.conf"
mxg_eq "broken file at start: unbound starts and answers" $? 0
a=$(q 5367 cname.mx.test MX)
mxg_eq "broken file at start: answer passes unchanged, no EDE" "$(mx_count "$a") $(ede_of "$a")" "3 "
mxg_match "broken file at start: reason and inspection OFF logged" "$(cat "$MXG_WORK/bad/unbound.log")" \
	"error: mxguard: configuration rejected: $MXG_WORK/bad.conf:1: actions_error: unknown action 'explode'.*inspection is OFF"
printf 'actions_error = log ede\n' >"$MXG_WORK/bad.conf"
"$MXG_UNBOUND_CONTROL_BIN" -c "$MXG_WORK/bad/unbound.conf" reload >/dev/null 2>&1
mxg_wait_until 20 loads "$MXG_WORK/bad/unbound.log" 2
mxg_match "broken file at start, fixed and reloaded: inspection on" \
	"$(ede_of "$(q 5367 cname.mx.test MX)")" "MX_TARGET_CNAME"
mxg_stop bad

# The Unbound we build has no default chroot (Unbound loads modules after chrooting, so a
# default chroot would hide dynlib-file), and reads /etc/unbound/unbound.conf like Debian's.
printf 'server:\n    username: ""\n' >"$MXG_WORK/nochroot.conf"
mxg_eq "built unbound: no default chroot" \
	"$("${MXG_UNBOUND%/*}/unbound-checkconf" -o chroot "$MXG_WORK/nochroot.conf" 2>&1)" ""
mxg_match "built unbound: default config file is Debian's" "$("$MXG_UNBOUND" -h 2>&1)" \
	"/etc/unbound/unbound\.conf"

# make install-unbound-module (its own target: make install never builds Unbound) puts the
# module next to a note of the Unbound build it is for.
dest=$MXG_WORK/dest
make -s -C "$MXG_ROOT" install-unbound-module DESTDIR="$dest" >"$MXG_WORK/install.log" 2>&1
mxg_eq "make install-unbound-module exits 0" $? 0
mxg_check "mxguard.so installed" test -f "$dest/usr/local/lib/mxguard/mxguard.so"
mxg_match "Unbound version note installed" \
	"$(cat "$dest/usr/local/lib/mxguard/mxguard.so.unbound-version" 2>/dev/null)" \
	"built against unbound [0-9.]+ \(Debian source"
mxg_eq "mxguard-unbound.conf(5) formats without warnings" \
	"$(groff -man -ww -z "$dest/usr/local/share/man/man5/mxguard-unbound.conf.5" 2>&1)" ""
mxg_check "mxguard-unbound-checkconf installed with the module" \
	test -x "$dest/usr/local/sbin/mxguard-unbound-checkconf"
mxg_eq "mxguard-unbound-checkconf(8) installed, formats without warnings" \
	"$(groff -man -ww -z "$dest/usr/local/share/man/man8/mxguard-unbound-checkconf.8" 2>&1)" ""

mxg_done
