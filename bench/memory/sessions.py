#!/usr/bin/env python3
"""bench/memory helper: holds N connections open to a daemon and prints its resident memory.

    sessions.py milter HOST:PORT PID N...   milter sessions: negotiated, CONNECT and HELO given
    sessions.py idle HOST:PORT PID N...     plain TCP connections that send nothing (policyd)

For each N (increasing), opens connections up to N, waits until the daemon's RSS stops moving
(bounded), and prints "N RSS-KiB"."""
import os
import socket
import struct
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "tests", "integration", "milter"))
from milter_client import Milter  # noqa: E402


def rss_kib(pid):
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    raise RuntimeError("no VmRSS for %d" % pid)


def open_milter(addr):
    m = Milter(addr, 30)
    m.negotiate()
    ip = socket.inet_aton("192.0.2.10")
    m.step("C", b"client.example\x004" + struct.pack(">H", 25) + socket.inet_ntoa(ip).encode() + b"\x00")
    m.step("H", b"client.example\x00")
    return m


def open_idle(addr):
    host, port = addr.rsplit(":", 1)
    return socket.create_connection((host, int(port)), timeout=30)


def settle(pid, seconds=5.0):
    """The RSS once two readings 0.2 s apart agree, or after seconds."""
    last, end = -1, time.monotonic() + seconds
    while time.monotonic() < end:
        now = rss_kib(pid)
        if now == last:
            return now
        last = now
        time.sleep(0.2)
    return last


def main():
    kind, addr, pid = sys.argv[1], sys.argv[2], int(sys.argv[3])
    opener = open_milter if kind == "milter" else open_idle
    held = []
    print("0 %d" % settle(pid))
    for n in (int(a) for a in sys.argv[4:]):
        while len(held) < n:
            held.append(opener(addr))
        print("%d %d" % (n, settle(pid)), flush=True)
    for h in held:
        (h.sock if hasattr(h, "sock") else h).close()


if __name__ == "__main__":
    main()
