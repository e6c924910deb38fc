using System.Net;
using Appliance.Pki.Authority;

namespace Appliance.Pki.Tests.Support;

/// <summary>Options and helpers shared by the CA tests.</summary>
public static class TestCa
{
    public static LocalCaOptions Options(params string[] dnsNames) => new()
    {
        DnsNames = dnsNames.Length == 0 ? ["appliance.test", "derp.appliance.test"] : dnsNames,
        IpAddresses = [IPAddress.Loopback, IPAddress.IPv6Loopback],
    };

    public static UnixFileMode ModeOf(string path) => File.GetUnixFileMode(path) & (UnixFileMode)0x1FF;
}
