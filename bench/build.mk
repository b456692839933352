# make bench: every benchmark in turn (not part of make check; root; docs/performance.md says
# what each measures). One at a time even under -j: they measure the machine.
BENCHES := bench-dkim bench-spf bench-policyd bench-milter bench-milter-multi bench-milter-profile \
	bench-memory bench-unbound
.PHONY: bench $(BENCHES)
bench: all check-prepare
	@for b in $(BENCHES); do echo "=== $$b"; $(MAKE) --no-print-directory $$b || exit 1; done

bench-policyd: all
	bench/policyd
bench-memory: all
	bench/memory/run
bench-unbound: check-prepare
	bench/unbound/run
