using System.Text;
using Appliance.Control.Noise;
using Appliance.Protocol.Keys;

namespace Appliance.Control.Tests.Noise;

/// <summary>The Noise server key in the data folder (the file rules themselves: Protocol.Tests/Keys/PrivateKeyFileTests).</summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class NoiseServerKeyFileTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("noise-key-").FullName;

    private string KeyPath => Path.Combine(_dir, NoiseServerKeyFile.FileName);

    [Fact]
    public async Task The_host_creates_the_key_in_the_data_folder_and_publishes_its_public_half()
    {
        await using (var server = await NoiseTestServer.StartAsync(_dir))
        {
            Assert.True(MachinePrivate.TryParse(File.ReadAllText(KeyPath), out var key));
            Assert.Equal(key.Public, server.ServerKey);
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(KeyPath));
        }
    }

    [Fact]
    public async Task A_host_with_a_corrupt_key_file_fails_to_start_and_names_the_noise_key()
    {
        File.WriteAllText(KeyPath, "privkey:nothex", Encoding.ASCII);
        File.SetUnixFileMode(KeyPath, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        var error = await Assert.ThrowsAsync<PrivateKeyFileException>(() => NoiseTestServer.StartAsync(_dir));
        Assert.Contains("Noise server key", error.Message, StringComparison.Ordinal);
        Assert.Equal("privkey:nothex", File.ReadAllText(KeyPath));
    }

    public void Dispose()
    {
        if (Directory.Exists(_dir))
        {
            Directory.Delete(_dir, recursive: true);
        }
    }
}
