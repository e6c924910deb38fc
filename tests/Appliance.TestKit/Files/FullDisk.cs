using System.Diagnostics;

namespace Appliance.TestKit;

/// <summary>
/// A small tmpfs mounted in a temporary folder, which a test fills until the file system refuses with ENOSPC: a
/// real full disk, not a simulated error. Mounting needs root (CI runs as root), so tests using it carry
/// <c>[Trait("Category", "Root")]</c>. Disposing unmounts it and deletes the folder.
/// </summary>
public sealed class FullDisk : IDisposable
{
    private readonly TempFolder _temp = new();

    /// <param name="size">The tmpfs size, as mount's <c>size=</c> option takes it (256k, 4m).</param>
    public FullDisk(string size = "256k")
    {
        if (Environment.UserName != "root")
        {
            _temp.Dispose();
            throw new InvalidOperationException("mounting a tmpfs needs root: run as root, or leave out Category=Root");
        }

        Path = _temp.Combine("full");
        Directory.CreateDirectory(Path);
        Run("mount", "-t", "tmpfs", "-o", $"size={size},mode=0755", "tmpfs", Path);
    }

    /// <summary>The mounted file system's root.</summary>
    public string Path { get; }

    public string Combine(params string[] parts) => System.IO.Path.Combine([Path, .. parts]);

    /// <summary>Writes one file until the file system refuses with ENOSPC; returns its path (delete it to free the space).</summary>
    public string Fill()
    {
        var filler = System.IO.Path.Combine(Path, "filler-" + Guid.NewGuid().ToString("N")[..8]);
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

    public void Dispose()
    {
        try
        {
            Run("umount", Path);
        }
        finally
        {
            _temp.Dispose();
        }
    }

    private static void Run(string file, params string[] args)
    {
        using var process = Process.Start(new ProcessStartInfo(file, args) { RedirectStandardError = true })!;
        var error = process.StandardError.ReadToEnd();
        process.WaitForExit();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{file} {string.Join(' ', args)}: {error}");
        }
    }
}
