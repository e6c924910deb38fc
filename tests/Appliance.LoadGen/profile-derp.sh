#!/usr/bin/env bash
# profile-derp.sh OUTDIR PAIRS PACKETS [SECONDS]: perf profile of the DERP relay under `appliance-loadgen derp`
# (docs/benchmarks.md, "DERP relay"). Starts the appliance as run-derp-against-appliance.sh does (APPLIANCE_BIN, the
# published file by default) with DOTNET_PerfMapEnabled=1, runs one round at PAIRS pairs of PACKETS packets after the
# generator's warm-up pass, and records `perf record -g` of the relay for SECONDS (default 15) once the warm-up is
# over; then names the samples with perf-split.py (derp buckets) into OUTDIR/split.txt and the native symbols by
# self time into OUTDIR/native.txt.
set -uo pipefail
out=$1; pairs=$2; packets=$3; seconds=${4:-15}
mkdir -p "$out"
. "$(dirname "$0")/start-appliance.sh"
export APPLIANCE_DERP_ALLOW_PLAIN_HTTP=true APPLIANCE_DERP_VERIFY_CLIENTS=false APPLIANCE_DERP_SEND_QUEUE_PACKETS=256
export DOTNET_PerfMapEnabled=1
start_appliance
unset DOTNET_PerfMapEnabled
echo "loadavg before: $(cat /proc/loadavg)" | tee "$out/load.txt"
dotnet "$loadgen" derp --derp "http://127.0.0.1:$port" --server-pid "$pid" --pairs "$pairs" --rounds 1 \
  --packets "$packets" --json "$out/derp.json" > "$out/derp.txt" 2>&1 &
lg=$!
# The generator prints "warm-up: ..." when its unrecorded pass is over; the measured round starts then.
for _ in $(seq 1200); do grep -q '^warm-up' "$out/derp.txt" 2>/dev/null && break; kill -0 $lg 2>/dev/null || break; sleep 0.5; done
sleep 2
perf record -F 999 -g -p "$pid" -o "$out/perf.data" -- sleep "$seconds" > "$out/perf.log" 2>&1
wait $lg; echo "loadgen exit $?" >> "$out/derp.txt"
echo "loadavg after: $(cat /proc/loadavg)" | tee -a "$out/load.txt"
cp "/tmp/perf-$pid.map" "$out/" 2>/dev/null
perf script -i "$out/perf.data" -F ip,dso > "$out/chains.txt" 2>/dev/null
perf script -i "$out/perf.data" --show-mmap-events 2>/dev/null | grep MMAP > "$out/mmaps.txt"
python3 "$(dirname "$0")/perf-split.py" "$out" "$pid" derp > "$out/split.txt"
# Native symbols (the runtime's GC and allocator, libc, the kernel) by self time; JIT code shows as memfd here.
perf report -i "$out/perf.data" --no-children --sort dso,sym --stdio 2>/dev/null | grep -v '^#' | grep -v '^$' | head -60 > "$out/native.txt"
cat "$out/derp.txt"
