using System.Security.Cryptography;
using Appliance.Updates.Apply;
using Appliance.Updates.Bundles;
using Appliance.Updates.Versioning;
using Appliance.TestKit.Time;
using Microsoft.Extensions.Time.Testing;

namespace Appliance.Updates.Tests.TestSupport;

/// <summary>
/// A throwaway updates root with root metadata v1 pinned and release 1.0.0 adopted, plus fakes for systemd
/// and the readiness probe. Dispose deletes it.
/// </summary>
public sealed class TempUpdatesRoot : IDisposable
{
    /// <param name="pinOutside">Pin the trust root outside the updates root, in DIR/lib/root.json, as the installed
    /// appliance pins it in /usr/local/lib/appliance (decision 0112).</param>
    public TempUpdatesRoot(string installed = "1.0.0", bool pinOutside = false)
    {
        Directory = Path.Combine(Path.GetTempPath(), "appliance-updates-" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(8)));
        System.IO.Directory.CreateDirectory(Directory);
        Paths = new UpdatePaths(Path.Combine(Directory, "updates"), null, pinOutside ? Path.Combine(Directory, "lib", "root.json") : null);
        var seed = Path.Combine(Directory, "installed-appliance");
        File.WriteAllBytes(seed, BundleFactory.BinaryFor(installed));
        var updater = Updater();
        var pinned = updater.ImportRoot(TestKeys.RootV1.ToFileBytes(), install: true);
        Assert.True(pinned.IsAccepted, pinned.Reason);
        updater.AdoptInstalledRelease(ApplianceVersion.Parse(installed), seed);
    }

    public string Directory { get; }

    public UpdatePaths Paths { get; }

    public FakeTimeProvider Time { get; } = TestTime.Create(BundleFactory.Now);

    public FakeRestarter Restarter { get; } = new();

    public FakeProbe Probe { get; } = new();

    public Updater Updater(Action<ApplyStep>? hook = null, TimeSpan? healthTimeout = null, IHealthProbe? probe = null, Func<string, IReadOnlyList<string>>? contentCheck = null) =>
        new(Paths, new UpdaterOptions { StepHook = hook, BinaryRole = PayloadRole.ApplianceLinuxX64, HealthTimeout = healthTimeout ?? TimeSpan.FromSeconds(30), ContentCheck = contentCheck },
            Restarter, probe ?? Probe, Time);

    public string WriteBundle(byte[] bytes, string name = "bundle.aupd")
    {
        var path = Path.Combine(Directory, name);
        File.WriteAllBytes(path, bytes);
        return path;
    }

    /// <summary>What `current` resolves to: the binary systemd would start next, or null if none.</summary>
    public byte[]? CurrentBinary()
    {
        var binary = Path.Combine(Paths.Current, "appliance");
        return File.Exists(binary) ? File.ReadAllBytes(binary) : null;
    }

    public string? CurrentTarget() => LinkSwitch.Target(Paths.Current);

    /// <summary>Every entry under the updates root: kind, link target, content hash. Equal snapshots = nothing changed.</summary>
    public SortedDictionary<string, string> Snapshot()
    {
        var snapshot = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (var entry in new DirectoryInfo(Paths.Root).EnumerateFileSystemInfos("*", new EnumerationOptions { RecurseSubdirectories = true, AttributesToSkip = 0 }))
        {
            var key = Path.GetRelativePath(Paths.Root, entry.FullName);
            snapshot[key] = entry.LinkTarget is { } target ? "link " + target
                : entry is DirectoryInfo ? "dir"
                : "file " + Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(entry.FullName))) + " " + File.GetLastWriteTimeUtc(entry.FullName).Ticks;
        }

        return snapshot;
    }

    public void Dispose()
    {
        try
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
        catch (IOException)
        {
            // Best effort: a leftover temp folder must not fail a test.
        }
    }
}

public sealed class FakeRestarter : IServiceRestarter
{
    public List<string> Restarts { get; } = [];

    public Func<Task>? OnRestart { get; set; }

    public string? CurrentLinkAtRestart { get; set; }

    public UpdatePaths? Watch { get; set; }

    /// <summary>Where `content` pointed at each reload request (content bundles ask the service to re-read it).</summary>
    public List<string> Reloads { get; } = [];

    public Task RestartAsync(CancellationToken cancellationToken)
    {
        Restarts.Add(Watch is null ? "restart" : LinkSwitch.Target(Watch.Current) ?? "none");
        return OnRestart?.Invoke() ?? Task.CompletedTask;
    }

    public Task ReloadAsync(CancellationToken cancellationToken)
    {
        Reloads.Add(Watch is null ? "reload" : LinkSwitch.Target(Watch.Content) ?? "none");
        return Task.CompletedTask;
    }
}

public sealed class FakeProbe : IHealthProbe
{
    /// <summary>Versions that come up healthy; everything else never does.</summary>
    public Func<ApplianceVersion, bool> Healthy { get; set; } = _ => true;

    public List<ApplianceVersion> Probed { get; } = [];

    public Task<bool> WaitHealthyAsync(ApplianceVersion expected, TimeSpan timeout, CancellationToken cancellationToken)
    {
        Probed.Add(expected);
        return Task.FromResult(Healthy(expected));
    }
}
