#!/bin/sh
# The adversarial corpus (tests/integration/milter/adversarial.py: From ambiguities, replayed
# signatures, l= tails, A-R overflow, forged A-R) judged three ways, case by case:
#   1. mxguard-milter with its DEFAULT settings, through our own milter client (fields over
#      1 KB, NUL and bare CR inside fields, which miltertest cannot send);
#   2. the same through Debian's miltertest, for every case it can send;
#   3. mxguard dmarc on the message file with the same envelope.
# Each must give the expected action, and the milter and the CLI must agree on the action, the
# DMARC result and, for delivered mail, the whole Authentication-Results value. A second milter
# with reject_bad_from = no must still refuse every forgery that names the victim's domain
# (DMARC over every author domain, not the From rule, stops it). Last, a client that dies in the
# middle of a header field leaves a milter that stops cleanly on SIGTERM.
. "$(dirname "$0")/../lib/harness.sh"
. "$MXG_ROOT/tests/integration/milter/lib.sh"
mxg_require_netns "$@"
mxg_workdir

CLI=$MXG_BUILD/mxguard
CLIENT="$MXG_PYTHON $MILTER_DIR/milter_client.py"
[ -x "$MILTER_BIN" ] && [ -x "$CLI" ] || { mxg_not_ok "mxguard-milter and mxguard are built"; mxg_done; }
milter_zone_setup || { mxg_not_ok "zone and NSD"; mxg_done; }
corpus=$MXG_WORK/corpus
"$MXG_PYTHON" "$MILTER_DIR/adversarial.py" "$MXG_WORK/keys" "$corpus" ||
	{ mxg_not_ok "adversarial corpus built"; mxg_done; }
# The first has the defaults (nothing but where to listen and resolve); the second differs in
# the From rule only.
milter_start a-default 9911 && milter_start a-lenient 9912 reject_bad_from=no ||
	{ mxg_not_ok "milters started"; mxg_done; }

# json_get FILE KEY...: one value of a JSON document (nested keys), or "" if absent.
json_get() {
	"$MXG_PYTHON" -c '
import json, sys
v = json.load(open(sys.argv[1]))
for k in sys.argv[2:]:
    v = v.get(k) if isinstance(v, dict) else None
print("" if v is None else v)' "$@" 2>/dev/null
}

# The inserted A-R value the milter added (unfolded), or "".
milter_authres() {
	"$MXG_PYTHON" -c '
import json, re, sys
out = json.load(open(sys.argv[1]))
for op, name, value in out.get("headers", []):
    if name.lower() == "authentication-results":
        print(re.sub(r"\s+", " ", value.replace(";", "; ")).replace(" ;", ";").strip())
        break' "$1"
}

unfold() {
	printf '%s\n' "$1" | tr '\n\t' '  ' | sed -e 's/;/; /g' -e 's/  */ /g' -e 's/ ;/;/g' -e 's/ *$//'
}

lua_cases=
while IFS='	' read -r name ip helo mail_from expect mt desc; do
	eml=$corpus/$name.eml
	$CLIENT 127.0.0.1:9911 "$eml" --ip "$ip" --helo "$helo" --mail-from "$mail_from" \
		>"$MXG_WORK/$name.milter" 2>"$MXG_WORK/$name.milter.err"
	"$CLI" dmarc --json --resolver "127.0.0.1@$MILTER_DNS_PORT" --authserv-id "$MILTER_AUTHSERV" \
		--ip "$ip" --helo "$helo" --mail-from "$mail_from" "$eml" >"$MXG_WORK/$name.cli" 2>&1
	m_action=$(json_get "$MXG_WORK/$name.milter" action)
	c_action=$(json_get "$MXG_WORK/$name.cli" verdict action)
	[ "$c_action" = quarantine ] && c_action=accept
	mxg_eq "$name: milter $expect ($desc)" "$m_action" "$expect"
	mxg_same "$name: mxguard dmarc agrees" "$c_action" "$m_action"
	if [ "$m_action" = accept ]; then
		m_ar=$(milter_authres "$MXG_WORK/$name.milter")
		c_ar=$(unfold "$(json_get "$MXG_WORK/$name.cli" authentication_results)")
		mxg_same "$name: the same Authentication-Results" "$(unfold "$m_ar")" "$c_ar"
	fi
	want=$expect
	case $name in missing-from|empty-from|continuation-first) want=accept ;; esac
	l_action=$($CLIENT 127.0.0.1:9912 "$eml" --ip "$ip" --helo "$helo" --mail-from "$mail_from" |
		"$MXG_PYTHON" -c 'import json,sys; print(json.load(sys.stdin)["action"])' 2>/dev/null)
	mxg_eq "$name: reject_bad_from = no: $want" "$l_action" "$want"
	[ "$mt" = yes ] && lua_cases="$lua_cases$name:$ip:$helo:$mail_from:$expect "
done <"$corpus/cases.tsv"

# The cases miltertest can send, through miltertest (common.lua drives the transaction).
export MILTER=inet:9911@127.0.0.1 MILTER_DIR AGREE_CASES="$lua_cases" AGREE_CORPUS="$corpus"
out=$(timeout 300 miltertest -s "$MILTER_DIR/agree.lua" 2>&1)
printf '%s\n' "$out" | grep -v '^[0-9]* passed, [0-9]* failed$'
set -- $(printf '%s\n' "$out" | sed -n 's/^\([0-9]*\) passed, \([0-9]*\) failed$/\1 \2/p' | tail -n 1)
mxg_passed=$((mxg_passed + ${1:-0}))
mxg_failed=$((mxg_failed + ${2:-1}))

# Clients that die half-way through a header field, one of them while its SPF lookup still
# waits on a DNS server that refuses every query (a worker inside libunbound when SIGTERM
# comes): the milter stops by itself (no KILL), after that lookup ends and not before, so no
# thread uses the resolver after it was freed (libunbound then logs lock and pipe errors).
milter_start a-stop 9913 dns_forwarders=127.0.0.1@5397 dns_timeout=5s ||
	mxg_not_ok "milter for the stop test started"
for i in 1 2; do
	$CLIENT 127.0.0.1:9913 --die-mid-field >/dev/null 2>&1
done
$CLIENT 127.0.0.1:9913 --die-mid-field --stall 60 >/dev/null 2>&1 &
stalled=$!
sleep 1
(sleep 40; kill -KILL "$MXG_PID_a_stop" 2>/dev/null) &
guard=$!
mxg_stop_wait a-stop
kill "$guard" "$stalled" 2>/dev/null
mxg_eq "died mid-field: milter exits 0 on SIGTERM, without KILL" "$mxg_exit" 0
mxg_match "died mid-field: the milter logged its stop" "$(cat "$MXG_WORK/a-stop.log")" "stopped"
mxg_nomatch "died mid-field: no resolver used after it was freed" "$(cat "$MXG_WORK/a-stop.log")" \
	"libunbound.*error"
mxg_done
