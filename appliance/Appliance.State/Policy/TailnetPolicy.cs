using System.Collections.Immutable;
using Appliance.Policy.Compilation;
using Appliance.Policy.Model;

namespace Appliance.State.Policy;

/// <summary>
/// The live policy as part of the immutable snapshot: the accepted text, its parsed document, its compiled form
/// for the snapshot's topology, and each node's <see cref="NodeMapPolicy"/> derived from that one compiled form.
/// <see cref="AllowAll"/> (no policy configured) has no views: every node sees every peer and gets the allow-all
/// filter, as Headscale and Tailscale do without a policy.
/// </summary>
public sealed class TailnetPolicy
{
    private TailnetPolicy(
        PolicySource? source,
        PolicyDocument? document,
        CompiledPolicy? compiled,
        ImmutableDictionary<long, NodeMapPolicy> views,
        IReadOnlyDictionary<long, PeerRoutes>? plainRoutes = null)
    {
        Source = source;
        Document = document;
        Compiled = compiled;
        Views = views;
        PlainRoutes = plainRoutes;
    }

    public static TailnetPolicy AllowAll { get; } = new(null, null, null, ImmutableDictionary<long, NodeMapPolicy>.Empty);

    /// <summary>The accepted text and where it came from; null when no policy is configured.</summary>
    public PolicySource? Source { get; }

    public PolicyDocument? Document { get; }

    public CompiledPolicy? Compiled { get; }

    public ImmutableDictionary<long, NodeMapPolicy> Views { get; }

    /// <summary>
    /// Each peer's entry as viewers without routes through it see it, for the next compile to reuse the same
    /// objects when they did not change (so comparisons across compiles are by reference); null under allow-all.
    /// </summary>
    internal IReadOnlyDictionary<long, PeerRoutes>? PlainRoutes { get; }

    /// <summary>True when a policy restricts the tailnet (false: allow-all).</summary>
    public bool IsActive => Document is not null;

    public static TailnetPolicy Create(PolicySource source, PolicyDocument document, CompiledPolicy compiled, ImmutableDictionary<long, NodeMapPolicy> views) =>
        new(source, document, compiled, views);

    internal static TailnetPolicy Create(
        PolicySource source,
        PolicyDocument document,
        CompiledPolicy compiled,
        ImmutableDictionary<long, NodeMapPolicy> views,
        IReadOnlyDictionary<long, PeerRoutes> plainRoutes) =>
        new(source, document, compiled, views, plainRoutes);

    /// <summary>
    /// The node's view; null under allow-all. A node that is missing from an active policy's views (it should not
    /// happen: views are rebuilt before any map is built) gets an empty view, so a gap fails closed.
    /// </summary>
    public NodeMapPolicy? ViewOf(long nodeId) =>
        !IsActive ? null : Views.TryGetValue(nodeId, out var view) ? view : PolicyEvaluator.Isolated(nodeId);
}
