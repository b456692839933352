#!/usr/bin/env python3
# Signs a message with dkimpy (an independent DKIM implementation) for the milter tests:
#   sign.py KEYFILE DOMAIN SELECTOR IN OUT [relaxed|simple]
import sys

import dkim


def main():
    key_file, domain, selector, src, dst = sys.argv[1:6]
    canon = sys.argv[6].encode() if len(sys.argv) > 6 else b"relaxed"
    with open(key_file, "rb") as f:
        key = f.read()
    with open(src, "rb") as f:
        msg = f.read().replace(b"\r\n", b"\n").replace(b"\n", b"\r\n")
    sig = dkim.sign(msg, selector.encode(), domain.encode(), key,
                    canonicalize=(canon, canon),
                    include_headers=[b"from", b"to", b"subject", b"date", b"message-id"])
    with open(dst, "wb") as f:
        f.write(sig + msg)


if __name__ == "__main__":
    main()
