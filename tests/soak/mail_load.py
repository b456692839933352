#!/usr/bin/env python3
# Sends numbered messages to Postfix over concurrent SMTP sessions (XCLIENT presents a client
# address) and records each one's fate, so that a test can count where every message is.
#   mail_load.py send OUT COUNT CONC [--kill PID --kill-after N]   messages 1..COUNT; with --kill,
#       SIGKILLs PID (a daemon this test started) once N messages were accepted, mid-run
#   mail_load.py retry IN OUT      resends the messages IN records as not accepted
#   --sign KEYFILE    DKIM-signs each message for aligned.auth.test, selector s1 (needs dkimpy)
# OUT gets one line per message: "ID accepted|deferred|refused|error CODE TEXT".
# Message-IDs are <mxg-load-ID@aligned.auth.test>; From is aligned.auth.test (SPF-aligned).
import argparse
import os
import signal
import smtplib
import sys
import threading

PORT = int(os.environ.get("MXG_PF_PORT", "2525"))
CLIENT = os.environ.get("MAIL_CLIENT", "192.0.2.10")


def message(i):
    return ("From: <bounce@aligned.auth.test>\r\nTo: <rcpt@example.test>\r\n"
            "Subject: load %d\r\nMessage-ID: <mxg-load-%d@aligned.auth.test>\r\n"
            "Date: Tue, 01 Dec 2026 21:00:00 +0000\r\n\r\n"
            "Message %d of a load run.\r\n" % (i, i, i)) + ("filler line for body size\r\n" * 40)


SIGN_KEY = None


def signed(msg):
    """msg with a relaxed/relaxed DKIM signature by aligned.auth.test (s1) when --sign is given."""
    if SIGN_KEY is None:
        return msg
    import dkim
    raw = msg.encode()
    sig = dkim.sign(raw, b"s1", b"aligned.auth.test", SIGN_KEY, canonicalize=(b"relaxed", b"relaxed"),
                    include_headers=[b"from", b"to", b"subject", b"date", b"message-id"])
    return (sig + raw).decode()


def send_one(i):
    try:
        s = smtplib.SMTP("127.0.0.1", PORT, timeout=60)
        try:
            s.ehlo("mx.sender.auth.test")
            code, msg = s.docmd("XCLIENT", "ADDR=%s NAME=[UNAVAILABLE]" % CLIENT)
            if code != 220:
                return "error", code, msg
            s.ehlo("mx.sender.auth.test")
            s.sendmail("bounce@aligned.auth.test", ["rcpt@example.test"], signed(message(i)))
            return "accepted", 250, b""
        finally:
            try:
                s.quit()
            except Exception:
                pass
    except smtplib.SMTPRecipientsRefused as e:
        code, msg = list(e.recipients.values())[0]
    except smtplib.SMTPResponseException as e:
        code, msg = e.smtp_code, e.smtp_error
    except (OSError, smtplib.SMTPException) as e:
        return "error", 0, repr(e).encode()
    return ("deferred" if 400 <= code < 500 else "refused"), code, msg


def run(ids, conc, out, kill=None, kill_after=0):
    lock = threading.Lock()
    results = {}
    queue = list(ids)
    state = {"accepted": 0, "killed": False}

    def worker():
        while True:
            with lock:
                if not queue:
                    return
                i = queue.pop(0)
            r = send_one(i)
            with lock:
                results[i] = r
                if r[0] == "accepted":
                    state["accepted"] += 1
                if kill and not state["killed"] and state["accepted"] >= kill_after:
                    state["killed"] = True
                    os.kill(kill, signal.SIGKILL)

    threads = [threading.Thread(target=worker) for _ in range(conc)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(600)
    with open(out, "w") as f:
        for i in sorted(results):
            st, code, msg = results[i]
            text = msg.decode("utf-8", "replace") if isinstance(msg, bytes) else str(msg)
            f.write("%d %s %d %s\n" % (i, st, code, " ".join(text.split())))
    counts = {}
    for st, _, _ in results.values():
        counts[st] = counts.get(st, 0) + 1
    print(" ".join("%s=%d" % kv for kv in sorted(counts.items())), "killed=%d" % state["killed"])


def main():
    p = argparse.ArgumentParser()
    p.add_argument("mode", choices=["send", "retry"])
    p.add_argument("args", nargs="+")
    p.add_argument("--kill", type=int)
    p.add_argument("--kill-after", type=int, default=0)
    p.add_argument("--conc", type=int, default=10)
    p.add_argument("--sign")
    a = p.parse_args()
    if a.sign:
        global SIGN_KEY
        with open(a.sign, "rb") as f:
            SIGN_KEY = f.read()
    if a.mode == "send":
        out, count, conc = a.args[0], int(a.args[1]), int(a.args[2])
        run(range(1, count + 1), conc, out, a.kill, a.kill_after)
    else:
        src, out = a.args
        ids = [int(line.split()[0]) for line in open(src) if line.split()[1] != "accepted"]
        run(ids, a.conc, out)


if __name__ == "__main__":
    sys.exit(main())
