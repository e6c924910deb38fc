using System.Net;
using Appliance.Hosting.Tls;
using Appliance.Pki.Tests.Support;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace Appliance.Pki.Tests.Tls;

public sealed class LiveRenewalTests
{
    private static ApplianceTlsOptions Options(string dataDir, ChainPresentation chain = ChainPresentation.Full) => new()
    {
        DataDir = dataDir,
        DnsNames = ["appliance.test"],
        IpAddresses = [IPAddress.Loopback],
        Chain = chain,
    };

    [Fact]
    public async Task Renewal_swaps_the_certificate_for_new_connections_while_an_open_connection_keeps_working()
    {
        using var temp = new TempFolder();
        // Virtual time starts 21 days ago, so after advancing past the 2/3 point both leaves are valid by the real clock too.
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow - TimeSpan.FromDays(21));
        var store = new TlsCertificateStore(Options(temp.Path), time, NullLogger<TlsCertificateStore>.Instance);
        var swapped = new TaskCompletionSource<TlsSnapshot>(TaskCreationOptions.RunContinuationsAsynchronously);
        store.Changed += snapshot => swapped.TrySetResult(snapshot);
        await using var server = await LoopbackServer.StartAsync(store);

        await using var before = await TlsProbe.ConnectAsync(server.Port, "appliance.test");
        Assert.Equal("ok", await before.GetAsync());
        var firstLeaf = before.Leaf.Thumbprint;

        time.Advance(TimeSpan.FromDays(21));
        var renewed = await swapped.Task.WaitAsync(TimeSpan.FromSeconds(30));

        Assert.Equal("ok", await before.GetAsync());
        Assert.Equal(firstLeaf, before.Leaf.Thumbprint);
        await using var after = await TlsProbe.ConnectAsync(server.Port, "appliance.test");
        Assert.Equal("ok", await after.GetAsync());
        Assert.NotEqual(firstLeaf, after.Leaf.Thumbprint);
        Assert.Equal(renewed.Certificate.Leaf.Thumbprint, after.Leaf.Thumbprint);
        Assert.Equal("sha256-raw:" + Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(after.Leaf.RawData)), store.Current.Pin);
    }

    [Fact]
    public async Task The_handshake_presents_the_full_chain_that_validates_against_the_root()
    {
        using var temp = new TempFolder();
        var store = new TlsCertificateStore(Options(temp.Path), TimeProvider.System, NullLogger<TlsCertificateStore>.Instance);
        await using var server = await LoopbackServer.StartAsync(store);

        await using var probe = await TlsProbe.ConnectAsync(server.Port, "appliance.test");
        using var ca = Appliance.Pki.Authority.LocalCa.Open(temp.Path, TimeProvider.System);
        var presented = Assert.Single(probe.PresentedChain);
        Assert.Equal(ca.Intermediate.Thumbprint, presented.Thumbprint);
        using var chain = Chains.Build(ca.Root, probe.Leaf, probe.PresentedChain);
        Assert.True(chain.Valid, chain.Describe());
    }

    [Fact]
    public async Task Leaf_only_without_sni_presents_one_certificate_to_IP_dialled_clients_and_the_chain_to_named_ones()
    {
        using var temp = new TempFolder();
        var store = new TlsCertificateStore(Options(temp.Path, ChainPresentation.LeafOnlyWithoutSni), TimeProvider.System, NullLogger<TlsCertificateStore>.Instance);
        await using var server = await LoopbackServer.StartAsync(store);

        await using var pinned = await TlsProbe.ConnectAsync(server.Port, serverName: null);
        await using var named = await TlsProbe.ConnectAsync(server.Port, "appliance.test");

        Assert.Empty(pinned.PresentedChain);
        Assert.Equal(store.Current.Pin, "sha256-raw:" + Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(pinned.Leaf.RawData)));
        Assert.Single(named.PresentedChain);
    }
}
