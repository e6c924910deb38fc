using System.Net;
using Appliance.Pki.Certificates;

namespace Appliance.Pki.Tests.Certificates;

public sealed class NameConstraintsTests
{
    private static readonly NameConstraints Sample = NameConstraints.PermitOnly(
        ["appliance.test", "Derp.Appliance.Test."],
        [IPAddress.Parse("192.0.2.10"), IPAddress.Parse("2001:db8::1")]);

    [Fact]
    public void Encoding_round_trips()
    {
        var decoded = NameConstraints.Decode(Sample.Encode());
        Assert.Equal(Sample.PermittedDnsNames, decoded.PermittedDnsNames);
        Assert.Equal(Sample.PermittedAddresses, decoded.PermittedAddresses);
        Assert.Empty(decoded.ExcludedDnsNames);
        Assert.Equal(Sample.Encode(), decoded.Encode());
    }

    [Fact]
    public void Matching_follows_rfc5280_for_names_and_addresses()
    {
        Assert.True(Sample.Permits("appliance.test"));
        Assert.True(Sample.Permits("LOGIN.appliance.test"));
        Assert.False(Sample.Permits("evilappliance.test"));
        Assert.False(Sample.Permits("test"));
        Assert.True(Sample.Permits(IPAddress.Parse("192.0.2.10")));
        Assert.False(Sample.Permits(IPAddress.Parse("192.0.2.11")));
        Assert.True(Sample.Permits(IPAddress.Parse("2001:db8::1")));
        Assert.False(Sample.Permits(IPAddress.Parse("2001:db8::2")));
    }

    [Fact]
    public void Without_names_every_dns_name_is_excluded_and_without_addresses_every_address_is()
    {
        var onlyAddress = NameConstraints.Decode(NameConstraints.PermitOnly([], [IPAddress.Loopback]).Encode());
        Assert.False(onlyAddress.Permits("anything.example"));
        Assert.True(onlyAddress.Permits(IPAddress.Loopback));
        Assert.False(onlyAddress.Permits(IPAddress.IPv6Loopback));

        var onlyName = NameConstraints.Decode(NameConstraints.PermitOnly(["a.test"], []).Encode());
        Assert.False(onlyName.Permits(IPAddress.Loopback));
        Assert.False(onlyName.Permits(IPAddress.IPv6Loopback));
        Assert.True(onlyName.Permits("a.test"));
    }

    [Fact]
    public void Every_truncation_fails_with_a_corrupt_file_error()
    {
        var bytes = Sample.Encode();
        for (var length = 0; length < bytes.Length; length++)
        {
            var error = Assert.Throws<CaException>(() => NameConstraints.Decode(bytes.AsMemory(0, length)));
            Assert.Equal(CaErrorKind.CorruptFile, error.Kind);
        }
    }

    [Fact]
    public void Random_mutations_never_crash_the_decoder()
    {
        var random = new Random(5);
        var original = Sample.Encode();
        for (var i = 0; i < 5000; i++)
        {
            var mutated = (byte[])original.Clone();
            for (var flips = random.Next(1, 4); flips > 0; flips--)
            {
                mutated[random.Next(mutated.Length)] = (byte)random.Next(256);
            }

            try
            {
                var decoded = NameConstraints.Decode(mutated);
                _ = decoded.Permits("appliance.test");
                _ = decoded.Permits(IPAddress.Loopback);
            }
            catch (CaException e)
            {
                Assert.Equal(CaErrorKind.CorruptFile, e.Kind);
            }
        }
    }

    [Fact]
    public void A_non_contiguous_address_mask_is_refused()
    {
        var error = Assert.Throws<CaException>(() => NameConstraints.Decode(
            new byte[] { 0x30, 0x0E, 0xA0, 0x0C, 0x30, 0x0A, 0x87, 0x08, 10, 0, 0, 0, 0xFF, 0x00, 0xFF, 0x00 }));
        Assert.Equal(CaErrorKind.CorruptFile, error.Kind);
    }
}
