using Appliance.Updates.Apply;

namespace Appliance.Updates.Tests.Apply;

/// <summary>
/// /usr/local/bin/appliance follows the `current` release whoever switched it: `update recover` (ExecStartPre=+, as
/// root, before every start) refreshes the copy, so the layout does not depend on the import having run as root.
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class OperatorCommandCopyTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "apl-cmd-" + Guid.NewGuid().ToString("N")[..12]);

    public OperatorCommandCopyTests() => Directory.CreateDirectory(_dir);

    private string P(string name) => Path.Combine(_dir, name);

    [Fact]
    public void The_first_refresh_writes_an_executable_copy_everyone_may_run()
    {
        File.WriteAllText(P("release"), "release 1.0.0");

        Assert.True(OperatorCommandCopy.Refresh(P("release"), P("appliance")));

        Assert.Equal("release 1.0.0", File.ReadAllText(P("appliance")));
        Assert.Equal(
            UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute | UnixFileMode.GroupRead
            | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute,
            File.GetUnixFileMode(P("appliance")));
        Assert.False(File.Exists(P("appliance.new")));
    }

    [Fact]
    public void After_a_switch_to_another_release_the_copy_is_replaced()
    {
        File.WriteAllText(P("release-1"), "release 1.0.0");
        File.WriteAllText(P("release-2"), "release 1.1.0 (longer)");
        OperatorCommandCopy.Refresh(P("release-1"), P("appliance"));

        Assert.True(OperatorCommandCopy.Refresh(P("release-2"), P("appliance")));

        Assert.Equal("release 1.1.0 (longer)", File.ReadAllText(P("appliance")));
    }

    [Fact]
    public void A_release_of_the_same_length_but_newer_is_still_copied()
    {
        File.WriteAllText(P("release"), "release 1.0.0");
        OperatorCommandCopy.Refresh(P("release"), P("appliance"));
        File.WriteAllText(P("release"), "release 1.0.1");
        File.SetLastWriteTimeUtc(P("release"), File.GetLastWriteTimeUtc(P("appliance")).AddMinutes(1));

        Assert.True(OperatorCommandCopy.Refresh(P("release"), P("appliance")));

        Assert.Equal("release 1.0.1", File.ReadAllText(P("appliance")));
    }

    [Fact]
    public void An_up_to_date_copy_is_left_alone_so_every_start_does_not_rewrite_it()
    {
        File.WriteAllText(P("release"), "release 1.0.0");
        OperatorCommandCopy.Refresh(P("release"), P("appliance"));
        var written = new FileInfo(P("appliance")).LastWriteTimeUtc;

        Assert.False(OperatorCommandCopy.Refresh(P("release"), P("appliance")));

        Assert.Equal(written, new FileInfo(P("appliance")).LastWriteTimeUtc);
    }

    [Fact]
    public void A_missing_release_leaves_the_old_copy_in_place()
    {
        File.WriteAllText(P("release"), "release 1.0.0");
        OperatorCommandCopy.Refresh(P("release"), P("appliance"));

        Assert.Throws<FileNotFoundException>(() => OperatorCommandCopy.Refresh(P("gone"), P("appliance")));

        Assert.Equal("release 1.0.0", File.ReadAllText(P("appliance")));
    }

    public void Dispose() => Directory.Delete(_dir, recursive: true);
}
