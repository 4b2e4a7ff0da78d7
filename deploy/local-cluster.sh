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
#
# Mutual TLS is on by default: the silos use the certificates in $DISTTRAIN_CERTS (default
# $DISTTRAIN_LOCAL_DIR/certs; made there by deploy/make-test-certs.sh when ca.pem is missing;
# give your own directory with ca.pem, silo.pem, silo.key, client.pem, client.key), and `start`
# prints the console's --tls-* flags and DISTTRAIN_TLS_* variables (also written to
# $DISTTRAIN_LOCAL_DIR/client.env). Plain TCP only when asked: --no-tls or DISTTRAIN_TLS=0.
#
# DISTTRAIN_SILO_DLL: a built DistTrain.Silo.dll to run instead of building src/Silo.
set -euo pipefail
cd "$(dirname "$0")/.."

SILO_PORT=${SILO_PORT:-11111}
GATEWAY_PORT=${GATEWAY_PORT:-30000}
STATE=${DISTTRAIN_LOCAL_DIR:-.disttrain-local}
mkdir -p "$STATE"
STATE=$(cd "$STATE" && pwd) # absolute: the silos get paths under it
CONFIGURATION=${CONFIGURATION:-Release}
SILO_DLL=${DISTTRAIN_SILO_DLL:-"src/Silo/bin/$CONFIGURATION/net10.0/DistTrain.Silo.dll"}
TLS=${DISTTRAIN_TLS:-1}
CERTS=${DISTTRAIN_CERTS:-"$STATE/certs"}
TLS_SERVER_NAME=${DISTTRAIN_TLS_SERVER_NAME:-disttrain-silo}

start() {
  local count=${1:-2}
  if [[ ! "$count" =~ ^[1-9][0-9]*$ ]]; then
    echo "local-cluster.sh: silo count must be a positive integer, got '$count'" >&2
    exit 2
  fi
  shift
  local extra=()
  for arg in "$@"; do
    if [[ "$arg" == --no-tls ]]; then TLS=0; else extra+=("$arg"); fi
  done
  if [[ -n "$(ls "$STATE"/*.pid 2>/dev/null)" ]]; then
    echo "local-cluster.sh: silos already running (see '$0 status'); stop them first" >&2
    exit 1
  fi
  if [[ -z "${DISTTRAIN_SILO_DLL:-}" ]]; then
    # Incremental: quick when already built. Its output goes to a file, not a pipe, so that
    # build nodes left running do not keep this script's output open.
    if ! dotnet build src/Silo -c "$CONFIGURATION" -v quiet -nologo >"$STATE/build.log" 2>&1; then
      cat "$STATE/build.log" >&2
      echo "local-cluster.sh: building src/Silo failed (log: $STATE/build.log)" >&2
      exit 1
    fi
  fi
  [[ -f "$SILO_DLL" ]] || { echo "local-cluster.sh: $SILO_DLL not found" >&2; exit 1; }
  local tls_args=()
  rm -f "$STATE/client.env"
  if [[ "$TLS" != 0 ]]; then
    if [[ ! -f "$CERTS/ca.pem" ]]; then
      deploy/make-test-certs.sh "$CERTS" >/dev/null
    fi
    CERTS=$(cd "$CERTS" && pwd)
    for file in ca.pem silo.pem silo.key client.pem client.key; do
      [[ -f "$CERTS/$file" ]] || { echo "local-cluster.sh: $CERTS/$file missing (DISTTRAIN_CERTS needs ca.pem, silo.pem, silo.key, client.pem, client.key)" >&2; exit 1; }
    done
    tls_args=(
      --DistTrain:Tls:Enabled=true
      --DistTrain:Tls:CertificatePath="$CERTS/silo.pem"
      --DistTrain:Tls:KeyPath="$CERTS/silo.key"
      --DistTrain:Tls:CaPath="$CERTS/ca.pem"
      --DistTrain:Tls:ServerName="$TLS_SERVER_NAME"
    )
    cat >"$STATE/client.env" <<ENV
export DISTTRAIN_TLS_CERT=$CERTS/client.pem
export DISTTRAIN_TLS_KEY=$CERTS/client.key
export DISTTRAIN_TLS_CA=$CERTS/ca.pem
export DISTTRAIN_TLS_SERVER_NAME=$TLS_SERVER_NAME
ENV
  fi
  local gateways=()
  for ((i = 0; i < count; i++)); do
    local silo=$((SILO_PORT + i)) gateway=$((GATEWAY_PORT + i))
    dotnet "$SILO_DLL" \
      --DistTrain:Cluster:SiloPort="$silo" \
      --DistTrain:Cluster:GatewayPort="$gateway" \
      --DistTrain:Cluster:PrimarySiloPort="$SILO_PORT" \
      --DistTrain:Coordinator:CheckpointRoot="$STATE/checkpoints" \
      "${tls_args[@]}" "${extra[@]}" >"$STATE/silo-$i.log" 2>&1 &
    echo $! >"$STATE/silo-$i.pid"
    gateways+=("127.0.0.1:$gateway")
    # The primary must be up before the others join it.
    wait_for_port "$gateway" "$STATE/silo-$i.log"
  done
  local cluster
  cluster=$(IFS=,; echo "${gateways[*]}")
  echo "$cluster" >"$STATE/cluster"
  echo "started $count silos; use: --cluster $cluster   (or export DISTTRAIN_CLUSTER=$cluster)"
  if [[ "$TLS" != 0 ]]; then
    echo "mutual TLS (certificates in $CERTS); the console needs:"
    echo "  --tls-cert $CERTS/client.pem --tls-key $CERTS/client.key --tls-ca $CERTS/ca.pem --tls-server-name $TLS_SERVER_NAME"
    echo "or (also in $STATE/client.env):"
    cat "$STATE/client.env"
  else
    echo "TLS off (--no-tls / DISTTRAIN_TLS=0): anyone who reaches the gateway ports can start, stop and read runs"
  fi
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
  if [[ -e "$STATE/client.env" ]]; then echo "TLS client settings:"; cat "$STATE/client.env"; fi
  return 0
}

case "${1:-}" in
  start) shift; start "${1:-2}" "${@:2}" ;;
  stop) stop ;;
  status) status ;;
  *) echo "usage: $0 start [N] [--no-tls] [extra silo flags...] | stop | status" >&2; exit 2 ;;
esac
