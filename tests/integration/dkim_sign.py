"""Helper of dkim-sign.sh: writes the message corpus mxguard sign signs, and checks every
signature of signed messages with dkimpy (Debian python3-dkim), keys from keygen's records.
The corpus: hand-written shapes and GENERATED seeded random ones, each CRLF and LF.

  dkim_sign.py corpus DIR                 write the unsigned messages
  dkim_sign.py verify RECORDS... -- MSGS  print "ok - ..." / "not ok - ..." per signature
  dkim_sign.py records RECORDS...         check keygen's zone-file output (strings <= 255)
  dkim_sign.py split FILES                each NAME.dual.eml into NAME.rsa.eml and NAME.ed.eml
                                          (the other signature field taken out)
"""
import random
import re
import sys

import dkim

from dkimpy_keys import dnsfunc, load_records, read_wire

LONG = "x" * 1500


def messages():
    """(name, header lines, body lines): shapes a signer must get right."""
    base = [
        "From: Alice <alice@sign.test>",
        "To: Bob <bob@example.org>",
        "Subject: corpus message",
        "Date: Mon, 07 Dec 2026 10:00:00 +0000",
        "Message-ID: <%s@sign.test>",
    ]
    mime = ["MIME-Version: 1.0", "Content-Type: text/plain; charset=utf-8",
            "Content-Transfer-Encoding: 8bit"]
    yield "plain", base, ["Hello,", "", "a short body.", "-- ", "Alice"]
    yield "empty-body", base, []
    yield "blank-lines-only", base, ["", "", ""]
    yield "trailing-blank-lines", base, ["text", "", "", ""]
    yield "whitespace", base, ["  lead and  inner\tspace  ", "\t", "end \t "]
    yield "long-line", base, [LONG, "short", LONG + " " + LONG]
    yield "8bit", base + mime, ["Grüße aus Köln — ünïcödé", "日本語のテキスト", "\xa0nbsp"]
    yield "folded-subject", base[:2] + ["Subject: a subject folded\n\tover two lines  with  space"] + base[3:], ["body"]
    yield "resent", base + ["Resent-From: r@sign.test", "Resent-Date: Mon, 07 Dec 2026 11:00:00 +0000",
                            "Resent-To: d@example.org"], ["resent"]
    yield "list-fields", base + ["List-Id: <list.sign.test>", "List-Unsubscribe: <mailto:u@sign.test>",
                                 "List-Post: <mailto:l@sign.test>"], ["list mail"]
    yield "reply-cc", base + ["Reply-To: r@sign.test", "Cc: c@example.org", "In-Reply-To: <0@x>",
                              "References: <0@x>"], ["reply"]
    yield "no-final-newline", base, ["last line without line end"]
    yield "case-names", ["FROM: alice@sign.test", "subject:   lower case name", "tO: bob@example.org", "dAtE: Mon, 07 Dec 2026 10:00:00 +0000"], ["x"]
    yield "dots", base, [".", "..leading dots", "."]
    yield "many-received", ["Received: from a by b; Mon, 07 Dec 2026 10:00:00 +0000"] * 5 + base, ["r"]


# How many generated shapes join the hand-written ones (each written CRLF and LF).
GENERATED = 100


def generated():
    """Seeded random header and body shapes: field order, extra and repeated fields, folds,
    blanks and tabs, empty values, long and 8-bit lines, trailing blank lines, no final EOL."""
    rnd = random.Random(8463)
    words = ["alpha", "beta", "gamma", "Grüße", "naïve", "x" * 90, "tab\tin", "  two  spaces "]
    for i in range(GENERATED):
        hdr = ["From: %s <a%d@sign.test>" % (rnd.choice(["Alice", '"Q. Alice"', "Ålice"]), i),
               "To: b%d@example.org" % i, "Subject: generated %d %s" % (i, rnd.choice(words)),
               "Date: Mon, 07 Dec 2026 10:%02d:00 +0000" % (i % 60)]
        for _ in range(rnd.randrange(0, 6)):
            name = rnd.choice(["X-Extra", "Received", "Cc", "Reply-To", "X-Long", "X-Empty",
                               "Content-Type", "MIME-Version", "List-Id", "Message-ID"])
            if name in ("Cc", "Reply-To", "Message-ID") and any(h.startswith(name + ":") for h in hdr):
                continue
            if name == "X-Empty":
                hdr.append("X-Empty:")
            elif name == "X-Long":
                parts = [" ".join(rnd.choice(words) for _ in range(rnd.randrange(1, 12)))
                         for _ in range(rnd.randrange(1, 5))]
                hdr.append("X-Long: " + "\n\t".join(parts))
            else:
                hdr.append("%s: %s%s" % (name, rnd.choice(["", " ", "\t"]),
                                         " ".join(rnd.choice(words) for _ in range(rnd.randrange(1, 6)))))
        rnd.shuffle(hdr)
        body = []
        for _ in range(rnd.randrange(0, 12)):
            kind = rnd.randrange(6)
            if kind == 0:
                body.append("")
            elif kind == 1:
                body.append("y" * rnd.randrange(200, 2000))
            elif kind == 2:
                body.append(rnd.choice(words) + rnd.choice(["", " ", "\t", "  \t "]))
            else:
                body.append(" ".join(rnd.choice(words) for _ in range(rnd.randrange(1, 15))))
        if body and rnd.randrange(3) == 0:
            body += [""] * rnd.randrange(1, 4)
        yield "gen%03d" % i, hdr, body


def write_corpus(d):
    n = 0
    for name, hdr, body in list(messages()) + list(generated()):
        for eol in ("crlf", "lf"):
            nl = "\r\n" if eol == "crlf" else "\n"
            lines = [h.replace("%s", name) for h in hdr]
            text = nl.join(l.replace("\n", nl) for l in lines) + nl + nl
            text += nl.join(body)
            if body and name != "no-final-newline" and not (name.startswith("gen") and len(body) % 5 == 4):
                text += nl
            with open("%s/%s-%s.eml" % (d, name, eol), "wb") as f:
                f.write(text.encode("utf-8"))
            n += 1
    print(n)


def check_records(paths):
    bad = 0
    for p in paths:
        text = open(p).read()
        strings = re.findall(r'"([^"]*)"', text)
        ok = (re.match(r'^[a-z0-9]+\._domainkey\.sign\.test\. IN TXT \(', text) and strings
              and all(len(s.encode()) <= 255 for s in strings)
              and "".join(strings).startswith("v=DKIM1; k="))
        print("%s - keygen record %s: zone-file form, %d strings of <= 255 bytes"
              % ("ok" if ok else "not ok", p.rsplit("/", 1)[-1], len(strings)))
        bad += not ok
    return bad


def verify(recs, files):
    lookup = dnsfunc(recs)
    for path in files:
        msg = read_wire(path)
        try:
            d = dkim.DKIM(msg)
        except Exception as e:
            print("not ok - dkimpy: %s: cannot parse: %s" % (path.rsplit("/", 1)[-1], e))
            continue
        n = sum(1 for h in msg.split(b"\r\n\r\n", 1)[0].split(b"\r\n")
                if h.lower().startswith(b"dkim-signature:"))
        for i in range(n):
            try:
                ok = d.verify(idx=i, dnsfunc=lookup)
            except Exception as e:  # a verifier exception is a failure to report, not a crash
                ok = False
                print("# %s" % e)
            print("%s - dkimpy: %s signature %d" % ("ok" if ok else "not ok", path.rsplit("/", 1)[-1], i + 1))


def split(files):
    """A dual-signed message less one of its signature fields is signed by the other key alone
    (a DKIM-Signature field is never among the fields h= covers)."""
    for path in files:
        msg = open(path, "rb").read()
        nl = b"\r\n" if b"\r\n" in msg else b"\n"
        head, sep, body = msg.partition(nl + nl)
        fields = re.split(b"(?:" + re.escape(nl) + b")(?=[^ \t])", head)
        for alg, keep in (("rsa", b"a=rsa-sha256"), ("ed", b"a=ed25519-sha256")):
            out = [f for f in fields if not f.lower().startswith(b"dkim-signature:") or keep in f]
            with open(path.replace(".dual.eml", ".%s.eml" % alg), "wb") as f:
                f.write(nl.join(out) + sep + body)


def main():
    if sys.argv[1] == "corpus":
        write_corpus(sys.argv[2])
    elif sys.argv[1] == "split":
        split(sys.argv[2:])
    elif sys.argv[1] == "records":
        sys.exit(1 if check_records(sys.argv[2:]) else 0)
    else:
        sep = sys.argv.index("--")
        verify(load_records(sys.argv[2:sep]), sys.argv[sep + 1:])


main()
