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
# -n checks that the directory of a Unix-domain socket exists: the example's is made here.
mkdir -p "$MXG_WORK/sock"
sed -n '/^\.SH EXAMPLE/,/^\.SH/p' "$MXG_ROOT/docs/mxguard-milter.conf.5" | grep ' = ' |
	grep -v '^user = ' | sed "s|^socket = unix:.*/|socket = unix:$MXG_WORK/sock/|" >"$MXG_WORK/example.conf"
mxg_check "the man page example passes mxguard-milter -n" \
	"$MXG_BUILD/mxguard-milter" -n -c "$MXG_WORK/example.conf"
# --version, and -n's line (the same format as mxguard-policyd -n: "PROGRAM: FILE: configuration OK").
mxg_match "mxguard-milter --version" "$("$MXG_BUILD/mxguard-milter" --version)" '^mxguard-milter [0-9]+\.[0-9]+'
mxg_match "mxguard --version" "$("$MXG_BUILD/mxguard" --version)" '^mxguard [0-9]+\.[0-9]+'
mxg_eq "-n prints PROGRAM: FILE: configuration OK" \
	"$("$MXG_BUILD/mxguard-milter" -n -c "$MXG_WORK/example.conf")" \
	"mxguard-milter: $MXG_WORK/example.conf: configuration OK"
# A Unix-domain socket in a directory that does not exist is caught by -n, with the remedy.
printf 'socket = unix:%s/missing/milter.sock\n' "$MXG_WORK" >"$MXG_WORK/nodir.conf"
out=$("$MXG_BUILD/mxguard-milter" -n -c "$MXG_WORK/nodir.conf" 2>&1)
mxg_eq "-n: missing socket directory is an error" $? 1
mxg_match "-n: the message names the directory and how to create it" "$out" \
	"socket unix:.*/missing/milter.sock: directory .*/missing does not exist; create it .*RuntimeDirectory=mxguard.*install -d"
mkdir "$MXG_WORK/missing"
mxg_check "-n: once the directory exists, the file is accepted" \
	"$MXG_BUILD/mxguard-milter" -n -c "$MXG_WORK/nodir.conf"
mxg_done
