using System.Text;
using Appliance.Protocol.Keys;

namespace Appliance.Protocol.Tests.Keys;

/// <summary>The one key-file helper behind noise_private.key and derp_server.key.</summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class PrivateKeyFileTests : IDisposable
{
    private const UnixFileMode OwnerOnly = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    private readonly string _dir = Directory.CreateTempSubdirectory("key-file-").FullName;

    private string KeyPath => Path.Combine(_dir, "server.key");

    [Fact]
    public void First_start_creates_one_0600_privkey_line_and_later_starts_load_the_same_key()
    {
        var created = PrivateKeyFile.LoadOrCreate<MachinePrivate>(KeyPath, "test key", "restore it");

        Assert.Equal(OwnerOnly, File.GetUnixFileMode(KeyPath));
        Assert.Equal(created.ToSecretText() + "\n", File.ReadAllText(KeyPath));
        Assert.Equal(created, PrivateKeyFile.LoadOrCreate<MachinePrivate>(KeyPath, "test key", "restore it"));
        Assert.Single(Directory.GetFiles(_dir));
    }

    [Fact]
    public void Both_key_kinds_read_the_same_text_form()
    {
        var node = NodePrivate.Generate();
        WriteKeyFile(node.ToSecretText(), OwnerOnly);
        Assert.Equal(node, PrivateKeyFile.LoadOrCreate<NodePrivate>(KeyPath, "test key", "restore it"));
        Assert.Equal(node.Raw.ToArray(), PrivateKeyFile.Load<MachinePrivate>(KeyPath, "test key", "restore it").Raw.ToArray());
    }

    [Theory]
    [InlineData("")]
    [InlineData("privkey:1234")]
    [InlineData("mkey:0000000000000000000000000000000000000000000000000000000000000000")]
    [InlineData("garbage")]
    public void A_corrupt_key_file_is_a_clear_error_and_is_left_untouched(string content)
    {
        WriteKeyFile(content, OwnerOnly);
        var error = Assert.Throws<PrivateKeyFileException>(() => PrivateKeyFile.LoadOrCreate<NodePrivate>(KeyPath, "test key", "Restore it."));
        Assert.Contains($"the test key {KeyPath} is corrupt", error.Message, StringComparison.Ordinal);
        Assert.EndsWith("Restore it.", error.Message, StringComparison.Ordinal);
        Assert.Equal(content, File.ReadAllText(KeyPath));
    }

    [Theory]
    [InlineData(UnixFileMode.GroupRead)]
    [InlineData(UnixFileMode.OtherRead)]
    [InlineData(UnixFileMode.GroupWrite)]
    public void A_key_file_others_may_touch_is_refused_and_left_as_it_is(UnixFileMode extra)
    {
        var key = MachinePrivate.Generate().ToSecretText();
        WriteKeyFile(key, OwnerOnly | extra);
        var error = Assert.Throws<PrivateKeyFileException>(() => PrivateKeyFile.LoadOrCreate<MachinePrivate>(KeyPath, "test key", "restore it"));
        Assert.Contains("must be 0600", error.Message, StringComparison.Ordinal);
        Assert.Contains("chmod 600 " + KeyPath, error.Message, StringComparison.Ordinal);
        Assert.Equal(OwnerOnly | extra, File.GetUnixFileMode(KeyPath));
        Assert.Equal(key, File.ReadAllText(KeyPath));
    }

    [Fact]
    public void The_private_key_types_never_print_their_key_and_compare_by_value()
    {
        var key = NodePrivate.Generate();
        Assert.Equal("NodePrivate(redacted)", key.ToString());
        Assert.Equal("MachinePrivate(redacted)", MachinePrivate.FromRaw(key.Raw).ToString());
        Assert.True(NodePrivate.TryParse(" " + key.ToSecretText() + "\n", out var parsed));
        Assert.Equal(key, parsed);
        Assert.NotEqual(key, NodePrivate.Generate());
        Assert.False(NodePrivate.TryParse("nodekey:" + new string('0', 64), out _));
        Assert.Throws<ArgumentException>(() => NodePrivate.FromRaw(new byte[31]));
    }

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private void WriteKeyFile(string content, UnixFileMode mode)
    {
        File.WriteAllText(KeyPath, content, Encoding.ASCII);
        File.SetUnixFileMode(KeyPath, mode);
    }
}
