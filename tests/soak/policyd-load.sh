#!/bin/sh
# mxguard-policyd under load: hundreds of persistent connections sharing a fixed number of
# requests, SIGHUPs with a broken file meanwhile (old rules kept, no request fails), RSS flat,
# a clean exit. Runs the normal build (RSS judged), then the ASan+UBSan build when there is
# one, with a fifth of the requests (memory errors, UB, and leaks reported at exit).
#   policyd-load.sh [CONNS REQUESTS RELOADS]      defaults: the short version for make check
. "$(dirname "$0")/../lib/harness.sh"
mxg_require_netns "$@"
mxg_workdir

conns=${1:-300}
requests=${2:-6000}
reloads=${3:-5}
san=$MXG_ROOT/build/san/mxguard-policyd
ulimit -n 8192 2>/dev/null || ulimit -n 4096
export PD_WORK=$MXG_WORK MXG_ROOT
PD_BIN=$MXG_BUILD/mxguard-policyd PD_SAN=0 \
	mxg_run_counted python3 "$MXG_ROOT/tests/soak/policyd_load.py" load "$conns" "$requests" "$reloads"
if [ -x "$san" ]; then
	echo "# sanitizer build: $san"
	PD_BIN=$san PD_SAN=1 ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1} mxg_run_counted \
		python3 "$MXG_ROOT/tests/soak/policyd_load.py" load "$conns" $((requests / 5)) "$reloads"
else
	mxg_not_ok "sanitizer build of mxguard-policyd present (make soak-daemons)"
fi
mxg_done
