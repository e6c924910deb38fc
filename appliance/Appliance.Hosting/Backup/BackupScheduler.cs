using System.Text.Json;
using Appliance.Hosting.Audit;
using Appliance.Hosting.Configuration;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Appliance.Hosting.Backup;

/// <summary>
/// The schedule in `serve`: a backup every `backup.interval` (at once when there is none yet, or the newest is older
/// than the interval), pruning to `backup.keep` after each success, and a restore drill of the newest archive every
/// `backup.verify_interval`. Results feed <see cref="BackupStatus"/> (the metrics and alerts) and the log. A failed
/// attempt is retried after <see cref="RetryAfter"/>; nothing here can stop the server. Each backup and drill, done or
/// failed, is an audit record by "system" (docs/ops/audit.md) when the host keeps an audit log.
/// </summary>
public sealed partial class BackupScheduler(BackupSources sources, BackupOptions options, BackupStatus status, TimeProvider time, ILogger<BackupScheduler> logger, AuditTrail? audit = null)
    : BackgroundService
{
    public const string VerifyStateFile = "verify-state.json";

    public static TimeSpan RetryAfter { get; } = TimeSpan.FromMinutes(10);

    /// <summary>What the scheduled drill of an encrypted archive checked, for the audit record and `backup verify`.</summary>
    public const string EncryptedDrillNote = "encrypted archive checked without the key (age header, recipient stanza, whole sealed chunks); restoring it needs --identity";

    private DateTimeOffset _backupRetry = DateTimeOffset.MinValue;
    private DateTimeOffset _verifyRetry = DateTimeOffset.MinValue;

    /// <summary>Takes one backup now (as the schedule does) and prunes; returns the archive, or null when it failed.</summary>
    public async Task<string?> BackupOnceAsync()
    {
        try
        {
            var archive = await Task.Run(() => BackupWriter.Create(sources, time.GetUtcNow())).ConfigureAwait(false);
            status.BackupSucceeded(BackupArchives.TakenAt(archive) ?? time.GetUtcNow());
            var pruned = BackupArchives.Prune(sources.BackupDir, options.Keep);
            Log.BackupTaken(logger, archive, pruned.Count);
            audit?.Record(AuditActor.SystemActor, "backup.create", archive, pruned.Count == 0 ? "ok" : $"ok: {pruned.Count} older archive(s) pruned");
            return archive;
        }
        catch (Exception exception) when (exception is BackupException or IOException or UnauthorizedAccessException)
        {
            status.BackupFailed();
            Log.BackupFailed(logger, exception.Message);
            audit?.Record(AuditActor.SystemActor, "backup.create", sources.BackupDir, "failed: " + exception.Message);
            return null;
        }
    }

    /// <summary>Restore-drills the newest archive now; true when it restored with the same nodes, users and policy.</summary>
    public async Task<bool> VerifyOnceAsync(CancellationToken cancellationToken = default)
    {
        if (BackupArchives.Newest(sources.BackupDir) is not { } archive)
        {
            return false;
        }

        try
        {
            // An encrypted archive cannot be restored here (the box holds only the public key): the drill is the check
            // that needs no key; the full drill is `backup verify --identity` where the key is (docs/ops/backups.md).
            var encrypted = BackupArchives.IsEncrypted(archive);
            var differences = encrypted
                ? Encryption.AgeFile.CheckWithoutKey(archive)
                : await BackupDrill.VerifyAsync(archive, cancellationToken: cancellationToken).ConfigureAwait(false);
            if (differences.Count == 0)
            {
                var at = time.GetUtcNow();
                status.VerifySucceeded(at);
                SaveVerifyState(new BackupVerifyState(at, Path.GetFileName(archive)));
                Log.VerifySucceeded(logger, archive);
                audit?.Record(AuditActor.SystemActor, "backup.verify", archive, encrypted ? "ok: " + EncryptedDrillNote : "ok");
                return true;
            }

            status.VerifyFailed();
            Log.VerifyFailed(logger, archive, string.Join("; ", differences));
            audit?.Record(AuditActor.SystemActor, "backup.verify", archive, "failed: " + string.Join("; ", differences));
            return false;
        }
        catch (Exception exception) when (exception is BackupException or IOException or UnauthorizedAccessException or InvalidOperationException or HttpRequestException)
        {
            status.VerifyFailed();
            Log.VerifyFailed(logger, archive, exception.Message);
            audit?.Record(AuditActor.SystemActor, "backup.verify", archive, "failed: " + exception.Message);
            return false;
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (options.Interval == TimeSpan.Zero && options.VerifyInterval == TimeSpan.Zero)
        {
            return;
        }

        Seed();
        while (!stoppingToken.IsCancellationRequested)
        {
            var now = time.GetUtcNow();
            var nextBackup = Next(options.Interval, status.LastBackupSuccess, _backupRetry);
            var nextVerify = BackupArchives.Newest(sources.BackupDir) is null ? DateTimeOffset.MaxValue : Next(options.VerifyInterval, status.LastVerifySuccess, _verifyRetry);
            if (nextBackup <= now)
            {
                if (await BackupOnceAsync().ConfigureAwait(false) is null)
                {
                    _backupRetry = now + RetryAfter;
                }

                continue;
            }

            if (nextVerify <= now)
            {
                if (!await VerifyOnceAsync(stoppingToken).ConfigureAwait(false))
                {
                    _verifyRetry = now + RetryAfter;
                }

                continue;
            }

            var wait = (nextBackup < nextVerify ? nextBackup : nextVerify) - now;
            try
            {
                await Task.Delay(wait > TimeSpan.FromHours(1) ? TimeSpan.FromHours(1) : wait, time, stoppingToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    private static DateTimeOffset Next(TimeSpan interval, DateTimeOffset? last, DateTimeOffset retry)
    {
        if (interval == TimeSpan.Zero)
        {
            return DateTimeOffset.MaxValue;
        }

        var due = last is { } at ? at + interval : DateTimeOffset.MinValue;
        return due > retry ? due : retry;
    }

    /// <summary>Reads what earlier runs achieved: the newest archive's time and the last successful drill.</summary>
    private void Seed()
    {
        if (BackupArchives.Newest(sources.BackupDir) is { } newest && BackupArchives.TakenAt(newest) is { } taken)
        {
            status.BackupSucceeded(taken);
        }

        try
        {
            var path = Path.Combine(sources.BackupDir, VerifyStateFile);
            if (File.Exists(path) && JsonSerializer.Deserialize(File.ReadAllBytes(path), BackupJsonContext.Default.BackupVerifyState) is { LastSuccess: { } last })
            {
                status.VerifySucceeded(last);
            }
        }
        catch (Exception exception) when (exception is IOException or JsonException or UnauthorizedAccessException)
        {
            Log.VerifyStateUnreadable(logger, exception.Message);
        }
    }

    private void SaveVerifyState(BackupVerifyState state)
    {
        var path = Path.Combine(sources.BackupDir, VerifyStateFile);
        var temporary = path + ".tmp";
        File.WriteAllBytes(temporary, JsonSerializer.SerializeToUtf8Bytes(state, BackupJsonContext.Default.BackupVerifyState));
        File.Move(temporary, path, overwrite: true);
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 6101, Level = LogLevel.Information, Message = "Backup written to {Archive} ({Pruned} older archive(s) pruned)")]
        public static partial void BackupTaken(ILogger logger, string archive, int pruned);

        [LoggerMessage(EventId = 6102, Level = LogLevel.Error, Message = "Scheduled backup failed: {Reason}")]
        public static partial void BackupFailed(ILogger logger, string reason);

        [LoggerMessage(EventId = 6103, Level = LogLevel.Information, Message = "Restore drill of {Archive} passed: a server started on the restored copy holds the same nodes, users and policy")]
        public static partial void VerifySucceeded(ILogger logger, string archive);

        [LoggerMessage(EventId = 6104, Level = LogLevel.Error, Message = "Restore drill of {Archive} failed: {Reason}")]
        public static partial void VerifyFailed(ILogger logger, string archive, string reason);

        [LoggerMessage(EventId = 6105, Level = LogLevel.Warning, Message = "The last restore drill's record cannot be read ({Reason}); the next drill runs now")]
        public static partial void VerifyStateUnreadable(ILogger logger, string reason);
    }
}
