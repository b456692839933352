# A private Postfix on loopback for the mail tests; source it after harness.sh.
# Gives: Postfix in $MXG_WORK/pf (own main.cf/master.cf, queue, maillog; no chroot; XCLIENT from
# 127.0.0.1), smtp-sink as the next hop dumping each message to a file, an SMTP client with
# XCLIENT, and bounded waits on delivery. Needs root and a network namespace (mxg_require_netns).
#
#   mxg_postfix_start [KEY=VALUE...]   main.cf overrides (e.g. smtpd_milters=inet:127.0.0.1:9901);
#                                      MXG_PF_MASTER_EXTRA adds master.cf lines
#   mxg_postfix_select [SUFFIX [PORT]] which instance the functions act on: the default one
#                                      (no suffix: $MXG_WORK/pf, process "postfix"), or another
#                                      one (directory pfSUFFIX, process postfixSUFFIX, SMTP on PORT)
#   mxg_postfix_set KEY=VALUE...       change main.cf of the running instance and reload
#   mxg_postfix_stop
#   mxg_sink_start                     smtp-sink on $MXG_SINK_PORT, messages in $MXG_SINK_DIR
#   mxg_smtp_send [OPTIONS] FILE       one message to Postfix; prints the final "CODE TEXT"
#   mxg_sink_wait N [SECONDS]          until N messages were delivered to the sink
#   mxg_sink_count / mxg_sink_last / mxg_sink_clear
#   mxg_postfix_wait_log REGEX [SECONDS], mxg_postfix_log_count REGEX
#   mxg_postfix_queue_count            messages still in the queue
#   mxg_postfix_wait_queue N [SECONDS] until N messages are left in the queue

MXG_PF_PORT=${MXG_PF_PORT:-2525}
MXG_SINK_PORT=${MXG_SINK_PORT:-2526}
MXG_PF_HOSTNAME=${MXG_PF_HOSTNAME:-mta.mxguard.test}
# Debian's python3 (python3-dkim lives there), even when another python3 is first in PATH.
if [ -z "${MXG_PYTHON:-}" ]; then
	MXG_PYTHON=python3
	[ -x /usr/bin/python3 ] && MXG_PYTHON=/usr/bin/python3
fi

# The instance's directories; set by mxg_postfix_select (mxg_postfix_start calls it).
MXG_PF_INSTANCE=
MXG_PF_DIR=
MXG_PF_ETC=
MXG_PF_LOG=
MXG_SINK_DIR=

# Postfix prints fatal errors only to a tty or syslog: run it on a pseudo-tty so that
# they reach our output.
mxg_postfix_cmd() {
	script -qec "postfix -c $MXG_PF_ETC $*" /dev/null </dev/null
}

mxg_postfix_write_main() {
	cat >"$MXG_PF_ETC/main.cf" <<MAINCF
compatibility_level = 3.6
queue_directory = $MXG_PF_DIR/spool
data_directory = $MXG_PF_DIR/data
command_directory = /usr/sbin
daemon_directory = /usr/lib/postfix/sbin
shlib_directory = /usr/lib/postfix
meta_directory = /etc/postfix
mail_owner = postfix
setgid_group = postdrop
maillog_file = $MXG_PF_LOG
maillog_file_prefixes = $MXG_PF_DIR
myhostname = $MXG_PF_HOSTNAME
mydomain = mxguard.test
myorigin = \$myhostname
mydestination =
inet_interfaces = 127.0.0.1
inet_protocols = ipv4
mynetworks = 127.0.0.0/8
alias_maps =
alias_database =
local_recipient_maps =
relay_domains = static:ALL
relayhost = [127.0.0.1]:$MXG_SINK_PORT
smtpd_peername_lookup = no
smtpd_relay_restrictions = permit_mynetworks, permit_sasl_authenticated, reject_unauth_destination
smtpd_authorized_xclient_hosts = 127.0.0.1
smtp_tls_security_level = none
smtpd_tls_security_level = none
smtp_dns_support_level = disabled
disable_dns_lookups = yes
biff = no
milter_default_action = tempfail
milter_connect_timeout = 10s
milter_command_timeout = 30s
milter_content_timeout = 60s
queue_run_delay = 1s
minimal_backoff_time = 1s
maximal_backoff_time = 2s
MAINCF
}

# The services the tests need, chroot column "n" everywhere (no copy of /etc needed).
mxg_postfix_write_master() {
	cat >"$MXG_PF_ETC/master.cf" <<MASTERCF
127.0.0.1:$MXG_PF_PORT inet n - n - - smtpd
pickup     unix  n - n 60 1 pickup
cleanup    unix  n - n -  0 cleanup
qmgr       unix  n - n 300 1 qmgr
rewrite    unix  - - n -  - trivial-rewrite
bounce     unix  - - n -  0 bounce
defer      unix  - - n -  0 bounce
trace      unix  - - n -  0 bounce
verify     unix  - - n -  1 verify
flush      unix  n - n 1000? 0 flush
proxymap   unix  - - n -  - proxymap
proxywrite unix  - - n -  1 proxymap
smtp       unix  - - n -  - smtp
relay      unix  - - n -  - smtp
showq      unix  n - n -  - showq
error      unix  - - n -  - error
retry      unix  - - n -  - error
discard    unix  - - n -  - discard
anvil      unix  - - n -  1 anvil
scache     unix  - - n -  1 scache
tlsmgr     unix  - - n 1000? 1 tlsmgr
postlog    unix-dgram n - n - 1 postlogd
MASTERCF
	# More services a suite asks for (master.cf lines), e.g. listeners on other addresses.
	[ -z "${MXG_PF_MASTER_EXTRA:-}" ] || printf '%s\n' "$MXG_PF_MASTER_EXTRA" >>"$MXG_PF_ETC/master.cf"
}

# mxg_postfix_start [KEY=VALUE...]: writes the instance, applies the overrides and runs the
# master in the foreground under mxg_bg (so cleanup stops it by PID). Waits for the SMTP port.
mxg_postfix_start() {
	mxg_postfix_select "$MXG_PF_INSTANCE"
	mkdir -p "$MXG_PF_ETC" "$MXG_PF_DIR/spool" "$MXG_PF_DIR/data"
	chown postfix:postfix "$MXG_PF_DIR/data"
	: >"$MXG_PF_LOG"
	mxg_postfix_write_main
	mxg_postfix_write_master
	for kv in "$@"; do
		postconf -c "$MXG_PF_ETC" -e "$kv" || return 1
	done
	mxg_postfix_cmd check || { echo "postfix check failed" >&2; return 1; }
	# The master itself in the foreground (what "postfix start-fg" runs as a child of a shell),
	# so that the PID mxg_bg records is the master's and stopping it stops the instance.
	mxg_bg "postfix$MXG_PF_INSTANCE" "$(postconf -c "$MXG_PF_ETC" -h daemon_directory)/master" -c "$MXG_PF_ETC" -s
	mxg_wait_port "$MXG_PF_PORT" tcp 20 || { mxg_postfix_dump_log; return 1; }
}

# mxg_postfix_select [SUFFIX [PORT]]: the instance the other functions act on from now on.
# Several instances run side by side, each with its own directory, queue, maillog and port
# (the benchmark's multi-instance run); the tests use the default one only.
mxg_postfix_select() {
	MXG_PF_INSTANCE=${1:-}
	[ -z "${2:-}" ] || MXG_PF_PORT=$2
	MXG_PF_DIR=$MXG_WORK/pf$MXG_PF_INSTANCE
	MXG_PF_ETC=$MXG_PF_DIR/etc
	MXG_PF_LOG=$MXG_PF_DIR/maillog
}

# mxg_postfix_pid: the master's PID of the selected instance.
mxg_postfix_pid() {
	eval "echo \$MXG_PID_postfix$MXG_PF_INSTANCE"
}

# mxg_postfix_set KEY=VALUE...: edits main.cf and reloads; returns once the master logged
# the reload and the smtpd and cleanup processes that had read the old main.cf are gone
# (bounded, 10 s each), so the next connection is served with the new settings. The master
# logs the reload before it tells its children, and an idle old smtpd could still take a
# connection until it notices.
mxg_postfix_set() {
	for kv in "$@"; do
		postconf -c "$MXG_PF_ETC" -e "$kv" || return 1
	done
	ps_old=$(ps -o pid=,comm= --ppid "$(mxg_postfix_pid)" | awk '$2 == "smtpd" || $2 == "cleanup" { print $1 }')
	n=$(mxg_postfix_log_count 'reload -- version')
	mxg_postfix_cmd reload >/dev/null || return 1
	mxg_postfix_wait_log_count 'reload -- version' $((n + 1)) 10 || return 1
	for ps_pid in $ps_old; do
		mxg_wait_until 10 mxg_pid_gone "$ps_pid" ||
			{ echo "postfix reload: old process $ps_pid still runs" >&2; return 1; }
	done
}

# mxg_postfix_wait_queue N [SECONDS]: waits until N messages are left in the queue (default
# 10 s). A delivery is logged before the queue manager removes its file, so a count read right
# after the log line may still include it.
mxg_postfix_wait_queue() {
	mxg_wait_until "${2:-10}" mxg_postfix_queue_is "$1"
}

mxg_postfix_queue_is() {
	[ "$(mxg_postfix_queue_count)" -eq "$1" ]
}

mxg_postfix_stop() {
	mxg_stop "postfix$MXG_PF_INSTANCE"
}

# mxg_postfix_log_count REGEX: how many maillog lines match the extended REGEX.
mxg_postfix_log_count() {
	grep -Ec -- "$1" "$MXG_PF_LOG" 2>/dev/null || true
}

# mxg_postfix_wait_log_count REGEX N [SECONDS]: until at least N lines match.
mxg_postfix_wait_log_count() {
	limit=$(( ${3:-10} * 10 ))
	i=0
	while [ $i -lt $limit ]; do
		[ "$(mxg_postfix_log_count "$1")" -ge "$2" ] && return 0
		sleep 0.1
		i=$((i + 1))
	done
	echo "maillog: fewer than $2 lines matching /$1/ after $(( limit / 10 ))s" >&2
	return 1
}

# mxg_postfix_wait_log REGEX [SECONDS]: until a maillog line matches.
mxg_postfix_wait_log() {
	mxg_postfix_wait_log_count "$1" 1 "${2:-10}"
}

mxg_postfix_dump_log() {
	echo "--- maillog (last 30 lines)" >&2
	tail -n 30 "$MXG_PF_LOG" >&2 2>/dev/null
}

# mxg_postfix_queue_count: messages in the queue (active, deferred, incoming, hold).
mxg_postfix_queue_count() {
	find "$MXG_PF_DIR/spool/incoming" "$MXG_PF_DIR/spool/active" \
		"$MXG_PF_DIR/spool/deferred" "$MXG_PF_DIR/spool/hold" -type f 2>/dev/null | wc -l
}

# mxg_sink_start [SMTP-SINK OPTIONS...]: smtp-sink on 127.0.0.1:$MXG_SINK_PORT writing one
# file per message into $MXG_SINK_DIR (smtp-sink's dump format: its own X-* lines, then the
# message as received).
mxg_sink_start() {
	MXG_SINK_DIR=$MXG_WORK/sink
	mkdir -p "$MXG_SINK_DIR"
	chown postfix "$MXG_SINK_DIR"
	mxg_bg sink smtp-sink -u postfix -h sink.mxguard.test -d "$MXG_SINK_DIR/%H%M%S." "$@" \
		"127.0.0.1:$MXG_SINK_PORT" 256
	mxg_wait_port "$MXG_SINK_PORT" tcp 10
}

# Delivered messages: a file counts once Postfix logged its delivery (smtp-sink keeps a
# file open while the transaction is in progress).
mxg_sink_count() {
	mxg_postfix_log_count "relay=127\.0\.0\.1\[127\.0\.0\.1\]:$MXG_SINK_PORT.* status=sent"
}

# mxg_sink_wait N [SECONDS]: until N messages were delivered to the sink.
mxg_sink_wait() {
	mxg_postfix_wait_log_count "relay=127\.0\.0\.1\[127\.0\.0\.1\]:$MXG_SINK_PORT.* status=sent" \
		"$1" "${2:-20}"
}

# mxg_sink_last: path of the newest message file (empty if none).
mxg_sink_last() {
	ls -t "$MXG_SINK_DIR" 2>/dev/null | head -n 1 | sed "s|^|$MXG_SINK_DIR/|"
}

# mxg_sink_find REGEX: path of the newest message file with a line matching REGEX.
mxg_sink_find() {
	for f in $(ls -t "$MXG_SINK_DIR" 2>/dev/null); do
		if grep -Eq -- "$1" "$MXG_SINK_DIR/$f"; then
			echo "$MXG_SINK_DIR/$f"
			return 0
		fi
	done
	return 1
}

mxg_sink_clear() {
	rm -f "$MXG_SINK_DIR"/*
}

# mxg_smtp_send [OPTIONS] FILE: sends FILE (a message, LF or CRLF) to Postfix and prints the
# reply that decided it ("250 2.0.0 Ok: queued as ..." or the first refusal). Exit status
# 0 accepted, 4 temporary refusal, 5 permanent refusal, 1 other trouble. OPTIONS:
#   --from ADDR --to ADDR (repeatable) --helo NAME
#   --client ADDR [--client-name NAME] [--login USER]   via XCLIENT before the transaction
#   --starttls [--client-cert PEM --client-key PEM]     TLS first, optionally with a client cert
mxg_smtp_send() {
	"$MXG_PYTHON" "$MXG_ROOT/tests/lib/smtp_send.py" --port "$MXG_PF_PORT" "$@"
}

# mxg_sink_at PORT: one more smtp-sink (another next hop) on 127.0.0.1:PORT, messages in
# $MXG_WORK/sink-PORT.
mxg_sink_at() {
	mkdir -p "$MXG_WORK/sink-$1"
	chown postfix "$MXG_WORK/sink-$1"
	mxg_bg "sink-$1" smtp-sink -u postfix -h "sink-$1.mxguard.test" -d "$MXG_WORK/sink-$1/%H%M%S." \
		"127.0.0.1:$1" 64
	mxg_wait_port "$1" tcp 10
}

# mxg_delivered_to PORT ADDRESS: how many copies for ADDRESS Postfix delivered to 127.0.0.1:PORT.
mxg_delivered_to() {
	re=$(printf '%s' "$2" | sed 's/[.+]/\\&/g')
	mxg_postfix_log_count "to=<$re>.*relay=127\.0\.0\.1\[127\.0\.0\.1\]:$1.* status=sent"
}

# mxg_wait_delivered PORT ADDRESS [N] [SECONDS]: until N copies for ADDRESS reached PORT.
mxg_wait_delivered() {
	limit=$(( ${4:-20} * 10 ))
	i=0
	while [ $i -lt $limit ]; do
		[ "$(mxg_delivered_to "$1" "$2")" -ge "${3:-1}" ] && return 0
		sleep 0.1
		i=$((i + 1))
	done
	return 1
}
