# Sourced (not run) by run-against-appliance.sh and run-derp-against-appliance.sh: the appliance they load, on loopback.
# After sourcing: $root, $bin (APPLIANCE_BIN, else the published single file), $loadgen (LOADGEN, else the Release
# build), an empty $work folder, free_port, $port, and the environment every run shares (no log file, no backups,
# HTTPS, STUN and metrics on free loopback ports). Export what the run needs on top, then call start_appliance: it
# starts `serve` with its data in $work/data (output in $work/serve.log), sets $pid, waits up to 60 s for /ready,
# and at exit stops the appliance and removes $work.
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
bin="${APPLIANCE_BIN:-$root/artifacts/publish/linux-x64/appliance}"
loadgen="${LOADGEN:-$root/tests/Appliance.LoadGen/bin/Release/net10.0/appliance-loadgen.dll}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
port="$(free_port)"
export APPLIANCE_LOG_FILE=off APPLIANCE_HTTPS_LISTEN=127.0.0.1:0 APPLIANCE_DERP_STUN_LISTEN=127.0.0.1:0 \
       APPLIANCE_METRICS_LISTEN=127.0.0.1:0 APPLIANCE_BACKUP_INTERVAL=0 APPLIANCE_BACKUP_VERIFY_INTERVAL=0

start_appliance() {
  "$bin" serve --data-dir "$work/data" --listen "127.0.0.1:$port" > "$work/serve.log" 2>&1 &
  pid=$!
  # || true: under set -e a killed server's non-zero wait would end the trap before the rm.
  trap 'kill "$pid" 2>/dev/null; wait "$pid" 2>/dev/null || true; rm -rf "$work"' EXIT
  for _ in $(seq 600); do curl -fs "http://127.0.0.1:$port/ready" >/dev/null && break; sleep 0.1; done
}
