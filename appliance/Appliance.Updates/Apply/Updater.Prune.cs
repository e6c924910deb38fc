using Appliance.Updates.Versioning;

namespace Appliance.Updates.Apply;

public sealed partial class Updater
{
    /// <summary>
    /// After a successful switch: keeps the newest <see cref="UpdaterOptions.KeepVersions"/> releases and content
    /// versions (and always the current and previous ones, which rollback needs) and deletes the rest, so repeated
    /// updates do not fill the disk. A folder that cannot be deleted is left for the next prune.
    /// </summary>
    private void Prune()
    {
        var state = _journal.LoadState();
        PruneFolder(_paths.Releases, _options.KeepVersions, state.Current, state.Previous);
        PruneFolder(_paths.Contents, _options.KeepVersions, state.Content, state.PreviousContent);
    }

    private static void PruneFolder(string folder, int keep, params string?[] protectedVersions)
    {
        if (!Directory.Exists(folder))
        {
            return;
        }

        var versions = Directory.EnumerateDirectories(folder)
            .Select(d => (Path: d, Ok: ApplianceVersion.TryParse(Path.GetFileName(d), out var v), Version: v))
            .Where(x => x.Ok)
            .OrderByDescending(x => x.Version)
            .ToList();
        foreach (var old in versions.Skip(keep))
        {
            if (protectedVersions.Contains(old.Version.ToString(), StringComparer.Ordinal))
            {
                continue;
            }

            try
            {
                Directory.Delete(old.Path, recursive: true);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // Left for the next prune; pruning must never fail an update that has already succeeded.
            }
        }
    }
}
