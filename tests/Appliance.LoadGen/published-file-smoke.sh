#!/bin/bash
# published-file-smoke.sh APPLIANCE_BIN: exercises a published (trimmed) single file beyond /ready, on loopback, in a
# temporary folder: a YAML config (YamlDotNet), CLI verbs over admin.sock and directly on the stopped folder (JSON,
# YAML and table output), GET /key, /metrics, the DERP probe, the console's login page over HTTPS, a policy check / set / get, and a
# backup. Prints ok/FAIL per step and exits 1 if any failed (docs/decisions/0110: code only reflection reaches is
# trimmed away, so the published file gets its own run).
set -u
A=$1; W=$(mktemp -d); D=$W/data; fail=0
export APPLIANCE_LOG_FILE=off APPLIANCE_BACKUP_INTERVAL=0 APPLIANCE_BACKUP_VERIFY_INTERVAL=0 APPLIANCE_DERP_STUN_LISTEN=127.0.0.1:0
P=$(python3 -c 'import socket;s=socket.socket();s.bind(("127.0.0.1",0));print(s.getsockname()[1])')
H=$(python3 -c 'import socket;s=socket.socket();s.bind(("127.0.0.1",0));print(s.getsockname()[1])')
M=$(python3 -c 'import socket;s=socket.socket();s.bind(("127.0.0.1",0));print(s.getsockname()[1])')
cat > $W/appliance.yaml <<Y
server:
  listen: 127.0.0.1:$P
  https_listen: 127.0.0.1:$H
  server_url: http://127.0.0.1:$P
metrics:
  listen: 127.0.0.1:$M
Y
# expect NAME PATTERN COMMAND...: the command exits 0 and its output contains PATTERN
expect() { local name=$1 pat=$2 rc; shift 2; out=$("$@" 2>&1); rc=$?; if [ $rc -eq 0 ] && grep -q -- "$pat" <<<"$out"; then echo "ok   $name"; else echo "FAIL $name (exit $rc): $(head -c 400 <<<"$out")"; fail=1; fi; }
expect "version" "appliance " $A version
expect "config check yaml" "" $A config check -c $W/appliance.yaml
$A serve -c $W/appliance.yaml --data-dir $D > $W/serve.log 2>&1 & S=$!
for i in $(seq 600); do curl -sf http://127.0.0.1:$P/ready >/dev/null && break; sleep 0.1; done
expect "ready" "ready" curl -s http://127.0.0.1:$P/ready
expect "users create (socket)" "alice" $A --data-dir $D users create alice
expect "users list -o yaml (socket)" "name: alice" $A --data-dir $D users list -o yaml
expect "users list -o json" '"name": "alice"' $A --data-dir $D users list -o json
expect "preauthkeys create" "apk_" $A --data-dir $D preauthkeys create --user alice --expiration 1h
expect "preauthkeys list" "alice" $A --data-dir $D preauthkeys list
expect "nodes list" "" $A --data-dir $D nodes list -o json
printf '{"acls":[{"action":"accept","src":["*"],"dst":["*:*"]}]}' > $W/policy.hujson
expect "policy check" "" $A --data-dir $D policy check $W/policy.hujson
expect "policy set" "" $A --data-dir $D policy set $W/policy.hujson
expect "policy get -o json" '"text"' $A --data-dir $D policy get -o json
expect "health" "" $A -c $W/appliance.yaml --data-dir $D health
expect "status" "" $A --data-dir $D status
expect "ca" "" $A --data-dir $D ca export
expect "GET /key" "publicKey" curl -s "http://127.0.0.1:$P/key?v=88"
expect "metrics" "appliance_" curl -s http://127.0.0.1:$M/metrics
expect "derp probe" "" curl -sf http://127.0.0.1:$P/derp/latency-check
expect "https /admin login" "<form" curl -skL https://127.0.0.1:$H/admin/
expect "GET /health" "ok" curl -s http://127.0.0.1:$P/health
kill -TERM $S; wait $S; echo "serve exit $?"
expect "users list (direct, stopped)" "alice" $A --data-dir $D users list
expect "backup create (direct)" "" $A --data-dir $D backup create
grep -i "exception\|error\|fail" $W/serve.log | head -10
rm -rf $W; exit $fail
