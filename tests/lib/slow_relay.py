#!/usr/bin/env python3
# A DNS relay for tests: forwards each UDP query to an upstream server on loopback, holding
# back the answer for names with a label "slow" by a fixed delay (a slow authoritative server).
#   slow_relay.py LISTEN-PORT UPSTREAM-PORT DELAY-SECONDS   (prints "ready" once it listens)
import socket
import sys
import threading
import time

listen, upstream, delay = int(sys.argv[1]), int(sys.argv[2]), float(sys.argv[3])


def qname(msg):
    labels, i = [], 12
    while i < len(msg) and msg[i] != 0 and len(labels) < 128:
        n = msg[i]
        labels.append(msg[i + 1:i + 1 + n].decode("ascii", "replace").lower())
        i += 1 + n
    return labels


def relay(srv, msg, peer):
    if "slow" in qname(msg):
        time.sleep(delay)
    up = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    up.settimeout(5)
    try:
        up.sendto(msg, ("127.0.0.1", upstream))
        srv.sendto(up.recv(65535), peer)
    except OSError:
        pass
    finally:
        up.close()


srv = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
srv.bind(("127.0.0.1", listen))
print("ready", flush=True)  # the caller reads this line before it sends anything
while True:
    msg, peer = srv.recvfrom(65535)
    if len(msg) >= 12:
        threading.Thread(target=relay, args=(srv, msg, peer), daemon=True).start()
