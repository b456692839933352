# Shared helpers for mxguard's shell test suites; source it, do not run it.
# Gives: a private work dir cleaned up on exit, background servers stopped by PID,
# bounded waits, NSD on a loopback port, and counted assertions ending in
# the "N passed, N failed" line that tests/run-all reads. Start-ups are preconditions
# (mxg_require), never counted as passed tests.

# The repository root: tests live two levels down (tests/KIND/NAME).
MXG_ROOT=${MXG_ROOT:-$(cd "$(dirname "$0")/../.." && pwd)}
# Third-party conformance data, in the repository (tests/conformance/data/README.md).
MXG_DATA=$MXG_ROOT/tests/conformance/data
MXG_BUILD=${MXG_BUILD:-$MXG_ROOT/build/out}
# The build tree's programs read the SPF provider table from the source tree (the install
# suites unset this to test the installed path).
MXGUARD_DATADIR=${MXGUARD_DATADIR:-$MXG_ROOT/data}
export MXGUARD_DATADIR
mxg_passed=0
mxg_failed=0

# Re-runs the calling script inside a new network namespace with only lo up,
# unless it already runs in one (tests/run-all sets MXG_IN_NETNS=1).
mxg_require_netns() {
	[ "${MXG_IN_NETNS:-}" = 1 ] && return 0
	exec unshare --net --fork sh -c 'ip link set lo up && MXG_IN_NETNS=1 exec "$0" "$@"' "$0" "$@"
}

# Makes MXG_WORK, a fresh directory removed (after stopping every started
# process) when the script exits. Set MXG_KEEP=1 to keep it for debugging.
mxg_workdir() {
	MXG_WORK=$(mktemp -d "${TMPDIR:-/tmp}/mxguard-test.XXXXXX")
	chmod 755 "$MXG_WORK"
	: >"$MXG_WORK/.pids"
	trap 'mxg_cleanup' EXIT
	trap 'exit 130' INT TERM
}

# mxg_bg NAME CMD...: starts CMD in the background, output in $MXG_WORK/NAME.log,
# its PID recorded so that cleanup stops it.
mxg_bg() {
	name=$1
	shift
	"$@" >"$MXG_WORK/$name.log" 2>&1 &
	echo "$! $name" >>"$MXG_WORK/.pids"
	eval "MXG_PID_$(echo "$name" | tr -c 'A-Za-z0-9_\n' _)=$!"
}

# mxg_stop NAME: stops one started process (TERM, then KILL after 10 s).
mxg_stop() {
	while read -r pid name; do
		[ "$name" = "$1" ] && mxg_stop_pid "$pid"
	done <"$MXG_WORK/.pids"
	return 0
}

# mxg_stop_wait NAME: SIGTERM to the started process NAME, then waits for it to end by itself
# (no KILL); its exit status is left in mxg_exit. For checking that a daemon stops cleanly.
mxg_stop_wait() {
	eval "msw_pid=\$MXG_PID_$(echo "$1" | tr -c 'A-Za-z0-9_\n' _)"
	kill -TERM "$msw_pid" 2>/dev/null
	wait "$msw_pid"
	mxg_exit=$?
}

# mxg_no_sanitizer_report DESC LOGFILE: one check that LOGFILE (a daemon's output under ASan,
# LeakSanitizer or UBSan) holds no report; a report found is shown under the failed line.
mxg_no_sanitizer_report() {
	mnsr_pattern='LeakSanitizer|AddressSanitizer|runtime error'
	mxg_nomatch "$1" "$(cat "$2")" "$mnsr_pattern"
	grep -A12 -E "$mnsr_pattern" "$2" | head -n 40 | sed 's/^/    # /'
}

mxg_stop_pid() {
	kill "$1" 2>/dev/null || return 0
	i=0
	while kill -0 "$1" 2>/dev/null && [ $i -lt 100 ]; do
		sleep 0.1
		i=$((i + 1))
	done
	# Either may fail (the process is gone, or is no child of ours): never an error, also
	# for callers running under set -e, whose cleanup would otherwise stop half-way.
	kill -9 "$1" 2>/dev/null || true
	wait "$1" 2>/dev/null || true
	return 0
}

mxg_cleanup() {
	rc=$?
	if [ -n "${MXG_WORK:-}" ] && [ -f "$MXG_WORK/.pids" ]; then
		while read -r pid name; do
			mxg_stop_pid "$pid"
		done <"$MXG_WORK/.pids"
		for hook in ${MXG_CLEANUP_HOOKS:-}; do $hook; done
		if [ "${MXG_KEEP:-}" = 1 ]; then
			echo "kept $MXG_WORK" >&2
		else
			rm -rf "$MXG_WORK"
		fi
	fi
	exit $rc
}

# mxg_pid_running PID: true while PID exists and is not a zombie waiting to be reaped.
mxg_pid_running() {
	[ -r "/proc/$1/stat" ] || return 1
	# The state follows the command name in parentheses, which may itself hold spaces.
	pr_state=$(sed 's/^.*) \([A-Za-z]\).*$/\1/' "/proc/$1/stat" 2>/dev/null) || return 1
	[ -n "$pr_state" ] && [ "$pr_state" != Z ]
}

# mxg_wait_until SECONDS CMD...: runs CMD every 0.1 s until it succeeds; returns 1 when it
# has not after SECONDS.
mxg_wait_until() {
	wu_limit=$(( $1 * 10 )) wu_i=0
	shift
	until "$@"; do
		[ $wu_i -ge $wu_limit ] && return 1
		sleep 0.1
		wu_i=$((wu_i + 1))
	done
}

# mxg_pid_gone PID: true once PID has ended (a zombie counts as ended).
mxg_pid_gone() {
	! mxg_pid_running "$1"
}

# mxg_wait_match FILE REGEX [SECONDS]: waits until FILE has a line matching the extended
# REGEX (default 10 s); for files a daemon writes by itself (logs, counters written every
# interval). Returns 1 on time-out.
mxg_wait_match() {
	mxg_wait_until "${3:-10}" grep -Eq -- "$2" "$1" 2>/dev/null
}

# mxg_wait_port PORT [tcp|udp] [SECONDS]: waits until something listens on
# 127.0.0.1:PORT; returns 1 after SECONDS (default 10).
mxg_wait_port() {
	proto=${2:-tcp}
	limit=$(( ${3:-10} * 10 ))
	flag=-ltn
	[ "$proto" = udp ] && flag=-lun
	i=0
	while [ $i -lt $limit ]; do
		ss -H $flag "sport = :$1" 2>/dev/null | grep -q . && return 0
		sleep 0.1
		i=$((i + 1))
	done
	echo "nothing listening on $proto port $1 after $(( limit / 10 ))s" >&2
	return 1
}

# mxg_nsd_start PORT ZONE=FILE...: serves the zones with NSD on 127.0.0.1:PORT
# (UDP and TCP), rate limiting off. Logs in $MXG_WORK/nsd/nsd.log. PORT may list several
# ports ("5354 53"): on 53 too, NSD is the name server the zones' NS records name (127.0.0.1),
# which mxguard check asks directly for the TTLs the zones publish.
mxg_nsd_start() {
	ports=$1
	shift
	d=$MXG_WORK/nsd
	mkdir -p "$d"
	cat >"$d/nsd.conf" <<NSDCONF
server:
$(for port in $ports; do echo "    ip-address: 127.0.0.1@$port"; done)
    do-ip6: no
    server-count: 1
    username: ""
    chroot: ""
    zonesdir: "$d"
    database: ""
    zonelistfile: "$d/zone.list"
    xfrdfile: "$d/xfrd.state"
    pidfile: "$d/nsd.pid"
    logfile: "$d/nsd.log"
    rrl-ratelimit: 0
    rrl-whitelist-ratelimit: 0
    verbosity: 1
remote-control:
    control-enable: no
NSDCONF
	for zf in "$@"; do
		zone=${zf%%=*}
		file=${zf#*=}
		cp "$file" "$d/$zone.zone"
		printf 'zone:\n    name: "%s"\n    zonefile: "%s.zone"\n' "$zone" "$zone" >>"$d/nsd.conf"
	done
	nsd-checkconf "$d/nsd.conf" || return 1
	mxg_bg nsd nsd -d -c "$d/nsd.conf"
	for port in $ports; do
		mxg_wait_port "$port" udp 10 || { cat "$MXG_WORK/nsd.log" "$d/nsd.log" >&2 2>/dev/null; return 1; }
	done
}

# Counted assertions. Each prints "ok - DESC" or "not ok - DESC".
mxg_ok() {
	mxg_passed=$((mxg_passed + 1))
	echo "ok - $*"
}

mxg_not_ok() {
	mxg_failed=$((mxg_failed + 1))
	echo "not ok - $*"
}

# mxg_require DESC CMD...: a precondition (servers started, files made), not a counted
# test: when CMD fails, one "not ok - DESC" and the suite ends there (mxg_done); when it
# succeeds, "# ready: DESC", not counted.
mxg_require() {
	mr_desc=$1
	shift
	"$@" || { mxg_not_ok "$mr_desc"; mxg_done; }
	mxg_ready "$mr_desc"
}

# mxg_ready DESC: the line that says the preconditions of the checks below hold (each one
# already stopped the suite on failure); not counted.
mxg_ready() {
	echo "# ready: $*"
}

# mxg_check DESC CMD...: passes when CMD exits 0.
mxg_check() {
	desc=$1
	shift
	if "$@"; then mxg_ok "$desc"; else mxg_not_ok "$desc"; fi
}

# mxg_match DESC TEXT REGEX: passes when TEXT matches the extended REGEX.
mxg_match() {
	if printf '%s\n' "$2" | grep -Eq -- "$3"; then
		mxg_ok "$1"
	else
		mxg_not_ok "$1 (no match for /$3/)"
		printf '%s\n' "$2" | sed 's/^/    # /' | head -n 20
	fi
}

# mxg_nomatch DESC TEXT REGEX: passes when TEXT does not match.
mxg_nomatch() {
	if printf '%s\n' "$2" | grep -Eq -- "$3"; then
		mxg_not_ok "$1 (unexpected match for /$3/)"
		printf '%s\n' "$2" | sed 's/^/    # /' | head -n 20
	else
		mxg_ok "$1"
	fi
}

# mxg_eq DESC GOT WANT: one counted test; returns 1 when GOT differs (so `mxg_eq ... || ...`
# can show the log or end the suite).
mxg_eq() {
	if [ "$2" = "$3" ]; then mxg_ok "$1"; return 0; fi
	mxg_not_ok "$1 (got '$2', want '$3')"
	return 1
}

# mxg_same DESC GOT WANT: like mxg_eq, for two outputs that must agree (two runs, two
# backends): two empty outputs agree on nothing, so an empty WANT fails.
mxg_same() {
	if [ -z "$3" ]; then
		mxg_not_ok "$1 (both empty: nothing to compare)"
		[ -z "$2" ] || printf '%s\n' "$2" | sed 's/^/    # got: /' | head -n 20
		return 1
	fi
	mxg_eq "$@"
}

# Prints the closing count line and exits non-zero on any failure.
mxg_done() {
	echo "$mxg_passed passed, $mxg_failed failed"
	[ "$mxg_failed" = 0 ] && [ "$mxg_passed" -gt 0 ]
	exit $?
}

# mxg_run_counted CMD...: runs a sub-test printing ok/not ok lines and its own count line;
# shows its lines and adds its counts to this script's (a non-zero exit without a failed
# line counts as one failure).
mxg_run_counted() {
	out=$("$@" 2>&1)
	rc=$?
	printf '%s\n' "$out" | grep -Ev '^[0-9]+ passed, [0-9]+ failed$'
	p=$(printf '%s\n' "$out" | grep -c '^ok - ')
	f=$(printf '%s\n' "$out" | grep -c '^not ok - ')
	mxg_passed=$((mxg_passed + p))
	mxg_failed=$((mxg_failed + f))
	if [ "$rc" != 0 ] && [ "$f" = 0 ]; then mxg_not_ok "$1 exited with status $rc"; fi
	return 0
}
