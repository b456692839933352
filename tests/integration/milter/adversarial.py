#!/usr/bin/env python3
"""The adversarial corpus: forgeries of aligned.auth.test (DMARC p=reject) built on the From
ambiguities of "Composition Kills" (USENIX Security 2020), RFC 6376 §8 and RFC 7489 §12, and a
few legitimate messages beside them. Writes OUTDIR/NAME.eml and OUTDIR/cases.tsv, one line per
case: NAME IP HELO MAIL-FROM EXPECTED-ACTION MILTERTEST(yes|no) DESCRIPTION, where the action
is what mxguard-milter with its default settings must do (and mxguard dmarc must say).

    adversarial.py KEYDIR OUTDIR

KEYDIR holds aligned.pem and list.pem (the zone's DKIM keys, selector s1)."""
import base64
import os
import sys

import dkim

VICTIM = "aligned.auth.test"       # SPF ip4:192.0.2.10, DKIM s1, DMARC p=reject
ATTACKER = "list.auth.test"        # SPF ip4:192.0.2.20, DKIM s1, no DMARC
ATTACKER_IP = "192.0.2.20"
SIGNED = [b"from", b"to", b"subject", b"date", b"message-id"]


def crlf(text):
    if isinstance(text, str):
        text = text.encode("utf-8")
    return text.replace(b"\r\n", b"\n").replace(b"\n", b"\r\n")


def message(from_lines, extra=b"", body=b"Hello,\n\nthis is a test.\n", name="x"):
    """Header fields (each From line given whole, e.g. b"From: x@y"), then the usual others."""
    head = b"".join(crlf(f) + b"\r\n" for f in from_lines)
    head += crlf("To: rcpt@example.test\nSubject: test %s\nDate: Tue, 01 Dec 2026 20:00:00 +0000\n"
                 "Message-ID: <%s@auth.test>\n" % (name, name))
    return head + crlf(extra) + b"\r\n" + crlf(body)


def sign(msg, keydir, domain_label, length=False):
    with open(os.path.join(keydir, domain_label + ".pem"), "rb") as f:
        key = f.read()
    sig = dkim.sign(msg, b"s1", (domain_label + ".auth.test").encode(), key,
                    canonicalize=(b"relaxed", b"relaxed"), include_headers=SIGNED, length=length)
    return sig + msg


def b64word(text):
    return "=?utf-8?B?%s?=" % base64.b64encode(text.encode()).decode()


def cases(keydir):
    """(name, ip, helo, mail_from, expected action, miltertest-able, description, bytes)."""
    att = (ATTACKER_IP, "mx." + ATTACKER, "owner@" + ATTACKER)
    out = []

    def add(name, expect, desc, data, env=att, mt=True):
        out.append((name, env[0], env[1], env[2], expect, "yes" if mt else "no", desc, data))

    legit = sign(message([b"From: Alice <alice@" + VICTIM.encode() + b">"], name="legit"), keydir,
                 "aligned")
    add("legit-signed", "accept", "signed and aligned: delivered", legit,
        env=("192.0.2.10", "mx.sender.auth.test", "alice@" + VICTIM))
    add("attacker-own", "accept", "the attacker's own domain (no DMARC): delivered",
        message([b"From: a@" + ATTACKER.encode()], name="own"))
    add("plain", "reject", "unsigned From of a p=reject domain",
        message([b"From: Bank <alerts@" + VICTIM.encode() + b">"], name="plain"))
    add("two-from", "reject", "a second From field (attacker's first)",
        message([b"From: a@" + ATTACKER.encode(), b"From: x@" + VICTIM.encode()], name="two"))
    add("five-from", "reject", "five From fields, the victim's last (no cliff at 4)",
        message([b"From: a%d@%s" % (i, ATTACKER.encode()) for i in range(4)] +
                [b"From: x@" + VICTIM.encode()], name="five"))
    add("from-case", "reject", "a second field spelt FROM",
        message([b"From: a@" + ATTACKER.encode(), b"FROM: x@" + VICTIM.encode()], name="case"))
    add("from-blank-colon", "reject", "a second field with a blank before the colon",
        message([b"From: a@" + ATTACKER.encode(), b"From : x@" + VICTIM.encode()], name="blank"))
    values = [
        ("address-list", "a@%s, x@%s" % (ATTACKER, VICTIM), "two mailboxes in one field"),
        ("group", "Friends: x@%s, a@%s;" % (VICTIM, ATTACKER), "group syntax"),
        ("unbalanced-quote", "\"x@%s <a@%s>" % (VICTIM, ATTACKER), "an unclosed quoted string"),
        ("source-route", "<@%s:x@%s>" % (ATTACKER, VICTIM), "an obsolete source route"),
        ("bare-display", "x@%s <a@%s>" % (VICTIM, ATTACKER), "an address as an unquoted display name"),
        ("encoded-local", "%s@%s" % (b64word("x@" + VICTIM), ATTACKER), "an encoded word as local part"),
        ("unclosed-angle", "<x@%s" % VICTIM, "an unclosed angle address"),
        ("trailing-dot", "x@%s." % VICTIM, "the domain with a trailing dot"),
        ("upper-case", "x@%s" % VICTIM.upper(), "the domain in capitals (parses: same domain)"),
        ("comment-open", "(x@%s" % VICTIM, "an unclosed comment"),
    ]
    for name, value, desc in values:
        add(name, "reject", desc, message([b"From: " + value.encode()], name=name))
    add("bare-cr", "reject", "a bare CR inside the From value",
        message([b"From: x@" + VICTIM.encode() + b"\r<a@" + ATTACKER.encode() + b">"], name="cr"),
        mt=False)
    add("nul", "reject", "a NUL inside the From value (libmilter passes values as C strings)",
        message([b"From: x@" + VICTIM.encode() + b"\0<a@" + ATTACKER.encode() + b">"], name="nul"),
        mt=False)
    add("missing-from", "reject", "no From field", message([], name="missing"))
    add("empty-from", "reject", "an empty From field", message([b"From:"], name="empty"))
    add("continuation-first", "reject", "the header begins with a continuation line",
        b" " + message([b"From: x@" + VICTIM.encode()], name="cont"), mt=False)
    add("oversized-from", "reject", "a 20 KB display name (over the parser's limit)",
        message([b"From: \"" + b"A" * 20000 + b"\" <x@" + VICTIM.encode() + b">"], name="big"),
        mt=False)
    long_d = b"d" * 60
    sigs = b"".join(b"DKIM-Signature: v=1; a=rsa-sha256; d=%s%d.%s.example; s=%s%d; h=from;"
                    b" bh=AAAA; b=BBBB\n" % (long_d, i, long_d, long_d, i) for i in range(40))
    add("many-signatures", "reject", "40 bogus DKIM signatures with long names (A-R overflow)",
        message([b"From: x@" + VICTIM.encode()], extra=sigs, name="sigs"))
    add("forged-ar", "reject", "an A-R claiming our authserv-id says dmarc=pass",
        message([b"From: x@" + VICTIM.encode()], name="ar",
                extra=b"Authentication-Results: mta.mxguard.test; dmarc=pass header.from="
                + VICTIM.encode() + b"\n"))
    signed = sign(message([b"From: Alice <alice@" + VICTIM.encode() + b">"], name="replay"),
                  keydir, "aligned")
    add("replay-extra-subject", "reject", "a signed message with an unsigned second Subject",
        b"Subject: URGENT: wire the money today\r\n" + signed)
    add("replay-extra-to", "reject", "a signed message with an unsigned second To",
        b"To: everyone@example.test\r\n" + signed)
    add("replay-extra-from", "reject", "a signed message with an unsigned second From on top",
        b"From: boss@" + VICTIM.encode() + b"\r\n" + signed)
    short = sign(message([b"From: Alice <alice@" + VICTIM.encode() + b">"], name="ltag"), keydir,
                 "aligned", length=True)
    add("l-tag-tail", "reject", "l= signature with an unsigned tail appended to the body",
        short + b"\r\nPS: the account number changed, see http://attacker.example/\r\n")
    add("l-tag-exact", "accept", "l= signature covering the whole body: delivered", short,
        env=("192.0.2.10", "mx.sender.auth.test", "alice@" + VICTIM))
    add("third-party-signed", "reject", "signed only by the attacker's own domain",
        sign(message([b"From: x@" + VICTIM.encode()], name="third"), keydir, "list"))
    return out


def main():
    keydir, outdir = sys.argv[1], sys.argv[2]
    os.makedirs(outdir, exist_ok=True)
    with open(os.path.join(outdir, "cases.tsv"), "w") as tsv:
        for name, ip, helo, mail_from, expect, mt, desc, data in cases(keydir):
            with open(os.path.join(outdir, name + ".eml"), "wb") as f:
                f.write(data)
            tsv.write("\t".join((name, ip, helo, mail_from, expect, mt, desc)) + "\n")


if __name__ == "__main__":
    main()
