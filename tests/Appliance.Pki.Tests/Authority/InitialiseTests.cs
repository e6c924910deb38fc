using Appliance.Pki.Authority;
using Appliance.Pki.Files;
using Appliance.Pki.Tests.Support;

namespace Appliance.Pki.Tests.Authority;

public sealed class InitialiseTests
{
    [Fact]
    public void Embedded_init_keeps_both_keys_owner_only_in_an_owner_only_folder()
    {
        using var temp = new TempFolder();
        using var ca = LocalCa.Initialise(temp.Path, TestCa.Options(), TimeProvider.System);
        var dir = new CaDirectory(temp.Path);

        Assert.Equal(CaMode.Embedded, ca.Mode);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, TestCa.ModeOf(dir.Folder));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, TestCa.ModeOf(dir.RootKey));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, TestCa.ModeOf(dir.IntermediateKey));
        Assert.True(File.Exists(dir.RootCertificate));
        Assert.True(File.Exists(dir.TrustBundle));
    }

    [Fact]
    public void Offline_root_init_leaves_no_root_key_in_the_data_folder()
    {
        using var temp = new TempFolder();
        var media = temp.Combine("usb");
        var data = temp.Combine("data");
        using var ca = LocalCa.Initialise(data, TestCa.Options(), TimeProvider.System, media);

        Assert.Equal(CaMode.OfflineRoot, ca.Mode);
        Assert.True(File.Exists(CaDirectory.RootKeyIn(media)));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, TestCa.ModeOf(CaDirectory.RootKeyIn(media)));
        var everything = Directory.EnumerateFiles(data, "*", SearchOption.AllDirectories).ToList();
        Assert.NotEmpty(everything);
        Assert.DoesNotContain(everything, f => Path.GetFileName(f) == "root.key");
        Assert.DoesNotContain(everything, f => File.ReadAllText(f).Contains("PRIVATE KEY", StringComparison.Ordinal) &&
            LooksLikeRootKey(f, media));
    }

    [Fact]
    public void A_second_init_is_refused_and_keeps_the_existing_root()
    {
        using var temp = new TempFolder();
        string rootBefore;
        using (var ca = LocalCa.Initialise(temp.Path, TestCa.Options(), TimeProvider.System))
        {
            rootBefore = ca.Root.Thumbprint;
        }

        var error = Assert.Throws<CaException>(() => LocalCa.Initialise(temp.Path, TestCa.Options(), TimeProvider.System));
        Assert.Equal(CaErrorKind.AlreadyInitialised, error.Kind);
        using var reopened = LocalCa.Open(temp.Path, TimeProvider.System);
        Assert.Equal(rootBefore, reopened.Root.Thumbprint);
    }

    [Fact]
    public void EnsureInitialised_creates_a_CA_on_an_empty_folder_and_reopens_it_afterwards()
    {
        using var temp = new TempFolder();
        string first;
        using (var ca = LocalCa.EnsureInitialised(temp.Path, TestCa.Options(), TimeProvider.System))
        {
            first = ca.Root.Thumbprint;
        }

        using var again = LocalCa.EnsureInitialised(temp.Path, TestCa.Options(), TimeProvider.System);
        Assert.Equal(first, again.Root.Thumbprint);
    }

    [Fact]
    public void Opening_a_folder_without_a_CA_says_how_to_create_one()
    {
        using var temp = new TempFolder();
        var error = Assert.Throws<CaException>(() => LocalCa.Open(temp.Path, TimeProvider.System));
        Assert.Equal(CaErrorKind.NotInitialised, error.Kind);
        Assert.Contains("ca init", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Options_without_any_name_are_refused()
    {
        using var temp = new TempFolder();
        var error = Assert.Throws<CaException>(() => LocalCa.Initialise(temp.Path, new LocalCaOptions(), TimeProvider.System));
        Assert.Equal(CaErrorKind.InvalidRequest, error.Kind);
        Assert.False(Directory.Exists(new CaDirectory(temp.Path).Folder));
    }

    private static bool LooksLikeRootKey(string file, string media) =>
        File.ReadAllText(file).Contains(File.ReadAllText(CaDirectory.RootKeyIn(media)).Trim(), StringComparison.Ordinal);
}
