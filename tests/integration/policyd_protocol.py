#!/usr/bin/env python3
# Protocol-level tests of mxguard-policyd: starts the daemon (DNS from NSD via libunbound),
# talks to it over TCP and unix sockets and prints "ok"/"not ok" lines and the count line.
import os
import re
import select
import signal
import subprocess
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from policyd_client import Conn, request_bytes  # noqa: E402
from policyd_daemon import Daemon as PolicydDaemon, Tally, wait_file  # noqa: E402

BIN = os.environ["PD_BIN"]
WORK = os.environ["PD_WORK"]
DNS = os.environ["PD_DNS"]
PORT, SMAP = 10040, 10041
UNIX = os.path.join(WORK, "policyd.sock")
ZONE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "../data/zones/pd.test.zone")
T = Tally()
ok, eq, starts, require = T.ok, T.eq, T.starts, T.require


RULES = """
domain.corp.pd.test.mx_bypass = reject
subdomains.corp.pd.test.mx_bypass = defer
trusted_networks = 127.0.0.0/8
unroutable_sender = reject
broken_mx = defer
recipient_delimiter = +
route = alice@hybrid.pd.test smtp:[127.0.0.1]:2528
route = hybrid.pd.test smtp:[127.0.0.1]:2527
route = * smtp:[127.0.0.1]:2526
domain.hybrid.pd.test.fully_mapped = reject
domain.warn.pd.test.mx_bypass = reject
domain.warn.pd.test.warn_only = yes
connector.m365.networks = 13.0.0.0/8
connector.m365.cert_fingerprint = AA:BB:CC
"""


def Daemon(name, body):
    return PolicydDaemon(BIN, WORK, name, body)


def header(extra=""):
    return ("policy_listen = inet:127.0.0.1:%d, unix:%s\nsocketmap_listen = inet:127.0.0.1:%d\n"
            "dns_forwarders = %s\ndns_timeout = 5s\n%s" % (PORT, UNIX, SMAP, DNS, extra))


def test_rules(c):
    starts(c.ask(client_address="11.9.9.9"), "550 5.7.1 mxguard mx_bypass: corp.pd.test accepts mail only through its MX hosts",
           "mx_bypass: a client that is not an MX host of corp is rejected")
    eq(c.ask(client_address="11.1.1.10"), "DUNNO", "mx_bypass: the MX host gw1 passes")
    eq(c.ask(client_address="2a00:1450::11"), "DUNNO", "mx_bypass: the MX host gw2 passes over IPv6")
    eq(c.ask(client_address="127.0.0.1"), "DUNNO", "mx_bypass: a trusted network passes")
    starts(c.ask(client_address="11.9.9.9", recipient="u@x.corp.pd.test"), "451 4.7.1 mxguard mx_bypass",
           "mx_bypass: a subdomain section defers")
    starts(c.ask(client_address="11.9.9.9", recipient="u@warn.pd.test"), "WARN mxguard mx_bypass: would reject",
           "warn_only: per-domain rollout turns the reject into a warning")
    starts(c.ask(client_address="13.1.1.1"), "550 5.7.1 mxguard connector: client 13.1.1.1 of connector m365 must use TLS",
           "connector: no TLS is rejected")
    starts(c.ask(client_address="13.1.1.1", encryption_protocol="TLSv1.3", ccert_fingerprint="00:11"),
           "550 5.7.1 mxguard connector: client 13.1.1.1 of connector m365 did not present the expected certificate",
           "connector: the wrong certificate is rejected")
    eq(c.ask(client_address="13.1.1.1", encryption_protocol="TLSv1.3", ccert_fingerprint="AA:BB:CC"), "DUNNO",
       "connector: TLS with the expected fingerprint passes (and bypasses the MX check)")
    starts(c.ask(sender="a@nullmx.pd.test", client_address="11.1.1.10"), "550 5.7.27 mxguard null_mx_sender",
           "null_mx_sender: 550 5.7.27")
    starts(c.ask(recipient="u@nullmx.pd.test", client_address="11.1.1.10"), "556 5.1.10 mxguard null_mx_recipient",
           "null_mx_recipient: 556 5.1.10 for relayed mail")
    starts(c.ask(sender="a@gone.pd.test", client_address="11.1.1.10"),
           "550 5.1.8 mxguard unroutable_sender: sender domain gone.pd.test does not exist",
           "unroutable_sender: NXDOMAIN is 550 5.1.8")
    starts(c.ask(sender="a@nomail.pd.test", client_address="11.1.1.10"), "550 5.1.8 mxguard unroutable_sender",
           "unroutable_sender: no MX and no address is 550 5.1.8")
    starts(c.ask(sender="a@cname.pd.test", client_address="11.1.1.10"), "451 4.1.8 mxguard broken_mx",
           "broken_mx: an MX alias defers")
    starts(c.ask(sender="a@ipliteral.pd.test", client_address="11.1.1.10"), "451 4.1.8 mxguard broken_mx",
           "broken_mx: an IP-literal MX defers")
    eq(c.ask(sender="a@implicit.pd.test", client_address="11.1.1.10"), "DUNNO", "an implicit-MX sender passes")
    eq(c.ask(sender="", client_address="11.1.1.10"), "DUNNO", "the null sender passes")
    starts(c.ask(recipient="bob@hybrid.pd.test", client_address="11.1.1.10"), "550 5.1.1 mxguard fully_mapped",
           "fully_mapped: an unknown recipient is rejected")
    eq(c.ask(recipient="alice+x@hybrid.pd.test", client_address="11.1.1.10"), "DUNNO",
       "fully_mapped: a routed recipient (with extension) passes")


def test_states(c):
    for st in ["CONNECT", "EHLO", "HELO", "MAIL", "RCPT", "DATA", "END-OF-MESSAGE", "VRFY", "ETRN", "BOGUS"]:
        r = c.ask(protocol_state=st, client_address="11.1.1.10")
        eq(r, "DUNNO", "protocol_state=%s gets a reply" % st)
    starts(c.ask(protocol_state="CONNECT", client_address="13.1.1.1"), "550 5.7.1 mxguard connector",
           "connector applies at CONNECT")
    starts(c.ask(protocol_state="MAIL", sender="a@nullmx.pd.test", recipient=""), "550 5.7.27",
           "null_mx_sender applies at MAIL")
    eq(c.ask(protocol_state="DATA", client_address="11.9.9.9"), "DUNNO", "mx_bypass only at RCPT")
    eq(c.ask(client_address="11.9.9.9", policy_context="sender"), "DUNNO",
       "policy_context=sender runs only the sender-domain rules")
    eq(c.ask(sender="a@nullmx.pd.test", client_address="11.1.1.10", policy_context="recipient"), "DUNNO",
       "policy_context=recipient leaves the sender-domain rules out")


def expect_closed(data, desc, port=PORT):
    c = Conn(port, timeout=5)
    try:
        c.send(data)
    except (BrokenPipeError, ConnectionResetError):
        pass
    ok(c.closed(), desc)
    c.close()


def test_malformed(d):
    expect_closed(b"request=smtpd_access_policy\nthis line has no equals sign\n\n", "malformed: a line without '=' closes")
    expect_closed(b"request=smtpd_access_policy\nBad-Name=1\n\n", "malformed: a bad attribute name closes")
    expect_closed(b"request=smtpd_access_policy\nsender=a\x00b\n\n", "malformed: a NUL byte closes")
    expect_closed(b"request=smtpd_access_policy\nsender=a\x01b\n\n", "malformed: a control character closes")
    expect_closed(b"protocol_state=RCPT\n\n", "malformed: no request= attribute closes")
    expect_closed(b"request=smtpd_access_policy\nsender=a\nsender=b\n\n", "malformed: a repeated attribute closes")
    expect_closed(b"\n", "malformed: an empty request closes")
    many = b"request=smtpd_access_policy\n" + b"".join(b"x%d=1\n" % i for i in range(200)) + b"\n"
    expect_closed(many, "bounded: more than attributes_max attributes closes")
    big = b"request=smtpd_access_policy\nsender=" + b"a" * 20000 + b"\n\n"
    expect_closed(big, "bounded: a request over request_max closes")
    expect_closed(b"request=smtpd_access_policy\nsender=" + b"b" * 20000, "bounded: an endless line closes")
    expect_closed(b"5:hello;", "socketmap: a bad terminator closes", SMAP)
    expect_closed(b"999999:", "socketmap: an oversized netstring closes", SMAP)
    expect_closed(b"abc", "socketmap: no length closes", SMAP)
    ok(d.count_log("malformed policy request") >= 7, "malformed requests are logged")
    ok(d.count_log("longer than") >= 2, "oversized requests are logged")
    c = Conn(PORT)
    eq(c.ask(client_address="11.1.1.10"), "DUNNO", "the daemon still serves after bad input")
    c.close()


def test_persistent_and_pipelined():
    c = Conn(PORT)
    answers = [c.ask(client_address="11.9.9.9" if i % 2 else "11.1.1.10") for i in range(300)]
    ok(all(a == "DUNNO" for a in answers[0::2]) and all(a.startswith("550 5.7.1") for a in answers[1::2]),
       "persistent: 300 requests on one connection, each answered in order")
    c.send(request_bytes(client_address="11.9.9.9") + request_bytes(client_address="11.1.1.10"))
    first, second = c.reply(), c.reply()
    ok(first.startswith("550 5.7.1") and second == "DUNNO", "pipelined: two requests in one write, two replies in order")
    c.close()
    u = Conn(0, path=UNIX)
    starts(u.ask(client_address="11.9.9.9"), "550 5.7.1", "unix: listener answers")
    u.close()


def test_concurrency(n=300):
    conns = [Conn(PORT, timeout=20) for _ in range(n)]
    results = [None] * n

    def work(i):
        try:
            rs = []
            for k in range(3):
                rs.append(conns[i].ask(client_address="11.9.9.9" if (i + k) % 2 else "11.1.1.10",
                                       sender="s%d@good.pd.test" % i))
            results[i] = rs
        except Exception as e:  # reported as a failure below
            results[i] = [repr(e)]

    threads = [threading.Thread(target=work, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    good = 0
    for i, rs in enumerate(results):
        want = ["550 5.7.1" if (i + k) % 2 else "DUNNO" for k in range(3)]
        if rs and len(rs) == 3 and all(r.startswith(w) for r, w in zip(rs, want)):
            good += 1
    eq(good, n, "concurrency: %d connections open at once, 3 requests each, all answered correctly" % n)
    for c in conns:
        c.close()


def test_socketmap():
    m = Conn(SMAP)
    eq(m.lookup("transport", "alice@hybrid.pd.test"), "OK smtp:[127.0.0.1]:2528", "socketmap: recipient route")
    eq(m.lookup("transport", "alice+tag@hybrid.pd.test"), "OK smtp:[127.0.0.1]:2528", "socketmap: extension stripped")
    eq(m.lookup("transport", "bob@hybrid.pd.test"), "OK smtp:[127.0.0.1]:2527", "socketmap: domain route")
    eq(m.lookup("transport", "hybrid.pd.test"), "OK smtp:[127.0.0.1]:2527", "socketmap: domain key")
    eq(m.lookup("transport", "u@elsewhere.test"), "OK smtp:[127.0.0.1]:2526", "socketmap: default route")
    eq(m.lookup("virtual", "u@x.test"), "PERM unknown map name", "socketmap: unknown map name is PERM")
    eq(m.lookup("transport", "a\x01b"), "PERM malformed key", "socketmap: a malformed key is PERM")
    m.close()


def test_reload(d):
    c = Conn(PORT)
    starts(c.ask(client_address="11.9.9.9"), "550 5.7.1", "reload: before, corp rejects")
    d.write(header() + RULES + "mx_bypass_typo = 1\n")
    d.p.send_signal(signal.SIGHUP)
    ok(d.wait_log("reload failed, keeping the current rules"), "reload: a bad file is refused and logged")
    ok(d.wait_log("mx_bypass_typo: unknown key"), "reload: the log says why (line and key)")
    starts(c.ask(client_address="11.9.9.9"), "550 5.7.1", "reload: the old rules still apply")
    d.write(header() + RULES + "domain.corp.pd.test.warn_only = yes\n")
    d.p.send_signal(signal.SIGHUP)
    ok(d.wait_log("configuration reloaded"), "reload: a good file is taken")
    starts(c.ask(client_address="11.9.9.9"), "WARN mxguard mx_bypass: would reject",
           "reload: the new rules apply on the same connection")
    c.close()


def test_dns_trouble():
    # A resolver that never answers: a DNS timeout below the request budget gives the
    # rule's temporary reply; a budget below the DNS timeout gives the loop's own deferral.
    dead = "127.0.0.1@5399"
    a = Daemon("dead-dns", "policy_listen = inet:127.0.0.1:10050\ndns_forwarders = %s\ndns_timeout = 1s\n"
               "request_timeout = 8s\n%s" % (dead, RULES))
    prom = os.path.join(WORK, "slow-budget.prom")
    b = Daemon("slow-budget", "policy_listen = inet:127.0.0.1:10051\ndns_forwarders = %s\ndns_timeout = 4s\n"
               "request_timeout = 1s\nworkers = 1\nmetrics_file = %s\nmetrics_interval = 1s\n%s"
               % (dead, prom, RULES))
    try:
        require(a.wait_log("ready") and b.wait_log("ready"), "dns trouble: both daemons ready")
        c = Conn(10050, timeout=30)
        starts(c.ask(client_address="11.9.9.9"), "451 4.7.1 mxguard mx_bypass: MX hosts of corp.pd.test cannot be resolved now",
               "temporary DNS failure: mx_bypass defers, never rejects")
        starts(c.ask(client_address="11.1.1.10", sender="a@slow.pd.test", recipient="u@good.pd.test"),
               "451 4.1.8 mxguard unroutable_sender", "temporary DNS failure: unroutable_sender defers")
        c.close()
        slow = Conn(10051, timeout=30)
        other = Conn(10051, timeout=30)
        slow.send(request_bytes(client_address="11.9.9.9"))
        # While the first request waits for DNS, a request that needs none is answered.
        r_other = other.ask(protocol_state="CONNECT", client_address="13.1.1.1")
        r_slow = slow.reply()
        ok(r_other is not None and r_other.startswith("550 5.7.1 mxguard connector"),
           "budget: another client is served while a DNS-bound request waits")
        starts(r_slow, "451 4.4.3 mxguard: policy decision timed out", "budget: the waiting request is deferred")
        eq(slow.ask(protocol_state="CONNECT", client_address="11.1.1.10"), "DUNNO",
           "budget: the deferred connection stays usable")
        ok(b.wait_log("info: decision rule=- action=defer context=all state=RCPT client=11.9.9.9 "
                      "sender=<someone@good.pd.test> recipient=<user@corp.pd.test> reason=\"timed out"),
           "budget: the deferral is the request's one decision line, at info level", b.text()[-600:])
        got = wait_counters(prom, {'mxguard_policyd_decisions_total{rule="timeout",action="defer"}': 1}) or {}
        eq(got.get('mxguard_policyd_decisions_total{rule="timeout",action="defer"}'), 1,
           "counters: the timed-out request is counted as rule=timeout, action=defer")
        slow.close()
        other.close()
    finally:
        a.stop()
        b.stop()


def test_limits():
    d = Daemon("limits", "policy_listen = inet:127.0.0.1:10052\nmax_connections = 4\nidle_timeout = 3s\n"
               "dns_zone = %s\n%s" % (os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                                     "../data/zones/pd.test.zone"), RULES))
    try:
        require(d.wait_log("ready"), "limits: daemon ready (zone backend)")
        conns = [Conn(10052, timeout=5) for _ in range(4)]
        for c in conns:
            c.ask(protocol_state="CONNECT", client_address="11.1.1.10")
        extra = Conn(10052, timeout=5)
        ok(extra.closed(), "max_connections: one more connection is closed at once")
        ok(d.wait_log("max_connections (4) reached"), "max_connections: logged")
        extra.close()
        ok(all(c.closed() for c in conns), "idle_timeout: idle connections are closed")
        fresh = Conn(10052, timeout=5)
        starts(fresh.ask(client_address="11.9.9.9"), "550 5.7.1 mxguard mx_bypass",
               "dns_zone: rules answer from zone files too")
        fresh.close()
        for c in conns:
            c.close()
    finally:
        d.stop()


def test_daemon_mode():
    # Without -f: detach, write the pid file, drop to the configured user after binding.
    run = os.path.join(WORK, "run")
    os.makedirs(run, exist_ok=True)
    os.chown(run, 65534, 65534)
    pidfile = os.path.join(run, "policyd.pid")
    conf = os.path.join(WORK, "daemon.conf")
    with open(conf, "w") as f:
        f.write("policy_listen = inet:127.0.0.1:10054\nuser = nobody\npid_file = %s\n"
                "dns_forwarders = %s\n%s" % (pidfile, DNS, RULES))
    r = subprocess.run([BIN, "-c", conf], capture_output=True, text=True, timeout=30)
    eq(r.returncode, 0, "daemon: the starting process exits 0 after detaching")
    pid = None
    for _ in range(100):
        try:
            with open(pidfile) as f:
                pid = int(f.read().strip())
            break
        except (OSError, ValueError):
            time.sleep(0.1)
    ok(pid is not None, "daemon: pid file written")
    if pid is None:
        return
    try:
        # Once it answers, start-up (and with it the user drop) is over.
        c = None
        for _ in range(100):
            try:
                c = Conn(10054)
                break
            except OSError:
                time.sleep(0.1)
        starts(c.ask(client_address="11.9.9.9") if c else None, "550 5.7.1 mxguard mx_bypass",
               "daemon: serves requests")
        if c:
            c.close()
        with open("/proc/%d/status" % pid) as f:
            uids = [l.split()[1:] for l in f if l.startswith("Uid:")][0]
        ok(all(u == "65534" for u in uids), "daemon: runs as the configured user (real, effective, saved)")
    finally:
        os.kill(pid, signal.SIGTERM)
    for _ in range(150):
        if not os.path.exists("/proc/%d" % pid):
            break
        time.sleep(0.1)
    ok(not os.path.exists("/proc/%d" % pid), "daemon: SIGTERM stops it")
    ok(not os.path.exists(pidfile), "daemon: pid file removed at exit")
def signals_blocked(pid, signals):
    """True when /proc says PID's main thread blocks every signal in SIGNALS."""
    try:
        with open("/proc/%d/status" % pid) as f:
            mask = next(int(line.split()[1], 16) for line in f if line.startswith("SigBlk:"))
    except (OSError, StopIteration):
        return False
    return all(mask & (1 << (sig - 1)) for sig in signals)


def write_fifo(path, text, seconds=10):
    """Writes TEXT into the FIFO PATH once a reader has it open (bounded); False on time-out."""
    end = time.time() + seconds
    while time.time() < end:
        try:
            fd = os.open(path, os.O_WRONLY | os.O_NONBLOCK)
        except OSError:  # ENXIO: nobody reads it yet
            time.sleep(0.05)
            continue
        os.set_blocking(fd, True)
        with os.fdopen(fd, "w") as f:
            f.write(text)
        return True
    return False


def test_start_signals():
    # The configuration file is a FIFO, so the daemon waits in the middle of its start-up until
    # the test writes it: a signal sent then must wait for the event loop, not end the daemon.
    fifo = os.path.join(WORK, "early.conf")
    os.mkfifo(fifo)
    body = "policy_listen = inet:127.0.0.1:10054\n"
    with open(os.path.join(WORK, "early.log"), "w") as log:
        p = subprocess.Popen([BIN, "-f", "-c", fifo], stdout=log, stderr=log)
    try:
        sigs = (signal.SIGHUP, signal.SIGTERM, signal.SIGINT)
        end = time.time() + 10
        while time.time() < end and p.poll() is None and not signals_blocked(p.pid, sigs):
            time.sleep(0.05)
        ok(signals_blocked(p.pid, sigs), "start-up: HUP, TERM and INT are blocked before the file is read")
        p.send_signal(signal.SIGHUP)
        ok(write_fifo(fifo, body), "start-up: the daemon reads its file after the SIGHUP")
        # The second writer must wait for the first reader to be done, or both texts make one file.
        ok(wait_file(os.path.join(WORK, "early.log"), "ready", 10), "start-up: ready after the SIGHUP")
        ok(write_fifo(fifo, body), "start-up: the SIGHUP reads the file again once the loop runs")
        wait_file(os.path.join(WORK, "early.log"), "configuration reloaded", 10)
        text = open(os.path.join(WORK, "early.log"), errors="replace").read()
        ok(p.poll() is None and "ready" in text and "configuration reloaded" in text,
           "start-up: a SIGHUP sent during start-up reloads once the daemon runs, it does not end it",
           text[-400:])
    finally:
        if p.poll() is None:
            p.send_signal(signal.SIGTERM)
        try:
            rc = p.wait(20)
        except subprocess.TimeoutExpired:
            p.kill()
            rc = p.wait()
    eq(rc, 0, "start-up: SIGTERM afterwards stops it cleanly")


def test_spf():
    # SPF at RCPT through a relay that holds back names under slow.pd.test by 0.3 s: four
    # includes of them outlast the 1 s SPF budget, which ends in temperror, and the daemon keeps serving meanwhile.
    # (A longer hold makes libunbound give up on the relay: SERVFAIL before the budget ends.)
    nsd_port = int(DNS.split("@")[1])
    relay = subprocess.Popen([sys.executable, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib", "slow_relay.py"),
                              "5366", str(nsd_port), "0.3"], stdout=subprocess.PIPE, text=True)
    listening = relay.stdout.readline().strip() == "ready"
    if not listening:
        relay.terminate()
        relay.wait(10)
    require(listening, "spf: slow relay listens")
    prom = os.path.join(WORK, "spf.prom")
    d = Daemon("spf", "policy_listen = inet:127.0.0.1:10053\ndns_forwarders = 127.0.0.1@5366\ndns_timeout = 5s\n"
               "request_timeout = 8s\nspf = reject\nspf_time_limit = 1s\nspf_receiver = mx.pd.test\n"
               "metrics_file = %s\nmetrics_interval = 1s\n" % prom)
    try:
        require(d.wait_log("ready"), "spf: daemon ready")
        c = Conn(10053, timeout=20)
        starts(c.ask(sender="a@good.pd.test", recipient="u@good.pd.test", client_address="11.1.1.10"),
               "PREPEND Received-SPF: pass (mx.pd.test", "spf: pass prepends Received-SPF")
        starts(c.ask(sender="a@good.pd.test", recipient="u@good.pd.test", client_address="11.9.9.9"),
               "550 5.7.23 mxguard spf: SPF fail for <a@good.pd.test> from 11.9.9.9", "spf: fail rejects 550 5.7.23")
        starts(c.ask(sender="a@soft.pd.test", recipient="u@good.pd.test", client_address="11.9.9.9"),
               "PREPEND Received-SPF: softfail", "spf: softfail prepends")
        slow = Conn(10053, timeout=20)
        slow.send(request_bytes(sender="a@deep.pd.test", recipient="u@good.pd.test", client_address="11.9.9.9"))
        r_other = c.ask(protocol_state="CONNECT", client_address="11.1.1.10")
        r_cached = c.ask(sender="a@good.pd.test", recipient="u@good.pd.test", client_address="11.9.9.9",
                         protocol_state="MAIL")
        waiting = not select.select([slow.s], [], [], 0)[0]
        ok(r_other == "DUNNO" and r_cached == "DUNNO" and waiting,
           "spf: other requests are answered while a slow SPF check is running", "(%r %r %r)" % (r_other, r_cached, waiting))
        starts(slow.reply(), "451 4.7.24 mxguard spf: SPF temperror", "spf: the time budget ends in temperror, deferred")
        ok(d.wait_log("time budget exceeded"), "spf: the log says the budget ran out", open(d.logpath).read()[-600:])
        spf = {'mxguard_policyd_spf_results_total{result="%s"}' % r: n
               for r, n in [("pass", 1), ("fail", 1), ("softfail", 1), ("temperror", 1), ("permerror", 0)]}
        got = wait_counters(prom, spf) or {}
        for k, v in spf.items():
            eq(got.get(k), v, "counters: " + k)
        eq(got.get('mxguard_policyd_decisions_total{rule="spf",action="prepend"}'), 2,
           "counters: the two prepended Received-SPF headers")
        slow.close()
        c.close()
    finally:
        d.stop()
        relay.terminate()
        relay.wait(10)


def test_config_check():
    good = os.path.join(WORK, "good.conf")
    bad = os.path.join(WORK, "bad.conf")
    with open(good, "w") as f:
        f.write(header() + RULES)
    with open(bad, "w") as f:
        f.write(header() + "route = nowhere\n")
    r = subprocess.run([BIN, "-n", "-c", good], capture_output=True, text=True)
    ok(r.returncode == 0 and r.stdout == "mxguard-policyd: %s: configuration OK\n" % good,
       "-n: a good file passes, with the milter's line format", repr(r.stdout))
    r = subprocess.run([BIN, "-n", "-c", bad], capture_output=True, text=True)
    ok(r.returncode == 1 and "bad.conf:5" in r.stderr and "route" in r.stderr, "-n: a bad file fails naming its line",
       r.stderr)


def test_version_and_paths():
    r = subprocess.run([BIN, "--version"], capture_output=True, text=True)
    ok(r.returncode == 0 and re.fullmatch(r"mxguard-policyd [0-9][^\s]*\n", r.stdout) is not None,
       "--version prints the program and its version", repr(r.stdout + r.stderr))
    missing = os.path.join(WORK, "no-such-run-dir")
    conf = os.path.join(WORK, "nodir.conf")
    with open(conf, "w") as f:
        f.write("policy_listen = unix:%s/policyd.sock\n" % missing)
    r = subprocess.run([BIN, "-n", "-c", conf], capture_output=True, text=True)
    ok(r.returncode == 1 and r.stdout == "" and
       "policy_listen: unix:%s/policyd.sock: directory %s does not exist" % (missing, missing) in r.stderr,
       "-n: a missing unix-socket directory is an error naming the key and the directory", r.stderr)
    with open(conf, "w") as f:
        f.write("policy_listen = inet:127.0.0.1:10057\nmetrics_file = %s/policyd.prom\n" % missing)
    r = subprocess.run([BIN, "-n", "-c", conf], capture_output=True, text=True)
    ok(r.returncode == 1 and "metrics_file: %s/policyd.prom: directory %s does not exist" % (missing, missing)
       in r.stderr, "-n: a missing metrics_file directory is an error", r.stderr)


def test_cannot_listen():
    # The main daemon holds PORT: a second one cannot bind it and says why.
    with open(os.path.join(WORK, "busy.conf"), "w") as f:
        f.write("policy_listen = inet:127.0.0.1:%d\ndns_zone = %s\n" % (PORT, ZONE))
    r = subprocess.run([BIN, "-f", "-c", os.path.join(WORK, "busy.conf")], capture_output=True, text=True,
                       timeout=30)
    ok(r.returncode == 1 and "cannot listen: inet:127.0.0.1:%d: Address already in use" % PORT in r.stderr,
       "cannot listen: the error says why (errno)", r.stderr)


def read_counters(path):
    """{series: value} of a textfile, or None when a line is not in the text format."""
    out = {}
    try:
        with open(path) as f:
            lines = f.read().splitlines()
    except OSError:
        return None
    for line in lines:
        if line.startswith("# HELP ") or line.startswith("# TYPE "):
            continue
        m = re.fullmatch(r'([a-z_]+(?:\{[a-z_]+="[^"]*"(?:,[a-z_]+="[^"]*")*\})?) ([0-9]+(?:\.[0-9]+)?)', line)
        if m is None:
            return None
        out[m.group(1)] = float(m.group(2))
    return out


def wait_counters(path, want, seconds=15):
    """The counters once every series in want has its value (polled, bounded), else the last read."""
    end = time.time() + seconds
    got = None
    while time.time() < end:
        got = read_counters(path)
        if got and all(got.get(k) == v for k, v in want.items()):
            return got
        time.sleep(0.1)
    return got


def test_decision_lines():
    # Five requests, each of a kind: one decision line apiece at info level that names the
    # context, and the counters file says the same after the next write.
    prom = os.path.join(WORK, "policyd.prom")
    d = Daemon("decisions", "policy_listen = inet:127.0.0.1:10055\ndns_forwarders = %s\n"
               "metrics_file = %s\nmetrics_interval = 1s\n%s" % (DNS, prom, RULES))
    try:
        require(d.wait_log("ready"), "decisions: daemon ready")
        c = Conn(10055)
        replies = [
            c.ask(protocol_state="MAIL", policy_context="sender", sender="a@nullmx.pd.test",
                  recipient="", client_address="11.1.1.10"),
            c.ask(policy_context="recipient", client_address="11.9.9.9"),
            c.ask(policy_context="recipient", client_address="11.1.1.10"),
            c.ask(protocol_state="END-OF-MESSAGE", client_address="11.1.1.10"),
            c.ask(policy_context="recipient", client_address="11.9.9.9", recipient="u@warn.pd.test"),
        ]
        c.close()
        ok(replies[0].startswith("550 5.7.27") and replies[1].startswith("550 5.7.1") and
           replies[2] == "DUNNO" and replies[3] == "DUNNO" and replies[4].startswith("WARN"),
           "decisions: the five replies", repr(replies))
        ok(d.wait_log("decision ", 10, 5), "decisions: logged")
        lines = [l for l in d.text().splitlines() if "decision " in l]
        eq(len(lines), 5, "decisions: exactly one line per request")
        ok(all(": info: decision rule=" in l for l in lines), "decisions: every line at info level", repr(lines))
        want = [
            "decision rule=null_mx_sender action=reject context=sender state=MAIL client=11.1.1.10 "
            "sender=<a@nullmx.pd.test> recipient=<> instance=1a2b.3c4d.5e6f.0 reply=\"550 5.7.27 mxguard null_mx_sender:",
            "decision rule=mx_bypass action=reject context=recipient state=RCPT client=11.9.9.9 "
            "sender=<someone@good.pd.test> recipient=<user@corp.pd.test> instance=1a2b.3c4d.5e6f.0 reply=\"550 5.7.1 ",
            "decision rule=- action=dunno context=recipient state=RCPT client=11.1.1.10 ",
            "decision rule=- action=dunno context=all state=END-OF-MESSAGE client=11.1.1.10 ",
            "decision rule=mx_bypass action=warn context=recipient state=RCPT client=11.9.9.9 "
            "sender=<someone@good.pd.test> recipient=<u@warn.pd.test>",
        ]
        for i, w in enumerate(want):
            ok(i < len(lines) and w in lines[i], "decision line %d: %s" % (i + 1, w[:60]),
               lines[i] if i < len(lines) else "")
        series = {
            'mxguard_policyd_decisions_total{rule="null_mx_sender",action="reject"}': 1,
            'mxguard_policyd_decisions_total{rule="mx_bypass",action="reject"}': 1,
            'mxguard_policyd_decisions_total{rule="mx_bypass",action="warn"}': 1,
            'mxguard_policyd_decisions_total{rule="none",action="dunno"}': 2,
            'mxguard_policyd_decisions_total{rule="timeout",action="defer"}': 0,
            'mxguard_policyd_warn_only_total{rule="mx_bypass"}': 1,
            'mxguard_policyd_requests_total{context="sender"}': 1,
            'mxguard_policyd_requests_total{context="recipient"}': 3,
            'mxguard_policyd_requests_total{context="all"}': 1,
        }
        got = wait_counters(prom, series)
        ok(got is not None, "counters: the file is in the Prometheus text format")
        got = got or {}
        for k, v in series.items():
            eq(got.get(k), v, "counters: " + k)
        n = got.get("mxguard_policyd_dns_lookup_seconds_count", 0)
        ok(n > 0 and got.get('mxguard_policyd_dns_lookup_seconds_bucket{le="+Inf"}') == n and
           got.get("mxguard_policyd_dns_lookup_seconds_sum", 0) > 0,
           "counters: DNS lookups are timed (histogram count, +Inf bucket and sum)", repr(n))
        buckets = [v for k, v in sorted(got.items()) if k.startswith("mxguard_policyd_dns_lookup_seconds_bucket")]
        ok(len(buckets) == 12, "counters: the latency histogram has its 12 buckets")
        eq(sum(v for k, v in got.items() if k.startswith("mxguard_policyd_dns_lookups_total")), n,
           "counters: lookups by rcode add up to the histogram count")
        ok(not os.path.exists(prom + ".tmp"), "counters: no temporary file left beside the file")
    finally:
        eq(d.stop(), 0, "decisions: clean stop")


def main():
    test_config_check()
    test_version_and_paths()
    d = Daemon("main", header() + RULES)
    try:
        require(d.wait_log("ready"), "daemon ready")
        c = Conn(PORT)
        test_rules(c)
        test_states(c)
        c.close()
        test_socketmap()
        test_persistent_and_pipelined()
        test_concurrency()
        test_malformed(d)
        test_reload(d)
        ok(d.count_log("decision rule=") >= 300, "one log line per decision")
        test_cannot_listen()
    finally:
        rc = d.stop()
    eq(rc, 0, "SIGTERM: clean exit")
    ok(d.wait_log("stopped", 1), "SIGTERM: logged")
    ok(not os.path.exists(UNIX), "SIGTERM: the unix socket is removed")
    test_decision_lines()
    test_dns_trouble()
    test_limits()
    test_daemon_mode()
    test_start_signals()
    test_spf()
    sys.exit(T.done())


if __name__ == "__main__":
    main()
