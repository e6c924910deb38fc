#!/usr/bin/env bash
# DERP relay throughput with the clients in a separate process (docs/benchmarks.md, "DERP relay"):
#   tests/Appliance.LoadGen/run-derp-against-appliance.sh OUT.json [--pairs 1,10,50 --rounds 3 ...]
# Starts the given appliance (the published single file by default; APPLIANCE_BIN picks another, LOADGEN another
# generator build) on loopback with an empty data folder, DERP on the plain HTTP listener, any client admitted and
# per-client queues of 256 (as derper was measured), then runs `appliance-loadgen derp` with --server-pid so that the
# relay's CPU seconds per GB relayed are recorded beside Gbit/s. The appliance is stopped at the end.
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
bin="${APPLIANCE_BIN:-$root/artifacts/publish/linux-x64/appliance}"
loadgen="${LOADGEN:-$root/tests/Appliance.LoadGen/bin/Release/net10.0/appliance-loadgen.dll}"
out="$1"; shift
work="$(mktemp -d)"
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
port="$(free_port)"
export APPLIANCE_LOG_FILE=off APPLIANCE_HTTPS_LISTEN=127.0.0.1:0 APPLIANCE_DERP_STUN_LISTEN=127.0.0.1:0 \
       APPLIANCE_METRICS_LISTEN=127.0.0.1:0 APPLIANCE_BACKUP_INTERVAL=0 APPLIANCE_BACKUP_VERIFY_INTERVAL=0 \
       APPLIANCE_DERP_ALLOW_PLAIN_HTTP=true APPLIANCE_DERP_VERIFY_CLIENTS=false APPLIANCE_DERP_SEND_QUEUE_PACKETS=256
"$bin" serve --data-dir "$work/data" --listen "127.0.0.1:$port" > "$work/serve.log" 2>&1 &
pid=$!
trap 'kill "$pid" 2>/dev/null; wait "$pid" 2>/dev/null; rm -rf "$work"' EXIT
for _ in $(seq 600); do curl -fs "http://127.0.0.1:$port/ready" >/dev/null && break; sleep 0.1; done
echo "loadavg before: $(cat /proc/loadavg)"
set +e
dotnet "$loadgen" derp --derp "http://127.0.0.1:$port" --server-pid "$pid" --json "$out" "$@"
status=$?
echo "loadavg after: $(cat /proc/loadavg)"
exit "$status"
