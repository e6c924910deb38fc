using System.Text;
using Appliance.Updates.Bundles;
using Appliance.Updates.Tests.TestSupport;

namespace Appliance.Updates.Tests.Bundles;

public class BundleReaderTests
{
    private static BundleError ReadAll(byte[] bytes)
    {
        try
        {
            using var stream = new MemoryStream(bytes);
            var header = BundleReader.ReadHeader(stream, BundleLimits.Default);
            if (!BundleManifest.TryParse(header.ManifestBytes, BundleLimits.Default, out var manifest, out _))
            {
                return BundleError.ManifestInvalid;
            }

            BundleReader.ReadEntries(stream, header, manifest!, BundleLimits.Default);
            return BundleError.None;
        }
        catch (BundleFormatException e)
        {
            return e.Error;
        }
    }

    private static void Entry(Stream s, string name, byte type, long size, byte[] data)
    {
        BundleWriter.WriteEntryHeader(s, name, size, type);
        s.Write(data);
    }

    [Fact]
    public void A_written_bundle_reads_back_with_its_manifest_signatures_and_payload()
    {
        var payload = BundleFactory.ContentPayload("round trip");
        var manifest = BundleFactory.Manifest(BundleKind.Content, "2.0.0", payload);
        var bytes = BundleFactory.Write(manifest, payload, TestKeys.Signer1);

        using var stream = new MemoryStream(bytes);
        var header = BundleReader.ReadHeader(stream, BundleLimits.Default);
        Assert.Equal(manifest.Bytes, header.ManifestBytes);
        Assert.Equal(TestKeys.Signer1.Public.Id, Assert.Single(header.Signatures).KeyId);
        var copied = new Dictionary<string, MemoryStream>();
        BundleReader.ReadEntries(stream, header, manifest, BundleLimits.Default, f => copied[f.Role] = new MemoryStream());
        Assert.Equal(payload[PayloadRole.Policy], copied[PayloadRole.Policy].ToArray());
        Assert.Equal(payload[PayloadRole.DerpMap], copied[PayloadRole.DerpMap].ToArray());
    }

    [Fact]
    public void Every_prefix_of_a_bundle_is_refused_as_truncated()
    {
        var bytes = BundleFactory.Content("2.0.0");
        for (var n = 0; n < bytes.Length; n++)
        {
            var error = ReadAll(bytes[..n]);
            Assert.True(error is BundleError.Truncated or BundleError.HashMismatch, $"prefix {n}: {error}");
        }

        Assert.Equal(BundleError.None, ReadAll(bytes));
    }

    [Fact]
    public void Bytes_after_the_last_entry_are_refused()
    {
        var bytes = BundleFactory.Content("2.0.0");
        Assert.Equal(BundleError.TrailingData, ReadAll([.. bytes, 0]));
    }

    [Fact]
    public void A_file_that_is_not_a_bundle_is_refused()
    {
        Assert.Equal(BundleError.NotABundle, ReadAll(Encoding.ASCII.GetBytes("PK\u0003\u0004 this is a zip file, honest")));
        Assert.Equal(BundleError.Truncated, ReadAll([]));
    }

    [Theory]
    [InlineData("../content/policy.hujson")]
    [InlineData("content/../../etc/passwd")]
    [InlineData("/etc/passwd")]
    [InlineData("content\\policy.hujson")]
    [InlineData("C:/x")]
    [InlineData("content//policy.hujson")]
    [InlineData("./content")]
    [InlineData(".hidden")]
    [InlineData("a/b/c/d/e")]
    public void Unsafe_entry_names_are_refused_before_anything_else(string name)
    {
        var policy = Encoding.UTF8.GetBytes("{}");
        var bytes = BundleFactory.WithRawEntries(s => Entry(s, name, BundleLayout.RegularFile, policy.Length, policy), 1, policy);
        Assert.Equal(BundleError.UnsafePath, ReadAll(bytes));
    }

    [Theory]
    [InlineData((byte)'1')] // tar hard link
    [InlineData((byte)'2')] // tar symbolic link
    [InlineData((byte)'5')] // directory
    [InlineData((byte)0)]
    public void Links_and_other_entry_types_are_refused(byte type)
    {
        var policy = Encoding.UTF8.GetBytes("{}");
        var bytes = BundleFactory.WithRawEntries(s => Entry(s, "content/policy.hujson", type, policy.Length, policy), 1, policy);
        Assert.Equal(BundleError.NotARegularFile, ReadAll(bytes));
    }

    [Fact]
    public void A_duplicate_entry_is_refused()
    {
        var policy = Encoding.UTF8.GetBytes("{}");
        var bytes = BundleFactory.WithRawEntries(s =>
        {
            Entry(s, "content/policy.hujson", BundleLayout.RegularFile, policy.Length, policy);
            Entry(s, "content/policy.hujson", BundleLayout.RegularFile, policy.Length, policy);
        }, 2, policy);
        Assert.Equal(BundleError.DuplicateEntry, ReadAll(bytes));
    }

    [Fact]
    public void An_entry_the_manifest_does_not_list_is_refused()
    {
        var policy = Encoding.UTF8.GetBytes("{}");
        var bytes = BundleFactory.WithRawEntries(s => Entry(s, "content/extra.sh", BundleLayout.RegularFile, policy.Length, policy), 1, policy);
        Assert.Equal(BundleError.EntryNotInManifest, ReadAll(bytes));
    }

    [Fact]
    public void A_declared_size_that_differs_from_the_manifest_is_refused()
    {
        var policy = Encoding.UTF8.GetBytes("{}");
        var bytes = BundleFactory.WithRawEntries(s => Entry(s, "content/policy.hujson", BundleLayout.RegularFile, 3, [.. policy, 0x20]), 1, policy);
        Assert.Equal(BundleError.SizeMismatch, ReadAll(bytes));
    }

    [Fact]
    public void A_huge_declared_size_is_refused_without_reading()
    {
        var bytes = BundleFactory.WithRawEntries(s => Entry(s, "content/policy.hujson", BundleLayout.RegularFile, long.MaxValue, []), 1);
        Assert.Equal(BundleError.TooLarge, ReadAll(bytes));
    }

    [Fact]
    public void A_declared_size_beyond_the_end_of_the_file_is_refused_as_truncated()
    {
        var bytes = BundleFactory.WithRawEntries(s => Entry(s, "content/policy.hujson", BundleLayout.RegularFile, 1 << 20, [1, 2, 3]), 1);
        Assert.Equal(BundleError.Truncated, ReadAll(bytes));
    }

    [Fact]
    public void A_huge_manifest_length_is_refused_without_reading()
    {
        var bytes = BundleFactory.Content("2.0.0");
        bytes[12] = 0x7f;
        Assert.Equal(BundleError.TooLarge, ReadAll(bytes));
    }

    [Fact]
    public void Too_many_declared_signatures_are_refused()
    {
        var payload = BundleFactory.ContentPayload("x");
        var manifest = BundleFactory.Manifest(BundleKind.Content, "2.0.0", payload);
        var bytes = BundleFactory.Write(manifest, payload);
        var countOffset = BundleLayout.HeaderSize + manifest.Bytes.Length;
        bytes[countOffset] = 0xff;
        Assert.Equal(BundleError.TooLarge, ReadAll(bytes));
    }

    [Fact]
    public void A_content_entry_whose_bytes_differ_from_the_manifest_hash_is_refused()
    {
        var policy = Encoding.UTF8.GetBytes("{}");
        var bytes = BundleFactory.WithRawEntries(s => Entry(s, "content/policy.hujson", BundleLayout.RegularFile, 2, "[]"u8.ToArray()), 1, policy);
        Assert.Equal(BundleError.HashMismatch, ReadAll(bytes));
    }
}
