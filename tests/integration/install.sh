#!/bin/sh
# make install honours PREFIX and DESTDIR: the command, its man page and the findings
# catalogue land under DESTDIR/PREFIX, and the installed command runs. `make install
# PREFIX=...` after a plain `make` gives programs that read the SPF provider table where it
# was installed (the path is rebuilt in), and a missing table is an error of mxguard check.
# `make install` never builds Unbound (the module has its own install target).
. "$(dirname "$0")/../lib/harness.sh"
mxg_workdir
# The installed programs must find their table by themselves.
unset MXGUARD_DATADIR
zone=$MXG_ROOT/tests/data/zones/spf.test.zone

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
mxg_check "mxguard(1) names the installed table" grep -q "^\.I $prefix/share/mxguard/spf\\\\-providers.tsv" "$root/share/man/man1/mxguard.1"
mxg_check "mxguard(1) names no /usr/local path" sh -c "! grep -q /usr/local '$root/share/man/man1/mxguard.1'"
mxg_check "the Unbound module is not installed by make install" test ! -e "$root/lib/mxguard/mxguard.so"

# The issue's sequence: make, then make install with another PREFIX (no DESTDIR).
make -s -C "$MXG_ROOT" all >"$MXG_WORK/make.log" 2>&1
mxg_eq "make exits 0" $? 0
pfx=$MXG_WORK/prefix
make -s -C "$MXG_ROOT" install PREFIX="$pfx" >"$MXG_WORK/install2.log" 2>&1
mxg_eq "make install PREFIX=... after make exits 0" $? 0
out=$("$pfx/bin/mxguard" check --zone "$zone" m365.spf.test 2>&1)
mxg_match "installed mxguard reads its installed table (provider finding)" "$out" "SPF_PROVIDER_NOT_AUTHORIZED"
mv "$pfx/share/mxguard/spf-providers.tsv" "$MXG_WORK/moved.tsv"
out=$("$pfx/bin/mxguard" check --zone "$zone" m365.spf.test 2>&1)
mxg_eq "without the table, check cannot check (exit 3)" $? 3
mxg_match "the error names the installed path" "$out" \
	"cannot read the SPF provider table: $pfx/share/mxguard/spf-providers.tsv: No such file"

# Installing never prepares Unbound: with no Unbound tree at all, make -n install runs
# neither scripts/build-unbound nor apt-get, and writes no apt source.
plan=$(make -n -C "$MXG_ROOT" install PREFIX="$pfx" UNBOUND_TOP="$MXG_WORK/no-unbound" 2>&1)
mxg_check "make install does not build Unbound" sh -c "! printf '%s' \"\$1\" | grep -qE 'build-unbound|apt-get|sources\\.list|mxguard\\.so'" sh "$plan"
plan=$(make -n -C "$MXG_ROOT" install-unbound-module UNBOUND_TOP="$MXG_WORK/no-unbound" 2>&1)
mxg_match "make install-unbound-module does (its own target)" "$plan" "scripts/build-unbound"

# Leave the build tree built for the default prefix, as the other suites expect.
make -s -C "$MXG_ROOT" all >/dev/null 2>&1
mxg_done
