using Appliance.Updates.Bundles;
using Appliance.Updates.Tests.TestSupport;
using Appliance.Updates.Trust;
using Appliance.Updates.Verification;
using Appliance.Updates.Versioning;

namespace Appliance.Updates.Tests.Bundles;

/// <summary>
/// Seeded random mutation of valid bundles: byte flips, insertions, deletions, splices and length-field
/// rewrites. The reader may only ever answer "valid" for the unchanged bundle or refuse with a reason; any
/// other exception is a bug (each one found becomes a named regression test below).
/// </summary>
public class BundleReaderFuzzTests
{
    private static readonly VerificationPolicy Policy = new(TestKeys.RootV1, BundleFactory.Now)
    {
        RunningVersion = ApplianceVersion.Parse("1.0.0"),
    };

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void Mutated_bundles_are_refused_with_a_reason_and_never_crash_the_reader(int seed)
    {
        var random = new Random(seed);
        byte[][] seeds = [BundleFactory.Content("2.0.0"), BundleFactory.Release("1.1.0")];
        for (var i = 0; i < 1500; i++)
        {
            var original = seeds[i % seeds.Length];
            var mutated = Mutate(original, random);
            using var stream = new MemoryStream(mutated);
            var result = BundleVerifier.Verify(stream, Policy);
            if (result.IsValid)
            {
                Assert.Equal(original, mutated);
            }
            else
            {
                Assert.NotEqual(BundleError.None, result.Error);
                Assert.False(string.IsNullOrWhiteSpace(result.Reason));
            }
        }
    }

    [Fact]
    public void Regression_an_entry_count_larger_than_the_manifest_is_refused_not_indexed_past_the_end()
    {
        var bytes = BundleFactory.Content("2.0.0");
        using var probe = new MemoryStream(bytes);
        var header = BundleReader.ReadHeader(probe, BundleLimits.Default);
        bytes[header.EntriesOffset - 1] = 9;
        using var stream = new MemoryStream(bytes);
        var result = BundleVerifier.Verify(stream, Policy);
        Assert.Equal(BundleError.EntryNotInManifest, result.Error);
    }

    private static byte[] Mutate(byte[] input, Random random)
    {
        var bytes = new List<byte>(input);
        var edits = random.Next(1, 4);
        for (var e = 0; e < edits; e++)
        {
            var at = random.Next(bytes.Count);
            switch (random.Next(6))
            {
                case 0:
                    bytes[at] ^= (byte)(1 << random.Next(8));
                    break;
                case 1:
                    bytes[at] = (byte)random.Next(256);
                    break;
                case 2:
                    bytes.Insert(at, (byte)random.Next(256));
                    break;
                case 3:
                    bytes.RemoveAt(at);
                    break;
                case 4:
                    bytes.RemoveRange(at, bytes.Count - at);
                    break;
                default:
                    // Interesting values in length fields: 0, max, just over the real length.
                    bytes[at] = random.Next(3) switch { 0 => 0x00, 1 => 0xff, _ => 0x80 };
                    break;
            }

            if (bytes.Count == 0)
            {
                break;
            }
        }

        return [.. bytes];
    }
}
