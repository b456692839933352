#!/bin/sh
# make install's deployment part: example configurations, systemd units and the system user
# land under DESTDIR/PREFIX; the installed daemons accept the example configurations in
# config-check mode (-n); the Postfix snippet passes postconf, the Sendmail one m4 with
# sendmail-cf; systemd-analyze verifies the units where it can run.
. "$(dirname "$0")/../lib/harness.sh"
mxg_workdir

dest=$MXG_WORK/dest
prefix=/opt/mxg-deploy
make -s -C "$MXG_ROOT" install PREFIX=$prefix DESTDIR="$dest" >"$MXG_WORK/install.log" 2>&1
mxg_eq "make install exits 0" $? 0 || cat "$MXG_WORK/install.log"
root=$dest$prefix
ex=$root/share/doc/mxguard/examples
units=$root/lib/systemd/system
for f in milter.conf policyd.conf mxguard-unbound.conf unbound.conf postfix-main.cf postfix-master.cf sendmail.mc; do
	mxg_check "example $f installed" test -f "$ex/$f"
done
for f in mxguard-milter mxguard-policyd; do
	mxg_check "$f installed in PREFIX/sbin" test -x "$root/sbin/$f"
	mxg_check "$f(8) installed" test -f "$root/share/man/man8/$f.8"
	mxg_check "$f.service installed" test -f "$units/$f.service"
done
mxg_check "the guides installed" test -f "$root/share/doc/mxguard/guide-postfix.md"
mxg_check "sysusers.d entry for the mxguard user" grep -q '^u mxguard ' "$root/lib/sysusers.d/mxguard.conf"
mxg_check "nothing written to PREFIX outside DESTDIR" test ! -e "$prefix"
# Installed files name the paths of this installation, not the defaults written in the sources.
mxg_check "example unbound.conf loads the module from PREFIX/lib" \
	grep -q "dynlib-file: \"$prefix/lib/mxguard/mxguard.so\"" "$ex/unbound.conf"
left=$(grep -l /usr/local "$ex"/* "$root"/share/man/man*/* 2>/dev/null)
mxg_eq "no installed example or man page names /usr/local" "$left" ""
make -s -C "$MXG_ROOT" install PREFIX=$prefix SYSCONFDIR=/srv/etc DESTDIR="$dest/sysconf" >"$MXG_WORK/install-sysconf.log" 2>&1
mxg_check "with SYSCONFDIR, milter(8) names SYSCONFDIR/mxguard/milter.conf" \
	grep -q '^\.I /srv/etc/mxguard/milter.conf' "$dest/sysconf$prefix/share/man/man8/mxguard-milter.8"
mxg_check "with SYSCONFDIR, the example policyd.conf says how to check itself" \
	grep -q 'mxguard-policyd -n -c /srv/etc/mxguard/policyd.conf' "$dest/sysconf$prefix/share/doc/mxguard/examples/policyd.conf"

# The installed binaries with the installed example configurations, config-check mode.
out=$("$root/sbin/mxguard-milter" -n -c "$ex/milter.conf" 2>&1)
mxg_eq "installed milter accepts the example milter.conf" $? 0
mxg_match "milter -n says so" "$out" "configuration OK"
out=$("$root/sbin/mxguard-policyd" -n -c "$ex/policyd.conf" 2>&1)
mxg_eq "installed policyd accepts the example policyd.conf" $? 0
mxg_match "policyd -n says so" "$out" "configuration OK"
# -n must really check: a broken copy of each example is refused.
printf 'dmarc_reject = perhaps\n' | cat "$ex/milter.conf" - >"$MXG_WORK/bad-milter.conf"
"$root/sbin/mxguard-milter" -n -c "$MXG_WORK/bad-milter.conf" >/dev/null 2>&1
mxg_check "milter -n refuses a bad value" test $? != 0
printf 'route = example.org\n' | cat "$ex/policyd.conf" - >"$MXG_WORK/bad-policyd.conf"
"$root/sbin/mxguard-policyd" -n -c "$MXG_WORK/bad-policyd.conf" >/dev/null 2>&1
mxg_check "policyd -n refuses a route without a next hop" test $? != 0
# The Postfix snippet is valid main.cf syntax for this Postfix.
if command -v postconf >/dev/null 2>&1; then
	mkdir -p "$MXG_WORK/pfetc"
	cp "$ex/postfix-main.cf" "$MXG_WORK/pfetc/main.cf"
	cp /etc/postfix/master.cf "$MXG_WORK/pfetc/master.cf" 2>/dev/null || : >"$MXG_WORK/pfetc/master.cf"
	warn=$(postconf -c "$MXG_WORK/pfetc" -n 2>&1 >/dev/null)
	mxg_eq "postconf reads the main.cf snippet without warnings" "$warn" ""
	mxg_eq "the snippet sets the milter" "$(postconf -c "$MXG_WORK/pfetc" -h smtpd_milters)" "inet:127.0.0.1:8895"
fi

# The guide's merge commands, run as written (the installed guide) against a main.cf that
# already has a milter and restriction lists: they keep what is there and add mxguard's.
if command -v postconf >/dev/null 2>&1; then
	mkdir -p "$MXG_WORK/merge"
	cp "$MXG_WORK/pfetc/master.cf" "$MXG_WORK/merge/master.cf"
	cat >"$MXG_WORK/merge/main.cf" <<'CF'
smtpd_milters = inet:127.0.0.1:9999
non_smtpd_milters = $smtpd_milters
smtpd_recipient_restrictions = permit_mynetworks, reject_unauth_destination
CF
	awk '/^mxg_add\(\) \{/ { on = 1 } on && /^```/ { exit } on' "$root/share/doc/mxguard/guide-postfix.md" |
		sed 's/^postfix reload$/: postfix reload/' >"$MXG_WORK/merge.sh"
	mxg_check "the guide shows the merge commands" grep -q '^mxg_add smtpd_milters' "$MXG_WORK/merge.sh"
	for run in 1 2; do
		MAIL_CONFIG=$MXG_WORK/merge sh -e "$MXG_WORK/merge.sh" >"$MXG_WORK/merge.out" 2>&1
		mxg_eq "the merge commands run ($run)" $? 0
	done
	pc() { postconf -c "$MXG_WORK/merge" -h "$1"; }
	mxg_eq "existing milter kept, mxguard's added once" "$(pc smtpd_milters)" "inet:127.0.0.1:9999, inet:127.0.0.1:8895"
	mxg_eq "non_smtpd_milters still follows smtpd_milters" "$(pc non_smtpd_milters)" '$smtpd_milters'
	mxg_eq "recipient list kept, policy check appended" "$(pc smtpd_recipient_restrictions)" \
		"permit_mynetworks, reject_unauth_destination, check_policy_service { inet:127.0.0.1:10040, policy_context=recipient }"
	mxg_eq "empty sender list gets the sender check" "$(pc smtpd_sender_restrictions)" \
		"check_policy_service { inet:127.0.0.1:10040, policy_context=sender }"
	mxg_eq "transport_maps gets the socketmap" "$(pc transport_maps)" "socketmap:inet:127.0.0.1:10041:transport"
	mxg_eq "milter_default_action set" "$(pc milter_default_action)" "tempfail"
	warn=$(postconf -c "$MXG_WORK/merge" -n 2>&1 >/dev/null)
	mxg_eq "postconf reads the merged main.cf without warnings" "$warn" ""
fi

# The Sendmail snippet through Sendmail's own m4 macros (sendmail-cf): the filter line in the .cf.
cfm4=/usr/share/sendmail/cf/m4/cf.m4
if [ -f "$cfm4" ]; then
	{
		printf "include(\`%s')dnl\nOSTYPE(\`linux')dnl\nMAILER(\`smtp')dnl\n" "$cfm4"
		cat "$ex/sendmail.mc"
	} >"$MXG_WORK/test.mc"
	m4 "$MXG_WORK/test.mc" >"$MXG_WORK/test.cf" 2>"$MXG_WORK/m4.err"
	mxg_eq "m4 builds a sendmail.cf with the snippet" "$?:$(cat "$MXG_WORK/m4.err")" "0:"
	mxg_check "sendmail.cf lists the filter" grep -qx 'O InputMailFilters=mxguard' "$MXG_WORK/test.cf"
	mxg_check "sendmail.cf defines it on the example milter's socket" \
		grep -qx 'Xmxguard, S=inet:8895@127.0.0.1, F=T, T=C:30s;S:30s;R:60s;E:5m' "$MXG_WORK/test.cf"
	mxg_eq "the example milter.conf listens there" "$(sed -n 's/^socket = //p' "$ex/milter.conf")" "inet:8895@127.0.0.1"
else
	echo "skip - sendmail-cf is not installed: the .mc snippet was not built (this is not a pass)"
fi

# The units name the installed paths and are hardened.
for u in mxguard-milter mxguard-policyd; do
	f=$units/$u.service
	mxg_check "$u.service runs $prefix/sbin/$u" grep -q "^ExecStart=$prefix/sbin/$u -f -c /etc/mxguard/" "$f"
	for k in User=mxguard ProtectSystem=strict RuntimeDirectory=mxguard NoNewPrivileges=yes \
		CapabilityBoundingSet= PrivateTmp=yes; do
		mxg_check "$u.service has $k" grep -qx "$k" "$f"
	done
done
# The report unit runs mxguard report send with the milter's configuration, hourly by its timer
# (the reports go out as their intervals end: hourly for ri=3600, else daily).
f=$units/mxguard-report.service
mxg_check "mxguard-report.service runs $prefix/bin/mxguard report send" \
	grep -qx "ExecStart=$prefix/bin/mxguard report send --config /etc/mxguard/milter.conf" "$f"
for k in User=mxguard Type=oneshot StateDirectory=mxguard CapabilityBoundingSet= PrivateTmp=yes; do
	mxg_check "mxguard-report.service has $k" grep -qx "$k" "$f"
done
mxg_check "mxguard-report.timer runs hourly" grep -qx "OnCalendar=\*-\*-\* \*:05:00 UTC" "$units/mxguard-report.timer"
# systemd-analyze verify checks the directives and that ExecStart's program exists: verify a
# copy whose paths point into DESTDIR (the installed units name PREFIX, which is not there).
if command -v systemd-analyze >/dev/null 2>&1; then
	mkdir -p "$MXG_WORK/verify"
	for u in mxguard-milter.service mxguard-policyd.service mxguard-report.service mxguard-report.timer; do
		sed "s|$prefix/|$root/|g" "$units/$u" >"$MXG_WORK/verify/$u"
		out=$(SYSTEMD_LOG_LEVEL=notice systemd-analyze verify --man=no "$MXG_WORK/verify/$u" 2>&1)
		mxg_eq "systemd-analyze verify $u" "$?:$out" "0:"
	done
else
	echo "skip - systemd-analyze is not installed: units not verified (this is not a pass)"
fi
# Leave the build tree built for the default prefix, as the other suites expect.
make -s -C "$MXG_ROOT" all >/dev/null 2>&1
mxg_done
