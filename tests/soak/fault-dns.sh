#!/bin/sh
# DNS that never answers, answers SERVFAIL, truncates (TC, then TCP closed) or sends garbage:
# mxguard spf and dkim end in temperror (exit 3), the DMARC audit reports a temporary lookup
# failure (never a missing record), and mxguard-policyd defers (4xx) the rules that need DNS.
. "$(dirname "$0")/../lib/harness.sh"
mxg_require_netns "$@"
mxg_workdir

mxguard=$MXG_BUILD/mxguard
msg=$MXG_DATA/dkim/rfc8463/signed-message.eml
base=5430
ports=
for mode in silent servfail truncate garbage; do
	base=$((base + 1))
	mxg_bg "dns-$mode" python3 "$MXG_ROOT/tests/lib/fault_dns.py" $base $mode
	ports="$ports $base"
	eval "port_$mode=$base"
done
for p in $ports; do
	mxg_require "fault server on $p started" mxg_wait_port "$p" udp 10
done

for mode in silent servfail truncate garbage; do
	eval "p=\$port_$mode"
	dns="--timeout 1 --resolver 127.0.0.1@$p"
	# shellcheck disable=SC2086
	out=$(timeout 60 "$mxguard" spf $dns 192.0.2.1 user@example.com)
	rc=$?
	mxg_eq "$mode: spf exit status is 3 (temperror)" "$rc" 3
	mxg_match "$mode: spf result temperror" "$out" '^result: temperror$'
	# shellcheck disable=SC2086
	out=$(timeout 60 "$mxguard" dkim $dns "$msg")
	rc=$?
	mxg_eq "$mode: dkim exit status is 3 (temperror only)" "$rc" 3
	mxg_eq "$mode: both signatures temperror" "$(printf '%s\n' "$out" | grep -c 'dkim=temperror')" 2
	mxg_nomatch "$mode: no dkim pass, fail or permerror" "$out" 'dkim=(pass|fail|permerror)'
	# shellcheck disable=SC2086
	out=$(timeout 60 "$mxguard" check $dns example.com)
	mxg_match "$mode: DMARC lookup reported as a temporary failure" "$out" 'DMARC_LOOKUP_TEMPFAIL'
	mxg_nomatch "$mode: DMARC not reported missing" "$out" 'DMARC_(MISSING|NONE|NO_RECORD)'
done

export PD_BIN=$MXG_BUILD/mxguard-policyd PD_WORK=$MXG_WORK MXG_ROOT
# shellcheck disable=SC2086
mxg_run_counted python3 "$MXG_ROOT/tests/soak/policyd_load.py" dns $ports
mxg_done
