#!/bin/sh
# Runs the DKIM conformance data in tests/conformance/data/dkim/ unmodified against our verifier:
#   dkim-vectors.sh rfc8463|dkimpy|mail-dkim
# Each message's key table is loaded into the zone backend by the dkim-vectors driver.
. "$(dirname "$0")/../lib/harness.sh"

suite=${1:?usage: dkim-vectors.sh rfc8463|dkimpy|mail-dkim}
data=$MXG_DATA/dkim/$suite
drv=$MXG_BUILD/tests/conformance/dkim-vectors
[ -x "$drv" ] || { echo "missing $drv (make check-prepare)"; echo "0 passed, 1 failed"; exit 1; }
[ -f "$data/expected.tsv" ] || { echo "missing $data"; echo "0 passed, 1 failed"; exit 1; }

# rows FILE: expected.tsv without comments and without its header line.
rows() {
	grep -v '^#' "$1" | tail -n +2
}

# result_of OUTPUT N: the result of signature N (counted from the top) in the driver output.
result_of() {
	printf '%s\n' "$1" | awk -F'\t' -v n="$2" '$2 == n { print $3 }'
}

run_rfc8463() {
	while IFS='	' read -r file sig d s a c bh want; do
		out=$("$drv" "$data/dns.txt" "$data/$file")
		line=$(printf '%s\n' "$out" | awk -F'\t' -v n="$sig" '$2 == n')
		mxg_eq "$file #$sig ($a) result" "$(printf '%s' "$line" | cut -f3)" "$want"
		mxg_eq "$file #$sig d= s= a=" "$(printf '%s' "$line" | cut -f4-6)" "$d	$s	$a"
		# The signature names the body hash the vector gives, and it verified: the hash is right.
		mxg_match "$file #$sig bh=" "$(tr -d '\r\n\t ' <"$data/$file")" "bh=$bh"
	done <<EOF
$(rows "$data/expected.tsv")
EOF
	out=$("$drv" "$data/dns.txt" "$data/unsigned-message.eml")
	mxg_eq "unsigned-message.eml has no signature" "$(result_of "$out" 0)" none
}

run_dkimpy() {
	while IFS='	' read -r file dns sig want test note; do
		out=$("$drv" "$data/$dns" "$data/$file")
		if [ "$sig" = all ]; then
			got=$(printf '%s\n' "$out" | cut -f3 | sort -u | tr '\n' ' ' | sed 's/ $//')
		else
			got=$(result_of "$out" "$sig")
		fi
		# not-pass: dkimpy asserts only that verification fails; any non-pass result is right.
		case "$want:$got" in
		not-pass:pass | not-pass:) mxg_not_ok "$file #$sig ($dns, $test): got '$got', want not-pass" ;;
		not-pass:*) mxg_ok "$file #$sig ($dns, $test): $got" ;;
		*) mxg_eq "$file #$sig ($dns, $test)" "$got" "$want" ;;
		esac
	done <<EOF
$(rows "$data/expected.tsv")
EOF
}

# Mail::DKIM's verdicts by class: pass; fail (the body hash or signature does not match);
# invalid (anything else: permerror, temperror, policy, a revoked key or an expired signature).
class_of() {
	case "$1" in
	pass:* | none:*) echo "${1%%:*}" ;;
	fail:*"body hash"* | fail:*"did not verify"*) echo fail ;;
	*) echo invalid ;;
	esac
}

# Cases where we deliberately differ from Mail::DKIM's verdict, and why.
mail_dkim_deviation() {
	case "$1" in
	# Draft-ietf-01 signatures without v=: RFC 6376 §3.5 makes v= required and §6.1.1 says
	# a signature missing a required tag is a PERMFAIL. Mail::DKIM accepts the draft form.
	mine_ietf01_3.txt | mine_ietf01_4.txt) echo invalid ;;
	esac
}

run_mail_dkim() {
	while IFS='	' read -r file up strict kinds algs keys flags possible note; do
		out=$(cd "$data/corpus" && "$drv" ../FAKE_DNS.dat "$file")
		# A lookup of a name FAKE_DNS.dat lacks is a harness error, unless the row says the key is absent.
		if printf '%s\n' "$out" | grep -q 'harness-error' && [ "$keys" != absent ]; then
			mxg_not_ok "$file: $(printf '%s\n' "$out" | grep harness-error | cut -f7)"
			continue
		fi
		got=none
		for r in $(printf '%s\n' "$out" | grep -v harness-error | awk -F'\t' '{ gsub(/ /, "_", $7); print $3 ":" $7 }'); do
			c=$(class_of "$(echo "$r" | tr _ ' ')")
			case "$got:$c" in
			*:pass | none:*) got=$c ;;
			invalid:fail) got=fail ;;
			esac
		done
		# RFC 4870 DomainKeys is historic (RFC 6376 replaced it): such fields are not signatures to us.
		case "$kinds" in *DKIM*) ;; *) want=none ;; esac
		case "$kinds:$up:$possible:$flags" in
		*DKIM*:pass:yes:*) want=pass ;;
		# RFC 8301 §3.1/§3.2: rsa-sha1 and RSA keys under 1024 bits must not verify at all.
		*DKIM*:*:*:rsa*) want=invalid ;;
		*DKIM*:fail:*) want=fail ;;
		*DKIM*:*) want=invalid ;;
		esac
		dev=$(mail_dkim_deviation "$file")
		[ -n "$dev" ] && want=$dev
		mxg_eq "$file ($up upstream; $note)" "$got" "$want"
	done <<EOF
$(rows "$data/expected.tsv")
EOF
}

case "$suite" in
rfc8463) run_rfc8463 ;;
dkimpy) run_dkimpy ;;
mail-dkim) run_mail_dkim ;;
*) echo "unknown suite $suite"; exit 2 ;;
esac
mxg_done
