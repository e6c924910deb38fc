using Appliance.Cli;

namespace Appliance.Hosting.Tests.Cli;

/// <summary>
/// /usr/local/bin/appliance (decision 0094), in a temporary folder: the command always resolves to the release it
/// was last pointed at, a file that was ever run is never written again, and operators who are not root can run it.
/// The systemd drill (ServerTests InstallDrillTests) proves the same on the installed appliance.
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class OperatorCommandTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("operator-command-").FullName;

    private string Library => Path.Combine(_root, "usr", "local", "lib", "appliance");

    private string Link => Path.Combine(_root, "usr", "local", "bin", "appliance");

    private OperatorCommand Command => new(Library, Link);

    public void Dispose() => Directory.Delete(_root, recursive: true);

    private string Release(string version, string content)
    {
        var folder = Path.Combine(_root, "releases", version);
        Directory.CreateDirectory(folder);
        var binary = Path.Combine(folder, "appliance");
        File.WriteAllText(binary, content);
        return binary;
    }

    /// <summary>The file the command runs, every link resolved (what /proc/self/exe names for a started command).</summary>
    private string Resolved()
    {
        Assert.Equal(Path.Combine(Library, "current", "appliance"), new FileInfo(Link).LinkTarget);
        return Path.Combine(Library, new DirectoryInfo(Path.Combine(Library, "current")).LinkTarget!, "appliance");
    }

    [Fact]
    public void The_command_runs_a_copy_of_the_release_it_was_pointed_at()
    {
        Command.Sync(Release("1.0.0", "release one"), "1.0.0", ["1.0.0"]);

        Assert.Equal("release one", File.ReadAllText(Link));
        Assert.StartsWith(Path.Combine(Library, "1.0.0-"), Resolved(), StringComparison.Ordinal);
        Assert.Equal(Path.Combine(Library, "current", "appliance"), new FileInfo(Link).LinkTarget);
    }

    [Fact]
    public void Recovery_points_only_at_a_copy_root_already_made_and_never_reads_a_release_binary()
    {
        Command.Sync(Release("1.0.0", "release one"), "1.0.0", ["1.0.0", "1.0.1"]);
        Command.Sync(Release("1.0.1", "release two"), "1.0.1", ["1.0.0", "1.0.1"]);

        // What a service user could have put in the data folder meanwhile is never looked at: TryPoint takes no path.
        File.WriteAllText(Path.Combine(_root, "releases", "1.0.0", "appliance"), "planted");
        File.Delete(Link);

        Assert.True(Command.TryPoint("1.0.0"));
        Assert.Equal("release one", File.ReadAllText(Link));
        Assert.StartsWith(Path.Combine(Library, "1.0.0-"), Resolved(), StringComparison.Ordinal);

        // No copy of that version: nothing changes.
        Assert.False(Command.TryPoint("2.0.0"));
        Assert.False(Command.TryPoint("1.0"));
        Assert.Equal("release one", File.ReadAllText(Link));
    }

    [Fact]
    public void Moving_to_another_release_switches_the_link_and_never_touches_the_old_copy()
    {
        Command.Sync(Release("1.0.0", "release one"), "1.0.0", ["1.0.0"]);
        var old = Resolved();
        var written = File.GetLastWriteTimeUtc(old);
        using var running = File.OpenRead(old); // a command started before the switch still has it open

        Command.Sync(Release("1.0.1", "release two"), "1.0.1", ["1.0.0", "1.0.1"]);

        Assert.Equal("release two", File.ReadAllText(Link));
        Assert.NotEqual(old, Resolved());
        Assert.Equal("release one", File.ReadAllText(old));
        Assert.Equal(written, File.GetLastWriteTimeUtc(old));

        Command.Sync(Path.Combine(_root, "releases", "1.0.0", "appliance"), "1.0.0", ["1.0.0", "1.0.1"]);
        Assert.Equal(old, Resolved());
        Assert.Equal("release one", File.ReadAllText(Link));
    }

    [Fact]
    public void A_rebuilt_binary_with_the_same_version_gets_its_own_folder()
    {
        Command.Sync(Release("1.0.0", "first build"), "1.0.0", ["1.0.0"]);
        var first = Resolved();

        Command.Sync(Release("1.0.0", "second build"), "1.0.0", ["1.0.0"]);

        Assert.NotEqual(first, Resolved());
        Assert.Equal("second build", File.ReadAllText(Link));
    }

    [Fact]
    public void Syncing_the_same_release_again_changes_nothing()
    {
        var binary = Release("1.0.0", "release one");
        var name = Command.Sync(binary, "1.0.0", ["1.0.0"]);
        var written = File.GetLastWriteTimeUtc(Resolved());

        Assert.Equal(name, Command.Sync(binary, "1.0.0", ["1.0.0"]));

        Assert.Equal(written, File.GetLastWriteTimeUtc(Resolved()));
        Assert.Single(Directory.GetDirectories(Library), d => !d.EndsWith("current", StringComparison.Ordinal));
    }

    [Fact]
    public void Copies_of_releases_the_updater_no_longer_keeps_are_deleted()
    {
        Command.Sync(Release("1.0.0", "one"), "1.0.0", ["1.0.0"]);
        Command.Sync(Release("1.0.1", "two"), "1.0.1", ["1.0.0", "1.0.1"]);
        Command.Sync(Release("1.0.2", "three"), "1.0.2", ["1.0.1", "1.0.2"]);

        var kept = Directory.GetDirectories(Library).Select(Path.GetFileName).Where(n => n != "current").Select(n => n![..n!.LastIndexOf('-')]).Order().ToList();
        Assert.Equal(["1.0.1", "1.0.2"], kept);
    }

    [Fact]
    public void A_plain_copy_from_the_old_layout_is_replaced_by_the_link()
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Link)!);
        File.WriteAllText(Link, "old copy");

        Command.Sync(Release("1.0.0", "release one"), "1.0.0", ["1.0.0"]);

        Assert.NotNull(new FileInfo(Link).LinkTarget);
        Assert.Equal("release one", File.ReadAllText(Link));
    }

    [Fact]
    public void Operators_who_are_not_root_can_read_and_run_every_step_of_the_path()
    {
        Command.Sync(Release("1.0.0", "release one"), "1.0.0", ["1.0.0"]);
        var everyone = UnixFileMode.OtherRead | UnixFileMode.OtherExecute;

        Assert.Equal(everyone, File.GetUnixFileMode(Library) & everyone);
        Assert.Equal(everyone, File.GetUnixFileMode(Path.GetDirectoryName(Resolved())!) & everyone);
        Assert.Equal(everyone, File.GetUnixFileMode(Resolved()) & everyone);
        Assert.Equal(UnixFileMode.None, File.GetUnixFileMode(Resolved()) & (UnixFileMode.GroupWrite | UnixFileMode.OtherWrite));
    }

    [Fact]
    public void Uninstall_removes_the_link_and_keeps_the_copies_unless_purged()
    {
        Command.Sync(Release("1.0.0", "release one"), "1.0.0", ["1.0.0"]);

        Assert.Null(Command.Remove(copies: false));
        Assert.False(File.Exists(Link));
        Assert.NotNull(Command.CurrentFolder());

        Assert.Null(Command.Remove(copies: true));
        Assert.False(Directory.Exists(Library));
    }
}
