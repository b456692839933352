#!/bin/sh
# Every key mxguard-policyd's parser accepts is documented exactly once in
# mxguard-policyd.conf(5), every documented key is one the parser accepts, the man pages
# format without warnings, and -n accepts the page's example.
# The keys are read from the parser itself (postfix-policy/policyd_config.c): the
# strcmp(k, "...") tests of the global keys, the rule names, and the strcmp(what, "...")
# settings of connector and domain sections.
. "$(dirname "$0")/../lib/harness.sh"
mxg_workdir

src=$MXG_ROOT/postfix-policy/policyd_config.c
page=$MXG_ROOT/docs/mxguard-policyd.conf.5

# Prints "FUNCTION KEY" for every quoted string compared in the parser's key functions.
awk '
	/^static int [a-z_]+\(/ { fn = $3; sub(/\(.*/, "", fn) }
	/^static const char \*const rule_names/ { fn = "rules"; next }
	fn == "rules" && /};/ { fn = "" }
	fn == "rules" { n = split($0, w, /"/); for (i = 2; i <= n; i += 2) print "rule " w[i]; next }
	/strcmp\((k|what), "/ {
		line = $0
		while (match(line, /strcmp\((k|what), "[^"]*"\)/)) {
			s = substr(line, RSTART, RLENGTH); sub(/^strcmp\((k|what), "/, "", s); sub(/"\)$/, "", s)
			print fn " " s
			line = substr(line, RSTART + RLENGTH)
		}
	}' "$src" >"$MXG_WORK/parsed"

# Rules are global keys except connector (configured by connector.NAME.* keys); a domain
# section takes every rule but connector and null_mx_recipient (global only).
{
	awk '$1 == "daemon_key" || $1 == "rules_key" { print $2 }' "$MXG_WORK/parsed"
	awk '$1 == "rule" && $2 != "connector" { print $2 }' "$MXG_WORK/parsed"
} | sort -u >"$MXG_WORK/global"
awk '$1 == "connector_key" { print $2 }' "$MXG_WORK/parsed" | sort -u >"$MXG_WORK/connector"
{
	awk '$1 == "domain_key" { print $2 }' "$MXG_WORK/parsed"
	awk '$1 == "rule" && $2 != "connector" && $2 != "null_mx_recipient" { print $2 }' "$MXG_WORK/parsed"
} | sort -u >"$MXG_WORK/domain"

mxg_check "the parser has global keys" test "$(wc -l <"$MXG_WORK/global")" -ge 30
mxg_check "the parser has connector settings" test "$(wc -l <"$MXG_WORK/connector")" -ge 5
mxg_check "the parser has domain settings" test "$(wc -l <"$MXG_WORK/domain")" -ge 8
for k in metrics_file metrics_interval policy_listen route spf_time_limit mx_bypass; do
	mxg_check "the key list holds $k" grep -qx "$k" "$MXG_WORK/global"
done

# A key's entry is ".TP" (or ".TQ") then ".B key"; a connector setting's is
# ".BI connector. name .setting". Mentions elsewhere don't count.
entries() {
	awk '(prev == ".TP" || prev == ".TQ") && /^\.B [a-z_.]+$/ { print $2 }
	     (prev == ".TP" || prev == ".TQ") && /^\.BI connector\. name \.[a-z_]+$/ { print "connector." substr($4, 2) }
	     { prev = $0 }' "$1"
}
# Only the sections that describe keys: the page's first ones describe actions and units.
sed -n '/^\.SH LISTENERS AND PROCESS/,/^\.SH EXAMPLE/p' "$page" | entries /dev/stdin >"$MXG_WORK/documented"
while read -r k; do
	mxg_eq "$k documented once" "$(grep -cx "$k" "$MXG_WORK/documented")" 1
done <"$MXG_WORK/global"
while read -r k; do
	mxg_eq "connector.NAME.$k documented once" "$(grep -cx "connector.$k" "$MXG_WORK/documented")" 1
done <"$MXG_WORK/connector"
# Nothing documented that the parser does not know.
sed 's/^/connector./' "$MXG_WORK/connector" | cat "$MXG_WORK/global" - | sort -u >"$MXG_WORK/known"
mxg_eq "every documented key is a key of the parser" \
	"$(sort -u "$MXG_WORK/documented" | comm -23 - "$MXG_WORK/known" | tr '\n' ' ')" ""

# The list of per-domain settings in DESCRIPTION is the parser's, and each has its global entry.
sed -n '/^A section may hold these settings/,/^\.BR [a-z_]* \.$/p' "$page" |
	sed -n 's/^\.BR \([a-z_]*\) [,.]$/\1/p' | sort -u >"$MXG_WORK/domain-doc"
mxg_eq "the per-domain settings listed are those the parser takes" \
	"$(diff "$MXG_WORK/domain" "$MXG_WORK/domain-doc" | grep '^[<>]' | tr '\n' ' ')" ""
while read -r k; do
	mxg_check "domain.NAME.$k has the global entry $k" grep -qx "$k" "$MXG_WORK/documented"
done <"$MXG_WORK/domain"

for p in mxguard-policyd.8 mxguard-policyd.conf.5; do
	mxg_eq "$p formats without warnings" "$(groff -man -ww -z "$MXG_ROOT/docs/$p" 2>&1)" ""
done

# The EXAMPLE section of mxguard-policyd.conf(5) is a valid configuration.
sed -n '/^\.SH EXAMPLE/,/^\.SH/p' "$page" | grep ' = ' | grep -v '^user = ' >"$MXG_WORK/example.conf"
out=$("$MXG_BUILD/mxguard-policyd" -n -c "$MXG_WORK/example.conf" 2>&1)
mxg_eq "the man page example passes mxguard-policyd -n" "$out" \
	"mxguard-policyd: $MXG_WORK/example.conf: configuration OK"
mxg_done
