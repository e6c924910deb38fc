using Appliance.Protocol.Control;
using Appliance.Protocol.Keys;
using Appliance.State.Coordinator;

namespace Appliance.State.Tests.Coordinator;

/// <summary>The operator side of interactive registration: listing, approving by id or URL, and races with the client's Followup.</summary>
public sealed class InteractiveApprovalTests
{
    [Fact]
    public async Task Approving_before_the_followup_arrives_still_completes_it_and_the_registration_leaves_the_list()
    {
        using var f = new CoordinatorFixture();
        var machine = MachinePrivate.Generate().Public;
        var request = new RegisterRequest { Version = 133, NodeKey = NodePrivate.Generate().Public, Hostinfo = new Hostinfo { Hostname = "laptop", OS = "linux" } };
        var url = f.Coordinator.Register(machine, request).Response!.AuthURL;
        f.Time.Advance(TimeSpan.FromSeconds(3));

        var listed = Assert.Single(f.Coordinator.ListPending());
        Assert.Equal("laptop", listed.Hostname);
        Assert.Equal(machine, listed.Machine);
        Assert.Equal(f.Time.GetUtcNow().AddSeconds(-3), listed.Created);

        var approval = f.Coordinator.Approve(url, "alice");
        Assert.Equal(ApprovalStatus.Approved, approval.Status);
        Assert.Equal("laptop", approval.Node!.Record.Hostname);
        Assert.Empty(f.Coordinator.ListPending());
        Assert.Equal(ApprovalStatus.RegistrationNotFound, f.Coordinator.ApproveRegistration(listed.Id, "alice"));

        var followup = f.Coordinator.Register(machine, request with { Followup = url });
        var done = await followup.Pending!.Completion.WaitAsync(TimeSpan.FromSeconds(5));
        Assert.True(done.Response!.MachineAuthorized);
        Assert.Single(f.Coordinator.Snapshot.Nodes);
    }

    [Fact]
    public void A_registration_that_ran_out_is_neither_listed_nor_approvable_and_another_machine_cannot_follow_it()
    {
        using var f = new CoordinatorFixture();
        var machine = MachinePrivate.Generate().Public;
        var request = new RegisterRequest { Version = 133, NodeKey = NodePrivate.Generate().Public, Hostinfo = new Hostinfo { Hostname = "late" } };
        var url = f.Coordinator.Register(machine, request).Response!.AuthURL;

        var stranger = f.Coordinator.Register(MachinePrivate.Generate().Public, request with { NodeKey = NodePrivate.Generate().Public, Followup = url });
        Assert.Null(stranger.Pending);
        Assert.NotEqual(url, stranger.Response!.AuthURL);

        f.Time.Advance(f.Options.InteractiveRegistrationLifetime);
        Assert.DoesNotContain(f.Coordinator.ListPending(), p => p.AuthUrl.ToString() == url);
        Assert.Equal(ApprovalStatus.RegistrationNotFound, f.Coordinator.Approve(url, "alice").Status);
        Assert.Empty(f.Coordinator.Snapshot.Nodes);
    }
}
