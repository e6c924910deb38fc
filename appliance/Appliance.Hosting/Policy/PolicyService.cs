using Appliance.Hosting.Admin;
using Appliance.Hosting.Configuration;
using Appliance.Hosting.Systemd;
using Appliance.State.Coordinator;
using Appliance.State.Identity;
using Appliance.State.Policy;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Appliance.Hosting.Policy;

/// <summary>
/// Keeps the coordinator's policy in step with its source, and is the running service's policy admin.
///
/// Where the policy comes from (precedence):
///   1. `policy.file`, when set: that file is the policy. Admin/CLI `policy set` is refused (edit the file).
///   2. Otherwise the newest version in the database. An updates content bundle's policy
///      (`&lt;data&gt;/updates/content/policy.hujson`) is imported into the database as a new version the first time
///      the service sees that text (at start, on SIGHUP or when the `content` link changes), so whichever came
///      last, a content import or `appliance policy set`, is live.
///   3. No policy anywhere: allow-all (Headscale's and Tailscale's default).
///
/// Reloads (file change with policy.reload, SIGHUP, content change) re-read the source. A text that fails to
/// parse, validate or pass its tests is logged with line, column and reason and the previous policy stays live.
/// Every accepted text is recorded in the version history, except when it equals the newest version already.
/// </summary>
public sealed partial class PolicyService : IHostedService, IPolicyAdministration, IDisposable
{
    /// <summary>What the service falls back to when no configured or stored policy compiles: nobody reaches anybody.</summary>
    public const string FailClosedText = "{\"acls\": []}";

    private readonly ControlCoordinator _coordinator;
    private readonly PolicyVersions _versions;
    private readonly PolicyOptions _options;
    private readonly ReloadSignal _signal;
    private readonly TimeProvider _time;
    private readonly ILogger<PolicyService> _logger;
    private readonly Lock _gate = new();
    private readonly List<IDisposable> _watchers = [];
    private PolicyDto? _live;

    public PolicyService(
        ControlCoordinator coordinator,
        PolicyVersions versions,
        PolicyOptions options,
        AppliancePaths paths,
        ReloadSignal signal,
        TimeProvider time,
        ILogger<PolicyService> logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(paths);
        _coordinator = coordinator;
        _versions = versions;
        _options = options;
        _signal = signal;
        _time = time;
        _logger = logger;
        FilePath = options.File.Length == 0 ? null : Path.GetFullPath(options.File);
        UpdatesRoot = Path.Combine(paths.DataDir, "updates");
        ContentPath = Path.Combine(UpdatesRoot, "content", "policy.hujson");
    }

    /// <summary>Debounce for file-change reloads: editors write a file in several steps.</summary>
    public TimeSpan Debounce { get; init; } = TimeSpan.FromMilliseconds(500);

    public string? FilePath { get; }

    public string UpdatesRoot { get; }

    public string ContentPath { get; }

    public Task StartAsync(CancellationToken cancellationToken)
    {
        if (Reload("start").Status is PolicyReloadStatus.Rejected or PolicyReloadStatus.Unreadable && _live is null)
        {
            FallBack();
        }

        _signal.Requested += OnSignal;
        var watched = FilePath ?? Path.Combine(UpdatesRoot, "content");
        if (_options.Reload && Directory.Exists(Path.GetDirectoryName(watched)))
        {
            _watchers.Add(new DebouncedFileWatcher(watched, Debounce, _time, () => Reload("file change")));
        }

        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken)
    {
        _signal.Requested -= OnSignal;
        DisposeWatchers();
        return Task.CompletedTask;
    }

    public void Dispose()
    {
        _signal.Requested -= OnSignal;
        DisposeWatchers();
    }

    /// <summary>Where reloads are recorded (docs/ops/audit.md); null in hosts without an audit log.</summary>
    public Audit.AuditTrail? Audit { get; init; }

    /// <summary>Re-reads the policy source and applies it if it changed; what SIGHUP and the watchers call.</summary>
    /// <param name="trigger">What asked for the reload, for the audit log: start, SIGHUP, file change.</param>
    public PolicyReloadOutcome Reload(string trigger = "request")
    {
        var outcome = ReloadOnce();
        if (outcome.Status != PolicyReloadStatus.Unchanged || trigger == "SIGHUP")
        {
            var result = outcome.Status switch
            {
                PolicyReloadStatus.Applied or PolicyReloadStatus.AllowAll or PolicyReloadStatus.Unchanged => "ok: " + outcome.Status.ToString().ToLowerInvariant(),
                _ => "refused (" + outcome.Status.ToString().ToLowerInvariant() + "): " + outcome.Errors,
            };
            Audit?.Record(Appliance.Hosting.Audit.AuditActor.SystemActor, "policy.reload", trigger + ": " + (FilePath ?? "database"), result);
        }

        return outcome;
    }

    private PolicyReloadOutcome ReloadOnce()
    {
        lock (_gate)
        {
            if (FilePath is not null)
            {
                string text;
                try
                {
                    text = PolicyText.ReadFile(FilePath);
                }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException)
                {
                    LogUnreadable(_logger, FilePath, e.Message);
                    return new PolicyReloadOutcome(PolicyReloadStatus.Unreadable, e.Message);
                }

                return ApplyLocked(text, "file:" + FilePath, record: true);
            }

            ImportContentLocked();
            if (_versions.Latest() is not { } latest)
            {
                if (_live is not null)
                {
                    _coordinator.ApplyPolicy(null);
                    _live = null;
                }

                return new PolicyReloadOutcome(PolicyReloadStatus.AllowAll, null);
            }

            return ApplyLocked(latest.Text, "database", record: false, latest);
        }
    }

    public OperationResult<PolicyDto> Current()
    {
        lock (_gate)
        {
            return _live is { } live ? OperationResult.Ok(live) : OperationResult.NotFound<PolicyDto>("no policy is set: every node may reach every other (allow-all)");
        }
    }

    public OperationResult<PolicyDto> Replace(string text, string origin)
    {
        ArgumentNullException.ThrowIfNull(text);
        lock (_gate)
        {
            if (FilePath is not null)
            {
                return OperationResult.Conflict<PolicyDto>(
                    $"the policy comes from policy.file ({FilePath}): edit that file instead, or remove policy.file from the configuration to keep the policy in the database");
            }

            // Persist first, apply second: a text that does not compile is refused before anything is written, and a
            // version the database refuses (Unavailable) leaves the live policy as it was.
            var check = _coordinator.CheckPolicy(text);
            if (!check.Success)
            {
                var errors = PolicyErrors.Format(check.Errors);
                LogRejected(_logger, origin, errors);
                return OperationResult.Invalid<PolicyDto>(errors);
            }

            var recorded = _versions.Record(text, origin);
            if (!recorded.IsOk)
            {
                return OperationResult.Failure<PolicyVersion, PolicyDto>(recorded);
            }

            var outcome = ApplyLocked(text, origin, record: false, recorded.Value);
            return outcome.Status is PolicyReloadStatus.Applied or PolicyReloadStatus.Unchanged
                ? OperationResult.Ok(_live!)
                : OperationResult.Invalid<PolicyDto>(outcome.Errors ?? "rejected");
        }
    }

    public OperationResult<PolicyCheckDto> Check(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var result = _coordinator.CheckPolicy(text);
        return result.Success
            ? OperationResult.Ok(new PolicyCheckDto(true, _coordinator.Snapshot.Nodes.Count))
            : OperationResult.Invalid<PolicyCheckDto>(PolicyErrors.Format(result.Errors));
    }

    private void OnSignal(object? sender, EventArgs e) => ThreadPool.QueueUserWorkItem(_ =>
    {
        try
        {
            Reload("SIGHUP");
        }
#pragma warning disable CA1031 // A reload runs on the thread pool: a fault is logged, never allowed to end the process.
        catch (Exception failure)
#pragma warning restore CA1031
        {
            LogReloadFailed(_logger, failure);
        }
    });

    /// <summary>Applies a text unless it is already live; records it as a version when asked.</summary>
    private PolicyReloadOutcome ApplyLocked(string text, string origin, bool record, PolicyVersion? stored = null)
    {
        var sha = PolicyText.Sha256(text);
        if (_live is { } live && live.Sha256 == sha && _coordinator.Snapshot.Policy.IsActive)
        {
            return new PolicyReloadOutcome(PolicyReloadStatus.Unchanged, null);
        }

        var applied = _coordinator.ApplyPolicy(new PolicySource(text, origin, stored?.Id, sha));
        if (!applied.Applied)
        {
            var errors = PolicyErrors.Format(applied.Errors);
            LogRejected(_logger, origin, errors);
            return new PolicyReloadOutcome(PolicyReloadStatus.Rejected, errors);
        }

        if (record)
        {
            stored = Record(text, origin, sha);
        }

        _live = new PolicyDto(text, stored?.Id, origin, sha, stored?.CreatedAt);
        LogApplied(_logger, origin, stored?.Id ?? 0, _coordinator.Snapshot.Nodes.Count);
        return new PolicyReloadOutcome(PolicyReloadStatus.Applied, null);
    }

    /// <summary>Appends a version unless the newest stored one has the same text; null (logged) when the database refuses.</summary>
    private PolicyVersion? Record(string text, string origin, string sha)
    {
        _ = sha;
        var recorded = _versions.Record(text, origin);
        if (!recorded.IsOk)
        {
            LogNotRecorded(_logger, origin, recorded.Error);
            return null;
        }

        return recorded.Value;
    }

    /// <summary>Imports the content bundle's policy once per distinct text; an invalid one is logged and skipped.</summary>
    private void ImportContentLocked()
    {
        string text;
        try
        {
            if (!File.Exists(ContentPath))
            {
                return;
            }

            text = PolicyText.ReadFile(ContentPath);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            LogUnreadable(_logger, ContentPath, e.Message);
            return;
        }

        var sha = PolicyText.Sha256(text);
        var origin = "content:" + ContentPath;
        if (_versions.List().LastOrDefault(v => v.Source == origin) is { } imported && imported.Sha256 == sha)
        {
            return;
        }

        var check = _coordinator.CheckPolicy(text);
        if (!check.Success)
        {
            LogRejected(_logger, origin, PolicyErrors.Format(check.Errors));
            return;
        }

        if (_versions.Append(text, origin) is { IsOk: false } refused)
        {
            LogNotRecorded(_logger, origin, refused.Error);
        }
    }

    /// <summary>
    /// At start, when the configured policy does not compile: the newest stored version that still compiles, else
    /// deny-all. Never allow-all: a broken policy must not open the tailnet.
    /// </summary>
    private void FallBack()
    {
        lock (_gate)
        {
            foreach (var version in _versions.List().Reverse())
            {
                if (ApplyLocked(version.Text, "database", record: false, version).Status == PolicyReloadStatus.Applied)
                {
                    LogFallback(_logger, version.Id);
                    return;
                }
            }

            ApplyLocked(FailClosedText, "fail-closed", record: false);
            LogFailClosed(_logger);
        }
    }

    private void DisposeWatchers()
    {
        foreach (var watcher in _watchers)
        {
            watcher.Dispose();
        }

        _watchers.Clear();
    }

    [LoggerMessage(EventId = 1301, Level = LogLevel.Information, Message = "Policy from {Origin} applied (version {Version}, {Nodes} nodes)")]
    private static partial void LogApplied(ILogger logger, string origin, long version, int nodes);

    [LoggerMessage(EventId = 1302, Level = LogLevel.Error, Message = "Policy from {Origin} rejected; the previous policy stays live:\n{Errors}")]
    private static partial void LogRejected(ILogger logger, string origin, string errors);

    [LoggerMessage(EventId = 1303, Level = LogLevel.Error, Message = "Policy file {Path} cannot be read; the previous policy stays live: {Reason}")]
    private static partial void LogUnreadable(ILogger logger, string path, string reason);

    [LoggerMessage(EventId = 1307, Level = LogLevel.Error, Message = "Policy reload failed; the previous policy stays live")]
    private static partial void LogReloadFailed(ILogger logger, Exception exception);

    [LoggerMessage(EventId = 1306, Level = LogLevel.Error, Message = "Policy from {Origin} could not be recorded in policy_versions: {Reason}")]
    private static partial void LogNotRecorded(ILogger logger, string origin, string reason);

    [LoggerMessage(EventId = 1304, Level = LogLevel.Warning, Message = "The configured policy was rejected at start; stored version {Version} is live instead")]
    private static partial void LogFallback(ILogger logger, long version);

    [LoggerMessage(EventId = 1305, Level = LogLevel.Critical, Message = "No configured or stored policy compiles: denying all traffic until a valid policy is set")]
    private static partial void LogFailClosed(ILogger logger);
}

public enum PolicyReloadStatus
{
    Applied,
    Unchanged,
    Rejected,
    Unreadable,

    /// <summary>No policy is configured anywhere: allow-all.</summary>
    AllowAll,
}

/// <summary>What a reload did; <see cref="Errors"/> holds LINE:COLUMN: reason lines when rejected.</summary>
public sealed record PolicyReloadOutcome(PolicyReloadStatus Status, string? Errors);
