# bench/spf (make bench, or bench/spf/run [SECONDS]): not part of make check.
.PHONY: bench-spf
bench-spf:
	bench/spf/run
