#!/usr/bin/env bash
# Starts N DistTrain silos as separate processes on loopback (development clustering: every
# silo joins the first one as primary), or stops them.
#
#   deploy/local-cluster.sh start [N]   # default 2 silos; prints the --cluster value
#   deploy/local-cluster.sh stop
#   deploy/local-cluster.sh status
#
# Silo i listens on 127.0.0.1:$((SILO_PORT + i)) (silo-to-silo) and $((GATEWAY_PORT + i))
# (clients). Logs and pids go to $DISTTRAIN_LOCAL_DIR (default .disttrain-local/).
set -euo pipefail
cd "$(dirname "$0")/.."

SILO_PORT=${SILO_PORT:-11111}
GATEWAY_PORT=${GATEWAY_PORT:-30000}
STATE=${DISTTRAIN_LOCAL_DIR:-.disttrain-local}
CONFIGURATION=${CONFIGURATION:-Release}
SILO_DLL="src/Silo/bin/$CONFIGURATION/net10.0/DistTrain.Silo.dll"

start() {
  local count=${1:-2}
  if [[ ! "$count" =~ ^[1-9][0-9]*$ ]]; then
    echo "local-cluster.sh: silo count must be a positive integer, got '$count'" >&2
    exit 2
  fi
  if [[ -n "$(ls "$STATE"/*.pid 2>/dev/null)" ]]; then
    echo "local-cluster.sh: silos already running (see '$0 status'); stop them first" >&2
    exit 1
  fi
  dotnet build src/Silo -c "$CONFIGURATION" -v quiet -nologo >/dev/null
  mkdir -p "$STATE"
  local gateways=()
  for ((i = 0; i < count; i++)); do
    local silo=$((SILO_PORT + i)) gateway=$((GATEWAY_PORT + i))
    dotnet "$SILO_DLL" \
      --DistTrain:Cluster:SiloPort="$silo" \
      --DistTrain:Cluster:GatewayPort="$gateway" \
      --DistTrain:Cluster:PrimarySiloPort="$SILO_PORT" \
      --DistTrain:Coordinator:CheckpointRoot="$PWD/$STATE/checkpoints" \
      "${@:2}" >"$STATE/silo-$i.log" 2>&1 &
    echo $! >"$STATE/silo-$i.pid"
    gateways+=("127.0.0.1:$gateway")
    # The primary must be up before the others join it.
    wait_for_port "$gateway" "$STATE/silo-$i.log"
  done
  local cluster
  cluster=$(IFS=,; echo "${gateways[*]}")
  echo "$cluster" >"$STATE/cluster"
  echo "started $count silos; use: --cluster $cluster   (or export DISTTRAIN_CLUSTER=$cluster)"
}

wait_for_port() {
  for _ in $(seq 1 120); do
    if (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; then
      return 0
    fi
    sleep 0.5
  done
  echo "local-cluster.sh: no silo listening on port $1 after 60 s; see $2" >&2
  exit 1
}

stop() {
  local stopped=0
  for pid_file in "$STATE"/*.pid; do
    [[ -e "$pid_file" ]] || continue
    kill "$(cat "$pid_file")" 2>/dev/null && stopped=$((stopped + 1)) || true
    rm -f "$pid_file"
  done
  echo "stopped $stopped silos"
}

status() {
  for pid_file in "$STATE"/*.pid; do
    [[ -e "$pid_file" ]] || { echo "no silos"; return 0; }
    local pid
    pid=$(cat "$pid_file")
    if kill -0 "$pid" 2>/dev/null; then echo "$(basename "$pid_file" .pid): running (pid $pid)"; else echo "$(basename "$pid_file" .pid): exited"; fi
  done
  [[ -e "$STATE/cluster" ]] && echo "cluster: $(cat "$STATE/cluster")"
}

case "${1:-}" in
  start) shift; start "${1:-2}" "${@:2}" ;;
  stop) stop ;;
  status) status ;;
  *) echo "usage: $0 start [N] [extra silo flags...] | stop | status" >&2; exit 2 ;;
esac
