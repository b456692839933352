#!/usr/bin/env python3
# A small SMTP client for the mail tests: one message, optional XCLIENT to present another
# client address, HELO name or SASL login, optional STARTTLS with a client certificate;
# prints the reply that decided the transaction.
import argparse
import smtplib
import ssl
import sys


def reply_text(code, msg):
    text = msg.decode("utf-8", "replace") if isinstance(msg, bytes) else str(msg)
    return "%d %s" % (code, " ".join(text.splitlines()))


def verdict(code):
    if 200 <= code < 300:
        return 0
    if 400 <= code < 500:
        return 4
    if 500 <= code < 600:
        return 5
    return 1


def xclient(s, args):
    attrs = ["ADDR=" + args.client]
    attrs.append("NAME=" + (args.client_name or "[UNAVAILABLE]"))
    if args.login:
        attrs.append("LOGIN=" + args.login)
    code, msg = s.docmd("XCLIENT", " ".join(attrs))
    if code != 220:
        return code, msg
    # XCLIENT restarts the session: the client must greet again.
    s.ehlo_resp = s.helo_resp = None
    s.esmtp_features = {}
    code, msg = s.ehlo(args.helo)
    return code, msg


def starttls(s, args):
    ctx = ssl.create_default_context()
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    if args.client_cert:
        ctx.load_cert_chain(args.client_cert, args.client_key)
    code, msg = s.starttls(context=ctx)
    if code != 220:
        return code, msg
    return s.ehlo(args.helo)


def transaction(s, args, body):
    code, msg = s.ehlo(args.helo)
    if code != 250:
        return code, msg
    if args.starttls:
        code, msg = starttls(s, args)
        if code != 250:
            return code, msg
    if args.client:
        code, msg = xclient(s, args)
        if code != 250:
            return code, msg
    code, msg = s.mail(args.sender)
    if code != 250:
        return code, msg
    accepted = 0
    last = (code, msg)
    for rcpt in args.to:
        code, msg = s.rcpt(rcpt)
        last = (code, msg)
        if code in (250, 251):
            accepted += 1
    if accepted == 0:
        return last
    code, msg = s.docmd("DATA")
    if code != 354:
        return code, msg
    # body has CRLF line ends (see main); stuff a dot at each line start (RFC 5321 §4.5.2).
    data = body
    if data.startswith(b"."):
        data = b"." + data
    data = data.replace(b"\r\n.", b"\r\n..")
    if not data.endswith(b"\r\n"):
        data += b"\r\n"
    s.send(data + b".\r\n")
    return s.getreply()


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--port", type=int, default=2525)
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--from", dest="sender", default="sender@example.test")
    p.add_argument("--to", action="append", default=[])
    p.add_argument("--helo", default="client.example.test")
    p.add_argument("--client")
    p.add_argument("--client-name")
    p.add_argument("--source", help="local address to connect from (an MTA without XCLIENT)")
    p.add_argument("--login")
    p.add_argument("--starttls", action="store_true", help="STARTTLS before the transaction")
    p.add_argument("--client-cert", help="PEM certificate to present after STARTTLS")
    p.add_argument("--client-key", help="its PEM private key")
    p.add_argument("--timeout", type=float, default=60)
    p.add_argument("file")
    args = p.parse_args()
    if not args.to:
        args.to = ["rcpt@example.test"]
    with open(args.file, "rb") as f:
        body = f.read()
    body = body.replace(b"\r\n", b"\n").replace(b"\n", b"\r\n")
    try:
        source = (args.source, 0) if args.source else None
        s = smtplib.SMTP(args.host, args.port, local_hostname=args.helo, timeout=args.timeout,
                         source_address=source)
        code, msg = transaction(s, args, body)
        try:
            s.quit()
        except smtplib.SMTPException:
            pass
    except (OSError, smtplib.SMTPException) as e:
        print("000 client error: %s" % e)
        return 1
    print(reply_text(code, msg))
    return verdict(code)


if __name__ == "__main__":
    sys.exit(main())
