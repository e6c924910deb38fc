using Appliance.Storage.Files;
using Appliance.TestKit;

namespace Appliance.Storage.Tests.Files;

/// <summary>
/// A data folder on a disk with no space left: a real full file system (a 256 KiB tmpfs the test mounts and fills),
/// not a simulated error. Before DataDirectory told the two apart, the lock file's first write failing with ENOSPC
/// was reported as "in use by another appliance process" (exit 75), sending operators after a process that does
/// not exist. Mounting needs root (CI runs as root), hence the category (TestKit's FullDisk).
/// </summary>
[Trait("Category", "Root")]
public sealed class FullDiskTests : IDisposable
{
    private readonly FullDisk _disk = new();

    [Fact]
    public void A_full_disk_reads_not_writable_and_never_in_use()
    {
        var data = _disk.Combine("data");
        Directory.CreateDirectory(data);
        _disk.Fill();

        var refused = Assert.Throws<DataDirectoryException>(() => DataDirectory.Open(data));

        Assert.Equal(DataDirectoryProblem.NotWritable, refused.Problem);
        Assert.Contains("not writable", refused.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("in use", refused.Message, StringComparison.Ordinal);
        Assert.Contains("No space left on device", refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Once_space_is_freed_the_same_folder_opens()
    {
        var data = _disk.Combine("data");
        Directory.CreateDirectory(data);
        var filler = _disk.Fill();
        Assert.Throws<DataDirectoryException>(() => DataDirectory.Open(data));

        File.Delete(filler);
        using var opened = DataDirectory.Open(data);

        Assert.Equal(data, opened.Path);
    }

    public void Dispose() => _disk.Dispose();
}
