#!/usr/bin/env bash
# DERP relay throughput with the clients in a separate process (docs/benchmarks.md, "DERP relay"):
#   tests/Appliance.LoadGen/run-derp-against-appliance.sh OUT.json [--pairs 1,10,50 --rounds 3 ...]
# Starts the given appliance (the published single file by default; APPLIANCE_BIN picks another, LOADGEN another
# generator build) on loopback with an empty data folder, DERP on the plain HTTP listener, any client admitted and
# per-client queues of 256 (as derper was measured), then runs `appliance-loadgen derp` with --server-pid so that the
# relay's CPU seconds per GB relayed are recorded beside Gbit/s. The appliance is stopped at the end.
set -euo pipefail
out="$1"; shift
. "$(dirname "$0")/start-appliance.sh"
export APPLIANCE_DERP_ALLOW_PLAIN_HTTP=true APPLIANCE_DERP_VERIFY_CLIENTS=false APPLIANCE_DERP_SEND_QUEUE_PACKETS=256
start_appliance
echo "loadavg before: $(cat /proc/loadavg)"
set +e
dotnet "$loadgen" derp --derp "http://127.0.0.1:$port" --server-pid "$pid" --json "$out" "$@"
status=$?
echo "loadavg after: $(cat /proc/loadavg)"
exit "$status"
