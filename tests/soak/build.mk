# Fault-injection, load and soak suites (tests/soak/). The short versions run in make check
# (tests/suites); `make soak` runs the long ones. Both use the ASan+UBSan daemons when built.

CHECK_PREPARE += soak-daemons
SOAK_CONNS ?= 500
SOAK_REQUESTS ?= 200000
SOAK_RELOADS ?= 50
SOAK_MAILS ?= 1000
SOAK_DNSPERF_SECONDS ?= 120

.PHONY: soak-daemons
# The daemons in the sanitizer tree, so that load runs end in a leak check.
soak-daemons:
	$(MAKE) SANITIZE=1 build/san/mxguard-policyd build/san/mxguard-milter

soak: soak-daemons
	tests/run-all fault-dns
	MXG_SOAK=1 unshare --net --fork sh -c 'ip link set lo up && MXG_IN_NETNS=1 \
		tests/soak/policyd-load.sh $(SOAK_CONNS) $(SOAK_REQUESTS) $(SOAK_RELOADS)'
	unshare --net --fork sh -c 'ip link set lo up && MXG_IN_NETNS=1 tests/soak/mail-faults.sh $(SOAK_MAILS) 20'
	unshare --net --fork sh -c 'ip link set lo up && MXG_IN_NETNS=1 tests/soak/unbound-faults.sh $(SOAK_DNSPERF_SECONDS)'
