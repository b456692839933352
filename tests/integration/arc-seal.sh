#!/bin/sh
# mxguard sign --arc-seal against two validators: a generated corpus (CRLF and LF, empty and
# missing bodies, long lines, 8-bit bodies, folded and oddly spaced fields) sealed by three hops
# on top of each other (RSA-2048, RSA-3072, RSA-2048; cv=none, then pass) validates with
# dkimpy's arc_verify (python3-dkim, keys served by a dnsfunc) and with mxguard dmarc (--zone) at
# every hop; an Ed25519 fourth hop validates with mxguard (dkimpy's ARC code takes rsa-sha256
# only); a chain broken between hops is sealed cv=fail, validates as fail with both, and is never
# sealed again. No network.
. "$(dirname "$0")/../lib/harness.sh"
mxg_require_netns "$@"
mxg_workdir

M=$MXG_BUILD/mxguard
PY=/usr/bin/python3
HELP=$MXG_ROOT/tests/integration/arc_seal.py
W=$MXG_WORK
mxg_require "python3-dkim and python3-nacl installed" $PY -c 'import dkim, nacl.signing'

# Three sealing hops and the origin's DKIM key; one zone for mxguard, the same records for dkimpy.
mxg_require "keys made" sh -c "
	'$M' keygen --domain hop1.test --selector r1 --out '$W/hop1.pem' >'$W/hop1.rec' &&
	'$M' keygen --domain hop2.test --selector r2 --type rsa3072 --out '$W/hop2.pem' >'$W/hop2.rec' &&
	'$M' keygen --domain hop3.test --selector r3 --out '$W/hop3.pem' >'$W/hop3.rec' &&
	'$M' keygen --domain hop4.test --selector e4 --type ed25519 --out '$W/hop4.pem' >'$W/hop4.rec' &&
	'$M' keygen --domain origin.test --selector o1 --out '$W/origin.pem' >'$W/origin.rec'"
RECS="$W/hop1.rec $W/hop2.rec $W/hop3.rec $W/hop4.rec $W/origin.rec"
{
	printf '$TTL 300\n'
	for r in $RECS; do sed 's/ IN TXT / 300 IN TXT /' "$r"; done
	printf 'origin.test. 300 IN TXT "v=spf1 ip4:192.0.2.1 -all"\n'
	printf '_dmarc.origin.test. 300 IN TXT "v=DMARC1; p=reject"\n'
} >"$W/keys.zone"

# hop N seals IN into OUT; prints the exit status.
seal() {
	hop=$1 sel=$2
	"$M" sign --arc-seal "$hop.test" --key "$W/$hop.pem" --domain "$hop.test" --selector "$sel" \
		--zone "$W/keys.zone" --ip 192.0.2.1 --mail-from alice@origin.test "$3" >"$4" 2>"$4.err"
	echo $?
}

# mxguard's own verdict on a message: the arc= result in its Authentication-Results.
arc_of() {
	"$M" dmarc --zone "$W/keys.zone" --ip 192.0.2.9 --mail-from alice@origin.test \
		--authserv-id mx.final.test "$1" | tr -d '\n\t' | sed -n 's/.*arc=\([a-z]*\)[^;]*(i=\([0-9]*\).*/\1 i=\2/p'
}

mkdir "$W/corpus" "$W/signed" "$W/h1" "$W/h2" "$W/h3" "$W/broken" "$W/failed"
count=$($PY "$HELP" corpus "$W/corpus")
mxg_eq "corpus of 36 messages" "$count" 36
for f in "$W"/corpus/*.eml; do
	n=$(basename "$f")
	# Half the corpus arrives DKIM-signed by its author (dkim=pass in the A-R sealed).
	case $n in
	*-crlf.eml) "$M" sign --key "$W/origin.pem" --domain origin.test --selector o1 "$f" >"$W/signed/$n" ;;
	*) cp "$f" "$W/signed/$n" ;;
	esac
done

bad=0 badarc=0
for f in "$W"/signed/*.eml; do
	n=$(basename "$f")
	s1=$(seal hop1 r1 "$f" "$W/h1/$n")
	s2=$(seal hop2 r2 "$W/h1/$n" "$W/h2/$n")
	s3=$(seal hop3 r3 "$W/h2/$n" "$W/h3/$n")
	if [ "$s1$s2$s3" != 000 ]; then
		bad=$((bad + 1))
		echo "# $n: seal exit statuses $s1 $s2 $s3: $(cat "$W/h1/$n.err" "$W/h2/$n.err" "$W/h3/$n.err")"
	fi
	for i in 1 2 3; do
		got=$(arc_of "$W/h$i/$n")
		if [ "$got" != "pass i=$i" ]; then
			badarc=$((badarc + 1))
			echo "# $n hop $i: mxguard dmarc says '$got'"
		fi
	done
done
mxg_eq "36 messages sealed by 3 hops each: every seal exit 0" "$bad" 0
mxg_eq "mxguard dmarc: arc=pass with i=1, 2, 3 at every hop (108 checks)" "$badarc" 0
mxg_match "hop 1 seals cv=none" "$(grep -h '^	cv=' "$W/h1/m0-0-crlf.eml" | tr -d '\r')" "^	cv=none; d=hop1.test; i=1; s=r1; t=[0-9]+$"
mxg_match "hop 2 seals cv=pass" "$(grep -h '^	cv=' "$W/h2/m0-0-crlf.eml" | head -1)" "^	cv=pass; d=hop2.test; i=2; s=r2;"
seal hop4 e4 "$W/h3/m1-4-crlf.eml" "$W/h4.eml" >/dev/null
mxg_match "hop 4 seals with Ed25519" "$(head -1 "$W/h4.eml")" "^ARC-Seal: a=ed25519-sha256;"
mxg_eq "Ed25519 hop 4: mxguard dmarc says arc=pass i=4" "$(arc_of "$W/h4.eml")" "pass i=4"
mxg_match "the AAR holds this hop's A-R" "$(grep -A3 '^ARC-Authentication-Results: i=1' "$W/h1/m1-0-crlf.eml" | tr -d '\r\n\t')" \
	"i=1; hop1\.test; ?spf=pass .*dkim=pass .*dmarc=pass"
mxg_match "hop 2's AAR says arc=pass" "$(grep -A4 '^ARC-Authentication-Results: i=2' "$W/h2/m1-0-crlf.eml" | tr -d '\r\n\t')" "arc=pass"
mxg_eq "LF messages stay LF" "$(grep -c "$(printf '\r')" "$W/h3/m0-0-lf.eml")" 0
for i in 1 2 3; do
	mxg_run_counted $PY "$HELP" verify pass $i $RECS -- "$W"/h$i/*.eml
done

# A list that changes the body after hop 1 without sealing breaks the chain: hop 2 seals
# cv=fail, both validators say fail, and hop 3 adds nothing (RFC 8617 §5.1 step 1).
for n in m0-2-crlf.eml m1-3-lf.eml m2-4-crlf.eml; do
	{ cat "$W/h1/$n"; printf 'footer added by a list\n'; } >"$W/broken/$n"
	mxg_eq "$n: broken chain: hop 2 seals (exit 0)" "$(seal hop2 r2 "$W/broken/$n" "$W/failed/$n")" 0
	mxg_match "$n: hop 2 seals cv=fail" "$(grep -h '^	cv=' "$W/failed/$n" | head -1)" "^	cv=fail; d=hop2.test; i=2;"
	mxg_eq "$n: mxguard dmarc says arc=fail" "$(arc_of "$W/failed/$n")" "fail i=2"
	mxg_eq "$n: hop 3 does not seal (exit 1)" "$(seal hop3 r3 "$W/failed/$n" "$W/failed/$n.3")" 1
	mxg_same "$n: hop 3 writes the message unchanged" "$(md5sum <"$W/failed/$n.3")" "$(md5sum <"$W/failed/$n")"
done
mxg_run_counted $PY "$HELP" verify ended 2 $RECS -- "$W"/failed/*.eml

# Refusals: a group-readable key, no key file, no message file.
cp "$W/hop1.pem" "$W/open.pem" && chmod 0640 "$W/open.pem"
out=$("$M" sign --arc-seal hop1.test --key "$W/open.pem" --domain hop1.test --selector r1 \
	--zone "$W/keys.zone" "$W/corpus/m0-0-crlf.eml" 2>&1)
mxg_eq "group-readable key: exit 3" $? 3
mxg_match "group-readable key: clear error, nothing written" "$out" "^mxguard sign --arc-seal: .*readable or writable by group or others"
"$M" sign --arc-seal hop1.test --key "$W/hop1.pem" --domain hop1.test --selector r1 \
	--zone "$W/keys.zone" "$W/none.eml" >/dev/null 2>&1
mxg_eq "missing message: exit 3" $? 3
mxg_done
