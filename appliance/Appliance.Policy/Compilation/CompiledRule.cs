using System.Text.Json;
using Appliance.Policy.Model;
using Appliance.Policy.Net;

namespace Appliance.Policy.Compilation;

/// <summary>One destination of a compiled rule: its printed form, its address set and ports.</summary>
internal sealed record DstEntry(string IP, IPSet Set, PortRange Ports);

/// <summary>One capability destination: the addresses it covers and the capabilities granted on them.</summary>
internal sealed record CapEntry(IPSet Set, IReadOnlyDictionary<string, IReadOnlyList<JsonElement>?> CapMap);

/// <summary>
/// A rule resolved against the topology but not yet reduced to one node. Port rules have <see cref="Dsts"/>;
/// capability rules have <see cref="Caps"/>. <see cref="ViaTags"/> restricts the rule to routers carrying one
/// of those tags (grants with "via").
/// </summary>
internal sealed class CompiledRule
{
    public required IReadOnlyList<string> SrcStrings { get; init; }

    public required IPSet Src { get; init; }

    public IReadOnlyList<DstEntry> Dsts { get; init; } = [];

    public IReadOnlyList<int>? Proto { get; init; }

    public IReadOnlyList<CapEntry>? Caps { get; init; }

    public IReadOnlyList<string>? ViaTags { get; init; }

    /// <summary>Indexes (sorted) of nodes that receive a non-empty reduction of this rule.</summary>
    public int[] DstNodes { get; set; } = [];

    /// <summary>Indexes (sorted) of nodes whose addresses or approved routes are in <see cref="Src"/>.</summary>
    public int[] SrcNodes { get; set; } = [];
}
