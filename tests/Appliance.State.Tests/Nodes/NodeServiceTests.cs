using Appliance.State.Identity;
using Appliance.State.Tests.Support;

namespace Appliance.State.Tests.Nodes;

public sealed class NodeServiceTests
{
    [Fact]
    public void List_shows_each_node_with_its_user_and_presence()
    {
        using var state = new StateFixture();
        var alice = state.User("alice");
        var mine = state.Node(1, alice.Id);
        var tagged = state.Node(2, null, "tag:server");
        state.Presence.Online.Add(mine.Id);

        var all = state.Nodes.List().Value!;
        var alices = state.Nodes.List("alice").Value!;

        Assert.Equal([mine.Id, tagged.Id], all.Select(v => v.Node.Id));
        Assert.Equal("alice", all[0].UserName);
        Assert.True(all[0].Online);
        Assert.Null(all[1].UserName);
        Assert.False(all[1].Online);
        Assert.Equal([mine.Id], alices.Select(v => v.Node.Id));
        Assert.Equal(OperationStatus.NotFound, state.Nodes.List("bob").Status);
    }

    [Fact]
    public void Expire_sets_the_key_expiry_to_now_and_the_live_tailnet()
    {
        using var state = new StateFixture();
        var node = state.Node(1, state.User("alice").Id);
        state.Time.Advance(TimeSpan.FromMinutes(3));

        var expired = state.Nodes.Expire(node.Id);

        Assert.Equal(state.Time.GetUtcNow(), expired.Value!.KeyExpiry);
        Assert.True(expired.Value.IsKeyExpired(state.Time.GetUtcNow()));
        Assert.Equal(state.Time.GetUtcNow(), state.Stored.Get(node.Id)!.UpdatedAt);
        Assert.True(state.Coordinator.Snapshot.Find(node.Id)!.Wire.Expired);
    }

    [Fact]
    public void Rename_validates_the_label_and_refuses_a_taken_name()
    {
        using var state = new StateFixture();
        var one = state.Node(1, null, "tag:a");
        state.Node(2, null, "tag:a");

        Assert.Equal("web", state.Nodes.Rename(one.Id, "web").Value!.GivenName);
        Assert.Equal(OperationStatus.Invalid, state.Nodes.Rename(one.Id, "Web Server").Status);
        Assert.Equal(OperationStatus.Conflict, state.Nodes.Rename(one.Id, "host-2").Status);
        Assert.Equal(OperationStatus.NotFound, state.Nodes.Rename(99, "db").Status);
        Assert.Equal("web", state.Stored.Get(one.Id)!.GivenName);
        Assert.Equal("web", state.Coordinator.Snapshot.Find(one.Id)!.Record.GivenName);
    }

    [Fact]
    public void Tagging_a_users_node_makes_it_owned_by_its_tags()
    {
        using var state = new StateFixture();
        var node = state.Node(1, state.User("alice").Id);

        var tagged = state.Nodes.SetTags(node.Id, ["tag:server", "tag:db"]);

        Assert.True(tagged.IsOk);
        Assert.Null(tagged.Value!.UserId);
        Assert.Equal<string>(["tag:server", "tag:db"], state.Stored.Get(node.Id)!.Tags);
        Assert.Equal(["tag:server", "tag:db"], state.Coordinator.Snapshot.Find(node.Id)!.Wire.Tags);
    }

    [Fact]
    public void A_tagged_node_without_a_user_must_keep_a_tag_and_bad_tags_are_refused()
    {
        using var state = new StateFixture();
        var node = state.Node(1, null, "tag:server");

        Assert.Equal(OperationStatus.Invalid, state.Nodes.SetTags(node.Id, []).Status);
        Assert.Equal(OperationStatus.Invalid, state.Nodes.SetTags(node.Id, ["server"]).Status);
        Assert.Equal(OperationStatus.NotFound, state.Nodes.SetTags(99, ["tag:x"]).Status);
        Assert.Equal<string>(["tag:server"], state.Stored.Get(node.Id)!.Tags);
        Assert.Equal<string>(["tag:server"], state.Coordinator.Snapshot.Find(node.Id)!.Record.Tags);
    }

    [Fact]
    public void Clearing_the_tags_of_a_users_node_keeps_the_user()
    {
        using var state = new StateFixture();
        var alice = state.User("alice");
        var node = state.Node(1, alice.Id, "tag:old");

        var cleared = state.Nodes.SetTags(node.Id, []);

        Assert.Equal(alice.Id, cleared.Value!.UserId);
        Assert.Empty(cleared.Value.Tags);
    }

    [Fact]
    public void Delete_removes_the_node_and_the_live_tailnet()
    {
        using var state = new StateFixture();
        var node = state.Node(1, null, "tag:a");

        Assert.True(state.Nodes.Delete(node.Id).IsOk);
        Assert.Equal(OperationStatus.NotFound, state.Nodes.Delete(node.Id).Status);
        Assert.Null(state.Stored.Get(node.Id));
        Assert.Null(state.Coordinator.Snapshot.Find(node.Id));
    }
}
