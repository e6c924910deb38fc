# perf-split.py OUTDIR PID: names the samples of profile-registration-window.sh's perf record. The runtime keeps JIT
# code in a memfd mapped twice (W^X), which perf does not resolve through /tmp/perf-PID.map, so this maps each
# memfd offset back to its executable address (the r-x MMAP2 events) and looks it up in the perf map; then it prints
# the top leaf frames and each sample's first matching bucket (a name found anywhere in its call chain). A third
# argument "derp" picks the relay's buckets (profile-derp.sh).
import re, sys, bisect, collections
d = sys.argv[1]; pid = sys.argv[2]
maps = []
for line in open(f'{d}/mmaps.txt'):
    m = re.search(r'\[0x([0-9a-f]+)\(0x([0-9a-f]+)\) @ (0x[0-9a-f]+|0) .*\]: r-x. /memfd:doublemapper', line)
    if m:
        maps.append((int(m.group(3), 16), int(m.group(2), 16), int(m.group(1), 16)))
maps.sort()
syms = []
for line in open(f'{d}/perf-{pid}.map'):
    a, l, name = line.rstrip('\n').split(' ', 2)
    syms.append((int(a, 16), int(l, 16), name))
syms.sort()
starts = [s[0] for s in syms]
def sym(addr):
    i = bisect.bisect_right(starts, addr) - 1
    if i >= 0 and addr < syms[i][0] + syms[i][1]:
        return syms[i][2]
    return None
def memfd(off):
    for pg, ln, st in maps:
        if pg <= off < pg + ln:
            return st + off - pg
    return None
samples = []
cur = []
for line in open(f'{d}/chains.txt'):
    line = line.strip()
    if not line:
        if cur: samples.append(cur)
        cur = []
        continue
    ip, dso = line.split(' ', 1)
    a = int(ip, 16)
    if 'doublemapper' in dso:
        ab = memfd(a); s = sym(ab) if ab else None
        cur.append(s or 'jit?')
    elif 'perf-' in dso:
        cur.append(sym(a) or 'stub?')
    elif 'kernel' in dso:
        cur.append('[kernel]')
    else:
        cur.append(dso.strip('()').split('/')[-1])
if cur: samples.append(cur)
n = len(samples)
print('samples', n)
leaf = collections.Counter(s[0] for s in samples)
print('--- top leaf frames')
for k, v in leaf.most_common(40): print(f'{100*v/n:5.1f}% {k[:150]}')
buckets = [
 ('full map: FullFramed/PeerBlock/zstd', ['FullFramed', 'FramePooled', 'PeerBlockCache']),
 ('delta build/encode (hub CatchUp, OutgoingMessage)', ['CatchUpLocked', 'OutgoingMessage', 'MapBuilder.Delta', 'MapBuilder.PolicyDelta']),
 ('fan-out loop (hub FanOut)', ['MapStreamHub.FanOut']),
 ('Noise encrypt/decrypt + NoiseStream', ['NoiseStream', 'ChaCha', 'NoiseCipherState']),
 ('Noise handshake/upgrade', ['NoiseUpgradeHandler', 'NoiseResponder', 'IkHandshake', 'X25519', 'NoiseServerKey']),
 ('registration (RegistrationFlow/Register)', ['RegistrationFlow', 'RegisterHandler', 'ControlCoordinator.Register']),
 ('map request apply / connect / disconnect', ['ApplyMapRequest', 'ControlCoordinator.Connect', 'ControlCoordinator.Disconnect']),
 ('map stream writer (MapHandler loop)', ['MapHandler', 'MapSession']),
 ('Kestrel HTTP/2', ['Http2']),
 ('Kestrel HTTP/1 / sockets', ['Http1', 'Sockets', 'SocketConnection', 'SocketSender', 'SocketAwaitable']),
 ('Pipelines', ['System.IO.Pipelines']),
 ('metrics/OpenTelemetry', ['OpenTelemetry', 'System.Diagnostics.Metrics']),
 ('SQLite/storage', ['Sqlite', 'Appliance.Storage']),
 ('threadpool/other managed', ['System.Threading']),
]
if len(sys.argv) > 3 and sys.argv[3] == 'derp':
    # profile-derp.sh: the relay's packet path (Appliance.Derp) and what carries its bytes.
    buckets = [
     ('relay read loop: frames gathered per destination (DerpConnection.Read/Batch)', ['DerpConnection+<ReadLoopAsync>', 'DerpConnection::HandleFrame', 'DerpConnection::HandleSendPacket', 'DerpConnection::TryGather', 'DerpConnection::FindBatch', 'DerpConnection::FlushBatches']),
     ('relay write loop (DerpConnection.WriteLoop)', ['DerpConnection+<WriteLoopAsync>']),
     ('relay enqueue (channel, buffer pools)', ['DerpConnection::EnqueueBatch', 'Channels', 'ArrayPool', 'RelayBufferPool']),
     ('Kestrel sockets (SocketConnection, SocketSender, IOQueue)', ['Sockets', 'SocketConnection', 'SocketSender', 'SocketAwaitable', 'IOQueue']),
     ('Pipelines', ['System.IO.Pipelines']),
     ('threadpool/other managed', ['System.Threading']),
    ]
if len(sys.argv) > 3 and sys.argv[3] == 'gen':
    # profile-change-rounds.sh: the load generator's side of a change (decode and count peers per message).
    buckets = [
     ('light node: scan map message (LightMapScanner/LightNode)', ['LightMapScanner', 'LightNode']),
     ('full node: decode/apply netmap (FullNode, JSON)', ['FullNode', 'System.Text.Json']),
     ('zstd decompress', ['ZstdSharp', 'Zstd']),
     ('Noise decrypt + NoiseStream', ['NoiseStream', 'ChaCha', 'NoiseCipherState']),
     ('probe bookkeeping (Probe)', ['Probe']),
     ('HTTP/2 client (SocketsHttpHandler)', ['Http2', 'System.Net.Http']),
     ('sockets', ['Sockets', 'SocketAsyncEngine', 'SocketAsyncContext']),
     ('Pipelines', ['System.IO.Pipelines']),
     ('threadpool/other managed', ['System.Threading']),
    ]
inc = collections.Counter()
for s in samples:
    names = ' | '.join(s)
    for b, keys in buckets:
        if any(k in names for k in keys):
            inc[b] += 1
            break
    else:
        inc['unattributed: ' + (s[0] if s[0] in ('[kernel]','appliance','libcrypto.so.3','libc.so.6','libclrjit.so','libcoreclr.so') else 'managed/other')] += 1
print('--- first-matching bucket (priority order), share of all samples')
for b, v in inc.most_common(): print(f'{100*v/n:5.1f}% {b}')
