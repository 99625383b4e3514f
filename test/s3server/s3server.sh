#!/usr/bin/env bash
# s3server.sh: the S3 server the tests run (moto's server mode, from PyPI), installed into a
# cache outside the clone.
#
#   s3server.sh install   install on first use; progress on stderr
#   s3server.sh python    install on first use, then print the path of the Python that has it
#
# moto[server] goes into a venv at $NETBOX_AGENT_CACHE/moto-$MOTO_VERSION (default cache:
# ~/.cache/netbox-agent), made from $PYTHON (python3) with the system's site packages visible,
# so that a machine that has moto already installs nothing. Later calls take milliseconds. The
# tests start the server themselves (test/s3server), each on its own free loopback port.
#
# Settings (environment): MOTO_VERSION (5.2.1), PYTHON, NETBOX_AGENT_CACHE, PIP_INDEX_URL.
set -Eeuo pipefail

MOTO_VERSION="${MOTO_VERSION:-5.2.1}"
PYTHON="${PYTHON:-python3}"
CACHE="${NETBOX_AGENT_CACHE:-$HOME/.cache/netbox-agent}"
VENV="$CACHE/moto-$MOTO_VERSION"

say() { echo "s3server: $*" >&2; }

# ready succeeds when the venv's Python imports moto's server at the pinned version.
ready() {
	[ -x "$VENV/bin/python" ] && "$VENV/bin/python" - "$MOTO_VERSION" >/dev/null 2>&1 <<'PY'
import sys
from importlib.metadata import version
import boto3, flask, flask_cors  # noqa: F401  (moto[server]'s extras)
from moto.server import ThreadedMotoServer  # noqa: F401
sys.exit(0 if version("moto") == sys.argv[1] else 1)
PY
}

install() {
	ready && return 0
	mkdir -p "$CACHE"
	# One install at a time: test packages run in parallel and each may ask for it.
	exec 9>"$CACHE/moto.lock"
	flock 9
	ready && return 0
	command -v "$PYTHON" >/dev/null || { say "$PYTHON not found (set PYTHON)"; exit 1; }
	say "installing moto[server]==$MOTO_VERSION into $VENV"
	rm -rf "$VENV.tmp"
	"$PYTHON" -m venv --system-site-packages "$VENV.tmp" >&2 ||
		{ say "$PYTHON -m venv failed (Debian: apt-get install python3-venv)"; exit 1; }
	PIP_DISABLE_PIP_VERSION_CHECK=1 "$VENV.tmp/bin/pip" install -q "moto[server]==$MOTO_VERSION" >&2 ||
		{ say "pip install moto[server]==$MOTO_VERSION failed"; exit 1; }
	rm -rf "$VENV"
	mv "$VENV.tmp" "$VENV"
	# A venv records its own path in its scripts, but not in bin/python: moving it is safe for
	# what the tests run (bin/python -m or a script path).
	ready || { say "installed, but moto's server still does not import"; exit 1; }
}

case "${1:-}" in
install) install ;;
python)
	install
	echo "$VENV/bin/python"
	;;
*)
	echo "usage: $0 install|python" >&2
	exit 2
	;;
esac
