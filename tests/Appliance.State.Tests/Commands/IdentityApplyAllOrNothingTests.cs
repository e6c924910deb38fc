using Appliance.State.Identity;
using Appliance.State.Tests.Support;

namespace Appliance.State.Tests.Commands;

/// <summary>
/// Issue 12: applying the identity file is one database transaction. When the N-th person cannot be written, the
/// people before it are not left written either: the database and the live snapshot are exactly as before, and the
/// error says "nothing was changed", which is then true. Applying the file again (space back) does it all.
/// </summary>
public sealed class IdentityApplyAllOrNothingTests
{
    private static readonly PersonEntry[] People =
    [
        new("alice", "Alice", "alice@example.org", "admin", ["group:eng"], Disabled: false),
        new("bob", "Bob B.", null, "admin", ["group:ops"], Disabled: false),
        new("carol", "Carol", null, "member", [], Disabled: false),
    ];

    [Fact]
    public void A_person_the_database_refuses_part_way_leaves_every_person_and_the_snapshot_as_they_were()
    {
        using var state = new StateFixture();
        state.Identity.ApplyPeople(
        [
            new("bob", "Bob", null, "member", [], Disabled: false),
            new("dave", "Dave", null, "member", [], Disabled: false),
        ]);
        var snapshot = state.Coordinator.Snapshot;
        var before = Dump(state);

        InvalidOperationException refused;
        using (new InjectedRefusal(state.Database, "users", "NEW.name = 'carol'"))
        {
            refused = Assert.Throws<InvalidOperationException>(() => state.Identity.ApplyPeople(People));
        }

        Assert.Contains("the database refused the write", refused.Message, StringComparison.Ordinal);
        Assert.Contains("nothing was changed", refused.Message, StringComparison.Ordinal);
        Assert.Equal(before, Dump(state));
        Assert.Same(snapshot, state.Coordinator.Snapshot);

        var applied = state.Identity.ApplyPeople(People);
        Assert.Equal((2, 1, 0, 1), (applied.Created, applied.Updated, applied.Unchanged, applied.NewlyDisabled.Count));
        Assert.Equal("dave", applied.NewlyDisabled.Single().Name);
        Assert.Equal(
            ["alice admin group:eng enabled", "bob admin group:ops enabled", "carol member  enabled", "dave member  disabled"],
            Dump(state));
    }

    private static string[] Dump(StateFixture state) =>
        [.. state.Identity.ListUsers().OrderBy(u => u.Name, StringComparer.Ordinal)
            .Select(u => $"{u.Name} {u.Role} {string.Join(',', u.Groups)} {(u.Disabled ? "disabled" : "enabled")}")];
}
