"""What the dkimpy checks of dkim_sign.py and arc_seal.py share: the public keys `mxguard keygen`
wrote as zone-file records, served to dkimpy by a dnsfunc (no network), and messages read in
wire form (every line ending CRLF, the way dkimpy reads them)."""
import re


def load_records(paths):
    """{owner name, lower case without the final dot: the record's strings joined, as bytes}"""
    recs = {}
    for p in paths:
        text = open(p).read()
        owner = text.split()[0].rstrip(".").lower()
        recs[owner] = "".join(re.findall(r'"([^"]*)"', text)).encode()
    return recs


def dnsfunc(recs):
    """A dkimpy dnsfunc answering from recs (None for a name it does not hold)."""
    def lookup(name, timeout=5):
        return recs.get(name.decode().rstrip(".").lower())
    return lookup


def read_wire(path):
    """The message at path with every bare LF made CRLF."""
    with open(path, "rb") as f:
        return re.sub(rb"(?<!\r)\n", b"\r\n", f.read())
