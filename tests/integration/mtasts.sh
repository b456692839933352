#!/bin/sh
# MTA-STS and TLS-RPT end to end, all on loopback: NSD serves sts.test (MX, _mta-sts,
# mta-sts hosts, _smtp._tls, TLSA), a python HTTPS server with certificates from a private CA
# made here serves the policies (good, invalid, testing, missing, redirecting, wrong
# certificate), `mxguard check` is judged on each finding's positive and negative case, and a
# Postfix whose smtp_tls_policy_maps asks mxguard-policyd's "mta-sts" socketmap delivers over
# verified TLS to an enforced MX and defers mail to one whose certificate does not match.
# Postfix resolves MX records through /etc/resolv.conf: the suite runs in a private mount
# namespace where that file names NSD on 127.0.0.1:53.
MXG_PF_PORT=2725 MXG_SINK_PORT=2726
. "$(dirname "$0")/../lib/harness.sh"
. "$MXG_ROOT/tests/lib/postfix.sh"
mxg_require_netns "$@"
if [ "${MXG_STS_MOUNTNS:-}" != 1 ]; then
	rc=$(mktemp "${TMPDIR:-/tmp}/mxguard-sts-resolv.XXXXXX")
	echo "nameserver 127.0.0.1" >"$rc"
	chmod 644 "$rc"
	exec unshare --mount --propagation private sh -c \
		'mount --bind "$1" /etc/resolv.conf && rm -f "$1" && shift && MXG_STS_MOUNTNS=1 exec "$0" "$@"' \
		"$0" "$rc" "$@"
fi
mxg_workdir

smap=10071
mxguard=$MXG_BUILD/mxguard
W=$MXG_WORK

# --- a private CA and the certificates -------------------------------------------------
tls=$W/tls
mkdir -p "$tls"
newkey() { openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:prime256v1 -out "$tls/$1.key" 2>/dev/null; }
newkey ca &&
openssl req -x509 -new -key "$tls/ca.key" -days 2 -subj "/CN=mxguard test CA" \
	-addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" \
	-out "$tls/ca.pem" 2>/dev/null || { mxg_not_ok "the private CA made"; mxg_done; }
# issue NAME SAN...: a certificate for the DNS names given, signed by the CA.
issue() {
	n=$1
	shift
	newkey "$n"
	san=$(printf 'DNS:%s,' "$@")
	printf 'subjectAltName=%s\nextendedKeyUsage=serverAuth\n' "${san%,}" >"$tls/$n.ext"
	openssl req -new -key "$tls/$n.key" -subj "/CN=$1" -out "$tls/$n.csr" 2>/dev/null &&
		openssl x509 -req -in "$tls/$n.csr" -CA "$tls/ca.pem" -CAkey "$tls/ca.key" -CAcreateserial \
			-days 2 -extfile "$tls/$n.ext" -out "$tls/$n.pem" 2>/dev/null
}
sts_names=
for d in good uncovered testing invalid badtype missing redirect tlsbad mismatch; do
	sts_names="$sts_names mta-sts.$d.sts.test"
done
issue web $sts_names && issue wrongweb mta-sts.somewhere-else.test &&
	issue mxgood mx.good.sts.test && issue mxwrong mx.wrong-name.test ||
	{ mxg_not_ok "certificates issued"; mxg_done; }
chmod 644 "$tls"/*.key

# --- DNS ---------------------------------------------------------------------------------
zone=$W/sts.test.zone
cat >"$zone" <<'ZONE'
$ORIGIN sts.test.
$TTL 300
@                  SOA ns.sts.test. hostmaster.sts.test. 1 3600 600 86400 1
@                  NS  ns.sts.test.
ns                 A   127.0.0.1
; enforce, every MX covered, TLS-RPT published: no finding
good               MX  10 mx.good.sts.test.
mx.good            A   127.0.0.21
_mta-sts.good  1   TXT "v=STSv1; id=20261207a"
mta-sts.good       A   127.0.0.10
_smtp._tls.good    TXT "v=TLSRPTv1; rua=mailto:tls@good.sts.test"
; enforce with a wildcard; the second MX is outside it
uncovered          MX  10 mx1.uncovered.sts.test.
uncovered          MX  20 mx.elsewhere.sts.test.
mx1.uncovered      A   127.0.0.21
mx.elsewhere       A   127.0.0.21
_mta-sts.uncovered TXT "v=STSv1; id=1"
mta-sts.uncovered  A   127.0.0.10
_smtp._tls.uncovered TXT "v=TLSRPTv1; rua=https://reports.sts.test/tls"
; testing mode, a one-day max_age, no TLS-RPT; its MX has the wrong-name certificate
testing            MX  10 mx.testing.sts.test.
mx.testing         A   127.0.0.22
_mta-sts.testing   TXT "v=STSv1; id=1"
mta-sts.testing    A   127.0.0.10
; enforce, but its MX has the wrong-name certificate
mismatch           MX  10 mx.mismatch.sts.test.
mx.mismatch        A   127.0.0.22
_mta-sts.mismatch  TXT "v=STSv1; id=1"
mta-sts.mismatch   A   127.0.0.10
_smtp._tls.mismatch TXT "v=TLSRPTv1; rua=mailto:tls@mismatch.sts.test"
; policies that do not parse or are not text/plain, a record that does not parse
invalid            MX  10 mx.good.sts.test.
_mta-sts.invalid   TXT "v=STSv1; id=1"
mta-sts.invalid    A   127.0.0.10
badtype            MX  10 mx.good.sts.test.
_mta-sts.badtype   TXT "v=STSv1; id=1"
mta-sts.badtype    A   127.0.0.10
badrec             MX  10 mx.good.sts.test.
_mta-sts.badrec    TXT "v=STSv1; id=not-an-id"
; a record and no policy: a 404, and no policy host at all
missing            MX  10 mx.good.sts.test.
_mta-sts.missing   TXT "v=STSv1; id=1"
mta-sts.missing    A   127.0.0.10
nohost             MX  10 mx.good.sts.test.
_mta-sts.nohost    TXT "v=STSv1; id=1"
; unreachable: nothing listening, a certificate for another name, a redirect
down               MX  10 mx.good.sts.test.
_mta-sts.down      TXT "v=STSv1; id=1"
mta-sts.down       A   127.0.0.11
wrongcert          MX  10 mx.good.sts.test.
_mta-sts.wrongcert TXT "v=STSv1; id=1"
mta-sts.wrongcert  A   127.0.0.12
redirect           MX  10 mx.good.sts.test.
_mta-sts.redirect  TXT "v=STSv1; id=1"
mta-sts.redirect   A   127.0.0.10
; a TLS-RPT record that does not parse
tlsbad             MX  10 mx.good.sts.test.
_mta-sts.tlsbad    TXT "v=STSv1; id=1"
mta-sts.tlsbad     A   127.0.0.10
_smtp._tls.tlsbad  TXT "v=TLSRPTv1; rua=ftp://reports.sts.test/"
; DANE (TLSA at the MX) and no TLS-RPT; and a domain with neither
dane               MX  10 mx.dane.sts.test.
mx.dane            A   127.0.0.21
_25._tcp.mx.dane   TLSA 3 1 1 0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef
plain              MX  10 mx.good.sts.test.
ZONE
mxg_require "NSD serves sts.test on 127.0.0.1:53" mxg_nsd_start 53 "sts.test=$zone"

# --- the policy server --------------------------------------------------------------------
pol() { printf 'version: STSv1\\nmode: %s\\n%smax_age: %s\\n' "$1" "$2" "$3"; }
cat >"$W/https.json" <<JSON
{"listen": [{"addr": "127.0.0.10", "cert": "$tls/web.pem", "key": "$tls/web.key"},
            {"addr": "127.0.0.12", "cert": "$tls/wrongweb.pem", "key": "$tls/wrongweb.key"}],
 "hosts": {
  "mta-sts.good.sts.test": {"body": "$(pol enforce 'mx: mx.good.sts.test\n' 1209600)"},
  "mta-sts.uncovered.sts.test": {"body": "$(pol enforce 'mx: *.uncovered.sts.test\n' 1209600)"},
  "mta-sts.testing.sts.test": {"body": "$(pol testing 'mx: mx.testing.sts.test\n' 86400)"},
  "mta-sts.mismatch.sts.test": {"body": "$(pol enforce 'mx: mx.mismatch.sts.test\n' 1209600)"},
  "mta-sts.invalid.sts.test": {"body": "$(pol enforce '' 1209600)"},
  "mta-sts.badtype.sts.test": {"type": "text/html", "body": "$(pol enforce 'mx: mx.good.sts.test\n' 1209600)"},
  "mta-sts.redirect.sts.test": {"status": 301, "location": "https://mta-sts.good.sts.test/.well-known/mta-sts.txt"},
  "mta-sts.tlsbad.sts.test": {"body": "$(pol enforce 'mx: mx.good.sts.test\n' 1209600)"},
  "mta-sts.wrongcert.sts.test": {"body": "$(pol enforce 'mx: mx.good.sts.test\n' 1209600)"}
 }}
JSON
mxg_bg https "$MXG_PYTHON" "$MXG_ROOT/tests/integration/mtasts_https.py" "$W/https.json"
mxg_require "the HTTPS policy server listens" mxg_wait_match "$W/https.log" '^listening' 10

# --- mxguard check ------------------------------------------------------------------------
# codes DOMAIN: the MTASTS_* and TLSRPT_* codes mxguard check reports, sorted, "-" for none.
codes() {
	"$mxguard" check --resolver 127.0.0.1@53 --timeout 5 --ca-file "$tls/ca.pem" --json "$1.sts.test" |
		"$MXG_PYTHON" -c 'import json,sys
d = json.load(sys.stdin)["domains"][0]
c = sorted(f["code"] for f in d["findings"] if f["code"].startswith(("MTASTS_", "TLSRPT_")))
print(" ".join(c) or "-")'
}
t0=$(date +%s%N)
for d in good uncovered testing mismatch invalid badtype badrec missing nohost down wrongcert redirect tlsbad dane plain; do
	eval "got_$d=\"\$(codes $d)\""
done
echo "# figures: 15 domains checked (MX, SPF, DMARC, MTA-STS with fetch, TLS-RPT) in $(( ($(date +%s%N) - t0) / 1000000 )) ms"
mxg_eq "good: no MTA-STS or TLS-RPT finding" "$got_good" "-"
mxg_eq "mismatch: the policy covers its MX (certificates are the probe's)" "$got_mismatch" "-"
mxg_eq "plain: nothing published, nothing asked" "$got_plain" "-"
mxg_eq "uncovered: MTASTS_MX_NOT_COVERED" "$got_uncovered" "MTASTS_MX_NOT_COVERED"
out=$("$mxguard" check --resolver 127.0.0.1@53 --ca-file "$tls/ca.pem" uncovered.sts.test)
mxg_match "uncovered: the uncovered host is named" "$out" 'mx\.elsewhere\.sts\.test matches no mx: pattern'
mxg_nomatch "uncovered: the wildcard covers mx1" "$out" 'mx1\.uncovered\.sts\.test matches no'
mxg_eq "testing: MTASTS_TESTING, MTASTS_MAX_AGE_LOW, TLSRPT_MISSING" "$got_testing" \
	"MTASTS_MAX_AGE_LOW MTASTS_TESTING TLSRPT_MISSING"
mxg_eq "invalid policy: MTASTS_POLICY_INVALID" "$got_invalid" "MTASTS_POLICY_INVALID TLSRPT_MISSING"
mxg_eq "policy not text/plain: MTASTS_POLICY_INVALID" "$got_badtype" "MTASTS_POLICY_INVALID TLSRPT_MISSING"
mxg_eq "invalid record: MTASTS_POLICY_INVALID (and no TLS-RPT asked for)" "$got_badrec" "MTASTS_POLICY_INVALID"
mxg_eq "404: MTASTS_ID_WITHOUT_POLICY" "$got_missing" "MTASTS_ID_WITHOUT_POLICY TLSRPT_MISSING"
mxg_eq "no policy host: MTASTS_ID_WITHOUT_POLICY" "$got_nohost" "MTASTS_ID_WITHOUT_POLICY TLSRPT_MISSING"
mxg_eq "nothing listening: MTASTS_POLICY_UNREACHABLE" "$got_down" "MTASTS_POLICY_UNREACHABLE TLSRPT_MISSING"
mxg_eq "certificate for another name: MTASTS_POLICY_UNREACHABLE" "$got_wrongcert" "MTASTS_POLICY_UNREACHABLE TLSRPT_MISSING"
mxg_eq "redirect: MTASTS_POLICY_UNREACHABLE" "$got_redirect" "MTASTS_POLICY_UNREACHABLE TLSRPT_MISSING"
mxg_eq "bad TLS-RPT record: TLSRPT_INVALID" "$got_tlsbad" "TLSRPT_INVALID"
mxg_eq "DANE without TLS-RPT: TLSRPT_MISSING" "$got_dane" "TLSRPT_MISSING"
# Without the private CA the good policy's certificate is not trusted: the fetch verifies.
out=$("$mxguard" check --resolver 127.0.0.1@53 --timeout 5 good.sts.test)
mxg_match "good without --ca-file: the certificate is refused" "$out" 'MTASTS_POLICY_UNREACHABLE'
"$mxguard" check --resolver 127.0.0.1@53 --ca-file "$W/nonexistent.pem" good.sts.test >/dev/null 2>&1
mxg_eq "an unreadable --ca-file: exit 3" $? 3
# The fetch asked the pinned address with the policy host's name.
mxg_match "the HTTPS server saw mta-sts.good.sts.test" "$(cat "$W/https.log")" \
	'^mta-sts\.good\.sts\.test "GET /\.well-known/mta-sts\.txt HTTP/1\.1" 200'

# --- mxguard-policyd and Postfix ------------------------------------------------------
cat >"$W/policyd.conf" <<CONF
socketmap_listen = inet:127.0.0.1:$smap
dns_forwarders = 127.0.0.1@53
dns_timeout = 2s
dns_cache_size = 0
mta_sts = yes
mta_sts_ca_file = $tls/ca.pem
mta_sts_fetch_timeout = 3s
mta_sts_cache_size = 4
CONF
sed "s|^mta_sts_ca_file = .*|mta_sts_ca_file = $W/missing-ca.pem|" "$W/policyd.conf" >"$W/badca.conf"
out=$(timeout 20 "$MXG_BUILD/mxguard-policyd" -f -c "$W/badca.conf" 2>&1)
mxg_eq "policyd: an unreadable mta_sts_ca_file stops the start" $? 1
mxg_match "policyd: and says which file" "$out" 'mta_sts_ca_file .*missing-ca\.pem: No such file'
mxg_bg policyd "$MXG_BUILD/mxguard-policyd" -f -c "$W/policyd.conf"
mxg_require "mxguard-policyd listens" mxg_wait_port $smap tcp 10

# sm KEY [MAP]: the socketmap reply to "MAP KEY" (default map mta-sts).
sm() {
	"$MXG_PYTHON" - "$smap" "${2:-mta-sts} $1" <<'PY'
import socket, sys
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=10)
q = sys.argv[2].encode()
s.sendall(b"%d:%s," % (len(q), q))
buf = b""
while b"," not in buf or len(buf) < int(buf.split(b":")[0]) + len(buf.split(b":")[0]) + 2:
    d = s.recv(4096)
    if not d:
        break
    buf += d
n, rest = buf.split(b":", 1)
print(rest[:int(n)].decode())
PY
}
# Two lookups of good on one connection, timed by the client: the first fetches, the second
# is answered from the cache (the time of the TXT lookup that checks the id).
timed=$("$MXG_PYTHON" - "$smap" <<'PY'
import socket, sys, time
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=10)
out = []
for _ in range(2):
    q = b"mta-sts good.sts.test"
    t = time.monotonic()
    s.sendall(b"%d:%s," % (len(q), q))
    buf = b""
    while not buf.endswith(b","):
        d = s.recv(4096)
        if not d:
            break
        buf += d
    out.append("%s %.1f" % (buf.split(b":", 1)[1][:-1].decode().replace(" ", "_"), (time.monotonic() - t) * 1000))
print(" ".join(out))
PY
)
set -- $timed
mxg_eq "socketmap: good is enforced" "$1" "OK_secure_match=mx.good.sts.test_servername=hostname"
mxg_eq "socketmap: and the same from the cache" "$3" "$1"
echo "# figures: socketmap lookup with fetch ${2:-?} ms, from the cache ${4:-?} ms"
mxg_eq "socketmap: a wildcard becomes Postfix's .domain" "$(sm uncovered.sts.test)" \
	"OK secure match=.uncovered.sts.test servername=hostname"
mxg_eq "socketmap: testing mode is no policy" "$(sm testing.sts.test)" "NOTFOUND "
mxg_eq "socketmap: an invalid policy is no policy" "$(sm invalid.sts.test)" "NOTFOUND "
mxg_eq "socketmap: an unreachable policy is no policy" "$(sm wrongcert.sts.test)" "NOTFOUND "
mxg_eq "socketmap: no record is no policy" "$(sm plain.sts.test)" "NOTFOUND "
mxg_eq "socketmap: a parent-domain key is not looked up" "$(sm .sts.test)" "NOTFOUND "
mxg_match "socketmap: another map name is refused" "$(sm good.sts.test nosuchmap)" '^PERM '

# The sending side: MX lookups through NSD, TLS policy from the socketmap; the receiving side:
# two smtpd listeners of the same instance (each named as its MX, so no loop is seen), one
# with a certificate for mx.good.sts.test, one for another name; both accept and discard.
mxg_postfix_start \
	"relayhost =" \
	"smtp_dns_support_level = enabled" \
	"disable_dns_lookups = no" \
	"smtp_tls_security_level = may" \
	"smtp_tls_CAfile = $tls/ca.pem" \
	"smtp_tls_loglevel = 1" \
	"smtp_tls_policy_maps = socketmap:inet:127.0.0.1:$smap:mta-sts" \
	"sts_discard = check_recipient_access static:DISCARD" ||
	{ mxg_not_ok "postfix started"; mxg_done; }
for rx in "127.0.0.21 mx.good.sts.test mxgood" "127.0.0.22 mx.mismatch.sts.test mxwrong"; do
	set -- $rx
	postconf -c "$MXG_PF_ETC" -M "$1:25/inet=$1:25 inet n - n - - smtpd -o myhostname=$2 \
-o smtpd_tls_security_level=may -o smtpd_tls_cert_file=$tls/$3.pem -o smtpd_tls_key_file=$tls/$3.key \
-o smtpd_recipient_restrictions=\$sts_discard"
done
mxg_postfix_set "smtp_tls_note_starttls_offer = yes"
mxg_require "the receiving listeners are up" sh -c 'ss -Hltn "sport = :25" | grep -q 127.0.0.21 && ss -Hltn "sport = :25" | grep -q 127.0.0.22'

msg=$W/msg.eml
send_to() {
	printf 'From: <s@sender.test>\nTo: <%s>\nSubject: sts\nMessage-ID: <%s@sender.test>\n\nbody\n' "$1" "$2" >"$msg"
	mxg_smtp_send --helo client.sender.test --from s@sender.test --to "$1" "$msg"
}
send_to u@good.sts.test good1 >/dev/null
mxg_check "enforced: delivered to mx.good.sts.test" \
	mxg_postfix_wait_log 'to=<u@good\.sts\.test>, relay=mx\.good\.sts\.test\[127\.0\.0\.21\]:25.* status=sent' 30
mxg_match "enforced: over verified TLS" "$(cat "$MXG_PF_LOG")" \
	'Verified TLS connection established to mx\.good\.sts\.test\[127\.0\.0\.21\]:25'
send_to u@mismatch.sts.test mm1 >/dev/null
mxg_check "enforced, certificate for another name: deferred" \
	mxg_postfix_wait_log 'to=<u@mismatch\.sts\.test>, relay=mx\.mismatch\.sts\.test\[127\.0\.0\.22\]:25.* status=deferred \(Server certificate not verified\)' 30
mxg_eq "enforced, certificate for another name: never sent" \
	"$(mxg_postfix_log_count 'to=<u@mismatch\.sts\.test>.* status=sent')" 0
send_to u@testing.sts.test tst1 >/dev/null
mxg_check "testing mode, same server: delivered (opportunistic TLS)" \
	mxg_postfix_wait_log 'to=<u@testing\.sts\.test>, relay=mx\.testing\.sts\.test\[127\.0\.0\.22\]:25.* status=sent' 30
mxg_match "testing mode: TLS without a verified name, and Postfix went on" "$(cat "$MXG_PF_LOG")" \
	'(Untrusted|Trusted) TLS connection established to mx\.testing\.sts\.test\[127\.0\.0\.22\]:25'

# --- the cache: policy server gone, then a new id ---------------------------------------
mxg_stop https
mxg_eq "cache: same id, server gone: the cached policy still applies" "$(sm good.sts.test)" \
	"OK secure match=mx.good.sts.test servername=hostname"
mxg_eq "cache: never fetched, server gone: no policy" "$(sm tlsbad.sts.test)" "NOTFOUND "
sed -i 's/20261207a/20261207b/; s/hostmaster.sts.test. 1 /hostmaster.sts.test. 2 /' "$W/nsd/sts.test.zone"
touch -d '+2 seconds' "$W/nsd/sts.test.zone"
kill -HUP "$MXG_PID_nsd"
new_id() { dig +short @127.0.0.1 -p 53 TXT _mta-sts.good.sts.test | grep -q 20261207b; }
mxg_require "NSD serves the new id" mxg_wait_until 10 new_id
sleep 2 # the old record's TTL (1 s) runs out in the daemon's resolver
mxg_eq "cache: new id, fetch fails: the stale policy is served (RFC 8461 §5.1)" "$(sm good.sts.test)" \
	"OK secure match=mx.good.sts.test servername=hostname"
mxg_match "cache: the log says it was stale" "$(cat "$W/policyd.log")" \
	'mta-sts: key=good\.sts\.test secure match=.*fetch failed.*; stale cached policy'
mxg_stop_wait policyd
mxg_eq "mxguard-policyd: clean exit on SIGTERM" "$mxg_exit" 0
mxg_no_sanitizer_report "mxguard-policyd: no sanitizer report (with MXG_BUILD=build/san)" "$W/policyd.log"
mxg_done
