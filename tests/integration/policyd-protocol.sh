#!/bin/sh
# mxguard-policyd through real sockets: every rule, every protocol_state, malformed and
# oversized input, socketmap, persistence and concurrency, reload and stop; DNS from NSD.
. "$(dirname "$0")/../lib/harness.sh"
mxg_require_netns "$@"
mxg_workdir

port=5364
mxg_require "NSD serves pd.test on 127.0.0.1@$port" mxg_nsd_start $port "pd.test=$MXG_ROOT/tests/data/zones/pd.test.zone"

PD_BIN=$MXG_BUILD/mxguard-policyd PD_WORK=$MXG_WORK PD_DNS=127.0.0.1@$port \
	python3 "$MXG_ROOT/tests/integration/policyd_protocol.py"
