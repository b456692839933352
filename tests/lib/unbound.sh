# Loopback resolvers for the tests, the demo and the benchmarks: the Unbound that
# scripts/build-unbound builds, with or without mxguard.so, stub zones to servers on loopback.
# Source it after harness.sh.

MXG_UNBOUND=$MXG_ROOT/build/unbound-src/tree/unbound
MXG_UNBOUND_MODULE=$MXG_BUILD/unbound-module/mxguard.so
MXG_UNBOUND_CONTROL_BIN=$MXG_ROOT/build/unbound-src/tree/unbound-control

# mxg_unbound_conf DIR PORT MODULES [ZONE=PORT...]: writes DIR/unbound.conf, a resolver on
# 127.0.0.1@PORT with module-config MODULES (mxguard.so is loaded when MODULES names dynlib)
# and one stub zone per ZONE=PORT (server 127.0.0.1@PORT) or ZONE=ADDR@PORT. MXG_UNBOUND_OPTS adds "name: value" lines to server:,
# after the defaults (two threads, verbosity 1), so it may change those. MXG_UNBOUND_CONTROL, a
# socket path, enables unbound-control on that Unix socket (no certificates).
mxg_unbound_conf() {
	uc_dir=$1 uc_port=$2 uc_modules=$3
	shift 3
	mkdir -p "$uc_dir"
	{
		cat <<UBCONF
server:
    interface: 127.0.0.1@$uc_port
    port: $uc_port
    do-ip6: no
    do-daemonize: no
    username: ""
    chroot: ""
    directory: "$uc_dir"
    pidfile: "$uc_dir/unbound.pid"
    logfile: "$uc_dir/unbound.log"
    use-syslog: no
    access-control: 127.0.0.0/8 allow
    do-not-query-localhost: no
    local-zone: "test." nodefault
    module-config: "$uc_modules"
    num-threads: 2
    verbosity: 1
UBCONF
		printf '%s\n' "${MXG_UNBOUND_OPTS:-}" | sed '/^$/d; s/^/    /'
		for uc_stub in "$@"; do
			uc_addr=${uc_stub#*=}
			case $uc_addr in *@*) ;; *) uc_addr=127.0.0.1@$uc_addr ;; esac
			printf 'stub-zone:\n    name: "%s"\n    stub-addr: %s\n' "${uc_stub%=*}" "$uc_addr"
		done
		case " $uc_modules " in
		*" dynlib "*) printf 'dynlib:\n    dynlib-file: "%s"\n' "$MXG_UNBOUND_MODULE" ;;
		esac
		if [ -n "${MXG_UNBOUND_CONTROL:-}" ]; then
			printf 'remote-control:\n    control-enable: yes\n    control-interface: "%s"\n    control-use-cert: no\n' \
				"$MXG_UNBOUND_CONTROL"
		else
			printf 'remote-control:\n    control-enable: no\n'
		fi
	} >"$uc_dir/unbound.conf"
}

# mxg_unbound_start NAME PORT MODULES MXGUARD_CONF [ZONE=PORT...]: writes the configuration
# in $MXG_WORK/NAME, checks it with unbound-checkconf, starts Unbound in the foreground (as
# background process NAME, the module reading MXGUARD_CONF) and waits up to 60 s until it
# answers. MXG_UNBOUND_WRAP runs it under a tool (valgrind ...).
mxg_unbound_start() {
	us_name=$1 us_port=$2 us_modules=$3 us_mxguard=$4
	shift 4
	mxg_unbound_conf "$MXG_WORK/$us_name" "$us_port" "$us_modules" "$@"
	"${MXG_UNBOUND%/*}/unbound-checkconf" "$MXG_WORK/$us_name/unbound.conf" \
		>"$MXG_WORK/$us_name/checkconf.log" 2>&1 || return 1
	# shellcheck disable=SC2086
	mxg_bg "$us_name" env MXGUARD_UNBOUND_CONF="$us_mxguard" ${MXG_UNBOUND_WRAP:-} \
		"$MXG_UNBOUND" -d -c "$MXG_WORK/$us_name/unbound.conf"
	mxg_unbound_wait_ready "$us_port" 60
}

# mxg_unbound_wait_ready PORT SECONDS: waits until the resolver on PORT answers a query. Its
# socket is bound before the modules are initialised, so a listening port alone does not mean
# that mxguard.so has loaded and logged what it checks at load; an answer does.
mxg_unbound_wait_ready() {
	mxg_wait_port "$1" udp "$2" || return 1
	ur_i=0
	while [ $ur_i -lt "$2" ]; do
		dig @127.0.0.1 -p "$1" +tries=1 +time=1 version.server CH TXT 2>/dev/null |
			grep -q 'status: ' && return 0
		sleep 0.5
		ur_i=$((ur_i + 1))
	done
	echo "unbound on port $1 bound its socket but did not answer in ${2}s" >&2
	return 1
}
