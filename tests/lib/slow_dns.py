#!/usr/bin/env python3
# A deliberately slow authoritative server for tests: answers every UDP query on 127.0.0.1:PORT
# with NXDOMAIN after DELAY seconds. Used to check what happens while lookups are still running.
#   slow_dns.py PORT DELAY
import socket
import sys
import threading
import time

from fault_dns import question_end


def answer(sock, data, addr, delay):
    time.sleep(delay)
    end = question_end(data)
    if len(data) < 12 or end is None:
        return
    # QR, AA, the query's RD; RA, rcode 3; one question, nothing else.
    flags = bytes([0x84 | (data[2] & 0x01), 0x83])
    sock.sendto(data[:2] + flags + b"\x00\x01\x00\x00\x00\x00\x00\x00" + data[12:end], addr)


def main():
    port, delay = int(sys.argv[1]), float(sys.argv[2])
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.bind(("127.0.0.1", port))
    while True:
        data, addr = sock.recvfrom(4096)
        threading.Thread(target=answer, args=(sock, data, addr, delay), daemon=True).start()


if __name__ == "__main__":
    main()
