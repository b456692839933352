#!/usr/bin/env python3
"""Writes the packed forms of the report fixtures in this folder, as receivers send them:
google.xml.gz (gzip), bis.zip (zip), yahoo.eml (a mail message with yahoo.xml.gz attached
in base64). Deterministic (fixed gzip/zip times), so re-running changes nothing."""
import base64, gzip, io, os, zipfile

here = os.path.dirname(os.path.abspath(__file__))

def read(name):
    with open(os.path.join(here, name), 'rb') as f:
        return f.read()

def write(name, data):
    with open(os.path.join(here, name), 'wb') as f:
        f.write(data)

def gz(data):
    return gzip.compress(data, mtime=0)

write('google.xml.gz', gz(read('google.xml')))
buf = io.BytesIO()
with zipfile.ZipFile(buf, 'w', zipfile.ZIP_DEFLATED) as z:
    z.writestr(zipfile.ZipInfo('receiver.example!example.com!1796342400!1796428800.xml',
                               (2026, 12, 6, 0, 0, 0)), read('bis.xml'), zipfile.ZIP_DEFLATED)
write('bis.zip', buf.getvalue())
att = base64.encodebytes(gz(read('yahoo.xml'))).decode().replace('\n', '\r\n')
name = 'yahoo.com!example.com!1796342400!1796428799.xml.gz'
eml = ('From: Yahoo DMARC <dmarchelp@yahooinc.com>\r\n'
       'To: dmarc@example.com\r\n'
       'Subject: Report Domain: example.com Submitter: Yahoo Report-ID: <1796400000.620118>\r\n'
       'Date: Sun, 6 Dec 2026 01:00:00 +0000\r\n'
       'MIME-Version: 1.0\r\n'
       'Content-Type: multipart/mixed; boundary="=_b1"\r\n'
       '\r\n'
       'This is a MIME message.\r\n'
       '--=_b1\r\n'
       'Content-Type: text/plain; charset=us-ascii\r\n'
       '\r\n'
       'This is an aggregate report from Yahoo.\r\n'
       '--=_b1\r\n'
       f'Content-Type: application/gzip; name="{name}"\r\n'
       'Content-Transfer-Encoding: base64\r\n'
       f'Content-Disposition: attachment;\r\n filename="{name}"\r\n'
       '\r\n' + att +
       '--=_b1--\r\n')
write('yahoo.eml', eml.encode())

# Hostile and broken reports (hostile/): each must be refused with the reason its name says.
os.makedirs(os.path.join(here, 'hostile'), exist_ok=True)

def hostile(name, data):
    write(os.path.join('hostile', name), data)

google = read('google.xml')
laughs = ''.join(f'<!ENTITY l{i} "&l{i-1};&l{i-1};&l{i-1};&l{i-1};&l{i-1};&l{i-1};&l{i-1};&l{i-1};&l{i-1};&l{i-1};">\n'
                 for i in range(1, 10))
hostile('billion-laughs.xml', ('<?xml version="1.0"?>\n<!DOCTYPE feedback [\n<!ENTITY l0 "lol">\n'
                               + laughs + ']>\n<feedback><report_metadata><org_name>&l9;</org_name>'
                               '</report_metadata></feedback>\n').encode())
hostile('xxe.xml', google.replace(b'<feedback>', b'<!DOCTYPE feedback [<!ENTITY x SYSTEM "file:///etc/passwd">]>\n<feedback>', 1)
        .replace(b'<org_name>google.com', b'<org_name>&x;', 1))
hostile('undeclared-entity.xml', google.replace(b'<org_name>google.com', b'<org_name>&x;', 1))
hostile('huge-count.xml', google.replace(b'<count>120<', b'<count>99999999999999999999<', 1))
hostile('deep.xml', google.replace(b'<extra_contact_info>', b'<x>' * 40 + b'</x>' * 40 + b'<extra_contact_info>', 1))
hostile('bad-ip.xml', google.replace(b'192.0.2.25', b'192.0.2.256', 1))
hostile('no-source-ip.xml', google.replace(b'<source_ip>198.51.100.7</source_ip>', b'', 1))
hostile('not-feedback.xml', b'<?xml version="1.0"?><html><body>hello</body></html>\n')
hostile('truncated.xml.gz', gz(google)[:300])
hostile('not-xml.gz', gz(b'this is not a report\n' * 10))
# 20 MiB of blanks inside the document: 20 KiB packed.
pad = b' ' * (20 * 1024 * 1024)
hostile('bomb.xml.gz', gz(google.replace(b'<feedback>', b'<feedback>' + pad, 1)))
buf = io.BytesIO()
with zipfile.ZipFile(buf, 'w', zipfile.ZIP_DEFLATED) as z:
    z.writestr(zipfile.ZipInfo('report.xml', (2026, 12, 6, 0, 0, 0)),
               google.replace(b'<feedback>', b'<feedback>' + pad, 1), zipfile.ZIP_DEFLATED)
hostile('bomb.zip', buf.getvalue())
# Under the size cap but thousands of times its packed size.
small_pad = b' ' * (6 * 1024 * 1024)
hostile('ratio.xml.gz', gz(google.replace(b'<feedback>', b'<feedback>' + small_pad, 1)))
hostile('wrong-type.eml', b'From: r@receiver.example\r\nTo: dmarc@example.com\r\nSubject: report\r\n'
        b'MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=x\r\n\r\n--x\r\n'
        b'Content-Type: text/plain\r\n\r\nsee attachment\r\n--x\r\nContent-Type: image/png; name=logo.png\r\n'
        b'Content-Transfer-Encoding: base64\r\n\r\niVBORw0KGgo=\r\n--x--\r\n')
hostile('zip-type-text.eml', b'From: r@receiver.example\r\nTo: dmarc@example.com\r\nSubject: report\r\n'
        b'MIME-Version: 1.0\r\nContent-Type: application/zip; name=report.zip\r\n\r\n'
        b'Hello, this is no zip archive.\r\n')
# The zip bomb again, its headers claiming 1000 bytes unpacked: the bound must not trust them.
lying = bytearray(read(os.path.join('hostile', 'bomb.zip')))
for sig, off in ((b'PK\x03\x04', 22), (b'PK\x01\x02', 24)):
    at = lying.find(sig)
    lying[at + off:at + off + 4] = (1000).to_bytes(4, 'little')
hostile('bomb-lying-size.zip', bytes(lying))
