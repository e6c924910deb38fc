using Appliance.Hosting.Configuration;
using Appliance.Hosting.Content;

namespace Appliance.Hosting.Tests.Content;

/// <summary>Issue 13: an update bundle's policy.hujson is checked at import with the server's own parser and size cap.</summary>
public sealed class PolicyContentTests
{
    [Fact]
    public void An_unterminated_policy_is_refused_naming_the_file_and_a_good_one_passes()
    {
        using var folder = new ContentFolder();
        File.WriteAllText(folder.Files.Policy, "{\"acls\": [{\"action\": \"accept\", \"src\": [\"*\"], \"dst\": [\"*:*\"]}");

        var errors = UpdateContentValidator.Check(folder.Files, new ApplianceOptions(), DateTimeOffset.UtcNow);

        var error = Assert.Single(errors);
        Assert.Contains("policy.hujson", error, StringComparison.Ordinal);
        Assert.Contains("not valid", error, StringComparison.Ordinal);

        File.WriteAllText(folder.Files.Policy, "{\"acls\": [{\"action\": \"accept\", \"src\": [\"*\"], \"dst\": [\"*:*\"]}]} // fine");
        Assert.Empty(UpdateContentValidator.Check(folder.Files, new ApplianceOptions(), DateTimeOffset.UtcNow));
    }

    [Fact]
    public void A_policy_over_the_admin_api_limit_is_refused_by_its_size_without_being_read()
    {
        using var folder = new ContentFolder();
        // 1 GiB, sparse: reading it whole would take a GiB of memory (the crash loop the issue reports).
        using (var file = new FileStream(folder.Files.Policy, FileMode.CreateNew))
        {
            file.SetLength(1L << 30);
        }

        var before = GC.GetAllocatedBytesForCurrentThread();
        var errors = UpdateContentValidator.Check(folder.Files, new ApplianceOptions(), DateTimeOffset.UtcNow);
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        var error = Assert.Single(errors);
        Assert.Contains("at most 30000000 bytes", error, StringComparison.Ordinal);
        Assert.True(allocated < 16 << 20, $"allocated {allocated} bytes checking a policy that is refused by its size");
    }
}
