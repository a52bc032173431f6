# shellcheck shell=bash
# Settings are globals read by the sourcing scripts and by render (through
# ${!name}), which shellcheck cannot see:
# shellcheck disable=SC2034
# lib.sh: the haas stack (MariaDB, haasd, haas-notifyd, postfix, mosquitto +
# haas-ingestd, nginx) as private processes under one state dir. Sourced by
# scripts/up, down, test, stack, bench/run and bench/compare; it defines
# functions and constants and runs nothing.
#
# State dir layout ($STATE):
#   stack.env           settings of the running stack (ports, build dir...),
#                       so `scripts/stack` needs only HAAS_STATE_DIR
#   haas.conf           haasd/haasctl configuration
#   run/                pid files and unix sockets
#   log/                every daemon's log, test-<name>.log
#   secrets/            jwt.key, db.txt, admin.txt, mqtt-ingest.txt (mode 600)
#   tls/                cert.pem, key.pem (self-signed, localhost)
#   mysql/              MariaDB data dir
#   nginx/              rendered nginx.conf + snippets, temp dirs
#   mosquitto/          mosquitto.conf, passwd, acl, data/ (persistence)
#   uploads/            haasd's upload_dir (served via /internal/uploads/)
#   spool/              haas-ingestd's message spool (ingest.spool)
#   postfix/            the mail server's main.cf, master.cf (mail_start)
#   postfix-queue/      its queue, postfix-data/ its data dir
#   mail/               the Maildir every message goes to (new/ cur/ tmp/)
#   webhooks.log        requests the test's webhook receiver answered

# The repository root, wherever the scripts are called from.
SRC=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# shellcheck source=scripts/sites.sh
. "$SRC/scripts/sites.sh"

PACKAGES=(
	build-essential autoconf automake libtool pkg-config
	libfcgi-dev libjson-c-dev libmariadb-dev libcrypt-dev libjwt-dev
	libcunit1-dev libmosquitto-dev libcurl4-openssl-dev libsystemd-dev
	mariadb-server mariadb-client nginx libnginx-mod-nchan
	mosquitto mosquitto-clients wrk curl openssl ca-certificates jq
	libjs-bootstrap5 libjs-chart.js postfix
)

# What the browser tests add (scripts/test): Debian's Chromium, driven by
# playwright-core from npm; Node.js and npm from Debian unless the machine
# has them already (a NodeSource nodejs bundles its own npm).
# python3 runs tests/webhook-receiver.py.
# The package test (tests/ops/package.test) builds the .deb and runs
# lintian; the units test runs systemd-analyze verify (systemd, which on a
# machine without systemd as PID 1 only provides the tools).
TEST_PACKAGES=(chromium fonts-dejavu-core python3 debhelper lintian fakeroot
	dpkg-dev systemd ssl-cert groff-base mandoc)
# tests/ops/metrics.test parses /api/metrics with Prometheus' own parser.
TEST_PACKAGES+=(python3-prometheus-client)

# What bench/compare adds: its peer, a Flask + PyMySQL app (bench/peer/)
# under gunicorn's sync workers, all from Debian; python3-jwt checks
# haas's tokens there.
BENCH_PACKAGES=(python3-flask python3-pymysql python3-jwt gunicorn)

# The broker account haas-ingestd logs in with (mqtt_username); the ACL
# gives it read access, and no sensor may take the name.
MQTT_INGEST_USER=ingest

# ---------------------------------------------------------------- messages

say() { printf '%s\n' "$*"; }
info() { printf '==> %s\n' "$*" >&2; }
warn() { printf 'warning: %s\n' "$*" >&2; }
# die keeps its message for an EXIT trap (scripts/test's summary).
DIED=
die() {
	DIED=$*
	printf 'error: %s\n' "$*" >&2
	exit 1
}

# script_help FILE: the comment block at the top of FILE (after the
# shebang, up to the first line that is not a comment) without its "# ":
# each script's usage, for --help.
script_help() {
	sed -n '2,/^[^#]/{ /^#/!q; s/^# \{0,1\}//p; }' "$1"
}

# script_args FILE ARGS...: --help/-h prints FILE's usage and exits 0; any
# other argument is wrong (usage on stderr, exit 2). For scripts that take
# no arguments.
script_args() {
	local file=$1
	shift
	case ${1:-} in
	"") return 0 ;;
	-h | --help) script_help "$file"; exit 0 ;;
	*) script_help "$file" >&2; exit 2 ;;
	esac
}

# ---------------------------------------------------------------- packages

# Installs only what is missing, so a machine that has everything never
# touches the network (and apt-get update runs at most once).
ensure_packages() {
	local missing=() p want=("$@")
	[ $# -gt 0 ] || want=("${PACKAGES[@]}")
	for p in "${want[@]}"; do
		dpkg-query -W -f='${Status}' "$p" 2>/dev/null |
			grep -q 'install ok installed' || missing+=("$p")
	done
	[ ${#missing[@]} -eq 0 ] && return 0
	info "installing ${missing[*]}"
	export DEBIAN_FRONTEND=noninteractive
	debconf_preseed
	apt-get update -qq
	(apt_install_quietly "${missing[@]}") || die "apt-get install failed"
}

# postfix's own configuration step would write /etc/postfix/main.cf for a
# system mail server on port 25; the stack runs a private one
# (mail_start) and needs none.  Only a question nobody answered yet is
# set: an administrator's own choice stays.
debconf_preseed() {
	command -v debconf-set-selections >/dev/null || return 0
	if ! debconf-show postfix 2>/dev/null | grep -q '^\* postfix/main_mailer_type'; then
		echo 'postfix postfix/main_mailer_type select No configuration' |
			debconf-set-selections
	fi
}

# The policy-rc.d apt_install_quietly puts in place, recognised by its
# second line (a leftover of a run that was killed is ours to remove).
POLICY_RC=/usr/sbin/policy-rc.d
POLICY_MARK='# haas scripts/lib.sh: no service starts while it installs packages'

# apt_install_quietly PKG...: apt-get install without the packages' own
# services: MariaDB, nginx and mosquitto would start as system services
# nobody asked for (mosquitto taking 1883, the dev stack's MQTT port) and
# come back at every boot, while the stack runs private instances of its
# own. While apt runs, a policy-rc.d refuses every start (invoke-rc.d and
# deb-systemd-invoke ask it), unless the administrator has one already:
# then theirs decides. Afterwards, units this install enabled at boot are
# disabled again; units enabled before are left alone. Run it in a
# subshell: its EXIT trap removes the policy file.
apt_install_quietly() {
	local before new=()
	if [ -e "$POLICY_RC" ] && [ "$(sed -n 2p "$POLICY_RC")" = "$POLICY_MARK" ]; then
		rm -f "$POLICY_RC"
	fi
	if [ ! -e "$POLICY_RC" ]; then
		trap 'rm -f "$POLICY_RC"' EXIT
		trap 'exit 130' INT TERM HUP
		printf '#!/bin/sh\n%s\nexit 101\n' "$POLICY_MARK" >"$POLICY_RC.haas"
		chmod 755 "$POLICY_RC.haas" && mv "$POLICY_RC.haas" "$POLICY_RC" ||
			return 1
	fi
	before=$(enabled_units)
	apt-get install -y -qq --no-install-recommends "$@" >/dev/null || return 1
	mapfile -t new < <(comm -13 <(printf '%s\n' "$before") <(enabled_units))
	[ ${#new[@]} -gt 0 ] || return 0
	systemctl disable --quiet "${new[@]}" 2>/dev/null ||
		warn "could not disable ${new[*]} at boot"
	info "not enabled at boot: ${new[*]} (the stack runs its own instances;"
	info "'systemctl enable --now NAME' turns one on)"
}

# Unit files enabled at boot, sorted (nothing without systemd).
enabled_units() {
	command -v systemctl >/dev/null || return 0
	systemctl list-unit-files --state=enabled --no-legend 2>/dev/null |
		awk '{ print $1 }' | sort
}

# Node.js and npm (Debian's, unless the machine has them already: a
# NodeSource nodejs bundles its own npm): /docs's Swagger UI comes from
# npm, and the browser tests' tools too.
ensure_node() {
	local extra=()
	command -v node >/dev/null 2>&1 || extra+=(nodejs)
	command -v npm >/dev/null 2>&1 || extra+=(npm)
	[ ${#extra[@]} -eq 0 ] || ensure_packages "${extra[@]}"
}

ensure_test_packages() {
	ensure_node
	ensure_packages "${TEST_PACKAGES[@]}"
}

# vendor/: what haas serves from npm (Swagger UI for /docs), exactly as
# vendor/package-lock.json pins it; npm ci runs again only when the lock
# file changed.  --ignore-scripts: no package runs code at install (one
# of Swagger UI's dependencies would report the install to its vendor).
vendor_ensure() {
	local dir=$SRC/vendor stamp=$SRC/vendor/node_modules/.haas-lock
	if [ -f "$SWAGGER_UI/swagger-ui-bundle.js" ] && cmp -s "$dir/package-lock.json" "$stamp"; then
		return 0
	fi
	ensure_node
	info "npm ci (vendor/: Swagger UI for /docs)"
	(cd "$dir" && npm ci --ignore-scripts --omit=dev --no-audit --no-fund --loglevel=error) \
		>"$LOG/npm-vendor.log" 2>&1 || { tail -20 "$LOG/npm-vendor.log" >&2; die "npm ci in vendor/ failed"; }
	cp "$dir/package-lock.json" "$stamp"
}

# ---------------------------------------------------------------- settings

# stack_settings MODE: fills the globals every function below uses, from the
# environment with per-mode defaults (dev | test | bench). The three modes
# differ in state dir and ports so that they can run side by side.
stack_settings() {
	local mode=$1 https http mqtt smtp
	case $mode in
	dev) STATE=${HAAS_STATE_DIR:-$SRC/var}; https=8443; http=8080; mqtt=1883; smtp=2525 ;;
	test) STATE=${HAAS_STATE_DIR:-$SRC/var/test}; https=18443; http=18080; mqtt=18830; smtp=12525 ;;
	bench) STATE=${HAAS_STATE_DIR:-$SRC/var/bench}; https=28443; http=28080; mqtt=28830; smtp=22525 ;;
	*) die "stack_settings: unknown mode $mode" ;;
	esac
	STACK_MODE=$mode
	STATE=$(realpath -m "$STATE")
	HTTPS_PORT=${HAAS_HTTPS_PORT:-$https}
	HTTP_PORT=${HAAS_HTTP_PORT:-$http}
	MQTT_PORT=${HAAS_MQTT_PORT:-$mqtt}
	SMTP_PORT=${HAAS_SMTP_PORT:-$smtp}
	# The test's webhook receiver (scripts/test starts it).
	RECEIVER_PORT=${HAAS_RECEIVER_PORT:-18446}
	BUILD=${HAAS_BUILD_DIR:-}
	if [ -z "$BUILD" ]; then
		if [ "$mode" = dev ]; then BUILD=$SRC/build; else BUILD=$STATE/build; fi
	fi
	CORS_ORIGINS=${HAAS_CORS_ORIGINS:-*}
	LOGIN_RATE=${HAAS_LOGIN_RATE:-10r/s}
	LOGIN_BURST=${HAAS_LOGIN_BURST:-20}
	# Driver registration (public, stores a document): per address
	REGISTER_RATE=${HAAS_REGISTER_RATE:-6r/m}
	REGISTER_BURST=${HAAS_REGISTER_BURST:-5}
	# Mailed tokens (forgot, reset, verify; public): per address.  The
	# test stack's bucket is deeper and refills fast, so a test that
	# floods it leaves it full again within seconds.
	if [ "$mode" = test ]; then
		RESET_RATE=${HAAS_RESET_RATE:-5r/s}
		RESET_BURST=${HAAS_RESET_BURST:-30}
	else
		RESET_RATE=${HAAS_RESET_RATE:-6r/m}
		RESET_BURST=${HAAS_RESET_BURST:-10}
	fi
	# The address nginx and mosquitto listen on: loopback, unless lab PCs,
	# browsers and sensors elsewhere are to reach this machine (0.0.0.0,
	# or one of its addresses).  HAAS_BIND_ADDRESS, or what the stack uses now.
	if [ -n "${HAAS_BIND_ADDRESS+set}" ]; then
		LISTEN=$HAAS_BIND_ADDRESS
	else
		LISTEN=$(saved_setting LISTEN)
	fi
	LISTEN=${LISTEN:-127.0.0.1}
	[[ $LISTEN =~ ^[0-9]{1,3}(\.[0-9]{1,3}){3}$ ]] ||
		die "HAAS_BIND_ADDRESS: '$LISTEN' is not an IPv4 address (127.0.0.1, 0.0.0.0 or one of this machine's)"
	# Where this machine's own clients (health checks, haas-ingestd) go.
	LOCAL_ADDR=$LISTEN
	[ "$LISTEN" = 0.0.0.0 ] && LOCAL_ADDR=127.0.0.1
	# Sites: HAAS_SITES, or (when unset) those the stack already serves.
	if [ -n "${HAAS_SITES+set}" ]; then
		SITES=$HAAS_SITES
	else
		SITES=$(saved_setting SITES)
	fi
	# Who may scrape /api/metrics besides loopback: addresses or CIDR
	# networks (space or comma separated), HAAS_METRICS_ALLOW, or what
	# the stack uses now.
	if [ -n "${HAAS_METRICS_ALLOW+set}" ]; then
		METRICS_NETS=$HAAS_METRICS_ALLOW
	else
		METRICS_NETS=$(saved_setting METRICS_NETS)
	fi
	# These two are haasd config keys too (haasd reads HAAS_<KEY> itself):
	# one variable sets both haasd's limit and nginx's.
	MAX_BODY_BYTES=${HAAS_MAX_BODY_BYTES:-1048576}
	UPLOAD_MAX_BYTES=${HAAS_UPLOAD_MAX_BYTES:-5242880}
	EXTRA_CONF=${HAAS_EXTRA_CONF:-}
	# Sanitizer options for the daemons (the test build has ASan): leaks
	# at exit of a long-running server say little and would garble logs.
	STACK_ASAN_OPTIONS=${HAAS_STACK_ASAN_OPTIONS:-detect_leaks=0}
	STACK_UBSAN_OPTIONS=${HAAS_STACK_UBSAN_OPTIONS:-print_stacktrace=1}
	stack_paths
}

# A setting of the stack already in $STATE (its stack.env), or nothing.
saved_setting() {
	[ -f "$STATE/stack.env" ] || return 0
	(
		# shellcheck disable=SC1091
		. "$STATE/stack.env" && printf '%s' "${!1:-}"
	)
}

# Paths derived from STATE (also used after stack_load).
stack_paths() {
	SWAGGER_UI=$SRC/vendor/node_modules/swagger-ui-dist
	RUN=$STATE/run
	LOG=$STATE/log
	SECRETS=$STATE/secrets
	CONF=$STATE/haas.conf
	SOCKET=$RUN/haasd.sock
	HEALTH_SOCKET=$RUN/haasd-health.sock
	DB_SOCKET=$RUN/mysqld.sock
}

# Saves the settings of a started stack; stack_load reads them back so
# `scripts/stack` (called by test programs with only HAAS_STATE_DIR) acts on
# the same ports, build dir and sanitizer options.
stack_save() {
	local v
	{
		echo "# written by scripts/lib.sh for the stack in this dir"
		for v in STACK_MODE STATE BUILD HTTPS_PORT HTTP_PORT MQTT_PORT \
			SMTP_PORT RECEIVER_PORT CORS_ORIGINS LOGIN_RATE LOGIN_BURST \
			REGISTER_RATE REGISTER_BURST RESET_RATE RESET_BURST SITES \
			LISTEN LOCAL_ADDR MAX_BODY_BYTES METRICS_NETS \
			UPLOAD_MAX_BYTES STACK_ASAN_OPTIONS STACK_UBSAN_OPTIONS; do
			printf '%s=%q\n' "$v" "${!v}"
		done
	} >"$STATE/stack.env"
}

stack_load() {
	STATE=$(realpath -m "${HAAS_STATE_DIR:-$SRC/var}")
	[ -f "$STATE/stack.env" ] ||
		die "no stack in $STATE (no stack.env); set HAAS_STATE_DIR or run scripts/up"
	# shellcheck disable=SC1091
	. "$STATE/stack.env"
	# A stack saved before the reset limit existed.
	RESET_RATE=${RESET_RATE:-6r/m}
	RESET_BURST=${RESET_BURST:-10}
	stack_paths
}

# Creates the state dir tree. Directories nginx's workers (www-data) walk
# through are 0755; secrets and the data dir are private.
state_dirs() {
	mkdir -p "$STATE" "$RUN" "$LOG" "$STATE/tls" "$STATE/uploads" \
		"$STATE/nginx/tmp" "$STATE/mosquitto"
	mkdir -p "$SECRETS" "$STATE/spool"
	# Marks the dir as ours, and for which mode (state_reset checks it).
	[ -f "$STATE/.haas-state" ] || echo "$STACK_MODE" >"$STATE/.haas-state"
	chmod 755 "$STATE" "$RUN" "$LOG" "$STATE/nginx" "$STATE/uploads"
	chmod 700 "$SECRETS" "$STATE/spool"
	# A unix socket path must fit sockaddr_un (108 bytes with the NUL).
	if [ ${#SOCKET} -ge 100 ] || [ ${#DB_SOCKET} -ge 100 ]; then
		die "state dir path too long for unix sockets: $STATE"
	fi
}

# ---------------------------------------------------------------- processes

# pid_of PIDFILE: the pid in the file, or nothing.
pid_of() {
	local pid=
	[ -r "$1" ] && read -r pid <"$1" 2>/dev/null
	[[ $pid =~ ^[0-9]+$ ]] && echo "$pid"
	return 0
}

# proc_alive PID COMM: the process exists, is not a zombie and is the
# program we think (a stale pid file may point at a recycled pid).
proc_alive() {
	local pid=$1 comm=$2 stat
	[ -n "$pid" ] && [ -r "/proc/$pid/stat" ] || return 1
	[ "$(cat "/proc/$pid/comm" 2>/dev/null)" = "${comm:0:15}" ] || return 1
	# The state follows "(comm) ", which may itself hold spaces.
	stat=$(sed 's/.*) //; s/ .*//' "/proc/$pid/stat" 2>/dev/null) || return 1
	[ "$stat" != Z ]
}

proc_gone() { ! proc_alive "$1" "$2"; }

# proc_catches PID SIGNUM: the process has a handler for the signal
# (SigCgt in /proc/PID/status), i.e. sending it will not kill it.
proc_catches() {
	local mask
	mask=$(awk '$1 == "SigCgt:" { print $2 }' "/proc/$1/status" 2>/dev/null)
	[[ $mask =~ ^[0-9a-fA-F]+$ ]] && (((16#$mask >> ($2 - 1)) & 1))
}

# running PIDFILE COMM: the daemon recorded in PIDFILE is alive.
running() {
	proc_alive "$(pid_of "$1")" "$2"
}

# spawn PIDFILE LOGFILE CMD...: starts a daemon that stays in the
# foreground, detached from our stdin/stdout and in a session of its own (a
# Ctrl-C or a signal to a test's process group never reaches it), and
# records its pid. The daemon runs as the child of a small bash that only
# waits for it, so the moment it exits it is reaped: this machine's init
# never reaps orphans, and a daemon reparented to it would stay a zombie
# that kill(pid, 0) still reports alive. Fd 9 (the stack lock) is closed
# so no daemon holds the lock.
spawn() {
	local pidfile=$1 logfile=$2
	shift 2
	rm -f "$pidfile"
	# shellcheck disable=SC2016 # expanded by the inner bash
	setsid bash -c '"$@" & echo $! >"$0"; wait $!' "$pidfile" "$@" \
		</dev/null >>"$logfile" 2>&1 9>&- &
	wait_until 5 "$pidfile" test -s "$pidfile" ||
		die "could not start $1 (see $logfile)"
}

# wait_until SECONDS WHAT CMD...: polls CMD every 0.2 s.
wait_until() {
	local limit=$1 what=$2 i
	shift 2
	for ((i = 0; i < limit * 5; i++)); do
		"$@" && return 0
		sleep 0.2
	done
	warn "timed out after ${limit}s waiting for $what"
	return 1
}

# stop_pidfile PIDFILE COMM SIGNAL SECONDS: graceful stop with SIGNAL, after
# SECONDS SIGKILL; then whatever is left of its process group (workers) goes
# too. Removes the pid file. Quiet when nothing runs.
stop_pidfile() {
	local pidfile=$1 comm=$2 sig=$3 limit=$4 pid pgid
	pid=$(pid_of "$pidfile")
	if proc_alive "$pid" "$comm"; then
		info "stopping $comm ($pid)"
		pgid=$(proc_pgid "$pid")
		kill "-$sig" "$pid" 2>/dev/null || true
		if ! wait_until "$limit" "$comm to exit" proc_gone "$pid" "$comm"; then
			warn "$comm ignored SIG$sig; killing it"
			kill -KILL "$pid" 2>/dev/null || true
			wait_until 5 "$comm to die" proc_gone "$pid" "$comm" || true
		fi
		group_sweep "$pgid"
	fi
	rm -f "$pidfile"
}

# proc_pgid PID: its process group, if that is a daemon's own (spawn's
# session), never ours.
proc_pgid() {
	local g
	g=$(sed 's/.*) //' "/proc/$1/stat" 2>/dev/null | cut -d' ' -f3)
	[[ $g =~ ^[0-9]+$ ]] && [ "$g" -gt 1 ] && [ "$g" != "$(ps -o pgid= -p $$ | tr -d ' ')" ] &&
		echo "$g"
	return 0
}

# group_alive PGID: some member of the group still runs. Not kill -0: it
# also succeeds for zombies, which this machine's init never reaps.
group_alive() {
	ps -e -o pgid=,stat= | awk -v g="$1" '$1 == g && $2 !~ /^Z/ { f = 1 } END { exit !f }'
}

# group_sweep PGID: a daemon's children that outlived it (the group spawn
# made for it, workers included). A pgid cannot be reused while any member
# lives, so this never hits strangers.
group_sweep() {
	[ -n "$1" ] && group_alive "$1" || return 0
	warn "leftover processes of $1; stopping them"
	kill -TERM -- "-$1" 2>/dev/null || true
	sleep 1
	kill -KILL -- "-$1" 2>/dev/null || true
}

# ---------------------------------------------------------------- secrets

# secret_once FILE CMD...: writes CMD's output to FILE (mode 600) unless
# FILE exists already: secrets are generated once per state dir.
secret_once() {
	local file=$1
	shift
	[ -s "$file" ] && return 0
	(umask 077 && "$@" >"$file.tmp") && mv "$file.tmp" "$file"
}

# A password that satisfies any sane policy: 24 characters from the
# URL-safe base64 alphabet, with a lower, an upper case letter and a digit.
random_password() {
	local pw
	while :; do
		pw=$(openssl rand -base64 18 | tr '+/' '-_')
		[[ $pw =~ [a-z] && $pw =~ [A-Z] && $pw =~ [0-9] ]] && break
	done
	printf '%s\n' "$pw"
}

# Hex only: it goes into database_url without escaping.
random_hex() { openssl rand -hex 24; }

jwt_key() { openssl rand -base64 48 | tr -d '\n'; echo; }

secrets_ensure() {
	secret_once "$SECRETS/jwt.key" jwt_key
	secret_once "$SECRETS/db.txt" random_hex
	secret_once "$SECRETS/mqtt-ingest.txt" random_password
}

# The names the certificate is for: localhost, 127.0.0.1 and every site's
# host (a lab PC's lock agent verifies the portal's host name).
tls_names() {
	local names="DNS:localhost,IP:127.0.0.1" site rest
	for site in $SITES; do
		rest=${site#*:}
		names+=",DNS:${rest%%:*}"
	done
	echo "$names"
}

# Self-signed certificate for tls_names, made once and again when the
# names change (a site added or removed; nginx then reloads with it).
tls_ensure() {
	local dir=$STATE/tls names
	names=$(tls_names)
	# A stack from before the names were kept had the default ones.
	[ -s "$dir/cert.pem" ] && [ ! -e "$dir/names" ] &&
		[ "$names" = "DNS:localhost,IP:127.0.0.1" ] && echo "$names" >"$dir/names"
	[ -s "$dir/cert.pem" ] && [ -s "$dir/key.pem" ] &&
		[ "$(cat "$dir/names" 2>/dev/null)" = "$names" ] && return 0
	info "generating a self-signed TLS certificate ($names)"
	(umask 077 && openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 \
		-nodes -days 825 -subj /CN=localhost \
		-addext "subjectAltName=$names" \
		-addext 'basicConstraints=critical,CA:FALSE' \
		-addext 'extendedKeyUsage=serverAuth' \
		-keyout "$dir/key.pem.new" -out "$dir/cert.pem.new" 2>/dev/null) ||
		die "openssl could not make the certificate"
	chmod 644 "$dir/cert.pem.new"
	mv "$dir/key.pem.new" "$dir/key.pem"
	mv "$dir/cert.pem.new" "$dir/cert.pem"
	echo "$names" >"$dir/names"
}

# ---------------------------------------------------------------- build

# build_tree DIR CONFIGURE-FLAGS...: out-of-tree autotools build. autoreconf
# only when configure is missing or stale; configure only when the build
# dir has no Makefile or the flags changed (otherwise automake's own
# rebuild rules keep Makefile and config.status current).
build_tree() {
	local dir=$1 flags
	shift
	flags="$*"
	[ -f "$SRC/config.status" ] &&
		die "$SRC has an in-tree build; run 'make distclean' there (VPATH builds need a clean source tree)"
	if [ ! -x "$SRC/configure" ] || [ "$SRC/configure.ac" -nt "$SRC/configure" ] ||
		[ "$SRC/Makefile.am" -nt "$SRC/configure" ]; then
		info "autoreconf -fi"
		(cd "$SRC" && autoreconf -fi) || return 1
	fi
	mkdir -p "$dir"
	if [ ! -f "$dir/Makefile" ] || [ "$(cat "$dir/.haas-flags" 2>/dev/null)" != "$flags" ]; then
		info "configure $flags (in $dir)"
		(cd "$dir" && "$SRC/configure" "$@") || return 1
		echo "$flags" >"$dir/.haas-flags"
	fi
	info "make (in $dir)"
	make -C "$dir" -j2 >&2
}

# ---------------------------------------------------------------- MariaDB

db_running() { running "$RUN/mysqld.pid" mariadbd; }

db_ping() {
	mariadb-admin --no-defaults --socket="$DB_SOCKET" -uroot \
		--connect-timeout=2 ping >/dev/null 2>&1
}

# mariadb client as root over the private socket (unix_socket auth: we are
# root, so no password exists or is needed). SQL comes on stdin.
db_sql() {
	mariadb --no-defaults --socket="$DB_SOCKET" -uroot
}

# The data dir is initialized into a temporary name and renamed on success,
# so a half-done install never passes for a data dir.
db_init() {
	local dir=$STATE/mysql
	[ -d "$dir/mysql" ] && return 0
	info "initializing MariaDB data dir $dir"
	rm -rf "$dir.new"
	mariadb-install-db --no-defaults --datadir="$dir.new" --user=root \
		--auth-root-authentication-method=socket --auth-root-socket-user=root \
		--skip-test-db >"$LOG/mysql-install.log" 2>&1 ||
		{ tail -20 "$LOG/mysql-install.log" >&2; die "mariadb-install-db failed"; }
	chmod 700 "$dir.new"
	mv "$dir.new" "$dir"
}

# Returns once the server accepts connections (or fails with its log).
db_start() {
	if db_running && db_ping; then return 0; fi
	if db_running; then
		wait_until 60 "MariaDB to accept connections" db_ping && return 0
		die "mariadbd runs but does not answer; see $LOG/mysqld.log"
	fi
	info "starting MariaDB"
	rm -f "$DB_SOCKET"
	# UTC, because haas writes and reads times as UTC; utf8mb4 throughout.
	spawn "$RUN/mysqld.pid" "$LOG/mysqld.log" mariadbd --no-defaults \
		--user=root --datadir="$STATE/mysql" --socket="$DB_SOCKET" \
		--pid-file="$RUN/mysqld.pid" --log-error="$LOG/mysqld.log" \
		--skip-networking --innodb-buffer-pool-size=128M \
		--character-set-server=utf8mb4 --collation-server=utf8mb4_unicode_ci \
		--default-time-zone=+00:00 --max-connections=300
	if ! wait_until 60 "MariaDB to accept connections" db_start_check; then
		tail -20 "$LOG/mysqld.log" >&2
		die "MariaDB did not start"
	fi
}

# Fails fast when mariadbd died during start-up.
db_start_check() {
	db_running || { sleep 0.5; db_running; } || die "mariadbd exited; see $LOG/mysqld.log"
	db_ping
}

# SIGTERM is MariaDB's clean shutdown; it returns once the process is gone.
db_stop() {
	stop_pidfile "$RUN/mysqld.pid" mariadbd TERM 120
	rm -f "$DB_SOCKET"
}

# Database and account for haasd; idempotent, run on every start. The
# account's password follows secrets/db.txt. It may also create and use
# haas_* databases (scratch databases for tests).
db_provision() {
	local pw
	pw=$(cat "$SECRETS/db.txt")
	db_sql <<-SQL || die "could not create the haas database and account"
		CREATE DATABASE IF NOT EXISTS haas
		  CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;
		CREATE USER IF NOT EXISTS 'haas'@'localhost' IDENTIFIED BY '$pw';
		ALTER USER 'haas'@'localhost' IDENTIFIED BY '$pw';
		GRANT ALL PRIVILEGES ON haas.* TO 'haas'@'localhost';
		GRANT ALL PRIVILEGES ON \`haas\\_%\`.* TO 'haas'@'localhost';
	SQL
}

# ---------------------------------------------------------------- config

mqtt_built() { [ -x "$BUILD/haas-ingestd" ]; }

# haas.conf is rewritten on every start from the settings; HAAS_EXTRA_CONF
# lines go last, so they win over the ones above (haasd applies lines in
# order; HAAS_<KEY> in haasd's environment wins over both).
haas_conf_write() {
	local pw
	pw=$(cat "$SECRETS/db.txt")
	nginx_user
	(
		umask 077
		cat >"$CONF.tmp" <<-EOF
			# written by scripts/lib.sh on every start; edits are lost
			listen = $SOCKET
			health_listen = $HEALTH_SOCKET
			# haasd keeps it current across binary upgrades (SIGUSR2)
			pid_file = $RUN/haasd.pid
			# only nginx's workers (and root) may speak FastCGI
			socket_mode = 0660
			socket_group = $NGINX_GROUP
			database_url = mariadb://haas:$pw@localhost/haas?socket=$DB_SOCKET
			jwt_secret_key_file = $SECRETS/jwt.key
			sql_dir = $SRC/sql
			upload_dir = $STATE/uploads
			max_body_bytes = $MAX_BODY_BYTES
			upload_max_bytes = $UPLOAD_MAX_BYTES
			# notifications: haas-notifyd mails through the stack's
			# own MTA (postfix on loopback, delivering to $STATE/mail)
			public_url = https://localhost:$HTTPS_PORT
			smtp_url = smtp://$LOCAL_ADDR:$SMTP_PORT
			mail_from = haas@localhost
			template_dir = $SRC/templates
		EOF
		if mqtt_built; then
			cat >>"$CONF.tmp" <<-EOF
				# MQTT ingest (written only when haas-ingestd is built)
				mqtt_host = $LOCAL_ADDR
				mqtt_port = $MQTT_PORT
				mqtt_username = $MQTT_INGEST_USER
				mqtt_password_file = $SECRETS/mqtt-ingest.txt
				# every message is on disk here before MariaDB
				ingest_spool = $STATE/spool/ingest.spool
				# haasd (root in this stack) adds sensor accounts here
				# and SIGHUPs the broker so it takes them at once
				mosquitto_passwd_file = $STATE/mosquitto/passwd
				mosquitto_pid_file = $RUN/mosquitto.pid
				sensor_ttl = ${HAAS_SENSOR_TTL:-$([ "$STACK_MODE" = test ] && echo 3 || echo 120)}
				# nginx's nchan publisher, on a unix socket only
				nchan_publish_url = unix:$RUN/nchan.sock:/pub/
			EOF
		fi
		if [ -n "$EXTRA_CONF" ]; then
			echo "# HAAS_EXTRA_CONF"
			printf '%s\n' "$EXTRA_CONF"
		fi >>"$CONF.tmp"
	)
	conf_check "$CONF.tmp"
	mv "$CONF.tmp" "$CONF"
}

# conf_check FILE: haasctl check-config on a candidate haas.conf (with the
# environment haasd will see), so a bad HAAS_EXTRA_CONF line stops the
# start with haasctl's message and the live haas.conf stays as it was.
conf_check() {
	local out
	[ -x "$BUILD/haasctl" ] || return 0
	if ! out=$(haas_tool "$BUILD/haasctl" -c "$1" check-config 2>&1); then
		rm -f "$1"
		printf '%s\n' "$out" >&2
		die "the new haas.conf is not valid (HAAS_EXTRA_CONF?); $CONF was left as it was"
	fi
}

# Runs a haas tool with the daemons' sanitizer options.
haas_tool() {
	ASAN_OPTIONS=$STACK_ASAN_OPTIONS UBSAN_OPTIONS=$STACK_UBSAN_OPTIONS "$@"
}

migrate() {
	info "applying migrations"
	haas_tool "$BUILD/haasctl" -c "$CONF" migrate >>"$LOG/haasctl.log" 2>&1 ||
		{ tail -20 "$LOG/haasctl.log" >&2; die "haasctl migrate failed"; }
}

# Creates the admin account on the first start of a state dir and keeps its
# credentials in secrets/admin.txt (key=value lines: username, email,
# password), which tests read through HAAS_ADMIN_PASSWORD_FILE.
admin_ensure() {
	local file=$SECRETS/admin.txt pw
	[ -s "$file" ] && return 0
	info "creating the admin account"
	pw=$(random_password)
	printf '%s\n' "$pw" | haas_tool "$BUILD/haasctl" -c "$CONF" user add \
		--email admin@localhost --name Administrator --username admin \
		--role admin >>"$LOG/haasctl.log" 2>&1 ||
		{ tail -20 "$LOG/haasctl.log" >&2; die "haasctl user add failed (does user admin exist already? its password is lost with $file)"; }
	(umask 077 && printf 'username=admin\nemail=admin@localhost\npassword=%s\n' "$pw" >"$file")
	ADMIN_CREATED=1
}

admin_password() { sed -n 's/^password=//p' "$SECRETS/admin.txt"; }

# Demo data (sql/seed/*.sql, each idempotent): hardware sets, a catalog.
seed() {
	info "loading seed data"
	haas_tool "$BUILD/haasctl" -c "$CONF" seed "$SRC/sql/seed" >>"$LOG/haasctl.log" 2>&1 ||
		{ tail -20 "$LOG/haasctl.log" >&2; die "haasctl seed failed"; }
}

# ---------------------------------------------------------------- haasd

haasd_running() { running "$RUN/haasd.pid" haasd; }

haasd_start() {
	haasd_running && return 0
	[ -x "$BUILD/haasd" ] || die "no haasd in $BUILD; build first"
	info "starting haasd"
	rm -f "$SOCKET"
	spawn "$RUN/haasd.pid" "$LOG/haasd.log" env \
		ASAN_OPTIONS="$STACK_ASAN_OPTIONS" UBSAN_OPTIONS="$STACK_UBSAN_OPTIONS" \
		"$BUILD/haasd" -c "$CONF"
	if ! wait_until 30 "haasd's socket" haasd_start_check; then
		tail -20 "$LOG/haasd.log" >&2
		die "haasd did not start"
	fi
}

haasd_start_check() {
	haasd_running || { sleep 0.5; haasd_running; } || die "haasd exited; see $LOG/haasd.log"
	[ -S "$SOCKET" ]
}

# SIGTERM: haasd finishes in-flight requests (drain_timeout, default 10 s).
haasd_stop() {
	stop_pidfile "$RUN/haasd.pid" haasd TERM 30
}

# haasd_restart: the binary upgrade when haasd runs (no request is
# dropped), a start when it does not.
haasd_restart() {
	haasd_upgrade || haasd_start
}

# haasd_upgrade: SIGUSR2 makes the running master start the binary it was
# started as (a rebuilt $BUILD/haasd) on the same sockets, with the same
# arguments; the new master reads haas.conf afresh, starts its workers and,
# once they accept, writes its pid to $RUN/haasd.pid (pid_file) and tells
# the old master, which drains and exits. The old master writes its
# verdict to haasd.pid.upgrade: "ok NEWPID", or "failed: why" (it keeps
# serving then, and this dies). Returns 1 when haasd does not run. A
# master too old to know SIGUSR2 (the signal would kill it) is restarted.
haasd_upgrade() {
	local old verdict=$RUN/haasd.pid.upgrade v new
	old=$(pid_of "$RUN/haasd.pid")
	proc_alive "$old" haasd || return 1
	if ! proc_catches "$old" 12; then
		warn "haasd $old predates binary upgrades (SIGUSR2); restarting it"
		haasd_stop
		haasd_start
		return 0
	fi
	info "upgrading haasd ($old)"
	rm -f "$verdict"
	kill -USR2 "$old"
	if ! wait_until 90 "haasd's upgrade verdict" test -s "$verdict"; then
		tail -20 "$LOG/haasd.log" >&2
		die "haasd ($old) gave no upgrade verdict; see $LOG/haasd.log"
	fi
	read -r v <"$verdict"
	rm -f "$verdict"
	case $v in
	ok\ *) new=${v#ok } ;;
	*)
		tail -20 "$LOG/haasd.log" >&2
		die "haasd upgrade $v; the old master ($old) keeps serving"
		;;
	esac
	# The old master drains (drain_timeout, default 10 s) and exits.
	wait_until 60 "the old haasd ($old) to drain" proc_gone "$old" haasd ||
		warn "the old haasd ($old) still runs"
	proc_alive "$new" haasd || die "the new haasd ($new) is gone; see $LOG/haasd.log"
	info "haasd upgraded: $old -> $new"
}

# ---------------------------------------------------------------- mosquitto

mqtt_running() { running "$RUN/mosquitto.pid" mosquitto; }

# Private broker: loopback only, no anonymous clients; ingestd logs in as
# $MQTT_INGEST_USER with the password in secrets/mqtt-ingest.txt.  Sensor
# accounts (added by haasd when an admin binds a new sensor_id:
# mosquitto_passwd -b on this file, then SIGHUP) survive restarts: only
# ingest's line is reset.  The ACL is by pattern, so a new sensor needs no
# line of its own.  Persistence keeps ingestd's session (its subscriptions
# and the QoS 1 messages queued for it) across a broker restart.
mqtt_conf_write() {
	local dir=$STATE/mosquitto
	if [ -s "$dir/passwd" ]; then
		(umask 077 && cp "$dir/passwd" "$dir/passwd.new" &&
			mosquitto_passwd -b "$dir/passwd.new" "$MQTT_INGEST_USER" \
			"$(cat "$SECRETS/mqtt-ingest.txt")") && mv "$dir/passwd.new" "$dir/passwd"
	else
		(umask 077 && mosquitto_passwd -b -c "$dir/passwd.new" "$MQTT_INGEST_USER" \
			"$(cat "$SECRETS/mqtt-ingest.txt")") && mv "$dir/passwd.new" "$dir/passwd"
	fi
	mqtt_acl_write "$dir/acl"
	mkdir -p "$dir/data"
	chmod 700 "$dir/data"
	cat >"$dir/mosquitto.conf" <<-EOF
		# written by scripts/lib.sh
		# Runs as root like every process of this private stack: its files
		# live in a root-owned state dir.
		user root
		per_listener_settings false
		listener $MQTT_PORT $LISTEN
		allow_anonymous false
		password_file $dir/passwd
		acl_file $dir/acl
		# QoS 1 messages queued for haas-ingestd while it writes: the
		# default (1000) drops bursts of sensor messages
		max_queued_messages 100000
		# Sessions and queued messages are saved on exit and every
		# 10 s, and loaded on start: a broker restart loses nothing
		# queued for ingestd (a broker crash at most the last 10 s).
		persistence true
		persistence_location $dir/data/
		autosave_interval 10
		log_dest file $LOG/mosquitto.log
		log_type error
		log_type warning
		log_type notice
		log_type information
		connection_messages true
		log_timestamp_format %Y-%m-%dT%H:%M:%S
	EOF
}

# mqtt_acl_write FILE: sensors (user name = sensor_id) may publish under
# their own name only (status and last will) and read nothing; ingestd reads
# every sensor's topics and publishes nothing: the deny takes back the one
# topic tree the pattern would give it.  Everything else is denied.
mqtt_acl_write() {
	cat >"$1.new" <<-EOF
		# written by scripts/lib.sh
		user $MQTT_INGEST_USER
		topic read haas/parking/#
		topic deny haas/parking/$MQTT_INGEST_USER/#

		pattern write haas/parking/%u/#
	EOF
	mv "$1.new" "$1"
}

mqtt_start() {
	if mqtt_running; then
		# Kept running, unless it is to listen elsewhere (HAAS_BIND_ADDRESS);
		# its queued messages survive the restart (persistence).
		grep -qx "listener $MQTT_PORT $LISTEN" "$STATE/mosquitto/mosquitto.conf" &&
			return 0
		info "restarting mosquitto to listen on $LISTEN:$MQTT_PORT"
		mqtt_stop
	fi
	info "starting mosquitto on $LISTEN:$MQTT_PORT"
	mqtt_conf_write
	spawn "$RUN/mosquitto.pid" "$LOG/mosquitto.log" \
		mosquitto -c "$STATE/mosquitto/mosquitto.conf"
	if ! wait_until 10 "mosquitto to listen" mqtt_start_check; then
		tail -20 "$LOG/mosquitto.log" >&2
		die "mosquitto did not start"
	fi
}

mqtt_start_check() {
	mqtt_running || { sleep 0.5; mqtt_running; } || die "mosquitto exited; see $LOG/mosquitto.log"
	port_in_use "$MQTT_PORT"
}

mqtt_stop() {
	stop_pidfile "$RUN/mosquitto.pid" mosquitto TERM 15
}

# ---------------------------------------------------------------- helpers

# haas's helper daemons, haas-ingestd and haas-notifyd: a master that keeps
# one worker child alive, run from the build dir with haas.conf. NAME is
# the short name (ingestd, notifyd): run/NAME.pid, log/NAME.log.
helper_running() { running "$RUN/$1.pid" "haas-$1"; }

helper_start() {
	local name=$1
	helper_running "$name" && return 0
	info "starting haas-$name"
	spawn "$RUN/$name.pid" "$LOG/$name.log" env \
		ASAN_OPTIONS="$STACK_ASAN_OPTIONS" UBSAN_OPTIONS="$STACK_UBSAN_OPTIONS" \
		"$BUILD/haas-$name" -c "$CONF"
	sleep 0.5
	helper_running "$name" || { tail -20 "$LOG/$name.log" >&2; die "haas-$name exited"; }
}

helper_stop() {
	stop_pidfile "$RUN/$1.pid" "haas-$1" TERM 15
}

# A crash: SIGKILL for the worker child and its master, no clean shutdown.
helper_kill() {
	local name=$1 pid child
	pid=$(pid_of "$RUN/$name.pid")
	proc_alive "$pid" "haas-$name" || return 0
	info "killing haas-$name ($pid) and its child"
	for child in $(ps -o pid= --ppid "$pid"); do
		kill -KILL "$child" 2>/dev/null || true
	done
	kill -KILL "$pid" 2>/dev/null || true
	wait_until 10 "haas-$name to die" proc_gone "$pid" "haas-$name"
	rm -f "$RUN/$name.pid"
}

# SIGKILL for the worker child only, as when it crashes: the master starts
# another one.
helper_kill_child() {
	local pid child
	pid=$(pid_of "$RUN/$1.pid")
	proc_alive "$pid" "haas-$1" || return 1
	for child in $(ps -o pid= --ppid "$pid"); do
		kill -KILL "$child" 2>/dev/null || true
	done
}

ingestd_running() { helper_running ingestd; }
ingestd_start() { helper_start ingestd; }
ingestd_stop() { helper_stop ingestd; }
ingestd_kill() { helper_kill ingestd; }

# ---------------------------------------------------------------- mail

# A private postfix: SMTP on $LOCAL_ADDR:$SMTP_PORT for this machine's
# clients only, every message for any domain delivered into one Maildir,
# $STATE/mail (new/ cur/ tmp/); nothing is ever relayed or sent out.
# Config in $STATE/postfix (root's), queue and data dirs in
# $STATE/postfix-queue and postfix-data (the postfix user's; postfix
# wants them outside its config dir).
MAIL_UID_USER=nobody

mail_conf_dir() { echo "$STATE/postfix"; }
mail_queue_dir() { echo "$STATE/postfix-queue"; }

# The master daemon itself (its own pid file, in the queue dir); spawn's
# pid file holds the `postfix start-fg` script that waits for it.
mail_running() { running "$(mail_queue_dir)/pid/master.pid" master; }

# mail_reachable: postfix's virtual delivery agent writes as an
# unprivileged user (it never delivers as root), who must reach
# $STATE/mail: not so under a private home dir (/root is 0700).
mail_reachable() {
	runuser -u "$MAIL_UID_USER" -- test -x "$STATE/mail" -a -w "$STATE/mail/new" 2>/dev/null
}

mail_dirs() {
	local d
	mkdir -p "$(mail_conf_dir)" "$(mail_queue_dir)" "$STATE/postfix-data"
	chmod 755 "$(mail_conf_dir)" "$(mail_queue_dir)"
	chown root:root "$(mail_queue_dir)"
	chown postfix: "$STATE/postfix-data"
	chmod 700 "$STATE/postfix-data"
	for d in "$STATE/mail" "$STATE/mail/new" "$STATE/mail/cur" "$STATE/mail/tmp"; do
		mkdir -p "$d"
		chown "$MAIL_UID_USER:" "$d"
		chmod 755 "$d"
	done
}

# main.cf and master.cf, rewritten on every start.  Every domain is a
# virtual mailbox domain (the regexp matches any name) whose every address
# maps to the one Maildir "mail/" under virtual_mailbox_base ($STATE; the
# trailing / makes it a Maildir).  No local delivery (mydestination and
# the alias maps are empty) and no outbound transport: anything that would
# leave fails at once with a bounce, which itself lands in the Maildir.
mail_conf_write() {
	local dir uid gid
	dir=$(mail_conf_dir)
	uid=$(id -u "$MAIL_UID_USER")
	gid=$(id -g "$MAIL_UID_USER")
	printf '/^/ OK\n' >"$dir/virtual_domains"
	printf '/^/ mail/\n' >"$dir/virtual_mailboxes"
	cat >"$dir/main.cf.new" <<-EOF
		# written by scripts/lib.sh on every mail_start; edits are lost
		compatibility_level = 3.6
		queue_directory = $(mail_queue_dir)
		data_directory = $STATE/postfix-data
		mail_owner = postfix
		setgid_group = postdrop
		myhostname = localhost.localdomain
		mydomain = localdomain
		myorigin = localhost.localdomain
		# The one listener is master.cf's ADDR:PORT line.  This only names
		# the addresses postfix counts as its own, and postfix check
		# refuses a 127/8 address that no interface holds (127.0.0.2).
		inet_interfaces = all
		inet_protocols = ipv4
		mynetworks = 127.0.0.0/8 $LOCAL_ADDR/32
		smtpd_client_restrictions = permit_mynetworks, reject
		smtpd_relay_restrictions = permit_mynetworks, reject
		smtpd_recipient_restrictions = permit_mynetworks, reject
		mydestination =
		local_recipient_maps =
		local_transport = error:5.1.1 local delivery is disabled in this stack
		alias_maps =
		alias_database =
		relayhost =
		default_transport = error:5.7.1 this stack sends no mail out
		relay_transport = error:5.7.1 this stack sends no mail out
		virtual_mailbox_domains = regexp:$dir/virtual_domains
		virtual_mailbox_maps = regexp:$dir/virtual_mailboxes
		virtual_mailbox_base = $STATE
		virtual_mailbox_limit = 0
		virtual_uid_maps = static:$uid
		virtual_gid_maps = static:$gid
		biff = no
		# postlogd writes to the master's stdout: spawn's log file
		maillog_file = /dev/stdout
	EOF
	mv "$dir/main.cf.new" "$dir/main.cf"
	cat >"$dir/master.cf.new" <<-EOF
		# written by scripts/lib.sh on every mail_start; edits are lost
		# service type  private unpriv chroot wakeup maxproc command
		$LOCAL_ADDR:$SMTP_PORT inet n - n - - smtpd
		pickup     unix  n - n 60   1 pickup
		cleanup    unix  n - n -    0 cleanup
		qmgr       unix  n - n 300  1 qmgr
		rewrite    unix  - - n -    - trivial-rewrite
		bounce     unix  - - n -    0 bounce
		defer      unix  - - n -    0 bounce
		trace      unix  - - n -    0 bounce
		verify     unix  - - n -    1 verify
		flush      unix  n - n 1000? 0 flush
		proxymap   unix  - - n -    - proxymap
		proxywrite unix  - - n -    1 proxymap
		showq      unix  n - n -    - showq
		error      unix  - - n -    - error
		retry      unix  - - n -    - error
		discard    unix  - - n -    - discard
		virtual    unix  - n n -    - virtual
		anvil      unix  - - n -    1 anvil
		scache     unix  - - n -    1 scache
		postlog    unix-dgram n - n - 1 postlogd
	EOF
	mv "$dir/master.cf.new" "$dir/master.cf"
}

mail_start() {
	if mail_running; then
		grep -qx "$LOCAL_ADDR:$SMTP_PORT inet n - n - - smtpd" \
			"$(mail_conf_dir)/master.cf" && return 0
		info "restarting postfix to listen on $LOCAL_ADDR:$SMTP_PORT"
		mail_stop
	fi
	if [ ! -x /usr/sbin/postfix ]; then
		warn "no mail server: postfix is not installed"
		return 0
	fi
	mail_dirs
	if ! mail_reachable; then
		warn "no mail server: user $MAIL_UID_USER, who delivers the mail, cannot reach $STATE/mail (a parent dir is not world-searchable; move HAAS_STATE_DIR)"
		return 0
	fi
	info "starting postfix on $LOCAL_ADDR:$SMTP_PORT (mail into $STATE/mail)"
	mail_conf_write
	# Creates the queue's subdirs with their owners, checks the config.
	if ! postfix -c "$(mail_conf_dir)" check >>"$LOG/postfix.log" 2>&1; then
		# A command's errors go to syslog, or to a terminal: give it one.
		script -qec "postfix -c $(mail_conf_dir) check" /dev/null </dev/null |
			tail -5 >&2 || true
		die "postfix check failed ($(mail_conf_dir))"
	fi
	spawn "$RUN/postfix.pid" "$LOG/postfix.log" \
		postfix -c "$(mail_conf_dir)" start-fg
	if ! wait_until 15 "postfix to listen" mail_start_check; then
		tail -20 "$LOG/postfix.log" >&2
		die "postfix did not start"
	fi
}

mail_start_check() {
	running "$RUN/postfix.pid" postfix-script || mail_running ||
		die "postfix exited; see $LOG/postfix.log"
	mail_running && port_in_use "$SMTP_PORT"
}

# SIGTERM to the master: it stops its children and exits (the start-fg
# script that waited for it notes "Terminated" in postfix.log); then that
# script, should it linger.
mail_stop() {
	stop_pidfile "$(mail_queue_dir)/pid/master.pid" master TERM 30
	stop_pidfile "$RUN/postfix.pid" postfix-script TERM 5
}

# ---------------------------------------------------------------- webhooks

# The test stack's HTTPS webhook receiver (tests/webhook-receiver.py), with
# the stack's own certificate, on $LOCAL_ADDR:$RECEIVER_PORT; every request
# it answers is a JSON line in $STATE/webhooks.log.  scripts/test starts
# it; stack_stop stops it wherever it runs.
receiver_running() { running "$RUN/webhook-receiver.pid" python3; }

receiver_start() {
	receiver_running && return 0
	info "starting the webhook receiver on https://localhost:$RECEIVER_PORT"
	touch "$STATE/webhooks.log"
	spawn "$RUN/webhook-receiver.pid" "$LOG/webhook-receiver.log" \
		python3 -u "$SRC/tests/webhook-receiver.py" --listen "$LOCAL_ADDR" \
		--port "$RECEIVER_PORT" --cert "$STATE/tls/cert.pem" \
		--key "$STATE/tls/key.pem" --log "$STATE/webhooks.log"
	if ! wait_until 10 "the webhook receiver to listen" receiver_start_check; then
		tail -20 "$LOG/webhook-receiver.log" >&2
		die "the webhook receiver did not start"
	fi
}

receiver_start_check() {
	receiver_running || { sleep 0.5; receiver_running; } ||
		die "the webhook receiver exited; see $LOG/webhook-receiver.log"
	port_in_use "$RECEIVER_PORT"
}

receiver_stop() {
	stop_pidfile "$RUN/webhook-receiver.pid" python3 TERM 10
}

# ---------------------------------------------------------------- nginx

nginx_running() { running "$RUN/nginx.pid" nginx; }

# nginx's workers run as www-data, which must reach the static files and
# haasd's socket; on a tree it cannot walk (a private home dir) we fall
# back to root and say why in the rendered config. NGINX_GROUP, their
# group, is the only one haasd's socket admits (socket_group, mode 0660).
# Warns once per script run.
nginx_user() {
	[ -n "${NGINX_CHECKED:-}" ] && return 0
	NGINX_CHECKED=1
	if runuser -u www-data -- test -r "$SRC/www/index.html" -a -x "$SRC/www" \
		-a -x "$RUN" -a -x "$STATE/uploads" 2>/dev/null; then
		NGINX_USER=www-data
		NGINX_USER_WHY="Workers run unprivileged; haasd's socket admits only their group."
	else
		NGINX_USER=root
		NGINX_USER_WHY="root: www-data cannot reach $SRC/www or $RUN (a parent dir is not world-searchable)."
		warn "nginx workers run as root: www-data cannot reach $SRC/www or $RUN"
	fi
	NGINX_GROUP=$(id -gn "$NGINX_USER")
}

# CORS map body: "*" answers every origin with "*"; otherwise a list of
# origins (space or comma separated) that are echoed back.
cors_map() {
	local o out='default "";'
	if [ "$CORS_ORIGINS" = "*" ]; then
		echo 'default "*";'
		return
	fi
	for o in ${CORS_ORIGINS//,/ }; do
		[[ $o =~ ^https?://[A-Za-z0-9.-]+(:[0-9]+)?$ ]] ||
			die "HAAS_CORS_ORIGINS: not an origin: $o"
		out+=" \"$o\" \$http_origin;"
	done
	echo "$out"
}

# The allow rules of /api/metrics for HAAS_METRICS_ALLOW (loopback is
# always allowed by the location itself; everyone else is denied).
metrics_allow() {
	local n out=''
	for n in ${METRICS_NETS//,/ }; do
		[[ $n =~ ^[0-9]{1,3}(\.[0-9]{1,3}){3}(/[0-9]{1,2})?$ ||
			$n =~ ^[0-9A-Fa-f:]*:[0-9A-Fa-f:.]*(/[0-9]{1,3})?$ ]] ||
			die "HAAS_METRICS_ALLOW: not an address or network: $n"
		out+="allow $n; "
	done
	echo "$out"
}

# render IN OUT: replaces @NAME@ placeholders; refuses to leave any behind.
render() {
	local in=$1 out=$2 k v args=()
	for k in STATE SRC LISTEN HTTPS_PORT HTTP_PORT SOCKET HEALTH_SOCKET MAX_BODY_BYTES \
		UPLOAD_MAX_BYTES LOGIN_RATE LOGIN_BURST REGISTER_RATE REGISTER_BURST \
		RESET_RATE RESET_BURST NGINX_USER NGINX_USER_WHY CORS_MAP SITE_HOST SITE_ROOT \
		SWAGGER_UI METRICS_ALLOW; do
		v=${!k}
		v=${v//\\/\\\\}
		v=${v//|/\\|}
		v=${v//&/\\&}
		args+=(-e "s|@$k@|$v|g")
	done
	sed "${args[@]}" "$in" >"$out.tmp"
	if grep -q '@[A-Z_]*@' "$out.tmp"; then
		grep -n '@[A-Z_]*@' "$out.tmp" >&2
		die "unfilled placeholder in $out"
	fi
	mv "$out.tmp" "$out"
}

nginx_render() {
	local f
	nginx_user
	CORS_MAP=$(cors_map)
	METRICS_ALLOW=$(metrics_allow)
	mkdir -p "$STATE/nginx/tmp"
	render "$SRC/nginx/haas.conf.in" "$STATE/nginx/nginx.conf"
	for f in "$SRC"/nginx/*.conf.in; do
		case $(basename "$f") in
		haas.conf.in | site-haas-react.conf.in | site-msmp.conf.in | site-electroports.conf.in)
			continue ;;
		esac
		render "$f" "$STATE/nginx/$(basename "$f" .in)"
	done
	sites_render
}

# ---------------------------------------------------------------- sites

# One server block per site of HAAS_SITES into $STATE/nginx/sites.conf;
# a site without a ROOT serves $STATE/sites/HOST (scripts/sites.sh).
sites_render() {
	mkdir -p "$STATE/sites"
	# shellcheck disable=SC2086 # SITES is whitespace-separated
	sites_write HAAS_SITES "$SRC/nginx" "$STATE/sites" "$STATE/nginx/sites.conf" $SITES
}

nginx_cmd() {
	nginx -p "$STATE/" -c "$STATE/nginx/nginx.conf" -e "$LOG/nginx-error.log" "$@"
}

# Starts nginx, or reloads it (SIGHUP) with the freshly rendered config.
nginx_start() {
	nginx_render
	nginx_cmd -t -q 2>&1 || die "nginx config test failed ($STATE/nginx/nginx.conf)"
	if nginx_running; then
		info "reloading nginx"
		kill -HUP "$(pid_of "$RUN/nginx.pid")"
		return 0
	fi
	info "starting nginx on https://localhost:$HTTPS_PORT"
	# A socket left by an nginx that died (a reboot, a SIGKILL) would
	# stop this one from binding it.
	rm -f "$RUN/nchan.sock"
	# "daemon off" in the config: nginx stays spawn's child, like the rest.
	spawn "$RUN/nginx.pid" "$LOG/nginx-error.log" nginx -p "$STATE/" \
		-c "$STATE/nginx/nginx.conf" -e "$LOG/nginx-error.log"
	if ! wait_until 10 "nginx to listen" nginx_start_check; then
		tail -5 "$LOG/nginx-error.log" >&2
		die "nginx did not start"
	fi
}

nginx_start_check() {
	nginx_running || { sleep 0.5; nginx_running; } || die "nginx exited; see $LOG/nginx-error.log"
	port_in_use "$HTTPS_PORT" && port_in_use "$HTTP_PORT"
}

# SIGQUIT: graceful (open requests finish).
nginx_stop() {
	stop_pidfile "$RUN/nginx.pid" nginx QUIT 20
}

# ---------------------------------------------------------------- whole stack

health_code() {
	curl -sk -o /dev/null -w '%{http_code}' --max-time 5 \
		--resolve "localhost:$HTTPS_PORT:$LOCAL_ADDR" \
		"https://localhost:$HTTPS_PORT/api/health" 2>/dev/null
}

health_ok() { [ "$(health_code)" = 200 ]; }

health_wait() {
	wait_until "${1:-60}" "https://localhost:$HTTPS_PORT/api/health to answer 200" health_ok || {
		warn "last status: $(health_code)"
		return 1
	}
}

# ports_choose: the ports this start listens on, before anything starts.
# A port our own running daemon holds stays as stack.env recorded it. A
# port given in the environment (HAAS_HTTPS_PORT...) must be free: a clear
# message instead of a bind error deep in a daemon's log. A default port
# held by another program (a system mosquitto on 1883, a second stack) is
# replaced by the next free port above it, and said so (PORT_NOTES, for
# scripts/up's report): every listener is on loopback and private, so the
# stack still comes up with its defaults.
ports_choose() {
	local saved='' https='' http='' mqtt='' smtp='' receiver=''
	if [ -f "$STATE/stack.env" ]; then
		# shellcheck disable=SC1091
		saved=$(. "$STATE/stack.env" &&
			echo "$HTTPS_PORT $HTTP_PORT $MQTT_PORT ${SMTP_PORT:-} ${RECEIVER_PORT:-}")
		read -r https http mqtt smtp receiver <<<"$saved"
	fi
	PORT_NOTES=()
	if nginx_running; then
		port_keep HTTPS_PORT "$https" nginx HAAS_HTTPS_PORT
		port_keep HTTP_PORT "$http" nginx HAAS_HTTP_PORT
	else
		port_choose HTTPS_PORT HAAS_HTTPS_PORT
		port_choose HTTP_PORT HAAS_HTTP_PORT
	fi
	if mail_running; then
		port_keep SMTP_PORT "$smtp" postfix HAAS_SMTP_PORT
	else
		port_choose SMTP_PORT HAAS_SMTP_PORT
	fi
	if receiver_running; then
		port_keep RECEIVER_PORT "$receiver" webhook-receiver HAAS_RECEIVER_PORT
	elif [ "$STACK_MODE" = test ]; then
		port_choose RECEIVER_PORT HAAS_RECEIVER_PORT
	fi
	mqtt_built || return 0
	if mqtt_running; then
		port_keep MQTT_PORT "$mqtt" mosquitto HAAS_MQTT_PORT
	else
		port_choose MQTT_PORT HAAS_MQTT_PORT
	fi
}

# port_keep VAR SAVED DAEMON ENVNAME: our DAEMON runs and listens on SAVED;
# a different port asked for in ENVNAME waits for a scripts/down.
port_keep() {
	local var=$1 saved=$2 env=$4
	[ -n "$saved" ] || return 0
	if [ -n "${!env:-}" ] && [ "${!env}" != "$saved" ]; then
		warn "$3 runs on port $saved; keeping it ($env=${!env} takes effect after scripts/down)"
	fi
	printf -v "$var" '%s' "$saved"
}

# port_choose VAR ENVNAME: VAR's port if free; if ENVNAME did not ask for
# it, the next free one above it otherwise.
port_choose() {
	local var=$1 env=$2 p=${!1} first=${!1}
	port_in_use "$p" || return 0
	[ -n "${!env:-}" ] && die "port $p is in use (set by $env)"
	while port_in_use "$p" || port_taken_here "$p" "$var"; do
		p=$((p + 1))
		if [ "$p" -ge $((first + 100)) ] || [ "$p" -ge 32768 ]; then
			die "port $first and the 99 above it are in use (set $env)"
		fi
	done
	printf -v "$var" '%s' "$p"
	PORT_NOTES+=("port $first is held by another program; using $p (set $env to choose)")
	warn "${PORT_NOTES[-1]}"
}

# port_taken_here PORT VAR: another of this stack's ports is PORT.
port_taken_here() {
	local v
	for v in HTTPS_PORT HTTP_PORT MQTT_PORT SMTP_PORT RECEIVER_PORT; do
		[ "$v" != "$2" ] && [ "${!v}" = "$1" ] && return 0
	done
	return 1
}

port_in_use() { ss -Hltn "sport = :$1" | grep -q .; }

# stack_start: everything after the build, in dependency order (ports and
# haas.conf first: a port that cannot be had or a configuration haasctl
# refuses stops it before anything starts or restarts). Idempotent:
# MariaDB, mosquitto and a running nginx are kept (nginx reloads its
# re-rendered config); haasd is upgraded in place (haasd_upgrade) and
# ingestd restarted gracefully, so a rebuilt binary or a changed haas.conf
# always takes effect.
stack_start() {
	state_dirs
	ports_choose
	stack_save
	secrets_ensure
	tls_ensure
	haas_conf_write
	db_init
	db_start
	db_provision
	migrate
	admin_ensure
	seed
	mail_start
	vendor_ensure
	haasd_restart
	helper_stop notifyd
	helper_start notifyd
	if mqtt_built; then
		mqtt_start
		ingestd_stop
		ingestd_start
	fi
	nginx_start
}

# stack_stop: exactly what stack_start started, front to back, each
# gracefully with a bounded wait, found through its pid file.
stack_stop() {
	receiver_stop
	nginx_stop
	haasd_stop
	helper_stop notifyd
	ingestd_stop
	mqtt_stop
	mail_stop
	db_stop
}

stack_status() {
	local name pidfile comm
	printf 'state dir  %s\n' "$STATE"
	printf 'url        https://localhost:%s/\n' "$HTTPS_PORT"
	while read -r name pidfile comm; do
		if running "$RUN/$pidfile" "$comm"; then
			printf '%-10s running (pid %s)\n' "$name" "$(pid_of "$RUN/$pidfile")"
		else
			printf '%-10s stopped\n' "$name"
		fi
	done <<-EOF
		mariadb mysqld.pid mariadbd
		haasd haasd.pid haasd
		mosquitto mosquitto.pid mosquitto
		ingestd ingestd.pid haas-ingestd
		notifyd notifyd.pid haas-notifyd
		nginx nginx.pid nginx
	EOF
	if mail_running; then
		printf '%-10s running (pid %s), smtp://%s:%s, mail in %s/mail\n' postfix \
			"$(pid_of "$(mail_queue_dir)/pid/master.pid")" "$LOCAL_ADDR" \
			"$SMTP_PORT" "$STATE"
	else
		printf '%-10s stopped\n' postfix
	fi
	if [ -e "$RUN/webhook-receiver.pid" ]; then
		if receiver_running; then
			printf '%-10s running (pid %s), https://localhost:%s\n' webhooks \
				"$(pid_of "$RUN/webhook-receiver.pid")" "$RECEIVER_PORT"
		else
			printf '%-10s stopped\n' webhooks
		fi
	fi
	printf 'health     %s\n' "$(health_code || true)"
}

# The logs that explain a failure.
stack_logs_tail() {
	local f
	for f in haasd.log ingestd.log notifyd.log nginx-error.log mysqld.log \
		mosquitto.log postfix.log webhook-receiver.log; do
		[ -s "$LOG/$f" ] || continue
		printf '\n----- tail of %s -----\n' "$LOG/$f"
		tail -n "${1:-40}" "$LOG/$f"
	done
}

# state_reset: for the throwaway stacks of test and bench. Stops whatever a
# previous run left and wipes the state dir, keeping the build dir so
# rebuilds stay incremental.
state_reset() {
	case $STATE in
	/ | "$SRC" | "$SRC/" | "$HOME" | /tmp | /var | /work | "") die "refusing to wipe $STATE" ;;
	esac
	# Only a state dir of this very mode is wiped: never the dev stack's
	# because HAAS_STATE_DIR was left pointing at it, never a stranger's.
	if find "$STATE" -mindepth 1 -maxdepth 1 ! -name build ! -name .lock | grep -q . &&
		[ "$(cat "$STATE/.haas-state" 2>/dev/null)" != "$STACK_MODE" ]; then
		die "$STATE is not a haas $STACK_MODE state dir (see its .haas-state); refusing to wipe it"
	fi
	if [ -f "$STATE/stack.env" ]; then
		(HAAS_STATE_DIR=$STATE stack_load && stack_stop) || true
	fi
	find "$STATE" -mindepth 1 -maxdepth 1 ! -name build ! -name .lock \
		! -name .haas-state -exec rm -rf {} +
	state_dirs
}

# stack_lock: one up/down/test/bench at a time per state dir. Fd 9 stays
# open for the script's life; spawn closes it in daemons.
stack_lock() {
	mkdir -p "$STATE"
	exec 9>"$STATE/.lock"
	flock -n 9 || die "another scripts/* command is working on $STATE"
}
