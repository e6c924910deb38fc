using System.Text;
using Appliance.Control.Noise;
using Appliance.Protocol.Keys;

namespace Appliance.Control.Tests.Noise;

[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class NoiseServerKeyFileTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("noise-key-").FullName;

    private string KeyPath => Path.Combine(_dir, NoiseServerKeyFile.FileName);

    [Fact]
    public void First_start_creates_a_0600_privkey_file_and_later_starts_load_the_same_key()
    {
        var created = NoiseServerKeyFile.LoadOrCreate(KeyPath);

        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(KeyPath));
        Assert.StartsWith("privkey:", File.ReadAllText(KeyPath), StringComparison.Ordinal);
        Assert.Equal(created, NoiseServerKeyFile.LoadOrCreate(KeyPath));
        Assert.Single(Directory.GetFiles(_dir));
    }

    [Theory]
    [InlineData("")]
    [InlineData("privkey:1234")]
    [InlineData("mkey:0000000000000000000000000000000000000000000000000000000000000000")]
    [InlineData("garbage")]
    public void A_corrupt_key_file_is_a_clear_error_and_is_left_untouched(string content)
    {
        WriteKeyFile(content, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        var error = Assert.Throws<NoiseServerKeyException>(() => NoiseServerKeyFile.LoadOrCreate(KeyPath));
        Assert.Contains("corrupt", error.Message, StringComparison.Ordinal);
        Assert.Equal(content, File.ReadAllText(KeyPath));
    }

    [Fact]
    public void A_key_file_readable_by_others_is_refused()
    {
        WriteKeyFile(MachinePrivate.Generate().ToSecretText(), UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead);
        var error = Assert.Throws<NoiseServerKeyException>(() => NoiseServerKeyFile.LoadOrCreate(KeyPath));
        Assert.Contains("0600", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_host_with_a_corrupt_key_file_fails_to_start()
    {
        WriteKeyFile("privkey:nothex", UnixFileMode.UserRead | UnixFileMode.UserWrite);
        await Assert.ThrowsAsync<NoiseServerKeyException>(() => NoiseTestServer.StartAsync(_dir));
    }

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private void WriteKeyFile(string content, UnixFileMode mode)
    {
        File.WriteAllText(KeyPath, content, Encoding.ASCII);
        File.SetUnixFileMode(KeyPath, mode);
    }
}
