#!/bin/sh
# The Unbound module under DNS faults and load. Two resolvers from the same tree, one with
# mxguard.so first in the chain and one without, ask the same questions of NSD and of servers
# that never answer, SERVFAIL, truncate or send garbage (for the MX name itself and for its
# targets): the module must pass every answer through unchanged (same rcode, same records; it
# may only add an EDE). Then dnsperf sends a mixed workload for a fixed time: nothing lost,
# and the resolver is still up. Last, a third resolver with the module runs under valgrind
# through the same workload (slower) and stops on SIGTERM: no memory error, nothing leaked.
#   unbound-faults.sh [SECONDS]     dnsperf duration, default 5
. "$(dirname "$0")/../lib/harness.sh"
. "$MXG_ROOT/tests/lib/unbound.sh"
mxg_require_netns "$@"
mxg_workdir

seconds=${1:-5}
nsd_port=5464
[ -x "$MXG_UNBOUND" ] && [ -f "$MXG_UNBOUND_MODULE" ] || { mxg_not_ok "unbound tree and mxguard.so built"; mxg_done; }

modes="silent servfail truncate garbage"
port=5470
for m in $modes; do
	port=$((port + 1))
	mxg_bg "dns-$m" python3 "$MXG_ROOT/tests/lib/fault_dns.py" $port "$m"
	eval "port_$m=$port"
	mxg_require "fault server $m on $port" mxg_wait_port $port udp 10
done
{
	printf '$ORIGIN faults.test.\n$TTL 3600\n@ IN SOA ns1 hostmaster ( 1 3600 600 86400 300 )\n'
	printf '@ IN NS ns1\nns1 IN A 127.0.0.1\nmx1 IN A 11.1.1.10\n'
	for m in $modes; do
		printf 'to-%s IN MX 10 host.%s.test.\nto-%s IN MX 20 mx1\n' "$m" "$m" "$m"
	done
} >"$MXG_WORK/faults.test.zone"
mxg_nsd_start $nsd_port "faults.test=$MXG_WORK/faults.test.zone" "mx.test=$MXG_ROOT/tests/data/zones/mx.test.zone" ||
	{ mxg_not_ok "NSD started"; mxg_done; }
printf 'actions_warning = log ede\nactions_error = log ede\n' >"$MXG_WORK/mxguard.conf"

# Answer every client once its recursion ends (the default drops a client after 1.9 s while
# recursion goes on, so a silent server gives dig no answer at all), and give up on a silent
# server after a few seconds rather than two minutes.
MXG_UNBOUND_OPTS='discard-timeout: 0
infra-cache-max-rtt: 3000'
stubs="faults.test=$nsd_port mx.test=$nsd_port"
for m in $modes; do
	eval "stubs=\"\$stubs $m.test=\$port_$m\""
done
# resolver NAME PORT MODULES
resolver() {
	# shellcheck disable=SC2086
	mxg_unbound_start "$1" "$2" "$3" "$MXG_WORK/mxguard.conf" $stubs
}
resolver with 5481 "dynlib validator iterator" || { mxg_not_ok "unbound with mxguard.so"; mxg_done; }
resolver without 5482 "validator iterator" || { mxg_not_ok "unbound without the module"; mxg_done; }
mxg_ready "NSD, four fault servers, Unbound with and without mxguard.so running"

# answer PORT NAME TYPE: rcode and the answer records without TTLs, sorted.
answer() {
	out=$(dig @127.0.0.1 -p "$1" +tries=1 +time=${dig_time:-10} +noall +comments +answer "$2" "$3")
	printf '%s\n' "$out" | sed -n 's/.*status: \([A-Z]*\),.*/status \1/p'
	printf '%s\n' "$out" | awk '!/^;/ && NF >= 5 { $2 = ""; print }' | sort
}
names=
for m in $modes; do
	names="$names host.$m.test/MX host.$m.test/A to-$m.faults.test/MX"
done
names="$names healthy.mx.test/MX cname.mx.test/MX"
# Ask both resolvers everything at once (the silent server makes each wait for its timeouts).
digs=
for nt in $names; do
	n=${nt%/*} t=${nt#*/}
	(answer 5481 "$n" "$t" >"$MXG_WORK/with.$n.$t") &
	digs="$digs $!"
	(answer 5482 "$n" "$t" >"$MXG_WORK/without.$n.$t") &
	digs="$digs $!"
done
for p in $digs; do wait "$p"; done
for nt in $names; do
	n=${nt%/*} t=${nt#*/}
	w=$(cat "$MXG_WORK/with.$n.$t")
	wo=$(cat "$MXG_WORK/without.$n.$t")
	# A faulty server makes each resolver wait out its own retries, and how long depends on
	# which garbage it got: one may still be waiting when dig gives up. Ask both again, at
	# once, until both have an answer (at most three more rounds of 15 s).
	round=0
	while { [ -z "$w" ] || [ -z "$wo" ]; } && [ $round -lt 3 ]; do
		round=$((round + 1))
		dig_time=15
		(answer 5481 "$n" "$t" >"$MXG_WORK/with.retry") &
		pw=$!
		(answer 5482 "$n" "$t" >"$MXG_WORK/without.retry") &
		pwo=$!
		wait "$pw" "$pwo"
		[ -n "$w" ] || w=$(cat "$MXG_WORK/with.retry")
		[ -n "$wo" ] || wo=$(cat "$MXG_WORK/without.retry")
	done
	[ $round -eq 0 ] || printf "# %s\n" "$n $t: $round more round(s) of questions before both resolvers answered"
	mxg_same "$n $t: the module passes the answer through unchanged ($(head -n 1 "$MXG_WORK/with.$n.$t"))" "$w" "$wo"
done
mxg_eq "a target behind a SERVFAIL server: the MX answer still has both records" \
	"$(grep -c ' MX ' "$MXG_WORK/with.to-servfail.faults.test.MX")" 2

# dnsperf: a mixed workload for a fixed time (MX with checks, A, AAAA, TXT, NXDOMAIN, SERVFAIL).
: >"$MXG_WORK/queries"
for i in $(seq 1 50); do
	printf 'healthy.mx.test MX\ncname.mx.test MX\nmx1.healthy.mx.test A\nmx1.healthy.mx.test AAAA\n' >>"$MXG_WORK/queries"
	printf 'healthy.mx.test TXT\nnx%s.mx.test MX\nto-servfail.faults.test MX\nhost.servfail.test MX\n' "$i" >>"$MXG_WORK/queries"
done
out=$(dnsperf -s 127.0.0.1 -p 5481 -d "$MXG_WORK/queries" -l "$seconds" -c 4 -Q 2000 -t 5 2>&1)
printf '%s\n' "$out" | grep -E 'Queries (sent|completed|lost)|Queries per second' | sed 's/^/# /'
sent=$(printf '%s\n' "$out" | awk '/Queries sent:/ { print $3 }')
lost=$(printf '%s\n' "$out" | awk '/Queries lost:/ { print $3 }')
mxg_check "dnsperf: $seconds s of mixed queries sent ($sent)" test "${sent:-0}" -gt 0
mxg_eq "dnsperf: no query lost" "$lost" 0
eval "pid=\$MXG_PID_with"
mxg_check "the resolver with the module is still running" kill -0 "$pid"
mxg_eq "a healthy name still answers after the run" "$(answer 5481 healthy.mx.test MX | head -n 1)" "status NOERROR"
mxg_nomatch "no fatal error or assertion in Unbound's log" "$(cat "$MXG_WORK/with/unbound.log")" 'fatal|assert|segfault'

# Leak check after load: Unbound and mxguard.so under valgrind, the same workload at a rate
# valgrind keeps up with, then SIGTERM (the module's deinit frees its tables).
vg=$MXG_WORK/valgrind.log
MXG_UNBOUND_WRAP="valgrind --leak-check=full --show-leak-kinds=definite,indirect \
	--errors-for-leak-kinds=definite,indirect --error-exitcode=99 --log-file=$vg" \
	resolver valgrind 5483 "dynlib validator iterator" || { mxg_not_ok "unbound with mxguard.so under valgrind"; mxg_done; }
answer 5483 healthy.mx.test MX >/dev/null # warm up (valgrind's first queries are slow)
out=$(dnsperf -s 127.0.0.1 -p 5483 -d "$MXG_WORK/queries" -l "$seconds" -c 4 -Q 200 -t 10 2>&1)
done_q=$(printf '%s\n' "$out" | awk '/Queries completed:/ { print $3 }')
echo "# valgrind run: $(printf '%s\n' "$out" | grep -E 'Queries (completed|lost)' | tr -s ' ' | tr '\n' ' ')"
mxg_check "valgrind: $seconds s of mixed queries answered ($done_q)" test "${done_q:-0}" -gt 0
# Under valgrind a first check may outlast max_wait (that answer passes unchecked); the verdict
# then reaches the cache, so ask a few times.
flagged=0
for i in 1 2 3 4 5; do
	flagged=$(dig @127.0.0.1 -p 5483 +tries=1 +time=20 cname.mx.test MX | grep -c 'MX_TARGET_CNAME')
	[ "$flagged" = 1 ] && break
	sleep 1
done
mxg_eq "valgrind: the module flags an MX answer" "$flagged" 1
mxg_stop_wait valgrind
mxg_eq "valgrind: Unbound with the module exits cleanly on SIGTERM (99 = valgrind found errors)" "$mxg_exit" 0
mxg_match "valgrind: the module was loaded" "$(cat "$MXG_WORK/valgrind/unbound.log")" 'mxguard: module loaded'
mxg_match "valgrind: no memory error" "$(cat "$vg")" 'ERROR SUMMARY: 0 errors'
mxg_nomatch "valgrind: nothing definitely or indirectly lost" "$(cat "$vg")" '(definitely|indirectly) lost: [1-9]'
grep -E 'lost:|reachable:|heap blocks were freed|in use at exit|ERROR SUMMARY' "$vg" | sed 's/^==[0-9]*== */# valgrind: /'
grep -B2 -A14 -E 'Invalid|uninitialised|definitely lost in' "$vg" | head -n 60 | sed 's/^/    # /'
mxg_done
