#!/usr/bin/python3
"""bench/dkim corpus: three typical messages (about 4 KB: a few Received fields, a text body),
signed by dkimpy with RSA-2048, with Ed25519, and with both; the key table for the verifiers;
the unsigned message (plain.eml) for the signing bench.
Also times dkimpy's own verifier on each: usage corpus.py WORKDIR SECONDS."""
import base64
import os
import subprocess
import sys
import time

import dkim
import nacl.signing

work, secs = sys.argv[1], float(sys.argv[2])
pem = os.path.join(work, "rsa.pem")
subprocess.run(["openssl", "genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048",
                "-out", pem], check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
der = subprocess.run(["openssl", "pkey", "-in", pem, "-pubout", "-outform", "DER"],
                     check=True, capture_output=True).stdout
rsa_priv = open(pem, "rb").read()
seed = bytes(range(32))
ed = nacl.signing.SigningKey(seed)
records = {
    b"rsa._domainkey.bench.example": b"v=DKIM1; k=rsa; p=" + base64.b64encode(der),
    b"ed._domainkey.bench.example": b"v=DKIM1; k=ed25519; p=" + base64.b64encode(bytes(ed.verify_key)),
}
with open(os.path.join(work, "keys.txt"), "wb") as f:
    for k, v in records.items():
        f.write(k + b" " + v + b"\n")

head = b"".join(b"Received: from relay%d.example (relay%d.example [192.0.2.%d])\r\n"
                b"\tby mx.bench.example with ESMTPS id %04d; Tue, 1 Dec 2026 12:00:%02d +0000\r\n"
                % (i, i, i, i * 7, i) for i in range(4))
head += (b"From: Bench Sender <sender@bench.example>\r\nTo: someone@else.example\r\n"
         b"Subject: quarterly figures and the plan for next week\r\n"
         b"Date: Tue, 1 Dec 2026 12:00:00 +0000\r\nMessage-ID: <bench.1@bench.example>\r\n"
         b"MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n")
line = b"The figures for the quarter are in the attached sheet; please check the totals.\r\n"
body = line * 40
msg = head + b"\r\n" + body
with open(os.path.join(work, "plain.eml"), "wb") as f:  # unsigned, for the signing bench
    f.write(msg)
hdrs = [b"from", b"to", b"subject", b"date", b"message-id", b"mime-version", b"content-type"]


def sign(m, alg, sel, key):
    return dkim.sign(m, sel, b"bench.example", key, canonicalize=(b"relaxed", b"relaxed"),
                     signature_algorithm=alg, include_headers=hdrs) + m


msgs = {
    "rsa2048": sign(msg, b"rsa-sha256", b"rsa", rsa_priv),
    "ed25519": sign(msg, b"ed25519-sha256", b"ed", base64.b64encode(seed)),
}
msgs["both"] = sign(msgs["ed25519"], b"rsa-sha256", b"rsa", rsa_priv)


def dnsfunc(name, timeout=5):
    return records.get(name.rstrip(b"."))


for name, m in msgs.items():
    with open(os.path.join(work, name + ".eml"), "wb") as f:
        f.write(m)
    nsig = m.count(b"DKIM-Signature:")
    n, t0 = 0, time.process_time()
    while time.process_time() - t0 < secs:
        for i in range(nsig):
            if not dkim.DKIM(m).verify(idx=i, dnsfunc=dnsfunc):
                sys.exit("dkimpy did not verify " + name)
        n += 1
    print("%s %d bytes dkimpy %.0f" % (name, len(m), n / (time.process_time() - t0)))
