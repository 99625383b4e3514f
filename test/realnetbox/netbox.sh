#!/usr/bin/env bash
# netbox.sh: a real NetBox for the tests, on 127.0.0.1.
#
#   netbox.sh start   install on first use, start, wait for /api/status/, print
#                     NETBOX_URL, NETBOX_TOKEN (v2), NETBOX_TOKEN_V1 and NETBOX_VERSION
#   netbox.sh stop    stop what start started (by PID)
#   netbox.sh reset   empty the database back to its fresh, migrated state (tokens kept)
#   netbox.sh env     print the running NetBox's lines again
#   netbox.sh envfile print the path of the file holding those lines and NETBOX_RESET_CMD
#   netbox.sh root    print the path of the cached root for this version and recipe
#
# NetBox 4.7 needs Python >= 3.12, PostgreSQL >= 15 and Redis. They come from a Debian 13
# (trixie) root made with debootstrap, with NetBox installed from PyPI in a venv inside it.
# PostgreSQL and Redis listen on Unix sockets inside the root only, so nothing on the machine
# is disturbed; gunicorn serves NetBox on 127.0.0.1:$NETBOX_PORT (default: a free port).
#
# The root is cached in $NETBOX_AGENT_CACHE (default ~/.cache/netbox-agent), keyed by the NetBox
# version and a hash of the install recipe (the functions below whose names start with
# install_), so the first start takes minutes and later ones seconds. Progress goes to stderr;
# stdout carries only the four lines.
#
# Settings (environment): NETBOX_VERSION (4.7.3), NETBOX_PORT, NETBOX_WORKERS (gunicorn
# workers, default 4), NETBOX_AGENT_CACHE, DEBIAN_MIRROR (http://deb.debian.org/debian).
# Needs root (debootstrap, chroot, mounts).
set -Eeuo pipefail

NETBOX_VERSION="${NETBOX_VERSION:-4.7.3}"
# The netbox-branching plugin release installed beside it (1.2.x supports NetBox 4.7).
BRANCHING_VERSION=1.2.2
CACHE="${NETBOX_AGENT_CACHE:-$HOME/.cache/netbox-agent}"
MIRROR="${DEBIAN_MIRROR:-http://deb.debian.org/debian}"
WORKERS="${NETBOX_WORKERS:-4}"
RUN="$CACHE/run"
SELF="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/$(basename "${BASH_SOURCE[0]}")"
PG_BIN=/usr/lib/postgresql/17/bin
PG_DATA=/var/lib/postgresql/17/main
PG_CONF=/etc/postgresql/17/main/postgresql.conf
VENV=/opt/netbox/venv

STEP="starting"
say() { echo "netbox: $*" >&2; }
fail() {
	say "FAILED at step \"$STEP\": $*"
	exit 1
}
trap 'fail "command failed (line $LINENO); see the output above and the logs in $RUN"' ERR

recipe_hash() {
	{
		echo "$NETBOX_VERSION $BRANCHING_VERSION"
		declare -f $(compgen -A function install_)
	} | sha256sum | cut -c1-12
}

ROOT=""
set_root() { ROOT="$CACHE/netbox-$NETBOX_VERSION-$(recipe_hash)"; }

# in_root runs a command inside the root as root, with a clean environment.
in_root() { chroot "$ROOT" "${ROOT_ENV[@]}" "$@"; }

# as_postgres runs a command inside the root as the postgres user.
as_postgres() {
	chroot --userspec=postgres:postgres "$ROOT" /usr/bin/env -i PATH=/usr/bin:/bin \
		HOME=/var/lib/postgresql LANG=C.UTF-8 PGOPTIONS="-c client_min_messages=warning" "$@"
}

netbox_cli() { in_root "$VENV/bin/netbox" "$@"; }

# spawn starts a service in its own session, logging to $RUN/NAME.log, and records its PID in
# $RUN/NAME.pid. The command is exec'd (setsid, chroot and env all exec), so the PID is the
# service's own and its process group holds all its children.
spawn() {
	local name="$1"
	shift
	setsid "$@" >>"$RUN/$name.log" 2>&1 </dev/null &
	echo $! >"$RUN/$name.pid"
}

ROOT_ENV=(/usr/bin/env -i PATH=/usr/local/bin:/usr/bin:/bin HOME=/root LANG=C.UTF-8
	NETBOX_ROOT=/opt/netbox)

psql_root() { as_postgres psql -X -q -v ON_ERROR_STOP=1 -h /run/postgresql "$@"; }

mount_root() {
	mountpoint -q "$ROOT/proc" || mount -t proc proc "$ROOT/proc"
	mountpoint -q "$ROOT/dev" || mount --rbind /dev "$ROOT/dev"
	mkdir -p "$ROOT/run/postgresql" "$ROOT/run/redis"
	in_root chown postgres:postgres /run/postgresql
}

umount_root() {
	[ -n "$ROOT" ] && [ -d "$ROOT" ] || return 0
	if mountpoint -q "$ROOT/dev"; then umount -R "$ROOT/dev" || umount -lR "$ROOT/dev"; fi
	if mountpoint -q "$ROOT/proc"; then umount "$ROOT/proc" || umount -l "$ROOT/proc"; fi
}

alive() { [ -f "$1" ] && kill -0 "$(cat "$1")" 2>/dev/null; }

# ---- install: each step leaves a marker in the root, so a failed install resumes ----

install_base() {
	command -v debootstrap >/dev/null || {
		say "installing debootstrap from Debian's packages"
		DEBIAN_FRONTEND=noninteractive apt-get install -y -q debootstrap >&2
	}
	local tmp="$ROOT.bootstrap"
	rm -rf "$tmp"
	mkdir -p "$CACHE"
	debootstrap --variant=minbase --include=python3,python3-venv,postgresql,redis-server \
		trixie "$tmp" "$MIRROR" >"$CACHE/debootstrap.log" 2>&1 ||
		fail "debootstrap trixie from $MIRROR (log: $CACHE/debootstrap.log)"
	mv "$tmp" "$ROOT"
}

install_netbox() {
	# pip inside the root trusts the same certificates as the machine's own pip.
	local ca="${PIP_CERT:-/etc/ssl/certs/ca-certificates.crt}"
	cp "$ca" "$ROOT/etc/netbox-agent-pip-ca.crt"
	local pipenv=(PIP_CERT=/etc/netbox-agent-pip-ca.crt PIP_DISABLE_PIP_VERSION_CHECK=1
		PIP_DEFAULT_TIMEOUT=180)
	[ -n "${PIP_INDEX_URL:-}" ] && pipenv+=("PIP_INDEX_URL=$PIP_INDEX_URL")
	rm -rf "$ROOT$VENV"
	in_root python3 -m venv "$VENV"
	in_root "${pipenv[@]}" "$VENV/bin/pip" install -q --no-deps "netbox==$NETBOX_VERSION"
	# NetBox pins psycopg[c], which compiles against libpq; the binary wheel is the same
	# driver, prebuilt, so the root needs no compiler.
	in_root "$VENV/bin/python" -c '
import importlib.metadata as m, re
for r in m.requires("netbox"):
    if "extra ==" in r:
        continue
    print(re.sub(r"^psycopg\[c,pool\]", "psycopg[binary,pool]", r))
' >"$ROOT/opt/netbox/requirements.txt"
	in_root "${pipenv[@]}" "$VENV/bin/pip" install -q -r /opt/netbox/requirements.txt
}

install_config() {
	local secret pepper
	secret="$(in_root "$VENV/bin/python" -c 'import secrets; print(secrets.token_urlsafe(50))')"
	pepper="$(in_root "$VENV/bin/python" -c 'import secrets; print(secrets.token_urlsafe(50))')"
	mkdir -p "$ROOT/opt/netbox/conf"
	: >"$ROOT/opt/netbox/conf/__init__.py"
	cat >"$ROOT/opt/netbox/conf/configuration.py" <<EOF
# NetBox for netbox-agent's tests: PostgreSQL and Redis on Unix sockets inside this root.
ALLOWED_HOSTS = ['*']
SECRET_KEY = '$secret'
API_TOKEN_PEPPERS = {1: '$pepper'}
DATABASE = {
    'NAME': 'netbox',
    'USER': 'netbox',
    'HOST': '/run/postgresql',
    'CONN_MAX_AGE': 0,
}
REDIS = {
    'tasks': {'URL': 'unix:///run/redis/redis.sock?db=0'},
    'caching': {'URL': 'unix:///run/redis/redis.sock?db=1'},
}
CENSUS_REPORTING_ENABLED = False
RELEASE_CHECK_URL = None
MAX_PAGE_SIZE = 1000
EOF
	# Unix-socket connections from the root's own users are trusted.
	cat >"$ROOT/etc/postgresql/17/main/pg_hba.conf" <<'EOF'
local all all trust
EOF
	cat >"$ROOT/etc/postgresql/17/main/conf.d/netbox-agent.conf" <<'EOF'
listen_addresses = ''
unix_socket_directories = '/run/postgresql'
fsync = off
synchronous_commit = off
full_page_writes = off
shared_buffers = 256MB
max_connections = 200
EOF
}

install_database() {
	start_postgres
	start_redis
	# A step that failed half-way is redone from the start.
	psql_root -d postgres -c "DROP DATABASE IF EXISTS netbox_template" \
		-c "DROP DATABASE IF EXISTS netbox WITH (FORCE)" -c "DROP ROLE IF EXISTS netbox" \
		-c "CREATE ROLE netbox LOGIN SUPERUSER" \
		-c "CREATE DATABASE netbox OWNER netbox"
	say "  migrating the database (about 2 minutes)"
	netbox_cli migrate --no-input >"$RUN/migrate.log" 2>&1 ||
		fail "netbox migrate (log: $RUN/migrate.log)"
	netbox_cli shell --no-imports -c '
from users.models import Token, User
from users.constants import TOKEN_PREFIX
u = User.objects.create_superuser("admin", "admin@example.com", "netbox-agent-admin")
v2 = Token(user=u, version=2, write_enabled=True, description="netbox-agent tests (v2)")
v2.save()
v1 = Token(user=u, version=1, write_enabled=True, description="netbox-agent tests (v1)")
v1.save()
with open("/opt/netbox/tokens.env", "w") as f:
    f.write(f"NETBOX_TOKEN={TOKEN_PREFIX}{v2.key}.{v2.token}\n")
    f.write(f"NETBOX_TOKEN_V1={v1.token}\n")
' >"$RUN/tokens.log" 2>&1 || fail "create the superuser and tokens (log: $RUN/tokens.log)"
	psql_root -d postgres -c "CREATE DATABASE netbox_template TEMPLATE netbox OWNER netbox"
}

# install_branching adds the netbox-branching plugin (NetBox Labs, PyPI), as an operator who
# reviews changes in branches runs it: the plugin, its database router, its migrations, and a
# new reset template that holds them. Requests without its X-NetBox-Branch header go to main.
install_branching() {
	local ca="${PIP_CERT:-/etc/ssl/certs/ca-certificates.crt}"
	cp "$ca" "$ROOT/etc/netbox-agent-pip-ca.crt"
	local pipenv=(PIP_CERT=/etc/netbox-agent-pip-ca.crt PIP_DISABLE_PIP_VERSION_CHECK=1
		PIP_DEFAULT_TIMEOUT=180)
	[ -n "${PIP_INDEX_URL:-}" ] && pipenv+=("PIP_INDEX_URL=$PIP_INDEX_URL")
	in_root "${pipenv[@]}" "$VENV/bin/pip" install -q "netboxlabs-netbox-branching==$BRANCHING_VERSION"
	local conf="$ROOT/opt/netbox/conf/configuration.py"
	grep -q '^# netbox-branching' "$conf" || cat >>"$conf" <<'EOF'
# netbox-branching: every request goes through its router; a branch's own schema only with
# the X-NetBox-Branch header.
from netbox_branching.utilities import DynamicSchemaDict
DATABASES = DynamicSchemaDict({'default': DATABASE})
del DATABASE  # NetBox takes DATABASE or DATABASES, not both
DATABASE_ROUTERS = ['netbox_branching.database.BranchAwareRouter']
PLUGINS = ['netbox_branching']
EOF
	start_postgres
	start_redis
	# From the clean database of the reset template, whatever ran on this NetBox since.
	psql_root -d postgres -c "DROP DATABASE IF EXISTS netbox WITH (FORCE)" \
		-c "CREATE DATABASE netbox TEMPLATE netbox_template OWNER netbox"
	say "  migrating the plugin's tables"
	netbox_cli migrate --no-input >"$RUN/migrate-branching.log" 2>&1 ||
		fail "netbox migrate with netbox-branching (log: $RUN/migrate-branching.log)"
	psql_root -d postgres -c "DROP DATABASE IF EXISTS netbox_template" \
		-c "CREATE DATABASE netbox_template TEMPLATE netbox OWNER netbox"
}

install_all() {
	local steps=(base netbox config database branching) n=0
	for s in "${steps[@]}"; do
		n=$((n + 1))
		[ -f "$ROOT/.done-$s" ] && continue
		STEP="install $s"
		case $s in
		base) say "[$n/${#steps[@]}] Debian 13 root with Python, PostgreSQL and Redis (about 1-3 minutes)" ;;
		netbox) say "[$n/${#steps[@]}] NetBox $NETBOX_VERSION from PyPI into a venv (about 1 minute)" ;;
		config) say "[$n/${#steps[@]}] configuration" ;;
		database) say "[$n/${#steps[@]}] database, superuser, tokens and the reset template" ;;
		branching) say "[$n/${#steps[@]}] the netbox-branching plugin $BRANCHING_VERSION (about 1 minute)" ;;
		esac
		[ "$s" = base ] || mount_root
		"install_$s"
		touch "$ROOT/.done-$s"
	done
}

# ---- services ----

start_postgres() {
	alive "$RUN/postgres.pid" && return 0
	spawn postgres chroot --userspec=postgres:postgres "$ROOT" /usr/bin/env -i \
		PATH=/usr/bin:/bin LANG=C.UTF-8 "$PG_BIN/postgres" -D "$PG_DATA" -c "config_file=$PG_CONF"
	local i
	for i in $(seq 1 60); do
		as_postgres pg_isready -q -h /run/postgresql && return 0
		alive "$RUN/postgres.pid" || fail "postgres exited (log: $RUN/postgres.log)"
		sleep 0.5
	done
	fail "postgres did not accept connections in 30 s (log: $RUN/postgres.log)"
}

start_redis() {
	alive "$RUN/redis.pid" && return 0
	in_root chown redis:redis /run/redis
	spawn redis chroot --userspec=redis:redis "$ROOT" /usr/bin/redis-server --port 0 \
		--unixsocket /run/redis/redis.sock --unixsocketperm 777 --save '' --appendonly no
	local i
	for i in $(seq 1 40); do
		[ -S "$ROOT/run/redis/redis.sock" ] && return 0
		alive "$RUN/redis.pid" || fail "redis exited (log: $RUN/redis.log)"
		sleep 0.25
	done
	fail "redis did not open its socket in 10 s (log: $RUN/redis.log)"
}

# start_rqworker runs NetBox's background job worker (scripts, reports, background bulk jobs),
# as an operator's NetBox would.
start_rqworker() {
	alive "$RUN/rqworker.pid" && return 0
	spawn rqworker chroot "$ROOT" "${ROOT_ENV[@]}" "$VENV/bin/netbox" rqworker high default low
}

port_free() {
	python3 -c 'import socket,sys; s=socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1); s.bind(("127.0.0.1", int(sys.argv[1])))' "$1" 2>/dev/null
}

free_port() {
	python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

start_gunicorn() {
	local port="$1"
	spawn gunicorn chroot "$ROOT" "${ROOT_ENV[@]}" "$VENV/bin/gunicorn" --chdir /opt/netbox \
		--bind "127.0.0.1:$port" --workers "$WORKERS" --threads 2 --timeout 300 \
		--graceful-timeout 5 netbox.wsgi
	echo "$port" >"$RUN/port"
}

wait_ready() {
	local url="$1" token="$2" i
	for i in $(seq 1 240); do
		if curl -fsS -o /dev/null -H "Authorization: Bearer $token" "$url/api/status/" 2>/dev/null; then
			return 0
		fi
		alive "$RUN/gunicorn.pid" || fail "gunicorn exited (log: $RUN/gunicorn.log)"
		sleep 0.5
	done
	fail "NetBox did not answer $url/api/status/ in 120 s (log: $RUN/gunicorn.log)"
}

write_env() {
	local port="$1"
	# shellcheck disable=SC1091
	. "$ROOT/opt/netbox/tokens.env"
	{
		echo "NETBOX_URL=http://127.0.0.1:$port"
		echo "NETBOX_TOKEN=$NETBOX_TOKEN"
		echo "NETBOX_TOKEN_V1=$NETBOX_TOKEN_V1"
		echo "NETBOX_VERSION=$NETBOX_VERSION"
	} >"$RUN/netbox.env.tmp"
	# Quoted: the file is sourced by shells (make test-netbox) as well as read as lines.
	# It names the cache, so it resets this NetBox whatever NETBOX_AGENT_CACHE says later.
	echo "NETBOX_RESET_CMD='NETBOX_AGENT_CACHE=$CACHE $SELF reset'" >>"$RUN/netbox.env.tmp"
	echo "$ROOT" >"$RUN/root"
	mv "$RUN/netbox.env.tmp" "$RUN/netbox.env"
}

print_env() { grep -v '^NETBOX_RESET_CMD=' "$RUN/netbox.env"; }

cmd_start() {
	mkdir -p "$RUN"
	set_root
	if [ -f "$RUN/root" ] && alive "$RUN/gunicorn.pid" &&
		[ "$(realpath "$(cat "$RUN/root")")" != "$(realpath -m "$ROOT")" ]; then
		say "another NetBox ($(cat "$RUN/root")) is running; stopping it first"
		cmd_stop
	fi
	local t0=$SECONDS
	install_all
	STEP="start"
	mount_root
	start_postgres
	start_redis
	start_rqworker
	if ! alive "$RUN/gunicorn.pid"; then
		local port="${NETBOX_PORT:-}"
		# The last port again, when it is free, so a restart keeps NETBOX_URL.
		if [ -z "$port" ] && [ -f "$RUN/port" ] && port_free "$(cat "$RUN/port")"; then
			port="$(cat "$RUN/port")"
		fi
		port="${port:-$(free_port)}"
		say "starting NetBox $NETBOX_VERSION on 127.0.0.1:$port"
		start_gunicorn "$port"
	fi
	local port
	port="$(cat "$RUN/port")"
	write_env "$port"
	STEP="wait for /api/status/"
	# shellcheck disable=SC1091
	. "$ROOT/opt/netbox/tokens.env"
	wait_ready "http://127.0.0.1:$port" "$NETBOX_TOKEN"
	say "ready in $((SECONDS - t0)) s"
	print_env
}

# stop_pid stops the service whose PID start recorded, with its process group: SIGNAL first
# (postgres: fast shutdown on INT; gunicorn: quick shutdown on INT), SIGKILL after 15 s.
stop_pid() {
	local name="$1" signal="$2" f="$RUN/$1.pid" i pid
	alive "$f" || { rm -f "$f"; return 0; }
	pid="$(cat "$f")"
	kill "-$signal" -- "-$pid" 2>/dev/null || kill "-$signal" "$pid"
	for i in $(seq 1 60); do
		alive "$f" || { rm -f "$f"; return 0; }
		sleep 0.25
	done
	say "$name did not stop in 15 s; killing it"
	kill -KILL -- "-$pid" 2>/dev/null || kill -KILL "$pid" 2>/dev/null || true
	rm -f "$f"
}

cmd_stop() {
	STEP="stop"
	[ -d "$RUN" ] || return 0
	stop_pid gunicorn INT
	stop_pid rqworker TERM
	stop_pid redis TERM
	stop_pid postgres INT
	[ -f "$RUN/root" ] && ROOT="$(cat "$RUN/root")"
	umount_root
	rm -f "$RUN/netbox.env"
	say "stopped"
}

cmd_reset() {
	STEP="reset"
	[ -f "$RUN/root" ] || fail "no NetBox was started (run: make netbox)"
	ROOT="$(cat "$RUN/root")"
	alive "$RUN/postgres.pid" || fail "postgres is not running (run: make netbox)"
	psql_root -d postgres -c "DROP DATABASE IF EXISTS netbox WITH (FORCE)" \
		-c "CREATE DATABASE netbox TEMPLATE netbox_template OWNER netbox"
	in_root redis-cli -s /run/redis/redis.sock FLUSHALL >/dev/null
}

cmd_env() {
	[ -f "$RUN/netbox.env" ] || fail "no NetBox is running (run: make netbox)"
	print_env
}

# main is called on the script's last line, once bash has read the whole file, so that an edit
# to the script while it runs cannot change what the running copy does.
main() {
	case "${1:-}" in
	start) cmd_start ;;
	stop) cmd_stop ;;
	reset) cmd_reset ;;
	env) cmd_env ;;
	envfile) echo "$RUN/netbox.env" ;;
	root)
		set_root
		echo "$ROOT"
		;;
	*)
		echo "usage: $0 start|stop|reset|env|envfile|root" >&2
		exit 2
		;;
	esac
}

main "$@"
exit
