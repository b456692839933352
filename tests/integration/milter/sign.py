#!/usr/bin/env python3
# Signs a message with dkimpy (an independent DKIM implementation) for the tests, or with
# --arc adds an ARC set (RFC 8617) as a forwarder would: an Authentication-Results of the
# sealer with its arc verdict, then dkimpy's seal over it.
#   sign.py KEYFILE DOMAIN SELECTOR IN OUT [relaxed|simple]
#   sign.py --arc KEYFILE DOMAIN SELECTOR IN OUT [none|pass|fail]
import sys

import dkim


def main():
    arc = len(sys.argv) > 1 and sys.argv[1] == "--arc"
    args = sys.argv[2:] if arc else sys.argv[1:]
    key_file, domain, selector, src, dst = args[:5]
    with open(key_file, "rb") as f:
        key = f.read()
    with open(src, "rb") as f:
        msg = f.read().replace(b"\r\n", b"\n").replace(b"\n", b"\r\n")
    if arc:
        cv = args[5].encode() if len(args) > 5 else b"none"
        msg = b"Authentication-Results: " + domain.encode() + b"; arc=" + cv + b"\r\n" + msg
        head = b"".join(dkim.arc_sign(msg, selector.encode(), domain.encode(), key, domain.encode()))
    else:
        canon = args[5].encode() if len(args) > 5 else b"relaxed"
        head = dkim.sign(msg, selector.encode(), domain.encode(), key, canonicalize=(canon, canon),
                         include_headers=[b"from", b"to", b"subject", b"date", b"message-id"])
    with open(dst, "wb") as f:
        f.write(head + msg)


if __name__ == "__main__":
    main()
