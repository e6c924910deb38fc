#!/usr/bin/env python3
"""Where an idle appliance's resident memory is (docs/benchmarks.md, "Issue 16, startup helper (session 6)").

usage: [MALLOC_ARENA_MAX=2] [DOTNET_...=...] idle-footprint.py APPLIANCE_BIN [gcdump]
Starts `APPLIANCE_BIN serve` on an empty data folder (loopback listeners, no backups), waits for /ready and 10 s more,
then prints the RSS by mapping from /proc/PID/smaps: [anon] (GC heap, runtime data, and in a compressed bundle the
decompressed assemblies), "zero" (/dev/zero mappings), "doublemapper (JIT code)" (the runtime's executable memory),
the executable itself (file-backed pages of the bundle) and each native library. With `gcdump`, also runs
dotnet-gcdump (~/.dotnet/tools) on the idle process and prints the top of its report.
"""
import http.client, os, shutil, socket, subprocess, sys, tempfile, time, collections
def free_port():
    s = socket.socket(); s.bind(("127.0.0.1", 0)); p = s.getsockname()[1]; s.close(); return p
def ready(port):
    try:
        c = http.client.HTTPConnection("127.0.0.1", port, timeout=1); c.request("GET", "/ready"); return c.getresponse().status == 200
    except OSError: return False
binary = sys.argv[1]
work = tempfile.mkdtemp(); port = free_port()
env = {"PATH": os.environ["PATH"], "HOME": os.environ["HOME"], "APPLIANCE_LOG_FILE": "off", "APPLIANCE_HTTPS_LISTEN": "127.0.0.1:0",
       "APPLIANCE_DERP_STUN_LISTEN": "127.0.0.1:0", "APPLIANCE_METRICS_LISTEN": "127.0.0.1:0", "APPLIANCE_BACKUP_INTERVAL": "0", "APPLIANCE_BACKUP_VERIFY_INTERVAL": "0"}
# Runtime and allocator settings under test (DOTNET_*, MALLOC_*, GLIBC_TUNABLES) pass through, e.g. the unit's
# MALLOC_ARENA_MAX=2 (decision 0113).
env.update({k: v for k, v in os.environ.items() if k.startswith(("DOTNET_", "MALLOC_", "GLIBC_TUNABLES"))})
p = subprocess.Popen([binary, "serve", "--data-dir", work + "/data", "--listen", f"127.0.0.1:{port}"], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
while not ready(port):
    if p.poll() is not None: sys.exit("exited")
    time.sleep(0.005)
time.sleep(10)
kinds = collections.Counter(); cur = None
for l in open(f"/proc/{p.pid}/smaps"):
    f = l.split()
    if '-' in f[0] and len(f) >= 5 and not f[0].endswith(':'):
        path = f[5] if len(f) > 5 else '[anon]'
        cur = os.path.basename(path) if not path.startswith('[') else path
        if 'memfd:doublemapper' in l: cur = 'doublemapper (JIT code)'
    elif f[0] == 'Rss:':
        kinds[cur] += int(f[1])
tot = sum(kinds.values())
print(f"RSS {tot/1024:.1f} MiB")
for k, v in kinds.most_common(15): print(f"{v/1024:8.1f} MiB  {k}")
if len(sys.argv) > 2:
    subprocess.run([os.path.expanduser("~/.dotnet/tools/dotnet-gcdump"), "collect", "-p", str(p.pid), "-o", os.path.join(work, "idle.gcdump")], capture_output=True)
    r = subprocess.run([os.path.expanduser("~/.dotnet/tools/dotnet-gcdump"), "report", os.path.join(work, "idle.gcdump")], capture_output=True, text=True)
    print("\n".join(r.stdout.splitlines()[:30]))
p.terminate(); p.wait(30); shutil.rmtree(work)
