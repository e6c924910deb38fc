using System.Net;
using System.Net.Http.Json;
using Appliance.Hosting.Admin;
using Appliance.Hosting.Policy;
using Appliance.TestKit.Control;
using Microsoft.Extensions.DependencyInjection;

namespace Appliance.ServerTests.EndToEnd;

/// <summary>
/// Issue 6 (server side) end to end: real nodes over Noise get only the peers and filters the policy gives them,
/// and the policy changes live, from an edited policy.file or through the admin socket, while a broken edit keeps
/// the previous policy. Nodes a, b, c register in that order and get 100.64.0.1, .2, .3.
/// </summary>
public sealed class PolicyEndToEndTests
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(20);

    private const string Hosts = """
          "hosts": { "node-a": "100.64.0.1", "node-b": "100.64.0.2", "node-c": "100.64.0.3" },
        """;

    private const string AToB = "{\n" + Hosts + """
          "acls": [ { "action": "accept", "src": ["node-a"], "dst": ["node-b:*"] } ],
        }
        """;

    private const string AToBAndCToA = "{\n" + Hosts + """
          "acls": [
            { "action": "accept", "src": ["node-a"], "dst": ["node-b:*"] },
            { "action": "accept", "src": ["node-c"], "dst": ["node-a:22"] },
          ],
        }
        """;

    private static async Task<(TestNode A, TestNode B, TestNode C)> JoinThreeAsync(ApplianceUnderTest appliance)
    {
        var key = appliance.CreatePreAuthKey();
        var nodes = new List<TestNode>();
        foreach (var name in new[] { "node-a", "node-b", "node-c" })
        {
            var node = await appliance.ConnectNodeAsync(name);
            var registered = await node.RegisterAsync(key);
            Assert.True(registered.Status == HttpStatusCode.OK, registered.Text);
            Assert.True(await node.StartMapPollAsync() == HttpStatusCode.OK, node.LastError);
            nodes.Add(node);
        }

        return (nodes[0], nodes[1], nodes[2]);
    }

    private static IEnumerable<string> PeerNames(TestNode node) => node.Peers.Values.Select(p => p.Name.Split('.')[0]).Order();

    [Fact]
    public async Task A_policy_file_restricts_peers_and_filters_and_an_edit_changes_the_live_maps()
    {
        await using var appliance = await ApplianceUnderTest.StartAsync("policy.hujson", AToB);
        var (a, b, c) = await JoinThreeAsync(appliance);

        Assert.True(await a.WaitUntilAsync(n => PeerNames(n).SequenceEqual(["node-b"]), Wait), string.Join(",", PeerNames(a)));
        Assert.True(await b.WaitUntilAsync(n => PeerNames(n).SequenceEqual(["node-a"]), Wait));
        Assert.True(await b.WaitUntilAsync(n => n.PacketFilters.TryGetValue("base", out var f) && f.Any(r => r.SrcIPs.SequenceEqual(["100.64.0.1"])), Wait));
        Assert.Empty(c.Peers);
        Assert.Empty(c.PacketFilters["base"]);

        // A broken edit is refused with its position, and the previous policy stays live.
        var path = Path.Combine(appliance.DataDir, "policy.hujson");
        await File.WriteAllTextAsync(path, "{ \"acls\": [ { \"action\": \"accept\", \"src\": [\"tag:ghost\"], \"dst\": [\"*:*\"] } ] }");
        var service = appliance.Services.GetRequiredService<PolicyService>();
        var rejected = service.Reload();
        Assert.Equal(PolicyReloadStatus.Rejected, rejected.Status);
        Assert.StartsWith("1:", rejected.Errors, StringComparison.Ordinal);
        Assert.Contains("tag:ghost", rejected.Errors, StringComparison.Ordinal);
        var live = await appliance.Admin.GetFromJsonAsync(new Uri("http://admin/api/v1/policy"), AdminJsonContext.Default.PolicyDto);
        Assert.Equal(AToB, live!.Text);
        Assert.Equal("file:" + path, live.Source);

        // A good edit is picked up by the file watcher: c and a now see each other and a's filter admits c on 22.
        await File.WriteAllTextAsync(path, AToBAndCToA);
        Assert.True(await a.WaitUntilAsync(n => PeerNames(n).SequenceEqual(["node-b", "node-c"]), Wait), string.Join(",", PeerNames(a)));
        Assert.True(await a.WaitUntilAsync(n => n.PacketFilters["base"].Any(r => r.SrcIPs.SequenceEqual(["100.64.0.3"])), Wait));
        Assert.True(await c.WaitUntilAsync(n => PeerNames(n).SequenceEqual(["node-a"]), Wait));
        Assert.Equal(["node-a"], PeerNames(b));
    }

    [Fact]
    public async Task Without_a_policy_everyone_sees_everyone_until_one_is_set_through_the_admin_socket()
    {
        await using var appliance = await ApplianceUnderTest.StartAsync();
        var (a, _, c) = await JoinThreeAsync(appliance);
        Assert.True(await a.WaitUntilAsync(n => PeerNames(n).SequenceEqual(["node-b", "node-c"]), Wait));
        Assert.True(await c.WaitUntilAsync(n => n.PacketFilters.TryGetValue("base", out var f) && f.Single().SrcIPs.SequenceEqual(["*"]), Wait));

        using (var bad = await appliance.Admin.PutAsJsonAsync(
            new Uri("http://admin/api/v1/policy"), new SetPolicyRequest("{\n \"acls\": [ { \"action\": \"drop\" } ]\n}"), AdminJsonContext.Default.SetPolicyRequest))
        {
            Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
            var error = await bad.Content.ReadFromJsonAsync(AdminJsonContext.Default.ErrorDto);
            Assert.StartsWith("2:", error!.Error, StringComparison.Ordinal);
        }

        using (var set = await appliance.Admin.PutAsJsonAsync(
            new Uri("http://admin/api/v1/policy"), new SetPolicyRequest(AToB, "e2e.hujson"), AdminJsonContext.Default.SetPolicyRequest))
        {
            Assert.Equal(HttpStatusCode.OK, set.StatusCode);
            var stored = await set.Content.ReadFromJsonAsync(AdminJsonContext.Default.PolicyDto);
            Assert.NotNull(stored!.Version);
        }

        Assert.True(await a.WaitUntilAsync(n => PeerNames(n).SequenceEqual(["node-b"]), Wait), string.Join(",", PeerNames(a)));
        Assert.True(await c.WaitUntilAsync(n => n.Peers.Count == 0 && n.PacketFilters["base"].Count == 0, Wait));
    }
}
