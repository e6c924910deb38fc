using Appliance.Hosting.Audit;
using Appliance.Hosting.Configuration;
using Appliance.Hosting.Policy;
using Appliance.Hosting.Systemd;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Appliance.Hosting.Identity;

/// <summary>
/// Keeps the live identity (<see cref="Current"/>, an immutable snapshot) in step with the identity file: read at
/// start, on SIGHUP and, with identity.reload, when the file changes. A file that does not parse or validate is
/// logged with line and column and the last good snapshot stays; a good one is applied to the tailnet through
/// <see cref="IIdentityStateWriter"/> (people not listed lose their login) and then swapped in.
/// Registered before the policy service so groups from the file exist when the policy first compiles.
/// </summary>
public sealed partial class IdentityFileService : IHostedService, IDisposable
{
    private const long MaxFileBytes = 16 * 1024 * 1024;

    private readonly IdentityOptions _options;
    private readonly IIdentityStateWriter _writer;
    private readonly ReloadSignal _signal;
    private readonly TimeProvider _time;
    private readonly ILogger<IdentityFileService> _logger;
    private readonly AuditTrail? _audit;
    private readonly Lock _gate = new();
    private DebouncedFileWatcher? _watcher;
    private IdentityDocument _current = IdentityDocument.Empty;

    /// <param name="audit">Where reloads are recorded (docs/ops/audit.md, action identity.reload); null in hosts without an audit log.</param>
    public IdentityFileService(IdentityOptions options, IIdentityStateWriter writer, ReloadSignal signal, TimeProvider time, ILogger<IdentityFileService> logger, AuditTrail? audit = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options;
        _writer = writer;
        _signal = signal;
        _time = time;
        _logger = logger;
        _audit = audit;
        FilePath = Path.GetFullPath(options.File);
    }

    public string FilePath { get; }

    /// <summary>True once a file was loaded: the login page only serves people from a loaded file.</summary>
    public bool Loaded { get; private set; }

    public IdentityDocument Current => Volatile.Read(ref _current);

    /// <summary>Set by the last reload that failed (null after a good one): what the operator must fix.</summary>
    public string? LastError { get; private set; }

    public Task StartAsync(CancellationToken cancellationToken)
    {
        Reload("start");
        _signal.Requested += OnSignal;
        if (_options.Reload && Directory.Exists(Path.GetDirectoryName(FilePath)))
        {
            _watcher = new DebouncedFileWatcher(FilePath, TimeSpan.FromMilliseconds(300), _time, () => Reload("file change"));
        }

        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken)
    {
        _signal.Requested -= OnSignal;
        return Task.CompletedTask;
    }

    public void Dispose()
    {
        _signal.Requested -= OnSignal;
        _watcher?.Dispose();
    }

    /// <summary>Reads, validates and applies the file; false (and the previous identity kept) when it cannot be used.</summary>
    /// <param name="trigger">What asked for the reload, for the audit log: start, SIGHUP, file change, update content.</param>
    public bool Reload(string trigger = "request")
    {
        lock (_gate)
        {
            try
            {
                if (!File.Exists(FilePath))
                {
                    if (Loaded)
                    {
                        // Deleting the whole file is not "remove everybody": keep the last good identity and say so.
                        LastError = "the identity file is gone; keeping the last good identity";
                        LogRejected(_logger, FilePath, LastError);
                        Record(trigger, "refused: " + LastError);
                    }
                    else
                    {
                        LogAbsent(_logger, FilePath);
                    }

                    return false;
                }

                var text = ReadBounded(FilePath);
                var document = IdentityFileParser.Parse(text);
                var result = _writer.ApplyPeople([.. document.People.Select(p => p.ToEntry())], _options.ExpireNodesOnRemoval);
                Volatile.Write(ref _current, document);
                Loaded = true;
                LastError = null;
                var changes = result.ToString();
                LogApplied(_logger, FilePath, document.People.Count, changes);
                var disabled = result.NewlyDisabled.Count == 0 ? "" : "; login removed: " + string.Join(", ", result.NewlyDisabled.Select(u => u.Name));
                Record(trigger, $"ok: {document.People.Count} people ({changes}{disabled})");
                foreach (var user in result.NewlyDisabled)
                {
                    LogDisabled(_logger, user.Name, _options.ExpireNodesOnRemoval);
                }

                return true;
            }
            catch (IdentityFileException e)
            {
                LastError = e.Message;
                LogRejected(_logger, FilePath, e.Message);
                Record(trigger, "refused: " + e.Message);
                return false;
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or InvalidOperationException)
            {
                // InvalidOperationException: the database refused the people (full, read-only); the apply was one
                // transaction, so nothing was changed and the last good identity is still the one in force.
                LastError = e.Message;
                LogRejected(_logger, FilePath, e.Message);
                Record(trigger, "refused: " + e.Message);
                return false;
            }
        }
    }

    private static string ReadBounded(string path)
    {
        var info = new FileInfo(path);
        if (info.Length > MaxFileBytes)
        {
            throw new IdentityFileException(1, 1, $"the identity file is larger than {MaxFileBytes} bytes");
        }

        return File.ReadAllText(path);
    }

    private void OnSignal(object? sender, EventArgs e) => ThreadPool.QueueUserWorkItem(_ => Reload("SIGHUP"));

    // The appliance reloads on its own (start, SIGHUP, file watcher), so the actor is "system"; what changed (people
    // added, disabled) is in the result, since the file does not say who edited it.
    private void Record(string trigger, string result) =>
        _audit?.Record(AuditActor.SystemActor, "identity.reload", trigger + ": " + FilePath, result);

    [LoggerMessage(EventId = 1400, Level = LogLevel.Information, Message = "Identity file {Path} applied: {People} people ({Changes})")]
    private static partial void LogApplied(ILogger logger, string path, int people, string changes);

    [LoggerMessage(EventId = 1401, Level = LogLevel.Error, Message = "Identity file {Path} refused, keeping the last good identity: {Reason}")]
    private static partial void LogRejected(ILogger logger, string path, string reason);

    [LoggerMessage(EventId = 1402, Level = LogLevel.Information, Message = "No identity file at {Path}: logins from the login page are off")]
    private static partial void LogAbsent(ILogger logger, string path);

    [LoggerMessage(EventId = 1403, Level = LogLevel.Warning, Message = "{User} is disabled or no longer in the identity file: login refused from now on (nodes expired: {Expired})")]
    private static partial void LogDisabled(ILogger logger, string user, bool expired);
}
