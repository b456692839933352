# bench/dkim (make bench, or bench/dkim/run [SECONDS]): not part of make check.
.PHONY: bench-dkim
bench-dkim:
	bench/dkim/run
