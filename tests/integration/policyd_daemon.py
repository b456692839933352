#!/usr/bin/env python3
# The mxguard-policyd process under test for the Python suites (its config file, log, memory
# and clean stop), and the ok/not ok counting those suites print for tests/run-all.
import os
import signal
import subprocess
import sys
import time


def wait_file(path, text, seconds=20, count=1):
    """True once the file at path holds text count times (polled, bounded by seconds)."""
    end = time.time() + seconds
    while time.time() < end:
        with open(path, errors="replace") as f:
            if f.read().count(text) >= count:
                return True
        time.sleep(0.05)
    return False


class Tally:
    """Counts checks and prints them as "ok - ..." / "not ok - ..." lines."""

    def __init__(self):
        self.passed = self.failed = 0

    def ok(self, cond, desc, detail=""):
        if cond:
            self.passed += 1
            print("ok - " + desc)
        else:
            self.failed += 1
            print("not ok - %s %s" % (desc, detail))
        sys.stdout.flush()

    def eq(self, got, want, desc):
        self.ok(got == want, desc, "(got %r, want %r)" % (got, want))

    def starts(self, got, prefix, desc):
        self.ok(got is not None and got.startswith(prefix), desc, "(got %r, want %r...)" % (got, prefix))

    def require(self, cond, desc, detail=""):
        """A precondition (a daemon ready, a helper listening), not a counted test: on success one
        "# ready: DESC" line, not counted; on failure one "not ok" line and the run ends there
        (SystemExit, so the callers' finally blocks still stop what they started)."""
        if cond:
            print("# ready: " + desc)
            sys.stdout.flush()
            return
        self.ok(False, desc, detail)
        sys.exit(self.done())

    def done(self):
        """Prints the count line; the exit status: 0 only when something passed and nothing failed."""
        print("%d passed, %d failed" % (self.passed, self.failed))
        return 0 if self.failed == 0 and self.passed > 0 else 1


class Daemon:
    """mxguard-policyd in the foreground with WORK/NAME.conf, its output in WORK/NAME.log."""

    def __init__(self, binary, work, name, body):
        self.name = name
        self.conf = os.path.join(work, name + ".conf")
        self.logpath = os.path.join(work, name + ".log")
        self.write(body)
        self.log = open(self.logpath, "w")
        self.p = subprocess.Popen([binary, "-f", "-c", self.conf], stdout=self.log, stderr=self.log)

    def write(self, body):
        """Replaces the config file at once, so a reload never reads half of it."""
        tmp = self.conf + ".tmp"
        with open(tmp, "w") as f:
            f.write(body)
        os.replace(tmp, self.conf)

    def text(self):
        with open(self.logpath, errors="replace") as f:
            return f.read()

    def count_log(self, text):
        return self.text().count(text)

    def wait_log(self, text, seconds=20, count=1):
        return wait_file(self.logpath, text, seconds, count)

    def rss_kb(self):
        with open("/proc/%d/status" % self.p.pid) as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
        return 0

    def stop(self, seconds=20):
        """SIGTERM, SIGKILL after SECONDS; the exit status."""
        if self.p.poll() is None:
            self.p.send_signal(signal.SIGTERM)
            try:
                self.p.wait(seconds)
            except subprocess.TimeoutExpired:
                self.p.kill()
                self.p.wait()
        self.log.close()
        return self.p.returncode
