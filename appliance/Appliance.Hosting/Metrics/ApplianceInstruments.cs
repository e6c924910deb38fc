using System.Diagnostics;
using System.Diagnostics.Metrics;
using Appliance.Hosting.Backup;
using Appliance.Hosting.Content;
using Appliance.Hosting.Health;
using Appliance.Hosting.Tls;
using Appliance.Pki.Health;
using Microsoft.Extensions.DependencyInjection;

namespace Appliance.Hosting.Metrics;

/// <summary>
/// Instruments for what the composition root owns (the <see cref="MeterName"/> meter): build and process facts,
/// readiness, database writability, certificate expiry, backups and the update state. All are observable gauges that
/// read the owning service at collection time; services an installation does not run (TLS off) report nothing.
/// </summary>
public sealed class ApplianceInstruments
{
    public const string MeterName = "Appliance.Hosting";

    private static readonly KeyValuePair<string, object?>[] NoTags = [];

    public ApplianceInstruments(IMeterFactory factory, IServiceProvider services)
    {
        ArgumentNullException.ThrowIfNull(factory);
        ArgumentNullException.ThrowIfNull(services);
        Meter = factory.Create(MeterName);
        var started = DateTimeOffset.UtcNow - (DateTime.Now - Process.GetCurrentProcess().StartTime);
        Meter.CreateObservableGauge("appliance.build.info", () => new Measurement<int>(1, new KeyValuePair<string, object?>("version", HealthEndpoints.RunningVersion)), null, "Always 1; the version label names the running release.");
        Meter.CreateObservableGauge("appliance.process.start_time", () => started.ToUnixTimeMilliseconds() / 1000.0, "s", "When the process started (Unix time).");
        Meter.CreateObservableGauge("appliance.process.resident_memory", () => Environment.WorkingSet, "By", "Resident memory of the process.");
        Meter.CreateObservableGauge("appliance.process.open_files", OpenFiles, "{file}", "Open file descriptors of the process (Linux).");
        Meter.CreateObservableGauge("appliance.ready", () => services.GetRequiredService<ReadinessState>().IsReady ? 1 : 0, null, "1 while /ready answers 200.");
        Meter.CreateObservableGauge("appliance.database.writable", () => Writable(services), null, "1 while the data folder and database can be written (checked every few seconds), 0 after a failed write probe.");
        Meter.CreateObservableGauge("appliance.tls.certificate.expiry", () => CertificateExpiry(services), "s", "When each served certificate (leaf, intermediate, root) expires (Unix time).");
        Meter.CreateObservableGauge("appliance.backup.last_success", () => Timestamp(services.GetService<BackupStatus>()?.LastBackupSuccess), "s", "When the last backup succeeded (Unix time); absent before the first.");
        Meter.CreateObservableGauge("appliance.backup.last_verify_success", () => Timestamp(services.GetService<BackupStatus>()?.LastVerifySuccess), "s", "When the last restore drill (backup verify) succeeded (Unix time); absent before the first.");
        Meter.CreateObservableGauge("appliance.backup.failed", () => Failures(services.GetService<BackupStatus>()), null, "1 when the latest attempt of that kind (backup, verify) failed.");
        Meter.CreateObservableGauge("appliance.cluster.settings_disagreements", () => services.GetService<Cluster.ClusterSettingsCheck>() is { } check ? [new Measurement<int>(check.Current.Count)] : Array.Empty<Measurement<int>>(), null, "Settings (keys) on which this instance and another appliance of the same database disagree; absent on SQLite (docs/ops/ha.md).");
        Meter.CreateObservableGauge("appliance.update.pending", () => services.GetService<UpdateStateReader>()?.Pending() ?? [], null, "1 while an update apply is journaled but not finished (state.json pending).");
    }

    public Meter Meter { get; }

    private static int Writable(IServiceProvider services) =>
        services.GetService<DatabaseWriteProbe>()?.Writable is false ? 0 : 1;

    private static Measurement<double>[] CertificateExpiry(IServiceProvider services)
    {
        if (services.GetService<TlsCertificateStore>() is not { } store)
        {
            return [];
        }

        return store.Current.Certificates
            .GroupBy(c => c.Role)
            .Select(g => new Measurement<double>(
                g.Min(c => c.NotAfter).ToUnixTimeMilliseconds() / 1000.0,
                new KeyValuePair<string, object?>("role", RoleName(g.Key))))
            .ToArray();
    }

    private static string RoleName(CertificateRole role) => role switch
    {
        CertificateRole.Leaf => "leaf",
        CertificateRole.Intermediate => "intermediate",
        CertificateRole.Root => "root",
        CertificateRole.RetiredRoot => "retired_root",
        CertificateRole.CrossCertificate => "cross",
        _ => "other",
    };

    private static Measurement<double>[] Timestamp(DateTimeOffset? at) =>
        at is { } value ? [new Measurement<double>(value.ToUnixTimeMilliseconds() / 1000.0, NoTags)] : [];

    private static Measurement<int>[] Failures(BackupStatus? status) =>
        status is null
            ? []
            :
            [
                new(status.LastBackupFailed ? 1 : 0, new KeyValuePair<string, object?>("kind", "backup")),
                new(status.LastVerifyFailed ? 1 : 0, new KeyValuePair<string, object?>("kind", "verify")),
            ];

    private static Measurement<long>[] OpenFiles()
    {
        try
        {
            return [new Measurement<long>(Directory.EnumerateFileSystemEntries("/proc/self/fd").LongCount())];
        }
        catch (IOException)
        {
            return [];
        }
        catch (UnauthorizedAccessException)
        {
            return [];
        }
    }
}
