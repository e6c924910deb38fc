using System.Security.Cryptography;
using Appliance.Hosting.Derp;
using Appliance.Hosting.Identity;
using Appliance.Hosting.Systemd;
using Appliance.State.Identity;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Appliance.Hosting.Content;

/// <summary>What one pass over the update content did: what was applied, and what was refused (previous kept).</summary>
public sealed record UpdateContentReport(IReadOnlyList<string> Applied, IReadOnlyList<string> Refused);

/// <summary>
/// Applies the update content (<c>&lt;data&gt;/updates/content</c>) to the running server at start and on every reload
/// (SIGHUP: <c>systemctl reload appliance</c>, which <c>appliance update import</c> sends after switching content):
/// derp-map.json becomes extra DERP regions, identity.json creates or updates users. ca-trust.pem is only checked
/// here; <c>appliance ca export</c> reads it. A file that does not load is refused and logged, and what it would have
/// replaced stays: the previous DERP map, the users as they are.
/// </summary>
public sealed partial class UpdateContentService(
    UpdateContentFiles files,
    EmbeddedDerpMapProvider derpMap,
    IdentityService? identity,
    ReloadSignal? reload,
    TimeProvider time,
    ILogger<UpdateContentService> logger,
    IdentityFileService? identityFile = null) : IHostedService
{
    private readonly Lock _gate = new();
    private byte[]? _appliedIdentityHash;
    private byte[]? _appliedIdentityFileHash;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        _ = Apply();
        if (reload is not null)
        {
            reload.Requested += OnReload;
        }

        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken)
    {
        if (reload is not null)
        {
            reload.Requested -= OnReload;
        }

        return Task.CompletedTask;
    }

    /// <summary>One pass over every content file. Serialised: a reload during a pass waits for it.</summary>
    public UpdateContentReport Apply()
    {
        lock (_gate)
        {
            var applied = new List<string>();
            var refused = new List<string>();
            ApplyDerpMap(applied, refused);
            ApplyIdentity(applied, refused);
            ReplaceIdentityFile(applied, refused);
            CheckCaTrust(applied, refused);
            foreach (var note in applied)
            {
                LogApplied(logger, note);
            }

            foreach (var problem in refused)
            {
                LogRefused(logger, problem);
            }

            return new UpdateContentReport(applied, refused);
        }
    }

    private void OnReload(object? sender, EventArgs e) => ThreadPool.QueueUserWorkItem(_ =>
    {
        try
        {
            Apply();
        }
#pragma warning disable CA1031 // Runs on the thread pool: a fault is logged, never allowed to end the process (issue 12).
        catch (Exception failure)
#pragma warning restore CA1031
        {
            LogRefused(logger, failure.Message);
        }
    });

    private void ApplyDerpMap(List<string> applied, List<string> refused)
    {
        if (derpMap.TryReload(out var error))
        {
            if (File.Exists(files.DerpMap))
            {
                applied.Add($"DERP map: {derpMap.Current.Regions?.Count ?? 0} region(s) including derp-map.json");
            }
        }
        else
        {
            refused.Add(error + "; the previous DERP map stays");
        }
    }

    private void ApplyIdentity(List<string> applied, List<string> refused)
    {
        if (identity is null || !File.Exists(files.Identity))
        {
            return;
        }

        try
        {
            var hash = SHA256.HashData(File.ReadAllBytes(files.Identity));
            if (_appliedIdentityHash is not null && hash.AsSpan().SequenceEqual(_appliedIdentityHash))
            {
                return;
            }

            var result = IdentityApplier.Apply(identity, IdentityFile.Load(files.Identity));
            _appliedIdentityHash = hash;
            applied.Add("identity.json: " + result);
        }
        catch (Exception exception) when (exception is InvalidDataException or IOException or InvalidOperationException)
        {
            refused.Add(exception.Message + "; users were not changed");
        }
    }

    /// <summary>
    /// identity.hujson in the content replaces identity.file through the same parser the service loads it with, and
    /// with the same atomic write and backup as `appliance users`; then the identity service applies it, so people
    /// the new file leaves out lose their login. A file that does not validate leaves identity.file untouched.
    /// </summary>
    private void ReplaceIdentityFile(List<string> applied, List<string> refused)
    {
        if (identityFile is null || !File.Exists(files.IdentityFile))
        {
            return;
        }

        try
        {
            var bytes = File.ReadAllBytes(files.IdentityFile);
            var hash = SHA256.HashData(bytes);
            if (_appliedIdentityFileHash is not null && hash.AsSpan().SequenceEqual(_appliedIdentityFileHash))
            {
                return;
            }

            var document = IdentityFileWriter.Replace(identityFile.FilePath, System.Text.Encoding.UTF8.GetString(bytes));
            _appliedIdentityFileHash = hash;
            if (!identityFile.Reload("update content"))
            {
                refused.Add($"identity.hujson was written to {identityFile.FilePath} but not applied: {identityFile.LastError}");
                return;
            }

            applied.Add($"identity.hujson: {document.People.Count} people now in {identityFile.FilePath} (previous version in {identityFile.FilePath}{IdentityFileWriter.BackupSuffix})");
        }
        catch (IdentityFileException exception)
        {
            refused.Add($"'{files.IdentityFile}':{exception.Message}; {identityFile.FilePath} was not changed");
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            refused.Add($"identity.hujson could not replace {identityFile.FilePath}: {exception.Message}; it was not changed");
        }
    }

    private void CheckCaTrust(List<string> applied, List<string> refused)
    {
        if (!File.Exists(files.CaTrust))
        {
            return;
        }

        try
        {
            var roots = CaTrustFile.Load(files.CaTrust, time.GetUtcNow());
            applied.Add($"ca-trust.pem: {roots.Count} extra root(s) for `appliance ca export`");
            foreach (var root in roots)
            {
                root.Dispose();
            }
        }
        catch (InvalidDataException exception)
        {
            refused.Add(exception.Message + "; `appliance ca export` leaves it out");
        }
    }

    [LoggerMessage(EventId = 1201, Level = LogLevel.Information, Message = "update content applied: {Note}")]
    private static partial void LogApplied(ILogger logger, string note);

    [LoggerMessage(EventId = 1202, Level = LogLevel.Error, Message = "update content refused: {Problem}")]
    private static partial void LogRefused(ILogger logger, string problem);
}
