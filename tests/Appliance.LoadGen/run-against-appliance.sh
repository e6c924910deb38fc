#!/usr/bin/env bash
# Runs the load generator against a freshly started appliance (the published single file by default) on loopback,
# as docs/benchmarks.md ("Load generator") records it:
#   tests/Appliance.LoadGen/run-against-appliance.sh OUT.json --nodes 100 [more appliance-loadgen options]
# APPLIANCE_BIN picks another appliance executable; LOADGEN picks another generator build. The appliance gets an empty
# data folder, no backups, every listener on 127.0.0.1 (control and metrics on free ports), and is stopped at the end.
# Every 5 s while the generator runs, OUT.memory.txt gets the server's GC heap figures from its /metrics (the
# System.Runtime meter) and /proc/PID/smaps_rollup, to tell the managed heap from native memory.
set -euo pipefail
out="$1"; shift
. "$(dirname "$0")/start-appliance.sh"
mport="$(free_port)"
export APPLIANCE_METRICS_LISTEN=127.0.0.1:$mport
start_appliance
"$bin" users create load --data-dir "$work/data" >/dev/null
key="$("$bin" preauthkeys create --user load --reusable --expiration 6h -o json --data-dir "$work/data" | jq -r .key)"
echo "loadavg before: $(cat /proc/loadavg)"
set +e
dotnet "$loadgen" --control "http://127.0.0.1:$port" --key "$key" --server-pid "$pid" --json "$out" "$@" &
lg=$!
: > "$out.memory.txt"
while kill -0 "$lg" 2>/dev/null; do
  { echo "== $(date -u +%T) loadavg $(cut -d' ' -f1 /proc/loadavg)"
    curl -fs "http://127.0.0.1:$mport/metrics" | grep -E '^dotnet_(gc_last_collection_heap_size|gc_last_collection_memory_committed|process_memory_working_set|gc_heap_total_allocated)' || true
    grep -E '^(Rss|Anonymous|Private_Dirty)' "/proc/$pid/smaps_rollup" || true; } >> "$out.memory.txt"
  sleep 5
done
wait "$lg"
status=$?
echo "loadavg after: $(cat /proc/loadavg)"
exit "$status"
