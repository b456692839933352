#!/bin/sh
# mxguard keygen and mxguard sign against three verifiers: a generated corpus (CRLF and LF,
# empty bodies, long lines, 8-bit bodies, folded and repeated fields) signed relaxed and simple
# with RSA-2048 and Ed25519 keys verifies with mxguard dkim (--zone), dkimpy (python3-dkim) and
# OpenDKIM (opendkim-testmsg, keys from NSD on loopback); keys refused as documented.
. "$(dirname "$0")/../lib/harness.sh"
mxg_require_netns "$@"
mxg_workdir

M=$MXG_BUILD/mxguard
PY=/usr/bin/python3
HELP=$MXG_ROOT/tests/integration/dkim_sign.py
W=$MXG_WORK
$PY -c 'import dkim, nacl.signing' || { mxg_not_ok "python3-dkim and python3-nacl installed"; mxg_done; }
command -v opendkim-testmsg >/dev/null || { mxg_not_ok "opendkim-tools installed"; mxg_done; }

# --- keygen ---
"$M" keygen --domain sign.test --selector rsa --out "$W/rsa.pem" >"$W/rsa.rec"
mxg_eq "keygen rsa2048: exit 0" $? 0
"$M" keygen --domain sign.test --selector ed --type ed25519 --out "$W/ed.pem" >"$W/ed.rec"
mxg_eq "keygen ed25519: exit 0" $? 0
mxg_eq "rsa key file mode 0600" "$(stat -c %a "$W/rsa.pem")" 600
mxg_eq "ed25519 key file mode 0600" "$(stat -c %a "$W/ed.pem")" 600
mxg_match "rsa key is 2048 bits" "$(openssl pkey -in "$W/rsa.pem" -noout -text 2>&1 | head -1)" "2048 bit"
mxg_match "ed25519 record k=ed25519" "$(cat "$W/ed.rec")" '"v=DKIM1; k=ed25519; p=[A-Za-z0-9+/]{43}=" \)$'
mxg_run_counted $PY "$HELP" records "$W/rsa.rec" "$W/ed.rec"
sum=$(md5sum <"$W/rsa.pem")
out=$("$M" keygen --domain sign.test --selector rsa --out "$W/rsa.pem" 2>&1)
mxg_eq "keygen over an existing file: exit 3" $? 3
mxg_match "keygen over an existing file: says so" "$out" "exists; not replacing"
mxg_eq "keygen over an existing file: file unchanged" "$(md5sum <"$W/rsa.pem")" "$sum"
"$M" keygen --domain sign.test --selector big --type rsa3072 --out "$W/big.pem" >"$W/big.rec"
mxg_match "keygen rsa3072: 3072 bits" "$(openssl pkey -in "$W/big.pem" -noout -text 2>&1 | head -1)" "3072 bit"
"$M" keygen --domain sign.test --selector x --type dsa --out "$W/dsa.pem" 2>/dev/null
mxg_eq "keygen unknown type: exit 3" $? 3

# The zone both DNS-backed verifiers read: mxguard --zone, and NSD for OpenDKIM.
{
	printf '$ORIGIN sign.test.\n$TTL 300\n'
	printf '@ IN SOA ns.sign.test. host.sign.test. 1 3600 600 86400 300\n@ IN NS ns.sign.test.\n'
	printf 'ns IN A 127.0.0.1\n'
	cat "$W/rsa.rec" "$W/ed.rec" "$W/big.rec"
} >"$W/sign.test.zone"

# --- keys refused ---
printf 'From: a@sign.test\nSubject: s\n\nbody\n' >"$W/small.eml"
cp "$W/rsa.pem" "$W/open.pem" && chmod 0640 "$W/open.pem"
out=$("$M" sign --key "$W/open.pem" --domain sign.test --selector rsa "$W/small.eml" 2>&1)
mxg_eq "group-readable key: exit 3" $? 3
mxg_match "group-readable key: clear error" "$out" "readable or writable by group or others"
openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:1024 -out "$W/weak.pem" 2>/dev/null
chmod 0600 "$W/weak.pem"
out=$("$M" sign --key "$W/weak.pem" --domain sign.test --selector rsa "$W/small.eml" 2>&1)
mxg_eq "RSA-1024 key: exit 3" $? 3
mxg_match "RSA-1024 key: refused for its size" "$out" "1024 bits; signing needs 2048"

# --- the corpus, signed and verified ---
mkdir "$W/corpus" "$W/signed"
count=$($PY "$HELP" corpus "$W/corpus")
mxg_eq "corpus of 30 messages" "$count" 30
zone="--zone $W/sign.test.zone"
sign_fail=0
mx_fail=0
for f in "$W"/corpus/*.eml; do
	b=$(basename "$f" .eml)
	for canon in relaxed/relaxed simple/simple relaxed/simple; do
		c=$(echo "$canon" | tr / -)
		o=$W/signed/$b.$c
		"$M" sign --canon $canon --domain sign.test --key "$W/rsa.pem" --selector rsa \
			--key "$W/ed.pem" --selector ed "$f" >"$o.dual.eml" || sign_fail=$((sign_fail + 1))
		"$M" sign --canon $canon --domain sign.test --key "$W/rsa.pem" --selector rsa "$f" \
			>"$o.rsa.eml" || sign_fail=$((sign_fail + 1))
		"$M" sign --canon $canon --domain sign.test --key "$W/ed.pem" --selector ed "$f" \
			>"$o.ed.eml" || sign_fail=$((sign_fail + 1))
		# shellcheck disable=SC2086
		res=$("$M" dkim $zone "$o.dual.eml")
		n=$(printf '%s\n' "$res" | grep -c 'dkim=pass')
		if [ "$n" != 2 ]; then
			mx_fail=$((mx_fail + 1))
			printf '    # %s: %s\n' "$o.dual.eml" "$res"
		fi
	done
done
total=$(ls "$W"/signed/*.dual.eml | wc -l)
mxg_eq "mxguard sign: every message signed (3 canonicalizations x 3 key sets)" "$sign_fail" 0
mxg_eq "mxguard dkim: both signatures pass on all $total dual-signed messages" "$mx_fail" 0
# shellcheck disable=SC2086
mxg_check "mxguard dkim: 3072-bit key signs and verifies" sh -c \
	"'$M' sign --domain sign.test --key '$W/big.pem' --selector big '$W/small.eml' | '$M' dkim $zone - | grep -q 'dkim=pass'"
mxg_match "LF input: signature folded with LF, no CR added" \
	"$(od -c "$W/signed/plain-lf.relaxed-relaxed.dual.eml" | grep -c '\\r')" '^0$'

# Oversigning: a once-only field added above the signed one (where a reader may show it, and
# where a verifier that picks fields bottom-up would not look without oversigning) breaks
# every signature. h= lists each once-only field one time more than present.
o=$W/signed/plain-crlf.relaxed-relaxed
mxg_match "h= oversigns the once-only fields" "$(tr -d '\r\n\t' <"$o.dual.eml")" \
	'h=from:from:sender:reply-to:to:to:cc:bcc:message-id:message-id:in-reply-to:references:subject:subject:date:date'
mxg_nomatch "no l= tag" "$(sed '/^\r*$/q' "$o.dual.eml")" '[ ;]l='
mkdir "$W/added"
for field in Subject From To Date Reply-To Cc; do
	for alg in dual rsa ed; do
		printf '%s: added later\r\n' "$field" | cat - "$o.$alg.eml" >"$W/added/$field.$alg.eml"
	done
	# shellcheck disable=SC2086
	res=$("$M" dkim $zone "$W/added/$field.dual.eml")
	mxg_nomatch "added $field: mxguard fails both signatures" "$res" 'dkim=pass'
	dk=$($PY "$HELP" verify "$W/rsa.rec" "$W/ed.rec" -- "$W/added/$field.dual.eml")
	mxg_nomatch "added $field: dkimpy fails both signatures" "$dk" '^ok'
done

# dkimpy: every signature of every dual-signed message.
out=$($PY "$HELP" verify "$W/rsa.rec" "$W/ed.rec" -- "$W"/signed/*.dual.eml)
npass=$(printf '%s\n' "$out" | grep -c '^ok - ')
mxg_eq "dkimpy: all $((total * 2)) signatures verify" "$npass" $((total * 2))
printf '%s\n' "$out" | grep -v '^ok - ' | head -n 20 | sed 's/^/    # /'
sed 's/leading dots/leading dotz/' "$W/signed/dots-crlf.relaxed-relaxed.dual.eml" >"$W/tampered.eml"
mxg_nomatch "dkimpy: a changed body fails (the check checks)" \
	"$($PY "$HELP" verify "$W/rsa.rec" "$W/ed.rec" -- "$W/tampered.eml")" '^ok'

# OpenDKIM: opendkim-testmsg looks keys up through the system resolver, so it runs in a
# private mount namespace whose resolv.conf names NSD on 127.0.0.1:53 (this network namespace).
mxg_nsd_start 53 "sign.test=$W/sign.test.zone" || { mxg_not_ok "NSD started"; mxg_done; }
echo "nameserver 127.0.0.1" >"$W/resolv.conf"
cat >"$W/opendkim.sh" <<'SH'
mount --bind "$1" /etc/resolv.conf || exit 9
shift
pass=0 fail=0
for f in "$@"; do
	# On the wire every line ends in CRLF.
	if sed 's/\r*$/\r/' "$f" | opendkim-testmsg >"$f.odk" 2>&1 && [ ! -s "$f.odk" ]; then
		pass=$((pass + 1))
	else
		fail=$((fail + 1))
		echo "    # opendkim: $(basename "$f"): $(cat "$f.odk")"
	fi
done
echo "opendkim $pass $fail"
SH
for alg in rsa ed; do
	res=$(unshare --mount sh "$W/opendkim.sh" "$W/resolv.conf" "$W"/signed/*."$alg".eml)
	printf '%s\n' "$res" | grep '^    #' | head -n 10
	n=$(ls "$W"/signed/*."$alg".eml | wc -l)
	mxg_match "OpenDKIM: all $n $alg-signed messages verify" "$res" "^opendkim $n 0\$"
done
res=$(unshare --mount sh "$W/opendkim.sh" "$W/resolv.conf" "$W/tampered.eml")
mxg_match "OpenDKIM: a changed body fails (the check checks)" "$res" "^opendkim 0 1\$"
res=$(unshare --mount sh "$W/opendkim.sh" "$W/resolv.conf" "$W"/added/*.rsa.eml "$W"/added/*.ed.eml)
mxg_match "OpenDKIM: each of 12 messages with an added once-only field fails" "$res" "^opendkim 0 12\$"

mxg_done
