"""Pieces the differential tests against dkimpy (DKIM, ARC) share: the key table and corpus
files the dkim-vectors driver reads, its run, and the closing verdict-mix check and summary."""
import os
import subprocess


def write_table(work, name, records):
    """The driver's key table: one "<owner> <TXT value>" line per record. Returns its path."""
    path = os.path.join(work, name)
    with open(path, "wb") as f:
        for owner, txt in records.items():
            f.write(owner + b" " + txt + b"\n")
    return path


def write_message(work, name, n, msg):
    """Writes message number n; every fifth with bare LF line ends, which ours must read as
    CRLF. Returns its path."""
    path = os.path.join(work, name)
    with open(path, "wb") as f:
        f.write(msg.replace(b"\r\n", b"\n") if n % 5 == 4 else msg)
    return path


def run_driver(argv, paths):
    """Runs the driver over the files; its output lines split at tabs."""
    out = subprocess.run(argv + paths, check=True, capture_output=True).stdout.decode()
    return [line.split("\t") for line in out.splitlines()]


def finish(passed, failed, share, low, high, mix):
    """A corpus where nearly everything passes or nearly everything fails proves little: the
    share of passing verdicts must lie in [low, high]. Prints the summary; the exit status."""
    if low <= share <= high:
        passed += 1
        print("ok - verdict mix: %s" % mix)
    else:
        failed += 1
        print("not ok - verdict mix is lopsided: %s" % mix)
    print("%d passed, %d failed" % (passed, failed))
    return 1 if failed else 0
