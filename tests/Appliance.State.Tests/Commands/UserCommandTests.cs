using Appliance.State.Identity;
using Appliance.State.Tests.Support;

namespace Appliance.State.Tests.Commands;

/// <summary>User commands run on the tailnet writer and reach the live snapshot in the same step.</summary>
public sealed class UserCommandTests
{
    [Fact]
    public void Renaming_a_user_who_owns_nodes_updates_the_live_tailnet()
    {
        using var state = new StateFixture();
        var alice = state.User("alice");
        var node = state.Node(1, alice.Id);
        var before = state.Coordinator.Snapshot.Version;

        Assert.True(state.Identity.RenameUser("alice", "bob").IsOk);

        var snapshot = state.Coordinator.Snapshot;
        Assert.Equal("bob", snapshot.Users[alice.Id].Name);
        Assert.True(snapshot.Version > before);
        Assert.NotNull(snapshot.Find(node.Id));
    }

    [Fact]
    public void A_refused_user_command_publishes_nothing()
    {
        using var state = new StateFixture();
        state.User("alice");
        state.User("bob");
        var before = state.Coordinator.Snapshot;

        Assert.Equal(OperationStatus.Conflict, state.Identity.RenameUser("alice", "bob").Status);
        Assert.Equal(OperationStatus.NotFound, state.Identity.DeleteUser("carol", force: true).Status);
        Assert.Equal(OperationStatus.Invalid, state.Identity.CreateUser("Not Valid").Status);

        Assert.Same(before, state.Coordinator.Snapshot);
    }
}
