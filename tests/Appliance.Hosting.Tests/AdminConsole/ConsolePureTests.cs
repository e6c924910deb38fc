using Appliance.Hosting.AdminConsole;
using Appliance.Hosting.AdminConsole.Policy;
using Appliance.Hosting.AdminConsole.Sessions;
using Appliance.TestKit.Derp;

namespace Appliance.Hosting.Tests.AdminConsole;

/// <summary>The console's pure parts: the policy diff, the role table and session lifetimes on a fake clock.</summary>
public sealed class ConsolePureTests
{
    [Fact]
    public void The_diff_keeps_common_lines_and_marks_removed_and_added_ones_in_order()
    {
        var diff = LineDiff.Compute("a\nb\nc\nd\n", "a\nc\nx\nd");
        Assert.Equal(["  a", "- b", "  c", "+ x", "  d"], diff.Select(l => $"{l.Kind} {l.Text}"));
        Assert.True(LineDiff.Same(LineDiff.Compute("a\r\nb", "a\nb\n")));
        Assert.Equal(["+ only"], LineDiff.Compute("", "only").Select(l => $"{l.Kind} {l.Text}"));
    }

    [Fact]
    public void A_diff_too_large_for_the_table_is_still_correct()
    {
        var before = string.Join('\n', Enumerable.Range(0, 3000).Select(i => "x" + i));
        var after = string.Join('\n', Enumerable.Range(0, 3000).Select(i => "y" + i));
        var diff = LineDiff.Compute(before, after);
        Assert.Equal(before.Split('\n'), diff.Where(l => l.Kind != '+').Select(l => l.Text));
        Assert.Equal(after.Split('\n'), diff.Where(l => l.Kind != '-').Select(l => l.Text));
    }

    [Theory]
    [InlineData("owner", "NRPLKE", true)]
    [InlineData("admin", "NRPLKE", true)]
    [InlineData("network-admin", "NRPL", true)]
    [InlineData("it-admin", "LKE", true)]
    [InlineData("auditor", "", true)]
    [InlineData("billing-admin", "", false)]
    [InlineData("member", "", false)]
    public void Each_role_changes_only_its_areas(string role, string areas, bool reads)
    {
        // N nodes, R routes, P policy, L pending logins, K keys, E people.
        var letters = new Dictionary<ConsoleArea, char>
        {
            [ConsoleArea.Nodes] = 'N', [ConsoleArea.Routes] = 'R', [ConsoleArea.Policy] = 'P',
            [ConsoleArea.Logins] = 'L', [ConsoleArea.Keys] = 'K', [ConsoleArea.People] = 'E',
        };
        Assert.Equal(reads, ConsoleRoles.CanRead(role));
        foreach (var (area, letter) in letters)
        {
            Assert.True(ConsoleRoles.CanChange(role, area) == areas.Contains(letter, StringComparison.Ordinal), $"{role} {area}");
        }
    }

    [Fact]
    public void Sessions_end_after_idle_time_after_their_lifetime_and_at_logout()
    {
        var time = new ManualTimeProvider();
        using var folder = new Admin.AdminTestFolder();
        using var directory = Appliance.Storage.Files.DataDirectory.Open(folder.DataDir);
        using var database = Appliance.Storage.Database.ApplianceDatabase.Open(directory, time);
        var sessions = new ConsoleSessions(database, time);
        var idle = sessions.Start("a@site", out _);
        time.Advance(ConsoleSessions.IdleTimeout + TimeSpan.FromSeconds(1));
        Assert.Null(sessions.Find(idle));

        var busy = sessions.Start("b@site", out var session);
        for (var t = TimeSpan.Zero; t < ConsoleSessions.AbsoluteLifetime - TimeSpan.FromMinutes(20); t += TimeSpan.FromMinutes(20))
        {
            time.Advance(TimeSpan.FromMinutes(20));
            Assert.Same(session, sessions.Find(busy));
        }

        time.Advance(TimeSpan.FromMinutes(25));
        Assert.Null(sessions.Find(busy));

        var other = sessions.Start("c@site", out _);
        Assert.Null(sessions.Find(other[..^1] + (other[^1] == 'A' ? 'B' : 'A')));
        sessions.End(other);
        Assert.Null(sessions.Find(other));
        Assert.Null(sessions.Find(new string('x', 10_000)));
    }

    [Fact]
    public void A_session_started_by_one_instance_is_known_to_another_on_the_same_database_and_ends_there_too()
    {
        var time = new ManualTimeProvider();
        using var folder = new Admin.AdminTestFolder();
        using var directory = Appliance.Storage.Files.DataDirectory.Open(folder.DataDir);
        using var database = Appliance.Storage.Database.ApplianceDatabase.Open(directory, time);
        var a = new ConsoleSessions(database, time);
        var b = new ConsoleSessions(database, time);
        var cookie = a.Start("a@site", out var started);
        var seen = b.Find(cookie);
        Assert.NotNull(seen);
        Assert.Equal(("a@site", started.Csrf), (seen.Login, seen.Csrf));

        // B's requests keep the session alive for A as well (last_seen is shared).
        time.Advance(ConsoleSessions.IdleTimeout - TimeSpan.FromMinutes(1));
        Assert.NotNull(b.Find(cookie));
        time.Advance(TimeSpan.FromMinutes(2));
        Assert.NotNull(a.Find(cookie));

        b.End(cookie);
        Assert.Null(a.Find(cookie));

        var other = a.Start("c@site", out _);
        b.EndAll("c@site");
        Assert.Null(a.Find(other));
        Assert.Equal(0L, a.Count);
    }
}
