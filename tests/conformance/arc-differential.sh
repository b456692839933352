#!/bin/sh
# Differential test of ARC chain validation against dkimpy (Debian python3-dkim): seeded chains
# of one to four hops sealed by dkimpy, changed, validated by both; every result must agree or
# be one of the deliberate differences the script lists. MXG_ARC_SEED / MXG_ARC_COUNT vary it.
. "$(dirname "$0")/../lib/harness.sh"

drv=$MXG_BUILD/tests/conformance/dkim-vectors
[ -x "$drv" ] || { echo "missing $drv (make check-prepare)"; echo "0 passed, 1 failed"; exit 1; }
/usr/bin/python3 -c 'import dkim' || {
	echo "python3-dkim is missing: scripts/install-deps"
	echo "0 passed, 1 failed"
	exit 1
}
mxg_workdir
/usr/bin/python3 "$MXG_ROOT/tests/conformance/arc_differential.py" "$drv" "$MXG_WORK" \
	"${MXG_ARC_COUNT:-300}" "${MXG_ARC_SEED:-8617}"
