#!/usr/bin/python3
# bench/spf driver for pyspf (Debian python3-spf): spf.check2 over the workload in a loop,
# DNS through the resolver in /etc/resolv.conf (dnspython). Prints evals/s and mismatches.
import sys
import time

import spf

checks = [line.split() for line in open(sys.argv[1]) if line.strip()]
secs = float(sys.argv[2])
mismatch = 0
for ip, sender, helo, want in checks:
    if spf.check2(i=ip, s=sender, h=helo)[0] != want:
        mismatch += 1
evals = 0
t0 = time.monotonic()
while True:
    for ip, sender, helo, want in checks:
        spf.check2(i=ip, s=sender, h=helo)
    evals += len(checks)
    t = time.monotonic() - t0
    if t >= secs:
        break
print("pyspf %.0f %d -" % (evals / t, mismatch))
