namespace Appliance.Hosting.Policy;

/// <summary>
/// Calls back once a file has stopped changing for <c>debounce</c>. Watches the file's folder for its name, so
/// editors that save by writing a new file and renaming it over the old one (vim, sed -i) and symlink switches
/// (the updates `content` link) are seen too.
/// </summary>
internal sealed class DebouncedFileWatcher : IDisposable
{
    private readonly FileSystemWatcher _watcher;
    private readonly ITimer _timer;
    private readonly TimeSpan _debounce;

    public DebouncedFileWatcher(string path, TimeSpan debounce, TimeProvider time, Action changed)
    {
        _debounce = debounce;
        _timer = time.CreateTimer(_ => changed(), null, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        _watcher = new FileSystemWatcher(Path.GetDirectoryName(path)!, Path.GetFileName(path))
        {
            NotifyFilter = NotifyFilters.FileName | NotifyFilters.LastWrite | NotifyFilters.Size | NotifyFilters.CreationTime,
            IncludeSubdirectories = false,
        };
        _watcher.Changed += Kick;
        _watcher.Created += Kick;
        _watcher.Deleted += Kick;
        _watcher.Renamed += Kick;
        _watcher.EnableRaisingEvents = true;
    }

    public void Dispose()
    {
        _watcher.Dispose();
        _timer.Dispose();
    }

    private void Kick(object sender, FileSystemEventArgs e) => _timer.Change(_debounce, Timeout.InfiniteTimeSpan);
}
