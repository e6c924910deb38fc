using System.Net;
using Appliance.Hosting.Admin;
using Appliance.Hosting.AdminConsole.Audit;
using Appliance.Hosting.Policy;
using Appliance.Protocol.Control;
using Appliance.ServerTests.EndToEnd;
using Appliance.ServerTests.Identity;
using Appliance.TestKit.Control;
using Microsoft.Extensions.DependencyInjection;

namespace Appliance.ServerTests.AdminConsole;

/// <summary>
/// An appliance with the console's people and something to act on: a router node of alice that advertises a subnet
/// and an exit route, a pre-auth key, a stored policy with two versions, and (on request) a login waiting.
/// </summary>
internal sealed class ConsoleTailnet : IAsyncDisposable
{
    internal const string PolicyV1 = """
        {
          "tagOwners": {"tag:server": ["alice@site"]},
          "acls": [{"action": "accept", "src": ["*"], "dst": ["*:*"]}],
        }
        """;

    internal const string PolicyV2 = """
        {
          "tagOwners": {"tag:server": ["alice@site"], "tag:db": ["alice@site"]},
          "acls": [{"action": "accept", "src": ["*"], "dst": ["*:*"]}],
        }
        """;

    private ConsoleTailnet(ApplianceUnderTest appliance, TestNode router, long routerId, string keyPrefix)
    {
        Appliance = appliance;
        Router = router;
        RouterId = routerId;
        KeyPrefix = keyPrefix;
    }

    public ApplianceUnderTest Appliance { get; }

    public TestNode Router { get; }

    public long RouterId { get; }

    public string KeyPrefix { get; }

    public IAdminApi Api => Appliance.Services.GetRequiredService<IAdminApi>();

    public IReadOnlyList<ConsoleAuditEntry> Audit => Appliance.Services.GetRequiredService<LoggingConsoleAuditHook>().Recent;

    public static async Task<ConsoleTailnet> StartAsync()
    {
        var appliance = await ApplianceUnderTest.StartAsync(identityText: ConsoleClient.IdentityText());
        var policy = appliance.Services.GetRequiredService<IPolicyAdministration>();
        Assert.True(policy.Replace(PolicyV1, "test").IsOk);
        Assert.True(policy.Replace(PolicyV2, "test").IsOk);

        var key = appliance.CreatePreAuthKey("alice@site");
        var router = await appliance.ConnectNodeAsync("router");
        var registered = await router.PostRegisterAsync(new RegisterRequest
        {
            Version = router.Version,
            NodeKey = router.NodeKey.Public,
            NLKey = "nlpub:" + new string('0', 64),
            Auth = new RegisterResponseAuth { AuthKey = key },
            Hostinfo = router.Hostinfo with { RoutableIPs = ["10.20.0.0/24", "0.0.0.0/0", "::/0"] },
        });
        Assert.True(registered.Status == HttpStatusCode.OK && registered.Response!.MachineAuthorized, registered.Text);
        var api = appliance.Services.GetRequiredService<IAdminApi>();
        var node = Assert.Single((await api.ListNodesAsync(null, default)).Value!);
        var keyPrefix = Assert.Single((await api.ListPreAuthKeysAsync(null, default)).Value!).Prefix;
        return new ConsoleTailnet(appliance, router, node.Id, keyPrefix);
    }

    /// <summary>A test node that ran `tailscale up` without a key: it waits for an operator.</summary>
    public async Task<(TestNode Node, Task<(HttpStatusCode Status, RegisterResponse? Response, string Text)> Waiting, string Id)> WaitingLoginAsync(string hostname)
    {
        var (node, waiting, url) = await LoginPageTests.WaitingLoginAsync(Appliance, hostname);
        return (node, waiting, url.AbsolutePath.Split('/')[^1]);
    }

    /// <summary>Everything a console change could touch, as JSON: equal before and after means nothing changed.</summary>
    public async Task<string> StateAsync()
    {
        var nodes = (await Api.ListNodesAsync(null, default)).Value!.Select(n => n with { Online = null, LastSeen = null });
        var keys = (await Api.ListPreAuthKeysAsync(null, default)).Value!;
        var pending = (await Api.ListPendingRegistrationsAsync(default)).Value!;
        var policy = (await Api.GetPolicyAsync(default)).Value!;
        return string.Join("\n",
            System.Text.Json.JsonSerializer.Serialize<IReadOnlyList<NodeDto>>(nodes.ToList(), AdminJsonContext.Default.IReadOnlyListNodeDto),
            System.Text.Json.JsonSerializer.Serialize<IReadOnlyList<PreAuthKeyDto>>(keys.ToList(), AdminJsonContext.Default.IReadOnlyListPreAuthKeyDto),
            string.Join(",", pending.Select(p => p.Id)),
            policy.Sha256 + policy.Version,
            await File.ReadAllTextAsync(Appliance.Services.GetRequiredService<global::Appliance.Hosting.Identity.IdentityFileService>().FilePath));
    }

    public ValueTask DisposeAsync() => Appliance.DisposeAsync();
}
