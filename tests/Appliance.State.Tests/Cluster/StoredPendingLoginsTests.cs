using Appliance.Protocol.Control;
using Appliance.Protocol.Keys;
using Appliance.State.Coordinator;
using Appliance.State.Tests.Support;
using Appliance.Storage.Cluster;

namespace Appliance.State.Tests.Cluster;

/// <summary>
/// Waiting logins in the database (pending_logins through StoredPendingLogins): what the client asked comes back as
/// it was sent, and rows that do not parse (damaged, or from a newer release) count as absent instead of failing
/// a registration, a listing or the console; fuzzed with random request text.
/// </summary>
public sealed class StoredPendingLoginsTests : IDisposable
{
    private readonly StateFixture _state = new();

    [Fact]
    public void A_stored_login_comes_back_with_its_request_and_its_decision()
    {
        var logins = new StoredPendingLogins(_state.Database);
        var now = _state.Time.GetUtcNow();
        var machine = MachinePrivate.Generate().Public;
        var request = new RegisterRequest
        {
            Version = 133,
            NodeKey = NodePrivate.Generate().Public,
            Ephemeral = true,
            Expiry = now.AddDays(3),
            Hostinfo = new Hostinfo { Hostname = "laptop", OS = "linux", RoutableIPs = ["198.51.100.0/24"] },
        };
        var login = new PendingLogin("abc", machine, request, new Uri("http://127.0.0.1:8080/register/abc"), now, now.AddMinutes(15));

        Assert.True(logins.TryAdd(login));
        Assert.False(logins.TryAdd(login with { Machine = MachinePrivate.Generate().Public }));
        var found = logins.Find("abc")!;
        Assert.Equal((machine, request.NodeKey, true, request.Expiry, "laptop"), (found.Machine, found.Request.NodeKey, found.Request.Ephemeral, found.Request.Expiry, found.Request.Hostinfo!.Hostname));
        Assert.Equal(["198.51.100.0/24"], found.Request.Hostinfo.RoutableIPs!);
        Assert.Equal((login.AuthUrl, login.Created, login.Expires, PendingLoginState.Waiting), (found.AuthUrl, found.Created, found.Expires, found.State));
        Assert.Equal(("abc", found.RowId), (logins.FindByRowId(found.RowId)!.Id, found.RowId));
        Assert.Single(logins.ListWaiting(now));

        Assert.True(logins.TryClaim("abc", now));
        Assert.False(logins.TryClaim("abc", now));
        logins.Decide("abc", 9, null);
        Assert.Equal((PendingLoginState.Approved, 9L), (logins.Find("abc")!.State, logins.Find("abc")!.NodeId!.Value));
        Assert.Empty(logins.ListWaiting(now));
        Assert.Equal(1, logins.DeleteExpired(now.AddMinutes(15)));
        Assert.Null(logins.Find("abc"));
    }

    [Fact]
    public void Rows_that_do_not_parse_count_as_absent()
    {
        var store = new PendingLoginStore(_state.Database);
        var logins = new StoredPendingLogins(_state.Database);
        var now = _state.Time.GetUtcNow().ToUnixTimeMilliseconds();
        var machine = MachinePrivate.Generate().Public.ToString();
        const string Good = """{"Version":133,"NodeKey":"nodekey:0000000000000000000000000000000000000000000000000000000000000000"}""";
        store.TryInsert("bad-machine", "mkey:zz", Good, "http://x/register/bad-machine", now, now + 60_000);
        store.TryInsert("bad-url", machine, Good, "not a url", now, now + 60_000);
        store.TryInsert("bad-json", machine, "{", "http://x/register/bad-json", now, now + 60_000);
        store.TryInsert("null-json", machine, "null", "http://x/register/null-json", now, now + 60_000);
        store.TryInsert("good", machine, Good, "http://x/register/good", now, now + 60_000);

        var random = new Random(5);
        for (var i = 0; i < 300; i++)
        {
            var bytes = new byte[random.Next(0, 64)];
            random.NextBytes(bytes);
            var text = random.Next(3) switch
            {
                0 => System.Text.Encoding.Latin1.GetString(bytes),
                1 => "{\"Version\":" + string.Join(",", bytes) + "}",
                _ => Good[..random.Next(Good.Length)],
            };
            store.TryInsert("fuzz-" + i, machine, text, "http://x/register/fuzz-" + i, now + i, now + 60_000);
            _ = logins.Find("fuzz-" + i);
        }

        foreach (var id in new[] { "bad-machine", "bad-url", "bad-json", "null-json" })
        {
            Assert.Null(logins.Find(id));
        }

        Assert.NotNull(logins.Find("good"));
        Assert.Contains(logins.ListWaiting(_state.Time.GetUtcNow()), l => l.Id == "good");
        Assert.DoesNotContain(logins.ListWaiting(_state.Time.GetUtcNow()), l => l.Id.StartsWith("bad-", StringComparison.Ordinal));
    }

    public void Dispose() => _state.Dispose();
}
