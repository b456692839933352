#!/bin/sh
# mxguard spf and the SPF audit of mxguard check on the zone backend
# (tests/data/zones/spf.test.zone): results, matched mechanism, explanation, exit statuses,
# JSON, a safe Received-SPF line, and every SPF finding including the provider conflict.
. "$(dirname "$0")/../lib/harness.sh"
mxg_require_netns "$@"
mxg_workdir

zone=$MXG_ROOT/tests/data/zones/spf.test.zone
mxguard=$MXG_BUILD/mxguard
# The provider table as installed from data/.
MXGUARD_DATADIR=$MXG_ROOT/data
export MXGUARD_DATADIR

spf() {
	"$mxguard" spf --zone "$zone" "$@"
}

# field NAME JSON-ARGS...: one field of mxguard spf --json.
field() {
	name=$1
	shift
	spf --json "$@" | python3 -c 'import json,sys; v=json.load(sys.stdin)[sys.argv[1]]; print("null" if v is None else v)' "$name"
}

# Each qualifier of one record, by client address, and the exit status it gives.
for case in "11.2.2.1 fail 2" "11.2.2.2 softfail 1" "11.2.2.3 neutral 1" "11.2.2.4 pass 0" \
	"11.2.2.9 pass 0" "11.2.2.5 fail 2"; do
	set -- $case
	out=$(spf "$1" bob@results.spf.test); rc=$?
	mxg_match "$1: result $2" "$out" "^result: $2\$"
	mxg_eq "$1: exit $3" "$rc" "$3"
done
mxg_eq "pass through include names the include" "$(field mechanism 11.2.2.9 bob@results.spf.test)" \
	"include:inc.results.spf.test"

# The healthy domain: mx passes, others fail with the exp= text expanded.
out=$(spf 11.2.0.10 alice@good.spf.test mail.good.spf.test)
mxg_match "mx host passes" "$out" "^mechanism: mx\$"
out=$(spf 11.9.9.9 alice@good.spf.test mail.good.spf.test)
mxg_match "stranger fails at -all" "$out" "^mechanism: -all\$"
mxg_match "explanation from exp=" "$out" "^explanation: 11\.9\.9\.9 is not one of good\.spf\.test's senders\$"
mxg_eq "explanation in JSON" "$(field explanation 11.9.9.9 alice@good.spf.test)" \
	"11.9.9.9 is not one of good.spf.test's senders"

# The null reverse-path checks postmaster@HELO; IPv6 through the include.
mxg_eq "bounce: sender is postmaster@helo" "$(field sender 2a00:1450:4001::5 '<>' good.spf.test)" \
	"postmaster@good.spf.test"
mxg_eq "bounce: IPv6 passes through include" "$(field result 2a00:1450:4001::5 '' good.spf.test)" pass
spf 11.2.0.10 '' >/dev/null 2>&1
mxg_eq "bounce without HELO: usage error" $? 3

# The HELO identity.
mxg_eq "HELO identity" "$(field identity --helo 11.2.0.10 good.spf.test)" helo
mxg_eq "HELO identity result" "$(field result --helo 11.2.0.10 good.spf.test)" pass
mxg_eq "HELO address literal: none" "$(field result --helo 11.2.0.10 '[11.2.0.10]')" none

# Errors: permerror with the reason, and none for a domain without SPF.
mxg_eq "syntax error: permerror" "$(field result 11.2.3.1 x@syntax.spf.test)" permerror
mxg_match "syntax error: problem names the term" "$(field problem 11.2.3.1 x@syntax.spf.test)" "ip4:11\.2\.3\.300"
mxg_eq "two records: permerror" "$(field result 11.2.3.1 x@multiple.spf.test)" permerror
mxg_eq "no record: none" "$(field result 11.2.3.1 x@nospf.spf.test)" none
mxg_eq "eleven lookups: permerror" "$(field result 11.9.9.9 x@toomany.spf.test)" permerror
mxg_eq "three void lookups: permerror" "$(field result 11.9.9.9 x@voids.spf.test)" permerror

# A resolver that does not answer gives temperror (exit 3), never fail.
out=$("$mxguard" spf --resolver 127.0.0.1@5399 --timeout 2 11.2.0.10 a@good.spf.test 2>&1); rc=$?
mxg_match "silent resolver: temperror" "$out" "^result: temperror\$"
mxg_eq "silent resolver: exit 3" $rc 3

# Received-SPF: a hostile HELO cannot end the header line or the quoted string.
printf '%s\n' "$(spf 11.2.0.10 a@good.spf.test "$(printf 'evil" \r\nX-Injected: 1')")" >"$MXG_WORK/hdr"
mxg_check "Received-SPF stays one line" sh -c "[ \$(grep -c '^Received-SPF: ' '$MXG_WORK/hdr') = 1 ] && ! grep -q '^X-Injected' '$MXG_WORK/hdr'"
mxg_match "Received-SPF quotes the HELO" "$(cat "$MXG_WORK/hdr")" 'helo="evil\\" \?\?X-Injected: 1";'
spf --json 11.2.0.10 a@good.spf.test 'x"y' >"$MXG_WORK/spf.json"
mxg_check "JSON output parses" python3 -c 'import json,sys; json.load(open(sys.argv[1]))' "$MXG_WORK/spf.json"

# mxguard check: the SPF codes of each domain.
codes() {
	"$mxguard" check --zone "$zone" --json "$1" >"$MXG_WORK/check.json"
	python3 -c 'import json,sys
d = json.load(open(sys.argv[1]))
print(" ".join(sorted(f["code"] for f in d["domains"][0]["findings"] if f["code"].startswith("SPF_"))))' "$MXG_WORK/check.json"
}
expect() {
	mxg_eq "check $1: SPF codes" "$(codes "$1.spf.test")" "$2"
}
expect good ""
expect gsuite ""
expect passall SPF_PASS_ALL
expect neutral SPF_NEUTRAL_ALL_ONLY
expect noall SPF_NO_ALL
expect ptr SPF_PTR_USED
expect syntax SPF_SYNTAX
expect multiple SPF_MULTIPLE
expect nospf SPF_NONE
expect type99 SPF_RR_TYPE_SPF
expect includenone SPF_INCLUDE_NONE
expect voids SPF_TOO_MANY_VOID
expect big SPF_RECORD_TOO_LONG
expect toomany SPF_TOO_MANY_LOOKUPS
expect m365 SPF_PROVIDER_NOT_AUTHORIZED
text=$("$mxguard" check --zone "$zone" m365.spf.test)
mxg_match "provider conflict names the provider and include" "$text" \
	"is Microsoft 365, but the SPF record of m365\.spf\.test does not include spf\.protection\.outlook\.com"
"$mxguard" check --zone "$zone" passall.spf.test >/dev/null
mxg_eq "check +all: exit 2" $? 2
MXGUARD_DATADIR=$MXG_WORK/none "$mxguard" check --zone "$zone" m365.spf.test >/dev/null 2>"$MXG_WORK/noprov.err"
mxg_eq "no provider table: check cannot check (exit 3)" $? 3
mxg_match "no provider table: the error names the path" "$(cat "$MXG_WORK/noprov.err")" \
	"cannot read the SPF provider table: $MXG_WORK/none/spf-providers.tsv: No such file"

mxg_done
