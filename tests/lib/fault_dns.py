#!/usr/bin/env python3
# A misbehaving DNS server for fault-injection tests, on 127.0.0.1:PORT over UDP and TCP.
#   fault_dns.py PORT MODE
# MODE: silent    reads queries and never answers
#       servfail  answers SERVFAIL
#       truncate  answers with the TC bit and no records over UDP; over TCP closes at once
#       garbage   answers with bytes that are no DNS message (wrong ID, short, random)
import os
import socket
import sys
import threading


def question_end(data):
    """Offset just past the question (name, type, class), or None if malformed."""
    pos = 12
    while pos < len(data) and data[pos] != 0:
        if data[pos] > 63:
            return None
        pos += data[pos] + 1
    pos += 5
    return pos if pos <= len(data) else None


def reply(data, mode, count):
    """The reply to one query in mode, or None for no reply."""
    end = question_end(data)
    if len(data) < 12 or end is None or mode == "silent":
        return None
    rd = data[2] & 0x01
    if mode == "servfail":
        return data[:2] + bytes([0x80 | rd, 0x82]) + b"\x00\x01\x00\x00\x00\x00\x00\x00" + data[12:end]
    if mode == "truncate":
        return data[:2] + bytes([0x82 | rd, 0x80]) + b"\x00\x01\x00\x00\x00\x00\x00\x00" + data[12:end]
    # garbage: cycle through ways of being wrong
    kind = count % 4
    if kind == 0:
        return os.urandom(3)
    if kind == 1:
        return os.urandom(200)
    if kind == 2:  # right ID and QR, claims 5 answers that are not there
        return data[:2] + bytes([0x80 | rd, 0x80]) + b"\x00\x01\x00\x05\x00\x00\x00\x00" + data[12:end]
    return bytes([data[0] ^ 0xff, data[1]]) + data[2:end]  # wrong ID


def serve_udp(sock, mode):
    count = 0
    while True:
        data, addr = sock.recvfrom(4096)
        count += 1
        r = reply(data, mode, count)
        if r is not None:
            sock.sendto(r, addr)


def tcp_client(conn, mode):
    with conn:
        conn.settimeout(30)
        try:
            if mode == "truncate":
                return
            head = conn.recv(2)
            if len(head) < 2:
                return
            n = head[0] << 8 | head[1]
            data = b""
            while len(data) < n:
                chunk = conn.recv(n - len(data))
                if not chunk:
                    return
                data += chunk
            r = reply(data, "servfail" if mode == "servfail" else mode, 1)
            if r is None:
                conn.recv(1)  # silent: hold the connection until the client gives up
                return
            conn.sendall(bytes([len(r) >> 8, len(r) & 0xff]) + r)
        except OSError:
            return


def serve_tcp(sock, mode):
    while True:
        conn, _ = sock.accept()
        threading.Thread(target=tcp_client, args=(conn, mode), daemon=True).start()


def main():
    port, mode = int(sys.argv[1]), sys.argv[2]
    if mode not in ("silent", "servfail", "truncate", "garbage"):
        sys.exit("unknown mode " + mode)
    udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    udp.bind(("127.0.0.1", port))
    tcp = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    tcp.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    tcp.bind(("127.0.0.1", port))
    tcp.listen(64)
    threading.Thread(target=serve_tcp, args=(tcp, mode), daemon=True).start()
    serve_udp(udp, mode)


if __name__ == "__main__":
    main()
