using Appliance.State.Identity;
using Appliance.State.Tests.Support;

namespace Appliance.State.Tests.Identity;

public sealed class IdentityServiceUserTests
{
    [Fact]
    public void Users_are_created_listed_found_and_renamed()
    {
        using var state = new StateFixture();

        var alice = state.Identity.CreateUser("alice", "Alice", "alice@example.test");
        state.Identity.CreateUser("bob");
        var renamed = state.Identity.RenameUser("alice", "carol");

        Assert.True(alice.IsOk);
        Assert.Equal(OperationStatus.Ok, renamed.Status);
        Assert.Equal(["carol", "bob"], state.Identity.ListUsers().Select(u => u.Name));
        Assert.Equal(alice.Value!.Id, state.Identity.FindUser("carol")!.Id);
        Assert.Null(state.Identity.FindUser("alice"));
    }

    [Fact]
    public void Bad_or_duplicate_names_are_refused_with_a_reason()
    {
        using var state = new StateFixture();
        state.User("alice");
        state.User("bob");

        Assert.Equal(OperationStatus.Invalid, state.Identity.CreateUser("Not Valid").Status);
        Assert.Equal(OperationStatus.Conflict, state.Identity.CreateUser("alice").Status);
        Assert.Equal(OperationStatus.Conflict, state.Identity.RenameUser("alice", "bob").Status);
        Assert.Equal(OperationStatus.Invalid, state.Identity.RenameUser("alice", "-x").Status);
        var missing = state.Identity.RenameUser("zed", "zoe");
        Assert.Equal(OperationStatus.NotFound, missing.Status);
        Assert.Contains("zed", missing.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void Deleting_a_user_who_owns_nodes_needs_force_and_then_removes_the_nodes()
    {
        using var state = new StateFixture();
        var alice = state.User("alice");
        var node = state.Node(1, alice.Id);

        var refused = state.Identity.DeleteUser("alice", force: false);
        Assert.Equal(OperationStatus.Conflict, refused.Status);
        Assert.NotNull(state.Identity.FindUser("alice"));
        Assert.NotNull(state.Coordinator.Snapshot.Find(node.Id));

        var forced = state.Identity.DeleteUser("alice", force: true);
        Assert.True(forced.IsOk);
        Assert.Equal([node.Id], forced.Value!.RemovedNodeIds);
        Assert.Null(state.Coordinator.Snapshot.Find(node.Id));
        Assert.Null(state.Stored.Get(node.Id));
    }

    [Fact]
    public void Deleting_a_user_without_nodes_needs_no_force()
    {
        using var state = new StateFixture();
        state.User("alice");

        Assert.True(state.Identity.DeleteUser("alice", force: false).IsOk);
        Assert.Equal(OperationStatus.NotFound, state.Identity.DeleteUser("alice", force: false).Status);
    }
}
