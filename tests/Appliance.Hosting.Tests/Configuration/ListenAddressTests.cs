using System.Net;
using Appliance.Hosting.Configuration;

namespace Appliance.Hosting.Tests.Configuration;

public class ListenAddressTests
{
    [Theory]
    [InlineData("127.0.0.1:8080", "127.0.0.1", 8080)]
    [InlineData("0.0.0.0:3478", "0.0.0.0", 3478)]
    [InlineData("[::1]:8443", "::1", 8443)]
    [InlineData("127.0.0.1:0", "127.0.0.1", 0)]
    public void Ip_and_port_parse_to_an_endpoint(string text, string ip, int port)
    {
        Assert.True(ListenAddress.TryParse(text, out var endPoint));
        Assert.Equal(new IPEndPoint(IPAddress.Parse(ip), port), endPoint);
    }

    [Theory]
    [InlineData("localhost:8080")]
    [InlineData("127.0.0.1")]
    [InlineData("127.0.0.1:")]
    [InlineData(":8080")]
    [InlineData("::1:8080")]
    [InlineData("127.0.0.1:65536")]
    [InlineData("127.0.0.1:-1")]
    public void Host_names_missing_ports_and_bad_ports_are_refused(string text) => Assert.False(ListenAddress.TryParse(text, out _));
}
