#!/bin/sh
# mxguard check --probe against real MX hosts on loopback: one private Postfix listening on
# 127.0.0.2 ... 127.0.0.11 port 25 with a different setting per address (a valid certificate
# from a CA made here with openssl, no STARTTLS, a wrong-name, an expired, an expiring
# certificate, TLS 1.1 only, a backup MX that refuses the domain, an open relay: mynetworks
# covering all of 127/8), listeners that never speak, botch STARTTLS, send an endless line or
# an endless reply (tests/integration/probe_servers.py), and an address with nothing; NSD
# serving a signed zone (ldns-signzone, a trust anchor for libunbound) with TLSA records, an
# unsigned one, and 127.in-addr.arpa. Every finding of the probe and of DANE has a case that
# raises it and one that must not. Every probed address is in 127/8.
. "$(dirname "$0")/../lib/harness.sh"
mxg_require_netns "$@"
mxg_workdir
. "$MXG_ROOT/tests/lib/postfix.sh"

port=5361
mxguard=$MXG_BUILD/mxguard
pki=$MXG_WORK/pki
zones=$MXG_WORK/zones
mkdir -p "$pki" "$zones"

# --- certificates: a private CA, and leaf certificates issued by openssl ca ---

ca_setup() {
	mkdir -p "$pki/new" && : >"$pki/index.txt" && echo 01 >"$pki/serial"
	cat >"$pki/ca.cnf" <<EOF
[ ca ]
default_ca = test
[ test ]
database = $pki/index.txt
new_certs_dir = $pki/new
serial = $pki/serial
default_md = sha256
policy = any
copy_extensions = copy
unique_subject = no
[ any ]
commonName = supplied
EOF
	openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 30 \
		-subj "/CN=mxguard probe test CA" -keyout "$pki/ca.key" -out "$pki/ca.pem" 2>/dev/null
}

# issue NAME "DNS:a,DNS:b" [openssl ca date options]: $pki/NAME.pem holds key then certificate.
issue() {
	name=$1 san=$2
	shift 2
	openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj "/CN=${san%%,*}" \
		-addext "subjectAltName=$san" -keyout "$pki/$name.key" -out "$pki/$name.csr" 2>/dev/null &&
		openssl ca -batch -notext -config "$pki/ca.cnf" -cert "$pki/ca.pem" -keyfile "$pki/ca.key" \
			-in "$pki/$name.csr" -out "$pki/$name.crt" "$@" 2>/dev/null &&
		cat "$pki/$name.key" "$pki/$name.crt" >"$pki/$name.pem"
}

# The SHA-256 of a certificate's public key, as a TLSA 3 1 1 record holds it.
spki_sha256() {
	openssl x509 -in "$1" -noout -pubkey | openssl pkey -pubin -outform DER | sha256sum | cut -d' ' -f1
}

make_pki() {
	ca_setup || return 1
	good_names=DNS:mx-good.sec.test,DNS:mx-danebad.sec.test,DNS:mx-badusage.sec.test,DNS:mx-tlsabogus.sec.test
	good_names=$good_names,DNS:mx-notls.plain.test,DNS:mx-backup.plain.test,DNS:mx-relay.plain.test
	good_names=$good_names,DNS:mx-unsigned.plain.test,DNS:mx-old.plain.test
	issue good "$good_names" -days 60 &&
		issue wrongname DNS:somewhere-else.invalid -days 60 &&
		issue expired DNS:mx-expired.plain.test -startdate 20200101000000Z -enddate 20200201000000Z &&
		issue expiring DNS:mx-expiring.plain.test -enddate "$(date -u -d '+5 days' +%Y%m%d%H%M%SZ)"
}

# --- zones ---

make_zones() {
	good=$(spki_sha256 "$pki/good.crt")
	other=$(spki_sha256 "$pki/wrongname.crt")
	cat >"$zones/sec.test.zone" <<EOF
\$ORIGIN sec.test.
\$TTL 3600
@ IN SOA ns1 hostmaster ( 1 3600 600 86400 120 )
@ IN NS ns1
ns1 IN A 127.0.0.1
mx-good IN A 127.0.0.2
_25._tcp.mx-good IN TLSA 3 1 1 $good
mx-danebad IN A 127.0.0.2
_25._tcp.mx-danebad IN TLSA 3 1 1 $other
mx-badusage IN A 127.0.0.2
_25._tcp.mx-badusage IN TLSA 1 1 1 $good
_25._tcp.mx-badusage IN TLSA 3 1 1 $good
mx-tlsabogus IN A 127.0.0.2
_25._tcp.mx-tlsabogus IN TLSA 3 1 1 $good
good IN MX 10 mx-good
tlsabogus IN MX 10 mx-tlsabogus
danebad IN MX 10 mx-danebad
badusage IN MX 10 mx-badusage
EOF
	cat >"$zones/plain.test.zone" <<EOF
\$ORIGIN plain.test.
\$TTL 3600
@ IN SOA ns1.sec.test. hostmaster.sec.test. ( 1 3600 600 86400 120 )
@ IN NS ns1.sec.test.
mx-notls IN A 127.0.0.3
mx-wrongname IN A 127.0.0.4
mx-expired IN A 127.0.0.5
mx-expiring IN A 127.0.0.6
mx-backup IN A 127.0.0.7
mx-relay IN A 127.0.0.8
mx-silent IN A 127.0.0.9
mx-silent2 IN A 127.0.0.9
mx-dead IN A 127.0.0.10
mx-old IN A 127.0.0.11
mx-badtls IN A 127.0.0.12
mx-longline IN A 127.0.0.13
mx-manylines IN A 127.0.0.14
mx-unsigned IN A 127.0.0.2
_25._tcp.mx-unsigned IN TLSA 3 1 1 $good
elsewhere IN A 127.0.0.99
notls IN MX 10 mx-notls
wrongname IN MX 10 mx-wrongname
expired IN MX 10 mx-expired
expiring IN MX 10 mx-expiring
backup IN MX 10 mx-good.sec.test.
backup IN MX 20 mx-backup
relay IN MX 10 mx-relay
silent IN MX 10 mx-silent
silent IN MX 20 mx-silent2
dead IN MX 10 mx-dead
old IN MX 10 mx-old
badtls IN MX 10 mx-badtls
longline IN MX 10 mx-longline
manylines IN MX 10 mx-manylines
unsigned IN MX 10 mx-unsigned
insecure IN MX 10 mx-good.sec.test.
EOF
	# 127.0.0.3 has no reverse name; 127.0.0.4's does not lead back.
	cat >"$zones/127.in-addr.arpa.zone" <<EOF
\$ORIGIN 127.in-addr.arpa.
\$TTL 3600
@ IN SOA ns1.sec.test. hostmaster.sec.test. ( 1 3600 600 86400 120 )
@ IN NS ns1.sec.test.
2.0.0 IN PTR mx-good.sec.test.
4.0.0 IN PTR elsewhere.plain.test.
5.0.0 IN PTR mx-expired.plain.test.
6.0.0 IN PTR mx-expiring.plain.test.
7.0.0 IN PTR mx-backup.plain.test.
8.0.0 IN PTR mx-relay.plain.test.
11.0.0 IN PTR mx-old.plain.test.
12.0.0 IN PTR mx-badtls.plain.test.
EOF
	(cd "$zones" && ldns-keygen -a ED25519 -k sec.test >ksk && ldns-keygen -a ED25519 sec.test >zsk &&
		ldns-signzone -o sec.test sec.test.zone "$(cat ksk)" "$(cat zsk)" &&
		cp "$(cat ksk).ds" anchor) || return 1
	# mx-tlsabogus's TLSA altered after signing: validation fails (bogus).
	sed -i "/^_25\._tcp\.mx-tlsabogus\.sec\.test\..*TLSA/s/$good/$other/I" "$zones/sec.test.zone.signed" &&
		grep -qi "^_25\._tcp\.mx-tlsabogus\.sec\.test\..*TLSA.*$other" "$zones/sec.test.zone.signed"
}

# --- servers ---

# One smtpd per address, each with its own settings (master.cf -o overrides).
listeners() {
	tls="-o smtpd_tls_security_level=may -o smtpd_tls_chain_files=$pki"
	cat <<EOF
127.0.0.2:25 inet n - n - - smtpd $tls/good.pem
127.0.0.3:25 inet n - n - - smtpd
127.0.0.4:25 inet n - n - - smtpd $tls/wrongname.pem
127.0.0.5:25 inet n - n - - smtpd $tls/expired.pem
127.0.0.6:25 inet n - n - - smtpd $tls/expiring.pem
127.0.0.7:25 inet n - n - - smtpd $tls/good.pem -o smtpd_relay_restrictions=reject
127.0.0.8:25 inet n - n - - smtpd $tls/good.pem -o mynetworks=127.0.0.0/8
127.0.0.11:25 inet n - n - - smtpd $tls/good.pem -o smtpd_tls_protocols=<=TLSv1.1 -o tls_medium_cipherlist=DEFAULT:@SECLEVEL=0
EOF
}

listening() {
	ss -H -ltn "src $1:25" 2>/dev/null | grep -q .
}

start_servers() {
	for i in 2 3 4 5 6 7 8 9 10 11 12 13 14; do
		ip addr add "127.0.0.$i/8" dev lo 2>/dev/null
	done
	# Nobody on 127/8 counts as a trusted network: the probe connects from 127.0.0.1.
	MXG_PF_MASTER_EXTRA=$(listeners) mxg_postfix_start mynetworks=127.0.0.254/32 \
		"relay_domains=sec.test plain.test" inet_interfaces=all || return 1
	mxg_bg silent "$MXG_PYTHON" "$MXG_ROOT/tests/integration/probe_servers.py" silent 127.0.0.9
	mxg_bg badtls "$MXG_PYTHON" "$MXG_ROOT/tests/integration/probe_servers.py" badtls 127.0.0.12
	mxg_bg longline "$MXG_PYTHON" "$MXG_ROOT/tests/integration/probe_servers.py" longline 127.0.0.13
	mxg_bg manylines "$MXG_PYTHON" "$MXG_ROOT/tests/integration/probe_servers.py" manylines 127.0.0.14
	for i in 2 3 4 5 6 7 8 9 11 12 13 14; do
		mxg_wait_until 20 listening "127.0.0.$i" || { echo "nothing on 127.0.0.$i:25" >&2; return 1; }
	done
}

mxg_require "a CA and certificates made with openssl" make_pki
mxg_require "sec.test signed with ldns-signzone" make_zones
# On 53 too: ns1.sec.test (127.0.0.1) is asked directly for the TTLs the zones publish.
mxg_require "NSD serves sec.test (signed), plain.test and 127.in-addr.arpa" \
	mxg_nsd_start "$port 53" "sec.test=$zones/sec.test.zone.signed" "plain.test=$zones/plain.test.zone" \
	"127.in-addr.arpa=$zones/127.in-addr.arpa.zone"
mxg_require "Postfix on 127.0.0.2-8 and .11, the misbehaving listeners on .9 and .12-14" start_servers

# probe DOMAIN [OPTIONS]: mxguard check --probe through NSD with the trust anchor, bounded by
# timeout; the output (text) in $out, the exit status in $rc.
probe() {
	d=$1
	shift
	out=$(timeout 120 "$mxguard" check --resolver 127.0.0.1@$port --trust-anchor "$zones/anchor" \
		--timeout 5 --probe --ca-file "$pki/ca.pem" "$@" "$d" 2>&1)
	rc=$?
	printf '%s\n' "$out" >>"$MXG_WORK/all.out"
}

# The findings of the probe and DANE: none of these may appear for a healthy, signed domain.
all_codes="MX_SMTP_UNREACHABLE MX_NO_STARTTLS MX_TLS_HANDSHAKE_FAILED MX_TLS_OLD_PROTOCOL
MX_TLS_CERT_NAME_MISMATCH MX_TLS_CERT_EXPIRED MX_TLS_CERT_EXPIRING MX_TLS_CERT_UNTRUSTED
MX_BACKUP_REJECTS_DOMAIN MX_OPEN_RELAY MX_NO_PTR MX_PTR_MISMATCH DANE_TLSA_MISMATCH
DANE_TLSA_UNSIGNED DANE_TLSA_BAD_USAGE DANE_MX_INSECURE MX_DNSSEC_INSECURE"

probe good.sec.test
good_out=$out
for code in $all_codes; do
	mxg_nomatch "good.sec.test (signed, DANE matches, trusted, accepts postmaster, no relay): no $code" \
		"$out" "$code"
done

probe good.sec.test --json
mxg_check "good.sec.test --json: the probe saw TLS at 127.0.0.2 and finished" sh -c \
	'printf "%s" "$1" | "$2" -c "import json,sys; p=json.load(sys.stdin)[\"domains\"][0][\"probe\"]; \
sys.exit(not (p[0][\"address\"] == \"127.0.0.2\" and p[0][\"stage\"] == \"done\" and p[0][\"tls\"].startswith(\"TLSv1.\")))"' \
	_ "$out" "$MXG_PYTHON"

out=$(timeout 120 "$mxguard" check --resolver 127.0.0.1@$port --trust-anchor "$zones/anchor" \
	--timeout 5 --probe good.sec.test 2>&1)
mxg_match "without --ca-file the private CA is unknown: MX_TLS_CERT_UNTRUSTED (warning)" "$out" \
	"WARNING +MX_TLS_CERT_UNTRUSTED"

probe notls.plain.test
mxg_match "no STARTTLS: MX_NO_STARTTLS" "$out" "MX_NO_STARTTLS"
mxg_match "no PTR for 127.0.0.3: MX_NO_PTR" "$out" "MX_NO_PTR"
mxg_match "unsigned MX RRset: MX_DNSSEC_INSECURE (info)" "$out" "INFO +MX_DNSSEC_INSECURE"
mxg_nomatch "no STARTTLS: no certificate findings" "$out" "MX_TLS_CERT"

probe wrongname.plain.test
mxg_match "wrong-name certificate: MX_TLS_CERT_NAME_MISMATCH" "$out" "MX_TLS_CERT_NAME_MISMATCH"
mxg_match "PTR of 127.0.0.4 leads elsewhere: MX_PTR_MISMATCH" "$out" "MX_PTR_MISMATCH"
mxg_nomatch "wrong-name certificate from the trusted CA: not MX_TLS_CERT_UNTRUSTED" "$out" "MX_TLS_CERT_UNTRUSTED"

probe expired.plain.test
mxg_match "expired certificate: MX_TLS_CERT_EXPIRED" "$out" "MX_TLS_CERT_EXPIRED"
mxg_nomatch "expired certificate: dates are not trust (no MX_TLS_CERT_UNTRUSTED)" "$out" "MX_TLS_CERT_UNTRUSTED"
mxg_nomatch "expired certificate: not MX_TLS_CERT_EXPIRING" "$out" "MX_TLS_CERT_EXPIRING"

probe expiring.plain.test
mxg_match "certificate ending in 5 days: MX_TLS_CERT_EXPIRING" "$out" "MX_TLS_CERT_EXPIRING"
mxg_nomatch "certificate ending in 5 days: not MX_TLS_CERT_EXPIRED" "$out" "MX_TLS_CERT_EXPIRED"

probe backup.plain.test
mxg_match "backup MX refusing the domain: MX_BACKUP_REJECTS_DOMAIN at mx-backup" "$out" \
	"MX_BACKUP_REJECTS_DOMAIN.*"
mxg_eq "only the backup MX refuses postmaster@backup.plain.test" \
	"$(printf '%s\n' "$out" | grep -A1 MX_BACKUP_REJECTS_DOMAIN | grep -c 'mx-backup.plain.test \[127.0.0.7\] refuses')" 1
mxg_eq "one MX_BACKUP_REJECTS_DOMAIN (mx-good accepts the domain)" \
	"$(printf '%s\n' "$out" | grep -c MX_BACKUP_REJECTS_DOMAIN)" 1
mxg_nomatch "a backup MX refusing everything is no open relay" "$out" "MX_OPEN_RELAY"

probe relay.plain.test
mxg_match "open relay: MX_OPEN_RELAY (critical)" "$out" "CRITICAL +MX_OPEN_RELAY"
mxg_eq "open relay: exit 2" "$rc" 2

probe dead.plain.test
mxg_match "nothing listening: MX_SMTP_UNREACHABLE (refused)" "$out" "127.0.0.10\]: connect: Connection refused"

# A listener that never sends a banner: the probe gives up at --probe-timeout; timeout(1) only
# keeps a broken build from hanging the suite.
out=$(timeout 60 "$mxguard" check --resolver 127.0.0.1@$port --timeout 5 --probe --probe-timeout 3 \
	silent.plain.test 2>&1)
rc=$?
mxg_check "silent listener: the probe ends by itself (exit $rc, not timeout's 124)" test "$rc" -ne 124
mxg_match "silent listener: MX_SMTP_UNREACHABLE, no banner" "$out" "mx-silent.plain.test \[127.0.0.9\]: banner: no reply in time"
mxg_match "silent listener, second MX: reported too, under the same --probe-timeout" "$out" \
	"mx-silent2.plain.test \[127.0.0.9\]: banner: no reply in time"

# Replies are bounded: an endless line, and a reply of endless lines, are refused as such.
probe longline.plain.test
mxg_match "banner line of 1 MB: MX_SMTP_UNREACHABLE, line too long" "$out" \
	"127.0.0.13\]: banner: a reply line over 1000 octets"
probe manylines.plain.test
mxg_match "banner of 1000 lines: MX_SMTP_UNREACHABLE, too many lines" "$out" \
	"127.0.0.14\]: banner: a reply of over 64 lines"

probe old.plain.test
mxg_match "TLS 1.1 only: MX_TLS_OLD_PROTOCOL" "$out" "MX_TLS_OLD_PROTOCOL"
mxg_nomatch "TLS 1.1 only: the handshake itself works" "$out" "MX_TLS_HANDSHAKE_FAILED"

probe badtls.plain.test
mxg_match "STARTTLS then no TLS: MX_TLS_HANDSHAKE_FAILED" "$out" "MX_TLS_HANDSHAKE_FAILED"
mxg_nomatch "STARTTLS then no TLS: not MX_NO_STARTTLS" "$out" "MX_NO_STARTTLS"

probe tlsabogus.sec.test
mxg_match "TLSA RRset that fails validation: could not check DANE (SERVFAIL)" "$out" \
	"could not check: .*DANE: _25._tcp.mx-tlsabogus.sec.test TLSA: SERVFAIL"
mxg_nomatch "a signed, valid TLSA RRset is no DANE problem" "$good_out" "DANE: _25"

probe danebad.sec.test
mxg_match "TLSA names another key: DANE_TLSA_MISMATCH (critical)" "$out" "CRITICAL +DANE_TLSA_MISMATCH"

probe badusage.sec.test
mxg_match "TLSA usage 1: DANE_TLSA_BAD_USAGE" "$out" "DANE_TLSA_BAD_USAGE"
mxg_nomatch "TLSA usage 1 beside a matching 3 1 1: no DANE_TLSA_MISMATCH" "$out" "DANE_TLSA_MISMATCH"

probe unsigned.plain.test
mxg_match "TLSA in an unsigned zone: DANE_TLSA_UNSIGNED" "$out" "DANE_TLSA_UNSIGNED"

probe insecure.plain.test
mxg_match "signed TLSA behind an unsigned MX RRset: DANE_MX_INSECURE" "$out" "DANE_MX_INSECURE"
mxg_nomatch "signed TLSA: not DANE_TLSA_UNSIGNED" "$out" "DANE_TLSA_UNSIGNED"

# Without --probe nothing is probed.
out=$(timeout 60 "$mxguard" check --resolver 127.0.0.1@$port --timeout 5 relay.plain.test 2>&1)
mxg_nomatch "without --probe: no MX_OPEN_RELAY" "$out" "MX_OPEN_RELAY"
out=$("$mxguard" check --ca-file "$pki/ca.pem" relay.plain.test 2>&1)
mxg_eq "--ca-file without --probe: exit 3" "$?" 3

# With MXG_BUILD=build/san (the ASan+UBSan build), any report shows here.
mxg_nomatch "no run printed a sanitizer report" "$(cat "$MXG_WORK/all.out")" "Sanitizer|runtime error"

mxg_done
