namespace Appliance.Storage.Tests.Support;

/// <summary>Reads Unix permission bits; the appliance and its CI run on Linux only.</summary>
public static class UnixModes
{
    public static UnixFileMode Of(string path) =>
        OperatingSystem.IsWindows() ? throw new PlatformNotSupportedException("Unix modes") : File.GetUnixFileMode(path);

    public static void Set(string path, UnixFileMode mode)
    {
        if (OperatingSystem.IsWindows())
        {
            throw new PlatformNotSupportedException("Unix modes");
        }

        File.SetUnixFileMode(path, mode);
    }
}
