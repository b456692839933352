#!/usr/bin/env python3
"""Misbehaving SMTP listeners for the probe suite (check-probe.sh), on ADDR port 25:

  probe_servers.py silent ADDR   accepts connections and never says a word
  probe_servers.py badtls ADDR   a banner, EHLO offering STARTTLS, "220" to STARTTLS, then
                                 plain-text garbage instead of a TLS handshake
  probe_servers.py longline ADDR a banner line that never ends (1 MB without a newline)
  probe_servers.py manylines ADDR a banner of 1000 continuation lines

Each connection is served in a thread; the process runs until it is killed."""
import socket
import sys
import threading
import time

HOLD_SECONDS = 300  # a silent connection is held this long at most


def silent(conn):
    time.sleep(HOLD_SECONDS)
    conn.close()


def badtls(conn):
    f = conn.makefile("rb")
    conn.sendall(b"220 badtls ESMTP\r\n")
    for _ in range(20):  # a bounded conversation
        line = f.readline(1000)
        if not line:
            break
        verb = line.strip().upper()
        if verb.startswith(b"EHLO"):
            conn.sendall(b"250-badtls\r\n250 STARTTLS\r\n")
        elif verb == b"STARTTLS":
            conn.sendall(b"220 go ahead\r\n")
            conn.sendall(b"this is not a TLS server hello\r\n" * 4)
            break
        else:
            conn.sendall(b"250 ok\r\n")
    conn.close()


def flood(conn, data):
    try:
        conn.sendall(data)
        time.sleep(HOLD_SECONDS)
    except OSError:
        pass  # the probe gave up and closed: what it should do
    conn.close()


def longline(conn):
    flood(conn, b"220 " + b"x" * (1 << 20))


def manylines(conn):
    flood(conn, b"220-more\r\n" * 1000)


def main():
    mode, addr = sys.argv[1], sys.argv[2]
    handler = {"silent": silent, "badtls": badtls, "longline": longline,
               "manylines": manylines}[mode]
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind((addr, 25))
    s.listen(16)
    while True:
        conn, _ = s.accept()
        threading.Thread(target=handler, args=(conn,), daemon=True).start()


if __name__ == "__main__":
    main()
