using System.Text;
using Appliance.Storage.Files;

namespace Appliance.Storage.Audit;

/// <summary>
/// Appends records to the audit folder. Safe across processes (the service and a CLI verb may both record): each
/// append holds an exclusive lock on <c>audit.lock</c>, reads the current file's last line for the sequence number
/// and hash, writes one line with one write call and fsyncs it.
/// Rotation: when the current file has reached <c>maxFileBytes</c>, its end is anchored in the database first,
/// then the next number is started; its first line's <c>prev</c> is the closed file's last hash. A crash between the
/// two steps only repeats the (idempotent) anchor at the next append. A writer without an anchor store (a CLI verb
/// that has no database open) never rotates: it keeps appending to the current file.
/// A torn last line (a crash cut a write short) is never appended to: the writer ends it with a newline and writes
/// an <c>audit.torn-line</c> record naming it, chained to the last complete line, so verify can tell a crash from an edit.
/// </summary>
public sealed class AuditLogWriter : IAuditSink
{
    public const long DefaultMaxFileBytes = 10 * 1024 * 1024;
    public const string TornLineAction = "audit.torn-line";

    private static readonly TimeSpan LockWait = TimeSpan.FromSeconds(10);

    private readonly string _folder;
    private readonly TimeProvider _time;
    private readonly AuditAnchorStore? _anchors;
    private readonly long _maxFileBytes;
    private readonly Lock _gate = new();

    // The current file's tail as this writer left it; reused while the file still has exactly that length (no other
    // process appended since), so an append does not re-read a large file.
    private (string Path, long Length, Tail Tail)? _cached;

    public AuditLogWriter(string folder, TimeProvider time, AuditAnchorStore? anchors, long maxFileBytes = DefaultMaxFileBytes)
    {
        ArgumentException.ThrowIfNullOrEmpty(folder);
        ArgumentNullException.ThrowIfNull(time);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxFileBytes, 1);
        _folder = folder;
        _time = time;
        _anchors = anchors;
        _maxFileBytes = maxFileBytes;
    }

    public string Folder => _folder;

    /// <summary>Raised after a file was closed and anchored (for the journal).</summary>
    public event Action<AuditAnchor>? Rotated;

    public AuditRecord Append(AuditEntry entry)
    {
        ArgumentNullException.ThrowIfNull(entry);
        lock (_gate)
        {
            SecureFiles.EnsureDirectory(_folder);
            using var fileLock = AcquireLock();
            var files = AuditLogFiles.List(_folder);
            var (number, path) = files.Count > 0 ? files[^1] : (1, Path.Combine(_folder, AuditLogFiles.NameOf(1)));
            var tail = _cached is { } c && c.Path == path && File.Exists(path) && new FileInfo(path).Length == c.Length
                ? c.Tail
                : Tail.Read(path, files.Count > 1 ? files[^2].Path : null);

            if (tail.Torn is { } tornLine)
            {
                AppendLine(path, "\n");
                var sealRecord = AuditRecord.Create(tail.LastSeq + 1, _time.GetUtcNow(),
                    new AuditEntry("system", TornLineAction, Path.GetFileName(path) + ":" + tornLine, "sealed"), tail.LastHash);
                AppendLine(path, sealRecord.Line + "\n");
                tail = tail with { LastSeq = sealRecord.Record.Seq, LastHash = sealRecord.Record.Hash, FirstSeq = tail.FirstSeq ?? sealRecord.Record.Seq, Torn = null };
            }

            if (_anchors is not null && tail.FirstSeq is { } first && new FileInfo(path).Length >= _maxFileBytes)
            {
                var anchor = new AuditAnchor(Path.GetFileName(path), first, tail.LastSeq, tail.LastHash, _time.GetUtcNow());
                try
                {
                    _anchors.Add(anchor);
                }
                catch (Microsoft.Data.Sqlite.SqliteException e)
                {
                    // Not rotated: the current file keeps growing until an anchor can be written.
                    throw new IOException("could not anchor " + anchor.FileName + " in the database: " + e.Message, e);
                }

                Rotated?.Invoke(anchor);
                number++;
                path = Path.Combine(_folder, AuditLogFiles.NameOf(number));
                tail = tail with { FirstSeq = null };
            }

            var (record, line) = AuditRecord.Create(tail.LastSeq + 1, _time.GetUtcNow(), entry, tail.LastHash);
            AppendLine(path, line + "\n");
            _cached = (path, new FileInfo(path).Length, new Tail(tail.FirstSeq ?? record.Seq, record.Seq, record.Hash, null));
            return record;
        }
    }

    private static void AppendLine(string path, string text)
    {
        var created = !File.Exists(path);
        using (var stream = SecureFiles.Open(path, FileMode.Append, FileAccess.Write, FileShare.ReadWrite))
        {
            var bytes = Encoding.UTF8.GetBytes(text);
            stream.Write(bytes);
            stream.Flush(flushToDisk: true);
        }

        if (created)
        {
            SyncDirectory(Path.GetDirectoryName(path)!);
        }
    }

    // A new file's directory entry must be durable too, or a power cut could lose the file that continues the chain.
    private static void SyncDirectory(string folder)
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        try
        {
            using var handle = File.OpenHandle(folder, FileMode.Open, FileAccess.Read);
            RandomAccess.FlushToDisk(handle);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Some file systems refuse fsync on a directory; the file's own fsync still happened.
        }
    }

    private FileStream AcquireLock()
    {
        var path = Path.Combine(_folder, AuditLogFiles.LockFileName);
        var deadline = DateTime.UtcNow + LockWait;
        while (true)
        {
            try
            {
                // FileShare.None is an exclusive flock on Unix: another process (or another writer) waits here.
                return SecureFiles.Open(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
            }
            catch (IOException) when (DateTime.UtcNow < deadline)
            {
                Thread.Sleep(10);
            }
        }
    }

    /// <summary>What an append needs to know about the current file.</summary>
    private sealed record Tail(long? FirstSeq, long LastSeq, string LastHash, int? Torn)
    {
        public static Tail Read(string path, string? previousPath)
        {
            if (!File.Exists(path) || new FileInfo(path).Length == 0)
            {
                // A new file (or one created just before a crash): the chain continues from the previous file.
                if (previousPath is not null && LastRecord(previousPath) is { } last)
                {
                    return new Tail(null, last.Seq, last.Hash, null);
                }

                return new Tail(null, 0, AuditRecord.Genesis, null);
            }

            long? first = null;
            AuditRecord? lastComplete = null;
            int? torn = null;
            foreach (var (number, text, terminated) in AuditLogFiles.Lines(path))
            {
                if (!terminated)
                {
                    torn = number;
                    break;
                }

                if (AuditRecord.TryParse(text, out _) is { } record)
                {
                    first ??= record.Seq;
                    lastComplete = record;
                }
            }

            if (lastComplete is null)
            {
                var before = previousPath is not null ? LastRecord(previousPath) : null;
                return new Tail(null, before?.Seq ?? 0, before?.Hash ?? AuditRecord.Genesis, torn);
            }

            return new Tail(first, lastComplete.Seq, lastComplete.Hash, torn);
        }

        private static AuditRecord? LastRecord(string path) =>
            AuditLogFiles.Lines(path).Where(l => l.Terminated).Select(l => AuditRecord.TryParse(l.Text, out _)).LastOrDefault(r => r is not null);
    }
}
