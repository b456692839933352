#!/usr/bin/env python3
# Load, reload and DNS-fault tests of mxguard-policyd over real sockets; prints ok/not ok lines
# and the count line. Modes:
#   policyd_load.py load CONNS REQUESTS RELOADS   CONNS persistent connections share REQUESTS
#       requests (DNS from the zone backend); RELOADS SIGHUPs with a broken file meanwhile.
#       Checks: every reply right, old rules kept, RSS flat, clean exit (and no leak under ASan).
#   policyd_load.py dns PORT...   one daemon per misbehaving DNS server: rules that need DNS defer.
# Environment: PD_BIN (the daemon), PD_WORK (scratch dir), MXG_ROOT.
import os
import signal
import sys
import threading
import time

sys.path.insert(0, os.path.join(os.environ["MXG_ROOT"], "tests", "integration"))
from policyd_client import Conn  # noqa: E402
from policyd_daemon import Daemon as PolicydDaemon, Tally  # noqa: E402

BIN = os.environ["PD_BIN"]
WORK = os.environ["PD_WORK"]
ZONE = os.path.join(os.environ["MXG_ROOT"], "tests", "data", "zones", "pd.test.zone")
T = Tally()
ok, require = T.ok, T.require

RULES = """trusted_networks = 127.0.0.0/8
domain.corp.pd.test.mx_bypass = reject
unroutable_sender = reject
broken_mx = defer
null_mx_sender = reject
"""


def Daemon(name, body):
    return PolicydDaemon(BIN, WORK, name, body)


# (request attributes, expected reply prefix): a mix of rules firing and passing.
MIX = [
    (dict(client_address="11.9.9.9"), "550 5.7.1 mxguard mx_bypass"),
    (dict(client_address="11.1.1.10"), "DUNNO"),
    (dict(client_address="11.1.1.10", sender="a@gone.pd.test"), "550 5.1.8 mxguard unroutable_sender"),
    (dict(client_address="11.1.1.10", sender="a@cname.pd.test"), "451 4.1.8 mxguard broken_mx"),
    (dict(client_address="11.1.1.10", sender="a@nullmx.pd.test"), "550 5.7.27 mxguard null_mx_sender"),
    (dict(client_address="127.0.0.1"), "DUNNO"),
]


def load(conns, requests, reloads):
    port = 10090
    body = "policy_listen = inet:127.0.0.1:%d\nmax_connections = %d\ndns_zone = %s\n%s" % (
        port, conns + 16, ZONE, RULES)
    d = Daemon("load", body)
    try:
        require(d.wait_log("ready"), "load: daemon ready")
        cs = []
        for _ in range(conns):
            cs.append(Conn(port, timeout=30))
        per = requests // conns
        bad = []
        done = [0] * conns
        rss = []

        def work(i):
            try:
                for k in range(per):
                    attrs, want = MIX[(i + k) % len(MIX)]
                    r = cs[i].ask(sender=attrs.get("sender", "s%d@good.pd.test" % i), **{
                        a: v for a, v in attrs.items() if a != "sender"})
                    if r is None or not r.startswith(want):
                        bad.append((i, k, r, want))
                        return
                    done[i] += 1
            except Exception as e:  # counted below
                bad.append((i, -1, repr(e), ""))

        threads = [threading.Thread(target=work, args=(i,)) for i in range(conns)]
        t0 = time.time()
        for t in threads:
            t.start()
        # Meanwhile: RSS samples, and reloads with a broken file (then the good one back).
        rss.append(d.rss_kb())
        for n in range(reloads):
            d.write(body + "broken_key_%d = 1\n" % n)
            d.p.send_signal(signal.SIGHUP)
            # Signals do not queue: wait for each reload before the next SIGHUP (ASan is slow).
            d.wait_log("reload failed, keeping the current rules", 30, n + 1)
            rss.append(d.rss_kb())
        d.write(body)
        for t in threads:
            t.join(300)
        elapsed = time.time() - t0
        rss.append(d.rss_kb())
        total = sum(done)
        ok(not bad and total == per * conns,
           "load: %d persistent connections, %d requests, every reply right (%.1f s, %.0f req/s)" % (
               conns, per * conns, elapsed, total / max(elapsed, 0.001)), "(%d bad, first %r)" % (len(bad), bad[:3]))
        if reloads:
            ok(d.text().count("reload failed, keeping the current rules") == reloads,
               "reload under load: %d broken files refused, old rules kept, no request failed" % reloads)
        # A second pass over the same connections: memory must not grow with requests served.
        before = d.rss_kb()
        bad.clear()
        done[:] = [0] * conns
        threads = [threading.Thread(target=work, args=(i,)) for i in range(conns)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(300)
        after = d.rss_kb()
        ok(not bad and sum(done) == per * conns, "load: second pass of %d requests, every reply right" % (per * conns))
        if os.environ.get("PD_SAN") == "1":
            # ASan keeps freed memory in quarantine: RSS says nothing here; leaks are checked at exit.
            print("# sanitizer build: RSS %d kB -> %d kB not judged" % (before, after))
        else:
            ok(after <= before + max(2048, before // 10),
               "load: RSS flat across the second pass (%d kB -> %d kB; samples %s)" % (before, after, rss))
        print("# figures: conns=%d requests=%d reloads=%d rss_kb_start=%d rss_kb_end=%d req_per_s=%.0f" % (
            conns, 2 * per * conns, reloads, rss[0], after, total / max(elapsed, 0.001)))
        for c in cs:
            c.close()
    finally:
        rc = d.stop()
    ok(rc == 0, "load: clean exit on SIGTERM (status %r)" % rc)
    text = d.text()
    ok("LeakSanitizer" not in text and "AddressSanitizer" not in text and "runtime error" not in text,
       "load: no sanitizer report (leaks, memory errors, UB) in the daemon's output", text[-1500:])


def dns(ports):
    for n, port in enumerate(ports):
        lport = 10100 + n
        d = Daemon("dns-%s" % port, "policy_listen = inet:127.0.0.1:%d\ndns_forwarders = 127.0.0.1@%s\n"
                   "dns_timeout = 1s\nrequest_timeout = 6s\nspf = reject\nspf_time_limit = 3s\n%s" % (lport, port, RULES))
        try:
            require(d.wait_log("ready"), "dns %s: daemon ready" % port)
            c = Conn(lport, timeout=30)
            r1 = c.ask(client_address="11.9.9.9")
            r2 = c.ask(client_address="11.1.1.10", sender="a@gone.pd.test", recipient="u@good.pd.test")
            r3 = c.ask(client_address="11.1.1.10", sender="a@good.pd.test", recipient="u@good.pd.test")
            rs = [r1, r2, r3]
            ok(all(r is not None and r.startswith("451 4.") for r in rs),
               "dns %s: mx_bypass, unroutable_sender and spf defer with 4xx, never reject" % port, repr(rs))
            c.close()
        finally:
            d.stop()


def main():
    if sys.argv[1] == "load":
        load(int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]))
    else:
        dns(sys.argv[2:])
    sys.exit(T.done())


if __name__ == "__main__":
    main()
