#!/usr/bin/python3
"""Differential test of mxguard's ARC chain validation against dkimpy (Debian python3-dkim).

Builds a seeded corpus of ARC chains of one to four hops with dkimpy's sealer (RSA keys of 2048
and 1024 bits, lists that change subject and body between hops, hops that say cv=fail), applies
one change that must or must not break the chain, validates each message with dkimpy and with
our driver, and requires the same chain result (pass, fail or none) for every message.

usage: arc_differential.py DRIVER WORKDIR [COUNT] [SEED]
"""
import base64
import os
import random
import re
import subprocess
import sys

import dkim

import differential

HOPS = [b"relay%d.example" % i for i in range(1, 5)]


def make_keys(work):
    """RSA keys made by openssl now, 2048 and 1024 bits (RFC 8617 seals with rsa-sha256 alone);
    every hop has a record for each."""
    keys, records = {}, {}
    for bits in (2048, 1024):
        pem = os.path.join(work, "arc-rsa%d.pem" % bits)
        subprocess.run(["openssl", "genpkey", "-algorithm", "RSA", "-pkeyopt",
                        "rsa_keygen_bits:%d" % bits, "-out", pem], check=True,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        der = subprocess.run(["openssl", "pkey", "-in", pem, "-pubout", "-outform", "DER"],
                             check=True, capture_output=True).stdout
        with open(pem, "rb") as f:
            keys[b"rsa%d" % bits] = f.read()
        for hop in HOPS:
            records[b"rsa%d._domainkey." % bits + hop] = b"v=DKIM1; k=rsa; p=" + base64.b64encode(der)
    return keys, records


def original():
    n = random.randint(1000, 99999)
    hdr = (b"From: Author %d <a%d@origin.example>\r\nTo: list@relay1.example\r\n"
           b"Subject: note %d\r\nDate: Tue, 1 Dec 2026 12:%02d:00 +0000\r\n"
           b"Message-ID: <%d@origin.example>\r\n" % (n, n, n, n % 60, n))
    lines = [b"line %d of the note" % i for i in range(random.randint(1, 12))]
    return hdr + b"\r\n" + b"\r\n".join(lines) + b"\r\n"


def split(msg):
    i = msg.index(b"\r\n\r\n")
    return msg[:i + 2], msg[i + 4:]


def list_changes(msg):
    """What a mailing list does before it seals: a subject tag, a footer, or nothing."""
    hdr, body = split(msg)
    r = random.random()
    if r < 0.3:
        hdr = hdr.replace(b"Subject: ", b"Subject: [list] ", 1)
    elif r < 0.5:
        body += b"-- \r\nlist footer\r\n"
    return hdr + b"\r\n" + body


def seal(msg, hop, keys, cv):
    """One hop: an Authentication-Results with the hop's arc verdict, then dkimpy's ARC set."""
    sel = random.choice(list(keys))
    msg = b"Authentication-Results: " + hop + b"; arc=" + cv + b"\r\n" + msg
    fields = dkim.arc_sign(msg, sel, hop, keys[sel], hop)
    return b"".join(fields) + msg, sel.decode()


def fields_of(hdr):
    return re.findall(rb"[^\r\n]+\r\n(?:[ \t][^\r\n]*\r\n)*", hdr)


def mutate(msg, n):
    """Returns (message, name) after one change to the sealed message."""
    m = random.choice(["none", "none", "none", "body-change", "subject-change", "add-top",
                       "add-bottom", "corrupt-seal", "drop-seal", "drop-aar", "seal-refold",
                       "move-seal", "dup-aar", "cv-to-fail", "drop-newest-set"])
    hdr, body = split(msg)
    f = fields_of(hdr)
    arc = lambda name, i: [k for k, x in enumerate(f) if x.lower().startswith(name) and
                           re.search(rb"\bi=%d;" % i, x)]
    k = random.randint(1, n)
    if m == "body-change":
        body = body.replace(b"line", b"lime", 1) if b"line" in body else body + b"x\r\n"
    elif m == "subject-change":
        f = [x.replace(b"note", b"n0te", 1) if x.startswith(b"Subject") else x for x in f]
    elif m == "add-top":
        f.insert(0, b"Received: from later.example by mx.example\r\n")
    elif m == "add-bottom":
        f.append(b"X-Scanned: yes\r\n")
    elif m == "corrupt-seal" and arc(b"arc-seal:", k):
        j = arc(b"arc-seal:", k)[0]
        p = f[j].index(b"b=") + 8
        f[j] = f[j][:p] + (b"A" if f[j][p:p + 1] != b"A" else b"B") + f[j][p + 1:]
    elif m == "drop-seal" and arc(b"arc-seal:", k):
        del f[arc(b"arc-seal:", k)[0]]
    elif m == "drop-aar" and arc(b"arc-authentication-results:", k):
        del f[arc(b"arc-authentication-results:", k)[0]]
    elif m == "seal-refold" and arc(b"arc-seal:", k):
        j = arc(b"arc-seal:", k)[0]
        f[j] = f[j].replace(b"; ", b";\r\n\t", 2)
    elif m == "move-seal" and arc(b"arc-seal:", k):
        f.append(f.pop(arc(b"arc-seal:", k)[0]))
    elif m == "dup-aar" and arc(b"arc-authentication-results:", k):
        f.insert(0, f[arc(b"arc-authentication-results:", k)[0]])
    elif m == "cv-to-fail" and n > 1:
        j = arc(b"arc-seal:", n)[0]
        f[j] = f[j].replace(b"cv=pass", b"cv=fail", 1)
    elif m == "drop-newest-set":
        drop = set(arc(b"arc-seal:", n) + arc(b"arc-message-signature:", n) +
                   arc(b"arc-authentication-results:", n))
        f = [x for i, x in enumerate(f) if i not in drop]
    else:
        m = "none"
    return b"".join(f) + b"\r\n" + body, m


def one_message(keys):
    msg = original()
    hops = random.choice([1, 1, 2, 2, 3, 4])
    algs = []
    for i in range(hops):
        if i > 0:
            msg = list_changes(msg)
        # Now and then a hop finds the chain broken and says so: its seal carries cv=fail.
        cv = b"none" if i == 0 else (b"fail" if random.random() < 0.05 else b"pass")
        msg, alg = seal(msg, HOPS[i], keys, cv)
        algs.append(alg)
    msg, m = mutate(msg, hops)
    return msg, "%d hops (%s); %s" % (hops, ", ".join(algs), m)


def dkimpy_verdict(msg, records):
    def dnsfunc(name, timeout=5):
        return records.get(name.rstrip(b"."))
    try:
        cv = dkim.arc_verify(msg, dnsfunc=dnsfunc)[0]
    except dkim.DKIMException:
        return "fail"
    return cv.decode() if cv is not None else "none"


def deviation(msg, mutation, theirs):
    """Where we deliberately differ from dkimpy: (our answer, the reason), or None."""
    seals = [x for x in fields_of(split(msg)[0]) if x.lower().startswith(b"arc-seal:")]
    if any(re.search(rb"cv=fail\b", x) for x in seals):
        if theirs == "fail":
            return None
        return "fail", ("RFC 8617 §5.2 steps 2 and 3: a seal with cv=fail fails the chain; "
                        "dkimpy gives no result")
    if mutation == "move-seal" and theirs == "fail":
        return "pass", ("RFC 8617 §5.1.1: a set is known by its i=, and a seal signs the sets in "
                        "instance order, not header order; dkimpy refuses a seal moved down")
    return None


def main():
    driver, work = sys.argv[1], sys.argv[2]
    count = int(sys.argv[3]) if len(sys.argv) > 3 else 200
    seed = int(sys.argv[4]) if len(sys.argv) > 4 else 8617
    random.seed(seed)
    keys, records = make_keys(work)
    table = differential.write_table(work, "arc-keys.txt", records)
    cases = []
    for n in range(count):
        msg, desc = one_message(keys)
        path = differential.write_message(work, "arc%03d.eml" % n, n, msg)
        theirs = dkimpy_verdict(msg, records)
        cases.append((path, desc, theirs, deviation(msg, desc.rsplit("; ", 1)[1], theirs)))
    ours = {f[0]: (f[2], f[6]) for f in differential.run_driver([driver, "--arc", table],
                                                                 [c[0] for c in cases])}
    passed = failed = 0
    tally = {}
    for path, desc, theirs, dev in cases:
        got, why = ours.get(path, ("missing", "-"))
        want = dev[0] if dev else theirs
        tally[want] = tally.get(want, 0) + 1
        note = " (deliberately not dkimpy's %s: %s)" % (theirs, dev[1]) if dev else ""
        if got == want:
            passed += 1
            print("ok - %s: %s (%s)%s" % (os.path.basename(path), got, desc, note))
        else:
            failed += 1
            print("not ok - %s: ours %s [%s], want %s (%s)%s" % (os.path.basename(path), got, why,
                                                                 want, desc, note))
    return differential.finish(passed, failed, tally.get("pass", 0) / max(1, count), 0.3, 0.85,
                               str(tally))


if __name__ == "__main__":
    sys.exit(main())
