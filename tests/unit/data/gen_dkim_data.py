#!/usr/bin/python3
# Writes tests/unit/data/dkim_data.h: a fresh RSA-2048 key, its public half both as a
# SubjectPublicKeyInfo and as a bare PKCS#1 RSAPublicKey (RFC 6376 §3.6.1), a header section
# and body, and DKIM-Signature fields dkimpy (Debian python3-dkim) made for them with that
# key. Run from the worktree root:
#   /usr/bin/python3 tests/unit/data/gen_dkim_data.py > tests/unit/data/dkim_data.h
# The output is committed; rerunning it makes a new key, which the tests do not mind.
import base64
import subprocess
import sys
import time

import dkim

DOMAIN = b"example.net"
# Every field RFC 5322 §3.6 allows at most once, each present once and each signed once
# except Bcc (dkimpy refuses to sign it, after RFC 6376 §5.4.1).
HEADERS = (
    b"From: Alice <alice@example.net>\r\n"
    b"Sender: Bob <bob@example.net>\r\n"
    b"Reply-To: Carol <carol@example.net>\r\n"
    b"To: Dave <dave@example.org>\r\n"
    b"Cc: Erin <erin@example.org>\r\n"
    b"Bcc: Frank <frank@example.org>\r\n"
    b"Subject: Quarterly numbers\r\n"
    b"Date: Tue, 04 Mar 2025 10:00:00 +0000\r\n"
    b"Message-ID: <q1.2025@example.net>\r\n"
    b"In-Reply-To: <q0.2025@example.net>\r\n"
    b"References: <q0.2025@example.net>\r\n"
)
SIGNED = [b"from", b"sender", b"reply-to", b"to", b"cc", b"subject", b"date",
          b"message-id", b"in-reply-to", b"references"]
# What the sealer's own check said, for the ARC set.
AR = b"Authentication-Results: mx.example.net; spf=pass smtp.mailfrom=example.net\r\n"
BODY = b"Numbers attached.\r\n\r\nAlice\r\n"


def openssl(*args, data=None):
    return subprocess.run(["openssl", *args], input=data, check=True, capture_output=True).stdout


def der_b64(pem_args, key):
    return base64.b64encode(openssl(*pem_args, data=key)).decode()


# t= of every signature: a fixed past time, so the tests need no clock of their own.
SIGNED_AT = 1741082400


def sign(key, selector, canon=(b"relaxed", b"relaxed"), length=False):
    """The DKIM-Signature field alone; the tests put it above DATA_HEADERS."""
    msg = HEADERS + b"\r\n" + BODY
    return dkim.sign(msg, selector, DOMAIN, key, include_headers=SIGNED, canonicalize=canon,
                     length=length)


def arc_seal(key):
    """An ARC set (ARC-Seal, ARC-Message-Signature, ARC-Authentication-Results, in that order)
    over DATA_AR DATA_HEADERS and the body, instance 1, selector spki."""
    msg = AR + HEADERS + b"\r\n" + BODY
    fields = dkim.arc_sign(msg, b"spki", DOMAIN, key, b"mx.example.net", include_headers=SIGNED,
                           timestamp=SIGNED_AT)
    order = [b"arc-seal", b"arc-message-signature", b"arc-authentication-results"]
    return b"".join(sorted(fields, key=lambda f: order.index(f.split(b":")[0].lower())))


def c_string(name, data):
    out = ["#define %s \\" % name]
    for line in data.decode().split("\r\n")[:-1]:
        out.append('\t"%s\\r\\n" \\' % line.replace("\\", "\\\\").replace('"', '\\"'))
    out.append("\t\"\"")
    return "\n".join(out)


def main():
    key = openssl("genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048")
    spki = der_b64(["pkey", "-pubout", "-outform", "DER"], key)
    pkcs1 = der_b64(["rsa", "-RSAPublicKey_out", "-outform", "DER"], key)
    print("/* Made by tests/unit/data/gen_dkim_data.py with dkimpy; do not edit. */")
    print('#define DATA_KEY_SPKI "v=DKIM1; k=rsa; p=%s"' % spki)
    print('#define DATA_KEY_PKCS1 "v=DKIM1; k=rsa; p=%s"' % pkcs1)
    print(c_string("DATA_HEADERS", HEADERS))
    print(c_string("DATA_BODY", BODY))
    time.time = lambda: SIGNED_AT
    # The same message signed under two selectors: spki and pkcs1 publish the same key.
    print(c_string("DATA_SIG_SPKI", sign(key, b"spki")))
    print(c_string("DATA_SIG_PKCS1", sign(key, b"pkcs1")))
    print(c_string("DATA_SIG_SIMPLE", sign(key, b"spki", canon=(b"simple", b"simple"))))
    print(c_string("DATA_SIG_LENGTH", sign(key, b"spki", length=True)))
    print(c_string("DATA_AR", AR))
    print(c_string("DATA_ARC", arc_seal(key)))


if __name__ == "__main__":
    sys.exit(main())
