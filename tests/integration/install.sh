#!/bin/sh
# make install honours PREFIX and DESTDIR: the command, its man page and the findings
# catalogue land under DESTDIR/PREFIX, and the installed command runs.
. "$(dirname "$0")/../lib/harness.sh"
mxg_workdir

dest=$MXG_WORK/dest
prefix=/opt/mxg-test
make -s -C "$MXG_ROOT" install PREFIX=$prefix DESTDIR="$dest" >"$MXG_WORK/install.log" 2>&1
mxg_eq "make install exits 0" $? 0
root=$dest$prefix
mxg_check "mxguard installed in PREFIX/bin" test -x "$root/bin/mxguard"
mxg_check "mxguard(1) installed" test -f "$root/share/man/man1/mxguard.1"
mxg_check "findings catalogue installed" test -f "$root/share/doc/mxguard/findings.md"
mxg_check "SPF provider table installed in PREFIX/share/mxguard" test -f "$root/share/mxguard/spf-providers.tsv"
mxg_check "nothing written to PREFIX outside DESTDIR" test ! -e "$prefix"
out=$("$root/bin/mxguard" --help)
mxg_match "installed mxguard runs" "$out" "mxguard help COMMAND"
warn=$(groff -man -ww -z "$root/share/man/man1/mxguard.1" 2>&1)
mxg_eq "mxguard(1) formats without warnings" "$warn" ""
mxg_done
