#!/bin/sh
# watch_domain in mxguard.so inside the Unbound we build, in front of NSD on loopback: the zone
# changes (NSD reloads on SIGHUP), Unbound's cache is flushed with unbound-control, and the next
# MX answer for a watched domain is logged and counted; an unwatched domain's change is not; a
# bad watch_domain value is refused offline and on reload, and Unbound keeps answering.
. "$(dirname "$0")/../lib/harness.sh"
. "$MXG_ROOT/tests/lib/unbound.sh"
mxg_require_netns "$@"
mxg_workdir

nsd_port=5384
ub_port=5385
[ -x "$MXG_UNBOUND" ] && [ -f "$MXG_UNBOUND_MODULE" ] && [ -x "$MXG_UNBOUND_CONTROL_BIN" ] ||
	{ mxg_not_ok "unbound, unbound-control and mxguard.so built (make check-prepare)"; mxg_done; }

# zone NAME TARGET...: NAME.test with one MX per TARGET (each a host in the zone).
zone() {
	name=$1
	shift
	printf '$ORIGIN %s.test.\n$TTL 3600\n@ IN SOA ns1 hostmaster ( 1 3600 600 86400 300 )\n' "$name"
	printf '@ IN NS ns1\nns1 IN A 127.0.0.1\n'
	pref=10
	for t in "$@"; do
		printf '@ IN MX %s %s\n%s IN A 11.1.1.%s\n' "$pref" "$t" "$t" "$pref"
		pref=$((pref + 10))
	done
}
zone watch mx1 mx2 >"$MXG_WORK/watch.zone"
zone other mx1 >"$MXG_WORK/other.zone"
mxg_require "NSD on 127.0.0.1@$nsd_port" mxg_nsd_start $nsd_port "watch.test=$MXG_WORK/watch.zone" \
	"other.test=$MXG_WORK/other.zone"

conf=$MXG_WORK/mxguard.conf
prom=$MXG_WORK/watch.prom
cat >"$conf" <<CONF
watch_domain = watch.test
metrics_file = $prom
metrics_interval = 1s
CONF
checkconf=$MXG_BUILD/mxguard-unbound-checkconf
mxg_match "checkconf -v: lists the watched domain" "$("$checkconf" -v "$conf")" "^watch_domain = watch\.test$"
mxg_match "checkconf -v: none by default" "$(printf 'max_targets = 4\n' >"$MXG_WORK/plain.conf";
	"$checkconf" -v "$MXG_WORK/plain.conf")" "^watch_domain = none$"
printf 'watch_domain = watch.test\nwatch_domain = bad..name\n' >"$MXG_WORK/bad.conf"
out=$("$checkconf" "$MXG_WORK/bad.conf" 2>&1)
mxg_eq "checkconf: a bad watch_domain: exit 1" "$?" 1
mxg_match "checkconf: a bad watch_domain: file:line: reason" "$out" \
	"bad\.conf:2: watch_domain: 'bad\.\.name' is not a domain name"

log=$MXG_WORK/ub/unbound.log
MXG_UNBOUND_CONTROL=$MXG_WORK/ub.ctl mxg_require "Unbound with mxguard.so on 127.0.0.1@$ub_port" \
	mxg_unbound_start ub $ub_port "dynlib validator iterator" "$conf" watch.test=$nsd_port \
	other.test=$nsd_port
ctl() { "$MXG_UNBOUND_CONTROL_BIN" -c "$MXG_WORK/ub/unbound.conf" "$@" 2>&1; }
mx_of() { dig @127.0.0.1 -p $ub_port +tries=1 +time=5 "$1" MX +short | awk '{ print $2 }' | sort | tr '\n' ' '; }
mxg_match "the module says what it watches at load" "$(cat "$log")" "watching 1 domain"

first_w=$(mx_of watch.test)
first_o=$(mx_of other.test)
mxg_eq "first answers: watch.test" "$first_w" "mx1.watch.test. mx2.watch.test. "
mxg_eq "first answers: other.test" "$first_o" "mx1.other.test. "
mxg_wait_match "$prom" '^mxguard_unbound_answers_total\{outcome="checked"\} 2$'
mxg_match "first sight: nothing counted" "$(cat "$prom")" "^mxguard_unbound_watch_changes_total 0$"

# The same answer again after a flush: no change.
ctl flush_zone watch.test >/dev/null
mx_of watch.test >/dev/null
mxg_wait_match "$prom" '^mxguard_unbound_answers_total\{outcome="checked"\} 3$'
mxg_match "same targets after a flush: nothing counted" "$(cat "$prom")" \
	"^mxguard_unbound_watch_changes_total 0$"

# Both zones change on the server; NSD reloads, Unbound's copies are flushed.
zone watch mx1 evil >"$MXG_WORK/nsd/watch.test.zone"
zone other mx9 >"$MXG_WORK/nsd/other.test.zone"
future=$(( $(date +%s) + 5 ))
touch -d "@$future" "$MXG_WORK/nsd/watch.test.zone" "$MXG_WORK/nsd/other.test.zone"
kill -HUP "$MXG_PID_nsd"
nsd_has() { dig @127.0.0.1 -p $nsd_port +tries=1 +time=1 +norec "$1" MX +short | grep -q "$2"; }
mxg_require "NSD serves the changed zones" mxg_wait_until 10 nsd_has watch.test evil
mxg_require "unbound-control flushes the zones" sh -c \
	"'$MXG_UNBOUND_CONTROL_BIN' -c '$MXG_WORK/ub/unbound.conf' flush_zone watch.test >/dev/null &&
	 '$MXG_UNBOUND_CONTROL_BIN' -c '$MXG_WORK/ub/unbound.conf' flush_zone other.test >/dev/null"
mxg_eq "changed answer: watch.test" "$(mx_of watch.test)" "evil.watch.test. mx1.watch.test. "
mxg_eq "changed answer: other.test" "$(mx_of other.test)" "mx9.other.test. "
mxg_wait_match "$prom" '^mxguard_unbound_watch_changes_total 1$'
mxg_match "the change is counted once" "$(cat "$prom")" "^mxguard_unbound_watch_changes_total 1$"
mxg_match "the change is logged with both target sets" "$(cat "$log")" \
	"mxguard: watch_domain watch\.test: MX targets changed from \[mx1\.watch\.test mx2\.watch\.test\] to \[evil\.watch\.test mx1\.watch\.test\]"
mxg_nomatch "the unwatched domain's change is not logged" "$(cat "$log")" "watch_domain other\.test"
mxg_eq "one watch line in the log" "$(grep -c 'mxguard: watch_domain' "$log")" 1

# A bad value on reload: Unbound answers on, the module keeps the settings it had.
cp "$MXG_WORK/bad.conf" "$conf"
mxg_eq "reload with a bad watch_domain: unbound-control says ok" "$(ctl reload)" "ok"
loads() { [ "$(grep -c 'mxguard: module loaded' "$log")" -ge 2 ]; }
mxg_require "the module loaded again" mxg_wait_until 20 loads
mxg_match "the bad value is logged and the old settings kept" "$(cat "$log")" \
	"configuration rejected: .*mxguard\.conf:2: watch_domain: 'bad\.\.name' is not a domain name; keeping the previous settings"
mxg_match "the kept settings still watch watch.test" "$(grep 'mxguard: module loaded' "$log" | tail -n 1)" \
	"previous settings.*watching 1 domain"
mxg_eq "Unbound still answers" "$(mx_of other.test)" "mx9.other.test. "

# The reload kept the last set seen: the next change is judged against it.
zone watch mx1 >"$MXG_WORK/nsd/watch.test.zone"
touch -d "@$(( future + 5 ))" "$MXG_WORK/nsd/watch.test.zone"
kill -HUP "$MXG_PID_nsd"
mxg_require "NSD serves the zone changed again" mxg_wait_until 10 sh -c \
	"[ \"\$(dig @127.0.0.1 -p $nsd_port +tries=1 +time=1 +norec watch.test MX +short)\" = '10 mx1.watch.test.' ]"
ctl flush_zone watch.test >/dev/null
mxg_eq "after the reload: the new answer" "$(mx_of watch.test)" "mx1.watch.test. "
mxg_wait_match "$prom" '^mxguard_unbound_watch_changes_total 1$'
mxg_match "after the reload: judged against the set seen before it" "$(cat "$log")" \
	"watch_domain watch\.test: MX targets changed from \[evil\.watch\.test mx1\.watch\.test\] to \[mx1\.watch\.test\]"

mxg_done
