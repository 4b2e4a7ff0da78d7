#!/usr/bin/env bash
# Soak test by hand (not in CI): silos on Redis, runs started and stopped in a loop, random
# SIGKILLs and restarts of silos, every finished run compared bit for bit with the local loop.
#
#   deploy/soak.sh [--minutes 10] [--silos 3] [--runs 2] [--kill-every 15] [--seed 1] [--redis host:port]
#
# Needs redis-server on the PATH unless --redis is given. See deploy/README.md, "Soak test".
set -euo pipefail
cd "$(dirname "$0")/.."
CONFIGURATION=${CONFIGURATION:-Release}
dotnet build bench/DistTrain.Bench -c "$CONFIGURATION" -v quiet -nologo >/tmp/disttrain-soak-build.log 2>&1 ||
  { cat /tmp/disttrain-soak-build.log >&2; echo "soak.sh: build failed" >&2; exit 1; }
cd "bench/DistTrain.Bench/bin/$CONFIGURATION/net10.0"
exec dotnet DistTrain.Bench.dll soak "$@"
