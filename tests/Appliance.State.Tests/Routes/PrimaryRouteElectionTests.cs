using System.Collections.Immutable;
using Appliance.Policy.Net;
using Appliance.State.Routes;

namespace Appliance.State.Tests.Routes;

public sealed class PrimaryRouteElectionTests
{
    private static readonly IPPrefix Lan = IPPrefix.Parse("10.1.0.0/24");
    private static readonly IPPrefix Other = IPPrefix.Parse("10.2.0.0/16");
    private static readonly ImmutableDictionary<IPPrefix, long> None = ImmutableDictionary<IPPrefix, long>.Empty;

    private static RouteCandidate Router(long id, bool healthy, params IPPrefix[] routes) => new(id, healthy, routes);

    private static ImmutableDictionary<IPPrefix, long> Primary(params (IPPrefix Prefix, long Id)[] entries) =>
        entries.ToImmutableDictionary(e => e.Prefix, e => e.Id);

    [Fact]
    public void The_healthy_router_with_the_lowest_id_is_elected_whatever_the_input_order()
    {
        var elected = PrimaryRouteElection.Elect(None, [Router(7, true, Lan), Router(3, false, Lan), Router(5, true, Lan)]);

        Assert.Equal(5, elected[Lan]);
    }

    [Fact]
    public void A_healthy_primary_stays_when_a_router_with_a_lower_id_comes_back()
    {
        var elected = PrimaryRouteElection.Elect(Primary((Lan, 5)), [Router(3, true, Lan), Router(5, true, Lan)]);

        Assert.Equal(5, elected[Lan]);
    }

    [Fact]
    public void A_primary_that_goes_unhealthy_hands_over_to_the_next_healthy_router()
    {
        var elected = PrimaryRouteElection.Elect(Primary((Lan, 3)), [Router(3, false, Lan), Router(9, false, Lan), Router(5, true, Lan)]);

        Assert.Equal(5, elected[Lan]);
    }

    [Fact]
    public void A_primary_that_stops_serving_the_prefix_is_replaced_and_a_prefix_nobody_serves_is_dropped()
    {
        var elected = PrimaryRouteElection.Elect(Primary((Lan, 3), (Other, 3)), [Router(3, true, Other), Router(4, true, Lan)]);

        Assert.Equal(4, elected[Lan]);
        Assert.Equal(3, elected[Other]);

        var gone = PrimaryRouteElection.Elect(elected, [Router(4, true, Lan)]);
        Assert.False(gone.ContainsKey(Other));
    }

    [Fact]
    public void With_no_healthy_router_the_current_primary_keeps_the_prefix_else_the_lowest_id()
    {
        Assert.Equal(5, PrimaryRouteElection.Elect(Primary((Lan, 5)), [Router(3, false, Lan), Router(5, false, Lan)])[Lan]);
        Assert.Equal(3, PrimaryRouteElection.Elect(None, [Router(5, false, Lan), Router(3, false, Lan)])[Lan]);
    }

    [Fact]
    public void Each_prefix_is_elected_on_its_own()
    {
        var elected = PrimaryRouteElection.Elect(None, [Router(1, false, Lan, Other), Router(2, true, Lan), Router(3, true, Other)]);

        Assert.Equal(2, elected[Lan]);
        Assert.Equal(3, elected[Other]);
    }

    [Fact]
    public void Exit_routes_are_never_elected()
    {
        var elected = PrimaryRouteElection.Elect(None, [Router(1, true, IPPrefix.Parse("0.0.0.0/0"), IPPrefix.Parse("::/0"), Lan)]);

        Assert.Equal([Lan], elected.Keys);
    }

    [Fact]
    public void Host_bits_do_not_split_a_prefix()
    {
        var elected = PrimaryRouteElection.Elect(None, [Router(2, true, IPPrefix.Parse("10.1.0.7/24")), Router(1, true, Lan)]);

        Assert.Equal(1, Assert.Single(elected).Value);
    }

    [Fact]
    public void Elections_compare_by_content()
    {
        Assert.True(PrimaryRouteElection.Same(Primary((Lan, 1)), Primary((Lan, 1))));
        Assert.False(PrimaryRouteElection.Same(Primary((Lan, 1)), Primary((Lan, 2))));
        Assert.False(PrimaryRouteElection.Same(Primary((Lan, 1)), None));
    }
}
