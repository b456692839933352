#!/bin/sh
# make deb builds the four Debian packages (CLI, milter, policy daemon, Unbound module) with
# debhelper; lintian finds no error or warning in them; they install with dpkg inside a
# private mount namespace over an overlay of /usr, /etc and /var (the real system is never
# written); and the daemons run from the installed files: config checks of the shipped
# configurations, mxguard check with the installed SPF table, the milter answering
# miltertest, the system user created, the units enabled.
. "$(dirname "$0")/../lib/harness.sh"
mxg_require_netns "$@"
mxg_workdir
unset MXGUARD_DATADIR

if [ "${MXG_DEB_INSIDE:-}" != 1 ]; then
	make -s -C "$MXG_ROOT" deb >"$MXG_WORK/deb.log" 2>&1
	mxg_eq "make deb exits 0" $? 0 || tail -n 30 "$MXG_WORK/deb.log"
	debs=$MXG_ROOT/build/deb
	for p in mxguard mxguard-milter mxguard-policyd mxguard-unbound-module; do
		set -- "$debs/${p}_"*.deb
		mxg_check "package $p built" test -f "$1"
	done
	if command -v lintian >/dev/null 2>&1; then
		lintian --fail-on error,warning "$debs"/*.deb \
			>"$MXG_WORK/lintian.log" 2>&1
		mxg_eq "lintian: no error or warning" "$?:$(grep -E '^[EW]:' "$MXG_WORK/lintian.log")" "0:"
	else
		mxg_not_ok "lintian is installed (scripts/install-deps)"
	fi
	mxg_check "the milter package ships its unit" sh -c \
		"dpkg-deb -c '$debs/'mxguard-milter_*.deb | grep '/lib/systemd/system/mxguard-milter.service' >/dev/null"
	mxg_check "the module package records its Unbound build" sh -c \
		"dpkg-deb -c '$debs/'mxguard-unbound-module_*.deb | grep '/usr/lib/mxguard/mxguard.so.unbound-version' >/dev/null"

	# The installation runs in its own mount namespace: every mount made there, and every
	# file dpkg writes, disappears with it.
	out=$(MXG_DEB_INSIDE=1 MXG_DEB_DIR=$debs \
		unshare --mount --propagation private sh "$0" 2>&1)
	rc=$?
	printf '%s\n' "$out" | grep -v '^[0-9]* passed, [0-9]* failed$'
	set -- $(printf '%s\n' "$out" | sed -n 's/^\([0-9]*\) passed, \([0-9]*\) failed$/\1 \2/p' | tail -n 1)
	mxg_passed=$((mxg_passed + ${1:-0}))
	mxg_failed=$((mxg_failed + ${2:-0}))
	[ "$rc" = 0 ] || [ "${2:-0}" != 0 ] || mxg_not_ok "the namespace part exits 0 (got $rc)"
	mxg_check "the real system has no mxguard-milter" test ! -e /usr/sbin/mxguard-milter
	mxg_check "the real dpkg database knows no mxguard package" sh -c \
		"! dpkg-query -W -f='\${Status}\n' mxguard-milter 2>/dev/null | grep -q installed"
	mxg_done
fi

# Inside the private mount namespace.
# The upper layers on a tmpfs (an overlay cannot take its upper layer from another overlay,
# which the container's /tmp may be), unmounted before the work directory is removed.
ov=$MXG_WORK/overlay
mkdir -p "$ov"
mount -t tmpfs mxguard-deb "$ov" || { mxg_not_ok "tmpfs for the overlay"; mxg_done; }
deb_umount() { for d in usr etc var; do umount -l "/$d"; done; umount -l "$ov"; }
MXG_CLEANUP_HOOKS="${MXG_CLEANUP_HOOKS:-} deb_umount"
for d in usr etc var; do
	mkdir -p "$ov/$d.up" "$ov/$d.work"
	mount -t overlay overlay -o "lowerdir=/$d,upperdir=$ov/$d.up,workdir=$ov/$d.work" "/$d"
	mxg_eq "overlay over /$d" $? 0 || mxg_done
done
# No service is started here, whatever init the machine has (policy-rc.d: 101 = refused).
printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d && chmod 755 /usr/sbin/policy-rc.d

set --
for p in mxguard mxguard-milter mxguard-policyd mxguard-unbound-module; do
	set -- "$@" "$MXG_DEB_DIR/${p}_"*_*.deb
done
DEBIAN_FRONTEND=noninteractive dpkg -i "$@" >"$MXG_WORK/dpkg.log" 2>&1
mxg_eq "dpkg -i installs the four packages" $? 0 || tail -n 20 "$MXG_WORK/dpkg.log"
for p in mxguard mxguard-milter mxguard-policyd mxguard-unbound-module; do
	mxg_match "$p is installed" "$(dpkg-query -W -f='${Status}' "$p" 2>&1)" "install ok installed"
done
mxg_check "the postinst created the mxguard system user" sh -c 'getent passwd mxguard | grep -q ":/nonexistent:"'
mxg_check "the milter unit is enabled" test -L /etc/systemd/system/multi-user.target.wants/mxguard-milter.service
mxg_check "the policyd unit is enabled" test -L /etc/systemd/system/multi-user.target.wants/mxguard-policyd.service
mxg_check "shipped configurations are conffiles" sh -c \
	"grep -qx /etc/mxguard/milter.conf /var/lib/dpkg/info/mxguard-milter.conffiles && grep -qx /etc/mxguard/policyd.conf /var/lib/dpkg/info/mxguard-policyd.conffiles"
mxg_match "the unit runs the installed milter" "$(grep '^ExecStart=' /lib/systemd/system/mxguard-milter.service)" \
	"^ExecStart=/usr/sbin/mxguard-milter -f -c /etc/mxguard/milter.conf"
mxg_match "the module's example loads it from /usr/lib" "$(cat /usr/share/doc/mxguard-unbound-module/examples/unbound.conf)" \
	'dynlib-file: "/usr/lib/mxguard/mxguard.so"'

# The installed programs, as the units run them.
out=$(/usr/sbin/mxguard-milter -n -c /etc/mxguard/milter.conf 2>&1)
mxg_eq "installed milter accepts /etc/mxguard/milter.conf (-n)" "$?" 0
mxg_match "milter -n says so" "$out" "configuration OK"
out=$(/usr/sbin/mxguard-policyd -n -c /etc/mxguard/policyd.conf 2>&1)
mxg_eq "installed policyd accepts /etc/mxguard/policyd.conf (-n)" "$?" 0
mxg_match "policyd -n says so" "$out" "configuration OK"
out=$(/usr/bin/mxguard check --zone "$MXG_ROOT/tests/data/zones/spf.test.zone" m365.spf.test 2>&1)
mxg_match "installed mxguard check reads /usr/share/mxguard's table" "$out" "SPF_PROVIDER_NOT_AUTHORIZED"

# The milter from the package, as the mxguard user, on a loopback port, answering miltertest.
port=8896
sed "s|^socket = .*|socket = inet:$port@127.0.0.1|" /etc/mxguard/milter.conf >"$MXG_WORK/milter.conf"
chmod 644 "$MXG_WORK/milter.conf"
mxg_bg milter setpriv --reuid=mxguard --regid=mxguard --clear-groups /usr/sbin/mxguard-milter -f -c "$MXG_WORK/milter.conf"
if mxg_wait_port "$port" tcp 10; then
	out=$(MILTER=inet:$port@127.0.0.1 timeout 60 miltertest -s "$MXG_ROOT/tests/integration/deb/answer.lua" 2>&1)
	printf '%s\n' "$out" | grep -v '^[0-9]* passed, [0-9]* failed$'
	set -- $(printf '%s\n' "$out" | sed -n 's/^\([0-9]*\) passed, \([0-9]*\) failed$/\1 \2/p' | tail -n 1)
	mxg_passed=$((mxg_passed + ${1:-0}))
	mxg_failed=$((mxg_failed + ${2:-1}))
	mxg_match "the milter runs as mxguard" "$(ps -o user= -p "$MXG_PID_milter")" "mxguard"
else
	mxg_not_ok "the packaged milter listens on $port"
	sed 's/^/    # /' "$MXG_WORK/milter.log"
fi
mxg_stop milter
mxg_done
