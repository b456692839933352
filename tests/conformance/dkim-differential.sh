#!/bin/sh
# Differential test against dkimpy (Debian python3-dkim): a seeded corpus signed by dkimpy,
# mutated, verified by both; every verdict must agree. MXG_DKIM_SEED / MXG_DKIM_COUNT vary it.
. "$(dirname "$0")/../lib/harness.sh"

drv=$MXG_BUILD/tests/conformance/dkim-vectors
[ -x "$drv" ] || { echo "missing $drv (make check-prepare)"; echo "0 passed, 1 failed"; exit 1; }
/usr/bin/python3 -c 'import dkim, nacl.signing' || {
	echo "python3-dkim (with python3-nacl) is missing: scripts/install-deps"
	echo "0 passed, 1 failed"
	exit 1
}
mxg_workdir
/usr/bin/python3 "$MXG_ROOT/tests/conformance/dkim_differential.py" "$drv" "$MXG_WORK" \
	"${MXG_DKIM_COUNT:-300}" "${MXG_DKIM_SEED:-8463}"
