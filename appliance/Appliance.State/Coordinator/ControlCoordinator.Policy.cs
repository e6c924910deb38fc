using Appliance.Policy.Compilation;
using Appliance.Policy.Model;
using Appliance.State.Policy;

namespace Appliance.State.Coordinator;

/// <summary>
/// The live policy. <see cref="ApplyPolicy"/> compiles a new text against the current tailnet (tests included) and
/// swaps it in only when it compiles; nodes whose view changed get new filters, peers and SSH policy in the next
/// fan-out. A topology change (a node joins or leaves, tags, addresses or routes change) marks the policy stale, and
/// it is recompiled once, from the same accepted document, before the next delta or full map.
/// </summary>
public sealed partial class ControlCoordinator
{
    /// <summary>Why the last recompile for a topology change failed, if it did (the previous views stay live).</summary>
    public string? LastPolicyRecompileError { get; private set; }

    public CompileOptions PolicyCompileOptions => new() { ControlUrl = _options.ServerUrl.ToString().TrimEnd('/') };

    /// <summary>Compiles <paramref name="text"/> against the live tailnet and runs its tests; changes nothing.</summary>
    public PolicyCompileResult CheckPolicy(string text) => PolicyEvaluator.Check(text, Topology(Snapshot), PolicyCompileOptions);

    /// <summary>
    /// Makes <paramref name="source"/> the live policy, or clears it (null: allow-all). A text that does not compile
    /// or whose tests fail is refused with its errors and the current policy stays.
    /// </summary>
    public PolicyApplyResult ApplyPolicy(PolicySource? source) => Write(() =>
    {
        var snapshot = _snapshot;
        if (source is null)
        {
            if (snapshot.Policy.IsActive)
            {
                Publish(snapshot with { Policy = TailnetPolicy.AllowAll, PolicyStale = false }, _ => { });
                StateEvents.PolicyCleared(_log);
            }

            return new PolicyApplyResult(true, []);
        }

        var topology = Topology(snapshot);
        var result = PolicyEvaluator.Check(source.Text, topology, PolicyCompileOptions);
        if (!result.Success)
        {
            StateEvents.PolicyRefused(_log, source.Origin, result.Errors);
            return new PolicyApplyResult(false, result.Errors);
        }

        var policy = PolicyEvaluator.Build(source, result.Policy!, topology, snapshot.Policy);
        Publish(snapshot with { Policy = policy, PolicyStale = false }, _ => { });
        StateEvents.PolicyApplied(_log, source.Origin);
        return new PolicyApplyResult(true, []);
    });

    /// <summary>The tailnet as the policy compiler sees it: every user, and every node in registration order.</summary>
    private PolicyTopology Topology(TailnetSnapshot snapshot)
    {
        var users = _users.List();
        return PolicyTopologyBuilder.Build(
            users.Count > 0 ? users : snapshot.Users.Values,
            snapshot.Nodes.Values.Select(e => (e.Record, e.Hostinfo))) with { PrimaryRouters = snapshot.PrimaryRoutes };
    }

    /// <summary>Recompiles a stale policy for the current topology; call with the write lock held.</summary>
    private void RefreshPolicyLocked()
    {
        var snapshot = _snapshot;
        if (!snapshot.PolicyStale)
        {
            return;
        }

        TailnetPolicy policy;
        try
        {
            policy = PolicyEvaluator.Rebuild(snapshot.Policy, Topology(snapshot), PolicyCompileOptions);
            LastPolicyRecompileError = null;
        }
#pragma warning disable CA1031 // A compiler fault must not stop map updates: the old views stay, new nodes fail closed.
        catch (Exception e)
#pragma warning restore CA1031
        {
            LastPolicyRecompileError = e.Message;
            policy = snapshot.Policy;
        }

        // A recompile can change which routes autoApprovers approve, and so the election: re-run it, and compile
        // once more against the new primaries when they moved (approvals do not depend on primaries, so it settles).
        var step = new ChangeSet { Since = _time.GetTimestamp() };
        var next = ElectPrimaryRoutes(snapshot, snapshot with { Policy = policy, PolicyStale = false }, step, all: true);
        if (next.PolicyStale)
        {
            try
            {
                next = next with { Policy = PolicyEvaluator.Rebuild(policy, Topology(next), PolicyCompileOptions), PolicyStale = false };
            }
#pragma warning disable CA1031 // As above: the views compiled a moment ago stay.
            catch (Exception e)
#pragma warning restore CA1031
            {
                LastPolicyRecompileError = e.Message;
                next = next with { PolicyStale = false };
            }
        }

        // A version of its own: each stream's delta compares its old and new view (and gets any router that moved).
        CommitLocked(next with { Version = snapshot.Version + 1 }, step);
    }

    /// <summary>True when a node named in <paramref name="step"/> appeared, disappeared, or changed what the policy sees of it.</summary>
    private static bool TopologyChanged(TailnetSnapshot previous, TailnetSnapshot next, ChangeSet step)
    {
        foreach (var id in step.Full.Concat(step.Removed))
        {
            var before = previous.Find(id);
            var after = next.Find(id);
            if (before is null || after is null)
            {
                if (before is not null || after is not null)
                {
                    return true;
                }

                continue;
            }

            if (!PolicyTopologyBuilder.SameForPolicy(
                PolicyTopologyBuilder.Node(before.Record, before.Hostinfo), PolicyTopologyBuilder.Node(after.Record, after.Hostinfo)))
            {
                return true;
            }
        }

        return false;
    }
}

/// <summary>What <see cref="ControlCoordinator.ApplyPolicy"/> decided; <see cref="Errors"/> carry line and column.</summary>
public sealed record PolicyApplyResult(bool Applied, IReadOnlyList<PolicyError> Errors);
