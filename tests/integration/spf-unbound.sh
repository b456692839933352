#!/bin/sh
# SPF ptr and %{p} through libunbound for clients in private and documentation space: NSD on
# loopback serves the reverse zones a hybrid site's own servers would (10/8, 172.16/12,
# 192.168/16, 192.0.2/24, fd00::/8, 2001:db8::/32), and mxguard spf --resolver must reach
# them, as --zone does with the same files, instead of libunbound's local NXDOMAIN (RFC 6303
# defaults). 127.in-addr.arpa stays answered locally. With a trust anchor for a signed
# in-addr.arpa that does not delegate 10.in-addr.arpa, the internal zone is still usable.
. "$(dirname "$0")/../lib/harness.sh"
mxg_require_netns "$@"
mxg_workdir

mxguard=$MXG_BUILD/mxguard
port=5366
z=$MXG_WORK/zones
mkdir -p "$z"

# zone NAME BODY: writes $z/NAME.zone with an SOA and NS, then BODY (relative owners).
zone() {
	{
		printf '$ORIGIN %s.\n$TTL 300\n' "$1"
		printf '@ IN SOA ns1.hyb.test. hostmaster.hyb.test. ( 1 3600 600 86400 60 )\n'
		printf '@ IN NS ns1.hyb.test.\n%s\n' "$2"
	} >"$z/$1.zone"
}

zone hyb.test 'ns1 IN A 127.0.0.1
@ IN TXT "v=spf1 ptr -all"
macro IN TXT "v=spf1 exists:%{p}._ok.hyb.test -all"
lo IN TXT "v=spf1 ptr:hyb.test -all"
relay10 IN A 10.1.2.3
relay172 IN A 172.20.0.5
relay192 IN A 192.168.7.9
doc IN A 192.0.2.25
relay6 IN AAAA fd00::25
doc6 IN AAAA 2001:db8::25
lo IN A 127.0.0.1
relay10.hyb.test._ok IN A 127.0.0.2
doc.hyb.test._ok IN A 127.0.0.2
doc6.hyb.test._ok IN A 127.0.0.2'
zone 10.in-addr.arpa '3.2.1 IN PTR relay10.hyb.test.'
zone 20.172.in-addr.arpa '5.0 IN PTR relay172.hyb.test.'
zone 168.192.in-addr.arpa '9.7 IN PTR relay192.hyb.test.'
zone 2.0.192.in-addr.arpa '25 IN PTR doc.hyb.test.'
zone d.f.ip6.arpa '5.2.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0 IN PTR relay6.hyb.test.'
zone 8.b.d.0.1.0.0.2.ip6.arpa '5.2.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0 IN PTR doc6.hyb.test.'
# What a forwarder would say about loopback, were it asked: it must not be.
zone 127.in-addr.arpa '1.0.0 IN PTR lo.hyb.test.'

reverse="10.in-addr.arpa 20.172.in-addr.arpa 168.192.in-addr.arpa 2.0.192.in-addr.arpa
d.f.ip6.arpa 8.b.d.0.1.0.0.2.ip6.arpa"
served=
zones=
for n in hyb.test $reverse 127.in-addr.arpa; do
	served="$served $n=$z/$n.zone"
	zones="$zones --zone $z/$n.zone"
done

# A signed in-addr.arpa without a delegation for 10.in-addr.arpa: the public chain would call
# the internal zone's answers bogus.
sign_parent() {
	d=$MXG_WORK/sec
	mkdir -p "$d"
	printf '$ORIGIN in-addr.arpa.\n$TTL 300\n@ IN SOA ns1.hyb.test. hostmaster.hyb.test. ( 1 3600 600 86400 60 )\n@ IN NS ns1.hyb.test.\n4.3.2.1 IN PTR public.example.\n' \
		>"$d/in-addr.arpa.zone"
	(cd "$d" && ldns-keygen -a ED25519 -k in-addr.arpa >ksk && ldns-keygen -a ED25519 in-addr.arpa >zsk &&
		ldns-signzone -o in-addr.arpa in-addr.arpa.zone "$(cat ksk)" "$(cat zsk)") || return 1
	cp "$d/$(cat "$d/ksk").ds" "$d/anchor"
}
sign_parent || { mxg_not_ok "sign in-addr.arpa with ldns-signzone"; mxg_done; }

# shellcheck disable=SC2086
mxg_require "NSD serves hyb.test and the private reverse zones on 127.0.0.1@$port" \
	mxg_nsd_start $port $served "in-addr.arpa=$MXG_WORK/sec/in-addr.arpa.zone.signed"

# spf BACKEND-OPTIONS... -- ARGS...: the result line of mxguard spf.
spf_zone() {
	# shellcheck disable=SC2086
	"$mxguard" spf $zones "$@" 2>&1 | sed -n 's/^result: //p'
}
spf_ub() {
	"$mxguard" spf --resolver 127.0.0.1@$port --timeout 5 "$@" 2>&1 | sed -n 's/^result: //p'
}

# Each client: the zone backend and libunbound agree, and both pass.
for c in "10.1.2.3 hyb.test" "172.20.0.5 hyb.test" "192.168.7.9 hyb.test" "192.0.2.25 hyb.test" \
	"fd00::25 hyb.test" "2001:db8::25 hyb.test" "10.1.2.3 macro.hyb.test" \
	"192.0.2.25 macro.hyb.test" "2001:db8::25 macro.hyb.test"; do
	set -- $c
	what=ptr
	[ "$2" = macro.hyb.test ] && what=%{p}
	mxg_eq "$what, $1: zone backend passes" "$(spf_zone "$1" "x@$2")" pass
	mxg_eq "$what, $1: libunbound passes as the zone backend does" "$(spf_ub "$1" "x@$2")" pass
done
# A client without a PTR record still fails: the zones are asked, not made up.
mxg_eq "ptr, 10.9.9.9 (no PTR): fail" "$(spf_ub 10.9.9.9 x@hyb.test)" fail
mxg_eq "%{p}, 192.0.2.99 (no PTR): fail" "$(spf_ub 192.0.2.99 x@macro.hyb.test)" fail
# The exists term with %{p} is what matched.
out=$("$mxguard" spf --resolver 127.0.0.1@$port --timeout 5 10.1.2.3 x@macro.hyb.test 2>&1)
mxg_match "%{p} expands to the validated name" "$out" '^mechanism: exists:%\{p\}\._ok\.hyb\.test$'

# Loopback stays local: NSD's PTR for 127.0.0.1 is never asked for.
mxg_eq "zone backend: 127.0.0.1 passes with the served PTR" "$(spf_zone 127.0.0.1 x@lo.hyb.test)" pass
mxg_eq "libunbound: 127.0.0.1 keeps the local PTR (localhost), fails" \
	"$(spf_ub 127.0.0.1 x@lo.hyb.test)" fail

# A trust anchor for in-addr.arpa: the private reverse zone is not validated against it.
ta=$MXG_WORK/sec/anchor
mxg_eq "trust anchor for in-addr.arpa: 10.1.2.3 still passes" \
	"$(spf_ub --trust-anchor "$ta" 10.1.2.3 x@hyb.test)" pass
probe=$MXG_BUILD/tests/tools/dns_probe
if [ -x "$probe" ]; then
	out=$("$probe" --resolver 127.0.0.1@$port --trust-anchor "$ta" 4.3.2.1.in-addr.arpa/PTR \
		3.2.1.10.in-addr.arpa/PTR 2>/dev/null)
	mxg_match "signed in-addr.arpa: secure" "$out" '^4\.3\.2\.1\.in-addr\.arpa PTR NOERROR secure'
	mxg_match "10.in-addr.arpa under the anchor: insecure, answered" "$out" \
		'^3\.2\.1\.10\.in-addr\.arpa PTR NOERROR insecure count=1'
else
	mxg_not_ok "$probe is built (make check-prepare)"
fi

mxg_done
