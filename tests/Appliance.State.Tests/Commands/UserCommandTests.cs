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
    public void The_identity_files_people_reach_the_live_tailnet()
    {
        using var state = new StateFixture();
        var alice = state.User("alice");
        var bob = state.User("bob");
        state.Node(1, alice.Id);
        state.Node(2, bob.Id);
        var before = state.Coordinator.Snapshot.Version;

        // alice is listed with a new profile and groups; bob is not listed, so he is disabled.
        var result = state.Identity.ApplyPeople([new PersonEntry("alice", "Alice Liddell", "alice@example.org", "admin", ["group:eng"], Disabled: false)]);

        var snapshot = state.Coordinator.Snapshot;
        Assert.Equal("Alice Liddell", snapshot.Users[alice.Id].DisplayName);
        Assert.Equal<string>(["group:eng"], snapshot.Users[alice.Id].Groups);
        Assert.True(snapshot.Users[bob.Id].Disabled);
        Assert.Equal([bob.Id], result.NewlyDisabled.Select(u => u.Id));
        Assert.True(snapshot.Version > before);
    }

    [Fact]
    public void Disabling_and_enabling_a_user_reaches_the_live_tailnet()
    {
        using var state = new StateFixture();
        var alice = state.User("alice");
        state.Node(1, alice.Id);

        Assert.True(state.Identity.SetUserDisabled("alice", disabled: true).IsOk);
        Assert.True(state.Coordinator.Snapshot.Users[alice.Id].Disabled);

        Assert.True(state.Identity.SetUserDisabled("alice", disabled: false).IsOk);
        Assert.False(state.Coordinator.Snapshot.Users[alice.Id].Disabled);
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
