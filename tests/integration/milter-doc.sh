#!/bin/sh
# Every key of mxguard-milter's configuration table is documented exactly once in
# mxguard-milter.conf(5), the man pages format without warnings, and -n accepts the example.
. "$(dirname "$0")/../lib/harness.sh"
mxg_workdir

keys=$(sed -n 's/^	{ "\([a-z_]*\)", K_.*/\1/p' "$MXG_ROOT/milter/milter_config.c")
mxg_check "the configuration table has keys" test -n "$keys"
for k in $keys; do
	# A key's entry is ".TP" then ".B key"; mentions elsewhere don't count.
	n=$(awk -v k="$k" 'prev == ".TP" && $0 == ".B " k { n++ } { prev = $0 } END { print n + 0 }' \
		"$MXG_ROOT/docs/mxguard-milter.conf.5")
	mxg_eq "$k documented once" "$n" 1
done
for page in mxguard-milter.8 mxguard-milter.conf.5; do
	mxg_eq "$page formats without warnings" "$(groff -man -ww -z "$MXG_ROOT/docs/$page" 2>&1)" ""
done
# The EXAMPLE section of mxguard-milter.conf(5) is a valid configuration.
sed -n '/^\.SH EXAMPLE/,/^\.SH/p' "$MXG_ROOT/docs/mxguard-milter.conf.5" | grep ' = ' |
	grep -v '^user = ' >"$MXG_WORK/example.conf"
mxg_check "the man page example passes mxguard-milter -n" \
	"$MXG_BUILD/mxguard-milter" -n -c "$MXG_WORK/example.conf"
mxg_done
