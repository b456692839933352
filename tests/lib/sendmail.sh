# A private Sendmail on loopback for the mail tests; source it after harness.sh (and postfix.sh
# for the smtp-sink helpers). Debian's sendmail-bin conflicts with postfix as a package, so
# scripts/fetch-sendmail (make check-prepare) unpacks it into build/sendmail-root; the daemon
# runs from there with a sendmail.cf built here by sendmail-cf's m4 macros from the repository's
# deploy/examples/sendmail.mc, adapted for the test: it listens on 127.0.0.1, needs no DNS
# (hosts file only, a fixed domain name) and relays everything to smtp-sink on
# 127.0.0.1:$MXG_SINK_PORT. Needs root and a network namespace (mxg_require_netns).
#
#   mxg_sendmail_ready                       true when the unpacked Sendmail is there
#   mxg_sendmail_start NAME PORT SOCKET       an instance in $MXG_WORK/NAME on 127.0.0.1:PORT
#                                            with the filter on SOCKET (inet:PORT@127.0.0.1)
#   mxg_sendmail_cmd NAME ARGS...            the sendmail binary on the instance's sendmail.cf
#   mxg_sendmail_send PORT [OPTIONS] FILE    one message (tests/lib/smtp_send.py options)
#   mxg_sendmail_queue_count NAME            messages waiting in the queue (qf files)
#   mxg_sendmail_held_count NAME             messages in the quarantine (hf files)
#   mxg_sendmail_wait_delivered NAME REGEX [SECONDS]
#                                            until a sink file matches and the queue is empty
#   mxg_client_addr ADDR                     ADDR on lo, for --source (Sendmail has no XCLIENT)

MXG_SM_ROOT=${MXG_SM_ROOT:-$MXG_ROOT/build/sendmail-root}
MXG_SM_BIN=$MXG_SM_ROOT/usr/libexec/sendmail/sendmail
MXG_SM_HOSTNAME=${MXG_SM_HOSTNAME:-mta.mxguard.test}
MXG_SM_CF=/usr/share/sendmail/cf/m4/cf.m4
MXG_SINK_PORT=${MXG_SINK_PORT:-2526}

mxg_sendmail_ready() {
	[ -x "$MXG_SM_BIN" ] && [ -f "$MXG_SM_CF" ]
}

# The .mc of an instance: the test's own settings, then the repository's example with the
# filter's socket replaced.
mxg_sendmail_write_mc() {
	d=$1 port=$2 sock=$3
	cat <<MC
include(\`$MXG_SM_CF')dnl
OSTYPE(\`linux')dnl
define(\`confDOMAIN_NAME', \`$MXG_SM_HOSTNAME')dnl
define(\`confSERVICE_SWITCH_FILE', \`$d/etc/service.switch')dnl
define(\`confHOSTS_FILE', \`$d/etc/hosts')dnl
define(\`confCW_FILE', \`-o $d/etc/local-host-names')dnl
define(\`QUEUE_DIR', \`$d/queue')dnl
define(\`confPID_FILE', \`$d/sendmail.pid')dnl
define(\`STATUS_FILE', \`$d/statistics')dnl
define(\`HELP_FILE', \`$MXG_SM_ROOT/etc/mail/helpfile')dnl
define(\`ALIAS_FILE', \`')dnl
define(\`confDONT_PROBE_INTERFACES', \`true')dnl
define(\`confTO_IDENT', \`0s')dnl
define(\`confDELIVERY_MODE', \`background')dnl
define(\`SMART_HOST', \`relay:[127.0.0.1]')dnl
define(\`RELAY_MAILER_ARGS', \`TCP \$h $MXG_SINK_PORT')dnl
FEATURE(\`nocanonify')dnl
FEATURE(\`promiscuous_relay')dnl
FEATURE(\`accept_unresolvable_domains')dnl
FEATURE(\`no_default_msa')dnl
DAEMON_OPTIONS(\`Port=$port, Addr=127.0.0.1, Name=MTA')dnl
MAILER(\`smtp')dnl
MC
	sed "s/S=inet:8895@127\.0\.0\.1/S=$sock/" "$MXG_ROOT/deploy/examples/sendmail.mc"
}

# mxg_sendmail_start NAME PORT SOCKET: builds the instance's sendmail.cf and runs the daemon in
# the foreground (-bD) under mxg_bg. Sendmail qualifies its host name before it reads its
# configuration (and sleeps a minute when it cannot): it runs in a UTS namespace of its own
# whose host name is $MXG_SM_HOSTNAME. Waits for the SMTP port.
mxg_sendmail_start() {
	name=$1 port=$2 sock=$3
	d=$MXG_WORK/$name
	mkdir -p "$d/etc" "$d/queue"
	chmod 700 "$d/queue"
	printf 'hosts files\naliases files\n' >"$d/etc/service.switch"
	printf '127.0.0.1 localhost\n' >"$d/etc/hosts"
	: >"$d/etc/local-host-names"
	mxg_sendmail_write_mc "$d" "$port" "$sock" >"$d/sendmail.mc"
	# promiscuous_relay warns on stderr: keep it apart from real errors.
	m4 "$d/sendmail.mc" >"$d/sendmail.cf" 2>"$d/m4.err" || { cat "$d/m4.err" >&2; return 1; }
	grep -q "^X.*S=$sock," "$d/sendmail.cf" || { echo "sendmail.cf: no filter on $sock" >&2; return 1; }
	mxg_bg "$name" unshare --uts sh -c 'hostname "$1" && shift && exec "$@"' sh \
		"$MXG_SM_HOSTNAME" "$MXG_SM_BIN" -C "$d/sendmail.cf" -bD
	mxg_wait_port "$port" tcp 20 || { cat "$MXG_WORK/$name.log" >&2; return 1; }
}

# mxg_sendmail_cmd NAME ARGS...: the sendmail binary with the instance's sendmail.cf (mailq,
# queue runs), under the same host name as the daemon, so that it does not sleep a minute.
mxg_sendmail_cmd() {
	d=$MXG_WORK/$1
	shift
	unshare --uts sh -c 'hostname "$1" && shift && exec "$@"' sh "$MXG_SM_HOSTNAME" \
		"$MXG_SM_BIN" -C "$d/sendmail.cf" "$@" </dev/null
}

mxg_sendmail_send() {
	port=$1
	shift
	"$MXG_PYTHON" "$MXG_ROOT/tests/lib/smtp_send.py" --port "$port" "$@"
}

mxg_sendmail_queue_count() {
	find "$MXG_WORK/$1/queue" -name 'qf*' -type f 2>/dev/null | wc -l
}

mxg_sendmail_held_count() {
	find "$MXG_WORK/$1/queue" -name 'hf*' -type f 2>/dev/null | wc -l
}

mxg_sendmail_delivered() {
	mxg_sink_find "$2" >/dev/null && [ "$(mxg_sendmail_queue_count "$1")" -eq 0 ]
}

# mxg_sendmail_wait_delivered NAME REGEX [SECONDS]: a sink file has a line matching REGEX and
# the instance's queue is empty (Sendmail removes the queue file after the sink said 250).
mxg_sendmail_wait_delivered() {
	mxg_wait_until "${3:-20}" mxg_sendmail_delivered "$1" "$2"
}

# mxg_client_addr ADDR: adds ADDR/32 to lo (once), so that a client can connect from it.
mxg_client_addr() {
	ip -4 addr show dev lo | grep -q "inet $1/" && return 0
	ip addr add "$1/32" dev lo
}
