using Appliance.Pki.Authority;
using Appliance.Pki.Files;
using Appliance.Pki.Tests.Support;

namespace Appliance.Pki.Tests.Authority;

public sealed class BadInputTests
{
    private static (TempFolder Temp, CaDirectory Dir) NewCa(bool withLeaf = false)
    {
        var temp = new TempFolder();
        using var ca = LocalCa.Initialise(temp.Path, TestCa.Options(), TimeProvider.System);
        if (withLeaf)
        {
            using var leaf = ca.IssueLeaf(TestCa.Options());
        }

        return (temp, new CaDirectory(temp.Path));
    }

    [Fact]
    public void A_missing_intermediate_key_fails_loudly_and_nothing_is_regenerated()
    {
        var (temp, dir) = NewCa();
        using var _ = temp;
        File.Delete(dir.IntermediateKey);
        var rootBefore = File.ReadAllText(dir.RootCertificate);

        var error = Assert.Throws<CaException>(() => LocalCa.EnsureInitialised(temp.Path, TestCa.Options(), TimeProvider.System));
        Assert.Equal(CaErrorKind.MissingFile, error.Kind);
        Assert.Contains(dir.IntermediateKey, error.Message, StringComparison.Ordinal);
        Assert.False(File.Exists(dir.IntermediateKey));
        Assert.Equal(rootBefore, File.ReadAllText(dir.RootCertificate));
    }

    [Fact]
    public void A_missing_root_key_in_embedded_mode_is_not_mistaken_for_offline_mode()
    {
        var (temp, dir) = NewCa();
        using var _ = temp;
        File.Delete(dir.RootKey);
        var error = Assert.Throws<CaException>(() => LocalCa.Open(temp.Path, TimeProvider.System));
        Assert.Equal(CaErrorKind.MissingFile, error.Kind);
    }

    [Theory]
    [InlineData("")]
    [InlineData("-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n")]
    [InlineData("not a key at all")]
    public void A_corrupt_key_fails_loudly(string content)
    {
        var (temp, dir) = NewCa();
        using var _ = temp;
        SecureFile.WriteText(dir.IntermediateKey, content);
        var error = Assert.Throws<CaException>(() => LocalCa.Open(temp.Path, TimeProvider.System));
        Assert.Equal(CaErrorKind.CorruptFile, error.Kind);
    }

    [Fact]
    public void A_truncated_key_file_fails_loudly_at_every_length()
    {
        var (temp, dir) = NewCa();
        using var _ = temp;
        var good = File.ReadAllText(dir.IntermediateKey);
        for (var length = 0; length < good.Length - 30; length += 7)
        {
            SecureFile.WriteText(dir.IntermediateKey, good[..length]);
            var error = Assert.Throws<CaException>(() => LocalCa.Open(temp.Path, TimeProvider.System));
            Assert.Equal(CaErrorKind.CorruptFile, error.Kind);
        }
    }

    [Fact]
    public void A_key_that_belongs_to_another_certificate_is_refused()
    {
        var (temp, dir) = NewCa();
        using var _ = temp;
        File.Copy(dir.RootKey, dir.IntermediateKey, overwrite: true);
        var error = Assert.Throws<CaException>(() => LocalCa.Open(temp.Path, TimeProvider.System));
        Assert.Equal(CaErrorKind.CorruptFile, error.Kind);
        Assert.Contains("does not hold the private key", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(UnixFileMode.GroupRead)]
    [InlineData(UnixFileMode.OtherRead)]
    [InlineData(UnixFileMode.GroupWrite)]
    public void A_key_readable_or_writable_by_others_is_refused(UnixFileMode extra)
    {
        var (temp, dir) = NewCa();
        using var _ = temp;
        File.SetUnixFileMode(dir.RootKey, UnixFileMode.UserRead | UnixFileMode.UserWrite | extra);
        var error = Assert.Throws<CaException>(() => LocalCa.Open(temp.Path, TimeProvider.System));
        Assert.Equal(CaErrorKind.InsecurePermissions, error.Kind);
        Assert.Contains("chmod 600", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_world_readable_leaf_file_is_refused()
    {
        var (temp, dir) = NewCa(withLeaf: true);
        using var _ = temp;
        File.SetUnixFileMode(dir.Leaf, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.OtherRead);
        using var ca = LocalCa.Open(temp.Path, TimeProvider.System);
        var error = Assert.Throws<CaException>(() => ca.LoadLeaf(0.66));
        Assert.Equal(CaErrorKind.InsecurePermissions, error.Kind);
    }

    [Fact]
    public void An_open_ca_folder_is_refused()
    {
        var (temp, dir) = NewCa();
        using var _ = temp;
        File.SetUnixFileMode(dir.Folder, (UnixFileMode)0x1ED); // 0755
        var error = Assert.Throws<CaException>(() => LocalCa.Open(temp.Path, TimeProvider.System));
        Assert.Equal(CaErrorKind.InsecurePermissions, error.Kind);
        Assert.Contains("chmod 700", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_corrupt_certificate_or_manifest_fails_loudly()
    {
        var (temp, dir) = NewCa();
        using var _ = temp;
        var manifest = File.ReadAllText(dir.Manifest);
        File.WriteAllText(dir.Manifest, "mode=sideways\n");
        Assert.Equal(CaErrorKind.CorruptFile, Assert.Throws<CaException>(() => LocalCa.Open(temp.Path, TimeProvider.System)).Kind);
        File.WriteAllText(dir.Manifest, manifest);
        File.WriteAllText(dir.IntermediateCertificate, "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n");
        Assert.Equal(CaErrorKind.CorruptFile, Assert.Throws<CaException>(() => LocalCa.Open(temp.Path, TimeProvider.System)).Kind);
    }

    [Fact]
    public void Files_without_a_manifest_are_an_interrupted_init_not_an_empty_folder()
    {
        var (temp, dir) = NewCa();
        using var _ = temp;
        File.Delete(dir.Manifest);
        var error = Assert.Throws<CaException>(() => LocalCa.EnsureInitialised(temp.Path, TestCa.Options(), TimeProvider.System));
        Assert.Equal(CaErrorKind.MissingFile, error.Kind);
        Assert.True(File.Exists(dir.RootKey));
    }

    [Fact]
    public void A_root_key_copied_into_an_offline_root_data_folder_is_refused()
    {
        using var temp = new TempFolder();
        using (LocalCa.Initialise(temp.Combine("data"), TestCa.Options(), TimeProvider.System, temp.Combine("usb")))
        {
        }

        File.Copy(CaDirectory.RootKeyIn(temp.Combine("usb")), new CaDirectory(temp.Combine("data")).RootKey);
        var error = Assert.Throws<CaException>(() => LocalCa.Open(temp.Combine("data"), TimeProvider.System));
        Assert.Equal(CaErrorKind.InsecurePermissions, error.Kind);
    }
}
