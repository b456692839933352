#!/bin/sh
# mxguard-milter driven directly by miltertest (tests/integration/milter/*.lua): negotiation,
# DMARC pass/reject/quarantine, forged Authentication-Results, DNS timeouts, who is checked,
# per-message state. NSD serves the zone; each script prints its own count line.
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
	milter_start m-dead-accept 9904 dns_forwarders=127.0.0.1@5399 dns_timeout=500ms on_temperror=accept ||
	{ mxg_not_ok "milters started"; mxg_done; }

export MILTER=inet:9901@127.0.0.1 MILTER_SOFT=inet:9902@127.0.0.1 MILTER_DEAD=inet:9903@127.0.0.1
export MILTER_DEAD_ACCEPT=inet:9904@127.0.0.1 MILTER_DIR MXG_WORK

for script in "$MILTER_DIR"/*.lua; do
	name=$(basename "$script" .lua)
	[ "$name" = common ] && continue
	out=$(timeout 120 miltertest -s "$script" 2>&1)
	rc=$?
	printf '%s\n' "$out" | grep -v '^[0-9]* passed, [0-9]* failed$' | sed "s/^\(not \)\{0,1\}ok - /&$name: /"
	set -- $(printf '%s\n' "$out" | sed -n 's/^\([0-9]*\) passed, \([0-9]*\) failed$/\1 \2/p' | tail -n 1)
	mxg_passed=$((mxg_passed + ${1:-0}))
	mxg_failed=$((mxg_failed + ${2:-0}))
	[ $rc = 0 ] || [ "${2:-0}" != 0 ] || mxg_not_ok "$name: miltertest exit $rc"
done
grep -h 'info:.*action=' "$MXG_WORK"/m-*.log | sed 's/^/# /' | head -n 40
mxg_done
