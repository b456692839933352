#!/usr/bin/python3
"""Differential test of mxguard's DKIM verifier against dkimpy (Debian python3-dkim).

Generates a seeded corpus of messages (header folding, whitespace, both canonicalizations,
ed25519 and rsa-2048, oversigned fields, l=), signs each with dkimpy, applies a mutation
that must or must not break the signature, verifies with dkimpy and with our driver,
and requires the same verdict (pass / not pass) for every signature, except where we
deliberately differ: a once-only field (RFC 5322 §3.6) with an unsigned extra instance
fails the signature (RFC 6376 §8.15); dkimpy checks only From.

usage: dkim_differential.py DRIVER WORKDIR [COUNT] [SEED]
"""
import base64
import os
import random
import re
import subprocess
import sys

import dkim
import nacl.encoding
import nacl.signing

import differential

DOMAIN = b"diff.example"
WORDS = [b"alpha", b"beta", b"gamma", b"delta", b"mail", b"report", b"Q3", b"lunch",
         b"=?utf-8?q?caf=C3=A9?=", b"(comment)", b"<x@y.z>", b"\"quoted words\""]


def make_keys(work):
    """An RSA-2048 key (made by openssl now) and an Ed25519 key from the seeded RNG."""
    pem = os.path.join(work, "rsa.pem")
    subprocess.run(["openssl", "genpkey", "-algorithm", "RSA", "-pkeyopt",
                    "rsa_keygen_bits:2048", "-out", pem], check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    der = subprocess.run(["openssl", "pkey", "-in", pem, "-pubout", "-outform", "DER"],
                         check=True, capture_output=True).stdout
    with open(pem, "rb") as f:
        rsa_priv = f.read()
    seed = bytes(random.getrandbits(8) for _ in range(32))
    ed = nacl.signing.SigningKey(seed)
    records = {
        b"rsa._domainkey." + DOMAIN: b"v=DKIM1; k=rsa; p=" + base64.b64encode(der),
        b"ed._domainkey." + DOMAIN: b"v=DKIM1; k=ed25519; p=" + base64.b64encode(bytes(ed.verify_key)),
    }
    keys = {
        b"rsa-sha256": (b"rsa", rsa_priv),
        b"ed25519-sha256": (b"ed", base64.b64encode(seed)),
    }
    return keys, records


def words(n):
    return b" ".join(random.choice(WORDS) for _ in range(n))


def fold(name, value):
    """A header field with random inner whitespace and random folds (CRLF + SP or HTAB)."""
    parts = value.split(b" ")
    out = name + b":" + random.choice([b" ", b" ", b"  ", b"\t", b""])
    for i, p in enumerate(parts):
        if i:
            r = random.random()
            if r < 0.2:
                out += b"\r\n" + random.choice([b" ", b"\t", b"   "])
            elif r < 0.35:
                out += random.choice([b"  ", b"\t", b" \t "])
            else:
                out += b" "
        out += p
    if random.random() < 0.15:
        out += random.choice([b" ", b"\t"])  # trailing whitespace
    return out + b"\r\n"


def headers():
    n = random.randint(1000, 99999)
    fields = [
        (b"Received", b"from relay%d.example by mx.diff.example with ESMTP id %d" % (n % 7, n)),
        (b"From", b"Sender %d <s%d@diff.example>" % (n, n)),
        (b"To", b"rcpt@else.example"),
        (b"Subject", words(random.randint(1, 9))),
        (b"Date", b"Tue, 1 Dec 2026 12:%02d:00 +0000" % (n % 60)),
        (b"Message-ID", b"<%d.%d@diff.example>" % (n, random.randint(0, 999))),
    ]
    if random.random() < 0.5:
        fields.append((b"Cc", words(3)))
    if random.random() < 0.4:
        fields.append((b"X-Mailer", words(2)))
    out = []
    for name, value in fields:
        if random.random() < 0.1:
            name = name.upper() if random.random() < 0.5 else name.lower()
        out.append(fold(name, value))
    return out


def body():
    kind = random.random()
    if kind < 0.05:
        return b""
    lines = []
    for _ in range(random.randint(1, 40)):
        r = random.random()
        if r < 0.15:
            lines.append(b"")
        elif r < 0.3:
            lines.append(words(random.randint(1, 12)) + random.choice([b" ", b"\t", b"  \t"]))
        elif r < 0.4:
            lines.append(random.choice([b" ", b"\t"]) + words(4).replace(b" ", b"  "))
        else:
            lines.append(words(random.randint(1, 15)))
    text = b"\r\n".join(lines)
    if random.random() < 0.85:
        text += b"\r\n" * random.randint(1, 3)
    return smtp_body(text)


def smtp_body(text):
    """A body that does not end in CRLF (impossible over SMTP, RFC 5321 §4.1.1.4) must not end
    in whitespace either: there dkimpy keeps the last line's trailing WSP under relaxed
    canonicalization, while RFC 6376 §3.4.4 ignores all WSP at the end of lines."""
    return text if text.endswith(b"\r\n") else text.rstrip(b" \t")


def sign_headers(fields):
    names = [f.split(b":", 1)[0].lower() for f in fields]
    chosen = [n for n in names if n != b"received" and (n == b"from" or random.random() < 0.8)]
    if random.random() < 0.35:  # oversign: list some fields once more than they occur
        chosen += random.sample([b"from", b"subject", b"to", b"reply-to", b"date"], 2)
    random.shuffle(chosen)
    return chosen


def mutate(hdr, sigs, bod, canon):
    """Returns (headers, signature fields, body, name) after one change, breaking or not."""
    m = random.choice([
        "none", "none", "add-unsigned-bottom", "add-received-top", "refold", "header-case",
        "body-wsp", "body-trailing-lines", "body-append", "body-change", "subject-change",
        "second-subject-bottom", "second-subject-top", "second-from-top", "drop-signed",
        "sig-b-corrupt", "sig-bh-corrupt", "sig-refold", "body-crlf-tail",
    ])
    hdr = list(hdr)
    if m == "add-unsigned-bottom":
        hdr.append(b"X-Added: after signing\r\n")
    elif m == "add-received-top":
        sigs = [b"Received: from later.example by mx2.example\r\n"] + sigs
    elif m == "refold":
        i = random.randrange(len(hdr))
        name, value = hdr[i].split(b":", 1)
        hdr[i] = name + b":" + value.replace(b" ", b"\r\n\t", 1) if b" " in value.strip() else hdr[i]
    elif m == "header-case":
        i = random.randrange(len(hdr))
        name, value = hdr[i].split(b":", 1)
        hdr[i] = name.swapcase() + b":" + value
    elif m == "body-wsp":
        bod = bod.replace(b" ", b" \t ", 1) if b" " in bod else bod + b"tail\r\n"
    elif m == "body-trailing-lines":
        bod = bod + b"\r\n\r\n" if bod.endswith(b"\r\n") or not bod else bod
    elif m == "body-append":
        bod = bod + b"appended by a list\r\n"
    elif m == "body-change":
        bod = bod.replace(b"a", b"o", 1) if b"a" in bod else bod + b"x\r\n"
    elif m == "body-crlf-tail":
        bod = smtp_body(bod.rstrip(b"\r\n"))
    elif m == "subject-change":
        hdr = [h.replace(b"a", b"e", 1) if h.lower().startswith(b"subject") else h for h in hdr]
    elif m == "second-subject-bottom":
        hdr.append(b"Subject: second subject\r\n")
    elif m == "second-subject-top":
        sigs = [b"Subject: second subject\r\n"] + sigs
    elif m == "second-from-top":
        sigs = [b"From: forged@attacker.example\r\n"] + sigs
    elif m == "drop-signed":
        hdr = [h for h in hdr if not h.lower().startswith(b"to:")]
    elif m == "sig-b-corrupt":
        s = sigs[-1]
        i = s.rindex(b"b=") + 6
        sigs = sigs[:-1] + [s[:i] + (b"A" if s[i:i + 1] != b"A" else b"B") + s[i + 1:]]
    elif m == "sig-bh-corrupt":
        s = sigs[-1]
        i = s.index(b"bh=") + 5
        sigs = sigs[:-1] + [s[:i] + (b"A" if s[i:i + 1] != b"A" else b"B") + s[i + 1:]]
    elif m == "sig-refold":
        s = sigs[-1]
        sigs = sigs[:-1] + [s.replace(b"; ", b";\r\n\t", 2)]
    return hdr, sigs, bod, m


def one_message(keys):
    hdr = headers()
    bod = body()
    algs = random.sample(list(keys), random.choice([1, 1, 2]))
    sigs = []
    params = []
    for alg in algs:
        canon = (random.choice([b"simple", b"relaxed"]), random.choice([b"simple", b"relaxed"]))
        length = random.random() < 0.2
        sel, priv = keys[alg]
        msg = b"".join(hdr) + b"\r\n" + bod
        sig = dkim.sign(msg, sel, DOMAIN, priv, canonicalize=canon, signature_algorithm=alg,
                        include_headers=sign_headers(hdr), length=length)
        sigs.insert(0, sig)
        params.append("%s %s/%s%s" % (alg.decode(), canon[0].decode(), canon[1].decode(),
                                      " l=" if length else ""))
    hdr, sigs, bod, m = mutate(hdr, sigs, bod, None)
    return b"".join(sigs) + b"".join(hdr) + b"\r\n" + bod, len(algs), "%s; %s" % (m, ", ".join(params))


def dkimpy_verdicts(msg, nsigs, records):
    def dnsfunc(name, timeout=5):
        return records.get(name.rstrip(b"."))
    out = []
    for i in range(nsigs):
        try:
            d = dkim.DKIM(msg)
            out.append("pass" if d.verify(idx=i, dnsfunc=dnsfunc) else "not-pass")
        except dkim.DKIMException:
            out.append("not-pass")
    return out


# RFC 5322 §3.6: the fields a message has once at most.
ONCE_ONLY = {b"from", b"sender", b"reply-to", b"to", b"cc", b"bcc", b"message-id", b"in-reply-to",
             b"references", b"subject", b"date"}


def unsigned_extra(msg, idx):
    """The once-only field name that signature idx (from the top) lists in h= fewer times than
    the message has it, or None. We fail such a signature (RFC 6376 §8.15): the extra instance
    is unsigned and may be the one a reader sees. dkimpy checks From only."""
    hdr = msg[:msg.index(b"\r\n\r\n") + 2]
    fields = re.findall(rb"[^\r\n]+\r\n(?:[ \t][^\r\n]*\r\n)*", hdr)
    names = [f.split(b":", 1)[0].rstrip(b" \t").lower() for f in fields]
    sigs = [f for f, n in zip(fields, names) if n == b"dkim-signature"]
    h = re.search(rb"(?:^|;)\s*h\s*=([^;]*)", sigs[idx].split(b":", 1)[1])
    listed = [x.strip().lower() for x in re.sub(rb"\s+", b"", h.group(1)).split(b":")]
    for name in ONCE_ONLY:
        if 0 < listed.count(name) < names.count(name):
            return name.decode()
    return None


def wanted(msg, theirs):
    """dkimpy's verdicts, with ours where we deliberately differ; and a note saying why."""
    want, notes = [], []
    for i, v in enumerate(theirs):
        extra = unsigned_extra(msg, i) if v == "pass" else None
        want.append("not-pass" if extra else v)
        if extra:
            notes.append("#%d: unsigned extra %s field (RFC 6376 §8.15), dkimpy passes" % (i, extra))
    return want, (" (deliberately not dkimpy's: %s)" % "; ".join(notes)) if notes else ""


def main():
    driver, work = sys.argv[1], sys.argv[2]
    count = int(sys.argv[3]) if len(sys.argv) > 3 else 300
    seed = int(sys.argv[4]) if len(sys.argv) > 4 else 8463
    random.seed(seed)
    keys, records = make_keys(work)
    table = differential.write_table(work, "keys.txt", records)
    cases = []
    for n in range(count):
        msg, nsigs, desc = one_message(keys)
        path = differential.write_message(work, "m%03d.eml" % n, n, msg)
        cases.append((path, desc) + wanted(msg, dkimpy_verdicts(msg, nsigs, records)))
    ours = {}
    for f in differential.run_driver([driver, table], [c[0] for c in cases]):
        ours.setdefault(f[0], []).append((f[2], f[6]))
    passed = failed = 0
    tally = {"pass": 0, "not-pass": 0}
    for path, desc, theirs, note in cases:
        mine = ours.get(path, [])
        got = ["pass" if r == "pass" else "not-pass" for r, _ in mine]
        for v in theirs:
            tally[v] += 1
        if got == theirs:
            passed += 1
            print("ok - %s: %s (%s)%s" % (os.path.basename(path), " ".join(got), desc, note))
        else:
            failed += 1
            print("not ok - %s: ours %s, want %s (%s)%s" % (os.path.basename(path), mine, theirs, desc,
                                                             note))
    share = tally["pass"] / max(1, tally["pass"] + tally["not-pass"])
    return differential.finish(passed, failed, share, 0.25, 0.85,
                               "%d pass, %d not-pass" % (tally["pass"], tally["not-pass"]))


if __name__ == "__main__":
    sys.exit(main())
