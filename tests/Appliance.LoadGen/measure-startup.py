#!/usr/bin/env python3
"""Exec-to-/ready time and idle RSS of an appliance executable (docs/benchmarks.md, "Start-up and idle footprint").

usage: measure-startup.py APPLIANCE_BIN [ROUNDS] [NAME=VALUE ...]   (extra environment, e.g. DOTNET_gcConcurrent=0)
Each round starts `APPLIANCE_BIN serve` on a free loopback port with an empty data folder (first start) and then again
on the same folder (existing data), polls GET /ready every 2 ms, then reads VmRSS from /proc after 10 s idle.
"CPU to ready" is the process's user + system CPU when /ready first answered 200 (/proc/PID/stat): unlike the wall
time it is hardly inflated by other processes competing for the cores, so it compares builds on a loaded machine.
"""
import http.client, os, shutil, socket, subprocess, sys, tempfile, time

def free_port():
    s = socket.socket(); s.bind(("127.0.0.1", 0)); port = s.getsockname()[1]; s.close(); return port

def ready(port):
    try:
        c = http.client.HTTPConnection("127.0.0.1", port, timeout=1); c.request("GET", "/ready")
        return c.getresponse().status == 200
    except OSError:
        return False

def rss_kb(pid):
    with open(f"/proc/{pid}/status") as f:
        return next(int(l.split()[1]) for l in f if l.startswith("VmRSS:"))

def cpu_ms(pid):
    # Fields after the command name's ')': utime is the 14th field of the line, stime the 15th, in USER_HZ (1/100 s).
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) * 10

def once(binary, data):
    port = free_port()
    env = {"PATH": os.environ.get("PATH", ""), "HOME": os.environ.get("HOME", "/root"), "APPLIANCE_LOG_FILE": "off",
           "APPLIANCE_HTTPS_LISTEN": "127.0.0.1:0", "APPLIANCE_DERP_STUN_LISTEN": "127.0.0.1:0", "APPLIANCE_METRICS_LISTEN": "127.0.0.1:0",
           "APPLIANCE_BACKUP_INTERVAL": "0", "APPLIANCE_BACKUP_VERIFY_INTERVAL": "0", **extra}
    start = time.monotonic()
    p = subprocess.Popen([binary, "serve", "--data-dir", data, "--listen", f"127.0.0.1:{port}"], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        while not ready(port):
            if p.poll() is not None or time.monotonic() - start > 300:
                raise SystemExit(f"serve exited or not ready (exit {p.poll()})")
            time.sleep(0.002)
        ms = (time.monotonic() - start) * 1000
        cpu = cpu_ms(p.pid)
        time.sleep(10)
        return ms, cpu, rss_kb(p.pid)
    finally:
        p.terminate(); p.wait(30)

binary, rounds = sys.argv[1], int(sys.argv[2]) if len(sys.argv) > 2 else 3
extra = dict(a.split("=", 1) for a in sys.argv[3:])
for r in range(rounds):
    work = tempfile.mkdtemp()
    try:
        for kind in ("fresh", "existing"):
            ms, cpu, kb = once(binary, os.path.join(work, "data"))
            print(f"{' '.join(sys.argv[3:]) or 'defaults'}: round {r} {kind:8} ready {ms:7.0f} ms  CPU to ready {cpu:5d} ms  idle RSS {kb / 1024:6.1f} MiB  loadavg {open('/proc/loadavg').read().split()[0]}", flush=True)
    finally:
        shutil.rmtree(work)
