using System.Net;
using System.Net.Http.Json;
using System.Text;
using Appliance.Cli;
using Appliance.Hosting.Admin;
using Appliance.State.Identity;

namespace Appliance.Hosting.Tests.Admin;

public sealed class AdminApiTests
{
    [Fact]
    public async Task Users_can_be_created_listed_renamed_and_deleted_over_the_admin_socket()
    {
        using var folder = new AdminTestFolder();
        await using var server = await AdminTestServer.StartAsync(folder.DataDir);
        using var client = new AdminClient(server.Directory.AdminSocketPath);

        var created = await client.CreateUserAsync(new CreateUserRequest("alice", "Alice"), CancellationToken.None);
        var renamed = await client.RenameUserAsync("alice", "carol", CancellationToken.None);
        var listed = await client.ListUsersAsync(CancellationToken.None);
        var deleted = await client.DeleteUserAsync("carol", force: false, CancellationToken.None);

        Assert.True(created.IsOk);
        Assert.Equal("Alice", created.Value!.DisplayName);
        Assert.Equal("carol", renamed.Value!.Name);
        Assert.Equal(["carol"], listed.Value!.Select(u => u.Name));
        Assert.Equal("carol", deleted.Value!.User.Name);
        Assert.Empty((await client.ListUsersAsync(CancellationToken.None)).Value!);
    }

    [Fact]
    public async Task Expected_failures_come_back_as_their_status_with_the_reason()
    {
        using var folder = new AdminTestFolder();
        await using var server = await AdminTestServer.StartAsync(folder.DataDir);
        using var client = new AdminClient(server.Directory.AdminSocketPath);
        await client.CreateUserAsync(new CreateUserRequest("alice"), CancellationToken.None);

        var duplicate = await client.CreateUserAsync(new CreateUserRequest("alice"), CancellationToken.None);
        var invalid = await client.CreateUserAsync(new CreateUserRequest("Not Valid"), CancellationToken.None);
        var missing = await client.RenameUserAsync("bob", "carol", CancellationToken.None);
        var badDuration = await client.CreatePreAuthKeyAsync(new CreatePreAuthKeyRequest("alice", Expiration: "soon"), CancellationToken.None);
        var zeroDuration = await client.CreatePreAuthKeyAsync(new CreatePreAuthKeyRequest("alice", Expiration: "0s"), CancellationToken.None);

        Assert.Equal(OperationStatus.Conflict, duplicate.Status);
        Assert.Contains("already exists", duplicate.Error, StringComparison.Ordinal);
        Assert.Equal(OperationStatus.Invalid, invalid.Status);
        Assert.Equal(OperationStatus.NotFound, missing.Status);
        Assert.Equal(OperationStatus.Invalid, badDuration.Status);
        Assert.Contains("not a duration", badDuration.Error, StringComparison.Ordinal);
        Assert.Equal(OperationStatus.Invalid, zeroDuration.Status);
        Assert.Contains("is zero", zeroDuration.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_created_pre_auth_key_is_returned_once_and_works_for_registration()
    {
        using var folder = new AdminTestFolder();
        await using var server = await AdminTestServer.StartAsync(folder.DataDir);
        using var client = new AdminClient(server.Directory.AdminSocketPath);
        await client.CreateUserAsync(new CreateUserRequest("alice"), CancellationToken.None);

        var created = await client.CreatePreAuthKeyAsync(
            new CreatePreAuthKeyRequest("alice", Reusable: true, Expiration: "2h", Tags: ["tag:ci"]), CancellationToken.None);
        var listed = await client.ListPreAuthKeysAsync("alice", CancellationToken.None);

        var key = created.Value!.Key!;
        Assert.StartsWith(created.Value.Prefix + "_", key, StringComparison.Ordinal);
        Assert.Null(Assert.Single(listed.Value!).Key);
        var identity = new IdentityService(server.Database, TimeProvider.System);
        Assert.True(identity.TryConsumePreAuthKey(key, DateTimeOffset.UtcNow).IsValid);

        var expired = await client.ExpirePreAuthKeyAsync(created.Value.Prefix, CancellationToken.None);
        Assert.True(expired.Value!.Expired);
        Assert.False(identity.TryConsumePreAuthKey(key, DateTimeOffset.UtcNow.AddSeconds(1)).IsValid);
    }

    [Fact]
    public async Task Node_verbs_change_the_database_and_the_live_tailnet()
    {
        using var folder = new AdminTestFolder();
        await using var server = await AdminTestServer.StartAsync(folder.DataDir);
        using var client = new AdminClient(server.Directory.AdminSocketPath);
        var one = server.AddNode(1, null, "tag:a");
        var two = server.AddNode(2, null, "tag:a");

        var renamed = await client.RenameNodeAsync(one.Id, "web", CancellationToken.None);
        var tagged = await client.SetNodeTagsAsync(one.Id, ["tag:web", "tag:prod"], CancellationToken.None);
        var expired = await client.ExpireNodeAsync(one.Id, CancellationToken.None);
        var deleted = await client.DeleteNodeAsync(two.Id, CancellationToken.None);
        var listed = await client.ListNodesAsync(null, CancellationToken.None);

        Assert.Equal("web", renamed.Value!.Name);
        Assert.Equal(["tag:web", "tag:prod"], tagged.Value!.Tags);
        Assert.True(expired.Value!.Expired);
        Assert.Equal(two.Id, deleted.Value!.Id);
        var node = Assert.Single(listed.Value!);
        Assert.Equal(["100.64.0.1"], node.IpAddresses);
        Assert.Null(node.Online);
        var live = server.Coordinator.Snapshot.Find(one.Id)!;
        Assert.Equal("web", live.Record.GivenName);
        Assert.Equal(["tag:prod", "tag:web"], live.Wire.Tags!.Order(StringComparer.Ordinal));
        Assert.True(live.Wire.Expired);
        Assert.Null(server.Coordinator.Snapshot.Find(two.Id));
        Assert.Equal(OperationStatus.NotFound, (await client.ExpireNodeAsync(999, CancellationToken.None)).Status);
        server.AddNode(3, null, "tag:a");
        Assert.Equal(OperationStatus.Conflict, (await client.RenameNodeAsync(one.Id, "host-3", CancellationToken.None)).Status);
    }

    [Fact]
    public async Task Requests_over_tcp_are_refused_even_from_loopback()
    {
        using var folder = new AdminTestFolder();
        await using var server = await AdminTestServer.StartAsync(folder.DataDir);
        using var http = new HttpClient { BaseAddress = server.TcpAddress };

        using var list = await http.GetAsync(new Uri("/api/v1/users", UriKind.Relative));
        using var create = await http.PostAsJsonAsync(
            new Uri("/api/v1/users", UriKind.Relative), new CreateUserRequest("mallory"), AdminJsonContext.Default.CreateUserRequest);

        Assert.Equal(HttpStatusCode.Forbidden, list.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, create.StatusCode);
        Assert.Contains("admin socket", await list.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        using var client = new AdminClient(server.Directory.AdminSocketPath);
        Assert.Empty((await client.ListUsersAsync(CancellationToken.None)).Value!);
    }

    [Fact]
    public async Task A_malformed_body_is_a_bad_request_that_changes_nothing()
    {
        using var folder = new AdminTestFolder();
        await using var server = await AdminTestServer.StartAsync(folder.DataDir);
        using var http = UnixHttp(server.Directory.AdminSocketPath);

        using var broken = await http.PostAsync(
            new Uri("/api/v1/users", UriKind.Relative), new StringContent("{\"name\":", Encoding.UTF8, "application/json"));
        using var empty = await http.PostAsync(
            new Uri("/api/v1/users", UriKind.Relative), new StringContent("null", Encoding.UTF8, "application/json"));
        using var badId = await http.PostAsync(new Uri("/api/v1/nodes/abc/expire", UriKind.Relative), null);

        Assert.Equal(HttpStatusCode.BadRequest, broken.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, empty.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, badId.StatusCode);
        using var client = new AdminClient(server.Directory.AdminSocketPath);
        Assert.Empty((await client.ListUsersAsync(CancellationToken.None)).Value!);
    }

    [Fact]
    public async Task The_listening_probe_tells_a_live_socket_from_a_missing_one()
    {
        using var folder = new AdminTestFolder();
        await using var server = await AdminTestServer.StartAsync(folder.DataDir);

        Assert.True(await AdminClient.IsListeningAsync(server.Directory.AdminSocketPath, CancellationToken.None));
        Assert.False(await AdminClient.IsListeningAsync(Path.Combine(folder.Path, "none.sock"), CancellationToken.None));
    }

    private static HttpClient UnixHttp(string socketPath) => new(new SocketsHttpHandler
    {
        ConnectCallback = async (_, ct) =>
        {
            var socket = new System.Net.Sockets.Socket(System.Net.Sockets.AddressFamily.Unix, System.Net.Sockets.SocketType.Stream, System.Net.Sockets.ProtocolType.Unspecified);
            await socket.ConnectAsync(new System.Net.Sockets.UnixDomainSocketEndPoint(socketPath), ct);
            return new System.Net.Sockets.NetworkStream(socket, ownsSocket: true);
        },
    })
    { BaseAddress = new Uri("http://admin") };
}
