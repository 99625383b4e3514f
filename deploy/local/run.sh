#!/usr/bin/env bash
# Runs netbox-agent on this machine: a Temporal dev server (Web UI on :8233),
# the NetBox emulator when no NetBox URL is configured, the worker, and one
# sync of the configured sources. The worker keeps serving until Ctrl-C,
# which stops everything this script started.
set -euo pipefail

CONFIG=${CONFIG:-netbox-agent.example.yaml}
BIN=${BIN:-.bin}
TEMPORAL=${TEMPORAL:-$BIN/temporal}
DATA=${NETBOX_AGENT_DATA_DIR:-data}
TEMPORAL_ADDRESS=${NETBOX_AGENT_TEMPORAL_ADDRESS:-127.0.0.1:7233}
UI_PORT=${UI_PORT:-8233}
SIM_LISTEN=${SIM_LISTEN:-127.0.0.1:8001}

mkdir -p "$DATA"
pids=()
cleanup() {
	trap - EXIT INT TERM
	for ((i = ${#pids[@]} - 1; i >= 0; i--)); do
		kill "${pids[i]}" 2>/dev/null || true
		wait "${pids[i]}" 2>/dev/null || true
	done
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# wait_for HOST:PORT NAME: until something listens there (30 s at most).
wait_for() {
	local host=${1%:*} port=${1##*:}
	for _ in $(seq 1 300); do
		if (exec 3<>"/dev/tcp/$host/$port") 2>/dev/null; then
			return 0
		fi
		sleep 0.1
	done
	echo "run: $2 did not come up on $1 (see $DATA/*.log)" >&2
	return 1
}

listening() { (exec 3<>"/dev/tcp/${1%:*}/${1##*:}") 2>/dev/null; }

if listening "$TEMPORAL_ADDRESS"; then
	echo "== Temporal already listens on $TEMPORAL_ADDRESS; using it"
else
	echo "== starting the Temporal dev server ($TEMPORAL_ADDRESS, UI on :$UI_PORT, state in $DATA/temporal.db)"
	"$TEMPORAL" server start-dev --db-filename "$DATA/temporal.db" --ip 127.0.0.1 \
		--port "${TEMPORAL_ADDRESS##*:}" --ui-port "$UI_PORT" --log-level warn >"$DATA/temporal.log" 2>&1 &
	pids+=($!)
	wait_for "$TEMPORAL_ADDRESS" "the Temporal dev server"
fi

# The emulator stands in for NetBox unless the config or the environment
# names a real one.
nb_url=${NETBOX_AGENT_NETBOX_URL:-$("$BIN/worker" --config "$CONFIG" --print-config | awk '/^netbox:/{n=1;next} /^[^ ]/{n=0} n && $1=="url:"{print $2; exit}')}
nb_url=${nb_url//\"/}
if [[ -z "$nb_url" || "$nb_url" == "http://$SIM_LISTEN" ]]; then
	nb_url="http://$SIM_LISTEN"
	if [[ -z "${NETBOX_AGENT_NETBOX_TOKEN:-}" ]]; then
		[[ -s "$DATA/netbox-token" ]] || od -An -tx1 -N20 /dev/urandom | tr -d ' \n' >"$DATA/netbox-token"
		NETBOX_AGENT_NETBOX_TOKEN=$(cat "$DATA/netbox-token")
	fi
	if listening "$SIM_LISTEN"; then
		echo "== something already listens on $SIM_LISTEN; using it as NetBox"
	else
		echo "== starting the NetBox emulator on $nb_url (state in $DATA/netboxsim.json)"
		"$BIN/netboxsim" --listen "$SIM_LISTEN" --token "$NETBOX_AGENT_NETBOX_TOKEN" \
			--state-file "$DATA/netboxsim.json" >"$DATA/netboxsim.log" 2>&1 &
		pids+=($!)
		wait_for "$SIM_LISTEN" "the NetBox emulator"
	fi
fi
export NETBOX_AGENT_NETBOX_URL="$nb_url" NETBOX_AGENT_NETBOX_TOKEN NETBOX_AGENT_TEMPORAL_ADDRESS="$TEMPORAL_ADDRESS"

echo "== starting the worker (log in $DATA/worker.log)"
"$BIN/worker" --config "$CONFIG" >"$DATA/worker.log" 2>&1 &
pids+=($!)
listen=$("$BIN/worker" --config "$CONFIG" --print-config | awk '/^worker:/{n=1;next} /^[^ ]/{n=0} n && $1=="listen:"{print $2; exit}')
wait_for "${listen//\"/}" "the worker"

# --wait shows the sync's progress: a status line on a terminal, plain lines
# when the output is a pipe or a log.
echo "== syncing"
start=$(date +%s%N)
"$BIN/starter" sync --config "$CONFIG" --wait
echo "== sync took $((($(date +%s%N) - start) / 1000000)) ms"
if [[ "$nb_url" == "http://$SIM_LISTEN" ]] && command -v curl >/dev/null; then
	stats=$(curl -s "$nb_url/_sim/stats" | tr -d ' \n')
	echo "== NetBox emulator requests since it started: $(grep -o '"total":[0-9]*' <<<"$stats" | cut -d: -f2), by method $(grep -o '"by_method":{[^}]*}' <<<"$stats" | cut -d: -f2-)"
fi
echo
echo "Temporal Web UI:  http://localhost:$UI_PORT/namespaces/default/workflows"
echo "NetBox:           $nb_url"
echo "Sync again:       $BIN/starter sync --config $CONFIG --wait"
echo "The worker keeps serving; press Ctrl-C to stop everything."
wait "${pids[-1]}"
