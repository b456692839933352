# Shared by the milter suites; source after tests/lib/harness.sh. Gives: the auth.test zone
# (SPF, DKIM keys made now, DMARC) on NSD, mxguard-milter instances, test messages and dkimpy
# signatures.

MILTER_BIN=$MXG_BUILD/mxguard-milter
MILTER_DNS_PORT=${MILTER_DNS_PORT:-5364}
# The address the zone's SPF records and HELO name allow (the benchmark sends from loopback).
MILTER_SPF_IP=${MILTER_SPF_IP:-192.0.2.10}
MILTER_AUTHSERV=mta.mxguard.test
MILTER_DIR=$MXG_ROOT/tests/integration/milter
if [ -z "${MXG_PYTHON:-}" ]; then
	MXG_PYTHON=python3
	[ -x /usr/bin/python3 ] && MXG_PYTHON=/usr/bin/python3
fi

# The public half of an RSA key as a DKIM TXT record: quoted strings of at most 200 characters.
milter_dkim_txt() {
	p=$(openssl rsa -in "$1" -pubout -outform DER 2>/dev/null | base64 -w0)
	printf '( "v=DKIM1; k=rsa; p="'
	while [ -n "$p" ]; do
		printf ' "%s"' "$(printf %s "$p" | cut -c1-200)"
		p=$(printf %s "$p" | cut -c201-)
	done
	printf ' )'
}

# milter_zone_setup: keys, the zone test. (names under auth.test), NSD serving it.
# MILTER_DMARC_ALIGNED and MILTER_DMARC_QUAR replace the two DMARC records, MILTER_ZONE_EXTRA
# adds lines (names relative to auth.test.), and so do the records of $MXG_WORK/test.zone.extra
# if present.
#   aligned.auth.test  SPF ip4:$MILTER_SPF_IP -all, DKIM s1, DMARC p=reject
#   quar.auth.test     SPF ip4:$MILTER_SPF_IP -all, DKIM s1, DMARC p=quarantine
#   list.auth.test     SPF ip4:192.0.2.20 -all, DKIM s1, no DMARC (a third party that signs)
#   mx.sender.auth.test  the HELO name of $MILTER_SPF_IP (SPF "a -all")
milter_zone_setup() {
	mkdir -p "$MXG_WORK/keys"
	for d in aligned quar list; do
		openssl genrsa -out "$MXG_WORK/keys/$d.pem" 2048 2>/dev/null || return 1
	done
	# The zone is all of test., so that DMARC's walk up the tree gets NXDOMAIN, not REFUSED.
	cat >"$MXG_WORK/test.zone" <<ZONE
\$ORIGIN auth.test.
\$TTL 300
test.        IN SOA ns1 hostmaster ( 1 3600 600 86400 300 )
test.        IN NS  ns1
ns1          IN A   127.0.0.1
aligned      IN TXT "v=spf1 ip4:$MILTER_SPF_IP -all"
_dmarc.aligned IN TXT "${MILTER_DMARC_ALIGNED:-v=DMARC1; p=reject}"
s1._domainkey.aligned IN TXT $(milter_dkim_txt "$MXG_WORK/keys/aligned.pem")
quar         IN TXT "v=spf1 ip4:$MILTER_SPF_IP -all"
_dmarc.quar  IN TXT "${MILTER_DMARC_QUAR:-v=DMARC1; p=quarantine}"
s1._domainkey.quar IN TXT $(milter_dkim_txt "$MXG_WORK/keys/quar.pem")
list         IN TXT "v=spf1 ip4:192.0.2.20 -all"
s1._domainkey.list IN TXT $(milter_dkim_txt "$MXG_WORK/keys/list.pem")
mx.sender    IN A   $MILTER_SPF_IP
mx.sender    IN TXT "v=spf1 a -all"
${MILTER_ZONE_EXTRA:-}
ZONE
	# Records a suite adds (the signing suite's keys).
	[ -f "$MXG_WORK/test.zone.extra" ] && cat "$MXG_WORK/test.zone.extra" >>"$MXG_WORK/test.zone"
	mxg_nsd_start "$MILTER_DNS_PORT" "test=$MXG_WORK/test.zone"
}

# milter_start NAME PORT [KEY=VALUE...]: an mxguard-milter in the foreground on
# inet:PORT@127.0.0.1, resolving through NSD; log in $MXG_WORK/NAME.log.
milter_start() {
	name=$1
	port=$2
	shift 2
	conf=$MXG_WORK/$name.conf
	cat >"$conf" <<CONF
socket = inet:$port@127.0.0.1
log = stderr
log_level = debug
authserv_id = $MILTER_AUTHSERV
dns_forwarders = 127.0.0.1@$MILTER_DNS_PORT
dns_timeout = 2s
CONF
	for kv in "$@"; do
		printf '%s\n' "$kv" | sed 's/=/ = /' >>"$conf"
	done
	"$MILTER_BIN" -n -c "$conf" >/dev/null || return 1
	mxg_bg "$name" "$MILTER_BIN" -f -c "$conf"
	mxg_wait_port "$port" tcp 10
}

# milter_msg FILE FROM-ADDRESS [EXTRA HEADER LINE...]: a plain test message.
milter_msg() {
	f=$1
	from=$2
	id=$(basename "$f" | sed 's/\..*//')
	shift 2
	{
		printf 'From: Sender <%s>\n' "$from"
		printf 'To: rcpt@example.test\n'
		printf 'Subject: test %s\n' "$id"
		printf 'Date: Tue, 01 Dec 2026 20:00:00 +0000\n'
		printf 'Message-ID: <%s@auth.test>\n' "$id"
		for h in "$@"; do printf '%s\n' "$h"; done
		printf '\nHello,\n\nthis is a test message.\n.leading dot\n'
	} >"$f"
}

# milter_sign IN OUT DOMAIN-LABEL [CANON]: signs IN with the key of LABEL.auth.test (s1).
milter_sign() {
	"$MXG_PYTHON" "$MILTER_DIR/sign.py" "$MXG_WORK/keys/$3.pem" "$3.auth.test" s1 "$1" "$2" ${4:-relaxed}
}

# milter_seal IN OUT KEY: IN forwarded by KEY.auth.test, which adds its ARC set (dkimpy).
milter_seal() {
	"$MXG_PYTHON" "$MILTER_DIR/sign.py" --arc "$MXG_WORK/keys/$3.pem" "$3.auth.test" s1 "$1" "$2"
}

# milter_blackhole PORT: a DNS "server" on 127.0.0.1:PORT (UDP) that reads queries and never
# answers, so every lookup through it times out.
milter_blackhole() {
	mxg_bg blackhole "$MXG_PYTHON" -c '
import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("127.0.0.1", int(sys.argv[1])))
while True:
    s.recvfrom(4096)
' "$1"
	mxg_wait_port "$1" udp 10
}

# milter_messages: the test messages in $MXG_WORK/msgs (see the suites for their use).
milter_messages() {
	m=$MXG_WORK/msgs
	mkdir -p "$m"
	milter_msg "$m/aligned.eml" a@aligned.auth.test
	for v in signed tampered listsigned; do
		milter_msg "$m/aligned-$v.src" a@aligned.auth.test
	done
	milter_sign "$m/aligned-signed.src" "$m/aligned-signed.eml" aligned || return 1
	milter_sign "$m/aligned-tampered.src" "$m/aligned-tampered.eml" aligned || return 1
	sed -i 's/this is a test message/this is a tampered message/' "$m/aligned-tampered.eml"
	milter_sign "$m/aligned-listsigned.src" "$m/aligned-listsigned.eml" list || return 1
	# The signed message forwarded by list.auth.test, which seals it; then a copy changed after.
	milter_seal "$m/aligned-signed.eml" "$m/aligned-sealed.eml" list || return 1
	sed 's/this is a test message/this is a changed message/' "$m/aligned-sealed.eml" >"$m/aligned-sealbroken.eml"
	milter_msg "$m/quar.eml" q@quar.auth.test
	milter_msg "$m/twofrom.src" owner@list.auth.test "From: <a@aligned.auth.test>"
	milter_sign "$m/twofrom.src" "$m/twofrom.eml" list || return 1
	# 6 KB of header fields before the From field.
	junk=$(head -c 300 /dev/zero | tr '\0' x)
	for i in 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20; do echo "X-Junk-$i: $junk"; done >"$m/bigheader.eml"
	cat "$m/aligned.eml" >>"$m/bigheader.eml"
	milter_msg "$m/forged-ar.eml" a@aligned.auth.test \
		"Authentication-Results: $MILTER_AUTHSERV; dkim=pass header.d=aligned.auth.test; dmarc=pass" \
		"authentication-results:  (forged) MTA.MXGUARD.TEST;
	spf=pass smtp.mailfrom=aligned.auth.test" \
		"Authentication-Results: other.example; spf=pass smtp.mailfrom=aligned.auth.test" \
		"AUTHENTICATION-RESULTS: $MILTER_AUTHSERV; dmarc=pass header.from=aligned.auth.test"
}

# received_header NAME: the header of the newest message the sink got made from msgs/NAME.eml
# (needs tests/lib/postfix.sh for the sink).
received_header() {
	f=$(mxg_sink_find "^Message-ID: <$1@auth.test>") || return 1
	sed '/^$/q' "$f"
}

# ours HEADER: how many Authentication-Results fields in HEADER claim our authserv-id.
ours() {
	printf '%s\n' "$1" | grep -ci "^authentication-results:.*$(echo "$MILTER_AUTHSERV" | sed 's/\./\\./g')"
}
