namespace Appliance.Hosting.Tests.Admin;

/// <summary>
/// A short temporary folder (a Unix socket path must fit in 107 bytes), deleted with its contents at the end.
/// </summary>
public sealed class AdminTestFolder : IDisposable
{
    public AdminTestFolder()
    {
        Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "aht-" + Guid.NewGuid().ToString("N")[..12]);
        Directory.CreateDirectory(Path);
    }

    public string Path { get; }

    public string DataDir => System.IO.Path.Combine(Path, "data");

    public void Dispose()
    {
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (DirectoryNotFoundException)
        {
        }
    }
}
