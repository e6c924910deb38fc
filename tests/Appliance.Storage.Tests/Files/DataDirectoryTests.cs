using Appliance.Storage.Files;
using Appliance.Storage.Tests.Support;

namespace Appliance.Storage.Tests.Files;

public sealed class DataDirectoryTests
{
    [Fact]
    public void Opening_creates_the_folder_readable_by_the_owner_only()
    {
        using var temp = new TempFolder();
        var path = temp.Combine("nested", "data");

        using var data = DataDirectory.Open(path);

        Assert.True(Directory.Exists(path));
        Assert.Equal(SecureFiles.OwnerOnlyDirectory, UnixModes.Of(path));
        Assert.Equal(SecureFiles.OwnerOnlyFile, UnixModes.Of(Path.Combine(path, DataDirectory.LockFileName)));
    }

    [Fact]
    public void Opening_tightens_an_existing_folder_that_others_could_read()
    {
        using var temp = new TempFolder();
        var path = temp.Combine("data");
        Directory.CreateDirectory(path);
        UnixModes.Set(path, SecureFiles.OwnerOnlyDirectory | UnixFileMode.GroupRead | UnixFileMode.OtherRead | UnixFileMode.OtherExecute);

        using var data = DataDirectory.Open(path);

        Assert.Equal(SecureFiles.OwnerOnlyDirectory, UnixModes.Of(path));
    }

    [Fact]
    public void A_second_open_of_the_same_folder_is_refused_while_the_first_holds_it()
    {
        using var temp = new TempFolder();
        using var first = DataDirectory.Open(temp.Combine("data"));

        var refused = Assert.Throws<DataDirectoryException>(() => DataDirectory.Open(temp.Combine("data")));

        Assert.Equal(DataDirectoryProblem.InUse, refused.Problem);
        Assert.Contains("in use by another appliance process", refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_folder_can_be_opened_again_after_the_holder_releases_it()
    {
        using var temp = new TempFolder();
        DataDirectory.Open(temp.Combine("data")).Dispose();

        using var again = DataDirectory.Open(temp.Combine("data"));

        Assert.Equal(temp.Combine("data"), again.Path);
    }

    [Fact]
    public void A_folder_that_cannot_be_created_gets_a_clear_message()
    {
        using var temp = new TempFolder();
        var file = temp.Combine("not-a-folder");
        File.WriteAllText(file, "x");

        var refused = Assert.Throws<DataDirectoryException>(() => DataDirectory.Open(Path.Combine(file, "data")));

        Assert.Equal(DataDirectoryProblem.NotWritable, refused.Problem);
        Assert.Contains("is not writable", refused.Message, StringComparison.Ordinal);
        Assert.Contains("--data-dir", refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Secure_files_are_created_0600_and_loose_ones_are_tightened()
    {
        using var temp = new TempFolder();
        var created = temp.Combine("created.key");
        var loose = temp.Combine("loose.key");
        File.WriteAllText(loose, "secret");
        UnixModes.Set(loose, SecureFiles.OwnerOnlyFile | UnixFileMode.GroupRead | UnixFileMode.OtherRead);

        SecureFiles.EnsureFile(created);
        SecureFiles.RestrictToOwner(loose);

        Assert.Equal(SecureFiles.OwnerOnlyFile, UnixModes.Of(created));
        Assert.Equal(SecureFiles.OwnerOnlyFile, UnixModes.Of(loose));
        Assert.Equal("secret", File.ReadAllText(loose));
    }
}
