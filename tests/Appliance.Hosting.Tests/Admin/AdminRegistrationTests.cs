using Appliance.Hosting.Admin;
using Appliance.State.Nodes;
using Appliance.Storage.Database;
using Appliance.Storage.Files;
using Appliance.Storage.Stores;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Appliance.Hosting.Tests.Admin;

public sealed class AdminRegistrationTests
{
    [Fact]
    public async Task A_change_sink_registered_with_TryAdd_after_AddAdminApi_still_receives_operator_changes()
    {
        using var folder = new AdminTestFolder();
        using var directory = DataDirectory.Open(folder.DataDir);
        using var database = ApplianceDatabase.Open(directory, TimeProvider.System);
        var sink = new AdminTestServer.RecordingSink();
        var services = new ServiceCollection();
        services.AddApplianceStorage(directory, database);
        services.AddAdminApi();
        services.TryAddSingleton<INodeChangeSink>(sink);
        await using var provider = services.BuildServiceProvider();

        var api = provider.GetRequiredService<IAdminApi>();
        var alice = (await api.CreateUserAsync(new CreateUserRequest("alice"), CancellationToken.None)).Value!;
        var node = provider.GetRequiredService<NodeStore>().Insert(AdminTestServer.NewNode(1, alice.Id)).Row!;
        var renamed = await api.RenameNodeAsync(node.Id, "web", CancellationToken.None);
        var deleted = await api.DeleteUserAsync("alice", force: true, CancellationToken.None);

        Assert.True(renamed.IsOk);
        Assert.True(deleted.IsOk);
        Assert.Equal([node.Id], sink.Changed);
        Assert.Equal([node.Id], sink.Removed);
    }

    [Fact]
    public async Task Without_a_coordinator_the_admin_api_still_works_with_unknown_presence()
    {
        using var folder = new AdminTestFolder();
        using var directory = DataDirectory.Open(folder.DataDir);
        using var database = ApplianceDatabase.Open(directory, TimeProvider.System);
        var services = new ServiceCollection();
        services.AddApplianceStorage(directory, database);
        services.AddAdminApi();
        await using var provider = services.BuildServiceProvider();

        var nodes = await provider.GetRequiredService<IAdminApi>().ListNodesAsync(null, CancellationToken.None);

        Assert.True(nodes.IsOk);
        Assert.Null(provider.GetService<INodeChangeSink>());
    }
}
