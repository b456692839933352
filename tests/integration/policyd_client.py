#!/usr/bin/env python3
# Clients for mxguard-policyd tests and benchmarks: the Postfix policy protocol (attribute
# lines, empty line, "action=..." reply) and socketmap netstrings, over persistent sockets.
import socket

# The attributes Postfix 3.7 sends at RCPT (SMTPD_POLICY_README), in its order.
BASE = [
    ("request", "smtpd_access_policy"), ("protocol_state", "RCPT"), ("protocol_name", "ESMTP"),
    ("client_address", "11.9.9.9"), ("client_name", "unknown"), ("client_port", "40000"),
    ("reverse_client_name", "unknown"), ("server_address", "127.0.0.1"), ("server_port", "25"),
    ("helo_name", "client.pd.test"), ("sender", "someone@good.pd.test"),
    ("recipient", "user@corp.pd.test"), ("recipient_count", "0"), ("queue_id", ""),
    ("instance", "1a2b.3c4d.5e6f.0"), ("size", "0"), ("etrn_domain", ""), ("stress", ""),
    ("sasl_method", ""), ("sasl_username", ""), ("sasl_sender", ""), ("ccert_subject", ""),
    ("ccert_issuer", ""), ("ccert_fingerprint", ""), ("ccert_pubkey_fingerprint", ""),
    ("encryption_protocol", ""), ("encryption_cipher", ""), ("encryption_keysize", "0"),
    ("policy_context", ""),
]


def request_bytes(**over):
    """A request with BASE attributes, some replaced (or dropped when None)."""
    lines = []
    seen = set()
    for k, v in BASE:
        seen.add(k)
        if k in over:
            v = over[k]
            if v is None:
                continue
        lines.append("%s=%s\n" % (k, v))
    for k, v in over.items():
        if k not in seen and v is not None:
            lines.append("%s=%s\n" % (k, v))
    return ("".join(lines) + "\n").encode()


class Conn:
    def __init__(self, port, host="127.0.0.1", timeout=10.0, path=None):
        if path:
            self.s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            self.s.settimeout(timeout)
            self.s.connect(path)
        else:
            self.s = socket.create_connection((host, port), timeout=timeout)
        self.buf = b""

    def close(self):
        self.s.close()

    def send(self, data):
        self.s.sendall(data)

    def read_until(self, sep):
        """Bytes up to and including sep; b'' if the server closed first."""
        while sep not in self.buf:
            chunk = self.s.recv(65536)
            if not chunk:
                rest, self.buf = self.buf, b""
                return rest if sep in rest else b""
            self.buf += chunk
        i = self.buf.index(sep) + len(sep)
        out, self.buf = self.buf[:i], self.buf[i:]
        return out

    def ask(self, **over):
        """Sends one policy request; returns the action value, or None on close."""
        self.send(request_bytes(**over))
        return self.reply()

    def reply(self):
        r = self.read_until(b"\n\n")
        if not r:
            return None
        text = r.decode()
        assert text.startswith("action="), text
        return text[len("action="):-2]

    def closed(self):
        """True when the server closed the connection (EOF within the timeout)."""
        try:
            while True:
                chunk = self.s.recv(65536)
                if not chunk:
                    return True
        except (ConnectionResetError, BrokenPipeError):
            return True
        except socket.timeout:
            return False

    def lookup(self, name, key):
        """One socketmap query; returns the reply payload ("OK x", "NOTFOUND ", ...)."""
        p = ("%s %s" % (name, key)).encode()
        self.send(b"%d:%s," % (len(p), p))
        return self.netstring()

    def netstring(self):
        head = self.read_until(b":")
        if not head:
            return None
        n = int(head[:-1])
        while len(self.buf) < n + 1:
            chunk = self.s.recv(65536)
            if not chunk:
                return None
            self.buf += chunk
        payload, self.buf = self.buf[:n], self.buf[n + 1:]
        return payload.decode()
