#!/usr/bin/env python3
"""Where a running process's resident memory is, by kind of mapping (docs/benchmarks.md, "Issue 16, mem helper (session 7)").

usage: memory-split.py PID [--blocks N]
Reads /proc/PID/smaps and names each anonymous mapping by its shape and its neighbours:
- "GC heap": a read-write mapping in the run of adjacent mappings that holds the collector's reservation (one
  anonymous mapping of more than 16 GiB virtual: with regions the GC reserves its range up front and commits pieces);
- "glibc arena": a read-write mapping that starts at a 64 MiB boundary outside the GC's range (a heap of a non-main
  malloc arena: glibc maps them aligned to HEAP_MAX_SIZE, 64 MiB on 64-bit, malloc/arena.c new_heap);
- "thread stack": a PROT_NONE guard page directly below a read-write mapping of 256 KiB or more (what pthread_create
  maps; the runtime gives its threads 1.5 MiB);
- "sodium guarded": a read-write mapping of at most 64 KiB between PROT_NONE pages (libsodium's sodium_malloc);
- "[heap]" (brk, glibc's main arena), "doublemapper (JIT code)", "/dev/zero", and file-backed images by file name.
Prints RSS and count per kind, and with --blocks N the N largest anonymous mappings, so a kind the heuristics miss
still shows up. Run it against an idle and a loaded server and subtract.
"""
import os, sys, collections

def mappings(pid):
    cur = None
    for line in open(f"/proc/{pid}/smaps"):
        f = line.split()
        if not f[0].endswith(':') and '-' in f[0] and len(f) >= 5:
            lo, hi = (int(x, 16) for x in f[0].split('-'))
            cur = {"lo": lo, "hi": hi, "perm": f[1], "path": " ".join(f[5:]) if len(f) > 5 else "", "rss": 0}
            yield cur
        elif f[0] == 'Rss:' and cur is not None:
            cur["rss"] = int(f[1])

def kind_of_file(path):
    if 'doublemapper' in path: return 'doublemapper (JIT code)'
    if path.startswith('/dev/zero'): return '/dev/zero'
    if path.startswith('['): return path
    return os.path.basename(path.split(' (deleted)')[0])

def runs(anon):
    run = []
    for m in anon:
        if run and m["lo"] != run[-1]["hi"]:
            yield run; run = []
        run.append(m)
    if run: yield run

def classify_run(run):
    """Names each mapping of a run of address-adjacent anonymous mappings (see the module comment)."""
    gc = any(m["hi"] - m["lo"] > 16 << 30 for m in run)
    names = ["other anonymous"] * len(run)
    for i, m in enumerate(run):
        size = m["hi"] - m["lo"]
        prev = run[i - 1] if i > 0 else None
        nxt = run[i + 1] if i + 1 < len(run) else None
        if not m["perm"].startswith("rw"):
            names[i] = "(reserved)"
        elif m["lo"] % (64 << 20) == 0 and not gc:
            names[i] = "glibc arena"
        elif prev and prev["perm"].startswith("---") and prev["hi"] - prev["lo"] <= 64 << 10 and size >= 256 << 10:
            names[i] = "thread stack"
        elif gc:
            names[i] = "GC heap"
        elif size <= 64 << 10 and prev and nxt and prev["perm"].startswith("---") and nxt["perm"].startswith("---"):
            names[i] = "sodium guarded"
    return names

def main():
    pid = int(sys.argv[1])
    show = int(sys.argv[sys.argv.index('--blocks') + 1]) if '--blocks' in sys.argv else 0
    maps = list(mappings(pid))
    kinds = collections.Counter(); counts = collections.Counter()
    anon = [m for m in maps if m["path"] == ""]
    for m in maps:
        if m["path"]:
            k = kind_of_file(m["path"]); kinds[k] += m["rss"]; counts[k] += 1
    named = []
    for run in runs(anon):
        for m, k in zip(run, classify_run(run)):
            kinds[k] += m["rss"]; counts[k] += 1; named.append((m, k))
    total = sum(kinds.values())
    threads = len(os.listdir(f"/proc/{pid}/task"))
    print(f"RSS {total/1024:.1f} MiB, {threads} threads, {len(maps)} mappings")
    for k, v in kinds.most_common(20):
        print(f"{v/1024:9.1f} MiB  {counts[k]:5d}  {k}")
    if show:
        print("largest anonymous mappings (RSS KiB, virtual KiB, kind, address):")
        for m, k in sorted(named, key=lambda t: -t[0]["rss"])[:show]:
            print(f'{m["rss"]:9d} {(m["hi"]-m["lo"])>>10:12d}  {k:16s} {hex(m["lo"])}')

main()
