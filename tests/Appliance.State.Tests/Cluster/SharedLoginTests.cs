using Appliance.Protocol.Control;
using Appliance.Protocol.Keys;
using Appliance.State.Coordinator;
using Appliance.State.Tests.Coordinator;

namespace Appliance.State.Tests.Cluster;

/// <summary>
/// Interactive logins shared by two coordinators over one login store and one node repository, as two appliances
/// over one database (docs/ops/ha.md): a login started on A is listed, approved or refused on B, its client's poll
/// on A completes once A applies the stored change (what ClusterSync does on the change feed), a client re-asking
/// B with its Followup finds the login, and two operators racing on A and B admit the machine once.
/// </summary>
public sealed class SharedLoginTests : IDisposable
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(5);

    private readonly CoordinatorFixture _a = new();
    private readonly ControlCoordinator _b;

    public SharedLoginTests()
    {
        _b = new ControlCoordinator(_a.Options, _a.Repository, _a.Users, _a.Keys, StaticDerpMapProvider.Empty, new AllowAllPacketFilter(), _a.Time, pendingLogins: _a.Logins);

        // Both shared: a node the other wrote makes an insert collide, and the registration is decided again.
        _a.Coordinator.AttachCluster(new AlwaysLeader(), new AlwaysLeader());
        _b.AttachCluster(new AlwaysLeader(), new AlwaysLeader());
        _b.Start();
    }

    [Fact]
    public async Task A_login_waiting_on_A_is_listed_and_approved_on_B_and_completes_on_A_when_the_change_is_applied()
    {
        var (machine, request, url) = StartLogin(_a, "laptop");
        var waiting = _a.Coordinator.Register(machine, request with { Followup = url }).Pending!;

        var listed = Assert.Single(_b.ListPending());
        Assert.Equal("laptop", listed.Hostname);
        Assert.Equal(machine, listed.Machine);
        Assert.NotNull(_b.FindPending(url));

        var approval = _b.Approve(listed.Id, "alice");
        Assert.Equal(ApprovalStatus.Approved, approval.Status);
        Assert.Empty(_a.Coordinator.ListPending());
        Assert.False(waiting.Completion.IsCompleted, "A learned of B's approval without the change feed");

        _a.Coordinator.Registrations.ApplyStoredLogin(_a.Logins.Find(listed.Id)!.RowId);
        var done = await waiting.Completion.WaitAsync(Wait);
        Assert.True(done.Response!.MachineAuthorized);
        Assert.Equal("alice", done.Response.Login.LoginName);
        Assert.Equal(approval.Node!.Id, done.Node!.Id);
        Assert.NotNull(_a.Coordinator.Snapshot.Find(approval.Node.Id)); // A read the node B wrote to answer its client
    }

    [Fact]
    public async Task A_client_that_moves_to_B_while_waiting_finds_its_login_there_and_gets_A_s_approval()
    {
        var (machine, request, url) = StartLogin(_a, "moving");

        var onB = _b.Register(machine, request with { Followup = url });
        Assert.NotNull(onB.Pending);
        Assert.Null(onB.Response);
        Assert.Equal(url, onB.Pending!.AuthUrl.ToString());

        var stranger = _b.Register(MachinePrivate.Generate().Public, request with { NodeKey = NodePrivate.Generate().Public, Followup = url });
        Assert.Null(stranger.Pending); // the id alone does not let another machine follow the login

        var approval = _a.Coordinator.Approve(url, "alice");
        Assert.Equal(ApprovalStatus.Approved, approval.Status);
        _b.Registrations.ApplyStoredLogin(_a.Logins.Find(onB.Pending.Id)!.RowId);
        var done = await onB.Pending.Completion.WaitAsync(Wait);
        Assert.True(done.Response!.MachineAuthorized);
        Assert.Equal(approval.Node!.Id, done.Node!.Id);
    }

    [Fact]
    public async Task A_followup_that_reaches_B_after_the_approval_gets_the_result_at_once()
    {
        var (machine, request, url) = StartLogin(_a, "late");
        Assert.Equal(ApprovalStatus.Approved, _a.Coordinator.Approve(url, "alice").Status);

        var onB = _b.Register(machine, request with { Followup = url });
        var done = await onB.Pending!.Completion.WaitAsync(Wait);
        Assert.True(done.Response!.MachineAuthorized);
    }

    [Fact]
    public async Task A_refusal_on_B_reaches_the_client_waiting_on_A_with_its_reason()
    {
        var (machine, request, url) = StartLogin(_a, "refused");
        var waiting = _a.Coordinator.Register(machine, request with { Followup = url }).Pending!;

        Assert.True(_b.Reject(url, "not this laptop"));
        Assert.False(_b.Reject(url, "twice"), "a decided login was refused again");
        Assert.Equal(ApprovalStatus.RegistrationNotFound, _a.Coordinator.Approve(url, "alice").Status);

        _a.Coordinator.Registrations.ApplyStoredLogin(_a.Logins.Find(waiting.Id)!.RowId);
        var done = await waiting.Completion.WaitAsync(Wait);
        Assert.Equal("not this laptop", done.Response!.Error);
        Assert.Empty(_a.Coordinator.Snapshot.Nodes);
    }

    [Fact]
    public void Two_operators_approving_on_A_and_B_at_once_admit_the_machine_once()
    {
        for (var round = 0; round < 20; round++)
        {
            var (_, _, url) = StartLogin(_a, "raced" + round);
            var results = new ApprovalStatus[2];
            Parallel.Invoke(
                () => results[0] = _a.Coordinator.Approve(url, "alice").Status,
                () => results[1] = _b.Approve(url, "alice").Status);
            Assert.Single(results, r => r == ApprovalStatus.Approved);
            Assert.Single(results, r => r == ApprovalStatus.RegistrationNotFound);
        }

        Assert.Equal(20, _a.Repository.LoadAll().Count);
    }

    [Fact]
    public void Logins_that_ran_out_are_forgotten_by_the_heartbeat_and_their_waiters_cancelled()
    {
        var (machine, request, url) = StartLogin(_a, "expiring");
        var waiting = _a.Coordinator.Register(machine, request with { Followup = url }).Pending!;
        var id = waiting.Id;

        _a.Time.Advance(_a.Options.InteractiveRegistrationLifetime + _a.Options.HeartbeatInterval);
        Assert.True(waiting.Completion.IsCanceled);
        Assert.Null(_a.Logins.Find(id));
        Assert.Null(_b.Register(machine, request with { Followup = url }).Pending);
    }

    public void Dispose()
    {
        _b.Dispose();
        _a.Dispose();
    }

    private static (MachinePublic Machine, RegisterRequest Request, string Url) StartLogin(CoordinatorFixture on, string hostname) =>
        StartLogin(on.Coordinator, hostname);

    private static (MachinePublic Machine, RegisterRequest Request, string Url) StartLogin(ControlCoordinator on, string hostname)
    {
        var machine = MachinePrivate.Generate().Public;
        var request = new RegisterRequest { Version = 133, NodeKey = NodePrivate.Generate().Public, Hostinfo = new Hostinfo { Hostname = hostname, OS = "linux" } };
        var url = on.Register(machine, request).Response!.AuthURL;
        return (machine, request, url);
    }

    private sealed class AlwaysLeader : IClusterPresence, IRunOnceLease
    {
        void IClusterPresence.Connected(long nodeId)
        {
        }

        void IClusterPresence.Disconnected(long nodeId)
        {
        }

        public bool TryTake(string work) => true;
    }
}
