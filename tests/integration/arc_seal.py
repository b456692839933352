#!/usr/bin/python3
"""Helper of tests/integration/arc-seal.sh: the message corpus, and dkimpy's ARC validation.

  arc_seal.py corpus DIR               writes the corpus to DIR, prints how many messages
  arc_seal.py verify WANT N RECORDS... -- MSGS
                                       arc_verify on each message, with a dnsfunc serving the
                                       keygen records given (no network): "ok - ..." when the
                                       chain result is WANT with N sets: pass, or "ended" (the
                                       newest seal says cv=fail and its AMS verifies)
"""
import sys

import dkim

from dkimpy_keys import dnsfunc, load_records, read_wire

BODIES = [
    b"",                                           # empty body after the empty line
    None,                                          # no empty line, no body
    b"Hello  world \r\n\r\n\r\n",                  # trailing blanks and empty lines
    b"x" * 900 + b"\r\n" + b"y " * 600 + b"\r\n",  # long lines
    "caf\u00e9 na\u00efve \u00fcber\r\n".encode("utf-8") + b"\xff\xfe 8-bit\r\n",
    b"line one\r\n\tindented\r\n  \r\nlast line without end",
]

HEADERS = [
    b"From: Alice <alice@origin.test>\r\nTo: list@hop1.test\r\nSubject: plain\r\n",
    b"From: \"Bob, B.\" <bob@origin.test>\r\nTo: a@hop1.test,\r\n\tb@hop1.test\r\n"
    b"Cc: c@hop1.test\r\nSubject: folded\r\n  over two lines\r\nDate: Mon, 07 Dec 2026 10:00:00 +0000\r\n"
    b"Message-ID: <m2@origin.test>\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n",
    b"Received: from a by b; Mon, 07 Dec 2026 10:00:00 +0000\r\nFROM:carol@origin.test\r\n"
    b"SUBJECT:  odd   spacing\t\r\nX-Long: " + b"v" * 300 + b"\r\n",
]


def write_corpus(d):
    n = 0
    for hi, hdr in enumerate(HEADERS):
        for bi, body in enumerate(BODIES):
            for lf in (False, True):
                msg = hdr if body is None else hdr + b"\r\n" + body
                if lf:
                    msg = msg.replace(b"\r\n", b"\n")
                with open("%s/m%d-%d-%s.eml" % (d, hi, bi, "lf" if lf else "crlf"), "wb") as f:
                    f.write(msg)
                n += 1
    print(n)


def verify(want, sets, recs, files):
    lookup = dnsfunc(recs)
    for path in files:
        msg = read_wire(path)
        try:
            cv, results, why = dkim.arc_verify(msg, dnsfunc=lookup)
        except Exception as e:  # a verifier exception is a failure to report, not a crash
            cv, results, why = b"exception", [], str(e)
        got = cv.decode() if isinstance(cv, bytes) else str(cv)
        if want == "pass":
            ok = got == want and len(results) == sets
        else:
            # A chain whose newest seal says cv=fail: dkimpy answers None ("the chain is
            # terminated", as ValiMail's suite expects), never pass. Its verifier hashes that seal
            # over every set, not the new set alone as RFC 8617 §5.1.2 (and dkimpy's own sealer)
            # has it, so as-valid is not asked; the newest message signature must verify.
            ok = (got in ("None", "fail") and len(results) == sets and results[0]["cv"] == b"fail"
                  and results[0]["ams-valid"])
        print("%s - dkimpy arc_verify: %s: %s (%d sets)%s"
              % ("ok" if ok else "not ok", path.rsplit("/", 1)[-1], got, len(results),
                 "" if ok else " want %s with %d: %s" % (want, sets, why)))


def main():
    if sys.argv[1] == "corpus":
        write_corpus(sys.argv[2])
    elif sys.argv[1] == "verify":
        sep = sys.argv.index("--")
        verify(sys.argv[2], int(sys.argv[3]), load_records(sys.argv[4:sep]), sys.argv[sep + 1:])
    else:
        sys.exit("usage: arc_seal.py corpus DIR | verify WANT N RECORDS... -- MSGS")


main()
