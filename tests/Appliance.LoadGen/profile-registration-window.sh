#!/usr/bin/env bash
# profile-registration-window.sh BIN OUTDIR NODES FROM TO [perf|perfgen|noperf]: starts BIN serve on loopback (empty
# data folder, no backups), registers NODES light nodes with appliance-loadgen, and measures the window FROM..TO
# connected streams: server and generator CPU per registration (/proc), map messages written per registration
# (/metrics) and, with "perf", a perf record -g of the server in that window, with "perfgen" of the generator
# (DOTNET_PerfMapEnabled=1; tests/Appliance.LoadGen/perf-split.py names it, "gen" buckets for the generator).
set -uo pipefail
bin=$1; out=$2; nodes=$3; from=$4; to=$5; doperf=${6:-perf}
mkdir -p "$out"; work=$(mktemp -d)
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
port=$(free_port); mport=$(free_port)
export APPLIANCE_LOG_FILE=off APPLIANCE_HTTPS_LISTEN=127.0.0.1:0 APPLIANCE_DERP_STUN_LISTEN=127.0.0.1:0 \
       APPLIANCE_METRICS_LISTEN=127.0.0.1:$mport APPLIANCE_BACKUP_INTERVAL=0 APPLIANCE_BACKUP_VERIFY_INTERVAL=0
DOTNET_PerfMapEnabled=1 "$bin" serve --data-dir "$work/data" --listen "127.0.0.1:$port" > "$work/serve.log" 2>&1 &
pid=$!
trap 'kill $pid 2>/dev/null; wait $pid 2>/dev/null; rm -rf "$work"' EXIT
for _ in $(seq 600); do curl -fs "http://127.0.0.1:$port/ready" >/dev/null && break; sleep 0.1; done
"$bin" users create load --data-dir "$work/data" >/dev/null
key=$("$bin" preauthkeys create --user load --reusable --expiration 6h -o json --data-dir "$work/data" | jq -r .key)
metric() { curl -fs "http://127.0.0.1:$mport/metrics" | awk -v m="$1" '$1 ~ "^"m {s+=$2} END {print s+0}'; }
cpu() { awk '{print $14+$15}' /proc/$1/stat; }
DOTNET_PerfMapEnabled=1 dotnet "${LOADGEN:-$(cd "$(dirname "$0")/../.." && pwd)/tests/Appliance.LoadGen/bin/Release/net10.0/appliance-loadgen.dll}" --control "http://127.0.0.1:$port" --key "$key" --server-pid $pid --nodes $nodes --light --full-nodes 20 --rounds 2 --joins 1 --json "$out/lg.json" > "$out/lg.txt" 2>&1 &
lg=$!
while [ "$(metric appliance_control_map_streams)" -lt "$from" ]; do sleep 0.2; kill -0 $lg || exit 1; done
c0=$(cpu $pid); g0=$(cpu $lg); m0=$(metric appliance_control_map_messages); s0=$(metric appliance_control_map_streams); t0=$(date +%s.%N); l0=$(cat /proc/loadavg)
ppid=$pid; [ "$doperf" = perfgen ] && ppid=$lg
if [ "$doperf" != noperf ]; then perf record -F 999 -g -p $ppid -o "$out/perf.data" > "$out/perf.log" 2>&1 & pp=$!; fi
while [ "$(metric appliance_control_map_streams)" -lt "$to" ]; do sleep 0.1; done
[ "$doperf" != noperf ] && kill -INT $pp && wait $pp
c1=$(cpu $pid); g1=$(cpu $lg); m1=$(metric appliance_control_map_messages); s1=$(metric appliance_control_map_streams); t1=$(date +%s.%N); l1=$(cat /proc/loadavg)
python3 - <<PY | tee "$out/window.txt"
hz=100; n=$s1-$s0
print(f"window {$s0}..{$s1} streams: {n} registrations in {$t1-$t0:.1f} s; server CPU {($c1-$c0)/hz:.2f} s = {($c1-$c0)/hz/n*1000:.1f} ms per registration; generator CPU {($g1-$g0)/hz:.2f} s = {($g1-$g0)/hz/n*1000:.1f} ms per registration; map messages {$m1-$m0} = {($m1-$m0)/n:.1f} per registration")
print("load before: $l0"); print("load after: $l1")
PY
cp /tmp/perf-$ppid.map "$out/" 2>/dev/null
if [ "$doperf" != noperf ]; then
  perf script -i "$out/perf.data" -F ip,dso > "$out/chains.txt" 2>/dev/null
  perf script -i "$out/perf.data" --show-mmap-events 2>/dev/null | grep MMAP > "$out/mmaps.txt"
  python3 "$(dirname "$0")/perf-split.py" "$out" "$ppid" $([ "$doperf" = perfgen ] && echo gen) > "$out/split.txt"
fi
wait $lg; echo "loadgen exit $?" >> "$out/window.txt"
