using System.Diagnostics;
using Appliance.Storage.Files;
using Appliance.TestKit;

namespace Appliance.Storage.Tests.Files;

/// <summary>
/// A data folder on a disk with no space left: a real full file system (a 256 KiB tmpfs the test mounts and fills),
/// not a simulated error. Before DataDirectory told the two apart, the lock file's first write failing with ENOSPC
/// was reported as "in use by another appliance process" (exit 75), sending operators after a process that does
/// not exist. Mounting needs root (CI runs as root), hence the category.
/// </summary>
[Trait("Category", "Root")]
public sealed class FullDiskTests : IDisposable
{
    private readonly TempFolder _temp = new();
    private readonly string _mount;

    public FullDiskTests()
    {
        Assert.True(Environment.UserName == "root", "mounting a tmpfs needs root: run as root, or leave out Category=Root");
        _mount = _temp.Combine("full");
        Directory.CreateDirectory(_mount);
        Run("mount", "-t", "tmpfs", "-o", "size=256k,mode=0755", "tmpfs", _mount);
    }

    [Fact]
    public void A_full_disk_reads_not_writable_and_never_in_use()
    {
        var data = Path.Combine(_mount, "data");
        Directory.CreateDirectory(data);
        Fill(_mount);

        var refused = Assert.Throws<DataDirectoryException>(() => DataDirectory.Open(data));

        Assert.Equal(DataDirectoryProblem.NotWritable, refused.Problem);
        Assert.Contains("not writable", refused.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("in use", refused.Message, StringComparison.Ordinal);
        Assert.Contains("No space left on device", refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Once_space_is_freed_the_same_folder_opens()
    {
        var data = Path.Combine(_mount, "data");
        Directory.CreateDirectory(data);
        var filler = Fill(_mount);
        Assert.Throws<DataDirectoryException>(() => DataDirectory.Open(data));

        File.Delete(filler);
        using var opened = DataDirectory.Open(data);

        Assert.Equal(data, opened.Path);
    }

    /// <summary>Writes one file until the file system refuses with ENOSPC; returns its path.</summary>
    private static string Fill(string mount)
    {
        var filler = Path.Combine(mount, "filler");
        var block = new byte[4096];
        using var stream = new FileStream(filler, FileMode.CreateNew, FileAccess.Write, FileShare.None, bufferSize: 1);
        try
        {
            while (true)
            {
                stream.Write(block);
            }
        }
        catch (IOException e) when (e.Message.Contains("No space left", StringComparison.Ordinal))
        {
            return filler;
        }
    }

    private static void Run(string file, params string[] args)
    {
        using var process = Process.Start(new ProcessStartInfo(file, args) { RedirectStandardError = true })!;
        var error = process.StandardError.ReadToEnd();
        process.WaitForExit();
        Assert.True(process.ExitCode == 0, $"{file} {string.Join(' ', args)}: {error}");
    }

    public void Dispose()
    {
        try
        {
            Run("umount", _mount);
        }
        finally
        {
            _temp.Dispose();
        }
    }
}
