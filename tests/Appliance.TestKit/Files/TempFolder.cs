namespace Appliance.TestKit;

/// <summary>
/// A unique temporary folder, deleted with everything in it when the test ends. The path is kept short
/// (/tmp/apl-&lt;12 hex&gt;) because Unix socket paths such as admin.sock inside a data folder are limited to 107 bytes.
/// </summary>
public sealed class TempFolder : IDisposable
{
    public TempFolder()
    {
        Path = System.IO.Path.Combine("/tmp", "apl-" + Guid.NewGuid().ToString("N")[..12]);
        Directory.CreateDirectory(Path);
    }

    public string Path { get; }

    public string Combine(params string[] parts) => System.IO.Path.Combine([Path, .. parts]);

    public void Dispose()
    {
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (IOException)
        {
            // Already gone, or a child process or server is still closing a file: the folder is under /tmp and harmless.
        }
    }
}
