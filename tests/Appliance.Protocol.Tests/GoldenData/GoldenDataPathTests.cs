using Appliance.TestKit;

namespace Appliance.Protocol.Tests.GoldenData;

/// <summary>Tests that read ../shared/conformance fail with a message naming the missing folder and the fix.</summary>
public sealed class GoldenDataPathTests
{
    [Fact]
    public void A_missing_golden_data_folder_is_named_with_the_fix_not_an_io_error()
    {
        var missing = Path.Combine(Path.GetTempPath(), "no-shared-" + Guid.NewGuid().ToString("N"), "conformance", "real-client");

        var error = Assert.Throws<GoldenDataMissingException>(() => RepoPaths.Require(missing));

        Assert.IsNotAssignableFrom<IOException>(error);
        Assert.Equal(missing, error.Path);
        Assert.StartsWith($"golden data missing: {missing} does not exist.", error.Message, StringComparison.Ordinal);
        Assert.Contains("APPLIANCE_SHARED_DIR", error.Message, StringComparison.Ordinal);
        Assert.Contains("../shared beside the repository", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void An_existing_file_or_folder_is_returned_as_it_is()
    {
        var folder = Directory.CreateTempSubdirectory("golden-").FullName;
        try
        {
            var file = Path.Combine(folder, "session.json");
            File.WriteAllText(file, "{}");
            Assert.Equal(folder, RepoPaths.Require(folder));
            Assert.Equal(file, RepoPaths.Require(file));
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }
}
