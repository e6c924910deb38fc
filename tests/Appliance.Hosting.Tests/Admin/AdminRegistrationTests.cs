using Appliance.Hosting.Admin;
using Appliance.State.Coordinator;
using Appliance.Storage.Database;
using Appliance.Storage.Files;
using Appliance.Storage.Stores;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Appliance.Hosting.Tests.Admin;

public sealed class AdminRegistrationTests
{
    [Fact]
    public async Task A_coordinator_registered_with_TryAdd_after_AddAdminApi_is_the_writer_operator_commands_run_on()
    {
        using var folder = new AdminTestFolder();
        using var directory = DataDirectory.Open(folder.DataDir);
        using var database = ApplianceDatabase.Open(directory, TimeProvider.System);
        var alice = new UserStore(database).Insert("alice", null, null, DateTimeOffset.UtcNow).Row!;
        var node = new SqliteNodeRepository(database).Insert(AdminTestServer.NewNode(1, alice.Id)).Row!;
        using var coordinator = DirectCoordinator.Open(database, TimeProvider.System);
        var services = new ServiceCollection();
        services.AddApplianceStorage(directory, database);
        services.AddAdminApi();
        services.TryAddSingleton(coordinator);
        await using var provider = services.BuildServiceProvider();

        var api = provider.GetRequiredService<IAdminApi>();
        var renamed = await api.RenameNodeAsync(node.Id, "web", CancellationToken.None);
        Assert.True(renamed.IsOk);
        Assert.Equal("web", coordinator.Snapshot.Find(node.Id)!.Record.GivenName);

        var deleted = await api.DeleteUserAsync("alice", force: true, CancellationToken.None);
        Assert.True(deleted.IsOk);
        Assert.Null(coordinator.Snapshot.Find(node.Id));
        Assert.Null(new SqliteNodeRepository(database).Get(node.Id));
    }

    [Fact]
    public async Task Without_a_coordinator_the_admin_api_opens_its_own_over_the_database_with_unknown_presence()
    {
        using var folder = new AdminTestFolder();
        using var directory = DataDirectory.Open(folder.DataDir);
        using var database = ApplianceDatabase.Open(directory, TimeProvider.System);
        var services = new ServiceCollection();
        services.AddApplianceStorage(directory, database);
        services.AddAdminApi();
        await using var provider = services.BuildServiceProvider();
        var tagged = new SqliteNodeRepository(database).Insert(AdminTestServer.NewNode(1, null, "tag:a")).Row!;

        var api = provider.GetRequiredService<IAdminApi>();
        var nodes = await api.ListNodesAsync(null, CancellationToken.None);
        var expired = await api.ExpireNodeAsync(tagged.Id, CancellationToken.None);

        Assert.True(nodes.IsOk);
        Assert.Null(Assert.Single(nodes.Value!).Online);
        Assert.True(expired.IsOk);
        Assert.NotNull(new SqliteNodeRepository(database).Get(tagged.Id)!.KeyExpiry);
        Assert.Null(provider.GetService<ControlCoordinator>());
    }
}
