#!/usr/bin/env python3
"""A small milter-protocol client (version 6), written for the tests: it sends what Debian's
miltertest cannot (header fields over 1 KB, NUL bytes inside a field, a client that dies in the
middle of a command) and reports the end-of-message reply.

    milter_client.py HOST:PORT MESSAGE-FILE --ip IP --helo NAME --mail-from ADDR [--json]
    milter_client.py HOST:PORT --die-mid-field [--stall S]  (half a HEADER packet, then closes)

The message file is split as an MTA splits it: header fields up to the empty line (or the
first line that is not a field; a first line that starts with a blank ends the header at once),
each value as it followed the colon without its final line break, then the body in CRLF.
Prints the reply as JSON: {"action": "accept|reject|tempfail|discard", "reply": "...",
"headers": [[op, name, value]...], "quarantine": "..."}. Every wait is bounded by --timeout."""
import argparse
import json
import re
import socket
import struct
import sys
import time

SMFIF_ALL = 0x1FF
SMFIP_ALL = 0x1FFFFF
SMFIP_NR = {"H": 0x2000, "M": 0x4000, "R": 0x8000, "L": 0x80, "N": 0x40000, "B": 0x80000}
SMFIP_NOSTEP = {"H": 0x2, "M": 0x4, "R": 0x8, "B": 0x10, "L": 0x20, "N": 0x40}
SMFIP_HDR_LEADSPC = 0x100000
FIELD = re.compile(rb"([\x21-\x39\x3b-\x7e]+)[ \t]*:")


class Milter:
    def __init__(self, addr, timeout):
        host, port = addr.rsplit(":", 1)
        self.sock = socket.create_connection((host, int(port)), timeout=timeout)
        self.proto = 0

    def send(self, cmd, data=b""):
        self.sock.sendall(struct.pack(">I", len(data) + 1) + cmd.encode() + data)

    def recv_exact(self, n):
        buf = b""
        while len(buf) < n:
            chunk = self.sock.recv(n - len(buf))
            if not chunk:
                raise EOFError("milter closed the connection")
            buf += chunk
        return buf

    def recv(self):
        (n,) = struct.unpack(">I", self.recv_exact(4))
        body = self.recv_exact(n)
        return chr(body[0]), body[1:]

    def negotiate(self):
        self.send("O", struct.pack(">III", 6, SMFIF_ALL, SMFIP_ALL))
        cmd, data = self.recv()
        if cmd != "O":
            raise RuntimeError("negotiation answered %r" % cmd)
        _, _, self.proto = struct.unpack(">III", data[:12])

    def step(self, cmd, data):
        """A step the milter may have asked not to see, or not to answer."""
        if cmd in SMFIP_NOSTEP and self.proto & SMFIP_NOSTEP[cmd]:
            return None
        self.send(cmd, data)
        if cmd in SMFIP_NR and self.proto & SMFIP_NR[cmd]:
            return None
        return self.recv()


def split_message(raw):
    """(fields, body) as an MTA splits a message: fields are (name, value) byte strings."""
    fields, pos = [], 0
    if raw[:1] in (b" ", b"\t"):
        return fields, raw
    while pos < len(raw):
        m = FIELD.match(raw, pos)
        if m is None:
            break
        end = raw.find(b"\n", pos)
        end = len(raw) if end < 0 else end + 1
        while end < len(raw) and raw[end:end + 1] in (b" ", b"\t"):
            nxt = raw.find(b"\n", end)
            end = len(raw) if nxt < 0 else nxt + 1
        value = raw[m.end():end]
        value = value[:-1] if value.endswith(b"\n") else value
        value = value[:-1] if value.endswith(b"\r") else value
        fields.append((m.group(1), value))
        pos = end
    if raw[pos:pos + 2] == b"\r\n":
        pos += 2
    elif raw[pos:pos + 1] == b"\n":
        pos += 1
    body = re.sub(rb"\r?\n", b"\r\n", raw[pos:])
    return fields, body


def final_reply(m):
    out = {"action": None, "reply": "", "headers": [], "quarantine": ""}
    for _ in range(10000):
        cmd, data = m.recv()
        if cmd in "+im":
            parts = data.split(b"\0")
            if cmd == "+":
                out["headers"].append(["add", parts[0].decode("latin-1"), parts[1].decode("latin-1")])
            else:
                idx = struct.unpack(">I", data[:4])[0]
                parts = data[4:].split(b"\0")
                out["headers"].append([{"i": "insert", "m": "change"}[cmd] + ":%d" % idx,
                                       parts[0].decode("latin-1"), parts[1].decode("latin-1")])
        elif cmd == "q":
            out["quarantine"] = data.rstrip(b"\0").decode("latin-1")
        elif cmd == "p":
            continue
        else:
            out["action"] = {"a": "accept", "c": "accept", "r": "reject", "t": "tempfail",
                             "d": "discard"}.get(cmd)
            if cmd == "y":
                text = data.rstrip(b"\0").decode("latin-1")
                out["reply"] = text
                out["action"] = "reject" if text.startswith("5") else "tempfail"
            return out
    raise RuntimeError("no final reply")


def run(args):
    raw = open(args.message, "rb").read()
    m = Milter(args.milter, args.timeout)
    m.negotiate()
    ip = args.ip.encode()
    family = b"6" if b":" in ip else b"4"
    cmd, data = m.step("C", b"client.test\0" + family + struct.pack(">H", 25) + ip + b"\0")
    if cmd in ("a", "r", "t"):
        return {"action": {"a": "accept", "r": "reject", "t": "tempfail"}[cmd], "reply": "",
                "headers": [], "quarantine": "", "at": "connect"}
    m.step("H", args.helo.encode() + b"\0")
    m.send("D", b"M" + b"i\0TESTQID\0")
    m.step("M", b"<" + args.mail_from.encode() + b">\0")
    m.step("R", b"<rcpt@example.test>\0")
    fields, body = split_message(raw)
    lead = m.proto & SMFIP_HDR_LEADSPC
    for name, value in fields:
        if not lead:
            value = value.lstrip(b" \t")
        m.step("L", name + b"\0" + value + b"\0")
    m.step("N", b"")
    for i in range(0, len(body), 65535):
        m.step("B", body[i:i + 65535])
    m.send("E")
    out = final_reply(m)
    m.send("Q")
    m.sock.close()
    return out


def die_mid_field(args):
    """Negotiate, connect, MAIL, then half of a HEADER packet, and close the socket (after
    --stall seconds: a client gone silent, as one whose host died)."""
    m = Milter(args.milter, args.timeout)
    m.negotiate()
    m.step("C", b"client.test\x004" + struct.pack(">H", 25) + b"198.51.100.9\0")
    m.step("H", b"helo.test\0")
    m.step("M", b"<a@example.test>\0")
    data = b"Subject\0" + b"x" * 4000 + b"\0"
    packet = struct.pack(">I", len(data) + 1) + b"L" + data
    m.sock.sendall(packet[:len(packet) // 2])
    if args.stall:
        time.sleep(args.stall)
    m.sock.close()
    return {"action": "closed"}


def main():
    p = argparse.ArgumentParser()
    p.add_argument("milter")
    p.add_argument("message", nargs="?")
    p.add_argument("--ip", default="198.51.100.5")
    p.add_argument("--helo", default="client.test")
    p.add_argument("--mail-from", default="")
    p.add_argument("--timeout", type=float, default=30)
    p.add_argument("--die-mid-field", action="store_true")
    p.add_argument("--stall", type=float, default=0)
    args = p.parse_args()
    out = die_mid_field(args) if args.die_mid_field else run(args)
    json.dump(out, sys.stdout)
    print()


if __name__ == "__main__":
    main()
