#!/usr/bin/env bash
# profile-change-rounds.sh BIN OUTDIR NODES [perf|noperf] [more appliance-loadgen options]: starts BIN serve on
# loopback (empty data folder, no backups), registers NODES light nodes (50 full) with appliance-loadgen, and
# measures the endpoint-change rounds only (from convergence to the "endpoint change:" line): server and generator
# CPU per change from /proc, and with "perf" a perf record -g of the server and one of the generator in that window
# (DOTNET_PerfMapEnabled=1 in both; perf-split.py names the server's samples, "gen" names the generator's).
# Prints OUTDIR/window.txt. Issue 16 (fan helper): where a change's time goes at 5,000 and 10,000 nodes.
set -uo pipefail
bin=$1; out=$2; nodes=$3; doperf=${4:-perf}; shift 3; [ $# -gt 0 ] && shift
mkdir -p "$out"; work=$(mktemp -d)
here=$(cd "$(dirname "$0")" && pwd)
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
cpu() { awk '{print $14+$15}' /proc/$1/stat; }
DOTNET_PerfMapEnabled=1 dotnet "${LOADGEN:-$here/bin/Release/net10.0/appliance-loadgen.dll}" --control "http://127.0.0.1:$port" --key "$key" \
  --server-pid $pid --nodes "$nodes" --light --full-nodes 50 --joins 0 --json "$out/lg.json" "$@" > "$out/lg.txt" 2>&1 &
lg=$!
until grep -qE '^(converged|[0-9]+ nodes stuck)' "$out/lg.txt"; do sleep 0.2; kill -0 $lg 2>/dev/null || { cat "$out/lg.txt"; exit 1; }; done
# The generator settles for 3 s before its first round: start measuring inside that quiet gap.
sleep 1
c0=$(cpu $pid); g0=$(cpu $lg); t0=$(date +%s.%N); l0=$(cat /proc/loadavg)
# Thread switches of the server over the window (perf stat counts every thread's, also those that exit): a hand-off
# between threads is a switch, so switches per change per stream count the hops a message takes (issue 16, wire).
perf stat -e context-switches -x, -o "$out/switches.txt" -p $pid > /dev/null 2>&1 & sp=$!
if [ "$doperf" = perf ]; then
  perf record -F 499 -g -p $pid -o "$out/perf.data" > "$out/perf.log" 2>&1 & pp=$!
  perf record -F 499 -g -p $lg -o "$out/perf-gen.data" > "$out/perf-gen.log" 2>&1 & gp=$!
fi
until grep -q '^endpoint change:' "$out/lg.txt"; do sleep 0.1; kill -0 $lg 2>/dev/null || break; done
if [ "$doperf" = perf ]; then kill -INT $pp $gp; wait $pp $gp; fi
c1=$(cpu $pid); g1=$(cpu $lg); t1=$(date +%s.%N); l1=$(cat /proc/loadavg)
kill -INT $sp 2>/dev/null; wait $sp 2>/dev/null
switches=$(awk -F, '/context-switches/ {print $1}' "$out/switches.txt" 2>/dev/null); switches=${switches:-0}
wait $lg; status=$?
rounds=$(python3 -c "import json; print(json.load(open('$out/lg.json'))['endpointChange']['rounds'])" 2>/dev/null || echo 20)
python3 - <<PY | tee "$out/window.txt"
hz = 100; r = int("$rounds" or 20)
print(f"change rounds window: {$t1-$t0:.1f} s, {r} rounds; server CPU {($c1-$c0)/hz:.2f} s = {($c1-$c0)/hz/r*1000:.0f} ms per change; generator CPU {($g1-$g0)/hz:.2f} s = {($g1-$g0)/hz/r*1000:.0f} ms per change")
print(f"server thread switches: {$switches} = {$switches/r:.0f} per change = {$switches/r/max($nodes-1,1):.2f} per receiving stream")
print("load before: $l0"); print("load after: $l1")
PY
grep -E '^endpoint change' "$out/lg.txt" | tee -a "$out/window.txt"
echo "loadgen exit $status" >> "$out/window.txt"
if [ "$doperf" = perf ]; then
  cp /tmp/perf-$pid.map /tmp/perf-$lg.map "$out/" 2>/dev/null
  perf script -i "$out/perf.data" -F ip,dso > "$out/chains.txt" 2>/dev/null
  perf script -i "$out/perf.data" --show-mmap-events 2>/dev/null | grep MMAP > "$out/mmaps.txt"
  python3 "$here/perf-split.py" "$out" "$pid" > "$out/split.txt"
  mkdir -p "$out/gen"
  cp /tmp/perf-$lg.map "$out/gen/" 2>/dev/null
  perf script -i "$out/perf-gen.data" -F ip,dso > "$out/gen/chains.txt" 2>/dev/null
  perf script -i "$out/perf-gen.data" --show-mmap-events 2>/dev/null | grep MMAP > "$out/gen/mmaps.txt"
  python3 "$here/perf-split.py" "$out/gen" "$lg" gen > "$out/gen/split.txt"
fi
exit $status
