#!/bin/sh
# mxguard keygen and mxguard sign against four verifiers: a generated corpus (hand-written shapes
# and seeded random ones; CRLF and LF, empty bodies, long lines, 8-bit bodies, folded, repeated and
# empty fields) signed with the four canonicalizations and RSA-2048 and Ed25519 keys verifies with
# mxguard dkim (--zone), dkimpy (python3-dkim), Mail::DKIM (libmail-dkim-perl, RSA only) and
# OpenDKIM (opendkim-testmsg), keys from NSD on loopback for the last two; keys refused as
# documented; mxguard check --dkim-key compares the published key with the private one.
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
# The hand-written shapes are signed under three canonicalizations, each with both keys and
# with each key alone; the generated ones under one each (in turn all four), with both keys, and
# their single-key copies are the dual-signed message less the other signature field (fewer
# processes: the suite stays short).
mkdir "$W/corpus" "$W/signed"
count=$($PY "$HELP" corpus "$W/corpus")
mxg_eq "corpus of 230 messages" "$count" 230
zone="--zone $W/sign.test.zone"
sign_fail=0
mx_fail=0
i=0
t0=$(date +%s)
for f in "$W"/corpus/*.eml; do
	b=$(basename "$f" .eml)
	case $b in
	gen*)
		i=$((i + 1))
		set -- relaxed/relaxed simple/simple relaxed/simple simple/relaxed
		shift $((i % 4))
		canons=$1
		;;
	*) canons="relaxed/relaxed simple/simple relaxed/simple" ;;
	esac
	for canon in $canons; do
		c=$(echo "$canon" | tr / -)
		o=$W/signed/$b.$c
		"$M" sign --canon $canon --domain sign.test --key "$W/rsa.pem" --selector rsa \
			--key "$W/ed.pem" --selector ed "$f" >"$o.dual.eml" || sign_fail=$((sign_fail + 1))
		case $b in gen*) ;; *)
			"$M" sign --canon $canon --domain sign.test --key "$W/rsa.pem" --selector rsa "$f" \
				>"$o.rsa.eml" || sign_fail=$((sign_fail + 1))
			"$M" sign --canon $canon --domain sign.test --key "$W/ed.pem" --selector ed "$f" \
				>"$o.ed.eml" || sign_fail=$((sign_fail + 1))
		esac
		# shellcheck disable=SC2086
		res=$("$M" dkim $zone "$o.dual.eml")
		n=$(printf '%s\n' "$res" | grep -c 'dkim=pass')
		if [ "$n" != 2 ]; then
			mx_fail=$((mx_fail + 1))
			printf '    # %s: %s\n' "$o.dual.eml" "$res"
		fi
	done
done
$PY "$HELP" split "$W"/signed/gen*.dual.eml
total=$(ls "$W"/signed/*.dual.eml | wc -l)
echo "# signing and mxguard's verification: $(( $(date +%s) - t0 )) s"
mxg_eq "mxguard sign: every message signed" "$sign_fail" 0
mxg_eq "as many RSA- and Ed25519-signed messages as dual-signed" \
	"$(ls "$W"/signed/*.rsa.eml | wc -l) $(ls "$W"/signed/*.ed.eml | wc -l)" "$total $total"
mxg_check "hundreds of signed messages ($total dual-signed, as many RSA- and Ed25519-signed)" \
	test "$total" -ge 250
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
# Mail::DKIM: every RSA signature, of the RSA-signed and of the dual-signed messages.
res=$(perl "$MXG_ROOT/tests/integration/dkim_sign_mail_dkim.pl" "$W"/signed/*.rsa.eml "$W"/signed/*.dual.eml)
printf '%s\n' "$res" | grep '^    #' | head -n 10
mxg_match "Mail::DKIM: the RSA signatures of all $((total * 2)) RSA- and dual-signed messages verify" \
	"$res" "^mail-dkim $((total * 2)) 0\$"
res=$(perl "$MXG_ROOT/tests/integration/dkim_sign_mail_dkim.pl" "$W/tampered.eml" "$W"/added/*.rsa.eml)
mxg_match "Mail::DKIM: a changed body and 6 added once-only fields fail (the check checks)" \
	"$res" "^mail-dkim 0 7\$"

# mxguard check --dkim-key: the published key against the private one (the zone NSD serves).
export MXGUARD_DATADIR="$MXG_ROOT/data"
ck() { "$M" check --zone "$W/sign.test.zone" "$@" sign.test; }
mxg_match "check --dkim-key: the ed25519 key matches its record" \
	"$(ck --dkim-selector ed --dkim-key "$W/ed.pem")" "INFO +DKIM_PRIVATE_KEY_MATCH"
mxg_match "check --dkim-key: the rsa key matches its record" \
	"$(ck --dkim-selector rsa --dkim-key "$W/rsa.pem")" "INFO +DKIM_PRIVATE_KEY_MATCH"
out=$(ck --dkim-selector rsa --dkim-key "$W/big.pem")
mxg_eq "check --dkim-key: another key is an error (exit 2)" $? 2
mxg_match "check --dkim-key: another key: DKIM_PRIVATE_KEY_MISMATCH" "$out" "ERROR +DKIM_PRIVATE_KEY_MISMATCH"
mxg_match "check --dkim-key: no record: DKIM_PRIVATE_KEY_UNPUBLISHED" \
	"$(ck --dkim-selector nothere --dkim-key "$W/ed.pem")" "ERROR +DKIM_PRIVATE_KEY_UNPUBLISHED"
out=$(ck --dkim-selector ed --dkim-key "$W/open.pem" 2>&1)
mxg_eq "check --dkim-key: a group-readable key file: exit 3" $? 3
mxg_match "check --dkim-key: a group-readable key file: says why" "$out" "readable or writable by group or others"

res=$(unshare --mount sh "$W/opendkim.sh" "$W/resolv.conf" "$W/tampered.eml")
mxg_match "OpenDKIM: a changed body fails (the check checks)" "$res" "^opendkim 0 1\$"
res=$(unshare --mount sh "$W/opendkim.sh" "$W/resolv.conf" "$W"/added/*.rsa.eml "$W"/added/*.ed.eml)
mxg_match "OpenDKIM: each of 12 messages with an added once-only field fails" "$res" "^opendkim 0 12\$"

mxg_done
