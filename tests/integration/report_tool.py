#!/usr/bin/env python3
"""Reads what mxguard report send produced, for tests/integration/report-store.sh.

  report_tool.py records FILE.xml.gz    one line per <record>: "ip count disposition dkim spf
                                        reason", sorted, then "domain DOMAIN total N"
                                        (RFC 7489 or DMARCbis: the namespace is not looked at)
  report_tool.py attachment MAIL DIR    writes the .xml.gz attachment of a mail (an smtp-sink
                                        dump) into DIR, prints its file name and the Subject
"""
import email
import email.policy
import gzip
import os
import sys
import xml.etree.ElementTree as ET


def records(path):
    with gzip.open(path, "rb") as f:
        root = ET.fromstring(f.read())
    for el in root.iter():
        el.tag = el.tag.rsplit("}", 1)[-1]
    lines, total = [], 0
    for rec in root.findall("record"):
        row = rec.find("row")
        pe = row.find("policy_evaluated")
        reason = pe.find("reason/type")
        count = int(row.findtext("count"))
        total += count
        lines.append(" ".join([row.findtext("source_ip"), str(count), pe.findtext("disposition"),
                               pe.findtext("dkim"), pe.findtext("spf"),
                               reason.text if reason is not None else "-"]))
    for line in sorted(lines):
        print(line)
    print("domain", root.findtext("policy_published/domain"), "total", total)


def attachment(mail, outdir):
    with open(mail, "rb") as f:
        data = f.read()
    # smtp-sink's dump starts with its own X- lines; the message follows them.
    msg = email.message_from_bytes(data, policy=email.policy.default)
    for part in msg.walk():
        if part.get_content_type() == "application/gzip":
            name = part.get_filename()
            with open(os.path.join(outdir, name), "wb") as out:
                out.write(part.get_payload(decode=True))
            print(name)
            print(msg["Subject"])
            return 0
    print("no application/gzip part", file=sys.stderr)
    return 1


def main():
    if len(sys.argv) == 3 and sys.argv[1] == "records":
        records(sys.argv[2])
        return 0
    if len(sys.argv) == 4 and sys.argv[1] == "attachment":
        return attachment(sys.argv[2], sys.argv[3])
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main())
