using Appliance.Derp.Mesh;
using Appliance.Hosting.Derp.Mesh;
using Appliance.Protocol.Keys;

namespace Appliance.Hosting.Tests.Derp;

[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class DerpMeshKeyFileTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("mesh-key-").FullName;

    private string KeyPath => Path.Combine(_folder, "derp_mesh.key");

    [Fact]
    public void The_first_start_creates_a_0600_key_and_later_starts_load_the_same_key()
    {
        var created = DerpMeshKeyFile.LoadOrCreate(KeyPath);

        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(KeyPath));
        Assert.Equal(created.Hex + "\n", File.ReadAllText(KeyPath));
        Assert.True(created.Matches(DerpMeshKeyFile.LoadOrCreate(KeyPath).Hex));
    }

    [Fact]
    public void A_key_others_may_read_stops_startup_and_is_kept()
    {
        var key = DerpMeshKey.Generate();
        File.WriteAllText(KeyPath, key.Hex);
        File.SetUnixFileMode(KeyPath, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.OtherRead);

        var error = Assert.Throws<PrivateKeyFileException>(() => DerpMeshKeyFile.LoadOrCreate(KeyPath));

        Assert.Contains("chmod 600", error.Message, StringComparison.Ordinal);
        Assert.Equal(key.Hex, File.ReadAllText(KeyPath));
    }

    [Fact]
    public void A_corrupt_key_stops_startup_and_is_not_replaced()
    {
        File.WriteAllText(KeyPath, "not hex");
        File.SetUnixFileMode(KeyPath, UnixFileMode.UserRead | UnixFileMode.UserWrite);

        var error = Assert.Throws<PrivateKeyFileException>(() => DerpMeshKeyFile.LoadOrCreate(KeyPath));

        Assert.Contains("corrupt", error.Message, StringComparison.Ordinal);
        Assert.Equal("not hex", File.ReadAllText(KeyPath));
    }

    public void Dispose() => Directory.Delete(_folder, recursive: true);
}
